//! The Q/GDW 1376.1 dissector (terminal ⇄ master station; Q/GDW 130-2005
//! frames too, told apart by the protocol identifier in L).
//!
//! `68 L L 68 | C A AFN SEQ {DA DT data}… [PW] [EC] [Tp] | CS 16`: every
//! field a node, the data units expanded to their points (pn) and classes
//! (Fn), the data of the classes users meet most read with the formats of
//! appendix A, forwarded DL/T 645 and DL/T 698.45 frames dissected in place.

use super::common::{Cx, Fmt, Points, classes, classes_text, points, points_text};
use super::frame::{self, END, START};
use super::names;
use super::nested::{self, Hint};
use crate::model::{Frame, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry;
use crate::span::Span;
use crate::wire::Cursor;

mod data;

use data::*;

/// Registry name.
pub const NAME: &str = "qgdw1376.1";

/// Downlink AFNs that carry the 16-byte message authentication code PW
/// (reset, set parameters, control, file transfer, data forwarding), as
/// public master-station and terminal implementations read them.
const PW_AFNS: [u8; 5] = [0x01, 0x04, 0x05, 0x0F, 0x10];

/// `qgdw13761.data` and `qgdw13761.unit` are this long: where a number goes.
const AT: usize = 14;
/// `qgdw13761.erc`.
const AT_ERC: usize = 13;

/// What the header says.
#[derive(Clone, Copy, Debug)]
struct Head {
    up: bool,
    acd: bool,
    afn: u8,
}

struct State {
    head: Head,
    /// Data blocks and event records numbered so far (their nodes' ids).
    blocks: u32,
    records: u32,
    /// The first unit's class, for the summary.
    first_fn: Option<u16>,
}

/// Dissect one frame (`bytes[0]` at absolute offset `base`).
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    dissect_with(bytes, base, nested::forwarded)
}

/// [`dissect`] with forwarded frames shown as bytes: for reading the data
/// units' values (the master station session), without the nested dissectors.
pub fn dissect_flat(bytes: &[u8], base: usize) -> Frame {
    dissect_with(bytes, base, nested::raw)
}

fn dissect_with(bytes: &[u8], base: usize, nest: super::common::Nest) -> Frame {
    let mut cx = Cx { f: Frame::new(NAME, bytes, base).with_labels(super::LABELS), base, nest };
    let root = cx.add(NONE, "qgdw13761", base, bytes.len(), NodeKind::Data);
    let mut cur = Cursor::new(bytes, base);
    if let Some(state) = frame_nodes(&mut cx, root, &mut cur) {
        let afn = u64::from(state.head.afn);
        let mut parts =
            vec![Msg::Str("AFN "), Msg::owned(format!("{afn:02X}")), Msg::Str(" "), Msg::Code(names::afn_1, afn)];
        if let Some(f) = state.first_fn {
            parts.push(Msg::Str(" · "));
            parts.push(Msg::Code(names::fn_1, afn << 16 | u64::from(f)));
        }
        cx.set(root).text(Msg::Concat(parts.into_boxed_slice()));
    }
    cx.f.finish()
}

