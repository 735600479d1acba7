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

use super::{Cx, HDLC, Rd, apdu, hex};
use crate::lang::Lang;
use crate::registry::{FrameStatus, Options};
use crate::span::Span;
use crate::view::{Check, Frame, Node, NodeKind};
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
fn param_name(id: u8, lang: Lang) -> &'static str {
    match id {
        0x05 => lang.pick("maximum information field length, transmit", "最大信息域长度(发送)"),
        0x06 => lang.pick("maximum information field length, receive", "最大信息域长度(接收)"),
        0x07 => lang.pick("window size, transmit", "窗口大小(发送)"),
        0x08 => lang.pick("window size, receive", "窗口大小(接收)"),
        _ => lang.pick("unknown parameter", "未知参数"),
    }
}

/// Dissect one frame (tolerant).
pub fn dissect(f: &[u8], base: usize, opts: &Options) -> Frame {
    let mut cx = Cx::new(opts.lang, &opts.keys);
    let mut root = dissect_into(&mut cx, f, base);
    super::uniquify(&mut root);
    Frame::new(HDLC, root, cx.checks, cx.diags)
}

fn crc_check(cx: &mut Cx, id: &str, code: &str, span: Span, stated: u16, computed: u16) -> Node {
    let label = cx.lang.label(id);
    cx.checks.push(Check {
        id: id.into(),
        label: label.clone(),
        stated: format!("0x{stated:04X}"),
        computed: format!("0x{computed:04X}"),
        ok: stated == computed,
        span,
    });
    if stated != computed {
        let en = format!("{label} is 0x{stated:04X}, computed 0x{computed:04X}");
        let zh = format!("{label}为 0x{stated:04X}，计算值为 0x{computed:04X}");
        cx.error(span, code, &en, &zh);
        if stated.swap_bytes() == computed {
            cx.info(
                span,
                &code.replace("mismatch", "byte-order"),
                "the bytes hold the right CRC sent high byte first; IEC 62056-46 sends it low byte first",
                "这两个字节是高字节在前的正确校验值；IEC 62056-46 规定低字节在前",
            );
        }
    }
    cx.node(id, span).kind(NodeKind::Check).value(format!("0x{stated:04X}"))
}

fn address(cx: &mut Cx, id: &str, b: &[u8], at: usize, client: bool) -> Node {
    let mut n = cx.node(id, Span::at(at, b.len())).kind(NodeKind::Address).value(hex(b));
    let v = |x: u8| (x >> 1) as u32;
    let (upper, lower) = match b.len() {
        1 if client => {
            n.push(cx.node(format!("{id}.client"), Span::at(at, 1)).kind(NodeKind::Address).value(v(b[0]).to_string()));
            n.text = Some(format!("{} {}", cx.lang.pick("client SAP", "客户端 SAP"), v(b[0])));
            return n;
        }
        1 => (Some((v(b[0]), 1)), None),
        2 => (Some((v(b[0]), 1)), Some((v(b[1]), 1))),
        _ => (Some(((v(b[0]) << 7) | v(b[1]), 2)), Some(((v(b[2]) << 7) | v(b[3]), 2))),
    };
    let mut text = Vec::new();
    if let Some((u, w)) = upper {
        n.push(cx.node(format!("{id}.upper"), Span::at(at, w)).kind(NodeKind::Address).value(u.to_string()));
        text.push(format!("{} {u}", cx.lang.pick("logical", "逻辑")));
    }
    if let Some((l, w)) = lower {
        n.push(
            cx.node(format!("{id}.lower"), Span::at(at + b.len() - w, w)).kind(NodeKind::Address).value(l.to_string()),
        );
        text.push(format!("{} {l}", cx.lang.pick("physical", "物理")));
    }
    n.text = Some(format!("{} {}", cx.lang.pick("server", "服务器"), text.join(", ")));
    n
}

