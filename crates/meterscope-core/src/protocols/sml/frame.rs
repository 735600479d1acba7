//! The SML transport protocol version 1: framing, escape sequences, padding
//! and the transport CRC.
//!
//! ```text
//! 1B 1B 1B 1B  01 01 01 01   start: escape sequence, version 1
//! messages…    00 × n        the SML file, padded to a multiple of 4 bytes
//! 1B 1B 1B 1B  1A n  C1 C2   end: escape sequence, 1A, the padding count n,
//!                            CRC-16/X-25 over everything before C1, low byte first
//! ```
//! Four `1B` inside the data are sent twice (`1B 1B 1B 1B 1B 1B 1B 1B`).
//! The framer reads byte by byte, like the receivers in the field: an end
//! escape that is not aligned to 4 bytes still ends the frame, and the
//! dissector says so; a new start escape ends an unfinished frame.

use crate::registry::FrameStatus;
use crate::wire::crc16_x25;

/// The start of a version 1 transmission: escape sequence and `01 01 01 01`.
pub const START: [u8; 8] = [0x1B, 0x1B, 0x1B, 0x1B, 0x01, 0x01, 0x01, 0x01];
pub const ESC: u8 = 0x1B;
/// The byte after the end escape sequence.
pub const END_MARK: u8 = 0x1A;
/// The longest frame the framer follows (an SML file on an optical port is
/// a few hundred bytes; load profiles a few kilobytes). Below the long-log
/// splitter's lookahead ([`crate::stream::TAIL`]), so that long logs split exactly.
pub const MAX_LEN: usize = 1 << 15;

/// How a frame found by [`scan`] ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The end escape sequence starts at this offset (`1B 1B 1B 1B 1A n C1 C2`).
    Escape(usize),
    /// A new start escape sequence begins here: the frame was cut off.
    Restart(usize),
}

/// What [`scan`] finds at the start of some bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    NoMatch,
    Incomplete,
    Complete { len: usize, end: End },
}

/// How many `1B` bytes run from `i`. A run followed by `1A` or `01` ends
/// with an escape sequence; the `1B` bytes before it belong to the data.
fn run_len(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|&&x| x == ESC).count()
}

/// Follow a transport frame from its start escape sequence to its end.
pub fn scan(b: &[u8]) -> Scan {
    if b.len() < START.len() || b[..START.len()] != START {
        return Scan::NoMatch;
    }
    let mut i = START.len();
    while i < b.len() {
        if i > MAX_LEN {
            return Scan::NoMatch;
        }
        if b[i] != ESC {
            i += 1;
            continue;
        }
        let r = run_len(b, i);
        let after = i + r;
        if after > MAX_LEN {
            return Scan::NoMatch;
        }
        if r < 4 {
            i = after;
            continue;
        }
        let Some(&x) = b.get(after) else { return Scan::Incomplete };
        let e = after - 4;
        match x {
            END_MARK => {
                if b.len() < after + 4 {
                    return Scan::Incomplete;
                }
                return Scan::Complete { len: after + 4, end: End::Escape(e) };
            }
            0x01 => {
                if b.len() < after + 4 {
                    return Scan::Incomplete;
                }
                if b[after..after + 4] == [1, 1, 1, 1] {
                    return Scan::Complete { len: e, end: End::Restart(e) };
                }
                i = after;
            }
            _ => i = after,
        }
    }
    Scan::Incomplete
}

/// Stream framing for the registry.
pub fn frame(b: &[u8]) -> FrameStatus {
    match scan(b) {
        Scan::NoMatch => FrameStatus::NoMatch,
        Scan::Incomplete => FrameStatus::Incomplete { preamble: 0, needed: None },
        Scan::Complete { len, .. } => FrameStatus::Complete { preamble: 0, len },
    }
}

/// The transport CRC as stated (low byte first) and as computed, for a
/// frame that ends with its end escape sequence.
pub fn crc(f: &[u8]) -> Option<(u16, u16)> {
    let n = f.len();
    (n >= 16 && f[n - 4] == END_MARK).then(|| (u16::from_le_bytes([f[n - 2], f[n - 1]]), crc16_x25(&f[..n - 2])))
}

/// How well a complete frame holds together, 0–100: the start escape alone
/// is a strong sign; the CRC and the end's alignment add to it.
pub fn score(f: &[u8]) -> u8 {
    let Scan::Complete { len, end } = scan(f) else { return 0 };
    let mut score = 60;
    if let End::Escape(e) = end {
        score += 10;
        if e % 4 == 0 && len == f.len() {
            score += 5;
        }
        if crc(&f[..len.min(f.len())]).is_some_and(|(s, c)| s == c) {
            score += 25;
        }
    }
    score
}

