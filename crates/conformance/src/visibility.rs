//! Access-profile visibility (reference §5): what a profile may not see must not be in what
//! the server returned to it.
//!
//! Written from the reference, deliberately apart from the mock's own filter
//! (`mock/visibility.rs`): this judges any server, the mock included, and a mistake shared
//! by both would make the mock pass its own check.

use rorcheck_i18n::{Lang, t};
use serde_json::Value;

use super::{Finding, Tree, label, label_of};

const CONFIDENTIALITY: &str = "TRE_R283-NiveauConfidentialite";

/// TRE_R283 codes carried by a contact or telecom ("1" public, "2" restricted, "3" very
/// restricted) that `profile` may not see, with their paths (only those are copied: most
/// levels of a conforming answer are allowed).
fn levels(v: &Tree, path: &str, profile: u8, out: &mut Vec<(String, String)>) {
    super::each_object(v, path, &mut |map, path| {
        if let (Some(Tree::Str(s)), Some(Tree::Str(c))) =
            (super::member(map, "system"), super::member(map, "code"))
            && s.contains(CONFIDENTIALITY)
            && !allowed(profile, c)
        {
            out.push((path.to_owned(), c.to_string()));
        }
    });
}

/// Whether `profile` may see a contact of this confidentiality level.
fn allowed(profile: u8, level: &str) -> bool {
    match profile {
        1 => true,
        0 => level == "1",
        4 => false,
        _ => level != "3",
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

/// Findings on one resource for the run's access profile (none when it is unknown).
pub fn check(resource: &Tree, profile: Option<u8>) -> Vec<Finding> {
    let Some(profile) = profile else {
        return Vec::new();
    };
    let name = label_of(resource);
    let mut found = Vec::new();
    for key in ["telecom", "extension", "contact"] {
        if let Some(v) = resource.get(key) {
            levels(v, key, profile, &mut found);
        }
    }
    let mut out: Vec<Finding> = found
        .into_iter()
        .map(|(path, level)| {
            Finding::error(
                "VIS-01",
                &name,
                &path,
                t!(
                    Lang::current(),
                    "f-confidential-contact",
                    level = level,
                    profile = profile
                ),
            )
        })
        .collect();
    out.extend(restricted_elements(resource, &name, profile));
    if profile != 1 && resource["resourceType"] == "Practitioner" {
        out.push(Finding::warning(
            "VIS-03",
            &name,
            "",
            t!(Lang::current(), "f-practitioner", profile = profile),
        ));
    }
    out
}

/// Extensions of `resource` whose url ends with `suffix`.
fn extensions_named<'t, 'a>(resource: &'t Tree<'a>, suffix: &str) -> Vec<(usize, &'t Tree<'a>)> {
    resource["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, e)| e["url"].as_str().is_some_and(|u| u.ends_with(suffix)))
        .collect()
}

/// Reference §5, element rules: the ORSAN level and the drop zone are for profile 1 only
/// (VIS-05); capacities and equipment are not for profile 0, profile 5 sees installed
/// capacities only, profiles 2 and 3 no additional capacity (VIS-04).
fn restricted_elements(resource: &Tree, name: &str, profile: u8) -> Vec<Finding> {
    let mut out = Vec::new();
    if profile != 1 {
        for suffix in [
            "/ror-organization-level-recours-orsan",
            "/ror-organization-drop-zone",
        ] {
            for (i, _) in extensions_named(resource, suffix) {
                out.push(Finding::error(
                    "VIS-05",
                    name,
                    &format!("extension[{i}]"),
                    t!(
                        Lang::current(),
                        "f-reserved-p1",
                        what = &suffix[1..],
                        profile = profile
                    ),
                ));
            }
        }
    }
    let status = |capacity: &Tree| {
        capacity["extension"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["url"] == "capacityStatus")
            .and_then(|e| e.pointer("/valueCodeableConcept/coding/0/code"))
            .and_then(Tree::as_str)
            .map(str::to_owned)
    };
    for (i, capacity) in extensions_named(resource, "/ror-location-supported-capacity") {
        let code = status(capacity);
        let why = match (profile, code.as_deref()) {
            (0, _) => Some(t!(Lang::current(), "f-cap-p0")),
            (5, c) if c != Some("01") => Some(t!(Lang::current(), "f-cap-p5")),
            (2 | 3, Some("06")) => Some(t!(Lang::current(), "f-cap-p23")),
            _ => None,
        };
        if let Some(why) = why {
            out.push(Finding::error(
                "VIS-04",
                name,
                &format!("extension[{i}]"),
                t!(
                    Lang::current(),
                    "f-cap-served",
                    profile = profile,
                    why = why
                ),
            ));
        }
    }
    if profile == 0 {
        for (i, _) in extensions_named(resource, "/ror-location-equipment") {
            out.push(Finding::error(
                "VIS-04",
                name,
                &format!("extension[{i}]"),
                t!(Lang::current(), "f-equipment-p0"),
            ));
        }
    }
    out
}

/// Bundle-level: the location of a sensitive unit is hidden from profiles 0, 2, 3 and 5.
pub(crate) fn check_bundle(bundle: &Value, profile: Option<u8>) -> Vec<Finding> {
    let Some(profile) = profile.filter(|p| matches!(p, 0 | 2 | 3 | 5)) else {
        return Vec::new();
    };
    let resources = super::resources(bundle);
    let mut out = roles_of_hidden_offers(&resources, profile);
    for hs in resources
        .iter()
        .filter(|r| r["resourceType"] == "HealthcareService" && is_sensitive_unit(r))
    {
        for loc in hs["location"].as_array().into_iter().flatten() {
            let Some(reference) = loc["reference"].as_str() else {
                continue;
            };
            if resources.iter().any(|r| label(r) == reference) {
                out.push(Finding::error(
                    "VIS-02",
                    reference,
                    "",
                    t!(
                        Lang::current(),
                        "f-sensitive-location",
                        hs = label(hs),
                        profile = profile
                    ),
                ));
            }
        }
    }
    out
}

/// VIS-06: a PractitionerRole whose offer, present in the Bundle, the profile may not see
/// the roles of (IG 0.6.0 PractitionerRole mapping): a sensitive unit for profiles 0, 2, 3
/// and 5; for profile 0 an offer outside the ambulatory field (TRE_R227 05); for profile 3
/// one neither medico-social (04) nor ambulatory.
fn roles_of_hidden_offers(resources: &[&Value], profile: u8) -> Vec<Finding> {
    let mut out = Vec::new();
    for role in resources
        .iter()
        .filter(|r| r["resourceType"] == "PractitionerRole")
    {
        for reference in role["healthcareService"].as_array().into_iter().flatten() {
            let Some(offer) = reference["reference"]
                .as_str()
                .and_then(|k| resources.iter().find(|r| label(r) == k))
            else {
                continue;
            };
            let field = offer
                .pointer("/type/0/coding/0/code")
                .and_then(Value::as_str)
                .unwrap_or("");
            let why = if is_sensitive_unit(offer) {
                Some(t!(Lang::current(), "f-why-sensitive"))
            } else if profile == 0 && field != "05" {
                Some(t!(Lang::current(), "f-why-p0-field"))
            } else if profile == 3 && !matches!(field, "04" | "05") {
                Some(t!(Lang::current(), "f-why-p3-field"))
            } else {
                None
            };
            if let Some(why) = why {
                out.push(Finding::error(
                    "VIS-06",
                    &label(role),
                    "healthcareService",
                    t!(
                        Lang::current(),
                        "f-practice-served",
                        offer = label(offer),
                        profile = profile,
                        why = why
                    ),
                ));
            }
        }
    }
    out
}
