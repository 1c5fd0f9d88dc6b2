//! What was sent and received, kept as evidence for the reports (already redacted).

use serde::Serialize;

/// Bodies are kept up to this size in reports; the full body is still used for assertions.
pub const MAX_EVIDENCE_BODY: usize = 512 * 1024;

/// How much of a passing step's response body the reports keep (`report.html` shows it,
/// `report.json` keeps it): the reader checks what failed. A run with an evidence archive
/// keeps every body whole (up to [`MAX_EVIDENCE_BODY`]) for its `session.har`.
pub const PASSING_BODY_KEPT: usize = 2048;

/// A request as the reports show it, secrets masked.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The URL, secrets masked.
    pub url: String,
    /// Headers, credentials masked.
    pub headers: Vec<(String, String)>,
    /// The body, masked and cut to [`MAX_EVIDENCE_BODY`].
    pub body: Option<String>,
}

/// A response as the reports show it, secrets masked.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Headers, credentials masked.
    pub headers: Vec<(String, String)>,
    /// The body, masked and cut to [`MAX_EVIDENCE_BODY`].
    pub body: String,
    /// Full size of the body in bytes, even when `body` was cut.
    pub body_bytes: usize,
    /// Whether `body` was cut.
    pub body_truncated: bool,
    /// Whether a report kept only the start of `body` (a passing step's, in
    /// `report.json`); the evidence archive's HAR has it whole.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub body_abridged: bool,
}

impl RecordedResponse {
    /// Keeps the first `max` bytes of the body (cut at a character boundary), marked
    /// `body_abridged`, and gives the rest of its memory back.
    pub fn abridge(&mut self, max: usize) {
        if self.body.len() <= max {
            return;
        }
        let mut end = max;
        while !self.body.is_char_boundary(end) {
            end -= 1;
        }
        self.body.truncate(end);
        self.body.shrink_to_fit();
        self.body_abridged = true;
    }
}

/// When an exchange happened and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct Timings {
    /// When the request was sent (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// From sending the request to receiving the response headers.
    pub headers_ms: f64,
    /// From sending the request to the end of the body.
    pub total_ms: f64,
}

/// Now, as `Timings::started_at` writes it.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One request and, if one came, its response.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// What was sent.
    pub request: RecordedRequest,
    /// What came back, if anything did.
    pub response: Option<RecordedResponse>,
    /// Its timings, when a response came.
    pub timings: Option<Timings>,
}
