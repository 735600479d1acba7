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
use super::{Cx, Rd, classes, obis_canonical, obis_name_or_canonical, pack_obis};
use crate::lang::Lang;
use crate::model::{Frame, Id, Msg, NONE, NodeRef, ReadDerived};
use crate::msg;
use crate::registry::{Keys, Options};
use crate::span::Span;
use crate::view::Dissection;

/// One profile buffer read in the input.
#[derive(Clone, Debug)]
pub struct Table {
    /// Frame of the response (of its first data block).
    pub frame: usize,
    /// Logical name of the profile.
    pub obis: [u8; 6],
    /// Column names from the capture objects, when they were read in the same input.
    pub columns: Vec<Msg>,
    /// The buffer as a frame (the encoded value in its derived bytes): one
    /// child of the root per row, cells labelled by column; spans are
    /// offsets in the encoded value.
    pub node: Frame,
}

impl PartialEq for Table {
    /// Columns and buffers compare by what they show (in English).
    fn eq(&self, o: &Self) -> bool {
        let cols = |t: &Table| t.columns.iter().map(|c| c.to_string(Lang::En)).collect::<Vec<_>>();
        (self.frame, self.obis) == (o.frame, o.obis)
            && cols(self) == cols(o)
            && self.node.render(Lang::En) == o.node.render(Lang::En)
    }
}

impl Eq for Table {}

/// The profile buffers of an input.
pub fn tables(d: &Dissection, bytes: &[u8], opts: &Options) -> Vec<Table> {
    from_scan(&reassembly::scan(&reassembly::seen(d), bytes, opts), opts)
}

pub(super) fn from_scan(s: &Scanned, _opts: &Options) -> Vec<Table> {
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
    let mut columns: Vec<([u8; 6], Vec<Msg>)> = Vec::new();
    for v in &s.values {
        if let Some((code, 3)) = asked(v)
            && let Ok(Data::Array(items)) = Data::parse(&v.bytes)
        {
            columns.push((code, items.iter().map(column).collect()));
        }
    }
    let mut out = Vec::new();
    for v in &s.values {
        if let Some((code, 2)) = asked(v) {
            let names = columns.iter().rev().find(|c| c.0 == code).map(|c| c.1.clone()).unwrap_or_default();
            out.push(table(v, code, names));
        }
    }
    out
}

/// A column's name from its capture object definition.
fn column(item: &Data) -> Msg {
    let Data::Structure(f) = item else { return Msg::Str("?") };
    match f.as_slice() {
        [Data::LongUnsigned(class), Data::OctetString(ln), Data::Integer(attr), ..] => {
            let Ok(code) = <[u8; 6]>::try_from(&ln[..]) else { return Msg::Str("?") };
            let name = Msg::Code(obis_name_or_canonical, pack_obis(code));
            match classes::attribute_name(*class, *attr) {
                Some(a) if *attr != 2 => msg!("{} ({})", "{} ({})", name, a),
                _ => name,
            }
        }
        _ => Msg::Str("?"),
    }
}

fn table(v: &Value, code: [u8; 6], columns: Vec<Msg>) -> Table {
    let keys = Keys::default();
    let mut cx = Cx::new(super::reassembly::PROFILE, &[], 0, &keys);
    let node = cx.derived(&v.bytes, 0, |cx| {
        let mut rd = Rd::new(&v.bytes, 0);
        match axdr::data(cx, NONE, &mut rd, "dlms.profile") {
            Some(dv) => dv.node,
            None => cx.add(NONE, "dlms.profile", Span::at(0, v.bytes.len())).index(),
        }
    });
    let rows: Vec<NodeRef> = cx.f.children(node).map(|(i, _)| i).collect();
    let label = Msg::Concat(Box::new([Msg::Label, Msg::Str(" "), Msg::Code(obis_canonical, pack_obis(code))]));
    let value = if columns.is_empty() { Msg::None } else { Msg::joined(columns.clone(), " | ") };
    cx.set(node).label(label).text(msg!("{} row(s)", "{} 行", rows.len())).value(value);
    for (i, &r) in rows.iter().enumerate() {
        let n = i as u32 + 1;
        let cells: Vec<NodeRef> = cx.f.children(r).map(|(c, _)| c).collect();
        for (&cell, name) in cells.iter().zip(&columns) {
            cx.set(cell).label(name.clone());
        }
        let shown = cells
            .iter()
            .filter_map(|&c| Some((cx.f.node(c)?, cx.f.unit_of(c))))
            .map(|(c, u)| match (&c.value, u) {
                (v, u) if !v.is_none() && !u.is_none() => Msg::Concat(Box::new([v.clone(), Msg::Str(" "), u.clone()])),
                (v, _) => v.clone(),
            })
            .collect();
        let row = &mut cx.f.nodes[r as usize];
        row.id = Id::Indexed("dlms.profile.row", n);
        cx.set(r).label(msg!("Row {}", "行 {}", n)).value(Msg::joined(shown, " | ")).text(Msg::None);
    }
    // The table shows the rows; what the dissection found is the response frame's.
    let span = cx.span_of(node);
    let mut f = cx.f;
    f.span = span;
    f.diagnostics.clear();
    f.checks.clear();
    Table { frame: v.frame, obis: code, columns, node: f }
}
