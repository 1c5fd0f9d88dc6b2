//! The generator: regions, legal entities (EJ), establishments (EG) and their internal
//! organisations (OI) and buildings (Location), offers (HealthcareService) and the
//! practitioners who staff them, each in its IG 0.6.0 shape (`ig.rs`).
//!
//! The random sequence fixes the dataset of a seed: values that existed before the full IG
//! shapes were emitted are drawn in the same order as then, and the elements added for the
//! IG derive from the running numbers, so the committed fixtures keep their ids and dates.

use super::json::Json;
use chrono::{DateTime, Utc};

use super::build::obj;

use super::ig::{
    LEVELS, OfferContact, Stamp, available_time, closing_reopening, coding, concept, constant,
    contact_telecom, creation_date, date_of, equipment, ext, meta, offer_contact,
    organization_address, organization_contact, price, residential_capacity, stamp,
    supported_capacity, telecom, telecom_with, territorial_division,
};
use super::plan::{OFFERS_PER_EG, REGIONS, Unit, staffed};
#[cfg(test)]
use super::rng::GAMMA;
use super::rng::Rng;
use super::{FINESS, GenerateOptions, ID_NAT_ST, OI_SYSTEM, RPPS};

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
/// TRE_R227 code of the psychiatry field (champ PSY), whose offers carry a sector.
const PSY: &str = "03";
/// TRE_R227 code of the medico-social field.
const MEDICO_SOCIAL: &str = "04";

/// Every resource of `units` (a run of [`super::plan::plan`]'s), handed to `sink` one by one in dataset
/// order (a large dataset is never held whole as `Json`s).
pub(crate) fn generate_units(opts: &GenerateOptions, units: &[Unit], sink: &mut dyn FnMut(Json)) {
    for unit in units {
        unit_generator(opts, unit, sink).unit(unit);
    }
}

/// Where the generator stands once `unit` is generated: the running numbers and draws the
/// next unit must start from.
#[cfg(test)]
pub(crate) fn end_of(opts: &GenerateOptions, unit: &Unit) -> (usize, usize, usize, u64) {
    let mut sink = |_: Json| {};
    let mut g = unit_generator(opts, unit, &mut sink);
    g.unit(unit);
    (
        g.n_org,
        g.offer_no,
        g.practitioner_no,
        g.rng.0.wrapping_sub(opts.seed).wrapping_mul(GAMMA_INVERSE),
    )
}

/// GAMMA's inverse modulo 2^64 (GAMMA is odd): turns a state back into a number of draws.
#[cfg(test)]
const GAMMA_INVERSE: u64 = {
    // Newton's iteration doubles the correct low bits each step: 5 steps from 3 bits.
    let mut x = GAMMA;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(GAMMA.wrapping_mul(x)));
        i += 1;
    }
    x
};

/// A generator positioned at the start of `unit`.
fn unit_generator<'s>(
    opts: &GenerateOptions,
    unit: &Unit,
    sink: &'s mut dyn FnMut(Json),
) -> Generator<'s> {
    Generator {
        rng: Rng::after(opts.seed, unit.draws),
        until: opts.until,
        sink,
        n_org: unit.n_org,
        offer_no: unit.offer_no,
        practitioner_no: unit.practitioner_no,
    }
}

/// A region the generator is filling.
struct Place {
    region: &'static str,
    region_name: &'static str,
    dept: &'static str,
}

impl Place {
    /// The department as a TRE_G09 code (La Réunion is 974, not 97).
    fn department(&self) -> &'static str {
        if self.dept == "97" { "974" } else { self.dept }
    }
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

/// The offer a practitioner works in.
struct Post<'a> {
    hs_id: &'a str,
    provider: &'a str,
    loc_id: &'a str,
}

/// The generator's state: the random sequence, where resources go, the running numbers.
struct Generator<'s> {
    rng: Rng,
    until: DateTime<Utc>,
    sink: &'s mut dyn FnMut(Json),
    n_org: usize,
    offer_no: usize,
    practitioner_no: usize,
}

