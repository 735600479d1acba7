//! DSMR P1 telegrams: header, data sets with OBIS names, country variants,
//! CRC-16/ARC, and encrypted telegrams (decrypted with the keys given).

use super::iec::identification;
use super::*;

/// Dissect one DSMR P1 telegram (or the header of an encrypted one).
pub fn dissect_dsmr(f: &[u8], base: usize, opts: &Options) -> Frame {
    let mut ctx = Ctx::new(DSMR, f, base, true);
    let root = ctx.f.add(NONE, "dsmr", Span::at(base, f.len()), NodeKind::Data).index();
    match f.first() {
        Some(&b'/') => telegram(&mut ctx, root, f),
        Some(&0xDB) => encrypted(&mut ctx, root, f, opts),
        Some(_) => {
            raw(&mut ctx, root, 0, f.len());
            let msg = crate::msg!("no DSMR telegram starts here (expected /)", "此处不是 DSMR 报文的开始(应为 /)");
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
pub(super) fn country(
    sets: &[([u8; 6], usize, bool)],
    has_version: bool,
) -> Option<(&'static str, &'static str, usize)> {
    let cde = super::super::data::cde;
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
pub(super) fn telegram(ctx: &mut Ctx, root: NodeRef, f: &[u8]) {
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
            let msg = crate::msg!("the blank line after the header is missing", "报文头后缺少空行");
            ctx.diag(Severity::Warning, at, 0, "dsmr.blank.missing", msg);
        }
    }
    let data_end = layout.bang.unwrap_or(layout.len).max(at);
    let mut found = Telegram::default();
    lines::data_lines(ctx, root, f, at..data_end, Some(&mut found));
    let version = found.version;
    let version_text = match version {
        Some(v) => Msg::Code(dsmr_version, v.into()),
        None => crate::msg!("DSMR 2.2/3 or vendor telegram (no version line)", "DSMR 2.2/3 或厂商报文(无版本行)"),
    };
    let summary = match country(&found.sets, version.is_some()) {
        Some((cc, t, line)) => {
            // The line that tells, not an empty node after the data.
            let len = f[line..].iter().position(|&c| c == CR || c == LF).unwrap_or(f.len() - line);
            let n = ctx.node(root, "dsmr.country", line, len, NodeKind::Data);
            let text =
                Msg::Concat(Box::new([crate::msg!("likely variant:", "可能的国家变体:"), Msg::Str(" "), Msg::Str(t)]));
            ctx.set(n).value(Msg::Str(cc)).text(text);
            Msg::Concat(Box::new([version_text, Msg::Str(" · "), Msg::Str(t)]))
        }
        None => version_text,
    };
    let value = version.map_or(Msg::None, |v| Msg::Uint(v.into()));
    ctx.set(root).text(summary).value(value);
    let Some(bang) = layout.bang else {
        let msg = crate::msg!("the telegram ends without the end character !", "报文在结束字符 ! 之前终止");
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
                    crate::msg!(
                        "no CRC after !, although DSMR 4 and later require one",
                        "! 后没有 CRC,但 DSMR 4 及以后版本要求 CRC",
                    ),
                )
            } else {
                (
                    Severity::Info,
                    crate::msg!(
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
pub(super) fn crc_check(ctx: &mut Ctx, root: NodeRef, f: &[u8], bang: usize, s: usize, e: usize, version: Option<u32>) {
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
        let msg = crate::msg!(
            "the CRC is written with fewer than 4 hex digits (leading zeros left out)",
            "CRC 少于 4 个十六进制数字(省略了前导零)",
        );
        ctx.diag(Severity::Info, s, e - s, "dsmr.crc.short", msg);
    }
    if written.iter().any(u8::is_ascii_lowercase) {
        let msg = crate::msg!("the CRC is written in lower case", "CRC 使用了小写字母");
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
        let msg = crate::msg!(
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
        let msg = crate::msg!("a CRC in a telegram older than DSMR 4", "DSMR 4 之前版本的报文带有 CRC");
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
pub(super) fn encrypted(ctx: &mut Ctx, root: NodeRef, f: &[u8], opts: &Options) {
    let title = crate::msg!("encrypted P1 telegram (general-glo-ciphering)", "加密 P1 报文(general-glo-ciphering)");
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
    let maker = Msg::Concat(Box::new([crate::msg!("manufacturer", "制造商"), Msg::Str(" "), ctx.text(f, 2..5)]));
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
            let msg = crate::msg!(
                "the length leaves no room for the 12-byte authentication tag",
                "长度放不下 12 字节认证标签"
            );
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
        let msg = crate::msg!("only security suite 0 is decrypted", "只解密安全套件 0");
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
            ctx.set(ctn).text(crate::msg!("decrypted", "已解密"));
        } else {
            let t = Msg::Concat(Box::new([crate::msg!("decrypted:", "已解密:"), Msg::Str(" "), text.clone()]));
            ctx.set(ctn).text(t);
            ctx.set(root).text(Msg::Concat(Box::new([title, Msg::Str(" · "), text])));
        }
        ctx.set(root).value(value);
    } else {
        let msg = crate::msg!(
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
                    crate::msg!("authenticated (default authentication key)", "已认证(默认认证密钥)")
                } else {
                    crate::msg!("authenticated", "已认证")
                });
            }
            Some(security::TagStatus::Mismatch(computed)) => {
                let at = ctx.f.derive(&computed);
                let computed = Msg::Derived { at, len: computed.len() as u32, spaced: false, reversed: false };
                ctx.f.check(check(false, computed));
                ctx.set(tn).text(crate::msg!("tag mismatch", "标签不匹配"));
                if default_ak && is_telegram {
                    let msg = crate::msg!(
                        "tag mismatch with the default authentication key 00112233445566778899AABBCCDDEEFF: \
                         the telegram decrypts, give the meter's authentication key to verify it",
                        "使用默认认证密钥 00112233445566778899AABBCCDDEEFF 时标签不匹配：报文可解密，\
                         请输入表计的认证密钥以验证",
                    );
                    ctx.diag(Severity::Warning, tag_at, tag.len(), "dsmr.encrypted.tag.mismatch", msg);
                } else {
                    let msg =
                        crate::msg!("tag mismatch: wrong keys or altered bytes", "标签不匹配：密钥错误或字节被改动");
                    ctx.diag(Severity::Error, tag_at, tag.len(), "dsmr.encrypted.tag.mismatch", msg);
                }
            }
            _ if key.is_none() => {
                ctx.set(tn).text(crate::msg!("not checked: no cipher key", "未校验：缺少加密密钥"));
            }
            _ => {
                ctx.set(tn).text(crate::msg!("tag not verified", "标签未验证"));
            }
        }
    }
    if !cut && total < f.len() {
        let n = ctx.node(root, "dsmr.encrypted.trailing", total, f.len() - total, NodeKind::Unknown);
        let v = ctx.hex(total, f.len() - total, true);
        ctx.set(n).value(v);
        let msg = crate::msg!("bytes after the end of the message", "报文结束后的多余字节");
        ctx.diag(Severity::Warning, total, f.len() - total, "dsmr.trailing", msg);
    }
}

/// The decrypted bytes of an encrypted telegram, kept in the frame's derived
/// bytes and dissected as a telegram at the ciphertext's offset `ct_at`,
/// under `dsmr.encrypted.plaintext` below `parent`. Returns that node.
pub(super) fn plaintext(ctx: &mut Ctx, parent: NodeRef, plain: &[u8], ct_at: usize) -> NodeRef {
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
        let msg = crate::msg!(
            "the decrypted bytes are no P1 telegram (expected /): wrong cipher key?",
            "解密后的字节不是 P1 报文(应以 / 开始)：加密密钥错误？",
        );
        ctx.diag(Severity::Error, 0, plain.len(), "dsmr.encrypted.plaintext", msg);
    }
    (ctx.base, ctx.plain) = outer;
    node
}
