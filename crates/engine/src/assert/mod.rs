//! Judging a response: each assertion kind gives a [`Verdict`] with expected and actual
//! values written for the report (in French).

use rorcheck_i18n::{Lang, t};
mod body;
mod headers;

use std::sync::OnceLock;

use reqwest::header::HeaderMap;
use serde_json::Value;

use rorcheck_conformance::Aspects;
use rorcheck_fhirpath::{Document, FhirPath, Reach};
pub use rorcheck_outcome::Status;
use rorcheck_scenario::{
    Check, ConformanceAspect, ConformanceSpec, ConnectionExpectation, StatusSpec, Step,
};

/// The verdict of one check on one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Passed, failed or errored (the expectation could not be evaluated).
    pub outcome: Status,
    /// What was expected, in French.
    pub expected: String,
    /// What the response gave, in French.
    pub actual: String,
}

impl Verdict {
    /// A pass when `ok`, else a failure.
    pub fn new(ok: bool, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Verdict {
            outcome: if ok { Status::Passed } else { Status::Failed },
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// A check that could not be evaluated (`errored`), and why.
    pub fn error(expected: impl Into<String>, reason: impl Into<String>) -> Self {
        Verdict {
            outcome: Status::Errored,
            expected: expected.into(),
            actual: reason.into(),
        }
    }
}

/// A body that is not JSON: it cannot be evaluated (an error, not a failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("le corps de la réponse n'est pas du JSON valide ({reason})")]
pub(crate) struct NotJson {
    /// What the JSON parser said.
    reason: String,
}

/// A response as assertions see it; the body is parsed as JSON once, on first need.
pub(crate) struct ResponseView<'a> {
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The request and run the conformance checks judge against.
    pub conformance: rorcheck_conformance::Context,
    json: OnceLock<Result<Value, NotJson>>,
    /// The body as FHIRPath reads it, built once for all the step's expressions.
    document: OnceLock<Result<Document, NotJson>>,
    /// The root members those expressions can read: only they are built (all by default).
    reach: Reach,
}

impl<'a> ResponseView<'a> {
    pub fn new(status: u16, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        ResponseView {
            status,
            headers,
            body,
            conformance: rorcheck_conformance::Context::default(),
            json: OnceLock::new(),
            document: OnceLock::new(),
            reach: Reach::whole(),
        }
    }

    /// The view of a step's response: its FHIRPath document holds what the step's
    /// expressions can read ([`fhirpath_reach`]).
    pub fn for_step(mut self, st: &Step) -> Self {
        self.reach = fhirpath_reach(st);
        self
    }

    pub fn with_conformance(mut self, ctx: rorcheck_conformance::Context) -> Self {
        self.conformance = ctx;
        self
    }

    /// The body as JSON. An empty body is `Ok(None)`: a missing resource is the server's
    /// fault (a failure), whereas a body that is not JSON cannot be evaluated (an error).
    pub fn json(&self) -> Result<Option<&Value>, NotJson> {
        if self.is_empty() {
            return Ok(None);
        }
        self.json
            .get_or_init(|| {
                serde_json::from_slice(self.body).map_err(|e| NotJson {
                    reason: e.to_string(),
                })
            })
            .as_ref()
            .map(Some)
            .map_err(Clone::clone)
    }

    /// The body as FHIRPath reads it (empty and not-JSON bodies as for [`Self::json`]):
    /// converted from the parsed JSON when an assertion already parsed it, else parsed
    /// straight into the engine's tree.
    pub fn document(&self) -> Result<Option<&Document>, NotJson> {
        if self.is_empty() {
            return Ok(None);
        }
        self.document
            .get_or_init(|| match self.json.get() {
                Some(Ok(json)) => Ok(Document::from_value(json)),
                Some(Err(e)) => Err(e.clone()),
                None => Document::parse_reaching(self.body, &self.reach).map_err(|e| NotJson {
                    reason: e.to_string(),
                }),
            })
            .as_ref()
            .map(Some)
            .map_err(Clone::clone)
    }

    /// The body as a Bundle's outline (its entries' contents skipped), when nothing parsed
    /// it yet; `None` when it is parsed already or must be read the full way.
    pub(crate) fn outline(&self) -> Option<crate::outline::Outline> {
        if self.json.get().is_some() || self.is_empty() {
            return None;
        }
        crate::outline::outline(self.body)
    }

