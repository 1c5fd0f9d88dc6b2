//! The dataset indexed for search, kept compact so that a national dataset fits: each
//! resource is held as LZ4-compressed JSON text, with the facts searches need read once at
//! load (type, id, `meta.lastUpdated`, identifiers, resolved references, what the access
//! rules need). Parsed resources and the JSON each access profile receives live in a
//! bounded cache ([`CACHE_BUDGET`]): a small dataset stays parsed, a large one is read back
//! from its compressed text when a search needs more than the facts.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::dataset::{Borrowed, Dataset, Node, Part};
use super::visibility;

mod compact;
mod index;
mod regenerate;
pub use compact::Ahead;
use compact::{Compacted, compact_all, compact_parts};
use index::Indexer;
use regenerate::{Body, Regenerator};

/// Estimated bytes of parsed resources and rendered views the cache may hold. The default
/// dataset (60 offers, ~1 MB of JSON) stays parsed whole; a national one keeps what is
/// read most.
pub const CACHE_BUDGET: u64 = 256 * 1024 * 1024;

/// A parsed `serde_json::Value` takes about this many times its JSON text (maps, strings).
const PARSED_PER_TEXT_BYTE: u64 = 6;

/// What the cache holds for one resource: the parsed resource, or one profile's view.
#[derive(Clone)]
enum View {
    Parsed(Arc<Value>, u64),
    Rendered(Option<Arc<str>>),
}

#[derive(Clone)]
struct ViewWeight;

impl quick_cache::Weighter<(usize, u8), View> for ViewWeight {
    fn weight(&self, _: &(usize, u8), view: &View) -> u64 {
        match view {
            View::Parsed(_, weight) => *weight,
            View::Rendered(text) => text.as_ref().map_or(16, |t| t.len() as u64 + 16),
        }
    }
}

type Views = quick_cache::sync::Cache<(usize, u8), View, ViewWeight>;

/// A view of one resource for one read: the cache's, or written for that read alone.
pub enum OneView {
    /// The view the cache held.
    Cached(Arc<str>),
    /// Written for this read, not kept.
    Written(String),
}

impl std::ops::Deref for OneView {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            OneView::Cached(text) => text,
            OneView::Written(text) => text,
        }
    }
}

/// The resources under one index entry: most identifiers and reference targets have one,
/// held inline (a `Vec` was an allocation, and a free, for each of hundreds of thousands).
type Postings = smallvec::SmallVec<[usize; 1]>;

/// `Type/id`, written without the formatting machinery: a key for every resource stored.
pub(crate) fn key_of(resource_type: &str, id: &str) -> String {
    let mut key = String::with_capacity(resource_type.len() + 1 + id.len());
    key.push_str(resource_type);
    key.push('/');
    key.push_str(id);
    key
}

/// The cache slot of the parsed resource (views use the access profile, 0 to 5).
const PARSED: u8 = u8::MAX;

/// How the store of a generated dataset is built ([`Store::collect_parts_ahead`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Building {
    /// The access profile whose views of the offers are written as they are generated.
    pub ahead: Ahead,
    /// No text kept for the generated resources: each is generated again with its unit
    /// when read. For a store read through the views written ahead: its start costs half,
    /// any other read the generation of a unit (a dozen offers and their structures).
    pub regenerated: bool,
}

/// One stored resource: its JSON (compressed, or generated again) and what searches need without reading it.
pub struct Stored {
    /// Its `resourceType`, shared with the other resources of its type.
    pub resource_type: Arc<str>,
    /// Its `id`.
    pub id: Box<str>,
    /// Its `meta.lastUpdated`, parsed.
    pub last_updated: Option<DateTime<FixedOffset>>,
    /// The offers it serves, as the access rules need them (`visibility::Offers`).
    pub offers: visibility::Offers,
    /// For an offer, what it is itself (sensitive unit, field).
    own: visibility::Offers,
    /// References searches follow, resolved: (index in [`REFERENCES`], target).
    refs: Box<[(u8, usize)]>,
    index: usize,
    /// Its JSON text, compressed or to generate again.
    body: Body,
    views: Arc<Views>,
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Stored({}/{}, {} bytes)",
            self.resource_type,
            self.id,
            self.body.held()
        )
    }
}

impl Stored {
    /// Whether this access profile may not see it at all (no reading of the resource).
    pub fn hidden_from(&self, profile: u8) -> bool {
        visibility::is_hidden_by_facts(
            &self.resource_type,
            self.own.sensitive,
            profile,
            &self.offers,
        )
    }

