//! Building blocks of the IG 0.6.0 shapes (`reference/ror-profiles.md`): codings of NOS
//! code systems, the ROR ContactPoint, the complex extensions (HealthcareService contact,
//! territorial division, capacities, equipment, prices). Each function emits exactly one
//! element of the IG, so the generator reads as a list of what a resource carries.

use serde_json::{Value, json};

use super::{IG, REGION_SYSTEM};

/// The TRE code system URL of a NOS table written `Rnnn-Name` (or `Gnn-Name`).
pub(crate) fn nos(tre: &str) -> String {
    let (code, name) = tre.split_once('-').unwrap_or((tre, ""));
    format!("https://mos.esante.gouv.fr/NOS/TRE_{code}-{name}/FHIR/TRE-{code}-{name}")
}

/// TRE_R340's published CodeSystem url carries a `.tabs` the other tables do not have; a
/// coding's system is the CodeSystem's url as published, so it is spelled out here.
pub(crate) const R340: &str = "https://mos.esante.gouv.fr/NOS/TRE_R340-TypeCaracteristiqueEquipement.tabs/FHIR/TRE-R340-TypeCaracteristiqueEquipement";

pub(crate) fn coding(tre: &str, code: &str) -> Value {
    json!({ "system": nos(tre), "code": code })
}

pub(crate) fn concept(tre: &str, code: &str) -> Value {
    json!({ "coding": [coding(tre, code)] })
}

/// Canonical URL of a ROR extension.
pub(crate) fn url(name: &str) -> String {
    format!("{IG}/StructureDefinition/{name}")
}

/// A ROR extension (canonical url) with its value or sub-extensions.
pub(crate) fn ext(name: &str, value: Value) -> Value {
    let mut e = json!({ "url": url(name) });
    if let (Some(obj), Some(v)) = (e.as_object_mut(), value.as_object()) {
        obj.extend(v.clone());
    }
    e
}

/// A sub-extension with a relative url (`ageRange`, `telecomAddress`...).
fn sub(name: &str, value: Value) -> Value {
    let mut e = json!({ "url": name });
    if let (Some(obj), Some(v)) = (e.as_object_mut(), value.as_object()) {
        obj.extend(v.clone());
    }
    e
}

pub(crate) struct Stamp {
    pub(crate) created: String,
    pub(crate) updated: String,
}

pub(crate) fn meta(profile: &str, region: &str, s: &Stamp) -> Value {
    json!({
        "lastUpdated": s.updated,
        "profile": [url(profile)],
        "tag": [{ "system": REGION_SYSTEM, "code": region }]
    })
}

pub(crate) fn creation_date(s: &Stamp) -> Value {
    ext(
        "ror-meta-creation-date",
        json!({ "valueDateTime": s.created }),
    )
}

/// TRE_R283 levels: public, restricted, very restricted.
pub(crate) const LEVELS: [&str; 3] = ["1", "2", "3"];

fn channel_of(system: &str) -> &'static str {
    match system {
        "email" => "3",
        "fax" => "6",
        "url" => "4",
        _ => "2",
    }
}

/// A ROR ContactPoint: value, communication channel (1..1), usage (0..1) and telecom
/// confidentiality level (1..1).
pub(crate) fn telecom(system: &str, value: &str, confidentiality: &str) -> Value {
    telecom_with(system, value, channel_of(system), confidentiality, None)
}

pub(crate) fn telecom_with(
    system: &str,
    value: &str,
    channel: &str,
    confidentiality: &str,
    usage: Option<&str>,
) -> Value {
    let mut extension = vec![ext(
        "ror-telecom-communication-channel",
        json!({"valueCodeableConcept": concept("R200-CanalCommunication", channel)}),
    )];
    if let Some(usage) = usage {
        extension.push(ext("ror-telecom-usage", json!({ "valueString": usage })));
    }
    extension.push(ext(
        "ror-telecom-confidentiality-level",
        json!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)}),
    ));
    json!({ "system": system, "value": value, "extension": extension })
}

/// A phone number of a HealthcareService contact (`ror-healthcareservice-contact-telecom`):
/// its address is the relative sub-extension `telecomAddress`, the three others are canonical.
pub(crate) fn contact_telecom(number: &str, channel: &str, confidentiality: &str) -> Value {
    ext(
        "ror-healthcareservice-contact-telecom",
        json!({"extension": [
            ext("ror-telecom-communication-channel", json!({"valueCodeableConcept": concept("R200-CanalCommunication", channel)})),
            ext("ror-telecom-usage", json!({"valueString": "Du lundi au vendredi"})),
            ext("ror-telecom-confidentiality-level", json!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)})),
            sub("telecomAddress", json!({"valueString": number}))
        ]}),
    )
}

