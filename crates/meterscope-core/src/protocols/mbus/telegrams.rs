//! Multi-telegram reads joined across the frames of one input: the core's
//! analysis `mbus.telegrams`.
//!
//! A meter with more records than one telegram holds ends a telegram with
//! DIF 1Fh ("more records follow"); the master asks again (REQ_UD2 with
//! the frame count bit toggled) and the meter sends the next telegram. The
//! analysis follows the RSP_UD telegrams of one meter (its address and, with
//! a long header, its identification and manufacturer) from the first to the
//! one without 1Fh, lists each telegram's records as a part, says when the
//! next telegram is missing (once two telegrams are joined), and dissects
//! the records of all of them as one list.

use std::collections::BTreeMap;

use super::{Cx, LABELS, NAME, records};
use crate::model::{Analysis, Dissection, Frame, Id, NONE, NodeKind, Part};
use crate::msg;
use crate::registry::Options;
use crate::span::Span;
use crate::wire::Cursor;

/// One RSP_UD telegram: its frame, its meter and its records in the input.
struct Telegram {
    index: usize,
    key: Vec<u8>,
    records: Span,
    more: bool,
}

/// The records of a dissected RSP_UD frame, from the nodes it holds.
fn telegram(index: usize, f: &Frame, bytes: &[u8]) -> Option<Telegram> {
    let raw = bytes.get(f.span.range())?;
    // A long frame from the meter (PRM = 0, RSP_UD) with a valid checksum.
    if raw.len() < 9 || raw[0] != 0x68 || raw[4] & 0x4F != 0x08 || !f.checks.iter().all(|c| c.ok) {
        return None;
    }
    // The application data is a child of the root; the header and the special
    // functions are children of the application data.
    let (di, dn) = f.children(0).find(|(_, n)| n.id.key() == "mbus.data")?;
    let data = dn.span;
    let header = f.children(di).find(|(_, n)| n.id.key() == "mbus.header").map(|(_, n)| n.span);
    let mut key = vec![raw[5]];
    let start = match header {
        Some(h) => {
            if h.len() == 12 {
                key.extend_from_slice(bytes.get(h.start..h.start + 6)?);
            }
            h.end
        }
        None => data.start,
    };
    let special =
        f.children(di).map(|(_, n)| n).find(|n| n.id.key() == "mbus.special" && bytes.get(n.span.start) == Some(&0x1F));
    let (end, more) = match special {
        Some(n) => (n.span.start, true),
        None => (data.end, false),
    };
    Some(Telegram { index, key, records: Span::new(start, end.max(start)), more })
}

pub fn analyses(d: &Dissection, bytes: &[u8], _opts: &Options) -> Vec<Analysis> {
    if !d.frames.iter().any(|f| f.protocol == NAME) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Reads under way by meter, the last telegram of each announcing more
    // (a map, so that many meters cost no more than a lookup each).
    let mut open: BTreeMap<Vec<u8>, Vec<Telegram>> = BTreeMap::new();
    for (index, f) in d.frames.iter().enumerate() {
        if f.protocol != NAME {
            continue;
        }
        let Some(t) = telegram(index, f, bytes) else { continue };
        let more = t.more;
        match open.get_mut(&t.key) {
            Some(g) if more => g.push(t),
            Some(_) => {
                let key = t.key.clone();
                if let Some(mut g) = open.remove(&key) {
                    g.push(t);
                    out.push(analysis(g, bytes));
                }
            }
            None if more => {
                open.insert(t.key.clone(), vec![t]);
            }
            // A telegram alone with all its records: nothing to join.
            None => {}
        }
    }
    // A lone telegram announcing more is a read cut short by the input, not
    // a read to join: it is shown only once a second telegram joins it.
    out.extend(open.into_values().filter(|g| g.len() > 1).map(|g| analysis(g, bytes)));
    out.sort_by_key(|a| a.parts.first().map_or(0, |p| p.frame));
    out
}

fn analysis(telegrams: Vec<Telegram>, bytes: &[u8]) -> Analysis {
    let complete = telegrams.last().is_some_and(|t| !t.more);
    let mut joined = Vec::new();
    let mut parts = Vec::new();
    for (k, t) in telegrams.iter().enumerate() {
        let b = bytes.get(t.records.range()).unwrap_or(&[]);
        joined.extend_from_slice(b);
        parts.push(Part {
            frame: t.index,
            label: msg!("telegram {}", "第 {} 帧报文", k + 1),
            span: t.records,
            len: b.len(),
        });
    }
    let status = if complete {
        msg!("{} telegrams, {} bytes of records", "{} 帧报文，记录共 {} 字节", telegrams.len(), joined.len())
    } else {
        msg!(
            "telegram {} announces more records; the next telegram is missing",
            "第 {} 帧报文声明后续还有记录，但缺少下一帧",
            telegrams.len()
        )
    };
    let mut cx = Cx::new(Frame::new(NAME, &joined, 0).with_labels(LABELS), 0);
    let root = cx.add(NONE, "mbus.telegrams", 0, joined.len(), NodeKind::Data);
    let mut cur = Cursor::new(&joined, 0);
    records::records(&mut cx, root, &mut cur, false);
    Analysis {
        id: Id::Static("mbus.telegrams"),
        title: msg!("Joined multi-telegram read (DIF 1F)", "多帧报文读数合并（DIF 1F）"),
        status,
        ok: complete,
        parts,
        checks: Vec::new(),
        frame: Some(cx.f.finish()),
        labels: LABELS,
    }
}
