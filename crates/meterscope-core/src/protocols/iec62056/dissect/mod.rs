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
    let (en, zh) = command_names(c, d);
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
            let msg = Msg::Bi("the line end CR LF is missing", "缺少行结束符 CR LF");
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
        let msg = Msg::Bi("bytes after the end of the message", "报文结束后的多余字节");
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

// ------------------------------------------------------------------ IEC 62056-21

/// Dissect one IEC 62056-21 message.
pub fn dissect_iec(f: &[u8], base: usize, _opts: &Options) -> Frame {
    let mut ctx = Ctx::new(IEC, f, base, false);
    let root = ctx.f.add(NONE, IEC, Span::at(base, f.len()), NodeKind::Data).index();
    let summary = match frame::kind(f).map(|k| k.0) {
        Some(Kind::Request) => {
            request(&mut ctx, root, f);
            Some(("request", Msg::Bi("request (sign-on)", "请求报文(登录)")))
        }
        Some(Kind::Identification) => {
            identification(&mut ctx, root, f, false);
            Some(("identification", Msg::Bi("identification", "识别报文")))
        }
        Some(Kind::OptionSelect) => Some(("option-select", option_select(&mut ctx, root, f))),
        Some(Kind::Ack) => {
            control(&mut ctx, root, "iec62056-21.ack", 0, ACK);
            trailing(&mut ctx, root, f, 1);
            Some(("ack", Msg::Bi("acknowledgement", "确认报文")))
        }
        Some(Kind::Nak) => {
            control(&mut ctx, root, "iec62056-21.nak", 0, NAK);
            trailing(&mut ctx, root, f, 1);
            Some(("nak", Msg::Bi("repeat request", "重发请求报文")))
        }
        Some(Kind::Block) | Some(Kind::Command) => Some(block(&mut ctx, root, f)),
        Some(Kind::LoggedReadout) => {
            let end = f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len());
            let after = frame::eol_at(f, end).unwrap_or(end);
            identification(&mut ctx, root, &f[..after], false);
            data_to_end(&mut ctx, root, f, after, f.len(), true, "iec62056-21.end-eol");
            let msg = Msg::Bi(
                "data lines without STX, ETX and BCC: a readout as logged, the block characters left out",
                "无 STX、ETX 和 BCC 的数据行:记录下来的读出数据,未含块控制字符",
            );
            ctx.diag(Severity::Info, after, 0, "iec62056-21.unframed", msg);
            Some(("readout", Msg::Bi("identification and data lines (no STX/ETX)", "识别报文和数据行(无 STX/ETX)")))
        }
        None => {
            if f.is_empty() {
                ctx.truncated(0, None, "iec62056-21.truncated");
            } else {
                raw(&mut ctx, root, 0, f.len());
                let msg = Msg::Bi(
                    "no IEC 62056-21 message starts here (expected /, ACK, NAK, SOH or STX)",
                    "此处不是 IEC 62056-21 报文的开始(应为 /、ACK、NAK、SOH 或 STX)",
                );
                ctx.diag(Severity::Error, 0, f.len(), "iec62056-21.start.missing", msg);
            }
            None
        }
    };
    if let Some((value, text)) = summary {
        ctx.set(root).value(Msg::Str(value)).text(text);
    }
    ctx.f.finish()
}

/// `/ ? address ! CR LF`.
fn request(ctx: &mut Ctx, root: NodeRef, f: &[u8]) {
    let n = ctx.node(root, "iec62056-21.start", 0, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("/"));
    if f.len() < 2 {
        ctx.truncated(f.len(), None, "iec62056-21.truncated");
        return;
    }
    let n = ctx.node(root, "iec62056-21.request", 1, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Str("?"));
    let bang = f.iter().position(|&c| c == b'!');
    let end = bang.unwrap_or(f.len());
    if end > 2 {
        let n = ctx.node(root, "iec62056-21.address", 2, end - 2, NodeKind::Address);
        let v = ctx.text(f, 2..end);
        ctx.set(n).value(v);
        if end - 2 > 32 {
            let msg = Msg::Bi("the device address is longer than 32 characters", "设备地址超过 32 个字符");
            ctx.diag(Severity::Warning, 2, end - 2, "iec62056-21.address.length", msg);
        }
    } else {
        let n = ctx.node(root, "iec62056-21.address", 2, 0, NodeKind::Address);
        ctx.set(n).value(Msg::Str("")).text(Msg::Bi("no address: any meter answers", "无地址:任一表计应答"));
    }
    let Some(bang) = bang else {
        ctx.truncated(f.len(), None, "iec62056-21.truncated");
        return;
    };
    let n = ctx.node(root, "iec62056-21.end", bang, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("!"));
    let at = eol(ctx, root, f, bang + 1);
    trailing(ctx, root, f, at);
}

/// The id of a part of an identification: of the message, or of a DSMR header.
macro_rules! ident_id {
    ($header:expr, $name:literal) => {
        if $header { concat!("dsmr.header.", $name) } else { concat!("iec62056-21.", $name) }
    };
}

