//! Reading `$export` output files as streams and judging what they hold: each resource is
//! checked as it arrives (ROR profiles, NOS, visibility), only identifiers and references
//! are kept, so that a national export does not need to fit in memory.

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use std::time::{Duration, Instant};

use serde_saphyr::Spanned;

use super::result::{AssertionResult, FollowUp, Status, StepResult};
use super::step::{
    FollowUpError, StepContext, capture, follow_up_request, foreign_origin_finding, judge,
    record_request, record_response, retry_wait, send_follow_up, settle, status_of,
    without_response,
};
use crate::assert::{FindingCounts, ResponseView, Verdict, findings_verdict};
use rorcheck_conformance::{self as conformance, Aspects, Finding, Severity};
use rorcheck_http::evidence::Timings;
use rorcheck_http::{
    Exchange, HttpClient, OutgoingRequest, ReceivedResponse, RecordedRequest, Redactor,
};
use rorcheck_scenario::{Check, ExportFlow, ExportedSpec, Step};

/// Findings kept in full for the report; the others are only counted.
const KEPT_FINDINGS: usize = 50;
/// Duplicates and dangling references named in the report.
const NAMED: usize = 5;

/// How an output file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// One resource per line (`application/fhir+ndjson`).
    Ndjson,
    /// A Bundle whose entries hold the resources (`application/fhir+json`, what the real
    /// ROR serves).
    Bundle,
}

impl FileFormat {
    pub fn from_content_type(ct: &str) -> Option<FileFormat> {
        let media = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/fhir+ndjson" | "application/ndjson" | "application/x-ndjson" => {
                Some(FileFormat::Ndjson)
            }
            "application/fhir+json" | "application/json" => Some(FileFormat::Bundle),
            _ => None,
        }
    }
}

/// One output file as read.
#[derive(Debug, Clone, Default)]
pub struct FileTally {
    /// The type the manifest gives the file.
    pub resource_type: String,
    /// The manifest's `count`, if it gives one.
    pub declared: Option<u64>,
    pub read: u64,
    /// Resources of another type than the manifest's.
    pub foreign: u64,
    pub bytes: u64,
    /// Why the file could not be read to the end.
    pub error: Option<String>,
}

/// The references `_myCompleteExtract` promises to make resolvable: (source type, element).
const PROMISED: &[(&str, &str)] = &[
    ("HealthcareService", "providedBy"),
    ("HealthcareService", "location"),
    ("Organization", "partOf"),
    ("PractitionerRole", "practitioner"),
    ("PractitionerRole", "healthcareService"),
];

/// Everything learnt from the files of one export.
#[derive(Debug, Default)]
pub struct ExportTally {
    pub manifest_types: Vec<String>,
    pub files: Vec<FileTally>,
    pub per_type: BTreeMap<String, u64>,
    ids: HashSet<String>,
    pub duplicates: Vec<String>,
    pub duplicate_count: usize,
    /// (from, element, to) for the promised references.
    references: Vec<(String, &'static str, String)>,
    pub findings: Vec<Finding>,
    pub finding_counts: FindingCounts,
    /// Counts per rule and severity, all findings included (the kept ones are a sample).
    pub rules: BTreeMap<(String, Severity), usize>,
    aspects: Option<Aspects>,
    context: conformance::Context,
}

impl ExportTally {
    /// `aspects`: the conformance checks to apply to each resource, if any.
    pub fn new(aspects: Option<Aspects>, context: conformance::Context) -> Self {
        ExportTally {
            aspects,
            context,
            ..ExportTally::default()
        }
    }

