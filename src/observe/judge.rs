//! Scenario by scenario, what the observed traffic shows: passed (the expected requests
//! were seen and answered), failed (seen but wrong, with the difference), not exercised.

use serde::Serialize;

use crate::mock::log::{ExportFacts, LoggedRequest, Refusal};
use crate::mock::server::TOKEN_PATH;
use crate::scenario::{ConsumerBehaviour, Priority, Scenario};

use super::behaviour::{BehaviourCheck, CheckStatus, export_problems, is_probe, paging_gaps};
use super::canonical::{Canonical, Difference};
use super::expect::{ExpectedStep, OutOfScope, Plan, plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    NotExercised,
    /// Tests the server, not the consumer (or another access profile).
    OutOfScope,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "RÉUSSI",
            Outcome::Failed => "ÉCHOUÉ",
            Outcome::NotExercised => "NON EXERCÉ",
            Outcome::OutOfScope => "HORS OBSERVATION",
        }
    }
}

/// One expected request and what was seen of it.
#[derive(Debug, Clone, Serialize)]
pub struct StepVerdict {
    pub name: String,
    pub line: u64,
    /// The canonical request expected (`…` where the vendor chooses the value).
    pub expected: String,
    pub outcome: Outcome,
    /// `seq` of the requests that matched (or nearly matched, when failed).
    pub requests: Vec<u64>,
    /// Why it failed: differences of the nearest request, refusal, paging or export gaps.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioVerdict {
    pub id: String,
    pub title: String,
    pub priority: u8,
    pub priority_label: &'static str,
    pub modality: &'static str,
    pub modality_label: &'static str,
    pub file: String,
    pub outcome: Outcome,
    /// Why the scenario is out of scope, or a one-line account of the failure.
    pub reason: Option<String>,
    pub steps: Vec<StepVerdict>,
}

/// Requests the judge compares with expectations: not the continuation of a flow (pages,
/// polls, export files), which the flow's own checks judge.
fn comparable(r: &LoggedRequest, base_path: &str) -> bool {
    let continuation = r.query.as_deref().is_some_and(|q| q.contains("_getpages="))
        || matches!(
            r.facts.export,
            Some(ExportFacts::Poll { .. } | ExportFacts::File { .. })
        );
    r.method != "TLS"
        && !continuation
        && (r.path.starts_with(base_path.trim_end_matches('/')) || r.path == TOKEN_PATH)
}

/// A logged request in canonical form, with its place in the log.
pub struct Observed<'a> {
    pub entry: &'a LoggedRequest,
    pub canonical: Canonical,
}

pub fn observed<'a>(log: &'a [LoggedRequest], base_path: &str) -> Vec<Observed<'a>> {
    log.iter()
        .filter(|r| comparable(r, base_path))
        .map(|r| Observed {
            entry: r,
            canonical: Canonical::new(
                &r.method,
                &r.path,
                r.query.as_deref(),
                r.body.as_deref(),
                base_path,
            ),
        })
        .collect()
}

fn refusal_text(r: &LoggedRequest) -> String {
    match &r.facts.refusal {
        Some(Refusal { message, .. }) => format!("HTTP {} — {message}", r.status),
        None => format!("HTTP {}", r.status),
    }
}

/// The verdict on one expected request.
fn judge_step(
    step: &ExpectedStep,
    traffic: &[Observed<'_>],
    claims: &[Claim],
    log: &[LoggedRequest],
) -> StepVerdict {
    let mut verdict = StepVerdict {
        name: step.name.clone(),
        line: step.line,
        expected: step.request.to_string(),
        outcome: Outcome::NotExercised,
        requests: Vec::new(),
        problems: Vec::new(),
    };
    let exact: Vec<&LoggedRequest> = traffic
        .iter()
        .filter(|o| step.request.differences(&o.canonical).is_empty())
        // A probe (`_count=1`, no further page) is not an attempt at a paged read.
        .filter(|o| !(step.follow_next && is_probe(log, o.entry)))
        .map(|o| o.entry)
        .collect();
    if exact.is_empty() {
        judge_near_miss(step, traffic, claims, &mut verdict);
    } else {
        judge_seen(step, &exact, log, &mut verdict);
    }
    verdict
}

/// The request was sent: was it answered, and is the flow it starts complete?
fn judge_seen(
    step: &ExpectedStep,
    exact: &[&LoggedRequest],
    log: &[LoggedRequest],
    verdict: &mut StepVerdict,
) {
    verdict.requests = exact.iter().map(|r| r.seq).collect();
    let answered: Vec<&LoggedRequest> = exact
        .iter()
        .copied()
        .filter(|r| (200..300).contains(&r.status))
        .collect();
    if answered.is_empty() {
        verdict.outcome = Outcome::Failed;
        verdict.problems = exact
            .iter()
            .map(|r| {
                format!(
                    "requête n° {} vue mais refusée : {}",
                    r.seq,
                    refusal_text(r)
                )
            })
            .collect();
        return;
    }
    // A search that fit on one page shows nothing of how the consumer pages.
    let answered: Vec<&LoggedRequest> = if step.follow_next {
        answered
            .into_iter()
            .filter(|r| r.facts.page.as_ref().is_some_and(|p| p.matches > p.count))
            .collect()
    } else {
        answered
    };
    if answered.is_empty() {
        verdict.problems = vec![
            "résultat tenant sur une seule page : le suivi des liens next n'a pas pu être observé (demander des pages plus petites avec _count)".to_owned(),
        ];
        return;
    }
    // The flow must be complete on at least one of the times the request was sent.
    let best = answered
        .iter()
        .map(|r| {
            let mut problems = Vec::new();
            if step.follow_next {
                problems.extend(paging_gaps(log, r));
            }
            if step.export {
                problems.extend(export_problems(log, r));
            }
            problems
        })
        .min_by_key(Vec::len)
        .unwrap_or_default();
    verdict.outcome = if best.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed
    };
    verdict.problems = best;
}

