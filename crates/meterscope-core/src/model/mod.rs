//! The dissection model: language-neutral and cheap to build.
//!
//! A dissector builds a [`Frame`]: its nodes in one flat arena (indices for
//! parent, children and siblings), each with a static dotted id, a byte span,
//! a typed [`Value`] and messages ([`Msg`]) that are keys and typed arguments,
//! not text. Checks and diagnostics are data of the same kind. Nothing here
//! is in a language: [`Frame::render`] and [`Dissection::render`] turn a
//! dissection into the owned, serialisable [`view`](crate::view) for one
//! language, at the edge, as often as a surface needs, without decoding again.
//!
//! Hex is never built per node: byte values are spans into the frame's bytes,
//! which the frame keeps (one copy per frame).

use core::fmt;

use crate::lang::{self, LabelTable, Lang};
use crate::span::Span;
use crate::view;

pub use crate::view::{NodeKind, Severity};

mod graft;
mod msg;
mod recycle;
#[cfg(test)]
mod tests;

pub use msg::*;
use recycle::spare;

/// Index of a node in its frame's arena.
pub type NodeRef = u32;

/// No node (no parent, no child, no sibling).
pub const NONE: NodeRef = u32::MAX;

/// A node's id: static and dotted (`dlt645.data.di`), with an optional
/// numeric last segment for repeated items (`dlt645.data.value.3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Id {
    Static(&'static str),
    Indexed(&'static str, u32),
    /// A number inside the id: `key[..at]`, `.{index}`, `key[at..]`, then
    /// `.{last}` unless `last` is `u32::MAX` (`dlms.data.3.year` from the
    /// key `dlms.data.year`); labelled by `key`.
    Inner {
        key: &'static str,
        at: u16,
        index: u32,
        last: u32,
    },
    /// An id made at run time (dissectors not yet on static ids).
    Owned(Box<str>),
}

impl Id {
    /// Whether dropping the id frees memory.
    pub(super) fn owns_memory(&self) -> bool {
        matches!(self, Id::Owned(_))
    }
    pub fn write(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Id::Static(s) => w.write_str(s),
            Id::Indexed(s, i) => write!(w, "{s}.{i}"),
            Id::Inner { key, at, index, last } => {
                let at = usize::from(*at).min(key.len());
                write!(w, "{}.{index}{}", &key[..at], &key[at..])?;
                if *last != u32::MAX { write!(w, ".{last}") } else { Ok(()) }
            }
            Id::Owned(s) => w.write_str(s),
        }
    }

    /// `key` with a number after its first `at` bytes (see [`Id::Inner`]).
    pub fn inner(key: &'static str, at: usize, index: u32) -> Id {
        Id::Inner { key, at: at as u16, index, last: u32::MAX }
    }

    /// The id as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = self.write(&mut s);
        s
    }

    /// The id without its index: the key of its label.
    pub fn key(&self) -> &str {
        match self {
            Id::Static(s) | Id::Indexed(s, _) | Id::Inner { key: s, .. } => s,
            Id::Owned(s) => s,
        }
    }
}

impl From<&'static str> for Id {
    fn from(s: &'static str) -> Self {
        Id::Static(s)
    }
}

