//! The decoder page: input, frame list, field tree, hex+ASCII view linked both
//! ways, checks, diagnostics, the selection inspector, copy and export,
//! examples, fragment reassembly and keyboard use. It renders whatever
//! dissection the core returns.

mod biglog;
mod hex;
mod panels;
mod pcap;
mod tools;
mod tree;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use meterscope_core::filter::{Filter, FilterError};
use meterscope_core::{Decoded, Frame, InputError, InputKind, Lang, Node, NodeKind, Options, Span, to_hex};
use wasm_bindgen::JsCast;

use self::biglog::{BigState, LARGE, Source};
use self::hex::{HexView, reveal_byte};
use self::panels::{Checks, Diagnostics};
use self::tree::*;
use crate::app::AppState;
use crate::dissector;
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
    result: Result<Read, InputError>,
}

/// An input read and dissected: its bytes (shared with a long input's split),
/// kind and dissection (kept by the decoder module; `None` while it loads).
type Read = (Arc<Vec<u8>>, InputKind, Arc<Option<dissector::Held>>);

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
/// Inputs longer than this (in bytes) are decoded once typing pauses.
const DEBOUNCE_ABOVE: usize = 16 * 1024;
/// The pause, in milliseconds.
const DEBOUNCE_MS: u64 = 250;

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
    // The last decode and what it read: the same input, protocol and keys give
    // it back (equal, so nothing downstream renders again) instead of a new one.
    let last: StoredValue<Option<(String, String, meterscope_core::Keys, Decode)>> = StoredValue::new(None);
    let neutral = Memo::new(move |_| {
        if let Some(log) = big_log() {
            let generation = DECODES.fetch_add(1, Ordering::Relaxed) + 1;
            return Decode { generation, result: Ok((log.bytes.clone(), InputKind::Hex, Arc::new(None))) };
        }
        let (protocol, keys) = (st.protocol.get(), st.keys.get());
        // Tracked: an input read while the decoder module loads is dissected once it is there.
        let ready = dissector::ready();
        let same = |i: &String| {
            last.with_value(|l| {
                l.as_ref()
                    .filter(|c| c.0 == *i && c.1 == protocol && c.2 == keys)
                    .filter(|c| !ready || !matches!(&c.3.result, Ok(r) if r.2.is_none()))
                    .map(|c| c.3.clone())
            })
        };
        if let Some(d) = st.input.with(same) {
            return d;
        }
        let generation = DECODES.fetch_add(1, Ordering::Relaxed) + 1;
        let (input, result) = st.input.with(|i| {
            let result = meterscope_core::parse_input(i).map(|input| {
                let d = dissector::dissect(&input.bytes, &input.line_starts, &protocol, &keys);
                (Arc::new(input.bytes), input.kind, Arc::new(d))
            });
            (i.clone(), result)
        });
        let d = Decode { generation, result };
        last.set_value(Some((input, protocol, keys, d.clone())));
        d
    });
    let decoded = Memo::new(move |_| {
        let lang = lang.get();
        neutral.with(|d| match &d.result {
            Ok((bytes, kind, held)) => Ok(Decoded {
                bytes: bytes.clone(),
                kind: *kind,
                dissection: held.as_ref().as_ref().map(|h| h.render(lang)).unwrap_or_default(),
            }),
            Err(e) => Err(e.clone()),
        })
    });
    let frame_idx = st.frame;
    let frame: Memo<Option<Frame>> = Memo::new(move |_| {
        if let Some(log) = big_log() {
            if !log.opened.get() {
                return None;
            }
            let opts = Options { lang: lang.get(), protocol: None, keys: st.keys.get(), strict: false };
            // Tracked: dissected once the decoder module is there.
            return if dissector::ready() { log.dissect(frame_idx.get(), &opts) } else { None };
        }
        decoded.with(|d| {
            let frames = &d.as_ref().ok()?.dissection.frames;
            frames.get(frame_idx.get().min(frames.len().saturating_sub(1))).cloned()
        })
    });

    // The page's start is measured up to the first frame on screen (`crate::perf`).
    Effect::new(move |_| {
        if frame.with(Option::is_some) {
            crate::perf::first_decode();
        }
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

    // A new decode resets the pointer (paths would be stale); a language
    // switch keeps it. A permalink's frame and node are applied once its
    // input is decoded.
    let applied: StoredValue<Option<usize>> = StoredValue::new(None);
    Effect::new(move |prev: Option<u64>| {
        let generation = neutral.with(|d| d.generation);
        let pending = st.pending.get();
        if prev.is_some_and(|p| p != generation) {
            ptr.clear();
            toggled.set(HashSet::new());
            frame_idx.set(0);
        }
        // Kept until the decoder module is there to decode the linked input.
        if let Some((want, id)) = pending.filter(|_| dissector::ready()) {
            st.pending.set(None);
            let found = decoded.with_untracked(|d| {
                let frames = &d.as_ref().ok()?.dissection.frames;
                let at = |i: usize| Some((i, frames.get(i)?.tree.find_path(id.as_deref()?)?));
                // The linked frame first, then any frame holding the node.
                let hit = at(want).or_else(|| (0..frames.len()).find_map(at));
                Some(hit.ok_or(want < frames.len()))
            });
            match found {
                Some(Ok((i, p))) => {
                    applied.set_value(Some(i));
                    frame_idx.set(i);
                    ptr.clear();
                    cursor.set(Some(p.clone()));
                    selected.set(Some(p));
                }
                Some(Err(true)) => {
                    ptr.clear();
                    frame_idx.set(want);
                }
                _ => {}
            }
        }
        generation
    });
    // Another frame: paths and byte selection belong to the old one (not
    // when a permalink chose the frame and its node).
    Effect::new(move |prev: Option<usize>| {
        let i = frame_idx.get();
        let keep = applied.get_value() == Some(i);
        applied.set_value(None);
        if prev.is_some_and(|p| p != i) && !keep {
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
            "n" if !in_field => go_to_problem(frame, ptr, true),
            "p" if !in_field => go_to_problem(frame, ptr, false),
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

    // The hex view follows the focused node: its first byte is scrolled into
    // the view's own box (never the page) when out of sight.
    Effect::new(move |_| {
        if let (Some(span), _) = ptr.spans.get() {
            request_animation_frame(move || reveal_byte(span.start));
        }
    });
    // Typing in a long input: decoded once typing pauses.
    let pending_input: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    let set_input = move |text: String| {
        if let Some(h) = pending_input.get_value() {
            h.clear();
        }
        if text.len() > DEBOUNCE_ABOVE || st.input.with_untracked(|i| i.len() > DEBOUNCE_ABOVE) {
            let h = set_timeout_with_handle(
                move || {
                    pending_input.set_value(None);
                    st.input.set(text);
                },
                std::time::Duration::from_millis(DEBOUNCE_MS),
            )
            .ok();
            pending_input.set_value(h);
        } else {
            pending_input.set_value(None);
            st.input.set(text);
        }
    };
    let has_input = Memo::new(move |_| {
        big.with(Option::is_some) || decoded.with(|d| d.as_ref().is_ok_and(|d| !d.bytes.is_empty()))
    });
    let copy_status: export::CopyStatus = RwSignal::new(None);
    let file_input = NodeRef::<leptos::html::Input>::new();
    // A capture opened from a file: it names the frames' streams and times
    // while the input is the text made of it.
    let opened: RwSignal<Option<pcap::Loaded>> = RwSignal::new(None);
    let capture_error: RwSignal<Option<pcap::Failed>> = RwSignal::new(None);
    let loaded = Memo::new(move |_| opened.get().filter(|o| st.input.with(|i| *i == o.0.text)));
    // A serial-assistant log: each write or read with its time and direction, beside its frames.
    let log = Memo::new(move |_| {
        let is_log = neutral.with(|d| matches!(&d.result, Ok((_, InputKind::SerialLog, _))));
        is_log
            .then(|| st.input.with(|i| meterscope_core::seriallog::read(i)))
            .flatten()
            .and_then(Result::ok)
            .map(SerialLog)
    });
    let sink = FileSink { input: st.input, big, opened, error: capture_error };
    // The frame filter (the core's field filters) over the frame list.
    let query: RwSignal<String> = RwSignal::new(String::new());
    let filter: Memo<Result<Filter, FilterError>> = Memo::new(move |_| query.with(|q| Filter::parse(q)));
    // A filter that hides the frame shown moves to the first frame it keeps.
    Effect::new(move |_| {
        let Ok(f) = filter.get() else { return };
        decoded.with_untracked(|d| {
            let Ok(d) = d else { return };
            let frames = &d.dissection.frames;
            if frames.get(frame_idx.get_untracked()).is_some_and(|fr| !f.matches(fr))
                && let Some(i) = frames.iter().position(|fr| f.matches(fr))
            {
                frame_idx.set(i);
            }
        });
    });

    view! {
        <section class="decoder" data-decodes=move || neutral.with(|d| d.generation)>
            <div class="input-bar">
                <label for="hex-input">{move || t(lang.get(), "input.label")}</label>
                <div class="controls">
                    <label>{move || t(lang.get(), "protocol.label")}" "
                        // The registry's names come with the decoder module: each option
                        // says whether it is the chosen one, whenever it comes.
                        <select data-testid="protocol" prop:value=move || st.protocol.get()
                            on:change=move |ev| st.protocol.set(event_target_value(&ev))>
                            <option value="auto">{move || t(lang.get(), "protocol.auto")}</option>
                            {move || dissector::protocol_names().into_iter().map(|n| {
                                let (chosen, value) = (n.clone(), n.clone());
                                view! { <option value=value prop:selected=move || st.protocol.with(|p| *p == chosen)>{n}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <Guesses decoded=decoded skip=Signal::derive(move || big.with(Option::is_some))/>
                    <panels::Examples/>
                    <button class="file-open" data-testid="file-open" on:click=move |_| {
                        if let Some(i) = file_input.get() { i.click(); }
                    }>{move || t(lang.get(), "open.file")}</button>
                    <input type="file" data-testid="file" node_ref=file_input hidden tabindex="-1" on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            load_file(file, sink, st.protocol.get_untracked());
                        }
                        // Emptied, so that choosing the same file again (after closing it) opens it again.
                        input.set_value("");
                    }/>
                </div>
            </div>
            <textarea id="hex-input" data-testid="input" spellcheck="false" rows="4"
                placeholder=move || t(lang.get(), "input.placeholder")
                prop:value=move || st.input.get()
                on:input=move |ev| {
                    capture_error.set(None);
                    let text = event_target_value(&ev);
                    if text.len() > LARGE {
                        let name = t(lang.get_untracked(), "big.pasted").to_string();
                        biglog::start(name, Source::Text(std::sync::Arc::new(text)), &st.protocol.get_untracked(), big);
                        st.input.set(String::new());
                    } else {
                        if big.with_untracked(Option::is_some) {
                            biglog::clear(big);
                        }
                        set_input(text);
                    }
                }
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                        ev.prevent_default();
                        load_file(file, sink, st.protocol.get_untracked());
                    }
                }></textarea>
            <KeyPanel/>
            <biglog::BigBar state=big/>
            {move || decoded.with(|d| match d {
                Err(e) => input_error_view(e, &st.input.get_untracked(), lang.get()).into_any(),
                Ok(_) => ().into_any(),
            })}
            {move || capture_error.with(|e| e.as_ref().map(|e| pcap::failed_view(e, lang.get())))}
            <pcap::CaptureInfo loaded=loaded/>
            {move || match big_log() {
                Some(log) => view! { <biglog::BigFrames log=log frame_idx=frame_idx/> }.into_any(),
                None => view! {
                    <FilterBar decoded=decoded query=query filter=filter/>
                    <FrameList decoded=decoded frame_idx=frame_idx big=big loaded=loaded log=log filter=filter/>
                }.into_any(),
            }}
            <div class="panes">
                <div class="pane tree-pane">
                    <h2>{move || t(lang.get(), "tree")}<span class="keyhint">{move || t(lang.get(), "keys.help")}</span></h2>
                    <TreeTools frame=frame ptr=ptr/>
                    <div data-testid="tree" class="tree" tabindex="0" role="tree" aria-label=move || t(lang.get(), "tree")
                        aria-activedescendant=move || ptr.cursor.get().map(|p| format!("node-{}", path_str(&p)))
                        on:mouseleave=move |_| hover.set(None)
                        on:keydown=move |ev: web_sys::KeyboardEvent| tree_key(&ev, frame, ptr)>
                        {move || frame.with(|f| f.as_ref().map(|f| {
                            let marks = Marks::of(f);
                            view! { <ul class="root" role="none">{tree_row(&f.tree, Vec::new(), ptr, &marks)}</ul> }
                        }))}
                    </div>
                </div>
                <div class="pane hex-pane">
                    <h2 id="hex-heading">{move || t(lang.get(), "hex")}<span class="keyhint">{move || t(lang.get(), "hex.help")}</span></h2>
                    <HexView decoded=decoded frame=frame ptr=ptr/>
                </div>
            </div>
            <panels::Inspector decoded=decoded frame=frame ptr=ptr query=query/>
            <tools::Tools decoded=decoded frame=frame frame_idx=frame_idx/>
            <Checks frame=frame ptr=ptr/>
            <Diagnostics frame=frame ptr=ptr/>
            <panels::Reassembled decoded=decoded/>
            <div class="output">
                <panels::CopyBar decoded=decoded frame=frame ptr=ptr has_input=has_input status=copy_status/>
                <button data-testid="copy-json" disabled=move || !has_input.get()
                    on:click=move |_| export::copy(dissection_json(decoded, big), copy_status)>
                    {move || t(lang.get(), "copy.json")}
                </button>
                <button data-testid="download-json" disabled=move || !has_input.get() on:click=move |_| {
                    export::download("meterscope.json", "application/json", &dissection_json(decoded, big))
                }>{move || t(lang.get(), "download.json")}</button>
                <button data-testid="download-text" disabled=move || !has_input.get() on:click=move |_| {
                    export::download("meterscope.txt", "text/plain", &dissection_text(decoded, lang.get_untracked()))
                }>{move || t(lang.get(), "download.text")}</button>
                <span data-testid="copy-status" class="copy-status" role="status"
                    class:error=move || copy_status.with(|s| matches!(s, Some(Err(_))))>
                    {move || copy_status.with(|s| match s {
                        Some(Ok(())) => t(lang.get(), "copy.done").to_string(),
                        Some(Err(e)) => format!("{}: {e}", t(lang.get(), "copy.failed")),
                        None => String::new(),
                    })}
                </span>
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
        Ok(d) => {
            let mut json = meterscope_core::json::Json::pretty();
            json.dissection(&d.dissection);
            json.finish()
        }
        Err(e) => format!("{{\"error\": {}}}", meterscope_core::json::quote(&e.to_string())),
    })
}

/// The whole decode as indented text.
fn dissection_text(decoded: Memo<Result<meterscope_core::Decoded, InputError>>, lang: meterscope_core::Lang) -> String {
    decoded.with_untracked(|d| match d {
        Ok(d) => export::dissection_text(&d.dissection, &d.bytes, lang),
        Err(e) => e.to_string(),
    })
}

/// A severity's name in `lang`.
pub(crate) fn severity(lang: Lang, s: meterscope_core::Severity) -> &'static str {
    t(lang, &format!("sev.{}", s.as_str()))
}

/// Where an opened or dropped file goes.
#[derive(Clone, Copy)]
struct FileSink {
    input: RwSignal<String>,
    big: RwSignal<Option<BigState>>,
    opened: RwSignal<Option<pcap::Loaded>>,
    error: RwSignal<Option<pcap::Failed>>,
}

/// Read a dropped or opened file into the input (text as is, binary as hex,
/// a packet capture as its payloads, one chunk a line); a long file goes to
/// the log worker instead.
fn load_file(file: web_sys::File, sink: FileSink, protocol: String) {
    let FileSink { input, big, opened, error } = sink;
    error.set(None);
    leptos::task::spawn_local(async move {
        let promise: js_sys::Promise = file.array_buffer().unchecked_into();
        if let Ok(buf) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let file_bytes = js_sys::Uint8Array::new(&buf);
            let len = file_bytes.length() as usize;
            // A capture is known by its first four bytes; a long file that is not one
            // goes to the log worker as read.
            if len > LARGE && !meterscope_core::capture::is_capture(&file_bytes.subarray(0, 4).to_vec()) {
                input.set(String::new());
                biglog::start(file.name(), Source::File(file_bytes), &protocol, big);
                return;
            }
            let bytes = file_bytes.to_vec();
            if let Some(read) = meterscope_core::capture::read(&bytes) {
                let cap = read.and_then(|cap| {
                    if cap.chunks.is_empty() {
                        let message = "the capture holds no TCP or UDP payload".to_string();
                        return Err(meterscope_core::capture::CaptureError { offset: bytes.len(), message });
                    }
                    Ok(cap)
                });
                match cap {
                    Err(e) => error.set(Some(pcap::Failed { name: file.name(), error: e })),
                    Ok(cap) => {
                        let o = pcap::open(file.name(), cap);
                        if big.with_untracked(Option::is_some) {
                            biglog::clear(big);
                        }
                        if o.text.len() > LARGE {
                            input.set(String::new());
                            biglog::start(file.name(), Source::Text(std::sync::Arc::new(o.text)), &protocol, big);
                        } else {
                            input.set(o.text.clone());
                            opened.set(Some(pcap::Loaded(std::sync::Arc::new(o))));
                        }
                    }
                }
                return;
            }
            if big.with_untracked(Option::is_some) {
                biglog::clear(big);
            }
            input.set(export::file_to_input(&bytes));
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
                // Tracked: guessed once the decoder module is there.
                if dissector::ready() { dissector::guesses(&d.bytes, st.lang.get()) } else { Vec::new() }
            }
            _ => Vec::new(),
        })
    });
    view! {
        <span class="guesses" data-testid="guesses">
            {move || guesses.get().into_iter().map(|(p, score)| {
                let label = format!("{p} {score}%");
                view! { <button class="guess" on:click=move |_| st.protocol.set(p.clone())>{label}</button> }
            }).collect_view()}
        </span>
    }
}

