//! Performance marks of the page's start, for `bench/page.mjs` and the
//! browser's performance panel: `meterscope:main` when the app's module runs
//! (its fetch, compilation and instantiation done), `meterscope:mounted` once
//! the app is in the page, `meterscope:decoded` when the first frame's
//! dissection is ready and `meterscope:rendered` at the animation frame after
//! it is in the document. Each is set once per page load. The first tree's
//! root label carries `elementtiming="tree"`: the browser's element timing
//! gives the moment it was painted.
//!
//! Once the first screen is painted, [`started`] tells the page
//! (`window.meterscopeStarted`, in `index.html`), which then registers the
//! service worker: its install downloads every built file and would
//! otherwise compete with the start.

use std::cell::Cell;
use std::time::Duration;

use wasm_bindgen::JsCast;

thread_local! {
    static FIRST_DECODE: Cell<bool> = const { Cell::new(true) };
}

/// Set the mark `meterscope:{name}` now.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("meterscope:{name}"));
    }
}

/// The first frame's dissection is ready: mark it, and its rendering at the next animation frame.
pub fn first_decode() {
    if FIRST_DECODE.with(|f| f.replace(false)) {
        mark("decoded");
        leptos::prelude::request_animation_frame(|| mark("rendered"));
    }
}

/// Run `f` once the frame being rendered is painted: a task queued from the
/// frame's animation callback runs after its paint. Boxed, so that its users
/// share one copy of the glue.
pub fn after_paint(f: Box<dyn FnOnce()>) {
    leptos::prelude::request_animation_frame(move || leptos::prelude::set_timeout(f, Duration::ZERO));
}

/// The app is mounted: once its first screen is painted, call the page's
/// `meterscopeStarted`, if it has one.
pub fn started() {
    after_paint(Box::new(|| {
        let Some(w) = web_sys::window() else { return };
        let hook = js_sys::Reflect::get(&w, &"meterscopeStarted".into()).ok();
        if let Some(f) = hook.and_then(|h| h.dyn_into::<js_sys::Function>().ok()) {
            let _ = f.call0(&w);
        }
    }));
}
