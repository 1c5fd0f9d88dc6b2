//! `rorcheck run`: the scenarios against a target (the embedded mock by default), the
//! reports, the evidence archive and the exit code.

use std::path::Path;

use super::args::RunArgs;
use super::error::CliError;
use super::selection::{load_config, load_selected};
use super::signal::stop_on_signal;
use rorcheck_embedded::{Embedded, MOCK_MTLS};
use rorcheck_engine::config::{ConfigFile, Target, resolve_target};
use rorcheck_engine::run::Runner;
use rorcheck_engine::run::result::Verdict;
use rorcheck_fhirpath::FhirPath;
use rorcheck_http::{HttpClient, Redactor};
use rorcheck_mock::TlsMode;
use rorcheck_mock::{Faults, MockOptions};
use rorcheck_report as report;

pub(super) async fn run(config: Option<&Path>, args: RunArgs) -> Result<(), CliError> {
    let config = load_config(config)?;
    let set = load_selected(&args.filters)?;
    check_options(&args)?;
    // A larger mock that will surely be needed starts first: its dataset is generated
    // while the rest starts.
    let early = surely_larger(&args, &set);
    if let Some(larger) = &early {
        larger.begin();
    }
    // The embedded mocks stay alive for the whole run, with their certificates.
    let (embedded, targets) = targets(&args, config.as_ref()).await?;
    let runner = runner(&args, targets).await?;
    let runner = match early {
        Some(larger) => runner.with_larger(larger),
        None => with_larger(runner, &args, &set),
    };
    say!(
        "cli-run-header",
        version = env!("CARGO_PKG_VERSION"),
        count = set.scenarios.len(),
        target = runner.target().name,
        base_url = runner.target().base_url
    );
    let look = report::console::Look {
        color: report::console::color_wanted(args.color.as_str()),
        verbose: args.verbose,
    };
    let progress = std::sync::Arc::new(report::console::Progress::new(set.scenarios.len(), look));
    let shown = progress.clone();
    let caught = std::sync::Arc::new(std::sync::OnceLock::new());
    let quiet = args.quiet;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let on_done = move |s: &rorcheck_engine::run::ScenarioResult| {
        if !quiet {
            shown.finished(s);
        }
    };
    let result = runner
        .run_until(&set, jobs, on_done, stop_on_signal(caught.clone()))
        .await;
    progress.done();
    print!("{}", report::console::summary(&result, look));
    write_outputs(&result, &args.report_dir, args.evidence.as_deref())?;
    drop(embedded);
    if let Some(signal) = caught.get() {
        return Err(CliError::Interrupted { signal: *signal });
    }
    exit_status(&result, args.fail_on)
}

/// Options checked before anything runs: found out now rather than after the whole run.
fn check_options(args: &RunArgs) -> Result<(), CliError> {
    if args.timeout == Some(0) {
        return Err(CliError::Usage(
            "--timeout must be at least 1 second".into(),
        ));
    }
    check_writable(&args.report_dir)?;
    if let Some(zip) = &args.evidence {
        check_writable(
            zip.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )?;
    }
    if !args.mock_faults.is_empty() && args.target != "mock" && args.target != MOCK_MTLS {
        return Err(CliError::Usage(format!(
            "--mock-fault only applies to the embedded mock (--target mock or {MOCK_MTLS})"
        )));
    }
    Ok(())
}

/// The run's targets, with the command line's overrides: `mock` is both embedded mocks
/// (profile 0 by secret, and profiles 1 to 5 over mutual TLS as the profile-1 demo client),
/// each kept alive by the returned [`Embedded`].
async fn targets(
    args: &RunArgs,
    config: Option<&ConfigFile>,
) -> Result<(Vec<Embedded>, Vec<Target>), CliError> {
    let faults = &args.mock_faults;
    let embedded = match args.target.as_str() {
        "mock" => {
            // Each generates its dataset and makes its certificates: at the same time.
            let (plain, mtls) = tokio::try_join!(embedded(false, faults), embedded(true, faults))?;
            vec![plain, mtls]
        }
        MOCK_MTLS => vec![embedded(true, faults).await?],
        _ => Vec::new(),
    };
    let mut targets: Vec<Target> = embedded.iter().map(|e| e.target.clone()).collect();
    if embedded.is_empty() {
        targets.push(resolve_target(&args.target, config)?);
    }
    for target in &mut targets {
        if let Some(secs) = args.timeout {
            target.timeout = std::time::Duration::from_secs(secs);
        }
        target.allow_heavy |= args.allow_heavy;
        target.variables.extend(args.vars.iter().cloned());
    }
    Ok((embedded, targets))
}

