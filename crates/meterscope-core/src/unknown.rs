//! Bytes no protocol recognises: shown as rows of 16, never dropped.

use crate::input::to_hex;
use crate::model::{Diagnostic, Frame, Node, NodeKind};
use crate::registry::Options;
use crate::span::Span;

pub const NAME: &str = "unknown";

/// The unknown-bytes frame over `bytes`, which start at absolute offset `base`.
pub fn dissect(bytes: &[u8], base: usize, opts: &Options) -> Frame {
    let lang = opts.lang;
    let span = Span::at(base, bytes.len());
    let mut root = Node::new(NAME, lang.label(NAME), span).kind(NodeKind::Unknown);
    for (i, row) in bytes.chunks(16).enumerate() {
        let at = base + i * 16;
        let ascii: String = row.iter().map(|&b| if (0x20..0x7F).contains(&b) { b as char } else { '.' }).collect();
        root.push(
            Node::new(
                format!("unknown.row.{i}"),
                format!("{} {:04X}", lang.label("unknown.row"), i * 16),
                Span::at(at, row.len()),
            )
            .kind(NodeKind::Unknown)
            .value(to_hex(row))
            .text(ascii),
        );
    }
    let message = match lang {
        crate::Lang::En => format!("no protocol recognises these {} byte(s)", bytes.len()),
        crate::Lang::Zh => format!("没有协议能识别这 {} 个字节", bytes.len()),
    };
    let mut frame = Frame::new(NAME, root, Vec::new(), vec![Diagnostic::info(span, "unknown.protocol", message)]);
    frame.valid = false;
    frame
}
