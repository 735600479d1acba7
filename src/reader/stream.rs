//! The raw trace streamed to a file as it grows, for sessions too long to
//! keep in the page (the page keeps the last entries only): the user picks
//! a file (File System Access API, Chrome and Edge), every entry goes to it
//! in the trace's text form (requests, each piece of bytes received with its
//! time, notes), written at the file's end every second, so a closed tab
//! loses a second at most, until the user stops.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::TraceEntry;

/// The file being written: its handle, name and size, the lines not yet written.
struct File {
    handle: JsValue,
    name: String,
    size: usize,
    pending: String,
    lines: usize,
    stopping: bool,
    /// Why the last write to the file failed, if it did.
    failed: Option<String>,
}

thread_local! {
    static FILE: RefCell<Option<File>> = const { RefCell::new(None) };
    /// A write to the file is under way.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// How often what has come is written to the file (and so kept if the tab closes).
const EVERY_MS: u32 = 1000;

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

/// Ask for a file (a user gesture), empty it and start writing to it every
/// second; its name.
pub async fn start() -> Result<String, String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let options = Object::new();
    let _ = Reflect::set(&options, &"suggestedName".into(), &"meterscope-trace.txt".into());
    let handle = call(&window, "showSaveFilePicker", &[options.into()]).await?;
    let empty = call(&handle, "createWritable", &[]).await?;
    call(&empty, "close", &[]).await?;
    let name = Reflect::get(&handle, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    FILE.with(|f| {
        *f.borrow_mut() = Some(File {
            handle,
            name: name.clone(),
            size: 0,
            pending: String::new(),
            lines: 0,
            stopping: false,
            failed: None,
        })
    });
    spawn_local(async {
        loop {
            gloo_timers::future::TimeoutFuture::new(EVERY_MS).await;
            let stopping = FILE.with(|f| f.borrow().as_ref().is_none_or(|f| f.stopping));
            let result = flush().await;
            FILE.with(|f| {
                if let Some(f) = f.borrow_mut().as_mut() {
                    f.failed = result.err();
                }
            });
            if stopping {
                FILE.with(|f| f.borrow_mut().take());
                break;
            }
        }
    });
    Ok(name)
}

/// Write what has come since the last write at the end of the file, and
/// close it, so it is on disk (a writable stream of the File System Access
/// API reaches the file only when closed).
async fn flush() -> Result<(), String> {
    let Some((handle, text, at)) = FILE.with(|f| {
        let mut f = f.borrow_mut();
        let f = f.as_mut()?;
        if f.pending.is_empty() {
            return None;
        }
        let text = std::mem::take(&mut f.pending);
        let at = f.size;
        f.size += text.len();
        Some((f.handle.clone(), text, at))
    }) else {
        return Ok(());
    };
    BUSY.with(|b| b.set(true));
    let result = async {
        let options = Object::new();
        let _ = Reflect::set(&options, &"keepExistingData".into(), &JsValue::TRUE);
        let w = call(&handle, "createWritable", &[options.into()]).await?;
        call(&w, "seek", &[JsValue::from_f64(at as f64)]).await?;
        call(&w, "write", &[JsValue::from_str(&text)]).await?;
        call(&w, "close", &[]).await.map(|_| ())
    }
    .await;
    BUSY.with(|b| b.set(false));
    result
}

/// Append an entry (its text line); nothing when no file is open.
pub fn write(entry: &TraceEntry) {
    FILE.with(|f| {
        if let Some(f) = f.borrow_mut().as_mut().filter(|f| !f.stopping) {
            f.pending.push_str(&super::trace::text(std::slice::from_ref(entry)));
            f.lines += 1;
        }
    });
}

/// The open file's name (with why the last write failed, if it did) and the entries given to it.
pub fn status_line() -> Option<(String, usize)> {
    FILE.with(|f| {
        f.borrow().as_ref().filter(|f| !f.stopping).map(|f| {
            let name = match &f.failed {
                Some(e) => format!("{} ({e})", f.name),
                None => f.name.clone(),
            };
            (name, f.lines)
        })
    })
}

/// Stop: what is left is written and the file let go.
pub async fn stop() -> Result<(), String> {
    FILE.with(|f| {
        if let Some(f) = f.borrow_mut().as_mut() {
            f.stopping = true;
        }
    });
    // The writing loop writes the rest and lets the file go.
    while FILE.with(|f| f.borrow().is_some()) || BUSY.with(Cell::get) {
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    Ok(())
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
