//! The tolerant dissectors of IEC 62056-21 messages and DSMR P1 telegrams:
//! a node for every byte, checks as data, diagnostics pinned to bytes.
//! Never fails and never panics.

use super::data;
use super::frame::{self, ACK, CR, EOT, ETX, Kind, LF, NAK, SOH, STX};
use super::lines::{self, text};
use crate::input::to_hex;
use crate::lang::Lang;
use crate::protocols::dlms::security;
use crate::registry::{self, Options};
use crate::span::Span;
use crate::view::{Check, Diagnostic, Frame, Node, NodeKind, Severity};

pub const IEC: &str = "iec62056-21";
pub const DSMR: &str = "dsmr-p1";

/// What one dissection collects besides the tree.
struct Ctx {
    lang: Lang,
    base: usize,
    /// Id prefix: `iec62056-21` or `dsmr`.
    prefix: &'static str,
    checks: Vec<Check>,
    diags: Vec<Diagnostic>,
}

impl Ctx {
    fn span(&self, at: usize, len: usize) -> Span {
        Span::at(self.base + at, len)
    }
    fn node(&self, id: &str, at: usize, len: usize, kind: NodeKind) -> Node {
        let id = format!("{}.{id}", self.prefix);
        Node::new(&id, self.lang.label(&id), self.span(at, len)).kind(kind)
    }
    fn diag(&mut self, severity: Severity, at: usize, len: usize, code: &str, en: &str, zh: &str) {
        let msg = self.lang.pick(en, zh).to_string();
        self.diags.push(Diagnostic::new(severity, self.span(at, len), code, msg));
    }
    fn pick(&self, en: &str, zh: &str) -> String {
        self.lang.pick(en, zh).to_string()
    }
}

/// A control character shown as a node.
fn control(ctx: &Ctx, id: &str, at: usize, byte: u8) -> Node {
    let name = match byte {
        SOH => "SOH",
        STX => "STX",
        ETX => "ETX",
        EOT => "EOT",
        ACK => "ACK",
        NAK => "NAK",
        _ => "",
    };
    let mut n = ctx.node(id, at, 1, NodeKind::Delimiter).value(format!("0x{byte:02X}"));
    if !name.is_empty() {
        n = n.text(name);
    }
    n
}

/// A line end (CR LF, or LF alone in pasted text) at `at`; a warning when missing.
fn eol(ctx: &mut Ctx, root: &mut Node, f: &[u8], at: usize) -> usize {
    match frame::eol_at(f, at) {
        Some(e) => {
            let v = if e - at == 2 { "CR LF" } else { "LF" };
            root.push(ctx.node("eol", at, e - at, NodeKind::Delimiter).value(v));
            e
        }
        None => {
            let code = format!("{}.eol.missing", ctx.prefix);
            ctx.diag(
                Severity::Warning,
                at.min(f.len()),
                0,
                &code,
                "the line end CR LF is missing",
                "缺少行结束符 CR LF",
            );
            at
        }
    }
}

