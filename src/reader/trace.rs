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

/// Read a trace saved by [`json`]; says which entry is wrong when one is. (The browser's
/// JSON parser reads the file: the app carries none of its own.)
pub fn from_json(text: &str) -> Result<Vec<TraceEntry>, String> {
    use wasm_bindgen::JsValue;
    let doc = js_sys::JSON::parse(text).map_err(|e| format!("not JSON: {}", e.as_string().unwrap_or_default()))?;
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    if get(&doc, "format").as_string().as_deref() != Some(FORMAT) {
        return Err(format!("not a meterscope trace (no \"format\": \"{FORMAT}\")"));
    }
    let entries = get(&doc, "entries");
    if !js_sys::Array::is_array(&entries) {
        return Err("no \"entries\" list".into());
    }
    let entries = js_sys::Array::from(&entries);
    let mut out = Vec::with_capacity(entries.length() as usize);
    for (i, e) in entries.iter().enumerate() {
        let at_ms = get(&e, "t").as_f64().unwrap_or(0.0);
        let dir = get(&e, "dir").as_string().unwrap_or_default();
        let hex = get(&e, "hex").as_string().unwrap_or_default();
        let bytes = if hex.trim().is_empty() {
            Vec::new()
        } else {
            parse_input(&hex).map_err(|err| format!("entry {}: {err}", i + 1))?.bytes
        };
        let note = get(&e, "note").as_string();
        let tx = match dir.as_str() {
            "tx" => true,
            "rx" | "note" => false,
            other => return Err(format!("entry {}: direction {other:?} (tx, rx or note)", i + 1)),
        };
        let note = if dir == "note" { Some(note.unwrap_or_default()) } else { note };
        out.push(TraceEntry { tx, at_ms, bytes, note, warn: false });
    }
    Ok(out)
}
