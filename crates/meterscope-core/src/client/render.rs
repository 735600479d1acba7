//! Readings as text lines, CSV and JSON: one renderer for every surface.
//!
//! CSV quotes every field (RFC 4180, `"` doubled). JSON is indented, its
//! keys in the order documented at each function; values are strings,
//! exactly as read (`230.10` stays `230.10`).

use super::{Item, Reading, Table};
use crate::json::Json;

/// One CSV field, quoted.
pub fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn csv_line(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(f));
    }
    out.push('\n');
}

/// Results as CSV (id, name, value, unit).
pub fn results_csv(rows: &[Reading]) -> String {
    let mut out = String::from("id,name,value,unit\n");
    for r in rows {
        csv_line(&mut out, &[&r.id, &r.name, &r.value.to_string(), &r.unit]);
    }
    out
}

/// Polled readings as CSV, each with the time of its poll first (the
/// caller's text, ISO 8601).
pub fn polls_csv(rows: &[(String, Reading)]) -> String {
    let mut out = String::from("time,id,name,value,unit\n");
    for (time, r) in rows {
        csv_line(&mut out, &[time, &r.id, &r.name, &r.value.to_string(), &r.unit]);
    }
    out
}

/// A table as CSV, headers first.
pub fn table_csv(t: &Table) -> String {
    let mut out = String::new();
    csv_line(&mut out, &t.columns.iter().map(String::as_str).collect::<Vec<_>>());
    for row in &t.rows {
        csv_line(&mut out, &row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

fn reading_fields(j: &mut Json, r: &Reading) {
    j.key("id").str(&r.id).key("name").str(&r.name).key("value").str(&r.value.to_string()).key("unit").str(&r.unit);
}

/// Results (and the table, when there is one) as JSON:
/// `{"readings": [{"id", "name", "value", "unit", "error"?}], "table"?: {"title", "columns", "rows"}}`.
pub fn results_json(rows: &[Reading], table: Option<&Table>) -> String {
    let mut j = Json::pretty();
    j.begin_object().key("readings").list(rows, |j, r| {
        j.begin_object();
        reading_fields(j, r);
        if r.error {
            j.key("error").bool(true);
        }
        j.end_object();
    });
    if let Some(t) = table {
        j.key("table").begin_object().key("title").str(&t.title);
        j.key("columns").list(&t.columns, |j, c| {
            j.str(c);
        });
        j.key("rows").list(&t.rows, |j, row| {
            j.list(row, |j, c| {
                j.str(c);
            });
        });
        j.end_object();
    }
    j.end_object();
    j.finish()
}

/// Polled readings as JSON, one object per reading with its time:
/// `{"polls": [{"time", "id", "name", "value", "unit", "error"}]}`.
pub fn polls_json(rows: &[(String, Reading)]) -> String {
    let mut j = Json::pretty();
    j.begin_object().key("polls").list(rows, |j, (time, r)| {
        j.begin_object().key("time").str(time);
        reading_fields(j, r);
        j.key("error").bool(r.error).end_object();
    });
    j.end_object();
    j.finish()
}

/// A reading as one line of text: `00010000  active energy: 1234.56 kWh`,
/// `4001  error: no reply after 3 attempt(s)`.
pub fn text_line(r: &Reading) -> String {
    if r.error {
        return format!("{}  error: {}", r.id, r.value);
    }
    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
    match r.name.is_empty() {
        true => format!("{}  {}{unit}", r.id, r.value),
        false => format!("{}  {}: {}{unit}", r.id, r.name, r.value),
    }
}

/// One item as text: `230.1 V`, `FFFF  (no data)`.
pub fn item_text(i: &Item) -> String {
    let unit = if i.unit.is_empty() { String::new() } else { format!(" {}", i.unit) };
    let note = i.text.as_ref().filter(|t| !t.is_empty()).map(|t| format!("  ({t})")).unwrap_or_default();
    format!("{}{unit}{note}", i.value)
}

/// A value read as the command line prints it: one line for one item
/// (`00010000  Forward active energy: 1234.56 kWh`), else the name and an
/// indented line per item. `head` goes first (the identifier, a meter's
/// address and the identifier), `mark` last on the first line
/// (`  (incomplete)`). With `single_label`, a lone item whose label says
/// something the name does not keeps its own line, as several do.
pub fn value_lines(head: &str, name: &str, items: &[Item], mark: &str, single_label: bool) -> Vec<String> {
    match items {
        [one] if !single_label || one.label.is_empty() || one.label == name || name.is_empty() => {
            vec![format!("{head}  {name}: {}{mark}", item_text(one))]
        }
        items => {
            let mut out = vec![format!("{head}  {name}{mark}")];
            out.extend(items.iter().map(|i| format!("    {}: {}", i.label, item_text(i))));
            out
        }
    }
}
