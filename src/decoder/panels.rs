//! Decoder page panels: selection inspector, copy bar, examples menu, and
//! the core's analyses across frames (joined parts with their dissection,
//! checks over several frames, tables), rendered without protocol knowledge.

use leptos::prelude::*;
use meterscope_core::filter::Filter;
use meterscope_core::view::Analysis;
use meterscope_core::{Decoded, Diagnostic, Frame, InputError, Lang, Node, to_hex};

use super::hex::scroll_to_byte;
use super::{Pointer, severity};
use crate::app::AppState;
use crate::examples::{EXAMPLES, by_id};
use crate::export;
use crate::i18n::t;
use crate::inspector::inspect;
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
pub(super) fn Inspector(
    decoded: DecodedMemo,
    frame: Memo<Option<Frame>>,
    ptr: Pointer,
    query: RwSignal<String>,
) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let rows = Memo::new(move |_| selection(decoded, frame, ptr).map(|(start, b)| (start, inspect(&b, lang.get()))));
    // "Filter on this value": the filter term of the selected field.
    let term = Memo::new(move |_| {
        let path = ptr.selected.get().or_else(|| ptr.cursor.get())?;
        frame.with(|f| f.as_ref()?.tree.at_path(&path).filter(|n| n.value.is_some()).map(Filter::term_for))
    });
    view! {
        <div class="inspector pane" data-testid="inspector">
            <h2>{move || t(lang.get(), "inspector")}</h2>
            {move || term.get().map(|term| {
                let title = term.clone();
                view! {
                    <button class="filter-value" data-testid="filter-value" title=title
                        on:click=move |_| query.set(term.clone())>{t(lang.get(), "filter.on_value")}</button>
                }
            })}
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
            {move || sums(decoded, frame, ptr, lang.get())}
        </div>
    }
}

/// The checksum tool: every checksum and CRC the families use, over the
/// selected bytes (the core's `wire::sums`), with the value as the wire has it.
fn sums(decoded: DecodedMemo, frame: Memo<Option<Frame>>, ptr: Pointer, l: Lang) -> Option<impl IntoView + use<>> {
    let (_, b) = selection(decoded, frame, ptr)?;
    let rows = meterscope_core::wire::sums(&b).map(|s| {
        let digits = usize::from(s.width) * 2;
        view! {
            <tr data-name=s.name>
                <th>{s.name}</th>
                <td class="sum-value">{format!("0x{:0digits$X}", s.value)}</td>
                <td class="sum-wire">{format!("{}{}", t(l, "sums.wire"), s.wire_hex())}</td>
                <td class="sum-used">{l.pick(s.used_by.0, s.used_by.1)}</td>
            </tr>
        }
    });
    Some(view! {
        <h3>{format!("{} · {} {}", t(l, "sums"), b.len(), t(l, "bytes"))}</h3>
        <table class="sums" data-testid="sums">{rows.into_iter().collect_view()}</table>
    })
}

#[component]
pub(super) fn CopyBar(
    decoded: DecodedMemo,
    frame: Memo<Option<Frame>>,
    ptr: Pointer,
    has_input: Memo<bool>,
    status: export::CopyStatus,
) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let has_node = Memo::new(move |_| {
        let path = ptr.selected.get().or_else(|| ptr.cursor.get());
        path.is_some_and(|p| frame.with(|f| f.as_ref().is_some_and(|f| f.tree.at_path(&p).is_some())))
    });
    let copy_value = move |_| {
        if let Some(v) = selected_node(frame, ptr).and_then(|n| export::node_value(&n)) {
            export::copy(v, status);
        }
    };
    let copy_bytes = move |_| {
        if let Some((_, b)) = selection(decoded, frame, ptr) {
            export::copy(to_hex(&b), status);
        }
    };
    let copy_c = move |_| {
        if let Some((_, b)) = selection(decoded, frame, ptr) {
            export::copy(export::c_array(&b), status);
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
            export::copy(out, status);
        }
    };
    let copy_id = move |_| {
        if let Some(n) = selected_node(frame, ptr) {
            export::copy(n.id, status);
        }
    };
    let copy_text = move |_| export::copy(super::dissection_text(decoded, lang.get_untracked()), status);
    view! {
        <button data-testid="copy-value" disabled=move || !has_node.get() on:click=copy_value>{move || t(lang.get(), "copy.value")}</button>
        <button data-testid="copy-bytes" disabled=move || !has_node.get() && ptr.range.get().is_none() on:click=copy_bytes>
            {move || t(lang.get(), "copy.bytes")}
        </button>
        <button data-testid="copy-c" disabled=move || !has_node.get() && ptr.range.get().is_none() on:click=copy_c>
            {move || t(lang.get(), "copy.c")}
        </button>
        <button data-testid="copy-id" disabled=move || !has_node.get() on:click=copy_id>{move || t(lang.get(), "copy.id")}</button>
        <button data-testid="copy-subtree" disabled=move || !has_node.get() on:click=copy_subtree>{move || t(lang.get(), "copy.subtree")}</button>
        <button data-testid="copy-text" disabled=move || !has_input.get() on:click=copy_text>{move || t(lang.get(), "copy.text")}</button>
    }
}

