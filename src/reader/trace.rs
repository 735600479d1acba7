//! The raw trace saved and read back: as text for people (time, direction,
//! hex, notes) and as JSON that the replay source loads, so a trace exported
//! from one run answers the same flow again without a meter.

use meterscope_core::{parse_input, to_hex};

use super::TraceEntry;

/// Marks a meterscope trace file.
const FORMAT: &str = "meterscope-trace";

/// The trace as text: `   123 ms  TX  68 AA …` per entry, notes as `   130 ms  --  note`.
pub fn text(trace: &[TraceEntry]) -> String {
    let mut out = String::new();
    for e in trace {
        let dir = if e.note.is_some() && e.bytes.is_empty() {
            "--"
        } else if e.tx {
            "TX"
        } else {
            "RX"
        };
        let mut line = format!("{:>9.0} ms  {dir}  {}", e.at_ms, to_hex(&e.bytes));
        if let Some(n) = &e.note {
            if !e.bytes.is_empty() {
                line.push_str("  ");
            }
            line.push_str(n);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The trace as JSON: `{format, version, protocol, line, entries: [{t, dir, hex, note?}]}`.
pub fn json(trace: &[TraceEntry], protocol: &str, line: &str) -> String {
    let entries: Vec<serde_json::Value> = trace
        .iter()
        .map(|e| {
            let dir = if e.note.is_some() && e.bytes.is_empty() {
                "note"
            } else if e.tx {
                "tx"
            } else {
                "rx"
            };
            let mut v =
                serde_json::json!({ "t": (e.at_ms * 10.0).round() / 10.0, "dir": dir, "hex": to_hex(&e.bytes) });
            if let Some(n) = &e.note {
                v["note"] = serde_json::Value::String(n.clone());
            }
            v
        })
        .collect();
    let doc =
        serde_json::json!({ "format": FORMAT, "version": 1, "protocol": protocol, "line": line, "entries": entries });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Read a trace saved by [`json`]; says which entry is wrong when one is.
pub fn from_json(text: &str) -> Result<Vec<TraceEntry>, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if doc.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(format!("not a meterscope trace (no \"format\": \"{FORMAT}\")"));
    }
    let entries = doc.get("entries").and_then(|e| e.as_array()).ok_or("no \"entries\" list")?;
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at_ms = e.get("t").and_then(|t| t.as_f64()).unwrap_or(0.0);
        let dir = e.get("dir").and_then(|d| d.as_str()).unwrap_or("");
        let hex = e.get("hex").and_then(|h| h.as_str()).unwrap_or("");
        let bytes = if hex.trim().is_empty() {
            Vec::new()
        } else {
            parse_input(hex).map_err(|err| format!("entry {}: {err}", i + 1))?.bytes
        };
        let note = e.get("note").and_then(|n| n.as_str()).map(str::to_string);
        let tx = match dir {
            "tx" => true,
            "rx" | "note" => false,
            other => return Err(format!("entry {}: direction {other:?} (tx, rx or note)", i + 1)),
        };
        let note = if dir == "note" { Some(note.unwrap_or_default()) } else { note };
        out.push(TraceEntry { tx, at_ms, bytes, note });
    }
    Ok(out)
}
