//! Scenario files: the model, loading with positions, and checks made before any request.

/// What loading found wrong, located by file, line and column.
pub mod diagnostic;
/// Reading scenario files.
pub mod load;
/// The scenario model: plain data, exactly as written.
pub mod model;
/// Which scenarios a command works on.
pub mod select;
/// `{{variable}}` templates.
pub mod template;
/// Checks made after parsing and before any request.
pub mod validate;

pub use diagnostic::{Diagnostic, LoadErrors};
pub use load::{ScenarioSet, load, load_texts, parse_scenario};
pub use model::*;
