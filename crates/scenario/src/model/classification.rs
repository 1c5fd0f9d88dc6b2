//! How the catalogue is sorted: priority (PLATINES criticality) and consumption modality.

use std::fmt;

use super::error::ModelError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// PLATINES criticality, written as 1, 2 or 3 in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Priority {
    /// 1: a failure blocks admission.
    Critique,
    /// 2: a failure must be fixed.
    Majeur,
    /// 3: a failure is a reservation.
    Mineur,
}

impl Priority {
    /// Every priority, most critical first.
    pub const ALL: [Priority; 3] = [Priority::Critique, Priority::Majeur, Priority::Mineur];

    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            Priority::Critique => 1,
            Priority::Majeur => 2,
            Priority::Mineur => 3,
        }
    }

    /// The label PLATINES shows.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Critique => "CRITIQUE",
            Priority::Majeur => "MAJEUR",
            Priority::Mineur => "MINEUR",
        }
    }

    /// Points removed from the PLATINES-style score for each failed scenario.
    pub fn weight(self) -> u32 {
        match self {
            Priority::Critique => 100,
            Priority::Majeur => 50,
            Priority::Mineur => 25,
        }
    }
}

impl TryFrom<u8> for Priority {
    type Error = ModelError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Priority::Critique),
            2 => Ok(Priority::Majeur),
            3 => Ok(Priority::Mineur),
            other => Err(ModelError::Priority(other)),
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{} {}", self.number(), self.label())
    }
}

impl JsonSchema for Priority {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Priority".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "1 = CRITIQUE, 2 = MAJEUR, 3 = MINEUR",
            "type": "integer",
            "enum": [1, 2, 3]
        })
    }
}

/// The consumption modalities of the ROR, and the cross-cutting categories.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    /// Full extraction of the offer.
    Extraction,
    /// Updates by `_lastUpdated`.
    MiseAJour,
    /// Update of one internal organisation by its national identifier.
    MiseAJourOi,
    /// Targeted searches.
    Recherche,
    /// Authentication (OAuth2, mutual TLS).
    Auth,
    /// Security (credentials, headers, leaks).
    Securite,
    /// NOS nomenclatures.
    Nomenclature,
    /// Access profiles.
    ProfilsAcces,
    /// Errors and OperationOutcomes.
    Erreurs,
    /// The CapabilityStatement.
    Capacites,
}

impl Modality {
    /// Every modality, in catalogue order.
    pub const ALL: [Modality; 10] = [
        Modality::Extraction,
        Modality::MiseAJour,
        Modality::MiseAJourOi,
        Modality::Recherche,
        Modality::Auth,
        Modality::Securite,
        Modality::Nomenclature,
        Modality::ProfilsAcces,
        Modality::Erreurs,
        Modality::Capacites,
    ];

    /// The identifier used in YAML, on the command line and in `classname`.
    pub fn key(self) -> &'static str {
        match self {
            Modality::Extraction => "extraction",
            Modality::MiseAJour => "mise-a-jour",
            Modality::MiseAJourOi => "mise-a-jour-oi",
            Modality::Recherche => "recherche",
            Modality::Auth => "auth",
            Modality::Securite => "securite",
            Modality::Nomenclature => "nomenclature",
            Modality::ProfilsAcces => "profils-acces",
            Modality::Erreurs => "erreurs",
            Modality::Capacites => "capacites",
        }
    }

    /// French label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Extraction => "Extraction",
            Modality::MiseAJour => "Mise à jour",
            Modality::MiseAJourOi => "Mise à jour d'une OI",
            Modality::Recherche => "Recherche",
            Modality::Auth => "Authentification",
            Modality::Securite => "Sécurité",
            Modality::Nomenclature => "Nomenclatures",
            Modality::ProfilsAcces => "Profils d'accès",
            Modality::Erreurs => "Erreurs",
            Modality::Capacites => "Capacités",
        }
    }

    /// The modality of a key (`mise-a-jour`).
    pub fn from_key(key: &str) -> Option<Modality> {
        Modality::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl fmt::Display for Modality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.number()
    }
}
