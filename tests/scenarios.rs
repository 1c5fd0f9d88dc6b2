//! The scenario catalogue as a test suite (libtest-mimic): one trial per scenario, run
//! against the embedded mock ROR over loopback — as a profile-0 client, or over mutual TLS
//! as a profile-1 client for the scenarios of profiles 1 to 5. `cargo test --test scenarios
//! -- EXT` filters on ids, `-- --list` lists them.

use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use rorcheck::fhirpath::FhirPath;
use rorcheck::http::{HttpClient, Redactor};
use rorcheck::mock::{MockOptions, MockServer, TlsMode};
use rorcheck::run::{Runner, Status};
use rorcheck_embedded::{mtls_target as mock_mtls_target, secret_target as mock_target};

fn main() {
    let args = Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("tokio runtime"));
    let set = rorcheck::scenario::load(&["scenarios".into()]).unwrap_or_else(|e| {
        eprintln!("invalid scenarios:\n{e}");
        std::process::exit(2);
    });
    let certificates = tempfile::tempdir().expect("tempdir");
    let (mocks, runners) = runtime.block_on(async {
        // As `rorcheck run` does: export jobs ready at once, their first poll still « in
        // progress ».
        let plain = MockServer::start(MockOptions {
            export_delay: std::time::Duration::ZERO,
            ..MockOptions::default()
        })
        .await
        .expect("mock starts");
        let mtls = MockServer::start(MockOptions {
            tls: TlsMode::Mtls,
            export_delay: std::time::Duration::ZERO,
            ..MockOptions::default()
        })
        .await
        .expect("mTLS mock starts");
        let fhirpath = FhirPath::new().await.expect("fhirpath engine");
        let profile_0 = mock_target(&plain).expect("mock target");
        let profile_1 = mock_mtls_target(&mtls, certificates.path()).expect("mTLS target");
        // Scenarios needing a national-size dataset (`min_offers`) run on a larger
        // profile-0 mock, started by the first of them, as `rorcheck run` does.
        let needed = rorcheck_embedded::larger_needed(
            set.scenarios.iter().filter_map(|s| s.min_offers),
            profile_0.offers.unwrap_or_default(),
        );
        let runners: Vec<Arc<Runner>> = [profile_0, profile_1]
            .into_iter()
            .enumerate()
            .map(|(i, target)| {
                let client = HttpClient::from_reqwest(target.http.clone());
                let runner = Runner::new(client, fhirpath.clone(), target, Redactor::default());
                Arc::new(match needed.filter(|_| i == 0) {
                    Some(needed) => runner.with_larger(rorcheck_embedded::larger(
                        MockOptions {
                            export_delay: std::time::Duration::ZERO,
                            ..MockOptions::default()
                        },
                        needed,
                    )),
                    None => runner,
                })
            })
            .collect();
        ((plain, mtls), runners)
    });
    let trials = set
        .scenarios
        .into_iter()
        .map(|scenario| {
            // The first target whose access profile the scenario is for.
            let runner = runners
                .iter()
                .find(|r| scenario.applies_to_profile(r.target().access_profile))
                .cloned();
            let runtime = runtime.clone();
            let name = format!("{} {}", scenario.id(), scenario.title);
            let kind = scenario.modality.key();
            let ignored = runner.is_none();
            Trial::test(name, move || {
                let Some(runner) = runner else {
                    return Ok(());
                };
                let result = runtime.block_on(runner.run_scenario(&scenario));
                match result.status {
                    Status::Passed => Ok(()),
                    _ => Err(Failed::from(
                        result
                            .reason
                            .unwrap_or_else(|| result.status.label().to_owned()),
                    )),
                }
            })
            .with_kind(kind)
            .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(mocks);
    conclusion.exit();
}
