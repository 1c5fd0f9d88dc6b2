//! Evidence of an exchange: the request and response as recorded, secrets masked.

use std::time::Instant;

use crate::run::result::{FollowUp, StepResult};
use rorcheck_http::evidence::MAX_EVIDENCE_BODY;
use rorcheck_http::{
    Exchange, OutgoingRequest, ReceivedResponse, RecordedRequest, RecordedResponse, Redactor,
};

pub(crate) fn record_request(req: &OutgoingRequest, redactor: &Redactor) -> RecordedRequest {
    RecordedRequest {
        method: req.method.to_string(),
        url: redactor.text(req.url.as_str()),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), redactor.header(k, v)))
            .collect(),
        body: req
            .body
            .as_ref()
            .map(|b| redactor.clipped_bytes(b, MAX_EVIDENCE_BODY).0),
    }
}

pub(crate) fn record_response(resp: &ReceivedResponse, redactor: &Redactor) -> RecordedResponse {
    let (body, truncated) = redactor.clipped_bytes(&resp.body, MAX_EVIDENCE_BODY);
    RecordedResponse {
        status: resp.status,
        headers: resp
            .headers
            .iter()
            .map(|(k, v)| {
                let name = k.as_str().to_owned();
                let value = redactor.header(&name, &String::from_utf8_lossy(v.as_bytes()));
                (name, value)
            })
            .collect(),
        body,
        body_bytes: resp.body.len(),
        body_truncated: truncated,
        body_abridged: false,
    }
}

/// A step that ended before any response: the request alone as evidence.
pub(crate) fn without_response(
    mut result: StepResult,
    request: RecordedRequest,
    started: Instant,
) -> StepResult {
    result.exchange = Some(Exchange {
        request,
        response: None,
        timings: None,
    });
    result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    result
}

/// One further exchange of a step (a poll, a file, a page) as evidence.
pub(crate) fn evidence(
    label: String,
    req: &OutgoingRequest,
    resp: Option<&ReceivedResponse>,
    redactor: &Redactor,
) -> FollowUp {
    FollowUp {
        label,
        exchange: Exchange {
            request: record_request(req, redactor),
            response: resp.map(|r| record_response(r, redactor)),
            timings: resp.map(|r| r.timings.clone()),
        },
    }
}
