//! Observer mode end to end: a scripted consumer (reqwest, over loopback) synchronises
//! against the observed mock; the report must credit what it did right and call out each
//! documented mistake — no token, a missing header, a skipped page, a wrong include set,
//! `Retry-After` ignored, a token per call, no client certificate.

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

#[tokio::test]
async fn a_well_behaved_consumer_passes_what_it_exercised() {
    let report = session(Mistakes::default()).await;
    for id in [
        "AUTH-001", "AUTH-008", "EXT-001", "MAJ-001", "MAJ-010", "OI-001",
    ] {
        assert_eq!(
            outcome(&report, id),
            Status::Passed,
            "{id}: {:?}",
            report.scenario(id)
        );
    }
    for b in &report.behaviours {
        assert!(
            matches!(b.status, Status::Passed | Status::NotApplicable),
            "{} {:?}: {:?}",
            b.id,
            b.status,
            b.findings
        );
    }
    assert_eq!(
        behaviour(&report, "COMP-05").0,
        Status::NotApplicable,
        "no mTLS in this session"
    );
    assert_eq!(report.summary.failed, 0, "{:#?}", failed(&report));
    assert!(findings(&report).is_empty());
    assert!(report.success());
    assert_eq!(report.summary.score, Some(100));
    // Not exercised is not failed, and tests of the server are out of scope.
    assert_eq!(outcome(&report, "RCH-005"), Status::NotExercised);
    assert_eq!(outcome(&report, "AUTH-002"), Status::NotApplicable);
    assert_eq!(outcome(&report, "AUTH-007"), Status::NotApplicable);
    // Scenarios that are a behaviour (the token, the four headers, renewal) are judged once,
    // by the behaviour check, not credited again.
    for id in [
        "AUTH-003", "SEC-001", "SEC-007", "AUTH-004", "ERR-001", "ERR-009",
    ] {
        assert_eq!(outcome(&report, id), Status::NotApplicable, "{id}");
        let reason = report.scenario(id).and_then(|s| s.reason.clone());
        assert!(
            reason.as_deref().unwrap_or_default().contains("COMP-0"),
            "{id}: {reason:?}"
        );
    }
    assert_eq!(behaviour(&report, "COMP-01").0, Status::Passed);
    assert_eq!(behaviour(&report, "COMP-02").0, Status::Passed);
    assert!(report.summary.coverage_percent > 0);
}

#[tokio::test]
async fn one_correct_request_credits_only_what_it_evidences() {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer
        .get("/HealthcareService?_lastUpdated=ge2026-01-01T00:00:00Z&_include=HealthcareService:organization&_include=HealthcareService:location")
        .await;
    let report = observer.report(&catalogue());
    let passed: Vec<&str> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Status::Passed)
        .map(|s| s.id.as_str())
        .collect();
    // The delta search only: AUTH-001 also asks for its probe call, which was not sent, and
    // nothing of errors or refusals was shown.
    assert_eq!(passed, ["MAJ-001"], "{passed:?}");
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
    assert!(report.success());
}

#[tokio::test]
async fn a_near_miss_is_attributed_once_and_a_scenario_not_exercised_says_why() {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    // EXT-004's search of an EJ's offers, without two of its three includes.
    consumer
        .get("/HealthcareService?organization.identifier:above=https://finess.esante.gouv.fr%7C750010003&_include=HealthcareService:organization")
        .await;
    // A plain FINESS search: another identifier than the OI scenarios' own, not a mistake.
    consumer
        .get("/Organization?identifier=http://finess.sante.gouv.fr%7C010000024")
        .await;
    let report = observer.report(&catalogue());
    // One request, one finding: on EXT-004, whose values it sends, not on EXT-005 (same
    // criterion, one include) nor on OI-002.
    assert_eq!(findings(&report), ["EXT-004"], "{:#?}", failed(&report));
    let missing = problems(&report, "EXT-004");
    assert!(
        missing.contains("`_include:iterate=Organization:partof` absent")
            && missing.contains("`_include=HealthcareService:location` absent"),
        "{missing}"
    );
    for id in ["OI-001", "OI-005"] {
        assert_ne!(outcome(&report, id), Status::Failed, "{id}");
    }
    // Every scenario left not exercised says why.
    for s in report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Status::NotExercised)
    {
        assert!(s.reason.is_some(), "{} without a reason", s.id);
    }
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

