//! What each ROR access profile may see (reference §5 and the IG 0.6.0 mapping comments):
//! profile 1 sees all; 0 public telecoms and contacts only, no sensitive unit, no capacity or
//! equipment, the roles of ambulatory offers only; 2 and 5 no "very restricted" contact and no
//! role of a sensitive unit, 5 installed capacities only; 3 as 2, with offer contacts and
//! roles split by field (medico-social or not); 4 no contact. The ORSAN level and the drop
//! zone are for profile 1 only. What is not split yet is in docs/mock.md.
//!
//! Levels sit where IG 0.6.0 puts them: `ror-telecom-confidentiality-level` on each
//! ContactPoint and inside each `ror-healthcareservice-contact-telecom`,
//! `ror-confidentiality-level` inside each `ror-healthcareservice-contact`,
//! `ror-contact-confidentiality-level` on each `Organization.contact`. A contact that may be
//! seen keeps only the telecoms that may be seen too.

use crate::dataset::{Node, write_str};
use serde_json::Value;

/// TRE_R283 code of a telecom or contact, "1" public, "2" restricted, "3" very restricted.
fn confidentiality(item: &impl Node) -> Option<&str> {
    item.member("extension")?.array()?.iter().find_map(|e| {
        let url = e.member("url")?.string()?;
        if url.ends_with("confidentiality-level") {
            first_code(e)
        } else {
            None
        }
    })
}

/// `valueCodeableConcept.coding[0].code` of an extension.
fn first_code(e: &impl Node) -> Option<&str> {
    e.member("valueCodeableConcept")?
        .member("coding")?
        .items()
        .first()?
        .member("code")?
        .string()
}

const OFFER_CONTACT: &str = "/ror-healthcareservice-contact";
const OFFER_CONTACT_TELECOM: &str = "/ror-healthcareservice-contact-telecom";

fn is_extension(e: &impl Node, suffix: &str) -> bool {
    e.member("url")
        .and_then(Node::string)
        .is_some_and(|u| u.ends_with(suffix))
}

fn allowed(profile: u8, level: Option<&str>) -> bool {
    match profile {
        1 => true,
        0 => level == Some("1"),
        4 => false,
        _ => level != Some("3"),
    }
}

/// Whether a HealthcareService is a sensitive unit (hidden from access profile 0).
pub fn is_sensitive_unit(resource: &impl Node) -> bool {
    let extensions = resource.member("extension").map_or(&[][..], Node::items);
    extensions.iter().any(|e| {
        e.member("url")
            .and_then(Node::string)
            .is_some_and(|u| u.ends_with("/ror-healthcareservice-sensitive-unit"))
            && e.member("valueBoolean").and_then(Node::boolean) == Some(true)
    })
}

/// What the access rules need to know of the offers a resource serves: its own offer for a
/// PractitionerRole, the offers delivered there for a Location (`Store` computes it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offers {
    /// Every such offer is a sensitive unit (and there is one).
    pub sensitive: bool,
    /// One of them is medico-social (TRE_R227 `04`).
    pub medico_social: bool,
    /// One of them is ambulatory care in town (TRE_R227 `05`, "Ville").
    pub ambulatory: bool,
}

/// TRE_R227 code of an offer's field (champ d'activité).
pub(crate) fn field(offer: &impl Node) -> Option<&str> {
    let kind = offer.member("type")?.items().first()?;
    kind.member("coding")?
        .items()
        .first()?
        .member("code")?
        .string()
}

/// Whether this profile may not see the resource at all (cheap: no copy). IG 0.6.0 mapping:
/// a sensitive unit is hidden from profile 0; a Location of sensitive units only from
/// profiles 0, 2, 3 and 5; a PractitionerRole from profile 0 unless its offer is ambulatory,
/// from 2 and 5 when its offer is sensitive, from 3 unless medico-social or ambulatory.
pub fn is_hidden(resource: &Value, profile: u8, offers: &Offers) -> bool {
    let ty = resource["resourceType"].as_str().unwrap_or_default();
    let sensitive_unit = ty == "HealthcareService" && is_sensitive_unit(resource);
    is_hidden_by_facts(ty, sensitive_unit, profile, offers)
}

