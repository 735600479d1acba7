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

use super::apdu;
use super::data::hex;
use crate::error::{ErrorKind, ParseError};
use crate::lang::Lang;
use crate::registry::{self, FrameStatus, Options};
use crate::span::Span;
use crate::view::{Check, Diagnostic, Frame, Node, NodeKind};

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

/// CRC-16/X-25 (reflected polynomial 0x1021, initial 0xFFFF, final XOR 0xFFFF),
/// the HCS and FCS of clause 5.3.
pub fn fcs16(bytes: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for &b in bytes {
        crc ^= b as u16;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
        }
    }
    !crc
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
    let hcs_ok = fcs16(&f[1..hcs_at]) == u16::from_le_bytes([f[hcs_at], f[hcs_at + 1]]);
    let n = f.len();
    let fcs_ok = fcs16(&f[1..n - 3]) == u16::from_le_bytes([f[n - 3], f[n - 2]]);
    match (hcs_ok, fcs_ok) {
        (true, true) => 100,
        (true, false) | (false, true) => 70,
        _ => 40,
    }
}

/// Names of the address types (AF bits 7..6).
const ADDRESS_TYPES: [(&str, &str); 4] = [
    ("single address", "单地址"),
    ("wildcard address", "通配地址"),
    ("group address", "组地址"),
    ("broadcast address", "广播地址"),
];

/// Names of the fragment types (fragment format bits 15..14).
const FRAGMENT_TYPES: [(&str, &str); 4] = [
    ("first fragment", "起始帧"),
    ("last fragment", "最后帧"),
    ("confirmation", "确认帧"),
    ("middle fragment", "中间帧"),
];

struct Out {
    lang: Lang,
    base: usize,
    checks: Vec<Check>,
    diags: Vec<Diagnostic>,
}

impl Out {
    fn node(&self, id: &'static str, at: usize, len: usize) -> Node {
        Node::new(id, self.lang.label(id), Span::at(self.base + at, len))
    }

    fn bit(&self, id: &'static str, at: usize, value: impl Into<String>, text: Option<&str>) -> Node {
        let n = self.node(id, at, 1).kind(NodeKind::Control).value(value);
        match text {
            Some(t) => n.text(t),
            None => n,
        }
    }

    /// A CRC node and its check; a hint when the bytes are the CRC sent high byte first.
    fn crc(&mut self, id: &'static str, code: &str, at: usize, stated: u16, computed: u16) -> Node {
        let lang = self.lang;
        let span = Span::at(self.base + at, 2);
        self.checks.push(Check {
            id: id.into(),
            label: lang.label(id),
            stated: format!("0x{stated:04X}"),
            computed: format!("0x{computed:04X}"),
            ok: stated == computed,
            span,
        });
        if stated != computed {
            let msg = match lang {
                Lang::En => format!("{} is 0x{stated:04X}, computed 0x{computed:04X}", lang.label(id)),
                Lang::Zh => format!("{}为 0x{stated:04X}，计算值为 0x{computed:04X}", lang.label(id)),
            };
            self.diags.push(Diagnostic::error(span, format!("{code}.mismatch"), msg));
            if stated.swap_bytes() == computed {
                let msg = lang.pick(
                    "the bytes hold the right CRC sent high byte first; DL/T 698.45 sends it low byte first",
                    "这两个字节是高字节在前的正确校验值；DL/T 698.45 规定低字节在前",
                );
                self.diags.push(Diagnostic::info(span, format!("{code}.byte-order"), msg));
            }
        }
        self.node(id, at, 2).kind(NodeKind::Check).value(format!("0x{stated:04X}"))
    }
}

