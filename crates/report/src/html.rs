//! `report.html`: one self-contained page a person reads and hands to the ROR programme team.
//!
//! The page is rendered by an askama template (`templates/report.html`) that auto-escapes
//! everything: response bodies come from the server under test and are untrusted.

use askama::Template;

use rorcheck_engine::run::result::{AssertionResult, CaptureResult, StepResult};
use rorcheck_engine::run::{RunReport, ScenarioResult, Status};
use rorcheck_i18n::{Arg, FluentArgs, Lang, t};
use rorcheck_mock::log::LoggedRequest;
use rorcheck_observe::ObserveReport;
use rorcheck_scenario::Priority;

/// What the templates call to write words: every label comes from the catalogue, in the
/// page's language.
trait Words {
    fn lang(&self) -> Lang;

    /// `<html lang>`.
    fn lang_code(&self) -> &'static str {
        self.lang().code()
    }

    /// A message without arguments.
    fn t(&self, id: &str) -> String {
        rorcheck_i18n::text(self.lang(), id, None)
    }

    /// A message with one argument.
    fn ta(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, value.to_string().to_value());
        rorcheck_i18n::text(self.lang(), id, Some(&args))
    }

    /// A message that holds markup of its own, its argument escaped (the template marks the
    /// result safe).
    fn ta_html(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.ta(id, name, escape(&value.to_string()))
    }

    /// A count, in the plural form its number asks for.
    fn tn(&self, id: &str, count: impl Arg) -> String {
        let mut args = FluentArgs::new();
        args.set("count", count.to_value());
        rorcheck_i18n::text(self.lang(), id, Some(&args))
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

struct PriorityRow {
    number: u8,
    label: &'static str,
    weight: u32,
    total: usize,
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
}

/// One consumption modality (or cross-cutting category) of the catalogue.
struct ModalityRow {
    label: &'static str,
    total: usize,
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
    /// Scenarios that failed or errored, to jump to.
    problems: Vec<String>,
}

fn modality_rows(report: &RunReport) -> Vec<ModalityRow> {
    rorcheck_scenario::Modality::ALL
        .iter()
        .filter_map(|m| {
            let of: Vec<&ScenarioResult> = report
                .scenarios
                .iter()
                .filter(|s| s.modality == *m)
                .collect();
            if of.is_empty() {
                return None;
            }
            let count = |st: Status| of.iter().filter(|s| s.status == st).count();
            Some(ModalityRow {
                label: m.label(),
                total: of.len(),
                passed: count(Status::Passed),
                failed: count(Status::Failed),
                errored: count(Status::Errored),
                skipped: count(Status::Skipped),
                problems: of
                    .iter()
                    .filter(|s| matches!(s.status, Status::Failed | Status::Errored))
                    .map(|s| s.id.clone())
                    .collect(),
            })
        })
        .collect()
}

struct ExchangeView {
    /// What the exchange was within its step (« page 2 », « fichier Organization »).
    label: Option<String>,
    method: String,
    url: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    response_status: Option<u16>,
    response_headers: Vec<(String, String)>,
    response_body: String,
    response_note: Option<String>,
    timing: Option<String>,
    curl: String,
}

struct StepView<'a> {
    step: &'a StepResult,
    status_key: &'static str,
    status_label: String,
    assertions: Vec<AssertionView<'a>>,
    captures: &'a [CaptureResult],
    /// The step's request and its follow-ups (pages, `$export` polls and files).
    exchanges: Vec<ExchangeView>,
}

struct AssertionView<'a> {
    a: &'a AssertionResult,
    status_key: &'static str,
    status_label: String,
    /// Expected and obtained, what differs marked (on a failure or a warning only).
    expected: Vec<crate::diff::Part>,
    actual: Vec<crate::diff::Part>,
}

impl<'a> AssertionView<'a> {
    fn new(a: &'a AssertionResult) -> Self {
        let (expected, actual) = if a.status == Status::Failed || a.is_warning() {
            crate::diff::words(&a.expected, &a.actual)
        } else {
            let plain = |t: &str| {
                vec![crate::diff::Part {
                    text: t.to_owned(),
                    changed: false,
                }]
            };
            (plain(&a.expected), plain(&a.actual))
        };
        AssertionView {
            a,
            status_key: if a.is_warning() {
                "warning"
            } else {
                badge_class(a.status)
            },
            status_label: if a.is_warning() {
                t!(Lang::current(), "status-warning")
            } else {
                a.status.label()
            },
            expected,
            actual,
        }
    }
}

struct ScenarioView<'a> {
    s: &'a ScenarioResult,
    status_key: &'static str,
    status_label: String,
    open: bool,
    steps: Vec<StepView<'a>>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    lang: Lang,
    r: &'a RunReport,
    verdict: String,
    verdict_ok: bool,
    score: u32,
    total: usize,
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
    not_applicable: usize,
    warnings: usize,
    priorities: Vec<PriorityRow>,
    modalities: Vec<ModalityRow>,
    scenarios: Vec<ScenarioView<'a>>,
    started: String,
    finished: String,
    duration: String,
}