/// A serial-assistant log read from the input (compared by what it holds).
#[derive(Clone, PartialEq)]
pub struct SerialLog(meterscope_core::seriallog::Log);

impl SerialLog {
    /// A frame's write or read: `RX · 10:13:11.483`, and with its line in
    /// the log for the tooltip.
    fn frame_meta(&self, span: Span, lang: Lang) -> Option<(String, String)> {
        let m = self.0.mark_at(span.start)?;
        let mut parts = Vec::new();
        if let Some(d) = m.direction {
            parts.push(d.name(lang).to_string());
        }
        if let Some(t) = m.time {
            parts.push(t.to_string());
        }
        let line = format!("{} {}", t(lang, "log.line"), m.line);
        let short = if parts.is_empty() { line.clone() } else { parts.join(" · ") };
        parts.push(line);
        Some((short, parts.join(" · ")))
    }
}

#[component]
fn FrameList(
    decoded: Memo<Result<meterscope_core::Decoded, InputError>>,
    frame_idx: RwSignal<usize>,
    big: RwSignal<Option<BigState>>,
    loaded: Memo<Option<pcap::Loaded>>,
    log: Memo<Option<SerialLog>>,
    filter: Memo<Result<Filter, FilterError>>,
) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let show_all = RwSignal::new(false);
    view! {
        // The hint for an empty input stands where the frames will: nothing moves at the first decode.
        <div class="frames" data-testid="frames">
            {move || decoded.with(|d| {
                let Ok(d) = d else { return ().into_any() };
                if d.bytes.is_empty() && big.with(Option::is_none) {
                    return view! { <p class="empty">{t(lang.get(), "empty")}</p> }.into_any();
                }
                match dissector::state() {
                    dissector::State::Ready => {}
                    dissector::State::Loading => {
                        return view! { <p class="empty" data-testid="decoder-loading">{t(lang.get(), "decoder.loading")}</p> }
                            .into_any();
                    }
                    dissector::State::Failed(why) => {
                        return view! {
                            <p class="input-error" data-testid="decoder-failed" role="alert">
                                {t(lang.get(), "decoder.failed")}": "{why}
                            </p>
                        }
                        .into_any();
                    }
                }
                let limit = if show_all.get() { usize::MAX } else { MAX_TABS };
                let active = filter.with(|f| f.as_ref().ok().filter(|f| !f.is_empty()).cloned());
                let kept = |f: &Frame| active.as_ref().is_none_or(|q| q.matches(f));
                let shown_frames = d.dissection.frames.iter().filter(|f| kept(f)).count();
                let hidden_frames = shown_frames.saturating_sub(limit);
                // A filter keeps frames: skipped bytes are no frame.
                let junk_count = if active.is_some() { 0 } else { d.dissection.junk.len() };
                let hidden_junk = junk_count.saturating_sub(limit);
                let cap = loaded.get();
                let log = log.get();
                let frames = d.dissection.frames.iter().enumerate().filter(|(_, f)| kept(f)).take(limit).map(|(i, f)| {
                    let valid = f.valid;
                    let label = format!("#{} {} [{}..{})", i + 1, f.protocol, f.span.start, f.span.end);
                    let meta = cap
                        .as_ref()
                        .and_then(|c| c.0.frame_meta(f.span, lang.get()))
                        .or_else(|| log.as_ref().and_then(|l| l.frame_meta(f.span, lang.get())));
                    view! {
                        <button class="frame-tab" class:active=move || frame_idx.get() == i class:invalid=!valid
                            on:click=move |_| frame_idx.set(i)>
                            {label}" "<span class="state">{move || t(lang.get(), if valid { "valid" } else { "invalid" })}</span>
                            {meta.map(|(short, full)| view! { <span class="meta" data-testid="frame-meta" title=full>{short}</span> })}
                        </button>
                    }
                }).collect_view();
                let junk = d.dissection.junk.iter().take(limit.min(junk_count)).map(|j| {
                    let reason = junk_reason(lang.get(), &j.reason);
                    let text = format!("{reason} [{}..{}) {}", j.span.start, j.span.end, junk_hex(&d.bytes[j.span.range()]));
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

/// The filter box over the frame list: the query, how many frames it keeps,
/// and what is wrong with a query that cannot be read (pinned to its character).
#[component]
fn FilterBar(
    decoded: Memo<Result<meterscope_core::Decoded, InputError>>,
    query: RwSignal<String>,
    filter: Memo<Result<Filter, FilterError>>,
) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let total = Memo::new(move |_| decoded.with(|d| d.as_ref().map_or(0, |d| d.dissection.frames.len())));
    let count = move || {
        filter.with(|f| {
            let f = f.as_ref().ok().filter(|f| !f.is_empty())?;
            let kept = decoded
                .with(|d| d.as_ref().ok().map(|d| d.dissection.frames.iter().filter(|fr| f.matches(fr)).count()))?;
            Some(format!("{kept} / {} {}", total.get(), t(lang.get(), "filter.kept")))
        })
    };
    let error = move || {
        filter.with(|f| {
            let e = f.as_ref().err()?;
            let l = lang.get();
            let q = query.get();
            let before: String = q.chars().take(e.offset).collect();
            let bad: String = q.chars().skip(e.offset).take(1).collect();
            let after: String = q.chars().skip(e.offset + 1).collect();
            let message = match t(l, e.message) {
                "?" => e.message,
                m => m,
            };
            Some(view! {
                <div class="input-error filter-error" data-testid="filter-error" role="alert">
                    <strong>{t(l, "filter.error")}": "</strong>{format!("{message} · {} {}", t(l, "filter.at"), e.offset + 1)}
                    <pre class="context">{before}<mark>{bad}</mark>{after}</pre>
                </div>
            })
        })
    };
    view! {
        // Always in place, so that the first decode moves nothing.
        <div class="filter-bar">
            <label for="frame-filter">{move || t(lang.get(), "filter.label")}</label>
            <input id="frame-filter" type="search" data-testid="filter" spellcheck="false" autocomplete="off"
                placeholder=move || t(lang.get(), "filter.placeholder")
                aria-invalid=move || filter.with(Result::is_err).to_string()
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))/>
            <span class="filter-count" data-testid="filter-count" role="status">{count}</span>
        </div>
        {error}
    }
}

/// Why bytes were skipped (the core's reason: `preamble`, `unrecognised`), in `l`.
fn junk_reason(l: Lang, reason: &str) -> &str {
    match reason {
        "preamble" => t(l, "junk.preamble"),
        "unrecognised" => t(l, "junk.unrecognised"),
        other => other,
    }
}

/// Junk bytes as hex, elided past a few hundred bytes with the count of the rest.
fn junk_hex(b: &[u8]) -> String {
    const MAX: usize = 256;
    if b.len() > MAX { format!("{} … (+{} bytes)", to_hex(&b[..MAX]), b.len() - MAX) } else { to_hex(b) }
}
