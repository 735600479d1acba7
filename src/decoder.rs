//! The decoder page: input, frame list, field tree, hex+ASCII view linked both
//! ways, checks, diagnostics, the selection inspector, copy and export,
//! examples, fragment reassembly and keyboard use. It renders whatever
//! dissection the core returns.

mod biglog;
mod panels;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use meterscope_core::{Decoded, Frame, InputError, InputKind, Node, Options, Registry, Span, model, to_hex};
use wasm_bindgen::JsCast;

use self::biglog::{BigState, LARGE, Source};
use crate::app::AppState;
use crate::export;
use crate::i18n::t;
use crate::keys::KeyPanel;
use crate::view_model::{
    Focus, Nav, NavKey, Path, ascii, byte_kinds, byte_range, default_expanded, hex2, kind_class, navigate, row_focus,
};

/// Decodes the page has made: a language switch renders the last one again
/// and adds none (shown as `data-decodes` on the page for tests).
pub static DECODES: AtomicU64 = AtomicU64::new(0);

/// One decode of the input: bytes, input kind and the language-neutral
/// dissection, or the input error. Equal when it is the same decode.
#[derive(Clone)]
struct Decode {
    generation: u64,
    result: Result<(Vec<u8>, InputKind, Arc<model::Dissection>), InputError>,
}

impl PartialEq for Decode {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// Bytes per hex view row.
const ROW: usize = 16;
/// Frame tabs and junk ranges shown before a "show all" button.
const MAX_TABS: usize = 64;
/// Bytes of a frame shown in the hex view before a "show all" button.
const MAX_HEX: usize = 4096;
/// Children of a tree node shown before a "show all" button.
const MAX_CHILDREN: usize = 256;

/// Selection and hover inside the current frame.
#[derive(Clone, Copy)]
struct Pointer {
    hover: RwSignal<Option<Path>>,
    selected: RwSignal<Option<Path>>,
    /// Hover wins over selection.
    focus: Memo<Option<Path>>,
    /// Span of the focused node and the spans of its ancestors.
    spans: Memo<(Option<Span>, Vec<Span>)>,
    /// The keyboard cursor in the tree.
    cursor: RwSignal<Option<Path>>,
    /// Byte selection `(anchor, head)`, absolute offsets, both inclusive.
    range: RwSignal<Option<(usize, usize)>>,
    /// Rows whose expansion differs from the default.
    toggled: RwSignal<HashSet<Path>>,
}

impl Pointer {
    fn expanded(&self, path: &[usize]) -> bool {
        default_expanded(path) != self.toggled.with_untracked(|t| t.contains(path))
    }

    fn toggle(&self, path: &[usize]) {
        self.toggled.update(|t| {
            if !t.remove(path) {
                t.insert(path.to_vec());
            }
        });
    }

    /// Select a node with the pointer or Enter: the cursor follows, a byte range is dropped.
    fn select(&self, path: Option<Path>) {
        self.cursor.set(path.clone());
        self.selected.set(path);
        self.range.set(None);
    }

    fn clear(&self) {
        self.hover.set(None);
        self.cursor.set(None);
        self.selected.set(None);
        self.range.set(None);
    }
}

fn path_str(p: &[usize]) -> String {
    p.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(".")
}

fn scroll_to_row(path: &[usize]) {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector(&format!("[data-testid=tree] li[data-path=\"{}\"] > .row", path_str(path))).ok().flatten()
    });
    if let Some(el) = el {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    }
}

