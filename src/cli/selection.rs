//! Which scenarios a command works on: paths, filters, shards, the failures of a previous
//! report; and the configuration file.

use std::path::{Path, PathBuf};

use super::args::Filters;
use super::error::CliError;
use rorcheck_engine::config::ConfigFile;
use rorcheck_scenario::select::Selection;
use rorcheck_scenario::{self as scenario, Modality, Priority};

pub(super) fn load_config(path: Option<&Path>) -> Result<Option<ConfigFile>, CliError> {
    match path {
        Some(p) => Ok(Some(ConfigFile::load(p)?)),
        None => {
            let default = PathBuf::from("rorcheck.toml");
            if default.is_file() {
                Ok(Some(ConfigFile::load(&default)?))
            } else {
                Ok(None)
            }
        }
    }
}

pub(super) fn selection(f: &Filters) -> Result<Selection, CliError> {
    let priorities = f
        .priority
        .iter()
        .map(|p| Priority::try_from(*p).map_err(|e| CliError::Usage(e.to_string())))
        .collect::<Result<_, _>>()?;
    let modalities = f
        .modality
        .iter()
        .map(|m| {
            Modality::from_key(m).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown modality `{m}`; expected one of: {}",
                    Modality::ALL.map(Modality::key).join(", ")
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let ids =
        f.id.iter()
            .map(|g| {
                glob::Pattern::new(g)
                    .map_err(|e| CliError::Usage(format!("invalid --id glob `{g}`: {e}")))
            })
            .collect::<Result<_, _>>()?;
    Ok(Selection {
        priorities,
        tags: f.tag.clone(),
        modalities,
        ids,
    })
}

/// The ids of the scenarios that failed or errored in an earlier `report.json`.
pub(super) fn failed_in(path: &Path) -> Result<Vec<String>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("--rerun-failed {}: {e}", path.display())))?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "--rerun-failed {}: not a report.json ({e})",
            path.display()
        ))
    })?;
    let scenarios = report["scenarios"].as_array().ok_or_else(|| {
        CliError::Usage(format!(
            "--rerun-failed {}: no scenarios in it",
            path.display()
        ))
    })?;
    let failed: Vec<String> = scenarios
        .iter()
        .filter(|s| matches!(s["status"].as_str(), Some("failed" | "errored")))
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    if failed.is_empty() {
        return Err(CliError::Usage(format!(
            "--rerun-failed {}: nothing failed or errored in it",
            path.display()
        )));
    }
    Ok(failed)
}

pub(super) fn load_selected(f: &Filters) -> Result<scenario::ScenarioSet, CliError> {
    let mut set = crate::catalogue::load(&f.sources())?;
    let all: Vec<String> = set.scenarios.iter().map(|s| s.id().to_owned()).collect();
    set.scenarios = selection(f)?.apply(set.scenarios);
    if let Some(path) = &f.rerun_failed {
        let again = failed_in(path)?;
        set.scenarios
            .retain(|s| again.iter().any(|id| id == s.id()));
    }
    if let Some((k, n)) = f.shard {
        // By position in the id order of the whole selection: the same on every machine.
        set.scenarios = set
            .scenarios
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % n == k - 1)
            .map(|(_, s)| s)
            .collect();
    }
    if set.scenarios.is_empty() {
        let hint = match f.id.first() {
            Some(wanted) => format!(
                " (--id {wanted}: the nearest ids are {})",
                rorcheck_scenario::select::nearest_ids(wanted, all.iter().map(String::as_str), 3)
                    .join(", ")
            ),
            None => String::new(),
        };
        return Err(CliError::Usage(format!(
            "no scenario matches the selection{hint}"
        )));
    }
    Ok(set)
}
