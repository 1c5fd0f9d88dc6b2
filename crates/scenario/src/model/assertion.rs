//! An assertion: exactly one check, read through its `Raw*` twin so that the rule is
//! enforced while parsing.

use std::collections::BTreeMap;

use super::checks::{
    BundleSpec, Comparison, FhirPathSpec, HeaderSpec, OperationOutcomeSpec, StatusSpec,
};
use super::error::ModelError;
use schemars::JsonSchema;
use serde::Deserialize;

/// One expectation on a response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawAssertion")]
#[schemars(with = "RawAssertion")]
pub struct Assertion {
    /// What it checks.
    pub check: Check,
    /// Reported, but does not fail the scenario.
    pub warning_only: bool,
    /// Why this matters, shown beside the result.
    pub because: Option<String>,
}

/// The kinds of assertion.
#[derive(Debug, Clone)]
pub enum Check {
    /// The HTTP status.
    Status(StatusSpec),
    /// One response header.
    Header(HeaderSpec),
    /// The media type of the response (parameters ignored).
    ContentType(String),
    /// A FHIRPath expression on the JSON body.
    FhirPath(FhirPathSpec),
    /// The shape of a Bundle: type, total, entries, links.
    Bundle(BundleSpec),
    /// An OperationOutcome and its issue codes.
    OperationOutcome(OperationOutcomeSpec),
    /// The connection itself (a refused TLS handshake).
    Connection(ConnectionExpectation),
    /// The ROR conformance checks on the body.
    Conformance(ConformanceSpec),
    /// Every page of a `follow_next` step.
    Pages(PagesSpec),
    /// What the files of an `export` step held.
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

pub(super) fn yes() -> bool {
    true
}

pub(super) fn default_page_size() -> u64 {
    200
}

pub(super) fn default_cap() -> u64 {
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
    /// `all`.
    All(ConformanceAll),
    /// A list of aspects.
    Some(Vec<ConformanceAspect>),
}

/// The word `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceAll {
    /// Every aspect.
    All,
}

/// One family of conformance checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConformanceAspect {
    /// The ROR profiles.
    Profiles,
    /// NOS codes.
    Nomenclatures,
    /// The search graph of a Bundle.
    Graph,
    /// What the access profile may see.
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
    /// The assertion's kind as written in YAML (`status`, `fhirpath`...).
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
pub(crate) struct RawAssertion {
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

impl TryFrom<RawAssertion> for Assertion {
    type Error = ModelError;
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
            0 => Err(ModelError::NoAssertionKind),
            _ => Err(ModelError::SeveralAssertionKinds(
                checks
                    .iter()
                    .map(Check::kind)
                    .collect::<Vec<_>>()
                    .join(" and "),
            )),
        }
    }
}
