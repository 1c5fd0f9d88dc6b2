//! Building blocks of the IG 0.6.0 shapes (`reference/ror-profiles.md`): codings of NOS
//! code systems, the ROR ContactPoint, the complex extensions (HealthcareService contact,
//! territorial division, capacities, equipment, prices). Each function emits exactly one
//! element of the IG, so the generator reads as a list of what a resource carries.

use std::cell::RefCell;
use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Duration, Utc};
use rustc_hash::FxHashMap;

use super::build::{IntoJson, obj};
use super::json::{Constant, Json};
use super::rng::Rng;

use super::{IG, REGION_SYSTEM};

/// The TRE code system URL of a NOS table written `Rnnn-Name` (or `Gnn-Name`).
pub(crate) fn nos(tre: &'static str) -> &'static str {
    interned(Kind::Nos, tre)
}

/// What a name is turned into by [`interned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Nos,
    Extension,
}

/// Every system and extension URL the generator writes, made once: a resource carries
/// dozens, and formatting each anew was a tenth of the generation.
fn interned(kind: Kind, name: &'static str) -> &'static str {
    static SHARED: Shared<(Kind, usize, usize), &'static str> = LazyLock::new(Mutex::default);
    thread_local! {
        static LOCAL: RefCell<FxHashMap<(Kind, usize, usize), &'static str>> = RefCell::default();
    }
    let key = (kind, name.as_ptr() as usize, name.len());
    made_once(&SHARED, &LOCAL, key, || {
        let url = match kind {
            Kind::Nos => {
                let (code, table) = name.split_once('-').unwrap_or((name, ""));
                format!("https://mos.esante.gouv.fr/NOS/TRE_{code}-{table}/FHIR/TRE-{code}-{table}")
            }
            Kind::Extension => format!("{IG}/StructureDefinition/{name}"),
        };
        Box::leak(url.into_boxed_str())
    })
}

/// A process-wide table of values made from constants.
type Shared<K, V> = LazyLock<Mutex<FxHashMap<K, V>>>;

/// The value of `key`, made by `make` the first time any thread asks. Keys are built from
/// the addresses of this module's constant names (hashing an address is nearly free, and a
/// literal met at two addresses only costs a second entry), so the tables stay as small as
/// the set of constants and what `make` leaks is leaked once for the process. Each thread
/// reads its own copy of the table, without a lock.
fn made_once<K: Copy + Eq + std::hash::Hash + 'static, V: Copy + 'static>(
    shared: &Shared<K, V>,
    local: &'static std::thread::LocalKey<RefCell<FxHashMap<K, V>>>,
    key: K,
    make: impl FnOnce() -> V,
) -> V {
    if let Some(value) = local.with_borrow(|t| t.get(&key).copied()) {
        return value;
    }
    let value = *shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(key)
        .or_insert_with(make);
    local.with_borrow_mut(|t| t.insert(key, value));
    value
}

/// TRE_R340's published CodeSystem url carries a `.tabs` the other tables do not have; a
/// coding's system is the CodeSystem's url as published, so it is spelled out here.
pub(crate) const R340: &str = "https://mos.esante.gouv.fr/NOS/TRE_R340-TypeCaracteristiqueEquipement.tabs/FHIR/TRE-R340-TypeCaracteristiqueEquipement";

pub(crate) fn coding(tre: &'static str, code: impl IntoJson) -> Json {
    obj!({ "system": nos(tre), "code": code })
}

/// A CodeableConcept of one coding. With a constant code (most of them), the concept is
/// built once for the process and shared: a resource carries dozens.
pub(crate) fn concept(tre: &'static str, code: impl IntoJson) -> Json {
    match code.as_static() {
        Some(code) => Json::Shared(shared_concept(tre, code)),
        None => obj!({ "coding": [coding(tre, code)] }),
    }
}

/// The concept of a constant code, made once ([`made_once`]).
fn shared_concept(tre: &'static str, code: &'static str) -> &'static Constant {
    type Key = (usize, usize, usize, usize);
    static SHARED: Shared<Key, &'static Constant> = LazyLock::new(Mutex::default);
    thread_local! {
        static LOCAL: RefCell<FxHashMap<Key, &'static Constant>> = RefCell::default();
    }
    let key = (
        tre.as_ptr() as usize,
        tre.len(),
        code.as_ptr() as usize,
        code.len(),
    );
    made_once(&SHARED, &LOCAL, key, || {
        Constant::leak(obj!({ "coding": [coding(tre, code)] }))
    })
}

