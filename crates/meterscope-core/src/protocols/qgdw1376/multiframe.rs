//! Multi-frame answers of Q/GDW 1376.1 joined across the frames of one
//! input: the core's analysis `qgdw1376.multiframe`.
//!
//! An answer too long for one frame is sent in several (SEQ: FIR set on the
//! first, FIN on the last, neither on those between; RSEQ the request's PSEQ
//! on the first and one more on each next). Each frame carries whole data
//! units, so the answer is the data units of every frame in turn: the
//! analysis lists the frames' data unit areas as its parts, says which frame
//! is missing when the sequence breaks, and dissects the joined answer as one
//! frame (the first frame's control, address and AFN, FIR and FIN both set,
//! the auxiliary fields EC and Tp left out). Frames of other answers between
//! them (a heartbeat, a confirmation) do not break the answer.

use super::codec::{Address1, Frame1, c1, seq};
use super::gdw1;
use crate::model::{Analysis, Dissection, Id, Part};
use crate::msg;
use crate::registry::Options;
use crate::span::Span;

/// Bytes before the data units: 68 L L L L 68 C A(5) AFN SEQ.
const HEAD: usize = 14;

/// One frame of an answer under way.
struct Piece {
    index: usize,
    frame: Frame1,
    /// Where its data units are in the input, and how many bytes.
    at: usize,
    len: usize,
}

/// The answer a frame belongs to: direction, address, AFN.
fn key(f: &Frame1) -> (bool, Address1, u8) {
    (f.up(), f.address, f.afn)
}

/// The data units of a frame: EC (uplink with ACD) and Tp (TpV) left out.
fn units_len(f: &Frame1) -> usize {
    let mut aux = 0;
    if f.seq & seq::TPV != 0 {
        aux += 6;
    }
    if f.up() && f.control & c1::ACD != 0 {
        aux += 2;
    }
    f.data.len().saturating_sub(aux)
}

pub fn analyses(d: &Dissection, bytes: &[u8], _opts: &Options) -> Vec<Analysis> {
    let mut out = Vec::new();
    let mut open: Vec<Vec<Piece>> = Vec::new();
    for (index, f) in d.frames.iter().enumerate() {
        if f.protocol != gdw1::NAME {
            continue;
        }
        let Some(raw) = bytes.get(f.span.range()) else { continue };
        let Some(start) = raw.iter().position(|&b| b == 0x68) else { continue };
        let Ok(frame) = Frame1::parse(&raw[start..]) else { continue };
        let (fir, fin) = (frame.seq & seq::FIR != 0, frame.seq & seq::FIN != 0);
        if fir && fin {
            continue;
        }
        let len = units_len(&frame);
        let k = key(&frame);
        let piece = Piece { index, at: f.span.start + start + HEAD, len, frame };
        let slot = open.iter().position(|g| key(&g[0].frame) == k);
        if fir {
            // A new answer; one of the same kind still open lost its end.
            if let Some(i) = slot {
                out.push(analysis(open.remove(i), bytes));
            }
            open.push(vec![piece]);
            continue;
        }
        match slot {
            Some(i) => open[i].push(piece),
            None => open.push(vec![piece]),
        }
        if fin {
            let i = slot.unwrap_or(open.len() - 1);
            out.push(analysis(open.remove(i), bytes));
        }
    }
    out.extend(open.into_iter().map(|g| analysis(g, bytes)));
    out.sort_by_key(|a| a.parts.first().map_or(0, |p| p.frame));
    out
}

fn analysis(pieces: Vec<Piece>, bytes: &[u8]) -> Analysis {
    let first = &pieces[0].frame;
    let last = &pieces[pieces.len() - 1].frame;
    let mut status = None;
    if first.seq & seq::FIR == 0 {
        status = Some(crate::msg!("the first frame is missing", "缺少首帧"));
    }
    for w in pieces.windows(2) {
        let want = (w[0].frame.pseq() + 1) & 0x0F;
        if status.is_none() && w[1].frame.pseq() != want && w[1].frame.pseq() != w[0].frame.pseq() {
            status = Some(msg!("missing frame: RSEQ {}", "缺少分帧：RSEQ {}", want));
        }
    }
    if status.is_none() && last.seq & seq::FIN == 0 {
        status = Some(crate::msg!("the last frame is missing", "缺少末帧"));
    }
    let mut units = Vec::new();
    let mut parts = Vec::new();
    for p in &pieces {
        let fir = p.frame.seq & seq::FIR != 0;
        let fin = p.frame.seq & seq::FIN != 0;
        let place = match (fir, fin) {
            (true, _) => crate::msg!("first", "首帧"),
            (_, true) => crate::msg!("last", "末帧"),
            _ => crate::msg!("middle", "中间帧"),
        };
        parts.push(Part {
            frame: p.index,
            label: msg!("RSEQ {} {}", "RSEQ {} {}", p.frame.pseq(), place),
            span: Span::at(p.at, p.len),
            len: p.len,
        });
        units.extend_from_slice(bytes.get(p.at..p.at + p.len).unwrap_or(&[]));
    }
    let ok = status.is_none();
    let status = status.unwrap_or_else(|| {
        msg!("{} frames, {} bytes of data units", "{} 帧，数据单元 {} 字节", pieces.len(), units.len())
    });
    let joined = Frame1 {
        control: first.control & !c1::ACD,
        address: first.address,
        afn: first.afn,
        seq: seq::FIR | seq::FIN | (first.seq & seq::CON) | first.pseq(),
        data: units,
    };
    Analysis {
        id: Id::Static("qgdw1376.multiframe"),
        title: crate::msg!("Joined multi-frame answer (FIR/FIN)", "多帧应答合并（FIR/FIN）"),
        status,
        ok,
        parts,
        checks: Vec::new(),
        frame: Some(gdw1::dissect(&joined.emit(), 0)),
        labels: super::LABELS,
    }
}
