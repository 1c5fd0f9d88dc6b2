//! Observer mode: the mock ROR plays the server for the vendor's own application, as
//! PLATINES does, records everything the application sends and judges it scenario by
//! scenario.
//!
//! Data flows one way: the mock's log ([`rorcheck_mock::log`]) → canonical requests
//! ([`canonical`]) compared with what each scenario expects ([`expect`]) → verdicts
//! ([`judge`]) and behaviour checks ([`behaviour`]) → [`ObserveReport`] → [`report`].

/// The behaviour checks (COMP-01 to COMP-08).
pub mod behaviour;
/// Requests brought to one canonical form before they are compared.
pub mod canonical;
/// The application's command, run by the session (`observe -- COMMAND`).
pub mod command;
/// How a request differs from the one a scenario expects.
pub mod difference;
/// What each scenario expects the consumer to send.
pub mod expect;
/// Scenario verdicts from the traffic.
pub mod judge;
/// Patterns of expected values.
pub mod pattern;
/// The day-by-day story's judgement (COMP-09).
pub mod story;

use serde::Serialize;

use rorcheck_mock::log::LoggedRequest;
use rorcheck_mock::{MockError, MockOptions, MockServer, TlsMode};
use rorcheck_scenario::Scenario;

pub use behaviour::BehaviourCheck;
pub use judge::{PriorityCoverage, ScenarioVerdict};
pub use rorcheck_outcome::Status;

/// A running observation: the mock, recording.
pub struct Observer {
    /// The mock the application talks to.
    pub mock: MockServer,
    /// When recording began (RFC 3339).
    pub started_at: String,
    tls: TlsMode,
    base_path: String,
}

impl Observer {
    /// Starts the mock with everything the judge needs recorded.
    pub async fn start(mut opts: MockOptions) -> Result<Self, MockError> {
        opts.record_served = true;
        let tls = opts.tls;
        let base_path = opts.base_path.trim_end_matches('/').to_owned();
        let mock = MockServer::start(opts).await?;
        Ok(Observer {
            mock,
            started_at: rorcheck_mock::log::now(),
            tls,
            base_path,
        })
    }

    /// The access profile the session is judged for: the demo client of profile 1 under
    /// mutual TLS, profile 0 (client secret) otherwise.
    pub fn profile(&self) -> u8 {
        u8::from(self.tls == TlsMode::Mtls)
    }

    /// Judges what has been recorded so far.
    pub fn report(&self, scenarios: &[Scenario]) -> ObserveReport {
        let log = self.mock.requests();
        let days = self.mock.story_days();
        let store = self.mock.store_snapshot();
        let story = self.mock.plays_story().then(|| story::StoryInput {
            days: &days,
            store: &store,
            profile: self.profile(),
        });
        Judgement {
            scenarios,
            log,
            base_path: &self.base_path,
            profile: self.profile(),
            mtls: self.tls == TlsMode::Mtls,
            story,
        }
        .report(Context {
            started_at: self.started_at.clone(),
            base_url: self.mock.base_url.clone(),
            token_url: self.mock.token_url.clone(),
            transport: match self.tls {
                TlsMode::Off => "HTTP",
                TlsMode::Tls => "HTTPS",
                TlsMode::Mtls => "HTTPS avec certificat client (mTLS)",
            },
        })
    }
}

/// Where and how the session ran, for the report header.
#[derive(Debug, Clone)]
pub struct Context {
    /// When recording began (RFC 3339).
    pub started_at: String,
    /// The FHIR base URL the application was given.
    pub base_url: String,
    /// The token endpoint it was given.
    pub token_url: String,
    /// How the application connected: HTTP, HTTPS, or HTTPS with a client certificate.
    pub transport: &'static str,
}

/// Everything judged from one log.
pub(crate) struct Judgement<'a> {
    pub scenarios: &'a [Scenario],
    /// The session's log; it becomes the report's evidence.
    pub log: Vec<LoggedRequest>,
    pub base_path: &'a str,
    pub profile: u8,
    pub mtls: bool,
    pub story: Option<story::StoryInput<'a>>,
}

