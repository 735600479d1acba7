//! Bytes no protocol recognises: shown as rows of 16, never dropped.

use crate::model::{Frame, Id, Msg, NONE, NodeKind, Severity};
use crate::msg;
use crate::span::Span;

pub const NAME: &str = "unknown";

/// A row's label with its offset (`Bytes 0010`): no allocation per row.
fn row_label(offset: u64, lang: crate::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write!(w, "{} {offset:04X}", lang.pick("Bytes", "字节"))
}

/// The unknown-bytes frame over `bytes`, which start at absolute offset `base`.
pub fn dissect(bytes: &[u8], base: usize) -> Frame {
    let span = Span::at(base, bytes.len());
    let mut f = Frame::new(NAME, bytes, base);
    let root = f.add(NONE, NAME, span, NodeKind::Unknown).index();
    for (i, row) in bytes.chunks(16).enumerate() {
        let row_span = Span::at(base + i * 16, row.len());
        let label = Msg::Code(row_label, (i * 16) as u64);
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
