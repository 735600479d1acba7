//! A-XDR `Data` (IEC 62056-6-2 clause 4.1.5, IEC 61334-6): the tolerant
//! dissector used by every APDU, and a strict codec ([`Data`]) for programs.
//!
//! Numbers are big-endian; lengths and counts are one byte below 0x80, or
//! `0x8N` and N length bytes. `date-time` is 12 bytes (year 2, month, day,
//! weekday, hour, minute, second, hundredths, deviation 2, clock status),
//! with 0xFF (0xFFFF, 0x8000) meaning "not specified".

use super::{Cx, MAX_DEPTH, MAX_ELEMENTS, Rd, byte_msg, obis_canonical, obis_name, pack_obis};
use crate::error::{ErrorKind, ParseError};
use crate::lang::Lang;
use crate::model::{self, Id, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::obis;
use crate::protocols::dlt698::data::scaled;
use crate::span::Span;
use crate::wire::{Cursor, LengthError};

/// Type tags of the Data CHOICE.
pub mod tag {
    pub const NULL: u8 = 0;
    pub const ARRAY: u8 = 1;
    pub const STRUCTURE: u8 = 2;
    pub const BOOLEAN: u8 = 3;
    pub const BIT_STRING: u8 = 4;
    pub const DOUBLE_LONG: u8 = 5;
    pub const DOUBLE_LONG_UNSIGNED: u8 = 6;
    pub const OCTET_STRING: u8 = 9;
    pub const VISIBLE_STRING: u8 = 10;
    pub const UTF8_STRING: u8 = 12;
    pub const BCD: u8 = 13;
    pub const INTEGER: u8 = 15;
    pub const LONG: u8 = 16;
    pub const UNSIGNED: u8 = 17;
    pub const LONG_UNSIGNED: u8 = 18;
    pub const COMPACT_ARRAY: u8 = 19;
    pub const LONG64: u8 = 20;
    pub const LONG64_UNSIGNED: u8 = 21;
    pub const ENUM: u8 = 22;
    pub const FLOAT32: u8 = 23;
    pub const FLOAT64: u8 = 24;
    pub const DATE_TIME: u8 = 25;
    pub const DATE: u8 = 26;
    pub const TIME: u8 = 27;
    pub const DONT_CARE: u8 = 255;
}

/// Type names (the standard's identifiers) with Chinese forms.
static TYPES: &[(u8, &str, &str)] = &[
    (0, "null-data", "空"),
    (1, "array", "数组"),
    (2, "structure", "结构体"),
    (3, "boolean", "布尔值"),
    (4, "bit-string", "位串"),
    (5, "double-long", "32位整数"),
    (6, "double-long-unsigned", "32位无符号整数"),
    (9, "octet-string", "字节串"),
    (10, "visible-string", "可见字符串"),
    (12, "utf8-string", "UTF8字符串"),
    (13, "bcd", "BCD"),
    (15, "integer", "8位整数"),
    (16, "long", "16位整数"),
    (17, "unsigned", "8位无符号整数"),
    (18, "long-unsigned", "16位无符号整数"),
    (19, "compact-array", "紧凑数组"),
    (20, "long64", "64位整数"),
    (21, "long64-unsigned", "64位无符号整数"),
    (22, "enum", "枚举"),
    (23, "float32", "32位浮点数"),
    (24, "float64", "64位浮点数"),
    (25, "date-time", "日期时间"),
    (26, "date", "日期"),
    (27, "time", "时间"),
    (255, "dont-care", "任意"),
];

/// The name of a type tag.
pub fn type_name(t: u8, lang: Lang) -> Option<&'static str> {
    TYPES.iter().find(|x| x.0 == t).map(|x| lang.pick(x.1, x.2))
}

/// Fixed content size of a simple type, `None` for variable or composite types.
pub fn fixed_size(t: u8) -> Option<usize> {
    Some(match t {
        tag::NULL | tag::DONT_CARE => 0,
        tag::BOOLEAN | tag::BCD | tag::INTEGER | tag::UNSIGNED | tag::ENUM => 1,
        tag::LONG | tag::LONG_UNSIGNED => 2,
        tag::DOUBLE_LONG | tag::DOUBLE_LONG_UNSIGNED | tag::FLOAT32 | tag::TIME => 4,
        tag::DATE => 5,
        tag::LONG64 | tag::LONG64_UNSIGNED | tag::FLOAT64 => 8,
        tag::DATE_TIME => 12,
        _ => return None,
    })
}

/// The element type of a compact array (clause 4.1.5, TypeDescription).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeDesc {
    Simple(u8),
    Array(u16, Box<TypeDesc>),
    Structure(Vec<TypeDesc>),
}

/// What the dissector learned of a value, for the rules that look at siblings.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Int(i128),
    Float(f64),
    /// A short octet-string (at most 16 bytes): its length and bytes.
    Octets(u8, [u8; 16]),
    /// A structure of at most 8 members: the first members' tags and kinds.
    Struct(Box<[(u8, Kind)]>),
    Other,
}

/// One dissected value: its node, tag and what it holds.
pub struct Dv {
    pub node: NodeRef,
    pub tag: u8,
    pub kind: Kind,
}

/// Dissect one tagged Data value at the reader under `parent`; the node gets
/// `id`, nested values get fresh `dlms.data.N` ids. `None` (and no node) when
/// it cannot be read (the diagnostic is recorded).
pub fn data(cx: &mut Cx, parent: NodeRef, rd: &mut Rd, id: impl Into<Id>) -> Option<Dv> {
    let start = rd.at();
    let Some(t) = rd.u8() else {
        cx.truncated(start);
        return None;
    };
    value(cx, parent, rd, t, start, id.into(), None)
}

/// A fresh id for a nested value.
fn nested(cx: &mut Cx) -> Id {
    Id::Indexed("dlms.data", cx.fresh())
}

/// The name of a type tag as a label.
fn type_label(t: u8) -> Msg {
    match TYPES.iter().find(|x| x.0 == t) {
        Some(x) => Msg::Bi(x.1, x.2),
        None => Msg::Str("?"),
    }
}

fn named(cx: &mut Cx, parent: NodeRef, id: Id, t: u8, span: Span) -> NodeRef {
    cx.add(parent, id, span).label(type_label(t)).index()
}