#[component]
pub(super) fn Examples() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    view! {
        <select data-testid="examples" prop:value="" aria-label=move || t(lang.get(), "examples") on:change=move |ev| {
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
fn diag_list(diags: Vec<Diagnostic>, l: Lang) -> impl IntoView {
    view! {
        <ul class="diags">{diags.into_iter().map(|d| view! {
            <li class=format!("diag {}", d.severity.as_str())>
                <span class="sev">{super::severity(l, d.severity)}</span>{format!(" @{} {}: {}", d.offset, d.code, d.message)}
            </li>
        }).collect_view()}</ul>
    }
}

/// One analysis across frames: title, status, its parts and checks, and the
/// joined bytes dissected; test ids from the analysis id (`dlms.hls` →
/// `dlms-hls`, `dlms-hls-status`, …).
fn analysis_pane(a: Analysis, l: Lang) -> AnyView {
    let id = a.id.replace('.', "-");
    let b = t(l, "bytes");
    let parts = a
        .parts
        .iter()
        .map(|p| format!("#{} {} · {}..{} · {} {b}", p.frame + 1, p.label, p.span.start, p.span.end, p.len));
    let checks = a.checks.iter().map(|c| {
        let verdict = t(l, if c.check.ok { "check.ok" } else { "check.mismatch" });
        format!(
            "#{} {}: {verdict} · {} {} · {} {}",
            c.frame + 1,
            c.check.label,
            t(l, "stated"),
            c.check.stated,
            t(l, "computed"),
            c.check.computed
        )
    });
    let items: Vec<(String, &'static str)> =
        parts.map(|s| (s, "analysis-part")).chain(checks.map(|s| (s, "analysis-check"))).collect();
    let (tree, diags) = a.frame.map(|f| (f.tree, f.diagnostics)).unzip();
    view! {
        <div class="reassembly pane" data-testid=id.clone() data-kind=a.id.clone()>
            <h2>{a.title}</h2>
            <p class="status" class:bad=!a.ok data-testid=format!("{id}-status")>{a.status}</p>
            <ul class="parts" data-testid=format!("{id}-parts")>
                {items.into_iter().map(|(s, item)| view! { <li data-testid=item>{s}</li> }).collect_view()}
            </ul>
            {tree.map(|n| view! { <div class="tree" data-testid=format!("{id}-tree")><ul class="root">{apdu_row(&n)}</ul></div> })}
            {diag_list(diags.unwrap_or_default(), l)}
        </div>
    }
    .into_any()
}

/// The analyses of the decode, as the core made them.
#[component]
pub(super) fn Reassembled(decoded: DecodedMemo) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    view! {
        {move || decoded.with(|d| {
            let l = lang.get();
            d.as_ref().ok().map(|d| d.dissection.analyses.iter().cloned().map(|a| analysis_pane(a, l)).collect_view())
        })}
    }
}

#[component]
pub(super) fn Checks(frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    view! {
        <div class="checks" data-testid="checks">
            {move || frame.with(|f| {
                let f = f.as_ref()?;
                if f.checks.is_empty() { return None; }
                let rows = f.checks.iter().map(|c| {
                    let verdict = if c.ok { t(lang.get(), "ok").to_string() } else { format!("{} {}", t(lang.get(), "incorrect"), c.computed) };
                    let ok = c.ok;
                    let off = c.span.start;
                    let path = f.tree.path_at(off);
                    view! {
                        <tr class:bad=!ok on:click=move |_| { ptr.select(path.clone()); scroll_to_byte(off); }>
                            <td>{c.label.clone()}</td>
                            <td>{t(lang.get(), "stated")}" "{c.stated.clone()}</td>
                            <td>{t(lang.get(), "computed")}" "{c.computed.clone()}</td>
                            <td class="verdict">{verdict}</td>
                        </tr>
                    }
                }).collect_view();
                Some(view! { <h2>{t(lang.get(), "checks")}</h2><table>{rows}</table> })
            })}
        </div>
    }
}

#[component]
pub(super) fn Diagnostics(frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    view! {
        <div class="diagnostics" data-testid="diagnostics">
            {move || frame.with(|f| {
                let f = f.as_ref()?;
                if f.diagnostics.is_empty() { return None; }
                let items = f.diagnostics.iter().map(|d| {
                    let off = d.offset;
                    let path = f.tree.path_at(off.min(f.span.end.saturating_sub(1)));
                    view! {
                        <li class=format!("diag {}", d.severity.as_str())>
                            <button class="jump" on:click=move |_| { ptr.select(path.clone()); scroll_to_byte(off); }>
                                {format!("@{off}")}
                            </button>
                            " "<span class="sev">{severity(lang.get(), d.severity)}</span>" "<code>{d.code.clone()}</code>" "{d.message.clone()}
                        </li>
                    }
                }).collect_view();
                Some(view! { <h2>{t(lang.get(), "diagnostics")}</h2><ul>{items}</ul> })
            })}
        </div>
    }
}