impl Generator<'_> {
    /// The EJ of `unit`, then its establishments each with up to six offers: even ones
    /// provided by the OI, odd ones by the EG.
    fn unit(&mut self, unit: &Unit) {
        let (region, region_name, dept) = REGIONS[unit.region];
        let place = Place {
            region,
            region_name,
            dept,
        };
        let ej = self.legal_entity(&place);
        let mut left = unit.offers;
        for eg_i in 0..2 {
            if left == 0 {
                break;
            }
            let site = self.establishment(&place, &ej, eg_i);
            for k in 0..OFFERS_PER_EG {
                if left == 0 {
                    break;
                }
                left -= 1;
                self.offer(&place, &site, k);
            }
        }
    }

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
        (self.sink)(obj!({
            "resourceType": "Organization",
            "id": &ej_id,
            "meta": meta("ror-organization", region, &s),
            "extension": [
                creation_date(&s),
                ext("ror-organization-creation-date", obj!({"valueDate": date_of(&s)}))
            ],
            "identifier": [
                { "type": concept("G07-TypeIdentifiantStructure", "1"), "system": FINESS, "value": &finess_ej },
                { "type": concept("G07-TypeIdentifiantStructure", "40"), "system": ID_NAT_ST, "value": format!("1{finess_ej}") },
                { "type": concept("G07-TypeIdentifiantStructure", "2"), "system": SIRENE, "value": format!("{:09}", 260_000_000 + n_org) }
            ],
            "active": true,
            "name": format!("Groupement hospitalier de {city} ({region_name})"),
            "type": [
                concept("R72-FinessStatutJuridique", "10"),
                concept("R69-FinessAgregatStatutJuridiqueNiv2", "1200")
            ],
            "address": [organization_address(city, format!("{dept}000"), format!("{}{:03}", place.department(), 1 + n_org % 400))]
        }));
        LegalEntity { id: ej_id, city }
    }

    fn establishment(&mut self, place: &Place, ej: &LegalEntity, eg_i: usize) -> Site {
        let eg_id = self.geographic_entity(place, ej, eg_i);
        let oi_id = self.internal_organisation(place, ej.city, &eg_id, eg_i);
        let loc_id = self.location(place, ej.city, &eg_id, eg_i);
        Site {
            eg_id,
            oi_id,
            loc_id,
        }
    }

    /// An EG: its identifiers (FINESS, idNatSt, SIRET), contacts of each confidentiality
    /// level, and (one in two) the medico-social data: prices, social help, territory.
    fn geographic_entity(&mut self, place: &Place, ej: &LegalEntity, eg_i: usize) -> String {
        let Place { region, dept, .. } = *place;
        self.n_org += 1;
        let n_org = self.n_org;
        let finess_eg = format!("{dept}{:07}", 10_000 + n_org * 3 + 1);
        let eg_id = format!("eg-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        let category = self.rng.pick(CATEGORIES_EG);
        let phones = [
            telecom(
                "phone",
                format!("01{:08}", self.rng.below(100_000_000)),
                "1",
            ),
            telecom_with(
                "email",
                format!("direction.{eg_id}@exemple.test"),
                "3",
                "2",
                Some("Secrétariat de direction"),
            ),
            telecom_with(
                "phone",
                format!("06{:08}", self.rng.below(100_000_000)),
                "1",
                "3",
                None,
            ),
        ];
        let postal = format!("{dept}{:03}", self.rng.below(1000));
        let mut extension = vec![
            creation_date(&s),
            ext(
                "ror-organization-accessibility-location",
                obj!({"valueCodeableConcept": concept("R202-AccessibiliteLieu", "1")}),
            ),
            ext(
                "ror-organization-level-recours-orsan",
                obj!({"valueCodeableConcept": concept("R284-NiveauRecoursORSAN", "1")}),
            ),
            ext(
                "ror-organization-drop-zone",
                obj!({"valueBoolean": n_org.is_multiple_of(3)}),
            ),
            ext(
                "ror-meta-comment",
                obj!({"valueString": "Données de démonstration"}),
            ),
        ];
        let mut period = obj!({ "start": date_of(&s) });
        if n_org.is_multiple_of(7) {
            // A provisional closing announced: the end of the period and its type.
            period.set("end", obj!("2027-03-31"));
            extension.push(ext(
                "ror-organization-closing-type",
                obj!({"valueCodeableConcept": concept("R286-TypeFermeture", "PRO")}),
            ));
        }
        extension.push(obj!({
            "url": "http://hl7.org/fhir/StructureDefinition/organization-period",
            "valuePeriod": period
        }));
        if n_org.is_multiple_of(2) {
            extension.extend(medico_social(n_org, &s));
        }
        let contacts: Vec<Json> = LEVELS
            .iter()
            .enumerate()
            .map(|(i, level)| {
                organization_contact(
                    level,
                    format!("Contact{}", i + 1),
                    vec![telecom("phone", format!("03{:08}", n_org * 10 + i), level)],
                )
            })
            .collect();
        (self.sink)(obj!({
            "resourceType": "Organization",
            "id": &eg_id,
            "meta": meta("ror-organization", region, &s),
            "extension": extension,
            "identifier": [
                { "type": concept("G07-TypeIdentifiantStructure", "1"), "system": FINESS, "value": &finess_eg },
                { "type": concept("G07-TypeIdentifiantStructure", "40"), "system": ID_NAT_ST, "value": format!("1{finess_eg}") },
                { "type": concept("G07-TypeIdentifiantStructure", "3"), "system": SIRENE, "value": format!("{:014}", 26_000_000_000_000u64 + n_org as u64) }
            ],
            "active": true,
            "type": [
                concept("R66-CategorieEtablissement", category),
                concept("R73-ESPIC", "1")
            ],
            "name": format!("Centre hospitalier {} site {}", ej.city, eg_i + 1),
            "alias": [format!("CH {} {}", ej.city, eg_i + 1)],
            "partOf": { "reference": format!("Organization/{}", ej.id) },
            "telecom": phones,
            "address": [organization_address(ej.city, &postal, format!("{}{:03}", place.department(), 1 + n_org % 400))],
            "contact": contacts
        }));
        eg_id
    }

    fn internal_organisation(
        &mut self,
        place: &Place,
        city: &str,
        eg_id: &str,
        eg_i: usize,
    ) -> String {
        self.n_org += 1;
        let n_org = self.n_org;
        let oi_id = format!("oi-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        let finess_eg = format!("{}{:07}", place.dept, 10_000 + (n_org - 1) * 3 + 1);
        let mut extension = vec![creation_date(&s)];
        if eg_i == 1 {
            extension.push(ext(
                "ror-organization-reopening-date",
                obj!({"valueDate": "2026-09-01"}),
            ));
        }
        (self.sink)(obj!({
            "resourceType": "Organization",
            "id": &oi_id,
            "meta": meta("ror-organization", place.region, &s),
            "extension": extension,
            "identifier": [
                { "type": { "coding": [{ "system": OI_TYPE_SYSTEM, "code": "42" }] }, "system": OI_SYSTEM, "value": format!("{finess_eg}-OI{eg_i}") }
            ],
            "active": true,
            "type": [concept("R207-TypeOrganisationInterne", "1")],
            "name": format!("Pôle médical {} — {city}", eg_i + 1),
            "telecom": [telecom("email", format!("pole.{oi_id}@hopital.mssante.fr"), "1")],
            "partOf": { "reference": format!("Organization/{eg_id}") }
        }));
        oi_id
    }

    /// A building: commune (ror-commune-cog), status, telecoms, position, capacities
    /// (installed and available beds), equipment and, one in two, residential capacity.
    fn location(&mut self, place: &Place, city: &'static str, eg_id: &str, eg_i: usize) -> String {
        let Place { region, dept, .. } = *place;
        let n_org = self.n_org;
        let loc_id = format!("loc-{n_org}");
        let s = stamp(&mut self.rng, self.until);
        let postal = format!("{dept}{:03}", self.rng.below(1000));
        let commune = format!("{dept}{:03}", self.rng.below(400));
        // Day places one building in three, beds elsewhere.
        let beds_or_places = if n_org.is_multiple_of(3) { "02" } else { "01" };
        let mut extension = vec![
            ext(
                "ror-commune-cog",
                obj!({"valueCodeableConcept": concept("R13-CommuneOM", &commune)}),
            ),
            creation_date(&s),
            supported_capacity(beds_or_places, "01", 20 + (n_org % 15) as u64, &s.updated),
            supported_capacity(beds_or_places, "02", (n_org % 6) as u64, &s.updated),
            equipment(
                if n_org.is_multiple_of(2) {
                    "003"
                } else {
                    "005"
                },
                1 + (n_org % 3) as u64,
                180,
            ),
        ];
        if n_org.is_multiple_of(2) {
            extension.push(residential_capacity("02", 10 + (n_org % 9) as u64));
            // Two beds closed (a closed capacity says why).
            extension.push(supported_capacity(beds_or_places, "05", 2, &s.updated));
        }
        let mut identifier = vec![obj!({
            "type": concept("R354-TypeIdentifiantRessourceOperationnelle", "25"),
            "value": format!("{region}/{n_org}")
        })];
        if eg_i == 0 {
            identifier.push(obj!({
                "type": concept("R354-TypeIdentifiantRessourceOperationnelle", "26"),
                "value": format!("SYNC-{loc_id}")
            }));
        }
        (self.sink)(obj!({
            "resourceType": "Location",
            "id": &loc_id,
            "meta": meta("ror-location", region, &s),
            "extension": extension,
            "identifier": identifier,
            "status": "active",
            "operationalStatus": coding("R203-StatutLieu", "3"),
            "name": format!("Bâtiment {} — {city}", eg_i + 1),
            "alias": [format!("Bât. {}", eg_i + 1)],
            "description": "Bâtiment principal d'hospitalisation",
            "type": [concept("R343-FonctionLieu", "001")],
            "telecom": [
                telecom("phone", format!("04{:08}", n_org * 10), "1"),
                telecom("phone", format!("04{:08}", n_org * 10 + 1), "2")
            ],
            "address": { "line": [format!("{} avenue des Soins", 1 + n_org % 90)], "city": city, "postalCode": postal },
            "position": {
                "extension": [ext("ror-coordinate-reliability", obj!({"valueBoolean": true}))],
                "latitude": 45.0 + (n_org % 50) as f64 / 10.0,
                "longitude": 2.0 + (n_org % 40) as f64 / 10.0
            },
            "managingOrganization": { "reference": format!("Organization/{eg_id}") }
        }));
        loc_id
    }
}

/// The medico-social data of an EG: two prices, social help places, financial help and
/// its health territory.
fn medico_social(n_org: usize, s: &Stamp) -> Vec<Json> {
    vec![
        price("02", "2", 62.5 + (n_org % 10) as f64, &s.created),
        price("03", "2", 5.9, &s.created),
        ext(
            "ror-organization-financial-help-type",
            obj!({"valueCodeableConcept": concept("R241-AideFinanciere", "02")}),
        ),
        ext(
            "ror-organization-accomodation-family",
            obj!({"valueBoolean": false}),
        ),
        ext(
            "ror-organization-nb-permanent-social-help-place",
            obj!({"valueInteger": 12}),
        ),
        ext(
            "ror-organization-nb-temporary-social-help-place",
            obj!({"valueInteger": 2}),
        ),
        territorial_division("4", "R88-TerritoireSante", "011"),
    ]
}

/// The identifierOI type system as the IG fixes it: underscore in the last segment.
const OI_TYPE_SYSTEM: &str = "https://mos.esante.gouv.fr/NOS/TRE_R345-TypeIdentifiantAutre/FHIR/TRE_R345-TypeIdentifiantAutre";

/// SIREN and SIRET share one system in 0.6.0 (told apart by the type code).
const SIRENE: &str = "https://sirene.fr";

impl Generator<'_> {
    /// Offer number `k` under `site`, and (two offers in three) its practitioner.
    fn offer(&mut self, place: &Place, site: &Site, k: usize) {
        let region = place.region;
        self.offer_no += 1;
        let n = self.offer_no;
        let (eg_id, oi_id, loc_id) = (&site.eg_id, &site.oi_id, &site.loc_id);
        let provider = if k.is_multiple_of(2) { oi_id } else { eg_id };
        let s = stamp(&mut self.rng, self.until);
        let hs_id = format!("hs-{n}");
        let activity = self.rng.pick(ACTIVITES);
        let public = self.rng.pick(PUBLICS);
        let phone = format!("02{:08}", self.rng.below(100_000_000));
        let category = self.rng.pick(CATEGORIES_OFFRE);
        let champ = self.rng.pick(CHAMPS);
        let mode = self.rng.pick(MODES);
        // About one offer in eight is a sensitive unit (visible to profiles ≥ 1), one in
        // ten is closed for a while.
        let sensitive = n.is_multiple_of(8);
        let closed = n % 10 == 5;
        let mut offer = obj!({
            "resourceType": "HealthcareService",
            "id": &hs_id,
            "meta": meta("ror-healthcareservice", region, &s),
            "extension": offer_extensions(place, &s, n, sensitive, public, &phone, champ),
            "identifier": [{ "type": concept("R355-TypeIdentifiantOffre", "35"), "value": format!("{region}/{n:07}") }],
            "active": true,
            "providedBy": { "reference": format!("Organization/{provider}") },
            "category": [concept("R244-CategorieOrganisation", category)],
            "type": [concept("R227-ChampActivite", champ)],
            "specialty": specialties(activity, n),
            "location": [{ "reference": format!("Location/{loc_id}") }],
            "name": format!("Unité {activity} n°{n}"),
            "characteristic": characteristics(mode, champ, n, closed),
            "availableTime": opening_hours(n)
        });
        if n.is_multiple_of(2) {
            // The offer's MSS mailbox: HealthcareService.telecom is not its contacts.
            offer.set(
                "telecom",
                obj!([telecom(
                    "email",
                    format!("unite.{hs_id}@hopital.mssante.fr"),
                    "1"
                )]),
            );
        }
        if closed {
            offer.set(
                "notAvailable",
                obj!([closing_reopening("2026-06-01", "2026-12-31")]),
            );
        }
        if n.is_multiple_of(6) {
            offer.set(
                "comment",
                obj!("Offre de démonstration du jeu de données rorcheck"),
            );
        }
        (self.sink)(offer);
        // One offer in ten has a data-quality anomaly reported against it (flow 8).
        if n % 10 == 2 {
            (self.sink)(anomaly(region, &hs_id, n, &s));
        }
        // Two offers in three have a practitioner.
        if staffed(n) {
            let post = Post {
                hs_id: &hs_id,
                provider,
                loc_id,
            };
            self.practitioner(region, &post);
        }
    }

    fn practitioner(&mut self, region: &'static str, post: &Post<'_>) {
        self.practitioner_no += 1;
        let p = self.practitioner_no;
        let pr_id = format!("pr-{p}");
        let s = stamp(&mut self.rng, self.until);
        (self.sink)(obj!({
            "resourceType": "Practitioner",
            "id": &pr_id,
            "meta": meta("ror-practitioner", region, &s),
            "extension": [creation_date(&s)],
            "identifier": [{ "system": RPPS, "value": format!("8{:010}", 100_000 + p * 7) }],
            "name": [{ "family": format!("Praticien{p}"), "given": ["Camille"], "prefix": [if p.is_multiple_of(2) { "MME" } else { "M" }] }],
            "telecom": [telecom("email", format!("praticien{p}@hopital.mssante.fr"), "1")]
        }));
        let s = stamp(&mut self.rng, self.until);
        let profession = self.rng.pick(PROFESSIONS);
        let level = LEVELS[p % 3];
        (self.sink)(obj!({
            "resourceType": "PractitionerRole",
            "id": format!("prr-{p}"),
            "meta": meta("ror-practitionerrole", region, &s),
            "extension": [
                creation_date(&s),
                ext("ror-practitionerrole-unit-exercise-mode", obj!({"valueCodeableConcept": concept("R23-ModeExercice", "S")})),
                ext("ror-practitionerrole-name", obj!({"extension": [
                    {"url": "exerciseTitle", "valueCodeableConcept": concept("R11-CiviliteExercice", "DR")},
                    {"url": "exerciseLastName", "valueString": format!("Praticien{p}")},
                    {"url": "exerciseFirstName", "valueString": "Camille"}
                ]})),
                {"url": ANNUAIRE_CONTRACTED, "valueCodeableConcept": concept("R282-CNAMAmeliSecteurConventionnement", "c1")},
                {"url": ANNUAIRE_HAS_CAS, "valueBoolean": false},
                {"url": ANNUAIRE_VITALE, "valueBoolean": true}
            ],
            "identifier": [{ "value": format!("{region}/SO{p:06}") }],
            "practitioner": { "reference": format!("Practitioner/{pr_id}") },
            "organization": { "reference": format!("Organization/{}", post.provider) },
            "healthcareService": [{ "reference": format!("HealthcareService/{}", post.hs_id) }],
            "location": [{ "reference": format!("Location/{}", post.loc_id) }],
            "code": [concept("G15-ProfessionSante", profession)],
            // The expertiseType slice (TRE_R04 "S", spécialité ordinale) and its specialty.
            "specialty": [concept("R04-TypeSavoirFaire", "S"), concept("R38-SpecialiteOrdinale", "SM01")],
            "telecom": [telecom("phone", format!("05{:08}", p), level)],
            "availableTime": [available_time(p % 5, "09:00:00", "17:00:00", None)]
        }));
    }
}

