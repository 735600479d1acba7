//! The SML dissector: the transport frame, then the SML file inside it, one
//! SML_Message after the other, each element read by its TL field.
//!
//! TL field: bit 7 "another TL byte follows", bits 6–4 the type (000 octet
//! string, 100 boolean, 101 integer, 110 unsigned, 111 list), bits 3–0 the
//! length, four more bits per further TL byte (whose type bits are 000).
//! The length counts the TL bytes too, except for lists, where it is the
//! number of elements. `00` ends a message, `01` is an optional value not
//! set (an empty octet string).
//!
//! Here the transport frame and the parser's reading of elements; the
//! messages and their bodies in `message`, trees, values and list entries
//! in `entry`.

use super::frame::{self, END_MARK, End, Payload, START, Scan};
use super::tl::{self, Tl as El, TlError, Type as Ty};
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeRef, Occurrences, Severity};
use crate::msg;
use crate::protocols::dlms::obis_name;
use crate::registry;
use crate::span::Span;

mod entry;
mod message;

/// Registry name.
pub const NAME: &str = "sml";

/// Lists nest at most this deep (SML trees nest; the input may lie).
const MAX_DEPTH: u32 = 24;

/// `sml.message` and `sml.entry` are this long: where the index goes.
const AT_MESSAGE: usize = 11;
const AT_ENTRY: usize = 9;

/// Dissect one frame (`bytes[0]` at absolute offset `base`).
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    let mut f = Frame::new(NAME, bytes, base).with_labels(super::LABELS);
    let root = f.add(NONE, "sml", Span::at(base, bytes.len()), NodeKind::Data).index();
    transport(&mut f, root, bytes, base);
    f.finish()
}