impl Judgement<'_> {
    pub fn report(self, context: Context) -> ObserveReport {
        let traffic = judge::observed(&self.log, self.base_path);
        let plans = judge::plans(self.scenarios, self.profile, self.base_path);
        let claims = judge::claims(&plans, &traffic);
        let session = behaviour::Session {
            log: &self.log,
            base_path: self.base_path,
            mtls: self.mtls,
        };
        let mut behaviours = behaviour::all(&session);
        behaviours.push(story::judge(self.story.as_ref(), &self.log));
        let scenarios: Vec<ScenarioVerdict> = self
            .scenarios
            .iter()
            .zip(&plans)
            .enumerate()
            .map(|(i, (s, p))| {
                judge::judge_scenario(i, s, p, &traffic, &claims, &self.log, &behaviours)
            })
            .collect();
        let unexpected = traffic
            .iter()
            .zip(&claims)
            .filter(|(_, c)| !c.exact)
            .map(|(o, _)| o.entry.seq)
            .collect();
        let coverage = judge::coverage(&scenarios);
        let count = |o: Status| scenarios.iter().filter(|v| v.outcome == o).count();
        let observable = scenarios.len() - count(Status::NotApplicable);
        let exercised = count(Status::Passed) + count(Status::Failed);
        let summary = Summary {
            requests: self.log.len(),
            fhir_calls: session.fhir_calls().count(),
            token_requests: session.token_requests().count(),
            scenarios: scenarios.len(),
            observable,
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            not_exercised: count(Status::NotExercised),
            out_of_scope: count(Status::NotApplicable),
            coverage_percent: judge::percent(exercised, observable),
            score: judge::weighted_score(&scenarios, &behaviours),
            behaviours_failed: behaviours
                .iter()
                .filter(|b| b.status == Status::Failed)
                .count(),
            verdict: "",
        };
        let summary = Summary {
            verdict: if summary.failed > 0 || summary.behaviours_failed > 0 {
                "non conforme"
            } else if summary.passed == 0 {
                "incomplet"
            } else {
                "conforme"
            },
            ..summary
        };
        ObserveReport {
            mode: "observe",
            tool: Tool {
                name: "rorcheck",
                version: env!("CARGO_PKG_VERSION"),
            },
            started_at: context.started_at,
            finished_at: rorcheck_mock::log::now(),
            base_url: context.base_url,
            token_url: context.token_url,
            transport: context.transport,
            profile: self.profile,
            summary,
            coverage,
            behaviours,
            scenarios,
            unexpected,
            story: self
                .story
                .as_ref()
                .map(|s| s.days.to_vec())
                .unwrap_or_default(),
            command: None,
            requests: self.log,
        }
    }
}

/// The same keys as `run`'s summary for the same notions (`total`, `passed`, `failed`,
/// `not_applicable`, `score`, `verdict`), plus what only an observation has.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Requests recorded (including refused TLS handshakes).
    pub requests: usize,
    /// FHIR calls among them.
    pub fhir_calls: usize,
    /// Calls to the token endpoint.
    pub token_requests: usize,
    /// Scenarios selected, out of scope included.
    #[serde(rename = "selected")]
    pub scenarios: usize,
    /// Scenarios a consumer can exercise in this session.
    #[serde(rename = "total")]
    pub observable: usize,
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
    /// Scenarios not exercised.
    pub not_exercised: usize,
    /// Scenarios out of scope (they test the server, or another access profile).
    #[serde(rename = "not_applicable")]
    pub out_of_scope: usize,
    /// `conforme`, `non conforme` (a finding), or `incomplet` (nothing shown).
    pub verdict: &'static str,
    /// Exercised over observable, in percent.
    pub coverage_percent: u32,
    /// PLATINES weighted score (see [`judge::weighted_score`]); `None` when the session
    /// evidenced nothing.
    pub score: Option<u32>,
    /// Behaviour checks failed.
    pub behaviours_failed: usize,
}

/// The tool that wrote a report (the same object as in `run`'s report).
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `rorcheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// The result of an observation session; the three report formats read it.
#[derive(Debug, Clone, Serialize)]
pub struct ObserveReport {
    /// What the report judges: `observe`, the vendor's application (`run` judges the API).
    pub mode: &'static str,
    /// The tool and version that wrote it.
    pub tool: Tool,
    /// When the session started (RFC 3339).
    pub started_at: String,
    /// When it ended (RFC 3339).
    pub finished_at: String,
    /// The FHIR base URL the application was given.
    pub base_url: String,
    /// The token endpoint it was given.
    pub token_url: String,
    /// How the application connected: HTTP, HTTPS, or HTTPS with a client certificate.
    pub transport: &'static str,
    /// Access profile the session was judged for.
    pub profile: u8,
    /// The counts and the verdict.
    pub summary: Summary,
    /// Coverage of each priority level.
    pub coverage: Vec<PriorityCoverage>,
    /// The behaviour checks.
    pub behaviours: Vec<BehaviourCheck>,
    /// Each selected scenario's verdict.
    pub scenarios: Vec<ScenarioVerdict>,
    /// `seq` of the requests that match no scenario (PLATINES' "opérations inattendues").
    pub unexpected: Vec<u64>,
    /// The days of the day-by-day story and their changes (empty when not played).
    pub story: Vec<rorcheck_mock::story::Day>,
    /// The application's command when the session started it (`observe -- COMMAND`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<command::CommandReport>,
    /// Every request recorded, secrets masked.
    pub requests: Vec<LoggedRequest>,
}

impl ObserveReport {
    /// The session shows a correct consumer: something was exercised and nothing failed
    /// (an empty session proves nothing).
    pub fn success(&self) -> bool {
        self.summary.passed > 0 && self.summary.failed == 0 && self.summary.behaviours_failed == 0
    }

    /// The verdict of scenario `id`.
    pub fn scenario(&self, id: &str) -> Option<&ScenarioVerdict> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The behaviour check `id`.
    pub fn behaviour(&self, id: &str) -> Option<&BehaviourCheck> {
        self.behaviours.iter().find(|b| b.id == id)
    }
}
