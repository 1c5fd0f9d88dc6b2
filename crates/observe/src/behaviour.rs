//! Checks on the consumer's behaviour over the whole session, whatever the scenario:
//! authentication, headers, token reuse, certificate, parameters, paging and `$export`
//! polling. Each reads the mock's log only.

use rorcheck_i18n::{Lang, t};
use serde::Serialize;

use ror::TOKEN_PATH;
use rorcheck_mock::log::{ExportFacts, LoggedRequest, RefusalKind, TokenState};
pub use rorcheck_outcome::Status;

/// One finding, pointing at the request it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `seq` of the request in the log.
    pub request: Option<u64>,
    /// What the request did wrong, in French.
    pub message: String,
}

/// One behaviour check of the consumer (COMP-01...): how it uses the API as a whole,
/// beyond any one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BehaviourCheck {
    /// Its id, `COMP-01` to `COMP-09`.
    pub id: &'static str,
    /// What a failure weighs in the score, as a scenario of that priority would.
    pub priority: u8,
    /// The priority's label (CRITIQUE, MAJEUR, MINEUR).
    pub priority_label: &'static str,
    /// What it checks, in French.
    pub title: String,
    /// Why it matters to the ROR.
    pub why: String,
    /// How it ended.
    pub status: Status,
    /// One line on what the traffic showed.
    pub summary: String,
    /// Each request that breaks it.
    pub findings: Vec<Finding>,
}

/// What the checks need to know about the session.
#[derive(Debug, Clone)]
pub(crate) struct Session<'a> {
    pub log: &'a [LoggedRequest],
    pub base_path: &'a str,
    /// The mock required a client certificate.
    pub mtls: bool,
}

impl Session<'_> {
    /// Calls to the FHIR API, except the public `metadata`.
    pub fn fhir_calls(&self) -> impl Iterator<Item = &LoggedRequest> {
        let base = self.base_path.trim_end_matches('/');
        self.log.iter().filter(move |r| {
            r.method != "TLS"
                && r.path.starts_with(base)
                && !r.path.ends_with("/metadata")
                && r.path != TOKEN_PATH
        })
    }

    /// The calls to the token endpoint.
    pub fn token_requests(&self) -> impl Iterator<Item = &LoggedRequest> {
        self.log
            .iter()
            .filter(|r| r.method == "POST" && r.path == TOKEN_PATH)
    }
}

/// Keeps the first findings in full; a report listing a thousand identical lines helps
/// nobody.
pub(super) const MAX_FINDINGS: usize = 20;

/// A behaviour weighs what the scenarios it stands for weigh: without a token, the four
/// headers, the certificate, every page or every day's changes the consumer misses data or
/// is refused (CRITIQUE); the rest degrades service (MAJEUR) or wastes it (MINEUR).
pub(crate) fn behaviour_priority(id: &str) -> rorcheck_scenario::Priority {
    use rorcheck_scenario::Priority;
    match id {
        "COMP-01" | "COMP-02" | "COMP-05" | "COMP-07" | "COMP-09" => Priority::Critique,
        "COMP-03" => Priority::Mineur,
        _ => Priority::Majeur,
    }
}

pub(super) fn check(
    id: &'static str,
    title: String,
    why: String,
    applicable: bool,
    findings: Vec<Finding>,
    summary_ok: String,
) -> BehaviourCheck {
    let count = findings.len();
    let (status, summary) = if !applicable {
        (Status::NotApplicable, t!(Lang::current(), "b-nothing"))
    } else if count == 0 {
        (Status::Passed, summary_ok)
    } else {
        (
            Status::Failed,
            t!(Lang::current(), "b-shortcomings", count = count),
        )
    };
    let priority = behaviour_priority(id);
    BehaviourCheck {
        id,
        priority: priority.number(),
        priority_label: priority.label(),
        title,
        why,
        status,
        summary,
        findings: findings.into_iter().take(MAX_FINDINGS).collect(),
    }
}

/// Every check, in report order.
pub(crate) fn all(session: &Session<'_>) -> Vec<BehaviourCheck> {
    vec![
        bearer_on_every_call(session),
        ror_headers_on_every_call(session),
        token_reused(session),
        token_renewed_after_expiry(session),
        certificate_presented(session),
        documented_parameters_only(session),
        every_next_followed(session),
        export_polled_politely(session),
    ]
}

