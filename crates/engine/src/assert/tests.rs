use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

use super::*;
use rorcheck_scenario::Assertion;

/// Parses one assertion as a scenario author would write it.
fn check(yaml: &str) -> Check {
    let a: Assertion = serde_saphyr::from_str(yaml).expect("valid assertion");
    a.check
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_static(v));
    }
    h
}

async fn judge(yaml: &str, status: u16, h: &HeaderMap, body: &str) -> Verdict {
    let fp = FhirPath::new().await.expect("engine");
    let view = ResponseView::new(status, h, body.as_bytes());
    evaluate(&check(yaml), &view, &fp).await
}

fn searchset() -> String {
    json!({
        "resourceType": "Bundle", "type": "searchset", "total": 2,
        "link": [{"relation": "self", "url": "http://h/HealthcareService"}],
        "entry": [
            {"fullUrl": "http://h/HealthcareService/1", "search": {"mode": "match"},
             "resource": {"resourceType": "HealthcareService", "id": "1"}},
            {"fullUrl": "http://h/HealthcareService/2", "search": {"mode": "match"},
             "resource": {"resourceType": "HealthcareService", "id": "2"}},
            {"fullUrl": "http://h/Organization/o", "search": {"mode": "include"},
             "resource": {"resourceType": "Organization", "id": "o"}}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn status_exact_set_and_class() {
    let h = HeaderMap::new();
    assert_eq!(
        judge("status: 200", 200, &h, "").await.outcome,
        Status::Passed
    );
    assert_eq!(
        judge("status: 200", 201, &h, "").await.outcome,
        Status::Failed
    );
    assert_eq!(
        judge("status: [200, 201]", 201, &h, "").await.outcome,
        Status::Passed
    );
    assert_eq!(
        judge("status: 4xx", 403, &h, "").await.outcome,
        Status::Passed
    );
    let v = judge("status: 4xx", 500, &h, "").await;
    assert_eq!(v.outcome, Status::Failed);
    assert_eq!(
        (v.expected.as_str(), v.actual.as_str()),
        ("statut HTTP 4xx", "statut HTTP 500")
    );
}

#[tokio::test]
async fn headers_are_case_insensitive_and_each_rule_can_fail() {
    let h = headers(&[("www-authenticate", "Bearer realm=\"ror\""), ("x-a", "1")]);
    let pass = |y: &'static str| {
        let h = h.clone();
        async move { judge(y, 401, &h, "").await.outcome }
    };
    assert_eq!(
        pass("header: { name: WWW-Authenticate }").await,
        Status::Passed
    );
    assert_eq!(pass("header: { name: X-B }").await, Status::Failed);
    assert_eq!(
        pass("header: { name: X-B, present: false }").await,
        Status::Passed
    );
    assert_eq!(
        pass("header: { name: X-A, present: false }").await,
        Status::Failed
    );
    assert_eq!(
        pass("header: { name: x-a, equals: \"1\" }").await,
        Status::Passed
    );
    assert_eq!(
        pass("header: { name: x-a, equals: \"2\" }").await,
        Status::Failed
    );
    assert_eq!(
        pass("header: { name: www-authenticate, contains: Bearer }").await,
        Status::Passed
    );
    assert_eq!(
        pass("header: { name: www-authenticate, contains: Basic }").await,
        Status::Failed
    );
    assert_eq!(
        pass("header: { name: www-authenticate, matches: \"^Bearer\" }").await,
        Status::Passed
    );
    assert_eq!(
        pass("header: { name: www-authenticate, matches: \"^Basic\" }").await,
        Status::Failed
    );
}

#[tokio::test]
async fn content_type_ignores_parameters_and_case() {
    let h = headers(&[("content-type", "Application/FHIR+json; charset=UTF-8")]);
    assert_eq!(
        judge("content_type: application/fhir+json", 200, &h, "")
            .await
            .outcome,
        Status::Passed
    );
    let v = judge("content_type: application/json", 200, &h, "").await;
    assert_eq!(v.outcome, Status::Failed);
    let none = HeaderMap::new();
    let v = judge("content_type: application/fhir+json", 200, &none, "").await;
    assert_eq!(
        (v.outcome, v.actual.as_str()),
        (Status::Failed, "Content-Type absent")
    );
}

#[tokio::test]
async fn fhirpath_boolean_equals_count_exists() {
    let h = HeaderMap::new();
    let b = searchset();
    let run = |y: &'static str| {
        let (h, b) = (h.clone(), b.clone());
        async move { judge(y, 200, &h, &b).await.outcome }
    };
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.total = 2\" }").await,
        Status::Passed
    );
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.total = 3\" }").await,
        Status::Failed
    );
    assert_eq!(run("fhirpath: { expr: \"Bundle.entry.resource.ofType(HealthcareService).id\", equals: [\"1\", \"2\"] }").await, Status::Passed);
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.entry.resource.ofType(Organization).id\", equals: o }")
            .await,
        Status::Passed
    );
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.total\", equals: 2 }").await,
        Status::Passed
    );
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.total\", equals: 3 }").await,
        Status::Failed
    );
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.entry.resource.ofType(HealthcareService)\", count: 2 }")
            .await,
        Status::Passed
    );
    assert_eq!(run("fhirpath: { expr: \"Bundle.entry.resource.ofType(HealthcareService)\", count: \"> 2\" }").await, Status::Failed);
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.entry.resource.ofType(Location)\", exists: false }").await,
        Status::Passed
    );
    assert_eq!(
        run("fhirpath: { expr: \"Bundle.entry.resource.ofType(Location)\", exists: true }").await,
        Status::Failed
    );
}

