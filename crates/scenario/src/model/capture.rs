//! Captures: values a step takes from a response for later steps.

use super::error::ModelError;
use schemars::JsonSchema;
use serde::Deserialize;

/// A value taken from a response into a variable.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "RawCapture")]
#[schemars(with = "RawCapture")]
pub struct Capture {
    /// The variable it sets (`{{name}}` in later steps).
    pub name: String,
    /// Where its value comes from.
    pub source: CaptureSource,
}

/// Where a capture takes its value.
#[derive(Debug, Clone)]
pub enum CaptureSource {
    /// First item of a FHIRPath result on the JSON body.
    FhirPath(String),
    /// A response header value.
    Header(String),
    /// The HTTP status code.
    Status,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCapture {
    /// Variable name, used later as `{{name}}`.
    name: String,
    fhirpath: Option<String>,
    header: Option<String>,
    /// `true` captures the status code.
    status: Option<bool>,
}

impl TryFrom<RawCapture> for Capture {
    type Error = ModelError;
    fn try_from(raw: RawCapture) -> Result<Self, Self::Error> {
        let source = match (raw.fhirpath, raw.header, raw.status) {
            (Some(e), None, None) => CaptureSource::FhirPath(e),
            (None, Some(h), None) => CaptureSource::Header(h),
            (None, None, Some(true)) => CaptureSource::Status,
            _ => {
                return Err(ModelError::CaptureSource(raw.name));
            }
        };
        Ok(Capture {
            name: raw.name,
            source,
        })
    }
}