#[tokio::test]
async fn calls_without_a_token_are_called_out() {
    let report = session(Mistakes {
        no_token: true,
        ..Mistakes::default()
    })
    .await;
    let (status, found) = behaviour(&report, "COMP-01");
    assert_eq!(status, Status::Failed);
    assert!(found.contains("sans jeton"), "{found}");
    assert_one_finding(&report, "COMP-01");
    // The refused search is not shown, and says where the failure is counted.
    assert_eq!(outcome(&report, "MAJ-001"), Status::NotExercised);
    assert!(
        problems(&report, "MAJ-001").contains("refusée : HTTP 401"),
        "{}",
        problems(&report, "MAJ-001")
    );
    assert!(problems(&report, "MAJ-001").contains("sur COMP-01"));
    assert_eq!(report.summary.score, Some(0), "a CRITIQUE behaviour failed");
    assert_eq!(outcome(&report, "AUTH-003"), Status::NotApplicable);
}

#[tokio::test]
async fn a_missing_ror_header_is_named() {
    let report = session(Mistakes {
        omit_header: Some("Ror-Role-Metier-System"),
        ..Mistakes::default()
    })
    .await;
    let (status, found) = behaviour(&report, "COMP-02");
    assert_eq!(status, Status::Failed);
    assert!(
        found.contains("En-tête obligatoire absent : Ror-Role-Metier-System"),
        "{found}"
    );
    assert_one_finding(&report, "COMP-02");
    assert_eq!(outcome(&report, "MAJ-001"), Status::NotExercised);
    assert!(problems(&report, "MAJ-001").contains("Ror-Role-Metier-System"));
    assert_eq!(outcome(&report, "SEC-004"), Status::NotApplicable);
}

#[tokio::test]
async fn a_skipped_page_is_called_out() {
    let report = session(Mistakes {
        stop_after_pages: Some(2),
        ..Mistakes::default()
    })
    .await;
    let (status, found) = behaviour(&report, "COMP-07");
    assert_eq!(status, Status::Failed);
    assert!(found.contains("page 3 sur"), "{found}");
    assert!(found.contains("jamais demandée"), "{found}");
    assert_one_finding(&report, "COMP-07");
    assert_eq!(outcome(&report, "MAJ-010"), Status::NotExercised);
    assert!(problems(&report, "MAJ-010").contains("page 3 sur"));
}

#[tokio::test]
async fn a_wrong_include_set_is_a_near_miss_with_the_difference() {
    let report = session(Mistakes {
        missing_include: true,
        ..Mistakes::default()
    })
    .await;
    assert_eq!(outcome(&report, "MAJ-001"), Status::Failed);
    let problems = problems(&report, "MAJ-001");
    assert!(
        problems.contains("`_include=HealthcareService:location` absent"),
        "{problems}"
    );
    assert_one_finding(&report, "MAJ-001");
    // The other scenarios the consumer exercised correctly still pass.
    assert_eq!(outcome(&report, "EXT-001"), Status::Passed);
}

#[tokio::test]
async fn ignoring_retry_after_is_called_out() {
    let report = session(Mistakes {
        ignore_retry_after: true,
        ..Mistakes::default()
    })
    .await;
    let (status, found) = behaviour(&report, "COMP-08");
    assert_eq!(status, Status::Failed);
    assert!(found.contains("Retry-After demandait 1 s"), "{found}");
    assert_one_finding(&report, "COMP-08");
    assert_eq!(outcome(&report, "EXT-001"), Status::NotExercised);
}

