//! Polling the status URL: 202 while the job runs, waiting what `Retry-After` asks (bounded),
//! then 200 and the manifest.

use rorcheck_i18n::{Lang, t};
use std::time::Duration;

use super::deadline::{Deadline, Stage};
use crate::run::context::StepRun;
use crate::run::exchange::{
    FollowUpError, evidence, follow_up_request, foreign_origin_finding, retry_wait, send_follow_up,
};
use crate::run::result::{Status, StepResult};
use rorcheck_http::{OutgoingRequest, ReceivedResponse, Redactor};
use rorcheck_scenario::ExportFlow;

/// The bounds of the polling.
pub(super) struct Polling<'a> {
    /// The step's `export` settings (`max_polls`).
    pub flow: ExportFlow,
    /// The longest wait between polls, whatever `Retry-After` asks.
    pub bound: Duration,
    /// The export's one deadline.
    pub deadline: &'a Deadline,
}

/// The manifest: the 200 answer of the status URL.
pub(super) struct Manifest {
    pub response: ReceivedResponse,
}

/// One poll's answer.
enum Poll {
    Running(ReceivedResponse),
    Ready(ReceivedResponse),
}

/// Polls `status_url` to the manifest. `Err(Ended)` when the step ended there: `result` holds
/// the status, the reason and the evidence.
pub(super) async fn manifest(
    run: &StepRun<'_, '_>,
    polling: &Polling<'_>,
    kickoff: &OutgoingRequest,
    status_url: url::Url,
    redactor: &mut Redactor,
    result: &mut StepResult,
) -> Result<Manifest, Ended> {
    let mut polls = 0;
    loop {
        if polls >= polling.flow.max_polls {
            return Err(fail(
                result,
                t!(Lang::current(), "x-manifest-unavailable", polls = polls),
            ));
        }
        if polling.deadline.passed() {
            return Err(fail(result, polling.deadline.reason(Stage::BeforeManifest)));
        }
        polls += 1;
        match poll_once(run, kickoff, status_url.clone(), polls, redactor, result).await? {
            Poll::Ready(response) => return Ok(Manifest { response }),
            Poll::Running(response) => {
                let wait = retry_wait(run.st(), &response.headers, polling.bound);
                tokio::time::sleep(polling.deadline.clamp(wait)).await;
            }
        }
    }
}

/// Sends poll number `polls`; the first « in progress » answer and the manifest are kept
/// as evidence.
async fn poll_once(
    run: &StepRun<'_, '_>,
    kickoff: &OutgoingRequest,
    status_url: url::Url,
    polls: u32,
    redactor: &mut Redactor,
    result: &mut StepResult,
) -> Result<Poll, Ended> {
    let what = t!(Lang::current(), "x-status-url");
    let req = match follow_up_request(run.ctx, run.st(), kickoff, status_url, &what, redactor).await
    {
        Ok(r) => r,
        Err(FollowUpError::Foreign(e)) => {
            let finding = foreign_origin_finding(run.line(), &e, redactor);
            result.assertions.push(finding);
            return Err(fail(result, redactor.text(&e.to_string())));
        }
        Err(e @ FollowUpError::Token(_)) => {
            result.status = Status::Errored;
            result.reason = Some(e.to_string());
            return Err(Ended);
        }
    };
    let resp = match send_follow_up(run.ctx, run.client, run.st(), &req).await {
        Ok((r, sent)) => {
            result.attempts += sent;
            r
        }
        Err(e) => {
            let label = format!("interrogation {polls}");
            result
                .follow_ups
                .push(evidence(label, &req, None, redactor));
            result.status = Status::Errored;
            result.reason = Some(redactor.text(&t!(Lang::current(), "x-poll-failed", e = e)));
            return Err(Ended);
        }
    };
    match resp.status {
        202 => {
            if polls == 1 {
                let label = "interrogation 1 (en cours)".to_owned();
                result
                    .follow_ups
                    .push(evidence(label, &req, Some(&resp), redactor));
            }
            Ok(Poll::Running(resp))
        }
        200 => {
            let label = format!("manifeste (interrogation {polls})");
            result
                .follow_ups
                .push(evidence(label, &req, Some(&resp), redactor));
            Ok(Poll::Ready(resp))
        }
        other => {
            let label = format!("interrogation {polls}");
            result
                .follow_ups
                .push(evidence(label, &req, Some(&resp), redactor));
            Err(fail(
                result,
                t!(Lang::current(), "x-poll-status", other = other),
            ))
        }
    }
}

/// The step ended while polling: its result says how.
pub(super) struct Ended;

fn fail(result: &mut StepResult, reason: String) -> Ended {
    result.status = Status::Failed;
    result.reason = Some(reason);
    Ended
}
