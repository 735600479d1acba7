//! The Data type of DL/T 698.45 (clause 7.3, types 0–96) and the tolerant
//! decoder every APDU dissector reads with.
//!
//! Everything is A-XDR: multi-byte numbers are big-endian; variable lengths
//! and counts are one byte below 0x80, or `0x8n` followed by n length bytes.
//! The decoder never panics: a field that runs past the end or a type it does
//! not know stops the decode with a diagnostic pinned to the byte, and the
//! tree built so far is kept. Nesting is bounded by [`MAX_DEPTH`].
//!
//! The decoder builds nodes straight into a [`model::Frame`](crate::model::Frame):
//! values are spans of the frame's bytes or numbers, texts are codes written
//! at render time ([`text`]); nothing is in a language and no node allocates.

use super::dictionary::{self, Elements, Hint};
use super::text::{self, elements};
use crate::model::{Arg, Frame, Id, Msg, NONE, NodeKind, NodeRef, Occurrences, Severity};
use crate::msg;
use crate::span::Span;
use crate::wire::{Cursor, LengthError, Short};

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

pub use crate::wire::hex;

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

impl Column {
    /// The column's OAD as one number.
    pub fn oad(&self) -> u32 {
        u32::from(self.oi) << 16 | u32::from(self.attr) << 8 | u32::from(self.index)
    }
}

/// The frame of one Data value (type tag and body) on its own: its root is the value.
pub fn dissect_data(bytes: &[u8], base: usize) -> Frame {
    let mut f = Frame::new(super::NAME, bytes, base).with_labels(super::LABELS);
    Dec::new(&mut f, bytes, base).data(NONE, None);
    f.finish()
}

/// The tolerant decoder: a cursor over one byte string with absolute spans,
/// building nodes with unique ids and diagnostics into a frame.
pub struct Dec<'a, 'f> {
    f: &'f mut Frame,
    cur: Cursor<'a>,
    /// Set once a field could not be read; every later read returns `None`.
    pub failed: bool,
    ids: Occurrences,
    depth: usize,
    /// The node whose text was last written by a prefixable writer of [`text`].
    prefixable: NodeRef,
}

impl<'a, 'f> Dec<'a, 'f> {
    /// A decoder over `bytes`, whose first byte is at absolute offset `base`,
    /// building into `f` (whose bytes hold `bytes` at the same offsets).
    pub fn new(f: &'f mut Frame, bytes: &'a [u8], base: usize) -> Self {
        Dec { f, cur: Cursor::new(bytes, base), failed: false, ids: Occurrences::default(), depth: 0, prefixable: NONE }
    }

    pub fn pos(&self) -> usize {
        self.cur.pos()
    }

    pub fn abs(&self) -> usize {
        self.cur.at()
    }

    pub fn remaining(&self) -> usize {
        self.cur.left()
    }

    pub fn at_end(&self) -> bool {
        self.cur.is_empty()
    }

    pub fn peek(&self) -> Option<u8> {
        self.cur.peek()
    }

    /// The absolute span from relative position `start` to here.
    pub fn span_from(&self, start: usize) -> Span {
        Span::new(self.cur.base() + start, self.cur.at())
    }

    /// `len` bytes from relative position `start` as compact hex (`40000200`).
    pub fn hex(&self, start: usize, len: usize) -> Msg {
        Msg::Hex { span: Span::at(self.cur.base() + start, len), spaced: false, reversed: false }
    }

    /// A unique id: `base` the first time, then `base.1`, `base.2`…
    pub fn id(&mut self, base: &'static str) -> Id {
        match self.ids.count(base) {
            1 => Id::Static(base),
            n => Id::Indexed(base, n - 1),
        }
    }

    /// A node under `parent` with a unique id from `base`, spanning `start` to here.
    pub fn node(&mut self, parent: NodeRef, base: &'static str, start: usize) -> NodeRef {
        let id = self.id(base);
        let span = self.span_from(start);
        self.f.add(parent, id, span, NodeKind::Data).index()
    }

    /// A node under `parent` with an id made by [`Dec::id`] and an absolute span.
    pub fn node_at(&mut self, parent: NodeRef, id: Id, span: Span, kind: NodeKind) -> NodeRef {
        self.f.add(parent, id, span, kind).index()
    }

    /// A node that starts here (its span is set by [`Dec::close`]).
    pub fn open(&mut self, parent: NodeRef, base: &'static str) -> (NodeRef, usize) {
        let start = self.pos();
        (self.node(parent, base, start), start)
    }

    /// End `node` at the current position.
    pub fn close(&mut self, node: NodeRef, start: usize) {
        let span = self.span_from(start);
        if let Some(n) = self.f.nodes.get_mut(node as usize) {
            n.span = span;
        }
    }

    /// Widen a node's span to cover `span` too.
    pub fn cover(&mut self, node: NodeRef, span: Span) {
        if let Some(n) = self.f.nodes.get_mut(node as usize) {
            n.span = n.span.cover(span);
        }
    }

    pub fn set_value(&mut self, node: NodeRef, value: Msg) {
        self.f.node_mut(node).value(value);
    }

    pub fn set_unit(&mut self, node: NodeRef, unit: Msg) {
        self.f.node_mut(node).unit(unit);
    }

    pub fn set_text(&mut self, node: NodeRef, text: Msg) {
        if self.prefixable == node {
            self.prefixable = NONE;
        }
        self.f.node_mut(node).text(text);
    }

    pub fn set_kind(&mut self, node: NodeRef, kind: NodeKind) {
        self.f.node_mut(node).kind(kind);
    }

    /// A text written by a prefixable writer of [`text`] from `packed`.
    fn set_prefixable(&mut self, node: NodeRef, f: crate::model::CodeFn, packed: u64) {
        self.set_text(node, Msg::Code(f, packed));
        self.prefixable = node;
    }

