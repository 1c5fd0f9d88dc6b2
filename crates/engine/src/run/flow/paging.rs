//! A paged search followed to the end ([`super::follow`]), judged on the union of its
//! pages: nothing lost, nothing repeated, pages within the documented size, totals that
//! agree, and the documented 10 000-result cap of synchronous searches recognised for what
//! it is.

use rorcheck_i18n::{Lang, t};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::assert::{FindingCounts, Verdict, findings_verdict};
use crate::run::result::{AssertionResult, FollowUp};
use rorcheck_conformance::{Aspects, Finding};
use rorcheck_http::{ForeignOrigin, Redactor};
use rorcheck_scenario::{Check, PagesSpec, Step};

use crate::outline::PageShape;

/// What one page held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRecord {
    /// `Type/id` of each match, in order.
    pub matches: Vec<String>,
    /// `Bundle.total`, when given.
    pub total: Option<u64>,
    /// The `next` link, when there is one.
    pub next: Option<String>,
}

impl PageRecord {
    /// Reads a searchset page; `Err` says why the body is not one.
    pub fn read(body: &Value) -> Result<PageRecord, PageError> {
        PageRecord::from_shape(PageShape::of_value(body))
    }

    /// The page as read, parsed or narrowly (`crate::outline`); `Err` when it is no Bundle.
    pub(super) fn from_shape(page: PageShape) -> Result<PageRecord, PageError> {
        if page.resource_type != "Bundle" {
            return Err(PageError::NotABundle(page.resource_type.to_string()));
        }
        Ok(PageRecord {
            matches: page.matches,
            total: page.total,
            next: page.next,
        })
    }
}

/// Why a page ends the chain.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not a success.
    #[error("HTTP {0}")]
    Status(u16),
    /// Not JSON.
    #[error("corps illisible ({0})")]
    Unreadable(#[from] serde_json::Error),
    /// JSON, but not a Bundle.
    #[error("la page n'est pas un Bundle (resourceType {0})")]
    NotABundle(String),
    /// The run stopped while the page was read.
    #[error("lecture interrompue")]
    Interrupted,
}

/// The pages of one search, as followed.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// Each page followed, in order.
    pub pages: Vec<PageRecord>,
    /// Why following stopped before the end (HTTP error, not a Bundle, no response...).
    pub stopped: Option<String>,
    /// `max_pages` reached while a `next` link remained.
    pub limit_reached: bool,
}

/// What the union of the pages shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Union {
    /// Resources collected, each once.
    pub distinct: usize,
    /// Resources seen as matches on more than one page, with the pages (1-based).
    pub duplicates: BTreeMap<String, Vec<usize>>,
    /// Pages holding more matches than allowed: (page, matches).
    pub oversized: Vec<(usize, usize)>,
    /// The totals the pages announced.
    pub totals: BTreeSet<u64>,
    /// Pages without `Bundle.total`.
    pub pages_without_total: Vec<usize>,
}

impl Paging {
    /// Whether the chain ended by itself (last page without `next`).
    pub fn complete(&self) -> bool {
        self.stopped.is_none()
            && !self.limit_reached
            && self.pages.last().is_some_and(|p| p.next.is_none())
    }

    /// The union of the pages, against a page size.
    pub fn union(&self, page_size: u64) -> Union {
        let mut seen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut oversized = Vec::new();
        let mut totals = BTreeSet::new();
        let mut pages_without_total = Vec::new();
        for (i, page) in self.pages.iter().enumerate() {
            let number = i + 1;
            for m in &page.matches {
                let on = seen.entry(m).or_default();
                if on.last() != Some(&number) {
                    on.push(number);
                }
            }
            if page.matches.len() as u64 > page_size {
                oversized.push((number, page.matches.len()));
            }
            match page.total {
                Some(t) => {
                    totals.insert(t);
                }
                None => pages_without_total.push(number),
            }
        }
        Union {
            distinct: seen.len(),
            duplicates: seen
                .into_iter()
                .filter(|(_, pages)| pages.len() > 1)
                .map(|(id, pages)| (id.to_owned(), pages))
                .collect(),
            oversized,
            totals,
            pages_without_total,
        }
    }

