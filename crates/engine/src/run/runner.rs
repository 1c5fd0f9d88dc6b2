//! Running scenarios: concurrently across scenarios, in order within one.

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Local, SecondsFormat, Utc};
use tokio::sync::Semaphore;

use super::context::StepContext;
use super::larger::LargerTarget;
use super::result::{Cause, RunReport, ScenarioResult, Status, TargetInfo, ToolInfo};
use super::step::run_step;
use crate::config::Target;
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::evidence::PASSING_BODY_KEPT;
use rorcheck_http::{HttpClient, Redactor};
use rorcheck_scenario::{Flow, Scenario, ScenarioSet};

/// Tag of the scenarios that load the server (full extractions): not run against a
/// production environment unless explicitly allowed.
pub const HEAVY_TAG: &str = "lourd";

/// Everything a run needs; cheap to clone into tasks.
#[derive(Clone)]
pub struct Runner {
    client: HttpClient,
    fhirpath: FhirPath,
    target: Arc<Target>,
    redactor: Redactor,
    check_all: bool,
    strict: bool,
    /// Where the scenarios this target's access profile is not meant for go, if anywhere
    /// (the embedded run: the mutual-TLS mock for profiles 1 to 5).
    alternate: Option<Arc<Runner>>,
    /// Where the scenarios needing more offers than the target holds go, if anywhere (the
    /// embedded run: a larger mock started on first need).
    larger: Option<Arc<LargerTarget>>,
    /// Stop after the first scenarios all fail to reach the target (on by default).
    early_stop: bool,
    fail_fast: bool,
    /// Whether passing steps keep their response bodies whole (for an evidence archive)
    /// rather than their start only, which is all the reports show.
    whole_bodies: bool,
}

