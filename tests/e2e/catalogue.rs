//! The catalogue travels with the binary: from an empty directory (as after `cargo install`)
//! `list`, `validate` and `run` use the embedded scenarios, and `scenarios export` writes
//! them out for a vendor to read and extend.

use std::process::Output;

fn rorcheck_in(dir: &std::path::Path, args: &[&str]) -> Output {
    crate::common::rorcheck_command()
        .args(args)
        .current_dir(dir)
        .env_remove("ROR_CONFIG")
        .output()
        .expect("rorcheck runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn catalogue_size() -> usize {
    rorcheck::scenario::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()])
        .expect("valid catalogue")
        .scenarios
        .len()
}

#[test]
fn an_installed_binary_runs_the_whole_catalogue_from_an_empty_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = catalogue_size();
    let out = rorcheck_in(dir.path(), &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(n));

    let out = rorcheck_in(dir.path(), &["run", "--report-dir", "r"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("r/report.json")).expect("report"),
    )
    .expect("json");
    let passed = report["scenarios"]
        .as_array()
        .map_or(0, |s| s.iter().filter(|s| s["status"] == "passed").count());
    assert_eq!(passed, n, "every scenario ran and passed");
}

#[test]
fn the_catalogue_is_exported_for_vendors_and_runs_from_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = catalogue_size();
    let out = rorcheck_in(dir.path(), &["scenarios", "export", "mes-scenarios"]);
    assert!(out.status.success(), "{}", text(&out));
    let written = walk(&dir.path().join("mes-scenarios"));
    assert_eq!(written, n);
    // Not overwritten without --force: a vendor's edits are not lost.
    let again = rorcheck_in(dir.path(), &["scenarios", "export", "mes-scenarios"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
    let forced = rorcheck_in(
        dir.path(),
        &["scenarios", "export", "mes-scenarios", "--force"],
    );
    assert!(forced.status.success(), "{}", text(&forced));
    let valid = rorcheck_in(dir.path(), &["validate", "mes-scenarios"]);
    assert!(valid.status.success(), "{}", text(&valid));
    assert!(
        text(&valid).contains(&format!("{n} scénario(s) valides")),
        "{}",
        text(&valid)
    );
    // An exported catalogue in ./scenarios is what runs by default (the vendor's copy).
    std::fs::rename(
        dir.path().join("mes-scenarios"),
        dir.path().join("scenarios"),
    )
    .expect("mv");
    let extraction = dir.path().join("scenarios/extraction/EXT-001.yaml");
    std::fs::write(&extraction, "id: EXT-001\n").expect("edit");
    let out = rorcheck_in(dir.path(), &["validate"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("scenarios/extraction/EXT-001.yaml"),
        "{}",
        text(&out)
    );
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "yaml"))
            }
        })
        .sum()
}

#[test]
fn scenarios_dir_replaces_the_default_catalogue_by_option_or_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = rorcheck_in(dir.path(), &["scenarios", "export", "cat"]);
    assert!(out.status.success(), "{}", text(&out));
    // A vendor's edited copy, elsewhere than ./scenarios.
    let file = dir.path().join("cat/auth/AUTH-001.yaml");
    let yaml = std::fs::read_to_string(&file).expect("exported file");
    let title = yaml
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("a title")
        .to_owned();
    std::fs::write(&file, yaml.replacen(&title, "title: Titre de l'éditeur", 1)).expect("edit");
    let titles = |out: &Output| -> Vec<String> {
        let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["title"].as_str().map(str::to_owned))
            .collect()
    };
    let by_option = rorcheck_in(
        dir.path(),
        &["list", "--format", "json", "--scenarios-dir", "cat"],
    );
    assert!(by_option.status.success(), "{}", text(&by_option));
    assert!(titles(&by_option).iter().any(|t| t == "Titre de l'éditeur"));
    assert_eq!(titles(&by_option).len(), catalogue_size());

    let by_env = crate::common::rorcheck_command()
        .args(["list", "--format", "json", "--id", "AUTH-001"])
        .current_dir(dir.path())
        .env("RORCHECK_SCENARIOS_DIR", "cat")
        .output()
        .expect("rorcheck runs");
    assert_eq!(titles(&by_env), ["Titre de l'éditeur"], "{}", text(&by_env));

    // A directory that is not there is named in the error.
    let missing = rorcheck_in(dir.path(), &["list", "--scenarios-dir", "absent"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(text(&missing).contains("absent"), "{}", text(&missing));
}
