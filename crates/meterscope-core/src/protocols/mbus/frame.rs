//! Framing of the wired M-Bus link layer (EN 13757-2, after IEC 60870-5-1
//! format class FT 1.2) and the fit score that tells it from the other
//! families that start with 0x68.
//!
//! ```text
//! single character  E5
//! short frame       10 C A CS 16
//! control frame     68 03 03 68 C A CI CS 16
//! long frame        68 L L 68 C A CI data… CS 16     L = bytes C..data (3..=255)
//! ```
//! CS is the 8-bit sum of C..data. DL/T 645 has its second 0x68 at offset
//! 7, Q/GDW 1376.1 at offset 5 with a two-byte L, DL/T 698.45 and Q/GDW
//! 1376.2 none: a long M-Bus frame needs `L L` equal and 0x68 at offset 3.

use crate::registry::FrameStatus;

/// The single character acknowledgement.
pub const ACK: u8 = 0xE5;
/// Start of a short frame.
pub const SHORT: u8 = 0x10;
/// Start of a control or long frame.
pub const LONG: u8 = 0x68;
/// Stop character.
pub const STOP: u8 = 0x16;
/// Bytes of a long frame besides C..data: 68 L L 68 … CS 16.
pub const OVERHEAD: usize = 6;

/// The checksum: 8-bit sum.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

/// Control fields a short frame carries (EN 13757-2): SND_NKE, REQ_UD1 and
/// REQ_UD2 with or without FCB, and the replies to them.
pub fn short_control(c: u8) -> bool {
    matches!(c, 0x40 | 0x5A | 0x7A | 0x5B | 0x7B) || (c & 0xC0 == 0 && matches!(c & 0x0F, 0 | 1 | 9 | 11))
}

/// Stream framing at the start of `b`.
pub fn frame(b: &[u8]) -> FrameStatus {
    match b.first() {
        Some(&ACK) => FrameStatus::Complete { preamble: 0, len: 1 },
        Some(&SHORT) => {
            // A lone 0x10 is too common to be taken for the start of a frame.
            match b.get(1) {
                None => FrameStatus::NoMatch,
                Some(&c) if !short_control(c) => FrameStatus::NoMatch,
                Some(_) if b.len() < 5 => FrameStatus::Incomplete { preamble: 0, needed: Some(5 - b.len()) },
                Some(_) if b[4] == STOP => FrameStatus::Complete { preamble: 0, len: 5 },
                Some(_) => FrameStatus::NoMatch,
            }
        }
        Some(&LONG) => {
            if b.len() < 4 {
                // `68 L L` of a frame to come; a lone 68 or unequal L is another family's.
                return match b {
                    [_, l1, l2] if l1 == l2 => {
                        FrameStatus::Incomplete { preamble: 0, needed: Some(usize::from(*l1) + 3) }
                    }
                    _ => FrameStatus::NoMatch,
                };
            }
            if b[1] != b[2] || b[3] != LONG {
                return FrameStatus::NoMatch;
            }
            let total = usize::from(b[1]) + OVERHEAD;
            if b.len() < total {
                return FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) };
            }
            if b[total - 1] != STOP {
                return FrameStatus::NoMatch;
            }
            FrameStatus::Complete { preamble: 0, len: total }
        }
        _ => FrameStatus::NoMatch,
    }
}

/// How well a complete frame holds together, 0–100. A lone E5 is weak
/// (it stands only where a line or a frame ends).
pub fn score(f: &[u8]) -> u8 {
    let n = f.len();
    match f {
        [ACK] => 40,
        [SHORT, c, a, cs, end] => {
            let mut s = 20;
            if short_control(*c) {
                s += 15;
            }
            if checksum(&[*c, *a]) == *cs {
                s += 40;
            }
            if *end == STOP {
                s += 15;
            }
            s
        }
        [LONG, l1, l2, LONG, ..] if l1 == l2 && n >= OVERHEAD => {
            let mut s = 40;
            let l = usize::from(*l1);
            if l + OVERHEAD == n && l >= 3 {
                s += 10;
                if checksum(&f[4..n - 2]) == f[n - 2] {
                    s += 35;
                }
            }
            if f[n - 1] == STOP {
                s += 15;
            }
            s
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_each_format() {
        assert_eq!(frame(&[0xE5, 0x10]), FrameStatus::Complete { preamble: 0, len: 1 });
        assert_eq!(frame(&[0x10, 0x7B, 0x00, 0x7B, 0x16]), FrameStatus::Complete { preamble: 0, len: 5 });
        assert_eq!(frame(&[0x10, 0x7B, 0x00]), FrameStatus::Incomplete { preamble: 0, needed: Some(2) });
        assert_eq!(frame(&[0x10]), FrameStatus::NoMatch);
        assert_eq!(frame(&[0x10, 0x33, 0x00, 0x33, 0x16]), FrameStatus::NoMatch);
        let control = [0x68, 0x03, 0x03, 0x68, 0x53, 0xFE, 0x50, 0xA1, 0x16];
        assert_eq!(frame(&control), FrameStatus::Complete { preamble: 0, len: 9 });
        assert_eq!(score(&control), 100);
        assert_eq!(frame(&control[..6]), FrameStatus::Incomplete { preamble: 0, needed: Some(3) });
        // DL/T 645: the second 0x68 at offset 7.
        let dlt645 = [0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xB1, 0x16];
        assert_eq!(frame(&dlt645), FrameStatus::NoMatch);
        assert_eq!(frame(&[0x68]), FrameStatus::NoMatch);
        assert_eq!(frame(&[0x68, 0x12, 0x90]), FrameStatus::NoMatch);
        // L = 0: a frame whose checksum and fields are missing, framed to be reported.
        assert_eq!(frame(&[0x68, 0x00, 0x00, 0x68, 0x08, 0x16]), FrameStatus::Complete { preamble: 0, len: 6 });
        assert!(score(&[0x68, 0x00, 0x00, 0x68, 0x08, 0x16]) < 60);
        assert_eq!(score(&[0xE5]), 40);
        assert_eq!(score(&[0x10, 0x7B, 0x00, 0x7B, 0x16]), 90);
        assert_eq!(score(&[0x10, 0x7B, 0x00, 0x7C, 0x16]), 50);
    }
}
