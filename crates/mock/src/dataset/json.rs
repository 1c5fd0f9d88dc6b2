//! `Json`: the tree the generator builds a resource in before it is written as text.
//!
//! A `serde_json::Value` object is an `IndexMap` (the workspace keeps key order): every key
//! is an allocated `String` hashed on insertion, and most of a generated dataset's time went
//! there. The generator's keys are literals and most of its strings are constants, so here
//! an object is a list of `(&'static str, Json)` and a string borrows when it can. Its text
//! ([`Json::write`]) is the one the same `Value` gives (same order, same numbers).

use std::borrow::Cow;

use serde_json::Value;

/// A JSON value built by the generator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// Any integer the generator writes (counts, numbers).
    Int(i64),
    Float(f64),
    Str(Cow<'static, str>),
    Array(Vec<Json>),
    /// Members in insertion order; a key appears once ([`Json::set`]).
    Object(Vec<(&'static str, Json)>),
    /// A constant element built once for the process and shared by every resource that
    /// carries it (a NOS concept with a fixed code): no allocation per use, and its text
    /// written once.
    Shared(&'static Constant),
}

/// A constant element and its JSON text, written once for the process: a generated resource
/// is largely constant concepts and extensions, which each resource's text then copies.
#[derive(Debug, PartialEq)]
pub(crate) struct Constant {
    tree: Json,
    text: Box<[u8]>,
}

impl Constant {
    /// `tree` as a constant for the rest of the process (what `ig::made_once` keeps).
    pub(crate) fn leak(tree: Json) -> &'static Constant {
        let mut text = Vec::new();
        tree.write(&mut text);
        Box::leak(Box::new(Constant {
            tree,
            text: text.into_boxed_slice(),
        }))
    }
}

impl Json {
    /// Sets `key` of an object: replaced in place when present (as `Value`'s ordered map
    /// does), appended otherwise. Not an object: nothing happens (the generator only sets
    /// members of objects it just built).
    pub(crate) fn set(&mut self, key: &'static str, value: Json) {
        self.own();
        if let Json::Object(members) = self {
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => *v = value,
                None => members.push((key, value)),
            }
        }
    }

    /// A shared element becomes a copy of its own, to be changed.
    fn own(&mut self) {
        if let Json::Shared(shared) = self {
            *self = shared.tree.clone();
        }
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            Json::Shared(shared) => shared.tree.get(key),
            _ => None,
        }
    }

    /// The member `key` of an object, to change it.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.own();
        match self {
            Json::Object(members) => members.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The items of an array, to change them.
    pub(crate) fn as_array_mut(&mut self) -> Option<&mut Vec<Json>> {
        self.own();
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The string it is.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            Json::Shared(shared) => shared.tree.as_str(),
            _ => None,
        }
    }

    /// The items of an array.
    pub(crate) fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            Json::Shared(shared) => shared.tree.as_array(),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value` (tests, and the few resources derived from
    /// a generated one).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(n) => Value::from(*n),
            Json::Float(x) => Value::from(*x),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_value()))
                    .collect(),
            ),
            Json::Shared(shared) => shared.tree.to_value(),
        }
    }
}

/// Read access to a JSON tree, as the store's facts and the access rules need it: one code
/// reads a generated resource ([`Json`]) and a loaded one (`serde_json::Value`).
pub trait Node: Sized {
    /// Appends its compact JSON text to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
    /// The member `key` of an object.
    fn member(&self, key: &str) -> Option<&Self>;
    /// The string it is.
    fn string(&self) -> Option<&str>;
    /// The items of an array.
    fn array(&self) -> Option<&[Self]>;
    /// The items of an array; none for anything else.
    fn items(&self) -> &[Self] {
        self.array().unwrap_or(&[])
    }
    /// The boolean it is.
    fn boolean(&self) -> Option<bool>;
    /// Calls `f` with each member of an object, in order; `false` when it is not one.
    fn each_member(&self, f: &mut dyn FnMut(&str, &Self)) -> bool;
}

impl Node for Value {
    fn write_json(&self, out: &mut Vec<u8>) {
        // `to_writer` into bytes: `Value`'s `Display` goes through the formatting machinery
        // token by token, twice as slow. Writing into a `Vec` cannot fail.
        let _ = serde_json::to_writer(&mut *out, self);
    }
    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn string(&self) -> Option<&str> {
        self.as_str()
    }
    fn array(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn each_member(&self, f: &mut dyn FnMut(&str, &Self)) -> bool {
        let Some(members) = self.as_object() else {
            return false;
        };
        members.iter().for_each(|(k, v)| f(k, v));
        true
    }
}

impl Node for Json {
    fn write_json(&self, out: &mut Vec<u8>) {
        self.write(out);
    }
    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn string(&self) -> Option<&str> {
        self.as_str()
    }
    fn array(&self) -> Option<&[Self]> {
        self.as_array()
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            Json::Shared(shared) => shared.tree.boolean(),
            _ => None,
        }
    }
    fn each_member(&self, f: &mut dyn FnMut(&str, &Self)) -> bool {
        match self {
            Json::Object(members) => {
                members.iter().for_each(|(k, v)| f(k, v));
                true
            }
            Json::Shared(shared) => shared.tree.each_member(f),
            _ => false,
        }
    }
}

impl Json {
    /// Appends its JSON text to `out`: the text `serde_json` writes for the same `Value`
    /// (compact, same escapes, same numbers). Written here rather than through serde: a
    /// generated resource is mostly constant strings that need no escaping, and serde's
    /// byte-by-byte escaping was a fifth of the generation.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            // `Value::from(f64)` is null when not finite: the same here.
            Json::Float(x) if x.is_finite() => {
                out.extend_from_slice(ryu::Buffer::new().format_finite(*x).as_bytes());
            }
            Json::Float(_) => out.extend_from_slice(b"null"),
            Json::Str(s) => write_str(s, out),
            Json::Array(items) => write_array(items, out, Json::write),
            Json::Object(members) => write_members(members, out),
            Json::Shared(shared) => out.extend_from_slice(&shared.text),
        }
    }
}

/// `{…}` of a generated object. Its keys are the generator's literals, FHIR element names
/// with nothing to escape: copied without the check (a tenth of the writing), which
/// `a_generated_store_is_the_store_of_its_dataset` would catch failing, comparing every
/// generated text with serde_json's.
fn write_members(members: &[(&'static str, Json)], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (key, value)) in members.iter().enumerate() {
        debug_assert!(!needs_escape(key.as_bytes()), "{key}");
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        value.write(out);
    }
    out.push(b'}');
}

/// `[…]`: each item written by `write`.
pub(crate) fn write_array<T>(items: &[T], out: &mut Vec<u8>, write: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(item, out);
    }
    out.push(b']');
}

/// `{…}`: each key escaped as needed, each value written by `write`.
pub(crate) fn write_object<K: AsRef<str>, T>(
    members: &[(K, T)],
    out: &mut Vec<u8>,
    write: impl Fn(&T, &mut Vec<u8>),
) {
    out.push(b'{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(k.as_ref(), out);
        out.push(b':');
        write(v, out);
    }
    out.push(b'}');
}

/// A JSON string: copied as is when nothing in it needs escaping, else escaped by
/// serde_json.
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    if needs_escape(s.as_bytes()) {
        // Writing into a `Vec` cannot fail, and a `str` always serializes.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether a byte of `bytes` is a control character, `"` or a backslash, checked eight bytes at a
/// time: most strings written are short (keys, codes, URLs), and a loop per byte spent
/// more on its tail than on the check itself.
fn needs_escape(bytes: &[u8]) -> bool {
    let word = |chunk: &[u8]| {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    if bytes.len() >= 8 {
        // The words, the last one overlapping the one before when the length is not a
        // multiple of eight (no copy of a tail).
        let last = &bytes[bytes.len() - 8..];
        bytes.chunks_exact(8).any(|c| has_escape(word(c))) || has_escape(word(last))
    } else {
        // Shifted in from the last byte, over a padding that needs no escape: copying a
        // short tail into a padded word cost a call and a stalled load.
        let padded = bytes
            .iter()
            .rev()
            .fold(u64::from_le_bytes([b'a'; 8]), |w, &b| {
                (w << 8) | u64::from(b)
            });
        has_escape(padded)
    }
}

/// Whether a byte of `word` is below 0x20, `"` or a backslash (the classic "has a byte less than
/// n" and "has a zero byte" tests: a borrow may mark a byte wrongly only above one that
/// truly matches, so the answer is exact).
fn has_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let equal = |x: u64, b: u8| below(x ^ (ONES * u64::from(b)), 1);
    (below(word, 0x20) | equal(word, b'"') | equal(word, b'\\')) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_the_same_value_would_be() {
        let mut j = Json::Object(vec![
            ("a", Json::Str("é\"\n\u{1}".into())),
            ("n", Json::Int(-3)),
            ("x", Json::Float(12.5)),
            ("inf", Json::Float(f64::INFINITY)),
            ("l", Json::Array(vec![Json::Null, Json::Bool(true)])),
            ("o", Json::Object(vec![])),
        ]);
        j.set("n", Json::Int(7));
        j.set("z", Json::Str("last".into()));
        let mut text = Vec::new();
        j.write(&mut text);
        let text = String::from_utf8(text).expect("UTF-8");
        assert_eq!(text, j.to_value().to_string());
        assert_eq!(
            text,
            r#"{"a":"é\"\n\u0001","n":7,"x":12.5,"inf":null,"l":[null,true],"o":{},"z":"last"}"#
        );
        assert_eq!(j.get("z").and_then(Json::as_str), Some("last"));
        assert_eq!(
            j.get("l").and_then(Json::as_array).map(<[Json]>::len),
            Some(2)
        );
        assert_eq!(Json::Null.get("a"), None);
    }

    #[test]
    fn a_string_is_escaped_exactly_when_serde_json_would() {
        let specials = [
            "\"", "\\", "\u{0}", "\n", "\u{1f}", " ", "~", "\u{7f}", "é", "€", "🦀", "a",
        ];
        for len in 0..20 {
            for at in 0..=len {
                for special in specials {
                    let s: String = "x".repeat(at) + special + &"y".repeat(len - at);
                    let mut out = Vec::new();
                    write_str(&s, &mut out);
                    let expected = serde_json::to_string(&s).expect("a str serializes");
                    assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
                }
            }
        }
        for byte in 0..=0x7f_u8 {
            let s = (byte as char).to_string().repeat(9);
            let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
            assert_eq!(needs_escape(s.as_bytes()), expected, "{byte:#x}");
        }
    }
}
