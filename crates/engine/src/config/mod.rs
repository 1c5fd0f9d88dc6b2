//! Targets: where scenarios are sent, with which headers and which credentials.
//!
//! A target comes from the config file (`rorcheck.toml`), from a bare URL given on the
//! command line, or is the embedded mock ROR. Secrets are never written in the file itself:
//! the file names the environment variable or the file that holds them.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use ror::{AccessProfile, headers};

mod environments;
mod target;

pub use environments::{BUILTIN_ENVIRONMENTS, BuiltinEnvironment, ENV_VARS};
pub use target::{DEFAULT_MAX_RETRY_AFTER, DEFAULT_TIMEOUT, Target, TargetAuth};

/// The four headers the ROR requires on every FHIR call, with the values the ROR programme
/// team gives the integrator together with its client id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RorHeaders {
    /// `Ror-Profil-Utilisateur-Code` (TRE_R78, e.g. CU22).
    pub profil_utilisateur_code: String,
    /// `Ror-Profil-Utilisateur-System` (raw OID).
    pub profil_utilisateur_system: String,
    /// `Ror-Role-Metier-Code` (e.g. AUTOMATE).
    pub role_metier_code: String,
    /// `Ror-Role-Metier-System` (raw OID).
    pub role_metier_system: String,
}

impl RorHeaders {
    /// The example values of the ROR documentation (user profile CU22, role AUTOMATE), each
    /// overridable by an environment variable.
    pub fn documented_defaults() -> Self {
        let env =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        RorHeaders {
            profil_utilisateur_code: env(
                "ROR_PROFIL_UTILISATEUR_CODE",
                headers::DOCUMENTED_PROFIL_CODE,
            ),
            profil_utilisateur_system: env(
                "ROR_PROFIL_UTILISATEUR_SYSTEM",
                headers::PROFIL_UTILISATEUR_OID,
            ),
            role_metier_code: env("ROR_ROLE_METIER_CODE", headers::DOCUMENTED_ROLE_CODE),
            role_metier_system: env("ROR_ROLE_METIER_SYSTEM", headers::ROLE_METIER_OID),
        }
    }

    pub(crate) fn as_pairs(&self) -> [(&'static str, &str); 4] {
        [
            (
                headers::PROFIL_UTILISATEUR_CODE,
                &self.profil_utilisateur_code,
            ),
            (
                headers::PROFIL_UTILISATEUR_SYSTEM,
                &self.profil_utilisateur_system,
            ),
            (headers::ROLE_METIER_CODE, &self.role_metier_code),
            (headers::ROLE_METIER_SYSTEM, &self.role_metier_system),
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
    /// The secret: from the variable when set and not empty, else from the file.
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
                    reason: t!(
                        Lang::current(),
                        "cfg-secret-unreadable",
                        file = file.display(),
                        e = e
                    ),
                });
        }
        Err(ConfigError::Secret {
            what: what.to_owned(),
            reason: match &self.env {
                Some(var) => t!(Lang::current(), "cfg-var-unset", var = var),
                None => t!(Lang::current(), "cfg-no-source"),
            },
        })
    }
}

/// How requests are authenticated by default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// No credentials.
    None,
    /// A static bearer token (obtained elsewhere).
    Bearer {
        /// Where the token comes from.
        #[serde(flatten)]
        token: SecretSource,
    },
    /// OAuth2 client_credentials with a client secret (access profile 0). `token_url`
    /// defaults to the built-in environment's.
    ClientCredentials {
        /// The token endpoint (default: the environment's).
        token_url: Option<String>,
        /// The client id.
        client_id: String,
        /// Where the secret comes from.
        secret: SecretSource,
    },
    /// OAuth2 client_credentials authenticated by the client certificate (RFC 8705,
    /// profiles 1 to 5): needs `tls` with a certificate.
    Mtls {
        /// The token endpoint (default: the environment's).
        token_url: Option<String>,
        /// The client id.
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
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
    /// ...or the `.p12` delivered by IGC-Santé, with its password.
    pub p12: Option<PathBuf>,
    /// Where the `.p12` password comes from.
    pub password: Option<SecretSource>,
}