fn scroll_to_byte(offset: usize) {
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
pub fn DecoderPage() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    // A long input split by the log worker (see biglog.rs).
    let big: RwSignal<Option<BigState>> = RwSignal::new(None);
    let big_log = move || match big.get() {
        Some(BigState::Done(log)) => Some(log),
        _ => None,
    };
    // One decode of the input, in no language; a language switch renders it
    // again without decoding (frames of dissectors that still write one
    // language are decoded again in the new one).
    let neutral = Memo::new(move |_| {
        let generation = DECODES.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(log) = big_log() {
            let d = Arc::new(model::Dissection::default());
            return Decode { generation, result: Ok((log.bytes.clone(), InputKind::Hex, d)) };
        }
        let opts = Options {
            lang: lang.get_untracked(),
            protocol: Some(st.protocol.get()),
            keys: st.keys.get(),
            strict: false,
        };
        let result = st.input.with(|i| {
            meterscope_core::parse_input(i).map(|input| {
                let d = Registry::default().dissect(&input.bytes, &input.line_starts, &opts);
                (input.bytes, input.kind, Arc::new(d))
            })
        });
        Decode { generation, result }
    });
    let decoded = Memo::new(move |_| {
        let lang = lang.get();
        neutral.with(|d| match &d.result {
            Ok((bytes, kind, dissection)) => {
                Ok(Decoded { bytes: bytes.clone(), kind: *kind, dissection: dissection.render(lang) })
            }
            Err(e) => Err(e.clone()),
        })
    });
    let frame_idx = RwSignal::new(0usize);
    let frame: Memo<Option<Frame>> = Memo::new(move |_| {
        if let Some(log) = big_log() {
            let opts = Options { lang: lang.get(), protocol: None, keys: st.keys.get(), strict: false };
            return log.dissect(frame_idx.get(), &opts);
        }
        decoded.with(|d| {
            let frames = &d.as_ref().ok()?.dissection.frames;
            frames.get(frame_idx.get().min(frames.len().saturating_sub(1))).cloned()
        })
    });

    let hover: RwSignal<Option<Path>> = RwSignal::new(None);
    let selected: RwSignal<Option<Path>> = RwSignal::new(None);
    let cursor: RwSignal<Option<Path>> = RwSignal::new(None);
    let range: RwSignal<Option<(usize, usize)>> = RwSignal::new(None);
    let toggled: RwSignal<HashSet<Path>> = RwSignal::new(HashSet::new());
    let focus = Memo::new(move |_| hover.get().or_else(|| cursor.get()).or_else(|| selected.get()));
    let spans = Memo::new(move |_| {
        let Some(path) = focus.get() else {
            return (None, Vec::new());
        };
        frame.with(|f| {
            let Some(f) = f else {
                return (None, Vec::new());
            };
            let mut ancestors = Vec::new();
            let mut node = &f.tree;
            for &i in &path {
                ancestors.push(node.span);
                match node.children.get(i) {
                    Some(c) => node = c,
                    None => return (None, Vec::new()),
                }
            }
            (Some(node.span), ancestors)
        })
    });
    let ptr = Pointer { hover, selected, focus, spans, cursor, range, toggled };

    // The permalink's selected node, once, at start.
    if let Some(id) = st.selected_id.get_untracked()
        && let Some(Ok(d)) = decoded.try_get_untracked()
    {
        for (i, f) in d.dissection.frames.iter().enumerate() {
            if let Some(p) = f.tree.find_path(&id) {
                frame_idx.set(i);
                cursor.set(Some(p.clone()));
                selected.set(Some(p));
                break;
            }
        }
    }
    // A new decode resets the pointer (paths would be stale); a language
    // switch keeps it.
    Effect::new(move |prev: Option<()>| {
        neutral.track();
        if prev.is_some() {
            ptr.clear();
            toggled.set(HashSet::new());
            frame_idx.set(0);
        }
    });
    // Another frame: paths and byte selection belong to the old one.
    Effect::new(move |prev: Option<usize>| {
        let i = frame_idx.get();
        if prev.is_some_and(|p| p != i) {
            ptr.clear();
            toggled.set(HashSet::new());
        }
        i
    });
    // Another protocol override splits a long input again.
    Effect::new(move |prev: Option<String>| {
        let p = st.protocol.get();
        if prev.is_some_and(|q| q != p) && big.with_untracked(Option::is_some) {
            biglog::restart(big, &p);
        }
        p
    });
    on_cleanup(biglog::stop);
    // Global keys on the decoder page: "/" focuses the input, Escape clears the selection.
    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if st.tab.get_untracked() != crate::app::Tab::Decoder || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let in_field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        match ev.key().as_str() {
            "/" if !in_field => {
                let ta = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("hex-input"));
                if let Some(ta) = ta.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    ev.prevent_default();
                    let _ = ta.focus();
                }
            }
            "Escape" => ptr.clear(),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    // The selected node's id goes to the permalink.
    Effect::new(move |_| {
        let id = selected
            .get()
            .and_then(|p| frame.with(|f| f.as_ref().and_then(|f| f.tree.at_path(&p)).map(|n| n.id.clone())));
        if st.selected_id.get_untracked() != id {
            st.selected_id.set(id);
        }
    });

    let protocol_names = Registry::default().names();

    view! {
        <section class="decoder" data-decodes=move || neutral.with(|d| d.generation)>
            <div class="input-bar">
                <label for="hex-input">{move || t(lang.get(), "input.label")}</label>
                <div class="controls">
                    <label>{move || t(lang.get(), "protocol.label")}" "
                        <select data-testid="protocol" prop:value=move || st.protocol.get()
                            on:change=move |ev| st.protocol.set(event_target_value(&ev))>
                            <option value="auto">{move || t(lang.get(), "protocol.auto")}</option>
                            {protocol_names.into_iter().map(|n| view! { <option value=n>{n}</option> }).collect_view()}
                        </select>
                    </label>
                    <Guesses decoded=decoded skip=Signal::derive(move || big.with(Option::is_some))/>
                    <panels::Examples/>
                    <label class="file-open">{move || t(lang.get(), "open.file")}
                        <input type="file" data-testid="file" on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                load_file(file, st.input, big, st.protocol.get_untracked());
                            }
                        }/>
                    </label>
                </div>
            </div>
            <textarea id="hex-input" data-testid="input" spellcheck="false" rows="4"
                placeholder=move || t(lang.get(), "input.placeholder")
                prop:value=move || st.input.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    if text.len() > LARGE {
                        let name = t(lang.get_untracked(), "big.pasted").to_string();
                        biglog::start(name, Source::Text(std::sync::Arc::new(text)), &st.protocol.get_untracked(), big);
                        st.input.set(String::new());
                    } else {
                        if big.with_untracked(Option::is_some) {
                            biglog::clear(big);
                        }
                        st.input.set(text);
                    }
                }
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                        ev.prevent_default();
                        load_file(file, st.input, big, st.protocol.get_untracked());
                    }
                }></textarea>
            <KeyPanel/>
            <biglog::BigBar state=big/>
            {move || decoded.with(|d| match d {
                Err(e) => input_error_view(e, &st.input.get_untracked(), lang.get()).into_any(),
                Ok(d) if d.bytes.is_empty() && big.with(Option::is_none) => view! { <p class="empty">{t(lang.get(), "empty")}</p> }.into_any(),
                Ok(_) => ().into_any(),
            })}
            {move || match big_log() {
                Some(log) => view! { <biglog::BigFrames log=log frame_idx=frame_idx/> }.into_any(),
                None => view! { <FrameList decoded=decoded frame_idx=frame_idx/> }.into_any(),
            }}
            <div class="panes">
                <div class="pane tree-pane">
                    <h2>{move || t(lang.get(), "tree")}<span class="keyhint">{move || t(lang.get(), "keys.help")}</span></h2>
                    <div data-testid="tree" class="tree" tabindex="0" on:mouseleave=move |_| hover.set(None)
                        on:keydown=move |ev: web_sys::KeyboardEvent| tree_key(&ev, frame, ptr)>
                        {move || frame.with(|f| f.as_ref().map(|f| view! {
                            <ul class="root">{tree_row(&f.tree, Vec::new(), ptr)}</ul>
                        }))}
                    </div>
                </div>
                <div class="pane hex-pane">
                    <h2>{move || t(lang.get(), "hex")}</h2>
                    <HexView decoded=decoded frame=frame ptr=ptr/>
                </div>
            </div>
            <panels::Inspector decoded=decoded frame=frame ptr=ptr/>
            <Checks frame=frame ptr=ptr/>
            <Diagnostics frame=frame ptr=ptr/>
            <panels::Reassembled decoded=decoded/>
            <div class="output">
                <panels::CopyBar decoded=decoded frame=frame ptr=ptr/>
                <button data-testid="copy-json" on:click=move |_| export::copy(dissection_json(decoded, big))>
                    {move || t(lang.get(), "copy.json")}
                </button>
                <button data-testid="download-json" on:click=move |_| {
                    export::download("meterscope.json", "application/json", &dissection_json(decoded, big))
                }>{move || t(lang.get(), "download.json")}</button>
                <button data-testid="download-text" on:click=move |_| {
                    export::download("meterscope.txt", "text/plain", &dissection_text(decoded, lang.get_untracked()))
                }>{move || t(lang.get(), "download.text")}</button>
            </div>
        </section>
    }
}

