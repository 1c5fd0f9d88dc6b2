//! A resolved target: where requests go, with which headers, credentials, TLS material and
//! guardrails.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::{AuthConfig, ConfigError, RorHeaders, TargetConfig};
use rorcheck_http::identity::ClientIdentity;
use rorcheck_http::oauth::TokenSource;
use rorcheck_http::rate::RateLimiter;
use rorcheck_http::{CredentialScope, Limits};
use rorcheck_scenario::AccessProfile;

/// Default credentials of a target once secrets are resolved.
#[derive(Clone)]
pub enum TargetAuth {
    /// No credentials.
    None,
    /// A static bearer token.
    Bearer(String),
    /// Tokens obtained (and renewed) from the token endpoint.
    ClientCredentials(Arc<TokenSource>),
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
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }
}

impl TargetAuth {
    /// How the reports describe it (never the secret).
    pub fn label(&self) -> String {
        match self {
            TargetAuth::None => t!(Lang::current(), "auth-none"),
            TargetAuth::Bearer(_) => t!(Lang::current(), "auth-bearer"),
            TargetAuth::ClientCredentials(s) if s.secret().is_some() => {
                t!(Lang::current(), "auth-secret")
            }
            TargetAuth::ClientCredentials(_) => t!(Lang::current(), "auth-mtls"),
        }
    }

    /// A token for the next FHIR call, if this target authenticates.
    pub async fn bearer(&self) -> Result<Option<String>, rorcheck_http::oauth::OAuthError> {
        match self {
            TargetAuth::None => Ok(None),
            TargetAuth::Bearer(t) => Ok(Some(t.clone())),
            TargetAuth::ClientCredentials(source) => source.token().await.map(Some),
        }
    }
}

/// A resolved target, ready for the runner.
#[derive(Clone)]
pub struct Target {
    /// Its name, as the reports show it.
    pub name: String,
    /// The FHIR base URL.
    pub base_url: url::Url,
    /// Default credentials.
    pub auth: TargetAuth,
    /// Headers sent on every request, the four `Ror-*` ones included.
    pub headers: Vec<(String, String)>,
    /// Values of scenario variables on this target.
    pub variables: BTreeMap<String, String>,
    /// The access profile its client was granted.
    pub access_profile: Option<AccessProfile>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Secret values given to scenarios as variables (e.g. a client secret), masked in
    /// every output.
    pub secret_variables: Vec<String>,
    /// The HTTP client for this target (its CA bundle and client certificate).
    pub http: reqwest::Client,
    /// The same client without the client certificate, for steps that check that the
    /// server refuses such connections.
    pub http_without_certificate: reqwest::Client,
    /// The client certificate presented, as it may be shown (subject, fingerprint).
    pub identity: Option<ClientIdentity>,
    /// Guardrails: a production environment does not run heavy scenarios unless allowed.
    pub production: bool,
    /// Run scenarios tagged `lourd` even on production.
    pub allow_heavy: bool,
    /// Request-rate cap shared by every scenario of the run.
    pub rate: Option<Arc<RateLimiter>>,
    /// Longest wait honoured from a `Retry-After` (429/503 or polling).
    pub max_retry_after: Duration,
    /// How much the server may make rorcheck read, and for how long.
    pub limits: Limits,
    /// Origins besides the FHIR API's that may receive the access token (`trusted_origins`).
    pub trusted_origins: Vec<url::Url>,
    /// How many offers (HealthcareService) it holds, when known (an embedded mock): a
    /// scenario that needs more (`min_offers`) runs on a larger target or is skipped.
    /// Unknown for a real ROR, where such a scenario runs and its own steps judge.
    pub offers: Option<u64>,
}

