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

/// The texts of one unit's resources, in order.
type UnitTexts = Arc<[Box<str>]>;

/// The plan of a generated dataset, to generate a unit's resources again.
pub(crate) struct Regenerator {
    opts: GenerateOptions,
    units: Vec<Unit>,
    /// The texts of the units generated last, the latest at the back.
    recent: Mutex<VecDeque<(u32, UnitTexts)>>,
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
    fn recent(&self) -> MutexGuard<'_, VecDeque<(u32, UnitTexts)>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn unit_texts(&self, unit: u32) -> Option<UnitTexts> {
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
        let texts: UnitTexts = texts.into();
        let mut recent = self.recent();
        if recent.len() == RECENT_UNITS {
            recent.pop_front();
        }
        recent.push_back((unit, texts.clone()));
        Some(texts)
    }
}

/// Why a stored resource's text cannot be given: not expected of a store built here (its
/// texts are compressed from valid JSON, or generated again as they were).
#[derive(Debug, thiserror::Error)]
pub(super) enum BodyError {
    #[error("cannot be decompressed: {0}")]
    Decompressed(#[from] lz4_flex::block::DecompressError),
    #[error("is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
    #[error("is not resource {nth} of unit {unit}")]
    Regenerated { unit: u32, nth: u16 },
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
    pub(super) fn text(&self) -> Result<String, BodyError> {
        match self {
            Body::Packed { block, dict } => Ok(String::from_utf8(
                lz4_flex::block::decompress_size_prepended_with_dict(block, dict)?,
            )?),
            Body::Regenerated { from, unit, nth } => {
                from.text(*unit, *nth).ok_or(BodyError::Regenerated {
                    unit: *unit,
                    nth: *nth,
                })
            }
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
