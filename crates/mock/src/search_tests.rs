//! Search semantics beyond the hand-written criteria: generic includes and reverse
//! includes, `_sort`, `_summary`, `_total`, `:not`, `:exact` and the plain chain.

use std::sync::LazyLock;

use super::super::dataset::{Dataset, GenerateOptions};
use super::super::store::Store;
use super::{Search, SearchError};

static STORE: LazyLock<Store> =
    LazyLock::new(|| Store::new(Dataset::generate(GenerateOptions::default())));

fn parse(ty: &str, query: &[(&str, &str)]) -> Result<Search, SearchError> {
    let pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Search::parse(ty, &pairs)
}

fn keys(ty: &str, query: &[(&str, &str)]) -> Vec<String> {
    let search = parse(ty, query).expect("valid search");
    search
        .matches(&STORE)
        .into_iter()
        .map(|i| STORE.all[i].key())
        .collect()
}

fn included(ty: &str, query: &[(&str, &str)]) -> Vec<String> {
    let search = parse(ty, query).expect("valid search");
    let page = search.matches(&STORE);
    search
        .included(&STORE, &page, 1)
        .into_iter()
        .map(|i| STORE.all[i].key())
        .collect()
}

#[test]
fn every_declared_reference_is_followed_both_ways() {
    // Practitioner?_revinclude=PractitionerRole:practitioner, which /metadata declares.
    let roles = included(
        "Practitioner",
        &[
            ("_id", "pr-1"),
            ("_revinclude", "PractitionerRole:practitioner"),
        ],
    );
    assert_eq!(roles, vec!["PractitionerRole/prr-1".to_owned()]);
    // PractitionerRole?_include=PractitionerRole:organization, a documented example.
    let orgs = included(
        "PractitionerRole",
        &[
            ("_id", "prr-1"),
            ("_include", "PractitionerRole:organization"),
        ],
    );
    assert_eq!(orgs.len(), 1);
    assert!(orgs[0].starts_with("Organization/"), "{orgs:?}");
    let role = STORE.get("PractitionerRole/prr-1").expect("role");
    assert_eq!(
        role.resource()["organization"]["reference"].as_str(),
        Some(orgs[0].as_str())
    );
    assert!(matches!(
        parse(
            "PractitionerRole",
            &[("_include", "PractitionerRole:inconnu")]
        ),
        Err(SearchError::UnknownInclude(_))
    ));
}

#[test]
fn sort_summary_and_total_shape_the_result() {
    let newest_first = keys("HealthcareService", &[("_sort", "-_lastUpdated")]);
    let dates: Vec<_> = newest_first
        .iter()
        .map(|k| STORE.get(k).expect("stored").last_updated)
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    let by_id = keys("Organization", &[("_sort", "_id")]);
    let mut sorted = by_id.clone();
    sorted.sort();
    assert_eq!(by_id, sorted);
    assert_eq!(
        keys("HealthcareService", &[("_sort", "_lastUpdated")]).len(),
        newest_first.len()
    );
    assert!(parse("HealthcareService", &[("_sort", "priorite")]).is_err());
    let count = parse("HealthcareService", &[("_summary", "count")]).expect("valid");
    assert_eq!(count.count, 0);
    assert!(parse("HealthcareService", &[("_summary", "data")]).is_err());
    assert!(parse("HealthcareService", &[("_total", "accurate")]).is_ok());
    assert!(parse("HealthcareService", &[("_total", "tout")]).is_err());
}

