//! The page's dissections, made by the decoder module: the app links no
//! dissector and no dictionary. The module is the embeddable decoder's
//! (`crates/meterscope-wasm`, `embed/v<version>/`), one file for the page and
//! for pages that embed the decoder. `index.html` starts loading it before the
//! app's own module, so both download and compile side by side; [`load`]
//! awaits it, and every call after that is synchronous. Dissections cross as
//! packed views (`meterscope_core::pack`).
//!
//! A dissection is kept in the module, in no language, under a handle
//! ([`Held`]): a language switch renders it again without dissecting, and the
//! handle is released when the page drops its decode.
//!
//! The page's tests install an [`Engine`] that links the same functions
//! directly ([`install`]).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use meterscope_core::view::{Dissection, Frame};
use meterscope_core::{Keys, Lang, pack};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Where the decoder module is served, relative to the page (as in `index.html`).
pub const MODULE: &str = "embed/v0.1.0/meterscope_wasm.js";

/// What makes dissections: the decoder module, or in tests the same
/// functions linked in.
pub trait Engine {
    /// Dissect and keep, in no language; returns the handle.
    fn dissect(&self, bytes: &[u8], line_starts: &[u32], protocol: &str, keys: &Keys) -> u32;
    /// A kept dissection rendered in `lang`, packed (empty for an unknown handle).
    fn render(&self, handle: u32, lang: Lang) -> Vec<u8>;
    fn release(&self, handle: u32);
    /// One frame of a long log dissected as `protocol`, rendered and packed.
    fn piece(&self, protocol: &str, bytes: &[u8], base: usize, lang: Lang, keys: &Keys) -> Vec<u8>;
    /// Ranked guesses, a line each: `protocol score`.
    fn guesses(&self, bytes: &[u8], lang: Lang) -> String;
    /// The registry's protocols, a line each: `name`, or `name text` for text protocols.
    fn protocols(&self) -> String;
}

/// Whether dissections can be made yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Loading,
    Ready,
    /// The module did not load: why.
    Failed(String),
}

thread_local! {
    static ENGINE: RefCell<Option<Rc<dyn Engine>>> = const { RefCell::new(None) };
    /// Reference-counted, so that no component's owner disposes of it.
    static STATE: ArcRwSignal<State> = ArcRwSignal::new(State::Loading);
    /// The registry's protocols and whether their frames are text, once the engine is there.
    static PROTOCOLS: ArcRwSignal<Vec<(String, bool)>> = ArcRwSignal::new(Vec::new());
}

/// The engine's state, tracked: a memo that reads it decodes again once the
/// module is there.
pub fn state() -> State {
    STATE.with(|s| s.get())
}

/// True once dissections can be made (tracked).
pub fn ready() -> bool {
    STATE.with(|s| s.with(|s| *s == State::Ready))
}

/// Use `engine` for every dissection from now on.
pub fn install(engine: Rc<dyn Engine>) {
    let protocols = engine
        .protocols()
        .lines()
        .map(|l| match l.split_once(' ') {
            Some((name, kind)) => (name.to_string(), kind == "text"),
            None => (l.to_string(), false),
        })
        .collect();
    ENGINE.with_borrow_mut(|e| *e = Some(engine));
    PROTOCOLS.with(|p| p.set(protocols));
    STATE.with(|s| s.set(State::Ready));
}

/// The registry's protocol names (tracked; none until the engine is there).
pub fn protocol_names() -> Vec<String> {
    PROTOCOLS.with(|p| p.with(|p| p.iter().map(|(n, _)| n.clone()).collect()))
}

/// True for a protocol whose frames are text (tracked).
pub fn is_text(protocol: &str) -> bool {
    PROTOCOLS.with(|p| p.with(|p| p.iter().any(|(n, text)| *text && n == protocol)))
}

fn engine() -> Option<Rc<dyn Engine>> {
    ENGINE.with_borrow(|e| e.clone())
}

#[wasm_bindgen(inline_js = "export function decoder_module(url) { \
    if (!window.meterscopeDecoder) window.meterscopeDecoder = import(new URL(url, document.baseURI).href) \
        .then(async (m) => { await m.default(); return m; }); \
    return window.meterscopeDecoder; }")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn decoder_module(url: &str) -> Result<JsValue, JsValue>;

    /// The decoder module's page entry points (`crates/meterscope-wasm/src/page.rs`).
    type Module;
    #[wasm_bindgen(method, js_name = pageDissect)]
    fn page_dissect(
        this: &Module,
        bytes: &[u8],
        line_starts: &[u32],
        protocol: &str,
        cipher_key: Option<Vec<u8>>,
        auth_key: Option<Vec<u8>>,
        system_title: Option<Vec<u8>>,
    ) -> u32;
    #[wasm_bindgen(method, js_name = pageRender)]
    fn page_render(this: &Module, handle: u32, lang: &str) -> Vec<u8>;
    #[wasm_bindgen(method, js_name = pageRelease)]
    fn page_release(this: &Module, handle: u32);
    #[wasm_bindgen(method, js_name = pagePiece)]
    #[allow(clippy::too_many_arguments)]
    fn page_piece(
        this: &Module,
        protocol: &str,
        bytes: &[u8],
        base: usize,
        lang: &str,
        cipher_key: Option<Vec<u8>>,
        auth_key: Option<Vec<u8>>,
        system_title: Option<Vec<u8>>,
    ) -> Vec<u8>;
    #[wasm_bindgen(method, js_name = pageGuesses)]
    fn page_guesses(this: &Module, bytes: &[u8], lang: &str) -> String;
    #[wasm_bindgen(method, js_name = pageProtocols)]
    fn page_protocols(this: &Module) -> String;
}

