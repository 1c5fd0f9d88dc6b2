//! Why a command did not succeed, and its exit code.

use rorcheck_i18n::{Lang, t};

use super::signal::Signal;
use rorcheck_engine::config::ConfigError;
use rorcheck_scenario::LoadErrors;

/// Why a command did not succeed, and its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{}\n{errors}", t!(Lang::current(), "cli-invalid-scenarios"), errors = .0)]
    Scenarios(#[from] LoadErrors),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Runtime(String),
    #[error("invalid URL: {0}")]
    Url(#[from] url::ParseError),
    /// Scenarios ran and some did not pass (the reports say which).
    #[error("{}", t!(Lang::current(), "cli-failed"))]
    Failed,
    /// Nothing failed, but something could not be evaluated (connection, TLS, credentials,
    /// timeouts, a CRITIQUE scenario that could not run).
    #[error("{}", t!(Lang::current(), "cli-incomplete"))]
    Incomplete,
    /// `doctor` found problems (it printed them with their fix).
    #[error("{}", t!(Lang::current(), "cli-checks-failed"))]
    ChecksFailed,
    /// The observed application's command failed (the reports say how); distinct from a
    /// verdict.
    #[error("{0}")]
    ApplicationFailed(String),
    /// A signal stopped the run; the reports were written with what had finished.
    #[error("{}", t!(Lang::current(), "cli-interrupted", signal = signal))]
    Interrupted { signal: Signal },
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
