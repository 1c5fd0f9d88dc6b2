//! A JSON document ready for the engine, built once per response and shared by every
//! expression evaluated on it.
//!
//! The engine works on its own tree (`FhirNode`), which it would otherwise build from a
//! `serde_json::Value` at every evaluation: a full copy of the body each time. A
//! [`Document`] is that tree, built either straight from the body's bytes (no `Value` in
//! between) or from a `Value` already parsed; cloning it is a reference count.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use octofhir_fhirpath::FhirPathValue;
use octofhir_fhirpath::core::node::FhirNode;
use octofhir_fhirpath::core::value::utils::json_to_fhirpath_value_arc;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::reach::Reach;

/// A document the engine reads without copying it.
#[derive(Debug, Clone)]
pub struct Document(Root);

#[derive(Debug, Clone)]
enum Root {
    /// An object the engine takes as a resource: its tree, shared.
    Resource(FhirNode),
    /// Anything else (an array, a primitive, an object shaped like a Quantity, which the
    /// engine converts on its own terms): kept as JSON and handed over as it would be.
    Other(Arc<Value>),
}

impl Document {
    /// The document of a JSON text, parsed into the engine's tree directly. Accepts and
    /// refuses exactly what `serde_json::from_slice::<Value>` does, with the same error
    /// (same nesting limit), and keeps the last of duplicate keys where the first stood,
    /// as a `Value` does.
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let node = NodeSeed {
            builder: &mut Builder::new(),
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(Document::from_node(node))
    }

    /// The document of a JSON text with only the root members `reach` keeps built (the
    /// others are read, not built): what the expressions of `reach` give on it is what
    /// they give on the whole document. Accepts and refuses what [`Document::parse`] does,
    /// with its words: a text the skipping parser would judge differently (not UTF-8,
    /// nested deeper than the full parse accepts), a text it refuses, or a root the engine
    /// may read as a Quantity is parsed whole.
    pub fn parse_reaching(bytes: &[u8], reach: &Reach) -> Result<Self, serde_json::Error> {
        if reach.is_whole() {
            return Self::parse(bytes);
        }
        // Skipping a string does not check its UTF-8, nor skipping an array its depth.
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Self::parse(bytes);
        };
        if nested_deeper_than(text.as_bytes(), SKIPPED_DEPTH) {
            return Self::parse(bytes);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let root = RootSeed {
            builder: &mut Builder::new(),
            reach,
        }
        .deserialize(&mut de)
        .and_then(|root| de.end().map(|()| root));
        match root {
            Ok(Some(node)) => Ok(Document::from_node(node)),
            // A skipped member's error is worded otherwise ("expected value" for a
            // trailing comma), and a root that is not an object is refused by `RootSeed`:
            // the full parse says or builds it as before.
            Ok(None) | Err(_) => Self::parse(bytes),
        }
    }

    /// The document of a JSON value already parsed.
    pub fn from_value(value: &Value) -> Self {
        match value {
            Value::Object(map)
                if !quantity_shaped(map.contains_key("value"), || {
                    map.contains_key("unit") || map.contains_key("code")
                }) =>
            {
                Document(Root::Resource(FhirNode::from_json(value)))
            }
            other => Document(Root::Other(Arc::new(other.clone()))),
        }
    }

    fn from_node(node: FhirNode) -> Self {
        let is_resource = node.as_object().is_some_and(|entries| {
            let has = |key: &str| entries.iter().any(|(k, _)| &**k == key);
            !quantity_shaped(has("value"), || has("unit") || has("code"))
        });
        if is_resource {
            Document(Root::Resource(node))
        } else {
            Document(Root::Other(Arc::new(node.to_json())))
        }
    }

    /// The engine's value for this document: what `json_to_fhirpath_value_arc` makes of
    /// the same JSON, without rebuilding the tree.
    pub(crate) fn value(&self) -> FhirPathValue {
        match &self.0 {
            Root::Resource(node) => FhirPathValue::resource_from_node(node.clone()),
            Root::Other(json) => json_to_fhirpath_value_arc(json.clone()),
        }
    }

    /// The document as JSON (tests compare both ways of building it).
    pub fn to_json(&self) -> Value {
        match &self.0 {
            Root::Resource(node) => node.to_json(),
            Root::Other(json) => Value::clone(json),
        }
    }
}

