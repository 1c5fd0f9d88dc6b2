//! Assertions on the JSON body: FHIRPath, Bundle shortcuts, OperationOutcome.

use rorcheck_i18n::{Lang, t};
use serde_json::Value;

use super::{ResponseView, Verdict};
use crate::outline::Outline;
use rorcheck_fhirpath::FhirPath;
use rorcheck_scenario::{
    BundleSpec, Comparison, FhirPathExpect, FhirPathSpec, OperationOutcomeSpec,
};

/// Compact JSON for a report line, cut if long.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 300 {
        let cut: String = text.chars().take(300).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

pub(super) async fn fhirpath(
    spec: &FhirPathSpec,
    resp: &ResponseView<'_>,
    fp: &FhirPath,
) -> Verdict {
    let expected = match &spec.expect {
        FhirPathExpect::IsTrue => format!("{} = true", spec.expr),
        FhirPathExpect::Equals(v) => format!("{} = {}", spec.expr, show(v)),
        FhirPathExpect::Count(c) => format!("{}.count() {c}", spec.expr),
        FhirPathExpect::Exists(true) => format!("{}.exists()", spec.expr),
        FhirPathExpect::Exists(false) => format!("{}.empty()", spec.expr),
    };
    let results = match resp.document() {
        Err(reason) => return Verdict::error(expected, reason.to_string()),
        Ok(None) => Vec::new(),
        Ok(Some(document)) => match fp.evaluate_document(&spec.expr, document).await {
            Ok(r) => r,
            Err(e) => return Verdict::error(expected, e.to_string()),
        },
    };
    let actual_value = Value::Array(results.clone());
    let (ok, actual) = match &spec.expect {
        FhirPathExpect::IsTrue => (
            results.len() == 1 && results[0] == Value::Bool(true),
            t!(
                Lang::current(),
                "a-result",
                actual_value = show(&actual_value)
            ),
        ),
        FhirPathExpect::Equals(expected) => {
            let ok = match expected {
                Value::Array(items) => json_eq(&actual_value, &Value::Array(items.clone())),
                single => results.len() == 1 && json_eq(&results[0], single),
            };
            (
                ok,
                t!(
                    Lang::current(),
                    "a-result",
                    actual_value = show(&actual_value)
                ),
            )
        }
        FhirPathExpect::Count(c) => (
            c.holds(results.len() as u64),
            t!(Lang::current(), "a-items", results_count = results.len()),
        ),
        FhirPathExpect::Exists(want) => (
            results.is_empty() != *want,
            t!(
                Lang::current(),
                "a-result",
                actual_value = show(&actual_value)
            ),
        ),
    };
    Verdict::new(ok, expected, actual)
}

/// Items of a sub-expression's value shown in its explanation.
const EXPLAIN_ITEMS: usize = 3;

/// Each sub-expression of a failed FHIRPath check with what it gave on this body, e.g.
/// `entry.where(search.mode = 'match').resource → 12 élément(s) : HealthcareService/hs-1, …`:
/// where the chain stops matching is where the server (or the expression) is wrong.
pub(super) async fn explain_fhirpath(
    spec: &FhirPathSpec,
    resp: &ResponseView<'_>,
    fp: &FhirPath,
) -> Vec<String> {
    let Ok(Some(document)) = resp.document() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for sub in rorcheck_fhirpath::sub_expressions(&spec.expr) {
        let line = match fp.evaluate_document(&sub, document).await {
            Ok(values) => {
                let shown: Vec<String> = values.iter().take(EXPLAIN_ITEMS).map(item).collect();
                let more = if values.len() > EXPLAIN_ITEMS {
                    ", …"
                } else {
                    ""
                };
                t!(
                    Lang::current(),
                    "a-sub-items",
                    sub = sub,
                    values_count = values.len(),
                    separator = if shown.is_empty() { "" } else { " : " },
                    shown = shown.join(", "),
                    more = more
                )
            }
            Err(e) => t!(Lang::current(), "a-sub-error", sub = sub, e = e),
        };
        lines.push(line);
    }
    lines
}