/// An element the same in every resource that carries it with these parameters, built
/// once for the process by `make` and shared ([`made_once`]), as constant concepts are:
/// `name` says which builder (one name a builder), `texts` and `variant` its parameters.
pub(crate) fn constant(
    name: &'static str,
    texts: [&'static str; 2],
    variant: usize,
    make: impl FnOnce() -> Json,
) -> Json {
    type Key = ([(usize, usize); 3], usize);
    static SHARED: Shared<Key, &'static Constant> = LazyLock::new(Mutex::default);
    thread_local! {
        static LOCAL: RefCell<FxHashMap<Key, &'static Constant>> = RefCell::default();
    }
    let at = |text: &'static str| (text.as_ptr() as usize, text.len());
    let key = ([at(name), at(texts[0]), at(texts[1])], variant);
    Json::Shared(made_once(&SHARED, &LOCAL, key, || Constant::leak(make())))
}

/// Canonical URL of a ROR extension (or profile).
pub(crate) fn url(name: &'static str) -> &'static str {
    interned(Kind::Extension, name)
}

/// A ROR extension (canonical url) with its value or sub-extensions.
pub(crate) fn ext(name: &'static str, value: Json) -> Json {
    with_url(url(name), value)
}

/// `{"url": url, …value's members}` in one allocation.
fn with_url(url: &'static str, value: Json) -> Json {
    let members = match value {
        Json::Object(members) => members,
        _ => Vec::new(),
    };
    let mut all = Vec::with_capacity(1 + members.len());
    all.push(("url", Json::Str(url.into())));
    all.extend(members);
    Json::Object(all)
}

/// A sub-extension with a relative url (`ageRange`, `telecomAddress`...).
fn sub(name: &'static str, value: Json) -> Json {
    with_url(name, value)
}

pub(crate) struct Stamp {
    pub(crate) created: String,
    pub(crate) updated: String,
}

pub(crate) fn stamp(rng: &mut Rng, until: DateTime<Utc>) -> Stamp {
    let updated = until - Duration::minutes(rng.below(730 * 24 * 60) as i64);
    let created = updated - Duration::days(30 + rng.below(1500) as i64);
    Stamp {
        created: rfc3339(created, false),
        updated: rfc3339(updated, true),
    }
}

/// `YYYY-MM-DDThh:mm:ss[.mmm]+00:00`, as chrono's `format` writes it, digit by digit: the
/// formatting machinery was a tenth of building an offer, for the dataset's half-million
/// dates.
fn rfc3339(t: DateTime<Utc>, millis: bool) -> String {
    use chrono::{Datelike, Timelike};
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999);
    let Some(year) = year else {
        let format = if millis {
            "%Y-%m-%dT%H:%M:%S%.3f+00:00"
        } else {
            "%Y-%m-%dT%H:%M:%S+00:00"
        };
        return t.format(format).to_string();
    };
    let mut out = Vec::with_capacity(29);
    push_digits(&mut out, year, 4);
    let fields = [
        (b'-', t.month()),
        (b'-', t.day()),
        (b'T', t.hour()),
        (b':', t.minute()),
        (b':', t.second()),
    ];
    for (separator, n) in fields {
        out.push(separator);
        push_digits(&mut out, n, 2);
    }
    if millis {
        out.push(b'.');
        push_digits(&mut out, t.timestamp_subsec_millis(), 3);
    }
    out.extend_from_slice(b"+00:00");
    String::from_utf8(out).unwrap_or_default()
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut Vec<u8>, n: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(b'0' + (n / 10u32.pow(place) % 10) as u8);
    }
}

pub(crate) fn date_of(s: &Stamp) -> String {
    s.created.chars().take(10).collect()
}

pub(crate) fn meta(profile: &'static str, region: &'static str, s: &Stamp) -> Json {
    obj!({
        "lastUpdated": &s.updated,
        "profile": [url(profile)],
        "tag": [{ "system": REGION_SYSTEM, "code": region }]
    })
}

pub(crate) fn creation_date(s: &Stamp) -> Json {
    ext(
        "ror-meta-creation-date",
        obj!({ "valueDateTime": &s.created }),
    )
}

/// TRE_R283 levels: public, restricted, very restricted.
pub(crate) const LEVELS: [&str; 3] = ["1", "2", "3"];

