//! The dissection model: language-neutral and cheap to build.
//!
//! A dissector builds a [`Frame`]: its nodes in one flat arena (indices for
//! parent, children and siblings), each with a static dotted id, a byte span,
//! a typed [`Value`] and messages ([`Msg`]) that are keys and typed arguments,
//! not text. Checks and diagnostics are data of the same kind. Nothing here
//! is in a language: [`Frame::render`] and [`Dissection::render`] turn a
//! dissection into the owned, serialisable [`view`](crate::view) for one
//! language, at the edge, as often as a surface needs, without decoding again.
//!
//! Hex is never built per node: byte values are spans into the frame's bytes,
//! which the frame keeps (one copy per frame).

use core::fmt;

use crate::lang::{self, LabelTable, Lang};
use crate::span::Span;
use crate::view;

pub use crate::view::{NodeKind, Severity};

/// Index of a node in its frame's arena.
pub type NodeRef = u32;

/// No node (no parent, no child, no sibling).
pub const NONE: NodeRef = u32::MAX;

/// A message in English and Chinese: text with `{}` placeholders for its
/// arguments, in order (`{:02X}`, `{:04X}`, `{:x}`: hexadecimal with zero
/// padding; `{:5}`: a width). Made by [`msg!`](crate::msg); data, not code.
#[derive(Debug)]
pub struct Tpl {
    pub en: &'static str,
    pub zh: &'static str,
}

/// Names a code in a language: a dictionary's name of a DI, an OAD, an OBIS code…
pub type CodeFn = fn(u64, Lang, &mut dyn fmt::Write) -> fmt::Result;

/// A message rendered for a language at the edge.
#[derive(Clone, Default)]
pub enum Msg {
    /// Nothing.
    #[default]
    None,
    /// The label of the node's (or check's) id in the label tables.
    Label,
    /// Text that is the same in every language (codes, numbers, names in the bytes).
    Str(&'static str),
    /// Owned text that is the same in every language (read from the bytes).
    Owned(Box<str>),
    /// The same words in English and in Chinese.
    Bi(&'static str, &'static str),
    /// A message template and its typed arguments.
    Fmt(&'static Tpl, Box<[Arg]>),
    /// A code named at render time by a dictionary.
    Code(CodeFn, u64),
    /// Bytes of the frame as hex, spaced (`68 12`) or not (`6812`), optionally
    /// most significant byte (the last on the wire) first.
    Hex { span: Span, spaced: bool, reversed: bool },
    /// Bytes the dissector derived from the frame (unscrambled, decrypted,
    /// joined), kept once in [`Frame::derived`], as hex.
    Derived { at: u32, len: u32, spaced: bool, reversed: bool },
    /// Derived bytes as text, as written (lossy UTF-8): a decrypted telegram's lines.
    DerivedText { at: u32, len: u32 },
    /// Bytes of the frame as ASCII, `.` for what is not printable.
    Ascii(Span),
    /// An unsigned integer in hexadecimal with a `0x` prefix and at least
    /// `digits` digits (`0x0B`).
    HexNum { value: u64, digits: u8 },
    /// An unsigned integer in decimal.
    Uint(u64),
    /// A signed integer in decimal.
    Int(i64),
    /// `mantissa × 10^-scale`, printed with `scale` decimals (`-12.30`).
    Decimal { mantissa: i64, scale: u8 },
    /// Messages one after the other.
    Concat(Box<[Msg]>),
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msg({:?})", self.to_string(Lang::En))
    }
}

/// What a message may refer to while it is written.
#[derive(Clone, Copy, Default)]
pub struct RenderCx<'a> {
    /// The id [`Msg::Label`] names.
    pub id: &'a str,
    /// The frame's bytes, which start at absolute offset `base`.
    pub bytes: &'a [u8],
    pub base: usize,
    /// The frame's derived bytes.
    pub derived: &'a [u8],
    /// The label table of the family that made the message (the shared
    /// table is searched after it).
    pub labels: LabelTable,
}

impl Msg {
    pub fn is_none(&self) -> bool {
        matches!(self, Msg::None)
    }

    /// Whether the message holds memory of its own (dropping the others is
    /// free, and skipped where many are dropped at once).
    #[inline]
    fn owns_memory(&self) -> bool {
        // Listed the other way round, so that a new variant is dropped.
        !matches!(
            self,
            Msg::None
                | Msg::Label
                | Msg::Str(_)
                | Msg::Bi(..)
                | Msg::Code(..)
                | Msg::Hex { .. }
                | Msg::Derived { .. }
                | Msg::DerivedText { .. }
                | Msg::Ascii(_)
                | Msg::HexNum { .. }
                | Msg::Uint(_)
                | Msg::Int(_)
                | Msg::Decimal { .. }
        )
    }

