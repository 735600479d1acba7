//! IEC 62056-21 messages: sign-on request, identification, option select,
//! programming commands and data blocks with their BCC.

use super::*;

/// Dissect one IEC 62056-21 message.
pub fn dissect_iec(f: &[u8], base: usize, _opts: &Options) -> Frame {
    let mut ctx = Ctx::new(IEC, f, base, false);
    let root = ctx.f.add(NONE, IEC, Span::at(base, f.len()), NodeKind::Data).index();
    let summary = match frame::kind(f).map(|k| k.0) {
        Some(Kind::Request) => {
            request(&mut ctx, root, f);
            Some(("request", crate::msg!("request (sign-on)", "请求报文(登录)")))
        }
        Some(Kind::Identification) => {
            identification(&mut ctx, root, f, false);
            Some(("identification", crate::msg!("identification", "识别报文")))
        }
        Some(Kind::OptionSelect) => Some(("option-select", option_select(&mut ctx, root, f))),
        Some(Kind::Ack) => {
            control(&mut ctx, root, "iec62056-21.ack", 0, ACK);
            trailing(&mut ctx, root, f, 1);
            Some(("ack", crate::msg!("acknowledgement", "确认报文")))
        }
        Some(Kind::Nak) => {
            control(&mut ctx, root, "iec62056-21.nak", 0, NAK);
            trailing(&mut ctx, root, f, 1);
            Some(("nak", crate::msg!("repeat request", "重发请求报文")))
        }
        Some(Kind::Block) | Some(Kind::Command) => Some(block(&mut ctx, root, f)),
        Some(Kind::LoggedReadout) => {
            let end = f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len());
            let after = frame::eol_at(f, end).unwrap_or(end);
            identification(&mut ctx, root, &f[..after], false);
            data_to_end(&mut ctx, root, f, after, f.len(), true, "iec62056-21.end-eol");
            let msg = crate::msg!(
                "data lines without STX, ETX and BCC: a readout as logged, the block characters left out",
                "无 STX、ETX 和 BCC 的数据行:记录下来的读出数据,未含块控制字符",
            );
            ctx.diag(Severity::Info, after, 0, "iec62056-21.unframed", msg);
            Some(("readout", crate::msg!("identification and data lines (no STX/ETX)", "识别报文和数据行(无 STX/ETX)")))
        }
        None => {
            if f.is_empty() {
                ctx.truncated(0, None, "iec62056-21.truncated");
            } else {
                raw(&mut ctx, root, 0, f.len());
                let msg = crate::msg!(
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
pub(super) fn request(ctx: &mut Ctx, root: NodeRef, f: &[u8]) {
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
            let msg = crate::msg!("the device address is longer than 32 characters", "设备地址超过 32 个字符");
            ctx.diag(Severity::Warning, 2, end - 2, "iec62056-21.address.length", msg);
        }
    } else {
        let n = ctx.node(root, "iec62056-21.address", 2, 0, NodeKind::Address);
        ctx.set(n).value(Msg::Str("")).text(crate::msg!("no address: any meter answers", "无地址:任一表计应答"));
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
pub(super) fn identification(ctx: &mut Ctx, parent: NodeRef, f: &[u8], header: bool) -> usize {
    let end = f.iter().position(|&c| c == CR || c == LF).unwrap_or(f.len());
    let n = ctx.node(parent, ident_id!(header, "start"), 0, 1, NodeKind::Delimiter);
    ctx.set(n).value(Msg::Str("/"));
    if end < 5 {
        if end > 1 {
            let n = ctx.node(parent, ident_id!(header, "ident"), 1, end - 1, NodeKind::Data);
            let v = ctx.text(f, 1..end);
            ctx.set(n).value(v);
        }
        let msg = crate::msg!(
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
        let t = crate::msg!("lower-case third letter: reaction time 20 ms", "第三个字母小写:最短响应时间 20 ms");
        ctx.set(n).text(t);
    }
    let z = u64::from(f[4]);
    let n = ctx.node(parent, ident_id!(header, "baud"), 4, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Code(char_of, z)).text(Msg::Code(baud_text, z));
    let mut at = 5;
    let mut k = 0;
    while at + 1 < end && f[at] == b'\\' {
        let t = if f[at + 1] == b'2' {
            crate::msg!("mode E (binary HDLC) available", "支持模式 E(二进制 HDLC)")
        } else {
            crate::msg!("enhanced capability (reserved value)", "增强能力(保留值)")
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
            let msg = crate::msg!("the identification is longer than 16 characters", "识别字符串超过 16 个字符");
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
pub(super) fn option_select(ctx: &mut Ctx, root: NodeRef, f: &[u8]) -> Msg {
    control(ctx, root, "iec62056-21.ack", 0, ACK);
    let [_, v, z, y, ..] = *f else {
        if f.len() > 1 {
            raw(ctx, root, 1, f.len() - 1);
        }
        ctx.truncated(f.len(), Some(5 - f.len().min(5)), "iec62056-21.truncated");
        return crate::msg!("option select (incomplete)", "选项选择(不完整)");
    };
    let vt = match v {
        b'0' => crate::msg!("0 normal protocol procedure", "0 正常协议过程"),
        b'1' => crate::msg!("1 secondary protocol procedure", "1 辅助协议过程"),
        b'2' => crate::msg!("2 HDLC protocol procedure", "2 HDLC 协议过程"),
        _ => crate::msg!("reserved", "保留"),
    };
    let n = ctx.node(root, "iec62056-21.protocol-control", 1, 1, NodeKind::Control);
    ctx.set(n).value(Msg::Code(char_of, v.into())).text(vt);
    let n = ctx.node(root, "iec62056-21.baud", 2, 1, NodeKind::Data);
    ctx.set(n).value(Msg::Code(char_of, z.into())).text(Msg::Code(option_baud, z.into()));
    let yt = match y {
        b'0' => crate::msg!("0 data readout", "0 数据读出"),
        b'1' => crate::msg!("1 programming mode", "1 编程模式"),
        b'2' => crate::msg!("2 binary (HDLC) mode", "2 二进制(HDLC)模式"),
        b'6'..=b'9' => crate::msg!("manufacturer-specific mode", "制造商特定模式"),
        _ => crate::msg!("reserved", "保留"),
    };
    let n = ctx.node(root, "iec62056-21.mode-control", 3, 1, NodeKind::Control);
    ctx.set(n).value(Msg::Code(char_of, y.into())).text(yt);
    // Reserved characters: no meter acts on them (what random bytes look like).
    if !matches!(v, b'0'..=b'2') {
        let m = crate::msg!("reserved protocol control character", "保留的协议控制字符");
        ctx.diag(Severity::Error, 1, 1, "iec62056-21.option.reserved", m);
    }
    if option_rate(z).is_none() {
        let m = crate::msg!("reserved baud rate character", "保留的波特率字符");
        ctx.diag(Severity::Error, 2, 1, "iec62056-21.option.reserved", m);
    }
    if !matches!(y, b'0'..=b'2' | b'6'..=b'9') {
        let m = crate::msg!("reserved mode control character", "保留的模式控制字符");
        ctx.diag(Severity::Error, 3, 1, "iec62056-21.option.reserved", m);
    }
    let at = eol(ctx, root, f, 4);
    trailing(ctx, root, f, at);
    Msg::Code(option_summary, u64::from(v) << 16 | u64::from(y) << 8 | u64::from(z))
}

/// Name of a programming command (IEC 62056-21:2002, 6.3.8 and 6.3.9), in
/// English and Chinese.
pub fn command_names(c: u8, d: u8) -> &'static (&'static str, &'static str) {
    match (c, d) {
        (b'P', b'0') => &("password: operand for the secure algorithm", "密码:安全算法的操作数"),
        (b'P', b'1') => &("password: comparison password", "密码:比较密码"),
        (b'P', b'2') => &("password: result of the secure algorithm", "密码:安全算法的结果"),
        (b'W', b'1') => &("write ASCII-coded data", "写 ASCII 编码数据"),
        (b'W', b'2') => &("write, formatted communication coding", "写(格式化编码)"),
        (b'W', b'3') => &("write ASCII-coded data, partial block", "写 ASCII 编码数据(部分块)"),
        (b'W', b'4') => &("write, formatted coding, partial block", "写(格式化编码,部分块)"),
        (b'R', b'1') => &("read ASCII-coded data", "读 ASCII 编码数据"),
        (b'R', b'2') => &("read, formatted communication coding", "读(格式化编码)"),
        (b'R', b'3') => &("read ASCII-coded data, partial block", "读 ASCII 编码数据(部分块)"),
        (b'R', b'4') => &("read, formatted coding, partial block", "读(格式化编码,部分块)"),
        (b'W', b'5'..=b'9') => &("write, national use (e.g. OBIS-coded)", "写(国家使用,如 OBIS 编码)"),
        (b'R', b'5'..=b'9') => {
            &("read, national use (R5 OBIS-coded, R6 with partial blocks)", "读(国家使用,R5 OBIS 编码,R6 部分块)")
        }
        (b'E', b'2') => &("execute, formatted communication coding", "执行(格式化编码)"),
        (b'B', b'0') => &("break: complete sign-off", "中断:完全退出"),
        (b'P' | b'W' | b'R' | b'E' | b'B', _) => &("reserved command type", "保留的命令类型"),
        _ => &("unknown command", "未知命令"),
    }
}

/// `STX data ETX BCC`, `STX (ERRxx) ETX BCC` or `SOH C D [STX data] ETX BCC`;
/// returns the root's value and summary.
pub(super) fn block(ctx: &mut Ctx, root: NodeRef, f: &[u8]) -> (&'static str, Msg) {
    let end = f.iter().skip(1).position(|&c| c == ETX || c == EOT).map(|i| i + 1);
    let body_end = end.unwrap_or(f.len());
    let (value, summary, data_from) = if f[0] == SOH {
        control(ctx, root, "iec62056-21.soh", 0, SOH);
        let mut at = 1;
        let (c, d) = (f.get(1).copied().unwrap_or(0), f.get(2).copied().unwrap_or(0));
        if body_end >= 3 {
            let names = command_names(c, d);
            let n = ctx.node(root, "iec62056-21.command", 1, 2, NodeKind::Control);
            let v = ctx.text(f, 1..3);
            ctx.set(n).value(v).text(Msg::Bi(names));
            at = 3;
        }
        if f.get(at) == Some(&STX) && at < body_end {
            control(ctx, root, "iec62056-21.stx", at, STX);
            at += 1;
        } else if c != b'B' && at < body_end {
            let msg = crate::msg!("STX expected after the command", "命令后应为 STX");
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
            let t = crate::msg!("manufacturer-specific error message", "制造商定义的错误信息");
            ctx.set(n).value(v.clone()).text(t);
            let summary = Msg::Concat(Box::new([crate::msg!("error message", "错误报文"), Msg::Str(" "), v]));
            ("error", summary, body_end)
        } else if end.is_some_and(|e| f[e] == EOT) {
            ("data", crate::msg!("data message (partial block)", "数据报文(部分块)"), 1)
        } else {
            ("data", crate::msg!("data message", "数据报文"), 1)
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
pub(super) fn data_to_end(
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
        let msg = crate::msg!("the end character ! is missing before ETX", "ETX 前缺少结束字符 !");
        ctx.diag(Severity::Warning, data_end, 0, "iec62056-21.end.missing", msg);
    }
}

/// The BCC after ETX/EOT at `end`: XOR over `f[1..=end]`.
pub(super) fn bcc_check(ctx: &mut Ctx, root: NodeRef, f: &[u8], end: usize) {
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
        ctx.set(n).text(crate::msg!("correct over 7-bit characters", "按 7 位字符计算正确"));
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
