//! The decoder alone, as a WebAssembly module: no app, no Web Serial.
//!
//! Used by the Node benchmark today and the embedding module later.

use meterscope_core::{Lang, Options, Registry};
use wasm_bindgen::prelude::*;

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Decode an input text (hex in any shape, base64 or a text telegram) and
/// return the dissection as JSON. `protocol` is `auto` or a registry name;
/// `lang` is `en` or `zh`. Unusable input throws its message.
#[wasm_bindgen(js_name = decodeJson)]
pub fn decode_json(input: &str, protocol: &str, lang: &str) -> Result<String, JsError> {
    let lang: Lang = lang.parse().map_err(|e: String| JsError::new(&e))?;
    let opts = Options { lang, protocol: Some(protocol.to_string()), ..Options::default() };
    let decoded = meterscope_core::decode(input, &opts).map_err(|e| JsError::new(&e.to_string()))?;
    serde_json::to_string(&decoded.dissection).map_err(|e| JsError::new(&e.to_string()))
}

/// Split and dissect raw bytes; returns the number of frames (benchmark entry point:
/// the same work as the native benchmark, without serialisation).
#[wasm_bindgen(js_name = dissectCount)]
pub fn dissect_count(bytes: &[u8]) -> u32 {
    let d = Registry::default().dissect(bytes, &[], &Options::default());
    d.frames.len() as u32 + d.junk.len() as u32
}
