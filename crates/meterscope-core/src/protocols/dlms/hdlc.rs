//! HDLC frames of IEC 62056-46 (frame format type 3).
//!
//! ```text
//! 7E | format (2) | dst addr (1/2/4) | src addr (1/2/4) | control | [HCS (2) | info] | FCS (2) | 7E
//! ```
//! The format field is `1010 S LLL LLLLLLLL`: type 3, the segmentation bit S
//! and an 11-bit length counting every byte between the flags. Address bytes
//! end with the byte whose low bit is 1. HCS covers format..control, FCS covers
//! format..end of info; both are CRC-16/X-25, low byte first. There is no byte
//! stuffing: frames are delimited by the length field, and 0x7E may occur in
//! the information field.

use super::{Cx, HDLC, Rd, apdu, byte_msg};
use crate::lang::Lang;
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry::{FrameStatus, Options};
use crate::span::Span;
use crate::wire::crc16_x25;

/// The flag that opens and closes a frame.
pub const FLAG: u8 = 0x7E;

/// The 11-bit frame length from the two format bytes, when the type is 3.
pub fn format_length(f0: u8, f1: u8) -> Option<usize> {
    (f0 & 0xF0 == 0xA0).then_some((((f0 & 0x07) as usize) << 8) | f1 as usize)
}

/// Length of an HDLC address starting at `b[0]` (ends with a byte whose LSB is 1).
pub fn address_len(b: &[u8]) -> Option<usize> {
    let n = b.iter().take(4).position(|x| x & 1 == 1)? + 1;
    matches!(n, 1 | 2 | 4).then_some(n)
}

/// Stream framing: extra flags are a preamble; the length field gives the end.
pub fn frame(bytes: &[u8]) -> FrameStatus {
    let flags = bytes.iter().take_while(|&&b| b == FLAG).count();
    if flags == 0 {
        return FrameStatus::NoMatch;
    }
    let pre = flags - 1;
    let b = &bytes[pre..];
    if b.len() < 3 {
        return FrameStatus::Incomplete { preamble: pre, needed: None };
    }
    let Some(len) = format_length(b[1], b[2]) else { return FrameStatus::NoMatch };
    // format (2) + dst + src + control + FCS (2) at least.
    if len < 7 {
        return FrameStatus::NoMatch;
    }
    let total = len + 2;
    if b.len() < total {
        // The addresses must be readable to believe a frame starts here.
        if b.len() > 3 && address_len(&b[3..]).is_none() && b.len() >= 7 {
            return FrameStatus::NoMatch;
        }
        return FrameStatus::Incomplete { preamble: pre, needed: Some(total - b.len()) };
    }
    if b[total - 1] != FLAG {
        return FrameStatus::NoMatch;
    }
    FrameStatus::Complete { preamble: pre, len: total }
}

/// Header length (format..control) of a frame, if the addresses read.
fn header_len(f: &[u8]) -> Option<usize> {
    let dst = address_len(f.get(3..)?)?;
    let src = address_len(f.get(3 + dst..)?)?;
    let h = 2 + dst + src + 1;
    (f.len() > h).then_some(h)
}

/// Fit: both CRCs right 100, one 70, none 40; 0 when the addresses do not read.
pub fn score(f: &[u8]) -> u8 {
    let n = f.len();
    let Some(h) = header_len(f) else { return 0 };
    if n < h + 4 {
        return 0;
    }
    let fcs_ok = crc16_x25(&f[1..n - 3]) == u16::from_le_bytes([f[n - 3], f[n - 2]]);
    if n == h + 4 {
        return if fcs_ok { 100 } else { 40 };
    }
    let hcs_ok = n >= h + 6 && crc16_x25(&f[1..1 + h]) == u16::from_le_bytes([f[1 + h], f[2 + h]]);
    match (hcs_ok, fcs_ok) {
        (true, true) => 100,
        (true, false) | (false, true) => 70,
        _ => 40,
    }
}

/// The kinds of control field, with their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    I { ns: u8, nr: u8, pf: bool },
    Rr { nr: u8, pf: bool },
    Rnr { nr: u8, pf: bool },
    Snrm { pf: bool },
    Disc { pf: bool },
    Ua { pf: bool },
    Dm { pf: bool },
    Frmr { pf: bool },
    Ui { pf: bool },
    Unknown(u8),
}

