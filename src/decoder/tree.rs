//! The field tree of the frame on screen: problem marks on nodes and
//! bytes, rows with their bit fields and tooltips, keyboard navigation, the
//! tree's tools (problems counted, next and previous problem, expand and
//! collapse all).

use super::hex::scroll_to_byte;
use super::*;

/// A problem the core found at a node or byte: failed check, error, warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Mark {
    Warning,
    Error,
    Bad,
}

impl Mark {
    pub(super) fn class(self) -> &'static str {
        match self {
            Mark::Bad => "bad",
            Mark::Error => "error",
            Mark::Warning => "warning",
        }
    }
    pub(super) fn icon(self) -> &'static str {
        match self {
            Mark::Bad | Mark::Error => "✗",
            Mark::Warning => "⚠",
        }
    }
    pub(super) fn text(self, lang: Lang) -> &'static str {
        t(
            lang,
            match self {
                Mark::Bad => "mark.bad",
                Mark::Error => "mark.error",
                Mark::Warning => "mark.warning",
            },
        )
    }
}

/// Spans of a frame's failed checks, errors and warnings.
#[derive(Clone, Default)]
pub(super) struct Marks(Vec<(Span, Mark)>);

impl Marks {
    pub(super) fn of(f: &Frame) -> Marks {
        use meterscope_core::Severity;
        let checks = f.checks.iter().filter(|c| !c.ok).map(|c| (c.span, Mark::Bad));
        let diags = f.diagnostics.iter().filter(|d| !d.span.is_empty()).filter_map(|d| match d.severity {
            Severity::Error => Some((d.span, Mark::Error)),
            Severity::Warning => Some((d.span, Mark::Warning)),
            _ => None,
        });
        Marks(checks.chain(diags).collect())
    }
    /// A node's mark: a failed check or a diagnostic on exactly its bytes.
    pub(super) fn node(&self, n: &Node) -> Option<Mark> {
        self.0
            .iter()
            .filter(|(s, m)| {
                *s == n.span
                    || (*m == Mark::Bad && n.kind == NodeKind::Check && s.start < n.span.end && n.span.start < s.end)
            })
            .map(|(_, m)| *m)
            .max()
    }
    pub(super) fn byte(&self, off: usize) -> Option<Mark> {
        self.0.iter().filter(|(s, _)| s.contains(off)).map(|(_, m)| *m).max()
    }
}

/// A row's tooltip: label, value and unit, where its bytes are, and its mark.
pub(super) fn row_title(lang: Lang, n: &Node, mark: Option<Mark>) -> String {
    let mut out = match &n.bits {
        Some(b) => format!("{b} = {}", n.label),
        None => n.label.clone(),
    };
    if let Some(v) = &n.value {
        out.push_str(": ");
        out.push_str(v);
        if let Some(u) = &n.unit {
            out.push(' ');
            out.push_str(u);
        }
    }
    if let Some(text) = &n.text {
        out.push_str(" (");
        out.push_str(text);
        out.push(')');
    }
    out.push_str(" · ");
    out.push_str(&span_title(lang, n.span));
    if let Some(m) = mark {
        out.push_str(" · ");
        out.push_str(m.text(lang));
    }
    out
}

/// `offset 3, length 4` (decimal, as the spans are written).
pub(super) fn span_title(lang: Lang, span: Span) -> String {
    format!("{} {}, {} {}", t(lang, "offset"), span.start, t(lang, "length"), span.len())
}

pub(super) fn path_str(p: &[usize]) -> String {
    p.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(".")
}

