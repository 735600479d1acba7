//! The EN 13757-2 frame (single character, short, control and long frame),
//! its C and A fields and checksum, and the application data of EN 13757-3
//! by CI field: fixed headers, secondary address selection, application
//! errors, baud rate changes and the variable data records.

use super::dict;
use super::frame::{self, ACK, LONG, SHORT, STOP};
use super::records;
use super::{Cx, LABELS, NAME, hex, hex_as};
use crate::model::{Frame, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry::{self, FrameStatus};
use crate::span::Span;
use crate::wire::Cursor;

/// Dissect one frame (`bytes[0]` at absolute offset `base`).
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    let mut cx = Cx::new(Frame::new(NAME, bytes, base).with_labels(LABELS), base);
    let root = cx.add(NONE, "mbus", base, bytes.len(), NodeKind::Data);
    let mut cur = Cursor::new(bytes, base);
    let used = match bytes.first() {
        None => {
            registry::truncated_diag(&mut cx.f, base, None, "mbus.truncated");
            0
        }
        Some(&ACK) => {
            let n = cx.add(root, "mbus.single", base, 1, NodeKind::Control);
            cx.f.node_mut(n).value(Msg::Str("E5")).text(msg!("acknowledgement", "确认"));
            cx.f.node_mut(root).text(msg!("single character E5: acknowledgement", "单字符 E5：确认"));
            1
        }
        Some(&SHORT) => short(&mut cx, root, bytes),
        Some(&LONG) => long(&mut cx, root, bytes),
        Some(&b) => {
            let msg = msg!(
                "no M-Bus start character (E5, 10 or 68) here; found 0x{:02X}",
                "此处不是 M-Bus 起始字符（E5、10 或 68），而是 0x{:02X}",
                b
            );
            cx.diag(Severity::Error, base, 1, "mbus.start.missing", msg);
            0
        }
    };
    cur.seek(used);
    let (rest, at) = cur.rest_at();
    if !rest.is_empty() {
        let n = cx.add(root, "mbus.trailing", at, rest.len(), NodeKind::Unknown);
        cx.f.node_mut(n).value(hex(cx.src, Span::at(at, rest.len())));
        let msg = msg!("{} byte(s) after the end of the frame", "帧结束后还有 {} 个字节", rest.len());
        cx.diag(Severity::Warning, at, rest.len(), "mbus.trailing", msg);
    }
    cx.f.finish()
}

/// `10 C A CS 16`; the bytes it used.
fn short(cx: &mut Cx, root: NodeRef, b: &[u8]) -> usize {
    let base = cx.base;
    let n = cx.add(root, "mbus.start", base, 1, NodeKind::Delimiter);
    cx.f.node_mut(n).value(Msg::Str("10"));
    if b.len() < 5 {
        if let Some(&c) = b.get(1) {
            control(cx, root, base + 1, c);
        }
        if let Some(&a) = b.get(2) {
            address(cx, root, base + 2, a);
        }
        registry::truncated_diag(&mut cx.f, base + b.len(), Some(5 - b.len()), "mbus.truncated");
        return b.len();
    }
    let f = control(cx, root, base + 1, b[1]);
    address(cx, root, base + 2, b[2]);
    checksum(cx, root, base + 3, b[3], frame::checksum(&b[1..3]));
    end(cx, root, base + 4, b[4]);
    cx.f.node_mut(root).text(msg!("short frame · {}", "短帧 · {}", f));
    5
}

