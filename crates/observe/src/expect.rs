//! What a consumer is expected to send for each scenario, derived from its steps.
//!
//! A scenario is observable when every step is something a well-behaved consumer does: it
//! authenticates the usual way, sends the four `Ror-*` headers and expects a success. A
//! scenario that deliberately sends a bad request (no token, a missing header, no
//! certificate) or expects a refusal tests the *server*: a consumer is never expected to
//! do that, so observer mode lists it as out of scope rather than "not exercised".
//!
//! Values written in a scenario are the case's data; `{{variables}}` are the vendor's to
//! choose (its own dates, identifiers, regions) and match any value.

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

use ror::TOKEN_PATH;
use rorcheck_scenario::template::{self, Piece};
use rorcheck_scenario::{
    AuthMode, Body, Check, ClientCertificate, ConsumerBehaviour, Flow, ObservedRequest, Scenario,
    StatusSpec, Step,
};

use super::canonical::Expected;

/// One request a scenario expects from the consumer.
#[derive(Debug, Clone)]
pub struct ExpectedStep {
    /// The step's name in the scenario.
    pub name: String,
    /// Its line in the scenario file.
    pub line: u64,
    /// The request, in canonical form.
    pub request: Expected,
    /// The consumer must follow every `next` link of this search.
    pub follow_next: bool,
    /// The consumer must run this `$export` to the end: poll, then download every file.
    pub export: bool,
    /// A request to the token endpoint.
    pub token: bool,
}

/// A scenario as observer mode sees it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The requests, in order.
    pub steps: Vec<ExpectedStep>,
    /// Behaviour checks the scenario also requires (its `observe.requires`).
    pub requires: Vec<ConsumerBehaviour>,
}

/// Why a scenario is not judged in observer mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutOfScope(pub String);

/// The expectations of `scenario` for a consumer of access profile `profile`.
pub fn plan(scenario: &Scenario, profile: u8, base_path: &str) -> Result<Plan, OutOfScope> {
    let allowed = scenario
        .access_profiles
        .iter()
        .any(|p| p.number() == profile);
    if !scenario.access_profiles.is_empty() && !allowed {
        let list: Vec<String> = scenario
            .access_profiles
            .iter()
            .map(|p| p.number().to_string())
            .collect();
        return Err(OutOfScope(t!(
            Lang::current(),
            "o-profiles",
            list = list.join(", "),
            profile = profile
        )));
    }
    let declared = scenario.observe.as_ref();
    if let Some(reason) = declared.and_then(|o| o.skip.as_ref()) {
        return Err(OutOfScope(reason.clone()));
    }
    let requires = declared.map(|o| o.requires.clone()).unwrap_or_default();
    // A scenario that is nothing but a behaviour (the header discipline behind SEC-*, the
    // token behind AUTH-003...) would count that behaviour's finding a second time: the
    // behaviour check alone judges it.
    if let Some(o) = declared
        && o.behaviours_only
    {
        let ids: Vec<&str> = o.requires.iter().map(|b| b.check_id()).collect();
        return Err(OutOfScope(t!(
            Lang::current(),
            "o-behaviour",
            ids = ids.join(", ")
        )));
    }
    if let Some(o) = declared
        && !o.requests.is_empty()
    {
        let line = scenario.id.referenced.line();
        let steps = o
            .requests
            .iter()
            .map(|r| declared_step(r, line, base_path))
            .collect();
        return Ok(Plan { steps, requires });
    }
    let captures: Vec<&str> = scenario
        .steps
        .iter()
        .flat_map(|s| s.value.capture.iter().map(|c| c.value.name.as_str()))
        .collect();
    let mut steps = Vec::new();
    for spanned in &scenario.steps {
        let step = &spanned.value;
        if let Some(reason) = server_side(step, &captures) {
            return Err(OutOfScope(t!(
                Lang::current(),
                "o-server-test",
                name = step.name,
                reason = reason
            )));
        }
        // A precondition checks the target (its size...), not what the consumer sends.
        if step.precondition {
            continue;
        }
        // A step that requests a URL the server gave (a manifest file, a `next` link) is
        // the continuation of the previous one, judged with it.
        if step.request.path.trim_start().starts_with("{{") && !is_token_url(&step.request.path) {
            continue;
        }
        steps.push(expected_step(step, spanned.referenced.line(), base_path));
    }
    if steps.is_empty() {
        return Err(OutOfScope(t!(Lang::current(), "o-no-own-request")));
    }
    Ok(Plan { steps, requires })
}

/// A request the scenario's `observe.requests` declares.
fn declared_step(r: &ObservedRequest, line: u64, base_path: &str) -> ExpectedStep {
    let pairs: Vec<(String, String)> = r
        .query
        .iter()
        .map(|q| (q.name.clone(), q.value.clone()))
        .collect();
    let request = Expected::new(r.method.as_str(), &r.path, &pairs, base_path);
    ExpectedStep {
        name: t!(Lang::current(), "o-declared", request = request),
        line,
        request,
        follow_next: r.follow_next,
        export: r.export,
        token: false,
    }
}

fn is_token_url(path: &str) -> bool {
    path.replace(' ', "") == "{{token_url}}"
}

