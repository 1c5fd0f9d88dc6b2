//! Which hosts may receive a target's credentials. The server under test hands out URLs
//! (`next` links, `$export` status and file URLs): followed blindly, they would send the
//! access token wherever a hostile or misconfigured server points. The token goes to the
//! origin of the FHIR base URL and to origins the user trusted explicitly, nowhere else.

use rorcheck_i18n::{Lang, t};
use url::{Origin, Url};

/// A URL the server under test gave that points outside the target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", t!(Lang::current(), "scope-foreign", what = what, origin = origin, api = api))]
pub struct ForeignOrigin {
    /// What the URL was, e.g. « le lien next ».
    pub what: String,
    /// The origin it points to.
    pub origin: String,
    /// The target's own origin.
    pub api: String,
}

/// The origins a target's credentials may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    api: Origin,
    api_path: String,
    trusted: Vec<Origin>,
}

/// `scheme://host:port` of a URL, ports always written so that two spellings compare equal.
pub fn origin_text(url: &Url) -> String {
    match url.origin() {
        Origin::Tuple(scheme, host, port) => format!("{scheme}://{host}:{port}"),
        Origin::Opaque(_) => url.as_str().to_owned(),
    }
}

impl CredentialScope {
    /// The scope of a target at `base_url` that also trusts `trusted`.
    pub fn new(base_url: &Url, trusted: &[Url]) -> Self {
        CredentialScope {
            api: base_url.origin(),
            api_path: base_url.path().trim_end_matches('/').to_owned(),
            trusted: trusted.iter().map(Url::origin).collect(),
        }
    }

    /// Whether `url` is on the FHIR API's origin or a trusted one: the only places the
    /// access token goes.
    pub fn allows(&self, url: &Url) -> bool {
        let origin = url.origin();
        origin.is_tuple() && (origin == self.api || self.trusted.contains(&origin))
    }

    /// Whether `url` is the FHIR API itself (same origin, under the base path): the target's
    /// default headers and token belong there.
    pub fn is_api(&self, url: &Url) -> bool {
        if url.origin() != self.api {
            return false;
        }
        let path = url.path();
        path == self.api_path
            || self.api_path.is_empty()
            || path
                .strip_prefix(self.api_path.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }

    /// `Ok` when a URL handed out by the server may be followed with the credentials.
    pub fn check(&self, url: &Url, what: &str) -> Result<(), ForeignOrigin> {
        if self.allows(url) {
            return Ok(());
        }
        Err(ForeignOrigin {
            what: what.to_owned(),
            origin: origin_text(url),
            api: self.api.ascii_serialization(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn only_the_api_origin_and_trusted_ones_are_allowed() {
        let scope = CredentialScope::new(
            &url("https://ror.example/ws-diffusion-fhir"),
            &[url("https://files.example")],
        );
        assert!(scope.allows(&url("https://ror.example/ws-diffusion-fhir/x?_getpages=1")));
        assert!(scope.allows(&url("https://ror.example:443/other")));
        assert!(scope.allows(&url("https://files.example/export/1.ndjson")));
        for foreign in [
            "https://evil.example/ws-diffusion-fhir",
            "http://ror.example/ws-diffusion-fhir",
            "https://ror.example:8443/ws-diffusion-fhir",
            "https://ror.example.evil.example/ws-diffusion-fhir",
            "data:text/plain,x",
        ] {
            assert!(!scope.allows(&url(foreign)), "{foreign}");
        }
        let e = scope
            .check(&url("https://evil.example/p"), "le lien next")
            .expect_err("foreign");
        assert!(e.to_string().contains("https://evil.example:443"), "{e}");
    }

    #[test]
    fn the_api_is_its_origin_under_its_base_path() {
        let scope = CredentialScope::new(&url("http://h.test/fhir"), &[]);
        assert!(scope.is_api(&url("http://h.test/fhir")));
        assert!(scope.is_api(&url("http://h.test/fhir/Organization?x=1")));
        assert!(!scope.is_api(&url("http://h.test/fhirevil/Organization")));
        assert!(!scope.is_api(&url("http://h.test.evil/fhir/Organization")));
        assert!(!scope.is_api(&url("http://h.test/token")));
        let root = CredentialScope::new(&url("http://h.test"), &[]);
        assert!(root.is_api(&url("http://h.test/Organization")));
        assert!(!root.is_api(&url("http://h.test.evil/Organization")));
    }
}
