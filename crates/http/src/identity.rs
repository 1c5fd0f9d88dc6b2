//! TLS material of a target: the CA bundle to trust (the IGC-Santé chain, or the mock's test
//! CA) and the client certificate for mutual TLS, from PEM files or from the `.p12` that
//! IGC-Santé delivers (read directly, no openssl conversion needed).

use rorcheck_i18n::{Lang, t};
use std::path::{Path, PathBuf};

/// Why the TLS material could not be used. Messages never contain a password or a key.
#[derive(Debug, thiserror::Error)]
pub enum TlsMaterialError {
    /// A file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The PKCS#12 file could not be opened.
    #[error(
        "cannot open the PKCS#12 file {path}: wrong password, or not a PKCS#12 file ({reason})"
    )]
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// The PKCS#12 file holds no key.
    #[error("the PKCS#12 file {0} holds no private key with its certificate")]
    NoKey(PathBuf),
    /// A PEM file holds no certificate or no key.
    #[error("{path} holds no usable {what}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// `certificate` or `private key`.
        what: &'static str,
    },
    /// The material was refused by the TLS stack.
    #[error("invalid TLS material: {0}")]
    Invalid(String),
}

/// A client identity ready for reqwest, with what may be shown of it.
#[derive(Clone)]
pub struct ClientIdentity {
    /// Certificate chain then private key, PEM (secret: never displayed).
    pem: Vec<u8>,
    /// SHA-256 fingerprint of the leaf certificate (hex), shown in reports.
    pub fingerprint: String,
    /// Common name of the leaf certificate's subject.
    pub subject: Option<String>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsMaterialError> {
    std::fs::read(path).map_err(|e| TlsMaterialError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn describe(leaf_der: &[u8], pem: Vec<u8>) -> ClientIdentity {
    ClientIdentity {
        pem,
        fingerprint: crate::tls::fingerprint(leaf_der),
        subject: crate::tls::subject_cn(leaf_der),
    }
}

impl ClientIdentity {
    /// From a PEM certificate (chain) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsMaterialError> {
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        let certs = pem::parse_many(&cert_pem).map_err(|_| TlsMaterialError::Pem {
            path: cert.to_owned(),
            what: "certificate",
        })?;
        let leaf =
            certs
                .iter()
                .find(|p| p.tag() == "CERTIFICATE")
                .ok_or(TlsMaterialError::Pem {
                    path: cert.to_owned(),
                    what: "certificate",
                })?;
        let key_ok = pem::parse_many(&key_pem)
            .map(|blocks| blocks.iter().any(|b| b.tag().ends_with("PRIVATE KEY")))
            .unwrap_or(false);
        if !key_ok {
            return Err(TlsMaterialError::Pem {
                path: key.to_owned(),
                what: "private key",
            });
        }
        let mut pem = cert_pem.clone();
        pem.push(b'\n');
        pem.extend_from_slice(&key_pem);
        Ok(describe(leaf.contents(), pem))
    }

    /// From a PKCS#12 (`.p12`) file and its password.
    pub fn from_pkcs12_file(path: &Path, password: &str) -> Result<Self, TlsMaterialError> {
        let bytes = read(path)?;
        let store = p12_keystore::KeyStore::from_pkcs12(
            &bytes,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| TlsMaterialError::Pkcs12 {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| TlsMaterialError::NoKey(path.to_owned()))?;
        let leaf = chain
            .certs()
            .first()
            .ok_or_else(|| TlsMaterialError::NoKey(path.to_owned()))?;
        let mut blocks: Vec<pem::Pem> = chain
            .certs()
            .iter()
            .map(|c| pem::Pem::new("CERTIFICATE", c.as_der().to_vec()))
            .collect();
        blocks.push(pem::Pem::new("PRIVATE KEY", chain.key().as_der().to_vec()));
        Ok(describe(
            leaf.as_der(),
            pem::encode_many(&blocks).into_bytes(),
        ))
    }

    /// The certificate chain, leaf first.
    pub fn certificates(&self) -> Vec<rustls::pki_types::CertificateDer<'static>> {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::CertificateDer::pem_slice_iter(&self.pem)
            .filter_map(Result::ok)
            .collect()
    }

    /// Whether the private key is the one of the leaf certificate (a PEM pair from two
    /// different requests is a classic mistake).
    pub fn key_matches_certificate(&self) -> Result<(), KeyMismatch> {
        use rustls::pki_types::pem::PemObject;
        crate::tls::install_crypto_provider();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&self.pem)
            .map_err(|_| KeyMismatch::Unreadable)?;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(KeyMismatch::Unusable)?;
        rustls::sign::CertifiedKey::new(self.certificates(), signing)
            .keys_match()
            .map_err(KeyMismatch::OtherCertificate)
    }

    fn reqwest_identity(&self) -> Result<reqwest::Identity, TlsMaterialError> {
        reqwest::Identity::from_pem(&self.pem)
            .map_err(|e| TlsMaterialError::Invalid(format!("client certificate or key: {e}")))
    }
}

/// Everything TLS a target needs.
#[derive(Debug, Clone, Default)]
pub struct ClientTls {
    /// PEM bundle of CA certificates to trust.
    pub ca_pem: Option<Vec<u8>>,
    /// Trust only `ca_pem`, not the system roots (nothing at all without `ca_pem`).
    pub ca_only: bool,
    /// The client certificate and key, for mutual TLS.
    pub identity: Option<ClientIdentity>,
}

impl ClientTls {
    /// Trusts the CAs of the PEM bundle at `path` (only them when `only`).
    pub fn with_ca_file(mut self, path: &Path, only: bool) -> Result<Self, TlsMaterialError> {
        let pem = read(path)?;
        if reqwest::Certificate::from_pem_bundle(&pem)
            .map(|c| c.is_empty())
            .unwrap_or(true)
        {
            return Err(TlsMaterialError::Pem {
                path: path.to_owned(),
                what: "CA certificate",
            });
        }
        self.ca_pem = Some(pem);
        self.ca_only = only;
        Ok(self)
    }

    /// A reqwest client with this material. TLS verification is always on; redirects are not
    /// followed, so that a scenario sees the status the server really sent.
    pub fn client(&self) -> Result<reqwest::Client, TlsMaterialError> {
        crate::tls::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rorcheck/", env!("CARGO_PKG_VERSION")));
        let certs = match &self.ca_pem {
            Some(pem) => reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| TlsMaterialError::Invalid(format!("CA bundle: {e}")))?,
            None => Vec::new(),
        };
        if self.ca_only {
            // Without a CA, nothing is trusted over TLS: a plain-HTTP target's client.
            builder = builder.tls_certs_only(certs);
        } else if !certs.is_empty() {
            builder = builder.tls_certs_merge(certs);
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.reqwest_identity()?);
        }
        builder
            .build()
            .map_err(|e| TlsMaterialError::Invalid(e.to_string()))
    }
}

/// Why a client identity's private key does not go with its certificate.
#[derive(Debug, thiserror::Error)]
pub enum KeyMismatch {
    /// The key is not a PEM private key.
    #[error("{}", t!(Lang::current(), "h-key-unreadable"))]
    Unreadable,
    /// The key cannot sign.
    #[error("{}", t!(Lang::current(), "h-key-unusable", why = .0))]
    Unusable(rustls::Error),
    /// The key is another certificate's.
    #[error("{0}")]
    OtherCertificate(rustls::Error),
}
