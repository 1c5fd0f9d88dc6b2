//! Building a step's request: URL, query, headers, body and credentials, from the
//! template and the current variables; an absolute URL outside the target is not built.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;

use crate::config::Target;
use rorcheck_http::OutgoingRequest;
use rorcheck_scenario::template::{self, TemplateError};
use rorcheck_scenario::{AuthMode, Body, Request, Step};

/// Why a step's request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A template of the step could not be rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// An absolute URL (often captured from a response) outside the target: not requested.
    #[error(transparent)]
    Foreign(#[from] rorcheck_http::ForeignOrigin),
}

/// Whether an absolute URL written in (or captured into) a step may be requested: the FHIR
/// API, a trusted origin, or the token endpoint's origin.
pub(crate) fn check_step_url(
    url: &url::Url,
    target: &Target,
) -> Result<(), rorcheck_http::ForeignOrigin> {
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
    target
        .credential_scope()
        .check(url, &t!(Lang::current(), "scope-step-url"))
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
    let url = request_url(req, target, vars)?;
    let mut headers = request_headers(req, target, &url, vars, default_bearer)?;
    let has_content_type = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let (body, default_type) = request_body(req, vars)?;
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

/// The step's URL: an absolute one (checked against the target's origins), or a path under
/// the target's base, with the step's query parameters.
fn request_url(
    req: &Request,
    target: &Target,
    vars: &BTreeMap<String, String>,
) -> Result<url::Url, BuildError> {
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
    Ok(url)
}

/// The headers: the target's defaults and credentials on its FHIR API only (a request to
/// another URL, the token endpoint, gets only what the step itself gives), then the step's.
fn request_headers(
    req: &Request,
    target: &Target,
    url: &url::Url,
    vars: &BTreeMap<String, String>,
    default_bearer: Option<&str>,
) -> Result<Vec<(String, String)>, BuildError> {
    let in_fhir_api = target.credential_scope().is_api(url);
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
    Ok(headers)
}

/// The body and the content type it implies when the step gives none.
fn request_body(
    req: &Request,
    vars: &BTreeMap<String, String>,
) -> Result<(Option<Vec<u8>>, Option<&'static str>), BuildError> {
    Ok(match &req.body {
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
    })
}
