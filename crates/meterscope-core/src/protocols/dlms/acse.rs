//! ACSE APDUs (ISO 8650 as profiled by IEC 62056-5-3 clause 9.4.2): AARQ
//! (0x60), AARE (0x61), RLRQ (0x62), RLRE (0x63), BER encoded, with the
//! xDLMS InitiateRequest/Response carried in user-information.

use super::{Cx, Rd, apdu, ascii, hex};
use crate::lang::Lang;
use crate::span::Span;
use crate::view::{Node, NodeKind};

/// Components: (APDU tag, component tag, id suffix).
static COMPONENTS: &[(u8, u8, &str)] = &[
    (0x60, 0x80, "protocol-version"),
    (0x60, 0xA1, "application-context"),
    (0x60, 0xA2, "called-ap-title"),
    (0x60, 0xA3, "called-ae-qualifier"),
    (0x60, 0xA4, "called-ap-invocation-id"),
    (0x60, 0xA5, "called-ae-invocation-id"),
    (0x60, 0xA6, "calling-ap-title"),
    (0x60, 0xA7, "calling-ae-qualifier"),
    (0x60, 0xA8, "calling-ap-invocation-id"),
    (0x60, 0xA9, "calling-ae-invocation-id"),
    (0x60, 0x8A, "requirements"),
    (0x60, 0x8B, "mechanism-name"),
    (0x60, 0xAC, "authentication-value"),
    (0x60, 0xBD, "implementation-information"),
    (0x60, 0xBE, "user-information"),
    (0x61, 0x80, "protocol-version"),
    (0x61, 0xA1, "application-context"),
    (0x61, 0xA2, "result"),
    (0x61, 0xA3, "diagnostic"),
    (0x61, 0xA4, "responding-ap-title"),
    (0x61, 0xA5, "responding-ae-qualifier"),
    (0x61, 0xA6, "responding-ap-invocation-id"),
    (0x61, 0xA7, "responding-ae-invocation-id"),
    (0x61, 0x88, "requirements"),
    (0x61, 0x89, "mechanism-name"),
    (0x61, 0xAA, "authentication-value"),
    (0x61, 0xBD, "implementation-information"),
    (0x61, 0xBE, "user-information"),
    (0x62, 0x80, "reason"),
    (0x62, 0xBE, "user-information"),
    (0x63, 0x80, "reason"),
    (0x63, 0xBE, "user-information"),
];

/// Object identifier as dotted text.
pub fn oid(b: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc = 0u64;
    for (i, &x) in b.iter().enumerate() {
        acc = (acc << 7) | (x & 0x7F) as u64;
        if x & 0x80 == 0 {
            if parts.is_empty() {
                let (a, rest) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                parts.push(a);
                parts.push(rest);
            } else {
                parts.push(acc);
            }
            acc = 0;
        } else if i == b.len() - 1 || acc > (u64::MAX >> 8) {
            break;
        }
    }
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

fn oid_name(o: &str, lang: Lang) -> Option<&'static str> {
    Some(match o {
        "2.16.756.5.8.1.1" => lang.pick("logical names, no ciphering", "逻辑名引用，不加密"),
        "2.16.756.5.8.1.2" => lang.pick("short names, no ciphering", "短名引用，不加密"),
        "2.16.756.5.8.1.3" => lang.pick("logical names, with ciphering", "逻辑名引用，加密"),
        "2.16.756.5.8.1.4" => lang.pick("short names, with ciphering", "短名引用，加密"),
        "2.16.756.5.8.2.0" => lang.pick("lowest level security", "最低安全级别"),
        "2.16.756.5.8.2.1" => lang.pick("low level security (password)", "低级安全(密码)"),
        "2.16.756.5.8.2.2" => lang.pick("high level security", "高级安全"),
        "2.16.756.5.8.2.3" => lang.pick("high level security, MD5", "高级安全 MD5"),
        "2.16.756.5.8.2.4" => lang.pick("high level security, SHA-1", "高级安全 SHA-1"),
        "2.16.756.5.8.2.5" => lang.pick("high level security, GMAC", "高级安全 GMAC"),
        "2.16.756.5.8.2.6" => lang.pick("high level security, SHA-256", "高级安全 SHA-256"),
        "2.16.756.5.8.2.7" => lang.pick("high level security, ECDSA", "高级安全 ECDSA"),
        _ => return None,
    })
}

/// A BER length (short form or 0x81/0x82/0x83 long form).
fn ber_len(rd: &mut Rd) -> Option<usize> {
    let first = rd.u8()?;
    if first < 0x80 {
        return Some(first as usize);
    }
    let n = (first & 0x7F) as usize;
    if n == 0 || n > 3 {
        return None;
    }
    Some(rd.take(n)?.iter().fold(0usize, |a, &b| (a << 8) | b as usize))
}