/// `/ XXX Z [\W] ident CR LF`, also the header of DSMR telegrams (`header`).
/// Returns the end of the identification text.
fn identification(ctx: &mut Ctx, parent: NodeRef, f: &[u8], header: bool) -> usize {
    let end = f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len());
    let n = ctx.node(parent, ident_id!(header, "start"), 0, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("/"));
    if end < 5 {
        if end > 1 {
            let n = ctx.node(parent, ident_id!(header, "ident"), 1, end - 1, NodeKind::Data);
            let v = ctx.text(f, 1..end);
            ctx.set(n).value(v);
        }
        let msg = Msg::Bi(
            "too short for /XXXZ: manufacturer id and baud character missing",
            "长度不足 /XXXZ:缺少制造商标识和波特率字符",
        );
        // An identification message cut short is no message; a DSMR header so
        // short still heads the telegram's data.
        let severity = if header { Severity::Warning } else { Severity::Error };
        ctx.diag(severity, 0, end, pid!(ctx, "identification.short"), msg);
        return end;
    }
    let n = ctx.node(parent, ident_id!(header, "manufacturer"), 1, 3, NodeKind::Data);
    let v = ctx.text(f, 1..4);
    ctx.set(n).value(v);
    if f[3].is_ascii_lowercase() {
        let t = Msg::Bi("lower-case third letter: reaction time 20 ms", "第三个字母小写:最短响应时间 20 ms");
        ctx.set(n).text(t);
    }
    let z = u64::from(f[4]);
    let n = ctx.node(parent, ident_id!(header, "baud"), 4, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Code(char_of, z)).text(Msg::Code(baud_text, z));
    let mut at = 5;
    let mut k = 0;
    while at + 1 < end && f[at] == b'\\' {
        let t = if f[at + 1] == b'2' {
            Msg::Bi("mode E (binary HDLC) available", "支持模式 E(二进制 HDLC)")
        } else {
            Msg::Bi("enhanced capability (reserved value)", "增强能力(保留值)")
        };
        let n = ctx.node(parent, Id::Indexed(ident_id!(header, "capability"), k), at, 2, NodeKind::Data);
        let v = ctx.text(f, at..at + 2);
        ctx.set(n).value(v).text(t);
        at += 2;
        k += 1;
    }
    if at < end {
        let n = ctx.node(parent, ident_id!(header, "ident"), at, end - at, NodeKind::Data);
        let v = ctx.text(f, at..end);
        ctx.set(n).value(v);
        if !header && end - at > 16 {
            let msg = Msg::Bi("the identification is longer than 16 characters", "识别字符串超过 16 个字符");
            ctx.diag(Severity::Info, at, end - at, "iec62056-21.identification.length", msg);
        }
    }
    if !header {
        let after = eol(ctx, parent, f, end);
        trailing(ctx, parent, f, after);
    }
    end
}

/// `ACK V Z Y CR LF`; returns the summary.
fn option_select(ctx: &mut Ctx, root: NodeRef, f: &[u8]) -> Msg {
    control(ctx, root, "iec62056-21.ack", 0, ACK);
    let [_, v, z, y, ..] = *f else {
        if f.len() > 1 {
            raw(ctx, root, 1, f.len() - 1);
        }
        ctx.truncated(f.len(), Some(5 - f.len().min(5)), "iec62056-21.truncated");
        return Msg::Bi("option select (incomplete)", "选项选择(不完整)");
    };
    let vt = match v {
        b'0' => Msg::Bi("0 normal protocol procedure", "0 正常协议过程"),
        b'1' => Msg::Bi("1 secondary protocol procedure", "1 辅助协议过程"),
        b'2' => Msg::Bi("2 HDLC protocol procedure", "2 HDLC 协议过程"),
        _ => Msg::Bi("reserved", "保留"),
    };
    let n = ctx.node(root, "iec62056-21.protocol-control", 1, 1, NodeKind::Control);
    ctx.set(n).value(Msg::Code(char_of, v.into())).text(vt);
    let n = ctx.node(root, "iec62056-21.baud", 2, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Code(char_of, z.into())).text(Msg::Code(option_baud, z.into()));
    let yt = match y {
        b'0' => Msg::Bi("0 data readout", "0 数据读出"),
        b'1' => Msg::Bi("1 programming mode", "1 编程模式"),
        b'2' => Msg::Bi("2 binary (HDLC) mode", "2 二进制(HDLC)模式"),
        b'6'..=b'9' => Msg::Bi("manufacturer-specific mode", "制造商特定模式"),
        _ => Msg::Bi("reserved", "保留"),
    };
    let n = ctx.node(root, "iec62056-21.mode-control", 3, 1, NodeKind::Control);
    ctx.set(n).value(Msg::Code(char_of, y.into())).text(yt);
    // Reserved characters: no meter acts on them (what random bytes look like).
    if !matches!(v, b'0'..=b'2') {
        let m = Msg::Bi("reserved protocol control character", "保留的协议控制字符");
        ctx.diag(Severity::Error, 1, 1, "iec62056-21.option.reserved", m);
    }
    if option_rate(z).is_none() {
        let m = Msg::Bi("reserved baud rate character", "保留的波特率字符");
        ctx.diag(Severity::Error, 2, 1, "iec62056-21.option.reserved", m);
    }
    if !matches!(y, b'0'..=b'2' | b'6'..=b'9') {
        let m = Msg::Bi("reserved mode control character", "保留的模式控制字符");
        ctx.diag(Severity::Error, 3, 1, "iec62056-21.option.reserved", m);
    }
    let at = eol(ctx, root, f, 4);
    trailing(ctx, root, f, at);
    Msg::Code(option_summary, u64::from(v) << 16 | u64::from(y) << 8 | u64::from(z))
}

