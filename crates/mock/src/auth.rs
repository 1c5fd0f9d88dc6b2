//! The mock's authorisation server: OAuth2 `client_credentials` (RFC 6749 §4.4) issuing
//! signed JWT access tokens (HS256), and their verification on FHIR calls.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::dataset::Rng;

/// A client known to the mock: authenticated by its secret (profile 0) or by its
/// certificate (mTLS, RFC 8705, profiles 1 to 5).
#[derive(Clone)]
pub struct Client {
    /// The OAuth2 client id.
    pub client_id: String,
    /// Empty for mTLS clients.
    pub secret: String,
    /// `x5t#S256` of the certificate an mTLS client must present...
    pub cert_thumbprint: Option<String>,
    /// ...or the common name its certificate's subject must have (RFC 8705 `tls_client_auth`;
    /// the chain to the CA is checked at the handshake).
    pub cert_subject: Option<String>,
    /// The access profile its tokens grant (0 to 5).
    pub access_profile: u8,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.client_id)
            .field("cert_thumbprint", &self.cert_thumbprint)
            .field("cert_subject", &self.cert_subject)
            .field("access_profile", &self.access_profile)
            .finish_non_exhaustive()
    }
}

/// RFC 8705 confirmation claim: the token is bound to this certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Confirmation {
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: String,
}

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub iss: String,
    pub sub: String,
    pub azp: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub access_profile: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("jeton absent")]
    Missing,
    #[error("jeton mal formé")]
    Malformed,
    #[error("signature du jeton invalide")]
    BadSignature,
    #[error("jeton expiré")]
    Expired,
    #[error("jeton lié à un autre certificat client (RFC 8705)")]
    CertificateMismatch,
}

/// Issues and checks tokens with a key drawn at start-up (never written anywhere).
#[derive(Clone)]
pub struct Issuer {
    key: [u8; 32],
    /// The `iss` of the tokens.
    pub issuer: String,
    /// How long a token lives, in seconds.
    pub lifetime_secs: i64,
    /// The clients it knows.
    pub clients: Vec<Client>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.issuer)
            .field("lifetime_secs", &self.lifetime_secs)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

/// The demo client for access profile 0, printed by `rorcheck serve`.
pub(crate) const DEMO_CLIENT_ID: &str = "rorcheck-demo-p0";

fn random_bytes<const N: usize>() -> [u8; N] {
    // Seeded from the clock and the process: the key only has to be unpredictable to
    // a client of this test server, not cryptographically strong.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()).rotate_left(32);
    let mut rng = Rng::new(seed);
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let v = rng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    out
}

impl Issuer {
    /// An issuer with a fresh key and the demo clients.
    pub fn new(issuer: String, lifetime_secs: i64) -> Self {
        let secret: String = random_bytes::<18>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Issuer {
            key: random_bytes(),
            issuer,
            lifetime_secs,
            clients: vec![Client {
                client_id: DEMO_CLIENT_ID.to_owned(),
                secret,
                cert_thumbprint: None,
                cert_subject: None,
                access_profile: 0,
            }],
        }
    }

    /// The profile-0 demo client (authenticated by its secret).
    pub fn demo_client(&self) -> &Client {
        &self.clients[0]
    }

    /// Replaces the demo client's random secret by a chosen one.
    pub(crate) fn set_demo_secret(&mut self, secret: &str) {
        if let Some(demo) = self.clients.first_mut() {
            demo.secret = secret.to_owned();
        }
    }

    fn sign(&self, data: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        mac.update(data.as_bytes());
        B64.encode(mac.finalize().into_bytes())
    }

    /// Authenticates a client by id and secret.
    pub fn authenticate(&self, client_id: &str, secret: &str) -> Option<&Client> {
        // Clients with a certificate have no secret: an empty one never matches. Only
        // profile 0 authenticates by secret, whatever a clients file says.
        self.clients.iter().find(|c| {
            c.client_id == client_id
                && c.access_profile == 0
                && !c.secret.is_empty()
                && constant_time_eq(c.secret.as_bytes(), secret.as_bytes())
        })
    }

    /// Authenticates an mTLS client by id and the certificate of the connection (its
    /// thumbprint or its subject, as the client is registered).
    pub(crate) fn authenticate_certificate(
        &self,
        client_id: &str,
        thumbprint: &str,
        subject: Option<&str>,
    ) -> Option<&Client> {
        self.clients.iter().find(|c| {
            c.client_id == client_id
                && (c
                    .cert_thumbprint
                    .as_deref()
                    .is_some_and(|t| constant_time_eq(t.as_bytes(), thumbprint.as_bytes()))
                    || (c.cert_subject.is_some() && c.cert_subject.as_deref() == subject))
        })
    }

    /// A token for a client authenticated by its secret.
    pub fn issue(&self, client: &Client) -> String {
        let now = chrono::Utc::now().timestamp();
        self.issue_with_times(client, now, now + self.lifetime_secs, None)
    }

    /// A token bound to the certificate (`x5t#S256`) the client authenticated with.
    pub(crate) fn issue_bound(&self, client: &Client, thumbprint: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.issue_with_times(client, now, now + self.lifetime_secs, Some(thumbprint))
    }

    pub(crate) fn issue_with_times(
        &self,
        client: &Client,
        iat: i64,
        exp: i64,
        bound_to: Option<&str>,
    ) -> String {
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: client.client_id.clone(),
            azp: client.client_id.clone(),
            client_id: client.client_id.clone(),
            iat,
            exp,
            jti: random_bytes::<12>()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            access_profile: client.access_profile,
            cnf: bound_to.map(|t| Confirmation {
                x5t_s256: t.to_owned(),
            }),
        };
        let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = B64.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let signature = self.sign(&signing_input);
        format!("{signing_input}.{signature}")
    }

    /// Checks a bearer token: structure, signature, and expiry unless `allow_expired` (a fault
    /// mode of the mock).
    pub(crate) fn verify(
        &self,
        token: &str,
        allow_expired: bool,
        check_signature: bool,
    ) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let expected = self.sign(&format!("{header}.{payload}"));
        if check_signature && !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(TokenError::BadSignature);
        }
        let claims: Claims = B64
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(TokenError::Malformed)?;
        if !allow_expired && claims.exp <= chrono::Utc::now().timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_tampering_or_expiry_is_detected() {
        let issuer = Issuer::new("http://mock".into(), 60);
        let client = issuer.demo_client().clone();
        let token = issuer.issue(&client);
        let claims = issuer.verify(&token, false, true).expect("valid token");
        assert_eq!(claims.access_profile, 0);
        assert_eq!(claims.client_id, DEMO_CLIENT_ID);

        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 3.., "AAA");
        assert_eq!(
            issuer.verify(&tampered, false, true),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            issuer.verify("abc", false, true),
            Err(TokenError::Malformed)
        );
        let old = issuer.issue_with_times(&client, 0, 1, None);
        assert_eq!(issuer.verify(&old, false, true), Err(TokenError::Expired));
        assert!(
            issuer.verify(&old, true, true).is_ok(),
            "the fault mode accepts it"
        );
        let other = Issuer::new("http://mock".into(), 60);
        assert_eq!(
            other.verify(&token, false, true),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn clients_authenticate_with_their_secret_only() {
        let issuer = Issuer::new("http://mock".into(), 60);
        let c = issuer.demo_client().clone();
        assert!(issuer.authenticate(&c.client_id, &c.secret).is_some());
        assert!(issuer.authenticate(&c.client_id, "wrong").is_none());
        assert!(issuer.authenticate("other", &c.secret).is_none());
    }
}
