//! The mock over real TLS: server authentication with its test CA, and mutual TLS with
//! certificate-bound tokens (RFC 8705). Certificates are generated at test time.

use reqwest::StatusCode;
use rorcheck::mock::pki::{Authority, Identity};
use rorcheck::mock::{MockOptions, MockServer, TlsMode};
use serde_json::Value;

const ROR_HEADERS: [(&str, &str); 4] = [
    ("Ror-Profil-Utilisateur-Code", "CU22"),
    ("Ror-Profil-Utilisateur-System", "1.2.250.1.213.1.6.1.66"),
    ("Ror-Role-Metier-Code", "AUTOMATE"),
    ("Ror-Role-Metier-System", "1.2.250.1.213.1.1.4.6"),
];

async fn start(tls: TlsMode) -> MockServer {
    MockServer::start(MockOptions {
        tls,
        ..MockOptions::default()
    })
    .await
    .expect("mock starts")
}

fn client(mock: &MockServer, identity: Option<&Identity>) -> reqwest::Client {
    let pki = mock.pki.as_ref().expect("TLS mock has a PKI");
    let ca = reqwest::Certificate::from_pem(pki.ca.cert_pem.as_bytes()).expect("CA");
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
    if let Some(id) = identity {
        let pem = format!("{}{}", id.cert_pem, id.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"));
    }
    builder.build().expect("client")
}

/// The error and its causes on one line.
fn chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(" <- ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

async fn search(
    http: &reqwest::Client,
    mock: &MockServer,
    token: &str,
) -> Result<StatusCode, reqwest::Error> {
    let req = http
        .get(format!("{}/HealthcareService?_count=1", mock.base_url))
        .bearer_auth(token);
    let req = ROR_HEADERS.iter().fold(req, |r, (k, v)| r.header(*k, *v));
    req.send().await.map(|r| r.status())
}

async fn token_for(
    http: &reqwest::Client,
    mock: &MockServer,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let resp = http
        .post(&mock.token_url)
        .form(form)
        .send()
        .await
        .expect("token endpoint reached");
    let status = resp.status();
    (status, resp.json().await.expect("json"))
}

#[tokio::test]
async fn tls_with_the_test_ca_carries_the_secret_flow_and_an_unknown_ca_is_refused() {
    let mock = start(TlsMode::Tls).await;
    assert!(mock.base_url.starts_with("https://127.0.0.1:"));
    let http = client(&mock, None);
    let demo = mock.demo_client().clone();
    let (status, body) = token_for(
        &http,
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &demo.client_id),
            ("client_secret", &demo.secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(
        search(&http, &mock, token).await.expect("sent"),
        StatusCode::OK
    );

    // A client that does not trust the test CA refuses the server.
    let untrusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(
            Authority::new("autre").expect("ca").cert_pem.as_bytes(),
        )
        .expect("pem")])
        .build()
        .expect("client");
    let err = search(&untrusting, &mock, token)
        .await
        .expect_err("untrusted server");
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));
}

