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

/// One report format: its file name and how it renders a document (`None` when the format
/// does not apply to that kind of document).
pub struct Format {
    /// File name in the report directory.
    pub file: &'static str,
    /// The rendered text.
    pub render: fn(Document<'_>) -> Option<Result<String, RenderError>>,
}

/// Every format [`write_all`] writes, in order.
pub(crate) const FORMATS: [Format; 4] = [
    Format {
        file: "junit.xml",
        render: |doc| {
            Some(
                match doc {
                    Document::Run(r) => junit::render(r),
                    Document::Observation(o) => junit::observation(o),
                }
                .map_err(RenderError::from),
            )
        },
    },
    Format {
        file: "report.html",
        render: |doc| {
            Some(
                match doc {
                    Document::Run(r) => html::render(r),
                    Document::Observation(o) => html::observation(o),
                }
                .map_err(RenderError::from),
            )
        },
    },
    Format {
        file: "report.json",
        render: |doc| {
            Some(
                match doc {
                    Document::Run(r) => json::render(r),
                    Document::Observation(o) => json::observation(o),
                }
                .map_err(RenderError::from),
            )
        },
    },
    // A run's exchanges go into the evidence archive (`--evidence`); a session's always
    // sit beside its reports.
    Format {
        file: "session.har",
        render: |doc| match doc {
            Document::Run(_) => None,
            Document::Observation(o) => {
                Some(har::observation(o).to_json().map_err(RenderError::from))
            }
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

/// Renders every format of `doc` and writes them into `dir`. Everything is rendered before
/// anything is written, so a rendering error leaves no partial set of reports.
pub fn write_all(doc: Document<'_>, dir: &Path) -> Result<Written, ReportError> {
    let mut rendered = Vec::new();
    for format in &FORMATS {
        if let Some(text) = (format.render)(doc) {
            let text = text.map_err(|source| ReportError::Render {
                format: format.file,
                source,
            })?;
            rendered.push((format.file, text));
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths = Vec::new();
    for (file, text) in rendered {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        paths.push((file, path));
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
