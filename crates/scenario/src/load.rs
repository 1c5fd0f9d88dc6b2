//! Reading scenario files: YAML → [`Scenario`], with file:line:column on every error.

use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Options, RenderOptions};
use sha2::{Digest, Sha256};

use super::diagnostic::{Diagnostic, LoadErrors};
use super::model::Scenario;
use super::validate;

/// The scenarios of a run, sorted by id, with a hash of their files as evidence.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// The scenarios, sorted by id.
    pub scenarios: Vec<Scenario>,
    /// SHA-256 of the scenario files (path and content), hex.
    pub hash: String,
}

/// YAML options: untyped values keep their text (`no` stays "no", `06` stays "06").
fn yaml_options() -> Options {
    serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    }
}

/// Parses one scenario from text; `path` is used in messages only.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, Diagnostic> {
    match serde_saphyr::from_str_with_options::<Scenario>(text, yaml_options()) {
        Ok(mut scenario) => {
            scenario.source = path.to_owned();
            Ok(scenario)
        }
        Err(err) => {
            let name = path.display().to_string();
            let mut options = RenderOptions::default();
            options.source_name = Some(&name);
            let rendered = err.render_with_options(options);
            let location = err.location().unwrap_or(Location::UNKNOWN);
            // The first rendered line repeats "error: line L column C: message".
            let mut lines = rendered.lines();
            let first = lines.next().unwrap_or_default();
            let message = first
                .strip_prefix("error: ")
                .unwrap_or(first)
                .split_once(": ")
                .filter(|(head, _)| head.starts_with("line "))
                .map_or(first, |(_, msg)| msg)
                .to_owned();
            let snippet: Vec<&str> = lines.collect();
            Err(Diagnostic {
                path: path.to_owned(),
                line: location.line(),
                column: location.column(),
                message,
                snippet: (!snippet.is_empty()).then(|| snippet.join("\n")),
            })
        }
    }
}

/// Largest scenario file read: the catalogue's biggest is a few KiB.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a scenario file as UTF-8 text, bounded in size; a byte that is not UTF-8 is
/// located by line and column.
fn read_text(path: &Path) -> Result<String, Box<Diagnostic>> {
    use std::io::Read;
    let whole = |msg: String| Box::new(Diagnostic::whole_file(path, msg));
    let file = std::fs::File::open(path).map_err(|e| whole(format!("cannot read file: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| whole(format!("cannot read file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole(format!(
            "file larger than {} KiB: not a scenario",
            MAX_FILE_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count() as u64
            + 1;
        Box::new(Diagnostic {
            path: path.to_owned(),
            line,
            column,
            message: format!(
                "invalid UTF-8 (byte 0x{:02x}): scenario files are UTF-8 text",
                e.as_bytes()[valid.len()]
            ),
            snippet: None,
        })
    })
}

/// Finds the scenario files under `paths` (files as given, directories recursively, `.yaml`
/// and `.yml`), sorted for a stable order.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, &mut errors);
        } else if path.exists() {
            // Named explicitly: read whatever it is (a regular file, a pipe, /dev/null).
            files.push(path.clone());
        } else {
            errors.push(Diagnostic::whole_file(path, "no such file or directory"));
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(Diagnostic::whole_file(
                dir,
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files, errors);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(path);
        }
    }
}

/// Loads and checks every scenario under `paths`. Either all are valid, or every problem
/// found is returned.
pub fn load(paths: &[PathBuf]) -> Result<ScenarioSet, LoadErrors> {
    let files = discover(paths)?;
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match read_text(&file) {
            Ok(t) => texts.push((file, t)),
            Err(d) => errors.push(*d),
        }
    }
    if texts.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::whole_file(
            paths.first().map_or(Path::new("."), PathBuf::as_path),
            "no scenario file (*.yaml, *.yml) found",
        ));
    }
    check_texts(texts, errors)
}

/// Loads and checks scenarios given as texts with the paths they are reported under (the
/// catalogue embedded in the binary). Either all are valid, or every problem is returned.
pub fn load_texts(files: &[(PathBuf, &str)]) -> Result<ScenarioSet, LoadErrors> {
    let texts = files
        .iter()
        .map(|(path, text)| (path.clone(), (*text).to_owned()))
        .collect();
    check_texts(texts, Vec::new())
}

