//! Who may call: the bearer token (and its certificate binding), then the four `Ror-*` headers.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::TokenError;
use crate::faults::Fault;
use crate::log::RefusalKind;

use super::respond::{outcome, refused};
use super::state::*;

/// Why a FHIR call is refused before its parameters are even read.
#[derive(Debug)]
pub(super) enum Rejection {
    Token(TokenError),
    RorHeader(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Token(reason) => refused(
                unauthorized(&reason),
                RefusalKind::Token,
                reason.to_string(),
            ),
            Rejection::RorHeader(msg) => refused(
                outcome(StatusCode::BAD_REQUEST, "required", &msg),
                RefusalKind::RorHeader,
                msg,
            ),
        }
    }
}

pub(super) fn unauthorized(reason: &TokenError) -> Response {
    let mut resp = outcome(
        StatusCode::UNAUTHORIZED,
        "security",
        &format!("Authentification requise : {reason}"),
    );
    let challenge = match reason {
        TokenError::Missing => r#"Bearer realm="ror""#.to_owned(),
        other => {
            format!(r#"Bearer realm="ror", error="invalid_token", error_description="{other}""#)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The access profile of a valid bearer token; a certificate-bound token (RFC 8705) is only
/// valid on a connection presenting the same certificate.
pub(super) fn authorize(
    state: &MockState,
    headers: &HeaderMap,
    peer: &Peer,
) -> Result<u8, Rejection> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(Rejection::Token(TokenError::Missing))?;
    let allow_expired = state.faults.has(Fault::AcceptExpiredToken);
    let check_signature = !state.faults.has(Fault::AcceptTamperedToken);
    let claims = state
        .issuer
        .verify(token.trim(), allow_expired, check_signature)
        .map_err(Rejection::Token)?;
    if let Some(cnf) = &claims.cnf
        && peer.thumbprint.as_deref() != Some(cnf.x5t_s256.as_str())
    {
        return Err(Rejection::Token(TokenError::CertificateMismatch));
    }
    Ok(claims.access_profile)
}

/// The four `Ror-*` headers: present, and with the documented systems (raw OIDs).
pub(super) fn check_ror_headers(headers: &HeaderMap) -> Result<(), Rejection> {
    match ror::headers::problem(|name| headers.get(name).and_then(|v| v.to_str().ok())) {
        Some(problem) => Err(Rejection::RorHeader(problem.to_string())),
        None => Ok(()),
    }
}

/// The access profile of a caller that passed the token and header checks; as an extractor,
/// a handler taking it never runs for a refused call.
pub(super) struct Granted(pub(super) u8);

impl axum::extract::FromRequestParts<Shared> for Granted {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Shared,
    ) -> Result<Self, Rejection> {
        let peer = parts.extensions.get::<Peer>().cloned().unwrap_or_default();
        let profile = authorize(state, &parts.headers, &peer)?;
        if !state.faults.has(Fault::SkipRorHeaderCheck) {
            check_ror_headers(&parts.headers)?;
        }
        // The leak fault serves profile 0 what only profile 1 may see.
        if profile == 0 && state.faults.has(Fault::LeakRestrictedData) {
            return Ok(Granted(1));
        }
        Ok(Granted(profile))
    }
}
