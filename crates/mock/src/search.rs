//! FHIR search over the store: parameters, modifiers, prefixes, includes.
//!
//! Strict like a HAPI server in strict mode: an unknown parameter or an invalid value is a
//! 400, never silently ignored (a consumer must learn that its request is wrong).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::store::{Store, Stored, reference_key};

/// Largest and default page size (ROR rule RG_RECH_52).
pub const MAX_PAGE: usize = 200;
/// Synchronous searches stop at this many results (national extraction must use $export).
pub const SYNC_CAP: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("Paramètre de recherche inconnu pour {resource} : {param}")]
    UnknownParameter { resource: String, param: String },
    #[error("Valeur invalide pour le paramètre {param} : « {value} » ({reason})")]
    InvalidValue {
        param: String,
        value: String,
        reason: String,
    },
    #[error("Inclusion non prise en charge : {0}")]
    UnknownInclude(String),
}

pub(crate) type Matcher = Box<dyn Fn(&Store, &Stored) -> bool + Send + Sync>;

/// Where to look first: the resources an `_id` or `identifier` criterion names, so that
/// such searches read a few entries of an index instead of scanning the store.
enum Candidates {
    Ids(Vec<String>),
    Identifiers(Vec<String>),
}

/// A parsed search.
pub struct Search {
    pub resource_type: String,
    matchers: Vec<Matcher>,
    candidates: Option<Candidates>,
    pub count: usize,
    pub includes: Vec<String>,
    pub iterate_includes: Vec<String>,
    pub revincludes: Vec<String>,
    /// `_elements`: top-level elements to keep in matches (others are left out).
    pub elements: Option<Vec<String>>,
}

/// `system|code`, `code` or `|code`.
#[derive(Debug, Clone)]
struct Token {
    system: Option<String>,
    code: String,
}

fn parse_tokens(value: &str) -> Vec<Token> {
    value
        .split(',')
        .map(|one| match one.split_once('|') {
            Some((system, code)) => Token {
                system: Some(system.to_owned()),
                code: code.to_owned(),
            },
            None => Token {
                system: None,
                code: one.to_owned(),
            },
        })
        .collect()
}

/// Codings of a CodeableConcept / Coding / Identifier, or of an array of them.
fn codings(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().flat_map(codings).collect(),
        Value::Object(o) if o.contains_key("coding") => o["coding"]
            .as_array()
            .map(|c| c.iter().collect())
            .unwrap_or_default(),
        Value::Object(_) => vec![value],
        _ => Vec::new(),
    }
}

