//! FHIR-aware comparison of requests: what a consumer sent against what a scenario expects.
//!
//! Both sides are brought to one canonical form before they are compared, so that two
//! requests a FHIR server treats alike compare equal:
//! - parameters are decoded (`%7C` and `|`, `+` and `%20`) and compared as a multiset,
//!   whatever their order;
//! - `_include` / `_revinclude` values are sets: repeated parameters and the comma-joined
//!   form (`_include=A,B`) are the same request, and so is a trailing target type
//!   (`HealthcareService:organization:Organization`);
//! - a chain that names its target type (`organization:Organization.identifier`) is the
//!   plain chain;
//! - the alternatives of an OR list (`code=a,b`) are sorted;
//! - `POST [type]/_search` with a form body is the `GET [type]?…` search;
//! - `_count` and `_format` are the consumer's choice and are not compared.

use std::fmt;

use crate::difference::{Difference, is_result_param};
use crate::pattern::{DateShape, Part, Pattern};
use ror::TOKEN_PATH;

/// Parameters that do not change what is asked, only how it is served.
const FREE_PARAMS: &[&str] = &["_count", "_format"];

/// The selection criteria among parameter names, sorted and deduplicated.
fn criteria<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names
        .filter(|n| !is_result_param(n) && !FREE_PARAMS.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A request as sent, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// `GET`, `POST`...
    pub method: String,
    /// Path relative to the FHIR base (`HealthcareService`, `$export`, `Organization/123`),
    /// or the absolute path for requests outside it (the token endpoint).
    pub path: String,
    /// Sorted `(name, value)` pairs.
    pub params: Vec<(String, String)>,
}

impl Canonical {
    /// `path` and `query` as received; `body` for form posts (`_search`, token endpoint).
    pub fn new(
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Option<&str>,
        base_path: &str,
    ) -> Self {
        let mut pairs = decode(query.unwrap_or_default());
        let mut method = method.to_ascii_uppercase();
        let mut path = relative(path, base_path);
        if method == "POST"
            && let Some(search) = path.strip_suffix("/_search")
        {
            method = "GET".to_owned();
            path = search.to_owned();
            pairs.extend(decode(body.unwrap_or_default()));
        } else if method == "POST" {
            pairs.extend(decode(body.unwrap_or_default()));
        }
        let mut params: Vec<(String, String)> = pairs
            .into_iter()
            .flat_map(|(name, value)| normalise(&name, &value))
            .collect();
        keep_token_identity(&path, &mut params);
        params.sort();
        Canonical {
            method,
            path,
            params,
        }
    }

