//! FHIR and ROR conformance checks on what the server returned: ROR profiles (identifier
//! and declaration rules in `data/profiles.yaml`, the element and extension structure of
//! each profile in `data/shapes.yaml`), NOS nomenclatures (the snapshot in `data/`), the search
//! graph (criteria, includes, duplicates, totals), access-profile visibility and the
//! CapabilityStatement (`data/capability.yaml`). Each
//! finding names the resource, the element path and the rule.

pub mod capability;
pub mod graph;
pub mod nomenclature;
pub mod nos;
pub mod profiles;
pub mod shapes;
pub mod visibility;

use serde::Serialize;
use serde_json::Value;

use rorcheck_json::Member;
pub use rorcheck_json::Tree;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; fails nothing (deprecated code, unknown code outside `--strict`...).
    Warning,
    /// Violates a rule: fails the assertion.
    Error,
}

/// One departure from the ROR rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Whether it fails the assertion.
    pub severity: Severity,
    /// Rule id, e.g. `ROR-HS-02`, `NOS-02`, `GRAPH-03`, `VIS-01`.
    pub rule: String,
    /// `HealthcareService/hs-1`, or `Bundle` for the whole response.
    pub resource: String,
    /// Element path, e.g. `type.coding[0].system`.
    pub path: String,
    /// What is wrong, in French, as the report shows it.
    pub message: String,
}

impl Finding {
    /// A finding that fails the assertion.
    pub fn error(rule: &str, resource: &str, path: &str, message: String) -> Self {
        Finding {
            severity: Severity::Error,
            rule: rule.to_owned(),
            resource: resource.to_owned(),
            path: path.to_owned(),
            message,
        }
    }

    /// A finding that is reported and fails nothing.
    pub fn warning(rule: &str, resource: &str, path: &str, message: String) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, resource, path, message)
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} : {} [{}]",
            self.resource, self.path, self.message, self.rule
        )
    }
}

/// Which families of checks to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aspects {
    /// The ROR profiles: identifiers (`profiles.yaml`), the structure of elements and
    /// extensions (`shapes.yaml`).
    pub profiles: bool,
    /// NOS codes: known, active, in the expected system.
    pub nomenclatures: bool,
    /// The search graph of a Bundle: totals, includes, `_lastUpdated` and identifier filters.
    pub graph: bool,
    /// What the access profile may see: no sensitive unit, no confidential contact.
    pub visibility: bool,
    /// CapabilityStatement requirements (only on a CapabilityStatement body).
    pub capability: bool,
}

impl Aspects {
    /// Every family of checks.
    pub const ALL: Aspects = Aspects {
        profiles: true,
        nomenclatures: true,
        graph: true,
        visibility: true,
        capability: true,
    };

    /// The checks of either.
    pub fn union(self, other: Aspects) -> Aspects {
        Aspects {
            profiles: self.profiles || other.profiles,
            nomenclatures: self.nomenclatures || other.nomenclatures,
            graph: self.graph || other.graph,
            visibility: self.visibility || other.visibility,
            capability: self.capability || other.capability,
        }
    }
}

/// What the checks need to know beyond the body.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The request that produced the body: its search parameters are the criteria.
    pub request_url: Option<url::Url>,
    /// The run's access profile (visibility rules).
    pub access_profile: Option<u8>,
    /// Unknown NOS codes are errors instead of warnings.
    pub strict: bool,
}

/// `Type/id` of a resource.
pub fn label(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or("?"),
        resource["id"].as_str().unwrap_or("?")
    )
}

/// `Type/id` of a resource read as a [`Tree`].
pub fn label_of(resource: &Tree) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or("?"),
        resource["id"].as_str().unwrap_or("?")
    )
}

/// Member `key` of an object's members (a FHIR object has a handful: they are compared,
/// not hashed).
pub(crate) fn member<'t, 'a>(map: &'t [Member<'a>], key: &str) -> Option<&'t Tree<'a>> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Calls `visit` on every object under `v`, depth first, with its element path
/// (`base.a.b[2].c`). The path lives in one buffer extended and cut back as the walk goes:
/// the checks visit every node of every exported resource and read a path only to report a
/// finding. (A parsed tree is at most 128 levels deep: serde_json's recursion limit.)
pub(crate) fn each_object<'t, 'a>(
    v: &'t Tree<'a>,
    base: &str,
    visit: &mut dyn FnMut(&'t [Member<'a>], &str),
) {
    /// Only objects and arrays hold objects: a path is written for them alone.
    fn holds_objects(v: &Tree) -> bool {
        matches!(v, Tree::Object(_) | Tree::Array(_))
    }
    fn go<'t, 'a>(
        v: &'t Tree<'a>,
        path: &mut String,
        visit: &mut dyn FnMut(&'t [Member<'a>], &str),
    ) {
        let len = path.len();
        match v {
            Tree::Object(map) => {
                visit(map, path);
                for (k, child) in map.iter().filter(|(_, c)| holds_objects(c)) {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    go(child, path, visit);
                    path.truncate(len);
                }
            }
            Tree::Array(items) => {
                for (i, item) in items.iter().enumerate().filter(|(_, c)| holds_objects(c)) {
                    // Not `write!`: the formatting machinery, for every item of every array.
                    path.push('[');
                    path.push_str(itoa::Buffer::new().format(i));
                    path.push(']');
                    go(item, path, visit);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut path = String::with_capacity(64);
    path.push_str(base);
    go(v, &mut path, visit);
}

/// The resources of a body: the entries of a Bundle, or the resource itself.
pub fn resources(body: &Value) -> Vec<&Value> {
    if body["resourceType"] == "Bundle" {
        body["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("resource"))
            .collect()
    } else if body.get("resourceType").is_some() {
        vec![body]
    } else {
        Vec::new()
    }
}

/// Every check of `aspects` on one response body.
pub fn check(body: &Value, ctx: &Context, aspects: Aspects) -> Vec<Finding> {
    let mut out = Vec::new();
    for resource in resources(body) {
        out.extend(check_resource(&Tree::of(resource), ctx, aspects));
    }
    if aspects.capability {
        out.extend(capability::check(body));
    }
    if body["resourceType"] == "Bundle" {
        if aspects.graph {
            out.extend(graph::check(body, ctx));
        } else if aspects.visibility {
            out.extend(visibility::check_bundle(body, ctx.access_profile));
        }
    }
    out
}

/// The checks of `aspects` that judge one resource on its own (profiles, nomenclatures,
/// visibility): what an export's files are checked with, a resource at a time.
pub fn check_resource(resource: &Tree, ctx: &Context, aspects: Aspects) -> Vec<Finding> {
    let mut out = Vec::new();
    if resource["resourceType"] == "OperationOutcome"
        || resource["resourceType"] == "CapabilityStatement"
    {
        return out;
    }
    if aspects.profiles {
        out.extend(profiles::Rules::shipped().check(resource));
        if let Some(shapes) = shapes::Shapes::shipped() {
            out.extend(shapes.check(resource));
        }
    }
    if aspects.nomenclatures {
        out.extend(nomenclature::check(
            resource,
            nos::NosSnapshot::shipped(),
            ctx.strict,
        ));
    }
    if aspects.visibility {
        out.extend(visibility::check(resource, ctx.access_profile));
    }
    out
}

#[cfg(test)]
mod tests;
