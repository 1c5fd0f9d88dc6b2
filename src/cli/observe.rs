//! `rorcheck observe`: start the simulated ROR, print where and how to connect, record
//! until the duration ends or Ctrl-C, then judge and write the reports.

use rorcheck_i18n::{Lang, t};
use rorcheck_mock::log::LoggedRequest;
use rorcheck_mock::{MockOptions, TlsMode};
use rorcheck_observe::{ObserveReport, Observer, Status};

use super::application::{Certificates, CommandReport, CommandRun, Connection, run_command};
use super::args::ObserveArgs;
use super::error::CliError;
use super::selection::load_selected;

/// `rorcheck observe`: the simulated ROR started, the application connected (or run),
/// its traffic recorded then judged and reported.
pub async fn observe(args: ObserveArgs) -> Result<(), CliError> {
    // Scenarios are loaded and checked before anything listens: a bad file stops here.
    let set = load_selected(&args.filters)?;
    check_options(&args)?;
    let tls = args.tls_mode();
    let observer = start(&args).await?;
    // Kept alive for the session when the certificates go to a temporary directory.
    let (certs_dir, _temporary) = certificates_dir(&observer, &args)?;
    let connection = Connection::of(
        &observer,
        tls,
        certs_dir.as_deref().map(|dir| Certificates { dir }),
    );
    if let Some(path) = &args.env_file {
        connection
            .write_env_file(path)
            .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display())))?;
    }
    print_banner(&observer, &args, &connection, certs_dir.as_deref());
    let runs = std::sync::Mutex::new(Vec::new());
    if args.command.is_empty() {
        record(&observer, &args, std::future::pending()).await;
    } else {
        let application = drive(&observer, &args, &connection, &runs);
        record(&observer, &args, application).await;
    }
    let mut report = observer.report(&set.scenarios);
    if !args.command.is_empty() {
        report.command = Some(CommandReport {
            argv: args.command.clone(),
            runs: runs.into_inner().unwrap_or_default(),
        });
    }
    write_outputs(&report, &args, &set.hash)?;
    if let Some(command) = report.command.as_ref().filter(|c| c.failed()) {
        return Err(CliError::ApplicationFailed(command.summary()));
    }
    if report.success() {
        Ok(())
    } else {
        Err(CliError::Failed)
    }
}

/// Options that contradict each other, refused before anything listens.
fn check_options(args: &ObserveArgs) -> Result<(), CliError> {
    let tls = args.tls_mode();
    if args.write_certs.is_some() && tls == TlsMode::Off {
        return Err(CliError::Usage(
            "--write-certs needs --tls or --mtls".into(),
        ));
    }
    if tls == TlsMode::Mtls
        && args.write_certs.is_none()
        && args.command.is_empty()
        && args.env_file.is_none()
    {
        return Err(CliError::Usage(
            "--mtls needs --write-certs DIR, where the application finds its test certificate (or a COMMAND or --env-file, which get a temporary directory)".into(),
        ));
    }
    if args.per_day && args.command.is_empty() {
        return Err(CliError::Usage(
            "--per-day runs a COMMAND once per story day: give it after `--`".into(),
        ));
    }
    Ok(())
}

/// The simulated ROR, as the options describe it.
async fn start(args: &ObserveArgs) -> Result<Observer, CliError> {
    let tls = args.tls_mode();
    let mut opts = MockOptions {
        addr: args.addr,
        tls,
        token_lifetime_secs: args.token_lifetime,
        story: args.story,
        clients_file: args.clients.clone(),
        demo_secret: args.demo_secret.clone(),
        ..MockOptions::default()
    };
    opts.dataset.seed = args.seed;
    opts.dataset.offers = args.offers;
    Observer::start(opts).await.map_err(|e| {
        CliError::Runtime(format!(
            "cannot start the simulated ROR: {e}{}",
            super::run::busy_port_hint(&e.to_string())
        ))
    })
}

/// The test certificates, where the application can read them: the directory asked for,
/// or one that lives as long as the session (returned with it).
fn certificates_dir(
    observer: &Observer,
    args: &ObserveArgs,
) -> Result<(Option<std::path::PathBuf>, Option<tempfile::TempDir>), CliError> {
    let mut temporary = None;
    let certs_dir = match (&observer.mock.pki, &args.write_certs) {
        (Some(pki), Some(dir)) => {
            write_certificates(pki, dir)?;
            Some(dir.clone())
        }
        (Some(pki), None) if !args.command.is_empty() || args.env_file.is_some() => {
            let dir = tempfile::tempdir().map_err(|e| {
                CliError::Runtime(format!("cannot write the test certificates: {e}"))
            })?;
            write_certificates(pki, dir.path())?;
            let path = dir.path().to_owned();
            temporary = Some(dir);
            Some(path)
        }
        _ => None,
    };
    Ok((certs_dir, temporary))
}

