//! `Tree`: a JSON tree whose strings borrow from the text it was parsed from (or from the
//! `serde_json::Value` it views). The conformance rules read exported resources as one; the
//! mock reads its stored resources back as one to filter them for an access profile.
//!
//! Parsing a resource into a `Value` allocates a `String` for every key and string and an
//! ordered hash map (SipHash) for every object: half of checking an export went there, and
//! three times this tree's cost when the mock filtered a stored resource. Here an object is
//! its members in order, a string borrows from the text unless it holds escapes, and
//! reading a member compares names (a FHIR object has a handful). A parsed `Tree` holds what
//! the same text's `Value` holds, in the same order (duplicate keys: the last value in the
//! first key's place).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

/// A JSON value whose strings borrow from `'a` where they can.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it.
    Number(Number),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Tree<'a>>),
    /// An object's members, in order, each key once.
    Object(Vec<Member<'a>>),
}

/// A member of an object: its key and value.
pub type Member<'a> = (Cow<'a, str>, Tree<'a>);

/// What indexing a missing member gives, as `Value`'s `v["missing"]` does.
static NULL: Tree<'static> = Tree::Null;

impl<'a> Tree<'a> {
    /// Parses a JSON text, its strings borrowed from it: accepts and refuses what
    /// `serde_json::from_str::<Value>` does, with the same error.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A view of a parsed `Value`, its strings borrowed from it.
    pub fn of(value: &'a Value) -> Self {
        match value {
            Value::Null => Tree::Null,
            Value::Bool(b) => Tree::Bool(*b),
            Value::Number(n) => Tree::Number(n.clone()),
            Value::String(s) => Tree::Str(Cow::Borrowed(s)),
            Value::Array(items) => Tree::Array(items.iter().map(Tree::of).collect()),
            Value::Object(map) => Tree::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Tree::of(v)))
                    .collect(),
            ),
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Tree<'a>> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The value at a JSON Pointer (`/a/0/b`), as `Value::pointer` finds it.
    pub fn pointer(&self, pointer: &str) -> Option<&Tree<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |v, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match v {
                Tree::Object(_) => v.get(&token),
                Tree::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            }
        })
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match self {
            Tree::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Tree<'a>]> {
        match self {
            Tree::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The string it is.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Tree::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean it is.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Tree::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number it is, as a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Tree::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// Whether it is an integer that fits an `i64`.
    pub fn is_i64(&self) -> bool {
        matches!(self, Tree::Number(n) if n.is_i64())
    }

    /// Whether it is an integer that fits a `u64`.
    pub fn is_u64(&self) -> bool {
        matches!(self, Tree::Number(n) if n.is_u64())
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Tree::Null)
    }

    /// Whether it is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Tree::Str(_))
    }

    /// Whether it is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Tree::Number(_))
    }

    /// Whether it is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Tree::Object(_))
    }

    /// Whether it is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Tree::Array(_))
    }

    /// Whether it is a boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Tree::Bool(_))
    }

    /// Whether it holds the same JSON as `value` (as `Value`'s equality: numbers by
    /// value, object members in any order).
    pub fn same_as(&self, value: &Value) -> bool {
        match (self, value) {
            (Tree::Null, Value::Null) => true,
            (Tree::Bool(a), Value::Bool(b)) => a == b,
            (Tree::Number(a), Value::Number(b)) => a == b,
            (Tree::Str(a), Value::String(b)) => a == b,
            (Tree::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Tree::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_ref()).is_some_and(|w| v.same_as(w)))
            }
            _ => false,
        }
    }
}

impl<'a> std::ops::Index<&str> for Tree<'a> {
    type Output = Tree<'a>;

    /// The member `key`, or `null`, as `Value`'s index.
    fn index(&self, key: &str) -> &Tree<'a> {
        self.get(key).unwrap_or(&NULL)
    }
}

impl PartialEq<str> for Tree<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Tree<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<bool> for Tree<'_> {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

/// Its compact JSON text, as `Value`'s `Display` writes it.
impl fmt::Display for Tree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Null => serializer.serialize_unit(),
            Tree::Bool(b) => serializer.serialize_bool(*b),
            Tree::Number(n) => n.serialize(serializer),
            Tree::Str(s) => serializer.serialize_str(s),
            Tree::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Tree::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Tree<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