/// A rough rank of how long a scenario takes: exports wait on a job and read files,
/// paged reads send many requests.
fn expected_length(s: &Scenario) -> u8 {
    // A scenario on a larger dataset first waits for that dataset to be built.
    if s.min_offers.is_some() {
        return 4;
    }
    s.steps
        .iter()
        .map(|st| match st.value.flow() {
            Flow::Export(_) => 3,
            Flow::FollowNext(_) => 2,
            Flow::Retry(_) => 1,
            Flow::Once => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Declared variables of a scenario that neither the target nor the scenario gives.
struct MissingVariables(Vec<String>);

/// The early-stop decision, taken by the tasks as their scenarios finish.
#[derive(Default)]
struct EarlyStop {
    /// Causes of the first scenarios that tried to reach the target.
    first: std::sync::Mutex<Vec<Option<Cause>>>,
    stopped: std::sync::OnceLock<String>,
}

impl EarlyStop {
    fn record(&self, runner: &Runner, result: &ScenarioResult, total: usize) {
        if runner.fail_fast && matches!(result.status, Status::Failed | Status::Errored) {
            let _ = self.stopped.set(t!(
                Lang::current(),
                "s-fail-fast",
                id = result.id,
                status = result.status.label()
            ));
            return;
        }
        // Only scenarios that tried to reach the target say anything of it.
        if matches!(result.status, Status::Skipped | Status::NotApplicable) {
            return;
        }
        let Ok(mut first) = self.first.lock() else {
            return;
        };
        if first.len() >= EARLY_STOP_AFTER {
            return;
        }
        first.push(result.cause());
        if let Some(why) = runner.unreachable(&first, total) {
            let _ = self.stopped.set(why);
        }
    }
}

/// How many scenarios must all fail to reach the target, for the same reason, before the
/// run stops: the environment is at fault, and 94 identical errors would hide it.
const EARLY_STOP_AFTER: usize = 3;

impl Runner {
    /// A runner sending with `client` to `target`, masking with `redactor`.
    pub fn new(client: HttpClient, fhirpath: FhirPath, target: Target, redactor: Redactor) -> Self {
        let mut redactor = redactor;
        for s in target.secrets() {
            redactor.add_secret(&s);
        }
        Runner {
            client,
            fhirpath,
            target: Arc::new(target),
            redactor,
            check_all: false,
            strict: false,
            alternate: None,
            larger: None,
            early_stop: true,
            fail_fast: false,
            whole_bodies: true,
        }
    }

    /// Runs every scenario whatever happens to the first ones: for a mutation proof, where a
    /// fault that makes every request time out is the very point.
    pub fn without_early_stop(mut self) -> Self {
        self.early_stop = false;
        self
    }

    /// Stops starting scenarios after the first one that fails or errors (`--fail-fast`).
    pub fn with_fail_fast(mut self, fail_fast: bool) -> Self {
        self.fail_fast = fail_fast;
        self
    }

    /// Passing steps keep their response bodies whole (`true`, the default: an evidence
    /// archive's HAR has them) or only their first [`PASSING_BODY_KEPT`] bytes, what the
    /// reports show: a run of 2,000 searches then holds a few MB of bodies, not 100.
    pub fn with_whole_bodies(mut self, whole: bool) -> Self {
        self.whole_bodies = whole;
        self
    }

    /// Runs on `alternate` the scenarios this runner's access profile is not meant for.
    pub fn with_alternate(mut self, alternate: Runner) -> Self {
        self.alternate = Some(Arc::new(alternate));
        self
    }

    /// Runs on `larger` the scenarios that need more offers than this target holds.
    pub fn with_larger(mut self, larger: LargerTarget) -> Self {
        self.larger = Some(Arc::new(larger));
        self
    }

    /// A runner like this one (same engine, masks and settings) for another target.
    fn derived(&self, target: Target) -> Runner {
        let client = HttpClient::from_reqwest(target.http.clone());
        let mut runner = Runner::new(client, self.fhirpath.clone(), target, self.redactor.clone());
        runner.check_all = self.check_all;
        runner.strict = self.strict;
        runner.fail_fast = self.fail_fast;
        runner.whole_bodies = self.whole_bodies;
        runner.early_stop = false;
        runner
    }

    /// Runs `s`, meant for another access profile than this target's, on the alternate
    /// target when it is meant for that one; not applicable otherwise.
    async fn run_on_alternate(&self, s: &Scenario) -> ScenarioResult {
        if let Some(alternate) = self
            .alternate
            .as_ref()
            .filter(|a| s.applies_to_profile(a.target.access_profile))
        {
            let mut result = Box::pin(alternate.run_scenario(s)).await;
            result.target = Some(alternate.target.name.clone());
            return result;
        }
        let profiles: Vec<String> = s
            .access_profiles
            .iter()
            .map(|p| p.number().to_string())
            .collect();
        ScenarioResult::not_applicable(
            s,
            t!(
                Lang::current(),
                "s-profiles",
                profiles = profiles.join(", "),
                profile = self.target.access_profile.map_or(0, |p| p.number())
            ),
        )
    }

    /// A job slot for `s`: one of the run's `permits`, or, for a scenario on the larger
    /// target, one of `larger` once that target is started (or failed to: the scenario then
    /// says why).
    async fn job(
        &self,
        s: &Scenario,
        permits: Arc<Semaphore>,
        larger: Arc<Semaphore>,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, tokio::sync::AcquireError> {
        match self.larger_for(s) {
            Some(target) => {
                let _ = target.target().await;
                larger.acquire_owned().await
            }
            None => permits.acquire_owned().await,
        }
    }

    /// Whether `s` is heavy and this target a production one that does not allow them.
    fn refuses_heavy(&self, s: &Scenario) -> bool {
        self.target.production && !self.target.allow_heavy && s.tags.iter().any(|t| t == HEAVY_TAG)
    }

    /// The offers `s` needs and the fewer this target is known to hold, when it needs more.
    fn beyond_target(&self, s: &Scenario) -> Option<(u64, u64)> {
        s.min_offers
            .zip(self.target.offers)
            .filter(|(needed, held)| held < needed)
    }

    /// The larger target `s` runs on, if it runs on one ([`Self::run_scenario`]).
    fn larger_for(&self, s: &Scenario) -> Option<&LargerTarget> {
        if self.refuses_heavy(s) {
            return None;
        }
        let (needed, _) = self.beyond_target(s)?;
        self.larger.as_deref().filter(|l| l.offers() >= needed)
    }

    /// Runs `s`, which needs `needed` offers where this target holds `held`, on the larger
    /// target when there is one big enough; skipped otherwise, saying why.
    async fn run_on_larger(&self, s: &Scenario, needed: u64, held: u64) -> ScenarioResult {
        let Some(larger) = self.larger_for(s) else {
            return ScenarioResult::skipped(
                s,
                t!(
                    Lang::current(),
                    "s-too-small",
                    name = self.target.name,
                    held = held,
                    needed = needed
                ),
            );
        };
        match larger.target().await {
            Ok(target) => {
                let runner = self.derived(target.clone());
                let mut result = Box::pin(runner.run_scenario(s)).await;
                result.target = Some(runner.target.name.clone());
                result
            }
            Err(why) => ScenarioResult::new(
                s,
                Status::Errored,
                Some(t!(
                    Lang::current(),
                    "s-larger-failed",
                    offers = larger.offers(),
                    why = why
                )),
                0.0,
                Vec::new(),
            ),
        }
    }

    /// Conformance checks on every FHIR body received (`--check-all`); `strict` makes
    /// unknown NOS codes errors.
    pub fn with_conformance(mut self, check_all: bool, strict: bool) -> Self {
        self.check_all = check_all;
        self.strict = strict;
        self
    }

    /// The target it runs against.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Variables a scenario starts with: built-ins, the target's values, its own defaults.
    /// Names of declared variables that neither the target nor the scenario gives are
    /// returned as the error.
    fn initial_variables(
        &self,
        s: &Scenario,
    ) -> Result<BTreeMap<String, String>, MissingVariables> {
        let mut vars = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, default) in &s.variables {
            match self.target.variables.get(name).or(default.as_ref()) {
                Some(v) => {
                    vars.insert(name.clone(), v.clone());
                }
                None => missing.push(name.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(MissingVariables(missing));
        }
        let now = Utc::now();
        vars.insert(
            "base_url".into(),
            self.target
                .base_url
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        );
        vars.insert("now".into(), now.to_rfc3339_opts(SecondsFormat::Secs, true));
        vars.insert("today".into(), now.format("%Y-%m-%d").to_string());
        Ok(vars)
    }

    /// Why the run should stop: the first scenarios to finish all failed to reach the
    /// target for the same reason.
    fn unreachable(&self, first: &[Option<Cause>], total: usize) -> Option<String> {
        if !self.early_stop || self.alternate.is_some() {
            // Two embedded targets: never both unreachable for one reason worth stopping.
            return None;
        }
        if total <= EARLY_STOP_AFTER || first.len() != EARLY_STOP_AFTER {
            return None;
        }
        let cause = first[0]?;
        if !first.iter().all(|c| *c == Some(cause)) {
            return None;
        }
        Some(format!(
            "les {EARLY_STOP_AFTER} premiers scénarios n'ont pas pu joindre la cible ({}) : \
             exécution arrêtée ; diagnostiquez l'environnement avec `rorcheck doctor --env {}`",
            cause.label(),
            self.target.doctor_name()
        ))
    }

    /// Runs one scenario to its end; never panics on server behaviour.
    pub async fn run_scenario(&self, s: &Scenario) -> ScenarioResult {
        if self.refuses_heavy(s) {
            return ScenarioResult::skipped(
                s,
                format!(
                    "scénario lourd (étiquette « {HEAVY_TAG} ») non exécuté sur un environnement de \
                     production : --allow-heavy ou allow_heavy = true pour l'autoriser"
                ),
            );
        }
        if let Some((needed, held)) = self.beyond_target(s) {
            return self.run_on_larger(s, needed, held).await;
        }
        if !s.applies_to_profile(self.target.access_profile) {
            return self.run_on_alternate(s).await;
        }
        let started = Instant::now();
        let ctx = StepContext {
            client: &self.client,
            fhirpath: &self.fhirpath,
            target: &self.target,
            check_all: self.check_all || s.conformance,
            strict: self.strict,
        };
        let mut vars = match self.initial_variables(s) {
            Ok(vars) => vars,
            Err(MissingVariables(missing)) => {
                let example: Vec<String> = missing.iter().map(|m| format!("{m} = \"…\"")).collect();
                return ScenarioResult::skipped(
                    s,
                    t!(
                        Lang::current(),
                        "s-missing-variables",
                        target = &self.target.name,
                        missing = missing.join(", "),
                        name = self.target.doctor_name(),
                        example = example.join(", ")
                    ),
                );
            }
        };
        let mut redactor = self.redactor.clone();
        let mut steps = Vec::with_capacity(s.steps.len());
        let mut status = Status::Passed;
        let mut reason = None;
        for step in &s.steps {
            if status != Status::Passed {
                steps.push(super::result::StepResult {
                    status: Status::Skipped,
                    reason: Some(t!(Lang::current(), "s-previous-step")),
                    ..super::result::StepResult::new(
                        step.value.name.clone(),
                        step.referenced.line(),
                    )
                });
                continue;
            }
            let mut result = run_step(&ctx, step, &mut vars, &mut redactor).await;
            if result.status == Status::Passed && !self.whole_bodies {
                result
                    .responses_mut()
                    .for_each(|r| r.abridge(PASSING_BODY_KEPT));
            }
            if result.status != Status::Passed {
                let unmet = step.value.precondition && result.status == Status::Failed;
                status = if unmet {
                    Status::Skipped
                } else {
                    result.status
                };
                reason = result.reason.as_ref().map(|r| {
                    if unmet {
                        t!(Lang::current(), "s-precondition", name = result.name, r = r)
                    } else {
                        t!(Lang::current(), "s-step", name = result.name, r = r)
                    }
                });
            }
            steps.push(result);
        }
        ScenarioResult::new(
            s,
            status,
            reason,
            started.elapsed().as_secs_f64() * 1000.0,
            steps,
        )
    }

    /// Runs every scenario with at most `jobs` at once; `on_done` sees each result as it
    /// comes. Results are returned in the order of `set`.
    pub async fn run(
        &self,
        set: &ScenarioSet,
        jobs: usize,
        on_done: impl Fn(&ScenarioResult) + Send + Sync + 'static,
    ) -> RunReport {
        self.run_until(set, jobs, on_done, std::future::pending())
            .await
    }

    /// [`Self::run`], stopped early when `stop` completes (a signal): nothing more is
    /// started, requests in flight are dropped, finished scenarios keep their result and the
    /// others are errored with the reason `stop` gives, so that the reports stay complete.
    pub async fn run_until(
        &self,
        set: &ScenarioSet,
        jobs: usize,
        on_done: impl Fn(&ScenarioResult) + Send + Sync + 'static,
        stop: impl std::future::Future<Output = String>,
    ) -> RunReport {
        let started_at = Local::now();
        let permits = Arc::new(Semaphore::new(jobs.max(1)));
        // The larger target is another server: its scenarios have job slots of their own,
        // taken once it is started, so that waiting for its dataset holds none of the
        // run's and none of the run's holds them back once it is there.
        let larger_permits = Arc::new(Semaphore::new(jobs.max(1)));
        let on_done = Arc::new(on_done);
        let mut tasks = tokio::task::JoinSet::new();
        // Shared by the tasks: a task that finds the run stopped does not start its scenario,
        // so at most the scenarios already under way finish after the decision.
        let gate = Arc::new(EarlyStop::default());
        // The longest first ($export, then paged reads), so that the run does not end
        // waiting on one of them alone; results keep the order of the set.
        let mut order: Vec<usize> = (0..set.scenarios.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(expected_length(&set.scenarios[i])));
        for index in order {
            let scenario = set.scenarios[index].clone();
            let runner = self.clone();
            let permits = permits.clone();
            let larger_permits = larger_permits.clone();
            let on_done = on_done.clone();
            let gate = gate.clone();
            let total = set.scenarios.len();
            tasks.spawn(async move {
                let _permit = runner.job(&scenario, permits, larger_permits).await;
                if gate.stopped.get().is_some() {
                    return (index, None);
                }
                let result = runner.run_scenario(&scenario).await;
                gate.record(&runner, &result, total);
                on_done(&result);
                (index, Some(result))
            });
        }
        let mut results: Vec<Option<ScenarioResult>> = vec![None; set.scenarios.len()];
        let mut stop = std::pin::pin!(stop);
        let mut interrupted: Option<String> = None;
        loop {
            tokio::select! {
                joined = tasks.join_next() => match joined {
                    Some(Ok((index, result))) => results[index] = result,
                    Some(Err(_)) => {}
                    None => break,
                },
                why = &mut stop, if interrupted.is_none() => {
                    tasks.abort_all();
                    interrupted = Some(why);
                }
            }
        }
        let stopped_early = gate.stopped.get().cloned();
        // A task that panicked or was stopped still gets a result: the reports stay complete.
        let scenarios = results
            .into_iter()
            .zip(&set.scenarios)
            .map(|(r, s)| match (r, &interrupted, &stopped_early) {
                (Some(r), _, _) => r,
                (None, Some(why), _) => {
                    let mut r =
                        ScenarioResult::skipped(s, t!(Lang::current(), "s-unfinished", why = why));
                    r.status = Status::Errored;
                    r
                }
                (None, None, Some(why)) => {
                    ScenarioResult::skipped(s, t!(Lang::current(), "s-not-run", why = why))
                }
                (None, None, None) => {
                    let mut r = ScenarioResult::skipped(s, t!(Lang::current(), "s-internal"));
                    r.status = Status::Errored;
                    r
                }
            })
            .collect();
        RunReport {
            tool: ToolInfo::current(),
            target: TargetInfo::of(&self.target, &self.redactor),
            scenario_set_hash: set.hash.clone(),
            started_at,
            finished_at: Local::now(),
            scenarios,
            interrupted,
            stopped_early,
            alternate_target: self
                .alternate
                .as_ref()
                .map(|a| TargetInfo::of(&a.target, &a.redactor)),
        }
    }
}
