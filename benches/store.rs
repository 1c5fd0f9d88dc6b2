//! Mock store benchmark (`cargo bench --bench store`): prints figures, asserts nothing.
//!
//! For a generated dataset of N offers (100,000 by default; `STORE_BENCH_OFFERS=1000000`
//! for the national scale): time until the mock is ready, memory it holds (bytes per
//! offer), the first searches (by identifier with the standard includes, then a first page
//! of 200 with its total), and peak RSS once a complete `$export` (`_myCompleteExtract`) has
//! been downloaded in full; then the ready time over more starts (`STORE_BENCH_STARTS`).
//! With `RORCHECK_BEFORE=/path/to/rorcheck` (another build, an earlier commit's), that
//! build's `rorcheck serve` and this one's are then run as processes, alternated: ready
//! time, memory held, a complete `$export` and the peak, side by side.
//!
//! Traffic goes to 127.0.0.1 only.

mod common;

use std::time::{Duration, Instant};

use rorcheck::mock::{GenerateOptions, MockOptions, MockServer};

const INC: &str = "&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner";

fn client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in [
        ("Ror-Profil-Utilisateur-Code", "CU22"),
        ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
        ("Ror-Role-Metier-Code", "AUTOMATE"),
        ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
        ("authorization", &format!("Bearer {token}")),
    ] {
        headers.insert(k, v.parse().expect("valid header"));
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// GETs `url`, returning the status, the body and the time it took.
async fn timed(http: &reqwest::Client, url: &str) -> (u16, Vec<u8>, Duration) {
    let started = Instant::now();
    let resp = http.get(url).send().await.expect("sent");
    let status = resp.status().as_u16();
    let body = resp.bytes().await.expect("body");
    (status, body.to_vec(), started.elapsed())
}

async fn national(offers: usize) {
    let base_rss = common::rss_mib("VmRSS:");
    let started = Instant::now();
    let mock = MockServer::start(MockOptions {
        dataset: GenerateOptions {
            offers,
            ..GenerateOptions::default()
        },
        export_delay: Duration::ZERO,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let ready = started.elapsed();
    let held = common::rss_mib("VmRSS:") - base_rss;
    println!(
        "{offers} offers: mock ready in {:.2} s; holds {held:.0} MiB ({:.0} bytes per offer); peak so far {:.0} MiB",
        ready.as_secs_f64(),
        held * 1024.0 * 1024.0 / offers as f64,
        common::rss_mib("VmHWM:")
    );

    let http = client(&mock.demo_token());
    let base = &mock.base_url;
    let (status, body, took) = timed(
        &http,
        &format!("{base}/HealthcareService?identifier=11/0000001{INC}"),
    )
    .await;
    println!(
        "  first search, by identifier with the standard includes: {status}, {} KB in {:.1} ms",
        body.len() / 1024,
        took.as_secs_f64() * 1e3
    );
    let (status, body, took) = timed(&http, &format!("{base}/HealthcareService?_count=200")).await;
    let total = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["total"].as_u64())
        .unwrap_or_default();
    println!(
        "  first page of 200 offers with its total ({total}): {status}, {} KB in {:.1} ms",
        body.len() / 1024,
        took.as_secs_f64() * 1e3
    );
    let (_, _, took) = timed(
        &http,
        &format!("{base}/HealthcareService?specialty=013&_count=200"),
    )
    .await;
    println!(
        "  a criterion no index answers (specialty, every offer read): {:.0} ms",
        took.as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let (files, lines, bytes) = complete_export(&http, base).await;
    println!(
        "  $export _myCompleteExtract: {files} files, {lines} resources, {} MB in {:.2} s ({:.0} resources/s); peak RSS {:.0} MiB",
        bytes / 1_000_000,
        started.elapsed().as_secs_f64(),
        lines as f64 / started.elapsed().as_secs_f64(),
        common::rss_mib("VmHWM:")
    );
    // The client's connections closed first: the data is then the mock's alone to free.
    drop(http);
    mock.stop().await;
}

/// A complete `$export` (`_myCompleteExtract`) kicked off, polled and every file read:
/// files, resources (lines) and bytes.
async fn complete_export(http: &reqwest::Client, base: &str) -> (usize, usize, usize) {
    let kickoff = http
        .get(format!(
            "{base}/$export?_type=HealthcareService&includeAssociatedData=_myCompleteExtract"
        ))
        .header("prefer", "respond-async")
        .send()
        .await
        .expect("kick-off");
    let poll = kickoff
        .headers()
        .get("content-location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("content-location");
    let manifest = loop {
        let resp = http.get(&poll).send().await.expect("poll");
        match resp.status().as_u16() {
            200 => break resp.json::<serde_json::Value>().await.expect("manifest"),
            202 => {}
            // A job that failed (or a build that answers otherwise) is not polled forever.
            other => panic!("export status {other}"),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let (mut files, mut bytes, mut lines) = (0, 0usize, 0usize);
    for output in manifest["output"].as_array().into_iter().flatten() {
        let url = output["url"].as_str().expect("url");
        let mut resp = http.get(url).send().await.expect("file");
        while let Some(chunk) = resp.chunk().await.expect("chunk") {
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        files += 1;
    }
    (files, lines, bytes)
}

/// What `rorcheck serve` showed as a process.
struct Served {
    ready: Duration,
    held_mib: f64,
    export_resources: usize,
    export: Duration,
    peak_mib: f64,
}

/// `rorcheck serve --offers N` of `binary` as a process (any build, an earlier commit's
/// included): until its banner says it serves (printed once its store is built), the memory
/// it then holds, then a complete `$export` read through and its peak memory.
async fn served(binary: &std::path::Path, offers: usize) -> Option<Served> {
    use tokio::io::AsyncBufReadExt;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .args(["serve", "--offers", &offers.to_string()])
        .args(["--addr", "127.0.0.1:0", "--token-lifetime", "3600"])
        // The banner read below is the French one (an older build speaks nothing else).
        .env("RORCHECK_LANG", "fr")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let pid = child.id()?.to_string();
    let mut banner = tokio::io::BufReader::new(child.stdout.take()?).lines();
    let mut ready = None;
    let (mut base, mut token_url, mut secret) = (None, None, None);
    while let Ok(Some(line)) = banner.next_line().await {
        ready.get_or_insert_with(|| started.elapsed());
        let Some((label, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.split_whitespace().next().map(str::to_owned);
        match label.trim() {
            "Base FHIR" => base = value,
            "Jeton OAuth2" => token_url = value,
            "client_secret" => secret = value,
            _ => {}
        }
        if let (Some(base), Some(token_url), Some(secret)) = (&base, &token_url, &secret) {
            let held_mib = common::rss_mib_of(&pid, "VmRSS:");
            let token: serde_json::Value = reqwest::Client::new()
                .post(token_url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", "rorcheck-demo-p0"),
                    ("client_secret", secret),
                ])
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            let http = client(token["access_token"].as_str()?);
            let exporting = Instant::now();
            let (_, export_resources, _) = complete_export(&http, base).await;
            return Some(Served {
                ready: ready?,
                held_mib,
                export_resources,
                export: exporting.elapsed(),
                peak_mib: common::rss_mib_of(&pid, "VmHWM:"),
            });
        }
    }
    None
}

/// With `RORCHECK_BEFORE=/path/to/rorcheck` (an earlier build), `rorcheck serve` of that
/// build and of this one as processes, alternated `rounds` times: a before/after measured
/// side by side.
async fn side_by_side(before: &std::path::Path, offers: usize, rounds: usize) {
    let this = std::path::Path::new(env!("CARGO_BIN_EXE_rorcheck"));
    println!("  `rorcheck serve --offers {offers}` as a process, {rounds} alternated rounds:");
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [("before", before), ("this", this)]
        } else {
            [("this", this), ("before", before)]
        };
        for (label, binary) in order {
            match served(binary, offers).await {
                Some(s) => println!(
                    "    {label:<6} ready in {:.2} s, holds {:.0} MiB ({:.0} bytes per offer); $export of {} resources in {:.2} s; peak {:.0} MiB",
                    s.ready.as_secs_f64(),
                    s.held_mib,
                    s.held_mib * 1024.0 * 1024.0 / offers as f64,
                    s.export_resources,
                    s.export.as_secs_f64(),
                    s.peak_mib
                ),
                None => println!("    {label:<6} {} did not serve", binary.display()),
            }
        }
    }
}

/// Time until a mock of `offers` offers is ready, `starts` more times (the first start's
/// figure above is one sample on a shared machine): median, least and most. Each mock is
/// stopped, its store freed, before the next starts (dropped instead, the previous store
/// was freed beside the next generation: ~10 % of the CPU of a restart in a profile).
async fn ready_times(offers: usize, starts: usize) {
    let mut times = Vec::with_capacity(starts);
    for _ in 0..starts {
        let started = Instant::now();
        let mock = MockServer::start(MockOptions {
            dataset: GenerateOptions {
                offers,
                ..GenerateOptions::default()
            },
            ..MockOptions::default()
        })
        .await
        .expect("mock");
        times.push(started.elapsed().as_secs_f64());
        // Freed before the next start: each start is timed alone, as the first one is.
        mock.stop().await;
    }
    times.sort_by(f64::total_cmp);
    if let (Some(least), Some(most)) = (times.first(), times.last()) {
        println!(
            "  ready over {starts} more starts: median {:.2} s (least {least:.2}, most {most:.2})",
            times[times.len() / 2]
        );
    }
}

fn main() {
    let offers: usize = std::env::var("STORE_BENCH_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // More starts after the first, for the ready time only (`STORE_BENCH_STARTS`, 4 by
    // default; 0 at the national scale unless asked).
    let starts: usize = std::env::var("STORE_BENCH_STARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if offers > 200_000 { 0 } else { 4 });
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(national(offers));
    rt.block_on(ready_times(offers, starts));
    if let Some(before) = std::env::var_os("RORCHECK_BEFORE") {
        rt.block_on(side_by_side(std::path::Path::new(&before), offers, 2));
    }
}
