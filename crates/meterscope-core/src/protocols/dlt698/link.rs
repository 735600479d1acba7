//! The DL/T 698.45 link layer (clause 5): framing, the frame header, HCS and
//! FCS, fragmentation and scrambling.
//!
//! ```text
//! 68 | L L | C | AF | SA (1–16) | CA | HCS HCS | [frag frag] APDU… | FCS FCS | 16
//! ```
//! The length field is little-endian; bits 0–13 count the bytes from the first
//! length byte through the FCS (the whole frame less the two delimiters), bit 14
//! is the unit (0 bytes, 1 kilobytes). HCS covers L..CA and FCS covers L..the
//! end of the APDU, both CRC-16/X-25 sent low byte first.

use super::{apdu, text};
use crate::error::{ErrorKind, ParseError};
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry::{FrameStatus, Options};
use crate::span::Span;
use crate::wire::crc16_x25;

/// Start delimiter.
pub const START: u8 = 0x68;
/// End delimiter.
pub const END: u8 = 0x16;
/// Wake-up byte that may precede a frame.
pub const WAKE_UP: u8 = 0xFE;

/// Field positions from the start delimiter (those before the server address).
mod field {
    pub const LENGTH: usize = 1;
    pub const CONTROL: usize = 3;
    pub const AF: usize = 4;
    pub const SA: usize = 5;
}

/// Server address length from the address flag byte (AF bits 3..0, plus one).
pub fn sa_len(af: u8) -> usize {
    (af & 0x0F) as usize + 1
}

/// Total frame length (0x68 through 0x16) stated by the length field.
pub fn stated_total(l0: u8, l1: u8) -> Option<usize> {
    let raw = u16::from_le_bytes([l0, l1]);
    if raw & 0x8000 != 0 {
        return None; // reserved bit
    }
    let n = (raw & 0x3FFF) as usize;
    let n = if raw & 0x4000 != 0 { n * 1024 } else { n };
    Some(n + 2)
}

/// Stream framing: optional FE wake-up bytes, then a frame whose length field
/// and end delimiter agree.
pub fn frame(bytes: &[u8]) -> FrameStatus {
    let pre = bytes.iter().take_while(|&&b| b == WAKE_UP).count();
    let b = &bytes[pre..];
    match b.first() {
        Some(&START) => {}
        _ => return FrameStatus::NoMatch,
    }
    if b.len() < field::SA {
        return FrameStatus::Incomplete { preamble: pre, needed: None };
    }
    let Some(total) = stated_total(b[1], b[2]) else { return FrameStatus::NoMatch };
    let sa = sa_len(b[field::AF]);
    // 68 L L C AF SA CA HCS HCS FCS FCS 16: at least 11 bytes besides the SA.
    if total < 11 + sa {
        return FrameStatus::NoMatch;
    }
    // Function code 0, 2 and 4..7 are not defined.
    if !matches!(b[field::CONTROL] & 0x07, 1 | 3) {
        return FrameStatus::NoMatch;
    }
    if b.len() < total {
        return FrameStatus::Incomplete { preamble: pre, needed: Some(total - b.len()) };
    }
    if b[total - 1] != END {
        return FrameStatus::NoMatch;
    }
    FrameStatus::Complete { preamble: pre, len: total }
}

/// How well a complete frame fits: both CRCs right 100, one 70, none 40.
pub fn score(f: &[u8]) -> u8 {
    if f.len() < 12 {
        return 0;
    }
    let sa = sa_len(f[field::AF]);
    let hcs_at = field::SA + sa + 1;
    if f.len() < hcs_at + 5 {
        return 0;
    }
    let hcs_ok = crc16_x25(&f[1..hcs_at]) == u16::from_le_bytes([f[hcs_at], f[hcs_at + 1]]);
    let n = f.len();
    let fcs_ok = crc16_x25(&f[1..n - 3]) == u16::from_le_bytes([f[n - 3], f[n - 2]]);
    match (hcs_ok, fcs_ok) {
        (true, true) => 100,
        (true, false) | (false, true) => 70,
        _ => 40,
    }
}

