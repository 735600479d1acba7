//! The client layer the command line and the reader page share: what a read
//! gives (a [`Reading`] per value with a typed [`Value`], a [`Table`] for
//! records, profiles and lists) and its one set of renderers: text lines,
//! CSV and JSON ([`render`]), and the DTU-style report of a read of named
//! quantities ([`quantities`]). Read targets typed per protocol are parsed
//! once here too ([`targets`]), and a DLMS association checked ([`dlms`]).
//!
//! Pure: no clock, no I/O. Times are text the caller gives (ISO 8601).

pub mod dlms;
pub mod quantities;
pub mod render;
pub mod targets;

pub use crate::session::{Item, Number, Value};

/// One line of a read's results: what was read (`00010000`, `1-0:1.8.0:2`),
/// its name, the value and its unit, or why it could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    pub id: String,
    pub name: String,
    pub value: Value,
    pub unit: String,
    /// The value is the text of a failure.
    pub error: bool,
}

impl Reading {
    pub fn new(id: &str, name: &str, value: impl Into<Value>, unit: &str) -> Reading {
        Reading {
            id: id.to_string(),
            name: name.to_string(),
            value: value.into(),
            unit: unit.to_string(),
            error: false,
        }
    }

    /// A failure to read `id`, in words.
    pub fn failed(id: &str, text: String) -> Reading {
        Reading { id: id.to_string(), error: true, value: Value::Text(text), ..Reading::default() }
    }

    /// What names this value in a chart or a poll: identifier and name.
    pub fn key(&self) -> String {
        if self.name.is_empty() { self.id.clone() } else { format!("{} {}", self.id, self.name) }
    }

    /// The value as a number, when it is one (a measurement; never an
    /// address or a serial number made of digits, which are text).
    pub fn number(&self) -> Option<f64> {
        if self.error { None } else { self.value.number() }
    }
}

/// The rows of one value read (a DI's, an OAD's): one per item, each named
/// by the value's name and, when it has several items, the item's label
/// (`Voltage · phase A`); with `single_label`, a lone item's label too when
/// it says something the name does not (a DL/T 645 block answered with one
/// item: `Voltage block · phase A`).
pub fn item_rows(id: &str, name: &str, items: &[Item], single_label: bool) -> Vec<Reading> {
    let many = items.len() > 1 || single_label;
    items
        .iter()
        .map(|i| {
            let named = match () {
                _ if name.is_empty() => i.label.clone(),
                _ if many && !i.label.is_empty() && i.label != name => format!("{name} · {}", i.label),
                _ => name.to_string(),
            };
            let value = match &i.text {
                // A note that says more than the value (`no data`, a weekday).
                Some(t) if !t.is_empty() && *t != i.value.to_string() => Value::Text(format!("{} ({t})", i.value)),
                _ => i.value.clone(),
            };
            Reading { id: id.to_string(), name: named, value, unit: i.unit.clone(), error: false }
        })
        .collect()
}

/// Rows and columns of a record, profile or object list read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[cfg(test)]
mod tests;
