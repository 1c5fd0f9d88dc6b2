//! Targets: where scenarios are sent, with which headers and which credentials.
//!
//! A target comes from the config file (`rorcheck.toml`), from a bare URL given on the
//! command line, or is the embedded mock ROR. Secrets are never written in the file itself:
//! the file names the environment variable or the file that holds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::scenario::AccessProfile;

/// The four headers the ROR requires on every FHIR call, with the values the ROR programme
/// team gives the integrator together with its client id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RorHeaders {
    pub profil_utilisateur_code: String,
    pub profil_utilisateur_system: String,
    pub role_metier_code: String,
    pub role_metier_system: String,
}

impl RorHeaders {
    /// The example values of the ROR documentation (user profile CU22, role AUTOMATE), each
    /// overridable by an environment variable.
    pub fn documented_defaults() -> Self {
        let env =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        RorHeaders {
            profil_utilisateur_code: env("ROR_PROFIL_UTILISATEUR_CODE", "CU22"),
            profil_utilisateur_system: env(
                "ROR_PROFIL_UTILISATEUR_SYSTEM",
                "1.2.250.1.213.1.6.1.66",
            ),
            role_metier_code: env("ROR_ROLE_METIER_CODE", "AUTOMATE"),
            role_metier_system: env("ROR_ROLE_METIER_SYSTEM", "1.2.250.1.213.1.1.4.6"),
        }
    }

    pub fn as_pairs(&self) -> [(&'static str, &str); 4] {
        [
            ("Ror-Profil-Utilisateur-Code", &self.profil_utilisateur_code),
            (
                "Ror-Profil-Utilisateur-System",
                &self.profil_utilisateur_system,
            ),
            ("Ror-Role-Metier-Code", &self.role_metier_code),
            ("Ror-Role-Metier-System", &self.role_metier_system),
        ]
    }
}

/// Where a secret comes from. The value itself never sits in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// Environment variable holding the secret.
    pub env: Option<String>,
    /// File holding the secret (trailing newline ignored).
    pub file: Option<PathBuf>,
}

impl SecretSource {
    pub fn resolve(&self, what: &str) -> Result<String, ConfigError> {
        if let Some(var) = &self.env
            && let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return Ok(v);
        }
        if let Some(file) = &self.file {
            return std::fs::read_to_string(file)
                .map(|s| s.trim_end().to_owned())
                .map_err(|e| ConfigError::Secret {
                    what: what.to_owned(),
                    reason: format!("cannot read {}: {e}", file.display()),
                });
        }
        Err(ConfigError::Secret {
            what: what.to_owned(),
            reason: match &self.env {
                Some(var) => format!("environment variable {var} is not set"),
                None => "neither `env` nor `file` is given".to_owned(),
            },
        })
    }
}

/// How requests are authenticated by default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    None,
    /// A static bearer token (obtained elsewhere).
    Bearer {
        #[serde(flatten)]
        token: SecretSource,
    },
    /// OAuth2 client_credentials with a client secret (access profile 0).
    ClientCredentials {
        token_url: String,
        client_id: String,
        secret: SecretSource,
    },
    /// OAuth2 client_credentials authenticated by the client certificate (RFC 8705,
    /// profiles 1 to 5): needs `tls` with a certificate.
    Mtls {
        token_url: String,
        client_id: String,
    },
}

/// TLS material of a target.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM bundle of CAs to trust (the IGC-Santé chain; the test chain for the sandbox).
    pub ca: Option<PathBuf>,
    /// Trust only `ca`, not the system roots.
    #[serde(default)]
    pub ca_only: bool,
    /// Client certificate (PEM chain) and key (PEM)...
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// ...or the `.p12` delivered by IGC-Santé, with its password.
    pub p12: Option<PathBuf>,
    pub password: Option<SecretSource>,
}

