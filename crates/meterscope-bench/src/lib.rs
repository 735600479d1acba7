//! Benchmark corpus: frames of every protocol the core knows, generated from a
//! seed so that native and WebAssembly runs measure the same bytes.

/// A small deterministic PRNG (xorshift64*), enough for corpus generation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// One corpus entry: a group name (protocol or `random`) and its bytes.
pub struct Sample {
    pub group: &'static str,
    pub bytes: Vec<u8>,
}

/// The corpus for `seed`. Each protocol issue adds its generator here; until
/// then the corpus holds unrecognised byte strings from 10 bytes to 4 KiB,
/// which exercise the framer scan and the unknown-bytes dissector.
pub fn corpus(seed: u64) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for size in [10usize, 32, 128, 512, 4096] {
        for _ in 0..64 {
            let n = size + rng.below(size / 4 + 1);
            out.push(Sample { group: "random", bytes: rng.bytes(n) });
        }
    }
    out
}

/// Serialise a corpus as `u32 LE length, bytes` records (read by the Node benchmark).
pub fn encode(samples: &[Sample]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in samples {
        out.extend_from_slice(&(s.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&s.bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_reproducible_from_the_seed() {
        let a = encode(&corpus(7));
        let b = encode(&corpus(7));
        let c = encode(&corpus(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
