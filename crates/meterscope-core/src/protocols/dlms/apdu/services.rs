//! The xDLMS services: GET, SET and ACTION requests and responses, event and
//! data notifications, exceptions, confirmed service errors, general block
//! transfer and the short-name services.

use super::*;

/// The variant byte of GET/SET/ACTION, named.
/// Variants of a service: the variant's name and the service's with it (`get-request-normal`).
type Variants = [(&'static str, &'static str)];

macro_rules! variants {
    ($service:literal: $($v:literal),+ $(,)?) => {
        &[$(($v, concat!($service, "-", $v))),+]
    };
}

pub(super) fn choice(cx: &mut Cx, rd: &mut Rd, root: NodeRef, names: &Variants) -> Option<u8> {
    let (n, c) = byte(cx, rd, root, "dlms.apdu.choice", NodeKind::Control)?;
    let name = names.get((c as usize).wrapping_sub(1)).copied();
    match name {
        Some((v, full)) => {
            cx.set(n).text(Msg::Str(v));
            cx.set(root).value(Msg::Str(full));
            Some(c)
        }
        None => {
            let span = cx.span_of(n);
            cx.error(span, "dlms.apdu.choice.unknown", &("this service variant is not defined", "该服务类型未定义"));
            None
        }
    }
}

pub(super) fn get_request(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &GET;
    let c = choice(cx, rd, root, variants!("get-request": "normal", "next", "with-list"))?;
    invoke(cx, rd, root)?;
    match c {
        1 => {
            descriptor(cx, rd, root, &svc.descriptor, None, false)?;
            selection(cx, rd, root, svc, None, true)?;
        }
        2 => {
            u32_field(cx, rd, root, svc.block_number)?;
        }
        _ => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                descriptor(cx, rd, root, &svc.descriptor, Some(i), false)?;
                selection(cx, rd, root, svc, Some(i), true)?;
            }
        }
    }
    Some(())
}

pub(super) fn get_response(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &GET;
    let c = choice(cx, rd, root, variants!("get-response": "normal", "with-datablock", "with-list"))?;
    invoke(cx, rd, root)?;
    match c {
        1 => get_data_result(cx, rd, root, svc, None)?,
        2 => datablock(cx, rd, root, svc, true)?,
        _ => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                get_data_result(cx, rd, root, svc, Some(i))?;
            }
        }
    }
    Some(())
}

/// A tagged Data value as one field (taken back when it cannot be read).
pub(super) fn value(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: Id) -> Option<()> {
    cx.atomic(parent, |cx| axdr::data(cx, parent, rd, id).map(|_| ()))
}

pub(super) fn set_request(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &SET;
    let names = variants!("set-request": "normal", "with-first-datablock", "with-datablock", "with-list", "with-list-and-first-datablock");
    let c = choice(cx, rd, root, names)?;
    invoke(cx, rd, root)?;
    match c {
        1 | 2 => {
            descriptor(cx, rd, root, &svc.descriptor, None, false)?;
            selection(cx, rd, root, svc, None, true)?;
            if c == 1 {
                value(cx, rd, root, Id::Static(svc.value))?;
            } else {
                datablock(cx, rd, root, svc, false)?;
            }
        }
        3 => datablock(cx, rd, root, svc, false)?,
        _ => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                descriptor(cx, rd, root, &svc.descriptor, Some(i), false)?;
                selection(cx, rd, root, svc, Some(i), true)?;
            }
            if c == 4 {
                let m = count(cx, rd, root, Id::Indexed(svc.count, n as u32 + 1))?;
                for i in 0..m as u32 {
                    value(cx, rd, root, Id::Indexed(svc.value, i))?;
                }
            } else {
                datablock(cx, rd, root, svc, false)?;
            }
        }
    }
    Some(())
}

pub(super) fn result_enum(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: Id) -> Option<()> {
    let (n, v) = byte(cx, rd, parent, id, NodeKind::Data)?;
    cx.set(n).text(access_result(v));
    Some(())
}