fn frame_nodes(cx: &mut Cx, root: NodeRef, cur: &mut Cursor) -> Option<State> {
    let bytes = cur.bytes();
    match cur.peek() {
        Some(START) => {}
        Some(b) => {
            cx.rest(root, "qgdw13761.raw", cur, "qgdw13761.raw");
            let msg = msg!("no start delimiter 0x68 here; found 0x{:02X}", "此处不是帧起始符 0x68，而是 0x{:02X}", b);
            cx.diag(Severity::Error, cx.base, 1, "qgdw13761.start.missing", msg);
            return None;
        }
        None => {
            registry::truncated_diag(&mut cx.f, cx.base, None, "qgdw13761.truncated");
            return None;
        }
    }
    let n = cx.add(root, "qgdw13761.start", cx.base, 1, NodeKind::Delimiter);
    cx.set(n).value(Msg::Str("68"));
    cur.seek(1);
    let Some((l, at)) = cur.take_at(2) else {
        cx.short(root, "qgdw13761.length", cur, 2, "qgdw13761.truncated");
        return None;
    };
    let (user, proto) = frame::length_1(l[0], l[1]);
    length_node(cx, root, "qgdw13761.length", at, user, proto);
    match cur.take_at(2) {
        Some((l2, at2)) => {
            let (user2, proto2) = frame::length_1(l2[0], l2[1]);
            length_node(cx, root, "qgdw13761.length2", at2, user2, proto2);
            if l2 != l {
                let msg = msg!(
                    "the two length fields differ: 0x{:04X} and 0x{:04X}",
                    "两个长度域不一致：0x{:04X} 与 0x{:04X}",
                    u16::from_le_bytes([l[0], l[1]]),
                    u16::from_le_bytes([l2[0], l2[1]])
                );
                cx.diag(Severity::Error, at2, 2, "qgdw13761.length.mismatch", msg);
            }
        }
        None => {
            cx.short(root, "qgdw13761.length2", cur, 2, "qgdw13761.truncated");
            return None;
        }
    }
    match cur.take_at(1) {
        Some((s, at)) => {
            let n = cx.add(root, "qgdw13761.start2", at, 1, NodeKind::Delimiter);
            cx.set(n).value(Msg::hex(Span::at(at, 1)));
            if s[0] != START {
                let msg = msg!(
                    "second start delimiter is not 0x68 but 0x{:02X}",
                    "第二个帧起始符不是 0x68，而是 0x{:02X}",
                    s[0]
                );
                cx.diag(Severity::Error, at, 1, "qgdw13761.start.missing", msg);
            }
        }
        None => {
            registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13761.truncated");
            return None;
        }
    }
    // The user data as far as L and the bytes reach.
    let user_end = (6 + user).min(bytes.len());
    let mut ucur = cur.until(user_end);
    let state = user_data(cx, root, &mut ucur, user_end - 6);
    cur.seek(user_end);
    if 6 + user > bytes.len() {
        registry::truncated_diag(
            &mut cx.f,
            cx.base + bytes.len(),
            Some(6 + user + 2 - bytes.len()),
            "qgdw13761.truncated",
        );
        return state;
    }
    let cs_at = 6 + user;
    match bytes.get(cs_at) {
        Some(&stated) => {
            let computed = frame::checksum(&bytes[6..cs_at]);
            checksum(cx, root, "qgdw13761.cs", cx.base + cs_at, stated, computed);
        }
        None => {
            registry::truncated_diag(&mut cx.f, cx.base + bytes.len(), Some(2), "qgdw13761.truncated");
            return state;
        }
    }
    match bytes.get(cs_at + 1) {
        Some(&e) => end_node(cx, root, "qgdw13761.end", cx.base + cs_at + 1, e),
        None => {
            registry::truncated_diag(&mut cx.f, cx.base + bytes.len(), Some(1), "qgdw13761.truncated");
            return state;
        }
    }
    cur.seek(cs_at + 2);
    if !cur.is_empty() {
        cx.rest(root, "qgdw13761.trailing", cur, "qgdw13761.trailing");
    }
    state
}

fn length_node(cx: &mut Cx, root: NodeRef, id: &'static str, at: usize, user: usize, proto: u8) {
    let n = cx.add(root, id, at, 2, NodeKind::Length);
    let edition = match proto {
        1 => crate::msg!("Q/GDW 130-2005", "Q/GDW 130-2005"),
        2 => crate::msg!("Q/GDW 1376.1", "Q/GDW 1376.1"),
        _ => crate::msg!("not defined", "未定义"),
    };
    cx.set(n).value(Msg::hex(Span::at(at, 2))).text(msg!(
        "{} byte(s) of user data; protocol identifier {} ({})",
        "用户数据 {} 字节；规约标识 {}（{}）",
        user,
        proto,
        edition
    ));
    if id == "qgdw13761.length" {
        let u = cx.add(n, "qgdw13761.length.user", at, 2, NodeKind::Length);
        cx.set(u).value(Msg::Uint(user as u64));
        let p = cx.add(n, "qgdw13761.length.protocol", at, 1, NodeKind::Length);
        cx.set(p).value(Msg::Uint(proto.into()));
        if proto == 0 || proto == 3 {
            let msg = msg!("protocol identifier {} is not defined", "规约标识 {} 未定义", proto);
            cx.diag(Severity::Warning, at, 1, "qgdw13761.length.protocol", msg);
        }
    }
}

