//! Mutation proof: the shipped catalogue passes against the faithful mock, and each fault
//! injected into the mock makes the scenarios built to catch it fail.

use std::collections::BTreeSet;
use std::time::Duration;

use rorcheck::mock::{Fault, Faults, MockOptions, MockServer};
use rorcheck::run::{RunReport, Status};
use rorcheck::scenario::ScenarioSet;
use rorcheck_embedded::secret_target as mock_target;

/// Ids of the scenarios that did not pass, and those that passed.
async fn run_catalogue(
    set: &ScenarioSet,
    faults: &[Fault],
) -> (BTreeSet<String>, BTreeSet<String>) {
    // The scenarios needing a national-size dataset run (on a larger mock with the same
    // faults) for the faithful mock and the faults aimed at them; skipped otherwise, as
    // generating that dataset per fault would cost minutes.
    let larger = faults.is_empty()
        || faults.iter().any(|f| {
            expected(*f).iter().any(|id| {
                set.scenarios
                    .iter()
                    .any(|s| s.id() == *id && s.min_offers.is_some())
            })
        });
    let report = run_report(set, faults, false, larger).await;
    let mut failing = BTreeSet::new();
    let mut passing = BTreeSet::new();
    for s in report.scenarios {
        match s.status {
            Status::Failed | Status::Errored => failing.insert(s.id),
            Status::Passed | Status::Warning => passing.insert(s.id),
            Status::Skipped | Status::NotExercised | Status::NotApplicable => false,
        };
    }
    (failing, passing)
}

async fn run_report(
    set: &ScenarioSet,
    faults: &[Fault],
    check_all: bool,
    larger: bool,
) -> RunReport {
    let opts = MockOptions {
        faults: Faults::new(faults.iter().copied()),
        // $export jobs ready sooner: the catalogue runs once per fault.
        export_delay: Duration::from_millis(200),
        ..MockOptions::default()
    };
    let mock = MockServer::start(opts.clone()).await.expect("mock starts");
    let mut target = mock_target(&mock).expect("target");
    target.timeout = Duration::from_secs(1);
    let held = target.offers.unwrap_or_default();
    let mut runner = rorcheck_embedded::runner(target)
        .await
        .expect("engine")
        .with_conformance(check_all, false)
        .without_early_stop();
    let needed =
        rorcheck_embedded::larger_needed(set.scenarios.iter().filter_map(|s| s.min_offers), held);
    if let Some(needed) = needed.filter(|_| larger) {
        runner = runner.with_larger(rorcheck_embedded::larger(opts, needed));
    }
    runner.run(set, 8, |_| {}).await
}