/// The whole decode as the JSON of the dissection model (of a long input: its split).
fn dissection_json(
    decoded: Memo<Result<meterscope_core::Decoded, InputError>>,
    big: RwSignal<Option<BigState>>,
) -> String {
    if let Some(BigState::Done(log)) = big.get_untracked() {
        return log.json();
    }
    decoded.with_untracked(|d| match d {
        Ok(d) => serde_json::to_string_pretty(&d.dissection).unwrap_or_default(),
        Err(e) => format!("{{\"error\": {}}}", serde_json::Value::String(e.to_string())),
    })
}

/// The whole decode as indented text.
fn dissection_text(decoded: Memo<Result<meterscope_core::Decoded, InputError>>, lang: meterscope_core::Lang) -> String {
    decoded.with_untracked(|d| match d {
        Ok(d) => export::dissection_text(&d.dissection, &d.bytes, lang),
        Err(e) => e.to_string(),
    })
}

/// Arrow keys move the tree cursor, left/right collapse and expand, Enter selects.
fn tree_key(ev: &web_sys::KeyboardEvent, frame: Memo<Option<Frame>>, ptr: Pointer) {
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

/// Read a dropped or opened file into the input (text as is, binary as hex); a
/// long file goes to the log worker instead.
fn load_file(file: web_sys::File, input: RwSignal<String>, big: RwSignal<Option<BigState>>, protocol: String) {
    leptos::task::spawn_local(async move {
        let promise: js_sys::Promise = file.array_buffer().unchecked_into();
        if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let bytes = js_sys::Uint8Array::new(&buf).to_vec();
            if bytes.len() > LARGE {
                let source = match String::from_utf8(bytes) {
                    Ok(s) if !s.contains('\0') => Source::Text(std::sync::Arc::new(s)),
                    Ok(s) => Source::Bytes(std::sync::Arc::new(s.into_bytes())),
                    Err(e) => Source::Bytes(std::sync::Arc::new(e.into_bytes())),
                };
                input.set(String::new());
                biglog::start(file.name(), source, &protocol, big);
            } else {
                if big.with_untracked(Option::is_some) {
                    biglog::clear(big);
                }
                input.set(export::file_to_input(&bytes));
            }
        }
    });
}

