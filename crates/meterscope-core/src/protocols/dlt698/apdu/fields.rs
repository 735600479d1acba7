//! The fields services share: PIID, numbers and enumerations, OPTIONAL, results
//! normal and record, DAR, connection parameters, FollowReport and TimeTag.

use super::*;

/// PIID (client) or PIID-ACD (server): priority bit 7, ACD bit 6, sequence 5..0.
pub(super) fn piid(d: &mut Dec, root: NodeRef, svc: &Svc, acd: bool) {
    let (n, b) = d.byte(root, svc.piid, NodeKind::Control);
    let Some(b) = b else { return };
    let span = d.span_from(d.pos() - 1);
    let prio = if b & 0x80 != 0 {
        crate::msg!("high priority", "高优先级")
    } else {
        crate::msg!("normal priority", "一般优先级")
    };
    let id = d.id("dlt698.piid.priority");
    let p = d.node_at(n, id, span, NodeKind::Data);
    d.set_value(p, Msg::Uint(u64::from(b >> 7)));
    d.set_text(p, prio);
    if acd {
        let id = d.id("dlt698.piid.acd");
        let a = d.node_at(n, id, span, NodeKind::Data);
        d.set_value(a, Msg::Uint(u64::from((b >> 6) & 1)));
    }
    let id = d.id("dlt698.piid.seq");
    let q = d.node_at(n, id, span, NodeKind::Data);
    d.set_value(q, Msg::Uint(u64::from(b & 0x3F)));
    d.set_text(n, Msg::Code(text::piid, u64::from(acd) << 8 | u64::from(b)));
}

/// An unsigned big-endian number of `n` bytes.
pub(super) fn uint(d: &mut Dec, parent: NodeRef, id: &'static str, n: usize) -> (NodeRef, Option<u64>) {
    let s = d.pos();
    let b = d.take(n);
    let node = d.node(parent, id, s);
    let v = b.map(|b| b.iter().fold(0u64, |a, &x| (a << 8) | x as u64));
    if let Some(v) = v {
        d.set_value(node, Msg::Uint(v));
    }
    (node, v)
}

/// An enumerated byte with named values.
pub(super) fn enum_field(
    d: &mut Dec,
    parent: NodeRef,
    id: &'static str,
    names: &'static [(u8, &'static str, &'static str)],
) {
    let at = d.abs();
    let (n, v) = d.byte(parent, id, NodeKind::Data);
    match v.map(|v| (v, names.iter().find(|e| e.0 == v))) {
        Some((_, Some(row))) => {
            d.set_text(n, Msg::Bi(row));
        }
        Some((v, None)) => {
            let m = msg!("{} is not a value the standard defines here", "{} 不是标准在此定义的值", v);
            let span = Span::at(at, 1);
            d.diag(Severity::Error, span, "dlt698.apdu.undefined", m);
        }
        None => {}
    }
}

/// An OPTIONAL flag byte; true when the value follows.
pub(super) fn optional(d: &mut Dec, parent: NodeRef, id: &'static str) -> bool {
    let at = d.pos();
    let (n, v) = d.byte(parent, id, NodeKind::Control);
    match v {
        Some(0) => {
            d.set_text(n, crate::msg!("absent", "无"));
            false
        }
        Some(1) => {
            d.set_text(n, crate::msg!("present", "有"));
            true
        }
        Some(_) => {
            let m = msg!("an OPTIONAL flag is 0 or 1", "OPTIONAL 标志应为 0 或 1");
            d.fail_at(at, "dlt698.apdu.bad-optional", m);
            false
        }
        None => false,
    }
}

/// SEQUENCE OF: count, then items.
pub(super) fn seq(d: &mut Dec, parent: NodeRef, mut item: impl FnMut(&mut Dec, NodeRef)) {
    let (_, n) = d.count(parent, "dlt698.apdu.count");
    d.items(parent, n.unwrap_or(0), |d, p, _| item(d, p));
}

pub(super) fn hint_of(oad: Option<(u16, u8, u8)>) -> Option<Hint> {
    oad.and_then(|(oi, attr, _)| dictionary::hint(oi, attr))
}