/// Pretty-prints JSON bodies; other bodies are shown as they came.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

/// A curl line that replays the request; secrets stay masked, the reader puts their own.
fn curl(ex: &rorcheck_http::Exchange) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut out = format!("curl -X {} {}", ex.request.method, quote(&ex.request.url));
    for (k, v) in &ex.request.headers {
        out.push_str(&format!(" \\\n  -H {}", quote(&format!("{k}: {v}"))));
    }
    if let Some(body) = &ex.request.body {
        out.push_str(&format!(" \\\n  --data-raw {}", quote(body)));
    }
    out
}

use crate::PASSING_BODY_SHOWN;

fn exchange_views(step: &StepResult) -> Vec<ExchangeView> {
    let passed = step.status == Status::Passed;
    step.exchange
        .iter()
        .map(|ex| exchange_view(ex, None, passed))
        .chain(
            step.follow_ups
                .iter()
                .map(|f| exchange_view(&f.exchange, Some(f.label.clone()), passed)),
        )
        .collect()
}

use crate::head;

fn exchange_view(
    ex: &rorcheck_http::Exchange,
    label: Option<String>,
    passed: bool,
) -> ExchangeView {
    let resp = ex.response.as_ref();
    let abridged =
        passed && resp.is_some_and(|r| r.body_abridged || r.body.len() > PASSING_BODY_SHOWN);
    let (response_body, response_note) = match resp {
        None => (String::new(), Some(t!(Lang::current(), "note-no-response"))),
        Some(r) if abridged => (
            head(&r.body, PASSING_BODY_SHOWN).to_owned(),
            Some(t!(
                Lang::current(),
                "note-abridged",
                PASSING_BODY_SHOWN = PASSING_BODY_SHOWN,
                body_bytes = r.body_bytes
            )),
        ),
        Some(r) if r.body_truncated => (
            pretty(&r.body),
            Some(t!(
                Lang::current(),
                "note-truncated",
                body_bytes = r.body_bytes
            )),
        ),
        Some(r) if r.body_bytes == 0 => {
            (String::new(), Some(t!(Lang::current(), "note-empty-body")))
        }
        Some(r) => (pretty(&r.body), None),
    };
    ExchangeView {
        label,
        method: ex.request.method.clone(),
        url: ex.request.url.clone(),
        request_headers: ex.request.headers.clone(),
        request_body: ex.request.body.as_deref().map(pretty),
        response_status: resp.map(|r| r.status),
        response_headers: resp.map(|r| r.headers.clone()).unwrap_or_default(),
        response_body,
        response_note,
        timing: ex.timings.as_ref().map(|t| {
            t!(
                Lang::current(),
                "timing",
                headers_ms = format!("{:.1}", t.headers_ms),
                total_ms = format!("{:.1}", t.total_ms)
            )
        }),
        curl: curl(ex),
    }
}

/// The CSS class of a status badge, in both pages: an unexercised scenario looks like a
/// skipped one.
fn badge_class(s: Status) -> &'static str {
    match s {
        Status::NotExercised => Status::Skipped.key(),
        other => other.key(),
    }
}

/// `report.html` of a run.
pub fn render(report: &RunReport) -> Result<String, askama::Error> {
    let counts = report.counts();
    let priorities = Priority::ALL
        .iter()
        .map(|p| {
            let c = report.counts_for(*p);
            PriorityRow {
                number: p.number(),
                label: p.label(),
                weight: p.weight(),
                total: c.total,
                passed: c.passed,
                failed: c.failed,
                errored: c.errored,
                skipped: c.skipped,
            }
        })
        .collect();
    // Problems first, then by priority and id, so the reader meets what matters first.
    let mut ordered: Vec<&ScenarioResult> = report.scenarios.iter().collect();
    let rank = |s: Status| match s {
        Status::Errored => 0,
        Status::Failed => 1,
        Status::Warning | Status::Passed => 2,
        Status::Skipped | Status::NotExercised => 3,
        Status::NotApplicable => 4,
    };
    ordered.sort_by(|a, b| {
        (rank(a.status), a.priority, &a.id).cmp(&(rank(b.status), b.priority, &b.id))
    });
    let scenarios = ordered
        .into_iter()
        .map(|s| ScenarioView {
            s,
            status_key: badge_class(s.status),
            status_label: s.status.label(),
            open: matches!(s.status, Status::Failed | Status::Errored),
            steps: s
                .steps
                .iter()
                .map(|st| StepView {
                    step: st,
                    status_key: badge_class(st.status),
                    status_label: st.status.label(),
                    assertions: st.assertions.iter().map(AssertionView::new).collect(),
                    captures: &st.captures,
                    exchanges: exchange_views(st),
                })
                .collect(),
        })
        .collect();
    let fmt = "%d/%m/%Y %H:%M:%S";
    ReportPage {
        lang: Lang::current(),
        r: report,
        verdict: crate::verdict_label(report),
        verdict_ok: report.verdict() == rorcheck_engine::run::result::Verdict::Conforme,
        score: report.score(),
        total: counts.total,
        passed: counts.passed,
        failed: counts.failed,
        errored: counts.errored,
        skipped: counts.skipped,
        not_applicable: counts.not_applicable,
        warnings: report.scenarios.iter().map(|s| s.warnings).sum(),
        priorities,
        modalities: modality_rows(report),
        scenarios,
        started: report.started_at.format(fmt).to_string(),
        finished: report.finished_at.format(fmt).to_string(),
        duration: format!("{:.2} s", report.duration_ms() / 1000.0),
    }
    .render()
}

