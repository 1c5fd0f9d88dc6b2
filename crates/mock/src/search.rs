//! FHIR search over the store: parameters, modifiers, prefixes, includes.
//!
//! Strict like a HAPI server in strict mode: an unknown parameter or an invalid value is a
//! 400, never silently ignored (a consumer must learn that its request is wrong).

use super::store::{Store, reference_element};
use crate::criterion::criterion;
pub use crate::matcher::SearchError;
use crate::matcher::{Matcher, parse_tokens};

/// Largest and default page size (ROR rule RG_RECH_52).
pub const MAX_PAGE: usize = 200;

/// Synchronous searches stop at this many results (national extraction must use $export).
pub const SYNC_CAP: usize = 10_000;

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
    /// `_sort`: keys in order, each ascending or descending (`-`).
    sort: Vec<(SortKey, bool)>,
}

/// What `_sort` may order by.
#[derive(Debug, Clone, Copy)]
enum SortKey {
    LastUpdated,
    Id,
    Name,
}

impl SortKey {
    fn parse(name: &str) -> Option<SortKey> {
        match name {
            "_lastUpdated" => Some(SortKey::LastUpdated),
            "_id" => Some(SortKey::Id),
            "name" => Some(SortKey::Name),
            _ => None,
        }
    }

    fn compare(self, a: &super::store::Stored, b: &super::store::Stored) -> std::cmp::Ordering {
        match self {
            SortKey::LastUpdated => a.last_updated.cmp(&b.last_updated),
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Name => a.resource()["name"]
                .as_str()
                .cmp(&b.resource()["name"].as_str()),
        }
    }
}

/// Reverse includes: every reference searches follow (`Task:focus` included).
fn is_revinclude(value: &str) -> bool {
    reference_element(value).is_some()
}

/// Parameters that shape the result rather than select it.
const IGNORED: &[&str] = &["_format", "_pretty", "_bundletype"];

impl Search {
    /// A search as a client that sees everything (access profile 1) would make it.
    #[cfg(test)]
    pub fn parse(resource_type: &str, params: &[(String, String)]) -> Result<Self, SearchError> {
        Search::parse_for(resource_type, params, 1)
    }

    /// A search made by a client of access profile `profile`: criteria that look through
    /// other resources (`_has`) do not see what the profile may not see.
    pub fn parse_for(
        resource_type: &str,
        params: &[(String, String)],
        profile: u8,
    ) -> Result<Self, SearchError> {
        let mut search = Search {
            resource_type: resource_type.to_owned(),
            matchers: Vec::new(),
            candidates: None,
            count: MAX_PAGE,
            includes: Vec::new(),
            iterate_includes: Vec::new(),
            revincludes: Vec::new(),
            elements: None,
            sort: Vec::new(),
        };
        for (name, value) in params {
            if search.shape(name, value)? {
                continue;
            }
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
                    if reference_element(value).is_none() {
                        return Err(SearchError::UnknownInclude(format!("{name}={value}")));
                    }
                    if name == "_include" {
                        search.includes.push(value.clone());
                    } else {
                        search.iterate_includes.push(value.clone());
                    }
                }
                "_revinclude" | "_revinclude:iterate" => {
                    if !is_revinclude(value) {
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
                "_filter" => {
                    search
                        .matchers
                        .push(super::filter::parse(resource_type, value, profile)?)
                }
                n if IGNORED.contains(&n) => {}
                _ => {
                    search
                        .matchers
                        .push(criterion(resource_type, name, value, profile)?);
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

    /// `_total`, `_summary` and `_sort`: parameters that shape the result. Whether `name` was one.
    fn shape(&mut self, name: &str, value: &str) -> Result<bool, SearchError> {
        let invalid = |reason: &str| SearchError::InvalidValue {
            param: name.to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        match name {
            // The ROR's search always counts: `_total` is accepted and `total` always given.
            "_total" if matches!(value, "none" | "estimate" | "accurate") => {}
            "_total" => return Err(invalid("none, estimate ou accurate attendu")),
            // `_summary=count`: the total, no entry.
            "_summary" if value == "count" => self.count = 0,
            "_summary" => {
                return Err(invalid("seul _summary=count est pris en charge"));
            }
            "_sort" => {
                for key in value.split(',') {
                    let (field, descending) = match key.strip_prefix('-') {
                        Some(f) => (f, true),
                        None => (key, false),
                    };
                    let Some(k) = SortKey::parse(field) else {
                        return Err(invalid(
                            "tri par _lastUpdated, _id ou name, « - » pour l'ordre décroissant",
                        ));
                    };
                    self.sort.push((k, descending));
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
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
        let mut found: Vec<usize> = pool
            .filter(|i| self.matchers.iter().all(|m| m(store, &store.all[*i])))
            .collect();
        if !self.sort.is_empty() {
            // Stable: equal keys keep store order, so pages stay consistent.
            found.sort_by(|a, b| {
                let (a, b) = (&store.all[*a], &store.all[*b]);
                self.sort
                    .iter()
                    .map(|(k, desc)| {
                        let o = k.compare(a, b);
                        if *desc { o.reverse() } else { o }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        found
    }

    /// Resources to add as `include` for a page of matches: includes, reverse includes and
    /// iterated includes, without duplicates and without the matches themselves.
    ///
    /// What `profile` may not see is neither added nor followed: a resource hidden from it
    /// must not lead to others (a Practitioner reached through a hidden PractitionerRole).
    pub fn included(&self, store: &Store, page: &[usize], profile: u8) -> Vec<usize> {
        let mut seen: std::collections::HashSet<usize> = page.iter().copied().collect();
        let mut out = Vec::new();
        let mut add = |i: usize, out: &mut Vec<usize>| {
            if !store.all[i].hidden_from(profile) && seen.insert(i) {
                out.push(i);
            }
        };
        // References were resolved when the store was built: no resource is read here.
        let follow = |from: usize, include: &str| -> Vec<usize> {
            store.all[from].targets(include).collect()
        };
        for &m in page {
            for rev in &self.revincludes {
                let key = store.all[m].key();
                for &f in store.referrers(rev, &key) {
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
        "age-range-low",
        "nb-capacity",
        "notavailable-closing-reopeningdate",
        "psychiatric-sector:exact",
        "period-end",
        "drop-zone",
        "_sort",
        "_summary",
        "_total",
        "service-type:not",
        "name:exact",
        "organization._lastUpdated",
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
                let _ = search.included(&STORE, &page, 0);
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
            let _ = super::super::filter::parse("HealthcareService", &text, 0);
        }
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
