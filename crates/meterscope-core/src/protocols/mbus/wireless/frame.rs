//! Framing of the wireless M-Bus link layer (EN 13757-4) and the fit score.
//!
//! ```text
//! L C M M A A A A A A CI …                   L = bytes after L
//! ```
//! Telegrams come in three shapes:
//! - as receivers print them, the link layer's CRCs taken out: `L + 1` bytes;
//! - frame format A: a first block of 10 bytes (L to A) and then blocks of
//!   16 bytes (the last one shorter), each followed by its CRC; L does not
//!   count the CRCs;
//! - frame format B: the first block of 10 bytes and a second of up to 115
//!   bytes share one CRC (after byte 126 of the frame at the latest); the
//!   rest, if any, is a third block with its own CRC; L counts the CRCs.
//!
//! Every CRC is CRC-16/EN-13757, high byte first. A telegram without CRCs
//! cannot be checked, so it is taken only when its fields are all known: a
//! wireless C field, a manufacturer of three letters, an identification
//! number of BCD digits, a defined device type and a defined CI field.

use super::super::dict;
use crate::registry::FrameStatus;
use crate::wire::crc16_en13757;

/// Bytes of the first block without its CRC (L, C, M, A).
pub const FIRST: usize = 10;
/// Bytes of the following blocks of format A without their CRC.
pub const BLOCK: usize = 16;
/// Bytes of format B's first two blocks with their CRC: the frame's first 128.
pub const B_FIRST: usize = 128;
/// The smallest L: C, M, A and CI.
pub const MIN_L: u8 = 10;

/// C fields of the wireless link layer (EN 13757-4) by function, the frame
/// count bits (sends) or the ACD and DFC bits (replies) left out: sends and
/// requests to a meter, a meter's sends, and the replies.
pub static FUNCTIONS: &[(u8, &str, &str)] = &[
    (0x00, "ACK: acknowledgement", "ACK：确认"),
    (0x01, "NACK: negative acknowledgement", "NACK：否认"),
    (0x06, "CNF_IR: confirm installation request", "CNF_IR：确认安装请求"),
    (0x08, "RSP_UD: response of user data", "RSP_UD：用户数据响应"),
    (0x40, "SND_NKE: link reset", "SND_NKE：链路复位"),
    (0x43, "SND_UD / SND_UD2: send command (with response)", "SND_UD / SND_UD2：发送命令（要求响应）"),
    (0x44, "SND_NR: send spontaneous user data, no reply", "SND_NR：主动发送用户数据，无应答"),
    (0x45, "SND_UD3: send command to several meters", "SND_UD3：向多个表计发送命令"),
    (0x46, "SND_IR: send installation request", "SND_IR：发送安装请求"),
    (0x47, "ACC_NR: access, no data", "ACC_NR：访问，无数据"),
    (0x48, "ACC_DMD: access demand", "ACC_DMD：访问请求"),
    (0x4A, "REQ_UD1: request class 1 data (alarm)", "REQ_UD1：请求1类数据（报警）"),
    (0x4B, "REQ_UD2: request class 2 data", "REQ_UD2：请求2类数据"),
];

/// The row of a C field: the function (bits 3–0) and the primary bit
/// (bit 6); bit 7 is reserved and must be 0.
pub fn function_key(c: u8) -> u8 {
    if c & 0x80 != 0 { c } else { c & 0x4F }
}

pub fn function(c: u8) -> Option<&'static (u8, &'static str, &'static str)> {
    let k = function_key(c);
    FUNCTIONS.iter().find(|r| r.0 == k)
}

/// The C fields a telegram without CRCs may have to be taken for one: the
/// usual values of each function (sends without frame count bits unless
/// the function uses them; replies with their ACD and DFC bits).
pub static COMMON: [u8; 18] =
    [0x00, 0x06, 0x08, 0x18, 0x28, 0x38, 0x40, 0x43, 0x44, 0x46, 0x47, 0x48, 0x53, 0x73, 0x5A, 0x5B, 0x7A, 0x7B];

/// Whether a C field's message goes to a meter (from its communication
/// partner): SND_NKE, SND_UD, SND_UD2, SND_UD3, REQ_UD1, REQ_UD2, CNF_IR.
/// The key derivation of mode 7 depends on it.
pub fn to_meter(c: u8) -> bool {
    matches!(function_key(c), 0x40 | 0x43 | 0x45 | 0x4A | 0x4B | 0x06)
}

