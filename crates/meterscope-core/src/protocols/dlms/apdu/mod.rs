//! xDLMS APDUs (IEC 62056-5-3, the Green Book): the dispatcher over every
//! APDU tag, the logical-name services GET, SET, ACTION (every variant),
//! Event- and Data-Notification, Access, general block transfer,
//! Exception-Response and ConfirmedServiceError, general-ciphering and
//! general-signing (in [`security`]), the short-name services
//! Read, Write, UnconfirmedWrite and InformationReport, and xDLMS Initiate.

use super::{Cx, Rd, acse, axdr, byte_msg, class_msg, classes, obis_canonical, obis_name, pack_obis, security};
use crate::lang::Lang;
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::obis;
use crate::span::Span;

pub use initiate::{CONFORMANCE, conformance_names, initiate};
pub(super) use services::date_time_octets;
use services::*;

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

/// Which bytes are APDU tags (framers ask at every offset).
static KNOWN: [bool; 256] = {
    let mut k = [false; 256];
    let mut i = 0;
    while i < TAGS.len() {
        k[TAGS[i].0 as usize] = true;
        i += 1;
    }
    k
};

/// Whether `t` starts an xDLMS or ACSE APDU.
pub fn is_known_tag(t: u8) -> bool {
    KNOWN[usize::from(t)]
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

fn access_result(v: u8) -> Msg {
    ACCESS_RESULTS.iter().find(|r| r.0 == v).map_or(Msg::Uint(v.into()), |r| Msg::Bi(r))
}

/// Ids of a descriptor and its fields.
pub(super) struct Desc {
    pub id: &'static str,
    pub class: &'static str,
    pub obis: &'static str,
    pub attribute: &'static str,
    pub method: &'static str,
}

/// Ids of the fields of one service family (`dlms.apdu.get`…).
pub(super) struct Svc {
    pub descriptor: Desc,
    pub selection_flag: &'static str,
    pub selection: &'static str,
    pub selector: &'static str,
    pub selection_parameters: &'static str,
    pub result_choice: &'static str,
    pub data: &'static str,
    pub result: &'static str,
    pub block: &'static str,
    pub block_number: &'static str,
    pub count: &'static str,
    pub value: &'static str,
    pub parameters: &'static str,
    pub parameters_flag: &'static str,
    pub return_flag: &'static str,
    pub ret: &'static str,
    pub time_flag: &'static str,
    pub time: &'static str,
}

macro_rules! svc {
    ($p:literal) => {
        Svc {
            descriptor: Desc {
                id: concat!($p, ".descriptor"),
                class: concat!($p, ".descriptor.class"),
                obis: concat!($p, ".descriptor.obis"),
                attribute: concat!($p, ".descriptor.attribute"),
                method: concat!($p, ".descriptor.method"),
            },
            selection_flag: concat!($p, ".selection-flag"),
            selection: concat!($p, ".selection"),
            selector: concat!($p, ".selection.selector"),
            selection_parameters: concat!($p, ".selection.parameters"),
            result_choice: concat!($p, ".result-choice"),
            data: concat!($p, ".data"),
            result: concat!($p, ".result"),
            block: concat!($p, ".block"),
            block_number: concat!($p, ".block-number"),
            count: concat!($p, ".count"),
            value: concat!($p, ".value"),
            parameters: concat!($p, ".parameters"),
            parameters_flag: concat!($p, ".parameters-flag"),
            return_flag: concat!($p, ".return-flag"),
            ret: concat!($p, ".return"),
            time_flag: concat!($p, ".time-flag"),
            time: concat!($p, ".time"),
        }
    };
}

static GET: Svc = svc!("dlms.apdu.get");
static SET: Svc = svc!("dlms.apdu.set");
static ACTION: Svc = svc!("dlms.apdu.action");
static EVENT: Svc = svc!("dlms.apdu.event");

/// `base`, or `base.i` for the i-th of a list.
fn idx(base: &'static str, i: Option<u32>) -> Id {
    match i {
        None => Id::Static(base),
        Some(i) => Id::Indexed(base, i),
    }
}

/// `key`, or with `.i` after its first `at` bytes (a field of the i-th of a list).
fn sub(key: &'static str, at: &'static str, i: Option<u32>) -> Id {
    match i {
        None => Id::Static(key),
        Some(i) => Id::inner(key, at.len(), i),
    }
}

fn bool_msg(b: bool) -> Msg {
    Msg::Str(if b { "true" } else { "false" })
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
fn byte(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: impl Into<Id>, kind: NodeKind) -> Option<(NodeRef, u8)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u8());
    Some((cx.add(parent, id, rd.since(at)).kind(kind).value(Msg::Uint(v.into())).index(), v))
}

