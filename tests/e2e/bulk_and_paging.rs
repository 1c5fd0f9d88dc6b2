//! `$export` as a step (polling, streamed files, checks on what was exported) and paging
//! followed to the end (union checks, the documented cap of synchronous searches), against
//! the real mock on loopback, faithful and broken, and against a wiremock server that
//! misbehaves in ways the mock does not.

use std::time::Duration;

use rorcheck::mock::{Fault, Faults, MockOptions, MockServer};
use rorcheck::run::{RunReport, ScenarioResult, Status};
use rorcheck_embedded::secret_target as mock_target;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

async fn run(dir: &str, opts: MockOptions) -> RunReport {
    let set = rorcheck::scenario::load(&[dir.into()]).expect("valid scenarios");
    let mock = MockServer::start(opts).await.expect("mock starts");
    let target = mock_target(&mock).expect("target");
    rorcheck_embedded::runner(target)
        .await
        .expect("engine")
        .run(&set, 4, |_| {})
        .await
}

fn quick() -> MockOptions {
    MockOptions {
        export_delay: Duration::from_millis(300),
        ..MockOptions::default()
    }
}

fn scenario<'a>(report: &'a RunReport, id: &str) -> &'a ScenarioResult {
    report
        .scenarios
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} in report"))
}

fn assertion_text(s: &ScenarioResult, kind: &str) -> String {
    s.steps
        .iter()
        .flat_map(|st| &st.assertions)
        .filter(|a| a.kind == kind)
        .map(|a| a.actual.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ndjson_export_is_read_as_a_stream_and_every_file_is_evidence() {
    let report = run("tests/data/bulk", quick()).await;
    let s = scenario(&report, "BULK-001");
    assert_eq!(s.status, Status::Passed, "{:?}", s.reason);
    let step = &s.steps[0];
    let labels: Vec<&str> = step.follow_ups.iter().map(|f| f.label.as_str()).collect();
    assert!(
        labels.iter().any(|l| l.starts_with("manifeste")),
        "{labels:?}"
    );
    assert_eq!(
        labels.iter().filter(|l| l.starts_with("fichier ")).count(),
        5,
        "{labels:?}"
    );
    assert!(assertion_text(s, "exported").contains("5 fichier(s)"));
}

/// A long chain keeps the evidence of its first pages and of its last one, each with its own
/// body: the pages between are counted, not recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_chain_keeps_its_first_pages_and_its_last_as_evidence() {
    let report = run("scenarios/recherche/RCH-010.yaml", quick()).await;
    let s = scenario(&report, "RCH-010");
    assert_eq!(s.status, Status::Passed, "{:?}", s.reason);
    let pages = assertion_text(s, "pages");
    let followed: usize = pages
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("page count in {pages}"));
    assert!(
        followed > 5,
        "a chain long enough to leave pages out: {pages}"
    );
    let kept = &s.steps[0].follow_ups;
    let labels: Vec<&str> = kept.iter().map(|f| f.label.as_str()).collect();
    let last = format!("page {followed}");
    assert_eq!(labels, ["page 2", "page 3", "page 4", last.as_str()]);
    let bodies: Vec<serde_json::Value> = kept
        .iter()
        .map(|f| {
            let body = &f.exchange.response.as_ref().expect("answered").body;
            serde_json::from_str(body).expect("a page")
        })
        .collect();
    let has_next = |page: &serde_json::Value| {
        page["link"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["relation"] == "next"))
    };
    // Each body is its own page's: the last alone has no next link, and they differ.
    assert!(bodies[..3].iter().all(has_next));
    assert!(!has_next(&bodies[3]));
    assert_ne!(bodies[2]["entry"], bodies[3]["entry"]);
    let url = |i: usize| kept[i].exchange.request.url.clone();
    assert_ne!(url(2), url(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_that_leaves_out_the_hierarchy_fails_naming_the_dangling_reference() {
    let opts = MockOptions {
        faults: Faults::new([Fault::ExportIncomplete]),
        ..quick()
    };
    let report = run("tests/data/bulk", opts).await;
    let s = scenario(&report, "BULK-001");
    assert_eq!(s.status, Status::Failed);
    let text = assertion_text(s, "exported");
    assert!(
        text.contains("référence(s) sans la ressource visée")
            && text.contains(".partOf → Organization/"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_cap_of_synchronous_searches_is_detected() {
    // Faithful mock, default cap: nothing truncated, PAGE-002 expected a truncation.
    let report = run("tests/data/capped", MockOptions::default()).await;
    assert_eq!(scenario(&report, "PAGE-001").status, Status::Passed);
    assert_eq!(scenario(&report, "PAGE-002").status, Status::Failed);

    // A server that serves at most 20 results of a larger total.
    let opts = MockOptions {
        sync_cap: 20,
        ..MockOptions::default()
    };
    let report = run("tests/data/capped", opts).await;
    let refused = scenario(&report, "PAGE-001");
    assert_eq!(refused.status, Status::Failed);
    let text = assertion_text(refused, "pages");
    assert!(
        text.contains("recherche tronquée au plafond documenté de 20 résultats")
            && text.contains("$export"),
        "{text}"
    );
    let seen = scenario(&report, "PAGE-002");
    assert_eq!(seen.status, Status::Passed, "{:?}", seen.reason);
    assert!(assertion_text(seen, "pages").contains("plafond documenté de 20 résultats atteint"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_faults_are_named_in_the_union_verdict() {
    for (fault, needle) in [
        (
            Fault::DuplicateAcrossPages,
            "renvoyée(s) sur plusieurs pages",
        ),
        (Fault::DropNextLink, "perdu(s)"),
    ] {
        let opts = MockOptions {
            faults: Faults::new([fault]),
            ..MockOptions::default()
        };
        let report = run("scenarios/recherche", opts).await;
        let s = scenario(&report, "RCH-010");
        assert_eq!(s.status, Status::Failed, "{fault}");
        let text = assertion_text(s, "pages");
        assert!(text.contains(needle), "{fault}: {text}");
    }
}

fn fhir(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/fhir+json")
}

/// A bulk server that misbehaves on one path per case.
/// A bulk server broken four ways: a synchronous kick-off, a 202 without Content-Location,
/// a failing status URL, and a manifest whose files are not FHIR or are cut short.
async fn mount_broken_exports(server: &wiremock::MockServer, base: &str) {
    // Case 1: the kick-off answers 200 synchronously.
    Mock::given(path("/fhir/sync/$export"))
        .respond_with(fhir(
            200,
            json!({"resourceType": "Bundle", "type": "collection"}),
        ))
        .mount(server)
        .await;
    // Case 2: 202 without Content-Location.
    Mock::given(path("/fhir/noloc/$export"))
        .respond_with(ResponseTemplate::new(202))
        .mount(server)
        .await;
    // Case 3: the status URL fails.
    Mock::given(path("/fhir/pollfail/$export"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("Content-Location", format!("{base}/pollfail/status")),
        )
        .mount(server)
        .await;
    Mock::given(path("/fhir/pollfail/status"))
        .respond_with(fhir(500, json!({"resourceType": "OperationOutcome"})))
        .mount(server)
        .await;
    // Case 4: the manifest points to a file that is not FHIR, and to a truncated file.
    Mock::given(path("/fhir/garbage/$export"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("Content-Location", format!("{base}/garbage/status")),
        )
        .mount(server)
        .await;
    Mock::given(path("/fhir/garbage/status"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            json!({"transactionTime": "2026-11-23T10:00:00Z", "request": "x", "requiresAccessToken": true,
                   "output": [{"type": "HealthcareService", "url": format!("{base}/garbage/file1"), "count": 2},
                              {"type": "Organization", "url": format!("{base}/garbage/file2"), "count": 1}],
                   "error": []}).to_string(),
            "application/json",
        ))
        .mount(server)
        .await;
    Mock::given(path("/fhir/garbage/file1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .mount(server)
        .await;
    Mock::given(path("/fhir/garbage/file2"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "{\"resourceType\":\"Organization\",\"id\":\"o1\"}\n{\"resourceType\":\"Organiz",
            "application/fhir+ndjson",
        ))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_bulk_server_fails_the_step_with_a_reason() {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/fhir", server.uri());
    mount_broken_exports(&server, &base).await;
    let dir = tempfile::tempdir().expect("tempdir");
    for (id, prefix) in [
        ("X-001", "sync"),
        ("X-002", "noloc"),
        ("X-003", "pollfail"),
        ("X-004", "garbage"),
    ] {
        std::fs::write(
            dir.path().join(format!("{id}.yaml")),
            format!(
                "id: {id}\ntitle: t\ndescription: d\npriority: 3\nmodality: extraction\nsteps:\n  - name: export\n    request:\n      path: /{prefix}/$export\n    export: {{ max_polls: 3, max_wait_secs: 1 }}\n    expect:\n      - exported: {{}}\n"
            ),
        )
        .expect("scenario");
    }
    let set = rorcheck::scenario::load(&[dir.path().to_path_buf()]).expect("valid");
    let mut target = rorcheck::config::Target::new("cassé", &base).expect("target");
    target.timeout = Duration::from_secs(2);
    let report = rorcheck_embedded::runner(target)
        .await
        .expect("engine")
        .run(&set, 2, |_| {})
        .await;
    let reason = |id: &str| {
        scenario(&report, id).steps[0]
            .reason
            .clone()
            .unwrap_or_default()
    };
    assert!(
        reason("X-001").contains("attendu 202 Accepted, obtenu HTTP 200"),
        "{}",
        reason("X-001")
    );
    assert!(
        reason("X-002").contains("202 sans Content-Location"),
        "{}",
        reason("X-002")
    );
    assert!(reason("X-003").contains("HTTP 500"), "{}", reason("X-003"));
    let garbage = scenario(&report, "X-004");
    assert_eq!(garbage.status, Status::Failed);
    let text = assertion_text(garbage, "exported");
    assert!(
        text.contains("fichier HealthcareService illisible : type de contenu « text/html"),
        "{text}"
    );
    assert!(
        text.contains("fichier Organization illisible : ressource n° 2 illisible"),
        "{text}"
    );
    // Each file is evidence, even unreadable.
    assert_eq!(
        garbage.steps[0]
            .follow_ups
            .iter()
            .filter(|f| f.label.starts_with("fichier"))
            .count(),
        2
    );
}

/// EXT-014 and RCH-029, from the shipped catalogue, run against the default (64-offer) mock
/// as a profile-0 target that `configure` may change, on the given runner additions; with
/// the mock's count of offers that profile sees, and the status and reason of each.
async fn run_national_size(
    configure: impl FnOnce(&mut rorcheck::config::Target),
    larger: Option<rorcheck::run::LargerTarget>,
) -> (usize, Vec<ScenarioResult>) {
    let mut set = rorcheck::scenario::load(&["scenarios".into()]).expect("valid catalogue");
    set.scenarios
        .retain(|s| matches!(s.id(), "EXT-014" | "RCH-029"));
    assert!(set.scenarios.iter().all(|s| s.min_offers.is_some()));
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock starts");
    let mut target = mock_target(&mock).expect("target");
    assert_eq!(target.offers, Some(mock.offers_for(0) as u64));
    configure(&mut target);
    let mut runner = rorcheck_embedded::runner(target).await.expect("engine");
    if let Some(larger) = larger {
        runner = runner.with_larger(larger);
    }
    let report = runner.run(&set, 2, |_| {}).await;
    assert_eq!(report.scenarios.len(), 2);
    (mock.offers_for(0), report.scenarios)
}

fn reason(s: &ScenarioResult) -> String {
    s.reason.clone().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_needing_more_offers_than_the_target_holds_is_skipped_with_the_counts() {
    let (offers, results) = run_national_size(|_| {}, None).await;
    for s in &results {
        assert_eq!(s.status, Status::Skipped, "{}", s.id);
        assert!(
            reason(s).contains(&format!("ne contient que {offers} offres")),
            "{}",
            reason(s)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_larger_target_that_does_not_start_errors_its_scenarios_and_says_why() {
    use rorcheck::run::larger::{LargerTarget, StartError};
    let starts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = starts.clone();
    let larger = LargerTarget::new(20_000, move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Err(StartError("port occupé".into())) })
    });
    let (_, results) = run_national_size(|_| {}, Some(larger)).await;
    for s in &results {
        assert_eq!(s.status, Status::Errored, "{}", s.id);
        assert!(
            reason(s).contains("n'a pas démarré : port occupé"),
            "{}",
            reason(s)
        );
    }
    // Started once for both scenarios, never retried per scenario.
    assert_eq!(starts.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_goes_on_while_the_larger_target_starts() {
    // One job, and a larger target that starts only once every other scenario is done: a
    // scenario waiting for it while holding the run's job would never let them run.
    use rorcheck::run::larger::{LargerTarget, StartError};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut set = rorcheck::scenario::load(&["scenarios".into()]).expect("valid catalogue");
    set.scenarios.retain(|s| {
        matches!(
            s.id(),
            "EXT-014" | "RCH-029" | "RCH-001" | "RCH-002" | "RCH-003"
        )
    });
    let others = set.scenarios.len() - 2;
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let (counted, waiting) = (done.clone(), done.clone());
    let larger = LargerTarget::new(20_000, move || {
        let done = waiting.clone();
        Box::pin(async move {
            while done.load(Ordering::SeqCst) < others {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(StartError("démarrée après les autres".into()))
        })
    });
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock starts");
    let target = mock_target(&mock).expect("target");
    let runner = rorcheck_embedded::runner(target)
        .await
        .expect("engine")
        .with_larger(larger);
    let run = runner.run(&set, 1, move |s| {
        if s.id != "EXT-014" && s.id != "RCH-029" {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    let report = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the other scenarios ran while the larger target was starting");
    for s in &report.scenarios {
        if s.id == "EXT-014" || s.id == "RCH-029" {
            assert_eq!(s.status, Status::Errored, "{}", s.id);
            assert!(
                reason(s).contains("démarrée après les autres"),
                "{}",
                reason(s)
            );
        } else {
            assert_eq!(s.status, Status::Passed, "{}: {}", s.id, reason(s));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_target_of_unknown_size_the_precondition_skips_them_with_the_count() {
    // As against a real ROR: nothing says how many offers it holds, the scenarios run, and
    // their first step finds 64 offers, too few to show either cap.
    let (offers, results) = run_national_size(|t| t.offers = None, None).await;
    for s in &results {
        assert_eq!(s.status, Status::Skipped, "{}", s.id);
        assert!(
            reason(s).starts_with("précondition non remplie")
                && reason(s).contains(&format!("total = {offers}")),
            "{}",
            reason(s)
        );
        // The rule itself was not judged.
        assert_eq!(s.steps[1].status, Status::Skipped, "{}", s.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_min_offers_beyond_what_the_embedded_target_generates_is_refused_without_generating() {
    // A scenario asking for a million offers must not make the run build them.
    let needed = rorcheck_embedded::MAX_LARGER_OFFERS + 1;
    let larger = rorcheck_embedded::larger(MockOptions::default(), needed);
    let (_, results) = run_national_size(|_| {}, Some(larger)).await;
    for s in &results {
        assert_eq!(s.status, Status::Errored, "{}", s.id);
        assert!(
            reason(s).contains(&format!(
                "en génère au plus {}",
                rorcheck_embedded::MAX_LARGER_OFFERS
            )),
            "{}",
            reason(s)
        );
    }
}
