//! Captures: values taken from a response for later steps.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;

use serde_json::Value;

use crate::assert::ResponseView;
use crate::run::result::{CaptureResult, Status, StepResult};
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::Redactor;
use rorcheck_scenario::{CaptureSource, Step};

/// The value a capture takes from the response, as text.
pub(crate) async fn capture_value(
    source: &CaptureSource,
    view: &ResponseView<'_>,
    fhirpath: &FhirPath,
) -> Result<String, CaptureError> {
    match source {
        CaptureSource::Status => Ok(view.status.to_string()),
        CaptureSource::Header(name) => view
            .headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .ok_or_else(|| CaptureError::NoHeader(name.clone())),
        CaptureSource::FhirPath(expr) => {
            let document = view.document()?.ok_or(CaptureError::EmptyBody)?;
            let results = fhirpath.evaluate_document(expr, document).await?;
            match results.first() {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Ok(other.to_string()),
                None => Err(CaptureError::NoResult(expr.clone())),
            }
        }
    }
}

/// Why a capture took nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CaptureError {
    #[error("{}", t!(Lang::current(), "cap-no-header", name = .0))]
    NoHeader(String),
    #[error("{}", t!(Lang::current(), "a-empty-body"))]
    EmptyBody,
    #[error(transparent)]
    NotJson(#[from] crate::assert::NotJson),
    #[error(transparent)]
    FhirPath(#[from] rorcheck_fhirpath::FhirPathError),
    #[error("{}", t!(Lang::current(), "cap-no-result", expr = .0))]
    NoResult(String),
}

pub(crate) fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "secret", "password", "jeton"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Takes the step's captures from `view` into `vars`; a capture that finds nothing fails a
/// step that had passed. Captured secrets are added to `redactor`.
pub(crate) async fn capture(
    st: &Step,
    view: &ResponseView<'_>,
    fhirpath: &FhirPath,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    result: &mut StepResult,
) {
    for c in &st.capture {
        let name = &c.value.name;
        match capture_value(&c.value.source, view, fhirpath).await {
            Ok(value) => {
                if is_secret_name(name) {
                    redactor.add_secret(&value);
                }
                result.captures.push(CaptureResult {
                    name: name.clone(),
                    value: redactor.text(&value),
                });
                vars.insert(name.clone(), value);
            }
            Err(why) => {
                if result.status == Status::Passed {
                    result.status = Status::Failed;
                    result.reason = Some(format!("capture `{name}` impossible : {why}"));
                }
            }
        }
    }
}
