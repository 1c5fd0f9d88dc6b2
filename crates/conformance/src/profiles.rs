//! ROR profile rules: loaded from `data/profiles.yaml` and applied to each resource.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{Finding, Tree, label_of};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rules {
    pub canonical_base: String,
    pub old_bases: Vec<String>,
    pub common: Vec<Rule>,
    pub profiles: BTreeMap<String, Profile>,
}

/// The rules of one ROR profile, as data (`data/profiles.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Profile id under the canonical base, e.g. `ror-healthcareservice`.
    pub profile: String,
    /// Its rules, checked in order.
    pub rules: Vec<Rule>,
}

/// One structural rule: an element, an extension, a coding or an identifier a resource
/// of the profile must (or may) carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Rule id, e.g. `ROR-HS-02`.
    pub rule: String,
    /// Dotted element path, arrays walked (`type.coding`).
    pub path: Option<String>,
    /// Extension name under the canonical base (`ror-healthcareservice-sensitive-unit`).
    pub extension: Option<String>,
    /// The coding or identifier system expected.
    pub system: Option<String>,
    /// Other systems accepted for the same element.
    #[serde(default)]
    pub also: Vec<String>,
    /// A fixed code expected.
    pub code: Option<String>,
    /// An identifier slice expected.
    pub identifier: Option<IdentifierRule>,
    /// Whether its absence is a finding (default: yes).
    #[serde(default = "yes")]
    pub required: bool,
    /// Why the rule matters, in French, shown with each finding.
    pub because: String,
}

fn yes() -> bool {
    true
}

/// An identifier slice: its type coding, system and value pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierRule {
    /// System of the identifier type coding.
    pub type_system: Option<String>,
    /// Code of the identifier type coding.
    pub type_code: Option<String>,
    /// The identifier system.
    pub system: Option<String>,
    /// A regular expression the value must match.
    pub pattern: Option<Pattern>,
}

/// A value pattern, compiled once when the rules are read (an invalid one fails the load,
/// which a test catches).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Pattern(regex::Regex);

