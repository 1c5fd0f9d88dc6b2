//! The synthetic ROR dataset the mock serves, generated deterministically from a seed.
//!
//! Shape: per region, legal entities (EJ) own geographic establishments (EG), which own
//! internal organisations (OI); offers (HealthcareService) are provided by an EG or an OI,
//! delivered at a Location, and staffed through PractitionerRoles. Identifiers, profiles,
//! extensions and NOS codes follow the ROR 0.6.0 IG (see `docs/mock.md`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

pub use ror::systems::{ID_NAT_ST, RPPS};

/// Canonical base of the ROR IG (profiles, extensions).
pub const IG: &str = "https://interop.esante.gouv.fr/ig/fhir/ror";
pub(crate) const REGION_SYSTEM: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM";
/// FINESS identifier system.
pub const FINESS: &str = "https://finess.esante.gouv.fr";
pub(crate) const OI_SYSTEM: &str = "https://oi.esante.gouv.fr";

fn nos(tre: &str) -> String {
    let (code, name) = tre.split_once('-').unwrap_or((tre, ""));
    format!("https://mos.esante.gouv.fr/NOS/TRE_{code}-{name}/FHIR/TRE-{code}-{name}")
}

fn coding(tre: &str, code: &str) -> Value {
    json!({ "system": nos(tre), "code": code })
}

fn concept(tre: &str, code: &str) -> Value {
    json!({ "coding": [coding(tre, code)] })
}

/// splitmix64: tiny, and its output never changes between crate versions, so a seed gives
/// the same dataset forever (a general-purpose RNG crate does not promise that).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Regions used by the dataset (TRE_R30 codes still valid).
pub(crate) const REGIONS: &[(&str, &str, &str)] = &[
    ("11", "Île-de-France", "75"),
    ("24", "Centre-Val de Loire", "45"),
    ("52", "Pays de la Loire", "44"),
    ("84", "Auvergne-Rhône-Alpes", "69"),
    ("04", "La Réunion", "97"),
];

const CHAMPS: &[&str] = &["01", "02", "03", "04", "05"];
const ACTIVITES: &[&str] = &["005", "013", "014", "022", "007", "017", "003"];
const MODES: &[&str] = &["28", "29", "32", "09", "31"];
const CATEGORIES_OFFRE: &[&str] = &["10", "11", "05", "09"];
const CATEGORIES_EG: &[&str] = &["101", "106", "109", "124", "128"];
const PROFESSIONS: &[&str] = &["10", "60", "50"];
const PUBLICS: &[&str] = &["07", "01", "02"];
const AGE_LOW: [u32; 3] = [0, 16, 18];
const CITIES: &[&str] = &[
    "Lumière",
    "Saint-Clair",
    "Belleville",
    "Montaigu",
    "Rivesaltes",
];

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

struct Stamp {
    created: String,
    updated: String,
}

fn stamp(rng: &mut Rng, until: DateTime<Utc>) -> Stamp {
    let updated = until - Duration::minutes(rng.below(730 * 24 * 60) as i64);
    let created = updated - Duration::days(30 + rng.below(1500) as i64);
    Stamp {
        created: created.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        updated: updated.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
    }
}

fn meta(profile: &str, region: &str, s: &Stamp) -> Value {
    json!({
        "lastUpdated": s.updated,
        "profile": [format!("{IG}/StructureDefinition/{profile}")],
        "tag": [{ "system": REGION_SYSTEM, "code": region }]
    })
}

fn creation_date(s: &Stamp) -> Value {
    json!({ "url": format!("{IG}/StructureDefinition/ror-meta-creation-date"), "valueDateTime": s.created })
}

fn ext(name: &str, value: Value) -> Value {
    let mut e = json!({ "url": format!("{IG}/StructureDefinition/{name}") });
    if let (Some(obj), Some(v)) = (e.as_object_mut(), value.as_object()) {
        obj.extend(v.clone());
    }
    e
}

/// A phone or e-mail with its ROR channel and confidentiality extensions.
fn telecom(system: &str, value: &str, channel: &str, confidentiality: &str) -> Value {
    json!({
        "system": system,
        "value": value,
        "extension": [
            ext("ror-telecom-communication-channel", json!({"valueCodeableConcept": concept("R200-CanalCommunication", channel)})),
            ext("ror-telecom-confidentiality-level", json!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)}))
        ]
    })
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
}

