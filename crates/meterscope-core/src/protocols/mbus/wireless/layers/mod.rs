//! The layers of a wireless M-Bus telegram, outermost first: the link
//! layer (EN 13757-4), the extended link layer (ELL, CI 8Ch–8Fh), the
//! authentication and fragmentation layer (AFL, CI 90h, EN 13757-7), the
//! transport layer (TPL: CI field, short or long header, configuration
//! field) with security modes 5 and 7, and the application data read by
//! the wired family's code.
//!
//! The transport layer and the security modes are in `tpl`.

use super::super::link::{self, bit};
use super::super::{Cx, dict, hex, hex_as};
use super::crypto;
use super::frame::{self, Format};
use crate::model::{Check, Msg, NodeKind, NodeRef, ReadDerived, Severity};
use crate::msg;
use crate::registry::{self, Keys};
use crate::span::Span;
use crate::wire::{Cursor, crc16_en13757};

mod tpl;

use tpl::tpl;

/// Nested extended link layers read at most (each may decrypt the rest).
const MAX_DEPTH: u8 = 4;

/// What the outer layers tell the inner ones: the addresses and counters
/// the initialisation vectors and keys are made of.
#[derive(Clone, Debug, Default)]
struct Sec {
    /// The link layer's M and A fields.
    m: [u8; 2],
    a: [u8; 6],
    /// The extended link layer's communication control field.
    cc: u8,
    /// The message goes to the meter (by its C field).
    to_meter: bool,
    /// The authentication and fragmentation layer, if any.
    afl: Option<Afl>,
    depth: u8,
    /// An ELL or an AFL was read: each comes at most once.
    ell_seen: bool,
    afl_seen: bool,
}

#[derive(Clone, Debug, Default)]
struct Afl {
    mcl: Option<u8>,
    ki: Option<[u8; 2]>,
    mcr: Option<[u8; 4]>,
    ml: Option<[u8; 2]>,
    /// The MAC and where it stands.
    mac: Option<(Vec<u8>, usize)>,
    /// The bytes after the AFL (TPL and APL), over which the MAC is made.
    after: Vec<u8>,
}

