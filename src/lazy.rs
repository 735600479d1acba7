//! The reader as a module loaded on first use: the decoder page carries no
//! session, flow, transport or chart. The first time the reader tab is opened,
//! the page imports `reader/meterscope_reader.js` (`crates/meterscope-reader`,
//! built by `scripts/build-embed.sh`), mounts it into the reader panel and
//! keeps its language and keys in step; the reader sends frames back to the
//! decoder through a callback.

use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::Keys;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::{AppState, Tab};
use crate::dissector;
use crate::i18n::t;

#[wasm_bindgen(inline_js = "export function load_module(url) { \
    return import(new URL(url, document.baseURI).href).then(async (m) => { await m.default(); return m; }); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn load_module(url: &str) -> Result<JsValue, JsValue>;

    /// The reader module's exports.
    type ReaderModule;
    #[wasm_bindgen(method)]
    fn mount(
        this: &ReaderModule,
        parent: &web_sys::HtmlElement,
        lang: &str,
        to_decoder: &js_sys::Function,
        summarize: &js_sys::Function,
        dissect: &js_sys::Function,
        link: &JsValue,
    ) -> Reader;

    /// The mounted reader.
    type Reader;
    #[wasm_bindgen(method, js_name = setLang)]
    fn set_lang(this: &Reader, lang: &str);
    #[wasm_bindgen(method, js_name = setLink)]
    fn set_link(this: &Reader, protocol: &str, selection: &str);
    #[wasm_bindgen(method, js_name = setKeys)]
    fn set_keys(this: &Reader, cipher_key: Option<Vec<u8>>, auth_key: Option<Vec<u8>>, system_title: Option<Vec<u8>>);
}

/// Where the reader module is served, relative to the page.
pub const READER_MODULE: &str = "reader/meterscope_reader.js";