fn check_texts(
    files: Vec<(PathBuf, String)>,
    mut errors: Vec<Diagnostic>,
) -> Result<ScenarioSet, LoadErrors> {
    let mut scenarios = Vec::new();
    let mut hasher = Sha256::new();
    let mut texts = Vec::new();
    for (file, text) in &files {
        let file = file.as_path();
        if text.trim().is_empty() {
            errors.push(Diagnostic::whole_file(
                file,
                "empty file: a scenario file holds one scenario (id, title, description, priority, modality, steps)",
            ));
            continue;
        }
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        texts.push((file, text.as_str()));
    }
    for parsed in in_parallel(&texts, |(file, text)| parse_scenario(file, text)) {
        match parsed {
            Ok(s) => scenarios.push(s),
            Err(d) => errors.push(d),
        }
    }
    errors.extend(
        in_parallel(&scenarios, validate::check_scenario)
            .into_iter()
            .flatten(),
    );
    errors.extend(validate::check_unique_ids(&scenarios));
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    scenarios.sort_by(|a, b| a.id().cmp(b.id()));
    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(ScenarioSet { scenarios, hash })
}

/// `f` of each item, in the items' order, on every core: parsing and checking the
/// catalogue's hundred files is most of what `rorcheck list` does.
fn in_parallel<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let running: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        running
            .into_iter()
            .flat_map(|part| match part.join() {
                Ok(done) => done,
                // A bug in the parser or a check: raised here as it would have been.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Assertion;

    #[test]
    fn unreadable_files_are_located_or_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let latin1 = dir.path().join("latin1.yaml");
        std::fs::write(&latin1, b"id: EXT-900\ntitle: caf\xe9 au lait\n").expect("write");
        let err = load(std::slice::from_ref(&latin1)).expect_err("not UTF-8");
        let d = &err.0[0];
        assert_eq!((d.line, d.column), (2, 11), "{d}");
        assert!(d.message.contains("invalid UTF-8 (byte 0xe9)"), "{d}");

        let err = load(&[PathBuf::from("/dev/null")]).expect_err("empty");
        assert!(err.to_string().contains("/dev/null: empty file"), "{err}");

        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES as usize + 1)).expect("write");
        let err = load(&[big]).expect_err("too big");
        assert!(
            err.to_string().contains("file larger than 1024 KiB"),
            "{err}"
        );
    }

    #[test]
    fn many_files_are_read_on_every_core_and_reported_in_file_order() {
        // Past the threshold where parsing goes parallel: the same answers, in order.
        let dir = tempfile::tempdir().expect("tempdir");
        let broken = [3usize, 17, 33];
        let paths: Vec<PathBuf> = (0..40)
            .map(|i| {
                let path = dir.path().join(format!("s{i:02}.yaml"));
                let text = if broken.contains(&i) {
                    "id: [pas, un, identifiant\n".to_owned()
                } else {
                    GOOD.replace("EXT-003", &format!("EXT-{:03}", 100 + i))
                };
                std::fs::write(&path, text).expect("write");
                path
            })
            .collect();
        let err = load(&paths).expect_err("three broken files");
        let named: Vec<&Path> = err.0.iter().map(|d| d.path.as_path()).collect();
        let expected: Vec<&Path> = broken.iter().map(|i| paths[*i].as_path()).collect();
        assert_eq!(named, expected);
        let fine: Vec<PathBuf> = paths
            .iter()
            .enumerate()
            .filter(|(i, _)| !broken.contains(i))
            .map(|(_, p)| p.clone())
            .collect();
        let set = load(&fine).expect("37 good files");
        let ids: Vec<&str> = set.scenarios.iter().map(|s| s.id()).collect();
        assert_eq!(ids.len(), 37);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    }

    const GOOD: &str = r#"# yaml-language-server: $schema=../schemas/scenario.schema.json
id: EXT-003
title: Extraction d'une offre par son identifiant
description: Le consommateur retrouve une offre par son identifiant ROR.
priority: 1
modality: extraction
tags: [offre]
requirements: ["ror-fhir-api §2.5 flux 3"]
access_profiles: [0, 1]
variables:
  offer_id: "11/0000001"
