//! How something rorcheck judged ended — an assertion, a step, a scenario, a behaviour of
//! the observed application, a `doctor` check — in one vocabulary for both modes, so that
//! reports, JSON and JUnit say the same thing with the same word.

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

/// The outcome of one judged thing. Not every variant applies everywhere: an assertion is
/// passed, failed or errored; only observer mode says « not exercised »; only a behaviour
/// check ends in a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every expectation held.
    Passed,
    /// Held, with a reservation worth reading (a behaviour check of observer mode).
    Warning,
    /// The server (run mode) or the application (observer mode) violated an expectation.
    Failed,
    /// The harness could not evaluate (connection refused, timeout, invalid JSON...).
    Errored,
    /// Could not run, with a reason (earlier step failed, a value the target does not give,
    /// a heavy scenario on production, a check that depends on one that failed): a gap in
    /// the evidence.
    Skipped,
    /// Observer mode: the application never sent what the scenario expects.
    NotExercised,
    /// Meant for something else (another access profile, the server rather than the
    /// consumer, traffic that never happened): not a gap, not counted.
    NotApplicable,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 7] = [
        Status::Passed,
        Status::Warning,
        Status::Failed,
        Status::Errored,
        Status::Skipped,
        Status::NotExercised,
        Status::NotApplicable,
    ];

    /// The label reports and the console show, in the run's language.
    pub fn label(self) -> String {
        let l = Lang::current();
        match self {
            Status::Passed => t!(l, "status-passed"),
            Status::Warning => t!(l, "status-warning"),
            Status::Failed => t!(l, "status-failed"),
            Status::Errored => t!(l, "status-errored"),
            Status::Skipped => t!(l, "status-skipped"),
            Status::NotExercised => t!(l, "status-not-exercised"),
            Status::NotApplicable => t!(l, "status-not-applicable"),
        }
    }

    /// The key used in JSON and as a CSS class (the serde name).
    pub fn key(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Warning => "warning",
            Status::Failed => "failed",
            Status::Errored => "errored",
            Status::Skipped => "skipped",
            Status::NotExercised => "not_exercised",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// Whether it counts against the thing judged (failed or errored).
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Failed | Status::Errored)
    }

    /// The worse of two outcomes: errored > failed > warning > passed > the rest.
    pub fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    fn rank(self) -> u8 {
        match self {
            Status::Skipped | Status::NotExercised | Status::NotApplicable => 0,
            Status::Passed => 1,
            Status::Warning => 2,
            Status::Failed => 3,
            Status::Errored => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_serde_names() {
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.key()))
            );
        }
    }

    #[test]
    fn the_worst_outcome_wins() {
        assert_eq!(Status::Passed.worst(Status::Failed), Status::Failed);
        assert_eq!(Status::Errored.worst(Status::Failed), Status::Errored);
        assert_eq!(Status::Skipped.worst(Status::Passed), Status::Passed);
        assert_eq!(Status::Warning.worst(Status::Passed), Status::Warning);
    }
}
