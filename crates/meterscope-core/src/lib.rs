//! meterscope's protocol core.
//!
//! Pure Rust: no I/O, no clock, no threads, no web APIs. It builds and tests
//! natively and for `wasm32-unknown-unknown`.
//!
//! - [`input`]: tolerant input (hex in any shape, hexdumps, base64, text).
//! - [`model`]: the dissection model, language-neutral: a node arena with
//!   spans, static ids, typed values and messages; rendered for a language
//!   into a [`view`] at the edge.
//! - [`view`]: a dissection rendered for one language, owned and serialisable
//!   (the JSON shape every surface shows).
//! - [`json`]: the views' JSON written without serde (the WebAssembly modules').
//! - [`registry`]: stream framing, auto-detection and protocol override.
//! - [`lang`]: English and Chinese labels keyed by node id.
//! - [`quantity`]: named quantities (`voltage`, `active-energy-import`) and
//!   what they are in every protocol family.

// The core never panics on its input: no `unwrap`, `expect` or `panic!`
// outside tests (a site that cannot fail says why where it is allowed).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod capture;
pub mod client;
pub mod diff;
pub mod error;
pub mod filter;
pub mod input;
pub mod json;
pub mod lang;
pub mod model;
pub mod obis;
pub mod pack;
pub mod protocols;
pub mod quantity;
pub mod registry;
pub mod seriallog;
pub mod session;
pub mod span;
pub mod stream;
#[cfg(test)]
mod testkit;
pub mod text;
pub mod units;
pub mod unknown;
pub mod view;
pub mod wire;

pub use error::{ErrorKind, ParseError};
pub use input::{Input, InputError, InputKind, parse_input, to_hex, to_text};
pub use lang::Lang;
pub use registry::{FrameStatus, Guess, Keys, Options, Protocol, Registry};
pub use span::Span;
pub use view::{Check, Diagnostic, Dissection, Frame, Junk, Node, NodeKind, Severity};

/// The result of decoding one input text, rendered in the language of the options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The input's bytes, shared: a page renders one decode in each language
    /// and keeps a long log's megabytes once, whatever holds them.
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub kind: InputKind,
    pub dissection: Dissection,
}

/// Read an input text and dissect every frame in it with the default registry.
pub fn decode(src: &str, opts: &Options) -> Result<Decoded, InputError> {
    let input = parse_input(src)?;
    let registry = Registry::default();
    let dissection = registry.dissect(&input.bytes, &input.line_starts, opts).render(opts.lang);
    Ok(Decoded { bytes: std::sync::Arc::new(input.bytes), kind: input.kind, dissection })
}

/// One dissection rendered in each of `langs`: decoded once, rendered for
/// every language.
pub fn render_each(
    registry: &Registry,
    bytes: &[u8],
    line_starts: &[usize],
    opts: &Options,
    langs: &[Lang],
) -> Vec<(Lang, Dissection)> {
    let once = registry.dissect(bytes, line_starts, opts);
    langs.iter().map(|&lang| (lang, once.render(lang))).collect()
}

/// Dissect bytes with the default registry and render them in the language of the options.
pub fn dissect_bytes(bytes: &[u8], opts: &Options) -> Dissection {
    Registry::default().dissect(bytes, &[], opts).render(opts.lang)
}
