//! Bodies generated again when read: a store of a generated dataset whose resources are
//! read through the views written ahead ([`super::Ahead`]) need not hold their text at all.
//! Writing and compressing every resource was half of such a store's start (the run's
//! larger mock: ten thousand offers paged through, the rest of its dataset there for its
//! references); a resource read anyway (an include, a read by id, an `$export`) is
//! generated again with its unit, which starts from its own running numbers and draws, so
//! its text is the one it had.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::dataset::{GenerateOptions, Json, Part, Unit, regenerate};

/// Units whose texts are kept once generated again: the resources a page includes or an
/// `$export` reads come a unit at a time.
const RECENT_UNITS: usize = 16;

/// The plan of a generated dataset, to generate a unit's resources again.
pub(crate) struct Regenerator {
    opts: GenerateOptions,
    units: Vec<Unit>,
    /// The texts of the units generated last, the latest at the back.
    recent: Mutex<VecDeque<(u32, Arc<[Box<str>]>)>>,
}

impl Regenerator {
    /// The regenerator of the dataset `parts` make, in order.
    pub(crate) fn of(parts: &[Part]) -> Self {
        let mut opts = GenerateOptions::default();
        let mut units = Vec::new();
        for part in parts {
            let (o, numbered) = part.units();
            opts = o;
            for (n, unit) in numbered {
                // The parts hold consecutive units, numbered from 0.
                debug_assert_eq!(n, units.len());
                units.push(unit);
            }
        }
        Regenerator {
            opts,
            units,
            recent: Mutex::default(),
        }
    }

    /// The text of the `nth` resource of unit `unit`, as it was generated; `None` if the
    /// dataset has no such resource (which a store built from it never asks).
    pub(crate) fn text(&self, unit: u32, nth: u16) -> Option<String> {
        let texts = self.unit_texts(unit)?;
        texts.get(usize::from(nth)).map(|t| t.to_string())
    }

    /// The units generated last. A poisoned lock only means another reader panicked: the
    /// texts it holds are whole.
    fn recent(&self) -> MutexGuard<'_, VecDeque<(u32, Arc<[Box<str>]>)>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn unit_texts(&self, unit: u32) -> Option<Arc<[Box<str>]>> {
        let kept = self
            .recent()
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, t)| t.clone());
        if kept.is_some() {
            return kept;
        }
        // Generated outside the lock: other readers go on meanwhile.
        let plan = self.units.get(usize::try_from(unit).ok()?)?;
        let mut texts = Vec::new();
        regenerate(&self.opts, plan, &mut |r: Json| {
            let mut out = Vec::new();
            r.write(&mut out);
            // Written from `str`s and ASCII punctuation.
            texts.push(String::from_utf8(out).unwrap_or_default().into_boxed_str());
        });
        let texts: Arc<[Box<str>]> = texts.into();
        let mut recent = self.recent();
        if recent.len() == RECENT_UNITS {
            recent.pop_front();
        }
        recent.push_back((unit, texts.clone()));
        Some(texts)
    }
}

/// How a stored resource's text is held.
pub(super) enum Body {
    /// An LZ4 block of the text, its size prepended, against its type's dictionary.
    Packed { block: Box<[u8]>, dict: Arc<[u8]> },
    /// Not held: generated again from its unit when read.
    Regenerated {
        from: Arc<Regenerator>,
        unit: u32,
        nth: u16,
    },
}

impl Body {
    /// The text, or why it cannot be given.
    pub(super) fn text(&self) -> Result<String, String> {
        match self {
            Body::Packed { block, dict } => {
                lz4_flex::block::decompress_size_prepended_with_dict(block, dict)
                    .map_err(|e| format!("cannot be decompressed: {e}"))
                    .and_then(|t| String::from_utf8(t).map_err(|e| format!("is not UTF-8: {e}")))
            }
            Body::Regenerated { from, unit, nth } => from
                .text(*unit, *nth)
                .ok_or_else(|| format!("is not resource {nth} of unit {unit}")),
        }
    }

    /// The bytes held for the text.
    pub(super) fn held(&self) -> usize {
        match self {
            Body::Packed { block, .. } => block.len(),
            Body::Regenerated { .. } => 0,
        }
    }
}