/// Name of a programming command (IEC 62056-21:2002, 6.3.8 and 6.3.9), in
/// English and Chinese.
pub fn command_names(c: u8, d: u8) -> (&'static str, &'static str) {
    match (c, d) {
        (b'P', b'0') => ("password: operand for the secure algorithm", "密码:安全算法的操作数"),
        (b'P', b'1') => ("password: comparison password", "密码:比较密码"),
        (b'P', b'2') => ("password: result of the secure algorithm", "密码:安全算法的结果"),
        (b'W', b'1') => ("write ASCII-coded data", "写 ASCII 编码数据"),
        (b'W', b'2') => ("write, formatted communication coding", "写(格式化编码)"),
        (b'W', b'3') => ("write ASCII-coded data, partial block", "写 ASCII 编码数据(部分块)"),
        (b'W', b'4') => ("write, formatted coding, partial block", "写(格式化编码,部分块)"),
        (b'R', b'1') => ("read ASCII-coded data", "读 ASCII 编码数据"),
        (b'R', b'2') => ("read, formatted communication coding", "读(格式化编码)"),
        (b'R', b'3') => ("read ASCII-coded data, partial block", "读 ASCII 编码数据(部分块)"),
        (b'R', b'4') => ("read, formatted coding, partial block", "读(格式化编码,部分块)"),
        (b'W', b'5'..=b'9') => ("write, national use (e.g. OBIS-coded)", "写(国家使用,如 OBIS 编码)"),
        (b'R', b'5'..=b'9') => {
            ("read, national use (R5 OBIS-coded, R6 with partial blocks)", "读(国家使用,R5 OBIS 编码,R6 部分块)")
        }
        (b'E', b'2') => ("execute, formatted communication coding", "执行(格式化编码)"),
        (b'B', b'0') => ("break: complete sign-off", "中断:完全退出"),
        (b'P' | b'W' | b'R' | b'E' | b'B', _) => ("reserved command type", "保留的命令类型"),
        _ => ("unknown command", "未知命令"),
    }
}

/// `STX data ETX BCC`, `STX (ERRxx) ETX BCC` or `SOH C D [STX data] ETX BCC`;
/// returns the root's value and summary.
fn block(ctx: &mut Ctx, root: NodeRef, f: &[u8]) -> (&'static str, Msg) {
    let end = f.iter().skip(1).position(|&c| c == ETX || c == EOT).map(|i| i + 1);
    let body_end = end.unwrap_or(f.len());
    let (value, summary, data_from) = if f[0] == SOH {
        control(ctx, root, "iec62056-21.soh", 0, SOH);
        let mut at = 1;
        let (c, d) = (f.get(1).copied().unwrap_or(0), f.get(2).copied().unwrap_or(0));
        if body_end >= 3 {
            let (en, zh) = command_names(c, d);
            let n = ctx.node(root, "iec62056-21.command", 1, 2, NodeKind::Control);
            let v = ctx.text(f, 1..3);
            ctx.set(n).value(v).text(Msg::Bi(en, zh));
            at = 3;
        }
        if f.get(at) == Some(&STX) && at < body_end {
            control(ctx, root, "iec62056-21.stx", at, STX);
            at += 1;
        } else if c != b'B' && at < body_end {
            let msg = Msg::Bi("STX expected after the command", "命令后应为 STX");
            ctx.diag(Severity::Warning, at, 1, "iec62056-21.stx.missing", msg);
        }
        ("command", Msg::Code(command_summary, u64::from(c) << 8 | u64::from(d)), at)
    } else {
        control(ctx, root, "iec62056-21.stx", 0, STX);
        let inner = &f[1..body_end];
        let error =
            inner.starts_with(b"(ERR") || (inner.starts_with(b"(") && inner.ends_with(b")") && !inner.contains(&b'\n'));
        if error {
            // The text between the parentheses.
            let mut s = 1;
            while s < body_end && f[s] == b'(' {
                s += 1;
            }
            let mut e = body_end;
            while e > s && f[e - 1] == b')' {
                e -= 1;
            }
            let v = ctx.text(f, s..e);
            let n = ctx.node(root, "iec62056-21.error", 1, body_end - 1, NodeKind::Data);
            let t = Msg::Bi("manufacturer-specific error message", "制造商定义的错误信息");
            ctx.set(n).value(v.clone()).text(t);
            let summary = Msg::Concat(Box::new([Msg::Bi("error message", "错误报文"), Msg::Str(" "), v]));
            ("error", summary, body_end)
        } else if end.is_some_and(|e| f[e] == EOT) {
            ("data", Msg::Bi("data message (partial block)", "数据报文(部分块)"), 1)
        } else {
            ("data", Msg::Bi("data message", "数据报文"), 1)
        }
    };
    // The data: lines up to `!` (data message) or the block end.
    if data_from < body_end {
        data_to_end(ctx, root, f, data_from, body_end, value == "data", "iec62056-21.eol");
    }
    let Some(end) = end else {
        ctx.truncated(f.len(), None, "iec62056-21.truncated");
        return (value, summary);
    };
    let id = if f[end] == ETX { "iec62056-21.etx" } else { "iec62056-21.eot" };
    control(ctx, root, id, end, f[end]);
    bcc_check(ctx, root, f, end);
    trailing(ctx, root, f, end + 2);
    (value, summary)
}