/// A data-quality anomaly reported against offer `n` (RORTask, IG example
/// `ror-task-exemple`): its theme, business status, requested action and the element at fault.
fn anomaly(region: &'static str, hs_id: &str, n: usize, s: &Stamp) -> Json {
    obj!({
        "resourceType": "Task",
        "id": format!("task-{n}"),
        "meta": meta("ror-task", region, s),
        "status": "in-progress",
        "businessStatus": concept("R352-StatutMetierAnomalie", "02"),
        "intent": "order",
        "code": concept("R350-ThematiqueAnomalie", "06"),
        "description": "Le mode de prise en charge ne correspond pas à l'activité de l'unité",
        "focus": { "reference": format!("HealthcareService/{hs_id}") },
        "authoredOn": date_of(s),
        "lastModified": &s.updated,
        "reasonCode": concept("R349-ActionAnomalie", "COR"),
        "input": [
            {
                "type": { "coding": [{ "system": TASK_INPUT, "code": "systemRequester" }] },
                "valueString": "IHM"
            },
            {
                "type": { "coding": [{ "system": TASK_INPUT, "code": "pathElementError" }] },
                "valueExpression": {
                    "language": "text/fhirpath",
                    "expression": "HealthcareService.characteristic.coding.where(system='https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge')"
                }
            }
        ]
    })
}