fn token_matches(value: &Value, tokens: &[Token]) -> bool {
    codings(value).iter().any(|c| {
        let code = c
            .get("code")
            .or_else(|| c.get("value"))
            .and_then(Value::as_str);
        let system = c.get("system").and_then(Value::as_str);
        tokens.iter().any(|t| {
            code == Some(t.code.as_str())
                && match &t.system {
                    None => true,
                    Some(s) if s.is_empty() => system.is_none(),
                    Some(s) => system == Some(s.as_str()),
                }
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Sa,
    Eb,
}

/// A date parameter: the prefix and the range its precision covers, [start, end).
#[derive(Debug, Clone, Copy)]
struct DateRange {
    prefix: Prefix,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

impl DateRange {
    fn holds(&self, instant: DateTime<FixedOffset>) -> bool {
        match self.prefix {
            Prefix::Eq => instant >= self.start && instant < self.end,
            Prefix::Ne => instant < self.start || instant >= self.end,
            Prefix::Gt | Prefix::Sa => instant >= self.end,
            Prefix::Lt | Prefix::Eb => instant < self.start,
            Prefix::Ge => instant >= self.start,
            Prefix::Le => instant < self.end,
        }
    }
}

/// Parses `ge2022-11-06T15:00`, `2026-06`, `lt2026-06-30T10:00:00+02:00`... A value without
/// a time zone is read as UTC (documented in docs/mock.md).
fn parse_date(param: &str, raw: &str) -> Result<DateRange, SearchError> {
    let invalid = |reason: &str| SearchError::InvalidValue {
        param: param.to_owned(),
        value: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let (prefix, text) = match raw.get(..2) {
        Some("eq") => (Prefix::Eq, &raw[2..]),
        Some("ne") => (Prefix::Ne, &raw[2..]),
        Some("gt") => (Prefix::Gt, &raw[2..]),
        Some("lt") => (Prefix::Lt, &raw[2..]),
        Some("ge") => (Prefix::Ge, &raw[2..]),
        Some("le") => (Prefix::Le, &raw[2..]),
        Some("sa") => (Prefix::Sa, &raw[2..]),
        Some("eb") => (Prefix::Eb, &raw[2..]),
        _ => (Prefix::Eq, raw),
    };
    let utc = FixedOffset::east_opt(0).ok_or_else(|| invalid("fuseau"))?;
    let date_only = |s: &str, fmt: &str| NaiveDate::parse_from_str(s, fmt).ok();
    let at_midnight =
        |d: NaiveDate| utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let expected = "date attendue AAAA, AAAA-MM, AAAA-MM-JJ ou AAAA-MM-JJThh:mm[:ss][Z|±hh:mm]";
    if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) {
        let d = date_only(&format!("{text}-01-01"), "%Y-%m-%d").ok_or_else(|| invalid(expected))?;
        let next = NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).ok_or_else(|| invalid(expected))?;
        return Ok(DateRange {
            prefix,
            start: at_midnight(d),
            end: at_midnight(next),
        });
    }
    if text.len() == 7 {
        let d = date_only(&format!("{text}-01"), "%Y-%m-%d").ok_or_else(|| invalid(expected))?;
        let next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .ok_or_else(|| invalid(expected))?;
        return Ok(DateRange {
            prefix,
            start: at_midnight(d),
            end: at_midnight(next),
        });
    }
    if text.len() == 10 {
        let d = date_only(text, "%Y-%m-%d").ok_or_else(|| invalid(expected))?;
        return Ok(DateRange {
            prefix,
            start: at_midnight(d),
            end: at_midnight(d) + Duration::days(1),
        });
    }
    // Date and time, with or without seconds and zone.
    let (body, zone) = split_zone(text);
    let offset = match zone {
        None | Some("Z") => utc,
        Some(z) => {
            DateTime::parse_from_str(&format!("2000-01-01T00:00:00{z}"), "%Y-%m-%dT%H:%M:%S%:z")
                .map(|d| *d.offset())
                .map_err(|_| invalid(expected))?
        }
    };
    let (naive, step) = if let Ok(n) = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M") {
        (n, Duration::minutes(1))
    } else if let Ok(n) = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S") {
        (n, Duration::seconds(1))
    } else if let Ok(n) = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S%.f") {
        (n, Duration::milliseconds(1))
    } else {
        return Err(invalid(expected));
    };
    let start = offset
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| invalid(expected))?;
    Ok(DateRange {
        prefix,
        start,
        end: start + step,
    })
}

fn split_zone(text: &str) -> (&str, Option<&str>) {
    if let Some(body) = text.strip_suffix('Z') {
        return (body, Some("Z"));
    }
    // `get` rather than slicing: the value is the client's and may end in multi-byte text.
    if let Some(at) = text.len().checked_sub(6)
        && let (Some(body), Some(tail)) = (text.get(..at), text.get(at..))
        && (tail.starts_with('+') || tail.starts_with('-'))
        && tail.as_bytes().get(3) == Some(&b':')
    {
        return (body, Some(tail));
    }
    (text, None)
}

/// Organisations an offer hangs from: its `providedBy` and everything above it.
fn offer_orgs(store: &Store, s: &Stored) -> Vec<usize> {
    store
        .resolve(&s.resource["providedBy"])
        .map(|org| store.org_chain(org))
        .unwrap_or_default()
}

fn offer_locations<'a>(store: &'a Store, s: &Stored) -> Vec<&'a Stored> {
    s.resource["location"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| store.resolve(l))
        .map(|i| &store.all[i])
        .collect()
}

fn ext_value<'a>(resource: &'a Value, name: &str) -> Option<&'a Value> {
    resource["extension"].as_array()?.iter().find_map(|e| {
        e["url"]
            .as_str()
            .filter(|u| u.ends_with(&format!("/{name}")))
            .map(|_| e)
    })
}

fn string_starts(value: Option<&str>, wanted: &str) -> bool {
    value.is_some_and(|v| v.to_lowercase().starts_with(&wanted.to_lowercase()))
}