pub(super) fn scroll_to_row(path: &[usize]) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector(&format!("[data-testid=tree] li[data-path=\"{}\"] > .row", path_str(path))).ok().flatten()
    });
    if let Some(el) = el {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

/// Paths of the fields with a problem, in tree order: the fields marked
/// (a failed check, an error or a warning on exactly their bytes), then for
/// a problem no marked field holds, the field at its byte.
pub(super) fn problem_paths(f: &Frame) -> Vec<Path> {
    use meterscope_core::Severity;
    fn walk(n: &Node, path: &mut Path, marks: &Marks, out: &mut Vec<(Path, Span)>) {
        if marks.node(n).is_some() {
            out.push((path.clone(), n.span));
        }
        for (i, c) in n.children.iter().enumerate() {
            path.push(i);
            walk(c, path, marks, out);
            path.pop();
        }
    }
    let mut marked = Vec::new();
    walk(&f.tree, &mut Vec::new(), &Marks::of(f), &mut marked);
    let end = f.span.end.saturating_sub(1);
    let problems = f
        .diagnostics
        .iter()
        .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning))
        .map(|d| d.offset.min(end))
        .chain(f.checks.iter().filter(|c| !c.ok).map(|c| c.span.start));
    let unmarked: Vec<Path> =
        problems.filter(|&o| !marked.iter().any(|(_, s)| s.contains(o))).filter_map(|o| f.tree.path_at(o)).collect();
    let mut out: Vec<Path> = marked.into_iter().map(|(p, _)| p).chain(unmarked).collect();
    out.sort();
    out.dedup();
    out
}

/// Select the next (or previous) field with a problem after the selection,
/// round the end; its rows are opened and it is scrolled into view.
pub(super) fn go_to_problem(frame: Memo<Option<Frame>>, ptr: Pointer, forward: bool) {
    let targets = frame.with_untracked(|f| f.as_ref().map(problem_paths)).unwrap_or_default();
    let cur = ptr.selected.get_untracked().or_else(|| ptr.cursor.get_untracked());
    let next = if forward {
        cur.as_ref().and_then(|c| targets.iter().find(|p| *p > c)).or(targets.first())
    } else {
        cur.as_ref().and_then(|c| targets.iter().rev().find(|p| *p < c)).or(targets.last())
    };
    let Some(p) = next.cloned() else { return };
    for k in 0..p.len() {
        if !ptr.expanded(&p[..k]) {
            ptr.toggle(&p[..k]);
        }
    }
    ptr.hover.set(None);
    ptr.select(Some(p.clone()));
    request_animation_frame(move || scroll_to_row(&p));
}

/// Rows to toggle from their default so that every row is open (or every
/// row but the root closed).
pub(super) fn toggles_for_all(root: &Node, expand: bool) -> HashSet<Path> {
    fn walk(n: &Node, path: &mut Path, expand: bool, out: &mut HashSet<Path>) {
        if n.children.is_empty() {
            return;
        }
        let default = default_expanded(path);
        if (expand && !default) || (!expand && default && !path.is_empty()) {
            out.insert(path.clone());
        }
        for (i, c) in n.children.iter().enumerate() {
            path.push(i);
            walk(c, path, expand, out);
            path.pop();
        }
    }
    let mut out = HashSet::new();
    walk(root, &mut Vec::new(), expand, &mut out);
    out
}