steps:
  - name: Recherche par identifiant
    request:
      path: /HealthcareService
      query:
        - identifier: "{{offer_id}}"
        - _include: HealthcareService:organization
        - _count: 50
        - _tag: 06
    expect:
      - status: 200
      - status: 2xx
      - status: [200, 201]
      - header: { name: Content-Type, contains: fhir+json }
      - content_type: application/fhir+json
      - bundle: { type: searchset, total: ">= 1", match: 1, resources: { Organization: ">=1" }, links: [self] }
      - fhirpath: { expr: "Bundle.entry.resource.ofType(HealthcareService).count() = 1" }
        warning_only: true
        because: une seule offre porte cet identifiant
    capture:
      - name: org
        fhirpath: "Bundle.entry.resource.ofType(Organization).id"
  - name: Lecture de l'établissement
    request:
      path: "/Organization/{{org}}"
      auth: none
    expect:
      - operation_outcome: { severity: error, code: security }
"#;

    fn parse(text: &str) -> Result<Scenario, Diagnostic> {
        parse_scenario(Path::new("scenarios/test.yaml"), text)
    }

    #[test]
    fn parses_a_complete_scenario() {
        let s = parse(GOOD).expect("valid scenario");
        assert_eq!(s.id(), "EXT-003");
        assert_eq!(s.id.referenced.line(), 2);
        assert_eq!(s.steps.len(), 2);
        assert_eq!(s.steps[0].referenced.line(), 13);
        let q = &s.steps[0].value.request.query;
        assert_eq!(q[2].value, "50");
        assert_eq!(q[3].value, "06", "leading zeros are kept as text");
        let checks: Vec<&Assertion> = s.steps[0].value.expect.iter().map(|a| &a.value).collect();
        insta::assert_debug_snapshot!("parsed_assertions", checks);
        assert!(validate::check_scenario(&s).is_empty());
    }

    fn error_of(text: &str) -> String {
        parse(text).expect_err("must fail").to_string()
    }

    #[test]
    fn a_typo_in_a_field_names_file_line_and_column() {
        let text = GOOD.replace(
            "      path: /HealthcareService",
            "      pathh: /HealthcareService",
        );
        insta::assert_snapshot!("unknown_field", error_of(&text));
    }

    #[test]
    fn a_wrong_priority_is_explained() {
        let text = GOOD.replace("priority: 1", "priority: 4");
        insta::assert_snapshot!("bad_priority", error_of(&text));
    }

    #[test]
    fn an_unknown_assertion_kind_is_caught() {
        let text = GOOD.replace("      - status: 2xx", "      - statuz: 2xx");
        insta::assert_snapshot!("unknown_assertion_kind", error_of(&text));
    }

    #[test]
    fn two_kinds_in_one_assertion_are_caught() {
        let text = GOOD.replace(
            "      - status: 2xx",
            "      - status: 2xx\n        content_type: application/json",
        );
        insta::assert_snapshot!("two_kinds", error_of(&text));
    }

    #[test]
    fn bad_status_and_comparison_are_explained() {
        let text = GOOD.replace("status: 2xx", "status: 9xx");
        insta::assert_snapshot!("bad_status", error_of(&text));
        let text = GOOD.replace("total: \">= 1\"", "total: \"about 3\"");
        insta::assert_snapshot!("bad_comparison", error_of(&text));
    }

    #[test]
    fn bad_indentation_and_tabs_are_located() {
        let text = GOOD.replace(
            "    request:\n      path: /HealthcareService",
            "    request:\n     path: /HealthcareService",
        );
        insta::assert_snapshot!("bad_indent", error_of(&text));
        let text = GOOD.replace("      path: \"/Organization", "\t  path: \"/Organization");
        insta::assert_snapshot!("tab", error_of(&text));
    }

    #[test]
    fn validation_catches_undefined_variables_bad_expressions_and_ids() {
        let text = GOOD
            .replace("{{offer_id}}", "{{offre}}")
            .replace("id: EXT-003", "id: ext3")
            .replace("count() = 1", "count( = 1")
            .replace("contains: fhir+json", "matches: \"(\"");
        let s = parse(&text).expect("parses");
        let msgs: Vec<String> = validate::check_scenario(&s)
            .iter()
            .map(ToString::to_string)
            .collect();
        insta::assert_snapshot!("validation_errors", msgs.join("\n"));
    }

    #[test]
    fn a_capture_is_only_usable_after_its_step() {
        let text = GOOD.replace(
            "- identifier: \"{{offer_id}}\"",
            "- identifier: \"{{org}}\"",
        );
        let s = parse(&text).expect("parses");
        let errs = validate::check_scenario(&s);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.contains("{{org}}"));
        assert_eq!(errs[0].line, 13);
    }

    #[test]
    fn duplicate_ids_across_files_are_reported_with_both_places() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.yaml"), GOOD).expect("write");
        std::fs::write(dir.path().join("b.yaml"), GOOD).expect("write");
        let err = load(&[dir.path().to_owned()]).expect_err("duplicate");
        assert_eq!(err.0.len(), 1);
        assert!(err.0[0].message.contains("duplicate id `EXT-003`"));
        assert!(err.0[0].path.ends_with("b.yaml"));
        assert!(err.0[0].message.contains("a.yaml:2"));
    }

    #[test]
    fn every_broken_file_is_reported_not_only_the_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.yaml"), "id: [").expect("write");
        std::fs::write(dir.path().join("b.yml"), "id: X-001\n").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
        let err = load(&[dir.path().to_owned()]).expect_err("broken");
        assert_eq!(err.0.len(), 2, "{err}");
    }

    #[test]
    fn pages_and_exported_assertions_need_their_step_mode() {
        let text = GOOD.replace(
            "      - status: 2xx\n",
            "      - status: 2xx\n      - pages: { count: \">= 2\" }\n      - exported: {}\n",
        );
        let s = parse(&text).expect("parses");
        let errs = validate::check_scenario(&s);
        let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errs.len(), 2, "{messages:?}");
        assert!(messages[0].contains("follow_next"), "{messages:?}");
        assert!(messages[1].contains("export"), "{messages:?}");
        assert_eq!(errs[0].line, 24, "points at the assertion");

        let text = GOOD.replace(
            "    capture:\n      - name: org",
            "    export: { max_polls: 0 }\n    follow_next: { max_pages: 1 }\n    capture:\n      - name: org",
        );
        let s = parse(&text).expect("parses");
        let messages: Vec<String> = validate::check_scenario(&s)
            .into_iter()
            .map(|e| e.message)
            .collect();
        for needle in [
            "neither retry nor follow_next",
            "max_pages from 2",
            "max_polls from 1",
        ] {
            assert!(
                messages.iter().any(|m| m.contains(needle)),
                "{needle}: {messages:?}"
            );
        }
    }
}

