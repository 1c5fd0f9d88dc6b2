//! A Bundle read for what paging and the `bundle` check need only (its type, total, links,
//! and the search mode, type and id of each entry), skipping the resources' contents: a
//! page of 200 offers is a megabyte that a full parse would turn into a tree of a hundred
//! thousand values, only to read a few strings from each.
//!
//! Each reader turns it into what it reads on the parsed body (tests there check they
//! agree). Bodies this reader does not take (duplicate keys, entries that are not objects,
//! not JSON at all) give `None`, and the caller reads them the full way.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// What a Bundle says, its resources' contents skipped.
#[derive(Default)]
pub(crate) struct Outline {
    /// Its `resourceType`, whatever it is.
    pub resource_type: Value,
    /// `Bundle.type`.
    pub bundle_type: Value,
    /// `Bundle.total`.
    pub total: Value,
    /// `Bundle.link`.
    pub link: Value,
    /// `Bundle.entry`: its items when it is an array, none otherwise (as `as_array()`).
    pub entry: Entries,
}

/// `Bundle.entry`: its items when it is an array, none otherwise (as `as_array()`).
#[derive(Default)]
pub(crate) struct Entries(pub Vec<Entry>);

/// One entry, as far as it is read.
#[derive(Default)]
pub(crate) struct Entry {
    /// `entry.search`.
    pub search: Value,
    /// `entry.resource`.
    pub resource: Resource,
}

/// An entry's resource: absent, not an object, or its type and id.
#[derive(Default)]
pub(crate) enum Resource {
    #[default]
    Absent,
    NotAnObject,
    Object {
        /// Its `resourceType`, whatever it is.
        resource_type: Value,
        /// Its `id`, whatever it is.
        id: Value,
    },
}

impl Entry {
    /// `search.mode` when a string.
    pub fn mode(&self) -> Option<&str> {
        self.search["mode"].as_str()
    }
}

impl Resource {
    /// `Type/id`, as `rorcheck_conformance::label` gives it of the parsed resource; none
    /// when the entry has no resource.
    pub fn label(&self) -> Option<String> {
        match self {
            Resource::Absent => None,
            Resource::NotAnObject => Some("?/?".to_owned()),
            Resource::Object { resource_type, id } => Some(format!(
                "{}/{}",
                resource_type.as_str().unwrap_or("?"),
                id.as_str().unwrap_or("?")
            )),
        }
    }

    /// Its `resourceType` when a string.
    pub fn resource_type(&self) -> Option<&str> {
        match self {
            Resource::Object { resource_type, .. } => resource_type.as_str(),
            _ => None,
        }
    }
}

/// What a page says, read for paging.
#[derive(Debug, PartialEq)]
pub(crate) struct PageShape {
    /// Its `resourceType`, whatever it is.
    pub resource_type: Value,
    /// `Type/id` of each entry in search mode `match` (or none), in order.
    pub matches: Vec<String>,
    /// `Bundle.total`, when a whole number.
    pub total: Option<u64>,
    /// The `next` link's URL.
    pub next: Option<String>,
}

impl PageShape {
    /// The page read from its parsed body (the full way).
    pub(crate) fn of_value(body: &Value) -> PageShape {
        PageShape {
            resource_type: body["resourceType"].clone(),
            matches: body["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| is_match(&e["search"]))
                .filter_map(|e| e.get("resource"))
                .map(rorcheck_conformance::label)
                .collect(),
            total: body["total"].as_u64(),
            next: next_link(&body["link"]),
        }
    }
}

/// Whether an entry's `search` makes it a match (no mode says so too).
fn is_match(search: &Value) -> bool {
    search["mode"].as_str().is_none_or(|m| m == "match")
}

/// The URL of the `next` link among a Bundle's `link`s.
fn next_link(links: &Value) -> Option<String> {
    links
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["relation"] == "next")
        .and_then(|l| l["url"].as_str())
        .map(str::to_owned)
}

/// Reads `body` as a Bundle's outline, or `None` when it must be read the full way.
pub(crate) fn outline(body: &[u8]) -> Option<Outline> {
    serde_json::from_slice(body).ok()
}

