//! What each command does.

use std::path::{Path, PathBuf};

use super::{
    Cli, Command, DoctorLang, Filters, FixturesCommand, ListFormat, NosCommand, RunArgs, ServeArgs,
};
use rorcheck_engine::config::{ConfigError, ConfigFile, Target, TargetAuth, resolve_target};
use rorcheck_engine::run::Runner;
use rorcheck_engine::run::result::Verdict;
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::oauth::TokenSource;
use rorcheck_http::{HttpClient, Redactor};
use rorcheck_mock::{Faults, MockOptions, MockServer};
use rorcheck_report as report;
use rorcheck_scenario::select::Selection;
use rorcheck_scenario::{
    self as scenario, AccessProfile, LoadErrors, Modality, Priority, Scenario,
};

/// Why a command did not succeed, and its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("invalid scenarios:\n{0}")]
    Scenarios(#[from] LoadErrors),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Runtime(String),
    #[error("invalid URL: {0}")]
    Url(#[from] url::ParseError),
    /// Scenarios ran and some did not pass (the reports say which).
    #[error("des scénarios ont échoué (voir les rapports)")]
    Failed,
    /// Nothing failed, but something could not be evaluated (connection, TLS, credentials,
    /// timeouts, a CRITIQUE scenario that could not run).
    #[error(
        "vérification incomplète : des scénarios n'ont pas pu être évalués (voir les rapports)"
    )]
    Incomplete,
    /// `doctor` found problems (it printed them with their fix).
    #[error("des vérifications ont échoué (voir ci-dessus)")]
    ChecksFailed,
    /// The observed application's command failed (the reports say how); distinct from a
    /// verdict.
    #[error("{0}")]
    ApplicationFailed(String),
    /// A signal stopped the run; the reports were written with what had finished.
    #[error("exécution interrompue par {signal} (rapports écrits avec les scénarios terminés)")]
    Interrupted { signal: Signal },
}

/// The signals that stop a run cleanly: Ctrl-C, and what CI systems send to cancel a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// The conventional exit status, 128 + the signal number.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Waits for SIGINT or SIGTERM (Ctrl-C only where there is no SIGTERM).
pub async fn next_signal() -> Signal {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                Signal::Interrupt
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        Signal::Interrupt
    }
}

/// The first signal stops the run (the reports are still written); a second one exits at
/// once, for a user who does not want to wait.
async fn stop_on_signal(caught: std::sync::Arc<std::sync::OnceLock<Signal>>) -> String {
    let first = next_signal().await;
    let _ = caught.set(first);
    eprintln!(
        "\n{first} reçu : arrêt, écriture des rapports… (un second signal quitte immédiatement)"
    );
    tokio::spawn(async move {
        next_signal().await;
        eprintln!("second signal : sortie immédiate, sans rapport");
        std::process::exit(first.exit_code());
    });
    first.name().to_owned()
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Interrupted { signal } => signal.exit_code(),
            CliError::ApplicationFailed(_) => 4,
            CliError::Failed | CliError::ChecksFailed => 1,
            CliError::Incomplete => 3,
            _ => 2,
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Option<ConfigFile>, CliError> {
    match path {
        Some(p) => Ok(Some(ConfigFile::load(p)?)),
        None => {
            let default = PathBuf::from("rorcheck.toml");
            if default.is_file() {
                Ok(Some(ConfigFile::load(&default)?))
            } else {
                Ok(None)
            }
        }
    }
}

fn selection(f: &Filters) -> Result<Selection, CliError> {
    let priorities = f
        .priority
        .iter()
        .map(|p| Priority::try_from(*p).map_err(CliError::Usage))
        .collect::<Result<_, _>>()?;
    let modalities = f
        .modality
        .iter()
        .map(|m| {
            Modality::from_key(m).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown modality `{m}`; expected one of: {}",
                    Modality::ALL.map(Modality::key).join(", ")
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let ids =
        f.id.iter()
            .map(|g| {
                glob::Pattern::new(g)
                    .map_err(|e| CliError::Usage(format!("invalid --id glob `{g}`: {e}")))
            })
            .collect::<Result<_, _>>()?;
    Ok(Selection {
        priorities,
        tags: f.tag.clone(),
        modalities,
        ids,
    })
}

/// The ids of the scenarios that failed or errored in an earlier `report.json`.
fn failed_in(path: &Path) -> Result<Vec<String>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("--rerun-failed {}: {e}", path.display())))?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "--rerun-failed {}: not a report.json ({e})",
            path.display()
        ))
    })?;
    let scenarios = report["scenarios"].as_array().ok_or_else(|| {
        CliError::Usage(format!(
            "--rerun-failed {}: no scenarios in it",
            path.display()
        ))
    })?;
    let failed: Vec<String> = scenarios
        .iter()
        .filter(|s| matches!(s["status"].as_str(), Some("failed" | "errored")))
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    if failed.is_empty() {
        return Err(CliError::Usage(format!(
            "--rerun-failed {}: nothing failed or errored in it",
            path.display()
        )));
    }
    Ok(failed)
}