#[tokio::test]
async fn invalid_json_is_an_error_but_an_empty_body_is_a_failure() {
    let h = HeaderMap::new();
    let v = judge(
        "fhirpath: { expr: \"Bundle.total = 2\" }",
        200,
        &h,
        "<html>oops",
    )
    .await;
    assert_eq!(v.outcome, Status::Errored);
    assert!(v.actual.contains("pas du JSON valide"), "{}", v.actual);
    let v = judge("bundle: { type: searchset }", 200, &h, "{not json").await;
    assert_eq!(v.outcome, Status::Errored);
    let v = judge("bundle: { type: searchset }", 200, &h, "").await;
    assert_eq!(v.outcome, Status::Failed);
    let v = judge("fhirpath: { expr: \"Bundle.total = 2\" }", 200, &h, "").await;
    assert_eq!(v.outcome, Status::Failed);
}

#[tokio::test]
async fn bundle_shortcuts_each_detect_their_violation() {
    let h = HeaderMap::new();
    let b = searchset();
    let run = |y: &'static str| {
        let (h, b) = (h.clone(), b.clone());
        async move { judge(y, 200, &h, &b).await }
    };
    let v = run("bundle: { type: searchset, total: 2, entries: 3, match: 2, include: 1, resources: { Organization: 1, HealthcareService: \">= 2\" }, links: [self], no_links: [next] }").await;
    assert_eq!(v.outcome, Status::Passed, "{v:?}");
    for broken in [
        "bundle: { type: batch }",
        "bundle: { total: 3 }",
        "bundle: { entries: 2 }",
        "bundle: { match: 3 }",
        "bundle: { include: 0 }",
        "bundle: { resources: { Location: \">= 1\" } }",
        "bundle: { links: [next] }",
        "bundle: { no_links: [self] }",
    ] {
        assert_eq!(
            run(broken).await.outcome,
            Status::Failed,
            "{broken} must fail"
        );
    }
    let no_total = json!({"resourceType": "Bundle", "type": "searchset"}).to_string();
    let v = judge("bundle: { total: \">= 0\" }", 200, &h, &no_total).await;
    assert_eq!(
        (v.outcome, v.actual.as_str()),
        (Status::Failed, "total absent")
    );
    let oo = json!({"resourceType": "OperationOutcome"}).to_string();
    let v = judge("bundle: { type: searchset }", 200, &h, &oo).await;
    assert_eq!(v.outcome, Status::Failed);
    assert!(v.actual.contains("resourceType OperationOutcome"));
}

#[tokio::test]
async fn operation_outcome_needs_a_matching_issue() {
    let h = HeaderMap::new();
    let oo = json!({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "invalid", "diagnostics": "Unknown search parameter"}
    ]})
    .to_string();
    let run = |y: &'static str| {
        let (h, oo) = (h.clone(), oo.clone());
        async move { judge(y, 400, &h, &oo).await }
    };
    assert_eq!(
        run("operation_outcome: { severity: error, code: invalid }")
            .await
            .outcome,
        Status::Passed
    );
    assert_eq!(run("operation_outcome: {}").await.outcome, Status::Passed);
    let v = run("operation_outcome: { code: security }").await;
    assert_eq!(v.outcome, Status::Failed);
    assert!(v.actual.contains("Unknown search parameter"));
    let bundle = searchset();
    let v = judge("operation_outcome: {}", 400, &h, &bundle).await;
    assert_eq!(v.outcome, Status::Failed);
}