#[tokio::test]
async fn a_token_per_call_is_called_out() {
    let report = session(Mistakes {
        token_per_call: true,
        ..Mistakes::default()
    })
    .await;
    let (status, found) = behaviour(&report, "COMP-03");
    assert_eq!(status, Status::Failed);
    assert!(found.contains("le précédent était valide"), "{found}");
    assert_one_finding(&report, "COMP-03");
}

#[tokio::test]
async fn an_undocumented_parameter_is_one_finding() {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer
        .get("/HealthcareService?_lastUpdated=ge2026-01-01T00:00:00Z&_include=HealthcareService:organization&_include=HealthcareService:location")
        .await;
    consumer.get("/HealthcareService?parametre-inconnu=1").await;
    let report = observer.report(&catalogue());
    assert_one_finding(&report, "COMP-06");
    for id in ["ERR-001", "ERR-009"] {
        assert_eq!(outcome(&report, id), Status::NotApplicable, "{id}");
    }
}

#[tokio::test]
async fn an_empty_session_is_no_success() {
    let observer = observer(TlsMode::Off).await;
    let report = observer.report(&catalogue());
    assert_eq!(report.summary.requests, 0);
    assert!(!report.success());
    assert_eq!(
        report.summary.score, None,
        "no score of 100 for nothing shown"
    );
    let html = rorcheck::report::html::observation(&report).expect("html");
    assert!(html.contains("aucun scénario exercé"));
    assert!(!html.contains("100 / 100"));
    // CI's test view fails when the job does.
    let junit = rorcheck::report::junit::observation(&report).expect("junit");
    let doc = roxmltree::Document::parse(&junit).expect("XML");
    let failures: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.attribute("message").map(str::to_owned))
        .collect();
    assert_eq!(failures.len(), 1, "{junit}");
    assert!(
        failures[0].contains("aucun scénario exercé"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn reports_are_written_without_secrets() {
    let observer = observer(TlsMode::Off).await;
    let secret = observer.mock.demo_client().secret.clone();
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer.synchronise().await;
    let token = consumer.token.clone().expect("a token was used").0;
    let report = observer.report(&catalogue());
    let dir = tempfile::tempdir().expect("temp dir");
    let written =
        rorcheck::report::write_all(rorcheck::report::Document::Observation(&report), dir.path())
            .expect("written");
    for path in [&written.html, &written.junit, &written.json] {
        let text = std::fs::read_to_string(path).expect("readable");
        assert!(
            !text.contains(&secret),
            "{} leaks the secret",
            path.display()
        );
        assert!(!text.contains(&token), "{} leaks the token", path.display());
    }
    let html = std::fs::read_to_string(&written.html).expect("html");
    assert!(html.contains("Score pondéré PLATINES"));
    assert!(html.contains("MAJ-001"));
    // The answers are kept as evidence too (headers and the start of the body).
    assert!(html.contains("Réponse ("));
    assert!(html.contains("searchset"));
    let junit = std::fs::read_to_string(&written.junit).expect("junit");
    roxmltree::Document::parse(&junit).expect("junit.xml is XML");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&written.json).expect("json")).expect("JSON");
    assert_eq!(json["summary"]["failed"], 0, "{:#?}", failed(&report));
}

#[tokio::test]
async fn under_mtls_a_client_without_certificate_is_called_out() {
    let observer = observer(TlsMode::Mtls).await;
    let pki = observer.mock.pki.clone().expect("test PKI");
    let ca = reqwest::Certificate::from_pem(pki.ca.cert_pem.as_bytes()).expect("CA");
    // Trusts the server but presents no certificate: the handshake is refused.
    let http = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .expect("client");
    let attempt = http
        .get(format!("{}/HealthcareService", observer.mock.base_url))
        .send()
        .await;
    assert!(attempt.is_err(), "the mock must refuse the handshake");
    // The refusal is logged once the server side of the handshake has finished.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = observer.report(&catalogue());
    let (status, found) = behaviour(&report, "COMP-05");
    assert_eq!(status, Status::Failed, "{found}");
    assert!(found.contains("connexion TLS refusée"), "{found}");
    assert_eq!(report.profile, 1);
    assert_one_finding(&report, "COMP-05");
}