/// The SML file inside a frame: the bytes between the start and the end
/// escape sequences with escaped escape sequences undone, and where each
/// piece sits on the wire.
pub struct Payload {
    pub bytes: Vec<u8>,
    /// `(payload offset, frame offset)` from where bytes run on contiguously, sorted.
    pub map: Vec<(u32, u32)>,
    /// Frame offsets of escape sequences in the data that are neither doubled
    /// nor an end or a start (four or more `1B` taken as data).
    pub bad_escapes: Vec<usize>,
}

impl Payload {
    /// Undo the escaping of `f[from..to]`.
    pub fn read(f: &[u8], from: usize, to: usize) -> Payload {
        let to = to.min(f.len());
        let mut p = Payload {
            bytes: Vec::with_capacity(to.saturating_sub(from)),
            map: vec![(0, from as u32)],
            bad_escapes: Vec::new(),
        };
        let mut i = from;
        while i < to {
            if f[i] != ESC {
                p.bytes.push(f[i]);
                i += 1;
                continue;
            }
            let r = f[i..to].iter().take_while(|&&x| x == ESC).count();
            let mut k = 0;
            while r - k >= 8 {
                // An escaped escape sequence: four data bytes after the escape.
                let q = p.bytes.len() as u32;
                p.map.push((q, (i + k + 4) as u32));
                p.bytes.extend_from_slice(&[ESC; 4]);
                p.map.push((q + 4, (i + k + 8) as u32));
                k += 8;
            }
            if r - k >= 4 {
                p.bad_escapes.push(i + k);
            }
            p.bytes.extend(core::iter::repeat_n(ESC, r - k));
            i += r;
        }
        p
    }

    /// The frame offset of payload offset `q` (one past the end maps past the last byte).
    pub fn wire(&self, q: usize) -> usize {
        let k = self.map.partition_point(|&(p, _)| p as usize <= q).saturating_sub(1);
        let (p, w) = self.map[k];
        w as usize + (q - p as usize)
    }

    /// Whether payload bytes `q..q + len` lie contiguously on the wire.
    pub fn contiguous(&self, q: usize, len: usize) -> bool {
        len == 0 || self.wire(q + len - 1) + 1 - self.wire(q) == len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_end_at_the_end_escape_and_restarts() {
        let f = [START.as_slice(), &[0x12, 0x34, 0x56, 0x78, 0x1B, 0x1B, 0x1B, 0x1B, 0x1A, 0x00, 0xB8, 0x7B]].concat();
        assert_eq!(scan(&f), Scan::Complete { len: 20, end: End::Escape(12) });
        assert_eq!(crc(&f), Some((0x7BB8, 0x7BB8)));
        assert_eq!(score(&f), 100);
        assert_eq!(scan(&f[..19]), Scan::Incomplete);
        assert_eq!(scan(&f[..5]), Scan::NoMatch);
        let cut = [START.as_slice(), &[0x76, 0x05], START.as_slice()].concat();
        assert_eq!(scan(&cut), Scan::Complete { len: 10, end: End::Restart(10) });
    }

    #[test]
    fn escaped_escapes_are_data() {
        let mut f = START.to_vec();
        f.extend_from_slice(&[0x1B; 8]);
        f.extend_from_slice(&[0x1B, 0x1B, 0x1B, 0x1B, 0x1A, 0x00]);
        let c = crc16_x25(&f).to_le_bytes();
        f.extend_from_slice(&c);
        assert_eq!(scan(&f), Scan::Complete { len: 24, end: End::Escape(16) });
        let p = Payload::read(&f, 8, 16);
        assert_eq!(p.bytes, [0x1B; 4]);
        assert_eq!(p.wire(0), 12);
        assert_eq!(p.wire(3), 15);
        assert!(p.bad_escapes.is_empty());
    }

    #[test]
    fn runs_of_escape_bytes_stay_linear() {
        let mut f = START.to_vec();
        f.extend(core::iter::repeat_n(0x1B, 100_000));
        assert_eq!(scan(&f), Scan::NoMatch);
        let mut g = START.to_vec();
        g.extend(core::iter::repeat_n(0x1B, 1000));
        assert_eq!(scan(&g), Scan::Incomplete);
    }
}
