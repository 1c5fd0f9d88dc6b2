//! The scenario model: plain data, exactly as written in the YAML files.
//!
//! Every struct denies unknown fields so that a typo is an error, never a silently ignored
//! key. Types that carry "exactly one of" rules (an assertion kind, a capture source...) are
//! read through a `Raw*` twin and converted with `try_from`, so the rule is enforced while
//! parsing and the error points at the offending YAML node.

mod assertion;
mod capture;
mod checks;
mod classification;
mod error;
mod scalar;
mod scenario;
mod step;

pub use assertion::*;
pub use capture::*;
pub use checks::*;
pub use classification::*;
pub use error::ModelError;
pub use ror::AccessProfile;
pub use scalar::ScalarString;
pub use scenario::*;
pub use step::*;
