//! A trace entry opened in place: its bytes dissected by the page's decoder
//! and shown as the text tree under the entry, made when first opened.

use leptos::prelude::*;
use meterscope_core::Lang;

use super::ReaderHost;
use super::strings::t;

/// "Dissection" under a trace entry with bytes.
#[component]
pub fn Dissected(hex: String, lang: RwSignal<Lang>) -> impl IntoView {
    let st = expect_context::<ReaderHost>();
    let open = RwSignal::new(false);
    view! {
        <details class="dissected" data-testid="trace-dissect" on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            let el: Option<web_sys::HtmlDetailsElement> = ev.target().and_then(|t| t.dyn_into().ok());
            open.set(el.is_some_and(|d| d.open()));
        }>
            <summary>{move || t(lang.get(), "reader.dissection")}</summary>
            {move || open.get().then(|| {
                let text = st.explain.with_value(|f| f(&hex, lang.get()));
                view! { <pre class="dissection" data-testid="trace-dissection">{text}</pre> }
            })}
        </details>
    }
}