/// [`is_hidden`] from what the store knows without reading the resource: its type, whether
/// it is a sensitive unit, the offers it serves.
pub fn is_hidden_by_facts(
    resource_type: &str,
    sensitive_unit: bool,
    profile: u8,
    offers: &Offers,
) -> bool {
    match resource_type {
        "HealthcareService" => profile == 0 && sensitive_unit,
        "Location" => matches!(profile, 0 | 2 | 3 | 5) && offers.sensitive,
        // An anomaly on a sensitive unit would reveal the offer to whom it is hidden.
        "Task" => profile == 0 && offers.sensitive,
        "PractitionerRole" => match profile {
            0 => offers.sensitive || !offers.ambulatory,
            2 | 5 => offers.sensitive,
            3 => offers.sensitive || !(offers.medico_social || offers.ambulatory),
            _ => false,
        },
        _ => false,
    }
}

/// Extensions only profile 1 sees (ORSAN level, drop zone).
const PROFILE_1_ONLY: &[&str] = &[
    "/ror-organization-level-recours-orsan",
    "/ror-organization-drop-zone",
];

/// TRE_R330 status of a capacity: `01` installed, `06` additional.
fn capacity_status(capacity: &impl Node) -> Option<&str> {
    capacity.member("extension")?.array()?.iter().find_map(|e| {
        (e.member("url").and_then(Node::string) == Some("capacityStatus"))
            .then(|| first_code(e))
            .flatten()
    })
}

/// Capacities and equipment of a Location for a profile (reference §5): profiles 1 and 4
/// see all; 2 all but additional capacities; 3 the same at medico-social places only;
/// 5 installed capacities and the equipment; 0 neither.
fn keep_location_extension(e: &impl Node, profile: u8, offers: &Offers) -> bool {
    let capacity = is_extension(e, "/ror-location-supported-capacity");
    let equipment = is_extension(e, "/ror-location-equipment");
    if !capacity && !equipment {
        return true;
    }
    match profile {
        1 | 4 => true,
        0 => false,
        3 if !offers.medico_social => false,
        5 if capacity => capacity_status(e) == Some("01"),
        _ if capacity => capacity_status(e) != Some("06"),
        _ => true,
    }
}

/// The resource as this profile may see it, or `None` if it must not be returned at all.
pub fn visible(resource: &Value, profile: u8, offers: &Offers) -> Option<Value> {
    if is_hidden(resource, profile, offers) {
        return None;
    }
    let mut text = Vec::new();
    write_visible(resource, profile, offers, &mut text);
    // What `write_visible` wrote from a `Value` reads back.
    Some(serde_json::from_slice(&text).unwrap_or(Value::Null))
}

/// Writes the JSON text of the resource without what `profile` may not see (whether it may
/// see the resource at all is the caller's check: [`is_hidden`]). Written, not cut in
/// place: what is kept is copied from the resource as it is, whatever tree holds it.
pub fn write_visible<N: Node>(r: &N, profile: u8, offers: &Offers, out: &mut Vec<u8>) {
    // Profile 3 sees the contacts of a sanitary or ambulatory offer when public only, of a
    // medico-social one when public or restricted.
    let offer_profile = match (profile, field(r)) {
        (3, Some(f)) if f != "04" => 0,
        (p, _) => p,
    };
    let see = |item: &N| allowed(profile, confidentiality(item));
    let see_offer = |item: &N| allowed(offer_profile, confidentiality(item));
    let keep_extension = |e: &N| {
        (!is_extension(e, OFFER_CONTACT) || see_offer(e))
            && (profile == 1 || !PROFILE_1_ONLY.iter().any(|u| is_extension(e, u)))
            && keep_location_extension(e, profile, offers)
    };
    let mut first = true;
    let object = r.each_member(&mut |key, value| {
        open_member(key, &mut first, out);
        match key {
            "telecom" => write_kept(value, &see, out, |t, out| t.write_json(out)),
            "extension" => write_kept(value, &keep_extension, out, |e, out| {
                if is_extension(e, OFFER_CONTACT) {
                    write_with_kept(e, "extension", out, &|p: &N| {
                        !is_extension(p, OFFER_CONTACT_TELECOM) || see_offer(p)
                    });
                } else {
                    e.write_json(out);
                }
            }),
            "contact" => write_kept(value, &see, out, |c, out| {
                write_with_kept(c, "telecom", out, &see);
            }),
            _ => value.write_json(out),
        }
    });
    if object {
        close_object(first, out);
    } else {
        // Not an object: nothing to take out.
        r.write_json(out);
    }
}