/// Types written, one NDJSON file each, in this order.
const FILE_TYPES: &[&str] = &[
    "Organization",
    "Location",
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
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
        let mut g = Generator {
            rng: Rng::new(opts.seed),
            until: opts.until,
            resources: Vec::new(),
            n_org: 0,
            offer_no: 0,
            practitioner_no: 0,
        };
        let mut offers_left = opts.offers;
        let per_region = opts.offers.div_ceil(REGIONS.len()).max(1);
        for (region, region_name, dept) in REGIONS {
            if offers_left == 0 {
                break;
            }
            let mut region_offers = per_region.min(offers_left);
            offers_left -= region_offers;
            let place = Place {
                region,
                region_name,
                dept,
            };
            // One EJ per 12 offers, two EG per EJ, one OI per EG.
            while region_offers > 0 {
                let ej = g.legal_entity(&place);
                for eg_i in 0..2 {
                    if region_offers == 0 {
                        break;
                    }
                    let site = g.establishment(&place, &ej, eg_i);
                    // Up to 6 offers under this EG: even ones provided by the OI, odd by the EG.
                    for k in 0..6 {
                        if region_offers == 0 {
                            break;
                        }
                        region_offers -= 1;
                        g.offer(&place, &site, k);
                    }
                }
            }
        }
        nos_evolution(&mut g.resources);
        Dataset {
            resources: g.resources,
        }
    }
}

/// A region the generator is filling.
struct Place {
    region: &'static str,
    region_name: &'static str,
    dept: &'static str,
}

/// A legal entity (EJ) just generated.
struct LegalEntity {
    id: String,
    city: &'static str,
}

/// An establishment (EG) with its internal organisation (OI) and building (Location).
struct Site {
    eg_id: String,
    oi_id: String,
    loc_id: String,
}

/// The generator's state: the random sequence (its order of draws fixes the dataset of a
/// seed), the resources so far and the running numbers.
struct Generator {
    rng: Rng,
    until: DateTime<Utc>,
    resources: Vec<Value>,
    n_org: usize,
    offer_no: usize,
    practitioner_no: usize,
}

impl Generator {
    fn legal_entity(&mut self, place: &Place) -> LegalEntity {
        let Place {
            region,
            region_name,
            dept,
        } = *place;
        self.n_org += 1;
        let n_org = self.n_org;
        let finess_ej = format!("{dept}{:07}", 10_000 + n_org * 3);
        let ej_id = format!("ej-{n_org}");
        let city = self.rng.pick(CITIES);
        let s = stamp(&mut self.rng, self.until);
        self.resources.push(json!({
            "resourceType": "Organization",
            "id": ej_id,
            "meta": meta("ror-organization", region, &s),
            "extension": [creation_date(&s)],
            "identifier": [
                { "type": concept("G07-TypeIdentifiantStructure", "1"), "system": FINESS, "value": finess_ej },
                { "type": concept("G07-TypeIdentifiantStructure", "40"), "system": ID_NAT_ST, "value": format!("1{finess_ej}") }
            ],
            "active": true,
            "name": format!("Groupement hospitalier de {city} ({region_name})"),
            "type": [concept("R72-FinessStatutJuridique", "10")]
        }));
        LegalEntity { id: ej_id, city }
    }

