//! Search parameters as matching functions: token, date (with prefixes and precision),
//! string, reference and chained parameters, one [`Matcher`] each.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::dataset::Node;
use super::store::{ReadWith, Store, Stored, reference_key};

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

/// `system|code`, `code` or `|code`.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) system: Option<String>,
    pub(crate) code: String,
}

pub(crate) fn parse_tokens(value: &str) -> Vec<Token> {
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

/// Codings of a CodeableConcept / Coding / Identifier, or of an array of them; of a parsed
/// resource or of a borrowed tree alike.
pub(crate) fn codings<N: Node>(value: &N) -> Vec<&N> {
    if let Some(items) = value.array() {
        return items.iter().flat_map(codings).collect();
    }
    if let Some(coding) = value.member("coding") {
        return coding.items().iter().collect();
    }
    if value.each_member(&mut |_, _| {}) {
        vec![value]
    } else {
        Vec::new()
    }
}

pub(crate) fn token_matches<N: Node>(value: &N, tokens: &[Token]) -> bool {
    codings(value).iter().any(|c| {
        let code = c
            .member("code")
            .or_else(|| c.member("value"))
            .and_then(Node::string);
        let system = c.member("system").and_then(Node::string);
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

/// A token criterion on an element of the resource itself (`path` from its root), read
/// without keeping the resource parsed ([`Stored::read_with`]): a search no index answers
/// reads every offer of a national dataset once.
struct TokensAt<'a> {
    path: &'static [&'static str],
    tokens: &'a [Token],
}

impl ReadWith for TokensAt<'_> {
    type Out = bool;
    fn read<N: Node>(self, resource: &N) -> bool {
        let mut at = Some(resource);
        for key in self.path {
            at = at.and_then(|n| n.member(key));
        }
        at.is_some_and(|v| token_matches(v, self.tokens))
    }
}

/// The matcher of a token criterion on the element at `path`.
fn tokens_at(path: &'static [&'static str], tokens: Vec<Token>) -> Matcher {
    Box::new(move |_, s| {
        s.read_with(TokensAt {
            path,
            tokens: &tokens,
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefix {
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
pub(crate) struct DateRange {
    prefix: Prefix,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

impl DateRange {
    /// The instants the value's precision covers, [start, end).
    pub(crate) fn bounds(&self) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        (self.start, self.end)
    }

    /// Whether a target covering [start, end) (a date's precision, a Period) matches, with
    /// the prefixes as R4 defines them on ranges (search §3.1.1.4.2).
    pub(crate) fn matches_span(
        &self,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
    ) -> bool {
        let within = start >= self.start && end <= self.end;
        match self.prefix {
            Prefix::Eq => within,
            Prefix::Ne => !within,
            Prefix::Gt => end > self.end,
            Prefix::Lt => start < self.start,
            Prefix::Ge => end > self.start,
            Prefix::Le => start < self.end,
            Prefix::Sa => start >= self.end,
            Prefix::Eb => end <= self.start,
        }
    }

    pub(crate) fn holds(&self, instant: DateTime<FixedOffset>) -> bool {
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
pub(crate) fn parse_date(param: &str, raw: &str) -> Result<DateRange, SearchError> {
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

pub(crate) fn split_zone(text: &str) -> (&str, Option<&str>) {
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
pub(crate) fn offer_orgs(store: &Store, s: &Stored) -> Vec<usize> {
    store
        .resolve(&s.resource()["providedBy"])
        .map(|org| store.org_chain(org))
        .unwrap_or_default()
}

pub(crate) fn offer_locations<'a>(store: &'a Store, s: &Stored) -> Vec<&'a Stored> {
    s.resource()["location"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| store.resolve(l))
        .map(|i| &store.all[i])
        .collect()
}

pub(crate) fn ext_value<'a>(resource: &'a Value, name: &str) -> Option<&'a Value> {
    resource["extension"].as_array()?.iter().find_map(|e| {
        e["url"]
            .as_str()
            .filter(|u| u.ends_with(&format!("/{name}")))
            .map(|_| e)
    })
}

pub(crate) fn string_starts(value: Option<&str>, wanted: &str) -> bool {
    value.is_some_and(|v| v.to_lowercase().starts_with(&wanted.to_lowercase()))
}

/// Values of a reference parameter as `Type/id` keys (`123` or `Organization/123`).
pub(crate) fn reference_values(value: &str, default_type: &str) -> Vec<String> {
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

/// `near=latitude|longitude|distance|unit` (R4 search, "near": `km` when the unit is
/// omitted; the mock takes 10 km when the distance is, a choice R4 leaves to the server).
fn parse_near(value: &str) -> Result<(f64, f64, f64), SearchError> {
    let invalid = || SearchError::InvalidValue {
        param: "near".to_owned(),
        value: value.to_owned(),
        reason: "latitude|longitude|distance|unité attendu (unité km ou m)".to_owned(),
    };
    let parts: Vec<&str> = value.split('|').collect();
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<f64>().ok());
    let (lat, long) = (
        number(0).ok_or_else(invalid)?,
        number(1).ok_or_else(invalid)?,
    );
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) {
        return Err(invalid());
    }
    let distance = match parts.get(2) {
        None | Some(&"") => 10.0,
        Some(_) => number(2).filter(|d| *d >= 0.0).ok_or_else(invalid)?,
    };
    let km = match parts.get(3).copied() {
        None | Some("") | Some("km") | Some("[km]") => distance,
        Some("m") | Some("[m]") => distance / 1000.0,
        Some(_) => return Err(invalid()),
    };
    Ok((lat, long, km))
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
fn distance_km(lat1: f64, long1: f64, lat2: f64, long2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (long2 - long1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// Whether some text of `value` contains `wanted` (already lowercase).
fn any_text(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(s) => s.to_lowercase().contains(wanted),
        Value::Array(items) => items.iter().any(|v| any_text(v, wanted)),
        Value::Object(map) => map.values().any(|v| any_text(v, wanted)),
        _ => false,
    }
}

/// Builds the matcher of one criterion, or says why it is not supported.
pub(crate) fn matcher(
    resource_type: &str,
    name: &str,
    value: &str,
    profile: u8,
) -> Result<Matcher, SearchError> {
    let unknown = || SearchError::UnknownParameter {
        resource: resource_type.to_owned(),
        param: name.to_owned(),
    };
    let tokens = parse_tokens(value);
    let m: Matcher = match (resource_type, name) {
        (_, "_id") => {
            let ids: Vec<String> = value.split(',').map(str::to_owned).collect();
            Box::new(move |_, s| ids.iter().any(|id| **id == *s.id))
        }
        (_, "_lastUpdated") => {
            let range = parse_date(name, value)?;
            Box::new(move |_, s| s.last_updated.is_some_and(|d| range.holds(d)))
        }
        (_, "_tag") => tokens_at(&["meta", "tag"], tokens),
        (_, "identifier") => tokens_at(&["identifier"], tokens),
        (
            "HealthcareService",
            "organization.identifier:above" | "organization:above.identifier",
        ) => Box::new(move |st, s| {
            offer_orgs(st, s)
                .iter()
                .any(|o| token_matches(&st.all[*o].resource()["identifier"], &tokens))
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
        // The plain chain: the organisation that provides the offer, not those above it.
        ("HealthcareService", "organization._lastUpdated") => {
            let range = parse_date(name, value)?;
            Box::new(move |st, s| {
                st.resolve(&s.resource()["providedBy"])
                    .is_some_and(|o| st.all[o].last_updated.is_some_and(|d| range.holds(d)))
            })
        }
        ("HealthcareService", "organization.identifier") => Box::new(move |st, s| {
            st.resolve(&s.resource()["providedBy"])
                .is_some_and(|o| token_matches(&st.all[o].resource()["identifier"], &tokens))
        }),
        ("HealthcareService", "organization.type") => Box::new(move |st, s| {
            st.resolve(&s.resource()["providedBy"])
                .is_some_and(|o| token_matches(&st.all[o].resource()["type"], &tokens))
        }),
        ("HealthcareService", "specialty") => tokens_at(&["specialty"], tokens),
        ("HealthcareService", "service-category") => tokens_at(&["category"], tokens),
        // R4 names HealthcareService.type `service-type`; `type` is the parameter of
        // Organization and Location only (a HealthcareService `type` is unknown: 400).
        ("HealthcareService", "service-type") | ("Location" | "Organization", "type") => {
            tokens_at(&["type"], tokens)
        }
        ("HealthcareService", "characteristic") => tokens_at(&["characteristic"], tokens),
        ("HealthcareService", "location.address-postalcode") => {
            let wanted = value.to_owned();
            Box::new(move |st, s| {
                offer_locations(st, s)
                    .iter()
                    .any(|l| string_starts(l.resource()["address"]["postalCode"].as_str(), &wanted))
            })
        }
        ("HealthcareService", "location.commune-cog") => Box::new(move |st, s| {
            offer_locations(st, s).iter().any(|l| {
                ext_value(&l.resource(), "ror-commune-cog")
                    .is_some_and(|e| token_matches(&e["valueCodeableConcept"], &tokens))
            })
        }),
        ("HealthcareService", "_has:PractitionerRole:service:practitioner.identifier") => {
            Box::new(move |st, s| {
                // Only the roles this profile may see: a hidden one must not reveal its offer.
                st.roles_of_service(&s.key())
                    .iter()
                    .filter(|r| !st.all[**r].hidden_from(profile))
                    .any(|r| {
                        st.resolve(&st.all[*r].resource()["practitioner"])
                            .is_some_and(|p| {
                                token_matches(&st.all[p].resource()["identifier"], &tokens)
                            })
                    })
            })
        }
        ("Organization" | "Location" | "HealthcareService", "name") => {
            let wanted = value.to_owned();
            Box::new(move |_, s| string_starts(s.resource()["name"].as_str(), &wanted))
        }
        ("Organization" | "Location" | "HealthcareService", "name:exact") => {
            let wanted = value.to_owned();
            Box::new(move |_, s| s.resource()["name"].as_str() == Some(wanted.as_str()))
        }
        ("Organization" | "Location" | "HealthcareService", "name:contains") => {
            let wanted = value.to_lowercase();
            Box::new(move |_, s| {
                s.resource()["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().contains(&wanted))
            })
        }
        ("Organization", "partof") => {
            let wanted = reference_values(value, "Organization");
            Box::new(move |_, s| {
                reference_key(&s.resource()["partOf"]).is_some_and(|k| wanted.contains(&k))
            })
        }
        ("Location", "status") => {
            let wanted: Vec<String> = value.split(',').map(str::to_owned).collect();
            Box::new(move |_, s| {
                s.resource()["status"]
                    .as_str()
                    .is_some_and(|v| wanted.iter().any(|w| w == v))
            })
        }
        ("Location", "near") => {
            let (lat, long, km) = parse_near(value)?;
            Box::new(move |_, s| {
                let p = &s.resource()["position"];
                match (p["latitude"].as_f64(), p["longitude"].as_f64()) {
                    (Some(la), Some(lo)) => distance_km(lat, long, la, lo) <= km,
                    _ => false,
                }
            })
        }
        // Full text, as the IG's CapabilityStatement declares it (Organization, Task): a
        // word or phrase in any text of the resource, case-insensitive.
        ("Organization" | "Task", "_content") => {
            let wanted = value.trim_matches('"').to_lowercase();
            // On what the profile sees: a restricted e-mail must not be found by profile 0.
            Box::new(move |_, s| {
                if profile == 1 {
                    any_text(&s.resource(), &wanted)
                } else {
                    super::visibility::visible(&s.resource(), profile, &s.offers)
                        .is_some_and(|seen| any_text(&seen, &wanted))
                }
            })
        }
        ("Location", "address-postalcode") => {
            let wanted = value.to_owned();
            Box::new(move |_, s| {
                string_starts(s.resource()["address"]["postalCode"].as_str(), &wanted)
            })
        }
        ("PractitionerRole", "practitioner.identifier") => Box::new(move |st, s| {
            st.resolve(&s.resource()["practitioner"])
                .is_some_and(|p| token_matches(&st.all[p].resource()["identifier"], &tokens))
        }),
        ("PractitionerRole", "service") => {
            let wanted = reference_values(value, "HealthcareService");
            Box::new(move |_, s| {
                s.resource()["healthcareService"]
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
