//! Responses every handler shares: FHIR JSON, OperationOutcome, refusals with their facts.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::log::{Refusal, RefusalKind, ResponseFacts};

pub(crate) const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";

/// An OperationOutcome response.
pub fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }]
    });
    fhir_response(status, &body)
}

pub(super) fn fhir_response(status: StatusCode, body: &Value) -> Response {
    fhir_text(status, body.to_string())
}

/// Attaches what the response means for the log (see [`ResponseFacts`]).
pub(super) fn with_facts(mut response: Response, facts: ResponseFacts) -> Response {
    response.extensions_mut().insert(facts);
    response
}

pub(super) fn refused(response: Response, kind: RefusalKind, message: String) -> Response {
    with_facts(
        response,
        ResponseFacts {
            refusal: Some(Refusal { kind, message }),
            ..ResponseFacts::default()
        },
    )
}

pub(super) fn fhir_text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body,
    )
        .into_response()
}