fn transport(f: &mut Frame, root: NodeRef, b: &[u8], base: usize) {
    if b.len() < START.len() || b[..START.len()] != START {
        if !b.is_empty() && START.starts_with(b) {
            registry::truncated_diag(f, base + b.len(), Some(START.len() - b.len()), "sml.truncated");
            return;
        }
        let n = f.add(root, "sml.raw", Span::at(base, b.len()), NodeKind::Unknown).index();
        f.node_mut(n).value(Msg::hex(Span::at(base, b.len())));
        let msg = msg!(
            "no SML start escape sequence 1B 1B 1B 1B 01 01 01 01 here",
            "此处没有 SML 起始转义序列 1B 1B 1B 1B 01 01 01 01"
        );
        f.diag(Severity::Error, Span::at(base, b.len().min(8)), "sml.start.missing", msg);
        return;
    }
    let n = f.add(root, "sml.start", Span::at(base, 8), NodeKind::Delimiter).index();
    f.node_mut(n)
        .value(Msg::Hex { span: Span::at(base, 8), spaced: true, reversed: false })
        .text(msg!("escape sequence, transport version 1", "转义序列，传输协议版本 1"));

    let (data_end, len, end) = match frame::scan(b) {
        Scan::Complete { len, end: End::Escape(e) } => (e, len, Some(e)),
        Scan::Complete { len, end: End::Restart(e) } => {
            let msg =
                msg!("a new transmission starts here before this one ended", "本次传输尚未结束，新的传输已从此处开始");
            f.diag(Severity::Error, Span::at(base + e, 0), "sml.end.missing", msg);
            (e, len, None)
        }
        Scan::Incomplete | Scan::NoMatch => {
            // The registry hands over a frame cut off by the next start escape
            // sequence as it hands over one cut off by the end of the input.
            let msg = msg!(
                "no end escape sequence: the frame is cut off here (the input ends or a new transmission starts)",
                "没有结束转义序列：帧在此中断（输入结束或新的传输开始）"
            );
            f.diag(Severity::Error, Span::at(base + b.len(), 0), "sml.end.missing", msg);
            (b.len(), b.len(), None)
        }
    };
    let payload = Payload::read(b, START.len(), data_end);
    for &at in &payload.bad_escapes {
        let msg = msg!(
            "escape sequence 1B 1B 1B 1B followed by neither a second one, 1A nor 01 01 01 01",
            "转义序列 1B 1B 1B 1B 之后既不是第二个转义序列，也不是 1A 或 01 01 01 01"
        );
        f.diag(Severity::Error, Span::at(base + at, 4), "sml.escape.invalid", msg);
    }
    // The padding count, when the end says it (at most 3 and at most the data).
    let pad = end.map_or(0, |e| usize::from(b[e + 5]));
    let file_end = payload.bytes.len().saturating_sub(if pad <= 3 { pad } else { 0 });

    let mut p = Parser {
        f,
        p: &payload,
        base,
        occ: Occurrences::default(),
        entries: 0,
        derived: None,
        export: None,
        flag: None,
    };
    let summary = p.messages(root, file_end);
    if let Some(s) = summary {
        p.f.node_mut(root).text(s);
    }
    if file_end < payload.bytes.len() {
        let q = file_end;
        let n = p.add(root, "sml.padding", q, payload.bytes.len() - q, NodeKind::Delimiter);
        p.f.node_mut(n).value(Msg::Uint((payload.bytes.len() - q) as u64));
        if payload.bytes[q..].iter().any(|&x| x != 0) {
            let msg = msg!("padding bytes are 00", "填充字节应为 00");
            p.diag(Severity::Warning, q, payload.bytes.len() - q, "sml.padding.invalid", msg);
        }
    }
    let Some(e) = end else { return };
    let f = p.f;
    let n = f.add(root, "sml.end", Span::at(base + e, 8), NodeKind::Delimiter).index();
    let x = f.add(n, "sml.end.escape", Span::at(base + e, 4), NodeKind::Delimiter).index();
    f.node_mut(x).value(Msg::Hex { span: Span::at(base + e, 4), spaced: true, reversed: false });
    let x = f.add(n, "sml.end.mark", Span::at(base + e + 4, 1), NodeKind::Delimiter).index();
    f.node_mut(x).value(Msg::HexNum { value: END_MARK.into(), digits: 2 });
    let x = f.add(n, "sml.end.padding", Span::at(base + e + 5, 1), NodeKind::Length).index();
    f.node_mut(x).value(Msg::Uint(pad as u64)).text(msg!(
        "{} padding byte(s) before the end",
        "结束前有 {} 个填充字节",
        pad
    ));
    if pad > 3 || pad > payload.bytes.len() {
        let msg = msg!("the padding count is {}; it is 0 to 3", "填充字节数为 {}，应为 0 至 3", pad);
        f.diag(Severity::Error, Span::at(base + e + 5, 1), "sml.padding.count", msg);
    }
    if e % 4 != 0 {
        let msg = msg!(
            "the end escape sequence starts at byte {} of the frame, not at a multiple of 4",
            "结束转义序列从帧的第 {} 字节开始，不在 4 的倍数处",
            e
        );
        f.diag(Severity::Error, Span::at(base + e, 4), "sml.end.misaligned", msg);
    }
    if let Some((stated, computed)) = frame::crc(&b[..len]) {
        let span = Span::at(base + len - 2, 2);
        let x = f.add(n, "sml.crc", span, NodeKind::Check).index();
        f.node_mut(x).value(Msg::HexNum { value: stated.into(), digits: 4 }).text(msg!(
            "CRC-16/X-25 from the start escape to the padding count, low byte first",
            "CRC-16/X-25，从起始转义序列到填充字节数，低字节在前"
        ));
        check(f, Id::Static("sml.crc"), span, stated, computed, "sml.crc.mismatch");
    }
    if len < b.len() {
        let n = f.add(root, "sml.trailing", Span::new(base + len, base + b.len()), NodeKind::Unknown).index();
        f.node_mut(n).value(Msg::hex(Span::new(base + len, base + b.len())));
        let msg = msg!("{} byte(s) after the end of the frame", "帧结束后还有 {} 个字节", b.len() - len);
        f.diag(Severity::Warning, Span::new(base + len, base + b.len()), "sml.trailing", msg);
    }
}