pub(super) fn set_response(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &SET;
    let names =
        variants!("set-response": "normal", "datablock", "last-datablock", "last-datablock-with-list", "with-list");
    let c = choice(cx, rd, root, names)?;
    invoke(cx, rd, root)?;
    match c {
        1 => result_enum(cx, rd, root, Id::Static(svc.result))?,
        2 => {
            u32_field(cx, rd, root, svc.block_number)?;
        }
        3 => {
            result_enum(cx, rd, root, Id::Static(svc.result))?;
            u32_field(cx, rd, root, svc.block_number)?;
        }
        _ => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                result_enum(cx, rd, root, Id::Indexed(svc.result, i))?;
            }
            if c == 4 {
                u32_field(cx, rd, root, svc.block_number)?;
            }
        }
    }
    Some(())
}

pub(super) fn action_request(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &ACTION;
    let names = variants!("action-request": "normal", "next-pblock", "with-list", "with-first-pblock", "with-list-and-first-pblock", "with-pblock");
    let c = choice(cx, rd, root, names)?;
    invoke(cx, rd, root)?;
    match c {
        1 => {
            descriptor(cx, rd, root, &svc.descriptor, None, true)?;
            let (_, present) = byte(cx, rd, root, svc.parameters_flag, NodeKind::Control)?;
            if present != 0 {
                value(cx, rd, root, Id::Static(svc.parameters))?;
            }
        }
        2 => {
            u32_field(cx, rd, root, svc.block_number)?;
        }
        3 | 5 => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                descriptor(cx, rd, root, &svc.descriptor, Some(i), true)?;
            }
            if c == 3 {
                let m = count(cx, rd, root, Id::Indexed(svc.count, n as u32 + 1))?;
                for i in 0..m as u32 {
                    value(cx, rd, root, Id::Indexed(svc.parameters, i))?;
                }
            } else {
                datablock(cx, rd, root, svc, false)?;
            }
        }
        4 => {
            descriptor(cx, rd, root, &svc.descriptor, None, true)?;
            datablock(cx, rd, root, svc, false)?;
        }
        _ => datablock(cx, rd, root, svc, false)?,
    }
    Some(())
}

/// Action-Response-With-Optional-Data.
pub(super) fn action_result(cx: &mut Cx, rd: &mut Rd, root: NodeRef, i: Option<u32>) -> Option<()> {
    let svc = &ACTION;
    result_enum(cx, rd, root, idx(svc.result, i))?;
    let (_, present) = byte(cx, rd, root, idx(svc.return_flag, i), NodeKind::Control)?;
    if present != 0 {
        cx.atomic(root, |cx| {
            let start = rd.at();
            let r = cx.add(root, idx(svc.ret, i), Span::at(start, 0)).index();
            get_data_result(cx, rd, r, &GET, i)?;
            cx.set(r).span(rd.since(start));
            Some(())
        })?;
    }
    Some(())
}

pub(super) fn action_response(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &ACTION;
    let c = choice(cx, rd, root, variants!("action-response": "normal", "with-pblock", "with-list", "next-pblock"))?;
    invoke(cx, rd, root)?;
    match c {
        1 => action_result(cx, rd, root, None)?,
        2 => datablock(cx, rd, root, svc, false)?,
        3 => {
            let n = count(cx, rd, root, svc.count)?;
            for i in 0..n as u32 {
                action_result(cx, rd, root, Some(i))?;
            }
        }
        _ => {
            u32_field(cx, rd, root, svc.block_number)?;
        }
    }
    Some(())
}

pub(super) fn event_notification(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let svc = &EVENT;
    let (_, present) = byte(cx, rd, root, svc.time_flag, NodeKind::Control)?;
    if present != 0 {
        date_time_octets(cx, rd, root, svc.time)?;
    }
    descriptor(cx, rd, root, &svc.descriptor, None, false)?;
    value(cx, rd, root, Id::Static(svc.value))?;
    Some(())
}