/// Property tests: whatever a scenario file holds, loading answers with scenarios or located
/// diagnostics, never a panic.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::parse_scenario;
    use crate::validate::check_scenario;

    const SEED: &str = "id: EXT-900\ntitle: t\ndescription: d\npriority: 1\nmodality: extraction\nvariables: { x: \"1\" }\nsteps:\n  - name: s\n    request:\n      path: /HealthcareService\n      query:\n        - identifier: \"{{x}}\"\n    follow_next: { max_pages: 3 }\n    expect:\n      - status: 200\n      - fhirpath: { expr: \"Bundle.entry.count() > 0\" }\n      - pages: {}\n    capture:\n      - name: next\n        fhirpath: \"Bundle.link.url\"\n";

    fn check(text: &str) {
        if let Ok(s) = parse_scenario(std::path::Path::new("f.yaml"), text) {
            let _ = check_scenario(&s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_text_loads_or_is_located(text in any::<String>()) {
            check(&text);
        }

        #[test]
        fn a_mutated_scenario_loads_or_is_located(
            cut in 0..SEED.len(),
            insert in "[\\-:{}\\[\\]\"'|>&*!%@ \\n\\t(a-z0-9]{0,12}",
            delete in 0usize..8,
        ) {
            let mut text = SEED.to_owned();
            let at = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let end = (at + delete).min(text.len());
            let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
            text.replace_range(at..end, &insert);
            check(&text);
        }

        #[test]
        fn any_fhirpath_expression_is_answered(
            expr in prop_oneof![
                any::<String>(),
                "[()\\[\\]{}'`a-zA-Z.=<>!|&+*/ 0-9-]{0,80}",
            ]
        ) {
            let _ = rorcheck_fhirpath::FhirPath::parse(&expr);
        }
    }
}