/// Names of the address types (AF bits 7..6).
static ADDRESS_TYPES: [(&str, &str); 4] = [
    ("single address", "单地址"),
    ("wildcard address", "通配地址"),
    ("group address", "组地址"),
    ("broadcast address", "广播地址"),
];

/// Names of the fragment types (fragment format bits 15..14).
static FRAGMENT_TYPES: [(&str, &str); 4] = [
    ("first fragment", "起始帧"),
    ("last fragment", "最后帧"),
    ("confirmation", "确认帧"),
    ("middle fragment", "中间帧"),
];

/// A CRC node and its check; a hint when the bytes are the CRC sent high byte first.
fn crc(f: &mut Frame, parent: NodeRef, fcs: bool, at: usize, stated: u16, computed: u16) {
    let (id, mismatch, byte_order) = if fcs {
        ("dlt698.fcs", "dlt698.fcs.mismatch", "dlt698.fcs.byte-order")
    } else {
        ("dlt698.hcs", "dlt698.hcs.mismatch", "dlt698.hcs.byte-order")
    };
    let span = Span::at(f.span.start + at, 2);
    f.check(Check {
        id: Id::Static(id),
        label: Msg::Label,
        stated: Msg::Code(text::hex4, stated.into()),
        computed: Msg::Code(text::hex4, computed.into()),
        ok: stated == computed,
        span,
    });
    if stated != computed {
        let v = u64::from(fcs) << 32 | u64::from(stated) << 16 | u64::from(computed);
        f.diag(Severity::Error, span, mismatch, Msg::Code(text::crc_mismatch, v));
        if stated.swap_bytes() == computed {
            let m = msg!(
                "the bytes hold the right CRC sent high byte first; DL/T 698.45 sends it low byte first",
                "这两个字节是高字节在前的正确校验值；DL/T 698.45 规定低字节在前"
            );
            f.diag(Severity::Info, span, byte_order, m);
        }
    }
    f.add(parent, id, span, NodeKind::Check).value(Msg::Code(text::hex4, stated.into()));
}

/// A frame cut short by the end of the input at relative position `at`.
fn truncated(f: &mut Frame, at: usize, needed: Option<usize>) {
    let m = match needed {
        Some(n) => Msg::Code(text::input_ends, n as u64),
        None => msg!("the input ends before the frame is complete", "输入在帧结束前终止"),
    };
    f.diag(Severity::Error, Span::at(f.span.start + at, 0), "dlt698.truncated", m);
}

