//! The NOS snapshot shipped with rorcheck: for each TRE code system, its codes and their
//! status (active, deprecated, retired), and the JDV value-set URLs (which must never be
//! used as a `coding.system`). Built by `rorcheck nos import DIR` from the ANS CodeSystem
//! and ValueSet files; `data/nos-snapshot.json` is that output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{LazyLock, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Prefix of every NOS code system and value set URL.
pub(crate) const NOS_BASE: &str = "https://mos.esante.gouv.fr/NOS/";

/// Status of a code in the snapshot.
/// The status of a NOS code in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeStatus {
    /// Valid and current.
    Active,
    /// Still valid, to be phased out (`status = deprecated` or a `deprecationDate`).
    Deprecated,
    /// Past its end of validity (`dateFin`) or `retired`.
    Retired,
}

/// One NOS code system: its version and the status of each code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeSystemEntry {
    /// The version of the release, when the CodeSystem gives one.
    pub version: Option<String>,
    /// Each code and its status.
    pub codes: BTreeMap<String, CodeStatus>,
}

/// The NOS nomenclatures rorcheck knows: code systems with their codes, and the value
/// sets, from one release (`rorcheck nos import`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NosSnapshot {
    /// Where it was built from, and the latest CodeSystem date in it.
    pub source: String,
    /// The latest `date` of its CodeSystems.
    pub date: String,
    /// Code systems by canonical URL.
    pub code_systems: BTreeMap<String, CodeSystemEntry>,
    /// Canonical URLs of the value sets.
    pub value_sets: BTreeSet<String>,
    /// The same, hashed for lookups: built at the first lookup, from the snapshot as it is
    /// then. Every coding of every checked resource is looked up, and the ordered maps
    /// compared the long shared beginning of the NOS URLs at each step.
    #[serde(skip)]
    index: OnceLock<Index>,
}

#[derive(Debug, Clone, Default)]
struct Index {
    code_systems: FxHashMap<Box<str>, FxHashMap<Box<str>, CodeStatus>>,
    value_sets: FxHashSet<Box<str>>,
}

/// What the snapshot says about one coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Known(CodeStatus),
    UnknownCode,
    /// A NOS TRE system the snapshot does not hold.
    UnknownSystem,
    /// A JDV value-set URL used as a code system.
    ValueSetAsSystem,
    /// Not a NOS system (UCUM, local IG code systems...): not checked.
    NotNos,
}

static SHIPPED: LazyLock<NosSnapshot> = LazyLock::new(|| {
    serde_json::from_str(include_str!("data/nos-snapshot.json")).unwrap_or_else(|_| NosSnapshot {
        source: "snapshot illisible".into(),
        date: String::new(),
        code_systems: BTreeMap::new(),
        value_sets: BTreeSet::new(),
        index: OnceLock::new(),
    })
});

impl NosSnapshot {
    /// The snapshot shipped in the binary.
    pub fn shipped() -> &'static NosSnapshot {
        &SHIPPED
    }

    pub(crate) fn lookup(&self, system: &str, code: &str) -> Lookup {
        if !system.starts_with(NOS_BASE) {
            return Lookup::NotNos;
        }
        let index = self.index.get_or_init(|| self.index());
        if index.value_sets.contains(system) || system.contains("/NOS/JDV_") {
            return Lookup::ValueSetAsSystem;
        }
        match index.code_systems.get(system) {
            None => Lookup::UnknownSystem,
            Some(codes) => codes
                .get(code)
                .map_or(Lookup::UnknownCode, |s| Lookup::Known(*s)),
        }
    }

    fn index(&self) -> Index {
        Index {
            code_systems: self
                .code_systems
                .iter()
                .map(|(url, cs)| {
                    let codes = cs.codes.iter().map(|(c, s)| (c.as_str().into(), *s));
                    (url.as_str().into(), codes.collect())
                })
                .collect(),
            value_sets: self.value_sets.iter().map(|v| v.as_str().into()).collect(),
        }
    }

    /// Builds a snapshot from a directory of NOS `CodeSystem-*.json` / `ValueSet-*.json`.
    pub fn import(dir: &Path, source: &str) -> Result<Self, NosImportError> {
        let mut snapshot = NosSnapshot {
            source: source.to_owned(),
            date: String::new(),
            code_systems: BTreeMap::new(),
            value_sets: BTreeSet::new(),
            index: OnceLock::new(),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| NosImportError::Read {
                path: dir.to_owned(),
                source: e,
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| NosImportError::Read {
                path: path.clone(),
                source: e,
            })?;
            let json: Value = serde_json::from_str(&text).map_err(|e| NosImportError::Json {
                path: path.clone(),
                source: e,
            })?;
            let Some(url) = json["url"].as_str() else {
                continue;
            };
            match json["resourceType"].as_str() {
                Some("ValueSet") => {
                    snapshot.value_sets.insert(url.to_owned());
                }
                Some("CodeSystem") => {
                    if let Some(date) = json["date"].as_str()
                        && date > snapshot.date.as_str()
                    {
                        snapshot.date = date.to_owned();
                    }
                    let mut codes = BTreeMap::new();
                    collect(&json["concept"], &mut codes);
                    snapshot.code_systems.insert(
                        url.to_owned(),
                        CodeSystemEntry {
                            version: json["version"].as_str().map(str::to_owned),
                            codes,
                        },
                    );
                }
                _ => {}
            }
        }
        Ok(snapshot)
    }
}

