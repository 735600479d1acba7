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

use super::hdlc::{self, Control};
use super::{APDU, Cx, HDLC, Rd, WRAPPER, acse, apdu, axdr, security};
use crate::lang::Lang;
use crate::model;
use crate::model::{Msg, NONE, NodeKind};
use crate::registry::{Keys, Options};
use crate::span::Span;
use crate::view::Dissection;

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

/// The LLC header length at the start of an information field (0 or 3).
fn llc_len(b: &[u8]) -> usize {
    if b.len() >= 3 && b[0] == 0xE6 && matches!(b[1], 0xE6 | 0xE7) { 3 } else { 0 }
}

/// An HDLC frame's direction (addresses), segmentation bit, control, and its
/// information field with the field's offset in the frame.
type HdlcParts<'a> = (&'a [u8], bool, Control, &'a [u8], usize);

fn hdlc_parts(raw: &[u8]) -> Option<HdlcParts<'_>> {
    let n = raw.len();
    if n < 9 || raw[0] != hdlc::FLAG || raw[n - 1] != hdlc::FLAG || hdlc::format_length(raw[1], raw[2])? + 2 != n {
        return None;
    }
    let dl = hdlc::address_len(&raw[3..])?;
    let sl = hdlc::address_len(raw.get(3 + dl..)?)?;
    let c = 3 + dl + sl;
    let ctrl = Control::parse(*raw.get(c)?);
    let info_at = c + 3;
    let info = raw.get(info_at..n - 3).unwrap_or_default();
    Some((&raw[3..c], raw[1] & 0x08 != 0, ctrl, info, info_at))
}

/// Segments of one direction under way.
#[derive(Default)]
struct SegRun {
    parts: Vec<Part>,
    problems: Vec<Problem>,
    buf: Vec<u8>,
    origin: Origin,
    ns: Option<u8>,
    last_piece: usize,
}

impl SegRun {
    fn add(&mut self, frame: usize, ns: Option<u8>, info: &[u8], at: usize, last: bool) {
        if let (Some(prev), Some(ns)) = (self.ns, ns) {
            if ns == prev && self.buf[self.last_piece..] == *info {
                self.problems.push(Problem::Duplicate { number: ns.into(), frame });
                return;
            }
            let want = (prev + 1) & 7;
            if ns != want {
                self.problems.push(Problem::Missing { from: want.into(), to: ((ns + 7) & 7).into() });
            }
        }
        if self.parts.is_empty() && llc_len(info) == 0 {
            self.problems.push(Problem::NoFirst);
        }
        self.ns = ns;
        let number = ns.map(u32::from).unwrap_or(self.parts.len() as u32 + 1);
        self.parts.push(Part { frame, number, last, span: Span::at(at, info.len()), len: info.len() });
        if self.buf.len() + info.len() > MAX_JOINED {
            if !self.problems.contains(&Problem::TooLong) {
                self.problems.push(Problem::TooLong);
            }
            return;
        }
        self.last_piece = self.buf.len();
        self.buf.extend_from_slice(info);
        self.origin.push(at, info.len());
    }

    /// The reassembly, and the APDU when whole.
    fn finish(mut self, done: bool, dir: &[u8]) -> (Reassembled, Option<Apdu>) {
        if !done {
            self.problems.push(Problem::NoLast);
        }
        let whole = !self.problems.iter().any(Problem::fatal);
        let apdu = whole.then(|| {
            let skip = llc_len(&self.buf);
            let frame = self.parts.first().map_or(0, |p| p.frame);
            let origin = self.origin.slice(skip, self.buf.len() - skip);
            Apdu { frame, dir: dir.to_vec(), bytes: self.buf[skip..].to_vec(), title: None, origin }
        });
        let r = Reassembled {
            kind: Kind::Segments,
            parts: self.parts,
            problems: self.problems,
            bytes: whole.then_some(self.buf),
            frame: None,
        };
        (r, apdu)
    }
}

/// Blocks of one transfer under way (data blocks or general block transfer).
struct Blocks {
    kind: Kind,
    stream: u8,
    dir: Vec<u8>,
    parts: Vec<Part>,
    problems: Vec<Problem>,
    /// Block number, data, origin; sorted by number.
    pieces: Vec<(u32, Vec<u8>, Origin)>,
    last: Option<u32>,
    max: u32,
    title: Option<[u8; 8]>,
}

