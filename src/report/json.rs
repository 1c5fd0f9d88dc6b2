//! `report.json`: the whole run for machines.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::run::result::{TargetInfo, ToolInfo};
use crate::run::{Counts, RunReport, ScenarioResult};
use crate::scenario::Priority;

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
    tool: &'a ToolInfo,
    target: &'a TargetInfo,
    scenario_set_hash: &'a str,
    started_at: String,
    finished_at: String,
    duration_ms: f64,
    /// Why the run stopped before its end, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted: Option<&'a str>,
    summary: Summary,
    scenarios: &'a [ScenarioResult],
}

pub fn verdict(report: &RunReport) -> &'static str {
    if report.interrupted.is_some() {
        "interrompu"
    } else if report.all_passed() {
        "conforme"
    } else {
        "non conforme"
    }
}

pub fn render(report: &RunReport) -> Result<String, serde_json::Error> {
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
        tool: &report.tool,
        target: &report.target,
        scenario_set_hash: &report.scenario_set_hash,
        started_at: report.started_at.to_rfc3339(),
        finished_at: report.finished_at.to_rfc3339(),
        duration_ms: report.duration_ms(),
        interrupted: report.interrupted.as_deref(),
        summary: Summary {
            counts: report.counts(),
            score: report.score(),
            verdict: verdict(report),
            by_priority,
        },
        scenarios: &report.scenarios,
    };
    serde_json::to_string_pretty(&doc)
}