/// Shows what may be shown: secret variables (a client secret) and tokens are masked.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let variables: BTreeMap<&str, &str> = self
            .variables
            .iter()
            .map(|(k, v)| {
                let shown = if self.secret_variables.contains(k) {
                    rorcheck_http::MASK
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("base_url", &self.base_url.as_str())
            .field("auth", &self.auth)
            .field("headers", &self.headers)
            .field("variables", &variables)
            .field("access_profile", &self.access_profile)
            .field("identity", &self.identity)
            .field("production", &self.production)
            .field("offers", &self.offers)
            .field("allow_heavy", &self.allow_heavy)
            .finish_non_exhaustive()
    }
}

/// Per-request timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest `Retry-After` honoured when none is configured.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The limits of a target: the defaults for real environments, overridden per field.
fn limits_of(name: &str, cfg: &TargetConfig) -> Result<Limits, ConfigError> {
    const MIB: u64 = 1024 * 1024;
    let mut limits = Limits::default();
    let positive = |what: &'static str, v: u64| {
        if v == 0 {
            Err(ConfigError::Invalid {
                target: name.to_owned(),
                what,
                reason: "must be at least 1".into(),
            })
        } else {
            Ok(v)
        }
    };
    if let Some(v) = cfg.max_body_mib {
        limits.max_body = positive("max_body_mib", v)?.saturating_mul(MIB);
    }
    if let Some(v) = cfg.max_export_file_mib {
        limits.max_export_file = positive("max_export_file_mib", v)?.saturating_mul(MIB);
    }
    if let Some(v) = cfg.max_record_mib {
        limits.max_record = positive("max_record_mib", v)?.saturating_mul(MIB);
    }
    if let Some(v) = cfg.export_deadline_secs {
        limits.export_deadline = Duration::from_secs(positive("export_deadline_secs", v)?);
    }
    Ok(limits)
}

/// One entry of `trusted_origins`: an http(s) URL of which only the origin counts.
fn trusted_origin(name: &str, text: &str) -> Result<url::Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        target: name.to_owned(),
        what: "trusted_origins",
        reason: format!("`{text}`: {reason}"),
    };
    let url = url::Url::parse(text).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(
            "an http(s) origin is expected, e.g. https://files.example".into(),
        ));
    }
    Ok(url)
}

/// A target's FHIR base URL, parsed: http or https only.
fn base_url_of(base_url: &str) -> Result<url::Url, ConfigError> {
    let parsed = url::Url::parse(base_url).map_err(|e| ConfigError::BadUrl {
        url: base_url.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::BadUrl {
            url: parsed.to_string(),
            reason: "only http and https are supported".into(),
        });
    }
    Ok(parsed)
}

impl Target {
    /// A target at `base_url` without credentials, with the documented `Ror-*` headers.
    pub fn new(name: &str, base_url: &str) -> Result<Self, ConfigError> {
        Target::with_tls(
            name,
            base_url,
            &rorcheck_http::identity::ClientTls::default(),
        )
    }

