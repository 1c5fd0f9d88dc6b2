//! Running scenarios against a target and collecting the results.

pub mod export;
pub mod paging;
pub mod result;
pub mod runner;
pub mod step;

pub use result::{Counts, RunReport, ScenarioResult, Status, StepResult};
pub use runner::{HEAVY_TAG, Runner};