/// Opens an object at its first member (`{`), else separates (`,`), then writes the key.
fn open_member(key: &str, first: &mut bool, out: &mut Vec<u8>) {
    out.push(if std::mem::take(first) { b'{' } else { b',' });
    write_str(key, out);
    out.push(b':');
}

/// Closes an object (`{}` when it had no member).
fn close_object(empty: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if empty { b"{}" } else { b"}" });
}

/// Writes the items of an array that `keep` keeps, each with `write`; anything else as is.
fn write_kept<N: Node>(
    value: &N,
    keep: &dyn Fn(&N) -> bool,
    out: &mut Vec<u8>,
    write: impl Fn(&N, &mut Vec<u8>),
) {
    let Some(items) = value.array() else {
        value.write_json(out);
        return;
    };
    out.push(b'[');
    let mut first = true;
    for item in items.iter().filter(|item| keep(item)) {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        write(item, out);
    }
    out.push(b']');
}

/// Writes an object with only the items of its array `member` that `keep` keeps.
fn write_with_kept<N: Node>(
    object: &N,
    member: &str,
    out: &mut Vec<u8>,
    keep: &dyn Fn(&N) -> bool,
) {
    let mut first = true;
    let is_object = object.each_member(&mut |key, value| {
        open_member(key, &mut first, out);
        if key == member {
            write_kept(value, keep, out, |item, out| item.write_json(out));
        } else {
            value.write_json(out);
        }
    });
    if is_object {
        close_object(first, out);
    } else {
        object.write_json(out);
    }
}