fn input_error_view(e: &InputError, src: &str, lang: meterscope_core::Lang) -> impl IntoView {
    let line_text = src.lines().nth(e.line - 1).unwrap_or("").to_string();
    let col = e.column - 1;
    let before: String = line_text.chars().take(col).collect();
    let bad: String = line_text.chars().skip(col).take(1).collect();
    let after: String = line_text.chars().skip(col + 1).collect();
    view! {
        <div class="input-error" data-testid="input-error" role="alert">
            <strong>{t(lang, "input.error")}": "</strong>{e.to_string()}
            <pre class="context">{before}<mark>{bad}</mark>{after}</pre>
        </div>
    }
}

#[component]
fn Guesses(decoded: Memo<Result<meterscope_core::Decoded, InputError>>, skip: Signal<bool>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let guesses = Memo::new(move |_| {
        decoded.with(|d| match d {
            Ok(d) if !d.bytes.is_empty() && !skip.get() => {
                Registry::default().detect(&d.bytes, st.lang.get()).into_iter().map(|g| (g.protocol, g.score)).collect()
            }
            _ => Vec::new(),
        })
    });
    view! {
        <span class="guesses" data-testid="guesses">
            {move || guesses.get().into_iter().map(|(p, score)| view! {
                <button class="guess" on:click=move |_| st.protocol.set(p.to_string())>{p}" "{score}"%"</button>
            }).collect_view()}
        </span>
    }
}

