//! The readiness dossier (`--evidence FILE.zip`): the three reports, the session's exchanges
//! as a HAR 1.2 file, and a manifest with the SHA-256 of every file, the tool version, the
//! scenario-set hash, the target and the times — what a vendor hands to the ROR programme
//! team, checkable file by file.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ReportError;

/// What the manifest says of the dossier as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct DossierInfo {
    /// `run` or `observe`.
    pub mode: &'static str,
    /// The tool that wrote the dossier (`rorcheck`).
    pub tool: &'static str,
    /// Its version.
    pub version: &'static str,
    /// SHA-256 of the scenario files, as in the reports.
    pub scenario_set_hash: String,
    /// What was judged: the target, or the observed application.
    pub target: String,
    /// When the run or session started (RFC 3339).
    pub started_at: String,
    /// When it ended (RFC 3339).
    pub finished_at: String,
    /// Its verdict, as the reports say it.
    pub verdict: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(flatten)]
    info: &'a DossierInfo,
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestFile {
    name: String,
    bytes: usize,
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the zip: `files` as given, then `manifest.json` listing each with its SHA-256.
pub fn write_dossier(
    path: &Path,
    info: &DossierInfo,
    files: &[(&str, Vec<u8>)],
) -> Result<(), ReportError> {
    let write_err = |source: std::io::Error| ReportError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
    }
    let file = std::fs::File::create(path).map_err(write_err)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zip_err = |e: zip::result::ZipError| ReportError::Render {
        format: "zip",
        source: e.into(),
    };
    let mut listed = Vec::new();
    for (name, bytes) in files {
        zip.start_file(*name, options).map_err(zip_err)?;
        zip.write_all(bytes).map_err(write_err)?;
        listed.push(ManifestFile {
            name: (*name).to_owned(),
            bytes: bytes.len(),
            sha256: hex(&Sha256::digest(bytes)),
        });
    }
    let manifest = serde_json::to_vec_pretty(&Manifest {
        info,
        files: listed,
    })
    .map_err(|e| ReportError::Render {
        format: "manifest.json",
        source: e.into(),
    })?;
    zip.start_file("manifest.json", options).map_err(zip_err)?;
    zip.write_all(&manifest).map_err(write_err)?;
    zip.finish().map_err(zip_err)?;
    Ok(())
}