/// Dissect one frame (tolerant: a cut-short or malformed frame gives what it can).
pub fn dissect(f: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let mut out = Out { lang, base, checks: Vec::new(), diags: Vec::new() };
    let mut root = Node::new("dlt698", lang.label("dlt698"), Span::at(base, f.len()));

    // Start delimiter.
    let Some(&first) = f.first() else {
        out.diags.push(registry::truncated(base, None, "dlt698.truncated", lang));
        return Frame::new(super::NAME, root, out.checks, out.diags);
    };
    root.push(out.node("dlt698.link.start", 0, 1).kind(NodeKind::Delimiter).value(format!("0x{first:02X}")));
    if first != START {
        let msg = lang.pick("a frame starts with 0x68", "帧应以 0x68 开始");
        out.diags.push(Diagnostic::error(Span::at(base, 1), "dlt698.start.missing", msg));
    }

    // Header: length, control, address flag, server address, client address, HCS.
    let header_end = if f.len() > field::AF { field::SA + sa_len(f[field::AF]) + 3 } else { field::SA + 4 };
    if f.len() < header_end {
        header(&mut out, &mut root, f);
        out.diags.push(registry::truncated(base + f.len(), Some(header_end - f.len()), "dlt698.truncated", lang));
        return Frame::new(super::NAME, root, out.checks, out.diags);
    }
    header(&mut out, &mut root, f);
    let total = stated_total(f[1], f[2]);

    // The frame as the length field states it, against the bytes present.
    let body_end = match total {
        Some(t) if t <= f.len() => {
            if t < f.len() {
                let msg = match lang {
                    Lang::En => format!("the length field states {t} bytes, the frame has {}", f.len()),
                    Lang::Zh => format!("长度域为 {t} 字节，帧实际有 {} 字节", f.len()),
                };
                out.diags.push(Diagnostic::error(Span::at(base + 1, 2), "dlt698.length.mismatch", msg));
            }
            t.max(header_end + 3)
        }
        Some(t) => {
            out.diags.push(registry::truncated(base + f.len(), Some(t - f.len()), "dlt698.truncated", lang));
            f.len() + 3
        }
        None => {
            let msg = lang.pick("the reserved bit 15 of the length field is set", "长度域保留位 bit15 被置位");
            out.diags.push(Diagnostic::error(Span::at(base + 1, 2), "dlt698.length.mismatch", msg));
            f.len()
        }
    };
    let complete = body_end <= f.len();
    let apdu_end = if complete { body_end - 3 } else { f.len() };
    let apdu_end = apdu_end.max(header_end);

    // Link user data: optional fragment header, then the APDU (maybe scrambled).
    let control = f[field::CONTROL];
    let mut at = header_end;
    if control & 0x20 != 0 {
        if apdu_end >= at + 2 {
            let w = u16::from_le_bytes([f[at], f[at + 1]]);
            let t = (w >> 14) as usize;
            let frag = out
                .node("dlt698.link.fragment", at, 2)
                .kind(NodeKind::Control)
                .value(format!("0x{w:04X}"))
                .text(lang.pick(FRAGMENT_TYPES[t].0, FRAGMENT_TYPES[t].1))
                .child(out.node("dlt698.link.fragment.seq", at, 2).value((w & 0x0FFF).to_string()))
                .child(
                    out.node("dlt698.link.fragment.type", at + 1, 1)
                        .value(t.to_string())
                        .text(lang.pick(FRAGMENT_TYPES[t].0, FRAGMENT_TYPES[t].1)),
                );
            root.push(frag);
            at += 2;
            let payload = &f[at..apdu_end];
            if !payload.is_empty() {
                let node = out
                    .node("dlt698.link.fragment.data", at, payload.len())
                    .value(hex(payload))
                    .text(lang.pick("APDU fragment (not reassembled)", "APDU 片段（未重组）"));
                root.push(node);
            }
            at = apdu_end;
        } else {
            let msg = lang.pick("the fragment header is missing", "缺少分帧格式域");
            out.diags.push(Diagnostic::error(Span::new(base + at, base + apdu_end), "dlt698.truncated", msg));
        }
    }
    if at < apdu_end {
        let scrambled = control & 0x08 != 0;
        let bytes: Vec<u8> = if scrambled {
            f[at..apdu_end].iter().map(|b| b.wrapping_sub(0x33)).collect()
        } else {
            f[at..apdu_end].to_vec()
        };
        let (mut node, diags) = apdu::dissect_apdu(&bytes, base + at, opts);
        if scrambled {
            node.text = Some(format!(
                "{}{}",
                lang.pick("descrambled (−0x33); ", "已去扰码（减 0x33）；"),
                node.text.take().unwrap_or_default()
            ));
        }
        root.push(node);
        out.diags.extend(diags);
    }

    // FCS and end delimiter.
    if complete {
        let n = body_end;
        let stated = u16::from_le_bytes([f[n - 3], f[n - 2]]);
        let fcs = out.crc("dlt698.fcs", "dlt698.fcs", n - 3, stated, fcs16(&f[1..n - 3]));
        root.push(fcs);
        let end = f[n - 1];
        root.push(out.node("dlt698.link.end", n - 1, 1).kind(NodeKind::Delimiter).value(format!("0x{end:02X}")));
        if end != END {
            let msg = lang.pick("a frame ends with 0x16", "帧应以 0x16 结束");
            out.diags.push(Diagnostic::error(Span::at(base + n - 1, 1), "dlt698.end.missing", msg));
        }
        if n < f.len() {
            let rest = &f[n..];
            root.push(out.node("dlt698.trailing", n, rest.len()).kind(NodeKind::Unknown).value(hex(rest)));
        }
    }
    let summary = root_summary(&root);
    root = root.value(summary);
    Frame::new(super::NAME, root, out.checks, out.diags)
}

/// "SET-Request-Normal" and the like, from the APDU node.
fn root_summary(root: &Node) -> String {
    root.children.iter().find(|c| c.id == "dlt698.apdu").and_then(|a| a.value.clone()).unwrap_or_default()
}

