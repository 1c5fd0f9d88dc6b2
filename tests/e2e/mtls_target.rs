//! End-to-end: the real binary against the mock in mutual-TLS mode, configured as a vendor
//! would configure the sandbox: the CA bundle, a client certificate as PEM or as a `.p12`
//! (modern or legacy encryption), and OAuth2 client_credentials authenticated by the
//! certificate (RFC 8705).

use std::path::Path;

use crate::common::{PASSWORD, WRONG_PASSWORD, config, mtls_mock, mtls_target, rorcheck, text};
use rorcheck::mock::TlsMode;
use rorcheck::mock::pki::Authority;

const TARGET: &str = "bac-a-sable-simule";

fn run_args(config: &Path, reports: &Path, scenarios: &[&str]) -> Vec<String> {
    crate::common::run_args(config, TARGET, reports, scenarios)
}

const DATA_SCENARIOS: [&str; 4] = [
    "scenarios/mise-a-jour",
    "scenarios/recherche",
    "scenarios/extraction/EXT-003.yaml",
    "scenarios/auth/AUTH-006.yaml",
];

fn passwords() -> Vec<(&'static str, String)> {
    vec![
        ("ROR_TEST_P12_PASSWORD", PASSWORD.to_owned()),
        ("ROR_TEST_WRONG", WRONG_PASSWORD.to_owned()),
    ]
}

/// The `tls` table of a target presenting the demo client `name`'s certificate, trusting
/// the test CA alone.
fn demo_tls(dir: &Path, name: &str) -> String {
    let d = dir.display();
    format!(
        "{{ ca = \"{d}/ca.pem\", ca_only = true, cert = \"{d}/{name}.pem\", key = \"{d}/{name}.key.pem\" }}"
    )
}

/// Runs one scenario file on `mock` as the profile-1 demo client; reports under `dir/r`.
async fn run_as_demo_p1(
    mock: &rorcheck::mock::MockServer,
    dir: &Path,
    scenario: &str,
) -> std::process::Output {
    let tls = demo_tls(dir, "rorcheck-demo-p1");
    let cfg = config(dir, TARGET, &mtls_target(mock, &tls));
    rorcheck(run_args(&cfg, &dir.join("r"), &[scenario]), vec![]).await
}

