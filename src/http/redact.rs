//! Redaction: secrets never reach a report, a log line or an error message.
//!
//! Three nets, applied to everything recorded: by header or field name, by pattern (JWTs,
//! PEM private keys and certificates' keys), and by exact value of every known secret.

use std::sync::LazyLock;

use regex::Regex;

/// The marker that replaces a secret.
pub const MASK: &str = "«masqué»";

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*").expect("valid regex")
});
static PEM_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----")
        .expect("valid regex")
});
/// `name=value` pairs of form bodies and JSON fields whose name says "secret".
static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)("?(?:client_secret|password|access_token|refresh_token|id_token|secret)"?\s*[=:]\s*"?)([^"&\s,}]+)"#,
    )
    .expect("valid regex")
});

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Knows the secrets of a run and masks them.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Secrets shorter than 4 characters are ignored: masking them would mangle text.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub fn add_secret(&mut self, secret: &str) {
        if secret.len() >= 4 && !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_owned());
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Masks secrets in free text (bodies, error messages, captured values).
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        let out = PEM_KEY.replace_all(&out, format!("-----BEGIN $1-----{MASK}-----END $1-----"));
        let out = JWT.replace_all(&out, MASK);
        SECRET_FIELD
            .replace_all(&out, format!("${{1}}{MASK}"))
            .into_owned()
    }

    /// Masks a header value; for `Authorization` the scheme stays visible (`Bearer «masqué»`).
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if SECRET_HEADERS.contains(&lower.as_str()) {
            return match value.split_once(' ') {
                Some((scheme, _)) if lower.ends_with("authorization") => {
                    format!("{scheme} {MASK}")
                }
                _ => MASK.to_owned(),
            };
        }
        self.text(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT_SAMPLE: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    #[test]
    fn authorization_keeps_its_scheme_only() {
        let r = Redactor::default();
        assert_eq!(
            r.header("Authorization", "Bearer abc.def"),
            "Bearer «masqué»"
        );
        assert_eq!(r.header("cookie", "a=b"), MASK);
        assert_eq!(
            r.header("Accept", "application/fhir+json"),
            "application/fhir+json"
        );
    }

    #[test]
    fn known_secrets_jwts_keys_and_secret_fields_are_masked() {
        let r = Redactor::new(["s3cr3t-value".to_owned(), "ab".to_owned()]);
        let text = format!(
            "secret s3cr3t-value in text; token {JWT_SAMPLE}; \
             grant_type=client_credentials&client_secret=xyz123&client_id=app; \
             {{\"access_token\": \"opaque-token-1\", \"token_type\": \"Bearer\"}}\n\
             -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----"
        );
        let out = r.text(&text);
        for leaked in [
            "s3cr3t-value",
            JWT_SAMPLE,
            "xyz123",
            "opaque-token-1",
            "MIIEvQ",
        ] {
            assert!(!out.contains(leaked), "{leaked} leaked in {out}");
        }
        assert!(
            out.contains("client_id=app"),
            "non-secret fields stay: {out}"
        );
        assert_eq!(r.text("ab cd"), "ab cd", "too-short secrets are not masked");
    }
}