pub(super) fn load_selected(f: &Filters) -> Result<scenario::ScenarioSet, CliError> {
    let mut set = scenario::load(&f.paths)?;
    let all: Vec<String> = set.scenarios.iter().map(|s| s.id().to_owned()).collect();
    set.scenarios = selection(f)?.apply(set.scenarios);
    if let Some(path) = &f.rerun_failed {
        let again = failed_in(path)?;
        set.scenarios
            .retain(|s| again.iter().any(|id| id == s.id()));
    }
    if let Some((k, n)) = f.shard {
        // By position in the id order of the whole selection: the same on every machine.
        set.scenarios = set
            .scenarios
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % n == k - 1)
            .map(|(_, s)| s)
            .collect();
    }
    if set.scenarios.is_empty() {
        let hint = match f.id.first() {
            Some(wanted) => format!(
                " (--id {wanted}: the nearest ids are {})",
                rorcheck_scenario::select::nearest_ids(wanted, all.iter().map(String::as_str), 3)
                    .join(", ")
            ),
            None => String::new(),
        };
        return Err(CliError::Usage(format!(
            "no scenario matches the selection{hint}"
        )));
    }
    Ok(set)
}

/// The embedded mock served over mutual TLS, for the scenarios of access profiles 1 to 5.
pub const MOCK_MTLS: &str = "mock-mtls";

/// The embedded mock over mutual TLS as a target: the profile-1 demo client presenting its
/// test certificate (written to `dir` with the test CA), tokens by certificate (RFC 8705).
pub fn mock_mtls_target(mock: &MockServer, dir: &std::path::Path) -> Result<Target, CliError> {
    let pki = mock
        .pki
        .as_ref()
        .ok_or_else(|| CliError::Runtime("the mutual-TLS mock has no test PKI".into()))?;
    pki.write(dir)
        .map_err(|e| CliError::Runtime(format!("cannot write the test certificates: {e}")))?;
    let path = |name: &str| toml::Value::String(dir.join(name).display().to_string()).to_string();
    let text = format!(
        "base_url = {base}\naccess_profile = 1\n\
         auth = {{ kind = \"mtls\", token_url = {token}, client_id = \"rorcheck-demo-p1\" }}\n\
         tls = {{ ca = {ca}, ca_only = true, cert = {cert}, key = {key} }}\n",
        base = toml::Value::String(mock.base_url.clone()),
        token = toml::Value::String(mock.token_url.clone()),
        ca = path("ca.pem"),
        cert = path("rorcheck-demo-p1.pem"),
        key = path("rorcheck-demo-p1.key.pem"),
    );
    let config: rorcheck_engine::config::TargetConfig =
        toml::from_str(&text).map_err(|e| CliError::Runtime(e.to_string()))?;
    let mut target = Target::from_config(
        "mock-mtls (ROR simulé intégré, TLS mutuel, profil 1)",
        &config,
    )?;
    target.limits = rorcheck_http::Limits::EMBEDDED;
    for (name, value) in [
        ("expired_token", mock.expired_demo_token()),
        ("tampered_token", mock.tampered_demo_token()),
    ] {
        target.variables.insert(name.into(), value);
        target.secret_variables.push(name.into());
    }
    Ok(target)
}