#[test]
fn not_exact_and_the_plain_chain_select_what_r4_says() {
    let all = keys("HealthcareService", &[]);
    let mco = keys("HealthcareService", &[("service-type", "01")]);
    let not_mco = keys("HealthcareService", &[("service-type:not", "01")]);
    assert!(!mco.is_empty() && !not_mco.is_empty());
    assert_eq!(mco.len() + not_mco.len(), all.len());
    assert!(mco.iter().all(|k| !not_mco.contains(k)));
    assert!(matches!(
        parse("HealthcareService", &[("name:not", "x")]),
        Err(SearchError::UnknownParameter { .. })
    ));
    let name = STORE
        .get("HealthcareService/hs-1")
        .expect("offer")
        .resource()["name"]
        .as_str()
        .expect("named")
        .to_owned();
    assert_eq!(
        keys("HealthcareService", &[("name:exact", &name)]),
        vec!["HealthcareService/hs-1".to_owned()]
    );
    assert!(keys("HealthcareService", &[("name:exact", &name.to_uppercase())]).is_empty());
    // The plain chain looks at the providing organisation only; :above at every level.
    let plain = keys(
        "HealthcareService",
        &[("organization._lastUpdated", "ge2026")],
    );
    let above = keys(
        "HealthcareService",
        &[("organization._lastUpdated:above", "ge2026")],
    );
    assert!(plain.iter().all(|k| above.contains(k)));
    assert!(
        above.len() > plain.len(),
        "{} vs {}",
        above.len(),
        plain.len()
    );
}

#[test]
fn has_does_not_look_through_what_the_profile_may_not_see() {
    // prr-1 serves hs-1, outside the ambulatory field: profile 0 does not see it, so it must
    // not find hs-1 through it either.
    let role = STORE.get("PractitionerRole/prr-1").expect("role");
    let practitioner = STORE
        .get(
            role.resource()["practitioner"]["reference"]
                .as_str()
                .expect("ref"),
        )
        .expect("practitioner");
    let rpps = practitioner.resource()["identifier"][0]["value"]
        .as_str()
        .expect("rpps")
        .to_owned();
    let query = vec![(
        "_has:PractitionerRole:service:practitioner.identifier".to_owned(),
        rpps,
    )];
    let found = |profile: u8| -> Vec<String> {
        let search = Search::parse_for("HealthcareService", &query, profile).expect("valid");
        search
            .matches(&STORE)
            .into_iter()
            .map(|i| STORE.all[i].key())
            .collect()
    };
    assert_eq!(found(1), vec!["HealthcareService/hs-1".to_owned()]);
    assert!(found(0).is_empty(), "{:?}", found(0));
}

#[test]
fn near_and_content_find_by_place_and_by_text() {
    let loc = STORE.get("Location/loc-3").expect("location");
    let (lat, long) = (
        loc.resource()["position"]["latitude"]
            .as_f64()
            .expect("lat"),
        loc.resource()["position"]["longitude"]
            .as_f64()
            .expect("long"),
    );
    let near = |q: &str| keys("Location", &[("near", q)]);
    // Positions are 0.1° apart: 1 km around loc-3 finds it and what shares its position only.
    let close = near(&format!("{lat}|{long}|1|km"));
    assert!(close.contains(&"Location/loc-3".to_owned()), "{close:?}");
    for k in &close {
        let p = &STORE.get(k).expect("stored").resource()["position"];
        assert_eq!(
            (p["latitude"].as_f64(), p["longitude"].as_f64()),
            (Some(lat), Some(long))
        );
    }
    assert_eq!(
        near(&format!("{lat}|{long}|20000|km")).len(),
        STORE.of_type("Location").len()
    );
    assert!(near(&format!("{lat}|{long}|500|m")).contains(&"Location/loc-3".to_owned()));
    for bad in ["abc|2", "95|2|1|km", "45|2|1|miles", "45|2|-1"] {
        assert!(parse("Location", &[("near", bad)]).is_err(), "{bad}");
    }
    // _content: any text, case-insensitive; what the profile may not see is not searched.
    let content = |profile: u8, q: &str| -> Vec<String> {
        let query = vec![("_content".to_owned(), q.to_owned())];
        let search = Search::parse_for("Organization", &query, profile).expect("valid");
        search
            .matches(&STORE)
            .into_iter()
            .map(|i| STORE.all[i].key())
            .collect()
    };
    assert!(
        content(0, "GROUPEMENT HOSPITALIER")
            .iter()
            .all(|k| k.starts_with("Organization/ej-"))
    );
    assert!(!content(0, "groupement hospitalier").is_empty());
    // eg-2's direction e-mail is restricted (level 2): profile 1 finds it, profile 0 does not.
    assert_eq!(
        content(1, "direction.eg-2@"),
        vec!["Organization/eg-2".to_owned()]
    );
    assert!(content(0, "direction.eg-2@").is_empty());
    assert!(parse("HealthcareService", &[("_content", "x")]).is_err());
}

