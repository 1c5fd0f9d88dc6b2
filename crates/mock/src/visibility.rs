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

use crate::dataset::Node;
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
fn capacity_status(capacity: &Value) -> Option<&str> {
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
fn keep_location_extension(e: &Value, profile: u8, offers: &Offers) -> bool {
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
    Some(cut_for(resource.clone(), profile, offers))
}

/// The resource with what `profile` may not see taken out, in place (whether it may see
/// the resource at all is the caller's check: [`is_hidden`]).
pub fn cut_for(mut r: Value, profile: u8, offers: &Offers) -> Value {
    // Profile 3 sees the contacts of a sanitary or ambulatory offer when public only, of a
    // medico-social one when public or restricted.
    let offer_profile = match (profile, field(&r)) {
        (3, Some(f)) if f != "04" => 0,
        (p, _) => p,
    };
    let see = |item: &Value| allowed(profile, confidentiality(item).as_deref());
    let see_offer = |item: &Value| allowed(offer_profile, confidentiality(item).as_deref());
    if let Some(telecoms) = r.get_mut("telecom").and_then(Value::as_array_mut) {
        telecoms.retain(see);
    }
    if let Some(exts) = r.get_mut("extension").and_then(Value::as_array_mut) {
        exts.retain(|e| !is_extension(e, OFFER_CONTACT) || see_offer(e));
        for contact in exts.iter_mut().filter(|e| is_extension(e, OFFER_CONTACT)) {
            if let Some(parts) = contact.get_mut("extension").and_then(Value::as_array_mut) {
                parts.retain(|p| !is_extension(p, OFFER_CONTACT_TELECOM) || see_offer(p));
            }
        }
        if profile != 1 {
            exts.retain(|e| !PROFILE_1_ONLY.iter().any(|u| is_extension(e, u)));
        }
        exts.retain(|e| keep_location_extension(e, profile, offers));
    }
    if let Some(contacts) = r.get_mut("contact").and_then(Value::as_array_mut) {
        contacts.retain(see);
        for contact in contacts.iter_mut() {
            if let Some(telecoms) = contact.get_mut("telecom").and_then(Value::as_array_mut) {
                telecoms.retain(see);
            }
        }
    }
    r
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
}
