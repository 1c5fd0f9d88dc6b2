//! Layers around every handler: the request log, value-set systems, and injected faults.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Issuer;
use crate::faults::Fault;
use crate::log::{LoggedRequest, ResponseFacts, TokenSeen, TokenState};

use super::respond::outcome;
use super::state::*;

/// The bearer token of a call as the log keeps it: its `jti`, never the token.
pub(super) fn token_seen(issuer: &Issuer, token: &str) -> TokenSeen {
    match issuer.verify(token, true, true) {
        Ok(claims) => TokenSeen {
            // The issuer's own rule: a token is expired from its `exp` second on.
            state: if claims.exp <= chrono::Utc::now().timestamp() {
                TokenState::Expired
            } else {
                TokenState::Valid
            },
            jti: Some(claims.jti),
            client_id: Some(claims.client_id),
            expires_at: Some(claims.exp),
        },
        Err(_) => TokenSeen {
            jti: None,
            client_id: None,
            expires_at: None,
            state: TokenState::Invalid,
        },
    }
}

/// Records every request and the status answered (bodies up to 64 KiB are logged).
pub(super) async fn log_layer(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let redactor = state.log.redactor();
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| token_seen(&state.issuer, t.trim()));
    let client_id = token
        .as_ref()
        .filter(|t| t.state == TokenState::Valid)
        .and_then(|t| t.client_id.clone());
    let mut entry = LoggedRequest {
        seq: 0,
        at: crate::log::now(),
        elapsed_ms: state.log.elapsed_ms(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(|q| redactor.text(q)),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes());
                (k.as_str().to_owned(), redactor.header(k.as_str(), &value))
            })
            .collect(),
        body: (!bytes.is_empty()).then(|| redactor.text(&String::from_utf8_lossy(&bytes))),
        client_id,
        client_cert: parts
            .extensions
            .get::<Peer>()
            .and_then(|p| p.subject.clone()),
        token,
        status: 0,
        response_bytes: 0,
        response_headers: Vec::new(),
        response_excerpt: None,
        facts: ResponseFacts::default(),
    };
    let response = next
        .run(axum::extract::Request::from_parts(
            parts,
            axum::body::Body::from(bytes),
        ))
        .await;
    entry.status = response.status().as_u16();
    if let Some(facts) = response.extensions().get::<ResponseFacts>() {
        entry.facts = facts.clone();
        // Refusal messages may quote what the client sent.
        if let Some(refusal) = &mut entry.facts.refusal {
            refusal.message = redactor.text(&refusal.message);
        }
    }
    let (parts, body) = response.into_parts();
    let size = axum::body::HttpBody::size_hint(&body).exact();
    entry.response_bytes = size.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    // Observer mode keeps the answer as evidence: headers, and the start of bodies small
    // enough to hold (export files stream past untouched).
    let body = if state.record_served {
        entry.response_headers = parts
            .headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes());
                (k.as_str().to_owned(), redactor.header(k.as_str(), &value))
            })
            .collect();
        match size {
            Some(n) if n <= RESPONSE_BUFFER_LIMIT as u64 => {
                let bytes = axum::body::to_bytes(body, RESPONSE_BUFFER_LIMIT)
                    .await
                    .unwrap_or_default();
                let head = &bytes[..bytes.len().min(RESPONSE_EXCERPT)];
                entry.response_excerpt =
                    (!head.is_empty()).then(|| redactor.text(&String::from_utf8_lossy(head)));
                axum::body::Body::from(bytes)
            }
            _ => body,
        }
    } else {
        body
    };
    state.log.push(entry);
    Response::from_parts(parts, body)
}

/// Bodies up to this size are buffered to keep their start in the log (observer mode).
pub(super) const RESPONSE_BUFFER_LIMIT: usize = 1024 * 1024;

/// How much of a response body the log keeps.
pub(super) const RESPONSE_EXCERPT: usize = 2048;

/// TRE code systems and the JDV value sets that bind them, for `nos-value-set-systems`.
pub(super) const VALUE_SET_SWAPS: &[(&str, &str)] = &[
    (
        "NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle",
        "NOS/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR",
    ),
    (
        "NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge",
        "NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR",
    ),
    (
        "NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite",
        "NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR",
    ),
];

pub(super) async fn with_value_set_systems(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "corps illisible",
        );
    };
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for (tre, jdv) in VALUE_SET_SWAPS {
        text = text.replace(tre, jdv);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(text))
}

/// Faults that concern every FHIR response, whatever the interaction.
pub(super) async fn fault_layer(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if state.faults.has(Fault::ServerError) {
        return outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "Erreur interne simulée",
        );
    }
    if state.faults.has(Fault::Slow) {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    let mut response = next.run(request).await;
    if state.faults.has(Fault::BareErrors)
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        let status = response.status();
        return (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
            "",
        )
            .into_response();
    }
    if state.faults.has(Fault::NosValueSetSystems) {
        response = with_value_set_systems(response).await;
    }
    if state.faults.has(Fault::WrongContentType) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}
