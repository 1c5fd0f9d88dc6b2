//! `rorcheck doctor` on good and broken set-ups, against the mock over real TLS. The
//! output is snapshot-tested with the variable parts (ports, fingerprints, dates, paths)
//! replaced.

use crate::common::{PASSWORD, mtls_mock, rorcheck, text};
use rorcheck::config::TargetConfig;
use rorcheck::doctor::{Diagnosis, Lang, Subject, diagnose};
use rorcheck::mock::pki::Authority;
use rorcheck::mock::{MockOptions, MockServer};

const SECRET_FILE_PASSWORD: &str = "password.txt";

/// The environment `[targets.x]` described by `body`, as `doctor` receives it.
fn subject(body: &str) -> Subject {
    let cfg: TargetConfig = toml::from_str(body).expect("valid target");
    Subject::Config {
        name: "bac-a-sable-simule".into(),
        config: Ok(cfg),
    }
}

fn mtls_body(mock: &MockServer, dir: &std::path::Path, tls: &str) -> String {
    std::fs::write(dir.join(SECRET_FILE_PASSWORD), PASSWORD).expect("password file");
    format!(
        "{}\n",
        crate::common::mtls_target(mock, tls).replace("[dir]", &dir.display().to_string())
    )
}

fn snapshot_text(d: &Diagnosis, dir: Option<&std::path::Path>) -> String {
    let mut out = d.render();
    if let Some(dir) = dir {
        out = out.replace(&dir.display().to_string(), "[dir]");
    }
    out
}

macro_rules! assert_doctor_snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
            (r"SHA-256 [0-9A-F:]{95}", "SHA-256 [empreinte]"),
            (r"\d{4}-\d{2}-\d{2}", "[date]"),
            (r"\(\d+ (jours|days)\)", "([n] $1)"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_mock_passes_every_check() {
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    let target = rorcheck_embedded::secret_target(&mock).expect("target");
    let d = diagnose(Subject::Prepared(target), Lang::Fr).await;
    assert!(d.passed(), "{}", d.render());
    assert_doctor_snapshot!("mock", snapshot_text(&d, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_p12_set_up_passes_and_a_wrong_password_is_named() {
    let (mock, dir) = mtls_mock().await;
    let good = mtls_body(
        &mock,
        dir.path(),
        "{ ca = \"[dir]/ca.pem\", ca_only = true, p12 = \"[dir]/client.p12\", password = { file = \"[dir]/password.txt\" } }",
    );
    let d = diagnose(subject(&good), Lang::Fr).await;
    assert!(d.passed(), "{}", d.render());
    assert_doctor_snapshot!("p12_good", snapshot_text(&d, Some(dir.path())));

    std::fs::write(dir.path().join("wrong.txt"), "pas-le-bon").expect("file");
    let wrong = good.replace("password.txt", "wrong.txt");
    let d = diagnose(subject(&wrong), Lang::Fr).await;
    assert!(!d.passed());
    let out = snapshot_text(&d, Some(dir.path()));
    assert!(!out.contains("pas-le-bon"), "the password is never shown");
    assert_doctor_snapshot!("p12_wrong_password", out);

    let d = diagnose(subject(&wrong), Lang::En).await;
    assert_doctor_snapshot!("p12_wrong_password_en", snapshot_text(&d, Some(dir.path())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_a_mismatched_or_a_foreign_certificate_is_explained() {
    let (mock, dir) = mtls_mock().await;
    let pki = mock.pki.clone().expect("pki");
    let expired = pki.ca.client("rorcheck-demo-p1", -1).expect("expired");
    crate::common::write_pem(&expired, dir.path(), "expired");
    let foreign = Authority::new("autre AC")
        .expect("ca")
        .client("rorcheck-demo-p1", 365)
        .expect("foreign");
    crate::common::write_pem(&foreign, dir.path(), "foreign");
    let pem = |cert: &str, key: &str| {
        format!(
            "{{ ca = \"[dir]/ca.pem\", ca_only = true, cert = \"[dir]/{cert}.pem\", key = \"[dir]/{key}.key.pem\" }}"
        )
    };
    for (name, tls) in [
        ("expired_certificate", pem("expired", "expired")),
        (
            "key_of_another_certificate",
            pem("rorcheck-demo-p1", "rorcheck-demo-p2"),
        ),
        ("certificate_from_another_ca", pem("foreign", "foreign")),
    ] {
        let d = diagnose(subject(&mtls_body(&mock, dir.path(), &tls)), Lang::Fr).await;
        assert!(!d.passed(), "{name}: {}", d.render());
        assert_doctor_snapshot!(name, snapshot_text(&d, Some(dir.path())));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_server_a_wrong_secret_and_a_missing_secret_are_explained() {
    let (mock, dir) = mtls_mock().await;
    let no_ca =
        "{ cert = \"[dir]/rorcheck-demo-p1.pem\", key = \"[dir]/rorcheck-demo-p1.key.pem\" }";
    let d = diagnose(subject(&mtls_body(&mock, dir.path(), no_ca)), Lang::Fr).await;
    assert!(!d.passed());
    assert_doctor_snapshot!("untrusted_server", snapshot_text(&d, Some(dir.path())));

    let plain = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    std::fs::write(dir.path().join("secret.txt"), "ce-secret-est-faux").expect("file");
    let wrong_secret = format!(
        "base_url = \"{}\"\ntoken_url = \"{}\"\naccess_profile = 0\n\
         auth = {{ kind = \"client_credentials\", client_id = \"rorcheck-demo-p0\", secret = {{ file = \"{}/secret.txt\" }} }}\n\
         ror_headers = {{ profil_utilisateur_code = \"CU22\", profil_utilisateur_system = \"profil-systeme\", role_metier_code = \"AUTOMATE\", role_metier_system = \"1.2.250.1.213.1.1.4.6\" }}\n",
        plain.base_url,
        plain.token_url,
        dir.path().display()
    );
    let d = diagnose(subject(&wrong_secret), Lang::Fr).await;
    let out = snapshot_text(&d, Some(dir.path()));
    assert!(
        !out.contains("ce-secret-est-faux"),
        "the secret is never shown"
    );
    assert_doctor_snapshot!("wrong_secret_and_header_system", out);

    let missing = wrong_secret.replace(
        &format!("{{ file = \"{}/secret.txt\" }}", dir.path().display()),
        "{ env = \"RORCHECK_TEST_UNSET_SECRET\" }",
    );
    let d = diagnose(subject(&missing), Lang::Fr).await;
    assert_doctor_snapshot!("missing_secret", snapshot_text(&d, Some(dir.path())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exits_0_only_when_every_check_passes() {
    let out = rorcheck(vec!["doctor".into()], vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A built-in environment without ROR_CLIENT_ID stops at the configuration check,
    // before any network access.
    let out = rorcheck(
        vec![
            "doctor".into(),
            "--env".into(),
            "production".into(),
            "--lang".into(),
            "en".into(),
        ],
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("export ROR_CLIENT_ID"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_without_a_token_is_told_how_to_give_one() {
    let mock = MockServer::start(MockOptions::default())
        .await
        .expect("mock");
    let out = rorcheck(
        vec!["doctor".into(), "--env".into(), mock.base_url.clone()],
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let console = text(&out);
    assert!(console.contains("aucun jeton envoyé"), "{console}");
    assert!(console.contains("ROR_ACCESS_TOKEN"), "{console}");
    assert!(
        !console.contains("expiré,"),
        "not a wrong diagnosis: {console}"
    );
}
