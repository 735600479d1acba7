//! xDLMS APDUs (IEC 62056-5-3, the Green Book): the dispatcher over every
//! APDU tag, the logical-name services GET, SET, ACTION (every variant),
//! Event- and Data-Notification, Access, general block transfer,
//! Exception-Response and ConfirmedServiceError, general-ciphering and
//! general-signing (in [`security`]), the short-name services
//! Read, Write, UnconfirmedWrite and InformationReport, and xDLMS Initiate.

use super::{Cx, Rd, acse, axdr, classes, hex, security};
use crate::lang::Lang;
use crate::obis;
use crate::span::Span;
use crate::view::{Node, NodeKind};

/// Every APDU tag: tag, name.
static TAGS: &[(u8, &str)] = &[
    (0x01, "initiateRequest"),
    (0x05, "readRequest"),
    (0x06, "writeRequest"),
    (0x08, "initiateResponse"),
    (0x0C, "readResponse"),
    (0x0D, "writeResponse"),
    (0x0E, "confirmedServiceError"),
    (0x0F, "data-notification"),
    (0x16, "unconfirmedWriteRequest"),
    (0x18, "informationReportRequest"),
    (0x21, "glo-initiateRequest"),
    (0x25, "glo-readRequest"),
    (0x26, "glo-writeRequest"),
    (0x28, "glo-initiateResponse"),
    (0x2C, "glo-readResponse"),
    (0x2D, "glo-writeResponse"),
    (0x2E, "glo-confirmedServiceError"),
    (0x36, "glo-unconfirmedWriteRequest"),
    (0x38, "glo-informationReportRequest"),
    (0x41, "ded-initiateRequest"),
    (0x45, "ded-readRequest"),
    (0x46, "ded-writeRequest"),
    (0x48, "ded-initiateResponse"),
    (0x4C, "ded-readResponse"),
    (0x4D, "ded-writeResponse"),
    (0x4E, "ded-confirmedServiceError"),
    (0x56, "ded-unconfirmedWriteRequest"),
    (0x58, "ded-informationReportRequest"),
    (0x60, "AARQ"),
    (0x61, "AARE"),
    (0x62, "RLRQ"),
    (0x63, "RLRE"),
    (0xC0, "get-request"),
    (0xC1, "set-request"),
    (0xC2, "event-notification-request"),
    (0xC3, "action-request"),
    (0xC4, "get-response"),
    (0xC5, "set-response"),
    (0xC7, "action-response"),
    (0xC8, "glo-get-request"),
    (0xC9, "glo-set-request"),
    (0xCA, "glo-event-notification-request"),
    (0xCB, "glo-action-request"),
    (0xCC, "glo-get-response"),
    (0xCD, "glo-set-response"),
    (0xCF, "glo-action-response"),
    (0xD0, "ded-get-request"),
    (0xD1, "ded-set-request"),
    (0xD2, "ded-event-notification-request"),
    (0xD3, "ded-action-request"),
    (0xD4, "ded-get-response"),
    (0xD5, "ded-set-response"),
    (0xD7, "ded-action-response"),
    (0xD8, "exception-response"),
    (0xD9, "access-request"),
    (0xDA, "access-response"),
    (0xDB, "general-glo-ciphering"),
    (0xDC, "general-ded-ciphering"),
    (0xDD, "general-ciphering"),
    (0xDF, "general-signing"),
    (0xE0, "general-block-transfer"),
];

/// The name of an APDU tag.
pub fn tag_name(t: u8) -> Option<&'static str> {
    TAGS.binary_search_by_key(&t, |x| x.0).ok().map(|i| TAGS[i].1)
}

/// Whether `t` starts an xDLMS or ACSE APDU.
pub fn is_known_tag(t: u8) -> bool {
    tag_name(t).is_some()
}

/// Whether `t` is a ciphered APDU (service-specific or general).
pub fn is_ciphered(t: u8) -> bool {
    matches!(t, 0x21..=0x38 | 0x41..=0x58 | 0xC8..=0xCF | 0xD0..=0xD7 | 0xDB | 0xDC)
}

/// Data-Access-Result (and Action-Result) names.
static ACCESS_RESULTS: &[(u8, &str, &str)] = &[
    (0, "success", "成功"),
    (1, "hardware-fault", "硬件故障"),
    (2, "temporary-failure", "暂时失败"),
    (3, "read-write-denied", "拒绝读写"),
    (4, "object-undefined", "对象未定义"),
    (9, "object-class-inconsistent", "对象类不符"),
    (11, "object-unavailable", "对象不可用"),
    (12, "type-unmatched", "类型不匹配"),
    (13, "scope-of-access-violated", "越权访问"),
    (14, "data-block-unavailable", "数据块不可用"),
    (15, "long-get-aborted", "长读取已中止"),
    (16, "no-long-get-in-progress", "无进行中的长读取"),
    (17, "long-set-aborted", "长设置已中止"),
    (18, "no-long-set-in-progress", "无进行中的长设置"),
    (19, "data-block-number-invalid", "数据块序号无效"),
    (250, "other-reason", "其他原因"),
];

fn access_result(v: u8, lang: Lang) -> String {
    ACCESS_RESULTS.iter().find(|r| r.0 == v).map(|r| lang.pick(r.1, r.2).to_string()).unwrap_or_else(|| format!("{v}"))
}

