//! Observer mode end to end: a scripted consumer (reqwest, over loopback) synchronises
//! against the observed mock; the report must credit what it did right and call out each
//! documented mistake — no token, a missing header, a skipped page, a wrong include set,
//! `Retry-After` ignored, a token per call, no client certificate.

mod command;
mod dossier;
mod mistakes;
mod story;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use rorcheck::mock::{MockOptions, TlsMode};
use rorcheck::observe::{ObserveReport, Observer, Status};
use rorcheck::scenario::{self, Scenario};
use serde_json::Value;

const HEADERS: &[(&str, &str)] = &[
    ("Ror-Profil-Utilisateur-Code", "CU01"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "FON-01"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];

/// The mistakes a scripted consumer can be told to make.
#[derive(Debug, Clone, Copy, Default)]
struct Mistakes {
    no_token: bool,
    omit_header: Option<&'static str>,
    /// Stops following `next` links after this many pages.
    stop_after_pages: Option<usize>,
    /// Leaves `_include=HealthcareService:location` out of the update request.
    missing_include: bool,
    /// Polls `$export` every 100 ms whatever `Retry-After` says.
    ignore_retry_after: bool,
    token_per_call: bool,
    /// Keeps using its token after `expires_in`.
    ignore_expiry: bool,
}

struct Consumer {
    http: reqwest::Client,
    base: String,
    token_url: String,
    client_id: String,
    secret: String,
    token: Option<(String, std::time::Instant)>,
    mistakes: Mistakes,
}

impl Consumer {
    fn new(observer: &Observer, mistakes: Mistakes) -> Self {
        let demo = observer.mock.demo_client();
        Consumer::connect(
            &observer.mock.base_url,
            &observer.mock.token_url,
            (&demo.client_id, &demo.secret),
            mistakes,
        )
    }

    /// A consumer of the printed URLs and credentials (`secret` empty under mTLS).
    fn connect(base: &str, token_url: &str, client: (&str, &str), mistakes: Mistakes) -> Self {
        Consumer {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token_url: token_url.to_owned(),
            client_id: client.0.to_owned(),
            secret: client.1.to_owned(),
            token: None,
            mistakes,
        }
    }

    async fn token(&mut self) -> String {
        if let Some((t, expires)) = &self.token
            && !self.mistakes.token_per_call
        {
            // Renewed a second before it expires, as the ROR guide asks.
            let fresh = self.mistakes.ignore_expiry
                || std::time::Instant::now() + Duration::from_secs(1) < *expires;
            if fresh {
                return t.clone();
            }
        }
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
        ];
        if !self.secret.is_empty() {
            form.push(("client_secret", self.secret.as_str()));
        }
        let resp: Value = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .expect("token endpoint reachable")
            .json()
            .await
            .expect("token response is JSON");
        let token = resp["access_token"].as_str().expect("a token").to_owned();
        let lifetime = resp["expires_in"].as_u64().expect("expires_in");
        self.token = Some((
            token.clone(),
            std::time::Instant::now() + Duration::from_secs(lifetime),
        ));
        token
    }

    async fn headers(&mut self) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in HEADERS {
            if self.mistakes.omit_header != Some(*name) {
                h.insert(*name, HeaderValue::from_static(value));
            }
        }
        if !self.mistakes.no_token {
            let token = self.token().await;
            h.insert(
                "Authorization",
                HeaderValue::from_str(&format!("Bearer {token}")).expect("header value"),
            );
        }
        h
    }

    /// GET on an absolute URL or a path under the base.
    async fn get(&mut self, url: &str) -> (u16, Value, HeaderMap) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let headers = self.headers().await;
        let resp = self
            .http
            .get(url)
            .headers(headers)
            .send()
            .await
            .expect("mock reachable");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body, headers)
    }

    /// A search, following `next` links as told.
    async fn search(&mut self, first: &str) {
        let (_, mut bundle, _) = self.get(first).await;
        let mut pages = 1;
        loop {
            if self
                .mistakes
                .stop_after_pages
                .is_some_and(|max| pages >= max)
            {
                break;
            }
            let next = bundle["link"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| l["relation"] == "next")
                .and_then(|l| l["url"].as_str())
                .map(str::to_owned);
            let Some(next) = next else { break };
            bundle = self.get(&next).await.1;
            pages += 1;
        }
    }

    async fn export(&mut self) {
        let (status, _, headers) = self
            .get("/$export?_type=HealthcareService&_outputFormat=application/fhir%2Bjson&includeAssociatedData=_myCompleteExtract")
            .await;
        if status != 202 {
            return;
        }
        let poll = headers["content-location"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        let manifest = loop {
            let (status, body, headers) = self.get(&poll).await;
            if status == 200 {
                break body;
            }
            let wait = if self.mistakes.ignore_retry_after {
                Duration::from_millis(100)
            } else {
                let secs: u64 = headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                Duration::from_secs(secs)
            };
            tokio::time::sleep(wait).await;
        };
        let files: Vec<String> = manifest["output"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["url"].as_str().map(str::to_owned))
            .collect();
        for file in files {
            self.get(&file).await;
        }
    }

    /// A day of synchronisation, as a consumer application runs it.
    async fn synchronise(&mut self) {
        // AUTH-001 / AUTH-008: a token, then calls with it.
        self.get("/HealthcareService?_count=1").await;
        self.get("/Organization?_count=1").await;
        // EXT-001: the full extraction by $export.
        self.export().await;
        // MAJ-001: the day's changes with the standard includes.
        let includes = if self.mistakes.missing_include {
            "&_include=HealthcareService:organization"
        } else {
            "&_include=HealthcareService:organization&_include=HealthcareService:location"
        };
        self.get(&format!(
            "/HealthcareService?_lastUpdated=ge2026-01-01T00:00:00Z{includes}"
        ))
        .await;
        // MAJ-010: the changes since a date, page after page.
        self.search("/HealthcareService?_lastUpdated=ge2025-01-01T00:00:00Z&_count=5")
            .await;
        // OI-001: an internal organisation by its national identifier, then its read.
        let (_, bundle, _) = self
            .get("/Organization?identifier=https://oi.esante.gouv.fr%7C750010007-OI0")
            .await;
        if let Some(id) = bundle["entry"][0]["resource"]["id"].as_str() {
            self.get(&format!("/Organization/{id}")).await;
        }
    }
}