/// `68 L L 68 C A CI data CS 16`; the bytes it used.
fn long(cx: &mut Cx, root: NodeRef, b: &[u8]) -> usize {
    let base = cx.base;
    let n = cx.add(root, "mbus.start", base, 1, NodeKind::Delimiter);
    cx.f.node_mut(n).value(Msg::Str("68"));
    if b.len() < 4 {
        registry::truncated_diag(&mut cx.f, base + b.len(), None, "mbus.truncated");
        return b.len();
    }
    let l = usize::from(b[1]);
    let n = cx.add(root, "mbus.length", base + 1, 1, NodeKind::Length);
    cx.f.node_mut(n).value(Msg::Uint(l as u64)).text(msg!(
        "{} byte(s) from C to the end of the data",
        "从 C 到数据结束共 {} 字节",
        l
    ));
    let n = cx.add(root, "mbus.length2", base + 2, 1, NodeKind::Length);
    cx.f.node_mut(n).value(Msg::Uint(b[2].into()));
    if b[2] != b[1] {
        let msg = msg!("the two length bytes differ: {} and {}", "两个长度字节不同：{} 和 {}", b[1], b[2]);
        cx.diag(Severity::Error, base + 2, 1, "mbus.length.mismatch", msg);
    }
    let n = cx.add(root, "mbus.start2", base + 3, 1, NodeKind::Delimiter);
    cx.f.node_mut(n).value(hex(cx.src, Span::at(base + 3, 1)));
    if b[3] != LONG {
        let msg =
            msg!("the second start character is 0x{:02X}, not 0x68", "第二个起始字符是 0x{:02X}，不是 0x68", b[3]);
        cx.diag(Severity::Error, base + 3, 1, "mbus.start2.missing", msg);
    }
    if l < 3 {
        let msg =
            msg!("L = {}: a frame holds at least C, A and CI (L ≥ 3)", "L = {}：帧至少包含 C、A 和 CI（L ≥ 3）", l);
        cx.diag(Severity::Error, base + 1, 1, "mbus.length.short", msg);
    }
    let user_end = (4 + l).min(b.len());
    let user = &b[4..user_end];
    let mut summary = Vec::new();
    if let Some(&c) = user.first() {
        let f = control(cx, root, base + 4, c);
        summary.push(f);
    }
    if let Some(&a) = user.get(1) {
        address(cx, root, base + 5, a);
    }
    if let Some(&ci) = user.get(2) {
        let n = cx.add(root, "mbus.ci", base + 6, 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::HexNum { value: ci.into(), digits: 2 }).text(dict::ci(ci));
        if !dict::ci_known(ci) {
            let msg = msg!("CI 0x{:02X} is reserved", "CI 0x{:02X} 为保留值", ci);
            cx.diag(Severity::Warning, base + 6, 1, "mbus.ci.reserved", msg);
        }
        summary.push(dict::ci(ci));
        let to_slave = user[0] & 0x40 != 0;
        let mut cur = Cursor::new(&b[..user_end], base);
        cur.seek(7);
        if !cur.is_empty() {
            application(cx, root, &mut cur, ci, to_slave);
        }
    }
    let kind = if l == 3 { msg!("control frame", "控制帧") } else { msg!("long frame", "长帧") };
    summary.insert(0, kind);
    cx.f.node_mut(root).text(Msg::joined(summary, " · "));
    let total = l + frame::OVERHEAD;
    if b.len() < total {
        registry::truncated_diag(&mut cx.f, base + b.len(), Some(total - b.len()), "mbus.truncated");
        return b.len();
    }
    checksum(cx, root, base + 4 + l, b[4 + l], frame::checksum(user));
    end(cx, root, base + 5 + l, b[5 + l]);
    total
}

static PRM: [(&str, &str); 2] =
    [("slave to master (reply)", "从站到主站（响应）"), ("master to slave (request)", "主站到从站（请求）")];

