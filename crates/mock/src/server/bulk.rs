//! Bulk data `$export`: kick-off, status polling with `Retry-After`, and the ndjson files.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::export::{self, Job};
use crate::faults::Fault;
use crate::log::{ExportFacts, ResponseFacts};

use super::access::Granted;
use super::fhir::{query_pairs, search_error, served_keys};
use super::respond::fhir_response;
use super::respond::{outcome, with_facts};
use super::state::*;

/// `$export` kick-off.
pub(super) async fn export_kickoff(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let params = query_pairs(raw.as_deref());
    let (format, files) = match export::plan(
        &state.store(),
        &params,
        profile,
        !state.faults.has(Fault::ExportIncomplete),
        !state.faults.has(Fault::ExportIgnoresTypeFilter),
    ) {
        Ok(plan) => plan,
        Err(e) => return search_error(&e),
    };
    let request = format!("{}/$export?{}", state.base_url, raw.unwrap_or_default());
    let id = state.exports.start(Job {
        profile,
        format,
        started: std::time::Instant::now(),
        request,
        files,
        polls: 0,
    });
    let location = format!("{}/$export-poll-status?_jobId={id}", state.base_url);
    let accepted = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "information", "code": "informational", "diagnostics": "Export accepté" }]
    });
    let mut resp = fhir_response(StatusCode::ACCEPTED, &accepted);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    with_facts(
        resp,
        ResponseFacts {
            export: Some(ExportFacts::Kickoff { job: id }),
            ..ResponseFacts::default()
        },
    )
}

pub(super) fn job_id(raw: Option<&str>) -> Option<String> {
    query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "_jobId")
        .map(|(_, v)| v)
}

/// `$export-poll-status`: 202 while running, 200 with the manifest when done.
pub(super) async fn export_poll(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let Some(id) = job_id(raw.as_deref()) else {
        return outcome(StatusCode::BAD_REQUEST, "required", "_jobId absent");
    };
    match state
        .exports
        .poll(&id, profile, state.export_delay, &state.base_url)
    {
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Export {id} inconnu"),
        ),
        Some(Err(progress)) => {
            let mut resp = StatusCode::ACCEPTED.into_response();
            let headers = resp.headers_mut();
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(progress.retry_after_secs),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("en cours ({} %)", progress.percent)) {
                headers.insert("x-progress", v);
            }
            let facts = ExportFacts::Poll {
                job: id,
                ready: false,
                retry_after_secs: Some(progress.retry_after_secs),
                files: Vec::new(),
            };
            with_facts(
                resp,
                ResponseFacts {
                    export: Some(facts),
                    ..ResponseFacts::default()
                },
            )
        }
        Some(Ok(manifest)) => {
            let files = manifest["output"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["type"].as_str().map(str::to_owned))
                .collect();
            let resp = (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                manifest.to_string(),
            )
                .into_response();
            let facts = ExportFacts::Poll {
                job: id,
                ready: true,
                retry_after_secs: None,
                files,
            };
            with_facts(
                resp,
                ResponseFacts {
                    export: Some(facts),
                    ..ResponseFacts::default()
                },
            )
        }
    }
}

/// `$export-get-file`: one output file of a finished job.
pub(super) async fn export_file(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let params: HashMap<String, String> = query_pairs(raw.as_deref()).into_iter().collect();
    let (Some(id), Some(file)) = (params.get("_jobId"), params.get("file")) else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "required",
            "_jobId et file sont requis",
        );
    };
    match state
        .exports
        .file(state.store(), id, file, profile, state.export_delay)
    {
        Some((format, body)) => {
            let resp = (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                )],
                axum::body::Body::new(body),
            )
                .into_response();
            let items = if state.record_served {
                state.exports.items(id, file)
            } else {
                Vec::new()
            };
            let store = state.store();
            let facts = ResponseFacts {
                export: Some(ExportFacts::File {
                    job: id.clone(),
                    file: file.clone(),
                }),
                resources: served_keys(&state, &store, items.iter()),
                ..ResponseFacts::default()
            };
            with_facts(resp, facts)
        }
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Fichier {file} de l'export {id} inconnu ou pas encore prêt"),
        ),
    }
}