/// A CRC check with its diagnostic.
fn check(f: &mut Frame, id: Id, span: Span, stated: u16, computed: u16, code: &'static str) {
    let ok = stated == computed;
    f.check(Check {
        id: id.clone(),
        label: Msg::Label,
        stated: Msg::HexNum { value: stated.into(), digits: 4 },
        computed: Msg::HexNum { value: computed.into(), digits: 4 },
        ok,
        span,
    });
    if !ok {
        let msg =
            msg!("CRC 0x{:04X} is wrong; it should be 0x{:04X}", "CRC 0x{:04X} 错误，应为 0x{:04X}", stated, computed);
        f.diag(Severity::Error, span, code, msg);
    }
}

/// The integer types by width in bytes (1–8), named as SML names them.
static INTEGERS: [(&str, &str); 8] = [
    ("Integer8", "有符号整数（8 位）"),
    ("Integer16", "有符号整数（16 位）"),
    ("Integer24", "有符号整数（24 位）"),
    ("Integer32", "有符号整数（32 位）"),
    ("Integer40", "有符号整数（40 位）"),
    ("Integer48", "有符号整数（48 位）"),
    ("Integer56", "有符号整数（56 位）"),
    ("Integer64", "有符号整数（64 位）"),
];
static UNSIGNEDS: [(&str, &str); 8] = [
    ("Unsigned8", "无符号整数（8 位）"),
    ("Unsigned16", "无符号整数（16 位）"),
    ("Unsigned24", "无符号整数（24 位）"),
    ("Unsigned32", "无符号整数（32 位）"),
    ("Unsigned40", "无符号整数（40 位）"),
    ("Unsigned48", "无符号整数（48 位）"),
    ("Unsigned56", "无符号整数（56 位）"),
    ("Unsigned64", "无符号整数（64 位）"),
];

/// A value read from an element.
#[derive(Clone, Copy, Debug)]
enum Val {
    /// An octet string at a payload offset, of a length (0: optional value not set).
    Oct(usize, usize),
    Bool(bool),
    Int(i64),
    Uint(u64),
    List(usize),
    End,
}

/// Reading stopped at this payload offset (the diagnostic is written).
struct Stop(usize);

/// The name of a packed OBIS code, when the shared OBIS names give one.
fn obis_text(code: u64) -> Msg {
    let b = code.to_be_bytes();
    if crate::obis::is_named([b[2], b[3], b[4], b[5], b[6], b[7]]) { Msg::Code(obis_name, code) } else { Msg::None }
}

/// OBIS codes packed for [`Msg::Code`].
fn pack_obis(b: &[u8]) -> u64 {
    b.iter().fold(0, |a, &x| a << 8 | u64::from(x))
}

struct Parser<'a> {
    f: &'a mut Frame,
    p: &'a Payload,
    base: usize,
    occ: Occurrences,
    /// List entries so far (their ids are numbered across the frame).
    entries: u32,
    /// Where the payload sits in the frame's derived bytes, once put there.
    derived: Option<u32>,
    /// The energy direction the last energy register's status word gave
    /// (true: −A, delivery), for the power entries after it.
    export: Option<bool>,
    /// The manufacturer (FLAG) of the server id, once read.
    flag: Option<[u8; 3]>,
}