/// A manufacturer code whose three letters (bits 14–0) are A to Z. Bit 15
/// is not part of the letters (some meters set it).
pub fn manufacturer_ok(m: u16) -> bool {
    [m >> 10, m >> 5, m].iter().all(|&v| (1..=26).contains(&(v & 0x1F)))
}

/// Where the CRCs are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// No CRCs (taken out by the receiver).
    Plain,
    /// Format A.
    A,
    /// Format B.
    B,
}

/// The blocks of a frame of `n` bytes in a format: `(start, len)` of each
/// block's data in the frame, its CRC following.
pub fn blocks(format: Format, n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    match format {
        Format::Plain => {}
        Format::A => {
            let mut at = 0;
            let mut size = FIRST;
            while at < n {
                let len = size.min(n.saturating_sub(at + 2));
                if len == 0 {
                    break;
                }
                out.push((at, len));
                at += len + 2;
                size = BLOCK;
            }
        }
        Format::B => {
            let first = n.min(B_FIRST).saturating_sub(2);
            if first > 0 {
                out.push((0, first));
            }
            if n > B_FIRST + 2 {
                out.push((B_FIRST, n - B_FIRST - 2));
            }
        }
    }
    out
}

/// The length of a format A frame whose L is `l`.
pub fn len_a(l: u8) -> usize {
    let data = usize::from(l) + 1;
    let rest = data.saturating_sub(FIRST);
    data + 2 + 2 * rest.div_ceil(BLOCK)
}

/// How many CRCs of the frame in `b` (exactly a frame) are right, of how
/// many. Each covers its block's data (format B's first one blocks 1 and 2).
pub fn crcs_ok(format: Format, b: &[u8]) -> (usize, usize) {
    let mut ok = 0;
    let all = blocks(format, b.len());
    for &(at, len) in &all {
        let end = at + len;
        if b.len() >= end + 2 && crc16_en13757(&b[at..end]) == u16::from_be_bytes([b[end], b[end + 1]]) {
            ok += 1;
        }
    }
    (ok, all.len())
}

/// The first block's CRC is right: the frame is in format A.
fn first_block_crc(b: &[u8]) -> bool {
    b.len() >= FIRST + 2 && crc16_en13757(&b[..FIRST]) == u16::from_be_bytes([b[FIRST], b[FIRST + 1]])
}

/// A frame of `L + 1` bytes whose CRC (or first CRC) is right: format B.
fn format_b(b: &[u8]) -> bool {
    let n = b.len();
    if n < FIRST + 3 {
        return false;
    }
    let end = n.min(B_FIRST) - 2;
    crc16_en13757(&b[..end]) == u16::from_be_bytes([b[end], b[end + 1]])
}

/// The format of a whole frame.
pub fn format(b: &[u8]) -> Format {
    let Some(&l) = b.first() else { return Format::Plain };
    if b.len() == len_a(l) && first_block_crc(b) {
        Format::A
    } else if b.len() == usize::from(l) + 1 && format_b(b) {
        Format::B
    } else {
        Format::Plain
    }
}

/// The fields that can be judged in `b` (a frame's start) are wireless
/// M-Bus ones. `checked`: a CRC vouches for the first block, so any device
/// type is taken; without one, the device type must be defined.
fn fields_fit(b: &[u8], checked: bool) -> bool {
    if b.first().is_none_or(|&l| l < MIN_L) {
        return false;
    }
    if let Some(&c) = b.get(1)
        && (function(c).is_none() || !checked && !COMMON.contains(&c))
    {
        return false;
    }
    if b.len() >= 4 && !manufacturer_ok(u16::from_le_bytes([b[2], b[3]])) {
        return false;
    }
    if !checked && b.len() >= 8 && !b[4..8].iter().all(|&x| x >> 4 <= 9 && x & 0x0F <= 9) {
        return false;
    }
    if !checked
        && let Some(&t) = b.get(9)
        && dict::lookup(dict::MEDIUM, t).is_none()
    {
        return false;
    }
    match b.get(FIRST) {
        Some(&ci) if !checked => dict::ci_known(ci),
        _ => true,
    }
}