/// Dissect into a tree, recording checks and diagnostics in `cx`.
pub fn dissect_into(cx: &mut Cx, f: &[u8], base: usize) -> Node {
    let lang = cx.lang;
    let mut root = cx.node("dlms.hdlc", Span::at(base, f.len()));
    let n = f.len();
    if n == 0 {
        cx.truncated(base);
        return root;
    }
    root.push(cx.node("dlms.hdlc.flag", Span::at(base, 1)).kind(NodeKind::Delimiter).value(format!("0x{:02X}", f[0])));
    if f[0] != FLAG {
        cx.error(
            Span::at(base, 1),
            "dlms.hdlc.flag.missing",
            "an HDLC frame starts with the flag 0x7E",
            "HDLC 帧应以标志 0x7E 开始",
        );
    }
    if n < 3 {
        cx.truncated(base + n);
        return root;
    }
    // Format field.
    let flen = (((f[1] & 0x07) as usize) << 8) | f[2] as usize;
    let seg = f[1] & 0x08 != 0;
    let mut fmt = cx
        .node("dlms.hdlc.format", Span::at(base + 1, 2))
        .kind(NodeKind::Length)
        .value(format!("0x{:02X}{:02X}", f[1], f[2]));
    fmt.push(cx.node("dlms.hdlc.format.type", Span::at(base + 1, 1)).value(format!("0x{:X}", f[1] >> 4)).text(
        if f[1] >> 4 == 0xA { lang.pick("type 3", "类型 3") } else { lang.pick("not type 3", "不是类型 3") },
    ));
    fmt.push(cx.node("dlms.hdlc.format.segmented", Span::at(base + 1, 1)).value(if seg { "1" } else { "0" }));
    fmt.push(cx.node("dlms.hdlc.format.length", Span::at(base + 1, 2)).kind(NodeKind::Length).value(flen.to_string()));
    root.push(fmt);
    if f[1] >> 4 != 0xA {
        cx.error(
            Span::at(base + 1, 1),
            "dlms.hdlc.format.type",
            "the frame format is not type 3 (0xA)",
            "帧格式不是类型 3 (0xA)",
        );
    }
    if flen + 2 != n {
        let en = format!("the length field says {flen} bytes between the flags, {} are present", n.saturating_sub(2));
        let zh = format!("长度域为 {flen} 字节，实际标志之间有 {} 字节", n.saturating_sub(2));
        if flen + 2 > n {
            cx.error(Span::at(base + 1, 2), "dlms.hdlc.truncated", &en, &zh);
        } else {
            cx.error(Span::at(base + 1, 2), "dlms.hdlc.length.mismatch", &en, &zh);
        }
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
            "the destination address does not end within 1, 2 or 4 bytes",
            "目的地址未在 1、2 或 4 字节内结束",
        );
        return root;
    };
    let src_len = address_len(&f[pos + dl..body_end.max(pos + dl)]);
    let Some(sl) = src_len else {
        cx.error(
            Span::at(base + pos + dl, body_end.saturating_sub(pos + dl).min(4)),
            "dlms.hdlc.address",
            "the source address does not end within 1, 2 or 4 bytes",
            "源地址未在 1、2 或 4 字节内结束",
        );
        return root;
    };
    // The one-byte address is the client's when the other is longer; when both are one byte,
    // the destination is taken as the server (a client's command).
    let dst_client = dl == 1 && sl > 1;
    let src_client = sl == 1 && !dst_client;
    root.push(address(cx, "dlms.hdlc.dst", &f[pos..pos + dl], base + pos, dst_client));
    pos += dl;
    root.push(address(cx, "dlms.hdlc.src", &f[pos..pos + sl], base + pos, src_client));
    pos += sl;
    if pos >= body_end {
        cx.truncated(base + pos);
        return root;
    }
    let c = f[pos];
    let ctrl = Control::parse(c);
    let mut cn = cx
        .node("dlms.hdlc.control", Span::at(base + pos, 1))
        .kind(NodeKind::Control)
        .value(format!("0x{c:02X}"))
        .text(ctrl.summary());
    match ctrl {
        Control::I { ns, nr, .. } => {
            cn.push(
                cx.node("dlms.hdlc.control.ns", Span::at(base + pos, 1)).kind(NodeKind::Control).value(ns.to_string()),
            );
            cn.push(
                cx.node("dlms.hdlc.control.nr", Span::at(base + pos, 1)).kind(NodeKind::Control).value(nr.to_string()),
            );
        }
        Control::Rr { nr, .. } | Control::Rnr { nr, .. } => {
            cn.push(
                cx.node("dlms.hdlc.control.nr", Span::at(base + pos, 1)).kind(NodeKind::Control).value(nr.to_string()),
            );
        }
        Control::Unknown(_) => cx.warning(
            Span::at(base + pos, 1),
            "dlms.hdlc.control.unknown",
            "this control field names no IEC 62056-46 frame type",
            "该控制域不对应 IEC 62056-46 帧类型",
        ),
        _ => {}
    }
    if let Some(pf) = ctrl.pf() {
        cn.push(
            cx.node("dlms.hdlc.control.pf", Span::at(base + pos, 1))
                .kind(NodeKind::Control)
                .value(u8::from(pf).to_string()),
        );
    }
    root.value = Some(ctrl.name().to_string());
    root.push(cn);
    pos += 1;
    let header_end = pos;

    // FCS and HCS. A frame cut short has no FCS yet: what is there is header and info.
    let cut = flen + 2 > n;
    if !cut && body_end < header_end + 2 {
        cx.error(
            Span::at(base + header_end, body_end - header_end),
            "dlms.hdlc.length.mismatch",
            "no room for the FCS",
            "没有 FCS 的位置",
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
                    "one byte between the control field and the FCS: no room for an HCS",
                    "控制域与 FCS 之间只有一个字节，放不下 HCS",
                );
            }
        } else {
            let stated = u16::from_le_bytes([f[header_end], f[header_end + 1]]);
            let computed = crc16_x25(&f[1..header_end]);
            let node = crc_check(
                cx,
                "dlms.hdlc.hcs",
                "dlms.hdlc.hcs.mismatch",
                Span::at(base + header_end, 2),
                stated,
                computed,
            );
            root.push(node);
            let info_at = header_end + 2;
            if info_at < fcs_at {
                let info = info_field(cx, &f[info_at..fcs_at], base + info_at, ctrl, seg);
                root.push(info);
            }
        }
    }
    if cut {
        return root;
    }
    let stated = u16::from_le_bytes([f[fcs_at], f[fcs_at + 1]]);
    let computed = crc16_x25(&f[1..fcs_at]);
    let node = crc_check(cx, "dlms.hdlc.fcs", "dlms.hdlc.fcs.mismatch", Span::at(base + fcs_at, 2), stated, computed);
    root.push(node);
    if closing {
        root.push(cx.node("dlms.hdlc.flag", Span::at(base + end - 1, 1)).kind(NodeKind::Delimiter).value("0x7E"));
    } else if end == flen + 2 {
        cx.error(
            Span::at(base + end - 1, 1),
            "dlms.hdlc.flag.missing",
            "the frame does not end with the flag 0x7E",
            "帧未以标志 0x7E 结束",
        );
    }
    if n > end {
        cx.error(
            Span::new(base + end, base + n),
            "dlms.trailing",
            "bytes after the end of the frame",
            "帧结束后还有多余字节",
        );
        root.push(
            cx.node("dlms.trailing", Span::new(base + end, base + n)).kind(NodeKind::Unknown).value(hex(&f[end..])),
        );
    }
    root
}

