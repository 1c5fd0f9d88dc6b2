//! Catalogue benchmark (`cargo bench --bench catalogue`): prints figures, asserts nothing.
//!
//! The whole scenario suite against the embedded mock, as a user runs it (`rorcheck run`,
//! its three reports written into a temporary directory), each run a process: wall time
//! (goal ≤ 0.6 s on two cores, release), CPU time and peak memory as the kernel counted
//! them, and whether every scenario passed. `CATALOGUE_BENCH_RUNS` runs (10 by default);
//! with `RORCHECK_BEFORE=/path/to/another/rorcheck`, that build's runs alternate with this
//! one's, for a before/after measured side by side.
//!
//! Traffic goes to 127.0.0.1 only (the embedded mocks).

mod common;

use std::path::Path;
use std::process::Command;

use common::{Measure, measure, median};

/// One run of `binary` over the checkout's catalogue, and whether its report says every
/// scenario passed.
fn one(binary: &Path, reports: &Path) -> (Measure, bool) {
    let m = measure(
        Command::new(binary)
            .args(["run", "--report-dir"])
            .arg(reports)
            .current_dir(env!("CARGO_MANIFEST_DIR")),
    );
    let report: serde_json::Value = std::fs::read(reports.join("report.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let summary = &report["summary"];
    let all_passed =
        summary["total"].as_u64().is_some_and(|t| t > 0) && summary["passed"] == summary["total"];
    (m, all_passed)
}

fn shown(label: &str, runs: Vec<(Measure, bool)>) -> std::time::Duration {
    let passed = runs.iter().filter(|(_, p)| *p).count();
    let count = runs.len();
    let mut walls: Vec<f64> = runs.iter().map(|(m, _)| m.wall.as_secs_f64()).collect();
    walls.sort_by(f64::total_cmp);
    let m = median(runs.into_iter().map(|(m, _)| m).collect());
    println!(
        "  {label:<8} median {:.3} s (least {:.3}, most {:.3}), {:.2} s CPU, peak {:.0} MiB; \
         every scenario passed in {passed}/{count} runs{}",
        m.wall.as_secs_f64(),
        walls.first().copied().unwrap_or(f64::NAN),
        walls.last().copied().unwrap_or(f64::NAN),
        m.cpu.as_secs_f64(),
        m.peak_mib,
        if m.ok {
            ""
        } else {
            " — a run exited non-zero"
        }
    );
    m.wall
}

fn main() {
    let runs: usize = std::env::var("CATALOGUE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let this = Path::new(env!("CARGO_BIN_EXE_rorcheck")).to_path_buf();
    let before = std::env::var_os("RORCHECK_BEFORE").map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().expect("tempdir");
    // A first run of each, not counted: the page cache warm for both.
    let _ = one(&this, dir.path());
    if let Some(b) = &before {
        let _ = one(b, dir.path());
    }
    let mut now = Vec::new();
    let mut then = Vec::new();
    for _ in 0..runs {
        now.push(one(&this, dir.path()));
        if let Some(b) = &before {
            then.push(one(b, dir.path()));
        }
    }
    println!("The catalogue against the embedded mock, {runs} runs (goal ≤ 0.6 s wall):");
    let wall = shown("this", now);
    if before.is_some() {
        let old = shown("before", then);
        println!(
            "  this/before: {:.2}× the wall time",
            wall.as_secs_f64() / old.as_secs_f64()
        );
    }
    println!(
        "  goal ≤ 0.6 s: {}",
        if wall.as_secs_f64() <= 0.6 {
            "met"
        } else {
            "MISSED"
        }
    );
}
