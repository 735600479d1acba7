//! Messages: keys and typed arguments, written for a language only when
//! rendered (labels, English/Chinese pairs, templates made by [`msg!`](crate::msg),
//! hex as spans, numbers, codes named by a dictionary).

use core::fmt;

use super::*;

/// A message in English and Chinese: text with `{}` placeholders for its
/// arguments, in order (`{:02X}`, `{:04X}`, `{:x}`: hexadecimal with zero
/// padding; `{:5}`: a width). Made by [`msg!`](crate::msg); data, not code.
#[derive(Debug)]
pub struct Tpl {
    pub en: &'static str,
    pub zh: &'static str,
}

/// Words in English and in Chinese kept in static data: a pair
/// `("en", "zh")`, or a dictionary row `(code, "en", "zh")` (a label table's
/// row `(id, "en", "zh")` among them), referred to without copying it.
pub trait Words: Sync {
    fn en(&self) -> &'static str;
    fn zh(&self) -> &'static str;
    fn pick(&self, lang: Lang) -> &'static str {
        lang.pick(self.en(), self.zh())
    }
}

impl Words for (&'static str, &'static str) {
    fn en(&self) -> &'static str {
        self.0
    }
    fn zh(&self) -> &'static str {
        self.1
    }
}

impl<T: Sync> Words for (T, &'static str, &'static str) {
    fn en(&self) -> &'static str {
        self.1
    }
    fn zh(&self) -> &'static str {
        self.2
    }
}

/// A template and its arguments in one allocation (see [`Msg::Fmt`]).
pub struct Fmt<A: ?Sized> {
    pub tpl: &'static Tpl,
    pub args: A,
}

/// Names a code in a language: a dictionary's name of a DI, an OAD, an OBIS code…
pub type CodeFn = fn(u64, Lang, &mut dyn fmt::Write) -> fmt::Result;

/// A message rendered for a language at the edge.
#[derive(Default)]
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
    /// The same words in English and in Chinese, in static data.
    Bi(&'static dyn Words),
    /// A message template and its typed arguments.
    Fmt(Box<Fmt<[Arg]>>),
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

impl Clone for Msg {
    fn clone(&self) -> Self {
        match self {
            Msg::None => Msg::None,
            Msg::Label => Msg::Label,
            Msg::Str(s) => Msg::Str(s),
            Msg::Owned(s) => Msg::Owned(s.clone()),
            Msg::Bi(w) => Msg::Bi(*w),
            Msg::Fmt(f) => Msg::fmt_iter(f.tpl, f.args.iter().cloned()),
            Msg::Code(f, c) => Msg::Code(*f, *c),
            Msg::Hex { span, spaced, reversed } => Msg::Hex { span: *span, spaced: *spaced, reversed: *reversed },
            Msg::Derived { at, len, spaced, reversed } => {
                Msg::Derived { at: *at, len: *len, spaced: *spaced, reversed: *reversed }
            }
            Msg::DerivedText { at, len } => Msg::DerivedText { at: *at, len: *len },
            Msg::Ascii(span) => Msg::Ascii(*span),
            Msg::HexNum { value, digits } => Msg::HexNum { value: *value, digits: *digits },
            Msg::Uint(v) => Msg::Uint(*v),
            Msg::Int(v) => Msg::Int(*v),
            Msg::Decimal { mantissa, scale } => Msg::Decimal { mantissa: *mantissa, scale: *scale },
            Msg::Concat(parts) => Msg::Concat(parts.clone()),
        }
    }
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
    pub(super) fn owns_memory(&self) -> bool {
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

    /// Drop a message, running its drop code only if it holds memory.
    #[inline]
    pub fn discard(self) {
        if self.owns_memory() {
            drop(self);
        } else {
            core::mem::forget(self);
        }
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

    /// Put `new` in `slot`, dropping the old message only if it holds memory
    /// (a plain assignment calls the drop code of every message).
    #[inline]
    pub fn put(slot: &mut Msg, new: Msg) {
        // The old message is looked at before the new one is written, so
        // that the new one is written straight into the slot (reading the
        // old one back after building the new one beside it stalled).
        if slot.owns_memory() {
            *slot = new;
        } else {
            core::mem::forget(core::mem::replace(slot, new));
        }
    }

    /// A template with its arguments (one allocation for both; at most
    /// [`Msg::MAX_ARGS`], which a template never comes near).
    pub fn fmt<const N: usize>(tpl: &'static Tpl, args: [Arg; N]) -> Msg {
        const { assert!(N <= Msg::MAX_ARGS) };
        Msg::Fmt(Box::new(Fmt { tpl, args }))
    }

    pub const MAX_ARGS: usize = 12;

    /// A template with arguments counted at run time (a copy of a message's).
    pub fn fmt_iter(tpl: &'static Tpl, args: impl ExactSizeIterator<Item = Arg>) -> Msg {
        fn boxed<const N: usize>(tpl: &'static Tpl, args: &mut dyn Iterator<Item = Arg>) -> Msg {
            Msg::fmt::<N>(tpl, core::array::from_fn(|_| args.next().unwrap_or(Arg::Str(""))))
        }
        let n = args.len();
        let mut args = args;
        let a: &mut dyn Iterator<Item = Arg> = &mut args;
        match n {
            0 => boxed::<0>(tpl, a),
            1 => boxed::<1>(tpl, a),
            2 => boxed::<2>(tpl, a),
            3 => boxed::<3>(tpl, a),
            4 => boxed::<4>(tpl, a),
            5 => boxed::<5>(tpl, a),
            6 => boxed::<6>(tpl, a),
            7 => boxed::<7>(tpl, a),
            8 => boxed::<8>(tpl, a),
            9 => boxed::<9>(tpl, a),
            10 => boxed::<10>(tpl, a),
            11 => boxed::<11>(tpl, a),
            _ => boxed::<12>(tpl, a),
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
            Msg::Bi(words) => w.write_str(words.pick(lang)),
            Msg::Fmt(f) => write_tpl(w, lang.pick(f.tpl.en, f.tpl.zh), &f.args, lang, cx),
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
    Bi(&'static dyn Words),
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
            Msg::Bi(w) => Arg::Bi(w),
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
                Arg::Bi(words) => s.push_str(words.pick(lang)),
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
        $crate::model::Msg::Bi(&($en, $zh))
    };
    ($en:literal, $zh:literal, $($a:expr),+ $(,)?) => {{
        static TPL: $crate::model::Tpl = $crate::model::Tpl { en: $en, zh: $zh };
        $crate::model::Msg::fmt(&TPL, [$($crate::model::Arg::from($a)),+])
    }};
}