/// Dissect one frame (tolerant: a cut-short or malformed frame gives what it
/// can). `base` is the absolute offset of `f[0]`; the options change nothing
/// here (the policy is the registry's).
pub fn dissect(f: &[u8], base: usize, _opts: &Options) -> Frame {
    let mut fr = Frame::new(super::NAME, f, base).with_labels(super::LABELS);
    // About one node per byte: room for them at once, not by doubling.
    fr.reserve_nodes(f.len().clamp(24, 512));
    let root = fr.add(NONE, "dlt698", Span::at(base, f.len()), NodeKind::Data).index();
    let at = |rel: usize, len: usize| Span::at(base + rel, len);

    // Start delimiter.
    let Some(&first) = f.first() else {
        truncated(&mut fr, 0, None);
        return fr.finish();
    };
    fr.add(root, "dlt698.link.start", at(0, 1), NodeKind::Delimiter).value(Msg::Code(text::hex2, first.into()));
    if first != START {
        fr.diag(
            Severity::Error,
            at(0, 1),
            "dlt698.start.missing",
            msg!("a frame starts with 0x68", "帧应以 0x68 开始"),
        );
    }

    // Header: length, control, address flag, server address, client address, HCS.
    let header_end = if f.len() > field::AF { field::SA + sa_len(f[field::AF]) + 3 } else { field::SA + 4 };
    header(&mut fr, root, f);
    if f.len() < header_end {
        truncated(&mut fr, f.len(), Some(header_end - f.len()));
        return fr.finish();
    }
    let total = stated_total(f[1], f[2]);

    // The frame as the length field states it, against the bytes present.
    let body_end = match total {
        Some(t) if t <= f.len() => {
            if t < f.len() {
                let m = Msg::Code(text::length_mismatch, (t as u64) << 32 | f.len() as u64);
                fr.diag(Severity::Error, at(1, 2), "dlt698.length.mismatch", m);
            }
            t.max(header_end + 3)
        }
        Some(t) => {
            truncated(&mut fr, f.len(), Some(t - f.len()));
            f.len() + 3
        }
        None => {
            let m = msg!("the reserved bit 15 of the length field is set", "长度域保留位 bit15 被置位");
            fr.diag(Severity::Error, at(1, 2), "dlt698.length.mismatch", m);
            f.len()
        }
    };
    let complete = body_end <= f.len();
    let apdu_end = if complete { body_end - 3 } else { f.len() };
    let apdu_end = apdu_end.max(header_end);

    // Link user data: optional fragment header, then the APDU (maybe scrambled).
    let control = f[field::CONTROL];
    let mut pos = header_end;
    if control & 0x20 != 0 {
        if apdu_end >= pos + 2 {
            let w = u16::from_le_bytes([f[pos], f[pos + 1]]);
            let t = (w >> 14) as usize;
            let words = &FRAGMENT_TYPES[t];
            let frag = fr
                .add(root, "dlt698.link.fragment", at(pos, 2), NodeKind::Control)
                .value(Msg::Code(text::hex4, w.into()))
                .text(Msg::Bi(words))
                .index();
            fr.add(frag, "dlt698.link.fragment.seq", at(pos, 2), NodeKind::Data)
                .value(Msg::Uint(u64::from(w & 0x0FFF)));
            fr.add(frag, "dlt698.link.fragment.type", at(pos + 1, 1), NodeKind::Data)
                .value(Msg::Uint(t as u64))
                .text(Msg::Bi(words));
            pos += 2;
            if apdu_end > pos {
                let span = at(pos, apdu_end - pos);
                fr.add(root, "dlt698.link.fragment.data", span, NodeKind::Data)
                    .value(Msg::Hex { span, spaced: false, reversed: false })
                    .text(crate::msg!("APDU fragment (not reassembled)", "APDU 片段（未重组）"));
            }
            pos = apdu_end;
        } else {
            let m = msg!("the fragment header is missing", "缺少分帧格式域");
            fr.diag(Severity::Error, Span::new(base + pos, base + apdu_end), "dlt698.truncated", m);
        }
    }
    if pos < apdu_end {
        let scrambled = control & 0x08 != 0;
        // The frame keeps the user data as the APDU dissector reads it:
        // descrambled when the frame is scrambled.
        let mut bytes = core::mem::take(&mut fr.bytes);
        if scrambled {
            bytes[pos..apdu_end].iter_mut().for_each(|b| *b = b.wrapping_sub(0x33));
        }
        let node = apdu::dissect_into(&mut fr, root, &bytes[pos..apdu_end], base + pos);
        fr.bytes = bytes;
        if scrambled {
            let first = crate::msg!("descrambled (−0x33); ", "已去扰码（减 0x33）；");
            fr.replace_text(node, |old| match old {
                Msg::None => first,
                old => Msg::Concat(Box::new([first, old])),
            });
        }
    }

    // FCS and end delimiter.
    if complete {
        let n = body_end;
        let stated = u16::from_le_bytes([f[n - 3], f[n - 2]]);
        crc(&mut fr, root, true, n - 3, stated, crc16_x25(&f[1..n - 3]));
        let end = f[n - 1];
        fr.add(root, "dlt698.link.end", at(n - 1, 1), NodeKind::Delimiter).value(Msg::Code(text::hex2, end.into()));
        if end != END {
            fr.diag(
                Severity::Error,
                at(n - 1, 1),
                "dlt698.end.missing",
                msg!("a frame ends with 0x16", "帧应以 0x16 结束"),
            );
        }
        if n < f.len() {
            let span = at(n, f.len() - n);
            fr.add(root, "dlt698.trailing", span, NodeKind::Unknown).value(Msg::Hex {
                span,
                spaced: false,
                reversed: false,
            });
        }
    }
    // The root's value names the APDU ("SET-Request-Normal").
    let summary = fr
        .children(root)
        .find(|(_, c)| c.id == Id::Static("dlt698.apdu"))
        .map(|(_, c)| c.value.clone())
        .filter(|v| !v.is_none())
        .unwrap_or(Msg::Str(""));
    fr.node_mut(root).value(summary);
    fr.finish()
}

