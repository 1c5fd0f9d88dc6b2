//! Mock ROR benchmark (`cargo bench --bench mock`): prints figures, asserts nothing.
//!
//! 1. Searches per second on loopback for a by-identifier search with the standard include
//!    set (goal: ≥ 5,000/s on 2 cores).
//! 2. Time and peak memory to page through a 100,000-offer dataset at `_count=200`.
//!
//! Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rorcheck::mock::{GenerateOptions, MockOptions, MockServer};

const INC: &str = "&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner";
const HEADERS: [(&str, &str); 4] = [
    ("Ror-Profil-Utilisateur-Code", "CU22"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "AUTOMATE"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];

fn client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in HEADERS {
        headers.insert(k, v.parse().expect("valid header"));
    }
    headers.insert(
        "authorization",
        format!("Bearer {token}").parse().expect("valid header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

async fn searches_per_second(offers: usize) {
    let opts = MockOptions {
        dataset: GenerateOptions {
            offers,
            ..GenerateOptions::default()
        },
        ..MockOptions::default()
    };
    let mock = MockServer::start(opts).await.expect("mock");
    let http = client(&mock.demo_token());
    let ids: Arc<Vec<String>> = Arc::new(
        (1..=offers.min(2000))
            .map(|n| {
                let region = ["11", "24", "52", "84", "04"][(n - 1) / offers.div_ceil(5)];
                format!("{region}/{n:07}")
            })
            .collect(),
    );
    let base = mock.base_url.clone();
    let done = Arc::new(AtomicUsize::new(0));
    let max_requests = 200_000;
    let budget = Duration::from_secs(8);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let (http, ids, base, done) = (http.clone(), ids.clone(), base.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while started.elapsed() < budget && done.load(Ordering::Relaxed) < max_requests {
                let url = format!(
                    "{base}/HealthcareService?identifier={}{INC}",
                    ids[i % ids.len()]
                );
                let resp = http.get(&url).send().await.expect("sent");
                assert!(resp.status().is_success());
                let body = resp.bytes().await.expect("body");
                assert!(body.len() > 100);
                done.fetch_add(1, Ordering::Relaxed);
                i += 32;
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    let n = done.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "search by identifier + standard includes, {offers} offers: {n} requests in {secs:.2} s = {:.0} searches/s (32 concurrent clients, loopback)",
        n as f64 / secs
    );
}

async fn page_through(offers: usize) {
    let started = Instant::now();
    // The 10,000 cap of synchronous searches is lifted: this measures paging itself.
    let opts = MockOptions {
        dataset: GenerateOptions {
            offers,
            ..GenerateOptions::default()
        },
        sync_cap: usize::MAX,
        ..MockOptions::default()
    };
    let mock = MockServer::start(opts).await.expect("mock");
    let generated = started.elapsed();
    let http = client(&mock.demo_token());
    let started = Instant::now();
    let mut url = Some(format!("{}/HealthcareService?_count=200", mock.base_url));
    let (mut pages, mut entries, mut total) = (0usize, 0usize, 0u64);
    while let Some(u) = url.take() {
        let bundle: serde_json::Value = http
            .get(&u)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        if pages == 0 {
            total = bundle["total"].as_u64().unwrap_or(0);
        }
        pages += 1;
        entries += bundle["entry"].as_array().map_or(0, Vec::len);
        url = bundle["link"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["relation"] == "next"))
            .and_then(|l| l["url"].as_str())
            .map(str::to_owned);
        assert!(pages <= 1000, "bounded");
    }
    println!(
        "paging {offers} offers at _count=200: {entries} entries over {pages} pages (total {total}) in {:.2} s; dataset generated and indexed in {:.2} s; peak RSS {:.0} MiB",
        started.elapsed().as_secs_f64(),
        generated.as_secs_f64(),
        common::rss_mib("VmHWM:")
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        searches_per_second(60).await;
        searches_per_second(100_000).await;
        page_through(100_000).await;
    });
}
