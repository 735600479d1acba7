//! The decoder alone, as a WebAssembly module: no app, no Web Serial.
//!
//! The JavaScript wrapper (`www/embed/lib/meterscope.js`) exposes `init`,
//! `decode`, `detect` and `version` on top of these exports, in browsers and
//! in Node from the same files. Results are the dissection model of DESIGN.md
//! as plain objects.
//!
//! The same module is the decoder page's decoder ([`page`]): the page's own
//! module links no dissector and loads this file, which a page that embeds
//! the decoder has cached already.
//!
//! With the `worker` feature the same crate is the decoder page's log worker
//! module (`LogSplitter`) and the benchmark's (`dissectCount`, `splitCount`
//! and their `Each` forms over many inputs), built with the protocol core at
//! full speed; the embeddable decoder, built
//! without it, is size-optimised throughout.

use meterscope_core::protocols::families::{self, ALL};
use meterscope_core::{Keys, Lang, Options, Registry, parse_input, render_each};
use wasm_bindgen::prelude::*;

use meterscope_core::json::Json;
#[cfg(test)]
mod json_tests;
/// The decoder page's entry points (not in the log worker's build nor in a family module).
#[cfg(not(any(feature = "worker", feature = "family")))]
pub mod page;

/// The families this build dissects: those its `family-*` features name, or every one.
const FAMILIES: u16 = {
    let picked = (cfg!(feature = "family-dlt645") as u16 * families::DLT645)
        | (cfg!(feature = "family-dlt698") as u16 * families::DLT698)
        | (cfg!(feature = "family-iec62056") as u16 * families::IEC62056)
        | (cfg!(feature = "family-dlms") as u16 * families::DLMS)
        | (cfg!(feature = "family-qgdw1376") as u16 * families::QGDW1376)
        | (cfg!(feature = "family-sml") as u16 * families::SML)
        | (cfg!(feature = "family-mbus") as u16 * families::MBUS);
    if picked == 0 { ALL } else { picked }
};

/// This build's registry ([`FAMILIES`]), built once.
fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(Registry::of::<FAMILIES>)
}

/// The families this module dissects (`dlt645,dlt698,…`); it frames every other.
/// In the family modules only, as are [`needs_input`] and [`needs_bytes`]: the
/// full one dissects every family.
#[cfg(feature = "family")]
#[wasm_bindgen]
pub fn families() -> String {
    families::names(FAMILIES)
}

/// The families an input's dissection takes (`dlt645`, `dlms,iec62056`…):
/// where they are all in [`families`], this module decodes it as the full
/// decoder does. Unusable input throws its message, as [`decode_input`] does.
#[cfg(feature = "family")]
#[wasm_bindgen(js_name = needsInput)]
pub fn needs_input(input: &str, protocol: &str) -> Result<String, JsError> {
    let parsed = parse_input(input).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(needs(&parsed.bytes, &parsed.line_starts, protocol))
}

/// The families raw bytes' dissection takes (see [`needs_input`]).
#[cfg(feature = "family")]
#[wasm_bindgen(js_name = needsBytes)]
pub fn needs_bytes(bytes: &[u8], protocol: &str) -> String {
    needs(bytes, &[], protocol)
}

#[cfg(feature = "family")]
fn needs(bytes: &[u8], line_starts: &[usize], protocol: &str) -> String {
    let opts = Options { protocol: Some(protocol.to_string()), ..Options::default() };
    families::names(families::needs::<FAMILIES>(registry(), bytes, line_starts, &opts))
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn hex_key<const N: usize>(text: Option<String>, what: &str) -> Result<Option<[u8; N]>, JsError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    let bytes = parse_input(&text).map_err(|e| JsError::new(&format!("{what}: {e}")))?.bytes;
    <[u8; N]>::try_from(bytes.as_slice())
        .map(Some)
        .map_err(|_| JsError::new(&format!("{what}: {} bytes, {N} expected", bytes.len())))
}

