//! Rendering a page's entries: a large page on every core, and the next page of a large
//! search ahead of its request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::store::Store;

/// Entries of a page from fewer of this many resources are rendered on the request's own
/// thread: a thread costs more than it saves on a small page.
const PARALLEL_FROM: usize = 64;

/// Rendering threads at work for all requests, and the most there may be.
static HELPERS: AtomicUsize = AtomicUsize::new(0);
const MAX_HELPERS: usize = 8;

/// Helper threads a page holds, given back however its rendering ends.
struct Release(usize);

impl Release {
    /// `helpers` threads, unless that would pass [`MAX_HELPERS`]: many large pages asked at
    /// once must not start threads without end (such a page is rendered on its request's
    /// thread alone).
    fn reserve(helpers: usize) -> Option<Release> {
        let before = HELPERS.fetch_add(helpers, Ordering::AcqRel);
        if before + helpers <= MAX_HELPERS {
            Some(Release(helpers))
        } else {
            HELPERS.fetch_sub(helpers, Ordering::AcqRel);
            None
        }
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        HELPERS.fetch_sub(self.0, Ordering::AcqRel);
    }
}

/// Each resource of `ids` as `render` makes it (those it may not show left out), in order.
/// A large page is rendered on every core unless its views are `cached`: a resource not yet
/// in the store's cache is decompressed, read back and written again without what the
/// profile may not see (~15 µs for an offer), and a client reading page after page waits
/// on that alone.
pub(super) fn render_entries<T: Send>(
    ids: &[usize],
    cached: bool,
    render: &(dyn Fn(usize) -> Option<T> + Sync),
) -> Vec<T> {
    let cores = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(4);
    let helpers = cores.saturating_sub(1);
    let reserved = if helpers > 0 && !cached && ids.len() >= PARALLEL_FROM {
        Release::reserve(helpers)
    } else {
        None
    };
    let Some(_release) = reserved else {
        return ids.iter().filter_map(|i| render(*i)).collect();
    };
    let per_thread = ids.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let mut chunks = ids.chunks(per_thread);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|chunk| {
                scope.spawn(move || chunk.iter().filter_map(|i| render(*i)).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<T> = first.iter().filter_map(|i| render(*i)).collect();
        for other in others {
            match other.join() {
                Ok(mut rendered) => all.append(&mut rendered),
                // A rendering bug: the request fails as it would have on this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

/// Renders the resources `ids` (the next page's matches) for `profile` into the store's
/// cache on one helper thread, while the client reads the page before: a client paging
/// through a large search (one that followed a next link) then finds the next page ready,
/// as FHIR servers that prefetch search results do. Only for a large page, and only when a
/// helper thread is free; what is served does not change, only when it is ready.
pub(super) fn read_ahead(store: &Arc<Store>, ids: &[usize], profile: u8) {
    // Nothing to do when the views are already there (written ahead, or read before).
    if ids.len() < PARALLEL_FROM
        || ids.iter().all(|i| {
            store
                .all
                .get(*i)
                .is_none_or(|s| s.needs_no_rendering(profile))
        })
    {
        return;
    }
    let Some(release) = Release::reserve(1) else {
        return;
    };
    let store = Arc::clone(store);
    let ids = ids.to_vec();
    // A thread that cannot start drops its closure, and the helper is given back.
    let _ = std::thread::Builder::new()
        .name("mock-read-ahead".into())
        .spawn(move || {
            let _release = release;
            for i in ids {
                if let Some(stored) = store.all.get(i) {
                    let _ = stored.rendered(profile);
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_page_is_rendered_in_order_whatever_the_threads() {
        // Every third resource may not be shown: left out, the others in page order.
        let render = |i: usize| (!i.is_multiple_of(3)).then(|| format!("r{i}"));
        for size in [0, 1, PARALLEL_FROM - 1, PARALLEL_FROM, 200, 1001] {
            let ids: Vec<usize> = (0..size).rev().collect();
            let serial: Vec<String> = ids.iter().filter_map(|i| render(*i)).collect();
            for cached in [false, true] {
                assert_eq!(
                    render_entries(&ids, cached, &render),
                    serial,
                    "{size} resources"
                );
            }
        }
    }

    #[test]
    fn helper_threads_are_bounded_and_given_back() {
        let held: Vec<Release> = std::iter::from_fn(|| Release::reserve(1))
            .take(MAX_HELPERS + 5)
            .collect();
        // Other tests of this binary may hold a few at the same moment.
        assert!(held.len() <= MAX_HELPERS, "{} helpers", held.len());
        assert!(Release::reserve(1).is_none());
        drop(held);
        assert!(Release::reserve(1).is_some());
    }

    #[test]
    fn the_next_page_is_rendered_ahead_into_the_cache() {
        let store = Arc::new(Store::new(crate::dataset::Dataset::generate(
            crate::dataset::GenerateOptions {
                offers: 100,
                ..crate::dataset::GenerateOptions::default()
            },
        )));
        let ids: Vec<usize> = (0..store.all.len()).take(PARALLEL_FROM + 10).collect();
        assert!(ids.iter().all(|i| !store.all[*i].is_rendered(0)));
        // A small page is not worth a thread.
        read_ahead(&store, &ids[..PARALLEL_FROM - 1], 0);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(ids.iter().all(|i| !store.all[*i].is_rendered(0)));
        // Resources hidden from the profile are not rendered at all.
        let shown: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|i| !store.all[*i].hidden_from(0))
            .collect();
        assert!(shown.len() > PARALLEL_FROM / 2);
        let started = std::time::Instant::now();
        while !shown.iter().all(|i| store.all[*i].is_rendered(0)) {
            // Asked again: another test may hold every helper thread for a moment.
            read_ahead(&store, &ids, 0);
            assert!(started.elapsed().as_secs() < 30, "not rendered ahead");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(ids.iter().all(|i| !store.all[*i].is_rendered(1)));
    }
}
