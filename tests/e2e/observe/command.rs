//! `rorcheck observe` as a command: the banner, `-- COMMAND`, the story run once a day,
//! an env file for an application started separately.

use super::*;

/// `rorcheck observe` itself: the printed URLs and credentials are enough for a consumer,
/// the reports land in the report directory and the exit code says the verdict.
fn observe_binary(mistakes: Mistakes) -> (std::process::ExitStatus, Value) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = crate::common::rorcheck_command()
        .args([
            "observe",
            "--addr",
            "127.0.0.1:0",
            "--duration",
            "4s",
            "--report-dir",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rorcheck starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut field = |label: &str| loop {
        let line = lines.next().expect("banner line").expect("UTF-8");
        if let Some(value) = line.trim().strip_prefix(label) {
            let value = value.trim().trim_start_matches(':').trim();
            return value.split(' ').next().unwrap_or_default().to_owned();
        }
    };
    let base = field("Base FHIR");
    let token_url = field("Jeton OAuth2");
    let client_id = field("client_id");
    let secret = field("client_secret");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut consumer = Consumer::connect(&base, &token_url, (&client_id, &secret), mistakes);
        consumer.get("/HealthcareService?_count=1").await;
        consumer.get("/Organization?_count=1").await;
    });
    // Drain the live lines so that the process never blocks on a full pipe.
    for _ in lines {}
    let status = child.wait().expect("rorcheck ends");
    let json = std::fs::read_to_string(dir.path().join("report.json")).expect("report.json");
    assert!(dir.path().join("report.html").exists());
    assert!(dir.path().join("junit.xml").exists());
    (status, serde_json::from_str(&json).expect("JSON"))
}

#[test]
fn the_observe_command_prints_what_to_connect_to_and_judges_the_session() {
    let (status, report) = observe_binary(Mistakes::default());
    assert!(status.success(), "{status}");
    let outcome_of = |id: &str| {
        report["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["id"] == id)
            .map(|s| s["status"].clone())
    };
    assert_eq!(outcome_of("AUTH-008"), Some(Value::from("passed")));
    assert_eq!(report["summary"]["failed"], 0);

    let (status, report) = observe_binary(Mistakes {
        omit_header: Some("Ror-Profil-Utilisateur-Code"),
        ..Mistakes::default()
    });
    assert_eq!(status.code(), Some(1), "a failed session exits with 1");
    // One missing header: one finding, on the header discipline.
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["behaviours_failed"], 1);
}

#[tokio::test]
async fn the_right_search_on_other_data_is_not_exercised_rather_than_failed() {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer
        .get("/HealthcareService?name:contains=urgences")
        .await;
    // The same criterion with a wrong comparator is a mistake, not other data.
    consumer.get("/Location?_lastUpdated=2025-06-01").await;
    let report = observer.report(&catalogue());
    assert_eq!(outcome(&report, "RCH-023"), Status::NotExercised);
    assert!(
        problems(&report, "RCH-023").contains("même recherche sur d'autres valeurs"),
        "{}",
        problems(&report, "RCH-023")
    );
    assert_eq!(
        outcome(&report, "MAJ-003"),
        Status::Failed,
        "{:?}",
        report.scenario("MAJ-003")
    );
}

fn outcome_in(report: &Value, id: &str) -> Value {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["id"] == id)
        .map(|s| s["status"].clone())
        .unwrap_or(Value::Null)
}

