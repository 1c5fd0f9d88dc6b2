//! What the steps of a run share ([`StepContext`]), and what the exchanges of one step
//! share ([`StepRun`]).

use std::time::Instant;

use serde_saphyr::Spanned;

use crate::config::Target;
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::{HttpClient, OutgoingRequest};
use rorcheck_scenario::Step;

/// What every step of a run shares.
pub struct StepContext<'a> {
    /// The client the steps send with.
    pub client: &'a HttpClient,
    /// The FHIRPath engine the assertions use.
    pub fhirpath: &'a FhirPath,
    /// Where the requests go.
    pub target: &'a Target,
    /// Apply the conformance checks to every FHIR body received (`--check-all`, or the
    /// scenario's `conformance: true`).
    pub check_all: bool,
    /// Unknown NOS codes are errors.
    pub strict: bool,
}

impl StepContext<'_> {
    /// What the conformance checks judge a response of `request` against.
    pub fn conformance(&self, request: &OutgoingRequest) -> rorcheck_conformance::Context {
        rorcheck_conformance::Context {
            request_url: Some(request.url.clone()),
            access_profile: self.target.access_profile.map(|p| p.number()),
            strict: self.strict,
        }
    }
}

/// One step being run: what each exchange of its flow needs.
pub(crate) struct StepRun<'a, 'b> {
    /// The run's shared context.
    pub ctx: &'a StepContext<'b>,
    /// The step, with its position in the file.
    pub step: &'a Spanned<Step>,
    /// The client the step sends with (the target's, or one without certificate).
    pub client: &'a HttpClient,
    /// When the step began, for its duration.
    pub started: Instant,
}

impl StepRun<'_, '_> {
    /// The step as written.
    pub fn st(&self) -> &Step {
        &self.step.value
    }

    /// The step's line in its file.
    pub fn line(&self) -> u64 {
        self.step.referenced.line()
    }

    /// Milliseconds since the step began.
    pub fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}