/// The content of a value of type `t` (its tag already read at `start`), or
/// when `desc` is given an untagged compact-array element.
fn value(
    cx: &mut Cx,
    parent: NodeRef,
    rd: &mut Rd,
    t: u8,
    start: usize,
    id: Id,
    desc: Option<&TypeDesc>,
) -> Option<Dv> {
    cx.elements += 1;
    if cx.elements > MAX_ELEMENTS {
        if cx.elements == MAX_ELEMENTS + 1 {
            cx.error(
                Span::at(start, 1),
                "dlms.data.too-many",
                "more data values than the decoder follows (zero-size elements multiplied by nested counts)",
                "数据元素数量超过解码器上限（嵌套计数使零长度元素成倍增加）",
            );
        }
        return None;
    }
    if cx.depth >= MAX_DEPTH {
        cx.error(
            Span::at(start, 1),
            "dlms.data.depth",
            "data nested deeper than the decoder follows",
            "数据嵌套层数超过解码器上限",
        );
        return None;
    }
    cx.depth += 1;
    let out = value_inner(cx, parent, rd, t, start, id, desc);
    cx.depth -= 1;
    out
}

/// Text that `escape_debug` leaves as it is (printable ASCII but quotes and backslash).
fn plain(b: &[u8]) -> bool {
    b.iter().all(|&c| (0x20..0x7F).contains(&c) && !matches!(c, b'"' | b'\'' | b'\\'))
}

