//! The data field of each function, both editions, and its fields (data
//! identifiers, passwords, operator, baud rate, times, error word).

use super::*;

pub(super) fn data_node(ctx: &mut Ctx, root: NodeRef, c: ControlCode, data: &[u8], at: usize, complete: bool) {
    let node = ctx.node(root, "dlt645.data", at, data.len(), NodeKind::Data);
    if !data.is_empty() {
        let v = ctx.hex(at, data.len(), true, false);
        ctx.set(node).value(v).text(crate::msg!("data with 0x33 removed", "数据域（已减 0x33）"));
    }
    let mut cur = Cursor::new(data, at);
    let reply = c.direction() == Direction::SlaveToMaster;
    if frame::function_names(ctx.variant, c.function()).is_none() {
        let (bytes, at) = cur.rest_at();
        raw(ctx, node, bytes, at);
    } else if reply && c.is_abnormal() {
        error_word(ctx, node, &mut cur);
    } else {
        match ctx.variant {
            Variant::V2007 => data_2007(ctx, node, &mut cur, c.function(), reply, complete),
            Variant::V1997 => data_1997(ctx, node, &mut cur, c.function(), reply, complete),
        }
    }
    leftover(ctx, node, &mut cur, complete);
}

/// Bytes no rule of the function explains.
pub(super) fn leftover(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let (bytes, at) = cur.rest_at();
    if bytes.is_empty() {
        return;
    }
    let n = ctx.node(node, "dlt645.data.extra", at, bytes.len(), NodeKind::Unknown);
    let v = ctx.hex(at, bytes.len(), true, false);
    ctx.set(n).value(v);
    if complete {
        let msg = msg!("{} data byte(s) more than the function defines", "{} 个数据字节超出该功能的定义", bytes.len());
        ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.data.extra", msg);
    }
}

/// A field the function needs but the data lacks.
pub(super) fn missing(ctx: &mut Ctx, cur: &mut Cursor, what: &'static (&'static str, &'static str), complete: bool) {
    if !complete {
        return;
    }
    let at = cur.at();
    let msg = Msg::Concat(Box::new([crate::msg!("the data ends before the ", "数据域不完整，缺少 "), Msg::Bi(what)]));
    ctx.diag(Severity::Warning, ctx.span(at, cur.left()), "dlt645.data.short", msg);
}

pub(super) fn data_2007(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
    use function::*;
    match (f, reply) {
        (READ, false) => {
            di_2007(ctx, node, cur, complete);
            if let Some((_, at)) = cur.take_at(1) {
                let n = ctx.node(node, "dlt645.data.count", at, 1, NodeKind::Data);
                let v = ctx.hex(at, 1, false, true);
                ctx.set(n).value(v);
            }
            if cur.left() > 0 {
                time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmm");
            }
        }
        (READ, true) | (WRITE, false) | (SECURITY, _) => {
            let info = di_2007(ctx, node, cur, complete);
            if f == WRITE {
                password(ctx, node, cur, "dlt645.data.password", complete);
                operator(ctx, node, cur, complete);
            }
            let (bytes, at) = cur.rest_at();
            if f == SECURITY {
                raw(ctx, node, bytes, at);
            } else {
                values(ctx, node, info.as_ref(), bytes, at, complete);
            }
        }
        (READ_FOLLOW_UP, false) => {
            di_2007(ctx, node, cur, complete);
            seq(ctx, node, cur, complete);
        }
        (READ_FOLLOW_UP, true) => {
            let info = di_2007(ctx, node, cur, complete);
            let n = cur.left();
            if n > 0 {
                let (body, at) = cur.take_at(n - 1).unwrap_or_default();
                values(ctx, node, info.as_ref(), body, at, false);
            }
            seq(ctx, node, cur, complete);
        }
        (READ_ADDRESS, true) | (WRITE_ADDRESS, false) => match cur.take_at(6) {
            Some((b, at)) => address_node(ctx, node, "dlt645.data.address", b, at),
            None => missing(ctx, cur, &("address", "通信地址"), complete),
        },
        (BROADCAST_TIME, false) => time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmmss"),
        (FREEZE, false) => freeze_time(ctx, node, cur, complete),
        (CHANGE_BAUD, _) => baud(ctx, node, cur, complete),
        (CHANGE_PASSWORD, false) => {
            di_2007(ctx, node, cur, complete);
            password(ctx, node, cur, "dlt645.data.old_password", complete);
            password(ctx, node, cur, "dlt645.data.new_password", complete);
        }
        (CHANGE_PASSWORD, true) => password(ctx, node, cur, "dlt645.data.new_password", complete),
        (CLEAR_DEMAND | CLEAR_METER | CLEAR_EVENTS | REMOTE_CONTROL, false) => {
            password(ctx, node, cur, "dlt645.data.password", complete);
            operator(ctx, node, cur, complete);
            if f == CLEAR_EVENTS {
                event_di(ctx, node, cur, complete);
            } else if f == REMOTE_CONTROL {
                remote_control(ctx, node, cur, complete);
            }
        }
        _ => {}
    }
}