#[test]
fn token_criteria_read_the_same_from_the_parsed_resource_and_from_its_text() {
    // A store whose cache has no room reads each resource from its text as a borrowed
    // tree; one whose resources were all parsed reads the cached ones: the same matches
    // either way.
    let dataset = Dataset::generate(GenerateOptions::default());
    let cold = Store::collect_within(|sink| dataset.resources.iter().cloned().for_each(sink), 0);
    let warm = Store::new(dataset.clone());
    for s in &warm.all {
        let _ = s.resource();
    }
    let first = |ty: &str, element: &str| {
        dataset
            .resources
            .iter()
            .filter(|r| r["resourceType"] == ty)
            .find_map(|r| {
                let c = &r[element][0]["coding"][0];
                Some(format!("{}|{}", c["system"].as_str()?, c["code"].as_str()?))
            })
            .unwrap_or_else(|| panic!("a {ty}.{element} coding"))
    };
    let specialty = first("HealthcareService", "specialty");
    let code_only = specialty.split('|').nth(1).unwrap_or_default().to_owned();
    let tag = dataset.resources[0]["meta"]["tag"][0].clone();
    let tag = format!(
        "{}|{}",
        tag["system"].as_str().unwrap_or_default(),
        tag["code"].as_str().unwrap_or_default()
    );
    let identifier = dataset
        .resources
        .iter()
        .find(|r| r["resourceType"] == "HealthcareService")
        .and_then(|r| r["identifier"][0]["value"].as_str())
        .unwrap_or_default()
        .to_owned();
    let criteria = [
        ("HealthcareService", "specialty", specialty.clone()),
        ("HealthcareService", "specialty", code_only),
        (
            "HealthcareService",
            "specialty",
            format!("{specialty},nope"),
        ),
        ("HealthcareService", "specialty", "nope".to_owned()),
        (
            "HealthcareService",
            "service-category",
            first("HealthcareService", "category"),
        ),
        (
            "HealthcareService",
            "service-type",
            first("HealthcareService", "type"),
        ),
        ("HealthcareService", "identifier", identifier),
        ("Organization", "type", first("Organization", "type")),
        (
            dataset.resources[0]["resourceType"]
                .as_str()
                .unwrap_or("Organization"),
            "_tag",
            tag,
        ),
    ];
    for (ty, name, value) in &criteria {
        let search = parse(ty, &[(name, value)]).expect("valid search");
        let (from_text, parsed) = (search.matches(&cold), search.matches(&warm));
        assert_eq!(from_text, parsed, "{ty}?{name}={value}");
        if *value != "nope" {
            assert!(!from_text.is_empty(), "{ty}?{name}={value} matches");
        }
    }
    let offers = cold.of_type("HealthcareService").len();
    let search = parse("HealthcareService", &[("specialty", &specialty)]).expect("valid");
    assert!(search.matches(&cold).len() < offers, "a specialty selects");
    assert!(
        cold.all.iter().all(|s| !s.is_parsed()),
        "nothing kept without room"
    );
    // While the cache has room, what a search reads stays parsed, as any read leaves it.
    let roomy = Store::new(dataset);
    let _ = search.matches(&roomy);
    let offers = roomy.of_type("HealthcareService");
    assert!(offers.iter().all(|i| roomy.all[*i].is_parsed()));
}
