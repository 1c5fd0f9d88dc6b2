//! The embedded mock ROR over real sockets: search semantics, paging without loss,
//! includes, errors, the token endpoint and access-profile filtering.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use rorcheck::mock::{GenerateOptions, MockOptions, MockServer};
use serde_json::Value;

struct Api {
    mock: MockServer,
    http: reqwest::Client,
    token: String,
}

const ROR_HEADERS: [(&str, &str); 4] = [
    ("Ror-Profil-Utilisateur-Code", "CU22"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "AUTOMATE"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];

impl Api {
    async fn with(opts: MockOptions) -> Api {
        let mock = MockServer::start(opts).await.expect("mock starts");
        Api {
            token: mock.demo_token(),
            mock,
            http: reqwest::Client::new(),
        }
    }

    /// POSTs a form to the token endpoint.
    async fn token_request(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(&self.mock.token_url)
            .form(form)
            .send()
            .await
            .expect("token endpoint reached")
    }

    /// A client_credentials request of the profile-0 demo client.
    async fn demo_token_request(&self) -> reqwest::Response {
        let client = self.mock.demo_client().clone();
        self.token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id),
            ("client_secret", &client.secret),
        ])
        .await
    }

    async fn start(offers: usize) -> Api {
        let opts = MockOptions {
            dataset: GenerateOptions {
                offers,
                ..GenerateOptions::default()
            },
            ..MockOptions::default()
        };
        Api::with(opts).await
    }

    fn get(&self, url: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.get(url).bearer_auth(&self.token);
        for (k, v) in ROR_HEADERS {
            req = req.header(k, v);
        }
        req
    }

    async fn search(&self, path_and_query: &str) -> (StatusCode, Value) {
        let url = format!("{}{path_and_query}", self.mock.base_url);
        self.fetch(&url).await
    }

    async fn fetch(&self, url: &str) -> (StatusCode, Value) {
        let resp = self.get(url).send().await.expect("request sent");
        let status = resp.status();
        assert_eq!(
            resp.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/fhir+json;charset=utf-8")
        );
        (status, resp.json().await.expect("JSON body"))
    }
}

