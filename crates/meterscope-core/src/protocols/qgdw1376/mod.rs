//! Q/GDW 1376.1 and Q/GDW 1376.2: the State Grid power user electricity
//! information collection protocols.
//!
//! - Q/GDW 1376.1-2013 (terminal ⇄ master station; Q/GDW 130-2005 frames,
//!   told apart by the protocol identifier of L, read the same way):
//!   [`gdw1`], registry entry `qgdw1376.1`.
//! - Q/GDW 1376.2-2013 (concentrator ⇄ local communication module):
//!   [`gdw2`], registry entry `qgdw1376.2`.
//! - [`frame`]: framing and fit scores (DL/T 645, DL/T 698.45 and both parts
//!   start with 0x68; the structure tells them apart).
//! - [`common`]: data unit identifiers (pn, Fn) and the data formats of
//!   appendix A; [`names`]: AFN, Fn, ERC names; [`nested`]: forwarded
//!   DL/T 645 and DL/T 698.45 frames dissected in place; [`multiframe`]:
//!   multi-frame 1376.1 answers (FIR/FIN) joined across frames.

pub mod client;
pub mod codec;
pub mod common;
pub mod concentrator;
pub mod frame;
pub mod gdw1;
pub mod gdw2;
mod labels;
pub mod master;
pub mod module;
pub mod multiframe;
pub mod names;
pub mod nested;
#[cfg(test)]
mod session_tests;
pub mod terminal;
#[cfg(test)]
mod tests;

pub use labels::LABELS;

use crate::lang::Lang;
use crate::model::Frame;
use crate::registry::{FrameStatus, Options, Protocol};

/// Q/GDW 1376.1 (and Q/GDW 130-2005) for the registry.
pub struct Qgdw13761;

/// Q/GDW 1376.2 for the registry.
pub struct Qgdw13762;

/// Both parts, 1376.1 first.
pub fn protocols() -> Vec<Box<dyn Protocol>> {
    vec![Box::new(Qgdw13761), Box::new(Qgdw13762)]
}

impl Protocol for Qgdw13761 {
    fn name(&self) -> &'static str {
        gdw1::NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Q/GDW 1376.1 (terminal ⇄ master station)", "Q/GDW 1376.1（终端与主站）")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame_1(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        b == frame::START
    }

    fn score(&self, f: &[u8]) -> u8 {
        frame::score_1(f)
    }

    fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
        gdw1::dissect(f, base)
    }
}

impl Protocol for Qgdw13762 {
    fn name(&self) -> &'static str {
        gdw2::NAME
    }

    fn title(&self, lang: Lang) -> &'static str {
        lang.pick("Q/GDW 1376.2 (concentrator ⇄ local module)", "Q/GDW 1376.2（集中器与本地通信模块）")
    }

    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        frame::frame_2(bytes)
    }

    fn may_start(&self, b: u8) -> bool {
        b == frame::START
    }

    fn score(&self, f: &[u8]) -> u8 {
        frame::score_2(f)
    }

    fn dissect(&self, f: &[u8], base: usize, _: &Options) -> Frame {
        gdw2::dissect(f, base)
    }
}