/// The header fields present in `f` (which holds at least the start byte).
fn header(out: &mut Out, root: &mut Node, f: &[u8]) {
    let lang = out.lang;
    if f.len() >= 3 {
        let raw = u16::from_le_bytes([f[1], f[2]]);
        let n = raw & 0x3FFF;
        let unit = if raw & 0x4000 != 0 { lang.pick("kilobytes", "千字节") } else { lang.pick("bytes", "字节") };
        root.push(
            out.node("dlt698.link.length", field::LENGTH, 2).kind(NodeKind::Length).value(n.to_string()).text(unit),
        );
    } else {
        return;
    }
    let Some(&c) = f.get(field::CONTROL) else { return };
    let func = c & 0x07;
    let func_text = match func {
        1 => lang.pick("link management", "链路管理"),
        3 => lang.pick("user data", "用户数据"),
        _ => lang.pick("reserved", "保留"),
    };
    let dir = if c & 0x80 != 0 {
        lang.pick("from server", "服务器发出")
    } else {
        lang.pick("from client", "客户机发出")
    };
    let prm = if c & 0x40 != 0 {
        lang.pick("initiated by client", "客户机发起")
    } else {
        lang.pick("initiated by server", "服务器发起")
    };
    let at = field::CONTROL;
    let control = out
        .node("dlt698.link.control", at, 1)
        .kind(NodeKind::Control)
        .value(format!("0x{c:02X}"))
        .text(format!("{dir}, {func_text}"))
        .child(out.bit("dlt698.link.control.dir", at, (c >> 7).to_string(), Some(dir)))
        .child(out.bit("dlt698.link.control.prm", at, ((c >> 6) & 1).to_string(), Some(prm)))
        .child(out.bit("dlt698.link.control.frag", at, ((c >> 5) & 1).to_string(), None))
        .child(out.bit("dlt698.link.control.sc", at, ((c >> 3) & 1).to_string(), None))
        .child(out.bit("dlt698.link.control.func", at, func.to_string(), Some(func_text)));
    root.push(control);

    let Some(&af) = f.get(field::AF) else { return };
    let t = (af >> 6) as usize;
    let at = field::AF;
    let af_node = out
        .node("dlt698.link.af", at, 1)
        .kind(NodeKind::Address)
        .value(format!("0x{af:02X}"))
        .text(lang.pick(ADDRESS_TYPES[t].0, ADDRESS_TYPES[t].1))
        .child(out.bit(
            "dlt698.link.af.type",
            at,
            t.to_string(),
            Some(lang.pick(ADDRESS_TYPES[t].0, ADDRESS_TYPES[t].1)),
        ))
        .child(out.bit("dlt698.link.af.logical", at, ((af >> 4) & 3).to_string(), None))
        .child(out.bit("dlt698.link.af.len", at, sa_len(af).to_string(), None));
    root.push(af_node);

    let n = sa_len(af);
    let Some(sa) = f.get(field::SA..field::SA + n) else { return };
    let reversed: Vec<u8> = sa.iter().rev().copied().collect();
    let sa_node = out
        .node("dlt698.address.sa", field::SA, n)
        .kind(NodeKind::Address)
        .value(hex(&reversed))
        .text(format!("{} {}", lang.pick("wire order", "报文顺序"), hex(sa)));
    root.push(sa_node);

    let ca_at = field::SA + n;
    let Some(&ca) = f.get(ca_at) else { return };
    root.push(out.node("dlt698.address.ca", ca_at, 1).kind(NodeKind::Address).value(format!("0x{ca:02X}")));

    let hcs_at = ca_at + 1;
    let Some(h) = f.get(hcs_at..hcs_at + 2) else { return };
    let stated = u16::from_le_bytes([h[0], h[1]]);
    let node = out.crc("dlt698.hcs", "dlt698.hcs", hcs_at, stated, fcs16(&f[1..hcs_at]));
    root.push(node);
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
        let computed = fcs16(&f[1..hcs_at]);
        if hcs != computed {
            return Err(ParseError::new(
                hcs_at,
                ErrorKind::ChecksumMismatch { stated: hcs as u32, computed: computed as u32 },
            ));
        }
        let fcs_at = total - 3;
        let fcs = u16::from_le_bytes([f[fcs_at], f[fcs_at + 1]]);
        let computed = fcs16(&f[1..fcs_at]);
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
        let hcs = fcs16(&out[1..]).to_le_bytes();
        out.extend_from_slice(&hcs);
        out.extend_from_slice(&self.user_data);
        let fcs = fcs16(&out[1..]).to_le_bytes();
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
        assert_eq!(fcs16(b"123456789"), 0x906E);
        assert_eq!(fcs16(&GOLDEN[1..12]), 0x0BB5);
        assert_eq!(fcs16(&GOLDEN[1..30]), 0x6905);
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
