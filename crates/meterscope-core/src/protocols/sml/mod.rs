//! SML, the Smart Message Language (SML 1.04, BSI TR-03109-1), as German
//! electricity meters send it on their optical interface.
//!
//! - [`frame`]: the transport protocol version 1 (escape sequences,
//!   padding, CRC-16/X-25), registry entry `sml`.
//! - [`dissect`]: the SML file inside: TL fields, every SML_Message with
//!   its own CRC, every message body of the specification, list entries
//!   with OBIS names (the shared [`crate::obis`] names), status word,
//!   times, units (the shared [`crate::units`] table), scaled values.
//! - [`names`]: message body tags, attention numbers, server ids.
//! - [`tl`]: the TL field, read by the dissector and by [`codec`], the
//!   strict parse and emit for programs.

pub mod codec;
pub mod dissect;
pub mod frame;
mod labels;
pub mod names;
pub mod session;
#[cfg(test)]
mod session_tests;
pub mod simulator;
#[cfg(test)]
mod tests;
pub mod tl;

pub use labels::LABELS;

use crate::lang::Lang;
use crate::model::Frame;
use crate::registry::{FrameStatus, Options, Protocol};

/// SML for the registry.
pub struct Sml;

impl Protocol for Sml {
    fn name(&self) -> &'static str {
        dissect::NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("SML (Smart Message Language)", "SML（智能消息语言）")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        b == frame::ESC
    }

    fn score(&self, f: &[u8]) -> u8 {
        frame::score(f)
    }

    fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
        dissect::dissect(f, base)
    }
}
