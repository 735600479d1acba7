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

mod composite;
#[cfg(test)]
mod tests;
mod values;

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
    crate::session::Number::new(raw, scaler).to_string()
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
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub fn id(&mut self, base: &'static str) -> Id {
        match self.ids.count(base) {
            1 => Id::Static(base),
            n => Id::Indexed(base, n - 1),
        }
    }

    /// A node under `parent` with a unique id from `base`, spanning `start` to here.
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub fn node(&mut self, parent: NodeRef, base: &'static str, start: usize) -> NodeRef {
        let id = self.id(base);
        let span = self.span_from(start);
        self.f.add_inlined(parent, id, span, NodeKind::Data).index()
    }

    /// A node under `parent` with an id made by [`Dec::id`] and an absolute span.
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub fn node_at(&mut self, parent: NodeRef, id: Id, span: Span, kind: NodeKind) -> NodeRef {
        self.f.add_inlined(parent, id, span, kind).index()
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
        self.f.replace_text(node, |old| match old {
            Msg::None => first,
            old => Msg::Concat(Box::new([first, Msg::Str(sep), old])),
        });
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
