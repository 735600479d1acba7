//! The SML dissector: the transport frame, then the SML file inside it, one
//! SML_Message after the other, each element read by its TL field.
//!
//! TL field: bit 7 "another TL byte follows", bits 6–4 the type (000 octet
//! string, 100 boolean, 101 integer, 110 unsigned, 111 list), bits 3–0 the
//! length, four more bits per further TL byte (whose type bits are 000).
//! The length counts the TL bytes too, except for lists, where it is the
//! number of elements. `00` ends a message, `01` is an optional value not
//! set (an empty octet string).

use super::frame::{self, END_MARK, End, Payload, START, Scan};
use super::names;
use super::tl::{self, Tl as El, TlError, Type as Ty};
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeRef, Occurrences, Severity};
use crate::msg;
use crate::protocols::dlms::{obis_canonical, obis_name};
use crate::registry;
use crate::span::Span;
use crate::units;
use crate::wire::crc16_x25;

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

/// What an element of a message body or entry is.
#[derive(Clone, Copy)]
enum K {
    /// Octet string (text shown when printable).
    Oct,
    ServerId,
    Obis,
    Uint,
    Time,
    Path,
    Tree,
    Entries(&'static [E]),
    Attention,
    /// Anything, shown by its TL fields.
    Any,
}

/// What an element of a list entry is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum E {
    Obj,
    Status,
    ValTime,
    Unit,
    Scaler,
    Value,
    Signature,
    /// SML_ProfObjPeriodEntry's value list and others shown by their TL fields.
    Any,
}

/// SML_ListEntry.
const LIST_ENTRY: &[E] = &[E::Obj, E::Status, E::ValTime, E::Unit, E::Scaler, E::Value, E::Signature];
/// SML_PeriodEntry.
const PERIOD_ENTRY: &[E] = &[E::Obj, E::Unit, E::Scaler, E::Value, E::Signature];
/// SML_ProfObjHeaderEntry.
const HEADER_ENTRY: &[E] = &[E::Obj, E::Unit, E::Scaler];
/// SML_ProfObjPeriodEntry.
const PROFILE_PERIOD: &[E] = &[E::ValTime, E::Status, E::Any, E::Signature];

const ENTRY_KEYS: [&str; 8] = [
    "sml.entry.obj_name",
    "sml.entry.status",
    "sml.entry.val_time",
    "sml.entry.unit",
    "sml.entry.scaler",
    "sml.entry.value",
    "sml.entry.signature",
    "sml.entry.values",
];

fn entry_key(e: E) -> &'static str {
    ENTRY_KEYS[match e {
        E::Obj => 0,
        E::Status => 1,
        E::ValTime => 2,
        E::Unit => 3,
        E::Scaler => 4,
        E::Value => 5,
        E::Signature => 6,
        E::Any => 7,
    }]
}

type Layout = &'static [(&'static str, K)];

const PROFILE_REQ: Layout = &[
    ("sml.message.body.server_id", K::ServerId),
    ("sml.message.body.username", K::Oct),
    ("sml.message.body.password", K::Oct),
    ("sml.message.body.with_rawdata", K::Any),
    ("sml.message.body.begin_time", K::Time),
    ("sml.message.body.end_time", K::Time),
    ("sml.message.body.tree_path", K::Path),
    ("sml.message.body.object_list", K::Any),
    ("sml.message.body.das_details", K::Tree),
];