/// Bytes after the end of the message.
fn trailing(ctx: &mut Ctx, root: &mut Node, f: &[u8], at: usize) {
    if at < f.len() {
        root.push(ctx.node("trailing", at, f.len() - at, NodeKind::Unknown).value(to_hex(&f[at..])));
        let code = format!("{}.trailing", ctx.prefix);
        ctx.diag(
            Severity::Warning,
            at,
            f.len() - at,
            &code,
            "bytes after the end of the message",
            "报文结束后的多余字节",
        );
    }
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

fn baud_text(lang: Lang, z: u8) -> String {
    match baud(z) {
        ('B', Some(r)) => format!("{} {r} Bd", lang.pick("mode B:", "模式 B:")),
        ('C', Some(r)) => format!("{} {r} Bd", lang.pick("mode C/E:", "模式 C/E:")),
        ('A', _) => lang.pick("mode A: no baud rate switch (300 Bd)", "模式 A: 不切换波特率(300 Bd)").to_string(),
        _ => lang.pick("reserved", "保留").to_string(),
    }
}

/// Dissect one IEC 62056-21 message.
pub fn dissect_iec(f: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let mut ctx = Ctx { lang, base, prefix: IEC, checks: Vec::new(), diags: Vec::new() };
    let mut root = Node::new(IEC, lang.label(IEC), Span::at(base, f.len()));
    let kind = frame::kind(f).map(|k| k.0);
    let (value, summary) = match kind {
        Some(Kind::Request) => {
            request(&mut ctx, &mut root, f);
            ("request", ctx.pick("request (sign-on)", "请求报文(登录)"))
        }
        Some(Kind::Identification) => {
            identification(&mut ctx, &mut root, f, "");
            ("identification", ctx.pick("identification", "识别报文"))
        }
        Some(Kind::OptionSelect) => {
            let s = option_select(&mut ctx, &mut root, f);
            ("option-select", s)
        }
        Some(Kind::Ack) => {
            root.push(control(&ctx, "ack", 0, ACK));
            trailing(&mut ctx, &mut root, f, 1);
            ("ack", ctx.pick("acknowledgement", "确认报文"))
        }
        Some(Kind::Nak) => {
            root.push(control(&ctx, "nak", 0, NAK));
            trailing(&mut ctx, &mut root, f, 1);
            ("nak", ctx.pick("repeat request", "重发请求报文"))
        }
        Some(Kind::Block) | Some(Kind::Command) => block(&mut ctx, &mut root, f),
        None => {
            if f.is_empty() {
                ctx.diags.push(registry::truncated(base, None, "iec62056-21.truncated", lang));
            } else {
                root.push(ctx.node("raw", 0, f.len(), NodeKind::Unknown).value(to_hex(f)));
                ctx.diag(
                    Severity::Error,
                    0,
                    f.len(),
                    "iec62056-21.start.missing",
                    "no IEC 62056-21 message starts here (expected /, ACK, NAK, SOH or STX)",
                    "此处不是 IEC 62056-21 报文的开始(应为 /、ACK、NAK、SOH 或 STX)",
                );
            }
            ("", String::new())
        }
    };
    if !value.is_empty() {
        root.value = Some(value.to_string());
        root.text = Some(summary);
    }
    Frame::new(IEC, root, ctx.checks, ctx.diags)
}

/// `/ ? address ! CR LF`.
fn request(ctx: &mut Ctx, root: &mut Node, f: &[u8]) {
    root.push(ctx.node("start", 0, 1, NodeKind::Delimiter).value("/"));
    if f.len() < 2 {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), None, "iec62056-21.truncated", ctx.lang));
        return;
    }
    root.push(ctx.node("request", 1, 1, NodeKind::Data).value("?"));
    let bang = f.iter().position(|&c| c == b'!');
    let end = bang.unwrap_or(f.len());
    if end > 2 {
        let a = text(f, 2..end);
        let n = ctx.node("address", 2, end - 2, NodeKind::Address).value(&a);
        root.push(n);
        if end - 2 > 32 {
            ctx.diag(
                Severity::Warning,
                2,
                end - 2,
                "iec62056-21.address.length",
                "the device address is longer than 32 characters",
                "设备地址超过 32 个字符",
            );
        }
    } else {
        root.push(
            ctx.node("address", 2, 0, NodeKind::Address)
                .value("")
                .text(ctx.pick("no address: any meter answers", "无地址:任一表计应答")),
        );
    }
    let Some(bang) = bang else {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), None, "iec62056-21.truncated", ctx.lang));
        return;
    };
    root.push(ctx.node("end", bang, 1, NodeKind::Delimiter).value("!"));
    let at = eol(ctx, root, f, bang + 1);
    trailing(ctx, root, f, at);
}

/// `/ XXX Z [\W] ident CR LF`, also the header of DSMR telegrams. Returns the
/// end of the identification text.
fn identification(ctx: &mut Ctx, root: &mut Node, f: &[u8], sub: &str) -> usize {
    let end = f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len());
    let id = |s: &str| if sub.is_empty() { s.to_string() } else { format!("{sub}.{s}") };
    root.push(ctx.node(&id("start"), 0, 1, NodeKind::Delimiter).value("/"));
    if end < 5 {
        if end > 1 {
            root.push(ctx.node(&id("ident"), 1, end - 1, NodeKind::Data).value(text(f, 1..end)));
        }
        let code = format!("{}.identification.short", ctx.prefix);
        ctx.diag(
            Severity::Warning,
            0,
            end,
            &code,
            "too short for /XXXZ: manufacturer id and baud character missing",
            "长度不足 /XXXZ:缺少制造商标识和波特率字符",
        );
        return end;
    }
    let m = text(f, 1..4);
    let mut mn = ctx.node(&id("manufacturer"), 1, 3, NodeKind::Data).value(&m);
    if f[3].is_ascii_lowercase() {
        mn = mn.text(ctx.pick("lower-case third letter: reaction time 20 ms", "第三个字母小写:最短响应时间 20 ms"));
    }
    root.push(mn);
    let z = f[4];
    root.push(ctx.node(&id("baud"), 4, 1, NodeKind::Data).value((z as char).to_string()).text(baud_text(ctx.lang, z)));
    let mut at = 5;
    let mut k = 0;
    while at + 1 < end && f[at] == b'\\' {
        let w = f[at + 1];
        let t = if w == b'2' {
            ctx.pick("mode E (binary HDLC) available", "支持模式 E(二进制 HDLC)")
        } else {
            ctx.pick("enhanced capability (reserved value)", "增强能力(保留值)")
        };
        root.push(ctx.node(&id(&format!("capability.{k}")), at, 2, NodeKind::Data).value(text(f, at..at + 2)).text(t));
        at += 2;
        k += 1;
    }
    if at < end {
        root.push(ctx.node(&id("ident"), at, end - at, NodeKind::Data).value(text(f, at..end)));
        if sub.is_empty() && end - at > 16 {
            ctx.diag(
                Severity::Info,
                at,
                end - at,
                "iec62056-21.identification.length",
                "the identification is longer than 16 characters",
                "识别字符串超过 16 个字符",
            );
        }
    }
    if sub.is_empty() {
        let after = eol(ctx, root, f, end);
        trailing(ctx, root, f, after);
    }
    end
}

