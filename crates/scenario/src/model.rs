//! The scenario model: plain data, exactly as written in the YAML files.
//!
//! Every struct denies unknown fields so that a typo is an error, never a silently ignored
//! key. Types that carry "exactly one of" rules (an assertion kind, a capture source...) are
//! read through a `Raw*` twin and converted with `try_from`, so the rule is enforced while
//! parsing and the error points at the offending YAML node.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identifier, e.g. `EXT-001`: a modality prefix and three digits.
    #[schemars(
        with = "String",
        regex(pattern = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]{3}$")
    )]
    pub id: Spanned<String>,
    /// French title, shown in every report.
    pub title: String,
    /// What the consumer must do and why it matters.
    pub description: String,
    /// 1 = CRITIQUE, 2 = MAJEUR, 3 = MINEUR (PLATINES criticality levels).
    pub priority: Priority,
    /// Consumption modality or cross-cutting category.
    pub modality: Modality,
    #[serde(default)]
    pub tags: Vec<String>,
    /// References to the source documents (e.g. `ror-fhir-api §2.5 flux 3`).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Access profiles (0 to 5) the scenario applies to; empty means all.
    #[serde(default)]
    pub access_profiles: Vec<AccessProfile>,
    /// Apply the ROR conformance checks (profiles, nomenclatures, search graph, visibility)
    /// to every Bundle or resource this scenario receives, as `run --check-all` does.
    #[serde(default)]
    pub conformance: bool,
    /// Variables with their default value; a target may override them. A variable written
    /// `~` (no default) must come from the target, or the scenario is skipped.
    #[serde(default)]
    pub variables: BTreeMap<String, Option<String>>,
    /// Ordered steps: a failed step stops the scenario.
    #[schemars(with = "Vec<Step>", length(min = 1))]
    pub steps: Vec<Spanned<Step>>,
    /// How observer mode judges a vendor's application on this scenario (by default the
    /// expected requests are derived from the steps).
    #[serde(default)]
    pub observe: Option<ObserveSpec>,
    /// The file the scenario was read from (set by the loader).
    #[serde(skip)]
    #[schemars(skip)]
    pub source: PathBuf,
}

impl Scenario {
    pub fn id(&self) -> &str {
        &self.id.value
    }

    /// Whether the scenario is meant for a client of this access profile.
    pub fn applies_to_profile(&self, profile: Option<AccessProfile>) -> bool {
        match profile {
            None => true,
            Some(p) => self.access_profiles.is_empty() || self.access_profiles.contains(&p),
        }
    }
}

/// PLATINES criticality, written as 1, 2 or 3 in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Priority {
    Critique,
    Majeur,
    Mineur,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Critique, Priority::Majeur, Priority::Mineur];

    pub fn number(self) -> u8 {
        match self {
            Priority::Critique => 1,
            Priority::Majeur => 2,
            Priority::Mineur => 3,
        }
    }

    /// The label PLATINES shows.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Critique => "CRITIQUE",
            Priority::Majeur => "MAJEUR",
            Priority::Mineur => "MINEUR",
        }
    }

    /// Points removed from the PLATINES-style score for each failed scenario.
    pub fn weight(self) -> u32 {
        match self {
            Priority::Critique => 100,
            Priority::Majeur => 50,
            Priority::Mineur => 25,
        }
    }
}

impl TryFrom<u8> for Priority {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Priority::Critique),
            2 => Ok(Priority::Majeur),
            3 => Ok(Priority::Mineur),
            other => Err(format!(
                "priority must be 1 (CRITIQUE), 2 (MAJEUR) or 3 (MINEUR), not {other}"
            )),
        }
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.number()
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{} {}", self.number(), self.label())
    }
}

impl JsonSchema for Priority {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Priority".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "1 = CRITIQUE, 2 = MAJEUR, 3 = MINEUR",
            "type": "integer",
            "enum": [1, 2, 3]
        })
    }
}

