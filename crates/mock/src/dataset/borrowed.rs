//! `Borrowed`: a stored resource read back from its text without copying its strings.
//!
//! Serving a resource to an access profile other than 1 means reading its stored text and
//! writing it again without what that profile may not see. Read into a `serde_json::Value`,
//! every key and string is allocated and every key hashed into an ordered map: three times
//! the cost of this tree, whose strings borrow from the text (a string with an escape is
//! the only copy) and whose objects are lists. Its text ([`Node::write_json`]) is the one a
//! `Value` of the same text gives: same order, same escapes, same numbers.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use super::json::{Node, write_array, write_object, write_str};

/// A JSON value whose strings borrow from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Borrowed<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Borrowed<'a>>),
    /// Members in the text's order.
    Object(Vec<(Cow<'a, str>, Borrowed<'a>)>),
}

impl<'a> Borrowed<'a> {
    /// Reads `text`.
    pub(crate) fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// A string that borrows when it has no escape.
struct Text<'a>(Cow<'a, str>);

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(s.to_owned())))
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

struct BorrowedVisitor;

impl<'de> Visitor<'de> for BorrowedVisitor {
    type Value = Borrowed<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Number(n.into()))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Borrowed<'de>, E> {
        // As `Value`: a float that is not finite is null.
        Ok(Number::from_f64(x).map_or(Borrowed::Null, Borrowed::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Borrowed<'de>, E> {
        Ok(Borrowed::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Borrowed<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Borrowed::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Borrowed<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Borrowed<'de>)> = Vec::new();
        while let Some((Text(key), value)) = map.next_entry::<Text<'de>, Borrowed<'de>>()? {
            // As `Value`'s ordered map: a repeated key keeps its first place, the last value.
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => *v = value,
                None => members.push((key, value)),
            }
        }
        Ok(Borrowed::Object(members))
    }
}

impl<'de> Deserialize<'de> for Borrowed<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BorrowedVisitor)
    }
}

impl Node for Borrowed<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Borrowed::Null => out.extend_from_slice(b"null"),
            Borrowed::Bool(true) => out.extend_from_slice(b"true"),
            Borrowed::Bool(false) => out.extend_from_slice(b"false"),
            // Writing into a `Vec` cannot fail.
            Borrowed::Number(n) => {
                let _ = serde_json::to_writer(&mut *out, n);
            }
            Borrowed::Str(s) => write_str(s, out),
            Borrowed::Array(items) => write_array(items, out, Borrowed::write_json),
            Borrowed::Object(members) => write_object(members, out, Borrowed::write_json),
        }
    }
    fn member(&self, key: &str) -> Option<&Self> {
        match self {
            Borrowed::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn string(&self) -> Option<&str> {
        match self {
            Borrowed::Str(s) => Some(s),
            _ => None,
        }
    }
    fn array(&self) -> Option<&[Self]> {
        match self {
            Borrowed::Array(items) => Some(items),
            _ => None,
        }
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            Borrowed::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn each_member(&self, f: &mut dyn FnMut(&str, &Self)) -> bool {
        let Borrowed::Object(members) = self else {
            return false;
        };
        members.iter().for_each(|(k, v)| f(k, v));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn written(node: &impl Node) -> String {
        let mut out = Vec::new();
        node.write_json(&mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn written_as_the_value_of_the_same_text() {
        for text in [
            r#"{"a":"é\"\n\u0001","n":-7,"u":18446744073709551615,"x":12.5,"e":1e300,"l":[null,true,false,[],{}],"o":{"k\"ey":"v"}}"#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"  [ 1.0 , "\/x" , {"z" : { } } ]  "#,
            r#""just a string""#,
            "0.1",
        ] {
            let value: Value = serde_json::from_str(text).expect("JSON");
            let borrowed = Borrowed::parse(text).expect("JSON");
            assert_eq!(written(&borrowed), value.to_string(), "{text}");
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let text = r#"{"plain":"abc","escaped":"a\nb"}"#;
        let borrowed = Borrowed::parse(text).expect("JSON");
        assert!(matches!(
            borrowed.member("plain"),
            Some(Borrowed::Str(Cow::Borrowed("abc")))
        ));
        assert!(matches!(
            borrowed.member("escaped"),
            Some(Borrowed::Str(Cow::Owned(s))) if s == "a\nb"
        ));
    }

    #[test]
    fn what_is_not_json_is_refused() {
        assert!(Borrowed::parse("{\"a\":").is_err());
        assert!(Borrowed::parse("[1,]").is_err());
    }
}