    /// Messages one after the other with `sep` between them.
    pub fn joined(parts: Vec<Msg>, sep: &'static str) -> Msg {
        let mut out = Vec::with_capacity(parts.len() * 2);
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(Msg::Str(sep));
            }
            out.push(p);
        }
        Msg::Concat(out.into_boxed_slice())
    }

    /// Put `new` in `slot`, dropping the old message only if it holds memory.
    #[inline]
    fn put(slot: &mut Msg, new: Msg) {
        // The old message is looked at before the new one is written, so
        // that the new one is written straight into the slot (reading the
        // old one back after building the new one beside it stalled).
        if slot.owns_memory() {
            *slot = new;
        } else {
            core::mem::forget(core::mem::replace(slot, new));
        }
    }

    /// Owned text, the same in every language.
    pub fn owned(s: impl Into<String>) -> Msg {
        Msg::Owned(s.into().into_boxed_str())
    }

    /// Bytes of the frame as spaced hex (`68 12`).
    pub fn hex(span: Span) -> Msg {
        Msg::Hex { span, spaced: true, reversed: false }
    }

    /// Write this message in a language.
    pub fn write(&self, w: &mut dyn fmt::Write, lang: Lang, cx: &RenderCx) -> fmt::Result {
        let (id, bytes, base) = (cx.id, cx.bytes, cx.base);
        match self {
            Msg::None => Ok(()),
            Msg::Label => w.write_str(lang::lookup(cx.labels, id).map_or(id, |(en, zh)| lang.pick(en, zh))),
            Msg::Str(s) => w.write_str(s),
            Msg::Owned(s) => w.write_str(s),
            Msg::Bi(en, zh) => w.write_str(lang.pick(en, zh)),
            Msg::Fmt(tpl, args) => write_tpl(w, lang.pick(tpl.en, tpl.zh), args, lang, cx),
            Msg::Code(name, code) => name(*code, lang, w),
            Msg::Hex { span, spaced, reversed } => {
                let start = span.start.saturating_sub(base).min(bytes.len());
                let end = span.end.saturating_sub(base).clamp(start, bytes.len());
                write_hex(w, &bytes[start..end], *spaced, *reversed)
            }
            Msg::Derived { at, len, spaced, reversed } => {
                let start = (*at as usize).min(cx.derived.len());
                let end = start.saturating_add(*len as usize).min(cx.derived.len());
                write_hex(w, &cx.derived[start..end], *spaced, *reversed)
            }
            Msg::DerivedText { at, len } => {
                let start = (*at as usize).min(cx.derived.len());
                let end = start.saturating_add(*len as usize).min(cx.derived.len());
                w.write_str(&String::from_utf8_lossy(&cx.derived[start..end]))
            }
            Msg::Ascii(span) => {
                let start = span.start.saturating_sub(base).min(bytes.len());
                let end = span.end.saturating_sub(base).clamp(start, bytes.len());
                bytes[start..end]
                    .iter()
                    .try_for_each(|&b| w.write_char(if (0x20..0x7F).contains(&b) { b as char } else { '.' }))
            }
            Msg::HexNum { value, digits } => write!(w, "0x{value:0width$X}", width = usize::from(*digits)),
            Msg::Uint(v) => write!(w, "{v}"),
            Msg::Int(v) => write!(w, "{v}"),
            Msg::Decimal { mantissa, scale } => write_decimal(w, *mantissa, *scale),
            Msg::Concat(parts) => parts.iter().try_for_each(|p| p.write(w, lang, cx)),
        }
    }

    /// This message as a string in a language (for messages that name no
    /// label and no frame bytes: diagnostics, check values, arguments).
    pub fn to_string(&self, lang: Lang) -> String {
        let mut s = String::new();
        let _ = self.write(&mut s, lang, &RenderCx::default());
        s
    }

    /// This message as a string, with what it refers to.
    pub fn render(&self, lang: Lang, cx: &RenderCx) -> String {
        let mut s = String::new();
        let _ = self.write(&mut s, lang, cx);
        s
    }
}

/// Hex digits of bytes, upper case.
pub fn write_hex(w: &mut dyn fmt::Write, b: &[u8], spaced: bool, reversed: bool) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 96];
    let mut n = 0;
    let mut first = true;
    let mut emit = |x: u8, w: &mut dyn fmt::Write| -> fmt::Result {
        if n + 3 > buf.len() {
            // Safe: only ASCII digits and spaces are written.
            w.write_str(core::str::from_utf8(&buf[..n]).unwrap_or(""))?;
            n = 0;
        }
        if spaced && !first {
            buf[n] = b' ';
            n += 1;
        }
        first = false;
        buf[n] = DIGITS[usize::from(x >> 4)];
        buf[n + 1] = DIGITS[usize::from(x & 15)];
        n += 2;
        Ok(())
    };
    if reversed {
        for &x in b.iter().rev() {
            emit(x, w)?;
        }
    } else {
        for &x in b {
            emit(x, w)?;
        }
    }
    w.write_str(core::str::from_utf8(&buf[..n]).unwrap_or(""))
}

/// `mantissa × 10^-scale` with `scale` decimals.
pub fn write_decimal(w: &mut dyn fmt::Write, mantissa: i64, scale: u8) -> fmt::Result {
    if scale == 0 {
        return write!(w, "{mantissa}");
    }
    let p = 10u64.saturating_pow(u32::from(scale));
    let m = mantissa.unsigned_abs();
    let sign = if mantissa < 0 { "-" } else { "" };
    write!(w, "{sign}{}.{:0width$}", m / p, m % p, width = usize::from(scale))
}

/// A typed argument of a formatted message.
#[derive(Clone)]
pub enum Arg {
    Uint(u64),
    Int(i64),
    Str(&'static str),
    Owned(Box<str>),
    Bi(&'static str, &'static str),
    Code(CodeFn, u64),
    Msg(Box<Msg>),
}

impl From<u8> for Arg {
    fn from(v: u8) -> Self {
        Arg::Uint(v.into())
    }
}
impl From<u16> for Arg {
    fn from(v: u16) -> Self {
        Arg::Uint(v.into())
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Uint(v.into())
    }
}
impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Arg::Uint(v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Arg::Uint(v as u64)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Arg::Int(v.into())
    }
}
impl From<&'static str> for Arg {
    fn from(v: &'static str) -> Self {
        Arg::Str(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Owned(v.into_boxed_str())
    }
}
impl From<Msg> for Arg {
    fn from(v: Msg) -> Self {
        match v {
            Msg::Str(s) => Arg::Str(s),
            Msg::Owned(s) => Arg::Owned(s),
            Msg::Bi(en, zh) => Arg::Bi(en, zh),
            Msg::Code(f, c) => Arg::Code(f, c),
            Msg::Uint(v) => Arg::Uint(v),
            Msg::Int(v) => Arg::Int(v),
            other => Arg::Msg(Box::new(other)),
        }
    }
}

/// Write a template: literal text, `{{`/`}}` escapes, and a placeholder
/// (`{}` or `{:[0][width][X|x]}`) for each argument in turn.
fn write_tpl(w: &mut dyn fmt::Write, tpl: &str, args: &[Arg], lang: Lang, cx: &RenderCx) -> fmt::Result {
    let b = tpl.as_bytes();
    let mut args = args.iter();
    let (mut i, mut lit) = (0, 0);
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'{', Some(b'{')) | (b'}', Some(b'}')) => {
                w.write_str(&tpl[lit..=i])?;
                i += 2;
                lit = i;
            }
            (b'{', _) => {
                w.write_str(&tpl[lit..i])?;
                let close = tpl[i..].find('}').map_or(b.len(), |j| i + j);
                let spec = tpl.get(i + 1..close).unwrap_or("");
                match args.next() {
                    Some(a) => write_arg(w, a, spec.strip_prefix(':').unwrap_or(spec), lang, cx)?,
                    None => w.write_str(&tpl[i..close.min(b.len() - 1) + 1])?,
                }
                i = close + 1;
                lit = i.min(b.len());
            }
            _ => i += 1,
        }
    }
    w.write_str(&tpl[lit.min(b.len())..])
}

