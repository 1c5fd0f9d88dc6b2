//! Embedded targets for tests and benchmarks.
