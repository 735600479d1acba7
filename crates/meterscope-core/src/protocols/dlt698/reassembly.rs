//! Link-layer fragmentation (DL/T 698.45 clause 5, fragment format field):
//! splitting an APDU into fragments, confirm frames, and reassembly.
//!
//! A frame whose control field has bit 5 set carries a two-byte fragment
//! format field (little-endian) before its piece of the APDU: bits 0–11 the
//! fragment sequence number (0–4095, counting from 0 and wrapping), bits 14–15
//! the fragment type (00 first, 01 last, 10 confirmation, 11 middle). The
//! receiver answers each first and middle fragment with a confirmation frame
//! that carries the sequence number it received and no APDU bytes; the sender
//! sends the next fragment when the confirmation arrives.

use super::link::{self, FrameRepr};
use crate::error::ParseError;
use core::fmt;

/// Control field bit 5: the link user data is a fragment.
pub const FRAGMENT_BIT: u8 = 0x20;
/// Control field bit 3: the link user data is scrambled (+0x33 per byte).
pub const SCRAMBLE_BIT: u8 = 0x08;
/// Largest APDU a reassembler accepts (the length field tops out near 16 MB; meters stay far below).
pub const MAX_APDU: usize = 1 << 20;

/// Fragment type (fragment format bits 15..14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FragmentKind {
    First,
    Last,
    Confirm,
    Middle,
}

impl FragmentKind {
    /// The two type bits.
    pub const fn bits(self) -> u16 {
        match self {
            FragmentKind::First => 0,
            FragmentKind::Last => 1,
            FragmentKind::Confirm => 2,
            FragmentKind::Middle => 3,
        }
    }

    pub const fn from_bits(b: u16) -> FragmentKind {
        match b & 3 {
            0 => FragmentKind::First,
            1 => FragmentKind::Last,
            2 => FragmentKind::Confirm,
            _ => FragmentKind::Middle,
        }
    }
}

/// The fragment format field of `seq` (taken modulo 4096) and `kind`, as sent.
pub fn fragment_header(seq: u16, kind: FragmentKind) -> [u8; 2] {
    ((seq & 0x0FFF) | (kind.bits() << 14)).to_le_bytes()
}

/// One fragment found in the link user data of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    pub seq: u16,
    pub kind: FragmentKind,
    /// The APDU bytes it carries (descrambled).
    pub data: Vec<u8>,
}

impl Fragment {
    /// The fragment of a parsed frame; `None` when the frame is not fragmented
    /// or its user data is shorter than the fragment format field.
    pub fn of(frame: &FrameRepr) -> Option<Fragment> {
        if frame.control & FRAGMENT_BIT == 0 || frame.user_data.len() < 2 {
            return None;
        }
        let w = u16::from_le_bytes([frame.user_data[0], frame.user_data[1]]);
        let raw = &frame.user_data[2..];
        let data = if frame.control & SCRAMBLE_BIT != 0 {
            raw.iter().map(|b| b.wrapping_sub(0x33)).collect()
        } else {
            raw.to_vec()
        };
        Some(Fragment { seq: w & 0x0FFF, kind: FragmentKind::from_bits(w >> 14), data })
    }
}

/// Why fragments did not make one APDU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReassemblyError {
    /// Frame `index` is not a valid frame.
    Frame { index: usize, error: ParseError },
    /// Frame `index` carries no fragment (control bit 5 clear, or no fragment field).
    NotFragment { index: usize },
    /// Frame `index` has sequence number `found`, `expected` was due.
    Sequence { index: usize, expected: u16, found: u16 },
    /// Frame `index` is a fragment of the wrong type here (a middle or last
    /// before a first, a first in the middle, a confirmation).
    Order { index: usize, kind: FragmentKind },
    /// The fragments add up to more than [`MAX_APDU`] bytes.
    TooLong,
    /// The sequence stops before its last fragment.
    Unfinished,
}

