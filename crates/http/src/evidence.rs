//! What was sent and received, kept as evidence for the reports (already redacted).

use serde::Serialize;

/// Bodies are kept up to this size in reports; the full body is still used for assertions.
pub const MAX_EVIDENCE_BODY: usize = 512 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Full size of the body in bytes, even when `body` was cut.
    pub body_bytes: usize,
    pub body_truncated: bool,
}

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
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    pub timings: Option<Timings>,
}