/// Objects with more members than this find a repeated key through a map rather than a
/// scan, so that a hostile object with many keys costs linear time. A resource's top level
/// (20-odd members for an offer) stays below it: a scan costs less than hashing each key.
const SCANNED_KEYS: usize = 32;

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Tree<'de>, E> {
        Ok(Tree::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Tree<'de>, E> {
        Ok(Tree::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Tree<'de>, E> {
        // As `Value` does: a non-finite float (not produced by the JSON parser) is null.
        Ok(Number::from_f64(n).map_or(Tree::Null, Tree::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Tree<'de>, E> {
        Ok(Tree::Str(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }

    fn visit_unit<E>(self) -> Result<Tree<'de>, E> {
        Ok(Tree::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree<'de>, D::Error> {
        Tree::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree<'de>, A::Error> {
        let mut members: Vec<Member<'de>> = Vec::new();
        let mut positions: Option<HashMap<Cow<'de, str>, usize>> = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: Tree<'de> = map.next_value()?;
            let existing = match &positions {
                Some(index) => index.get(&key).copied(),
                None => members.iter().position(|(k, _)| *k == key),
            };
            match existing {
                Some(at) => members[at].1 = value,
                None => {
                    if let Some(index) = &mut positions {
                        index.insert(key.clone(), members.len());
                    }
                    members.push((key, value));
                    if positions.is_none() && members.len() > SCANNED_KEYS {
                        positions = Some(
                            members
                                .iter()
                                .enumerate()
                                .map(|(i, (k, _))| (k.clone(), i))
                                .collect(),
                        );
                    }
                }
            }
        }
        Ok(Tree::Object(members))
    }
}

/// An object key, borrowed when it holds no escape.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parsed_tree_holds_what_the_same_value_holds_in_the_same_order() {
        let offers = include_str!("../../../fixtures/dataset/HealthcareService.ndjson");
        let organizations = include_str!("../../../fixtures/dataset/Organization.ndjson");
        for line in offers.lines().chain(organizations.lines()).take(200) {
            let value: Value = serde_json::from_str(line).expect("parses");
            let tree = Tree::parse(line).expect("parses");
            assert!(tree.same_as(&value));
            assert_eq!(tree, Tree::of(&value));
            assert_eq!(tree.to_string(), value.to_string());
        }
        for text in [
            r#"[1, -2, 3.5e3, "é\u00e9\n", null, true, {}]"#,
            r#"{"a\"b": 1, "b": {"c": [2]}}"#,
            r#"{"a": 1, "b": 2, "a": 3}"#,
        ] {
            let value: Value = serde_json::from_str(text).expect("parses");
            let tree = Tree::parse(text).expect("parses");
            assert_eq!(tree.to_string(), value.to_string(), "{text}");
            assert!(tree.same_as(&value), "{text}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_in_its_first_place_in_small_and_large_objects() {
        let small = Tree::parse(r#"{"a": 1, "b": 2, "a": 3}"#).expect("parses");
        assert_eq!(small.to_string(), r#"{"a":3,"b":2}"#);
        let mut large = String::from("{");
        for i in 0..40 {
            large.push_str(&format!("\"k{i}\": {i},"));
        }
        large.push_str("\"k3\": \"again\", \"k39\": null}");
        let value: Value = serde_json::from_str(&large).expect("parses");
        assert_eq!(
            Tree::parse(&large).expect("parses").to_string(),
            value.to_string()
        );
    }

    #[test]
    fn what_a_value_refuses_is_refused_with_the_same_error() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "nul", "1 2", deep.as_str()] {
            let tree = Tree::parse(bad).expect_err(bad).to_string();
            let value = serde_json::from_str::<Value>(bad)
                .expect_err(bad)
                .to_string();
            assert_eq!(tree, value, "{bad}");
        }
    }

    #[test]
    fn reading_is_as_a_value_reads() {
        let tree = Tree::parse(r#"{"s": "x", "n": 2.5, "b": true, "l": [1]}"#).expect("parses");
        assert_eq!(tree["s"], "x");
        assert!(tree["missing"].is_null());
        assert_eq!(tree["n"].as_f64(), Some(2.5));
        assert_eq!(tree["b"], true);
        assert_eq!(tree["l"].as_array().map(<[Tree]>::len), Some(1));
        assert!(tree["s"]["deeper"].is_null());
    }
}