/// A resource cut down to the `_elements` asked for (plus `resourceType`, `id`, `meta`),
/// marked `SUBSETTED` as FHIR requires.
pub fn subset(mut resource: Value, elements: &[String]) -> Value {
    if let Some(obj) = resource.as_object_mut() {
        obj.retain(|k, _| {
            matches!(k.as_str(), "resourceType" | "id" | "meta") || elements.iter().any(|e| e == k)
        });
        let tag = serde_json::json!({
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "SUBSETTED"
        });
        let meta = obj.entry("meta").or_insert_with(|| serde_json::json!({}));
        if let Some(meta) = meta.as_object_mut() {
            let tags = meta
                .entry("tag")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(tags) = tags.as_array_mut() {
                tags.push(tag);
            }
        }
    }
    resource
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The oracle: how the access rules were applied before they were written, on a
    /// `Value` cut in place (kept here to check the writer against).
    mod in_place {
        use super::super::{
            OFFER_CONTACT, OFFER_CONTACT_TELECOM, Offers, PROFILE_1_ONLY, allowed, field,
        };
        use serde_json::Value;

        /// TRE_R283 code of a telecom or contact, "1" public, "2" restricted, "3" very restricted.
        fn confidentiality_in_place(item: &Value) -> Option<String> {
            item["extension"].as_array()?.iter().find_map(|e| {
                let url = e["url"].as_str()?;
                if url.ends_with("confidentiality-level") {
                    e.pointer("/valueCodeableConcept/coding/0/code")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                } else {
                    None
                }
            })
        }

        fn is_extension_in_place(e: &Value, suffix: &str) -> bool {
            e["url"].as_str().is_some_and(|u| u.ends_with(suffix))
        }

        /// TRE_R330 status of a capacity: `01` installed, `06` additional.
        fn capacity_status_in_place(capacity: &Value) -> Option<&str> {
            capacity["extension"].as_array()?.iter().find_map(|e| {
                (e["url"] == "capacityStatus")
                    .then(|| e.pointer("/valueCodeableConcept/coding/0/code"))
                    .flatten()
                    .and_then(Value::as_str)
            })
        }

        /// Capacities and equipment of a Location for a profile (reference §5): profiles 1 and 4
        /// see all; 2 all but additional capacities; 3 the same at medico-social places only;
        /// 5 installed capacities and the equipment; 0 neither.
        fn keep_location_extension_in_place(e: &Value, profile: u8, offers: &Offers) -> bool {
            let capacity = is_extension_in_place(e, "/ror-location-supported-capacity");
            let equipment = is_extension_in_place(e, "/ror-location-equipment");
            if !capacity && !equipment {
                return true;
            }
            match profile {
                1 | 4 => true,
                0 => false,
                3 if !offers.medico_social => false,
                5 if capacity => capacity_status_in_place(e) == Some("01"),
                _ if capacity => capacity_status_in_place(e) != Some("06"),
                _ => true,
            }
        }

        /// The resource with what `profile` may not see taken out, in place (whether it may see
        /// the resource at all is the caller's check: [`is_hidden`]).
        pub(super) fn cut_for(mut r: Value, profile: u8, offers: &Offers) -> Value {
            // Profile 3 sees the contacts of a sanitary or ambulatory offer when public only, of a
            // medico-social one when public or restricted.
            let offer_profile = match (profile, field(&r)) {
                (3, Some(f)) if f != "04" => 0,
                (p, _) => p,
            };
            let see = |item: &Value| allowed(profile, confidentiality_in_place(item).as_deref());
            let see_offer =
                |item: &Value| allowed(offer_profile, confidentiality_in_place(item).as_deref());
            if let Some(telecoms) = r.get_mut("telecom").and_then(Value::as_array_mut) {
                telecoms.retain(see);
            }
            if let Some(exts) = r.get_mut("extension").and_then(Value::as_array_mut) {
                exts.retain(|e| !is_extension_in_place(e, OFFER_CONTACT) || see_offer(e));
                for contact in exts
                    .iter_mut()
                    .filter(|e| is_extension_in_place(e, OFFER_CONTACT))
                {
                    if let Some(parts) = contact.get_mut("extension").and_then(Value::as_array_mut)
                    {
                        parts.retain(|p| {
                            !is_extension_in_place(p, OFFER_CONTACT_TELECOM) || see_offer(p)
                        });
                    }
                }
                if profile != 1 {
                    exts.retain(|e| !PROFILE_1_ONLY.iter().any(|u| is_extension_in_place(e, u)));
                }
                exts.retain(|e| keep_location_extension_in_place(e, profile, offers));
            }
            if let Some(contacts) = r.get_mut("contact").and_then(Value::as_array_mut) {
                contacts.retain(see);
                for contact in contacts.iter_mut() {
                    if let Some(telecoms) = contact.get_mut("telecom").and_then(Value::as_array_mut)
                    {
                        telecoms.retain(see);
                    }
                }
            }
            r
        }
    }

    fn tel(level: &str) -> Value {
        json!({"value": level, "extension": [{"url": "x/ror-telecom-confidentiality-level",
               "valueCodeableConcept": {"coding": [{"code": level}]}}]})
    }

    #[test]
    fn each_profile_sees_what_the_policy_allows() {
        let org =
            json!({"resourceType": "Organization", "telecom": [tel("1"), tel("2"), tel("3")]});
        let count = |p| {
            visible(&org, p, &Offers::default()).expect("visible")["telecom"]
                .as_array()
                .map_or(0, Vec::len)
        };
        assert_eq!(count(0), 1);
        assert_eq!(count(1), 3);
        assert_eq!(count(2), 2);
        assert_eq!(count(4), 0);
        let hs = json!({"resourceType": "HealthcareService", "extension": [
            {"url": "x/ror-healthcareservice-sensitive-unit", "valueBoolean": true}]});
        assert!(visible(&hs, 0, &Offers::default()).is_none());
        assert!(visible(&hs, 1, &Offers::default()).is_some());
    }

    /// What each tree writes for `profile`, and what the in-place cut gave.
    fn written_and_expected(resource: &Value, profile: u8, offers: &Offers) -> [String; 3] {
        let text = resource.to_string();
        let borrowed = crate::dataset::Borrowed::parse(&text).expect("JSON");
        let mut from_value = Vec::new();
        write_visible(resource, profile, offers, &mut from_value);
        let mut from_borrowed = Vec::new();
        write_visible(&borrowed, profile, offers, &mut from_borrowed);
        [
            String::from_utf8(from_value).expect("UTF-8"),
            String::from_utf8(from_borrowed).expect("UTF-8"),
            in_place::cut_for(resource.clone(), profile, offers).to_string(),
        ]
    }

    fn assert_written_as_cut(resource: &Value) {
        for profile in 0..=6 {
            for medico_social in [false, true] {
                let offers = Offers {
                    medico_social,
                    ..Offers::default()
                };
                let [value, borrowed, expected] = written_and_expected(resource, profile, &offers);
                assert_eq!(value, expected, "profile {profile}: {resource}");
                assert_eq!(borrowed, expected, "profile {profile}: {resource}");
            }
        }
    }

    #[test]
    fn every_generated_resource_is_written_as_the_in_place_cut_gave_it() {
        let dataset = crate::dataset::Dataset::generate(crate::dataset::GenerateOptions {
            offers: 120,
            ..crate::dataset::GenerateOptions::default()
        });
        let mut changed = 0;
        for resource in &dataset.resources {
            assert_written_as_cut(resource);
            let [seen, ..] = written_and_expected(resource, 0, &Offers::default());
            let seen: Value = serde_json::from_str(&seen).expect("JSON");
            changed += usize::from(seen != *resource);
        }
        // The dataset exercises the rules: many resources lose something for profile 0.
        assert!(changed > 100, "{changed} resources cut for profile 0");
    }

    #[test]
    fn odd_shapes_are_written_as_the_in_place_cut_gave_them() {
        let level = |code: &str| {
            json!({"url": "x/ror-confidentiality-level",
                   "valueCodeableConcept": {"coding": [{"code": code}]}})
        };
        for resource in [
            json!({}),
            json!([1, 2]),
            json!("text"),
            json!({"resourceType": "Organization", "telecom": "not a list", "contact": {}}),
            json!({"resourceType": "Organization", "telecom": [1, null, {}, {"extension": 3}],
                   "contact": [{"telecom": [tel("3"), tel("1")]}, {"telecom": {}}, tel("3"), 7]}),
            json!({"resourceType": "HealthcareService",
                   "type": [{"coding": [{"code": "04"}]}],
                   "extension": [
                       {"url": "x/ror-healthcareservice-contact", "extension": [
                           level("2"),
                           {"url": "x/ror-healthcareservice-contact-telecom", "extension": [level("3")]},
                           {"url": "x/ror-healthcareservice-contact-telecom", "extension": [level("1")]}]},
                       {"url": "x/ror-healthcareservice-contact", "extension": "odd"},
                       {"url": "x/ror-healthcareservice-contact", "extension": [level("3")]},
                       {"url": "x/ror-organization-drop-zone"},
                       {"url": "x/ror-location-equipment"},
                       {"url": "x/ror-location-supported-capacity", "extension": [
                           {"url": "capacityStatus", "valueCodeableConcept": {"coding": [{"code": "06"}]}}]},
                       {"url": "x/ror-location-supported-capacity", "extension": [
                           {"url": "capacityStatus", "valueCodeableConcept": {"coding": [{"code": "01"}]}}]},
                       {"url": 5}, "not an extension", {}]}),
            // A sanitary offer: profile 3 sees its contacts as profile 0 does.
            json!({"resourceType": "HealthcareService",
                   "type": [{"coding": [{"code": "01"}]}],
                   "extension": [
                       {"url": "x/ror-healthcareservice-contact", "extension": [
                           level("1"),
                           {"url": "x/ror-healthcareservice-contact-telecom", "extension": [level("2")]},
                           {"url": "x/ror-healthcareservice-contact-telecom", "extension": [level("1")]}]},
                       {"url": "x/ror-healthcareservice-contact", "extension": [level("2")]}]}),
        ] {
            assert_written_as_cut(&resource);
        }
    }
}