/// The link layer and everything after it; `t` holds the telegram without
/// CRCs, `t[0]` at the frame's base.
pub(super) fn telegram(cx: &mut Cx, root: NodeRef, t: &[u8], format: Format, keys: &Keys) {
    let base = cx.base;
    let Some(&l) = t.first() else {
        registry::truncated_diag(&mut cx.f, base, None, "wmbus.truncated");
        return;
    };
    let crcs = frame::blocks(format, cx.f.bytes.len()).len();
    let expected = match format {
        Format::B => (usize::from(l) + 1).saturating_sub(2 * crcs),
        _ => usize::from(l) + 1,
    };
    let n = cx.add(root, "wmbus.length", base, 1, NodeKind::Length);
    let text = match format {
        Format::Plain => msg!("{} byte(s) after L (CRCs taken out)", "L 之后 {} 个字节（已去除 CRC）", l),
        Format::A => msg!("{} byte(s) after L, CRCs not counted (format A)", "L 之后 {} 个字节，不含 CRC（格式 A）", l),
        Format::B => msg!("{} byte(s) after L, CRCs counted (format B)", "L 之后 {} 个字节，含 CRC（格式 B）", l),
    };
    cx.f.node_mut(n).value(Msg::Uint(l.into())).text(text);
    if l < frame::MIN_L {
        let msg = msg!(
            "L = {}: a telegram holds at least C, M, A and CI (L ≥ 10)",
            "L = {}：报文至少包含 C、M、A 和 CI（L ≥ 10）",
            l
        );
        cx.diag(Severity::Error, base, 1, "wmbus.length.short", msg);
    }
    let mut summary = Vec::new();
    if let Some(&c) = t.get(1) {
        summary.push(control(cx, root, base + 1, c));
    }
    if t.len() >= 4 {
        let code = u16::from_le_bytes([t[2], t[3]]);
        let n = cx.add(root, "wmbus.manufacturer", base + 2, 2, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Code(dict::manufacturer_words, code.into())).text(msg!(
            "code 0x{:04X}",
            "代码 0x{:04X}",
            code
        ));
        if !frame::manufacturer_ok(code) {
            let msg =
                msg!("0x{:04X} is not a manufacturer code of three letters", "0x{:04X} 不是三字母制造商代码", code);
            cx.diag(Severity::Warning, base + 2, 2, "wmbus.manufacturer.invalid", msg);
        }
        summary.push(Msg::Code(dict::manufacturer_words, code.into()));
    }
    if t.len() >= frame::FIRST {
        let an = cx.add(root, "wmbus.address", base + 4, 6, NodeKind::Address);
        cx.f.node_mut(an).value(hex_as(cx.src, Span::at(base + 4, 4), false, true));
        link::identification(cx, an, "wmbus.address.id", base + 4, &t[4..8]);
        let n = cx.add(an, "wmbus.address.version", base + 8, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::HexNum { value: t[8].into(), digits: 2 });
        let n = cx.add(an, "wmbus.address.medium", base + 9, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::HexNum { value: t[9].into(), digits: 2 }).text(dict::medium(t[9]));
        if dict::lookup(dict::MEDIUM, t[9]).is_none() {
            let msg = msg!("device type 0x{:02X} is reserved", "设备类型 0x{:02X} 为保留值", t[9]);
            cx.diag(Severity::Warning, base + 9, 1, "wmbus.address.medium", msg);
        }
        summary.push(hex_as(cx.src, Span::at(base + 4, 4), false, true));
        summary.push(dict::medium(t[9]));
    }
    cx.f.node_mut(root).text(Msg::joined(summary, " · "));
    if t.len() <= frame::FIRST {
        registry::truncated_diag(&mut cx.f, base + t.len(), Some(expected.saturating_sub(t.len())), "wmbus.truncated");
        return;
    }
    let end = expected.min(t.len());
    let mut sec = Sec::default();
    sec.m.copy_from_slice(&t[2..4]);
    sec.to_meter = frame::to_meter(t[1]);
    sec.a.copy_from_slice(&t[4..10]);
    let mut cur = Cursor::new(&t[..end], base);
    cur.seek(frame::FIRST);
    layers(cx, root, &mut cur, &mut sec, keys);
    if t.len() < expected {
        registry::truncated_diag(&mut cx.f, base + t.len(), Some(expected - t.len()), "wmbus.truncated");
    } else if t.len() > expected {
        let at = base + expected;
        let len = t.len() - expected;
        let n = cx.add(root, "wmbus.trailing", at, len, NodeKind::Unknown);
        cx.f.node_mut(n).value(hex(cx.src, Span::at(at, len)));
        let msg = msg!("{} byte(s) after the end given by L", "L 所示结尾之后还有 {} 个字节", len);
        cx.diag(Severity::Warning, at, len, "wmbus.trailing", msg);
    }
}

/// Words of a C field.
fn function_words(c: u8) -> Msg {
    match frame::function(c) {
        Some(row) => Msg::Bi(row),
        None => msg!("not a wireless M-Bus C field", "不是无线 M-Bus 的 C 字段"),
    }
}

static PRM: [(&str, &str); 2] = [
    ("reply or acknowledgement (secondary station)", "应答或确认（从站）"),
    ("send or request (primary station)", "发送或请求（主站）"),
];

/// The C field and its bits.
fn control(cx: &mut Cx, root: NodeRef, at: usize, c: u8) -> Msg {
    let n = cx.add(root, "wmbus.control", at, 1, NodeKind::Control);
    let words = function_words(c);
    cx.f.node_mut(n).value(Msg::HexNum { value: c.into(), digits: 2 }).text(words.clone());
    bit(cx, n, "wmbus.control.prm", at, (c, 0x40), Msg::Bi(&PRM[usize::from(c >> 6 & 1)]));
    if c & 0x40 != 0 {
        bit(cx, n, "wmbus.control.fcb", at, (c, 0x20), Msg::None);
        bit(cx, n, "wmbus.control.fcv", at, (c, 0x10), Msg::None);
    } else {
        bit(cx, n, "wmbus.control.acd", at, (c, 0x20), Msg::None);
        bit(cx, n, "wmbus.control.dfc", at, (c, 0x10), Msg::None);
    }
    bit(cx, n, "wmbus.control.function", at, (c, 0x0F), Msg::None);
    if frame::function(c).is_none() {
        let msg = msg!("C field 0x{:02X} is not one of EN 13757-4", "C 字段 0x{:02X} 不是 EN 13757-4 定义的值", c);
        cx.diag(Severity::Warning, at, 1, "wmbus.control.unknown", msg);
    }
    words
}

