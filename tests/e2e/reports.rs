//! What `report.json` keeps of the bodies: a passing step's start, a failing step's whole.

use rorcheck::mock::{MockOptions, MockServer};
use rorcheck_embedded::secret_target;
use serde_json::Value;

const SCENARIO: &str = r#"
id: BODY-001
title: "Corps gardés dans report.json"
description: une étape réussie, une étape échouée, sur la même recherche
priority: 3
modality: recherche
steps:
  - name: réussie
    request:
      path: /HealthcareService
      query:
        - _count: 20
    expect:
      - status: 200
  - name: échouée
    request:
      path: /HealthcareService
      query:
        - _count: 20
    expect:
      - status: 404
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_json_keeps_the_start_of_passing_bodies_and_failing_bodies_whole() {
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("body.yaml"), SCENARIO).expect("write");
    let set = rorcheck::scenario::load(&[dir.path().to_owned()]).expect("loads");
    let runner = rorcheck_embedded::runner(secret_target(&mock).expect("target"))
        .await
        .expect("engine");
    let report = runner.run(&set, 1, |_| {}).await;
    let json: Value = serde_json::from_str(&rorcheck::report::json::render(&report).expect("json"))
        .expect("json");
    let steps = &json["scenarios"][0]["steps"];
    let response = |n: usize| &steps[n]["exchange"]["response"];
    let (passed, failed) = (response(0), response(1));
    assert_eq!(steps[0]["status"], "passed");
    assert_eq!(steps[1]["status"], "failed");
    // Both are the same search: a page of 20 offers, far over the kept start.
    let whole = failed["body_bytes"].as_u64().expect("size");
    assert!(whole > 20_000, "{whole}");
    assert_eq!(failed["body"].as_str().expect("body").len() as u64, whole);
    assert!(failed.get("body_abridged").is_none());
    let kept = passed["body"].as_str().expect("body");
    assert!(kept.len() <= rorcheck::report::PASSING_BODY_SHOWN && kept.len() > 1000);
    assert!(kept.starts_with(r#"{"resourceType":"Bundle""#), "{kept}");
    assert_eq!(passed["body_abridged"], true);
    assert_eq!(passed["body_bytes"].as_u64(), Some(whole));
}

#[test]
fn a_run_keeps_passing_bodies_whole_only_for_its_evidence_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir_all(&scenarios).expect("dir");
    std::fs::write(scenarios.join("body.yaml"), SCENARIO).expect("write");
    let run = |reports: &str, evidence: Option<&std::path::Path>| {
        let mut cmd = crate::common::rorcheck_command();
        cmd.args(["run", "--quiet", "--report-dir"])
            .arg(dir.path().join(reports))
            .arg(&scenarios);
        if let Some(zip) = evidence {
            cmd.arg("--evidence").arg(zip);
        }
        let out = cmd.output().expect("runs");
        // The failing step fails the run: exit 1, reports written.
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let json = std::fs::read(dir.path().join(reports).join("report.json")).expect("report");
        serde_json::from_slice::<Value>(&json).expect("json")
    };
    let passing_body =
        |report: &Value| report["scenarios"][0]["steps"][0]["exchange"]["response"].clone();

    // Without an archive: the start of the passing body, in the report as in memory.
    let report = run("plain", None);
    let passed = passing_body(&report);
    assert_eq!(passed["body_abridged"], true);
    assert!(passed["body"].as_str().expect("body").len() <= rorcheck::report::PASSING_BODY_SHOWN);

    // With one: the report is the same, the archive's HAR has the body whole.
    let zip = dir.path().join("dossier.zip");
    let report = run("evidence", Some(&zip));
    let passed = passing_body(&report);
    assert_eq!(passed["body_abridged"], true);
    let whole = passed["body_bytes"].as_u64().expect("size") as usize;
    let files = crate::common::unzip(&zip);
    let har: Value = serde_json::from_slice(&files["session.har"]).expect("HAR");
    let sizes: Vec<usize> = har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["response"]["content"]["text"].as_str())
        .map(str::len)
        .collect();
    assert!(
        sizes.len() >= 2 && sizes.iter().all(|n| *n > 20_000),
        "{sizes:?} / {whole}"
    );
}
