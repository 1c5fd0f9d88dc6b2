//! Small TLS helpers shared by the HTTP client and the mock: the crypto provider and what
//! may be shown of a certificate.

use sha2::{Digest, Sha256};

/// rustls needs one process-wide crypto provider; aws-lc-rs is the one reqwest uses too.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// RFC 8705 `x5t#S256` of a DER certificate: base64url of its SHA-256.
pub fn thumbprint(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(der))
}

/// SHA-256 fingerprint of a DER certificate, hex pairs as browsers show it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The common name of a DER certificate's subject, if it has one.
pub fn subject_cn(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned)
}