/// A bit field of a two-byte field sent least significant byte first.
fn bit16(cx: &mut Cx, parent: NodeRef, id: &'static str, at: usize, (v, mask): (u16, u16), text: Msg) {
    let value = (v & mask) >> mask.trailing_zeros();
    let n = cx.add(parent, id, at, 2, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::Uint(value.into())).text(text).bits(mask.swap_bytes());
}

fn yes_no(on: bool) -> Msg {
    if on { msg!("yes", "是") } else { msg!("no", "否") }
}

/// Bytes shown as they are under `parent`.
fn bytes_node(cx: &mut Cx, parent: NodeRef, id: &'static str, at: usize, len: usize, kind: NodeKind) -> NodeRef {
    let n = cx.add(parent, id, at, len, kind);
    cx.f.node_mut(n).value(hex(cx.src, Span::at(at, len)));
    n
}

/// The layers from the CI field at `cur` on.
fn layers(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, sec: &mut Sec, keys: &Keys) {
    while let Some(ci) = cur.peek() {
        match ci {
            0x8C..=0x8F if !sec.ell_seen && !sec.afl_seen => {
                sec.ell_seen = true;
                if !ell(cx, root, cur, sec, keys) {
                    return;
                }
            }
            0x90 if !sec.afl_seen => {
                sec.afl_seen = true;
                if !afl(cx, root, cur, sec) {
                    return;
                }
            }
            _ => return tpl(cx, root, cur, sec, keys),
        }
    }
}

/// A layer cut short: what is left as bytes and an error.
fn layer_truncated(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, need: usize, code: &'static str) {
    let (b, at) = cur.rest_at();
    if !b.is_empty() {
        bytes_node(cx, parent, "mbus.rest", at, b.len(), NodeKind::Unknown);
    }
    let msg = msg!("this layer needs {} more byte(s)", "该层还需要 {} 个字节", need.saturating_sub(b.len()));
    cx.diag(Severity::Error, at + b.len(), 0, code, msg);
}

static CC_BITS: [(&str, u8); 7] = [
    ("wmbus.ell.cc.bidirectional", 0x80),
    ("wmbus.ell.cc.delay", 0x40),
    ("wmbus.ell.cc.synchronous", 0x20),
    ("wmbus.ell.cc.hop", 0x10),
    ("wmbus.ell.cc.priority", 0x08),
    ("wmbus.ell.cc.accessibility", 0x04),
    ("wmbus.ell.cc.repeated", 0x02),
];

