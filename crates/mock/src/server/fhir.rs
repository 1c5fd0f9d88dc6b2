//! The FHIR endpoints: search (GET and POST `_search`), read, paging through saved searches, `/metadata`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::capability;
use crate::faults::{Fault, Faults};
use crate::log::{PageFacts, RefusalKind, ResponseFacts};
use crate::search::{Search, SearchError};
use crate::store::{Store, Stored};
use crate::visibility;

use super::access::Granted;
use super::render::{read_ahead, render_entries};
use super::respond::fhir_response;
use super::respond::{fhir_text, outcome, refused, with_facts};
use super::state::*;

pub(super) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Criteria parameters the `ignore-search-criteria` fault drops.
pub(super) const CRITERIA: &[&str] = &[
    "near",
    "_content",
    "specialty",
    "service-category",
    "service-type",
    "type",
    "characteristic",
    "name",
    "name:contains",
    "location.address-postalcode",
    "location.commune-cog",
    "address-postalcode",
    "status",
    "organization.type",
    "partof",
    "_tag",
    "_has:PractitionerRole:service:practitioner.identifier",
    "practitioner.identifier",
    "service",
];

/// The search parameters as a faulty server would apply them.
pub(super) fn faulty_params(faults: &Faults, params: &[(String, String)]) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| !(faults.has(Fault::IgnoreLastUpdated) && k == "_lastUpdated"))
        .filter(|(k, _)| !(faults.has(Fault::IgnoreFilter) && k == "_filter"))
        .filter(|(k, _)| {
            !(faults.has(Fault::IgnoreSearchCriteria)
                && (CRITERIA.contains(&k.as_str()) || crate::ig_params::is_ig_param(k)))
        })
        .filter(|(k, _)| !(faults.has(Fault::IgnoreCount) && k == "_count"))
        .filter(|(k, _)| !(faults.has(Fault::IgnoreElements) && k == "_elements"))
        .filter(|(k, _)| {
            !(faults.has(Fault::IgnoreIdentifier)
                && matches!(
                    k.as_str(),
                    "identifier" | "organization.identifier" | "organization.identifier:above"
                ))
        })
        .map(|(k, v)| {
            if faults.has(Fault::IgnoreAbove) && k == "organization.identifier:above" {
                ("organization.identifier".to_owned(), v.clone())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

/// The `_count` asked for, when it is above the page maximum (the `no-page-cap` fault
/// serves it as is).
fn uncapped_count(params: &[(String, String)]) -> Option<usize> {
    params
        .iter()
        .filter(|(k, _)| k == "_count")
        .find_map(|(_, v)| v.parse::<usize>().ok())
        .filter(|n| *n > crate::search::MAX_PAGE)
}

/// Parses a search; under `lenient-parameters`, what the server does not know is dropped
/// instead of refused.
pub(super) fn parse_search(
    faults: &Faults,
    resource_type: &str,
    mut params: Vec<(String, String)>,
    profile: u8,
) -> Result<Search, SearchError> {
    loop {
        match Search::parse_for(resource_type, &params, profile) {
            Err(SearchError::UnknownParameter { param, .. })
                if faults.has(Fault::LenientParameters) =>
            {
                let before = params.len();
                params.retain(|(k, _)| !k.starts_with(param.as_str()));
                if params.len() == before {
                    return Err(SearchError::UnknownParameter {
                        resource: resource_type.to_owned(),
                        param,
                    });
                }
            }
            Err(SearchError::UnknownInclude(what)) if faults.has(Fault::LenientParameters) => {
                let before = params.len();
                params.retain(|(k, v)| format!("{k}={v}") != what);
                if params.len() == before {
                    return Err(SearchError::UnknownInclude(what));
                }
            }
            other => return other,
        }
    }
}

pub(super) fn search_error(e: &SearchError) -> Response {
    let response = outcome(
        StatusCode::BAD_REQUEST,
        match e {
            SearchError::UnknownParameter { .. } | SearchError::UnknownInclude(_) => {
                "not-supported"
            }
            SearchError::InvalidValue { .. } => "invalid",
        },
        &e.to_string(),
    );
    refused(response, RefusalKind::Parameter, e.to_string())
}

pub(super) fn page_url(state: &MockState, id: &str, offset: usize, count: usize) -> String {
    format!(
        "{}?_getpages={id}&_getpagesoffset={offset}&_count={count}&_bundletype=searchset",
        state.base_url
    )
}

/// A search being served, page by page.
pub(super) struct Served<'a> {
    store: &'a Arc<Store>,
    id: &'a str,
    search: &'a Search,
    matches: &'a [usize],
    total: usize,
    profile: u8,
}

/// A searchset page: matches of the page, then their includes.
pub(super) fn page(
    state: &MockState,
    served: &Served<'_>,
    offset: usize,
    self_url: String,
) -> Response {
    let Served {
        store,
        id: search_id,
        search,
        matches,
        total,
        profile,
    } = *served;
    let count = search.count;
    let mut page: Vec<usize> = matches.iter().skip(offset).take(count).copied().collect();
    if state.faults.has(Fault::DuplicateAcrossPages) && offset >= count && count > 0 {
        page.insert(0, matches[offset - count]);
    }
    let included = if state.faults.has(Fault::OmitIncludes) {
        Vec::new()
    } else {
        search.included(store, &page, profile)
    };
    // Entries are spliced from each resource's cached JSON, copied once into the body.
    let view = |i: usize, mode: &str| {
        let s = &store.all[i];
        let resource = match (&search.elements, mode) {
            (Some(elements), "match") => visibility::visible(&s.resource(), profile, &s.offers)
                .map(|v| visibility::subset(v, elements).to_string().into()),
            _ => s.rendered(profile),
        };
        resource.map(|resource: Arc<str>| (i, resource))
    };
    // Views all in the cache (a large search paged through, its views written ahead) are
    // only looked up: no thread to start for that.
    let cached = |ids: &[usize]| {
        ids.iter()
            .all(|i| store.all[*i].needs_no_rendering(profile))
    };
    let matched = render_entries(&page, search.elements.is_none() && cached(&page), &|i| {
        view(i, "match")
    });
    let included_views = render_entries(&included, cached(&included), &|i| view(i, "include"));
    let mut links = vec![json!({ "relation": "self", "url": self_url })];
    if offset > 0 && count > 0 {
        links.push(json!({ "relation": "previous", "url": page_url(state, search_id, offset.saturating_sub(count), count) }));
    }
    if count > 0 && offset + count < matches.len() && !state.faults.has(Fault::DropNextLink) {
        links.push(
            json!({ "relation": "next", "url": page_url(state, search_id, offset + count, count) }),
        );
    }
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": search_id,
        "meta": { "lastUpdated": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true) },
        "type": if state.faults.has(Fault::WrongBundleType) { "collection" } else { "searchset" },
        "total": total,
        "link": links
    });
    if state.faults.has(Fault::NoTotal)
        && let Some(b) = bundle.as_object_mut()
    {
        b.remove("total");
    }
    let bundle = bundle.to_string();
    // `bundle` is a non-empty JSON object: its closing brace makes room for the entries.
    let body = with_entries(
        bundle.strip_suffix('}').unwrap_or(&bundle),
        &state.base_url,
        store,
        [(&matched[..], "match"), (&included_views[..], "include")],
    );
    let has_next = count > 0 && offset + count < matches.len();
    // Only for a client that followed a next link (it is paging through): one that reads
    // the first page alone would share the cores with a rendering it never asks for.
    let paging = offset > 0;
    if paging && has_next && search.elements.is_none() && !state.faults.has(Fault::DropNextLink) {
        let next = &matches[offset + count..matches.len().min(offset + 2 * count)];
        read_ahead(store, next, profile);
    }
    let facts = ResponseFacts {
        page: Some(PageFacts {
            search: search_id.to_owned(),
            offset,
            count,
            matches: matches.len(),
            next_offset: (has_next && !state.faults.has(Fault::DropNextLink))
                .then_some(offset + count),
        }),
        resources: served_keys(state, store, page.iter().chain(&included)),
        ..ResponseFacts::default()
    };
    with_facts(fhir_text(StatusCode::OK, body), facts)
}