    /// Takes one resource of the file being read (the last one pushed to `files`).
    pub fn observe(&mut self, resource: &Value) {
        let Some(file) = self.files.last_mut() else {
            return;
        };
        file.read += 1;
        let ty = resource["resourceType"].as_str().unwrap_or("?").to_owned();
        if ty != file.resource_type {
            file.foreign += 1;
        }
        *self.per_type.entry(ty.clone()).or_default() += 1;
        let label = conformance::label(resource);
        if !self.ids.insert(label.clone()) {
            self.duplicate_count += 1;
            if self.duplicates.len() < NAMED {
                self.duplicates.push(label.clone());
            }
        }
        for (source, element) in PROMISED {
            if *source != ty {
                continue;
            }
            let refs: Vec<&Value> = match &resource[*element] {
                Value::Array(items) => items.iter().collect(),
                Value::Null => Vec::new(),
                one => vec![one],
            };
            for r in refs {
                if let Some(target) = r["reference"].as_str() {
                    self.references
                        .push((label.clone(), element, target.to_owned()));
                }
            }
        }
        if let Some(aspects) = self.aspects {
            // Search-graph rules judge a search response, not a file: not applied here.
            let per_resource = Aspects {
                graph: false,
                capability: false,
                ..aspects
            };
            for f in conformance::check(resource, &self.context, per_resource) {
                *self.rules.entry((f.rule.clone(), f.severity)).or_default() += 1;
                match f.severity {
                    Severity::Error => self.finding_counts.errors += 1,
                    Severity::Warning => self.finding_counts.warnings += 1,
                }
                if self.findings.len() < KEPT_FINDINGS {
                    self.findings.push(f);
                }
            }
        }
    }

    fn resources_read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }

    /// References among the promised ones whose target type was exported but whose target
    /// was not.
    pub fn dangling(&self) -> Vec<&(String, &'static str, String)> {
        let exported: HashSet<&str> = self.manifest_types.iter().map(String::as_str).collect();
        self.references
            .iter()
            .filter(|(_, _, to)| {
                let ty = to.split('/').next().unwrap_or("");
                exported.contains(ty) && !self.ids.contains(to)
            })
            .collect()
    }

    /// Judges the files against an `exported` assertion.
    pub fn judge(&self, spec: &ExportedSpec) -> Verdict {
        let mut problems = Vec::new();
        for f in &self.files {
            if let Some(e) = &f.error {
                problems.push(format!("fichier {} illisible : {e}", f.resource_type));
            }
        }
        if let Some(types) = &spec.types {
            let mut want: Vec<&str> = types.iter().map(String::as_str).collect();
            let mut got: Vec<&str> = self.manifest_types.iter().map(String::as_str).collect();
            want.sort_unstable();
            got.sort_unstable();
            got.dedup();
            if want != got {
                problems.push(format!(
                    "types exportés {}, attendu {}",
                    got.join(", "),
                    want.join(", ")
                ));
            }
        }
        for (ty, cmp) in &spec.resources {
            let n = self.per_type.get(ty).copied().unwrap_or(0);
            if !cmp.holds(n) {
                problems.push(format!("{n} ressource(s) {ty}, attendu {cmp}"));
            }
        }
        if spec.counts_match {
            for f in &self.files {
                if let Some(d) = f.declared
                    && d != f.read
                    && f.error.is_none()
                {
                    problems.push(format!(
                        "fichier {} : {} ressource(s) lue(s), le manifeste en annonce {d}",
                        f.resource_type, f.read
                    ));
                }
                if f.foreign > 0 {
                    problems.push(format!(
                        "fichier {} : {} ressource(s) d'un autre type",
                        f.resource_type, f.foreign
                    ));
                }
            }
        }
        if spec.unique && self.duplicate_count > 0 {
            problems.push(format!(
                "{} ressource(s) exportée(s) plusieurs fois : {}",
                self.duplicate_count,
                self.duplicates.join(", ")
            ));
        }
        if spec.references_resolve {
            let dangling = self.dangling();
            if !dangling.is_empty() {
                let named: Vec<String> = dangling
                    .iter()
                    .take(NAMED)
                    .map(|(from, element, to)| format!("{from}.{element} → {to}"))
                    .collect();
                problems.push(format!(
                    "{} référence(s) sans la ressource visée dans l'export : {}",
                    dangling.len(),
                    named.join(", ")
                ));
            }
        }
        let summary = format!(
            "{} fichier(s), {} ressource(s) lue(s) ({})",
            self.files.len(),
            self.resources_read(),
            self.per_type
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let expected =
            "fichiers lisibles, conformes au manifeste, sans doublon, références promises résolues";
        let actual = if problems.is_empty() {
            summary
        } else {
            format!("{summary} ; {}", problems.join(" ; "))
        };
        Verdict::new(problems.is_empty(), expected, actual)
    }

    /// The conformance verdict over every exported resource, for the aspects asked.
    pub fn conformance_verdict(&self, aspects: Aspects) -> Verdict {
        let keep = |rule: &str| {
            let family = rule.split('-').next().unwrap_or("");
            match family {
                "ROR" => aspects.profiles,
                "NOS" => aspects.nomenclatures,
                "VIS" => aspects.visibility,
                _ => true,
            }
        };
        let shown: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| keep(&f.rule))
            .cloned()
            .collect();
        let mut counts = FindingCounts::default();
        for ((rule, severity), n) in &self.rules {
            if keep(rule) {
                match severity {
                    Severity::Error => counts.errors += n,
                    Severity::Warning => counts.warnings += n,
                }
            }
        }
        findings_verdict(
            &shown,
            counts,
            &format!("{} ressource(s) exportée(s)", self.resources_read()),
        )
    }
}

