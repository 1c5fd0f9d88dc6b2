//! What a scenario file can get wrong that its YAML types alone do not catch: the "exactly
//! one of" rules and the value ranges, each a variant. The messages are what the diagnostic
//! shows at the offending node.

/// Every assertion kind, for the message of an assertion without one.
const ASSERTION_KINDS: &str = "status, header, content_type, fhirpath, bundle, operation_outcome, \
     connection, conformance, pages, exported";

/// A value the model refuses while parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A priority other than 1, 2 or 3.
    #[error("priority must be 1 (CRITIQUE), 2 (MAJEUR) or 3 (MINEUR), not {0}")]
    Priority(u8),
    /// A status text that is neither a code nor a class.
    #[error("status `{0}` is neither a code (200) nor a class (2xx, 4xx...)")]
    StatusText(String),
    /// A status outside 100..600, or an empty list.
    #[error("status is a code from 100 to 599, a list of codes, or a class such as 4xx")]
    Status,
    /// More than one header rule.
    #[error("a header assertion takes one of present, equals, contains, matches")]
    HeaderRules,
    /// More than one FHIRPath expectation.
    #[error("a fhirpath assertion takes at most one of equals, count, exists")]
    FhirPathExpectations,
    /// A count comparison that does not parse.
    #[error("`{0}` is not a count comparison: write 3, \">= 1\", \"< 200\" or \"!= 0\"")]
    Comparison(String),
    /// An assertion without a kind.
    #[error("an assertion needs one kind among: {ASSERTION_KINDS}")]
    NoAssertionKind,
    /// An assertion with several kinds (listed).
    #[error("an assertion has exactly one kind, found {0}: write one list item per assertion")]
    SeveralAssertionKinds(String),
    /// A capture with no source, or several.
    #[error("capture `{0}` takes exactly one source: fhirpath, header or status: true")]
    CaptureSource(String),
}
