//! The reader page (foundation): Web Serial port, line settings, send bytes,
//! raw trace with each frame one click away from the decoder.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::{parse_input, to_hex};

use crate::app::{AppState, Tab};
use crate::i18n::t;
use crate::serial::{self, Availability, Connection, LineSettings, Parity};

/// Received chunks closer together than this belong to one trace entry.
const GAP_MS: f64 = 40.0;

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub tx: bool,
    /// Milliseconds since the page loaded.
    pub at_ms: f64,
    pub bytes: Vec<u8>,
    pub note: Option<String>,
}

/// Append received bytes to the trace, grouping chunks that arrive within [`GAP_MS`].
pub fn push_rx(trace: &mut Vec<TraceEntry>, at_ms: f64, bytes: &[u8]) {
    if let Some(last) = trace.last_mut()
        && !last.tx
        && last.note.is_none()
        && at_ms - last.at_ms <= GAP_MS
    {
        last.bytes.extend_from_slice(bytes);
        last.at_ms = at_ms;
        return;
    }
    trace.push(TraceEntry { tx: false, at_ms, bytes: bytes.to_vec(), note: None });
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

#[component]
pub fn ReaderPage() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let avail = serial::availability();
    let baud = RwSignal::new(String::from("2400"));
    let parity = RwSignal::new(String::from("E"));
    let status = RwSignal::new(String::new());
    let connected = RwSignal::new(false);
    let trace: RwSignal<Vec<TraceEntry>> = RwSignal::new(Vec::new());
    let tx_text = RwSignal::new(String::from("68 AA AA AA AA AA AA 68 13 00 DF 16"));
    let conn: Rc<RefCell<Option<Rc<Connection>>>> = Rc::new(RefCell::new(None));

    let connect = {
        let conn = conn.clone();
        move |_| {
            let conn = conn.clone();
            let line = LineSettings {
                baud: baud.get_untracked().trim().parse().unwrap_or(2400),
                data_bits: 8,
                parity: Parity::from_code(&parity.get_untracked()),
                stop_bits: 1,
            };
            spawn_local(async move {
                let port = match serial::request_port().await {
                    Ok(p) => p,
                    Err(e) => return status.set(e),
                };
                let c = match Connection::open(port, line).await {
                    Ok(c) => Rc::new(c),
                    Err(e) => return status.set(e),
                };
                *conn.borrow_mut() = Some(c.clone());
                connected.set(true);
                status.set(line.label());
                // Read loop: line errors are noted and reading goes on.
                loop {
                    match c.read().await {
                        Ok(Some(bytes)) => trace.update(|t| push_rx(t, now_ms(), &bytes)),
                        Ok(None) => break,
                        Err(e) => trace.update(|t| {
                            t.push(TraceEntry { tx: false, at_ms: now_ms(), bytes: Vec::new(), note: Some(e) })
                        }),
                    }
                    if !connected.get_untracked() {
                        break;
                    }
                }
            });
        }
    };

    let send = {
        let conn = conn.clone();
        move |_| {
            let Some(c) = conn.borrow().clone() else {
                return;
            };
            let bytes = match parse_input(&tx_text.get_untracked()) {
                Ok(i) => i.bytes,
                Err(e) => return status.set(e.to_string()),
            };
            spawn_local(async move {
                match c.write(&bytes).await {
                    Ok(()) => trace.update(|t| t.push(TraceEntry { tx: true, at_ms: now_ms(), bytes, note: None })),
                    Err(e) => status.set(e),
                }
            });
        }
    };

    let disconnect = {
        let conn = conn.clone();
        move |_| {
            let Some(c) = conn.borrow_mut().take() else {
                return;
            };
            connected.set(false);
            spawn_local(async move {
                if let Err(e) = c.close().await {
                    status.set(e);
                }
            });
        }
    };

    if avail != Availability::Supported {
        let key = if avail == Availability::InsecureContext { "reader.insecure" } else { "reader.unsupported" };
        return view! { <section class="reader"><p class="unsupported" data-testid="serial-unsupported">{move || t(lang.get(), key)}</p></section> }.into_any();
    }

    view! {
        <section class="reader">
            <div class="line">
                <label>{move || t(lang.get(), "reader.baud")}" "
                    <select data-testid="baud" prop:value=move || baud.get() on:change=move |ev| baud.set(event_target_value(&ev))>
                        {["300", "1200", "2400", "4800", "9600", "19200", "38400", "115200"].map(|b| view! { <option value=b>{b}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.parity")}" "
                    <select data-testid="parity" prop:value=move || parity.get() on:change=move |ev| parity.set(event_target_value(&ev))>
                        <option value="E">"8E1"</option><option value="N">"8N1"</option><option value="O">"8O1"</option>
                    </select>
                </label>
                <button data-testid="connect" prop:disabled=move || connected.get() on:click=connect>{move || t(lang.get(), "reader.connect")}</button>
                <button data-testid="disconnect" prop:disabled=move || !connected.get() on:click=disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                <span class="status" data-testid="serial-status">
                    {move || if connected.get() { t(lang.get(), "reader.connected") } else { t(lang.get(), "reader.disconnected") }}
                    " "{move || status.get()}
                </span>
            </div>
            <div class="send">
                <input data-testid="tx-input" spellcheck="false" prop:value=move || tx_text.get() on:input=move |ev| tx_text.set(event_target_value(&ev))/>
                <button data-testid="send" prop:disabled=move || !connected.get() on:click=send>{move || t(lang.get(), "reader.send")}</button>
                <button on:click=move |_| trace.set(Vec::new())>{move || t(lang.get(), "reader.clear")}</button>
            </div>
            <h2>{move || t(lang.get(), "reader.trace")}</h2>
            <ol class="trace" data-testid="trace">
                {move || trace.get().into_iter().map(|e| {
                    let dir = if e.tx { "tx" } else { "rx" };
                    let hex = to_hex(&e.bytes);
                    let hex2 = hex.clone();
                    view! {
                        <li class=format!("t {dir}")>
                            <span class="ts">{format!("{:.0} ms", e.at_ms)}</span>
                            <span class="dir">{move || t(lang.get(), if e.tx { "reader.tx" } else { "reader.rx" })}</span>
                            <code class="bytes">{hex}</code>
                            {e.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                            {(!e.bytes.is_empty()).then(|| view! {
                                <button class="to-decoder" on:click=move |_| { st.input.set(hex2.clone()); st.tab.set(Tab::Decoder); }>
                                    {move || t(lang.get(), "reader.decode")}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}