    /// The value of a node.
    pub fn value_of(&self, node: NodeRef) -> &Msg {
        self.f.node(node).map_or(&Msg::None, |n| &n.value)
    }

    /// The text of a node.
    pub fn text_of(&self, node: NodeRef) -> Msg {
        self.f.node(node).map_or(Msg::None, |n| n.text.clone())
    }

    /// Put the text of `node` after `first`: `first` alone when it has none.
    pub fn prepend(&mut self, node: NodeRef, first: Msg, sep: &'static str) {
        let Some(n) = self.f.nodes.get_mut(node as usize) else { return };
        n.text = match core::mem::take(&mut n.text) {
            Msg::None => first,
            old => Msg::Concat(Box::new([first, Msg::Str(sep), old])),
        };
    }

    /// The children of a node, in order.
    pub fn children(&self, node: NodeRef) -> impl Iterator<Item = NodeRef> + '_ {
        self.f.children(node).map(|(i, _)| i)
    }

    /// The value of a node as text, for a decision on what it reads as (never
    /// shown). Values are numbers, hex, bytes and dates, the same in every
    /// language; the one exception, a TI's unit, reads as no number in any.
    pub fn value_text(&self, node: NodeRef) -> String {
        let mut s = String::new();
        let cx = crate::model::RenderCx { bytes: self.cur.bytes(), base: self.cur.base(), ..Default::default() };
        let _ = self.value_of(node).write(&mut s, crate::Lang::default(), &cx);
        s
    }

    /// A diagnostic.
    pub fn diag(&mut self, severity: Severity, span: Span, code: &'static str, message: Msg) {
        self.f.diag(severity, span, code, message);
    }

    /// Stop decoding with an error on the byte at relative position `at`.
    pub fn fail_at(&mut self, at: usize, code: &'static str, message: Msg) {
        if !self.failed {
            let base = self.cur.base();
            let span = Span::new(base + at, base + (at + 1).min(self.cur.bytes().len()));
            self.f.diag(Severity::Error, span, code, message);
        }
        self.failed = true;
    }

    /// `n` bytes, or `None` (with a truncation diagnostic) when fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.failed {
            return None;
        }
        match self.cur.take(n) {
            Ok(s) => Some(s),
            Err(short) => self.short(short),
        }
    }

    /// Note that the bytes ran out here, and read no more.
    fn short<T>(&mut self, short: Short) -> Option<T> {
        let start = self.abs();
        self.cur.rest();
        let span = Span::new(start, short.at);
        self.f.diag(Severity::Error, span, "dlt698.data.truncated", Msg::Code(text::data_ends, short.needed as u64));
        self.failed = true;
        None
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    /// An A-XDR length or count.
    pub fn length(&mut self) -> Option<usize> {
        if self.failed {
            return None;
        }
        let at = self.pos();
        match self.cur.axdr_length() {
            Ok(n) => Some(n),
            Err(LengthError::Short(short)) => {
                // The length's first byte is read; what is missing follows it.
                self.cur.seek(at + 1);
                self.short(short)
            }
            Err(LengthError::Form { .. } | LengthError::NotShortest { .. }) => {
                self.cur.seek(at + 1);
                self.fail_at(at, "dlt698.data.bad-length", msg!("invalid A-XDR length", "无效的 A-XDR 长度"));
                None
            }
        }
    }

    /// A leaf node of `n` raw bytes, with their hex as value.
    pub fn raw(&mut self, parent: NodeRef, id: &'static str, n: usize) -> (NodeRef, Option<&'a [u8]>) {
        let start = self.pos();
        let b = self.take(n);
        let node = self.node(parent, id, start);
        if let Some(b) = b {
            let hex = self.hex(start, b.len());
            self.set_value(node, hex);
        }
        (node, b)
    }

    /// A one-byte field shown in decimal.
    pub fn byte(&mut self, parent: NodeRef, id: &'static str, kind: NodeKind) -> (NodeRef, Option<u8>) {
        let start = self.pos();
        let b = self.u8();
        let node = self.node(parent, id, start);
        self.set_kind(node, kind);
        if let Some(b) = b {
            self.set_value(node, Msg::Uint(b.into()));
        }
        (node, b)
    }

    /// A length or count field (A-XDR).
    pub fn count(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<usize>) {
        let start = self.pos();
        let n = self.length();
        let node = self.node(parent, id, start);
        self.set_kind(node, NodeKind::Length);
        if let Some(n) = n {
            self.set_value(node, Msg::Uint(n as u64));
        }
        (node, n)
    }

    /// `count` items read by `item` into `parent`, stopping on failure or when
    /// an item reads nothing (so no count can make the loop run away).
    pub fn items(&mut self, parent: NodeRef, count: usize, mut item: impl FnMut(&mut Self, NodeRef, usize)) {
        for i in 0..count {
            if self.failed || self.at_end() {
                if !self.failed {
                    let at = self.abs();
                    let message = Msg::Code(text::items_missing, (count - i) as u64);
                    self.f.diag(Severity::Error, Span::at(at, 0), "dlt698.data.truncated", message);
                    self.failed = true;
                }
                break;
            }
            let before = self.pos();
            item(self, parent, i);
            if self.pos() == before {
                break;
            }
        }
    }

    /// Read with `f` as if only the next `n` bytes existed, then move past them.
    /// A failure inside stays inside: the outer decode goes on after the `n`
    /// bytes. Windows nest at most [`MAX_DEPTH`] deep.
    pub fn window<T>(&mut self, n: usize, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        let full = self.cur;
        let end = (self.pos() + n).min(full.bytes().len());
        if self.failed {
            return None;
        }
        if self.depth >= MAX_DEPTH {
            let at = self.pos();
            self.fail_at(at, "dlt698.data.too-deep", msg!("data nested too deeply", "数据嵌套过深"));
            return None;
        }
        self.cur = full.until(end);
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        self.cur = full;
        self.cur.seek(end);
        self.failed = false;
        Some(out)
    }

    // ---- Data ----------------------------------------------------------

    /// One Data value (type tag and body) under `parent`, annotated by `hint` when given.
    pub fn data(&mut self, parent: NodeRef, hint: Option<Hint>) -> NodeRef {
        self.data_named(parent, hint, true, None).0
    }

    /// One Data value and its type tag, when the tag could be read.
    pub fn data_tagged(&mut self, parent: NodeRef, hint: Option<Hint>) -> (NodeRef, Option<u8>) {
        self.data_named(parent, hint, true, None)
    }

    /// One Data value; `element` is the array element it is, when that has a name.
    fn data_named(
        &mut self,
        parent: NodeRef,
        hint: Option<Hint>,
        name_elements: bool,
        element: Option<(Elements, usize)>,
    ) -> (NodeRef, Option<u8>) {
        let (node, t) = self.data_value(parent, hint, name_elements);
        if let Some((e, i)) = element {
            let packed = if self.prefixable == node { elements::pack(e, i) } else { None };
            let n = &mut self.f.nodes[node as usize];
            n.text = match (core::mem::take(&mut n.text), packed) {
                (Msg::Code(f, c), Some(p)) => Msg::Code(f, c | p),
                (Msg::None, _) => text::element_name(e, i),
                (old, _) => Msg::Concat(Box::new([text::element_name(e, i), Msg::Str(": "), old])),
            };
        }
        (node, t)
    }

    fn data_value(&mut self, parent: NodeRef, hint: Option<Hint>, name_elements: bool) -> (NodeRef, Option<u8>) {
        let start = self.pos();
        if self.depth >= MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", msg!("data nested too deeply", "数据嵌套过深"));
            return (self.node(parent, "dlt698.data", start), None);
        }
        let Some(t) = self.u8() else {
            return (self.node(parent, "dlt698.data", start), None);
        };
        let Some(id) = type_id(t) else {
            self.fail_at(start, "dlt698.data.unknown-type", Msg::Code(text::unknown_type, t.into()));
            let node = self.node(parent, "dlt698.data", start);
            self.set_kind(node, NodeKind::Unknown);
            self.type_node(node, start, t, Msg::Code(text::unknown_type, t.into()));
            return (node, Some(t));
        };
        let node = self.node(parent, id, start);
        self.type_node(node, start, t, Msg::Str(type_name(t).unwrap_or_default()));
        self.depth += 1;
        self.body(node, t, hint, name_elements);
        self.depth -= 1;
        self.close(node, start);
        (node, Some(t))
    }

    fn type_node(&mut self, parent: NodeRef, start: usize, t: u8, text: Msg) {
        let n = self.node(parent, "dlt698.data.type", start);
        self.f.node_mut(n).kind(NodeKind::Control).value(Msg::Uint(t.into())).text(text);
    }

    /// The body of a value of type `t` (no tag byte), as a node with id `id`.
    pub fn typed(&mut self, parent: NodeRef, t: u8, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.depth += 1;
        self.body(node, t, None, false);
        self.depth -= 1;
        self.close(node, start);
        node
    }

    /// Read the body of a value of type `t` into `node`, which starts here or
    /// at its type tag just before.
    fn body(&mut self, node: NodeRef, t: u8, hint: Option<Hint>, name_elements: bool) {
        let start = self.pos();
        if self.depth > MAX_DEPTH {
            self.fail_at(start, "dlt698.data.too-deep", msg!("data nested too deeply", "数据嵌套过深"));
            return;
        }
        match t {
            tag::NULL => self.set_value(node, Msg::Str("NULL")),
            tag::ARRAY | tag::STRUCTURE => {
                let (_, count) = self.count(node, "dlt698.data.length");
                let count = count.unwrap_or(0);
                let elements = hint.map(|h| h.elements).filter(|_| name_elements);
                self.items(node, count, |d, parent, i| {
                    let element = elements.filter(|e| e.has_name(i + 1)).map(|e| (e, i + 1));
                    d.data_named(parent, hint, false, element);
                });
                match text::pack_aggregate(t, count) {
                    Some(p) => self.set_prefixable(node, text::aggregate, p),
                    None => {
                        let name = type_name(t).unwrap_or("?");
                        self.set_text(node, msg!("{}[{}]", "{}[{}]", name, count));
                    }
                }
            }
            tag::BOOL => {
                if let Some(b) = self.u8() {
                    self.set_value(node, Msg::Str(if b != 0 { "true" } else { "false" }));
                }
            }
            tag::BIT_STRING => {
                let (_, bits) = self.count(node, "dlt698.data.length");
                let at = self.pos();
                let bytes = bits.and_then(|b| self.take(b.div_ceil(8)));
                if let (Some(bits), Some(b)) = (bits, bytes) {
                    let hex = self.hex(at, b.len());
                    let bit = |i: usize| b[i / 8] & (0x80 >> (i % 8)) != 0;
                    let value = if bits <= text::MAX_PACKED_BITS {
                        let v = (0..bits).fold(0u64, |a, i| a << 1 | u64::from(bit(i)));
                        Msg::Code(text::bits, (bits as u64) << 57 | v)
                    } else if bits <= 64 {
                        Msg::owned((0..bits).map(|i| if bit(i) { '1' } else { '0' }).collect::<String>())
                    } else {
                        hex.clone()
                    };
                    self.set_value(node, value);
                    self.set_text(node, Msg::Concat(Box::new([Msg::Code(text::bit_string_head, bits as u64), hex])));
                }
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
                let Some(b) = self.take(n) else { return };
                let raw = int_value(b, signed);
                match hint.filter(|_| t != tag::ENUM) {
                    Some(h) => {
                        self.set_value(node, scaled_msg(raw, h.scaler));
                        match text::pack_scaled(t, raw, h.scaler) {
                            Some(p) => self.set_prefixable(node, text::scaled, p),
                            None => {
                                let name = type_name(t).unwrap_or("?");
                                let raw = i64::try_from(raw).map_or(Arg::Uint(raw as u64), Arg::Int);
                                let m = msg!(
                                    "{}, raw {}, scaler {}",
                                    "{}，原始值 {}，换算 {}",
                                    name,
                                    raw,
                                    i32::from(h.scaler)
                                );
                                self.set_text(node, m);
                            }
                        }
                        if let Some(u) = crate::units::dlt698_symbol(h.unit) {
                            self.set_unit(node, Msg::Str(u));
                        }
                    }
                    None => self.set_value(node, int_msg(raw)),
                }
            }
            tag::OCTET_STRING | tag::MAC | tag::RN => self.octets_in(node, start),
            tag::VISIBLE_STRING | tag::UTF8_STRING => {
                let (_, n) = self.count(node, "dlt698.data.length");
                let at = self.pos();
                if let Some(b) = n.and_then(|n| self.take(n)) {
                    let value = if b.iter().all(|c| (0x20..0x7F).contains(c)) {
                        Msg::Ascii(Span::at(self.cur.base() + at, b.len()))
                    } else {
                        Msg::owned(String::from_utf8_lossy(b))
                    };
                    self.set_value(node, value);
                }
            }
            tag::FLOAT32 => {
                if let Some(b) = self.take(4) {
                    let bits = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                    self.set_value(node, Msg::Code(text::float32, bits.into()));
                }
            }
            tag::FLOAT64 => {
                if let Some(b) = self.take(8) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    self.set_value(node, Msg::Code(text::float64, u64::from_be_bytes(a)));
                }
            }
            tag::DATE_TIME => self.date_time_in(node, start, 10),
            tag::DATE => self.date_time_in(node, start, 5),
            tag::TIME => self.date_time_in(node, start, 3),
            tag::DATE_TIME_S => self.date_time_in(node, start, 7),
            tag::OI => {
                let Some(b) = self.take(2) else { return };
                let oi = u16::from_be_bytes([b[0], b[1]]);
                let hex = self.hex(start, 2);
                self.set_value(node, hex);
                if dictionary::has_object_name(oi) {
                    self.set_text(node, Msg::Code(text::object, oi.into()));
                }
            }
            tag::OAD => {
                self.oad_in(node, start);
            }
            tag::ROAD => {
                self.road_in(node, start);
            }
            tag::OMD => self.omd_in(node, start),
            tag::TI => self.ti_in(node, start),
            tag::TSA => self.tsa_in(node, start),
            tag::REGION => {
                let (u, unit) = self.byte(node, "dlt698.region.unit", NodeKind::Control);
                if let Some(k @ 0..=3) = unit {
                    const NAMES: [(&str, &str); 4] = [
                        ("[start, end)", "前闭后开"),
                        ("(start, end]", "前开后闭"),
                        ("[start, end]", "前闭后闭"),
                        ("(start, end)", "前开后开"),
                    ];
                    let (en, zh) = NAMES[k as usize];
                    self.set_text(u, Msg::Bi(en, zh));
                }
                self.data(node, hint);
                self.data(node, hint);
            }
            tag::SCALER_UNIT => {
                if let Some(b) = self.take(2) {
                    self.set_value(node, Msg::Code(text::scaler_unit, u64::from(b[0]) << 8 | u64::from(b[1])));
                }
            }
            tag::RSD => self.rsd_in(node, start),
            tag::CSD => {
                self.csd_in(node, start);
            }
            tag::MS => self.ms_in(node, start),
            tag::SID => self.sid_in(node, start),
            tag::SID_MAC => {
                self.sid(node, "dlt698.sid_mac.sid");
                self.octets(node, "dlt698.sid_mac.mac");
            }
            tag::COMDCB => self.comdcb_in(node, start),
            tag::RCSD => {
                self.rcsd_in(node, start);
            }
            _ => {}
        }
    }

    /// A length-prefixed octet string (also MAC and RN).
    pub fn octets(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.octets_in(node, start);
        node
    }

    fn octets_in(&mut self, node: NodeRef, start: usize) {
        let (_, n) = self.count(node, "dlt698.data.length");
        let at = self.pos();
        if let Some(b) = n.and_then(|n| self.take(n)) {
            let hex = self.hex(at, b.len());
            self.set_value(node, hex);
            if !b.is_empty() && b.iter().all(|c| (0x20..0x7F).contains(c)) {
                let ascii = Msg::Ascii(Span::at(self.cur.base() + at, b.len()));
                self.set_text(node, Msg::Concat(Box::new([Msg::Str("\""), ascii, Msg::Str("\"")])));
            }
        }
        self.close(node, start);
    }

    /// date_time (10 bytes), date (5), time (3) or date_time_s (7).
    pub fn date_time(&mut self, parent: NodeRef, id: &'static str, n: usize) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.date_time_in(node, start, n);
        node
    }

    fn date_time_in(&mut self, node: NodeRef, start: usize, n: usize) {
        let at = self.pos();
        let b = self.take(n);
        self.close(node, start);
        let Some(b) = b else { return };
        // One leaf per field: (id, offset, length).
        let fields: &[(&'static str, usize, usize)] = match n {
            10 => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.week", 4, 1),
                ("dlt698.date_time.hour", 5, 1),
                ("dlt698.date_time.minute", 6, 1),
                ("dlt698.date_time.second", 7, 1),
                ("dlt698.date_time.millis", 8, 2),
            ],
            5 => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.week", 4, 1),
            ],
            3 => {
                &[("dlt698.date_time.hour", 0, 1), ("dlt698.date_time.minute", 1, 1), ("dlt698.date_time.second", 2, 1)]
            }
            _ => &[
                ("dlt698.date_time.year", 0, 2),
                ("dlt698.date_time.month", 2, 1),
                ("dlt698.date_time.day", 3, 1),
                ("dlt698.date_time.hour", 4, 1),
                ("dlt698.date_time.minute", 5, 1),
                ("dlt698.date_time.second", 6, 1),
            ],
        };
        for &(id, off, len) in fields {
            let span = Span::at(self.cur.base() + at + off, len);
            let v = if len == 2 { u16::from_be_bytes([b[off], b[off + 1]]) } else { u16::from(b[off]) };
            // The field's range; all ones says "not specified" (freeze and
            // report times of any day or hour).
            let range = match id {
                "dlt698.date_time.month" => 1..=12,
                "dlt698.date_time.day" => 1..=31,
                "dlt698.date_time.week" => 0..=6,
                "dlt698.date_time.hour" => 0..=23,
                "dlt698.date_time.minute" | "dlt698.date_time.second" => 0..=59,
                "dlt698.date_time.millis" => 0..=999,
                _ => 0..=u16::MAX,
            };
            let unspecified = if len == 2 { v == 0xFFFF } else { v == 0xFF };
            if !range.contains(&v) && !unspecified {
                let m = msg!(
                    "{} is out of range for this date-time field ({}–{})",
                    "{} 超出此日期时间字段的范围({}–{})",
                    v,
                    *range.start(),
                    *range.end()
                );
                self.diag(Severity::Error, span, "dlt698.date_time.range", m);
            }
            let id = self.id(id);
            let leaf = self.node_at(node, id, span, NodeKind::Data);
            self.set_value(leaf, Msg::Uint(v.into()));
        }
        let year = || u16::from_be_bytes([b[0], b[1]]);
        match n {
            10 => {
                let dt = Msg::Code(text::date_time, text::pack_date_time(year(), [b[2], b[3], b[5], b[6], b[7]]));
                let ms = Msg::Code(text::millis, u64::from(u16::from_be_bytes([b[8], b[9]])));
                self.set_value(node, Msg::Concat(Box::new([dt, ms])));
                self.set_text(node, Msg::Code(text::week, b[4].into()));
            }
            5 => {
                let v = u64::from(year()) << 16 | u64::from(b[2]) << 8 | u64::from(b[3]);
                self.set_value(node, Msg::Code(text::date, v));
                self.set_text(node, Msg::Code(text::week, b[4].into()));
            }
            3 => {
                let v = u64::from(b[0]) << 16 | u64::from(b[1]) << 8 | u64::from(b[2]);
                self.set_value(node, Msg::Code(text::time, v));
            }
            _ => {
                let v = text::pack_date_time(year(), [b[2], b[3], b[4], b[5], b[6]]);
                self.set_value(node, Msg::Code(text::date_time, v));
            }
        }
    }

    /// An OAD: OI, attribute (with feature bits 7..5), element index.
    pub fn oad(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<(u16, u8, u8)>) {
        let (node, start) = self.open(parent, id);
        let v = self.oad_in(node, start);
        (node, v)
    }

    fn oad_in(&mut self, node: NodeRef, start: usize) -> Option<(u16, u8, u8)> {
        let b = self.take(4);
        self.close(node, start);
        let b = b?;
        let (oi, attr, index) = (u16::from_be_bytes([b[0], b[1]]), b[2], b[3]);
        let a = self.cur.base() + start;
        let id = self.id("dlt698.oad.oi");
        let n = self.node_at(node, id, Span::at(a, 2), NodeKind::Address);
        let hex = self.hex(start, 2);
        self.set_value(n, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(n, Msg::Code(text::object, oi.into()));
        }
        let id = self.id("dlt698.oad.attr");
        let n = self.node_at(node, id, Span::at(a + 2, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(u64::from(attr & 0x1F)));
        if dictionary::attribute_names(oi, attr).is_some() || attr >> 5 != 0 {
            self.set_text(n, Msg::Code(text::attribute, u64::from(oi) << 8 | u64::from(attr)));
        }
        let id = self.id("dlt698.oad.index");
        let n = self.node_at(node, id, Span::at(a + 3, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(index.into()));
        if index == 0 {
            self.set_text(n, Msg::Bi("whole attribute", "全部元素"));
        } else if let Some(p) = dictionary::hint(oi, attr).and_then(|h| elements::pack(h.elements, index.into())) {
            self.set_text(n, Msg::Code(text::element, p));
        }
        let hex = self.hex(start, 4);
        self.set_value(node, hex);
        if dictionary::has_object_name(oi) {
            let v = u64::from(oi) << 16 | u64::from(attr) << 8 | u64::from(index);
            self.set_text(node, Msg::Code(text::oad, v));
        }
        Some((oi, attr, index))
    }

    /// An OMD: OI, method identifier, operation mode.
    pub fn omd(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.omd_in(node, start);
        node
    }

    fn omd_in(&mut self, node: NodeRef, start: usize) {
        let b = self.take(4);
        self.close(node, start);
        let Some(b) = b else { return };
        let (oi, method) = (u16::from_be_bytes([b[0], b[1]]), b[2]);
        let a = self.cur.base() + start;
        let id = self.id("dlt698.omd.oi");
        let n = self.node_at(node, id, Span::at(a, 2), NodeKind::Address);
        let hex = self.hex(start, 2);
        self.set_value(n, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(n, Msg::Code(text::object, oi.into()));
        }
        let id = self.id("dlt698.omd.method");
        let n = self.node_at(node, id, Span::at(a + 2, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(method.into()));
        if dictionary::method_names(oi, method).is_some() {
            self.set_text(n, Msg::Code(text::method, u64::from(oi) << 8 | u64::from(method)));
        }
        let id = self.id("dlt698.omd.mode");
        let n = self.node_at(node, id, Span::at(a + 3, 1), NodeKind::Data);
        self.set_value(n, Msg::Uint(b[3].into()));
        let hex = self.hex(start, 4);
        self.set_value(node, hex);
        if dictionary::has_object_name(oi) {
            self.set_text(node, Msg::Code(text::omd, u64::from(oi) << 8 | u64::from(method)));
        }
    }

    /// A ROAD: an OAD and the OADs related to it.
    pub fn road(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<Column>) {
        let (node, start) = self.open(parent, id);
        let col = self.road_in(node, start);
        (node, col)
    }

    fn road_in(&mut self, node: NodeRef, start: usize) -> Option<Column> {
        let at = self.pos();
        let (_, v) = self.oad(node, "dlt698.road.oad");
        let (_, count) = self.count(node, "dlt698.road.count");
        self.items(node, count.unwrap_or(0), |d, parent, _| {
            d.oad(parent, "dlt698.road.related");
        });
        self.close(node, start);
        let (oi, attr, index) = v?;
        let hex = self.hex(at, 4);
        self.set_value(node, hex);
        Some(Column { oi, attr, index, road: true })
    }

    /// A TI: unit and interval.
    pub fn ti(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.ti_in(node, start);
        node
    }

    fn ti_in(&mut self, node: NodeRef, start: usize) {
        let b = self.take(3);
        self.close(node, start);
        if let Some(b) = b {
            let v = u64::from(b[0]) << 16 | u64::from(u16::from_be_bytes([b[1], b[2]]));
            self.set_value(node, Msg::Code(text::interval, v));
        }
    }

    /// A TSA: octet string whose first byte gives the address length − 1.
    pub fn tsa(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.tsa_in(node, start);
        node
    }

    fn tsa_in(&mut self, node: NodeRef, start: usize) {
        let (_, n) = self.count(node, "dlt698.data.length");
        let at = self.pos();
        let b = n.and_then(|n| self.take(n));
        self.close(node, start);
        let Some(b) = b else { return };
        match b.split_first() {
            Some((flag, addr)) => {
                let a = self.cur.base() + at;
                let id = self.id("dlt698.tsa.flag");
                let f = self.node_at(node, id, Span::at(a, 1), NodeKind::Data);
                self.set_value(f, Msg::Code(text::hex2, (*flag).into()));
                let id = self.id("dlt698.tsa.address");
                let ad = self.node_at(node, id, Span::at(a + 1, addr.len()), NodeKind::Address);
                let hex = self.hex(at + 1, addr.len());
                self.set_value(ad, hex.clone());
                self.set_value(node, hex);
                if (*flag & 0x0F) as usize + 1 != addr.len() {
                    let m = msg!("the TSA flag gives another address length", "TSA 地址标志中的长度与地址字节数不符");
                    self.diag(Severity::Warning, Span::at(a, 1), "dlt698.tsa.length", m);
                }
            }
            None => self.set_value(node, Msg::Str("")),
        }
    }

    /// A CSD: an OAD [0] or a ROAD [1].
    pub fn csd(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Option<Column>) {
        let (node, start) = self.open(parent, id);
        let col = self.csd_in(node, start);
        (node, col)
    }

    fn csd_in(&mut self, node: NodeRef, start: usize) -> Option<Column> {
        let (_, c) = self.byte(node, "dlt698.csd.choice", NodeKind::Control);
        let at = self.pos();
        let col = match c {
            Some(0) => {
                let (o, v) = self.oad(node, "dlt698.csd.oad");
                let text = self.text_of(o);
                self.set_text(node, text);
                v.map(|(oi, attr, index)| Column { oi, attr, index, road: false })
            }
            Some(1) => self.road(node, "dlt698.csd.road").1,
            Some(_) => {
                self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown CSD choice", "未知的 CSD 选择"));
                None
            }
            None => None,
        };
        self.close(node, start);
        if col.is_some() {
            let hex = self.hex(at, 4);
            self.set_value(node, hex);
        }
        col
    }

    /// An RCSD: SEQUENCE OF CSD. Returns the columns it selects.
    pub fn rcsd(&mut self, parent: NodeRef, id: &'static str) -> (NodeRef, Vec<Column>) {
        let (node, start) = self.open(parent, id);
        let cols = self.rcsd_in(node, start);
        (node, cols)
    }

    fn rcsd_in(&mut self, node: NodeRef, start: usize) -> Vec<Column> {
        let (_, count) = self.count(node, "dlt698.data.length");
        let mut cols = Vec::new();
        self.items(node, count.unwrap_or(0), |d, parent, _| {
            cols.extend(d.csd(parent, "dlt698.data.csd").1);
        });
        self.close(node, start);
        self.set_text(node, Msg::Code(text::columns, cols.len() as u64));
        cols
    }

    /// An MS (meter set) choice.
    pub fn ms(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.ms_in(node, start);
        node
    }

    fn ms_in(&mut self, node: NodeRef, start: usize) {
        const NAMES: [(&str, &str); 8] = [
            ("no meters", "无电能表"),
            ("all user addresses", "全部用户地址"),
            ("a set of user types", "一组用户类型"),
            ("a set of user addresses", "一组用户地址"),
            ("a set of configuration numbers", "一组配置序号"),
            ("user type regions", "一组用户类型区间"),
            ("user address regions", "一组用户地址区间"),
            ("configuration number regions", "一组配置序号区间"),
        ];
        let (_, c) = self.byte(node, "dlt698.ms.choice", NodeKind::Control);
        if let Some(k) = c {
            if let Some(&(en, zh)) = NAMES.get(k as usize) {
                self.set_text(node, Msg::Bi(en, zh));
            }
            let elem: Option<(u8, &'static str)> = match k {
                0 | 1 => None,
                2 => Some((tag::UNSIGNED, "dlt698.data.unsigned")),
                3 => Some((tag::TSA, "dlt698.data.tsa")),
                4 => Some((tag::LONG_UNSIGNED, "dlt698.data.long-unsigned")),
                5..=7 => Some((tag::REGION, "dlt698.data.region")),
                _ => {
                    self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown MS choice", "未知的 MS 选择"));
                    None
                }
            };
            if let Some((t, eid)) = elem {
                let (_, count) = self.count(node, "dlt698.data.length");
                self.items(node, count.unwrap_or(0), |d, parent, _| {
                    d.typed(parent, t, eid);
                });
            }
        }
        self.close(node, start);
    }

    /// An RSD: selector 0–10 and its parameters.
    pub fn rsd(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.rsd_in(node, start);
        node
    }

    fn rsd_in(&mut self, node: NodeRef, start: usize) {
        let (_, s) = self.byte(node, "dlt698.rsd.selector", NodeKind::Control);
        let Some(s) = s else { return self.close(node, start) };
        match s {
            0 => {}
            1 => {
                self.oad(node, "dlt698.rsd.oad");
                self.data(node, None);
            }
            2 => self.selector2(node),
            3 => {
                let (_, count) = self.count(node, "dlt698.data.length");
                self.items(node, count.unwrap_or(0), |d, parent, _| {
                    let (n, s) = d.open(parent, "dlt698.rsd.selector2");
                    d.selector2(n);
                    d.close(n, s);
                });
            }
            4 | 5 => {
                self.date_time(node, "dlt698.rsd.time", 7);
                self.ms(node, "dlt698.data.ms");
            }
            6..=8 => {
                self.date_time(node, "dlt698.rsd.start", 7);
                self.date_time(node, "dlt698.rsd.end", 7);
                self.ti(node, "dlt698.data.ti");
                self.ms(node, "dlt698.data.ms");
            }
            9 => {
                self.byte(node, "dlt698.rsd.last", NodeKind::Data);
            }
            10 => {
                self.byte(node, "dlt698.rsd.last", NodeKind::Data);
                self.ms(node, "dlt698.data.ms");
            }
            _ => self.fail_at(start, "dlt698.data.bad-choice", msg!("unknown RSD selector", "未知的 RSD 选择方法")),
        }
        self.close(node, start);
        self.set_text(node, Msg::Code(text::selector, s.into()));
    }

    fn selector2(&mut self, parent: NodeRef) {
        self.oad(parent, "dlt698.rsd.oad");
        for _ in 0..3 {
            self.data(parent, None);
        }
    }

    /// A SID: identifier and additional data.
    pub fn sid(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.sid_in(node, start);
        node
    }

    fn sid_in(&mut self, node: NodeRef, start: usize) {
        self.raw(node, "dlt698.sid.ident", 4);
        self.octets(node, "dlt698.sid.data");
        self.close(node, start);
    }

    /// A COMDCB: baud rate, parity, data bits, stop bits, flow control.
    pub fn comdcb(&mut self, parent: NodeRef, id: &'static str) -> NodeRef {
        let (node, start) = self.open(parent, id);
        self.comdcb_in(node, start);
        node
    }

    fn comdcb_in(&mut self, node: NodeRef, start: usize) {
        const FLOW: [(&str, &str); 3] =
            [("no flow control", "无流控"), ("hardware", "硬件流控"), ("software", "软件流控")];
        let b = self.take(5);
        self.close(node, start);
        let Some(b) = b else { return };
        let v = b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x));
        self.set_value(node, Msg::Code(text::comdcb, v));
        let flow = FLOW.get(b[4] as usize).map_or(Msg::Str("?"), |&(en, zh)| Msg::Bi(en, zh));
        self.set_text(node, flow);
    }
}

