//! The mock ROR over HTTP: FHIR endpoints (axum) and the token endpoint.
//!
//! Order of checks on every FHIR call, as on the real ROR: the bearer token (401), then
//! the four `Ror-*` headers (400, a documented choice: the ROR only says 4XX), then the
//! search parameters (400), then the resource (404).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

use super::auth::{Issuer, TokenError};
use super::capability;
use super::export::{self, Job, Jobs};
use super::faults::{Fault, Faults};
use super::log::{
    ExportFacts, IssuedToken, LoggedRequest, PageFacts, Refusal, RefusalKind, RequestLog,
    ResponseFacts, TokenSeen, TokenState,
};
use super::search::{Search, SearchError};
use super::store::{Store, Stored};
use super::visibility;

pub const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";
pub const TOKEN_PATH: &str = "/auth/realms/ror/protocol/openid-connect/token";
/// The observer's control of the day-by-day story (outside the FHIR base).
pub const STORY_PATH: &str = "/_rorcheck/story";
/// Resource types the mock serves.
pub const TYPES: &[&str] = &[
    "HealthcareService",
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "Task",
];

/// The client certificate of the connection, on TLS connections that presented one.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    /// RFC 8705 `x5t#S256` of the certificate.
    pub thumbprint: Option<String>,
    /// Common name of its subject.
    pub subject: Option<String>,
}

/// A search kept so that its `next` links stay consistent while they are followed.
#[derive(Clone)]
struct SavedSearch {
    /// The data as it was when the search ran: its pages stay consistent.
    store: Arc<Store>,
    search: Arc<Search>,
    /// Matches served, at most the synchronous cap.
    matches: Arc<Vec<usize>>,
    /// Every match, for `Bundle.total`.
    total: usize,
    profile: u8,
}

pub struct MockState {
    /// The data served; replaced whole when the day-by-day story moves on (resources keep
    /// their index: a story only changes resources in place or appends new ones, so saved
    /// searches and export jobs stay valid).
    store: std::sync::RwLock<Arc<Store>>,
    /// The day-by-day story of observer mode, when it is played.
    pub story: Option<super::story::Story>,
    story_turn: Mutex<()>,
    pub issuer: Issuer,
    pub faults: Faults,
    /// Synchronous searches serve at most this many matches.
    pub sync_cap: usize,
    pub log: RequestLog,
    pub exports: Jobs,
    /// How long an export job runs before its manifest is ready.
    pub export_delay: std::time::Duration,
    /// FHIR base URL as clients see it (set once the port is known).
    pub base_url: String,
    /// Keep the keys of every resource served in the log (observer mode).
    pub record_served: bool,
    searches: Mutex<(HashMap<String, SavedSearch>, VecDeque<String>)>,
    next_search: std::sync::atomic::AtomicU64,
}

const MAX_SAVED_SEARCHES: usize = 2_000;

impl MockState {
    pub fn new(
        store: Store,
        issuer: Issuer,
        base_url: String,
        faults: Faults,
        sync_cap: usize,
    ) -> Self {
        let secrets = issuer.clients.iter().map(|c| c.secret.clone());
        let log = RequestLog::new(10_000, crate::http::Redactor::new(secrets));
        MockState {
            store: std::sync::RwLock::new(Arc::new(store)),
            story: None,
            story_turn: Mutex::new(()),
            issuer,
            faults,
            sync_cap,
            log,
            exports: Jobs::default(),
            export_delay: std::time::Duration::from_millis(1500),
            base_url,
            record_served: false,
            searches: Mutex::new((HashMap::new(), VecDeque::new())),
            next_search: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The data as it is now.
    pub fn store(&self) -> Arc<Store> {
        match self.store.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `store` from now on.
    pub fn replace_store(&self, store: Store) {
        let store = Arc::new(store);
        match self.store.write() {
            Ok(mut guard) => *guard = store,
            Err(poisoned) => *poisoned.into_inner() = store,
        }
    }

    /// Moves the story to its next day: the day's changes are applied to a copy of the
    /// data, which is then served. `None` when no story is played.
    pub fn advance_story(&self) -> Option<super::story::Day> {
        let story = self.story.as_ref()?;
        // One day at a time, even if two requests ask at once.
        let _turn = self.story_turn.lock();
        let store = self.store();
        let mut resources: Vec<Value> = store.all.iter().map(|s| (*s.resource).clone()).collect();
        let day = story.next_day(&mut resources, super::log::now(), self.log.elapsed_ms());
        self.replace_store(Store::new(super::Dataset { resources }));
        Some(day)
    }

    fn save(&self, saved: SavedSearch) -> String {
        let n = self
            .next_search
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{n:08x}-{:04x}", n.wrapping_mul(0x9E37) & 0xffff);
        if let Ok(mut guard) = self.searches.lock() {
            let (map, order) = &mut *guard;
            map.insert(id.clone(), saved);
            order.push_back(id.clone());
            while order.len() > MAX_SAVED_SEARCHES {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
        id
    }

    fn saved(&self, id: &str) -> Option<SavedSearch> {
        let guard = self.searches.lock().ok()?;
        guard.0.get(id).cloned()
    }
}

type Shared = Arc<MockState>;

/// An OperationOutcome response.
pub fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }]
    });
    fhir(status, &body)
}