fn behaviour_in(report: &Value, id: &str) -> Value {
    report["behaviours"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["id"] == id)
        .map(|b| b["status"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn a_shell_consumer_driven_only_by_its_environment_is_observed_in_ci() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) =
        observe_command(&["--", "sh", "docs/examples/consumer.sh", &state], &[]);
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(report["command"]["runs"][0]["exit_code"], 0, "{console}");
    for id in ["EXT-001", "MAJ-001"] {
        assert_eq!(outcome_in(&report, id), "passed", "{id}: {console}");
    }
    assert_eq!(report["summary"]["failed"], 0);
    // The header values are printed, for an application configured by hand.
    assert!(
        console.contains("Ror-Role-Metier-Code: AUTOMATE"),
        "{console}"
    );
}

#[test]
fn a_failing_application_is_reported_distinctly() {
    let (code, report, console) = observe_command(&["--", "sh", "-c", "exit 3"], &[]);
    assert_eq!(code, Some(4), "{console}");
    assert_eq!(report["command"]["runs"][0]["exit_code"], 3);
    assert!(
        console.contains("la commande de l'application a échoué : code de sortie 3"),
        "{console}"
    );
    let (code, report, _) = observe_command(&["--", "/nonexistent/application"], &[]);
    assert_eq!(code, Some(4));
    assert!(
        report["command"]["runs"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("ne démarre pas")
    );
}

#[test]
fn the_story_runs_the_application_once_a_day() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) = observe_command(
        &[
            "--story",
            "--per-day",
            "--",
            "sh",
            "docs/examples/consumer.sh",
            &state,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{console}");
    let runs = report["command"]["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 5, "J0 to J4");
    assert_eq!(runs[4]["day"], 4);
    assert_eq!(behaviour_in(&report, "COMP-09"), "passed", "{console}");
}

#[test]
fn under_mtls_the_application_gets_its_certificate_paths() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) = observe_command(
        &["--mtls", "--", "sh", "docs/examples/consumer.sh", &state],
        &[],
    );
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(behaviour_in(&report, "COMP-05"), "passed");
    assert_eq!(report["profile"], 1);
}

#[test]
fn an_env_file_and_a_fixed_secret_serve_an_application_started_separately() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let env_file = dir.path().join("ror.env");
    let clients = dir.path().join("clients.toml");
    std::fs::write(
        &clients,
        "[[client]]\nclient_id = \"editeur-ci\"\naccess_profile = 0\nsecret = \"secret-ci-editeur\"\n",
    )
    .expect("clients");
    let mut child = crate::common::rorcheck_command()
        .args([
            "observe",
            "--addr",
            "127.0.0.1:0",
            "--duration",
            "8s",
            "--env-file",
        ])
        .arg(&env_file)
        .arg("--clients")
        .arg(&clients)
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .env("RORCHECK_DEMO_SECRET", "secret-fixe-de-demo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rorcheck starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The banner is printed once the settings are written.
    for line in lines.by_ref() {
        if line.expect("UTF-8").starts_with("Enregistrement") {
            break;
        }
    }
    let settings: Vec<(String, String)> = std::fs::read_to_string(&env_file)
        .expect("env file")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect();
    let get = |name: &str| {
        settings
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("ROR_CLIENT_SECRET"), "secret-fixe-de-demo");
    assert!(get("ROR_FHIR_BASE_URL").starts_with("http://127.0.0.1:"));
    let state = dir.path().join("state");
    let status = std::process::Command::new("sh")
        .arg("docs/examples/consumer.sh")
        .arg(&state)
        .envs(settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("consumer runs");
    assert!(status.success());
    // The client of the clients file gets a token too.
    let token = std::process::Command::new("curl")
        .args(["-sSf", "-X", "POST", &get("ROR_TOKEN_URL")])
        .args(["-d", "grant_type=client_credentials"])
        .args([
            "-d",
            "client_id=editeur-ci",
            "-d",
            "client_secret=secret-ci-editeur",
        ])
        .output()
        .expect("curl");
    assert!(token.status.success(), "{token:?}");
    for _ in lines {}
    let status = child.wait().expect("rorcheck ends");
    assert_eq!(status.code(), Some(0));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/report.json")).expect("report"),
    )
    .expect("JSON");
    assert_eq!(outcome_in(&report, "MAJ-001"), "passed");
    let html = std::fs::read_to_string(dir.path().join("reports/report.html")).expect("html");
    assert!(!html.contains("secret-fixe-de-demo") && !html.contains("secret-ci-editeur"));
}
