use std::sync::LazyLock;

use serde_json::Value;

use super::super::dataset::{Dataset, GenerateOptions};
use super::super::matcher::SearchError;
use super::super::search::Search;
use super::super::store::Store;
use super::{Kind, PARAMS, values};

static STORE: LazyLock<Store> =
    LazyLock::new(|| Store::new(Dataset::generate(GenerateOptions::default())));

fn ids(ty: &str, query: &[(&str, &str)]) -> Result<Vec<String>, SearchError> {
    let pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let search = Search::parse(ty, &pairs)?;
    Ok(search
        .matches(&STORE)
        .into_iter()
        .map(|i| STORE.all[i].id.to_string())
        .collect())
}

/// A query value that the indexed value `v` satisfies.
fn query_for(kind: Kind, v: &Value) -> String {
    match kind {
        Kind::Token => match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => {
                let c = v.get("coding").and_then(|c| c.get(0)).unwrap_or(v);
                format!(
                    "{}|{}",
                    c["system"].as_str().unwrap_or(""),
                    c["code"].as_str().unwrap_or("")
                )
            }
        },
        Kind::Text => v.as_str().unwrap_or("").to_owned(),
        Kind::Number => super::number_of(v)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        Kind::Date => {
            let text = v
                .as_str()
                .or_else(|| v["start"].as_str())
                .or_else(|| v["end"].as_str());
            format!("ge{}", &text.unwrap_or("")[..10])
        }
    }
}

#[test]
fn every_ig_parameter_finds_what_it_indexes_and_only_that() {
    for p in PARAMS {
        let holder = STORE
            .all
            .iter()
            .find(|s| {
                s.resource()["resourceType"] == p.resource
                    && !values(&s.resource(), p.path).is_empty()
            })
            .unwrap_or_else(|| panic!("{}: no {} of the dataset carries it", p.code, p.resource));
        let q = query_for(p.kind, values(&holder.resource(), p.path)[0]);
        let found =
            ids(p.resource, &[(p.code, &q)]).unwrap_or_else(|e| panic!("{} {q}: {e}", p.code));
        assert!(
            found.contains(&holder.id.to_string()),
            "{}={q} misses {}",
            p.code,
            holder.id
        );
        let all = STORE
            .all
            .iter()
            .filter(|s| s.resource()["resourceType"] == p.resource)
            .count();
        // Every match carries a value (no parameter matches resources without it).
        for id in &found {
            let s = STORE.all.iter().find(|s| *s.id == **id).expect("matched");
            assert!(
                !values(&s.resource(), p.path).is_empty(),
                "{}: {id} has no value",
                p.code
            );
        }
        if p.kind == Kind::Token {
            let none = ids(p.resource, &[(p.code, "code-qui-n-existe-pas")]).expect("accepted");
            assert!(none.is_empty(), "{}: {none:?}", p.code);
        }
        // Every resource carrying that very value is found (equality for tokens, strings
        // and numbers; a date is found by its own bound).
        if p.kind != Kind::Date {
            for s in STORE.all.iter().filter(|s| {
                s.resource()["resourceType"] == p.resource
                    && values(&s.resource(), p.path)
                        .iter()
                        .any(|v| query_for(p.kind, v) == q)
            }) {
                assert!(
                    found.contains(&s.id.to_string()),
                    "{}={q} misses {}",
                    p.code,
                    s.id
                );
            }
        }
        // Resources without the value, or with other values only, are left out.
        if p.kind != Kind::Date {
            for s in STORE.all.iter().filter(|s| {
                s.resource()["resourceType"] == p.resource
                    && values(&s.resource(), p.path)
                        .iter()
                        .all(|v| query_for(p.kind, v) != q)
            }) {
                assert!(
                    !found.contains(&s.id.to_string()),
                    "{}={q} also matches {}",
                    p.code,
                    s.id
                );
            }
        }
        assert!(found.len() <= all);
    }
}

#[test]
fn quantities_numbers_and_periods_follow_their_prefixes() {
    let offers = STORE
        .all
        .iter()
        .filter(|s| s.resource()["resourceType"] == "HealthcareService")
        .count();
    // Age ranges start at 0, 16 or 18 and end at 150.
    let minors = ids("HealthcareService", &[("age-range-low", "le0")]).expect("ok");
    let adults = ids("HealthcareService", &[("age-range-low", "ge16")]).expect("ok");
    assert!(!minors.is_empty() && !adults.is_empty());
    assert_eq!(minors.len() + adults.len(), offers);
    assert_eq!(
        ids("HealthcareService", &[("age-range-high", "150||a")])
            .expect("ok")
            .len(),
        offers
    );
    assert!(
        ids("HealthcareService", &[("age-range-high", "lt150")])
            .expect("ok")
            .is_empty()
    );
    // A closing period 2026-06-01 → 2026-12-31: within 2026 (eq), not within July.
    let closed = ids(
        "HealthcareService",
        &[("notavailable-closing-reopeningdate", "2026")],
    )
    .expect("ok");
    assert!(!closed.is_empty());
    assert!(
        ids(
            "HealthcareService",
            &[("notavailable-closing-reopeningdate", "2026-07")]
        )
        .expect("ok")
        .is_empty()
    );
    assert_eq!(
        ids(
            "HealthcareService",
            &[("notavailable-closing-reopeningdate", "ge2026-07")]
        )
        .expect("ok"),
        closed
    );
    assert!(
        ids(
            "HealthcareService",
            &[("notavailable-closing-reopeningdate", "lt2026-01")]
        )
        .expect("ok")
        .is_empty()
    );
    // Provisional closings end on 2027-03-31.
    let closing = ids("Organization", &[("period-end", "2027-03-31")]).expect("ok");
    assert!(!closing.is_empty());
    assert_eq!(
        ids("Organization", &[("closing-type", "PRO")]).expect("ok"),
        closing
    );
}

#[test]
fn a_modifier_a_parameter_does_not_take_is_refused() {
    for (ty, q) in [
        ("HealthcareService", "age-range-low:exact"),
        ("HealthcareService", "patient-type:contains"),
        ("Location", "nb-capacity:missing"),
    ] {
        assert!(
            matches!(
                ids(ty, &[(q, "1")]),
                Err(SearchError::UnknownParameter { .. })
            ),
            "{q}"
        );
    }
    assert!(matches!(
        ids("Location", &[("nb-capacity", "beaucoup")]),
        Err(SearchError::InvalidValue { .. })
    ));
    let sector = ids("HealthcareService", &[("psychiatric-sector:exact", "nope")]).expect("ok");
    assert!(sector.is_empty());
}

#[test]
fn a_search_reveals_nothing_a_read_would_hide() {
    let as_profile = |profile: u8, q: &[(&str, &str)]| -> Vec<String> {
        let pairs: Vec<(String, String)> = q
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let search = Search::parse_for("Location", &pairs, profile).expect("valid");
        search
            .matches(&STORE)
            .into_iter()
            .map(|i| STORE.all[i].id.to_string())
            .collect()
    };
    // Profile 0 sees no capacity: searching on one finds nothing; profile 1 finds them all.
    let all = STORE.of_type("Location").len();
    assert_eq!(as_profile(1, &[("capacity-status", "02")]).len(), all);
    assert!(as_profile(0, &[("capacity-status", "02")]).is_empty());
    // Profile 5 sees installed capacities only: a closed one (05) is not found.
    assert!(!as_profile(1, &[("capacity-status", "05")]).is_empty());
    assert!(as_profile(5, &[("capacity-status", "05")]).is_empty());
    assert_eq!(as_profile(5, &[("capacity-status", "01")]).len(), all);
}