/// How often each static id has been seen in one frame, for dissectors that
/// number repeated ids (`dlms.data.3`): an open-addressing table kept inline
/// (no allocation for the few dozen ids of a frame), the ids compared by
/// address first, with a list for the rest.
pub struct Occurrences {
    /// Empty slots are `None` (all zeros: a new table costs one fill).
    slots: [(Option<&'static str>, u32); Occurrences::SLOTS],
    used: usize,
    more: Vec<(&'static str, u32)>,
}

impl Default for Occurrences {
    fn default() -> Self {
        Occurrences { slots: [(None, 0); Occurrences::SLOTS], used: 0, more: Vec::new() }
    }
}

impl Occurrences {
    const SLOTS: usize = 32;

    /// Count one more occurrence of `id`; returns how many there have been (1 the first time).
    #[inline]
    pub fn count(&mut self, id: &'static str) -> u32 {
        let mask = Self::SLOTS - 1;
        let mut i = Self::hash(id) & mask;
        loop {
            let slot = &mut self.slots[i];
            let Some(seen) = slot.0 else {
                if 4 * (self.used + 1) > 3 * Self::SLOTS {
                    break;
                }
                *slot = (Some(id), 1);
                self.used += 1;
                return 1;
            };
            if core::ptr::eq(seen, id) || seen == id {
                slot.1 += 1;
                return slot.1;
            }
            i = (i + 1) & mask;
        }
        self.count_more(id)
    }

    /// The table is three quarters full: the rest in a list.
    #[cold]
    fn count_more(&mut self, id: &'static str) -> u32 {
        match self.more.iter_mut().find(|s| s.0 == id) {
            Some(s) => {
                s.1 += 1;
                s.1
            }
            None => {
                self.more.push((id, 1));
                1
            }
        }
    }

    /// Ids share their first segments (`dlt698.apdu.`): hash the length and the last eight bytes.
    fn hash(s: &str) -> usize {
        let b = s.as_bytes();
        let tail = match b.len().checked_sub(8) {
            Some(at) => u64::from_le_bytes(b[at..].try_into().unwrap_or([0; 8])),
            None => b.iter().fold(0, |a, &x| a << 8 | u64::from(x)),
        };
        let h = (tail ^ (b.len() as u64).rotate_left(56)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 40) as usize
    }
}

/// One node of a frame's arena.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: Id,
    pub span: Span,
    pub kind: NodeKind,
    /// Machine-readable value (`9.64`, `00010000`, `1-0:1.8.0*255`).
    pub value: Msg,
    /// The explanation.
    pub text: Msg,
    pub parent: NodeRef,
    pub first_child: NodeRef,
    pub last_child: NodeRef,
    pub next_sibling: NodeRef,
    /// For a bit field, the bits of its bytes (one or two, read as one
    /// big-endian number) that make it; 0 for other nodes. (It fits in the
    /// node's padding.)
    pub mask: u16,
    /// Index in [`Frame::extras`] of the node's label and unit, or [`NONE`]:
    /// the label of the id and no unit, as most nodes have. Keeping them
    /// aside keeps the arena's nodes small.
    pub extra: NodeRef,
}

/// A node's label, when it is not the label of its id, and its unit.
#[derive(Clone, Debug)]
pub struct Extra {
    pub label: Msg,
    pub unit: Msg,
}

impl Default for Extra {
    fn default() -> Self {
        Extra { label: Msg::Label, unit: Msg::None }
    }
}

/// A check as data: the value stated in the bytes against the value computed.
#[derive(Clone, Debug)]
pub struct Check {
    pub id: Id,
    pub label: Msg,
    pub stated: Msg,
    pub computed: Msg,
    pub ok: bool,
    pub span: Span,
}

impl Check {
    /// The check in one language; `cx` gives the bytes its messages refer to
    /// (its own id is added for [`Msg::Label`]).
    pub fn render(&self, lang: Lang, cx: &RenderCx) -> view::Check {
        let id = self.id.to_text();
        let cx = RenderCx { id: &id, ..*cx };
        view::Check {
            label: self.label.render(lang, &cx),
            stated: self.stated.render(lang, &cx),
            computed: self.computed.render(lang, &cx),
            ok: self.ok,
            span: self.span,
            id,
        }
    }
}

/// A finding pinned to bytes.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    /// Stable dotted code (`dlt645.cs.mismatch`).
    pub code: Id,
    pub message: Msg,
}

impl Diagnostic {
    pub fn new(severity: Severity, span: Span, code: impl Into<Id>, message: Msg) -> Self {
        Diagnostic { severity, span, code: code.into(), message }
    }
}

/// One dissected frame: its bytes, its node arena (the root first), checks
/// and diagnostics.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Registry name (`dlt645-2007`), or `unknown`.
    pub protocol: &'static str,
    pub span: Span,
    /// True when no check failed and no diagnostic is an error (after the policy).
    pub valid: bool,
    /// The frame's bytes; `bytes[0]` is at absolute offset `span.start`.
    pub bytes: Vec<u8>,
    pub nodes: Vec<Node>,
    /// Labels and units of the nodes that have them (see [`Node::extra`]).
    pub extras: Vec<Extra>,
    pub checks: Vec<Check>,
    pub diagnostics: Vec<Diagnostic>,
    /// Bytes derived from the frame (see [`Msg::Derived`]).
    pub derived: Vec<u8>,
    /// The label table of the family that made the frame (the shared one
    /// is searched after it): the family gives it, the core knows no family.
    pub labels: LabelTable,
    /// At least the number of messages and ids in the frame that hold
    /// memory: dropping the frame looks for that many and stops. The frame's
    /// methods count what they write; code writing such a message into a
    /// public field directly counts it with [`Frame::counted`] (debug builds
    /// check, on drop, that nothing was missed).
    owned: u32,
}