fn u16_field(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: impl Into<Id>) -> Option<(NodeRef, u16)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u16());
    Some((cx.add(parent, id, rd.since(at)).value(Msg::Uint(v.into())).index(), v))
}

fn u32_field(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: impl Into<Id>) -> Option<(NodeRef, u32)> {
    let at = rd.at();
    let v = need!(cx, rd, rd.u32());
    Some((cx.add(parent, id, rd.since(at)).value(Msg::Uint(v.into())).index(), v))
}

/// An A-XDR count, bounded by the bytes left (each item takes at least one).
fn count(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: impl Into<Id>) -> Option<usize> {
    let at = rd.at();
    let n = need!(cx, rd, rd.axdr_len());
    cx.add(parent, id, rd.since(at)).kind(NodeKind::Length).value(Msg::Uint(n as u64));
    if n > rd.left() {
        cx.error(
            rd.since(at),
            "dlms.apdu.count.mismatch",
            &("the count exceeds the bytes present", "个数超过现有字节数"),
        );
        return Some(rd.left());
    }
    Some(n)
}

/// An A-XDR octet-string (length and bytes) as one node, and its length.
fn octets(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: impl Into<Id>) -> Option<(NodeRef, usize)> {
    let at = rd.at();
    let n = need!(cx, rd, rd.axdr_len());
    if rd.take(n).is_none() {
        cx.error(
            rd.since(at),
            "dlms.apdu.length.mismatch",
            &("the octet-string runs past the bytes present", "字节串超出现有字节"),
        );
        rd.rest();
        return None;
    }
    let v = cx.hex(Span::at(rd.at() - n, n));
    Some((cx.add(parent, id, rd.since(at)).value(v).index(), n))
}

/// Invoke-id-and-priority (one byte): invoke id bits 0–3, service class bit 6, priority bit 7.
fn invoke(cx: &mut Cx, rd: &mut Rd, parent: NodeRef) -> Option<()> {
    let (n, v) = byte(cx, rd, parent, "dlms.apdu.invoke", NodeKind::Control)?;
    cx.set(n).value(byte_msg(v)).text(Msg::Code(invoke_text, v.into()));
    Some(())
}

/// The text of an invoke-id-and-priority byte.
fn invoke_text(v: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let (confirmed, priority) = match lang {
        Lang::En => (
            if v & 0x40 != 0 { "confirmed" } else { "unconfirmed" },
            if v & 0x80 != 0 { "high priority" } else { "normal priority" },
        ),
        Lang::Zh => {
            (if v & 0x40 != 0 { "需确认" } else { "无需确认" }, if v & 0x80 != 0 { "高优先级" } else { "普通优先级" })
        }
    };
    match lang {
        Lang::En => write!(w, "invoke-id {}, {confirmed}, {priority}", v & 0x0F),
        Lang::Zh => write!(w, "调用标识 {}，{confirmed}，{priority}", v & 0x0F),
    }
}

/// Long-invoke-id-and-priority (four bytes).
fn long_invoke(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: &'static str) -> Option<()> {
    let (n, v) = u32_field(cx, rd, parent, id)?;
    let priority = if v & 0x8000_0000 != 0 {
        crate::msg!("high priority", "高优先级")
    } else {
        crate::msg!("normal priority", "普通优先级")
    };
    let confirmed = if v & 0x4000_0000 != 0 { crate::msg!(", confirmed", "，需确认") } else { Msg::Str("") };
    let text = msg!("invoke-id {}, {}{}", "调用标识 {}，{}{}", v & 0x00FF_FFFF, priority, confirmed);
    cx.set(n).value(Msg::HexNum { value: v.into(), digits: 8 }).text(text);
    Some(())
}

