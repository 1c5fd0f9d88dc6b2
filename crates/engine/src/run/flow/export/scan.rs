//! Parsing an output file as a stream, one resource at a time (ndjson lines or Bundle
//! entries), each bounded in size; a blocking parser fed by the download's chunks.

use rorcheck_i18n::{Lang, t};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::{Arc, Mutex, mpsc};

use rorcheck_conformance::Tree;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::deadline::DeadlinePassed;
use super::tally::{Examined, Examiner, ExportTally, FileFormat};

/// Bytes read since the current resource began: the reader refuses to go past the limit,
/// so that one endless line or entry cannot fill memory.
#[derive(Clone)]
pub(super) struct RecordMark(Rc<Cell<u64>>);

impl RecordMark {
    /// A resource was taken whole: the next one starts here.
    fn reset(&self) {
        self.0.set(0);
    }
}

/// A reader that fails once a single resource grows past `limit` bytes.
pub(super) struct RecordBound<R> {
    inner: R,
    mark: RecordMark,
    limit: u64,
}

impl<R: Read> Read for RecordBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let used = self.mark.0.get();
        if used >= self.limit {
            return Err(std::io::Error::other(t!(
                Lang::current(),
                "x-record-limit",
                limit = rorcheck_http::limits::human_size(self.limit)
            )));
        }
        let room = usize::try_from(self.limit - used).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        let read = self.inner.read(&mut buf[..n])?;
        self.mark.0.set(used + read as u64);
        Ok(read)
    }
}

/// How much of a file is read ahead of the parser.
const READ_AHEAD: usize = 64 * 1024;

/// Reads one file from `reader`, handing each resource to `tally`; no single resource may
/// take more than `max_record` bytes (a Bundle entry: give or take one read-ahead of
/// [`READ_AHEAD`], counted as the parser pulls it). Returns why reading stopped early, if
/// it did.
///
/// This thread reads and cuts the file into resources; parsing and checking them, most of
/// the work, is spread over one thread a core ([`Dispatch`]); they are counted in file
/// order, so the report is the same whatever the threads.
pub fn scan(
    reader: impl Read,
    format: FileFormat,
    tally: &mut ExportTally,
    max_record: u64,
) -> Result<(), ScanError> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    scan_on(reader, format, tally, max_record, workers)
}

/// [`scan`] with `workers` threads examining the resources (1: this thread alone).
pub(super) fn scan_on(
    reader: impl Read,
    format: FileFormat,
    tally: &mut ExportTally,
    max_record: u64,
    workers: usize,
) -> Result<(), ScanError> {
    std::thread::scope(|scope| {
        let mut dispatch = Dispatch::new(tally, workers, scope);
        let read = match format {
            FileFormat::Ndjson => read_lines(reader, max_record, &mut dispatch),
            FileFormat::Bundle => read_bundle(reader, max_record, &mut dispatch),
        };
        // A resource that could not be parsed comes before whatever stopped the reading.
        dispatch.finish().and(read)
    })
}

/// Cuts an ndjson file into its lines.
fn read_lines(
    reader: impl Read,
    max_record: u64,
    dispatch: &mut Dispatch,
) -> Result<(), ScanError> {
    let mut reader = BufReader::with_capacity(READ_AHEAD, reader);
    let mut n = 0;
    loop {
        let mut line = Vec::new();
        let more = bounded_line(&mut reader, &mut line, max_record)
            .map_err(|source| ScanError::Read { n: n + 1, source })?;
        if !more {
            return Ok(());
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        n += 1;
        if !dispatch.push(Item::Line { n, bytes: line }) {
            return Ok(());
        }
    }
}

/// Cuts a Bundle file into its entries, kept as text.
fn read_bundle(
    reader: impl Read,
    max_record: u64,
    dispatch: &mut Dispatch,
) -> Result<(), ScanError> {
    let mark = RecordMark(Rc::new(Cell::new(0)));
    let reader = RecordBound {
        inner: reader,
        mark: mark.clone(),
        limit: max_record,
    };
    // Buffered above the bound: the parser reads a byte at a time, and std reads those
    // straight from a `BufReader`'s buffer.
    let mut de =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(READ_AHEAD, reader));
    let walked = BundleSeed { dispatch, mark }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match walked {
        Ok(()) => Ok(()),
        // Stopped because an entry could not be read: `finish` says which.
        Err(_) if dispatch.stopped() => Ok(()),
        Err(e) => Err(ScanError::Bundle(e)),
    }
}

/// Reads up to the next `\n` (left out) into `line`, failing past `limit` bytes; `false` at
/// the end of the stream with nothing read.
fn bounded_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, ends) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if (line.len() + take) as u64 > limit {
            return Err(std::io::Error::other(t!(
                Lang::current(),
                "x-record-limit",
                limit = rorcheck_http::limits::human_size(limit)
            )));
        }
        line.extend_from_slice(&buf[..take]);
        reader.consume(take + usize::from(ends));
        if ends {
            return Ok(true);
        }
    }
}