/// `en`, `zh`, or several (`en,zh`): the first is the language of `dissection`.
fn languages(spec: &str) -> Result<Vec<Lang>, JsError> {
    let langs: Vec<Lang> =
        spec.split(',').map(|l| l.trim().parse()).collect::<Result<_, String>>().map_err(|e| JsError::new(&e))?;
    if langs.is_empty() {
        return Err(JsError::new("no language"));
    }
    Ok(langs)
}

fn options(
    protocol: &str,
    lang: &str,
    cipher_key: Option<String>,
    auth_key: Option<String>,
    system_title: Option<String>,
) -> Result<Options, JsError> {
    let lang = languages(lang)?[0];
    let keys = Keys {
        cipher_key: hex_key::<16>(cipher_key, "cipherKey")?,
        auth_key: hex_key::<16>(auth_key, "authKey")?,
        system_title: hex_key::<8>(system_title, "systemTitle")?,
    };
    Ok(Options { lang, protocol: Some(protocol.to_string()), keys, strict: false })
}

/// Decode an input text (hex in any shape, base64 or a text telegram); returns
/// `{ bytes: "68 1F …", kind, dissection }` as JSON. With several languages
/// (`lang` = `en,zh`), `dissection` is in the first and `rendered` holds the
/// same dissection in each (`{ en, zh }`), decoded once. Unusable input
/// throws its message (`line 1, column 5: …`).
#[wasm_bindgen(js_name = decodeInput)]
pub fn decode_input(
    input: &str,
    protocol: &str,
    lang: &str,
    cipher_key: Option<String>,
    auth_key: Option<String>,
    system_title: Option<String>,
) -> Result<String, JsError> {
    let opts = options(protocol, lang, cipher_key, auth_key, system_title)?;
    let parsed = parse_input(input).map_err(|e| JsError::new(&e.to_string()))?;
    let each = render_each(registry(), &parsed.bytes, &parsed.line_starts, &opts, &languages(lang)?);
    wrap(&parsed.bytes, parsed.kind.as_str(), &each)
}

/// Decode raw bytes; same result shape as [`decode_input`].
#[wasm_bindgen(js_name = decodeBytes)]
pub fn decode_bytes(
    bytes: &[u8],
    protocol: &str,
    lang: &str,
    cipher_key: Option<String>,
    auth_key: Option<String>,
    system_title: Option<String>,
) -> Result<String, JsError> {
    let opts = options(protocol, lang, cipher_key, auth_key, system_title)?;
    let each = render_each(registry(), bytes, &[], &opts, &languages(lang)?);
    wrap(bytes, "bytes", &each)
}

fn wrap(bytes: &[u8], kind: &str, each: &[(Lang, meterscope_core::Dissection)]) -> Result<String, JsError> {
    let Some((_, first)) = each.first() else { return Err(JsError::new("no language")) };
    let mut out = Json::new();
    out.begin_object().key("bytes").str(&meterscope_core::to_hex(bytes)).key("kind").str(kind);
    out.key("dissection").dissection(first);
    if each.len() > 1 {
        out.key("rendered").begin_object();
        for (lang, d) in each {
            out.key(lang.code()).dissection(d);
        }
        out.end_object();
    }
    out.end_object();
    Ok(out.finish())
}

/// Ranked protocol guesses for raw bytes, as JSON `[{protocol, title, score, offset}]`.
#[wasm_bindgen(js_name = detectBytes)]
pub fn detect_bytes(bytes: &[u8], lang: &str) -> Result<String, JsError> {
    let lang: Lang = lang.parse().map_err(|e: String| JsError::new(&e))?;
    let mut out = Json::new();
    out.guesses(&registry().detect(bytes, lang));
    Ok(out.finish())
}

/// The decoder page's link to `input` (its URL fragment, without `#`), in
/// the page's own permalink format: `i=<input>&p=<protocol>&l=<lang>`.
#[wasm_bindgen]
pub fn permalink(input: &str, protocol: &str, lang: &str) -> String {
    let p = meterscope_ui::permalink::Permalink {
        input: input.to_string(),
        protocol: protocol.to_string(),
        lang: lang.parse().ok(),
        ..Default::default()
    };
    meterscope_ui::permalink::encode_plain(&p)
}