impl fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReassemblyError::Frame { index, error } => write!(f, "frame {index}: {error}"),
            ReassemblyError::NotFragment { index } => write!(f, "frame {index} is not a fragment"),
            ReassemblyError::Sequence { index, expected, found } => {
                write!(f, "frame {index} has fragment sequence {found}, {expected} expected")
            }
            ReassemblyError::Order { index, kind } => write!(f, "frame {index}: a {kind:?} fragment is out of place"),
            ReassemblyError::TooLong => write!(f, "the fragments exceed {MAX_APDU} bytes"),
            ReassemblyError::Unfinished => write!(f, "the fragment sequence has no last fragment"),
        }
    }
}

impl std::error::Error for ReassemblyError {}

/// Joins the fragments of one APDU as they arrive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reassembler {
    buf: Vec<u8>,
    /// The sequence number due next, once a first fragment came.
    next: Option<u16>,
}

impl Reassembler {
    pub fn new() -> Self {
        Reassembler::default()
    }

    /// A transfer is under way (a first fragment came, the last not yet).
    pub fn in_progress(&self) -> bool {
        self.next.is_some()
    }

    /// Forget a transfer under way.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.next = None;
    }

    /// Take fragment `index` of a transfer. `Ok(Some(apdu))` when it was the last.
    /// A first fragment always starts a new transfer. On an error the transfer is reset.
    pub fn push(&mut self, index: usize, f: &Fragment) -> Result<Option<Vec<u8>>, ReassemblyError> {
        match (f.kind, self.next) {
            (FragmentKind::Confirm, _) => {
                self.reset();
                return Err(ReassemblyError::Order { index, kind: f.kind });
            }
            (FragmentKind::First, _) => {
                self.buf.clear();
            }
            (_, None) => return Err(ReassemblyError::Order { index, kind: f.kind }),
            (_, Some(expected)) if expected != f.seq => {
                self.reset();
                return Err(ReassemblyError::Sequence { index, expected, found: f.seq });
            }
            _ => {}
        }
        if self.buf.len() + f.data.len() > MAX_APDU {
            self.reset();
            return Err(ReassemblyError::TooLong);
        }
        self.buf.extend_from_slice(&f.data);
        if f.kind == FragmentKind::Last {
            self.next = None;
            return Ok(Some(std::mem::take(&mut self.buf)));
        }
        self.next = Some((f.seq + 1) & 0x0FFF);
        Ok(None)
    }
}

/// Reassemble the APDU carried by a sequence of fragment frames (each one
/// whole link frame; leading `FE` wake-up bytes are skipped). Confirmation
/// frames between the fragments are skipped too, so a capture of both
/// directions can be given as it is.
pub fn reassemble(frames: &[&[u8]]) -> Result<Vec<u8>, ReassemblyError> {
    let mut r = Reassembler::new();
    for (index, bytes) in frames.iter().enumerate() {
        let start = bytes.iter().take_while(|&&b| b == link::WAKE_UP).count();
        let frame = FrameRepr::parse(&bytes[start..]).map_err(|error| ReassemblyError::Frame { index, error })?;
        let f = Fragment::of(&frame).ok_or(ReassemblyError::NotFragment { index })?;
        if f.kind == FragmentKind::Confirm {
            continue;
        }
        if let Some(apdu) = r.push(index, &f)? {
            return Ok(apdu);
        }
    }
    Err(ReassemblyError::Unfinished)
}