    /// `Type/id`.
    pub fn key(&self) -> String {
        key_of(&self.resource_type, &self.id)
    }

    /// The JSON text of the resource, as loaded.
    pub fn text(&self) -> String {
        self.body.text().unwrap_or_else(|why| {
            // The bodies are compressed here from valid JSON text, or generated again as
            // they were: this would be memory corruption or a generator that changed under
            // the store, said loudly rather than served as garbage.
            tracing::error!("stored {} {why}", self.key());
            "null".to_owned()
        })
    }

    /// The resource parsed from its text, and what it weighs in the cache.
    fn parse(&self) -> (Value, u64) {
        let text = self.text();
        let weight = text.len() as u64 * PARSED_PER_TEXT_BYTE;
        let value = serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::error!("stored {} is not JSON: {e}", self.key());
            Value::Null
        });
        (value, weight)
    }

    /// [`Stored::rendered`] for a read that will not come back (an `$export` file): from
    /// the cache when it is there, else written without being kept, so that a complete
    /// export neither fills the cache with what no search asks for nor evicts what they do.
    pub fn rendered_once(&self, profile: u8) -> Option<OneView> {
        if self.hidden_from(profile) {
            return None;
        }
        let profile = profile.min(5);
        if let Some(View::Rendered(text)) = self.views.get(&(self.index, profile)) {
            return text.map(OneView::Cached);
        }
        Some(OneView::Written(if profile == 1 {
            self.text()
        } else {
            self.visible_text(profile)
        }))
    }

    /// Its text as `profile` may see it (not hidden from it: the caller's check).
    fn visible_text(&self, profile: u8) -> String {
        let text = self.text();
        let resource = match Borrowed::parse(&text) {
            Ok(resource) => resource,
            Err(e) => {
                tracing::error!("stored {} is not JSON: {e}", self.key());
                return "null".to_owned();
            }
        };
        let mut out = Vec::with_capacity(text.len());
        visibility::write_visible(&resource, profile, &self.offers, &mut out);
        String::from_utf8(out).unwrap_or_else(|e| {
            // Written from `str`s and ASCII punctuation: this would be a bug, said loudly.
            tracing::error!("view of {} is not UTF-8: {e}", self.key());
            "null".to_owned()
        })
    }

    /// Reads the resource with `reader`: parsed, from the cache or into it while the cache
    /// is less than half full (a small dataset stays parsed whole, as any read leaves it);
    /// past that, as a borrowed tree of its text, not kept. A search no index answers reads
    /// every resource of its type once: parsing each into a `Value` for the cache, only for
    /// the cache to evict it, was nine tenths of such a search over a national dataset.
    pub(crate) fn read_with<R: ReadWith>(&self, reader: R) -> R::Out {
        if let Some(View::Parsed(value, _)) = self.views.get(&(self.index, PARSED)) {
            return reader.read(&*value);
        }
        if self.views.weight() < self.views.capacity() / 2 {
            return reader.read(&*self.resource());
        }
        let text = self.text();
        match Borrowed::parse(&text) {
            Ok(tree) => reader.read(&tree),
            Err(e) => {
                tracing::error!("stored {} is not JSON: {e}", self.key());
                reader.read(&Value::Null)
            }
        }
    }

    /// The resource, parsed (from the cache when it is there).
    pub fn resource(&self) -> Arc<Value> {
        let view = self.views.get_or_insert_with(&(self.index, PARSED), || {
            let (value, weight) = self.parse();
            Ok::<_, std::convert::Infallible>(View::Parsed(Arc::new(value), weight))
        });
        match view {
            Ok(View::Parsed(value, _)) => value,
            _ => Arc::new(Value::Null),
        }
    }

    /// Whether [`Stored::rendered`] has nothing to write: the view is in the cache, or
    /// there is none (hidden from `profile`).
    pub fn needs_no_rendering(&self, profile: u8) -> bool {
        self.hidden_from(profile)
            || matches!(
                self.views.get(&(self.index, profile.min(5))),
                Some(View::Rendered(_))
            )
    }

    /// The resource as `profile` sees it, as JSON text; `None` when it may not see it.
    pub fn rendered(&self, profile: u8) -> Option<Arc<str>> {
        if self.hidden_from(profile) {
            return None;
        }
        let profile = profile.min(5);
        let view = self.views.get_or_insert_with(&(self.index, profile), || {
            let text: Arc<str> = if profile == 1 {
                // Profile 1 sees everything: the stored text is its view.
                Arc::from(self.text())
            } else {
                // Read from the text without copying its strings, written again without
                // what the profile may not see; nothing parsed is cached, so a page of a
                // large dataset does not evict what searches keep parsed.
                Arc::from(self.visible_text(profile))
            };
            Ok::<_, std::convert::Infallible>(View::Rendered(Some(text)))
        });
        match view {
            Ok(View::Rendered(text)) => text,
            _ => None,
        }
    }

    /// Whether the cache holds it parsed.
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        matches!(
            self.views.get(&(self.index, PARSED)),
            Some(View::Parsed(..))
        )
    }

    /// Whether its view for `profile` is in the cache.
    #[cfg(test)]
    pub(crate) fn is_rendered(&self, profile: u8) -> bool {
        matches!(
            self.views.get(&(self.index, profile.min(5))),
            Some(View::Rendered(_))
        )
    }

    /// The stores this one's `Source:param` reference points to (`param` as in
    /// [`REFERENCES`]).
    pub(crate) fn targets(&self, param: &str) -> impl Iterator<Item = usize> + '_ {
        let wanted = REFERENCES.iter().position(|(p, _)| *p == param);
        self.refs
            .iter()
            .filter(move |(p, _)| Some(usize::from(*p)) == wanted)
            .map(|(_, t)| *t)
    }
}

