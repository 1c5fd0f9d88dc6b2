//! Checks of the TLS material on disk: CA bundle, client certificate file, password,
//! subject and issuer, validity, key match and chain to the configured CA.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};

use super::{Diagnosis, Lang};
use rorcheck_engine::config::TlsConfig;
use rorcheck_http::identity::{ClientIdentity, TlsMaterialError};
use rorcheck_i18n::t;

/// Days before expiry under which the certificate check warns in its detail.
const RENEWAL_NOTICE_DAYS: i64 = 30;

pub(super) async fn check(d: &mut Diagnosis, tls: &TlsConfig) {
    let l = d.lang;
    let roots = tls.ca.as_deref().and_then(|ca| ca_bundle(d, ca));
    let Some(identity) = identity(d, tls) else {
        return;
    };
    let certs = identity.certificates();
    let Some(leaf) = certs.first() else {
        return;
    };
    describe(d, leaf);
    validity(d, leaf);
    match identity.key_matches_certificate() {
        Ok(()) => d.pass(
            "certificate-key",
            t!(l, "doctor-certificate-private-key"),
            t!(l, "doctor-private-key-matches-certificate"),
        ),
        Err(why) => d.fail(
            "certificate-key",
            t!(l, "doctor-certificate-private-key"),
            t!(
                l,
                "doctor-key-does-not-match-certificate",
                why = why.to_string()
            ),
            t!(l, "doctor-give-key-generated-with-this"),
        ),
    }
    chain(d, &certs, roots, tls.ca.is_some());
}

/// Reads the CA bundle; `None` (with a failed check) when it is unusable.
fn ca_bundle(d: &mut Diagnosis, path: &Path) -> Option<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let l = d.lang;
    let label = t!(l, "doctor-ca-bundle");
    let certs: Vec<CertificateDer<'static>> = match std::fs::read(path) {
        Ok(bytes) => CertificateDer::pem_slice_iter(&bytes)
            .filter_map(Result::ok)
            .collect(),
        Err(e) => {
            d.fail(
                "ca-bundle",
                label,
                t!(
                    l,
                    "doctor-cannot-read",
                    path = path.display().to_string(),
                    e = e.to_string()
                ),
                t!(l, "doctor-give-pem-chain"),
            );
            return None;
        }
    };
    if certs.is_empty() {
        d.fail(
            "ca-bundle",
            label,
            t!(
                l,
                "doctor-holds-no-pem-certificate",
                path = path.display().to_string()
            ),
            t!(l, "doctor-file-must-hold-begin-certificate"),
        );
        return None;
    }
    let names: Vec<String> = certs
        .iter()
        .map(|c| rorcheck_http::tls::subject_cn(c).unwrap_or_else(|| "?".into()))
        .collect();
    d.pass(
        "ca-bundle",
        label,
        t!(
            l,
            "doctor-ca-certificates",
            certs_count = certs.len(),
            names = names.join(", ")
        ),
    );
    Some(certs)
}

/// Opens the client certificate, telling apart an unreadable file and a wrong password.
fn identity(d: &mut Diagnosis, tls: &TlsConfig) -> Option<ClientIdentity> {
    let l = d.lang;
    let file_label = t!(l, "doctor-client-certificate-file");
    let opened = match (&tls.p12, &tls.cert, &tls.key) {
        (Some(p12), None, None) => {
            if !readable(d, p12, &file_label) {
                return None;
            }
            let password = match &tls.password {
                Some(source) => match source.resolve(&t!(l, "secret-cert-password")) {
                    Ok(p) => p,
                    Err(e) => {
                        d.fail(
                            "certificate-password",
                            t!(l, "doctor-p12-password"),
                            e.to_string(),
                            password_fix(l, tls.password.as_ref(), false),
                        );
                        return None;
                    }
                },
                None => String::new(),
            };
            let opened = ClientIdentity::from_pkcs12_file(p12, &password);
            if !matches!(opened, Err(TlsMaterialError::Pkcs12 { .. })) {
                d.pass(
                    "certificate-password",
                    t!(l, "doctor-p12-password"),
                    t!(l, "doctor-p12-opens"),
                );
            }
            opened
        }
        (None, Some(cert), Some(key)) => {
            if !readable(d, cert, &file_label) || !readable(d, key, &file_label) {
                return None;
            }
            ClientIdentity::from_pem_files(cert, key)
        }
        (None, None, None) => return None,
        _ => {
            d.fail(
                "certificate-file",
                file_label,
                t!(l, "doctor-incomplete-ambiguous-configuration"),
                t!(l, "doctor-give-either-p12-password-cert"),
            );
            return None;
        }
    };
    match opened {
        Ok(identity) => Some(identity),
        Err(TlsMaterialError::Pkcs12 { .. }) => {
            d.fail(
                "certificate-password",
                t!(l, "doctor-p12-password"),
                t!(l, "doctor-p12-does-not-open-wrong"),
                password_fix(l, tls.password.as_ref(), true),
            );
            None
        }
        Err(e) => {
            d.fail(
                "certificate-file",
                file_label,
                e.to_string(),
                t!(l, "doctor-file-must-hold-certificate-its"),
            );
            None
        }
    }
}