/// One argument by a placeholder's spec: `[0][width][X|x]`.
fn write_arg(w: &mut dyn fmt::Write, a: &Arg, spec: &str, lang: Lang, cx: &RenderCx) -> fmt::Result {
    let zero = spec.starts_with('0');
    let (digits, kind) = match spec.as_bytes().last() {
        Some(b'X') => (&spec[..spec.len() - 1], Some(true)),
        Some(b'x') => (&spec[..spec.len() - 1], Some(false)),
        _ => (spec, None),
    };
    let width: usize = digits.parse().unwrap_or(0);
    let number = match *a {
        Arg::Uint(v) => Some(v as i128),
        Arg::Int(v) => Some(v as i128),
        _ => None,
    };
    match (number, kind) {
        (Some(v), Some(upper)) => {
            let v = v as u64;
            match (upper, zero) {
                (true, true) => write!(w, "{v:0width$X}"),
                (true, false) => write!(w, "{v:width$X}"),
                (false, true) => write!(w, "{v:0width$x}"),
                (false, false) => write!(w, "{v:width$x}"),
            }
        }
        (Some(v), None) if zero => write!(w, "{v:0width$}"),
        (Some(v), None) => write!(w, "{v:width$}"),
        (None, _) => {
            let mut s = String::new();
            match a {
                Arg::Str(t) => s.push_str(t),
                Arg::Owned(t) => s.push_str(t),
                Arg::Bi(en, zh) => s.push_str(lang.pick(en, zh)),
                Arg::Code(name, code) => name(*code, lang, &mut s)?,
                Arg::Msg(m) => m.write(&mut s, lang, cx)?,
                Arg::Uint(_) | Arg::Int(_) => {}
            }
            write!(w, "{s:width$}")
        }
    }
}

/// A message in English and Chinese with typed arguments, rendered at the
/// edge: `msg!("the end byte is 0x{:02X}, not 0x16", "结束符是 0x{:02X}，不是 0x16", byte)`.
/// Both texts take the arguments in order (see [`model::Tpl`](crate::model::Tpl));
/// the texts are data, so a message costs no code of its own.
#[macro_export]
macro_rules! msg {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::model::Msg::Bi($en, $zh)
    };
    ($en:literal, $zh:literal, $($a:expr),+ $(,)?) => {{
        static TPL: $crate::model::Tpl = $crate::model::Tpl { en: $en, zh: $zh };
        $crate::model::Msg::Fmt(&TPL, ::std::boxed::Box::new([$($crate::model::Arg::from($a)),+]))
    }};
}

/// A node's id: static and dotted (`dlt645.data.di`), with an optional
/// numeric last segment for repeated items (`dlt645.data.value.3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Id {
    Static(&'static str),
    Indexed(&'static str, u32),
    /// A number inside the id: `key[..at]`, `.{index}`, `key[at..]`, then
    /// `.{last}` unless `last` is `u32::MAX` (`dlms.data.3.year` from the
    /// key `dlms.data.year`); labelled by `key`.
    Inner {
        key: &'static str,
        at: u16,
        index: u32,
        last: u32,
    },
    /// An id made at run time (dissectors not yet on static ids).
    Owned(Box<str>),
}

impl Id {
    pub fn write(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Id::Static(s) => w.write_str(s),
            Id::Indexed(s, i) => write!(w, "{s}.{i}"),
            Id::Inner { key, at, index, last } => {
                let at = usize::from(*at).min(key.len());
                write!(w, "{}.{index}{}", &key[..at], &key[at..])?;
                if *last != u32::MAX { write!(w, ".{last}") } else { Ok(()) }
            }
            Id::Owned(s) => w.write_str(s),
        }
    }

    /// `key` with a number after its first `at` bytes (see [`Id::Inner`]).
    pub fn inner(key: &'static str, at: usize, index: u32) -> Id {
        Id::Inner { key, at: at as u16, index, last: u32::MAX }
    }

    /// The id as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = self.write(&mut s);
        s
    }

    /// The id without its index: the key of its label.
    pub fn key(&self) -> &str {
        match self {
            Id::Static(s) | Id::Indexed(s, _) | Id::Inner { key: s, .. } => s,
            Id::Owned(s) => s,
        }
    }
}

impl From<&'static str> for Id {
    fn from(s: &'static str) -> Self {
        Id::Static(s)
    }
}

