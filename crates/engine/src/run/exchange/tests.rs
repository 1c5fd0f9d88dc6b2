//! Building requests and reading `Retry-After`.

use std::collections::BTreeMap;

use super::*;
use crate::config::Target;
use rorcheck_http::OutgoingRequest;
use rorcheck_scenario::Step;
use rorcheck_scenario::parse_scenario;

fn step(yaml_steps: &str) -> Step {
    let text = format!(
        "id: T-001\ntitle: t\ndescription: d\npriority: 1\nmodality: recherche\nvariables: {{ id: \"06/1\" }}\nsteps:\n{yaml_steps}"
    );
    let s = parse_scenario(std::path::Path::new("t.yaml"), &text).expect("valid");
    s.steps[0].value.clone()
}

fn target() -> Target {
    let mut t = Target::new("t", "http://h.test/fhir").expect("target");
    t.variables
        .insert("token_url".into(), "http://auth.test/token".into());
    t
}

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("id".to_owned(), "06/1".to_owned()),
        (
            "next".to_owned(),
            "http://h.test/fhir?_getpages=x".to_owned(),
        ),
    ])
}

fn header<'a>(req: &'a OutgoingRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn fhir_requests_get_defaults_repeated_query_keys_and_the_bearer() {
    let st = step(
        "  - name: s\n    request:\n      path: /HealthcareService\n      query:\n        - identifier: \"{{id}}\"\n        - _include: A:b\n        - _include: C:d\n      omit_headers: [Ror-Role-Metier-Code]\n    expect:\n      - status: 200\n",
    );
    let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
    assert_eq!(
        req.url.as_str(),
        "http://h.test/fhir/HealthcareService?identifier=06%2F1&_include=A%3Ab&_include=C%3Ad"
    );
    assert_eq!(header(&req, "authorization"), Some("Bearer tok"));
    assert_eq!(header(&req, "ror-profil-utilisateur-code"), Some("CU22"));
    assert_eq!(
        header(&req, "ror-role-metier-code"),
        None,
        "omitted on request"
    );
}

#[test]
fn other_urls_get_neither_default_headers_nor_credentials() {
    let st = step(
        "  - name: s\n    request:\n      method: POST\n      path: http://auth.test/token\n      body:\n        form:\n          - grant_type: client_credentials\n    expect:\n      - status: 200\n",
    );
    let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(header(&req, "ror-profil-utilisateur-code"), None);
    assert_eq!(
        header(&req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.body.as_deref(),
        Some(&b"grant_type=client_credentials"[..])
    );
    // An absolute URL under the base (a next link) is part of the FHIR API.
    let st = step(
        "  - name: s\n    request:\n      path: \"{{next}}\"\n    expect:\n      - status: 200\n",
    );
    let req = build_request(&st, &target(), &vars(), Some("tok")).expect("builds");
    assert_eq!(header(&req, "authorization"), Some("Bearer tok"));
}

#[test]
fn retry_after_is_read_in_both_forms() {
    use std::time::{Duration, SystemTime};
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 06 Nov 1994 08:49:37
    assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
    assert_eq!(
        retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
        Some(Duration::from_secs(3))
    );
    // The two obsolete forms recipients must accept too.
    assert_eq!(
        retry_after("Sunday, 06-Nov-94 08:49:42 GMT", now),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        retry_after("Sun Nov  6 08:49:39 1994", now),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
        Some(Duration::ZERO),
        "a past date means at once"
    );
    assert_eq!(retry_after("soon", now), None);
}

#[test]
fn foreign_absolute_urls_are_refused_and_lookalike_hosts_get_no_token() {
    let st = step(
        "  - name: s\n    request:\n      path: \"{{next}}\"\n    expect:\n      - status: 200\n",
    );
    let mut v = vars();
    v.insert("next".into(), "http://evil.test/fhir?_getpages=x".into());
    let err = build_request(&st, &target(), &v, Some("tok")).expect_err("foreign");
    assert!(matches!(err, BuildError::Foreign(_)), "{err}");
    // A host that merely starts like the target's is another origin.
    v.insert("next".into(), "http://h.test.evil/fhir?_getpages=x".into());
    assert!(build_request(&st, &target(), &v, Some("tok")).is_err());
    // The same origin outside the base path: sent, without the token or Ror headers.
    v.insert("next".into(), "http://h.test/fhirevil/x".into());
    let req = build_request(&st, &target(), &v, Some("tok")).expect("same origin");
    assert_eq!(header(&req, "authorization"), None);
}

#[test]
fn auth_none_and_explicit_bearer_override_the_target() {
    let st = step(
        "  - name: s\n    request:\n      path: /x\n      auth: none\n    expect:\n      - status: 401\n",
    );
    assert_eq!(
        header(
            &build_request(&st, &target(), &vars(), Some("tok")).expect("builds"),
            "authorization"
        ),
        None
    );
    let st = step(
        "  - name: s\n    request:\n      path: /x\n      auth: { bearer: \"{{id}}x\" }\n    expect:\n      - status: 401\n",
    );
    assert_eq!(
        header(
            &build_request(&st, &target(), &vars(), Some("tok")).expect("builds"),
            "authorization"
        ),
        Some("Bearer 06/1x")
    );
}