fn ids(bundle: &Value, mode: &str) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["search"]["mode"] == mode)
                .map(|e| {
                    format!(
                        "{}/{}",
                        e["resource"]["resourceType"].as_str().unwrap_or(""),
                        e["resource"]["id"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn next(bundle: &Value) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == "next")
        .and_then(|l| l["url"].as_str())
        .map(str::to_owned)
}

#[tokio::test]
async fn paging_follows_next_links_to_the_end_without_loss_or_duplicates() {
    let api = Api::start(450).await;
    let (status, all) = api.search("/HealthcareService?_count=200").await;
    assert_eq!(status, StatusCode::OK);
    let total = all["total"].as_u64().expect("total") as usize;
    assert!(total > 200, "enough offers to page: {total}");
    let mut seen = Vec::new();
    let mut page = all;
    let mut pages = 1;
    loop {
        let page_ids = ids(&page, "match");
        assert!(page_ids.len() <= 200);
        seen.extend(page_ids);
        match next(&page) {
            Some(url) => {
                pages += 1;
                page = api.fetch(&url).await.1;
            }
            None => break,
        }
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), total, "every match seen once");
    assert_eq!(unique.len(), total, "no duplicate across pages");
    assert_eq!(pages, total.div_ceil(200));
    // A _count above 200 is served at 200.
    let (_, big) = api.search("/HealthcareService?_count=1000").await;
    assert_eq!(ids(&big, "match").len(), 200);
}

#[tokio::test]
async fn synchronous_searches_stop_at_the_cap_while_total_counts_every_match() {
    let opts = MockOptions {
        dataset: GenerateOptions {
            offers: 120,
            ..GenerateOptions::default()
        },
        sync_cap: 50,
        ..MockOptions::default()
    };
    let api = Api::with(opts).await;
    let (_, first) = api.search("/HealthcareService?_count=20").await;
    let total = first["total"].as_u64().expect("total");
    assert!(total > 50, "total counts every match: {total}");
    let mut served = ids(&first, "match").len();
    let mut page = first;
    while let Some(url) = next(&page) {
        page = api.fetch(&url).await.1;
        served += ids(&page, "match").len();
    }
    assert_eq!(served, 50, "pages stop at the cap");
}

#[tokio::test]
async fn identifier_search_with_the_standard_include_set_closes_the_graph() {
    let api = Api::start(60).await;
    let (status, b) = api
        .search("/HealthcareService?identifier=11/0000010&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["type"], "searchset");
    assert_eq!(b["total"], 1);
    assert_eq!(ids(&b, "match"), vec!["HealthcareService/hs-10"]);
    let inc: BTreeSet<String> = ids(&b, "include").into_iter().collect();
    // hs-10 (ambulatory: its roles are visible to this profile-0 client) is provided by an
    // EG under an EJ: both are included, with its building, its role and the practitioner.
    for expected in [
        "Organization/eg-4",
        "Organization/ej-1",
        "Location/loc-5",
        "PractitionerRole/prr-7",
        "Practitioner/pr-7",
    ] {
        assert!(inc.contains(expected), "{expected} missing from {inc:?}");
    }
    // Without :iterate only the direct organisation comes.
    let (_, b) = api
        .search("/HealthcareService?identifier=11/0000001&_include=HealthcareService:organization")
        .await;
    assert_eq!(ids(&b, "include"), vec!["Organization/oi-3"]);
}

#[tokio::test]
async fn last_updated_filters_and_the_establishment_hierarchy_search_are_exact() {
    let api = Api::start(120).await;
    let (_, all) = api.search("/HealthcareService").await;
    let (_, recent) = api
        .search("/HealthcareService?_lastUpdated=ge2026-01-01T00:00:00Z")
        .await;
    let recent_ids = ids(&recent, "match");
    assert!(!recent_ids.is_empty() && recent_ids.len() < ids(&all, "match").len());
    for e in recent["entry"].as_array().expect("entries") {
        let lu = e["resource"]["meta"]["lastUpdated"]
            .as_str()
            .expect("lastUpdated");
        assert!(lu >= "2026-01-01", "{lu}");
    }
    let (_, older) = api
        .search("/HealthcareService?_lastUpdated=lt2026-01-01T00:00:00Z")
        .await;
    assert_eq!(
        ids(&older, "match").len() + recent_ids.len(),
        ids(&all, "match").len()
    );

    // organization.identifier:above with an EJ FINESS finds the offers of its EGs and OIs.
    let (_, ej) = api.search("/Organization?_id=ej-1").await;
    let finess = ej["entry"][0]["resource"]["identifier"][0]["value"]
        .as_str()
        .expect("finess")
        .to_owned();
    let (_, offers) = api.search(&format!("/HealthcareService?organization.identifier:above=https://finess.esante.gouv.fr|{finess}")).await;
    assert!(offers["total"].as_u64().expect("total") >= 6, "{offers}");
    let (_, none) = api
        .search("/HealthcareService?organization.identifier:above=000000000")
        .await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn errors_are_operation_outcomes_with_the_documented_statuses() {
    let api = Api::start(10).await;
    for (query, status, code) in [
        (
            "/HealthcareService?foo=bar",
            StatusCode::BAD_REQUEST,
            "not-supported",
        ),
        (
            "/HealthcareService?_lastUpdated=notadate",
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            "/HealthcareService?_count=abc",
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            "/HealthcareService?_include=HealthcareService:nope",
            StatusCode::BAD_REQUEST,
            "not-supported",
        ),
        ("/Patient", StatusCode::NOT_FOUND, "not-supported"),
        (
            "/HealthcareService/does-not-exist",
            StatusCode::NOT_FOUND,
            "not-found",
        ),
    ] {
        let (s, body) = api.search(query).await;
        assert_eq!(s, status, "{query}");
        assert_eq!(body["resourceType"], "OperationOutcome", "{query}");
        assert_eq!(body["issue"][0]["code"], code, "{query}");
    }
    // An empty result is not an error.
    let (s, body) = api.search("/HealthcareService?identifier=99/nothing").await;
    assert_eq!((s, body["total"].as_u64()), (StatusCode::OK, Some(0)));

    // No token: 401 with a Bearer challenge; a missing Ror header: 400.
    let resp = api
        .http
        .get(format!("{}/HealthcareService", api.mock.base_url))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Bearer")
    );
    let resp = api
        .http
        .get(format!("{}/HealthcareService", api.mock.base_url))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = api
        .http
        .get(format!("{}/HealthcareService", api.mock.base_url))
        .bearer_auth(api.mock.expired_demo_token());
    let resp = ROR_HEADERS
        .iter()
        .fold(resp, |r, (k, v)| r.header(*k, *v))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_token_endpoint_follows_rfc_6749() {
    let api = Api::start(5).await;
    let client = api.mock.demo_client().clone();
    let resp = api.demo_token_request().await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    let token = body["access_token"].as_str().expect("token").to_owned();
    let resp = api
        .http
        .get(format!("{}/HealthcareService", api.mock.base_url))
        .bearer_auth(&token);
    let resp = ROR_HEADERS
        .iter()
        .fold(resp, |r, (k, v)| r.header(*k, *v))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the issued token opens the FHIR API"
    );

    let resp = api
        .http
        .post(&api.mock.token_url)
        .basic_auth(&client.client_id, Some(&client.secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "HTTP Basic client authentication"
    );
    let resp = api
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id),
            ("client_secret", "wrong"),
        ])
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"],
        "invalid_client"
    );
    let resp = api.token_request(&[("grant_type", "password")]).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"],
        "unsupported_grant_type"
    );
}