/// How often each static id has been seen in one frame, for dissectors that
/// number repeated ids (`dlms.data.3`): an open-addressing table kept inline
/// (no allocation for the few dozen ids of a frame), the ids compared by
/// address first, with a list for the rest.
pub struct Occurrences {
    slots: [(&'static str, u32); Occurrences::SLOTS],
    used: usize,
    more: Vec<(&'static str, u32)>,
}

impl Default for Occurrences {
    fn default() -> Self {
        Occurrences { slots: [("", 0); Occurrences::SLOTS], used: 0, more: Vec::new() }
    }
}

impl Occurrences {
    const SLOTS: usize = 32;

    /// Count one more occurrence of `id`; returns how many there have been (1 the first time).
    pub fn count(&mut self, id: &'static str) -> u32 {
        let mask = Self::SLOTS - 1;
        let mut i = Self::hash(id) & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.0.is_empty() {
                if 4 * (self.used + 1) > 3 * Self::SLOTS {
                    break;
                }
                *slot = (id, 1);
                self.used += 1;
                return 1;
            }
            if core::ptr::eq(slot.0, id) || slot.0 == id {
                slot.1 += 1;
                return slot.1;
            }
            i = (i + 1) & mask;
        }
        // The table is three quarters full: the rest in a list.
        match self.more.iter_mut().find(|s| s.0 == id) {
            Some(s) => {
                s.1 += 1;
                s.1
            }
            None => {
                self.more.push((id, 1));
                1
            }
        }
    }

    /// Ids share their first segments (`dlt698.apdu.`): hash the length and the last eight bytes.
    fn hash(s: &str) -> usize {
        let b = s.as_bytes();
        let tail = match b.len().checked_sub(8) {
            Some(at) => u64::from_le_bytes(b[at..].try_into().unwrap_or([0; 8])),
            None => b.iter().fold(0, |a, &x| a << 8 | u64::from(x)),
        };
        let h = (tail ^ (b.len() as u64).rotate_left(56)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 40) as usize
    }
}

/// One node of a frame's arena.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: Id,
    pub span: Span,
    pub kind: NodeKind,
    /// Machine-readable value (`9.64`, `00010000`, `1-0:1.8.0*255`).
    pub value: Msg,
    /// The explanation.
    pub text: Msg,
    pub parent: NodeRef,
    pub first_child: NodeRef,
    pub last_child: NodeRef,
    pub next_sibling: NodeRef,
    /// Index in [`Frame::extras`] of the node's label and unit, or [`NONE`]:
    /// the label of the id and no unit, as most nodes have. Keeping them
    /// aside keeps the arena's nodes small.
    pub extra: NodeRef,
}

/// A node's label, when it is not the label of its id, and its unit.
#[derive(Clone, Debug)]
pub struct Extra {
    pub label: Msg,
    pub unit: Msg,
}

impl Default for Extra {
    fn default() -> Self {
        Extra { label: Msg::Label, unit: Msg::None }
    }
}

/// A check as data: the value stated in the bytes against the value computed.
#[derive(Clone, Debug)]
pub struct Check {
    pub id: Id,
    pub label: Msg,
    pub stated: Msg,
    pub computed: Msg,
    pub ok: bool,
    pub span: Span,
}

impl Check {
    /// The check in one language; `cx` gives the bytes its messages refer to
    /// (its own id is added for [`Msg::Label`]).
    pub fn render(&self, lang: Lang, cx: &RenderCx) -> view::Check {
        let id = self.id.to_text();
        let cx = RenderCx { id: &id, ..*cx };
        view::Check {
            label: self.label.render(lang, &cx),
            stated: self.stated.render(lang, &cx),
            computed: self.computed.render(lang, &cx),
            ok: self.ok,
            span: self.span,
            id,
        }
    }
}

/// A finding pinned to bytes.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    /// Stable dotted code (`dlt645.cs.mismatch`).
    pub code: Id,
    pub message: Msg,
}

impl Diagnostic {
    pub fn new(severity: Severity, span: Span, code: impl Into<Id>, message: Msg) -> Self {
        Diagnostic { severity, span, code: code.into(), message }
    }
}

/// One dissected frame: its bytes, its node arena (the root first), checks
/// and diagnostics.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Registry name (`dlt645-2007`), or `unknown`.
    pub protocol: &'static str,
    pub span: Span,
    /// True when no check failed and no diagnostic is an error (after the policy).
    pub valid: bool,
    /// The frame's bytes; `bytes[0]` is at absolute offset `span.start`.
    pub bytes: Vec<u8>,
    pub nodes: Vec<Node>,
    /// Labels and units of the nodes that have them (see [`Node::extra`]).
    pub extras: Vec<Extra>,
    pub checks: Vec<Check>,
    pub diagnostics: Vec<Diagnostic>,
    /// Bytes derived from the frame (see [`Msg::Derived`]).
    pub derived: Vec<u8>,
    /// The label table of the family that made the frame (the shared one
    /// is searched after it): the family gives it, the core knows no family.
    pub labels: LabelTable,
}

/// A node being built: setters that chain.
pub struct NodeMut<'a> {
    frame: &'a mut Frame,
    index: NodeRef,
}

impl NodeMut<'_> {
    pub fn index(&self) -> NodeRef {
        self.index
    }
    fn node(&mut self) -> &mut Node {
        &mut self.frame.nodes[self.index as usize]
    }
    pub fn value(mut self, v: Msg) -> Self {
        Msg::put(&mut self.node().value, v);
        self
    }
    pub fn unit(self, u: Msg) -> Self {
        self.frame.extra_mut(self.index).unit = u;
        self
    }
    pub fn text(mut self, t: Msg) -> Self {
        Msg::put(&mut self.node().text, t);
        self
    }
    pub fn label(self, l: Msg) -> Self {
        self.frame.extra_mut(self.index).label = l;
        self
    }
    pub fn kind(mut self, k: NodeKind) -> Self {
        self.node().kind = k;
        self
    }
    pub fn span(mut self, s: Span) -> Self {
        self.node().span = s;
        self
    }
}

/// The vectors of dropped frames (node arena, extras, checks, diagnostics,
/// derived bytes, bytes), kept emptied for the next frames of this thread:
/// taking warm ones back costs less than asking the allocator for fresh ones
/// and giving them back every frame.
mod spare {
    use super::{Check, Diagnostic, Extra, Node};
    use std::cell::RefCell;

    /// Sets kept at most.
    const KEEP: usize = 8;
    /// The largest vectors kept: nodes, other items, bytes.
    const LARGEST_NODES: usize = 4096;
    const LARGEST_ITEMS: usize = 1024;
    const LARGEST_BYTES: usize = 1 << 16;

    /// A frame's vectors, all empty.
    #[derive(Default)]
    pub struct Parts {
        pub nodes: Vec<Node>,
        pub extras: Vec<Extra>,
        pub checks: Vec<Check>,
        pub diagnostics: Vec<Diagnostic>,
        pub derived: Vec<u8>,
        pub bytes: Vec<u8>,
    }

    thread_local! {
        static SPARE: RefCell<Vec<Parts>> = const { RefCell::new(Vec::new()) };
    }

    /// Empty vectors, warm when a dropped frame left some.
    pub fn take() -> Parts {
        SPARE.try_with(|s| s.borrow_mut().pop()).ok().flatten().unwrap_or_default()
    }

    /// Keep emptied vectors for later, unless enough are kept; the largest
    /// ones are let go.
    pub fn give(mut p: Parts) {
        debug_assert!(p.nodes.is_empty() && p.extras.is_empty() && p.checks.is_empty());
        debug_assert!(p.diagnostics.is_empty() && p.derived.is_empty() && p.bytes.is_empty());
        if p.nodes.capacity() == 0 && p.bytes.capacity() == 0 {
            return;
        }
        if p.nodes.capacity() > LARGEST_NODES {
            p.nodes = Vec::new();
        }
        if p.extras.capacity() > LARGEST_ITEMS {
            p.extras = Vec::new();
        }
        if p.checks.capacity() > LARGEST_ITEMS {
            p.checks = Vec::new();
        }
        if p.diagnostics.capacity() > LARGEST_ITEMS {
            p.diagnostics = Vec::new();
        }
        if p.derived.capacity() > LARGEST_BYTES {
            p.derived = Vec::new();
        }
        if p.bytes.capacity() > LARGEST_BYTES {
            p.bytes = Vec::new();
        }
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < KEEP {
                s.push(p);
            }
        });
    }
}

