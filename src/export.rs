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

// The text form of a decode: the core's renderer, the same as the CLI's.
pub use meterscope_core::text::{dissection as dissection_text, node as node_text, node_value};
