//! Mutation proof: the shipped catalogue passes against the faithful mock, and each fault
//! injected into the mock makes the scenarios built to catch it fail.

use std::collections::BTreeSet;
use std::time::Duration;

use rorcheck::cli::mock_target;
use rorcheck::fhirpath::FhirPath;
use rorcheck::http::{HttpClient, Redactor};
use rorcheck::mock::{Fault, Faults, MockOptions, MockServer};
use rorcheck::run::{RunReport, Runner, Status};
use rorcheck::scenario::ScenarioSet;

/// Ids of the scenarios that did not pass, and those that passed.
async fn run_catalogue(
    set: &ScenarioSet,
    faults: &[Fault],
) -> (BTreeSet<String>, BTreeSet<String>) {
    let report = run_report(set, faults, false).await;
    let mut failing = BTreeSet::new();
    let mut passing = BTreeSet::new();
    for s in report.scenarios {
        match s.status {
            Status::Failed | Status::Errored => failing.insert(s.id),
            Status::Passed => passing.insert(s.id),
            Status::Skipped => false,
        };
    }
    (failing, passing)
}

async fn run_report(set: &ScenarioSet, faults: &[Fault], check_all: bool) -> RunReport {
    let opts = MockOptions {
        faults: Faults::new(faults.iter().copied()),
        ..MockOptions::default()
    };
    let mock = MockServer::start(opts).await.expect("mock starts");
    let mut target = mock_target(&mock).expect("target");
    target.timeout = Duration::from_secs(1);
    let runner = Runner::new(
        HttpClient::new().expect("client"),
        FhirPath::new().await.expect("engine"),
        target,
        Redactor::default(),
    )
    .with_conformance(check_all, false);
    runner.run(set, 8, |_| {}).await
}

/// The scenarios each fault must break.
fn expected(fault: Fault) -> &'static [&'static str] {
    match fault {
        Fault::DropNextLink | Fault::DuplicateAcrossPages => &["RCH-010"],
        Fault::OmitIncludes => &["EXT-003", "PROF-001"],
        Fault::IgnoreLastUpdated => &["MAJ-001", "MAJ-004"],
        Fault::WrongBundleType => &["EXT-003", "MAJ-004", "RCH-010", "PROF-001"],
        Fault::WrongContentType => &["CAP-001", "EXT-003", "ERR-001", "AUTH-003"],
        Fault::SkipRorHeaderCheck => &["SEC-001"],
        Fault::AcceptExpiredToken => &["AUTH-004"],
        Fault::LeakRestrictedData => &["PROF-001"],
        Fault::Slow | Fault::ServerError => &["CAP-001", "EXT-001", "EXT-003", "MAJ-001"],
        Fault::ExportIncomplete => &["EXT-001"],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_the_scenarios_built_for_it() {
    let set = rorcheck::scenario::load(&["scenarios".into()]).expect("valid catalogue");
    let (failing, passing) = run_catalogue(&set, &[]).await;
    assert!(
        failing.is_empty(),
        "the faithful mock must pass everything: {failing:?}"
    );
    // The embedded target is a profile-0 client: scenarios for profiles 1 to 5 (mutual TLS)
    // are skipped here and run in tests/mtls_target.rs.
    let profile_0 = rorcheck::scenario::AccessProfile::try_from(0).ok();
    let applicable = set
        .scenarios
        .iter()
        .filter(|s| s.applies_to_profile(profile_0))
        .count();
    assert_eq!(passing.len(), applicable);

    for fault in Fault::ALL {
        let (failing, _) = run_catalogue(&set, &[fault]).await;
        for id in expected(fault) {
            assert!(
                failing.contains(*id),
                "fault {fault} must make {id} fail; failing: {failing:?}"
            );
        }
    }
}

/// The rule ids the automatic conformance checks reported, across the run.
fn conformance_rules(report: &RunReport) -> BTreeSet<String> {
    let rule = regex::Regex::new(r"\[([A-Z]+-[0-9]+)\]").expect("regex");
    report
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .flat_map(|st| &st.assertions)
        .filter(|a| a.kind == "conformance" && a.status == Status::Failed)
        .flat_map(|a| {
            rule.captures_iter(&a.actual)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_all_finds_nothing_on_the_faithful_mock_and_names_the_rule_each_fault_breaks() {
    let set = rorcheck::scenario::load(&["scenarios".into()]).expect("valid catalogue");
    let report = run_report(&set, &[], true).await;
    let checked = report
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .flat_map(|st| &st.assertions)
        .filter(|a| a.kind == "conformance")
        .count();
    assert!(checked > 10, "bodies were checked: {checked}");
    assert!(
        conformance_rules(&report).is_empty(),
        "zero findings on the faithful mock: {:?}",
        conformance_rules(&report)
    );
    for (fault, rule) in [
        (Fault::LeakRestrictedData, "VIS-01"),
        (Fault::OmitIncludes, "GRAPH-04"),
        (Fault::IgnoreLastUpdated, "GRAPH-03"),
    ] {
        let report = run_report(&set, &[fault], true).await;
        let rules = conformance_rules(&report);
        assert!(
            rules.contains(rule),
            "{fault}: {rule} expected in {rules:?}"
        );
    }
}