/// Empty `v` without running the drop code of its items, which the caller
/// has made hold no memory.
fn forget_items<T>(v: &mut Vec<T>) {
    // SAFETY: shortening to 0 only forgets the items (leaking is safe), and
    // the callers have dropped whatever memory they held.
    unsafe { v.set_len(0) };
}

/// Drop a message in place if it holds memory (most do not).
#[inline]
fn release(m: &mut Msg) {
    if m.owns_memory() {
        *m = Msg::None;
    }
}

/// Drop an id in place if it holds memory.
#[inline]
fn release_id(id: &mut Id) {
    if let Id::Owned(_) = id {
        *id = Id::Static("");
    }
}

impl Drop for Frame {
    /// Drops the messages that hold memory and skips the rest, which are
    /// most of them (dropping every message one by one was a tenth of the
    /// time of a dissection), and keeps the emptied vectors for the next
    /// frame.
    fn drop(&mut self) {
        let mut nodes = core::mem::take(&mut self.nodes);
        for n in nodes.iter_mut() {
            release(&mut n.value);
            release(&mut n.text);
            release_id(&mut n.id);
        }
        forget_items(&mut nodes);
        let mut extras = core::mem::take(&mut self.extras);
        for e in extras.iter_mut() {
            release(&mut e.label);
            release(&mut e.unit);
        }
        forget_items(&mut extras);
        let mut checks = core::mem::take(&mut self.checks);
        for c in checks.iter_mut() {
            release(&mut c.label);
            release(&mut c.stated);
            release(&mut c.computed);
            release_id(&mut c.id);
        }
        forget_items(&mut checks);
        let mut diagnostics = core::mem::take(&mut self.diagnostics);
        for d in diagnostics.iter_mut() {
            release(&mut d.message);
            release_id(&mut d.code);
        }
        forget_items(&mut diagnostics);
        let mut derived = core::mem::take(&mut self.derived);
        derived.clear();
        let mut bytes = core::mem::take(&mut self.bytes);
        bytes.clear();
        spare::give(spare::Parts { nodes, extras, checks, diagnostics, derived, bytes });
    }
}

impl Frame {
    /// An empty frame over `bytes`, which start at absolute offset `base`.
    pub fn new(protocol: &'static str, bytes: &[u8], base: usize) -> Self {
        let spare::Parts { mut nodes, extras, checks, diagnostics, derived, bytes: mut own } = spare::take();
        nodes.reserve(24);
        own.extend_from_slice(bytes);
        Frame {
            protocol,
            span: Span::at(base, bytes.len()),
            valid: true,
            bytes: own,
            nodes,
            extras,
            checks,
            diagnostics,
            derived,
            labels: &[],
        }
    }

    /// The frame with its family's label table.
    pub fn with_labels(mut self, labels: LabelTable) -> Self {
        self.labels = labels;
        self
    }

    /// Room for at least `n` more nodes.
    pub fn reserve_nodes(&mut self, n: usize) {
        self.nodes.reserve(n);
    }

    /// Keep bytes derived from the frame; returns where they start in [`Frame::derived`].
    #[inline]
    pub fn derive(&mut self, bytes: &[u8]) -> u32 {
        let at = self.derived.len() as u32;
        self.derived.extend_from_slice(bytes);
        at
    }