/// The embedded mock as a target: profile 0 demo client, its token, and the values the auth
/// scenarios need.
pub fn mock_target(mock: &MockServer) -> Result<Target, CliError> {
    let mut target = Target::new("mock (ROR simulé intégré)", &mock.base_url)?;
    // The harness authenticates to the mock as a real client would: client_credentials.
    let client = mock.demo_client();
    let token_url = url::Url::parse(&mock.token_url)?;
    target.auth = TargetAuth::ClientCredentials(std::sync::Arc::new(TokenSource::new(
        token_url,
        client.client_id.clone(),
        Some(client.secret.clone()),
        target.http.clone(),
    )));
    target.access_profile = AccessProfile::try_from(0).ok();
    target.limits = rorcheck_http::Limits::EMBEDDED;
    for (k, v) in [
        ("token_url", mock.token_url.clone()),
        ("client_id", client.client_id.clone()),
        ("client_secret", client.secret.clone()),
        ("expired_token", mock.expired_demo_token()),
        ("tampered_token", mock.tampered_demo_token()),
    ] {
        target.variables.insert(k.to_owned(), v);
    }
    target.secret_variables = vec![
        "client_secret".into(),
        "expired_token".into(),
        "tampered_token".into(),
    ];
    Ok(target)
}

async fn run(config: Option<&Path>, args: RunArgs) -> Result<(), CliError> {
    let RunArgs {
        target: target_spec,
        allow_heavy,
        check_all,
        strict,
        jobs,
        timeout,
        report_dir,
        evidence,
        fail_fast,
        fail_on,
        vars,
        quiet,
        mock_faults,
        filters,
    } = args;
    let filters = &filters;
    let config = load_config(config)?;
    let set = load_selected(filters)?;
    if timeout == Some(0) {
        return Err(CliError::Usage(
            "--timeout must be at least 1 second".into(),
        ));
    }
    // Found out now rather than after the whole run.
    check_writable(&report_dir)?;
    if let Some(zip) = &evidence {
        check_writable(
            zip.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )?;
    }
    if !mock_faults.is_empty() && target_spec != "mock" && target_spec != MOCK_MTLS {
        return Err(CliError::Usage(format!(
            "--mock-fault only applies to the embedded mock (--target mock or {MOCK_MTLS})"
        )));
    }
    // The embedded mocks (kept alive for the whole run) and their certificates.
    let mut embedded = Vec::new();
    let mut targets = if target_spec == "mock" {
        // Every scenario on the embedded target it is meant for: profile 0 by secret, and
        // profiles 1 to 5 over mutual TLS as the profile-1 demo client.
        let plain = Embedded::start(false, &mock_faults).await?;
        let mtls = Embedded::start(true, &mock_faults).await?;
        let targets = vec![plain.target.clone(), mtls.target.clone()];
        embedded.extend([plain, mtls]);
        targets
    } else if target_spec == MOCK_MTLS {
        let mtls = Embedded::start(true, &mock_faults).await?;
        let targets = vec![mtls.target.clone()];
        embedded.push(mtls);
        targets
    } else {
        vec![resolve_target(&target_spec, config.as_ref())?]
    };
    for target in &mut targets {
        if let Some(secs) = timeout {
            target.timeout = std::time::Duration::from_secs(secs);
        }
        target.allow_heavy |= allow_heavy;
        target.variables.extend(vars.iter().cloned());
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let fhirpath = FhirPath::new()
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let runner_of = |target: Target| {
        let client = HttpClient::from_reqwest(target.http.clone());
        Runner::new(client, fhirpath.clone(), target, Redactor::default())
            .with_conformance(check_all, strict)
            .with_fail_fast(fail_fast)
    };
    let mut targets = targets.into_iter();
    let Some(primary) = targets.next() else {
        return Err(CliError::Runtime("no target".into()));
    };
    let mut runner = runner_of(primary);
    if let Some(alternate) = targets.next() {
        runner = runner.with_alternate(runner_of(alternate));
    }
    println!(
        "rorcheck {} — {} scénario(s) sur {} ({})",
        env!("CARGO_PKG_VERSION"),
        set.scenarios.len(),
        runner.target().name,
        runner.target().base_url
    );
    let progress = std::sync::Arc::new(report::console::Progress::new(set.scenarios.len()));
    let shown = progress.clone();
    let caught = std::sync::Arc::new(std::sync::OnceLock::new());
    let result = runner
        .run_until(
            &set,
            jobs,
            move |s| {
                if !quiet {
                    shown.finished(s);
                }
            },
            stop_on_signal(caught.clone()),
        )
        .await;
    progress.done();
    print!("{}", report::console::summary(&result));
    let written =
        report::write_all(&result, &report_dir).map_err(|e| CliError::Runtime(e.to_string()))?;
    println!(
        "Rapports : {}, {}, {}",
        written.html.display(),
        written.junit.display(),
        written.json.display()
    );
    if let Some(zip) = &evidence {
        let har = report::archive::run_har(&result)
            .to_json()
            .map_err(|e| CliError::Runtime(e.to_string()))?;
        let info = report::archive::DossierInfo {
            mode: "run",
            tool: "rorcheck",
            version: env!("CARGO_PKG_VERSION"),
            scenario_set_hash: result.scenario_set_hash.clone(),
            target: format!("{} ({})", result.target.name, result.target.base_url),
            started_at: result.started_at.to_rfc3339(),
            finished_at: result.finished_at.to_rfc3339(),
            verdict: result.verdict().label().to_owned(),
        };
        write_evidence(zip, &info, &written, har.into_bytes())?;
    }
    drop(embedded);
    if let Some(signal) = caught.get() {
        return Err(CliError::Interrupted { signal: *signal });
    }
    let fails_build = result.scenarios.iter().any(|s| {
        s.status == rorcheck_engine::run::Status::Failed && s.priority.number() <= fail_on
    });
    match result.verdict() {
        Verdict::Conforme => Ok(()),
        // `--fail-on`: failures below the chosen priority are reported, not fatal.
        Verdict::NonConforme if !fails_build => {
            println!("Échecs de priorité au-delà de --fail-on {fail_on} seulement : sortie 0");
            Ok(())
        }
        Verdict::NonConforme => Err(CliError::Failed),
        Verdict::Incomplet | Verdict::Interrompu => Err(CliError::Incomplete),
    }
}

/// What to do when the mock's port is taken.
pub(super) fn busy_port_hint(error: &str) -> &'static str {
    if error.contains("in use") {
        " (port déjà pris : --addr 127.0.0.1:0 en choisit un libre)"
    } else {
        ""
    }
}