/// Bytes read since the current resource began: the reader refuses to go past the limit,
/// so that one endless line or entry cannot fill memory.
#[derive(Clone)]
struct RecordMark(Rc<Cell<u64>>);

impl RecordMark {
    /// A resource was taken whole: the next one starts here.
    fn reset(&self) {
        self.0.set(0);
    }
}

/// A reader that fails once a single resource grows past `limit` bytes.
struct RecordBound<R> {
    inner: R,
    mark: RecordMark,
    limit: u64,
}

impl<R: Read> Read for RecordBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let used = self.mark.0.get();
        if used >= self.limit {
            return Err(std::io::Error::other(format!(
                "une ressource dépasse la limite de {} (max_record_mib) : lecture arrêtée",
                rorcheck_http::limits::human_size(self.limit)
            )));
        }
        let room = usize::try_from(self.limit - used).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        let read = self.inner.read(&mut buf[..n])?;
        self.mark.0.set(used + read as u64);
        Ok(read)
    }
}

/// Reads one file from `reader`, handing each resource to `tally`; no single resource may
/// take more than `max_record` bytes. Returns why reading stopped early, if it did.
pub fn scan(
    reader: impl Read,
    format: FileFormat,
    tally: &mut ExportTally,
    max_record: u64,
) -> Result<(), String> {
    let mark = RecordMark(Rc::new(Cell::new(0)));
    let reader = RecordBound {
        inner: reader,
        mark: mark.clone(),
        limit: max_record,
    };
    match format {
        FileFormat::Ndjson => {
            let stream = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
            for (n, item) in stream.enumerate() {
                let resource =
                    item.map_err(|e| format!("ressource n° {} illisible : {e}", n + 1))?;
                mark.reset();
                tally.observe(&resource);
            }
            Ok(())
        }
        FileFormat::Bundle => {
            let mut de = serde_json::Deserializer::from_reader(reader);
            BundleSeed { tally, mark }
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .map_err(|e| format!("Bundle illisible : {e}"))
        }
    }
}

/// Walks a Bundle, taking its entries one at a time.
struct BundleSeed<'a> {
    tally: &'a mut ExportTally,
    mark: RecordMark,
}

impl<'de> DeserializeSeed<'de> for BundleSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BundleSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a FHIR Bundle")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resourceType" => {
                    let ty: String = map.next_value()?;
                    if ty != "Bundle" {
                        return Err(serde::de::Error::custom(format!(
                            "resourceType {ty} au lieu de Bundle"
                        )));
                    }
                }
                "entry" => map.next_value_seed(Entries {
                    tally: &mut *self.tally,
                    mark: self.mark.clone(),
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            self.mark.reset();
        }
        Ok(())
    }
}

struct Entries<'a> {
    tally: &'a mut ExportTally,
    mark: RecordMark,
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of Bundle entries")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(entry) = seq.next_element::<Value>()? {
            self.mark.reset();
            self.tally.observe(&entry["resource"]);
        }
        Ok(())
    }
}