/// The data lines of `f[data_from..body_end]` up to `!` (`data`: a data
/// message) or the region's end, then `!`, the line end and what trails.
/// `etx`: the block ends with ETX, so a missing `!` is worth a warning.
/// `eol` is the id of the line end after `!`.
fn data_to_end(
    ctx: &mut Ctx,
    root: NodeRef,
    f: &[u8],
    data_from: usize,
    body_end: usize,
    data: bool,
    eol: &'static str,
) {
    let etx = body_end < f.len() && f[body_end] == ETX;
    let region = &f[data_from..body_end];
    let bang = if data {
        region
            .iter()
            .enumerate()
            // At a line start, or right after a data set's `)` at the end of the
            // data (heat meters end their last line with `)!`).
            .position(|(i, &c)| {
                c == b'!'
                    && (i == 0
                        || region[i - 1] == LF
                        || (region[i - 1] == b')' && matches!(region.get(i + 1), None | Some(&CR) | Some(&LF))))
            })
            .map(|i| data_from + i)
    } else {
        None
    };
    let data_end = bang.unwrap_or(body_end);
    lines::data_lines(ctx, root, f, data_from..data_end, None);
    if let Some(b) = bang {
        let n = ctx.node(root, "iec62056-21.end", b, 1, NodeKind::Delimiter);
        ctx.set(n).value(Msg::Str("!"));
        let after = match frame::eol_at(f, b + 1) {
            Some(e) => {
                let n = ctx.node(root, eol, b + 1, e - b - 1, NodeKind::Delimiter);
                ctx.set(n).value(Msg::Str("CR LF"));
                e
            }
            None => b + 1,
        };
        if after < body_end {
            let n = ctx.node(root, "iec62056-21.data-trailing", after, body_end - after, NodeKind::Unknown);
            let v = ctx.hex(after, body_end - after, true);
            ctx.set(n).value(v);
        }
    } else if data && etx {
        let msg = Msg::Bi("the end character ! is missing before ETX", "ETX 前缺少结束字符 !");
        ctx.diag(Severity::Warning, data_end, 0, "iec62056-21.end.missing", msg);
    }
}

/// The BCC after ETX/EOT at `end`: XOR over `f[1..=end]`.
fn bcc_check(ctx: &mut Ctx, root: NodeRef, f: &[u8], end: usize) {
    let body = &f[1..=end];
    let computed = frame::bcc(body);
    let Some(&stated) = f.get(end + 1) else {
        ctx.truncated(f.len(), Some(1), "iec62056-21.truncated");
        return;
    };
    let seven = frame::bcc7(body);
    let ok8 = stated == computed;
    let ok7 = !ok8 && (stated & 0x7F) == seven;
    let n = ctx.node(root, "iec62056-21.bcc", end + 1, 1, NodeKind::Check);
    ctx.set(n).value(Msg::Code(byte_hex, stated.into()));
    if ok7 {
        ctx.set(n).text(Msg::Bi("correct over 7-bit characters", "按 7 位字符计算正确"));
        let msg = msg!(
            "BCC 0x{:02X} matches when the parity bits are stripped (7-bit characters)",
            "BCC 0x{:02X} 在去掉奇偶校验位(7 位字符)后相符",
            stated
        );
        ctx.diag(Severity::Info, end + 1, 1, "iec62056-21.bcc.seven-bit", msg);
    }
    let ok = ok8 || ok7;
    let shown = if ok7 { seven } else { computed };
    let span = ctx.span(end + 1, 1);
    ctx.f.check(Check {
        id: "iec62056-21.bcc".into(),
        label: Msg::Label,
        stated: Msg::Code(byte_hex, stated.into()),
        computed: Msg::Code(byte_hex, shown.into()),
        ok,
        span,
    });
    if !ok {
        ctx.set(n).text(msg!("incorrect, should be 0x{:02X}", "错误,应为 0x{:02X}", computed));
        let msg =
            msg!("BCC 0x{:02X} is incorrect, should be 0x{:02X}", "BCC 0x{:02X} 错误,应为 0x{:02X}", stated, computed);
        ctx.diag(Severity::Error, end + 1, 1, "iec62056-21.bcc.mismatch", msg);
    }
}

