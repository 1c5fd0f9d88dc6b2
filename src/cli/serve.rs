//! `rorcheck serve`: the mock ROR for a vendor to develop against.

use super::args::ServeArgs;
use super::error::CliError;
use super::run::busy_port_hint;
use rorcheck_mock::{Faults, MockOptions, MockServer};

pub(super) async fn serve(args: ServeArgs) -> Result<(), CliError> {
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