/// `ACK V Z Y CR LF`.
fn option_select(ctx: &mut Ctx, root: &mut Node, f: &[u8]) -> String {
    let lang = ctx.lang;
    root.push(control(ctx, "ack", 0, ACK));
    let [_, v, z, y, ..] = *f else {
        if f.len() > 1 {
            root.push(ctx.node("raw", 1, f.len() - 1, NodeKind::Unknown).value(to_hex(&f[1..])));
        }
        ctx.diags.push(registry::truncated(
            ctx.base + f.len(),
            Some(5 - f.len().min(5)),
            "iec62056-21.truncated",
            lang,
        ));
        return lang.pick("option select (incomplete)", "选项选择(不完整)").to_string();
    };
    let vt = match v {
        b'0' => lang.pick("0 normal protocol procedure", "0 正常协议过程"),
        b'1' => lang.pick("1 secondary protocol procedure", "1 辅助协议过程"),
        b'2' => lang.pick("2 HDLC protocol procedure", "2 HDLC 协议过程"),
        _ => lang.pick("reserved", "保留"),
    };
    root.push(ctx.node("protocol-control", 1, 1, NodeKind::Control).value((v as char).to_string()).text(vt));
    let (_, rate) = baud(z);
    let rate = rate.filter(|_| z.is_ascii_digit());
    let zt = match rate {
        Some(r) => format!("{} -> {r}", z as char),
        None => format!("{} {}", z as char, lang.pick("reserved", "保留")),
    };
    root.push(ctx.node("baud", 2, 1, NodeKind::Data).value((z as char).to_string()).text(zt));
    let yt = match y {
        b'0' => lang.pick("0 data readout", "0 数据读出"),
        b'1' => lang.pick("1 programming mode", "1 编程模式"),
        b'2' => lang.pick("2 binary (HDLC) mode", "2 二进制(HDLC)模式"),
        b'6'..=b'9' => lang.pick("manufacturer-specific mode", "制造商特定模式"),
        _ => lang.pick("reserved", "保留"),
    };
    root.push(ctx.node("mode-control", 3, 1, NodeKind::Control).value((y as char).to_string()).text(yt));
    let at = eol(ctx, root, f, 4);
    trailing(ctx, root, f, at);
    let rate = rate.map_or_else(|| "?".to_string(), |r| r.to_string());
    match (v, y) {
        (b'2', b'2') => format!(
            "{} {rate} Bd 8N1 {}",
            lang.pick("option select: switch to", "选项选择:切换到"),
            lang.pick("and start HDLC SNRM", "并开始 HDLC SNRM")
        ),
        (_, b'1') => format!("{} {rate} Bd", lang.pick("option select: programming mode at", "选项选择:编程模式,")),
        _ => format!("{} {rate} Bd", lang.pick("option select: data readout at", "选项选择:数据读出,")),
    }
}

/// Name of a programming command (IEC 62056-21:2002, 6.3.8 and 6.3.9).
pub fn command_name(c: u8, d: u8, lang: Lang) -> String {
    let (en, zh) = match (c, d) {
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
    };
    lang.pick(en, zh).to_string()
}