/// How a consumer picks the `_lastUpdated` bound of its next update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// The server time of its previous synchronisation (what the ROR guide asks).
    PreviousSync,
    /// A time in the future of the changes: every delta comes back empty.
    TooLate,
}

/// Day 0 full extraction by `$export`, then one update a day, as a scheduled consumer does.
async fn story_session(bound: Bound, skip_empty_day: bool) -> ObserveReport {
    let observer = Observer::start(MockOptions {
        export_delay: Duration::from_millis(300),
        story: true,
        ..MockOptions::default()
    })
    .await
    .expect("mock starts");
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer.export().await;
    let mut since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let http = reqwest::Client::new();
    let story_url = observer
        .mock
        .token_url
        .replace(rorcheck::ror::TOKEN_PATH, rorcheck::mock::STORY_PATH);
    for day in 1..=4 {
        // The control the vendor (or a timer) uses to move the story on.
        let resp = http
            .post(format!("{story_url}/next-day"))
            .send()
            .await
            .expect("story control");
        assert_eq!(resp.status(), 200);
        if skip_empty_day && day == 4 {
            continue;
        }
        let bound = match bound {
            Bound::PreviousSync => since.clone(),
            Bound::TooLate => (chrono::Utc::now() + chrono::Duration::hours(1))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        let (status, bundle, _) = consumer
            .get(&format!(
                "/HealthcareService?_lastUpdated=ge{}&_include=HealthcareService:organization&_include=HealthcareService:location",
                bound.replace('+', "%2B")
            ))
            .await;
        assert_eq!(status, 200);
        since = bundle["meta"]["lastUpdated"]
            .as_str()
            .expect("Bundle.meta.lastUpdated")
            .to_owned();
    }
    observer.report(&catalogue())
}

#[tokio::test]
async fn the_day_by_day_story_credits_a_consumer_that_keeps_up() {
    let report = story_session(Bound::PreviousSync, false).await;
    let (status, findings) = behaviour(&report, "COMP-09");
    assert_eq!(status, Status::Passed, "{findings}");
    assert_eq!(report.story.len(), 5, "J0 to J4");
    assert!(report.story[4].events.is_empty(), "J4 is the empty day");
    assert_eq!(outcome(&report, "MAJ-001"), Status::Passed);
}

#[tokio::test]
async fn the_story_control_point_names_the_changes_a_late_bound_missed() {
    let report = story_session(Bound::TooLate, false).await;
    assert_one_finding(&report, "COMP-09");
    let (status, findings) = behaviour(&report, "COMP-09");
    assert_eq!(status, Status::Failed);
    assert!(
        findings.contains("postérieure aux changements du jour"),
        "{findings}"
    );
    assert!(
        findings.contains("création de HealthcareService/hs-j1-1"),
        "{findings}"
    );
    assert!(
        findings.contains("fermeture de HealthcareService/"),
        "{findings}"
    );
}

#[tokio::test]
async fn skipping_the_empty_day_is_called_out() {
    let report = story_session(Bound::PreviousSync, true).await;
    let (status, findings) = behaviour(&report, "COMP-09");
    assert_eq!(status, Status::Failed);
    assert!(findings.contains("J4 : aucune mise à jour"), "{findings}");
    assert!(findings.contains("journée sans changement"), "{findings}");
}

/// A session that outlives a 2-second token: renewed before expiry, or not.
async fn expiry_session(ignore_expiry: bool) -> ObserveReport {
    let observer = Observer::start(MockOptions {
        token_lifetime_secs: 2,
        ..MockOptions::default()
    })
    .await
    .expect("mock starts");
    let mut consumer = Consumer::new(
        &observer,
        Mistakes {
            ignore_expiry,
            ..Mistakes::default()
        },
    );
    consumer.get("/HealthcareService?_count=1").await;
    tokio::time::sleep(Duration::from_millis(2600)).await;
    consumer.get("/Organization?_count=1").await;
    observer.report(&catalogue())
}

#[tokio::test]
async fn token_renewal_before_expiry_is_shown_and_its_absence_called_out() {
    let good = expiry_session(false).await;
    assert_eq!(behaviour(&good, "COMP-04").0, Status::Passed);
    assert_eq!(outcome(&good, "AUTH-004"), Status::NotApplicable);
    let bad = expiry_session(true).await;
    let (status, found) = behaviour(&bad, "COMP-04");
    assert_eq!(status, Status::Failed);
    assert!(found.contains("appel avec un jeton expiré"), "{found}");
    // The expired token's 401 is COMP-04's finding; COMP-01 does not count it again.
    assert_one_finding(&bad, "COMP-04");
}

#[tokio::test]
async fn under_mtls_a_consumer_presenting_its_certificate_is_credited() {
    let observer = observer(TlsMode::Mtls).await;
    let pki = observer.mock.pki.clone().expect("test PKI");
    let (client_id, _, identity) = pki.client(1).expect("profile-1 demo client");
    let ca = reqwest::Certificate::from_pem(pki.ca.cert_pem.as_bytes()).expect("CA");
    let pem = format!("{}{}", identity.cert_pem, identity.key_pem);
    let mut consumer = Consumer::connect(
        &observer.mock.base_url,
        &observer.mock.token_url,
        (client_id.as_str(), ""),
        Mistakes::default(),
    );
    consumer.http = reqwest::Client::builder()
        .tls_certs_only([ca])
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"))
        .build()
        .expect("client");
    consumer.get("/HealthcareService?_count=1").await;
    let report = observer.report(&catalogue());
    assert_eq!(report.profile, 1);
    assert_eq!(behaviour(&report, "COMP-05").0, Status::Passed);
    assert_eq!(
        outcome(&report, "AUTH-006"),
        Status::Passed,
        "{:?}",
        report.scenario("AUTH-006")
    );
    assert_eq!(outcome(&report, "AUTH-005"), Status::NotApplicable);
    // Profile-0 scenarios are not judged in a profile-1 session.
    assert_eq!(outcome(&report, "AUTH-001"), Status::NotApplicable);
}

/// `rorcheck observe` itself: the printed URLs and credentials are enough for a consumer,
/// the reports land in the report directory and the exit code says the verdict.
fn observe_binary(mistakes: Mistakes) -> (std::process::ExitStatus, Value) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rorcheck"))
        .args([
            "observe",
            "--addr",
            "127.0.0.1:0",
            "--duration",
            "4s",
            "--report-dir",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rorcheck starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut field = |label: &str| loop {
        let line = lines.next().expect("banner line").expect("UTF-8");
        if let Some(value) = line.trim().strip_prefix(label) {
            let value = value.trim().trim_start_matches(':').trim();
            return value.split(' ').next().unwrap_or_default().to_owned();
        }
    };
    let base = field("Base FHIR");
    let token_url = field("Jeton OAuth2");
    let client_id = field("client_id");
    let secret = field("client_secret");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut consumer = Consumer::connect(&base, &token_url, (&client_id, &secret), mistakes);
        consumer.get("/HealthcareService?_count=1").await;
        consumer.get("/Organization?_count=1").await;
    });
    // Drain the live lines so that the process never blocks on a full pipe.
    for _ in lines {}
    let status = child.wait().expect("rorcheck ends");
    let json = std::fs::read_to_string(dir.path().join("report.json")).expect("report.json");
    assert!(dir.path().join("report.html").exists());
    assert!(dir.path().join("junit.xml").exists());
    (status, serde_json::from_str(&json).expect("JSON"))
}

