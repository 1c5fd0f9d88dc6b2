//! Judging a response: each assertion kind gives a [`Verdict`] with expected and actual
//! values written for the report (in French).

mod body;
mod headers;

use std::sync::OnceLock;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::fhirpath::FhirPath;
use crate::scenario::{Check, ConnectionExpectation, StatusSpec};

/// How one assertion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// The server's response violates the expectation.
    Fail,
    /// The expectation could not be evaluated (e.g. the body is not JSON).
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub expected: String,
    pub actual: String,
}

impl Verdict {
    fn new(ok: bool, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Verdict {
            outcome: if ok { Outcome::Pass } else { Outcome::Fail },
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    pub fn error(expected: impl Into<String>, reason: impl Into<String>) -> Self {
        Verdict {
            outcome: Outcome::Error,
            expected: expected.into(),
            actual: reason.into(),
        }
    }
}

/// A response as assertions see it; the body is parsed as JSON once, on first need.
pub struct ResponseView<'a> {
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The request and run the conformance checks judge against.
    pub conformance: crate::conformance::Context,
    json: OnceLock<Result<Value, String>>,
}

impl<'a> ResponseView<'a> {
    pub fn new(status: u16, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        ResponseView {
            status,
            headers,
            body,
            conformance: crate::conformance::Context::default(),
            json: OnceLock::new(),
        }
    }

    pub fn with_conformance(mut self, ctx: crate::conformance::Context) -> Self {
        self.conformance = ctx;
        self
    }

    /// The body as JSON. An empty body is `Ok(None)`: a missing resource is the server's
    /// fault (a failure), whereas a body that is not JSON cannot be evaluated (an error).
    pub fn json(&self) -> Result<Option<&Value>, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.json
            .get_or_init(|| {
                serde_json::from_slice(self.body)
                    .map_err(|e| format!("le corps de la réponse n'est pas du JSON valide ({e})"))
            })
            .as_ref()
            .map(Some)
            .map_err(Clone::clone)
    }
}

/// Evaluates one check against a response.
pub async fn evaluate(check: &Check, resp: &ResponseView<'_>, fhirpath: &FhirPath) -> Verdict {
    match check {
        Check::Status(spec) => status(spec, resp.status),
        Check::Header(spec) => headers::header(spec, resp.headers),
        Check::ContentType(expected) => headers::content_type(expected, resp.headers),
        Check::FhirPath(spec) => body::fhirpath(spec, resp, fhirpath).await,
        Check::Bundle(spec) => body::bundle(spec, resp),
        Check::OperationOutcome(spec) => body::operation_outcome(spec, resp),
        Check::Conformance(spec) => conformance(spec.aspects(), resp),
        // A response arrived, so the handshake was accepted.
        Check::Connection(ConnectionExpectation::TlsRefused) => Verdict::new(
            false,
            "poignée de main TLS refusée par le serveur",
            format!("connexion TLS acceptée, réponse HTTP {}", resp.status),
        ),
    }
}

/// Findings on the body: errors fail, warnings are listed with a pass.
pub fn conformance(aspects: crate::conformance::Aspects, resp: &ResponseView<'_>) -> Verdict {
    use crate::conformance::Severity;
    let expected = "aucun écart aux règles ROR (profils, NOS, graphe, visibilité)";
    let json = match resp.json() {
        Ok(Some(json)) => json,
        Ok(None) => return Verdict::new(false, expected, "corps de réponse vide"),
        Err(e) => return Verdict::error("conformance", e),
    };
    let findings = crate::conformance::check(json, &resp.conformance, aspects);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    const SHOWN: usize = 12;
    let mut listed: Vec<String> = findings
        .iter()
        .take(SHOWN)
        .map(|f| {
            let tag = if f.severity == Severity::Error {
                "écart"
            } else {
                "avertissement"
            };
            format!("[{tag}] {f}")
        })
        .collect();
    if findings.len() > SHOWN {
        listed.push(format!("… et {} autre(s)", findings.len() - SHOWN));
    }
    let actual = if findings.is_empty() {
        format!(
            "aucun écart sur {} ressource(s)",
            crate::conformance::resources(json).len()
        )
    } else {
        format!(
            "{errors} écart(s), {warnings} avertissement(s) : {}",
            listed.join(" ; ")
        )
    };
    Verdict::new(errors == 0, expected, actual)
}

fn status(spec: &StatusSpec, actual: u16) -> Verdict {
    let ok = match spec {
        StatusSpec::Exact(c) => actual == *c,
        StatusSpec::AnyOf(set) => set.contains(&actual),
        StatusSpec::Class(class) => actual / 100 == *class,
    };
    Verdict::new(
        ok,
        format!("statut HTTP {spec}"),
        format!("statut HTTP {actual}"),
    )
}

#[cfg(test)]
mod tests;
