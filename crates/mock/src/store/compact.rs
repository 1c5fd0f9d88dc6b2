//! Compaction: each resource, as it is produced, becomes its facts (what searches need
//! without reading it) and its JSON text compressed against its type's first resource; the
//! parsed resource is dropped at once. A store may also have the offers' views for one
//! access profile written from the produced tree ([`Ahead`]): reading them back from the
//! compressed text costs four times as much.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, mpsc};

use chrono::{DateTime, FixedOffset};

use super::regenerate::{Body, Regenerator};
use super::{REFERENCES, is_source, reference_key};
use crate::dataset::{Node, Origin, Part};
use crate::visibility;

/// The access profile whose views of the offers are written as the dataset is generated,
/// if any: for a mock whose every offer a client will read, as the run's larger mock is
/// (the 10 000-result cap is shown by paging through them all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ahead(pub Option<u8>);

/// One resource compacted: its facts, references still as keys.
pub(super) struct Compacted {
    pub(super) resource_type: Arc<str>,
    pub(super) id: Box<str>,
    pub(super) last_updated: Option<DateTime<FixedOffset>>,
    pub(super) identifiers: Vec<Box<str>>,
    pub(super) ref_keys: Vec<(u8, String)>,
    pub(super) own: visibility::Offers,
    pub(super) body: Body,
    /// The offer's view for the profile of [`Ahead`], when written ahead.
    pub(super) view: Option<(u8, Arc<str>)>,
}

/// Where a compacted resource's text is to be found again: compressed against its type's
/// dictionary, or generated again from its unit.
enum Text<'a> {
    Packed(Arc<[u8]>),
    Regenerated(&'a Arc<Regenerator>, Origin),
}

/// `resource_type`: the resource's, shared by those of its type; `buffers`: room to
/// serialize into, reused from one resource to the next.
fn compact<R: Node>(
    resource: &R,
    resource_type: Arc<str>,
    text: Text,
    buffers: &mut Buffers,
    ahead: Ahead,
) -> Compacted {
    let string = |key: &str| resource.member(key).and_then(Node::string);
    let mut ref_keys = Vec::new();
    for (n, (param, element)) in REFERENCES.iter().enumerate() {
        if !is_source(param, &resource_type) {
            continue;
        }
        let Some(held) = resource.member(element) else {
            continue;
        };
        let targets = match held.items() {
            [] => std::slice::from_ref(held),
            refs => refs,
        };
        let n = u8::try_from(n).unwrap_or(u8::MAX);
        ref_keys.extend(targets.iter().filter_map(reference_key).map(|k| (n, k)));
    }
    let own = if &*resource_type == "HealthcareService" {
        let field = visibility::field(resource);
        visibility::Offers {
            sensitive: visibility::is_sensitive_unit(resource),
            medico_social: field == Some("04"),
            ambulatory: field == Some("05"),
        }
    } else {
        visibility::Offers::default()
    };
    let text_held = matches!(text, Text::Packed(_));
    let view = ahead.offer_view(resource, &resource_type, &own, text_held, &mut buffers.view);
    Compacted {
        id: string("id").unwrap_or_default().into(),
        last_updated: resource
            .member("meta")
            .and_then(|m| m.member("lastUpdated"))
            .and_then(Node::string)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok()),
        identifiers: resource
            .member("identifier")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|i| i.member("value").and_then(Node::string).map(Box::from))
            .collect(),
        ref_keys,
        own,
        body: match text {
            Text::Packed(dict) => {
                buffers.text.clear();
                resource.write_json(&mut buffers.text);
                Body::Packed {
                    block: pack(&buffers.text, &dict, &mut buffers.packed),
                    dict,
                }
            }
            Text::Regenerated(from, origin) => Body::Regenerated {
                from: from.clone(),
                unit: origin.unit,
                nth: origin.nth,
            },
        },
        resource_type,
        view,
    }
}

impl Ahead {
    /// The view of an offer for the profile ahead, written from the produced tree as the
    /// store would write it from the stored text (`Stored::rendered`); none for another
    /// type (the views of Locations and roles depend on the offers they serve, known once
    /// all are stored), for an offer hidden from that profile, or for profile 1 when the
    /// store holds the text (its view is that text).
    fn offer_view<R: Node>(
        self,
        resource: &R,
        resource_type: &str,
        own: &visibility::Offers,
        text_held: bool,
        room: &mut Vec<u8>,
    ) -> Option<(u8, Arc<str>)> {
        let profile = self.0?.min(5);
        let hidden = visibility::is_hidden_by_facts(resource_type, own.sensitive, profile, own);
        if resource_type != "HealthcareService" || (profile == 1 && text_held) || hidden {
            return None;
        }
        room.clear();
        if profile == 1 {
            resource.write_json(room);
        } else {
            // An offer serves no other offer: the store holds no context for it.
            visibility::write_visible(resource, profile, &visibility::Offers::default(), room);
        }
        let view = std::str::from_utf8(room).ok()?;
        Some((profile, Arc::from(view)))
    }
}

