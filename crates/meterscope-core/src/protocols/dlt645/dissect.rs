//! The tolerant DL/T 645 dissector: a node for every byte, checks as data,
//! diagnostics pinned to bytes. Never fails and never panics.
//!
//! It builds a language-neutral [`Frame`]: labels come from node ids, texts
//! are messages, and what the dictionary says of an identifier (its name, the
//! names of its values) is written when the frame is rendered. The data field
//! with 0x33 removed is kept once in the frame's derived bytes; values refer
//! to it.

use core::fmt;

use super::dictionary::{self, DiInfo, Field, Items};
use super::frame::{
    self, Address, ControlCode, DATA_OFFSET, Direction, END, OVERHEAD, START, Variant, WAKE_UP, function,
};
use super::value::{self, Format, Issue, Shape};
use crate::lang::Lang;
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry::{self, Options};
use crate::span::Span;
use crate::wire::Cursor;

/// Registry name of an edition.
pub fn protocol_name(variant: Variant) -> &'static str {
    match variant {
        Variant::V2007 => "dlt645-2007",
        Variant::V1997 => "dlt645-1997",
    }
}

/// Title of an edition.
pub fn title(variant: Variant) -> &'static str {
    match variant {
        Variant::V2007 => "DL/T 645-2007",
        Variant::V1997 => "DL/T 645-1997",
    }
}

/// The frame being built and what the dissection of it collects.
struct Ctx {
    f: Frame,
    base: usize,
    variant: Variant,
    /// The reply announces a follow-up frame: blocks may stop anywhere.
    follow: bool,
    /// Frame offset of the data field, its length, and where its bytes with
    /// 0x33 removed start in the derived bytes.
    data_at: usize,
    data_len: usize,
    derived_at: u32,
    /// A short summary for the root node's text: its parts (at most three
    /// are made: the control code, the identifier, the error word), kept
    /// inline.
    summary: [Msg; 3],
    summaries: usize,
}

impl Ctx {
    fn span(&self, at: usize, len: usize) -> Span {
        Span::at(self.base + at, len)
    }
    fn diag(&mut self, severity: Severity, span: Span, code: &'static str, message: Msg) {
        self.f.diag(severity, span, code, message);
    }
    fn node(&mut self, parent: NodeRef, id: impl Into<Id>, at: usize, len: usize, kind: NodeKind) -> NodeRef {
        let span = self.span(at, len);
        self.f.add(parent, id, span, kind).index()
    }
    /// Hex of `len` bytes at frame offset `at`: the unscrambled bytes inside
    /// the data field, the bytes as sent elsewhere.
    fn hex(&self, at: usize, len: usize, spaced: bool, reversed: bool) -> Msg {
        if at >= self.data_at && at + len <= self.data_at + self.data_len {
            let at = self.derived_at + (at - self.data_at) as u32;
            Msg::Derived { at, len: len as u32, spaced, reversed }
        } else {
            Msg::Hex { span: self.span(at, len), spaced, reversed }
        }
    }
    /// Where the data bytes at frame offset `at` start in the derived bytes.
    fn derived(&self, at: usize) -> u32 {
        self.derived_at + at.saturating_sub(self.data_at) as u32
    }
    /// One more part of the summary (a fourth would be dropped; none is made).
    fn summarise(&mut self, m: Msg) {
        if let Some(slot) = self.summary.get_mut(self.summaries) {
            *slot = m;
            self.summaries += 1;
        }
    }
    fn set(&mut self, n: NodeRef) -> crate::model::NodeMut<'_> {
        self.f.node_mut(n)
    }
}

/// Dissect one frame (`frame[0]` at absolute offset `base`) as `variant`.
pub fn dissect(variant: Variant, bytes: &[u8], base: usize, _opts: &Options) -> Frame {
    let mut ctx = Ctx {
        f: Frame::new(protocol_name(variant), bytes, base).with_labels(super::LABELS),
        base,
        variant,
        follow: false,
        data_at: usize::MAX,
        data_len: 0,
        derived_at: 0,
        summary: [Msg::None, Msg::None, Msg::None],
        summaries: 0,
    };
    let label = match variant {
        Variant::V2007 => Msg::Bi("DL/T 645-2007 frame", "DL/T 645-2007 帧"),
        Variant::V1997 => Msg::Bi("DL/T 645-1997 frame", "DL/T 645-1997 帧"),
    };
    let root = ctx.f.add(NONE, "dlt645", Span::at(base, bytes.len()), NodeKind::Data).label(label).index();
    let pre = bytes.iter().take_while(|&&b| b == WAKE_UP).count();
    if pre > 0 {
        let n = ctx.node(root, "dlt645.preamble", 0, pre, NodeKind::Delimiter);
        let v = ctx.hex(0, pre, true, false);
        ctx.set(n).value(v);
    }
    let body = &bytes[pre..];
    if body.first() == Some(&START) {
        frame_nodes(&mut ctx, root, body, pre);
    } else {
        unrecognised(&mut ctx, root, body, pre);
    }
    let [a, b, c] = core::mem::take(&mut ctx.summary);
    let text = match ctx.summaries {
        0 => Msg::None,
        1 => a,
        2 => Msg::Concat(Box::new([a, Msg::Str(" · "), b])),
        _ => Msg::Concat(Box::new([a, Msg::Str(" · "), b, Msg::Str(" · "), c])),
    };
    if !text.is_none() {
        ctx.f.node_mut(root).text(text);
    }
    ctx.f.finish()
}