impl TlsConfig {
    fn material(&self) -> Result<crate::http::identity::ClientTls, ConfigError> {
        use crate::http::identity::{ClientIdentity, ClientTls};
        let tls_err = |e: crate::http::identity::TlsMaterialError| ConfigError::Tls(e.to_string());
        let mut tls = ClientTls::default();
        if let Some(ca) = &self.ca {
            tls = tls.with_ca_file(ca, self.ca_only).map_err(tls_err)?;
        }
        tls.identity = match (&self.cert, &self.key, &self.p12) {
            (None, None, None) => None,
            (Some(cert), Some(key), None) => {
                Some(ClientIdentity::from_pem_files(cert, key).map_err(tls_err)?)
            }
            (None, None, Some(p12)) => {
                let password = match &self.password {
                    Some(source) => source.resolve("certificate password")?,
                    None => String::new(),
                };
                Some(ClientIdentity::from_pkcs12_file(p12, &password).map_err(tls_err)?)
            }
            _ => {
                return Err(ConfigError::Tls(
                    "give either `cert` and `key` (PEM) or `p12` (with `password`)".into(),
                ));
            }
        };
        Ok(tls)
    }
}

/// One target as written in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// FHIR base URL, e.g. `https://bas-api-fhir.qualif.ror.esante.gouv.fr/ws-diffusion-fhir`.
    pub base_url: String,
    #[serde(default = "no_auth")]
    pub auth: AuthConfig,
    pub ror_headers: Option<RorHeaders>,
    /// Other headers sent on every request (e.g. `Accept`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Values for scenario variables on this target (e.g. an offer id known to exist).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    pub access_profile: Option<AccessProfile>,
    pub timeout_secs: Option<u64>,
    pub tls: Option<TlsConfig>,
}

fn no_auth() -> AuthConfig {
    AuthConfig::None
}

/// The config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("invalid config file {path}: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("unknown target `{name}`; known targets: {known}")]
    UnknownTarget { name: String, known: String },
    #[error("invalid base URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot obtain the {what}: {reason}")]
    Secret { what: String, reason: String },
    #[error("TLS configuration: {0}")]
    Tls(String),
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// Default credentials of a target once secrets are resolved.
#[derive(Clone)]
pub enum TargetAuth {
    None,
    Bearer(String),
    /// Tokens obtained (and renewed) from the token endpoint.
    ClientCredentials(std::sync::Arc<crate::http::oauth::TokenSource>),
}

impl std::fmt::Debug for TargetAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetAuth::None => f.write_str("None"),
            TargetAuth::Bearer(_) => f.write_str("Bearer(«masqué»)"),
            TargetAuth::ClientCredentials(source) => write!(f, "ClientCredentials({source:?})"),
        }
    }
}

impl PartialEq for TargetAuth {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TargetAuth::None, TargetAuth::None) => true,
            (TargetAuth::Bearer(a), TargetAuth::Bearer(b)) => a == b,
            (TargetAuth::ClientCredentials(a), TargetAuth::ClientCredentials(b)) => {
                std::sync::Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }
}

impl TargetAuth {
    pub fn label(&self) -> String {
        match self {
            TargetAuth::None => "aucune".into(),
            TargetAuth::Bearer(_) => "jeton Bearer statique".into(),
            TargetAuth::ClientCredentials(s) => format!(
                "OAuth2 client_credentials {} (client {}, {})",
                if s.secret().is_some() {
                    "avec secret"
                } else {
                    "par certificat (mTLS)"
                },
                s.client_id,
                s.token_url
            ),
        }
    }

    /// A token for the next FHIR call, if this target authenticates.
    pub async fn bearer(&self) -> Result<Option<String>, crate::http::oauth::OAuthError> {
        match self {
            TargetAuth::None => Ok(None),
            TargetAuth::Bearer(t) => Ok(Some(t.clone())),
            TargetAuth::ClientCredentials(source) => source.token().await.map(Some),
        }
    }
}

