//! Pure helpers between a dissection and the views: which node covers which
//! byte, and how a byte is coloured.

use meterscope_core::{Frame, Node, NodeKind};

/// A node path: child indices from the frame's root.
pub type Path = Vec<usize>;

/// Per byte of a frame: the kind of the deepest node covering it.
pub fn byte_kinds(frame: &Frame) -> Vec<NodeKind> {
    let span = frame.span;
    let mut kinds = vec![NodeKind::Unknown; span.len()];
    fn paint(n: &Node, base: usize, kinds: &mut [NodeKind]) {
        for off in n.span.range() {
            if let Some(k) = off.checked_sub(base).and_then(|i| kinds.get_mut(i)) {
                *k = n.kind;
            }
        }
        for c in &n.children {
            paint(c, base, kinds);
        }
    }
    paint(&frame.tree, span.start, &mut kinds);
    kinds
}

/// CSS class of a node kind.
pub fn kind_class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Delimiter => "k-delim",
        NodeKind::Length => "k-len",
        NodeKind::Address => "k-addr",
        NodeKind::Control => "k-ctrl",
        NodeKind::Data => "k-data",
        NodeKind::Check => "k-check",
        NodeKind::Unknown => "k-unknown",
    }
}

/// How a byte or a tree row relates to the focused node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    None,
    /// Inside the focused node.
    Node,
    /// Inside an ancestor of the focused node only.
    Ancestor,
}

/// Relation of byte `offset` to the focused `path` in `frame`.
pub fn byte_focus(frame: &Frame, path: &[usize], offset: usize) -> Focus {
    let mut node = &frame.tree;
    let mut inside_ancestor = node.span.contains(offset);
    for &i in path {
        match node.children.get(i) {
            Some(c) => {
                if !c.span.contains(offset) {
                    return if inside_ancestor { Focus::Ancestor } else { Focus::None };
                }
                inside_ancestor = true;
                node = c;
            }
            None => return Focus::None,
        }
    }
    if node.span.contains(offset) { Focus::Node } else { Focus::None }
}

/// Relation of the tree row at `row` to the focused `path`.
pub fn row_focus(row: &[usize], focused: &[usize]) -> Focus {
    if row == focused {
        Focus::Node
    } else if focused.starts_with(row) {
        Focus::Ancestor
    } else {
        Focus::None
    }
}

/// Printable ASCII for the hex view's gutter.
pub fn ascii(b: u8) -> char {
    if (0x20..0x7F).contains(&b) { b as char } else { '.' }
}

pub fn hex2(b: u8) -> String {
    format!("{b:02X}")
}
