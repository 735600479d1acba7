//! The Q/GDW 1376.2 dissector (concentrator ⇄ local communication module).
//!
//! `68 L L | C R(6) [A1 A2… A3] AFN DT1 DT2 data | CS 16`, L the whole
//! frame's length: control field, the information field R read for its
//! direction, the address field when R names a slave node's module, the data
//! of the AFN/Fn users meet most, forwarded DL/T 645 and DL/T 698.45 frames
//! dissected in place.

use super::common::{Cx, Fmt, classes, classes_text};
use super::frame::{self, START};
use super::gdw1::{bits, checksum, end_node};
use super::names;
use super::nested::{self, Hint};
use crate::model::{Frame, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry;
use crate::span::Span;
use crate::wire::Cursor;

/// Registry name.
pub const NAME: &str = "qgdw1376.2";

/// `qgdw13762.data.node` is this long: where a node's number goes.
const AT_NODE: usize = 19;

/// Dissect one frame (`bytes[0]` at absolute offset `base`).
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    let mut cx = Cx { f: Frame::new(NAME, bytes, base).with_labels(super::LABELS), base, nest: nested::forwarded };
    let root = cx.add(NONE, "qgdw13762", base, bytes.len(), NodeKind::Data);
    let mut cur = Cursor::new(bytes, base);
    frame_nodes(&mut cx, root, &mut cur);
    cx.f.finish()
}

fn frame_nodes(cx: &mut Cx, root: NodeRef, cur: &mut Cursor) {
    let bytes = cur.bytes();
    match cur.peek() {
        Some(START) => {}
        Some(b) => {
            cx.rest(root, "qgdw13762.raw", cur, "qgdw13762.raw");
            let msg = msg!("no start delimiter 0x68 here; found 0x{:02X}", "此处不是帧起始符 0x68，而是 0x{:02X}", b);
            cx.diag(Severity::Error, cx.base, 1, "qgdw13762.start.missing", msg);
            return;
        }
        None => {
            registry::truncated_diag(&mut cx.f, cx.base, None, "qgdw13762.truncated");
            return;
        }
    }
    let n = cx.add(root, "qgdw13762.start", cx.base, 1, NodeKind::Delimiter);
    cx.set(n).value(Msg::Str("68"));
    cur.seek(1);
    let Some((l, at)) = cur.take_at(2) else {
        cx.short(root, "qgdw13762.length", cur, 2, "qgdw13762.truncated");
        return;
    };
    let total = usize::from(u16::from_le_bytes([l[0], l[1]]));
    let n = cx.add(root, "qgdw13762.length", at, 2, NodeKind::Length);
    cx.set(n).value(Msg::Uint(total as u64)).text(msg!("{} byte(s) in the frame", "帧长 {} 字节", total));
    if total < frame::MIN_LEN_2 {
        let msg = msg!("a frame is at least 15 bytes long, L says {}", "帧长至少 15 字节，L 为 {}", total);
        cx.diag(Severity::Error, at, 2, "qgdw13762.length.short", msg);
    }
    // The user data runs to CS: as far as L and the bytes reach.
    let user_end = total.saturating_sub(2).max(3).min(bytes.len());
    let mut ucur = cur.until(user_end);
    let summary = user_data(cx, root, &mut ucur);
    if let Some((afn, f)) = summary {
        let afn = u64::from(afn);
        let mut parts =
            vec![Msg::Str("AFN "), Msg::owned(format!("{afn:02X}")), Msg::Str(" "), Msg::Code(names::afn_2, afn)];
        if let Some(f) = f {
            parts.push(Msg::Str(" · "));
            parts.push(Msg::Code(names::fn_2, afn << 16 | u64::from(f)));
        }
        cx.set(root).text(Msg::Concat(parts.into_boxed_slice()));
    }
    cur.seek(user_end);
    if total > bytes.len() || total < frame::MIN_LEN_2 {
        if total > bytes.len() {
            registry::truncated_diag(
                &mut cx.f,
                cx.base + bytes.len(),
                Some(total - bytes.len()),
                "qgdw13762.truncated",
            );
        }
        return;
    }
    let cs_at = total - 2;
    let computed = frame::checksum(&bytes[3..cs_at]);
    checksum(cx, root, "qgdw13762.cs", cx.base + cs_at, bytes[cs_at], computed);
    end_node(cx, root, "qgdw13762.end", cx.base + cs_at + 1, bytes[cs_at + 1]);
    cur.seek(total);
    if !cur.is_empty() {
        cx.rest(root, "qgdw13762.trailing", cur, "qgdw13762.trailing");
    }
}

