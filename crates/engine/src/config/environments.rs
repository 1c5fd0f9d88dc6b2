//! The ROR environments rorcheck knows by name, with their documented URLs, and the
//! `ROR_*` environment variables that complete them without a config file.

use std::path::PathBuf;

use super::{AuthConfig, ConfigError, SecretSource, TargetConfig, TlsConfig};
use rorcheck_scenario::AccessProfile;

/// A ROR environment with its documented endpoints (seed "API FHIR du ROR": URLs of the
/// sandbox and of production).
#[derive(Debug, Clone, Copy)]
pub struct BuiltinEnvironment {
    /// Its name for `--target` (`bac-a-sable`, `production`).
    pub name: &'static str,
    /// What the reports call it.
    pub label: &'static str,
    /// The FHIR base URL.
    pub base_url: &'static str,
    /// The token endpoint.
    pub token_url: &'static str,
    /// Guardrails apply: no heavy scenario unless allowed.
    pub production: bool,
    /// Default request-rate cap (requests per second).
    pub rate_limit: f64,
}

/// The sandbox and production, as documented.
pub const BUILTIN_ENVIRONMENTS: [BuiltinEnvironment; 2] = [
    BuiltinEnvironment {
        name: "bac-a-sable",
        label: "bac-à-sable du ROR (qualification)",
        base_url: "https://bas-api-fhir.qualif.ror.esante.gouv.fr/ws-diffusion-fhir",
        token_url: "https://bas-auth-api.qualif.ror.esante.gouv.fr/auth/realms/ror/protocol/openid-connect/token",
        production: false,
        rate_limit: 10.0,
    },
    BuiltinEnvironment {
        name: "production",
        label: "production du ROR",
        base_url: "https://api-fhir.ror.esante.gouv.fr/ws-diffusion-fhir",
        token_url: "https://auth-api.ror.esante.gouv.fr/auth/realms/ror/protocol/openid-connect/token",
        production: true,
        rate_limit: 5.0,
    },
];

/// The environment variables read for a built-in environment, with what they hold.
pub const ENV_VARS: [(&str, &str); 9] = [
    ("ROR_CLIENT_ID", "client id given by the ROR programme team"),
    ("ROR_CLIENT_SECRET", "client secret (access profile 0)"),
    (
        "ROR_CERT_P12",
        "path of the IGC-Santé .p12 (profiles 1 to 5)",
    ),
    ("ROR_CERT_PASSWORD", "password of the .p12"),
    (
        "ROR_CERT_PEM",
        "path of the client certificate, PEM (instead of the .p12)",
    ),
    ("ROR_CERT_KEY", "path of its private key, PEM"),
    (
        "ROR_CA_BUNDLE",
        "PEM bundle of the IGC-Santé chain, added to the system roots",
    ),
    (
        "ROR_ACCESS_PROFILE",
        "access profile 0 to 5 (default 0 with a secret)",
    ),
    (
        "ROR_PROFIL_UTILISATEUR_CODE",
        "and ROR_PROFIL_UTILISATEUR_SYSTEM, ROR_ROLE_METIER_CODE, ROR_ROLE_METIER_SYSTEM: the Ror-* header values",
    ),
];

pub(super) fn builtin(name: &str) -> Option<&'static BuiltinEnvironment> {
    BUILTIN_ENVIRONMENTS.iter().find(|e| e.name == name)
}

/// An environment variable, unset when empty.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// TLS material named by `ROR_CA_BUNDLE`, `ROR_CERT_P12` (+ `ROR_CERT_PASSWORD`) or
/// `ROR_CERT_PEM` + `ROR_CERT_KEY`; `None` when none is set.
fn tls_from_env(var: &dyn Fn(&str) -> Option<String>) -> Option<TlsConfig> {
    let ca = var("ROR_CA_BUNDLE").map(PathBuf::from);
    let p12 = var("ROR_CERT_P12").map(PathBuf::from);
    let cert = var("ROR_CERT_PEM").map(PathBuf::from);
    let key = var("ROR_CERT_KEY").map(PathBuf::from);
    if ca.is_none() && p12.is_none() && cert.is_none() && key.is_none() {
        return None;
    }
    Some(TlsConfig {
        ca,
        ca_only: false,
        password: p12.as_ref().map(|_| SecretSource {
            env: Some("ROR_CERT_PASSWORD".into()),
            file: None,
        }),
        p12,
        cert,
        key,
    })
}

impl BuiltinEnvironment {
    /// The effective configuration: what the config file declares for this name, completed
    /// by the built-in URLs and guardrails and by the `ROR_*` variables.
    pub fn config(&self, declared: Option<&TargetConfig>) -> Result<TargetConfig, ConfigError> {
        self.config_with(declared, &var)
    }

