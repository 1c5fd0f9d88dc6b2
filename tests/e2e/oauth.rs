//! The harness as an OAuth2 client of the mock: one token reused across scenarios, a new one
//! shortly before expiry, and a refused secret turned into errored scenarios with a reason.

use std::sync::Arc;
use std::time::Duration;

use rorcheck::config::TargetAuth;
use rorcheck::http::oauth::TokenSource;
use rorcheck::mock::{MockOptions, MockServer};
use rorcheck::run::{Runner, Status};
use rorcheck::scenario::select::Selection;
use rorcheck_embedded::secret_target as mock_target;

fn token_posts(mock: &MockServer) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/openid-connect/token"))
        .count()
}

async fn runner(target: rorcheck::config::Target) -> Runner {
    rorcheck_embedded::runner(target).await.expect("engine")
}

fn fhir_only_set() -> rorcheck::scenario::ScenarioSet {
    let mut set = rorcheck::scenario::load(&["scenarios".into()]).expect("catalogue");
    let pick = Selection {
        ids: ["MAJ-*", "RCH-010", "ERR-*"]
            .iter()
            .map(|g| glob::Pattern::new(g).expect("glob"))
            .collect(),
        ..Selection::default()
    };
    set.scenarios = pick.apply(set.scenarios);
    assert!(set.scenarios.len() >= 4);
    set
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_serves_concurrent_scenarios_and_is_renewed_before_expiry() {
    let mock = MockServer::start(MockOptions {
        token_lifetime_secs: 2,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let runner = runner(mock_target(&mock).expect("target")).await;
    let set = fhir_only_set();
    let report = runner.run(&set, 8, |_| {}).await;
    assert!(
        report.all_passed(),
        "{:?}",
        report
            .scenarios
            .iter()
            .map(|s| (&s.id, &s.reason))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        token_posts(&mock),
        1,
        "one token for every scenario of the run"
    );
    // Renewal happens at three quarters of this 2 s lifetime.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let report = runner.run(&set, 8, |_| {}).await;
    assert!(report.all_passed());
    assert_eq!(
        token_posts(&mock),
        2,
        "a new token before the first one expires"
    );
}

#[tokio::test]
async fn a_refused_secret_errors_the_scenarios_without_leaking_it() {
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    let mut target = mock_target(&mock).expect("target");
    let secret = "ce-secret-est-faux-0123";
    target.auth = TargetAuth::ClientCredentials(Arc::new(TokenSource::new(
        url::Url::parse(&mock.token_url).expect("url"),
        mock.demo_client().client_id.clone(),
        Some(secret.to_owned()),
        reqwest::Client::new(),
    )));
    let runner = runner(target).await;
    let report = runner.run(&fhir_only_set(), 4, |_| {}).await;
    // The first ones error with the refusal; then the run stops instead of repeating it.
    let errored: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Errored)
        .collect();
    assert!(errored.len() >= 3, "{}", errored.len());
    for s in &report.scenarios {
        let reason = s.reason.as_deref().unwrap_or_default();
        match s.status {
            Status::Errored => assert!(
                reason.contains("HTTP 401") && reason.contains("invalid_client"),
                "{reason}"
            ),
            Status::Skipped => assert!(
                reason.contains("identifiants refusés") && reason.contains("rorcheck doctor"),
                "{reason}"
            ),
            other => panic!("{}: {other:?}", s.id),
        }
    }
    assert_eq!(report.verdict(), rorcheck::run::result::Verdict::Incomplet);
    let json = rorcheck::report::json::render(&report).expect("json");
    let html = rorcheck::report::html::render(&report).expect("html");
    assert!(!json.contains(secret) && !html.contains(secret));
}