/// Concepts, nested ones included, with the status their properties give.
fn collect(concepts: &Value, out: &mut BTreeMap<String, CodeStatus>) {
    for c in concepts.as_array().into_iter().flatten() {
        let Some(code) = c["code"].as_str() else {
            continue;
        };
        let props = c["property"].as_array().cloned().unwrap_or_default();
        let has = |name: &str| props.iter().any(|p| p["code"] == name);
        let status_is = |value: &str| {
            props
                .iter()
                .any(|p| p["code"] == "status" && p["valueCode"] == value)
        };
        let status = if has("dateFin") || has("retirementDate") || status_is("retired") {
            CodeStatus::Retired
        } else if has("deprecationDate") || status_is("deprecated") {
            CodeStatus::Deprecated
        } else {
            CodeStatus::Active
        };
        out.insert(code.to_owned(), status);
        collect(&c["concept"], out);
    }
}

/// Why a NOS release could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum NosImportError {
    /// A file or the directory could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const R227: &str =
        "https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite";

    #[test]
    fn the_shipped_snapshot_knows_the_codes_and_their_status() {
        let nos = NosSnapshot::shipped();
        assert!(nos.code_systems.len() > 80, "{}", nos.code_systems.len());
        assert_eq!(nos.lookup(R227, "01"), Lookup::Known(CodeStatus::Active));
        assert_eq!(nos.lookup(R227, "99"), Lookup::UnknownCode);
        assert_eq!(
            nos.lookup(
                "https://mos.esante.gouv.fr/NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR",
                "01"
            ),
            Lookup::ValueSetAsSystem
        );
        assert_eq!(nos.lookup("http://unitsofmeasure.org", "a"), Lookup::NotNos);
        let retired = nos
            .code_systems
            .values()
            .flat_map(|cs| cs.codes.values())
            .filter(|s| **s == CodeStatus::Retired)
            .count();
        assert!(retired > 100, "codes past their end of validity: {retired}");
    }

    #[test]
    fn import_reads_status_from_properties() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("CodeSystem-TRE-X.json"),
            r#"{"resourceType":"CodeSystem","url":"https://mos.esante.gouv.fr/NOS/TRE_X/FHIR/TRE-X","date":"2024-01-01","concept":[
              {"code":"a","property":[{"code":"dateValid","valueDateTime":"2020-01-01"}]},
              {"code":"b","property":[{"code":"dateFin","valueDateTime":"2021-01-01"}]},
              {"code":"c","property":[{"code":"status","valueCode":"deprecated"}],"concept":[{"code":"c1"}]}]}"#,
        )
        .expect("write");
        let nos = NosSnapshot::import(dir.path(), "test").expect("import");
        let cs = &nos.code_systems["https://mos.esante.gouv.fr/NOS/TRE_X/FHIR/TRE-X"];
        assert_eq!(cs.codes["a"], CodeStatus::Active);
        assert_eq!(cs.codes["b"], CodeStatus::Retired);
        assert_eq!(cs.codes["c"], CodeStatus::Deprecated);
        assert_eq!(cs.codes["c1"], CodeStatus::Active);
        assert_eq!(nos.date, "2024-01-01");
    }
}
