//! Frames carried in a data unit (a DL/T 645 or DL/T 698.45 frame relayed
//! to or from a meter), dissected by their own protocol and grafted in
//! place with [`Frame::graft`](crate::model::Frame::graft): spans stay
//! absolute, so selecting an inner field selects its bytes.

use super::common::Cx;
use crate::model::{Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::protocols::dlt645::{self, Dlt645, Variant};
use crate::protocols::dlt698;
use crate::registry::{FrameStatus, Options, Protocol};
use crate::span::Span;

/// Which frame a data unit says it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// Not said: whichever frames and fits best.
    Any,
    Dlt645(Variant),
    Dlt698,
    /// Transparent bytes: a frame is looked for, none is required.
    Transparent,
}

impl Hint {
    /// From a 1376.2 protocol type (0 transparent, 1 645-1997, 2 645-2007, 3 698.45).
    pub fn from_type(t: u8) -> Hint {
        match t {
            1 => Hint::Dlt645(Variant::V1997),
            2 => Hint::Dlt645(Variant::V2007),
            3 => Hint::Dlt698,
            _ => Hint::Transparent,
        }
    }
}

/// The forwarded bytes `b` at absolute offset `at`: the frame they hold,
/// grafted under `parent` (bytes around it shown as such), or the bytes as
/// hex under the id `raw` when they hold none.
pub fn forwarded(cx: &mut Cx, parent: NodeRef, raw: &'static str, b: &[u8], at: usize, hint: Hint) {
    if b.is_empty() {
        return;
    }
    let found = find(b, hint);
    let Some((start, len, which)) = found else {
        let n = cx.add(parent, raw, at, b.len(), NodeKind::Data);
        cx.set(n).value(Msg::hex(Span::at(at, b.len())));
        if matches!(hint, Hint::Dlt645(_) | Hint::Dlt698) {
            let msg = msg!(
                "the forwarded bytes hold no complete frame of the protocol named",
                "转发的字节中没有所述协议的完整帧"
            );
            cx.diag(Severity::Warning, at, b.len(), "qgdw1376.nested.none", msg);
        }
        return;
    };
    let opts = Options::default();
    let frame = &b[..start + len];
    let inner = match which {
        Which::Dlt645(v) => dlt645::dissect::dissect(v, frame, at, &opts),
        Which::Dlt698 => dlt698::link::dissect(&frame[start..], at + start, &opts),
    };
    if which == Which::Dlt698 && start > 0 {
        let n = cx.add(parent, "qgdw1376.preamble", at, start, NodeKind::Delimiter);
        cx.set(n).value(Msg::hex(Span::at(at, start)));
    }
    cx.f.graft(parent, &inner);
    let end = start + len;
    if end < b.len() {
        let n = cx.add(parent, raw, at + end, b.len() - end, NodeKind::Unknown);
        cx.set(n).value(Msg::hex(Span::at(at + end, b.len() - end)));
        let msg = msg!("{} byte(s) after the forwarded frame", "转发帧后还有 {} 个字节", b.len() - end);
        cx.diag(Severity::Warning, at + end, b.len() - end, "qgdw1376.nested.trailing", msg);
    }
}

/// The forwarded bytes as bytes only (no frame looked for in them).
pub fn raw(cx: &mut Cx, parent: NodeRef, raw: &'static str, b: &[u8], at: usize, _: Hint) {
    if !b.is_empty() {
        let n = cx.add(parent, raw, at, b.len(), NodeKind::Data);
        cx.set(n).value(Msg::hex(Span::at(at, b.len())));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Dlt645(Variant),
    Dlt698,
}

/// Where the frame in `b` starts (after wake-up bytes), its length and protocol.
fn find(b: &[u8], hint: Hint) -> Option<(usize, usize, Which)> {
    let as645 = match dlt645::frame::frame_status(b) {
        FrameStatus::Complete { preamble, len } if preamble + len <= b.len() => {
            let f = &b[preamble..preamble + len];
            let v = match hint {
                Hint::Dlt645(v) => v,
                _ if Dlt645::V1997.score(f) > Dlt645::V2007.score(f) => Variant::V1997,
                _ => Variant::V2007,
            };
            Some((preamble, len, Which::Dlt645(v), dlt645::frame::integrity(f)))
        }
        _ => None,
    };
    let as698 = match dlt698::link::frame(b) {
        FrameStatus::Complete { preamble, len } if preamble + len <= b.len() => {
            Some((preamble, len, Which::Dlt698, dlt698::link::score(&b[preamble..preamble + len])))
        }
        _ => None,
    };
    let pick = match (as645, as698, hint) {
        (Some(a), _, Hint::Dlt645(_)) => Some(a),
        (_, Some(b), Hint::Dlt698) => Some(b),
        (Some(a), Some(b), _) => Some(if b.3 > a.3 { b } else { a }),
        (a, b, _) => a.or(b),
    };
    pick.map(|(s, l, w, _)| (s, l, w))
}