impl Control {
    pub fn parse(c: u8) -> Control {
        let pf = c & 0x10 != 0;
        let nr = c >> 5;
        if c & 1 == 0 {
            return Control::I { ns: (c >> 1) & 7, nr, pf };
        }
        match c & 0x0F {
            0x01 => return Control::Rr { nr, pf },
            0x05 => return Control::Rnr { nr, pf },
            _ => {}
        }
        match c & 0xEF {
            0x83 => Control::Snrm { pf },
            0x43 => Control::Disc { pf },
            0x63 => Control::Ua { pf },
            0x0F => Control::Dm { pf },
            0x87 => Control::Frmr { pf },
            0x03 => Control::Ui { pf },
            _ => Control::Unknown(c),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Control::I { .. } => "I",
            Control::Rr { .. } => "RR",
            Control::Rnr { .. } => "RNR",
            Control::Snrm { .. } => "SNRM",
            Control::Disc { .. } => "DISC",
            Control::Ua { .. } => "UA",
            Control::Dm { .. } => "DM",
            Control::Frmr { .. } => "FRMR",
            Control::Ui { .. } => "UI",
            Control::Unknown(_) => "?",
        }
    }

    fn pf(self) -> Option<bool> {
        match self {
            Control::I { pf, .. } | Control::Rr { pf, .. } | Control::Rnr { pf, .. } => Some(pf),
            Control::Snrm { pf } | Control::Disc { pf } | Control::Ua { pf } => Some(pf),
            Control::Dm { pf } | Control::Frmr { pf } | Control::Ui { pf } => Some(pf),
            Control::Unknown(_) => None,
        }
    }

    /// `I N(S)=0 N(R)=0 P=1`, `SNRM P=1`, `RR N(R)=2 P/F=1`.
    pub fn summary(self) -> String {
        let pf = self.pf().map(u8::from).unwrap_or(0);
        match self {
            Control::I { ns, nr, .. } => format!("I N(S)={ns} N(R)={nr} P/F={pf}"),
            Control::Rr { nr, .. } | Control::Rnr { nr, .. } => format!("{} N(R)={nr} P/F={pf}", self.name()),
            Control::Unknown(c) => format!("unknown 0x{c:02X}"),
            _ => format!("{} P/F={pf}", self.name()),
        }
    }
}

/// HDLC parameter names of the SNRM/UA negotiation (group 0x80).
fn param_name(id: u8) -> Msg {
    match id {
        0x05 => crate::msg!("maximum information field length, transmit", "最大信息域长度(发送)"),
        0x06 => crate::msg!("maximum information field length, receive", "最大信息域长度(接收)"),
        0x07 => crate::msg!("window size, transmit", "窗口大小(发送)"),
        0x08 => crate::msg!("window size, receive", "窗口大小(接收)"),
        _ => crate::msg!("unknown parameter", "未知参数"),
    }
}

/// The summary of a control byte (see [`Control::summary`]), written when rendered.
fn control_summary(c: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    w.write_str(&Control::parse(c as u8).summary())
}

/// Dissect one frame (tolerant).
pub fn dissect(f: &[u8], base: usize, opts: &Options) -> Frame {
    let mut cx = Cx::new(HDLC, f, base, &opts.keys);
    dissect_into(&mut cx, f, base);
    cx.finish()
}

#[allow(clippy::too_many_arguments)]
fn crc_check(
    cx: &mut Cx,
    parent: NodeRef,
    id: &'static str,
    code: &'static str,
    order: &'static str,
    span: Span,
    stated: u16,
    computed: u16,
) {
    let hex4 = |v: u16| Msg::HexNum { value: v.into(), digits: 4 };
    cx.check(Check {
        id: Id::Static(id),
        label: Msg::Label,
        stated: hex4(stated),
        computed: hex4(computed),
        ok: stated == computed,
        span,
    });
    if stated != computed {
        let label = crate::lang::lookup_row(super::LABELS, id).map_or(Msg::Str(id), |r| Msg::Bi(r));
        let m = msg!("{} is 0x{:04X}, computed 0x{:04X}", "{}为 0x{:04X}，计算值为 0x{:04X}", label, stated, computed);
        cx.diag(Severity::Error, span, code, m);
        if stated.swap_bytes() == computed {
            cx.info(
                span,
                order,
                &(
                    "the bytes hold the right CRC sent high byte first; IEC 62056-46 sends it low byte first",
                    "这两个字节是高字节在前的正确校验值；IEC 62056-46 规定低字节在前",
                ),
            );
        }
    }
    cx.add_once(parent, id, span).kind(NodeKind::Check).value(hex4(stated));
}

