//! `$export` reading benchmark (`cargo bench --bench export`): prints figures, asserts
//! nothing.
//!
//! 1. The streamed file reader alone: 200,000 ROR offers generated on the fly and fed in
//!    64 KiB chunks, every resource checked (profiles, NOS, visibility). Resident memory is
//!    read before and after: it must not grow with the size of the export.
//! 2. End to end against the mock on 127.0.0.1: a 100,000-offer `_myCompleteExtract` export
//!    through kick-off, polling and every file.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use rorcheck::conformance::{Aspects, Context};
use rorcheck::mock::{GenerateOptions, MockOptions, MockServer};
use rorcheck::run::export::{ChunkReader, ExportTally, FileFormat, FileTally, scan};

fn scanner_alone(resources: usize) {
    let template: serde_json::Value =
        std::fs::read_to_string("fixtures/dataset/HealthcareService.ndjson")
            .ok()
            .and_then(|t| t.lines().next().map(str::to_owned))
            .and_then(|l| serde_json::from_str(&l).ok())
            .expect("a committed offer");
    let before = common::rss_mib("VmRSS:");
    let (tx, rx) =
        tokio::sync::mpsc::channel::<Result<Vec<u8>, rorcheck::run::export::ReadStopped>>(8);
    // Each line is the template's text with its own id spliced in: the producer shares the
    // two cores with the checker, and cloning and serialising a `Value` per line (what it
    // did) cost the checker ~5 % of its rate, which a download does not.
    let mut marked = template.clone();
    marked["id"] = serde_json::json!("hs-bench-\u{1}");
    let text = marked.to_string();
    let (head, tail) = text
        .split_once(r"\u0001")
        .map(|(h, t)| (h.to_owned(), t.to_owned()))
        .expect("the id marker");
    let producer = std::thread::spawn(move || {
        let mut bytes = 0usize;
        let mut chunk = Vec::with_capacity(64 * 1024);
        for i in 0..resources {
            let _ = write!(chunk, "{head}{i}{tail}");
            let _ = chunk.write_all(b"\n");
            if chunk.len() >= 64 * 1024 {
                bytes += chunk.len();
                if tx.blocking_send(Ok(std::mem::take(&mut chunk))).is_err() {
                    return bytes;
                }
            }
        }
        bytes += chunk.len();
        let _ = tx.blocking_send(Ok(chunk));
        bytes
    });
    let started = Instant::now();
    let mut tally = ExportTally::new(
        Some(Aspects::ALL),
        Context {
            access_profile: Some(0),
            ..Context::default()
        },
    );
    tally.manifest_types.push("HealthcareService".into());
    tally.files.push(FileTally {
        resource_type: "HealthcareService".into(),
        ..FileTally::default()
    });
    let outcome = scan(
        ChunkReader::new(rx),
        FileFormat::Ndjson,
        &mut tally,
        rorcheck::http::Limits::REMOTE.max_record,
    );
    let secs = started.elapsed().as_secs_f64();
    let bytes = producer.join().unwrap_or(0);
    println!(
        "streamed reader: {} offers ({:.0} MiB of ndjson) checked in {secs:.2} s = {:.0} resources/s, {:.1} MiB/s; RSS {before:.0} MiB before, {:.0} MiB after (peak {:.0} MiB); {:?}",
        tally.files[0].read,
        bytes as f64 / 1048576.0,
        tally.files[0].read as f64 / secs,
        bytes as f64 / 1048576.0 / secs,
        common::rss_mib("VmRSS:"),
        common::rss_mib("VmHWM:"),
        outcome.err()
    );
}

async fn end_to_end(offers: usize) {
    let started = Instant::now();
    let opts = MockOptions {
        dataset: GenerateOptions {
            offers,
            ..GenerateOptions::default()
        },
        export_delay: Duration::from_millis(200),
        ..MockOptions::default()
    };
    let mock = MockServer::start(opts).await.expect("mock");
    let generated = started.elapsed();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("BENCH-001.yaml"),
        "id: BENCH-001\ntitle: t\ndescription: d\npriority: 1\nmodality: extraction\nsteps:\n  - name: export\n    request:\n      path: /$export\n      query:\n        - _type: HealthcareService\n        - _outputFormat: application/fhir+json\n        - includeAssociatedData: _myCompleteExtract\n    export: { max_polls: 60 }\n    expect:\n      - exported: {}\n      - conformance: [profiles, nomenclatures, visibility]\n",
    )
    .expect("scenario");
    let set = rorcheck::scenario::load(&[dir.path().to_path_buf()]).expect("valid");
    let mut target = rorcheck_embedded::secret_target(&mock).expect("target");
    target.timeout = Duration::from_secs(120);
    let runner = rorcheck_embedded::runner(target).await.expect("engine");
    let started = Instant::now();
    let report = runner.run(&set, 1, |_| {}).await;
    let secs = started.elapsed().as_secs_f64();
    let step = &report.scenarios[0].steps[0];
    let exported = step
        .assertions
        .iter()
        .find(|a| a.kind == "exported")
        .map(|a| a.actual.chars().take(160).collect::<String>())
        .unwrap_or_default();
    let bytes: usize = step
        .follow_ups
        .iter()
        .filter_map(|f| f.exchange.response.as_ref())
        .map(|r| r.body_bytes)
        .sum();
    println!(
        "export end to end ({offers} offers, dataset built in {:.1} s): {:?} in {secs:.2} s, {:.0} MiB downloaded; {exported}; peak RSS of mock + client {:.0} MiB",
        generated.as_secs_f64(),
        report.scenarios[0].status,
        bytes as f64 / 1048576.0,
        common::rss_mib("VmHWM:")
    );
}

/// `EXPORT_BENCH_PART=reader` or `=end-to-end` runs one part (for a profiler);
/// `EXPORT_BENCH_RESOURCES` / `EXPORT_BENCH_OFFERS` change their sizes.
fn main() {
    let part = std::env::var("EXPORT_BENCH_PART").unwrap_or_default();
    let size = |var: &str, default: usize| {
        std::env::var(var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    if part != "end-to-end" {
        scanner_alone(size("EXPORT_BENCH_RESOURCES", 200_000));
    }
    if part != "reader" {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(end_to_end(size("EXPORT_BENCH_OFFERS", 100_000)));
    }
}