/// The consumption modalities of the ROR, and the cross-cutting categories.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Extraction,
    MiseAJour,
    MiseAJourOi,
    Recherche,
    Auth,
    Securite,
    Nomenclature,
    ProfilsAcces,
    Erreurs,
    Capacites,
}

impl Modality {
    pub const ALL: [Modality; 10] = [
        Modality::Extraction,
        Modality::MiseAJour,
        Modality::MiseAJourOi,
        Modality::Recherche,
        Modality::Auth,
        Modality::Securite,
        Modality::Nomenclature,
        Modality::ProfilsAcces,
        Modality::Erreurs,
        Modality::Capacites,
    ];

    /// The identifier used in YAML, on the command line and in `classname`.
    pub fn key(self) -> &'static str {
        match self {
            Modality::Extraction => "extraction",
            Modality::MiseAJour => "mise-a-jour",
            Modality::MiseAJourOi => "mise-a-jour-oi",
            Modality::Recherche => "recherche",
            Modality::Auth => "auth",
            Modality::Securite => "securite",
            Modality::Nomenclature => "nomenclature",
            Modality::ProfilsAcces => "profils-acces",
            Modality::Erreurs => "erreurs",
            Modality::Capacites => "capacites",
        }
    }

    /// French label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Extraction => "Extraction",
            Modality::MiseAJour => "Mise à jour",
            Modality::MiseAJourOi => "Mise à jour d'une OI",
            Modality::Recherche => "Recherche",
            Modality::Auth => "Authentification",
            Modality::Securite => "Sécurité",
            Modality::Nomenclature => "Nomenclatures",
            Modality::ProfilsAcces => "Profils d'accès",
            Modality::Erreurs => "Erreurs",
            Modality::Capacites => "Capacités",
        }
    }

    pub fn from_key(key: &str) -> Option<Modality> {
        Modality::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl fmt::Display for Modality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

pub use ror::AccessProfile;

/// One request and what is expected of its response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// French name of the step, shown in reports.
    pub name: String,
    pub request: Request,
    /// Assertions on the response, evaluated in order; all are evaluated.
    #[schemars(with = "Vec<Assertion>", length(min = 1))]
    pub expect: Vec<Spanned<Assertion>>,
    /// Values taken from the response for later steps (`{{name}}`).
    #[serde(default)]
    #[schemars(with = "Vec<Capture>")]
    pub capture: Vec<Spanned<Capture>>,
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

fn default_max_pages() -> u32 {
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

fn default_max_polls() -> u32 {
    60
}

fn default_max_wait() -> u64 {
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

fn default_retry_interval() -> u64 {
    1000
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
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

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
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
    pub body: Option<Body>,
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
    #[serde(default)]
    pub method: Method,
    /// Path under the FHIR base, e.g. `/HealthcareService`.
    pub path: String,
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
    pub name: String,
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

/// A scalar read as text whatever its YAML type (`_count: 50` gives "50").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarString(pub String);

impl<'de> Deserialize<'de> for ScalarString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ScalarString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ScalarString(v.to_owned()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(ScalarString(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(ScalarString(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(ScalarString(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(ScalarString(v.to_string()))
            }
        }
        d.deserialize_any(V)
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

/// One expectation on a response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawAssertion")]
#[schemars(with = "RawAssertion")]
pub struct Assertion {
    pub check: Check,
    /// Reported, but does not fail the scenario.
    pub warning_only: bool,
    /// Why this matters, shown beside the result.
    pub because: Option<String>,
}

/// The kinds of assertion.
#[derive(Debug, Clone)]
pub enum Check {
    Status(StatusSpec),
    Header(HeaderSpec),
    ContentType(String),
    FhirPath(FhirPathSpec),
    Bundle(BundleSpec),
    OperationOutcome(OperationOutcomeSpec),
    Connection(ConnectionExpectation),
    Conformance(ConformanceSpec),
    Pages(PagesSpec),
    Exported(ExportedSpec),
}

/// Expectations on every page of a followed search (`follow_next`). Unless switched off,
/// the chain must end, no resource may appear on two pages, no page may hold more than
/// `page_size` matches and the totals must agree with what was collected.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagesSpec {
    /// Number of pages fetched, the first included.
    pub count: Option<Comparison>,
    /// Number of distinct matches over all pages.
    pub matches: Option<Comparison>,
    /// Most matches a page may hold (RG_RECH_52: 200).
    #[serde(default = "default_page_size")]
    pub page_size: u64,
    /// The last page has no `next` link within `max_pages`.
    #[serde(default = "yes")]
    pub complete: bool,
    /// No resource appears as a match on two pages.
    #[serde(default = "yes")]
    pub unique: bool,
    /// Every page gives the same `total`, and the matches collected equal it (or the
    /// documented cap, when the total exceeds it).
    #[serde(default = "yes")]
    pub totals: bool,
    /// Results a synchronous search serves at most (documented: 10 000).
    #[serde(default = "default_cap")]
    pub cap: u64,
    /// `false`: the search must not be truncated by the cap (a consumer that needs every
    /// result must use `$export`); `true`: the truncation must be observed.
    pub capped: Option<bool>,
}

fn yes() -> bool {
    true
}

fn default_page_size() -> u64 {
    200
}

fn default_cap() -> u64 {
    10_000
}

/// Expectations on the files of an `$export` (`export` step).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportedSpec {
    /// The resource types of the manifest's outputs, in any order, exactly.
    pub types: Option<Vec<String>>,
    /// Resources read from the files, per type.
    #[serde(default)]
    pub resources: BTreeMap<String, Comparison>,
    /// Each file holds as many resources as the manifest's `count` says, all of the
    /// manifest's type.
    #[serde(default = "yes")]
    pub counts_match: bool,
    /// No resource exported twice.
    #[serde(default = "yes")]
    pub unique: bool,
    /// The references `_myCompleteExtract` promises (offer → organisation and location,
    /// organisation → parent, role → practitioner and offer) resolve within the export, for
    /// the types it contains.
    #[serde(default = "yes")]
    pub references_resolve: bool,
}

/// Which ROR conformance checks an assertion applies: `all`, or a list among `profiles`,
/// `nomenclatures`, `graph`, `visibility`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ConformanceSpec {
    All(ConformanceAll),
    Some(Vec<ConformanceAspect>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceAll {
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceAspect {
    Profiles,
    Nomenclatures,
    Graph,
    Visibility,
    /// The CapabilityStatement declares what the consumption flows need.
    Capability,
}

/// An expected outcome of the connection itself, instead of an HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionExpectation {
    /// The server refuses the TLS handshake (no client certificate, or one it does not
    /// trust): no HTTP exchange takes place.
    TlsRefused,
}

impl Check {
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Status(_) => "status",
            Check::Header(_) => "header",
            Check::ContentType(_) => "content_type",
            Check::FhirPath(_) => "fhirpath",
            Check::Bundle(_) => "bundle",
            Check::OperationOutcome(_) => "operation_outcome",
            Check::Connection(_) => "connection",
            Check::Conformance(_) => "conformance",
            Check::Pages(_) => "pages",
            Check::Exported(_) => "exported",
        }
    }
}

/// The YAML form of an assertion: exactly one kind key, plus common options.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAssertion {
    /// `200`, `[200, 201]` or a class such as `4xx`.
    status: Option<StatusSpec>,
    header: Option<HeaderSpec>,
    /// Media type the `Content-Type` must have (parameters such as charset ignored).
    content_type: Option<String>,
    fhirpath: Option<FhirPathSpec>,
    bundle: Option<BundleSpec>,
    operation_outcome: Option<OperationOutcomeSpec>,
    /// `tls_refused`: the step passes only if the TLS handshake is refused.
    connection: Option<ConnectionExpectation>,
    /// ROR conformance of the body: `all` or a list of `profiles`, `nomenclatures`,
    /// `graph`, `visibility`.
    conformance: Option<ConformanceSpec>,
    /// On a `follow_next` step: the union of the pages.
    pages: Option<PagesSpec>,
    /// On an `export` step: the exported files.
    exported: Option<ExportedSpec>,
    #[serde(default)]
    warning_only: bool,
    because: Option<String>,
}

const ASSERTION_KINDS: &str = "status, header, content_type, fhirpath, bundle, operation_outcome, \
     connection, conformance, pages, exported";

impl TryFrom<RawAssertion> for Assertion {
    type Error = String;
    fn try_from(raw: RawAssertion) -> Result<Self, Self::Error> {
        let mut checks = Vec::new();
        if let Some(s) = raw.status {
            checks.push(Check::Status(s));
        }
        if let Some(h) = raw.header {
            checks.push(Check::Header(h));
        }
        if let Some(c) = raw.content_type {
            checks.push(Check::ContentType(c));
        }
        if let Some(f) = raw.fhirpath {
            checks.push(Check::FhirPath(f));
        }
        if let Some(b) = raw.bundle {
            checks.push(Check::Bundle(b));
        }
        if let Some(o) = raw.operation_outcome {
            checks.push(Check::OperationOutcome(o));
        }
        if let Some(c) = raw.connection {
            checks.push(Check::Connection(c));
        }
        if let Some(c) = raw.conformance {
            checks.push(Check::Conformance(c));
        }
        if let Some(p) = raw.pages {
            checks.push(Check::Pages(p));
        }
        if let Some(e) = raw.exported {
            checks.push(Check::Exported(e));
        }
        match checks.len() {
            1 => Ok(Assertion {
                check: checks.remove(0),
                warning_only: raw.warning_only,
                because: raw.because,
            }),
            0 => Err(format!(
                "an assertion needs one kind among: {ASSERTION_KINDS}"
            )),
            _ => Err(format!(
                "an assertion has exactly one kind, found {}: write one list item per assertion",
                checks
                    .iter()
                    .map(Check::kind)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        }
    }
}

/// Expected HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawStatus")]
pub enum StatusSpec {
    Exact(u16),
    AnyOf(Vec<u16>),
    /// `4xx` is `Class(4)`.
    Class(u16),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawStatus {
    Code(u16),
    Text(String),
    Set(Vec<u16>),
}

impl TryFrom<RawStatus> for StatusSpec {
    type Error = String;
    fn try_from(raw: RawStatus) -> Result<Self, Self::Error> {
        let valid = |c: u16| (100..600).contains(&c);
        match raw {
            RawStatus::Code(c) if valid(c) => Ok(StatusSpec::Exact(c)),
            RawStatus::Set(set) if !set.is_empty() && set.iter().all(|c| valid(*c)) => {
                Ok(StatusSpec::AnyOf(set))
            }
            RawStatus::Text(t) => {
                let lower = t.trim().to_ascii_lowercase();
                if let Ok(c) = lower.parse::<u16>()
                    && valid(c)
                {
                    return Ok(StatusSpec::Exact(c));
                }
                match lower.as_bytes() {
                    [d @ b'1'..=b'5', b'x', b'x'] => Ok(StatusSpec::Class(u16::from(d - b'0'))),
                    _ => Err(format!(
                        "status `{t}` is neither a code (200) nor a class (2xx, 4xx...)"
                    )),
                }
            }
            _ => Err(
                "status is a code from 100 to 599, a list of codes, or a class such as 4xx".into(),
            ),
        }
    }
}

impl JsonSchema for StatusSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StatusSpec".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                { "type": "integer", "minimum": 100, "maximum": 599 },
                { "type": "string", "pattern": "^([1-5][0-9][0-9]|[1-5][xX][xX])$" },
                { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 }, "minItems": 1 }
            ]
        })
    }
}

impl fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusSpec::Exact(c) => write!(f, "{c}"),
            StatusSpec::AnyOf(set) => {
                let codes: Vec<String> = set.iter().map(u16::to_string).collect();
                write!(f, "un de [{}]", codes.join(", "))
            }
            StatusSpec::Class(c) => write!(f, "{c}xx"),
        }
    }
}

