//! A scenario: identity, classification and steps.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::classification::{Modality, Priority};
use super::step::{ObserveSpec, Step};
use ror::AccessProfile;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// One scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identifier, e.g. `EXT-001`: a modality prefix and three digits.
    #[schemars(
        with = "String",
        regex(pattern = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]{3}$")
    )]
    pub id: Spanned<String>,
    /// French title, shown in every report.
    pub title: String,
    /// What the consumer must do and why it matters.
    pub description: String,
    /// 1 = CRITIQUE, 2 = MAJEUR, 3 = MINEUR (PLATINES criticality levels).
    pub priority: Priority,
    /// Consumption modality or cross-cutting category.
    pub modality: Modality,
    /// Free labels to select scenarios by (`--tag`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// References to the source documents (e.g. `ror-fhir-api §2.5 flux 3`).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Access profiles (0 to 5) the scenario applies to; empty means all.
    #[serde(default)]
    pub access_profiles: Vec<AccessProfile>,
    /// Apply the ROR conformance checks (profiles, nomenclatures, search graph, visibility)
    /// to every Bundle or resource this scenario receives, as `run --check-all` does.
    #[serde(default)]
    pub conformance: bool,
    /// Offers (HealthcareService) the target must hold for the scenario to show anything,
    /// e.g. 10 001 to observe the 10 000-result cap. The embedded target runs such a
    /// scenario on a larger generated dataset; a target known to hold fewer skips it.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub min_offers: Option<u64>,
    /// Variables with their default value; a target may override them. A variable written
    /// `~` (no default) must come from the target, or the scenario is skipped.
    #[serde(default)]
    pub variables: BTreeMap<String, Option<String>>,
    /// Ordered steps: a failed step stops the scenario.
    #[schemars(with = "Vec<Step>", length(min = 1))]
    pub steps: Vec<Spanned<Step>>,
    /// How observer mode judges a vendor's application on this scenario (by default the
    /// expected requests are derived from the steps).
    #[serde(default)]
    pub observe: Option<ObserveSpec>,
    /// The file the scenario was read from (set by the loader).
    #[serde(skip)]
    #[schemars(skip)]
    pub source: PathBuf,
}

impl Scenario {
    /// Its id, without position.
    pub fn id(&self) -> &str {
        &self.id.value
    }

    /// Whether the scenario is meant for a client of this access profile.
    pub fn applies_to_profile(&self, profile: Option<AccessProfile>) -> bool {
        match profile {
            None => true,
            Some(p) => self.access_profiles.is_empty() || self.access_profiles.contains(&p),
        }
    }
}
