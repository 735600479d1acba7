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
use crate::model::{Frame, Severity};
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
    let Some(close) = b.iter().skip(1).take(MAX_RAW).position(|&x| x == hdlc::FLAG) else {
        return FrameStatus::NoMatch;
    };
    let raw = &b[..close + 2];
    if !raw.contains(&ESCAPE) {
        return FrameStatus::NoMatch;
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