/// The fix for a `.p12` password problem, naming where this configuration reads it from.
fn password_fix(
    l: super::Lang,
    source: Option<&rorcheck_engine::config::SecretSource>,
    wrong: bool,
) -> String {
    let place = match source {
        Some(rorcheck_engine::config::SecretSource {
            env: Some(var),
            file: None,
        }) => t!(l, "doctor-password-in-variable", var = var),
        Some(rorcheck_engine::config::SecretSource {
            env: None,
            file: Some(path),
        }) => t!(
            l,
            "doctor-password-in-file",
            path = path.display().to_string()
        ),
        Some(rorcheck_engine::config::SecretSource {
            env: Some(var),
            file: Some(path),
        }) => t!(
            l,
            "doctor-password-in-variable-or-file",
            var = var,
            path = path.display().to_string()
        ),
        _ => t!(l, "doctor-password-nowhere"),
    };
    if wrong {
        t!(l, "doctor-password-check", place = place)
    } else {
        t!(l, "doctor-password-set", place = place)
    }
}

fn readable(d: &mut Diagnosis, path: &Path, label: &str) -> bool {
    let l = d.lang;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => true,
        Ok(_) | Err(_) => {
            d.fail(
                "certificate-file",
                label.to_owned(),
                t!(
                    l,
                    "doctor-missing-unreadable",
                    path = path.display().to_string()
                ),
                t!(l, "doctor-check-path-relative-current-directory"),
            );
            false
        }
    }
}

fn describe(d: &mut Diagnosis, leaf: &CertificateDer<'_>) {
    let l = d.lang;
    let (subject, issuer) = match x509_parser::parse_x509_certificate(leaf) {
        Ok((_, c)) => (c.subject().to_string(), c.issuer().to_string()),
        Err(_) => ("?".into(), "?".into()),
    };
    d.pass(
        "certificate-identity",
        t!(l, "doctor-subject-issuer"),
        t!(
            l,
            "doctor-subject-issuer-sha-256",
            subject = subject,
            issuer = issuer,
            fingerprint = rorcheck_http::tls::fingerprint(leaf)
        ),
    );
}

fn validity(d: &mut Diagnosis, leaf: &CertificateDer<'_>) {
    let l = d.lang;
    let label = t!(l, "doctor-certificate-validity");
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(leaf) else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let not_before = cert.validity().not_before.timestamp();
    let not_after = cert.validity().not_after.timestamp();
    let days_left = (not_after - now).div_euclid(86_400);
    let date = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    if now < not_before {
        d.fail(
            "certificate-validity",
            label,
            t!(
                l,
                "doctor-not-valid-yet-from",
                not_before = date(not_before)
            ),
            t!(l, "doctor-check-clock"),
        );
    } else if now > not_after {
        d.fail(
            "certificate-validity",
            label,
            t!(l, "doctor-expired-on", not_after = date(not_after)),
            t!(l, "doctor-renew-certificate"),
        );
    } else {
        let soon = if days_left < RENEWAL_NOTICE_DAYS {
            t!(l, "doctor-renew-it-soon")
        } else {
            String::new()
        };
        d.pass(
            "certificate-validity",
            label,
            t!(
                l,
                "doctor-valid-until-days",
                not_after = date(not_after),
                days_left = days_left,
                soon = soon
            ),
        );
    }
}

/// A certificate verification error in words (rustls' own text carries timestamps).
fn explain(e: &rustls::Error, l: Lang) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => t!(l, "doctor-issued-by-ca-that-not"),
            C::Expired | C::ExpiredContext { .. } => {
                t!(l, "doctor-chain-not-valid-certificate-expired")
            }
            C::NotValidYet | C::NotValidYetContext { .. } => {
                t!(l, "doctor-chain-not-valid-yet")
            }
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                t!(l, "doctor-certificate-does-not-allow-client")
            }
            C::BadSignature => t!(l, "doctor-invalid-signature-chain"),
            C::Revoked => t!(l, "doctor-certificate-revoked"),
            other => format!("{other:?}"),
        },
        other => other.to_string(),
    }
}

/// Verifies the client certificate chains to the configured CA, as the server will.
fn chain(
    d: &mut Diagnosis,
    certs: &[CertificateDer<'static>],
    roots: Option<Vec<CertificateDer<'static>>>,
    ca_configured: bool,
) {
    let l = d.lang;
    let label = t!(l, "doctor-chain-configured-ca");
    let Some(roots) = roots else {
        let why = if ca_configured {
            t!(l, "doctor-ca-bundle-unusable-see-above")
        } else {
            t!(l, "doctor-no-ca-configured-tls-ca")
        };
        d.not_checked("certificate-chain", label, why);
        return;
    };
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        let _ = store.add(r);
    }
    rorcheck_http::tls::install_crypto_provider();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verdict =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|e| e.to_string())
            .and_then(|verifier| {
                let (leaf, intermediates) = certs.split_first().ok_or("no certificate")?;
                verifier
                    .verify_client_cert(leaf, intermediates, UnixTime::now())
                    .map(|_| ())
                    .map_err(|e| explain(&e, l))
            });
    match verdict {
        Ok(()) => d.pass(
            "certificate-chain",
            label,
            t!(l, "doctor-certificate-issued-by-ca-bundle"),
        ),
        Err(why) => d.fail(
            "certificate-chain",
            label,
            why,
            t!(l, "doctor-certificate-must-be-issued-by"),
        ),
    }
}
