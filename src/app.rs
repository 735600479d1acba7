//! The application shell: header, tabs, language and theme, shared state.

use leptos::prelude::*;
use meterscope_core::Lang;

use crate::decoder::DecoderPage;
use crate::i18n::t;
use crate::lazy::ReaderSlot;
use crate::permalink;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Decoder,
    Reader,
}

/// State shared by the pages (all `Copy` signals).
#[derive(Clone, Copy)]
pub struct AppState {
    pub input: RwSignal<String>,
    pub protocol: RwSignal<String>,
    pub lang: RwSignal<Lang>,
    pub tab: RwSignal<Tab>,
    /// Id of the selected node, for the permalink.
    pub selected_id: RwSignal<Option<String>>,
    /// The selected frame (from 0), for the permalink.
    pub frame: RwSignal<usize>,
    /// A frame and node from a permalink, applied by the decoder page once
    /// the link's input is decoded.
    pub pending: RwSignal<Option<(usize, Option<String>)>>,
    /// `auto`, `dark` or `light`.
    pub theme: RwSignal<String>,
    /// Keys from the key panel: memory only, never in the permalink.
    pub keys: RwSignal<meterscope_core::Keys>,
}

fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn browser_lang() -> Lang {
    let lang = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
    if lang.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En }
}

/// The language and theme the user chose last time (the browser's local
/// storage; nothing else of the page is kept there).
fn remembered(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(&format!("meterscope.{key}")).ok()?
}

fn remember(key: &str, value: &str) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item(&format!("meterscope.{key}"), value);
    }
}

/// The permalink of the current state (without `#`).
fn current_fragment(state: AppState) -> String {
    permalink::encode(&permalink::Permalink {
        input: state.input.get(),
        protocol: state.protocol.get(),
        lang: Some(state.lang.get()),
        theme: Some(state.theme.get()).filter(|t| t != "auto"),
        frame: state.frame.get(),
        selected: state.selected_id.get(),
    })
}

#[component]
pub fn App() -> impl IntoView {
    let link = permalink::decode(&location_hash());
    let state = AppState {
        input: RwSignal::new(link.input.clone()),
        protocol: RwSignal::new(link.protocol.clone()),
        lang: RwSignal::new(
            link.lang.or_else(|| remembered("lang").and_then(|l| l.parse().ok())).unwrap_or_else(browser_lang),
        ),
        tab: RwSignal::new(Tab::Decoder),
        selected_id: RwSignal::new(link.selected.clone()),
        frame: RwSignal::new(0),
        pending: RwSignal::new(Some((link.frame, link.selected.clone()))),
        theme: RwSignal::new(link.theme.clone().or_else(|| remembered("theme")).unwrap_or_else(|| "auto".into())),
        keys: RwSignal::new(meterscope_core::Keys::default()),
    };
    provide_context(state);
    let theme = state.theme;

    // A permalink opened in this tab (pasted in the address bar, followed from
    // the page): load it like a fresh start.
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = location_hash();
        if hash.trim_start_matches('#') == current_fragment(state) {
            return;
        }
        let link = permalink::decode(&hash);
        state.pending.set(Some((link.frame, link.selected.clone())));
        state.protocol.set(link.protocol);
        if let Some(l) = link.lang {
            state.lang.set(l);
        }
        state.theme.set(link.theme.unwrap_or_else(|| "auto".into()));
        state.tab.set(Tab::Decoder);
        state.input.set(link.input);
    });
    on_cleanup(move || on_hash.remove());

    // Keep the permalink in the URL fragment (replace, not push: typing makes no history).
    Effect::new(move |_| {
        let fragment = format!("#{}", current_fragment(state));
        if let Some(w) = web_sys::window()
            && w.location().hash().ok().as_deref() != Some(fragment.as_str())
            && let Ok(h) = w.history()
        {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment));
        }
    });

    let lang = state.lang;
    Effect::new(move |_| {
        remember("lang", &lang.get().to_string());
        remember("theme", &theme.get());
    });
    Effect::new(move |_| {
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(root) = doc.as_ref().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", &theme.get());
            let _ = root.set_attribute("lang", if lang.get() == Lang::Zh { "zh-CN" } else { "en" });
        }
        if let Some(d) = doc {
            d.set_title(t(lang.get(), "app.title"));
        }
    });
    let theme_name = move || {
        let l = lang.get();
        let which = match theme.get().as_str() {
            "dark" => t(l, "theme.dark"),
            "light" => t(l, "theme.light"),
            _ => t(l, "theme.auto"),
        };
        format!("{}: {which}", t(l, "theme"))
    };

    view! {
        <header class="top">
            <h1><span class="logo">"meterscope"</span> <small>{move || t(lang.get(), "app.tagline")}</small></h1>
            <nav class="tabs" role="tablist">
                <button role="tab" id="tab-decoder" data-testid="tab-decoder" aria-controls="page-decoder"
                    class:active=move || state.tab.get() == Tab::Decoder
                    aria-selected=move || (state.tab.get() == Tab::Decoder).to_string()
                    on:click=move |_| state.tab.set(Tab::Decoder)>{move || t(lang.get(), "tab.decoder")}</button>
                <button role="tab" id="tab-reader" data-testid="tab-reader" aria-controls="page-reader"
                    class:active=move || state.tab.get() == Tab::Reader
                    aria-selected=move || (state.tab.get() == Tab::Reader).to_string()
                    on:click=move |_| state.tab.set(Tab::Reader)>{move || t(lang.get(), "tab.reader")}</button>
            </nav>
            <div class="prefs">
                <button data-testid="lang" title="English / 中文"
                    on:click=move |_| lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })>
                    {move || if lang.get() == Lang::En { "中文" } else { "English" }}
                </button>
                <button data-testid="theme" title=theme_name aria-label=theme_name
                    on:click=move |_| theme.update(|t| *t = match t.as_str() { "auto" => "dark".into(), "dark" => "light".into(), _ => "auto".into() })>
                    {move || match theme.get().as_str() { "dark" => "☾", "light" => "☀", _ => "◐" }}
                </button>
            </div>
        </header>
        <main>
            // Both pages stay mounted: a serial connection and its trace survive a look at the decoder.
            // The reader is a module of its own, loaded when its tab is first opened.
            <div class="page" id="page-decoder" role="tabpanel" aria-labelledby="tab-decoder"
                hidden=move || state.tab.get() != Tab::Decoder><DecoderPage/></div>
            <div class="page" id="page-reader" role="tabpanel" aria-labelledby="tab-reader"
                hidden=move || state.tab.get() != Tab::Reader><ReaderSlot/></div>
        </main>
    }
}
