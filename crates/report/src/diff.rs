//! Expected against obtained, word by word: a failed assertion shows what differs
//! highlighted, so a reviewer does not compare two long sentences by eye.

use similar::{ChangeTag, TextDiff};

/// A run of words, changed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub text: String,
    pub changed: bool,
}

/// Below this share of common words, nothing is marked.
const MIN_SIMILARITY: f32 = 0.3;

/// Beyond this, a word diff is slow to compute and useless to read: shown plain.
const MAX_DIFFED: usize = 4000;

/// `expected` and `actual` cut into parts, the words found only on one side marked changed.
pub(crate) fn words(expected: &str, actual: &str) -> (Vec<Part>, Vec<Part>) {
    if expected.len() > MAX_DIFFED || actual.len() > MAX_DIFFED {
        return (plain(expected), plain(actual));
    }
    let diff = TextDiff::from_words(expected, actual);
    // Two texts with little in common (an expression against « résultat [false] ») read
    // better side by side than struck out entirely.
    if diff.ratio() < MIN_SIMILARITY {
        return (plain(expected), plain(actual));
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut left, text, false);
                push(&mut right, text, false);
            }
            ChangeTag::Delete => push(&mut left, text, !text.trim().is_empty()),
            ChangeTag::Insert => push(&mut right, text, !text.trim().is_empty()),
        }
    }
    (left, right)
}

fn plain(text: &str) -> Vec<Part> {
    vec![Part {
        text: text.to_owned(),
        changed: false,
    }]
}

/// Appends `text`, merged into the last part when it has the same mark.
fn push(parts: &mut Vec<Part>, text: &str, changed: bool) {
    match parts.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => parts.push(Part {
            text: text.to_owned(),
            changed,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::{Part, words};

    fn marked(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| {
                if p.changed {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn only_the_words_that_differ_are_marked() {
        let (e, a) = words(
            "type = searchset, total > 10000",
            "type = searchset, total = 8755",
        );
        assert_eq!(marked(&e), "type = searchset, total [>] [10000]");
        assert_eq!(marked(&a), "type = searchset, total [=] [8755]");
    }

    #[test]
    fn identical_or_huge_texts_are_shown_plain() {
        let (e, a) = words("status 200", "status 200");
        assert!(e.iter().chain(&a).all(|p| !p.changed));
        let (e, _) = words("entry.all(x = 'y') = true", "résultat [false]");
        assert!(e.iter().all(|p| !p.changed));
        let long = "x ".repeat(3000);
        let (e, _) = words(&long, "y");
        assert_eq!(e.len(), 1);
        assert!(!e[0].changed);
    }
}
