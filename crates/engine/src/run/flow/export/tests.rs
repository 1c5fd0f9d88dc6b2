//! Tallying and parsing exported files.

use super::tally::KEPT_FINDINGS;
use super::*;
use crate::assert::Status;
use rorcheck_conformance::{self as conformance, Severity};
use rorcheck_scenario::ExportedSpec;

fn spec(yaml: &str) -> ExportedSpec {
    serde_saphyr::from_str(yaml).expect("spec")
}

fn tally_of(files: &[(&str, &str, FileFormat, Option<u64>)]) -> ExportTally {
    let mut tally = ExportTally::new(None, conformance::Context::default());
    for (ty, body, format, declared) in files {
        tally.manifest_types.push((*ty).to_owned());
        tally.files.push(FileTally {
            resource_type: (*ty).to_owned(),
            declared: *declared,
            ..FileTally::default()
        });
        if let Err(e) = scan(body.as_bytes(), *format, &mut tally, u64::MAX)
            && let Some(f) = tally.files.last_mut()
        {
            f.error = Some(e.to_string());
        }
    }
    tally
}

const HS: &str = r#"{"resourceType":"HealthcareService","id":"hs1","providedBy":{"reference":"Organization/o1"},"location":[{"reference":"Location/l1"}]}
{"resourceType":"HealthcareService","id":"hs2","providedBy":{"reference":"Organization/o2"}}
"#;

#[test]
fn ndjson_and_bundle_files_are_read_resource_by_resource() {
    let org = r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Organization","id":"o1"}},{"resource":{"resourceType":"Organization","id":"o2","partOf":{"reference":"Organization/o1"}}}],"total":2}"#;
    let t = tally_of(&[
        ("HealthcareService", HS, FileFormat::Ndjson, Some(2)),
        ("Organization", org, FileFormat::Bundle, Some(2)),
    ]);
    assert_eq!(t.per_type.get("Organization"), Some(&2));
    // Location was not exported: its reference is not judged.
    let v = t.judge(&spec(
        "{ types: [Organization, HealthcareService], resources: { HealthcareService: 2 } }",
    ));
    assert_eq!(v.outcome, Status::Passed, "{}", v.actual);
}

#[test]
fn each_defect_is_named() {
    let one_org = r#"{"resourceType":"Organization","id":"o1"}"#;
    let cases = [
        (
            tally_of(&[
                ("HealthcareService", HS, FileFormat::Ndjson, Some(2)),
                ("Organization", one_org, FileFormat::Ndjson, Some(1)),
            ]),
            "HealthcareService/hs2.providedBy → Organization/o2",
        ),
        (
            tally_of(&[("HealthcareService", HS, FileFormat::Ndjson, Some(3))]),
            "2 ressource(s) lue(s), le manifeste en annonce 3",
        ),
        (
            tally_of(&[(
                "HealthcareService",
                &format!("{HS}{HS}"),
                FileFormat::Ndjson,
                None,
            )]),
            "2 ressource(s) exportée(s) plusieurs fois",
        ),
        (
            tally_of(&[(
                "HealthcareService",
                "{\"resourceType\":",
                FileFormat::Ndjson,
                None,
            )]),
            "fichier HealthcareService illisible",
        ),
        (
            tally_of(&[("HealthcareService", one_org, FileFormat::Ndjson, None)]),
            "1 ressource(s) d'un autre type",
        ),
        (
            tally_of(&[(
                "HealthcareService",
                r#"{"resourceType":"Parameters"}"#,
                FileFormat::Bundle,
                None,
            )]),
            "resourceType Parameters au lieu de Bundle",
        ),
    ];
    for (t, needle) in cases {
        let v = t.judge(&spec("{}"));
        assert_eq!(v.outcome, Status::Failed, "{needle}: {}", v.actual);
        assert!(v.actual.contains(needle), "{needle} in {}", v.actual);
    }
}

