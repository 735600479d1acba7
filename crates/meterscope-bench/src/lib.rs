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

/// The corpus for `seed`: frames of every protocol the core implements (each
/// protocol issue adds its generator here), unrecognised byte strings from 10
/// bytes to 4 KiB, and a mixed serial log with junk between frames.
pub fn corpus(seed: u64) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let dl645 = dlt645_frames(&mut rng, 512);
    let mut log = Vec::new();
    for f in dl645.iter().take(256) {
        let junk = rng.below(8);
        log.extend_from_slice(&rng.bytes(junk));
        let wake = rng.below(5);
        log.extend_from_slice(&[0xFE; 4][..wake]);
        log.extend_from_slice(f);
    }
    out.extend(dl645.into_iter().map(|bytes| Sample { group: "dlt645", bytes }));
    out.push(Sample { group: "mixed-log", bytes: log });
    for size in [10usize, 32, 128, 512, 4096] {
        for _ in 0..64 {
            let n = size + rng.below(size / 4 + 1);
            out.push(Sample { group: "random", bytes: rng.bytes(n) });
        }
    }
    out
}

/// DL/T 645-2007 read requests and replies for identifiers the dictionary names.
fn dlt645_frames(rng: &mut Rng, n: usize) -> Vec<Vec<u8>> {
    use meterscope_core::protocols::dlt645::{Address, DataId, Frame645, Payload, dictionary};
    let dis: Vec<u32> = dictionary::enumerate().step_by(97).collect();
    (0..n)
        .map(|i| {
            let di = DataId(dis[rng.below(dis.len())]);
            let address = Address(core::array::from_fn(|_| {
                let v = rng.below(100) as u8;
                ((v / 10) << 4) | (v % 10)
            }));
            let payload = if i % 2 == 0 {
                Payload::ReadRequest { di, blocks: None, time: None }
            } else {
                let len = dictionary::lookup(di.0).and_then(|d| d.len()).unwrap_or(4).clamp(1, 180);
                let data = (0..len).map(|_| (rng.below(10) as u8) | ((rng.below(10) as u8) << 4)).collect();
                Payload::ReadReply { di, data, follow: false }
            };
            Frame645::from_payload(address, &payload).emit()
        })
        .collect()
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

    #[test]
    fn corpus_frames_decode_as_their_protocol() {
        let reg = meterscope_core::Registry::default();
        for s in corpus(3).iter().filter(|s| s.group == "dlt645") {
            let d = reg.dissect(&s.bytes, &[], &meterscope_core::Options::default());
            assert_eq!(d.frames.len(), 1);
            assert!(d.frames[0].protocol.starts_with("dlt645") && d.frames[0].valid, "{:02X?}", s.bytes);
        }
    }
}