fn js_text(e: JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

fn send_keys(reader: &Reader, k: &Keys) {
    reader.set_keys(
        k.cipher_key.map(|k| k.to_vec()),
        k.auth_key.map(|k| k.to_vec()),
        k.system_title.map(|k| k.to_vec()),
    );
}

/// One line naming what the bytes of a trace entry are: each frame's protocol
/// and what its dissection says of it (`dlt645-2007 read data (normal reply) ·
/// 00010000 … = 18157.65 kWh`), marked when it is not valid; empty for bytes
/// that are none.
pub fn summary(hex: &str, lang: meterscope_core::Lang) -> String {
    let Ok(input) = meterscope_core::parse_input(hex) else { return String::new() };
    let Some(d) = dissector::dissect_in(&input.bytes, &input.line_starts, "auto", &Keys::default(), lang) else {
        return String::new();
    };
    d.frames
        .iter()
        .filter(|f| f.protocol != "unknown")
        .map(|f| {
            let what = f.tree.text.clone().unwrap_or_else(|| f.tree.label.clone());
            // The measured values it carries (those with a unit), the first few.
            let mut values: Vec<String> = Vec::new();
            f.tree.walk(&mut |n, _| {
                if let (Some(v), Some(u), true) = (&n.value, &n.unit, values.len() < 4) {
                    values.push(format!("{v} {u}"));
                }
            });
            let values = if values.is_empty() { String::new() } else { format!(" = {}", values.join(", ")) };
            let bad = if f.valid { "" } else { lang.pick(" · NOT VALID", " · 无效") };
            format!("{} {what}{values}{bad}", f.protocol)
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The first frame of some bytes (hex) dissected as `protocol` in a
/// language, with a cipher key (hex, or empty), as its JSON view; empty when
/// there is none. The reader's M-Bus, wireless M-Bus and SML sessions read
/// their frames with it, so the reader module carries no dissector of its own.
pub fn dissect_json(protocol: &str, hex: &str, lang: meterscope_core::Lang, key: &str) -> String {
    let Ok(input) = meterscope_core::parse_input(hex) else { return String::new() };
    let cipher_key = meterscope_core::parse_input(key).ok().and_then(|k| <[u8; 16]>::try_from(k.bytes.as_slice()).ok());
    let keys = Keys { cipher_key, ..Keys::default() };
    let Some(d) = dissector::dissect_in(&input.bytes, &input.line_starts, protocol, &keys, lang) else {
        return String::new();
    };
    let Some(f) = d.frames.first() else { return String::new() };
    let mut json = meterscope_core::json::Json::new();
    json.frame(f);
    json.finish()
}

/// The full dissection of some bytes (hex) as the text tree, in a language:
/// what a trace entry of the reader shows when it is opened.
pub fn dissection_text(hex: &str, lang: meterscope_core::Lang) -> String {
    let Ok(input) = meterscope_core::parse_input(hex) else { return String::new() };
    let Some(d) = dissector::dissect_in(&input.bytes, &input.line_starts, "auto", &Keys::default(), lang) else {
        return String::new();
    };
    meterscope_core::text::dissection(&d, &input.bytes, lang)
}

/// The reader panel: empty until the reader tab is first opened, then the
/// reader module mounted in it (a line of text while it loads, or why it did not).
#[component]
pub fn ReaderSlot() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let slot = NodeRef::<leptos::html::Div>::new();
    // Not asked for yet, loading, loaded, or the error.
    let state = RwSignal::new(0u8);
    let error = RwSignal::new(String::new());
    let reader: StoredValue<Option<Reader>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        if st.tab.get() != Tab::Reader || state.get_untracked() != 0 {
            return;
        }
        let Some(parent) = slot.get_untracked() else { return };
        state.set(1);
        spawn_local(async move {
            match load_module(READER_MODULE).await {
                Ok(module) => {
                    let to_decoder = Closure::<dyn Fn(String)>::new(move |hex: String| {
                        st.input.set(hex);
                        st.tab.set(Tab::Decoder);
                    });
                    // The reader's trace names each frame with the page's decoder.
                    let summarize = Closure::<dyn Fn(String, String) -> String>::new(|hex: String, lang: String| {
                        summary(&hex, lang.parse().unwrap_or(meterscope_core::Lang::En))
                    });
                    let dissect = Closure::<dyn Fn(String, String, String, String) -> String>::new(
                        |protocol: String, hex: String, lang: String, key: String| {
                            dissect_json(&protocol, &hex, lang.parse().unwrap_or(meterscope_core::Lang::En), &key)
                        },
                    );
                    // The reader's protocol and identifiers go to its URL.
                    let on_change = Closure::<dyn Fn(String, String)>::new(move |p: String, q: String| {
                        st.reader_link.set((p, q));
                    });
                    let (init_p, init_q) = st.reader_link.get_untracked();
                    let link = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&link, &"protocol".into(), &init_p.into());
                    let _ = js_sys::Reflect::set(&link, &"selection".into(), &init_q.into());
                    let _ = js_sys::Reflect::set(&link, &"onChange".into(), on_change.as_ref());
                    let explain = Closure::<dyn Fn(String, String) -> String>::new(|hex: String, lang: String| {
                        dissection_text(&hex, lang.parse().unwrap_or(meterscope_core::Lang::En))
                    });
                    let _ = js_sys::Reflect::set(&link, &"explain".into(), explain.as_ref());
                    explain.forget();
                    let module: ReaderModule = module.unchecked_into();
                    let parent: &web_sys::HtmlElement = &parent;
                    let r = module.mount(
                        parent,
                        &lang.get_untracked().to_string(),
                        to_decoder.as_ref().unchecked_ref(),
                        summarize.as_ref().unchecked_ref(),
                        dissect.as_ref().unchecked_ref(),
                        &link,
                    );
                    on_change.forget();
                    to_decoder.forget();
                    summarize.forget();
                    dissect.forget();
                    send_keys(&r, &st.keys.get_untracked());
                    reader.set_value(Some(r));
                    state.set(2);
                }
                Err(e) => {
                    error.set(js_text(e));
                    state.set(3);
                }
            }
        });
    });
    // The page's language and keys, kept in step once the reader is there.
    Effect::new(move |_| {
        let l = lang.get();
        let k = st.keys.get();
        if state.get() == 2 {
            reader.with_value(|r| {
                if let Some(r) = r {
                    r.set_lang(&l.to_string());
                    send_keys(r, &k);
                }
            });
        }
    });
    // A reader URL followed while the reader is open.
    Effect::new(move |_| {
        if let (Some((p, q)), 2) = (st.reader_goto.get(), state.get()) {
            reader.with_value(|r| {
                if let Some(r) = r {
                    r.set_link(&p, &q);
                }
            });
        }
    });
    view! {
        {move || match state.get() {
            1 => Some(view! { <p class="hint" data-testid="reader-loading">{t(lang.get(), "reader.loading")}</p> }.into_any()),
            3 => Some(view! {
                <p class="error" data-testid="reader-error">{format!("{}: {}", t(lang.get(), "reader.load_failed"), error.get())}</p>
            }.into_any()),
            _ => None,
        }}
        <div node_ref=slot></div>
    }
}
