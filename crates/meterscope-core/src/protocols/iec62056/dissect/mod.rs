//! The tolerant dissectors of IEC 62056-21 messages and DSMR P1 telegrams:
//! a node for every byte, checks as data, diagnostics pinned to bytes.
//! Never fails and never panics.
//!
//! They build a language-neutral [`Frame`]: labels come from node ids, texts
//! are messages, values are spans of the frame's bytes, and names (baud
//! rates, commands, OBIS codes, dates) are written when the frame is
//! rendered. The plaintext of an encrypted telegram is kept once in the
//! frame's derived bytes; its nodes span the ciphertext and refer to it.

use core::fmt;
use core::ops::Range;

use super::frame::{self, ACK, CR, EOT, ETX, Kind, LF, NAK, SOH, STX};
use super::lines::{self, Telegram, dsmr_version};
use crate::lang::Lang;
use crate::model::{Check, Frame, Id, Msg, NONE, NodeKind, NodeMut, NodeRef, Severity};
use crate::msg;
use crate::protocols::dlms::security;
use crate::registry::{self, Options};
use crate::span::Span;

mod dsmr;
mod iec;

pub use dsmr::{DEFAULT_AK, dissect_dsmr};
pub use iec::{command_names, dissect_iec};

pub const IEC: &str = "iec62056-21";
pub const DSMR: &str = "dsmr-p1";

/// The id `prefix.name` of the protocol being dissected: `iec62056-21.name`
/// or `dsmr.name`.
macro_rules! pid {
    ($ctx:expr, $name:literal) => {
        if $ctx.dsmr { concat!("dsmr.", $name) } else { concat!("iec62056-21.", $name) }
    };
}
pub(super) use pid;

/// The frame being built and where the dissected bytes lie.
pub(super) struct Ctx {
    pub f: Frame,
    /// Absolute offset of the dissected bytes' first byte.
    pub base: usize,
    /// Ids under `dsmr` (else `iec62056-21`).
    pub dsmr: bool,
    /// Where the dissected bytes start in the frame's derived bytes, when
    /// they are the decrypted plaintext of an encrypted telegram.
    pub plain: Option<u32>,
}

impl Ctx {
    fn new(protocol: &'static str, bytes: &[u8], base: usize, dsmr: bool) -> Ctx {
        Ctx { f: Frame::new(protocol, bytes, base).with_labels(super::LABELS), base, dsmr, plain: None }
    }
    pub fn span(&self, at: usize, len: usize) -> Span {
        Span::at(self.base + at, len)
    }
    pub fn node(&mut self, parent: NodeRef, id: impl Into<Id>, at: usize, len: usize, kind: NodeKind) -> NodeRef {
        let span = self.span(at, len);
        self.f.add(parent, id, span, kind).index()
    }
    pub fn set(&mut self, n: NodeRef) -> NodeMut<'_> {
        self.f.node_mut(n)
    }
    pub fn diag(&mut self, severity: Severity, at: usize, len: usize, code: &'static str, message: Msg) {
        let span = self.span(at, len);
        self.f.diag(severity, span, code, message);
    }
    fn truncated(&mut self, at: usize, needed: Option<usize>, code: &'static str) {
        registry::truncated_diag(&mut self.f, self.base + at, needed, code);
    }
    /// The bytes `f[r]` as text, as written (lossy UTF-8).
    pub fn text(&self, f: &[u8], r: Range<usize>) -> Msg {
        let b = f.get(r.clone()).unwrap_or_default();
        if let Some(d) = self.plain {
            return Msg::DerivedText { at: d + r.start as u32, len: b.len() as u32 };
        }
        if b.iter().all(|c| (0x20..0x7F).contains(c)) {
            Msg::Ascii(self.span(r.start, b.len()))
        } else {
            Msg::owned(String::from_utf8_lossy(b))
        }
    }
    /// The bytes at `at` as hex.
    pub fn hex(&self, at: usize, len: usize, spaced: bool) -> Msg {
        match self.plain {
            Some(d) => Msg::Derived { at: d + at as u32, len: len as u32, spaced, reversed: false },
            None => Msg::Hex { span: self.span(at, len), spaced, reversed: false },
        }
    }
}

// ------------------------------------------------------------------ names written at render time

/// `0x06`.
fn byte_hex(b: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "0x{b:02X}")
}

/// `0x6EEE`.
fn word_hex(v: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "0x{v:04X}")
}

/// `0x0000002A`.
fn counter_hex(v: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "0x{v:08X}")
}

/// A byte as the character of that code point.
fn char_of(b: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    w.write_char(char::from(b as u8))
}

/// `42 byte(s)`.
fn byte_count(n: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "{n} {}", lang.pick("byte(s)", "字节"))
}

/// The meaning of a baud rate character of an identification.
fn baud_text(z: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    match baud(z as u8) {
        ('B', Some(r)) => write!(w, "{} {r} Bd", lang.pick("mode B:", "模式 B:")),
        ('C', Some(r)) => write!(w, "{} {r} Bd", lang.pick("mode C/E:", "模式 C/E:")),
        ('A', _) => w.write_str(lang.pick("mode A: no baud rate switch (300 Bd)", "模式 A: 不切换波特率(300 Bd)")),
        _ => w.write_str(lang.pick("reserved", "保留")),
    }
}

