//! The bytes of the frame on screen: hex rows with an ASCII column, or text
//! lines for text protocols; each byte a cell linked to its field (hover,
//! click, shift-click extends, arrow keys), scrolled into its own box.

use super::*;

pub(super) fn scroll_to_byte(offset: usize) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("[data-testid=hexview] [data-off=\"{offset}\"]")).ok().flatten());
    if let Some(el) = el {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

#[component]
pub(super) fn HexView(
    decoded: Memo<Result<meterscope_core::Decoded, InputError>>,
    frame: Memo<Option<Frame>>,
    ptr: Pointer,
) -> impl IntoView {
    let pick = move |off: usize| frame.with_untracked(|f| f.as_ref().and_then(|f| f.tree.path_at(off)));
    let lang = expect_context::<AppState>().lang;
    let show_all = RwSignal::new(false);
    // Bytes as text lines instead of hex rows: the user's choice, else for
    // the protocols the core says are text (`Protocol::text`) by default.
    let text_choice: RwSignal<Option<bool>> = RwSignal::new(None);
    let text_mode = Memo::new(move |_| {
        text_choice
            .get()
            .unwrap_or_else(|| frame.with(|f| f.as_ref().is_some_and(|f| crate::dissector::is_text(&f.protocol))))
    });
    let cell_class = move |off: usize, kind: &'static str, mark: Option<Mark>| {
        move || {
            let sel = ptr.range.with(|r| {
                r.is_some_and(|(a, h)| {
                    let (s, e) = byte_range(a, h);
                    s <= off && off < e
                })
            });
            ptr.spans.with(|(node, anc)| {
                let focus = if node.is_some_and(|s| s.contains(off)) {
                    " hl"
                } else if anc.iter().any(|s| s.contains(off)) {
                    " anc"
                } else {
                    ""
                };
                let mark = mark.map_or("", |m| m.class());
                format!("b {kind} {mark}{focus}{}", if sel { " sel" } else { "" })
            })
        }
    };
    // Select one byte (and its node), or extend the byte selection to it.
    let select_byte = move |off: usize, extend: bool| match ptr.range.get_untracked() {
        Some((anchor, _)) if extend => ptr.range.set(Some((anchor, off))),
        _ => {
            let p = pick(off);
            ptr.cursor.set(p.clone());
            ptr.selected.set(p);
            ptr.range.set(Some((off, off)));
        }
    };
    // Click selects the byte and its node; shift-click extends the byte selection.
    let on_click = move |ev: web_sys::MouseEvent, off: usize| select_byte(off, ev.shift_key());
    // Keys: arrows move the byte (a row up and down), Home and End, shift extends.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(span) = frame.with_untracked(|f| f.as_ref().map(|f| f.span)) else { return };
        if span.is_empty() {
            return;
        }
        let last = span.end - 1;
        let head = ptr.range.get_untracked().map(|(_, h)| h);
        let next = match (ev.key().as_str(), head) {
            ("ArrowRight" | "ArrowLeft" | "ArrowDown" | "ArrowUp" | "Home" | "End", None) => span.start,
            ("ArrowRight", Some(h)) => (h + 1).min(last),
            ("ArrowLeft", Some(h)) => h.saturating_sub(1).max(span.start),
            ("ArrowDown", Some(h)) => (h + ROW).min(last),
            ("ArrowUp", Some(h)) => h.saturating_sub(ROW).max(span.start),
            ("Home", Some(_)) => span.start,
            ("End", Some(_)) => last,
            _ => return,
        };
        ev.prevent_default();
        select_byte(next, ev.shift_key() && head.is_some());
        request_animation_frame(move || reveal_byte(next));
    };
    let on_enter = move |ev: web_sys::MouseEvent| {
        let off = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-off"))
            .and_then(|s| s.parse::<usize>().ok());
        if let Some(off) = off {
            let p = pick(off);
            if ptr.hover.get_untracked() != p {
                ptr.hover.set(p);
            }
        }
    };
    view! {
        <div class="hex-mode" role="group" aria-label=move || t(lang.get(), "hex.mode")>
            <button data-testid="hex-mode-hex" aria-pressed=move || (!text_mode.get()).to_string()
                on:click=move |_| text_choice.set(Some(false))>{move || t(lang.get(), "hex.mode.hex")}</button>
            <button data-testid="hex-mode-text" aria-pressed=move || text_mode.get().to_string()
                on:click=move |_| text_choice.set(Some(true))>{move || t(lang.get(), "hex.mode.text")}</button>
        </div>
        <div class="hexview" data-testid="hexview" tabindex="0" role="grid" aria-readonly="true" aria-labelledby="hex-heading"
            class:textview=move || text_mode.get()
            aria-activedescendant=move || ptr.range.get().map(|(_, h)| format!("hb-{h}"))
            on:keydown=on_key
            on:mouseleave=move |_| ptr.hover.set(None) on:mouseover=on_enter
            // Shift-click extends the byte selection, not the browser's text selection.
            on:mousedown=move |ev: web_sys::MouseEvent| if ev.shift_key() { ev.prevent_default() }>
            {move || {
                let Some(f) = frame.get() else { return ().into_any() };
                let kinds = byte_kinds(&f);
                let marks = Marks::of(&f);
                let limit = if show_all.get() { usize::MAX } else { MAX_HEX };
                let shown = Span::at(f.span.start, f.span.len().min(limit));
                let hidden = f.span.len() - shown.len();
                let bytes: Vec<u8> = decoded.with_untracked(|d| d.as_ref().map(|d| d.bytes[shown.range()].to_vec()).unwrap_or_default());
                let l = lang.get();
                let more = (hidden > 0).then(|| view! {
                    <div class="more" data-testid="more-bytes">{format!("{hidden} {}", t(lang.get(), "more.bytes"))}" "
                        <button on:click=move |_| show_all.set(true)>{t(lang.get(), "show.all")}</button>
                    </div>
                });
                if text_mode.get() {
                    // One line per line of the text (after each LF), control
                    // characters as mnemonics (`<CR>`), each byte its own cell.
                    let mut lines: Vec<Vec<AnyView>> = vec![Vec::new()];
                    for (i, &b) in bytes.iter().enumerate() {
                        let off = f.span.start + i;
                        let kind = kind_class(kinds[i]);
                        let mark = marks.byte(off);
                        let cell = view! {
                            <span class=cell_class(off, kind, mark) role="gridcell" id=format!("hb-{off}") data-off=off
                                on:click=move |ev| on_click(ev, off)>{meterscope_core::to_text(&[b])}</span>
                        }.into_any();
                        if let Some(line) = lines.last_mut() {
                            line.push(cell);
                        }
                        if b == b'\n' {
                            lines.push(Vec::new());
                        }
                    }
                    let rows = lines.into_iter().filter(|l| !l.is_empty()).map(|cells| view! {
                        <div class="textrow" role="row">{cells}</div>
                    }).collect_view();
                    return view! { {rows} {more} }.into_any();
                }
                let rows = bytes.chunks(ROW).enumerate().map(|(r, chunk)| {
                    let base = f.span.start + r * ROW;
                    let hex = chunk.iter().enumerate().map(|(i, &b)| {
                        let off = base + i;
                        let kind = kind_class(kinds[r * ROW + i]);
                        let mark = marks.byte(off);
                        let title = mark.map(|m| format!("{} {off} · {}", t(l, "offset"), m.text(l)));
                        view! {
                            <span class=cell_class(off, kind, mark) role="gridcell" id=format!("hb-{off}") data-off=off title=title
                                on:click=move |ev| on_click(ev, off)>{hex2(b)}</span>
                        }
                    }).collect_view();
                    let asc = chunk.iter().enumerate().map(|(i, &b)| {
                        let off = base + i;
                        let kind = kind_class(kinds[r * ROW + i]);
                        view! { <span class=cell_class(off, kind, marks.byte(off)) data-aoff=off>{ascii(b).to_string()}</span> }
                    }).collect_view();
                    view! {
                        <div class="hexrow" role="row">
                            <span class="off" role="rowheader" title=format!("{} {base} (0x{base:04X})", t(l, "offset"))>{base.to_string()}</span>
                            <span class="hexbytes" role="none">{hex}</span>
                            <span class="ascii" aria-hidden="true">{asc}</span>
                        </div>
                    }
                }).collect_view();
                view! { {rows} {more} }.into_any()
            }}
        </div>
    }
}

/// Scroll the hex view's own box (never the page) so byte `offset` shows,
/// by the least distance; nothing moves when it is already in sight.
pub(super) fn reveal_byte(offset: usize) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let (Some(view), Some(cell)) = (
        doc.query_selector("[data-testid=hexview]").ok().flatten(),
        doc.query_selector(&format!("[data-testid=hexview] [data-off=\"{offset}\"]")).ok().flatten(),
    ) else {
        return;
    };
    let (v, c) = (view.get_bounding_client_rect(), cell.get_bounding_client_rect());
    let top = view.scroll_top();
    if c.top() < v.top() {
        view.set_scroll_top(top - (v.top() - c.top()));
    } else if c.bottom() > v.top() + view.client_height() as f64 {
        view.set_scroll_top(top + (c.bottom() - v.top() - view.client_height() as f64));
    }
}