/// The information field: SNRM/UA parameters, or an LLC header and an APDU.
fn info_field(cx: &mut Cx, b: &[u8], at: usize, ctrl: Control, seg: bool) -> Node {
    let lang = cx.lang;
    let mut node = cx.node("dlms.hdlc.info", Span::at(at, b.len()));
    match ctrl {
        Control::Snrm { .. } | Control::Ua { .. } if b.first() == Some(&0x81) => {
            node.push(params(cx, b, at));
            return node;
        }
        Control::I { .. } | Control::Ui { .. } => {}
        _ => {
            node.value = Some(hex(b));
            return node;
        }
    }
    let mut rest = b;
    let mut off = at;
    if b.len() >= 3 && b[0] == 0xE6 && (b[1] == 0xE6 || b[1] == 0xE7) {
        let text = if b[1] == 0xE6 {
            lang.pick("command (client to server)", "命令(客户端到服务器)")
        } else {
            lang.pick("response (server to client)", "响应(服务器到客户端)")
        };
        node.push(cx.node("dlms.hdlc.llc", Span::at(at, 3)).kind(NodeKind::Control).value(hex(&b[..3])).text(text));
        if b[2] != 0 {
            cx.warning(
                Span::at(at + 2, 1),
                "dlms.hdlc.llc.quality",
                "the LLC quality byte is not 0",
                "LLC 质量字节不为 0",
            );
        }
        rest = &b[3..];
        off = at + 3;
    }
    if seg {
        node.push(cx.node("dlms.hdlc.segment", Span::at(off, rest.len())).value(hex(rest)));
        cx.info(
            Span::at(off, rest.len()),
            "dlms.hdlc.segmented",
            "a segment of a longer APDU: the APDU is decoded once the segments are joined",
            "较长 APDU 的一个分段：需拼接各段后才能解码",
        );
        return node;
    }
    // The last segment has the segmentation bit clear and no LLC header (only the
    // first segment carries one): an I frame like that which is no APDU of its own.
    if matches!(ctrl, Control::I { .. }) && off == at && !rest.is_empty() && !super::clean(rest) {
        node.push(cx.node("dlms.hdlc.segment", Span::at(off, rest.len())).value(hex(rest)));
        cx.info(
            Span::at(off, rest.len()),
            "dlms.hdlc.last-segment",
            "no LLC header and no APDU of its own: the last segment of a longer APDU, decoded once the segments are joined",
            "无 LLC 头且自身不是完整 APDU：较长 APDU 的最后一段，需拼接各段后才能解码",
        );
        return node;
    }
    if !rest.is_empty() {
        let a = apdu::apdu(cx, rest, off);
        node.push(a);
    }
    node
}