/// One BER TLV inside a component: tag, content and its absolute offset.
fn inner(b: &[u8], at: usize) -> Option<(u8, &[u8], usize)> {
    let mut rd = Rd::new(b, at);
    let t = rd.u8()?;
    let n = ber_len(&mut rd)?;
    let content_at = rd.at();
    Some((t, rd.take(n)?, content_at))
}

/// What an AARQ (0x60) or AARE (0x61) says of its sender, found without
/// dissecting it: the AP title (system title), the last arc of the mechanism
/// name (5 is HLS-GMAC) and the authentication value (password or challenge).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Peer {
    pub title: Option<Vec<u8>>,
    pub mechanism: Option<u8>,
    pub auth: Option<Vec<u8>>,
}

/// The [`Peer`] of an AARQ or AARE; `None` for other bytes or a broken one.
pub fn peer(b: &[u8]) -> Option<Peer> {
    let mut rd = Rd::new(b, 0);
    let (title, mech, auth) = match rd.u8()? {
        0x60 => (0xA6, 0x8B, 0xAC),
        0x61 => (0xA4, 0x89, 0xAA),
        _ => return None,
    };
    let n = ber_len(&mut rd)?;
    let mut rd = Rd::new(rd.take(n)?, 0);
    let mut p = Peer::default();
    while rd.left() > 0 {
        let t = rd.u8()?;
        let n = ber_len(&mut rd)?;
        let c = rd.take(n)?;
        let value = || inner(c, 0).map(|x| x.1.to_vec());
        match t {
            _ if t == title => p.title = value(),
            _ if t == mech => p.mechanism = c.last().copied(),
            _ if t == auth => p.auth = value(),
            _ => {}
        }
    }
    Some(p)
}

fn small_int(b: &[u8]) -> i64 {
    b.iter().take(8).fold(if b.first().is_some_and(|x| x & 0x80 != 0) { -1i64 } else { 0 }, |a, &x| (a << 8) | x as i64)
}

/// Dissect an ACSE APDU at the reader.
pub fn acse(cx: &mut Cx, rd: &mut Rd) -> Node {
    let start = rd.at();
    let lang = cx.lang;
    let mut root = cx.node("dlms.acse", Span::at(start, 0));
    let Some(t) = rd.u8() else {
        cx.truncated(start);
        return root;
    };
    let name = match t {
        0x60 => "AARQ",
        0x61 => "AARE",
        0x62 => "RLRQ",
        _ => "RLRE",
    };
    root.value = Some(name.into());
    root.push(cx.node("dlms.acse.tag", rd.since(start)).kind(NodeKind::Control).value(format!("0x{t:02X}")).text(name));
    let lat = rd.at();
    let Some(len) = ber_len(rd) else {
        cx.truncated(rd.at());
        root.span = rd.since(start);
        return root;
    };
    root.push(cx.node("dlms.acse.length", rd.since(lat)).kind(NodeKind::Length).value(len.to_string()));
    let avail = len.min(rd.left());
    if len > rd.left() {
        let en = format!("the length says {len} bytes, {} are present", rd.left());
        let zh = format!("长度为 {len} 字节，实际只有 {} 字节", rd.left());
        cx.error(rd.since(lat), "dlms.acse.length.mismatch", &en, &zh);
    }
    let body = rd.take(avail).unwrap_or_default();
    let mut sub = Rd::new(body, rd.at() - avail);
    let mut index = 0usize;
    while sub.left() > 0 {
        let cstart = sub.at();
        let Some(ct) = sub.u8() else { break };
        let Some(clen) = ber_len(&mut sub) else {
            cx.truncated(sub.at());
            break;
        };
        let content_at = sub.at();
        let Some(content) = sub.take(clen) else {
            cx.error(
                Span::new(cstart, sub.at()),
                "dlms.acse.length.mismatch",
                "the component runs past the APDU",
                "组件超出 APDU",
            );
            sub.rest();
            break;
        };
        index += 1;
        let span = Span::new(cstart, sub.at());
        let comp = COMPONENTS.iter().find(|c| c.0 == t && c.1 == ct).map(|c| c.2);
        let Some(comp) = comp else {
            let en = format!("component tag 0x{ct:02X} is not defined for {name}");
            let zh = format!("组件标签 0x{ct:02X} 在 {name} 中未定义");
            cx.warning(Span::at(cstart, 1), "dlms.acse.component.unknown", &en, &zh);
            root.push(
                cx.node(format!("dlms.acse.component.{index}"), span).kind(NodeKind::Unknown).value(hex(content)),
            );
            continue;
        };
        let id = format!("dlms.acse.{comp}");
        let mut node = cx.node(&id, span);
        match comp {
            "application-context" | "mechanism-name" => {
                let raw =
                    if comp == "mechanism-name" { Some(content) } else { inner(content, content_at).map(|x| x.1) };
                if let Some(b) = raw {
                    let o = oid(b);
                    if let Some(n) = oid_name(&o, lang) {
                        node = node.text(n);
                    }
                    node = node.value(o);
                }
            }
            "calling-ap-title" | "responding-ap-title" | "called-ap-title" => {
                if let Some((_, b, _)) = inner(content, content_at) {
                    node = node.kind(NodeKind::Address).value(hex(b));
                    if b.len() >= 3 && b[..3].iter().all(|c| c.is_ascii_uppercase()) {
                        node = node.text(format!(
                            "{} {}",
                            lang.pick("system title, manufacturer", "系统标题，制造商"),
                            ascii(&b[..3])
                        ));
                    }
                }
            }
            "result" => {
                if let Some((_, b, _)) = inner(content, content_at) {
                    let v = small_int(b);
                    let text = match v {
                        0 => lang.pick("accepted", "接受"),
                        1 => lang.pick("rejected (permanent)", "拒绝(永久)"),
                        2 => lang.pick("rejected (transient)", "拒绝(暂时)"),
                        _ => "?",
                    };
                    node = node.value(v.to_string()).text(text);
                }
            }
            "diagnostic" => {
                if let Some((which, b, at)) = inner(content, content_at) {
                    let v = inner(b, at).map(|x| small_int(x.1)).unwrap_or(-1);
                    let text = diagnostic_text(which, v, lang);
                    node = node.value(v.to_string()).text(text);
                }
            }
            "authentication-value" => {
                if let Some((_, b, _)) = inner(content, content_at) {
                    node = node.value(hex(b)).text(format!("\"{}\"", ascii(b)));
                }
            }
            "requirements" | "protocol-version" => {
                let bits: String = content
                    .iter()
                    .skip(1)
                    .flat_map(|b| (0..8).map(move |i| if b & (0x80 >> i) != 0 { '1' } else { '0' }))
                    .take(
                        (content.len().saturating_sub(1) * 8)
                            .saturating_sub(content.first().copied().unwrap_or(0) as usize),
                    )
                    .collect();
                node = node.value(bits.clone());
                if comp == "requirements" && bits.starts_with('1') {
                    node = node.text(lang.pick("authentication", "认证"));
                }
            }
            "reason" => {
                let v = small_int(content);
                let text = match (t, v) {
                    (_, 0) => lang.pick("normal", "正常"),
                    (0x62, 1) => lang.pick("urgent", "紧急"),
                    (0x63, 1) => lang.pick("not-finished", "未完成"),
                    (_, 30) => lang.pick("user-defined", "用户定义"),
                    _ => "?",
                };
                node = node.value(v.to_string()).text(text);
            }
            "user-information" => match inner(content, content_at) {
                Some((0x04, b, at)) => {
                    let mut r = Rd::new(b, at);
                    let a = apdu::apdu_at(cx, &mut r);
                    if r.left() > 0 {
                        cx.error(
                            Span::new(r.at(), at + b.len()),
                            "dlms.trailing",
                            "bytes after the xDLMS APDU",
                            "xDLMS APDU 之后还有多余字节",
                        );
                    }
                    node.push(a);
                }
                _ => {
                    cx.error(
                        span,
                        "dlms.acse.user-information",
                        "user-information holds an OCTET STRING (04)",
                        "用户信息应为 OCTET STRING (04)",
                    );
                }
            },
            _ => node = node.value(hex(content)),
        }
        root.push(node);
    }
    root.span = rd.since(start);
    root
}

