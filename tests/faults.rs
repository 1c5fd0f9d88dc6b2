//! Mutation proof: the shipped catalogue passes against the faithful mock, and each fault
//! injected into the mock makes the scenarios built to catch it fail.

use std::collections::BTreeSet;
use std::time::Duration;

use rorcheck::cli::mock_target;
use rorcheck::fhirpath::FhirPath;
use rorcheck::http::{HttpClient, Redactor};
use rorcheck::mock::{Fault, Faults, MockOptions, MockServer};
use rorcheck::run::{Runner, Status};
use rorcheck::scenario::ScenarioSet;

/// Ids of the scenarios that did not pass, and those that passed.
async fn run_catalogue(
    set: &ScenarioSet,
    faults: &[Fault],
) -> (BTreeSet<String>, BTreeSet<String>) {
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
    );
    let report = runner.run(set, 8, |_| {}).await;
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
