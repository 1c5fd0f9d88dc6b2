//! HTTP: the client, evidence of each exchange, and redaction of secrets.

pub mod client;
pub mod evidence;
pub mod har;
pub mod identity;
pub mod limits;
pub mod oauth;
pub mod rate;
pub mod redact;
pub mod scope;
pub mod tls;

pub use client::{HttpClient, OutgoingRequest, ReceivedResponse, TransportError};
pub use evidence::{Exchange, RecordedRequest, RecordedResponse, Timings};
pub use limits::Limits;
pub use redact::{MASK, Redactor};
pub use scope::{CredentialScope, ForeignOrigin};