/// Stream framing at the start of `b`.
pub fn frame(b: &[u8]) -> FrameStatus {
    let Some(&l) = b.first() else { return FrameStatus::NoMatch };
    if !fields_fit(b, true) {
        return FrameStatus::NoMatch;
    }
    let unchecked = fields_fit(b, false);
    // Fewer bytes than the first block and the CI field say too little:
    // short runs of other bytes would be taken for a telegram to come.
    if b.len() <= FIRST {
        return FrameStatus::NoMatch;
    }
    if b.len() < FIRST + 2 {
        return if unchecked { FrameStatus::Incomplete { preamble: 0, needed: None } } else { FrameStatus::NoMatch };
    }
    if first_block_crc(b) {
        let total = len_a(l);
        return if b.len() < total {
            FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) }
        } else {
            FrameStatus::Complete { preamble: 0, len: total }
        };
    }
    let total = usize::from(l) + 1;
    if b.len() < total {
        return if unchecked {
            FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) }
        } else {
            FrameStatus::NoMatch
        };
    }
    if unchecked || format_b(&b[..total]) {
        FrameStatus::Complete { preamble: 0, len: total }
    } else {
        FrameStatus::NoMatch
    }
}

/// How well a complete frame holds together, 0–100: all CRCs right is
/// certain; a telegram without CRCs is a guess from its fields, weak (as
/// a lone acknowledgement is): below the checked frames of the other
/// families, and not taken right after unrecognised bytes.
pub fn score(f: &[u8]) -> u8 {
    let Some(&l) = f.first() else { return 0 };
    match format(f) {
        Format::A | Format::B => {
            let fmt = format(f);
            let (ok, all) = crcs_ok(fmt, f);
            if ok == all { 100 } else { 50 + (30 * ok / all.max(1)) as u8 }
        }
        Format::Plain => {
            if f.len() != usize::from(l) + 1 || !fields_fit(f, false) || f.len() <= FIRST {
                return 20;
            }
            // Below the registry's weak mark: taken at the start of a line
            // or after a frame, never inside unrecognised bytes.
            40
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::bytes;

    #[test]
    fn block_layouts() {
        // L = 0x34: 53 bytes of data in blocks of 10, 16, 16, 11.
        assert_eq!(len_a(0x34), 53 + 8);
        assert_eq!(blocks(Format::A, 61), vec![(0, 10), (12, 16), (30, 16), (48, 11)]);
        assert_eq!(blocks(Format::B, 40), vec![(0, 38)]);
        assert_eq!(blocks(Format::B, 140), vec![(0, 126), (128, 10)]);
    }

    #[test]
    fn frames_and_scores() {
        let plain =
            bytes("2E4493157856341233037A2A0020255923C95AAA26D1B2E7493B013EC4A6F6D3529B520EDFF0EA6DEFC99D6D69EBF3");
        assert_eq!(frame(&plain), FrameStatus::Complete { preamble: 0, len: plain.len() });
        assert_eq!(frame(&plain[..20]), FrameStatus::Incomplete { preamble: 0, needed: Some(plain.len() - 20) });
        assert_eq!(format(&plain), Format::Plain);
        assert_eq!(score(&plain), 40);
        let a = bytes(
            "3444EE4D813929271608811D7A51000000046D1912A62B036E0000005170426CE1F1436E00000002FF2C00000259D6D0D4090265FC0902FD66A00044C4",
        );
        assert_eq!(frame(&a), FrameStatus::Complete { preamble: 0, len: a.len() });
        assert_eq!(format(&a), Format::A);
        assert_eq!(crcs_ok(Format::A, &a), (4, 4));
        assert_eq!(score(&a), 100);
        // Not a wireless C field, not a manufacturer, too short an L.
        assert_eq!(frame(&[0x2E, 0x45, 0x93, 0x15]), FrameStatus::NoMatch);
        assert_eq!(frame(&[0x2E, 0x44, 0xFF, 0xFF]), FrameStatus::NoMatch);
        assert_eq!(frame(&[0x05, 0x44]), FrameStatus::NoMatch);
        // Too few bytes to judge: no telegram to come.
        assert_eq!(frame(&plain[..10]), FrameStatus::NoMatch);
        assert_eq!(frame(&plain[..11]), FrameStatus::Incomplete { preamble: 0, needed: None });
        // A device type no standard defines, without a CRC to vouch for it.
        let mut odd = plain.clone();
        odd[9] = 0xF0;
        assert_eq!(frame(&odd), FrameStatus::NoMatch);
    }
}