// ------------------------------------------------------------------ DSMR P1

/// Dissect one DSMR P1 telegram (or the header of an encrypted one).
pub fn dissect_dsmr(f: &[u8], base: usize, opts: &Options) -> Frame {
    let mut ctx = Ctx::new(DSMR, f, base, true);
    let root = ctx.f.add(NONE, "dsmr", Span::at(base, f.len()), NodeKind::Data).index();
    match f.first() {
        Some(&b'/') => telegram(&mut ctx, root, f),
        Some(&0xDB) => encrypted(&mut ctx, root, f, opts),
        Some(_) => {
            raw(&mut ctx, root, 0, f.len());
            let msg = Msg::Bi("no DSMR telegram starts here (expected /)", "此处不是 DSMR 报文的开始(应为 /)");
            ctx.diag(Severity::Error, 0, f.len(), "dsmr.start.missing", msg);
        }
        None => ctx.truncated(0, None, "dsmr.truncated"),
    }
    ctx.f.finish()
}

/// The country variant a telegram's objects point to, with the line that
/// tells: country code, the variant's name, offset.
///
/// `sets` holds each identified data set: code, offset and whether its first
/// value is in `Wh`. Austria (`AT`): energy registers `1-0:1.8.0`/`2.8.0` in
/// whole `Wh` under a version line, as the public Austrian examples show
/// (Sagemcom T210-D `/EST5…` telegrams; Luxembourg writes `kWh`).
fn country(sets: &[([u8; 6], usize, bool)], has_version: bool) -> Option<(&'static str, &'static str, usize)> {
    let cde = super::data::cde;
    let find = |a: u8, c: u8, d: u8, e: u8| sets.iter().find(|s| s.0[0] == a && cde(s.0) == (c, d, e)).map(|s| s.1);
    let in_wh = |c: u8| sets.iter().find(|s| s.0[0] == 1 && cde(s.0) == (c, 8, 0) && s.2).map(|s| s.1);
    if let Some(at) = find(0, 96, 1, 4).or(find(1, 1, 4, 0)).or(find(0, 24, 2, 3)) {
        return Some(("BE", "BE e-MUCS", at));
    }
    if let Some(at) = find(0, 98, 1, 0).or(find(1, 1, 8, 3)).or(find(1, 1, 8, 4)) {
        return Some(("HU", "HU", at));
    }
    if has_version && let Some(at) = in_wh(1).or(in_wh(2)) {
        return Some(("AT", "AT", at));
    }
    if has_version && let Some(at) = find(1, 1, 8, 0).filter(|_| find(1, 3, 8, 0).is_some()) {
        return Some(("LU", "LU", at));
    }
    if !has_version
        && let Some(at) = find(1, 1, 8, 0)
        && (find(1, 23, 7, 0).is_some() || find(1, 3, 8, 0).is_some())
    {
        return Some(("SE", "SE", at));
    }
    find(1, 1, 8, 1).or(find(1, 1, 8, 2)).map(|at| ("NL", "NL", at))
}

/// A plain-text telegram under `root`.
fn telegram(ctx: &mut Ctx, root: NodeRef, f: &[u8]) {
    let layout = frame::telegram_layout(f).map(|l| l.0);
    let header_end =
        layout.map_or_else(|| f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len()), |l| l.header_end);
    let header = ctx.node(root, "dsmr.header", 0, header_end, NodeKind::Data);
    let v = ctx.text(f, 0..header_end);
    ctx.set(header).value(v);
    identification(ctx, header, &f[..header_end], true);
    let Some(layout) = layout else {
        ctx.truncated(f.len(), None, "dsmr.truncated");
        return;
    };
    let mut at = eol(ctx, root, f, header_end);
    // The blank line after the header.
    match frame::eol_at(f, at) {
        Some(e) => {
            let n = ctx.node(root, "dsmr.blank", at, e - at, NodeKind::Delimiter);
            ctx.set(n).value(eol_value(e - at));
            at = e;
        }
        None => {
            let msg = Msg::Bi("the blank line after the header is missing", "报文头后缺少空行");
            ctx.diag(Severity::Warning, at, 0, "dsmr.blank.missing", msg);
        }
    }
    let data_end = layout.bang.unwrap_or(layout.len).max(at);
    let mut found = Telegram::default();
    lines::data_lines(ctx, root, f, at..data_end, Some(&mut found));
    let version = found.version;
    let version_text = match version {
        Some(v) => Msg::Code(dsmr_version, v.into()),
        None => Msg::Bi("DSMR 2.2/3 or vendor telegram (no version line)", "DSMR 2.2/3 或厂商报文(无版本行)"),
    };
    let summary = match country(&found.sets, version.is_some()) {
        Some((cc, t, line)) => {
            // The line that tells, not an empty node after the data.
            let len = f[line..].iter().position(|&c| c == CR || c == LF).unwrap_or(f.len() - line);
            let n = ctx.node(root, "dsmr.country", line, len, NodeKind::Data);
            let text =
                Msg::Concat(Box::new([Msg::Bi("likely variant:", "可能的国家变体:"), Msg::Str(" "), Msg::Str(t)]));
            ctx.set(n).value(Msg::Str(cc)).text(text);
            Msg::Concat(Box::new([version_text, Msg::Str(" · "), Msg::Str(t)]))
        }
        None => version_text,
    };
    let value = version.map_or(Msg::None, |v| Msg::Uint(v.into()));
    ctx.set(root).text(summary).value(value);
    let Some(bang) = layout.bang else {
        let msg = Msg::Bi("the telegram ends without the end character !", "报文在结束字符 ! 之前终止");
        ctx.diag(Severity::Error, f.len(), 0, "dsmr.end.missing", msg);
        return;
    };
    let n = ctx.node(root, "dsmr.end", bang, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("!"));
    match layout.crc {
        Some((s, e)) => crc_check(ctx, root, f, bang, s, e, version),
        None => {
            let (severity, msg) = if version.is_some_and(|v| v >= 40) {
                (
                    Severity::Warning,
                    Msg::Bi(
                        "no CRC after !, although DSMR 4 and later require one",
                        "! 后没有 CRC,但 DSMR 4 及以后版本要求 CRC",
                    ),
                )
            } else {
                (
                    Severity::Info,
                    Msg::Bi(
                        "no CRC after ! (DSMR 2.2/3 and some vendors send none)",
                        "! 后没有 CRC(DSMR 2.2/3 和部分厂商不发送)",
                    ),
                )
            };
            ctx.diag(severity, bang + 1, 0, "dsmr.crc.missing", msg);
        }
    }
    let after = layout.crc.map_or(bang + 1, |c| c.1);
    if let Some(e) = frame::eol_at(f, after) {
        let n = ctx.node(root, "dsmr.end-eol", after, e - after, NodeKind::Delimiter);
        ctx.set(n).value(eol_value(e - after));
    }
}