/// The IG's local code system typing a Task's inputs.
const TASK_INPUT: &str =
    "https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/input-task-ror-codesystem";

/// PractitionerRole extensions of the Annuaire Santé, under their 0.6.0 URLs.
const ANNUAIRE_CONTRACTED: &str = "https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-contracted";
const ANNUAIRE_HAS_CAS: &str =
    "https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-hasCAS";
const ANNUAIRE_VITALE: &str = "https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-vitaleAccepted";

/// The extensions of offer `n`: the three mandatory ones, its contacts (one at the level
/// `n` draws, plus a public switchboard one offer in two, whose mobile is very restricted),
/// intervention zones, and the psychiatric sector of a PSY offer.
fn offer_extensions(
    place: &Place,
    s: &Stamp,
    n: usize,
    sensitive: bool,
    public: &'static str,
    phone: &str,
    champ: &str,
) -> Vec<Json> {
    let level = LEVELS[n % 3];
    let mut out = vec![
        creation_date(s),
        constant("sensitive-unit", ["", ""], usize::from(sensitive), || {
            ext(
                "ror-healthcareservice-sensitive-unit",
                obj!({"valueBoolean": sensitive}),
            )
        }),
        constant("patient-type", [public, ""], n % 3, || {
            ext(
                "ror-healthcareservice-patient-type",
                obj!({"extension": [
                    {"url": "supportedPatientInfo", "valueCodeableConcept": concept("R239-PublicPrisEnCharge", public)},
                    {"url": "ageRange", "valueRange": {
                        "low": {"value": AGE_LOW[n % 3], "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"},
                        "high": {"value": 150, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}
                    }}
                ]}),
            )
        }),
        offer_contact(OfferContact {
            family: "Secrétariat".to_owned(),
            function: "05",
            purpose: "02",
            level,
            phones: vec![contact_telecom(phone.to_owned(), "2", level)],
        }),
    ];
    if n.is_multiple_of(2) {
        out.push(offer_contact(OfferContact {
            family: "Standard".to_owned(),
            function: "01",
            purpose: "06",
            level: "1",
            phones: vec![
                contact_telecom(format!("09{:08}", n), "2", "1"),
                contact_telecom(format!("07{:08}", n), "1", "3"),
            ],
        }));
        out.push(territorial_division("1", "R30-RegionOM", place.region));
    }
    if n.is_multiple_of(4) {
        out.push(territorial_division(
            "2",
            "G09-DepartementOM",
            place.department(),
        ));
    }
    if n.is_multiple_of(5) {
        out.push(ext(
            "ror-healthcareservice-no-consent-habilitation",
            obj!({"valueBoolean": false}),
        ));
    }
    if champ == PSY {
        out.push(ext(
            "ror-healthcareservice-psychiatric-sector",
            obj!({"valueString": format!("{}G{:02}", place.dept, 1 + n % 20)}),
        ));
    }
    out
}