/// Bytes that do not start with 0x68 (only under a protocol override).
fn unrecognised(ctx: &mut Ctx, root: NodeRef, body: &[u8], at: usize) {
    let span = ctx.span(at, body.len());
    if body.is_empty() {
        let needed = if at == 0 { Some(OVERHEAD) } else { None };
        registry::truncated_diag(&mut ctx.f, span.end, needed, "dlt645.truncated");
        return;
    }
    let n = ctx.node(root, "dlt645.raw", at, body.len(), NodeKind::Unknown);
    let v = ctx.hex(at, body.len(), true, false);
    ctx.set(n).value(v);
    let msg = msg!("no start delimiter 0x68 here; found 0x{:02X}", "此处不是帧起始符 0x68，而是 0x{:02X}", body[0]);
    ctx.diag(Severity::Error, span, "dlt645.start.missing", msg);
}

/// Where the data, checksum and end byte of a frame lie.
struct Layout {
    data_len: usize,
    /// Index of CS and of the end byte, when present.
    cs: Option<usize>,
    end: Option<usize>,
    /// L disagrees with the bytes before CS and the end byte.
    mismatch: bool,
}

/// Delimit by L; a frame that ends in 0x16 one byte early has an L that disagrees.
fn layout(b: &[u8]) -> Option<Layout> {
    let l = usize::from(*b.get(frame::field::LENGTH)?);
    let n = b.len();
    if n >= OVERHEAD + l {
        return Some(Layout { data_len: l, cs: Some(OVERHEAD - 2 + l), end: Some(OVERHEAD - 1 + l), mismatch: false });
    }
    if n >= OVERHEAD && b[n - 1] == END {
        return Some(Layout { data_len: n - OVERHEAD, cs: Some(n - 2), end: Some(n - 1), mismatch: true });
    }
    Some(Layout { data_len: n.saturating_sub(frame::field::DATA), cs: None, end: None, mismatch: false })
}

fn frame_nodes(ctx: &mut Ctx, root: NodeRef, b: &[u8], off: usize) {
    header_nodes(ctx, root, b, off);
    let Some(lay) = layout(b) else {
        registry::truncated_diag(&mut ctx.f, ctx.base + off + b.len(), None, "dlt645.truncated");
        return;
    };
    length_check(ctx, b, off, &lay);
    let control = ControlCode(b[frame::field::CONTROL]);
    let data_at = off + frame::field::DATA;
    // The data with 0x33 removed: on the stack for every frame L can describe.
    let wire = &b[frame::field::DATA..frame::field::DATA + lay.data_len];
    let mut stack = [0u8; 256];
    let heap: Vec<u8>;
    let data: &[u8] = if wire.len() <= stack.len() {
        for (d, x) in stack.iter_mut().zip(wire) {
            *d = x.wrapping_sub(DATA_OFFSET);
        }
        &stack[..wire.len()]
    } else {
        heap = wire.iter().map(|x| x.wrapping_sub(DATA_OFFSET)).collect();
        &heap
    };
    ctx.data_at = data_at;
    ctx.data_len = data.len();
    ctx.derived_at = ctx.f.derive(data);
    data_node(ctx, root, control, data, data_at, lay.cs.is_some());
    if let Some(cs) = lay.cs {
        checksum_node(ctx, root, b, off, cs, lay.mismatch);
    }
    if let Some(end) = lay.end {
        end_node(ctx, root, b[end], off + end);
    }
    let total = lay.end.map_or(b.len(), |e| e + 1);
    if total < b.len() {
        let n = b.len() - total;
        let node = ctx.node(root, "dlt645.trailing", off + total, n, NodeKind::Unknown);
        let v = ctx.hex(off + total, n, true, false);
        ctx.set(node).value(v);
        let msg = msg!("{} byte(s) after the end of the frame", "{} 个字节位于帧结束之后", n);
        ctx.diag(Severity::Warning, ctx.span(off + total, n), "dlt645.trailing", msg);
    }
    if lay.cs.is_none() {
        let needed = OVERHEAD + usize::from(b[frame::field::LENGTH]) - b.len();
        registry::truncated_diag(&mut ctx.f, ctx.base + off + b.len(), Some(needed), "dlt645.truncated");
    }
}

/// 68, address, 68, control code, L — as far as present.
fn header_nodes(ctx: &mut Ctx, root: NodeRef, b: &[u8], off: usize) {
    let n = ctx.node(root, "dlt645.start", off, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("68"));
    let addr = &b[1..b.len().min(7)];
    if !addr.is_empty() {
        address_node(ctx, root, "dlt645.address", addr, off + 1);
    }
    if let Some(&s2) = b.get(frame::field::START2) {
        let n = ctx.node(root, "dlt645.start2", off + 7, 1, NodeKind::Delimiter);
        let v = ctx.hex(off + 7, 1, false, false);
        ctx.set(n).value(v);
        if s2 != START {
            let msg =
                msg!("second start delimiter is not 0x68 but 0x{:02X}", "第二个帧起始符不是 0x68，而是 0x{:02X}", s2);
            ctx.diag(Severity::Error, ctx.span(off + 7, 1), "dlt645.start.missing", msg);
        }
    }
    if let Some(&c) = b.get(frame::field::CONTROL) {
        control_node(ctx, root, ControlCode(c), off + 8);
    }
    if let Some(&l) = b.get(frame::field::LENGTH) {
        let n = ctx.node(root, "dlt645.length", off + 9, 1, NodeKind::Length);
        ctx.set(n).value(Msg::Uint(l.into())).text(Msg::Code(length_text, l.into()));
    }
    if b.len() < 10 {
        registry::truncated_diag(&mut ctx.f, ctx.base + off + b.len(), None, "dlt645.truncated");
    }
}

