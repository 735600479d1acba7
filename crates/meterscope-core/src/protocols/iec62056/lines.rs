//! Nodes for data lines, shared by the IEC 62056-21 data message, command
//! messages and DSMR P1 telegrams.

use super::data::{self, DataSet, Line};
use crate::lang::Lang;
use crate::span::Span;
use crate::view::{Node, NodeKind};

/// Text of a byte range, lossily.
pub fn text(b: &[u8], r: core::ops::Range<usize>) -> String {
    String::from_utf8_lossy(b.get(r).unwrap_or_default()).into_owned()
}

/// The name of an identifier: canonical OBIS code and its description.
pub fn describe_address(address: &str, lang: Lang) -> Option<String> {
    let (code, sub) = data::identifier(address)?;
    let mut s = crate::obis::canonical(code);
    if let Some(n) = sub {
        s.push_str(&format!(" #{n}"));
    }
    if let Some(name) = crate::obis::describe(code, lang) {
        s.push(' ');
        s.push_str(&name);
    }
    Some(s)
}

/// Meaning of one value of a data set, given its identifier and position.
fn value_text(code: Option<[u8; 6]>, index: usize, value: &str, lang: Lang) -> Option<String> {
    if let Some(t) = data::timestamp(value, lang) {
        return Some(t);
    }
    let code = code?;
    let (c, d, e) = data::cde(code);
    match (code[0], c, d, e) {
        (1, 0, 2, 8) => {
            let v: u32 = value.parse().ok()?;
            Some(format!("DSMR {}.{}", v / 10, v % 10))
        }
        (0, 96, 1, _) | (0, 42, 0, 0) | (0, 96, 13, 0) => data::hex_text(value).map(|t| format!("\"{t}\"")),
        (0, 24, 1, 0) => {
            let v: u32 = value.parse().ok()?;
            let (en, zh) = match v {
                2 => ("electricity", "电"),
                3 => ("gas", "燃气"),
                4 => ("heat", "热量"),
                6 => ("warm water", "热水"),
                7 => ("water", "水"),
                10 | 11 => ("cooling", "冷量"),
                12 => ("heat (inlet)", "热量(进口)"),
                13 => ("heat / cooling", "热量/冷量"),
                _ => return None,
            };
            Some(format!("{} {}", lang.pick("M-Bus device type:", "M-Bus 设备类型:"), lang.pick(en, zh)))
        }
        (0, 96, 14, 0) => value.parse::<u32>().ok().map(|t| format!("{} {t}", lang.pick("tariff", "费率"))),
        (0, 96, 3, 10) | (0, 24, 4, 0) => {
            let (en, zh) = match value.parse::<u32>().ok()? {
                0 => ("disconnected", "断开"),
                1 => ("connected", "接通"),
                2 => ("ready for reconnection", "准备重新接通"),
                _ => return None,
            };
            Some(lang.pick(en, zh).to_string())
        }
        (1, 99, 97, 0) => Some(
            match index {
                0 => lang.pick("number of power failures in the log", "日志中的停电次数"),
                1 => lang.pick("event log object", "事件日志对象"),
                i if i % 2 == 0 => lang.pick("end of power failure", "停电结束时间"),
                _ => lang.pick("duration of power failure", "停电持续时间"),
            }
            .to_string(),
        ),
        _ => None,
    }
}

/// One data set as a node: address, then each parenthesised value.
pub fn set_node(b: &[u8], set: &DataSet, id: &str, base: usize, lang: Lang) -> Node {
    let span = |r: &core::ops::Range<usize>| Span::new(base + r.start, base + r.end);
    let address = text(b, set.address.clone());
    let code = data::identifier(&address).map(|c| c.0);
    let mut node = Node::new(id, lang.label(id), span(&set.span)).kind(NodeKind::Data);
    if !set.address.is_empty() {
        let aid = format!("{id}.address");
        let mut a = Node::new(&aid, lang.label(&aid), span(&set.address)).kind(NodeKind::Data).value(&address);
        if let Some(t) = describe_address(&address, lang) {
            a = a.text(t);
        }
        node.push(a);
        node.label = address.clone();
    }
    let name = code.and_then(|c| crate::obis::describe(c, lang));
    let mut texts = Vec::new();
    for (k, g) in set.groups.iter().enumerate() {
        let gid = format!("{id}.value.{k}");
        let v = text(b, g.value.clone());
        let mut n = Node::new(&gid, lang.label(&gid), span(&g.span)).kind(NodeKind::Data).value(&v);
        if let Some(u) = &g.unit {
            n = n.unit(text(b, u.clone()));
        }
        if let Some(t) = value_text(code, k, &v, lang) {
            texts.push(t.clone());
            n = n.text(t);
        } else if v.is_empty() {
            n = n.text(lang.pick("empty", "空"));
        }
        node.push(n);
    }
    // The set's value: the first value with a unit, else the first one.
    let main = set.groups.iter().find(|g| g.unit.is_some()).or(set.groups.first());
    if let Some(g) = main {
        node.value = Some(text(b, g.value.clone()));
        node.unit = g.unit.clone().map(|u| text(b, u));
    }
    let mut t: Vec<String> = name.into_iter().collect();
    if set.groups.len() == 1 {
        t.extend(texts);
    }
    if !t.is_empty() {
        node.text = Some(t.join(" · "));
    }
    node
}

/// The lines of a data region as nodes under `{prefix}.data`.
pub fn data_node(b: &[u8], lines: &[Line], region: Span, prefix: &str, base: usize, lang: Lang) -> Node {
    let id = format!("{prefix}.data");
    let mut data = Node::new(&id, lang.label(&id), region.shift(base)).kind(NodeKind::Data);
    let mut count = 0;
    for (i, line) in lines.iter().enumerate() {
        let lid = format!("{id}.line.{i}");
        let lspan = Span::new(base + line.span.start, base + line.eol.end);
        let mut ln = Node::new(&lid, lang.label(&lid), lspan).kind(NodeKind::Data);
        for (m, set) in line.sets.iter().enumerate() {
            ln.push(set_node(b, set, &format!("{lid}.set.{m}"), base, lang));
            count += 1;
        }
        if line.sets.len() == 1 {
            let only = ln.children.remove(0);
            ln.label = only.label.clone();
            ln.value = only.value.clone();
            ln.unit = only.unit.clone();
            ln.text = only.text.clone();
            ln.children.push(only);
        }
        data.push(ln);
    }
    data.value = Some(format!("{} {}", lines.len(), lang.pick("line(s)", "行")));
    data.text = Some(format!("{count} {}", lang.pick("data set(s)", "个数据集")));
    data
}
