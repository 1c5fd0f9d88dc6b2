//! The day-by-day story, token renewal, and mutual TLS credited.

use super::*;

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
