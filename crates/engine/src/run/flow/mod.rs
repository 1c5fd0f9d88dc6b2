//! The flows a step can take ([`rorcheck_scenario::Flow`]), one module each, all made of
//! the exchanges of `super::exchange`: [`repeat`] (once, or until the expectations hold),
//! [`follow`] (follow `link[next]`, the pages judged by [`paging`]) and [`export`] (bulk `$export`).

pub mod export;
pub(crate) mod follow;
pub mod paging;
pub mod repeat;