/// The Data value of attribute `oad`: numbers scaled with the dictionary's
/// scaler and unit; the report switches of the electrical device (4300
/// attributes 7, 8, 9) and its report channels (attribute 10) named.
pub(super) fn attribute_data(d: &mut Dec, parent: NodeRef, oad: Option<(u16, u8, u8)>) -> NodeRef {
    let (n, data_tag) = d.data_tagged(parent, hint_of(oad));
    let Some((oi, attr, index)) = oad else { return n };
    if data_tag == Some(tag::BOOL) {
        let on = matches!(d.value_of(n), Msg::Str("true"));
        if let Some(words) = dictionary::switch_texts(oi, attr, on) {
            d.set_text(n, Msg::Bi(words));
        }
    } else if dictionary::is_report_channels(oi, attr) && index == 0 && data_tag == Some(tag::ARRAY) {
        // Elements whose value reads as an OAD (eight hex digits).
        let channels: Vec<u32> = d
            .children(n)
            .map(|c| d.value_text(c))
            .filter(|v| v.len() == 8)
            .filter_map(|v| u32::from_str_radix(&v, 16).ok())
            .collect();
        let mut parts = vec![crate::msg!("report channels", "上报通道"), Msg::Str(": ")];
        if channels.is_empty() {
            parts.push(crate::msg!("none", "无"));
        }
        for (i, o) in channels.into_iter().enumerate() {
            if i > 0 {
                parts.push(crate::msg!(", ", "、"));
            }
            parts.push(Msg::Code(text::channel, o.into()));
        }
        d.set_text(n, Msg::Concat(parts.into_boxed_slice()));
    }
    n
}

/// A DAR (data access result).
pub(super) fn dar(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, v) = d.byte(parent, "dlt698.apdu.dar", NodeKind::Data);
    if let Some(v) = v.filter(|&v| dictionary::dar_names(v).is_some()) {
        d.set_text(n, Msg::Code(text::dar, v.into()));
    }
    n
}

/// An item that starts with an OAD read at `s`: its value is the OAD and its
/// text the OAD's.
pub(super) fn name_by_oad(d: &mut Dec, n: NodeRef, s: usize, oad: NodeRef, v: Option<(u16, u8, u8)>) {
    if v.is_some() {
        let hex = d.hex(s, 4);
        d.set_value(n, hex);
    }
    let text = d.text_of(oad);
    if !text.is_none() {
        d.set_text(n, text);
    }
}

/// A-ResultNormal: OAD and Get-Result (DAR [0] or Data [1]).
pub(super) fn result_normal(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, s) = d.open(parent, "dlt698.apdu.result");
    let (o, v) = d.oad(n, "dlt698.apdu.result.oad");
    get_result(d, n, v);
    d.close(n, s);
    name_by_oad(d, n, s, o, v);
    n
}

pub(super) fn get_result(d: &mut Dec, n: NodeRef, oad: Option<(u16, u8, u8)>) {
    let (c, k) = d.byte(n, "dlt698.apdu.result.choice", NodeKind::Control);
    let text = match k {
        Some(0) => crate::msg!("error (DAR)", "错误信息 DAR"),
        Some(1) => crate::msg!("data", "数据"),
        _ => Msg::Str(""),
    };
    d.set_text(c, text);
    match k {
        Some(0) => {
            dar(d, n);
        }
        Some(1) => {
            attribute_data(d, n, oad);
        }
        Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
        None => {}
    }
}

/// GetRecord: OAD, RSD, RCSD.
pub(super) fn get_record(d: &mut Dec, n: NodeRef) {
    d.oad(n, GET.oad);
    d.rsd(n, "dlt698.data.rsd");
    d.rcsd(n, "dlt698.data.rcsd");
}

/// A-ResultRecord: OAD, RCSD, then DAR [0] or rows of one Data per column [1].
pub(super) fn result_record(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, s) = d.open(parent, "dlt698.apdu.record");
    let (o, v) = d.oad(n, "dlt698.apdu.result.oad");
    let (_, cols) = d.rcsd(n, "dlt698.data.rcsd");
    let (_, k) = d.byte(n, "dlt698.apdu.result.choice", NodeKind::Control);
    match k {
        Some(0) => {
            dar(d, n);
        }
        Some(1) => {
            let (_, rows) = d.count(n, "dlt698.apdu.record.rows");
            if cols.is_empty() && rows.unwrap_or(0) > 0 {
                let at = d.pos();
                d.fail_at(at, "dlt698.apdu.bad-record", msg!("record rows without columns", "记录行没有列"));
            }
            d.items(n, rows.unwrap_or(0), |d, p, _| row(d, p, &cols));
        }
        Some(_) => bad_choice(d, msg!("unknown record choice", "未知的记录响应选择")),
        None => {}
    }
    d.close(n, s);
    name_by_oad(d, n, s, o, v);
    n
}

