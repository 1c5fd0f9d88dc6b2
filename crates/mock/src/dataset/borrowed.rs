//! `Borrowed`: a stored resource read back from its text without copying its strings
//! (`rorcheck_json::Tree`, which the conformance rules read too).
//!
//! Serving a resource to an access profile other than 1 means reading its stored text and
//! writing it again without what that profile may not see. Read into a `serde_json::Value`,
//! every key and string is allocated and every key hashed into an ordered map: three times
//! the cost of this tree, whose strings borrow from the text (a string with an escape is
//! the only copy) and whose objects are lists. Its text ([`Node::write_json`]) is the one a
//! `Value` of the same text gives: same order, same escapes, same numbers.

use super::json::{Node, write_array, write_object, write_str};

/// The workspace's borrowed JSON tree (`rorcheck_json::Tree`), read as the mock's [`Node`].
pub(crate) use rorcheck_json::Tree as Borrowed;

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
    use std::borrow::Cow;

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