/// The checksum node and check.
pub(super) fn checksum(cx: &mut Cx, root: NodeRef, id: &'static str, at: usize, stated: u8, computed: u8) {
    cx.f.byte_checksum(root, id, "qgdw1376.cs.mismatch", Span::at(at, 1), (stated, computed));
}

pub(super) fn end_node(cx: &mut Cx, root: NodeRef, id: &'static str, at: usize, e: u8) {
    let n = cx.add(root, id, at, 1, NodeKind::Delimiter);
    cx.set(n).value(Msg::hex(Span::at(at, 1)));
    if e != END {
        let msg = msg!("the end byte is 0x{:02X}, not 0x16", "结束符是 0x{:02X}，不是 0x16", e);
        cx.diag(Severity::Error, at, 1, "qgdw1376.end.missing", msg);
    }
}

/// A one-bit (or few-bit) field of a byte: node, value (the `mask` bits of
/// `byte`, shifted down), the bits and words.
pub(super) fn bits(cx: &mut Cx, parent: NodeRef, id: &'static str, at: usize, (byte, mask): (u8, u8), text: Msg) {
    let value = (byte & mask) >> mask.trailing_zeros();
    let n = cx.add(parent, id, at, 1, NodeKind::Control);
    cx.set(n).value(Msg::Uint(value.into())).text(text).bits(mask.into());
}

