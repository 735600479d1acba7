//! ACSE APDUs (ISO 8650 as profiled by IEC 62056-5-3 clause 9.4.2): AARQ
//! (0x60), AARE (0x61), RLRQ (0x62), RLRE (0x63), BER encoded, with the
//! xDLMS InitiateRequest/Response carried in user-information.

use super::{Cx, Rd, apdu, byte_msg};
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::span::Span;

/// Components: (APDU tag, component tag, node id).
static COMPONENTS: &[(u8, u8, &str)] = &[
    (0x60, 0x80, "dlms.acse.protocol-version"),
    (0x60, 0xA1, "dlms.acse.application-context"),
    (0x60, 0xA2, "dlms.acse.called-ap-title"),
    (0x60, 0xA3, "dlms.acse.called-ae-qualifier"),
    (0x60, 0xA4, "dlms.acse.called-ap-invocation-id"),
    (0x60, 0xA5, "dlms.acse.called-ae-invocation-id"),
    (0x60, 0xA6, "dlms.acse.calling-ap-title"),
    (0x60, 0xA7, "dlms.acse.calling-ae-qualifier"),
    (0x60, 0xA8, "dlms.acse.calling-ap-invocation-id"),
    (0x60, 0xA9, "dlms.acse.calling-ae-invocation-id"),
    (0x60, 0x8A, "dlms.acse.requirements"),
    (0x60, 0x8B, "dlms.acse.mechanism-name"),
    (0x60, 0xAC, "dlms.acse.authentication-value"),
    (0x60, 0xBD, "dlms.acse.implementation-information"),
    (0x60, 0xBE, "dlms.acse.user-information"),
    (0x61, 0x80, "dlms.acse.protocol-version"),
    (0x61, 0xA1, "dlms.acse.application-context"),
    (0x61, 0xA2, "dlms.acse.result"),
    (0x61, 0xA3, "dlms.acse.diagnostic"),
    (0x61, 0xA4, "dlms.acse.responding-ap-title"),
    (0x61, 0xA5, "dlms.acse.responding-ae-qualifier"),
    (0x61, 0xA6, "dlms.acse.responding-ap-invocation-id"),
    (0x61, 0xA7, "dlms.acse.responding-ae-invocation-id"),
    (0x61, 0x88, "dlms.acse.requirements"),
    (0x61, 0x89, "dlms.acse.mechanism-name"),
    (0x61, 0xAA, "dlms.acse.authentication-value"),
    (0x61, 0xBD, "dlms.acse.implementation-information"),
    (0x61, 0xBE, "dlms.acse.user-information"),
    (0x62, 0x80, "dlms.acse.reason"),
    (0x62, 0xBE, "dlms.acse.user-information"),
    (0x63, 0x80, "dlms.acse.reason"),
    (0x63, 0xBE, "dlms.acse.user-information"),
];

/// Object identifier as dotted text.
pub fn oid(b: &[u8]) -> String {
    use core::fmt::Write;
    // Written as the arcs are read: one string, no list of arcs.
    let mut out = String::with_capacity(24);
    let mut arc = |v: u64| {
        if !out.is_empty() {
            out.push('.');
        }
        let _ = write!(out, "{v}");
    };
    let mut first = true;
    let mut acc = 0u64;
    for (i, &x) in b.iter().enumerate() {
        acc = (acc << 7) | (x & 0x7F) as u64;
        if x & 0x80 == 0 {
            if first {
                let (a, rest) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                arc(a);
                arc(rest);
                first = false;
            } else {
                arc(acc);
            }
            acc = 0;
        } else if i == b.len() - 1 || acc > (u64::MAX >> 8) {
            break;
        }
    }
    out
}