/// C, R, A, AFN, DT and data; the AFN and first Fn for the summary.
fn user_data(cx: &mut Cx, root: NodeRef, cur: &mut Cursor) -> Option<(u8, Option<u16>)> {
    let Some((c, at)) = cur.take_at(1) else {
        registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13762.truncated");
        return None;
    };
    let c = c[0];
    let up = c & 0x80 != 0;
    let n = cx.add(root, "qgdw13762.control", at, 1, NodeKind::Control);
    cx.set(n).value(Msg::HexNum { value: c.into(), digits: 2 }).text(Msg::Code(names::mode, (c & 0x3F).into()));
    let dir = if up {
        crate::msg!("uplink (module to concentrator)", "上行（通信模块发出）")
    } else {
        crate::msg!("downlink (concentrator to module)", "下行（集中器发出）")
    };
    bits(cx, n, "qgdw13762.control.dir", at, (c, 0x80), dir);
    let prm = if c & 0x40 != 0 {
        crate::msg!("from the initiating station", "来自启动站")
    } else {
        crate::msg!("from the responding station", "来自从动站")
    };
    bits(cx, n, "qgdw13762.control.prm", at, (c, 0x40), prm);
    bits(cx, n, "qgdw13762.control.mode", at, (c, 0x3F), Msg::Code(names::mode, (c & 0x3F).into()));

    let Some((r, at)) = cur.take_at(6) else {
        cx.short(root, "qgdw13762.r", cur, 6, "qgdw13762.truncated");
        return None;
    };
    let module = r[0] & 0x04 != 0;
    let relays = usize::from(r[0] >> 4);
    info_field(cx, root, r, at, up);

    if module {
        let len = 6 * (2 + relays);
        let Some((a, at)) = cur.take_at(len) else {
            cx.short(root, "qgdw13762.address", cur, len, "qgdw13762.truncated");
            return None;
        };
        let _ = a;
        let n = cx.add(root, "qgdw13762.address", at, len, NodeKind::Address);
        let s = cx.add(n, "qgdw13762.address.source", at, 6, NodeKind::Address);
        cx.set(s).value(Msg::Hex { span: Span::at(at, 6), spaced: false, reversed: true });
        for k in 0..relays {
            let ra = at + 6 * (1 + k);
            let r = cx.add(n, Id::Indexed("qgdw13762.address.relay", k as u32 + 1), ra, 6, NodeKind::Address);
            cx.set(r).value(Msg::Hex { span: Span::at(ra, 6), spaced: false, reversed: true });
        }
        let da = at + 6 * (1 + relays);
        let d = cx.add(n, "qgdw13762.address.destination", da, 6, NodeKind::Address);
        cx.set(d).value(Msg::Hex { span: Span::at(da, 6), spaced: false, reversed: true });
    }

    let Some((afn, at)) = cur.take_at(1) else {
        registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13762.truncated");
        return None;
    };
    let afn = afn[0];
    let n = cx.add(root, "qgdw13762.afn", at, 1, NodeKind::Control);
    cx.set(n).value(Msg::HexNum { value: afn.into(), digits: 2 }).text(Msg::Code(names::afn_2, afn.into()));

    let Some((dt, at)) = cur.take_at(2) else {
        cx.short(root, "qgdw13762.dt", cur, 2, "qgdw13762.truncated");
        return Some((afn, None));
    };
    let fns = classes(dt[0], dt[1]);
    let n = cx.add(root, "qgdw13762.dt", at, 2, NodeKind::Control);
    let text = match fns.as_slice() {
        [f] => Msg::Code(names::fn_2, u64::from(afn) << 16 | u64::from(*f)),
        other => classes_text(other),
    };
    cx.set(n).value(Msg::hex(Span::at(at, 2))).text(text);
    if fns.len() != 1 {
        let msg =
            msg!("DT names {} classes; a 1376.2 frame carries one", "DT 含 {} 个信息类；1376.2 帧只含一个", fns.len());
        cx.diag(Severity::Warning, at, 2, "qgdw13762.dt.classes", msg);
    }
    let f = fns.first().copied();
    if !cur.is_empty() {
        let start = cur.at();
        let d = cx.add(root, "qgdw13762.data", start, cur.left(), NodeKind::Data);
        let known = f.is_some_and(|f| data(cx, d, cur, afn, f, up) != Some(false));
        if !cur.is_empty() {
            if known {
                cx.rest(d, "qgdw13762.data.bytes", cur, "qgdw13762.data.rest");
            } else {
                cx.raw(d, "qgdw13762.data.raw", cur);
            }
        }
    }
    Some((afn, f))
}

