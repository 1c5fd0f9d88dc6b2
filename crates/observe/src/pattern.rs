//! Patterns of expected values: literal text, `*` wildcards and date shapes, matched in
//! linear time (the set of reachable positions, not backtracking).

use std::fmt;

use rorcheck_scenario::template::{self, Piece};

/// A value that may contain wildcards: what a scenario's `{{variable}}` becomes, since in
/// observer mode the vendor chooses its own dates, identifiers and regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub(crate) parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Text(String),
    Any,
    /// The rest of the value is a date of this precision (the consumer's own date).
    Date(DateShape),
}

/// How a scenario writes a date: MAJ-006 asks for day precision, MAJ-007 for an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateShape {
    /// `2026-01-01`
    Day,
    /// `2026-01-01T00:00:00Z`
    Utc,
    /// `2026-01-01T02:00:00+02:00`
    Offset,
    /// `2026-01-01T15:00`: to the minute, no zone (the documented form of flow 4, MAJ-014).
    Minute,
}

impl DateShape {
    pub(crate) fn of(date: &str) -> Option<Self> {
        if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() {
            return Some(DateShape::Day);
        }
        if date.len() == 16 && chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M").is_ok()
        {
            return Some(DateShape::Minute);
        }
        let parsed = chrono::DateTime::parse_from_rfc3339(date).ok()?;
        Some(
            if date.ends_with('Z')
                || parsed.offset().local_minus_utc() == 0 && date.ends_with("+00:00")
            {
                DateShape::Utc
            } else {
                DateShape::Offset
            },
        )
    }

    fn label(self) -> &'static str {
        match self {
            DateShape::Day => "<date AAAA-MM-JJ>",
            DateShape::Utc => "<date-heure UTC>",
            DateShape::Offset => "<date-heure avec fuseau>",
            DateShape::Minute => "<date-heure à la minute AAAA-MM-JJThh:mm>",
        }
    }
}

impl Pattern {
    /// A pattern that matches exactly `text`.
    pub fn literal(text: &str) -> Self {
        Pattern {
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    /// `ge{{since}}` matches `ge` followed by anything non-empty.
    pub(crate) fn from_template(text: &str) -> Self {
        match template::pieces(text) {
            Ok(pieces) => Pattern {
                parts: pieces
                    .into_iter()
                    .map(|p| match p {
                        Piece::Text(t) => Part::Text(t.to_owned()),
                        Piece::Var(_) => Part::Any,
                    })
                    .collect(),
            },
            // Validation already refused malformed templates; keep the text as written.
            Err(_) => Pattern::literal(text),
        }
    }

    pub(crate) fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// Whether `value` matches: literal text, `*` for any run of characters, date shapes.
    pub fn matches(&self, value: &str) -> bool {
        glob(&self.parts, value)
    }
}

/// Whether `value` matches the parts. The value is the consumer's (any length): the match
/// walks the set of positions reachable after each part, so its cost grows with parts ×
/// length, never exponentially with the number of wildcards.
pub(super) fn glob(parts: &[Part], value: &str) -> bool {
    let mut reachable = vec![false; value.len() + 1];
    reachable[0] = true;
    for (i, part) in parts.iter().enumerate() {
        let mut next = vec![false; value.len() + 1];
        match part {
            Part::Text(t) => {
                for (pos, _) in reachable.iter().enumerate().filter(|(_, r)| **r) {
                    if value.get(pos..).is_some_and(|v| v.starts_with(t.as_str())) {
                        next[pos + t.len()] = true;
                    }
                }
            }
            // A wildcard stands for at least one character.
            Part::Any => {
                if let Some(first) = reachable.iter().position(|r| *r) {
                    let from = value
                        .get(first..)
                        .and_then(|v| v.chars().next())
                        .map(|c| first + c.len_utf8());
                    if let Some(from) = from {
                        for (pos, slot) in next.iter_mut().enumerate().skip(from) {
                            *slot = value.is_char_boundary(pos);
                        }
                    }
                }
            }
            // A date takes the rest of the value, and only at the end of the pattern.
            Part::Date(shape) => {
                return i + 1 == parts.len()
                    && reachable.iter().enumerate().any(|(pos, r)| {
                        *r && value
                            .get(pos..)
                            .is_some_and(|v| DateShape::of(v) == Some(*shape))
                    });
            }
        }
        reachable = next;
    }
    reachable[value.len()]
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Text(t) => f.write_str(t)?,
                Part::Any => f.write_str("…")?,
                Part::Date(shape) => f.write_str(shape.label())?,
            }
        }
        Ok(())
    }
}

/// Property test: the position-set matcher agrees with a regular expression built from the
/// same pattern, and a long value against many wildcards is answered at once.
#[cfg(test)]
mod glob_tests {
    use proptest::prelude::*;

    use super::Pattern;

    fn as_regex(template: &str) -> regex::Regex {
        let mut re = String::from("^");
        for piece in rorcheck_scenario::template::pieces(template).expect("template") {
            match piece {
                rorcheck_scenario::template::Piece::Text(t) => re.push_str(&regex::escape(t)),
                rorcheck_scenario::template::Piece::Var(_) => re.push_str(".+"),
            }
        }
        re.push('$');
        regex::Regex::new(&re).expect("regex")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn wildcards_match_as_a_regex_would(
            pieces in proptest::collection::vec(prop_oneof!["[ab|]{0,3}", Just("{{v}}".to_owned())], 0..5),
            value in "[ab|é]{0,10}",
        ) {
            let template: String = pieces.concat();
            let pattern = Pattern::from_template(&template);
            prop_assert_eq!(pattern.matches(&value), as_regex(&template).is_match(&value), "{} ~ {}", template, value);
        }
    }

    #[test]
    fn a_long_value_against_many_wildcards_is_linear() {
        let pattern = Pattern::from_template("{{a}}|{{b}}|{{c}}|{{d}}|x");
        let value = "a|".repeat(100_000);
        assert!(!pattern.matches(&value));
        assert!(pattern.matches(&format!("{value}x")));
    }
}
