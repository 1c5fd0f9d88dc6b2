//! Which members of a document's root a set of expressions can read: the others need not be
//! built into the engine's tree (a search page's `entry` is most of its bytes, and
//! `total < 30` never reads it).
//!
//! Read from the expression's text, conservatively: a root member is reached only by
//! naming it, so every identifier an expression holds is kept (`value` keeps the choices
//! `valueString`…, `name` keeps `_name`). An expression that could read the root without
//! naming its members — `$this` or a function without a receiver outside any function's
//! argument, an environment variable (`%resource`…), a function not known to read only what
//! it is given (`children()`, `descendants()`, `resolve()`, `extension()`…), a type step
//! (`Bundle`) not followed by a member — reaches the whole document.

use std::collections::BTreeSet;

/// Functions that read only their input and their arguments' named members.
const PLAIN_FUNCTIONS: &[&str] = &[
    "where",
    "select",
    "all",
    "exists",
    "empty",
    "count",
    "first",
    "last",
    "tail",
    "skip",
    "take",
    "single",
    "distinct",
    "isDistinct",
    "subsetOf",
    "supersetOf",
    "union",
    "combine",
    "intersect",
    "exclude",
    "not",
    "allTrue",
    "anyTrue",
    "allFalse",
    "anyFalse",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "replaceMatches",
    "replace",
    "indexOf",
    "substring",
    "length",
    "lower",
    "upper",
    "toInteger",
    "toDecimal",
    "toString",
    "toBoolean",
    "toDate",
    "toDateTime",
    "toTime",
    "toQuantity",
    "convertsToInteger",
    "convertsToDecimal",
    "convertsToString",
    "convertsToBoolean",
    "convertsToDate",
    "convertsToDateTime",
    "convertsToTime",
    "convertsToQuantity",
    "abs",
    "ceiling",
    "floor",
    "round",
    "sqrt",
    "ln",
    "log",
    "exp",
    "power",
    "truncate",
    "split",
    "join",
    "trim",
    "ofType",
    "is",
    "as",
    "hasValue",
    "iif",
    "sum",
    "min",
    "max",
    "avg",
    "trace",
];

/// The root members a set of expressions can read, or the whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach(Option<BTreeSet<String>>);

impl Reach {
    /// Every member: what a document is built with when nothing says otherwise.
    pub fn whole() -> Reach {
        Reach(None)
    }

    /// What `exprs` can read together (nothing for none).
    pub fn of<'e>(exprs: impl IntoIterator<Item = &'e str>) -> Reach {
        let mut names = BTreeSet::new();
        for expr in exprs {
            match named_members(expr) {
                Some(found) => names.extend(found),
                None => return Reach::whole(),
            }
        }
        Reach(Some(names))
    }

    /// Whether every member is kept.
    pub fn is_whole(&self) -> bool {
        self.0.is_none()
    }

    /// Whether a root member called `key` is kept: named, a choice of a named element
    /// (`valueString` for `value`), a primitive's extension (`_name` for `name`), or the
    /// resource's type, which the engine reads to know what the document is.
    pub(crate) fn keeps(&self, key: &str) -> bool {
        let Some(names) = &self.0 else {
            return true;
        };
        let bare = key.strip_prefix('_').unwrap_or(key);
        key == "resourceType"
            || names.contains(bare)
            || names.iter().any(|n| {
                bare.strip_prefix(n.as_str())
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    }
}

/// What an opening bracket opened.
#[derive(Clone, Copy, PartialEq)]
enum Bracket {
    /// A function's arguments: evaluated on the items the function is given.
    Call,
    /// A grouping, an indexer or a collection: evaluated where the bracket stands.
    Group,
}

/// The identifiers of `expr`, or `None` when it may read the root without naming members.
fn named_members(expr: &str) -> Option<BTreeSet<String>> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = BTreeSet::new();
    let mut brackets: Vec<Bracket> = Vec::new();
    // Whether the last token was a `.` (what follows has a receiver).
    let mut after_dot = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let at_root = !brackets.contains(&Bracket::Call);
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '\'' => i = past_quoted(&chars, i, '\''),
            '`' => {
                let end = past_quoted(&chars, i, '`');
                let name: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
                    .iter()
                    .collect();
                names.insert(name);
                i = end;
            }
            '%' => return None,
            '@' => {
                i += 1;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || "-:.+".contains(*c))
                {
                    i += 1;
                }
            }
            '$' => {
                let end = past_word(&chars, i + 1);
                let word: String = chars[i + 1..end].iter().collect();
                if at_root && word == "this" {
                    return None;
                }
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => {
                let end = past_word(&chars, i);
                let word: String = chars[i..end].iter().collect();
                let mut next = end;
                while chars.get(next).is_some_and(|c| c.is_whitespace()) {
                    next += 1;
                }
                if chars.get(next) == Some(&'(') {
                    // A function: known to read only what it is given, and given something
                    // other than the root.
                    if !PLAIN_FUNCTIONS.contains(&word.as_str()) || (at_root && !after_dot) {
                        return None;
                    }
                    brackets.push(Bracket::Call);
                    i = next + 1;
                    after_dot = false;
                    continue;
                }
                // A type step on the root (`Bundle.entry`) yields the root itself unless a
                // member follows.
                if at_root && !after_dot && c.is_uppercase() && !member_follows(&chars, end) {
                    return None;
                }
                names.insert(word);
                i = end;
            }
            c if c.is_ascii_digit() => i = past_word(&chars, i),
            '(' | '[' | '{' => {
                brackets.push(Bracket::Group);
                i += 1;
            }
            ')' | ']' | '}' => {
                brackets.pop();
                i += 1;
            }
            _ => i += 1,
        }
        after_dot = c == '.';
    }
    Some(names)
}