/// One resource as cut from the file, not parsed yet.
enum Item {
    /// An ndjson line, its number in the file from 1.
    Line { n: usize, bytes: Vec<u8> },
    /// A Bundle entry.
    Entry(Box<RawValue>),
}

impl Item {
    fn len(&self) -> usize {
        match self {
            Item::Line { bytes, .. } => bytes.len(),
            Item::Entry(raw) => raw.get().len(),
        }
    }

    /// Parses and examines it.
    fn examine(self, examiner: &Examiner) -> Result<Examined, ScanError> {
        match self {
            Item::Line { n, bytes } => parse_line(&bytes)
                .map(|resource| examiner.examine(&resource))
                .map_err(|source| ScanError::Resource { n, source }),
            Item::Entry(raw) => Tree::parse(raw.get())
                .map(|entry| examiner.examine(&entry["resource"]))
                .map_err(ScanError::Bundle),
        }
    }
}

/// An ndjson line as a resource, its strings borrowed from the line. Its UTF-8 is checked
/// once, whole, then parsed as text: parsing bytes checks each string on its own, ~15 % of
/// the parse for resources made of short strings. Invalid UTF-8 is parsed as bytes, for
/// serde_json's own wording of where.
fn parse_line(bytes: &[u8]) -> Result<Tree<'_>, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Tree::parse(text),
        // Parsed as bytes, for serde_json's words and place (line, column) of the break.
        Err(utf8) => match serde_json::from_slice::<serde_json::Value>(bytes) {
            Err(e) => Err(e),
            // Not expected (a byte outside a string is JSON syntax, so ASCII), but a line
            // that is not UTF-8 is refused whatever the parser says.
            Ok(_) => Err(serde::de::Error::custom(utf8)),
        },
    }
}

/// A batch examined: its resources in order, then the error that ended it, if one did.
type Examinations = (Vec<Examined>, Option<ScanError>);

/// Resources handed to the workers at once, and the bytes that close a batch sooner.
const BATCH: usize = 64;
const BATCH_BYTES: usize = 1024 * 1024;

/// Hands resources to worker threads in numbered batches and counts their results into
/// the tally in file order. At most two batches a worker are in flight, so memory stays
/// bounded by the batch size (and `max_record`), not by the file. With one core it examines
/// each resource at once, on this thread.
struct Dispatch<'t> {
    tally: &'t mut ExportTally,
    examiner: Examiner,
    pool: Option<Pool>,
    batch: Vec<Item>,
    batch_bytes: usize,
    /// The first resource that could not be read, in file order: nothing after it counts.
    error: Option<ScanError>,
}

struct Pool {
    work: Option<mpsc::SyncSender<(u64, Vec<Item>)>>,
    done: mpsc::Receiver<(u64, std::thread::Result<Examinations>)>,
    in_flight: usize,
    sent: u64,
    next: u64,
    arrived: BTreeMap<u64, std::thread::Result<Examinations>>,
}

