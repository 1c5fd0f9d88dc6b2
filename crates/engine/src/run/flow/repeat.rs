//! One request, sent once (`Once`) or until the expectations hold (`Retry`); in both, a busy
//! server (429, 503) is asked again after the wait it gives, within bounds.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;

use crate::assert::ResponseView;
use crate::run::context::StepRun;
use crate::run::exchange::{
    MAX_BUSY_RETRIES, automatic_conformance, conclude, expects_tls_refusal, judge, retry_wait,
    without_response,
};
use crate::run::result::{AssertionResult, Cause, Status, StepResult};
use rorcheck_http::{OutgoingRequest, ReceivedResponse, RecordedRequest, Redactor, TransportError};
use rorcheck_scenario::Check;

/// Runs the step's request up to `max_attempts` times and concludes on the last answer.
pub(crate) async fn run(
    run: &StepRun<'_, '_>,
    max_attempts: u32,
    request: OutgoingRequest,
    recorded: RecordedRequest,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    mut result: StepResult,
) -> StepResult {
    match send_until(run, max_attempts, &request, vars, redactor, &mut result).await {
        Some((response, assertions)) => {
            conclude(run, recorded, &response, assertions, vars, redactor, result).await
        }
        None => without_response(result, recorded, run.started),
    }
}

/// Sends `request` until its expectations hold or `max_attempts` answers were judged; the
/// last answer and its assertions. `None` when the step ended without an answer to judge
/// (a transport error, or the TLS refusal it expected): `result` says why.
pub(crate) async fn send_until(
    run: &StepRun<'_, '_>,
    max_attempts: u32,
    request: &OutgoingRequest,
    vars: &BTreeMap<String, String>,
    redactor: &mut Redactor,
    result: &mut StepResult,
) -> Option<(ReceivedResponse, Vec<AssertionResult>)> {
    let (ctx, st) = (run.ctx, run.st());
    let mut busy_retries = 0;
    let mut closed_connections = 0;
    loop {
        result.attempts += 1;
        if let Some(rate) = &ctx.target.rate {
            rate.acquire().await;
        }
        let response = match run.client.send(request).await {
            Ok(r) => r,
            Err(TransportError::Tls(why)) if expects_tls_refusal(st).is_some() => {
                result.assertions = tls_refused(run, &why, redactor);
                return None;
            }
            // With TLS 1.3 the server judges the client certificate after the client ends
            // its handshake: its refusal can arrive as a connection closed under the first
            // request instead of an alert. Asking again lets the alert itself be observed.
            Err(TransportError::Other(_) | TransportError::Connect(_))
                if expects_tls_refusal(st).is_some() && closed_connections < 3 =>
            {
                closed_connections += 1;
                continue;
            }
            Err(e) => {
                result.status = Status::Errored;
                result.cause = Cause::of_transport(&e);
                result.reason = Some(redactor.text(&e.to_string()));
                return None;
            }
        };
        // A token response's credentials are secrets before any assertion quotes them.
        redactor.learn_from_response(&response.body);
        let assertions = judge_answer(run, request, &response, vars, redactor).await;
        let holds = assertions
            .iter()
            .all(|a| a.warning_only || matches!(a.status, Status::Passed | Status::Skipped));
        if holds {
            return Some((response, assertions));
        }
        let wait = retry_wait(st, &response.headers, ctx.target.max_retry_after);
        // A busy server (429, 503) is asked again after the wait it gives, within bounds,
        // unless the step expected exactly that answer (then `holds` is true above).
        if matches!(response.status, 429 | 503) && busy_retries < MAX_BUSY_RETRIES {
            busy_retries += 1;
            tokio::time::sleep(wait).await;
            continue;
        }
        if result.attempts - busy_retries >= max_attempts {
            return Some((response, assertions));
        }
        tokio::time::sleep(wait).await;
    }
}

/// The step's assertions on one answer (a `pages` check waits for the pages), plus the
/// automatic conformance check under `--check-all`.
async fn judge_answer(
    run: &StepRun<'_, '_>,
    request: &OutgoingRequest,
    response: &ReceivedResponse,
    vars: &BTreeMap<String, String>,
    redactor: &Redactor,
) -> Vec<AssertionResult> {
    let ctx = run.ctx;
    let view = ResponseView::new(response.status, &response.headers, &response.body)
        .for_step(run.st())
        .with_conformance(ctx.conformance(request));
    let deferred = |c: &Check| matches!(c, Check::Pages(_));
    let mut assertions = judge(run.st(), &view, vars, ctx.fhirpath, redactor, deferred).await;
    if ctx.check_all
        && let Some(auto) = automatic_conformance(run.st(), &view, run.line())
    {
        assertions.push(AssertionResult {
            expected: redactor.text(&auto.expected),
            actual: redactor.text(&auto.actual),
            ..auto
        });
    }
    assertions
}

/// The `connection: tls_refused` expectation, met: the handshake was refused.
fn tls_refused(run: &StepRun<'_, '_>, why: &str, redactor: &Redactor) -> Vec<AssertionResult> {
    expects_tls_refusal(run.st())
        .map(|a| AssertionResult {
            kind: "connection",
            line: a.referenced.line(),
            status: Status::Passed,
            expected: t!(Lang::current(), "a-tls-refused-expected"),
            actual: redactor.text(&t!(Lang::current(), "a-tls-refused", why = why)),
            warning_only: a.value.warning_only,
            because: a.value.because.clone(),
            explain: Vec::new(),
        })
        .into_iter()
        .collect()
}
