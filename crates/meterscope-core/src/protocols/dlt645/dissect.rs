//! The tolerant DL/T 645 dissector: a node for every byte, checks as data,
//! diagnostics pinned to bytes. Never fails and never panics.

use super::dictionary::{self, DiInfo, Field, Items};
use super::frame::{
    self, Address, ControlCode, DATA_OFFSET, Direction, END, OVERHEAD, START, Variant, WAKE_UP, function,
};
use super::value::{self, Format, Issue, Shape};
use crate::input::to_hex;
use crate::lang::Lang;
use crate::registry::{self, Options};
use crate::span::Span;
use crate::view::{Check, Diagnostic, Frame, Node, NodeKind, Severity};

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

/// What the dissection of one frame collects besides the tree.
struct Ctx {
    lang: Lang,
    base: usize,
    variant: Variant,
    /// The reply announces a follow-up frame: blocks may stop anywhere.
    follow: bool,
    checks: Vec<Check>,
    diags: Vec<Diagnostic>,
    /// A short summary for the root node's text.
    summary: Vec<String>,
}

impl Ctx {
    fn span(&self, at: usize, len: usize) -> Span {
        Span::at(self.base + at, len)
    }
    fn pick(&self, en: &str, zh: &str) -> String {
        self.lang.pick(en, zh).to_string()
    }
    fn diag(&mut self, severity: Severity, span: Span, code: &str, message: String) {
        self.diags.push(Diagnostic::new(severity, span, code, message));
    }
    fn node(&self, id: &str, at: usize, len: usize, kind: NodeKind) -> Node {
        Node::new(id, self.lang.label(id), self.span(at, len)).kind(kind)
    }
}

/// Dissect one frame (`frame[0]` at absolute offset `base`) as `variant`.
pub fn dissect(variant: Variant, frame: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let mut ctx =
        Ctx { lang, base, variant, follow: false, checks: Vec::new(), diags: Vec::new(), summary: Vec::new() };
    let label = format!("{} {}", title(variant), lang.pick("frame", "帧"));
    let mut root = Node::new("dlt645", label, Span::at(base, frame.len()));
    let pre = frame.iter().take_while(|&&b| b == WAKE_UP).count();
    if pre > 0 {
        root.push(ctx.node("dlt645.preamble", 0, pre, NodeKind::Delimiter).value(to_hex(&frame[..pre])));
    }
    let body = &frame[pre..];
    if body.first() == Some(&START) {
        frame_nodes(&mut ctx, &mut root, body, pre);
    } else {
        unrecognised(&mut ctx, &mut root, body, pre);
    }
    if !ctx.summary.is_empty() {
        root.text = Some(ctx.summary.join(" · "));
    }
    Frame::new(protocol_name(variant), root, ctx.checks, ctx.diags)
}

