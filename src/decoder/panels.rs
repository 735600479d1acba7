//! Decoder page panels: selection inspector, copy bar, examples menu and the
//! reassembled APDU of link fragments.

use leptos::prelude::*;
use meterscope_core::{Decoded, Frame, InputError, Node, Options, to_hex};

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

#[component]
pub(super) fn Reassembled(decoded: DecodedMemo) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let found =
        Memo::new(move |_| decoded.with(|d| reassembly::find(&d.as_ref().ok()?.dissection, &d.as_ref().ok()?.bytes)));
    let tree = Memo::new(move |_| {
        found.with(|r| {
            let apdu = r.as_ref()?.apdu.as_ref().ok()?;
            let opts = Options { lang: lang.get(), ..Options::default() };
            let (node, diags) = meterscope_core::protocols::dlt698::dissect_apdu(apdu, 0, &opts);
            Some((to_hex(apdu), node, diags))
        })
    });
    view! {
        {move || found.get().map(|r| {
            let l = lang.get();
            let parts = r.parts.iter().map(|p| view! {
                <li>{format!("#{} seq {} {} · {} {}", p.frame + 1, p.seq, reassembly::kind_name(p.kind), p.len, t(l, "bytes"))}</li>
            }).collect_view();
            let status = match &r.apdu {
                Ok(a) => format!("{} {}", a.len(), t(l, "bytes")),
                Err(Problem::Missing { from, to }) if from == to => format!("{} {from}", t(l, "reassembly.missing")),
                Err(Problem::Missing { from, to }) => format!("{} {from}–{to}", t(l, "reassembly.missing")),
                Err(Problem::NoFirst) => t(l, "reassembly.no_first").to_string(),
                Err(Problem::NoLast) => t(l, "reassembly.no_last").to_string(),
                Err(Problem::Other(e)) => format!("{} {e}", t(l, "reassembly.failed")),
            };
            let ok = r.apdu.is_ok();
            view! {
                <div class="reassembly pane" data-testid="reassembly">
                    <h2>{t(l, "reassembly")}</h2>
                    <p class="status" class:bad=!ok data-testid="reassembly-status">{status}</p>
                    <h3>{t(l, "reassembly.parts")}</h3>
                    <ul class="parts" data-testid="reassembly-parts">{parts}</ul>
                    {move || tree.get().map(|(hex, node, diags)| view! {
                        <pre class="apdu-hex">{hex}</pre>
                        <div class="tree" data-testid="reassembly-tree"><ul class="root">{apdu_row(&node)}</ul></div>
                        <ul class="diags">{diags.into_iter().map(|d| view! {
                            <li class=format!("diag {}", d.severity.as_str())>{format!("@{} {}: {}", d.offset, d.code, d.message)}</li>
                        }).collect_view()}</ul>
                    })}
                </div>
            }
        })}
    }
}
