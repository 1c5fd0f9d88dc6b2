//! Checks made on parsed scenarios before the first request: ids, variables, expressions.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use serde_saphyr::Spanned;

use super::diagnostic::Diagnostic;
use super::model::{Assertion, AuthMode, Body, CaptureSource, Check, HeaderRule, Scenario, Step};
use super::template::{self, BUILTINS};
use rorcheck_fhirpath::FhirPath;

/// Compiled once: a catalogue has a hundred scenarios, and `list` must start fast.
static ID_PATTERN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]{3}$").expect("constant pattern is valid")
});

/// Everything that can be wrong inside one scenario.
pub(crate) fn check_scenario(s: &Scenario) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let path = s.source.as_path();
    let at_id = |msg: String| Diagnostic::new(path, s.id.referenced, msg);

    if !ID_PATTERN.is_match(s.id()) {
        out.push(at_id(format!(
            "id `{}` must be a modality prefix and three digits, e.g. EXT-001 or ROR-EXT-001",
            s.id()
        )));
    }
    if s.title.trim().is_empty() {
        out.push(at_id("title must not be empty".into()));
    }
    if s.description.trim().is_empty() {
        out.push(at_id(
            "description must say what the consumer must do and why".into(),
        ));
    }
    if s.steps.is_empty() {
        out.push(at_id("a scenario needs at least one step".into()));
    }
    for name in s.variables.keys() {
        if !template::is_variable_name(name) || BUILTINS.contains(&name.as_str()) {
            out.push(at_id(format!(
                "variable `{name}` must be a plain name and not one of the built-ins {BUILTINS:?}"
            )));
        }
    }

    if let Some(o) = &s.observe {
        if o.behaviours_only && !o.requests.is_empty() {
            out.push(at_id(
                "observe: `behaviours_only` and `requests` exclude each other".into(),
            ));
        }
        if o.behaviours_only && o.requires.is_empty() {
            out.push(at_id(
                "observe: `behaviours_only` needs at least one behaviour in `requires`".into(),
            ));
        }
        if o.skip.is_some() && (!o.requests.is_empty() || !o.requires.is_empty()) {
            out.push(at_id(
                "observe: a skipped scenario declares no `requests` nor `requires`".into(),
            ));
        }
        for r in &o.requests {
            if !r.path.starts_with('/') {
                out.push(at_id(format!(
                    "observe: request path `{}` must start with `/` (under the FHIR base)",
                    r.path
                )));
            }
        }
    }

    let mut defined: BTreeSet<String> = BUILTINS.iter().map(|b| (*b).to_owned()).collect();
    defined.extend(s.variables.keys().cloned());
    for step in &s.steps {
        out.extend(check_step(path, step, &defined));
        for c in &step.value.capture {
            defined.insert(c.value.name.clone());
        }
    }
    out
}

/// Everything a step can get wrong before it runs: its flow's bounds, its request's
/// templates and headers, each expectation and each capture.
fn check_step(
    path: &std::path::Path,
    step: &Spanned<Step>,
    defined: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let here = |msg: String| Diagnostic::new(path, step.referenced, msg);
    let st = &step.value;
    check_flow(st, &here, &mut out);
    check_request(st, defined, &here, &mut out);
    for a in &st.expect {
        let at = |msg: String| Diagnostic::new(path, a.referenced, msg);
        check_expectation(st, a, defined, &at, &mut out);
    }
    check_captures(path, st, &mut out);
    out
}

/// A name, one flow within its bounds, at least one expectation.
fn check_flow(st: &Step, here: &dyn Fn(String) -> Diagnostic, out: &mut Vec<Diagnostic>) {
    if st.name.trim().is_empty() {
        out.push(here("a step needs a name".into()));
    }
    if let Some(r) = &st.retry
        && (!(2..=60).contains(&r.max_attempts) || r.interval_ms > 60_000)
    {
        out.push(here(format!(
            "step `{}`: retry takes max_attempts from 2 to 60 and interval_ms up to 60000",
            st.name
        )));
    }
    if st.export.is_some() && (st.retry.is_some() || st.follow_next.is_some()) {
        out.push(here(format!(
            "step `{}`: an export step polls by itself; it takes neither retry nor follow_next",
            st.name
        )));
    } else if st.retry.is_some() && st.follow_next.is_some() {
        // One flow per step: a paged search retried until it holds is two steps.
        out.push(here(format!(
            "step `{}`: a step takes one flow: retry or follow_next, not both",
            st.name
        )));
    }
    if let Some(f) = &st.follow_next
        && !(2..=1000).contains(&f.max_pages)
    {
        out.push(here(format!(
            "step `{}`: follow_next takes max_pages from 2 to 1000",
            st.name
        )));
    }
    if let Some(e) = &st.export
        && !(1..=600).contains(&e.max_polls)
    {
        out.push(here(format!(
            "step `{}`: export takes max_polls from 1 to 600",
            st.name
        )));
    }
    if st.expect.is_empty() {
        out.push(here(format!(
            "step `{}` has no assertion: a step must expect something",
            st.name
        )));
    }
}

