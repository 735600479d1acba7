//! Wireless M-Bus and OMS: the EN 13757-4 link layer (L, C, M, A and the
//! CRCs of frame formats A and B), the extended link layer (CI 8Ch–8Fh,
//! with AES-128-CTR), the authentication and fragmentation layer (CI 90h,
//! EN 13757-7), the transport layer's short and long headers with the
//! configuration field, security modes 5 and 7 opened with the key a user
//! types, and the application data read by the wired family's code
//! (CI table, data records, headers), registry entry `wmbus`.
//!
//! - [`frame`]: framing, the three shapes (CRCs taken out, format A,
//!   format B) and the fit score;
//! - [`crypto`]: AES-CBC, AES-CTR, AES-CMAC and the key derivation;
//! - [`layers`]: the dissection, layer by layer.
//!
//! Bytes read from a frame with CRCs are read without them (as derived
//! bytes) and every span is then moved back onto the frame's bytes, so a
//! field is highlighted where it stands on the wire.

pub mod crypto;
pub mod frame;
pub mod layers;
pub mod session;
#[cfg(test)]
mod session_tests;
pub mod simulator;
#[cfg(test)]
mod tests;

use super::{Cx, LABELS};
use crate::lang::Lang;
use crate::model::{Frame, NONE, NodeKind, ReadDerived};
use crate::registry::{FrameStatus, Keys, Options, Protocol};
use crate::span::Span;
use frame::Format;

/// Registry name.
pub const NAME: &str = "wmbus";

/// Wireless M-Bus for the registry.
pub struct Wmbus;

impl Protocol for Wmbus {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Wireless M-Bus / OMS (EN 13757-4/-7)", "无线 M-Bus / OMS（EN 13757-4/-7）")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame(bytes)
    }

    /// A telegram starts with its L field, at least 10 (C, M, A and CI).
    fn may_start(&self, b: u8) -> bool {
        b >= frame::MIN_L
    }

    fn score(&self, f: &[u8]) -> u8 {
        frame::score(f)
    }

    fn dissect(&self, f: &[u8], base: usize, opts: &Options) -> Frame {
        dissect(f, base, &opts.keys)
    }
}

/// Dissect one telegram (`bytes[0]` at absolute offset `base`) with the keys given.
pub fn dissect(bytes: &[u8], base: usize, keys: &Keys) -> Frame {
    let mut cx = Cx::new(Frame::new(NAME, bytes, base).with_labels(LABELS), base);
    let root = cx.add(NONE, "wmbus", base, bytes.len(), NodeKind::Data);
    let format = frame::format(bytes);
    if format == Format::Plain {
        layers::telegram(&mut cx, root, bytes, format, keys);
        return cx.f.finish();
    }
    let blocks = frame::blocks(format, bytes.len());
    let mut stripped = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len());
    for &(at, len) in &blocks {
        stripped.extend_from_slice(&bytes[at..at + len]);
        map.extend(at..at + len);
    }
    let marks = (cx.f.nodes.len(), cx.f.diagnostics.len(), cx.f.checks.len());
    cx.derived(&stripped, base, |cx| layers::telegram(cx, root, &stripped, format, keys));
    remap(&mut cx.f, marks, base, &map);
    layers::block_crcs(&mut cx, root, bytes, &blocks);
    cx.f.finish()
}

/// Move the spans of the nodes, diagnostics and checks made since `marks`
/// from offsets in the bytes without CRCs to the frame's own offsets
/// (`map[i]`: where byte `i` without CRCs stands in the frame).
fn remap(f: &mut Frame, (nodes, diags, checks): (usize, usize, usize), base: usize, map: &[usize]) {
    let at = |p: usize| -> usize {
        let i = p.saturating_sub(base);
        match map.get(i) {
            Some(&w) => base + w,
            None => base + map.last().map_or(0, |&w| w + 1),
        }
    };
    let span = |s: Span| -> Span {
        let start = at(s.start);
        if s.end > s.start { Span::new(start, at(s.end - 1) + 1) } else { Span::new(start, start) }
    };
    for n in &mut f.nodes[nodes..] {
        n.span = span(n.span);
    }
    for d in &mut f.diagnostics[diags..] {
        d.span = span(d.span);
    }
    for c in &mut f.checks[checks..] {
        c.span = span(c.span);
    }
}
