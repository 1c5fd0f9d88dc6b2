//! Bulk extraction (`$export`, HL7 Bulk Data with the ROR's `_myCompleteExtract`): kick-off
//! answers 202 with a `Content-Location` to poll; polling answers 202 with `Retry-After` and
//! `X-Progress` until the job is ready, then 200 with the manifest; files are downloaded with
//! the same authorisation.
//!
//! Choice: with `_outputFormat=application/fhir+json` (what the real ROR accepts) each file is
//! a Bundle of type `collection`; with ndjson, one resource per line.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::search::{Search, SearchError};
use super::store::Store;

/// Types `_myCompleteExtract` adds to the exported offers.
const ASSOCIATED: &[&str] = &[
    "Organization",
    "Location",
    "PractitionerRole",
    "Practitioner",
];

/// The format of an `$export`'s files (`_outputFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One resource a line (`application/fhir+ndjson`, the default).
    Ndjson,
    /// One Bundle a file (`application/fhir+json`).
    Json,
}

impl Format {
    /// The media type of a file in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Ndjson => "application/fhir+ndjson",
            Format::Json => "application/fhir+json;charset=utf-8",
        }
    }
}

/// Output files of a job: a resource type and the resources it holds, in store order.
pub type Files = Vec<(String, Vec<usize>)>;

/// One export job: what it exports, for whom, and since when it runs.
pub(crate) struct Job {
    pub profile: u8,
    pub format: Format,
    pub started: Instant,
    pub request: String,
    pub files: Files,
    /// Status polls answered so far: the first is always « in progress », so that a
    /// client's polling is exercised even when the job is instant (the embedded run).
    pub polls: u32,
}

/// A job still running: how far, and how long to wait before asking again (0 when the
/// job is in fact done: only the first poll is kept « in progress »).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub percent: u8,
    pub retry_after_secs: u64,
}

/// The jobs of a mock.
#[derive(Default)]
pub(crate) struct Jobs {
    jobs: Mutex<HashMap<String, Job>>,
    next: std::sync::atomic::AtomicU64,
}

fn bad(param: &str, value: &str, reason: &str) -> SearchError {
    SearchError::InvalidValue {
        param: param.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

/// Parses a kick-off request and computes what the job exports.
pub fn plan(
    store: &Store,
    params: &[(String, String)],
    profile: u8,
    whole_hierarchy: bool,
    apply_type_filter: bool,
) -> Result<(Format, Files), SearchError> {
    let mut format = Format::Ndjson;

    let mut complete = false;
    let mut filters: Vec<(String, String)> = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "_outputFormat" => {
                format = match value.as_str() {
                    "application/fhir+ndjson" | "application/ndjson" | "ndjson" => Format::Ndjson,
                    "application/fhir+json" | "application/json" => Format::Json,
                    _ => return Err(bad(name, value, "format de sortie non pris en charge")),
                }
            }
            "_type" => {
                if value.split(',').any(|t| t != "HealthcareService") {
                    return Err(bad(name, value, "seul HealthcareService est exportable"));
                }
            }
            "includeAssociatedData" => {
                if value != "_myCompleteExtract" {
                    return Err(bad(
                        name,
                        value,
                        "seule la valeur _myCompleteExtract est prise en charge",
                    ));
                }
                complete = true;
            }
            "_typeFilter" => {
                let query = value
                    .strip_prefix("HealthcareService?")
                    .ok_or_else(|| bad(name, value, "HealthcareService?… attendu"))?;
                if !apply_type_filter {
                    continue;
                }
                filters.extend(
                    url::form_urlencoded::parse(query.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned())),
                );
            }
            _ => {
                return Err(SearchError::UnknownParameter {
                    resource: "$export".into(),
                    param: name.clone(),
                });
            }
        }
    }
    let offers: Vec<usize> = Search::parse_for("HealthcareService", &filters, profile)?
        .matches(store)
        .into_iter()
        .filter(|i| !store.all[*i].hidden_from(profile))
        .collect();
    let mut files = vec![("HealthcareService".to_owned(), offers.clone())];
    if complete {
        let mut related: BTreeSet<usize> = BTreeSet::new();
        // From the references resolved when the store was built: no resource is read.
        for &o in &offers {
            let offer = &store.all[o];
            if let Some(org) = offer.targets("HealthcareService:organization").next() {
                if whole_hierarchy {
                    related.extend(store.org_chain(org));
                } else {
                    related.insert(org);
                }
            }
            related.extend(offer.targets("HealthcareService:location"));
            for &role in store.roles_of_service(&offer.key()) {
                related.insert(role);
                related.extend(store.all[role].targets("PractitionerRole:practitioner"));
            }
        }
        for ty in ASSOCIATED {
            let of_type: Vec<usize> = related
                .iter()
                .copied()
                .filter(|i| {
                    &*store.all[*i].resource_type == *ty && !store.all[*i].hidden_from(profile)
                })
                .collect();
            files.push(((*ty).to_owned(), of_type));
        }
    }

    Ok((format, files))
}