    /// Add a node under `parent` (or a root with [`NONE`]), as its last child.
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, span: Span, kind: NodeKind) -> NodeMut<'_> {
        let index = self.nodes.len() as NodeRef;
        let id = id.into();
        // The node is written straight into the arena's spare room: building
        // it on the stack and copying it in costs more than the rest of `add`.
        self.nodes.reserve(1);
        self.nodes.spare_capacity_mut()[0].write(Node {
            id,
            span,
            kind,
            value: Msg::None,
            text: Msg::None,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            extra: NONE,
        });
        // SAFETY: `reserve(1)` made room for one more node, and the slot at
        // the current length was initialised just above.
        unsafe { self.nodes.set_len(index as usize + 1) };
        // A new node has no children, so it cannot be above its parent.
        if (parent as usize) < self.nodes.len() - 1 {
            self.link(parent, index);
        }
        NodeMut { frame: self, index }
    }

    /// The label of a node: [`Msg::Label`] unless one was set.
    pub fn label_of(&self, index: NodeRef) -> &Msg {
        const LABEL: &Msg = &Msg::Label;
        match self.nodes.get(index as usize).map_or(NONE, |n| n.extra) {
            NONE => LABEL,
            e => &self.extras[e as usize].label,
        }
    }

    /// The unit of a node ([`Msg::None`] when it has none).
    pub fn unit_of(&self, index: NodeRef) -> &Msg {
        const NO_UNIT: &Msg = &Msg::None;
        match self.nodes.get(index as usize).map_or(NONE, |n| n.extra) {
            NONE => NO_UNIT,
            e => &self.extras[e as usize].unit,
        }
    }

    fn extra_mut(&mut self, index: NodeRef) -> &mut Extra {
        let n = &mut self.nodes[index as usize];
        if n.extra == NONE {
            n.extra = self.extras.len() as NodeRef;
            self.extras.push(Extra::default());
        }
        &mut self.extras[n.extra as usize]
    }

    /// Link `child` (detached) as the last child of `parent`.
    fn link(&mut self, parent: NodeRef, child: NodeRef) {
        let (p, c) = (parent as usize, child as usize);
        self.nodes[c].parent = parent;
        match self.nodes[p].last_child {
            NONE => self.nodes[p].first_child = child,
            last => self.nodes[last as usize].next_sibling = child,
        }
        self.nodes[p].last_child = child;
    }

    /// Make a detached node the last child of `parent`.
    pub fn attach(&mut self, parent: NodeRef, child: NodeRef) {
        let (p, c) = (parent as usize, child as usize);
        if p >= self.nodes.len() || c >= self.nodes.len() || self.nodes[c].parent != NONE {
            return;
        }
        // No cycles: the parent must not be the child or lie below it.
        let mut up = parent;
        while up != NONE {
            if up == child {
                return;
            }
            up = self.nodes[up as usize].parent;
        }
        self.link(parent, child);
    }

    /// Change a node after it was added.
    pub fn node_mut(&mut self, index: NodeRef) -> NodeMut<'_> {
        assert!((index as usize) < self.nodes.len(), "no node {index}");
        NodeMut { frame: self, index }
    }

    pub fn node(&self, index: NodeRef) -> Option<&Node> {
        self.nodes.get(index as usize)
    }

    /// The children of a node, in order.
    pub fn children(&self, index: NodeRef) -> Children<'_> {
        Children { frame: self, next: self.node(index).map_or(NONE, |n| n.first_child) }
    }

    #[inline]
    pub fn check(&mut self, check: Check) {
        self.checks.push(check);
    }

    #[inline]
    pub fn diag(&mut self, severity: Severity, span: Span, code: impl Into<Id>, message: Msg) {
        self.diagnostics.push(Diagnostic::new(severity, span, code, message));
    }

    /// Derive `valid` from the checks and diagnostics; call when done.
    pub fn finish(mut self) -> Self {
        self.valid =
            self.checks.iter().all(|c| c.ok) && !self.diagnostics.iter().any(|d| d.severity == Severity::Error);
        self
    }

    /// The bytes of an absolute span that lies in this frame.
    pub fn slice(&self, span: Span) -> &[u8] {
        let start = span.start.saturating_sub(self.span.start).min(self.bytes.len());
        let end = span.end.saturating_sub(self.span.start).clamp(start, self.bytes.len());
        &self.bytes[start..end]
    }

    fn write(&self, m: &Msg, lang: Lang, id: &str) -> Option<String> {
        if m.is_none() {
            return None;
        }
        let cx =
            RenderCx { id, bytes: &self.bytes, base: self.span.start, derived: &self.derived, labels: self.labels };
        let mut s = String::new();
        let _ = m.write(&mut s, lang, &cx);
        Some(s)
    }

    /// The frame for one language, in the owned shape every surface shows and
    /// serialises.
    pub fn render(&self, lang: Lang) -> view::Frame {
        let tree = if self.nodes.is_empty() {
            view::Node::new(self.protocol, self.protocol, self.span)
        } else {
            self.render_node(0, lang)
        };
        let cx = RenderCx {
            bytes: &self.bytes,
            base: self.span.start,
            derived: &self.derived,
            labels: self.labels,
            ..RenderCx::default()
        };
        let checks = self.checks.iter().map(|c| c.render(lang, &cx)).collect();
        let diagnostics = self
            .diagnostics
            .iter()
            .map(|d| {
                let code = d.code.to_text();
                view::Diagnostic {
                    severity: d.severity,
                    offset: d.span.start,
                    span: d.span,
                    message: self.write(&d.message, lang, &code).unwrap_or_default(),
                    code,
                }
            })
            .collect();
        view::Frame {
            protocol: self.protocol.to_string(),
            span: self.span,
            valid: self.valid,
            checks,
            tree,
            diagnostics,
        }
    }

    fn render_node(&self, index: NodeRef, lang: Lang) -> view::Node {
        let n = &self.nodes[index as usize];
        let id = n.id.to_text();
        let label = match self.label_of(index) {
            Msg::Label => lang::lookup(self.labels, n.id.key())
                .map_or_else(|| id.clone(), |(en, zh)| lang.pick(en, zh).to_string()),
            other => self.write(other, lang, &id).unwrap_or_default(),
        };
        let mut out = view::Node::new(String::new(), label, n.span).kind(n.kind);
        out.value = self.write(&n.value, lang, &id);
        out.unit = self.write(self.unit_of(index), lang, &id);
        out.text = self.write(&n.text, lang, &id);
        out.id = id;
        let mut c = n.first_child;
        while c != NONE {
            out.children.push(self.render_node(c, lang));
            c = self.nodes[c as usize].next_sibling;
        }
        out
    }
}

/// The children of a node.
pub struct Children<'a> {
    frame: &'a Frame,
    next: NodeRef,
}

impl<'a> Iterator for Children<'a> {
    type Item = (NodeRef, &'a Node);
    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next;
        let n = self.frame.node(i)?;
        self.next = n.next_sibling;
        Some((i, n))
    }
}

/// Bytes between frames that no frame claims. Reported, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Junk {
    pub span: Span,
    /// Why the bytes were skipped (`preamble`, `unrecognised`).
    pub reason: &'static str,
}

/// A finding across the frames of one input (see [`view::Analysis`]).
#[derive(Clone, Debug)]
pub struct Analysis {
    pub id: Id,
    /// Usually [`Msg::Label`]: the label of the id.
    pub title: Msg,
    pub status: Msg,
    pub ok: bool,
    pub parts: Vec<Part>,
    /// Checks over several frames: (frame index, check).
    pub checks: Vec<(usize, Check)>,
    /// The joined bytes dissected (spans are offsets in them), or a table.
    pub frame: Option<Frame>,
    /// The label table of the family that made the analysis.
    pub labels: LabelTable,
}

/// One part of an [`Analysis`].
#[derive(Clone, Debug)]
pub struct Part {
    pub frame: usize,
    pub label: Msg,
    pub span: Span,
    pub len: usize,
}

impl Analysis {
    /// The analysis in one language.
    pub fn render(&self, lang: Lang) -> view::Analysis {
        let id = self.id.to_text();
        let cx = RenderCx { id: &id, labels: self.labels, ..RenderCx::default() };
        view::Analysis {
            title: self.title.render(lang, &cx),
            status: self.status.render(lang, &cx),
            ok: self.ok,
            parts: self
                .parts
                .iter()
                .map(|p| view::Part { frame: p.frame, label: p.label.render(lang, &cx), span: p.span, len: p.len })
                .collect(),
            checks: self
                .checks
                .iter()
                .map(|(frame, c)| {
                    let check = c.render(lang, &RenderCx { labels: self.labels, ..RenderCx::default() });
                    view::FrameCheck { frame: *frame, check }
                })
                .collect(),
            bytes: self.frame.as_ref().filter(|f| !f.bytes.is_empty()).map(|f| crate::input::to_hex(&f.bytes)),
            frame: self.frame.as_ref().map(|f| f.render(lang)),
            id,
        }
    }
}

