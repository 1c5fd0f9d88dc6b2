//! Running scenarios: concurrently across scenarios, in order within one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Local, SecondsFormat, Utc};
use tokio::sync::Semaphore;

use super::result::{RunReport, ScenarioResult, Status, TargetInfo, ToolInfo};
use super::step::{StepContext, run_step};
use crate::config::Target;
use crate::fhirpath::FhirPath;
use crate::http::{HttpClient, Redactor};
use crate::scenario::{Scenario, ScenarioSet};

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
}

impl Runner {
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
        }
    }

    /// Conformance checks on every FHIR body received (`--check-all`); `strict` makes
    /// unknown NOS codes errors.
    pub fn with_conformance(mut self, check_all: bool, strict: bool) -> Self {
        self.check_all = check_all;
        self.strict = strict;
        self
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Variables a scenario starts with: built-ins, the target's values, its own defaults.
    /// Names of declared variables that neither the target nor the scenario gives are
    /// returned as the error.
    fn initial_variables(&self, s: &Scenario) -> Result<BTreeMap<String, String>, Vec<String>> {
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
            return Err(missing);
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

    /// Runs one scenario to its end; never panics on server behaviour.
    pub async fn run_scenario(&self, s: &Scenario) -> ScenarioResult {
        if self.target.production
            && !self.target.allow_heavy
            && s.tags.iter().any(|t| t == HEAVY_TAG)
        {
            return ScenarioResult::skipped(
                s,
                format!(
                    "scénario lourd (étiquette « {HEAVY_TAG} ») non exécuté sur un environnement de \
                     production : --allow-heavy ou allow_heavy = true pour l'autoriser"
                ),
            );
        }
        if !s.applies_to_profile(self.target.access_profile) {
            let profiles: Vec<String> = s
                .access_profiles
                .iter()
                .map(|p| p.number().to_string())
                .collect();
            return ScenarioResult::skipped(
                s,
                format!(
                    "réservé aux profils d'accès {}, la cible utilise le profil {}",
                    profiles.join(", "),
                    self.target.access_profile.map_or(0, |p| p.number())
                ),
            );
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
            Err(missing) => {
                return ScenarioResult::skipped(
                    s,
                    format!(
                        "la cible « {} » ne fournit pas : {}",
                        self.target.name,
                        missing.join(", ")
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
                    name: step.value.name.clone(),
                    line: step.referenced.line(),
                    status: Status::Skipped,
                    reason: Some("étape précédente non réussie".into()),
                    duration_ms: 0.0,
                    attempts: 0,
                    exchange: None,
                    assertions: Vec::new(),
                    captures: Vec::new(),
                    follow_ups: Vec::new(),
                });
                continue;
            }
            let result = run_step(&ctx, step, &mut vars, &mut redactor).await;
            if result.status != Status::Passed {
                status = result.status;
                reason = result
                    .reason
                    .as_ref()
                    .map(|r| format!("étape « {} » : {r}", result.name));
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
        let on_done = Arc::new(on_done);
        let mut tasks = tokio::task::JoinSet::new();
        for (index, scenario) in set.scenarios.iter().cloned().enumerate() {
            let runner = self.clone();
            let permits = permits.clone();
            let on_done = on_done.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = runner.run_scenario(&scenario).await;
                on_done(&result);
                (index, result)
            });
        }
        let mut results: Vec<Option<ScenarioResult>> = vec![None; set.scenarios.len()];
        let mut stop = std::pin::pin!(stop);
        let mut interrupted: Option<String> = None;
        loop {
            tokio::select! {
                joined = tasks.join_next() => match joined {
                    Some(Ok((index, result))) => results[index] = Some(result),
                    Some(Err(_)) => {}
                    None => break,
                },
                why = &mut stop, if interrupted.is_none() => {
                    tasks.abort_all();
                    interrupted = Some(why);
                }
            }
        }
        // A task that panicked or was stopped still gets a result: the reports stay complete.
        let unfinished = match &interrupted {
            Some(why) => format!("scénario non terminé : exécution interrompue ({why})"),
            None => "erreur interne de rorcheck".to_owned(),
        };
        let scenarios = results
            .into_iter()
            .zip(&set.scenarios)
            .map(|(r, s)| {
                r.unwrap_or_else(|| {
                    let mut r = ScenarioResult::skipped(s, unfinished.clone());
                    r.status = Status::Errored;
                    r
                })
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
        }
    }
}
