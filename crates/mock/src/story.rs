//! The day-by-day story observer mode can play for the update modality, after the
//! PLATINES consumer test sheets: day 0 is the data as generated (the consumer makes its
//! full extraction), then each day brings its changes — creations (J1), changes (J2), a
//! closure (J3), nothing at all (J4) — stamped with the moment they happen, so that a
//! consumer asking `_lastUpdated=ge<its previous synchronisation>` receives them.
//!
//! Days move on when asked (`POST /_rorcheck/story/next-day`, or a timer in
//! `rorcheck observe --day-length`); the observer then checks that every changed resource
//! was fetched after its change.

use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Value, json};

use super::visibility;

/// The last day with a plan; asking for another day after it changes nothing.
pub const LAST_DAY: u32 = 4;

/// What happened to a resource on a story day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A new resource.
    Creation,
    /// A resource changed.
    Change,
    /// A resource closed (an offer ended, an organisation inactive).
    Closure,
}

impl EventKind {
    /// The French word the reports use.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Creation => "création",
            EventKind::Change => "modification",
            EventKind::Closure => "fermeture",
        }
    }
}

/// One change of the story.
#[derive(Debug, Clone, Serialize)]
pub struct StoryEvent {
    /// The day it happened on.
    pub day: u32,
    /// What happened.
    pub kind: EventKind,
    /// `Type/id` of the resource.
    pub key: String,
    /// What changed, in French.
    pub what: String,
}

/// When a day began, and what it brought.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// The day's number (0 is the initial data).
    pub day: u32,
    /// RFC 3339, UTC: the `meta.lastUpdated` of the day's changes.
    pub at: String,
    /// Milliseconds since the mock started, on the request log's clock.
    pub elapsed_ms: u64,
    /// Its changes.
    pub events: Vec<StoryEvent>,
}

/// The story so far.
#[derive(Debug)]
pub(crate) struct Story {
    days: Mutex<Vec<Day>>,
}

impl Story {
    /// Day 0 starts with the mock.
    pub fn new(at: String) -> Self {
        Story {
            days: Mutex::new(vec![Day {
                day: 0,
                at,
                elapsed_ms: 0,
                events: Vec::new(),
            }]),
        }
    }

    pub fn days(&self) -> Vec<Day> {
        self.days.lock().map(|d| d.clone()).unwrap_or_default()
    }

    pub(crate) fn current_day(&self) -> u32 {
        self.days
            .lock()
            .ok()
            .and_then(|d| d.last().map(|d| d.day))
            .unwrap_or(0)
    }

    /// Moves to the next day: applies its changes to `resources` and records them.
    pub fn next_day(&self, resources: &mut Vec<Value>, at: String, elapsed_ms: u64) -> Day {
        let day = self.current_day() + 1;
        let events = if day <= LAST_DAY {
            apply(day, resources, &at)
        } else {
            Vec::new()
        };
        let record = Day {
            day,
            at,
            elapsed_ms,
            events,
        };
        if let Ok(mut days) = self.days.lock() {
            days.push(record.clone());
        }
        record
    }
}

/// Offers a profile-0 consumer can see, in dataset order, not yet touched by the story.
fn visible_offers(resources: &[Value]) -> Vec<usize> {
    resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r["resourceType"] == "HealthcareService")
        .filter(|(_, r)| !visibility::is_hidden(r, 0, &visibility::Offers::default()))
        .filter(|(_, r)| r["active"] != json!(false))
        .filter(|(_, r)| {
            !r["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("hs-j") || id.starts_with("hs-nos-"))
        })
        .map(|(i, _)| i)
        .collect()
}

fn key(r: &Value) -> String {
    format!(
        "{}/{}",
        r["resourceType"].as_str().unwrap_or_default(),
        r["id"].as_str().unwrap_or_default()
    )
}

fn touch(r: &mut Value, at: &str) {
    r["meta"]["lastUpdated"] = json!(at);
}

