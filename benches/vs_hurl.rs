//! rorcheck beside Hurl on identical work (`cargo bench --bench vs_hurl`): prints figures,
//! asserts nothing.
//!
//! One embedded mock ROR on 127.0.0.1 serves both tools. The same request set — 99 files of
//! 20 GET searches, each checked for status 200, the FHIR Content-Type and one body check —
//! is written once as rorcheck scenarios and once as Hurl files; each tool runs it as a
//! separate process with its reports written (rorcheck: junit, HTML, JSON; Hurl: the same
//! three), at 2 and 8 parallel jobs, in alternating rounds (`VS_HURL_ROUNDS`, 3 by default)
//! whose medians are printed. `RORCHECK=/path/to/rorcheck` measures another build (an
//! earlier commit) in place of this one. Wall time and peak memory come from the kernel
//! (`wait4`), so both tools are measured the same way.
//!
//! Hurl 8.0.1 is the version that builds with this toolchain:
//! `apt-get install libcurl4-openssl-dev libxml2-dev libclang-dev pkg-config` then
//! `cargo install hurl --version 8.0.1 --locked`. Without `hurl` on the PATH (or
//! `HURL=/path/to/hurl`), rorcheck's own figures are printed and the comparison is skipped
//! with that message.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Measure, measure, median};
use rorcheck::mock::{MockOptions, MockServer};

const FILES: usize = 99;
const REQUESTS_PER_FILE: usize = 20;
const JOBS: [usize; 2] = [2, 8];

/// Searches the mock answers with a searchset Bundle, cycled through.
const SEARCHES: [&str; 6] = [
    "/HealthcareService?_count=10",
    "/Organization?_count=10",
    "/Location?_count=10",
    "/PractitionerRole?_count=10",
    "/HealthcareService?_count=20&_include=HealthcareService:organization",
    "/Organization?type=https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement|355",
];

const HEADERS: [(&str, &str); 4] = [
    ("Ror-Profil-Utilisateur-Code", "CU22"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "AUTOMATE"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];

fn search(file: usize, step: usize) -> &'static str {
    SEARCHES[(file * REQUESTS_PER_FILE + step) % SEARCHES.len()]
}

/// The request set as rorcheck scenarios.
fn write_rorcheck(dir: &Path) {
    std::fs::create_dir_all(dir).expect("dir");
    for f in 0..FILES {
        let mut yaml = format!(
            "id: BENCH-{f:03}\ntitle: \"Banc {f}\"\ndescription: banc comparatif\npriority: 3\n\
             modality: recherche\nsteps:\n"
        );
        for s in 0..REQUESTS_PER_FILE {
            yaml.push_str(&format!(
                "  - name: requête {s}\n    request:\n      path: \"{}\"\n    expect:\n      \
                 - status: 200\n      - content_type: application/fhir+json\n      \
                 - fhirpath: {{ expr: \"resourceType = 'Bundle'\" }}\n",
                search(f, s)
            ));
        }
        std::fs::write(dir.join(format!("bench-{f:03}.yaml")), yaml).expect("write");
    }
}

/// The same requests as Hurl files.
fn write_hurl(dir: &Path, base: &str) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("dir");
    (0..FILES)
        .map(|f| {
            let mut hurl = String::new();
            for s in 0..REQUESTS_PER_FILE {
                hurl.push_str(&format!("GET {base}{}\n", search(f, s)));
                hurl.push_str("Authorization: Bearer {{token}}\n");
                for (k, v) in HEADERS {
                    hurl.push_str(&format!("{k}: {v}\n"));
                }
                hurl.push_str(
                    "HTTP 200\n[Asserts]\nheader \"Content-Type\" contains \"application/fhir+json\"\n\
                     jsonpath \"$.resourceType\" == \"Bundle\"\n\n",
                );
            }
            let path = dir.join(format!("bench-{f:03}.hurl"));
            std::fs::write(&path, hurl).expect("write");
            path
        })
        .collect()
}

fn hurl_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HURL") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("hurl"))
            .find(|p| p.is_file())
    })
}

/// Rate, wall and CPU time, peak memory, and whether every round passed.
fn shown(m: &Measure, rate: f64) -> String {
    {
        format!(
            "{rate:>7.0} requests/s ({:.2} s, {:.2} s CPU, peak {:.0} MiB){}",
            m.wall.as_secs_f64(),
            m.cpu.as_secs_f64(),
            m.peak_mib,
            if m.ok { "" } else { " — a run did not pass" }
        )
    }
}

