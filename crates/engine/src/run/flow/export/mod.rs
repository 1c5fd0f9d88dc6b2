//! The `$export` flow, in the order it happens: [`kickoff`] (202 and a status URL), [`poll`]
//! (to the manifest, within the export's one [`deadline::Deadline`]), [`files`] (each output
//! file read as a stream and [`scan`]ned resource by resource) and the [`tally`] judged by
//! the step's `exported` and `conformance` assertions. Only identifiers and references are
//! kept, so that a national export does not need to fit in memory.

use rorcheck_i18n::{Lang, t};
mod deadline;
mod files;
mod kickoff;
mod poll;
mod scan;
mod tally;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

use deadline::Deadline;
use files::FilesRead;
use kickoff::Started;
pub use scan::{ChunkReader, ReadStopped, ScanError, scan};
pub use tally::{ExportTally, FileFormat, FileTally};

use crate::assert::ResponseView;
use crate::run::context::StepRun;
use crate::run::exchange::{capture, foreign_origin_finding, judge, settle, without_response};
use crate::run::result::{AssertionResult, Status, StepResult};
use rorcheck_conformance::Aspects;
use rorcheck_http::{OutgoingRequest, RecordedRequest, Redactor};
use rorcheck_scenario::{Check, ExportFlow, Step};

/// Runs an `export` step: kick-off, polling to the manifest, every file read as a stream,
/// then the step's assertions (manifest) and `exported` / `conformance` (files).
pub(crate) async fn run(
    run: &StepRun<'_, '_>,
    flow: ExportFlow,
    request: OutgoingRequest,
    recorded: RecordedRequest,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    mut result: StepResult,
) -> StepResult {
    let status_url = match kickoff::start(run, &request, recorded, redactor, &mut result).await {
        Started::Accepted(url) => url,
        Started::Refused(reason) => return finish(run, fail(result, reason)),
        Started::Unanswered(recorded) => return without_response(result, recorded, run.started),
    };
    // The whole export, files included, has one deadline.
    let deadline = Deadline::new(run.ctx.target.limits.export_deadline);
    let bound = Duration::from_secs(flow.max_wait_secs).min(run.ctx.target.max_retry_after);
    let polling = poll::Polling {
        flow,
        bound,
        deadline: &deadline,
    };
    let manifest =
        match poll::manifest(run, &polling, &request, status_url, redactor, &mut result).await {
            Ok(manifest) => manifest,
            Err(poll::Ended) => return finish(run, result),
        };
    // The step's own assertions judge the manifest; the files, those that need them.
    let deferred = |c: &Check| matches!(c, Check::Exported(_) | Check::Conformance(_));
    let response = &manifest.response;
    let view =
        ResponseView::new(response.status, &response.headers, &response.body).for_step(run.st());
    let mut assertions = judge(run.st(), &view, vars, run.ctx.fhirpath, redactor, deferred).await;
    let read = files::read_all(
        run,
        &request,
        &manifest,
        aspects_asked(run),
        &deadline,
        redactor,
        &mut result,
    )
    .await;
    judge_files(run, &read, &mut assertions, redactor);
    settle(&mut result, &assertions);
    result.assertions = assertions;
    capture(
        run.st(),
        &view,
        run.ctx.fhirpath,
        vars,
        redactor,
        &mut result,
    )
    .await;
    finish(run, result)
}

/// The conformance checks to apply to every exported resource: those the step asserts, and
/// all of them under `--check-all`.
fn aspects_asked(run: &StepRun<'_, '_>) -> Option<Aspects> {
    run.st()
        .expect
        .iter()
        .filter_map(|a| match &a.value.check {
            Check::Conformance(spec) => Some(crate::assert::aspects(spec)),
            _ => None,
        })
        .chain(run.ctx.check_all.then_some(Aspects::ALL))
        .reduce(Aspects::union)
}

/// Puts the verdicts on the files in place of the step's deferred assertions, adds the
/// automatic conformance check and the finding of a file URL outside the target.
fn judge_files(
    run: &StepRun<'_, '_>,
    read: &FilesRead,
    assertions: &mut Vec<AssertionResult>,
    redactor: &Redactor,
) {
    let st: &Step = run.st();
    let tally = &read.tally;
    for (i, a) in st.expect.iter().enumerate() {
        let verdict = match &a.value.check {
            Check::Exported(spec) => tally.judge(spec),
            Check::Conformance(spec) => tally.conformance_verdict(crate::assert::aspects(spec)),
            _ => continue,
        };
        if let Some(slot) = assertions.get_mut(i) {
            slot.status = verdict.outcome;
            slot.expected = redactor.text(&verdict.expected);
            slot.actual = redactor.text(&verdict.actual);
        }
    }
    let asserts_conformance = st
        .expect
        .iter()
        .any(|a| matches!(a.value.check, Check::Conformance(_)));
    if run.ctx.check_all && !asserts_conformance {
        let verdict = tally.conformance_verdict(Aspects::ALL);
        assertions.push(AssertionResult {
            kind: "conformance",
            line: run.line(),
            status: verdict.outcome,
            expected: verdict.expected,
            actual: redactor.text(&verdict.actual),
            warning_only: false,
            because: Some(t!(Lang::current(), "check-all-because")),
            explain: Vec::new(),
        });
    }
    if let Some(e) = &read.foreign {
        assertions.push(foreign_origin_finding(run.line(), e, redactor));
    }
}

fn fail(mut result: StepResult, reason: String) -> StepResult {
    result.status = Status::Failed;
    result.reason = Some(reason);
    result
}

fn finish(run: &StepRun<'_, '_>, mut result: StepResult) -> StepResult {
    result.duration_ms = run.elapsed_ms();
    result
}