/// Ids of an address and its parts.
struct AddrIds {
    id: &'static str,
    client: &'static str,
    upper: &'static str,
    lower: &'static str,
}

static DST: AddrIds = AddrIds {
    id: "dlms.hdlc.dst",
    client: "dlms.hdlc.dst.client",
    upper: "dlms.hdlc.dst.upper",
    lower: "dlms.hdlc.dst.lower",
};
static SRC: AddrIds = AddrIds {
    id: "dlms.hdlc.src",
    client: "dlms.hdlc.src.client",
    upper: "dlms.hdlc.src.upper",
    lower: "dlms.hdlc.src.lower",
};

/// Flags of a packed address for [`address_text`].
const CLIENT: u64 = 1 << 63;
const LOWER: u64 = 1 << 62;

/// `client SAP 16`, `server logical 1, physical 17` from a packed address
/// (upper in bits 32–61, lower or client in bits 0–31).
fn address_text(v: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let (upper, lower) = ((v >> 32) & 0x3FFF_FFFF, v & 0xFFFF_FFFF);
    if v & CLIENT != 0 {
        return write!(w, "{} {lower}", lang.pick("client SAP", "客户端 SAP"));
    }
    write!(w, "{} {upper}", lang.pick("server logical", "服务器 逻辑"))?;
    if v & LOWER != 0 {
        write!(w, ", {} {lower}", lang.pick("physical", "物理"))?;
    }
    Ok(())
}

fn address(cx: &mut Cx, parent: NodeRef, ids: &AddrIds, b: &[u8], at: usize, client: bool) {
    let span = Span::at(at, b.len());
    let value = cx.hex(span);
    let n = cx.add_once(parent, ids.id, span).kind(NodeKind::Address).value(value).index();
    let v = |x: u8| (x >> 1) as u32;
    let (upper, lower) = match b.len() {
        1 if client => {
            cx.add_once(n, ids.client, Span::at(at, 1)).kind(NodeKind::Address).value(Msg::Uint(v(b[0]).into()));
            cx.set(n).text(Msg::Code(address_text, u64::from(v(b[0])) | CLIENT));
            return;
        }
        1 => ((v(b[0]), 1), None),
        2 => ((v(b[0]), 1), Some((v(b[1]), 1))),
        _ => (((v(b[0]) << 7) | v(b[1]), 2), Some(((v(b[2]) << 7) | v(b[3]), 2))),
    };
    let (u, w) = upper;
    cx.add_once(n, ids.upper, Span::at(at, w)).kind(NodeKind::Address).value(Msg::Uint(u.into()));
    let text = match lower {
        Some((l, w)) => {
            cx.add_once(n, ids.lower, Span::at(at + b.len() - w, w)).kind(NodeKind::Address).value(Msg::Uint(l.into()));
            Msg::Code(address_text, u64::from(u) << 32 | u64::from(l) | LOWER)
        }
        None => Msg::Code(address_text, u64::from(u) << 32),
    };
    cx.set(n).text(text);
}