    fn is_empty(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }
}

/// What a step's FHIRPath expressions can read of a response's root — its assertions', the
/// sub-expressions a failed one is explained by, its captures' — so that a search page is
/// not built whole for `total < 30`.
pub(crate) fn fhirpath_reach(st: &Step) -> Reach {
    let checked = st.expect.iter().filter_map(|a| match &a.value.check {
        Check::FhirPath(spec) => Some(spec.expr.as_str()),
        _ => None,
    });
    let captured = st.capture.iter().filter_map(|c| match &c.value.source {
        rorcheck_scenario::CaptureSource::FhirPath(expr) => Some(expr.as_str()),
        _ => None,
    });
    let exprs: Vec<&str> = checked.chain(captured).collect();
    let explained: Vec<String> = exprs
        .iter()
        .flat_map(|e| rorcheck_fhirpath::sub_expressions(e))
        .collect();
    Reach::of(
        exprs
            .into_iter()
            .chain(explained.iter().map(String::as_str)),
    )
}

/// Evaluates one check against a response.
pub(crate) async fn evaluate(
    check: &Check,
    resp: &ResponseView<'_>,
    fhirpath: &FhirPath,
) -> Verdict {
    match check {
        Check::Status(spec) => status(spec, resp.status),
        Check::Header(spec) => headers::header(spec, resp.headers),
        Check::ContentType(expected) => headers::content_type(expected, resp.headers),
        Check::FhirPath(spec) => body::fhirpath(spec, resp, fhirpath).await,
        Check::Bundle(spec) => body::bundle(spec, resp),
        Check::OperationOutcome(spec) => body::operation_outcome(spec, resp),
        Check::Conformance(spec) => conformance(aspects(spec), resp),
        // Judged on all pages or on the exported files, by the step (see run::paging and
        // run::export); validation keeps them out of other steps.
        Check::Pages(_) | Check::Exported(_) => {
            Verdict::error(check.kind(), t!(Lang::current(), "a-paged-only"))
        }
        // A response arrived, so the handshake was accepted.
        Check::Connection(ConnectionExpectation::TlsRefused) => Verdict::new(
            false,
            t!(Lang::current(), "a-tls-refused-expected"),
            t!(Lang::current(), "a-tls-accepted", status = resp.status),
        ),
    }
}

/// What the sub-expressions of a failed FHIRPath check gave (empty for other checks).
pub(crate) async fn explain(
    check: &Check,
    resp: &ResponseView<'_>,
    fhirpath: &FhirPath,
) -> Vec<String> {
    match check {
        Check::FhirPath(spec) => body::explain_fhirpath(spec, resp, fhirpath).await,
        _ => Vec::new(),
    }
}

/// Findings on the body: errors fail, warnings are listed with a pass.
pub(crate) fn conformance(
    aspects: rorcheck_conformance::Aspects,
    resp: &ResponseView<'_>,
) -> Verdict {
    let json = match resp.json() {
        Ok(Some(json)) => json,
        Ok(None) => {
            return Verdict::new(
                false,
                conformance_expected(),
                t!(Lang::current(), "a-empty-body"),
            );
        }
        Err(e) => return Verdict::error("conformance", e.to_string()),
    };
    let findings = rorcheck_conformance::check(json, &resp.conformance, aspects);
    findings_verdict(
        &findings,
        FindingCounts::of(&findings),
        &format!(
            "{} ressource(s)",
            rorcheck_conformance::resources(json).len()
        ),
    )
}

/// What a conformance assertion expects, in the run's language.
fn conformance_expected() -> String {
    t!(Lang::current(), "a-conformance-expected")
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// Findings that fail the check.
    pub errors: usize,
    /// Findings reported only.
    pub warnings: usize,
}

impl FindingCounts {
    /// The counts of `findings`.
    pub fn of(findings: &[rorcheck_conformance::Finding]) -> Self {
        let errors = findings
            .iter()
            .filter(|f| f.severity == rorcheck_conformance::Severity::Error)
            .count();
        FindingCounts {
            errors,
            warnings: findings.len() - errors,
        }
    }
}

/// The verdict on conformance findings: errors fail, warnings are listed with a pass.
/// `shown` are the findings kept (the first ones), `counts` how many there were in all,
/// `scope` what was checked (« 12 ressource(s) »).
pub(crate) fn findings_verdict(
    shown: &[rorcheck_conformance::Finding],
    counts: FindingCounts,
    scope: &str,
) -> Verdict {
    use rorcheck_conformance::Severity;
    const SHOWN: usize = 12;
    let total = counts.errors + counts.warnings;
    let mut listed: Vec<String> = shown
        .iter()
        .take(SHOWN)
        .map(|f| {
            let tag = if f.severity == Severity::Error {
                "écart"
            } else {
                "avertissement"
            };
            format!("[{tag}] {f}")
        })
        .collect();
    if total > listed.len() {
        listed.push(t!(
            Lang::current(),
            "a-and-more",
            count = total - listed.len()
        ));
    }
    let actual = if total == 0 {
        t!(Lang::current(), "a-no-finding-on", scope = scope)
    } else {
        t!(
            Lang::current(),
            "a-findings",
            errors = counts.errors,
            warnings = counts.warnings,
            scope = scope,
            listed = listed.join(" ; ")
        )
    };
    Verdict::new(counts.errors == 0, conformance_expected(), actual)
}

fn status(spec: &StatusSpec, actual: u16) -> Verdict {
    let ok = match spec {
        StatusSpec::Exact(c) => actual == *c,
        StatusSpec::AnyOf(set) => set.contains(&actual),
        StatusSpec::Class(class) => actual / 100 == *class,
    };
    Verdict::new(
        ok,
        t!(Lang::current(), "a-http-status", spec = spec),
        t!(Lang::current(), "a-http-status-actual", actual = actual),
    )
}

#[cfg(test)]
mod tests;

/// The conformance checks a `conformance:` assertion asks for.
pub fn aspects(spec: &ConformanceSpec) -> Aspects {
    match spec {
        ConformanceSpec::All(_) => Aspects::ALL,
        ConformanceSpec::Some(list) => Aspects {
            profiles: list.contains(&ConformanceAspect::Profiles),
            nomenclatures: list.contains(&ConformanceAspect::Nomenclatures),
            graph: list.contains(&ConformanceAspect::Graph),
            visibility: list.contains(&ConformanceAspect::Visibility),
            capability: list.contains(&ConformanceAspect::Capability),
        },
    }
}