/// The extended link layer. Returns whether the caller goes on with the
/// next layer at `cur` (false: this layer read the rest, decrypted or not).
fn ell(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, sec: &mut Sec, keys: &Keys) -> bool {
    let start = cur.at();
    let ci = cur.peek().unwrap_or(0x8C);
    let (receiver, session) = (ci & 0x02 != 0, ci & 0x01 != 0);
    let len = 3 + if receiver { 8 } else { 0 } + if session { 4 } else { 0 };
    // The payload CRC (encrypted with the payload, when it is) is the layer's last field.
    let whole = len + if session { 2 } else { 0 };
    let node = cx.add(root, "wmbus.ell", start, whole.min(cur.left()), NodeKind::Data);
    let n = cx.add(node, "wmbus.ell.ci", start, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: ci.into(), digits: 2 }).text(ell_words(ci));
    let Some((h, _)) = cur.take_at(len) else {
        cur.seek(cur.pos() + 1);
        layer_truncated(cx, node, cur, len - 1, "wmbus.ell.truncated");
        return false;
    };
    let cc = h[1];
    sec.cc = cc;
    let n = cx.add(node, "wmbus.ell.cc", start + 1, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: cc.into(), digits: 2 });
    for (id, mask) in CC_BITS {
        bit(cx, n, id, start + 1, (cc, mask), yes_no(cc & mask != 0));
    }
    let n = cx.add(node, "wmbus.ell.access", start + 2, 1, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::Uint(h[2].into()));
    let mut p = 3;
    if receiver {
        let code = u16::from_le_bytes([h[3], h[4]]);
        let n = cx.add(node, "wmbus.ell.manufacturer", start + 3, 2, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Code(dict::manufacturer_words, code.into()));
        let n = cx.add(node, "wmbus.ell.address", start + 5, 6, NodeKind::Address);
        cx.f.node_mut(n).value(hex_as(cx.src, Span::at(start + 5, 4), false, true)).text(msg!(
            "version 0x{:02X}, device type 0x{:02X}",
            "版本 0x{:02X}，设备类型 0x{:02X}",
            h[9],
            h[10]
        ));
        p = 11;
    }
    cx.f.node_mut(node).text(ell_words(ci));
    if !session {
        return true;
    }
    let sn = [h[p], h[p + 1], h[p + 2], h[p + 3]];
    let v = u32::from_le_bytes(sn);
    let at = start + p;
    let n = cx.add(node, "wmbus.ell.sn", at, 4, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::HexNum { value: v.into(), digits: 8 });
    let s = cx.add(n, "wmbus.ell.sn.session", at, 1, NodeKind::Data);
    cx.f.node_mut(s).value(Msg::Uint((v & 0x0F).into())).bits(0x0F);
    let s = cx.add(n, "wmbus.ell.sn.time", at, 4, NodeKind::Data);
    cx.f.node_mut(s).value(Msg::Uint((v >> 4 & 0x01FF_FFFF).into())).text(msg!("minutes", "分钟"));
    let enc = v >> 29;
    let words = match enc {
        0 => msg!("not encrypted", "未加密"),
        1 => msg!("AES-128-CTR", "AES-128-CTR"),
        _ => msg!("reserved", "保留"),
    };
    let s = cx.add(n, "wmbus.ell.sn.encryption", at + 3, 1, NodeKind::Control);
    cx.f.node_mut(s).value(Msg::Uint(enc.into())).text(words).bits(0xE0);
    // The payload CRC and the payload, encrypted or not.
    let (rest, rest_at) = cur.rest_at();
    if rest.len() < 2 {
        let msg = msg!("the payload CRC is missing", "缺少载荷 CRC");
        cx.diag(Severity::Error, rest_at, rest.len(), "wmbus.ell.truncated", msg);
        if !rest.is_empty() {
            bytes_node(cx, node, "mbus.rest", rest_at, rest.len(), NodeKind::Unknown);
        }
        return false;
    }
    match enc {
        0 => {
            payload(cx, root, node, rest, rest_at, sec, keys);
            false
        }
        1 => {
            let Some(key) = keys.cipher_key else {
                let n = bytes_node(cx, root, "wmbus.encrypted", rest_at, rest.len(), NodeKind::Data);
                cx.f.node_mut(n).text(msg!("AES-128-CTR", "AES-128-CTR"));
                no_key(cx, rest_at, rest.len());
                return false;
            };
            let mut iv = [0u8; 16];
            iv[..2].copy_from_slice(&sec.m);
            iv[2..8].copy_from_slice(&sec.a);
            iv[8] = cc;
            iv[9..13].copy_from_slice(&sn);
            let plain = crypto::ctr(&key, &iv, rest);
            let ok = crc_of_payload(&plain);
            if ok {
                cx.derived(&plain, rest_at, |cx| payload(cx, root, node, &plain, rest_at, sec, keys));
            } else {
                let n = bytes_node(cx, root, "wmbus.encrypted", rest_at, rest.len(), NodeKind::Data);
                cx.f.node_mut(n).text(msg!("AES-128-CTR", "AES-128-CTR"));
                payload_crc_check(cx, node, &plain, rest_at);
                let msg =
                    msg!("wrong key: the decrypted payload's CRC does not match", "密钥错误：解密后载荷的 CRC 不符");
                cx.diag(Severity::Error, rest_at, rest.len(), "wmbus.key.wrong", msg);
            }
            false
        }
        _ => {
            bytes_node(cx, root, "wmbus.encrypted", rest_at, rest.len(), NodeKind::Data);
            let msg = msg!(
                "encryption {} of the session number is reserved; not decrypted",
                "会话号的加密方式 {} 为保留值，未解密",
                enc
            );
            cx.diag(Severity::Warning, rest_at, rest.len(), "wmbus.security.unsupported", msg);
            false
        }
    }
}