/// Resources of a page (their index in the store and view) and their search mode.
type EntryViews<'a> = (&'a [(usize, Arc<str>)], &'a str);

/// A Bundle's text from its `head` (its JSON object without the closing brace) and its
/// entries: each resource's text with its `fullUrl` and search mode, sized once and copied
/// once.
fn with_entries(head: &str, base_url: &str, store: &Store, entries: [EntryViews<'_>; 2]) -> String {
    // An entry is its resource's text and about a hundred bytes around it (a longer key
    // only grows the body once).
    let size = head.len()
        + 16
        + entries
            .iter()
            .flat_map(|(views, _)| views.iter())
            .map(|(_, text)| text.len() + base_url.len() + 100)
            .sum::<usize>();
    let mut body = String::with_capacity(size);
    body.push_str(head);
    body.push_str(",\"entry\":[");
    let mut first = true;
    for (views, mode) in entries {
        for (i, resource) in views {
            if !first {
                body.push(',');
            }
            first = false;
            let url = Value::String(format!("{base_url}/{}", store.all[*i].key())).to_string();
            for piece in [
                r#"{"fullUrl":"#,
                &url,
                r#","resource":"#,
                resource,
                r#","search":{"mode":""#,
                mode,
                r#""}}"#,
            ] {
                body.push_str(piece);
            }
        }
    }
    body.push_str("]}");
    body
}

/// The keys of the resources served, when the mock records them.
pub(super) fn served_keys<'a>(
    state: &MockState,
    store: &Store,
    indices: impl Iterator<Item = &'a usize>,
) -> Vec<String> {
    if !state.record_served {
        return Vec::new();
    }
    indices
        .filter_map(|i| store.all.get(*i).map(Stored::key))
        .collect()
}

