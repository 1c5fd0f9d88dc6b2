//! The mock ROR over HTTP: FHIR endpoints (axum) and the token endpoint.
//!
//! Order of checks on every FHIR call, as on the real ROR: the bearer token (401), then
//! the four `Ror-*` headers (400, a documented choice: the ROR only says 4XX), then the
//! search parameters (400), then the resource (404).

mod access;
mod bulk;
mod fhir;
mod layers;
mod render;
mod respond;
mod state;
mod story;
mod token;

use axum::Router;
use axum::routing::{get, post};

use self::bulk::{export_file, export_kickoff, export_poll};
use self::fhir::{base_get, metadata, not_found, read, search_get, search_post};
use self::layers::{fault_layer, log_layer};
use self::story::{story_days, story_next_day};
use state::Shared;
pub use state::{MockState, Peer, STORY_PATH};

/// The router, with the FHIR API under `base_path` (e.g. `/ws-diffusion-fhir`).
pub(crate) fn router(state: Shared, base_path: &str) -> Router {
    let base = base_path.trim_end_matches('/');
    let fhir = Router::new()
        .route(&format!("{base}/metadata"), get(metadata))
        .route(&format!("{base}/$export"), get(export_kickoff))
        .route(&format!("{base}/$export-poll-status"), get(export_poll))
        .route(&format!("{base}/$export-get-file"), get(export_file))
        .route(&format!("{base}/{{resource_type}}"), get(search_get))
        .route(
            &format!("{base}/{{resource_type}}/_search"),
            post(search_post),
        )
        .route(&format!("{base}/{{resource_type}}/{{id}}"), get(read))
        .route(if base.is_empty() { "/" } else { base }, get(base_get))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            fault_layer,
        ));
    Router::new()
        .merge(fhir)
        .route(ror::TOKEN_PATH, post(token::issue))
        .route(STORY_PATH, get(story_days))
        .route(&format!("{STORY_PATH}/next-day"), post(story_next_day))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_layer,
        ))
        .with_state(state)
}