/// `STX data ETX BCC`, `STX (ERRxx) ETX BCC` or `SOH C D [STX data] ETX BCC`.
fn block(ctx: &mut Ctx, root: &mut Node, f: &[u8]) -> (&'static str, String) {
    let lang = ctx.lang;
    let end = f.iter().skip(1).position(|&c| c == ETX || c == EOT).map(|i| i + 1);
    let body_end = end.unwrap_or(f.len());
    let (value, summary, data_from) = if f[0] == SOH {
        root.push(control(ctx, "soh", 0, SOH));
        let mut at = 1;
        let (c, d) = (f.get(1).copied().unwrap_or(0), f.get(2).copied().unwrap_or(0));
        if body_end >= 3 {
            root.push(ctx.node("command", 1, 2, NodeKind::Control).value(text(f, 1..3)).text(command_name(c, d, lang)));
            at = 3;
        }
        if f.get(at) == Some(&STX) && at < body_end {
            root.push(control(ctx, "stx", at, STX));
            at += 1;
        } else if c != b'B' && at < body_end {
            ctx.diag(
                Severity::Warning,
                at,
                1,
                "iec62056-21.stx.missing",
                "STX expected after the command",
                "命令后应为 STX",
            );
        }
        let name = command_name(c, d, lang);
        ("command", format!("{} {}{} {name}", lang.pick("command", "命令"), c as char, d as char), at)
    } else {
        root.push(control(ctx, "stx", 0, STX));
        let inner = text(f, 1..body_end);
        if inner.starts_with("(ERR") || (inner.starts_with('(') && inner.ends_with(')') && !inner.contains('\n')) {
            let v = inner.trim_start_matches('(').trim_end_matches(')').to_string();
            root.push(
                ctx.node("error", 1, body_end - 1, NodeKind::Data)
                    .value(&v)
                    .text(lang.pick("manufacturer-specific error message", "制造商定义的错误信息")),
            );
            ("error", format!("{} {v}", lang.pick("error message", "错误报文")), body_end)
        } else {
            let partial = end.is_some_and(|e| f[e] == EOT);
            let s = if partial {
                lang.pick("data message (partial block)", "数据报文(部分块)")
            } else {
                lang.pick("data message", "数据报文")
            };
            ("data", s.to_string(), 1)
        }
    };
    // The data: lines up to `!` (data message) or the block end.
    if data_from < body_end {
        let region = &f[data_from..body_end];
        let bang = if value == "data" {
            region
                .iter()
                .enumerate()
                .position(|(i, &c)| c == b'!' && (i == 0 || region[i - 1] == LF))
                .map(|i| data_from + i)
        } else {
            None
        };
        let data_end = bang.unwrap_or(body_end);
        let ls = data::lines(f, data_from..data_end);
        let region_span = Span::new(data_from, data_end);
        if !ls.is_empty() {
            root.push(lines::data_node(f, &ls, region_span, ctx.prefix, ctx.base, lang));
        }
        if let Some(b) = bang {
            root.push(ctx.node("end", b, 1, NodeKind::Delimiter).value("!"));
            let after = match frame::eol_at(f, b + 1) {
                Some(e) => {
                    root.push(ctx.node("eol", b + 1, e - b - 1, NodeKind::Delimiter).value("CR LF"));
                    e
                }
                None => b + 1,
            };
            if after < body_end {
                root.push(
                    ctx.node("data-trailing", after, body_end - after, NodeKind::Unknown)
                        .value(to_hex(&f[after..body_end])),
                );
            }
        } else if value == "data" && end.is_some_and(|e| f[e] == ETX) {
            ctx.diag(
                Severity::Warning,
                data_end,
                0,
                "iec62056-21.end.missing",
                "the end character ! is missing before ETX",
                "ETX 前缺少结束字符 !",
            );
        }
    }
    let Some(end) = end else {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), None, "iec62056-21.truncated", lang));
        return (value, summary);
    };
    root.push(control(ctx, if f[end] == ETX { "etx" } else { "eot" }, end, f[end]));
    bcc_check(ctx, root, f, end);
    trailing(ctx, root, f, end + 2);
    (value, summary)
}

/// The BCC after ETX/EOT at `end`: XOR over `f[1..=end]`.
fn bcc_check(ctx: &mut Ctx, root: &mut Node, f: &[u8], end: usize) {
    let lang = ctx.lang;
    let body = &f[1..=end];
    let computed = frame::bcc(body);
    let Some(&stated) = f.get(end + 1) else {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), Some(1), "iec62056-21.truncated", lang));
        return;
    };
    let seven = frame::bcc7(body);
    let ok8 = stated == computed;
    let ok7 = !ok8 && (stated & 0x7F) == seven;
    let mut n = ctx.node("bcc", end + 1, 1, NodeKind::Check).value(format!("0x{stated:02X}"));
    if ok7 {
        n = n.text(lang.pick("correct over 7-bit characters", "按 7 位字符计算正确"));
        ctx.diag(
            Severity::Info,
            end + 1,
            1,
            "iec62056-21.bcc.seven-bit",
            &format!("BCC 0x{stated:02X} matches when the parity bits are stripped (7-bit characters)"),
            &format!("BCC 0x{stated:02X} 在去掉奇偶校验位(7 位字符)后相符"),
        );
    }
    let ok = ok8 || ok7;
    let shown = if ok7 { seven } else { computed };
    ctx.checks.push(Check {
        id: "iec62056-21.bcc".into(),
        label: lang.label("iec62056-21.bcc"),
        stated: format!("0x{stated:02X}"),
        computed: format!("0x{shown:02X}"),
        ok,
        span: ctx.span(end + 1, 1),
    });
    if !ok {
        n = n.text(format!("{} 0x{computed:02X}", lang.pick("incorrect, should be", "错误,应为")));
        let msg = match lang {
            Lang::En => format!("BCC 0x{stated:02X} is incorrect, should be 0x{computed:02X}"),
            Lang::Zh => format!("BCC 0x{stated:02X} 错误,应为 0x{computed:02X}"),
        };
        ctx.diags.push(Diagnostic::error(ctx.span(end + 1, 1), "iec62056-21.bcc.mismatch", msg));
    }
    root.push(n);
}

// ------------------------------------------------------------------ DSMR P1