fn user_data(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, len: usize) -> Option<State> {
    let (c, at) = match cur.take_at(1) {
        Some((c, at)) => (c[0], at),
        None => {
            registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13761.truncated");
            return None;
        }
    };
    let up = c & 0x80 != 0;
    let prm = c & 0x40 != 0;
    let n = cx.add(root, "qgdw13761.control", at, 1, NodeKind::Control);
    cx.set(n)
        .value(Msg::HexNum { value: c.into(), digits: 2 })
        .text(Msg::Code(names::function_1, u64::from(prm) << 4 | u64::from(c & 0x0F)));
    let dir = if up {
        crate::msg!("uplink (terminal to master station)", "上行（终端发出）")
    } else {
        crate::msg!("downlink (master station to terminal)", "下行（主站发出）")
    };
    bits(cx, n, "qgdw13761.control.dir", at, (c, 0x80), dir);
    let prm_text = if prm {
        crate::msg!("from the initiating station", "来自启动站")
    } else {
        crate::msg!("from the responding station", "来自从动站")
    };
    bits(cx, n, "qgdw13761.control.prm", at, (c, 0x40), prm_text);
    if up {
        let t = if c & 0x20 != 0 {
            crate::msg!("important events are waiting (EC follows)", "有重要事件待访问（带EC）")
        } else {
            crate::msg!("no important event waiting", "无重要事件待访问")
        };
        bits(cx, n, "qgdw13761.control.acd", at, (c, 0x20), t);
    } else {
        bits(cx, n, "qgdw13761.control.fcb", at, (c, 0x20), Msg::None);
        let t = if c & 0x10 != 0 {
            crate::msg!("FCB valid", "FCB有效")
        } else {
            crate::msg!("FCB not used", "FCB无效")
        };
        bits(cx, n, "qgdw13761.control.fcv", at, (c, 0x10), t);
    }
    let f = cx.add(n, "qgdw13761.control.function", at, 1, NodeKind::Control);
    cx.set(f)
        .bits(0x0F)
        .value(Msg::Uint((c & 0x0F).into()))
        .text(Msg::Code(names::function_1, u64::from(prm) << 4 | u64::from(c & 0x0F)));

    let Some((a, at)) = cur.take_at(5) else {
        cx.short(root, "qgdw13761.address", cur, 5, "qgdw13761.truncated");
        return None;
    };
    address(cx, root, a, at);

    let Some((afn_b, at)) = cur.take_at(1) else {
        registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13761.truncated");
        return None;
    };
    let afn = afn_b[0];
    let n = cx.add(root, "qgdw13761.afn", at, 1, NodeKind::Control);
    cx.set(n).value(Msg::HexNum { value: afn.into(), digits: 2 }).text(Msg::Code(names::afn_1, afn.into()));

    let Some((seq_b, at)) = cur.take_at(1) else {
        registry::truncated_diag(&mut cx.f, cur.at(), None, "qgdw13761.truncated");
        return None;
    };
    let seq = seq_b[0];
    let n = cx.add(root, "qgdw13761.seq", at, 1, NodeKind::Control);
    cx.set(n).value(Msg::HexNum { value: seq.into(), digits: 2 });
    let tpv = seq & 0x80 != 0;
    let t = if tpv {
        crate::msg!("time label Tp present", "带时间标签Tp")
    } else {
        crate::msg!("no time label", "无时间标签")
    };
    bits(cx, n, "qgdw13761.seq.tpv", at, (seq, 0x80), t);
    bits(cx, n, "qgdw13761.seq.fir", at, (seq, 0x40), crate::msg!("first frame", "首帧"));
    bits(cx, n, "qgdw13761.seq.fin", at, (seq, 0x20), crate::msg!("final frame", "末帧"));
    let t = if seq & 0x10 != 0 {
        crate::msg!("confirmation required", "需要确认")
    } else {
        crate::msg!("no confirmation", "不需要确认")
    };
    bits(cx, n, "qgdw13761.seq.con", at, (seq, 0x10), t);
    let p = cx.add(n, "qgdw13761.seq.pseq", at, 1, NodeKind::Control);
    cx.set(p).value(Msg::Uint((seq & 0x0F).into())).bits(0x0F);

    let head = Head { up, acd: up && c & 0x20 != 0, afn };
    let mut state = State { head, blocks: 0, records: 0, first_fn: None };

    // The auxiliary information at the end: PW, EC, Tp.
    let pw = if !up && PW_AFNS.contains(&afn) { 16 } else { 0 };
    let ec = if head.acd { 2 } else { 0 };
    let tp = if tpv { 6 } else { 0 };
    let data_len = len.saturating_sub(8);
    let (aux, pw, ec, tp) = if pw + ec + tp <= data_len {
        (pw + ec + tp, pw, ec, tp)
    } else if ec + tp <= data_len {
        let msg = msg!(
            "no room for the 16-byte password PW this AFN carries downlink",
            "本 AFN 下行应带 16 字节消息认证码 PW，但长度不够"
        );
        cx.diag(Severity::Warning, cur.at(), data_len, "qgdw13761.pw.missing", msg);
        (ec + tp, 0, ec, tp)
    } else {
        let msg = msg!("the user data is too short for its EC and Tp", "用户数据长度不够容纳 EC 和 Tp");
        cx.diag(Severity::Warning, cur.at(), data_len, "qgdw13761.aux.missing", msg);
        (0, 0, 0, 0)
    };
    let data_end = cur.pos() + data_len - aux;
    let mut data = cur.until(data_end);
    units(cx, root, &mut data, &mut state);
    cur.seek(data_end);
    if pw > 0
        && let Some((_, at)) = cur.take_at(pw)
    {
        let n = cx.add(root, "qgdw13761.pw", at, pw, NodeKind::Data);
        cx.set(n).value(Msg::hex(Span::at(at, pw)));
    }
    if ec > 0
        && let Some((e, at)) = cur.take_at(ec)
    {
        let n = cx.add(root, "qgdw13761.ec", at, 2, NodeKind::Data);
        cx.set(n).value(Msg::hex(Span::at(at, 2)));
        let c1 = cx.add(n, "qgdw13761.ec.ec1", at, 1, NodeKind::Data);
        cx.set(c1).value(Msg::Uint(e[0].into()));
        let c2 = cx.add(n, "qgdw13761.ec.ec2", at + 1, 1, NodeKind::Data);
        cx.set(c2).value(Msg::Uint(e[1].into()));
    }
    if tp > 0
        && let Some((t, at)) = cur.take_at(tp)
    {
        let n = cx.add(root, "qgdw13761.tp", at, 6, NodeKind::Data);
        cx.set(n).value(Msg::hex(Span::at(at, 6)));
        let p = cx.add(n, "qgdw13761.tp.pfc", at, 1, NodeKind::Data);
        cx.set(p).value(Msg::Uint(t[0].into()));
        let mut c = Cursor::new(&t[1..5], at + 1);
        cx.field(n, "qgdw13761.tp.time", &mut c, Fmt::A16);
        let d = cx.add(n, "qgdw13761.tp.delay", at + 5, 1, NodeKind::Data);
        cx.set(d).value(Msg::Uint(t[5].into())).unit(Msg::Str("min"));
        if t[5] == 0 {
            cx.set(d).text(crate::msg!("no delay check", "不作超时判断"));
        }
    }
    Some(state)
}