/// Creates `dir` if need be and checks a file can be written there, before any scenario
/// runs.
pub(super) fn check_writable(dir: &Path) -> Result<(), CliError> {
    let unwritable = |e: std::io::Error| {
        CliError::Usage(format!("cannot write reports to {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    tempfile::tempfile_in(dir).map(drop).map_err(unwritable)
}

/// The dossier: the reports as written, the HAR, and the manifest.
pub(super) fn write_evidence(
    zip: &Path,
    info: &report::archive::DossierInfo,
    written: &report::Written,
    har: Vec<u8>,
) -> Result<(), CliError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| CliError::Runtime(format!("cannot read {}: {e}", p.display())))
    };
    let files = [
        ("report.html", read(&written.html)?),
        ("junit.xml", read(&written.junit)?),
        ("report.json", read(&written.json)?),
        ("session.har", har),
    ];
    report::archive::write_dossier(zip, info, &files)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    println!("Dossier de preuve : {}", zip.display());
    Ok(())
}

/// An embedded mock started for a run, with its target (and the certificates of the
/// mutual-TLS one, removed after the run).
struct Embedded {
    _mock: MockServer,
    _certificates: Option<tempfile::TempDir>,
    target: Target,
}

impl Embedded {
    async fn start(mtls: bool, faults: &[rorcheck_mock::Fault]) -> Result<Embedded, CliError> {
        let opts = MockOptions {
            faults: Faults::new(faults.to_vec()),
            // The embedded run needs no realistic wait: the job is ready at once, yet its
            // first poll still answers « in progress » (`serve`/`observe` keep 1.5 s).
            export_delay: std::time::Duration::ZERO,
            tls: if mtls {
                rorcheck_mock::TlsMode::Mtls
            } else {
                rorcheck_mock::TlsMode::Off
            },
            ..MockOptions::default()
        };
        let mock = MockServer::start(opts)
            .await
            .map_err(|e| CliError::Runtime(format!("cannot start the embedded mock ROR: {e}")))?;
        if !mtls {
            let target = mock_target(&mock)?;
            return Ok(Embedded {
                _mock: mock,
                _certificates: None,
                target,
            });
        }
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::Runtime(format!("cannot write the test certificates: {e}")))?;
        let target = mock_mtls_target(&mock, dir.path())?;
        Ok(Embedded {
            _mock: mock,
            _certificates: Some(dir),
            target,
        })
    }
}