/// The runner of the first target, with the second (if any) as its alternate.
async fn runner(args: &RunArgs, targets: Vec<Target>) -> Result<Runner, CliError> {
    let fhirpath = FhirPath::new()
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let runner_of = |target: Target| {
        let client = HttpClient::from_reqwest(target.http.clone());
        Runner::new(client, fhirpath.clone(), target, Redactor::default())
            .with_conformance(args.check_all, args.strict)
            .with_fail_fast(args.fail_fast)
            // Only the evidence archive shows passing steps' bodies whole.
            .with_whole_bodies(args.evidence.is_some())
    };
    let mut targets = targets.into_iter();
    let Some(primary) = targets.next() else {
        return Err(CliError::Runtime("no target".into()));
    };
    let mut runner = runner_of(primary);
    if let Some(alternate) = targets.next() {
        runner = runner.with_alternate(runner_of(alternate));
    }
    Ok(runner)
}

/// The three reports, and the evidence archive when asked for.
fn write_outputs(
    result: &rorcheck_engine::run::RunReport,
    report_dir: &Path,
    evidence: Option<&Path>,
) -> Result<(), CliError> {
    let written = report::write_all(report::Document::Run(result), report_dir)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    say!(
        "cli-reports",
        html = written.html.display(),
        junit = written.junit.display(),
        json = written.json.display()
    );
    if let Some(zip) = evidence {
        let har = report::har::run(result)
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
    Ok(())
}

/// The exit: the verdict, with failures below `--fail-on` reported but not fatal.
fn exit_status(result: &rorcheck_engine::run::RunReport, fail_on: u8) -> Result<(), CliError> {
    let fails_build = result.scenarios.iter().any(|s| {
        s.status == rorcheck_engine::run::Status::Failed && s.priority.number() <= fail_on
    });
    match result.verdict() {
        Verdict::Conforme => Ok(()),
        Verdict::NonConforme if !fails_build => {
            say!("cli-fail-on", fail_on = fail_on);
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
    say!("cli-evidence", path = zip.display());
    Ok(())
}

/// The embedded mock of `--target mock` / `mock-mtls`, with the faults asked for. The run
/// needs no realistic wait: the export job is ready at once, yet its first poll still
/// answers « in progress » (`serve`/`observe` keep 1.5 s).
async fn embedded(mtls: bool, faults: &[rorcheck_mock::Fault]) -> Result<Embedded, CliError> {
    Embedded::start(embedded_options(mtls, faults))
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))
}

fn embedded_options(mtls: bool, faults: &[rorcheck_mock::Fault]) -> MockOptions {
    MockOptions {
        faults: Faults::new(faults.to_vec()),
        export_delay: std::time::Duration::ZERO,
        tls: if mtls { TlsMode::Mtls } else { TlsMode::Off },
        ..MockOptions::default()
    }
}

/// On an embedded target, whether it is the mTLS one.
fn embedded_mtls(args: &RunArgs) -> Option<bool> {
    match args.target.as_str() {
        "mock" => Some(false),
        MOCK_MTLS => Some(true),
        _ => None,
    }
}

/// The larger mock, when the scenarios need more offers than the embedded target's dataset
/// generates (more than it can hold, whatever its access rules hide).
fn surely_larger(
    args: &RunArgs,
    set: &rorcheck_scenario::ScenarioSet,
) -> Option<rorcheck_engine::run::LargerTarget> {
    let options = embedded_options(embedded_mtls(args)?, &args.mock_faults);
    let generated = u64::try_from(options.dataset.offers).unwrap_or(u64::MAX);
    let needed = rorcheck_embedded::larger_needed(
        set.scenarios.iter().filter_map(|s| s.min_offers),
        generated,
    )?;
    Some(rorcheck_embedded::larger(options, needed))
}

/// On the embedded target, the scenarios that need more offers than its dataset holds
/// (`min_offers`) run on a larger mock of the same flavour and faults, started when the
/// first of them runs.
fn with_larger(runner: Runner, args: &RunArgs, set: &rorcheck_scenario::ScenarioSet) -> Runner {
    let Some(mtls) = embedded_mtls(args) else {
        return runner;
    };
    let held = runner.target().offers.unwrap_or(u64::MAX);
    match rorcheck_embedded::larger_needed(set.scenarios.iter().filter_map(|s| s.min_offers), held)
    {
        Some(needed) => runner.with_larger(rorcheck_embedded::larger(
            embedded_options(mtls, &args.mock_faults),
            needed,
        )),
        None => runner,
    }
}
