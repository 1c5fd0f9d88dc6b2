//! The search parameters the ROR IG 0.6.0 defines (its SearchParameter resources, declared by
//! its CapabilityStatement) and the standard R4 ones it declares beside them, as data: each
//! is a path from the resource to the values it indexes, and a kind that says how a value
//! matches (token, string, date, number, quantity).
//!
//! The IG's FHIRPath expressions were followed, except where they cannot index anything and
//! the parameter's name and description say what was meant (listed in docs/mock.md): codes
//! read `.as(code)` on CodeableConcept values, `special-price` pointing at `dependencyLevel`,
//! `price-validity-start-date` at a non-existent extension, `equipment-feature` and
//! `limit-value` at the limit extension as if it were on the resource (it sits inside
//! `ror-location-equipment`).

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::matcher::{Matcher, SearchError, parse_date, parse_tokens, token_matches};
use super::store::{Store, Stored};
use super::visibility;

/// One step from a value to the next ones.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The extensions of that url (a full url, or a relative sub-extension name).
    Ext(&'static str),
    /// A child element (arrays walked).
    Field(&'static str),
    /// The `notAvailable` slice recognised by its id.
    Id(&'static str),
}

/// How a query value matches an indexed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Token,
    Text,
    Date,
    Number,
}

struct Param {
    resource: &'static str,
    code: &'static str,
    kind: Kind,
    path: &'static [Step],
}

macro_rules! ror {
    ($name:literal) => {
        Step::Ext(concat!(
            "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/",
            $name
        ))
    };
}

use Kind::{Date, Number, Text, Token};
use Step::{Ext, Field, Id};

const CAPACITY: Step = ror!("ror-location-supported-capacity");
const PRICE: Step = ror!("ror-organization-price");
const EQUIPMENT: Step = ror!("ror-location-equipment");

/// The table: IG SearchParameters first, then the standard R4 parameters the IG's
/// CapabilityStatement declares that the hand-written matchers do not cover.
const PARAMS: &[Param] = &[
    // HealthcareService
    Param {
        resource: "HealthcareService",
        code: "age-range-low",
        kind: Number,
        path: &[
            ror!("ror-healthcareservice-patient-type"),
            Ext("ageRange"),
            Field("valueRange"),
            Field("low"),
        ],
    },
    Param {
        resource: "HealthcareService",
        code: "age-range-high",
        kind: Number,
        path: &[
            ror!("ror-healthcareservice-patient-type"),
            Ext("ageRange"),
            Field("valueRange"),
            Field("high"),
        ],
    },
    Param {
        resource: "HealthcareService",
        code: "patient-type",
        kind: Token,
        path: &[
            ror!("ror-healthcareservice-patient-type"),
            Ext("supportedPatientInfo"),
        ],
    },
    Param {
        resource: "HealthcareService",
        code: "intervention-zone",
        kind: Token,
        path: &[
            ror!("ror-territorial-division"),
            Ext("codeTerritorialDivision"),
        ],
    },
    Param {
        resource: "HealthcareService",
        code: "psychiatric-sector",
        kind: Text,
        path: &[ror!("ror-healthcareservice-psychiatric-sector")],
    },
    Param {
        resource: "HealthcareService",
        code: "notavailable-closing-reopeningdate",
        kind: Date,
        path: &[
            Field("notAvailable"),
            Id("closingReopeningDate"),
            Field("during"),
        ],
    },
    // Location
    Param {
        resource: "Location",
        code: "commune-cog",
        kind: Token,
        path: &[ror!("ror-commune-cog")],
    },
    Param {
        resource: "Location",
        code: "capacity-type",
        kind: Token,
        path: &[CAPACITY, Ext("capacityType")],
    },
    Param {
        resource: "Location",
        code: "capacity-status",
        kind: Token,
        path: &[CAPACITY, Ext("capacityStatus")],
    },
    Param {
        resource: "Location",
        code: "temporality-capacity",
        kind: Token,
        path: &[CAPACITY, Ext("temporalityCapacity")],
    },
    Param {
        resource: "Location",
        code: "nb-capacity",
        kind: Number,
        path: &[CAPACITY, Ext("nbCapacity")],
    },
    Param {
        resource: "Location",
        code: "gender-capacity-available",
        kind: Token,
        path: &[CAPACITY, Ext("genderCapacityAvailable")],
    },
    Param {
        resource: "Location",
        code: "capacity-update-date",
        kind: Date,
        path: &[CAPACITY, Ext("capacityUpdateDate")],
    },
    Param {
        resource: "Location",
        code: "capacity-closing-type",
        kind: Token,
        path: &[CAPACITY, Ext("capacityClosingType")],
    },
    Param {
        resource: "Location",
        code: "additional-bed-type",
        kind: Token,
        path: &[CAPACITY, Ext("additionalBedType")],
    },
    Param {
        resource: "Location",
        code: "crisis-type",
        kind: Token,
        path: &[CAPACITY, Ext("crisisType")],
    },
    Param {
        resource: "Location",
        code: "temporary-assignement",
        kind: Token,
        path: &[CAPACITY, Ext("temporaryAssignement")],
    },
    Param {
        resource: "Location",
        code: "equipment-type",
        kind: Token,
        path: &[EQUIPMENT, Ext("equipmentType")],
    },
    Param {
        resource: "Location",
        code: "equipment-feature",
        kind: Token,
        path: &[
            EQUIPMENT,
            ror!("ror-location-equipment-limit"),
            Ext("equipmentFeature"),
        ],
    },
    Param {
        resource: "Location",
        code: "limit-value",
        kind: Number,
        path: &[
            EQUIPMENT,
            ror!("ror-location-equipment-limit"),
            Ext("limitValue"),
        ],
    },
    Param {
        resource: "Location",
        code: "residential-type",
        kind: Token,
        path: &[
            ror!("ror-location-residential-capacity"),
            Ext("residentialType"),
        ],
    },
    Param {
        resource: "Location",
        code: "residential-number",
        kind: Number,
        path: &[
            ror!("ror-location-residential-capacity"),
            Ext("residentialNumber"),
        ],
    },
    Param {
        resource: "Location",
        code: "operational-status",
        kind: Token,
        path: &[Field("operationalStatus")],
    },
    Param {
        resource: "Location",
        code: "address-city",
        kind: Text,
        path: &[Field("address"), Field("city")],
    },
    // Organization
    Param {
        resource: "Organization",
        code: "closing-type",
        kind: Token,
        path: &[ror!("ror-organization-closing-type")],
    },
    Param {
        resource: "Organization",
        code: "drop-zone",
        kind: Token,
        path: &[ror!("ror-organization-drop-zone")],
    },
    Param {
        resource: "Organization",
        code: "period-end",
        kind: Date,
        path: &[
            Ext("http://hl7.org/fhir/StructureDefinition/organization-period"),
            Field("valuePeriod"),
            Field("end"),
        ],
    },
    Param {
        resource: "Organization",
        code: "price-amount-value",
        kind: Number,
        path: &[PRICE, Ext("amount")],
    },
    Param {
        resource: "Organization",
        code: "price-dependency-level",
        kind: Token,
        path: &[PRICE, Ext("dependencyLevel")],
    },
    Param {
        resource: "Organization",
        code: "price-residential-type",
        kind: Token,
        path: &[PRICE, Ext("residentialType")],
    },
    Param {
        resource: "Organization",
        code: "price-type",
        kind: Token,
        path: &[PRICE, Ext("priceType")],
    },
    Param {
        resource: "Organization",
        code: "price-unit",
        kind: Token,
        path: &[PRICE, Ext("priceUnit")],
    },
    Param {
        resource: "Organization",
        code: "price-validity-start-date",
        kind: Date,
        path: &[PRICE, Ext("startDate")],
    },
    Param {
        resource: "Organization",
        code: "price-welcome-type",
        kind: Token,
        path: &[PRICE, Ext("welcomeType")],
    },
    Param {
        resource: "Organization",
        code: "special-price",
        kind: Token,
        path: &[PRICE, Ext("specialPrice")],
    },
];

/// The declared parameters, for the mock's CapabilityStatement: (resource, code, type).
pub(crate) fn declared() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    PARAMS.iter().map(|p| {
        let ty = match p.kind {
            Token => "token",
            Text => "string",
            Date => "date",
            Number if p.code.starts_with("age-range") || p.code == "limit-value" => "quantity",
            Number => "number",
        };
        (p.resource, p.code, ty)
    })
}

