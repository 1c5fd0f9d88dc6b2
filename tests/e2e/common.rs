//! Helpers shared by the end-to-end tests that run the binary against the mock over TLS.
#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::{Command, Output};

use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain,
};
use rorcheck::mock::pki::Identity;
use rorcheck::mock::{MockOptions, MockServer, TlsMode};

pub const PASSWORD: &str = "mot-de-passe-du-p12";
pub const WRONG_PASSWORD: &str = "pas-le-bon";

/// Writes `identity` and its CA as a `.p12` protected by [`PASSWORD`]; `legacy` uses the
/// 3DES encryption of older exports instead of AES.
pub fn write_p12(identity: &Identity, ca_der: &[u8], path: &Path, legacy: bool) {
    let key = PrivateKey::from_der(identity.key_der().secret_der()).expect("pkcs8 key");
    let certs = [identity.cert_der.as_ref(), ca_der]
        .into_iter()
        .map(|d| Certificate::from_der(d).expect("certificate"));
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new("client", key, certs)),
    );
    let mut writer = store.writer(PASSWORD);
    if legacy {
        writer = writer.encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc);
    }
    std::fs::write(path, writer.write().expect("p12 written")).expect("write");
}

/// Writes a PEM certificate and key pair named `name` into `dir`.
pub fn write_pem(identity: &Identity, dir: &Path, name: &str) {
    std::fs::write(dir.join(format!("{name}.pem")), &identity.cert_pem).expect("cert");
    std::fs::write(dir.join(format!("{name}.key.pem")), &identity.key_pem).expect("key");
}

/// The binary, speaking French whatever the developer's locale (`LANG=en_US.UTF-8` would
/// otherwise switch it to English): the assertions below read French texts. A test of
/// another language passes `--lang` (which wins over the variable) or removes it.
pub fn rorcheck_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rorcheck"));
    cmd.env("RORCHECK_LANG", "fr");
    cmd
}

/// Runs the binary from the crate root with extra environment variables.
pub async fn rorcheck(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = crate::common::rorcheck_command();
        cmd.args(&args).current_dir(env!("CARGO_MANIFEST_DIR"));
        // A developer's own ROR_* settings must not leak into the tests.
        for (k, _) in std::env::vars() {
            if k.starts_with("ROR_") || k == "RORCHECK_CONFIG" {
                cmd.env_remove(k);
            }
        }
        cmd.envs(env).output().expect("rorcheck runs")
    })
    .await
    .expect("joined")
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A mock in `tls` mode, its certificates written to a temporary directory, with a modern
/// `.p12` (`client.p12`) and a legacy one (`legacy.p12`) of the profile-1 demo client.
pub async fn tls_mock(tls: TlsMode) -> (MockServer, tempfile::TempDir) {
    tls_mock_with(tls, rorcheck::mock::Faults::default()).await
}

/// [`tls_mock`] with faults injected.
pub async fn tls_mock_with(
    tls: TlsMode,
    faults: rorcheck::mock::Faults,
) -> (MockServer, tempfile::TempDir) {
    let mock = MockServer::start(MockOptions {
        tls,
        faults,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let pki = mock.pki.clone().expect("pki");
    let dir = tempfile::tempdir().expect("tempdir");
    pki.write(dir.path()).expect("certs written");
    let (_, _, p1) = pki.client(1).expect("p1");
    write_p12(
        p1,
        pki.ca.cert_der.as_ref(),
        &dir.path().join("client.p12"),
        false,
    );
    write_p12(
        p1,
        pki.ca.cert_der.as_ref(),
        &dir.path().join("legacy.p12"),
        true,
    );
    (mock, dir)
}

pub async fn mtls_mock() -> (MockServer, tempfile::TempDir) {
    tls_mock(TlsMode::Mtls).await
}

/// A config file declaring the target `name` on the mock with the given TOML lines.
pub fn config(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, format!("[targets.{name}]\n{body}\n")).expect("config written");
    path
}

/// The lines of an mTLS target on `mock` for the profile-1 demo client, with `tls`.
pub fn mtls_target(mock: &MockServer, tls: &str) -> String {
    format!(
        "base_url = \"{base}\"\naccess_profile = 1\n\
         auth = {{ kind = \"mtls\", token_url = \"{token}\", client_id = \"rorcheck-demo-p1\" }}\n\
         tls = {tls}",
        base = mock.base_url,
        token = mock.token_url,
    )
}

/// `--config CFG run --target TARGET --report-dir REPORTS PATHS...`
pub fn run_args(cfg: &Path, target: &str, reports: &Path, paths: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--config".to_owned(),
        cfg.display().to_string(),
        "run".into(),
        "--target".into(),
        target.into(),
        "--report-dir".into(),
        reports.display().to_string(),
    ];
    args.extend(paths.iter().map(|p| (*p).to_owned()));
    args
}

/// `--config CFG doctor --env ENV`
pub fn doctor_args(cfg: &Path, env: &str) -> Vec<String> {
    vec![
        "--config".to_owned(),
        cfg.display().to_string(),
        "doctor".into(),
        "--env".into(),
        env.into(),
    ]
}

/// The files of a zip archive by name.
pub fn unzip(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().expect("name").into_owned(), bytes)
        })
        .collect()
}