fn name(r: &Value) -> String {
    r["name"].as_str().unwrap_or("offre").to_owned()
}

/// The changes of `day`, applied in place (new resources are appended).
fn apply(day: u32, resources: &mut Vec<Value>, at: &str) -> Vec<StoryEvent> {
    let offers = visible_offers(resources);
    let event = |kind, r: &Value, what: String| StoryEvent {
        day,
        kind,
        key: key(r),
        what,
    };
    let mut events = Vec::new();
    match day {
        1 => {
            for (n, &source) in offers.iter().take(2).enumerate() {
                let mut offer = resources[source].clone();
                let id = format!("hs-j1-{}", n + 1);
                offer["id"] = json!(id);
                if let Some(ident) = offer["identifier"].get_mut(0) {
                    ident["value"] = json!(format!("11/J1000{}", n + 1));
                }
                offer["name"] = json!(format!("{} — nouvelle offre J1", name(&offer)));
                touch(&mut offer, at);
                events.push(event(
                    EventKind::Creation,
                    &offer,
                    format!("offre créée : {}", name(&offer)),
                ));
                resources.push(offer);
            }
        }
        2 => {
            for &i in offers.iter().skip(2).take(2) {
                let renamed = format!("{} (libellé modifié J2)", name(&resources[i]));
                resources[i]["name"] = json!(renamed);
                touch(&mut resources[i], at);
                events.push(event(
                    EventKind::Change,
                    &resources[i],
                    format!("libellé modifié : {renamed}"),
                ));
            }
        }
        3 => {
            if let Some(&i) = offers.get(4) {
                let date = at.get(..10).unwrap_or(at).to_owned();
                let offer = &mut resources[i];
                offer["active"] = json!(false);
                offer["notAvailable"] = json!([{
                    "id": "closingReopeningDate",
                    "description": "Fermeture définitive de l'offre",
                    "during": { "start": date }
                }]);
                touch(offer, at);
                events.push(event(
                    EventKind::Closure,
                    &resources[i],
                    format!("offre fermée le {date}"),
                ));
            }
        }
        // Day 4 is the empty day: a consumer must cope with a delta bringing nothing.
        _ => {}
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dataset, GenerateOptions};

    #[test]
    fn each_day_brings_its_changes_then_an_empty_day() {
        let mut resources = Dataset::generate(GenerateOptions::default()).resources;
        let before = resources.len();
        let story = Story::new("2026-11-23T08:00:00.000Z".into());
        let day1 = story.next_day(&mut resources, "2026-11-23T09:00:00.000Z".into(), 10);
        assert_eq!(day1.events.len(), 2);
        assert!(day1.events.iter().all(|e| e.kind == EventKind::Creation));
        assert_eq!(resources.len(), before + 2);
        let day2 = story.next_day(&mut resources, "2026-11-23T10:00:00.000Z".into(), 20);
        assert_eq!(day2.events.len(), 2);
        let day3 = story.next_day(&mut resources, "2026-11-23T11:00:00.000Z".into(), 30);
        assert_eq!(day3.events[0].kind, EventKind::Closure);
        let closed = resources
            .iter()
            .find(|r| key(r) == day3.events[0].key)
            .expect("closed offer");
        assert_eq!(closed["active"], json!(false));
        assert_eq!(
            closed["meta"]["lastUpdated"],
            json!("2026-11-23T11:00:00.000Z")
        );
        let day4 = story.next_day(&mut resources, "2026-11-23T12:00:00.000Z".into(), 40);
        assert!(day4.events.is_empty());
        // Every changed resource is a different one.
        let keys: std::collections::BTreeSet<String> = story
            .days()
            .iter()
            .flat_map(|d| d.events.iter().map(|e| e.key.clone()))
            .collect();
        assert_eq!(keys.len(), 5);
        assert_eq!(story.current_day(), 4);
    }
}