/// Cosem-Attribute-Descriptor or Cosem-Method-Descriptor: class (2), instance (6), id (1).
fn descriptor(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, d: &Desc, i: Option<u32>, method: bool) -> Option<u16> {
    cx.atomic(parent, |cx| {
        let start = rd.at();
        let node = cx.add(parent, idx(d.id, i), Span::at(start, 0)).index();
        let (cn, class) = u16_field(cx, rd, node, sub(d.class, d.id, i))?;
        let cname = class_msg(class);
        if !matches!(cname, Msg::Str(_)) {
            cx.set(cn).text(cname.clone());
        }
        let at = rd.at();
        let ln = need!(cx, rd, rd.take(6));
        let code = [ln[0], ln[1], ln[2], ln[3], ln[4], ln[5]];
        let packed = pack_obis(code);
        let on = cx
            .add(node, sub(d.obis, d.id, i), rd.since(at))
            .kind(NodeKind::Address)
            .value(Msg::Code(obis_canonical, packed))
            .index();
        if obis::is_named(code) {
            cx.set(on).text(Msg::Code(obis_name, packed));
        }
        let which = if method { d.method } else { d.attribute };
        let (an, a) = byte(cx, rd, node, sub(which, d.id, i), NodeKind::Data)?;
        let a = a as i8;
        let name = if method { classes::method_name(class, a) } else { classes::attribute_name(class, a) };
        let an = cx.set(an).value(Msg::Int(a.into()));
        if let Some(name) = name {
            an.text(Msg::Str(name));
        }
        // Class ids below 256 (all that are defined): class, logical name
        // and attribute or method id packed in one code, named when rendered.
        let (value, text) = match u8::try_from(class) {
            Ok(c) => {
                let code = u64::from(c) << 56 | packed << 8 | u64::from(a as u8);
                let text: crate::model::CodeFn =
                    if method { method_descriptor_text } else { attribute_descriptor_text };
                (Msg::Code(descriptor_value, code), Msg::Code(text, code))
            }
            Err(_) => (
                msg!("{}/{}/{}", "{}/{}/{}", class, Msg::Code(obis_canonical, packed), i64::from(a)),
                msg!("{} {} {}", "{} {} {}", cname, Msg::Code(obis_canonical, packed), name.unwrap_or("")),
            ),
        };
        cx.set(node).span(rd.since(start)).value(value).text(text);
        Some(class)
    })
}

/// A descriptor packed by [`descriptor`]: class (below 256), logical name, attribute or method id.
fn unpack_descriptor(code: u64) -> (u16, u64, i8) {
    ((code >> 56) as u16, (code >> 8) & 0xFFFF_FFFF_FFFF, code as u8 as i8)
}

/// `3/1-0:1.8.0*255/2`: class, logical name, attribute or method id.
fn descriptor_value(code: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let (class, ln, id) = unpack_descriptor(code);
    write!(w, "{class}/")?;
    obis_canonical(ln, lang, w)?;
    write!(w, "/{id}")
}

/// `Register 1-0:1.8.0*255 value`: class name, logical name, attribute or method name.
fn descriptor_text(code: u64, lang: Lang, w: &mut dyn core::fmt::Write, method: bool) -> core::fmt::Result {
    let (class, ln, id) = unpack_descriptor(code);
    class_msg(class).write(w, lang, &crate::model::RenderCx::default())?;
    w.write_str(" ")?;
    obis_canonical(ln, lang, w)?;
    w.write_str(" ")?;
    let name = if method { classes::method_name(class, id) } else { classes::attribute_name(class, id) };
    w.write_str(name.unwrap_or(""))
}

fn attribute_descriptor_text(code: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    descriptor_text(code, lang, w, false)
}

fn method_descriptor_text(code: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    descriptor_text(code, lang, w, true)
}

