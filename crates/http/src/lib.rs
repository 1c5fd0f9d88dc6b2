//! HTTP: the client, evidence of each exchange, and redaction of secrets.

/// The client: requests, responses, bounded reads, transport errors.
pub mod client;
/// What was sent and received, as the reports keep it.
pub mod evidence;
/// HAR 1.2 archives of the exchanges.
pub mod har;
/// TLS material: trusted CAs and the client certificate (PEM or PKCS#12).
pub mod identity;
/// How much a response may take: body, export file, resource, time.
pub mod limits;
/// OAuth2 client_credentials: the token endpoint's client, with its cache.
pub mod oauth;
/// A cap on the request rate, shared by a run.
pub mod rate;
/// Masking secrets wherever they show up.
pub mod redact;
/// Which origins may receive the target's credentials.
pub mod scope;
/// The TLS provider and certificate helpers.
pub mod tls;

pub use client::{HttpClient, OutgoingRequest, ReceivedResponse, TransportError};
pub use evidence::{Exchange, RecordedRequest, RecordedResponse, Timings};
pub use limits::Limits;
pub use redact::{MASK, Redactor};
pub use scope::{CredentialScope, ForeignOrigin};