#[test]
fn the_observe_command_prints_what_to_connect_to_and_judges_the_session() {
    let (status, report) = observe_binary(Mistakes::default());
    assert!(status.success(), "{status}");
    let outcome_of = |id: &str| {
        report["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["id"] == id)
            .map(|s| s["status"].clone())
    };
    assert_eq!(outcome_of("AUTH-008"), Some(Value::from("passed")));
    assert_eq!(report["summary"]["failed"], 0);

    let (status, report) = observe_binary(Mistakes {
        omit_header: Some("Ror-Profil-Utilisateur-Code"),
        ..Mistakes::default()
    });
    assert_eq!(status.code(), Some(1), "a failed session exits with 1");
    // One missing header: one finding, on the header discipline.
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["behaviours_failed"], 1);
}

#[tokio::test]
async fn the_right_search_on_other_data_is_not_exercised_rather_than_failed() {
    let observer = observer(TlsMode::Off).await;
    let mut consumer = Consumer::new(&observer, Mistakes::default());
    consumer
        .get("/HealthcareService?name:contains=urgences")
        .await;
    // The same criterion with a wrong comparator is a mistake, not other data.
    consumer.get("/Location?_lastUpdated=2025-06-01").await;
    let report = observer.report(&catalogue());
    assert_eq!(outcome(&report, "RCH-023"), Status::NotExercised);
    assert!(
        problems(&report, "RCH-023").contains("même recherche sur d'autres valeurs"),
        "{}",
        problems(&report, "RCH-023")
    );
    assert_eq!(
        outcome(&report, "MAJ-003"),
        Status::Failed,
        "{:?}",
        report.scenario("MAJ-003")
    );
}

