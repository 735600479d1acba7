//! The scan of an input's frames: the APDUs on the link, HDLC segments and
//! blocks followed per direction and stream, the joined bytes dissected.

use super::{Apdu, Kind, MAX_JOINED, Origin, Part, Problem, REASSEMBLED, Reassembled, Seen, frame_at};
use crate::model;
use crate::model::{Msg, NONE, NodeKind};
use crate::protocols::dlms::hdlc::{self, Control};
use crate::protocols::dlms::{APDU, Cx, HDLC, Rd, WRAPPER, acse, apdu, axdr, security};
use crate::registry::{Keys, Options};
use crate::span::Span;

/// The LLC header length at the start of an information field (0 or 3).
pub(super) fn llc_len(b: &[u8]) -> usize {
    if b.len() >= 3 && b[0] == 0xE6 && matches!(b[1], 0xE6 | 0xE7) { 3 } else { 0 }
}

/// An HDLC frame's direction (addresses), segmentation bit, control, and its
/// information field with the field's offset in the frame.
type HdlcParts<'a> = (&'a [u8], bool, Control, &'a [u8], usize);

pub(super) fn hdlc_parts(raw: &[u8]) -> Option<HdlcParts<'_>> {
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
pub(super) fn role(b: &[u8], opts: &Options) -> u8 {
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
pub(super) const ALONE: u8 = 1;
/// See [`role`]: a profile read, which makes a table with an array value after it.
pub(super) const PROFILE_READ: u8 = 2;
/// See [`role`]: an array value, which makes a table after a profile read.
pub(super) const ARRAY_VALUE: u8 = 4;

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
pub(in crate::protocols::dlms) struct Value {
    /// Frame of the response (of its first block).
    pub frame: usize,
    /// Invoke id (low four bits).
    pub invoke: u8,
    pub bytes: Vec<u8>,
}

/// Everything the scan finds.
pub(in crate::protocols::dlms) struct Scanned {
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

pub(in crate::protocols::dlms) fn scan(d: &[Seen], bytes: &[u8], opts: &Options) -> Scanned {
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