/// A resolved target, ready for the runner.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub base_url: url::Url,
    pub auth: TargetAuth,
    /// Headers sent on every request, the four `Ror-*` ones included.
    pub headers: Vec<(String, String)>,
    pub variables: BTreeMap<String, String>,
    pub access_profile: Option<AccessProfile>,
    pub timeout: Duration,
    /// Secret values given to scenarios as variables (e.g. a client secret), masked in
    /// every output.
    pub secret_variables: Vec<String>,
    /// The HTTP client for this target (its CA bundle and client certificate).
    pub http: reqwest::Client,
    /// The client certificate presented, as it may be shown (subject, fingerprint).
    pub identity: Option<crate::http::identity::ClientIdentity>,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Target {
    pub fn new(name: &str, base_url: &str) -> Result<Self, ConfigError> {
        let base_url = url::Url::parse(base_url).map_err(|e| ConfigError::BadUrl {
            url: base_url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(ConfigError::BadUrl {
                url: base_url.to_string(),
                reason: "only http and https are supported".into(),
            });
        }
        let mut headers = vec![("Accept".to_owned(), "application/fhir+json".to_owned())];
        headers.extend(
            RorHeaders::documented_defaults()
                .as_pairs()
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Ok(Target {
            name: name.to_owned(),
            base_url,
            auth: TargetAuth::None,
            headers,
            variables: BTreeMap::new(),
            access_profile: None,
            timeout: DEFAULT_TIMEOUT,
            secret_variables: Vec::new(),
            http: crate::http::identity::ClientTls::default()
                .client()
                .map_err(|e| ConfigError::Tls(e.to_string()))?,
            identity: None,
        })
    }

    /// An ad-hoc target from a URL given on the command line: documented `Ror-*` values
    /// (overridable by `ROR_*` variables) and a bearer token from `ROR_ACCESS_TOKEN` if set.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        let mut target = Target::new(url, url)?;
        if let Ok(token) = std::env::var("ROR_ACCESS_TOKEN")
            && !token.is_empty()
        {
            target.auth = TargetAuth::Bearer(token);
        }
        Ok(target)
    }

    pub fn from_config(name: &str, cfg: &TargetConfig) -> Result<Self, ConfigError> {
        let mut target = Target::new(name, &cfg.base_url)?;
        if let Some(tls) = &cfg.tls {
            let material = tls.material()?;
            target.http = material
                .client()
                .map_err(|e| ConfigError::Tls(e.to_string()))?;
            target.identity = material.identity;
        }
        let token_url = |u: &str| {
            url::Url::parse(u).map_err(|e| ConfigError::BadUrl {
                url: u.to_owned(),
                reason: e.to_string(),
            })
        };
        target.auth = match &cfg.auth {
            AuthConfig::None => TargetAuth::None,
            AuthConfig::Bearer { token } => TargetAuth::Bearer(token.resolve("access token")?),
            AuthConfig::ClientCredentials {
                token_url: url,
                client_id,
                secret,
            } => TargetAuth::ClientCredentials(std::sync::Arc::new(
                crate::http::oauth::TokenSource::new(
                    token_url(url)?,
                    client_id.clone(),
                    Some(secret.resolve("client secret")?),
                    target.http.clone(),
                ),
            )),
            AuthConfig::Mtls {
                token_url: url,
                client_id,
            } => {
                if target.identity.is_none() {
                    return Err(ConfigError::Tls(format!(
                        "target `{name}` uses mtls authentication but `tls` gives no client certificate"
                    )));
                }
                TargetAuth::ClientCredentials(std::sync::Arc::new(
                    crate::http::oauth::TokenSource::new(
                        token_url(url)?,
                        client_id.clone(),
                        None,
                        target.http.clone(),
                    ),
                ))
            }
        };
        if let Some(ror) = &cfg.ror_headers {
            target.set_ror_headers(ror);
        }
        for (k, v) in &cfg.headers {
            target.set_header(k, v);
        }
        target.variables = cfg.variables.clone();
        target.access_profile = cfg.access_profile;
        if let Some(secs) = cfg.timeout_secs {
            target.timeout = Duration::from_secs(secs);
        }
        Ok(target)
    }

    pub fn set_ror_headers(&mut self, ror: &RorHeaders) {
        for (k, v) in ror.as_pairs() {
            self.set_header(k, v);
        }
    }

    /// Sets a default header, replacing one of the same name (case-insensitive).
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// The secrets this target holds, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .secret_variables
            .iter()
            .filter_map(|name| self.variables.get(name).cloned())
            .collect();
        match &self.auth {
            TargetAuth::Bearer(t) => out.push(t.clone()),
            TargetAuth::ClientCredentials(s) => out.extend(s.secret().map(str::to_owned)),
            TargetAuth::None => {}
        }
        out
    }
}

