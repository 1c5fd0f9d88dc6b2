//! The scenario catalogue embedded in the binary (`build.rs`), so that an installed
//! `rorcheck` runs the whole catalogue from any directory, and `rorcheck scenarios export`
//! writes them out for vendors who add their own.

use std::path::{Path, PathBuf};

use rorcheck_scenario::{LoadErrors, ScenarioSet};

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// Where the catalogue lives in a checkout, and the paths its files are reported under.
pub const DIR: &str = "scenarios";

/// The embedded catalogue, loaded and checked like files under `scenarios/`.
pub fn embedded() -> Result<ScenarioSet, LoadErrors> {
    let files: Vec<(PathBuf, &str)> = CATALOGUE
        .iter()
        .map(|(path, text)| (Path::new(DIR).join(path), *text))
        .collect();
    rorcheck_scenario::load_texts(&files)
}

/// The scenarios of `paths`; with none, `./scenarios` when it exists (a checkout, or a
/// vendor's exported and edited catalogue), else the embedded catalogue.
pub fn load(paths: &[PathBuf]) -> Result<ScenarioSet, LoadErrors> {
    if !paths.is_empty() {
        return rorcheck_scenario::load(paths);
    }
    if Path::new(DIR).is_dir() {
        return rorcheck_scenario::load(&[PathBuf::from(DIR)]);
    }
    embedded()
}

/// Why the catalogue could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file is already there (`--force` replaces it).
    #[error("{0} exists already (--force replaces it)")]
    Exists(PathBuf),
    /// A directory or a file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Writes every scenario file under `dir` (its sub-directories kept); returns how many.
pub fn export(dir: &Path, force: bool) -> Result<usize, ExportError> {
    for (path, _) in CATALOGUE {
        let target = dir.join(path);
        if !force && target.exists() {
            return Err(ExportError::Exists(target));
        }
    }
    for (path, text) in CATALOGUE {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::Write {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&target, text).map_err(|source| ExportError::Write {
            path: target.clone(),
            source,
        })?;
    }
    Ok(CATALOGUE.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_is_the_scenarios_directory() {
        let embedded = embedded().expect("valid");
        let on_disk = rorcheck_scenario::load(&[PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios"
        ))])
        .expect("valid");
        let ids = |s: &ScenarioSet| {
            s.scenarios
                .iter()
                .map(|x| x.id().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&embedded), ids(&on_disk));
        assert!(embedded.scenarios.len() >= 100);
    }
}
