//! Decoder page panels: selection inspector, copy bar, examples menu, the
//! reassembled APDU of link fragments (DL/T 698.45), DLMS/COSEM segments and
//! blocks joined, and HLS-GMAC answers checked.

use leptos::prelude::*;
use meterscope_core::protocols::dlms::reassembly::{Analysis, Kind};
use meterscope_core::{Decoded, Diagnostic, Frame, InputError, Lang, Node, Options, to_hex};

use super::Pointer;
use crate::app::AppState;
use crate::examples::{EXAMPLES, by_id};
use crate::export;
use crate::i18n::t;
use crate::inspector::inspect;
use crate::reassembly::{self, Problem};
use crate::view_model::byte_range;

type DecodedMemo = Memo<Result<Decoded, InputError>>;

/// Bytes of the byte selection, else of the selected (or cursor) node.
fn selection(decoded: DecodedMemo, frame: Memo<Option<Frame>>, ptr: Pointer) -> Option<(usize, Vec<u8>)> {
    let span = match ptr.range.get() {
        Some((a, h)) => {
            let (s, e) = byte_range(a, h);
            meterscope_core::Span::new(s, e)
        }
        None => {
            let path = ptr.selected.get().or_else(|| ptr.cursor.get())?;
            frame.with(|f| f.as_ref()?.tree.at_path(&path).map(|n| n.span))?
        }
    };
    decoded.with(|d| d.as_ref().ok()?.bytes.get(span.range()).map(|b| (span.start, b.to_vec())))
}

/// The node selected (or under the cursor).
fn selected_node(frame: Memo<Option<Frame>>, ptr: Pointer) -> Option<Node> {
    let path = ptr.selected.get_untracked().or_else(|| ptr.cursor.get_untracked())?;
    frame.with_untracked(|f| f.as_ref()?.tree.at_path(&path).cloned())
}