fn value_inner(
    cx: &mut Cx,
    parent: NodeRef,
    rd: &mut Rd,
    t: u8,
    start: usize,
    id: Id,
    desc: Option<&TypeDesc>,
) -> Option<Dv> {
    macro_rules! need {
        ($e:expr) => {
            match $e {
                Some(v) => v,
                None => {
                    cx.truncated(rd.at());
                    return None;
                }
            }
        };
    }
    if let Some(n) = fixed_size(t) {
        let bytes = need!(rd.take(n));
        let span = Span::at(rd.at() - n, n);
        let node = named(cx, parent, id, t, rd.since(start));
        let mut kind = Kind::Other;
        let int = |b: &[u8], signed: bool| -> i128 {
            let u = b.iter().fold(0u128, |a, &x| (a << 8) | x as u128);
            if signed && !b.is_empty() && b[0] & 0x80 != 0 { u as i128 - (1i128 << (8 * b.len())) } else { u as i128 }
        };
        match t {
            tag::NULL => {
                cx.set(node).value(Msg::Str("null"));
            }
            tag::DONT_CARE => {
                cx.set(node).value(Msg::Str("dont-care"));
            }
            tag::BOOLEAN => {
                cx.set(node).value(Msg::Str(if bytes[0] != 0 { "true" } else { "false" }));
            }
            tag::BCD => {
                let v = cx.hex(span);
                cx.set(node).value(v);
                kind = Kind::Int(bytes[0] as i128);
            }
            tag::INTEGER | tag::LONG | tag::DOUBLE_LONG | tag::LONG64 => {
                let v = int(bytes, true);
                cx.set(node).value(Msg::Int(v as i64));
                kind = Kind::Int(v);
            }
            tag::UNSIGNED | tag::LONG_UNSIGNED | tag::DOUBLE_LONG_UNSIGNED | tag::LONG64_UNSIGNED | tag::ENUM => {
                let v = int(bytes, false);
                cx.set(node).value(Msg::Uint(v as u64));
                kind = Kind::Int(v);
            }
            tag::FLOAT32 | tag::FLOAT64 => {
                let v = if t == tag::FLOAT32 {
                    f32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64
                } else {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(bytes);
                    f64::from_be_bytes(a)
                };
                let h = cx.hex(span);
                cx.set(node).value(Msg::owned(format_float(v))).text(msg!("0x{}", "0x{}", h));
                kind = Kind::Float(v);
            }
            tag::DATE_TIME | tag::DATE | tag::TIME => {
                let (value, summary) = date_time_fields(cx, node, bytes, rd.at() - n, t);
                let h = cx.hex(span);
                cx.set(node).value(value).text(msg!("{} 0x{}", "{} 0x{}", summary, h));
            }
            _ => {}
        }
        return Some(Dv { node, tag: t, kind });
    }
    match t {
        tag::ARRAY | tag::STRUCTURE => {
            // Untagged elements of a compact array follow the description.
            let (count, elems): (usize, Option<Vec<&TypeDesc>>) = match desc {
                Some(TypeDesc::Array(n, d)) => (*n as usize, Some(vec![&**d; (*n as usize).min(rd.left() + 1)])),
                Some(TypeDesc::Structure(list)) => (list.len(), Some(list.iter().collect())),
                _ => {
                    let at = rd.at();
                    let n = need!(rd.axdr_len());
                    if n > rd.left() {
                        cx.error(
                            rd.since(at),
                            "dlms.data.count.mismatch",
                            "the element count exceeds the bytes present",
                            "元素个数超过现有字节数",
                        );
                    }
                    (n, None)
                }
            };
            let node = named(cx, parent, id, t, Span::at(start, 0));
            let mut kinds: Vec<(u8, Kind)> = Vec::new();
            // 6-byte octet-strings past the first members (flat push lists).
            let mut codes: Vec<(NodeRef, [u8; 6])> = Vec::new();
            let mut children = 0usize;
            for i in 0..count {
                if rd.left() == 0 && count > 0 && elems.as_ref().is_none_or(|e| i < e.len()) {
                    // Zero-size untagged elements (null) are legal; anything else is cut short.
                    let zero = elems.as_ref().and_then(|e| e.get(i)).is_some_and(|d| size_of_desc(d) == Some(0));
                    if !zero {
                        cx.truncated(rd.at());
                        break;
                    }
                }
                let child_id = nested(cx);
                let dv = match elems.as_ref().and_then(|e| e.get(i)) {
                    Some(d) => untagged(cx, node, rd, d, child_id),
                    None if elems.is_some() => None,
                    None => data(cx, node, rd, child_id),
                };
                let Some(dv) = dv else { break };
                children += 1;
                if t == tag::STRUCTURE
                    && dv.tag == tag::OCTET_STRING
                    && let Kind::Octets(6, b) = &dv.kind
                    && i >= 1
                {
                    codes.push((dv.node, [b[0], b[1], b[2], b[3], b[4], b[5]]));
                }
                if t == tag::STRUCTURE && kinds.len() < 8 {
                    kinds.push((dv.tag, dv.kind));
                }
            }
            cx.set(node)
                .span(rd.since(start))
                .value(Msg::Uint(count as u64))
                .text(Msg::Code(elements_text, children as u64));
            if t == tag::STRUCTURE {
                obis_list_rule(cx, &codes, children);
                register_rules(cx, node, &kinds);
            }
            let kind = if t == tag::STRUCTURE && count <= 8 { Kind::Struct(kinds.into()) } else { Kind::Other };
            Some(Dv { node, tag: t, kind })
        }
        tag::BIT_STRING => {
            let bits = need!(rd.axdr_len());
            let bytes = need!(rd.take(bits.div_ceil(8)));
            let s: String = (0..bits).map(|i| if bytes[i / 8] & (0x80 >> (i % 8)) != 0 { '1' } else { '0' }).collect();
            let node = named(cx, parent, id, t, rd.since(start));
            cx.set(node).value(Msg::owned(s));
            Some(Dv { node, tag: t, kind: Kind::Other })
        }
        tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING => {
            let at = rd.at();
            let n = need!(rd.axdr_len());
            let Some(bytes) = rd.take(n) else {
                cx.error(
                    rd.since(at),
                    "dlms.data.length.mismatch",
                    "the string length exceeds the bytes present",
                    "字符串长度超过现有字节数",
                );
                rd.rest();
                return None;
            };
            let span = Span::at(rd.at() - n, n);
            let node = named(cx, parent, id, t, rd.since(start));
            if t == tag::OCTET_STRING {
                let h = cx.hex(span);
                if n == 12 && plausible_date_time(bytes) {
                    let (v, summary) = date_time_fields(cx, node, bytes, rd.at() - 12, tag::DATE_TIME);
                    cx.set(node).value(v).text(msg!("date-time {} 0x{}", "日期时间 {} 0x{}", summary, h));
                } else if bytes.iter().all(|b| (0x20..0x7F).contains(b)) && n >= 4 {
                    let a = cx.ascii(span, bytes);
                    cx.set(node).value(h).text(msg!("\"{}\"", "\"{}\"", a));
                } else {
                    cx.set(node).value(h);
                }
            } else {
                let nuls = bytes.iter().rev().take_while(|&&b| b == 0).count();
                let kept = &bytes[..n - nuls];
                let v = if plain(kept) {
                    cx.ascii(Span::at(span.start, kept.len()), kept)
                } else {
                    let text = String::from_utf8_lossy(kept);
                    Msg::owned(text.escape_debug().to_string())
                };
                cx.set(node).value(v);
                if nuls > 0 {
                    cx.set(node).text(msg!("followed by {} NUL byte(s)", "后跟 {} 个 NUL 字节", nuls));
                }
            }
            let kind = if n <= 16 {
                let mut a = [0u8; 16];
                a[..n].copy_from_slice(bytes);
                Kind::Octets(n as u8, a)
            } else {
                Kind::Octets(0, [0; 16])
            };
            Some(Dv { node, tag: t, kind })
        }
        tag::COMPACT_ARRAY => cx.atomic(parent, |cx| {
            let node = named(cx, parent, id, t, Span::at(start, 0));
            let dstart = rd.at();
            let d = type_desc(cx, rd, 0)?;
            let k = cx.fresh();
            cx.add(node, Id::inner("dlms.data.type-description", 9, k), rd.since(dstart))
                .value(Msg::owned(desc_text(&d)));
            let lat = rd.at();
            let Some(n) = rd.axdr_len() else {
                cx.truncated(rd.at());
                return None;
            };
            let k = cx.fresh();
            cx.add(node, Id::inner("dlms.data.length", 9, k), rd.since(lat))
                .kind(NodeKind::Length)
                .value(Msg::Uint(n as u64));
            let Some(contents) = rd.take(n) else {
                cx.error(
                    rd.since(lat),
                    "dlms.data.length.mismatch",
                    "the compact-array contents run past the bytes present",
                    "紧凑数组内容超过现有字节数",
                );
                rd.rest();
                cx.set(node).span(rd.since(start));
                return Some(Dv { node, tag: t, kind: Kind::Other });
            };
            let mut sub = Rd::new(contents, rd.at() - n);
            let mut elements = 0usize;
            while sub.left() > 0 {
                let before = sub.pos();
                let child = nested(cx);
                if untagged(cx, node, &mut sub, &d, child).is_none() {
                    break;
                }
                elements += 1;
                if sub.pos() == before {
                    break; // zero-size elements: stop rather than loop
                }
            }
            cx.set(node).span(rd.since(start)).value(Msg::Uint(elements as u64));
            Some(Dv { node, tag: t, kind: Kind::Other })
        }),
        _ => {
            let m = msg!("0x{:02X} is not an A-XDR data type", "0x{:02X} 不是 A-XDR 数据类型", t);
            cx.diag(Severity::Error, Span::at(start, 1), "dlms.data.tag.unknown", m);
            None
        }
    }
}

/// `3 element(s)`.
fn elements_text(n: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    match lang {
        Lang::En => write!(w, "{n} element(s)"),
        Lang::Zh => write!(w, "{n} 个元素"),
    }
}

/// An untagged value described by `d` (compact-array contents).
fn untagged(cx: &mut Cx, parent: NodeRef, rd: &mut Rd, d: &TypeDesc, id: Id) -> Option<Dv> {
    let start = rd.at();
    match d {
        TypeDesc::Simple(t) => value(cx, parent, rd, *t, start, id, None),
        TypeDesc::Array(..) => value(cx, parent, rd, tag::ARRAY, start, id, Some(d)),
        TypeDesc::Structure(_) => value(cx, parent, rd, tag::STRUCTURE, start, id, Some(d)),
    }
}

