//! The flows a step can take ([`rorcheck_scenario::Flow`]), one module each, all made of
//! the exchanges of `super::exchange`: [`repeat`] (once, or until the expectations hold),
//! [`paging`] (follow `link[next]`) and [`export`] (bulk `$export`).

pub mod export;
pub mod paging;
pub mod repeat;