impl Blocks {
    fn new(kind: Kind, stream: u8, dir: &[u8], title: Option<[u8; 8]>) -> Self {
        Blocks {
            kind,
            stream,
            dir: dir.to_vec(),
            parts: Vec::new(),
            problems: Vec::new(),
            pieces: Vec::new(),
            last: None,
            max: 0,
            title,
        }
    }

    fn add(&mut self, part: Part, data: &[u8], origin: Origin) {
        let n = part.number;
        let Err(at) = self.pieces.binary_search_by_key(&n, |p| p.0) else {
            self.problems.push(Problem::Duplicate { number: n, frame: part.frame });
            return;
        };
        if n < self.max {
            self.problems.push(Problem::OutOfOrder { number: n, frame: part.frame });
        }
        self.max = self.max.max(n);
        if part.last {
            self.last = Some(n);
        }
        self.parts.push(part);
        self.pieces.insert(at, (n, data.to_vec(), origin));
    }

    /// The number of the first block: 1 for data blocks, the lowest seen otherwise.
    fn first(&self) -> u32 {
        match self.kind {
            Kind::DataBlocks => 1,
            _ => self.pieces.first().map_or(1, |p| p.0),
        }
    }

    /// The last block came and none before it is missing (numbers are unique and sorted).
    fn complete(&self) -> bool {
        let first = self.first();
        self.last.is_some_and(|l| {
            let upto = self.pieces.partition_point(|p| p.0 <= l);
            l >= first && self.pieces.first().is_some_and(|p| p.0 == first) && upto as u64 == u64::from(l - first) + 1
        })
    }

    /// The reassembly and the joined bytes with their origin when whole.
    fn finish(mut self) -> (Reassembled, Option<(Vec<u8>, Origin)>) {
        let end = self.last.unwrap_or(self.max);
        let mut want = self.first();
        for &(n, ..) in &self.pieces {
            if n > end {
                break;
            }
            if n > want {
                self.problems.push(Problem::Missing { from: want, to: n - 1 });
            }
            want = n.saturating_add(1);
        }
        if self.last.is_none() && !self.problems.iter().any(|p| matches!(p, Problem::Aborted { .. })) {
            self.problems.push(Problem::NoLast);
        }
        let mut joined = None;
        if !self.problems.iter().any(Problem::fatal) {
            let total: usize = self.pieces.iter().map(|p| p.1.len()).sum();
            if total > MAX_JOINED {
                self.problems.push(Problem::TooLong);
            } else {
                let (mut buf, mut origin) = (Vec::with_capacity(total), Origin::default());
                for (_, b, o) in self.pieces.iter().filter(|p| p.0 <= end) {
                    buf.extend_from_slice(b);
                    origin.append(o);
                }
                joined = Some((buf, origin));
            }
        }
        let r = Reassembled {
            kind: self.kind,
            parts: self.parts,
            problems: self.problems,
            bytes: joined.as_ref().map(|j| j.0.clone()),
            frame: None,
        };
        (r, joined)
    }
}

/// A block found in an APDU: kind, stream key, number, last flag, and the
/// data (offset, length) or the data-access-result that ended the transfer.
type BlockFound = (Kind, u8, u32, bool, Result<(usize, usize), u8>);

fn block_in(b: &[u8]) -> Option<BlockFound> {
    let mut rd = Rd::new(b, 0);
    match (rd.u8()?, rd.u8()?) {
        (0xE0, control) => {
            let number = rd.u16()?;
            rd.u16()?;
            let n = rd.axdr_len()?;
            let at = rd.pos();
            rd.take(n)?;
            Some((Kind::BlockTransfer, 0, number.into(), control & 0x80 != 0, Ok((at, n))))
        }
        (0xC4, 0x02) => {
            let invoke = rd.u8()? & 0x0F;
            let last = rd.u8()? != 0;
            let number = rd.u32()?;
            let data = match rd.u8()? {
                0 => {
                    let n = rd.axdr_len()?;
                    let at = rd.pos();
                    rd.take(n)?;
                    Ok((at, n))
                }
                _ => Err(rd.u8()?),
            };
            Some((Kind::DataBlocks, invoke, number, last, data))
        }
        _ => None,
    }
}