macro_rules! need {
    ($cx:expr, $rd:expr, $e:expr) => {
        match $e {
            Some(v) => v,
            None => {
                $cx.truncated($rd.at());
                return None;
            }
        }
    };
}

/// A one-byte field.
fn byte(cx: &mut Cx, rd: &mut Rd, id: &str, kind: NodeKind) -> Option<(Node, u8)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u8());
    Some((cx.node(id, rd.since(at)).kind(kind).value(v.to_string()), v))
}

fn u16_field(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<(Node, u16)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u16());
    Some((cx.node(id, rd.since(at)).value(v.to_string()), v))
}

fn u32_field(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<(Node, u32)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u32());
    Some((cx.node(id, rd.since(at)).value(v.to_string()), v))
}

/// An A-XDR count, bounded by the bytes left (each item takes at least one).
fn count(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<(Node, usize)> {
    let at = rd.at();
    let n = need!(cx, rd, rd.axdr_len());
    let node = cx.node(id, rd.since(at)).kind(NodeKind::Length).value(n.to_string());
    if n > rd.left() {
        cx.error(rd.since(at), "dlms.apdu.count.mismatch", "the count exceeds the bytes present", "个数超过现有字节数");
        return Some((node, rd.left()));
    }
    Some((node, n))
}

/// An A-XDR octet-string (length and bytes) as one node.
fn octets(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<Node> {
    let at = rd.at();
    let n = need!(cx, rd, rd.axdr_len());
    let Some(b) = rd.take(n) else {
        cx.error(
            rd.since(at),
            "dlms.apdu.length.mismatch",
            "the octet-string runs past the bytes present",
            "字节串超出现有字节",
        );
        rd.rest();
        return None;
    };
    Some(cx.node(id, rd.since(at)).value(hex(b)))
}

/// Invoke-id-and-priority (one byte): invoke id bits 0–3, service class bit 6, priority bit 7.
fn invoke(cx: &mut Cx, rd: &mut Rd) -> Option<Node> {
    let (n, v) = byte(cx, rd, "dlms.apdu.invoke", NodeKind::Control)?;
    let lang = cx.lang;
    let text = match lang {
        Lang::En => format!(
            "invoke-id {}, {}, {}",
            v & 0x0F,
            if v & 0x40 != 0 { "confirmed" } else { "unconfirmed" },
            if v & 0x80 != 0 { "high priority" } else { "normal priority" }
        ),
        Lang::Zh => format!(
            "调用标识 {}，{}，{}",
            v & 0x0F,
            if v & 0x40 != 0 { "需确认" } else { "无需确认" },
            if v & 0x80 != 0 { "高优先级" } else { "普通优先级" }
        ),
    };
    Some(n.value(format!("0x{v:02X}")).text(text))
}

/// Long-invoke-id-and-priority (four bytes).
fn long_invoke(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<Node> {
    let (n, v) = u32_field(cx, rd, id)?;
    let text = match cx.lang {
        Lang::En => format!(
            "invoke-id {}, {}{}",
            v & 0x00FF_FFFF,
            if v & 0x8000_0000 != 0 { "high priority" } else { "normal priority" },
            if v & 0x4000_0000 != 0 { ", confirmed" } else { "" }
        ),
        Lang::Zh => format!(
            "调用标识 {}，{}{}",
            v & 0x00FF_FFFF,
            if v & 0x8000_0000 != 0 { "高优先级" } else { "普通优先级" },
            if v & 0x4000_0000 != 0 { "，需确认" } else { "" }
        ),
    };
    Some(n.value(format!("0x{v:08X}")).text(text))
}

/// Cosem-Attribute-Descriptor or Cosem-Method-Descriptor: class (2), instance (6), id (1).
fn descriptor(cx: &mut Cx, rd: &mut Rd, id: &str, method: bool) -> Option<(Node, u16)> {
    let start = rd.at();
    let lang = cx.lang;
    let mut node = cx.node(id, Span::at(start, 0));
    let (mut cn, class) = u16_field(cx, rd, &format!("{id}.class"))?;
    if let Some(name) = classes::class_name(class, lang) {
        cn = cn.text(name);
    }
    node.push(cn);
    let at = rd.at();
    let ln = need!(cx, rd, rd.take(6));
    let code = [ln[0], ln[1], ln[2], ln[3], ln[4], ln[5]];
    let mut on = cx.node(format!("{id}.obis"), rd.since(at)).kind(NodeKind::Address).value(obis::canonical(code));
    if let Some(name) = obis::describe(code, lang) {
        on = on.text(name);
    }
    node.push(on);
    let which = if method { "method" } else { "attribute" };
    let (mut an, a) = byte(cx, rd, &format!("{id}.{which}"), NodeKind::Data)?;
    let a = a as i8;
    an.value = Some(a.to_string());
    let name = if method { classes::method_name(class, a) } else { classes::attribute_name(class, a) };
    if let Some(name) = name {
        an = an.text(name);
    }
    node.push(an);
    node.span = rd.since(start);
    node.value = Some(format!("{class}/{}/{a}", obis::canonical(code)));
    let cname = classes::class_name(class, lang).unwrap_or("?");
    node.text = Some(format!("{cname} {} {}", obis::canonical(code), name.unwrap_or("")));
    Some((node, class))
}

/// Optional selective access: flag, then selector and parameters.
fn selection(cx: &mut Cx, rd: &mut Rd, svc: &str, suffix: &str, flag: bool) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    if flag {
        let (n, present) = byte(cx, rd, &format!("{svc}.selection-flag{suffix}"), NodeKind::Control)?;
        out.push(n);
        if present == 0 {
            return Some(out);
        }
    }
    let start = rd.at();
    let mut node = cx.node(format!("{svc}.selection{suffix}"), Span::at(start, 0));
    let (mut sn, sel) = byte(cx, rd, &format!("{svc}.selection{suffix}.selector"), NodeKind::Control)?;
    sn = sn.text(match sel {
        1 => cx.lang.pick("range descriptor", "范围描述符"),
        2 => cx.lang.pick("entry descriptor", "条目描述符"),
        _ => cx.lang.pick("specific selector", "特定选择器"),
    });
    node.push(sn);
    let dv = axdr::data(cx, rd, &format!("{svc}.selection{suffix}.parameters"));
    if let Some(dv) = &dv {
        node.push(dv.node.clone());
    }
    node.span = rd.since(start);
    out.push(node);
    dv.map(|_| out)
}

/// Get-Data-Result: 0 data, 1 data-access-result.
fn get_data_result(cx: &mut Cx, rd: &mut Rd, svc: &str, suffix: &str) -> Option<Vec<Node>> {
    let (mut cn, c) = byte(cx, rd, &format!("{svc}.result-choice{suffix}"), NodeKind::Control)?;
    match c {
        0 => {
            cn = cn.text(cx.lang.pick("data", "数据"));
            let dv = axdr::data(cx, rd, &format!("{svc}.data{suffix}"));
            let mut v = vec![cn];
            v.extend(dv.map(|d| d.node));
            Some(v)
        }
        1 => {
            cn = cn.text(cx.lang.pick("data-access-result", "数据访问结果"));
            let (r, v) = byte(cx, rd, &format!("{svc}.result{suffix}"), NodeKind::Data)?;
            let text = access_result(v, cx.lang);
            Some(vec![cn, r.text(text)])
        }
        _ => {
            cx.error(
                cn.span,
                "dlms.apdu.choice.unknown",
                "a Get-Data-Result is 0 (data) or 1 (access result)",
                "Get-Data-Result 应为 0(数据)或 1(访问结果)",
            );
            Some(vec![cn])
        }
    }
}

/// DataBlock-G (get) or DataBlock-SA (set, action): last-block, block-number, raw data.
fn datablock(cx: &mut Cx, rd: &mut Rd, svc: &str, with_result: bool) -> Option<Node> {
    let start = rd.at();
    let mut node = cx.node(format!("{svc}.block"), Span::at(start, 0));
    let lang = cx.lang;
    let (last, lv) = byte(cx, rd, "dlms.apdu.block.last", NodeKind::Control)?;
    node.push(last.value(if lv != 0 { "true" } else { "false" }));
    let (num, bn) = u32_field(cx, rd, "dlms.apdu.block.number")?;
    node.push(num);
    let raw = if with_result {
        let (cn, c) = byte(cx, rd, &format!("{svc}.result-choice"), NodeKind::Control)?;
        node.push(cn.text(if c == 0 {
            lang.pick("raw-data", "原始数据")
        } else {
            lang.pick("data-access-result", "数据访问结果")
        }));
        if c != 0 {
            let (r, v) = byte(cx, rd, &format!("{svc}.result"), NodeKind::Data)?;
            let text = access_result(v, lang);
            node.push(r.text(text));
            false
        } else {
            true
        }
    } else {
        true
    };
    if raw {
        let d = octets(cx, rd, "dlms.apdu.block.data")?;
        let len = d.value.as_ref().map(|v| v.len() / 2).unwrap_or(0);
        node.push(d.text(match lang {
            Lang::En => format!("{len} byte(s) of the encoded value"),
            Lang::Zh => format!("编码值的 {len} 个字节"),
        }));
    }
    node.span = rd.since(start);
    node.value = Some(format!("{bn}{}", if lv != 0 { " last" } else { "" }));
    Some(node)
}

/// Dissect one APDU at `base`; reports bytes after it.
pub fn apdu(cx: &mut Cx, b: &[u8], base: usize) -> Node {
    let mut rd = Rd::new(b, base);
    let node = apdu_at(cx, &mut rd);
    if rd.left() > 0 && !cx.diags.iter().any(|d| d.severity == crate::view::Severity::Error) {
        let span = Span::new(rd.at(), base + b.len());
        cx.error(span, "dlms.trailing", "bytes after the end of the APDU", "APDU 结束后还有多余字节");
    }
    let mut node = node;
    if rd.left() > 0 {
        let span = Span::new(rd.at(), base + b.len());
        let rest = rd.rest();
        node.push(cx.node("dlms.apdu.rest", span).kind(NodeKind::Unknown).value(hex(rest)).text(super::ascii(rest)));
    }
    node.span = Span::at(base, b.len());
    node
}

/// Dissect one APDU at the reader.
pub fn apdu_at(cx: &mut Cx, rd: &mut Rd) -> Node {
    let start = rd.at();
    let Some(t) = rd.peek() else {
        cx.truncated(start);
        return cx.node("dlms.apdu", Span::at(start, 0));
    };
    match t {
        0x60..=0x63 => return acse::acse(cx, rd),
        0xDD | 0xDF => return security::general(cx, rd),
        _ if is_ciphered(t) => return security::ciphered(cx, rd),
        _ => {}
    }
    let lang = cx.lang;
    let mut root = cx.node("dlms.apdu", Span::at(start, 0));
    rd.u8();
    let name = tag_name(t);
    let mut tn = cx.node("dlms.apdu.tag", rd.since(start)).kind(NodeKind::Control).value(format!("0x{t:02X}"));
    if let Some(n) = name {
        tn = tn.text(n);
    }
    root.push(tn);
    root.value = name.map(str::to_string);
    let ok = match t {
        0x01 | 0x08 => {
            root.id = "dlms.initiate".into();
            root.label = lang.label("dlms.initiate");
            root.children.clear();
            rd.pos -= 1;
            initiate(cx, rd, &mut root)
        }
        0xC0 => get_request(cx, rd, &mut root),
        0xC4 => get_response(cx, rd, &mut root),
        0xC1 => set_request(cx, rd, &mut root),
        0xC5 => set_response(cx, rd, &mut root),
        0xC3 => action_request(cx, rd, &mut root),
        0xC7 => action_response(cx, rd, &mut root),
        0xC2 => event_notification(cx, rd, &mut root),
        0x0F => data_notification(cx, rd, &mut root),
        0xD8 => exception(cx, rd, &mut root),
        0x0E => confirmed_service_error(cx, rd, &mut root),
        0xE0 => general_block_transfer(cx, rd, &mut root),
        0x05 | 0x06 | 0x16 => sn_request(cx, rd, &mut root, t),
        0x0C | 0x0D => sn_response(cx, rd, &mut root, t),
        0x18 => information_report(cx, rd, &mut root),
        0xD9 | 0xDA => access(cx, rd, &mut root, t),
        _ => {
            let en = format!("0x{t:02X} is not a known xDLMS or ACSE APDU tag");
            let zh = format!("0x{t:02X} 不是已知的 xDLMS 或 ACSE APDU 标签");
            cx.warning(Span::at(start, 1), "dlms.apdu.tag.unknown", &en, &zh);
            None
        }
    };
    let _ = ok;
    root.span = rd.since(start);
    root
}

/// The variant byte of GET/SET/ACTION, named.
fn choice(cx: &mut Cx, rd: &mut Rd, root: &mut Node, names: &[&str], service: &str) -> Option<u8> {
    let (n, c) = byte(cx, rd, "dlms.apdu.choice", NodeKind::Control)?;
    let name = names.get((c as usize).wrapping_sub(1)).copied();
    match name {
        Some(v) => {
            root.push(n.text(v));
            root.value = Some(format!("{service}-{v}"));
            Some(c)
        }
        None => {
            let span = n.span;
            root.push(n);
            cx.error(span, "dlms.apdu.choice.unknown", "this service variant is not defined", "该服务类型未定义");
            None
        }
    }
}

fn get_request(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.get";
    let c = choice(cx, rd, root, &["normal", "next", "with-list"], "get-request")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 => {
            root.push(descriptor(cx, rd, &format!("{svc}.descriptor"), false)?.0);
            root.children.extend(selection(cx, rd, svc, "", true)?);
        }
        2 => root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0),
        _ => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                root.push(descriptor(cx, rd, &format!("{svc}.descriptor.{i}"), false)?.0);
                root.children.extend(selection(cx, rd, svc, &format!(".{i}"), true)?);
            }
        }
    }
    Some(())
}