fn fhir(status: StatusCode, body: &Value) -> Response {
    fhir_text(status, body.to_string())
}

/// Attaches what the response means for the log (see [`ResponseFacts`]).
fn with_facts(mut response: Response, facts: ResponseFacts) -> Response {
    response.extensions_mut().insert(facts);
    response
}

fn refused(response: Response, kind: RefusalKind, message: String) -> Response {
    with_facts(
        response,
        ResponseFacts {
            refusal: Some(Refusal { kind, message }),
            ..ResponseFacts::default()
        },
    )
}

fn fhir_text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body,
    )
        .into_response()
}

/// Why a FHIR call is refused before its parameters are even read.
#[derive(Debug)]
enum Rejection {
    Token(TokenError),
    RorHeader(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Token(reason) => refused(
                unauthorized(&reason),
                RefusalKind::Token,
                reason.to_string(),
            ),
            Rejection::RorHeader(msg) => refused(
                outcome(StatusCode::BAD_REQUEST, "required", &msg),
                RefusalKind::RorHeader,
                msg,
            ),
        }
    }
}

fn unauthorized(reason: &TokenError) -> Response {
    let mut resp = outcome(
        StatusCode::UNAUTHORIZED,
        "security",
        &format!("Authentification requise : {reason}"),
    );
    let challenge = match reason {
        TokenError::Missing => r#"Bearer realm="ror""#.to_owned(),
        other => {
            format!(r#"Bearer realm="ror", error="invalid_token", error_description="{other}""#)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The access profile of a valid bearer token; a certificate-bound token (RFC 8705) is only
/// valid on a connection presenting the same certificate.
fn authorize(state: &MockState, headers: &HeaderMap, peer: &Peer) -> Result<u8, Rejection> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(Rejection::Token(TokenError::Missing))?;
    let allow_expired = state.faults.has(Fault::AcceptExpiredToken);
    let check_signature = !state.faults.has(Fault::AcceptTamperedToken);
    let claims = state
        .issuer
        .verify(token.trim(), allow_expired, check_signature)
        .map_err(Rejection::Token)?;
    if let Some(cnf) = &claims.cnf
        && peer.thumbprint.as_deref() != Some(cnf.x5t_s256.as_str())
    {
        return Err(Rejection::Token(TokenError::CertificateMismatch));
    }
    Ok(claims.access_profile)
}

const PROFIL_SYSTEM: &str = "1.2.250.1.213.1.6.1.66";
const ROLE_SYSTEM: &str = "1.2.250.1.213.1.1.4.6";

/// The four `Ror-*` headers: present, and with the documented systems (raw OIDs).
fn check_ror_headers(headers: &HeaderMap) -> Result<(), Rejection> {
    match ror_header_problem(|name| headers.get(name).and_then(|v| v.to_str().ok())) {
        Some(problem) => Err(Rejection::RorHeader(problem)),
        None => Ok(()),
    }
}

/// What is wrong with the four `Ror-*` headers of a call, if anything; `get` reads a
/// header by name. Shared with observer mode, which judges logged calls by the same rule.
pub fn ror_header_problem<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let get = |name: &str| get(name).map(str::trim).filter(|v| !v.is_empty());
    for name in [
        "Ror-Profil-Utilisateur-Code",
        "Ror-Profil-Utilisateur-System",
        "Ror-Role-Metier-Code",
        "Ror-Role-Metier-System",
    ] {
        if get(name).is_none() {
            return Some(format!("En-tête obligatoire absent : {name}"));
        }
    }
    let code = get("Ror-Profil-Utilisateur-Code").unwrap_or_default();
    let valid_code = code
        .strip_prefix("CU")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=30).contains(&n) && code.len() == 4);
    if !valid_code {
        return Some(format!(
            "Ror-Profil-Utilisateur-Code « {code} » n'est pas un code de TRE_R78 (CU01 à CU30)"
        ));
    }
    for (name, expected) in [
        ("Ror-Profil-Utilisateur-System", PROFIL_SYSTEM),
        ("Ror-Role-Metier-System", ROLE_SYSTEM),
    ] {
        let value = get(name).unwrap_or_default();
        if value != expected {
            return Some(format!(
                "{name} « {value} » invalide : l'OID brut {expected} est attendu (sans urn:oid:)"
            ));
        }
    }
    None
}

