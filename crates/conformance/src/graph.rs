//! Search-graph integrity of a searchset Bundle, judged against the request that produced
//! it: matches satisfy the criteria checkable from the resource (`_lastUpdated`,
//! `identifier`, `_tag`), every reference an `_include` covers is in the Bundle,
//! `_include:iterate` closes `Organization.partOf`, `_revinclude` entries point to matches,
//! no duplicate `fullUrl`, `total` consistent.

use rorcheck_i18n::{Lang, t};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde_json::Value;

use super::{Context, Finding, label, visibility};

/// The element an include follows, by `Type:param`.
fn include_element(type_param: &str) -> Option<(&'static str, &'static str)> {
    Some(match type_param {
        "HealthcareService:organization" => ("HealthcareService", "providedBy"),
        "HealthcareService:location" => ("HealthcareService", "location"),
        "Organization:partof" => ("Organization", "partOf"),
        "Location:organization" => ("Location", "managingOrganization"),
        "PractitionerRole:practitioner" => ("PractitionerRole", "practitioner"),
        "PractitionerRole:service" => ("PractitionerRole", "healthcareService"),
        "PractitionerRole:organization" => ("PractitionerRole", "organization"),
        "PractitionerRole:location" => ("PractitionerRole", "location"),
        _ => return None,
    })
}

fn references<'a>(resource: &'a Value, element: &str) -> Vec<&'a str> {
    match &resource[element] {
        Value::Array(items) => items
            .iter()
            .filter_map(|r| r["reference"].as_str())
            .collect(),
        v => v["reference"].as_str().into_iter().collect(),
    }
}

/// The search-graph checks of a searchset Bundle (GRAPH-01 to GRAPH-06), then visibility.
pub fn check(bundle: &Value, ctx: &Context) -> Vec<Finding> {
    if bundle["type"] != "searchset" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let entries: Vec<&Value> = bundle["entry"].as_array().into_iter().flatten().collect();
    let matches: Vec<&Value> = entries
        .iter()
        .filter(|e| e["search"]["mode"].as_str().is_none_or(|m| m == "match"))
        .filter_map(|e| e.get("resource"))
        .collect();
    unique_entries(&entries, &mut out);
    consistent_total(bundle, matches.len(), &mut out);
    if let Some(url) = &ctx.request_url {
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url.query_pairs() {
            params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        for value in params.get("_lastUpdated").into_iter().flatten() {
            last_updated(value, &matches, &mut out);
        }
        for value in params.get("identifier").into_iter().flatten() {
            identifier(value, &matches, &mut out);
        }
        for value in params.get("_tag").into_iter().flatten() {
            tag(value, &matches, &mut out);
        }
        includes(&params, &entries, &matches, &mut out);
    }
    out.extend(visibility::check_bundle(bundle, ctx.access_profile));
    out
}

/// GRAPH-01: each entry once.
fn unique_entries(entries: &[&Value], out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for e in entries {
        if let Some(url) = e["fullUrl"].as_str()
            && !seen.insert(url)
        {
            out.push(Finding::error(
                "GRAPH-01",
                "Bundle",
                "entry.fullUrl",
                t!(Lang::current(), "f-twice", url = url),
            ));
        }
    }
}

/// GRAPH-02: `total` agrees with the matches (exactly, on a single page).
fn consistent_total(bundle: &Value, matches: usize, out: &mut Vec<Finding>) {
    let links: Vec<&str> = bundle["link"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["relation"].as_str())
        .collect();
    let Some(total) = bundle["total"].as_u64() else {
        return;
    };
    let single_page = !links.contains(&"next") && !links.contains(&"previous");
    if (total as usize) < matches || (single_page && total as usize != matches) {
        out.push(Finding::error(
            "GRAPH-02",
            "Bundle",
            "total",
            t!(
                Lang::current(),
                "f-total-mismatch",
                total = total,
                matches = matches,
                note = if single_page {
                    t!(Lang::current(), "f-single-page")
                } else {
                    String::new()
                }
            ),
        ));
    }
}

/// GRAPH-04 to GRAPH-06: what `_include`, `_include:iterate=Organization:partof` and
/// `_revinclude=PractitionerRole:service` ask for is there, and only that.
fn includes(
    params: &BTreeMap<String, Vec<String>>,
    entries: &[&Value],
    matches: &[&Value],
    out: &mut Vec<Finding>,
) {
    let present: BTreeSet<String> = entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .map(label)
        .collect();
    for value in params.get("_include").into_iter().flatten() {
        let Some((rtype, element)) = include_element(value) else {
            continue;
        };
        for m in matches.iter().filter(|m| m["resourceType"] == rtype) {
            for reference in references(m, element) {
                if !present.contains(reference) {
                    out.push(Finding::error(
                        "GRAPH-04",
                        &label(m),
                        element,
                        t!(
                            Lang::current(),
                            "f-include-absent",
                            reference = reference,
                            value = value
                        ),
                    ));
                }
            }
        }
    }
    let asked = |param: &str, value: &str| {
        params
            .get(param)
            .is_some_and(|v| v.iter().any(|v| v == value))
    };
    if asked("_include:iterate", "Organization:partof") {
        partof_chains(entries, &present, out);
    }
    if asked("_revinclude", "PractitionerRole:service") {
        revincluded_roles(entries, matches, out);
    }
}

/// GRAPH-05: every `partOf` of an Organization in the Bundle is there too.
fn partof_chains(entries: &[&Value], present: &BTreeSet<String>, out: &mut Vec<Finding>) {
    for org in entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .filter(|r| r["resourceType"] == "Organization")
    {
        for reference in references(org, "partOf") {
            if !present.contains(reference) {
                out.push(Finding::error(
                    "GRAPH-05",
                    &label(org),
                    "partOf",
                    t!(Lang::current(), "f-iterate", reference = reference),
                ));
            }
        }
    }
}

/// GRAPH-06: a reverse-included PractitionerRole points to an offer of the results.
fn revincluded_roles(entries: &[&Value], matches: &[&Value], out: &mut Vec<Finding>) {
    let matched: BTreeSet<String> = matches.iter().map(|m| label(m)).collect();
    for e in entries.iter().filter(|e| e["search"]["mode"] == "include") {
        let Some(r) = e
            .get("resource")
            .filter(|r| r["resourceType"] == "PractitionerRole")
        else {
            continue;
        };
        let refs = references(r, "healthcareService");
        if !refs.iter().any(|x| matched.contains(*x)) {
            out.push(Finding::error(
                "GRAPH-06",
                &label(r),
                "healthcareService",
                t!(
                    Lang::current(),
                    "f-revinclude",
                    refs = format!("{:?}", refs)
                ),
            ));
        }
    }
}

/// A FHIR date search value: the instant it starts and the one it ends (exclusive), for
/// a date without time the whole day, with 14 h of slack for the server's time zone.
fn bounds(value: &str) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some((t, t + chrono::TimeDelta::seconds(1)));
    }
    // A partial date (`2026`, `2026-03`, `2026-03-01`) is the whole year, month or day.
    let (date, end) = match value.len() {
        4 => {
            let d = NaiveDate::from_ymd_opt(value.parse().ok()?, 1, 1)?;
            (d, NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)?)
        }
        7 => {
            let d = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok()?;
            (d, d.checked_add_months(chrono::Months::new(1))?)
        }
        _ => {
            let d = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
            (d, d.succ_opt()?)
        }
    };
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().fixed_offset());
    let slack = chrono::TimeDelta::hours(14);
    Some((at(date)? - slack, at(end)? + slack))
}

