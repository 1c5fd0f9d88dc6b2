//! Concluding a step on its last response: status from the assertions, captures, and the
//! exchange kept as evidence.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;

use super::capture::capture;
use super::judge::settle;
use super::record::record_response;
use crate::assert::ResponseView;
use crate::run::context::StepRun;
use crate::run::result::{AssertionResult, Status, StepResult};
use rorcheck_http::{Exchange, ReceivedResponse, RecordedRequest, Redactor};

/// The step's result from its final response and assertions.
pub(crate) async fn conclude(
    run: &StepRun<'_, '_>,
    recorded: RecordedRequest,
    response: &ReceivedResponse,
    assertions: Vec<AssertionResult>,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    mut result: StepResult,
) -> StepResult {
    settle(&mut result, &assertions);
    // Pages and polls are requests of one try, not attempts at the same request (which
    // a retried step or a busy server's Retry-After make).
    let retried = !matches!(
        run.st().flow(),
        rorcheck_scenario::Flow::FollowNext(_) | rorcheck_scenario::Flow::Export(_)
    );
    if retried && result.attempts > 1 && result.status != Status::Passed {
        result.reason = result.reason.map(|r| {
            t!(
                Lang::current(),
                "s-after-attempts",
                r = r,
                attempts = result.attempts
            )
        });
    }
    result.assertions = assertions;
    let view =
        ResponseView::new(response.status, &response.headers, &response.body).for_step(run.st());
    capture(
        run.st(),
        &view,
        run.ctx.fhirpath,
        vars,
        redactor,
        &mut result,
    )
    .await;
    // Evidence is recorded after captures so that a token captured here is masked too.
    result.exchange = Some(Exchange {
        request: recorded,
        response: Some(record_response(response, redactor)),
        timings: Some(response.timings.clone()),
    });
    result.duration_ms = run.elapsed_ms();
    result
}
