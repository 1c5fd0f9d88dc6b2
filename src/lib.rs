//! rorcheck: a conformance test harness for ROR FHIR consumers.
//!
//! The work is split into crates (see README, "Layout"); this crate is the command line
//! ([`cli`], [`doctor`]) and a facade that names each crate by what it is, so tests and
//! embedders write `rorcheck::mock::MockServer` or `rorcheck::run::Runner`.
//!
//! Data flows one way: [`scenario`] files are loaded and checked, then [`run`] executes them
//! through [`http`] and judges responses with [`assert`], then [`report`] writes the results.
//! [`observe`] judges a vendor's application from what it sends to the [`mock`].

/// mimalloc instead of the system allocator, for the binary, its tests and benchmarks: the
/// work is parsing, building and dropping JSON trees (millions of small allocations for a
/// large export or dataset), where glibc's malloc took a third of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod catalogue;
pub mod cli;
pub mod doctor;

pub use ror;
pub use rorcheck_conformance as conformance;
pub use rorcheck_engine::{assert, config, run};
pub use rorcheck_fhirpath as fhirpath;
pub use rorcheck_http as http;
pub use rorcheck_http::tls;
pub use rorcheck_mock as mock;
pub use rorcheck_observe as observe;
pub use rorcheck_report as report;
pub use rorcheck_scenario as scenario;