/// The reports, the summary on the console, and the evidence archive when asked for.
fn write_outputs(
    report: &ObserveReport,
    args: &ObserveArgs,
    set_hash: &str,
) -> Result<(), CliError> {
    let written = rorcheck_report::write_all(
        rorcheck_report::Document::Observation(report),
        &args.report_dir,
    )
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    print_summary(report);
    say!(
        "cli-reports",
        html = written.html.display(),
        junit = written.junit.display(),
        json = written.json.display()
    );
    if let Some(zip) = &args.evidence {
        let har = rorcheck_report::har::observation(report)
            .to_json()
            .map_err(|e| CliError::Runtime(e.to_string()))?;
        let info = rorcheck_report::archive::DossierInfo {
            mode: "observe",
            tool: "rorcheck",
            version: env!("CARGO_PKG_VERSION"),
            scenario_set_hash: set_hash.to_owned(),
            target: t!(
                Lang::current(),
                "obs-cli-target",
                base_url = report.base_url
            ),
            started_at: report.started_at.clone(),
            finished_at: report.finished_at.clone(),
            verdict: report.summary.verdict.to_owned(),
        };
        super::run::write_evidence(zip, &info, &written, har.into_bytes())?;
    }
    Ok(())
}

fn write_certificates(
    pki: &rorcheck_mock::pki::MockPki,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    pki.write(dir)
        .map(|_| ())
        .map_err(|e| CliError::Runtime(format!("cannot write the test certificates: {e}")))
}