    fn establishment(&mut self, place: &Place, ej: &LegalEntity, eg_i: usize) -> Site {
        let Place { region, dept, .. } = *place;
        let (ej_id, city) = (&ej.id, ej.city);
        self.n_org += 1;
        let n_org = self.n_org;
        let finess_eg = format!("{dept}{:07}", 10_000 + n_org * 3 + 1);
        let eg_id = format!("eg-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        let category = self.rng.pick(CATEGORIES_EG);
        self.resources.push(json!({
            "resourceType": "Organization",
            "id": eg_id,
            "meta": meta("ror-organization", region, &s),
            "extension": [creation_date(&s)],
            "identifier": [
                { "type": concept("G07-TypeIdentifiantStructure", "1"), "system": FINESS, "value": finess_eg },
                { "type": concept("G07-TypeIdentifiantStructure", "40"), "system": ID_NAT_ST, "value": format!("1{finess_eg}") }
            ],
            "active": true,
            "type": [concept("R66-CategorieEtablissement", category)],
            "name": format!("Centre hospitalier {city} site {}", eg_i + 1),
            "partOf": { "reference": format!("Organization/{ej_id}") },
            "telecom": [
                telecom("phone", &format!("01{:08}", self.rng.below(100_000_000)), "2", "1"),
                telecom("email", &format!("direction.{eg_id}@exemple.test"), "3", "2"),
                telecom("phone", &format!("06{:08}", self.rng.below(100_000_000)), "1", "3")
            ],
            "address": [{ "city": city, "postalCode": format!("{dept}{:03}", self.rng.below(1000)) }]
        }));
        self.n_org += 1;
        let n_org = self.n_org;
        let oi_id = format!("oi-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        self.resources.push(json!({
            "resourceType": "Organization",
            "id": oi_id,
            "meta": meta("ror-organization", region, &s),
            "extension": [creation_date(&s)],
            "identifier": [
                { "type": concept("R345-TypeIdentifiantAutre", "42"), "system": OI_SYSTEM, "value": format!("{finess_eg}-OI{eg_i}") }
            ],
            "active": true,
            "type": [concept("R207-TypeOrganisationInterne", "1")],
            "name": format!("Pôle médical {} — {city}", eg_i + 1),
            "partOf": { "reference": format!("Organization/{eg_id}") }
        }));
        let loc_id = format!("loc-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        let postal = format!("{dept}{:03}", self.rng.below(1000));
        self.resources.push(json!({
            "resourceType": "Location",
            "id": loc_id,
            "meta": meta("ror-location", region, &s),
            "extension": [
                ext("ror-commune-cog", json!({"valueCodeableConcept": concept("R13-CommuneOM", &format!("{dept}{:03}", self.rng.below(400)))})),
                creation_date(&s)
            ],
            "identifier": [{ "type": concept("R354-TypeIdentifiantRessourceOperationnelle", "25"), "value": format!("{region}/{n_org}") }],
            "status": "active",
            "name": format!("Bâtiment {} — {city}", eg_i + 1),
            "type": [concept("R343-FonctionLieu", "001")],
            "address": { "city": city, "postalCode": postal },
            "managingOrganization": { "reference": format!("Organization/{eg_id}") }
        }));
        Site {
            eg_id,
            oi_id,
            loc_id,
        }
    }