impl TlsConfig {
    /// The CA bundle and client identity, read and checked.
    pub fn material(&self) -> Result<rorcheck_http::identity::ClientTls, ConfigError> {
        use rorcheck_http::identity::{ClientIdentity, ClientTls};
        let tls_err =
            |e: rorcheck_http::identity::TlsMaterialError| ConfigError::Tls(e.to_string());
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
                    Some(source) => source.resolve(&t!(Lang::current(), "secret-cert-password"))?,
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

/// One target (environment) as written in the config file. For the built-in names
/// (`bac-a-sable`, `production`) every field is optional: what is given overrides the
/// built-in value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// FHIR base URL, e.g. `https://bas-api-fhir.qualif.ror.esante.gouv.fr/ws-diffusion-fhir`.
    pub base_url: Option<String>,
    /// Token endpoint of the environment, used when `auth` gives none.
    pub token_url: Option<String>,
    /// Default: none for a custom target; for a built-in one, from the `ROR_*` variables.
    pub auth: Option<AuthConfig>,
    /// The four `Ror-*` header values (default: the documented ones).
    pub ror_headers: Option<RorHeaders>,
    /// Other headers sent on every request (e.g. `Accept`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Values for scenario variables on this target (e.g. an offer id known to exist).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// The access profile the client was granted (0 to 5).
    pub access_profile: Option<AccessProfile>,
    /// Per-request timeout, in seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// TLS material: trusted CAs and the client certificate.
    pub tls: Option<TlsConfig>,
    /// A production environment: scenarios tagged `lourd` are not run unless allowed.
    pub production: Option<bool>,
    /// Run scenarios tagged `lourd` even on a production environment.
    #[serde(default)]
    pub allow_heavy: bool,
    /// At most this many requests per second, across all scenarios of the run.
    pub rate_limit: Option<f64>,
    /// Longest wait honoured from a `Retry-After` header (default 30 s).
    pub max_retry_after_secs: Option<u64>,
    /// Other origins that may receive the access token when the server points there
    /// (e.g. a file host serving `$export` files): `["https://files.example"]`. Any other
    /// origin in a `next` link or an export URL fails the step and is not requested.
    #[serde(default)]
    pub trusted_origins: Vec<String>,
    /// Largest synchronous response body, in MiB (default 64).
    pub max_body_mib: Option<u64>,
    /// Largest `$export` file, in MiB (default 8192; files are streamed).
    pub max_export_file_mib: Option<u64>,
    /// Largest single resource in an export file (ndjson line or Bundle entry), in MiB
    /// (default 16).
    pub max_record_mib: Option<u64>,
    /// Longest time one `$export` may take, kick-off to last file, in seconds (default 3600).
    pub export_deadline_secs: Option<u64>,
}

/// The config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Targets by name (`[targets.NAME]`).
    #[serde(default)]
    pub targets: BTreeMap<String, TargetConfig>,
}

/// Why a configuration cannot be used. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("{}", t!(Lang::current(), "cfg-read", path = path.display(), reason = reason))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The config file is not valid TOML for rorcheck.
    #[error("{}", t!(Lang::current(), "cfg-parse", path = path.display(), reason = reason))]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// `--target` names no built-in environment nor configured target.
    #[error("{}", t!(Lang::current(), "cfg-unknown-target", name = name, known = known))]
    UnknownTarget {
        /// The name given.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// A URL that does not parse.
    #[error("{}", t!(Lang::current(), "cfg-bad-url", url = url, reason = reason))]
    BadUrl {
        /// The URL.
        url: String,
        /// What the parser said.
        reason: String,
    },
    /// A secret source gives nothing.
    #[error("{}", t!(Lang::current(), "cfg-secret", what = what, reason = reason))]
    Secret {
        /// Which secret (`client secret`, `access token`...).
        what: String,
        /// Why.
        reason: String,
    },
    /// The TLS material is unusable.
    #[error("{}", t!(Lang::current(), "cfg-tls", why = .0))]
    Tls(String),
    /// An environment variable has an invalid value.
    #[error("{}", t!(Lang::current(), "cfg-env", var = *var, reason = reason))]
    Env {
        /// The variable.
        var: &'static str,
        /// Why.
        reason: String,
    },
    /// A setting a target needs is absent.
    #[error("{}", t!(Lang::current(), "cfg-missing", target = target, what = *what))]
    Missing {
        /// The target.
        target: String,
        /// The setting.
        what: &'static str,
    },
    /// A setting has an invalid value.
    #[error("{}", t!(Lang::current(), "cfg-invalid", target = target, what = *what, reason = reason))]
    Invalid {
        /// The target.
        target: String,
        /// The setting.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A built-in environment without client id.
    #[error("{}", t!(Lang::current(), "cfg-no-client-id", target = target))]
    NoClientId {
        /// The target.
        target: String,
    },
}

impl ConfigFile {
    /// Reads the file; relative paths in it (certificates, CA bundle, secret files) are
    /// relative to the file's own directory, wherever rorcheck is started from.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let mut file: ConfigFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if let Some(dir) = path.parent() {
            file.rebase(dir);
        }
        Ok(file)
    }

    fn rebase(&mut self, dir: &Path) {
        let fix = |p: &mut Option<PathBuf>| {
            if let Some(path) = p
                && path.is_relative()
            {
                *path = dir.join(&*path);
            }
        };
        for target in self.targets.values_mut() {
            if let Some(tls) = &mut target.tls {
                fix(&mut tls.ca);
                fix(&mut tls.cert);
                fix(&mut tls.key);
                fix(&mut tls.p12);
                if let Some(pw) = &mut tls.password {
                    fix(&mut pw.file);
                }
            }
            match &mut target.auth {
                Some(AuthConfig::Bearer { token: source })
                | Some(AuthConfig::ClientCredentials { secret: source, .. }) => {
                    fix(&mut source.file)
                }
                _ => {}
            }
        }
    }
}