/// Content size of a description, when fixed (and representable: nested
/// counts can multiply past `usize`).
fn size_of_desc(d: &TypeDesc) -> Option<usize> {
    match d {
        TypeDesc::Simple(t) => fixed_size(*t),
        TypeDesc::Array(n, e) => size_of_desc(e)?.checked_mul(*n as usize),
        TypeDesc::Structure(l) => l.iter().try_fold(0usize, |acc, e| acc.checked_add(size_of_desc(e)?)),
    }
}

/// Read a TypeDescription (tolerant).
fn type_desc(cx: &mut Cx, rd: &mut Rd, depth: usize) -> Option<TypeDesc> {
    let at = rd.at();
    if depth > MAX_DEPTH {
        cx.error(Span::at(at, 1), "dlms.data.depth", "type description nested too deeply", "类型描述嵌套过深");
        return None;
    }
    let Some(t) = rd.u8() else {
        cx.truncated(at);
        return None;
    };
    match t {
        tag::ARRAY => {
            let Some(n) = rd.u16() else {
                cx.truncated(rd.at());
                return None;
            };
            Some(TypeDesc::Array(n, Box::new(type_desc(cx, rd, depth + 1)?)))
        }
        tag::STRUCTURE => {
            let Some(n) = rd.axdr_len() else {
                cx.truncated(rd.at());
                return None;
            };
            let mut list = Vec::new();
            for _ in 0..n.min(rd.left()) {
                list.push(type_desc(cx, rd, depth + 1)?);
            }
            Some(TypeDesc::Structure(list))
        }
        _ if fixed_size(t).is_some()
            || matches!(t, tag::BIT_STRING | tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING) =>
        {
            Some(TypeDesc::Simple(t))
        }
        _ => {
            let m = msg!("0x{:02X} is not a type for a compact array", "0x{:02X} 不是紧凑数组可用的类型", t);
            cx.diag(Severity::Error, Span::at(at, 1), "dlms.data.tag.unknown", m);
            None
        }
    }
}

/// `structure{long-unsigned, …}` style text of a description.
pub fn desc_text(d: &TypeDesc) -> String {
    match d {
        TypeDesc::Simple(t) => type_name(*t, Lang::En).unwrap_or("?").to_string(),
        TypeDesc::Array(n, e) => format!("array[{n}] of {}", desc_text(e)),
        TypeDesc::Structure(l) => format!("structure{{{}}}", l.iter().map(desc_text).collect::<Vec<_>>().join(", ")),
    }
}

fn format_float(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 { format!("{v:.1}") } else { format!("{v}") }
}

/// A scaled integer as a decimal (`raw × 10^scaler`).
fn scaled_msg(raw: i128, scaler: i8) -> Msg {
    if (-18..0).contains(&scaler)
        && let Ok(m) = i64::try_from(raw)
    {
        return Msg::Decimal { mantissa: m, scale: scaler.unsigned_abs() };
    }
    if scaler >= 0
        && let Some(v) = 10i128.checked_pow(scaler as u32).and_then(|p| raw.checked_mul(p))
        && let Ok(v) = i64::try_from(v)
    {
        return Msg::Int(v);
    }
    Msg::owned(scaled(raw, scaler))
}

/// Whether 6 bytes read as a logical name: value group A a medium (0–15),
/// B a channel (0–64), F a billing period or 255.
fn plausible_obis(c: [u8; 6]) -> bool {
    c[0] <= 15 && c[1] <= 64 && (c[5] == 0xFF || c[5] <= 100)
}

/// A flat push list (`structure{id, OBIS, value, OBIS, value, …}`, as
/// Kamstrup sends): when a structure holds 6-byte octet-strings (past its
/// first member) at least every third member, all of them plausible
/// logical names, each is shown as its OBIS code.
fn obis_list_rule(cx: &mut Cx, codes: &[(NodeRef, [u8; 6])], members: usize) {
    if codes.len() < 2 || codes.len() * 3 < members.saturating_sub(3) || !codes.iter().all(|c| plausible_obis(c.1)) {
        return;
    }
    for &(n, code) in codes {
        name_obis(cx, n, code);
    }
}

/// An octet-string node shown as the OBIS code it holds.
fn name_obis(cx: &mut Cx, c: NodeRef, code: [u8; 6]) {
    let packed = pack_obis(code);
    let span = cx.span_of(c);
    let h = cx.hex(Span::new(span.end.saturating_sub(6), span.end));
    let text = if obis::is_named(code) { msg!("{} 0x{}", "{} 0x{}", Msg::Code(obis_name, packed), h) } else { h };
    cx.set(c)
        .value(Msg::Code(obis_canonical, packed))
        .label(Msg::Bi("octet-string (OBIS)", "字节串 (OBIS)"))
        .text(text);
}

/// Rules over a structure's children: 6-byte octet-strings in a logical-name
/// position are OBIS codes; `{OBIS, value, {scaler, unit}}` gets its value scaled.
fn register_rules(cx: &mut Cx, node: NodeRef, kinds: &[(u8, Kind)]) {
    let mut children = [NONE; 8];
    for (slot, (c, _)) in children.iter_mut().zip(cx.f.children(node)) {
        *slot = c;
    }
    let first_is_class = kinds.first().is_some_and(|k| k.0 == tag::LONG_UNSIGNED);
    for (i, (t, k)) in kinds.iter().enumerate() {
        let Kind::Octets(6, b) = k else { continue };
        if *t != tag::OCTET_STRING {
            continue;
        }
        if (i == 0 || (first_is_class && i <= 2)) && children[i] != NONE {
            name_obis(cx, children[i], [b[0], b[1], b[2], b[3], b[4], b[5]]);
        }
    }
    // {logical name, value, {scaler, unit}}
    if kinds.len() == 3
        && matches!(&kinds[0], (tag::OCTET_STRING, Kind::Octets(6, _)))
        && kinds[2].0 == tag::STRUCTURE
        && let Kind::Struct(su) = &kinds[2].1
        && let [(tag::INTEGER, Kind::Int(scaler)), (tag::ENUM, Kind::Int(unit))] = &su[..]
    {
        let scaler = *scaler as i8;
        let unit_code = *unit as u8;
        let symbol = crate::units::dlms_symbol(unit_code);
        if children[1] != NONE {
            let v = children[1];
            let scaled_value = match &kinds[1].1 {
                Kind::Int(raw) => Some(scaled_msg(*raw, scaler)),
                Kind::Float(f) => Some(Msg::owned(format_float(f * 10f64.powi(scaler as i32)))),
                _ => None,
            };
            if let Some(s) = scaled_value {
                let raw = cx.f.node(v).map_or(Msg::None, |n| n.value.clone());
                let text = msg!(
                    "raw {}, scaler {}, unit {}",
                    "原始值 {}，换算 {}，单位 {}",
                    raw,
                    i64::from(scaler),
                    unit_code
                );
                let n = cx.set(v).value(s).text(text);
                if let Some(sym) = symbol.filter(|s| !s.is_empty()) {
                    n.unit(Msg::Str(sym));
                }
            }
        }
        if children[2] != NONE {
            cx.set(children[2]).text(msg!("10^{} {}", "10^{} {}", i64::from(scaler), symbol.unwrap_or("?")));
        }
    }
}