fn address_node(ctx: &mut Ctx, parent: NodeRef, id: &'static str, wire: &[u8], at: usize) {
    let a = Address::from_wire(wire);
    let n = ctx.node(parent, id, at, wire.len(), NodeKind::Address);
    let v = ctx.hex(at, wire.len(), false, true);
    ctx.set(n).value(v);
    if wire.len() == 6 {
        let text = if a.is_broadcast() {
            Msg::Bi("broadcast address", "广播地址")
        } else if a == Address::WILDCARD {
            Msg::Bi("wildcard address", "通配地址")
        } else if a.has_wildcard() {
            Msg::Bi("address with wildcard digits", "含通配位的地址")
        } else {
            Msg::None
        };
        ctx.set(n).text(text);
        if let Some(i) = a.invalid_byte() {
            let msg = msg!("address byte is not BCD: 0x{:02X}", "地址字节不是 BCD 码： 0x{:02X}", wire[i]);
            ctx.diag(Severity::Warning, ctx.span(at + i, 1), "dlt645.bcd.invalid", msg);
        }
    }
}

/// A control code and its edition, for the texts written when rendering.
fn control_code(variant: Variant, c: ControlCode) -> u64 {
    u64::from(c.0) | if variant == Variant::V1997 { 1 << 8 } else { 0 }
}

fn control_parts(code: u64) -> (Msg, Msg) {
    let variant = if code >> 8 == 1 { Variant::V1997 } else { Variant::V2007 };
    let c = ControlCode(code as u8);
    let name = frame::function_names(variant, c.function());
    let function_text = name.map_or(Msg::Bi("unknown function", "未知功能码"), |(en, zh)| Msg::Bi(en, zh));
    let kind_text = match (c.direction() == Direction::SlaveToMaster, c.is_abnormal()) {
        (false, _) => Msg::Bi("request", "请求"),
        (true, false) => Msg::Bi("normal reply", "正常应答"),
        (true, true) => Msg::Bi("abnormal reply", "异常应答"),
    };
    (function_text, kind_text)
}

/// `read data, request`.
fn control_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (function, kind) = control_parts(code);
    let cx = crate::model::RenderCx::default();
    function.write(w, lang, &cx)?;
    w.write_str(lang.pick(", ", "，"))?;
    kind.write(w, lang, &cx)
}

/// `read data (request)`.
fn control_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (function, kind) = control_parts(code);
    let cx = crate::model::RenderCx::default();
    function.write(w, lang, &cx)?;
    w.write_str(" (")?;
    kind.write(w, lang, &cx)?;
    w.write_str(")")
}

/// `4 data byte(s)`.
fn length_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "{code} data byte(s)"),
        Lang::Zh => write!(w, "{code} 个数据字节"),
    }
}

fn control_node(ctx: &mut Ctx, root: NodeRef, c: ControlCode, at: usize) {
    let f = c.function();
    let reply = c.direction() == Direction::SlaveToMaster;
    ctx.follow = reply && c.has_follow_up();
    let name = frame::function_names(ctx.variant, f);
    let other = match ctx.variant {
        Variant::V2007 => Variant::V1997,
        Variant::V1997 => Variant::V2007,
    };
    let (dir_value, dir_text) = if reply {
        (Msg::Bi("slave->master", "从站->主站"), Msg::Bi("reply from the slave (meter)", "从站发出的应答帧"))
    } else {
        (Msg::Bi("master->slave", "主站->从站"), Msg::Bi("command from the master", "主站发出的命令帧"))
    };
    let abnormal_text = match (reply, c.is_abnormal()) {
        (false, _) => Msg::Bi("not a reply", "非应答帧"),
        (true, false) => Msg::Bi("normal reply", "从站正确应答"),
        (true, true) => Msg::Bi("abnormal reply", "从站对异常信息的应答"),
    };
    let follow_text = if c.has_follow_up() {
        Msg::Bi("follow-up frame follows", "有后续数据帧")
    } else {
        Msg::Bi("no follow-up frame", "无后续数据帧")
    };
    let bit = |v: bool| Msg::Str(if v { "1" } else { "0" });
    let code = control_code(ctx.variant, c);
    let function_text = name.map_or(Msg::Bi("unknown function", "未知功能码"), |(en, zh)| Msg::Bi(en, zh));
    let node = ctx.node(root, "dlt645.control", at, 1, NodeKind::Control);
    ctx.set(node).value(Msg::HexNum { value: u64::from(c.0), digits: 2 }).text(Msg::Code(control_text, code));
    let n = ctx.node(node, "dlt645.control.dir", at, 1, NodeKind::Control);
    ctx.set(n).value(dir_value).text(dir_text);
    let n = ctx.node(node, "dlt645.control.abnormal", at, 1, NodeKind::Control);
    ctx.set(n).value(bit(c.is_abnormal())).text(abnormal_text);
    let n = ctx.node(node, "dlt645.control.follow", at, 1, NodeKind::Control);
    ctx.set(n).value(bit(c.has_follow_up())).text(follow_text);
    let n = ctx.node(node, "dlt645.control.function", at, 1, NodeKind::Control);
    ctx.set(n).value(Msg::HexNum { value: u64::from(f), digits: 2 }).text(function_text);
    ctx.summarise(Msg::Code(control_summary, code));
    if name.is_none() {
        let msg = match frame::function_names(other, f) {
            Some((en, zh)) => msg!(
                "function 0x{:02X} ({}) belongs to the other edition of DL/T 645",
                "功能码 0x{:02X} ({}) 属于另一版本的 DL/T 645",
                f,
                Msg::Bi(en, zh)
            ),
            None => msg!("unknown function code 0x{:02X}", "未知功能码 0x{:02X}", f),
        };
        ctx.diag(Severity::Warning, ctx.span(at, 1), "dlt645.function.unknown", msg);
    }
}

fn length_check(ctx: &mut Ctx, b: &[u8], off: usize, lay: &Layout) {
    if lay.cs.is_none() {
        return;
    }
    let stated = usize::from(b[frame::field::LENGTH]);
    let span = ctx.span(off + frame::field::LENGTH, 1);
    ctx.f.check(Check {
        id: "dlt645.length".into(),
        label: Msg::Label,
        stated: Msg::Uint(stated as u64),
        computed: Msg::Uint(lay.data_len as u64),
        ok: stated == lay.data_len,
        span,
    });
    if lay.mismatch {
        let msg = msg!(
            "L states {} data byte(s) but {} are present before CS and the end byte",
            "长度域 L 为 {}，但校验码和结束符之前只有 {} 个数据字节",
            stated,
            lay.data_len
        );
        ctx.diag(Severity::Error, span, "dlt645.length.mismatch", msg);
    }
}