    /// Judges the pages against a `pages` assertion.
    pub fn judge(&self, spec: &PagesSpec) -> Verdict {
        let union = self.union(spec.page_size);
        let mut problems: Vec<String> = Vec::new();
        self.chain_problems(spec, &union, &mut problems);
        let capped = self.total_problems(spec, &union, &mut problems);
        self.count_problems(spec, &union, capped, &mut problems);
        let summary = t!(
            Lang::current(),
            "p-followed",
            pages_count = self.pages.len(),
            to_last = if self.complete() {
                t!(Lang::current(), "p-to-last")
            } else {
                String::new()
            },
            distinct = union.distinct,
            total = match union.totals.len() {
                0 => "absent".to_owned(),
                _ => union
                    .totals
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join("/"),
            },
            cap_note = if capped {
                t!(Lang::current(), "p-cap-reached", cap = spec.cap)
            } else {
                String::new()
            }
        );
        let expected = t!(
            Lang::current(),
            "p-expected",
            page_size = spec.page_size,
            results = spec
                .count
                .map(|c| format!(", pages {c}"))
                .unwrap_or_default(),
            cap = spec
                .matches
                .map(|c| t!(Lang::current(), "p-results", c = c))
                .unwrap_or_default(),
            more = match spec.capped {
                Some(true) => t!(Lang::current(), "p-cap-observed", cap = spec.cap),
                Some(false) => t!(Lang::current(), "p-no-truncation", cap = spec.cap),
                None => String::new(),
            }
        );
        let actual = if problems.is_empty() {
            summary
        } else {
            format!("{summary} ; {}", problems.join(" ; "))
        };
        Verdict::new(problems.is_empty(), expected, actual)
    }

