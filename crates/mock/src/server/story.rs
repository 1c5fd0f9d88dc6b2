//! Observer mode's control of the day-by-day story, outside the FHIR base.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::respond::outcome;
use super::state::*;

/// `POST /_rorcheck/story/next-day`: the observer's control to move the story on.
pub(super) async fn story_next_day(State(state): State<Shared>) -> Response {
    match state.advance_story() {
        Some(day) => (StatusCode::OK, axum::Json(day)).into_response(),
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            "Aucun récit jour par jour n'est joué (rorcheck observe --story)",
        ),
    }
}

/// `GET /_rorcheck/story`: the days so far and their changes.
pub(super) async fn story_days(State(state): State<Shared>) -> Response {
    match &state.story {
        Some(story) => (StatusCode::OK, axum::Json(story.days())).into_response(),
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            "Aucun récit jour par jour n'est joué (rorcheck observe --story)",
        ),
    }
}
