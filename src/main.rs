#[cfg(target_arch = "wasm32")]
fn main() {
    meterscope::perf::mark("main");
    console_panic_hook();
    // The decoder module has been on its way since index.html started it. A
    // link with an input waits for it, so that the first screen is the
    // decoded one, drawn once; any other start mounts at once and decodes
    // when it is there.
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if meterscope::permalink::decode(hash.trim_start_matches('#')).input.is_empty() {
        meterscope::dissector::load();
        mount();
    } else {
        // At most a few seconds: a module that never comes leaves the page to say so.
        wasm_bindgen_futures::spawn_local(async {
            meterscope::dissector::loaded().await;
            mount();
        });
        wasm_bindgen_futures::spawn_local(async {
            gloo_timers::future::sleep(std::time::Duration::from_secs(3)).await;
            mount();
        });
    }
}

/// Mount the app, once.
#[cfg(target_arch = "wasm32")]
fn mount() {
    thread_local!(static MOUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if MOUNTED.with(|m| m.replace(true)) {
        return;
    }
    leptos::mount::mount_to_body(meterscope::App);
    meterscope::perf::mark("mounted");
    meterscope::perf::started();
}

/// The app runs in the browser only; natively this binary does nothing.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}

/// Panics go to the browser console with their message.
#[cfg(target_arch = "wasm32")]
fn console_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
}