fn get_response(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.get";
    let c = choice(cx, rd, root, &["normal", "with-datablock", "with-list"], "get-response")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 => root.children.extend(get_data_result(cx, rd, svc, "")?),
        2 => root.push(datablock(cx, rd, svc, true)?),
        _ => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                root.children.extend(get_data_result(cx, rd, svc, &format!(".{i}"))?);
            }
        }
    }
    Some(())
}

fn set_request(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.set";
    let names = ["normal", "with-first-datablock", "with-datablock", "with-list", "with-list-and-first-datablock"];
    let c = choice(cx, rd, root, &names, "set-request")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 | 2 => {
            root.push(descriptor(cx, rd, &format!("{svc}.descriptor"), false)?.0);
            root.children.extend(selection(cx, rd, svc, "", true)?);
            if c == 1 {
                root.push(axdr::data(cx, rd, &format!("{svc}.value"))?.node);
            } else {
                root.push(datablock(cx, rd, svc, false)?);
            }
        }
        3 => root.push(datablock(cx, rd, svc, false)?),
        _ => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                root.push(descriptor(cx, rd, &format!("{svc}.descriptor.{i}"), false)?.0);
                root.children.extend(selection(cx, rd, svc, &format!(".{i}"), true)?);
            }
            if c == 4 {
                let (cn, n) = count(cx, rd, &format!("{svc}.count.{}", n + 1))?;
                root.push(cn);
                for i in 0..n {
                    root.push(axdr::data(cx, rd, &format!("{svc}.value.{i}"))?.node);
                }
            } else {
                root.push(datablock(cx, rd, svc, false)?);
            }
        }
    }
    Some(())
}

