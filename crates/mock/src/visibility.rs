//! What each ROR access profile may see (reference §5). Implemented exactly: profile 0 sees
//! public telecoms only and no sensitive unit; profile 4 sees no contact; profiles 2, 3 and 5
//! do not see "very restricted" contacts (3 is simplified to 2 for now); profile 1 sees all.
//!
//! Levels sit where IG 0.6.0 puts them: `ror-telecom-confidentiality-level` on each
//! ContactPoint and inside each `ror-healthcareservice-contact-telecom`,
//! `ror-confidentiality-level` inside each `ror-healthcareservice-contact`,
//! `ror-contact-confidentiality-level` on each `Organization.contact`. A contact that may be
//! seen keeps only the telecoms that may be seen too.

use serde_json::Value;

/// TRE_R283 code of a telecom or contact, "1" public, "2" restricted, "3" very restricted.
fn confidentiality(item: &Value) -> Option<String> {
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

const OFFER_CONTACT: &str = "/ror-healthcareservice-contact";
const OFFER_CONTACT_TELECOM: &str = "/ror-healthcareservice-contact-telecom";

fn is_extension(e: &Value, suffix: &str) -> bool {
    e["url"].as_str().is_some_and(|u| u.ends_with(suffix))
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
pub fn is_sensitive_unit(resource: &Value) -> bool {
    resource["extension"].as_array().is_some_and(|exts| {
        exts.iter().any(|e| {
            e["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/ror-healthcareservice-sensitive-unit"))
                && e["valueBoolean"] == Value::Bool(true)
        })
    })
}

/// Whether this profile may not see the resource at all (cheap: no copy).
pub fn is_hidden(resource: &Value, profile: u8) -> bool {
    profile == 0 && resource["resourceType"] == "HealthcareService" && is_sensitive_unit(resource)
}

/// The resource as this profile may see it, or `None` if it must not be returned at all.
pub fn visible(resource: &Value, profile: u8) -> Option<Value> {
    if is_hidden(resource, profile) {
        return None;
    }
    let mut r = resource.clone();
    let see = |item: &Value| allowed(profile, confidentiality(item).as_deref());
    if let Some(telecoms) = r.get_mut("telecom").and_then(Value::as_array_mut) {
        telecoms.retain(see);
    }
    if let Some(exts) = r.get_mut("extension").and_then(Value::as_array_mut) {
        exts.retain(|e| !is_extension(e, OFFER_CONTACT) || see(e));
        for contact in exts.iter_mut().filter(|e| is_extension(e, OFFER_CONTACT)) {
            if let Some(parts) = contact.get_mut("extension").and_then(Value::as_array_mut) {
                parts.retain(|p| !is_extension(p, OFFER_CONTACT_TELECOM) || see(p));
            }
        }
    }
    if let Some(contacts) = r.get_mut("contact").and_then(Value::as_array_mut) {
        contacts.retain(see);
        for contact in contacts.iter_mut() {
            if let Some(telecoms) = contact.get_mut("telecom").and_then(Value::as_array_mut) {
                telecoms.retain(see);
            }
        }
    }
    Some(r)
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

    fn tel(level: &str) -> Value {
        json!({"value": level, "extension": [{"url": "x/ror-telecom-confidentiality-level",
               "valueCodeableConcept": {"coding": [{"code": level}]}}]})
    }

    #[test]
    fn each_profile_sees_what_the_policy_allows() {
        let org =
            json!({"resourceType": "Organization", "telecom": [tel("1"), tel("2"), tel("3")]});
        let count = |p| {
            visible(&org, p).expect("visible")["telecom"]
                .as_array()
                .map_or(0, Vec::len)
        };
        assert_eq!(count(0), 1);
        assert_eq!(count(1), 3);
        assert_eq!(count(2), 2);
        assert_eq!(count(4), 0);
        let hs = json!({"resourceType": "HealthcareService", "extension": [
            {"url": "x/ror-healthcareservice-sensitive-unit", "valueBoolean": true}]});
        assert!(visible(&hs, 0).is_none());
        assert!(visible(&hs, 1).is_some());
    }
}
