//! A `follow_next` step: the first page, then its `next` links, page after page; each page
//! read for what paging needs (parsed whole for conformance checks), each request made as
//! the step's, the first pages and the last kept as evidence.

use rorcheck_i18n::{Lang, t};
use serde_json::Value;
use std::collections::BTreeMap;

use super::paging::{
    Followed, PAGES_WITH_EVIDENCE, PageError, PageRecord, conformance_slots, record_findings,
};
use super::repeat::send_until;
use crate::run::context::StepRun;
use crate::run::exchange::{
    FollowUpError, conclude, evidence, follow_up_request, foreign_origin_finding, record_request,
    send_follow_up, without_response,
};
use crate::run::result::{FollowUp, StepResult};
use rorcheck_http::{
    Exchange, ForeignOrigin, OutgoingRequest, ReceivedResponse, RecordedRequest, Redactor,
};
use rorcheck_scenario::FollowNext;

/// Runs a `follow_next` step: the first page (asked again only while the server is busy),
/// then every `next` link, judged as a whole.
pub(crate) async fn run(
    run: &StepRun<'_, '_>,
    limit: FollowNext,
    request: OutgoingRequest,
    recorded: RecordedRequest,
    vars: &mut BTreeMap<String, String>,
    redactor: &mut Redactor,
    mut result: StepResult,
) -> StepResult {
    let Some((first, mut assertions)) =
        send_until(run, 1, &request, vars, redactor, &mut result).await
    else {
        return without_response(result, recorded, run.started);
    };
    let followed = follow(run, limit, &request, &first, redactor).await;
    followed.apply(run.st(), &mut assertions, redactor);
    if let Some(foreign) = &followed.foreign {
        assertions.push(foreign_origin_finding(run.line(), foreign, redactor));
    }
    result.follow_ups = followed.follow_ups;
    result.attempts += followed.requests;
    conclude(run, recorded, &first, assertions, vars, redactor, result).await
}

/// What a page holds, with its parsed body when `whole` (for conformance checks), or why
/// the chain stops there. Without checks, only what paging needs is read.
fn read_page(status: u16, body: &[u8], whole: bool) -> Read {
    if !(200..300).contains(&status) {
        return Err(PageError::Status(status));
    }
    if !whole && let Some(page) = crate::outline::read(body) {
        return PageRecord::from_shape(page).map(|page| (None, page));
    }
    let body: Value = serde_json::from_slice(body)?;
    let page = PageRecord::read(&body)?;
    Ok((Some(body), page))
}

/// A page read: its parsed body when asked for, and what paging needs; or why the chain
/// stops there.
type Read = Result<(Option<Value>, PageRecord), PageError>;

/// Why the chain stopped before a page: the reason, a foreign `next` link, the evidence of
/// a request that got no answer.
struct Stop {
    reason: String,
    foreign: Option<ForeignOrigin>,
    unanswered: Option<FollowUp>,
}

impl Stop {
    fn because(reason: String) -> Self {
        Stop {
            reason,
            foreign: None,
            unanswered: None,
        }
    }
}

/// A page's request, not yet recorded as evidence: only the pages kept (the first ones, the
/// last) are, masking a window of up to half a megabyte of each.
struct Asked {
    label: String,
    request: OutgoingRequest,
}

impl Asked {
    /// The exchange as evidence, with the redactor as it is by then (it only ever gains
    /// secrets to mask).
    fn recorded(self, response: &ReceivedResponse, redactor: &Redactor) -> FollowUp {
        evidence(self.label, &self.request, Some(response), redactor)
    }
}

/// Requests the page after page `number` through its `next` link: the answer, the requests
/// sent (busy retries included) and the request as asked.
async fn next_page(
    run: &StepRun<'_, '_>,
    request: &OutgoingRequest,
    next: &str,
    number: usize,
    redactor: &mut Redactor,
) -> Result<(ReceivedResponse, u32, Asked), Stop> {
    // `next` is opaque: followed as given, resolved against the page's URL if relative.
    let url = request
        .url
        .join(next)
        .map_err(|e| Stop::because(t!(Lang::current(), "p-next-unusable", next = next, e = e)))?;
    let what = t!(Lang::current(), "p-next-of-page", number = number);
    let req = match follow_up_request(run.ctx, run.st(), request, url, &what, redactor).await {
        Ok(r) => r,
        Err(FollowUpError::Foreign(e)) => {
            return Err(Stop {
                reason: t!(Lang::current(), "p-outside", what = what, origin = e.origin),
                foreign: Some(e),
                unanswered: None,
            });
        }
        Err(e @ FollowUpError::Token(_)) => return Err(Stop::because(e.to_string())),
    };
    let label = format!("page {}", number + 1);
    match send_follow_up(run.ctx, run.client, run.st(), &req).await {
        Ok((resp, sent)) => Ok((
            resp,
            sent,
            Asked {
                label,
                request: req,
            },
        )),
        Err(e) => Err(Stop {
            reason: redactor.text(&e.to_string()),
            foreign: None,
            unanswered: Some(FollowUp {
                label,
                exchange: Exchange {
                    request: record_request(&req, redactor),
                    response: None,
                    timings: None,
                },
            }),
        }),
    }
}

/// Pages from this size on are read on a thread of their own while the next one is asked
/// for; smaller ones, in less time than handing them over takes.
const READ_BESIDE_FROM: usize = 64 * 1024;