/// An expectation on one header (names are case-insensitive).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawHeaderSpec")]
#[schemars(with = "RawHeaderSpec")]
pub struct HeaderSpec {
    pub name: String,
    pub rule: HeaderRule,
}

#[derive(Debug, Clone)]
pub enum HeaderRule {
    Present(bool),
    Equals(String),
    Contains(String),
    Matches(String),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeaderSpec {
    name: String,
    /// `true`: the header is there; `false`: it is absent.
    present: Option<bool>,
    equals: Option<String>,
    contains: Option<String>,
    /// A regular expression the value must match.
    matches: Option<String>,
}

impl TryFrom<RawHeaderSpec> for HeaderSpec {
    type Error = String;
    fn try_from(raw: RawHeaderSpec) -> Result<Self, Self::Error> {
        let mut rules = Vec::new();
        if let Some(p) = raw.present {
            rules.push(HeaderRule::Present(p));
        }
        if let Some(v) = raw.equals {
            rules.push(HeaderRule::Equals(v));
        }
        if let Some(v) = raw.contains {
            rules.push(HeaderRule::Contains(v));
        }
        if let Some(v) = raw.matches {
            rules.push(HeaderRule::Matches(v));
        }
        if rules.len() > 1 {
            return Err(
                "a header assertion takes one of present, equals, contains, matches".into(),
            );
        }
        Ok(HeaderSpec {
            name: raw.name,
            rule: rules.pop().unwrap_or(HeaderRule::Present(true)),
        })
    }
}

/// A FHIRPath expression on the JSON body and what its result must be. With no comparator
/// the result must be the single boolean `true`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawFhirPathSpec")]
#[schemars(with = "RawFhirPathSpec")]
pub struct FhirPathSpec {
    pub expr: String,
    pub expect: FhirPathExpect,
}

#[derive(Debug, Clone)]
pub enum FhirPathExpect {
    IsTrue,
    Equals(serde_json::Value),
    Count(Comparison),
    Exists(bool),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFhirPathSpec {
    expr: String,
    /// The result equals this value (a list compares element by element).
    equals: Option<serde_json::Value>,
    /// The number of items in the result: `3` or a comparison such as `">= 1"`.
    count: Option<Comparison>,
    /// The result is non-empty (`true`) or empty (`false`).
    exists: Option<bool>,
}

impl TryFrom<RawFhirPathSpec> for FhirPathSpec {
    type Error = String;
    fn try_from(raw: RawFhirPathSpec) -> Result<Self, Self::Error> {
        let mut expects = Vec::new();
        if let Some(v) = raw.equals {
            expects.push(FhirPathExpect::Equals(v));
        }
        if let Some(c) = raw.count {
            expects.push(FhirPathExpect::Count(c));
        }
        if let Some(e) = raw.exists {
            expects.push(FhirPathExpect::Exists(e));
        }
        if expects.len() > 1 {
            return Err("a fhirpath assertion takes at most one of equals, count, exists".into());
        }
        Ok(FhirPathSpec {
            expr: raw.expr,
            expect: expects.pop().unwrap_or(FhirPathExpect::IsTrue),
        })
    }
}

/// A comparison of a number: `3`, `">= 1"`, `"< 200"`, `"!= 0"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ScalarString")]
pub struct Comparison {
    pub op: CompareOp,
    pub value: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Comparison {
    pub fn holds(&self, actual: u64) -> bool {
        match self.op {
            CompareOp::Eq => actual == self.value,
            CompareOp::Ne => actual != self.value,
            CompareOp::Ge => actual >= self.value,
            CompareOp::Gt => actual > self.value,
            CompareOp::Le => actual <= self.value,
            CompareOp::Lt => actual < self.value,
        }
    }
}

impl TryFrom<ScalarString> for Comparison {
    type Error = String;
    fn try_from(s: ScalarString) -> Result<Self, Self::Error> {
        let text = s.0.trim();
        let (op, rest) = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            (">=", CompareOp::Ge),
            ("<=", CompareOp::Le),
            (">", CompareOp::Gt),
            ("<", CompareOp::Lt),
            ("=", CompareOp::Eq),
        ]
        .into_iter()
        .find_map(|(sym, op)| text.strip_prefix(sym).map(|rest| (op, rest)))
        .unwrap_or((CompareOp::Eq, text));
        let value = rest.trim().parse::<u64>().map_err(|_| {
            format!("`{text}` is not a count comparison: write 3, \">= 1\", \"< 200\" or \"!= 0\"")
        })?;
        Ok(Comparison { op, value })
    }
}

impl JsonSchema for Comparison {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Comparison".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*(==|!=|>=|<=|>|<|=)?\\s*[0-9]+\\s*$" }
            ]
        })
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            CompareOp::Eq => "=",
            CompareOp::Ne => "≠",
            CompareOp::Ge => "≥",
            CompareOp::Gt => ">",
            CompareOp::Le => "≤",
            CompareOp::Lt => "<",
        };
        write!(f, "{op} {}", self.value)
    }
}

