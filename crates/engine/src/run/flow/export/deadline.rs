//! The one deadline of an export, kick-off to last file (`export_deadline_secs`).

use rorcheck_i18n::{Lang, t};
use std::time::{Duration, Instant};

/// The one deadline of an export, kick-off to last file (`export_deadline_secs`).
pub(crate) struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    pub(super) fn new(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }

    pub(super) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    pub(super) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// A wait cut so as to end by the deadline.
    pub(super) fn clamp(&self, wait: Duration) -> Duration {
        wait.min(self.remaining())
    }

    /// The deadline as an error, saying where the export was when it passed.
    pub(super) fn passed_at(&self, when: Stage) -> DeadlinePassed {
        DeadlinePassed {
            total_secs: self.total.as_secs(),
            when,
        }
    }

    /// The same, as the reason a result shows.
    pub(super) fn reason(&self, when: Stage) -> String {
        self.passed_at(when).to_string()
    }
}

/// The export's deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", t!(Lang::current(), "x-deadline", seconds = total_secs, when = when))]
pub struct DeadlinePassed {
    total_secs: u64,
    when: Stage,
}

/// Where the export was when its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Polling, no manifest yet.
    BeforeManifest,
    /// Between two files.
    BeforeFile,
    /// Waiting for a file's response.
    WaitingForFile,
    /// Reading a file.
    ReadingFile,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = Lang::current();
        f.write_str(&match self {
            Stage::BeforeManifest => t!(l, "x-stage-before-manifest"),
            Stage::BeforeFile => t!(l, "x-stage-before-file"),
            Stage::WaitingForFile => t!(l, "x-stage-waiting-file"),
            Stage::ReadingFile => t!(l, "x-stage-reading-file"),
        })
    }
}
