//! The one deadline of an export, kick-off to last file (`export_deadline_secs`).

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
    pub(super) fn passed_at(&self, when: &'static str) -> DeadlinePassed {
        DeadlinePassed {
            total_secs: self.total.as_secs(),
            when,
        }
    }

    /// The same, as the reason a result shows.
    pub(super) fn reason(&self, when: &'static str) -> String {
        self.passed_at(when).to_string()
    }
}

/// The export's deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "export non terminé dans le délai de {total_secs} s (export_deadline_secs) : arrêté {when}"
)]
pub struct DeadlinePassed {
    total_secs: u64,
    when: &'static str,
}