/// Above the tree: the frame's errors and warnings counted, the next and
/// previous problem (keys n and p), expand all and collapse all.
#[component]
pub(super) fn TreeTools(frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
    use meterscope_core::Severity;
    let lang = expect_context::<AppState>().lang;
    let counts = Memo::new(move |_| {
        frame.with(|f| {
            let Some(f) = f else { return (0, 0, false) };
            let sev = |s: Severity| f.diagnostics.iter().filter(|d| d.severity == s).count();
            let errors = f.checks.iter().filter(|c| !c.ok).count() + sev(Severity::Error);
            (errors, sev(Severity::Warning), true)
        })
    });
    let none = move || counts.with(|&(e, w, _)| e + w == 0);
    let all = move |expand: bool| {
        if let Some(set) = frame.with_untracked(|f| f.as_ref().map(|f| toggles_for_all(&f.tree, expand))) {
            ptr.toggled.set(set);
        }
    };
    view! {
        <div class="tree-tools" role="toolbar" aria-label=move || t(lang.get(), "tree.tools")>
            <span class="problem-count" data-testid="problem-count" role="status"
                class:errors=move || { counts.get().0 > 0 } class:warnings=move || { counts.get().1 > 0 }>
                {move || {
                    let (e, w, any) = counts.get();
                    let l = lang.get();
                    if !any {
                        String::new()
                    } else if e + w == 0 {
                        t(l, "problems.none").to_string()
                    } else {
                        format!("{}{e} · {}{w}", t(l, "problems.errors"), t(l, "problems.warnings"))
                    }
                }}
            </span>
            <button data-testid="problem-prev" aria-keyshortcuts="p" disabled=none
                title=move || format!("{} (p)", t(lang.get(), "problems.prev"))
                on:click=move |_| go_to_problem(frame, ptr, false)>{move || format!("◂ {}", t(lang.get(), "problems.prev"))}</button>
            <button data-testid="problem-next" aria-keyshortcuts="n" disabled=none
                title=move || format!("{} (n)", t(lang.get(), "problems.next"))
                on:click=move |_| go_to_problem(frame, ptr, true)>{move || format!("{} ▸", t(lang.get(), "problems.next"))}</button>
            <button data-testid="expand-all" disabled=move || !counts.get().2 on:click=move |_| all(true)>{move || t(lang.get(), "tree.expand_all")}</button>
            <button data-testid="collapse-all" disabled=move || !counts.get().2 on:click=move |_| all(false)>{move || t(lang.get(), "tree.collapse_all")}</button>
        </div>
    }
}

/// Arrow keys move the tree cursor, left/right collapse and expand, Enter selects.
pub(super) fn tree_key(ev: &web_sys::KeyboardEvent, frame: Memo<Option<Frame>>, ptr: Pointer) {
    let key = match ev.key().as_str() {
        "ArrowUp" => NavKey::Up,
        "ArrowDown" => NavKey::Down,
        "ArrowLeft" => NavKey::Left,
        "ArrowRight" => NavKey::Right,
        "Enter" => {
            ev.prevent_default();
            let cur = ptr.cursor.get_untracked();
            let start =
                cur.as_ref().and_then(|p| frame.with_untracked(|f| f.as_ref()?.tree.at_path(p).map(|n| n.span.start)));
            ptr.select(cur);
            if let Some(off) = start {
                scroll_to_byte(off);
            }
            return;
        }
        _ => return,
    };
    ev.prevent_default();
    let nav = frame.with_untracked(|f| {
        let f = f.as_ref()?;
        let cur = ptr.cursor.get_untracked().or_else(|| ptr.selected.get_untracked());
        Some(navigate(&f.tree, &|p| ptr.expanded(p), cur.as_deref(), key))
    });
    match nav {
        Some(Nav::Move(p)) => {
            ptr.hover.set(None);
            scroll_to_row(&p);
            ptr.cursor.set(Some(p));
        }
        Some(Nav::Toggle(p)) => ptr.toggle(&p),
        _ => {}
    }
}