/// A reading of one resource that works on any tree of it ([`Stored::read_with`]).
pub(crate) trait ReadWith {
    /// What it reads.
    type Out;
    /// Reads `resource`.
    fn read<N: Node>(self, resource: &N) -> Self::Out;
}

/// The data a mock serves, indexed for its searches.
pub struct Store {
    /// All resources in dataset order (the order searches return them in).
    pub all: Vec<Stored>,
    // Fx hashing: keys are short and come from the dataset the mock was given, not from a
    // request (a request's value is only looked up), so SipHash's flood resistance buys nothing.
    by_key: FxHashMap<Box<str>, usize>,
    by_type: FxHashMap<Box<str>, Vec<usize>>,
    /// `(type, identifier value)` → resources, so that identifier searches need no scan.
    by_identifier: FxHashMap<(Arc<str>, Box<str>), Postings>,
    /// `(index in REFERENCES, target)` → the resources whose reference points there
    /// (reverse includes, `_has`).
    referrers: FxHashMap<(u8, usize), Postings>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({} resources)", self.all.len())
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::collect(|_| {})
    }
}

/// The references searches follow, as `Source:param` and the element that holds them
/// (includes one way, reverse includes the other).
pub(crate) const REFERENCES: &[(&str, &str)] = &[
    ("HealthcareService:organization", "providedBy"),
    ("HealthcareService:location", "location"),
    ("Organization:partof", "partOf"),
    ("PractitionerRole:practitioner", "practitioner"),
    ("PractitionerRole:service", "healthcareService"),
    ("PractitionerRole:organization", "organization"),
    ("PractitionerRole:location", "location"),
    ("Location:organization", "managingOrganization"),
    ("Location:partof", "partOf"),
    ("Task:focus", "focus"),
];

/// The element a `Source:param` reference is held in.
pub(crate) fn reference_element(param: &str) -> Option<&'static str> {
    REFERENCES
        .iter()
        .find(|(k, _)| *k == param)
        .map(|(_, e)| *e)
}

/// `Type/id` from a relative or absolute reference.
pub(crate) fn reference_key(reference: &impl Node) -> Option<String> {
    let r = reference.member("reference")?.string()?;
    let mut parts = r.rsplit('/');
    let id = parts.next()?;
    let ty = parts.next()?;
    // A relative reference is its key already (most are): copied, not formatted again.
    let key_len = ty.len() + 1 + id.len();
    Some(if r.len() == key_len {
        r.to_owned()
    } else {
        format!("{ty}/{id}")
    })
}

/// Whether `param` (`Source:name`, as in [`REFERENCES`]) is a parameter of `resource_type`.
pub(crate) fn is_source(param: &str, resource_type: &str) -> bool {
    param
        .strip_prefix(resource_type)
        .is_some_and(|rest| rest.starts_with(':'))
}

impl Store {
    /// The store of `dataset`, indexes built.
    pub fn new(dataset: Dataset) -> Self {
        Store::collect(|sink| dataset.resources.into_iter().for_each(sink))
    }

    /// The store of the resources `produce` hands over in order, compacted as they come,
    /// so that the whole dataset is never held parsed.
    pub fn collect(produce: impl FnOnce(&mut dyn FnMut(Value))) -> Self {
        Store::collect_within(produce, CACHE_BUDGET)
    }

