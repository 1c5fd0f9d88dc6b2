//! The CI examples of `docs/examples/` work as written: each `rorcheck` command of the GitHub
//! Actions and GitLab CI files is run in a fresh directory (as a vendor's repository would
//! be), with the binary on PATH, and the reports the files publish exist afterwards.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The `rorcheck ...` command lines of a CI file: `run:` of GitHub steps, `script:` items of
/// GitLab jobs.
fn rorcheck_lines(yaml: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut collect = |v: &Value| {
        if let Some(line) = v.as_str().filter(|l| l.starts_with("rorcheck ")) {
            out.push(line.to_owned());
        }
    };
    for job in yaml["jobs"]
        .as_object()
        .into_iter()
        .flat_map(|j| j.values())
    {
        for step in job["steps"].as_array().into_iter().flatten() {
            collect(&step["run"]);
        }
    }
    for job in yaml.as_object().into_iter().flat_map(|j| j.values()) {
        for line in job["script"].as_array().into_iter().flatten() {
            collect(line);
        }
    }
    out
}

fn run_example(file: &str) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).expect("example");
    let yaml: Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let lines = rorcheck_lines(&yaml);
    assert_eq!(lines.len(), 2, "{file}: {lines:?}");
    let repo = tempfile::tempdir().expect("tempdir");
    let examples = repo.path().join("docs/examples");
    std::fs::create_dir_all(&examples).expect("dir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/consumer.sh"),
        examples.join("consumer.sh"),
    )
    .expect("copy");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_rorcheck"))
        .parent()
        .expect("bin dir")
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in &lines {
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("CI", "true")
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "{file}: `{line}` failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    }
    for published in [
        "reports/rorcheck/junit.xml",
        "reports/rorcheck/report.html",
        "reports/rorcheck/dossier.zip",
        "reports/observe/junit.xml",
    ] {
        let p = repo.path().join(published);
        assert!(p.exists(), "{file}: {published} missing");
    }
    let junit =
        std::fs::read_to_string(repo.path().join("reports/rorcheck/junit.xml")).expect("junit");
    assert!(junit.contains("<testsuites"), "{junit}");
}

#[test]
fn the_github_actions_example_runs_as_written() {
    run_example("docs/examples/github-actions.yml");
}

#[test]
fn the_gitlab_ci_example_runs_as_written() {
    run_example("docs/examples/gitlab-ci.yml");
}