/// The scenarios each fault must break. Targeted faults list every scenario built to catch
/// them; the faults that break everything (`slow`, `server-error`, wrong content type or
/// Bundle type, no total) list a sample.
const EXPECTED: &[(Fault, &[&str])] = &[
    (
        Fault::DropNextLink,
        &[
            "EXT-006", "EXT-007", "EXT-014", "MAJ-010", "RCH-010", "RCH-021", "RCH-022", "RCH-029",
        ],
    ),
    (
        Fault::DuplicateAcrossPages,
        &[
            "EXT-006", "EXT-007", "EXT-014", "MAJ-010", "RCH-010", "RCH-022",
        ],
    ),
    (
        Fault::OmitIncludes,
        &[
            "EXT-003", "EXT-004", "EXT-008", "EXT-010", "EXT-013", "MAJ-012", "MAJ-013", "OI-002",
            "OI-003", "OI-006", "PROF-001", "RCH-006", "RCH-007", "RCH-018",
        ],
    ),
    (
        Fault::IgnoreLastUpdated,
        &[
            "ERR-002", "MAJ-001", "MAJ-002", "MAJ-003", "MAJ-004", "MAJ-005", "MAJ-006", "MAJ-007",
            "MAJ-008", "MAJ-009", "MAJ-010", "MAJ-012", "MAJ-014", "OI-004",
        ],
    ),
    (
        Fault::WrongBundleType,
        &["EXT-003", "MAJ-004", "RCH-010", "PROF-001", "NOS-001"],
    ),
    (
        Fault::WrongContentType,
        &["CAP-001", "EXT-003", "ERR-001", "AUTH-003", "ERR-011"],
    ),
    (
        Fault::SkipRorHeaderCheck,
        &[
            "SEC-001", "SEC-002", "SEC-003", "SEC-004", "SEC-005", "SEC-006", "SEC-007",
        ],
    ),
    (Fault::AcceptExpiredToken, &["AUTH-004"]),
    (
        Fault::LeakRestrictedData,
        &[
            "EXT-001", "EXT-002", "EXT-003", "EXT-004", "EXT-009", "MAJ-012", "PROF-001",
            "PROF-002", "PROF-003", "PROF-004", "PROF-005", "PROF-006",
        ],
    ),
    (Fault::Slow, &["CAP-001", "EXT-001", "EXT-003", "MAJ-001"]),
    (
        Fault::ServerError,
        &["CAP-001", "EXT-001", "EXT-003", "MAJ-001", "AUTH-003"],
    ),
    (Fault::ExportIncomplete, &["EXT-001"]),
    (
        Fault::IgnoreSearchCriteria,
        &[
            "ERR-011", "EXT-006", "NOS-006", "RCH-001", "RCH-002", "RCH-003", "RCH-004", "RCH-005",
            "RCH-006", "RCH-007", "RCH-008", "RCH-009", "RCH-011", "RCH-014", "RCH-015", "RCH-016",
            "RCH-017", "RCH-018", "RCH-019", "RCH-020", "RCH-023", "RCH-024", "RCH-025", "RCH-026",
            "RCH-028",
        ],
    ),
    (Fault::IgnoreAbove, &["EXT-004", "EXT-005"]),
    (Fault::IgnoreFilter, &["ERR-007", "MAJ-011", "MAJ-015"]),
    (
        Fault::LenientParameters,
        &["ERR-001", "ERR-005", "ERR-008", "ERR-009", "RCH-004"],
    ),
    (
        Fault::EmptyAs404,
        &["ERR-011", "EXT-011", "MAJ-004", "OI-005", "PROF-002"],
    ),
    (
        Fault::BareErrors,
        &[
            "AUTH-003", "AUTH-004", "AUTH-007", "ERR-001", "ERR-002", "ERR-003", "ERR-004",
            "ERR-005", "ERR-006", "ERR-007", "ERR-008", "ERR-009", "ERR-010", "PROF-003",
            "SEC-001", "SEC-002", "SEC-003", "SEC-004", "SEC-005", "SEC-006", "SEC-007",
        ],
    ),
    (Fault::AcceptAnySecret, &["AUTH-002"]),
    (Fault::AcceptTamperedToken, &["AUTH-007"]),
    (Fault::ExportIgnoresTypeFilter, &["EXT-002"]),
    (
        Fault::NosValueSetSystems,
        &[
            "EXT-001", "EXT-002", "EXT-003", "EXT-008", "EXT-009", "NOS-001", "NOS-002", "NOS-003",
            "NOS-004", "NOS-005", "NOS-007", "RCH-001", "RCH-003", "RCH-004",
        ],
    ),
    (
        Fault::IgnoreCount,
        &[
            "ERR-004", "EXT-006", "EXT-007", "MAJ-010", "RCH-010", "RCH-021", "RCH-022",
        ],
    ),
    (Fault::NoTotal, &["RCH-022", "EXT-007", "MAJ-001", "OI-001"]),
    (
        Fault::IgnoreIdentifier,
        &[
            "EXT-003", "EXT-005", "EXT-008", "EXT-010", "EXT-011", "NOS-002", "NOS-003", "NOS-004",
            "NOS-005", "OI-001", "OI-002", "OI-003", "OI-004", "OI-005", "PROF-002", "RCH-012",
            "RCH-013",
        ],
    ),
    (
        Fault::MetadataIncomplete,
        &["CAP-001", "CAP-002", "CAP-003"],
    ),
    (Fault::TokenResponseIncomplete, &["AUTH-001", "AUTH-008"]),
    (Fault::IgnoreElements, &["EXT-012"]),
    (Fault::NoPageCap, &["RCH-029"]),
    (Fault::NoSyncCap, &["EXT-014"]),
];

/// Faults that break every exchange: they prove nothing about a particular scenario.
const INDISCRIMINATE: &[Fault] = &[Fault::Slow, Fault::ServerError];

fn expected(fault: Fault) -> &'static [&'static str] {
    EXPECTED
        .iter()
        .find(|(f, _)| *f == fault)
        .map_or(&[], |(_, ids)| *ids)
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
    // are skipped here and proven in tests/e2e/mtls_target.rs.
    let profile_0 = rorcheck::scenario::AccessProfile::try_from(0).ok();
    let applicable: BTreeSet<String> = set
        .scenarios
        .iter()
        .filter(|s| s.applies_to_profile(profile_0))
        .map(|s| s.id().to_owned())
        .collect();
    assert_eq!(passing, applicable);

    // Mutation proof: every scenario is broken by at least one fault aimed at what it
    // checks, not only by a server that fails everything.
    let proven: BTreeSet<&str> = EXPECTED
        .iter()
        .filter(|(f, _)| !INDISCRIMINATE.contains(f))
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    let unproven: Vec<&String> = applicable
        .iter()
        .filter(|id| !proven.contains(id.as_str()))
        .collect();
    assert!(
        unproven.is_empty(),
        "scenarios no targeted fault can make fail: {unproven:?}"
    );

    for fault in Fault::ALL {
        assert!(
            !expected(fault).is_empty(),
            "fault {fault} has no scenario built to catch it"
        );
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
    let report = run_report(&set, &[], true, false).await;
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
        let report = run_report(&set, &[fault], true, false).await;
        let rules = conformance_rules(&report);
        assert!(
            rules.contains(rule),
            "{fault}: {rule} expected in {rules:?}"
        );
    }
}