/// A node being built: setters that chain.
pub struct NodeMut<'a> {
    frame: &'a mut Frame,
    index: NodeRef,
}

impl NodeMut<'_> {
    pub fn index(&self) -> NodeRef {
        self.index
    }
    fn node(&mut self) -> &mut Node {
        &mut self.frame.nodes[self.index as usize]
    }
    #[inline(always)]
    pub fn value(mut self, v: Msg) -> Self {
        self.frame.owned += u32::from(v.owns_memory());
        Msg::put(&mut self.node().value, v);
        self
    }
    #[inline(always)]
    pub fn unit(mut self, u: Msg) -> Self {
        // No unit is what a node without an extra has already.
        if u.is_none() && self.node().extra == NONE {
            return self;
        }
        self.frame.owned += u32::from(u.owns_memory());
        Msg::put(&mut self.frame.extra_mut(self.index).unit, u);
        self
    }
    #[inline(always)]
    pub fn text(mut self, t: Msg) -> Self {
        self.frame.owned += u32::from(t.owns_memory());
        Msg::put(&mut self.node().text, t);
        self
    }
    /// The node is a bit field: these bits of its bytes (one or two, read
    /// as one big-endian number) make it, shown as `1... ....` beside its
    /// label.
    pub fn bits(mut self, mask: u16) -> Self {
        self.node().mask = mask;
        self
    }
    #[inline(always)]
    pub fn label(mut self, l: Msg) -> Self {
        // The label of the id is what a node without an extra has already.
        if matches!(l, Msg::Label) && self.node().extra == NONE {
            return self;
        }
        self.frame.owned += u32::from(l.owns_memory());
        Msg::put(&mut self.frame.extra_mut(self.index).label, l);
        self
    }
    pub fn kind(mut self, k: NodeKind) -> Self {
        self.node().kind = k;
        self
    }
    pub fn span(mut self, s: Span) -> Self {
        self.node().span = s;
        self
    }
}

impl Frame {
    /// An empty frame over `bytes`, which start at absolute offset `base`.
    pub fn new(protocol: &'static str, bytes: &[u8], base: usize) -> Self {
        let spare::Parts { mut nodes, extras, checks, diagnostics, derived, bytes: mut own } = spare::take();
        nodes.reserve(24);
        own.extend_from_slice(bytes);
        Frame {
            protocol,
            span: Span::at(base, bytes.len()),
            valid: true,
            bytes: own,
            nodes,
            extras,
            checks,
            diagnostics,
            derived,
            labels: &[],
            owned: 0,
        }
    }

    /// The frame with its family's label table.
    pub fn with_labels(mut self, labels: LabelTable) -> Self {
        self.labels = labels;
        self
    }

