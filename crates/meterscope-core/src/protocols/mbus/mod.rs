//! Wired M-Bus: the EN 13757-2 link layer (single character, short,
//! control and long frames; C and A fields; checksum) and the EN 13757-3
//! application layer (CI field, fixed headers, the variable data records
//! with every DIF, DIFE, VIF and VIFE), registry entry `mbus`.
//!
//! - [`frame`]: framing and the fit score (0x68 frames of other families
//!   are told apart by the doubled one-byte L and the second 0x68).
//! - [`link`]: the frame, its control and address fields, CI field, fixed
//!   headers and the application data by CI.
//! - [`records`]: the data records; [`dict`]: the tables of the standard;
//!   [`telegrams`]: multi-telegram reads (DIF 1Fh) joined across frames.
//! - [`wireless`]: wireless M-Bus and OMS (EN 13757-4/-7), registry entry
//!   `wmbus`, on the same CI table, headers and data records.

pub mod dict;
pub mod frame;
mod labels;
pub mod link;
pub mod readings;
pub mod records;
pub mod session;
#[cfg(test)]
mod session_tests;
pub mod simulator;
pub mod telegrams;
#[cfg(test)]
mod tests;
pub mod wireless;

pub use labels::LABELS;

use crate::lang::Lang;
use crate::model::{Frame, Id, Msg, NodeKind, NodeRef, ReadDerived, Severity};
use crate::registry::{FrameStatus, Options, Protocol};
use crate::span::Span;

/// Registry name.
pub const NAME: &str = "mbus";

/// Wired M-Bus for the registry.
pub struct Mbus;

impl Protocol for Mbus {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("M-Bus (EN 13757-2/-3)", "M-Bus（EN 13757-2/-3）")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        matches!(b, frame::ACK | frame::SHORT | frame::LONG)
    }

    fn score(&self, f: &[u8]) -> u8 {
        frame::score(f)
    }

    fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
        link::dissect(f, base)
    }
}

/// The frame being built; offsets are absolute in the input.
pub struct Cx {
    pub f: Frame,
    /// Absolute offset of the frame's first byte.
    pub base: usize,
    /// While bytes derived from the frame are read (decrypted, or with the
    /// wireless link layer's CRCs taken out): the offset their first byte
    /// stands for and where they start in [`Frame::derived`].
    pub src: Option<(usize, u32)>,
    /// Data records and filler runs numbered so far (ids stay unique when
    /// a frame's records are read in more than one piece).
    pub records: u32,
    pub fillers: u32,
}

impl ReadDerived for Cx {
    fn frame_and_source(&mut self) -> (&mut Frame, &mut Option<(usize, u32)>) {
        (&mut self.f, &mut self.src)
    }
}

impl Cx {
    pub fn new(f: Frame, base: usize) -> Self {
        Cx { f, base, src: None, records: 0, fillers: 0 }
    }
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, at: usize, len: usize, kind: NodeKind) -> NodeRef {
        self.f.add(parent, id, Span::at(at, len), kind).index()
    }
    pub fn diag(&mut self, severity: Severity, at: usize, len: usize, code: &'static str, message: Msg) {
        self.f.diag(severity, Span::at(at, len), code, message);
    }
    /// The bytes of an absolute span of this frame (of the derived bytes being read).
    pub fn bytes(&self, at: usize, len: usize) -> &[u8] {
        match self.src {
            None => self.f.slice(Span::at(at, len)),
            Some((at0, k)) => {
                let start = (k as usize + at.saturating_sub(at0)).min(self.f.derived.len());
                let end = start.saturating_add(len).min(self.f.derived.len());
                &self.f.derived[start..end]
            }
        }
    }
}

/// The bytes of a span as hex, from the frame or from the derived bytes
/// being read (`src`, see [`Cx::src`]).
pub fn hex_as(src: Option<(usize, u32)>, span: Span, spaced: bool, reversed: bool) -> Msg {
    match src {
        None => Msg::Hex { span, spaced, reversed },
        Some((at0, k)) => {
            Msg::Derived { at: k + span.start.saturating_sub(at0) as u32, len: span.len() as u32, spaced, reversed }
        }
    }
}

/// The bytes of a span as spaced hex ([`Msg::hex`]), from the frame or the derived bytes.
pub fn hex(src: Option<(usize, u32)>, span: Span) -> Msg {
    hex_as(src, span, true, false)
}