fn checksum_node(ctx: &mut Ctx, root: NodeRef, b: &[u8], off: usize, cs: usize, mismatch: bool) {
    let stated = b[cs];
    let as_sent = frame::checksum(&b[..cs]);
    // With L wrong, the right checksum is the one of the frame with L corrected.
    let corrected = as_sent.wrapping_sub(b[frame::field::LENGTH]).wrapping_add((cs - frame::field::DATA) as u8);
    let computed = if mismatch && stated != as_sent { corrected } else { as_sent };
    let ok = stated == computed;
    let span = ctx.span(off + cs, 1);
    ctx.f.check(Check {
        id: "dlt645.cs".into(),
        label: Msg::Label,
        stated: Msg::HexNum { value: u64::from(stated), digits: 2 },
        computed: Msg::HexNum { value: u64::from(computed), digits: 2 },
        ok,
        span,
    });
    let text = if ok {
        Msg::Bi("correct", "正确")
    } else {
        msg!("incorrect, should be 0x{:02X}", "错误，应为 0x{:02X}", computed)
    };
    let n = ctx.node(root, "dlt645.cs", off + cs, 1, NodeKind::Check);
    ctx.set(n).value(Msg::HexNum { value: u64::from(stated), digits: 2 }).text(text);
    if !ok {
        let main = msg!(
            "checksum 0x{:02X} is incorrect, should be 0x{:02X}",
            "校验码 0x{:02X} 错误，应为 0x{:02X}",
            stated,
            computed
        );
        let msg = if mismatch {
            let note = msg!(
                " (with L corrected to {}; 0x{:02X} over the bytes as sent)",
                "（按修正后的长度 {} 计算；按原样字节计算为 0x{:02X}）",
                cs - frame::field::DATA,
                as_sent
            );
            Msg::Concat(Box::new([main, note]))
        } else {
            main
        };
        ctx.diag(Severity::Error, span, "dlt645.cs.mismatch", msg);
    }
}

fn end_node(ctx: &mut Ctx, root: NodeRef, byte: u8, at: usize) {
    let n = ctx.node(root, "dlt645.end", at, 1, NodeKind::Delimiter);
    let v = ctx.hex(at, 1, false, false);
    ctx.set(n).value(v);
    if byte != END {
        let msg = msg!("the end byte is 0x{:02X}, not 0x16", "结束符是 0x{:02X}，不是 0x16", byte);
        ctx.diag(Severity::Error, ctx.span(at, 1), "dlt645.end.missing", msg);
    }
}

// ------------------------------------------------------------------ data field

fn data_node(ctx: &mut Ctx, root: NodeRef, c: ControlCode, data: &[u8], at: usize, complete: bool) {
    let node = ctx.node(root, "dlt645.data", at, data.len(), NodeKind::Data);
    if !data.is_empty() {
        let v = ctx.hex(at, data.len(), true, false);
        ctx.set(node).value(v).text(Msg::Bi("data with 0x33 removed", "数据域（已减 0x33）"));
    }
    let mut cur = Cursor::new(data, at);
    let reply = c.direction() == Direction::SlaveToMaster;
    if frame::function_names(ctx.variant, c.function()).is_none() {
        let (bytes, at) = cur.rest_at();
        raw(ctx, node, bytes, at);
    } else if reply && c.is_abnormal() {
        error_word(ctx, node, &mut cur);
    } else {
        match ctx.variant {
            Variant::V2007 => data_2007(ctx, node, &mut cur, c.function(), reply, complete),
            Variant::V1997 => data_1997(ctx, node, &mut cur, c.function(), reply, complete),
        }
    }
    leftover(ctx, node, &mut cur, complete);
}

/// Bytes no rule of the function explains.
fn leftover(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let (bytes, at) = cur.rest_at();
    if bytes.is_empty() {
        return;
    }
    let n = ctx.node(node, "dlt645.data.extra", at, bytes.len(), NodeKind::Unknown);
    let v = ctx.hex(at, bytes.len(), true, false);
    ctx.set(n).value(v);
    if complete {
        let msg = msg!("{} data byte(s) more than the function defines", "{} 个数据字节超出该功能的定义", bytes.len());
        ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.data.extra", msg);
    }
}

/// A field the function needs but the data lacks.
fn missing(ctx: &mut Ctx, cur: &mut Cursor, what: (&'static str, &'static str), complete: bool) {
    if !complete {
        return;
    }
    let at = cur.at();
    let msg =
        Msg::Concat(Box::new([Msg::Bi("the data ends before the ", "数据域不完整，缺少 "), Msg::Bi(what.0, what.1)]));
    ctx.diag(Severity::Warning, ctx.span(at, cur.left()), "dlt645.data.short", msg);
}

