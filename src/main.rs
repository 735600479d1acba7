#[cfg(target_arch = "wasm32")]
fn main() {
    meterscope::perf::mark("main");
    console_panic_hook();
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
