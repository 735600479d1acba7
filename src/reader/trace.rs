//! The raw trace saved and read back: as text for people (time, direction,
//! hex, notes) and as JSON that the replay source loads, so a trace exported
//! from one run answers the same flow again without a meter. The formats
//! themselves are `meterscope_ui::trace` (tested natively); this module
//! writes the JSON and parses a file with the browser's JSON parser.

use meterscope_core::to_hex;
use meterscope_ui::trace::{self as saved, FORMAT, Fields};

use super::TraceEntry;

meterscope_ui::impl_record!(TraceEntry);

/// The trace as text: `   123 ms  TX  68 AA …` per entry, notes as `   130 ms  --  note`.
pub fn text(trace: &[TraceEntry]) -> String {
    saved::text(trace)
}

/// The trace as JSON: `{format, version, protocol, line, entries: [{t, dir, hex, note?}]}`.
pub fn json(trace: &[TraceEntry], protocol: &str, line: &str) -> String {
    let entries: Vec<serde_json::Value> = trace
        .iter()
        .map(|e| {
            let dir = saved::direction(e).json();
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

/// An object parsed by the browser.
struct Js(wasm_bindgen::JsValue);

impl Fields for Js {
    fn string(&self, key: &str) -> Option<String> {
        js_sys::Reflect::get(&self.0, &key.into()).ok()?.as_string()
    }
    fn number(&self, key: &str) -> Option<f64> {
        js_sys::Reflect::get(&self.0, &key.into()).ok()?.as_f64()
    }
}

/// Read a trace saved by [`json`]; says which entry is wrong when one is. (The browser's
/// JSON parser reads the file: the app carries none of its own.)
pub fn from_json(text: &str) -> Result<Vec<TraceEntry>, String> {
    let doc = js_sys::JSON::parse(text).map_err(|e| format!("not JSON: {}", e.as_string().unwrap_or_default()))?;
    let entries = js_sys::Reflect::get(&doc, &"entries".into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
    let entries = js_sys::Array::is_array(&entries).then(|| js_sys::Array::from(&entries).iter().map(Js).collect());
    let read = saved::read(&Js(doc), entries)?;
    Ok(read.into_iter().map(|e| TraceEntry::new(e.tx, e.at_ms, e.bytes, e.note, false)).collect())
}