fn last_updated(value: &str, matches: &[&Value], out: &mut Vec<Finding>) {
    let (prefix, rest) = match value.get(..2) {
        Some(p @ ("ge" | "gt" | "le" | "lt" | "eq" | "sa" | "eb")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let Some((start, end)) = bounds(rest) else {
        return;
    };
    for m in matches {
        let Some(updated) = m["meta"]["lastUpdated"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        else {
            continue;
        };
        let ok = match prefix {
            "ge" => updated >= start,
            "gt" | "sa" => updated >= start,
            "le" => updated < end,
            "lt" | "eb" => updated < end,
            _ => updated >= start && updated < end,
        };
        if !ok {
            out.push(Finding::error(
                "GRAPH-03",
                &label(m),
                "meta.lastUpdated",
                t!(
                    Lang::current(),
                    "f-last-updated",
                    resource = m["meta"]["lastUpdated"].as_str().unwrap_or("?"),
                    value = value
                ),
            ));
        }
    }
}

fn identifier(value: &str, matches: &[&Value], out: &mut Vec<Finding>) {
    let (system, code) = match value.split_once('|') {
        Some((s, c)) => (Some(s), c),
        None => (None, value),
    };
    for m in matches {
        let ok = m["identifier"].as_array().is_some_and(|ids| {
            ids.iter().any(|id| {
                id["value"] == code && system.is_none_or(|s| s.is_empty() || id["system"] == s)
            })
        });
        if !ok {
            out.push(Finding::error(
                "GRAPH-03",
                &label(m),
                "identifier",
                t!(Lang::current(), "f-identifier-criterion", value = value),
            ));
        }
    }
}

fn tag(value: &str, matches: &[&Value], out: &mut Vec<Finding>) {
    let (system, code) = match value.split_once('|') {
        Some((s, c)) => (Some(s), c),
        None => (None, value),
    };
    for m in matches {
        let ok = m["meta"]["tag"].as_array().is_some_and(|tags| {
            tags.iter().any(|t| {
                t["code"] == code && system.is_none_or(|s| s.is_empty() || t["system"] == s)
            })
        });
        if !ok {
            out.push(Finding::error(
                "GRAPH-03",
                &label(m),
                "meta.tag",
                t!(Lang::current(), "f-tag-absent", value = value),
            ));
        }
    }
}