impl Engine for Module {
    fn dissect(&self, bytes: &[u8], line_starts: &[u32], protocol: &str, k: &Keys) -> u32 {
        let (c, a, s) = key_bytes(k);
        self.page_dissect(bytes, line_starts, protocol, c, a, s)
    }
    fn render(&self, handle: u32, lang: Lang) -> Vec<u8> {
        self.page_render(handle, lang.code())
    }
    fn release(&self, handle: u32) {
        self.page_release(handle)
    }
    fn piece(&self, protocol: &str, bytes: &[u8], base: usize, lang: Lang, k: &Keys) -> Vec<u8> {
        let (c, a, s) = key_bytes(k);
        self.page_piece(protocol, bytes, base, lang.code(), c, a, s)
    }
    fn guesses(&self, bytes: &[u8], lang: Lang) -> String {
        self.page_guesses(bytes, lang.code())
    }
    fn protocols(&self) -> String {
        self.page_protocols()
    }
}

/// Cipher key, authentication key and system title as the module's arguments.
pub type KeyBytes = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The keys as the module's arguments (copied into its memory for one call).
pub fn key_bytes(k: &Keys) -> KeyBytes {
    (k.cipher_key.map(|k| k.to_vec()), k.auth_key.map(|k| k.to_vec()), k.system_title.map(|k| k.to_vec()))
}

/// Load the decoder module (already on its way when `index.html` started
/// it) and make it the engine; does nothing when an engine is installed.
pub fn load() {
    wasm_bindgen_futures::spawn_local(loaded());
}

/// [`load`], awaited: resolves once the module is the engine or has failed.
pub async fn loaded() {
    if engine().is_some() {
        return;
    }
    match decoder_module(MODULE).await {
        Ok(m) => {
            if engine().is_none() {
                install(Rc::new(m.unchecked_into::<Module>()));
                crate::perf::mark("decoder");
            }
        }
        Err(e) => {
            let why = e
                .as_string()
                .or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
                .unwrap_or_else(|| format!("{e:?}"));
            STATE.with(|s| s.set(State::Failed(why)));
        }
    }
}

/// A dissection kept by the engine; released when dropped.
pub struct Held {
    handle: u32,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(engine) = engine() {
            engine.release(self.handle);
        }
    }
}

impl Held {
    /// The dissection in `lang`.
    pub fn render(&self, lang: Lang) -> Dissection {
        engine().and_then(|e| logged(pack::unpack(&e.render(self.handle, lang)))).unwrap_or_default()
    }
}

/// A packed view read back; what does not read back is said on the console.
fn logged<T>(r: Result<T, pack::PackError>) -> Option<T> {
    r.map_err(|e| web_sys::console::error_1(&format!("decoder module: {e}").into())).ok()
}

/// Dissect `bytes` (`protocol`: a name or `auto`) and keep the dissection;
/// `None` until the module is there.
pub fn dissect(bytes: &[u8], line_starts: &[usize], protocol: &str, keys: &Keys) -> Option<Held> {
    let engine = engine()?;
    let lines: Vec<u32> = line_starts.iter().map(|&l| l as u32).collect();
    Some(Held { handle: engine.dissect(bytes, &lines, protocol, keys) })
}

/// Dissect and render once, in `lang`.
pub fn dissect_in(bytes: &[u8], line_starts: &[usize], protocol: &str, keys: &Keys, lang: Lang) -> Option<Dissection> {
    dissect(bytes, line_starts, protocol, keys).map(|h| h.render(lang))
}

/// One frame of a long log (`bytes` start at `base` in the log) dissected as `protocol`.
pub fn piece(protocol: &str, bytes: &[u8], base: usize, lang: Lang, keys: &Keys) -> Option<Frame> {
    logged(pack::unpack_frame(&engine()?.piece(protocol, bytes, base, lang, keys)))
}

/// Ranked guesses for `bytes`: protocol and score, best first (none until the module is there).
pub fn guesses(bytes: &[u8], lang: Lang) -> Vec<(String, u8)> {
    let Some(engine) = engine() else { return Vec::new() };
    engine
        .guesses(bytes, lang)
        .lines()
        .filter_map(|l| {
            let (p, s) = l.split_once(' ')?;
            Some((p.to_string(), s.parse().ok()?))
        })
        .collect()
}
