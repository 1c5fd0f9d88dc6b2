//! Running one step: the target's token, the request built and recorded, then the step's
//! flow ([`Flow`]), each a module of [`super::flow`] made of exchanges.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::time::Instant;

use serde_saphyr::Spanned;

use super::context::{StepContext, StepRun};
use super::exchange::{BuildError, build_request, record_request};
use super::flow;
use super::result::{Cause, Status, StepResult};
use rorcheck_http::{HttpClient, OutgoingRequest, RecordedRequest, Redactor};
use rorcheck_scenario::{AuthMode, ClientCertificate, Flow, Step};

/// Runs one step. Captured values are added to `vars`; captured secrets to `redactor`.
pub(crate) async fn run_step(
    ctx: &StepContext<'_>,
    step: &Spanned<Step>,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
) -> StepResult {
    let started = Instant::now();
    let st = &step.value;
    let mut result = StepResult::new(st.name.clone(), step.referenced.line());
    let (request, recorded) = match prepare(ctx, st, vars, redactor).await {
        Ok(prepared) => prepared,
        Err((status, cause, reason)) => {
            result.status = status;
            result.cause = cause;
            result.reason = Some(reason);
            result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            return result;
        }
    };
    let without_certificate;
    let client = match st.request.client_certificate {
        ClientCertificate::Target => ctx.client,
        ClientCertificate::None => {
            without_certificate =
                HttpClient::from_reqwest(ctx.target.http_without_certificate.clone());
            &without_certificate
        }
    };
    let run = StepRun {
        ctx,
        step,
        client,
        started,
    };
    match st.flow() {
        Flow::Once => flow::repeat::run(&run, 1, request, recorded, vars, redactor, result).await,
        Flow::Retry(retry) => {
            let attempts = retry.max_attempts.max(1);
            flow::repeat::run(&run, attempts, request, recorded, vars, redactor, result).await
        }
        Flow::FollowNext(follow) => {
            flow::follow::run(&run, follow, request, recorded, vars, redactor, result).await
        }
        Flow::Export(export) => {
            flow::export::run(&run, export, request, recorded, vars, redactor, result).await
        }
    }
}

/// Why a step ended before sending anything: its status, the cause and the reason.
type NotSent = (Status, Option<Cause>, String);

/// The target's token (obtained or renewed when it has a token endpoint), then the request
/// built from the step and the current variables, and its record.
async fn prepare(
    ctx: &StepContext<'_>,
    st: &Step,
    vars: &BTreeMap<String, String>,
    redactor: &mut Redactor,
) -> Result<(OutgoingRequest, RecordedRequest), NotSent> {
    let default_bearer = if st.request.auth == AuthMode::Default {
        let token = ctx.target.auth.bearer().await.map_err(|e| {
            let reason = redactor.text(&t!(Lang::current(), "s-no-token", e = e));
            (Status::Errored, Cause::of_token(&e), reason)
        })?;
        if let Some(t) = &token {
            redactor.add_secret(t);
        }
        token
    } else {
        None
    };
    let request = build_request(st, ctx.target, vars, default_bearer.as_deref()).map_err(|e| {
        match e {
            // A URL outside the target, captured from an earlier response: the server
            // pointed the client elsewhere, a finding; nothing is sent there.
            BuildError::Foreign(e) => (Status::Failed, None, redactor.text(&e.to_string())),
            e => (
                Status::Errored,
                None,
                redactor.text(&t!(Lang::current(), "s-cannot-build", e = e)),
            ),
        }
    })?;
    // Whatever credential the step sends (its own bearer, a secret in a form) is masked
    // wherever it shows up, like the target's own.
    redactor.learn_from_request(&request.headers, request.body.as_deref());
    let recorded = record_request(&request, redactor);
    Ok((request, recorded))
}