/// What an APDU of one frame can do in an analysis, as bits: [`ALONE`]
/// (a block of a transfer, or anything when keys could open ciphered
/// APDUs, which also makes the associations' system titles and HLS
/// challenges matter), [`PROFILE_READ`] (a GET-Request-Normal of a profile
/// attribute) or [`ARRAY_VALUE`] (a GET-Response-Normal that is an array: a
/// profile buffer or its capture objects, perhaps). The rest (0) is left out
/// of the scan, which then costs a single-frame input nothing.
fn role(b: &[u8], opts: &Options) -> u8 {
    if opts.keys.cipher_key.is_some() {
        return ALONE;
    }
    match b {
        [0xE0, ..] | [0xC4, 0x02, ..] => ALONE,
        [0xC4, 0x01, _, 0x00, axdr::tag::ARRAY, ..] => ARRAY_VALUE,
        [0xC0, 0x01, _, 0x00, 0x07, ..] => PROFILE_READ,
        _ => 0,
    }
}

/// See [`role`]: a frame that makes an analysis on its own.
const ALONE: u8 = 1;
/// See [`role`]: a profile read, which makes a table with an array value after it.
const PROFILE_READ: u8 = 2;
/// See [`role`]: an array value, which makes a table after a profile read.
const ARRAY_VALUE: u8 = 4;

/// Whether an APDU of one frame can take part in an analysis (see [`role`]).
fn relevant(b: &[u8], opts: &Options) -> bool {
    role(b, opts) != 0
}

/// The system titles of an association in the input: AARQ calling and AARE responding titles.
fn titles<'a>(apdus: impl Iterator<Item = &'a Apdu>) -> Vec<[u8; 8]> {
    let mut out = Vec::new();
    for a in apdus {
        if let Some(t) = acse::peer(&a.bytes).and_then(|p| <[u8; 8]>::try_from(p.title?).ok())
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    out
}

/// Open a ciphered APDU (twice at most: a general-ciphering around a glo one).
fn open(a: &mut Apdu, keys: &Keys, titles: &[[u8; 8]]) {
    if keys.cipher_key.is_none() {
        return;
    }
    for _ in 0..2 {
        let Some((plain, at, title)) = security::decipher(&a.bytes, keys, titles) else { return };
        a.origin = a.origin.slice(at, plain.len());
        a.bytes = plain;
        a.title = Some(title);
    }
}

/// A GET response value that is an array (a profile buffer or its capture
/// objects, perhaps): from a GET-Response-Normal or joined data blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Value {
    /// Frame of the response (of its first block).
    pub frame: usize,
    /// Invoke id (low four bits).
    pub invoke: u8,
    pub bytes: Vec<u8>,
}

/// Everything the scan finds.
pub(super) struct Scanned {
    pub apdus: Vec<Apdu>,
    pub joined: Vec<Reassembled>,
    pub values: Vec<Value>,
}

/// The state of the block scan.
#[derive(Default)]
struct Scan {
    runs: Vec<Blocks>,
    found: Vec<(Reassembled, Option<[u8; 8]>)>,
    apdus: Vec<Apdu>,
    values: Vec<Value>,
}