/// SNRM/UA parameter negotiation: `81 80 len (id len value)*`.
fn params(cx: &mut Cx, b: &[u8], at: usize) -> Node {
    let mut node = cx.node("dlms.hdlc.params", Span::at(at, b.len()));
    let mut rd = Rd::new(b, at);
    let fstart = rd.at();
    rd.u8();
    node.push(cx.node("dlms.hdlc.params.format", rd.since(fstart)).value("0x81"));
    let mut gi = 0;
    while rd.left() > 0 {
        let gstart = rd.at();
        let (Some(gid), Some(glen)) = (rd.u8(), rd.u8()) else {
            cx.truncated(rd.at());
            break;
        };
        gi += 1;
        let Some(group) = rd.take(glen as usize) else {
            cx.error(
                rd.since(gstart),
                "dlms.hdlc.params.length",
                "the parameter group runs past the information field",
                "参数组超出信息域",
            );
            break;
        };
        let mut g = cx.node(format!("dlms.hdlc.params.group.{gi}"), rd.since(gstart)).value(format!("0x{gid:02X}"));
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
                    "the parameter runs past its group",
                    "参数超出参数组",
                );
                break;
            };
            pi += 1;
            let value = v.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
            g.push(
                cx.node(format!("dlms.hdlc.params.group.{gi}.param.{pi}"), prd.since(pstart))
                    .value(value.to_string())
                    .text(format!("0x{pid:02X} {}", param_name(pid, cx.lang))),
            );
        }
        node.push(g);
    }
    node
}