fn bearer_on_every_call(s: &Session<'_>) -> BehaviourCheck {
    let calls: Vec<&LoggedRequest> = s.fhir_calls().collect();
    let findings = calls
        .iter()
        .filter_map(|r| {
            let message = match &r.token {
                None => t!(Lang::current(), "b-no-token"),
                Some(t) if t.state == TokenState::Invalid => {
                    t!(Lang::current(), "b-invalid-token")
                }
                _ => return None,
            };
            Some(Finding {
                request: Some(r.seq),
                message: format!("{message} : {} {}", r.method, r.path),
            })
        })
        .collect();
    check(
        "COMP-01",
        t!(Lang::current(), "b-comp01-title"),
        t!(Lang::current(), "b-comp01-why"),
        !calls.is_empty(),
        findings,
        t!(Lang::current(), "b-comp01-ok", calls_count = calls.len()),
    )
}

fn ror_headers_on_every_call(s: &Session<'_>) -> BehaviourCheck {
    let calls: Vec<&LoggedRequest> = s.fhir_calls().collect();
    let findings = calls
        .iter()
        .filter_map(|r| {
            ror::headers::problem(|name| r.header(name)).map(|problem| Finding {
                request: Some(r.seq),
                message: format!("{problem} ({} {})", r.method, r.path),
            })
        })
        .collect();
    check(
        "COMP-02",
        t!(Lang::current(), "b-comp02-title"),
        t!(Lang::current(), "b-comp02-why"),
        !calls.is_empty(),
        findings,
        t!(Lang::current(), "b-comp02-ok", calls_count = calls.len()),
    )
}

