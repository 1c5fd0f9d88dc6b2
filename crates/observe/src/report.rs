//! The observation reports, in the three formats of `rorcheck run`: `junit.xml` (one
//! testsuite per modality plus one for the behaviour checks), `report.html` (the page a
//! vendor hands to the ROR programme team) and `report.json`.

use std::path::Path;

use askama::Template;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{CheckStatus, ObserveReport, Outcome, ScenarioVerdict};
use rorcheck_http::har::{EntryParts, Har, HarEntry};
use rorcheck_mock::log::LoggedRequest;
use rorcheck_report::{ReportError, Written};

pub fn json(report: &ObserveReport) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}

fn scenario_text(s: &ScenarioVerdict) -> String {
    let mut out = format!("{} — {}\nfichier : {}\n", s.id, s.title, s.file);
    if let Some(reason) = &s.reason {
        out.push_str(&format!("{reason}\n"));
    }
    for step in &s.steps {
        out.push_str(&format!(
            "\n[{}] « {} » (ligne {})\n  attendu : {}\n",
            step.outcome.label(),
            step.name,
            step.line,
            step.expected
        ));
        for p in &step.problems {
            out.push_str(&format!("  - {p}\n"));
        }
    }
    out
}

pub fn junit(report: &ObserveReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("rorcheck-observe");
    for modality in rorcheck_scenario::Modality::ALL {
        let of: Vec<&ScenarioVerdict> = report
            .scenarios
            .iter()
            .filter(|s| s.modality == modality.key())
            .collect();
        if of.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(format!("observation {}", modality.label()));
        for s in of {
            let status = match s.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(s.reason.clone().unwrap_or_default());
                    st.set_description(scenario_text(s));
                    st
                }
                Outcome::NotExercised | Outcome::OutOfScope => {
                    let mut st = TestCaseStatus::skipped();
                    st.set_message(match s.outcome {
                        Outcome::NotExercised => "non exercé par l'application".to_owned(),
                        _ => s.reason.clone().unwrap_or_default(),
                    });
                    st
                }
            };
            let mut case = TestCase::new(format!("{} {}", s.id, s.title), status);
            case.set_classname(format!("rorcheck.observe.{}", s.modality));
            case.add_property(Property::new("priority", s.priority.to_string()));
            case.add_property(Property::new("criticite", s.priority_label));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut suite = TestSuite::new("comportement du consommateur");
    for b in &report.behaviours {
        let status = match b.status {
            CheckStatus::Passed | CheckStatus::Warning => TestCaseStatus::success(),
            CheckStatus::Failed => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_message(b.summary.clone());
                let lines: Vec<String> = b.findings.iter().map(|f| f.message.clone()).collect();
                st.set_description(lines.join("\n"));
                st
            }
            CheckStatus::NotApplicable => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(b.summary.clone());
                st
            }
        };
        let mut case = TestCase::new(format!("{} {}", b.id, b.title), status);
        case.set_classname("rorcheck.observe.comportement");
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    // The session's own verdict, so that the test view of a CI system fails exactly when
    // the exit code does (an empty session has no failed scenario, yet proves nothing).
    let mut suite = TestSuite::new("session observée");
    let status = if report.success() {
        TestCaseStatus::success()
    } else {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(session_failure(report));
        st
    };
    let mut case = TestCase::new("SESSION Verdict de la session observée", status);
    case.set_classname("rorcheck.observe.session");
    suite.add_test_case(case);
    junit.add_test_suite(suite);
    junit.to_string()
}