/// The access profile of a caller that passed the token and header checks; as an extractor,
/// a handler taking it never runs for a refused call.
struct Granted(u8);

impl axum::extract::FromRequestParts<Shared> for Granted {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Shared,
    ) -> Result<Self, Rejection> {
        let peer = parts.extensions.get::<Peer>().cloned().unwrap_or_default();
        let profile = authorize(state, &parts.headers, &peer)?;
        if !state.faults.has(Fault::SkipRorHeaderCheck) {
            check_ror_headers(&parts.headers)?;
        }
        // The leak fault serves profile 0 what only profile 1 may see.
        if profile == 0 && state.faults.has(Fault::LeakRestrictedData) {
            return Ok(Granted(1));
        }
        Ok(Granted(profile))
    }
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Criteria parameters the `ignore-search-criteria` fault drops.
const CRITERIA: &[&str] = &[
    "specialty",
    "service-category",
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
fn faulty_params(faults: &Faults, params: &[(String, String)]) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(k, _)| !(faults.has(Fault::IgnoreLastUpdated) && k == "_lastUpdated"))
        .filter(|(k, _)| !(faults.has(Fault::IgnoreFilter) && k == "_filter"))
        .filter(|(k, _)| {
            !(faults.has(Fault::IgnoreSearchCriteria) && CRITERIA.contains(&k.as_str()))
        })
        .filter(|(k, _)| !(faults.has(Fault::IgnoreCount) && k == "_count"))
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