/// The C field and its bits; the function's words.
fn control(cx: &mut Cx, root: NodeRef, at: usize, c: u8) -> Msg {
    let n = cx.add(root, "mbus.control", at, 1, NodeKind::Control);
    let f = dict::function(c);
    cx.f.node_mut(n).value(Msg::HexNum { value: c.into(), digits: 2 }).text(f.clone());
    let prm = c >> 6 & 1;
    bit(cx, n, "mbus.control.prm", at, (c, 0x40), Msg::Bi(&PRM[usize::from(prm)]));
    if prm == 1 {
        let fcb = if c & 0x10 != 0 {
            msg!("frame count bit alternates ({})", "帧计数位交替（{}）", c >> 5 & 1)
        } else {
            msg!("frame count bit not used", "帧计数位无效")
        };
        bit(cx, n, "mbus.control.fcb", at, (c, 0x20), fcb);
        let fcv = if c & 0x10 != 0 { msg!("FCB valid", "FCB 有效") } else { msg!("FCB not valid", "FCB 无效") };
        bit(cx, n, "mbus.control.fcv", at, (c, 0x10), fcv);
    } else {
        let acd = if c & 0x20 != 0 {
            msg!("class 1 data (alarm) waiting", "有1类数据（报警）待取")
        } else {
            msg!("no class 1 data waiting", "无1类数据待取")
        };
        bit(cx, n, "mbus.control.acd", at, (c, 0x20), acd);
        let dfc = if c & 0x10 != 0 {
            msg!("slave cannot accept further data", "从站不能再接收数据")
        } else {
            msg!("slave can accept data", "从站可以接收数据")
        };
        bit(cx, n, "mbus.control.dfc", at, (c, 0x10), dfc);
    }
    bit(cx, n, "mbus.control.function", at, (c, 0x0F), f.clone());
    if !dict::function_known(c) {
        let msg = msg!("function {} is not used by the M-Bus", "M-Bus 不使用功能码 {}", c & 0x0F);
        cx.diag(Severity::Warning, at, 1, "mbus.control.function", msg);
    }
    if c & 0x80 != 0 {
        let msg = msg!("bit 7 of the C field is reserved and should be 0", "C 字段第7位为保留位，应为0");
        cx.diag(Severity::Warning, at, 1, "mbus.control.reserved", msg);
    }
    f
}

/// A bit field of a byte: the `mask` bits of `byte`, shifted down, with their bits shown.
pub(crate) fn bit(cx: &mut Cx, parent: NodeRef, id: &'static str, at: usize, (byte, mask): (u8, u8), text: Msg) {
    let value = (byte & mask) >> mask.trailing_zeros();
    let n = cx.add(parent, id, at, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::Uint(value.into())).text(text).bits(mask.into());
}

fn address(cx: &mut Cx, root: NodeRef, at: usize, a: u8) {
    let n = cx.add(root, "mbus.address", at, 1, NodeKind::Address);
    let text = match a {
        0 => msg!("primary address 0 (unconfigured slave)", "一次地址 0（未配置的从站）"),
        1..=250 => msg!("primary address", "一次地址"),
        251 | 252 => {
            let msg = msg!("address {} is reserved", "地址 {} 为保留值", a);
            cx.diag(Severity::Warning, at, 1, "mbus.address.reserved", msg);
            msg!("reserved address", "保留地址")
        }
        253 => {
            msg!("secondary addressing: the slave selected by its secondary address", "二次寻址：由二次地址选中的从站")
        }
        254 => msg!("broadcast, every slave replies (test only)", "广播，所有从站应答（仅测试用）"),
        _ => msg!("broadcast, no slave replies", "广播，从站不应答"),
    };
    cx.f.node_mut(n).value(Msg::Uint(a.into())).text(text);
}

fn checksum(cx: &mut Cx, root: NodeRef, at: usize, stated: u8, computed: u8) {
    cx.f.byte_checksum(root, "mbus.cs", "mbus.cs.mismatch", Span::at(at, 1), (stated, computed));
}

fn end(cx: &mut Cx, root: NodeRef, at: usize, e: u8) {
    let n = cx.add(root, "mbus.end", at, 1, NodeKind::Delimiter);
    cx.f.node_mut(n).value(hex(cx.src, Span::at(at, 1)));
    if e != STOP {
        let msg = msg!("the stop character is 0x{:02X}, not 0x16", "结束符是 0x{:02X}，不是 0x16", e);
        cx.diag(Severity::Error, at, 1, "mbus.end.missing", msg);
    }
}