pub(super) fn data_1997(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, f: u8, reply: bool, complete: bool) {
    use function::*;
    match (f, reply) {
        (READ_1997 | READ_FOLLOW_UP_1997, false) => {
            di_1997(ctx, node, cur, complete);
        }
        (READ_1997 | READ_FOLLOW_UP_1997, true) | (WRITE_1997, false) => {
            let info = di_1997(ctx, node, cur, complete);
            if f == WRITE_1997 {
                password(ctx, node, cur, "dlt645.data.password", complete);
            }
            let (bytes, at) = cur.rest_at();
            values(ctx, node, info.as_ref(), bytes, at, complete);
        }
        (BROADCAST_TIME, false) => time_field(ctx, node, cur, "dlt645.data.time", "YYMMDDhhmmss"),
        (WRITE_ADDRESS_1997, false) => match cur.take_at(6) {
            Some((b, at)) => address_node(ctx, node, "dlt645.data.address", b, at),
            None => missing(ctx, cur, &("address", "通信地址"), complete),
        },
        (CHANGE_BAUD_1997, _) => baud(ctx, node, cur, complete),
        (CHANGE_PASSWORD_1997, false) => {
            password(ctx, node, cur, "dlt645.data.old_password", complete);
            password(ctx, node, cur, "dlt645.data.new_password", complete);
        }
        (CHANGE_PASSWORD_1997, true) => password(ctx, node, cur, "dlt645.data.new_password", complete),
        (CLEAR_DEMAND_1997, false) if cur.left() >= 4 => password(ctx, node, cur, "dlt645.data.password", complete),
        _ => {}
    }
}

/// The 4-byte identifier of DL/T 645-2007, looked up in the dictionary.
pub(super) fn di_2007(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take_at(4) else {
        missing(ctx, cur, &("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let info = dictionary::layout(di);
    di_node(ctx, node, di, info.is_some(), at, 4);
    info
}

/// The 2-byte identifier of DL/T 645-1997.
pub(super) fn di_1997(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) -> Option<DiInfo> {
    let Some((b, at)) = cur.take_at(2) else {
        missing(ctx, cur, &("data identifier", "数据标识"), complete);
        return None;
    };
    let di = u16::from_le_bytes([b[0], b[1]]);
    let info = dictionary::layout_1997(di);
    di_node(ctx, node, u32::from(di), info.is_some(), at, 2);
    info
}

/// The identifier's node; `known`: the dictionary has it.
pub(super) fn di_node(ctx: &mut Ctx, node: NodeRef, di: u32, known: bool, at: usize, len: usize) {
    let n = ctx.node(node, "dlt645.data.di", at, len, NodeKind::Data);
    let canonical = ctx.hex(at, len, false, true);
    let variant = if len == 4 { Variant::V2007 } else { Variant::V1997 };
    if known {
        let code = pack(variant, di, 0);
        ctx.summarise_di(code);
        ctx.set(n).value(canonical).text(Msg::Code(di_text, code));
    } else {
        ctx.set(n).value(canonical.clone()).text(crate::msg!("not in the dictionary", "字典中没有此数据标识"));
        ctx.summarise(canonical.clone());
        let msg = Msg::Concat(Box::new([
            crate::msg!("data identifier ", "数据标识 "),
            canonical,
            crate::msg!(" is not in the dictionary", " 不在字典中"),
        ]));
        ctx.diag(Severity::Warning, ctx.span(at, len), "dlt645.di.unknown", msg);
    }
}

/// The identifier of the events to clear (1B): `FFFFFFFF` all, else a type with DI0 = FF.
pub(super) fn event_di(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, &("data identifier", "数据标识"), complete);
    };
    let di = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let n = ctx.node(node, "dlt645.data.di", at, 4, NodeKind::Data);
    let v = ctx.hex(at, 4, false, true);
    ctx.set(n).value(v).text(Msg::Code(event_text, u64::from(di)));
}

pub(super) fn seq(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(1) {
        Some((b, at)) => {
            let n = ctx.node(node, "dlt645.data.seq", at, 1, NodeKind::Data);
            ctx.set(n).value(Msg::Uint(b[0].into()));
        }
        None => missing(ctx, cur, &("frame sequence number", "帧序号"), complete),
    }
}

pub(super) fn password(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, id: &'static str, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, &("password", "密码"), complete);
    };
    let code = ctx.hex(at + 1, 3, false, true);
    let text = msg!("level {:02X}, password {}", "权限 {:02X}, 密码 {}", b[0], code.clone());
    let n = ctx.node(node, id, at, 4, NodeKind::Data);
    ctx.set(n).text(text);
    let level = ctx.node(n, "dlt645.data.password.level", at, 1, NodeKind::Data);
    let v = ctx.hex(at, 1, false, false);
    ctx.set(level).value(v);
    let c = ctx.node(n, "dlt645.data.password.code", at + 1, 3, NodeKind::Data);
    ctx.set(c).value(code);
}