/// Parses a search; under `lenient-parameters`, what the server does not know is dropped
/// instead of refused.
fn parse_search(
    faults: &Faults,
    resource_type: &str,
    mut params: Vec<(String, String)>,
) -> Result<Search, SearchError> {
    loop {
        match Search::parse(resource_type, &params) {
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

fn search_error(e: &SearchError) -> Response {
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

fn page_url(state: &MockState, id: &str, offset: usize, count: usize) -> String {
    format!(
        "{}?_getpages={id}&_getpagesoffset={offset}&_count={count}&_bundletype=searchset",
        state.base_url
    )
}

/// A search being served, page by page.
struct Served<'a> {
    store: &'a Arc<Store>,
    id: &'a str,
    search: &'a Search,
    matches: &'a [usize],
    total: usize,
    profile: u8,
}

/// A searchset page: matches of the page, then their includes.
fn page(state: &MockState, served: &Served<'_>, offset: usize, self_url: String) -> Response {
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
        search.included(store, &page)
    };
    // Entries are spliced from each resource's cached JSON: no copy of the resources.
    let entry = |i: usize, mode: &str| {
        let s = &store.all[i];
        let resource = match (&search.elements, mode) {
            (Some(elements), "match") => visibility::visible(&s.resource, profile)
                .map(|v| visibility::subset(v, elements).to_string().into()),
            _ => s.rendered(profile),
        };
        resource.map(|resource: Arc<str>| {
            format!(
                r#"{{"fullUrl":{},"resource":{resource},"search":{{"mode":"{mode}"}}}}"#,
                Value::String(format!("{}/{}", state.base_url, s.key()))
            )
        })
    };
    let mut entries: Vec<String> = page.iter().filter_map(|i| entry(*i, "match")).collect();
    entries.extend(included.iter().filter_map(|i| entry(*i, "include")));
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
    let body = format!(
        "{},\"entry\":[{}]}}",
        bundle.strip_suffix('}').unwrap_or(&bundle),
        entries.join(",")
    );
    let has_next = count > 0 && offset + count < matches.len();
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

/// The keys of the resources served, when the mock records them.
fn served_keys<'a>(
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

fn run_search(
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
    let search = match parse_search(&state.faults, resource_type, params) {
        Ok(s) => s,
        Err(e) => return search_error(&e),
    };
    let store = state.store();
    let mut matches = search.matches(&store);
    // Resources hidden from this profile are not matches at all (total included).
    matches.retain(|i| !visibility::is_hidden(&store.all[*i].resource, profile));
    let total = matches.len();
    if total == 0 && state.faults.has(Fault::EmptyAs404) {
        return outcome(StatusCode::NOT_FOUND, "not-found", "Aucun résultat");
    }
    matches.truncate(state.sync_cap);
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

async fn search_get(
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

async fn search_post(
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

async fn read(
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
async fn base_get(
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

async fn metadata(State(state): State<Shared>) -> Response {
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
    fhir(StatusCode::OK, &cs)
}

async fn token(
    State(state): State<Shared>,
    peer: Option<axum::Extension<Peer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = query_pairs(std::str::from_utf8(&body).ok())
        .into_iter()
        .collect();
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        let mut resp = (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            json!({ "error": error, "error_description": description }).to_string(),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="ror""#),
            );
        }
        refused(resp, RefusalKind::Token, format!("{error} : {description}"))
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "seul client_credentials est accepté",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type absent",
            );
        }
    }
    // Client authentication: HTTP Basic or form fields (RFC 6749 §2.3.1).
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|d| String::from_utf8(d).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let credentials = basic.or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    });
    // mTLS clients (RFC 8705) send their client_id and are authenticated by their certificate.
    let by_certificate = || {
        let id = form.get("client_id")?;
        let peer = peer.as_ref()?;
        let thumbprint = peer.thumbprint.clone()?;
        let client =
            state
                .issuer
                .authenticate_certificate(id, &thumbprint, peer.subject.as_deref())?;
        Some((client.clone(), Some(thumbprint)))
    };
    let any_secret = state.faults.has(Fault::AcceptAnySecret);
    let by_secret = credentials.and_then(|(id, secret)| {
        let client = if any_secret {
            state
                .issuer
                .clients
                .iter()
                .find(|c| c.client_id == id && !c.secret.is_empty())
        } else {
            state.issuer.authenticate(&id, &secret)
        };
        client.map(|c| (c.clone(), None))
    });
    let Some((client, bound_to)) = by_secret.or_else(by_certificate) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "authentification du client refusée",
        );
    };
    let access_token = match &bound_to {
        Some(thumbprint) => state.issuer.issue_bound(&client, thumbprint),
        None => state.issuer.issue(&client),
    };
    let issued = state
        .issuer
        .verify(&access_token, true, true)
        .ok()
        .map(|c| IssuedToken {
            jti: c.jti,
            expires_at: c.exp,
        });
    let response = (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        if state.faults.has(Fault::TokenResponseIncomplete) {
            json!({ "access_token": access_token })
        } else {
            json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": state.issuer.lifetime_secs,
                "scope": "profile email"
            })
        }
        .to_string(),
    )
        .into_response();
    with_facts(
        response,
        ResponseFacts {
            issued_token: issued,
            ..ResponseFacts::default()
        },
    )
}

/// `POST /_rorcheck/story/next-day`: the observer's control to move the story on.
async fn story_next_day(State(state): State<Shared>) -> Response {
    match state.advance_story() {
        Some(day) => (StatusCode::OK, axum::Json(day)).into_response(),
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            "Aucun récit jour par jour n'est joué (rorcheck observe --story)",
        ),
    }
}

/// `GET /_rorcheck/story`: the days so far and their changes.
async fn story_days(State(state): State<Shared>) -> Response {
    match &state.story {
        Some(story) => (StatusCode::OK, axum::Json(story.days())).into_response(),
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            "Aucun récit jour par jour n'est joué (rorcheck observe --story)",
        ),
    }
}

async fn not_found() -> Response {
    outcome(StatusCode::NOT_FOUND, "not-found", "Point d'accès inconnu")
}

/// `$export` kick-off.
async fn export_kickoff(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let params = query_pairs(raw.as_deref());
    let (format, files) = match export::plan(
        &state.store(),
        &params,
        profile,
        !state.faults.has(Fault::ExportIncomplete),
        !state.faults.has(Fault::ExportIgnoresTypeFilter),
    ) {
        Ok(plan) => plan,
        Err(e) => return search_error(&e),
    };
    let request = format!("{}/$export?{}", state.base_url, raw.unwrap_or_default());
    let id = state.exports.start(Job {
        profile,
        format,
        started: std::time::Instant::now(),
        request,
        files,
        polls: 0,
    });
    let location = format!("{}/$export-poll-status?_jobId={id}", state.base_url);
    let accepted = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "information", "code": "informational", "diagnostics": "Export accepté" }]
    });
    let mut resp = fhir(StatusCode::ACCEPTED, &accepted);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    with_facts(
        resp,
        ResponseFacts {
            export: Some(ExportFacts::Kickoff { job: id }),
            ..ResponseFacts::default()
        },
    )
}