impl Scan {
    /// Take a whole APDU: list it, and follow the blocks it carries.
    fn take(&mut self, d: &[Seen], a: Apdu, keys: &Keys, titles: &[[u8; 8]]) {
        let Some((kind, stream, number, last, data)) = block_in(&a.bytes) else {
            if let [0xC4, 0x01, invoke, 0x00, v @ ..] = &a.bytes[..]
                && v.first() == Some(&axdr::tag::ARRAY)
            {
                self.values.push(Value { frame: a.frame, invoke: invoke & 0x0F, bytes: v.to_vec() });
            }
            self.apdus.push(a);
            return;
        };
        let at_run = |runs: &[Blocks]| runs.iter().position(|r| r.kind == kind && r.stream == stream && r.dir == a.dir);
        let (at, len) = match data {
            Ok(r) => r,
            Err(result) => {
                let frame = a.frame;
                let mut run = match at_run(&self.runs) {
                    Some(i) => self.runs.remove(i),
                    None => Blocks::new(kind, stream, &a.dir, a.title),
                };
                run.problems.push(Problem::Aborted { frame, result });
                self.finish(d, run, keys, titles);
                self.apdus.push(a);
                return;
            }
        };
        // Acknowledgements of a general block transfer carry no data.
        if len == 0 && kind == Kind::BlockTransfer && !(last && at_run(&self.runs).is_some()) {
            self.apdus.push(a);
            return;
        }
        // Block 1 again with other data: a new transfer (the same data is a repeat).
        let data = &a.bytes[at..at + len];
        if number == 1
            && let Some(i) = at_run(&self.runs)
            && self.runs[i].pieces.first().is_some_and(|p| p.0 == 1 && p.1 != data)
        {
            let old = self.runs.remove(i);
            self.finish(d, old, keys, titles);
        }
        let origin = a.origin.slice(at, len);
        let span = origin.span();
        let frame = frame_at(d, span.start).unwrap_or(a.frame);
        let i = match at_run(&self.runs) {
            Some(i) => i,
            None => {
                self.runs.push(Blocks::new(kind, stream, &a.dir, a.title));
                self.runs.len() - 1
            }
        };
        self.runs[i].add(Part { frame, number, last, span, len }, data, origin);
        if self.runs[i].complete() {
            let run = self.runs.remove(i);
            self.finish(d, run, keys, titles);
        }
        self.apdus.push(a);
    }

    /// Close a transfer; a whole general block transfer is an APDU again.
    fn finish(&mut self, d: &[Seen], run: Blocks, keys: &Keys, titles: &[[u8; 8]]) {
        let (kind, dir, title, stream) = (run.kind, run.dir.clone(), run.title, run.stream);
        let frame = run.parts.first().map_or(0, |p| p.frame);
        let (r, joined) = run.finish();
        self.found.push((r, title));
        if let (Kind::DataBlocks, Some((bytes, _))) = (kind, &joined)
            && bytes.first() == Some(&axdr::tag::ARRAY)
        {
            self.values.push(Value { frame, invoke: stream, bytes: bytes.clone() });
        }
        if let (Kind::BlockTransfer, Some((bytes, origin))) = (kind, joined) {
            let mut a = Apdu { frame, dir, bytes, title: None, origin };
            open(&mut a, keys, titles);
            // Data blocks and values inside are followed; a block transfer inside
            // another is not (that would nest without bound).
            if a.bytes.first() == Some(&0xE0) {
                self.apdus.push(a);
            } else {
                self.take(d, a, keys, titles);
            }
        }
    }
}

