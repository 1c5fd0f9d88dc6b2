//! Sending one request and reading the whole response, with timings and a typed failure.

use rorcheck_i18n::{Lang, t};
use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::evidence::Timings;

/// A request ready to go: variables already filled in.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The full URL, query included.
    pub url: url::Url,
    /// Headers in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// The longest wait for an answer (and between two chunks of its body).
    pub timeout: Duration,
    /// The largest response body read; beyond it the exchange fails (see [`super::Limits`]).
    pub max_body: u64,
}

/// A response read whole, within the request's size limit.
#[derive(Debug, Clone)]
pub struct ReceivedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
    /// When it was sent and how long it took.
    pub timings: Timings,
}

/// Why no usable response came back. Messages never contain header values.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// No answer within the timeout (milliseconds).
    #[error("{}", t!(Lang::current(), "h-timeout", ms = .0.to_string()))]
    Timeout(u128),
    /// The connection could not be made.
    #[error("{}", t!(Lang::current(), "h-connect", why = .0))]
    Connect(String),
    /// The TLS handshake failed: the server refused the client (no or untrusted client
    /// certificate) or the client refused the server (untrusted certificate).
    #[error("{}", t!(Lang::current(), "h-tls", why = .0))]
    Tls(String),
    /// The request could not be built.
    #[error("{}", t!(Lang::current(), "h-build", why = .0))]
    Build(String),
    /// The exchange broke off.
    #[error("{}", t!(Lang::current(), "h-other", why = .0))]
    Other(String),
    /// The server sent (or announced) more than the target's limit allows: reading stopped
    /// there, so that no response can exhaust memory.
    #[error("{}", too_large(*limit, *announced))]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The Content-Length announced, when there was one.
        announced: Option<u64>,
    },
}

/// Why a body was cut, in the run's language.
fn too_large(limit: u64, announced: Option<u64>) -> String {
    let l = Lang::current();
    let announced = match announced {
        None => t!(l, "h-endless"),
        Some(n) => t!(l, "h-announced", size = super::limits::human_size(n)),
    };
    t!(
        l,
        "h-too-large",
        limit = super::limits::human_size(limit),
        announced = announced
    )
}

/// The most a body's buffer is sized to on the word of its `Content-Length` alone.
const HEAD_START: u64 = 4 * 1024 * 1024;

/// Reads a whole body, refusing one larger than `limit` before reading it (Content-Length)
/// or as soon as it grows past it (chunked or lying servers).
pub async fn read_capped(
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let announced = response.content_length();
    if let Some(n) = announced
        && n > limit
    {
        return Err(ReadError::TooLarge {
            limit,
            announced: Some(n),
        });
    }
    // The announced length is trusted for the allocation up to a head start (a page of 200
    // offers is ~1.5 MB: read without growing), the rest grows as it really arrives.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(HEAD_START) as usize);
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        let needed = body.len() + chunk.len();
        if needed as u64 > limit {
            return Err(ReadError::TooLarge {
                limit,
                announced: None,
            });
        }
        if needed > body.capacity() {
            // Doubling, but never past the limit: the peak stays near the limit.
            let target = (body.capacity() * 2)
                .max(needed)
                .min(usize::try_from(limit).unwrap_or(usize::MAX));
            body.reserve_exact(target - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Why [`read_capped`] stopped.
#[derive(Debug)]
pub enum ReadError {
    /// More than `limit` bytes (`announced` by Content-Length, or streamed).
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The Content-Length announced, when there was one.
        announced: Option<u64>,
    },
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

impl ReadError {
    /// The transport error a step reports.
    pub fn into_transport(self, timeout_ms: u128) -> TransportError {
        match self {
            ReadError::TooLarge { limit, announced } => {
                TransportError::BodyTooLarge { limit, announced }
            }
            ReadError::Transport(e) => classify(&e, timeout_ms),
        }
    }
}

/// The error and its causes on one line, e.g. `... <- invalid peer certificate: UnknownIssuer`.
pub fn chain(err: &reqwest::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(" <- ")
}

/// The HTTP client of a target, with its TLS settings.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// A client trusting the system roots, without client certificate (see
    /// [`super::identity::ClientTls`] for the settings every client shares).
    pub fn new() -> Result<Self, TransportError> {
        let inner = super::identity::ClientTls::default()
            .client()
            .map_err(|e| TransportError::Build(e.to_string()))?;
        Ok(HttpClient { inner })
    }

    /// A client over a configured reqwest client (the target's, with its certificates).
    pub fn from_reqwest(inner: reqwest::Client) -> Self {
        HttpClient { inner }
    }

    /// Sends the request and returns as soon as the status and headers are in, for a body
    /// read as a stream (`$export` files). The timeout covers the headers only; the reader
    /// bounds each chunk itself.
    pub async fn open(&self, req: &OutgoingRequest) -> Result<reqwest::Response, TransportError> {
        let builder = self.builder(req)?;
        let timeout_ms = req.timeout.as_millis();
        match tokio::time::timeout(req.timeout, builder.send()).await {
            Ok(result) => result.map_err(|e| classify(&e, timeout_ms)),
            Err(_) => Err(TransportError::Timeout(timeout_ms)),
        }
    }

    fn builder(&self, req: &OutgoingRequest) -> Result<reqwest::RequestBuilder, TransportError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &req.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                TransportError::Build(t!(Lang::current(), "h-header-name", name = name))
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                TransportError::Build(t!(Lang::current(), "h-header-value", name = name))
            })?;
            headers.append(name, value);
        }
        let mut builder = self
            .inner
            .request(req.method.clone(), req.url.clone())
            .headers(headers);
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        Ok(builder)
    }

    /// Sends `req` and reads its answer whole, within `req.max_body`.
    pub async fn send(&self, req: &OutgoingRequest) -> Result<ReceivedResponse, TransportError> {
        let builder = self.builder(req)?;
        let timeout_ms = req.timeout.as_millis();
        let started = Instant::now();
        let started_at = super::evidence::now();
        // One deadline for headers and body together: a server that stalls mid-body must
        // fail the step as surely as one that never answers.
        let exchange = async {
            let mut response = builder.send().await.map_err(|e| classify(&e, timeout_ms))?;
            let headers_ms = started.elapsed().as_secs_f64() * 1000.0;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = read_capped(&mut response, req.max_body)
                .await
                .map_err(|e| e.into_transport(timeout_ms))?;
            Ok(ReceivedResponse {
                status,
                headers,
                body,
                timings: Timings {
                    started_at: Some(started_at),
                    headers_ms,
                    total_ms: started.elapsed().as_secs_f64() * 1000.0,
                },
            })
        };
        match tokio::time::timeout(req.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout(timeout_ms)),
        }
    }
}

/// The TLS error behind a transport failure, if there is one. rustls errors travel inside
/// `io::Error`s, whose `source()` skips them, hence the look inside each one.
fn tls_cause(err: &reqwest::Error) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(tls) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls.to_string());
        }
        current = e.source();
    }
    None
}

/// Why a request failed, from the transport error and the timeout in force.
pub fn classify(err: &reqwest::Error, timeout_ms: u128) -> TransportError {
    if let Some(tls) = tls_cause(err) {
        TransportError::Tls(tls)
    } else if err.is_timeout() {
        TransportError::Timeout(timeout_ms)
    } else if err.is_connect() {
        TransportError::Connect(chain(err))
    } else if err.is_builder() {
        TransportError::Build(chain(err))
    } else {
        TransportError::Other(chain(err))
    }
}
