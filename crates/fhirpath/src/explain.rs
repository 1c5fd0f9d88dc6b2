//! The sub-expressions of a FHIRPath expression worth showing when it does not give what a
//! scenario expected: a reviewer sees where the chain stopped matching instead of a bare
//! `[false]`. Pure syntax: nothing here evaluates.

/// Operators that separate operands at the top level (FHIRPath §6).
const OPERATORS: &[&str] = &[
    "=", "!=", "~", "!~", "<", ">", "<=", ">=", "and", "or", "xor", "implies", "|", "in",
    "contains", "+", "-", "*", "/", "div", "mod", "&",
];

/// At most this many sub-expressions: enough to locate the break, short enough to read.
const MAX_SHOWN: usize = 8;

/// Each top-level operand of `expr` and, along each operand's chain of invocations, every
/// prefix (`entry`, `entry.where(…)`, `entry.where(…).resource`); for a chain that ends in
/// `.all(criterion)`, the items that fail the criterion (`….where((criterion).not())`).
/// Literals and `expr` itself are left out.
pub fn sub_expressions(expr: &str) -> Vec<String> {
    let mut shown: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if s != expr.trim() && !shown.contains(&s) {
            shown.push(s);
        }
    };
    for operand in operands(expr) {
        if is_literal(&operand) {
            continue;
        }
        let parts = split_top_level(&operand, |c, prev, next| {
            // A dot between two digits is a decimal point, not an invocation.
            c == '.'
                && !(prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit()))
        });
        for end in 1..=parts.len() {
            push(parts[..end].join("."));
        }
        if let Some(criterion) = parts
            .last()
            .and_then(|last| last.trim().strip_prefix("all("))
            .and_then(|rest| rest.strip_suffix(')'))
            .filter(|_| parts.len() > 1)
        {
            let over = parts[..parts.len() - 1].join(".");
            push(format!("{over}.where(({criterion}).not())"));
        }
    }
    shown.truncate(MAX_SHOWN);
    shown
}

/// The operands of the top-level operators of `expr` (the expression alone when it has none).
fn operands(expr: &str) -> Vec<String> {
    let words = split_top_level(expr, |c, _, _| c.is_whitespace());
    let mut operands = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for word in words.iter().map(String::as_str).filter(|w| !w.is_empty()) {
        if OPERATORS.contains(&word) {
            if !current.is_empty() {
                operands.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(word);
        }
    }
    if !current.is_empty() {
        operands.push(current.join(" "));
    }
    operands
}

fn is_literal(operand: &str) -> bool {
    let t = operand.trim();
    t.starts_with('\'')
        || t.starts_with('@')
        || t.starts_with('%')
        || t.starts_with('{')
        || t.chars().next().is_some_and(|c| c.is_ascii_digit())
        || t == "true"
        || t == "false"
}

/// `text` cut at every character `at` accepts outside brackets and quoted text.
fn split_top_level(
    text: &str,
    at: impl Fn(char, Option<char>, Option<char>) -> bool,
) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    for (i, placed) in crate::lex::walk(text).enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        if placed.depth == 0 && !placed.quoted && at(placed.c, prev, next) {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(placed.c);
        }
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::sub_expressions;

    #[test]
    fn a_chain_shows_each_prefix_and_the_items_failing_all() {
        let e = "entry.where(search.mode = 'match').resource.all(meta.tag.where(system = 'x').code = '24')";
        assert_eq!(
            sub_expressions(e),
            [
                "entry",
                "entry.where(search.mode = 'match')",
                "entry.where(search.mode = 'match').resource",
                "entry.where(search.mode = 'match').resource.where((meta.tag.where(system = 'x').code = '24').not())",
            ]
        );
    }

    #[test]
    fn operands_of_top_level_operators_are_shown_without_literals() {
        assert_eq!(
            sub_expressions("Bundle.total = 2"),
            ["Bundle", "Bundle.total"]
        );
        assert_eq!(
            sub_expressions("total > 1.5 and entry.count() = 3"),
            ["total", "entry", "entry.count()"]
        );
    }

    #[test]
    fn quotes_brackets_and_decimals_do_not_split() {
        assert_eq!(sub_expressions("name.where($this = 'a. b (c')"), ["name"]);
        assert!(sub_expressions("'just a string'").is_empty());
        assert!(sub_expressions("identifier").is_empty());
    }
}