fn ell_words(ci: u8) -> Msg {
    match ci {
        0x8C => msg!("extended link layer, short", "扩展链路层，短格式"),
        0x8D => msg!("extended link layer with session number", "扩展链路层，带会话号"),
        0x8E => msg!("extended link layer with receiver address", "扩展链路层，带接收方地址"),
        _ => msg!("extended link layer with receiver address and session number", "扩展链路层，带接收方地址和会话号"),
    }
}

/// Whether the payload CRC (its first two bytes, low byte first) is the
/// CRC of the rest.
fn crc_of_payload(p: &[u8]) -> bool {
    p.len() >= 2 && u16::from_le_bytes([p[0], p[1]]) == crc16_en13757(&p[2..])
}

/// The payload CRC's check and node, over `p` (payload CRC and payload) at `at`.
fn payload_crc_check(cx: &mut Cx, parent: NodeRef, p: &[u8], at: usize) {
    let stated = u16::from_le_bytes([p[0], p[1]]);
    let computed = crc16_en13757(&p[2..]);
    crc_check(cx, parent, "wmbus.ell.payload_crc", Span::at(at, 2), stated, computed);
}

/// A CRC's check and node under `parent`; an error when it is wrong.
fn crc_check(cx: &mut Cx, parent: NodeRef, id: &'static str, span: Span, stated: u16, computed: u16) {
    let ok = stated == computed;
    let h = |v: u16| Msg::HexNum { value: v.into(), digits: 4 };
    cx.f.check(Check { id: id.into(), label: Msg::Label, stated: h(stated), computed: h(computed), ok, span });
    let text = if ok {
        msg!("correct", "正确")
    } else {
        msg!("incorrect, should be 0x{:04X}", "错误，应为 0x{:04X}", computed)
    };
    let n = cx.f.add(parent, id, span, NodeKind::Check).value(h(stated)).text(text).index();
    let _ = n;
    if !ok {
        let msg =
            msg!("CRC 0x{:04X} is incorrect, should be 0x{:04X}", "CRC 0x{:04X} 错误，应为 0x{:04X}", stated, computed);
        cx.f.diag(Severity::Error, span, id, msg);
    }
}

/// The payload of a session-numbered ELL (`p` at `at`: payload CRC, then
/// the next layers), with its CRC checked.
fn payload(cx: &mut Cx, root: NodeRef, node: NodeRef, p: &[u8], at: usize, sec: &mut Sec, keys: &Keys) {
    payload_crc_check(cx, node, p, at);
    let mut cur = Cursor::new(p, at);
    cur.seek(2);
    if sec.depth >= MAX_DEPTH {
        let (b, at) = cur.rest_at();
        bytes_node(cx, root, "mbus.rest", at, b.len(), NodeKind::Unknown);
        return;
    }
    sec.depth += 1;
    layers(cx, root, &mut cur, sec, keys);
}

fn no_key(cx: &mut Cx, at: usize, len: usize) {
    let msg = msg!(
        "encrypted: not decrypted, no key given (type the meter's AES key in the Keys field, or --cipher-key)",
        "已加密：未给出密钥，未解密（在密钥栏输入表计的 AES 密钥，或用 --cipher-key）"
    );
    cx.diag(Severity::Info, at, len, "wmbus.key.missing", msg);
}

