//! Framing of both parts: delimiters, lengths, checksums and the fit scores
//! that tell them from DL/T 645 and DL/T 698.45 (all four start with 0x68).
//!
//! ```text
//! 1376.1: 68 L L 68 | C A(5) AFN SEQ {DA DT data}… [PW] [EC] [Tp] | CS 16
//!         L = user-data length << 2 | protocol identifier, sent twice
//! 1376.2: 68 L(2) | C R(6) [A] AFN DT1 DT2 data | CS 16
//!         L = the whole frame's length
//! ```
//! DL/T 645 has its second 0x68 at offset 7 and a one-byte length; DL/T
//! 698.45 counts its length without the delimiters and ends in CRCs.

use crate::registry::FrameStatus;

pub const START: u8 = 0x68;
pub const END: u8 = 0x16;

/// Bytes of a 1376.1 frame besides its user data: 68 L L 68 … CS 16.
pub const OVERHEAD_1: usize = 8;
/// The shortest 1376.1 user data: C, A (5), AFN, SEQ.
pub const MIN_USER_1: usize = 8;
/// The shortest 1376.2 frame: 68 L L C R(6) AFN DT1 DT2 CS 16.
pub const MIN_LEN_2: usize = 15;
/// The longest 1376.2 frame the framer accepts.
pub const MAX_LEN_2: usize = 4096;

/// The additive checksum CS (8-bit sum).
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

/// The 1376.1 length word: user-data length and protocol identifier (D1..D0:
/// 1 Q/GDW 130-2005, 2 Q/GDW 1376.1).
pub fn length_1(l0: u8, l1: u8) -> (usize, u8) {
    let raw = u16::from_le_bytes([l0, l1]);
    (usize::from(raw >> 2), (raw & 3) as u8)
}

/// Communication modes of 1376.2 (control field D5..D0) the framer accepts.
pub fn known_mode(c: u8) -> bool {
    matches!(c & 0x3F, 1 | 2 | 3 | 10 | 20)
}

/// Stream framing of 1376.1: `68 L L 68` with both copies of L equal and a
/// defined protocol identifier, then the end byte where L puts it.
pub fn frame_1(b: &[u8]) -> FrameStatus {
    if b.first() != Some(&START) {
        return FrameStatus::NoMatch;
    }
    if let Some(&l0) = b.get(1)
        && let Some(&l1) = b.get(2)
    {
        let (_, proto) = length_1(l0, l1);
        if proto == 0 || proto == 3 {
            return FrameStatus::NoMatch;
        }
    }
    if b.len() >= 5 && (b[1], b[2]) != (b[3], b[4]) {
        return FrameStatus::NoMatch;
    }
    match b.get(5) {
        None => return FrameStatus::Incomplete { preamble: 0, needed: None },
        Some(&START) => {}
        Some(_) => return FrameStatus::NoMatch,
    }
    let (user, _) = length_1(b[1], b[2]);
    if user < MIN_USER_1 {
        return FrameStatus::NoMatch;
    }
    let total = user + OVERHEAD_1;
    if b.len() < total {
        return FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) };
    }
    if b[total - 1] != END {
        return FrameStatus::NoMatch;
    }
    FrameStatus::Complete { preamble: 0, len: total }
}

/// Stream framing of 1376.2: `68 L L C` with a known communication mode and
/// a length in range, then the end byte where L puts it.
pub fn frame_2(b: &[u8]) -> FrameStatus {
    if b.first() != Some(&START) {
        return FrameStatus::NoMatch;
    }
    if b.len() < 4 {
        // Not enough bytes yet for L and C (a serial read may end anywhere).
        let short = b.len() == 3 && usize::from(u16::from_le_bytes([b[1], b[2]])) < MIN_LEN_2;
        let long = b.len() == 3 && usize::from(u16::from_le_bytes([b[1], b[2]])) > MAX_LEN_2;
        return if short || long {
            FrameStatus::NoMatch
        } else {
            FrameStatus::Incomplete { preamble: 0, needed: None }
        };
    }
    let total = usize::from(u16::from_le_bytes([b[1], b[2]]));
    if !(MIN_LEN_2..=MAX_LEN_2).contains(&total) || !known_mode(b[3]) {
        return FrameStatus::NoMatch;
    }
    if b.len() < total {
        return FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) };
    }
    if b[total - 1] != END {
        return FrameStatus::NoMatch;
    }
    FrameStatus::Complete { preamble: 0, len: total }
}

/// How well a complete 1376.1 frame holds together, 0–100.
pub fn score_1(f: &[u8]) -> u8 {
    let n = f.len();
    if n < OVERHEAD_1 + MIN_USER_1 || f[0] != START || f[5] != START || (f[1], f[2]) != (f[3], f[4]) {
        return 0;
    }
    let (user, proto) = length_1(f[1], f[2]);
    let mut score = 40;
    score += match proto {
        2 => 10,
        1 => 5,
        _ => 0,
    };
    if user + OVERHEAD_1 == n && checksum(&f[6..n - 2]) == f[n - 2] {
        score += 35;
    }
    if f[n - 1] == END {
        score += 15;
    }
    score
}

/// How well a complete 1376.2 frame holds together, 0–100.
pub fn score_2(f: &[u8]) -> u8 {
    let n = f.len();
    if n < MIN_LEN_2 || f[0] != START {
        return 0;
    }
    let mut score = 40;
    if known_mode(f[3]) {
        score += 10;
    }
    if usize::from(u16::from_le_bytes([f[1], f[2]])) == n && checksum(&f[3..n - 2]) == f[n - 2] {
        score += 35;
    }
    if f[n - 1] == END {
        score += 15;
    }
    score
}