#[test]
fn warnings_beyond_the_kept_sample_stay_warnings() {
    // New codes (NOS-02) fill the kept sample, then retired ones (NOS-04) come, none of
    // them kept: both are warnings and must stay so.
    let offer = r#"{"resourceType":"HealthcareService","id":"hs-N","specialty":[{"coding":[{"system":"https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle","code":"CODE"}]}]}"#;
    let body: String = (0..KEPT_FINDINGS * 2)
        .map(|i| {
            let code = if i < KEPT_FINDINGS { "999" } else { "002" };
            format!(
                "{}\n",
                offer
                    .replace("hs-N", &format!("hs-{i}"))
                    .replace("CODE", code)
            )
        })
        .collect();
    let nomenclatures = Aspects {
        profiles: false,
        nomenclatures: true,
        graph: false,
        visibility: false,
        capability: false,
    };
    let mut tally = ExportTally::new(Some(nomenclatures), conformance::Context::default());
    tally.manifest_types.push("HealthcareService".into());
    tally.files.push(FileTally {
        resource_type: "HealthcareService".into(),
        ..FileTally::default()
    });
    scan(body.as_bytes(), FileFormat::Ndjson, &mut tally, u64::MAX).expect("reads");
    assert!(tally.findings.iter().all(|f| f.rule == "NOS-02"));
    assert!(
        tally
            .rules
            .contains_key(&("NOS-04".to_owned(), Severity::Warning))
    );
    let v = tally.conformance_verdict(nomenclatures);
    assert_eq!(v.outcome, Status::Passed, "{}", v.actual);
    assert!(
        v.actual.contains(&format!(
            "0 écart(s), {} avertissement(s)",
            KEPT_FINDINGS * 2
        )),
        "{}",
        v.actual
    );
}

#[test]
fn the_chunk_reader_reassembles_a_stream_cut_anywhere() {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let body = HS.as_bytes().to_vec();
    std::thread::spawn(move || {
        for piece in body.chunks(7) {
            if tx.blocking_send(Ok(piece.to_vec())).is_err() {
                return;
            }
        }
    });
    let mut tally = ExportTally::new(None, conformance::Context::default());
    tally.files.push(FileTally {
        resource_type: "HealthcareService".into(),
        ..FileTally::default()
    });
    scan(
        ChunkReader::new(rx),
        FileFormat::Ndjson,
        &mut tally,
        u64::MAX,
    )
    .expect("reads");
    assert_eq!(tally.files[0].read, 2);
}

/// A tally of one HealthcareService file.
fn one_file() -> ExportTally {
    let mut tally = ExportTally::new(None, conformance::Context::default());
    tally.files.push(FileTally {
        resource_type: "HealthcareService".into(),
        ..FileTally::default()
    });
    tally
}