pub(super) fn scan(d: &[Seen], bytes: &[u8], opts: &Options) -> Scanned {
    if !d.iter().any(|f| f.protocol.starts_with("dlms")) {
        return Scanned { apdus: Vec::new(), joined: Vec::new(), values: Vec::new() };
    }
    // Link: one APDU per frame, HDLC segments joined per direction.
    let mut link: Vec<(Apdu, Option<usize>)> = Vec::new();
    let mut segs: Vec<Reassembled> = Vec::new();
    let mut open_runs: Vec<(Vec<u8>, SegRun)> = Vec::new();
    for (i, f) in d.iter().enumerate() {
        let Some(raw) = bytes.get(f.span.range()) else { continue };
        let base = f.span.start;
        match f.protocol {
            HDLC => {
                let Some((dir, seg, ctrl, info, info_at)) = hdlc_parts(raw) else { continue };
                let ns = match ctrl {
                    Control::I { ns, .. } => Some(ns),
                    Control::Ui { .. } => None,
                    _ => continue,
                };
                if info.is_empty() {
                    continue;
                }
                let open = open_runs.iter().position(|r| r.0 == dir);
                if !f.link_ok {
                    if let Some(o) = open {
                        open_runs[o].1.problems.push(Problem::BadFrame { frame: i });
                    }
                    continue;
                }
                let o = match open {
                    None if !seg => {
                        let skip = llc_len(info);
                        if relevant(&info[skip..], opts) {
                            link.push((Apdu::new(i, dir, &info[skip..], base + info_at + skip), None));
                        }
                        continue;
                    }
                    None => {
                        open_runs.push((dir.to_vec(), SegRun::default()));
                        open_runs.len() - 1
                    }
                    Some(o) => o,
                };
                open_runs[o].1.add(i, ns, info, base + info_at, !seg);
                if !seg {
                    let (r, a) = open_runs.remove(o).1.finish(true, dir);
                    segs.push(r);
                    if let Some(a) = a {
                        link.push((a, Some(segs.len() - 1)));
                    }
                }
            }
            WRAPPER if raw.len() > 8 && relevant(&raw[8..], opts) => {
                link.push((Apdu::new(i, &raw[2..6], &raw[8..], base + 8), None))
            }
            APDU if relevant(raw, opts) => link.push((Apdu::new(i, &[], raw, base), None)),
            _ => {}
        }
    }
    for (dir, run) in open_runs {
        segs.push(run.finish(false, &dir).0);
    }
    if link.is_empty() && segs.is_empty() {
        // No frame takes part: nothing to join, open or follow.
        return Scanned { apdus: Vec::new(), joined: Vec::new(), values: Vec::new() };
    }
    let titles = titles(link.iter().map(|l| &l.0));
    let mut seg_titles = vec![None; segs.len()];
    let mut scan = Scan::default();
    for (mut a, seg) in link {
        open(&mut a, &opts.keys, &titles);
        if let Some(s) = seg {
            seg_titles[s] = a.title;
        }
        scan.take(d, a, &opts.keys, &titles);
    }
    for run in std::mem::take(&mut scan.runs) {
        scan.finish(d, run, &opts.keys, &titles);
    }
    let mut out: Vec<Reassembled> = Vec::new();
    for (mut r, title) in segs.into_iter().zip(seg_titles).chain(scan.found) {
        r.frame = r.bytes.as_ref().map(|b| dissect(r.kind, b, opts, title));
        out.push(r);
    }
    Scanned { apdus: scan.apdus, joined: out, values: scan.values }
}

/// Dissect joined bytes (offsets from 0), with the system title that opened them.
fn dissect(kind: Kind, b: &[u8], opts: &Options, title: Option<[u8; 8]>) -> model::Frame {
    let mut keys = opts.keys.clone();
    if title.is_some() {
        keys.system_title = title;
    }
    let mut cx = Cx::new(REASSEMBLED, b, 0, &keys);
    let root = cx.add(NONE, "dlms.reassembled", Span::at(0, b.len())).value(Msg::Bi(kind.names())).index();
    match kind {
        Kind::DataBlocks => {
            let mut rd = Rd::new(b, 0);
            let _ = axdr::data(&mut cx, root, &mut rd, "dlms.reassembled.data");
            if rd.left() > 0 {
                let span = Span::new(rd.at(), b.len());
                cx.error(span, "dlms.trailing", &("bytes after the end of the value", "数据值结束后还有多余字节"));
                rd.rest();
                let v = cx.hex(span);
                cx.add(root, "dlms.apdu.rest", span).kind(NodeKind::Unknown).value(v);
            }
        }
        Kind::Segments => {
            let skip = llc_len(b);
            if skip > 0 {
                let v = cx.hex(Span::at(0, 3));
                cx.add(root, "dlms.hdlc.llc", Span::at(0, 3)).kind(NodeKind::Control).value(v);
            }
            if b.len() > skip {
                apdu::apdu(&mut cx, root, &b[skip..], skip);
            }
        }
        Kind::BlockTransfer => {
            apdu::apdu(&mut cx, root, b, 0);
        }
    }
    cx.finish()
}

/// What a frame can do in an analysis (see [`role`]): an HDLC segment makes
/// one alone; an APDU has its role (the frames of most inputs have none, and
/// are told apart here without building anything).
fn frame_role(f: &model::Frame, bytes: &[u8], opts: &Options) -> u8 {
    let Some(raw) = bytes.get(f.span.range()) else { return 0 };
    match f.protocol {
        HDLC => match hdlc_parts(raw) {
            Some((_, seg, Control::I { .. } | Control::Ui { .. }, info, _)) if !info.is_empty() => {
                if seg {
                    ALONE
                } else {
                    role(&info[llc_len(info)..], opts)
                }
            }
            _ => 0,
        },
        WRAPPER if raw.len() > 8 => role(&raw[8..], opts),
        APDU => role(raw, opts),
        _ => 0,
    }
}

