//! Recycling a dropped frame's vectors: the messages that hold memory
//! dropped, the emptied vectors kept for the next frames of the thread.

use super::{Check, Diagnostic, Extra, Frame, Id, Msg, Node};

/// The vectors of dropped frames (node arena, extras, checks, diagnostics,
/// derived bytes, bytes), kept emptied for the next frames of this thread:
/// taking warm ones back costs less than asking the allocator for fresh ones
/// and giving them back every frame.
pub(super) mod spare {
    use super::{Check, Diagnostic, Extra, Node};
    use std::cell::RefCell;

    /// Sets kept at most.
    const KEEP: usize = 8;
    /// The largest vectors kept: nodes, other items, bytes.
    const LARGEST_NODES: usize = 4096;
    const LARGEST_ITEMS: usize = 1024;
    const LARGEST_BYTES: usize = 1 << 16;

    /// A frame's vectors, all empty.
    #[derive(Default)]
    pub struct Parts {
        pub nodes: Vec<Node>,
        pub extras: Vec<Extra>,
        pub checks: Vec<Check>,
        pub diagnostics: Vec<Diagnostic>,
        pub derived: Vec<u8>,
        pub bytes: Vec<u8>,
    }

    thread_local! {
        static SPARE: RefCell<Vec<Parts>> = const { RefCell::new(Vec::new()) };
    }

    /// Empty vectors, warm when a dropped frame left some.
    pub fn take() -> Parts {
        SPARE.try_with(|s| s.borrow_mut().pop()).ok().flatten().unwrap_or_default()
    }

    /// Keep emptied vectors for later, unless enough are kept; the largest
    /// ones are let go.
    pub fn give(mut p: Parts) {
        debug_assert!(p.nodes.is_empty() && p.extras.is_empty() && p.checks.is_empty());
        debug_assert!(p.diagnostics.is_empty() && p.derived.is_empty() && p.bytes.is_empty());
        if p.nodes.capacity() == 0 && p.bytes.capacity() == 0 {
            return;
        }
        if p.nodes.capacity() > LARGEST_NODES {
            p.nodes = Vec::new();
        }
        if p.extras.capacity() > LARGEST_ITEMS {
            p.extras = Vec::new();
        }
        if p.checks.capacity() > LARGEST_ITEMS {
            p.checks = Vec::new();
        }
        if p.diagnostics.capacity() > LARGEST_ITEMS {
            p.diagnostics = Vec::new();
        }
        if p.derived.capacity() > LARGEST_BYTES {
            p.derived = Vec::new();
        }
        if p.bytes.capacity() > LARGEST_BYTES {
            p.bytes = Vec::new();
        }
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < KEEP {
                s.push(p);
            }
        });
    }
}

/// Empty `v` without running the drop code of its items, which the caller
/// has made hold no memory.
fn forget_items<T>(v: &mut Vec<T>) {
    // SAFETY: shortening to 0 only forgets the items (leaking is safe), and
    // the callers have dropped whatever memory they held.
    unsafe { v.set_len(0) };
}

/// Drop a message in place if it holds memory (most do not).
#[inline]
fn release(m: &mut Msg) -> u32 {
    if m.owns_memory() {
        *m = Msg::None;
        1
    } else {
        0
    }
}

/// Drop an id in place if it holds memory.
#[inline]
fn release_id(id: &mut Id) -> u32 {
    if let Id::Owned(_) = id {
        *id = Id::Static("");
        1
    } else {
        0
    }
}

impl Drop for Frame {
    /// Takes the vectors out and recycles them. Inlined into the frame's
    /// drop glue, which then sees the fields emptied and drops nothing more
    /// (dropping the emptied vectors out of line cost as much as recycling).
    #[inline]
    fn drop(&mut self) {
        let parts = spare::Parts {
            nodes: core::mem::take(&mut self.nodes),
            extras: core::mem::take(&mut self.extras),
            checks: core::mem::take(&mut self.checks),
            diagnostics: core::mem::take(&mut self.diagnostics),
            derived: core::mem::take(&mut self.derived),
            bytes: core::mem::take(&mut self.bytes),
        };
        recycle(parts, self.owned, self.protocol);
    }
}

/// Drops the messages of a dropped frame's vectors that hold memory, which
/// are few (dropping every message one by one was a tenth of the time of a
/// dissection): it looks for as many as were counted (`owned`) and stops.
/// The emptied vectors are kept for the next frame.
#[cfg_attr(not(debug_assertions), allow(unused_variables))]
fn recycle(mut parts: spare::Parts, owned: u32, protocol: &str) {
    let spare::Parts { nodes, extras, checks, diagnostics, derived, bytes } = &mut parts;
    let mut left = owned;
    for n in nodes.iter_mut() {
        if left == 0 {
            break;
        }
        left = left.saturating_sub(release(&mut n.value) + release(&mut n.text) + release_id(&mut n.id));
    }
    for e in extras.iter_mut() {
        if left == 0 {
            break;
        }
        left = left.saturating_sub(release(&mut e.label) + release(&mut e.unit));
    }
    for c in checks.iter_mut() {
        if left == 0 {
            break;
        }
        let n = release(&mut c.label) + release(&mut c.stated) + release(&mut c.computed) + release_id(&mut c.id);
        left = left.saturating_sub(n);
    }
    for d in diagnostics.iter_mut() {
        if left == 0 {
            break;
        }
        left = left.saturating_sub(release(&mut d.message) + release_id(&mut d.code));
    }
    #[cfg(debug_assertions)]
    {
        let nodes = nodes.iter().any(|n| n.value.owns_memory() || n.text.owns_memory() || n.id.owns_memory());
        let extras = extras.iter().any(|e| e.label.owns_memory() || e.unit.owns_memory());
        let checks = checks
            .iter()
            .any(|c| c.label.owns_memory() || c.stated.owns_memory() || c.computed.owns_memory() || c.id.owns_memory());
        let diagnostics = diagnostics.iter().any(|d| d.message.owns_memory() || d.code.owns_memory());
        assert!(
            !(nodes || extras || checks || diagnostics),
            "a message holding memory was written into a {protocol} frame without being counted (Frame::counted)",
        );
    }
    forget_items(nodes);
    forget_items(extras);
    forget_items(checks);
    forget_items(diagnostics);
    derived.clear();
    bytes.clear();
    spare::give(parts);
}