fn result_enum(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<Node> {
    let (n, v) = byte(cx, rd, id, NodeKind::Data)?;
    let text = access_result(v, cx.lang);
    Some(n.text(text))
}

fn set_response(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.set";
    let names = ["normal", "datablock", "last-datablock", "last-datablock-with-list", "with-list"];
    let c = choice(cx, rd, root, &names, "set-response")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 => root.push(result_enum(cx, rd, &format!("{svc}.result"))?),
        2 => root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0),
        3 => {
            root.push(result_enum(cx, rd, &format!("{svc}.result"))?);
            root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0);
        }
        _ => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                root.push(result_enum(cx, rd, &format!("{svc}.result.{i}"))?);
            }
            if c == 4 {
                root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0);
            }
        }
    }
    Some(())
}

fn action_request(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.action";
    let names =
        ["normal", "next-pblock", "with-list", "with-first-pblock", "with-list-and-first-pblock", "with-pblock"];
    let c = choice(cx, rd, root, &names, "action-request")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 => {
            root.push(descriptor(cx, rd, &format!("{svc}.descriptor"), true)?.0);
            let (f, present) = byte(cx, rd, &format!("{svc}.parameters-flag"), NodeKind::Control)?;
            root.push(f);
            if present != 0 {
                root.push(axdr::data(cx, rd, &format!("{svc}.parameters"))?.node);
            }
        }
        2 => root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0),
        3 | 5 => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                root.push(descriptor(cx, rd, &format!("{svc}.descriptor.{i}"), true)?.0);
            }
            if c == 3 {
                let (cn, n) = count(cx, rd, &format!("{svc}.count.{}", n + 1))?;
                root.push(cn);
                for i in 0..n {
                    root.push(axdr::data(cx, rd, &format!("{svc}.parameters.{i}"))?.node);
                }
            } else {
                root.push(datablock(cx, rd, svc, false)?);
            }
        }
        4 => {
            root.push(descriptor(cx, rd, &format!("{svc}.descriptor"), true)?.0);
            root.push(datablock(cx, rd, svc, false)?);
        }
        _ => root.push(datablock(cx, rd, svc, false)?),
    }
    Some(())
}