/// Shortcuts on a FHIR Bundle. Every key given must hold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleSpec {
    /// `Bundle.type`, e.g. `searchset`.
    #[serde(rename = "type")]
    pub bundle_type: Option<String>,
    /// `Bundle.total` (absent total fails).
    pub total: Option<Comparison>,
    /// Number of entries, whatever their mode.
    pub entries: Option<Comparison>,
    /// Number of entries with `search.mode = match`.
    #[serde(rename = "match")]
    pub match_entries: Option<Comparison>,
    /// Number of entries with `search.mode = include`.
    pub include: Option<Comparison>,
    /// Number of entries per resource type.
    #[serde(default)]
    pub resources: BTreeMap<String, Comparison>,
    /// `Bundle.link` relations that must be present (e.g. `self`, `next`).
    #[serde(default)]
    pub links: Vec<String>,
    /// `Bundle.link` relations that must be absent (e.g. `next` on the last page).
    #[serde(default)]
    pub no_links: Vec<String>,
}

/// An OperationOutcome with at least one issue matching the given severity and code.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationOutcomeSpec {
    /// `fatal`, `error`, `warning` or `information`.
    pub severity: Option<String>,
    /// An issue type code, e.g. `invalid`, `security`, `not-found`.
    pub code: Option<String>,
}

/// A value taken from a response into a variable.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawCapture")]
#[schemars(with = "RawCapture")]
pub struct Capture {
    pub name: String,
    pub source: CaptureSource,
}

#[derive(Debug, Clone)]
pub enum CaptureSource {
    /// First item of a FHIRPath result on the JSON body.
    FhirPath(String),
    /// A response header value.
    Header(String),
    /// The HTTP status code.
    Status,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    /// Variable name, used later as `{{name}}`.
    name: String,
    fhirpath: Option<String>,
    header: Option<String>,
    /// `true` captures the status code.
    status: Option<bool>,
}

impl TryFrom<RawCapture> for Capture {
    type Error = String;
    fn try_from(raw: RawCapture) -> Result<Self, Self::Error> {
        let source = match (raw.fhirpath, raw.header, raw.status) {
            (Some(e), None, None) => CaptureSource::FhirPath(e),
            (None, Some(h), None) => CaptureSource::Header(h),
            (None, None, Some(true)) => CaptureSource::Status,
            _ => {
                return Err(format!(
                    "capture `{}` takes exactly one source: fhirpath, header or status: true",
                    raw.name
                ));
            }
        };
        Ok(Capture {
            name: raw.name,
            source,
        })
    }
}