async fn doctor(config: Option<&Path>, env: &str, lang: DoctorLang) -> Result<(), CliError> {
    use crate::doctor::{Lang, Subject, diagnose};
    let lang = match lang {
        DoctorLang::Fr => Lang::Fr,
        DoctorLang::En => Lang::En,
    };
    // Keeps the embedded mock alive while it is examined.
    let mut _mock = None;
    let subject = if env == "mock" {
        let mock = MockServer::start(MockOptions::default())
            .await
            .map_err(|e| CliError::Runtime(format!("cannot start the embedded mock ROR: {e}")))?;
        let target = mock_target(&mock)?;
        _mock = Some(mock);
        Subject::Prepared(target)
    } else if env.starts_with("http://") || env.starts_with("https://") {
        Subject::Prepared(Target::from_url(env)?)
    } else {
        let config = load_config(config)?;
        Subject::Config {
            name: env.to_owned(),
            config: rorcheck_engine::config::effective_config(env, config.as_ref()),
        }
    };
    let diagnosis = diagnose(subject, lang).await;
    print!("{}", diagnosis.render());
    if diagnosis.passed() {
        Ok(())
    } else {
        Err(CliError::ChecksFailed)
    }
}

fn list(format: ListFormat, filters: &Filters) -> Result<(), CliError> {
    let set = load_selected(filters)?;
    let text = match format {
        ListFormat::Table => list_table(&set.scenarios),
        ListFormat::Json => {
            list_json(&set.scenarios).map_err(|e| CliError::Runtime(e.to_string()))?
        }
        ListFormat::Markdown => list_markdown(&set.scenarios),
    };
    print!("{text}");
    Ok(())
}

fn list_table(scenarios: &[Scenario]) -> String {
    let mut out = format!(
        "{:<12} {:<11} {:<14} {:<55} {}\n",
        "ID", "PRIORITÉ", "MODALITÉ", "TITRE", "ÉTIQUETTES"
    );
    for s in scenarios {
        let title: String = if s.title.chars().count() > 55 {
            s.title.chars().take(54).chain(['…']).collect()
        } else {
            s.title.clone()
        };
        out.push_str(&format!(
            "{:<12} P{} {:<8} {:<14} {:<55} {}\n",
            s.id(),
            s.priority.number(),
            s.priority.label(),
            s.modality.key(),
            title,
            s.tags.join(",")
        ));
    }
    out.push_str(&format!("{} scénario(s)\n", scenarios.len()));
    out
}

fn list_json(scenarios: &[Scenario]) -> Result<String, serde_json::Error> {
    let items: Vec<serde_json::Value> = scenarios
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id(),
                "title": s.title,
                "priority": s.priority.number(),
                "priority_label": s.priority.label(),
                "modality": s.modality.key(),
                "tags": s.tags,
                "requirements": s.requirements,
                "file": s.source.display().to_string(),
            })
        })
        .collect();
    Ok(serde_json::to_string_pretty(&items)? + "\n")
}

/// The catalogue as a Markdown table (`docs/scenarios.md`).
pub fn list_markdown(scenarios: &[Scenario]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "# Catalogue des scénarios\n\n\
         Generated by `rorcheck list --format markdown > docs/scenarios.md`; do not edit by hand.\n\n\
         | Id | Titre | Priorité | Modalité | Exigences |\n|---|---|---|---|---|\n",
    );
    for s in scenarios {
        out.push_str(&format!(
            "| {} | {} | {} {} | {} | {} |\n",
            s.id(),
            cell(&s.title),
            s.priority.number(),
            s.priority.label(),
            s.modality.label(),
            cell(&s.requirements.join(" ; "))
        ));
    }
    out.push_str(&format!("\n{} scénario(s).\n", scenarios.len()));
    out
}

fn validate(paths: &[PathBuf]) -> Result<(), CliError> {
    let set = scenario::load(paths)?;
    println!("{} scénario(s) valides", set.scenarios.len());
    Ok(())
}

