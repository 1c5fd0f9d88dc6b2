//! How the application's command ran when `rorcheck observe -- COMMAND` started it: part
//! of the session's evidence (a crashed application proves nothing about its requests).

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

/// One run of the application's command.
#[derive(Debug, Clone, Serialize)]
pub struct CommandRun {
    /// The story day it ran on (`--per-day`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    /// Its exit status; `None` when it could not start or was stopped.
    pub exit_code: Option<i32>,
    /// How long it ran.
    pub duration_ms: f64,
    /// Why it did not run to its end, if it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CommandRun {
    pub(crate) fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
    }
}

/// The application's command and how its runs went, for the reports.
#[derive(Debug, Clone, Serialize)]
pub struct CommandReport {
    /// The command line, as given after `--`.
    pub argv: Vec<String>,
    /// Each run, in order (one per story day with `--per-day`).
    pub runs: Vec<CommandRun>,
}

impl CommandReport {
    /// Whether it never ran, or a run did not exit 0.
    pub fn failed(&self) -> bool {
        self.runs.is_empty() || self.runs.iter().any(|r| !r.succeeded())
    }

    /// One line for the console and the report.
    pub fn summary(&self) -> String {
        let failed: Vec<String> = self
            .runs
            .iter()
            .filter(|r| !r.succeeded())
            .map(|r| {
                let when = r.day.map(|d| format!("J{d} : ")).unwrap_or_default();
                match (&r.error, r.exit_code) {
                    (Some(e), _) => format!("{when}{e}"),
                    (None, Some(c)) => t!(Lang::current(), "o-exit-code", when = when, c = c),
                    (None, None) => t!(Lang::current(), "o-signal", when = when),
                }
            })
            .collect();
        if failed.is_empty() {
            t!(
                Lang::current(),
                "o-command-ok",
                runs_count = self.runs.len()
            )
        } else {
            t!(Lang::current(), "o-command-ko", failed = failed.join(" ; "))
        }
    }
}