/// Every template in the request uses defined variables; header names and the path are
/// well formed.
fn check_request(
    st: &Step,
    defined: &BTreeSet<String>,
    here: &dyn Fn(String) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    let req = &st.request;
    let mut templates: Vec<&str> = vec![req.path.as_str()];
    templates.extend(req.query.iter().map(|q| q.value.as_str()));
    templates.extend(req.headers.values().map(String::as_str));
    match &req.body {
        Some(Body::Json(v)) => templates.extend(template::json_strings(v)),
        Some(Body::Text(t)) => templates.push(t),
        Some(Body::Form(pairs)) => templates.extend(pairs.iter().map(|q| q.value.as_str())),
        None => {}
    }
    if let AuthMode::Bearer(token) = &req.auth {
        templates.push(token);
    }
    out.extend(undefined_variables(templates, defined, &st.name, here));
    for name in req.headers.keys().chain(req.omit_headers.iter()) {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            out.push(here(format!("`{name}` is not a valid header name")));
        }
    }
    if !req.path.starts_with('/') && !req.path.starts_with("{{") && !req.path.contains("://") {
        out.push(here(format!(
            "path `{}` must start with `/` (relative to the target's base URL) or be an \
             absolute URL",
            req.path
        )));
    }
}

/// One expectation: where it may appear, its templates, its expression or pattern.
fn check_expectation(
    st: &Step,
    a: &Spanned<Assertion>,
    defined: &BTreeSet<String>,
    at: &dyn Fn(String) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    // A refused handshake yields no response: nothing else can be checked or captured.
    if matches!(a.value.check, Check::Connection(_))
        && (st.expect.len() > 1 || !st.capture.is_empty() || st.retry.is_some())
    {
        out.push(at(
            "`connection` must be the step's only expectation, without capture or retry".into(),
        ));
    }
    match &a.value.check {
        Check::Pages(_) if st.follow_next.is_none() => out.push(at(
            "a `pages` assertion judges the pages of a `follow_next` step: add \
             `follow_next: { max_pages: N }` to this step"
                .into(),
        )),
        Check::Exported(_) if st.export.is_none() => out.push(at(
            "an `exported` assertion judges the files of an `export` step: add `export: {}` \
             to this step"
                .into(),
        )),
        _ => {}
    }
    out.extend(undefined_variables(
        template::check_templates(&a.value.check),
        defined,
        &st.name,
        at,
    ));
    match &a.value.check {
        Check::FhirPath(spec) => {
            if let Err(e) = FhirPath::parse(&placeholders(&spec.expr)) {
                out.push(at(e.to_string()));
            }
        }
        Check::Header(spec) => {
            if http::HeaderName::from_bytes(spec.name.as_bytes()).is_err() {
                out.push(at(format!("`{}` is not a valid header name", spec.name)));
            }
            if let HeaderRule::Matches(re) = &spec.rule
                && let Err(e) = Regex::new(re)
            {
                out.push(at(format!("invalid regular expression `{re}`: {e}")));
            }
        }
        Check::ContentType(ct) if ct.trim().is_empty() => {
            out.push(at("content_type must name a media type".into()));
        }
        Check::Bundle(b)
            if b.links
                .iter()
                .chain(&b.no_links)
                .any(|l| l.trim().is_empty()) =>
        {
            out.push(at("link relations must not be empty".into()));
        }
        _ => {}
    }
}

/// Capture names: plain, not built-in, once per step; FHIRPath sources that parse.
fn check_captures(path: &std::path::Path, st: &Step, out: &mut Vec<Diagnostic>) {
    let mut captured = BTreeMap::new();
    for c in &st.capture {
        let at = |msg: String| Diagnostic::new(path, c.referenced, msg);
        let name = &c.value.name;
        if !template::is_variable_name(name) || BUILTINS.contains(&name.as_str()) {
            out.push(at(format!(
                "capture name `{name}` must be a plain name and not a built-in ({BUILTINS:?})"
            )));
        }
        if captured.insert(name.clone(), ()).is_some() {
            out.push(at(format!("`{name}` is captured twice in the same step")));
        }
        if let CaptureSource::FhirPath(expr) = &c.value.source
            && let Err(e) = FhirPath::parse(expr)
        {
            out.push(at(e.to_string()));
        }
    }
}

/// The expression with each `{{variable}}` replaced by a neutral value, so that its syntax
/// can be checked before the variables are known.
fn placeholders(expr: &str) -> String {
    static VAR: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"\{\{[^}]*\}\}").expect("valid regex"));
    VAR.replace_all(expr, "x").into_owned()
}

/// Diagnostics for template strings that use undefined variables or are malformed.
fn undefined_variables(
    templates: Vec<&str>,
    defined: &BTreeSet<String>,
    step: &str,
    at: &dyn Fn(String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in templates {
        match template::variables(t) {
            Ok(vars) => {
                for v in vars.into_iter().filter(|v| !defined.contains(*v)) {
                    out.push(at(format!(
                        "step `{step}` uses `{{{{{v}}}}}`, which is not defined: declare it \
                         under `variables` or capture it in an earlier step"
                    )));
                }
            }
            Err(e) => out.push(at(format!("step `{step}`: {e}"))),
        }
    }
    out
}

/// Ids must be unique across the whole set.
pub(crate) fn check_unique_ids(scenarios: &[Scenario]) -> Vec<Diagnostic> {
    let mut first_seen: BTreeMap<&str, &Scenario> = BTreeMap::new();
    let mut out = Vec::new();
    for s in scenarios {
        if let Some(first) = first_seen.get(s.id()) {
            out.push(Diagnostic::new(
                &s.source,
                s.id.referenced,
                format!(
                    "duplicate id `{}`: already used by {}:{}",
                    s.id(),
                    first.source.display(),
                    first.id.referenced.line()
                ),
            ));
        } else {
            first_seen.insert(s.id(), s);
        }
    }
    out
}