/// The information field R, read for its direction.
fn info_field(cx: &mut Cx, root: NodeRef, r: &[u8], at: usize, up: bool) {
    let n = cx.add(root, "qgdw13762.r", at, 6, NodeKind::Control);
    cx.set(n).value(Msg::hex(Span::at(at, 6)));
    let route = if r[0] & 1 != 0 {
        crate::msg!("no routing (direct)", "不带路由或工作在旁路模式")
    } else {
        crate::msg!("with routing", "带路由或工作在路由模式")
    };
    bits(cx, n, "qgdw13762.r.route", at, (r[0], 0x01), route);
    if !up {
        bits(cx, n, "qgdw13762.r.attached", at, (r[0], 0x02), Msg::None);
    }
    let module = if r[0] & 4 != 0 {
        crate::msg!("to or from a slave node's module (address field present)", "对从节点操作（带地址域）")
    } else {
        crate::msg!("to or from the concentrator's module (no address field)", "对主节点操作（无地址域）")
    };
    bits(cx, n, "qgdw13762.r.module", at, (r[0], 0x04), module);
    if !up {
        bits(cx, n, "qgdw13762.r.conflict", at, (r[0], 0x08), Msg::None);
    }
    bits(cx, n, "qgdw13762.r.relay", at, (r[0], 0xF0), Msg::None);
    bits(cx, n, "qgdw13762.r.channel", at + 1, (r[1], 0x0F), Msg::None);
    if up {
        bits(cx, n, "qgdw13762.r.phase", at + 2, (r[2], 0x0F), Msg::None);
        bits(cx, n, "qgdw13762.r.meter_channel", at + 2, (r[2], 0xF0), Msg::None);
        bits(cx, n, "qgdw13762.r.command_quality", at + 3, (r[3], 0x0F), Msg::None);
        bits(cx, n, "qgdw13762.r.reply_quality", at + 3, (r[3], 0xF0), Msg::None);
        let ev = if r[4] & 1 != 0 {
            crate::msg!("events to report", "有事件上报")
        } else {
            crate::msg!("no event", "无事件")
        };
        bits(cx, n, "qgdw13762.r.event", at + 4, (r[4], 0x01), ev);
    } else {
        bits(cx, n, "qgdw13762.r.ecc", at + 1, (r[1], 0xF0), Msg::None);
        let e = cx.add(n, "qgdw13762.r.reply_len", at + 2, 1, NodeKind::Control);
        cx.set(e).value(Msg::Uint(r[2].into())).unit(Msg::Str("B"));
        let rate = u16::from_le_bytes([r[3], r[4]]);
        let unit = if rate & 0x8000 != 0 { "kbit/s" } else { "bit/s" };
        let v = cx.add(n, "qgdw13762.r.rate", at + 3, 2, NodeKind::Control);
        cx.set(v).value(Msg::Uint((rate & 0x7FFF).into())).unit(Msg::Str(unit));
        if rate & 0x7FFF == 0 {
            cx.set(v).text(crate::msg!("default rate", "默认通信速率"));
        }
    }
    let s = cx.add(n, "qgdw13762.r.seq", at + 5, 1, NodeKind::Control);
    cx.set(s).value(Msg::Uint(r[5].into()));
}