fn data_2007(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
    use function::*;
    match (f, reply) {
        (READ, false) => {
            di_2007(ctx, node, cur, complete);
            if let Some((_, at)) = cur.take_at(1) {
                let n = ctx.node(node, "dlt645.data.count", at, 1, NodeKind::Data);
                let v = ctx.hex(at, 1, false, true);
                ctx.set(n).value(v);
            }
            if cur.left() > 0 {
                time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmm");
            }
        }
        (READ, true) | (WRITE, false) | (SECURITY, _) => {
            let info = di_2007(ctx, node, cur, complete);
            if f == WRITE {
                password(ctx, node, cur, "dlt645.data.password", complete);
                operator(ctx, node, cur, complete);
            }
            let (bytes, at) = cur.rest_at();
            if f == SECURITY {
                raw(ctx, node, bytes, at);
            } else {
                values(ctx, node, info.as_ref(), bytes, at, complete);
            }
        }
        (READ_FOLLOW_UP, false) => {
            di_2007(ctx, node, cur, complete);
            seq(ctx, node, cur, complete);
        }
        (READ_FOLLOW_UP, true) => {
            let info = di_2007(ctx, node, cur, complete);
            let n = cur.left();
            if n > 0 {
                let (body, at) = cur.take_at(n - 1).unwrap_or_default();
                values(ctx, node, info.as_ref(), body, at, false);
            }
            seq(ctx, node, cur, complete);
        }
        (READ_ADDRESS, true) | (WRITE_ADDRESS, false) => match cur.take_at(6) {
            Some((b, at)) => address_node(ctx, node, "dlt645.data.address", b, at),
            None => missing(ctx, cur, ("address", "通信地址"), complete),
        },
        (BROADCAST_TIME, false) => time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmmss"),
        (FREEZE, false) => freeze_time(ctx, node, cur, complete),
        (CHANGE_BAUD, _) => baud(ctx, node, cur, complete),
        (CHANGE_PASSWORD, false) => {
            di_2007(ctx, node, cur, complete);
            password(ctx, node, cur, "dlt645.data.old_password", complete);
            password(ctx, node, cur, "dlt645.data.new_password", complete);
        }
        (CHANGE_PASSWORD, true) => password(ctx, node, cur, "dlt645.data.new_password", complete),
        (CLEAR_DEMAND | CLEAR_METER | CLEAR_EVENTS | REMOTE_CONTROL, false) => {
            password(ctx, node, cur, "dlt645.data.password", complete);
            operator(ctx, node, cur, complete);
            if f == CLEAR_EVENTS {
                event_di(ctx, node, cur, complete);
            } else if f == REMOTE_CONTROL {
                remote_control(ctx, node, cur, complete);
            }
        }
        _ => {}
    }
}

fn data_1997(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
    use function::*;
    match (f, reply) {
        (READ_1997 | READ_FOLLOW_UP_1997, false) => {
            di_1997(ctx, node, cur, complete);
        }
        (READ_1997 | READ_FOLLOW_UP_1997, true) | (WRITE_1997, false) => {
            let info = di_1997(ctx, node, cur, complete);
            if f == WRITE_1997 {
                password(ctx, node, cur, "dlt645.data.password", complete);
            }
            let (bytes, at) = cur.rest_at();
            values(ctx, node, info.as_ref(), bytes, at, complete);
        }
        (BROADCAST_TIME, false) => time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmmss"),
        (WRITE_ADDRESS_1997, false) => match cur.take_at(6) {
            Some((b, at)) => address_node(ctx, node, "dlt645.data.address", b, at),
            None => missing(ctx, cur, ("address", "通信地址"), complete),
        },
        (CHANGE_BAUD_1997, _) => baud(ctx, node, cur, complete),
        (CHANGE_PASSWORD_1997, false) => {
            password(ctx, node, cur, "dlt645.data.old_password", complete);
            password(ctx, node, cur, "dlt645.data.new_password", complete);
        }
        (CHANGE_PASSWORD_1997, true) => password(ctx, node, cur, "dlt645.data.new_password", complete),
        (CLEAR_DEMAND_1997, false) if cur.left() >= 4 => password(ctx, node, cur, "dlt645.data.password", complete),
        _ => {}
    }
}

// ------------------------------------------------------------------ names written at render time

/// A dictionary code: the identifier, its edition and an index (value or item).
fn pack(variant: Variant, di: u32, index: usize) -> u64 {
    let v = match variant {
        Variant::V2007 => 0u64,
        Variant::V1997 => 1,
    };
    u64::from(di) | ((index as u64 & 0xFFFF) << 32) | (v << 48)
}

fn unpack(code: u64) -> (Option<DiInfo>, usize) {
    let di = code as u32;
    let index = ((code >> 32) & 0xFFFF) as usize;
    let info = if code >> 48 == 1 { dictionary::lookup_1997(di as u16) } else { dictionary::lookup(di) };
    (info, index)
}

/// The name of an identifier, and its DL/T 698.45 equivalent when it has one.
fn di_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (Some(info), _) = unpack(code) else { return Ok(()) };
    w.write_str(info.name(lang))?;
    let oad = match info.width {
        4 => super::equivalents::oad_2007(info.di),
        _ => super::equivalents::oad_1997(info.di as u16),
    };
    match oad {
        Some(oad) => write!(w, " · DL/T 698.45 {}", super::equivalents::canonical(oad)),
        None => Ok(()),
    }
}

/// `00010000 Forward active energy, total, current`.
fn di_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (Some(info), _) = unpack(code) else { return Ok(()) };
    write!(w, "{} {}", info.canonical(), info.name(lang))
}

fn field_name(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (info, j) = unpack(code);
    w.write_str(info.as_ref().and_then(|i| i.fields.get(j)).map_or("", |f| f.name(lang)))
}

fn item_label(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (info, i) = unpack(code);
    match info.and_then(|i| i.items) {
        Some(items) => w.write_str(&items.label(i, lang)),
        None => Ok(()),
    }
}

/// The events a clear-events command names.
fn event_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let di = code as u32;
    if di == 0xFFFF_FFFF {
        return w.write_str(lang.pick("all events", "全部事件"));
    }
    let named = dictionary::lookup(di & 0xFFFF_FF00).or_else(|| dictionary::lookup(di));
    match named {
        Some(i) => w.write_str(i.name(lang)),
        None => w.write_str(lang.pick("events of this type", "该类事件")),
    }
}

// ------------------------------------------------------------------ fields

