//! Reassembly across the frames of one input: what a DLMS/COSEM exchange
//! splits, joined again and dissected as one.
//!
//! - HDLC segments (IEC 62056-46): I (or UI) frames of one direction whose
//!   format field has the segmentation bit set, up to the frame without it.
//!   The LLC header opens the first segment; the send sequence N(S) counts
//!   the frames modulo 8, so a gap or a repeat is seen.
//! - GET-Response-With-Datablock (IEC 62056-5-3): `C4 02 invoke last-block
//!   block-number(4) 00 raw-data`, block numbers counting from 1; the joined
//!   raw data is the encoded value.
//! - General block transfer (`E0 control block-number(2) ack(2) block-data`):
//!   bit 7 of the control byte marks the last block; the joined block data
//!   is an APDU. Blocks without data are acknowledgements and are skipped.
//!
//! Ciphered APDUs are opened with the user's keys first (the system titles of
//! an AARQ and an AARE in the same input are tried too), so data blocks inside
//! glo-ciphered responses are found. Each reassembly lists its parts (frame,
//! block number, byte range in the input) and names what is wrong: a part
//! missing, repeated, out of order, or the last one never seen.
//!
//! Here the kinds, parts, problems and the entry points; the scan of the
//! frames (segments and blocks followed, the joined bytes dissected) in
//! `scan`, the core's analyses in `analysis`.

use crate::lang::Lang;
use crate::model;
use crate::registry::Options;
use crate::span::Span;
use crate::view::Dissection;

mod analysis;
mod scan;

pub use analysis::{PROFILE, analyses};
pub(super) use scan::{Scanned, Value, scan};

/// The `protocol` of the frames made of joined parts.
pub const REASSEMBLED: &str = "dlms-reassembled";

/// Largest joined APDU or value (a meter's buffer is far below).
pub const MAX_JOINED: usize = 1 << 20;

/// What was split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// HDLC segments of one APDU.
    Segments,
    /// GET-Response-With-Datablock blocks of one value.
    DataBlocks,
    /// General-block-transfer blocks of one APDU.
    BlockTransfer,
}

impl Kind {
    pub fn name(self, lang: Lang) -> &'static str {
        let (en, zh) = self.names();
        lang.pick(en, zh)
    }

    /// The name in English and Chinese.
    pub fn names(self) -> &'static (&'static str, &'static str) {
        match self {
            Kind::Segments => &("HDLC segments", "HDLC 分段"),
            Kind::DataBlocks => &("GET data blocks", "GET 数据块"),
            Kind::BlockTransfer => &("general block transfer", "通用块传输"),
        }
    }
}

/// One part found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Index of the frame in the dissection that holds its first byte.
    pub frame: usize,
    /// Block number; N(S) for HDLC segments (modulo 8).
    pub number: u32,
    pub last: bool,
    /// Where the bytes it contributes are in the input.
    pub span: Span,
    pub len: usize,
}

/// What keeps parts from making a whole, or what was odd about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Parts `from..=to` are not in the input.
    Missing { from: u32, to: u32 },
    /// The first part is not in the input (a segment without the LLC header opens the run).
    NoFirst,
    /// The input ends before the last part.
    NoLast,
    /// Part `number` came again (in frame `frame`); the repeat is left out.
    Duplicate { number: u32, frame: usize },
    /// Part `number` came after a later one (in frame `frame`); joined in its place.
    OutOfOrder { number: u32, frame: usize },
    /// The sender gave up: a data-access-result instead of raw data.
    Aborted { frame: usize, result: u8 },
    /// Frame `frame` fails its HCS or FCS and is left out.
    BadFrame { frame: usize },
    /// The parts add up to more than [`MAX_JOINED`] bytes.
    TooLong,
}

impl Problem {
    /// Whether the parts cannot be joined because of it.
    pub fn fatal(&self) -> bool {
        !matches!(self, Problem::Duplicate { .. } | Problem::OutOfOrder { .. } | Problem::BadFrame { .. })
    }

    /// The problem in words (frame numbers count from 1, as listed).
    pub fn text(&self, lang: Lang) -> String {
        self.msg().to_string(lang)
    }

    /// The problem as a message.
    pub fn msg(&self) -> model::Msg {
        use crate::msg;
        let f = |n: usize| n + 1;
        match *self {
            Problem::Missing { from, to } if from == to => msg!("missing: part {}", "缺少部分 {}", from),
            Problem::Missing { from, to } => msg!("missing: parts {}–{}", "缺少部分 {}–{}", from, to),
            Problem::NoFirst => crate::msg!("missing: the first part", "缺少第一部分"),
            Problem::NoLast => crate::msg!("missing: the last part", "缺少最后部分"),
            Problem::Duplicate { number, frame } => {
                msg!("repeated, left out: part {} #{}", "重复已略过：部分 {} #{}", number, f(frame))
            }
            Problem::OutOfOrder { number, frame } => {
                msg!("out of order: part {} #{}", "乱序：部分 {} #{}", number, f(frame))
            }
            Problem::Aborted { frame, result } => {
                msg!("transfer ended, data-access-result {} #{}", "传输中止，数据访问结果 {} #{}", result, f(frame))
            }
            Problem::BadFrame { frame } => {
                msg!("check failed, left out: frame #{}", "校验错误已略过：帧 #{}", f(frame))
            }
            Problem::TooLong => crate::msg!("the parts exceed 1 MiB", "各部分合计超过 1 MiB"),
        }
    }
}

