//! What each check compares: status, header, FHIRPath, Bundle, OperationOutcome, and the
//! comparisons they share.

use std::collections::BTreeMap;
use std::fmt;

use super::error::ModelError;
use super::scalar::ScalarString;
use schemars::JsonSchema;
use serde::Deserialize;

/// Expected HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawStatus")]
pub enum StatusSpec {
    /// Exactly this code.
    Exact(u16),
    /// Any of these codes.
    AnyOf(Vec<u16>),
    /// `4xx` is `Class(4)`.
    Class(u16),
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawStatus {
    Code(u16),
    Text(String),
    Set(Vec<u16>),
}

impl TryFrom<RawStatus> for StatusSpec {
    type Error = ModelError;
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
                    _ => Err(ModelError::StatusText(t)),
                }
            }
            _ => Err(ModelError::Status),
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
    /// The header name.
    pub name: String,
    /// What its value must be.
    pub rule: HeaderRule,
}

/// What a header must be.
#[derive(Debug, Clone)]
pub enum HeaderRule {
    /// Present (`true`) or absent (`false`).
    Present(bool),
    /// Exactly this value.
    Equals(String),
    /// Contains this text.
    Contains(String),
    /// Matches this regular expression.
    Matches(String),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeaderSpec {
    name: String,
    /// `true`: the header is there; `false`: it is absent.
    present: Option<bool>,
    equals: Option<String>,
    contains: Option<String>,
    /// A regular expression the value must match.
    matches: Option<String>,
}

impl TryFrom<RawHeaderSpec> for HeaderSpec {
    type Error = ModelError;
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
            return Err(ModelError::HeaderRules);
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
    /// The expression (templates allowed).
    pub expr: String,
    /// What its result must be.
    pub expect: FhirPathExpect,
}

/// What a FHIRPath result must be.
#[derive(Debug, Clone)]
pub enum FhirPathExpect {
    /// The single boolean `true`.
    IsTrue,
    /// Exactly this JSON value (a single result).
    Equals(serde_json::Value),
    /// So many items.
    Count(Comparison),
    /// Non-empty (`true`) or empty (`false`).
    Exists(bool),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFhirPathSpec {
    expr: String,
    /// The result equals this value (a list compares element by element).
    equals: Option<serde_json::Value>,
    /// The number of items in the result: `3` or a comparison such as `">= 1"`.
    count: Option<Comparison>,
    /// The result is non-empty (`true`) or empty (`false`).
    exists: Option<bool>,
}

impl TryFrom<RawFhirPathSpec> for FhirPathSpec {
    type Error = ModelError;
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
            return Err(ModelError::FhirPathExpectations);
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
    /// The comparison.
    pub op: CompareOp,
    /// The number compared with.
    pub value: u64,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==` (or a bare number).
    Eq,
    /// `!=`.
    Ne,
    /// `>=`.
    Ge,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `<`.
    Lt,
}

impl Comparison {
    /// Whether `actual` satisfies it.
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
    type Error = ModelError;
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
        let value = rest
            .trim()
            .parse::<u64>()
            .map_err(|_| ModelError::Comparison(text.to_owned()))?;
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