fn int_value(b: &[u8], signed: bool) -> i128 {
    let u = b.iter().fold(0u128, |a, &x| (a << 8) | x as u128);
    if signed && !b.is_empty() && b[0] & 0x80 != 0 { u as i128 - (1i128 << (8 * b.len())) } else { u as i128 }
}

/// An integer as a value.
fn int_msg(raw: i128) -> Msg {
    match i64::try_from(raw) {
        Ok(v) => Msg::Int(v),
        Err(_) => Msg::Uint(raw as u64),
    }
}

/// `raw × 10^scaler` as a value, exactly (what [`scaled`] writes).
fn scaled_msg(raw: i128, scaler: i8) -> Msg {
    let Ok(m) = i64::try_from(raw) else { return Msg::owned(scaled(raw, scaler)) };
    if scaler >= 0 {
        match 10i64.checked_pow(scaler as u32).and_then(|p| m.checked_mul(p)) {
            Some(v) => Msg::Int(v),
            None => Msg::owned(scaled(raw, scaler)),
        }
    } else if scaler >= -18 {
        Msg::Decimal { mantissa: m, scale: scaler.unsigned_abs() }
    } else {
        Msg::owned(scaled(raw, scaler))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::view::Node;

    /// One Data value at offset 100, rendered in English, its diagnostics'
    /// codes and the bytes it read.
    fn one(bytes: &[u8]) -> (Node, Vec<String>, usize) {
        let mut f = Frame::new(super::super::NAME, bytes, 100);
        let pos = {
            let mut d = Dec::new(&mut f, bytes, 100);
            d.data(NONE, None);
            d.pos()
        };
        let v = f.render(Lang::En);
        (v.tree, v.diagnostics.iter().map(|d| d.code.clone()).collect(), pos)
    }

    #[test]
    fn scalers() {
        assert_eq!(scaled(2413, -1), "241.3");
        assert_eq!(scaled(5, -3), "0.005");
        assert_eq!(scaled(-5, -3), "-0.005");
        assert_eq!(scaled(12, 2), "1200");
        assert_eq!(scaled(0, 2), "0");
        assert_eq!(scaled(12345678, -4), "1234.5678");
        for (raw, scaler) in [(2413, -1), (5, -3), (-5, -3), (12, 2), (0, 2), (0, -2), (-1, 0), (i64::MAX as i128, 1)] {
            assert_eq!(scaled_msg(raw, scaler).to_string(Lang::En), scaled(raw, scaler), "{raw} {scaler}");
        }
        assert_eq!(scaled_msg(u64::MAX as i128, -2).to_string(Lang::En), "184467440737095516.15");
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
            (&[0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "18446744073709551615"),
            (&[0x09, 0x02, 0xAB, 0xCD], "ABCD"),
            (&[0x0A, 0x02, b'h', b'i'], "hi"),
            (&[0x0C, 0x03, 0xE4, 0xBD, 0xA0], "你"),
            (&[0x04, 0x08, 0xA0], "10100000"),
            (
                &[0x04, 0x40, 0x80, 0, 0, 0, 0, 0, 0, 1],
                "1000000000000000000000000000000000000000000000000000000000000001",
            ),
            (&[0x04, 0x48, 1, 2, 3, 4, 5, 6, 7, 8, 9], "010203040506070809"),
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
            (&[0x18, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0], "1.5"),
        ];
        for (bytes, want) in cases {
            let (n, diags, pos) = one(bytes);
            assert!(diags.is_empty(), "{bytes:02X?}: {diags:?}");
            assert_eq!(pos, bytes.len(), "{bytes:02X?} not fully read");
            assert_eq!(n.value.as_deref(), Some(*want), "{bytes:02X?}");
            assert_eq!(n.span, Span::at(100, bytes.len()));
        }
    }

    #[test]
    fn nested_structures_and_hints() {
        // array[3] of long-unsigned, voltage hint: phase names, scaled values.
        let b = [0x01, 0x03, 0x12, 0x09, 0x6D, 0x12, 0x09, 0x6E, 0x12, 0x09, 0x6F];
        let mut f = Frame::new(super::super::NAME, &b, 0);
        Dec::new(&mut f, &b, 0).data(NONE, dictionary::hint(0x2000, 2));
        let n = f.render(Lang::En).tree;
        assert_eq!(n.children.len(), 5); // type, length, 3 items
        assert_eq!(n.children[2].value.as_deref(), Some("241.3"));
        assert_eq!(n.children[2].unit.as_deref(), Some("V"));
        assert_eq!(n.children[2].text.as_deref(), Some("phase A: long-unsigned, raw 2413, scaler -1"));
        assert!(n.children[4].text.as_deref().unwrap().starts_with("phase C"));
        assert_eq!(n.children[3].id, "dlt698.data.long-unsigned.1");
        assert_eq!(
            f.render(Lang::Zh).tree.children[4].text.as_deref(),
            Some("C相: long-unsigned，原始值 2415，换算 -1")
        );
    }

    #[test]
    fn composite_types() {
        // RSD selector 5 with MS all, RCSD with a ROAD.
        let rsd = [0x5A, 0x05, 0x07, 0xE0, 0x0A, 0x1A, 0x00, 0x00, 0x00, 0x01];
        let (n, diags, pos) = one(&rsd);
        assert!(diags.is_empty() && pos == rsd.len(), "{diags:?}");
        assert_eq!(n.text.as_deref(), Some("selector 5"));
        let rcsd =
            [0x60, 0x02, 0x00, 0x40, 0x01, 0x02, 0x00, 0x01, 0x50, 0x04, 0x02, 0x00, 0x01, 0x00, 0x10, 0x02, 0x00];
        let mut f = Frame::new(super::super::NAME, &rcsd[1..], 0);
        let (_, cols) = Dec::new(&mut f, &rcsd[1..], 0).rcsd(NONE, "dlt698.data.rcsd");
        assert_eq!(cols.len(), 2);
        assert!(cols[1].road && cols[1].oi == 0x5004);
        let region = [0x58, 0x00, 0x11, 0x01, 0x11, 0x05];
        let (_, diags, pos) = one(&region);
        assert!(diags.is_empty() && pos == region.len());
        let sid_mac = [0x5E, 0x01, 0x02, 0x03, 0x04, 0x01, 0xAA, 0x02, 0xBB, 0xCC];
        let (_, diags, pos) = one(&sid_mac);
        assert!(diags.is_empty() && pos == sid_mac.len());
    }

    #[test]
    fn errors_are_pinned() {
        let f = dissect_data(&[0x12, 0x09], 100);
        assert_eq!(f.diagnostics[0].code, Id::Static("dlt698.data.truncated"));
        assert_eq!(f.diagnostics[0].span.start, 101);
        let f = dissect_data(&[0x07, 0x00], 100);
        assert_eq!(f.diagnostics[0].code, Id::Static("dlt698.data.unknown-type"));
        assert_eq!(f.diagnostics[0].span, Span::at(100, 1));
        // An array announcing more items than present stops at the end.
        let (_, diags, _) = one(&[0x01, 0x7F, 0x00, 0x00]);
        assert_eq!(diags[0], "dlt698.data.truncated");
        // A huge multi-byte length does not allocate or loop.
        let (_, diags, _) = one(&[0x09, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]);
        assert_eq!(diags[0], "dlt698.data.truncated");
        let (_, diags, _) = one(&[0x09, 0x85, 0x00]);
        assert_eq!(diags[0], "dlt698.data.bad-length");
        // Deep nesting is bounded.
        let deep: Vec<u8> = std::iter::repeat_n([0x01u8, 0x01], 100).flatten().collect();
        let (_, diags, _) = one(&deep);
        assert_eq!(diags[0], "dlt698.data.too-deep");
    }
}