/// A contact of an offer (`ror-healthcareservice-contact`, HealthcareService has no native
/// contact): name, function, nature, description, confidentiality level (1..1), phones.
pub(crate) struct OfferContact<'a> {
    pub(crate) family: &'a str,
    pub(crate) function: &'a str,
    pub(crate) purpose: &'a str,
    pub(crate) level: &'a str,
    pub(crate) phones: Vec<Value>,
}

pub(crate) fn offer_contact(c: OfferContact<'_>) -> Value {
    let mut extension = vec![
        sub(
            "name",
            json!({"valueHumanName": {"family": c.family, "given": ["Dominique"]}}),
        ),
        ext(
            "ror-contact-function-contact",
            json!({"valueCodeableConcept": concept("R251-FonctionContact", c.function)}),
        ),
        sub(
            "purposeContact",
            json!({"valueCodeableConcept": concept("R287-NatureContact", c.purpose)}),
        ),
        sub(
            "description",
            json!({"valueString": "Joignable aux heures ouvrées"}),
        ),
        ext(
            "ror-confidentiality-level",
            json!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", c.level)}),
        ),
    ];
    extension.extend(c.phones);
    ext(
        "ror-healthcareservice-contact",
        json!({ "extension": extension }),
    )
}

/// A territorial division (zone d'intervention of an offer, territoire de santé of an
/// organisation): its type (TRE_R201) and its code, both CodeableConcepts.
pub(crate) fn territorial_division(kind: &str, tre: &str, code: &str) -> Value {
    ext(
        "ror-territorial-division",
        json!({"extension": [
            sub("typeTerritorialDivision", json!({"valueCodeableConcept": concept("R201-TypeDivisionTerritoriale", kind)})),
            sub("codeTerritorialDivision", json!({"valueCodeableConcept": concept(tre, code)}))
        ]}),
    )
}

/// One opening slot: a day (code and ROR 1–7 number), its hours and its type (TRE_R252).
pub(crate) fn available_time(day: usize, from: &str, to: &str, effective: Option<Value>) -> Value {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut extension = vec![
        ext(
            "ror-available-time-type-of-time",
            json!({"valueCodeableConcept": concept("R252-TypeHoraire", "01")}),
        ),
        ext(
            "ror-available-time-number-days-of-week",
            json!({"valueInteger": day % 7 + 1}),
        ),
    ];
    if let Some(period) = effective {
        extension.push(ext(
            "ror-available-time-effective-opening-closing-date",
            json!({ "valuePeriod": period }),
        ));
    }
    json!({
        "extension": extension,
        "daysOfWeek": [DAYS[day % 7]],
        "availableStartTime": from,
        "availableEndTime": to
    })
}

/// The `notAvailable:closingReopeningDate` slice: recognised by its id, fixed description.
pub(crate) fn closing_reopening(start: &str, end: &str) -> Value {
    json!({
        "id": "closingReopeningDate",
        "description": "Période de fermeture et de réouverture prévisionnelle",
        "during": { "start": start, "end": end }
    })
}

/// A Location capacity (`ror-location-supported-capacity`): beds (`01`) or places (`02`),
/// every 1..1 sub-extension set; a closed capacity (status `05`) says why, with its
/// additional bed type and crisis type.
pub(crate) fn supported_capacity(kind: &str, status: &str, number: u64, updated: &str) -> Value {
    let mut parts = vec![
        sub(
            "capacityType",
            json!({"valueCodeableConcept": concept("R329-NatureCapacite", kind)}),
        ),
        sub(
            "capacityStatus",
            json!({"valueCodeableConcept": concept("R330-TypeStatutCapacite", status)}),
        ),
        sub(
            "temporalityCapacity",
            json!({"valueCodeableConcept": concept("R331-TemporaliteCapacite", "01")}),
        ),
        sub("nbCapacity", json!({"valueInteger": number})),
        sub(
            "capacitySourceType",
            json!({"valueCodeableConcept": concept("R335-TypeSourceCapacite", "02")}),
        ),
        sub(
            "genderCapacityAvailable",
            json!({"valueCodeableConcept": concept("R332-GenreCapacite", "03")}),
        ),
        sub("capacityUpdateDate", json!({"valueDateTime": updated})),
    ];
    if status == "05" {
        parts.extend([
            sub(
                "capacityClosingType",
                json!({"valueCodeableConcept": concept("R333-TypeFermetureCapacite", "01")}),
            ),
            sub(
                "additionalBedType",
                json!({"valueCodeableConcept": concept("R334-TypeLitSupplementaire", "01")}),
            ),
            sub(
                "crisisType",
                json!({"valueCodeableConcept": concept("R336-TypeCrise", "01")}),
            ),
        ]);
    }
    parts.push(sub(
        "temporaryAssignement",
        json!({"valueCodeableConcept": concept("R337-AffectationTemporaire", "01")}),
    ));
    ext(
        "ror-location-supported-capacity",
        json!({ "extension": parts }),
    )
}