/// Bytes that do not start with 0x68 (only under a protocol override).
fn unrecognised(ctx: &mut Ctx, root: &mut Node, body: &[u8], at: usize) {
    let span = ctx.span(at, body.len());
    if body.is_empty() {
        let needed = if at == 0 { Some(OVERHEAD) } else { None };
        ctx.diags.push(registry::truncated(span.end, needed, "dlt645.truncated", ctx.lang));
        return;
    }
    root.push(ctx.node("dlt645.raw", at, body.len(), NodeKind::Unknown).value(to_hex(body)));
    let msg = format!(
        "{} 0x{:02X}",
        ctx.lang.pick("no start delimiter 0x68 here; found", "此处不是帧起始符 0x68，而是"),
        body[0]
    );
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

fn frame_nodes(ctx: &mut Ctx, root: &mut Node, b: &[u8], off: usize) {
    header_nodes(ctx, root, b, off);
    let Some(lay) = layout(b) else {
        ctx.diags.push(registry::truncated(ctx.base + off + b.len(), None, "dlt645.truncated", ctx.lang));
        return;
    };
    length_check(ctx, b, off, &lay);
    let control = ControlCode(b[frame::field::CONTROL]);
    let data_at = off + frame::field::DATA;
    let data: Vec<u8> =
        b[frame::field::DATA..frame::field::DATA + lay.data_len].iter().map(|x| x.wrapping_sub(DATA_OFFSET)).collect();
    root.push(data_node(ctx, control, &data, data_at, lay.cs.is_some()));
    if let Some(cs) = lay.cs {
        checksum_node(ctx, root, b, off, cs, lay.mismatch);
    }
    if let Some(end) = lay.end {
        end_node(ctx, root, b[end], off + end);
    }
    let total = lay.end.map_or(b.len(), |e| e + 1);
    if total < b.len() {
        let extra = &b[total..];
        root.push(ctx.node("dlt645.trailing", off + total, extra.len(), NodeKind::Unknown).value(to_hex(extra)));
        let msg =
            format!("{} {}", extra.len(), ctx.lang.pick("byte(s) after the end of the frame", "个字节位于帧结束之后"));
        ctx.diag(Severity::Warning, ctx.span(off + total, extra.len()), "dlt645.trailing", msg);
    }
    if lay.cs.is_none() {
        let needed = OVERHEAD + usize::from(b[frame::field::LENGTH]) - b.len();
        ctx.diags.push(registry::truncated(ctx.base + off + b.len(), Some(needed), "dlt645.truncated", ctx.lang));
    }
}

/// 68, address, 68, control code, L — as far as present.
fn header_nodes(ctx: &mut Ctx, root: &mut Node, b: &[u8], off: usize) {
    root.push(ctx.node("dlt645.start", off, 1, NodeKind::Delimiter).value("68"));
    let addr = &b[1..b.len().min(7)];
    if !addr.is_empty() {
        root.push(address_node(ctx, "dlt645.address", addr, off + 1));
    }
    if let Some(&s2) = b.get(frame::field::START2) {
        root.push(ctx.node("dlt645.start2", off + 7, 1, NodeKind::Delimiter).value(format!("{s2:02X}")));
        if s2 != START {
            let msg = format!(
                "{} 0x{s2:02X}",
                ctx.lang.pick("second start delimiter is not 0x68 but", "第二个帧起始符不是 0x68，而是")
            );
            ctx.diag(Severity::Error, ctx.span(off + 7, 1), "dlt645.start.missing", msg);
        }
    }
    if let Some(&c) = b.get(frame::field::CONTROL) {
        root.push(control_node(ctx, ControlCode(c), off + 8));
    }
    if let Some(&l) = b.get(frame::field::LENGTH) {
        let text = format!("{l} {}", ctx.lang.pick("data byte(s)", "个数据字节"));
        root.push(ctx.node("dlt645.length", off + 9, 1, NodeKind::Length).value(l.to_string()).text(text));
    }
    if b.len() < 10 {
        ctx.diags.push(registry::truncated(ctx.base + off + b.len(), None, "dlt645.truncated", ctx.lang));
    }
}

fn address_node(ctx: &mut Ctx, id: &str, wire: &[u8], at: usize) -> Node {
    let a = Address::from_wire(wire);
    let digits: String = wire.iter().rev().map(|b| format!("{b:02X}")).collect();
    let mut node = ctx.node(id, at, wire.len(), NodeKind::Address).value(digits);
    if wire.len() == 6 {
        let text = if a.is_broadcast() {
            Some(ctx.pick("broadcast address", "广播地址"))
        } else if a == Address::WILDCARD {
            Some(ctx.pick("wildcard address", "通配地址"))
        } else if a.has_wildcard() {
            Some(ctx.pick("address with wildcard digits", "含通配位的地址"))
        } else {
            None
        };
        node.text = text;
        if let Some(i) = a.invalid_byte() {
            let msg =
                format!("{} 0x{:02X}", ctx.lang.pick("address byte is not BCD:", "地址字节不是 BCD 码："), wire[i]);
            ctx.diag(Severity::Warning, ctx.span(at + i, 1), "dlt645.bcd.invalid", msg);
        }
    }
    node
}

fn control_node(ctx: &mut Ctx, c: ControlCode, at: usize) -> Node {
    let lang = ctx.lang;
    let f = c.function();
    let reply = c.direction() == Direction::SlaveToMaster;
    ctx.follow = reply && c.has_follow_up();
    let name = frame::function_name(ctx.variant, f, lang).map(str::to_string);
    let other = match ctx.variant {
        Variant::V2007 => Variant::V1997,
        Variant::V1997 => Variant::V2007,
    };
    let (dir_value, dir_text) = if reply {
        ("slave->master", lang.pick("reply from the slave (meter)", "从站发出的应答帧"))
    } else {
        ("master->slave", lang.pick("command from the master", "主站发出的命令帧"))
    };
    let abnormal_text = match (reply, c.is_abnormal()) {
        (false, _) => lang.pick("not a reply", "非应答帧"),
        (true, false) => lang.pick("normal reply", "从站正确应答"),
        (true, true) => lang.pick("abnormal reply", "从站对异常信息的应答"),
    };
    let follow_text = if c.has_follow_up() {
        lang.pick("follow-up frame follows", "有后续数据帧")
    } else {
        lang.pick("no follow-up frame", "无后续数据帧")
    };
    let bit = |v: bool| if v { "1" } else { "0" };
    let function_text = name.clone().unwrap_or_else(|| ctx.pick("unknown function", "未知功能码"));
    let kind_text = match (reply, c.is_abnormal()) {
        (false, _) => lang.pick("request", "请求"),
        (true, false) => lang.pick("normal reply", "正常应答"),
        (true, true) => lang.pick("abnormal reply", "异常应答"),
    };
    let node = ctx
        .node("dlt645.control", at, 1, NodeKind::Control)
        .value(format!("0x{:02X}", c.0))
        .text(format!("{function_text}{}{kind_text}", lang.pick(", ", "，")))
        .child(ctx.node("dlt645.control.dir", at, 1, NodeKind::Control).value(dir_value).text(dir_text))
        .child(
            ctx.node("dlt645.control.abnormal", at, 1, NodeKind::Control)
                .value(bit(c.is_abnormal()))
                .text(abnormal_text),
        )
        .child(
            ctx.node("dlt645.control.follow", at, 1, NodeKind::Control).value(bit(c.has_follow_up())).text(follow_text),
        )
        .child(
            ctx.node("dlt645.control.function", at, 1, NodeKind::Control)
                .value(format!("0x{f:02X}"))
                .text(function_text.clone()),
        );
    ctx.summary.push(format!("{function_text} ({kind_text})"));
    if name.is_none() {
        let msg = match frame::function_name(other, f, lang) {
            Some(n) => format!(
                "{} 0x{f:02X} ({n}) {}",
                lang.pick("function", "功能码"),
                lang.pick("belongs to the other edition of DL/T 645", "属于另一版本的 DL/T 645")
            ),
            None => format!("{} 0x{f:02X}", lang.pick("unknown function code", "未知功能码")),
        };
        ctx.diag(Severity::Warning, ctx.span(at, 1), "dlt645.function.unknown", msg);
    }
    node
}

fn length_check(ctx: &mut Ctx, b: &[u8], off: usize, lay: &Layout) {
    if lay.cs.is_none() {
        return;
    }
    let stated = usize::from(b[frame::field::LENGTH]);
    let span = ctx.span(off + frame::field::LENGTH, 1);
    ctx.checks.push(Check {
        id: "dlt645.length".into(),
        label: ctx.lang.label("dlt645.length"),
        stated: stated.to_string(),
        computed: lay.data_len.to_string(),
        ok: stated == lay.data_len,
        span,
    });
    if lay.mismatch {
        let msg = match ctx.lang {
            Lang::En => {
                format!("L states {stated} data byte(s) but {} are present before CS and the end byte", lay.data_len)
            }
            Lang::Zh => format!("长度域 L 为 {stated}，但校验码和结束符之前只有 {} 个数据字节", lay.data_len),
        };
        ctx.diag(Severity::Error, span, "dlt645.length.mismatch", msg);
    }
}

fn checksum_node(ctx: &mut Ctx, root: &mut Node, b: &[u8], off: usize, cs: usize, mismatch: bool) {
    let stated = b[cs];
    let as_sent = frame::checksum(&b[..cs]);
    // With L wrong, the right checksum is the one of the frame with L corrected.
    let corrected = as_sent.wrapping_sub(b[frame::field::LENGTH]).wrapping_add((cs - frame::field::DATA) as u8);
    let computed = if mismatch && stated != as_sent { corrected } else { as_sent };
    let ok = stated == computed;
    let span = ctx.span(off + cs, 1);
    ctx.checks.push(Check {
        id: "dlt645.cs".into(),
        label: ctx.lang.label("dlt645.cs"),
        stated: format!("0x{stated:02X}"),
        computed: format!("0x{computed:02X}"),
        ok,
        span,
    });
    let text = if ok {
        ctx.pick("correct", "正确")
    } else {
        format!("{} 0x{computed:02X}", ctx.lang.pick("incorrect, should be", "错误，应为"))
    };
    root.push(ctx.node("dlt645.cs", off + cs, 1, NodeKind::Check).value(format!("0x{stated:02X}")).text(text));
    if !ok {
        let mut msg = match ctx.lang {
            Lang::En => format!("checksum 0x{stated:02X} is incorrect, should be 0x{computed:02X}"),
            Lang::Zh => format!("校验码 0x{stated:02X} 错误，应为 0x{computed:02X}"),
        };
        if mismatch {
            msg.push_str(&match ctx.lang {
                Lang::En => format!(
                    " (with L corrected to {}; 0x{as_sent:02X} over the bytes as sent)",
                    cs - frame::field::DATA
                ),
                Lang::Zh => {
                    format!("（按修正后的长度 {} 计算；按原样字节计算为 0x{as_sent:02X}）", cs - frame::field::DATA)
                }
            });
        }
        ctx.diag(Severity::Error, span, "dlt645.cs.mismatch", msg);
    }
}

fn end_node(ctx: &mut Ctx, root: &mut Node, byte: u8, at: usize) {
    root.push(ctx.node("dlt645.end", at, 1, NodeKind::Delimiter).value(format!("{byte:02X}")));
    if byte != END {
        let msg = match ctx.lang {
            Lang::En => format!("the end byte is 0x{byte:02X}, not 0x16"),
            Lang::Zh => format!("结束符是 0x{byte:02X}，不是 0x16"),
        };
        ctx.diag(Severity::Error, ctx.span(at, 1), "dlt645.end.missing", msg);
    }
}

// ------------------------------------------------------------------ data field

/// Reads the data field from the front, making nodes for what it takes.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Absolute frame offset (from the frame start) of `data[0]`.
    at: usize,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }
    /// The next `n` bytes and their frame offset, or `None` (taking nothing) when fewer remain.
    fn take(&mut self, n: usize) -> Option<(&'a [u8], usize)> {
        if self.left() < n {
            return None;
        }
        let at = self.at + self.pos;
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Some((bytes, at))
    }
    fn rest(&mut self) -> (&'a [u8], usize) {
        let n = self.left();
        self.take(n).unwrap_or((&[], self.at + self.pos))
    }
}

