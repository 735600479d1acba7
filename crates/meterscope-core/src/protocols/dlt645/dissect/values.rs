//! Values: the items of an identifier in their formats, repeated items, and
//! what is left over.

use super::*;

/// The value nodes of an identifier's data.
pub(super) fn values(ctx: &mut Ctx, node: NodeRef, info: Option<&DiInfo>, bytes: &[u8], at: usize, complete: bool) {
    let Some(info) = info else {
        return raw(ctx, node, bytes, at);
    };
    if bytes.is_empty() {
        return;
    }
    let tolerant = !complete || ctx.follow;
    match info.items {
        Some(items) => repeated(ctx, node, info, items, bytes, at, tolerant),
        None => {
            let used = match &info.fields[..] {
                // One value that takes all the data (or is cut short): the value itself.
                [only] if only.format.len == 0 || usize::from(only.format.len) >= bytes.len() => {
                    fields(ctx, node, info, true, info.block || tolerant, bytes, at)
                }
                [] => 0,
                _ => {
                    let container = ctx.node(node, "dlt645.data.value", at, bytes.len(), NodeKind::Data);
                    let used = fields(ctx, container, info, false, info.block || tolerant, bytes, at);
                    let span = ctx.span(at, used);
                    ctx.f.nodes[container as usize].span = span;
                    used
                }
            };
            extra(ctx, node, &bytes[used..], at + used, tolerant, false);
        }
    }
}

/// The values of an identifier in order; returns how many bytes they used. A
/// block may stop at a value boundary. `alone`: the only value, named
/// `dlt645.data.value` under the data node.
pub(super) fn fields(
    ctx: &mut Ctx,
    parent: NodeRef,
    info: &DiInfo,
    alone: bool,
    block: bool,
    bytes: &[u8],
    at: usize,
) -> usize {
    let list: &[Field] = &info.fields;
    let variant = if info.width == 4 { Variant::V2007 } else { Variant::V1997 };
    let mut pos = 0;
    for (j, field) in list.iter().enumerate() {
        let name = Msg::Code(field_name, pack(variant, info.di, j));
        let left = bytes.len() - pos;
        if left == 0 {
            if !block && field.format.len != 0 {
                let msg = Msg::Concat(Box::new([crate::msg!("the data ends before ", "数据不完整，缺少 "), name]));
                ctx.diag(Severity::Warning, ctx.span(at + pos, 0), "dlt645.data.short", msg);
            }
            break;
        }
        let len = if field.format.len == 0 { left } else { usize::from(field.format.len) };
        let (id, label) = if alone {
            (Id::Static("dlt645.data.value"), Msg::Label)
        } else {
            (Id::Indexed("dlt645.data.field", j as u32), name.clone())
        };
        if left >= len {
            name.discard();
        } else {
            // A value cut short keeps the label of its id; its name is the text.
            label.discard();
            let n = ctx.node(parent, id, at + pos, left, NodeKind::Data);
            let v = ctx.hex(at + pos, left, true, false);
            ctx.set(n).value(v).text(name.clone());
            let msg = Msg::Concat(Box::new([
                crate::msg!("value cut short, ", "数值不完整， "),
                name,
                msg!(": {}/{}", ": {}/{}", left, len),
            ]));
            ctx.diag(Severity::Warning, ctx.span(at + pos, left), "dlt645.data.short", msg);
            return bytes.len();
        }
        value_node(ctx, parent, id, label, &field.format, &bytes[pos..pos + len], at + pos);
        pos += len;
    }
    pos
}

/// A block of items (tariffs, phases, …), as many as the data holds.
pub(super) fn repeated(
    ctx: &mut Ctx,
    node: NodeRef,
    info: &DiInfo,
    items: Items,
    bytes: &[u8],
    at: usize,
    tolerant: bool,
) {
    let item_len: usize = info.fields.iter().map(|f| usize::from(f.format.len)).sum();
    if item_len == 0 || info.fields.iter().any(|f| f.format.len == 0) {
        return raw(ctx, node, bytes, at);
    }
    let variant = if info.width == 4 { Variant::V2007 } else { Variant::V1997 };
    let count = (bytes.len() / item_len).min(items.max().unwrap_or(usize::MAX));
    if count > 0 {
        let container = ctx.node(node, "dlt645.data.value", at, count * item_len, NodeKind::Data);
        for i in 0..count {
            let (b, a) = (&bytes[i * item_len..(i + 1) * item_len], at + i * item_len);
            let label = Msg::Code(item_label, pack(variant, info.di, i));
            let id = Id::Indexed("dlt645.data.item", i as u32);
            if info.fields.len() == 1 {
                value_node(ctx, container, id, label, &info.fields[0].format, b, a);
            } else {
                let item = ctx.node(container, id, a, item_len, NodeKind::Data);
                ctx.set(item).label(label);
                fields(ctx, item, info, false, false, b, a);
            }
        }
    }
    let used = count * item_len;
    let short = bytes.len() - used < item_len;
    extra(ctx, node, &bytes[used..], at + used, tolerant, short);
}

/// Bytes after the values: part of a value (`short`), or more than the identifier holds.
pub(super) fn extra(ctx: &mut Ctx, node: NodeRef, bytes: &[u8], at: usize, tolerant: bool, short: bool) {
    if bytes.is_empty() {
        return;
    }
    let n = ctx.node(node, "dlt645.data.extra", at, bytes.len(), NodeKind::Unknown);
    let v = ctx.hex(at, bytes.len(), true, false);
    ctx.set(n).value(v);
    let severity = if tolerant { Severity::Info } else { Severity::Warning };
    let (code, msg) = if short {
        ("dlt645.data.short", msg!("{} byte(s) of an incomplete value", "{} 个字节不足一个完整数值", bytes.len()))
    } else {
        (
            "dlt645.data.extra",
            msg!("{} byte(s) more than the identifier's format", "{} 个字节超出数据标识的格式", bytes.len()),
        )
    };
    ctx.diag(severity, ctx.span(at, bytes.len()), code, msg);
}

/// One decoded value, with its issues as diagnostics.
pub(super) fn value_node(ctx: &mut Ctx, parent: NodeRef, id: Id, label: Msg, format: &Format, bytes: &[u8], at: usize) {
    let d = value::decode_value(format, bytes, ctx.derived(at));
    let is_number = matches!(format.shape, Shape::Number { .. }) && d.text.is_none() && d.issue.is_none();
    let unit = if is_number && !format.unit.is_empty() { Msg::Str(format.unit) } else { Msg::None };
    let n = ctx.node(parent, id, at, bytes.len(), NodeKind::Data);
    ctx.set(n).label(label).value(d.value).unit(unit).text(d.text);
    match d.issue {
        Some(Issue::Bcd { index }) => {
            let byte = bytes.get(index).copied().unwrap_or(0);
            let msg = msg!("not a BCD byte: 0x{:02X} ({})", "不是 BCD 码： 0x{:02X} ({})", byte, format.pattern);
            ctx.diag(Severity::Warning, ctx.span(at + index, 1), "dlt645.bcd.invalid", msg);
        }
        Some(Issue::Date { field, found }) => {
            let msg = msg!("impossible date or time: {} {}", "日期或时间不合理： {} {}", field, found);
            ctx.diag(Severity::Warning, ctx.span(at, bytes.len()), "dlt645.date.invalid", msg);
        }
        None => {}
    }
}