/// The object identifiers of the DLMS/COSEM application contexts
/// (`2.16.756.5.8.1.x`) and authentication mechanisms (`2.16.756.5.8.2.x`):
/// their encoding, dotted text and name.
static KNOWN_OIDS: [([u8; 7], &str, (&str, &str)); 12] = [
    ([0x60, 0x85, 0x74, 0x05, 0x08, 1, 1], "2.16.756.5.8.1.1", ("logical names, no ciphering", "逻辑名引用，不加密")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 1, 2], "2.16.756.5.8.1.2", ("short names, no ciphering", "短名引用，不加密")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 1, 3], "2.16.756.5.8.1.3", ("logical names, with ciphering", "逻辑名引用，加密")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 1, 4], "2.16.756.5.8.1.4", ("short names, with ciphering", "短名引用，加密")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 0], "2.16.756.5.8.2.0", ("lowest level security", "最低安全级别")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 1], "2.16.756.5.8.2.1", ("low level security (password)", "低级安全(密码)")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 2], "2.16.756.5.8.2.2", ("high level security", "高级安全")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 3], "2.16.756.5.8.2.3", ("high level security, MD5", "高级安全 MD5")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 4], "2.16.756.5.8.2.4", ("high level security, SHA-1", "高级安全 SHA-1")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 5], "2.16.756.5.8.2.5", ("high level security, GMAC", "高级安全 GMAC")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 6], "2.16.756.5.8.2.6", ("high level security, SHA-256", "高级安全 SHA-256")),
    ([0x60, 0x85, 0x74, 0x05, 0x08, 2, 7], "2.16.756.5.8.2.7", ("high level security, ECDSA", "高级安全 ECDSA")),
];