/// Dissect one DSMR P1 telegram (or the header of an encrypted one).
pub fn dissect_dsmr(f: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let mut ctx = Ctx { lang, base, prefix: "dsmr", checks: Vec::new(), diags: Vec::new() };
    let mut root = Node::new("dsmr", lang.label("dsmr"), Span::at(base, f.len()));
    match f.first() {
        Some(&b'/') => telegram(&mut ctx, &mut root, f),
        Some(&0xDB) => encrypted(&mut ctx, &mut root, f, opts),
        Some(_) => {
            root.push(ctx.node("raw", 0, f.len(), NodeKind::Unknown).value(to_hex(f)));
            ctx.diag(
                Severity::Error,
                0,
                f.len(),
                "dsmr.start.missing",
                "no DSMR telegram starts here (expected /)",
                "此处不是 DSMR 报文的开始(应为 /)",
            );
        }
        None => ctx.diags.push(registry::truncated(base, None, "dsmr.truncated", lang)),
    }
    Frame::new(DSMR, root, ctx.checks, ctx.diags)
}

/// The country variant a telegram's objects point to, with the line that tells.
///
/// `sets` holds each identified data set: text, code, offset and the unit of
/// its first value. Austria (`AT`): energy registers `1-0:1.8.0`/`2.8.0` in
/// whole `Wh` under a version line, as the public Austrian examples show
/// (Sagemcom T210-D `/EST5…` telegrams; Luxembourg writes `kWh`).
fn country(
    sets: &[(String, [u8; 6], usize, String)],
    has_version: bool,
) -> Option<(&'static str, &'static str, usize)> {
    let find =
        |a: u8, c: u8, d: u8, e: u8| sets.iter().find(|s| s.1[0] == a && data::cde(s.1) == (c, d, e)).map(|s| s.2);
    let in_wh = |c: u8| sets.iter().find(|s| s.1[0] == 1 && data::cde(s.1) == (c, 8, 0) && s.3 == "Wh").map(|s| s.2);
    if let Some(at) = find(0, 96, 1, 4).or(find(1, 1, 4, 0)).or(find(0, 24, 2, 3)) {
        return Some(("BE", "e-MUCS", at));
    }
    if let Some(at) = find(0, 98, 1, 0).or(find(1, 1, 8, 3)).or(find(1, 1, 8, 4)) {
        return Some(("HU", "", at));
    }
    if has_version && let Some(at) = in_wh(1).or(in_wh(2)) {
        return Some(("AT", "", at));
    }
    if has_version && let Some(at) = find(1, 1, 8, 0).filter(|_| find(1, 3, 8, 0).is_some()) {
        return Some(("LU", "", at));
    }
    if !has_version
        && let Some(at) = find(1, 1, 8, 0)
        && (find(1, 23, 7, 0).is_some() || find(1, 3, 8, 0).is_some())
    {
        return Some(("SE", "", at));
    }
    find(1, 1, 8, 1).or(find(1, 1, 8, 2)).map(|at| ("NL", "", at))
}

fn telegram(ctx: &mut Ctx, root: &mut Node, f: &[u8]) {
    let lang = ctx.lang;
    let layout = frame::telegram_layout(f).map(|l| l.0);
    let header_end =
        layout.map_or_else(|| f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len()), |l| l.header_end);
    let mut header = ctx.node("header", 0, header_end, NodeKind::Data).value(text(f, 0..header_end));
    identification(ctx, &mut header, &f[..header_end], "header");
    root.push(header);
    let Some(layout) = layout else {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), None, "dsmr.truncated", lang));
        return;
    };
    let mut at = eol(ctx, root, f, header_end);
    // The blank line after the header.
    match frame::eol_at(f, at) {
        Some(e) => {
            root.push(ctx.node("blank", at, e - at, NodeKind::Delimiter).value(if e - at == 2 {
                "CR LF"
            } else {
                "LF"
            }));
            at = e;
        }
        None => ctx.diag(
            Severity::Warning,
            at,
            0,
            "dsmr.blank.missing",
            "the blank line after the header is missing",
            "报文头后缺少空行",
        ),
    }
    let data_end = layout.bang.unwrap_or(layout.len).max(at);
    let ls = data::lines(f, at..data_end);
    // Every identified data set: text, code, offset.
    let mut sets = Vec::new();
    let mut version = None;
    for l in &ls {
        for s in &l.sets {
            let a = text(f, s.address.clone());
            if let Some((code, _)) = data::identifier(&a) {
                if code[0] == 1 && code[1] == 3 && data::cde(code) == (0, 2, 8) {
                    version = s.groups.first().and_then(|g| text(f, g.value.clone()).parse::<u32>().ok());
                }
                if code[0] == 1 && data::cde(code) == (99, 97, 0) {
                    event_log(ctx, f, s);
                }
                let unit = s.groups.first().and_then(|g| g.unit.clone()).map(|u| text(f, u)).unwrap_or_default();
                sets.push((a, code, s.span.start, unit));
            }
        }
    }
    if !ls.is_empty() {
        root.push(lines::data_node(f, &ls, Span::new(at, data_end), "dsmr", ctx.base, lang));
    }
    let mut summary = vec![match version {
        Some(v) => format!("DSMR {}.{}", v / 10, v % 10),
        None => {
            lang.pick("DSMR 2.2/3 or vendor telegram (no version line)", "DSMR 2.2/3 或厂商报文(无版本行)").to_string()
        }
    }];
    if let Some((cc, extra, line)) = country(&sets, version.is_some()) {
        let t = if extra.is_empty() { cc.to_string() } else { format!("{cc} {extra}") };
        root.push(
            ctx.node("country", line, 0, NodeKind::Data)
                .value(cc)
                .text(format!("{} {t}", lang.pick("likely variant:", "可能的国家变体:"))),
        );
        summary.push(t);
    }
    root.text = Some(summary.join(" · "));
    root.value = version.map(|v| v.to_string());
    let Some(bang) = layout.bang else {
        ctx.diag(
            Severity::Error,
            f.len(),
            0,
            "dsmr.end.missing",
            "the telegram ends without the end character !",
            "报文在结束字符 ! 之前终止",
        );
        return;
    };
    root.push(ctx.node("end", bang, 1, NodeKind::Delimiter).value("!"));
    match layout.crc {
        Some((s, e)) => crc_check(ctx, root, f, bang, s, e, version),
        None => {
            let (sev, en, zh) = if version.is_some_and(|v| v >= 40) {
                (
                    Severity::Warning,
                    "no CRC after !, although DSMR 4 and later require one",
                    "! 后没有 CRC,但 DSMR 4 及以后版本要求 CRC",
                )
            } else {
                (
                    Severity::Info,
                    "no CRC after ! (DSMR 2.2/3 and some vendors send none)",
                    "! 后没有 CRC(DSMR 2.2/3 和部分厂商不发送)",
                )
            };
            ctx.diag(sev, bang + 1, 0, "dsmr.crc.missing", en, zh);
        }
    }
    let after = layout.crc.map_or(bang + 1, |c| c.1);
    if let Some(e) = frame::eol_at(f, after) {
        root.push(ctx.node("end-eol", after, e - after, NodeKind::Delimiter).value(if e - after == 2 {
            "CR LF"
        } else {
            "LF"
        }));
    }
}

