//! Scenario files: the model, loading with positions, and checks made before any request.

pub mod load;
pub mod model;
pub mod select;
pub mod template;
pub mod validate;

pub use load::{Diagnostic, LoadErrors, ScenarioSet, load, parse_scenario};
pub use model::*;
