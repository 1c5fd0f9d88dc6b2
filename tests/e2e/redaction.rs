//! The redaction scan: known secrets of every kind are planted (client secret with
//! characters that change when encoded, access tokens, a private key, a `.p12` password),
//! scenarios that pass and fail are run, `doctor` is run, and every byte rorcheck wrote —
//! console, JUnit, HTML, JSON — is searched for them.

use std::path::Path;

use crate::common::{
    PASSWORD, config, doctor_args, mtls_mock, mtls_target, rorcheck, run_args, text,
};
use rorcheck::mock::{MockOptions, MockServer};

/// Characters that form encoding (`+`, `%2F`) and JSON (`\"`) change.
const SECRET: &str = "Plante-S3cr3t /+=\"x";
const SECRET_VAR: &str = "ROR_TEST_CLIENT_SECRET";

/// Everything under `dir` (reports) and the console output.
fn written(dir: &Path, console: &str) -> Vec<(String, String)> {
    let mut out = vec![("console".to_owned(), console.to_owned())];
    for entry in std::fs::read_dir(dir).expect("report dir") {
        let path = entry.expect("entry").path();
        let body = std::fs::read_to_string(&path).expect("utf-8 report");
        out.push((path.display().to_string(), body));
    }
    out
}

/// Forms a planted value may take in an output.
fn forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).expect("json");
    let lower_escapes = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            out.push_str(&rest[at..at + 3].to_ascii_lowercase());
            rest = &rest[at + 3..];
        }
        out + rest
    };
    vec![
        secret.to_owned(),
        form.clone(),
        form.replace('+', "%20"),
        lower_escapes(&form),
        json.trim_matches('"').to_owned(),
        secret.replace('"', "&quot;"),
        secret.replace('"', "&#34;"),
        base64::engine::general_purpose::STANDARD.encode(secret),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
        // The tail of a secret is enough to leak it.
        secret.chars().skip(6).collect(),
    ]
}

fn assert_clean(outputs: &[(String, String)], planted: &[(&str, String)]) {
    let bearer = regex::Regex::new(r"Bearer [A-Za-z0-9._~+/-]{8,}").expect("regex");
    for (name, body) in outputs {
        for (kind, value) in planted {
            for form in forms(value) {
                assert!(!body.contains(&form), "{kind} found in {name} as `{form}`");
            }
        }
        // Any JWT (every access token the mock issues is one) and any bearer value.
        assert!(!body.contains("eyJ"), "a JWT in {name}");
        assert!(!bearer.is_match(body), "a bearer value in {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_planted_secret_reaches_any_output() {
    // A client with the planted secret, over plain HTTP.
    let dir = tempfile::tempdir().expect("tempdir");
    let clients = dir.path().join("clients.toml");
    std::fs::write(
        &clients,
        format!(
            "[[client]]\nclient_id = \"editeur-p0\"\naccess_profile = 0\nsecret = {}\n",
            toml::Value::String(SECRET.into())
        ),
    )
    .expect("clients");
    let mock = MockServer::start(MockOptions {
        clients_file: Some(clients),
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let cfg = config(
        dir.path(),
        "editeur",
        &format!(
            "base_url = \"{}\"\ntoken_url = \"{}\"\naccess_profile = 0\n\
             auth = {{ kind = \"client_credentials\", client_id = \"editeur-p0\", secret = {{ env = \"{SECRET_VAR}\" }} }}",
            mock.base_url, mock.token_url
        ),
    );
    let reports = dir.path().join("r");
    let env = vec![(SECRET_VAR, SECRET.to_owned())];
    let out = rorcheck(
        run_args(
            &cfg,
            "editeur",
            &reports,
            &[
                "tests/data/leaks",
                "scenarios/auth/AUTH-001.yaml",
                "scenarios/auth/AUTH-002.yaml",
            ],
        ),
        env.clone(),
    )
    .await;
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "LEAK-001/002 fail: {console}");
    let json = std::fs::read_to_string(reports.join("report.json")).expect("json");
    let report: serde_json::Value = serde_json::from_str(&json).expect("valid json");
    let status = |id: &str| {
        report["scenarios"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["id"] == id))
            .map(|s| s["status"].clone())
    };
    for (id, expected) in [
        ("AUTH-001", "passed"),
        ("LEAK-003", "passed"),
        ("LEAK-001", "failed"),
        ("LEAK-002", "failed"),
    ] {
        assert_eq!(status(id), Some(serde_json::json!(expected)), "{id}");
    }
    let doctor = rorcheck(doctor_args(&cfg, "editeur"), env).await;
    assert_eq!(doctor.status.code(), Some(0), "{}", text(&doctor));
    let mut outputs = written(&reports, &console);
    outputs.push(("doctor".into(), text(&doctor)));
    assert_clean(&outputs, &[("client secret", SECRET.to_owned())]);
    // The scan is not vacuous: the masked evidence is there.
    assert!(json.contains("«masqué»"));
    assert!(
        json.contains("client_secret"),
        "the form field name stays visible"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_or_certificate_password_reaches_any_output() {
    let (mock, dir) = mtls_mock().await;
    let d = dir.path().display();
    let key_pem =
        std::fs::read_to_string(dir.path().join("rorcheck-demo-p1.key.pem")).expect("key");
    // A line from the middle of the key's base64: enough to identify it.
    let key_line = key_pem
        .lines()
        .find(|l| l.len() > 40 && !l.starts_with("-----"))
        .expect("key body")
        .to_owned();
    for (name, tls) in [
        (
            "pem",
            format!(
                "{{ ca = \"{d}/ca.pem\", ca_only = true, cert = \"{d}/rorcheck-demo-p1.pem\", key = \"{d}/rorcheck-demo-p1.key.pem\" }}"
            ),
        ),
        (
            "p12",
            format!(
                "{{ ca = \"{d}/ca.pem\", ca_only = true, p12 = \"{d}/client.p12\", password = {{ env = \"ROR_TEST_P12_PASSWORD\" }} }}"
            ),
        ),
    ] {
        let cfg = config(dir.path(), name, &mtls_target(&mock, &tls));
        let reports = dir.path().join(format!("r-{name}"));
        let env = vec![("ROR_TEST_P12_PASSWORD", PASSWORD.to_owned())];
        let out = rorcheck(
            run_args(
                &cfg,
                name,
                &reports,
                &[
                    "tests/data/leaks/LEAK-003.yaml",
                    "scenarios/auth/AUTH-005.yaml",
                    "scenarios/auth/AUTH-006.yaml",
                    "scenarios/recherche/RCH-010.yaml",
                ],
            ),
            env.clone(),
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let doctor = rorcheck(doctor_args(&cfg, name), env).await;
        assert_eq!(doctor.status.code(), Some(0), "{}", text(&doctor));
        let mut outputs = written(&reports, &text(&out));
        outputs.push(("doctor".into(), text(&doctor)));
        assert_clean(
            &outputs,
            &[
                ("private key", key_line.clone()),
                ("p12 password", PASSWORD.to_owned()),
            ],
        );
        assert!(
            outputs.iter().all(|(_, b)| !b.contains("PRIVATE KEY")),
            "no key block at all"
        );
    }
}