/// Whether 12 octets read as a date-time with every field in range or "not specified".
pub fn plausible_date_time(b: &[u8]) -> bool {
    b.len() == 12
        && matches!(b[2], 1..=12 | 0xFD..=0xFF)
        && matches!(b[3], 1..=31 | 0xFD..=0xFF)
        && matches!(b[4], 1..=7 | 0xFF)
        && (b[5] < 24 || b[5] == 0xFF)
        && (b[6] < 60 || b[6] == 0xFF)
        && (b[7] < 60 || b[7] == 0xFF)
        && (b[8] < 100 || b[8] == 0xFF)
}

/// Days in a month (Gregorian).
fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO weekday (1 = Monday) of a Gregorian date.
pub fn weekday(year: u16, month: u8, day: u8) -> u8 {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = year as i32 - i32::from(month < 3);
    let d = (y + y / 4 - y / 100 + y / 400 + T[(month as usize - 1) % 12] + day as i32) % 7; // 0 = Sunday
    if d == 0 { 7 } else { d as u8 }
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("Mon", "星期一"),
    ("Tue", "星期二"),
    ("Wed", "星期三"),
    ("Thu", "星期四"),
    ("Fri", "星期五"),
    ("Sat", "星期六"),
    ("Sun", "星期日"),
];

/// Field ids of a date-time under `dlms.data.N`.
const DT_FIELDS: [&str; 4] = ["dlms.data.hour", "dlms.data.minute", "dlms.data.second", "dlms.data.hundredths"];

/// The machine value of a date-time, date or time packed by [`date_time_fields`]
/// (year, month, day, hour, minute, second, hundredths): `2019-12-16T07:59:40`,
/// `*` for what is not specified.
fn write_date_time(v: u64, date: bool, time: bool, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let b = v.to_be_bytes();
    let year = u16::from_be_bytes([b[0], b[1]]);
    let two = |w: &mut dyn core::fmt::Write, x: u8, ok: bool| if ok { write!(w, "{x:02}") } else { w.write_str("**") };
    if date {
        if year == 0xFFFF {
            w.write_str("****")?
        } else {
            write!(w, "{year:04}")?
        }
        w.write_char('-')?;
        two(w, b[2], (1..=12).contains(&b[2]))?;
        w.write_char('-')?;
        two(w, b[3], (1..=31).contains(&b[3]))?;
    }
    if date && time {
        w.write_char('T')?;
    }
    if time {
        let (h, m, s, c) = (b[4], b[5], b[6], b[7]);
        two(w, h, h < 24)?;
        w.write_char(':')?;
        two(w, m, m < 60)?;
        w.write_char(':')?;
        two(w, s, s < 60)?;
        if c != 0xFF {
            w.write_char('.')?;
            two(w, c, c < 100)?;
        }
    }
    Ok(())
}

fn date_time_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, true, true, w)
}

fn date_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, true, false, w)
}

fn time_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, false, true, w)
}

/// Clock status bits named (`ok` when none is set).
fn clock_status_text(st: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let bits: [(u64, &str, &str); 5] = [
        (0x01, "invalid value", "无效值"),
        (0x02, "doubtful value", "可疑值"),
        (0x04, "different clock base", "不同时钟基准"),
        (0x08, "invalid clock status", "时钟状态无效"),
        (0x80, "daylight saving active", "夏令时生效"),
    ];
    let mut first = true;
    for (bit, en, zh) in bits {
        if st & bit != 0 {
            if !first {
                w.write_str(", ")?;
            }
            first = false;
            w.write_str(lang.pick(en, zh))?;
        }
    }
    if first {
        w.write_str(lang.pick("ok", "正常"))?;
    }
    Ok(())
}