#[tokio::test]
async fn profile_0_never_receives_restricted_telecoms_or_sensitive_units() {
    let api = Api::start(60).await;
    let (_, offers) = api.search("/HealthcareService?_include=HealthcareService:organization&_include:iterate=Organization:partof").await;
    assert!(
        offers["total"].as_u64().expect("total") < 60,
        "sensitive units are hidden from profile 0"
    );
    for e in offers["entry"].as_array().expect("entries") {
        let r = &e["resource"];
        let exts = r["extension"].as_array().cloned().unwrap_or_default();
        assert!(!exts.iter().any(|x| {
            x["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("sensitive-unit"))
                && x["valueBoolean"] == true
        }));
    }
    // Telecoms profile 0 receives are all of confidentiality 1 (public).
    let levels: Vec<&str> = offers["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e["resource"]["telecom"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|t| {
            t["extension"][1]["valueCodeableConcept"]["coding"][0]["code"]
                .as_str()
                .map(str::to_owned)
        })
        .map(|s| if s == "1" { "1" } else { "other" })
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == "1"),
        "{levels:?}"
    );
    // A sensitive unit read by id does not exist for profile 0.
    let (status, _) = api.search("/HealthcareService/hs-8").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_request_log_records_what_clients_sent_with_secrets_masked() {
    let api = Api::start(5).await;
    let client = api.mock.demo_client().clone();
    let resp = api.demo_token_request().await;
    let token = resp.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, _) = api.search("/HealthcareService?_count=2").await;
    assert_eq!(status, StatusCode::OK);

    let log = api.mock.requests();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].method.as_str(), log[0].status), ("POST", 200));
    let body = log[0].body.as_deref().expect("form body logged");
    assert!(
        body.contains("grant_type=client_credentials") && !body.contains(&client.secret),
        "{body}"
    );
    assert_eq!(log[1].path, "/ws-diffusion-fhir/HealthcareService");
    assert_eq!(log[1].query.as_deref(), Some("_count=2"));
    assert_eq!(log[1].client_id.as_deref(), Some(client.client_id.as_str()));
    assert!(
        log[1]
            .headers
            .iter()
            .any(|(k, v)| k == "ror-role-metier-code" && v == "AUTOMATE")
    );
    let all = serde_json::to_string(&log).expect("serialisable");
    assert!(!all.contains(&token) && !all.contains(&api.token) && !all.contains(&client.secret));
}

