//! The Data type of DL/T 698.45 (clause 7.3, types 0–96) and the tolerant
//! decoder every APDU dissector reads with.
//!
//! Everything is A-XDR: multi-byte numbers are big-endian; variable lengths
//! and counts are one byte below 0x80, or `0x8n` followed by n length bytes.
//! The decoder never panics: a field that runs past the end or a type it does
//! not know stops the decode with a diagnostic pinned to the byte, and the
//! tree built so far is kept. Nesting is bounded by [`MAX_DEPTH`].

use std::collections::BTreeMap;

use super::dictionary::{self, Hint};
use crate::lang::Lang;
use crate::span::Span;
use crate::view::{Diagnostic, Node, NodeKind};

/// Deepest nesting of arrays, structures and composite types the decoder follows.
pub const MAX_DEPTH: usize = 32;

/// Data types: tag, node id, name (clause 7.3.1).
const TYPES: &[(u8, &str, &str)] = &[
    (0, "dlt698.data.null", "NULL"),
    (1, "dlt698.data.array", "array"),
    (2, "dlt698.data.structure", "structure"),
    (3, "dlt698.data.bool", "bool"),
    (4, "dlt698.data.bit-string", "bit-string"),
    (5, "dlt698.data.double-long", "double-long"),
    (6, "dlt698.data.double-long-unsigned", "double-long-unsigned"),
    (9, "dlt698.data.octet-string", "octet-string"),
    (10, "dlt698.data.visible-string", "visible-string"),
    (12, "dlt698.data.utf8-string", "UTF8-string"),
    (15, "dlt698.data.integer", "integer"),
    (16, "dlt698.data.long", "long"),
    (17, "dlt698.data.unsigned", "unsigned"),
    (18, "dlt698.data.long-unsigned", "long-unsigned"),
    (20, "dlt698.data.long64", "long64"),
    (21, "dlt698.data.long64-unsigned", "long64-unsigned"),
    (22, "dlt698.data.enum", "enum"),
    (23, "dlt698.data.float32", "float32"),
    (24, "dlt698.data.float64", "float64"),
    (25, "dlt698.data.date_time", "date_time"),
    (26, "dlt698.data.date", "date"),
    (27, "dlt698.data.time", "time"),
    (28, "dlt698.data.date_time_s", "date_time_s"),
    (80, "dlt698.data.oi", "OI"),
    (81, "dlt698.data.oad", "OAD"),
    (82, "dlt698.data.road", "ROAD"),
    (83, "dlt698.data.omd", "OMD"),
    (84, "dlt698.data.ti", "TI"),
    (85, "dlt698.data.tsa", "TSA"),
    (86, "dlt698.data.mac", "MAC"),
    (87, "dlt698.data.rn", "RN"),
    (88, "dlt698.data.region", "Region"),
    (89, "dlt698.data.scaler_unit", "Scaler_Unit"),
    (90, "dlt698.data.rsd", "RSD"),
    (91, "dlt698.data.csd", "CSD"),
    (92, "dlt698.data.ms", "MS"),
    (93, "dlt698.data.sid", "SID"),
    (94, "dlt698.data.sid_mac", "SID_MAC"),
    (95, "dlt698.data.comdcb", "COMDCB"),
    (96, "dlt698.data.rcsd", "RCSD"),
];

/// Type tags of the standard's Data CHOICE.
pub mod tag {
    pub const NULL: u8 = 0;
    pub const ARRAY: u8 = 1;
    pub const STRUCTURE: u8 = 2;
    pub const BOOL: u8 = 3;
    pub const BIT_STRING: u8 = 4;
    pub const DOUBLE_LONG: u8 = 5;
    pub const DOUBLE_LONG_UNSIGNED: u8 = 6;
    pub const OCTET_STRING: u8 = 9;
    pub const VISIBLE_STRING: u8 = 10;
    pub const UTF8_STRING: u8 = 12;
    pub const INTEGER: u8 = 15;
    pub const LONG: u8 = 16;
    pub const UNSIGNED: u8 = 17;
    pub const LONG_UNSIGNED: u8 = 18;
    pub const LONG64: u8 = 20;
    pub const LONG64_UNSIGNED: u8 = 21;
    pub const ENUM: u8 = 22;
    pub const FLOAT32: u8 = 23;
    pub const FLOAT64: u8 = 24;
    pub const DATE_TIME: u8 = 25;
    pub const DATE: u8 = 26;
    pub const TIME: u8 = 27;
    pub const DATE_TIME_S: u8 = 28;
    pub const OI: u8 = 80;
    pub const OAD: u8 = 81;
    pub const ROAD: u8 = 82;
    pub const OMD: u8 = 83;
    pub const TI: u8 = 84;
    pub const TSA: u8 = 85;
    pub const MAC: u8 = 86;
    pub const RN: u8 = 87;
    pub const REGION: u8 = 88;
    pub const SCALER_UNIT: u8 = 89;
    pub const RSD: u8 = 90;
    pub const CSD: u8 = 91;
    pub const MS: u8 = 92;
    pub const SID: u8 = 93;
    pub const SID_MAC: u8 = 94;
    pub const COMDCB: u8 = 95;
    pub const RCSD: u8 = 96;
}

/// The name of a data type tag (`long-unsigned`), if the standard defines it.
pub fn type_name(t: u8) -> Option<&'static str> {
    TYPES.iter().find(|x| x.0 == t).map(|x| x.2)
}

