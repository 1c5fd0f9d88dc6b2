//! Building blocks of the IG 0.6.0 shapes (`reference/ror-profiles.md`): codings of NOS
//! code systems, the ROR ContactPoint, the complex extensions (HealthcareService contact,
//! territorial division, capacities, equipment, prices). Each function emits exactly one
//! element of the IG, so the generator reads as a list of what a resource carries.

use serde_json::Value;

use super::build::obj;

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
    obj!({ "system": nos(tre), "code": code })
}

pub(crate) fn concept(tre: &str, code: &str) -> Value {
    obj!({ "coding": [coding(tre, code)] })
}

/// Canonical URL of a ROR extension.
pub(crate) fn url(name: &str) -> String {
    format!("{IG}/StructureDefinition/{name}")
}

/// A ROR extension (canonical url) with its value or sub-extensions.
pub(crate) fn ext(name: &str, value: Value) -> Value {
    let mut e = obj!({ "url": url(name) });
    if let (Some(obj), Value::Object(v)) = (e.as_object_mut(), value) {
        obj.extend(v);
    }
    e
}

/// A sub-extension with a relative url (`ageRange`, `telecomAddress`...).
fn sub(name: &str, value: Value) -> Value {
    let mut e = obj!({ "url": name });
    if let (Some(obj), Value::Object(v)) = (e.as_object_mut(), value) {
        obj.extend(v);
    }
    e
}

pub(crate) struct Stamp {
    pub(crate) created: String,
    pub(crate) updated: String,
}

pub(crate) fn meta(profile: &str, region: &str, s: &Stamp) -> Value {
    obj!({
        "lastUpdated": &s.updated,
        "profile": [url(profile)],
        "tag": [{ "system": REGION_SYSTEM, "code": region }]
    })
}

pub(crate) fn creation_date(s: &Stamp) -> Value {
    ext(
        "ror-meta-creation-date",
        obj!({ "valueDateTime": &s.created }),
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
        obj!({"valueCodeableConcept": concept("R200-CanalCommunication", channel)}),
    )];
    if let Some(usage) = usage {
        extension.push(ext("ror-telecom-usage", obj!({ "valueString": usage })));
    }
    extension.push(ext(
        "ror-telecom-confidentiality-level",
        obj!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)}),
    ));
    obj!({ "system": system, "value": value, "extension": extension })
}

