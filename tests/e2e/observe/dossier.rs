//! One vocabulary for run and observe reports, and the readiness dossier.

use super::*;

#[tokio::test]
async fn run_and_observe_reports_speak_one_vocabulary() {
    // An observation, through the library.
    let observe: Value = {
        let report = session(Mistakes::default()).await;
        let dir = tempfile::tempdir().expect("dir");
        let written = rorcheck::report::write_all(
            rorcheck::report::Document::Observation(&report),
            dir.path(),
        )
        .expect("written");
        serde_json::from_str(&std::fs::read_to_string(written.json).expect("json")).expect("JSON")
    };
    // A run, through the binary.
    let dir = tempfile::tempdir().expect("dir");
    let status = crate::common::rorcheck_command()
        .args(["run", "--report-dir"])
        .arg(dir.path())
        .args(["scenarios/auth", "scenarios/mise-a-jour/MAJ-001.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(status.status.success(), "{status:?}");
    let run: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("json"),
    )
    .expect("JSON");
    assert_eq!(run["mode"], "run");
    assert_eq!(observe["mode"], "observe");
    for report in [&run, &observe] {
        assert_eq!(report["tool"]["name"], "rorcheck");
        assert!(report["tool"]["version"].is_string());
        for key in [
            "total",
            "passed",
            "failed",
            "not_applicable",
            "score",
            "verdict",
        ] {
            assert!(
                !report["summary"][key].is_null(),
                "{} lacks summary.{key}",
                report["mode"]
            );
        }
        let first = &report["scenarios"][0];
        for key in [
            "id",
            "title",
            "status",
            "priority",
            "priority_label",
            "modality",
        ] {
            assert!(
                !first[key].is_null(),
                "{} lacks scenarios[].{key}",
                report["mode"]
            );
        }
    }
    // Out of scope and another profile are the same notion: not applicable.
    assert!(
        observe["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["status"] == "not_applicable")
    );
    // JUnit properties: the priority as a number, the PLATINES criticality by name.
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    assert!(junit.contains(r#"name="priority" value="1""#), "{junit}");
    assert!(junit.contains(r#"name="criticite" value="CRITIQUE""#));
    let report = session(Mistakes::default()).await;
    let ojunit = rorcheck::report::junit::observation(&report).expect("junit");
    assert!(ojunit.contains(r#"name="priority" value="1""#), "{ojunit}");
    assert!(ojunit.contains(r#"name="criticite" value="CRITIQUE""#));
}

/// The files of a zip, by name.
fn assert_dossier(files: &std::collections::BTreeMap<String, Vec<u8>>, mode: &str, secret: &str) {
    use sha2::Digest;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "junit.xml",
            "manifest.json",
            "report.html",
            "report.json",
            "session.har"
        ]
    );
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    assert_eq!(manifest["mode"], mode);
    assert!(
        manifest["scenario_set_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
    assert!(manifest["started_at"].is_string() && manifest["finished_at"].is_string());
    for f in manifest["files"].as_array().expect("files") {
        let name = f["name"].as_str().expect("name");
        let digest: String = sha2::Sha256::digest(&files[name])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"], digest, "{name}");
    }
    let har: Value = serde_json::from_slice(&files["session.har"]).expect("HAR");
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    for e in entries {
        assert!(e["startedDateTime"].is_string() && e["request"]["url"].is_string());
        assert!(e["response"]["status"].is_u64());
    }
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(secret), "{mode}: secret in {name}");
        assert!(!text.contains("eyJ"), "a token in {name}");
    }
}

#[test]
fn the_readiness_dossier_holds_the_reports_the_exchanges_and_their_digests() {
    // observe: session.har beside the reports, and the dossier.
    let dir = tempfile::tempdir().expect("dir");
    let zip = dir.path().join("dossier-observe.zip");
    let state = dir.path().join("state");
    let secret = "secret-de-demo-pour-le-dossier";
    let (code, _, console) = observe_command(
        &[
            "--evidence",
            zip.to_str().expect("utf8"),
            "--",
            "sh",
            "docs/examples/consumer.sh",
            state.to_str().expect("utf8"),
        ],
        &[("RORCHECK_DEMO_SECRET", secret)],
    );
    assert_eq!(code, Some(0), "{console}");
    assert_dossier(&crate::common::unzip(&zip), "observe", secret);

    // run: the same dossier from the binary.
    let zip = dir.path().join("dossier-run.zip");
    let out = crate::common::rorcheck_command()
        .args(["run", "--report-dir"])
        .arg(dir.path().join("run"))
        .arg("--evidence")
        .arg(&zip)
        .args(["scenarios/auth", "scenarios/extraction/EXT-001.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let files = crate::common::unzip(&zip);
    assert_dossier(&files, "run", "eyJhbGciOi");
    // The secret of the embedded client is random: every place it went shows the mask.
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for after in text.split("client_secret=").skip(1) {
            assert!(
                after.starts_with("«masqué»"),
                "{name}: client_secret={}",
                &after[..after.len().min(20)]
            );
        }
    }
    let har: Value = serde_json::from_slice(&files["session.har"]).expect("HAR");
    let comments: Vec<&str> = har["log"]["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["comment"].as_str())
        .collect();
    assert!(
        comments
            .iter()
            .any(|c| c.starts_with("EXT-001") && c.contains("fichier")),
        "{comments:?}"
    );
}