/// Decode date-time (12), date (5) or time (4) octets at absolute `at` into
/// field nodes under `node`: the machine value (`2019-12-16T07:59:40`, `*`
/// for unspecified) and a summary (the day of week).
fn date_time_fields(cx: &mut Cx, node: NodeRef, b: &[u8], at: usize, t: u8) -> (Msg, Msg) {
    let k = cx.fresh();
    let field = |cx: &mut Cx, name: &'static str, off: usize, len: usize, value: Msg, text: Msg| {
        cx.add(node, Id::inner(name, 9, k), Span::at(at + off, len)).value(value).text(text);
    };
    let ns = || Msg::Bi("not specified", "未指定");
    let (date, time) = match t {
        tag::DATE_TIME => (Some(0), Some(5)),
        tag::DATE => (Some(0), None),
        _ => (None, Some(0)),
    };
    let write: model::CodeFn = match t {
        tag::DATE_TIME => date_time_value,
        tag::DATE => date_value,
        _ => time_value,
    };
    let mut packed = [0xFFu8; 8];
    let mut summary = Msg::Str("");
    let mut ymd: (Option<u16>, Option<u8>, Option<u8>, Option<u8>) = (None, None, None, None);
    let mut problems: [(usize, &str, &str); 12] = [(0, "", ""); 12];
    let mut np = 0;
    let mut problem = |p: (usize, &'static str, &'static str)| {
        if np < problems.len() {
            problems[np] = p;
            np += 1;
        }
    };
    if let Some(o) = date {
        let year = u16::from_be_bytes([b[o], b[o + 1]]);
        let (month, day, wd) = (b[o + 2], b[o + 3], b[o + 4]);
        packed[0] = b[o];
        packed[1] = b[o + 1];
        packed[2] = month;
        packed[3] = day;
        field(cx, "dlms.data.year", o, 2, Msg::Uint(year.into()), if year == 0xFFFF { ns() } else { Msg::None });
        let mtext = match month {
            0xFD => Msg::Bi("daylight savings end", "夏令时结束"),
            0xFE => Msg::Bi("daylight savings begin", "夏令时开始"),
            0xFF => ns(),
            1..=12 => Msg::None,
            _ => {
                problem((o + 2, "month out of range", "月份超出范围"));
                Msg::None
            }
        };
        field(cx, "dlms.data.month", o + 2, 1, Msg::Uint(month.into()), mtext);
        let dtext = match day {
            0xFD => Msg::Bi("second last day of month", "月倒数第二天"),
            0xFE => Msg::Bi("last day of month", "月末最后一天"),
            0xFF => ns(),
            1..=31 => Msg::None,
            _ => {
                problem((o + 3, "day of month out of range", "日超出范围"));
                Msg::None
            }
        };
        field(cx, "dlms.data.day", o + 3, 1, Msg::Uint(day.into()), dtext);
        let wtext = match wd {
            1..=7 => {
                let (en, zh) = WEEKDAYS[wd as usize - 1];
                summary = Msg::Bi(en, zh);
                Msg::Bi(en, zh)
            }
            0xFF => ns(),
            _ => {
                problem((o + 4, "day of week out of range", "星期超出范围"));
                Msg::None
            }
        };
        field(cx, "dlms.data.weekday", o + 4, 1, Msg::Uint(wd.into()), wtext);
        ymd = (
            (year != 0xFFFF).then_some(year),
            (1..=12).contains(&month).then_some(month),
            (1..=31).contains(&day).then_some(day),
            (1..=7).contains(&wd).then_some(wd),
        );
    }
    if let Some(o) = time {
        let limits = [24u8, 60, 60, 100];
        for (i, (name, limit)) in DT_FIELDS.iter().zip(limits).enumerate() {
            let v = b[o + i];
            let text = if v == 0xFF {
                ns()
            } else {
                if v >= limit {
                    problem((o + i, "time field out of range", "时间字段超出范围"));
                }
                Msg::None
            };
            field(cx, name, o + i, 1, Msg::Uint(v.into()), text);
            packed[4 + i] = v;
        }
    }
    if t == tag::DATE_TIME {
        let dev = i16::from_be_bytes([b[9], b[10]]);
        let dtext = if dev as u16 == 0x8000 {
            ns()
        } else {
            if !(-720..=720).contains(&dev) {
                problem((9, "deviation outside ±720 minutes", "时差超出 ±720 分钟"));
            }
            msg!("{} min", "{} 分钟", i64::from(dev))
        };
        field(cx, "dlms.data.deviation", 9, 2, Msg::Int(dev.into()), dtext);
        let st = b[11];
        let stext = if st == 0xFF { ns() } else { Msg::Code(clock_status_text, st.into()) };
        field(cx, "dlms.data.clock-status", 11, 1, byte_msg(st), stext);
    }
    // Impossible dates and a weekday that contradicts the date.
    if let (Some(y), Some(m), Some(d)) = (ymd.0, ymd.1, ymd.2) {
        if d > days_in(y, m) {
            problem((3, "no such day in this month", "该月没有这一天"));
        } else if let Some(w) = ymd.3
            && weekday(y, m, d) != w
        {
            let real = weekday(y, m, d);
            let (en, zh) = WEEKDAYS[real as usize - 1];
            let m = msg!(
                "the day of week contradicts the date, which is a {}",
                "星期与日期不符，该日期是{}",
                Msg::Bi(en, zh)
            );
            cx.diag(Severity::Warning, Span::at(at + 4, 1), "dlms.data.date-time.weekday", m);
        }
    }
    for &(off, en, zh) in &problems[..np] {
        cx.warning(Span::at(at + off, 1), "dlms.data.date-time.invalid", en, zh);
    }
    (Msg::Code(write, u64::from_be_bytes(packed)), summary)
}

// ---------------------------------------------------------------------------
// Strict codec
// ---------------------------------------------------------------------------

/// A-XDR Data as an owned value, for programs. Floats are kept as their bits
/// so that values compare exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    Null,
    Array(Vec<Data>),
    Structure(Vec<Data>),
    Boolean(bool),
    /// Length in bits and the bits, first bit in the high bit of the first byte.
    BitString(usize, Vec<u8>),
    DoubleLong(i32),
    DoubleLongUnsigned(u32),
    OctetString(Vec<u8>),
    VisibleString(Vec<u8>),
    Utf8String(Vec<u8>),
    Bcd(u8),
    Integer(i8),
    Long(i16),
    Unsigned(u8),
    LongUnsigned(u16),
    /// Element description and the elements (untagged on the wire).
    CompactArray(TypeDesc, Vec<Data>),
    Long64(i64),
    Long64Unsigned(u64),
    Enum(u8),
    Float32(u32),
    Float64(u64),
    DateTime([u8; 12]),
    Date([u8; 5]),
    Time([u8; 4]),
    DontCare,
}

impl TypeDesc {
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            TypeDesc::Simple(t) => out.push(*t),
            TypeDesc::Array(n, e) => {
                out.push(tag::ARRAY);
                out.extend_from_slice(&n.to_be_bytes());
                e.emit(out);
            }
            TypeDesc::Structure(l) => {
                out.push(tag::STRUCTURE);
                crate::wire::put_axdr_length(out, l.len());
                for d in l {
                    d.emit(out);
                }
            }
        }
    }
}

struct Strict<'a> {
    c: Cursor<'a>,
    /// Values still allowed (see [`MAX_ELEMENTS`]).
    budget: usize,
}

