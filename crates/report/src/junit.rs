//! `junit.xml`: one testsuite per modality, one testcase per scenario.
//!
//! `<failure>` when the server violated an expectation, `<error>` when the harness could not
//! evaluate, `<skipped>` with its reason. `classname` is `rorcheck.<modality>` so that GitLab
//! and Jenkins group by modality.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use rorcheck_engine::run::{RunReport, ScenarioResult, Status};
use rorcheck_scenario::Modality;

fn duration(ms: f64) -> Duration {
    Duration::from_secs_f64((ms / 1000.0).max(0.0))
}

/// Expected vs actual of every assertion that did not hold, and the exchanges, as text.
fn details(s: &ScenarioResult) -> String {
    let mut out = format!("{} — {}\nfichier : {}\n", s.id, s.title, s.file);
    for step in &s.steps {
        out.push_str(&format!(
            "\n[{}] étape « {} » (ligne {})\n",
            step.status.label(),
            step.name,
            step.line
        ));
        if let Some(reason) = &step.reason {
            out.push_str(&format!("  raison : {reason}\n"));
        }
        let follow_ups = step.follow_ups.iter().map(|f| &f.exchange);
        for ex in step.exchange.iter().chain(follow_ups) {
            out.push_str(&format!("  {} {}\n", ex.request.method, ex.request.url));
            if let Some(resp) = &ex.response {
                out.push_str(&format!("  → HTTP {}\n", resp.status));
            }
        }
        for a in step
            .assertions
            .iter()
            .filter(|a| a.status != Status::Passed)
        {
            out.push_str(&format!(
                "  {} {} (ligne {}) : attendu {} ; obtenu {}\n",
                if a.warning_only {
                    "avertissement"
                } else {
                    "échec"
                },
                a.kind,
                a.line,
                a.expected,
                a.actual
            ));
        }
    }
    out
}

fn test_case(s: &ScenarioResult) -> TestCase {
    let status = match s.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Skipped | Status::NotApplicable => {
            let mut st = TestCaseStatus::skipped();
            let what = s.status.label();
            st.set_message(match &s.reason {
                Some(r) => format!("{what} : {r}"),
                None => what.to_owned(),
            });
            st
        }
        Status::Failed | Status::Errored => {
            let kind = if s.status == Status::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_message(s.reason.clone().unwrap_or_else(|| s.status.label().into()));
            st.set_type(if s.status == Status::Failed {
                "non-conformité"
            } else {
                "erreur d'exécution"
            });
            st.set_description(details(s));
            st
        }
    };
    let mut tc = TestCase::new(format!("{} {}", s.id, s.title), status);
    tc.set_classname(format!("rorcheck.{}", s.modality.key()));
    tc.set_time(duration(s.duration_ms));
    tc.set_assertions(s.steps.iter().map(|st| st.assertions.len()).sum());
    tc.add_property(Property::new("priority", s.priority.number().to_string()));
    tc.add_property(Property::new("criticite", s.priority.label()));
    tc.add_property(Property::new("file", s.file.as_str()));
    for tag in &s.tags {
        tc.add_property(Property::new("tag", tag.as_str()));
    }
    for req in &s.requirements {
        tc.add_property(Property::new("requirement", req.as_str()));
    }
    if s.warnings > 0 {
        tc.add_property(Property::new("warnings", s.warnings.to_string()));
    }
    if s.status == Status::Passed && s.warnings > 0 {
        tc.set_system_out(details(s));
    }
    tc
}

pub fn render(report: &RunReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("rorcheck");
    junit.set_timestamp(report.started_at.fixed_offset());
    junit.set_time(duration(report.duration_ms()));
    for modality in Modality::ALL {
        let cases: Vec<&ScenarioResult> = report
            .scenarios
            .iter()
            .filter(|s| s.modality == modality)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(format!("rorcheck.{}", modality.key()));
        suite.set_timestamp(report.started_at.fixed_offset());
        suite.set_time(duration(cases.iter().map(|s| s.duration_ms).sum()));
        suite.add_property(Property::new("target", report.target.name.as_str()));
        suite.add_property(Property::new("base_url", report.target.base_url.as_str()));
        suite.add_property(Property::new("tool_version", report.tool.version));
        suite.add_property(Property::new(
            "scenario_set_hash",
            report.scenario_set_hash.as_str(),
        ));
        if let Some(c) = &report.target.client_certificate {
            suite.add_property(Property::new("client_certificate", c.as_str()));
        }
        if let Some(u) = &report.target.token_url {
            suite.add_property(Property::new("token_url", u.as_str()));
        }
        if let Some(c) = &report.target.client_id {
            suite.add_property(Property::new("client_id", c.as_str()));
        }
        if let Some(p) = report.target.access_profile {
            suite.add_property(Property::new("access_profile", p.to_string()));
        }
        suite.add_test_cases(cases.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }
    junit.to_string()
}