/// Action-Response-With-Optional-Data.
fn action_result(cx: &mut Cx, rd: &mut Rd, root: &mut Node, suffix: &str) -> Option<()> {
    let svc = "dlms.apdu.action";
    root.push(result_enum(cx, rd, &format!("{svc}.result{suffix}"))?);
    let (f, present) = byte(cx, rd, &format!("{svc}.return-flag{suffix}"), NodeKind::Control)?;
    root.push(f);
    if present != 0 {
        let start = rd.at();
        let mut r = cx.node(format!("{svc}.return{suffix}"), Span::at(start, 0));
        r.children = get_data_result(cx, rd, "dlms.apdu.get", suffix)?;
        r.span = rd.since(start);
        root.push(r);
    }
    Some(())
}

fn action_response(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.action";
    let c = choice(cx, rd, root, &["normal", "with-pblock", "with-list", "next-pblock"], "action-response")?;
    root.push(invoke(cx, rd)?);
    match c {
        1 => action_result(cx, rd, root, "")?,
        2 => root.push(datablock(cx, rd, svc, false)?),
        3 => {
            let (cn, n) = count(cx, rd, &format!("{svc}.count"))?;
            root.push(cn);
            for i in 0..n {
                action_result(cx, rd, root, &format!(".{i}"))?;
            }
        }
        _ => root.push(u32_field(cx, rd, &format!("{svc}.block-number"))?.0),
    }
    Some(())
}

fn event_notification(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let svc = "dlms.apdu.event";
    let (f, present) = byte(cx, rd, &format!("{svc}.time-flag"), NodeKind::Control)?;
    root.push(f);
    if present != 0 {
        root.push(date_time_octets(cx, rd, &format!("{svc}.time"))?);
    }
    root.push(descriptor(cx, rd, &format!("{svc}.descriptor"), false)?.0);
    root.push(axdr::data(cx, rd, &format!("{svc}.value"))?.node);
    Some(())
}

