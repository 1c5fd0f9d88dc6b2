//! OAuth2 `client_credentials` (RFC 6749 §4.4) for access profile 0: one form POST, the
//! token cached and fetched again shortly before it expires (this grant has no refresh
//! token).

use rorcheck_i18n::{Lang, t};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Why no token could be obtained.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// The token endpoint could not be reached.
    #[error("{}", t!(Lang::current(), "h-oauth-unreachable", why = .0))]
    Transport(String),
    /// The TLS handshake with the token endpoint failed.
    #[error("{}", t!(Lang::current(), "h-oauth-tls", why = .0))]
    Tls(String),
    /// The token endpoint refused the client.
    #[error("{}", t!(Lang::current(), "h-oauth-refused", status = *status, code = code.as_ref().map(|c| format!(", {c}")).unwrap_or_default()))]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The OAuth2 `error` code, when given.
        code: Option<String>,
    },
    /// The answer is not a token response.
    #[error("{}", t!(Lang::current(), "h-oauth-malformed", why = .0))]
    Malformed(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// One token as the token endpoint granted it, with what `doctor` shows of the grant.
pub struct TokenGrant {
    /// Secret: never displayed.
    pub access_token: String,
    /// `Bearer`, as the response says it.
    pub token_type: Option<String>,
    /// Lifetime in seconds, as the response says it.
    pub expires_in: Option<u64>,
    /// The `Cache-Control` header of the response (RFC 6749 §5.1 asks for `no-store`).
    pub cache_control: Option<String>,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("cache_control", &self.cache_control)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: Option<String>,
}

/// A token response is a few hundred bytes: anything past this is not one.
const MAX_TOKEN_RESPONSE: u64 = 1024 * 1024;
/// A token endpoint that does not answer within this fails the step instead of hanging it.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

struct Cached {
    token: String,
    renew_at: Instant,
}

/// A client of the token endpoint, holding the current token.
pub struct TokenSource {
    /// The token endpoint.
    pub token_url: url::Url,
    /// The client id.
    pub client_id: String,
    /// `None` for mTLS clients (RFC 8705), authenticated by their certificate.
    secret: Option<String>,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Cached>>,
    fetched: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// When to fetch a new token: 10 s before expiry as the ROR's sample client does, or at
/// three quarters of a very short lifetime.
fn renew_after(expires_in: Duration) -> Duration {
    let margin = Duration::from_secs(10).min(expires_in / 4);
    expires_in.saturating_sub(margin)
}

/// A failure to talk to the token endpoint, TLS refusals told apart.
fn transport(e: &reqwest::Error) -> OAuthError {
    match super::client::classify(e, 0) {
        super::TransportError::Tls(why) => OAuthError::Tls(why),
        _ => OAuthError::Transport(super::client::chain(e)),
    }
}

impl TokenSource {
    /// A source for `client_id` at `token_url`, with its secret (profile 0) or without
    /// (mutual TLS: `http` presents the certificate).
    pub fn new(
        token_url: url::Url,
        client_id: String,
        secret: Option<String>,
        http: reqwest::Client,
    ) -> Self {
        TokenSource {
            token_url,
            client_id,
            secret,
            http,
            cache: tokio::sync::Mutex::new(None),
            fetched: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The client secret, when the client has one.
    pub fn secret(&self) -> Option<&str> {
        self.secret.as_deref()
    }

    /// How many tokens were fetched so far (the rest were reused).
    pub fn fetched(&self) -> usize {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn form(&self) -> Vec<(&'static str, &str)> {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
        ];
        if let Some(secret) = &self.secret {
            form.push(("client_secret", secret.as_str()));
        }
        form
    }

    /// A valid access token: the cached one, or a new one.
    pub async fn token(&self) -> Result<String, OAuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && Instant::now() < c.renew_at
        {
            return Ok(c.token.clone());
        }
        let grant = self.request().await?;
        let expires_in = Duration::from_secs(grant.expires_in.unwrap_or(60));
        *cache = Some(Cached {
            token: grant.access_token.clone(),
            renew_at: Instant::now() + renew_after(expires_in),
        });
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(grant.access_token)
    }

    /// Asks the token endpoint for a new token, bypassing the cache.
    pub async fn request(&self) -> Result<TokenGrant, OAuthError> {
        let mut response = self
            .http
            .post(self.token_url.clone())
            .form(&self.form())
            .timeout(TOKEN_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        let cache_control = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = super::client::read_capped(&mut response, MAX_TOKEN_RESPONSE)
            .await
            .map_err(|e| match e {
                super::client::ReadError::Transport(e) => transport(&e),
                super::client::ReadError::TooLarge { limit, .. } => OAuthError::Malformed(t!(
                    Lang::current(),
                    "h-oauth-too-large",
                    size = super::limits::human_size(limit)
                )),
            })?;
        if status != 200 {
            let code = serde_json::from_slice::<ErrorResponse>(&body)
                .ok()
                .and_then(|e| e.error);
            return Err(OAuthError::Refused { status, code });
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| OAuthError::Malformed(e.to_string()))?;
        Ok(TokenGrant {
            access_token: parsed.access_token,
            token_type: parsed.token_type,
            expires_in: parsed.expires_in,
            cache_control,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        assert_eq!(
            renew_after(Duration::from_secs(300)),
            Duration::from_secs(290)
        );
        assert_eq!(renew_after(Duration::from_secs(4)), Duration::from_secs(3));
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }
}
