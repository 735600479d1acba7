//! The raw trace streamed to a file as it grows, for sessions too long to
//! keep in the page (the page keeps the last entries only): the user picks
//! a file (File System Access API, Chrome and Edge), every entry is written
//! to it in the trace's text form as it happens (requests, each piece of
//! bytes received with its time, notes), until the user stops.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::TraceEntry;

thread_local! {
    /// The open file's stream writer, and its name.
    static FILE: RefCell<Option<(JsValue, String)>> = const { RefCell::new(None) };
    static LINES: Cell<usize> = const { Cell::new(0) };
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f: Function = Reflect::get(obj, &name.into()).map_err(js_err)?.dyn_into().map_err(|_| format!("no {name}"))?;
    let r = f.apply(obj, &args.iter().collect::<js_sys::Array>()).map_err(js_err)?;
    match r.dyn_into::<js_sys::Promise>() {
        Ok(p) => JsFuture::from(p).await.map_err(js_err),
        Err(v) => Ok(v),
    }
}

/// Whether the browser can write a file as it grows.
pub fn available() -> bool {
    web_sys::window().is_some_and(|w| Reflect::get(&w, &"showSaveFilePicker".into()).is_ok_and(|f| f.is_function()))
}

/// Ask for a file (a user gesture) and start writing to it; its name.
pub async fn start() -> Result<String, String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let options = Object::new();
    let _ = Reflect::set(&options, &"suggestedName".into(), &"meterscope-trace.txt".into());
    let handle = call(&window, "showSaveFilePicker", &[options.into()]).await?;
    let writable = call(&handle, "createWritable", &[]).await?;
    let writer = call(&writable, "getWriter", &[]).await?;
    let name = Reflect::get(&handle, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    FILE.with(|f| *f.borrow_mut() = Some((writer, name.clone())));
    LINES.with(|l| l.set(0));
    Ok(name)
}

/// Append an entry (its text line); nothing when no file is open.
pub fn write(entry: &TraceEntry) {
    FILE.with(|f| {
        let Some((writer, _)) = f.borrow().as_ref().cloned() else { return };
        let line = super::trace::text(std::slice::from_ref(entry));
        // The writer queues writes in order; a failed one ends the stream at the next stop.
        if let Ok(w) = Reflect::get(&writer, &"write".into()).and_then(|w| w.dyn_into::<Function>()) {
            let _ = w.call1(&writer, &JsValue::from_str(&line));
            LINES.with(|l| l.set(l.get() + 1));
        }
    });
}

/// The open file's name and the entries written to it.
pub fn status_line() -> Option<(String, usize)> {
    FILE.with(|f| f.borrow().as_ref().map(|(_, name)| (name.clone(), LINES.with(Cell::get))))
}

/// Stop writing and close the file.
pub async fn stop() -> Result<(), String> {
    let Some((writer, _)) = FILE.with(|f| f.borrow_mut().take()) else { return Ok(()) };
    call(&writer, "close", &[]).await.map(|_| ())
}

/// The trace's "Stream to a file" button and what it has written (shown
/// where the browser can write files as they grow).
#[component]
pub fn StreamControls(
    lang: RwSignal<Lang>,
    status: RwSignal<String>,
    trace: RwSignal<Vec<TraceEntry>>,
) -> impl IntoView {
    use super::strings::t;
    let streaming = RwSignal::new(false);
    let toggle = move |_| {
        spawn_local(async move {
            let result = if streaming.get_untracked() { stop().await.map(|_| None) } else { start().await.map(Some) };
            match result {
                Ok(name) => streaming.set(name.is_some()),
                Err(e) => status.set(e),
            }
        });
    };
    available().then(|| {
        view! {
            " "<button class="small" data-testid="trace-stream" on:click=toggle>
                {move || t(lang.get(), if streaming.get() { "reader.stream_stop" } else { "reader.stream" })}</button>
            " "<span class="hint" data-testid="trace-stream-status">{move || {
                trace.track();
                streaming.get().then(status_line).flatten().map(|(name, n)| format!("{name}: {n} {}", t(lang.get(), "reader.stream_lines")))
            }}</span>
        }
    })
}
