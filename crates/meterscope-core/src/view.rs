//! The dissection model shared by every protocol: a byte-spanned tree, checks
//! as data, diagnostics pinned to bytes, and the frames and junk of an input.

use crate::span::Span;

/// What a node is, for colouring and for filtering; never needed to understand a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum NodeKind {
    /// Start/end delimiters, preambles, fixed markers.
    Delimiter,
    /// Length fields.
    Length,
    /// Addresses (meter, client, SAP…).
    Address,
    /// Control and function codes.
    Control,
    /// Application data.
    #[default]
    Data,
    /// Checksums and CRCs (the node of a [`Check`]).
    Check,
    /// Bytes no rule explains.
    Unknown,
}

/// One node of a dissection tree.
///
/// `id` is stable and dotted (`dlt698.apdu.get.oad`): it is the JSON key, the
/// selection anchor in the page and the key of the label in the language table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Node {
    pub id: String,
    pub label: String,
    pub span: Span,
    pub kind: NodeKind,
    /// Machine-readable value (`"9.64"`, `"00010000"`, `"1-0:1.8.0*255"`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub value: Option<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub unit: Option<String>,
    /// Human explanation in the requested language.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub text: Option<String>,
    /// For a bit field, its bits in its bytes, most significant first: the
    /// field's as `0`/`1`, the others `.`, grouped by four (`1... ....`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub bits: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(id: impl Into<String>, label: impl Into<String>, span: Span) -> Self {
        Node {
            id: id.into(),
            label: label.into(),
            span,
            kind: NodeKind::Data,
            value: None,
            unit: None,
            text: None,
            bits: None,
            children: Vec::new(),
        }
    }

    pub fn kind(mut self, kind: NodeKind) -> Self {
        self.kind = kind;
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    pub fn child(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }

    pub fn push(&mut self, child: Node) {
        self.children.push(child);
    }

    /// Depth-first walk, parents before children.
    pub fn walk(&self, f: &mut impl FnMut(&Node, usize)) {
        fn go(n: &Node, depth: usize, f: &mut impl FnMut(&Node, usize)) {
            f(n, depth);
            for c in &n.children {
                go(c, depth + 1, f);
            }
        }
        go(self, 0, f)
    }

    /// The path (child indices from this node) of the deepest node whose span
    /// contains `offset`, or `None` when this node does not contain it.
    pub fn path_at(&self, offset: usize) -> Option<Vec<usize>> {
        if !self.span.contains(offset) {
            return None;
        }
        let mut path = Vec::new();
        let mut node = self;
        'down: loop {
            for (i, c) in node.children.iter().enumerate() {
                if c.span.contains(offset) {
                    path.push(i);
                    node = c;
                    continue 'down;
                }
            }
            return Some(path);
        }
    }

    /// The node at `path` (child indices), if any.
    pub fn at_path(&self, path: &[usize]) -> Option<&Node> {
        let mut node = self;
        for &i in path {
            node = node.children.get(i)?;
        }
        Some(node)
    }

    /// The path of the first node with this id, depth first.
    pub fn find_path(&self, id: &str) -> Option<Vec<usize>> {
        if self.id == id {
            return Some(Vec::new());
        }
        for (i, c) in self.children.iter().enumerate() {
            if let Some(mut p) = c.find_path(id) {
                p.insert(0, i);
                return Some(p);
            }
        }
        None
    }

    /// Number of nodes in this subtree.
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Node::count).sum::<usize>()
    }
}

/// A check as data: a value stated in the bytes against the value computed from them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Check {
    pub id: String,
    pub label: String,
    pub stated: String,
    pub computed: String,
    pub ok: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A finding pinned to a byte: `offset` is absolute in the input bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Diagnostic {
    pub severity: Severity,
    pub offset: usize,
    pub span: Span,
    /// Stable dotted code (`dlt645.cs.mismatch`).
    pub code: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, span: Span, code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity, offset: span.start, span, code: code.into(), message: message.into() }
    }
    pub fn error(span: Span, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, span, code, message)
    }
    pub fn warning(span: Span, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, span, code, message)
    }
    pub fn info(span: Span, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, span, code, message)
    }
}

/// One dissected frame: what a dissector returns, never an error.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame {
    /// Protocol name (`dlt645-2007`), or `unknown`.
    pub protocol: String,
    pub span: Span,
    /// True when no check failed and no diagnostic is an error.
    pub valid: bool,
    pub checks: Vec<Check>,
    pub tree: Node,
    pub diagnostics: Vec<Diagnostic>,
}

