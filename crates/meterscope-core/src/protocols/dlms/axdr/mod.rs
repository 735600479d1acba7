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

mod codec;
mod date_time;

pub use codec::Data;
use date_time::*;
pub use date_time::{plausible_date_time, weekday};

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
        Some(x) => Msg::Bi(x),
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
                &(
                    "more data values than the decoder follows (zero-size elements multiplied by nested counts)",
                    "数据元素数量超过解码器上限（嵌套计数使零长度元素成倍增加）",
                ),
            );
        }
        return None;
    }
    if cx.depth >= MAX_DEPTH {
        cx.error(
            Span::at(start, 1),
            "dlms.data.depth",
            &("data nested deeper than the decoder follows", "数据嵌套层数超过解码器上限"),
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
                            &("the element count exceeds the bytes present", "元素个数超过现有字节数"),
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
                    &("the string length exceeds the bytes present", "字符串长度超过现有字节数"),
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
                    &("the compact-array contents run past the bytes present", "紧凑数组内容超过现有字节数"),
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
        cx.error(Span::at(at, 1), "dlms.data.depth", &("type description nested too deeply", "类型描述嵌套过深"));
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
        .label(crate::msg!("octet-string (OBIS)", "字节串 (OBIS)"))
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