/// A phone number of a HealthcareService contact (`ror-healthcareservice-contact-telecom`):
/// its address is the relative sub-extension `telecomAddress`, the three others are canonical.
pub(crate) fn contact_telecom(number: &str, channel: &str, confidentiality: &str) -> Value {
    ext(
        "ror-healthcareservice-contact-telecom",
        obj!({"extension": [
            ext("ror-telecom-communication-channel", obj!({"valueCodeableConcept": concept("R200-CanalCommunication", channel)})),
            ext("ror-telecom-usage", obj!({"valueString": "Du lundi au vendredi"})),
            ext("ror-telecom-confidentiality-level", obj!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", confidentiality)})),
            sub("telecomAddress", obj!({"valueString": number}))
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
            obj!({"valueHumanName": {"family": c.family, "given": ["Dominique"]}}),
        ),
        ext(
            "ror-contact-function-contact",
            obj!({"valueCodeableConcept": concept("R251-FonctionContact", c.function)}),
        ),
        sub(
            "purposeContact",
            obj!({"valueCodeableConcept": concept("R287-NatureContact", c.purpose)}),
        ),
        sub(
            "description",
            obj!({"valueString": "Joignable aux heures ouvrées"}),
        ),
        ext(
            "ror-confidentiality-level",
            obj!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", c.level)}),
        ),
    ];
    extension.extend(c.phones);
    ext(
        "ror-healthcareservice-contact",
        obj!({ "extension": extension }),
    )
}

/// A territorial division (zone d'intervention of an offer, territoire de santé of an
/// organisation): its type (TRE_R201) and its code, both CodeableConcepts.
pub(crate) fn territorial_division(kind: &str, tre: &str, code: &str) -> Value {
    ext(
        "ror-territorial-division",
        obj!({"extension": [
            sub("typeTerritorialDivision", obj!({"valueCodeableConcept": concept("R201-TypeDivisionTerritoriale", kind)})),
            sub("codeTerritorialDivision", obj!({"valueCodeableConcept": concept(tre, code)}))
        ]}),
    )
}

/// One opening slot: a day (code and ROR 1–7 number), its hours and its type (TRE_R252).
pub(crate) fn available_time(day: usize, from: &str, to: &str, effective: Option<Value>) -> Value {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut extension = vec![
        ext(
            "ror-available-time-type-of-time",
            obj!({"valueCodeableConcept": concept("R252-TypeHoraire", "01")}),
        ),
        ext(
            "ror-available-time-number-days-of-week",
            obj!({"valueInteger": day % 7 + 1}),
        ),
    ];
    if let Some(period) = effective {
        extension.push(ext(
            "ror-available-time-effective-opening-closing-date",
            obj!({ "valuePeriod": period }),
        ));
    }
    obj!({
        "extension": extension,
        "daysOfWeek": [DAYS[day % 7]],
        "availableStartTime": from,
        "availableEndTime": to
    })
}

/// The `notAvailable:closingReopeningDate` slice: recognised by its id, fixed description.
pub(crate) fn closing_reopening(start: &str, end: &str) -> Value {
    obj!({
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
            obj!({"valueCodeableConcept": concept("R329-NatureCapacite", kind)}),
        ),
        sub(
            "capacityStatus",
            obj!({"valueCodeableConcept": concept("R330-TypeStatutCapacite", status)}),
        ),
        sub(
            "temporalityCapacity",
            obj!({"valueCodeableConcept": concept("R331-TemporaliteCapacite", "01")}),
        ),
        sub("nbCapacity", obj!({"valueInteger": number})),
        sub(
            "capacitySourceType",
            obj!({"valueCodeableConcept": concept("R335-TypeSourceCapacite", "02")}),
        ),
        sub(
            "genderCapacityAvailable",
            obj!({"valueCodeableConcept": concept("R332-GenreCapacite", "03")}),
        ),
        sub("capacityUpdateDate", obj!({"valueDateTime": updated})),
    ];
    if status == "05" {
        parts.extend([
            sub(
                "capacityClosingType",
                obj!({"valueCodeableConcept": concept("R333-TypeFermetureCapacite", "01")}),
            ),
            sub(
                "additionalBedType",
                obj!({"valueCodeableConcept": concept("R334-TypeLitSupplementaire", "01")}),
            ),
            sub(
                "crisisType",
                obj!({"valueCodeableConcept": concept("R336-TypeCrise", "01")}),
            ),
        ]);
    }
    parts.push(sub(
        "temporaryAssignement",
        obj!({"valueCodeableConcept": concept("R337-AffectationTemporaire", "01")}),
    ));
    ext(
        "ror-location-supported-capacity",
        obj!({ "extension": parts }),
    )
}

/// A Location equipment (TRE_R212) with its count in service and one limit (TRE_R340).
pub(crate) fn equipment(kind: &str, in_service: u64, max_kg: u64) -> Value {
    ext(
        "ror-location-equipment",
        obj!({"extension": [
            sub("equipmentType", obj!({"valueCodeableConcept": concept("R212-Equipement", kind)})),
            sub("nbInService", obj!({"valueInteger": in_service})),
            ext("ror-location-equipment-limit", obj!({"extension": [
                sub("equipmentFeature", obj!({"valueCodeableConcept": {"coding": [{"system": R340, "code": "001"}]}})),
                sub("limitValue", obj!({"valueQuantity": {"value": max_kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}))
            ]}))
        ]}),
    )
}

/// A residential capacity of a Location (TRE_R242 type of dwelling and its number).
pub(crate) fn residential_capacity(kind: &str, number: u64) -> Value {
    ext(
        "ror-location-residential-capacity",
        obj!({"extension": [
            sub("residentialType", obj!({"valueCodeableConcept": concept("R242-TypeHabitation", kind)})),
            sub("residentialNumber", obj!({"valueInteger": number}))
        ]}),
    )
}

/// A price of a medico-social establishment (`ror-organization-price`).
pub(crate) fn price(kind: &str, unit: &str, euros: f64, start: &str) -> Value {
    ext(
        "ror-organization-price",
        obj!({"extension": [
            sub("priceType", obj!({"valueCodeableConcept": concept("R246-TypeTarif", kind)})),
            sub("priceUnit", obj!({"valueCodeableConcept": concept("R228-UnitePrix", unit)})),
            sub("amount", obj!({"valueMoney": {"value": euros, "currency": "EUR"}})),
            sub("startDate", obj!({"valueDateTime": start})),
            sub("under60", obj!({"valueBoolean": false})),
            sub("residentialType", obj!({"valueCodeableConcept": concept("R242-TypeHabitation", "02")})),
            sub("specialPrice", obj!({"valueCodeableConcept": concept("R250-ConditionTarifaire", "01")})),
            sub("welcomeType", obj!({"valueCodeableConcept": concept("R240-TemporaliteAccueil", "01")})),
            sub("dependencyLevel", obj!({"valueCodeableConcept": concept("R237-GroupeTarifaireDependance", "01")}))
        ]}),
    )
}

/// An Organization contact: nature, name, telecoms and the three contact extensions
/// (function, description, contact confidentiality level).
pub(crate) fn organization_contact(level: &str, family: &str, telecoms: Vec<Value>) -> Value {
    obj!({
        "extension": [
            ext("ror-contact-function-contact", obj!({"valueCodeableConcept": concept("R251-FonctionContact", "01")})),
            ext("ror-contact-description", obj!({"valueString": "Direction de l'établissement"})),
            ext("ror-contact-confidentiality-level", obj!({"valueCodeableConcept": concept("R283-NiveauConfidentialite", level)}))
        ],
        "purpose": concept("R287-NatureContact", "06"),
        "name": { "family": family, "given": ["Claude"] },
        "telecom": telecoms
    })
}

/// An Organization address: its commune in `address.extension:inseeCode` as a valueCoding
/// (not ror-commune-cog, which is Location's), and structured lines.
pub(crate) fn organization_address(city: &str, postal: &str, commune: &str) -> Value {
    obj!({
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