/// An octet-string holding a date-time (or empty), dissected as data.
pub(in crate::protocols::dlms) fn date_time_octets(
    cx: &mut Cx,
    rd: &mut Rd,
    parent: NodeRef,
    id: &'static str,
) -> Option<NodeRef> {
    let start = rd.at();
    let n = need!(cx, rd, rd.peek());
    if n == 0 {
        rd.u8();
        return Some(cx.add(parent, id, rd.since(start)).value(Msg::Str("")).text(crate::msg!("absent", "无")).index());
    }
    // Some vendors send it as tagged data (an octet-string, `09 0C` + 12 bytes).
    if n == axdr::tag::OCTET_STRING && rd.0.remaining().get(1) == Some(&12) {
        let dv = cx.atomic(parent, |cx| axdr::data(cx, parent, rd, id))?;
        cx.set(dv.node).span(rd.since(start)).label(Msg::Label);
        return Some(dv.node);
    }
    // Re-read as an octet-string value through the data dissector (tag 9 implied).
    let save = rd.pos();
    let len = need!(cx, rd, rd.axdr_len());
    rd.seek(save);
    if len != 12 {
        return octets(cx, rd, parent, id).map(|x| x.0);
    }
    let fake = [&[9u8][..], rd.0.remaining()].concat();
    let mut sub = Rd::new(&fake, rd.at() - 1);
    let dv = cx.atomic(parent, |cx| axdr::data(cx, parent, &mut sub, id))?;
    rd.seek(rd.pos() + sub.pos() - 1);
    cx.set(dv.node).span(rd.since(start)).label(Msg::Label);
    Some(dv.node)
}

pub(super) fn data_notification(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    long_invoke(cx, rd, root, "dlms.apdu.long-invoke")?;
    date_time_octets(cx, rd, root, "dlms.apdu.notification.date-time")?;
    value(cx, rd, root, Id::Static("dlms.apdu.notification.body"))?;
    Some(())
}

pub(super) fn exception(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let (s, sv) = byte(cx, rd, root, "dlms.apdu.exception.state-error", NodeKind::Data)?;
    let st = match sv {
        1 => crate::msg!("service-not-allowed", "服务不允许"),
        2 => crate::msg!("service-unknown", "未知服务"),
        _ => Msg::Str("?"),
    };
    cx.set(s).text(st.clone());
    let (e, ev) = byte(cx, rd, root, "dlms.apdu.exception.service-error", NodeKind::Data)?;
    let et = match ev {
        1 => crate::msg!("operation-not-possible", "操作不可能"),
        2 => crate::msg!("service-not-supported", "服务不支持"),
        3 => crate::msg!("other-reason", "其他原因"),
        4 => crate::msg!("pdu-too-long", "PDU 过长"),
        5 => crate::msg!("deciphering-error", "解密错误"),
        6 => crate::msg!("invocation-counter-error", "调用计数器错误"),
        _ => Msg::Str("?"),
    };
    cx.set(e).text(et.clone());
    if ev == 6 {
        u32_field(cx, rd, root, "dlms.apdu.exception.invocation-counter")?;
    }
    cx.set(root).value(msg!("exception-response {}/{}", "exception-response {}/{}", st, et));
    Some(())
}

pub(super) fn confirmed_service_error(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
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
    let (s, sv) = byte(cx, rd, root, "dlms.apdu.error.service", NodeKind::Control)?;
    cx.set(s).text(Msg::Str(services.get((sv as usize).wrapping_sub(1)).copied().unwrap_or("?")));
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
    let (t, tv) = byte(cx, rd, root, "dlms.apdu.error.type", NodeKind::Control)?;
    cx.set(t).text(Msg::Str(types.get(tv as usize).copied().unwrap_or("?")));
    let (v, vv) = byte(cx, rd, root, "dlms.apdu.error.value", NodeKind::Data)?;
    let text = match (tv, vv) {
        (6, 0) => crate::msg!("other", "其他"),
        (6, 1) => crate::msg!("dlms-version-too-low", "DLMS 版本过低"),
        (6, 2) => crate::msg!("incompatible-conformance", "一致性不兼容"),
        (6, 3) => crate::msg!("pdu-size-too-short", "PDU 尺寸过小"),
        (6, 4) => crate::msg!("refused-by-the-VDE-Handler", "被 VDE 处理器拒绝"),
        (5, 1) => crate::msg!("scope-of-access-violated", "越权访问"),
        (5, 2) => crate::msg!("object-access-invalid", "对象访问无效"),
        (5, 3) => crate::msg!("hardware-fault", "硬件故障"),
        (5, 4) => crate::msg!("object-unavailable", "对象不可用"),
        _ => Msg::None,
    };
    cx.set(v).text(text);
    Some(())
}