/// The elements of each message body.
fn layout(tag: u32) -> Option<Layout> {
    Some(match tag {
        0x0100 => &[
            ("sml.message.body.codepage", K::Oct),
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.req_file_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.sml_version", K::Uint),
        ],
        0x0101 => &[
            ("sml.message.body.codepage", K::Oct),
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.req_file_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.ref_time", K::Time),
            ("sml.message.body.sml_version", K::Uint),
        ],
        0x0200 | 0x0201 => &[("sml.message.body.global_signature", K::Oct)],
        0x0300 | 0x0400 => PROFILE_REQ,
        0x0301 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.act_time", K::Time),
            ("sml.message.body.reg_period", K::Uint),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.header_list", K::Entries(HEADER_ENTRY)),
            ("sml.message.body.period_list", K::Entries(PROFILE_PERIOD)),
            ("sml.message.body.rawdata", K::Oct),
            ("sml.message.body.profile_signature", K::Oct),
        ],
        0x0401 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.act_time", K::Time),
            ("sml.message.body.reg_period", K::Uint),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.val_time", K::Time),
            ("sml.message.body.status", K::Uint),
            ("sml.message.body.period_list", K::Entries(PERIOD_ENTRY)),
            ("sml.message.body.rawdata", K::Oct),
            ("sml.message.body.period_signature", K::Oct),
        ],
        0x0500 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.attribute", K::Oct),
        ],
        0x0501 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.parameter_tree", K::Tree),
        ],
        0x0600 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.tree_path", K::Path),
            ("sml.message.body.parameter_tree", K::Tree),
        ],
        0x0700 => &[
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.username", K::Oct),
            ("sml.message.body.password", K::Oct),
            ("sml.message.body.list_name", K::Obis),
        ],
        0x0701 => &[
            ("sml.message.body.client_id", K::Oct),
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.list_name", K::Obis),
            ("sml.message.body.act_sensor_time", K::Time),
            ("sml.message.body.val_list", K::Entries(LIST_ENTRY)),
            ("sml.message.body.list_signature", K::Oct),
            ("sml.message.body.act_gateway_time", K::Time),
        ],
        0xFF01 => &[
            ("sml.message.body.server_id", K::ServerId),
            ("sml.message.body.attention_no", K::Attention),
            ("sml.message.body.attention_msg", K::Oct),
            ("sml.message.body.attention_details", K::Tree),
        ],
        _ => return None,
    })
}