/// Why a step tests the server rather than the consumer, if it does.
fn server_side(step: &Step, captures: &[&str]) -> Option<String> {
    let req = &step.request;
    match &req.auth {
        AuthMode::Default => {}
        AuthMode::None if is_token_url(&req.path) => {}
        AuthMode::None => return Some(t!(Lang::current(), "o-sends-no-token")),
        AuthMode::Bearer(token) => {
            let captured = token
                .trim()
                .strip_prefix("{{")
                .and_then(|t| t.strip_suffix("}}"))
                .is_some_and(|name| captures.contains(&name.trim()));
            if !captured {
                return Some(t!(Lang::current(), "o-forged-token"));
            }
        }
    }
    if !req.omit_headers.is_empty() {
        return Some(t!(
            Lang::current(),
            "o-removes-header",
            omit_headers = req.omit_headers.join(", ")
        ));
    }
    if let Some(name) = req.headers.keys().find(|k| {
        let k = k.to_ascii_lowercase();
        k.starts_with("ror-") || k == "authorization"
    }) {
        return Some(t!(Lang::current(), "o-forces-header", name = name));
    }
    if req.client_certificate == ClientCertificate::None {
        return Some(t!(Lang::current(), "o-no-certificate"));
    }
    for a in &step.expect {
        match &a.value.check {
            Check::Connection(_) => return Some(t!(Lang::current(), "o-expects-refusal")),
            Check::Status(spec) if !admits_success(spec) => {
                return Some(format!("attend un refus (HTTP {})", describe(spec)));
            }
            _ => {}
        }
    }
    None
}

fn admits_success(spec: &StatusSpec) -> bool {
    match spec {
        StatusSpec::Exact(c) => (200..300).contains(c),
        StatusSpec::AnyOf(codes) => codes.iter().any(|c| (200..300).contains(c)),
        StatusSpec::Class(n) => *n == 2,
    }
}

fn describe(spec: &StatusSpec) -> String {
    match spec {
        StatusSpec::Exact(c) => c.to_string(),
        StatusSpec::AnyOf(codes) => codes
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" ou "),
        StatusSpec::Class(n) => format!("{n}xx"),
    }
}

fn expected_step(step: &Step, line: u64, base_path: &str) -> ExpectedStep {
    let req = &step.request;
    let token = is_token_url(&req.path);
    let path = if token {
        TOKEN_PATH.to_owned()
    } else {
        let path = req.path.replace("{{base_url}}", "");
        // `/{{provider}}` holds a captured reference: a read of `Type/id`, not any path.
        match template::pieces(path.trim_matches('/')).as_deref() {
            Ok([Piece::Var(name)]) => format!("{{{{{name}}}}}/{{{{{name}}}}}"),
            _ => path,
        }
    };
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .map(|q| (q.name.clone(), q.value.clone()))
        .collect();
    if let Some(Body::Form(form)) = &req.body {
        pairs.extend(form.iter().map(|q| (q.name.clone(), q.value.clone())));
    }
    let request = Expected::new(req.method.as_str(), &path, &pairs, base_path);
    ExpectedStep {
        name: step.name.clone(),
        line,
        request,
        follow_next: matches!(step.flow(), Flow::FollowNext(_)),
        export: matches!(step.flow(), Flow::Export(_)),
        token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rorcheck_scenario::parse_scenario;

    fn scenario(steps: &str) -> Scenario {
        let text = format!(
            "id: T-001\ntitle: t\ndescription: d\npriority: 1\nmodality: recherche\nsteps:\n{steps}"
        );
        match parse_scenario(std::path::Path::new("t.yaml"), &text) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_plain_search_is_expected_with_its_parameters() {
        let s = scenario(
            "  - name: s\n    request:\n      path: /HealthcareService\n      query:\n        - _lastUpdated: ge{{since}}\n    follow_next: {}\n    expect:\n      - status: 200\n",
        );
        let plan = plan(&s, 0, "/ws-diffusion-fhir").expect("observable");
        assert_eq!(plan.steps.len(), 1);
        assert!(plan.steps[0].follow_next);
        assert_eq!(
            plan.steps[0].request.to_string(),
            "GET HealthcareService?_lastUpdated=ge…"
        );
    }

    #[test]
    fn refusals_and_forged_requests_are_out_of_scope() {
        for step in [
            "  - name: s\n    request:\n      path: /HealthcareService\n      auth: none\n    expect:\n      - status: 401\n",
            "  - name: s\n    request:\n      path: /HealthcareService\n      omit_headers: [Ror-Role-Metier-Code]\n    expect:\n      - status: 4xx\n",
            "  - name: s\n    request:\n      path: /HealthcareService\n      query:\n        - _count: 5000\n    expect:\n      - status: 400\n",
        ] {
            assert!(
                plan(&scenario(step), 0, "/ws-diffusion-fhir").is_err(),
                "{step}"
            );
        }
    }

    #[test]
    fn a_captured_reference_path_is_a_read() {
        let s = scenario(
            "  - name: s\n    request:\n      path: \"/{{provider}}\"\n    expect:\n      - status: 200\n",
        );
        let plan = plan(&s, 0, "/ws-diffusion-fhir").expect("observable");
        let read = |path: &str| {
            let got = super::super::canonical::Canonical::new(
                "GET",
                path,
                None,
                None,
                "/ws-diffusion-fhir",
            );
            plan.steps[0].request.differences(&got).is_empty()
        };
        assert!(read("/ws-diffusion-fhir/Organization/org-1"));
        assert!(!read("/ws-diffusion-fhir/HealthcareService"));
    }

    #[test]
    fn the_token_request_is_identified_by_its_grant_type() {
        let s = scenario(
            "  - name: jeton\n    request:\n      method: POST\n      path: \"{{token_url}}\"\n      auth: none\n      body:\n        form:\n          - grant_type: client_credentials\n          - client_secret: \"{{client_secret}}\"\n    expect:\n      - status: 200\n",
        );
        let plan = plan(&s, 0, "/ws-diffusion-fhir").expect("observable");
        assert!(plan.steps[0].token);
        assert_eq!(
            plan.steps[0].request.to_string(),
            format!("POST {TOKEN_PATH}?grant_type=client_credentials")
        );
    }
}