fn job_id(raw: Option<&str>) -> Option<String> {
    query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "_jobId")
        .map(|(_, v)| v)
}

/// `$export-poll-status`: 202 while running, 200 with the manifest when done.
async fn export_poll(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let Some(id) = job_id(raw.as_deref()) else {
        return outcome(StatusCode::BAD_REQUEST, "required", "_jobId absent");
    };
    match state
        .exports
        .poll(&id, profile, state.export_delay, &state.base_url)
    {
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Export {id} inconnu"),
        ),
        Some(Err(progress)) => {
            let mut resp = StatusCode::ACCEPTED.into_response();
            let headers = resp.headers_mut();
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(progress.retry_after_secs),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("en cours ({} %)", progress.percent)) {
                headers.insert("x-progress", v);
            }
            let facts = ExportFacts::Poll {
                job: id,
                ready: false,
                retry_after_secs: Some(progress.retry_after_secs),
                files: Vec::new(),
            };
            with_facts(
                resp,
                ResponseFacts {
                    export: Some(facts),
                    ..ResponseFacts::default()
                },
            )
        }
        Some(Ok(manifest)) => {
            let files = manifest["output"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["type"].as_str().map(str::to_owned))
                .collect();
            let resp = (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                manifest.to_string(),
            )
                .into_response();
            let facts = ExportFacts::Poll {
                job: id,
                ready: true,
                retry_after_secs: None,
                files,
            };
            with_facts(
                resp,
                ResponseFacts {
                    export: Some(facts),
                    ..ResponseFacts::default()
                },
            )
        }
    }
}

/// `$export-get-file`: one output file of a finished job.
async fn export_file(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    Granted(profile): Granted,
) -> Response {
    let params: HashMap<String, String> = query_pairs(raw.as_deref()).into_iter().collect();
    let (Some(id), Some(file)) = (params.get("_jobId"), params.get("file")) else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "required",
            "_jobId et file sont requis",
        );
    };
    match state
        .exports
        .file(&state.store(), id, file, profile, state.export_delay)
    {
        Some((format, body)) => {
            let resp = (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                )],
                body,
            )
                .into_response();
            let items = if state.record_served {
                state.exports.items(id, file)
            } else {
                Vec::new()
            };
            let store = state.store();
            let facts = ResponseFacts {
                export: Some(ExportFacts::File {
                    job: id.clone(),
                    file: file.clone(),
                }),
                resources: served_keys(&state, &store, items.iter()),
                ..ResponseFacts::default()
            };
            with_facts(resp, facts)
        }
        None => outcome(
            StatusCode::NOT_FOUND,
            "not-found",
            &format!("Fichier {file} de l'export {id} inconnu ou pas encore prêt"),
        ),
    }
}

/// The bearer token of a call as the log keeps it: its `jti`, never the token.
fn token_seen(issuer: &Issuer, token: &str) -> TokenSeen {
    match issuer.verify(token, true, true) {
        Ok(claims) => TokenSeen {
            // The issuer's own rule: a token is expired from its `exp` second on.
            state: if claims.exp <= chrono::Utc::now().timestamp() {
                TokenState::Expired
            } else {
                TokenState::Valid
            },
            jti: Some(claims.jti),
            client_id: Some(claims.client_id),
            expires_at: Some(claims.exp),
        },
        Err(_) => TokenSeen {
            jti: None,
            client_id: None,
            expires_at: None,
            state: TokenState::Invalid,
        },
    }
}

