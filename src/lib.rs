//! meterscope web app: the decoder page and the reader, rendered client-side with Leptos.
//!
//! The app renders whatever dissection the core returns; protocol knowledge
//! lives in `meterscope-core` only. The crate is empty except on wasm32.
#![cfg(target_arch = "wasm32")]

pub mod app;
pub mod ble;
pub mod decoder;
pub mod dissector;
pub mod export;
pub mod keys;
pub mod lazy;
pub mod perf;
pub mod reader;
pub mod serial;
pub mod transport;

pub use meterscope_ui::{examples, i18n, inspector, permalink, view_model};

pub use app::App;