/// The configuration a target name stands for: the config file's `[targets.NAME]` laid
/// over the built-in environment of that name (and its `ROR_*` environment variables).
pub fn effective_config(
    name: &str,
    config: Option<&ConfigFile>,
) -> Result<TargetConfig, ConfigError> {
    let declared = config.and_then(|c| c.targets.get(name));
    match (environments::builtin(name), declared) {
        (Some(builtin), declared) => builtin.config(declared),
        (None, Some(declared)) => Ok(declared.clone()),
        (None, None) => {
            let mut known: Vec<String> = vec!["mock".into()];
            known.extend(BUILTIN_ENVIRONMENTS.iter().map(|e| e.name.to_owned()));
            known.extend(
                config
                    .into_iter()
                    .flat_map(|c| c.targets.keys().cloned())
                    .filter(|k| environments::builtin(k).is_none()),
            );
            Err(ConfigError::UnknownTarget {
                name: name.to_owned(),
                known: known.join(", "),
            })
        }
    }
}

/// Picks a target by name (built-in or from the config file), or builds one from a URL.
pub fn resolve_target(spec: &str, config: Option<&ConfigFile>) -> Result<Target, ConfigError> {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return Target::from_url(spec);
    }
    Target::from_config(spec, &effective_config(spec, config)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        let mut t = t;
        t.variables
            .insert("client_secret".into(), "s3cr3t-value".into());
        t.secret_variables.push("client_secret".into());
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(
            shown.contains("offer_id"),
            "other variables stay visible: {shown}"
        );
    }

    #[test]
    fn a_missing_secret_and_an_unknown_target_are_clear_errors() {
        let cfg: ConfigFile =
            toml::from_str(&FILE.replace("RORCHECK_TEST_TOKEN_VAR", "RORCHECK_UNSET_VAR"))
                .expect("valid");
        let err = resolve_target("recette", Some(&cfg)).expect_err("no secret");
        assert!(
            err.to_string()
                .contains("variable d'environnement RORCHECK_UNSET_VAR non définie"),
            "{err}"
        );
        let err = resolve_target("prod", Some(&cfg)).expect_err("unknown");
        assert!(
            err.to_string()
                .contains("cibles connues : mock, bac-a-sable, production, recette"),
            "{err}"
        );
    }

    #[test]
    fn a_target_wrong_in_its_url_and_its_certificate_is_told_about_its_url() {
        let mtls_target = |base_url: &str| -> ConfigFile {
            toml::from_str(&format!(
                r#"
[targets.recette-mtls]
base_url = "{base_url}"
auth = {{ kind = "mtls", client_id = "mon-logiciel" }}
tls = {{ cert = "/nonexistent/client.pem", key = "/nonexistent/client.key.pem" }}
"#
            ))
            .expect("valid")
        };
        let cfg = mtls_target("ftp://ror.example.test/ws-diffusion-fhir");
        let err = resolve_target("recette-mtls", Some(&cfg)).expect_err("bad URL");
        assert!(matches!(err, ConfigError::BadUrl { .. }), "{err}");
        // With its URL right, the certificate is the error.
        let cfg = mtls_target("https://ror.example.test/ws-diffusion-fhir");
        let err = resolve_target("recette-mtls", Some(&cfg)).expect_err("no certificate");
        assert!(matches!(err, ConfigError::Tls(_)), "{err}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let err = toml::from_str::<ConfigFile>("[targets.x]\nbase_url='http://h'\nbase_ulr='x'\n")
            .expect_err("typo");
        assert!(err.to_string().contains("base_ulr"), "{err}");
    }
}