/// One value of an explanation: a resource by its `Type/id`, a Bundle entry by its
/// resource's, anything else as short JSON.
fn item(value: &Value) -> String {
    let key = |v: &Value| {
        Some(format!(
            "{}/{}",
            v.get("resourceType")?.as_str()?,
            v.get("id")?.as_str()?
        ))
    };
    match (key(value), value.get("resource").and_then(key)) {
        (Some(k), _) => k,
        (None, Some(k)) => t!(Lang::current(), "a-entry", k = k),
        _ => {
            let text = value.to_string();
            if text.chars().count() > 80 {
                format!("{}…", text.chars().take(80).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// The JSON body as a resource of the expected type, or the verdict explaining why not.
fn resource<'a>(
    resp: &'a ResponseView<'_>,
    resource_type: &str,
    expected: &str,
) -> Result<&'a Value, Verdict> {
    match resp.json() {
        Err(reason) => Err(Verdict::error(expected, reason.to_string())),
        Ok(None) => Err(Verdict::new(
            false,
            expected,
            t!(
                Lang::current(),
                "a-empty-body-expected",
                resource_type = resource_type
            ),
        )),
        Ok(Some(json)) => match json.get("resourceType").and_then(Value::as_str) {
            Some(t) if t == resource_type => Ok(json),
            Some(other) => Err(Verdict::new(
                false,
                expected,
                t!(
                    Lang::current(),
                    "a-other-type",
                    other = other,
                    resource_type = resource_type
                ),
            )),
            None => Err(Verdict::new(false, expected, "JSON sans resourceType")),
        },
    }
}

fn count_check(
    what: &str,
    cmp: Option<&Comparison>,
    actual: u64,
    expected: &mut Vec<String>,
    seen: &mut Vec<String>,
) -> bool {
    let Some(cmp) = cmp else { return true };
    expected.push(format!("{what} {cmp}"));
    seen.push(format!("{what} = {actual}"));
    cmp.holds(actual)
}

/// What the `bundle` check reads of a Bundle.
struct BundleFacts {
    bundle_type: Option<String>,
    total: Option<u64>,
    /// Each entry's `search.mode` and its resource's `resourceType`, when strings.
    entries: Vec<(Option<String>, Option<String>)>,
    relations: Vec<String>,
}

impl BundleFacts {
    /// Read from the parsed Bundle.
    fn of_value(bundle: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        BundleFacts {
            bundle_type: text(bundle.get("type")),
            total: bundle.get("total").and_then(Value::as_u64),
            entries: bundle
                .get("entry")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|e| {
                    (
                        text(e.pointer("/search/mode")),
                        text(e.pointer("/resource/resourceType")),
                    )
                })
                .collect(),
            relations: relations(bundle.get("link")),
        }
    }

    /// Read from its outline: what [`BundleFacts::of_value`] reads, without parsing the
    /// entries' resources (a page of 200 offers).
    fn of_outline(outline: &Outline) -> Self {
        BundleFacts {
            bundle_type: outline.bundle_type.as_str().map(str::to_owned),
            total: outline.total.as_u64(),
            entries: outline
                .entry
                .0
                .iter()
                .map(|e| {
                    (
                        e.mode().map(str::to_owned),
                        e.resource.resource_type().map(str::to_owned),
                    )
                })
                .collect(),
            relations: relations(Some(&outline.link)),
        }
    }

    fn mode_count(&self, mode: &str) -> u64 {
        self.entries
            .iter()
            .filter(|(m, _)| m.as_deref() == Some(mode))
            .count() as u64
    }
}

/// The `relation` of each of a Bundle's links that has one.
fn relations(links: Option<&Value>) -> Vec<String> {
    links
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|l| l.get("relation").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn bundle(spec: &BundleSpec, resp: &ResponseView<'_>) -> Verdict {
    let mut expected = Vec::new();
    let mut seen = Vec::new();
    // A Bundle nothing parsed yet is read narrowly; anything else (another type, not JSON)
    // the full way, which says what is wrong with it.
    let facts = match resp.outline() {
        Some(outline) if outline.resource_type.as_str() == Some("Bundle") => {
            BundleFacts::of_outline(&outline)
        }
        _ => match resource(resp, "Bundle", &t!(Lang::current(), "a-a-bundle")) {
            Ok(b) => BundleFacts::of_value(b),
            Err(v) => return v,
        },
    };
    let relations: Vec<&str> = facts.relations.iter().map(String::as_str).collect();
    let mut ok = true;

    if let Some(want) = &spec.bundle_type {
        let actual = facts.bundle_type.as_deref().unwrap_or("(absent)");
        expected.push(format!("type = {want}"));
        seen.push(format!("type = {actual}"));
        ok &= actual == want;
    }
    if let Some(cmp) = &spec.total {
        match facts.total {
            Some(total) => ok &= count_check("total", Some(cmp), total, &mut expected, &mut seen),
            None => {
                expected.push(format!("total {cmp}"));
                seen.push(t!(Lang::current(), "a-total-absent"));
                ok = false;
            }
        }
    }
    ok &= count_check(
        &t!(Lang::current(), "a-entries"),
        spec.entries.as_ref(),
        facts.entries.len() as u64,
        &mut expected,
        &mut seen,
    );
    ok &= count_check(
        &t!(Lang::current(), "a-entries-match"),
        spec.match_entries.as_ref(),
        facts.mode_count("match"),
        &mut expected,
        &mut seen,
    );
    ok &= count_check(
        &t!(Lang::current(), "a-entries-include"),
        spec.include.as_ref(),
        facts.mode_count("include"),
        &mut expected,
        &mut seen,
    );
    for (rtype, cmp) in &spec.resources {
        let n = facts
            .entries
            .iter()
            .filter(|(_, t)| t.as_deref() == Some(rtype.as_str()))
            .count() as u64;
        ok &= count_check(rtype, Some(cmp), n, &mut expected, &mut seen);
    }
    for rel in &spec.links {
        expected.push(t!(Lang::current(), "a-link-present", rel = rel));
        ok &= relations.contains(&rel.as_str());
    }
    for rel in &spec.no_links {
        expected.push(t!(Lang::current(), "a-link-absent", rel = rel));
        ok &= !relations.contains(&rel.as_str());
    }
    if !spec.links.is_empty() || !spec.no_links.is_empty() {
        seen.push(if relations.is_empty() {
            t!(Lang::current(), "a-no-link")
        } else {
            t!(Lang::current(), "a-links", relations = relations.join(", "))
        });
    }
    Verdict::new(
        ok,
        format!("Bundle : {}", expected.join(", ")),
        seen.join(", "),
    )
}

pub(super) fn operation_outcome(spec: &OperationOutcomeSpec, resp: &ResponseView<'_>) -> Verdict {
    let mut wanted = Vec::new();
    if let Some(s) = &spec.severity {
        wanted.push(format!("severity = {s}"));
    }
    if let Some(c) = &spec.code {
        wanted.push(format!("code = {c}"));
    }
    let expected = if wanted.is_empty() {
        t!(Lang::current(), "a-outcome-any")
    } else {
        t!(
            Lang::current(),
            "a-outcome-with",
            wanted = wanted.join(", ")
        )
    };
    let oo = match resource(resp, "OperationOutcome", &expected) {
        Ok(oo) => oo,
        Err(v) => return v,
    };
    let issues: &[Value] = oo
        .get("issue")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let field =
        |issue: &Value, key: &str| issue.get(key).and_then(Value::as_str).map(str::to_owned);
    let ok = issues.iter().any(|i| {
        spec.severity
            .as_ref()
            .is_none_or(|s| field(i, "severity").as_ref() == Some(s))
            && spec
                .code
                .as_ref()
                .is_none_or(|c| field(i, "code").as_ref() == Some(c))
    });
    let actual = if issues.is_empty() {
        "OperationOutcome sans issue".to_owned()
    } else {
        issues
            .iter()
            .map(|i| {
                let diag = field(i, "diagnostics")
                    .map(|d| format!(" « {d} »"))
                    .unwrap_or_default();
                format!(
                    "issue {}/{}{diag}",
                    field(i, "severity").unwrap_or_else(|| "?".into()),
                    field(i, "code").unwrap_or_else(|| "?".into())
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    Verdict::new(ok, expected, actual)
}
