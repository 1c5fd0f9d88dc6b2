//! The clients file of the mock: who may ask for a token, with which access profile, and how
//! it authenticates (a secret for profile 0, a certificate subject for mTLS).
//!
//! ```toml
//! [[client]]
//! client_id = "mon-logiciel-p0"
//! access_profile = 0
//! secret = "secret-de-test"
//!
//! [[client]]
//! client_id = "mon-logiciel-p2"
//! access_profile = 2
//! cert_subject = "mon-logiciel-p2"   # the mock issues this certificate (see --write-certs)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::auth::Client;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    #[serde(default, rename = "client")]
    clients: Vec<ClientEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    client_id: String,
    access_profile: u8,
    secret: Option<String>,
    cert_subject: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error("cannot read clients file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("clients file {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// Reads the clients file. Each client has either a secret or a certificate subject.
pub fn load(path: &Path) -> Result<Vec<Client>, ClientsError> {
    let text = std::fs::read_to_string(path).map_err(|e| ClientsError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let invalid = |reason: String| ClientsError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let file: ClientsFile = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let mut seen = std::collections::BTreeSet::new();
    file.clients
        .into_iter()
        .map(|c| {
            if !seen.insert(c.client_id.clone()) {
                return Err(invalid(format!(
                    "client `{}` is declared twice",
                    c.client_id
                )));
            }
            if c.access_profile > 5 {
                return Err(invalid(format!(
                    "client `{}`: access profiles run from 0 to 5",
                    c.client_id
                )));
            }
            // Only access profile 0 authenticates with a secret; profiles 1 to 5 use mutual TLS
            // (RFC 8705) with an IGC-Santé certificate (seeds, ror-fhir-api §6).
            if c.secret.is_some() && c.access_profile != 0 {
                return Err(invalid(format!(
                    "client `{}`: access profile {} authenticates by certificate (mutual TLS), not by secret; only profile 0 has a secret",
                    c.client_id, c.access_profile
                )));
            }
            match (&c.secret, &c.cert_subject) {
                (Some(s), None) if !s.is_empty() => {}
                (None, Some(subject)) if !subject.is_empty() => {}
                _ => {
                    return Err(invalid(format!(
                        "client `{}` needs exactly one of `secret` or `cert_subject`",
                        c.client_id
                    )));
                }
            }
            Ok(Client {
                client_id: c.client_id,
                secret: c.secret.unwrap_or_default(),
                cert_thumbprint: None,
                cert_subject: c.cert_subject,
                access_profile: c.access_profile,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Vec<Client>, ClientsError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("clients.toml");
        std::fs::write(&path, text).expect("write");
        load(&path)
    }

    #[test]
    fn reads_secret_and_certificate_clients() {
        let clients = load_text(
            "[[client]]\nclient_id = \"a\"\naccess_profile = 0\nsecret = \"s3cret\"\n\n\
             [[client]]\nclient_id = \"b\"\naccess_profile = 2\ncert_subject = \"b-cn\"\n",
        )
        .expect("valid");
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[1].cert_subject.as_deref(), Some("b-cn"));
        assert!(clients[1].secret.is_empty());
    }

    #[test]
    fn rejects_ambiguous_duplicate_or_out_of_range_clients() {
        for bad in [
            "[[client]]\nclient_id = \"a\"\naccess_profile = 0\n",
            "[[client]]\nclient_id = \"a\"\naccess_profile = 0\nsecret = \"x\"\ncert_subject = \"y\"\n",
            "[[client]]\nclient_id = \"a\"\naccess_profile = 7\nsecret = \"x\"\n",
            "[[client]]\nclient_id = \"a\"\naccess_profile = 0\nsecret = \"x\"\n[[client]]\nclient_id = \"a\"\naccess_profile = 1\ncert_subject = \"y\"\n",
            "[[client]]\nclient_id = \"a\"\naccess_profile = 0\nsecrte = \"x\"\n",
            "[[client]]\nclient_id = \"a\"\naccess_profile = 1\nsecret = \"x\"\n",
        ] {
            assert!(load_text(bad).is_err(), "{bad}");
        }
    }
}
