//! Reports: one module a format, each reading the same [`RunReport`].

pub mod archive;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;

use std::path::{Path, PathBuf};

use rorcheck_engine::run::RunReport;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create report directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render {format}: {reason}")]
    Render {
        format: &'static str,
        reason: String,
    },
}

/// The files written by [`write_all`].
#[derive(Debug, Clone)]
pub struct Written {
    pub junit: PathBuf,
    pub html: PathBuf,
    pub json: PathBuf,
    /// `session.har`, written beside the reports of an observation.
    pub har: Option<PathBuf>,
}

fn write(path: PathBuf, text: &str) -> Result<PathBuf, ReportError> {
    std::fs::write(&path, text).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Writes `junit.xml`, `report.html` and `report.json` into `dir`.
pub fn write_all(report: &RunReport, dir: &Path) -> Result<Written, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let junit = junit::render(report).map_err(|e| ReportError::Render {
        format: "junit.xml",
        reason: e.to_string(),
    })?;
    let html = html::render(report).map_err(|e| ReportError::Render {
        format: "report.html",
        reason: e.to_string(),
    })?;
    let json = json::render(report).map_err(|e| ReportError::Render {
        format: "report.json",
        reason: e.to_string(),
    })?;
    Ok(Written {
        junit: write(dir.join("junit.xml"), &junit)?,
        html: write(dir.join("report.html"), &html)?,
        json: write(dir.join("report.json"), &json)?,
        har: None,
    })
}