#[tokio::test]
async fn a_failed_fhirpath_is_explained_by_its_sub_expressions_and_the_failing_items() {
    let fp = FhirPath::new().await.expect("engine");
    let h = HeaderMap::new();
    let body = searchset();
    let view = ResponseView::new(200, &h, body.as_bytes());
    let c =
        check("fhirpath: { expr: \"entry.where(search.mode = 'match').resource.all(id = '1')\" }");
    assert_eq!(evaluate(&c, &view, &fp).await.outcome, Status::Failed);
    let lines = explain(&c, &view, &fp).await;
    assert_eq!(
        lines,
        [
            "entry → 3 élément(s) : entrée HealthcareService/1, entrée HealthcareService/2, entrée Organization/o",
            "entry.where(search.mode = 'match') → 2 élément(s) : entrée HealthcareService/1, entrée HealthcareService/2",
            "entry.where(search.mode = 'match').resource → 2 élément(s) : HealthcareService/1, HealthcareService/2",
            "entry.where(search.mode = 'match').resource.where((id = '1').not()) → 1 élément(s) : HealthcareService/2",
        ]
    );
    // Other checks have nothing to explain.
    assert!(explain(&check("status: 404"), &view, &fp).await.is_empty());
}

/// The `bundle` check on a body nothing parsed (read narrowly when it can be) and on the
/// same body parsed first (read from the tree): the same verdict, word for word.
#[test]
fn a_bundle_read_narrowly_is_judged_as_the_parsed_bundle() {
    let page = crate::outline::fixture_page(12, 4);
    let bodies = [
        page.as_str(),
        &searchset(),
        r#"{"resourceType":"Bundle"}"#,
        r#"{"resourceType":"Bundle","type":7,"total":-3,"link":{"relation":"next"},"entry":{"not":"an array"}}"#,
        r#"{"resourceType":"Bundle","total":2.5,"link":[1,{"relation":2},{"relation":"next"}],"entry":[{"resource":null,"search":"match"},{"resource":[1],"search":{"mode":3}},{"search":{"mode":"match"}},{"resource":{"resourceType":["x"],"id":1}}]}"#,
        r#"{"resourceType":"Bundle","type":"searchset","type":"batch"}"#,
        r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"A","resourceType":"Organization"},"search":{"mode":"include"}}]}"#,
        r#"{"resourceType":"Bundle","entry":[1,{"search":{"mode":"match"}}]}"#,
        r#"{"resourceType":"OperationOutcome","entry":[]}"#,
        r#"{"resourceType":7}"#,
        r#"[{"resourceType":"Bundle"}]"#,
        "{not json",
        "  ",
    ];
    let specs = [
        "bundle: { type: searchset, total: \"> 1000\", entries: 12, match: 9, include: 3, resources: { HealthcareService: 12, Organization: 1 }, links: [self, next], no_links: [previous] }",
        "bundle: { type: batch, total: 2, match: 1, include: 1, links: [next] }",
        "bundle: { entries: 0, no_links: [next] }",
    ];
    let h = HeaderMap::new();
    let mut narrow = 0;
    for body in bodies {
        for spec in specs {
            let Check::Bundle(spec) = check(spec) else {
                panic!("a bundle check");
            };
            let fresh = ResponseView::new(200, &h, body.as_bytes());
            if fresh
                .outline()
                .is_some_and(|o| o.resource_type.as_str() == Some("Bundle"))
            {
                narrow += 1;
            }
            let read = body::bundle(&spec, &fresh);
            let parsed = ResponseView::new(200, &h, body.as_bytes());
            let _ = parsed.json();
            assert!(
                parsed.outline().is_none(),
                "a parsed body is not read again"
            );
            assert_eq!(read, body::bundle(&spec, &parsed), "{body}");
        }
    }
    // The page, the small ones and the odd shapes are read narrowly; duplicate keys,
    // entries that are not objects and what is not a Bundle object, the full way.
    assert_eq!(narrow, 3 * 6, "bodies read narrowly");
}