/// Whether the frames of an input can make any analysis: one frame alone,
/// or a profile read and an array value (a read or a value alone makes no table).
fn worth_scanning(d: &model::Dissection, bytes: &[u8], opts: &Options) -> bool {
    let mut roles = 0;
    for f in &d.frames {
        roles |= frame_role(f, bytes, opts);
        if roles & ALONE != 0 || roles & (PROFILE_READ | ARRAY_VALUE) == PROFILE_READ | ARRAY_VALUE {
            return true;
        }
    }
    false
}

/// DLMS/COSEM across the frames of a language-neutral dissection, as the
/// core's analyses: each reassembly (parts, problems, the joined bytes
/// dissected), the HLS-GMAC answers checked, each profile buffer as a table.
pub fn analyses(d: &model::Dissection, bytes: &[u8], opts: &Options) -> Vec<model::Analysis> {
    use crate::model::{Analysis, Id, Msg, Part as ModelPart};
    use crate::msg;
    if !worth_scanning(d, bytes, opts) {
        return Vec::new();
    }
    let seen = seen_model(d);
    let a = analyse_seen(&seen, bytes, opts);
    let join = |parts: Vec<Msg>| Msg::joined(parts, " · ");
    let mut out = Vec::new();
    for r in a.joined {
        let names = r.kind.names();
        let mut status: Vec<Msg> = r.bytes.iter().map(|b| msg!("{} bytes", "{} 字节", b.len())).collect();
        status.extend(r.problems.iter().map(Problem::msg));
        let parts = r
            .parts
            .iter()
            .map(|p| {
                let number = match r.kind {
                    Kind::Segments => msg!("N(S) {}", "N(S) {}", p.number),
                    _ => msg!("block {}", "块 {}", p.number),
                };
                let label =
                    if p.last { Msg::Concat(Box::new([number, crate::msg!(", last", "，末块")])) } else { number };
                ModelPart { frame: p.frame, label, span: p.span, len: p.len }
            })
            .collect();
        let frame = r.frame.filter(|_| r.bytes.is_some());
        out.push(Analysis {
            id: Id::Static("dlms.reassembly"),
            title: Msg::Concat(Box::new([Msg::Label, Msg::Str(" · "), Msg::Bi(names)])),
            status: join(status),
            ok: r.bytes.is_some(),
            parts,
            checks: Vec::new(),
            frame,
            labels: super::LABELS,
        });
    }
    if !a.proofs.is_empty() {
        let ok = a.proofs.iter().all(|p| p.check.ok);
        let checks = a
            .proofs
            .into_iter()
            .map(|p| {
                let c = p.check;
                let check = model::Check {
                    id: Id::Owned(c.id.into_boxed_str()),
                    label: Msg::Label,
                    stated: Msg::owned(c.stated),
                    computed: Msg::owned(c.computed),
                    ok: c.ok,
                    span: c.span,
                };
                (p.frame, check)
            })
            .collect();
        out.push(Analysis {
            id: Id::Static("dlms.hls"),
            title: Msg::Label,
            status: if ok {
                crate::msg!("challenge response verified", "挑战应答已验证")
            } else {
                crate::msg!("mismatch", "不匹配")
            },
            ok,
            parts: Vec::new(),
            checks,
            frame: None,
            labels: super::LABELS,
        });
    }
    for t in a.tables {
        let title = Msg::Concat(Box::new([
            msg!("#{} ", "#{} ", t.frame + 1),
            Msg::Label,
            Msg::Str(" "),
            Msg::Code(super::obis_canonical, super::pack_obis(t.obis)),
        ]));
        let status = t.node.nodes.first().map_or(Msg::None, |n| n.text.clone());
        out.push(Analysis {
            id: Id::Static("dlms.profile"),
            title,
            status,
            ok: true,
            parts: Vec::new(),
            checks: Vec::new(),
            frame: Some(t.node),
            labels: super::LABELS,
        });
    }
    out
}

/// The `protocol` of a profile buffer shown as a table.
pub const PROFILE: &str = "dlms-profile";