pub(super) fn general_block_transfer(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let (c, cv) = byte(cx, rd, root, "dlms.apdu.gbt.control", NodeKind::Control)?;
    let text = msg!(
        "last-block {}, streaming {}, window {}",
        "最后块 {}，流式 {}，窗口 {}",
        cv >> 7,
        (cv >> 6) & 1,
        cv & 0x3F
    );
    cx.set(c).value(byte_msg(cv)).text(text);
    u16_field(cx, rd, root, "dlms.apdu.gbt.number")?;
    u16_field(cx, rd, root, "dlms.apdu.gbt.ack")?;
    octets(cx, rd, root, "dlms.apdu.gbt.data")?;
    Some(())
}

/// Variable-Access-Specification of the short-name services.
pub(super) fn variable(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, i: u32) -> Option<()> {
    const V: &str = "dlms.apdu.sn.variable";
    let f = |key: &'static str| Id::inner(key, V.len(), i);
    cx.atomic(parent, |cx| {
        let start = rd.at();
        let node = cx.add(parent, Id::Indexed(V, i), Span::at(start, 0)).index();
        let (k, kv) = byte(cx, rd, node, f("dlms.apdu.sn.variable.kind"), NodeKind::Control)?;
        let kind = match kv {
            2 => "variable-name",
            4 => "parameterized-access",
            5 => "block-number-access",
            6 => "read-data-block-access",
            7 => "write-data-block-access",
            _ => "?",
        };
        cx.set(k).text(Msg::Str(kind));
        match kv {
            2 | 4 => {
                let (n, v) = u16_field(cx, rd, node, f("dlms.apdu.sn.variable.name"))?;
                cx.set(n).value(Msg::HexNum { value: v.into(), digits: 4 });
                cx.set(node).value(Msg::HexNum { value: v.into(), digits: 4 });
                if kv == 4 {
                    byte(cx, rd, node, f("dlms.apdu.sn.variable.selector"), NodeKind::Control)?;
                    axdr::data(cx, node, rd, f("dlms.apdu.sn.variable.parameters"))?;
                }
            }
            5 => {
                u16_field(cx, rd, node, f("dlms.apdu.sn.variable.block-number"))?;
            }
            6 | 7 => {
                let (l, lv) = byte(cx, rd, node, "dlms.apdu.block.last", NodeKind::Control)?;
                cx.set(l).value(bool_msg(lv != 0));
                u16_field(cx, rd, node, f("dlms.apdu.sn.variable.block-number"))?;
                if kv == 6 {
                    octets(cx, rd, node, "dlms.apdu.block.data")?;
                }
            }
            _ => {
                let span = cx.span_of(k);
                cx.error(span, "dlms.apdu.choice.unknown", &("unknown variable access kind", "未知的变量访问类型"));
                return None;
            }
        }
        cx.set(node).text(Msg::Str(kind)).span(rd.since(start));
        Some(())
    })
}

pub(super) fn sn_request(cx: &mut Cx, rd: &mut Rd, root: NodeRef, t: u8) -> Option<()> {
    let n = count(cx, rd, root, "dlms.apdu.sn.count")?;
    for i in 0..n as u32 {
        variable(cx, rd, root, i)?;
    }
    if t != 0x05 {
        let m = count(cx, rd, root, Id::Indexed("dlms.apdu.sn.count", n as u32 + 1))?;
        for i in 0..m as u32 {
            value(cx, rd, root, Id::Indexed("dlms.apdu.sn.data", i))?;
        }
    }
    Some(())
}

