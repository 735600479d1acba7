//! Bytes no protocol recognises: shown as rows of 16, never dropped.

use crate::model::{Frame, Id, Msg, NONE, NodeKind, Severity};
use crate::msg;
use crate::span::Span;

pub const NAME: &str = "unknown";

/// The unknown-bytes frame over `bytes`, which start at absolute offset `base`.
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    let span = Span::at(base, bytes.len());
    let mut f = Frame::new(NAME, bytes, base);
    let root = f.add(NONE, NAME, span, NodeKind::Unknown).index();
    for (i, row) in bytes.chunks(16).enumerate() {
        let row_span = Span::at(base + i * 16, row.len());
        let label = Msg::Concat(Box::new([Msg::Label, msg!(" {:04X}", " {:04X}", i * 16)]));
        f.add(root, Id::Indexed("unknown.row", i as u32), row_span, NodeKind::Unknown)
            .label(label)
            .value(Msg::hex(row_span))
            .text(Msg::Ascii(row_span));
    }
    let message = msg!("no protocol recognises these {} byte(s)", "没有协议能识别这 {} 个字节", bytes.len());
    f.diag(Severity::Info, span, "unknown.protocol", message);
    f.valid = false;
    f
}
