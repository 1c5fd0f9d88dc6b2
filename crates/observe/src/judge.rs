//! Scenario by scenario, what the observed traffic shows: passed (the expected requests
//! were seen and answered), failed (seen but wrong, with the difference), not exercised.

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

use ror::TOKEN_PATH;
use rorcheck_mock::log::{ExportFacts, LoggedRequest, Refusal, RefusalKind};
use rorcheck_scenario::{ConsumerBehaviour, Priority, Scenario};

use super::behaviour::{BehaviourCheck, export_problems, is_probe, paging_gaps};
use super::canonical::Canonical;
use super::difference::Difference;
use super::expect::{ExpectedStep, OutOfScope, Plan, plan};
use rorcheck_outcome::Status;

/// One expected request and what was seen of it.
#[derive(Debug, Clone, Serialize)]
pub struct StepVerdict {
    /// The step's name in the scenario.
    pub name: String,
    /// Its line in the scenario file.
    pub line: u64,
    /// The canonical request expected (`…` where the vendor chooses the value).
    pub expected: String,
    /// How it ended.
    #[serde(rename = "status")]
    pub outcome: Status,
    /// `seq` of the requests that matched (or nearly matched, when failed).
    pub requests: Vec<u64>,
    /// Why it failed: differences of the nearest request, refusal, paging or export gaps.
    pub problems: Vec<String>,
}

/// One scenario judged from the traffic.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioVerdict {
    /// The scenario's id.
    pub id: String,
    /// Its French title.
    pub title: String,
    /// Its priority, 1 to 3.
    pub priority: u8,
    /// The priority's label.
    pub priority_label: &'static str,
    /// Its modality key.
    pub modality: &'static str,
    /// Its modality, as the report shows it.
    pub modality_label: &'static str,
    /// Its file.
    pub file: String,
    /// How it ended.
    #[serde(rename = "status")]
    pub outcome: Status,
    /// Why the scenario is out of scope, or a one-line account of the failure.
    pub reason: Option<String>,
    /// Each expected request and what was seen of it.
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
pub(crate) struct Observed<'a> {
    pub entry: &'a LoggedRequest,
    pub canonical: Canonical,
}