/// Everything the core makes of one input, in no language: frames and junk,
/// and the findings across frames.
#[derive(Clone, Debug, Default)]
pub struct Dissection {
    pub frames: Vec<Frame>,
    pub junk: Vec<Junk>,
    pub analyses: Vec<Analysis>,
}

impl Dissection {
    /// True when there is at least one frame and every frame is valid.
    pub fn all_valid(&self) -> bool {
        !self.frames.is_empty() && self.frames.iter().all(|f| f.valid)
    }

    /// The dissection for one language.
    pub fn render(&self, lang: Lang) -> view::Dissection {
        view::Dissection {
            frames: self.frames.iter().map(|f| f.render(lang)).collect(),
            junk: self.junk.iter().map(|j| view::Junk { span: j.span, reason: j.reason.to_string() }).collect(),
            analyses: self.analyses.iter().map(|a| a.render(lang)).collect(),
        }
    }
}

/// Grafting one dissected frame into another: a frame nested in the data of
/// another protocol's frame (a DL/T 645 frame forwarded inside a Q/GDW 1376
/// frame) is dissected by its own protocol and then shown in place.
impl Frame {
    /// Copy the whole of `inner` (nodes, extras, checks, diagnostics and
    /// derived bytes) into this frame, its root nodes as the last children of
    /// `parent`, and return the index of its first root.
    ///
    /// `inner` must have been dissected over bytes that are this frame's
    /// bytes at `inner.span` (same absolute offsets: built with the right
    /// `base`), so that its spans and hex values land on the same bytes here.
    /// Labels the inner frame would take from its own family's table are
    /// resolved now into English/Chinese labels ([`Msg::Bi`]), so the nodes
    /// render with their own family's words under the outer family's table;
    /// derived-byte references are moved to where the inner derived bytes
    /// land. The inner checks and errors count towards this frame's validity
    /// when [`Frame::finish`] is called. With no `parent` in this frame the
    /// inner roots stay roots. Returns [`NONE`] when `inner` has no nodes.
    pub fn graft(&mut self, parent: NodeRef, inner: &Frame) -> NodeRef {
        let offset = self.nodes.len() as NodeRef;
        let shift = self.derived.len() as u32;
        self.derived.extend_from_slice(&inner.derived);
        let resolve = |id: &Id| lang::lookup(inner.labels, id.key());
        let moved = |r: NodeRef| if r == NONE { NONE } else { r + offset };
        for n in &inner.nodes {
            let own = resolve(&n.id);
            let (label, unit) = match inner.extras.get(n.extra as usize) {
                Some(e) => (regraft(&e.label, shift, own), regraft(&e.unit, shift, own)),
                None => (regraft(&Msg::Label, shift, own), Msg::None),
            };
            let extra = if matches!(label, Msg::Label) && unit.is_none() {
                NONE
            } else {
                self.extras.push(Extra { label, unit });
                (self.extras.len() - 1) as NodeRef
            };
            self.nodes.push(Node {
                id: n.id.clone(),
                span: n.span,
                kind: n.kind,
                value: regraft(&n.value, shift, own),
                text: regraft(&n.text, shift, own),
                parent: moved(n.parent),
                first_child: moved(n.first_child),
                last_child: moved(n.last_child),
                next_sibling: moved(n.next_sibling),
                extra,
            });
        }
        if (parent as usize) < offset as usize {
            for (i, n) in inner.nodes.iter().enumerate() {
                if n.parent == NONE {
                    self.link(parent, offset + i as NodeRef);
                }
            }
        }
        for c in &inner.checks {
            let own = resolve(&c.id);
            self.checks.push(Check {
                id: c.id.clone(),
                label: regraft(&c.label, shift, own),
                stated: regraft(&c.stated, shift, own),
                computed: regraft(&c.computed, shift, own),
                ok: c.ok,
                span: c.span,
            });
        }
        for d in &inner.diagnostics {
            let own = resolve(&d.code);
            let message = regraft(&d.message, shift, own);
            self.diagnostics.push(Diagnostic { severity: d.severity, span: d.span, code: d.code.clone(), message });
        }
        if inner.nodes.is_empty() { NONE } else { offset }
    }
}

