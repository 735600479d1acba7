//! The byte-stuffed HDLC variant that some customer ports use: IEC 62056-46
//! frames with the octet stuffing of asynchronous HDLC (ISO/IEC 13239) on
//! top. Between the flags, 0x7E is sent as `7D 5E` and 0x7D as `7D 5D`; the
//! length field, the HCS and the FCS count the bytes before stuffing.
//!
//! Registry name `dlms-hdlc-stuffed`. A frame is this variant only when it
//! holds an escape and its length and FCS check once unstuffed, so a plain
//! frame (0x7D may occur in its information field) stays `dlms-hdlc`. The
//! frame is dissected unstuffed, then every span is mapped back onto the
//! bytes as sent (an escape pair is one byte of the field it belongs to).

use super::{Cx, hdlc};
use crate::model::{Frame, ReadDerived, Severity};
use crate::msg;
use crate::registry::{FrameStatus, Options};
use crate::span::Span;
use crate::wire::crc16_x25;

/// Registry name of the byte-stuffed variant.
pub const STUFFED: &str = "dlms-hdlc-stuffed";

/// The escape byte.
pub const ESCAPE: u8 = 0x7D;

/// Longest stuffed frame looked at: every byte of the longest frame escaped.
const MAX_RAW: usize = 2 * (super::link::MAX_FRAME_LEN + 2);

