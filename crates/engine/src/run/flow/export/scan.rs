//! Parsing an output file as a stream, one resource at a time (ndjson lines or Bundle
//! entries), each bounded in size; a blocking parser fed by the download's chunks.

use rorcheck_i18n::{Lang, t};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::deadline::DeadlinePassed;
use super::tally::{ExportTally, FileFormat};

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
pub fn scan(
    reader: impl Read,
    format: FileFormat,
    tally: &mut ExportTally,
    max_record: u64,
) -> Result<(), ScanError> {
    match format {
        FileFormat::Ndjson => {
            // Line by line, each parsed from its bytes: serde_json parses a slice several
            // times faster than a reader it must pull one byte at a time.
            let mut reader = BufReader::with_capacity(READ_AHEAD, reader);
            let mut line = Vec::new();
            let mut n = 0;
            loop {
                line.clear();
                let more = bounded_line(&mut reader, &mut line, max_record)
                    .map_err(|source| ScanError::Read { n: n + 1, source })?;
                if !more {
                    return Ok(());
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                n += 1;
                let resource: Value = serde_json::from_slice(&line)
                    .map_err(|source| ScanError::Resource { n, source })?;
                tally.observe(&resource);
            }
        }
        FileFormat::Bundle => {
            let mark = RecordMark(Rc::new(Cell::new(0)));
            let reader = RecordBound {
                inner: reader,
                mark: mark.clone(),
                limit: max_record,
            };
            // Buffered above the bound: the parser reads a byte at a time, and std reads
            // those straight from a `BufReader`'s buffer.
            let mut de =
                serde_json::Deserializer::from_reader(BufReader::with_capacity(READ_AHEAD, reader));
            BundleSeed { tally, mark }
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .map_err(ScanError::Bundle)
        }
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
        let (take, ends) = match buf.iter().position(|&b| b == b'\n') {
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

/// Walks a Bundle, taking its entries one at a time.
pub(super) struct BundleSeed<'a> {
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
                        return Err(serde::de::Error::custom(t!(
                            Lang::current(),
                            "x-not-bundle",
                            ty = ty
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

pub(super) struct Entries<'a> {
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
