//! The mock's shared state: the data served (replaced whole as the story moves on), the
//! token issuer, faults, the request log, export jobs and the searches whose pages are
//! being followed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::auth::Issuer;
use crate::export::Jobs;
use crate::faults::Faults;
use crate::log::RequestLog;
use crate::search::Search;
use crate::store::Store;

/// The observer's control of the day-by-day story (outside the FHIR base).
pub const STORY_PATH: &str = "/_rorcheck/story";

/// Resource types the mock serves.
pub(crate) const TYPES: &[&str] = &[
    "HealthcareService",
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "Task",
];

/// The client certificate of the connection, on TLS connections that presented one.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    /// RFC 8705 `x5t#S256` of the certificate.
    pub thumbprint: Option<String>,
    /// Common name of its subject.
    pub subject: Option<String>,
}

/// A search kept so that its `next` links stay consistent while they are followed.
#[derive(Clone)]
pub(crate) struct SavedSearch {
    /// The data as it was when the search ran: its pages stay consistent.
    pub(crate) store: Arc<Store>,
    pub(crate) search: Arc<Search>,
    /// Matches served, at most the synchronous cap.
    pub(crate) matches: Arc<Vec<usize>>,
    /// Every match, for `Bundle.total`.
    pub(crate) total: usize,
    pub(crate) profile: u8,
}

pub struct MockState {
    /// The data served; replaced whole when the day-by-day story moves on (resources keep
    /// their index: a story only changes resources in place or appends new ones, so saved
    /// searches and export jobs stay valid).
    store: std::sync::RwLock<Arc<Store>>,
    /// The day-by-day story of observer mode, when it is played.
    pub story: Option<crate::story::Story>,
    story_turn: Mutex<()>,
    pub issuer: Issuer,
    pub faults: Faults,
    /// Synchronous searches serve at most this many matches.
    pub sync_cap: usize,
    pub log: RequestLog,
    pub exports: Jobs,
    /// How long an export job runs before its manifest is ready.
    pub export_delay: std::time::Duration,
    /// FHIR base URL as clients see it (set once the port is known).
    pub base_url: String,
    /// Keep the keys of every resource served in the log (observer mode).
    pub record_served: bool,
    searches: Mutex<(HashMap<String, SavedSearch>, VecDeque<String>)>,
    next_search: std::sync::atomic::AtomicU64,
}

pub(crate) const MAX_SAVED_SEARCHES: usize = 2_000;

impl MockState {
    pub fn new(
        store: Store,
        issuer: Issuer,
        base_url: String,
        faults: Faults,
        sync_cap: usize,
    ) -> Self {
        let secrets = issuer.clients.iter().map(|c| c.secret.clone());
        let log = RequestLog::new(10_000, rorcheck_http::Redactor::new(secrets));
        MockState {
            store: std::sync::RwLock::new(Arc::new(store)),
            story: None,
            story_turn: Mutex::new(()),
            issuer,
            faults,
            sync_cap,
            log,
            exports: Jobs::default(),
            export_delay: std::time::Duration::from_millis(1500),
            base_url,
            record_served: false,
            searches: Mutex::new((HashMap::new(), VecDeque::new())),
            next_search: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The data as it is now.
    pub fn store(&self) -> Arc<Store> {
        match self.store.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `store` from now on.
    pub(crate) fn replace_store(&self, store: Store) {
        let store = Arc::new(store);
        match self.store.write() {
            Ok(mut guard) => *guard = store,
            Err(poisoned) => *poisoned.into_inner() = store,
        }
    }

    /// Moves the story to its next day: the day's changes are applied to a copy of the
    /// data, which is then served. `None` when no story is played.
    pub(crate) fn advance_story(&self) -> Option<crate::story::Day> {
        let story = self.story.as_ref()?;
        // One day at a time, even if two requests ask at once.
        let _turn = self.story_turn.lock();
        let store = self.store();
        let mut resources: Vec<Value> = store.all.iter().map(|s| (*s.resource()).clone()).collect();
        let day = story.next_day(&mut resources, crate::log::now(), self.log.elapsed_ms());
        self.replace_store(Store::new(crate::Dataset { resources }));
        Some(day)
    }

    pub(crate) fn save(&self, saved: SavedSearch) -> String {
        let n = self
            .next_search
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{n:08x}-{:04x}", n.wrapping_mul(0x9E37) & 0xffff);
        if let Ok(mut guard) = self.searches.lock() {
            let (map, order) = &mut *guard;
            map.insert(id.clone(), saved);
            order.push_back(id.clone());
            while order.len() > MAX_SAVED_SEARCHES {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
        id
    }

    pub(crate) fn saved(&self, id: &str) -> Option<SavedSearch> {
        let guard = self.searches.lock().ok()?;
        guard.0.get(id).cloned()
    }
}

pub(crate) type Shared = Arc<MockState>;