/// The JSON Schema of a scenario file.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let tls = args.tls_mode();
    let ServeArgs {
        addr,
        seed,
        offers,
        faults,
        dataset,
        write_certs,
        clients,
        token_lifetime,
        ..
    } = args;
    let mut opts = MockOptions {
        addr,
        faults: Faults::new(faults.iter().copied()),
        dataset_dir: dataset,
        tls,
        clients_file: clients,
        token_lifetime_secs: token_lifetime,
        ..MockOptions::default()
    };
    opts.dataset.seed = seed;
    opts.dataset.offers = offers;
    let mock = MockServer::start(opts)
        .await
        .map_err(|e| CliError::Runtime(format!("{e}{}", busy_port_hint(&e.to_string()))))?;
    let client = mock.demo_client();
    println!("Mock ROR en écoute.");
    if !faults.is_empty() {
        let keys: Vec<&str> = faults.iter().map(|f| f.key()).collect();
        println!("  ATTENTION : défauts injectés : {}", keys.join(", "));
    }
    println!("  Base FHIR      : {}", mock.base_url);
    println!("  Jeton OAuth2   : {}", mock.token_url);
    println!("  client_id      : {}", client.client_id);
    println!(
        "  client_secret  : {} (démo, profil d'accès 0)",
        client.secret
    );
    // The demo secret is public test data: the example runs as printed.
    println!(
        "  Exemple : curl -s -d grant_type=client_credentials -d client_id={} -d client_secret={} {}",
        client.client_id, client.secret, mock.token_url
    );
    if let Some(pki) = &mock.pki {
        for (id, profile, identity) in &pki.clients {
            println!(
                "  client mTLS     : {id} (profil d'accès {profile}, certificat x5t#S256 {})",
                identity.thumbprint()
            );
        }
        match &write_certs {
            Some(dir) => {
                let files = pki
                    .write(dir)
                    .map_err(|e| CliError::Runtime(format!("cannot write certificates: {e}")))?;
                println!(
                    "  Certificats de test (AC, serveur, clients) : {} fichiers dans {}",
                    files.len(),
                    dir.display()
                );
            }
            None => println!("  (--write-certs DIR écrit l'AC de test et les certificats clients)"),
        }
    } else if write_certs.is_some() {
        return Err(CliError::Usage(
            "--write-certs needs --tls or --mtls".into(),
        ));
    }
    println!("Ctrl-C pour arrêter.");
    tokio::select! {
        () = mock.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// Runs the parsed command line.
pub async fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run(cli.config.as_deref(), args).await,
        Command::List { format, filters } => list(format, &filters),
        Command::Doctor { env, lang } => doctor(cli.config.as_deref(), &env, lang).await,
        Command::Validate { paths } => validate(&paths),
        Command::Schema => {
            print!("{}", schema());
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
        Command::Observe(args) => super::observe::observe(args).await,
        Command::Nos {
            command: NosCommand::Import { dir, out, source },
        } => {
            let snapshot = rorcheck_conformance::nos::NosSnapshot::import(&dir, &source)
                .map_err(CliError::Runtime)?;
            let text =
                serde_json::to_string(&snapshot).map_err(|e| CliError::Runtime(e.to_string()))?;
            std::fs::write(&out, text + "\n")
                .map_err(|e| CliError::Runtime(format!("{}: {e}", out.display())))?;
            println!(
                "{} systèmes de codes, {} jeux de valeurs (NOS du {}) écrits dans {}",
                snapshot.code_systems.len(),
                snapshot.value_sets.len(),
                snapshot.date,
                out.display()
            );
            Ok(())
        }
        Command::Fixtures {
            command: FixturesCommand::Generate { seed, offers, out },
        } => {
            let opts = rorcheck_mock::GenerateOptions {
                seed,
                offers,
                ..rorcheck_mock::GenerateOptions::default()
            };
            let dataset = rorcheck_mock::Dataset::generate(opts);
            let files = dataset
                .write(&out)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            println!(
                "{} ressources (graine {seed}, {offers} offres) écrites dans {} fichiers sous {}",
                dataset.resources.len(),
                files.len(),
                out.display()
            );
            Ok(())
        }
    }
}