/// Unstuff `raw` (flags included): the bytes, and for each the offset of
/// its first raw byte. Strict: `None` on an escape before a flag or at the
/// end; lenient: such an escape is kept as it is.
fn unstuff(raw: &[u8], strict: bool) -> Option<(Vec<u8>, Vec<usize>)> {
    let (mut out, mut at) = (Vec::with_capacity(raw.len()), Vec::with_capacity(raw.len()));
    let mut i = 0;
    while i < raw.len() {
        at.push(i);
        match raw.get(i + 1) {
            Some(&n) if raw[i] == ESCAPE && n != hdlc::FLAG => {
                out.push(n ^ 0x20);
                i += 2;
            }
            _ if raw[i] == ESCAPE && strict => return None,
            _ => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    Some((out, at))
}

/// The length of `raw` unstuffed and its bytes 1 and 2 (the frame format
/// field), without a copy; `None` where strict unstuffing fails.
fn unstuffed_head(raw: &[u8]) -> Option<(usize, u8, u8)> {
    let (mut i, mut n, mut head) = (0, 0, [0u8; 3]);
    while i < raw.len() {
        let b = match raw.get(i + 1) {
            Some(&x) if raw[i] == ESCAPE && x != hdlc::FLAG => {
                i += 2;
                x ^ 0x20
            }
            _ if raw[i] == ESCAPE => return None,
            _ => {
                i += 1;
                raw[i - 1]
            }
        };
        if let Some(h) = head.get_mut(n) {
            *h = b;
        }
        n += 1;
    }
    Some((n, head[1], head[2]))
}

/// Index of the first flag in `b`: eight bytes at a time (a word has a
/// flag when it has a zero byte once xored with flags), then byte by byte
/// in the word that has it. Every frame starting with a flag is looked at.
fn find_flag(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let flags = ONES * u64::from(hdlc::FLAG);
    let mut at = 0;
    for word in b.chunks_exact(8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ flags;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        at += 8;
    }
    b[at..].iter().position(|&x| x == hdlc::FLAG).map(|i| at + i)
}

/// Whether unstuffed bytes are a whole frame whose length and FCS check.
fn checks(u: &[u8]) -> bool {
    let n = u.len();
    n >= 9
        && hdlc::format_length(u[1], u[2]) == Some(n - 2)
        && crc16_x25(&u[1..n - 3]) == u16::from_le_bytes([u[n - 3], u[n - 2]])
}

/// Stream framing: from a flag to the next, when that holds an escape and checks unstuffed.
pub fn frame(bytes: &[u8]) -> FrameStatus {
    let flags = bytes.iter().take_while(|&&b| b == hdlc::FLAG).count();
    if flags == 0 {
        return FrameStatus::NoMatch;
    }
    let pre = flags - 1;
    let b = &bytes[pre..];
    let Some(close) = find_flag(&b[1..b.len().min(MAX_RAW + 1)]) else {
        return FrameStatus::NoMatch;
    };
    let raw = &b[..close + 2];
    if !raw.contains(&ESCAPE) {
        return FrameStatus::NoMatch;
    }
    // The length first, without a copy: a plain frame with 0x7D in its
    // information field fails it (what [`checks`] asks first).
    match unstuffed_head(raw) {
        Some((n, f0, f1)) if n >= 9 && hdlc::format_length(f0, f1) == Some(n - 2) => {}
        _ => return FrameStatus::NoMatch,
    }
    match unstuff(raw, true) {
        Some((u, _)) if checks(&u) => FrameStatus::Complete { preamble: pre, len: raw.len() },
        _ => FrameStatus::NoMatch,
    }
}

/// Fit: 100 when the frame checks unstuffed (what framing asks), else 0.
pub fn score(raw: &[u8]) -> u8 {
    match unstuff(raw, true) {
        Some((u, _)) if raw.contains(&ESCAPE) && checks(&u) => 100,
        _ => 0,
    }
}

/// Dissect one stuffed frame (tolerant): the HDLC dissection of its
/// unstuffed bytes (kept in the frame's derived bytes), with spans on the
/// bytes as sent.
pub fn dissect(raw: &[u8], base: usize, opts: &Options) -> Frame {
    let (u, at) = unstuff(raw, false).unwrap_or_default();
    let mut cx = Cx::new(STUFFED, raw, base, &opts.keys);
    cx.derived(&u, 0, |cx| hdlc::dissect_into(cx, &u, 0));
    let start = |i: usize| at.get(i).copied().unwrap_or(raw.len());
    let map = |s: Span| {
        let a = start(s.start);
        let e = if s.end > s.start { start(s.end) } else { a };
        Span::new(base + a, base + e.max(a))
    };
    let f = &mut cx.f;
    for n in &mut f.nodes {
        let mapped = map(n.span);
        // A bit field sent with an escape pair has no bits to show on the wire.
        if mapped.len() != n.span.len() {
            n.mask = 0;
        }
        n.span = mapped;
    }
    if let Some(root) = f.nodes.first_mut() {
        root.span = Span::at(base, raw.len());
    }
    for c in &mut f.checks {
        c.span = map(c.span);
    }
    for d in &mut f.diagnostics {
        d.span = map(d.span);
    }
    let escapes = raw.len() - u.len();
    if escapes > 0 {
        let m = msg!(
            "byte-stuffed: {} escape(s) (7D 5E for 7E, 7D 5D for 7D) removed before the length and the checks",
            "字节填充：长度与校验前先去除 {} 个转义（7D 5E 表示 7E，7D 5D 表示 7D）",
            escapes
        );
        cx.diag(Severity::Info, Span::at(base, raw.len()), "dlms.hdlc.stuffed", m);
    }
    cx.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-wise search finds what a byte-wise one finds, wherever the flag is.
    #[test]
    fn find_flag_is_a_plain_search() {
        let mut rng = crate::testkit::Rng::new(7);
        for n in 0..64 {
            for _ in 0..50 {
                let mut b: Vec<u8> =
                    (0..n).map(|_| rng.byte()).map(|x| if x == hdlc::FLAG { 0x7F } else { x }).collect();
                for _ in 0..rng.below(3) {
                    if n > 0 {
                        let at = rng.below(n);
                        b[at] = hdlc::FLAG;
                    }
                }
                assert_eq!(find_flag(&b), b.iter().position(|&x| x == hdlc::FLAG), "{b:02X?}");
            }
        }
    }
}