/// The application data after the CI field.
fn application(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, ci: u8, to_slave: bool) {
    let start = cur.at();
    let app = cx.add(root, "mbus.data", start, cur.left(), NodeKind::Data);
    let encrypted = match dict::header(ci) {
        Some(long) => header(cx, app, cur, long),
        None => Some(false),
    };
    let Some(encrypted) = encrypted else { return };
    if encrypted {
        let (b, at) = cur.rest_at();
        if !b.is_empty() {
            let n = cx.add(app, "mbus.encrypted", at, b.len(), NodeKind::Data);
            cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
            let msg = msg!(
                "the data are encrypted (security mode in the configuration field)",
                "数据已加密（见配置字段的安全模式）"
            );
            cx.diag(Severity::Info, at, b.len(), "mbus.encrypted", msg);
        }
        return;
    }
    body(cx, app, cur, ci, to_slave);
}

/// The application data after the CI field and its header (if any), by CI:
/// data records, selections, errors, alarms, resets; other bytes as bytes.
pub(crate) fn body(cx: &mut Cx, app: NodeRef, cur: &mut Cursor, ci: u8, to_slave: bool) {
    // An SML transport frame in the data (whatever the CI says) goes to the SML dissector.
    let sml = cur.remaining().starts_with(&crate::protocols::sml::frame::START) && nested(cx, app, cur, Nested::Sml);
    match ci {
        _ if sml => {}
        0x72 | 0x7A | 0x78 | 0x51 | 0x5A | 0x5B => records::records(cx, app, cur, to_slave),
        // DLMS/COSEM application data (EN 13757-3): an APDU for the DLMS dissector.
        0x60 | 0x61 | 0x7C | 0x7D if nested(cx, app, cur, Nested::Dlms) => {}
        0x52 => {
            selection(cx, app, cur);
            records::records(cx, app, cur, true);
        }
        0x6E..=0x70 => {
            if let Some((e, at)) = cur.take_at(1) {
                let n = cx.add(app, "mbus.app_error", at, 1, NodeKind::Data);
                let text = dict::lookup(dict::APP_ERRORS, e[0]).unwrap_or(msg!("reserved error code", "保留的错误码"));
                cx.f.node_mut(n).value(Msg::HexNum { value: e[0].into(), digits: 2 }).text(text);
            }
        }
        0x71 | 0x74 | 0x75 => {
            if let Some((e, at)) = cur.take_at(1) {
                let n = cx.add(app, "mbus.alarm", at, 1, NodeKind::Data);
                cx.f.node_mut(n)
                    .value(Msg::HexNum { value: e[0].into(), digits: 2 })
                    .text(msg!("manufacturer specific alarm status", "制造商定义的报警状态"));
            }
        }
        0x50 => {
            if let Some((e, at)) = cur.take_at(1) {
                let n = cx.add(app, "mbus.reset", at, 1, NodeKind::Data);
                cx.f.node_mut(n).value(Msg::HexNum { value: e[0].into(), digits: 2 }).text(reset(e[0]));
            }
        }
        0x76 => {
            let (b, at) = cur.rest_at();
            if !b.is_empty() {
                let n = cx.add(app, "mbus.raw", at, b.len(), NodeKind::Data);
                cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
                let msg = msg!(
                    "records in mode 2 (high byte first) are shown as bytes",
                    "模式2（高字节在前）的记录以字节显示"
                );
                cx.diag(Severity::Info, at, b.len(), "mbus.mode2", msg);
            }
        }
        0xB8..=0xBF if !cur.is_empty() => {
            let (b, at) = cur.rest_at();
            let n = cx.add(app, "mbus.rest", at, b.len(), NodeKind::Unknown);
            cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
            let msg = msg!("a baud rate change carries no data", "设置波特率不带数据");
            cx.diag(Severity::Warning, at, b.len(), "mbus.data.unexpected", msg);
        }
        _ => {}
    }
    let (b, at) = cur.rest_at();
    if !b.is_empty() {
        let n = cx.add(app, "mbus.raw", at, b.len(), NodeKind::Data);
        cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
    }
}

/// Another family's data carried in the application data.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nested {
    Dlms,
    Sml,
}