impl Jobs {
    pub fn start(&self, job: Job) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("export-{n:06}");
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id.clone(), job);
        }
        id
    }

    /// `None`: unknown job. `Some(Err(progress))`: still running. `Some(Ok(manifest))`: done.
    pub fn poll(
        &self,
        id: &str,
        profile: u8,
        delay: Duration,
        base_url: &str,
    ) -> Option<Result<Value, Progress>> {
        let mut jobs = self.jobs.lock().ok()?;
        let job = jobs.get_mut(id).filter(|j| j.profile == profile)?;
        let elapsed = job.started.elapsed();
        let first = job.polls == 0;
        job.polls += 1;
        if elapsed < delay || first {
            let pct = if delay.is_zero() {
                0
            } else {
                (elapsed.as_secs_f64() / delay.as_secs_f64() * 100.0).min(99.0) as u8
            };
            return Some(Err(Progress {
                percent: pct,
                retry_after_secs: u64::from(elapsed < delay),
            }));
        }
        let output: Vec<Value> = job
            .files
            .iter()
            .map(|(ty, items)| {
                json!({
                    "type": ty,
                    "url": format!("{base_url}/$export-get-file?_jobId={id}&file={ty}"),
                    "count": items.len()
                })
            })
            .collect();
        Some(Ok(json!({
            "transactionTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "request": job.request,
            "requiresAccessToken": true,
            "output": output,
            "error": []
        })))
    }

    /// The body of one output file, if the job is ready and belongs to this profile.
    /// The resources of one output file (indices into the store).
    pub fn items(&self, id: &str, ty: &str) -> Vec<usize> {
        let Ok(jobs) = self.jobs.lock() else {
            return Vec::new();
        };
        jobs.get(id)
            .and_then(|j| j.files.iter().find(|(t, _)| t == ty))
            .map(|(_, items)| items.clone())
            .unwrap_or_default()
    }

    pub fn file(
        &self,
        store: std::sync::Arc<Store>,
        id: &str,
        ty: &str,
        profile: u8,
        delay: Duration,
    ) -> Option<(Format, FileBody)> {
        let jobs = self.jobs.lock().ok()?;
        let job = jobs
            .get(id)
            .filter(|j| j.profile == profile && j.started.elapsed() >= delay && j.polls > 0)?;
        let (_, items) = job.files.iter().find(|(t, _)| t == ty)?;
        Some((
            job.format,
            FileBody::new(store, items.clone(), profile, job.format),
        ))
    }
}

/// An output file, rendered from the store a slice of resources at a time as the client
/// reads it: a national export is never held whole in memory.
pub struct FileBody {
    store: std::sync::Arc<Store>,
    items: std::vec::IntoIter<usize>,
    profile: u8,
    format: Format,
    /// The Bundle's head still to send (JSON format), then whether an entry was sent.
    head: Option<String>,
    first: bool,
    done: bool,
}

/// Resources rendered per chunk of an output file.
const CHUNK: usize = 64;

impl FileBody {
    fn new(store: std::sync::Arc<Store>, items: Vec<usize>, profile: u8, format: Format) -> Self {
        let head = (format == Format::Json).then(|| {
            // The total counts what the profile may see, from the facts: nothing rendered yet.
            let total = items
                .iter()
                .filter(|i| store.all.get(**i).is_some_and(|s| !s.hidden_from(profile)))
                .count();
            format!(r#"{{"resourceType":"Bundle","type":"collection","total":{total},"entry":["#)
        });
        FileBody {
            store,
            items: items.into_iter(),
            profile,
            format,
            head,
            first: true,
            done: false,
        }
    }

    /// The next piece of the file, `None` once it is all sent.
    fn next_chunk(&mut self) -> Option<String> {
        if self.done {
            return None;
        }
        let mut out = self.head.take().unwrap_or_default();
        for i in self.items.by_ref().take(CHUNK) {
            let Some(text) = self
                .store
                .all
                .get(i)
                .and_then(|s| s.rendered_once(self.profile))
            else {
                continue;
            };
            match self.format {
                Format::Ndjson => {
                    out.push_str(&text);
                    out.push('\n');
                }
                Format::Json => {
                    if !std::mem::take(&mut self.first) {
                        out.push(',');
                    }
                    out.push_str(r#"{"resource":"#);
                    out.push_str(&text);
                    out.push('}');
                }
            }
        }
        if self.items.len() == 0 {
            self.done = true;
            if self.format == Format::Json {
                out.push_str("]}");
            }
        }
        Some(out)
    }
}

impl axum::body::HttpBody for FileBody {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let chunk = self.get_mut().next_chunk();
        std::task::Poll::Ready(chunk.map(|c| Ok(hyper::body::Frame::data(c.into()))))
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}