pub(super) fn operator(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(4) {
        Some((_, at)) => {
            let n = ctx.node(node, "dlt645.data.operator", at, 4, NodeKind::Data);
            let v = ctx.hex(at, 4, false, true);
            ctx.set(n).value(v);
        }
        None => missing(ctx, cur, &("operator code", "操作者代码"), complete),
    }
}

pub(super) fn baud(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    match cur.take_at(1) {
        Some((b, at)) => {
            let d = value::decode_value(&Format::BAUD, b, ctx.derived(at));
            let n = ctx.node(node, "dlt645.data.baud", at, 1, NodeKind::Data);
            ctx.set(n).value(d.value).text(d.text);
        }
        None => missing(ctx, cur, &("rate feature word", "通信速率特征字"), complete),
    }
}

/// A date and time field decoded by `pattern` (the rest of the data, up to its length).
pub(super) fn time_field(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, id: &'static str, pattern: &'static str) {
    let f = Format::time(pattern);
    let n = usize::from(f.len).min(cur.left());
    if n == 0 {
        return missing(ctx, cur, &("time", "时间"), true);
    }
    let Some((b, at)) = cur.take_at(n) else { return };
    if n < usize::from(f.len) {
        let x = ctx.node(node, id, at, n, NodeKind::Data);
        let v = ctx.hex(at, n, true, false);
        ctx.set(x).value(v);
        return missing(ctx, cur, &("time", "时间"), true);
    }
    value_node(ctx, node, Id::Static(id), Msg::Label, &f, b, at);
}

/// The freeze time mmhhDDMM with `99` wildcards (clause 7, freeze command).
pub(super) fn freeze_time(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(4) else {
        return missing(ctx, cur, &("freeze time", "冻结时间"), complete);
    };
    let value = msg!("{:02X}-{:02X} {:02X}:{:02X}", "{:02X}-{:02X} {:02X}:{:02X}", b[3], b[2], b[1], b[0]);
    let text = match (b[3], b[2], b[1], b[0]) {
        (0x99, 0x99, 0x99, 0x99) => crate::msg!("freeze now (instantaneous)", "瞬时冻结"),
        (0x99, 0x99, 0x99, _) => msg!("hourly freeze at minute {:02X}", "每小时冻结，分钟 {:02X}", b[0]),
        (0x99, 0x99, ..) => msg!("daily freeze at {:02X}:{:02X}", "每日冻结，时间 {:02X}:{:02X}", b[1], b[0]),
        (0x99, ..) => {
            msg!("monthly freeze on day {:02X} {:02X}:{:02X}", "每月冻结，日 {:02X} {:02X}:{:02X}", b[2], b[1], b[0])
        }
        _ => Msg::Concat(Box::new([crate::msg!("freeze at ", "定时冻结于 "), value.clone()])),
    };
    let n = ctx.node(node, "dlt645.data.freeze_time", at, 4, NodeKind::Data);
    ctx.set(n).value(value).text(text);
    let fields = [(b[0], 59, "minute"), (b[1], 23, "hour"), (b[2], 31, "day"), (b[3], 12, "month")];
    for (i, (byte, max, name)) in fields.into_iter().enumerate() {
        let ok = byte == 0x99
            || (byte >> 4) <= 9 && (byte & 0x0F) <= 9 && {
                let v = (byte >> 4) * 10 + (byte & 0x0F);
                v <= max && (i < 2 || v >= 1)
            };
        if !ok {
            let msg = msg!("impossible freeze time, {}: {:02X}", "冻结时间不合理， {}: {:02X}", name, byte);
            ctx.diag(Severity::Warning, ctx.span(at + i, 1), "dlt645.date.invalid", msg);
        }
    }
}