#[test]
fn a_resource_past_the_record_limit_stops_the_file_and_is_named() {
    let long = format!(
        "{}\n{{\"resourceType\":\"HealthcareService\",\"id\":\"{}\"}}\n",
        HS.lines().next().unwrap_or_default(),
        "x".repeat(5000)
    );
    let mut tally = one_file();
    let e = scan(long.as_bytes(), FileFormat::Ndjson, &mut tally, 1000).expect_err("too long");
    assert!(e.to_string().starts_with("ressource n° 2 illisible"), "{e}");
    assert!(e.to_string().contains("limite"), "{e}");
    assert_eq!(tally.files[0].read, 1, "the resource before it was read");

    // A Bundle entry: the bound counts what the parser pulled, so it is passed within one
    // read-ahead of the limit.
    let entry = format!(
        r#"{{"resource":{{"resourceType":"HealthcareService","id":"{}"}}}}"#,
        "x".repeat(200_000)
    );
    let bundle = format!(r#"{{"resourceType":"Bundle","entry":[{entry}]}}"#);
    let mut tally = one_file();
    let e = scan(bundle.as_bytes(), FileFormat::Bundle, &mut tally, 1000).expect_err("too long");
    assert!(e.to_string().contains("limite"), "{e}");
    assert_eq!(tally.files[0].read, 0);
}

#[test]
fn ndjson_blank_lines_are_skipped_and_a_broken_line_is_numbered() {
    let body = format!("\n{}\n  \n{{\"resourceType\": \n", HS.trim_end());
    let mut tally = one_file();
    let e = scan(body.as_bytes(), FileFormat::Ndjson, &mut tally, u64::MAX).expect_err("broken");
    assert_eq!(tally.files[0].read, 2);
    assert!(e.to_string().starts_with("ressource n° 3 illisible"), "{e}");
    // A last line without its newline is still a resource.
    let mut tally = one_file();
    scan(
        HS.trim_end().as_bytes(),
        FileFormat::Ndjson,
        &mut tally,
        u64::MAX,
    )
    .expect("reads");
    assert_eq!(tally.files[0].read, 2);
}

#[test]
fn a_line_that_is_not_utf8_is_named_with_where_it_breaks() {
    // Text checked whole first: a stray byte inside a string is still refused, and said
    // as serde_json says it of bytes (what it is, line and column).
    let mut body = br#"{"resourceType":"HealthcareService","id":"a"}"#.to_vec();
    body.extend_from_slice(b"\n{\"resourceType\":\"HealthcareService\",\"name\":\"caf\xe9\"}\n");
    let mut tally = one_file();
    let e = scan(&body[..], FileFormat::Ndjson, &mut tally, u64::MAX).expect_err("not UTF-8");
    assert_eq!(tally.files[0].read, 1);
    let said = e.to_string();
    assert!(said.starts_with("ressource n° 2 illisible"), "{said}");
    assert!(
        said.contains("invalid unicode code point at line 1 column"),
        "{said}"
    );
    // Escaped non-ASCII text is text: read, not refused.
    let mut tally = one_file();
    let escaped = "{\"resourceType\":\"HealthcareService\",\"name\":\"caf\\u00e9 \u{e9}\"}\n";
    scan(escaped.as_bytes(), FileFormat::Ndjson, &mut tally, u64::MAX).expect("reads");
    assert_eq!(tally.files[0].read, 1);
}

/// A tally of the committed offers, three times over (duplicates), every check on, read
/// with `workers` threads.
fn tally_on(body: &str, format: FileFormat, workers: usize) -> (ExportTally, Option<String>) {
    let mut tally = ExportTally::new(
        Some(conformance::Aspects::ALL),
        conformance::Context {
            access_profile: Some(0),
            ..conformance::Context::default()
        },
    );
    tally.files.push(FileTally {
        resource_type: "HealthcareService".into(),
        ..FileTally::default()
    });
    let outcome = super::scan::scan_on(body.as_bytes(), format, &mut tally, u64::MAX, workers);
    (tally, outcome.err().map(|e| e.to_string()))
}

#[test]
fn several_threads_count_exactly_what_one_thread_counts_in_file_order() {
    let offers = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/dataset/HealthcareService.ndjson"
    ))
    .expect("committed offers");
    let mut lines: Vec<&str> = offers.lines().collect();
    lines = lines.repeat(3);
    // More than a batch of resources, then a broken one, then more that must not count.
    let broken = lines.len() - 7;
    lines.insert(broken, "{\"resourceType\": oops}");
    let ndjson = lines.join("\n");
    let entries: Vec<String> = lines[..broken]
        .iter()
        .map(|l| format!("{{\"resource\":{l}}}"))
        .collect();
    let bundle = format!(
        "{{\"resourceType\":\"Bundle\",\"entry\":[{}]}}",
        entries.join(",")
    );
    let summary = |(t, e): (ExportTally, Option<String>)| {
        (
            t.files[0].read,
            t.duplicates.clone(),
            t.duplicate_count,
            t.findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            t.rules.clone(),
            t.dangling().len(),
            e,
        )
    };
    let alone = summary(tally_on(&ndjson, FileFormat::Ndjson, 1));
    assert_eq!(alone.0, broken as u64, "counted up to the broken line");
    assert!(alone.1.len() == super::tally::NAMED && alone.2 > 0);
    assert!(
        !alone.3.is_empty(),
        "findings whose order the threads must keep"
    );
    assert!(
        alone
            .6
            .as_deref()
            .is_some_and(|e| e.starts_with(&format!("ressource n° {} illisible", broken + 1))),
        "{:?}",
        alone.6
    );
    for workers in [2, 3, 8] {
        assert!(
            summary(tally_on(&ndjson, FileFormat::Ndjson, workers)) == alone,
            "ndjson on {workers} threads"
        );
    }
    let alone = summary(tally_on(&bundle, FileFormat::Bundle, 1));
    assert_eq!(alone.0, broken as u64);
    assert_eq!(alone.6, None);
    for workers in [2, 3] {
        assert!(
            summary(tally_on(&bundle, FileFormat::Bundle, workers)) == alone,
            "Bundle on {workers} threads"
        );
    }
}
