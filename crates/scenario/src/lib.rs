//! Scenario files: the model, loading with positions, and checks made before any request.

pub mod diagnostic;
pub mod load;
pub mod model;
pub mod select;
pub mod template;
pub mod validate;

pub use diagnostic::{Diagnostic, LoadErrors};
pub use load::{ScenarioSet, load, parse_scenario};
pub use model::*;