pub(super) fn sn_response(cx: &mut Cx, rd: &mut Rd, root: NodeRef, t: u8) -> Option<()> {
    const RESULT: &str = "dlms.apdu.sn.result";
    let n = count(cx, rd, root, "dlms.apdu.sn.count")?;
    for i in 0..n as u32 {
        let (c, cv) = byte(cx, rd, root, Id::Indexed(RESULT, i), NodeKind::Control)?;
        let read = t == 0x0C;
        match (read, cv) {
            (true, 0) => {
                cx.set(c).text(crate::msg!("data", "数据"));
                value(cx, rd, root, Id::Indexed("dlms.apdu.sn.data", i))?;
            }
            (false, 0) => {
                cx.set(c).text(crate::msg!("success", "成功"));
            }
            (_, 1) => {
                cx.set(c).text(crate::msg!("data-access-error", "数据访问错误"));
                result_enum(cx, rd, root, Id::Inner { key: RESULT, at: RESULT.len() as u16, index: i, last: 1 })?;
            }
            (true, 2) => {
                cx.set(c).text(crate::msg!("data-block-result", "数据块结果"));
                let (l, lv) = byte(cx, rd, root, "dlms.apdu.block.last", NodeKind::Control)?;
                cx.set(l).value(bool_msg(lv != 0));
                u16_field(cx, rd, root, "dlms.apdu.block.number")?;
                octets(cx, rd, root, "dlms.apdu.block.data")?;
            }
            (true, 3) | (false, 2) => {
                cx.set(c).text(crate::msg!("block-number", "块序号"));
                u16_field(cx, rd, root, "dlms.apdu.block.number")?;
            }
            _ => {
                let span = cx.span_of(c);
                cx.error(span, "dlms.apdu.choice.unknown", &("unknown result kind", "未知的结果类型"));
                return None;
            }
        }
    }
    Some(())
}

pub(super) fn information_report(cx: &mut Cx, rd: &mut Rd, root: NodeRef) -> Option<()> {
    let (_, present) = byte(cx, rd, root, "dlms.apdu.event.time-flag", NodeKind::Control)?;
    if present != 0 {
        octets(cx, rd, root, "dlms.apdu.event.time")?;
    }
    sn_request(cx, rd, root, 0x18)
}

pub(super) fn access(cx: &mut Cx, rd: &mut Rd, root: NodeRef, t: u8) -> Option<()> {
    long_invoke(cx, rd, root, "dlms.apdu.access.invoke")?;
    date_time_octets(cx, rd, root, "dlms.apdu.access.date-time")?;
    let spec = |cx: &mut Cx, rd: &mut Rd, body: NodeRef| -> Option<()> {
        let n = count(cx, rd, body, "dlms.apdu.get.count")?;
        for i in 0..n as u32 {
            let (c, cv) = byte(cx, rd, body, Id::Indexed("dlms.apdu.choice", i), NodeKind::Control)?;
            let name = match cv {
                1 => "access-request-get",
                2 => "access-request-set",
                3 => "access-request-action",
                4 => "access-request-get-with-selection",
                5 => "access-request-set-with-selection",
                _ => "?",
            };
            cx.set(c).text(Msg::Str(name));
            if !(1..=5).contains(&cv) {
                let span = cx.span_of(c);
                cx.error(span, "dlms.apdu.choice.unknown", &("unknown access request kind", "未知的访问请求类型"));
                return None;
            }
            descriptor(cx, rd, body, &GET.descriptor, Some(i), cv == 3)?;
            if cv >= 4 {
                selection(cx, rd, body, &GET, Some(i), false)?;
            }
        }
        Some(())
    };
    cx.atomic(root, |cx| {
        let start = rd.at();
        let body = cx.add(root, "dlms.apdu.access.body", Span::at(start, 0)).index();
        if t == 0xD9 {
            spec(cx, rd, body)?;
            let n = count(cx, rd, body, "dlms.apdu.set.count")?;
            for i in 0..n as u32 {
                value(cx, rd, body, Id::Indexed("dlms.apdu.get.data", i))?;
            }
        } else {
            let (_, present) = byte(cx, rd, body, "dlms.apdu.get.selection-flag", NodeKind::Control)?;
            if present != 0 {
                spec(cx, rd, body)?;
            }
            let n = count(cx, rd, body, "dlms.apdu.set.count")?;
            for i in 0..n as u32 {
                value(cx, rd, body, Id::Indexed("dlms.apdu.get.data", i))?;
            }
            let n = count(cx, rd, body, "dlms.apdu.action.count")?;
            for i in 0..n as u32 {
                byte(cx, rd, body, Id::Indexed("dlms.apdu.choice", 1000 + i), NodeKind::Control)?;
                result_enum(cx, rd, body, Id::Indexed("dlms.apdu.get.result", i))?;
            }
        }
        cx.set(body).span(rd.since(start));
        Some(())
    })
}