/// Follows `link[next]` from the first response of a step to the end (or `max_pages`),
/// with the step's headers and the target's token, recording each page.
///
/// A large page's `next` link, when the Bundle gives it before its entries (as servers
/// write them), is asked for while the page is read: a client reading 50 pages of 200
/// offers waits for the server or reads, not both in turn. The page read decides: a link it
/// does not confirm (a page unreadable, last, or whose links say otherwise) is not
/// followed, and its exchange is kept as evidence all the same: every request sent is in
/// the report.
pub(crate) async fn follow(
    run: &StepRun<'_, '_>,
    limit: FollowNext,
    request: &OutgoingRequest,
    first: &ReceivedResponse,
    redactor: &mut Redactor,
) -> Followed {
    let conformance_ctx = run.ctx.conformance(request);
    let mut slots = conformance_slots(run.st(), run.ctx.check_all);
    let mut out = Followed::default();
    let mut response = first.clone();
    // The current page's request while it is not recorded: it is, if it turns out last.
    let mut unrecorded: Option<Asked> = None;
    // Requests sent ahead and not followed, recorded after the pages.
    let mut unfollowed: Vec<FollowUp> = Vec::new();
    loop {
        let number = out.paging.pages.len() + 1;
        let ahead = (number < limit.max_pages as usize)
            .then(|| early_next(&response))
            .flatten();
        let (read, asked) = read_while_asking(
            run,
            request,
            &mut response,
            !slots.is_empty(),
            ahead,
            number,
            redactor,
        )
        .await;
        let (body, page) = match read {
            Ok(p) => p,
            Err(why) => {
                out.paging.stopped = Some(why.to_string());
                unfollowed.extend(asked.and_then(|a| a.unfollowed(&mut out, redactor)));
                break;
            }
        };
        if let Some(body) = &body {
            record_findings(&mut slots, body, &conformance_ctx);
        }
        let next = page.next.clone();
        out.paging.pages.push(page);
        let Some(next) = next else {
            unfollowed.extend(asked.and_then(|a| a.unfollowed(&mut out, redactor)));
            break;
        };
        if number as u32 >= limit.max_pages {
            out.paging.limit_reached = true;
            break;
        }
        let fetched = match asked {
            Some(a) if a.url == next => a.fetched,
            other => {
                unfollowed.extend(other.and_then(|a| a.unfollowed(&mut out, redactor)));
                next_page(run, request, &next, number, redactor).await
            }
        };
        match fetched {
            Ok((resp, sent, asked)) => {
                out.requests += sent;
                if out.follow_ups.len() < PAGES_WITH_EVIDENCE {
                    out.follow_ups.push(asked.recorded(&resp, redactor));
                    unrecorded = None;
                } else {
                    unrecorded = Some(asked);
                }
                response = resp;
            }
            Err(stop) => {
                out.paging.stopped = Some(stop.reason);
                out.foreign = stop.foreign;
                if let Some(unanswered) = stop.unanswered {
                    out.requests += 1;
                    out.follow_ups
                        .extend(unrecorded.take().map(|a| a.recorded(&response, redactor)));
                    out.follow_ups.push(unanswered);
                }
                break;
            }
        }
    }
    if let Some(last) = unrecorded {
        out.follow_ups.push(last.recorded(&response, redactor));
    }
    out.follow_ups.extend(unfollowed);
    out.conformance = slots;
    out
}

/// The `next` link of a large page, when its Bundle gives it before its entries; none
/// otherwise (the page is then read before anything more is asked).
fn early_next(response: &ReceivedResponse) -> Option<String> {
    let large = response.body.len() >= READ_BESIDE_FROM;
    let success = (200..300).contains(&response.status);
    if large && success {
        crate::outline::early_next(&response.body)
    } else {
        None
    }
}

/// The page after, asked for on a link seen before the page was read.
struct AskedAhead {
    url: String,
    fetched: Result<(ReceivedResponse, u32, Asked), Stop>,
}

impl AskedAhead {
    /// The evidence of a page asked for ahead and not followed, its requests counted; none
    /// when nothing was sent (a link to another origin is refused before sending).
    fn unfollowed(self, out: &mut Followed, redactor: &Redactor) -> Option<FollowUp> {
        let mut evidence = match self.fetched {
            Ok((resp, sent, asked)) => {
                out.requests += sent;
                asked.recorded(&resp, redactor)
            }
            Err(stop) => {
                let unanswered = stop.unanswered?;
                out.requests += 1;
                unanswered
            }
        };
        evidence.label = t!(Lang::current(), "p-not-followed", label = evidence.label);
        Some(evidence)
    }
}

/// Reads the page `response` holds while the page at `ahead` (its `next` link, seen early)
/// is asked for, or reads it alone.
async fn read_while_asking(
    run: &StepRun<'_, '_>,
    request: &OutgoingRequest,
    response: &mut ReceivedResponse,
    whole: bool,
    ahead: Option<String>,
    number: usize,
    redactor: &mut Redactor,
) -> (Read, Option<AskedAhead>) {
    let Some(url) = ahead else {
        return (read_page(response.status, &response.body, whole), None);
    };
    let status = response.status;
    // Lent to the reading thread, and given back.
    let body = std::mem::take(&mut response.body);
    let reading = tokio::task::spawn_blocking(move || {
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_page(status, &body, whole)
        }));
        (body, read)
    });
    let asking = next_page(run, request, &url, number, redactor);
    let (read, fetched) = tokio::join!(reading, asking);
    let read = match read {
        Ok((body, read)) => {
            response.body = body;
            // A reader that panicked: as if it had on this thread.
            read.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(PageError::Interrupted),
    };
    (read, Some(AskedAhead { url, fetched }))
}