/// The operational activity (1..1) and, one offer in five, its family.
fn specialties(activity: &'static str, n: usize) -> Vec<Json> {
    let mut out = vec![concept("R211-ActiviteOperationnelle", activity)];
    if n.is_multiple_of(5) {
        out.push(concept(
            "R266-FamilleActiviteOperationnelleHorsSerafin",
            "01",
        ));
    }
    out
}

/// A characteristic of the specificAct / outsideOfficeAct slices: an act (TRE_R210) with
/// its ror-act-type, without which it matches neither slice.
fn act(code: &'static str, act_type: &'static str) -> Json {
    constant("act", [code, act_type], 0, || {
        let mut c = concept("R210-ActeSpecifique", code);
        c.set(
            "extension",
            obj!([ext("ror-act-type", obj!({ "valueCode": act_type }))]),
        );
        c
    })
}

/// careMode (1..1) first, then the slices that apply to offer `n`.
fn characteristics(mode: &'static str, champ: &str, n: usize, closed: bool) -> Vec<Json> {
    let mut out = vec![
        concept("R213-ModePriseEnCharge", mode),
        concept("R338-ModaliteAccueil", "03"),
    ];
    let optional: [(bool, Json); 9] = [
        (n % 2 == 1, concept("R240-TemporaliteAccueil", "01")),
        (n.is_multiple_of(3), concept("R238-OuvertureAnnuelle", "03")),
        (champ == MEDICO_SOCIAL, concept("R236-ModeGestion", "01")),
        (
            n % 4 == 1,
            concept("R245-SpecialisationDePriseEnCharge", "01"),
        ),
        (n % 4 == 2, concept("R243-CompetenceSpecifique", "01")),
        (n % 4 == 3, concept("R344-NiveauExpertise", "10")),
        (n.is_multiple_of(6), concept("R85-RolePriseCharge", "300")),
        (n.is_multiple_of(3), act("0001", "specificAct")),
        (n.is_multiple_of(5), act("0005", "outsideOfficeAct")),
    ];
    out.extend(optional.into_iter().filter(|(on, _)| *on).map(|(_, c)| c));
    if closed {
        out.push(concept("R286-TypeFermeture", "PRO"));
    }
    out
}

/// Opening hours: Monday all day, and one offer in two a Saturday morning valid for a
/// period (ror-available-time-effective-opening-closing-date).
fn opening_hours(n: usize) -> Json {
    // Two variants, the same for every offer: built once, shared.
    let saturday = n.is_multiple_of(2);
    constant("opening-hours", ["", ""], usize::from(saturday), || {
        let mut out = vec![available_time(0, "08:00:00", "18:00:00", None)];
        if saturday {
            out.push(available_time(
                5,
                "09:00:00",
                "12:00:00",
                Some(obj!({"start": "2026-01-01", "end": "2026-12-31"})),
            ));
        }
        Json::Array(out)
    })
}
