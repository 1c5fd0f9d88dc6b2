//! End-to-end: the real binary against wiremock servers on loopback that misbehave. Each
//! misbehaviour must turn into the right status and reason, and all three reports must be
//! complete and valid whatever happens. Secrets must never reach any output.

use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQtMTIz.c2lnbmF0dXJlLXh5eg";

fn bundle() -> Value {
    json!({"resourceType": "Bundle", "type": "searchset", "total": 1,
           "entry": [{"fullUrl": "http://x/HealthcareService/hs-1", "search": {"mode": "match"},
                      "resource": {"resourceType": "HealthcareService", "id": "hs-1"}}]})
}

fn fhir(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/fhir+json")
}

async fn broken_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/ok"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("ror-role-metier-code", "AUTOMATE"))
        .and(header(
            "ror-profil-utilisateur-system",
            "1.2.250.1.213.1.6.1.66",
        ))
        .respond_with(fhir(200, &bundle()))
        .mount(&server)
        .await;
    Mock::given(path("/fhir/e500"))
        .respond_with(fhir(
            500,
            &json!({"resourceType": "OperationOutcome", "issue": [
            {"severity": "fatal", "code": "exception", "diagnostics": format!("boom {TOKEN}")}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/fhir/html"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/fhir/text"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(bundle().to_string(), "text/plain"))
        .mount(&server)
        .await;
    Mock::given(path("/fhir/slow"))
        .respond_with(fhir(200, &bundle()).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    server
}

fn rorcheck(args: &[&str]) -> Output {
    crate::common::rorcheck_command()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROR_ACCESS_TOKEN", TOKEN)
        .output()
        .expect("rorcheck runs")
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or("").to_owned(),
                s["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Why a scenario did not pass, as the report says it.
fn reason<'a>(report: &'a Value, id: &str) -> &'a str {
    scenario(report, id)["reason"].as_str().unwrap_or_default()
}

fn scenario<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["scenarios"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id))
        .expect("scenario in report")
}

#[tokio::test]
async fn misbehaving_servers_fail_or_error_with_reasons_and_reports_stay_complete() {
    let server = broken_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let target = format!("{}/fhir", server.uri());
    let out = rorcheck(&[
        "run",
        "--target",
        &target,
        "--report-dir",
        dir.path().to_str().expect("utf8"),
        "tests/data/broken",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("report.json written"),
    )
    .expect("report.json is JSON");
    assert_eq!(
        statuses(&report),
        [
            ("BRK-001", "failed"),
            ("BRK-002", "errored"),
            ("BRK-003", "failed"),
            ("BRK-004", "errored"),
            ("BRK-005", "passed"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let summary = &report["summary"];
    assert_eq!(
        (
            summary["total"].as_u64(),
            summary["passed"].as_u64(),
            summary["failed"].as_u64(),
            summary["errored"].as_u64()
        ),
        (Some(5), Some(1), Some(2), Some(2))
    );
    assert_eq!(summary["by_priority"]["1"]["failed"], 1);
    // 100 − 100 (BRK-001) − 50 (BRK-002) − 25 (BRK-003) − 50 (BRK-004) → 0.
    assert_eq!(summary["score"], 0);

    let brk1 = scenario(&report, "BRK-001");
    assert!(
        reason(&report, "BRK-001").contains("statut HTTP 500"),
        "{report}"
    );
    assert_eq!(
        brk1["steps"][1]["status"], "skipped",
        "a failed step stops its scenario"
    );
    assert!(
        reason(&report, "BRK-002").contains("pas du JSON valide"),
        "{report}"
    );
    assert!(
        reason(&report, "BRK-003").contains("Content-Type text/plain"),
        "{report}"
    );
    assert!(
        reason(&report, "BRK-004").contains("délai de 500 ms"),
        "{report}"
    );
    let brk5 = scenario(&report, "BRK-005");
    assert_eq!(
        brk5["warnings"], 1,
        "the warning-only assertion is reported, not failed"
    );

    let (junit, html) = (
        junit_of_broken_run(dir.path()),
        html_of_broken_run(dir.path()),
    );
    // The bearer token never appears, in any output.
    for (name, text) in [
        ("stdout", stdout.to_string()),
        ("stderr", stderr.to_string()),
        ("json", report.to_string()),
        ("junit", junit),
        ("html", html),
    ] {
        assert!(!text.contains(TOKEN), "token leaked in {name}");
        assert!(
            !text.contains("c2VjcmV0LXBheWxvYWQtMTIz"),
            "token part leaked in {name}"
        );
    }
}

/// The JUnit of the broken run: well-formed, one suite per modality, failure vs error vs
/// success; its text.
fn junit_of_broken_run(dir: &std::path::Path) -> String {
    // JUnit: well-formed, one suite per modality, failure vs error vs success.
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml written");
    let doc = roxmltree::Document::parse(&junit).expect("junit.xml is well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5);
    let kind_of = |id: &str| {
        let case = cases
            .iter()
            .find(|c| c.attribute("name").is_some_and(|n| n.starts_with(id)))
            .expect("testcase");
        assert_eq!(case.attribute("classname"), Some("rorcheck.recherche"));
        case.children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name().to_owned())
            .find(|n| n != "properties")
    };
    assert_eq!(kind_of("BRK-001").as_deref(), Some("failure"));
    assert_eq!(kind_of("BRK-002").as_deref(), Some("error"));
    assert_eq!(kind_of("BRK-004").as_deref(), Some("error"));
    assert!(matches!(
        kind_of("BRK-005").as_deref(),
        None | Some("system-out")
    ));

    junit
}

/// The HTML of the broken run: self-contained, the verdict, every scenario, each failing one
/// linked from the summary by modality; its text.
fn html_of_broken_run(dir: &std::path::Path) -> String {
    // HTML: self-contained, verdict and every scenario present.
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
    assert!(html.contains("non conforme"));
    for id in ["BRK-001", "BRK-002", "BRK-003", "BRK-004", "BRK-005"] {
        assert!(html.contains(id), "{id} missing from report.html");
    }
    // The summary by modality links each failing scenario.
    let by_modality = html
        .split("id=\"by-modality\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default();
    assert!(
        by_modality.contains("<a href=\"#BRK-001\">BRK-001</a>"),
        "{by_modality}"
    );
    assert!(
        !html.contains("<link ") && !html.contains("src=\"http"),
        "no external resource"
    );

    html
}

/// A loopback URL on a port nobody listens on (bound, then released).
fn nobody_listening() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    format!("http://127.0.0.1:{port}/fhir")
}

#[tokio::test]
async fn a_server_that_is_not_there_errors_every_scenario_and_reports_are_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = nobody_listening();
    let out = rorcheck(&[
        "run",
        "--target",
        &target,
        "--report-dir",
        dir.path().to_str().expect("utf8"),
        "tests/data/broken/BRK-005.yaml",
    ]);
    // Nothing failed, nothing could be evaluated: incomplete, not non-conformant.
    assert_eq!(out.status.code(), Some(3));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("json"),
    )
    .expect("valid json");
    assert_eq!(
        statuses(&report),
        vec![("BRK-005".to_owned(), "errored".to_owned())]
    );
    assert!(
        scenario(&report, "BRK-005")["reason"]
            .as_str()
            .expect("reason")
            .contains("connexion impossible")
    );
    assert!(dir.path().join("junit.xml").is_file() && dir.path().join("report.html").is_file());
}

#[test]
fn a_scenario_with_a_typo_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.yaml");
    std::fs::write(
        &file,
        "id: BAD-001\ntitle: t\ndescription: d\npriority: 1\nmodality: recherche\nsteps:\n  - name: s\n    request:\n      pathh: /x\n    expect:\n      - status: 200\n",
    )
    .expect("write");
    let out = rorcheck(&["validate", file.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.yaml:9:7: unknown field `pathh`"),
        "{stderr}"
    );
    let out = rorcheck(&["run", file.to_str().expect("utf8")]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing runs when a scenario is invalid"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Rapports"),
        "no report for an invalid set"
    );
}

#[test]
fn a_hostile_fhirpath_expression_is_refused_at_load_with_its_place() {
    // 150,000 nested parentheses once aborted `validate` with a stack overflow.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("deep.yaml");
    let expr = format!("{}true{}", "(".repeat(150_000), ")".repeat(150_000));
    std::fs::write(
        &file,
        format!(
            "id: BAD-002\ntitle: t\ndescription: d\npriority: 1\nmodality: recherche\nsteps:\n  - name: s\n    request:\n      path: /x\n    expect:\n      - status: 200\n      - fhirpath: {{ expr: \"{expr}\" }}\n"
        ),
    )
    .expect("write");
    let out = rorcheck(&["validate", file.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("deep.yaml:12:"),
        "{}",
        &stderr[..stderr.len().min(400)]
    );
    // Refused before the engine sees it: no time or memory spent on it.
    assert!(
        stderr.contains("characters, at most 4096"),
        "{}",
        &stderr[..stderr.len().min(400)]
    );
    assert!(stderr.len() < 2_000, "the expression is not echoed whole");
}

#[test]
fn usage_errors_exit_2() {
    let out = rorcheck(&["run", "--modality", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown modality `nope`"));
    let out = rorcheck(&["run", "--target", "unknown-env"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cible inconnue `unknown-env`"));
}

#[test]
fn a_busy_port_suggests_a_free_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = rorcheck(&["serve", "--addr", &addr]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--addr 127.0.0.1:0"),
        "{out:?}"
    );
}

#[test]
fn options_are_checked_before_anything_runs() {
    let stderr = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();
    // Ids match in any case; a selection of nothing names the nearest ids.
    let out = rorcheck(&["list", "--id", "ext-001"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("EXT-001"));
    let out = rorcheck(&["run", "--id", "ETX-001"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nearest ids are EXT-001"),
        "{}",
        stderr(&out)
    );
    let out = rorcheck(&["run", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--timeout must be at least 1 second"));
    // An unwritable report directory is found before the run, not after it.
    let file = tempfile::NamedTempFile::new().expect("file");
    let below_a_file = file.path().join("reports");
    let out = rorcheck(&["run", "--report-dir", below_a_file.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write reports to"),
        "{}",
        stderr(&out)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("OK "),
        "no scenario ran"
    );
}

#[tokio::test]
async fn an_unreachable_target_stops_the_run_early_with_one_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = nobody_listening();
    let out = rorcheck(&[
        "run",
        "--target",
        &target,
        "--report-dir",
        dir.path().to_str().expect("utf8"),
        "--jobs",
        "2",
        "scenarios",
    ]);
    let console = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(3), "{console}");
    assert!(
        console.contains(&format!("rorcheck doctor --env {target}")),
        "{console}"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("json"),
    )
    .expect("valid json");
    let all = statuses(&report);
    // Three to decide; the one other scenario under way (two jobs) may finish as well.
    let errored = all.iter().filter(|(_, s)| s == "errored").count();
    assert!((3..=4).contains(&errored), "{all:?}");
    assert!(all.iter().all(|(_, s)| s == "errored" || s == "skipped"));
    assert_eq!(report["summary"]["verdict"], "incomplet");
    assert!(
        report["stopped_early"]
            .as_str()
            .unwrap_or_default()
            .contains("connexion impossible")
    );
}

fn report_of(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
        .expect("valid json")
}

#[test]
fn ci_option_fail_fast_starts_nothing_after_the_first_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).display().to_string();

    // --fail-fast: after the first failure nothing more starts.
    let out = rorcheck(&[
        "run",
        "--mock-fault",
        "server-error",
        "--fail-fast",
        "--jobs",
        "1",
        "--report-dir",
        &path("fast"),
        "scenarios/recherche",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = report_of(&dir.path().join("fast"));
    let all = statuses(&report);
    let ran = all.iter().filter(|(_, s)| s != "skipped").count();
    assert!(ran <= 2, "{all:?}");
    assert!(
        report["stopped_early"]
            .as_str()
            .unwrap_or_default()
            .contains("--fail-fast")
    );
}

#[test]
fn ci_options_fail_on_and_rerun_failed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).display().to_string();

    // --fail-on 1: failures of MAJEUR and MINEUR scenarios are reported, not fatal.
    let args = |fail_on: &'static str, to: &str| {
        vec![
            "run".to_owned(),
            "--mock-fault".into(),
            "omit-includes".into(),
            "--priority".into(),
            "2,3".into(),
            "--fail-on".into(),
            fail_on.into(),
            "--report-dir".into(),
            path(to),
        ]
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        rorcheck(&a)
    };
    assert_eq!(run(args("3", "on3")).status.code(), Some(1));
    assert_eq!(run(args("1", "on1")).status.code(), Some(0));
    let failed = report_of(&dir.path().join("on1"))["summary"]["failed"]
        .as_u64()
        .unwrap_or(0);
    assert!(failed > 0, "the failures are still in the report");

    // --rerun-failed: exactly what failed last time.
    let out = rorcheck(&[
        "run",
        "--rerun-failed",
        &path("on3/report.json"),
        "--report-dir",
        &path("again"),
    ]);
    assert_eq!(out.status.code(), Some(0), "the faithful mock passes them");
    let again = statuses(&report_of(&dir.path().join("again")));
    let before: Vec<String> = statuses(&report_of(&dir.path().join("on3")))
        .into_iter()
        .filter(|(_, s)| s == "failed" || s == "errored")
        .map(|(id, _)| id)
        .collect();
    let ids: Vec<String> = again.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, before);
}

#[test]
fn ci_option_shard_is_disjoint_and_complete() {
    // --shard: disjoint and complete.
    let mut seen = Vec::new();
    for k in 1..=3 {
        let out = rorcheck(&["list", "--format", "json", "--shard", &format!("{k}/3")]);
        let list: Value = serde_json::from_slice(&out.stdout).expect("json");
        seen.extend(
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["id"].as_str().map(str::to_owned)),
        );
    }
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((count, seen.len()), (106, 106));
}

#[test]
fn ci_option_var_sets_a_scenario_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).display().to_string();

    // --var: a scenario variable from the command line.
    let out = rorcheck(&[
        "run",
        "--var",
        "offer_id=pas-une-offre",
        "--id",
        "EXT-003",
        "--report-dir",
        &path("var"),
    ]);
    assert_eq!(out.status.code(), Some(1), "an unknown offer fails EXT-003");
    let report = report_of(&dir.path().join("var"));
    assert!(report.to_string().contains("pas-une-offre"));
}

#[test]
fn help_and_docs_list_every_mock_fault_with_its_effect() {
    let help = String::from_utf8_lossy(&rorcheck(&["run", "--help"]).stdout).into_owned();
    let docs = std::fs::read_to_string("docs/mock.md").expect("docs");
    for fault in rorcheck::mock::Fault::ALL {
        assert!(
            help.contains(&format!("- {}:", fault.key()))
                && help.contains(fault.effect().split('`').next().unwrap_or_default()),
            "run --help lacks {fault}"
        );
        assert!(
            docs.contains(&format!("| `{}` |", fault.key())),
            "docs/mock.md lacks {fault}"
        );
    }
}

#[test]
fn the_html_report_abridges_passing_bodies_and_keeps_failing_ones_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = dir.path().join("all");
    let out = rorcheck(&["run", "-q", "--report-dir", all.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(all.join("report.html")).expect("html");
    assert!(
        html.len() < 1_500_000,
        "report.html is {} bytes",
        html.len()
    );
    assert!(html.contains("corps abrégé"));
    // report.json keeps the same start of passing bodies, marked (whole ones are in the
    // evidence archive: tests/e2e/reports.rs).
    let json = std::fs::read_to_string(all.join("report.json")).expect("json");
    assert!(json.contains(r#""body_abridged": true"#));

    let failing = dir.path().join("failing");
    let out = rorcheck(&[
        "run",
        "--mock-fault",
        "omit-includes",
        "--id",
        "EXT-003",
        "--report-dir",
        failing.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(failing.join("report.html")).expect("html");
    assert!(
        !html.contains("corps abrégé"),
        "a failing step's body is shown whole"
    );
    // The failing step's Bundle, pretty-printed whole (askama escapes quotes as &#34;).
    assert!(
        html.contains("resourceType&#34;: &#34;Bundle"),
        "the body is shown"
    );
    let json = std::fs::read_to_string(failing.join("report.json")).expect("json");
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let failed: Vec<&serde_json::Value> = report["scenarios"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    for step in failed {
        let response = &step["exchange"]["response"];
        assert!(response.get("body_abridged").is_none(), "{step}");
        assert_eq!(
            response["body"].as_str().map(str::len),
            response["body_bytes"].as_u64().map(|n| n as usize)
        );
    }
}
