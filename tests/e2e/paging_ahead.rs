//! A large page's `next` link is asked for while the page is read: against a wiremock
//! server on loopback, the chain is what the pages say, and a page asked for ahead that the
//! page read does not confirm is not followed, yet is in the evidence and the count.

use std::time::Duration;

use rorcheck::run::{RunReport, ScenarioResult, Status};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

/// A searchset page as text, large enough to be read beside the next request: `links`
/// (members written before the entries, as servers write them), `n` entries from `first`,
/// then `end` (the closing brace, or garbage).
fn large_page(links: &str, first: usize, n: usize, end: &str) -> String {
    let entries: Vec<String> = (first..first + n)
        .map(|i| {
            json!({
                "resource": { "resourceType": "HealthcareService", "id": format!("hs-{i}"),
                              "comment": "x".repeat(600) },
                "search": { "mode": "match" }
            })
            .to_string()
        })
        .collect();
    format!(
        r#"{{"resourceType":"Bundle","type":"searchset","total":300,{links},"entry":[{}]{end}"#,
        entries.join(",")
    )
}

fn next(url: &str) -> String {
    format!(r#""link":[{{"relation":"next","url":"{url}"}}]"#)
}

async fn serve(server: &wiremock::MockServer, at: &str, body: String) {
    Mock::given(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/fhir+json"))
        .mount(server)
        .await;
}

/// Runs one scenario following the pages from `/fhir/{case}/p1`.
async fn follow(server: &wiremock::MockServer, case: &str) -> RunReport {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("AHEAD.yaml"),
        format!(
            "id: AHD-001\ntitle: t\ndescription: d\npriority: 3\nmodality: recherche\nsteps:\n  - name: pages\n    request:\n      path: /{case}/p1\n    follow_next: {{ max_pages: 10 }}\n    expect:\n      - status: 200\n      - pages: {{ page_size: 100 }}\n"
        ),
    )
    .expect("scenario");
    let set = rorcheck::scenario::load(&[dir.path().to_path_buf()]).expect("valid");
    let base = format!("{}/fhir", server.uri());
    let mut target = rorcheck::config::Target::new("pages", &base).expect("target");
    target.timeout = Duration::from_secs(5);
    rorcheck_embedded::runner(target)
        .await
        .expect("engine")
        .run(&set, 1, |_| {})
        .await
}

fn only(report: &RunReport) -> &ScenarioResult {
    &report.scenarios[0]
}

fn labels(s: &ScenarioResult) -> Vec<String> {
    s.steps[0]
        .follow_ups
        .iter()
        .map(|f| f.label.clone())
        .collect()
}

fn pages_verdict(s: &ScenarioResult) -> String {
    s.steps[0]
        .assertions
        .iter()
        .find(|a| a.kind == "pages")
        .map(|a| a.actual.clone())
        .unwrap_or_default()
}

/// How many requests the server received for `at`.
async fn asked(server: &wiremock::MockServer, at: &str) -> usize {
    let received = server.received_requests().await.unwrap_or_default();
    received.iter().filter(|r| r.url.path() == at).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_pages_are_followed_as_their_links_say_each_asked_once() {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/fhir/ok", server.uri());
    serve(
        &server,
        "/fhir/ok/p1",
        large_page(&next(&format!("{base}/p2")), 0, 100, "}"),
    )
    .await;
    serve(
        &server,
        "/fhir/ok/p2",
        large_page(&next(&format!("{base}/p3")), 100, 100, "}"),
    )
    .await;
    serve(
        &server,
        "/fhir/ok/p3",
        large_page(r#""link":[]"#, 200, 100, "}"),
    )
    .await;
    let report = follow(&server, "ok").await;
    let s = only(&report);
    assert_eq!(s.status, Status::Passed, "{}", pages_verdict(s));
    assert!(
        pages_verdict(s).starts_with("3 page(s)"),
        "{}",
        pages_verdict(s)
    );
    assert_eq!(labels(s), ["page 2", "page 3"]);
    assert_eq!(s.steps[0].attempts, 3);
    for page in ["p1", "p2", "p3"] {
        assert_eq!(
            asked(&server, &format!("/fhir/ok/{page}")).await,
            1,
            "{page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_asked_ahead_of_an_unreadable_one_is_not_followed_but_is_evidence() {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/fhir/cut", server.uri());
    serve(
        &server,
        "/fhir/cut/p1",
        large_page(&next(&format!("{base}/p2")), 0, 100, "}"),
    )
    .await;
    // Its links are readable, its entries end in garbage.
    serve(
        &server,
        "/fhir/cut/p2",
        large_page(&next(&format!("{base}/p3")), 100, 100, ",<html>"),
    )
    .await;
    serve(
        &server,
        "/fhir/cut/p3",
        large_page(r#""link":[]"#, 200, 100, "}"),
    )
    .await;
    let report = follow(&server, "cut").await;
    let s = only(&report);
    assert_eq!(s.status, Status::Failed);
    let verdict = pages_verdict(s);
    assert!(
        verdict.contains("pagination interrompue à la page 2 : corps illisible"),
        "{verdict}"
    );
    let labels = labels(s);
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert_eq!(labels[0], "page 2");
    assert!(
        labels[1]
            .starts_with("page 3 (demandée pendant la lecture de la page précédente, non suivie"),
        "{labels:?}"
    );
    // Every request sent is counted: the first page, the second, the third asked ahead.
    assert_eq!(s.steps[0].attempts, 3);
    assert_eq!(asked(&server, "/fhir/cut/p3").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_seen_early_that_the_page_does_not_confirm_is_not_followed() {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/fhir/twice", server.uri());
    // Two `link` members: read whole, the page keeps the last one (as `serde_json` does);
    // the early look stops at the first.
    let links = format!(
        "{},{}",
        next(&format!("{base}/decoy")),
        next(&format!("{base}/p2"))
    );
    serve(&server, "/fhir/twice/p1", large_page(&links, 0, 100, "}")).await;
    serve(
        &server,
        "/fhir/twice/decoy",
        large_page(r#""link":[]"#, 500, 100, "}"),
    )
    .await;
    serve(
        &server,
        "/fhir/twice/p2",
        large_page(r#""link":[]"#, 100, 100, "}"),
    )
    .await;
    let report = follow(&server, "twice").await;
    let s = only(&report);
    let labels = labels(s);
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert_eq!(labels[0], "page 2");
    assert!(
        labels[1].starts_with("page 2 (demandée pendant la lecture"),
        "{labels:?}"
    );
    let decoy = &s.steps[0].follow_ups[1].exchange.request.url;
    assert!(decoy.ends_with("/decoy"), "{decoy}");
    // The pages followed are the page's own: hs-0…199, not the decoy's hs-500….
    assert!(
        pages_verdict(s).starts_with("2 page(s)"),
        "{}",
        pages_verdict(s)
    );
    assert_eq!(s.steps[0].attempts, 3);
    assert_eq!(asked(&server, "/fhir/twice/p2").await, 1);
}