/// `rorcheck observe [ARGS] -- COMMAND`: the binary, its exit code and report.json.
fn observe_command(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rorcheck"))
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

fn outcome_in(report: &Value, id: &str) -> Value {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["id"] == id)
        .map(|s| s["status"].clone())
        .unwrap_or(Value::Null)
}

fn behaviour_in(report: &Value, id: &str) -> Value {
    report["behaviours"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["id"] == id)
        .map(|b| b["status"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn a_shell_consumer_driven_only_by_its_environment_is_observed_in_ci() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) =
        observe_command(&["--", "sh", "docs/examples/consumer.sh", &state], &[]);
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(report["command"]["runs"][0]["exit_code"], 0, "{console}");
    for id in ["EXT-001", "MAJ-001"] {
        assert_eq!(outcome_in(&report, id), "passed", "{id}: {console}");
    }
    assert_eq!(report["summary"]["failed"], 0);
    // The header values are printed, for an application configured by hand.
    assert!(
        console.contains("Ror-Role-Metier-Code: AUTOMATE"),
        "{console}"
    );
}

#[test]
fn a_failing_application_is_reported_distinctly() {
    let (code, report, console) = observe_command(&["--", "sh", "-c", "exit 3"], &[]);
    assert_eq!(code, Some(4), "{console}");
    assert_eq!(report["command"]["runs"][0]["exit_code"], 3);
    assert!(
        console.contains("la commande de l'application a échoué : code de sortie 3"),
        "{console}"
    );
    let (code, report, _) = observe_command(&["--", "/nonexistent/application"], &[]);
    assert_eq!(code, Some(4));
    assert!(
        report["command"]["runs"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("ne démarre pas")
    );
}

#[test]
fn the_story_runs_the_application_once_a_day() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) = observe_command(
        &[
            "--story",
            "--per-day",
            "--",
            "sh",
            "docs/examples/consumer.sh",
            &state,
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{console}");
    let runs = report["command"]["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 5, "J0 to J4");
    assert_eq!(runs[4]["day"], 4);
    assert_eq!(behaviour_in(&report, "COMP-09"), "passed", "{console}");
}

#[test]
fn under_mtls_the_application_gets_its_certificate_paths() {
    let state = tempfile::tempdir().expect("state");
    let state = state.path().display().to_string();
    let (code, report, console) = observe_command(
        &["--mtls", "--", "sh", "docs/examples/consumer.sh", &state],
        &[],
    );
    assert_eq!(code, Some(0), "{console}");
    assert_eq!(behaviour_in(&report, "COMP-05"), "passed");
    assert_eq!(report["profile"], 1);
}

#[test]
fn an_env_file_and_a_fixed_secret_serve_an_application_started_separately() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let env_file = dir.path().join("ror.env");
    let clients = dir.path().join("clients.toml");
    std::fs::write(
        &clients,
        "[[client]]\nclient_id = \"editeur-ci\"\naccess_profile = 0\nsecret = \"secret-ci-editeur\"\n",
    )
    .expect("clients");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rorcheck"))
        .args([
            "observe",
            "--addr",
            "127.0.0.1:0",
            "--duration",
            "8s",
            "--env-file",
        ])
        .arg(&env_file)
        .arg("--clients")
        .arg(&clients)
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .env("RORCHECK_DEMO_SECRET", "secret-fixe-de-demo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rorcheck starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The banner is printed once the settings are written.
    for line in lines.by_ref() {
        if line.expect("UTF-8").starts_with("Enregistrement") {
            break;
        }
    }
    let settings: Vec<(String, String)> = std::fs::read_to_string(&env_file)
        .expect("env file")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect();
    let get = |name: &str| {
        settings
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("ROR_CLIENT_SECRET"), "secret-fixe-de-demo");
    assert!(get("ROR_FHIR_BASE_URL").starts_with("http://127.0.0.1:"));
    let state = dir.path().join("state");
    let status = std::process::Command::new("sh")
        .arg("docs/examples/consumer.sh")
        .arg(&state)
        .envs(settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("consumer runs");
    assert!(status.success());
    // The client of the clients file gets a token too.
    let token = std::process::Command::new("curl")
        .args(["-sSf", "-X", "POST", &get("ROR_TOKEN_URL")])
        .args(["-d", "grant_type=client_credentials"])
        .args([
            "-d",
            "client_id=editeur-ci",
            "-d",
            "client_secret=secret-ci-editeur",
        ])
        .output()
        .expect("curl");
    assert!(token.status.success(), "{token:?}");
    for _ in lines {}
    let status = child.wait().expect("rorcheck ends");
    assert_eq!(status.code(), Some(0));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/report.json")).expect("report"),
    )
    .expect("JSON");
    assert_eq!(outcome_in(&report, "MAJ-001"), "passed");
    let html = std::fs::read_to_string(dir.path().join("reports/report.html")).expect("html");
    assert!(!html.contains("secret-fixe-de-demo") && !html.contains("secret-ci-editeur"));
}

#[tokio::test]
async fn run_and_observe_reports_speak_one_vocabulary() {
    // An observation, through the library.
    let observe: Value = {
        let report = session(Mistakes::default()).await;
        let dir = tempfile::tempdir().expect("dir");
        let written = rorcheck::report::write_all(
            rorcheck::report::Document::Observation(&report),
            dir.path(),
        )
        .expect("written");
        serde_json::from_str(&std::fs::read_to_string(written.json).expect("json")).expect("JSON")
    };
    // A run, through the binary.
    let dir = tempfile::tempdir().expect("dir");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_rorcheck"))
        .args(["run", "--report-dir"])
        .arg(dir.path())
        .args(["scenarios/auth", "scenarios/mise-a-jour/MAJ-001.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(status.status.success(), "{status:?}");
    let run: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("json"),
    )
    .expect("JSON");
    assert_eq!(run["mode"], "run");
    assert_eq!(observe["mode"], "observe");
    for report in [&run, &observe] {
        assert_eq!(report["tool"]["name"], "rorcheck");
        assert!(report["tool"]["version"].is_string());
        for key in [
            "total",
            "passed",
            "failed",
            "not_applicable",
            "score",
            "verdict",
        ] {
            assert!(
                !report["summary"][key].is_null(),
                "{} lacks summary.{key}",
                report["mode"]
            );
        }
        let first = &report["scenarios"][0];
        for key in [
            "id",
            "title",
            "status",
            "priority",
            "priority_label",
            "modality",
        ] {
            assert!(
                !first[key].is_null(),
                "{} lacks scenarios[].{key}",
                report["mode"]
            );
        }
    }
    // Out of scope and another profile are the same notion: not applicable.
    assert!(
        observe["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["status"] == "not_applicable")
    );
    // JUnit properties: the priority as a number, the PLATINES criticality by name.
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    assert!(junit.contains(r#"name="priority" value="1""#), "{junit}");
    assert!(junit.contains(r#"name="criticite" value="CRITIQUE""#));
    let report = session(Mistakes::default()).await;
    let ojunit = rorcheck::report::junit::observation(&report).expect("junit");
    assert!(ojunit.contains(r#"name="priority" value="1""#), "{ojunit}");
    assert!(ojunit.contains(r#"name="criticite" value="CRITIQUE""#));
}

/// The files of a zip, by name.
fn unzip(path: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().expect("name").into_owned(), bytes)
        })
        .collect()
}

fn assert_dossier(files: &std::collections::BTreeMap<String, Vec<u8>>, mode: &str, secret: &str) {
    use sha2::Digest;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "junit.xml",
            "manifest.json",
            "report.html",
            "report.json",
            "session.har"
        ]
    );
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    assert_eq!(manifest["mode"], mode);
    assert!(
        manifest["scenario_set_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
    );
    assert!(manifest["started_at"].is_string() && manifest["finished_at"].is_string());
    for f in manifest["files"].as_array().expect("files") {
        let name = f["name"].as_str().expect("name");
        let digest: String = sha2::Sha256::digest(&files[name])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"], digest, "{name}");
    }
    let har: Value = serde_json::from_slice(&files["session.har"]).expect("HAR");
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    for e in entries {
        assert!(e["startedDateTime"].is_string() && e["request"]["url"].is_string());
        assert!(e["response"]["status"].is_u64());
    }
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(secret), "{mode}: secret in {name}");
        assert!(!text.contains("eyJ"), "a token in {name}");
    }
}

#[test]
fn the_readiness_dossier_holds_the_reports_the_exchanges_and_their_digests() {
    // observe: session.har beside the reports, and the dossier.
    let dir = tempfile::tempdir().expect("dir");
    let zip = dir.path().join("dossier-observe.zip");
    let state = dir.path().join("state");
    let secret = "secret-de-demo-pour-le-dossier";
    let (code, _, console) = observe_command(
        &[
            "--evidence",
            zip.to_str().expect("utf8"),
            "--",
            "sh",
            "docs/examples/consumer.sh",
            state.to_str().expect("utf8"),
        ],
        &[("RORCHECK_DEMO_SECRET", secret)],
    );
    assert_eq!(code, Some(0), "{console}");
    assert_dossier(&unzip(&zip), "observe", secret);

    // run: the same dossier from the binary.
    let zip = dir.path().join("dossier-run.zip");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rorcheck"))
        .args(["run", "--report-dir"])
        .arg(dir.path().join("run"))
        .arg("--evidence")
        .arg(&zip)
        .args(["scenarios/auth", "scenarios/extraction/EXT-001.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let files = unzip(&zip);
    assert_dossier(&files, "run", "eyJhbGciOi");
    // The secret of the embedded client is random: every place it went shows the mask.
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for after in text.split("client_secret=").skip(1) {
            assert!(
                after.starts_with("«masqué»"),
                "{name}: client_secret={}",
                &after[..after.len().min(20)]
            );
        }
    }
    let har: Value = serde_json::from_slice(&files["session.har"]).expect("HAR");
    let comments: Vec<&str> = har["log"]["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["comment"].as_str())
        .collect();
    assert!(
        comments
            .iter()
            .any(|c| c.starts_with("EXT-001") && c.contains("fichier")),
        "{comments:?}"
    );
}