fn catalogue() -> Vec<Scenario> {
    scenario::load(&["scenarios".into()])
        .expect("the catalogue loads")
        .scenarios
}

async fn observer(tls: TlsMode) -> Observer {
    Observer::start(MockOptions {
        export_delay: Duration::from_millis(1200),
        tls,
        ..MockOptions::default()
    })
    .await
    .expect("mock starts on loopback")
}

async fn session(mistakes: Mistakes) -> ObserveReport {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, mistakes);
    consumer.synchronise().await;
    observer.report(&catalogue())
}

fn outcome(report: &ObserveReport, id: &str) -> Status {
    report.scenario(id).expect("scenario in report").outcome
}

fn problems(report: &ObserveReport, id: &str) -> String {
    let s = report.scenario(id).expect("scenario in report");
    s.steps
        .iter()
        .flat_map(|st| st.problems.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn behaviour(report: &ObserveReport, id: &str) -> (Status, String) {
    let b = report.behaviour(id).expect("behaviour check");
    let findings: Vec<String> = b.findings.iter().map(|f| f.message.clone()).collect();
    (b.status, findings.join("\n"))
}

/// Every failed finding of a session: failed scenarios and failed behaviour checks.
fn findings(report: &ObserveReport) -> Vec<String> {
    report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Status::Failed)
        .map(|s| s.id.clone())
        .chain(
            report
                .behaviours
                .iter()
                .filter(|b| b.status == Status::Failed)
                .map(|b| b.id.to_owned()),
        )
        .collect()
}

/// One mistake, one finding, on the right id.
fn assert_one_finding(report: &ObserveReport, id: &str) {
    assert_eq!(
        findings(report),
        vec![id.to_owned()],
        "{:#?}",
        failed(report)
    );
    assert!(!report.success());
}

fn failed(report: &ObserveReport) -> Vec<(String, Option<String>)> {
    report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Status::Failed)
        .map(|s| (s.id.clone(), s.reason.clone()))
        .collect()
}

/// `rorcheck observe [ARGS] -- COMMAND`: the binary, its exit code and report.json.
fn observe_command(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = crate::common::rorcheck_command()
        .args([
            "observe",
            "--addr",
            "127.0.0.1:0",
            "--quiet",
            "--report-dir",
        ])
        .arg(dir.path())
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("rorcheck runs");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_default();
    assert!(dir.path().join("junit.xml").exists(), "{console}");
    (
        out.status.code(),
        serde_json::from_str(&json).unwrap_or(Value::Null),
        console,
    )
}