/// Records every request and the status answered (bodies up to 64 KiB are logged).
async fn log_layer(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let redactor = state.log.redactor();
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| token_seen(&state.issuer, t.trim()));
    let client_id = token
        .as_ref()
        .filter(|t| t.state == TokenState::Valid)
        .and_then(|t| t.client_id.clone());
    let mut entry = LoggedRequest {
        seq: 0,
        at: super::log::now(),
        elapsed_ms: state.log.elapsed_ms(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(|q| redactor.text(q)),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes());
                (k.as_str().to_owned(), redactor.header(k.as_str(), &value))
            })
            .collect(),
        body: (!bytes.is_empty()).then(|| redactor.text(&String::from_utf8_lossy(&bytes))),
        client_id,
        client_cert: parts
            .extensions
            .get::<Peer>()
            .and_then(|p| p.subject.clone()),
        token,
        status: 0,
        response_bytes: 0,
        response_headers: Vec::new(),
        response_excerpt: None,
        facts: ResponseFacts::default(),
    };
    let response = next
        .run(axum::extract::Request::from_parts(
            parts,
            axum::body::Body::from(bytes),
        ))
        .await;
    entry.status = response.status().as_u16();
    if let Some(facts) = response.extensions().get::<ResponseFacts>() {
        entry.facts = facts.clone();
        // Refusal messages may quote what the client sent.
        if let Some(refusal) = &mut entry.facts.refusal {
            refusal.message = redactor.text(&refusal.message);
        }
    }
    let (parts, body) = response.into_parts();
    let size = axum::body::HttpBody::size_hint(&body).exact();
    entry.response_bytes = size.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    // Observer mode keeps the answer as evidence: headers, and the start of bodies small
    // enough to hold (export files stream past untouched).
    let body = if state.record_served {
        entry.response_headers = parts
            .headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes());
                (k.as_str().to_owned(), redactor.header(k.as_str(), &value))
            })
            .collect();
        match size {
            Some(n) if n <= RESPONSE_BUFFER_LIMIT as u64 => {
                let bytes = axum::body::to_bytes(body, RESPONSE_BUFFER_LIMIT)
                    .await
                    .unwrap_or_default();
                let head = &bytes[..bytes.len().min(RESPONSE_EXCERPT)];
                entry.response_excerpt =
                    (!head.is_empty()).then(|| redactor.text(&String::from_utf8_lossy(head)));
                axum::body::Body::from(bytes)
            }
            _ => body,
        }
    } else {
        body
    };
    state.log.push(entry);
    Response::from_parts(parts, body)
}

/// Bodies up to this size are buffered to keep their start in the log (observer mode).
const RESPONSE_BUFFER_LIMIT: usize = 1024 * 1024;
/// How much of a response body the log keeps.
const RESPONSE_EXCERPT: usize = 2048;

/// TRE code systems and the JDV value sets that bind them, for `nos-value-set-systems`.
const VALUE_SET_SWAPS: &[(&str, &str)] = &[
    (
        "NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle",
        "NOS/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR",
    ),
    (
        "NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge",
        "NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR",
    ),
    (
        "NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite",
        "NOS/JDV_J20-ChampActivite-ROR/FHIR/JDV-J20-ChampActivite-ROR",
    ),
];

async fn with_value_set_systems(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "corps illisible",
        );
    };
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for (tre, jdv) in VALUE_SET_SWAPS {
        text = text.replace(tre, jdv);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(text))
}

/// Faults that concern every FHIR response, whatever the interaction.
async fn fault_layer(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if state.faults.has(Fault::ServerError) {
        return outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "Erreur interne simulée",
        );
    }
    if state.faults.has(Fault::Slow) {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    let mut response = next.run(request).await;
    if state.faults.has(Fault::BareErrors)
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        let status = response.status();
        return (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
            "",
        )
            .into_response();
    }
    if state.faults.has(Fault::NosValueSetSystems) {
        response = with_value_set_systems(response).await;
    }
    if state.faults.has(Fault::WrongContentType) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

/// The router, with the FHIR API under `base_path` (e.g. `/ws-diffusion-fhir`).
pub fn router(state: Shared, base_path: &str) -> Router {
    let base = base_path.trim_end_matches('/');
    let fhir = Router::new()
        .route(&format!("{base}/metadata"), get(metadata))
        .route(&format!("{base}/$export"), get(export_kickoff))
        .route(&format!("{base}/$export-poll-status"), get(export_poll))
        .route(&format!("{base}/$export-get-file"), get(export_file))
        .route(&format!("{base}/{{resource_type}}"), get(search_get))
        .route(
            &format!("{base}/{{resource_type}}/_search"),
            post(search_post),
        )
        .route(&format!("{base}/{{resource_type}}/{{id}}"), get(read))
        .route(if base.is_empty() { "/" } else { base }, get(base_get))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            fault_layer,
        ));
    Router::new()
        .merge(fhir)
        .route(TOKEN_PATH, post(token))
        .route(STORY_PATH, get(story_days))
        .route(&format!("{STORY_PATH}/next-day"), post(story_next_day))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_layer,
        ))
        .with_state(state)
}