    /// Values of one parameter.
    pub fn values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for Canonical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        for (i, (n, v)) in self.params.iter().enumerate() {
            write!(f, "{}{n}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// A request a scenario expects, in canonical form, values as patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `GET`, `POST`...
    pub method: String,
    /// The path, relative to the FHIR base.
    pub path: Pattern,
    /// The parameters, decoded and sorted, each value a pattern.
    pub params: Vec<(String, Pattern)>,
}

impl Expected {
    /// From a scenario step: `path` relative to the base (or absolute for the token
    /// endpoint), `pairs` from its query and form body, as written (templates allowed).
    pub fn new(method: &str, path: &str, pairs: &[(String, String)], base_path: &str) -> Self {
        let mut method = method.to_ascii_uppercase();
        let mut path = relative(path, base_path);
        if method == "POST"
            && let Some(search) = path.strip_suffix("/_search")
        {
            method = "GET".to_owned();
            path = search.to_owned();
        }
        let mut params: Vec<(String, Pattern)> = pairs
            .iter()
            .flat_map(|(name, value)| {
                if let Some(prefix) = consumer_date(name, value) {
                    return vec![(normalise_name(name), prefix)];
                }
                if value.contains("{{") {
                    vec![(normalise_name(name), Pattern::from_template(value))]
                } else {
                    normalise(name, value)
                        .into_iter()
                        .map(|(n, v)| (n, Pattern::literal(&v)))
                        .collect()
                }
            })
            .collect();
        keep_token_identity(&path, &mut params);
        params.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.to_string().cmp(&b.1.to_string()))
        });
        Expected {
            method,
            path: Pattern::from_template(&path),
            params,
        }
    }

    /// Same endpoint: method and path.
    pub(crate) fn same_endpoint(&self, actual: &Canonical) -> bool {
        self.method == actual.method && self.path.matches(&actual.path)
    }

    /// What differs between this expectation and `actual`; empty when they match. Asking
    /// for more includes than the case needs only adds resources: not a difference.
    pub(crate) fn differences(&self, actual: &Canonical) -> Vec<Difference> {
        self.compare(actual, true)
    }

    /// How far `actual` is from this expectation, extra includes counted: a request belongs
    /// to the expectations it is closest to.
    pub fn distance(&self, actual: &Canonical) -> usize {
        self.compare(actual, false)
            .iter()
            .map(Difference::weight)
            .sum()
    }

    fn compare(&self, actual: &Canonical, tolerate_extra_includes: bool) -> Vec<Difference> {
        let mut out = Vec::new();
        if !self.same_endpoint(actual) {
            out.push(Difference::Endpoint {
                expected: format!("{} {}", self.method, self.path),
                actual: format!("{} {}", actual.method, actual.path),
            });
            return out;
        }
        let mut names: Vec<&str> = self
            .params
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(actual.params.iter().map(|(n, _)| n.as_str()))
            .filter(|n| !FREE_PARAMS.contains(n))
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let mut expected: Vec<&Pattern> = self
                .params
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, p)| p)
                .collect();
            let mut got: Vec<&str> = actual.values(name).collect();
            // Literal patterns first, so that a wildcard does not take a value a literal needs.
            expected.sort_by_key(|p| !p.is_literal());
            let mut missing = Vec::new();
            for pattern in expected {
                match got.iter().position(|v| pattern.matches(v)) {
                    Some(i) => {
                        got.remove(i);
                    }
                    None => missing.push(pattern),
                }
            }
            if tolerate_extra_includes
                && (name.starts_with("_include") || name.starts_with("_revinclude"))
            {
                got.clear();
            }
            match (missing.as_slice(), got.as_slice()) {
                ([], []) => {}
                ([want], [have]) => out.push(Difference::Value {
                    name: name.to_owned(),
                    expected: want.to_string(),
                    actual: (*have).to_owned(),
                }),
                _ => {
                    out.extend(missing.iter().map(|p| Difference::Missing {
                        name: name.to_owned(),
                        value: p.to_string(),
                    }));
                    out.extend(got.iter().map(|v| Difference::Extra {
                        name: name.to_owned(),
                        value: (*v).to_owned(),
                    }));
                }
            }
        }
        out
    }

    /// A near miss: same endpoint, and either the same selection criteria (only the values
    /// or the include set differ) or a shared criterion and at most two differences.
    pub(crate) fn near_miss(&self, actual: &Canonical, differences: &[Difference]) -> bool {
        if !self.same_endpoint(actual) || differences.is_empty() {
            return false;
        }
        let expected = criteria(self.params.iter().map(|(n, _)| n.as_str()));
        let got = criteria(actual.params.iter().map(|(n, _)| n.as_str()));
        if expected == got {
            return true;
        }
        // Otherwise the request must at least select on one of the same criteria.
        let shared = expected.iter().filter(|n| got.contains(n)).count();
        shared > 0 && differences.len() <= 2
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        for (i, (n, v)) in self.params.iter().enumerate() {
            write!(f, "{}{n}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// `_lastUpdated=ge2025-06-01` in a scenario: the date is the consumer's own (that of its
/// previous synchronisation), the comparator is the case's.
fn consumer_date(name: &str, value: &str) -> Option<Pattern> {
    if !name.ends_with("_lastUpdated") {
        return None;
    }
    let prefix: String = value.chars().take_while(char::is_ascii_lowercase).collect();
    let date = &value[prefix.len()..];
    let rest = match DateShape::of(date) {
        Some(shape) => Part::Date(shape),
        // A templated or unusual date: any value after the comparator.
        None => Part::Any,
    };
    Some(Pattern {
        parts: vec![Part::Text(prefix), rest],
    })
}

/// For the token endpoint only the grant type identifies the request: credentials travel
/// in the form or in HTTP Basic, and the secret is masked in the log.
fn keep_token_identity<V>(path: &str, params: &mut Vec<(String, V)>) {
    if path == TOKEN_PATH {
        params.retain(|(n, _)| n == "grant_type");
    }
}

fn decode(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The path relative to the FHIR base; an absolute URL is reduced to its path first.
fn relative(path: &str, base_path: &str) -> String {
    let path = match path.find("://") {
        Some(i) => path[i + 3..].find('/').map_or("/", |j| &path[i + 3 + j..]),
        None => path,
    };
    let path = path.split('?').next().unwrap_or_default();
    let base = base_path.trim_end_matches('/');
    let inside = if base.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(base)
    };
    match inside {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_matches('/').to_owned(),
        // Outside the FHIR base (token endpoint) or a scenario path relative to the base.
        _ if path.starts_with("/auth/") => path.to_owned(),
        _ => path.trim_matches('/').to_owned(),
    }
}

/// `organization:Organization.identifier` → `organization.identifier`: a chain naming its
/// target type is the same chain when the reference has a single target.
fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(colon) = rest.find(':') {
        out.push_str(&rest[..colon]);
        let after = &rest[colon + 1..];
        let typed = after.chars().next().is_some_and(char::is_uppercase);
        match after.find('.') {
            Some(dot) if typed => rest = &after[dot..],
            _ => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One parameter as canonical pairs (an include list becomes one pair per include).
fn normalise(name: &str, value: &str) -> Vec<(String, String)> {
    let name = normalise_name(name.trim());
    if name.starts_with("_include") || name.starts_with("_revinclude") {
        return split_unescaped(value)
            .into_iter()
            .map(|v| (name.clone(), strip_include_target(v.trim())))
            .collect();
    }
    let mut alternatives: Vec<String> = split_unescaped(value)
        .into_iter()
        .map(|v| v.trim().to_owned())
        .collect();
    alternatives.sort();
    vec![(name, alternatives.join(","))]
}

/// `HealthcareService:organization:Organization` → `HealthcareService:organization`.
fn strip_include_target(include: &str) -> String {
    let parts: Vec<&str> = include.split(':').collect();
    match parts.as_slice() {
        [source, param, _target] => format!("{source}:{param}"),
        _ => include.to_owned(),
    }
}

/// Splits on commas not escaped with `\` (FHIR search escaping).
fn split_unescaped(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
                continue;
            }
            ',' if !escaped => out.push(String::new()),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
        escaped = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "/ws-diffusion-fhir";

    fn actual(path: &str, query: &str) -> Canonical {
        Canonical::new("GET", path, Some(query), None, BASE)
    }

    fn expected(path: &str, pairs: &[(&str, &str)]) -> Expected {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Expected::new("GET", path, &pairs, BASE)
    }

    #[test]
    fn order_encoding_and_include_lists_are_normalised() {
        let want = expected(
            "/HealthcareService",
            &[
                ("_lastUpdated", "ge{{since}}"),
                ("_include", "HealthcareService:organization"),
                ("_include", "HealthcareService:location"),
            ],
        );
        for query in [
            "_lastUpdated=ge2026-01-01&_include=HealthcareService:organization&_include=HealthcareService:location",
            "_include=HealthcareService%3Alocation&_lastUpdated=ge2026-11-20T00%3A00%3A00Z&_include=HealthcareService:organization",
            "_include=HealthcareService:location,HealthcareService:organization:Organization&_lastUpdated=ge2026-01-01&_count=50",
        ] {
            let got = actual("/ws-diffusion-fhir/HealthcareService", query);
            assert_eq!(want.differences(&got), vec![], "{query}");
        }
    }

    #[test]
    fn pipes_chains_and_or_lists_are_normalised() {
        let want = expected(
            "/HealthcareService",
            &[
                ("organization:Organization.identifier:above", "{{finess}}"),
                (
                    "specialty",
                    "https://mos.esante.gouv.fr/NOS/TRE_R211|034,https://x|1",
                ),
            ],
        );
        let got = actual(
            "/ws-diffusion-fhir/HealthcareService",
            "specialty=https%3A%2F%2Fx%7C1,https://mos.esante.gouv.fr/NOS/TRE_R211%7C034&organization.identifier:above=1.2.250|750000001",
        );
        assert_eq!(want.differences(&got), vec![]);
    }

    #[test]
    fn a_missing_include_is_named() {
        let want = expected(
            "/Organization",
            &[
                ("identifier", "{{id}}"),
                ("_include:iterate", "Organization:partof"),
            ],
        );
        let got = actual("/ws-diffusion-fhir/Organization", "identifier=123");
        let diffs = want.differences(&got);
        assert_eq!(
            diffs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["`_include:iterate=Organization:partof` absent"]
        );
        assert!(want.near_miss(&got, &diffs));
    }

    #[test]
    fn a_different_value_is_one_difference_and_other_endpoints_are_not_near() {
        let want = expected("/HealthcareService", &[("_lastUpdated", "ge{{since}}")]);
        let got = actual(
            "/ws-diffusion-fhir/HealthcareService",
            "_lastUpdated=2026-01-01",
        );
        let diffs = want.differences(&got);
        assert_eq!(
            diffs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["`_lastUpdated` vaut `2026-01-01` au lieu de `ge…`"]
        );
        let other = actual("/ws-diffusion-fhir/Location", "_lastUpdated=ge2026-01-01");
        let diffs = want.differences(&other);
        assert!(!want.near_miss(&other, &diffs));
    }

    #[test]
    fn post_search_is_the_get_search() {
        let want = expected("/HealthcareService", &[("name:contains", "{{name}}")]);
        let got = Canonical::new(
            "POST",
            "/ws-diffusion-fhir/HealthcareService/_search",
            None,
            Some("name%3Acontains=urgences"),
            BASE,
        );
        assert_eq!(want.differences(&got), vec![]);
    }

    #[test]
    fn last_updated_dates_are_the_consumers_own_but_not_the_comparator() {
        let want = expected(
            "/Organization",
            &[("_lastUpdated", "ge2025-06-01T00:00:00Z")],
        );
        let got = actual(
            "/ws-diffusion-fhir/Organization",
            "_lastUpdated=ge2026-11-20T08:00:00Z",
        );
        assert_eq!(want.differences(&got), vec![]);
        let wrong = actual("/ws-diffusion-fhir/Organization", "_lastUpdated=2026-11-20");
        assert_eq!(want.differences(&wrong).len(), 1);
    }

    #[test]
    fn the_precision_and_zone_of_a_written_date_are_the_cases() {
        let day = expected("/HealthcareService", &[("_lastUpdated", "ge2026-01-01")]);
        let zoned = expected(
            "/HealthcareService",
            &[("_lastUpdated", "ge2026-01-01T02:00:00+02:00")],
        );
        let got = |q: &str| actual("/ws-diffusion-fhir/HealthcareService", q);
        assert!(
            day.differences(&got("_lastUpdated=ge2026-11-20"))
                .is_empty()
        );
        assert!(
            !day.differences(&got("_lastUpdated=ge2026-11-20T00:00:00Z"))
                .is_empty()
        );
        assert!(
            zoned
                .differences(&got("_lastUpdated=ge2026-11-20T08:00:00%2B01:00"))
                .is_empty()
        );
        assert!(
            !zoned
                .differences(&got("_lastUpdated=ge2026-11-20"))
                .is_empty()
        );
    }

    #[test]
    fn extra_includes_are_tolerated_missing_ones_are_not() {
        let want = expected(
            "/HealthcareService",
            &[("_include", "HealthcareService:location")],
        );
        let more = actual(
            "/ws-diffusion-fhir/HealthcareService",
            "_include=HealthcareService:location&_include=HealthcareService:organization",
        );
        assert!(want.differences(&more).is_empty());
        let fewer = actual("/ws-diffusion-fhir/HealthcareService", "");
        assert_eq!(want.differences(&fewer).len(), 1);
    }

    #[test]
    fn requests_selecting_on_other_criteria_are_not_near_misses() {
        let want = expected("/Organization", &[("identifier", "{{oi}}")]);
        let got = actual(
            "/ws-diffusion-fhir/Organization",
            "_lastUpdated=ge2026-01-01",
        );
        let diffs = want.differences(&got);
        assert!(!want.near_miss(&got, &diffs));
    }

    #[test]
    fn token_requests_compare_on_the_grant_type_only() {
        let got = Canonical::new(
            "POST",
            TOKEN_PATH,
            None,
            Some("grant_type=client_credentials&client_id=x&client_secret=%C2%ABmasqu%C3%A9%C2%BB"),
            BASE,
        );
        assert_eq!(got.params.len(), 1);
    }

    #[test]
    fn other_data_is_told_from_a_wrong_request() {
        let value = |expected: &str, actual: &str| Difference::Value {
            name: "p".into(),
            expected: expected.into(),
            actual: actual.into(),
        };
        assert!(value("013", "urgences").is_other_data());
        assert!(value("https://s|034", "https://s|099").is_other_data());
        assert!(!value("https://s|034", "https://jdv|034").is_other_data());
        assert!(value("ge2026-01-01", "ge2025-01-01").is_other_data());
        assert!(!value("ge2026-01-01", "2025-01-01").is_other_data());
        assert!(!value("ge…", "2025-01-01").is_other_data());
        assert!(value("ge…", "ge2025-01-01").is_other_data());
        assert!(value("ge<date AAAA-MM-JJ>", "ge2025-01-01T00:00:00Z").is_other_data());
        assert!(
            !Difference::Missing {
                name: "_include".into(),
                value: "A:b".into()
            }
            .is_other_data()
        );
    }

    #[test]
    fn escaped_commas_stay_in_the_value() {
        assert_eq!(
            normalise("name", r"a\,b,c"),
            vec![("name".to_owned(), r"a\,b,c".to_owned())]
        );
        assert_eq!(
            normalise("name", "c,a"),
            vec![("name".to_owned(), "a,c".to_owned())]
        );
    }

    #[test]
    fn wildcards_need_at_least_one_character() {
        let p = Pattern::from_template("ge{{since}}");
        assert!(p.matches("ge2026"));
        assert!(!p.matches("ge"));
        assert!(!p.matches("le2026"));
        let path = Pattern::from_template("Organization/{{id}}");
        assert!(path.matches("Organization/abc"));
        assert!(!path.matches("Location/abc"));
    }
}