fn body_name(tag: u64, lang: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match u32::try_from(tag).ok().and_then(names::body) {
        Some((_, en, zh)) => w.write_str(lang.pick(en, zh)),
        None => w.write_str(lang.pick("unknown message body", "未知的消息体")),
    }
}

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

    /// Every message of the SML file; the body names for the root's text.
    fn messages(&mut self, root: NodeRef, end: usize) -> Option<Msg> {
        let mut q = 0;
        let mut k = 0;
        let mut tags: Vec<Msg> = Vec::new();
        while q < end {
            if self.bytes()[q] == 0 {
                // Zero bytes between messages: some meters pad each message.
                let run = self.bytes()[q..end].iter().take_while(|&&x| x == 0).count();
                let n = self.add_counted(root, "sml.fill", q, run, NodeKind::Delimiter);
                self.f.node_mut(n).value(Msg::Uint(run as u64));
                q += run;
                continue;
            }
            k += 1;
            match self.message(root, q, end, k) {
                Ok((next, tag)) => {
                    if let Some(t) = tag
                        && tags.len() < 8
                    {
                        tags.push(Msg::Code(body_name_short, t.into()));
                    }
                    q = next;
                }
                Err(Stop(at)) => {
                    let at = at.max(q);
                    if at < end {
                        let n = self.add(root, "sml.rest", at, end - at, NodeKind::Unknown);
                        let hex = self.hex(at, end - at);
                        self.f.node_mut(n).value(hex);
                    }
                    break;
                }
            }
        }
        (!tags.is_empty()).then(|| Msg::joined(tags, ", "))
    }

    /// One SML_Message: its end and its body tag.
    fn message(&mut self, root: NodeRef, q: usize, end: usize, k: u32) -> Result<(usize, Option<u32>), Stop> {
        let el = self.list(q, end, "SML_Message", &[6])?;
        let m = self.add(root, Id::Indexed("sml.message", k), q, el.tl, NodeKind::Data);
        let mid = |key: &'static str| Id::inner(key, AT_MESSAGE, k);
        let mut at = el.data();
        let mut tag = None;
        let mut ended = false;
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                match i {
                    0 => {
                        let (_, _, next) = self.element(m, mid("sml.message.transaction_id"), at, end, 1)?;
                        at = next;
                    }
                    1 => {
                        let (_, _, next) = self.element(m, mid("sml.message.group_no"), at, end, 1)?;
                        at = next;
                    }
                    2 => {
                        let (n, v, next) = self.element(m, mid("sml.message.abort_on_error"), at, end, 1)?;
                        if let Val::Uint(a) = v {
                            self.f.node_mut(n).text(Msg::Code(names::abort, a));
                        }
                        at = next;
                    }
                    3 => {
                        let (t, next) = self.body(m, at, end, k)?;
                        tag = t;
                        at = next;
                    }
                    4 => {
                        let (n, v, next) = self.element(m, mid("sml.message.crc"), at, end, 1)?;
                        let computed = crc16_x25(&self.bytes()[q..at]).swap_bytes();
                        match v {
                            Val::Uint(stated) => {
                                self.f
                                    .node_mut(n)
                                    .value(Msg::HexNum { value: stated, digits: 4 })
                                    .text(msg!("CRC-16/X-25 of the message up to here", "本消息至此的 CRC-16/X-25"));
                                let span = self.span(at, next - at);
                                check(
                                    self.f,
                                    mid("sml.message.crc"),
                                    span,
                                    stated as u16,
                                    computed,
                                    "sml.message.crc.mismatch",
                                );
                            }
                            _ => {
                                let msg = msg!("crc16 is an Unsigned16", "crc16 应为 Unsigned16");
                                self.diag(Severity::Error, at, next - at, "sml.message.crc.type", msg);
                            }
                        }
                        at = next;
                    }
                    5 => {
                        let el = self.el(at, end)?;
                        if el.ty == Ty::EndOfMessage {
                            let n = self.add(m, mid("sml.message.end"), at, 1, NodeKind::Delimiter);
                            self.f.node_mut(n).value(Msg::Str("00"));
                            at += 1;
                            ended = true;
                        } else {
                            let (_, _, next) = self.item(m, at, end, 1)?;
                            at = next;
                        }
                    }
                    _ => {
                        let (_, _, next) = self.item(m, at, end, 1)?;
                        at = next;
                    }
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(m).span(span);
        if let Some(t) = tag {
            self.f.node_mut(m).text(Msg::Code(body_name, t.into()));
        }
        result?;
        if !ended {
            let msg = msg!("the message does not end with endOfSmlMsg (00)", "消息没有以 endOfSmlMsg（00）结束");
            self.diag(Severity::Warning, at, 0, "sml.message.end.missing", msg);
        }
        Ok((at, tag))
    }

    /// The message body: `[tag, body]`.
    fn body(&mut self, m: NodeRef, q: usize, end: usize, k: u32) -> Result<(Option<u32>, usize), Stop> {
        let mid = |key: &'static str| Id::inner(key, AT_MESSAGE, k);
        let el = self.list(q, end, "SML_MessageBody", &[2])?;
        let b = self.add(m, mid("sml.message.body"), q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let mut tag = None;
        let result = (|| -> Result<(), Stop> {
            if el.len == 0 {
                return Ok(());
            }
            let (n, v, next) = self.element(b, mid("sml.message.body.tag"), at, end, 2)?;
            self.f.node_mut(n).kind(NodeKind::Control);
            let t = match v {
                Val::Uint(t) => u32::try_from(t).ok(),
                _ => None,
            };
            match t {
                Some(t) => {
                    self.f
                        .node_mut(n)
                        .value(Msg::HexNum { value: t.into(), digits: 4 })
                        .text(Msg::Code(body_name, t.into()));
                    self.f
                        .node_mut(b)
                        .value(Msg::HexNum { value: t.into(), digits: 4 })
                        .text(Msg::Code(body_name, t.into()));
                    tag = Some(t);
                }
                None => {
                    let msg = msg!(
                        "the message body tag is an Unsigned16 or Unsigned32",
                        "消息体标签应为 Unsigned16 或 Unsigned32"
                    );
                    self.diag(Severity::Error, at, next - at, "sml.message.body.tag", msg);
                }
            }
            let tag_at = (at, next - at);
            at = next;
            if el.len < 2 {
                return Ok(());
            }
            let lay = t.and_then(layout);
            match (t, lay) {
                (Some(_), Some(lay)) => at = self.fields(b, at, end, k, lay)?,
                (t, _) => {
                    if let Some(t) = t
                        && names::body(t).is_none()
                    {
                        let msg = msg!("unknown message body tag 0x{:08X}", "未知的消息体标签 0x{:08X}", t);
                        self.diag(Severity::Error, tag_at.0, tag_at.1, "sml.message.body.unknown", msg);
                    }
                    let (_, _, next) = self.element(b, mid("sml.message.body.content"), at, end, 2)?;
                    at = next;
                }
            }
            for _ in 2..el.len {
                let (_, _, next) = self.item(b, at, end, 2)?;
                at = next;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(b).span(span);
        result.map(|()| (tag, at))
    }

    /// The elements of a body by its layout, in the body's own list.
    fn fields(&mut self, b: NodeRef, q: usize, end: usize, k: u32, lay: Layout) -> Result<usize, Stop> {
        let el = self.list(q, end, "the message body", &[lay.len()])?;
        // The fields hang under the body node: the list's TL byte is the body's.
        let mut at = el.data();
        for i in 0..el.len {
            let Some(&(key, kind)) = lay.get(i) else {
                let (_, _, next) = self.item(b, at, end, 3)?;
                at = next;
                continue;
            };
            at = self.field(b, Id::inner(key, AT_MESSAGE, k), at, end, kind)?;
        }
        Ok(at)
    }

    /// One element of a body by its kind; returns where it ends.
    fn field(&mut self, parent: NodeRef, id: Id, q: usize, end: usize, kind: K) -> Result<usize, Stop> {
        match kind {
            K::Time => return self.time(parent, id, q, end),
            K::Path => return self.path(parent, id, q, end),
            K::Tree => return self.tree(parent, id, q, end, 3),
            K::Entries(layout) => return self.entries(parent, id, q, end, layout),
            _ => {}
        }
        let (n, v, next) = self.element(parent, id, q, end, 3)?;
        match (kind, v) {
            (K::ServerId, Val::Oct(at, len)) if len > 0 => self.server_id(n, at, len),
            (K::Obis, Val::Oct(at, 6)) => {
                let code = pack_obis(&self.bytes()[at..at + 6]);
                self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
            }
            (K::Attention, Val::Oct(at, 6)) => {
                let code = pack_obis(&self.bytes()[at..at + 6]);
                self.f.node_mut(n).text(Msg::Code(names::attention, code));
            }
            _ => {}
        }
        Ok(next)
    }

    /// A server id: the bytes and, in the 10-byte form of DIN 43863-5, the
    /// manufacturer's FLAG id, the medium and the serial number.
    fn server_id(&mut self, n: NodeRef, at: usize, len: usize) {
        let id = &self.p.bytes[at..at + len];
        let parts = names::server_id(id);
        let flag = match parts {
            Some((_, flag, ..)) => Some(flag),
            None if len >= 4 && id[1..4].iter().all(|c| c.is_ascii_uppercase()) => Some([id[1], id[2], id[3]]),
            None => None,
        };
        let Some(flag) = flag else { return };
        self.flag = Some(flag);
        let code = Msg::Code(names::flag, u64::from(flag[0]) << 16 | u64::from(flag[1]) << 8 | u64::from(flag[2]));
        let Some((medium, _, block, serial)) = parts else {
            self.f.node_mut(n).text(msg!("manufacturer {} (FLAG)", "制造商 {}（FLAG）", code));
            return;
        };
        let text = msg!(
            "meter {:X}{}{:02}{:08}: manufacturer {} (FLAG), medium {}, fabrication block {}, serial number {}",
            "电能表 {:X}{}{:02}{:08}：制造商 {}（FLAG），介质 {}，生产批次 {}，序列号 {}",
            medium,
            code.clone(),
            block,
            serial,
            code.clone(),
            medium,
            block,
            serial
        );
        self.f.node_mut(n).text(text);
        let x = self.add_counted(n, "sml.server_id.flag", at + 2, 3, NodeKind::Address);
        self.f.node_mut(x).value(code);
        let x = self.add_counted(n, "sml.server_id.serial", at + 6, 4, NodeKind::Address);
        self.f.node_mut(x).value(Msg::Uint(serial.into()));
    }

    /// SML_Time: `[tag, value]`, tag 1 secIndex, 2 timestamp, 3 localTimestamp.
    fn time(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (n, v, next) = self.element(parent, id, q, end, 3)?;
            if let Val::Uint(_) = v {
                self.f
                    .node_mut(n)
                    .text(msg!("seconds (sent without the SML_Time choice)", "秒数（未带 SML_Time 选择标签）"));
            }
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            if el.len != 2 {
                let msg =
                    msg!("SML_Time has 2 elements; this list has {}", "SML_Time 应有 2 个元素，此列表有 {} 个", el.len);
                self.diag(Severity::Warning, q, el.tl, "sml.list.count", msg);
                at = self.items(n, el.data(), end, el.len, 3)?;
                return Ok(());
            }
            let tid = self.counted("sml.time.tag");
            let (t, tv, next) = self.element(n, tid, at, end, 4)?;
            self.f.node_mut(t).kind(NodeKind::Control);
            let tag_at = (at, next - at);
            at = next;
            let tag = match tv {
                Val::Uint(x) => x,
                _ => 0,
            };
            match tag {
                1 | 2 => {
                    let key = if tag == 1 { "sml.time.sec_index" } else { "sml.time.timestamp" };
                    let vid = self.counted(key);
                    let (v, val, next) = self.element(n, vid, at, end, 4)?;
                    if let Val::Uint(s) = val {
                        if tag == 1 {
                            self.f
                                .node_mut(t)
                                .text(msg!("secIndex (seconds counted by the meter)", "secIndex（表计的秒计数）"));
                            self.f.node_mut(n).value(Msg::Uint(s)).text(msg!("seconds index {}", "秒索引 {}", s));
                        } else {
                            self.f.node_mut(t).text(msg!(
                                "timestamp (UTC seconds since 1970)",
                                "timestamp（自 1970 年起的 UTC 秒数）"
                            ));
                            self.f.node_mut(v).text(Msg::Code(names::timestamp, s));
                            self.f.node_mut(n).value(Msg::Code(names::timestamp, s));
                        }
                    }
                    at = next;
                }
                3 => {
                    self.f.node_mut(t).text(msg!(
                        "localTimestamp (UTC, local and season offsets)",
                        "localTimestamp（UTC 与本地、季节偏移）"
                    ));
                    let lel = self.list(at, end, "SML_TimestampLocal", &[3])?;
                    let l = self.add_counted(n, "sml.time.local", at, lel.tl, NodeKind::Data);
                    let mut a = lel.data();
                    for (i, key) in ["sml.time.timestamp", "sml.time.local_offset", "sml.time.season_offset"]
                        .into_iter()
                        .enumerate()
                        .take(lel.len)
                    {
                        let vid = self.counted(key);
                        let (v, val, next) = self.element(l, vid, a, end, 5)?;
                        match (i, val) {
                            (0, Val::Uint(s)) => {
                                self.f.node_mut(v).text(Msg::Code(names::timestamp, s));
                                self.f.node_mut(n).value(Msg::Code(names::timestamp, s));
                            }
                            (_, Val::Int(_)) => {
                                self.f.node_mut(v).unit(Msg::Str("min"));
                            }
                            _ => {}
                        }
                        a = next;
                    }
                    for _ in 3..lel.len {
                        let (_, _, next) = self.item(l, a, end, 5)?;
                        a = next;
                    }
                    let span = self.span(at, a - at);
                    self.f.node_mut(l).span(span);
                    at = a;
                }
                _ => {
                    let msg = msg!(
                        "SML_Time choice {} is not defined (1, 2 or 3)",
                        "SML_Time 选择 {} 未定义（应为 1、2 或 3）",
                        tag
                    );
                    self.diag(Severity::Warning, tag_at.0, tag_at.1, "sml.time.choice", msg);
                    let (_, _, next) = self.item(n, at, end, 4)?;
                    at = next;
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// SML_TreePath: a list of parameter names (OBIS codes mostly).
    fn path(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, 3)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for _ in 0..el.len {
                let pid = self.counted("sml.path.name");
                at = self.name(n, pid, at, end)?;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// A parameter name: an OBIS code when it has six bytes.
    fn name(&mut self, parent: NodeRef, id: Id, q: usize, end: usize) -> Result<usize, Stop> {
        let (n, v, next) = self.element(parent, id, q, end, 4)?;
        if let Val::Oct(at, 6) = v {
            let code = pack_obis(&self.bytes()[at..at + 6]);
            self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
        }
        Ok(next)
    }

    /// SML_Tree: `[parameterName, parameterValue, child_List]`, nested.
    fn tree(&mut self, parent: NodeRef, id: Id, q: usize, end: usize, depth: u32) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, depth)?;
            return Ok(next);
        }
        if depth >= MAX_DEPTH {
            let msg = msg!("lists nest deeper than {} levels", "列表嵌套超过 {} 层", MAX_DEPTH);
            self.diag(Severity::Error, q, 0, "sml.tl.depth", msg);
            return Err(Stop(q));
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                match i {
                    0 => {
                        let nid = self.counted("sml.tree.name");
                        at = self.name(n, nid, at, end)?;
                    }
                    1 => at = self.proc_value(n, at, end, depth + 1)?,
                    2 => {
                        let cel = self.el(at, end)?;
                        if cel.ty == Ty::List {
                            let c = self.add_counted(n, "sml.tree.children", at, cel.tl, NodeKind::Data);
                            let start = at;
                            at = cel.data();
                            for _ in 0..cel.len {
                                let tid = self.counted("sml.tree");
                                at = self.tree(c, tid, at, end, depth + 2)?;
                            }
                            let span = self.span(start, at - start);
                            self.f.node_mut(c).span(span);
                        } else {
                            let cid = self.counted("sml.tree.children");
                            let (_, _, next) = self.element(n, cid, at, end, depth + 1)?;
                            at = next;
                        }
                    }
                    _ => {
                        let (_, _, next) = self.item(n, at, end, depth + 1)?;
                        at = next;
                    }
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// SML_ProcParValue: `[tag, value]`: 1 value, 2 period entry, 3 tuple
    /// entry, 4 time, 5 list entry.
    fn proc_value(&mut self, parent: NodeRef, q: usize, end: usize, depth: u32) -> Result<usize, Stop> {
        let id = self.counted("sml.tree.value");
        let el = self.el(q, end)?;
        if el.ty != Ty::List || el.len != 2 {
            let (_, _, next) = self.element(parent, id, q, end, depth)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            let tid = self.counted("sml.tree.value.tag");
            let (t, tv, next) = self.element(n, tid, at, end, depth + 1)?;
            self.f.node_mut(t).kind(NodeKind::Control);
            at = next;
            let tag = if let Val::Uint(x) = tv { x } else { 0 };
            let words = match tag {
                1 => msg!("value", "数值"),
                2 => msg!("period entry", "周期条目"),
                3 => msg!("tuple entry", "元组条目"),
                4 => msg!("time", "时间"),
                5 => msg!("list entry", "列表条目"),
                _ => msg!("undefined choice", "未定义的选择"),
            };
            self.f.node_mut(t).text(words);
            at = match tag {
                2 => self.entry(n, at, end, PERIOD_ENTRY)?,
                4 => {
                    let vid = self.counted("sml.tree.value.time");
                    self.time(n, vid, at, end)?
                }
                5 => self.entry(n, at, end, LIST_ENTRY)?,
                _ => {
                    let vid = self.counted("sml.tree.value.value");
                    self.element(n, vid, at, end, depth + 1)?.2
                }
            };
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// A list of entries of one layout.
    fn entries(&mut self, parent: NodeRef, id: Id, q: usize, end: usize, layout: &'static [E]) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, 3)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        self.f.node_mut(n).value(Msg::Uint(el.len as u64)).text(msg!("{} entries", "{} 个条目", el.len));
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for _ in 0..el.len {
                at = self.entry(n, at, end, layout)?;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// One entry (SML_ListEntry, SML_PeriodEntry, …): OBIS name, status,
    /// time, unit, scaler, value scaled with its unit, signature.
    fn entry(&mut self, parent: NodeRef, q: usize, end: usize, layout: &'static [E]) -> Result<usize, Stop> {
        let el = self.list(q, end, "the entry", &[layout.len()])?;
        self.entries += 1;
        let e = self.entries;
        let n = self.add(parent, Id::Indexed("sml.entry", e), q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let (mut obis, mut unit, mut scaler): (Option<[u8; 6]>, Option<u8>, i32) = (None, None, 0);
        let mut summary: Option<Msg> = None;
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                let kind = layout.get(i).copied();
                let id = match kind {
                    Some(k) => Id::inner(entry_key(k), AT_ENTRY, e),
                    None => self.counted("sml.item"),
                };
                if kind == Some(E::ValTime) {
                    at = self.time(n, id, at, end)?;
                    continue;
                }
                let (x, v, next) = self.element(n, id, at, end, 4)?;
                match (kind, v) {
                    (Some(E::Obj), Val::Oct(o, 6)) => {
                        let mut c = [0u8; 6];
                        c.copy_from_slice(&self.bytes()[o..o + 6]);
                        obis = Some(c);
                        let code = pack_obis(&c);
                        self.f.node_mut(x).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
                        self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
                    }
                    (Some(E::Status), Val::Uint(s)) => {
                        let minus = s & names::DIRECTION_BIT != 0;
                        let text = if minus {
                            msg!(
                                "0x{:X}; bit 5 set: energy flows −A (delivery)",
                                "0x{:X}；第 5 位置位：能量方向 −A（送出）",
                                s
                            )
                        } else {
                            msg!(
                                "0x{:X}; bit 5 clear: energy flows +A (consumption)",
                                "0x{:X}；第 5 位为 0：能量方向 +A（消耗）",
                                s
                            )
                        };
                        self.f.node_mut(x).text(text);
                        if obis.is_some_and(|o| o[0] == 1 && matches!(o[2], 1 | 2) && o[3] == 8) {
                            self.export = Some(minus);
                        }
                    }
                    (Some(E::Unit), Val::Uint(u)) => {
                        let u8v = u8::try_from(u).unwrap_or(0);
                        unit = Some(u8v);
                        let text = match units::dlms_symbol(u8v) {
                            Some("") => msg!("count (no unit)", "计数（无单位）"),
                            Some(s) => Msg::Str(s),
                            None => msg!("unknown unit code", "未知的单位代码"),
                        };
                        self.f.node_mut(x).text(text);
                    }
                    (Some(E::Scaler), Val::Int(s)) => {
                        scaler = s as i32;
                        self.f.node_mut(x).text(msg!("× 10^{}", "× 10^{}", s));
                    }
                    (Some(E::Value), Val::Int(_) | Val::Uint(_)) => {
                        let (value, raw) = match v {
                            Val::Int(i) => (scaled(i128::from(i), scaler), Msg::Int(i)),
                            Val::Uint(u) => (scaled(i128::from(u), scaler), Msg::Uint(u)),
                            _ => (None, Msg::None),
                        };
                        let symbol = unit.and_then(units::dlms_symbol).filter(|s| !s.is_empty());
                        let bits = 8 * (next - at - 1);
                        let signed = matches!(v, Val::Int(_));
                        let text = if signed {
                            msg!("{} × 10^{} (Integer{})", "{} × 10^{}（有符号整数，{} 位）", raw, scaler as i64, bits)
                        } else {
                            msg!("{} × 10^{} (Unsigned{})", "{} × 10^{}（无符号整数，{} 位）", raw, scaler as i64, bits)
                        };
                        let nonneg = match v {
                            Val::Int(i) => i >= 0,
                            _ => true,
                        };
                        let power = unit == Some(27);
                        let note = match v {
                            // Some DZG meters' firmware puts an unsigned power into a
                            // signed 16-bit field; others send true negatives there.
                            Val::Int(i)
                                if power
                                    && i < 0
                                    && next - at == 3
                                    && self.flag == Some(*b"DZG")
                                    && self.export != Some(true) =>
                            {
                                let unsigned = i128::from(i) + (1 << 16);
                                let shown = scaled(unsigned, scaler).unwrap_or(Msg::None);
                                Some(msg!(
                                    "; negative: the power flows out (delivery, −A); some DZG meters' firmware sends an unsigned power in this signed 16-bit field instead: read unsigned, {} W",
                                    "；负值：功率送出（−A）；部分固件的 DZG 电能表在此 16 位有符号字段中传送的是无符号功率：按无符号读为 {} W",
                                    shown
                                ))
                            }
                            _ if power && !nonneg => {
                                Some(msg!("; negative: the power flows out (delivery, −A)", "；负值：功率送出（−A）"))
                            }
                            _ if power && self.export == Some(true) => Some(msg!(
                                "; sent without a sign: the energy register's status word says −A (delivery), so this power is delivered",
                                "；传送时不带符号：电能寄存器的状态字为 −A（送出），此功率为送出功率"
                            )),
                            _ => None,
                        };
                        let text = match note {
                            Some(note) => Msg::Concat(Box::new([text, note])),
                            None => text,
                        };
                        let mut node = self.f.node_mut(x).text(text);
                        if let Some(v) = value {
                            node = node.value(v);
                        }
                        if let Some(s) = symbol {
                            node.unit(Msg::Str(s));
                        }
                        let shown = match v {
                            Val::Int(i) => scaled(i128::from(i), scaler).unwrap_or(Msg::Int(i)),
                            Val::Uint(u) => scaled(i128::from(u), scaler).unwrap_or(Msg::Uint(u)),
                            _ => Msg::None,
                        };
                        summary = Some(match symbol {
                            Some(s) => Msg::Concat(Box::new([shown, Msg::Str(" "), Msg::Str(s)])),
                            None => shown,
                        });
                    }
                    (Some(E::Value), Val::Oct(o, len)) if len > 0 => {
                        summary = Some(self.hex(o, len.min(16)));
                    }
                    _ => {}
                }
                at = next;
            }
            Ok(())
        })();
        if let (Some(c), Some(s)) = (obis, summary) {
            let code = pack_obis(&c);
            self.f.node_mut(n).text(Msg::Concat(Box::new([Msg::Code(obis_name_or_code, code), Msg::Str(" = "), s])));
        }
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }
}

/// `raw × 10^scaler` as a decimal message, when it fits.
fn scaled(raw: i128, scaler: i32) -> Option<Msg> {
    if scaler < 0 {
        let scale = u8::try_from(-scaler).ok().filter(|&s| s <= 18)?;
        let m = i64::try_from(raw).ok()?;
        Some(Msg::Decimal { mantissa: m, scale })
    } else {
        let p = 10i128.checked_pow(u32::try_from(scaler).ok()?)?;
        let v = raw.checked_mul(p)?;
        i64::try_from(v).ok().map(Msg::Int)
    }
}

/// An OBIS code's name, else its canonical form.
fn obis_name_or_code(code: u64, lang: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let mut s = String::new();
    obis_name(code, lang, &mut s)?;
    if s.is_empty() { obis_canonical(code, lang, w) } else { w.write_str(&s) }
}

/// A body's short name (the part before the parenthesis).
fn body_name_short(tag: u64, _: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match u32::try_from(tag).ok().and_then(names::body) {
        Some((_, en, _)) => w.write_str(en.split(' ').next().unwrap_or(en)),
        None => write!(w, "0x{tag:04X}"),
    }
}