/// Dissect into the frame, from its root.
pub fn dissect_into(cx: &mut Cx, f: &[u8], base: usize) -> NodeRef {
    let root = cx.add_once(NONE, "dlms.hdlc", Span::at(base, f.len())).index();
    let n = f.len();
    if n == 0 {
        cx.truncated(base);
        return root;
    }
    cx.add_once(root, "dlms.hdlc.flag", Span::at(base, 1)).kind(NodeKind::Delimiter).value(byte_msg(f[0]));
    if f[0] != FLAG {
        cx.error(
            Span::at(base, 1),
            "dlms.hdlc.flag.missing",
            &("an HDLC frame starts with the flag 0x7E", "HDLC 帧应以标志 0x7E 开始"),
        );
    }
    if n < 3 {
        cx.truncated(base + n);
        return root;
    }
    // Format field.
    let flen = (((f[1] & 0x07) as usize) << 8) | f[2] as usize;
    let seg = f[1] & 0x08 != 0;
    let fmt = cx
        .add_once(root, "dlms.hdlc.format", Span::at(base + 1, 2))
        .kind(NodeKind::Length)
        .value(Msg::HexNum { value: u64::from(u16::from_be_bytes([f[1], f[2]])), digits: 4 })
        .index();
    cx.add_once(fmt, "dlms.hdlc.format.type", Span::at(base + 1, 1))
        .bits(0xF0)
        .value(Msg::HexNum { value: u64::from(f[1] >> 4), digits: 1 })
        .text(if f[1] >> 4 == 0xA {
            crate::msg!("type 3", "类型 3")
        } else {
            crate::msg!("not type 3", "不是类型 3")
        });
    cx.add_once(fmt, "dlms.hdlc.format.segmented", Span::at(base + 1, 1)).bits(0x08).value(Msg::Str(if seg {
        "1"
    } else {
        "0"
    }));
    cx.add_once(fmt, "dlms.hdlc.format.length", Span::at(base + 1, 2))
        .kind(NodeKind::Length)
        .bits(0x07FF)
        .value(Msg::Uint(flen as u64));
    if f[1] >> 4 != 0xA {
        cx.error(
            Span::at(base + 1, 1),
            "dlms.hdlc.format.type",
            &("the frame format is not type 3 (0xA)", "帧格式不是类型 3 (0xA)"),
        );
    }
    if flen + 2 != n {
        let m = msg!(
            "the length field says {} bytes between the flags, {} are present",
            "长度域为 {} 字节，实际标志之间有 {} 字节",
            flen,
            n.saturating_sub(2)
        );
        let code = if flen + 2 > n { "dlms.hdlc.truncated" } else { "dlms.hdlc.length.mismatch" };
        cx.diag(Severity::Error, Span::at(base + 1, 2), code, m);
    }
    // The frame as the length says, within the bytes present.
    let end = (flen + 2).min(n);
    let closing = end == flen + 2 && f[end - 1] == FLAG;
    let body_end = if closing { end - 1 } else { end }; // exclusive end before the closing flag
    // Addresses.
    let mut pos = 3;
    let dst_len = address_len(&f[pos..body_end.max(pos)]);
    let Some(dl) = dst_len else {
        cx.error(
            Span::at(base + pos, body_end.saturating_sub(pos).min(4)),
            "dlms.hdlc.address",
            &("the destination address does not end within 1, 2 or 4 bytes", "目的地址未在 1、2 或 4 字节内结束"),
        );
        return root;
    };
    let src_len = address_len(&f[pos + dl..body_end.max(pos + dl)]);
    let Some(sl) = src_len else {
        cx.error(
            Span::at(base + pos + dl, body_end.saturating_sub(pos + dl).min(4)),
            "dlms.hdlc.address",
            &("the source address does not end within 1, 2 or 4 bytes", "源地址未在 1、2 或 4 字节内结束"),
        );
        return root;
    };
    // The one-byte address is the client's when the other is longer; when both are one byte,
    // the destination is taken as the server (a client's command).
    let dst_client = dl == 1 && sl > 1;
    let src_client = sl == 1 && !dst_client;
    address(cx, root, &DST, &f[pos..pos + dl], base + pos, dst_client);
    pos += dl;
    address(cx, root, &SRC, &f[pos..pos + sl], base + pos, src_client);
    pos += sl;
    if pos >= body_end {
        cx.truncated(base + pos);
        return root;
    }
    let c = f[pos];
    let ctrl = Control::parse(c);
    cx.set(root).value(Msg::Str(ctrl.name()));
    let cn = cx
        .add_once(root, "dlms.hdlc.control", Span::at(base + pos, 1))
        .kind(NodeKind::Control)
        .value(byte_msg(c))
        .text(Msg::Code(control_summary, c.into()))
        .index();
    let cspan = Span::at(base + pos, 1);
    match ctrl {
        Control::I { ns, nr, .. } => {
            let n = cx.add_once(cn, "dlms.hdlc.control.ns", cspan).kind(NodeKind::Control).bits(0x0E);
            n.value(Msg::Uint(ns.into()));
            let n = cx.add_once(cn, "dlms.hdlc.control.nr", cspan).kind(NodeKind::Control).bits(0xE0);
            n.value(Msg::Uint(nr.into()));
        }
        Control::Rr { nr, .. } | Control::Rnr { nr, .. } => {
            let n = cx.add_once(cn, "dlms.hdlc.control.nr", cspan).kind(NodeKind::Control).bits(0xE0);
            n.value(Msg::Uint(nr.into()));
        }
        Control::Unknown(_) => cx.warning(
            cspan,
            "dlms.hdlc.control.unknown",
            &("this control field names no IEC 62056-46 frame type", "该控制域不对应 IEC 62056-46 帧类型"),
        ),
        _ => {}
    }
    if let Some(pf) = ctrl.pf() {
        cx.add_once(cn, "dlms.hdlc.control.pf", cspan).kind(NodeKind::Control).bits(0x10).value(Msg::Str(if pf {
            "1"
        } else {
            "0"
        }));
    }
    pos += 1;
    let header_end = pos;

    // FCS and HCS. A frame cut short has no FCS yet: what is there is header and info.
    let cut = flen + 2 > n;
    if !cut && body_end < header_end + 2 {
        cx.error(
            Span::at(base + header_end, body_end - header_end),
            "dlms.hdlc.length.mismatch",
            &("no room for the FCS", "没有 FCS 的位置"),
        );
        return root;
    }
    let fcs_at = if cut { body_end } else { body_end - 2 };
    if fcs_at > header_end {
        if fcs_at < header_end + 2 {
            if !cut {
                cx.error(
                    Span::at(base + header_end, fcs_at - header_end),
                    "dlms.hdlc.length.mismatch",
                    &(
                        "one byte between the control field and the FCS: no room for an HCS",
                        "控制域与 FCS 之间只有一个字节，放不下 HCS",
                    ),
                );
            }
        } else {
            let stated = u16::from_le_bytes([f[header_end], f[header_end + 1]]);
            let computed = crc16_x25(&f[1..header_end]);
            crc_check(
                cx,
                root,
                "dlms.hdlc.hcs",
                "dlms.hdlc.hcs.mismatch",
                "dlms.hdlc.hcs.byte-order",
                Span::at(base + header_end, 2),
                stated,
                computed,
            );
            let info_at = header_end + 2;
            if info_at < fcs_at {
                info_field(cx, root, &f[info_at..fcs_at], base + info_at, ctrl, seg);
            }
        }
    }
    if cut {
        return root;
    }
    let stated = u16::from_le_bytes([f[fcs_at], f[fcs_at + 1]]);
    let computed = crc16_x25(&f[1..fcs_at]);
    crc_check(
        cx,
        root,
        "dlms.hdlc.fcs",
        "dlms.hdlc.fcs.mismatch",
        "dlms.hdlc.fcs.byte-order",
        Span::at(base + fcs_at, 2),
        stated,
        computed,
    );
    if closing {
        cx.add_once(root, Id::Indexed("dlms.hdlc.flag", 2), Span::at(base + end - 1, 1))
            .kind(NodeKind::Delimiter)
            .value(Msg::Str("0x7E"));
    } else if end == flen + 2 {
        cx.error(
            Span::at(base + end - 1, 1),
            "dlms.hdlc.flag.missing",
            &("the frame does not end with the flag 0x7E", "帧未以标志 0x7E 结束"),
        );
    }
    if n > end {
        let span = Span::new(base + end, base + n);
        cx.error(span, "dlms.trailing", &("bytes after the end of the frame", "帧结束后还有多余字节"));
        let v = cx.hex(span);
        cx.add_once(root, "dlms.trailing", span).kind(NodeKind::Unknown).value(v);
    }
    root
}