/// Runs the application: once, or once per story day (`--per-day`) with the story moved
/// on between runs; each run is kept for the report.
async fn drive(
    observer: &Observer,
    args: &ObserveArgs,
    connection: &Connection,
    runs: &std::sync::Mutex<Vec<CommandRun>>,
) {
    let days: Vec<Option<u32>> = if args.per_day {
        (0..=rorcheck_mock::story::LAST_DAY).map(Some).collect()
    } else {
        vec![None]
    };
    for (i, day) in days.into_iter().enumerate() {
        if i > 0
            && let Some(d) = observer.mock.next_day()
        {
            println!("{}", day_line(&d));
        }
        if let Some(d) = day {
            say!("obs-cli-launched", d = d);
        }
        let run = run_command(&args.command, connection, day).await;
        if let Ok(mut all) = runs.lock() {
            all.push(run);
        }
    }
    // Refused TLS handshakes are logged once the server side has finished.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

fn print_banner(
    observer: &Observer,
    args: &ObserveArgs,
    connection: &Connection,
    certs_dir: Option<&std::path::Path>,
) {
    let mock = &observer.mock;
    say!("obs-cli-banner");
    say!("obs-cli-base", base_url = mock.base_url);
    say!("obs-cli-token", token_url = mock.token_url);
    if let Some(dir) = certs_dir {
        say!("obs-cli-certs", dir = dir.display());
    }
    if args.tls_mode() == TlsMode::Mtls {
        say!(
            "obs-cli-client-mtls",
            client_id = connection.get("ROR_CLIENT_ID").unwrap_or_default()
        );
    } else {
        println!(
            "  client_id      : {}",
            connection.get("ROR_CLIENT_ID").unwrap_or_default()
        );
        // The demo secret is public test data printed so that a vendor can configure its
        // application; it is masked in every report.
        say!(
            "obs-cli-secret",
            secret = connection.get("ROR_CLIENT_SECRET").unwrap_or_default()
        );
    }
    say!("obs-cli-headers");
    for (header, var) in [
        ("Ror-Profil-Utilisateur-Code", "ROR_PROFIL_UTILISATEUR_CODE"),
        (
            "Ror-Profil-Utilisateur-System",
            "ROR_PROFIL_UTILISATEUR_SYSTEM",
        ),
        ("Ror-Role-Metier-Code", "ROR_ROLE_METIER_CODE"),
        ("Ror-Role-Metier-System", "ROR_ROLE_METIER_SYSTEM"),
    ] {
        println!(
            "                   {header}: {}",
            connection.get(var).unwrap_or_default()
        );
    }
    if let Some(path) = &args.env_file {
        say!("obs-cli-settings", path = path.display());
    }
    if args.story {
        say!("obs-cli-story");
        match (args.per_day, args.day_length) {
            (true, _) => {
                say!("obs-cli-per-day")
            }
            (false, Some(d)) => say!("obs-cli-day-every", seconds = d.as_secs()),
            (false, None) => say!(
                "obs-cli-day-curl",
                url = connection
                    .get("RORCHECK_STORY_NEXT_DAY_URL")
                    .unwrap_or_default()
            ),
        }
    }
    if !args.command.is_empty() {
        say!("obs-cli-app", command = args.command.join(" "));
    } else {
        match args.duration {
            Some(d) => say!("obs-cli-recording-for", seconds = d.as_secs()),
            None => say!("obs-cli-recording"),
        }
    }
}

/// Waits for the end of the session — the duration, Ctrl-C, or the end of `until` (the
/// application's runs) — printing each request as it arrives.
async fn record(
    observer: &Observer,
    args: &ObserveArgs,
    until: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(until);
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let mut next_day = args.day_length.map(|d| tokio::time::Instant::now() + d);
    let mut ticker = tokio::time::interval(std::time::Duration::from_millis(300));
    let mut last = 0;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let stop = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let day = async {
            match next_day {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut ctrl_c => break,
            () = stop => break,
            () = &mut until => break,
            () = day => {
                next_day = args.day_length.map(|d| tokio::time::Instant::now() + d);
                if let Some(day) = observer.mock.next_day() {
                    println!("{}", day_line(&day));
                }
            }
            _ = ticker.tick() => {
                for r in observer.mock.requests_since(last) {
                    last = r.seq;
                    if !args.quiet {
                        println!("{}", live_line(&r));
                    }
                }
            }
        }
    }
    if !args.quiet {
        for r in observer.mock.requests_since(last) {
            println!("{}", live_line(&r));
        }
    }
}

fn day_line(day: &rorcheck_mock::story::Day) -> String {
    if day.events.is_empty() {
        return t!(
            Lang::current(),
            "obs-cli-day-empty",
            day = day.day,
            at = day.at
        );
    }
    let events: Vec<String> = day
        .events
        .iter()
        .map(|e| {
            t!(
                Lang::current(),
                "obs-cli-event",
                kind = e.kind.label(),
                key = e.key
            )
        })
        .collect();
    t!(
        Lang::current(),
        "obs-cli-day",
        day = day.day,
        at = day.at,
        events = events.join(", ")
    )
}

fn live_line(r: &LoggedRequest) -> String {
    if r.path.starts_with(rorcheck_mock::STORY_PATH) && r.method == "POST" {
        return t!(
            Lang::current(),
            "obs-cli-next-day",
            seq = format!("{:<4}", r.seq)
        );
    }
    if r.method == "TLS" {
        let reason = r.facts.refusal.as_ref().map_or("", |f| f.message.as_str());
        return t!(
            Lang::current(),
            "obs-cli-tls",
            seq = format!("{:<4}", r.seq),
            reason = reason
        );
    }
    let query = r
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let refusal = r
        .facts
        .refusal
        .as_ref()
        .map(|f| format!(" — {}", f.message))
        .unwrap_or_default();
    t!(
        Lang::current(),
        "obs-cli-request",
        seq = format!("{:<4}", r.seq),
        method = r.method,
        path = r.path,
        query = query,
        status = r.status,
        refusal = refusal
    )
}

fn print_summary(report: &ObserveReport) {
    let s = &report.summary;
    if let Some(command) = &report.command {
        println!();
        say!("obs-cli-application", summary = command.summary());
    }
    println!();
    say!(
        "obs-cli-traffic",
        requests = s.requests,
        fhir_calls = s.fhir_calls,
        token_requests = s.token_requests
    );
    say!(
        "obs-cli-scenarios",
        passed = s.passed,
        failed = s.failed,
        not_exercised = s.not_exercised,
        observable = s.observable,
        out_of_scope = s.out_of_scope
    );
    for c in &report.coverage {
        say!(
            "obs-cli-coverage",
            priority = c.priority,
            label = format!("{:<8}", c.label),
            coverage_percent = format!("{:>3}", c.coverage_percent),
            passed = c.passed,
            failed = c.failed,
            observable = c.observable
        );
    }
    match s.score {
        Some(score) => say!("obs-cli-score", score = score),
        None => say!("obs-cli-score-none"),
    }
    for v in report
        .scenarios
        .iter()
        .filter(|v| v.outcome == Status::Failed)
    {
        say!(
            "obs-cli-failed",
            id = v.id,
            title = v.title,
            reason = v.reason.as_deref().unwrap_or("")
        );
    }
    for b in &report.behaviours {
        if matches!(b.status, Status::Failed | Status::Warning) {
            println!(
                "  {} {} {} — {}",
                b.status.label(),
                b.id,
                b.title,
                b.summary
            );
            for f in b.findings.iter().take(3) {
                println!("      {}", f.message);
            }
        }
    }
}