/// A message of a grafted frame as it reads in the frame it is grafted into:
/// the label of its id (`own`, from its family's table) written in, and
/// derived bytes `shift` further on (a label the inner table lacks stays
/// [`Msg::Label`]: the outer and shared tables are searched for it).
fn regraft(m: &Msg, shift: u32, own: Option<(&'static str, &'static str)>) -> Msg {
    match m {
        Msg::Label => own.map_or(Msg::Label, |(en, zh)| Msg::Bi(en, zh)),
        Msg::Derived { at, len, spaced, reversed } => {
            Msg::Derived { at: at.saturating_add(shift), len: *len, spaced: *spaced, reversed: *reversed }
        }
        Msg::DerivedText { at, len } => Msg::DerivedText { at: at.saturating_add(shift), len: *len },
        Msg::Concat(parts) => Msg::Concat(parts.iter().map(|p| regraft(p, shift, own)).collect()),
        Msg::Fmt(tpl, args) => Msg::Fmt(
            tpl,
            args.iter()
                .map(|a| match a {
                    Arg::Msg(inner) => Arg::Msg(Box::new(regraft(inner, shift, own))),
                    other => other.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Frame {
        let mut f = Frame::new("toy", &[0x68, 0x12, 0x34, 0x16], 10);
        let root = f.add(NONE, "check", Span::at(10, 4), NodeKind::Data).index();
        f.add(root, "unknown.row", Span::at(11, 2), NodeKind::Data)
            .value(Msg::hex(Span::at(11, 2)))
            .unit(Msg::Str("kWh"))
            .text(crate::msg!("{} byte(s) at 0x{:02X}", "{} 个字节，位于 0x{:02X}", 2u8, 0x0Bu8));
        f.add(root, Id::Indexed("unknown.row", 3), Span::at(13, 1), NodeKind::Check)
            .value(Msg::Hex { span: Span::at(11, 2), spaced: false, reversed: true })
            .text(Msg::Decimal { mantissa: -1230, scale: 2 });
        f.diag(Severity::Error, Span::at(13, 1), "toy.bad", crate::msg!("bad", "坏"));
        f.finish()
    }

    #[test]
    fn renders_in_either_language_from_one_build() {
        let f = sample();
        assert!(!f.valid);
        let en = f.render(Lang::En);
        let zh = f.render(Lang::Zh);
        assert_eq!(en.tree.label, "Check");
        assert_eq!(zh.tree.label, "校验");
        let a = &en.tree.children[0];
        assert_eq!((a.id.as_str(), a.label.as_str()), ("unknown.row", "Bytes"));
        assert_eq!((a.value.as_deref(), a.unit.as_deref()), (Some("12 34"), Some("kWh")));
        assert_eq!(a.text.as_deref(), Some("2 byte(s) at 0x0B"));
        assert_eq!(zh.tree.children[0].text.as_deref(), Some("2 个字节，位于 0x0B"));
        let b = &zh.tree.children[1];
        assert_eq!((b.id.as_str(), b.label.as_str()), ("unknown.row.3", "字节"));
        assert_eq!((b.value.as_deref(), b.text.as_deref()), (Some("3412"), Some("-12.30")));
        assert_eq!(en.diagnostics[0].message, "bad");
        assert_eq!(zh.diagnostics[0].message, "坏");
        assert_eq!(f.children(0).count(), 2);
    }

    #[test]
    fn attach_refuses_cycles_and_second_parents() {
        let mut f = Frame::new("toy", &[1, 2], 0);
        let a = f.add(NONE, "a", Span::at(0, 2), NodeKind::Data).index();
        let b = f.add(a, "b", Span::at(0, 1), NodeKind::Data).index();
        f.attach(b, a); // a is above b: a cycle
        f.attach(a, b); // b already has a parent
        f.attach(a, a);
        assert_eq!(f.children(a).count(), 1);
        assert_eq!(f.children(b).count(), 0);
        assert_eq!(f.nodes[a as usize].parent, NONE);
    }

    #[test]
    fn templates() {
        let m = crate::msg!("{} of {:04X} {{x}} {:x}|{:3}|{:>}", "{}", 7u8, 0xABu16, 255u8, "ab", Msg::Bi("q", "r"));
        assert_eq!(m.to_string(Lang::En), "7 of 00AB {x} ff|ab |q");
        assert_eq!(m.to_string(Lang::Zh), "7");
        assert_eq!(crate::msg!("{} and {}", "{}", 1u8).to_string(Lang::En), "1 and {}", "an argument short");
        let m = Msg::Fmt(&Tpl { en: "a {} b {} c {", zh: "" }, Box::new([Arg::Uint(1)]));
        assert_eq!(m.to_string(Lang::En), "a 1 b {} c {");
    }

    #[test]
    fn decimals_and_hex() {
        let mut s = String::new();
        write_decimal(&mut s, 5, 3).unwrap();
        write_hex(&mut s, &[0xAB; 40], true, false).unwrap();
        assert!(s.starts_with("0.005AB AB"));
        assert_eq!(s.len(), 5 + 40 * 3 - 1);
    }

    #[test]
    fn occurrences_count_each_id() {
        let mut seen = Occurrences::default();
        let names: Vec<&'static str> = (0..300).map(|i| &*Box::leak(format!("dlt698.x{i}").into_boxed_str())).collect();
        for round in 1..=3u32 {
            for n in &names {
                assert_eq!(seen.count(n), round);
            }
        }
        // The same text at another address counts as the same id.
        let copy: &'static str = Box::leak(String::from("dlt698.x7").into_boxed_str());
        assert_eq!(seen.count(copy), 4);
    }
}

#[cfg(test)]
mod graft_tests {
    use super::*;

    static INNER: LabelTable = &[("inner", "Inner frame", "内层帧"), ("inner.cs", "Inner checksum", "内层校验")];
    static OUTER: LabelTable = &[("outer", "Outer frame", "外层帧"), ("outer.data", "Data", "数据")];

    #[test]
    fn a_grafted_frame_keeps_its_links_labels_and_derived_bytes() {
        let bytes = [0x68, 0x01, 0x02, 0x03, 0x16];
        let mut inner = Frame::new("in", &bytes[1..4], 11).with_labels(INNER);
        let at = inner.derive(&[0xAA, 0xBB]);
        let r = inner.add(NONE, "inner", Span::at(11, 3), NodeKind::Data).index();
        inner.add(r, "inner.cs", Span::at(13, 1), NodeKind::Check).value(Msg::Derived {
            at,
            len: 2,
            spaced: true,
            reversed: false,
        });
        inner.add(r, "inner.none", Span::at(12, 1), NodeKind::Data).value(Msg::hex(Span::at(12, 1)));
        inner.check(Check {
            id: "inner.cs".into(),
            label: Msg::Label,
            stated: Msg::Uint(1),
            computed: Msg::Uint(2),
            ok: false,
            span: Span::at(13, 1),
        });
        let mut outer = Frame::new("out", &bytes, 10).with_labels(OUTER);
        outer.derive(&[0x01]);
        let root = outer.add(NONE, "outer", Span::at(10, 5), NodeKind::Data).index();
        let data = outer.add(root, "outer.data", Span::at(11, 3), NodeKind::Data).index();
        let first = outer.graft(data, &inner);
        outer.add(root, "outer.data", Span::at(14, 1), NodeKind::Data);
        let outer = outer.finish();
        assert_eq!(first, 2);
        assert!(!outer.valid, "the inner check counts");
        for lang in [Lang::En, Lang::Zh] {
            let v = outer.render(lang);
            let g = &v.tree.children[0].children[0];
            assert_eq!(g.label, lang.pick("Inner frame", "内层帧"));
            assert_eq!(g.children[0].label, lang.pick("Inner checksum", "内层校验"));
            assert_eq!(g.children[0].value.as_deref(), Some("AA BB"));
            assert_eq!((g.children[1].label.as_str(), g.children[1].value.as_deref()), ("inner.none", Some("02")));
            assert_eq!(v.checks[0].label, lang.pick("Inner checksum", "内层校验"));
            assert_eq!(v.tree.children.len(), 2);
        }
        assert_eq!(outer.nodes.len(), 6);
    }
}
