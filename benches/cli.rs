//! Start-up benchmark (`cargo bench --bench cli`): prints figures, asserts nothing.
//!
//! What a user feels before any request: `rorcheck --version` (target ≤ 5 ms) and
//! `rorcheck list` over the whole catalogue (target ≤ 25 ms), each run as a process, from
//! the checkout (./scenarios) and from an empty directory (the embedded catalogue).

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 40;

/// Wall times of `RUNS` runs of the binary with `args` in `dir`, sorted.
fn times(args: &[&str], dir: &std::path::Path) -> Vec<Duration> {
    let mut all: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_rorcheck"))
                .args(args)
                .current_dir(dir)
                .output()
                .expect("rorcheck runs");
            let took = start.elapsed();
            assert!(out.status.success(), "{args:?} failed");
            took
        })
        .collect();
    all.sort();
    all
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let empty = tempfile::tempdir().expect("tempdir");
    println!("rorcheck start-up, {RUNS} runs each (min / median / p90, ms):");
    for (label, args, dir, target) in [
        ("--version", &["--version"][..], checkout, 5.0),
        ("list (./scenarios)", &["list"][..], checkout, 25.0),
        (
            "list (embedded catalogue)",
            &["list"][..],
            empty.path(),
            25.0,
        ),
        (
            "list --format json",
            &["list", "--format", "json"][..],
            checkout,
            25.0,
        ),
    ] {
        let t = times(args, dir);
        let median = ms(t[t.len() / 2]);
        println!(
            "  {label:<28} {:>7.2} / {median:>7.2} / {:>7.2}   target ≤ {target} ms: {}",
            ms(t[0]),
            ms(t[t.len() * 9 / 10]),
            if median <= target { "met" } else { "MISSED" }
        );
    }
}
