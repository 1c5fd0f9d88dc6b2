//! `report.json`: the whole run for machines.

use std::collections::BTreeMap;

use serde::Serialize;

use rorcheck_engine::run::result::{Status, StepResult, TargetInfo, ToolInfo};
use rorcheck_engine::run::{Counts, RunReport, ScenarioResult};
use rorcheck_observe::ObserveReport;
use rorcheck_scenario::Priority;

use crate::PASSING_BODY_SHOWN;

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    /// PLATINES-style weighted score, 0 to 100.
    score: u32,
    /// `conforme` when every scenario that ran passed.
    verdict: &'static str,
    by_priority: BTreeMap<String, PriorityCounts>,
}

#[derive(Serialize)]
struct PriorityCounts {
    label: &'static str,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// What the report judges: `run`, the ROR API as reached by this client
    /// (`observe` judges the vendor's application).
    mode: &'static str,
    tool: &'a ToolInfo,
    target: &'a TargetInfo,
    scenario_set_hash: &'a str,
    started_at: String,
    finished_at: String,
    duration_ms: f64,
    /// Why the run stopped before its end, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted: Option<&'a str>,
    /// Why the run stopped early on its own (the target could not be reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_early: Option<&'a str>,
    /// The second embedded target (the mutual-TLS mock) of a default embedded run.
    #[serde(skip_serializing_if = "Option::is_none")]
    alternate_target: Option<&'a TargetInfo>,
    summary: Summary,
    scenarios: Abridged<'a>,
}

/// The scenarios with their passing steps' response bodies cut to their start
/// ([`crate::PASSING_BODY_SHOWN`], marked `body_abridged`): a run of 2,000 searches kept
/// 100 MB of bodies nobody reads here, and escaping them was most of the report's cost.
/// Failed and errored steps keep their bodies whole.
struct Abridged<'a>(&'a [ScenarioResult]);

impl Serialize for Abridged<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for scenario in self.0 {
            if scenario.steps.iter().any(abridgeable) {
                seq.serialize_element(&abridged(scenario))?;
            } else {
                seq.serialize_element(scenario)?;
            }
        }
        seq.end()
    }
}

fn abridgeable(step: &StepResult) -> bool {
    step.status == Status::Passed && step.responses().any(|r| r.body.len() > PASSING_BODY_SHOWN)
}

/// A copy of `scenario` with the bodies of its passing steps cut.
fn abridged(scenario: &ScenarioResult) -> ScenarioResult {
    let mut copy = scenario.clone();
    for step in copy.steps.iter_mut().filter(|s| s.status == Status::Passed) {
        step.responses_mut()
            .for_each(|r| r.abridge(PASSING_BODY_SHOWN));
    }
    copy
}

/// The run's verdict as `report.json` writes it.
pub fn verdict(report: &RunReport) -> &'static str {
    report.verdict().label()
}

/// `report.json` of a run.
pub fn render(report: &RunReport) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write(report, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `report.json` of a run, streamed to `out`: a run keeps every response body, so the
/// document is never built as one string beside them (100 MB for 2,000 requests).
pub fn write(report: &RunReport, out: impl std::io::Write) -> Result<(), serde_json::Error> {
    let by_priority = Priority::ALL
        .iter()
        .map(|p| {
            (
                p.number().to_string(),
                PriorityCounts {
                    label: p.label(),
                    counts: report.counts_for(*p),
                },
            )
        })
        .collect();
    let doc = JsonReport {
        mode: "run",
        tool: &report.tool,
        target: &report.target,
        scenario_set_hash: &report.scenario_set_hash,
        started_at: report.started_at.to_rfc3339(),
        finished_at: report.finished_at.to_rfc3339(),
        duration_ms: report.duration_ms(),
        interrupted: report.interrupted.as_deref(),
        stopped_early: report.stopped_early.as_deref(),
        alternate_target: report.alternate_target.as_ref(),
        summary: Summary {
            counts: report.counts(),
            score: report.score(),
            verdict: verdict(report),
            by_priority,
        },
        scenarios: Abridged(&report.scenarios),
    };
    serde_json::to_writer_pretty(out, &doc)
}

/// `report.json` of an observed session, streamed to `out`.
pub fn write_observation(
    report: &ObserveReport,
    out: impl std::io::Write,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(out, report)
}