fn address(cx: &mut Cx, root: NodeRef, a: &[u8], at: usize) {
    let n = cx.add(root, "qgdw13761.address", at, 5, NodeKind::Address);
    let a2 = u16::from_le_bytes([a[2], a[3]]);
    cx.set(n).value(Msg::owned(format!("{:02X}{:02X}-{a2:04X}", a[1], a[0])));
    let r = cx.add(n, "qgdw13761.address.a1", at, 2, NodeKind::Address);
    cx.set(r).value(Msg::Hex { span: Span::at(at, 2), spaced: false, reversed: true });
    if !super::common::is_bcd(a[0]) || !super::common::is_bcd(a[1]) {
        let msg = msg!("the region code is not BCD", "行政区划码不是 BCD 码");
        cx.diag(Severity::Warning, at, 2, "qgdw13761.address.bcd", msg);
    }
    let t = cx.add(n, "qgdw13761.address.a2", at + 2, 2, NodeKind::Address);
    let group = a[4] & 1 != 0;
    let text = match (a2, group) {
        (0xFFFF, true) => crate::msg!("broadcast address", "广播地址"),
        (0, _) => crate::msg!("invalid address 0", "无效地址 0"),
        (_, true) => crate::msg!("group address", "组地址"),
        _ => crate::msg!("single terminal address", "单地址"),
    };
    cx.set(t).value(Msg::Hex { span: Span::at(at + 2, 2), spaced: false, reversed: true }).text(msg!(
        "{} ({})",
        "{}（{}）",
        a2,
        text
    ));
    let m = cx.add(n, "qgdw13761.address.a3", at + 4, 1, NodeKind::Address);
    cx.set(m).value(Msg::HexNum { value: a[4].into(), digits: 2 });
    let g = cx.add(m, "qgdw13761.address.group", at + 4, 1, NodeKind::Address);
    let gt = if group {
        crate::msg!("A2 is a group address", "A2 为组地址")
    } else {
        crate::msg!("A2 is a single address", "A2 为单地址")
    };
    cx.set(g).value(Msg::Uint((a[4] & 1).into())).text(gt);
    let s = cx.add(m, "qgdw13761.address.msa", at + 4, 1, NodeKind::Address);
    cx.set(s).value(Msg::Uint((a[4] >> 1).into()));
}