/// The dotted text and the name of an object identifier: static for the
/// known ones (no text to build), composed for the others.
fn oid_value(b: &[u8]) -> (Msg, Option<Msg>) {
    match KNOWN_OIDS.iter().find(|k| k.0 == b) {
        Some(k) => (Msg::Str(k.1), Some(Msg::Bi(&k.2))),
        None => {
            let o = oid(b);
            let name = KNOWN_OIDS.iter().find(|k| k.1 == o).map(|k| Msg::Bi(&k.2));
            (Msg::owned(o), name)
        }
    }
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

/// Dissect an ACSE APDU at the reader, under `parent`.
pub fn acse(cx: &mut Cx, parent: NodeRef, rd: &mut Rd) -> NodeRef {
    let start = rd.at();
    let root = cx.add(parent, "dlms.acse", Span::at(start, 0)).index();
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
    cx.set(root).value(Msg::Str(name));
    cx.add(root, "dlms.acse.tag", rd.since(start)).kind(NodeKind::Control).value(byte_msg(t)).text(Msg::Str(name));
    let lat = rd.at();
    let Some(len) = ber_len(rd) else {
        cx.truncated(rd.at());
        cx.set(root).span(rd.since(start));
        return root;
    };
    cx.add(root, "dlms.acse.length", rd.since(lat)).kind(NodeKind::Length).value(Msg::Uint(len as u64));
    let avail = len.min(rd.left());
    if len > rd.left() {
        let m = msg!("the length says {} bytes, {} are present", "长度为 {} 字节，实际只有 {} 字节", len, rd.left());
        cx.diag(Severity::Error, rd.since(lat), "dlms.acse.length.mismatch", m);
    }
    let body = rd.take(avail).unwrap_or_default();
    let mut sub = Rd::new(body, rd.at() - avail);
    let mut index = 0u32;
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
                &("the component runs past the APDU", "组件超出 APDU"),
            );
            sub.rest();
            break;
        };
        index += 1;
        let span = Span::new(cstart, sub.at());
        let content_span = Span::at(content_at, content.len());
        let comp = COMPONENTS.iter().find(|c| c.0 == t && c.1 == ct).map(|c| c.2);
        let Some(comp) = comp else {
            let m = msg!("component tag 0x{:02X} is not defined for {}", "组件标签 0x{:02X} 在 {} 中未定义", ct, name);
            cx.diag(Severity::Warning, Span::at(cstart, 1), "dlms.acse.component.unknown", m);
            let v = cx.hex(content_span);
            cx.add(root, Id::Indexed("dlms.acse.component", index), span).kind(NodeKind::Unknown).value(v);
            continue;
        };
        let node = cx.add(root, comp, span).index();
        match comp {
            "dlms.acse.application-context" | "dlms.acse.mechanism-name" => {
                let raw = if comp == "dlms.acse.mechanism-name" {
                    Some(content)
                } else {
                    inner(content, content_at).map(|x| x.1)
                };
                if let Some(b) = raw {
                    let (value, name) = oid_value(b);
                    if let Some(n) = name {
                        cx.set(node).text(n);
                    }
                    cx.set(node).value(value);
                }
            }
            "dlms.acse.calling-ap-title" | "dlms.acse.responding-ap-title" | "dlms.acse.called-ap-title" => {
                if let Some((_, b, bat)) = inner(content, content_at) {
                    let v = cx.hex(Span::at(bat, b.len()));
                    cx.set(node).kind(NodeKind::Address).value(v);
                    if b.len() >= 3 && b[..3].iter().all(|c| c.is_ascii_uppercase()) {
                        let a = cx.ascii(Span::at(bat, 3), &b[..3]);
                        cx.set(node).text(msg!("system title, manufacturer {}", "系统标题，制造商 {}", a));
                    }
                }
            }
            "dlms.acse.result" => {
                if let Some((_, b, _)) = inner(content, content_at) {
                    let v = small_int(b);
                    let text = match v {
                        0 => crate::msg!("accepted", "接受"),
                        1 => crate::msg!("rejected (permanent)", "拒绝(永久)"),
                        2 => crate::msg!("rejected (transient)", "拒绝(暂时)"),
                        _ => Msg::Str("?"),
                    };
                    cx.set(node).value(Msg::Int(v)).text(text);
                }
            }
            "dlms.acse.diagnostic" => {
                if let Some((which, b, at)) = inner(content, content_at) {
                    let v = inner(b, at).map(|x| small_int(x.1)).unwrap_or(-1);
                    cx.set(node).value(Msg::Int(v)).text(diagnostic_text(which, v));
                }
            }
            "dlms.acse.authentication-value" => {
                if let Some((_, b, bat)) = inner(content, content_at) {
                    let bspan = Span::at(bat, b.len());
                    let (v, a) = (cx.hex(bspan), cx.ascii(bspan, b));
                    cx.set(node).value(v).text(msg!("\"{}\"", "\"{}\"", a));
                }
            }
            "dlms.acse.requirements" | "dlms.acse.protocol-version" => {
                let bits: String = content
                    .iter()
                    .skip(1)
                    .flat_map(|b| (0..8).map(move |i| if b & (0x80 >> i) != 0 { '1' } else { '0' }))
                    .take(
                        (content.len().saturating_sub(1) * 8)
                            .saturating_sub(content.first().copied().unwrap_or(0) as usize),
                    )
                    .collect();
                if comp == "dlms.acse.requirements" && bits.starts_with('1') {
                    cx.set(node).text(crate::msg!("authentication", "认证"));
                }
                cx.set(node).value(Msg::owned(bits));
            }
            "dlms.acse.reason" => {
                let v = small_int(content);
                let text = match (t, v) {
                    (_, 0) => crate::msg!("normal", "正常"),
                    (0x62, 1) => crate::msg!("urgent", "紧急"),
                    (0x63, 1) => crate::msg!("not-finished", "未完成"),
                    (_, 30) => crate::msg!("user-defined", "用户定义"),
                    _ => Msg::Str("?"),
                };
                cx.set(node).value(Msg::Int(v)).text(text);
            }
            "dlms.acse.user-information" => match inner(content, content_at) {
                Some((0x04, b, at)) => {
                    let mut r = Rd::new(b, at);
                    apdu::apdu_at(cx, node, &mut r);
                    if r.left() > 0 {
                        cx.error(
                            Span::new(r.at(), at + b.len()),
                            "dlms.trailing",
                            &("bytes after the xDLMS APDU", "xDLMS APDU 之后还有多余字节"),
                        );
                    }
                }
                _ => {
                    cx.error(
                        span,
                        "dlms.acse.user-information",
                        &("user-information holds an OCTET STRING (04)", "用户信息应为 OCTET STRING (04)"),
                    );
                }
            },
            _ => {
                let v = cx.hex(content_span);
                cx.set(node).value(v);
            }
        }
    }
    cx.set(root).span(rd.since(start));
    root
}

fn diagnostic_text(which: u8, v: i64) -> Msg {
    static USER: [(&str, &str); 15] = [
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
    static PROVIDER: [(&str, &str); 3] =
        [("null", "无"), ("no-reason-given", "未给出原因"), ("no-common-acse-version", "无共同 ACSE 版本")];
    let (src, table): (Msg, &'static [(&'static str, &'static str)]) = match which {
        0xA1 => (crate::msg!("acse-service-user", "ACSE 服务用户"), &USER),
        _ => (crate::msg!("acse-service-provider", "ACSE 服务提供者"), &PROVIDER),
    };
    let reason = usize::try_from(v).ok().and_then(|i| table.get(i)).map_or(Msg::Str("?"), |r| Msg::Bi(r));
    msg!("{}: {}", "{}: {}", src, reason)
}