pub(crate) fn observed<'a>(log: &'a [LoggedRequest], base_path: &str) -> Vec<Observed<'a>> {
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
    at: (usize, usize),
    traffic: &[Observed<'_>],
    claims: &[Claim],
    log: &[LoggedRequest],
) -> StepVerdict {
    let mut verdict = StepVerdict {
        name: step.name.clone(),
        line: step.line,
        expected: step.request.to_string(),
        outcome: Status::NotExercised,
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
        judge_near_miss(step, at, traffic, claims, &mut verdict);
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
        // A refusal for the token, a Ror header, a parameter or the certificate is that
        // behaviour's finding (COMP-xx), counted there once: here the request was sent
        // right but not served, so the case is not shown.
        let attributed: Vec<Option<&'static str>> =
            exact.iter().map(|r| refusal_owner(r)).collect();
        verdict.outcome = if attributed.iter().all(Option::is_some) {
            Status::NotExercised
        } else {
            Status::Failed
        };
        verdict.problems = exact
            .iter()
            .zip(&attributed)
            .map(|(r, owner)| match owner {
                Some(id) => t!(
                    Lang::current(),
                    "j-refused-once",
                    seq = r.seq,
                    r = refusal_text(r),
                    id = id
                ),
                None => t!(
                    Lang::current(),
                    "j-refused",
                    seq = r.seq,
                    r = refusal_text(r)
                ),
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
        verdict.problems = vec![t!(Lang::current(), "j-single-page")];
        return;
    }
    // The flow must be complete on at least one of the times the request was sent.
    // Pages and polling are behaviours (COMP-07, COMP-08): an incomplete flow is their
    // finding, and leaves this case not shown rather than failed a second time.
    let best = answered
        .iter()
        .map(|r| {
            let mut problems = Vec::new();
            if step.follow_next {
                problems.extend(
                    paging_gaps(log, r)
                        .into_iter()
                        .map(|p| t!(Lang::current(), "j-counted-07", p = p)),
                );
            }
            if step.export {
                problems.extend(
                    export_problems(log, r)
                        .into_iter()
                        .map(|p| t!(Lang::current(), "j-counted-08", p = p)),
                );
            }
            problems
        })
        .min_by_key(Vec::len)
        .unwrap_or_default();
    verdict.outcome = if best.is_empty() {
        Status::Passed
    } else {
        Status::NotExercised
    };
    verdict.problems = best;
}

/// The behaviour check a refusal belongs to, if it belongs to one.
fn refusal_owner(r: &LoggedRequest) -> Option<&'static str> {
    match r.facts.refusal.as_ref().map(|f| f.kind) {
        Some(RefusalKind::Token) => Some("COMP-01"),
        Some(RefusalKind::RorHeader) => Some("COMP-02"),
        Some(RefusalKind::Tls) => Some("COMP-05"),
        Some(RefusalKind::Parameter) => Some("COMP-06"),
        _ => None,
    }
}

/// The request was not sent as expected: the closest request, if near enough, says what
/// differs.
fn judge_near_miss(
    step: &ExpectedStep,
    at: (usize, usize),
    traffic: &[Observed<'_>],
    claims: &[Claim],
    verdict: &mut StepVerdict,
) {
    let nearest = traffic
        .iter()
        .zip(claims)
        .filter(|(_, claim)| claim.owner == Some(at))
        .map(|(o, _)| (o, step.request.differences(&o.canonical)))
        .min_by_key(|(o, _)| step.request.distance(&o.canonical));
    let Some((o, diffs)) = nearest else {
        verdict.problems.push(t!(
            Lang::current(),
            "j-nothing-close",
            request = step.request
        ));
        return;
    };
    verdict.requests = vec![o.entry.seq];
    verdict.problems = diffs
        .iter()
        .map(|d| t!(Lang::current(), "j-request-diff", seq = o.entry.seq, d = d))
        .collect();
    if diffs.iter().all(Difference::is_other_data) {
        // The right request on the consumer's own data: not wrong, but not this case.
        verdict
            .problems
            .push(t!(Lang::current(), "j-other-values").to_owned());
    } else {
        verdict.outcome = Status::Failed;
    }
}

/// The plans of every scenario, for a session of access profile `profile`.
pub(crate) fn plans(
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
    /// The one expectation (plan, step) it is the near miss of, when it matches none: the
    /// closest by weighted distance, the first in catalogue order on a tie. One request is
    /// one finding, never the near miss of every scenario it resembles.
    pub owner: Option<(usize, usize)>,
}

pub(crate) fn claims(plans: &[Result<Plan, OutOfScope>], traffic: &[Observed<'_>]) -> Vec<Claim> {
    let expectations: Vec<((usize, usize), &ExpectedStep)> = plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().ok().map(|p| (i, p)))
        .flat_map(|(i, p)| p.steps.iter().enumerate().map(move |(j, s)| ((i, j), s)))
        .collect();
    traffic
        .iter()
        .map(|o| {
            let mut claim = Claim::default();
            // The closest exact match (extra includes count in the distance) and the
            // closest near miss: the request is the near miss of that one expectation
            // when no exact match is closer (a tolerated extra include does not hide a
            // missing one).
            let mut exact_distance: Option<usize> = None;
            let mut best: Option<(usize, (usize, usize))> = None;
            for (at, e) in &expectations {
                let diffs = e.request.differences(&o.canonical);
                let d = e.request.distance(&o.canonical);
                if diffs.is_empty() {
                    claim.exact = true;
                    exact_distance = Some(exact_distance.map_or(d, |x| x.min(d)));
                } else if e.request.near_miss(&o.canonical, &diffs)
                    && best.is_none_or(|(bd, _)| d < bd)
                {
                    best = Some((d, *at));
                }
            }
            claim.owner = best
                .filter(|(d, _)| exact_distance.is_none_or(|x| *d <= x))
                .map(|(_, at)| at);
            claim
        })
        .collect()
}

pub(crate) fn judge_scenario(
    index: usize,
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
        outcome: Status::NotApplicable,
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
        .enumerate()
        .map(|(j, s)| judge_step(s, (index, j), traffic, claims, log))
        .collect();
    let count = |o: Status| verdict.steps.iter().filter(|s| s.outcome == o).count();
    let (passed, failed) = (count(Status::Passed), count(Status::Failed));
    // Seen but wrong fails; a flow done only in part is not exercised (nothing wrong was
    // seen), and says which request is missing.
    verdict.outcome = if failed > 0 {
        Status::Failed
    } else if passed == verdict.steps.len() {
        Status::Passed
    } else {
        Status::NotExercised
    };
    verdict.reason = match verdict.outcome {
        Status::Failed => verdict
            .steps
            .iter()
            .find(|s| s.outcome == Status::Failed)
            .and_then(|s| {
                s.problems
                    .first()
                    .map(|p| t!(Lang::current(), "j-step-problem", name = s.name, p = p))
            }),
        Status::NotExercised if passed == 0 => verdict
            .steps
            .iter()
            .find(|s| !s.requests.is_empty())
            .or(verdict.steps.first())
            .and_then(|s| {
                s.problems
                    .first()
                    .map(|p| t!(Lang::current(), "j-step-problem", name = s.name, p = p))
            }),
        Status::NotExercised => verdict
            .steps
            .iter()
            .find(|s| s.outcome == Status::NotExercised)
            .map(|s| {
                t!(
                    Lang::current(),
                    "j-partly",
                    name = s.name,
                    expected = s.expected
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
            // The behaviour's failure is its own finding: counted there once, it leaves
            // this case not shown instead of failing it a second time.
            Status::Failed if verdict.outcome == Status::Passed => {
                verdict.outcome = Status::NotExercised;
                verdict.reason = Some(t!(
                    Lang::current(),
                    "j-behaviour-failed",
                    id = check.id,
                    title = check.title,
                    summary = check.summary
                ));
            }
            Status::NotApplicable if verdict.outcome == Status::Passed => {
                verdict.outcome = Status::NotExercised;
                verdict.reason = Some(t!(
                    Lang::current(),
                    "j-behaviour-unseen",
                    id = check.id,
                    title = check.title
                ));
            }
            _ => {}
        }
    }
}

/// Counts of one priority level.
#[derive(Debug, Clone, Serialize)]
pub struct PriorityCoverage {
    /// The priority, 1 to 3.
    pub priority: u8,
    /// Its label.
    pub label: &'static str,
    /// Scenarios a consumer can exercise in this session.
    pub observable: usize,
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
    /// Scenarios the application did not exercise.
    pub not_exercised: usize,
    /// Exercised (passed or failed) over observable, in percent.
    pub coverage_percent: u32,
}

/// Coverage of each priority level.
pub fn coverage(verdicts: &[ScenarioVerdict]) -> Vec<PriorityCoverage> {
    Priority::ALL
        .iter()
        .map(|p| {
            let of = |o: Status| {
                verdicts
                    .iter()
                    .filter(|v| v.priority == p.number() && v.outcome == o)
                    .count()
            };
            let (passed, failed, not_exercised) = (
                of(Status::Passed),
                of(Status::Failed),
                of(Status::NotExercised),
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

/// `part` over `whole` in whole percent (0 when `whole` is 0).
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(part * 100 / whole).unwrap_or(100)
}

/// The PLATINES weighted score: 100 minus 100 per failed CRITIQUE, 50 per MAJEUR and 25
/// per MINEUR finding — a failed scenario or a failed behaviour check, each counted once —
/// floored at 0. Scenarios not exercised do not lower it: coverage says how much was shown.
/// `None` when the session evidenced nothing at all: no score of 100 for an empty session.
pub(crate) fn weighted_score(
    verdicts: &[ScenarioVerdict],
    behaviours: &[BehaviourCheck],
) -> Option<u32> {
    let judged = verdicts
        .iter()
        .any(|v| matches!(v.outcome, Status::Passed | Status::Failed))
        || behaviours
            .iter()
            .any(|b| matches!(b.status, Status::Passed | Status::Failed));
    if !judged {
        return None;
    }
    let lost: u32 = verdicts
        .iter()
        .filter(|v| v.outcome == Status::Failed)
        .map(|v| v.priority)
        .chain(
            behaviours
                .iter()
                .filter(|b| b.status == Status::Failed)
                .map(|b| b.priority),
        )
        .filter_map(|p| Priority::try_from(p).ok())
        .map(Priority::weight)
        .sum();
    Some(100u32.saturating_sub(lost))
}