/// The index past the quoted text opening at `start` (its closing quote included).
fn past_quoted(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == '\\' {
            i += 1;
        } else if c == quote {
            break;
        }
    }
    i.min(chars.len())
}

/// The index past the word (letters, digits, `_`) starting at `start`.
fn past_word(chars: &[char], start: usize) -> usize {
    let mut i = start;
    while chars
        .get(i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        i += 1;
    }
    i
}

/// Whether `.member` (a name, not a function) follows index `at`.
fn member_follows(chars: &[char], at: usize) -> bool {
    let skip = |mut i: usize| {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i
    };
    let dot = skip(at);
    if chars.get(dot) != Some(&'.') {
        return false;
    }
    let start = skip(dot + 1);
    let end = past_word(chars, start);
    end > start && chars.get(skip(end)) != Some(&'(')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Option<Vec<String>> {
        named_members(expr).map(|n| n.into_iter().collect())
    }

    #[test]
    fn the_members_an_expression_names_are_its_reach() {
        assert_eq!(names("total < 30"), Some(vec!["total".into()]));
        assert_eq!(
            names("resourceType = 'Bundle' and link.where(relation = 'next').exists()"),
            Some(vec![
                "and".into(),
                "link".into(),
                "relation".into(),
                "resourceType".into()
            ])
        );
        assert_eq!(
            names("Bundle.entry.where($this.search.mode = 'match').count() = 2"),
            Some(vec![
                "Bundle".into(),
                "entry".into(),
                "mode".into(),
                "search".into()
            ])
        );
        assert_eq!(
            names("`div` = 'x' and name[0] = @2024-01-01"),
            Some(vec!["and".into(), "div".into(), "name".into()])
        );
    }

    #[test]
    fn an_expression_that_may_read_the_root_unnamed_reaches_everything() {
        for expr in [
            "$this.count() = 1",
            "exists()",
            "(count()) = 1",
            "%resource.id = 'a'",
            "descendants().where(system = 'x').exists()",
            "entry.resource.resolve()",
            "children().count() > 3",
            "extension('http://x').exists()",
            "Bundle",
            "Bundle.count() = 1",
            "entry.first() | Bundle",
            "iif(total > 0, entry, link)",
            "total.trace('t', %context)",
        ] {
            assert_eq!(names(expr), None, "{expr}");
        }
    }

    #[test]
    fn a_member_is_kept_when_named_as_a_choice_or_with_its_extension() {
        let reach = Reach::of(["value.exists()", "name = 'a'"]);
        for kept in ["value", "valueString", "_name", "name", "resourceType"] {
            assert!(reach.keeps(kept), "{kept}");
        }
        for left in ["values", "valuestring", "entry", "names", "_entry"] {
            assert!(!reach.keeps(left), "{left}");
        }
        assert!(Reach::of(["total", "$this"]).is_whole());
        assert!(Reach::whole().keeps("anything"));
    }
}