/// Why a session is not a success, in one line.
pub fn session_failure(report: &ObserveReport) -> String {
    let s = &report.summary;
    if s.passed == 0 && s.failed == 0 && s.behaviours_failed == 0 {
        return "aucun scénario exercé : la session n'a rien montré".to_owned();
    }
    format!(
        "{} scénario(s) échoué(s), {} comportement(s) en échec, {} réussi(s)",
        s.failed, s.behaviours_failed, s.passed
    )
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
        None => "aucun".to_owned(),
        Some(t) => format!(
            "{} ({})",
            t.jti.as_deref().unwrap_or("illisible"),
            match t.state {
                rorcheck_mock::log::TokenState::Valid => "valide",
                rorcheck_mock::log::TokenState::Expired => "expiré",
                rorcheck_mock::log::TokenState::Invalid => "invalide",
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
        facts.push(format!(
            "page {} sur {} de la recherche {}",
            p.offset / p.count.max(1) + 1,
            p.matches.div_ceil(p.count.max(1)).max(1),
            p.search
        ));
    }
    if let Some(e) = &r.facts.export {
        facts.push(match e {
            rorcheck_mock::log::ExportFacts::Kickoff { job } => format!("lancement de {job}"),
            rorcheck_mock::log::ExportFacts::Poll { job, ready, .. } => {
                if *ready {
                    format!("manifeste de {job}")
                } else {
                    format!("{job} en cours (Retry-After)")
                }
            }
            rorcheck_mock::log::ExportFacts::File { job, file } => {
                format!("fichier {file} de {job}")
            }
        });
    }
    if let Some(t) = &r.facts.issued_token {
        facts.push(format!("jeton {} délivré", t.jti));
    }
    if !r.facts.resources.is_empty() {
        facts.push(format!(
            "{} ressource(s) servie(s)",
            r.facts.resources.len()
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

fn outcome_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::NotExercised => "skipped",
        Outcome::OutOfScope => "out",
    }
}

fn check_key(c: CheckStatus) -> &'static str {
    match c {
        CheckStatus::Passed => "passed",
        CheckStatus::Warning => "warning",
        CheckStatus::Failed => "failed",
        CheckStatus::NotApplicable => "skipped",
    }
}

#[derive(Template)]
#[template(path = "observe.html")]
struct Page<'a> {
    r: &'a ObserveReport,
    verdict: &'static str,
    ok: bool,
    requests: Vec<RequestView<'a>>,
}

impl Page<'_> {
    fn outcome_key(&self, o: &Outcome) -> &'static str {
        outcome_key(*o)
    }
    fn check_key(&self, c: &CheckStatus) -> &'static str {
        check_key(*c)
    }
    fn is_out(&self, o: &Outcome) -> bool {
        *o == Outcome::OutOfScope
    }
}

pub fn html(report: &ObserveReport) -> Result<String, askama::Error> {
    let ok = report.success();
    Page {
        r: report,
        verdict: if ok {
            "conforme sur le périmètre exercé"
        } else if report.summary.passed + report.summary.failed == 0 {
            "aucun scénario exercé"
        } else {
            "non conforme"
        },
        ok,
        requests: report.requests.iter().map(request_view).collect(),
    }
    .render()
}

/// Writes `junit.xml`, `report.html` and `report.json` into `dir`.
pub fn write_all(report: &ObserveReport, dir: &Path) -> Result<Written, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    let render = |format: &'static str, r: Result<String, String>| {
        r.map_err(|reason| ReportError::Render { format, reason })
    };
    let junit = render("junit.xml", junit(report).map_err(|e| e.to_string()))?;
    let html = render("report.html", html(report).map_err(|e| e.to_string()))?;
    let json = render("report.json", json(report).map_err(|e| e.to_string()))?;
    let har = render(
        "session.har",
        session_har(report).to_json().map_err(|e| e.to_string()),
    )?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        Ok::<_, ReportError>(path)
    };
    Ok(Written {
        junit: write("junit.xml", &junit)?,
        html: write("report.html", &html)?,
        json: write("report.json", &json)?,
        har: Some(write("session.har", &har)?),
    })
}

/// Every request of the session and its answer, as HAR 1.2 (masked, as logged): loadable
/// in a browser's devtools. Refused TLS handshakes have no HTTP exchange and are left out.
pub fn session_har(report: &ObserveReport) -> Har {
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
                comment: format!("requête n° {}", r.seq),
            })
        })
        .collect();
    Har::new(entries)
}
