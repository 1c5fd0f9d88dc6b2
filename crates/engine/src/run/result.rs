//! The results of a run: plain data that every reporter reads.

use chrono::{DateTime, Local};
use rorcheck_i18n::{Lang, t};
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
    /// The words the reports use, in the run's language.
    pub fn label(self) -> String {
        match self {
            Cause::Connection => t!(Lang::current(), "c-connection"),
            Cause::Tls => t!(Lang::current(), "c-tls"),
            Cause::Timeout => t!(Lang::current(), "c-timeout"),
            Cause::Credentials => t!(Lang::current(), "c-credentials"),
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

/// One assertion of a step and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct AssertionResult {
    /// Its kind (`status`, `fhirpath`...).
    pub kind: &'static str,
    /// Line of the assertion in the scenario file.
    pub line: u64,
    /// How it ended.
    pub status: Status,
    /// What was expected, in French, secrets masked.
    pub expected: String,
    /// What the response gave, secrets masked.
    pub actual: String,
    /// Reported, but does not fail the scenario.
    pub warning_only: bool,
    /// Why the assertion matters, when the scenario says.
    pub because: Option<String>,
    /// When a FHIRPath assertion fails: what its sub-expressions gave, to locate the break
    /// (`entry.where(…) → 12 élément(s) : …`), secrets masked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<String>,
}

impl AssertionResult {
    /// A warning-only assertion that did not hold.
    pub fn is_warning(&self) -> bool {
        self.warning_only && self.status != Status::Passed
    }
}

/// A value captured by a step.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureResult {
    /// The variable.
    pub name: String,
    /// Redacted value.
    pub value: String,
}

/// One step of a scenario and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// The step's name.
    pub name: String,
    /// Its line in the scenario file.
    pub line: u64,
    /// How it ended.
    pub status: Status,
    /// Why the step failed, errored or was skipped, in one line.
    pub reason: Option<String>,
    /// How long it took.
    pub duration_ms: f64,
    /// Requests sent for this step (more than one when it polls with `retry`).
    pub attempts: u32,
    /// The main exchange, as evidence.
    pub exchange: Option<Exchange>,
    /// Further exchanges of the same step: the pages followed, the `$export` polls and
    /// files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    /// Each assertion and its outcome.
    pub assertions: Vec<AssertionResult>,
    /// Values captured.
    pub captures: Vec<CaptureResult>,
    /// Why the target could not be reached, when that is why the step errored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

impl StepResult {
    /// The responses recorded for this step: its own and those of its follow-ups.
    pub fn responses(&self) -> impl Iterator<Item = &rorcheck_http::RecordedResponse> {
        self.exchange
            .iter()
            .chain(self.follow_ups.iter().map(|f| &f.exchange))
            .filter_map(|e| e.response.as_ref())
    }

    /// [`StepResult::responses`], to change them.
    pub fn responses_mut(&mut self) -> impl Iterator<Item = &mut rorcheck_http::RecordedResponse> {
        self.exchange
            .iter_mut()
            .chain(self.follow_ups.iter_mut().map(|f| &mut f.exchange))
            .filter_map(|e| e.response.as_mut())
    }

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
    /// What it was.
    pub label: String,
    /// The exchange.
    pub exchange: Exchange,
}

/// One scenario of the run and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// The scenario's id.
    pub id: String,
    /// Its French title.
    pub title: String,
    /// What it checks and why.
    pub description: String,
    /// Its priority.
    pub priority: Priority,
    /// The priority's label.
    pub priority_label: &'static str,
    /// Its modality.
    pub modality: Modality,
    /// The modality as the reports show it.
    pub modality_label: &'static str,
    /// Its tags.
    pub tags: Vec<String>,
    /// The documents it rests on.
    pub requirements: Vec<String>,
    /// Its file.
    pub file: String,
    /// How it ended.
    pub status: Status,
    /// Why it did not pass, in one line.
    pub reason: Option<String>,
    /// Warning-only assertions that did not hold.
    pub warnings: usize,
    /// How long it took.
    pub duration_ms: f64,
    /// The target it ran on, when not the run's main one (the mutual-TLS mock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Each step and how it went.
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
                status: Status::Skipped,
                reason: Some(reason.clone()),
                ..StepResult::new(st.value.name.clone(), st.referenced.line())
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

    /// A scenario's result from its steps.
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
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Errored.
    pub errored: usize,
    /// Skipped.
    pub skipped: usize,
    /// For another access profile: outside `total`.
    pub not_applicable: usize,
}

impl Counts {
    /// Counts one more scenario of `status`.
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
    /// The target's name.
    pub name: String,
    /// Its FHIR base URL, masked.
    pub base_url: String,
    /// Token endpoint, when the target obtains its own tokens.
    pub token_url: Option<String>,
    /// Client id, partly masked (`rorc…-p1`).
    pub client_id: Option<String>,
    /// How it authenticated (never the secret).
    pub auth: String,
    /// The access profile of its client.
    pub access_profile: Option<u8>,
    /// Subject and SHA-256 fingerprint of the client certificate presented, if any.
    pub client_certificate: Option<String>,
    /// Production guardrails in force (heavy scenarios blocked unless allowed).
    pub production: bool,
    /// Request-rate cap, requests per second.
    pub rate_limit: Option<f64>,
}

impl TargetInfo {
    /// What may be shown of `target`.
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

/// The tool that wrote a report.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    /// `rorcheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

impl ToolInfo {
    /// This rorcheck.
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
    /// The tool that ran.
    pub tool: ToolInfo,
    /// Where the run went.
    pub target: TargetInfo,
    /// SHA-256 of the scenario files.
    pub scenario_set_hash: String,
    /// When the run started.
    pub started_at: DateTime<Local>,
    /// When it ended.
    pub finished_at: DateTime<Local>,
    /// Each scenario, in the order of the set.
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
    /// Every scenario that ran passed, and every CRITIQUE one ran.
    Conforme,
}

impl Verdict {
    /// The French word the reports use.
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
    /// Counts over every scenario.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.scenarios {
            c.add(s.status);
        }
        c
    }

    /// Counts over the scenarios of one priority.
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

    /// What the run shows, most serious first.
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

    /// How long the run took.
    pub fn duration_ms(&self) -> f64 {
        (self.finished_at - self.started_at)
            .num_microseconds()
            .unwrap_or(0) as f64
            / 1000.0
    }
}