fn report(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("report written")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pem_or_p12_identity_gets_a_bound_token_and_passes_the_scenarios() {
    let (mock, dir) = mtls_mock().await;
    let d = dir.path().display();

    let pem_tls = format!(
        "{{ ca = \"{d}/ca.pem\", ca_only = true, cert = \"{d}/rorcheck-demo-p1.pem\", key = \"{d}/rorcheck-demo-p1.key.pem\" }}"
    );
    let cfg = config(dir.path(), TARGET, &mtls_target(&mock, &pem_tls));
    let out = rorcheck(
        run_args(&cfg, &dir.path().join("r1"), &DATA_SCENARIOS),
        passwords(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let html = report(dir.path(), "r1/report.html");
    assert!(
        html.contains("par certificat (mTLS)"),
        "the report says how the run authenticated"
    );
    assert!(
        html.contains("rorcheck-demo-p1 (SHA-256 "),
        "the certificate subject and fingerprint are shown"
    );
    assert!(html.contains("rorc…-p1"), "the client id is partly masked");

    // The .p12 as IGC-Santé delivers it, modern (AES) and legacy (3DES) encryption.
    for (p12, reports) in [("client.p12", "r2"), ("legacy.p12", "r3")] {
        let p12_tls = format!(
            "{{ ca = \"{d}/ca.pem\", ca_only = true, p12 = \"{d}/{p12}\", password = {{ env = \"ROR_TEST_P12_PASSWORD\" }} }}"
        );
        let cfg = config(dir.path(), TARGET, &mtls_target(&mock, &p12_tls));
        let out = rorcheck(
            run_args(&cfg, &dir.path().join(reports), &DATA_SCENARIOS),
            passwords(),
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{p12}: {}", text(&out));
    }

    // One token per run for the harness, one more for AUTH-006's own request; none shown.
    let tokens = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/token"))
        .count();
    assert_eq!(tokens, 6, "two token requests per run");
    for name in [
        "r1/report.json",
        "r2/report.json",
        "r1/report.html",
        "r3/junit.xml",
    ] {
        let text = report(dir.path(), name);
        assert!(!text.contains("eyJ"), "no JWT in {name}");
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
    let cfg = config(dir.path(), TARGET, &mtls_target(&mock, &wrong));
    let out = rorcheck(
        run_args(&cfg, &dir.path().join("r"), &DATA_SCENARIOS),
        passwords(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("wrong password"), "{stderr}");
    assert!(
        !stderr.contains(WRONG_PASSWORD),
        "the password is never shown"
    );

    // Without the test CA the server is not trusted: every scenario errors, with the reason.
    let no_ca = format!(
        "{{ cert = \"{d}/rorcheck-demo-p1.pem\", key = \"{d}/rorcheck-demo-p1.key.pem\" }}"
    );
    let cfg = config(dir.path(), TARGET, &mtls_target(&mock, &no_ca));
    let out = rorcheck(
        run_args(&cfg, &dir.path().join("r3"), &DATA_SCENARIOS),
        passwords(),
    )
    .await;
    // Nothing could be evaluated: incomplete, not non-conformant.
    assert_eq!(out.status.code(), Some(3));
    let json = report(dir.path(), "r3/report.json");
    assert!(
        json.contains("UnknownIssuer"),
        "the reason names the untrusted issuer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_the_server_refuses_error_the_run_as_tls_refusals() {
    let (mock, dir) = mtls_mock().await;
    let pki = mock.pki.clone().expect("pki");
    let foreign = Authority::new("autre AC")
        .expect("ca")
        .client("rorcheck-demo-p1", 365)
        .expect("cert");
    crate::common::write_pem(&foreign, dir.path(), "foreign");
    let expired = pki.ca.client("rorcheck-demo-p1", -1).expect("expired");
    crate::common::write_pem(&expired, dir.path(), "expired");
    for name in ["foreign", "expired"] {
        let tls = demo_tls(dir.path(), name);
        let cfg = config(dir.path(), TARGET, &mtls_target(&mock, &tls));
        let out = rorcheck(
            run_args(
                &cfg,
                &dir.path().join(name),
                &["scenarios/recherche/RCH-010.yaml"],
            ),
            passwords(),
        )
        .await;
        assert_eq!(out.status.code(), Some(3), "{name}: {}", text(&out));
        let json = report(dir.path(), &format!("{name}/report.json"));
        assert!(
            json.contains("poignée de main TLS refusée"),
            "{name}: the handshake refusal is named as such: {json}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tls_refusal_scenario_fails_on_a_server_that_does_not_require_certificates() {
    // Mutation: the same server without mutual TLS accepts a connection with no
    // certificate, and AUTH-005 must say so.
    let (mock, dir) = crate::common::tls_mock(TlsMode::Tls).await;
    let tls = demo_tls(dir.path(), "rorcheck-demo-p1");
    let body = format!(
        "base_url = \"{}\"\naccess_profile = 1\nauth = {{ kind = \"bearer\", env = \"ROR_TEST_TOKEN\" }}\ntls = {tls}",
        mock.base_url
    );
    let cfg = config(dir.path(), TARGET, &body);
    let out = rorcheck(
        run_args(
            &cfg,
            &dir.path().join("r"),
            &["scenarios/auth/AUTH-005.yaml"],
        ),
        vec![("ROR_TEST_TOKEN", mock.demo_token())],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json = report(dir.path(), "r/report.json");
    assert!(json.contains("connexion TLS acceptée"), "{json}");

    // And it passes where the server does require them.
    let (mock, dir) = mtls_mock().await;
    let out = run_as_demo_p1(&mock, dir.path(), "scenarios/auth/AUTH-005.yaml").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_in_sandbox_runs_from_environment_variables_and_a_two_line_override() {
    // A vendor's set-up: the sandbox by its built-in name, the .p12 and its password in
    // ROR_* variables; the two URLs point to the simulated sandbox on loopback.
    let (mock, dir) = mtls_mock().await;
    let cfg = dir.path().join("rorcheck.toml");
    std::fs::write(
        &cfg,
        format!(
            "[targets.bac-a-sable]\nbase_url = \"{}\"\ntoken_url = \"{}\"\n",
            mock.base_url, mock.token_url
        ),
    )
    .expect("config");
    let d = dir.path().display().to_string();
    let env = vec![
        ("ROR_CLIENT_ID", "rorcheck-demo-p1".to_owned()),
        ("ROR_CERT_P12", format!("{d}/client.p12")),
        ("ROR_CERT_PASSWORD", PASSWORD.to_owned()),
        ("ROR_CA_BUNDLE", format!("{d}/ca.pem")),
        ("ROR_ACCESS_PROFILE", "1".to_owned()),
    ];
    let out = rorcheck(crate::common::doctor_args(&cfg, "bac-a-sable"), env.clone()).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reports = dir.path().join("r");
    let out = rorcheck(
        crate::common::run_args(
            &cfg,
            "bac-a-sable",
            &reports,
            &["scenarios/recherche", "scenarios/auth"],
        ),
        env,
    )
    .await;
    // AUTH-004 and AUTH-007 (CRITIQUE) need an expired and a tampered token the sandbox
    // does not give: skipped, so the run is incomplete, not conformant.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let json = report(&reports, "report.json");
    assert!(json.contains("\"verdict\": \"incomplet\""), "{json}");
    assert!(json.contains("\"failed\": 0"), "nothing failed");
    assert!(json.contains("\"name\": \"bac-a-sable\""), "{json}");
    assert!(
        json.contains("\"rate_limit\": 10.0"),
        "the sandbox rate cap applies"
    );
    assert!(!json.contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_token_scenario_fails_on_an_incomplete_token_response() {
    // Mutation proof of AUTH-006: a token endpoint that omits token_type and expires_in.
    let (mock, dir) = crate::common::tls_mock_with(
        TlsMode::Mtls,
        rorcheck::mock::Faults::new([rorcheck::mock::Fault::TokenResponseIncomplete]),
    )
    .await;
    let out = run_as_demo_p1(&mock, dir.path(), "scenarios/auth/AUTH-006.yaml").await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json = report(dir.path(), "r/report.json");
    assert!(json.contains("token_type"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_built_in_mutual_tls_mock_runs_the_profile_1_to_5_scenarios() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("r");
    let out = rorcheck(
        vec![
            "run".into(),
            "--env".into(),
            "mock-mtls".into(),
            "--report-dir".into(),
            reports.display().to_string(),
            "scenarios/auth".into(),
            "scenarios/profils-acces".into(),
        ],
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value =
        serde_json::from_str(&report(dir.path(), "r/report.json")).expect("json");
    let status = |id: &str| {
        json["scenarios"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == id))
            .map(|s| s["status"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(status("AUTH-005").as_deref(), Some("passed"));
    assert_eq!(status("AUTH-006").as_deref(), Some("passed"));
    // Profile-0 scenarios are not for this client.
    assert_eq!(status("PROF-001").as_deref(), Some("not_applicable"));
    assert_eq!(json["target"]["access_profile"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_1_search_scenario_fails_when_its_criterion_is_ignored() {
    // RCH-027 is for profile 1 (capacities): the profile-0 fault run cannot prove it.
    for (fault, code) in [(None, 0), (Some("ignore-search-criteria"), 1)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let reports = dir.path().join("r");
        let mut args: Vec<String> = vec![
            "run".into(),
            "--env".into(),
            "mock-mtls".into(),
            "--id".into(),
            "RCH-027".into(),
            "--report-dir".into(),
            reports.display().to_string(),
        ];
        if let Some(f) = fault {
            args.extend(["--mock-fault".into(), f.into()]);
        }
        let out = rorcheck(args, vec![]).await;
        assert_eq!(out.status.code(), Some(code), "{fault:?}: {}", text(&out));
    }
}
