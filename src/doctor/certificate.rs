//! Checks of the TLS material on disk: CA bundle, client certificate file, password,
//! subject and issuer, validity, key match and chain to the configured CA.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};

use super::{Diagnosis, Lang};
use rorcheck_engine::config::TlsConfig;
use rorcheck_http::identity::{ClientIdentity, TlsMaterialError};

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
            l.pick("Clé privée du certificat", "Certificate private key"),
            l.pick(
                "la clé privée correspond au certificat",
                "the private key matches the certificate",
            ),
        ),
        Err(why) => d.fail(
            "certificate-key",
            l.pick("Clé privée du certificat", "Certificate private key"),
            l.pick(
                format!("la clé ne correspond pas au certificat ({why})"),
                format!("the key does not match the certificate ({why})"),
            ),
            l.pick(
                "donnez la clé générée avec la demande de ce certificat (ou le .p12 complet)",
                "give the key generated with this certificate's request (or the whole .p12)",
            ),
        ),
    }
    chain(d, &certs, roots, tls.ca.is_some());
}

/// Reads the CA bundle; `None` (with a failed check) when it is unusable.
fn ca_bundle(d: &mut Diagnosis, path: &Path) -> Option<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let l = d.lang;
    let label = l.pick("Magasin d'AC (ca)", "CA bundle (ca)");
    let certs: Vec<CertificateDer<'static>> = match std::fs::read(path) {
        Ok(bytes) => CertificateDer::pem_slice_iter(&bytes)
            .filter_map(Result::ok)
            .collect(),
        Err(e) => {
            d.fail(
                "ca-bundle",
                label,
                l.pick(
                    format!("{} illisible : {e}", path.display()),
                    format!("cannot read {}: {e}", path.display()),
                ),
                l.pick(
                    "indiquez le fichier PEM de la chaîne IGC-Santé (AC de test pour le bac-à-sable)",
                    "give the PEM file of the IGC-Santé chain (test CA for the sandbox)",
                ),
            );
            return None;
        }
    };
    if certs.is_empty() {
        d.fail(
            "ca-bundle",
            label,
            l.pick(
                format!("{} ne contient aucun certificat PEM", path.display()),
                format!("{} holds no PEM certificate", path.display()),
            ),
            l.pick(
                "le fichier doit contenir des blocs « BEGIN CERTIFICATE »",
                "the file must hold \"BEGIN CERTIFICATE\" blocks",
            ),
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
        l.pick(
            format!("{} certificat(s) : {}", certs.len(), names.join(", ")),
            format!("{} certificate(s): {}", certs.len(), names.join(", ")),
        ),
    );
    Some(certs)
}