/// The CRC after `!`: CRC-16/ARC over `/`..`!`, written as hex digits.
fn crc_check(ctx: &mut Ctx, root: NodeRef, f: &[u8], bang: usize, s: usize, e: usize, version: Option<u32>) {
    let written = f.get(s..e).unwrap_or_default();
    let stated = core::str::from_utf8(written).ok().and_then(|t| u16::from_str_radix(t, 16).ok()).unwrap_or(0);
    let computed = crate::wire::crc16_arc(&f[..=bang]);
    let mut ok = stated == computed;
    let mut crlf = false;
    // What the meter sends, and so the CRC to suggest: pasted text with LF-only
    // line ends was sent with CR LF.
    let mut sent = computed;
    let lf_only = f[..=bang].windows(2).any(|w| w[1] == LF && w[0] != CR) || f.first() == Some(&LF);
    if lf_only {
        let mut v = Vec::with_capacity(bang + 64);
        for (i, &c) in f[..=bang].iter().enumerate() {
            if c == LF && (i == 0 || f[i - 1] != CR) {
                v.push(CR);
            }
            v.push(c);
        }
        sent = crate::wire::crc16_arc(&v);
        if !ok && sent == stated {
            ok = true;
            crlf = true;
        }
    }
    let computed = if ok { computed } else { sent };
    let n = ctx.node(root, "dsmr.crc", s, e - s, NodeKind::Check);
    let v = ctx.text(f, s..e);
    ctx.set(n).value(v);
    if written.len() < 4 {
        ctx.set(n).text(Msg::Code(word_hex, stated.into()));
        let msg = Msg::Bi(
            "the CRC is written with fewer than 4 hex digits (leading zeros left out)",
            "CRC 少于 4 个十六进制数字(省略了前导零)",
        );
        ctx.diag(Severity::Info, s, e - s, "dsmr.crc.short", msg);
    }
    if written.iter().any(u8::is_ascii_lowercase) {
        let msg = Msg::Bi("the CRC is written in lower case", "CRC 使用了小写字母");
        ctx.diag(Severity::Info, s, e - s, "dsmr.crc.lowercase", msg);
    }
    let shown = if crlf { stated } else { computed };
    let span = ctx.span(s, e - s);
    ctx.f.check(Check {
        id: "dsmr.crc".into(),
        label: Msg::Label,
        stated: Msg::Code(word_hex, stated.into()),
        computed: Msg::Code(word_hex, shown.into()),
        ok,
        span,
    });
    if crlf {
        let msg = Msg::Bi(
            "CRC matches with CR LF line endings as sent by the meter",
            "按表计发送的 CR LF 行结束符计算时 CRC 正确",
        );
        ctx.diag(Severity::Info, s, e - s, "dsmr.crc.crlf", msg);
    } else if !ok {
        ctx.set(n).text(msg!("incorrect, should be 0x{:04X}", "错误,应为 0x{:04X}", computed));
        let msg =
            msg!("CRC 0x{:04X} is incorrect, should be 0x{:04X}", "CRC 0x{:04X} 错误,应为 0x{:04X}", stated, computed);
        ctx.diag(Severity::Error, s, e - s, "dsmr.crc.mismatch", msg);
    }
    if version.is_some_and(|v| v < 40) {
        let msg = Msg::Bi("a CRC in a telegram older than DSMR 4", "DSMR 4 之前版本的报文带有 CRC");
        ctx.diag(Severity::Info, s, e - s, "dsmr.crc.unexpected", msg);
    }
}

