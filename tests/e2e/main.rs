//! End-to-end tests in one binary (one link instead of thirteen): the real `rorcheck`
//! binary and the library against the real mock, wiremock servers and hostile raw servers,
//! all over loopback sockets. One module a subject.

mod broken_servers;
mod bulk_and_paging;
mod catalogue;
mod ci_examples;
mod common;
mod console;
mod doctor;
mod faults;
mod generated_files;
mod guardrails;
mod hostile;
mod language;
mod mock_api;
mod mock_tls;
mod mtls_target;
mod oauth;
mod observe;
mod paging_ahead;
mod redaction;
mod report_browser;
mod reports;
