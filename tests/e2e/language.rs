//! One language per run: `--lang` (or `RORCHECK_LANG`, or the locale) sets the console, the
//! reports, the verdict reasons and `doctor` together; French by default.

use std::path::Path;
use std::process::Output;

fn run_in(lang_args: &[&str], env: &[(&str, &str)], reports: &Path) -> Output {
    let mut cmd = crate::common::rorcheck_command();
    cmd.env_remove("RORCHECK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .args(lang_args)
        .args(["run", "--id", "EXT-00*", "--mock-fault", "drop-next-link"])
        .arg("--report-dir")
        .arg(reports)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("rorcheck runs")
}

/// The lines rorcheck writes itself: everything but the per-scenario lines, which quote the
/// scenario titles (French data, whatever the language).
fn own_lines(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter(|l| !l.contains(" P1 ") && !l.contains(" P2 ") && !l.contains(" P3 "))
        .collect::<Vec<_>>()
        .join("\n")
}

const FRENCH: [&str; 8] = [
    "scénario",
    "réussi",
    "échou",
    "étape",
    "attendu",
    "obtenu",
    "Rapports",
    "pondéré",
];

#[test]
fn english_is_english_everywhere_and_french_is_the_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let en = run_in(&["--lang", "en"], &[], &dir.path().join("en"));
    assert_eq!(en.status.code(), Some(1), "a fault fails the run");
    let console = own_lines(&en);
    assert!(
        console.contains("passed,") && console.contains("scenarios in"),
        "{console}"
    );
    assert!(
        console.contains("Verdict: NON-COMPLIANT — weighted score"),
        "{console}"
    );
    assert!(console.contains("Reports: "), "{console}");
    assert!(
        console.contains("scenarios failed (see the reports)"),
        "{console}"
    );
    for word in FRENCH {
        assert!(!console.contains(word), "French « {word} » in: {console}");
    }
    // The reasons the engine writes follow the language too.
    let stdout = String::from_utf8_lossy(&en.stdout);
    assert!(stdout.contains("↳ step \""), "{stdout}");
    let html = std::fs::read_to_string(dir.path().join("en/report.html")).expect("html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("ROR conformance report") && html.contains("Results by priority"));
    assert!(html.contains(">Expected</th><th>Obtained</th>"));
    assert!(!html.contains("Résultats par priorité"));
    // Reports are written beside as `.part` files and renamed at the end: none is left.
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("en"))
        .expect("report dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["junit.xml", "report.html", "report.json"]);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("en/report.json")).expect("json"),
    )
    .expect("report.json is JSON");
    assert_eq!(
        json["summary"]["verdict"], "non conforme",
        "a stable machine value"
    );
    let junit = std::fs::read_to_string(dir.path().join("en/junit.xml")).expect("junit");
    assert!(
        junit.contains("step &quot;") || junit.contains("step \""),
        "{junit}"
    );
    assert!(!junit.contains("étape"), "{junit}");

    // Nothing set: French, the programme team's language.
    let fr = run_in(&[], &[], &dir.path().join("fr"));
    let console = own_lines(&fr);
    assert!(
        console.contains("réussis, ") && console.contains("scénarios en"),
        "{console}"
    );
    assert!(console.contains("Verdict : NON CONFORME"), "{console}");
    let html = std::fs::read_to_string(dir.path().join("fr/report.html")).expect("html");
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Résultats par priorité"));
}

#[test]
fn the_locale_chooses_unless_the_option_or_the_variable_says_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = |out: &Output| own_lines(out);
    let by_locale = run_in(&[], &[("LANG", "en_GB.UTF-8")], &dir.path().join("a"));
    assert!(
        summary(&by_locale).contains("Verdict: "),
        "{}",
        summary(&by_locale)
    );
    let by_variable = run_in(
        &[],
        &[("LANG", "en_GB.UTF-8"), ("RORCHECK_LANG", "fr")],
        &dir.path().join("b"),
    );
    assert!(summary(&by_variable).contains("Verdict : "));
    let by_option = run_in(
        &["--lang", "fr"],
        &[("LC_ALL", "en_US.UTF-8")],
        &dir.path().join("c"),
    );
    assert!(summary(&by_option).contains("Verdict : "));
    // A locale rorcheck does not speak falls back to French.
    let other = run_in(&[], &[("LANG", "de_DE.UTF-8")], &dir.path().join("d"));
    assert!(summary(&other).contains("Verdict : "));
}

#[test]
fn doctor_speaks_one_language() {
    let out = crate::common::rorcheck_command()
        .args(["doctor", "--lang", "en"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("doctor runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Token endpoint reachable") && text.contains("Summary: "),
        "{text}"
    );
    for word in [
        "Serveur",
        "joignable",
        "Bilan",
        "obtenu",
        "vérification",
        "avec secret",
    ] {
        assert!(!text.contains(word), "French « {word} » in: {text}");
    }
    let out = crate::common::rorcheck_command()
        .args(["doctor"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("doctor runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Serveur FHIR joignable") && text.contains("Bilan : "),
        "{text}"
    );
}

#[test]
fn an_observed_session_speaks_english_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::common::rorcheck_command()
        .args([
            "--lang",
            "en",
            "observe",
            "--duration",
            "1s",
            "--report-dir",
        ])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("observe runs");
    let console = own_lines(&out);
    assert!(
        console.contains("Observation: rorcheck plays the ROR"),
        "{console}"
    );
    assert!(console.contains("Recording for 1 s"), "{console}");
    assert!(
        console.contains("PLATINES weighted score: not computed"),
        "{console}"
    );
    for word in FRENCH
        .iter()
        .chain(&["Enregistrement", "requête", "En-têtes"])
    {
        assert!(!console.contains(word), "French « {word} » in: {console}");
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Observation of an application consuming the ROR"));
    assert!(html.contains("Request history") && !html.contains("Historique des requêtes"));
}
