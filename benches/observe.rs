//! Observer-mode benchmark (`cargo bench --bench observe`): prints figures, asserts nothing.
//!
//! A session of 10,000 requests (the log's capacity) from a consumer mixing the catalogue's
//! kinds of request — deltas with includes, paged searches, identifier searches, reads — is
//! sent over loopback to the observed mock, then judged against the catalogue. Figures:
//! requests per second under recording, time to judge, report sizes, peak memory.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rorcheck::mock::MockOptions;
use rorcheck::observe::Observer;

const REQUESTS: usize = 10_000;
const WORKERS: usize = 8;
const HEADERS: [(&str, &str); 4] = [
    ("Ror-Profil-Utilisateur-Code", "CU22"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "AUTOMATE"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];
const PATHS: &[&str] = &[
    "/HealthcareService?_lastUpdated=ge2026-01-01T00:00:00Z&_include=HealthcareService:organization&_include=HealthcareService:location",
    "/HealthcareService?_lastUpdated=ge2025-01-01T00:00:00Z&_count=5",
    "/Organization?identifier=https://oi.esante.gouv.fr%7C750010007-OI0",
    "/HealthcareService?identifier=11/0000001&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner",
    "/Location?_lastUpdated=ge2025-06-01",
    "/HealthcareService?name:contains=urgences",
    "/Organization?_count=1",
];

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let observer = Observer::start(MockOptions::default())
            .await
            .expect("mock starts on loopback");
        let demo = observer.mock.demo_client();
        let http = reqwest::Client::new();
        let token: serde_json::Value = http
            .post(&observer.mock.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", demo.client_id.as_str()),
                ("client_secret", demo.secret.as_str()),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or_default());
        let sent = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (http, sent, bearer) = (http.clone(), sent.clone(), bearer.clone());
            let base = observer.mock.base_url.clone();
            workers.push(tokio::spawn(async move {
                loop {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= REQUESTS - 1 {
                        break;
                    }
                    let mut req = http
                        .get(format!("{base}{}", PATHS[n % PATHS.len()]))
                        .header("Authorization", &bearer);
                    for (k, v) in HEADERS {
                        req = req.header(k, v);
                    }
                    if let Ok(resp) = req.send().await {
                        let _ = resp.bytes().await;
                    }
                }
            }));
        }
        for w in workers {
            let _ = w.await;
        }
        let traffic = started.elapsed();
        let scenarios = rorcheck::scenario::load(&["scenarios".into()])
            .expect("catalogue")
            .scenarios;
        let judging = Instant::now();
        let report = observer.report(&scenarios);
        let judged = judging.elapsed();
        let dir = tempfile::tempdir().expect("temp dir");
        let rendering = Instant::now();
        let written =
            rorcheck::report::write_all(rorcheck::report::Document::Observation(&report), dir.path()).expect("reports written");
        let rendered = rendering.elapsed();
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e6;
        println!(
            "observe: {} requests recorded in {:.2} s = {:.0} req/s ({WORKERS} concurrent clients, loopback)",
            report.summary.requests,
            traffic.as_secs_f64(),
            report.summary.requests as f64 / traffic.as_secs_f64()
        );
        println!(
            "observe: judged against {} scenarios in {:.2} s ({} passed, {} failed, {} not exercised)",
            scenarios.len(),
            judged.as_secs_f64(),
            report.summary.passed,
            report.summary.failed,
            report.summary.not_exercised
        );
        for v in report
            .scenarios
            .iter()
            .filter(|v| v.outcome == rorcheck::observe::Status::Failed)
        {
            println!("observe:   failed {} — {}", v.id, v.reason.as_deref().unwrap_or(""));
        }
        println!(
            "observe: reports rendered in {:.2} s: report.html {:.1} MB, report.json {:.1} MB, junit.xml {:.2} MB; peak RSS {:.0} MiB",
            rendered.as_secs_f64(),
            size(&written.html),
            size(&written.json),
            size(&written.junit),
            common::rss_mib("VmHWM:")
        );
    });
}
