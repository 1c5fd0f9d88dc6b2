//! The scenario catalogue as a test suite (libtest-mimic): one trial per scenario, run
//! against the embedded mock ROR over loopback. `cargo test --test scenarios -- EXT` filters
//! on ids, `-- --list` lists them.

use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use rorcheck::cli::mock_target;
use rorcheck::fhirpath::FhirPath;
use rorcheck::http::{HttpClient, Redactor};
use rorcheck::mock::{MockOptions, MockServer};
use rorcheck::run::{Runner, Status};

fn main() {
    let args = Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("tokio runtime"));
    let set = rorcheck::scenario::load(&["scenarios".into()]).unwrap_or_else(|e| {
        eprintln!("invalid scenarios:\n{e}");
        std::process::exit(2);
    });
    let (mock, runner) = runtime.block_on(async {
        let mock = MockServer::start(MockOptions::default())
            .await
            .expect("mock starts");
        let target = mock_target(&mock).expect("mock target");
        let client = HttpClient::new().expect("http client");
        let fhirpath = FhirPath::new().await.expect("fhirpath engine");
        let runner = Runner::new(client, fhirpath, target, Redactor::default());
        (mock, runner)
    });
    let runner = Arc::new(runner);
    let trials = set
        .scenarios
        .into_iter()
        .map(|scenario| {
            let runner = runner.clone();
            let runtime = runtime.clone();
            let name = format!("{} {}", scenario.id(), scenario.title);
            let kind = scenario.modality.key();
            // Scenarios for other access profiles are listed as ignored, as the run skips them.
            let ignored = !scenario.applies_to_profile(runner.target().access_profile);
            Trial::test(name, move || {
                let result = runtime.block_on(runner.run_scenario(&scenario));
                match result.status {
                    Status::Passed | Status::Skipped => Ok(()),
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
    drop(mock);
    conclusion.exit();
}
