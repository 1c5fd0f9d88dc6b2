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
    say!("serve-listening");
    if !faults.is_empty() {
        let keys: Vec<&str> = faults.iter().map(|f| f.key()).collect();
        say!("serve-faults", keys = keys.join(", "));
    }
    say!("obs-cli-base", base_url = mock.base_url);
    say!("obs-cli-token", token_url = mock.token_url);
    println!("  client_id      : {}", client.client_id);
    say!("obs-cli-secret", secret = client.secret);
    // The demo secret is public test data: the example runs as printed.
    say!(
        "serve-example",
        client_id = client.client_id,
        secret = client.secret,
        token_url = mock.token_url
    );
    if let Some(pki) = &mock.pki {
        for (id, profile, identity) in &pki.clients {
            say!(
                "serve-mtls-client",
                id = id,
                profile = profile,
                thumbprint = identity.thumbprint()
            );
        }
        match &write_certs {
            Some(dir) => {
                let files = pki
                    .write(dir)
                    .map_err(|e| CliError::Runtime(format!("cannot write certificates: {e}")))?;
                say!(
                    "serve-certs-written",
                    files_count = files.len(),
                    dir = dir.display()
                );
            }
            None => say!("serve-write-certs"),
        }
    } else if write_certs.is_some() {
        return Err(CliError::Usage(
            "--write-certs needs --tls or --mtls".into(),
        ));
    }
    say!("serve-ctrl-c");
    tokio::select! {
        () = mock.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
