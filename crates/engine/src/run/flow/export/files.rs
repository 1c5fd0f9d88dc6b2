//! Reading the manifest's files: each downloaded as a stream within the export's one
//! deadline and the target's size limits, parsed as it arrives.

use rorcheck_i18n::{Lang, t};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::deadline::{Deadline, Stage};
use super::poll::Manifest;
use super::scan::{ChunkReader, ReadStopped, scan};
use super::tally::{ExportTally, FileFormat, FileTally};
use crate::run::context::{StepContext, StepRun};
use crate::run::exchange::{FollowUpError, evidence, follow_up_request};
use crate::run::result::{FollowUp, StepResult};
use rorcheck_conformance::Aspects;
use rorcheck_http::evidence::Timings;
use rorcheck_http::{ForeignOrigin, HttpClient, OutgoingRequest, ReceivedResponse, Redactor};

/// The first bytes of a file kept as evidence.
pub(super) const PREVIEW: usize = 4096;

/// What one file gave: its evidence, and why it could not be read whole.
pub(super) struct Downloaded {
    evidence: FollowUp,
    error: Option<String>,
}

/// What the files of the manifest gave.
pub(super) struct FilesRead {
    pub tally: ExportTally,
    /// A file URL on another origin, not requested: a finding on its own.
    pub foreign: Option<ForeignOrigin>,
}

/// One output of the manifest: its type, the count it declares, its URL.
struct Output {
    resource_type: String,
    declared: Option<u64>,
    url: String,
}

/// The outputs the manifest lists, or why it cannot be read.
fn outputs(manifest: &Manifest) -> Result<Vec<Output>, ManifestError> {
    let parsed: Value = serde_json::from_slice(&manifest.response.body)?;
    Ok(parsed["output"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| Output {
            resource_type: o["type"].as_str().unwrap_or("?").to_owned(),
            declared: o["count"].as_u64(),
            url: o["url"].as_str().unwrap_or("").to_owned(),
        })
        .collect())
}

