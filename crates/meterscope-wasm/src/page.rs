//! The decoder page's entry points: the page's own module links no dissector
//! and no dictionary; it loads this module (the embeddable decoder's, one
//! file for both) and asks it for dissections, which cross as packed views
//! (`meterscope_core::pack`).
//!
//! A dissection is kept here in no language under a handle, so a language
//! switch renders it again without dissecting; the page releases the handle
//! when its decode is dropped. The functions are plain Rust too: the page's
//! tests link them directly in place of the module.

use std::cell::RefCell;

use meterscope_core::{Keys, Lang, Options, model, pack};
use wasm_bindgen::prelude::*;

thread_local! {
    /// Dissections the page holds, by handle.
    static HELD: RefCell<(u32, Vec<(u32, model::Dissection)>)> = const { RefCell::new((0, Vec::new())) };
}

fn key<const N: usize>(k: Option<Vec<u8>>) -> Option<[u8; N]> {
    k.and_then(|k| <[u8; N]>::try_from(k.as_slice()).ok())
}

fn options(
    protocol: &str,
    lang: &str,
    cipher_key: Option<Vec<u8>>,
    auth_key: Option<Vec<u8>>,
    system_title: Option<Vec<u8>>,
) -> Options {
    Options {
        lang: lang.parse().unwrap_or(Lang::En),
        protocol: (!protocol.is_empty()).then(|| protocol.to_string()),
        keys: Keys { cipher_key: key(cipher_key), auth_key: key(auth_key), system_title: key(system_title) },
        strict: false,
    }
}

/// Dissect `bytes` (`line_starts`: where the input's lines start, for text
/// protocols; `protocol`: a registry name, `auto` or empty to detect) and keep
/// the dissection, in no language; returns its handle for [`render`] and
/// [`release`].
#[wasm_bindgen(js_name = pageDissect)]
pub fn dissect(
    bytes: &[u8],
    line_starts: &[u32],
    protocol: &str,
    cipher_key: Option<Vec<u8>>,
    auth_key: Option<Vec<u8>>,
    system_title: Option<Vec<u8>>,
) -> u32 {
    // The model is language-neutral: the language of the options is not read
    // until a rendering, which names its own.
    let opts = options(protocol, "en", cipher_key, auth_key, system_title);
    let lines: Vec<usize> = line_starts.iter().map(|&l| l as usize).collect();
    let d = crate::registry().dissect(bytes, &lines, &opts);
    HELD.with_borrow_mut(|(next, held)| {
        *next = next.wrapping_add(1);
        held.push((*next, d));
        *next
    })
}

/// A kept dissection rendered in `lang` and packed; empty for an unknown handle.
#[wasm_bindgen(js_name = pageRender)]
pub fn render(handle: u32, lang: &str) -> Vec<u8> {
    let lang = lang.parse().unwrap_or(Lang::En);
    HELD.with_borrow(|(_, held)| {
        held.iter().find(|(h, _)| *h == handle).map(|(_, d)| pack::pack(&d.render(lang))).unwrap_or_default()
    })
}

/// Forget a kept dissection.
#[wasm_bindgen(js_name = pageRelease)]
pub fn release(handle: u32) {
    HELD.with_borrow_mut(|(_, held)| held.retain(|(h, _)| *h != handle));
}

/// One frame of a long log, already split (`protocol`, its bytes, where they
/// start in the log), dissected, rendered in `lang` and packed.
#[wasm_bindgen(js_name = pagePiece)]
pub fn piece(
    protocol: &str,
    bytes: &[u8],
    base: usize,
    lang: &str,
    cipher_key: Option<Vec<u8>>,
    auth_key: Option<Vec<u8>>,
    system_title: Option<Vec<u8>>,
) -> Vec<u8> {
    let opts = options("", lang, cipher_key, auth_key, system_title);
    pack::pack_frame(&crate::registry().dissect_piece(protocol, bytes, base, &opts).render(opts.lang))
}

/// Ranked guesses for `bytes`, best first: a line each, `protocol score`.
#[wasm_bindgen(js_name = pageGuesses)]
pub fn guesses(bytes: &[u8], lang: &str) -> String {
    let lang = lang.parse().unwrap_or(Lang::En);
    let mut out = String::new();
    for g in crate::registry().detect(bytes, lang) {
        out.push_str(g.protocol);
        out.push(' ');
        out.push_str(&g.score.to_string());
        out.push('\n');
    }
    out
}

/// The registry's protocols, a line each: `name text` for those whose frames
/// are text (shown as text beside the bytes), else the name alone.
#[wasm_bindgen(js_name = pageProtocols)]
pub fn protocols() -> String {
    let registry = crate::registry();
    let mut out = String::new();
    for name in registry.names() {
        out.push_str(name);
        if registry.get(name).is_some_and(|p| p.text()) {
            out.push_str(" text");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use meterscope_core::Registry;

    #[test]
    fn held_rendered_in_each_language_then_released() {
        let bytes = meterscope_core::parse_input("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16").unwrap().bytes;
        let h = dissect(&bytes, &[], "auto", None, None, None);
        let en = pack::unpack(&render(h, "en")).unwrap();
        let zh = pack::unpack(&render(h, "zh")).unwrap();
        assert_eq!(en.frames[0].protocol, "dlt645-2007");
        assert!(en.frames[0].valid);
        assert_ne!(en.frames[0].tree.label, zh.frames[0].tree.label);
        release(h);
        assert!(render(h, "en").is_empty());
        let listed = protocols();
        assert_eq!(listed.lines().count(), Registry::default().names().len());
        assert!(listed.lines().any(|l| l == "dsmr-p1 text"));
        assert!(listed.lines().any(|l| l == "dlt645-2007"));
        assert!(guesses(&bytes, "en").starts_with("dlt645-2007 "));
    }

    /// The page loads this module from `embed/v<version>/`: the path in
    /// `index.html` and in the page's `src/dissector.rs` is this crate's version.
    #[test]
    fn the_page_loads_this_version() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let path = format!("embed/v{}/meterscope_wasm", env!("CARGO_PKG_VERSION"));
        for file in ["index.html", "src/dissector.rs"] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let named = text
                .match_indices("embed/v")
                .filter(|(at, _)| text[at + 7..].starts_with(|c: char| c.is_ascii_digit()))
                .count();
            assert!(named > 0, "{file} names no decoder module");
            assert_eq!(text.matches(&path).count(), named, "{file}: every embed/v… path is {path}");
        }
    }
}
