//! Choosing which scenarios run: by priority, tag, modality and id pattern.

use super::model::{Modality, Priority, Scenario};

/// Every non-empty criterion must hold; within one criterion any value may match.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Any of these priorities.
    pub priorities: Vec<Priority>,
    /// Any of these tags.
    pub tags: Vec<String>,
    /// Any of these modalities.
    pub modalities: Vec<Modality>,
    /// Ids matching any of these patterns (case-insensitive).
    pub ids: Vec<glob::Pattern>,
}

impl Selection {
    /// Whether `s` is selected.
    pub fn matches(&self, s: &Scenario) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&s.priority))
            && (self.tags.is_empty() || self.tags.iter().any(|t| s.tags.contains(t)))
            && (self.modalities.is_empty() || self.modalities.contains(&s.modality))
            && (self.ids.is_empty() || self.ids.iter().any(|p| id_matches(p, s.id())))
    }

    /// The selected scenarios, in order.
    pub fn apply(&self, scenarios: Vec<Scenario>) -> Vec<Scenario> {
        scenarios.into_iter().filter(|s| self.matches(s)).collect()
    }
}

/// Ids match whatever their case: `ext-001` is EXT-001.
fn id_matches(pattern: &glob::Pattern, id: &str) -> bool {
    pattern.matches_with(
        id,
        glob::MatchOptions {
            case_sensitive: false,
            ..glob::MatchOptions::new()
        },
    )
}

/// The ids closest to `wanted` (edit distance, case ignored), for a selection that matches
/// nothing.
pub fn nearest_ids<'a>(wanted: &str, ids: impl Iterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let wanted = wanted.to_ascii_uppercase();
    let mut ranked: Vec<(usize, &str)> = ids
        .map(|id| (distance(&wanted, &id.to_ascii_uppercase()), id))
        .collect();
    ranked.sort();
    ranked.into_iter().take(n).map(|(_, id)| id).collect()
}

/// Edit distance on characters, a swap of two neighbours counting as one edit (the usual
/// typo: `ETX` for `EXT`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_in_any_case_and_a_miss_names_the_nearest() {
        let p = glob::Pattern::new("ext-00*").expect("glob");
        assert!(id_matches(&p, "EXT-001"));
        assert!(!id_matches(&p, "MAJ-001"));
        let ids = ["EXT-001", "EXT-011", "MAJ-001", "RCH-010"];
        assert_eq!(nearest_ids("ETX-001", ids.into_iter(), 1), ["EXT-001"]);
    }
}
