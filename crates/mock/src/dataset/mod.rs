//! The synthetic ROR dataset the mock serves, generated deterministically from a seed.
//!
//! Shape: per region, legal entities (EJ) own geographic establishments (EG), which own
//! internal organisations (OI); offers (HealthcareService) are provided by an EG or an OI,
//! delivered at a Location, and staffed through PractitionerRoles. Identifiers, profiles,
//! extensions and NOS codes follow the ROR 0.6.0 IG (see `docs/mock.md`).

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

pub use ror::systems::{ID_NAT_ST, RPPS};

/// Canonical base of the ROR IG (profiles, extensions).
pub const IG: &str = "https://interop.esante.gouv.fr/ig/fhir/ror";
pub(crate) const REGION_SYSTEM: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM";
/// FINESS identifier system.
pub const FINESS: &str = "https://finess.esante.gouv.fr";
pub(crate) const OI_SYSTEM: &str = "https://oi.esante.gouv.fr";

mod borrowed;
mod build;
mod generator;
mod ig;
mod json;
mod nos_cases;
mod plan;
mod rng;

pub(crate) use borrowed::Borrowed;
pub(crate) use json::Json;
pub use json::Node;
pub(crate) use json::write_str;

#[cfg(test)]
use nos_cases::NOS_CASES;
pub(crate) use plan::Unit;
pub(crate) use rng::Rng;

/// The whole dataset, as FHIR resources.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Every resource, in the order searches return them.
    pub resources: Vec<Value>,
}

/// Parameters of the generator.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// Seed of the random draws: one seed, one dataset.
    pub seed: u64,
    /// Number of offers (HealthcareService) generated.
    pub offers: usize,
    /// `meta.lastUpdated` values are spread over the 730 days before this instant.
    pub until: DateTime<Utc>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 42,
            offers: 60,
            until: Utc
                .with_ymd_and_hms(2026, 6, 30, 12, 0, 0)
                .single()
                .unwrap_or_default(),
        }
    }
}

