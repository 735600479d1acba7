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

mod data;
mod names;
mod values;

pub use data::error_bits;
use data::*;
use names::*;
use values::*;

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
    /// Whether the first part of the summary is the control code's.
    control_summarised: bool,
}

impl Ctx {
    fn span(&self, at: usize, len: usize) -> Span {
        Span::at(self.base + at, len)
    }
    fn diag(&mut self, severity: Severity, span: Span, code: &'static str, message: Msg) {
        self.f.diag(severity, span, code, message);
    }
    /// Inlined into its callers: the call itself was a good part of adding a node.
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
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
    /// The identifier's part of the summary, after the control code's: as
    /// one message naming both when the control code's part is the only one
    /// so far (no joined message to allocate for the usual frame).
    fn summarise_di(&mut self, di_code: u64) {
        if self.summaries == 1
            && let Msg::Code(_, control) = self.summary[0]
            && self.control_summarised
        {
            Msg::put(&mut self.summary[0], Msg::Code(control_di_summary, di_code | (control & 0xFF) << 56));
            return;
        }
        self.summarise(Msg::Code(names::di_summary, di_code));
    }
    /// One more part of the summary (a fourth would be dropped; none is made).
    fn summarise(&mut self, m: Msg) {
        match self.summary.get_mut(self.summaries) {
            Some(slot) => {
                Msg::put(slot, m);
                self.summaries += 1;
            }
            None => m.discard(),
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
        control_summarised: false,
    };
    let label = match variant {
        Variant::V2007 => crate::msg!("DL/T 645-2007 frame", "DL/T 645-2007 帧"),
        Variant::V1997 => crate::msg!("DL/T 645-1997 frame", "DL/T 645-1997 帧"),
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
    // The context is taken apart: the parts of the summary not used are
    // discarded, not dropped one by one.
    let Ctx { mut f, summary: [a, b, c], summaries, .. } = ctx;
    let text = match summaries {
        0 => {
            [a, b, c].into_iter().for_each(Msg::discard);
            Msg::None
        }
        1 => {
            [b, c].into_iter().for_each(Msg::discard);
            a
        }
        2 => {
            c.discard();
            Msg::Concat(Box::new([a, Msg::Str(" · "), b]))
        }
        _ => Msg::Concat(Box::new([a, Msg::Str(" · "), b, Msg::Str(" · "), c])),
    };
    if !text.is_none() {
        f.node_mut(root).text(text);
    }
    f.finish()
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
            crate::msg!("broadcast address", "广播地址")
        } else if a == Address::WILDCARD {
            crate::msg!("wildcard address", "通配地址")
        } else if a.has_wildcard() {
            crate::msg!("address with wildcard digits", "含通配位的地址")
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
    let function_text = name.map_or(crate::msg!("unknown function", "未知功能码"), |w| Msg::Bi(w));
    let kind_text = match (c.direction() == Direction::SlaveToMaster, c.is_abnormal()) {
        (false, _) => crate::msg!("request", "请求"),
        (true, false) => crate::msg!("normal reply", "正常应答"),
        (true, true) => crate::msg!("abnormal reply", "异常应答"),
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

/// The control code's and the identifier's parts of the summary in one:
/// an identifier's code ([`names::pack`], item 0) with the control byte in its
/// top byte (the edition is the identifier's).
fn control_di_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let di_code = code & 0x00FF_FFFF_FFFF_FFFF;
    let control = (code >> 56) | if di_code >> 48 == 1 { 1 << 8 } else { 0 };
    control_summary(control, lang, w)?;
    w.write_str(" · ")?;
    names::di_summary(di_code, lang, w)
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
        (crate::msg!("slave->master", "从站->主站"), crate::msg!("reply from the slave (meter)", "从站发出的应答帧"))
    } else {
        (crate::msg!("master->slave", "主站->从站"), crate::msg!("command from the master", "主站发出的命令帧"))
    };
    let abnormal_text = match (reply, c.is_abnormal()) {
        (false, _) => crate::msg!("not a reply", "非应答帧"),
        (true, false) => crate::msg!("normal reply", "从站正确应答"),
        (true, true) => crate::msg!("abnormal reply", "从站对异常信息的应答"),
    };
    let follow_text = if c.has_follow_up() {
        crate::msg!("follow-up frame follows", "有后续数据帧")
    } else {
        crate::msg!("no follow-up frame", "无后续数据帧")
    };
    let bit = |v: bool| Msg::Str(if v { "1" } else { "0" });
    let code = control_code(ctx.variant, c);
    let function_text = name.map_or_else(|| crate::msg!("unknown function", "未知功能码"), |w| Msg::Bi(w));
    let node = ctx.node(root, "dlt645.control", at, 1, NodeKind::Control);
    ctx.set(node).value(Msg::HexNum { value: u64::from(c.0), digits: 2 }).text(Msg::Code(control_text, code));
    let n = ctx.node(node, "dlt645.control.dir", at, 1, NodeKind::Control);
    ctx.set(n).value(dir_value).text(dir_text).bits(0x80);
    let n = ctx.node(node, "dlt645.control.abnormal", at, 1, NodeKind::Control);
    ctx.set(n).value(bit(c.is_abnormal())).text(abnormal_text).bits(0x40);
    let n = ctx.node(node, "dlt645.control.follow", at, 1, NodeKind::Control);
    ctx.set(n).value(bit(c.has_follow_up())).text(follow_text).bits(0x20);
    let n = ctx.node(node, "dlt645.control.function", at, 1, NodeKind::Control);
    ctx.set(n).value(Msg::HexNum { value: u64::from(f), digits: 2 }).text(function_text).bits(0x1F);
    ctx.control_summarised = ctx.summaries == 0;
    ctx.summarise(Msg::Code(control_summary, code));
    if name.is_none() {
        let msg = match frame::function_names(other, f) {
            Some(words) => msg!(
                "function 0x{:02X} ({}) belongs to the other edition of DL/T 645",
                "功能码 0x{:02X} ({}) 属于另一版本的 DL/T 645",
                f,
                Msg::Bi(words)
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
        crate::msg!("correct", "正确")
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