/// A manifest that is not JSON.
#[derive(Debug, thiserror::Error)]
#[error("manifeste illisible ({0})")]
struct ManifestError(#[from] serde_json::Error);

/// Reads every file of the manifest, in order, into one tally.
pub(super) async fn read_all(
    run: &StepRun<'_, '_>,
    kickoff: &OutgoingRequest,
    manifest: &Manifest,
    aspects: Option<Aspects>,
    deadline: &Deadline,
    redactor: &mut Redactor,
    result: &mut StepResult,
) -> FilesRead {
    let mut tally = ExportTally::new(aspects, run.ctx.conformance(kickoff));
    let mut foreign = None;
    let listed = outputs(manifest);
    for output in listed.as_ref().map(Vec::as_slice).unwrap_or_default() {
        let ty = &output.resource_type;
        tally.manifest_types.push(ty.clone());
        tally.files.push(FileTally {
            resource_type: ty.clone(),
            declared: output.declared,
            ..FileTally::default()
        });
        let what = t!(Lang::current(), "x-file-url", ty = ty);
        let error = match kickoff.url.join(&output.url) {
            Ok(_) if deadline.passed() => Some(deadline.reason(Stage::BeforeFile)),
            Ok(url) => match follow_up_request(run.ctx, run.st(), kickoff, url, &what, redactor)
                .await
            {
                Ok(req) => {
                    let (t, downloaded) =
                        download(run.ctx, run.client, &req, tally, ty, deadline, redactor).await;
                    tally = t;
                    result.attempts += 1;
                    result.follow_ups.push(downloaded.evidence);
                    downloaded.error
                }
                Err(FollowUpError::Foreign(e)) => {
                    let why = e.to_string();
                    foreign.get_or_insert(e);
                    Some(why)
                }
                Err(e @ FollowUpError::Token(_)) => Some(e.to_string()),
            },
            Err(e) => Some(t!(
                Lang::current(),
                "x-file-url-unusable",
                url = output.url,
                e = e
            )),
        };
        if let (Some(e), Some(f)) = (error, tally.files.last_mut()) {
            f.error = Some(e);
        }
    }
    if let Err(why) = listed {
        tally.files.push(FileTally {
            resource_type: "manifeste".into(),
            error: Some(why.to_string()),
            ..FileTally::default()
        });
    }
    FilesRead { tally, foreign }
}

/// Downloads one file as a stream: chunks go to a blocking parser through a small channel,
/// so at most a few chunks and one resource are in memory at a time.
pub(super) async fn download(
    ctx: &StepContext<'_>,
    client: &HttpClient,
    req: &OutgoingRequest,
    tally: ExportTally,
    ty: &str,
    deadline: &Deadline,
    redactor: &Redactor,
) -> (ExportTally, Downloaded) {
    let label = format!("fichier {ty}");
    let started = Instant::now();
    let started_at = rorcheck_http::evidence::now();
    if let Some(rate) = &ctx.target.rate {
        rate.acquire().await;
    }
    let no_response = |why: String| Downloaded {
        evidence: evidence(label.clone(), req, None, redactor),
        error: Some(why),
    };
    let mut response = match tokio::time::timeout(deadline.remaining(), client.open(req)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return (tally, no_response(redactor.text(&e.to_string()))),
        Err(_) => {
            return (tally, no_response(deadline.reason(Stage::WaitingForFile)));
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let headers_ms = started.elapsed().as_secs_f64() * 1000.0;
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut body = Body::default();
    let limits = ctx.target.limits;
    let read = read_body(
        &mut response,
        status,
        &content_type,
        tally,
        &limits,
        req,
        deadline,
        &mut body,
    )
    .await;
    let (mut tally, error) = match read {
        Ok(read) => read,
        Err(e) => {
            let why = t!(Lang::current(), "x-scan-stopped", e = e);
            return (ExportTally::default(), no_response(why));
        }
    };
    if let Some(f) = tally.files.last_mut() {
        f.bytes = body.bytes;
    }
    let received = ReceivedResponse {
        status,
        headers,
        body: body.preview,
        timings: Timings {
            started_at: Some(started_at),
            headers_ms,
            total_ms: started.elapsed().as_secs_f64() * 1000.0,
        },
    };
    let mut shown = evidence(label, req, Some(&received), redactor);
    if let Some(r) = shown.exchange.response.as_mut() {
        r.body_bytes = body.bytes as usize;
        r.body_truncated = body.bytes as usize > PREVIEW;
    }
    (
        tally,
        Downloaded {
            evidence: shown,
            error,
        },
    )
}

/// Reads a file's body: parsed as a stream when it is a readable file (200, a FHIR JSON or
/// ndjson type), else only its start kept as evidence. The tally and why the file could not
/// be read whole; `Err` when the parser itself died.
#[allow(clippy::too_many_arguments)]
async fn read_body(
    response: &mut reqwest::Response,
    status: u16,
    content_type: &str,
    tally: ExportTally,
    limits: &rorcheck_http::Limits,
    req: &OutgoingRequest,
    deadline: &Deadline,
    body: &mut Body,
) -> Result<(ExportTally, Option<String>), tokio::task::JoinError> {
    match (status, FileFormat::from_content_type(content_type)) {
        (200, Some(format)) => {
            parse_stream(response, format, tally, limits, req.timeout, deadline, body).await
        }
        (other, _) => {
            // Not a readable file: keep the start of its body as evidence.
            if let Ok(Ok(Some(chunk))) = tokio::time::timeout(req.timeout, response.chunk()).await {
                body.keep(&chunk);
            }
            let why = if other != 200 {
                format!("HTTP {other}")
            } else {
                t!(
                    Lang::current(),
                    "x-content-type",
                    content_type = content_type
                )
            };
            Ok((tally, Some(why)))
        }
    }
}

/// What was read of a file's body: its size, and its first bytes as evidence.
#[derive(Default)]
struct Body {
    bytes: u64,
    preview: Vec<u8>,
}

impl Body {
    fn keep(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        if self.preview.len() < PREVIEW {
            let take = (PREVIEW - self.preview.len()).min(chunk.len());
            self.preview.extend_from_slice(&chunk[..take]);
        }
    }
}

/// Feeds the body of `response` to a blocking parser: the tally and why the file could not
/// be read whole, if so. `Err` when the parser itself died.
#[allow(clippy::too_many_arguments)]
async fn parse_stream(
    response: &mut reqwest::Response,
    format: FileFormat,
    mut tally: ExportTally,
    limits: &rorcheck_http::Limits,
    timeout: Duration,
    deadline: &Deadline,
    body: &mut Body,
) -> Result<(ExportTally, Option<String>), tokio::task::JoinError> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, ReadStopped>>(8);
    let max_record = limits.max_record;
    let parser = tokio::task::spawn_blocking(move || {
        let outcome = scan(ChunkReader::new(rx), format, &mut tally, max_record);
        (tally, outcome)
    });
    let transport_error = pump(response, &tx, limits, timeout, deadline, body).await;
    drop(tx);
    let (tally, outcome) = parser.await?;
    Ok((
        tally,
        transport_error.or(outcome.err().map(|e| e.to_string())),
    ))
}

/// Sends the body's chunks to the parser until the end, a transport error, the size limit
/// or the deadline; why it stopped early, if it did (the parser is told too).
async fn pump(
    response: &mut reqwest::Response,
    tx: &tokio::sync::mpsc::Sender<Result<Vec<u8>, ReadStopped>>,
    limits: &rorcheck_http::Limits,
    timeout: Duration,
    deadline: &Deadline,
    body: &mut Body,
) -> Option<String> {
    let why = loop {
        // Checked on every chunk: a server that never stops sending must meet the deadline
        // as surely as one that stalls.
        if deadline.passed() {
            break ReadStopped::from(deadline.passed_at(Stage::ReadingFile));
        }
        let wait = timeout.min(deadline.remaining());
        match tokio::time::timeout(wait, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                body.keep(&chunk);
                if body.bytes > limits.max_export_file {
                    break ReadStopped::TooLarge {
                        limit: limits.max_export_file,
                    };
                }
                if tx.send(Ok(chunk.to_vec())).await.is_err() {
                    return None; // the parser stopped: its error says why
                }
            }
            Ok(Ok(None)) => return None,
            Ok(Err(e)) => {
                break ReadStopped::from(rorcheck_http::client::classify(&e, timeout.as_millis()));
            }
            // A stall mid-file fails the file as surely as a server that never answers.
            Err(_) if deadline.passed() => {
                break ReadStopped::from(deadline.passed_at(Stage::ReadingFile));
            }
            Err(_) => {
                break ReadStopped::Stalled {
                    ms: timeout.as_millis(),
                };
            }
        }
    };
    let reason = why.to_string();
    let _ = tx.send(Err(why)).await;
    Some(reason)
}
