//! `rorcheck nos import` and `rorcheck fixtures generate`: the data rorcheck ships, rebuilt.

use std::path::Path;

use super::error::CliError;

/// Imports a NOS release (FHIR JSON) into the snapshot the conformance checks read.
pub(super) fn import_nos(dir: &Path, out: &Path, source: &str) -> Result<(), CliError> {
    let snapshot = rorcheck_conformance::nos::NosSnapshot::import(dir, source)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let text = serde_json::to_string(&snapshot).map_err(|e| CliError::Runtime(e.to_string()))?;
    std::fs::write(out, text + "\n")
        .map_err(|e| CliError::Runtime(format!("{}: {e}", out.display())))?;
    say!(
        "tools-nos",
        code_systems_count = snapshot.code_systems.len(),
        value_sets_count = snapshot.value_sets.len(),
        date = snapshot.date,
        out = out.display()
    );
    Ok(())
}

/// Writes a generated dataset of `offers` offers from `seed` under `out`.
pub(super) fn generate_fixtures(seed: u64, offers: usize, out: &Path) -> Result<(), CliError> {
    let opts = rorcheck_mock::GenerateOptions {
        seed,
        offers,
        ..rorcheck_mock::GenerateOptions::default()
    };
    let dataset = rorcheck_mock::Dataset::generate(opts);
    let files = dataset
        .write(out)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    say!(
        "tools-fixtures",
        resources_count = dataset.resources.len(),
        seed = seed,
        offers = offers,
        files_count = files.len(),
        out = out.display()
    );
    Ok(())
}

/// Writes the embedded scenario catalogue under `dir`.
pub(super) fn export_scenarios(dir: &Path, force: bool) -> Result<(), CliError> {
    let n = crate::catalogue::export(dir, force).map_err(|e| CliError::Runtime(e.to_string()))?;
    say!("tools-export", n = n, dir = dir.display());
    Ok(())
}
