//! The mock's request log: every request it received and the answer it gave, secrets
//! masked. Observer mode reads it to judge a vendor's application.
//!
//! Handlers describe what they answered with [`ResponseFacts`] (a response extension), so
//! that the judge never has to parse response bodies again: which page of which search,
//! which export job, which token was issued, which resources were served, why a call was
//! refused.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use rorcheck_http::Redactor;

/// One request as the mock saw it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    /// Milliseconds since the mock started (monotonic: intervals are measured on it).
    pub elapsed_ms: u64,
    /// The HTTP method (`TLS` for a refused handshake).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Raw query string (percent-encoded as sent).
    pub query: Option<String>,
    /// Headers as sent, values masked where secret.
    pub headers: Vec<(String, String)>,
    /// Request body (masked), for form and JSON requests.
    pub body: Option<String>,
    /// Client of a valid bearer token, if any.
    pub client_id: Option<String>,
    /// Subject (common name) of the client certificate of the connection, on mTLS.
    pub client_cert: Option<String>,
    /// The bearer token presented, identified by its `jti` (never the token itself).
    pub token: Option<TokenSeen>,
    /// The status answered (0 for a refused handshake).
    pub status: u16,
    /// Size of the response body.
    pub response_bytes: usize,
    /// Response headers (masked), in observer mode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// The first 2 KiB of the response body (masked), in observer mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_excerpt: Option<String>,
    /// What the answer was, as the handler described it.
    pub facts: ResponseFacts,
}

impl LoggedRequest {
    /// The value of request header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A bearer token as presented on a call.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TokenSeen {
    /// `jti` of the token when its payload could be read.
    pub jti: Option<String>,
    /// The client the token was issued to, when its payload could be read.
    pub client_id: Option<String>,
    /// Expiry (Unix seconds) when the payload could be read.
    pub expires_at: Option<i64>,
    /// Valid, expired or invalid.
    pub state: TokenState,
}

/// What a presented token was worth.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// Signed by the mock and not expired.
    Valid,
    /// Signed by the mock, but expired.
    Expired,
    /// Malformed, badly signed or unknown.
    Invalid,
}

/// What the mock answered, in terms the observer can judge.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResponseFacts {
    /// The page served, for a search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<PageFacts>,
    /// The `$export` step served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportFacts>,
    /// `jti` and expiry of the token the token endpoint issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token: Option<IssuedToken>,
    /// `Type/id` of every resource served (matches, includes, read, export file), when the
    /// mock records them (observer mode).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Why the request was refused, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// One page of a search.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageFacts {
    /// The id of the saved search (`_getpages`).
    pub search: String,
    /// Index of the page's first match.
    pub offset: usize,
    /// Page size.
    pub count: usize,
    /// Matches of the whole search (as served, at most the synchronous cap).
    pub matches: usize,
    /// Offset of the next page, when the response links to one.
    pub next_offset: Option<usize>,
}

/// One step of an `$export`, as served.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportFacts {
    /// The kick-off created a job.
    Kickoff {
        /// The job's id.
        job: String,
    },
    /// The status URL was polled.
    Poll {
        /// The job's id.
        job: String,
        /// The manifest was served (200).
        ready: bool,
        /// `Retry-After` sent with a 202, in seconds.
        retry_after_secs: Option<u64>,
        /// Output files the manifest lists.
        files: Vec<String>,
    },
    /// A file was downloaded.
    File {
        /// The job's id.
        job: String,
        /// The file's name.
        file: String,
    },
}

/// A token the token endpoint issued.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IssuedToken {
    /// Its `jti`.
    pub jti: String,
    /// Its expiry (Unix seconds).
    pub expires_at: i64,
}

/// Why a request was refused.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refusal {
    /// What was refused.
    pub kind: RefusalKind,
    /// The refusal, as the OperationOutcome or OAuth2 error said it.
    pub message: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// No, expired or invalid bearer token (401).
    Token,
    /// A `Ror-*` header missing or invalid.
    RorHeader,
    /// A search parameter unknown or invalid.
    Parameter,
    /// The TLS handshake failed (no or untrusted client certificate).
    Tls,
}

/// A bounded log: the oldest entries go first.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
    capacity: usize,
    redactor: Redactor,
    started: std::time::Instant,
    next_seq: std::sync::atomic::AtomicU64,
}

impl RequestLog {
    pub fn new(capacity: usize, redactor: Redactor) -> Self {
        RequestLog {
            entries: Mutex::new(VecDeque::new()),
            capacity,
            redactor,
            started: std::time::Instant::now(),
            next_seq: std::sync::atomic::AtomicU64::new(1),
        }
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Milliseconds since the log was created.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Stamps `entry` with its arrival number and keeps it.
    pub fn push(&self, mut entry: LoggedRequest) {
        entry.seq = self
            .next_seq
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut entries) = self.entries.lock() {
            entries.push_back(entry);
            while entries.len() > self.capacity {
                entries.pop_front();
            }
        }
    }

    /// A connection whose TLS handshake failed: it never became a request, but the observer
    /// must see that the client did not present a valid certificate.
    pub(crate) fn push_handshake_failure(&self, reason: String) {
        self.push(LoggedRequest {
            seq: 0,
            at: now(),
            elapsed_ms: self.elapsed_ms(),
            method: "TLS".to_owned(),
            path: String::new(),
            query: None,
            headers: Vec::new(),
            body: None,
            client_id: None,
            client_cert: None,
            token: None,
            status: 0,
            response_bytes: 0,
            response_headers: Vec::new(),
            response_excerpt: None,
            facts: ResponseFacts {
                refusal: Some(Refusal {
                    kind: RefusalKind::Tls,
                    message: reason,
                }),
                ..ResponseFacts::default()
            },
        });
    }

    /// Entries that arrived after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .map(|e| e.iter().filter(|r| r.seq > seq).cloned().collect())
            .unwrap_or_default()
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