/// The baud rate an option select asks for: `5 -> 9600`.
fn option_baud(z: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let z = z as u8;
    match option_rate(z) {
        Some(r) => write!(w, "{} -> {r}", char::from(z)),
        None => write!(w, "{} {}", char::from(z), lang.pick("reserved", "保留")),
    }
}

/// The rate of an option select's baud character (modes C and E only).
fn option_rate(z: u8) -> Option<u32> {
    baud(z).1.filter(|_| z.is_ascii_digit())
}

/// The summary of an option select `ACK V Z Y` (packed `V Y Z`).
fn option_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (v, y, z) = ((code >> 16) as u8, (code >> 8) as u8, code as u8);
    let rate = option_rate(z);
    let write_rate = |w: &mut dyn fmt::Write| match rate {
        Some(r) => write!(w, "{r}"),
        None => w.write_str("?"),
    };
    match (v, y) {
        (b'2', b'2') => {
            w.write_str(lang.pick("option select: switch to", "选项选择:切换到"))?;
            w.write_char(' ')?;
            write_rate(w)?;
            write!(w, " Bd 8N1 {}", lang.pick("and start HDLC SNRM", "并开始 HDLC SNRM"))
        }
        (_, b'1') => {
            write!(w, "{} ", lang.pick("option select: programming mode at", "选项选择:编程模式,"))?;
            write_rate(w)?;
            w.write_str(" Bd")
        }
        _ => {
            write!(w, "{} ", lang.pick("option select: data readout at", "选项选择:数据读出,"))?;
            write_rate(w)?;
            w.write_str(" Bd")
        }
    }
}

/// The summary of a command message (packed `C D`): `command R1 read ASCII-coded data`.
fn command_summary(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (c, d) = ((code >> 8) as u8, code as u8);
    let &(en, zh) = command_names(c, d);
    write!(w, "{} {}{} {}", lang.pick("command", "命令"), char::from(c), char::from(d), lang.pick(en, zh))
}

/// The security control byte of an encrypted telegram.
fn security_control(sc: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    w.write_str(&security::security_control_text(sc as u8, lang))
}

// ------------------------------------------------------------------ shared parts

/// A control character shown as a node.
fn control(ctx: &mut Ctx, parent: NodeRef, id: &'static str, at: usize, byte: u8) {
    let name = match byte {
        SOH => "SOH",
        STX => "STX",
        ETX => "ETX",
        EOT => "EOT",
        ACK => "ACK",
        NAK => "NAK",
        _ => "",
    };
    let n = ctx.node(parent, id, at, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Code(byte_hex, byte.into()));
    if !name.is_empty() {
        ctx.set(n).text(Msg::Str(name));
    }
}

/// `CR LF` or `LF` for a line end of `len` bytes.
fn eol_value(len: usize) -> Msg {
    Msg::Str(if len == 2 { "CR LF" } else { "LF" })
}

/// A line end (CR LF, or LF alone in pasted text) at `at`; a warning when missing.
fn eol(ctx: &mut Ctx, root: NodeRef, f: &[u8], at: usize) -> usize {
    match frame::eol_at(f, at) {
        Some(e) => {
            let n = ctx.node(root, pid!(ctx, "eol"), at, e - at, NodeKind::Delimiter);
            ctx.set(n).value(eol_value(e - at));
            e
        }
        None => {
            let msg = crate::msg!("the line end CR LF is missing", "缺少行结束符 CR LF");
            ctx.diag(Severity::Warning, at.min(f.len()), 0, pid!(ctx, "eol.missing"), msg);
            at
        }
    }
}

/// Bytes after the end of the message.
fn trailing(ctx: &mut Ctx, root: NodeRef, f: &[u8], at: usize) {
    if at < f.len() {
        let n = ctx.node(root, pid!(ctx, "trailing"), at, f.len() - at, NodeKind::Unknown);
        let v = ctx.hex(at, f.len() - at, true);
        ctx.set(n).value(v);
        let msg = crate::msg!("bytes after the end of the message", "报文结束后的多余字节");
        ctx.diag(Severity::Warning, at, f.len() - at, pid!(ctx, "trailing"), msg);
    }
}

/// Bytes no rule explains, as one node.
fn raw(ctx: &mut Ctx, root: NodeRef, at: usize, len: usize) {
    let n = ctx.node(root, pid!(ctx, "raw"), at, len, NodeKind::Unknown);
    let v = ctx.hex(at, len, true);
    ctx.set(n).value(v);
}

/// Baud rate of a baud rate character (IEC 62056-21:2002, 6.3.14): mode B
/// uses `A`–`I`, modes C and E `0`–`9`; any other character means mode A.
pub fn baud(z: u8) -> (char, Option<u32>) {
    match z {
        b'A'..=b'F' => ('B', Some([600, 1200, 2400, 4800, 9600, 19200][usize::from(z - b'A')])),
        b'G'..=b'I' => ('B', None),
        b'0'..=b'6' => ('C', Some([300, 600, 1200, 2400, 4800, 9600, 19200][usize::from(z - b'0')])),
        b'7'..=b'9' => ('C', None),
        _ => ('A', Some(300)),
    }
}