/// Unix milliseconds of an RFC 3339 timestamp (the log's `at`, a story day's start).
pub(super) fn unix_ms(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Unix seconds of an RFC 3339 timestamp.
fn unix(at: &str) -> Option<i64> {
    unix_ms(at).map(|ms| ms.div_euclid(1000))
}

/// A token asked for while the previous one still had this long to live is needless.
const RENEWAL_MARGIN_SECS: i64 = 60;

fn token_reused(s: &Session<'_>) -> BehaviourCheck {
    let issued: Vec<(&LoggedRequest, i64)> = s
        .token_requests()
        .filter_map(|r| r.facts.issued_token.as_ref().map(|t| (r, t.expires_at)))
        .collect();
    let calls = s.fhir_calls().count();
    let mut needless = Vec::new();
    for pair in issued.windows(2) {
        let [(_, previous_exp), (request, _)] = pair else {
            continue;
        };
        if let Some(at) = unix(&request.at)
            && previous_exp - at > RENEWAL_MARGIN_SECS
        {
            needless.push(Finding {
                request: Some(request.seq),
                message: t!(
                    Lang::current(),
                    "b-new-token-early",
                    seconds = previous_exp - at
                ),
            });
        }
    }
    let mut result = check(
        "COMP-03",
        t!(Lang::current(), "b-comp03-title"),
        t!(Lang::current(), "b-comp03-why"),
        !issued.is_empty() && calls > 0,
        Vec::new(),
        t!(
            Lang::current(),
            "b-comp03-ok",
            issued_count = issued.len(),
            calls = calls
        ),
    );
    if !needless.is_empty() {
        // One early renewal is a restart; renewing for most calls is the mistake.
        result.status = if needless.len() >= 2 && needless.len() * 2 >= calls {
            Status::Failed
        } else {
            Status::Warning
        };
        result.summary = t!(
            Lang::current(),
            "b-comp03-ko",
            issued_count = issued.len(),
            calls = calls,
            needless_count = needless.len()
        );
        result.findings = needless.into_iter().take(MAX_FINDINGS).collect();
    }
    result
}

fn token_renewed_after_expiry(s: &Session<'_>) -> BehaviourCheck {
    let expired: Vec<Finding> = s
        .fhir_calls()
        .filter(|r| {
            r.token
                .as_ref()
                .is_some_and(|t| t.state == TokenState::Expired)
        })
        .map(|r| {
            let since = r
                .token
                .as_ref()
                .and_then(|t| t.expires_at)
                .zip(unix(&r.at))
                .map(|(exp, at)| t!(Lang::current(), "b-expired-since", seconds = at - exp))
                .unwrap_or_default();
            Finding {
                request: Some(r.seq),
                message: t!(
                    Lang::current(),
                    "b-expired-call",
                    since = since,
                    method = r.method,
                    path = r.path
                ),
            }
        })
        .collect();
    // Judged only when the session outlived a token: a FHIR call came after the expiry of
    // a token issued earlier (with or without a new one).
    let first_expiry = s
        .token_requests()
        .filter_map(|r| r.facts.issued_token.as_ref().map(|t| t.expires_at))
        .min();
    let outlived = first_expiry.is_some_and(|exp| {
        s.fhir_calls()
            .filter_map(|r| unix_ms(&r.at))
            .any(|at| at >= exp * 1000)
    });
    check(
        "COMP-04",
        t!(Lang::current(), "b-comp04-title"),
        t!(Lang::current(), "b-comp04-why"),
        outlived || !expired.is_empty(),
        expired,
        t!(Lang::current(), "b-comp04-ok"),
    )
}

fn certificate_presented(s: &Session<'_>) -> BehaviourCheck {
    let refused: Vec<Finding> = s
        .log
        .iter()
        .filter(|r| {
            r.facts
                .refusal
                .as_ref()
                .is_some_and(|f| f.kind == RefusalKind::Tls)
        })
        .map(|r| Finding {
            request: Some(r.seq),
            message: t!(
                Lang::current(),
                "b-tls-refused",
                reason = r.facts.refusal.as_ref().map_or("", |f| f.message.as_str())
            ),
        })
        .collect();
    let with_cert = s.log.iter().filter(|r| r.client_cert.is_some()).count();
    check(
        "COMP-05",
        t!(Lang::current(), "b-comp05-title"),
        t!(Lang::current(), "b-comp05-why"),
        s.mtls,
        refused,
        t!(Lang::current(), "b-comp05-ok", with_cert = with_cert),
    )
}

fn documented_parameters_only(s: &Session<'_>) -> BehaviourCheck {
    let calls = s.fhir_calls().count();
    let findings = s
        .fhir_calls()
        .filter_map(|r| {
            let refusal = r.facts.refusal.as_ref()?;
            (refusal.kind == RefusalKind::Parameter).then(|| Finding {
                request: Some(r.seq),
                message: format!("{} ({} {})", refusal.message, r.method, r.path),
            })
        })
        .collect();
    check(
        "COMP-06",
        t!(Lang::current(), "b-comp06-title"),
        t!(Lang::current(), "b-comp06-why"),
        calls > 0,
        findings,
        t!(Lang::current(), "b-comp06-ok"),
    )
}

/// What is missing from the paging of the search `first` started: one line per page never
/// requested.
pub(crate) fn paging_gaps(log: &[LoggedRequest], first: &LoggedRequest) -> Vec<String> {
    let Some(page) = &first.facts.page else {
        return Vec::new();
    };
    let served: Vec<usize> = log
        .iter()
        .filter(|r| r.status == 200 && r.seq > first.seq)
        .filter_map(|r| r.facts.page.as_ref())
        .filter(|p| p.search == page.search)
        .map(|p| p.offset)
        .collect();
    let pages = page.matches.div_ceil(page.count.max(1));
    let mut gaps = Vec::new();
    let mut offset = page.offset;
    while offset + page.count < page.matches && page.count > 0 {
        offset += page.count;
        if !served.contains(&offset) {
            gaps.push(t!(
                Lang::current(),
                "b-page-never",
                page = offset / page.count + 1,
                pages = pages
            ));
        }
    }
    // A server that hid its `next` link is not the consumer's fault.
    if page.next_offset.is_none() && page.offset + page.count < page.matches {
        gaps.clear();
    }
    gaps
}

/// A search asking for a handful of results and reading no further page is a probe (a
/// connectivity check, "is there anything new"), not a read of the whole result.
const PROBE_COUNT: usize = 10;

pub(crate) fn is_probe(log: &[LoggedRequest], first: &LoggedRequest) -> bool {
    let Some(page) = &first.facts.page else {
        return false;
    };
    let small = page.count <= PROBE_COUNT
        && url::form_urlencoded::parse(first.query.as_deref().unwrap_or_default().as_bytes())
            .any(|(k, _)| k == "_count");
    let followed = log
        .iter()
        .filter_map(|r| r.facts.page.as_ref())
        .any(|p| p.search == page.search && p.offset > page.offset);
    small && !followed
}

fn every_next_followed(s: &Session<'_>) -> BehaviourCheck {
    let firsts: Vec<&LoggedRequest> = s
        .fhir_calls()
        .filter(|r| r.status == 200)
        .filter(|r| {
            r.facts
                .page
                .as_ref()
                .is_some_and(|p| p.offset == 0 && p.next_offset.is_some())
        })
        .filter(|r| !is_probe(s.log, r))
        .collect();
    let findings = firsts
        .iter()
        .flat_map(|r| {
            paging_gaps(s.log, r).into_iter().map(|gap| Finding {
                request: Some(r.seq),
                message: format!("{gap} ({} {})", r.method, r.path),
            })
        })
        .collect();
    check(
        "COMP-07",
        t!(Lang::current(), "b-comp07-title"),
        t!(Lang::current(), "b-comp07-why"),
        !firsts.is_empty(),
        findings,
        t!(Lang::current(), "b-comp07-ok", firsts_count = firsts.len()),
    )
}

/// Tolerance on `Retry-After`: clocks and schedulers are not exact.
const RETRY_TOLERANCE_MS: u64 = 100;

/// What went wrong in the `$export` flow `kickoff` started: early polls, polls after the
/// manifest, files never downloaded.
pub(crate) fn export_problems(log: &[LoggedRequest], kickoff: &LoggedRequest) -> Vec<String> {
    let Some(ExportFacts::Kickoff { job }) = &kickoff.facts.export else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let polls: Vec<&LoggedRequest> = log
        .iter()
        .filter(|r| matches!(&r.facts.export, Some(ExportFacts::Poll { job: j, .. }) if j == job))
        .collect();
    if polls.is_empty() {
        problems.push(t!(Lang::current(), "b-never-polled"));
        return problems;
    }
    let mut previous = kickoff;
    let mut previous_wait: Option<u64> = None;
    let mut manifest_files: Option<&Vec<String>> = None;
    for poll in &polls {
        let Some(ExportFacts::Poll {
            ready,
            retry_after_secs,
            files,
            ..
        }) = &poll.facts.export
        else {
            continue;
        };
        if manifest_files.is_some() {
            problems.push(t!(Lang::current(), "b-poll-after-manifest", seq = poll.seq));
            continue;
        }
        if let Some(wait) = previous_wait {
            let gap = poll.elapsed_ms.saturating_sub(previous.elapsed_ms);
            if gap + RETRY_TOLERANCE_MS < wait * 1000 {
                problems.push(t!(
                    Lang::current(),
                    "b-poll-too-fast",
                    gap = gap,
                    wait = wait
                ));
            }
        }
        previous = poll;
        previous_wait = *retry_after_secs;
        if *ready {
            manifest_files = Some(files);
        }
    }
    match manifest_files {
        None => problems.push(t!(Lang::current(), "b-poll-abandoned")),
        Some(files) => {
            for file in files {
                let fetched = log.iter().any(|r| {
                    r.status == 200
                        && matches!(&r.facts.export,
                            Some(ExportFacts::File { job: j, file: f }) if j == job && f == file)
                });
                if !fetched {
                    problems.push(t!(Lang::current(), "b-file-never", file = file));
                }
            }
        }
    }
    problems
}

fn export_polled_politely(s: &Session<'_>) -> BehaviourCheck {
    let kickoffs: Vec<&LoggedRequest> = s
        .fhir_calls()
        .filter(|r| matches!(r.facts.export, Some(ExportFacts::Kickoff { .. })))
        .collect();
    let findings = kickoffs
        .iter()
        .flat_map(|r| {
            export_problems(s.log, r).into_iter().map(|p| Finding {
                request: Some(r.seq),
                message: p,
            })
        })
        .collect();
    check(
        "COMP-08",
        t!(Lang::current(), "b-comp08-title"),
        t!(Lang::current(), "b-comp08-why"),
        !kickoffs.is_empty(),
        findings,
        t!(
            Lang::current(),
            "b-comp08-ok",
            kickoffs_count = kickoffs.len()
        ),
    )
}