/// Optional selective access: flag, then selector and parameters.
fn selection(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, svc: &Svc, i: Option<u32>, flag: bool) -> Option<()> {
    cx.atomic(parent, |cx| {
        if flag {
            let (_, present) = byte(cx, rd, parent, idx(svc.selection_flag, i), NodeKind::Control)?;
            if present == 0 {
                return Some(());
            }
        }
        let start = rd.at();
        let node = cx.add(parent, idx(svc.selection, i), Span::at(start, 0)).index();
        let (sn, sel) = byte(cx, rd, node, sub(svc.selector, svc.selection, i), NodeKind::Control)?;
        cx.set(sn).text(match sel {
            1 => crate::msg!("range descriptor", "范围描述符"),
            2 => crate::msg!("entry descriptor", "条目描述符"),
            _ => crate::msg!("specific selector", "特定选择器"),
        });
        let dv = axdr::data(cx, node, rd, sub(svc.selection_parameters, svc.selection, i));
        cx.set(node).span(rd.since(start));
        if let Some(dv) = &dv {
            name_access_parameters(cx, dv.node, sel);
        }
        dv.map(|_| ())
    })
}

/// The parameters of selective access by range (selector 1) and by entry
/// (selector 2) named, as the profile generic class defines them.
fn name_access_parameters(cx: &mut Cx, params: NodeRef, selector: u8) {
    static RANGE: [(&str, &str); 4] = [
        ("restricting object", "限定对象"),
        ("from value", "起始值"),
        ("to value", "结束值"),
        ("selected values (columns; empty: all)", "选定的列（空：全部）"),
    ];
    static RESTRICTING: [(&str, &str); 4] =
        [("class", "类"), ("logical name", "逻辑名"), ("attribute", "属性"), ("data index", "数据索引")];
    static ENTRY: [(&str, &str); 4] = [
        ("from entry (1: the oldest)", "起始条目（1：最早）"),
        ("to entry (0: the newest)", "结束条目（0：最新）"),
        ("from selected value (column)", "起始列"),
        ("to selected value (0: the last column)", "结束列（0：最后一列）"),
    ];
    let names: &'static [(&str, &str)] = match selector {
        1 => &RANGE,
        2 => &ENTRY,
        _ => return,
    };
    let kids: Vec<NodeRef> = cx.f.children(params).map(|(i, _)| i).collect();
    if kids.len() != names.len() {
        return;
    }
    for (k, words) in kids.iter().zip(names) {
        cx.set(*k).label(Msg::Bi(words));
    }
    if selector == 1 {
        let inner: Vec<NodeRef> = cx.f.children(kids[0]).map(|(i, _)| i).collect();
        if inner.len() == RESTRICTING.len() {
            for (k, words) in inner.iter().zip(&RESTRICTING) {
                cx.set(*k).label(Msg::Bi(words));
            }
        }
    }
}

/// Get-Data-Result: 0 data, 1 data-access-result.
fn get_data_result(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, svc: &Svc, i: Option<u32>) -> Option<()> {
    cx.atomic(parent, |cx| {
        let (cn, c) = byte(cx, rd, parent, idx(svc.result_choice, i), NodeKind::Control)?;
        match c {
            0 => {
                cx.set(cn).text(crate::msg!("data", "数据"));
                let _ = value(cx, rd, parent, idx(svc.data, i));
                Some(())
            }
            1 => {
                cx.set(cn).text(crate::msg!("data-access-result", "数据访问结果"));
                let (r, v) = byte(cx, rd, parent, idx(svc.result, i), NodeKind::Data)?;
                cx.set(r).text(access_result(v));
                Some(())
            }
            _ => {
                let span = cx.span_of(cn);
                cx.error(
                    span,
                    "dlms.apdu.choice.unknown",
                    &(
                        "a Get-Data-Result is 0 (data) or 1 (access result)",
                        "Get-Data-Result 应为 0(数据)或 1(访问结果)",
                    ),
                );
                Some(())
            }
        }
    })
}

/// DataBlock-G (get) or DataBlock-SA (set, action): last-block, block-number, raw data.
fn datablock(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, svc: &Svc, with_result: bool) -> Option<()> {
    cx.atomic(parent, |cx| {
        let start = rd.at();
        let node = cx.add(parent, svc.block, Span::at(start, 0)).index();
        let (last, lv) = byte(cx, rd, node, "dlms.apdu.block.last", NodeKind::Control)?;
        cx.set(last).value(bool_msg(lv != 0));
        let (_, bn) = u32_field(cx, rd, node, "dlms.apdu.block.number")?;
        let raw = if with_result {
            let (cn, c) = byte(cx, rd, node, svc.result_choice, NodeKind::Control)?;
            cx.set(cn).text(if c == 0 {
                crate::msg!("raw-data", "原始数据")
            } else {
                crate::msg!("data-access-result", "数据访问结果")
            });
            if c != 0 {
                let (r, v) = byte(cx, rd, node, svc.result, NodeKind::Data)?;
                cx.set(r).text(access_result(v));
                false
            } else {
                true
            }
        } else {
            true
        };
        if raw {
            let (d, len) = octets(cx, rd, node, "dlms.apdu.block.data")?;
            cx.set(d).text(msg!("{} byte(s) of the encoded value", "编码值的 {} 个字节", len));
        }
        let value = msg!("{}{}", "{}{}", bn, if lv != 0 { " last" } else { "" });
        cx.set(node).span(rd.since(start)).value(value);
        Some(())
    })
}