/// Reads `body` as a page, or `None` when it must be read the full way.
pub(crate) fn read(body: &[u8]) -> Option<PageShape> {
    let page = outline(body)?;
    let matches = page
        .entry
        .0
        .into_iter()
        .filter(|e| is_match(&e.search))
        .filter_map(|e| e.resource.label())
        .collect();
    Some(PageShape {
        resource_type: page.resource_type,
        matches,
        total: page.total.as_u64(),
        next: next_link(&page.link),
    })
}

/// The `next` link of a Bundle whose `link` comes before its `entry` (as servers write
/// them), read without going further: what the next page can be asked for on while this
/// one is read. `None` when the entries come first, or nothing like a Bundle's links is
/// found before them. A guess, for the page's reading to confirm.
pub(crate) fn early_next(body: &[u8]) -> Option<String> {
    let mut found = None;
    // Stopping at the links leaves the rest unread, which the deserializer then calls an
    // error: what was found by then is the answer.
    let _ = EarlyNext(&mut found).deserialize(&mut serde_json::Deserializer::from_slice(body));
    found
}

/// Reads a Bundle's members up to its `link` (kept in `.0`) or its `entry`.
struct EarlyNext<'a>(&'a mut Option<String>);

impl<'de> DeserializeSeed<'de> for EarlyNext<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EarlyNext<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "link" => {
                    *self.0 = next_link(&map.next_value::<Value>()?);
                    return Ok(());
                }
                "entry" => return Ok(()),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Takes a JSON object only (a derived reader would also take an array, field by field),