/// The authentication and fragmentation layer. Returns whether the caller
/// goes on with the next layer.
fn afl(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, sec: &mut Sec) -> bool {
    let start = cur.at();
    let Some((h, _)) = cur.take_at(2) else {
        let node = cx.add(root, "wmbus.afl", start, cur.left(), NodeKind::Data);
        layer_truncated(cx, node, cur, 2, "wmbus.afl.truncated");
        return false;
    };
    let afll = usize::from(h[1]);
    let node = cx.add(root, "wmbus.afl", start, (2 + afll).min(2 + cur.left()), NodeKind::Data);
    cx.f.node_mut(node).text(msg!("authentication and fragmentation layer", "认证与分片层"));
    let n = cx.add(node, "wmbus.afl.ci", start, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: 0x90, digits: 2 });
    let n = cx.add(node, "wmbus.afl.length", start + 1, 1, NodeKind::Length);
    cx.f.node_mut(n).value(Msg::Uint(afll as u64));
    let Some((b, at)) = cur.take_at(afll) else {
        layer_truncated(cx, node, cur, afll, "wmbus.afl.truncated");
        return false;
    };
    let mut a = Cursor::new(b, at);
    let mut info = Afl::default();
    let Ok(fcl) = a.array::<2>() else {
        layer_truncated(cx, node, &mut a, 2, "wmbus.afl.truncated");
        return false;
    };
    let fcl = u16::from_le_bytes(fcl);
    let n = cx.add(node, "wmbus.afl.fcl", at, 2, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: fcl.into(), digits: 4 });
    for (id, mask) in [
        ("wmbus.afl.fcl.more", 0x4000),
        ("wmbus.afl.fcl.mclp", 0x2000),
        ("wmbus.afl.fcl.mlp", 0x1000),
        ("wmbus.afl.fcl.mcrp", 0x0800),
        ("wmbus.afl.fcl.macp", 0x0400),
        ("wmbus.afl.fcl.kip", 0x0200),
    ] {
        bit16(cx, n, id, at, (fcl, mask), yes_no(fcl & mask != 0));
    }
    bit16(cx, n, "wmbus.afl.fcl.fid", at, (fcl, 0x00FF), Msg::None);
    let mut mac_len = 0;
    if fcl & 0x2000 != 0 {
        let p = a.at();
        let Ok(mcl) = a.u8() else {
            layer_truncated(cx, node, &mut a, 1, "wmbus.afl.truncated");
            return false;
        };
        info.mcl = Some(mcl);
        let n = cx.add(node, "wmbus.afl.mcl", p, 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::HexNum { value: mcl.into(), digits: 2 });
        bit(cx, n, "wmbus.afl.mcl.mlmp", p, (mcl, 0x40), yes_no(mcl & 0x40 != 0));
        bit(cx, n, "wmbus.afl.mcl.mcmp", p, (mcl, 0x20), yes_no(mcl & 0x20 != 0));
        bit(cx, n, "wmbus.afl.mcl.kimp", p, (mcl, 0x10), yes_no(mcl & 0x10 != 0));
        let (words, len) = match mcl & 0x0F {
            0 => (msg!("no authentication", "无认证"), 0),
            3 => (msg!("AES-CMAC-128, 2 bytes", "AES-CMAC-128，2 字节"), 2),
            4 => (msg!("AES-CMAC-128, 4 bytes", "AES-CMAC-128，4 字节"), 4),
            5 => (msg!("AES-CMAC-128, 8 bytes", "AES-CMAC-128，8 字节"), 8),
            6 => (msg!("AES-CMAC-128, 12 bytes", "AES-CMAC-128，12 字节"), 12),
            7 => (msg!("AES-CMAC-128, 16 bytes", "AES-CMAC-128，16 字节"), 16),
            8 => (msg!("AES-GMAC-128, 12 bytes (not checked here)", "AES-GMAC-128，12 字节（此处不校验）"), 12),
            9 => (msg!("AES-GMAC-128, 16 bytes (not checked here)", "AES-GMAC-128，16 字节（此处不校验）"), 16),
            _ => (msg!("reserved", "保留"), 0),
        };
        mac_len = len;
        bit(cx, n, "wmbus.afl.mcl.at", p, (mcl, 0x0F), words);
    }
    if fcl & 0x0200 != 0 {
        let p = a.at();
        let Ok(ki) = a.array::<2>() else {
            layer_truncated(cx, node, &mut a, 2, "wmbus.afl.truncated");
            return false;
        };
        info.ki = Some(ki);
        bytes_node(cx, node, "wmbus.afl.ki", p, 2, NodeKind::Data);
    }
    if fcl & 0x0800 != 0 {
        let p = a.at();
        let Ok(mcr) = a.array::<4>() else {
            layer_truncated(cx, node, &mut a, 4, "wmbus.afl.truncated");
            return false;
        };
        info.mcr = Some(mcr);
        let n = cx.add(node, "wmbus.afl.mcr", p, 4, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Uint(u32::from_le_bytes(mcr).into()));
    }
    if fcl & 0x0400 != 0 {
        let p = a.at();
        let len = if mac_len > 0 { mac_len } else { a.left().saturating_sub(if fcl & 0x1000 != 0 { 2 } else { 0 }) };
        let Some((mac, _)) = a.take_at(len) else {
            layer_truncated(cx, node, &mut a, len, "wmbus.afl.truncated");
            return false;
        };
        info.mac = Some((mac.to_vec(), p));
        bytes_node(cx, node, "wmbus.afl.mac", p, len, NodeKind::Check);
    }
    if fcl & 0x1000 != 0 {
        let p = a.at();
        let Ok(ml) = a.array::<2>() else {
            layer_truncated(cx, node, &mut a, 2, "wmbus.afl.truncated");
            return false;
        };
        info.ml = Some(ml);
        let n = cx.add(node, "wmbus.afl.ml", p, 2, NodeKind::Length);
        cx.f.node_mut(n).value(Msg::Uint(u16::from_le_bytes(ml).into()));
    }
    let (extra, p) = a.rest_at();
    if !extra.is_empty() {
        bytes_node(cx, node, "mbus.rest", p, extra.len(), NodeKind::Unknown);
    }
    info.after = cur.remaining().to_vec();
    sec.afl = Some(info);
    if fcl & 0x4000 != 0 || fcl & 0x00FF != 0 {
        let (b, at) = cur.rest_at();
        if !b.is_empty() {
            bytes_node(cx, root, "wmbus.fragment", at, b.len(), NodeKind::Data);
        }
        let msg = msg!(
            "a fragment of a longer message (fragment {}): the fragments are not joined",
            "较长消息的一个分片（分片 {}）：不合并分片",
            fcl & 0xFF
        );
        cx.diag(Severity::Info, start, 2 + afll, "wmbus.afl.fragment", msg);
        return false;
    }
    true
}