    /// The chain itself: followed to the end, pages within the size, nothing repeated.
    fn chain_problems(&self, spec: &PagesSpec, union: &Union, problems: &mut Vec<String>) {
        if let Some(why) = &self.stopped {
            problems.push(t!(
                Lang::current(),
                "p-interrupted",
                page = self.pages.len() + 1,
                why = why
            ));
        }
        if spec.complete && self.limit_reached {
            problems.push(t!(
                Lang::current(),
                "p-max-pages",
                pages_count = self.pages.len()
            ));
        }
        for (page, n) in &union.oversized {
            problems.push(t!(
                Lang::current(),
                "p-too-many",
                page = page,
                n = n,
                page_size = spec.page_size
            ));
        }
        if spec.unique && !union.duplicates.is_empty() {
            let listed: Vec<String> = union
                .duplicates
                .iter()
                .take(5)
                .map(|(id, pages)| format!("{id} (pages {})", join_numbers(pages)))
                .collect();
            problems.push(t!(
                Lang::current(),
                "p-duplicates",
                duplicates_count = union.duplicates.len(),
                listed = listed.join(", "),
                more = if union.duplicates.len() > 5 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
    }

    /// Totals present, stable, and equal to what was collected; whether the documented cap
    /// of synchronous searches was reached.
    fn total_problems(&self, spec: &PagesSpec, union: &Union, problems: &mut Vec<String>) -> bool {
        let mut capped = false;
        if spec.totals {
            if !union.pages_without_total.is_empty() {
                problems.push(t!(
                    Lang::current(),
                    "p-total-absent",
                    pages_without_total = join_numbers(&union.pages_without_total)
                ));
            }
            if union.totals.len() > 1 {
                problems.push(t!(
                    Lang::current(),
                    "p-total-varies",
                    totals = union
                        .totals
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if let Some(&total) = union.totals.iter().next()
            && union.totals.len() == 1
            && self.complete()
        {
            let distinct = union.distinct as u64;
            if total > spec.cap && distinct == spec.cap {
                capped = true;
            } else if spec.totals && distinct != total {
                problems.push(if distinct < total {
                    t!(
                        Lang::current(),
                        "p-lost",
                        lost = total - distinct,
                        distinct = distinct,
                        total = total
                    )
                } else {
                    t!(
                        Lang::current(),
                        "p-collected",
                        distinct = distinct,
                        total = total
                    )
                });
            }
        }
        capped
    }

    /// The cap, page and result counts the step expects.
    fn count_problems(
        &self,
        spec: &PagesSpec,
        union: &Union,
        capped: bool,
        problems: &mut Vec<String>,
    ) {
        match spec.capped {
            Some(false) if capped => problems.push(t!(
                Lang::current(),
                "p-truncated",
                cap = spec.cap,
                total = union.totals.iter().next().copied().unwrap_or_default()
            )),
            Some(true) if !capped => {
                problems.push(t!(Lang::current(), "p-cap-not-observed", cap = spec.cap))
            }
            _ => {}
        }
        if let Some(c) = &spec.count
            && !c.holds(self.pages.len() as u64)
        {
            problems.push(t!(
                Lang::current(),
                "p-pages-expected",
                pages_count = self.pages.len(),
                c = c
            ));
        }
        if let Some(c) = &spec.matches
            && !c.holds(union.distinct as u64)
        {
            problems.push(t!(
                Lang::current(),
                "p-distinct-expected",
                distinct = union.distinct,
                c = c
            ));
        }
    }
}

fn join_numbers(numbers: &[usize]) -> String {
    numbers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Evidence kept for the first pages and the last one; the others are counted only, so
/// that a 50-page chain does not make a 20 MB report.
pub(super) const PAGES_WITH_EVIDENCE: usize = 3;

/// What following the pages of a step produced.
#[derive(Default)]
pub struct Followed {
    /// The pages.
    pub paging: Paging,
    /// Conformance findings over every page, for each conformance assertion of the step
    /// (by index) and for the automatic check (`None`).
    pub(super) conformance: Vec<Slot>,
    /// Evidence of the first pages and the last.
    pub follow_ups: Vec<FollowUp>,
    /// Requests sent after the first page.
    pub requests: u32,
    /// A `next` link to another origin, not followed: a finding on its own.
    pub foreign: Option<ForeignOrigin>,
}

impl Followed {
    /// Puts the verdicts on all pages in place of the step's placeholders (`pages`) and
    /// first-page-only verdicts (`conformance`).
    pub fn apply(&self, st: &Step, results: &mut [AssertionResult], redactor: &Redactor) {
        let scope = format!("{} page(s)", self.paging.pages.len());
        for (i, a) in st.expect.iter().enumerate() {
            let Some(slot) = results.get_mut(i) else {
                continue;
            };
            let verdict = match &a.value.check {
                Check::Pages(spec) => self.paging.judge(spec),
                Check::Conformance(_) => match self.conformance.iter().find(|c| c.0 == Some(i)) {
                    Some((_, _, shown, counts)) => findings_verdict(shown, *counts, &scope),
                    None => continue,
                },
                _ => continue,
            };
            slot.status = verdict.outcome;
            slot.expected = redactor.text(&verdict.expected);
            slot.actual = redactor.text(&verdict.actual);
        }
        if let Some((_, _, shown, counts)) = self.conformance.iter().find(|c| c.0.is_none())
            && let Some(auto) = results
                .iter_mut()
                .skip(st.expect.len())
                .find(|r| r.kind == "conformance")
        {
            let verdict = findings_verdict(shown, *counts, &scope);
            auto.status = verdict.outcome;
            auto.expected = redactor.text(&verdict.expected);
            auto.actual = redactor.text(&verdict.actual);
        }
    }
}

pub(super) fn record_findings(
    slots: &mut [Slot],
    body: &Value,
    ctx: &rorcheck_conformance::Context,
) {
    for (_, aspects, kept, counts) in slots.iter_mut() {
        let found = rorcheck_conformance::check(body, ctx, *aspects);
        let c = FindingCounts::of(&found);
        counts.errors += c.errors;
        counts.warnings += c.warnings;
        kept.extend(found.into_iter().take(50usize.saturating_sub(kept.len())));
    }
}

/// Conformance findings gathered over the pages: one slot per conformance assertion of the
/// step (by index), or one for the automatic check (`None`).
pub(super) type Slot = (Option<usize>, Aspects, Vec<Finding>, FindingCounts);

pub(super) fn conformance_slots(st: &Step, check_all: bool) -> Vec<Slot> {
    let mut slots: Vec<Slot> = st
        .expect
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match &a.value.check {
            Check::Conformance(spec) => Some((
                Some(i),
                crate::assert::aspects(spec),
                Vec::new(),
                FindingCounts::default(),
            )),
            _ => None,
        })
        .collect();
    if check_all && slots.is_empty() {
        slots.push((None, Aspects::ALL, Vec::new(), FindingCounts::default()));
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assert::Status;
    use serde_json::json;

    fn spec(yaml: &str) -> PagesSpec {
        serde_saphyr::from_str(yaml).expect("spec")
    }

    fn page(ids: &[&str], total: u64, next: bool) -> PageRecord {
        let body = json!({
            "resourceType": "Bundle", "type": "searchset", "total": total,
            "link": if next { json!([{ "relation": "next", "url": "http://h/n" }]) } else { json!([]) },
            "entry": ids.iter().map(|id| json!({
                "resource": { "resourceType": "HealthcareService", "id": id },
                "search": { "mode": "match" }
            })).chain([json!({ "resource": { "resourceType": "Organization", "id": "o" }, "search": { "mode": "include" } })]).collect::<Vec<_>>()
        });
        PageRecord::read(&body).expect("page")
    }

    fn paging(pages: Vec<PageRecord>) -> Paging {
        Paging {
            pages,
            ..Paging::default()
        }
    }

    #[test]
    fn a_clean_chain_passes_and_includes_are_not_matches() {
        let p = paging(vec![page(&["a", "b"], 3, true), page(&["c"], 3, false)]);
        let v = p.judge(&spec("{ count: 2, matches: 3 }"));
        assert_eq!(v.outcome, Status::Passed, "{}", v.actual);
    }

    #[test]
    fn each_defect_is_named() {
        let cases = [
            (
                paging(vec![
                    page(&["a", "b"], 3, true),
                    page(&["b", "c"], 3, false),
                ]),
                "{}",
                "HealthcareService/b (pages 1, 2)",
            ),
            (
                paging(vec![page(&["a", "b"], 4, true), page(&["c"], 4, false)]),
                "{}",
                "1 résultat(s) perdu(s)",
            ),
            (
                paging(vec![page(&["a", "b", "c"], 3, false)]),
                "{ page_size: 2 }",
                "page 1 : 3 résultats",
            ),
            (
                paging(vec![page(&["a"], 2, true), page(&["b"], 3, false)]),
                "{}",
                "le total varie",
            ),
            (
                Paging {
                    pages: vec![page(&["a"], 2, true)],
                    limit_reached: true,
                    ..Paging::default()
                },
                "{}",
                "un lien next subsiste",
            ),
            (
                Paging {
                    pages: vec![page(&["a"], 2, true)],
                    stopped: Some("HTTP 500".into()),
                    ..Paging::default()
                },
                "{}",
                "pagination interrompue à la page 2 : HTTP 500",
            ),
            (
                paging(vec![page(&["a", "b"], 9, true), page(&["c"], 9, false)]),
                "{ cap: 3, capped: false }",
                "recherche tronquée au plafond documenté de 3",
            ),
        ];
        for (p, yaml, needle) in cases {
            let v = p.judge(&spec(yaml));
            assert_eq!(v.outcome, Status::Failed, "{needle}: {}", v.actual);
            assert!(v.actual.contains(needle), "{needle} in {}", v.actual);
        }
    }

    #[test]
    fn the_documented_cap_is_recognised_not_called_a_loss() {
        let p = paging(vec![page(&["a", "b"], 9, true), page(&["c"], 9, false)]);
        let v = p.judge(&spec("{ cap: 3 }"));
        assert_eq!(v.outcome, Status::Passed, "{}", v.actual);
        assert!(
            v.actual
                .contains("plafond documenté de 3 résultats atteint")
        );
        assert_eq!(
            p.judge(&spec("{ cap: 3, capped: true }")).outcome,
            Status::Passed
        );
        let small = paging(vec![page(&["a"], 1, false)]);
        assert_eq!(
            small.judge(&spec("{ cap: 3, capped: true }")).outcome,
            Status::Failed
        );
    }
}
