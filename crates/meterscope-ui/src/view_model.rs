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

/// Tree rows open by default: the first four levels.
pub fn default_expanded(path: &[usize]) -> bool {
    path.len() < 4
}

/// Paths of the rows a reader can see, in document order: a row is visible
/// when every ancestor is expanded.
pub fn visible_rows(root: &Node, expanded: &dyn Fn(&[usize]) -> bool) -> Vec<Path> {
    fn go(n: &Node, path: &mut Path, expanded: &dyn Fn(&[usize]) -> bool, out: &mut Vec<Path>) {
        out.push(path.clone());
        if n.children.is_empty() || !expanded(path) {
            return;
        }
        for (i, c) in n.children.iter().enumerate() {
            path.push(i);
            go(c, path, expanded, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    go(root, &mut Vec::new(), expanded, &mut out);
    out
}

/// A key that moves through the tree rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavKey {
    Up,
    Down,
    Left,
    Right,
}

/// What a navigation key does from the `cursor` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nav {
    /// Move the cursor to this row.
    Move(Path),
    /// Expand or collapse this row.
    Toggle(Path),
    Stay,
}

/// Tree keyboard navigation: up/down through visible rows, left collapses or
/// goes to the parent, right expands or goes to the first child.
pub fn navigate(root: &Node, expanded: &dyn Fn(&[usize]) -> bool, cursor: Option<&[usize]>, key: NavKey) -> Nav {
    let rows = visible_rows(root, expanded);
    let Some(cur) = cursor.filter(|c| root.at_path(c).is_some()) else {
        return match key {
            NavKey::Up => rows.last().cloned().map_or(Nav::Stay, Nav::Move),
            _ => Nav::Move(Vec::new()),
        };
    };
    let idx = rows.iter().position(|r| r.as_slice() == cur);
    let has_children = root.at_path(cur).is_some_and(|n| !n.children.is_empty());
    match key {
        NavKey::Down => match idx {
            Some(i) if i + 1 < rows.len() => Nav::Move(rows[i + 1].clone()),
            Some(_) => Nav::Stay,
            None => Nav::Move(cur[..cur.len().saturating_sub(1)].to_vec()),
        },
        NavKey::Up => match idx {
            Some(i) if i > 0 => Nav::Move(rows[i - 1].clone()),
            Some(_) => Nav::Stay,
            None => Nav::Move(cur[..cur.len().saturating_sub(1)].to_vec()),
        },
        NavKey::Left if has_children && expanded(cur) => Nav::Toggle(cur.to_vec()),
        NavKey::Left if !cur.is_empty() => Nav::Move(cur[..cur.len() - 1].to_vec()),
        NavKey::Left => Nav::Stay,
        NavKey::Right if has_children && !expanded(cur) => Nav::Toggle(cur.to_vec()),
        NavKey::Right if has_children => {
            let mut p = cur.to_vec();
            p.push(0);
            Nav::Move(p)
        }
        NavKey::Right => Nav::Stay,
    }
}

/// The ordered byte range between a selection anchor and head (inclusive
/// offsets), as a half-open `(start, end)`.
pub fn byte_range(anchor: usize, head: usize) -> (usize, usize) {
    (anchor.min(head), anchor.max(head) + 1)
}

#[cfg(test)]
mod tests {
    use meterscope_core::Options;

    use super::*;

    fn frame_of(hex: &str) -> meterscope_core::Frame {
        meterscope_core::decode(hex, &Options::default()).unwrap().dissection.frames.remove(0)
    }

    #[test]
    fn focus_relations() {
        let d = meterscope_core::decode("C1 C2 C3 C4 C5 C6 C7 C8 C9 CA CB CC CD CE CF D0 D1 D2", &Options::default())
            .unwrap();
        let f = &d.dissection.frames[0];
        assert_eq!(byte_focus(f, &[1], 17), Focus::Node);
        assert_eq!(byte_focus(f, &[1], 3), Focus::Ancestor);
        assert_eq!(byte_focus(f, &[9], 3), Focus::None);
        assert_eq!(row_focus(&[1], &[1]), Focus::Node);
        assert_eq!(row_focus(&[], &[1]), Focus::Ancestor);
        assert_eq!(row_focus(&[0], &[1]), Focus::None);
    }

    #[test]
    fn tree_navigation_by_keys() {
        use super::{Nav, NavKey, default_expanded, navigate, visible_rows};
        let f = frame_of("FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16");
        let open = |p: &[usize]| default_expanded(p);
        let rows = visible_rows(&f.tree, &open);
        assert_eq!(rows[0], Vec::<usize>::new());
        assert_eq!(rows.len(), f.tree.count(), "small trees are fully open");
        assert_eq!(navigate(&f.tree, &open, None, NavKey::Down), Nav::Move(vec![]));
        assert_eq!(navigate(&f.tree, &open, Some(&[]), NavKey::Down), Nav::Move(rows[1].clone()));
        assert_eq!(navigate(&f.tree, &open, Some(&rows[1]), NavKey::Up), Nav::Move(vec![]));
        assert_eq!(navigate(&f.tree, &open, Some(&[]), NavKey::Up), Nav::Stay);
        // Right on an open parent goes to its first child; left on a leaf goes to its parent.
        assert_eq!(navigate(&f.tree, &open, Some(&[]), NavKey::Right), Nav::Move(vec![0]));
        let leaf = rows.iter().rev().find(|p| f.tree.at_path(p).unwrap().children.is_empty()).unwrap().clone();
        let parent = leaf[..leaf.len() - 1].to_vec();
        assert_eq!(navigate(&f.tree, &open, Some(&leaf), NavKey::Left), Nav::Move(parent));
        // Left on an open parent collapses it; right on a closed one expands it.
        assert_eq!(navigate(&f.tree, &open, Some(&[]), NavKey::Left), Nav::Toggle(vec![]));
        let closed = |_: &[usize]| false;
        assert_eq!(visible_rows(&f.tree, &closed), vec![Vec::<usize>::new()]);
        assert_eq!(navigate(&f.tree, &closed, Some(&[]), NavKey::Right), Nav::Toggle(vec![]));
        // A stale cursor does not panic.
        assert_eq!(navigate(&f.tree, &open, Some(&[99, 3]), NavKey::Down), Nav::Move(vec![]));
    }
}
