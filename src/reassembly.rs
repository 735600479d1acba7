//! Multi-frame reassembly for the decoder page: when the input holds
//! DL/T 698.45 link fragments, find them, join them with the core's
//! `reassemble`, and say which part is missing when the sequence is broken;
//! DLMS/COSEM HDLC segments, data blocks and general block transfer, and the
//! HLS-GMAC answers of an association, through the core's `dlms` modules.
//!
//! Pure: 698.45 frames are recognised by parsing them as link frames with the
//! fragment bit set, not by protocol name.

use meterscope_core::protocols::dlms::reassembly::{Analysis, analyse};
use meterscope_core::protocols::dlt698::link::FrameRepr;
use meterscope_core::protocols::dlt698::reassembly::{self, Fragment, FragmentKind, ReassemblyError};
use meterscope_core::{Dissection, Options};

/// One fragment found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Index of the frame in the dissection.
    pub frame: usize,
    pub seq: u16,
    pub kind: FragmentKind,
    /// APDU bytes it carries.
    pub len: usize,
}

/// Why the parts do not make an APDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Parts with these sequence numbers (inclusive) are missing.
    Missing {
        from: u16,
        to: u16,
    },
    /// No first fragment before the parts.
    NoFirst,
    /// The sequence stops before its last fragment.
    NoLast,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassembly {
    pub parts: Vec<Part>,
    pub apdu: Result<Vec<u8>, Problem>,
}

/// The fragments in `d` (over `bytes`) and their reassembly; `None` when the
/// input holds no fragment.
pub fn find(d: &Dissection, bytes: &[u8]) -> Option<Reassembly> {
    let mut parts = Vec::new();
    let mut slices: Vec<&[u8]> = Vec::new();
    for (i, f) in d.frames.iter().enumerate() {
        let Some(raw) = bytes.get(f.span.range()) else { continue };
        let start = raw.iter().take_while(|&&b| b == 0xFE).count();
        let Ok(repr) = FrameRepr::parse(&raw[start..]) else { continue };
        let Some(frag) = Fragment::of(&repr) else { continue };
        if frag.kind == FragmentKind::Confirm {
            continue;
        }
        parts.push(Part { frame: i, seq: frag.seq, kind: frag.kind, len: frag.data.len() });
        slices.push(raw);
    }
    if parts.is_empty() {
        return None;
    }
    let apdu = reassembly::reassemble(&slices).map_err(|e| match e {
        ReassemblyError::Sequence { expected, found, .. } => {
            Problem::Missing { from: expected, to: found.wrapping_sub(1) & 0x0FFF }
        }
        ReassemblyError::Order { index: 0, kind: FragmentKind::Middle | FragmentKind::Last } => Problem::NoFirst,
        ReassemblyError::Unfinished => Problem::NoLast,
        e => Problem::Other(e.to_string()),
    });
    Some(Reassembly { parts, apdu })
}

/// Short name of a fragment kind.
pub fn kind_name(k: FragmentKind) -> &'static str {
    match k {
        FragmentKind::First => "first",
        FragmentKind::Middle => "middle",
        FragmentKind::Last => "last",
        FragmentKind::Confirm => "confirm",
    }
}

/// DLMS/COSEM across the frames of an input: parts joined, HLS-GMAC answers
/// checked with the keys of `opts`, profile buffers as tables.
pub fn dlms(d: &Dissection, bytes: &[u8], opts: &Options) -> Analysis {
    analyse(d, bytes, opts)
}