/// Whether `code` is a token parameter of the IG on `resource`.
pub(crate) fn is_token(resource: &str, code: &str) -> bool {
    PARAMS
        .iter()
        .any(|p| p.resource == resource && p.code == code && p.kind == Token)
}

/// The values a parameter indexes on one resource.
fn values<'a>(resource: &'a Value, path: &[Step]) -> Vec<&'a Value> {
    let mut current = vec![resource];
    for step in path {
        let mut next = Vec::new();
        for v in current {
            match step {
                Ext(url) => next.extend(
                    v["extension"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|e| e["url"] == *url),
                ),
                Field(name) => match v.get(*name) {
                    Some(Value::Array(items)) => next.extend(items.iter()),
                    Some(Value::Null) | None => {}
                    Some(child) => next.push(child),
                },
                Id(id) => {
                    if v["id"] == *id {
                        next.push(v);
                    }
                }
            }
        }
        current = next;
    }
    // An extension reached last stands for its value[x].
    current
        .into_iter()
        .filter_map(|v| match v.get("url") {
            Some(_) => v
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
                .map(|(_, x)| x),
            None => Some(v),
        })
        .collect()
}

/// A number comparison: `ge10`, `5`, `lt5.5`, quantities as `5||a` or `5|http://unitsofmeasure.org|a`.
fn number_test(
    param: &str,
    raw: &str,
) -> Result<impl Fn(f64) -> bool + Send + Sync + use<>, SearchError> {
    let (prefix, rest) = match raw.get(..2) {
        Some(p @ ("eq" | "ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb" | "ap")) => {
            (p.to_owned(), &raw[2..])
        }
        _ => ("eq".to_owned(), raw),
    };
    let number: f64 = rest
        .split('|')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| SearchError::InvalidValue {
            param: param.to_owned(),
            value: raw.to_owned(),
            reason: "nombre attendu, éventuellement préfixé (eq, ne, gt, lt, ge, le, sa, eb, ap)"
                .to_owned(),
        })?;
    Ok(move |v: f64| match prefix.as_str() {
        "ne" => v != number,
        "gt" | "sa" => v > number,
        "lt" | "eb" => v < number,
        "ge" => v >= number,
        "le" => v <= number,
        // ap: within 10 %, as the FHIR specification suggests.
        "ap" => (v - number).abs() <= number.abs() * 0.1,
        _ => v == number,
    })
}