/// The link layer's CRCs of a frame in format A or B: one check per block.
pub(super) fn block_crcs(cx: &mut Cx, root: NodeRef, bytes: &[u8], blocks: &[(usize, usize)]) {
    let base = cx.base;
    for (k, &(at, len)) in blocks.iter().enumerate() {
        let end = at + len;
        if bytes.len() < end + 2 {
            break;
        }
        let computed = crc16_en13757(&bytes[at..end]);
        let stated = u16::from_be_bytes([bytes[end], bytes[end + 1]]);
        let id = crate::model::Id::Indexed("wmbus.crc", k as u32);
        let ok = stated == computed;
        let h = |v: u16| Msg::HexNum { value: v.into(), digits: 4 };
        let span = Span::at(base + end, 2);
        cx.f.check(Check { id: id.clone(), label: Msg::Label, stated: h(stated), computed: h(computed), ok, span });
        let text = if ok {
            msg!("block {}: correct", "第 {} 块：正确", k + 1)
        } else {
            msg!("block {}: incorrect, should be 0x{:04X}", "第 {} 块：错误，应为 0x{:04X}", k + 1, computed)
        };
        cx.f.add(root, id, span, NodeKind::Check).value(h(stated)).text(text);
        if !ok {
            let msg = msg!(
                "the CRC of block {} is 0x{:04X}, should be 0x{:04X}",
                "第 {} 块的 CRC 为 0x{:04X}，应为 0x{:04X}",
                k + 1,
                stated,
                computed
            );
            cx.f.diag(Severity::Error, span, "wmbus.crc.mismatch", msg);
        }
    }
}
