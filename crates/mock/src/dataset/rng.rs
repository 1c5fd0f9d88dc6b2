//! The dataset's random sequence.

/// splitmix64's increment.
pub(super) const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64: tiny, and its output never changes between crate versions, so a seed gives
/// the same dataset forever (a general-purpose RNG crate does not promise that).
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(super) u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The sequence of `seed` after `draws` draws: splitmix64's state advances by a constant
    /// each draw, so any point of the sequence is reached at once (what lets the dataset be
    /// generated in pieces on several threads and stay the same).
    pub(super) fn after(seed: u64, draws: u64) -> Self {
        Rng(seed.wrapping_add(draws.wrapping_mul(GAMMA)))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
