//! Indexing compacted resources into a [`Store`], piece by piece: a generated dataset's
//! pieces are indexed as each is compacted, while the next ones are still generated, so
//! that indexing is not a serial tail after the generation (a fifth of a 100,000-offer
//! start when it was). A reference is resolved as its resource comes in when its target
//! is already in (a generated dataset refers back to what it holds), the others at the end.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::compact::Compacted;
use super::{Store, Stored, View, ViewWeight, Views, key_of};
use crate::visibility;

/// A resource's references as keys (`Type/id`), by their index in `REFERENCES`.
type RefKeys = Vec<(u8, String)>;

/// A store being filled, in dataset order.
pub(super) struct Indexer {
    store: Store,
    views: Arc<Views>,
    /// Resources with a reference to one not yet in, and their references as keys: they
    /// are resolved at the end, once every key is known.
    pending: Vec<(usize, RefKeys)>,
    /// Whether a key came in twice. The last resource of a key is the one it names: the
    /// references resolved before it came in are then resolved again at the end.
    key_shared: bool,
}

impl Indexer {
    /// An empty store sized for about `expected` resources (growing a map of a national
    /// dataset rehashes it a dozen times), whose cache holds up to `budget` bytes.
    pub(super) fn new(expected: usize, budget: u64) -> Self {
        Indexer {
            store: Store {
                all: Vec::with_capacity(expected),
                // About one identifier and one reference target a resource.
                by_key: FxHashMap::with_capacity_and_hasher(expected, Default::default()),
                by_type: FxHashMap::default(),
                by_identifier: FxHashMap::with_capacity_and_hasher(expected, Default::default()),
                referrers: FxHashMap::with_capacity_and_hasher(expected, Default::default()),
            },
            views: Arc::new(Views::with_weighter(
                expected.min(100_000),
                budget,
                ViewWeight,
            )),
            pending: Vec::new(),
            key_shared: false,
        }
    }

    /// Adds the resources of the next piece, numbered after those already in.
    pub(super) fn add(&mut self, piece: Vec<Compacted>) {
        for c in piece {
            let index = self.store.all.len();
            let store = &mut self.store;
            for value in c.identifiers {
                store
                    .by_identifier
                    .entry((c.resource_type.clone(), value))
                    .or_default()
                    .push(index);
            }
            let key = key_of(&c.resource_type, &c.id).into();
            self.key_shared |= store.by_key.insert(key, index).is_some();
            // Looked up before inserting: an entry would take an owned key, an allocation
            // a resource for a handful of types.
            match store.by_type.get_mut(&*c.resource_type) {
                Some(of_type) => of_type.push(index),
                None => {
                    store
                        .by_type
                        .insert(Box::from(&*c.resource_type), vec![index]);
                }
            }
            if let Some((profile, view)) = c.view {
                self.views
                    .insert((index, profile), View::Rendered(Some(view)));
            }
            store.all.push(Stored {
                resource_type: c.resource_type,
                id: c.id,
                last_updated: c.last_updated,
                offers: visibility::Offers::default(),
                own: c.own,
                refs: Box::default(),
                index,
                body: c.body,
                views: self.views.clone(),
            });
            self.resolve_now(index, c.ref_keys);
        }
    }

    /// Resolves the references of resource `index` if every target is in, or keeps them
    /// for the end (all of them, so that its references stay in their order).
    fn resolve_now(&mut self, index: usize, keys: RefKeys) {
        let store = &mut self.store;
        let resolved: Option<Box<[(u8, usize)]>> = keys
            .iter()
            .map(|(p, k)| store.index_of(k).map(|t| (*p, t)))
            .collect();
        match resolved {
            Some(refs) => store.set_refs(index, refs),
            None => self.pending.push((index, keys)),
        }
    }

    /// Resolves the references left and works out what the access rules need.
    pub(super) fn finish(self) -> Store {
        let Indexer {
            mut store,
            mut pending,
            key_shared,
            ..
        } = self;
        if key_shared {
            // Rare (a loaded dataset naming two resources alike): every reference is
            // resolved again, as if all came at the end.
            pending = store.keys_back(pending);
            store.referrers.clear();
        }
        let late = !pending.is_empty();
        for (index, keys) in pending {
            let refs = keys
                .iter()
                .filter_map(|(p, k)| store.index_of(k).map(|t| (*p, t)))
                .collect();
            store.set_refs(index, refs);
        }
        if late {
            // Referrers in dataset order, as if resolved one resource after another.
            for referrers in store.referrers.values_mut() {
                referrers.sort_unstable();
            }
        }
        store.offer_contexts();
        store
    }
}

impl Store {
    /// Sets the resolved references of resource `index`, and it as their referrer.
    fn set_refs(&mut self, index: usize, refs: Box<[(u8, usize)]>) {
        for &(p, t) in &refs {
            self.referrers.entry((p, t)).or_default().push(index);
        }
        self.all[index].refs = refs;
    }

    /// Every resource's references as keys again, in dataset order: those `pending` holds,
    /// and the keys of the targets others were resolved to.
    fn keys_back(&mut self, pending: Vec<(usize, RefKeys)>) -> Vec<(usize, RefKeys)> {
        let mut pending = pending.into_iter().peekable();
        let mut all = Vec::with_capacity(self.all.len());
        for index in 0..self.all.len() {
            if let Some((_, keys)) = pending.next_if(|(i, _)| *i == index) {
                all.push((index, keys));
                continue;
            }
            let refs = std::mem::take(&mut self.all[index].refs);
            let keys = refs.iter().map(|&(p, t)| (p, self.all[t].key())).collect();
            all.push((index, keys));
        }
        all
    }
}