/// One tree row and its children.
pub(super) fn tree_row(node: &Node, path: Path, ptr: Pointer, marks: &Marks) -> AnyView {
    let lang = expect_context::<AppState>().lang;
    let has_children = !node.children.is_empty();
    let child_view = move |c: &Node, i: usize, path: &Path, marks: &Marks| {
        let mut p = path.clone();
        p.push(i);
        tree_row(c, p, ptr, marks)
    };
    let children =
        node.children.iter().take(MAX_CHILDREN).enumerate().map(|(i, c)| child_view(c, i, &path, marks)).collect_view();
    let rest_marks = marks.clone();
    let rest: Vec<Node> = node.children.iter().skip(MAX_CHILDREN).cloned().collect();
    let more = (!rest.is_empty()).then(|| {
        let shown = RwSignal::new(false);
        let n = rest.len();
        let rest_path = path.clone();
        view! {
            {move || if shown.get() {
                rest.iter().enumerate().map(|(i, c)| child_view(c, MAX_CHILDREN + i, &rest_path, &rest_marks)).collect_view().into_any()
            } else {
                view! {
                    <li class="more" data-testid="more-nodes">{format!("{n} {}", t(lang.get_untracked(), "more.nodes"))}" "
                        <button on:click=move |_| shown.set(true)>{t(lang.get_untracked(), "show.all")}</button>
                    </li>
                }.into_any()
            }}
        }
    });
    let exp_path = path.clone();
    let expanded = Memo::new(move |_| default_expanded(&exp_path) != ptr.toggled.with(|t| t.contains(&exp_path)));
    let toggle_path = path.clone();
    let cursor_path = path.clone();
    let row_path = path.clone();
    let row_path2 = path.clone();
    let enter_path = path.clone();
    let click_path = path.clone();
    let span = node.span;
    let value = node.value.clone().map(|v| match &node.unit {
        Some(u) => format!("{v} {u}"),
        None => v,
    });
    let mark = marks.node(node);
    let title_node = Node { children: Vec::new(), ..node.clone() };
    let title = move || row_title(lang.get(), &title_node, mark);
    let sel_path = path.clone();
    // The root's label is timed when painted (`crate::perf`).
    let label = leptos::html::span()
        .class("label")
        .attr("elementtiming", path.is_empty().then_some("tree"))
        .child(node.label.clone());
    let twisty_label = move || t(lang.get(), if expanded.get() { "tree.collapse" } else { "tree.expand" });
    view! {
        <li class="node" role="treeitem" id=format!("node-{}", path_str(&path)) data-id=node.id.clone() data-path=path_str(&path)
            aria-expanded=has_children.then_some(move || expanded.get().to_string())
            aria-selected=move || ptr.selected.with(|s| s.as_deref() == Some(sel_path.as_slice())).to_string()>
            <div class=format!("row {}{}", kind_class(node.kind), mark.map_or(String::new(), |m| format!(" {}", m.class())))
                title=title
                class:hl=move || ptr.focus.with(|f| f.as_deref().map(|f| row_focus(&row_path, f)) == Some(Focus::Node))
                class:anc=move || ptr.focus.with(|f| f.as_deref().map(|f| row_focus(&row_path2, f)) == Some(Focus::Ancestor))
                class:cursor=move || ptr.cursor.with(|c| c.as_deref() == Some(cursor_path.as_slice()))
                on:mouseenter=move |_| ptr.hover.set(Some(enter_path.clone()))
                on:click=move |_| {
                    ptr.select(Some(click_path.clone()));
                    scroll_to_byte(span.start);
                }>
                {if has_children {
                    view! {
                        <button class="twisty" tabindex="-1" aria-label=twisty_label
                            on:click=move |ev| { ev.stop_propagation(); ptr.toggle(&toggle_path); }>
                            {move || if expanded.get() { "▾" } else { "▸" }}
                        </button>
                    }.into_any()
                } else {
                    view! { <span class="twisty leaf" aria-hidden="true">"·"</span> }.into_any()
                }}
                {mark.map(|m| view! { <span class="flag" role="img" aria-label=move || m.text(lang.get())>{m.icon()}</span> })}
                {node.bits.clone().map(|b| view! { <span class="bits" aria-hidden="true">{b}" ="</span> })}
                {label}
                {value.map(|v| view! { <span class="value">{v}</span> })}
                {node.text.clone().map(|v| view! { <span class="text">{v}</span> })}
                <span class="span" title=move || span_title(lang.get(), span)>{format!("{}..{}", span.start, span.end)}</span>
            </div>
            {has_children.then(|| view! { <ul class="children" role="group" class:collapsed=move || !expanded.get()>{children}{more}</ul> })}
        </li>
    }
    .into_any()
}
