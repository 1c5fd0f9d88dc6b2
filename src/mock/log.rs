//! The mock's request log: every request it received and the answer it gave, secrets
//! masked. Observer mode reads it to judge a vendor's application.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use crate::http::Redactor;

/// One request as the mock saw it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// RFC 3339, UTC.
    pub at: String,
    pub method: String,
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
    pub status: u16,
    pub response_bytes: usize,
}

/// A bounded log: the oldest entries go first.
#[derive(Debug)]
pub struct RequestLog {
    entries: Mutex<VecDeque<LoggedRequest>>,
    capacity: usize,
    redactor: Redactor,
}

impl RequestLog {
    pub fn new(capacity: usize, redactor: Redactor) -> Self {
        RequestLog {
            entries: Mutex::new(VecDeque::new()),
            capacity,
            redactor,
        }
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    pub fn push(&self, entry: LoggedRequest) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.push_back(entry);
            while entries.len() > self.capacity {
                entries.pop_front();
            }
        }
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }
}