#[component]
pub(super) fn Inspector(decoded: DecodedMemo, frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let rows = Memo::new(move |_| selection(decoded, frame, ptr).map(|(start, b)| (start, inspect(&b, lang.get()))));
    view! {
        <div class="inspector pane" data-testid="inspector">
            <h2>{move || t(lang.get(), "inspector")}</h2>
            {move || match rows.get() {
                None => view! { <p class="hint">{t(lang.get(), "inspector.hint")}</p> }.into_any(),
                Some((start, rows)) => view! {
                    <p class="hint">{format!("@{start}")}</p>
                    <table>
                        {rows.into_iter().map(|r| view! {
                            <tr data-name=r.name.clone()><th>{r.name.clone()}</th><td>{r.value}</td></tr>
                        }).collect_view()}
                    </table>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
pub(super) fn CopyBar(decoded: DecodedMemo, frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let has_node = Memo::new(move |_| {
        let path = ptr.selected.get().or_else(|| ptr.cursor.get());
        path.is_some_and(|p| frame.with(|f| f.as_ref().is_some_and(|f| f.tree.at_path(&p).is_some())))
    });
    let copy_value = move |_| {
        if let Some(v) = selected_node(frame, ptr).and_then(|n| export::node_value(&n)) {
            export::copy(v);
        }
    };
    let copy_bytes = move |_| {
        if let Some((_, b)) = selection(decoded, frame, ptr) {
            export::copy(to_hex(&b));
        }
    };
    let copy_subtree = move |_| {
        if let Some(n) = selected_node(frame, ptr) {
            let mut out = String::new();
            decoded.with_untracked(|d| {
                if let Ok(d) = d {
                    export::node_text(&mut out, &n, &d.bytes, 0);
                }
            });
            export::copy(out);
        }
    };
    let copy_text = move |_| export::copy(super::dissection_text(decoded, lang.get_untracked()));
    view! {
        <button data-testid="copy-value" disabled=move || !has_node.get() on:click=copy_value>{move || t(lang.get(), "copy.value")}</button>
        <button data-testid="copy-bytes" disabled=move || !has_node.get() && ptr.range.get().is_none() on:click=copy_bytes>
            {move || t(lang.get(), "copy.bytes")}
        </button>
        <button data-testid="copy-subtree" disabled=move || !has_node.get() on:click=copy_subtree>{move || t(lang.get(), "copy.subtree")}</button>
        <button data-testid="copy-text" on:click=copy_text>{move || t(lang.get(), "copy.text")}</button>
    }
}

#[component]
pub(super) fn Examples() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    view! {
        <select data-testid="examples" prop:value="" on:change=move |ev| {
            let id = event_target_value(&ev);
            if let Some(e) = by_id(&id) {
                st.protocol.set("auto".into());
                st.input.set(e.input.to_string());
            }
            let sel: web_sys::HtmlSelectElement = event_target(&ev);
            sel.set_value("");
        }>
            <option value="">{move || t(lang.get(), "examples")}</option>
            {EXAMPLES.iter().map(|e| view! {
                <option value=e.id>{move || lang.get().pick(e.en, e.zh)}</option>
            }).collect_view()}
        </select>
    }
}

/// A read-only tree of the reassembled APDU (offsets inside the APDU).
fn apdu_row(n: &Node) -> AnyView {
    let value = export::node_value(n);
    view! {
        <li class="node" data-id=n.id.clone()>
            <div class="row">
                <span class="label">{n.label.clone()}</span>
                {value.map(|v| view! { <span class="value">{v}</span> })}
                {n.text.clone().map(|v| view! { <span class="text">{v}</span> })}
                <span class="span">{format!("{}..{}", n.span.start, n.span.end)}</span>
            </div>
            {(!n.children.is_empty()).then(|| view! { <ul>{n.children.iter().map(apdu_row).collect_view()}</ul> })}
        </li>
    }
    .into_any()
}

/// Diagnostics of a reassembled APDU (offsets inside it).
fn diag_list(diags: Vec<Diagnostic>) -> impl IntoView {
    view! {
        <ul class="diags">{diags.into_iter().map(|d| view! {
            <li class=format!("diag {}", d.severity.as_str())>{format!("@{} {}: {}", d.offset, d.code, d.message)}</li>
        }).collect_view()}</ul>
    }
}

/// One DLMS/COSEM finding across frames (a reassembly, the HLS-GMAC checks,
/// a profile table): title, status, items and a tree; test ids from `id`.
#[allow(clippy::too_many_arguments)]
fn pane(
    id: &'static str,
    title: String,
    status: String,
    bad: bool,
    items: Vec<String>,
    item: &'static str,
    tree: Option<Node>,
    diags: Vec<Diagnostic>,
) -> AnyView {
    view! {
        <div class="reassembly pane" data-testid=id>
            <h2>{title}</h2>
            <p class="status" class:bad=bad data-testid=format!("{id}-status")>{status}</p>
            <ul class="parts" data-testid=format!("{id}-parts")>
                {items.into_iter().map(|s| view! { <li data-testid=item>{s}</li> }).collect_view()}
            </ul>
            {tree.map(|n| view! { <div class="tree" data-testid=format!("{id}-tree")><ul class="root">{apdu_row(&n)}</ul></div> })}
            {diag_list(diags)}
        </div>
    }
    .into_any()
}

/// The panes of DLMS/COSEM across frames.
fn dlms_panes(a: Analysis, l: Lang) -> Vec<AnyView> {
    let b = t(l, "bytes");
    let mut out = Vec::new();
    for r in a.joined {
        let mut status: Vec<String> = r.bytes.iter().map(|x| format!("{} {b}", x.len())).collect();
        status.extend(r.problems.iter().map(|p| p.text(l)));
        let number = if r.kind == Kind::Segments { "N(S)" } else { t(l, "reassembly.block") };
        let items = r
            .parts
            .iter()
            .map(|p| {
                let last = if p.last { t(l, "reassembly.last") } else { "" };
                format!(
                    "#{} {number} {} {last} · {}..{} · {} {b}",
                    p.frame + 1,
                    p.number,
                    p.span.start,
                    p.span.end,
                    p.len
                )
            })
            .collect();
        let (tree, diags) = r.frame.map(|f| (f.tree, f.diagnostics)).unzip();
        let title = format!("{} · {}", t(l, "reassembly.dlms"), r.kind.name(l));
        out.push(pane(
            "dlms-reassembly",
            title,
            status.join(" · "),
            r.bytes.is_none(),
            items,
            "",
            tree,
            diags.unwrap_or_default(),
        ));
    }
    if !a.proofs.is_empty() {
        let ok = a.proofs.iter().all(|p| p.check.ok);
        let items = a
            .proofs
            .into_iter()
            .map(|p| {
                let c = p.check;
                let verdict = t(l, if c.ok { "hls.verified" } else { "hls.mismatch" });
                format!(
                    "#{} {}: {verdict} · {} {} · {} {}",
                    p.frame + 1,
                    c.label,
                    t(l, "stated"),
                    c.stated,
                    t(l, "computed"),
                    c.computed
                )
            })
            .collect();
        let status = t(l, if ok { "hls.verified" } else { "hls.mismatch" }).to_string();
        out.push(pane("hls", t(l, "hls").into(), status, !ok, items, "hls-check", None, Vec::new()));
    }
    for tb in a.tables {
        let title = format!("#{} {}", tb.frame + 1, tb.node.label);
        let status = tb.node.text.clone().unwrap_or_default();
        out.push(pane("dlms-profile", title, status, false, Vec::new(), "", Some(tb.node), Vec::new()));
    }
    out
}

#[component]
pub(super) fn Reassembled(decoded: DecodedMemo) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let found =
        Memo::new(move |_| decoded.with(|d| reassembly::find(&d.as_ref().ok()?.dissection, &d.as_ref().ok()?.bytes)));
    let dlms = Memo::new(move |_| {
        let opts = Options { lang: lang.get(), keys: st.keys.get(), ..Options::default() };
        decoded.with(|d| d.as_ref().ok().map(|d| reassembly::dlms(&d.dissection, &d.bytes, &opts)))
    });
    view! {
        {move || found.get().map(|r| {
            let l = lang.get();
            let items = r
                .parts
                .iter()
                .map(|p| format!("#{} seq {} {} · {} {}", p.frame + 1, p.seq, reassembly::kind_name(p.kind), p.len, t(l, "bytes")))
                .collect();
            let status = match &r.apdu {
                Ok(a) => format!("{} {}", a.len(), t(l, "bytes")),
                Err(Problem::Missing { from, to }) if from == to => format!("{} {from}", t(l, "reassembly.missing")),
                Err(Problem::Missing { from, to }) => format!("{} {from}–{to}", t(l, "reassembly.missing")),
                Err(Problem::NoFirst) => t(l, "reassembly.no_first").to_string(),
                Err(Problem::NoLast) => t(l, "reassembly.no_last").to_string(),
                Err(Problem::Other(e)) => format!("{} {e}", t(l, "reassembly.failed")),
            };
            let (tree, diags) = match &r.apdu {
                Ok(apdu) => {
                    let opts = Options { lang: l, ..Options::default() };
                    let (node, diags) = meterscope_core::protocols::dlt698::dissect_apdu(apdu, 0, &opts);
                    (Some(node), diags)
                }
                Err(_) => (None, Vec::new()),
            };
            pane("reassembly", t(l, "reassembly").into(), status, r.apdu.is_err(), items, "", tree, diags)
        })}
        {move || dlms.get().map(|a| dlms_panes(a, lang.get()))}
    }
}
