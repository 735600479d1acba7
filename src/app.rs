//! The application shell: header, tabs, language and theme, shared state.

use leptos::prelude::*;
use meterscope_core::Lang;

use crate::decoder::DecoderPage;
use crate::i18n::t;
use crate::permalink;
use crate::reader::ReaderPage;

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

#[component]
pub fn App() -> impl IntoView {
    let link = permalink::decode(&location_hash());
    let state = AppState {
        input: RwSignal::new(link.input.clone()),
        protocol: RwSignal::new(link.protocol.clone()),
        lang: RwSignal::new(link.lang.unwrap_or_else(browser_lang)),
        tab: RwSignal::new(Tab::Decoder),
        selected_id: RwSignal::new(link.selected.clone()),
        keys: RwSignal::new(meterscope_core::Keys::default()),
    };
    provide_context(state);

    // Keep the permalink in the URL fragment (replace, not push: typing makes no history).
    Effect::new(move |_| {
        let p = permalink::Permalink {
            input: state.input.get(),
            protocol: state.protocol.get(),
            lang: Some(state.lang.get()),
            selected: state.selected_id.get(),
        };
        let fragment = format!("#{}", permalink::encode(&p));
        if let Some(w) = web_sys::window()
            && w.location().hash().ok().as_deref() != Some(fragment.as_str())
            && let Ok(h) = w.history()
        {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment));
        }
    });

    let lang = state.lang;
    let theme = RwSignal::new(String::from("auto"));
    Effect::new(move |_| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", &theme.get());
            let _ = root.set_attribute("lang", if lang.get() == Lang::Zh { "zh-CN" } else { "en" });
        }
    });

    view! {
        <header class="top">
            <h1><span class="logo">"meterscope"</span> <small>{move || t(lang.get(), "app.tagline")}</small></h1>
            <nav class="tabs" role="tablist">
                <button role="tab" data-testid="tab-decoder" class:active=move || state.tab.get() == Tab::Decoder
                    on:click=move |_| state.tab.set(Tab::Decoder)>{move || t(lang.get(), "tab.decoder")}</button>
                <button role="tab" data-testid="tab-reader" class:active=move || state.tab.get() == Tab::Reader
                    on:click=move |_| state.tab.set(Tab::Reader)>{move || t(lang.get(), "tab.reader")}</button>
            </nav>
            <div class="prefs">
                <button data-testid="lang" title="English / 中文"
                    on:click=move |_| lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })>
                    {move || if lang.get() == Lang::En { "中文" } else { "English" }}
                </button>
                <button data-testid="theme" title=move || t(lang.get(), "theme")
                    on:click=move |_| theme.update(|t| *t = match t.as_str() { "auto" => "dark".into(), "dark" => "light".into(), _ => "auto".into() })>
                    {move || match theme.get().as_str() { "dark" => "☾", "light" => "☀", _ => "◐" }}
                </button>
            </div>
        </header>
        <main>
            // Both pages stay mounted: a serial connection and its trace survive a look at the decoder.
            <div class="page" hidden=move || state.tab.get() != Tab::Decoder><DecoderPage/></div>
            <div class="page" hidden=move || state.tab.get() != Tab::Reader><ReaderPage/></div>
        </main>
    }
}
