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

pub mod dict;
pub mod frame;
mod labels;
pub mod link;
pub mod records;
pub mod telegrams;
#[cfg(test)]
mod tests;

pub use labels::LABELS;

use crate::lang::Lang;
use crate::model::{Frame, Id, Msg, NodeKind, NodeRef, Severity};
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
}

impl Cx {
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, at: usize, len: usize, kind: NodeKind) -> NodeRef {
        self.f.add(parent, id, Span::at(at, len), kind).index()
    }
    pub fn diag(&mut self, severity: Severity, at: usize, len: usize, code: &'static str, message: Msg) {
        self.f.diag(severity, Span::at(at, len), code, message);
    }
    /// The bytes of an absolute span of this frame.
    pub fn bytes(&self, at: usize, len: usize) -> &[u8] {
        self.f.slice(Span::at(at, len))
    }
}
