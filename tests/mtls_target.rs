//! End-to-end: the real binary against the mock in mutual-TLS mode, configured as a vendor
//! would configure the sandbox: the CA bundle, a client certificate as PEM or as a `.p12`,
//! and OAuth2 client_credentials authenticated by the certificate (RFC 8705).

use std::path::Path;
use std::process::{Command, Output};

use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
use rorcheck::mock::pki::Identity;
use rorcheck::mock::{MockOptions, MockServer, TlsMode};

const PASSWORD: &str = "mot-de-passe-du-p12";
const WRONG_PASSWORD: &str = "pas-le-bon";

fn write_p12(identity: &Identity, ca_der: &[u8], path: &Path) {
    let key = PrivateKey::from_der(identity.key_der().secret_der()).expect("pkcs8 key");
    let certs = [identity.cert_der.as_ref(), ca_der]
        .into_iter()
        .map(|d| Certificate::from_der(d).expect("certificate"));
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new("client", key, certs)),
    );
    std::fs::write(path, store.writer(PASSWORD).write().expect("p12 written")).expect("write");
}

fn config(mock: &MockServer, dir: &Path, tls: &str) -> std::path::PathBuf {
    let path = dir.join("rorcheck.toml");
    let text = format!(
        "[targets.bac-a-sable-simule]\nbase_url = \"{base}\"\naccess_profile = 1\n\
         auth = {{ kind = \"mtls\", token_url = \"{token}\", client_id = \"rorcheck-demo-p1\" }}\n\
         tls = {tls}\n",
        base = mock.base_url,
        token = mock.token_url,
    );
    std::fs::write(&path, text).expect("config written");
    path
}

/// Runs the binary with the p12 password in `ROR_TEST_P12_PASSWORD` and a wrong one in
/// `ROR_TEST_WRONG`.
async fn rorcheck(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rorcheck"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("ROR_TEST_P12_PASSWORD", PASSWORD)
            .env("ROR_TEST_WRONG", WRONG_PASSWORD)
            .output()
            .expect("rorcheck runs")
    })
    .await
    .expect("joined")
}

/// A mock in mTLS mode, its certificates written to a temporary directory, and a `.p12` of
/// the profile-1 demo client there.
async fn mtls_mock() -> (MockServer, tempfile::TempDir) {
    let mock = MockServer::start(MockOptions {
        tls: TlsMode::Mtls,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let pki = mock.pki.clone().expect("pki");
    let dir = tempfile::tempdir().expect("tempdir");
    pki.write(dir.path()).expect("certs written");
    let (_, _, p1) = pki.client(1).expect("p1");
    write_p12(p1, pki.ca.cert_der.as_ref(), &dir.path().join("client.p12"));
    (mock, dir)
}

fn run_args(config: &Path, reports: &Path) -> Vec<String> {
    [
        "--config",
        config.to_str().expect("utf-8"),
        "run",
        "--target",
        "bac-a-sable-simule",
        "--report-dir",
        reports.to_str().expect("utf-8"),
        "scenarios/mise-a-jour",
        "scenarios/recherche",
        "scenarios/extraction/EXT-003.yaml",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pem_or_p12_identity_gets_a_bound_token_and_passes_the_scenarios() {
    let (mock, dir) = mtls_mock().await;
    let d = dir.path().display();

    let pem_tls = format!(
        "{{ ca = \"{d}/ca.pem\", ca_only = true, cert = \"{d}/rorcheck-demo-p1.pem\", key = \"{d}/rorcheck-demo-p1.key.pem\" }}"
    );
    let out = rorcheck(run_args(
        &config(&mock, dir.path(), &pem_tls),
        &dir.path().join("r1"),
    ))
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("r1/report.html")).expect("html");
    assert!(
        html.contains("par certificat (mTLS)"),
        "the report says how the run authenticated"
    );
    assert!(
        html.contains("rorcheck-demo-p1 (SHA-256 "),
        "the certificate subject and fingerprint are shown"
    );

    let p12_tls = format!(
        "{{ ca = \"{d}/ca.pem\", ca_only = true, p12 = \"{d}/client.p12\", password = {{ env = \"ROR_TEST_P12_PASSWORD\" }} }}"
    );
    let out = rorcheck(run_args(
        &config(&mock, dir.path(), &p12_tls),
        &dir.path().join("r2"),
    ))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every token issued was bound to the certificate and none appears in the reports.
    let tokens = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/token"))
        .count();
    assert_eq!(tokens, 2, "one token per run");
    for report in [
        "r1/report.json",
        "r2/report.json",
        "r1/report.html",
        "r2/junit.xml",
    ] {
        let text = std::fs::read_to_string(dir.path().join(report)).expect("report");
        assert!(!text.contains("eyJ"), "no JWT in {report}");
        assert!(!text.contains(PASSWORD));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_p12_password_or_an_untrusted_server_is_a_clear_error() {
    let (mock, dir) = mtls_mock().await;
    let d = dir.path().display();
    let wrong = format!(
        "{{ ca = \"{d}/ca.pem\", p12 = \"{d}/client.p12\", password = {{ env = \"ROR_TEST_WRONG\" }} }}"
    );
    let out = rorcheck(run_args(
        &config(&mock, dir.path(), &wrong),
        &dir.path().join("r"),
    ))
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("wrong password"), "{stderr}");
    assert!(
        !stderr.contains("pas-le-bon"),
        "the password is never shown"
    );

    // Without the test CA the server is not trusted: every scenario errors, with the reason.
    let no_ca = format!(
        "{{ cert = \"{d}/rorcheck-demo-p1.pem\", key = \"{d}/rorcheck-demo-p1.key.pem\" }}"
    );
    let out = rorcheck(run_args(
        &config(&mock, dir.path(), &no_ca),
        &dir.path().join("r3"),
    ))
    .await;
    assert_eq!(out.status.code(), Some(1));
    let report = std::fs::read_to_string(dir.path().join("r3/report.json")).expect("report");
    assert!(
        report.contains("UnknownIssuer"),
        "the reason names the untrusted issuer"
    );
}