#[tokio::test]
async fn export_rejects_bad_requests_and_serves_files_only_when_ready() {
    let api = Api::start(20).await;
    let (s, body) = api.search("/$export?_outputFormat=text/csv").await;
    assert_eq!(
        (s, body["issue"][0]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid"))
    );
    let (s, _) = api.search("/$export?_type=Patient").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = api.search("/$export-poll-status?_jobId=nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let resp = api
        .get(&format!(
            "{}/$export?_outputFormat=application/fhir%2Bndjson",
            api.mock.base_url
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let poll = resp.headers()["content-location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let file = poll.replace("$export-poll-status", "$export-get-file") + "&file=HealthcareService";
    let early = api.get(&file).send().await.expect("sent");
    assert_eq!(
        early.status(),
        StatusCode::NOT_FOUND,
        "no file before the job is done"
    );
    let running = api.get(&poll).send().await.expect("sent");
    assert_eq!(running.status(), StatusCode::ACCEPTED);
    assert!(
        running.headers().contains_key("retry-after")
            && running.headers().contains_key("x-progress")
    );
    // Without a token the poll is refused like any FHIR call.
    let anonymous = api.http.get(&poll).send().await.expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let done = api.get(&poll).send().await.expect("sent");
    assert_eq!(done.status(), StatusCode::OK);
    let ndjson = api.get(&file).send().await.expect("sent");
    assert_eq!(ndjson.headers()["content-type"], "application/fhir+ndjson");
    let text = ndjson.text().await.expect("text");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one resource a line"))
        .collect();
    assert!(
        !lines.is_empty()
            && lines
                .iter()
                .all(|r| r["resourceType"] == "HealthcareService")
    );
}

#[tokio::test]
async fn the_mock_serves_a_dataset_directory() {
    let opts = MockOptions {
        dataset_dir: Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dataset"),
        ),
        ..MockOptions::default()
    };
    let api = Api::with(opts).await;
    let (status, b) = api.search("/HealthcareService?identifier=11/0000001").await;
    assert_eq!((status, b["total"].as_u64()), (StatusCode::OK, Some(1)));
    let missing = MockServer::start(MockOptions {
        dataset_dir: Some("does/not/exist".into()),
        ..MockOptions::default()
    })
    .await;
    assert!(missing.is_err_and(|e| e.to_string().contains("does/not/exist")));
}

#[tokio::test]
async fn flow_7_region_ids_with_elements_subsets_the_matches_only() {
    let api = Api::start(40).await;
    let (status, b) = api
        .search("/HealthcareService?_tag=https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM|11&_elements=identifier&_include=HealthcareService:organization")
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = b["entry"].as_array().expect("entries");
    let matches: Vec<&Value> = entries
        .iter()
        .filter(|e| e["search"]["mode"] == "match")
        .collect();
    assert!(!matches.is_empty());
    for m in &matches {
        let keys: BTreeSet<&str> = m["resource"]
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["resourceType", "id", "meta", "identifier"])
        );
        assert!(
            m["resource"]["meta"]["tag"]
                .as_array()
                .expect("tags")
                .iter()
                .any(|t| t["code"] == "SUBSETTED")
        );
        assert_eq!(m["resource"]["meta"]["tag"][0]["code"], "11");
    }
    let include = entries
        .iter()
        .find(|e| e["search"]["mode"] == "include")
        .expect("an include");
    assert!(
        include["resource"]["name"].is_string(),
        "included resources are whole"
    );
    let (status, _) = api
        .search("/HealthcareService?_elements=identifier.value")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_stopped_mock_listens_no_more_and_has_freed_its_data() {
    let mock = MockServer::start(MockOptions {
        dataset: GenerateOptions {
            offers: 30,
            ..GenerateOptions::default()
        },
        ..MockOptions::default()
    })
    .await
    .expect("mock starts");
    let addr = mock.addr;
    let data = std::sync::Arc::downgrade(&mock.store_snapshot());
    mock.stop().await;
    // No connection was open: nothing else held the data.
    assert!(data.upgrade().is_none(), "freed before stop returns");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens on {addr} once stopped"
    );
}
