//! The engine: where requests go ([`config`]), running scenarios against a target ([`run`])
//! and judging each response ([`assert`]). It knows nothing of the mock nor of reports: it
//! produces a [`run::RunReport`] that `rorcheck-report` writes.

pub mod assert;
pub mod config;
mod outline;
pub mod run;
