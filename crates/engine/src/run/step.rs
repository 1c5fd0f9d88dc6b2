//! Executing one step: build the request, send it, judge the response, capture values.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::result::{AssertionResult, CaptureResult, Status, StepResult};
use crate::assert::{self, Outcome, ResponseView};
use crate::config::Target;
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::evidence::MAX_EVIDENCE_BODY;
use rorcheck_http::{
    Exchange, HttpClient, OutgoingRequest, ReceivedResponse, RecordedRequest, RecordedResponse,
    Redactor, TransportError,
};
use rorcheck_scenario::template::{self, TemplateError};
use rorcheck_scenario::{
    AuthMode, Body, CaptureSource, Check, ClientCertificate, ConnectionExpectation, Step,
};

/// What every step of a run shares.
pub struct StepContext<'a> {
    pub client: &'a HttpClient,
    pub fhirpath: &'a FhirPath,
    pub target: &'a Target,
    /// Apply the conformance checks to every FHIR body received (`--check-all`, or the
    /// scenario's `conformance: true`).
    pub check_all: bool,
    /// Unknown NOS codes are errors.
    pub strict: bool,
}

impl StepContext<'_> {
    /// What the conformance checks judge a response of `request` against.
    pub(crate) fn conformance(&self, request: &OutgoingRequest) -> rorcheck_conformance::Context {
        rorcheck_conformance::Context {
            request_url: Some(request.url.clone()),
            access_profile: self.target.access_profile.map(|p| p.number()),
            strict: self.strict,
        }
    }
}

/// Why a step's request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// An absolute URL (often captured from a response) outside the target: not requested.
    #[error(transparent)]
    Foreign(#[from] rorcheck_http::ForeignOrigin),
}

/// Whether an absolute URL written in (or captured into) a step may be requested: the FHIR
/// API, a trusted origin, or the token endpoint's origin.
fn check_step_url(url: &url::Url, target: &Target) -> Result<(), rorcheck_http::ForeignOrigin> {
    // The token endpoint: the target's own, or the one it gives scenarios as `token_url`.
    let token_origins = target
        .oauth_client()
        .map(|(t, _)| t.origin())
        .into_iter()
        .chain(
            target
                .variables
                .get("token_url")
                .and_then(|t| url::Url::parse(t).ok())
                .map(|t| t.origin()),
        );
    if token_origins.into_iter().any(|o| o == url.origin()) {
        return Ok(());
    }
    target.credential_scope().check(url, "l'URL de l'étape")
}

/// Builds the request of a step with the current variables; `default_bearer` is the
/// target's current token, sent when the step keeps the default authentication.
pub fn build_request(
    step: &Step,
    target: &Target,
    vars: &BTreeMap<String, String>,
    default_bearer: Option<&str>,
) -> Result<OutgoingRequest, BuildError> {
    let req = &step.request;
    let path = template::render(&req.path, vars)?;
    let mut url = if path.starts_with("http://") || path.starts_with("https://") {
        let url =
            url::Url::parse(&path).map_err(|e| TemplateError::Unclosed(format!("{path}: {e}")))?;
        check_step_url(&url, target)?;
        url
    } else {
        let mut base = target.base_url.clone();
        let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
        // A relative path may carry its own query (`/Organization?_id=1`).
        match joined.split_once('?') {
            Some((p, q)) => {
                base.set_path(p);
                base.set_query(Some(q));
            }
            None => {
                base.set_path(&joined);
                base.set_query(None);
            }
        }
        base
    };
    if !req.query.is_empty() {
        let rendered: Vec<(String, String)> = req
            .query
            .iter()
            .map(|q| Ok((q.name.clone(), template::render(&q.value, vars)?)))
            .collect::<Result<_, TemplateError>>()?;
        url.query_pairs_mut().extend_pairs(rendered);
    }

    // The target's default headers and credentials belong to its FHIR API: a request to
    // another URL (the token endpoint) gets only what the step itself gives.
    let in_fhir_api = target.credential_scope().is_api(&url);
    let mut headers: Vec<(String, String)> = target
        .headers
        .iter()
        .filter(|_| in_fhir_api)
        .filter(|(k, _)| {
            !req.omit_headers.iter().any(|o| o.eq_ignore_ascii_case(k))
                && !req.headers.keys().any(|h| h.eq_ignore_ascii_case(k))
        })
        .cloned()
        .collect();
    for (k, v) in &req.headers {
        headers.push((k.clone(), template::render(v, vars)?));
    }
    let bearer = match &req.auth {
        AuthMode::Default => default_bearer.filter(|_| in_fhir_api).map(str::to_owned),
        AuthMode::None => None,
        AuthMode::Bearer(token) => Some(template::render(token, vars)?),
    };
    if let Some(token) = bearer
        && !req
            .omit_headers
            .iter()
            .any(|o| o.eq_ignore_ascii_case("authorization"))
    {
        headers.push(("Authorization".into(), format!("Bearer {token}")));
    }

    let has_content_type = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let (body, default_type) = match &req.body {
        None => (None, None),
        Some(Body::Json(v)) => (
            Some(template::render_json(v, vars)?.to_string().into_bytes()),
            Some("application/fhir+json"),
        ),
        Some(Body::Text(t)) => (
            Some(template::render(t, vars)?.into_bytes()),
            Some("text/plain"),
        ),
        Some(Body::Form(pairs)) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for p in pairs {
                form.append_pair(&p.name, &template::render(&p.value, vars)?);
            }
            (
                Some(form.finish().into_bytes()),
                Some("application/x-www-form-urlencoded"),
            )
        }
    };
    if let (Some(ct), false) = (default_type, has_content_type) {
        headers.push(("Content-Type".into(), ct.into()));
    }
    Ok(OutgoingRequest {
        method: reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .unwrap_or(reqwest::Method::GET),
        url,
        headers,
        body,
        timeout: req
            .timeout_ms
            .map_or(target.timeout, std::time::Duration::from_millis),
        max_body: target.limits.max_body,
    })
}

