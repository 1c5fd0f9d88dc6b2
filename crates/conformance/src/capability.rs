//! CapabilityStatement checks: `/metadata` declares the resources, interactions, search
//! parameters and includes the consumption flows need (requirements as data in
//! `data/capability.yaml`), tolerating the IG's known defects.

use rorcheck_i18n::{Lang, t};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use super::Finding;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Requirements {
    pub fhir_version_prefix: String,
    pub formats: Vec<String>,
    pub security_service: String,
    pub operations: Vec<OperationRequirement>,
    pub resources: BTreeMap<String, ResourceRequirement>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OperationRequirement {
    pub name: String,
    #[serde(default)]
    pub severity: Level,
    pub because: String,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    #[default]
    Error,
    Warning,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceRequirement {
    pub interactions: Vec<String>,
    pub search_params: Vec<String>,
    #[serde(default)]
    pub includes: Vec<String>,
    #[serde(default)]
    pub revincludes: Vec<String>,
    pub because: String,
}

static SHIPPED: LazyLock<Result<Requirements, serde_saphyr::Error>> =
    LazyLock::new(|| serde_saphyr::from_str(include_str!("data/capability.yaml")));

const WHERE: &str = "CapabilityStatement";

/// Items of `searchInclude`-like arrays; a comma-joined string counts as several items.
fn declared_list(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Requirements {
    /// The requirements shipped with rorcheck. Parsing is checked by a unit test, so a
    /// failure here is a build defect reported as a finding rather than a panic.
    pub fn shipped() -> Result<&'static Requirements, &'static serde_saphyr::Error> {
        SHIPPED.as_ref()
    }

    pub fn check(&self, cs: &Value) -> Vec<Finding> {
        let mut out = Vec::new();
        let error =
            |rule: &str, path: &str, message: String| Finding::error(rule, WHERE, path, message);
        self.check_version_and_format(cs, &mut out);
        let Some(rest) = cs["rest"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["mode"] == "server"))
        else {
            out.push(error(
                "CS-03",
                "rest",
                t!(Lang::current(), "f-no-server-rest"),
            ));
            return out;
        };
        self.check_security_and_operations(rest, &mut out);
        let declared: BTreeMap<&str, &Value> = rest["resource"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["type"].as_str()?, r)))
            .collect();
        for (ty, need) in &self.resources {
            match declared.get(ty.as_str()) {
                Some(res) => check_resource(ty, need, res, &mut out),
                None => out.push(error(
                    "CS-05",
                    &format!("rest.resource[{ty}]"),
                    t!(
                        Lang::current(),
                        "f-resource-undeclared",
                        ty = ty,
                        because = need.because
                    ),
                )),
            }
        }
        out
    }

    /// CS-01 (FHIR R4) and CS-02 (a JSON format).
    fn check_version_and_format(&self, cs: &Value, out: &mut Vec<Finding>) {
        let error =
            |rule: &str, path: &str, message: String| Finding::error(rule, WHERE, path, message);
        let version = cs["fhirVersion"].as_str().unwrap_or("");
        if !version.starts_with(&self.fhir_version_prefix) {
            out.push(error(
                "CS-01",
                "fhirVersion",
                t!(
                    Lang::current(),
                    "f-fhir-version",
                    version = version,
                    fhir_version_prefix = self.fhir_version_prefix
                ),
            ));
        }
        let formats = declared_list(&cs["format"]);
        if !self.formats.iter().any(|f| formats.contains(f)) {
            out.push(error(
                "CS-02",
                "format",
                t!(
                    Lang::current(),
                    "f-formats",
                    formats = self.formats.join(", "),
                    formats_ = join(&formats)
                ),
            ));
        }
    }

    /// CS-04 (OAuth declared) and CS-08 (the operations a consumer relies on).
    fn check_security_and_operations(&self, rest: &Value, out: &mut Vec<Finding>) {
        let error =
            |rule: &str, path: &str, message: String| Finding::error(rule, WHERE, path, message);
        let oauth = rest["security"]["service"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["coding"].as_array().into_iter().flatten())
            .any(|c| c["code"] == self.security_service.as_str());
        if !oauth {
            out.push(error(
                "CS-04",
                "rest.security.service",
                format!(
                    "service de sécurité {} non déclaré : le consommateur ne sait pas qu'il doit \
                     obtenir un jeton",
                    self.security_service
                ),
            ));
        }
        let operations: BTreeSet<&str> = rest["operation"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["name"].as_str())
            .map(|n| n.trim_start_matches('$'))
            .collect();
        for op in &self.operations {
            if !operations.contains(op.name.as_str()) {
                let message = t!(
                    Lang::current(),
                    "f-operation-undeclared",
                    name = op.name,
                    because = op.because
                );
                out.push(match op.severity {
                    Level::Error => error("CS-08", "rest.operation", message),
                    Level::Warning => Finding::warning("CS-08", WHERE, "rest.operation", message),
                });
            }
        }
    }
}

/// CS-05 to CS-07 for one declared resource: its interactions, search parameters, includes
/// and reverse includes.
fn check_resource(ty: &str, need: &ResourceRequirement, res: &Value, out: &mut Vec<Finding>) {
    let error =
        |rule: &str, path: &str, message: String| Finding::error(rule, WHERE, path, message);
    let interactions: BTreeSet<&str> = res["interaction"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["code"].as_str())
        .collect();
    let missing: Vec<&str> = need
        .interactions
        .iter()
        .map(String::as_str)
        .filter(|i| !interactions.contains(i))
        .collect();
    if !missing.is_empty() {
        out.push(error(
            "CS-05",
            &format!("rest.resource[{ty}].interaction"),
            t!(
                Lang::current(),
                "f-interactions",
                ty = ty,
                missing = missing.join(", ")
            ),
        ));
    }
    let params: BTreeSet<&str> = res["searchParam"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let missing: Vec<&str> = need
        .search_params
        .iter()
        .map(String::as_str)
        .filter(|p| !params.contains(p))
        .collect();
    if !missing.is_empty() {
        out.push(error(
            "CS-06",
            &format!("rest.resource[{ty}].searchParam"),
            t!(
                Lang::current(),
                "f-search-params",
                ty = ty,
                missing = missing.join(", ")
            ),
        ));
    }
    for (field, needed) in [
        ("searchInclude", &need.includes),
        ("searchRevInclude", &need.revincludes),
    ] {
        let list = declared_list(&res[field]);
        if list.contains("*") {
            continue;
        }
        let missing: Vec<&str> = needed
            .iter()
            .map(String::as_str)
            .filter(|i| !list.contains(*i))
            .collect();
        if !missing.is_empty() {
            out.push(error(
                "CS-07",
                &format!("rest.resource[{ty}].{field}"),
                t!(
                    Lang::current(),
                    "f-field-missing",
                    ty = ty,
                    missing = missing.join(", "),
                    field = field
                ),
            ));
        }
    }
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        t!(Lang::current(), "f-none")
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The checks on a CapabilityStatement; any other body gives no finding.
pub fn check(body: &Value) -> Vec<Finding> {
    if body["resourceType"] != "CapabilityStatement" {
        return Vec::new();
    }
    match Requirements::shipped() {
        Ok(req) => req.check(body),
        Err(e) => vec![Finding::error(
            "CS-00",
            WHERE,
            "",
            t!(Lang::current(), "f-requirements-unreadable", e = e),
        )],
    }
}