/// The header fields present in `f` (which holds at least the start byte).
fn header(fr: &mut Frame, root: NodeRef, f: &[u8]) {
    let base = fr.span.start;
    let at = |rel: usize, len: usize| Span::at(base + rel, len);
    if f.len() < 3 {
        return;
    }
    let raw = u16::from_le_bytes([f[1], f[2]]);
    let unit = if raw & 0x4000 != 0 { crate::msg!("kilobytes", "千字节") } else { crate::msg!("bytes", "字节") };
    fr.add(root, "dlt698.link.length", at(field::LENGTH, 2), NodeKind::Length)
        .value(Msg::Uint(u64::from(raw & 0x3FFF)))
        .text(unit);

    let Some(&c) = f.get(field::CONTROL) else { return };
    let func = c & 0x07;
    let func_text = match func {
        1 => crate::msg!("link management", "链路管理"),
        3 => crate::msg!("user data", "用户数据"),
        _ => crate::msg!("reserved", "保留"),
    };
    let dir = if c & 0x80 != 0 {
        crate::msg!("from server", "服务器发出")
    } else {
        crate::msg!("from client", "客户机发出")
    };
    let prm = if c & 0x40 != 0 {
        crate::msg!("initiated by client", "客户机发起")
    } else {
        crate::msg!("initiated by server", "服务器发起")
    };
    let span = at(field::CONTROL, 1);
    let control = fr
        .add(root, "dlt698.link.control", span, NodeKind::Control)
        .value(Msg::Code(text::hex2, c.into()))
        .text(Msg::Code(text::control, c.into()))
        .index();
    let bit = |fr: &mut Frame, id: &'static str, mask: u8, text: Msg| {
        let v = (c & mask) >> mask.trailing_zeros();
        fr.add(control, id, span, NodeKind::Control).value(Msg::Uint(v.into())).text(text).bits(mask.into());
    };
    bit(fr, "dlt698.link.control.dir", 0x80, dir);
    bit(fr, "dlt698.link.control.prm", 0x40, prm);
    bit(fr, "dlt698.link.control.frag", 0x20, Msg::None);
    bit(fr, "dlt698.link.control.sc", 0x08, Msg::None);
    bit(fr, "dlt698.link.control.func", 0x07, func_text);

    let Some(&af) = f.get(field::AF) else { return };
    let words = &ADDRESS_TYPES[(af >> 6) as usize];
    let span = at(field::AF, 1);
    let af_node = fr
        .add(root, "dlt698.link.af", span, NodeKind::Address)
        .value(Msg::Code(text::hex2, af.into()))
        .text(Msg::Bi(words))
        .index();
    let bit = |fr: &mut Frame, id: &'static str, v: usize, mask: u16, text: Msg| {
        fr.add(af_node, id, span, NodeKind::Control).value(Msg::Uint(v as u64)).text(text).bits(mask);
    };
    bit(fr, "dlt698.link.af.type", (af >> 6).into(), 0xC0, Msg::Bi(words));
    bit(fr, "dlt698.link.af.logical", ((af >> 4) & 3).into(), 0x30, Msg::None);
    // The value is the address length (the bits hold it minus one).
    bit(fr, "dlt698.link.af.len", sa_len(af), 0x0F, Msg::None);

    let n = sa_len(af);
    if f.len() < field::SA + n {
        return;
    }
    let sa = at(field::SA, n);
    let wire = match text::pack_bytes(&f[field::SA..field::SA + n]) {
        Some(v) => Msg::Code(text::wire_order, v),
        None => {
            let hex = Msg::Hex { span: sa, spaced: false, reversed: false };
            Msg::Concat(Box::new([crate::msg!("wire order ", "报文顺序 "), hex]))
        }
    };
    fr.add(root, "dlt698.address.sa", sa, NodeKind::Address)
        .value(Msg::Hex { span: sa, spaced: false, reversed: true })
        .text(wire);

    let ca_at = field::SA + n;
    let Some(&ca) = f.get(ca_at) else { return };
    fr.add(root, "dlt698.address.ca", at(ca_at, 1), NodeKind::Address).value(Msg::Code(text::hex2, ca.into()));

    let hcs_at = ca_at + 1;
    let Some(h) = f.get(hcs_at..hcs_at + 2) else { return };
    let stated = u16::from_le_bytes([h[0], h[1]]);
    crc(fr, root, false, hcs_at, stated, crc16_x25(&f[1..hcs_at]));
}

