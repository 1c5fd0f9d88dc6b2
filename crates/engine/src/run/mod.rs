//! Running scenarios against a target and collecting the results, one way:
//! [`runner`] schedules scenarios, [`step`] runs each step by its flow ([`flow`]), each flow
//! is made of exchanges ([`exchange`]), and everything lands in the [`result`] model.

pub mod context;
pub mod exchange;
pub mod flow;
pub mod larger;
pub mod result;
pub mod runner;
pub mod step;

pub use context::StepContext;
pub use flow::export;
pub use larger::LargerTarget;
pub use result::{Counts, RunReport, ScenarioResult, Status, StepResult};
pub use runner::{HEAVY_TAG, Runner};