/// Split `apdu` into the frames that carry it, each with the address and
/// control of `template` (the fragment bit is set) and at most `max_piece`
/// APDU bytes. Sequence numbers start at `first_seq`. An APDU that fits in
/// one piece still goes as first and last fragment of its own when `max_piece`
/// is smaller than the APDU; callers send unfragmented frames when it fits.
pub fn split(template: &FrameRepr, apdu: &[u8], max_piece: usize, first_seq: u16) -> Vec<FrameRepr> {
    let max_piece = max_piece.max(1);
    let pieces: Vec<&[u8]> = apdu.chunks(max_piece).collect();
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let kind = match i {
                0 if n > 1 => FragmentKind::First,
                _ if i + 1 == n => FragmentKind::Last,
                _ => FragmentKind::Middle,
            };
            let mut user_data = fragment_header(first_seq.wrapping_add(i as u16), kind).to_vec();
            user_data.extend_from_slice(piece);
            FrameRepr {
                control: template.control | FRAGMENT_BIT,
                af: template.af,
                sa: template.sa.clone(),
                ca: template.ca,
                user_data,
            }
        })
        .collect()
}

/// The confirmation of fragment `seq` of `received`: same addresses, direction
/// bit flipped, the initiator bit kept, fragment bit set, no APDU bytes.
pub fn confirm(received: &FrameRepr, seq: u16) -> FrameRepr {
    let control = ((received.control ^ 0x80) & !SCRAMBLE_BIT) | FRAGMENT_BIT;
    FrameRepr {
        control,
        af: received.af,
        sa: received.sa.clone(),
        ca: received.ca,
        user_data: fragment_header(seq, FragmentKind::Confirm).to_vec(),
    }
}