pub(super) fn run_search(
    state: &MockState,
    resource_type: &str,
    params: &[(String, String)],
    profile: u8,
    self_url: String,
) -> Response {
    if !TYPES.contains(&resource_type) {
        return outcome(
            StatusCode::NOT_FOUND,
            "not-supported",
            &format!("Type de ressource inconnu : {resource_type}"),
        );
    }
    let params = faulty_params(&state.faults, params);
    let mut search = match parse_search(&state.faults, resource_type, params.clone(), profile) {
        Ok(s) => s,
        Err(e) => return search_error(&e),
    };
    if state.faults.has(Fault::NoPageCap) {
        search.count = uncapped_count(&params).unwrap_or(search.count);
    }
    let store = state.store();
    let mut matches = search.matches(&store);
    // Resources hidden from this profile are not matches at all (total included).
    matches.retain(|i| !store.all[*i].hidden_from(profile));
    let total = matches.len();
    if total == 0 && state.faults.has(Fault::EmptyAs404) {
        return outcome(StatusCode::NOT_FOUND, "not-found", "Aucun résultat");
    }
    if !state.faults.has(Fault::NoSyncCap) {
        matches.truncate(state.sync_cap);
    }
    let search = Arc::new(search);
    let matches = Arc::new(matches);
    let id = state.save(SavedSearch {
        store: store.clone(),
        search: search.clone(),
        matches: matches.clone(),
        total,
        profile,
    });
    let served = Served {
        store: &store,
        id: &id,
        search: &search,
        matches: &matches,
        total,
        profile,
    };
    page(state, &served, 0, self_url)
}

pub(super) async fn search_get(
    State(state): State<Shared>,
    Path(resource_type): Path<String>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let self_url = match &raw {
        Some(q) => format!("{}/{resource_type}?{q}", state.base_url),
        None => format!("{}/{resource_type}", state.base_url),
    };
    run_search(
        &state,
        &resource_type,
        &query_pairs(raw.as_deref()),
        profile,
        self_url,
    )
}

pub(super) async fn search_post(
    State(state): State<Shared>,
    Path(resource_type): Path<String>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
    body: Bytes,
) -> Response {
    let mut params = query_pairs(raw.as_deref());
    params.extend(query_pairs(std::str::from_utf8(&body).ok()));
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let self_url = format!("{}/{resource_type}?{query}", state.base_url);
    run_search(&state, &resource_type, &params, profile, self_url)
}

pub(super) async fn read(
    State(state): State<Shared>,
    Path((resource_type, id)): Path<(String, String)>,
    Granted(profile): Granted,
) -> Response {
    if !TYPES.contains(&resource_type.as_str()) {
        return outcome(
            StatusCode::NOT_FOUND,
            "not-supported",
            &format!("Type de ressource inconnu : {resource_type}"),
        );
    }
    let not_found = || {
        outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Ressource inconnue : {resource_type}/{id}"),
        )
    };
    let store = state.store();
    match store.get(&format!("{resource_type}/{id}")) {
        // A resource this profile may not see does not exist for it.
        Some(s) => match s.rendered(profile) {
            Some(json) => {
                let facts = ResponseFacts {
                    resources: if state.record_served {
                        vec![s.key()]
                    } else {
                        Vec::new()
                    },
                    ..ResponseFacts::default()
                };
                with_facts(fhir_text(StatusCode::OK, json.to_string()), facts)
            }
            None => not_found(),
        },
        None => not_found(),
    }
}

/// `[base]?_getpages=…`: a further page of a saved search.
pub(super) async fn base_get(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let params: HashMap<String, String> = query_pairs(raw.as_deref()).into_iter().collect();
    let Some(id) = params.get("_getpages") else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "not-supported",
            "Recherche système non prise en charge : préciser le type de ressource",
        );
    };
    let Some(saved) = state.saved(id) else {
        return outcome(
            StatusCode::GONE,
            "not-found",
            &format!("Recherche {id} inconnue ou expirée"),
        );
    };
    if saved.profile != profile {
        return outcome(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Cette page appartient à un autre profil d'accès",
        );
    }
    let offset = match params.get("_getpagesoffset").map(|o| o.parse::<usize>()) {
        Some(Ok(o)) => o,
        None => 0,
        Some(Err(_)) => {
            return outcome(
                StatusCode::BAD_REQUEST,
                "invalid",
                "_getpagesoffset invalide",
            );
        }
    };
    let self_url = format!("{}?{}", state.base_url, raw.unwrap_or_default());
    let served = Served {
        store: &saved.store,
        id,
        search: &saved.search,
        matches: &saved.matches,
        total: saved.total,
        profile,
    };
    page(&state, &served, offset, self_url)
}

pub(super) async fn metadata(State(state): State<Shared>) -> Response {
    let mut cs = capability::statement(&state.base_url);
    if state.faults.has(Fault::MetadataIncomplete) {
        if let Some(rest) = cs["rest"][0].as_object_mut() {
            rest.remove("operation");
        }
        for r in cs["rest"][0]["resource"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            r["searchInclude"] = json!([]);
            r["searchRevInclude"] = json!([]);
        }
    }
    fhir_response(StatusCode::OK, &cs)
}

pub(super) async fn not_found() -> Response {
    outcome(StatusCode::NOT_FOUND, "not-found", "Point d'accès inconnu")
}