/// and gives up on a field it reads seen twice (the full reader keeps the last one). Only
/// the few fields read are remembered: an object of a hundred thousand keys costs linear
/// time, not quadratic.
fn object<'de, A: MapAccess<'de>>(
    mut map: A,
    mut field: impl FnMut(&str, &mut A) -> Result<bool, A::Error>,
) -> Result<(), A::Error> {
    let mut read: Vec<String> = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        if read.contains(&key) {
            return Err(de::Error::custom(format!("duplicate key `{key}`")));
        }
        if field(&key, &mut map)? {
            read.push(key);
        } else {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Outline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutlineVisitor;
        impl<'de> Visitor<'de> for OutlineVisitor {
            type Value = Outline;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Outline, A::Error> {
                let mut page = Outline::default();
                object(map, |key, map| {
                    match key {
                        "resourceType" => page.resource_type = map.next_value()?,
                        "type" => page.bundle_type = map.next_value()?,
                        "total" => page.total = map.next_value()?,
                        "link" => page.link = map.next_value()?,
                        "entry" => page.entry = map.next_value()?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                Ok(page)
            }
        }
        deserializer.deserialize_map(OutlineVisitor)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                let mut entry = Entry::default();
                object(map, |key, map| {
                    match key {
                        "search" => entry.search = map.next_value()?,
                        "resource" => entry.resource = map.next_value()?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                Ok(entry)
            }
        }
        deserializer.deserialize_map(EntryVisitor)
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = seq.next_element()? {
            entries.push(entry);
        }
        Ok(Entries(entries))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Entries::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Entries, E> {
        Ok(Entries::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Entries, E> {
        Ok(Entries::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Entries, E> {
        Ok(Entries::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Entries, E> {
        Ok(Entries::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Entries, E> {
        Ok(Entries::default())
    }

    fn visit_unit<E>(self) -> Result<Entries, E> {
        Ok(Entries::default())
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ResourceVisitor)
    }
}

struct ResourceVisitor;

impl ResourceVisitor {
    /// A resource that is not an object.
    fn unlabelled() -> Resource {
        Resource::NotAnObject
    }
}

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = Resource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource, A::Error> {
        // As a parsed object would: the last of duplicate keys counts.
        let (mut ty, mut id) = (Value::Null, Value::Null);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ResourceType => ty = map.next_value()?,
                Key::Id => id = map.next_value()?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Resource::Object {
            resource_type: ty,
            id,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Resource, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::unlabelled())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }

    fn visit_unit<E>(self) -> Result<Resource, E> {
        Ok(Self::unlabelled())
    }
}

/// The keys of a resource that its label needs (read without allocating).
enum Key {
    ResourceType,
    Id,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "resourceType" => Key::ResourceType,
            "id" => Key::Id,
            _ => Key::Other,
        })
    }
}

/// A searchset page of the first `count` committed offers, every `include_every`-th entry
/// in search mode `include`, with `self` and `next` links (for the readers' tests).
#[cfg(test)]
pub(crate) fn fixture_page(count: usize, include_every: usize) -> String {
    let offers = include_str!("../../../fixtures/dataset/HealthcareService.ndjson");
    let entries: Vec<String> = offers
        .lines()
        .take(count)
        .enumerate()
        .map(|(i, r)| {
            let mode = if (i + 1) % include_every == 0 {
                "include"
            } else {
                "match"
            };
            format!(r#"{{"fullUrl":"x","resource":{r},"search":{{"mode":"{mode}"}}}}"#)
        })
        .collect();
    format!(
        r#"{{"resourceType":"Bundle","type":"searchset","total":1234,"link":[{{"relation":"self","url":"s"}},{{"relation":"next","url":"n?page=2"}}],"entry":[{}]}}"#,
        entries.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page read both ways: this reader's answer (when it takes the body) must be the
    /// full reader's.
    fn agree(body: &str) -> bool {
        let full = serde_json::from_str::<Value>(body).map(|v| PageShape::of_value(&v));
        match read(body.as_bytes()) {
            None => false,
            Some(fast) => {
                assert_eq!(Some(fast), full.ok(), "{body}");
                true
            }
        }
    }

    #[test]
    fn pages_read_for_paging_say_what_the_parsed_page_says() {
        let page = fixture_page(20, 5);
        assert!(agree(&page));
        for taken in [
            r#"{"resourceType":"Bundle"}"#,
            r#"{"resourceType":"Bundle","entry":{"not":"an array"},"total":-3}"#,
            r#"{"resourceType":"Bundle","entry":[{"resource":null},{"resource":[1]},{"search":{"mode":"match"}}]}"#,
            r#"{"resourceType":"Bundle","entry":[{"resource":{"id":1,"resourceType":"Patient","id":"p2"}}]}"#,
            r#"{"resourceType":"Bundle","link":[{"relation":"next"},{"relation":"next","url":"b"}]}"#,
            r#"{"resourceType":"OperationOutcome","issue":[]}"#,
            r#"{"resourceType":"Bundle","x":1,"x":2,"entry":[{"fullUrl":"a","fullUrl":"b","resource":{"resourceType":"Patient","id":"p"}}]}"#,
            r#"{"resourceType":7}"#,
            r#"{}"#,
        ] {
            assert!(agree(taken), "{taken}");
        }
        // Left to the full reader, which says what is wrong with them.
        for refused in [
            "not json",
            "[1, 2]",
            r#"{"resourceType":"Bundle","entry":[1]}"#,
            r#"{"resourceType":"Bundle","entry":[],"entry":[]}"#,
            r#"{"resourceType":"Bundle","entry":[["match",{"resourceType":"Patient","id":"p"}]]}"#,
            r#"{"resourceType":"Bundle"} trailing"#,
        ] {
            assert!(!agree(refused), "{refused}");
        }
    }

    #[test]
    fn the_next_link_is_seen_early_only_before_the_entries() {
        let next = r#"[{"relation":"self","url":"s"},{"relation":"next","url":"n?p=2"}]"#;
        let cases = [
            // As servers write a page: read up to the links, the rest left unread.
            (
                format!(r#"{{"resourceType":"Bundle","total":3,"link":{next},"entry":[{{"#),
                Some("n?p=2"),
            ),
            (
                format!(r#"{{"meta":{{"a":[1,{{"b":"\""}}]}},"link":{next}}}"#),
                Some("n?p=2"),
            ),
            // Entries first: nothing is guessed, the page is read before the next is asked.
            (format!(r#"{{"entry":[],"link":{next}}}"#), None),
            (
                r#"{"link":[{"relation":"self","url":"s"}],"entry":[]}"#.to_owned(),
                None,
            ),
            (r#"{"link":{"relation":"next","url":"n"}}"#.to_owned(), None),
            (format!(r#"[{{"link":{next}}}]"#), None),
            (r#"<html>"#.to_owned(), None),
            (String::new(), None),
        ];
        for (body, expected) in cases {
            assert_eq!(early_next(body.as_bytes()).as_deref(), expected, "{body}");
        }
    }
}