impl<'a> Strict<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        Ok(self.c.take(n)?)
    }
    fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take(1)?[0])
    }
    fn len(&mut self) -> Result<usize, ParseError> {
        match self.c.axdr_length() {
            Ok(n) => Ok(n),
            Err(LengthError::Form { at }) => {
                let found = self.c.bytes()[at];
                Err(ParseError::new(at, ErrorKind::UnexpectedByte { found, expected: "an A-XDR length" }))
            }
            Err(e) => Err(e.into()),
        }
    }
    fn bounded(&mut self, n: usize) -> Result<usize, ParseError> {
        // Every element takes at least one byte: a count beyond the bytes left cannot be right.
        if n > self.c.left() {
            return Err(ParseError::new(self.c.pos(), ErrorKind::BadLength { stated: n, actual: self.c.left() }));
        }
        Ok(n)
    }
    fn desc(&mut self, depth: usize) -> Result<TypeDesc, ParseError> {
        let at = self.c.pos();
        if depth > MAX_DEPTH {
            return Err(ParseError::new(at, ErrorKind::BadValue { what: "nesting depth" }));
        }
        let t = self.u8()?;
        Ok(match t {
            tag::ARRAY => {
                let s = self.take(2)?;
                TypeDesc::Array(u16::from_be_bytes([s[0], s[1]]), Box::new(self.desc(depth + 1)?))
            }
            tag::STRUCTURE => {
                let n = self.len()?;
                let n = self.bounded(n)?;
                let mut l = Vec::with_capacity(n);
                for _ in 0..n {
                    l.push(self.desc(depth + 1)?);
                }
                TypeDesc::Structure(l)
            }
            _ if fixed_size(t).is_some()
                || matches!(t, tag::BIT_STRING | tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING) =>
            {
                TypeDesc::Simple(t)
            }
            _ => return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a data type" })),
        })
    }
    fn data(&mut self, depth: usize) -> Result<Data, ParseError> {
        let at = self.c.pos();
        let t = self.u8()?;
        self.body(t, at, depth)
    }
    fn spend(&mut self) -> Result<(), ParseError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or(ParseError::new(self.c.pos(), ErrorKind::BadValue { what: "element count" }))?;
        Ok(())
    }
    fn untagged(&mut self, d: &TypeDesc, depth: usize) -> Result<Data, ParseError> {
        self.spend()?;
        if depth > MAX_DEPTH {
            return Err(ParseError::new(self.c.pos(), ErrorKind::BadValue { what: "nesting depth" }));
        }
        match d {
            TypeDesc::Simple(t) => self.body(*t, self.c.pos(), depth),
            TypeDesc::Array(n, e) => {
                let mut v = Vec::new();
                for _ in 0..*n {
                    v.push(self.untagged(e, depth + 1)?);
                }
                Ok(Data::Array(v))
            }
            TypeDesc::Structure(l) => {
                let mut v = Vec::new();
                for e in l {
                    v.push(self.untagged(e, depth + 1)?);
                }
                Ok(Data::Structure(v))
            }
        }
    }
    fn body(&mut self, t: u8, at: usize, depth: usize) -> Result<Data, ParseError> {
        self.spend()?;
        if depth > MAX_DEPTH {
            return Err(ParseError::new(at, ErrorKind::BadValue { what: "nesting depth" }));
        }
        macro_rules! arr {
            ($n:expr) => {{
                let mut a = [0u8; $n];
                a.copy_from_slice(self.take($n)?);
                a
            }};
        }
        Ok(match t {
            tag::NULL => Data::Null,
            tag::DONT_CARE => Data::DontCare,
            tag::ARRAY | tag::STRUCTURE => {
                let n = self.len()?;
                let n = self.bounded(n)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(self.data(depth + 1)?);
                }
                if t == tag::ARRAY { Data::Array(v) } else { Data::Structure(v) }
            }
            tag::BOOLEAN => Data::Boolean(self.u8()? != 0),
            tag::BIT_STRING => {
                let bits = self.len()?;
                Data::BitString(bits, self.take(bits.div_ceil(8))?.to_vec())
            }
            tag::DOUBLE_LONG => Data::DoubleLong(i32::from_be_bytes(arr!(4))),
            tag::DOUBLE_LONG_UNSIGNED => Data::DoubleLongUnsigned(u32::from_be_bytes(arr!(4))),
            tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING => {
                let n = self.len()?;
                let v = self.take(n)?.to_vec();
                match t {
                    tag::OCTET_STRING => Data::OctetString(v),
                    tag::VISIBLE_STRING => Data::VisibleString(v),
                    _ => Data::Utf8String(v),
                }
            }
            tag::BCD => Data::Bcd(self.u8()?),
            tag::INTEGER => Data::Integer(self.u8()? as i8),
            tag::LONG => Data::Long(i16::from_be_bytes(arr!(2))),
            tag::UNSIGNED => Data::Unsigned(self.u8()?),
            tag::LONG_UNSIGNED => Data::LongUnsigned(u16::from_be_bytes(arr!(2))),
            tag::COMPACT_ARRAY => {
                let d = self.desc(depth + 1)?;
                let n = self.len()?;
                let contents = self.take(n)?;
                let mut sub = Strict { c: Cursor::new(contents, 0), budget: self.budget };
                let mut items = Vec::new();
                while sub.c.pos() < contents.len() {
                    let before = sub.c.pos();
                    items.push(
                        sub.untagged(&d, depth + 1)
                            .map_err(|e| ParseError::new(e.offset + self.c.pos() - n, e.kind))?,
                    );
                    if sub.c.pos() == before {
                        return Err(ParseError::new(
                            self.c.pos() - n,
                            ErrorKind::BadValue { what: "zero-size compact-array element" },
                        ));
                    }
                }
                self.budget = sub.budget;
                Data::CompactArray(d, items)
            }
            tag::LONG64 => Data::Long64(i64::from_be_bytes(arr!(8))),
            tag::LONG64_UNSIGNED => Data::Long64Unsigned(u64::from_be_bytes(arr!(8))),
            tag::ENUM => Data::Enum(self.u8()?),
            tag::FLOAT32 => Data::Float32(u32::from_be_bytes(arr!(4))),
            tag::FLOAT64 => Data::Float64(u64::from_be_bytes(arr!(8))),
            tag::DATE_TIME => Data::DateTime(arr!(12)),
            tag::DATE => Data::Date(arr!(5)),
            tag::TIME => Data::Time(arr!(4)),
            _ => return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a data type" })),
        })
    }
}