/// The power failure event log `1-0:99.97.0(count)(0-0:96.7.19)(ts)(dur*s)…`: the count agrees with the pairs.
fn event_log(ctx: &mut Ctx, f: &[u8], s: &data::DataSet) {
    let Some(count) = s.groups.first().and_then(|g| text(f, g.value.clone()).parse::<usize>().ok()) else {
        return;
    };
    let pairs = s.groups.len().saturating_sub(2) / 2;
    if count != pairs || !s.groups.len().is_multiple_of(2) {
        let msg = match ctx.lang {
            Lang::En => format!("the power failure log says {count} event(s) but holds {pairs}"),
            Lang::Zh => format!("停电事件日志声明 {count} 条,实际 {pairs} 条"),
        };
        let span = Span::new(ctx.base + s.span.start, ctx.base + s.span.end);
        ctx.diags.push(Diagnostic::warning(span, "dsmr.event-log.count", msg));
    }
}

/// The CRC after `!`: CRC-16/ARC over `/`..`!`, written as hex digits.
fn crc_check(ctx: &mut Ctx, root: &mut Node, f: &[u8], bang: usize, s: usize, e: usize, version: Option<u32>) {
    let lang = ctx.lang;
    let written = text(f, s..e);
    let stated = u16::from_str_radix(&written, 16).unwrap_or(0);
    let computed = crate::wire::crc16_arc(&f[..=bang]);
    let mut ok = stated == computed;
    let mut crlf = false;
    let lf_only = f[..=bang].windows(2).any(|w| w[1] == LF && w[0] != CR) || f.first() == Some(&LF);
    if !ok && lf_only {
        // Pasted text with LF-only line ends: the meter sent CR LF.
        let mut v = Vec::with_capacity(bang + 64);
        for (i, &c) in f[..=bang].iter().enumerate() {
            if c == LF && (i == 0 || f[i - 1] != CR) {
                v.push(CR);
            }
            v.push(c);
        }
        if crate::wire::crc16_arc(&v) == stated {
            ok = true;
            crlf = true;
        }
    }
    let mut n = ctx.node("crc", s, e - s, NodeKind::Check).value(&written);
    if written.len() < 4 {
        n = n.text(format!("0x{stated:04X}"));
        ctx.diag(
            Severity::Info,
            s,
            e - s,
            "dsmr.crc.short",
            "the CRC is written with fewer than 4 hex digits (leading zeros left out)",
            "CRC 少于 4 个十六进制数字(省略了前导零)",
        );
    }
    if written.bytes().any(|c| c.is_ascii_lowercase()) {
        ctx.diag(
            Severity::Info,
            s,
            e - s,
            "dsmr.crc.lowercase",
            "the CRC is written in lower case",
            "CRC 使用了小写字母",
        );
    }
    let shown = if crlf { stated } else { computed };
    ctx.checks.push(Check {
        id: "dsmr.crc".into(),
        label: lang.label("dsmr.crc"),
        stated: format!("0x{stated:04X}"),
        computed: format!("0x{shown:04X}"),
        ok,
        span: ctx.span(s, e - s),
    });
    if crlf {
        ctx.diag(
            Severity::Info,
            s,
            e - s,
            "dsmr.crc.crlf",
            "CRC matches with CR LF line endings as sent by the meter",
            "按表计发送的 CR LF 行结束符计算时 CRC 正确",
        );
    } else if !ok {
        n = n.text(format!("{} 0x{computed:04X}", lang.pick("incorrect, should be", "错误,应为")));
        let msg = match lang {
            Lang::En => format!("CRC 0x{stated:04X} is incorrect, should be 0x{computed:04X}"),
            Lang::Zh => format!("CRC 0x{stated:04X} 错误,应为 0x{computed:04X}"),
        };
        ctx.diags.push(Diagnostic::error(ctx.span(s, e - s), "dsmr.crc.mismatch", msg));
    }
    if version.is_some_and(|v| v < 40) {
        ctx.diag(
            Severity::Info,
            s,
            e - s,
            "dsmr.crc.unexpected",
            "a CRC in a telegram older than DSMR 4",
            "DSMR 4 之前版本的报文带有 CRC",
        );
    }
    root.push(n);
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
fn encrypted(ctx: &mut Ctx, root: &mut Node, f: &[u8], opts: &Options) {
    let lang = ctx.lang;
    let title = lang.pick("encrypted P1 telegram (general-glo-ciphering)", "加密 P1 报文(general-glo-ciphering)");
    root.text = Some(title.into());
    root.push(ctx.node("encrypted.tag", 0, 1, NodeKind::Data).value("0xDB").text("general-glo-ciphering"));
    let Some(h) = frame::encrypted_header(f) else {
        ctx.diags.push(registry::truncated(ctx.base + f.len(), None, "dsmr.truncated", lang));
        return;
    };
    root.push(ctx.node("encrypted.title-length", 1, 1, NodeKind::Data).value("8"));
    let maker = text(f, 2..5);
    root.push(
        ctx.node("encrypted.system-title", 2, 8, NodeKind::Address)
            .value(hex(&f[2..10]))
            .text(format!("{} {maker}", lang.pick("manufacturer", "制造商"))),
    );
    root.push(ctx.node("encrypted.length", 10, h.len_bytes, NodeKind::Length).value(h.length.to_string()));
    let at = 10 + h.len_bytes;
    let total = at + h.length;
    if f.len() < at + 5 {
        if let Some(&sc) = f.get(at) {
            root.push(ctx.node("encrypted.security-control", at, 1, NodeKind::Control).value(format!("0x{sc:02X}")));
        }
        ctx.diags.push(registry::truncated(ctx.base + f.len(), Some(at + 5 - f.len()), "dsmr.truncated", lang));
        return;
    }
    let sc = f[at];
    root.push(
        ctx.node("encrypted.security-control", at, 1, NodeKind::Control)
            .value(format!("0x{sc:02X}"))
            .text(security::security_control_text(sc, lang)),
    );
    let ic = u32::from_be_bytes([f[at + 1], f[at + 2], f[at + 3], f[at + 4]]);
    root.push(
        ctx.node("encrypted.invocation-counter", at + 1, 4, NodeKind::Data)
            .value(ic.to_string())
            .text(format!("0x{ic:08X}")),
    );
    let ct_at = at + 5;
    let auth = sc & 0x10 != 0;
    // The ciphertext and the tag; a cut telegram keeps its ciphertext, without a tag.
    let cut = total > f.len();
    let (ct_end, tag) = if cut {
        let msg = match lang {
            Lang::En => format!("the length says {} byte(s), {} are present", h.length, f.len() - at),
            Lang::Zh => format!("长度为 {} 字节，实际只有 {} 字节", h.length, f.len() - at),
        };
        ctx.diags.push(Diagnostic::error(ctx.span(10, h.len_bytes), "dsmr.encrypted.length.mismatch", msg));
        (f.len(), None)
    } else if auth {
        if total < ct_at + security::TAG_LEN {
            ctx.diag(
                Severity::Error,
                10,
                h.len_bytes,
                "dsmr.encrypted.length.mismatch",
                "the length leaves no room for the 12-byte authentication tag",
                "长度放不下 12 字节认证标签",
            );
            (total, None)
        } else {
            (total - security::TAG_LEN, Some(&f[total - security::TAG_LEN..total]))
        }
    } else {
        (total, None)
    };
    let ct = &f[ct_at..ct_end];
    let mut ctn = ctx.node("encrypted.ciphertext", ct_at, ct.len(), NodeKind::Data).value(format!(
        "{} {}",
        ct.len(),
        lang.pick("byte(s)", "字节")
    ));
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
        ctx.diag(
            Severity::Info,
            at,
            1,
            "dsmr.encrypted.suite",
            "only security suite 0 is decrypted",
            "只解密安全套件 0",
        );
    } else if let Some(key) = key {
        let (plain, st) = security::open(&key, Some(&ak), &system_title, sc, ic, ct, tag);
        status = Some(st);
        is_telegram = plain.first() == Some(&b'/');
        let inner = plaintext(&plain, ctx.base + ct_at, opts);
        ctn = ctn.text(match &inner.tree.text {
            Some(t) => format!("{} {t}", lang.pick("decrypted:", "已解密:")),
            None => lang.pick("decrypted", "已解密").to_string(),
        });
        if let Some(t) = &inner.tree.text {
            root.text = Some(format!("{title} · {t}"));
        }
        root.value = inner.tree.value.clone();
        ctx.checks.extend(inner.checks);
        ctx.diags.extend(inner.diagnostics);
        ctn.push(inner.tree);
    } else {
        ctx.diag(
            Severity::Info,
            ct_at,
            ct.len(),
            "dsmr.encrypted.no-key",
            "not decrypted: no cipher key (give the meter's encryption key)",
            "未解密：缺少加密密钥(请输入表计的加密密钥)",
        );
    }
    root.push(ctn);
    if let Some(tag) = tag {
        let tag_at = ct_end;
        let mut tn = ctx.node("encrypted.tag-value", tag_at, tag.len(), NodeKind::Check).value(hex(tag));
        let label = lang.label("dsmr.encrypted.tag-value");
        let span = ctx.span(tag_at, tag.len());
        let check = |ok: bool, computed: String| Check {
            id: "dsmr.encrypted.tag-value".into(),
            label: label.clone(),
            stated: hex(tag),
            computed,
            ok,
            span,
        };
        match status {
            Some(security::TagStatus::Verified) => {
                ctx.checks.push(check(true, hex(tag)));
                tn = tn.text(if default_ak {
                    lang.pick("authenticated (default authentication key)", "已认证(默认认证密钥)")
                } else {
                    lang.pick("authenticated", "已认证")
                });
            }
            Some(security::TagStatus::Mismatch(computed)) => {
                ctx.checks.push(check(false, hex(&computed)));
                tn = tn.text(lang.pick("tag mismatch", "标签不匹配"));
                if default_ak && is_telegram {
                    ctx.diag(
                        Severity::Warning,
                        tag_at,
                        tag.len(),
                        "dsmr.encrypted.tag.mismatch",
                        "tag mismatch with the default authentication key 00112233445566778899AABBCCDDEEFF: \
                         the telegram decrypts, give the meter's authentication key to verify it",
                        "使用默认认证密钥 00112233445566778899AABBCCDDEEFF 时标签不匹配：报文可解密，\
                         请输入表计的认证密钥以验证",
                    );
                } else {
                    ctx.diag(
                        Severity::Error,
                        tag_at,
                        tag.len(),
                        "dsmr.encrypted.tag.mismatch",
                        "tag mismatch: wrong keys or altered bytes",
                        "标签不匹配：密钥错误或字节被改动",
                    );
                }
            }
            _ if key.is_none() => {
                tn = tn.text(lang.pick("not checked: no cipher key", "未校验：缺少加密密钥"));
            }
            _ => {
                tn = tn.text(lang.pick("tag not verified", "标签未验证"));
            }
        }
        root.push(tn);
    }
    if !cut && total < f.len() {
        root.push(ctx.node("encrypted.trailing", total, f.len() - total, NodeKind::Unknown).value(to_hex(&f[total..])));
        ctx.diag(
            Severity::Warning,
            total,
            f.len() - total,
            "dsmr.trailing",
            "bytes after the end of the message",
            "报文结束后的多余字节",
        );
    }
}

/// Compact upper-case hex.
fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The decrypted bytes of an encrypted telegram, dissected as a telegram at
/// `base` (the ciphertext's offset), under the id `dsmr.encrypted.plaintext`.
fn plaintext(plain: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let mut frame = if plain.first() == Some(&b'/') {
        dissect_dsmr(plain, base, opts)
    } else {
        let mut ctx = Ctx { lang, base, prefix: "dsmr", checks: Vec::new(), diags: Vec::new() };
        let mut root = Node::new("dsmr", "", Span::at(base, plain.len()));
        if !plain.is_empty() {
            root.push(ctx.node("raw", 0, plain.len(), NodeKind::Unknown).value(to_hex(plain)));
        }
        ctx.diag(
            Severity::Error,
            0,
            plain.len(),
            "dsmr.encrypted.plaintext",
            "the decrypted bytes are no P1 telegram (expected /): wrong cipher key?",
            "解密后的字节不是 P1 报文(应以 / 开始)：加密密钥错误？",
        );
        Frame::new(DSMR, root, ctx.checks, ctx.diags)
    };
    frame.tree.id = "dsmr.encrypted.plaintext".into();
    frame.tree.label = lang.label("dsmr.encrypted.plaintext");
    frame
}
