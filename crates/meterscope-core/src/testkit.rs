//! Helpers shared by the core's tests (compiled for tests only).
//!
//! The one seeded generator of the tests is the session's [`Rng`]
//! (SplitMix64: the same sequence from the same seed on every target, also
//! what the simulated meters draw from); the draws tests make of it are
//! added here, so no test module keeps a generator of its own. The session
//! test bench is [`crate::session::testing::Pair`]. The tree helpers of
//! the families' golden tests are here too: input bytes, a dissection with
//! the default registry, the newer families' public vectors, a rendered tree
//! as text, a node found by id, and the nodes and value found by an id
//! without its list indices.

pub use crate::session::Rng;

use crate::span::Span;
use crate::view::{Frame, Node};

impl Rng {
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
    /// Any byte.
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
    /// Up to `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.byte()).collect()
    }
    /// `N` random bytes.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.iter_mut().for_each(|b| *b = self.byte());
        a
    }
    /// A fair coin.
    pub fn flag(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
    /// One element of `set` (not empty).
    pub fn pick<T: Copy>(&mut self, set: &[T]) -> T {
        set[self.below(set.len())]
    }
    /// Up to five changes to `input` (a byte replaced or inserted, with bytes
    /// drawn by `byte`; a byte removed; a bit flipped), then, one time in
    /// four, the input cut short: what the robustness runs feed the dissectors.
    pub fn mutate(&mut self, input: &mut Vec<u8>, byte: impl Fn(&mut Rng) -> u8) {
        for _ in 0..self.below(6) {
            if input.is_empty() {
                break;
            }
            let at = self.below(input.len());
            match self.below(4) {
                0 => input[at] = byte(self),
                1 => input.insert(at, byte(self)),
                2 => {
                    input.remove(at);
                }
                _ => input[at] ^= 1 << self.below(8),
            }
        }
        if self.below(4) == 0 {
            let cut = self.below(input.len() + 1);
            input.truncate(cut);
        }
    }
}

/// The bytes of an input in any of the forms the page takes (hex, mostly).
pub fn bytes(input: &str) -> Vec<u8> {
    crate::input::parse_input(input).unwrap().bytes
}

/// An input dissected by every protocol with the default options.
pub fn decode(input: &str) -> crate::model::Dissection {
    crate::registry::Registry::default().dissect(&bytes(input), &[], &crate::registry::Options::default())
}

/// The vectors of `tests/data/new-public-vectors.json` whose family `keep` accepts.
pub fn new_public_vectors(keep: impl Fn(&str) -> bool) -> Vec<serde_json::Value> {
    let text = include_str!("../tests/data/new-public-vectors.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let all = v["vectors"].as_array().unwrap();
    all.iter().filter(|v| keep(v["family"].as_str().unwrap_or(""))).cloned().collect()
}

/// The input (hex or text) of every vector of the three vector files (public, new public,
/// conformance): real frames for tests that hold for any frame.
pub fn all_vector_inputs() -> Vec<String> {
    let files = [
        include_str!("../tests/data/public-vectors.json"),
        include_str!("../tests/data/new-public-vectors.json"),
        include_str!("../tests/data/conformance-vectors.json"),
    ];
    let mut out = Vec::new();
    for text in files {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let list = v.get("vectors").unwrap_or(&v).as_array().unwrap();
        for x in list {
            out.extend(["hex", "hex_or_text", "text"].iter().find_map(|k| x[k].as_str()).map(str::to_string));
        }
    }
    out
}

/// A rendered tree, one node a line (id, label, span, value, unit, text),
/// indented by depth: for failure messages and searches over a whole tree.
pub fn dump(n: &Node) -> String {
    fn walk(n: &Node, depth: usize, out: &mut String) {
        use std::fmt::Write;
        let (id, label, span) = (&n.id, &n.label, n.span);
        let _ =
            writeln!(out, "{}{id} [{label}] {span:?} = {:?} {:?} {:?}", "  ".repeat(depth), n.value, n.unit, n.text);
        for c in &n.children {
            walk(c, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(n, 0, &mut out);
    out
}

/// The node with this id in a rendered tree, depth first.
pub fn find<'a>(n: &'a Node, id: &str) -> Option<&'a Node> {
    if n.id == id {
        return Some(n);
    }
    n.children.iter().find_map(|c| find(c, id))
}

/// The node with this id; the test fails when there is none.
pub fn node<'a>(n: &'a Node, id: &str) -> &'a Node {
    find(n, id).unwrap_or_else(|| panic!("no node {id}"))
}

/// A node id without its numeric parts (`dlms.apdu.3.tag` is `dlms.apdu.tag`):
/// the id every element of a list shares.
pub fn strip(id: &str) -> String {
    id.split('.').filter(|s| !s.bytes().all(|b| b.is_ascii_digit())).collect::<Vec<_>>().join(".")
}

/// Every node whose id is `id` once its numeric parts are left out (see
/// [`strip`]), depth first.
pub fn all<'a>(n: &'a Node, id: &str) -> Vec<&'a Node> {
    let mut out = Vec::new();
    fn go<'a>(n: &'a Node, id: &str, out: &mut Vec<&'a Node>) {
        if strip(&n.id) == id {
            out.push(n);
        }
        for c in &n.children {
            go(c, id, out);
        }
    }
    go(n, id, &mut out);
    out
}

/// The value of the first node [`all`] finds (empty when it has none); the
/// test fails, showing the tree, when there is no such node.
pub fn value(n: &Node, id: &str) -> String {
    let v = all(n, id);
    assert!(!v.is_empty(), "no node {id} in\n{}", dump(n));
    v[0].value.clone().unwrap_or_default()
}

/// The structure every dissected tree keeps: each node's span inside its
/// parent's (the root's inside `outer`), ids unique and labelled. On a
/// failure the whole tree is shown after the broken rule.
pub fn check_tree(root: &Node, outer: Span) {
    let mut seen = std::collections::BTreeSet::new();
    fn go(n: &Node, parent: Span, seen: &mut std::collections::BTreeSet<String>) {
        assert!(parent.encloses(n.span), "{} {:?} outside {:?}", n.id, n.span, parent);
        assert!(seen.insert(n.id.clone()), "duplicate id {}", n.id);
        assert!(crate::protocols::has_label(&n.id), "no label for {}", n.id);
        for c in &n.children {
            go(c, n.span, seen);
        }
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| go(root, outer, &mut seen)));
    assert!(r.is_ok(), "in\n{}", dump(root));
}

/// A frame found in an input of `input_len` bytes: its tree keeps
/// [`check_tree`] within the frame, and the frame, its diagnostics and its
/// checks stay inside the input and the frame.
pub fn check_frame(f: &Frame, input_len: usize) {
    check_tree(&f.tree, f.span);
    assert!(f.span.end <= input_len);
    for d in &f.diagnostics {
        assert!(d.span.end <= input_len && d.span.start <= d.span.end, "{d:?}");
    }
    for c in &f.checks {
        assert!(f.span.encloses(c.span));
    }
}