fn put(
    cx: &mut Cx,
    parent: NodeRef,
    id: impl Into<Id>,
    cur: &mut Cursor,
    fmt: Fmt,
    unit: &'static str,
) -> Option<NodeRef> {
    let n = cx.field(parent, id, cur, fmt)?;
    if !unit.is_empty() {
        cx.set(n).unit(Msg::Str(unit));
    }
    Some(n)
}

/// A protocol type byte.
fn protocol_type(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor) -> Option<u8> {
    let t = cur.peek()?;
    let n = cx.field(parent, "qgdw13762.data.protocol", cur, Fmt::Bin(1))?;
    cx.set(n).text(Msg::Code(names::protocol_2, t.into()));
    Some(t)
}

/// A one-byte length, then that many bytes holding a forwarded frame.
fn frame_field(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, hint: Hint) -> Option<()> {
    let len = usize::from(cur.peek()?);
    cx.field(parent, "qgdw13762.data.length", cur, Fmt::Bin(1))?;
    let take = len.min(cur.left());
    let (b, at) = cur.take_at(take)?;
    nested::forwarded(cx, parent, "qgdw13762.data.frame", b, at, hint);
    if take < len {
        registry::truncated_diag(&mut cx.f, at + take, Some(len - take), "qgdw13762.truncated");
        return None;
    }
    Some(())
}

/// `n` slave node addresses (and protocol types).
fn nodes(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, n: u8, with_protocol: bool) -> Option<()> {
    for k in 1..=u32::from(n) {
        let start = cur.at();
        let node = cx.add(parent, Id::Indexed("qgdw13762.data.node", k), start, 0, NodeKind::Data);
        cx.field(node, Id::inner("qgdw13762.data.node.address", AT_NODE, k), cur, Fmt::Addr)?;
        if with_protocol {
            let t = cur.peek()?;
            let p = cx.field(node, Id::inner("qgdw13762.data.node.protocol", AT_NODE, k), cur, Fmt::Bin(1))?;
            cx.set(p).text(Msg::Code(names::protocol_2, t.into()));
        }
        let end = cur.at();
        cx.set(node).span(Span::new(start, end));
    }
    Some(())
}