/// Opens the client certificate, telling apart an unreadable file and a wrong password.
fn identity(d: &mut Diagnosis, tls: &TlsConfig) -> Option<ClientIdentity> {
    let l = d.lang;
    let file_label = l.pick("Certificat client : fichier", "Client certificate: file");
    let opened = match (&tls.p12, &tls.cert, &tls.key) {
        (Some(p12), None, None) => {
            if !readable(d, p12, &file_label) {
                return None;
            }
            let password = match &tls.password {
                Some(source) => match source.resolve("certificate password") {
                    Ok(p) => p,
                    Err(e) => {
                        d.fail(
                            "certificate-password",
                            l.pick("Mot de passe du .p12", ".p12 password"),
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
                    l.pick("Mot de passe du .p12", ".p12 password"),
                    l.pick("le .p12 s'ouvre", "the .p12 opens"),
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
                l.pick(
                    "configuration incomplète ou ambiguë",
                    "incomplete or ambiguous configuration",
                ),
                l.pick(
                    "donnez soit `p12` (+ `password`), soit `cert` et `key`",
                    "give either `p12` (+ `password`) or `cert` and `key`",
                ),
            );
            return None;
        }
    };
    match opened {
        Ok(identity) => Some(identity),
        Err(TlsMaterialError::Pkcs12 { .. }) => {
            d.fail(
                "certificate-password",
                l.pick("Mot de passe du .p12", ".p12 password"),
                l.pick(
                    "le .p12 ne s'ouvre pas : mot de passe erroné, ou fichier qui n'est pas un PKCS#12",
                    "the .p12 does not open: wrong password, or not a PKCS#12 file",
                ),
                password_fix(l, tls.password.as_ref(), true),
            );
            None
        }
        Err(e) => {
            d.fail(
                "certificate-file",
                file_label,
                e.to_string(),
                l.pick(
                    "le fichier doit contenir le certificat et sa clé privée",
                    "the file must hold the certificate and its private key",
                ),
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
    let (fr_where, en_where) = match source {
        Some(rorcheck_engine::config::SecretSource {
            env: Some(var),
            file: None,
        }) => (format!("la variable {var}"), format!("the variable {var}")),
        Some(rorcheck_engine::config::SecretSource {
            env: None,
            file: Some(path),
        }) => (
            format!("le fichier {}", path.display()),
            format!("the file {}", path.display()),
        ),
        Some(rorcheck_engine::config::SecretSource {
            env: Some(var),
            file: Some(path),
        }) => (
            format!("la variable {var} ou le fichier {}", path.display()),
            format!("the variable {var} or the file {}", path.display()),
        ),
        _ => (
            "`tls.password` (aucune source configurée)".to_owned(),
            "`tls.password` (no source configured)".to_owned(),
        ),
    };
    if wrong {
        l.pick(
            format!(
                "vérifiez {fr_where} : le mot de passe choisi au retrait du certificat IGC-Santé"
            ),
            format!(
                "check {en_where}: the password chosen when the IGC-Santé certificate was issued"
            ),
        )
    } else {
        l.pick(format!("renseignez {fr_where}"), format!("set {en_where}"))
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
                l.pick(
                    format!("{} introuvable ou illisible", path.display()),
                    format!("{} missing or unreadable", path.display()),
                ),
                l.pick(
                    "vérifiez le chemin (relatif au répertoire courant) et les droits",
                    "check the path (relative to the current directory) and permissions",
                ),
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
        l.pick("Sujet et émetteur", "Subject and issuer"),
        l.pick(
            format!(
                "sujet « {subject} », émetteur « {issuer} », SHA-256 {}",
                rorcheck_http::tls::fingerprint(leaf)
            ),
            format!(
                "subject \"{subject}\", issuer \"{issuer}\", SHA-256 {}",
                rorcheck_http::tls::fingerprint(leaf)
            ),
        ),
    );
}

fn validity(d: &mut Diagnosis, leaf: &CertificateDer<'_>) {
    let l = d.lang;
    let label = l.pick("Validité du certificat", "Certificate validity");
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
            l.pick(
                format!("pas encore valide (à partir du {})", date(not_before)),
                format!("not valid yet (from {})", date(not_before)),
            ),
            l.pick(
                "vérifiez l'horloge de la machine",
                "check the machine's clock",
            ),
        );
    } else if now > not_after {
        d.fail(
            "certificate-validity",
            label,
            l.pick(
                format!("expiré depuis le {}", date(not_after)),
                format!("expired on {}", date(not_after)),
            ),
            l.pick(
                "renouvelez le certificat auprès de l'IGC-Santé",
                "renew the certificate with IGC-Santé",
            ),
        );
    } else {
        let soon = if days_left < RENEWAL_NOTICE_DAYS {
            l.pick(" — à renouveler bientôt", " — renew it soon")
        } else {
            String::new()
        };
        d.pass(
            "certificate-validity",
            label,
            l.pick(
                format!(
                    "valide jusqu'au {} ({days_left} jours){soon}",
                    date(not_after)
                ),
                format!("valid until {} ({days_left} days){soon}", date(not_after)),
            ),
        );
    }
}

/// A certificate verification error in words (rustls' own text carries timestamps).
fn explain(e: &rustls::Error, l: Lang) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => l.pick(
                "émis par une AC absente du magasin (UnknownIssuer)",
                "issued by a CA that is not in the bundle (UnknownIssuer)",
            ),
            C::Expired | C::ExpiredContext { .. } => l.pick(
                "la chaîne n'est pas valide : certificat expiré",
                "the chain is not valid: certificate expired",
            ),
            C::NotValidYet | C::NotValidYetContext { .. } => l.pick(
                "la chaîne n'est pas valide : certificat pas encore valide",
                "the chain is not valid: certificate not valid yet",
            ),
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => l.pick(
                "le certificat n'autorise pas l'authentification client (extendedKeyUsage)",
                "the certificate does not allow client authentication (extendedKeyUsage)",
            ),
            C::BadSignature => l.pick(
                "signature de la chaîne invalide",
                "invalid signature in the chain",
            ),
            C::Revoked => l.pick("certificat révoqué", "certificate revoked"),
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
    let label = l.pick("Chaîne vers l'AC configurée", "Chain to the configured CA");
    let Some(roots) = roots else {
        let why = if ca_configured {
            l.pick(
                "magasin d'AC inutilisable (voir plus haut)",
                "CA bundle unusable (see above)",
            )
        } else {
            l.pick(
                "aucune AC configurée (tls.ca ou ROR_CA_BUNDLE) : chaîne non vérifiable localement",
                "no CA configured (tls.ca or ROR_CA_BUNDLE): chain not checkable locally",
            )
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
            l.pick(
                "le certificat est émis par une AC du magasin et utilisable pour l'authentification client",
                "the certificate is issued by a CA of the bundle and usable for client authentication",
            ),
        ),
        Err(why) => d.fail(
            "certificate-chain",
            label,
            why,
            l.pick(
                "le certificat doit être émis par l'IGC-Santé (AC de test pour le bac-à-sable) : vérifiez le magasin d'AC et le certificat",
                "the certificate must be issued by IGC-Santé (test CA for the sandbox): check the CA bundle and the certificate",
            ),
        ),
    }
}