/// The information field: SNRM/UA parameters, or an LLC header and an APDU.
fn info_field(cx: &mut Cx, parent: NodeRef, b: &[u8], at: usize, ctrl: Control, seg: bool) {
    let node = cx.add_once(parent, "dlms.hdlc.info", Span::at(at, b.len())).index();
    match ctrl {
        Control::Snrm { .. } | Control::Ua { .. } if b.first() == Some(&0x81) => {
            params(cx, node, b, at);
            return;
        }
        Control::I { .. } | Control::Ui { .. } => {}
        _ => {
            let v = cx.hex(Span::at(at, b.len()));
            cx.set(node).value(v);
            return;
        }
    }
    let mut rest = b;
    let mut off = at;
    if b.len() >= 3 && b[0] == 0xE6 && (b[1] == 0xE6 || b[1] == 0xE7) {
        let text = if b[1] == 0xE6 {
            crate::msg!("command (client to server)", "命令(客户端到服务器)")
        } else {
            crate::msg!("response (server to client)", "响应(服务器到客户端)")
        };
        let v = cx.hex(Span::at(at, 3));
        cx.add_once(node, "dlms.hdlc.llc", Span::at(at, 3)).kind(NodeKind::Control).value(v).text(text);
        if b[2] != 0 {
            cx.warning(
                Span::at(at + 2, 1),
                "dlms.hdlc.llc.quality",
                &("the LLC quality byte is not 0", "LLC 质量字节不为 0"),
            );
        }
        rest = &b[3..];
        off = at + 3;
    }
    let span = Span::at(off, rest.len());
    if seg {
        let v = cx.hex(span);
        cx.add_once(node, "dlms.hdlc.segment", span).value(v);
        cx.info(
            span,
            "dlms.hdlc.segmented",
            &(
                "a segment of a longer APDU: the APDU is decoded once the segments are joined",
                "较长 APDU 的一个分段：需拼接各段后才能解码",
            ),
        );
        return;
    }
    // The last segment has the segmentation bit clear and no LLC header (only the
    // first segment carries one): an I frame like that which is no APDU of its own.
    if matches!(ctrl, Control::I { .. }) && off == at && !rest.is_empty() && !super::clean(rest) {
        let v = cx.hex(span);
        cx.add_once(node, "dlms.hdlc.segment", span).value(v);
        cx.info(
            span,
            "dlms.hdlc.last-segment", &("no LLC header and no APDU of its own: the last segment of a longer APDU, decoded once the segments are joined", "无 LLC 头且自身不是完整 APDU：较长 APDU 的最后一段，需拼接各段后才能解码"),
        );
        return;
    }
    if !rest.is_empty() {
        apdu::apdu(cx, node, rest, off);
    }
}

