//! Reports of a run or an observed session: one module a format, each rendering both kinds
//! of [`Document`]; [`write_all`] writes every format of [`FORMATS`].

pub mod archive;
pub mod console;
mod diff;
pub mod har;
pub mod html;
pub mod json;
pub mod junit;

use std::path::{Path, PathBuf};

use rorcheck_engine::run::RunReport;
use rorcheck_observe::ObserveReport;

/// What a report describes: a run against a target, or an observed session. Every format
/// renders both, so a new format is one module and one line of [`FORMATS`].
#[derive(Debug, Clone, Copy)]
pub enum Document<'a> {
    /// `rorcheck run`.
    Run(&'a RunReport),
    /// `rorcheck observe`.
    Observation(&'a ObserveReport),
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report directory could not be created.
    #[error("cannot create report directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A format could not be rendered.
    #[error("cannot render {format}: {source}")]
    Render {
        /// The file name of the format.
        format: &'static str,
        /// The renderer's error.
        source: RenderError,
    },
}

/// What a renderer (askama, quick-junit, serde_json) said when it failed.
pub(crate) type RenderError = Box<dyn std::error::Error + Send + Sync>;

/// The run's verdict in the run's language, as the page and the console show it
/// (`report.json` keeps the French key, a stable value for machines).
pub fn verdict_label(report: &rorcheck_engine::run::RunReport) -> String {
    use rorcheck_engine::run::result::Verdict;
    let l = rorcheck_i18n::Lang::current();
    match report.verdict() {
        Verdict::Conforme => rorcheck_i18n::t!(l, "verdict-compliant"),
        Verdict::NonConforme => rorcheck_i18n::t!(l, "verdict-non-compliant"),
        Verdict::Incomplet => rorcheck_i18n::t!(l, "verdict-incomplete"),
        Verdict::Interrompu => rorcheck_i18n::t!(l, "verdict-interrupted"),
    }
}

/// One report format: its file name and how it writes a document (`None` when the format
/// does not apply to that kind of document).
pub struct Format {
    /// File name in the report directory.
    pub file: &'static str,
    /// Writes the document into `out`.
    pub render: fn(Document<'_>, &mut dyn std::io::Write) -> Option<Result<(), RenderError>>,
}

/// Writes a format rendered as text.
fn text(
    out: &mut dyn std::io::Write,
    text: Result<String, RenderError>,
) -> Result<(), RenderError> {
    out.write_all(text?.as_bytes()).map_err(RenderError::from)
}

/// Every format [`write_all`] writes, in order.
pub(crate) const FORMATS: [Format; 4] = [
    Format {
        file: "junit.xml",
        render: |doc, out| {
            Some(text(
                out,
                match doc {
                    Document::Run(r) => junit::render(r),
                    Document::Observation(o) => junit::observation(o),
                }
                .map_err(RenderError::from),
            ))
        },
    },
    Format {
        file: "report.html",
        render: |doc, out| {
            Some(text(
                out,
                match doc {
                    Document::Run(r) => html::render(r),
                    Document::Observation(o) => html::observation(o),
                }
                .map_err(RenderError::from),
            ))
        },
    },
    // The largest (every body, whole): streamed, never held as one string.
    Format {
        file: "report.json",
        render: |doc, out| {
            Some(
                match doc {
                    Document::Run(r) => json::write(r, out),
                    Document::Observation(o) => json::write_observation(o, out),
                }
                .map_err(RenderError::from),
            )
        },
    },
    // A run's exchanges go into the evidence archive (`--evidence`); a session's always
    // sit beside its reports.
    Format {
        file: "session.har",
        render: |doc, out| match doc {
            Document::Run(_) => None,
            Document::Observation(o) => Some(text(
                out,
                har::observation(o).to_json().map_err(RenderError::from),
            )),
        },
    },
];

/// The files written by [`write_all`].
#[derive(Debug, Clone)]
pub struct Written {
    /// `junit.xml`.
    pub junit: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// `report.json`.
    pub json: PathBuf,
    /// `session.har`, written beside the reports of an observation.
    pub har: Option<PathBuf>,
}

pub use rorcheck_http::evidence::PASSING_BODY_KEPT as PASSING_BODY_SHOWN;

/// The start of a body, cut at a character boundary.
pub(crate) fn head(body: &str, max: usize) -> &str {
    let mut end = max.min(body.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// Writes every format of `doc` into `dir`. Each is written to a `.part` file first and
/// renamed only once all of them were written, so a rendering or disk error leaves no partial
/// set of reports (and no half-written file under a report's name).
pub fn write_all(doc: Document<'_>, dir: &Path) -> Result<Written, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let mut parts: Vec<(&'static str, PathBuf)> = Vec::new();
    let discard = |parts: &[(&'static str, PathBuf)]| {
        for (_, part) in parts {
            let _ = std::fs::remove_file(part);
        }
    };
    // Each format on a thread of its own: the run is over and the cores are free.
    let written: Vec<_> = std::thread::scope(|scope| {
        let writing: Vec<_> = FORMATS
            .iter()
            .map(|format| {
                let part = dir.join(format!("{}.part", format.file));
                scope.spawn(move || (format.file, write_part(format, doc, &part), part))
            })
            .collect();
        writing
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut failed = None;
    for (file, written, part) in written {
        match written {
            Ok(false) => {}
            Ok(true) => parts.push((file, part)),
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                failed.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failed {
        discard(&parts);
        return Err(e);
    }
    let mut paths = Vec::new();
    for (file, part) in &parts {
        let path = dir.join(file);
        if let Err(source) = std::fs::rename(part, &path) {
            discard(&parts);
            return Err(ReportError::Write { path, source });
        }
        paths.push((*file, path));
    }
    let take = |name: &str| {
        paths
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, p)| p.clone())
    };
    Ok(Written {
        junit: take("junit.xml").unwrap_or_default(),
        html: take("report.html").unwrap_or_default(),
        json: take("report.json").unwrap_or_default(),
        har: take("session.har"),
    })
}

/// Writes one format into `part`; `false` when the format does not apply to `doc`.
fn write_part(format: &Format, doc: Document<'_>, part: &Path) -> Result<bool, ReportError> {
    let write_err = |source: std::io::Error| ReportError::Write {
        path: part.to_owned(),
        source,
    };
    let file = std::fs::File::create(part).map_err(write_err)?;
    let mut out = std::io::BufWriter::new(file);
    match (format.render)(doc, &mut out) {
        None => {
            drop(out);
            let _ = std::fs::remove_file(part);
            Ok(false)
        }
        Some(Err(source)) => Err(ReportError::Render {
            format: format.file,
            source,
        }),
        Some(Ok(())) => {
            use std::io::Write;
            out.flush().map_err(write_err)?;
            Ok(true)
        }
    }
}
