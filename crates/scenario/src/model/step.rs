//! A step: its request, its flow (once, retry, follow_next, export) and what the consumer
//! is expected to send in observer mode.

use std::collections::BTreeMap;

use super::assertion::Assertion;
use super::capture::Capture;
use super::scalar::ScalarString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One request and what is expected of its response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// French name of the step, shown in reports.
    pub name: String,
    /// The request it sends.
    pub request: Request,
    /// Assertions on the response, evaluated in order; all are evaluated.
    #[schemars(with = "Vec<Assertion>", length(min = 1))]
    pub expect: Vec<Spanned<Assertion>>,
    /// Values taken from the response for later steps (`{{name}}`).
    #[serde(default)]
    #[schemars(with = "Vec<Capture>")]
    pub capture: Vec<Spanned<Capture>>,
    /// The step checks that the target can show what the scenario tests (e.g. more than
    /// 10 000 offers): when its expectations do not hold, the scenario is skipped with
    /// that reason rather than failed. A step that errors still errors.
    #[serde(default)]
    pub precondition: bool,
    /// Re-send the request until the expectations hold (polling, e.g. `$export`).
    /// A step takes at most one of `retry`, `follow_next` and `export` (see `Flow`).
    pub(crate) retry: Option<Retry>,
    /// Paging: after the first page, follow `link[next]` to the end. The step's
    /// assertions judge the first page, a `pages` assertion judges all of them, and
    /// conformance checks apply to every page.
    pub(crate) follow_next: Option<FollowNext>,
    /// Bulk extraction: the request is an `$export` kick-off; the step polls the status URL
    /// (honouring `Retry-After`) to the manifest and reads every output file as a stream.
    /// The step's assertions judge the manifest, an `exported` assertion judges the files,
    /// and conformance checks apply to every exported resource.
    pub(crate) export: Option<ExportFlow>,
}

/// How a step's request is carried out. The YAML names it with one of the keys `retry`,
/// `follow_next` and `export` (loading refuses more than one); none is a single exchange.
#[derive(Debug, Clone, Copy)]
pub enum Flow {
    /// One exchange (asked again only while the server says it is busy).
    Once,
    /// The same request until the expectations hold, within bounds.
    Retry(Retry),
    /// The first page, then `link[next]` to the end.
    FollowNext(FollowNext),
    /// `$export`: kick-off, polling to the manifest, every file read as a stream.
    Export(ExportFlow),
}

impl Step {
    /// The step's flow; when a file names several, the first of export, follow_next, retry
    /// (loading refuses such a file, so this only matters for steps built in code).
    pub fn flow(&self) -> Flow {
        match (self.export, self.follow_next, self.retry) {
            (Some(e), _, _) => Flow::Export(e),
            (None, Some(f), _) => Flow::FollowNext(f),
            (None, None, Some(r)) => Flow::Retry(r),
            (None, None, None) => Flow::Once,
        }
    }
}

/// How far a paged search is followed.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowNext {
    /// Pages in all, the first included (2 to 1000); a chain longer than that is reported
    /// as incomplete.
    #[serde(default = "default_max_pages")]
    #[schemars(range(min = 2, max = 1000))]
    pub max_pages: u32,
}

pub(super) fn default_max_pages() -> u32 {
    100
}

/// Bounds of the `$export` flow.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportFlow {
    /// Status requests at most before giving up (1 to 600).
    #[serde(default = "default_max_polls")]
    #[schemars(range(min = 1, max = 600))]
    pub max_polls: u32,
    /// Longest wait between two status requests, whatever `Retry-After` asks (seconds).
    #[serde(default = "default_max_wait")]
    pub max_wait_secs: u64,
}

pub(super) fn default_max_polls() -> u32 {
    60
}

pub(super) fn default_max_wait() -> u64 {
    30
}

/// Polling: the request is sent again while an expectation fails, waiting what the server
/// asks in `Retry-After` (at most 30 s), or `interval_ms` when it says nothing.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in all, first one included (2 to 60).
    #[schemars(range(min = 2, max = 60))]
    pub max_attempts: u32,
    /// Wait between attempts when the server sends no `Retry-After`.
    #[serde(default = "default_retry_interval")]
    pub interval_ms: u64,
}

pub(super) fn default_retry_interval() -> u64 {
    1000
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET (the default).
    #[default]
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// HEAD.
    Head,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// The request of a step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// GET unless given.
    #[serde(default)]
    pub method: Method,
    /// A path appended to the target's base URL (`/HealthcareService`), or an absolute URL
    /// (`{{next_url}}`).
    pub path: String,
    /// Query parameters in order, one `key: value` per item, so that a key may repeat.
    #[serde(default)]
    pub query: Vec<QueryParam>,
    /// Extra headers; they replace the target's default headers of the same name.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Default headers not to send on this request (e.g. `Ror-Role-Metier-Code`).
    #[serde(default)]
    pub omit_headers: Vec<String>,
    /// A body: JSON, text or a form.
    pub body: Option<Body>,
    /// The target's credentials (default), none, or a given bearer token.
    #[serde(default)]
    pub auth: AuthMode,
    /// Whether the target's client certificate is presented (mutual TLS targets).
    #[serde(default)]
    pub client_certificate: ClientCertificate,
    /// Overrides the run's per-request timeout.
    pub timeout_ms: Option<u64>,
}

