//! Profile generic buffers (interface class 7, attribute 2) as tables.
//!
//! A GET response does not say which attribute it answers: its invoke id
//! pairs it with the GET-Request-Normal before it. When that request names
//! attribute 2 of a class 7 object, the array it returns is a buffer: one
//! child per row, each row's cells in one line. When the same input also
//! reads attribute 3 (capture objects, `{class_id, logical_name,
//! attribute_index, data_index}` per column), the cells are named after them.

use super::axdr::{self, Data};
use super::reassembly::{self, Scanned, Value};
use super::{Cx, Rd, classes, uniquify};
use crate::lang::Lang;
use crate::obis;
use crate::registry::{Keys, Options};
use crate::span::Span;
use crate::view::{Dissection, Node};

/// One profile buffer read in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Frame of the response (of its first data block).
    pub frame: usize,
    /// Logical name of the profile.
    pub obis: [u8; 6],
    /// Column names from the capture objects, when they were read in the same input.
    pub columns: Vec<String>,
    /// The buffer: one child per row, cells labelled by column; spans are
    /// offsets in the encoded value.
    pub node: Node,
}

/// The profile buffers of an input.
pub fn tables(d: &Dissection, bytes: &[u8], opts: &Options) -> Vec<Table> {
    from_scan(&reassembly::scan(&reassembly::seen(d), bytes, opts), opts)
}

pub(super) fn from_scan(s: &Scanned, opts: &Options) -> Vec<Table> {
    if s.values.is_empty() {
        return Vec::new();
    }
    // GET-Request-Normal of profile attributes: frame, invoke id, logical name, attribute.
    let mut requests: Vec<(usize, u8, [u8; 6], u8)> = Vec::new();
    for a in &s.apdus {
        if let [0xC0, 0x01, invoke, 0x00, 0x07, a0, a1, a2, a3, a4, a5, attr, ..] = a.bytes[..] {
            requests.push((a.frame, invoke & 0x0F, [a0, a1, a2, a3, a4, a5], attr));
        }
    }
    let asked = |v: &Value| requests.iter().rev().find(|r| r.0 < v.frame && r.1 == v.invoke).map(|r| (r.2, r.3));
    let mut columns: Vec<([u8; 6], Vec<String>)> = Vec::new();
    for v in &s.values {
        if let Some((code, 3)) = asked(v)
            && let Ok(Data::Array(items)) = Data::parse(&v.bytes)
        {
            columns.push((code, items.iter().map(|i| column(i, opts.lang)).collect()));
        }
    }
    let mut out = Vec::new();
    for v in &s.values {
        if let Some((code, 2)) = asked(v) {
            let names = columns.iter().rev().find(|c| c.0 == code).map(|c| c.1.clone()).unwrap_or_default();
            out.push(table(v, code, names, opts.lang));
        }
    }
    out
}

/// A column's name from its capture object definition.
fn column(item: &Data, lang: Lang) -> String {
    let Data::Structure(f) = item else { return "?".into() };
    match f.as_slice() {
        [Data::LongUnsigned(class), Data::OctetString(ln), Data::Integer(attr), ..] => {
            let Ok(code) = <[u8; 6]>::try_from(&ln[..]) else { return "?".into() };
            let name = obis::describe(code, lang).unwrap_or_else(|| obis::canonical(code));
            match classes::attribute_name(*class, *attr) {
                Some(a) if *attr != 2 => format!("{name} ({a})"),
                _ => name,
            }
        }
        _ => "?".into(),
    }
}

fn table(v: &Value, code: [u8; 6], columns: Vec<String>, lang: Lang) -> Table {
    let keys = Keys::default();
    let mut cx = Cx::new(lang, &keys);
    let mut rd = Rd::new(&v.bytes, 0);
    let mut node = match axdr::data(&mut cx, &mut rd, "dlms.profile") {
        Some(dv) => dv.node,
        None => cx.node("dlms.profile", Span::at(0, v.bytes.len())),
    };
    node.label = format!("{} {}", lang.label("dlms.profile"), obis::canonical(code));
    node.text = Some(match lang {
        Lang::En => format!("{} row(s)", node.children.len()),
        Lang::Zh => format!("{} 行", node.children.len()),
    });
    node.value = (!columns.is_empty()).then(|| columns.join(" | "));
    let row = lang.label("dlms.profile.row");
    for (i, r) in node.children.iter_mut().enumerate() {
        r.id = format!("dlms.profile.row.{}", i + 1);
        r.label = format!("{row} {}", i + 1);
        for (cell, name) in r.children.iter_mut().zip(&columns) {
            cell.label = name.clone();
        }
        let cells: Vec<String> = r
            .children
            .iter()
            .map(|c| match (&c.value, &c.unit) {
                (Some(v), Some(u)) => format!("{v} {u}"),
                (v, _) => v.clone().unwrap_or_default(),
            })
            .collect();
        r.value = Some(cells.join(" | "));
        r.text = None;
    }
    uniquify(&mut node);
    Table { frame: v.frame, obis: code, columns, node }
}