fn number_of(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.get("value").and_then(Value::as_f64))
}

/// The instants a date value covers: its own precision for a date or dateTime, the period's
/// bounds for a Period (an open end is unbounded).
fn span(v: &Value) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let bound = |s: &str| parse_date("", s).ok().map(|r| r.bounds());
    if let Some(text) = v.as_str() {
        return bound(text);
    }
    let start = v["start"].as_str().and_then(bound).map(|b| b.0);
    let end = v["end"].as_str().and_then(bound).map(|b| b.1);
    match (start, end) {
        (None, None) => None,
        (s, e) => Some((
            s.unwrap_or(DateTime::<FixedOffset>::MIN_UTC.fixed_offset()),
            e.unwrap_or(DateTime::<FixedOffset>::MAX_UTC.fixed_offset()),
        )),
    }
}

/// A test on the values a parameter indexes on one resource.
type ValueTest = Box<dyn Fn(&[&Value]) -> bool + Send + Sync>;

fn value_test(
    kind: Kind,
    modifier: Option<&str>,
    name: &str,
    value: &str,
) -> Option<Result<ValueTest, SearchError>> {
    Some(match (kind, modifier) {
        (Token, None) => {
            let tokens = parse_tokens(value);
            Ok(Box::new(move |vs: &[&Value]| {
                vs.iter().any(|v| match v {
                    Value::String(c) => tokens.iter().any(|t| t.system.is_none() && t.code == *c),
                    Value::Bool(b) => tokens
                        .iter()
                        .any(|t| t.system.is_none() && t.code == b.to_string()),
                    other => token_matches(*other, &tokens),
                })
            }) as ValueTest)
        }
        (Text, None | Some("exact") | Some("contains")) => {
            let wanted = value.to_owned();
            let modifier = modifier.map(str::to_owned);
            Ok(Box::new(move |vs: &[&Value]| {
                vs.iter()
                    .filter_map(|v| v.as_str())
                    .any(|v| match modifier.as_deref() {
                        Some("exact") => v == wanted,
                        Some(_) => v.to_lowercase().contains(&wanted.to_lowercase()),
                        None => v.to_lowercase().starts_with(&wanted.to_lowercase()),
                    })
            }) as ValueTest)
        }
        (Date, None) => parse_date(name, value).map(|range| {
            Box::new(move |vs: &[&Value]| {
                vs.iter()
                    .filter_map(|v| span(v))
                    .any(|(start, end)| range.matches_span(start, end))
            }) as ValueTest
        }),
        (Number, None) => number_test(name, value).map(|test| {
            Box::new(move |vs: &[&Value]| vs.iter().filter_map(|v| number_of(v)).any(&test))
                as ValueTest
        }),
        _ => return None,
    })
}