pub(super) fn row(d: &mut Dec, parent: NodeRef, cols: &[Column]) {
    let (n, s) = d.open(parent, "dlt698.apdu.record.row");
    for c in cols {
        if d.failed {
            break;
        }
        let hint = if c.road { None } else { dictionary::hint(c.oi, c.attr) };
        let v = d.data(n, hint);
        d.prepend(v, Msg::Code(text::hex8, c.oad().into()), ": ");
    }
    d.close(n, s);
}

/// An item of OAD and Data.
pub(super) fn oad_data(d: &mut Dec, parent: NodeRef, id: &'static str) -> NodeRef {
    let (n, s) = d.open(parent, id);
    let (o, v) = d.oad(n, "dlt698.apdu.item.oad");
    attribute_data(d, n, v);
    d.close(n, s);
    let text = d.text_of(o);
    if !text.is_none() {
        d.set_text(n, text);
    }
    n
}

/// An item of OAD and DAR.
pub(super) fn oad_dar(d: &mut Dec, parent: NodeRef, id: &'static str) -> NodeRef {
    let (n, s) = d.open(parent, id);
    d.oad(n, "dlt698.apdu.item.oad");
    dar(d, n);
    d.close(n, s);
    n
}

/// OMD, DAR, Data OPTIONAL.
pub(super) fn action_result(d: &mut Dec, n: NodeRef) {
    d.omd(n, "dlt698.apdu.action.omd");
    dar(d, n);
    if optional(d, n, "dlt698.apdu.action.return") {
        d.data(n, None);
    }
}

/// Negotiated parameters shared by CONNECT-Request and CONNECT-Response.
pub(super) fn connect_params(d: &mut Dec, root: NodeRef) {
    uint(d, root, "dlt698.apdu.connect.version", 2);
    d.raw(root, "dlt698.apdu.connect.protocol-conformance", 8);
    d.raw(root, "dlt698.apdu.connect.function-conformance", 16);
    uint(d, root, "dlt698.apdu.connect.send-max", 2);
    uint(d, root, "dlt698.apdu.connect.receive-max", 2);
    uint(d, root, "dlt698.apdu.connect.window", 1);
    uint(d, root, "dlt698.apdu.connect.apdu-max", 2);
    let (n, _) = uint(d, root, "dlt698.apdu.connect.timeout", 4);
    d.set_unit(n, Msg::Str("s"));
}

/// FollowReport OPTIONAL: SEQUENCE OF A-ResultNormal [1] or A-ResultRecord [2].
pub(super) fn follow_report(d: &mut Dec, root: NodeRef) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let (n, s) = d.open(root, "dlt698.apdu.follow-report");
    if optional(d, n, "dlt698.apdu.follow-report.flag") {
        let (_, k) = d.byte(n, "dlt698.apdu.follow-report.choice", NodeKind::Control);
        match k {
            Some(1) => seq(d, n, |d, p| {
                result_normal(d, p);
            }),
            Some(2) => seq(d, n, |d, p| {
                result_record(d, p);
            }),
            Some(_) => bad_choice(d, msg!("unknown follow report", "未知的跟随上报信息")),
            None => {}
        }
    }
    d.close(n, s);
}

/// TimeTag OPTIONAL: send time (date_time_s) and allowed delay (TI).
pub(super) fn time_tag(d: &mut Dec, root: NodeRef) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let (n, s) = d.open(root, "dlt698.apdu.time-tag");
    if optional(d, n, "dlt698.apdu.time-tag.flag") {
        d.date_time(n, "dlt698.apdu.time-tag.send-time", 7);
        d.ti(n, "dlt698.apdu.time-tag.delay");
    }
    d.close(n, s);
}

pub(super) fn missing_optional(d: &mut Dec) {
    let at = d.abs();
    let m =
        msg!("the APDU ends where an OPTIONAL field's flag byte is expected", "APDU 在应有 OPTIONAL 标志字节处结束");
    d.diag(Severity::Warning, Span::at(at, 0), "dlt698.apdu.optional-missing", m);
}
