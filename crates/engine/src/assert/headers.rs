//! Header and content-type assertions. Header names are case-insensitive.

use regex::Regex;
use reqwest::header::HeaderMap;
use rorcheck_i18n::{Lang, t};

use super::Verdict;
use rorcheck_scenario::{HeaderRule, HeaderSpec};

/// All values of a header joined with ", ", or `None` when absent.
fn values(headers: &HeaderMap, name: &str) -> Option<String> {
    let all: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    (!all.is_empty()).then(|| all.join(", "))
}

pub(super) fn header(spec: &HeaderSpec, headers: &HeaderMap) -> Verdict {
    let name = &spec.name;
    let actual = values(headers, name);
    let shown = actual.as_deref().map_or_else(
        || t!(Lang::current(), "a-header-absent", name = name),
        |v| format!("{name}: {v}"),
    );
    match &spec.rule {
        HeaderRule::Present(true) => Verdict::new(
            actual.is_some(),
            t!(Lang::current(), "a-header-present", name = name),
            shown,
        ),
        HeaderRule::Present(false) => Verdict::new(
            actual.is_none(),
            t!(Lang::current(), "a-header-absent", name = name),
            shown,
        ),
        HeaderRule::Equals(v) => Verdict::new(
            actual.as_deref() == Some(v.as_str()),
            format!("{name}: {v}"),
            shown,
        ),
        HeaderRule::Contains(v) => Verdict::new(
            actual.as_deref().is_some_and(|a| a.contains(v.as_str())),
            t!(Lang::current(), "a-header-contains", name = name, v = v),
            shown,
        ),
        HeaderRule::Matches(re) => match Regex::new(re) {
            Ok(regex) => Verdict::new(
                actual.as_deref().is_some_and(|a| regex.is_match(a)),
                t!(Lang::current(), "a-header-matches", name = name, re = re),
                shown,
            ),
            Err(e) => Verdict::error(
                t!(Lang::current(), "a-header-matches", name = name, re = re),
                e.to_string(),
            ),
        },
    }
}

/// The media type without parameters, lower-cased: `application/fhir+json`.
pub(crate) fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn content_type(expected: &str, headers: &HeaderMap) -> Verdict {
    let expected_essence = essence(expected);
    let actual = values(headers, "content-type");
    Verdict::new(
        actual
            .as_deref()
            .is_some_and(|a| essence(a) == expected_essence),
        format!("Content-Type {expected_essence}"),
        actual.map_or_else(
            || "Content-Type absent".to_owned(),
            |a| format!("Content-Type {a}"),
        ),
    )
}
