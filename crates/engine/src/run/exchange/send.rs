//! Sending: under the target's rate cap, asked again while the server is busy (429, 503),
//! and follow-up requests (a `next` link, an `$export` status or file URL) that go only to the
//! target's origins.

use crate::run::context::StepContext;
use crate::run::result::{AssertionResult, Status};
use rorcheck_http::{HttpClient, OutgoingRequest, ReceivedResponse, Redactor, TransportError};
use rorcheck_i18n::{Lang, t};
use rorcheck_scenario::{AuthMode, Flow, Step};

/// How many times a step is sent again when the server answers 429 or 503 (busy) while
/// the step expected something else.
pub(crate) const MAX_BUSY_RETRIES: u32 = 3;

/// How long to wait before sending again: the server's `Retry-After` when it gives one,
/// else the step's interval; never more than the target's bound, so that a run always ends.
pub(crate) fn retry_wait(
    st: &Step,
    headers: &reqwest::header::HeaderMap,
    bound: std::time::Duration,
) -> std::time::Duration {
    let asked = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, std::time::SystemTime::now()));
    let interval_ms = match st.flow() {
        Flow::Retry(r) => r.interval_ms,
        _ => 1000,
    };
    let default = std::time::Duration::from_millis(interval_ms);
    asked.unwrap_or(default).min(bound)
}

/// A `Retry-After` value in either form RFC 9110 §10.2.3 allows: delay-seconds, or an
/// HTTP-date (a date already past means at once).
pub(crate) fn retry_after(value: &str, now: std::time::SystemTime) -> Option<std::time::Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// Why a follow-up request was not sent.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FollowUpError {
    /// The server handed out a URL on another origin: a finding about the server.
    #[error(transparent)]
    Foreign(#[from] rorcheck_http::ForeignOrigin),
    /// No token could be obtained: the harness could not go on.
    #[error("{0}")]
    Token(String),
}

/// A GET to `url` (a `next` link, an `$export` status or file URL) with the headers of the
/// step's request and, when the step uses the target's authentication, the target's
/// current token (renewed if it expired meanwhile). `what` names the URL in the finding
/// when it points outside the target: such a URL is never requested.
pub(crate) async fn follow_up_request(
    ctx: &StepContext<'_>,
    st: &Step,
    base: &OutgoingRequest,
    url: url::Url,
    what: &str,
    redactor: &mut Redactor,
) -> Result<OutgoingRequest, FollowUpError> {
    ctx.target.credential_scope().check(&url, what)?;
    let mut headers: Vec<(String, String)> = base
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
        .cloned()
        .collect();
    if st.request.auth == AuthMode::Default
        && headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        let token = ctx.target.auth.bearer().await.map_err(|e| {
            FollowUpError::Token(redactor.text(&t!(Lang::current(), "s-no-token", e = e)))
        })?;
        if let Some(token) = token {
            redactor.add_secret(&token);
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
    }
    Ok(OutgoingRequest {
        method: reqwest::Method::GET,
        url,
        headers,
        body: None,
        timeout: base.timeout,
        max_body: base.max_body,
    })
}

/// The finding of a server that handed out a URL outside the target (a `next` link, an
/// `$export` status or file URL): always a failure, whatever the step asserts.
pub(crate) fn foreign_origin_finding(
    line: u64,
    foreign: &rorcheck_http::ForeignOrigin,
    redactor: &Redactor,
) -> AssertionResult {
    AssertionResult {
        kind: "origine",
        line,
        status: Status::Failed,
        expected: t!(Lang::current(), "s-follow-origin", api = foreign.api),
        actual: redactor.text(&foreign.to_string()),
        warning_only: false,
        because: Some(t!(Lang::current(), "s-token-origin")),
        explain: Vec::new(),
    }
}

/// Sends a follow-up request under the target's rate cap, asking again (within bounds)
/// while the server says it is busy (429, 503).
pub(crate) async fn send_follow_up(
    ctx: &StepContext<'_>,
    client: &HttpClient,
    st: &Step,
    request: &OutgoingRequest,
) -> Result<(ReceivedResponse, u32), TransportError> {
    let mut sent = 0;
    loop {
        if let Some(rate) = &ctx.target.rate {
            rate.acquire().await;
        }
        sent += 1;
        let response = client.send(request).await?;
        if matches!(response.status, 429 | 503) && sent <= MAX_BUSY_RETRIES {
            tokio::time::sleep(retry_wait(
                st,
                &response.headers,
                ctx.target.max_retry_after,
            ))
            .await;
            continue;
        }
        return Ok((response, sent));
    }
}
