//! The page's pure modules (the decoder page's, and the reader's trace formats): no DOM, no Leptos, no web API. The app
//! (`src/lib.rs`, wasm32 only) re-exports them at their old paths
//! (`meterscope::permalink`, …), and their tests run natively under plain
//! `cargo test`.

pub mod examples;
pub mod i18n;
pub mod inspector;
pub mod log_rows;
pub mod permalink;
pub mod reader_options;
pub mod reader_run;
pub mod trace;
pub mod view_model;

#[cfg(test)]
mod examples_tests;
