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
    /// The reader's protocol and identifiers, for its URL (`#/reader?p=…&q=…`).
    pub reader_link: RwSignal<(String, String)>,
    /// A reader URL followed while the reader is open: where it goes.
    pub reader_goto: RwSignal<Option<(String, String)>>,
}

/// The reader's URL fragment: `/reader?l=en&p=dlt698&q=00100200` (theme too when chosen).
pub fn reader_fragment(lang: Lang, theme: &str, protocol: &str, selection: &str) -> String {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let mut out = format!("/reader?l={lang}");
    if theme != "auto" {
        out.push_str(&format!("&t={}", enc(theme)));
    }
    if !protocol.is_empty() {
        out.push_str(&format!("&p={}", enc(protocol)));
    }
    if !selection.is_empty() {
        out.push_str(&format!("&q={}", enc(selection)));
    }
    out
}

/// A reader fragment's fields: language, theme, protocol, identifiers; `None` when it is no reader URL.
pub fn parse_reader_fragment(hash: &str) -> Option<(Option<Lang>, Option<String>, String, String)> {
    let rest = hash.trim_start_matches('#').strip_prefix("/reader")?;
    let (mut lang, mut theme, mut p, mut q) = (None, None, String::new(), String::new());
    for pair in rest.trim_start_matches('?').split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v: String = js_sys::decode_uri_component(v).map(String::from).unwrap_or_else(|_| v.to_string());
        match k {
            "l" => lang = v.parse().ok(),
            "t" if v == "dark" || v == "light" => theme = Some(v),
            "p" => p = v,
            "q" => q = v,
            _ => {}
        }
    }
    Some((lang, theme, p, q))
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

/// The URL fragment of the current state (without `#`): the reader's when
/// the reader is open, else the decoder's permalink.
fn current_fragment(state: AppState) -> String {
    if state.tab.get() == Tab::Reader {
        let (p, q) = state.reader_link.get();
        return reader_fragment(state.lang.get(), &state.theme.get(), &p, &q);
    }
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
    let hash = location_hash();
    let reader_url = parse_reader_fragment(&hash);
    let link = if reader_url.is_some() { permalink::decode("") } else { permalink::decode(&hash) };
    let (reader_lang, reader_theme, reader_p, reader_q) = reader_url.clone().unwrap_or_default();
    let link = permalink::Permalink { lang: link.lang.or(reader_lang), theme: link.theme.or(reader_theme), ..link };
    let state = AppState {
        input: RwSignal::new(link.input.clone()),
        protocol: RwSignal::new(link.protocol.clone()),
        lang: RwSignal::new(
            link.lang.or_else(|| remembered("lang").and_then(|l| l.parse().ok())).unwrap_or_else(browser_lang),
        ),
        tab: RwSignal::new(if reader_url.is_some() { Tab::Reader } else { Tab::Decoder }),
        selected_id: RwSignal::new(link.selected.clone()),
        frame: RwSignal::new(0),
        pending: RwSignal::new(Some((link.frame, link.selected.clone()))),
        theme: RwSignal::new(link.theme.clone().or_else(|| remembered("theme")).unwrap_or_else(|| "auto".into())),
        keys: RwSignal::new(meterscope_core::Keys::default()),
        reader_link: RwSignal::new((reader_p, reader_q)),
        reader_goto: RwSignal::new(None),
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
        if let Some((l, theme, p, q)) = parse_reader_fragment(&hash) {
            if let Some(l) = l {
                state.lang.set(l);
            }
            state.theme.set(theme.unwrap_or_else(|| "auto".into()));
            state.reader_link.set((p.clone(), q.clone()));
            state.reader_goto.set(Some((p, q)));
            state.tab.set(Tab::Reader);
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
