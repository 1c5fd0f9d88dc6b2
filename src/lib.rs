//! rorcheck: a conformance test harness for ROR FHIR consumers.
//!
//! Data flows one way: [`scenario`] files are loaded and checked, then [`run`] executes them
//! through [`http`] and judges responses with [`assert`], then [`report`] writes the results.
//! [`config`] says where requests go; [`doctor`] checks an environment before a run.

pub mod assert;
pub mod cli;
pub mod config;
pub mod conformance;
pub mod doctor;
pub mod fhirpath;
pub mod http;
pub mod mock;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub mod tls;
