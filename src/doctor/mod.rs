//! `rorcheck doctor`: a pre-flight of an environment that says, before any scenario runs,
//! what is wrong and how to fix it — certificate, password, chain, endpoints, token,
//! `/metadata`, the `Ror-*` headers. Every message comes from the catalogue (`rorcheck-i18n`).

mod certificate;
mod remote;

use rorcheck_engine::config::{ConfigError, Target, TargetConfig};
use rorcheck_http::Redactor;

pub use rorcheck_i18n::Lang;
use rorcheck_i18n::t;

pub use rorcheck_outcome::Status;

/// One check of the pre-flight.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub id: &'static str,
    pub label: String,
    pub status: Status,
    pub detail: String,
    /// How to fix it, for a failed check.
    pub hint: Option<String>,
}

/// What `doctor` examines: an environment as configured (files are checked one by one),
/// or a target already built (the embedded mock).
pub enum Subject {
    Config {
        name: String,
        config: Result<TargetConfig, ConfigError>,
    },
    Prepared(Target),
}

/// The outcome of every check, in order.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub lang: Lang,
    pub environment: String,
    pub checks: Vec<CheckResult>,
}

impl Diagnosis {
    fn new(environment: &str, lang: Lang) -> Self {
        Diagnosis {
            lang,
            environment: environment.to_owned(),
            checks: Vec::new(),
        }
    }

    fn push(&mut self, id: &'static str, label: String, status: Status, detail: String) {
        self.checks.push(CheckResult {
            id,
            label,
            status,
            detail,
            hint: None,
        });
    }

    pub(crate) fn pass(&mut self, id: &'static str, label: String, detail: String) {
        self.push(id, label, Status::Passed, detail);
    }

    pub(crate) fn fail(&mut self, id: &'static str, label: String, detail: String, hint: String) {
        self.push(id, label, Status::Failed, detail);
        if let Some(last) = self.checks.last_mut() {
            last.hint = Some(hint);
        }
    }

    pub(crate) fn not_checked(&mut self, id: &'static str, label: String, why: String) {
        self.push(id, label, Status::Skipped, why);
    }

    /// True when no check failed (checks that did not apply do not count against).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Failed)
    }

    fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// Masks every secret the details could hold (a server may echo anything back).
    fn redact(&mut self, redactor: &Redactor) {
        for c in &mut self.checks {
            c.detail = redactor.text(&c.detail);
            c.hint = c.hint.as_deref().map(|h| redactor.text(h));
        }
    }

    /// The report printed on the console.
    pub fn render(&self) -> String {
        let l = self.lang;
        let width = self
            .checks
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "rorcheck doctor — {}\n\n",
            t!(l, "doctor-environment", name = &self.environment)
        );
        for c in &self.checks {
            let mark = match c.status {
                Status::Passed | Status::Warning => "[ ok ]",
                Status::Failed | Status::Errored => &t!(l, "doctor-mark-failed"),
                // Not checked: it depends on something that failed, or does not apply.
                Status::Skipped | Status::NotExercised | Status::NotApplicable => "[ -- ]",
            };
            let pad = width - c.label.chars().count();
            out.push_str(&format!(
                "{mark:<7} {}{}  {}\n",
                c.label,
                " ".repeat(pad),
                c.detail
            ));
            if let Some(hint) = &c.hint {
                out.push_str(&format!("        {} {hint}\n", t!(l, "doctor-fix")));
            }
        }
        let (ok, failed, skipped) = (
            self.count(Status::Passed),
            self.count(Status::Failed),
            self.count(Status::Skipped),
        );
        out.push('\n');
        out.push_str(&if self.passed() {
            t!(l, "doctor-summary-ready", ok = ok, skipped = skipped)
        } else {
            t!(
                l,
                "doctor-summary-failures",
                failed = failed,
                ok = ok,
                skipped = skipped
            )
        });
        out.push('\n');
        out
    }
}

/// Runs every check on `subject`.
pub async fn diagnose(subject: Subject, lang: Lang) -> Diagnosis {
    let l = lang;
    let config_label = "Configuration".to_owned();
    let (mut d, target) = match subject {
        Subject::Prepared(target) => {
            let mut d = Diagnosis::new(&target.name, lang);
            d.pass(
                "config",
                config_label,
                format!("{} — {}", target.base_url, target.auth.label()),
            );
            (d, target)
        }
        Subject::Config { name, config } => {
            let mut d = Diagnosis::new(&name, lang);
            let cfg = match config {
                Ok(cfg) => cfg,
                Err(e) => {
                    d.fail("config", config_label, e.to_string(), config_hint(&e, l));
                    return d;
                }
            };
            d.pass(
                "config",
                config_label,
                format!(
                    "{} — {}{}",
                    cfg.base_url.as_deref().unwrap_or("?"),
                    auth_kind(&cfg, l),
                    cfg.access_profile.map_or(String::new(), |p| t!(
                        l,
                        "doctor-access-profile",
                        profile = p.number()
                    ))
                ),
            );
            if let Some(tls) = &cfg.tls {
                certificate::check(&mut d, tls).await;
                if !d.passed() {
                    // Connecting with unusable material would only repeat the same failure.
                    d.not_checked(
                        "connection",
                        t!(l, "doctor-connection-environment"),
                        t!(l, "doctor-not-attempted-fix-certificate-first"),
                    );
                    return d;
                }
            }
            match Target::from_config(&name, &cfg) {
                Ok(target) => (d, target),
                Err(e) => {
                    d.fail(
                        "target",
                        t!(l, "doctor-secrets-tls-material"),
                        e.to_string(),
                        config_hint(&e, l),
                    );
                    return d;
                }
            }
        }
    };
    let mut redactor = Redactor::default();
    for s in target.secrets() {
        redactor.add_secret(&s);
    }
    remote::check(&mut d, &target, &mut redactor).await;
    d.redact(&redactor);
    d
}

fn auth_kind(cfg: &TargetConfig, l: Lang) -> String {
    use rorcheck_engine::config::AuthConfig;
    let (kind, client_id) = match &cfg.auth {
        None | Some(AuthConfig::None) => {
            return t!(l, "doctor-no-authentication");
        }
        Some(AuthConfig::Bearer { .. }) => {
            return t!(l, "doctor-given-bearer-token");
        }
        Some(AuthConfig::ClientCredentials { client_id, .. }) => (
            t!(l, "doctor-oauth2-client-credentials-with-secret"),
            client_id,
        ),
        Some(AuthConfig::Mtls { client_id, .. }) => {
            (t!(l, "doctor-oauth2-by-certificate-mtls"), client_id)
        }
    };
    format!(
        "{kind}, client {}",
        rorcheck_http::redact::mask_client_id(client_id)
    )
}

fn config_hint(e: &ConfigError, l: Lang) -> String {
    match e {
        ConfigError::NoClientId { .. } => t!(l, "doctor-export-ror-client-id-with"),
        ConfigError::Secret { .. } => t!(l, "doctor-export-variable-named-ror-client"),
        ConfigError::UnknownTarget { .. } => t!(l, "doctor-use-known-name-declare-targets"),
        ConfigError::Tls(_) => t!(l, "doctor-check-paths-content-tls-ror"),
        _ => t!(l, "doctor-fix-rorcheck-toml-see-readme"),
    }
}
