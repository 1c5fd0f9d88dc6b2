//! Files generated from the code must be committed up to date.

fn rorcheck(args: &[&str]) -> String {
    let out = crate::common::rorcheck_command()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("rorcheck runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn committed(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_scenario_json_schema_is_current() {
    assert!(
        rorcheck(&["schema"]) == committed("schemas/scenario.schema.json"),
        "schemas/scenario.schema.json is stale: run `cargo run -- schema > schemas/scenario.schema.json`"
    );
}

#[test]
fn the_scenario_catalogue_page_is_current() {
    assert!(
        rorcheck(&["list", "--format", "markdown"]) == committed("docs/scenarios.md"),
        "docs/scenarios.md is stale: run `cargo run -- list --format markdown > docs/scenarios.md`"
    );
}

#[test]
fn every_shipped_scenario_names_the_schema_for_editors() {
    for entry in walk("scenarios") {
        let text = committed(&entry);
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{entry} must start with the yaml-language-server schema line"
        );
    }
}

fn walk(dir: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(
                    p.strip_prefix(root)
                        .expect("under root")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out
}

#[test]
fn the_committed_default_dataset_is_what_the_generator_produces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf-8 path");
    rorcheck(&[
        "fixtures", "generate", "--seed", "42", "--offers", "60", "--out", out,
    ]);
    for ty in [
        "Organization",
        "Location",
        "HealthcareService",
        "Practitioner",
        "PractitionerRole",
    ] {
        let generated =
            std::fs::read_to_string(dir.path().join(format!("{ty}.ndjson"))).expect("generated");
        assert!(
            generated == committed(&format!("fixtures/dataset/{ty}.ndjson")),
            "fixtures/dataset/{ty}.ndjson is stale: run `cargo run -- fixtures generate`"
        );
    }
}
