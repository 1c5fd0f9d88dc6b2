//! The embedded mock as a target.

use super::error::CliError;
use rorcheck_engine::config::{Target, TargetAuth};
use rorcheck_http::oauth::TokenSource;
use rorcheck_mock::MockServer;
use rorcheck_scenario::AccessProfile;

/// The embedded mock served over mutual TLS, for the scenarios of access profiles 1 to 5.
pub const MOCK_MTLS: &str = "mock-mtls";

/// The embedded mock over mutual TLS as a target: the profile-1 demo client presenting its
/// test certificate (written to `dir` with the test CA), tokens by certificate (RFC 8705).
pub fn mock_mtls_target(mock: &MockServer, dir: &std::path::Path) -> Result<Target, CliError> {
    let pki = mock
        .pki
        .as_ref()
        .ok_or_else(|| CliError::Runtime("the mutual-TLS mock has no test PKI".into()))?;
    pki.write(dir)
        .map_err(|e| CliError::Runtime(format!("cannot write the test certificates: {e}")))?;
    let path = |name: &str| toml::Value::String(dir.join(name).display().to_string()).to_string();
    let text = format!(
        "base_url = {base}\naccess_profile = 1\n\
         auth = {{ kind = \"mtls\", token_url = {token}, client_id = \"rorcheck-demo-p1\" }}\n\
         tls = {{ ca = {ca}, ca_only = true, cert = {cert}, key = {key} }}\n",
        base = toml::Value::String(mock.base_url.clone()),
        token = toml::Value::String(mock.token_url.clone()),
        ca = path("ca.pem"),
        cert = path("rorcheck-demo-p1.pem"),
        key = path("rorcheck-demo-p1.key.pem"),
    );
    let config: rorcheck_engine::config::TargetConfig =
        toml::from_str(&text).map_err(|e| CliError::Runtime(e.to_string()))?;
    let mut target = Target::from_config(
        "mock-mtls (ROR simulé intégré, TLS mutuel, profil 1)",
        &config,
    )?;
    target.limits = rorcheck_http::Limits::EMBEDDED;
    for (name, value) in [
        ("expired_token", mock.expired_demo_token()),
        ("tampered_token", mock.tampered_demo_token()),
    ] {
        target.variables.insert(name.into(), value);
        target.secret_variables.push(name.into());
    }
    Ok(target)
}

/// The embedded mock as a target: profile 0 demo client, its token, and the values the auth
/// scenarios need.
pub fn mock_target(mock: &MockServer) -> Result<Target, CliError> {
    let mut target = Target::new("mock (ROR simulé intégré)", &mock.base_url)?;
    // The harness authenticates to the mock as a real client would: client_credentials.
    let client = mock.demo_client();
    let token_url = url::Url::parse(&mock.token_url)?;
    target.auth = TargetAuth::ClientCredentials(std::sync::Arc::new(TokenSource::new(
        token_url,
        client.client_id.clone(),
        Some(client.secret.clone()),
        target.http.clone(),
    )));
    target.access_profile = AccessProfile::try_from(0).ok();
    target.limits = rorcheck_http::Limits::EMBEDDED;
    for (k, v) in [
        ("token_url", mock.token_url.clone()),
        ("client_id", client.client_id.clone()),
        ("client_secret", client.secret.clone()),
        ("expired_token", mock.expired_demo_token()),
        ("tampered_token", mock.tampered_demo_token()),
    ] {
        target.variables.insert(k.to_owned(), v);
    }
    target.secret_variables = vec![
        "client_secret".into(),
        "expired_token".into(),
        "tampered_token".into(),
    ];
    Ok(target)
}