impl Frame {
    /// Assemble a frame; `valid` is derived from the checks and diagnostics.
    pub fn new(protocol: impl Into<String>, tree: Node, checks: Vec<Check>, diagnostics: Vec<Diagnostic>) -> Self {
        let valid = checks.iter().all(|c| c.ok) && !diagnostics.iter().any(|d| d.severity == Severity::Error);
        Frame { protocol: protocol.into(), span: tree.span, valid, checks, tree, diagnostics }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error) || self.checks.iter().any(|c| !c.ok)
    }

    /// What makes the frame invalid, one line each: failed checks (stated
    /// and computed) and error diagnostics, in the rendered language.
    pub fn problems(&self) -> Vec<String> {
        let checks =
            self.checks.iter().filter(|c| !c.ok).map(|c| format!("{}: {} ≠ {}", c.label, c.stated, c.computed));
        let errors = self.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.message.clone());
        checks.chain(errors).collect()
    }
}

/// Bytes between frames that no frame claims. Reported, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Junk {
    pub span: Span,
    /// Why the bytes were skipped (`preamble`, `unrecognised`…).
    pub reason: String,
}

/// Everything the core makes of one input: frames and junk, in byte order,
/// and what the frames tell together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dissection {
    pub frames: Vec<Frame>,
    pub junk: Vec<Junk>,
    /// Findings across frames (joined fragments, segments and blocks; checks
    /// that need several frames; tables), in input order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub analyses: Vec<Analysis>,
}

/// A finding across the frames of one input: parts joined into a whole (or
/// what keeps them from it), checks that need several frames, a table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Analysis {
    /// Stable dotted id of the kind (`dlms.reassembly`, `dlt698.reassembly`, `dlms.hls`).
    pub id: String,
    pub title: String,
    /// What became of it (`37 bytes`, `missing: part 3`).
    pub status: String,
    /// False when the parts make no whole or a check fails.
    pub ok: bool,
    pub parts: Vec<Part>,
    /// Checks over several frames, each in the frame that holds its bytes.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub checks: Vec<FrameCheck>,
    /// The joined bytes as spaced hex, when the parts make a whole.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub bytes: Option<String>,
    /// The joined bytes dissected (spans are offsets in the joined bytes), or a table.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub frame: Option<Frame>,
}

/// One part of an [`Analysis`]: a frame's share of the whole.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Part {
    /// Index of the frame in [`Dissection::frames`].
    pub frame: usize,
    /// Which part it is (`block 3, last`, `N(S) 2`, `sequence 0, first`).
    pub label: String,
    /// Where its bytes are in the input.
    pub span: Span,
    pub len: usize,
}

/// A check of an [`Analysis`] and the frame it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrameCheck {
    pub frame: usize,
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub check: Check,
}

impl Dissection {
    /// True when there is at least one frame and every frame is valid.
    pub fn all_valid(&self) -> bool {
        !self.frames.is_empty() && self.frames.iter().all(|f| f.valid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::new("p", "P", Span::new(0, 10))
            .child(Node::new("p.a", "A", Span::new(0, 2)))
            .child(Node::new("p.b", "B", Span::new(2, 10)).child(Node::new("p.b.c", "C", Span::new(4, 6))))
    }

    #[test]
    fn paths() {
        let t = sample();
        assert_eq!(t.path_at(5), Some(vec![1, 0]));
        assert_eq!(t.path_at(3), Some(vec![1]));
        assert_eq!(t.path_at(0), Some(vec![0]));
        assert_eq!(t.path_at(10), None);
        assert_eq!(t.at_path(&[1, 0]).map(|n| n.id.as_str()), Some("p.b.c"));
        assert_eq!(t.at_path(&[2]), None);
        assert_eq!(t.find_path("p.b.c"), Some(vec![1, 0]));
        assert_eq!(t.find_path("nope"), None);
        assert_eq!(t.count(), 4);
    }

    #[test]
    fn validity_follows_checks_and_errors() {
        let ok = Check {
            id: "c".into(),
            label: "C".into(),
            stated: "1".into(),
            computed: "1".into(),
            ok: true,
            span: Span::at(0, 1),
        };
        let bad = Check { ok: false, computed: "2".into(), ..ok.clone() };
        assert!(Frame::new("x", sample(), vec![ok.clone()], vec![]).valid);
        assert!(!Frame::new("x", sample(), vec![bad], vec![]).valid);
        let warn = Diagnostic::warning(Span::at(1, 1), "x.w", "w");
        assert!(Frame::new("x", sample(), vec![ok.clone()], vec![warn]).valid);
        let err = Diagnostic::error(Span::at(1, 1), "x.e", "e");
        assert!(!Frame::new("x", sample(), vec![ok], vec![err]).valid);
    }
}