/// The engine reads an object holding `value` and `unit` or `code` as a Quantity, not as
/// a resource.
fn quantity_shaped(has_value: bool, has_unit_or_code: impl FnOnce() -> bool) -> bool {
    has_value && has_unit_or_code()
}

/// Objects with more keys than this find duplicates through a map rather than a scan, so
/// that a hostile body with many keys costs linear time.
const SCANNED_KEYS: usize = 16;

/// Keys up to this length go through the key cache.
const CACHED_KEY_LEN: usize = 32;
/// Slots of the key cache (a power of two).
const KEY_SLOTS: usize = 256;

/// What the parse of one document reuses: the items and entries of the arrays and objects
/// being read, kept on two stacks so that each array or object is allocated once, at its
/// final size; and the keys met, so that a key repeated thousands of times in a Bundle
/// (`system`, `code`, `url`...) is allocated once.
struct Builder {
    items: Vec<FhirNode>,
    entries: Vec<(Arc<str>, FhirNode)>,
    /// A direct-mapped cache: a key's slot holds the last key with that hash.
    keys: Vec<Option<Arc<str>>>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            items: Vec::new(),
            entries: Vec::new(),
            keys: vec![None; KEY_SLOTS],
        }
    }

    fn key(&mut self, key: &str) -> Arc<str> {
        if key.len() > CACHED_KEY_LEN {
            return Arc::from(key);
        }
        let hash = key
            .bytes()
            .fold(key.len() as u32, |h, b| h.wrapping_mul(31) ^ u32::from(b));
        let slot = &mut self.keys[hash as usize % KEY_SLOTS];
        match slot {
            Some(cached) if **cached == *key => cached.clone(),
            _ => {
                let fresh: Arc<str> = Arc::from(key);
                *slot = Some(fresh.clone());
                fresh
            }
        }
    }
}

struct NodeSeed<'b> {
    builder: &'b mut Builder,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = FhirNode;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FhirNode, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// An object key, through the key cache.