/// A blocking reader over chunks that arrive on a channel from the async download.
pub struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, String>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChunkReader {
    pub fn new(rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, String>>) -> Self {
        ChunkReader {
            rx,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// What the `$export` flow of a step shares.
pub struct FlowContext<'a, 'b> {
    pub step: &'a StepContext<'b>,
    pub flow: ExportFlow,
    pub client: &'a HttpClient,
    pub started: Instant,
}

/// The first bytes of a file kept as evidence.
const PREVIEW: usize = 4096;

fn fail(mut result: StepResult, reason: String) -> StepResult {
    result.status = Status::Failed;
    result.reason = Some(reason);
    result
}

/// One exchange as evidence.
fn evidence(
    label: String,
    req: &OutgoingRequest,
    resp: Option<&ReceivedResponse>,
    redactor: &Redactor,
) -> FollowUp {
    FollowUp {
        label,
        exchange: Exchange {
            request: record_request(req, redactor),
            response: resp.map(|r| record_response(r, redactor)),
            timings: resp.map(|r| r.timings.clone()),
        },
    }
}

/// Runs an `export` step: kick-off, polling to the manifest, every file read as a stream,
/// then the step's assertions (manifest) and `exported` / `conformance` (files).
#[allow(clippy::too_many_arguments)]
pub async fn run_flow(
    fc: FlowContext<'_, '_>,
    step: &Spanned<Step>,
    kickoff: OutgoingRequest,
    recorded: RecordedRequest,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    mut result: StepResult,
) -> StepResult {
    let ctx = fc.step;
    let st = &step.value;
    let finish = |mut r: StepResult| {
        r.duration_ms = fc.started.elapsed().as_secs_f64() * 1000.0;
        r
    };

    // Kick-off: 202 Accepted with the status URL in Content-Location.
    let (response, sent) = match send_follow_up(ctx, fc.client, st, &kickoff).await {
        Ok(r) => r,
        Err(e) => {
            result.status = Status::Errored;
            result.cause = super::result::Cause::of_transport(&e);
            result.reason = Some(redactor.text(&format!("lancement de l'export : {e}")));
            return without_response(result, recorded, fc.started);
        }
    };
    result.attempts += sent;
    result.exchange = Some(Exchange {
        request: recorded,
        response: Some(record_response(&response, redactor)),
        timings: Some(response.timings.clone()),
    });
    let header = |r: &ReceivedResponse, name: &str| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if response.status != 202 {
        return finish(fail(
            result,
            format!(
                "lancement de l'export : attendu 202 Accepted, obtenu HTTP {}",
                response.status
            ),
        ));
    }
    let Some(status_url) =
        header(&response, "content-location").and_then(|loc| kickoff.url.join(&loc).ok())
    else {
        return finish(fail(
            result,
            "lancement de l'export : 202 sans Content-Location utilisable".into(),
        ));
    };

    // Polling: 202 while running, waiting what Retry-After asks (bounded), then 200. The
    // whole export, files included, has one deadline.
    let bound = Duration::from_secs(fc.flow.max_wait_secs).min(ctx.target.max_retry_after);
    let deadline = Deadline::new(ctx.target.limits.export_deadline);
    let mut polls = 0;
    let manifest = loop {
        if polls >= fc.flow.max_polls {
            return finish(fail(
                result,
                format!("manifeste toujours indisponible après {polls} interrogation(s) du statut"),
            ));
        }
        if deadline.passed() {
            return finish(fail(result, deadline.reason("avant le manifeste")));
        }
        let what = "le Content-Location de l'export (URL de statut)";
        let req =
            match follow_up_request(ctx, st, &kickoff, status_url.clone(), what, redactor).await {
                Ok(r) => r,
                Err(FollowUpError::Foreign(e)) => {
                    result.assertions.push(foreign_origin_finding(
                        step.referenced.line(),
                        &e,
                        redactor,
                    ));
                    return finish(fail(result, redactor.text(&e.to_string())));
                }
                Err(e @ FollowUpError::Token(_)) => {
                    result.status = Status::Errored;
                    result.reason = Some(e.to_string());
                    return finish(result);
                }
            };
        polls += 1;
        let resp = match send_follow_up(ctx, fc.client, st, &req).await {
            Ok((r, sent)) => {
                result.attempts += sent;
                r
            }
            Err(e) => {
                result.follow_ups.push(evidence(
                    format!("interrogation {polls}"),
                    &req,
                    None,
                    redactor,
                ));
                result.status = Status::Errored;
                result.reason = Some(redactor.text(&format!("suivi de l'export : {e}")));
                return finish(result);
            }
        };
        match resp.status {
            202 => {
                if polls == 1 {
                    result.follow_ups.push(evidence(
                        "interrogation 1 (en cours)".into(),
                        &req,
                        Some(&resp),
                        redactor,
                    ));
                }
                tokio::time::sleep(deadline.clamp(retry_wait(st, &resp.headers, bound))).await;
            }
            200 => {
                result.follow_ups.push(evidence(
                    format!("manifeste (interrogation {polls})"),
                    &req,
                    Some(&resp),
                    redactor,
                ));
                break resp;
            }
            other => {
                result.follow_ups.push(evidence(
                    format!("interrogation {polls}"),
                    &req,
                    Some(&resp),
                    redactor,
                ));
                return finish(fail(
                    result,
                    format!(
                        "suivi de l'export : HTTP {other} au lieu de 202 (en cours) ou 200 (manifeste)"
                    ),
                ));
            }
        }
    };

    // The step's own assertions judge the manifest.
    let deferred = |c: &Check| matches!(c, Check::Exported(_) | Check::Conformance(_));
    let view = ResponseView::new(manifest.status, &manifest.headers, &manifest.body);
    let mut assertions = judge(st, &view, vars, ctx.fhirpath, redactor, deferred).await;

    // The files, read as streams.
    let aspects = st
        .expect
        .iter()
        .filter_map(|a| match &a.value.check {
            Check::Conformance(spec) => Some(crate::assert::aspects(spec)),
            _ => None,
        })
        .chain(ctx.check_all.then_some(Aspects::ALL))
        .reduce(Aspects::union);
    let mut tally = ExportTally::new(aspects, ctx.conformance(&kickoff));
    let parsed: Result<Value, String> =
        serde_json::from_slice(&manifest.body).map_err(|e| format!("manifeste illisible ({e})"));
    let outputs: Vec<(String, Option<u64>, String)> = match &parsed {
        Ok(m) => m["output"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                (
                    o["type"].as_str().unwrap_or("?").to_owned(),
                    o["count"].as_u64(),
                    o["url"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut foreign = None;
    for (ty, declared, url) in outputs {
        tally.manifest_types.push(ty.clone());
        tally.files.push(FileTally {
            resource_type: ty.clone(),
            declared,
            ..FileTally::default()
        });
        let what = format!("l'URL du fichier {ty} du manifeste");
        let outcome = match kickoff.url.join(&url) {
            Ok(_) if deadline.passed() => Some(deadline.reason("avant ce fichier")),
            Ok(url) => match follow_up_request(ctx, st, &kickoff, url, &what, redactor).await {
                Ok(req) => {
                    let (t, outcome) =
                        download(ctx, fc.client, &req, tally, &ty, &deadline, redactor).await;
                    tally = t;
                    result.attempts += 1;
                    result.follow_ups.push(outcome.evidence);
                    outcome.error
                }
                Err(FollowUpError::Foreign(e)) => {
                    let why = e.to_string();
                    foreign.get_or_insert(e);
                    Some(why)
                }
                Err(e @ FollowUpError::Token(_)) => Some(e.to_string()),
            },
            Err(e) => Some(format!("URL de fichier inutilisable « {url} » ({e})")),
        };
        if let (Some(e), Some(f)) = (outcome, tally.files.last_mut()) {
            f.error = Some(e);
        }
    }
    if let Err(why) = &parsed {
        tally.files.push(FileTally {
            resource_type: "manifeste".into(),
            error: Some(why.clone()),
            ..FileTally::default()
        });
    }

    for (i, a) in st.expect.iter().enumerate() {
        let verdict = match &a.value.check {
            Check::Exported(spec) => tally.judge(spec),
            Check::Conformance(spec) => tally.conformance_verdict(crate::assert::aspects(spec)),
            _ => continue,
        };
        if let Some(slot) = assertions.get_mut(i) {
            slot.status = status_of(verdict.outcome);
            slot.expected = redactor.text(&verdict.expected);
            slot.actual = redactor.text(&verdict.actual);
        }
    }
    if ctx.check_all
        && !st
            .expect
            .iter()
            .any(|a| matches!(a.value.check, Check::Conformance(_)))
    {
        let verdict = tally.conformance_verdict(Aspects::ALL);
        assertions.push(AssertionResult {
            kind: "conformance",
            line: step.referenced.line(),
            status: status_of(verdict.outcome),
            expected: verdict.expected,
            actual: redactor.text(&verdict.actual),
            warning_only: false,
            because: Some("contrôle de conformité automatique (--check-all)".into()),
        });
    }
    if let Some(e) = &foreign {
        assertions.push(foreign_origin_finding(step.referenced.line(), e, redactor));
    }
    settle(&mut result, &assertions);
    result.assertions = assertions;
    capture(st, &view, ctx.fhirpath, vars, redactor, &mut result).await;
    finish(result)
}

/// The one deadline of an export, kick-off to last file (`export_deadline_secs`).
struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    fn new(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }

    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// A wait cut so as to end by the deadline.
    fn clamp(&self, wait: Duration) -> Duration {
        wait.min(self.remaining())
    }

    fn reason(&self, when: &str) -> String {
        format!(
            "export non terminé dans le délai de {} s (export_deadline_secs) : arrêté {when}",
            self.total.as_secs()
        )
    }
}

struct Downloaded {
    evidence: FollowUp,
    error: Option<String>,
}

/// Downloads one file as a stream: chunks go to a blocking parser through a small channel,
/// so at most a few chunks and one resource are in memory at a time.
async fn download(
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
    let opened = tokio::time::timeout(deadline.remaining(), client.open(req)).await;
    let response = match opened {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return (tally, no_response(redactor.text(&e.to_string()))),
        Err(_) => {
            return (
                tally,
                no_response(deadline.reason("en attendant ce fichier")),
            );
        }
    };
    let limits = ctx.target.limits;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let headers_ms = started.elapsed().as_secs_f64() * 1000.0;
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let format = FileFormat::from_content_type(&content_type);
    let mut preview: Vec<u8> = Vec::new();
    let mut bytes: u64 = 0;
    let mut tally = tally;
    let mut error = None;
    let mut response = response;
    if status != 200 {
        error = Some(format!("HTTP {status}"));
    } else if format.is_none() {
        error = Some(format!(
            "type de contenu « {content_type} » : application/fhir+json ou application/fhir+ndjson attendu"
        ));
    }
    match (error.is_none(), format) {
        (true, Some(format)) => {
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, String>>(8);
            let max_record = limits.max_record;
            let parser = tokio::task::spawn_blocking(move || {
                let outcome = scan(ChunkReader::new(rx), format, &mut tally, max_record);
                (tally, outcome)
            });
            let mut transport_error = None;
            loop {
                // A stall mid-file fails the file as surely as a server that never answers;
                // and the export as a whole ends by its deadline.
                // Checked on every chunk: a server that never stops sending must meet the
                // deadline as surely as one that stalls.
                if deadline.passed() {
                    let why = deadline.reason("pendant la lecture de ce fichier");
                    transport_error = Some(why.clone());
                    let _ = tx.send(Err(why)).await;
                    break;
                }
                let wait = req.timeout.min(deadline.remaining());
                match tokio::time::timeout(wait, response.chunk()).await {
                    Ok(Ok(Some(chunk))) => {
                        bytes += chunk.len() as u64;
                        if bytes > limits.max_export_file {
                            let why = format!(
                                "fichier au-delà de la limite de {} (max_export_file_mib) : lecture arrêtée",
                                rorcheck_http::limits::human_size(limits.max_export_file)
                            );
                            transport_error = Some(why.clone());
                            let _ = tx.send(Err(why)).await;
                            break;
                        }
                        if preview.len() < PREVIEW {
                            let take = (PREVIEW - preview.len()).min(chunk.len());
                            preview.extend_from_slice(&chunk[..take]);
                        }
                        if tx.send(Ok(chunk.to_vec())).await.is_err() {
                            break; // the parser stopped: its error says why
                        }
                    }
                    Ok(Ok(None)) => break,
                    Ok(Err(e)) => {
                        let why = rorcheck_http::client::classify(&e, req.timeout.as_millis())
                            .to_string();
                        transport_error = Some(why.clone());
                        let _ = tx.send(Err(why)).await;
                        break;
                    }
                    Err(_) if deadline.passed() => {
                        let why = deadline.reason("pendant la lecture de ce fichier");
                        transport_error = Some(why.clone());
                        let _ = tx.send(Err(why)).await;
                        break;
                    }
                    Err(_) => {
                        let why = format!(
                            "lecture interrompue : aucune donnée pendant {} ms",
                            req.timeout.as_millis()
                        );
                        transport_error = Some(why.clone());
                        let _ = tx.send(Err(why)).await;
                        break;
                    }
                }
            }
            drop(tx);
            match parser.await {
                Ok((t, outcome)) => {
                    tally = t;
                    error = transport_error.or(outcome.err());
                }
                Err(e) => {
                    return (
                        ExportTally::default(),
                        no_response(format!("analyse du fichier interrompue : {e}")),
                    );
                }
            }
        }
        _ => {
            // Not a readable file: keep the start of its body as evidence.
            if let Ok(Ok(Some(chunk))) = tokio::time::timeout(req.timeout, response.chunk()).await {
                bytes += chunk.len() as u64;
                preview.extend_from_slice(&chunk[..chunk.len().min(PREVIEW)]);
            }
        }
    }
    if let Some(f) = tally.files.last_mut() {
        f.bytes = bytes;
    }
    let received = ReceivedResponse {
        status,
        headers,
        body: preview,
        timings: Timings {
            started_at: Some(started_at),
            headers_ms,
            total_ms: started.elapsed().as_secs_f64() * 1000.0,
        },
    };
    let mut ev = evidence(label, req, Some(&received), redactor);
    if let Some(r) = ev.exchange.response.as_mut() {
        r.body_bytes = bytes as usize;
        r.body_truncated = bytes as usize > PREVIEW;
    }
    (
        tally,
        Downloaded {
            evidence: ev,
            error,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assert::Outcome;

    fn spec(yaml: &str) -> ExportedSpec {
        serde_saphyr::from_str(yaml).expect("spec")
    }

    fn tally_of(files: &[(&str, &str, FileFormat, Option<u64>)]) -> ExportTally {
        let mut tally = ExportTally::new(None, conformance::Context::default());
        for (ty, body, format, declared) in files {
            tally.manifest_types.push((*ty).to_owned());
            tally.files.push(FileTally {
                resource_type: (*ty).to_owned(),
                declared: *declared,
                ..FileTally::default()
            });
            if let Err(e) = scan(body.as_bytes(), *format, &mut tally, u64::MAX)
                && let Some(f) = tally.files.last_mut()
            {
                f.error = Some(e);
            }
        }
        tally
    }

    const HS: &str = r#"{"resourceType":"HealthcareService","id":"hs1","providedBy":{"reference":"Organization/o1"},"location":[{"reference":"Location/l1"}]}
{"resourceType":"HealthcareService","id":"hs2","providedBy":{"reference":"Organization/o2"}}
"#;

    #[test]
    fn ndjson_and_bundle_files_are_read_resource_by_resource() {
        let org = r#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Organization","id":"o1"}},{"resource":{"resourceType":"Organization","id":"o2","partOf":{"reference":"Organization/o1"}}}],"total":2}"#;
        let t = tally_of(&[
            ("HealthcareService", HS, FileFormat::Ndjson, Some(2)),
            ("Organization", org, FileFormat::Bundle, Some(2)),
        ]);
        assert_eq!(t.per_type.get("Organization"), Some(&2));
        // Location was not exported: its reference is not judged.
        let v = t.judge(&spec(
            "{ types: [Organization, HealthcareService], resources: { HealthcareService: 2 } }",
        ));
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.actual);
    }

    #[test]
    fn each_defect_is_named() {
        let one_org = r#"{"resourceType":"Organization","id":"o1"}"#;
        let cases = [
            (
                tally_of(&[
                    ("HealthcareService", HS, FileFormat::Ndjson, Some(2)),
                    ("Organization", one_org, FileFormat::Ndjson, Some(1)),
                ]),
                "HealthcareService/hs2.providedBy → Organization/o2",
            ),
            (
                tally_of(&[("HealthcareService", HS, FileFormat::Ndjson, Some(3))]),
                "2 ressource(s) lue(s), le manifeste en annonce 3",
            ),
            (
                tally_of(&[(
                    "HealthcareService",
                    &format!("{HS}{HS}"),
                    FileFormat::Ndjson,
                    None,
                )]),
                "2 ressource(s) exportée(s) plusieurs fois",
            ),
            (
                tally_of(&[(
                    "HealthcareService",
                    "{\"resourceType\":",
                    FileFormat::Ndjson,
                    None,
                )]),
                "fichier HealthcareService illisible",
            ),
            (
                tally_of(&[("HealthcareService", one_org, FileFormat::Ndjson, None)]),
                "1 ressource(s) d'un autre type",
            ),
            (
                tally_of(&[(
                    "HealthcareService",
                    r#"{"resourceType":"Parameters"}"#,
                    FileFormat::Bundle,
                    None,
                )]),
                "resourceType Parameters au lieu de Bundle",
            ),
        ];
        for (t, needle) in cases {
            let v = t.judge(&spec("{}"));
            assert_eq!(v.outcome, Outcome::Fail, "{needle}: {}", v.actual);
            assert!(v.actual.contains(needle), "{needle} in {}", v.actual);
        }
    }

    #[test]
    fn warnings_beyond_the_kept_sample_stay_warnings() {
        // New codes (NOS-02) fill the kept sample, then retired ones (NOS-04) come, none of
        // them kept: both are warnings and must stay so.
        let offer = r#"{"resourceType":"HealthcareService","id":"hs-N","specialty":[{"coding":[{"system":"https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle","code":"CODE"}]}]}"#;
        let body: String = (0..KEPT_FINDINGS * 2)
            .map(|i| {
                let code = if i < KEPT_FINDINGS { "999" } else { "002" };
                format!(
                    "{}\n",
                    offer
                        .replace("hs-N", &format!("hs-{i}"))
                        .replace("CODE", code)
                )
            })
            .collect();
        let nomenclatures = Aspects {
            profiles: false,
            nomenclatures: true,
            graph: false,
            visibility: false,
            capability: false,
        };
        let mut tally = ExportTally::new(Some(nomenclatures), conformance::Context::default());
        tally.manifest_types.push("HealthcareService".into());
        tally.files.push(FileTally {
            resource_type: "HealthcareService".into(),
            ..FileTally::default()
        });
        scan(body.as_bytes(), FileFormat::Ndjson, &mut tally, u64::MAX).expect("reads");
        assert!(tally.findings.iter().all(|f| f.rule == "NOS-02"));
        assert!(
            tally
                .rules
                .contains_key(&("NOS-04".to_owned(), Severity::Warning))
        );
        let v = tally.conformance_verdict(nomenclatures);
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.actual);
        assert!(
            v.actual.contains(&format!(
                "0 écart(s), {} avertissement(s)",
                KEPT_FINDINGS * 2
            )),
            "{}",
            v.actual
        );
    }

    #[test]
    fn the_chunk_reader_reassembles_a_stream_cut_anywhere() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let body = HS.as_bytes().to_vec();
        std::thread::spawn(move || {
            for piece in body.chunks(7) {
                if tx.blocking_send(Ok(piece.to_vec())).is_err() {
                    return;
                }
            }
        });
        let mut tally = ExportTally::new(None, conformance::Context::default());
        tally.files.push(FileTally {
            resource_type: "HealthcareService".into(),
            ..FileTally::default()
        });
        scan(
            ChunkReader::new(rx),
            FileFormat::Ndjson,
            &mut tally,
            u64::MAX,
        )
        .expect("reads");
        assert_eq!(tally.files[0].read, 2);
    }
}
