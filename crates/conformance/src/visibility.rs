//! Access-profile visibility (reference §5): what a profile may not see must not be in what
//! the server returned to it.
//!
//! Written from the reference, deliberately apart from the mock's own filter
//! (`mock/visibility.rs`): this judges any server, the mock included, and a mistake shared
//! by both would make the mock pass its own check.

use serde_json::Value;

use super::{Finding, label};

const CONFIDENTIALITY: &str = "TRE_R283-NiveauConfidentialite";

/// TRE_R283 codes carried by a contact or telecom ("1" public, "2" restricted, "3" very
/// restricted), with their paths.
fn levels(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(s)), Some(Value::String(c))) =
                (map.get("system"), map.get("code"))
                && s.contains(CONFIDENTIALITY)
            {
                out.push((path.to_owned(), c.clone()));
            }
            for (k, child) in map {
                levels(child, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                levels(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
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
pub fn check(resource: &Value, profile: Option<u8>) -> Vec<Finding> {
    let Some(profile) = profile else {
        return Vec::new();
    };
    let name = label(resource);
    let mut found = Vec::new();
    for key in ["telecom", "extension", "contact"] {
        if let Some(v) = resource.get(key) {
            levels(v, key, &mut found);
        }
    }
    let mut out: Vec<Finding> = found
        .into_iter()
        .filter(|(_, level)| !allowed(profile, level))
        .map(|(path, level)| {
            Finding::error(
                "VIS-01",
                &name,
                &path,
                format!(
                    "contact de confidentialité {level} (TRE_R283) servi au profil d'accès {profile}, qui ne doit pas le voir"
                ),
            )
        })
        .collect();
    if profile != 1 && resource["resourceType"] == "Practitioner" {
        out.push(Finding::warning(
            "VIS-03",
            &name,
            "",
            format!("Practitioner servi au profil d'accès {profile} : réservé au profil 1 (correspondance 0.7)"),
        ));
    }
    out
}

/// Bundle-level: the location of a sensitive unit is hidden from profiles 0, 2, 3 and 5.
pub(crate) fn check_bundle(bundle: &Value, profile: Option<u8>) -> Vec<Finding> {
    let Some(profile) = profile.filter(|p| matches!(p, 0 | 2 | 3 | 5)) else {
        return Vec::new();
    };
    let resources = super::resources(bundle);
    let mut out = Vec::new();
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
                    format!(
                        "lieu d'une unité sensible ({}) servi au profil d'accès {profile}",
                        label(hs)
                    ),
                ));
            }
        }
    }
    out
}