/// Dissect the rest of the data with the family it belongs to and show it
/// in place; false when it cannot be shown so (bytes derived from the frame,
/// decrypted or with CRCs taken out, whose spans are not the frame's).
fn nested(cx: &mut Cx, app: NodeRef, cur: &mut Cursor, which: Nested) -> bool {
    if cx.src.is_some() {
        return false;
    }
    let (b, at, pos) = (cur.remaining(), cur.at(), cur.pos());
    if b.is_empty() {
        return false;
    }
    let inner = match which {
        Nested::Dlms => {
            use crate::registry::Protocol;
            crate::protocols::dlms::DlmsApdu.dissect(b, at, &crate::registry::Options::default())
        }
        Nested::Sml => {
            let len = match crate::protocols::sml::frame::frame(b) {
                FrameStatus::Complete { len, .. } => len,
                _ => return false,
            };
            let inner = crate::protocols::sml::dissect::dissect(&b[..len], at);
            cur.seek(pos + len);
            cx.f.graft(app, &inner);
            return true;
        }
    };
    cur.seek(pos + b.len());
    cx.f.graft(app, &inner);
    true
}

/// The sub-code of an application reset (CI 50h): the application in the
/// high nibble, the telegram number in the low one.
fn reset(code: u8) -> Msg {
    static APPS: [(&str, &str); 16] = [
        ("all", "全部"),
        ("user data", "用户数据"),
        ("simple billing", "简单计费"),
        ("enhanced billing", "增强计费"),
        ("multi-tariff billing", "多费率计费"),
        ("instantaneous values", "瞬时值"),
        ("load management values", "负荷管理值"),
        ("reserved", "保留"),
        ("installation and start-up", "安装与启动"),
        ("testing", "测试"),
        ("calibration", "校准"),
        ("manufacturing", "生产"),
        ("development", "开发"),
        ("self-test", "自检"),
        ("reserved", "保留"),
        ("reserved", "保留"),
    ];
    msg!("{}, telegram {}", "{}，报文 {}", Msg::Bi(&APPS[usize::from(code >> 4)]), code & 0x0F)
}

/// The fixed header: long (identification, manufacturer, version, device
/// type, access number, status, signature) or short (the last three).
/// `Some(encrypted)`, or `None` when the bytes end inside it.
fn header(cx: &mut Cx, app: NodeRef, cur: &mut Cursor, long: bool) -> Option<bool> {
    let len = if long { 12 } else { 4 };
    let Some((h, at)) = cur.take_at(len) else {
        let (b, at) = cur.rest_at();
        let n = cx.add(app, "mbus.header", at, b.len(), NodeKind::Unknown);
        cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
        let msg =
            msg!("the fixed header needs {} bytes; {} remain", "固定报头需要 {} 个字节，只剩 {} 个", len, b.len());
        cx.diag(Severity::Error, at + b.len(), 0, "mbus.header.truncated", msg);
        return None;
    };
    let hn = cx.add(app, "mbus.header", at, len, NodeKind::Data);
    let mut p = at;
    if long {
        identification(cx, hn, "mbus.header.id", p, &h[..4]);
        let code = u16::from_le_bytes([h[4], h[5]]);
        let n = cx.add(hn, "mbus.header.manufacturer", p + 4, 2, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Code(dict::manufacturer_words, code.into())).text(msg!(
            "code 0x{:04X}",
            "代码 0x{:04X}",
            code
        ));
        let n = cx.add(hn, "mbus.header.version", p + 6, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Uint(h[6].into()));
        let n = cx.add(hn, "mbus.header.medium", p + 7, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::HexNum { value: h[7].into(), digits: 2 }).text(dict::medium(h[7]));
        p += 8;
    }
    let o = if long { 8 } else { 0 };
    let n = cx.add(hn, "mbus.header.access", p, 1, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::Uint(h[o].into()));
    status(cx, hn, p + 1, h[o + 1]);
    let sig = u16::from_le_bytes([h[o + 2], h[o + 3]]);
    let mode = (sig >> 8) & 0x1F;
    let n = cx.add(hn, "mbus.header.signature", p + 2, 2, NodeKind::Data);
    let text = if sig == 0 {
        msg!("no encryption", "未加密")
    } else {
        msg!("security mode {} (bits 12–8)", "安全模式 {}（第12–8位）", mode)
    };
    cx.f.node_mut(n).value(Msg::HexNum { value: sig.into(), digits: 4 }).text(text);
    Some(mode != 0)
}