/// A Location equipment (TRE_R212) with its count in service and one limit (TRE_R340).
pub(crate) fn equipment(kind: &str, in_service: u64, max_kg: u64) -> Value {
    ext(
        "ror-location-equipment",
        json!({"extension": [
            sub("equipmentType", json!({"valueCodeableConcept": concept("R212-Equipement", kind)})),
            sub("nbInService", json!({"valueInteger": in_service})),
            ext("ror-location-equipment-limit", json!({"extension": [
                sub("equipmentFeature", json!({"valueCodeableConcept": {"coding": [{"system": R340, "code": "001"}]}})),
                sub("limitValue", json!({"valueQuantity": {"value": max_kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}))
            ]}))
        ]}),
    )
}

/// A residential capacity of a Location (TRE_R242 type of dwelling and its number).
pub(crate) fn residential_capacity(kind: &str, number: u64) -> Value {
    ext(
        "ror-location-residential-capacity",
        json!({"extension": [
            sub("residentialType", json!({"valueCodeableConcept": concept("R242-TypeHabitation", kind)})),
            sub("residentialNumber", json!({"valueInteger": number}))
        ]}),
    )
}

/// A price of a medico-social establishment (`ror-organization-price`).
pub(crate) fn price(kind: &str, unit: &str, euros: f64, start: &str) -> Value {
    ext(
        "ror-organization-price",
        json!({"extension": [
            sub("priceType", json!({"valueCodeableConcept": concept("R246-TypeTarif", kind)})),
            sub("priceUnit", json!({"valueCodeableConcept": concept("R228-UnitePrix", unit)})),
            sub("amount", json!({"valueMoney": {"value": euros, "currency": "EUR"}})),
            sub("startDate", json!({"valueDateTime": start})),
            sub("under60", json!({"valueBoolean": false})),
            sub("residentialType", json!({"valueCodeableConcept": concept("R242-TypeHabitation", "02")})),
            sub("specialPrice", json!({"valueCodeableConcept": concept("R250-ConditionTarifaire", "01")})),
            sub("welcomeType", json!({"valueCodeableConcept": concept("R240-TemporaliteAccueil", "01")})),
            sub("dependencyLevel", json!({"valueCodeableConcept": concept("R237-GroupeTarifaireDependance", "01")}))
        ]}),
    )
}

/// An Organization contact: nature, name, telecoms and the three contact extensions
/// (function, description, contact confidentiality level).
pub(crate) fn organization_contact(level: &str, family: &str, telecoms: Vec<Value>) -> Value {
    json!({
        "extension": [
            ext("ror-contact-function-contact", json!({"valueCodeableConcept": concept("R251-FonctionContact", "01")})),
            ext("ror-contact-description", json!({"valueString": "Direction de l'établissement"})),
            ext("ror-contact-confidentiality-level", json!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", level)}))
        ],
        "purpose": concept("R287-NatureContact", "06"),
        "name": { "family": family, "given": ["Claude"] },
        "telecom": telecoms
    })
}

/// An Organization address: its commune in `address.extension:inseeCode` as a valueCoding
/// (not ror-commune-cog, which is Location's), and structured lines.
pub(crate) fn organization_address(city: &str, postal: &str, commune: &str) -> Value {
    json!({
        "extension": [{
            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
            "valueCoding": coding("R13-CommuneOM", commune)
        }],
        "use": "work",
        "type": "both",
        "line": ["12 rue de la Santé"],
        "city": city,
        "postalCode": postal,
        "country": "FRA"
    })
}
