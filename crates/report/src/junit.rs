//! `junit.xml`: one testsuite per modality, one testcase per scenario.
//!
//! `<failure>` when the server violated an expectation, `<error>` when the harness could not
//! evaluate, `<skipped>` with its reason. `classname` is `rorcheck.<modality>` so that GitLab
//! and Jenkins group by modality.

use rorcheck_i18n::{Lang, t};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use rorcheck_engine::run::{RunReport, ScenarioResult, Status};
use rorcheck_observe::{ObserveReport, ScenarioVerdict};
use rorcheck_scenario::Modality;

fn duration(ms: f64) -> Duration {
    Duration::from_secs_f64((ms / 1000.0).max(0.0))
}

/// The first lines of a case's text: id, title and scenario file.
fn heading(id: &str, title: &str, file: &str) -> String {
    let mut out = t!(
        Lang::current(),
        "junit-file",
        id = id,
        title = title,
        file = file
    );
    out.push('\n');
    out
}

/// Expected vs actual of every assertion that did not hold, and the exchanges, as text.
fn details(s: &ScenarioResult) -> String {
    let mut out = heading(&s.id, &s.title, &s.file);
    for step in &s.steps {
        out.push_str(&format!(
            "\n{}\n",
            t!(
                Lang::current(),
                "junit-step",
                status = step.status.label(),
                name = step.name,
                line = step.line
            )
        ));
        if let Some(reason) = &step.reason {
            out.push_str(&format!(
                "  {}\n",
                t!(Lang::current(), "junit-reason", reason = reason)
            ));
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
                "  {}\n",
                t!(
                    Lang::current(),
                    "junit-assertion",
                    label = if a.warning_only {
                        t!(Lang::current(), "status-warning")
                    } else {
                        t!(Lang::current(), "junit-failure")
                    },
                    kind = a.kind,
                    line = a.line,
                    expected = a.expected,
                    actual = a.actual
                )
            ));
        }
    }
    out
}

/// The JUnit status of any outcome, in both modes: `<failure>` when the server (or the
/// observed application) violated an expectation, `<error>` when the harness could not
/// evaluate, `<skipped>` with its reason for everything that did not run.
fn case_status(
    status: Status,
    message: String,
    description: impl FnOnce() -> String,
) -> TestCaseStatus {
    match status {
        Status::Passed | Status::Warning => TestCaseStatus::success(),
        Status::Failed | Status::Errored => {
            let (kind, label) = if status == Status::Failed {
                (
                    NonSuccessKind::Failure,
                    t!(Lang::current(), "junit-type-failure"),
                )
            } else {
                (
                    NonSuccessKind::Error,
                    t!(Lang::current(), "junit-type-error"),
                )
            };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_message(message);
            st.set_type(label);
            st.set_description(description());
            st
        }
        Status::Skipped | Status::NotExercised | Status::NotApplicable => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(message);
            st
        }
    }
}

fn test_case(s: &ScenarioResult) -> TestCase {
    let what = s.status.label();
    let message = match (&s.reason, s.status.is_problem()) {
        (Some(r), true) => r.clone(),
        (Some(r), false) => format!("{what} : {r}"),
        (None, _) => what.to_owned(),
    };
    let status = case_status(s.status, message, || details(s));
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

/// `junit.xml` of a run: one testsuite per modality, one testcase per scenario.
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

fn scenario_text(s: &ScenarioVerdict) -> String {
    let mut out = heading(&s.id, &s.title, &s.file);
    if let Some(reason) = &s.reason {
        out.push_str(&format!("{reason}\n"));
    }
    for step in &s.steps {
        out.push_str(&format!(
            "\n[{}] « {} » (ligne {})\n  attendu : {}\n",
            step.outcome.label(),
            step.name,
            step.line,
            step.expected
        ));
        for p in &step.problems {
            out.push_str(&format!("  - {p}\n"));
        }
    }
    out
}

/// `junit.xml` of an observed session: one testsuite per modality, one for the behaviour
/// checks, one for the session's own verdict.
pub fn observation(report: &ObserveReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("rorcheck-observe");
    for modality in Modality::ALL {
        let of: Vec<&ScenarioVerdict> = report
            .scenarios
            .iter()
            .filter(|s| s.modality == modality.key())
            .collect();
        if of.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(t!(
            Lang::current(),
            "junit-observation",
            modality = modality.label()
        ));
        for s in of {
            let message = match s.outcome {
                Status::NotExercised => t!(Lang::current(), "junit-not-exercised"),
                _ => s.reason.clone().unwrap_or_default(),
            };
            let status = case_status(s.outcome, message, || scenario_text(s));
            let mut case = TestCase::new(format!("{} {}", s.id, s.title), status);
            case.set_classname(format!("rorcheck.observe.{}", s.modality));
            case.add_property(Property::new("priority", s.priority.to_string()));
            case.add_property(Property::new("criticite", s.priority_label));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut suite = TestSuite::new(t!(Lang::current(), "junit-behaviour-suite"));
    for b in &report.behaviours {
        let findings = || {
            let lines: Vec<&str> = b.findings.iter().map(|f| f.message.as_str()).collect();
            lines.join("\n")
        };
        let status = case_status(b.status, b.summary.clone(), findings);
        let mut case = TestCase::new(format!("{} {}", b.id, b.title), status);
        case.set_classname("rorcheck.observe.comportement");
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    // The session's own verdict, so that the test view of a CI system fails exactly when
    // the exit code does (an empty session has no failed scenario, yet proves nothing).
    let mut suite = TestSuite::new(t!(Lang::current(), "junit-session-suite"));
    let status = if report.success() {
        TestCaseStatus::success()
    } else {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(session_failure(report));
        st
    };
    let mut case = TestCase::new(t!(Lang::current(), "junit-session-case"), status);
    case.set_classname("rorcheck.observe.session");
    suite.add_test_case(case);
    junit.add_test_suite(suite);
    junit.to_string()
}

/// Why a session is not a success, in one line.
pub(crate) fn session_failure(report: &ObserveReport) -> String {
    let s = &report.summary;
    if s.passed == 0 && s.failed == 0 && s.behaviours_failed == 0 {
        return t!(Lang::current(), "junit-session-empty");
    }
    t!(
        Lang::current(),
        "junit-session-failed",
        failed = s.failed,
        behaviours_failed = s.behaviours_failed,
        passed = s.passed
    )
}