/// Names of the protocols (`auto` plus the registry), as JSON.
#[wasm_bindgen(js_name = protocolNames)]
pub fn protocol_names() -> String {
    let mut names = vec!["auto"];
    names.extend(registry().names());
    let mut out = Json::new();
    out.strs(&names);
    out.finish()
}

/// Split and dissect raw bytes; returns the number of frames and junk entries
/// (benchmark entry point: the same work as the native benchmark, without serialisation).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = dissectCount)]
pub fn dissect_count(bytes: &[u8]) -> u32 {
    let d = registry().dissect(bytes, &[], &Options::default());
    d.frames.len() as u32 + d.junk.len() as u32
}

/// Dissect many inputs laid end to end in `bytes`, input `i` ending at
/// `ends[i]`, each on its own as [`dissect_count`] does; returns the frames
/// and junk entries of all (benchmark entry point: the native benchmark's
/// loop run inside the module, so that a pass crosses from JavaScript once
/// and copies its inputs once, as the log worker's calls do).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = dissectCountEach)]
pub fn dissect_count_each(bytes: &[u8], ends: &[u32]) -> u32 {
    each(bytes, ends, dissect_count)
}

/// Split many inputs laid end to end (see [`dissect_count_each`]); returns the
/// pieces of all.
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = splitCountEach)]
pub fn split_count_each(bytes: &[u8], ends: &[u32]) -> u32 {
    each(bytes, ends, split_count)
}

/// `work` on each input of `bytes` cut at `ends` (an end past the bytes or
/// before the previous end stops the walk).
#[cfg(feature = "worker")]
fn each(bytes: &[u8], ends: &[u32], work: fn(&[u8]) -> u32) -> u32 {
    let mut start = 0usize;
    let mut sum = 0u32;
    for &end in ends {
        let end = end as usize;
        let Some(input) = bytes.get(start..end) else { break };
        sum = sum.wrapping_add(work(input));
        start = end;
    }
    sum
}

/// Split raw bytes into frames and junk without dissecting them; returns the
/// number of pieces (benchmark entry point: framing only, the first half of
/// [`dissect_count`]).
#[cfg(feature = "worker")]
#[wasm_bindgen(js_name = splitCount)]
pub fn split_count(bytes: &[u8]) -> u32 {
    registry().split(bytes, &[], &Options::default()).len() as u32
}

#[cfg(feature = "worker")]
mod log;
#[cfg(feature = "worker")]
pub use log::LogSplitter;

#[cfg(all(test, feature = "worker"))]
mod worker_tests {
    use super::*;

    #[test]
    fn each_form_sums_the_inputs_counted_one_by_one() {
        let inputs: [&[u8]; 3] = [
            // DL/T 645-2007 read of 02010100 to 000000000001, junk before it.
            &[0x00, 0x68, 0x01, 0, 0, 0, 0, 0, 0x68, 0x11, 0x04, 0x33, 0x34, 0x34, 0x35, 0xB6, 0x16],
            &[0x55; 7],
            &[],
        ];
        let joined: Vec<u8> = inputs.concat();
        let ends: Vec<u32> = inputs
            .iter()
            .scan(0u32, |at, s| {
                *at += s.len() as u32;
                Some(*at)
            })
            .collect();
        let first = registry().dissect(inputs[0], &[], &Options::default());
        assert!(first.frames.iter().any(|f| f.protocol == "dlt645-2007" && f.valid));
        let one_by_one: u32 = inputs.iter().map(|s| dissect_count(s)).sum();
        assert!(one_by_one >= 3);
        assert_eq!(dissect_count_each(&joined, &ends), one_by_one);
        let split: u32 = inputs.iter().map(|s| split_count(s)).sum();
        assert_eq!(split_count_each(&joined, &ends), split);
        // An end out of order or past the bytes stops the walk.
        assert_eq!(dissect_count_each(&joined, &[ends[0], 1]), dissect_count(inputs[0]));
        assert_eq!(dissect_count_each(&joined, &[999]), 0);
    }
}