/// An octet-string holding a date-time (or empty), dissected as data.
pub(super) fn date_time_octets(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<Node> {
    let start = rd.at();
    let n = need!(cx, rd, rd.peek());
    if n == 0 {
        rd.u8();
        return Some(cx.node(id, rd.since(start)).value("").text(cx.lang.pick("absent", "无")));
    }
    // Re-read as an octet-string value through the data dissector (tag 9 implied).
    let mut dv = {
        let save = rd.pos;
        let len = need!(cx, rd, rd.axdr_len());
        rd.pos = save;
        if len != 12 {
            return octets(cx, rd, id);
        }
        let fake = [&[9u8][..], &rd.b[rd.pos..]].concat();
        let mut sub = Rd::new(&fake, rd.at() - 1);
        let dv = axdr::data(cx, &mut sub, id)?;
        rd.pos += sub.pos - 1;
        dv
    };
    dv.node.span = rd.since(start);
    dv.node.label = cx.lang.label(id);
    Some(dv.node)
}

fn data_notification(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    root.push(long_invoke(cx, rd, "dlms.apdu.long-invoke")?);
    root.push(date_time_octets(cx, rd, "dlms.apdu.notification.date-time")?);
    root.push(axdr::data(cx, rd, "dlms.apdu.notification.body")?.node);
    Some(())
}

fn exception(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let lang = cx.lang;
    let (s, sv) = byte(cx, rd, "dlms.apdu.exception.state-error", NodeKind::Data)?;
    let st = match sv {
        1 => lang.pick("service-not-allowed", "服务不允许"),
        2 => lang.pick("service-unknown", "未知服务"),
        _ => "?",
    };
    root.push(s.text(st));
    let (e, ev) = byte(cx, rd, "dlms.apdu.exception.service-error", NodeKind::Data)?;
    let et = match ev {
        1 => lang.pick("operation-not-possible", "操作不可能"),
        2 => lang.pick("service-not-supported", "服务不支持"),
        3 => lang.pick("other-reason", "其他原因"),
        4 => lang.pick("pdu-too-long", "PDU 过长"),
        5 => lang.pick("deciphering-error", "解密错误"),
        6 => lang.pick("invocation-counter-error", "调用计数器错误"),
        _ => "?",
    };
    root.push(e.text(et));
    if ev == 6 {
        root.push(u32_field(cx, rd, "dlms.apdu.exception.invocation-counter")?.0);
    }
    root.value = Some(format!("exception-response {st}/{et}"));
    Some(())
}

fn confirmed_service_error(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let lang = cx.lang;
    let services = [
        "initiateError",
        "getStatus",
        "getNameList",
        "getVariableAttribute",
        "read",
        "write",
        "getDataSetAttribute",
        "getTIAttribute",
        "changeScope",
        "start",
        "stop",
        "resume",
        "makeUsable",
        "initiateLoad",
        "loadSegment",
        "terminateLoad",
        "initiateUpLoad",
        "upLoadSegment",
        "terminateUpLoad",
    ];
    let (s, sv) = byte(cx, rd, "dlms.apdu.error.service", NodeKind::Control)?;
    root.push(s.text(services.get((sv as usize).wrapping_sub(1)).copied().unwrap_or("?")));
    let types = [
        "application-reference",
        "hardware-resource",
        "vde-state-error",
        "service",
        "definition",
        "access",
        "initiate",
        "load-data-set",
        "change-scope",
        "task",
        "other",
    ];
    let (t, tv) = byte(cx, rd, "dlms.apdu.error.type", NodeKind::Control)?;
    root.push(t.text(types.get(tv as usize).copied().unwrap_or("?")));
    let (v, vv) = byte(cx, rd, "dlms.apdu.error.value", NodeKind::Data)?;
    let text = match (tv, vv) {
        (6, 0) => lang.pick("other", "其他"),
        (6, 1) => lang.pick("dlms-version-too-low", "DLMS 版本过低"),
        (6, 2) => lang.pick("incompatible-conformance", "一致性不兼容"),
        (6, 3) => lang.pick("pdu-size-too-short", "PDU 尺寸过小"),
        (6, 4) => lang.pick("refused-by-the-VDE-Handler", "被 VDE 处理器拒绝"),
        (5, 1) => lang.pick("scope-of-access-violated", "越权访问"),
        (5, 2) => lang.pick("object-access-invalid", "对象访问无效"),
        (5, 3) => lang.pick("hardware-fault", "硬件故障"),
        (5, 4) => lang.pick("object-unavailable", "对象不可用"),
        _ => "",
    };
    root.push(if text.is_empty() { v } else { v.text(text) });
    Some(())
}

fn general_block_transfer(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let (c, cv) = byte(cx, rd, "dlms.apdu.gbt.control", NodeKind::Control)?;
    let text = match cx.lang {
        Lang::En => format!("last-block {}, streaming {}, window {}", cv >> 7, (cv >> 6) & 1, cv & 0x3F),
        Lang::Zh => format!("最后块 {}，流式 {}，窗口 {}", cv >> 7, (cv >> 6) & 1, cv & 0x3F),
    };
    root.push(c.value(format!("0x{cv:02X}")).text(text));
    root.push(u16_field(cx, rd, "dlms.apdu.gbt.number")?.0);
    root.push(u16_field(cx, rd, "dlms.apdu.gbt.ack")?.0);
    root.push(octets(cx, rd, "dlms.apdu.gbt.data")?);
    Some(())
}

/// Variable-Access-Specification of the short-name services.
fn variable(cx: &mut Cx, rd: &mut Rd, i: usize) -> Option<Node> {
    let id = format!("dlms.apdu.sn.variable.{i}");
    let start = rd.at();
    let mut node = cx.node(&id, Span::at(start, 0));
    let lang = cx.lang;
    let (k, kv) = byte(cx, rd, &format!("{id}.kind"), NodeKind::Control)?;
    let kind = match kv {
        2 => "variable-name",
        4 => "parameterized-access",
        5 => "block-number-access",
        6 => "read-data-block-access",
        7 => "write-data-block-access",
        _ => "?",
    };
    node.push(k.text(kind));
    match kv {
        2 | 4 => {
            let (n, v) = u16_field(cx, rd, &format!("{id}.name"))?;
            node.push(n.value(format!("0x{v:04X}")));
            node.value = Some(format!("0x{v:04X}"));
            if kv == 4 {
                node.push(byte(cx, rd, &format!("{id}.selector"), NodeKind::Control)?.0);
                node.push(axdr::data(cx, rd, &format!("{id}.parameters"))?.node);
            }
        }
        5 => node.push(u16_field(cx, rd, &format!("{id}.block-number"))?.0),
        6 | 7 => {
            let (l, lv) = byte(cx, rd, "dlms.apdu.block.last", NodeKind::Control)?;
            node.push(l.value(if lv != 0 { "true" } else { "false" }));
            node.push(u16_field(cx, rd, &format!("{id}.block-number"))?.0);
            if kv == 6 {
                node.push(octets(cx, rd, "dlms.apdu.block.data")?);
            }
        }
        _ => {
            let span = node.children[0].span;
            cx.error(span, "dlms.apdu.choice.unknown", "unknown variable access kind", "未知的变量访问类型");
            return None;
        }
    }
    node.text = Some(lang.pick(kind, kind).to_string());
    node.span = rd.since(start);
    Some(node)
}

fn sn_request(cx: &mut Cx, rd: &mut Rd, root: &mut Node, t: u8) -> Option<()> {
    let (cn, n) = count(cx, rd, "dlms.apdu.sn.count")?;
    root.push(cn);
    for i in 0..n {
        root.push(variable(cx, rd, i)?);
    }
    if t != 0x05 {
        let (cn, m) = count(cx, rd, &format!("dlms.apdu.sn.count.{}", n + 1))?;
        root.push(cn);
        for i in 0..m {
            root.push(axdr::data(cx, rd, &format!("dlms.apdu.sn.data.{i}"))?.node);
        }
    }
    Some(())
}

fn sn_response(cx: &mut Cx, rd: &mut Rd, root: &mut Node, t: u8) -> Option<()> {
    let (cn, n) = count(cx, rd, "dlms.apdu.sn.count")?;
    root.push(cn);
    let lang = cx.lang;
    for i in 0..n {
        let (c, cv) = byte(cx, rd, &format!("dlms.apdu.sn.result.{i}"), NodeKind::Control)?;
        let read = t == 0x0C;
        match (read, cv) {
            (true, 0) => {
                root.push(c.text(lang.pick("data", "数据")));
                root.push(axdr::data(cx, rd, &format!("dlms.apdu.sn.data.{i}"))?.node);
            }
            (false, 0) => root.push(c.text(lang.pick("success", "成功"))),
            (_, 1) => {
                root.push(c.text(lang.pick("data-access-error", "数据访问错误")));
                root.push(result_enum(cx, rd, &format!("dlms.apdu.sn.result.{i}.{}", 1))?);
            }
            (true, 2) => {
                root.push(c.text(lang.pick("data-block-result", "数据块结果")));
                let (l, lv) = byte(cx, rd, "dlms.apdu.block.last", NodeKind::Control)?;
                root.push(l.value(if lv != 0 { "true" } else { "false" }));
                root.push(u16_field(cx, rd, "dlms.apdu.block.number")?.0);
                root.push(octets(cx, rd, "dlms.apdu.block.data")?);
            }
            (true, 3) | (false, 2) => {
                root.push(c.text(lang.pick("block-number", "块序号")));
                root.push(u16_field(cx, rd, "dlms.apdu.block.number")?.0);
            }
            _ => {
                let span = c.span;
                root.push(c);
                cx.error(span, "dlms.apdu.choice.unknown", "unknown result kind", "未知的结果类型");
                return None;
            }
        }
    }
    Some(())
}

fn information_report(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let (f, present) = byte(cx, rd, "dlms.apdu.event.time-flag", NodeKind::Control)?;
    root.push(f);
    if present != 0 {
        root.push(octets(cx, rd, "dlms.apdu.event.time")?);
    }
    sn_request(cx, rd, root, 0x18)
}

fn access(cx: &mut Cx, rd: &mut Rd, root: &mut Node, t: u8) -> Option<()> {
    root.push(long_invoke(cx, rd, "dlms.apdu.access.invoke")?);
    root.push(date_time_octets(cx, rd, "dlms.apdu.access.date-time")?);
    let start = rd.at();
    let mut body = cx.node("dlms.apdu.access.body", Span::at(start, 0));
    let spec = |cx: &mut Cx, rd: &mut Rd, body: &mut Node| -> Option<()> {
        let (cn, n) = count(cx, rd, "dlms.apdu.get.count")?;
        body.push(cn);
        for i in 0..n {
            let (c, cv) = byte(cx, rd, &format!("dlms.apdu.choice.{i}"), NodeKind::Control)?;
            let name = match cv {
                1 => "access-request-get",
                2 => "access-request-set",
                3 => "access-request-action",
                4 => "access-request-get-with-selection",
                5 => "access-request-set-with-selection",
                _ => "?",
            };
            body.push(c.text(name));
            if !(1..=5).contains(&cv) {
                let span = body.children.last().map(|n| n.span).unwrap_or_default();
                cx.error(span, "dlms.apdu.choice.unknown", "unknown access request kind", "未知的访问请求类型");
                return None;
            }
            body.push(descriptor(cx, rd, &format!("dlms.apdu.get.descriptor.{i}"), cv == 3)?.0);
            if cv >= 4 {
                body.children.extend(selection(cx, rd, "dlms.apdu.get", &format!(".{i}"), false)?);
            }
        }
        Some(())
    };
    if t == 0xD9 {
        spec(cx, rd, &mut body)?;
        let (cn, n) = count(cx, rd, "dlms.apdu.set.count")?;
        body.push(cn);
        for i in 0..n {
            body.push(axdr::data(cx, rd, &format!("dlms.apdu.get.data.{i}"))?.node);
        }
    } else {
        let (f, present) = byte(cx, rd, "dlms.apdu.get.selection-flag", NodeKind::Control)?;
        body.push(f);
        if present != 0 {
            spec(cx, rd, &mut body)?;
        }
        let (cn, n) = count(cx, rd, "dlms.apdu.set.count")?;
        body.push(cn);
        for i in 0..n {
            body.push(axdr::data(cx, rd, &format!("dlms.apdu.get.data.{i}"))?.node);
        }
        let (cn, n) = count(cx, rd, "dlms.apdu.action.count")?;
        body.push(cn);
        for i in 0..n {
            body.push(byte(cx, rd, &format!("dlms.apdu.choice.{}", 1000 + i), NodeKind::Control)?.0);
            body.push(result_enum(cx, rd, &format!("dlms.apdu.get.result.{i}"))?);
        }
    }
    body.span = rd.since(start);
    root.push(body);
    Some(())
}

/// The 24 conformance bits (bit 0 is the first bit of the bit string).
pub static CONFORMANCE: [&str; 24] = [
    "reserved-zero",
    "general-protection",
    "general-block-transfer",
    "read",
    "write",
    "unconfirmed-write",
    "delta-value-encoding",
    "reserved-seven",
    "attribute0-supported-with-set",
    "priority-mgmt-supported",
    "attribute0-supported-with-get",
    "block-transfer-with-get-or-read",
    "block-transfer-with-set-or-write",
    "block-transfer-with-action",
    "multiple-references",
    "information-report",
    "data-notification",
    "access",
    "parameterized-access",
    "get",
    "set",
    "selective-access",
    "event-notification",
    "action",
];

/// Names of the conformance bits set in a 24-bit block.
pub fn conformance_names(bits: u32) -> Vec<&'static str> {
    (0..24).filter(|i| bits & (1 << (23 - i)) != 0).map(|i| CONFORMANCE[i]).collect()
}