/// SNRM/UA parameter negotiation: `81 80 len (id len value)*`.
fn params(cx: &mut Cx, parent: NodeRef, b: &[u8], at: usize) {
    const GROUP: &str = "dlms.hdlc.params.group";
    const PARAM: &str = "dlms.hdlc.params.group.param";
    let node = cx.add_once(parent, "dlms.hdlc.params", Span::at(at, b.len())).index();
    let mut rd = Rd::new(b, at);
    let fstart = rd.at();
    rd.u8();
    cx.add_once(node, "dlms.hdlc.params.format", rd.since(fstart)).value(Msg::Str("0x81"));
    let mut gi = 0;
    while rd.left() > 0 {
        let gstart = rd.at();
        let (Some(gid), Some(glen)) = (rd.u8(), rd.u8()) else {
            cx.truncated(rd.at());
            break;
        };
        gi += 1;
        // A group length that disagrees with the parameters after it (a UA
        // of `81 80 00 05 01 80 ..`): say so, and read them as the group.
        let after = &b[rd.at() - at..];
        let mut glen = usize::from(glen);
        if gid == 0x80 && glen != after.len() && super::link::LinkParams::well_formed(after) {
            let m = msg!(
                "the group length says {} bytes, but {} bytes of parameters follow: read as the group",
                "参数组长度为 {} 字节，其后却有 {} 字节参数：按参数组读取",
                glen,
                after.len()
            );
            cx.diag(Severity::Error, Span::at(gstart + 1, 1), "dlms.hdlc.params.group-length", m);
            glen = after.len();
        }
        let Some(group) = rd.take(glen) else {
            cx.error(
                rd.since(gstart),
                "dlms.hdlc.params.length",
                &("the parameter group runs past the information field", "参数组超出信息域"),
            );
            break;
        };
        let g = cx.add_once(node, Id::Indexed(GROUP, gi), rd.since(gstart)).value(byte_msg(gid)).index();
        let mut prd = Rd::new(group, gstart + 2);
        let mut pi = 0;
        while prd.left() > 0 {
            let pstart = prd.at();
            let (Some(pid), Some(plen)) = (prd.u8(), prd.u8()) else {
                cx.truncated(prd.at());
                break;
            };
            let Some(v) = prd.take(plen as usize) else {
                cx.error(
                    prd.since(pstart),
                    "dlms.hdlc.params.length",
                    &("the parameter runs past its group", "参数超出参数组"),
                );
                break;
            };
            pi += 1;
            let value = v.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
            if matches!(pid, 0x07 | 0x08) && !(1..=7).contains(&value) {
                let m = msg!(
                    "a window size is 1 to 7, not {}: taken as 1",
                    "窗口大小应为 1 至 7，而非 {}：按 1 处理",
                    value
                );
                cx.diag(Severity::Warning, prd.since(pstart), "dlms.hdlc.params.window", m);
            }
            let id = Id::Inner { key: PARAM, at: GROUP.len() as u16, index: gi, last: pi };
            cx.add_once(g, id, prd.since(pstart)).value(Msg::Uint(value)).text(msg!(
                "0x{:02X} {}",
                "0x{:02X} {}",
                pid,
                param_name(pid)
            ));
        }
    }
}