fn type_id(t: u8) -> Option<&'static str> {
    TYPES.iter().find(|x| x.0 == t).map(|x| x.1)
}

/// Bytes as compact upper-case hex (`40000200`).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `raw × 10^scaler` as a decimal string, exactly (`2413`, -1 → `241.3`).
pub fn scaled(raw: i128, scaler: i8) -> String {
    if scaler >= 0 {
        let mut s = raw.to_string();
        if raw != 0 {
            s.extend(std::iter::repeat_n('0', scaler as usize));
        }
        return s;
    }
    let places = (-(scaler as i32)) as usize;
    let digits = raw.unsigned_abs().to_string();
    let padded = format!("{digits:0>width$}", width = places + 1);
    let (int, frac) = padded.split_at(padded.len() - places);
    format!("{}{int}.{frac}", if raw < 0 { "-" } else { "" })
}

/// One column of a record: an OAD, or a ROAD (OAD with related OADs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub oi: u16,
    pub attr: u8,
    pub index: u8,
    pub road: bool,
}

/// The tolerant decoder: a cursor over one byte string with absolute spans,
/// the diagnostics found so far and unique node ids.
pub struct Dec<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    pub lang: Lang,
    /// Set once a field could not be read; every later read returns `None`.
    pub failed: bool,
    pub diags: Vec<Diagnostic>,
    seen: BTreeMap<&'static str, usize>,
    depth: usize,
}