struct KeySeed<'b> {
    builder: &'b mut Builder,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Arc<str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Arc<str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Arc<str>, E> {
        Ok(self.builder.key(s))
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = FhirNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<FhirNode, E> {
        Ok(FhirNode::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<FhirNode, E> {
        Ok(FhirNode::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<FhirNode, E> {
        Ok(FhirNode::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<FhirNode, E> {
        // As `Value` does: a non-finite float (not produced by the JSON parser) is null.
        Ok(serde_json::Number::from_f64(n).map_or(FhirNode::Null, FhirNode::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<FhirNode, E> {
        Ok(FhirNode::Str(Arc::from(s)))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<FhirNode, E> {
        Ok(FhirNode::Str(Arc::from(s)))
    }

    fn visit_none<E>(self) -> Result<FhirNode, E> {
        Ok(FhirNode::Null)
    }

    fn visit_unit<E>(self) -> Result<FhirNode, E> {
        Ok(FhirNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<FhirNode, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FhirNode, A::Error> {
        let b = self.builder;
        let start = b.items.len();
        while let Some(item) = seq.next_element_seed(NodeSeed { builder: &mut *b })? {
            b.items.push(item);
        }
        Ok(FhirNode::Array(b.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FhirNode, A::Error> {
        read_map(self.builder, map, None)
    }
}

/// An object's members, the last of duplicate keys kept in the first one's place. With a
/// reach, only the members it keeps are built (the others are read and dropped), and the
/// Quantity keys met are noted.
fn read_map<'de, A: MapAccess<'de>>(
    b: &mut Builder,
    mut map: A,
    mut reach: Option<(&Reach, &mut QuantityKeys)>,
) -> Result<FhirNode, A::Error> {
    let start = b.entries.len();
    let mut positions: Option<HashMap<Arc<str>, usize>> = None;
    while let Some(key) = map.next_key_seed(KeySeed { builder: &mut *b })? {
        if let Some((reach, seen)) = &mut reach {
            seen.value |= &*key == "value";
            seen.unit_or_code |= matches!(&*key, "unit" | "code");
            if !reach.keeps(&key) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
        }
        let value = map.next_value_seed(NodeSeed { builder: &mut *b })?;
        let entries = &mut b.entries;
        let existing = match &positions {
            Some(index) => index.get(&key).map(|at| start + at),
            None => entries[start..]
                .iter()
                .position(|(k, _)| *k == key)
                .map(|at| start + at),
        };
        match existing {
            Some(at) => entries[at].1 = value,
            None => {
                if let Some(index) = &mut positions {
                    index.insert(key.clone(), entries.len() - start);
                }
                entries.push((key, value));
                if positions.is_none() && entries.len() - start > SCANNED_KEYS {
                    positions = Some(
                        entries[start..]
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.clone(), i))
                            .collect(),
                    );
                }
            }
        }
    }
    Ok(FhirNode::Object(b.entries.drain(start..).collect()))
}

/// Below this depth a skipped member is certainly accepted by the full parse (whose limit
/// is 128 levels); a deeper text is parsed whole, to be refused as before.
const SKIPPED_DEPTH: usize = 100;

/// Whether brackets outside strings nest deeper than `limit` in `text`.
fn nested_deeper_than(text: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The root of a document as an object: the members its reach keeps are built, the others
/// skipped. Anything else is refused here (and parsed whole: nothing to leave out); `None`
/// when the root is an object the engine may read as a Quantity (then parsed whole too: the
/// members left out decide it).
struct RootSeed<'b, 'r> {
    builder: &'b mut Builder,
    reach: &'r Reach,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_> {
    type Value = Option<FhirNode>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_> {
    type Value = Option<FhirNode>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut seen = QuantityKeys::default();
        let node = read_map(self.builder, map, Some((self.reach, &mut seen)))?;
        Ok((!quantity_shaped(seen.value, || seen.unit_or_code)).then_some(node))
    }
}

/// Which of the keys that make an object a Quantity the root held, kept or not.
#[derive(Default)]
struct QuantityKeys {
    value: bool,
    unit_or_code: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both_ways(text: &str) -> (Value, Value) {
        let direct = Document::parse(text.as_bytes()).expect("parses").to_json();
        let value: Value = serde_json::from_str(text).expect("parses");
        (direct, Document::from_value(&value).to_json())
    }

    #[test]
    fn parsing_directly_builds_what_converting_a_value_builds() {
        let offers = include_str!("../../../fixtures/dataset/HealthcareService.ndjson");
        let organizations = include_str!("../../../fixtures/dataset/Organization.ndjson");
        for line in offers.lines().chain(organizations.lines()).take(200) {
            let (direct, converted) = both_ways(line);
            assert_eq!(direct, converted);
            assert_eq!(direct, serde_json::from_str::<Value>(line).expect("parses"));
        }
        for text in [
            "[1, -2, 3.5e3, \"é\\u00e9\", null, true, {}]",
            "\"text\"",
            "42",
            r#"{"value": 3, "unit": "mg"}"#,
            r#"{"a": 1, "b": 2, "a": 3}"#,
        ] {
            let (direct, converted) = both_ways(text);
            assert_eq!(direct, converted, "{text}");
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_in_the_first_place_in_small_and_large_objects() {
        let small = r#"{"a": 1, "b": 2, "a": 3}"#;
        let (direct, _) = both_ways(small);
        assert_eq!(
            serde_json::to_string(&direct).expect("json"),
            r#"{"a":3,"b":2}"#
        );
        let mut large = String::from("{");
        for i in 0..40 {
            large.push_str(&format!("\"k{i}\": {i},"));
        }
        large.push_str("\"k3\": \"again\", \"k39\": null}");
        let (direct, converted) = both_ways(&large);
        assert_eq!(direct, converted);
        assert_eq!(
            direct,
            serde_json::from_str::<Value>(&large).expect("parses")
        );
    }

    #[test]
    fn what_a_value_refuses_is_refused_with_the_same_error() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "nul", "1 2", deep.as_str()] {
            let direct = Document::parse(bad.as_bytes()).expect_err(bad).to_string();
            let value = serde_json::from_str::<Value>(bad)
                .expect_err(bad)
                .to_string();
            assert_eq!(direct, value, "{bad}");
        }
    }
}
