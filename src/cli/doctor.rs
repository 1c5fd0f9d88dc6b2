//! `rorcheck doctor`: the pre-flight of an environment before a run.

use std::path::Path;

use super::error::CliError;
use super::selection::load_config;
use rorcheck_engine::config::Target;
use rorcheck_mock::{MockOptions, MockServer};

pub(super) async fn doctor(
    config: Option<&Path>,
    env: &str,
    lang: rorcheck_i18n::Lang,
) -> Result<(), CliError> {
    use crate::doctor::{Subject, diagnose};
    // Keeps the embedded mock alive while it is examined.
    let mut _mock = None;
    let subject = if env == "mock" {
        let mock = MockServer::start(MockOptions::default())
            .await
            .map_err(|e| CliError::Runtime(format!("cannot start the embedded mock ROR: {e}")))?;
        let target = rorcheck_embedded::secret_target(&mock)
            .map_err(|e| CliError::Runtime(e.to_string()))?;
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
