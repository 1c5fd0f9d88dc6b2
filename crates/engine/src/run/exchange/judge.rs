//! Judging a response: every expectation in order, the automatic conformance check, and
//! the step's status from its assertions.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use crate::assert::{self, ResponseView};
use crate::run::result::{AssertionResult, Status, StepResult};
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::Redactor;
use rorcheck_scenario::template::{self};
use rorcheck_scenario::{Check, ConnectionExpectation, Step};

/// Evaluates every expectation of a step on one response, in order. Checks for which
/// `deferred` holds are judged later on more than this response (all pages, the exported
/// files): they get a skipped placeholder at their index, to be replaced.
pub(crate) async fn judge(
    st: &Step,
    view: &ResponseView<'_>,
    vars: &BTreeMap<String, String>,
    fhirpath: &FhirPath,
    redactor: &Redactor,
    deferred: impl Fn(&Check) -> bool,
) -> Vec<AssertionResult> {
    let mut out = Vec::with_capacity(st.expect.len());
    for a in &st.expect {
        if deferred(&a.value.check) {
            out.push(AssertionResult {
                kind: a.value.check.kind(),
                line: a.referenced.line(),
                status: Status::Skipped,
                expected: String::new(),
                actual: t!(Lang::current(), "s-not-evaluated"),
                warning_only: a.value.warning_only,
                because: a.value.because.clone(),
                explain: Vec::new(),
            });
            continue;
        }
        let (verdict, explain) = match template::render_check(&a.value.check, vars) {
            Ok(check) => {
                let verdict = assert::evaluate(&check, view, fhirpath).await;
                // Only a failure is explained: it costs one evaluation per sub-expression.
                let explain = if verdict.outcome == Status::Failed {
                    assert::explain(&check, view, fhirpath).await
                } else {
                    Vec::new()
                };
                (verdict, explain)
            }
            Err(e) => (
                assert::Verdict::error(a.value.check.kind(), e.to_string()),
                Vec::new(),
            ),
        };
        out.push(AssertionResult {
            kind: a.value.check.kind(),
            line: a.referenced.line(),
            status: verdict.outcome,
            expected: redactor.text(&verdict.expected),
            actual: redactor.text(&verdict.actual),
            warning_only: a.value.warning_only,
            because: a.value.because.clone(),
            explain: explain.iter().map(|l| redactor.text(l)).collect(),
        });
    }
    out
}

/// The conformance checks on a FHIR body (a Bundle or a ROR resource) of a successful
/// response, when the step does not already assert them itself.
pub(crate) fn automatic_conformance(
    st: &Step,
    view: &ResponseView<'_>,
    line: u64,
) -> Option<AssertionResult> {
    if !(200..300).contains(&view.status)
        || st
            .expect
            .iter()
            .any(|a| matches!(a.value.check, Check::Conformance(_)))
    {
        return None;
    }
    let json = view.json().ok()??;
    let kind = json["resourceType"].as_str()?;
    if kind == "OperationOutcome" || kind == "CapabilityStatement" {
        return None;
    }
    let verdict = assert::conformance(rorcheck_conformance::Aspects::ALL, view);
    Some(AssertionResult {
        kind: "conformance",
        line,
        status: verdict.outcome,
        expected: verdict.expected,
        actual: verdict.actual,
        warning_only: false,
        because: Some(t!(Lang::current(), "check-all-because")),
        explain: Vec::new(),
    })
}

pub(crate) fn expects_tls_refusal(st: &Step) -> Option<&Spanned<rorcheck_scenario::Assertion>> {
    st.expect.iter().find(|a| {
        matches!(
            a.value.check,
            Check::Connection(ConnectionExpectation::TlsRefused)
        )
    })
}

/// The step's status and reason from its assertions: the worst non-warning outcome, and
/// the first expectation that did not hold.
pub(crate) fn settle(result: &mut StepResult, assertions: &[AssertionResult]) {
    for ar in assertions {
        if !ar.warning_only && !matches!(ar.status, Status::Passed | Status::Skipped) {
            if result.reason.is_none() {
                result.reason = Some(t!(
                    Lang::current(),
                    "s-expected-obtained",
                    expected = ar.expected,
                    actual = ar.actual
                ));
            }
            result.status = result.status.worst(ar.status);
        }
    }
}