/// Why a dataset could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The directory could not be read.
    #[error("cannot read dataset directory {path}: {source}")]
    Dir {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not a FHIR resource.
    #[error("{path}:{line}: not a FHIR resource: {reason}")]
    Parse {
        /// The file.
        path: std::path::PathBuf,
        /// The line, from 1.
        line: usize,
        /// What the parser said.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory holds no dataset file.
    #[error("{0} contains no .ndjson file")]
    Empty(std::path::PathBuf),
    /// The task building the dataset stopped before it was done (a panic or a shutdown).
    #[error("the dataset could not be built: {0}")]
    Interrupted(String),
}

/// Types written, one NDJSON file each, in this order.
const FILE_TYPES: &[&str] = &[
    "Organization",
    "Location",
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
    "Task",
];

impl Dataset {
    /// Reads every `*.ndjson` file of a directory (one resource a line).
    pub fn load(dir: &std::path::Path) -> Result<Dataset, DatasetError> {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| DatasetError::Dir {
                path: dir.to_owned(),
                source,
            })?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(DatasetError::Empty(dir.to_owned()));
        }
        let mut resources = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| DatasetError::Read {
                path: path.clone(),
                source,
            })?;
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let value: Value = serde_json::from_str(line).map_err(|e| DatasetError::Parse {
                    path: path.clone(),
                    line: n + 1,
                    reason: e.to_string(),
                })?;
                if value.get("resourceType").and_then(Value::as_str).is_none()
                    || value.get("id").and_then(Value::as_str).is_none()
                {
                    return Err(DatasetError::Parse {
                        path: path.clone(),
                        line: n + 1,
                        reason: "resourceType and id are required".into(),
                    });
                }
                resources.push(value);
            }
        }
        Ok(Dataset { resources })
    }

    /// Writes one `<Type>.ndjson` file per resource type into `dir`.
    pub fn write(&self, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, DatasetError> {
        std::fs::create_dir_all(dir).map_err(|source| DatasetError::Write {
            path: dir.to_owned(),
            source,
        })?;
        let mut written = Vec::new();
        for ty in FILE_TYPES {
            let mut text = String::new();
            for r in self.resources.iter().filter(|r| r["resourceType"] == *ty) {
                text.push_str(&r.to_string());
                text.push('\n');
            }
            let path = dir.join(format!("{ty}.ndjson"));
            std::fs::write(&path, text).map_err(|source| DatasetError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
        Ok(written)
    }

    /// A dataset of `opts.offers` offers spread over the regions, deterministic for a seed.
    pub fn generate(opts: GenerateOptions) -> Dataset {
        let mut resources = Vec::new();
        Dataset::generate_into(opts, &mut |r| resources.push(r));
        Dataset { resources }
    }

    /// The same resources as [`Dataset::generate`], handed to `sink` one by one in dataset
    /// order, so that a large dataset can be stored as it is generated.
    pub fn generate_into(opts: GenerateOptions, sink: &mut dyn FnMut(Value)) {
        for part in Dataset::generate_parts(opts, 1) {
            part.produce(sink);
        }
    }

    /// The same resources in up to `parts` pieces of about as many offers, each of which can
    /// be produced on its own thread: produced in order, they make exactly the sequence of
    /// [`Dataset::generate_into`].
    pub fn generate_parts(opts: GenerateOptions, parts: usize) -> Vec<Part> {
        let units = plan::plan(&opts);
        let per_part = units.len().div_ceil(parts.max(1)).max(1);
        let mut pieces: Vec<Part> = units
            .chunks(per_part)
            .enumerate()
            .map(|(i, chunk)| Part {
                opts,
                units: chunk.to_vec(),
                first_unit: i * per_part,
                model_unit: None,
            })
            .collect();
        // The NOS evolution cases come last, shaped like the dataset's first offer.
        if let (Some(first), Some(last)) = (units.first(), pieces.last_mut()) {
            last.model_unit = Some(*first);
        }
        pieces
    }
}

/// A contiguous piece of a generated dataset ([`Dataset::generate_parts`]).
#[derive(Debug)]
pub struct Part {
    opts: GenerateOptions,
    units: Vec<plan::Unit>,
    /// The number of its first unit in the dataset (0: the piece starts the dataset).
    first_unit: usize,
    /// In the last piece: the first unit, whose first offer the NOS cases are shaped like.
    model_unit: Option<plan::Unit>,
}

impl Part {
    /// How many resources the piece holds (its offers, their organisations, locations,
    /// roles, practitioners and anomalies; not the NOS cases): what a store sizes its
    /// indexes for. An estimate short of it made the indexes rehash once filled.
    pub(crate) fn expected_resources(&self) -> usize {
        self.units.iter().map(plan::Unit::resources).sum()
    }

    /// Hands the piece's resources to `sink`, in order.
    pub fn produce(self, sink: &mut dyn FnMut(Value)) {
        self.produce_tree(&mut |r, _| sink(r.to_value()));
    }

    /// Hands the piece's resources to `sink` as the generator builds them (no `Value`),
    /// each with where it can be generated again from.
    pub(crate) fn produce_tree(self, sink: &mut dyn FnMut(Json, Option<Origin>)) {
        let is_offer =
            |r: &Json| r.get("resourceType").and_then(Json::as_str) == Some("HealthcareService");
        let mut model: Option<Json> = None;
        let keep_model = self.first_unit == 0 && self.model_unit.is_some();
        for (k, unit) in self.units.iter().enumerate() {
            let unit_no = u32::try_from(self.first_unit + k).unwrap_or(u32::MAX);
            let mut nth: u16 = 0;
            generator::generate_units(&self.opts, std::slice::from_ref(unit), &mut |r| {
                if keep_model && model.is_none() && is_offer(&r) {
                    model = Some(r.clone());
                }
                sink(r, Some(Origin { unit: unit_no, nth }));
                nth = nth.saturating_add(1);
            });
        }
        if let Some(unit) = self.model_unit.filter(|_| model.is_none()) {
            // Another thread generated the first unit: generating it again (a dozen offers)
            // costs less than waiting for it.
            generator::generate_units(&self.opts, &[unit], &mut |r| {
                if model.is_none() && is_offer(&r) {
                    model = Some(r);
                }
            });
        }
        // Shaped after another resource, not generated from a unit: no origin.
        for case in model.iter().flat_map(nos_cases::nos_evolution) {
            sink(case, None);
        }
    }

    /// The options and the plan of the units it is generated from, numbered in the dataset.
    pub(crate) fn units(&self) -> (GenerateOptions, impl Iterator<Item = (usize, Unit)> + '_) {
        (
            self.opts,
            self.units
                .iter()
                .enumerate()
                .map(|(k, u)| (self.first_unit + k, *u)),
        )
    }
}

/// Where a generated resource comes from: the `nth` resource (from 0) its unit gives
/// ([`regenerate`]), so that a store need not keep its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The unit's number in the dataset.
    pub(crate) unit: u32,
    /// The resource's rank among the unit's.
    pub(crate) nth: u16,
}

/// The resources of `unit`, in order, exactly as they were generated with the dataset
/// (a unit starts from its own running numbers and draws, [`plan::Unit`]).
pub(crate) fn regenerate(opts: &GenerateOptions, unit: &Unit, sink: &mut dyn FnMut(Json)) {
    generator::generate_units(opts, std::slice::from_ref(unit), sink);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_dataset_loads_back_identical() {
        let d = Dataset::generate(GenerateOptions {
            offers: 12,
            ..GenerateOptions::default()
        });
        let dir = tempfile::tempdir().expect("tempdir");
        d.write(dir.path()).expect("written");
        let back = Dataset::load(dir.path()).expect("loaded");
        let key = |r: &Value| format!("{}/{}", r["resourceType"], r["id"]);
        let mut a: Vec<String> = d
            .resources
            .iter()
            .map(|r| key(r) + &r.to_string())
            .collect();
        let mut b: Vec<String> = back
            .resources
            .iter()
            .map(|r| key(r) + &r.to_string())
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        std::fs::write(
            dir.path().join("Broken.ndjson"),
            "{\"resourceType\": \"Organization\"}\n",
        )
        .expect("write");
        let err = Dataset::load(dir.path()).expect_err("no id");
        assert!(err.to_string().contains("Broken.ndjson:1"), "{err}");
    }

    #[test]
    fn the_plan_matches_what_each_unit_draws() {
        // Each unit starts from the state the plan computes; it must end where the plan
        // starts the next one, or pieces generated apart would not join up.
        for offers in [1, 5, 12, 13, 23, 60, 133, 1000] {
            let opts = GenerateOptions {
                offers,
                ..GenerateOptions::default()
            };
            let units = plan::plan(&opts);
            for pair in units.windows(2) {
                let ended = generator::end_of(&opts, &pair[0]);
                assert_eq!(ended, pair[1].start(), "{offers} offers");
            }
            let served: usize = units.iter().map(plan::Unit::offers).sum();
            assert_eq!(served, offers);
        }
    }

    #[test]
    fn a_piece_holds_the_resources_it_expects() {
        // The store sizes its indexes by this count: short of it they rehash, once each.
        for offers in [1, 12, 13, 60, 250, 1000] {
            let opts = GenerateOptions {
                offers,
                ..GenerateOptions::default()
            };
            for part in Dataset::generate_parts(opts, 3) {
                let (expected, last) = (part.expected_resources(), part.model_unit.is_some());
                let mut produced = 0;
                part.produce_tree(&mut |_, origin| produced += usize::from(origin.is_some()));
                assert_eq!(produced, expected, "{offers} offers, last piece {last}");
            }
        }
    }

    #[test]
    fn pieces_generated_apart_make_the_same_dataset() {
        for offers in [1, 23, 60, 250] {
            let opts = GenerateOptions {
                offers,
                ..GenerateOptions::default()
            };
            let whole = Dataset::generate(opts).resources;
            for parts in [2, 3, 7] {
                let mut joined = Vec::new();
                for part in Dataset::generate_parts(opts, parts) {
                    part.produce(&mut |r| joined.push(r));
                }
                assert!(joined == whole, "{offers} offers in {parts} parts");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_dataset() {
        let a = Dataset::generate(GenerateOptions::default());
        let b = Dataset::generate(GenerateOptions::default());
        assert_eq!(a.resources, b.resources);
        let c = Dataset::generate(GenerateOptions {
            seed: 7,
            ..GenerateOptions::default()
        });
        assert_ne!(a.resources, c.resources);
    }

    #[test]
    fn the_requested_number_of_offers_is_generated_over_several_regions() {
        let d = Dataset::generate(GenerateOptions {
            offers: 23,
            ..GenerateOptions::default()
        });
        let offers: Vec<&Value> = d
            .resources
            .iter()
            .filter(|r| r["resourceType"] == "HealthcareService")
            .collect();
        // The requested offers plus the four NOS evolution cases.
        assert_eq!(offers.len(), 23 + NOS_CASES.len());
        let regions: std::collections::BTreeSet<&str> = offers
            .iter()
            .filter_map(|o| o.pointer("/meta/tag/0/code").and_then(Value::as_str))
            .collect();
        assert!(regions.len() >= 4, "{regions:?}");
    }
}
