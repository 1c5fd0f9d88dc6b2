//! The OAuth2 token endpoint (Keycloak-like): client_credentials with a secret (profile 0) or with a client certificate (RFC 8705).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::auth::Client;
use crate::faults::Fault;
use crate::log::{IssuedToken, RefusalKind, ResponseFacts};

use super::fhir::query_pairs;
use super::respond::{refused, with_facts};
use super::state::*;

/// `POST` on the token endpoint: a client_credentials grant, the client authenticated by
/// its secret (HTTP Basic or form fields, RFC 6749 §2.3.1) or by its certificate (RFC 8705).
pub(super) async fn issue(
    State(state): State<Shared>,
    peer: Option<axum::Extension<Peer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = query_pairs(std::str::from_utf8(&body).ok())
        .into_iter()
        .collect();
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "seul client_credentials est accepté",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type absent",
            );
        }
    }
    let peer = peer.map(|axum::Extension(p)| p);
    let Some((client, bound_to)) = authenticate(&state, &form, &headers, peer.as_ref()) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "authentification du client refusée",
        );
    };
    granted(&state, &client, bound_to.as_deref())
}

/// An OAuth2 error response (RFC 6749 §5.2), never cached.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = (
        status,
        no_store_json(),
        json!({ "error": error, "error_description": description }).to_string(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="ror""#),
        );
    }
    refused(resp, RefusalKind::Token, format!("{error} : {description}"))
}

/// The headers of every token endpoint answer: JSON, not to be stored.
fn no_store_json() -> [(header::HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// The client a request authenticates, and the thumbprint its token is bound to when it
/// authenticated by certificate.
fn authenticate(
    state: &MockState,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
    peer: Option<&Peer>,
) -> Option<(Client, Option<String>)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|d| String::from_utf8(d).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let credentials = basic.or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    });
    // mTLS clients (RFC 8705) send their client_id and are authenticated by their certificate.
    let by_certificate = || {
        let id = form.get("client_id")?;
        let peer = peer?;
        let thumbprint = peer.thumbprint.clone()?;
        let client =
            state
                .issuer
                .authenticate_certificate(id, &thumbprint, peer.subject.as_deref())?;
        Some((client.clone(), Some(thumbprint)))
    };
    let any_secret = state.faults.has(Fault::AcceptAnySecret);
    let by_secret = credentials.and_then(|(id, secret)| {
        let client = if any_secret {
            state
                .issuer
                .clients
                .iter()
                .find(|c| c.client_id == id && !c.secret.is_empty())
        } else {
            state.issuer.authenticate(&id, &secret)
        };
        client.map(|c| (c.clone(), None))
    });
    by_secret.or_else(by_certificate)
}

/// The token answer for an authenticated client (bound to its certificate, if any).
fn granted(state: &MockState, client: &Client, bound_to: Option<&str>) -> Response {
    let access_token = match bound_to {
        Some(thumbprint) => state.issuer.issue_bound(client, thumbprint),
        None => state.issuer.issue(client),
    };
    let issued = state
        .issuer
        .verify(&access_token, true, true)
        .ok()
        .map(|c| IssuedToken {
            jti: c.jti,
            expires_at: c.exp,
        });
    let body = if state.faults.has(Fault::TokenResponseIncomplete) {
        json!({ "access_token": access_token })
    } else {
        json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": state.issuer.lifetime_secs,
            "scope": "profile email"
        })
    };
    let response = (StatusCode::OK, no_store_json(), body.to_string()).into_response();
    with_facts(
        response,
        ResponseFacts {
            issued_token: issued,
            ..ResponseFacts::default()
        },
    )
}