    /// Offer number `k` under `site`, and (two offers in three) its practitioner.
    fn offer(&mut self, place: &Place, site: &Site, k: usize) {
        let region = place.region;
        self.offer_no += 1;
        let offer_no = self.offer_no;
        let (eg_id, oi_id, loc_id) = (&site.eg_id, &site.oi_id, &site.loc_id);
        let provider = if k.is_multiple_of(2) { oi_id } else { eg_id };
        let s = stamp(&mut self.rng, self.until);
        let hs_id = format!("hs-{offer_no}");
        let activity = self.rng.pick(ACTIVITES);
        // About one offer in eight is a sensitive unit (visible to profiles ≥ 1).
        let sensitive = offer_no.is_multiple_of(8);
        let confidentiality = ["1", "2", "3"][offer_no % 3];
        self.resources.push(json!({
            "resourceType": "HealthcareService",
            "id": hs_id,
            "meta": meta("ror-healthcareservice", region, &s),
            "extension": [
                creation_date(&s),
                ext("ror-healthcareservice-sensitive-unit", json!({"valueBoolean": sensitive})),
                ext("ror-healthcareservice-patient-type", json!({"extension": [
                    {"url": "supportedPatientInfo", "valueCodeableConcept": concept("R239-PublicPrisEnCharge", self.rng.pick(PUBLICS))},
                    {"url": "ageRange", "valueRange": {
                        "low": {"value": AGE_LOW[offer_no % 3], "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"},
                        "high": {"value": 150, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}
                    }}
                ]})),
                ext("ror-healthcareservice-contact", json!({"extension": [
                    {"url": "purposeContact", "valueCodeableConcept": concept("R287-NatureContact", "02")},
                    {"url": "confidentialityLevel", "valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)},
                    {"url": "contactTelecom", "valueContactPoint":
                        telecom("phone", &format!("02{:08}", self.rng.below(100_000_000)), "2", confidentiality)}
                ]}))
            ],
            "identifier": [{ "type": concept("R355-TypeIdentifiantOffre", "35"), "value": format!("{region}/{:07}", offer_no) }],
            "active": true,
            "providedBy": { "reference": format!("Organization/{provider}") },
            "category": [concept("R244-CategorieOrganisation", self.rng.pick(CATEGORIES_OFFRE))],
            "type": [concept("R227-ChampActivite", self.rng.pick(CHAMPS))],
            "specialty": [concept("R211-ActiviteOperationnelle", activity)],
            "location": [{ "reference": format!("Location/{loc_id}") }],
            "name": format!("Unité {} n°{offer_no}", activity),
            "characteristic": [concept("R213-ModePriseEnCharge", self.rng.pick(MODES))]
        }));
        // Two offers in three have a practitioner.
        if !offer_no.is_multiple_of(3) {
            self.practitioner(region, &hs_id);
        }
    }

    fn practitioner(&mut self, region: &str, hs_id: &str) {
        self.practitioner_no += 1;
        let practitioner_no = self.practitioner_no;
        let pr_id = format!("pr-{practitioner_no}");
        let s = stamp(&mut self.rng, self.until);
        self.resources.push(json!({
            "resourceType": "Practitioner",
            "id": pr_id,
            "meta": meta("ror-practitioner", region, &s),
            "extension": [creation_date(&s)],
            "identifier": [{ "system": RPPS, "value": format!("8{:010}", 100_000 + practitioner_no * 7) }],
            "name": [{ "family": format!("Praticien{practitioner_no}"), "given": ["Camille"] }]
        }));
        let s = stamp(&mut self.rng, self.until);
        self.resources.push(json!({
            "resourceType": "PractitionerRole",
            "id": format!("prr-{practitioner_no}"),
            "meta": meta("ror-practitionerrole", region, &s),
            "extension": [
                creation_date(&s),
                ext("ror-practitionerrole-unit-exercise-mode", json!({"valueCodeableConcept": concept("R23-ModeExercice", "S")}))
            ],
            "practitioner": { "reference": format!("Practitioner/{pr_id}") },
            "healthcareService": [{ "reference": format!("HealthcareService/{hs_id}") }],
            "code": [concept("G15-ProfessionSante", self.rng.pick(PROFESSIONS))],
            // The expertiseType slice: a specialty (TRE_R04 code S).
            "specialty": [concept("R04-TypeSavoirFaire", "S")]
        }));
    }
}

/// The NOS evolution cases a consumer must handle (issue 6, `NOS-` scenarios): four offers
/// shaped like the first one, each coding its operational activity (TRE_R211) in a state a
/// nomenclature can be in. Ids and identifiers are fixed so that scenarios can name them.
pub(crate) const NOS_CASES: [(&str, &str, &str, &str); 4] = [
    // (id, identifier suffix, TRE_R211 code, display served)
    (
        "hs-nos-nouveau",
        "0900001",
        "999",
        "Activité créée après la version locale de la nomenclature",
    ),
    (
        "hs-nos-relibelle",
        "0900002",
        "013",
        "Libellé révisé par l'ANS (code inchangé)",
    ),
    (
        "hs-nos-obsolete",
        "0900003",
        "002",
        "Activité retirée de la nomenclature",
    ),
    (
        "hs-nos-reactive",
        "0900004",
        "001",
        "Activité retirée puis réactivée",
    ),
];

fn nos_evolution(resources: &mut Vec<Value>) {
    let Some(model) = resources
        .iter()
        .find(|r| r["resourceType"] == "HealthcareService")
        .cloned()
    else {
        return;
    };
    let region = model["meta"]["tag"][0]["code"]
        .as_str()
        .unwrap_or("11")
        .to_owned();
    for (id, suffix, code, display) in NOS_CASES {
        let mut offer = model.clone();
        offer["id"] = json!(id);
        offer["meta"]["lastUpdated"] = json!("2026-06-29T08:00:00.000+00:00");
        offer["identifier"][0]["value"] = json!(format!("{region}/{suffix}"));
        offer["specialty"] = json!([{ "coding": [{
            "system": nos("R211-ActiviteOperationnelle"), "code": code, "display": display
        }] }]);
        offer["name"] = json!(format!("Unité {code} ({display})"));
        // Not a sensitive unit, so that every access profile sees the case.
        if let Some(exts) = offer["extension"].as_array_mut() {
            for e in exts.iter_mut() {
                if e["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("sensitive-unit"))
                {
                    e["valueBoolean"] = json!(false);
                }
            }
        }
        resources.push(offer);
    }
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