    /// Room for at least `n` more nodes.
    pub fn reserve_nodes(&mut self, n: usize) {
        self.nodes.reserve(n);
    }

    /// Keep bytes derived from the frame; returns where they start in [`Frame::derived`].
    #[inline]
    pub fn derive(&mut self, bytes: &[u8]) -> u32 {
        let at = self.derived.len() as u32;
        self.derived.extend_from_slice(bytes);
        at
    }

    /// Add a node under `parent` (or a root with [`NONE`]), as its last child.
    /// Inlined into the few decoders' helpers that add nodes: the call cost
    /// a third of adding a node.
    #[inline]
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, span: Span, kind: NodeKind) -> NodeMut<'_> {
        self.add_inlined(parent, id.into(), span, kind)
    }

    /// [`Frame::add`], always inlined: for the node helpers of decoders
    /// that add nodes through one helper (DLMS), where the compiler left
    /// `add` out of line.
    // Always inlined natively and with the `speed` feature; in the size-optimised
    // WebAssembly modules the optimiser decides.
    #[cfg_attr(any(not(target_arch = "wasm32"), feature = "speed"), inline(always))]
    pub(crate) fn add_inlined(&mut self, parent: NodeRef, id: Id, span: Span, kind: NodeKind) -> NodeMut<'_> {
        let index = self.nodes.len() as NodeRef;
        self.owned += u32::from(id.owns_memory());
        // The node is written straight into the arena's spare room: building
        // it on the stack and copying it in costs more than the rest of `add`.
        self.nodes.reserve(1);
        self.nodes.spare_capacity_mut()[0].write(Node {
            id,
            span,
            kind,
            value: Msg::None,
            text: Msg::None,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            mask: 0,
            extra: NONE,
        });
        // SAFETY: `reserve(1)` made room for one more node, and the slot at
        // the current length was initialised just above.
        unsafe { self.nodes.set_len(index as usize + 1) };
        // A new node has no children, so it cannot be above its parent.
        if (parent as usize) < self.nodes.len() - 1 {
            self.link(parent, index);
        }
        NodeMut { frame: self, index }
    }

    /// The label of a node: [`Msg::Label`] unless one was set.
    pub fn label_of(&self, index: NodeRef) -> &Msg {
        const LABEL: &Msg = &Msg::Label;
        match self.nodes.get(index as usize).map_or(NONE, |n| n.extra) {
            NONE => LABEL,
            e => &self.extras[e as usize].label,
        }
    }

    /// The unit of a node ([`Msg::None`] when it has none).
    pub fn unit_of(&self, index: NodeRef) -> &Msg {
        const NO_UNIT: &Msg = &Msg::None;
        match self.nodes.get(index as usize).map_or(NONE, |n| n.extra) {
            NONE => NO_UNIT,
            e => &self.extras[e as usize].unit,
        }
    }

    fn extra_mut(&mut self, index: NodeRef) -> &mut Extra {
        let n = &mut self.nodes[index as usize];
        if n.extra == NONE {
            n.extra = self.extras.len() as NodeRef;
            self.extras.push(Extra::default());
        }
        &mut self.extras[n.extra as usize]
    }

    /// Link `child` (detached) as the last child of `parent`.
    fn link(&mut self, parent: NodeRef, child: NodeRef) {
        let (p, c) = (parent as usize, child as usize);
        self.nodes[c].parent = parent;
        match self.nodes[p].last_child {
            NONE => self.nodes[p].first_child = child,
            last => self.nodes[last as usize].next_sibling = child,
        }
        self.nodes[p].last_child = child;
    }

    /// Make a detached node the last child of `parent`.
    pub fn attach(&mut self, parent: NodeRef, child: NodeRef) {
        let (p, c) = (parent as usize, child as usize);
        if p >= self.nodes.len() || c >= self.nodes.len() || self.nodes[c].parent != NONE {
            return;
        }
        // No cycles: the parent must not be the child or lie below it.
        let mut up = parent;
        while up != NONE {
            if up == child {
                return;
            }
            up = self.nodes[up as usize].parent;
        }
        self.link(parent, child);
    }

    /// Change a node after it was added.
    pub fn node_mut(&mut self, index: NodeRef) -> NodeMut<'_> {
        assert!((index as usize) < self.nodes.len(), "no node {index}");
        NodeMut { frame: self, index }
    }

    pub fn node(&self, index: NodeRef) -> Option<&Node> {
        self.nodes.get(index as usize)
    }

    /// The children of a node, in order.
    pub fn children(&self, index: NodeRef) -> Children<'_> {
        Children { frame: self, next: self.node(index).map_or(NONE, |n| n.first_child) }
    }

    #[inline]
    pub fn check(&mut self, check: Check) {
        let n = u32::from(check.label.owns_memory())
            + u32::from(check.stated.owns_memory())
            + u32::from(check.computed.owns_memory())
            + u32::from(check.id.owns_memory());
        self.owned += n;
        self.checks.push(check);
    }

    #[inline]
    pub fn diag(&mut self, severity: Severity, span: Span, code: impl Into<Id>, message: Msg) {
        let d = Diagnostic::new(severity, span, code, message);
        self.owned += u32::from(d.message.owns_memory()) + u32::from(d.code.owns_memory());
        self.diagnostics.push(d);
    }

    /// A one-byte checksum at `span`: its check (stated against computed),
    /// its node under `parent` (value, and "correct" or what it should be)
    /// and, when wrong, an error `code` naming both. Returns the node.
    pub fn byte_checksum(
        &mut self,
        parent: NodeRef,
        id: &'static str,
        code: &'static str,
        span: Span,
        (stated, computed): (u8, u8),
    ) -> NodeRef {
        let ok = stated == computed;
        let hex = |v: u8| Msg::HexNum { value: v.into(), digits: 2 };
        self.check(Check {
            id: Id::Static(id),
            label: Msg::Label,
            stated: hex(stated),
            computed: hex(computed),
            ok,
            span,
        });
        let text = if ok {
            crate::msg!("correct", "正确")
        } else {
            crate::msg!("incorrect, should be 0x{:02X}", "错误，应为 0x{:02X}", computed)
        };
        let n = self.add(parent, id, span, NodeKind::Check).value(hex(stated)).text(text).index();
        if !ok {
            let msg = crate::msg!(
                "checksum 0x{:02X} is incorrect, should be 0x{:02X}",
                "校验和 0x{:02X} 错误，应为 0x{:02X}",
                stated,
                computed
            );
            self.diag(Severity::Error, span, code, msg);
        }
        n
    }

    /// Count messages that hold memory written into the frame's public
    /// fields directly (not through its methods), so that dropping the
    /// frame finds them: call it with each one written.
    pub fn counted(&mut self, written: &Msg) {
        self.owned += u32::from(written.owns_memory());
    }

    /// Replace the text of `node` by what `f` makes of it (nothing happens
    /// when there is no such node).
    pub fn replace_text(&mut self, node: NodeRef, f: impl FnOnce(Msg) -> Msg) {
        let Some(n) = self.nodes.get_mut(node as usize) else { return };
        let text = f(core::mem::take(&mut n.text));
        self.owned += u32::from(text.owns_memory());
        n.text = text;
    }

    /// Derive `valid` from the checks and diagnostics; call when done.
    pub fn finish(mut self) -> Self {
        self.valid =
            self.checks.iter().all(|c| c.ok) && !self.diagnostics.iter().any(|d| d.severity == Severity::Error);
        self
    }

    /// The bytes of an absolute span that lies in this frame.
    pub fn slice(&self, span: Span) -> &[u8] {
        let start = span.start.saturating_sub(self.span.start).min(self.bytes.len());
        let end = span.end.saturating_sub(self.span.start).clamp(start, self.bytes.len());
        &self.bytes[start..end]
    }

    fn write(&self, m: &Msg, lang: Lang, id: &str) -> Option<String> {
        if m.is_none() {
            return None;
        }
        let cx =
            RenderCx { id, bytes: &self.bytes, base: self.span.start, derived: &self.derived, labels: self.labels };
        let mut s = String::new();
        let _ = m.write(&mut s, lang, &cx);
        Some(s)
    }

    /// The frame for one language, in the owned shape every surface shows and
    /// serialises.
    pub fn render(&self, lang: Lang) -> view::Frame {
        let tree = if self.nodes.is_empty() {
            view::Node::new(self.protocol, self.protocol, self.span)
        } else {
            self.render_node(0, lang)
        };
        let cx = RenderCx {
            bytes: &self.bytes,
            base: self.span.start,
            derived: &self.derived,
            labels: self.labels,
            ..RenderCx::default()
        };
        let checks = self.checks.iter().map(|c| c.render(lang, &cx)).collect();
        let diagnostics = self
            .diagnostics
            .iter()
            .map(|d| {
                let code = d.code.to_text();
                view::Diagnostic {
                    severity: d.severity,
                    offset: d.span.start,
                    span: d.span,
                    message: self.write(&d.message, lang, &code).unwrap_or_default(),
                    code,
                }
            })
            .collect();
        view::Frame {
            protocol: self.protocol.to_string(),
            span: self.span,
            valid: self.valid,
            checks,
            tree,
            diagnostics,
        }
    }

    /// A bit field's bits as Wireshark shows them: most significant first,
    /// the field's bits as `0`/`1`, the others as `.`, a space every four
    /// (`1... ....`); `None` for nodes that are not bit fields or whose bytes
    /// are not all in the frame.
    fn bit_pattern(&self, index: NodeRef) -> Option<String> {
        let n = self.nodes.get(index as usize)?;
        if n.mask == 0 {
            return None;
        }
        let bytes = self.slice(n.span);
        if bytes.is_empty() || bytes.len() > 2 || bytes.len() != n.span.len() {
            return None;
        }
        let value = bytes.iter().fold(0u16, |v, &b| v << 8 | u16::from(b));
        let width = bytes.len() * 8;
        let mut out = String::with_capacity(width + width / 4);
        for i in (0..width).rev() {
            out.push(match (n.mask >> i & 1, value >> i & 1) {
                (0, _) => '.',
                (_, 0) => '0',
                _ => '1',
            });
            if i % 4 == 0 && i > 0 {
                out.push(' ');
            }
        }
        Some(out)
    }

    fn render_node(&self, index: NodeRef, lang: Lang) -> view::Node {
        let n = &self.nodes[index as usize];
        let id = n.id.to_text();
        let label = match self.label_of(index) {
            Msg::Label => lang::lookup(self.labels, n.id.key())
                .map_or_else(|| id.clone(), |(en, zh)| lang.pick(en, zh).to_string()),
            other => self.write(other, lang, &id).unwrap_or_default(),
        };
        let mut out = view::Node::new(String::new(), label, n.span).kind(n.kind);
        out.value = self.write(&n.value, lang, &id);
        out.unit = self.write(self.unit_of(index), lang, &id);
        out.text = self.write(&n.text, lang, &id);
        out.bits = self.bit_pattern(index);
        out.id = id;
        let mut c = n.first_child;
        while c != NONE {
            out.children.push(self.render_node(c, lang));
            c = self.nodes[c as usize].next_sibling;
        }
        out
    }
}

