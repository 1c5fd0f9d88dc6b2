//! The embedded mock ROR as a target, built as data (no configuration text): what
//! `rorcheck run` uses by default, and how tests and benchmarks start it, so that they
//! exercise exactly the embedding the product ships.
//!
//! Two flavours, as on the real ROR: access profile 0 authenticated by a client secret, and
//! profiles 1 to 5 over mutual TLS (the profile-1 demo client and its test certificate).

use rorcheck_i18n::{Lang, t};
use std::path::Path;

use rorcheck_engine::config::{
    AuthConfig, ConfigError, Target, TargetAuth, TargetConfig, TlsConfig,
};
use rorcheck_engine::run::Runner;
use rorcheck_engine::run::larger::{Guard, LargerTarget, StartError};
use rorcheck_fhirpath::{FhirPath, FhirPathError};
use rorcheck_http::identity::ClientTls;
use rorcheck_http::oauth::TokenSource;
use rorcheck_http::{HttpClient, Limits, Redactor};
use rorcheck_mock::{GenerateOptions, MockError, MockOptions, MockServer, TlsMode};

/// The name of the mutual-TLS embedded target (`--target mock-mtls`).
pub const MOCK_MTLS: &str = "mock-mtls";

/// The client of access profile 1 the mutual-TLS mock issues a test certificate to.
const MTLS_CLIENT: &str = "rorcheck-demo-p1";

