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
        let mut redactor = Redactor::default();
        for s in secrets {
            redactor.add_secret(&s);
        }
        redactor
    }

    /// Adds a secret, with the forms it takes once encoded in a form body or a URL
    /// (`+`, `%2F`...) or in a JSON string (`\"`...).
    pub fn add_secret(&mut self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        for variant in [secret.to_owned(), form.replace('+', "%20"), form, json] {
            if !self.secrets.contains(&variant) {
                self.secrets.push(variant);
            }
        }
        // Longest first, so that a secret containing another is masked whole.
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
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
    #[test]
    fn a_secret_is_masked_in_its_encoded_forms_too() {
        let r = super::Redactor::new(["s3cr3t /+=\"plante".to_owned()]);
        for text in [
            "client_id=a&x=s3cr3t+%2F%2B%3D%22plante",
            "?s=s3cr3t%20%2F%2B%3D%22plante",
            r#"{"note": "s3cr3t /+=\"plante"}"#,
        ] {
            let masked = r.text(text);
            assert!(!masked.contains("plante"), "{text} -> {masked}");
        }
    }

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