/// Whether a parameter indexes an element some profiles may not see (capacities,
/// equipment, drop zone): for them it is evaluated on what they see, so that a search
/// cannot reveal what a read would hide.
fn restricted(path: &[Step]) -> bool {
    matches!(path.first(), Some(Ext(url)) if [
        "/ror-location-supported-capacity",
        "/ror-location-equipment",
        "/ror-organization-drop-zone",
    ]
    .iter()
    .any(|suffix| url.ends_with(suffix)))
}

/// The matcher of an IG-declared parameter, `None` when `name` is not one.
pub(crate) fn matcher(
    resource: &str,
    name: &str,
    value: &str,
    profile: u8,
) -> Option<Result<Matcher, SearchError>> {
    let (code, modifier) = name
        .split_once(':')
        .map_or((name, None), |(c, m)| (c, Some(m)));
    let param = PARAMS
        .iter()
        .find(|p| p.resource == resource && p.code == code)?;
    let path = param.path;
    let test = match value_test(param.kind, modifier, name, value) {
        Some(Ok(test)) => test,
        Some(Err(e)) => return Some(Err(e)),
        None => {
            return Some(Err(SearchError::UnknownParameter {
                resource: resource.to_owned(),
                param: name.to_owned(),
            }));
        }
    };
    let as_seen = restricted(path) && !matches!(profile, 1 | 4);
    Some(Ok(Box::new(move |_: &Store, s: &Stored| {
        if as_seen {
            visibility::visible(&s.resource(), profile, &s.offers)
                .is_some_and(|seen| test(&values(&seen, path)))
        } else {
            test(&values(&s.resource(), path))
        }
    })))
}

/// Whether `name` (modifier aside) is a parameter of the IG's, on any type.
pub(crate) fn is_ig_param(name: &str) -> bool {
    let code = name.split(':').next().unwrap_or(name);
    PARAMS.iter().any(|p| p.code == code)
}

#[cfg(test)]
#[path = "ig_params_tests.rs"]
mod tests;