    /// The store of a dataset generated in pieces (`Dataset::generate_parts`), each
    /// generated and compacted on a thread of its own, in the pieces' order.
    pub fn collect_parts(parts: Vec<Part>) -> Self {
        Store::collect_parts_ahead(parts, Building::default())
    }

    /// [`Store::collect_parts`], built as `building` says: with the offers' views for a
    /// profile written as they are generated, into the cache; keeping no text of the
    /// generated resources.
    pub fn collect_parts_ahead(parts: Vec<Part>, building: Building) -> Self {
        let Building { ahead, regenerated } = building;
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        let expected = parts.iter().map(Part::expected_resources).sum();
        let regenerator = regenerated.then(|| Arc::new(Regenerator::of(&parts)));
        let mut indexer = Indexer::new(expected, CACHE_BUDGET);
        compact_parts(parts, ahead, regenerator.as_ref(), workers, &mut |piece| {
            indexer.add(piece)
        });
        indexer.finish()
    }

    /// [`Store::collect`] with a cache of `budget` bytes.
    pub(crate) fn collect_within(produce: impl FnOnce(&mut dyn FnMut(Value)), budget: u64) -> Self {
        let pieces = compact_all(
            |sink| produce(&mut |value| sink(value, None)),
            Ahead::default(),
            None,
        );
        Store::index(vec![pieces], budget)
    }

    /// Indexes compacted resources, numbered in their order.
    fn index(pieces: Vec<Vec<Compacted>>, budget: u64) -> Self {
        let mut indexer = Indexer::new(pieces.iter().map(Vec::len).sum(), budget);
        for piece in pieces {
            indexer.add(piece);
        }
        indexer.finish()
    }

    /// The offers each PractitionerRole, Location and Task serves, for the access rules.
    fn offer_contexts(&mut self) {
        let mut contexts = Vec::new();
        for (i, s) in self.all.iter().enumerate() {
            let served: Vec<usize> = match &*s.resource_type {
                "PractitionerRole" => s.targets("PractitionerRole:service").collect(),
                "Location" => self.referrers_of("HealthcareService:location", i).to_vec(),
                "Task" => s.targets("Task:focus").collect(),
                _ => continue,
            };
            let each: Vec<visibility::Offers> = served.iter().map(|o| self.all[*o].own).collect();
            contexts.push((
                i,
                visibility::Offers {
                    sensitive: !each.is_empty() && each.iter().all(|o| o.sensitive),
                    medico_social: each.iter().any(|o| o.medico_social),
                    ambulatory: each.iter().any(|o| o.ambulatory),
                },
            ));
        }
        for (i, context) in contexts {
            self.all[i].offers = context;
        }
    }

    /// Indexes (into `all`) of the resources of one type.
    pub fn of_type(&self, resource_type: &str) -> &[usize] {
        self.by_type.get(resource_type).map_or(&[], Vec::as_slice)
    }

    /// Resources of a type carrying an identifier with this value (any system).
    pub(crate) fn with_identifier(&self, resource_type: &str, value: &str) -> &[usize] {
        self.by_identifier
            .get(&(Arc::from(resource_type), Box::from(value)))
            .map_or(&[], |found| found.as_slice())
    }

    pub(crate) fn index_of(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The resource with key `Type/id`.
    pub fn get(&self, key: &str) -> Option<&Stored> {
        self.index_of(key).map(|i| &self.all[i])
    }

    /// The resource a reference points to, if it is in the store.
    pub fn resolve(&self, reference: &Value) -> Option<usize> {
        reference_key(reference).and_then(|k| self.index_of(&k))
    }

    pub(crate) fn roles_of_service(&self, service_key: &str) -> &[usize] {
        self.referrers("PractitionerRole:service", service_key)
    }

    /// The resources whose `param` (`Source:param`) points at `target_key`.
    pub(crate) fn referrers(&self, param: &str, target_key: &str) -> &[usize] {
        self.index_of(target_key)
            .map_or(&[], |t| self.referrers_of(param, t))
    }

    fn referrers_of(&self, param: &str, target: usize) -> &[usize] {
        REFERENCES
            .iter()
            .position(|(p, _)| *p == param)
            .and_then(|p| u8::try_from(p).ok())
            .and_then(|p| self.referrers.get(&(p, target)))
            .map_or(&[], |found| found.as_slice())
    }

    /// An organisation and those above it (`partOf`), nearest first.
    pub(crate) fn org_chain(&self, start: usize) -> Vec<usize> {
        let mut chain = vec![start];
        let mut current = start;
        while let Some(parent) = self.all[current].targets("Organization:partof").next() {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }
}

#[cfg(test)]
mod tests;
