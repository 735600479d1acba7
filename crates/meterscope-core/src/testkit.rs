//! Helpers shared by the core's tests (compiled for tests only).
//!
//! The one seeded generator of the tests is the session's [`Rng`]
//! (SplitMix64: the same sequence from the same seed on every target, also
//! what the simulated meters draw from); the draws tests make of it are
//! added here, so no test module keeps a generator of its own. The session
//! test bench is [`crate::session::testing::Pair`].

pub use crate::session::Rng;

impl Rng {
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
    /// Any byte.
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
    /// Up to `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.byte()).collect()
    }
    /// `N` random bytes.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.iter_mut().for_each(|b| *b = self.byte());
        a
    }
    /// A fair coin.
    pub fn flag(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
    /// One element of `set` (not empty).
    pub fn pick<T: Copy>(&mut self, set: &[T]) -> T {
        set[self.below(set.len())]
    }
}