/// Buffers reused from one resource to the next: its JSON text, and room for that text
/// compressed.
#[derive(Default)]
struct Buffers {
    text: Vec<u8>,
    packed: Vec<u8>,
    view: Vec<u8>,
}

/// `text` as an LZ4 block against `dict`, its size prepended (what
/// `decompress_size_prepended_with_dict` reads). Compressed into `room`, reused, then copied
/// out at its size: `compress_prepend_size_with_dict` zeroes a buffer of the largest size
/// for every call and shrinks it after, two copies of the text's size per resource.
fn pack(text: &[u8], dict: &[u8], room: &mut Vec<u8>) -> Box<[u8]> {
    let needed = 4 + lz4_flex::block::get_maximum_output_size(text.len());
    if room.len() < needed {
        room.resize(needed, 0);
    }
    let (size, body) = room.split_at_mut(4);
    size.copy_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
    match lz4_flex::block::compress_into_with_dict(text, body, dict) {
        Ok(written) => Box::from(&room[..4 + written]),
        // The room is LZ4's bound for this size: this is not expected, and the allocating
        // form gives the same block.
        Err(_) => lz4_flex::block::compress_prepend_size_with_dict(text, dict).into_boxed_slice(),
    }
}

/// Compacts each resource as it is produced, so that the whole dataset is never held
/// parsed. In the producer's thread: handing the parsed resources to other threads made the
/// allocator the bottleneck (each `Value` freed away from where it was allocated), three
/// times slower than compacting in place. With a regenerator, a resource that has an origin
/// keeps no text.
pub(super) fn compact_all<R: Node>(
    produce: impl FnOnce(&mut dyn FnMut(R, Option<Origin>)),
    ahead: Ahead,
    regenerator: Option<&Arc<Regenerator>>,
) -> Vec<Compacted> {
    let mut kinds: FxHashMap<Box<str>, Kind> = FxHashMap::default();
    let mut out = Vec::new();
    let mut buffers = Buffers::default();
    produce(&mut |resource: R, origin: Option<Origin>| {
        let ty = resource
            .member("resourceType")
            .and_then(Node::string)
            .unwrap_or_default();
        // Looked up before inserting: an entry would take an owned key each time.
        let kind = match kinds.get_mut(ty) {
            Some(kind) => kind,
            None => kinds.entry(Box::from(ty)).or_insert_with(|| Kind {
                name: Arc::from(ty),
                dict: None,
            }),
        };
        let text = match (regenerator, origin) {
            (Some(from), Some(origin)) => Text::Regenerated(from, origin),
            _ => Text::Packed(kind.dict(&resource).clone()),
        };
        out.push(compact(
            &resource,
            kind.name.clone(),
            text,
            &mut buffers,
            ahead,
        ));
    });
    out
}

/// A resource type as one thread compacts it: its name, shared by every resource of the
/// type (not a copy each), and its dictionary once a text of it is packed.
struct Kind {
    name: Arc<str>,
    dict: Option<Arc<[u8]>>,
}

impl Kind {
    /// The dictionary of a type is its first resource's text: later ones share most of
    /// their structure and system URLs with it, which LZ4 then encodes as references.
    fn dict<R: Node>(&mut self, first: &R) -> &Arc<[u8]> {
        self.dict.get_or_insert_with(|| {
            let mut text = Vec::new();
            first.write_json(&mut text);
            Arc::from(text)
        })
    }
}

/// Compacts the pieces of a generated dataset on up to `workers` threads, a piece at a time
/// each, and hands them to `take` on this thread in the pieces' order, each as soon as it
/// and those before it are done: `take` indexes a piece while the next ones are compacted.
/// Each thread builds and frees its own resources.
pub(super) fn compact_parts(
    parts: Vec<Part>,
    ahead: Ahead,
    regenerator: Option<&Arc<Regenerator>>,
    workers: usize,
    take: &mut dyn FnMut(Vec<Compacted>),
) {
    let count = parts.len();
    let queue = Mutex::new(parts.into_iter().enumerate());
    let (done, arrived) = mpsc::channel::<(usize, Vec<Compacted>)>();
    std::thread::scope(|scope| {
        let running: Vec<_> = (0..workers.clamp(1, count.max(1)))
            .map(|_| {
                let (done, queue) = (done.clone(), &queue);
                scope.spawn(move || {
                    // A poisoned queue means another thread panicked: its join says so.
                    while let Ok(Some((n, part))) = queue.lock().map(|mut q| q.next()) {
                        let piece = compact_all(|sink| part.produce_tree(sink), ahead, regenerator);
                        if done.send((n, piece)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        // The pieces stop arriving when every thread has ended.
        drop(done);
        let mut early = BTreeMap::new();
        let mut next = 0;
        for (n, piece) in arrived {
            early.insert(n, piece);
            while let Some(piece) = early.remove(&next) {
                take(piece);
                next += 1;
            }
        }
        for thread in running {
            if let Err(panic) = thread.join() {
                // A generator bug: the caller's task reports it (`DatasetError::Interrupted`).
                std::panic::resume_unwind(panic);
            }
        }
    });
}
