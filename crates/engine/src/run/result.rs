//! The results of a run: plain data that every reporter reads.

use chrono::{DateTime, Local};
use serde::Serialize;

use rorcheck_http::Exchange;
use rorcheck_scenario::{Modality, Priority, Scenario};

pub use rorcheck_outcome::Status;

/// Why a step could not reach the target at all: the same cause on every scenario means
/// the environment, not the API, is the problem (`rorcheck doctor` diagnoses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Connection refused or reset, name not resolved.
    Connection,
    /// TLS handshake refused either way.
    Tls,
    /// No answer in time.
    Timeout,
    /// The token endpoint refused the client (wrong id or secret, certificate not known).
    Credentials,
}

impl Cause {
    pub fn label(self) -> &'static str {
        match self {
            Cause::Connection => "connexion impossible",
            Cause::Tls => "poignée de main TLS refusée",
            Cause::Timeout => "pas de réponse dans le délai",
            Cause::Credentials => "identifiants refusés par le serveur d'autorisation",
        }
    }

    pub(crate) fn of_transport(e: &rorcheck_http::TransportError) -> Option<Cause> {
        use rorcheck_http::TransportError as T;
        match e {
            T::Connect(_) => Some(Cause::Connection),
            T::Tls(_) => Some(Cause::Tls),
            T::Timeout(_) => Some(Cause::Timeout),
            _ => None,
        }
    }

    pub(crate) fn of_token(e: &rorcheck_http::oauth::OAuthError) -> Option<Cause> {
        use rorcheck_http::oauth::OAuthError as O;
        match e {
            O::Transport(_) => Some(Cause::Connection),
            O::Tls(_) => Some(Cause::Tls),
            O::Refused { .. } => Some(Cause::Credentials),
            O::Malformed(_) => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssertionResult {
    pub kind: &'static str,
    /// Line of the assertion in the scenario file.
    pub line: u64,
    pub status: Status,
    pub expected: String,
    pub actual: String,
    pub warning_only: bool,
    pub because: Option<String>,
}

impl AssertionResult {
    /// A warning-only assertion that did not hold.
    pub fn is_warning(&self) -> bool {
        self.warning_only && self.status != Status::Passed
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaptureResult {
    pub name: String,
    /// Redacted value.
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    pub name: String,
    pub line: u64,
    pub status: Status,
    /// Why the step failed, errored or was skipped, in one line.
    pub reason: Option<String>,
    pub duration_ms: f64,
    /// Requests sent for this step (more than one when it polls with `retry`).
    pub attempts: u32,
    pub exchange: Option<Exchange>,
    /// Further exchanges of the same step: the pages followed, the `$export` polls and
    /// files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    pub assertions: Vec<AssertionResult>,
    pub captures: Vec<CaptureResult>,
    /// Why the target could not be reached, when that is why the step errored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

impl StepResult {
    /// A step about to run: passed until something says otherwise.
    pub fn new(name: String, line: u64) -> Self {
        StepResult {
            name,
            line,
            status: Status::Passed,
            reason: None,
            duration_ms: 0.0,
            attempts: 0,
            exchange: None,
            assertions: Vec::new(),
            captures: Vec::new(),
            follow_ups: Vec::new(),
            cause: None,
        }
    }
}

/// One more exchange of a step, with what it was (« page 2 », « fichier Organization »).
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    pub label: String,
    pub exchange: Exchange,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub id: String,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub priority_label: &'static str,
    pub modality: Modality,
    pub modality_label: &'static str,
    pub tags: Vec<String>,
    pub requirements: Vec<String>,
    pub file: String,
    pub status: Status,
    pub reason: Option<String>,
    pub warnings: usize,
    pub duration_ms: f64,
    /// The target it ran on, when not the run's main one (the mutual-TLS mock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub steps: Vec<StepResult>,
}

impl ScenarioResult {
    /// The cause shared by the step that stopped it, if it could not reach the target.
    pub(crate) fn cause(&self) -> Option<Cause> {
        self.steps.iter().find_map(|st| st.cause)
    }

    /// A result for a scenario that was not run at all.
    pub fn skipped(s: &Scenario, reason: String) -> Self {
        let steps = s
            .steps
            .iter()
            .map(|st| StepResult {
                name: st.value.name.clone(),
                line: st.referenced.line(),
                status: Status::Skipped,
                reason: Some(reason.clone()),
                duration_ms: 0.0,
                attempts: 0,
                exchange: None,
                assertions: Vec::new(),
                captures: Vec::new(),
                follow_ups: Vec::new(),
                cause: None,
            })
            .collect();
        ScenarioResult::new(s, Status::Skipped, Some(reason), 0.0, steps)
    }

    /// A result for a scenario meant for another access profile.
    pub fn not_applicable(s: &Scenario, reason: String) -> Self {
        let mut r = ScenarioResult::skipped(s, reason);
        r.status = Status::NotApplicable;
        for st in &mut r.steps {
            st.status = Status::NotApplicable;
        }
        r
    }

    pub fn new(
        s: &Scenario,
        status: Status,
        reason: Option<String>,
        duration_ms: f64,
        steps: Vec<StepResult>,
    ) -> Self {
        let warnings = steps
            .iter()
            .flat_map(|st| &st.assertions)
            .filter(|a| a.is_warning())
            .count();
        ScenarioResult {
            id: s.id().to_owned(),
            title: s.title.clone(),
            description: s.description.trim().to_owned(),
            priority: s.priority,
            priority_label: s.priority.label(),
            modality: s.modality,
            modality_label: s.modality.label(),
            tags: s.tags.clone(),
            requirements: s.requirements.clone(),
            file: s.source.display().to_string(),
            status,
            reason,
            warnings,
            duration_ms,
            target: None,
            steps,
        }
    }
}

/// Counts for one group of scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Applicable scenarios: passed + failed + errored + skipped.
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    /// For another access profile: outside `total`.
    pub not_applicable: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        if status == Status::NotApplicable {
            self.not_applicable += 1;
            return;
        }
        self.total += 1;
        match status {
            // A run's scenarios never end in a warning nor unexercised; were they to, a
            // warning held and an unexercised scenario is a gap.
            Status::Passed | Status::Warning => self.passed += 1,
            Status::Failed => self.failed += 1,
            Status::Errored => self.errored += 1,
            Status::Skipped | Status::NotExercised | Status::NotApplicable => self.skipped += 1,
        }
    }

    /// Scenarios that did not pass although they ran.
    pub(crate) fn not_passed(&self) -> usize {
        self.failed + self.errored
    }
}

/// Where the run went.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub name: String,
    pub base_url: String,
    /// Token endpoint, when the target obtains its own tokens.
    pub token_url: Option<String>,
    /// Client id, partly masked (`rorc…-p1`).
    pub client_id: Option<String>,
    pub auth: String,
    pub access_profile: Option<u8>,
    /// Subject and SHA-256 fingerprint of the client certificate presented, if any.
    pub client_certificate: Option<String>,
    /// Production guardrails in force (heavy scenarios blocked unless allowed).
    pub production: bool,
    /// Request-rate cap, requests per second.
    pub rate_limit: Option<f64>,
}

impl TargetInfo {
    pub fn of(target: &crate::config::Target, redactor: &rorcheck_http::Redactor) -> Self {
        let oauth = target.oauth_client();
        TargetInfo {
            name: target.name.clone(),
            base_url: redactor.text(target.base_url.as_str()),
            token_url: oauth.map(|(url, _)| redactor.text(url.as_str())),
            client_id: oauth.map(|(_, id)| rorcheck_http::redact::mask_client_id(id)),
            auth: target.auth.label(),
            access_profile: target.access_profile.map(|p| p.number()),
            client_certificate: target.identity.as_ref().map(|id| {
                format!(
                    "{} (SHA-256 {})",
                    id.subject.as_deref().unwrap_or("sujet sans CN"),
                    id.fingerprint
                )
            }),
            production: target.production && !target.allow_heavy,
            rate_limit: target.rate.as_ref().map(|r| r.per_second_value()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

impl ToolInfo {
    pub fn current() -> Self {
        ToolInfo {
            name: "rorcheck",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub tool: ToolInfo,
    pub target: TargetInfo,
    pub scenario_set_hash: String,
    pub started_at: DateTime<Local>,
    pub finished_at: DateTime<Local>,
    pub scenarios: Vec<ScenarioResult>,
    /// Why the run stopped before its end (a signal), if it did: unfinished scenarios are
    /// errored with that reason, finished ones keep their result.
    pub interrupted: Option<String>,
    /// Why the run stopped early on its own: the first scenarios all failed to reach the
    /// target for the same reason (connection, TLS, credentials); the others were skipped.
    pub stopped_early: Option<String>,
    /// A second embedded target used for the scenarios the first is not meant for (the
    /// mutual-TLS mock for profiles 1 to 5).
    pub alternate_target: Option<TargetInfo>,
}

/// What a run shows, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Stopped by a signal.
    Interrompu,
    /// The server violated at least one expectation.
    NonConforme,
    /// Nothing failed, but something could not be evaluated: an error (connection, TLS,
    /// credentials, timeout) or a CRITIQUE scenario that could not run.
    Incomplet,
    Conforme,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Interrompu => "interrompu",
            Verdict::NonConforme => "non conforme",
            Verdict::Incomplet => "incomplet",
            Verdict::Conforme => "conforme",
        }
    }
}

impl RunReport {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.scenarios {
            c.add(s.status);
        }
        c
    }

    pub fn counts_for(&self, priority: Priority) -> Counts {
        let mut c = Counts::default();
        for s in self.scenarios.iter().filter(|s| s.priority == priority) {
            c.add(s.status);
        }
        c
    }

    /// PLATINES-style score: max(0, 100 − 100·critical − 50·major − 25·minor), where a
    /// scenario that errored counts as failed (it did not show conformance).
    pub fn score(&self) -> u32 {
        let lost: u32 = self
            .scenarios
            .iter()
            .filter(|s| matches!(s.status, Status::Failed | Status::Errored))
            .map(|s| s.priority.weight())
            .sum();
        100u32.saturating_sub(lost)
    }

    /// True when every scenario that ran passed (skipped ones do not count against).
    pub fn all_passed(&self) -> bool {
        self.counts().not_passed() == 0
    }

    pub fn verdict(&self) -> Verdict {
        let c = self.counts();
        let critical_skipped = self
            .scenarios
            .iter()
            .any(|s| s.status == Status::Skipped && s.priority == Priority::Critique);
        if self.interrupted.is_some() {
            Verdict::Interrompu
        } else if c.failed > 0 {
            Verdict::NonConforme
        } else if c.errored > 0 || critical_skipped || self.stopped_early.is_some() {
            Verdict::Incomplet
        } else {
            Verdict::Conforme
        }
    }

    pub fn duration_ms(&self) -> f64 {
        (self.finished_at - self.started_at)
            .num_microseconds()
            .unwrap_or(0) as f64
            / 1000.0
    }
}