fn diagnostic_text(which: u8, v: i64, lang: Lang) -> String {
    let user = [
        ("null", "无"),
        ("no-reason-given", "未给出原因"),
        ("application-context-name-not-supported", "不支持的应用上下文名"),
        ("calling-AP-title-not-recognized", "主叫 AP 标题未识别"),
        ("calling-AP-invocation-identifier-not-recognized", "主叫 AP 调用标识未识别"),
        ("calling-AE-qualifier-not-recognized", "主叫 AE 限定符未识别"),
        ("calling-AE-invocation-identifier-not-recognized", "主叫 AE 调用标识未识别"),
        ("called-AP-title-not-recognized", "被叫 AP 标题未识别"),
        ("called-AP-invocation-identifier-not-recognized", "被叫 AP 调用标识未识别"),
        ("called-AE-qualifier-not-recognized", "被叫 AE 限定符未识别"),
        ("called-AE-invocation-identifier-not-recognized", "被叫 AE 调用标识未识别"),
        ("authentication-mechanism-name-not-recognised", "认证机制名未识别"),
        ("authentication-mechanism-name-required", "需要认证机制名"),
        ("authentication-failure", "认证失败"),
        ("authentication-required", "需要认证"),
    ];
    let provider = [("null", "无"), ("no-reason-given", "未给出原因"), ("no-common-acse-version", "无共同 ACSE 版本")];
    let (src, table): (&str, &[(&str, &str)]) = match which {
        0xA1 => (lang.pick("acse-service-user", "ACSE 服务用户"), &user),
        _ => (lang.pick("acse-service-provider", "ACSE 服务提供者"), &provider),
    };
    let reason = usize::try_from(v).ok().and_then(|i| table.get(i)).map(|r| lang.pick(r.0, r.1)).unwrap_or("?");
    format!("{src}: {reason}")
}