/// One recorded request as the page shows it.
struct RequestView<'a> {
    r: &'a LoggedRequest,
    target: String,
    token: String,
    refusal: String,
    facts: String,
}

fn request_view(r: &LoggedRequest) -> RequestView<'_> {
    let target = match &r.query {
        Some(q) => format!("{}?{q}", r.path),
        None => r.path.clone(),
    };
    let token = match &r.token {
        None => t!(Lang::current(), "obs-token-none"),
        Some(t) => format!(
            "{} ({})",
            t.jti
                .clone()
                .unwrap_or_else(|| t!(Lang::current(), "obs-token-unreadable")),
            match t.state {
                rorcheck_mock::log::TokenState::Valid => t!(Lang::current(), "obs-token-valid"),
                rorcheck_mock::log::TokenState::Expired => t!(Lang::current(), "obs-token-expired"),
                rorcheck_mock::log::TokenState::Invalid => t!(Lang::current(), "obs-token-invalid"),
            }
        ),
    };
    let refusal = r
        .facts
        .refusal
        .as_ref()
        .map(|f| f.message.clone())
        .unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(p) = &r.facts.page {
        facts.push(t!(
            Lang::current(),
            "obs-fact-page",
            page = p.offset / p.count.max(1) + 1,
            pages = p.matches.div_ceil(p.count.max(1)).max(1),
            search = p.search
        ));
    }
    if let Some(e) = &r.facts.export {
        facts.push(match e {
            rorcheck_mock::log::ExportFacts::Kickoff { job } => {
                t!(Lang::current(), "obs-fact-kickoff", job = job)
            }
            rorcheck_mock::log::ExportFacts::Poll { job, ready, .. } => {
                if *ready {
                    t!(Lang::current(), "obs-fact-manifest", job = job)
                } else {
                    t!(Lang::current(), "obs-fact-in-progress", job = job)
                }
            }
            rorcheck_mock::log::ExportFacts::File { job, file } => {
                t!(Lang::current(), "obs-fact-file", file = file, job = job)
            }
        });
    }
    if let Some(t) = &r.facts.issued_token {
        facts.push(t!(Lang::current(), "obs-fact-token", jti = t.jti));
    }
    if !r.facts.resources.is_empty() {
        facts.push(t!(
            Lang::current(),
            "obs-fact-resources",
            count = r.facts.resources.len()
        ));
    }
    RequestView {
        r,
        target,
        token,
        refusal,
        facts: facts.join(" ; "),
    }
}

#[derive(Template)]
#[template(path = "observe.html")]
struct ObservationPage<'a> {
    lang: Lang,
    r: &'a ObserveReport,
    verdict: String,
    ok: bool,
    requests: Vec<RequestView<'a>>,
}

impl Words for ReportPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl Words for ObservationPage<'_> {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl ObservationPage<'_> {
    /// The traffic line of the session table.
    fn traffic(&self) -> String {
        let s = &self.r.summary;
        t!(
            self.lang,
            "obs-traffic-line",
            requests = s.requests,
            fhir = s.fhir_calls,
            tokens = s.token_requests,
            unexpected = self.r.unexpected.len()
        )
    }

    fn badge(&self, s: &Status) -> &'static str {
        badge_class(*s)
    }
    fn is_out(&self, o: &Status) -> bool {
        *o == Status::NotApplicable
    }
}

/// `report.html` of an observed session.
pub fn observation(report: &ObserveReport) -> Result<String, askama::Error> {
    let ok = report.success();
    ObservationPage {
        lang: Lang::current(),
        r: report,
        verdict: if ok {
            t!(Lang::current(), "obs-verdict-ok")
        } else if report.summary.passed + report.summary.failed == 0 {
            t!(Lang::current(), "obs-verdict-nothing")
        } else {
            t!(Lang::current(), "verdict-non-compliant")
        },
        ok,
        requests: report.requests.iter().map(request_view).collect(),
    }
    .render()
}