/// The 4-byte identifier of DL/T 645-2007, looked up in the dictionary.
fn di_2007(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take_at(4) else {
        missing(ctx, cur, ("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    di_node(ctx, node, di, dictionary::layout(di), at, 4)
}

/// The 2-byte identifier of DL/T 645-1997.
fn di_1997(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take_at(2) else {
        missing(ctx, cur, ("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u16::from_le_bytes([b[0], b[1]]);
    di_node(ctx, node, u32::from(di), dictionary::layout_1997(di), at, 2)
}

fn di_node(ctx: &mut Ctx, node: NodeRef, di: u32, info: Option<DiInfo>, at: usize, len: usize) -> Option<DiInfo> {
    let n = ctx.node(node, "dlt645.data.di", at, len, NodeKind::Data);
    let canonical = ctx.hex(at, len, false, true);
    ctx.set(n).value(canonical.clone());
    let variant = if len == 4 { Variant::V2007 } else { Variant::V1997 };
    match &info {
        Some(_) => {
            let code = pack(variant, di, 0);
            ctx.summarise(Msg::Code(di_summary, code));
            ctx.set(n).text(Msg::Code(di_text, code));
        }
        None => {
            ctx.set(n).text(Msg::Bi("not in the dictionary", "字典中没有此数据标识"));
            ctx.summarise(canonical.clone());
            let msg = Msg::Concat(Box::new([
                Msg::Bi("data identifier ", "数据标识 "),
                canonical,
                Msg::Bi(" is not in the dictionary", " 不在字典中"),
            ]));
            ctx.diag(Severity::Warning, ctx.span(at, len), "dlt645.di.unknown", msg);
        }
    }
    info
}

/// The identifier of the events to clear (1B): `FFFFFFFF` all, else a type with DI0 = FF.
fn event_di(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, ("data identifier", "数据标识"), complete);
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let n = ctx.node(node, "dlt645.data.di", at, 4, NodeKind::Data);
    let v = ctx.hex(at, 4, false, true);
    ctx.set(n).value(v).text(Msg::Code(event_text, u64::from(di)));
}

fn seq(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(1) {
        Some((b, at)) => {
            let n = ctx.node(node, "dlt645.data.seq", at, 1, NodeKind::Data);
            ctx.set(n).value(Msg::Uint(b[0].into()));
        }
        None => missing(ctx, cur, ("frame sequence number", "帧序号"), complete),
    }
}

fn password(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, id: &'static str, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, ("password", "密码"), complete);
    };
    let code = ctx.hex(at + 1, 3, false, true);
    let text = msg!("level {:02X}, password {}", "权限 {:02X}, 密码 {}", b[0], code.clone());
    let n = ctx.node(node, id, at, 4, NodeKind::Data);
    ctx.set(n).text(text);
    let level = ctx.node(n, "dlt645.data.password.level", at, 1, NodeKind::Data);
    let v = ctx.hex(at, 1, false, false);
    ctx.set(level).value(v);
    let c = ctx.node(n, "dlt645.data.password.code", at + 1, 3, NodeKind::Data);
    ctx.set(c).value(code);
}

fn operator(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(4) {
        Some((_, at)) => {
            let n = ctx.node(node, "dlt645.data.operator", at, 4, NodeKind::Data);
            let v = ctx.hex(at, 4, false, true);
            ctx.set(n).value(v);
        }
        None => missing(ctx, cur, ("operator code", "操作者代码"), complete),
    }
}

fn baud(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(1) {
        Some((b, at)) => {
            let d = value::decode_value(&Format::BAUD, b, ctx.derived(at));
            let n = ctx.node(node, "dlt645.data.baud", at, 1, NodeKind::Data);
            ctx.set(n).value(d.value).text(d.text);
        }
        None => missing(ctx, cur, ("rate feature word", "通信速率特征字"), complete),
    }
}

/// A date and time field decoded by `pattern` (the rest of the data, up to its length).
fn time_field(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, id: &'static str, pattern: &'static str) {
    let f = Format::time(pattern);
    let n = usize::from(f.len).min(cur.left());
    if n == 0 {
        return missing(ctx, cur, ("time", "时间"), true);
    }
    let Some((b, at)) = cur.take_at(n) else { return };
    if n < usize::from(f.len) {
        let x = ctx.node(node, id, at, n, NodeKind::Data);
        let v = ctx.hex(at, n, true, false);
        ctx.set(x).value(v);
        return missing(ctx, cur, ("time", "时间"), true);
    }
    value_node(ctx, node, Id::Static(id), Msg::Label, &f, b, at);
}

/// The freeze time mmhhDDMM with `99` wildcards (clause 7, freeze command).
fn freeze_time(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, ("freeze time", "冻结时间"), complete);
    };
    let value = msg!("{:02X}-{:02X} {:02X}:{:02X}", "{:02X}-{:02X} {:02X}:{:02X}", b[3], b[2], b[1], b[0]);
    let text = match (b[3], b[2], b[1], b[0]) {
        (0x99, 0x99, 0x99, 0x99) => Msg::Bi("freeze now (instantaneous)", "瞬时冻结"),
        (0x99, 0x99, 0x99, _) => msg!("hourly freeze at minute {:02X}", "每小时冻结，分钟 {:02X}", b[0]),
        (0x99, 0x99, ..) => msg!("daily freeze at {:02X}:{:02X}", "每日冻结，时间 {:02X}:{:02X}", b[1], b[0]),
        (0x99, ..) => {
            msg!("monthly freeze on day {:02X} {:02X}:{:02X}", "每月冻结，日 {:02X} {:02X}:{:02X}", b[2], b[1], b[0])
        }
        _ => Msg::Concat(Box::new([Msg::Bi("freeze at ", "定时冻结于 "), value.clone()])),
    };
    let n = ctx.node(node, "dlt645.data.freeze_time", at, 4, NodeKind::Data);
    ctx.set(n).value(value).text(text);
    let fields = [(b[0], 59, "minute"), (b[1], 23, "hour"), (b[2], 31, "day"), (b[3], 12, "month")];
    for (i, (byte, max, name)) in fields.into_iter().enumerate() {
        let ok = byte == 0x99
            || (byte >> 4) <= 9 && (byte & 0x0F) <= 9 && {
                let v = (byte >> 4) * 10 + (byte & 0x0F);
                v <= max && (i < 2 || v >= 1)
            };
        if !ok {
            let msg = msg!("impossible freeze time, {}: {:02X}", "冻结时间不合理， {}: {:02X}", name, byte);
            ctx.diag(Severity::Warning, ctx.span(at + i, 1), "dlt645.date.invalid", msg);
        }
    }
}

/// Remote control N1 (command), N2 (reserved), N3..N8 (valid until).
fn remote_control(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(1) else {
        return missing(ctx, cur, ("control command", "控制命令"), complete);
    };
    let text = match b[0] {
        0x1A => Msg::Bi("trip", "跳闸"),
        0x1B => Msg::Bi("close allowed", "合闸允许"),
        0x2A => Msg::Bi("alarm", "报警"),
        0x2B => Msg::Bi("alarm release", "报警解除"),
        0x3A => Msg::Bi("keep power", "保电"),
        0x3B => Msg::Bi("keep power release", "保电解除"),
        _ => Msg::Bi("unknown command", "未知控制命令"),
    };
    let n = ctx.node(node, "dlt645.data.control_type", at, 1, NodeKind::Data);
    let v = ctx.hex(at, 1, false, false);
    ctx.set(n).value(v).text(text);
    if let Some((_, at)) = cur.take_at(1) {
        let r = ctx.node(node, "dlt645.data.reserved", at, 1, NodeKind::Data);
        let v = ctx.hex(at, 1, false, false);
        ctx.set(r).value(v);
    }
    time_field(ctx, node, cur, "dlt645.data.valid_until", "YYMMDDhhmmss");
}

/// The error information word ERR of an abnormal reply (Appendix C).
fn error_word(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor) {
    let Some((b, at)) = cur.take_at(1) else {
        return missing(ctx, cur, ("error information word", "错误信息字"), true);
    };
    let err = b[0];
    let names = error_bits(ctx.variant);
    let n = ctx.node(node, "dlt645.data.err", at, 1, NodeKind::Data);
    ctx.set(n).value(Msg::HexNum { value: u64::from(err), digits: 2 });
    let mut set = Vec::new();
    for (bit, (en, zh)) in names.iter().enumerate() {
        if err & (1 << bit) != 0 {
            if !set.is_empty() {
                set.push(Msg::Str(", "));
            }
            set.push(Msg::Bi(en, zh));
            let label = msg!("bit {}: {}", "位{}：{}", bit, Msg::Bi(en, zh));
            let span = ctx.span(at, 1);
            ctx.f
                .add(n, Id::Indexed("dlt645.data.err.bit", bit as u32), span, NodeKind::Data)
                .label(label)
                .value(Msg::Str("1"))
                .text(Msg::Bi(en, zh));
        }
    }
    let text = if set.is_empty() {
        Msg::Bi("no error bit set", "未置错误位")
    } else {
        Msg::Concat(set.into_boxed_slice())
    };
    ctx.summarise(text.clone());
    ctx.set(n).text(text);
}

/// ERR bit names, bit 0 first. DL/T 645-2007: other error, no requested data,
/// password error/unauthorised, rate cannot be changed, annual time zones,
/// daily slots, tariffs exceeded. DL/T 645-1997: illegal data, wrong data
/// identifier, password error, (reserved), time zones, slots, tariffs exceeded.
pub fn error_bits(variant: Variant) -> [(&'static str, &'static str); 8] {
    let reserved = ("reserved", "保留");
    let common = [
        ("annual time zones exceeded", "年时区数超"),
        ("daily time slots exceeded", "日时段数超"),
        ("tariff count exceeded", "费率数超"),
        reserved,
    ];
    let low = match variant {
        Variant::V2007 => [
            ("other error", "其他错误"),
            ("no requested data", "无请求数据"),
            ("password error / unauthorised", "密码错/未授权"),
            ("communication rate cannot be changed", "通信速率不能更改"),
        ],
        Variant::V1997 => [
            ("illegal data", "非法数据"),
            ("wrong data identifier", "数据标识错"),
            ("password error", "密码错"),
            reserved,
        ],
    };
    [low[0], low[1], low[2], low[3], common[0], common[1], common[2], common[3]]
}

fn raw(ctx: &mut Ctx, node: NodeRef, bytes: &[u8], at: usize) {
    if !bytes.is_empty() {
        let n = ctx.node(node, "dlt645.data.raw", at, bytes.len(), NodeKind::Data);
        let v = ctx.hex(at, bytes.len(), true, false);
        ctx.set(n).value(v);
    }
}

// ------------------------------------------------------------------ values

/// The value nodes of an identifier's data.
fn values(ctx: &mut Ctx, node: NodeRef, info: Option<&DiInfo>, bytes: &[u8], at: usize, complete: bool) {
    let Some(info) = info else {
        return raw(ctx, node, bytes, at);
    };
    if bytes.is_empty() {
        return;
    }
    let tolerant = !complete || ctx.follow;
    match info.items {
        Some(items) => repeated(ctx, node, info, items, bytes, at, tolerant),
        None => {
            let used = match info.fields.as_slice() {
                // One value that takes all the data (or is cut short): the value itself.
                [only] if only.format.len == 0 || usize::from(only.format.len) >= bytes.len() => {
                    fields(ctx, node, info, true, info.block || tolerant, bytes, at)
                }
                [] => 0,
                _ => {
                    let container = ctx.node(node, "dlt645.data.value", at, bytes.len(), NodeKind::Data);
                    let used = fields(ctx, container, info, false, info.block || tolerant, bytes, at);
                    let span = ctx.span(at, used);
                    ctx.f.nodes[container as usize].span = span;
                    used
                }
            };
            extra(ctx, node, &bytes[used..], at + used, tolerant, false);
        }
    }
}

/// The values of an identifier in order; returns how many bytes they used. A
/// block may stop at a value boundary. `alone`: the only value, named
/// `dlt645.data.value` under the data node.
fn fields(ctx: &mut Ctx, parent: NodeRef, info: &DiInfo, alone: bool, block: bool, bytes: &[u8], at: usize) -> usize {
    let list: &[Field] = &info.fields;
    let variant = if info.width == 4 { Variant::V2007 } else { Variant::V1997 };
    let mut pos = 0;
    for (j, field) in list.iter().enumerate() {
        let name = Msg::Code(field_name, pack(variant, info.di, j));
        let left = bytes.len() - pos;
        if left == 0 {
            if !block && field.format.len != 0 {
                let msg = Msg::Concat(Box::new([Msg::Bi("the data ends before ", "数据不完整，缺少 "), name]));
                ctx.diag(Severity::Warning, ctx.span(at + pos, 0), "dlt645.data.short", msg);
            }
            break;
        }
        let len = if field.format.len == 0 { left } else { usize::from(field.format.len) };
        let (id, label) = if alone {
            (Id::Static("dlt645.data.value"), Msg::Label)
        } else {
            (Id::Indexed("dlt645.data.field", j as u32), name.clone())
        };
        if left < len {
            // A value cut short keeps the label of its id; its name is the text.
            let n = ctx.node(parent, id, at + pos, left, NodeKind::Data);
            let v = ctx.hex(at + pos, left, true, false);
            ctx.set(n).value(v).text(name.clone());
            let msg = Msg::Concat(Box::new([
                Msg::Bi("value cut short, ", "数值不完整， "),
                name,
                msg!(": {}/{}", ": {}/{}", left, len),
            ]));
            ctx.diag(Severity::Warning, ctx.span(at + pos, left), "dlt645.data.short", msg);
            return bytes.len();
        }
        value_node(ctx, parent, id, label, &field.format, &bytes[pos..pos + len], at + pos);
        pos += len;
    }
    pos
}

/// A block of items (tariffs, phases, …), as many as the data holds.
fn repeated(ctx: &mut Ctx, node: NodeRef, info: &DiInfo, items: Items, bytes: &[u8], at: usize, tolerant: bool) {
    let item_len: usize = info.fields.iter().map(|f| usize::from(f.format.len)).sum();
    if item_len == 0 || info.fields.iter().any(|f| f.format.len == 0) {
        return raw(ctx, node, bytes, at);
    }
    let variant = if info.width == 4 { Variant::V2007 } else { Variant::V1997 };
    let count = (bytes.len() / item_len).min(items.max().unwrap_or(usize::MAX));
    if count > 0 {
        let container = ctx.node(node, "dlt645.data.value", at, count * item_len, NodeKind::Data);
        for i in 0..count {
            let (b, a) = (&bytes[i * item_len..(i + 1) * item_len], at + i * item_len);
            let label = Msg::Code(item_label, pack(variant, info.di, i));
            let id = Id::Indexed("dlt645.data.item", i as u32);
            if info.fields.len() == 1 {
                value_node(ctx, container, id, label, &info.fields[0].format, b, a);
            } else {
                let item = ctx.node(container, id, a, item_len, NodeKind::Data);
                ctx.set(item).label(label);
                fields(ctx, item, info, false, false, b, a);
            }
        }
    }
    let used = count * item_len;
    let short = bytes.len() - used < item_len;
    extra(ctx, node, &bytes[used..], at + used, tolerant, short);
}

/// Bytes after the values: part of a value (`short`), or more than the identifier holds.
fn extra(ctx: &mut Ctx, node: NodeRef, bytes: &[u8], at: usize, tolerant: bool, short: bool) {
    if bytes.is_empty() {
        return;
    }
    let n = ctx.node(node, "dlt645.data.extra", at, bytes.len(), NodeKind::Unknown);
    let v = ctx.hex(at, bytes.len(), true, false);
    ctx.set(n).value(v);
    let severity = if tolerant { Severity::Info } else { Severity::Warning };
    let (code, msg) = if short {
        ("dlt645.data.short", msg!("{} byte(s) of an incomplete value", "{} 个字节不足一个完整数值", bytes.len()))
    } else {
        (
            "dlt645.data.extra",
            msg!("{} byte(s) more than the identifier's format", "{} 个字节超出数据标识的格式", bytes.len()),
        )
    };
    ctx.diag(severity, ctx.span(at, bytes.len()), code, msg);
}

/// One decoded value, with its issues as diagnostics.
fn value_node(ctx: &mut Ctx, parent: NodeRef, id: Id, label: Msg, format: &Format, bytes: &[u8], at: usize) {
    let d = value::decode_value(format, bytes, ctx.derived(at));
    let is_number = matches!(format.shape, Shape::Number { .. }) && d.text.is_none() && d.issue.is_none();
    let unit = if is_number && !format.unit.is_empty() { Msg::Str(format.unit) } else { Msg::None };
    let n = ctx.node(parent, id, at, bytes.len(), NodeKind::Data);
    ctx.set(n).label(label).value(d.value).unit(unit).text(d.text);
    match d.issue {
        Some(Issue::Bcd { index }) => {
            let byte = bytes.get(index).copied().unwrap_or(0);
            let msg = msg!("not a BCD byte: 0x{:02X} ({})", "不是 BCD 码： 0x{:02X} ({})", byte, format.pattern);
            ctx.diag(Severity::Warning, ctx.span(at + index, 1), "dlt645.bcd.invalid", msg);
        }
        Some(Issue::Date { field, found }) => {
            let msg = msg!("impossible date or time: {} {}", "日期或时间不合理： {} {}", field, found);
            ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.date.invalid", msg);
        }
        None => {}
    }
}
