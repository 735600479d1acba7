//! Output of a decode: copy to the clipboard, download as a file.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The outcome of the last copy, shown beside the buttons: `Ok` once copied,
/// `Err` with the browser's reason when the clipboard refused.
pub type CopyStatus = RwSignal<Option<Result<(), String>>>;

/// How long the outcome of a copy stays shown, in milliseconds.
const STATUS_MS: u64 = 4000;

/// Copy text to the clipboard (async) and report the outcome in `status`.
pub fn copy(text: String, status: CopyStatus) {
    let Some(w) = web_sys::window() else { return };
    let nav = w.navigator();
    // No clipboard outside a secure context: the property is missing.
    let present = js_sys::Reflect::get(&nav, &"clipboard".into()).is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !present {
        report(status, Err("no clipboard in this context".into()));
        return;
    }
    let promise = nav.clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        let result = wasm_bindgen_futures::JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "refused".into())
        });
        report(status, result);
    });
}

fn report(status: CopyStatus, result: Result<(), String>) {
    status.set(Some(result.clone()));
    set_timeout(
        move || {
            if status.try_get_untracked().flatten().as_ref() == Some(&result) {
                status.set(None);
            }
        },
        std::time::Duration::from_millis(STATUS_MS),
    );
}

/// Offer `text` as a download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Bytes of a dropped or opened file as input text: text files as they are,
/// binary files as spaced hex.
pub fn file_to_input(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\0') => s.to_string(),
        _ => meterscope_core::to_hex(bytes),
    }
}

/// Bytes as a C array initialiser: `{0x68, 0x12, 0x00}`.
pub fn c_array(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!("{{{}}}", items.join(", "))
}

/// Bytes shown per node in the text form before eliding (as the CLI does).
const TEXT_MAX_BYTES: usize = 16;

fn clip(bytes: &[u8], span: meterscope_core::Span) -> String {
    let end = span.end.min(bytes.len());
    let slice = &bytes[span.start.min(end)..end];
    if slice.len() > TEXT_MAX_BYTES {
        format!("{} … (+{} bytes)", meterscope_core::to_hex(&slice[..TEXT_MAX_BYTES]), slice.len() - TEXT_MAX_BYTES)
    } else {
        meterscope_core::to_hex(slice)
    }
}

/// A node's value with its unit (`9.64 kWh`), if it has a value.
pub fn node_value(n: &meterscope_core::Node) -> Option<String> {
    n.value.as_ref().map(|v| match &n.unit {
        Some(u) => format!("{v} {u}"),
        None => v.clone(),
    })
}

/// A subtree as indented text, one node a line, like the CLI's text form:
/// `label: value unit  (text)  [start..end) bytes`.
pub fn node_text(out: &mut String, n: &meterscope_core::Node, bytes: &[u8], depth: usize) {
    use std::fmt::Write;
    let _ = write!(out, "{}{}", "  ".repeat(depth), n.label);
    if let Some(v) = node_value(n) {
        let _ = write!(out, ": {v}");
    }
    if let Some(t) = &n.text {
        let _ = write!(out, "  ({t})");
    }
    let _ = writeln!(out, "  [{}..{}) {}", n.span.start, n.span.end, clip(bytes, n.span));
    for c in &n.children {
        node_text(out, c, bytes, depth + 1);
    }
}

/// The whole decode as text: every frame's tree, checks and diagnostics, then the junk.
pub fn dissection_text(d: &meterscope_core::Dissection, bytes: &[u8], lang: meterscope_core::Lang) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, f) in d.frames.iter().enumerate() {
        let state = if f.valid { lang.pick("valid", "有效") } else { lang.pick("NOT VALID", "无效") };
        let _ = writeln!(out, "#{} {}  [{}..{})  {}", i + 1, f.protocol, f.span.start, f.span.end, state);
        node_text(&mut out, &f.tree, bytes, 1);
        for c in &f.checks {
            let verdict = if c.ok { "ok".to_string() } else { format!("INCORRECT, should be {}", c.computed) };
            let _ = writeln!(
                out,
                "  check {}: stated {}, computed {}: {}  @{}",
                c.label, c.stated, c.computed, verdict, c.span.start
            );
        }
        for diag in &f.diagnostics {
            let _ = writeln!(out, "  {} @{} {}: {}", diag.severity.as_str(), diag.offset, diag.code, diag.message);
        }
    }
    for j in &d.junk {
        let _ = writeln!(out, "junk [{}..{}) {}: {}", j.span.start, j.span.end, j.reason, clip(bytes, j.span));
    }
    out
}