/// Dissect one APDU at `base` under `parent`; reports bytes after it.
pub fn apdu(cx: &mut Cx, parent: NodeRef, b: &[u8], base: usize) -> NodeRef {
    let mut rd = Rd::new(b, base);
    let node = apdu_at(cx, parent, &mut rd);
    if rd.left() > 0 && !cx.has_error() {
        let span = Span::new(rd.at(), base + b.len());
        cx.error(span, "dlms.trailing", &("bytes after the end of the APDU", "APDU 结束后还有多余字节"));
    }
    if rd.left() > 0 {
        let span = Span::new(rd.at(), base + b.len());
        let rest = rd.rest();
        let (v, t) = (cx.hex(span), cx.ascii(span, rest));
        cx.add(node, "dlms.apdu.rest", span).kind(NodeKind::Unknown).value(v).text(t);
    }
    cx.set(node).span(Span::at(base, b.len()));
    node
}

/// Dissect one APDU at the reader.
pub fn apdu_at(cx: &mut Cx, parent: NodeRef, rd: &mut Rd) -> NodeRef {
    let start = rd.at();
    let Some(t) = rd.peek() else {
        cx.truncated(start);
        return cx.add(parent, "dlms.apdu", Span::at(start, 0)).index();
    };
    match t {
        0x60..=0x63 => return acse::acse(cx, parent, rd),
        0xDD | 0xDF => return security::general(cx, parent, rd),
        _ if is_ciphered(t) => return security::ciphered(cx, parent, rd),
        _ => {}
    }
    if matches!(t, 0x01 | 0x08) {
        let root = cx.add(parent, "dlms.initiate", Span::at(start, 0)).index();
        let _ = initiate(cx, rd, root);
        cx.set(root).span(rd.since(start));
        return root;
    }
    let root = cx.add(parent, "dlms.apdu", Span::at(start, 0)).index();
    rd.u8();
    let name = tag_name(t);
    let tn = cx.add(root, "dlms.apdu.tag", rd.since(start)).kind(NodeKind::Control).value(byte_msg(t)).index();
    if let Some(n) = name {
        cx.set(tn).text(Msg::Str(n));
        cx.set(root).value(Msg::Str(n));
    }
    let _ = match t {
        0xC0 => get_request(cx, rd, root),
        0xC4 => get_response(cx, rd, root),
        0xC1 => set_request(cx, rd, root),
        0xC5 => set_response(cx, rd, root),
        0xC3 => action_request(cx, rd, root),
        0xC7 => action_response(cx, rd, root),
        0xC2 => event_notification(cx, rd, root),
        0x0F => data_notification(cx, rd, root),
        0xD8 => exception(cx, rd, root),
        0x0E => confirmed_service_error(cx, rd, root),
        0xE0 => general_block_transfer(cx, rd, root),
        0x05 | 0x06 | 0x16 => sn_request(cx, rd, root, t),
        0x0C | 0x0D => sn_response(cx, rd, root, t),
        0x18 => information_report(cx, rd, root),
        0xD9 | 0xDA => access(cx, rd, root, t),
        _ => {
            let m = msg!(
                "0x{:02X} is not a known xDLMS or ACSE APDU tag",
                "0x{:02X} 不是已知的 xDLMS 或 ACSE APDU 标签",
                t
            );
            cx.diag(Severity::Warning, Span::at(start, 1), "dlms.apdu.tag.unknown", m);
            None
        }
    };
    cx.set(root).span(rd.since(start));
    root
}

// After the macros above, which the services use.
mod initiate;
mod services;
