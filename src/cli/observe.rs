//! `rorcheck observe`: start the simulated ROR, print where and how to connect, record
//! until the duration ends or Ctrl-C, then judge and write the reports.

use crate::mock::log::LoggedRequest;
use crate::mock::{MockOptions, TlsMode};
use crate::observe::{CheckStatus, ObserveReport, Observer, Outcome};

use super::ObserveArgs;
use super::commands::{CliError, load_selected};

pub async fn observe(args: ObserveArgs) -> Result<(), CliError> {
    // Scenarios are loaded and checked before anything listens: a bad file stops here.
    let set = load_selected(&args.filters)?;
    let tls = args.tls_mode();
    if args.write_certs.is_some() && tls == TlsMode::Off {
        return Err(CliError::Usage(
            "--write-certs needs --tls or --mtls".into(),
        ));
    }
    let mut opts = MockOptions {
        addr: args.addr,
        tls,
        token_lifetime_secs: args.token_lifetime,
        story: args.story,
        ..MockOptions::default()
    };
    opts.dataset.seed = args.seed;
    opts.dataset.offers = args.offers;
    let observer = Observer::start(opts)
        .await
        .map_err(|e| CliError::Runtime(format!("cannot start the simulated ROR: {e}")))?;
    print_banner(&observer, &args)?;
    record(&observer, &args).await;
    let report = observer.report(&set.scenarios);
    let written = crate::observe::report::write_all(&report, &args.report_dir)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    print_summary(&report);
    println!(
        "Rapports : {}, {}, {}",
        written.html.display(),
        written.junit.display(),
        written.json.display()
    );
    if report.success() {
        Ok(())
    } else {
        Err(CliError::Failed)
    }
}

fn print_banner(observer: &Observer, args: &ObserveArgs) -> Result<(), CliError> {
    let mock = &observer.mock;
    println!("Observation : rorcheck joue le ROR pour votre application.");
    println!("  Base FHIR      : {}", mock.base_url);
    println!("  Jeton OAuth2   : {}", mock.token_url);
    if let (Some(pki), Some(dir)) = (&mock.pki, &args.write_certs) {
        pki.write(dir)
            .map_err(|e| CliError::Runtime(format!("cannot write the test certificates: {e}")))?;
        println!(
            "  Certificats    : AC de test (ca.pem) et certificats clients dans {}",
            dir.display()
        );
    }
    let mtls_client = mock.pki.as_ref().and_then(|p| p.client(1));
    if let (TlsMode::Mtls, Some((client_id, _, _))) = (args.tls_mode(), mtls_client) {
        println!(
            "  client_id      : {client_id} (profil d'accès 1, authentifié par son certificat)"
        );
    } else {
        let client = mock.demo_client();
        println!("  client_id      : {}", client.client_id);
        // The demo secret is public test data printed so that a vendor can configure its
        // application; it is masked in every report.
        println!(
            "  client_secret  : {} (démo, profil d'accès 0)",
            client.secret
        );
    }
    println!(
        "  En-têtes       : Ror-Profil-Utilisateur-Code/-System, Ror-Role-Metier-Code/-System sur chaque appel"
    );
    if args.story {
        let origin = mock
            .token_url
            .split(crate::mock::server::TOKEN_PATH)
            .next()
            .unwrap_or_default();
        println!("  Récit          : J0 = données initiales (faire l'extraction complète)");
        match args.day_length {
            Some(d) => println!(
                "                   jour suivant toutes les {} s",
                d.as_secs()
            ),
            None => println!(
                "                   jour suivant : curl -X POST {origin}{}/next-day",
                crate::mock::server::STORY_PATH
            ),
        }
    }
    match args.duration {
        Some(d) => println!(
            "Enregistrement pendant {} s (Ctrl-C pour arrêter plus tôt)…",
            d.as_secs()
        ),
        None => println!("Enregistrement jusqu'à Ctrl-C…"),
    }
    Ok(())
}

/// Waits for the end of the session, printing each request as it arrives.
async fn record(observer: &Observer, args: &ObserveArgs) {
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

fn day_line(day: &crate::mock::story::Day) -> String {
    if day.events.is_empty() {
        return format!("— J{} ({}) : aucun changement", day.day, day.at);
    }
    let events: Vec<String> = day
        .events
        .iter()
        .map(|e| format!("{} de {}", e.kind.label(), e.key))
        .collect();
    format!("— J{} ({}) : {}", day.day, day.at, events.join(", "))
}

fn live_line(r: &LoggedRequest) -> String {
    if r.path.starts_with(crate::mock::server::STORY_PATH) && r.method == "POST" {
        return format!("  n° {:<4} passage au jour suivant demandé", r.seq);
    }
    if r.method == "TLS" {
        let reason = r.facts.refusal.as_ref().map_or("", |f| f.message.as_str());
        return format!("  n° {:<4} connexion TLS refusée : {reason}", r.seq);
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
    format!(
        "  n° {:<4} {} {}{query} → {}{refusal}",
        r.seq, r.method, r.path, r.status
    )
}

fn print_summary(report: &ObserveReport) {
    let s = &report.summary;
    println!();
    println!(
        "{} requête(s), {} appel(s) FHIR, {} demande(s) de jeton.",
        s.requests, s.fhir_calls, s.token_requests
    );
    println!(
        "Scénarios : {} réussis, {} échoués, {} non exercés sur {} observables ({} hors observation).",
        s.passed, s.failed, s.not_exercised, s.observable, s.out_of_scope
    );
    for c in &report.coverage {
        println!(
            "  P{} {:<8} couverture {:>3} % ({} réussis, {} échoués / {})",
            c.priority, c.label, c.coverage_percent, c.passed, c.failed, c.observable
        );
    }
    match s.score {
        Some(score) => println!("Score pondéré PLATINES : {score} / 100"),
        None => println!("Score pondéré PLATINES : non calculé (la session n'a rien montré)"),
    }
    for v in report
        .scenarios
        .iter()
        .filter(|v| v.outcome == Outcome::Failed)
    {
        println!(
            "  ÉCHOUÉ {} {} — {}",
            v.id,
            v.title,
            v.reason.as_deref().unwrap_or("")
        );
    }
    for b in &report.behaviours {
        if matches!(b.status, CheckStatus::Failed | CheckStatus::Warning) {
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