/// Values of a reference parameter as `Type/id` keys (`123` or `Organization/123`).
fn reference_values(value: &str, default_type: &str) -> Vec<String> {
    value
        .split(',')
        .map(|v| {
            if v.contains('/') {
                v.to_owned()
            } else {
                format!("{default_type}/{v}")
            }
        })
        .collect()
}

/// Builds the matcher of one criterion, or says why it is not supported.
pub(crate) fn matcher(
    resource_type: &str,
    name: &str,
    value: &str,
) -> Result<Matcher, SearchError> {
    let unknown = || SearchError::UnknownParameter {
        resource: resource_type.to_owned(),
        param: name.to_owned(),
    };
    let tokens = parse_tokens(value);
    let m: Matcher = match (resource_type, name) {
        (_, "_id") => {
            let ids: Vec<String> = value.split(',').map(str::to_owned).collect();
            Box::new(move |_, s| ids.contains(&s.id))
        }
        (_, "_lastUpdated") => {
            let range = parse_date(name, value)?;
            Box::new(move |_, s| s.last_updated.is_some_and(|d| range.holds(d)))
        }
        (_, "_tag") => Box::new(move |_, s| token_matches(&s.resource["meta"]["tag"], &tokens)),
        (_, "identifier") => {
            Box::new(move |_, s| token_matches(&s.resource["identifier"], &tokens))
        }
        (
            "HealthcareService",
            "organization.identifier:above" | "organization:above.identifier",
        ) => Box::new(move |st, s| {
            offer_orgs(st, s)
                .iter()
                .any(|o| token_matches(&st.all[*o].resource["identifier"], &tokens))
        }),
        (
            "HealthcareService",
            "organization._lastUpdated:above" | "organization:above._lastUpdated",
        ) => {
            let range = parse_date(name, value)?;
            Box::new(move |st, s| {
                offer_orgs(st, s)
                    .iter()
                    .any(|o| st.all[*o].last_updated.is_some_and(|d| range.holds(d)))
            })
        }
        ("HealthcareService", "organization.identifier") => Box::new(move |st, s| {
            st.resolve(&s.resource["providedBy"])
                .is_some_and(|o| token_matches(&st.all[o].resource["identifier"], &tokens))
        }),
        ("HealthcareService", "organization.type") => Box::new(move |st, s| {
            st.resolve(&s.resource["providedBy"])
                .is_some_and(|o| token_matches(&st.all[o].resource["type"], &tokens))
        }),
        ("HealthcareService", "specialty") => {
            Box::new(move |_, s| token_matches(&s.resource["specialty"], &tokens))
        }
        ("HealthcareService", "service-category") => {
            Box::new(move |_, s| token_matches(&s.resource["category"], &tokens))
        }
        ("HealthcareService" | "Location" | "Organization", "type") => {
            Box::new(move |_, s| token_matches(&s.resource["type"], &tokens))
        }
        ("HealthcareService", "characteristic") => {
            Box::new(move |_, s| token_matches(&s.resource["characteristic"], &tokens))
        }
        ("HealthcareService", "location.address-postalcode") => {
            let wanted = value.to_owned();
            Box::new(move |st, s| {
                offer_locations(st, s)
                    .iter()
                    .any(|l| string_starts(l.resource["address"]["postalCode"].as_str(), &wanted))
            })
        }
        ("HealthcareService", "location.commune-cog") => Box::new(move |st, s| {
            offer_locations(st, s).iter().any(|l| {
                let code = ext_value(&l.resource, "ror-commune-cog")
                    .and_then(|e| e["valueCode"].as_str())
                    .map(|c| {
                        serde_json::json!({"system": "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM", "code": c})
                    });
                code.is_some_and(|c| token_matches(&c, &tokens))
            })
        }),
        ("HealthcareService", "_has:PractitionerRole:service:practitioner.identifier") => {
            Box::new(move |st, s| {
                st.roles_of_service(&s.key()).iter().any(|r| {
                    st.resolve(&st.all[*r].resource["practitioner"])
                        .is_some_and(|p| token_matches(&st.all[p].resource["identifier"], &tokens))
                })
            })
        }
        ("Organization" | "Location" | "HealthcareService", "name") => {
            let wanted = value.to_owned();
            Box::new(move |_, s| string_starts(s.resource["name"].as_str(), &wanted))
        }
        ("Organization" | "Location" | "HealthcareService", "name:contains") => {
            let wanted = value.to_lowercase();
            Box::new(move |_, s| {
                s.resource["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().contains(&wanted))
            })
        }
        ("Organization", "partof") => {
            let wanted = reference_values(value, "Organization");
            Box::new(move |_, s| {
                reference_key(&s.resource["partOf"]).is_some_and(|k| wanted.contains(&k))
            })
        }
        ("Location", "status") => {
            let wanted: Vec<String> = value.split(',').map(str::to_owned).collect();
            Box::new(move |_, s| {
                s.resource["status"]
                    .as_str()
                    .is_some_and(|v| wanted.iter().any(|w| w == v))
            })
        }
        ("Location", "address-postalcode") => {
            let wanted = value.to_owned();
            Box::new(move |_, s| {
                string_starts(s.resource["address"]["postalCode"].as_str(), &wanted)
            })
        }
        ("PractitionerRole", "practitioner.identifier") => Box::new(move |st, s| {
            st.resolve(&s.resource["practitioner"])
                .is_some_and(|p| token_matches(&st.all[p].resource["identifier"], &tokens))
        }),
        ("PractitionerRole", "service") => {
            let wanted = reference_values(value, "HealthcareService");
            Box::new(move |_, s| {
                s.resource["healthcareService"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(reference_key)
                    .any(|k| wanted.contains(&k))
            })
        }
        _ => return Err(unknown()),
    };
    Ok(m)
}

/// Includes the mock knows: `Source:param` → the reference it follows.
const INCLUDES: &[(&str, &str)] = &[
    ("HealthcareService:organization", "providedBy"),
    ("HealthcareService:location", "location"),
    ("Organization:partof", "partOf"),
    ("PractitionerRole:practitioner", "practitioner"),
    ("PractitionerRole:service", "healthcareService"),
    ("Location:organization", "managingOrganization"),
];

const REVINCLUDES: &[&str] = &[
    "PractitionerRole:service",
    "HealthcareService:organization",
    "HealthcareService:location",
    "Task:focus",
];

/// Parameters that shape the result rather than select it.
const IGNORED: &[&str] = &["_format", "_pretty", "_bundletype"];

impl Search {
    pub fn parse(resource_type: &str, params: &[(String, String)]) -> Result<Self, SearchError> {
        let mut search = Search {
            resource_type: resource_type.to_owned(),
            matchers: Vec::new(),
            candidates: None,
            count: MAX_PAGE,
            includes: Vec::new(),
            iterate_includes: Vec::new(),
            revincludes: Vec::new(),
            elements: None,
        };
        for (name, value) in params {
            match name.as_str() {
                "_count" => {
                    let n: usize = value.parse().map_err(|_| SearchError::InvalidValue {
                        param: name.clone(),
                        value: value.clone(),
                        reason: "entier positif attendu".into(),
                    })?;
                    // Larger requests are served at the maximum, as the ROR does.
                    search.count = n.min(MAX_PAGE);
                }
                "_include" | "_include:iterate" | "_include:recurse" => {
                    if !INCLUDES.iter().any(|(k, _)| k == value) {
                        return Err(SearchError::UnknownInclude(format!("{name}={value}")));
                    }
                    if name == "_include" {
                        search.includes.push(value.clone());
                    } else {
                        search.iterate_includes.push(value.clone());
                    }
                }
                "_revinclude" | "_revinclude:iterate" => {
                    if !REVINCLUDES.contains(&value.as_str()) {
                        return Err(SearchError::UnknownInclude(format!("{name}={value}")));
                    }
                    search.revincludes.push(value.clone());
                }
                "_elements" => {
                    let names: Vec<String> = value
                        .split(',')
                        .map(|e| e.trim().to_owned())
                        .filter(|e| !e.is_empty())
                        .collect();
                    if names.is_empty() || names.iter().any(|n| n.contains('.')) {
                        return Err(SearchError::InvalidValue {
                            param: name.clone(),
                            value: value.clone(),
                            reason: "liste d'éléments de premier niveau attendue".into(),
                        });
                    }
                    search.elements = Some(names);
                }
                "_filter" => search
                    .matchers
                    .push(super::filter::parse(resource_type, value)?),
                n if IGNORED.contains(&n) => {}
                _ => {
                    search.matchers.push(matcher(resource_type, name, value)?);
                    if search.candidates.is_none() {
                        let codes = || parse_tokens(value).into_iter().map(|t| t.code).collect();
                        search.candidates = match name.as_str() {
                            "_id" => Some(Candidates::Ids(codes())),
                            "identifier" => Some(Candidates::Identifiers(codes())),
                            _ => None,
                        };
                    }
                }
            }
        }
        Ok(search)
    }

    /// Indexes of the matching resources, in store order.
    pub fn matches(&self, store: &Store) -> Vec<usize> {
        let ty = &self.resource_type;
        let mut pool: Vec<usize> = match &self.candidates {
            None => return self.filter(store, store.of_type(ty).iter().copied()),
            Some(Candidates::Ids(ids)) => ids
                .iter()
                .filter_map(|id| store.index_of(&format!("{ty}/{id}")))
                .collect(),
            Some(Candidates::Identifiers(values)) => values
                .iter()
                .flat_map(|v| store.with_identifier(ty, v).iter().copied())
                .collect(),
        };
        pool.sort_unstable();
        pool.dedup();
        self.filter(store, pool.into_iter())
    }

    fn filter(&self, store: &Store, pool: impl Iterator<Item = usize>) -> Vec<usize> {
        pool.filter(|i| self.matchers.iter().all(|m| m(store, &store.all[*i])))
            .collect()
    }

    /// Resources to add as `include` for a page of matches: includes, reverse includes and
    /// iterated includes, without duplicates and without the matches themselves.
    pub fn included(&self, store: &Store, page: &[usize]) -> Vec<usize> {
        let mut seen: std::collections::HashSet<usize> = page.iter().copied().collect();
        let mut out = Vec::new();
        let mut add = |i: usize, out: &mut Vec<usize>| {
            if seen.insert(i) {
                out.push(i);
            }
        };
        let follow = |from: usize, include: &str| -> Vec<usize> {
            let s = &store.all[from];
            let Some((source, _)) = include.split_once(':') else {
                return Vec::new();
            };
            if s.resource_type != source {
                return Vec::new();
            }
            let element = INCLUDES
                .iter()
                .find(|(k, _)| *k == include)
                .map(|(_, e)| *e)
                .unwrap_or_default();
            match &s.resource[element] {
                Value::Array(refs) => refs.iter().filter_map(|r| store.resolve(r)).collect(),
                single => store.resolve(single).into_iter().collect(),
            }
        };
        for &m in page {
            for rev in &self.revincludes {
                let key = store.all[m].key();
                let found: &[usize] = match rev.as_str() {
                    "PractitionerRole:service" => store.roles_of_service(&key),
                    "HealthcareService:organization" => store.services_of_org(&key),
                    "HealthcareService:location" => store.services_at_location(&key),
                    _ => &[],
                };
                for &f in found {
                    add(f, &mut out);
                }
            }
        }
        // Plain includes apply to the matches and, as the ROR's standard include set relies
        // on (`_include=PractitionerRole:practitioner`), to reverse-included resources.
        let sources: Vec<usize> = page.iter().chain(out.clone().iter()).copied().collect();
        for &src in &sources {
            for inc in &self.includes {
                for target in follow(src, inc) {
                    add(target, &mut out);
                }
            }
        }
        // Iterated includes close over everything gathered so far.
        if !self.iterate_includes.is_empty() {
            let mut frontier: Vec<usize> = page.iter().chain(out.clone().iter()).copied().collect();
            while !frontier.is_empty() {
                let mut next = Vec::new();
                for &src in &frontier {
                    for inc in &self.iterate_includes {
                        for target in follow(src, inc) {
                            if !out.contains(&target) && !page.contains(&target) {
                                add(target, &mut out);
                                next.push(target);
                            }
                        }
                    }
                }
                frontier = next;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("valid instant")
    }

    #[test]
    fn date_prefixes_follow_the_precision_of_the_value() {
        let r = parse_date("_lastUpdated", "ge2022-11-06T15:00").expect("valid");
        assert!(r.holds(at("2022-11-06T15:00:00Z")));
        assert!(!r.holds(at("2022-11-06T14:59:59Z")));
        let r = parse_date("_lastUpdated", "2022-11-06").expect("valid");
        assert!(r.holds(at("2022-11-06T23:59:59Z")));
        assert!(!r.holds(at("2022-11-07T00:00:00Z")));
        let r = parse_date("_lastUpdated", "gt2022-11").expect("valid");
        assert!(!r.holds(at("2022-11-30T10:00:00Z")));
        assert!(r.holds(at("2022-12-01T00:00:00Z")));
        let r = parse_date("_lastUpdated", "lt2022-11-06T15:00:00+01:00").expect("valid");
        assert!(r.holds(at("2022-11-06T13:59:59Z")));
        assert!(!r.holds(at("2022-11-06T14:00:00Z")));
        let r = parse_date("_lastUpdated", "le2022").expect("valid");
        assert!(r.holds(at("2022-12-31T23:59:59Z")));
        assert!(!r.holds(at("2023-01-01T00:00:00Z")));
    }

    #[test]
    fn invalid_dates_are_rejected() {
        for bad in ["notadate", "ge2022-13-01", "2022-11-06T25:00", "xx2022"] {
            assert!(parse_date("_lastUpdated", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_accept_the_three_forms() {
        let coded = serde_json::json!([{ "coding": [{ "system": "S", "code": "C" }] }]);
        assert!(token_matches(&coded, &parse_tokens("S|C")));
        assert!(token_matches(&coded, &parse_tokens("C")));
        assert!(!token_matches(&coded, &parse_tokens("|C")));
        assert!(!token_matches(&coded, &parse_tokens("T|C")));
        let ident = serde_json::json!([{ "value": "06/1" }]);
        assert!(token_matches(&ident, &parse_tokens("|06/1")));
        assert!(token_matches(&ident, &parse_tokens("x,06/1")));
    }
}

/// Property tests: whatever a client sends in a query string, parsing and matching answer
/// (a result or a typed error) and never panic.
#[cfg(test)]
mod fuzz {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::super::dataset::{Dataset, GenerateOptions};
    use super::super::store::Store;
    use super::Search;

    static STORE: LazyLock<Store> = LazyLock::new(|| {
        Store::new(Dataset::generate(GenerateOptions {
            offers: 20,
            ..GenerateOptions::default()
        }))
    });

    const NAMES: &[&str] = &[
        "_id",
        "_lastUpdated",
        "identifier",
        "_filter",
        "_count",
        "_include",
        "_revinclude",
        "_include:iterate",
        "_elements",
        "name",
        "specialty",
        "organization._lastUpdated:above",
        "organization.identifier:above",
        "location.commune-cog",
        "partof",
        "service",
    ];
    const TYPES: &[&str] = &[
        "HealthcareService",
        "Organization",
        "Location",
        "PractitionerRole",
        "Practitioner",
        "Task",
    ];

    /// Values near the valid ones (dates, tokens, filters) and anything at all.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "(ge|le|gt|lt|eq|ne|sa|eb)?[0-9]{0,4}(-[0-9]{1,2}){0,2}(T[0-9:.]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2}|.{0,3})?",
            "[a-z|/:.,0-9é€]{0,40}",
            "[()a-z_. \"]{0,60}( (and|or|not) [()a-z_. \"]{0,20}){0,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn any_query_is_parsed_and_matched_without_panic(
            ty in proptest::sample::select(TYPES),
            params in proptest::collection::vec(
                (prop_oneof![proptest::sample::select(NAMES).prop_map(str::to_owned), any::<String>()], value()),
                0..5,
            ),
        ) {
            if let Ok(search) = Search::parse(ty, &params) {
                let page: Vec<usize> = search.matches(&STORE).into_iter().take(5).collect();
                let _ = search.included(&STORE, &page);
            }
        }

        #[test]
        fn any_raw_query_string_decodes(raw in any::<String>()) {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let _ = Search::parse("HealthcareService", &pairs);
        }

        #[test]
        fn any_filter_expression_is_answered(text in value()) {
            let _ = super::super::filter::parse("HealthcareService", &text);
        }
    }
}
