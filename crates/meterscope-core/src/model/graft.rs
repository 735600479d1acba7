//! Frames grafted into frames (a frame nested in another protocol's data,
//! dissected by its own protocol and shown in place).

use super::*;

/// Grafting one dissected frame into another: a frame nested in the data of
/// another protocol's frame (a DL/T 645 frame forwarded inside a Q/GDW 1376
/// frame) is dissected by its own protocol and then shown in place.
impl Frame {
    /// Copy the whole of `inner` (nodes, extras, checks, diagnostics and
    /// derived bytes) into this frame, its root nodes as the last children of
    /// `parent`, and return the index of its first root.
    ///
    /// `inner` must have been dissected over bytes that are this frame's
    /// bytes at `inner.span` (same absolute offsets: built with the right
    /// `base`), so that its spans and hex values land on the same bytes here.
    /// Labels the inner frame would take from its own family's table are
    /// resolved now into English/Chinese labels ([`Msg::Bi`]), so the nodes
    /// render with their own family's words under the outer family's table;
    /// derived-byte references are moved to where the inner derived bytes
    /// land. The inner checks and errors count towards this frame's validity
    /// when [`Frame::finish`] is called. With no `parent` in this frame the
    /// inner roots stay roots. Returns [`NONE`] when `inner` has no nodes.
    pub fn graft(&mut self, parent: NodeRef, inner: &Frame) -> NodeRef {
        let offset = self.nodes.len() as NodeRef;
        let shift = self.derived.len() as u32;
        self.derived.extend_from_slice(&inner.derived);
        let resolve = |id: &Id| lang::lookup_row(inner.labels, id.key()).map(|r| r as &'static dyn Words);
        let moved = |r: NodeRef| if r == NONE { NONE } else { r + offset };
        for n in &inner.nodes {
            let own = resolve(&n.id);
            let (label, unit) = match inner.extras.get(n.extra as usize) {
                Some(e) => (regraft(&e.label, shift, own), regraft(&e.unit, shift, own)),
                None => (regraft(&Msg::Label, shift, own), Msg::None),
            };
            let extra = if matches!(label, Msg::Label) && unit.is_none() {
                NONE
            } else {
                self.owned += u32::from(label.owns_memory()) + u32::from(unit.owns_memory());
                self.extras.push(Extra { label, unit });
                (self.extras.len() - 1) as NodeRef
            };
            let (value, text) = (regraft(&n.value, shift, own), regraft(&n.text, shift, own));
            self.owned +=
                u32::from(value.owns_memory()) + u32::from(text.owns_memory()) + u32::from(n.id.owns_memory());
            self.nodes.push(Node {
                id: n.id.clone(),
                span: n.span,
                kind: n.kind,
                value,
                text,
                parent: moved(n.parent),
                first_child: moved(n.first_child),
                last_child: moved(n.last_child),
                next_sibling: moved(n.next_sibling),
                mask: n.mask,
                extra,
            });
        }
        if (parent as usize) < offset as usize {
            for (i, n) in inner.nodes.iter().enumerate() {
                if n.parent == NONE {
                    self.link(parent, offset + i as NodeRef);
                }
            }
        }
        for c in &inner.checks {
            let own = resolve(&c.id);
            self.check(Check {
                id: c.id.clone(),
                label: regraft(&c.label, shift, own),
                stated: regraft(&c.stated, shift, own),
                computed: regraft(&c.computed, shift, own),
                ok: c.ok,
                span: c.span,
            });
        }
        for d in &inner.diagnostics {
            let own = resolve(&d.code);
            let message = regraft(&d.message, shift, own);
            self.owned += u32::from(message.owns_memory()) + u32::from(d.code.owns_memory());
            self.diagnostics.push(Diagnostic { severity: d.severity, span: d.span, code: d.code.clone(), message });
        }
        if inner.nodes.is_empty() { NONE } else { offset }
    }
}

/// A message of a grafted frame as it reads in the frame it is grafted into:
/// the label of its id (`own`, from its family's table) written in, and
/// derived bytes `shift` further on (a label the inner table lacks stays
/// [`Msg::Label`]: the outer and shared tables are searched for it).
fn regraft(m: &Msg, shift: u32, own: Option<&'static dyn Words>) -> Msg {
    match m {
        Msg::Label => own.map_or(Msg::Label, Msg::Bi),
        Msg::Derived { at, len, spaced, reversed } => {
            Msg::Derived { at: at.saturating_add(shift), len: *len, spaced: *spaced, reversed: *reversed }
        }
        Msg::DerivedText { at, len } => Msg::DerivedText { at: at.saturating_add(shift), len: *len },
        Msg::Concat(parts) => Msg::Concat(parts.iter().map(|p| regraft(p, shift, own)).collect()),
        Msg::Fmt(f) => Msg::fmt_iter(
            f.tpl,
            f.args.iter().map(|a| match a {
                Arg::Msg(inner) => Arg::Msg(Box::new(regraft(inner, shift, own))),
                other => other.clone(),
            }),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INNER: LabelTable = &[("inner", "Inner frame", "内层帧"), ("inner.cs", "Inner checksum", "内层校验")];
    static OUTER: LabelTable = &[("outer", "Outer frame", "外层帧"), ("outer.data", "Data", "数据")];

    #[test]
    fn a_grafted_frame_keeps_its_links_labels_and_derived_bytes() {
        let bytes = [0x68, 0x01, 0x02, 0x03, 0x16];
        let mut inner = Frame::new("in", &bytes[1..4], 11).with_labels(INNER);
        let at = inner.derive(&[0xAA, 0xBB]);
        let r = inner.add(NONE, "inner", Span::at(11, 3), NodeKind::Data).index();
        inner.add(r, "inner.cs", Span::at(13, 1), NodeKind::Check).value(Msg::Derived {
            at,
            len: 2,
            spaced: true,
            reversed: false,
        });
        inner.add(r, "inner.none", Span::at(12, 1), NodeKind::Data).value(Msg::hex(Span::at(12, 1)));
        inner.check(Check {
            id: "inner.cs".into(),
            label: Msg::Label,
            stated: Msg::Uint(1),
            computed: Msg::Uint(2),
            ok: false,
            span: Span::at(13, 1),
        });
        let mut outer = Frame::new("out", &bytes, 10).with_labels(OUTER);
        outer.derive(&[0x01]);
        let root = outer.add(NONE, "outer", Span::at(10, 5), NodeKind::Data).index();
        let data = outer.add(root, "outer.data", Span::at(11, 3), NodeKind::Data).index();
        let first = outer.graft(data, &inner);
        outer.add(root, "outer.data", Span::at(14, 1), NodeKind::Data);
        let outer = outer.finish();
        assert_eq!(first, 2);
        assert!(!outer.valid, "the inner check counts");
        for lang in [Lang::En, Lang::Zh] {
            let v = outer.render(lang);
            let g = &v.tree.children[0].children[0];
            assert_eq!(g.label, lang.pick("Inner frame", "内层帧"));
            assert_eq!(g.children[0].label, lang.pick("Inner checksum", "内层校验"));
            assert_eq!(g.children[0].value.as_deref(), Some("AA BB"));
            assert_eq!((g.children[1].label.as_str(), g.children[1].value.as_deref()), ("inner.none", Some("02")));
            assert_eq!(v.checks[0].label, lang.pick("Inner checksum", "内层校验"));
            assert_eq!(v.tree.children.len(), 2);
        }
        assert_eq!(outer.nodes.len(), 6);
    }
}
