//! The TCP/UDP wrapper of IEC 62056-47: `version (00 01) | source wPort |
//! destination wPort | length | APDU`, all big-endian, length counting the APDU.

use super::{Cx, Rd, WRAPPER, apdu};
use crate::model::{Frame, Msg, NONE, NodeKind, Severity};
use crate::msg;
use crate::registry::{FrameStatus, Options};
use crate::span::Span;

/// Header size.
pub const HEADER: usize = 8;

/// Stream framing: version 1 and a non-zero length.
pub fn frame(b: &[u8]) -> FrameStatus {
    if !matches!(b, [0x00, 0x01, ..]) {
        return FrameStatus::NoMatch;
    }
    if b.len() < HEADER {
        return FrameStatus::Incomplete { preamble: 0, needed: Some(HEADER - b.len()) };
    }
    let len = u16::from_be_bytes([b[6], b[7]]) as usize;
    if len == 0 {
        return FrameStatus::NoMatch;
    }
    if b.len() < HEADER + len {
        // Only believe a cut-short frame when the APDU starts like one.
        if !apdu::is_known_tag(b.get(HEADER).copied().unwrap_or(0)) && b.len() > HEADER {
            return FrameStatus::NoMatch;
        }
        return FrameStatus::Incomplete { preamble: 0, needed: Some(HEADER + len - b.len()) };
    }
    FrameStatus::Complete { preamble: 0, len: HEADER + len }
}

/// Fit: 90 when the APDU starts with a known tag, 30 otherwise.
pub fn score(f: &[u8]) -> u8 {
    match f.get(HEADER) {
        Some(&t) if apdu::is_known_tag(t) => 90,
        _ => 30,
    }
}

/// Dissect one wrapper frame.
pub fn dissect(f: &[u8], base: usize, opts: &Options) -> Frame {
    let mut cx = Cx::new(WRAPPER, f, base, &opts.keys);
    let root = cx.add_once(NONE, "dlms.wrapper", Span::at(base, f.len())).index();
    let mut rd = Rd::new(f, base);
    let fields = [
        ("dlms.wrapper.version", NodeKind::Control),
        ("dlms.wrapper.source", NodeKind::Address),
        ("dlms.wrapper.destination", NodeKind::Address),
        ("dlms.wrapper.length", NodeKind::Length),
    ];
    let mut vals = [0u16; 4];
    for (i, (id, kind)) in fields.iter().enumerate() {
        let at = rd.at();
        let Some(v) = rd.u16() else {
            cx.truncated(rd.at());
            return cx.finish();
        };
        vals[i] = v;
        cx.add_once(root, *id, rd.since(at)).kind(*kind).value(Msg::Uint(v.into()));
    }
    if vals[0] != 1 {
        cx.error(Span::at(base, 2), "dlms.wrapper.version", &("the wrapper version is not 1", "封装版本不是 1"));
    }
    let len = vals[3] as usize;
    let body = rd.rest();
    let apdu_at = base + HEADER;
    let used = len.min(body.len());
    if len > body.len() {
        let m = msg!(
            "the length field says {} bytes, {} are present",
            "长度域为 {} 字节，实际只有 {} 字节",
            len,
            body.len()
        );
        cx.diag(Severity::Error, Span::at(base + 6, 2), "dlms.wrapper.truncated", m);
    }
    if used > 0 {
        apdu::apdu(&mut cx, root, &body[..used], apdu_at);
    }
    if body.len() > len {
        let span = Span::new(apdu_at + len, base + f.len());
        cx.error(
            span,
            "dlms.trailing",
            &("bytes after the APDU the length field counts", "长度域所计字节之后还有多余字节"),
        );
        let v = cx.hex(span);
        cx.add_once(root, "dlms.trailing", span).kind(NodeKind::Unknown).value(v);
    }
    cx.set(root).value(Msg::Code(ports, u64::from(vals[1]) << 16 | u64::from(vals[2])));
    cx.finish()
}

/// `source → destination` wPorts (packed `source << 16 | destination`).
fn ports(code: u64, _: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write!(w, "{} → {}", code >> 16, code & 0xFFFF)
}