/// The request was not sent as expected: the closest request, if near enough, says what
/// differs.
fn judge_near_miss(
    step: &ExpectedStep,
    traffic: &[Observed<'_>],
    claims: &[Claim],
    verdict: &mut StepVerdict,
) {
    let nearest = traffic
        .iter()
        .zip(claims)
        .filter_map(|(o, claim)| {
            let diffs: Vec<Difference> = step.request.differences(&o.canonical);
            (step.request.near_miss(&o.canonical, &diffs)
                && claim.nearest == Some(step.request.distance(&o.canonical)))
            .then_some((o, diffs))
        })
        .min_by_key(|(_, d)| d.len());
    let Some((o, diffs)) = nearest else {
        return;
    };
    verdict.requests = vec![o.entry.seq];
    verdict.problems = diffs
        .iter()
        .map(|d| format!("requête n° {} : {d}", o.entry.seq))
        .collect();
    if diffs.iter().all(Difference::is_other_data) {
        // The right request on the consumer's own data: not wrong, but not this case.
        verdict.problems.push(
            "même recherche sur d'autres valeurs : envoyer celles du scénario pour l'exercer"
                .to_owned(),
        );
    } else {
        verdict.outcome = Outcome::Failed;
    }
}

/// The plans of every scenario, for a session of access profile `profile`.
pub fn plans(
    scenarios: &[Scenario],
    profile: u8,
    base_path: &str,
) -> Vec<Result<Plan, OutOfScope>> {
    scenarios
        .iter()
        .map(|s| plan(s, profile, base_path))
        .collect()
}

/// How each observed request relates to all the expectations of the session.
#[derive(Debug, Clone, Copy, Default)]
pub struct Claim {
    /// It exactly matches some expectation (extra includes tolerated).
    pub exact: bool,
    /// Its distance to the expectations it matches or nearly misses, the closest: it
    /// counts as the near miss of those expectations only, not of every scenario it
    /// vaguely resembles (an exact match with no extra include is distance 0).
    pub nearest: Option<usize>,
}

pub fn claims(plans: &[Result<Plan, OutOfScope>], traffic: &[Observed<'_>]) -> Vec<Claim> {
    let expectations: Vec<&ExpectedStep> = plans.iter().flatten().flat_map(|p| &p.steps).collect();
    traffic
        .iter()
        .map(|o| {
            let mut claim = Claim::default();
            for e in &expectations {
                let diffs = e.request.differences(&o.canonical);
                let related = diffs.is_empty() || e.request.near_miss(&o.canonical, &diffs);
                claim.exact |= diffs.is_empty();
                if related {
                    let d = e.request.distance(&o.canonical);
                    claim.nearest = Some(claim.nearest.map_or(d, |n| n.min(d)));
                }
            }
            claim
        })
        .collect()
}

pub fn judge_scenario(
    scenario: &Scenario,
    plan: &Result<Plan, OutOfScope>,
    traffic: &[Observed<'_>],
    claims: &[Claim],
    log: &[LoggedRequest],
    behaviours: &[BehaviourCheck],
) -> ScenarioVerdict {
    let mut verdict = ScenarioVerdict {
        id: scenario.id().to_owned(),
        title: scenario.title.clone(),
        priority: scenario.priority.number(),
        priority_label: scenario.priority.label(),
        modality: scenario.modality.key(),
        modality_label: scenario.modality.label(),
        file: scenario.source.display().to_string(),
        outcome: Outcome::OutOfScope,
        reason: None,
        steps: Vec::new(),
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(OutOfScope(reason)) => {
            verdict.reason = Some(reason.clone());
            return verdict;
        }
    };
    verdict.steps = plan
        .steps
        .iter()
        .map(|s| judge_step(s, traffic, claims, log))
        .collect();
    let count = |o: Outcome| verdict.steps.iter().filter(|s| s.outcome == o).count();
    let (passed, failed) = (count(Outcome::Passed), count(Outcome::Failed));
    // Seen but wrong fails; a flow done only in part is not exercised (nothing wrong was
    // seen), and says which request is missing.
    verdict.outcome = if failed > 0 {
        Outcome::Failed
    } else if passed == verdict.steps.len() {
        Outcome::Passed
    } else {
        Outcome::NotExercised
    };
    verdict.reason = match verdict.outcome {
        Outcome::Failed => verdict
            .steps
            .iter()
            .find(|s| s.outcome == Outcome::Failed)
            .and_then(|s| s.problems.first().map(|p| format!("« {} » : {p}", s.name))),
        Outcome::NotExercised if passed == 0 => verdict
            .steps
            .iter()
            .find_map(|s| s.problems.first().map(|p| format!("« {} » : {p}", s.name))),
        Outcome::NotExercised => verdict
            .steps
            .iter()
            .find(|s| s.outcome == Outcome::NotExercised)
            .map(|s| {
                format!(
                    "exercé en partie : « {} » ({}) jamais envoyée",
                    s.name, s.expected
                )
            }),
        _ => None,
    };
    apply_required(&mut verdict, &plan.requires, behaviours);
    verdict
}

/// The behaviours a scenario requires: a failed one fails it, one with nothing observed
/// leaves it not exercised.
fn apply_required(
    verdict: &mut ScenarioVerdict,
    requires: &[ConsumerBehaviour],
    behaviours: &[BehaviourCheck],
) {
    for required in requires {
        let Some(check) = behaviours.iter().find(|b| b.id == required.check_id()) else {
            continue;
        };
        match check.status {
            CheckStatus::Failed => {
                if verdict.outcome != Outcome::Failed {
                    verdict.reason = Some(format!(
                        "comportement {} non conforme : {}",
                        check.id, check.summary
                    ));
                }
                verdict.outcome = Outcome::Failed;
            }
            CheckStatus::NotApplicable if verdict.outcome == Outcome::Passed => {
                verdict.outcome = Outcome::NotExercised;
                verdict.reason = Some(format!(
                    "comportement {} ({}) non observé pendant la session",
                    check.id, check.title
                ));
            }
            _ => {}
        }
    }
}

/// Counts of one priority level.
#[derive(Debug, Clone, Serialize)]
pub struct PriorityCoverage {
    pub priority: u8,
    pub label: &'static str,
    /// Scenarios a consumer can exercise in this session.
    pub observable: usize,
    pub passed: usize,
    pub failed: usize,
    pub not_exercised: usize,
    /// Exercised (passed or failed) over observable, in percent.
    pub coverage_percent: u32,
}

pub fn coverage(verdicts: &[ScenarioVerdict]) -> Vec<PriorityCoverage> {
    Priority::ALL
        .iter()
        .map(|p| {
            let of = |o: Outcome| {
                verdicts
                    .iter()
                    .filter(|v| v.priority == p.number() && v.outcome == o)
                    .count()
            };
            let (passed, failed, not_exercised) = (
                of(Outcome::Passed),
                of(Outcome::Failed),
                of(Outcome::NotExercised),
            );
            let observable = passed + failed + not_exercised;
            PriorityCoverage {
                priority: p.number(),
                label: p.label(),
                observable,
                passed,
                failed,
                not_exercised,
                coverage_percent: percent(passed + failed, observable),
            }
        })
        .collect()
}

pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(part * 100 / whole).unwrap_or(100)
}

/// The PLATINES weighted score: 100 minus 100 per failed CRITIQUE, 50 per MAJEUR and 25
/// per MINEUR scenario, floored at 0. Scenarios not exercised do not lower it: coverage
/// says how much was shown.
pub fn weighted_score(verdicts: &[ScenarioVerdict]) -> u32 {
    let lost: u32 = verdicts
        .iter()
        .filter(|v| v.outcome == Outcome::Failed)
        .filter_map(|v| Priority::try_from(v.priority).ok())
        .map(Priority::weight)
        .sum();
    100u32.saturating_sub(lost)
}