/// A frame builder that reads bytes derived from its frame (decrypted,
/// unstuffed, or with a link layer's CRCs taken out) in place of the frame's
/// own: the decoding contexts of DLMS/COSEM and M-Bus.
pub trait ReadDerived: Sized {
    /// The frame being built, and while derived bytes are read: the absolute
    /// offset their spans start from (the offset their first byte stands
    /// for), and where they start in [`Frame::derived`].
    fn frame_and_source(&mut self) -> (&mut Frame, &mut Option<(usize, u32)>);

    /// Read derived bytes `d` (spans from `at`) in `body`: keeps them once in
    /// the frame, and values written as hex or text (and the bytes the
    /// context reads) refer to them.
    fn derived<T>(&mut self, d: &[u8], at: usize, body: impl FnOnce(&mut Self) -> T) -> T {
        let (f, src) = self.frame_and_source();
        let k = f.derive(d);
        let saved = src.replace((at, k));
        let out = body(self);
        *self.frame_and_source().1 = saved;
        out
    }
}

/// The children of a node.
pub struct Children<'a> {
    frame: &'a Frame,
    next: NodeRef,
}

impl<'a> Iterator for Children<'a> {
    type Item = (NodeRef, &'a Node);
    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next;
        let n = self.frame.node(i)?;
        self.next = n.next_sibling;
        Some((i, n))
    }
}