fn data_node(ctx: &mut Ctx, c: ControlCode, data: &[u8], at: usize, complete: bool) -> Node {
    let mut node = ctx.node("dlt645.data", at, data.len(), NodeKind::Data);
    if !data.is_empty() {
        node = node.value(to_hex(data)).text(ctx.pick("data with 0x33 removed", "数据域（已减 0x33）"));
    }
    let mut cur = Cursor { data, pos: 0, at };
    let reply = c.direction() == Direction::SlaveToMaster;
    if frame::function_name(ctx.variant, c.function(), ctx.lang).is_none() {
        let (bytes, at) = cur.rest();
        raw(ctx, &mut node, bytes, at);
    } else if reply && c.is_abnormal() {
        error_word(ctx, &mut node, &mut cur);
    } else {
        match ctx.variant {
            Variant::V2007 => data_2007(ctx, &mut node, &mut cur, c.function(), reply, complete),
            Variant::V1997 => data_1997(ctx, &mut node, &mut cur, c.function(), reply, complete),
        }
    }
    leftover(ctx, &mut node, &mut cur, complete);
    node
}

/// Bytes no rule of the function explains.
fn leftover(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    let (bytes, at) = cur.rest();
    if bytes.is_empty() {
        return;
    }
    node.push(ctx.node("dlt645.data.extra", at, bytes.len(), NodeKind::Unknown).value(to_hex(bytes)));
    if complete {
        let msg = format!(
            "{} {}",
            bytes.len(),
            ctx.lang.pick("data byte(s) more than the function defines", "个数据字节超出该功能的定义")
        );
        ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.data.extra", msg);
    }
}

