//! Indexing compacted resources into a [`Store`], piece by piece: a generated dataset's
//! pieces are indexed as each is compacted, while the next ones are still generated, so
//! that indexing is not a serial tail after the generation (a fifth of a 100,000-offer
//! start when it was). References are resolved at the end, once every key is known.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::compact::Compacted;
use super::{Store, Stored, View, ViewWeight, Views};
use crate::visibility;

/// A store being filled, in dataset order.
pub(super) struct Indexer {
    store: Store,
    views: Arc<Views>,
    /// Each resource's references, as keys until every resource is in.
    ref_keys: Vec<Vec<(u8, String)>>,
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
            ref_keys: Vec::with_capacity(expected),
        }
    }

    /// Adds the resources of the next piece, numbered after those already in.
    pub(super) fn add(&mut self, piece: Vec<Compacted>) {
        let store = &mut self.store;
        for c in piece {
            let index = store.all.len();
            for value in c.identifiers {
                store
                    .by_identifier
                    .entry((c.resource_type.clone(), value))
                    .or_default()
                    .push(index);
            }
            store
                .by_key
                .insert(format!("{}/{}", c.resource_type, c.id).into(), index);
            store
                .by_type
                .entry(c.resource_type.clone())
                .or_default()
                .push(index);
            self.ref_keys.push(c.ref_keys);
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
        }
    }

    /// Resolves the references both ways and works out what the access rules need.
    pub(super) fn finish(self) -> Store {
        let Indexer {
            mut store,
            ref_keys,
            ..
        } = self;
        for (index, keys) in ref_keys.into_iter().enumerate() {
            let refs: Box<[(u8, usize)]> = keys
                .iter()
                .filter_map(|(p, k)| store.index_of(k).map(|t| (*p, t)))
                .collect();
            for &(p, t) in &refs {
                store.referrers.entry((p, t)).or_default().push(index);
            }
            store.all[index].refs = refs;
        }
        store.offer_contexts();
        store
    }
}
