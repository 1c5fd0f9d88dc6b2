//! Judging the day-by-day story: did the consumer make its full extraction on day 0, a
//! delta every following day with a `_lastUpdated` bound that cannot miss the day's
//! changes, and — the control point — fetch every created, changed or closed resource
//! after its change?

use rorcheck_i18n::{Lang, t};
use rorcheck_mock::log::LoggedRequest;
use rorcheck_mock::store::Store;
use rorcheck_mock::story::Day;

use super::behaviour::{BehaviourCheck, Finding, check, unix_ms};

/// What the story judgement reads.
pub(crate) struct StoryInput<'a> {
    pub days: &'a [Day],
    /// The data at the end of the session.
    pub store: &'a Store,
    pub profile: u8,
}

/// Requests answered during `[from, to)` on the log's clock.
fn during(
    log: &[LoggedRequest],
    from: u64,
    to: Option<u64>,
) -> impl Iterator<Item = &LoggedRequest> {
    log.iter()
        .filter(move |r| r.elapsed_ms >= from && to.is_none_or(|t| r.elapsed_ms < t))
        .filter(|r| r.status == 200)
}

/// The lower bound of a `_lastUpdated` value (`ge2026-11-23T08:00:00Z`, `gt2026-11-23`),
/// in Unix milliseconds. A bare date is midnight UTC.
fn lower_bound(value: &str) -> Option<i64> {
    let date = value.trim_start_matches(|c: char| c.is_ascii_lowercase());
    if matches!(value.get(..2), Some("lt" | "le" | "eb")) {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(date)
        .map(|d| d.timestamp_millis())
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp_millis())
        })
}

fn last_updated_values(r: &LoggedRequest) -> Vec<String> {
    url::form_urlencoded::parse(r.query.as_deref().unwrap_or_default().as_bytes())
        .filter(|(k, _)| k.ends_with("_lastUpdated"))
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// COMP-09, not applicable when no story was played.
pub(crate) fn judge(story: Option<&StoryInput<'_>>, log: &[LoggedRequest]) -> BehaviourCheck {
    let title = t!(Lang::current(), "st-title");
    let why = t!(Lang::current(), "st-why");
    let Some(story) = story else {
        return check("COMP-09", title, why, false, Vec::new(), String::new());
    };
    let mut findings = Vec::new();
    let next_start = |i: usize| story.days.get(i + 1).map(|d| d.elapsed_ms);
    day_zero(story, log, next_start(0), &mut findings);
    for (i, day) in story.days.iter().enumerate().skip(1) {
        later_day(day, log, next_start(i), &mut findings);
    }
    let changes: usize = story.days.iter().map(|d| d.events.len()).sum();
    check(
        "COMP-09",
        title,
        why,
        true,
        findings,
        t!(
            Lang::current(),
            "st-ok",
            days = story.days.len() - 1,
            changes = changes
        ),
    )
}

/// Day 0: every offer the profile may see (created later excepted), received during day 0.
fn day_zero(
    story: &StoryInput<'_>,
    log: &[LoggedRequest],
    end_ms: Option<u64>,
    findings: &mut Vec<Finding>,
) {
    let created: Vec<&str> = story
        .days
        .iter()
        .flat_map(|d| &d.events)
        .filter(|e| e.kind == rorcheck_mock::story::EventKind::Creation)
        .map(|e| e.key.as_str())
        .collect();
    let offers: Vec<String> = story
        .store
        .of_type("HealthcareService")
        .iter()
        .map(|i| &story.store.all[*i])
        .filter(|s| !s.hidden_from(story.profile))
        .map(|s| s.key())
        .filter(|k| !created.contains(&k.as_str()))
        .collect();
    let day0: std::collections::HashSet<&str> = during(log, 0, end_ms)
        .flat_map(|r| r.facts.resources.iter().map(String::as_str))
        .collect();
    let missing: Vec<&String> = offers
        .iter()
        .filter(|k| !day0.contains(k.as_str()))
        .collect();
    if !missing.is_empty() {
        findings.push(Finding {
            request: None,
            message: t!(
                Lang::current(),
                "st-d0-incomplete",
                missing_count = missing.len(),
                offers_count = offers.len(),
                examples = missing[0]
            ),
        });
    }
}

/// A later day: updates asked during the day, with a `_lastUpdated` bound that does not
/// miss the day's changes, and each change fetched after it happened (the control point).
fn later_day(
    day: &rorcheck_mock::story::Day,
    log: &[LoggedRequest],
    end_ms: Option<u64>,
    findings: &mut Vec<Finding>,
) {
    let deltas: Vec<&LoggedRequest> = during(log, day.elapsed_ms, end_ms)
        .filter(|r| !last_updated_values(r).is_empty())
        .collect();
    if deltas.is_empty() {
        findings.push(Finding {
            request: None,
            message: t!(
                Lang::current(),
                "st-no-update",
                day = day.day,
                note = if day.events.is_empty() {
                    t!(Lang::current(), "st-empty-day")
                } else {
                    String::new()
                }
            ),
        });
    }
    let changes_at = unix_ms(&day.at);
    for r in deltas {
        for value in last_updated_values(r) {
            if let (Some(bound), Some(at)) = (lower_bound(&value), changes_at)
                && bound > at
            {
                findings.push(Finding {
                    request: Some(r.seq),
                    message: t!(
                        Lang::current(),
                        "st-bound-late",
                        day = day.day,
                        value = value,
                        at = day.at
                    ),
                });
            }
        }
    }
    // The control point: each change fetched after it happened.
    for event in &day.events {
        let fetched =
            during(log, day.elapsed_ms, None).any(|r| r.facts.resources.contains(&event.key));
        if !fetched {
            findings.push(Finding {
                request: None,
                message: t!(
                    Lang::current(),
                    "st-never-received",
                    day = event.day,
                    kind = event.kind.label(),
                    key = event.key,
                    what = event.what
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lower_bound;

    #[test]
    fn lower_bounds_read_dates_and_datetimes() {
        assert_eq!(lower_bound("ge2026-11-23"), Some(1_795_392_000_000));
        assert_eq!(
            lower_bound("gt2026-11-23T01:00:00Z"),
            Some(1_795_392_000_000 + 3_600_000)
        );
        assert_eq!(lower_bound("lt2026-11-23"), None);
        assert_eq!(lower_bound("ge-hier"), None);
    }
}