#[tokio::test]
async fn mtls_issues_certificate_bound_tokens_usable_only_with_the_same_certificate() {
    let mock = start(TlsMode::Mtls).await;
    let pki = mock.pki.clone().expect("pki");
    let (p1_id, _, p1) = pki.client(1).expect("profile 1 client");
    let (_, _, p2) = pki.client(2).expect("profile 2 client");
    let http1 = client(&mock, Some(p1));

    let (status, body) = token_for(
        &http1,
        &mock,
        &[("grant_type", "client_credentials"), ("client_id", p1_id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().expect("token").to_owned();
    let payload = token.split('.').nth(1).expect("JWT payload");
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("b64"),
    )
    .expect("claims");
    assert_eq!(claims["access_profile"], 1);
    assert_eq!(claims["cnf"]["x5t#S256"], p1.thumbprint());
    assert_eq!(
        search(&http1, &mock, &token).await.expect("sent"),
        StatusCode::OK
    );
    let logged = mock.requests();
    let last = logged.last().expect("logged");
    assert_eq!(
        last.client_cert.as_deref(),
        Some(p1_id.as_str()),
        "the certificate subject is logged"
    );
    assert!(
        !serde_json::to_string(&logged)
            .expect("json")
            .contains(&token)
    );

    // The same token over a connection with another certificate is refused.
    let http2 = client(&mock, Some(p2));
    assert_eq!(
        search(&http2, &mock, &token).await.expect("sent"),
        StatusCode::UNAUTHORIZED
    );
    // Another client's id with this certificate gets no token.
    let (status, body) = token_for(
        &http2,
        &mock,
        &[("grant_type", "client_credentials"), ("client_id", p1_id)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}

#[tokio::test]
async fn mtls_refuses_connections_without_a_valid_client_certificate() {
    let mock = start(TlsMode::Mtls).await;
    let pki = mock.pki.clone().expect("pki");
    let no_cert = client(&mock, None);
    let err = search(&no_cert, &mock, "x")
        .await
        .expect_err("handshake refused");
    assert!(
        chain(&err).to_lowercase().contains("certificate"),
        "{}",
        chain(&err)
    );

    let foreign = Authority::new("autre AC")
        .expect("ca")
        .client("intrus", 365)
        .expect("cert");
    let err = search(&client(&mock, Some(&foreign)), &mock, "x")
        .await
        .expect_err("foreign CA refused");
    assert!(!chain(&err).is_empty());

    let expired = pki.ca.client("perime", -1).expect("expired cert");
    let err = search(&client(&mock, Some(&expired)), &mock, "x")
        .await
        .expect_err("expired refused");
    assert!(!chain(&err).is_empty());
}

#[tokio::test]
async fn clients_from_a_file_authenticate_by_secret_or_by_certificate_subject() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("clients.toml");
    std::fs::write(
        &file,
        "[[client]]\nclient_id = \"editeur-p0\"\naccess_profile = 0\nsecret = \"secret-de-test-editeur\"\n\n\
         [[client]]\nclient_id = \"editeur-p4\"\naccess_profile = 4\ncert_subject = \"editeur-p4\"\n",
    )
    .expect("write");
    let mock = MockServer::start(MockOptions {
        tls: TlsMode::Mtls,
        clients_file: Some(file),
        ..MockOptions::default()
    })
    .await
    .expect("mock starts");
    let pki = mock.pki.clone().expect("pki");
    let identity = pki
        .client_by_id("editeur-p4")
        .expect("certificate issued for the subject");
    let http = client(&mock, Some(identity));
    let (status, body) = token_for(
        &http,
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "editeur-p4"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().expect("token").to_owned();
    // Profile 4 sees no contact at all.
    let req = http
        .get(format!("{}/Organization?_count=50", mock.base_url))
        .bearer_auth(&token);
    let bundle: Value = ROR_HEADERS
        .iter()
        .fold(req, |r, (k, v)| r.header(*k, *v))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(bundle["total"].as_u64().expect("total") > 0);
    assert!(
        !bundle.to_string().contains("\"telecom\":[{"),
        "profile 4 receives no telecom"
    );

    // The secret client of the file works over the same mTLS server (with any valid cert).
    let (status, _) = token_for(
        &http,
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "editeur-p0"),
            ("client_secret", "secret-de-test-editeur"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_embedded_target_trusts_its_mock_ca_alone() {
    // The embedded target's client trusts the mock's test CA and not the system's roots;
    // over plain HTTP it trusts nothing over TLS. Verification stays on in both.
    let tls_mock = start(TlsMode::Tls).await;
    let target = rorcheck_embedded::secret_target(&tls_mock).expect("target");
    let token = tls_mock.demo_token();
    let status = search(&target.http, &tls_mock, &token).await;
    assert_eq!(status.map_err(|e| chain(&e)).ok(), Some(StatusCode::OK));

    let plain_mock = start(TlsMode::Off).await;
    let plain = rorcheck_embedded::secret_target(&plain_mock).expect("target");
    let status = search(&plain.http, &plain_mock, &plain_mock.demo_token()).await;
    assert_eq!(status.map_err(|e| chain(&e)).ok(), Some(StatusCode::OK));
    // The plain target's client refuses the TLS mock's certificate: nothing is trusted.
    let refused = search(&plain.http, &tls_mock, &token)
        .await
        .expect_err("no CA");
    assert!(
        chain(&refused).to_lowercase().contains("certificate"),
        "{}",
        chain(&refused)
    );
}