/// Remote control N1 (command), N2 (reserved), N3..N8 (valid until).
pub(super) fn remote_control(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor, complete: bool) {
    let Some((b, at)) = cur.take_at(1) else {
        return missing(ctx, cur, &("control command", "控制命令"), complete);
    };
    let text = match b[0] {
        0x1A => crate::msg!("trip", "跳闸"),
        0x1B => crate::msg!("close allowed", "合闸允许"),
        0x2A => crate::msg!("alarm", "报警"),
        0x2B => crate::msg!("alarm release", "报警解除"),
        0x3A => crate::msg!("keep power", "保电"),
        0x3B => crate::msg!("keep power release", "保电解除"),
        _ => crate::msg!("unknown command", "未知控制命令"),
    };
    let n = ctx.node(node, "dlt645.data.control_type", at, 1, NodeKind::Data);
    let v = ctx.hex(at, 1, false, false);
    ctx.set(n).value(v).text(text);
    if let Some((_, at)) = cur.take_at(1) {
        let r = ctx.node(node, "dlt645.data.reserved", at, 1, NodeKind::Data);
        let v = ctx.hex(at, 1, false, false);
        ctx.set(r).value(v);
    }
    time_field(ctx, node, cur, "dlt645.data.valid_until", "YYMMDDhhmmss");
}

/// The error information word ERR of an abnormal reply (Appendix C).
pub(super) fn error_word(ctx: &mut Ctx, node: NodeRef, cur: &mut Cursor) {
    let Some((b, at)) = cur.take_at(1) else {
        return missing(ctx, cur, &("error information word", "错误信息字"), true);
    };
    let err = b[0];
    let names = error_bits(ctx.variant);
    let n = ctx.node(node, "dlt645.data.err", at, 1, NodeKind::Data);
    ctx.set(n).value(Msg::HexNum { value: u64::from(err), digits: 2 });
    let mut set = Vec::new();
    for (bit, words) in names.iter().enumerate() {
        if err & (1 << bit) != 0 {
            if !set.is_empty() {
                set.push(Msg::Str(", "));
            }
            set.push(Msg::Bi(words));
            let label = msg!("bit {}: {}", "位{}：{}", bit, Msg::Bi(words));
            let span = ctx.span(at, 1);
            ctx.f
                .add(n, Id::Indexed("dlt645.data.err.bit", bit as u32), span, NodeKind::Data)
                .label(label)
                .value(Msg::Str("1"))
                .text(Msg::Bi(words));
        }
    }
    let text = if set.is_empty() {
        crate::msg!("no error bit set", "未置错误位")
    } else {
        Msg::Concat(set.into_boxed_slice())
    };
    ctx.summarise(text.clone());
    ctx.set(n).text(text);
}

/// ERR bit names, bit 0 first. DL/T 645-2007: other error, no requested data,
/// password error/unauthorised, rate cannot be changed, annual time zones,
/// daily slots, tariffs exceeded. DL/T 645-1997: illegal data, wrong data
/// identifier, password error, (reserved), time zones, slots, tariffs exceeded.
pub fn error_bits(variant: Variant) -> &'static [(&'static str, &'static str); 8] {
    static V2007: [(&str, &str); 8] = [
        ("other error", "其他错误"),
        ("no requested data", "无请求数据"),
        ("password error / unauthorised", "密码错/未授权"),
        ("communication rate cannot be changed", "通信速率不能更改"),
        ("annual time zones exceeded", "年时区数超"),
        ("daily time slots exceeded", "日时段数超"),
        ("tariff count exceeded", "费率数超"),
        ("reserved", "保留"),
    ];
    static V1997: [(&str, &str); 8] = [
        ("illegal data", "非法数据"),
        ("wrong data identifier", "数据标识错"),
        ("password error", "密码错"),
        ("reserved", "保留"),
        ("annual time zones exceeded", "年时区数超"),
        ("daily time slots exceeded", "日时段数超"),
        ("tariff count exceeded", "费率数超"),
        ("reserved", "保留"),
    ];
    match variant {
        Variant::V2007 => &V2007,
        Variant::V1997 => &V1997,
    }
}

pub(super) fn raw(ctx: &mut Ctx, node: NodeRef, bytes: &[u8], at: usize) {
    if !bytes.is_empty() {
        let n = ctx.node(node, "dlt645.data.raw", at, bytes.len(), NodeKind::Data);
        let v = ctx.hex(at, bytes.len(), true, false);
        ctx.set(n).value(v);
    }
}