impl TryFrom<String> for Pattern {
    type Error = regex::Error;
    fn try_from(source: String) -> Result<Self, Self::Error> {
        regex::Regex::new(&source).map(Pattern)
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

static SHIPPED: LazyLock<Result<Rules, serde_saphyr::Error>> =
    LazyLock::new(|| serde_saphyr::from_str(include_str!("data/profiles.yaml")));

/// Where [`at`] found a value: its dotted path and the index taken in each array on the
/// way, written out (`identifier[1].type`) only when a finding names it. The checks look up
/// paths in every resource, and most values they find pass: writing each place as it was
/// found was ~7 % of checking an export.
#[derive(Debug, Clone, Copy)]
pub struct Place<'p> {
    path: &'p str,
    /// The index in each segment's array ([`Place::ONE`] where the segment held one value);
    /// segments past [`Place::DEPTH`] are not indexed (the shipped paths have at most two).
    steps: [u32; Place::DEPTH],
}

impl Place<'_> {
    pub(crate) const DEPTH: usize = 6;
    const ONE: u32 = u32::MAX;
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, segment) in self.path.split('.').enumerate() {
            if n > 0 {
                f.write_str(".")?;
            }
            f.write_str(segment)?;
            match self.steps.get(n) {
                Some(&i) if i != Place::ONE => write!(f, "[{i}]")?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// Values at a dotted path, arrays walked, with where each was found.
pub fn at<'t, 'a, 'p>(value: &'t Tree<'a>, path: &'p str) -> Vec<(Place<'p>, &'t Tree<'a>)> {
    let root = Place {
        path,
        steps: [Place::ONE; Place::DEPTH],
    };
    let mut current = vec![(root, value)];
    for (depth, key) in path.split('.').enumerate() {
        let mut next = Vec::new();
        for (place, v) in current {
            let Some(child) = v.get(key) else {
                continue;
            };
            match child {
                Tree::Array(items) => {
                    next.extend(items.iter().enumerate().map(|(i, item)| {
                        let mut place = place;
                        if let Some(step) = place.steps.get_mut(depth) {
                            *step = u32::try_from(i).unwrap_or(Place::ONE);
                        }
                        (place, item)
                    }));
                }
                Tree::Null => {}
                other => next.push((place, other)),
            }
        }
        current = next;
    }
    current
}

/// The codings of a CodeableConcept (or of each item of a list of them) at `path`: where
/// each CodeableConcept was found, the coding's index in it, the coding.
fn codings<'t, 'a, 'p>(
    resource: &'t Tree<'a>,
    path: &'p str,
) -> Vec<(Place<'p>, usize, &'t Tree<'a>)> {
    at(resource, path)
        .into_iter()
        .flat_map(|(p, cc)| {
            cc["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (p, i, c))
        })
        .collect()
}

impl Rules {
    /// The rules shipped in the binary (checked by a test).
    pub fn shipped() -> &'static Rules {
        static EMPTY: LazyLock<Rules> = LazyLock::new(|| Rules {
            canonical_base: String::new(),
            old_bases: Vec::new(),
            common: Vec::new(),
            profiles: BTreeMap::new(),
        });
        SHIPPED.as_ref().unwrap_or(&EMPTY)
    }

    /// Why the shipped rules could not be read, if they could not (a build defect).
    #[cfg(test)]
    pub(crate) fn load_error() -> Option<&'static serde_saphyr::Error> {
        SHIPPED.as_ref().err()
    }

    /// Findings of one resource against its ROR profile.
    pub fn check(&self, resource: &Tree) -> Vec<Finding> {
        let Some(rtype) = resource["resourceType"].as_str() else {
            return Vec::new();
        };
        let Some(profile) = self.profiles.get(rtype) else {
            return Vec::new();
        };
        let name = label_of(resource);
        let mut out = Vec::new();
        let canonical = format!("{}{}", self.canonical_base, profile.profile);
        let declared: Vec<&str> = resource["meta"]["profile"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Tree::as_str)
            .collect();
        if !declared.contains(&canonical.as_str()) {
            out.push(Finding::error(
                "ROR-COM-00",
                &name,
                "meta.profile",
                t!(
                    Lang::current(),
                    "f-profile-undeclared",
                    canonical = canonical,
                    declared = format!("{:?}", declared)
                ),
            ));
        }
        self.old_extension_bases(resource, &name, &mut out);
        for rule in self.common.iter().chain(&profile.rules) {
            self.apply(rule, resource, &name, &mut out);
        }
        out
    }

    /// Extensions on an old canonical base (`ror30`, `ror24`) anywhere in the resource.
    fn old_extension_bases(&self, value: &Tree, name: &str, out: &mut Vec<Finding>) {
        super::each_object(value, "", &mut |map, path| {
            if let Some(Tree::Str(url)) = super::member(map, "url")
                && self.old_bases.iter().any(|b| url.starts_with(b))
            {
                out.push(Finding::error(
                    "ROR-COM-04",
                    name,
                    path,
                    t!(
                        Lang::current(),
                        "f-old-canonical",
                        url = url,
                        canonical_base = self.canonical_base
                    ),
                ));
            }
        });
    }

    fn apply(&self, rule: &Rule, resource: &Tree, name: &str, out: &mut Vec<Finding>) {
        let missing = |path: &str| {
            Finding::error(&rule.rule, name, path, format!("absent — {}", rule.because))
        };
        if let Some(ext) = &rule.extension {
            let url = format!("{}{ext}", self.canonical_base);
            let found: Vec<&Tree> = resource["extension"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["url"] == url.as_str())
                .collect();
            if found.is_empty() && rule.required {
                out.push(missing(&format!("extension[url={ext}]")));
            }
            // With a system, the extension's value is a CodeableConcept of that system
            // (a bare valueCode is the classic mistake of ror-commune-cog).
            if let Some(system) = &rule.system {
                for e in found.iter().filter(|e| !coded_in(e, system)) {
                    out.push(Finding::error(
                        &rule.rule,
                        name,
                        &format!("extension[url={ext}].valueCodeableConcept"),
                        t!(
                            Lang::current(),
                            "f-value-system",
                            system = system,
                            e = value_kind(e),
                            because = rule.because
                        ),
                    ));
                }
            }
            return;
        }
        if let Some(id_rule) = &rule.identifier {
            identifier(rule, id_rule, resource, name, out);
            return;
        }
        let Some(path) = &rule.path else { return };
        let values = at(resource, path);
        if values.is_empty() {
            if rule.required {
                out.push(missing(path));
            }
            return;
        }
        let Some(system) = &rule.system else { return };
        let accepted: Vec<&str> = std::iter::once(system.as_str())
            .chain(rule.also.iter().map(String::as_str))
            .collect();
        let found = codings(resource, path);
        let mut bound = false;
        for (p, i, coding) in &found {
            let s = coding["system"].as_str().unwrap_or("");
            if accepted.contains(&s) {
                if rule.code.as_deref().is_none_or(|c| coding["code"] == c) {
                    bound = true;
                }
            } else if s.starts_with(super::nos::NOS_BASE) && !path.starts_with("characteristic") {
                // characteristic mixes several bindings (careMode, temporality...), hence
                // no wrong-system finding there: only the required slice is checked.
                out.push(Finding::error(
                    &rule.rule,
                    name,
                    &format!("{p}.coding[{i}].system"),
                    t!(
                        Lang::current(),
                        "f-system-instead",
                        s = s,
                        system = system,
                        because = rule.because
                    ),
                ));
            }
        }
        if !bound && (rule.required || !found.is_empty()) && !path.starts_with("identifier") {
            out.push(Finding::error(
                &rule.rule,
                name,
                path,
                t!(
                    Lang::current(),
                    "f-no-code-of",
                    system = system,
                    because = rule.because
                ),
            ));
        }
    }
}

