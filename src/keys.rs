//! The DLMS key panel: cipher key, authentication key and system title typed
//! by the user. Kept in memory only: never in the permalink, never in storage.

use leptos::prelude::*;
use meterscope_core::{Keys, parse_input};

use crate::app::AppState;
use crate::i18n::t;

/// Green Book (DLMS UA 1000-2) example keys, for trying the published frames.
pub const TEST_CIPHER_KEY: &str = "000102030405060708090A0B0C0D0E0F";
pub const TEST_AUTH_KEY: &str = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";

fn fixed<const N: usize>(text: &str, what: &str) -> Result<Option<[u8; N]>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bytes = parse_input(text).map_err(|e| format!("{what}: {e}"))?.bytes;
    <[u8; N]>::try_from(bytes.as_slice()).map(Some).map_err(|_| format!("{what}: {} bytes, {N} expected", bytes.len()))
}

/// Parse the three fields; empty fields are absent.
pub fn parse_keys(cipher: &str, auth: &str, title: &str) -> Result<Keys, String> {
    Ok(Keys {
        cipher_key: fixed::<16>(cipher, "cipher key")?,
        auth_key: fixed::<16>(auth, "authentication key")?,
        system_title: fixed::<8>(title, "system title")?,
    })
}

#[component]
pub fn KeyPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let cipher = RwSignal::new(String::new());
    let auth = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let error = Memo::new(move |_| match parse_keys(&cipher.get(), &auth.get(), &title.get()) {
        Ok(k) => {
            if st.keys.get_untracked() != k {
                st.keys.set(k);
            }
            None
        }
        Err(e) => Some(e),
    });
    let field = move |sig: RwSignal<String>, key: &'static str, testid: &'static str, size: usize| {
        view! {
            <label>{move || t(lang.get(), key)}" "
                <input data-testid=testid type="text" spellcheck="false" autocomplete="off" size=size
                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <details class="keys" data-testid="keys">
            <summary>{move || t(lang.get(), "keys.title")}</summary>
            <div class="key-fields">
                {field(cipher, "keys.cipher", "key-cipher", 34)}
                {field(auth, "keys.auth", "key-auth", 34)}
                {field(title, "keys.title_field", "key-title", 18)}
                <button data-testid="key-test" on:click=move |_| {
                    cipher.set(TEST_CIPHER_KEY.into());
                    auth.set(TEST_AUTH_KEY.into());
                }>{move || t(lang.get(), "keys.test")}</button>
                <button on:click=move |_| { cipher.set(String::new()); auth.set(String::new()); title.set(String::new()); }>
                    {move || t(lang.get(), "keys.clear")}
                </button>
            </div>
            <p class="hint">{move || t(lang.get(), "keys.hint")}</p>
            {move || error.get().map(|e| view! { <p class="input-error" data-testid="key-error">{e}</p> })}
        </details>
    }
}