/// One reassembly: its parts, its problems and, when whole, the joined bytes dissected.
#[derive(Clone, Debug)]
pub struct Reassembled {
    pub kind: Kind,
    pub parts: Vec<Part>,
    pub problems: Vec<Problem>,
    /// The joined bytes (LLC and APDU, the encoded value, or the APDU), when no part is missing.
    pub bytes: Option<Vec<u8>>,
    /// Their dissection; spans are offsets in `bytes`.
    pub frame: Option<model::Frame>,
}

impl PartialEq for Reassembled {
    /// Frames compare by what they show (in English).
    fn eq(&self, o: &Self) -> bool {
        let show = |f: &Option<model::Frame>| f.as_ref().map(|f| f.render(Lang::En));
        (self.kind, &self.parts, &self.problems, &self.bytes) == (o.kind, &o.parts, &o.problems, &o.bytes)
            && show(&self.frame) == show(&o.frame)
    }
}

impl Eq for Reassembled {}

/// Where the bytes of a buffer came from: runs of (input offset, length), in buffer order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Origin(Vec<(usize, usize)>);

impl Origin {
    fn push(&mut self, at: usize, len: usize) {
        match self.0.last_mut() {
            Some((a, l)) if *a + *l == at => *l += len,
            _ if len > 0 => self.0.push((at, len)),
            _ => {}
        }
    }

    fn append(&mut self, o: &Origin) {
        for &(a, l) in &o.0 {
            self.push(a, l);
        }
    }

    /// The runs of buffer bytes `start..start + len`.
    fn slice(&self, start: usize, len: usize) -> Origin {
        let mut out = Origin::default();
        let (mut off, end) = (0, start + len);
        for &(a, l) in &self.0 {
            let (s, e) = (start.max(off), end.min(off + l));
            if s < e {
                out.push(a + s - off, e - s);
            }
            off += l;
        }
        out
    }

    /// From the first byte to the last.
    fn span(&self) -> Span {
        match (self.0.first(), self.0.last()) {
            (Some(f), Some(l)) => Span::new(f.0, l.0 + l.1),
            _ => Span::default(),
        }
    }
}

/// A whole APDU found in the input: one frame's, or joined from segments or
/// blocks; the plaintext when it was ciphered and the keys opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Apdu {
    /// Frame that holds its first byte.
    pub frame: usize,
    /// Direction: the HDLC addresses or wrapper ports as sent.
    pub dir: Vec<u8>,
    pub bytes: Vec<u8>,
    /// The system title that opened it, when it was ciphered.
    pub title: Option<[u8; 8]>,
    origin: Origin,
}

impl Apdu {
    fn new(frame: usize, dir: &[u8], bytes: &[u8], at: usize) -> Self {
        let mut origin = Origin::default();
        origin.push(at, bytes.len());
        Apdu { frame, dir: dir.to_vec(), bytes: bytes.to_vec(), title: None, origin }
    }

    /// Where bytes `start..start + len` of the APDU are in the input (first to last byte).
    pub fn span(&self, start: usize, len: usize) -> Span {
        self.origin.slice(start, len).span()
    }
}

/// What the analysis needs to know of a frame: where it is, its protocol,
/// and whether an HDLC check of it failed.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    pub span: Span,
    pub protocol: &'a str,
    pub link_ok: bool,
}

/// The frames of a rendered dissection as the analysis sees them.
pub fn seen(d: &Dissection) -> Vec<Seen<'_>> {
    d.frames
        .iter()
        .map(|f| Seen {
            span: f.span,
            protocol: &f.protocol,
            link_ok: !f.checks.iter().any(|c| c.id.starts_with("dlms.hdlc") && !c.ok),
        })
        .collect()
}

/// The frames of a language-neutral dissection as the analysis sees them.
pub fn seen_model(d: &model::Dissection) -> Vec<Seen<'static>> {
    d.frames
        .iter()
        .map(|f| Seen {
            span: f.span,
            protocol: f.protocol,
            link_ok: !f.checks.iter().any(|c| c.id.key().starts_with("dlms.hdlc") && !c.ok),
        })
        .collect()
}

/// Every reassembly in a dissection (over its input `bytes`).
pub fn find(d: &Dissection, bytes: &[u8], opts: &Options) -> Vec<Reassembled> {
    scan(&seen(d), bytes, opts).joined
}

/// Every whole APDU in a dissection, in input order of completion, joined
/// and opened: what cross-frame checks (HLS-GMAC) look at.
pub fn apdus(d: &Dissection, bytes: &[u8], opts: &Options) -> Vec<Apdu> {
    scan(&seen(d), bytes, opts).apdus
}

/// What the frames of one input tell together: reassemblies, HLS-GMAC
/// answers checked, profile buffers as tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub joined: Vec<Reassembled>,
    pub proofs: Vec<super::hls::Proof>,
    pub tables: Vec<super::profile::Table>,
}

/// [`find`], [`super::hls::checks`] and [`super::profile::tables`] in one scan.
pub fn analyse(d: &Dissection, bytes: &[u8], opts: &Options) -> Analysis {
    analyse_seen(&seen(d), bytes, opts)
}

/// [`analyse`] over frames as the analysis sees them.
pub fn analyse_seen(d: &[Seen], bytes: &[u8], opts: &Options) -> Analysis {
    let s = scan(d, bytes, opts);
    Analysis {
        proofs: super::hls::proofs(d, &s.apdus, opts),
        tables: super::profile::from_scan(&s, opts),
        joined: s.joined,
    }
}

/// Index of the frame of `d` whose span holds input offset `at`.
pub fn frame_at(d: &[Seen], at: usize) -> Option<usize> {
    let i = d.partition_point(|f| f.span.start <= at).checked_sub(1)?;
    d[i].span.contains(at).then_some(i)
}
