//! One exchange of a step, in the order it happens: build the request ([`build`]), send it
//! ([`send`]), record it ([`record`]), judge the response ([`judge`]), take captures
//! ([`capture`]) and conclude the step ([`conclude`]). The flows (`super::flow`) are made of
//! exchanges; nothing here knows which flow it serves.

mod build;
mod capture;
mod conclude;
mod judge;
mod record;
mod send;
#[cfg(test)]
mod tests;

pub use build::{BuildError, build_request};
pub(crate) use capture::capture;
pub(crate) use conclude::conclude;
pub(crate) use judge::{automatic_conformance, expects_tls_refusal, judge, settle};
pub(crate) use record::{evidence, record_request, record_response, without_response};
#[cfg(test)]
pub(crate) use send::retry_after;
pub(crate) use send::{
    FollowUpError, MAX_BUSY_RETRIES, follow_up_request, foreign_origin_finding, retry_wait,
    send_follow_up,
};