/// The data of one AFN and Fn: `Some(false)` when this dictionary does not
/// give its layout, `None` when the bytes ended early.
fn data(cx: &mut Cx, d: NodeRef, cur: &mut Cursor, afn: u8, f: u16, up: bool) -> Option<bool> {
    match (afn, f, up) {
        (0x00, 1, _) if !cur.is_empty() => {
            put(cx, d, "qgdw13762.data.status", cur, Fmt::Hex(cur.left().min(255) as u8), "")?;
        }
        (0x00, 2, _) => {
            let r = cur.peek()?;
            let n = put(cx, d, "qgdw13762.data.reason", cur, Fmt::Bin(1), "")?;
            cx.set(n).text(Msg::Code(names::deny_2, r.into()));
        }
        (0x02, 1, _) | (0x05, 3, false) => {
            let t = protocol_type(cx, d, cur)?;
            frame_field(cx, d, cur, Hint::from_type(t))?;
        }
        (0x03, 1, true) => {
            put(cx, d, "qgdw13762.data.vendor", cur, Fmt::Ascii(2), "")?;
            put(cx, d, "qgdw13762.data.chip", cur, Fmt::Ascii(2), "")?;
            put(cx, d, "qgdw13762.data.version_date", cur, Fmt::Date3, "")?;
            let (_, at) = cur.take_at(2)?;
            let n = cx.add(d, "qgdw13762.data.version", at, 2, NodeKind::Data);
            cx.set(n).value(Msg::Hex { span: Span::at(at, 2), spaced: false, reversed: true });
        }
        (0x03, 4, true) | (0x05, 1, false) => {
            put(cx, d, "qgdw13762.data.master_address", cur, Fmt::Addr, "")?;
        }
        (0x03, 10, true) => {
            put(cx, d, "qgdw13762.data.mode_word", cur, Fmt::Hex(1), "")?;
            cx.raw(d, "qgdw13762.data.raw", cur);
        }
        (0x05, 2, false) => {
            put(cx, d, "qgdw13762.data.flag", cur, Fmt::Bin(1), "")?;
        }
        (0x05, 4, false) => {
            put(cx, d, "qgdw13762.data.timeout", cur, Fmt::Bin(1), "s")?;
        }
        (0x06, 1, true) | (0x06, 4, true) => {
            let n = cur.peek()?;
            put(cx, d, "qgdw13762.data.count", cur, Fmt::Bin(1), "")?;
            if f == 1 {
                for k in 1..=u32::from(n) {
                    let start = cur.at();
                    let node = cx.add(d, Id::Indexed("qgdw13762.data.node", k), start, 0, NodeKind::Data);
                    cx.field(node, Id::inner("qgdw13762.data.node.address", AT_NODE, k), cur, Fmt::Addr)?;
                    let t = cur.peek()?;
                    let p = cx.field(node, Id::inner("qgdw13762.data.node.protocol", AT_NODE, k), cur, Fmt::Bin(1))?;
                    cx.set(p).text(Msg::Code(names::protocol_2, t.into()));
                    cx.field(node, Id::inner("qgdw13762.data.node.index", AT_NODE, k), cur, Fmt::Bin(2))?;
                    let end = cur.at();
                    cx.set(node).span(Span::new(start, end));
                }
            }
        }
        (0x06, 2, true) => {
            put(cx, d, "qgdw13762.data.index", cur, Fmt::Bin(2), "")?;
            let t = protocol_type(cx, d, cur)?;
            put(cx, d, "qgdw13762.data.duration", cur, Fmt::Bin(2), "s")?;
            frame_field(cx, d, cur, Hint::from_type(t))?;
        }
        (0x06, 5, true) => {
            put(cx, d, "qgdw13762.data.device_type", cur, Fmt::Bin(1), "")?;
            let t = protocol_type(cx, d, cur)?;
            frame_field(cx, d, cur, Hint::from_type(t))?;
        }
        (0x10, 1, true) => {
            put(cx, d, "qgdw13762.data.count", cur, Fmt::Bin(2), "")?;
            put(cx, d, "qgdw13762.data.max_count", cur, Fmt::Bin(2), "")?;
        }
        (0x10, 2 | 5 | 6 | 21, false) => {
            put(cx, d, "qgdw13762.data.start", cur, Fmt::Bin(2), "")?;
            put(cx, d, "qgdw13762.data.count", cur, Fmt::Bin(1), "")?;
        }
        (0x10, 2, true) => {
            put(cx, d, "qgdw13762.data.total", cur, Fmt::Bin(2), "")?;
            let n = cur.peek()?;
            put(cx, d, "qgdw13762.data.count", cur, Fmt::Bin(1), "")?;
            for k in 1..=u32::from(n) {
                let start = cur.at();
                let node = cx.add(d, Id::Indexed("qgdw13762.data.node", k), start, 0, NodeKind::Data);
                cx.field(node, Id::inner("qgdw13762.data.node.address", AT_NODE, k), cur, Fmt::Addr)?;
                cx.field(node, Id::inner("qgdw13762.data.node.info", AT_NODE, k), cur, Fmt::Hex(2))?;
                let end = cur.at();
                cx.set(node).span(Span::new(start, end));
            }
        }
        (0x11, 1, false) | (0x11, 2, false) => {
            let n = cur.peek()?;
            put(cx, d, "qgdw13762.data.count", cur, Fmt::Bin(1), "")?;
            nodes(cx, d, cur, n, f == 1)?;
        }
        (0x11, 5, false) => {
            put(cx, d, "qgdw13762.data.start_time", cur, Fmt::DateTime6, "")?;
            put(cx, d, "qgdw13762.data.duration", cur, Fmt::Bin(2), "min")?;
            put(cx, d, "qgdw13762.data.retries", cur, Fmt::Bin(1), "")?;
            put(cx, d, "qgdw13762.data.slices", cur, Fmt::Bin(1), "")?;
        }
        (0x13, 1, false) => {
            let t = protocol_type(cx, d, cur)?;
            put(cx, d, "qgdw13762.data.delay_flag", cur, Fmt::Bin(1), "")?;
            let n = cur.peek()?;
            put(cx, d, "qgdw13762.data.attached", cur, Fmt::Bin(1), "")?;
            nodes(cx, d, cur, n, false)?;
            frame_field(cx, d, cur, Hint::from_type(t))?;
        }
        (0x13, 1, true) => {
            put(cx, d, "qgdw13762.data.duration", cur, Fmt::Bin(2), "s")?;
            let t = protocol_type(cx, d, cur)?;
            frame_field(cx, d, cur, Hint::from_type(t))?;
        }
        (0x14, 1, true) => {
            put(cx, d, "qgdw13762.data.phase", cur, Fmt::Bin(1), "")?;
            put(cx, d, "qgdw13762.data.address", cur, Fmt::Addr, "")?;
            put(cx, d, "qgdw13762.data.index", cur, Fmt::Bin(2), "")?;
        }
        (0x14, 1, false) => {
            put(cx, d, "qgdw13762.data.read_flag", cur, Fmt::Bin(1), "")?;
            put(cx, d, "qgdw13762.data.delay_flag", cur, Fmt::Bin(1), "")?;
            frame_field(cx, d, cur, Hint::Any)?;
            let n = cur.peek()?;
            put(cx, d, "qgdw13762.data.attached", cur, Fmt::Bin(1), "")?;
            nodes(cx, d, cur, n, false)?;
        }
        (0x14, 2, false) => {
            put(cx, d, "qgdw13762.data.clock", cur, Fmt::DateTime6, "")?;
        }
        (0x14, 3, true) => {
            put(cx, d, "qgdw13762.data.address", cur, Fmt::Addr, "")?;
            put(cx, d, "qgdw13762.data.delay", cur, Fmt::Bin(2), "s")?;
            frame_field(cx, d, cur, Hint::Any)?;
        }
        (0x14, 3, false) => {
            frame_field(cx, d, cur, Hint::Any)?;
        }
        (0x15, 1, false) => {
            put(cx, d, "qgdw13762.data.file_id", cur, Fmt::Hex(1), "")?;
            put(cx, d, "qgdw13762.data.file_attribute", cur, Fmt::Hex(1), "")?;
            put(cx, d, "qgdw13762.data.file_command", cur, Fmt::Hex(1), "")?;
            put(cx, d, "qgdw13762.data.segments", cur, Fmt::Bin(2), "")?;
            put(cx, d, "qgdw13762.data.segment", cur, Fmt::Bin(4), "")?;
            put(cx, d, "qgdw13762.data.segment_length", cur, Fmt::Bin(2), "")?;
            if !cur.is_empty() {
                let (b, at) = cur.rest_at();
                let n = cx.add(d, "qgdw13762.data.file_data", at, b.len(), NodeKind::Data);
                cx.set(n).value(Msg::hex(Span::at(at, b.len())));
            }
        }
        (0x15, 1, true) => {
            put(cx, d, "qgdw13762.data.segment", cur, Fmt::Bin(4), "")?;
        }
        _ => return Some(false),
    }
    Some(true)
}
