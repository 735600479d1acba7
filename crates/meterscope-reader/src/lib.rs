//! The reader page as a WebAssembly module of its own: the app loads it when
//! the reader tab is first opened (`reader/meterscope_reader.js`, written by
//! `scripts/build-embed.sh`), so the decoder page never fetches the sessions,
//! flows, transports or chart. The page mounts it into its reader panel and
//! keeps its language and keys in step; the reader hands frames back to the
//! decoder through a callback.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use leptos::prelude::*;
use meterscope::reader::{ReaderHost, ReaderPage};
use meterscope_core::{Keys, Lang};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The mounted reader: the page's handle to keep its language and keys in step.
#[wasm_bindgen]
pub struct Reader {
    host: ReaderHost,
}

fn lang_of(code: &str) -> Lang {
    code.parse().unwrap_or(Lang::En)
}

fn key<const N: usize>(bytes: Option<Vec<u8>>) -> Option<[u8; N]> {
    bytes.and_then(|b| <[u8; N]>::try_from(b.as_slice()).ok())
}

/// Mount the reader page into `parent`, in language `lang` (`en`, `zh`);
/// `to_decoder(hex)` opens a frame in the decoder, `summarize(hex, lang)`
/// names the frames of a trace entry in one line, `dissect(protocol, hex,
/// lang, cipher key hex)` returns the JSON view of a frame the sessions
/// received (both the page's decoder); `link` is `{ protocol, selection,
/// onChange, explain }` (`explain(hex, lang)`: the full dissection as text): the reader opens on that protocol and those identifiers
/// (empty: the defaults) and tells `onChange(protocol, selection)` each
/// change (the page keeps them in its URL).
#[wasm_bindgen]
pub fn mount(
    parent: web_sys::HtmlElement,
    lang: &str,
    to_decoder: js_sys::Function,
    summarize: js_sys::Function,
    dissect: js_sys::Function,
    link: JsValue,
) -> Reader {
    let field = |k: &str| js_sys::Reflect::get(&link, &JsValue::from_str(k)).ok();
    let text = |k: &str| field(k).and_then(|v| v.as_string()).unwrap_or_default();
    let (protocol, selection) = (text("protocol"), text("selection"));
    let on_change: Option<js_sys::Function> = field("onChange").and_then(|f| f.dyn_into().ok());
    let explain: Option<js_sys::Function> = field("explain").and_then(|f| f.dyn_into().ok());
    let explain: meterscope::reader::Summarize = Rc::new(move |hex: &str, lang: Lang| {
        explain
            .as_ref()
            .and_then(|f| f.call2(&JsValue::NULL, &JsValue::from_str(hex), &JsValue::from_str(&lang.to_string())).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    });
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
    let open: Rc<dyn Fn(String)> = Rc::new(move |hex: String| {
        let _ = to_decoder.call1(&JsValue::NULL, &JsValue::from_str(&hex));
    });
    let summary: meterscope::reader::Summarize = Rc::new(move |hex: &str, lang: Lang| {
        summarize
            .call2(&JsValue::NULL, &JsValue::from_str(hex), &JsValue::from_str(&lang.to_string()))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    });
    // The sessions' frames are dissected by the page's decoder: (protocol, hex, language, cipher key hex) → JSON.
    meterscope::reader::host::set(Rc::new(move |protocol: &str, bytes: &[u8], lang: Lang, keys: &Keys| {
        let hex = meterscope_core::to_hex(bytes);
        let key = keys.cipher_key.map(|k| meterscope_core::to_hex(&k)).unwrap_or_default();
        let args = js_sys::Array::of4(
            &JsValue::from_str(protocol),
            &JsValue::from_str(&hex),
            &JsValue::from_str(&lang.to_string()),
            &JsValue::from_str(&key),
        );
        dissect.apply(&JsValue::NULL, &args).ok().and_then(|v| v.as_string()).unwrap_or_default()
    }));
    let changed: meterscope::reader::OnChange = Rc::new(move |p: &str, q: &str| {
        if let Some(f) = &on_change {
            let _ = f.call2(&JsValue::NULL, &JsValue::from_str(p), &JsValue::from_str(q));
        }
    });
    let host = ReaderHost {
        initial: StoredValue::new((protocol, selection)),
        goto: RwSignal::new(None),
        explain: StoredValue::new_local(explain),
        on_change: StoredValue::new_local(changed),
        summarize: StoredValue::new_local(summary),
        lang: RwSignal::new(lang_of(lang)),
        keys: RwSignal::new(Keys::default()),
        to_decoder: StoredValue::new_local(open),
    };
    leptos::mount::mount_to(parent, move || {
        provide_context(host);
        view! { <ReaderPage/> }
    })
    .forget();
    Reader { host }
}

#[wasm_bindgen]
impl Reader {
    /// A reader URL was followed: open its protocol and identifiers.
    #[wasm_bindgen(js_name = setLink)]
    pub fn set_link(&self, protocol: &str, selection: &str) {
        self.host.goto.set(Some((protocol.to_string(), selection.to_string())));
    }

    /// The page's language changed.
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) {
        self.host.lang.set(lang_of(lang));
    }

    /// The key panel's keys changed (absent or of the wrong length: none).
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&self, cipher_key: Option<Vec<u8>>, auth_key: Option<Vec<u8>>, system_title: Option<Vec<u8>>) {
        self.host.keys.set(Keys {
            cipher_key: key(cipher_key),
            auth_key: key(auth_key),
            system_title: key(system_title),
        });
    }
}