/// Why the embedded target could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// The mock did not start (e.g. its port is taken).
    #[error("cannot start the embedded mock ROR: {0}")]
    Start(#[from] MockError),
    /// The test certificates could not be written.
    #[error("cannot write the test certificates: {0}")]
    Certificates(std::io::Error),
    /// The mutual-TLS flavour was asked of a mock started without its test PKI.
    #[error("the mutual-TLS mock has no test PKI")]
    NoPki,
    /// The target could not be built from the mock's addresses.
    #[error(transparent)]
    Target(#[from] ConfigError),
    /// The mock's token URL is not a URL.
    #[error("invalid token URL: {0}")]
    TokenUrl(#[from] url::ParseError),
}

/// An embedded mock started for a run, with its target (and, for mutual TLS, the directory
/// of its test certificates, removed when this is dropped).
pub struct Embedded {
    /// Kept so that the mock serves as long as the target is used.
    _mock: MockServer,
    _certificates: Option<tempfile::TempDir>,
    /// The target that reaches the mock.
    pub target: Target,
}

impl Embedded {
    /// Starts a mock with `options` (its `tls` decides the flavour: `Mtls` gives the
    /// profile-1 target, anything else the profile-0 one).
    pub async fn start(options: MockOptions) -> Result<Embedded, EmbeddedError> {
        let mtls = options.tls == TlsMode::Mtls;
        let mock = MockServer::start(options).await?;
        if !mtls {
            let target = secret_target(&mock)?;
            return Ok(Embedded {
                _mock: mock,
                _certificates: None,
                target,
            });
        }
        let dir = tempfile::tempdir().map_err(EmbeddedError::Certificates)?;
        let target = mtls_target(&mock, dir.path())?;
        Ok(Embedded {
            _mock: mock,
            _certificates: Some(dir),
            target,
        })
    }
}

/// The mock as a target for access profile 0: the demo client's secret, its token endpoint,
/// and the values the authentication scenarios need (expired and tampered tokens).
pub fn secret_target(mock: &MockServer) -> Result<Target, EmbeddedError> {
    // Its client trusts the mock's test CA alone, nothing over plain HTTP: the system's
    // roots are never needed on loopback, and loading them cost milliseconds a target.
    let tls = ClientTls {
        ca_pem: mock
            .pki
            .as_ref()
            .map(|p| p.ca.cert_pem.clone().into_bytes()),
        ca_only: true,
        identity: None,
    };
    let name = t!(Lang::current(), "target-mock");
    let mut target = Target::with_tls(&name, &mock.base_url, &tls)?;
    // The harness authenticates to the mock as a real client would: client_credentials.
    let client = mock.demo_client();
    let token_url = url::Url::parse(&mock.token_url)?;
    target.auth = TargetAuth::ClientCredentials(std::sync::Arc::new(TokenSource::new(
        token_url,
        client.client_id.clone(),
        Some(client.secret.clone()),
        target.http.clone(),
    )));
    target.access_profile = Some(ror::AccessProfile::PUBLIC);
    target.limits = Limits::EMBEDDED;
    target.offers = Some(mock.offers_for(0) as u64);
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

/// The mutual-TLS mock as a target: the profile-1 demo client presenting its test
/// certificate (written to `dir` with the test CA), tokens by certificate (RFC 8705).
pub fn mtls_target(mock: &MockServer, dir: &Path) -> Result<Target, EmbeddedError> {
    let pki = mock.pki.as_ref().ok_or(EmbeddedError::NoPki)?;
    pki.write(dir).map_err(EmbeddedError::Certificates)?;
    let config = TargetConfig {
        base_url: Some(mock.base_url.clone()),
        access_profile: ror::AccessProfile::try_from(1).ok(),
        auth: Some(AuthConfig::Mtls {
            token_url: Some(mock.token_url.clone()),
            client_id: MTLS_CLIENT.into(),
        }),
        tls: Some(TlsConfig {
            ca: Some(dir.join("ca.pem")),
            ca_only: true,
            cert: Some(dir.join(format!("{MTLS_CLIENT}.pem"))),
            key: Some(dir.join(format!("{MTLS_CLIENT}.key.pem"))),
            p12: None,
            password: None,
        }),
        ..TargetConfig::default()
    };
    let mut target = Target::from_config(&t!(Lang::current(), "target-mock-mtls"), &config)?;
    target.limits = Limits::EMBEDDED;
    target.offers = Some(mock.offers_for(1) as u64);
    for (name, value) in [
        ("expired_token", mock.expired_demo_token()),
        ("tampered_token", mock.tampered_demo_token()),
    ] {
        target.variables.insert(name.into(), value);
        target.secret_variables.push(name.into());
    }
    Ok(target)
}

/// The most offers a larger embedded target serves (each generated offer costs ~0.015 ms of
/// start-up on two cores and ~9 KB of memory, its view written ahead included): twice what the catalogue needs (10 001 for the 10 000-result
/// cap), so that a scenario file cannot make a run wait for minutes.
pub const MAX_LARGER_OFFERS: u64 = 20_000;

/// The embedded mock of `options` (its flavour, its faults) where the client finds at least
/// `offers` offers, as a target started when a scenario first needs that many
/// (`min_offers`).
pub fn larger(options: MockOptions, offers: u64) -> LargerTarget {
    if offers > MAX_LARGER_OFFERS {
        // A scenario file sets `min_offers`: it must not make the run generate a dataset
        // that exhausts the machine's memory.
        return LargerTarget::new(offers, move || {
            Box::pin(async move {
                Err(StartError(t!(
                    Lang::current(),
                    "larger-too-many",
                    offers = offers,
                    max = MAX_LARGER_OFFERS
                )))
            })
        });
    }
    // Every eighth generated offer is a sensitive unit, hidden from profile 0: generate a
    // seventh more (seven in eight of them are then at least `offers`), and check what the
    // client finds once started.
    let generated = offers.saturating_add(offers.div_ceil(7));
    let options = MockOptions {
        dataset: GenerateOptions {
            offers: usize::try_from(generated).unwrap_or(usize::MAX),
            ..options.dataset
        },
        // Its client pages through every offer it may see: their views are written as
        // they are generated rather than read back from the store for each page.
        views_ahead: Some(if options.tls == TlsMode::Mtls { 1 } else { 0 }),
        // And only so: the rest of its dataset is there for its references, generated
        // again if a client reads it rather than written and compressed at the start.
        regenerated: true,
        ..options
    };
    LargerTarget::new(offers, move || {
        let options = options.clone();
        Box::pin(async move {
            let embedded = Embedded::start(options)
                .await
                .map_err(|e| StartError(e.to_string()))?;
            let mut target = embedded.target.clone();
            let found = target.offers.unwrap_or_default();
            if found < offers {
                return Err(StartError(t!(
                    Lang::current(),
                    "larger-too-few",
                    found = found,
                    generated = generated,
                    offers = offers
                )));
            }
            target.name = t!(
                Lang::current(),
                "larger-name",
                name = &target.name,
                count = found
            );
            Ok((target, Box::new(embedded) as Guard))
        })
    })
}

/// The most offers the scenarios need (their `min_offers`), when the embedded mock's `held`
/// is not enough: the size of the larger target to offer them.
pub fn larger_needed(needs: impl IntoIterator<Item = u64>, held: u64) -> Option<u64> {
    needs.into_iter().max().filter(|needed| *needed > held)
}

/// A runner for `target` that sends with the target's own client, as `rorcheck run` does.
pub async fn runner(target: Target) -> Result<Runner, FhirPathError> {
    let fhirpath = FhirPath::new().await?;
    let client = HttpClient::from_reqwest(target.http.clone());
    Ok(Runner::new(client, fhirpath, target, Redactor::default()))
}