pub(crate) fn record_request(req: &OutgoingRequest, redactor: &Redactor) -> RecordedRequest {
    RecordedRequest {
        method: req.method.to_string(),
        url: redactor.text(req.url.as_str()),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), redactor.header(k, v)))
            .collect(),
        body: req.body.as_ref().map(|b| {
            redactor
                .clipped(&String::from_utf8_lossy(b), MAX_EVIDENCE_BODY)
                .0
        }),
    }
}

pub(crate) fn record_response(resp: &ReceivedResponse, redactor: &Redactor) -> RecordedResponse {
    let text = String::from_utf8_lossy(&resp.body);
    let (body, truncated) = redactor.clipped(&text, MAX_EVIDENCE_BODY);
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
    }
}

/// The value a capture takes from the response, as text.
async fn capture_value(
    source: &CaptureSource,
    view: &ResponseView<'_>,
    fhirpath: &FhirPath,
) -> Result<String, String> {
    match source {
        CaptureSource::Status => Ok(view.status.to_string()),
        CaptureSource::Header(name) => view
            .headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .ok_or_else(|| format!("en-tête {name} absent de la réponse")),
        CaptureSource::FhirPath(expr) => {
            let json = view
                .json()?
                .ok_or_else(|| "corps de réponse vide".to_owned())?;
            let results = fhirpath
                .evaluate(expr, json)
                .await
                .map_err(|e| e.to_string())?;
            match results.first() {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Ok(other.to_string()),
                None => Err(format!("`{expr}` ne donne aucun résultat")),
            }
        }
    }
}

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "secret", "password", "jeton"]
        .iter()
        .any(|w| lower.contains(w))
}

pub(crate) fn status_of(outcome: Outcome) -> Status {
    match outcome {
        Outcome::Pass => Status::Passed,
        Outcome::Fail => Status::Failed,
        Outcome::Error => Status::Errored,
    }
}

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
                actual: "non évalué".into(),
                warning_only: a.value.warning_only,
                because: a.value.because.clone(),
            });
            continue;
        }
        let verdict = match template::render_check(&a.value.check, vars) {
            Ok(check) => assert::evaluate(&check, view, fhirpath).await,
            Err(e) => assert::Verdict::error(a.value.check.kind(), e.to_string()),
        };
        out.push(AssertionResult {
            kind: a.value.check.kind(),
            line: a.referenced.line(),
            status: status_of(verdict.outcome),
            expected: redactor.text(&verdict.expected),
            actual: redactor.text(&verdict.actual),
            warning_only: a.value.warning_only,
            because: a.value.because.clone(),
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
        status: status_of(verdict.outcome),
        expected: verdict.expected,
        actual: verdict.actual,
        warning_only: false,
        because: Some("contrôle de conformité automatique (--check-all)".into()),
    })
}

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
    let default = std::time::Duration::from_millis(st.retry.map_or(1000, |r| r.interval_ms));
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