    /// [`Target::new`] with the TLS material `tls`: its CAs (alone when `ca_only`, then
    /// without the system's roots, which take milliseconds to load) and its identity, for
    /// the calls that present a certificate.
    pub fn with_tls(
        name: &str,
        base_url: &str,
        tls: &rorcheck_http::identity::ClientTls,
    ) -> Result<Self, ConfigError> {
        let base_url = base_url_of(base_url)?;
        let mut headers = vec![("Accept".to_owned(), "application/fhir+json".to_owned())];
        headers.extend(
            RorHeaders::documented_defaults()
                .as_pairs()
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let tls_err =
            |e: rorcheck_http::identity::TlsMaterialError| ConfigError::Tls(e.to_string());
        let http = tls.client().map_err(tls_err)?;
        let http_without_certificate = match tls.identity {
            Some(_) => rorcheck_http::identity::ClientTls {
                identity: None,
                ..tls.clone()
            }
            .client()
            .map_err(tls_err)?,
            None => http.clone(),
        };
        Ok(Target {
            name: name.to_owned(),
            base_url,
            auth: TargetAuth::None,
            headers,
            variables: BTreeMap::new(),
            access_profile: None,
            timeout: DEFAULT_TIMEOUT,
            secret_variables: Vec::new(),
            http_without_certificate,
            http,
            identity: tls.identity.clone(),
            production: false,
            allow_heavy: false,
            rate: None,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            limits: Limits::default(),
            trusted_origins: Vec::new(),
            offers: None,
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

    /// A target from its effective configuration (built-in defaults and environment
    /// variables already applied, see [`super::effective_config`]).
    pub fn from_config(name: &str, cfg: &TargetConfig) -> Result<Self, ConfigError> {
        let base_url = cfg
            .base_url
            .as_deref()
            .ok_or_else(|| ConfigError::Missing {
                target: name.to_owned(),
                what: "base_url",
            })?;
        // The URL first: a target wrong in both is told about the line it starts from,
        // and no certificate or key file is read for a target that cannot be used.
        base_url_of(base_url)?;
        let material = match &cfg.tls {
            Some(tls) => tls.material()?,
            None => rorcheck_http::identity::ClientTls::default(),
        };
        let mut target = Target::with_tls(name, base_url, &material)?;
        target.auth = auth_of(name, cfg, &target)?;
        if let Some(ror) = &cfg.ror_headers {
            target.set_ror_headers(ror);
        }
        for (k, v) in &cfg.headers {
            target.set_header(k, v);
        }
        target.variables = cfg.variables.clone();
        target.add_auth_variables();
        target.access_profile = cfg.access_profile;
        if let Some(secs) = cfg.timeout_secs {
            target.timeout = Duration::from_secs(secs);
        }
        target.production = cfg.production.unwrap_or(false);
        target.allow_heavy = cfg.allow_heavy;
        target.rate = cfg
            .rate_limit
            .and_then(RateLimiter::per_second)
            .map(Arc::new);
        if let Some(secs) = cfg.max_retry_after_secs {
            target.max_retry_after = Duration::from_secs(secs);
        }
        target.limits = limits_of(name, cfg)?;
        target.trusted_origins = cfg
            .trusted_origins
            .iter()
            .map(|o| trusted_origin(name, o))
            .collect::<Result<_, _>>()?;
        Ok(target)
    }

    /// The token endpoint, client id and secret as scenario variables: the auth scenarios
    /// need them, and the target knows them (the secret is masked wherever it shows up).
    fn add_auth_variables(&mut self) {
        // The auth scenarios need the token endpoint and client id: the target knows them.
        if let Some((url, id)) = self.oauth_client() {
            let (url, id) = (url.to_string(), id.to_owned());
            self.variables.entry("token_url".into()).or_insert(url);
            self.variables.entry("client_id".into()).or_insert(id);
        }
        if let TargetAuth::ClientCredentials(source) = &self.auth
            && let Some(secret) = source.secret()
        {
            let secret = secret.to_owned();
            self.variables
                .entry("client_secret".into())
                .or_insert(secret);
            self.secret_variables.push("client_secret".into());
        }
    }

    /// The name `rorcheck doctor --env` takes for this target: its config name, or its URL
    /// for an ad-hoc one.
    pub(crate) fn doctor_name(&self) -> String {
        if self.name.contains(' ') || self.name.is_empty() {
            self.base_url.to_string()
        } else {
            self.name.clone()
        }
    }

    /// Where the target's credentials may go: the FHIR API's origin and the trusted ones.
    pub fn credential_scope(&self) -> CredentialScope {
        CredentialScope::new(&self.base_url, &self.trusted_origins)
    }

    /// The token endpoint and client id, when the target obtains its tokens itself.
    pub fn oauth_client(&self) -> Option<(&url::Url, &str)> {
        match &self.auth {
            TargetAuth::ClientCredentials(s) => Some((&s.token_url, s.client_id.as_str())),
            _ => None,
        }
    }

    pub(crate) fn set_ror_headers(&mut self, ror: &RorHeaders) {
        for (k, v) in ror.as_pairs() {
            self.set_header(k, v);
        }
    }

    /// Sets a default header, replacing one of the same name (case-insensitive).
    pub(crate) fn set_header(&mut self, name: &str, value: &str) {
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

/// How a target authenticates, from its `auth` (and `token_url`) settings; `target` has its
/// TLS material already (a mutual-TLS client needs a certificate).
fn auth_of(name: &str, cfg: &TargetConfig, target: &Target) -> Result<TargetAuth, ConfigError> {
    let token_url = |u: &Option<String>| {
        let u = u
            .as_deref()
            .or(cfg.token_url.as_deref())
            .ok_or_else(|| ConfigError::Missing {
                target: name.to_owned(),
                what: "auth.token_url",
            })?;
        url::Url::parse(u).map_err(|e| ConfigError::BadUrl {
            url: u.to_owned(),
            reason: e.to_string(),
        })
    };
    Ok(match &cfg.auth {
        None | Some(AuthConfig::None) => TargetAuth::None,
        Some(AuthConfig::Bearer { token }) => {
            TargetAuth::Bearer(token.resolve(&t!(Lang::current(), "secret-access-token"))?)
        }
        Some(AuthConfig::ClientCredentials {
            token_url: url,
            client_id,
            secret,
        }) => TargetAuth::ClientCredentials(Arc::new(TokenSource::new(
            token_url(url)?,
            client_id.clone(),
            Some(secret.resolve(&t!(Lang::current(), "secret-client-secret"))?),
            target.http.clone(),
        ))),
        Some(AuthConfig::Mtls {
            token_url: url,
            client_id,
        }) => {
            if target.identity.is_none() {
                return Err(ConfigError::Tls(format!(
                    "target `{name}` uses mtls authentication but `tls` gives no client certificate"
                )));
            }
            TargetAuth::ClientCredentials(Arc::new(TokenSource::new(
                token_url(url)?,
                client_id.clone(),
                None,
                target.http.clone(),
            )))
        }
    })
}