/// Picks a target by name from the config file, or builds one from a URL.
pub fn resolve_target(spec: &str, config: Option<&ConfigFile>) -> Result<Target, ConfigError> {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return Target::from_url(spec);
    }
    let empty = ConfigFile::default();
    let config = config.unwrap_or(&empty);
    match config.targets.get(spec) {
        Some(cfg) => Target::from_config(spec, cfg),
        None => Err(ConfigError::UnknownTarget {
            name: spec.to_owned(),
            known: if config.targets.is_empty() {
                "none (no config file, or it declares no [targets.NAME])".into()
            } else {
                config
                    .targets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[targets.recette]
base_url = "https://ror.example.test/ws-diffusion-fhir"
access_profile = 0
timeout_secs = 5
auth = { kind = "bearer", env = "RORCHECK_TEST_TOKEN_VAR" }
ror_headers = { profil_utilisateur_code = "CU20", profil_utilisateur_system = "1.2.250.1.213.1.6.1.66", role_metier_code = "AUTOMATE", role_metier_system = "1.2.250.1.213.1.1.4.6" }
variables = { offer_id = "11/1" }
"#;

    #[test]
    fn a_target_from_the_file_gets_its_headers_and_secret_from_the_environment() {
        let cfg: ConfigFile = toml::from_str(FILE).expect("valid");
        // SAFETY: this test alone reads this variable.
        unsafe { std::env::set_var("RORCHECK_TEST_TOKEN_VAR", "tok-123") };
        let t = resolve_target("recette", Some(&cfg)).expect("resolves");
        assert_eq!(t.auth, TargetAuth::Bearer("tok-123".into()));
        assert!(
            t.headers
                .iter()
                .any(|(k, v)| k == "Ror-Profil-Utilisateur-Code" && v == "CU20")
        );
        assert_eq!(
            t.headers
                .iter()
                .filter(|(k, _)| k.starts_with("Ror-"))
                .count(),
            4
        );
        assert_eq!(t.timeout, Duration::from_secs(5));
        assert!(
            !format!("{t:?}").contains("tok-123"),
            "Debug must not show the token"
        );
    }

    #[test]
    fn a_missing_secret_and_an_unknown_target_are_clear_errors() {
        let cfg: ConfigFile =
            toml::from_str(&FILE.replace("RORCHECK_TEST_TOKEN_VAR", "RORCHECK_UNSET_VAR"))
                .expect("valid");
        let err = resolve_target("recette", Some(&cfg)).expect_err("no secret");
        assert!(
            err.to_string().contains("RORCHECK_UNSET_VAR is not set"),
            "{err}"
        );
        let err = resolve_target("prod", Some(&cfg)).expect_err("unknown");
        assert!(err.to_string().contains("known targets: recette"), "{err}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let err = toml::from_str::<ConfigFile>("[targets.x]\nbase_url='http://h'\nbase_ulr='x'\n")
            .expect_err("typo");
        assert!(err.to_string().contains("base_ulr"), "{err}");
    }
}
