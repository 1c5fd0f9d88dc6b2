//! HAR 1.2 (HTTP Archive): the exchanges of a session in the format browsers' devtools load,
//! for a reviewer who wants to replay or inspect them. Everything put here is already masked.

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

use super::evidence::Exchange;

/// A whole archive.
#[derive(Debug, Clone, Serialize)]
pub struct Har {
    /// The `log` object.
    pub log: HarLog,
}

/// HAR `log`: version, creator and entries.
#[derive(Debug, Clone, Serialize)]
pub struct HarLog {
    /// `1.2`.
    pub version: &'static str,
    /// The tool that wrote it.
    pub creator: HarCreator,
    /// The exchanges, in order.
    pub entries: Vec<HarEntry>,
}

/// HAR `creator`.
#[derive(Debug, Clone, Serialize)]
pub struct HarCreator {
    /// `rorcheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// A header, cookie or query parameter.
#[derive(Debug, Clone, Serialize)]
pub struct NameValue {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One exchange of the archive.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarEntry {
    /// When the request was sent (RFC 3339).
    pub started_date_time: String,
    /// Milliseconds, the whole exchange.
    pub time: f64,
    /// The request.
    pub request: HarRequest,
    /// The response (status 0 when none came).
    pub response: HarResponse,
    /// Always empty: rorcheck caches nothing.
    pub cache: serde_json::Value,
    /// Send, wait and receive times.
    pub timings: HarTimings,
    /// What the exchange was for: scenario, step, page...
    pub comment: String,
}

/// HAR `request`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarRequest {
    /// The HTTP method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// `HTTP/1.1`.
    pub http_version: &'static str,
    /// None: rorcheck sends no cookie.
    pub cookies: Vec<NameValue>,
    /// Headers, credentials masked.
    pub headers: Vec<NameValue>,
    /// The query parameters, decoded.
    pub query_string: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The body, if any.
    pub post_data: Option<HarPostData>,
    /// -1: not measured.
    pub headers_size: i64,
    /// The body's size, -1 when none.
    pub body_size: i64,
}

/// HAR `postData`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarPostData {
    /// Its media type.
    pub mime_type: String,
    /// The body, masked.
    pub text: String,
}

/// HAR `response`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarResponse {
    /// 0 when no response came (HAR's convention for a failed request).
    pub status: u16,
    /// The reason phrase.
    pub status_text: String,
    /// `HTTP/1.1`.
    pub http_version: &'static str,
    /// None: cookies are not kept.
    pub cookies: Vec<NameValue>,
    /// Headers, credentials masked.
    pub headers: Vec<NameValue>,
    /// The body.
    pub content: HarContent,
    /// The `Location` header, if any.
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    /// -1: not measured.
    pub headers_size: i64,
    /// The body's size.
    pub body_size: i64,
}

/// HAR `content`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarContent {
    /// Size of the whole body, even when `text` holds only its start.
    pub size: i64,
    /// Its media type.
    pub mime_type: String,
    /// The body, masked (its start when it was cut).
    pub text: String,
    /// Says so when `text` is only the start of the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// HAR `timings`, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct HarTimings {
    /// Sending the request (0: not measured apart).
    pub send: f64,
    /// Waiting for the response headers.
    pub wait: f64,
    /// Reading the body.
    pub receive: f64,
}

fn pairs(list: &[(String, String)]) -> Vec<NameValue> {
    list.iter()
        .map(|(name, value)| NameValue {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn header<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_of(url: &str) -> Vec<NameValue> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| NameValue {
                    name: name.into_owned(),
                    value: value.into_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One exchange as the archive needs it, from either side of rorcheck.
pub struct EntryParts<'a> {
    /// When the request was sent (RFC 3339).
    pub started: String,
    /// The HTTP method.
    pub method: &'a str,
    /// The URL.
    pub url: String,
    /// Request headers, masked.
    pub request_headers: &'a [(String, String)],
    /// Request body, masked.
    pub request_body: Option<&'a str>,
    /// `None` when no response came.
    pub status: Option<u16>,
    /// Response headers, masked.
    pub response_headers: &'a [(String, String)],
    /// Response body, masked (possibly its start).
    pub response_body: &'a str,
    /// The whole body's size when `response_body` is only its start.
    pub response_size: usize,
    /// Time to the response headers.
    pub wait_ms: f64,
    /// Time to the end of the body.
    pub total_ms: f64,
    /// What the exchange was for.
    pub comment: String,
}

impl HarEntry {
    /// An entry from its parts.
    pub fn new(p: EntryParts<'_>) -> Self {
        let mime = |headers: &[(String, String)]| {
            header(headers, "content-type")
                .unwrap_or("application/octet-stream")
                .to_owned()
        };
        let truncated = p.response_size > p.response_body.len();
        HarEntry {
            started_date_time: p.started,
            time: p.total_ms,
            request: HarRequest {
                method: p.method.to_owned(),
                query_string: query_of(&p.url),
                url: p.url,
                http_version: "HTTP/1.1",
                cookies: Vec::new(),
                headers: pairs(p.request_headers),
                post_data: p.request_body.map(|text| HarPostData {
                    mime_type: mime(p.request_headers),
                    text: text.to_owned(),
                }),
                headers_size: -1,
                body_size: p.request_body.map_or(0, |b| b.len() as i64),
            },
            response: HarResponse {
                status: p.status.unwrap_or(0),
                status_text: String::new(),
                http_version: "HTTP/1.1",
                cookies: Vec::new(),
                headers: pairs(p.response_headers),
                content: HarContent {
                    size: p.response_size as i64,
                    mime_type: mime(p.response_headers),
                    text: p.response_body.to_owned(),
                    comment: truncated.then(|| {
                        t!(
                            Lang::current(),
                            "h-har-start",
                            shown = p.response_body.len(),
                            size = p.response_size
                        )
                    }),
                },
                redirect_url: String::new(),
                headers_size: -1,
                body_size: if p.status.is_some() {
                    p.response_size as i64
                } else {
                    -1
                },
            },
            cache: serde_json::json!({}),
            timings: HarTimings {
                send: 0.0,
                wait: p.wait_ms,
                receive: (p.total_ms - p.wait_ms).max(0.0),
            },
            comment: p.comment,
        }
    }

    /// An entry of a run's recorded exchange; `started` when the exchange has no time of
    /// its own (no response came).
    pub fn of_exchange(exchange: &Exchange, started: &str, comment: String) -> Self {
        let response = exchange.response.as_ref();
        let timings = exchange.timings.as_ref();
        HarEntry::new(EntryParts {
            started: timings
                .and_then(|t| t.started_at.clone())
                .unwrap_or_else(|| started.to_owned()),
            method: &exchange.request.method,
            url: exchange.request.url.clone(),
            request_headers: &exchange.request.headers,
            request_body: exchange.request.body.as_deref(),
            status: response.map(|r| r.status),
            response_headers: response.map_or(&[], |r| r.headers.as_slice()),
            response_body: response.map_or("", |r| r.body.as_str()),
            response_size: response.map_or(0, |r| r.body_bytes),
            wait_ms: timings.map_or(0.0, |t| t.headers_ms),
            total_ms: timings.map_or(0.0, |t| t.total_ms),
            comment,
        })
    }
}

impl Har {
    /// An archive of `entries`, written by this rorcheck.
    pub fn new(entries: Vec<HarEntry>) -> Self {
        Har {
            log: HarLog {
                version: "1.2",
                creator: HarCreator {
                    name: "rorcheck",
                    version: env!("CARGO_PKG_VERSION"),
                },
                entries,
            },
        }
    }

    /// The archive as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}