fn expects_tls_refusal(st: &Step) -> Option<&Spanned<rorcheck_scenario::Assertion>> {
    st.expect.iter().find(|a| {
        matches!(
            a.value.check,
            Check::Connection(ConnectionExpectation::TlsRefused)
        )
    })
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
            FollowUpError::Token(
                redactor.text(&format!("jeton d'accès impossible à obtenir : {e}")),
            )
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
        expected: format!(
            "liens de suivi sur l'origine de la cible ({}) ou une origine de confiance",
            foreign.api
        ),
        actual: redactor.text(&foreign.to_string()),
        warning_only: false,
        because: Some(
            "le jeton d'accès n'est envoyé qu'à l'origine de l'API FHIR (fuite de jeton, SSRF)"
                .into(),
        ),
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

/// The step's status and reason from its assertions: the worst non-warning outcome, and
/// the first expectation that did not hold.
pub(crate) fn settle(result: &mut StepResult, assertions: &[AssertionResult]) {
    for ar in assertions {
        if !ar.warning_only && !matches!(ar.status, Status::Passed | Status::Skipped) {
            if result.reason.is_none() {
                result.reason = Some(format!("attendu {}, obtenu {}", ar.expected, ar.actual));
            }
            result.status = result.status.worst(ar.status);
        }
    }
}

/// Takes the step's captures from `view` into `vars`; a capture that finds nothing fails a
/// step that had passed. Captured secrets are added to `redactor`.
pub(crate) async fn capture(
    st: &Step,
    view: &ResponseView<'_>,
    fhirpath: &FhirPath,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    result: &mut StepResult,
) {
    for c in &st.capture {
        let name = &c.value.name;
        match capture_value(&c.value.source, view, fhirpath).await {
            Ok(value) => {
                if is_secret_name(name) {
                    redactor.add_secret(&value);
                }
                result.captures.push(CaptureResult {
                    name: name.clone(),
                    value: redactor.text(&value),
                });
                vars.insert(name.clone(), value);
            }
            Err(why) => {
                if result.status == Status::Passed {
                    result.status = Status::Failed;
                    result.reason = Some(format!("capture `{name}` impossible : {why}"));
                }
            }
        }
    }
}

/// Runs one step. Captured values are added to `vars`; captured secrets to `redactor`.
pub async fn run_step(
    ctx: &StepContext<'_>,
    step: &Spanned<Step>,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
) -> StepResult {
    let started = Instant::now();
    let st = &step.value;
    let mut result = StepResult {
        name: st.name.clone(),
        line: step.referenced.line(),
        status: Status::Passed,
        reason: None,
        duration_ms: 0.0,
        attempts: 0,
        exchange: None,
        assertions: Vec::new(),
        captures: Vec::new(),
        follow_ups: Vec::new(),
        cause: None,
    };
    let elapsed = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;

    // The target's token, obtained (or renewed) from its token endpoint when it has one.
    let default_bearer = if st.request.auth == AuthMode::Default {
        match ctx.target.auth.bearer().await {
            Ok(token) => {
                if let Some(t) = &token {
                    redactor.add_secret(t);
                }
                token
            }
            Err(e) => {
                result.status = Status::Errored;
                result.cause = super::result::Cause::of_token(&e);
                result.reason =
                    Some(redactor.text(&format!("jeton d'accès impossible à obtenir : {e}")));
                result.duration_ms = elapsed(started);
                return result;
            }
        }
    } else {
        None
    };
    let request = match build_request(st, ctx.target, vars, default_bearer.as_deref()) {
        Ok(r) => r,
        // A URL outside the target, captured from an earlier response: the server pointed
        // the client elsewhere, a finding; nothing is sent there.
        Err(BuildError::Foreign(e)) => {
            result.status = Status::Failed;
            result.reason = Some(redactor.text(&e.to_string()));
            result.duration_ms = elapsed(started);
            return result;
        }
        Err(e) => {
            result.status = Status::Errored;
            result.reason = Some(redactor.text(&format!("requête impossible à construire : {e}")));
            result.duration_ms = elapsed(started);
            return result;
        }
    };
    // Whatever credential the step sends (its own bearer, a secret in a form) is masked
    // wherever it shows up, like the target's own.
    redactor.learn_from_request(&request.headers, request.body.as_deref());
    let recorded = record_request(&request, redactor);
    let without_certificate;
    let client = match st.request.client_certificate {
        ClientCertificate::Target => ctx.client,
        ClientCertificate::None => {
            without_certificate =
                HttpClient::from_reqwest(ctx.target.http_without_certificate.clone());
            &without_certificate
        }
    };
    if let Some(flow) = st.export {
        return super::export::run_flow(
            super::export::FlowContext {
                step: ctx,
                flow,
                client,
                started,
            },
            step,
            request,
            recorded,
            vars,
            redactor,
            result,
        )
        .await;
    }
    let max_attempts = st.retry.map_or(1, |r| r.max_attempts.max(1));
    let mut busy_retries = 0;
    let mut closed_connections = 0;
    let (response, assertions) = loop {
        result.attempts += 1;
        if let Some(rate) = &ctx.target.rate {
            rate.acquire().await;
        }
        let response = match client.send(&request).await {
            Ok(r) => r,
            Err(TransportError::Tls(why)) if expects_tls_refusal(st).is_some() => {
                let expected = expects_tls_refusal(st);
                result.assertions = expected
                    .map(|a| AssertionResult {
                        kind: "connection",
                        line: a.referenced.line(),
                        status: Status::Passed,
                        expected: "poignée de main TLS refusée par le serveur".into(),
                        actual: redactor.text(&format!("poignée de main TLS refusée : {why}")),
                        warning_only: a.value.warning_only,
                        because: a.value.because.clone(),
                    })
                    .into_iter()
                    .collect();
                return without_response(result, recorded, started);
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
                result.cause = super::result::Cause::of_transport(&e);
                result.reason = Some(redactor.text(&e.to_string()));
                return without_response(result, recorded, started);
            }
        };
        // A token response's credentials are secrets before any assertion quotes them.
        redactor.learn_from_response(&response.body);
        let view = ResponseView::new(response.status, &response.headers, &response.body)
            .with_conformance(ctx.conformance(&request));
        let mut assertions = judge(st, &view, vars, ctx.fhirpath, redactor, |c| {
            matches!(c, Check::Pages(_))
        })
        .await;
        if ctx.check_all
            && let Some(auto) = automatic_conformance(st, &view, step.referenced.line())
        {
            assertions.push(AssertionResult {
                expected: redactor.text(&auto.expected),
                actual: redactor.text(&auto.actual),
                ..auto
            });
        }
        let holds = assertions
            .iter()
            .all(|a| a.warning_only || matches!(a.status, Status::Passed | Status::Skipped));
        if holds {
            break (response, assertions);
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
            break (response, assertions);
        }
        tokio::time::sleep(wait).await;
    };
    let mut assertions = assertions;
    if let Some(follow) = st.follow_next {
        let followed =
            super::paging::follow(ctx, step, follow, &request, client, &response, redactor).await;
        followed.apply(st, &mut assertions, redactor);
        if let Some(foreign) = &followed.foreign {
            assertions.push(foreign_origin_finding(
                step.referenced.line(),
                foreign,
                redactor,
            ));
        }
        result.follow_ups = followed.follow_ups;
        result.attempts += followed.requests;
    }
    settle(&mut result, &assertions);
    if result.attempts > 1 && result.status != Status::Passed {
        result.reason = result
            .reason
            .map(|r| format!("{r} (après {} tentatives)", result.attempts));
    }
    result.assertions = assertions;
    let view = ResponseView::new(response.status, &response.headers, &response.body);

    capture(st, &view, ctx.fhirpath, vars, redactor, &mut result).await;

    // Evidence is recorded after captures so that a token captured here is masked too.
    result.exchange = Some(Exchange {
        request: recorded,
        response: Some(record_response(&response, redactor)),
        timings: Some(response.timings.clone()),
    });
    result.duration_ms = elapsed(started);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use rorcheck_scenario::parse_scenario;

    fn step(yaml_steps: &str) -> Step {
        let text = format!(
            "id: T-001\ntitle: t\ndescription: d\npriority: 1\nmodality: recherche\nvariables: {{ id: \"06/1\" }}\nsteps:\n{yaml_steps}"
        );
        let s = parse_scenario(std::path::Path::new("t.yaml"), &text).expect("valid");
        s.steps[0].value.clone()
    }

    fn target() -> Target {
        let mut t = Target::new("t", "http://h.test/fhir").expect("target");
        t.variables
            .insert("token_url".into(), "http://auth.test/token".into());
        t
    }

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("id".to_owned(), "06/1".to_owned()),
            (
                "next".to_owned(),
                "http://h.test/fhir?_getpages=x".to_owned(),
            ),
        ])
    }

    fn header<'a>(req: &'a OutgoingRequest, name: &str) -> Option<&'a str> {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn fhir_requests_get_defaults_repeated_query_keys_and_the_bearer() {
        let st = step(
            "  - name: s\n    request:\n      path: /HealthcareService\n      query:\n        - identifier: \"{{id}}\"\n        - _include: A:b\n        - _include: C:d\n      omit_headers: [Ror-Role-Metier-Code]\n    expect:\n      - status: 200\n",
        );
        let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
        assert_eq!(
            req.url.as_str(),
            "http://h.test/fhir/HealthcareService?identifier=06%2F1&_include=A%3Ab&_include=C%3Ad"
        );
        assert_eq!(header(&req, "authorization"), Some("Bearer tok"));
        assert_eq!(header(&req, "ror-profil-utilisateur-code"), Some("CU22"));
        assert_eq!(
            header(&req, "ror-role-metier-code"),
            None,
            "omitted on request"
        );
    }

    #[test]
    fn other_urls_get_neither_default_headers_nor_credentials() {
        let st = step(
            "  - name: s\n    request:\n      method: POST\n      path: http://auth.test/token\n      body:\n        form:\n          - grant_type: client_credentials\n    expect:\n      - status: 200\n",
        );
        let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
        assert_eq!(header(&req, "authorization"), None);
        assert_eq!(header(&req, "ror-profil-utilisateur-code"), None);
        assert_eq!(
            header(&req, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            req.body.as_deref(),
            Some(&b"grant_type=client_credentials"[..])
        );
        // An absolute URL under the base (a next link) is part of the FHIR API.
        let st = step(
            "  - name: s\n    request:\n      path: \"{{next}}\"\n    expect:\n      - status: 200\n",
        );
        let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
        assert_eq!(header(&req, "authorization"), Some("Bearer tok"));
    }

    #[test]
    fn retry_after_is_read_in_both_forms() {
        use std::time::{Duration, SystemTime};
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 06 Nov 1994 08:49:37
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        // The two obsolete forms recipients must accept too.
        assert_eq!(
            retry_after("Sunday, 06-Nov-94 08:49:42 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after("Sun Nov  6 08:49:39 1994", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date means at once"
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn foreign_absolute_urls_are_refused_and_lookalike_hosts_get_no_token() {
        let st = step(
            "  - name: s\n    request:\n      path: \"{{next}}\"\n    expect:\n      - status: 200\n",
        );
        let mut v = vars();
        v.insert("next".into(), "http://evil.test/fhir?_getpages=x".into());
        let err = build_request(&st, &target(), &v, Some("tok")).expect_err("foreign");
        assert!(matches!(err, BuildError::Foreign(_)), "{err}");
        // A host that merely starts like the target's is another origin.
        v.insert("next".into(), "http://h.test.evil/fhir?_getpages=x".into());
        assert!(build_request(&st, &target(), &v, Some("tok")).is_err());
        // The same origin outside the base path: sent, without the token or Ror headers.
        v.insert("next".into(), "http://h.test/fhirevil/x".into());
        let req = build_request(&st, &target(), &v, Some("tok")).expect("same origin");
        assert_eq!(header(&req, "authorization"), None);
    }

    #[test]
    fn auth_none_and_explicit_bearer_override_the_target() {
        let st = step(
            "  - name: s\n    request:\n      path: /x\n      auth: none\n    expect:\n      - status: 401\n",
        );
        assert_eq!(
            header(
                &build_request(&st, &target(), &vars(), Some("tok")).expect("builds"),
                "authorization"
            ),
            None
        );
        let st = step(
            "  - name: s\n    request:\n      path: /x\n      auth: { bearer: \"{{id}}x\" }\n    expect:\n      - status: 401\n",
        );
        assert_eq!(
            header(
                &build_request(&st, &target(), &vars(), Some("tok")).expect("builds"),
                "authorization"
            ),
            Some("Bearer 06/1x")
        );
    }
}
