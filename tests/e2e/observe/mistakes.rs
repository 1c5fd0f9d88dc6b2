//! The consumer's documented mistakes, each called out once, and what one request evidences.

use super::*;

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
