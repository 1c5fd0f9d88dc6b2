//! How a request differs from the one a scenario expects, each difference weighted so that
//! a near miss is attributed to the closest expectation.

use rorcheck_i18n::{Lang, t};
use std::fmt;

/// Parameters that shape the result (what is included) rather than select it.
pub(crate) fn is_result_param(name: &str) -> bool {
    name.starts_with("_include")
        || name.starts_with("_revinclude")
        || matches!(name, "_elements" | "_sort" | "_summary" | "_total")
}

/// One difference between an expected and an observed request, phrased for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Difference {
    Endpoint {
        expected: String,
        actual: String,
    },
    Missing {
        name: String,
        value: String,
    },
    Extra {
        name: String,
        value: String,
    },
    Value {
        name: String,
        expected: String,
        actual: String,
    },
}

impl Difference {
    /// The same criterion asked with other data: another term, another code of the same
    /// system, another date with the same comparator. The consumer made the right kind of
    /// request, for its own data — not this case's.
    pub(crate) fn is_other_data(&self) -> bool {
        let Difference::Value {
            expected, actual, ..
        } = self
        else {
            return false;
        };
        if let Some((system, _)) = expected.split_once('|') {
            // Another identifier type (FINESS instead of the OI number) is another search
            // on the consumer's own data, not a wrong one; another code system is wrong.
            let identifier =
                matches!(self, Difference::Value { name, .. } if is_identifier_param(name));
            return actual
                .split_once('|')
                .is_some_and(|(other, _)| other == system || identifier);
        }
        let prefix = |v: &str| -> String {
            let p: String = v.chars().take(2).collect();
            // `…` is a wildcard of the expected value (`ge{{since}}` shows as `ge…`).
            let digit_after = v
                .chars()
                .nth(2)
                .is_some_and(|c| c.is_ascii_digit() || c == '…' || c == '<');
            if digit_after
                && matches!(
                    p.as_str(),
                    "eq" | "ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb" | "ap"
                )
            {
                p
            } else {
                String::new()
            }
        };
        prefix(expected) == prefix(actual)
    }
}

/// `identifier`, `organization.identifier`, `organization.identifier:above`...
pub(super) fn is_identifier_param(name: &str) -> bool {
    name.split(':')
        .next()
        .is_some_and(|n| n == "identifier" || n.ends_with(".identifier"))
}

impl Difference {
    /// How much a difference sets a request apart from an expectation: what shapes the
    /// result (includes) weighs less than what selects (criteria and their values), so that
    /// a request is the near miss of the search it resembles most — the case whose values
    /// it sends, rather than another case of the same criteria.
    pub fn weight(&self) -> usize {
        match self {
            Difference::Endpoint { .. } => 100,
            Difference::Missing { name, .. }
            | Difference::Extra { name, .. }
            | Difference::Value { name, .. }
                if is_result_param(name) =>
            {
                1
            }
            _ => 3,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Endpoint { expected, actual } => f.write_str(&t!(
                Lang::current(),
                "d-endpoint",
                actual = actual,
                expected = expected
            )),
            Difference::Missing { name, value } => f.write_str(&t!(
                Lang::current(),
                "d-missing",
                name = name,
                value = value
            )),
            Difference::Extra { name, value } => {
                f.write_str(&t!(Lang::current(), "d-extra", name = name, value = value))
            }
            Difference::Value {
                name,
                expected,
                actual,
            } => f.write_str(&t!(
                Lang::current(),
                "d-value",
                name = name,
                actual = actual,
                expected = expected
            )),
        }
    }
}