impl<'a> Dec<'a> {
    /// A decoder over `bytes`, whose first byte is at absolute offset `base`.
    pub fn new(bytes: &'a [u8], base: usize, lang: Lang) -> Self {
        Dec { bytes, pos: 0, base, lang, failed: false, diags: Vec::new(), seen: BTreeMap::new(), depth: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn abs(&self) -> usize {
        self.base + self.pos
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The absolute span from relative position `start` to here.
    pub fn span_from(&self, start: usize) -> Span {
        Span::new(self.base + start, self.base + self.pos)
    }

    /// A unique id: `base` the first time, then `base.1`, `base.2`…
    pub fn id(&mut self, base: &'static str) -> String {
        let n = self.seen.entry(base).or_insert(0);
        let id = if *n == 0 { base.to_string() } else { format!("{base}.{n}") };
        *n += 1;
        id
    }

    /// A node with a unique id from `base`, its label, spanning `start` to here.
    pub fn node(&mut self, base: &'static str, start: usize) -> Node {
        let label = self.lang.label(base);
        let id = self.id(base);
        Node::new(id, label, self.span_from(start))
    }

    /// Stop decoding with an error on the byte at relative position `at`.
    pub fn fail_at(&mut self, at: usize, code: &str, en: &str, zh: &str) {
        if !self.failed {
            let span = Span::new(self.base + at, self.base + (at + 1).min(self.bytes.len()));
            self.diags.push(Diagnostic::error(span, code, self.lang.pick(en, zh)));
        }
        self.failed = true;
    }

    /// `n` bytes, or `None` (with a truncation diagnostic) when fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.failed {
            return None;
        }
        if n > self.remaining() {
            let needed = n - self.remaining();
            let start = self.abs();
            self.pos = self.bytes.len();
            let msg = match self.lang {
                Lang::En => format!("the data ends here; {needed} more byte(s) expected"),
                Lang::Zh => format!("数据在此结束，还缺 {needed} 个字节"),
            };
            self.diags.push(Diagnostic::error(Span::new(start, self.abs()), "dlt698.data.truncated", msg));
            self.failed = true;
            return None;
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Some(s)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    /// An A-XDR length or count.
    pub fn length(&mut self) -> Option<usize> {
        let at = self.pos;
        let first = self.u8()?;
        if first < 0x80 {
            return Some(first as usize);
        }
        let n = (first & 0x7F) as usize;
        if n == 0 || n > 4 {
            self.fail_at(at, "dlt698.data.bad-length", "invalid A-XDR length", "无效的 A-XDR 长度");
            return None;
        }
        let b = self.take(n)?;
        Some(b.iter().fold(0usize, |a, &x| (a << 8) | x as usize))
    }

    /// A leaf node of `n` raw bytes, with their hex as value.
    pub fn raw(&mut self, id: &'static str, n: usize) -> (Node, Option<&'a [u8]>) {
        let start = self.pos;
        let b = self.take(n);
        let mut node = self.node(id, start);
        if let Some(b) = b {
            node = node.value(hex(b));
        }
        (node, b)
    }

    /// A one-byte field shown in decimal.
    pub fn byte(&mut self, id: &'static str, kind: NodeKind) -> (Node, Option<u8>) {
        let start = self.pos;
        let b = self.u8();
        let mut node = self.node(id, start).kind(kind);
        if let Some(b) = b {
            node = node.value(b.to_string());
        }
        (node, b)
    }

    /// A length or count field (A-XDR).
    pub fn count(&mut self, id: &'static str) -> (Node, Option<usize>) {
        let start = self.pos;
        let n = self.length();
        let mut node = self.node(id, start).kind(NodeKind::Length);
        if let Some(n) = n {
            node = node.value(n.to_string());
        }
        (node, n)
    }

    /// `count` items read by `item` into `parent`, stopping on failure or when
    /// an item reads nothing (so no count can make the loop run away).
    pub fn items(&mut self, parent: &mut Node, count: usize, mut item: impl FnMut(&mut Self, usize) -> Node) {
        for i in 0..count {
            if self.failed || self.at_end() {
                if !self.failed {
                    let msg = match self.lang {
                        Lang::En => format!("{} more item(s) announced but the data ends", count - i),
                        Lang::Zh => format!("声明的还有 {} 项，但数据已结束", count - i),
                    };
                    let at = self.abs();
                    self.diags.push(Diagnostic::error(Span::at(at, 0), "dlt698.data.truncated", msg));
                    self.failed = true;
                }
                break;
            }
            let before = self.pos;
            let n = item(self, i);
            parent.push(n);
            if self.pos == before {
                break;
            }
        }
    }

    /// Close `node` at the current position.
    pub fn close(&self, mut node: Node, start: usize) -> Node {
        node.span = self.span_from(start);
        node
    }

    /// Read with `f` as if only the next `n` bytes existed, then move past them.
    /// A failure inside stays inside: the outer decode goes on after the `n`
    /// bytes. Windows nest at most [`MAX_DEPTH`] deep.
    pub fn window<T>(&mut self, n: usize, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        let full = self.bytes;
        let end = (self.pos + n).min(full.len());
        if self.failed {
            return None;
        }
        if self.depth >= MAX_DEPTH {
            let at = self.pos;
            self.fail_at(at, "dlt698.data.too-deep", "data nested too deeply", "数据嵌套过深");
            return None;
        }
        self.bytes = &full[..end];
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        self.bytes = full;
        self.pos = end;
        self.failed = false;
        Some(out)
    }

    // ---- Data ----------------------------------------------------------

    /// One Data value (type tag and body), annotated by `hint` when given.
    pub fn data(&mut self, hint: Option<Hint>) -> Node {
        self.data_named(hint, true)
    }

    fn data_named(&mut self, hint: Option<Hint>, name_elements: bool) -> Node {
        let start = self.pos;
        if self.depth >= MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", "data nested too deeply", "数据嵌套过深");
            return self.node("dlt698.data", start);
        }
        let Some(t) = self.u8() else {
            return self.node("dlt698.data", start);
        };
        let mut tag_node = self.node("dlt698.data.type", start).kind(NodeKind::Control).value(t.to_string());
        let Some(id) = type_id(t) else {
            let (en, zh) = (format!("unknown data type {t}"), format!("未知的数据类型 {t}"));
            self.fail_at(start, "dlt698.data.unknown-type", &en, &zh);
            let mut node = self.node("dlt698.data", start).kind(NodeKind::Unknown);
            node.push(tag_node.text(self.lang.pick(&en, &zh).to_string()));
            return node;
        };
        tag_node = tag_node.text(type_name(t).unwrap_or_default());
        self.depth += 1;
        let mut node = self.body(t, id, hint, name_elements);
        self.depth -= 1;
        node.children.insert(0, tag_node);
        self.close(node, start)
    }

    /// The body of a value of type `t` (no tag byte), as a node with id `id`.
    pub fn typed(&mut self, t: u8, id: &'static str) -> Node {
        self.depth += 1;
        let n = self.body(t, id, None, false);
        self.depth -= 1;
        n
    }

    fn body(&mut self, t: u8, id: &'static str, hint: Option<Hint>, name_elements: bool) -> Node {
        let start = self.pos;
        if self.depth > MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", "data nested too deeply", "数据嵌套过深");
            return self.node(id, start);
        }
        let name = type_name(t).unwrap_or("?");
        match t {
            tag::NULL => self.node(id, start).value("NULL"),
            tag::ARRAY | tag::STRUCTURE => {
                let (len, count) = self.count("dlt698.data.length");
                let mut node = self.node(id, start);
                node.push(len);
                let count = count.unwrap_or(0);
                let elements = hint.map(|h| h.elements).filter(|_| name_elements);
                let lang = self.lang;
                self.items(&mut node, count, |d, i| {
                    let mut child = d.data_named(hint, false);
                    if let Some(e) = elements.and_then(|e| e.name(i + 1, lang)) {
                        child.text = Some(match child.text.take() {
                            Some(t) => format!("{e}: {t}"),
                            None => e,
                        });
                    }
                    child
                });
                let text = format!("{name}[{count}]");
                self.close(node, start).text(text)
            }
            tag::BOOL => {
                let b = self.u8();
                let node = self.node(id, start);
                match b {
                    Some(b) => node.value(if b != 0 { "true" } else { "false" }),
                    None => node,
                }
            }
            tag::BIT_STRING => {
                let (len, bits) = self.count("dlt698.data.length");
                let bytes = bits.and_then(|b| self.take(b.div_ceil(8)));
                let mut node = self.node(id, start);
                node.push(len);
                if let (Some(bits), Some(b)) = (bits, bytes) {
                    let s: String =
                        (0..bits).map(|i| if b[i / 8] & (0x80 >> (i % 8)) != 0 { '1' } else { '0' }).collect();
                    node = node.value(if bits <= 64 { s } else { hex(b) }).text(format!("{name}({bits}) {}", hex(b)));
                }
                node
            }
            tag::DOUBLE_LONG
            | tag::DOUBLE_LONG_UNSIGNED
            | tag::INTEGER
            | tag::LONG
            | tag::UNSIGNED
            | tag::LONG_UNSIGNED
            | tag::LONG64
            | tag::LONG64_UNSIGNED
            | tag::ENUM => {
                let (n, signed) = match t {
                    tag::DOUBLE_LONG => (4, true),
                    tag::DOUBLE_LONG_UNSIGNED => (4, false),
                    tag::INTEGER => (1, true),
                    tag::LONG => (2, true),
                    tag::LONG_UNSIGNED => (2, false),
                    tag::LONG64 => (8, true),
                    tag::LONG64_UNSIGNED => (8, false),
                    _ => (1, false),
                };
                let b = self.take(n);
                let node = self.node(id, start);
                let Some(b) = b else { return node };
                let raw = int_value(b, signed);
                match hint.filter(|_| t != tag::ENUM) {
                    Some(h) => {
                        let mut node = node.value(scaled(raw, h.scaler)).text(match self.lang {
                            Lang::En => format!("{name}, raw {raw}, scaler {}", h.scaler),
                            Lang::Zh => format!("{name}，原始值 {raw}，换算 {}", h.scaler),
                        });
                        if let Some(u) = dictionary::unit_symbol(h.unit) {
                            node = node.unit(u);
                        }
                        node
                    }
                    None => node.value(raw.to_string()),
                }
            }
            tag::OCTET_STRING | tag::MAC | tag::RN => self.octets(id),
            tag::VISIBLE_STRING | tag::UTF8_STRING => {
                let (len, n) = self.count("dlt698.data.length");
                let b = n.and_then(|n| self.take(n));
                let mut node = self.node(id, start);
                node.push(len);
                if let Some(b) = b {
                    node = node.value(String::from_utf8_lossy(b).into_owned());
                }
                node
            }
            tag::FLOAT32 => {
                let b = self.take(4);
                let node = self.node(id, start);
                match b {
                    Some(b) => node.value(f32::from_be_bytes([b[0], b[1], b[2], b[3]]).to_string()),
                    None => node,
                }
            }
            tag::FLOAT64 => {
                let b = self.take(8);
                let node = self.node(id, start);
                match b {
                    Some(b) => {
                        let mut a = [0u8; 8];
                        a.copy_from_slice(b);
                        node.value(f64::from_be_bytes(a).to_string())
                    }
                    None => node,
                }
            }
            tag::DATE_TIME => self.date_time(id, 10),
            tag::DATE => self.date_time(id, 5),
            tag::TIME => self.date_time(id, 3),
            tag::DATE_TIME_S => self.date_time(id, 7),
            tag::OI => {
                let b = self.take(2);
                let node = self.node(id, start);
                let Some(b) = b else { return node };
                let oi = u16::from_be_bytes([b[0], b[1]]);
                let node = node.value(format!("{oi:04X}"));
                match dictionary::object_name(oi, self.lang) {
                    Some(n) => node.text(n),
                    None => node,
                }
            }
            tag::OAD => self.oad(id).0,
            tag::ROAD => self.road(id).0,
            tag::OMD => self.omd(id),
            tag::TI => self.ti(id),
            tag::TSA => self.tsa(id),
            tag::REGION => {
                let mut node = self.node(id, start);
                let (u, unit) = self.byte("dlt698.region.unit", NodeKind::Control);
                let u = match unit {
                    Some(k @ 0..=3) => {
                        let names = [
                            ("[start, end)", "前闭后开"),
                            ("(start, end]", "前开后闭"),
                            ("[start, end]", "前闭后闭"),
                            ("(start, end)", "前开后开"),
                        ];
                        u.text(self.lang.pick(names[k as usize].0, names[k as usize].1).to_string())
                    }
                    _ => u,
                };
                node.push(u);
                let s = self.data(hint);
                node.push(s);
                let e = self.data(hint);
                node.push(e);
                self.close(node, start)
            }
            tag::SCALER_UNIT => {
                let b = self.take(2);
                let node = self.node(id, start);
                let Some(b) = b else { return node };
                let scaler = b[0] as i8;
                let unit = dictionary::unit_symbol(b[1]).unwrap_or("");
                node.value(format!("10^{scaler} {unit}").trim_end().to_string())
            }
            tag::RSD => self.rsd(id),
            tag::CSD => self.csd(id).0,
            tag::MS => self.ms(id),
            tag::SID => self.sid(id),
            tag::SID_MAC => {
                let mut node = self.node(id, start);
                let s = self.sid("dlt698.sid_mac.sid");
                node.push(s);
                let m = self.octets("dlt698.sid_mac.mac");
                node.push(m);
                self.close(node, start)
            }
            tag::COMDCB => self.comdcb(id),
            tag::RCSD => self.rcsd(id).0,
            _ => self.node(id, start),
        }
    }

    /// A length-prefixed octet string (also MAC and RN).
    pub fn octets(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let (len, n) = self.count("dlt698.data.length");
        let b = n.and_then(|n| self.take(n));
        let mut node = self.node(id, start);
        node.push(len);
        if let Some(b) = b {
            node = node.value(hex(b));
            if !b.is_empty() && b.iter().all(|c| (0x20..0x7F).contains(c)) {
                node = node.text(format!("\"{}\"", String::from_utf8_lossy(b)));
            }
        }
        node
    }

    /// date_time (10 bytes), date (5), time (3) or date_time_s (7).
    pub fn date_time(&mut self, id: &'static str, n: usize) -> Node {
        let start = self.pos;
        let b = self.take(n);
        let node = self.node(id, start);
        let Some(b) = b else { return node };
        let year = |b: &[u8]| {
            let y = u16::from_be_bytes([b[0], b[1]]);
            if y == 0xFFFF { "----".to_string() } else { format!("{y:04}") }
        };
        let f = |x: u8| if x == 0xFF { "--".to_string() } else { format!("{x:02}") };
        let week = |w: u8| match self.lang {
            Lang::En => format!("day of week {w}"),
            Lang::Zh => format!("星期{w}"),
        };
        match n {
            10 => {
                let ms = u16::from_be_bytes([b[8], b[9]]);
                let ms = if ms == 0xFFFF { "---".to_string() } else { format!("{ms:03}") };
                node.value(format!("{}-{}-{} {}:{}:{}.{ms}", year(b), f(b[2]), f(b[3]), f(b[5]), f(b[6]), f(b[7])))
                    .text(week(b[4]))
            }
            5 => node.value(format!("{}-{}-{}", year(b), f(b[2]), f(b[3]))).text(week(b[4])),
            3 => node.value(format!("{}:{}:{}", f(b[0]), f(b[1]), f(b[2]))),
            _ => node.value(format!("{}-{}-{} {}:{}:{}", year(b), f(b[2]), f(b[3]), f(b[4]), f(b[5]), f(b[6]))),
        }
    }

    /// An OAD: OI, attribute (with feature bits 7..5), element index.
    pub fn oad(&mut self, id: &'static str) -> (Node, Option<(u16, u8, u8)>) {
        let start = self.pos;
        let b = self.take(4);
        let mut node = self.node(id, start);
        let Some(b) = b else { return (node, None) };
        let (oi, attr, index) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
        let lang = self.lang;
        let a = self.base + start;
        let mut oi_node = Node::new(self.id("dlt698.oad.oi"), lang.label("dlt698.oad.oi"), Span::at(a, 2))
            .kind(NodeKind::Address)
            .value(format!("{oi:04X}"));
        if let Some(n) = dictionary::object_name(oi, lang) {
            oi_node = oi_node.text(n);
        }
        let mut attr_node = Node::new(self.id("dlt698.oad.attr"), lang.label("dlt698.oad.attr"), Span::at(a + 2, 1))
            .value((attr & 0x1F).to_string());
        let mut attr_text = dictionary::attribute_name(oi, attr, lang).unwrap_or_default().to_string();
        if attr >> 5 != 0 {
            attr_text.push_str(&format!(" ({} {})", lang.pick("feature", "属性特征"), attr >> 5));
        }
        if !attr_text.is_empty() {
            attr_node = attr_node.text(attr_text.trim().to_string());
        }
        let mut idx_node = Node::new(self.id("dlt698.oad.index"), lang.label("dlt698.oad.index"), Span::at(a + 3, 1))
            .value(index.to_string());
        if index == 0 {
            idx_node = idx_node.text(lang.pick("whole attribute", "全部元素").to_string());
        } else if let Some(e) = dictionary::hint(oi, attr).and_then(|h| h.elements.name(index as usize, lang)) {
            idx_node = idx_node.text(e);
        }
        node = node.value(hex(b)).child(oi_node).child(attr_node).child(idx_node);
        if let Some(d) = dictionary::describe_oad(oi, attr, index, lang) {
            node = node.text(d);
        }
        (node, Some((oi, attr, index)))
    }

    /// An OMD: OI, method identifier, operation mode.
    pub fn omd(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let b = self.take(4);
        let mut node = self.node(id, start);
        let Some(b) = b else { return node };
        let (oi, method) = (u16::from_be_bytes([b[0], b[1]]), b[2]);
        let lang = self.lang;
        let a = self.base + start;
        let mut oi_node = Node::new(self.id("dlt698.omd.oi"), lang.label("dlt698.omd.oi"), Span::at(a, 2))
            .kind(NodeKind::Address)
            .value(format!("{oi:04X}"));
        if let Some(n) = dictionary::object_name(oi, lang) {
            oi_node = oi_node.text(n);
        }
        let mut m_node = Node::new(self.id("dlt698.omd.method"), lang.label("dlt698.omd.method"), Span::at(a + 2, 1))
            .value(method.to_string());
        if let Some(m) = dictionary::method_name(oi, method, lang) {
            m_node = m_node.text(m);
        }
        let mode = Node::new(self.id("dlt698.omd.mode"), lang.label("dlt698.omd.mode"), Span::at(a + 3, 1))
            .value(b[3].to_string());
        node = node.value(hex(b)).child(oi_node).child(m_node).child(mode);
        if let Some(d) = dictionary::describe_omd(oi, method, lang) {
            node = node.text(d);
        }
        node
    }

    /// A ROAD: an OAD and the OADs related to it.
    pub fn road(&mut self, id: &'static str) -> (Node, Option<Column>) {
        let start = self.pos;
        let mut node = self.node(id, start);
        let (oad, v) = self.oad("dlt698.road.oad");
        node.push(oad);
        let (len, count) = self.count("dlt698.road.count");
        node.push(len);
        self.items(&mut node, count.unwrap_or(0), |d, _| d.oad("dlt698.road.related").0);
        let node = self.close(node, start);
        let col = v.map(|(oi, attr, index)| Column { oi, attr, index, road: true });
        let node = match v {
            Some((oi, attr, index)) => node.value(format!("{oi:04X}{attr:02X}{index:02X}")),
            None => node,
        };
        (node, col)
    }

    /// A TI: unit and interval.
    pub fn ti(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let b = self.take(3);
        let node = self.node(id, start);
        let Some(b) = b else { return node };
        let n = u16::from_be_bytes([b[1], b[2]]);
        let units = [("s", "秒"), ("min", "分"), ("h", "时"), ("day", "日"), ("month", "月"), ("year", "年")];
        match units.get(b[0] as usize) {
            Some(u) => node.value(format!("{n} {}", self.lang.pick(u.0, u.1))),
            None => node.value(format!("{n} ({} {})", self.lang.pick("unit", "单位"), b[0])),
        }
    }

    /// A TSA: octet string whose first byte gives the address length − 1.
    pub fn tsa(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let (len, n) = self.count("dlt698.data.length");
        let b = n.and_then(|n| self.take(n));
        let mut node = self.node(id, start);
        node.push(len);
        if let Some(b) = b {
            match b.split_first() {
                Some((flag, addr)) => {
                    let a = self.base + start + (self.pos - start - b.len());
                    let f = Node::new(self.id("dlt698.tsa.flag"), self.lang.label("dlt698.tsa.flag"), Span::at(a, 1))
                        .value(format!("0x{flag:02X}"));
                    let ad = Node::new(
                        self.id("dlt698.tsa.address"),
                        self.lang.label("dlt698.tsa.address"),
                        Span::at(a + 1, addr.len()),
                    )
                    .kind(NodeKind::Address)
                    .value(hex(addr));
                    node = node.child(f).child(ad).value(hex(addr));
                    if (*flag & 0x0F) as usize + 1 != addr.len() {
                        let msg = self
                            .lang
                            .pick("the TSA flag gives another address length", "TSA 地址标志中的长度与地址字节数不符");
                        self.diags.push(Diagnostic::warning(Span::at(a, 1), "dlt698.tsa.length", msg));
                    }
                }
                None => node = node.value(""),
            }
        }
        node
    }

    /// A CSD: an OAD [0] or a ROAD [1].
    pub fn csd(&mut self, id: &'static str) -> (Node, Option<Column>) {
        let start = self.pos;
        let (choice, c) = self.byte("dlt698.csd.choice", NodeKind::Control);
        let mut node = self.node(id, start);
        node.push(choice);
        let col = match c {
            Some(0) => {
                let (o, v) = self.oad("dlt698.csd.oad");
                let text = o.text.clone();
                node.push(o);
                node.text = text;
                v.map(|(oi, attr, index)| Column { oi, attr, index, road: false })
            }
            Some(1) => {
                let (r, col) = self.road("dlt698.csd.road");
                node.push(r);
                col
            }
            Some(_) => {
                self.fail_at(start, "dlt698.data.bad-choice", "unknown CSD choice", "未知的 CSD 选择");
                None
            }
            None => None,
        };
        let node = self.close(node, start);
        let node = match col {
            Some(c) => node.value(format!("{:04X}{:02X}{:02X}", c.oi, c.attr, c.index)),
            None => node,
        };
        (node, col)
    }

    /// An RCSD: SEQUENCE OF CSD. Returns the columns it selects.
    pub fn rcsd(&mut self, id: &'static str) -> (Node, Vec<Column>) {
        let start = self.pos;
        let mut node = self.node(id, start);
        let (len, count) = self.count("dlt698.data.length");
        node.push(len);
        let mut cols = Vec::new();
        self.items(&mut node, count.unwrap_or(0), |d, _| {
            let (n, c) = d.csd("dlt698.data.csd");
            cols.extend(c);
            n
        });
        (self.close(node, start).text(format!("{} column(s)", cols.len())), cols)
    }

    /// An MS (meter set) choice.
    pub fn ms(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let (choice, c) = self.byte("dlt698.ms.choice", NodeKind::Control);
        let mut node = self.node(id, start);
        node.push(choice);
        let names = [
            ("no meters", "无电能表"),
            ("all user addresses", "全部用户地址"),
            ("a set of user types", "一组用户类型"),
            ("a set of user addresses", "一组用户地址"),
            ("a set of configuration numbers", "一组配置序号"),
            ("user type regions", "一组用户类型区间"),
            ("user address regions", "一组用户地址区间"),
            ("configuration number regions", "一组配置序号区间"),
        ];
        if let Some(k) = c {
            if let Some(n) = names.get(k as usize) {
                node = node.text(self.lang.pick(n.0, n.1).to_string());
            }
            let elem: Option<(u8, &'static str)> = match k {
                0 | 1 => None,
                2 => Some((tag::UNSIGNED, "dlt698.data.unsigned")),
                3 => Some((tag::TSA, "dlt698.data.tsa")),
                4 => Some((tag::LONG_UNSIGNED, "dlt698.data.long-unsigned")),
                5..=7 => Some((tag::REGION, "dlt698.data.region")),
                _ => {
                    self.fail_at(start, "dlt698.data.bad-choice", "unknown MS choice", "未知的 MS 选择");
                    None
                }
            };
            if let Some((t, eid)) = elem {
                let (len, count) = self.count("dlt698.data.length");
                node.push(len);
                self.items(&mut node, count.unwrap_or(0), |d, _| d.typed(t, eid));
            }
        }
        self.close(node, start)
    }

    /// An RSD: selector 0–10 and its parameters.
    pub fn rsd(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let (sel, s) = self.byte("dlt698.rsd.selector", NodeKind::Control);
        let mut node = self.node(id, start);
        node.push(sel);
        let Some(s) = s else { return self.close(node, start) };
        let dts = |d: &mut Self, id| d.date_time(id, 7);
        match s {
            0 => {}
            1 => {
                let o = self.oad("dlt698.rsd.oad").0;
                node.push(o);
                let v = self.data(None);
                node.push(v);
            }
            2 => {
                let sel2 = self.selector2();
                node.children.extend(sel2);
            }
            3 => {
                let (len, count) = self.count("dlt698.data.length");
                node.push(len);
                self.items(&mut node, count.unwrap_or(0), |d, _| {
                    let s = d.pos;
                    let mut n = d.node("dlt698.rsd.selector2", s);
                    let parts = d.selector2();
                    n.children.extend(parts);
                    d.close(n, s)
                });
            }
            4 | 5 => {
                let t = dts(self, "dlt698.rsd.time");
                node.push(t);
                let m = self.ms("dlt698.data.ms");
                node.push(m);
            }
            6..=8 => {
                let a = dts(self, "dlt698.rsd.start");
                node.push(a);
                let b = dts(self, "dlt698.rsd.end");
                node.push(b);
                let ti = self.ti("dlt698.data.ti");
                node.push(ti);
                let m = self.ms("dlt698.data.ms");
                node.push(m);
            }
            9 => {
                let (n, _) = self.byte("dlt698.rsd.last", NodeKind::Data);
                node.push(n);
            }
            10 => {
                let (n, _) = self.byte("dlt698.rsd.last", NodeKind::Data);
                node.push(n);
                let m = self.ms("dlt698.data.ms");
                node.push(m);
            }
            _ => self.fail_at(start, "dlt698.data.bad-choice", "unknown RSD selector", "未知的 RSD 选择方法"),
        }
        self.close(node, start).text(format!("{} {s}", self.lang.pick("selector", "方法")))
    }

    fn selector2(&mut self) -> Vec<Node> {
        let mut v = vec![self.oad("dlt698.rsd.oad").0];
        for _ in 0..3 {
            v.push(self.data(None));
        }
        v
    }

    /// A SID: identifier and additional data.
    pub fn sid(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let mut node = self.node(id, start);
        let (ident, _) = self.raw("dlt698.sid.ident", 4);
        node.push(ident);
        let add = self.octets("dlt698.sid.data");
        node.push(add);
        self.close(node, start)
    }

    /// A COMDCB: baud rate, parity, data bits, stop bits, flow control.
    pub fn comdcb(&mut self, id: &'static str) -> Node {
        let start = self.pos;
        let b = self.take(5);
        let node = self.node(id, start);
        let Some(b) = b else { return node };
        const BAUD: [&str; 11] =
            ["300", "600", "1200", "2400", "4800", "7200", "9600", "19200", "38400", "57600", "115200"];
        let baud = BAUD.get(b[0] as usize).copied().unwrap_or(if b[0] == 255 { "auto" } else { "?" });
        let parity = ["N", "O", "E"].get(b[1] as usize).copied().unwrap_or("?");
        let flow = [("no flow control", "无流控"), ("hardware", "硬件流控"), ("software", "软件流控")]
            .get(b[4] as usize)
            .map(|f| self.lang.pick(f.0, f.1))
            .unwrap_or("?");
        node.value(format!("{baud} {}{parity}{}", b[2], b[3])).text(flow.to_string())
    }
}

fn int_value(b: &[u8], signed: bool) -> i128 {
    let u = b.iter().fold(0u128, |a, &x| (a << 8) | x as u128);
    if signed && !b.is_empty() && b[0] & 0x80 != 0 { u as i128 - (1i128 << (8 * b.len())) } else { u as i128 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> (Node, Dec<'_>) {
        let mut d = Dec::new(bytes, 100, Lang::En);
        let n = d.data(None);
        (n, d)
    }

    #[test]
    fn scalers() {
        assert_eq!(scaled(2413, -1), "241.3");
        assert_eq!(scaled(5, -3), "0.005");
        assert_eq!(scaled(-5, -3), "-0.005");
        assert_eq!(scaled(12, 2), "1200");
        assert_eq!(scaled(0, 2), "0");
        assert_eq!(scaled(12345678, -4), "1234.5678");
    }

    #[test]
    fn table_of_values() {
        let cases: &[(&[u8], &str)] = &[
            (&[0x00], "NULL"),
            (&[0x03, 0x01], "true"),
            (&[0x05, 0xFF, 0xFF, 0xFF, 0xFE], "-2"),
            (&[0x06, 0x00, 0x00, 0x13, 0x88], "5000"),
            (&[0x0F, 0x80], "-128"),
            (&[0x10, 0x03, 0x7E], "894"),
            (&[0x12, 0x09, 0x6D], "2413"),
            (&[0x15, 0, 0, 0, 0, 0, 0xBC, 0x61, 0x4E], "12345678"),
            (&[0x09, 0x02, 0xAB, 0xCD], "ABCD"),
            (&[0x0A, 0x02, b'h', b'i'], "hi"),
            (&[0x04, 0x08, 0xA0], "10100000"),
            (&[0x1C, 0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00], "2016-09-11 18:30:00"),
            (&[0x19, 0x07, 0xE0, 0x0B, 0x09, 0x03, 0x10, 0x28, 0x01, 0x00, 0x00], "2016-11-09 16:40:01.000"),
            (&[0x1A, 0x07, 0xE0, 0x0B, 0x09, 0x03], "2016-11-09"),
            (&[0x1B, 0x10, 0x28, 0x01], "16:40:01"),
            (&[0x51, 0x40, 0x00, 0x02, 0x00], "40000200"),
            (&[0x50, 0x20, 0x00], "2000"),
            (&[0x53, 0x60, 0x12, 0x81, 0x00], "60128100"),
            (&[0x54, 0x01, 0x00, 0x0F], "15 min"),
            (&[0x59, 0xFE, 0x21], "10^-2 kWh"),
            (&[0x5F, 0x06, 0x02, 0x08, 0x01, 0x00], "9600 8E1"),
            (&[0x55, 0x07, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06], "010203040506"),
            (&[0x17, 0x3F, 0x80, 0x00, 0x00], "1"),
        ];
        for (bytes, want) in cases {
            let (n, d) = one(bytes);
            assert!(d.diags.is_empty(), "{bytes:02X?}: {:?}", d.diags);
            assert_eq!(d.pos(), bytes.len(), "{bytes:02X?} not fully read");
            assert_eq!(n.value.as_deref(), Some(*want), "{bytes:02X?}");
            assert_eq!(n.span, Span::at(100, bytes.len()));
        }
    }

    #[test]
    fn nested_structures_and_hints() {
        // array[3] of long-unsigned, voltage hint: phase names, scaled values.
        let b = [0x01, 0x03, 0x12, 0x09, 0x6D, 0x12, 0x09, 0x6E, 0x12, 0x09, 0x6F];
        let mut d = Dec::new(&b, 0, Lang::En);
        let n = d.data(dictionary::hint(0x2000, 2));
        assert_eq!(n.children.len(), 5); // type, length, 3 items
        assert_eq!(n.children[2].value.as_deref(), Some("241.3"));
        assert_eq!(n.children[2].unit.as_deref(), Some("V"));
        assert!(n.children[4].text.as_deref().unwrap().starts_with("phase C"));
        assert_eq!(n.children[3].id, "dlt698.data.long-unsigned.1");
    }

    #[test]
    fn composite_types() {
        // RSD selector 5 with MS all, RCSD with a ROAD.
        let rsd = [0x5A, 0x05, 0x07, 0xE0, 0x0A, 0x1A, 0x00, 0x00, 0x00, 0x01];
        let (n, d) = one(&rsd);
        assert!(d.diags.is_empty() && d.pos() == rsd.len(), "{:?}", d.diags);
        assert_eq!(n.text.as_deref(), Some("selector 5"));
        let rcsd =
            [0x60, 0x02, 0x00, 0x40, 0x01, 0x02, 0x00, 0x01, 0x50, 0x04, 0x02, 0x00, 0x01, 0x00, 0x10, 0x02, 0x00];
        let mut d = Dec::new(&rcsd[1..], 0, Lang::En);
        let (_, cols) = d.rcsd("dlt698.data.rcsd");
        assert_eq!(cols.len(), 2);
        assert!(cols[1].road && cols[1].oi == 0x5004);
        let region = [0x58, 0x00, 0x11, 0x01, 0x11, 0x05];
        let (_, d) = one(&region);
        assert!(d.diags.is_empty() && d.pos() == region.len());
        let sid_mac = [0x5E, 0x01, 0x02, 0x03, 0x04, 0x01, 0xAA, 0x02, 0xBB, 0xCC];
        let (_, d) = one(&sid_mac);
        assert!(d.diags.is_empty() && d.pos() == sid_mac.len());
    }

    #[test]
    fn errors_are_pinned() {
        let (_, d) = one(&[0x12, 0x09]);
        assert_eq!(d.diags[0].code, "dlt698.data.truncated");
        assert_eq!(d.diags[0].offset, 101);
        let (_, d) = one(&[0x07, 0x00]);
        assert_eq!(d.diags[0].code, "dlt698.data.unknown-type");
        assert_eq!(d.diags[0].span, Span::at(100, 1));
        // An array announcing more items than present stops at the end.
        let (_, d) = one(&[0x01, 0x7F, 0x00, 0x00]);
        assert_eq!(d.diags[0].code, "dlt698.data.truncated");
        // A huge multi-byte length does not allocate or loop.
        let (_, d) = one(&[0x09, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]);
        assert_eq!(d.diags[0].code, "dlt698.data.truncated");
        let (_, d) = one(&[0x09, 0x85, 0x00]);
        assert_eq!(d.diags[0].code, "dlt698.data.bad-length");
        // Deep nesting is bounded.
        let deep: Vec<u8> = std::iter::repeat_n([0x01u8, 0x01], 100).flatten().collect();
        let (_, d) = one(&deep);
        assert_eq!(d.diags[0].code, "dlt698.data.too-deep");
    }
}