/// What a consumer is expected to do for a scenario, in observer mode.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObserveSpec {
    /// The requests the consumer must send, replacing those derived from the steps.
    /// `{{variables}}` are the vendor's to choose and match any value.
    #[serde(default)]
    pub requests: Vec<ObservedRequest>,
    /// When `requests` is empty: judge the scenario on `requires` alone, not on requests
    /// derived from the steps (which test the server).
    #[serde(default)]
    pub behaviours_only: bool,
    /// Behaviours the consumer must also show for the scenario to pass.
    #[serde(default)]
    pub requires: Vec<ConsumerBehaviour>,
    /// Not judged in observer mode, for this reason.
    pub skip: Option<String>,
}

/// One request a consumer must send, in observer mode.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservedRequest {
    /// GET unless given.
    #[serde(default)]
    pub method: Method,
    /// Path under the FHIR base, e.g. `/HealthcareService`.
    pub path: String,
    /// Query parameters, in order.
    #[serde(default)]
    pub query: Vec<QueryParam>,
    /// The consumer must follow every `next` link of this search.
    #[serde(default)]
    pub follow_next: bool,
    /// The consumer must run this `$export` to the end (polling, every file).
    #[serde(default)]
    pub export: bool,
}

/// Behaviour checks of observer mode a scenario can require (ids COMP-01 to COMP-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConsumerBehaviour {
    /// COMP-01: a bearer token on every FHIR call.
    BearerToken,
    /// COMP-02: the four `Ror-*` headers on every FHIR call.
    RorHeaders,
    /// COMP-03: the token reused until it expires.
    TokenReuse,
    /// COMP-04: a new token asked for when the previous one expired.
    TokenRenewal,
    /// COMP-05: the client certificate presented (mTLS).
    ClientCertificate,
    /// COMP-06: only documented search parameters.
    DocumentedParameters,
    /// COMP-07: every `next` link followed.
    FollowNext,
    /// COMP-08: `$export` polled as `Retry-After` says, stopped at the manifest.
    ExportPolling,
    /// COMP-09: the day-by-day story kept up with.
    DailyUpdates,
}

impl ConsumerBehaviour {
    /// The id of the behaviour check in observer reports.
    pub fn check_id(self) -> &'static str {
        match self {
            ConsumerBehaviour::BearerToken => "COMP-01",
            ConsumerBehaviour::RorHeaders => "COMP-02",
            ConsumerBehaviour::TokenReuse => "COMP-03",
            ConsumerBehaviour::TokenRenewal => "COMP-04",
            ConsumerBehaviour::ClientCertificate => "COMP-05",
            ConsumerBehaviour::DocumentedParameters => "COMP-06",
            ConsumerBehaviour::FollowNext => "COMP-07",
            ConsumerBehaviour::ExportPolling => "COMP-08",
            ConsumerBehaviour::DailyUpdates => "COMP-09",
        }
    }
}

/// Which client certificate a request presents during the TLS handshake.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientCertificate {
    /// The target's certificate, if it has one.
    #[default]
    Target,
    /// None: to check that the server refuses the handshake.
    None,
}

/// One query parameter, written as a single-key map: `- _include: HealthcareService:location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParam {
    /// The parameter name, modifiers included.
    pub name: String,
    /// Its value (templates allowed).
    pub value: String,
}

impl<'de> Deserialize<'de> for QueryParam {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, ScalarString>::deserialize(d)?;
        let mut entries = map.into_iter();
        match (entries.next(), entries.next()) {
            (Some((name, value)), None) => Ok(QueryParam {
                name,
                value: value.0,
            }),
            _ => Err(serde::de::Error::custom(
                "a query parameter is one `name: value` pair per list item",
            )),
        }
    }
}

impl JsonSchema for QueryParam {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "QueryParam".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "One `name: value` pair; repeat the item to repeat the parameter",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": { "type": ["string", "number", "boolean"] }
        })
    }
}

/// A request body: exactly one of `json`, `text` or `form`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Body {
    /// A JSON document, sent as `application/fhir+json` unless a `Content-Type` is given.
    Json(serde_json::Value),
    /// Raw text.
    Text(String),
    /// `application/x-www-form-urlencoded` pairs, in order.
    Form(Vec<QueryParam>),
}

/// How the request is authenticated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum AuthMode {
    /// The target's authentication.
    #[default]
    Default,
    /// No `Authorization` header at all.
    None,
    /// This bearer token instead of the target's (e.g. a tampered one).
    Bearer(String),
}