/// The authentication key the Luxembourg P1 specification gives for encrypted
/// telegrams, used when the user gives none.
pub const DEFAULT_AK: [u8; 16] =
    [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF];

/// An encrypted telegram (general-glo-ciphering, as in Luxembourg and Austria):
/// `DB 08 system-title length SC IC ciphertext tag`, decrypted with the
/// user's cipher key (suite 0, [`security::open`]) and the plaintext telegram
/// dissected in place: counter mode keeps byte i of the plaintext at byte i of
/// the ciphertext, so its nodes span the ciphertext bytes.
fn encrypted(ctx: &mut Ctx, root: NodeRef, f: &[u8], opts: &Options) {
    let title = Msg::Bi("encrypted P1 telegram (general-glo-ciphering)", "加密 P1 报文(general-glo-ciphering)");
    ctx.set(root).text(title.clone());
    let n = ctx.node(root, "dsmr.encrypted.tag", 0, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Str("0xDB")).text(Msg::Str("general-glo-ciphering"));
    let Some(h) = frame::encrypted_header(f) else {
        ctx.truncated(f.len(), None, "dsmr.truncated");
        return;
    };
    let n = ctx.node(root, "dsmr.encrypted.title-length", 1, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Str("8"));
    let n = ctx.node(root, "dsmr.encrypted.system-title", 2, 8, NodeKind::Address);
    let maker = Msg::Concat(Box::new([Msg::Bi("manufacturer", "制造商"), Msg::Str(" "), ctx.text(f, 2..5)]));
    let v = ctx.hex(2, 8, false);
    ctx.set(n).value(v).text(maker);
    let n = ctx.node(root, "dsmr.encrypted.length", 10, h.len_bytes, NodeKind::Length);
    ctx.set(n).value(Msg::Uint(h.length as u64));
    let at = 10 + h.len_bytes;
    let total = at + h.length;
    if f.len() < at + 5 {
        if let Some(&sc) = f.get(at) {
            let n = ctx.node(root, "dsmr.encrypted.security-control", at, 1, NodeKind::Control);
            ctx.set(n).value(Msg::Code(byte_hex, sc.into()));
        }
        ctx.truncated(f.len(), Some(at + 5 - f.len()), "dsmr.truncated");
        return;
    }
    let sc = f[at];
    let n = ctx.node(root, "dsmr.encrypted.security-control", at, 1, NodeKind::Control);
    ctx.set(n).value(Msg::Code(byte_hex, sc.into())).text(Msg::Code(security_control, sc.into()));
    let ic = u32::from_be_bytes([f[at + 1], f[at + 2], f[at + 3], f[at + 4]]);
    let n = ctx.node(root, "dsmr.encrypted.invocation-counter", at + 1, 4, NodeKind::Data);
    ctx.set(n).value(Msg::Uint(ic.into())).text(Msg::Code(counter_hex, ic.into()));
    let ct_at = at + 5;
    let auth = sc & 0x10 != 0;
    // The ciphertext and the tag; a cut telegram keeps its ciphertext, without a tag.
    let cut = total > f.len();
    let (ct_end, tag) = if cut {
        let msg = msg!(
            "the length says {} byte(s), {} are present",
            "长度为 {} 字节，实际只有 {} 字节",
            h.length,
            f.len() - at
        );
        ctx.diag(Severity::Error, 10, h.len_bytes, "dsmr.encrypted.length.mismatch", msg);
        (f.len(), None)
    } else if auth {
        if total < ct_at + security::TAG_LEN {
            let msg =
                Msg::Bi("the length leaves no room for the 12-byte authentication tag", "长度放不下 12 字节认证标签");
            ctx.diag(Severity::Error, 10, h.len_bytes, "dsmr.encrypted.length.mismatch", msg);
            (total, None)
        } else {
            (total - security::TAG_LEN, Some(&f[total - security::TAG_LEN..total]))
        }
    } else {
        (total, None)
    };
    let ct = &f[ct_at..ct_end];
    let ctn = ctx.node(root, "dsmr.encrypted.ciphertext", ct_at, ct.len(), NodeKind::Data);
    ctx.set(ctn).value(Msg::Code(byte_count, ct.len() as u64));
    let key = opts.keys.cipher_key;
    let (ak, default_ak) = match opts.keys.auth_key {
        Some(k) => (k, false),
        None => (DEFAULT_AK, true),
    };
    let mut system_title = [0u8; 8];
    system_title.copy_from_slice(&f[2..10]);
    let mut status = None;
    let mut is_telegram = false;
    if sc & 0x0F != 0 {
        let msg = Msg::Bi("only security suite 0 is decrypted", "只解密安全套件 0");
        ctx.diag(Severity::Info, at, 1, "dsmr.encrypted.suite", msg);
    } else if let Some(key) = key {
        let (plain, st) = security::open(&key, Some(&ak), &system_title, sc, ic, ct, tag);
        status = Some(st);
        is_telegram = plain.first() == Some(&b'/');
        let inner = plaintext(ctx, ctn, &plain, ct_at);
        let (text, value) = {
            let node = &ctx.f.nodes[inner as usize];
            (node.text.clone(), node.value.clone())
        };
        if text.is_none() {
            ctx.set(ctn).text(Msg::Bi("decrypted", "已解密"));
        } else {
            let t = Msg::Concat(Box::new([Msg::Bi("decrypted:", "已解密:"), Msg::Str(" "), text.clone()]));
            ctx.set(ctn).text(t);
            ctx.set(root).text(Msg::Concat(Box::new([title, Msg::Str(" · "), text])));
        }
        ctx.set(root).value(value);
    } else {
        let msg = Msg::Bi(
            "not decrypted: no cipher key (give the meter's encryption key)",
            "未解密：缺少加密密钥(请输入表计的加密密钥)",
        );
        ctx.diag(Severity::Info, ct_at, ct.len(), "dsmr.encrypted.no-key", msg);
    }
    if let Some(tag) = tag {
        let tag_at = ct_end;
        let tn = ctx.node(root, "dsmr.encrypted.tag-value", tag_at, tag.len(), NodeKind::Check);
        let stated = ctx.hex(tag_at, tag.len(), false);
        ctx.set(tn).value(stated.clone());
        let span = ctx.span(tag_at, tag.len());
        let check = |ok: bool, computed: Msg| Check {
            id: "dsmr.encrypted.tag-value".into(),
            label: Msg::Label,
            stated: stated.clone(),
            computed,
            ok,
            span,
        };
        match status {
            Some(security::TagStatus::Verified) => {
                ctx.f.check(check(true, stated.clone()));
                ctx.set(tn).text(if default_ak {
                    Msg::Bi("authenticated (default authentication key)", "已认证(默认认证密钥)")
                } else {
                    Msg::Bi("authenticated", "已认证")
                });
            }
            Some(security::TagStatus::Mismatch(computed)) => {
                let at = ctx.f.derive(&computed);
                let computed = Msg::Derived { at, len: computed.len() as u32, spaced: false, reversed: false };
                ctx.f.check(check(false, computed));
                ctx.set(tn).text(Msg::Bi("tag mismatch", "标签不匹配"));
                if default_ak && is_telegram {
                    let msg = Msg::Bi(
                        "tag mismatch with the default authentication key 00112233445566778899AABBCCDDEEFF: \
                         the telegram decrypts, give the meter's authentication key to verify it",
                        "使用默认认证密钥 00112233445566778899AABBCCDDEEFF 时标签不匹配：报文可解密，\
                         请输入表计的认证密钥以验证",
                    );
                    ctx.diag(Severity::Warning, tag_at, tag.len(), "dsmr.encrypted.tag.mismatch", msg);
                } else {
                    let msg = Msg::Bi("tag mismatch: wrong keys or altered bytes", "标签不匹配：密钥错误或字节被改动");
                    ctx.diag(Severity::Error, tag_at, tag.len(), "dsmr.encrypted.tag.mismatch", msg);
                }
            }
            _ if key.is_none() => {
                ctx.set(tn).text(Msg::Bi("not checked: no cipher key", "未校验：缺少加密密钥"));
            }
            _ => {
                ctx.set(tn).text(Msg::Bi("tag not verified", "标签未验证"));
            }
        }
    }
    if !cut && total < f.len() {
        let n = ctx.node(root, "dsmr.encrypted.trailing", total, f.len() - total, NodeKind::Unknown);
        let v = ctx.hex(total, f.len() - total, true);
        ctx.set(n).value(v);
        let msg = Msg::Bi("bytes after the end of the message", "报文结束后的多余字节");
        ctx.diag(Severity::Warning, total, f.len() - total, "dsmr.trailing", msg);
    }
}

/// The decrypted bytes of an encrypted telegram, kept in the frame's derived
/// bytes and dissected as a telegram at the ciphertext's offset `ct_at`,
/// under `dsmr.encrypted.plaintext` below `parent`. Returns that node.
fn plaintext(ctx: &mut Ctx, parent: NodeRef, plain: &[u8], ct_at: usize) -> NodeRef {
    let outer = (ctx.base, ctx.plain);
    let at = ctx.f.derive(plain);
    ctx.base += ct_at;
    ctx.plain = Some(at);
    let node = ctx.node(parent, "dsmr.encrypted.plaintext", 0, plain.len(), NodeKind::Data);
    if plain.first() == Some(&b'/') {
        telegram(ctx, node, plain);
    } else {
        if !plain.is_empty() {
            raw(ctx, node, 0, plain.len());
        }
        let msg = Msg::Bi(
            "the decrypted bytes are no P1 telegram (expected /): wrong cipher key?",
            "解密后的字节不是 P1 报文(应以 / 开始)：加密密钥错误？",
        );
        ctx.diag(Severity::Error, 0, plain.len(), "dsmr.encrypted.plaintext", msg);
    }
    (ctx.base, ctx.plain) = outer;
    node
}