fn identifier(
    rule: &Rule,
    id_rule: &IdentifierRule,
    resource: &Tree,
    name: &str,
    out: &mut Vec<Finding>,
) {
    let ids = at(resource, "identifier");
    // The slice is recognised by its type when the rule gives one (then its system is
    // checked), by its system otherwise.
    let typed = id_rule.type_code.is_some();
    let matching: Vec<&(Place, &Tree)> = ids
        .iter()
        .filter(|(_, id)| match (&id_rule.type_system, &id_rule.type_code) {
            (Some(s), Some(c)) => id["type"]["coding"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["system"] == s.as_str() && x["code"] == c.as_str())
            }),
            _ => id_rule.system.as_deref().is_none_or(|s| id["system"] == s),
        })
        .collect();
    if matching.is_empty() {
        if rule.required {
            out.push(Finding::error(
                &rule.rule,
                name,
                "identifier",
                t!(Lang::current(), "f-no-identifier", because = rule.because),
            ));
        }
        return;
    }
    for (p, id) in &matching {
        if let Some(system) = id_rule.system.as_deref().filter(|_| typed)
            && id["system"] != system
        {
            out.push(Finding::error(
                &rule.rule,
                name,
                &format!("{p}.system"),
                t!(
                    Lang::current(),
                    "f-identifier-system",
                    found = id["system"],
                    system = system,
                    because = rule.because
                ),
            ));
        }
    }
    if let Some(pattern) = &id_rule.pattern {
        for (p, id) in matching {
            let value = id["value"].as_str().unwrap_or("");
            if !pattern.0.is_match(value) {
                out.push(Finding::error(
                    &rule.rule,
                    name,
                    &format!("{p}.value"),
                    t!(
                        Lang::current(),
                        "f-value-format",
                        value = value,
                        pattern = pattern.to_string(),
                        because = rule.because
                    ),
                ));
            }
        }
    }
}

/// Whether an extension's value is a CodeableConcept with a code of `system`.
fn coded_in(extension: &Tree, system: &str) -> bool {
    extension["valueCodeableConcept"]["coding"]
        .as_array()
        .is_some_and(|c| {
            c.iter()
                .any(|c| c["system"] == system && c["code"].is_string())
        })
}

/// The `value[x]` an extension carries, as written (`valueCode`, `valueString`...).
fn value_kind(extension: &Tree) -> String {
    extension
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
        .map(|(k, _)| k.to_string())
        .unwrap_or_else(|| "aucune valeur".to_owned())
}