/// Data units: DA DT and the data of each point and class.
fn units(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, st: &mut State) {
    let mut u = 0u32;
    while cur.left() >= 4 {
        u += 1;
        let start = cur.at();
        let Some((id, at)) = cur.take_at(4) else { break };
        let unit = cx.add(root, Id::Indexed("qgdw13761.unit", u), at, 4, NodeKind::Data);
        let pts = points(id[0], id[1]);
        let fns = classes(id[2], id[3]);
        let da = cx.add(unit, Id::inner("qgdw13761.unit.da", AT, u), at, 2, NodeKind::Data);
        cx.set(da).value(Msg::hex(Span::at(at, 2))).text(points_text(&pts));
        let dt = cx.add(unit, Id::inner("qgdw13761.unit.dt", AT, u), at + 2, 2, NodeKind::Data);
        cx.set(dt).value(Msg::hex(Span::at(at + 2, 2))).text(classes_text(&fns));
        if st.first_fn.is_none() {
            st.first_fn = fns.first().copied();
        }
        let afn = u64::from(st.head.afn);
        let summary: Vec<Msg> = fns.iter().map(|&f| Msg::Code(names::fn_1, afn << 16 | u64::from(f))).collect();
        cx.set(unit).text(Msg::joined(summary, "; "));
        let list = match &pts {
            Points::List(v) => v.clone(),
            Points::All => vec![u16::MAX],
        };
        let total = list.len() * fns.len();
        let mut k = 0;
        'all: for &pn in &list {
            for &f in &fns {
                k += 1;
                if st.head.afn == 0x00 && f == 3 {
                    confirm_items(cx, unit, cur, st);
                    break 'all;
                }
                block(cx, unit, cur, st, pn, f, k == total);
            }
        }
        let end = cur.at();
        cx.set(unit).span(Span::new(start, end));
    }
    if !cur.is_empty() {
        cx.rest(root, "qgdw13761.data.rest", cur, "qgdw13761.data.rest");
    }
}

/// AFN 00 F3: the AFN confirmed, then DA DT and a result for each unit.
fn confirm_items(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, st: &mut State) {
    st.blocks += 1;
    let b = st.blocks;
    let start = cur.at();
    let node = cx.add(parent, Id::Indexed("qgdw13761.data", b), start, 0, NodeKind::Data);
    if let Some(n) = cx.field(node, Id::inner("qgdw13761.data.afn", AT, b), cur, Fmt::Hex(1)) {
        let afn = cx.bytes(start, 1).first().copied().unwrap_or(0);
        cx.set(n).text(Msg::Code(names::afn_1, afn.into()));
    }
    let mut k = 0;
    while let Some((item, at)) = cur.take_at(5) {
        k += 1;
        let n = cx.add(
            node,
            Id::Inner { key: "qgdw13761.data.item", at: AT as u16, index: b, last: k },
            at,
            5,
            NodeKind::Data,
        );
        let pts = points(item[0], item[1]);
        let fns = classes(item[2], item[3]);
        let result = if item[4] == 0 { crate::msg!("confirmed", "确认") } else { crate::msg!("denied", "否认") };
        cx.set(n).value(Msg::hex(Span::at(at, 5))).text(Msg::Concat(Box::new([
            points_text(&pts),
            Msg::Str(" "),
            classes_text(&fns),
            Msg::Str(": "),
            result,
        ])));
    }
    if !cur.is_empty() {
        cx.rest(node, Id::inner("qgdw13761.data.bytes", AT, b), cur, "qgdw13761.data.rest");
    }
    let end = cur.at();
    cx.set(node).span(Span::new(start, end)).label(Msg::Code(names::fn_1, 3));
}