fn channel_of(system: &'static str) -> &'static str {
    match system {
        "email" => "3",
        "fax" => "6",
        "url" => "4",
        _ => "2",
    }
}

/// A ROR ContactPoint: value, communication channel (1..1), usage (0..1) and telecom
/// confidentiality level (1..1).
pub(crate) fn telecom(
    system: &'static str,
    value: impl IntoJson,
    confidentiality: impl IntoJson,
) -> Json {
    telecom_with(system, value, channel_of(system), confidentiality, None)
}

pub(crate) fn telecom_with(
    system: &'static str,
    value: impl IntoJson,
    channel: impl IntoJson,
    confidentiality: impl IntoJson,
    usage: Option<&'static str>,
) -> Json {
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
pub(crate) fn contact_telecom(
    number: impl IntoJson,
    channel: impl IntoJson,
    confidentiality: impl IntoJson,
) -> Json {
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
pub(crate) struct OfferContact {
    pub(crate) family: String,
    pub(crate) function: &'static str,
    pub(crate) purpose: &'static str,
    pub(crate) level: &'static str,
    pub(crate) phones: Vec<Json>,
}

pub(crate) fn offer_contact(c: OfferContact) -> Json {
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
pub(crate) fn territorial_division(
    kind: &'static str,
    tre: &'static str,
    code: &'static str,
) -> Json {
    // A kind is a TRE_R201 code of a character or two: its bytes are the variant.
    debug_assert!(kind.len() <= std::mem::size_of::<usize>());
    let variant = kind.bytes().fold(0, |v, b| v << 8 | usize::from(b));
    constant("territorial-division", [tre, code], variant, || {
        territorial_division_of(kind, tre, code)
    })
}

fn territorial_division_of(kind: &'static str, tre: &'static str, code: &'static str) -> Json {
    ext(
        "ror-territorial-division",
        obj!({"extension": [
            sub("typeTerritorialDivision", obj!({"valueCodeableConcept": concept("R201-TypeDivisionTerritoriale", kind)})),
            sub("codeTerritorialDivision", obj!({"valueCodeableConcept": concept(tre, code)}))
        ]}),
    )
}

/// One opening slot: a day (code and ROR 1–7 number), its hours and its type (TRE_R252).
pub(crate) fn available_time(
    day: usize,
    from: impl IntoJson,
    to: impl IntoJson,
    effective: Option<Json>,
) -> Json {
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
pub(crate) fn closing_reopening(start: impl IntoJson, end: impl IntoJson) -> Json {
    obj!({
        "id": "closingReopeningDate",
        "description": "Période de fermeture et de réouverture prévisionnelle",
        "during": { "start": start, "end": end }
    })
}

/// A Location capacity (`ror-location-supported-capacity`): beds (`01`) or places (`02`),
/// every 1..1 sub-extension set; a closed capacity (status `05`) says why, with its
/// additional bed type and crisis type.
pub(crate) fn supported_capacity(
    kind: impl IntoJson,
    status: &'static str,
    number: u64,
    updated: impl IntoJson,
) -> Json {
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
pub(crate) fn equipment(kind: impl IntoJson, in_service: u64, max_kg: u64) -> Json {
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
pub(crate) fn residential_capacity(kind: impl IntoJson, number: u64) -> Json {
    ext(
        "ror-location-residential-capacity",
        obj!({"extension": [
            sub("residentialType", obj!({"valueCodeableConcept": concept("R242-TypeHabitation", kind)})),
            sub("residentialNumber", obj!({"valueInteger": number}))
        ]}),
    )
}

/// A price of a medico-social establishment (`ror-organization-price`).
pub(crate) fn price(
    kind: impl IntoJson,
    unit: impl IntoJson,
    euros: f64,
    start: impl IntoJson,
) -> Json {
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
pub(crate) fn organization_contact(
    level: impl IntoJson,
    family: impl IntoJson,
    telecoms: Vec<Json>,
) -> Json {
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
pub(crate) fn organization_address(
    city: impl IntoJson,
    postal: impl IntoJson,
    commune: impl IntoJson,
) -> Json {
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn dates_are_written_as_chrono_formats_them() {
        for (secs, millis) in [
            (0, 0),
            (1_782_820_800, 0),
            (1_700_000_059, 7),
            (4_102_444_799, 999),
            (951_782_400, 10),
            (-62_198_755_200, 5),
            (253_402_300_800, 1),
        ] {
            let t = chrono::Utc
                .timestamp_millis_opt(secs * 1000 + millis)
                .single()
                .expect("instant");
            assert_eq!(
                rfc3339(t, false),
                t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
            );
            assert_eq!(
                rfc3339(t, true),
                t.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
            );
        }
    }
}