impl Parser<'_> {
    fn bytes(&self) -> &[u8] {
        &self.p.bytes
    }

    /// The absolute span of payload bytes `q..q + len`.
    fn span(&self, q: usize, len: usize) -> Span {
        let start = self.base + self.p.wire(q);
        if len == 0 { Span::at(start, 0) } else { Span::new(start, self.base + self.p.wire(q + len - 1) + 1) }
    }

    fn add(&mut self, parent: NodeRef, id: impl Into<Id>, q: usize, len: usize, kind: NodeKind) -> NodeRef {
        let span = self.span(q, len);
        self.f.add(parent, id, span, kind).index()
    }

    /// A numbered id of a key repeated in the frame (`sml.time.tag.3`).
    fn counted(&mut self, key: &'static str) -> Id {
        Id::Indexed(key, self.occ.count(key))
    }

    fn add_counted(&mut self, parent: NodeRef, key: &'static str, q: usize, len: usize, kind: NodeKind) -> NodeRef {
        let id = self.counted(key);
        self.add(parent, id, q, len, kind)
    }

    /// An element the grammar does not name, shown by its TL fields.
    fn item(&mut self, parent: NodeRef, q: usize, end: usize, depth: u32) -> Result<(NodeRef, Val, usize), Stop> {
        let id = self.counted("sml.item");
        self.element(parent, id, q, end, depth)
    }

    fn diag(&mut self, severity: Severity, q: usize, len: usize, code: &'static str, message: Msg) {
        let span = self.span(q, len);
        self.f.diag(severity, span, code, message);
    }

    /// Payload bytes as hex: spans of the frame's bytes, or of the derived
    /// copy where escaped escape sequences lie in between.
    fn hex(&mut self, q: usize, len: usize) -> Msg {
        if self.p.contiguous(q, len) {
            return Msg::Hex { span: self.span(q, len), spaced: false, reversed: false };
        }
        let at = match self.derived {
            Some(at) => at,
            None => {
                let at = self.f.derive(&self.p.bytes);
                self.derived = Some(at);
                at
            }
        };
        Msg::Derived { at: at + q as u32, len: len as u32, spaced: false, reversed: false }
    }

    /// Read the TL field at `q`, with a diagnostic when it cannot be read.
    fn el(&mut self, q: usize, end: usize) -> Result<El, Stop> {
        let b = &self.p.bytes[..end.min(self.p.bytes.len())];
        let e = match tl::read(b, q) {
            Ok(el) => return Ok(el),
            Err(e) => e,
        };
        let n = b.len();
        let (at, len, code, msg) = match e {
            TlError::Short { at } if at == q => {
                (q, 0, "sml.truncated", msg!("the SML file ends before this element", "SML 文件在此元素之前结束"))
            }
            TlError::Short { at } => {
                (q, at - q, "sml.truncated", msg!("the SML file ends inside a TL field", "SML 文件在 TL 字段中结束"))
            }
            TlError::Type { at, byte } => (
                at,
                1,
                "sml.tl.invalid",
                msg!(
                    "TL field 0x{:02X}: type bits {} are not defined",
                    "TL 字段 0x{:02X}：类型位 {} 未定义",
                    byte,
                    (byte >> 4) & 7
                ),
            ),
            TlError::Continuation { at, byte } => (
                at,
                1,
                "sml.tl.invalid",
                msg!("TL continuation byte 0x{:02X} is not valid", "TL 后续字节 0x{:02X} 无效", byte),
            ),
            TlError::Length { at, len, tl } => (
                at,
                tl,
                "sml.tl.invalid",
                msg!(
                    "TL field says {} byte(s), fewer than its own {} TL byte(s)",
                    "TL 字段长度为 {} 字节，少于其自身的 {} 个 TL 字节",
                    len,
                    tl
                ),
            ),
            TlError::Overrun { at, len, missing } => (
                at,
                n - at,
                "sml.truncated",
                msg!(
                    "the element needs {} byte(s); the SML file ends {} byte(s) early",
                    "该元素需要 {} 个字节，SML 文件提前 {} 个字节结束",
                    len,
                    missing
                ),
            ),
            TlError::Width { at, byte, len } => (
                at,
                (len + 1).min(n - at),
                "sml.tl.invalid",
                msg!(
                    "TL field 0x{:02X}: a value of {} byte(s) is not defined for its type",
                    "TL 字段 0x{:02X}：该类型没有 {} 字节的数值",
                    byte,
                    len
                ),
            ),
        };
        self.diag(Severity::Error, at, len, code, msg);
        Err(Stop(q))
    }

    fn val(&self, el: &El) -> Val {
        let d = &self.bytes()[el.data()..el.end()];
        match el.ty {
            Ty::OctetString => Val::Oct(el.data(), el.len),
            Ty::Boolean => Val::Bool(d[0] != 0),
            Ty::Unsigned => Val::Uint(d.iter().fold(0u64, |a, &x| a << 8 | u64::from(x))),
            Ty::Integer => {
                let u = d.iter().fold(0u64, |a, &x| a << 8 | u64::from(x));
                let shift = 64 - 8 * d.len() as u32;
                Val::Int(((u << shift) as i64) >> shift)
            }
            Ty::List => Val::List(el.len),
            Ty::EndOfMessage => Val::End,
        }
    }

    /// One element as a node showing its type and value; lists with their
    /// elements. Returns the node, the value and where the element ends.
    fn element(
        &mut self,
        parent: NodeRef,
        id: Id,
        q: usize,
        end: usize,
        depth: u32,
    ) -> Result<(NodeRef, Val, usize), Stop> {
        let el = self.el(q, end)?;
        let v = self.val(&el);
        let n = self.add(parent, id, q, el.end() - q, NodeKind::Data);
        match v {
            Val::Oct(_, 0) => {
                self.f.node_mut(n).text(msg!("not set (optional)", "未设置（可选）"));
            }
            Val::Oct(at, len) => {
                let hex = self.hex(at, len);
                let printable = self.bytes()[at..at + len].iter().all(|c| (0x20..0x7F).contains(c));
                let text = if printable && self.p.contiguous(at, len) {
                    Msg::Ascii(self.span(at, len))
                } else {
                    msg!("octet string, {} byte(s)", "八位字节串，{} 字节", len)
                };
                self.f.node_mut(n).value(hex).text(text);
            }
            Val::Bool(b) => {
                self.f.node_mut(n).value(Msg::Str(if b { "true" } else { "false" })).text(msg!("Boolean", "布尔值"));
            }
            Val::Int(i) => {
                let t = INTEGERS.get(el.len - 1).map_or(Msg::None, |w| Msg::Bi(w));
                self.f.node_mut(n).value(Msg::Int(i)).text(t);
            }
            Val::Uint(u) => {
                let t = UNSIGNEDS.get(el.len - 1).map_or(Msg::None, |w| Msg::Bi(w));
                self.f.node_mut(n).value(Msg::Uint(u)).text(t);
            }
            Val::List(count) => {
                self.f.node_mut(n).text(msg!("list of {} element(s)", "含 {} 个元素的列表", count));
                let next = self.items(n, el.data(), end, count, depth)?;
                let span = self.span(q, next - q);
                self.f.node_mut(n).span(span);
                return Ok((n, v, next));
            }
            Val::End => {
                self.f.node_mut(n).text(msg!("end of message (00)", "消息结束（00）"));
            }
        }
        Ok((n, v, el.end()))
    }

    /// `count` elements of a list shown by their TL fields.
    fn items(&mut self, parent: NodeRef, mut q: usize, end: usize, count: usize, depth: u32) -> Result<usize, Stop> {
        if depth >= MAX_DEPTH {
            let msg = msg!("lists nest deeper than {} levels", "列表嵌套超过 {} 层", MAX_DEPTH);
            self.diag(Severity::Error, q, 0, "sml.tl.depth", msg);
            return Err(Stop(q));
        }
        for _ in 0..count {
            let id = self.counted("sml.item");
            let (_, _, next) = self.element(parent, id, q, end, depth + 1)?;
            q = next;
        }
        Ok(q)
    }

    /// A list the grammar expects at `q`: its TL field read, with a warning
    /// when the element count is not the one expected.
    fn list(&mut self, q: usize, end: usize, what: &'static str, want: &[usize]) -> Result<El, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let msg = msg!(
                "{} is a list; found TL field 0x{:02X}",
                "{} 应为列表，实际 TL 字段为 0x{:02X}",
                what,
                self.bytes()[q]
            );
            self.diag(Severity::Error, q, el.tl, "sml.list.expected", msg);
            return Err(Stop(q));
        }
        if !want.is_empty() && !want.contains(&el.len) {
            let msg = msg!(
                "{} has {} element(s) here; the specification gives {}",
                "{} 此处有 {} 个元素，规范规定为 {}",
                what,
                el.len,
                want[0]
            );
            self.diag(Severity::Warning, q, el.tl, "sml.list.count", msg);
        }
        Ok(el)
    }
}