#[component]
fn FrameList(decoded: Memo<Result<meterscope_core::Decoded, InputError>>, frame_idx: RwSignal<usize>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let show_all = RwSignal::new(false);
    view! {
        <div class="frames" data-testid="frames">
            {move || decoded.with(|d| {
                let Ok(d) = d else { return ().into_any() };
                let limit = if show_all.get() { usize::MAX } else { MAX_TABS };
                let hidden_frames = d.dissection.frames.len().saturating_sub(limit);
                let hidden_junk = d.dissection.junk.len().saturating_sub(limit);
                let frames = d.dissection.frames.iter().take(limit).enumerate().map(|(i, f)| {
                    let valid = f.valid;
                    let label = format!("#{} {} [{}..{})", i + 1, f.protocol, f.span.start, f.span.end);
                    view! {
                        <button class="frame-tab" class:active=move || frame_idx.get() == i class:invalid=!valid
                            on:click=move |_| frame_idx.set(i)>
                            {label}" "<span class="state">{move || t(lang.get(), if valid { "valid" } else { "invalid" })}</span>
                        </button>
                    }
                }).collect_view();
                let junk = d.dissection.junk.iter().take(limit).map(|j| {
                    let text = format!("{} [{}..{}) {}", j.reason, j.span.start, j.span.end, junk_hex(&d.bytes[j.span.range()]));
                    view! { <span class="junk" data-testid="junk">{text}</span> }
                }).collect_view();
                let more = (hidden_frames + hidden_junk > 0).then(|| {
                    let mut text = Vec::new();
                    if hidden_frames > 0 {
                        text.push(format!("{hidden_frames} {}", t(lang.get(), "more.frames")));
                    }
                    if hidden_junk > 0 {
                        text.push(format!("{hidden_junk} {}", t(lang.get(), "more.junk")));
                    }
                    view! {
                        <span class="more" data-testid="more-frames">{text.join(", ")}" "
                            <button on:click=move |_| show_all.set(true)>{t(lang.get(), "show.all")}</button>
                        </span>
                    }
                });
                view! { {frames} {junk} {more} }.into_any()
            })}
        </div>
    }
}

/// Junk bytes as hex, elided past a few hundred bytes with the count of the rest.
fn junk_hex(b: &[u8]) -> String {
    const MAX: usize = 256;
    if b.len() > MAX { format!("{} … (+{} bytes)", to_hex(&b[..MAX]), b.len() - MAX) } else { to_hex(b) }
}

