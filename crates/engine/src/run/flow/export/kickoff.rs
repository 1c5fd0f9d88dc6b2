//! The kick-off: `202 Accepted` with the status URL in `Content-Location`.

use crate::run::context::StepRun;
use crate::run::exchange::{record_response, send_follow_up};
use crate::run::result::{Cause, Status, StepResult};
use rorcheck_http::{Exchange, OutgoingRequest, RecordedRequest, Redactor};
use rorcheck_i18n::{Lang, t};

/// How the kick-off ended.
pub(super) enum Started {
    /// 202 with a usable status URL.
    Accepted(url::Url),
    /// An answer, but not the documented one: the reason of the failure.
    Refused(String),
    /// No answer at all (`result` says why): the request alone is the evidence.
    Unanswered(RecordedRequest),
}

/// Sends the kick-off (asked again while the server is busy) and reads its status URL.
pub(super) async fn start(
    run: &StepRun<'_, '_>,
    kickoff: &OutgoingRequest,
    recorded: RecordedRequest,
    redactor: &Redactor,
    result: &mut StepResult,
) -> Started {
    let (response, sent) = match send_follow_up(run.ctx, run.client, run.st(), kickoff).await {
        Ok(r) => r,
        Err(e) => {
            result.status = Status::Errored;
            result.cause = Cause::of_transport(&e);
            result.reason = Some(redactor.text(&t!(Lang::current(), "x-kickoff-failed", e = e)));
            return Started::Unanswered(recorded);
        }
    };
    result.attempts += sent;
    result.exchange = Some(Exchange {
        request: recorded,
        response: Some(record_response(&response, redactor)),
        timings: Some(response.timings.clone()),
    });
    if response.status != 202 {
        return Started::Refused(t!(
            Lang::current(),
            "x-kickoff-status",
            status = response.status
        ));
    }
    let location = response
        .headers
        .get("content-location")
        .and_then(|v| v.to_str().ok());
    match location.and_then(|loc| kickoff.url.join(loc).ok()) {
        Some(url) => Started::Accepted(url),
        None => Started::Refused(t!(Lang::current(), "x-kickoff-no-location")),
    }
}
