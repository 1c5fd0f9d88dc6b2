//! A test PKI generated at start-up (never committed): a CA standing in for IGC-Santé, the
//! mock's server certificate, and client certificates for the mTLS demo clients.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The test PKI could not be generated.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate the test PKI: {0}")]
pub struct PkiError(String);

fn err(e: impl std::fmt::Display) -> PkiError {
    PkiError(e.to_string())
}

/// The task making the certificates ended without them (it panicked or was cancelled).
pub(crate) fn interrupted(e: tokio::task::JoinError) -> PkiError {
    PkiError(format!("certificate generation interrupted: {e}"))
}

/// A certificate with its private key, in both DER and PEM.
pub struct Identity {
    /// The certificate, DER.
    pub cert_der: CertificateDer<'static>,
    /// The certificate, PEM.
    pub cert_pem: String,
    key_der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("thumbprint", &thumbprint(&self.cert_der))
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The private key, PKCS#8 DER.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    /// RFC 8705 `x5t#S256`: base64url of the SHA-256 of the certificate.
    pub fn thumbprint(&self) -> String {
        thumbprint(&self.cert_der)
    }
}

pub use rorcheck_http::tls::{subject_cn, thumbprint};

/// A certificate authority able to sign server and client certificates.
pub struct Authority {
    params: CertificateParams,
    key: KeyPair,
    /// The CA certificate, DER.
    pub cert_der: CertificateDer<'static>,
    /// The CA certificate, PEM.
    pub cert_pem: String,
}

impl Authority {
    /// A new self-signed CA named `name`.
    pub fn new(name: &str) -> Result<Self, PkiError> {
        let key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, "rorcheck (test)");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).map_err(err)?;
        Ok(Authority {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            params,
            key,
        })
    }

    fn issue(
        &self,
        cn: &str,
        sans: Vec<String>,
        usage: ExtendedKeyUsagePurpose,
        validity_days: i64,
    ) -> Result<Identity, PkiError> {
        let key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::new(sans).map_err(err)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn.push(DnType::OrganizationName, "rorcheck (test)");
        params.distinguished_name = dn;
        params.extended_key_usages = vec![usage];
        let now = time_now();
        if validity_days >= 0 {
            params.not_before = now - time::Duration::days(1);
            params.not_after = now + time::Duration::days(validity_days);
        } else {
            // Already expired: for tests of expiry handling.
            params.not_before = now - time::Duration::days(30);
            params.not_after = now + time::Duration::days(validity_days);
        }
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(err)?;
        Ok(Identity {
            cert_der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        })
    }

    /// A server certificate for `localhost`, `127.0.0.1` and `::1`.
    pub fn server(&self) -> Result<Identity, PkiError> {
        let sans = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        self.issue("localhost", sans, ExtendedKeyUsagePurpose::ServerAuth, 365)
    }

    /// A client certificate (usage AUTH_CLI) valid for `validity_days` (negative: expired).
    pub fn client(&self, cn: &str, validity_days: i64) -> Result<Identity, PkiError> {
        self.issue(
            cn,
            Vec::new(),
            ExtendedKeyUsagePurpose::ClientAuth,
            validity_days,
        )
    }
}

fn time_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The mock's PKI: its CA, its server certificate, and one client certificate for each
/// mTLS demo client (access profiles 1 to 5).
pub struct MockPki {
    /// The test CA.
    pub ca: Authority,
    /// The mock's server certificate (for `localhost` and `127.0.0.1`).
    pub server: Identity,
    /// `(client_id, access profile, identity)`.
    pub clients: Vec<(String, u8, Identity)>,
}

impl MockPki {
    /// The CA, the server certificate, the demo clients of profiles 1 to 5, and one
    /// certificate for each configured `(client_id, profile, subject)`.
    pub fn generate(configured: &[(String, u8, String)]) -> Result<Self, PkiError> {
        let ca = Authority::new("rorcheck IGC-Santé de test")?;
        let server = ca.server()?;
        let mut clients = (1..=5)
            .map(|p| {
                let id = format!("rorcheck-demo-p{p}");
                ca.client(&id, 365).map(|identity| (id, p, identity))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (id, profile, subject) in configured {
            clients.push((id.clone(), *profile, ca.client(subject, 365)?));
        }
        Ok(MockPki {
            ca,
            server,
            clients,
        })
    }

    /// The first client certificate of an access profile (the demo one for 1 to 5).
    pub fn client(&self, profile: u8) -> Option<&(String, u8, Identity)> {
        self.clients.iter().find(|(_, p, _)| *p == profile)
    }

    /// The client certificate issued for a client id.
    pub fn client_by_id(&self, client_id: &str) -> Option<&Identity> {
        self.clients
            .iter()
            .find(|(id, _, _)| id == client_id)
            .map(|(_, _, identity)| identity)
    }

    /// Writes `ca.pem`, `server.pem`, and `<client_id>.pem` / `<client_id>.key.pem` so that
    /// a vendor's application can use them.
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut files = vec![
            (dir.join("ca.pem"), self.ca.cert_pem.clone()),
            (dir.join("server.pem"), self.server.cert_pem.clone()),
        ];
        for (id, _, identity) in &self.clients {
            files.push((dir.join(format!("{id}.pem")), identity.cert_pem.clone()));
            files.push((dir.join(format!("{id}.key.pem")), identity.key_pem.clone()));
        }
        for (path, text) in &files {
            std::fs::write(path, text)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}
