//! Performance marks of the page's start, for `bench/page.mjs` and the
//! browser's performance panel: `meterscope:main` when the app's module runs
//! (its fetch, compilation and instantiation done), `meterscope:mounted` once
//! the app is in the page, `meterscope:decoded` when the first frame's
//! dissection is ready and `meterscope:rendered` at the animation frame after
//! it is in the document. Each is set once per page load.

use std::cell::Cell;

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