impl<'t> Dispatch<'t> {
    fn new<'scope>(
        tally: &'t mut ExportTally,
        workers: usize,
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) -> Self {
        let examiner = tally.examiner();
        let pool = (workers > 1).then(|| {
            let in_flight = 2 * workers;
            let (work, queue) = mpsc::sync_channel::<(u64, Vec<Item>)>(in_flight);
            let queue = Arc::new(Mutex::new(queue));
            let (report, done) = mpsc::channel();
            for _ in 0..workers {
                let queue = queue.clone();
                let report = report.clone();
                let examiner = examiner.clone();
                scope.spawn(move || {
                    loop {
                        let next = queue.lock().map(|q| q.recv());
                        let Ok(Ok((seq, batch))) = next else { return };
                        // A panic in a check is carried back and resumed on the reading
                        // thread, as if it had examined the batch itself.
                        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            examine_batch(batch, &examiner)
                        }));
                        if report.send((seq, result)).is_err() {
                            return;
                        }
                    }
                });
            }
            Pool {
                work: Some(work),
                done,
                in_flight,
                sent: 0,
                next: 0,
                arrived: BTreeMap::new(),
            }
        });
        Dispatch {
            tally,
            examiner,
            pool,
            batch: Vec::new(),
            batch_bytes: 0,
            error: None,
        }
    }

    /// Whether a resource that could not be read has stopped the file.
    fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// Takes the next resource of the file; `false` once the file is stopped.
    fn push(&mut self, item: Item) -> bool {
        if self.stopped() {
            return false;
        }
        if self.pool.is_none() {
            match item.examine(&self.examiner) {
                Ok(examined) => self.tally.record(examined),
                Err(e) => self.error = Some(e),
            }
            return !self.stopped();
        }
        self.batch_bytes += item.len();
        self.batch.push(item);
        if self.batch.len() >= BATCH || self.batch_bytes >= BATCH_BYTES {
            self.send_batch();
        }
        !self.stopped()
    }

    fn send_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        while self
            .pool
            .as_ref()
            .is_some_and(|pool| pool.sent - pool.next >= pool.in_flight as u64)
        {
            if !self.count_one_arrival() {
                return;
            }
        }
        let Some(pool) = self.pool.as_mut() else {
            return;
        };
        if let Some(work) = &pool.work
            && work.send((pool.sent, batch)).is_ok()
        {
            pool.sent += 1;
        }
    }

    /// Waits for one batch and counts every batch now ready in order; `false` when no
    /// worker is left to answer.
    fn count_one_arrival(&mut self) -> bool {
        let Some(pool) = self.pool.as_mut() else {
            return false;
        };
        let Ok((seq, result)) = pool.done.recv() else {
            return false;
        };
        pool.arrived.insert(seq, result);
        while let Some(result) = pool.arrived.remove(&pool.next) {
            pool.next += 1;
            match result {
                Ok((examined, error)) => {
                    if self.error.is_none() {
                        for e in examined {
                            self.tally.record(e);
                        }
                        self.error = error;
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        true
    }

    /// Sends what is left, waits for every batch in flight, and says why the file stopped
    /// early, if a resource could not be read.
    fn finish(mut self) -> Result<(), ScanError> {
        self.send_batch();
        if let Some(pool) = self.pool.as_mut() {
            // Closing the queue ends the workers once it is empty.
            pool.work = None;
        }
        while self.pool.as_ref().is_some_and(|pool| pool.next < pool.sent) {
            if !self.count_one_arrival() {
                break;
            }
        }
        self.error.map_or(Ok(()), Err)
    }
}

/// Parses and examines a batch in order, up to the first resource that cannot be read.
fn examine_batch(batch: Vec<Item>, examiner: &Examiner) -> Examinations {
    let mut examined = Vec::with_capacity(batch.len());
    for item in batch {
        match item.examine(examiner) {
            Ok(e) => examined.push(e),
            Err(error) => return (examined, Some(error)),
        }
    }
    (examined, None)
}

/// Walks a Bundle, handing its entries over one at a time.
pub(super) struct BundleSeed<'a, 't> {
    dispatch: &'a mut Dispatch<'t>,
    mark: RecordMark,
}

impl<'de> DeserializeSeed<'de> for BundleSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BundleSeed<'_, '_> {
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
                        return Err(serde::de::Error::custom(t!(
                            Lang::current(),
                            "x-not-bundle",
                            ty = ty
                        )));
                    }
                }
                "entry" => map.next_value_seed(Entries {
                    dispatch: &mut *self.dispatch,
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

pub(super) struct Entries<'a, 't> {
    dispatch: &'a mut Dispatch<'t>,
    mark: RecordMark,
}

impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of Bundle entries")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(entry) = seq.next_element::<Box<RawValue>>()? {
            self.mark.reset();
            if !self.dispatch.push(Item::Entry(entry)) {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// A blocking reader over chunks that arrive on a channel from the async download.
pub struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, ReadStopped>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChunkReader {
    /// A reader over the chunks `rx` receives.
    pub fn new(rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, ReadStopped>>) -> Self {
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

/// Why the download stopped feeding the parser before the end of the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadStopped {
    /// The export's one deadline passed.
    #[error(transparent)]
    Deadline(#[from] DeadlinePassed),
    /// The file went past `max_export_file_mib`.
    #[error("{}", t!(Lang::current(), "x-file-limit", limit = rorcheck_http::limits::human_size(*.limit)))]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The connection failed.
    #[error(transparent)]
    Transport(#[from] rorcheck_http::TransportError),
    /// Nothing arrived for the request's timeout.
    #[error("{}", t!(Lang::current(), "x-stalled", ms = ms.to_string()))]
    Stalled {
        /// The timeout, in milliseconds.
        ms: u128,
    },
}

/// Why a file could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// An ndjson line that is not a resource (or a read that stopped inside it).
    #[error("ressource n° {n} illisible : {source}")]
    Resource {
        /// Its number in the file, from 1.
        n: usize,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// The file could not be read up to the end of an ndjson line (a resource too large,
    /// the download stopped).
    #[error("ressource n° {n} illisible : {source}")]
    Read {
        /// Its number in the file, from 1.
        n: usize,
        /// Why.
        source: std::io::Error,
    },
    /// A Bundle file that is not one (or a read that stopped inside it).
    #[error("Bundle illisible : {0}")]
    Bundle(serde_json::Error),
}