/// One job count's line for each tool, and their ratios.
fn print_figures(jobs: usize, requests: f64, r: Measure, hurl: Option<Measure>) {
    let r_rate = requests / r.wall.as_secs_f64();
    println!("  jobs {jobs}: rorcheck {}", shown(&r, r_rate));
    let Some(h) = hurl else {
        println!(
            "           Hurl: skipped, `hurl` not found (install: apt-get install \
             libcurl4-openssl-dev libxml2-dev libclang-dev pkg-config; cargo install hurl \
             --version 8.0.1 --locked; or set HURL=/path/to/hurl)"
        );
        return;
    };
    let h_rate = requests / h.wall.as_secs_f64();
    if !(r.ok && h.ok) {
        // A tool that stopped early did less work: its rate says nothing.
        println!(
            "           Hurl     {} — not compared: a run did not pass",
            shown(&h, h_rate)
        );
        return;
    }
    println!(
        "           Hurl     {} — rorcheck/Hurl {:.2}× (goal ≥ 2×), CPU {:.2}×, memory {:.2}×",
        shown(&h, h_rate),
        r_rate / h_rate,
        r.cpu.as_secs_f64() / h.cpu.as_secs_f64().max(1e-9),
        r.peak_mib / h.peak_mib.max(1.0)
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mock = rt
        .block_on(MockServer::start(MockOptions {
            token_lifetime_secs: 3600,
            ..MockOptions::default()
        }))
        .expect("mock starts");
    let token = mock.demo_token();
    let base = mock.base_url.as_str().trim_end_matches('/').to_owned();
    let work = tempfile::tempdir().expect("tempdir");
    let scenarios = work.path().join("scenarios");
    write_rorcheck(&scenarios);
    let hurl_files = write_hurl(&work.path().join("hurl"), &base);
    let hurl = hurl_binary();
    // Another build of rorcheck may be measured instead (`RORCHECK=/path/to/rorcheck`), to
    // set an earlier commit beside this one on the same machine.
    let ours_binary = std::env::var_os("RORCHECK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_rorcheck")));
    if std::env::var_os("RORCHECK").is_some() {
        println!("rorcheck measured: {}", ours_binary.display());
    }
    let requests = (FILES * REQUESTS_PER_FILE) as f64;
    println!(
        "{} GET requests ({FILES} files × {REQUESTS_PER_FILE}), each: status 200, Content-Type, one body check; \
         reports written by both tools",
        FILES * REQUESTS_PER_FILE
    );
    let rounds: usize = std::env::var("VS_HURL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
        .max(1);
    println!("{rounds} alternating rounds per tool and job count (VS_HURL_ROUNDS): medians");
    for jobs in JOBS {
        let reports = work.path().join(format!("r-{jobs}"));
        let run_rorcheck = || {
            measure(
                // Options every build has (an earlier one's too), the scenarios from
                // ./scenarios; its console output goes nowhere, as Hurl's does.
                Command::new(&ours_binary)
                    .args(["run", "--target", &base, "--jobs", &jobs.to_string()])
                    .arg("--report-dir")
                    .arg(&reports)
                    .current_dir(work.path())
                    .env("ROR_ACCESS_TOKEN", &token),
            )
        };
        let hreports = work.path().join(format!("h-{jobs}"));
        let run_hurl = |bin: &PathBuf| {
            measure(
                Command::new(bin)
                    .args(["--test", "--jobs", &jobs.to_string()])
                    .args(["--variable", &format!("token={token}")])
                    .arg("--report-junit")
                    .arg(hreports.join("junit.xml"))
                    .arg("--report-html")
                    .arg(hreports.join("html"))
                    .arg("--report-json")
                    .arg(hreports.join("json"))
                    .args(&hurl_files),
            )
        };
        // Rounds alternate the tools, so that a slow spell of the machine hits both.
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..rounds {
            ours.push(run_rorcheck());
            if let Some(bin) = &hurl {
                theirs.push(run_hurl(bin));
            }
        }
        print_figures(
            jobs,
            requests,
            median(ours),
            hurl.as_ref().map(|_| median(theirs)),
        );
    }
    drop(mock);
}