    /// [`Self::config`] with the environment variables read through `var`.
    pub(crate) fn config_with(
        &self,
        declared: Option<&TargetConfig>,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<TargetConfig, ConfigError> {
        let mut cfg = declared.cloned().unwrap_or_default();
        cfg.base_url.get_or_insert_with(|| self.base_url.to_owned());
        cfg.token_url
            .get_or_insert_with(|| self.token_url.to_owned());
        cfg.production.get_or_insert(self.production);
        cfg.rate_limit.get_or_insert(self.rate_limit);
        if cfg.tls.is_none() {
            cfg.tls = tls_from_env(var);
        }
        match &mut cfg.auth {
            Some(_) => {}
            None => {
                let client_id = var("ROR_CLIENT_ID").ok_or_else(|| ConfigError::NoClientId {
                    target: self.name.to_owned(),
                })?;
                let has_certificate = cfg
                    .tls
                    .as_ref()
                    .is_some_and(|t| t.p12.is_some() || t.cert.is_some());
                let token_url = None;
                cfg.auth = Some(if has_certificate {
                    AuthConfig::Mtls {
                        token_url,
                        client_id,
                    }
                } else {
                    AuthConfig::ClientCredentials {
                        token_url,
                        client_id,
                        secret: SecretSource {
                            env: Some("ROR_CLIENT_SECRET".into()),
                            file: None,
                        },
                    }
                });
            }
        }
        if cfg.access_profile.is_none() {
            cfg.access_profile = match var("ROR_ACCESS_PROFILE") {
                Some(v) => Some(
                    v.trim()
                        .parse::<u8>()
                        .map_err(|e| e.to_string())
                        .and_then(|n| AccessProfile::try_from(n).map_err(|e| e.to_string()))
                        .map_err(|reason| ConfigError::Env {
                            var: "ROR_ACCESS_PROFILE",
                            reason,
                        })?,
                ),
                None if matches!(cfg.auth, Some(AuthConfig::ClientCredentials { .. })) => {
                    AccessProfile::try_from(0).ok()
                }
                None => None,
            };
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_sandbox_with_a_secret_needs_only_environment_variables() {
        let sandbox = builtin("bac-a-sable").expect("built in");
        let cfg = sandbox
            .config_with(None, &env(&[("ROR_CLIENT_ID", "mon-logiciel")]))
            .expect("config");
        assert_eq!(cfg.base_url.as_deref(), Some(sandbox.base_url));
        assert_eq!(cfg.token_url.as_deref(), Some(sandbox.token_url));
        assert_eq!(
            cfg.auth,
            Some(AuthConfig::ClientCredentials {
                token_url: None,
                client_id: "mon-logiciel".into(),
                secret: SecretSource {
                    env: Some("ROR_CLIENT_SECRET".into()),
                    file: None
                },
            })
        );
        assert_eq!(cfg.access_profile.map(|p| p.number()), Some(0));
        assert_eq!(cfg.production, Some(false));
    }

    #[test]
    fn a_p12_in_the_environment_means_mutual_tls_and_production_keeps_its_guardrails() {
        let prod = builtin("production").expect("built in");
        let cfg = prod
            .config_with(
                None,
                &env(&[
                    ("ROR_CLIENT_ID", "mon-logiciel"),
                    ("ROR_CERT_P12", "/certs/client.p12"),
                    ("ROR_ACCESS_PROFILE", "2"),
                ]),
            )
            .expect("config");
        assert!(matches!(cfg.auth, Some(AuthConfig::Mtls { .. })));
        let tls = cfg.tls.expect("tls");
        assert_eq!(
            tls.p12.as_deref(),
            Some(std::path::Path::new("/certs/client.p12"))
        );
        assert_eq!(
            tls.password.and_then(|p| p.env).as_deref(),
            Some("ROR_CERT_PASSWORD")
        );
        assert_eq!(cfg.access_profile.map(|p| p.number()), Some(2));
        assert_eq!(cfg.production, Some(true));
        assert_eq!(cfg.rate_limit, Some(prod.rate_limit));
    }

    #[test]
    fn the_config_file_overrides_and_a_missing_client_id_is_explained() {
        let sandbox = builtin("bac-a-sable").expect("built in");
        let declared = TargetConfig {
            base_url: Some("https://127.0.0.1:8443/fhir".into()),
            auth: Some(AuthConfig::Mtls {
                token_url: None,
                client_id: "c".into(),
            }),
            rate_limit: Some(1.0),
            ..TargetConfig::default()
        };
        let cfg = sandbox
            .config_with(Some(&declared), &env(&[]))
            .expect("config");
        assert_eq!(cfg.base_url, declared.base_url);
        assert_eq!(cfg.rate_limit, Some(1.0));
        assert!(matches!(cfg.auth, Some(AuthConfig::Mtls { .. })));
        assert_eq!(cfg.token_url.as_deref(), Some(sandbox.token_url));

        let err = sandbox
            .config_with(None, &env(&[]))
            .expect_err("no client id");
        assert!(err.to_string().contains("ROR_CLIENT_ID"), "{err}");
        let err = sandbox
            .config_with(
                None,
                &env(&[("ROR_CLIENT_ID", "c"), ("ROR_ACCESS_PROFILE", "9")]),
            )
            .expect_err("bad profile");
        assert!(err.to_string().contains("ROR_ACCESS_PROFILE"), "{err}");
    }
}
