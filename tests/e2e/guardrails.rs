//! Guardrails for shared environments: a busy server (429/503) is asked again after its
//! `Retry-After`, within a bound; heavy scenarios do not run on production unless allowed;
//! the request rate is capped.

use crate::common::{config, rorcheck, run_args, text};
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_VAR: &str = "ROR_TEST_TOKEN";

fn bundle() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        json!({"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": []}).to_string(),
        "application/fhir+json",
    )
}

fn report(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report"))
        .expect("json")
}

fn scenario<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["scenarios"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .expect("scenario in report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_server_is_asked_again_after_a_bounded_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/fhir/busy-once"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/fhir/busy-once"))
        .respond_with(bundle())
        .mount(&server)
        .await;
    Mock::given(path("/fhir/always-busy"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(
        dir.path(),
        "occupe",
        &format!(
            "base_url = \"{}/fhir\"\nmax_retry_after_secs = 1\nauth = {{ kind = \"bearer\", env = \"{TOKEN_VAR}\" }}",
            server.uri()
        ),
    );
    let reports = dir.path().join("r");
    let out = rorcheck(
        run_args(&cfg, "occupe", &reports, &["tests/data/guardrails"]),
        vec![(TOKEN_VAR, "t".into())],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = report(&reports);

    let once = scenario(&r, "BUSY-001");
    assert_eq!(once["status"], "passed", "{once}");
    assert_eq!(once["steps"][0]["attempts"], 2);

    // An hour asked, one second honoured: three more attempts, then the 503 is reported.
    let always = scenario(&r, "BUSY-002");
    assert_eq!(always["status"], "failed", "{always}");
    assert_eq!(always["steps"][0]["attempts"], 4);
    assert!(
        always["reason"]
            .as_str()
            .is_some_and(|s| s.contains("503") && s.contains("4 tentatives")),
        "{always}"
    );
    let took = always["duration_ms"].as_f64().unwrap_or(f64::MAX);
    assert!(
        took < 20_000.0,
        "Retry-After bounded to 1 s per wait, took {took} ms"
    );

    // A 503 the scenario expects is not retried.
    let expected = scenario(&r, "BUSY-003");
    assert_eq!(expected["status"], "passed");
    assert_eq!(expected["steps"][0]["attempts"], 1);
}

/// Runs EXT-001 (heavy) and EXT-003 against the mock declared as a production environment.
async fn production_run(extra: &[&str]) -> (Value, String) {
    let mock = rorcheck::mock::MockServer::start(rorcheck::mock::MockOptions::default())
        .await
        .expect("mock");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(
        dir.path(),
        "prod-simulee",
        &format!(
            "base_url = \"{}\"\nproduction = true\nrate_limit = 5\naccess_profile = 0\nauth = {{ kind = \"bearer\", env = \"{TOKEN_VAR}\" }}",
            mock.base_url
        ),
    );
    let reports = dir.path().join("r");
    let mut args = run_args(
        &cfg,
        "prod-simulee",
        &reports,
        &[
            "scenarios/extraction/EXT-001.yaml",
            "scenarios/recherche/RCH-010.yaml",
        ],
    );
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = rorcheck(args, vec![(TOKEN_VAR, mock.demo_token())]).await;
    let mut fhir_times: Vec<chrono::DateTime<chrono::FixedOffset>> = mock
        .requests()
        .iter()
        .filter(|r| r.path.contains("/ws-diffusion-fhir"))
        .filter_map(|r| chrono::DateTime::parse_from_rfc3339(&r.at).ok())
        .collect();
    fhir_times.sort();
    // Every FHIR request of the run, whatever the scenario: at most 5 per second.
    let mut gaps = fhir_times.windows(2).map(|w| w[1] - w[0]);
    assert!(
        fhir_times.len() >= 2 && gaps.all(|g| g >= chrono::TimeDelta::milliseconds(180)),
        "requests are spaced by the rate cap: {fhir_times:?}"
    );
    (report(&reports), text(&out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_scenarios_do_not_run_on_production_unless_allowed() {
    let (r, out) = production_run(&[]).await;
    let heavy = scenario(&r, "EXT-001");
    assert_eq!(heavy["status"], "skipped", "{out}");
    assert!(
        heavy["reason"]
            .as_str()
            .is_some_and(|s| s.contains("--allow-heavy")),
        "{heavy}"
    );
    assert_eq!(scenario(&r, "RCH-010")["status"], "passed", "{out}");
    assert_eq!(r["target"]["production"], true);

    let (r, out) = production_run(&["--allow-heavy"]).await;
    assert_eq!(scenario(&r, "EXT-001")["status"], "passed", "{out}");
}