/// The data of one point and class.
fn block(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, st: &mut State, pn: u16, f: u16, last: bool) {
    let h = st.head;
    let len = known_len(h, f, cur.remaining());
    let len = match len {
        Some(n) => n,
        None if last => cur.left(),
        None => 0,
    };
    if len == 0 && !has_empty_layout(h, f) {
        return;
    }
    st.blocks += 1;
    let b = st.blocks;
    let start = cur.at();
    let node = cx.add(parent, Id::Indexed("qgdw13761.data", b), start, 0, NodeKind::Data);
    let label = if pn == u16::MAX {
        msg!("Data of F{}", "F{} 的数据", f)
    } else {
        msg!("Data of p{} F{}", "p{} F{} 的数据", pn, f)
    };
    cx.set(node).label(label).text(Msg::Code(names::fn_1, u64::from(h.afn) << 16 | u64::from(f)));
    let mut c = cur.until(cur.pos() + len.min(cur.left()));
    if data(cx, node, &mut c, st, b, f) {
        if !c.is_empty() {
            cx.rest(node, Id::inner("qgdw13761.data.bytes", AT, b), &mut c, "qgdw13761.data.rest");
        }
    } else {
        cx.raw(node, Id::inner("qgdw13761.data.raw", AT, b), &mut c);
    }
    cur.seek(c.pos());
    let end = cur.at();
    cx.set(node).span(Span::new(start, end));
}

/// Classes whose data is empty by definition but that still get a node.
fn has_empty_layout(_: Head, _: u16) -> bool {
    false
}

/// The length of a class's data when known without reading it (`None`:
/// read it, or take the rest).
fn known_len(h: Head, f: u16, rest: &[u8]) -> Option<usize> {
    let byte = |i: usize| rest.get(i).copied().map(usize::from);
    match (h.afn, h.up, f) {
        (0x00, _, 1 | 2) | (0x01, false, _) | (0x02, _, 1..=3) | (0x09, false, _) | (0x0C, false, _) => Some(0),
        (0x0A, false, 10) => Some(2 + 2 * (byte(0)? | byte(1)? << 8)),
        (0x0A, false, _) => Some(0),
        (0x0D, false, f) => Some(td_len(f)?),
        (0x0E, false, 1 | 2) => Some(2),
        (0x0A | 0x04, _, 1) => Some(6),
        (0x0A | 0x04, _, 3) => Some(28),
        (0x05, false, 25) => Some(1),
        (0x05, false, 31) => Some(6),
        (0x05, false, 49..=51) => Some(1),
        (0x05, false, 26..=29 | 33..=38) => Some(0),
        (0x09, true, 1) => Some(41),
        (0x0C, true, 2) => Some(6),
        (0x0C, true, 25) => Some(67),
        (0x0C, true, 33 | 34) => Some(6 + (byte(5)? + 1) * (5 + 4 * 3)),
        (0x0C, true, 129 | 131) => Some(6 + (byte(5)? + 1) * 5),
        (0x0C, true, 130 | 132) => Some(6 + (byte(5)? + 1) * 4),
        (0x0C, true, 170) => Some(18),
        (0x0D, true, 1 | 2) => Some(9 + (byte(8)? + 1) * 17),
        (0x0D, true, 17 | 18) => Some(8 + (byte(7)? + 1) * 17),
        (0x0D, true, 161 | 163) => Some(9 + (byte(8)? + 1) * 5),
        (0x0D, true, 162 | 164) => Some(9 + (byte(8)? + 1) * 4),
        (0x0D, true, 177 | 179) => Some(8 + (byte(7)? + 1) * 5),
        (0x0D, true, 178 | 180) => Some(8 + (byte(7)? + 1) * 4),
        (0x10, false, 1) => Some(6 + (byte(4)? | byte(5)? << 8)),
        (0x10, true, 1) => Some(3 + (byte(1)? | byte(2)? << 8)),
        (0x0E, true, 1 | 2) => {
            // Counters, pointers, then the records Pm … Pn − 1, each ERC, Le, Le bytes.
            let mut len = 4;
            for _ in 0..byte(3)?.wrapping_sub(byte(2)?) & 0xFF {
                len += 2 + byte(len + 1)?;
            }
            (len <= rest.len()).then_some(len)
        }
        _ => None,
    }
}

/// The data time label Td of class 2 data: day (A.20), month (A.21) or curve (A.15, density, points).
fn td_len(f: u16) -> Option<usize> {
    match f {
        1..=12 | 25..=32 | 41..=43 | 45 | 49 | 50 | 53..=55 | 161..=176 | 185..=188 => Some(3),
        17..=24 | 33..=39 | 44 | 46 | 51 | 52 | 177..=184 | 189..=196 => Some(2),
        73..=76 | 81..=95 | 97..=110 | 138..=148 => Some(7),
        _ => None,
    }
}