/// An identification number: eight BCD digits, low byte first.
pub(crate) fn identification(cx: &mut Cx, parent: NodeRef, id: &'static str, at: usize, b: &[u8]) {
    let n = cx.add(parent, id, at, 4, NodeKind::Address);
    cx.f.node_mut(n).value(hex_as(cx.src, Span::at(at, 4), false, true));
    let wild = b.iter().any(|&x| x >> 4 == 0xF || x & 0xF == 0xF);
    if !wild && records::bcd(b, false).is_none() {
        let msg = msg!("the identification number is not BCD", "标识号不是 BCD 数");
        cx.diag(Severity::Warning, at, 4, "mbus.header.id.bcd", msg);
    }
}

static APP_STATUS: [(&str, &str); 4] = [
    ("no error", "无错误"),
    ("application busy", "应用忙"),
    ("any application error", "应用错误"),
    ("abnormal condition / alarm", "异常状态/报警"),
];

pub(crate) fn status(cx: &mut Cx, hn: NodeRef, at: usize, s: u8) {
    let n = cx.add(hn, "mbus.header.status", at, 1, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::HexNum { value: s.into(), digits: 2 });
    bit(cx, n, "mbus.header.status.application", at, (s, 0x03), Msg::Bi(&APP_STATUS[usize::from(s & 3)]));
    let yes_no = |on: bool| if on { msg!("yes", "是") } else { msg!("no", "否") };
    bit(cx, n, "mbus.header.status.power_low", at, (s, 0x04), yes_no(s & 4 != 0));
    bit(cx, n, "mbus.header.status.permanent", at, (s, 0x08), yes_no(s & 8 != 0));
    bit(cx, n, "mbus.header.status.temporary", at, (s, 0x10), yes_no(s & 0x10 != 0));
    bit(cx, n, "mbus.header.status.manufacturer", at, (s, 0xE0), Msg::None);
}

/// The secondary address of a selection (CI 52h): identification number,
/// manufacturer, version and device type, each with F nibbles or FFh as
/// wildcards.
fn selection(cx: &mut Cx, app: NodeRef, cur: &mut Cursor) {
    let Some((h, at)) = cur.take_at(8) else {
        let (b, at) = cur.rest_at();
        let n = cx.add(app, "mbus.selection", at, b.len(), NodeKind::Unknown);
        cx.f.node_mut(n).value(hex(cx.src, Span::at(at, b.len())));
        let msg = msg!("a secondary address needs 8 bytes; {} remain", "二次地址需要 8 个字节，只剩 {} 个", b.len());
        cx.diag(Severity::Error, at + b.len(), 0, "mbus.selection.truncated", msg);
        return;
    };
    let sn = cx.add(app, "mbus.selection", at, 8, NodeKind::Address);
    identification(cx, sn, "mbus.selection.id", at, &h[..4]);
    let code = u16::from_le_bytes([h[4], h[5]]);
    let n = cx.add(sn, "mbus.selection.manufacturer", at + 4, 2, NodeKind::Data);
    if code == 0xFFFF {
        cx.f.node_mut(n).value(Msg::Str("FFFF")).text(msg!("any (wildcard)", "任意（通配）"));
    } else {
        cx.f.node_mut(n).value(Msg::Code(dict::manufacturer_words, code.into())).text(msg!(
            "code 0x{:04X}",
            "代码 0x{:04X}",
            code
        ));
    }
    let any = || msg!("any (wildcard)", "任意（通配）");
    let n = cx.add(sn, "mbus.selection.version", at + 6, 1, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::Uint(h[6].into()));
    if h[6] == 0xFF {
        cx.f.node_mut(n).text(any());
    }
    let n = cx.add(sn, "mbus.selection.medium", at + 7, 1, NodeKind::Data);
    let text = if h[7] == 0xFF { any() } else { dict::medium(h[7]) };
    cx.f.node_mut(n).value(Msg::HexNum { value: h[7].into(), digits: 2 }).text(text);
}
