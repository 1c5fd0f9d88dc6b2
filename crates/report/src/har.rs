//! The exchanges as HAR 1.2, loadable in a browser's devtools: every step and follow-up of a
//! run (in the evidence archive), every request of an observed session (`session.har`).

use rorcheck_engine::run::RunReport;
use rorcheck_http::har::{EntryParts, Har, HarEntry};
use rorcheck_i18n::{Lang, t};
use rorcheck_observe::ObserveReport;

/// The exchanges of a run, every step and follow-up, in the order of the report.
pub fn run(report: &RunReport) -> Har {
    let started = report.started_at.to_rfc3339();
    let mut entries = Vec::new();
    for s in &report.scenarios {
        for st in &s.steps {
            if let Some(ex) = &st.exchange {
                entries.push(HarEntry::of_exchange(
                    ex,
                    &started,
                    format!("{} — {}", s.id, st.name),
                ));
            }
            for f in &st.follow_ups {
                entries.push(HarEntry::of_exchange(
                    &f.exchange,
                    &started,
                    format!("{} — {} — {}", s.id, st.name, f.label),
                ));
            }
        }
    }
    Har::new(entries)
}

/// Every request of the session and its answer, as HAR 1.2 (masked, as logged): loadable
/// in a browser's devtools. Refused TLS handshakes have no HTTP exchange and are left out.
pub fn observation(report: &ObserveReport) -> Har {
    let origin = url::Url::parse(&report.base_url)
        .map(|u| rorcheck_http::scope::origin_text(&u))
        .unwrap_or_default();
    let entries = report
        .requests
        .iter()
        .filter(|r| r.method != "TLS")
        .map(|r| {
            let query = r
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            HarEntry::new(EntryParts {
                started: r.at.clone(),
                method: &r.method,
                url: format!("{origin}{}{query}", r.path),
                request_headers: &r.headers,
                request_body: r.body.as_deref(),
                status: Some(r.status),
                response_headers: &r.response_headers,
                response_body: r.response_excerpt.as_deref().unwrap_or_default(),
                response_size: r.response_bytes,
                wait_ms: 0.0,
                total_ms: 0.0,
                comment: t!(Lang::current(), "har-request", seq = r.seq),
            })
        })
        .collect();
    Har::new(entries)
}