impl Data {
    /// Parse exactly one value filling `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Data, ParseError> {
        let (d, used) = Data::decode(bytes)?;
        if used != bytes.len() {
            return Err(ParseError::new(used, ErrorKind::TrailingBytes { count: bytes.len() - used }));
        }
        Ok(d)
    }

    /// Parse one value at the start of `bytes`; returns it and the bytes used.
    pub fn decode(bytes: &[u8]) -> Result<(Data, usize), ParseError> {
        let mut s = Strict { c: Cursor::new(bytes, 0), budget: MAX_ELEMENTS };
        let d = s.data(0)?;
        Ok((d, s.c.pos()))
    }

    /// The type tag.
    pub fn tag(&self) -> u8 {
        match self {
            Data::Null => tag::NULL,
            Data::Array(_) => tag::ARRAY,
            Data::Structure(_) => tag::STRUCTURE,
            Data::Boolean(_) => tag::BOOLEAN,
            Data::BitString(..) => tag::BIT_STRING,
            Data::DoubleLong(_) => tag::DOUBLE_LONG,
            Data::DoubleLongUnsigned(_) => tag::DOUBLE_LONG_UNSIGNED,
            Data::OctetString(_) => tag::OCTET_STRING,
            Data::VisibleString(_) => tag::VISIBLE_STRING,
            Data::Utf8String(_) => tag::UTF8_STRING,
            Data::Bcd(_) => tag::BCD,
            Data::Integer(_) => tag::INTEGER,
            Data::Long(_) => tag::LONG,
            Data::Unsigned(_) => tag::UNSIGNED,
            Data::LongUnsigned(_) => tag::LONG_UNSIGNED,
            Data::CompactArray(..) => tag::COMPACT_ARRAY,
            Data::Long64(_) => tag::LONG64,
            Data::Long64Unsigned(_) => tag::LONG64_UNSIGNED,
            Data::Enum(_) => tag::ENUM,
            Data::Float32(_) => tag::FLOAT32,
            Data::Float64(_) => tag::FLOAT64,
            Data::DateTime(_) => tag::DATE_TIME,
            Data::Date(_) => tag::DATE,
            Data::Time(_) => tag::TIME,
            Data::DontCare => tag::DONT_CARE,
        }
    }

    /// Encode with its tag.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.tag());
        self.emit_body(out);
    }

    /// Encode without the tag (the content of a compact-array element).
    pub fn emit_body(&self, out: &mut Vec<u8>) {
        match self {
            Data::Null | Data::DontCare => {}
            Data::Array(v) | Data::Structure(v) => {
                crate::wire::put_axdr_length(out, v.len());
                for d in v {
                    d.emit(out);
                }
            }
            Data::Boolean(b) => out.push(u8::from(*b)),
            Data::BitString(bits, b) => {
                crate::wire::put_axdr_length(out, *bits);
                out.extend_from_slice(b);
            }
            Data::DoubleLong(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::DoubleLongUnsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::OctetString(b) | Data::VisibleString(b) | Data::Utf8String(b) => {
                crate::wire::put_axdr_length(out, b.len());
                out.extend_from_slice(b);
            }
            Data::Bcd(v) | Data::Unsigned(v) | Data::Enum(v) => out.push(*v),
            Data::Integer(v) => out.push(*v as u8),
            Data::Long(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::LongUnsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::CompactArray(d, items) => {
                d.emit(out);
                let mut contents = Vec::new();
                for item in items {
                    item.emit_untagged(&mut contents);
                }
                crate::wire::put_axdr_length(out, contents.len());
                out.extend_from_slice(&contents);
            }
            Data::Long64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Long64Unsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Float32(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Float64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::DateTime(b) => out.extend_from_slice(b),
            Data::Date(b) => out.extend_from_slice(b),
            Data::Time(b) => out.extend_from_slice(b),
        }
    }

    /// Compact-array element form: arrays and structures without tags or counts.
    fn emit_untagged(&self, out: &mut Vec<u8>) {
        match self {
            Data::Array(v) | Data::Structure(v) => {
                for d in v {
                    d.emit_untagged(out);
                }
            }
            other => other.emit_body(out),
        }
    }
}

#[cfg(test)]
mod element_budget_tests {
    use super::*;
    use crate::Keys;

    /// Compact arrays of 0x0A0A arrays of 0x0A0A … of null-data: found by fuzzing
    /// (it multiplied zero-size elements past any memory). Both decoders stop.
    #[test]
    fn nested_zero_size_compact_arrays_are_bounded() {
        let bytes = [0x13, 0x01, 0x0A, 0x0A, 0x01, 0x0A, 0x0A, 0x01, 0x0A, 0x0A, 0x00, 0x02, 0x00, 0x00];
        assert!(Data::parse(&bytes).is_err());
        let keys = Keys::default();
        let mut cx = Cx::new(super::super::APDU, &bytes, 0, &keys);
        let mut rd = Rd::new(&bytes, 0);
        let _ = data(&mut cx, NONE, &mut rd, "dlms.data");
        assert!(cx.elements <= MAX_ELEMENTS + 1, "{}", cx.elements);
    }

    /// Nested 0xFFFF counts overflowed the size of a description (found by fuzzing).
    #[test]
    fn description_sizes_do_not_overflow() {
        let huge = TypeDesc::Array(0xFFFF, Box::new(TypeDesc::Array(0xFFFF, Box::new(TypeDesc::Simple(tag::LONG64)))));
        let deeper = TypeDesc::Array(0xFFFF, Box::new(TypeDesc::Array(0xFFFF, Box::new(huge.clone()))));
        assert_eq!(size_of_desc(&huge), Some(0xFFFF * 0xFFFF * 8));
        assert_eq!(size_of_desc(&deeper), None);
        assert_eq!(size_of_desc(&TypeDesc::Structure(vec![deeper.clone(), huge])), None);
        let crash = [
            0x13, 0x01, 0x01, 0x01, 0x01, 0x41, 0x01, 0x01, 0xB5, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x2C, 0x01, 0xFF,
            0x01, 0x01, 0x2E, 0x2C, 0x16, 0x01, 0x13, 0xE0, 0x02,
        ];
        let keys = Keys::default();
        let mut cx = Cx::new(super::super::APDU, &crash, 0, &keys);
        let _ = data(&mut cx, NONE, &mut Rd::new(&crash, 0), "dlms.data");
        let _ = Data::parse(&crash);
    }
}