/// One tree row and its children.
fn tree_row(node: &Node, path: Path, ptr: Pointer) -> AnyView {
    let lang = expect_context::<AppState>().lang;
    let has_children = !node.children.is_empty();
    let child_view = move |c: &Node, i: usize, path: &Path| {
        let mut p = path.clone();
        p.push(i);
        tree_row(c, p, ptr)
    };
    let children =
        node.children.iter().take(MAX_CHILDREN).enumerate().map(|(i, c)| child_view(c, i, &path)).collect_view();
    let rest: Vec<Node> = node.children.iter().skip(MAX_CHILDREN).cloned().collect();
    let more = (!rest.is_empty()).then(|| {
        let shown = RwSignal::new(false);
        let n = rest.len();
        let rest_path = path.clone();
        view! {
            {move || if shown.get() {
                rest.iter().enumerate().map(|(i, c)| child_view(c, MAX_CHILDREN + i, &rest_path)).collect_view().into_any()
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
    view! {
        <li class="node" data-id=node.id.clone() data-path=path_str(&path)>
            <div class=format!("row {}", kind_class(node.kind))
                class:hl=move || ptr.focus.with(|f| f.as_deref().map(|f| row_focus(&row_path, f)) == Some(Focus::Node))
                class:anc=move || ptr.focus.with(|f| f.as_deref().map(|f| row_focus(&row_path2, f)) == Some(Focus::Ancestor))
                class:cursor=move || ptr.cursor.with(|c| c.as_deref() == Some(cursor_path.as_slice()))
                on:mouseenter=move |_| ptr.hover.set(Some(enter_path.clone()))
                on:click=move |_| {
                    ptr.select(Some(click_path.clone()));
                    scroll_to_byte(span.start);
                }>
                <button class="twisty" class:leaf=!has_children tabindex="-1"
                    on:click=move |ev| { ev.stop_propagation(); ptr.toggle(&toggle_path); }>
                    {move || if !has_children { "·" } else if expanded.get() { "▾" } else { "▸" }}
                </button>
                <span class="label">{node.label.clone()}</span>
                {value.map(|v| view! { <span class="value">{v}</span> })}
                {node.text.clone().map(|v| view! { <span class="text">{v}</span> })}
                <span class="span">{format!("{}..{}", span.start, span.end)}</span>
            </div>
            {has_children.then(|| view! { <ul class="children" class:collapsed=move || !expanded.get()>{children}{more}</ul> })}
        </li>
    }
    .into_any()
}

#[component]
fn HexView(
    decoded: Memo<Result<meterscope_core::Decoded, InputError>>,
    frame: Memo<Option<Frame>>,
    ptr: Pointer,
) -> impl IntoView {
    let pick = move |off: usize| frame.with_untracked(|f| f.as_ref().and_then(|f| f.tree.path_at(off)));
    let lang = expect_context::<AppState>().lang;
    let show_all = RwSignal::new(false);
    let cell_class = move |off: usize, kind: &'static str| {
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
                format!("b {kind}{focus}{}", if sel { " sel" } else { "" })
            })
        }
    };
    // Click selects the byte and its node; shift-click extends the byte selection.
    let on_click = move |ev: web_sys::MouseEvent, off: usize| match ptr.range.get_untracked() {
        Some((anchor, _)) if ev.shift_key() => ptr.range.set(Some((anchor, off))),
        _ => {
            let p = pick(off);
            ptr.cursor.set(p.clone());
            ptr.selected.set(p);
            ptr.range.set(Some((off, off)));
        }
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
        <div class="hexview" data-testid="hexview" on:mouseleave=move |_| ptr.hover.set(None) on:mouseover=on_enter
            // Shift-click extends the byte selection, not the browser's text selection.
            on:mousedown=move |ev: web_sys::MouseEvent| if ev.shift_key() { ev.prevent_default() }>
            {move || {
                let Some(f) = frame.get() else { return ().into_any() };
                let kinds = byte_kinds(&f);
                let limit = if show_all.get() { usize::MAX } else { MAX_HEX };
                let shown = Span::at(f.span.start, f.span.len().min(limit));
                let hidden = f.span.len() - shown.len();
                let bytes: Vec<u8> = decoded.with_untracked(|d| d.as_ref().map(|d| d.bytes[shown.range()].to_vec()).unwrap_or_default());
                let rows = bytes.chunks(ROW).enumerate().map(|(r, chunk)| {
                    let base = f.span.start + r * ROW;
                    let hex = chunk.iter().enumerate().map(|(i, &b)| {
                        let off = base + i;
                        let kind = kind_class(kinds[r * ROW + i]);
                        view! { <span class=cell_class(off, kind) data-off=off on:click=move |ev| on_click(ev, off)>{hex2(b)}</span> }
                    }).collect_view();
                    let asc = chunk.iter().enumerate().map(|(i, &b)| {
                        let off = base + i;
                        let kind = kind_class(kinds[r * ROW + i]);
                        view! { <span class=cell_class(off, kind) data-aoff=off>{ascii(b).to_string()}</span> }
                    }).collect_view();
                    view! {
                        <div class="hexrow">
                            <span class="off">{format!("{base:04X}")}</span>
                            <span class="hexbytes">{hex}</span>
                            <span class="ascii">{asc}</span>
                        </div>
                    }
                }).collect_view();
                let more = (hidden > 0).then(|| view! {
                    <div class="more" data-testid="more-bytes">{format!("{hidden} {}", t(lang.get(), "more.bytes"))}" "
                        <button on:click=move |_| show_all.set(true)>{t(lang.get(), "show.all")}</button>
                    </div>
                });
                view! { {rows} {more} }.into_any()
            }}
        </div>
    }
}

#[component]
fn Checks(frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
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
fn Diagnostics(frame: Memo<Option<Frame>>, ptr: Pointer) -> impl IntoView {
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
                            " "<span class="sev">{d.severity.as_str()}</span>" "<code>{d.code.clone()}</code>" "{d.message.clone()}
                        </li>
                    }
                }).collect_view();
                Some(view! { <h2>{t(lang.get(), "diagnostics")}</h2><ul>{items}</ul> })
            })}
        </div>
    }
}
