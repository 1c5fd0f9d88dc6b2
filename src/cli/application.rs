//! The vendor's application as `rorcheck observe` drives it in CI: the connection settings
//! it is given (environment variables, or a file for an application started separately) and
//! the runs of its command.

use rorcheck_i18n::{Lang, t};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rorcheck_engine::config::RorHeaders;
use rorcheck_mock::TlsMode;
use rorcheck_observe::Observer;
pub use rorcheck_observe::command::{CommandReport, CommandRun};

/// The settings an application needs to reach the simulated ROR, under the names `run`
/// reads for a real environment. No `Debug`: it holds the demo client's secret.
#[derive(Clone)]
pub struct Connection {
    pub vars: Vec<(&'static str, String)>,
}

/// Where the test certificates were written, when the session runs over TLS.
pub struct Certificates<'a> {
    pub dir: &'a Path,
}

impl Connection {
    pub fn of(observer: &Observer, tls: TlsMode, certs: Option<Certificates<'_>>) -> Connection {
        let mock = &observer.mock;
        let headers = RorHeaders::documented_defaults();
        let mut vars = vec![
            ("ROR_FHIR_BASE_URL", mock.base_url.clone()),
            ("ROR_TOKEN_URL", mock.token_url.clone()),
        ];
        let mtls_client = mock.pki.as_ref().and_then(|p| p.client(1));
        match (tls, mtls_client) {
            (TlsMode::Mtls, Some((client_id, _, _))) => {
                vars.push(("ROR_CLIENT_ID", client_id.clone()));
                vars.push(("ROR_ACCESS_PROFILE", "1".into()));
                if let Some(c) = &certs {
                    let path = |name: String| c.dir.join(name).display().to_string();
                    vars.push(("ROR_CERT_PEM", path(format!("{client_id}.pem"))));
                    vars.push(("ROR_CERT_KEY", path(format!("{client_id}.key.pem"))));
                }
            }
            _ => {
                let demo = mock.demo_client();
                vars.push(("ROR_CLIENT_ID", demo.client_id.clone()));
                vars.push(("ROR_CLIENT_SECRET", demo.secret.clone()));
                vars.push(("ROR_ACCESS_PROFILE", "0".into()));
            }
        }
        if let Some(c) = &certs {
            vars.push(("ROR_CA_BUNDLE", c.dir.join("ca.pem").display().to_string()));
        }
        vars.extend([
            (
                "ROR_PROFIL_UTILISATEUR_CODE",
                headers.profil_utilisateur_code,
            ),
            (
                "ROR_PROFIL_UTILISATEUR_SYSTEM",
                headers.profil_utilisateur_system,
            ),
            ("ROR_ROLE_METIER_CODE", headers.role_metier_code),
            ("ROR_ROLE_METIER_SYSTEM", headers.role_metier_system),
        ]);
        if mock.plays_story() {
            let origin = mock
                .token_url
                .split(ror::TOKEN_PATH)
                .next()
                .unwrap_or_default();
            vars.push((
                "RORCHECK_STORY_NEXT_DAY_URL",
                format!("{origin}{}/next-day", rorcheck_mock::STORY_PATH),
            ));
        }
        Connection { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `NAME=value` per line (values quoted for shells and dotenv readers).
    pub fn env_file_text(&self) -> String {
        self.vars
            .iter()
            .map(|(k, v)| format!("{k}='{}'\n", v.replace('\'', "'\\''")))
            .collect()
    }

    pub fn write_env_file(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, self.env_file_text())
    }
}

/// Runs the command once with the connection settings in its environment; its output goes
/// to rorcheck's own, so that a CI log shows both. Killed if the session is stopped first.
pub async fn run_command(argv: &[String], connection: &Connection, day: Option<u32>) -> CommandRun {
    let started = Instant::now();
    let finish = |exit_code: Option<i32>, error: Option<String>| CommandRun {
        day,
        exit_code,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        error,
    };
    let Some((program, args)) = argv.split_first() else {
        return finish(None, Some("commande vide".into()));
    };
    let mut cmd = tokio::process::Command::new(PathBuf::from(program));
    cmd.args(args)
        .envs(connection.vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(d) = day {
        cmd.env("RORCHECK_STORY_DAY", d.to_string());
    }
    match cmd.status().await {
        Ok(status) => finish(status.code(), None),
        Err(e) => finish(
            None,
            Some(t!(
                Lang::current(),
                "app-no-start",
                program = program,
                e = e
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_file_quotes_values_for_shells() {
        let c = Connection {
            vars: vec![
                ("ROR_CLIENT_ID", "rorcheck-demo".into()),
                ("ROR_CLIENT_SECRET", "a'b c".into()),
            ],
        };
        assert_eq!(
            c.env_file_text(),
            "ROR_CLIENT_ID='rorcheck-demo'\nROR_CLIENT_SECRET='a'\\''b c'\n"
        );
    }

    #[test]
    fn a_command_report_says_which_run_failed() {
        let report = CommandReport {
            argv: vec!["app".into()],
            runs: vec![
                CommandRun {
                    day: Some(0),
                    exit_code: Some(0),
                    duration_ms: 1.0,
                    error: None,
                },
                CommandRun {
                    day: Some(1),
                    exit_code: Some(3),
                    duration_ms: 1.0,
                    error: None,
                },
            ],
        };
        assert!(report.failed());
        assert!(report.summary().contains("J1 : code de sortie 3"));
    }
}