/// A frame as data, for programs: strict parse and emit (CRCs computed on emit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameRepr {
    /// Control field C.
    pub control: u8,
    /// Address flag AF; its low nibble must agree with `sa`.
    pub af: u8,
    /// Server address in wire order (byte-reversed).
    pub sa: Vec<u8>,
    /// Client address CA.
    pub ca: u8,
    /// Link user data: fragment header (when C bit 5 is set) and APDU, as sent.
    pub user_data: Vec<u8>,
}

impl FrameRepr {
    /// Bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        11 + self.sa.len() + self.user_data.len()
    }

    /// Strict parse of exactly one frame (no wake-up bytes).
    pub fn parse(f: &[u8]) -> Result<FrameRepr, ParseError> {
        let need = |n: usize| {
            if f.len() < n {
                Err(ParseError::new(f.len(), ErrorKind::Truncated { needed: n - f.len() }))
            } else {
                Ok(())
            }
        };
        need(5)?;
        if f[0] != START {
            return Err(ParseError::new(0, ErrorKind::UnexpectedByte { found: f[0], expected: "0x68" }));
        }
        let total = stated_total(f[1], f[2]).ok_or(ParseError::new(2, ErrorKind::BadValue { what: "length field" }))?;
        let sa = sa_len(f[field::AF]);
        let header_end = field::SA + sa + 3;
        if total < header_end + 3 {
            return Err(ParseError::new(1, ErrorKind::BadLength { stated: total, actual: f.len() }));
        }
        need(total)?;
        if f.len() > total {
            return Err(ParseError::new(total, ErrorKind::TrailingBytes { count: f.len() - total }));
        }
        let hcs_at = header_end - 2;
        let hcs = u16::from_le_bytes([f[hcs_at], f[hcs_at + 1]]);
        let computed = crc16_x25(&f[1..hcs_at]);
        if hcs != computed {
            return Err(ParseError::new(
                hcs_at,
                ErrorKind::ChecksumMismatch { stated: hcs as u32, computed: computed as u32 },
            ));
        }
        let fcs_at = total - 3;
        let fcs = u16::from_le_bytes([f[fcs_at], f[fcs_at + 1]]);
        let computed = crc16_x25(&f[1..fcs_at]);
        if fcs != computed {
            return Err(ParseError::new(
                fcs_at,
                ErrorKind::ChecksumMismatch { stated: fcs as u32, computed: computed as u32 },
            ));
        }
        if f[total - 1] != END {
            return Err(ParseError::new(
                total - 1,
                ErrorKind::UnexpectedByte { found: f[total - 1], expected: "0x16" },
            ));
        }
        Ok(FrameRepr {
            control: f[field::CONTROL],
            af: f[field::AF],
            sa: f[field::SA..field::SA + sa].to_vec(),
            ca: f[field::SA + sa],
            user_data: f[header_end..fcs_at].to_vec(),
        })
    }

    /// The frame bytes, with length field, HCS and FCS computed.
    /// The AF length nibble is taken from `sa` (1–16 bytes; longer is cut, empty becomes `00`).
    pub fn emit(&self) -> Vec<u8> {
        let sa: &[u8] = if self.sa.is_empty() { &[0] } else { &self.sa[..self.sa.len().min(16)] };
        let af = (self.af & 0xF0) | (sa.len().saturating_sub(1) as u8 & 0x0F);
        let total = 11 + sa.len() + self.user_data.len();
        let l = ((total - 2) as u16 & 0x3FFF).to_le_bytes();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&[START, l[0], l[1], self.control, af]);
        out.extend_from_slice(sa);
        out.push(self.ca);
        let hcs = crc16_x25(&out[1..]).to_le_bytes();
        out.extend_from_slice(&hcs);
        out.extend_from_slice(&self.user_data);
        let fcs = crc16_x25(&out[1..]).to_le_bytes();
        out.extend_from_slice(&fcs);
        out.push(END);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: [u8; 33] = [
        0x68, 0x1F, 0x00, 0x43, 0x05, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xB5, 0x0B, 0x06, 0x01, 0x04, 0x40,
        0x00, 0x02, 0x00, 0x1C, 0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00, 0x00, 0x05, 0x69, 0x16,
    ];

    #[test]
    fn crc_x25() {
        assert_eq!(crc16_x25(b"123456789"), 0x906E);
        assert_eq!(crc16_x25(&GOLDEN[1..12]), 0x0BB5);
        assert_eq!(crc16_x25(&GOLDEN[1..30]), 0x6905);
    }

    #[test]
    fn framing() {
        assert_eq!(frame(&GOLDEN), FrameStatus::Complete { preamble: 0, len: 33 });
        let mut pre = vec![0xFE, 0xFE];
        pre.extend_from_slice(&GOLDEN);
        pre.push(0x00);
        assert_eq!(frame(&pre), FrameStatus::Complete { preamble: 2, len: 33 });
        assert_eq!(frame(&GOLDEN[..20]), FrameStatus::Incomplete { preamble: 0, needed: Some(13) });
        assert_eq!(frame(&GOLDEN[..3]), FrameStatus::Incomplete { preamble: 0, needed: None });
        assert_eq!(frame(&[0x00, 0x68]), FrameStatus::NoMatch);
        assert_eq!(frame(&[]), FrameStatus::NoMatch);
        // A DL/T 645 frame is not taken.
        let f645 = [0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0x68, 0x16];
        assert_eq!(frame(&f645), FrameStatus::NoMatch);
        let mut bad_end = GOLDEN;
        bad_end[32] = 0x17;
        assert_eq!(frame(&bad_end), FrameStatus::NoMatch);
        assert_eq!(score(&GOLDEN), 100);
        let mut bad = GOLDEN;
        bad[12] ^= 1;
        assert_eq!(score(&bad), 40); // the FCS covers the HCS too
    }

    #[test]
    fn strict_parse_and_emit() {
        let r = FrameRepr::parse(&GOLDEN).unwrap();
        assert_eq!((r.control, r.af, r.ca), (0x43, 0x05, 0x10));
        assert_eq!(r.sa, vec![0x08, 0, 0, 0, 0, 0]);
        assert_eq!(r.user_data.len(), 16);
        assert_eq!(r.buffer_len(), GOLDEN.len());
        assert_eq!(r.emit(), GOLDEN.to_vec());
        let mut bad = GOLDEN;
        bad[30] ^= 0xFF;
        assert_eq!(FrameRepr::parse(&bad).unwrap_err().offset, 30);
        assert!(matches!(FrameRepr::parse(&GOLDEN[..10]).unwrap_err().kind, ErrorKind::Truncated { .. }));
    }
}