/// A field the function needs but the data lacks.
fn missing(ctx: &mut Ctx, cur: &mut Cursor, what: (&str, &str), complete: bool) {
    if !complete {
        return;
    }
    let at = cur.at + cur.pos;
    let msg = format!(
        "{} {}",
        ctx.lang.pick("the data ends before the", "数据域不完整，缺少"),
        ctx.lang.pick(what.0, what.1)
    );
    ctx.diag(Severity::Warning, ctx.span(at, cur.left()), "dlt645.data.short", msg);
}

fn data_2007(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
    use function::*;
    match (f, reply) {
        (READ, false) => {
            di_2007(ctx, node, cur, complete);
            if let Some((b, at)) = cur.take(1) {
                node.push(ctx.node("dlt645.data.count", at, 1, NodeKind::Data).value(value::hex_msb_first(b)));
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
            let (bytes, at) = cur.rest();
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
                let body = &cur.data[cur.pos..cur.pos + n - 1];
                let at = cur.at + cur.pos;
                cur.pos += n - 1;
                values(ctx, node, info.as_ref(), body, at, false);
            }
            seq(ctx, node, cur, complete);
        }
        (READ_ADDRESS, true) | (WRITE_ADDRESS, false) => match cur.take(6) {
            Some((b, at)) => node.push(address_node(ctx, "dlt645.data.address", b, at)),
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

fn data_1997(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
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
            let (bytes, at) = cur.rest();
            values(ctx, node, info.as_ref(), bytes, at, complete);
        }
        (BROADCAST_TIME, false) => time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmmss"),
        (WRITE_ADDRESS_1997, false) => match cur.take(6) {
            Some((b, at)) => node.push(address_node(ctx, "dlt645.data.address", b, at)),
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

/// The 4-byte identifier of DL/T 645-2007, looked up in the dictionary.
fn di_2007(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take(4) else {
        missing(ctx, cur, ("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    di_node(ctx, node, format!("{di:08X}"), dictionary::lookup(di), at, 4)
}

/// The 2-byte identifier of DL/T 645-1997.
fn di_1997(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take(2) else {
        missing(ctx, cur, ("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u16::from_le_bytes([b[0], b[1]]);
    di_node(ctx, node, format!("{di:04X}"), dictionary::lookup_1997(di), at, 2)
}

fn di_node(
    ctx: &mut Ctx,
    node: &mut Node,
    canonical: String,
    info: Option<DiInfo>,
    at: usize,
    len: usize,
) -> Option<DiInfo> {
    let mut n = ctx.node("dlt645.data.di", at, len, NodeKind::Data).value(canonical.clone());
    match &info {
        Some(i) => {
            let name = i.name(ctx.lang).to_string();
            ctx.summary.push(format!("{canonical} {name}"));
            let oad = match len {
                4 => u32::from_str_radix(&canonical, 16).ok().and_then(super::equivalents::oad_2007),
                _ => u16::from_str_radix(&canonical, 16).ok().and_then(super::equivalents::oad_1997),
            };
            n = n.text(match oad {
                Some(oad) => format!("{name} · DL/T 698.45 {}", super::equivalents::canonical(oad)),
                None => name,
            });
        }
        None => {
            n = n.text(ctx.pick("not in the dictionary", "字典中没有此数据标识"));
            ctx.summary.push(canonical.clone());
            let msg = format!(
                "{} {canonical} {}",
                ctx.lang.pick("data identifier", "数据标识"),
                ctx.lang.pick("is not in the dictionary", "不在字典中")
            );
            ctx.diag(Severity::Warning, ctx.span(at, len), "dlt645.di.unknown", msg);
        }
    }
    node.push(n);
    info
}

/// The identifier of the events to clear (1B): `FFFFFFFF` all, else a type with DI0 = FF.
fn event_di(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take(4) else {
        return missing(ctx, cur, ("data identifier", "数据标识"), complete);
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let text = if di == 0xFFFF_FFFF {
        ctx.pick("all events", "全部事件")
    } else {
        let named = dictionary::lookup(di & 0xFFFF_FF00).or_else(|| dictionary::lookup(di));
        named.map(|i| i.name(ctx.lang).to_string()).unwrap_or_else(|| ctx.pick("events of this type", "该类事件"))
    };
    node.push(ctx.node("dlt645.data.di", at, 4, NodeKind::Data).value(format!("{di:08X}")).text(text));
}

fn seq(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    match cur.take(1) {
        Some((b, at)) => node.push(ctx.node("dlt645.data.seq", at, 1, NodeKind::Data).value(b[0].to_string())),
        None => missing(ctx, cur, ("frame sequence number", "帧序号"), complete),
    }
}

fn password(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, id: &str, complete: bool) {
    let Some((b, at)) = cur.take(4) else {
        return missing(ctx, cur, ("password", "密码"), complete);
    };
    let code = value::hex_msb_first(&b[1..]);
    let text = format!("{} {:02X}, {} {code}", ctx.lang.pick("level", "权限"), b[0], ctx.lang.pick("password", "密码"));
    node.push(
        ctx.node(id, at, 4, NodeKind::Data)
            .text(text)
            .child(ctx.node("dlt645.data.password.level", at, 1, NodeKind::Data).value(format!("{:02X}", b[0])))
            .child(ctx.node("dlt645.data.password.code", at + 1, 3, NodeKind::Data).value(code)),
    );
}

fn operator(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    match cur.take(4) {
        Some((b, at)) => {
            node.push(ctx.node("dlt645.data.operator", at, 4, NodeKind::Data).value(value::hex_msb_first(b)))
        }
        None => missing(ctx, cur, ("operator code", "操作者代码"), complete),
    }
}

fn baud(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    match cur.take(1) {
        Some((b, at)) => {
            let d = value::decode(&Format::BAUD, b, ctx.lang);
            let mut n = ctx.node("dlt645.data.baud", at, 1, NodeKind::Data).value(d.value);
            n.text = d.text;
            node.push(n);
        }
        None => missing(ctx, cur, ("rate feature word", "通信速率特征字"), complete),
    }
}

/// A date and time field decoded by `pattern` (the rest of the data, up to its length).
fn time_field(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, id: &str, pattern: &'static str) {
    let f = Format::time(pattern);
    let n = usize::from(f.len).min(cur.left());
    if n == 0 {
        return missing(ctx, cur, ("time", "时间"), true);
    }
    let Some((b, at)) = cur.take(n) else { return };
    if n < usize::from(f.len) {
        node.push(ctx.node(id, at, n, NodeKind::Data).value(to_hex(b)));
        return missing(ctx, cur, ("time", "时间"), true);
    }
    node.push(value_node(ctx, id, ctx.lang.label(id), &f, b, at));
}

/// The freeze time mmhhDDMM with `99` wildcards (clause 7, freeze command).
fn freeze_time(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take(4) else {
        return missing(ctx, cur, ("freeze time", "冻结时间"), complete);
    };
    let lang = ctx.lang;
    let value = format!("{:02X}-{:02X} {:02X}:{:02X}", b[3], b[2], b[1], b[0]);
    let text = match (b[3], b[2], b[1], b[0]) {
        (0x99, 0x99, 0x99, 0x99) => lang.pick("freeze now (instantaneous)", "瞬时冻结").to_string(),
        (0x99, 0x99, 0x99, _) => format!("{} {:02X}", lang.pick("hourly freeze at minute", "每小时冻结，分钟"), b[0]),
        (0x99, 0x99, ..) => format!("{} {:02X}:{:02X}", lang.pick("daily freeze at", "每日冻结，时间"), b[1], b[0]),
        (0x99, ..) => {
            format!("{} {:02X} {:02X}:{:02X}", lang.pick("monthly freeze on day", "每月冻结，日"), b[2], b[1], b[0])
        }
        _ => format!("{} {value}", lang.pick("freeze at", "定时冻结于")),
    };
    node.push(ctx.node("dlt645.data.freeze_time", at, 4, NodeKind::Data).value(value).text(text));
    let fields = [(b[0], 59, "minute"), (b[1], 23, "hour"), (b[2], 31, "day"), (b[3], 12, "month")];
    for (i, (byte, max, name)) in fields.into_iter().enumerate() {
        let ok = byte == 0x99
            || value::decode(&Format::num("NN", 1, 0, ""), &[byte], lang).issue.is_none() && {
                let v = (byte >> 4) * 10 + (byte & 0x0F);
                v <= max && (i < 2 || v >= 1)
            };
        if !ok {
            let msg = format!("{} {name}: {byte:02X}", lang.pick("impossible freeze time,", "冻结时间不合理，"));
            ctx.diag(Severity::Warning, ctx.span(at + i, 1), "dlt645.date.invalid", msg);
        }
    }
}

/// Remote control N1 (command), N2 (reserved), N3..N8 (valid until).
fn remote_control(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take(1) else {
        return missing(ctx, cur, ("control command", "控制命令"), complete);
    };
    let lang = ctx.lang;
    let text = match b[0] {
        0x1A => lang.pick("trip", "跳闸"),
        0x1B => lang.pick("close allowed", "合闸允许"),
        0x2A => lang.pick("alarm", "报警"),
        0x2B => lang.pick("alarm release", "报警解除"),
        0x3A => lang.pick("keep power", "保电"),
        0x3B => lang.pick("keep power release", "保电解除"),
        _ => lang.pick("unknown command", "未知控制命令"),
    };
    node.push(ctx.node("dlt645.data.control_type", at, 1, NodeKind::Data).value(format!("{:02X}", b[0])).text(text));
    if let Some((r, at)) = cur.take(1) {
        node.push(ctx.node("dlt645.data.reserved", at, 1, NodeKind::Data).value(format!("{:02X}", r[0])));
    }
    time_field(ctx, node, cur, "dlt645.data.valid_until", "YYMMDDhhmmss");
}

/// The error information word ERR of an abnormal reply (Appendix C).
fn error_word(ctx: &mut Ctx, node: &mut Node, cur: &mut Cursor) {
    let Some((b, at)) = cur.take(1) else {
        return missing(ctx, cur, ("error information word", "错误信息字"), true);
    };
    let err = b[0];
    let names = error_bits(ctx.variant, ctx.lang);
    let mut n = ctx.node("dlt645.data.err", at, 1, NodeKind::Data).value(format!("0x{err:02X}"));
    let mut set = Vec::new();
    for (bit, name) in names.iter().enumerate() {
        if err & (1 << bit) != 0 {
            set.push(name.to_string());
            let label = match ctx.lang {
                Lang::En => format!("bit {bit}: {name}"),
                Lang::Zh => format!("位{bit}：{name}"),
            };
            n.push(Node::new(format!("dlt645.data.err.bit.{bit}"), label, ctx.span(at, 1)).value("1").text(*name));
        }
    }
    n.text = Some(if set.is_empty() { ctx.pick("no error bit set", "未置错误位") } else { set.join(", ") });
    ctx.summary.push(n.text.clone().unwrap_or_default());
    node.push(n);
}

/// ERR bit names, bit 0 first. DL/T 645-2007: other error, no requested data,
/// password error/unauthorised, rate cannot be changed, annual time zones,
/// daily slots, tariffs exceeded. DL/T 645-1997: illegal data, wrong data
/// identifier, password error, (reserved), time zones, slots, tariffs exceeded.
fn error_bits(variant: Variant, lang: Lang) -> [&'static str; 8] {
    let reserved = lang.pick("reserved", "保留");
    let common = [
        lang.pick("annual time zones exceeded", "年时区数超"),
        lang.pick("daily time slots exceeded", "日时段数超"),
        lang.pick("tariff count exceeded", "费率数超"),
        reserved,
    ];
    let low = match variant {
        Variant::V2007 => [
            lang.pick("other error", "其他错误"),
            lang.pick("no requested data", "无请求数据"),
            lang.pick("password error / unauthorised", "密码错/未授权"),
            lang.pick("communication rate cannot be changed", "通信速率不能更改"),
        ],
        Variant::V1997 => [
            lang.pick("illegal data", "非法数据"),
            lang.pick("wrong data identifier", "数据标识错"),
            lang.pick("password error", "密码错"),
            reserved,
        ],
    };
    [low[0], low[1], low[2], low[3], common[0], common[1], common[2], common[3]]
}

fn raw(ctx: &mut Ctx, node: &mut Node, bytes: &[u8], at: usize) {
    if !bytes.is_empty() {
        node.push(ctx.node("dlt645.data.raw", at, bytes.len(), NodeKind::Data).value(to_hex(bytes)));
    }
}

// ------------------------------------------------------------------ values

/// The value nodes of an identifier's data.
fn values(ctx: &mut Ctx, node: &mut Node, info: Option<&DiInfo>, bytes: &[u8], at: usize, complete: bool) {
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
            let mut container = ctx.node("dlt645.data.value", at, bytes.len(), NodeKind::Data);
            let used = fields(ctx, &mut container, &info.fields, info.block || tolerant, bytes, at);
            if info.fields.len() == 1 && container.children.len() == 1 && used == bytes.len() {
                let mut only = container.children.remove(0);
                only.id = "dlt645.data.value".into();
                only.label = ctx.lang.label("dlt645.data.value");
                node.push(only);
            } else {
                container.span = ctx.span(at, used);
                if !container.children.is_empty() {
                    node.push(container);
                }
            }
            extra(ctx, node, &bytes[used..], at + used, tolerant, false);
        }
    }
}

/// Fields in order; returns how many bytes they used. A block may stop at a field boundary.
fn fields(ctx: &mut Ctx, parent: &mut Node, list: &[Field], block: bool, bytes: &[u8], at: usize) -> usize {
    let mut pos = 0;
    for (j, field) in list.iter().enumerate() {
        let left = bytes.len() - pos;
        if left == 0 {
            if !block && field.format.len != 0 {
                let msg =
                    format!("{} {}", ctx.lang.pick("the data ends before", "数据不完整，缺少"), field.name(ctx.lang));
                ctx.diag(Severity::Warning, ctx.span(at + pos, 0), "dlt645.data.short", msg);
            }
            break;
        }
        let len = if field.format.len == 0 { left } else { usize::from(field.format.len) };
        let id = format!("dlt645.data.field.{j}");
        if left < len {
            parent.push(
                ctx.node(&id, at + pos, left, NodeKind::Data)
                    .value(to_hex(&bytes[pos..]))
                    .text(field.name(ctx.lang).to_string()),
            );
            let msg = format!("{}: {left}/{len}", field.name(ctx.lang));
            let msg = format!("{} {msg}", ctx.lang.pick("value cut short,", "数值不完整，"));
            ctx.diag(Severity::Warning, ctx.span(at + pos, left), "dlt645.data.short", msg);
            return bytes.len();
        }
        let label = field.name(ctx.lang).to_string();
        parent.push(value_node(ctx, &id, label, &field.format, &bytes[pos..pos + len], at + pos));
        pos += len;
    }
    pos
}

/// A block of items (tariffs, phases, …), as many as the data holds.
fn repeated(ctx: &mut Ctx, node: &mut Node, info: &DiInfo, items: Items, bytes: &[u8], at: usize, tolerant: bool) {
    let item_len: usize = info.fields.iter().map(|f| usize::from(f.format.len)).sum();
    if item_len == 0 || info.fields.iter().any(|f| f.format.len == 0) {
        return raw(ctx, node, bytes, at);
    }
    let count = (bytes.len() / item_len).min(items.max().unwrap_or(usize::MAX));
    let mut container = ctx.node("dlt645.data.value", at, count * item_len, NodeKind::Data);
    for i in 0..count {
        let (b, a) = (&bytes[i * item_len..(i + 1) * item_len], at + i * item_len);
        let label = items.label(i, ctx.lang);
        let id = format!("dlt645.data.item.{i}");
        if info.fields.len() == 1 {
            container.push(value_node(ctx, &id, label, &info.fields[0].format, b, a));
        } else {
            let mut item = ctx.node(&id, a, item_len, NodeKind::Data);
            item.label = label;
            fields(ctx, &mut item, &info.fields, false, b, a);
            container.push(item);
        }
    }
    if count > 0 {
        node.push(container);
    }
    let used = count * item_len;
    let short = bytes.len() - used < item_len;
    extra(ctx, node, &bytes[used..], at + used, tolerant, short);
}

/// Bytes after the values: part of a value (`short`), or more than the identifier holds.
fn extra(ctx: &mut Ctx, node: &mut Node, bytes: &[u8], at: usize, tolerant: bool, short: bool) {
    if bytes.is_empty() {
        return;
    }
    node.push(ctx.node("dlt645.data.extra", at, bytes.len(), NodeKind::Unknown).value(to_hex(bytes)));
    let severity = if tolerant { Severity::Info } else { Severity::Warning };
    let (code, en, zh) = if short {
        ("dlt645.data.short", "byte(s) of an incomplete value", "个字节不足一个完整数值")
    } else {
        ("dlt645.data.extra", "byte(s) more than the identifier's format", "个字节超出数据标识的格式")
    };
    let msg = format!("{} {}", bytes.len(), ctx.lang.pick(en, zh));
    ctx.diag(severity, ctx.span(at, bytes.len()), code, msg);
}

/// One decoded value, with its issues as diagnostics.
fn value_node(ctx: &mut Ctx, id: &str, label: String, format: &Format, bytes: &[u8], at: usize) -> Node {
    let d = value::decode(format, bytes, ctx.lang);
    let mut n = Node::new(id, label, ctx.span(at, bytes.len())).kind(NodeKind::Data).value(d.value.clone());
    let is_number = matches!(format.shape, Shape::Number { .. }) && d.text.is_none() && d.issue.is_none();
    if is_number && !format.unit.is_empty() {
        n = n.unit(format.unit);
    }
    n.text = d.text;
    match d.issue {
        Some(Issue::Bcd { index }) => {
            let byte = bytes.get(index).copied().unwrap_or(0);
            let msg =
                format!("{} 0x{byte:02X} ({})", ctx.lang.pick("not a BCD byte:", "不是 BCD 码："), format.pattern);
            ctx.diag(Severity::Warning, ctx.span(at + index, 1), "dlt645.bcd.invalid", msg);
        }
        Some(Issue::Date { field, found }) => {
            let msg = format!("{} {field} {found}", ctx.lang.pick("impossible date or time:", "日期或时间不合理："));
            ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.date.invalid", msg);
        }
        None => {}
    }
    n
}