/// Whether a field's bytes said "no data" (all EE).
fn no_data(cx: &Cx, n: NodeRef) -> bool {
    matches!(cx.f.node(n).map(|x| &x.text), Some(Msg::Bi(w)) if w.en() == "no data (EE)")
}

/// AFN 0E F1/F2: event counters, the pointers Pm and Pn of the records this
/// frame carries, and the records Pm … Pn − 1 (counted modulo 256), so that
/// a data unit after them (as in joined multi-frame answers) is read as one.
fn events(cx: &mut Cx, node: NodeRef, cur: &mut Cursor, st: &mut State, b: u32) {
    let pointers = cur.remaining().get(2..4).map(|p| (p[0], p[1]));
    for key in ["qgdw13761.data.ec1", "qgdw13761.data.ec2", "qgdw13761.data.pm", "qgdw13761.data.pn"] {
        if cx.field(node, Id::inner(key, AT, b), cur, Fmt::Bin(1)).is_none() {
            return;
        }
    }
    let count = pointers.map_or(0, |(pm, pn)| u32::from(pn.wrapping_sub(pm)));
    let mut k = 0;
    while cur.left() >= 2 && k < count {
        k += 1;
        st.records += 1;
        let r = st.records;
        let start = cur.at();
        let Some((hd, at)) = cur.take_at(2) else { return };
        let (erc, le) = (hd[0], usize::from(hd[1]));
        let rec = cx.add(
            node,
            Id::Inner { key: "qgdw13761.data.record", at: AT as u16, index: b, last: k },
            at,
            2,
            NodeKind::Data,
        );
        cx.set(rec).text(Msg::Code(names::erc, erc.into()));
        let n = cx.add(rec, Id::inner("qgdw13761.erc.code", AT_ERC, r), at, 1, NodeKind::Data);
        cx.set(n).value(Msg::Uint(erc.into())).text(Msg::Code(names::erc, erc.into()));
        let n = cx.add(rec, Id::inner("qgdw13761.erc.length", AT_ERC, r), at + 1, 1, NodeKind::Length);
        cx.set(n).value(Msg::Uint(le as u64));
        let take = le.min(cur.left());
        let mut c = cur.until(cur.pos() + take);
        match erc {
            1 => {
                let ok = cx.field(rec, Id::inner("qgdw13761.erc.time", AT_ERC, r), &mut c, Fmt::A15).is_some()
                    && cx.field(rec, Id::inner("qgdw13761.erc.flags", AT_ERC, r), &mut c, Fmt::Hex(1)).is_some()
                    && cx
                        .field(rec, Id::inner("qgdw13761.erc.old_version", AT_ERC, r), &mut c, Fmt::Ascii(4))
                        .is_some();
                if ok {
                    cx.field(rec, Id::inner("qgdw13761.erc.new_version", AT_ERC, r), &mut c, Fmt::Ascii(4));
                }
            }
            14 if cx.field(rec, Id::inner("qgdw13761.erc.off", AT_ERC, r), &mut c, Fmt::A15).is_some() => {
                cx.field(rec, Id::inner("qgdw13761.erc.on", AT_ERC, r), &mut c, Fmt::A15);
            }
            _ => {}
        }
        if !c.is_empty() {
            let (rb, rat) = c.rest_at();
            let n = cx.add(rec, Id::inner("qgdw13761.erc.data", AT_ERC, r), rat, rb.len(), NodeKind::Data);
            cx.set(n).value(Msg::hex(Span::at(rat, rb.len())));
        }
        cur.seek(c.pos());
        if take < le {
            registry::truncated_diag(&mut cx.f, cur.at(), Some(le - take), "qgdw13761.truncated");
        }
        let end = cur.at();
        cx.set(rec).span(Span::new(start, end));
    }
}