/// xDLMS InitiateRequest (0x01) or InitiateResponse (0x08), into `root`.
pub fn initiate(cx: &mut Cx, rd: &mut Rd, root: &mut Node) -> Option<()> {
    let lang = cx.lang;
    let start = rd.at();
    let (tn, t) = byte(cx, rd, "dlms.initiate.tag", NodeKind::Control)?;
    let request = t == 0x01;
    root.push(tn.value(format!("0x{t:02X}")).text(if request { "InitiateRequest" } else { "InitiateResponse" }));
    root.value = Some(if request { "InitiateRequest" } else { "InitiateResponse" }.into());
    if request {
        let (f, present) = byte(cx, rd, "dlms.initiate.dedicated-key-flag", NodeKind::Control)?;
        root.push(f);
        if present != 0 {
            root.push(octets(cx, rd, "dlms.initiate.dedicated-key")?);
        }
        let (f, present) = byte(cx, rd, "dlms.initiate.response-allowed-flag", NodeKind::Control)?;
        root.push(f);
        if present != 0 {
            let (n, v) = byte(cx, rd, "dlms.initiate.response-allowed", NodeKind::Data)?;
            root.push(n.value(if v != 0 { "true" } else { "false" }));
        } else {
            let at = rd.at();
            root.push(
                cx.node("dlms.initiate.response-allowed", Span::at(at, 0))
                    .value("true")
                    .text(lang.pick("default", "默认值")),
            );
        }
    }
    let (f, present) = byte(cx, rd, "dlms.initiate.qos-flag", NodeKind::Control)?;
    root.push(f);
    if present != 0 {
        root.push(byte(cx, rd, "dlms.initiate.qos", NodeKind::Data)?.0);
    }
    root.push(byte(cx, rd, "dlms.initiate.version", NodeKind::Data)?.0);
    // Conformance: [APPLICATION 31] IMPLICIT BIT STRING (SIZE 24): 5F 1F 04 00 b0 b1 b2.
    let at = rd.at();
    let c = need!(cx, rd, rd.take(7));
    let mut cn = cx.node("dlms.initiate.conformance", rd.since(at)).kind(NodeKind::Control);
    if c[0] != 0x5F || c[1] != 0x1F || c[2] != 0x04 {
        cx.error(
            Span::at(at, 3),
            "dlms.initiate.conformance.tag",
            "the conformance block starts with 5F 1F 04",
            "一致性块应以 5F 1F 04 开始",
        );
    }
    let bits = u32::from_be_bytes([0, c[4], c[5], c[6]]);
    let names = conformance_names(bits);
    cn = cn.value(format!("0x{bits:06X}")).text(names.join(", "));
    for (i, name) in CONFORMANCE.iter().enumerate() {
        if bits & (1 << (23 - i)) != 0 {
            cn.push(cx.node(format!("dlms.initiate.conformance.bit.{i}"), Span::at(at + 4 + i / 8, 1)).value(*name));
        }
    }
    root.push(cn);
    root.push(u16_field(cx, rd, "dlms.initiate.max-pdu")?.0);
    if !request {
        let (n, v) = u16_field(cx, rd, "dlms.initiate.vaa-name")?;
        let text = match v {
            0x0007 => lang.pick("logical names", "逻辑名"),
            0xFA00 => lang.pick("short names", "短名"),
            _ => "",
        };
        root.push(n.value(format!("0x{v:04X}")).text(text));
    }
    root.span = rd.since(start);
    Some(())
}