/// Bytes between frames that no frame claims. Reported, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Junk {
    pub span: Span,
    /// Why the bytes were skipped (`preamble`, `unrecognised`).
    pub reason: &'static str,
}

/// A finding across the frames of one input (see [`view::Analysis`]).
#[derive(Clone, Debug)]
pub struct Analysis {
    pub id: Id,
    /// Usually [`Msg::Label`]: the label of the id.
    pub title: Msg,
    pub status: Msg,
    pub ok: bool,
    pub parts: Vec<Part>,
    /// Checks over several frames: (frame index, check).
    pub checks: Vec<(usize, Check)>,
    /// The joined bytes dissected (spans are offsets in them), or a table.
    pub frame: Option<Frame>,
    /// The label table of the family that made the analysis.
    pub labels: LabelTable,
}

/// One part of an [`Analysis`].
#[derive(Clone, Debug)]
pub struct Part {
    pub frame: usize,
    pub label: Msg,
    pub span: Span,
    pub len: usize,
}

impl Analysis {
    /// The analysis in one language.
    pub fn render(&self, lang: Lang) -> view::Analysis {
        let id = self.id.to_text();
        let cx = RenderCx { id: &id, labels: self.labels, ..RenderCx::default() };
        view::Analysis {
            title: self.title.render(lang, &cx),
            status: self.status.render(lang, &cx),
            ok: self.ok,
            parts: self
                .parts
                .iter()
                .map(|p| view::Part { frame: p.frame, label: p.label.render(lang, &cx), span: p.span, len: p.len })
                .collect(),
            checks: self
                .checks
                .iter()
                .map(|(frame, c)| {
                    let check = c.render(lang, &RenderCx { labels: self.labels, ..RenderCx::default() });
                    view::FrameCheck { frame: *frame, check }
                })
                .collect(),
            bytes: self.frame.as_ref().filter(|f| !f.bytes.is_empty()).map(|f| crate::input::to_hex(&f.bytes)),
            frame: self.frame.as_ref().map(|f| f.render(lang)),
            id,
        }
    }
}

/// Everything the core makes of one input, in no language: frames and junk,
/// and the findings across frames.
#[derive(Clone, Debug, Default)]
pub struct Dissection {
    pub frames: Vec<Frame>,
    pub junk: Vec<Junk>,
    pub analyses: Vec<Analysis>,
}

impl Dissection {
    /// True when there is at least one frame and every frame is valid.
    pub fn all_valid(&self) -> bool {
        !self.frames.is_empty() && self.frames.iter().all(|f| f.valid)
    }

    /// The dissection for one language.
    pub fn render(&self, lang: Lang) -> view::Dissection {
        view::Dissection {
            frames: self.frames.iter().map(|f| f.render(lang)).collect(),
            junk: self.junk.iter().map(|j| view::Junk { span: j.span, reason: j.reason.to_string() }).collect(),
            analyses: self.analyses.iter().map(|a| a.render(lang)).collect(),
        }
    }
}
