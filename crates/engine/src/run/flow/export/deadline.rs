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

    pub(super) fn reason(&self, when: &str) -> String {
        format!(
            "export non terminé dans le délai de {} s (export_deadline_secs) : arrêté {when}",
            self.total.as_secs()
        )
    }
}