/// Link fragments across the frames of a dissection, joined: the core's
/// analysis `dlt698.reassembly`, with its parts (sequence and type, bytes
/// in the input), what keeps them from an APDU, and the APDU dissected.
pub fn analyses(
    d: &crate::model::Dissection,
    bytes: &[u8],
    opts: &crate::registry::Options,
) -> Vec<crate::model::Analysis> {
    use crate::model::{Analysis, Id, Msg, Part};
    use crate::msg;
    use crate::registry::Protocol;
    use crate::span::Span;
    let mut parts = Vec::new();
    let mut slices: Vec<&[u8]> = Vec::new();
    for (i, f) in d.frames.iter().enumerate() {
        if f.protocol != super::NAME {
            continue;
        }
        let Some(raw) = bytes.get(f.span.range()) else { continue };
        let start = raw.iter().take_while(|&&b| b == 0xFE).count();
        // Only frames with the fragment bit are parsed.
        if raw.get(start + 3).is_none_or(|c| c & FRAGMENT_BIT == 0) {
            continue;
        }
        let Ok(repr) = FrameRepr::parse(&raw[start..]) else { continue };
        let Some(frag) = Fragment::of(&repr) else { continue };
        if frag.kind == FragmentKind::Confirm {
            continue;
        }
        let kind = match frag.kind {
            FragmentKind::First => crate::msg!("first", "起始"),
            FragmentKind::Middle => crate::msg!("middle", "中间"),
            FragmentKind::Last => crate::msg!("last", "最后"),
            FragmentKind::Confirm => crate::msg!("confirm", "确认"),
        };
        let len = frag.data.len();
        let at = f.span.end.saturating_sub(3 + len);
        parts.push(Part {
            frame: i,
            label: msg!("sequence {} {}", "序号 {} {}", frag.seq, kind),
            span: Span::at(at, len),
            len,
        });
        slices.push(&raw[start..]);
    }
    if parts.is_empty() {
        return Vec::new();
    }
    let joined = reassemble(&slices);
    let status = match &joined {
        Ok(apdu) => msg!("{} bytes", "{} 字节", apdu.len()),
        Err(ReassemblyError::Sequence { expected, found, .. }) => {
            let to = found.wrapping_sub(1) & 0x0FFF;
            if *expected == to {
                msg!("missing part: fragment sequence {}", "缺少分帧：序号 {}", *expected)
            } else {
                msg!("missing parts: fragment sequence {}–{}", "缺少分帧：序号 {}–{}", *expected, to)
            }
        }
        Err(ReassemblyError::Order { index: 0, kind: FragmentKind::Middle | FragmentKind::Last }) => {
            crate::msg!("the first fragment is missing", "缺少起始分帧")
        }
        Err(ReassemblyError::Unfinished) => crate::msg!("the last fragment is missing", "缺少结束分帧"),
        Err(e) => Msg::Concat(Box::new([crate::msg!("not reassembled: ", "无法重组："), Msg::owned(e.to_string())])),
    };
    let frame = joined.as_ref().ok().map(|apdu| super::Dlt698Apdu.dissect(apdu, 0, opts));
    vec![Analysis {
        id: Id::Static("dlt698.reassembly"),
        title: crate::msg!("Reassembled APDU (link fragments)", "重组的 APDU（链路分帧）"),
        status,
        ok: joined.is_ok(),
        parts,
        checks: Vec::new(),
        frame,
        labels: super::LABELS,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> FrameRepr {
        FrameRepr { control: 0xC3, af: 0x05, sa: vec![0x12, 0x90, 0x78, 0x56, 0x34, 0x12], ca: 0x10, user_data: vec![] }
    }

    #[test]
    fn header_bits() {
        assert_eq!(fragment_header(0, FragmentKind::First), [0x00, 0x00]);
        assert_eq!(fragment_header(1, FragmentKind::Last), [0x01, 0x40]);
        assert_eq!(fragment_header(2, FragmentKind::Confirm), [0x02, 0x80]);
        // The public vector 698-45: format word 0xF106, sequence 262, middle.
        assert_eq!(fragment_header(262, FragmentKind::Middle), [0x06, 0xC1]);
        assert_eq!(FragmentKind::from_bits(0xF106 >> 14), FragmentKind::Middle);
        assert_eq!(fragment_header(4096 + 5, FragmentKind::First), [0x05, 0x00]);
    }

    #[test]
    fn split_then_reassemble() {
        let apdu: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        let frames = split(&template(), &apdu, 200, 4094);
        assert_eq!(frames.len(), 4);
        let kinds: Vec<FragmentKind> = frames.iter().map(|f| Fragment::of(f).unwrap().kind).collect();
        assert_eq!(kinds, [FragmentKind::First, FragmentKind::Middle, FragmentKind::Middle, FragmentKind::Last]);
        let seqs: Vec<u16> = frames.iter().map(|f| Fragment::of(f).unwrap().seq).collect();
        assert_eq!(seqs, [4094, 4095, 0, 1], "the sequence wraps at 4096");
        let bytes: Vec<Vec<u8>> = frames.iter().map(FrameRepr::emit).collect();
        let refs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
        assert_eq!(reassemble(&refs).unwrap(), apdu);
        // Out of order, missing last, a stray middle.
        let swapped = [refs[0], refs[2], refs[1], refs[3]];
        assert!(matches!(reassemble(&swapped), Err(ReassemblyError::Sequence { index: 1, .. })));
        assert_eq!(reassemble(&refs[..3]), Err(ReassemblyError::Unfinished));
        assert!(matches!(reassemble(&refs[1..]), Err(ReassemblyError::Order { index: 0, .. })));
        let plain = link::FrameRepr { control: 0xC3, user_data: vec![0x85], ..template() }.emit();
        assert_eq!(reassemble(&[&plain]), Err(ReassemblyError::NotFragment { index: 0 }));
    }

    #[test]
    fn confirmations_are_skipped_and_built() {
        let apdu = vec![0xAB; 30];
        let frames = split(&template(), &apdu, 16, 0);
        let c = confirm(&frames[0], 0);
        assert_eq!(c.control, 0x43 | FRAGMENT_BIT, "from the client, client-initiated, fragment");
        assert_eq!(Fragment::of(&c).unwrap(), Fragment { seq: 0, kind: FragmentKind::Confirm, data: vec![] });
        let mut wire: Vec<Vec<u8>> = vec![frames[0].emit(), c.emit(), frames[1].emit()];
        wire[0].splice(0..0, [0xFE, 0xFE]);
        let refs: Vec<&[u8]> = wire.iter().map(Vec::as_slice).collect();
        assert_eq!(reassemble(&refs).unwrap(), apdu);
    }
}
