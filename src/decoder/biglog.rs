//! Long inputs (a serial log, a capture file): split into frames by the log
//! worker (`www/log-worker.js`, the decoder module in a Web Worker) with a
//! progress bar while the page keeps answering; listed in a virtualised frame
//! list as soon as they are split, while the worker dissects every frame in
//! full for its verdict (with its own progress, and a stop); a frame
//! dissected in full on the page when it is opened.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use meterscope_core::filter::Filter;
use meterscope_core::{Frame, Options, Span, to_hex};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::AppState;
use crate::i18n::t;
use meterscope_ui::log_rows::{Item, Rows, Split};

/// Inputs longer than this (characters of text, or bytes of a file) go to the worker.
pub const LARGE: usize = 256 * 1024;
/// Height of one row of the virtual frame list, px (matches `.vlist .vrow` in the style sheet).
const ROW_PX: f64 = 22.0;
/// Height of the virtual frame list, px.
const LIST_PX: f64 = 264.0;

/// What the worker is given.
#[derive(Clone)]
pub enum Source {
    Text(Arc<String>),
    /// A file as read, never copied into the page's memory: the worker reads it
    /// as text when it is UTF-8 without a NUL, else as bytes. (Copied in and
    /// out again, 10 MB held the page's thread for 50-70 ms.)
    File(js_sys::Uint8Array),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Text(t) => t.len(),
            Source::File(f) => f.length() as usize,
        }
    }
}

/// A split long input.
#[derive(Debug, PartialEq)]
pub struct BigLog {
    pub name: String,
    pub kind: String,
    pub bytes: Arc<Vec<u8>>,
    /// `[start, end, protocol index]` per frame.
    frames: Vec<u32>,
    protocols: Vec<String>,
    /// `[start, end, reason index]` per junk run.
    junk: Vec<u32>,
    reasons: Vec<String>,
    /// From the start to the split, ms.
    pub millis: f64,
    /// The frames' verdicts, as the worker's check goes.
    pub check: RwSignal<Check>,
    /// A frame may be opened: set a task after the list is shown, so that the
    /// list and the first frame's dissection are not one long task.
    pub opened: RwSignal<bool>,
}

/// Where the worker's check of a split log stands: every frame dissected in
/// full, its verdict kept.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// Frames checked so far, of `count`.
    Running { checked: usize, count: usize },
    /// Stopped by the user after `checked` frames: no verdicts.
    Stopped { checked: usize },
    /// One verdict per frame (1 valid, 0 not valid); `millis` from the start to the last verdict.
    Done { valid: Arc<Vec<u8>>, millis: f64 },
}

impl BigLog {
    pub fn frame_count(&self) -> usize {
        self.frames.len() / 3
    }

    pub fn junk_count(&self) -> usize {
        self.junk.len() / 3
    }

    /// Span, protocol and validity of frame `i` (`None` until checked; not tracked).
    pub fn frame(&self, i: usize) -> Option<(Span, &str, Option<bool>)> {
        let f = self.frames.get(i * 3..i * 3 + 3)?;
        let p = self.protocols.get(f[2] as usize).map(String::as_str).unwrap_or("unknown");
        let valid = self.check.with_untracked(|c| match c {
            Check::Done { valid, .. } => valid.get(i).map(|&v| v != 0),
            _ => None,
        });
        Some((Span::new(f[0] as usize, f[1] as usize), p, valid))
    }

    pub fn junk(&self, i: usize) -> Option<(Span, &str)> {
        let j = self.junk.get(i * 3..i * 3 + 3)?;
        Some((
            Span::new(j[0] as usize, j[1] as usize),
            self.reasons.get(j[2] as usize).map(String::as_str).unwrap_or(""),
        ))
    }

    /// Frames per protocol, most first.
    pub fn per_protocol(&self) -> Vec<(String, usize)> {
        let mut n = vec![0usize; self.protocols.len()];
        for f in self.frames.chunks(3) {
            if let Some(c) = n.get_mut(f[2] as usize) {
                *c += 1;
            }
        }
        let mut out: Vec<(String, usize)> = self.protocols.iter().cloned().zip(n).collect();
        out.sort_by_key(|p| std::cmp::Reverse(p.1));
        out
    }

    /// The frames and junk runs, for the frame list's rows.
    pub fn split(&self) -> Split<'_> {
        Split { frames: &self.frames, junk: &self.junk }
    }

    /// Rows of the frame list in byte order: every frame and junk run, or only
    /// the frames that are not valid and the junk.
    /// With a filter, only the frames it keeps by protocol and validity (no
    /// junk); its field terms are not applied here (the frames are not
    /// dissected until opened). `verdicts` are the check's (one per frame,
    /// 1 valid); without them a frame's validity is unknown: the filter keeps
    /// it if it would keep it either way, and "only problems" shows none.
    /// With neither, the whole list, found row by row (nothing is built).
    pub fn items(&self, problems_only: bool, filter: Option<&Filter>, verdicts: Option<&[u8]>) -> Rows {
        if !problems_only && filter.is_none() {
            return Rows::All;
        }
        // What the filter makes of a frame, per protocol and verdict (not valid,
        // valid, not checked), asked once rather than per frame.
        let keeps: Vec<[bool; 3]> = self
            .protocols
            .iter()
            .map(|p| match filter {
                None => [true; 3],
                Some(q) => {
                    let bad = q.matches_summary(p, false) != Some(false);
                    let good = q.matches_summary(p, true) != Some(false);
                    [bad, good, bad || good]
                }
            })
            .collect();
        let rows = self.split().merge(|item| match item {
            Item::Frame(f) => {
                let verdict = verdicts.and_then(|v| v.get(f)).map_or(2, |&v| usize::from(v != 0));
                let kept = keeps.get(self.frames[f * 3 + 2] as usize).is_none_or(|k| k[verdict]);
                kept && (!problems_only || verdict == 0)
            }
            Item::Junk(_) => filter.is_none(),
        });
        Rows::Chosen(Arc::new(rows))
    }

    /// Dissect frame `i` in full.
    pub fn dissect(&self, i: usize, opts: &Options) -> Option<Frame> {
        let (span, protocol, _) = self.frame(i)?;
        let bytes = self.bytes.get(span.range())?;
        crate::dissector::piece(protocol, bytes, span.start, opts.lang, &opts.keys)
    }

    /// The split as JSON: every frame's protocol, span and validity (`null`
    /// until checked), and the junk runs.
    pub fn json(&self) -> String {
        use std::fmt::Write;
        let mut out = format!(
            "{{\n  \"name\": {},\n  \"bytes\": {},\n  \"frames\": [",
            meterscope_core::json::quote(&self.name),
            self.bytes.len()
        );
        for (i, (s, p, v)) in (0..self.frame_count()).filter_map(|i| self.frame(i)).enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let v = v.map_or("null", |v| if v { "true" } else { "false" });
            let _ = write!(
                out,
                "{sep}\n    {{\"protocol\": \"{p}\", \"span\": {{\"start\": {}, \"end\": {}}}, \"valid\": {v}}}",
                s.start, s.end
            );
        }
        out.push_str("\n  ],\n  \"junk\": [");
        for (i, (s, r)) in (0..self.junk_count()).filter_map(|i| self.junk(i)).enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(
                out,
                "{sep}\n    {{\"span\": {{\"start\": {}, \"end\": {}}}, \"reason\": \"{r}\"}}",
                s.start, s.end
            );
        }
        out.push_str("\n  ]\n}\n");
        out
    }
}

/// Where a long input stands.
#[derive(Clone, Debug, PartialEq)]
pub enum BigState {
    Working { name: String, position: usize, total: usize },
    Done(Arc<BigLog>),
    Failed(String),
}

struct Job {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

thread_local! {
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    static SOURCE: RefCell<Option<(String, Source)>> = const { RefCell::new(None) };
    /// Counts the long inputs started and closed: a step left for later belongs to the current one only.
    static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn generation() -> u64 {
    GENERATION.with(|g| g.get())
}

/// Stop the worker, if one is running.
pub fn stop() {
    JOB.with(|j| {
        if let Some(job) = j.borrow_mut().take() {
            job.worker.terminate();
        }
    });
}

/// Tell the worker of input `generation` that the page has shown its split:
/// its check may take the CPU now.
fn go(generation_then: u64) {
    if generation() != generation_then {
        return;
    }
    JOB.with(|j| {
        if let Some(job) = j.borrow().as_ref() {
            let _ = job.worker.post_message(&JsValue::from_str("go"));
        }
    });
}

/// Forget the long input.
pub fn clear(state: RwSignal<Option<BigState>>) {
    GENERATION.with(|g| g.set(g.get() + 1));
    stop();
    SOURCE.with(|s| *s.borrow_mut() = None);
    state.set(None);
}

/// Split the long input again (another protocol override).
pub fn restart(state: RwSignal<Option<BigState>>, protocol: &str) {
    if let Some((name, source)) = SOURCE.with(|s| s.borrow().clone()) {
        start(name, source, protocol, state);
    }
}

/// Hand a long input to a new worker; progress and the result land in `state`.
pub fn start(name: String, source: Source, protocol: &str, state: RwSignal<Option<BigState>>) {
    stop();
    GENERATION.with(|g| g.set(g.get() + 1));
    SOURCE.with(|s| *s.borrow_mut() = Some((name.clone(), source.clone())));
    let total = source.len();
    state.set(Some(BigState::Working { name: name.clone(), position: 0, total }));
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = match web_sys::Worker::new_with_options("log-worker.js", &opts) {
        Ok(w) => w,
        Err(e) => {
            state.set(Some(BigState::Failed(format!("{e:?}"))));
            return;
        }
    };
    let started = now();
    let ours = generation();
    // The split log's check, once the split is in.
    let mut check: Option<RwSignal<Check>> = None;
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        let get = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let num = |k: &str| get(k).as_f64().unwrap_or(0.0) as usize;
        if let Some(err) = get("error").as_string() {
            stop();
            state.set(Some(BigState::Failed(err)));
        } else if get("split").is_truthy() {
            let strings = |k: &str| -> Vec<String> {
                js_sys::Array::from(&get(k)).iter().filter_map(|v| v.as_string()).collect()
            };
            // The worker's arrays, transferred: copied once, into the module's memory.
            let u8s = |k: &str| get(k).unchecked_into::<js_sys::Uint8Array>().to_vec();
            let u32s = |k: &str| get(k).unchecked_into::<js_sys::Uint32Array>().to_vec();
            let frames = u32s("frames");
            let signal = RwSignal::new(Check::Running { checked: 0, count: frames.len() / 3 });
            check = Some(signal);
            let log = BigLog {
                name: name.clone(),
                kind: get("kind").as_string().unwrap_or_default(),
                bytes: Arc::new(u8s("bytes")),
                frames,
                protocols: strings("protocols"),
                junk: u32s("junk"),
                reasons: strings("reasons"),
                millis: now() - started,
                check: signal,
                opened: RwSignal::new(false),
            };
            // The copy above, the list, and the first frame are three tasks: the page's
            // thread is never held for all of them at once.
            let opened = log.opened;
            let log = Arc::new(log);
            set_timeout(
                move || {
                    if generation() != ours {
                        return;
                    }
                    state.set(Some(BigState::Done(log)));
                    crate::perf::after_paint(Box::new(move || {
                        if generation() == ours {
                            opened.set(true);
                            // Once that frame is painted, the worker may check.
                            crate::perf::after_paint(Box::new(move || go(ours)));
                        }
                    }));
                },
                std::time::Duration::ZERO,
            );
        } else if let Some(check) = check {
            if get("done").is_truthy() {
                let valid = get("verdicts").unchecked_into::<js_sys::Uint8Array>().to_vec();
                stop();
                check.set(Check::Done { valid: Arc::new(valid), millis: now() - started });
            } else {
                check.set(Check::Running { checked: num("checked"), count: num("count") });
            }
        } else {
            state.set(Some(BigState::Working { name: name.clone(), position: num("position"), total }));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let msg = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), v);
    };
    set("id", &JsValue::from(1));
    set("protocol", &JsValue::from_str(protocol));
    set("lang", &JsValue::from_str("en"));
    let posted = match &source {
        Source::Text(text) => {
            set("text", &JsValue::from_str(text));
            worker.post_message(&msg)
        }
        Source::File(file) => {
            // Cloned, not transferred: another protocol splits the same file again.
            set("file", file);
            worker.post_message(&msg)
        }
    };
    if let Err(e) = posted {
        state.set(Some(BigState::Failed(format!("{e:?}"))));
        return;
    }
    JOB.with(|j| *j.borrow_mut() = Some(Job { worker, _on_message: on_message }));
}

/// A filter error's message in `l` (the core's is English).
fn message(l: meterscope_core::Lang, m: &'static str) -> &'static str {
    match t(l, m) {
        "?" => m,
        s => s,
    }
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

fn mb(n: usize) -> String {
    format!("{:.1} MB", n as f64 / 1e6)
}

/// The long input's status: progress while splitting, then counts and a close button.
#[component]
pub fn BigBar(state: RwSignal<Option<BigState>>) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    move || {
        let s = state.get()?;
        Some(match s {
            BigState::Working { name, position, total } => view! {
                <div class="biglog" data-testid="big-progress" role="status">
                    <span>{format!("{name}: {} {}", mb(total), t(lang.get(), "big.working"))}</span>" "
                    <progress max=total.max(1) value=position></progress>" "
                    <span class="pct">{format!("{}%", position * 100 / total.max(1))}</span>" "
                    <button on:click=move |_| clear(state)>{t(lang.get(), "big.cancel")}</button>
                </div>
            }
            .into_any(),
            BigState::Failed(msg) => view! {
                <div class="biglog input-error" data-testid="big-error" role="alert">{msg}" "
                    <button on:click=move |_| clear(state)>{t(lang.get(), "big.close")}</button>
                </div>
            }
            .into_any(),
            BigState::Done(log) => {
                let per =
                    log.per_protocol().into_iter().map(|(p, n)| format!("{p} {n}")).collect::<Vec<_>>().join(", ");
                let check = log.check;
                let state_name = move || match check.get() {
                    Check::Running { .. } => "checking",
                    Check::Stopped { .. } => "stopped",
                    Check::Done { .. } => "checked",
                };
                let summary = move || {
                    let l = lang.get();
                    let verdicts = match check.get() {
                        Check::Done { valid, millis } => format!(
                            "{} {}; {} {:.1} s",
                            valid.iter().filter(|&&v| v == 0).count(),
                            t(l, "invalid"),
                            t(l, "big.checked"),
                            millis / 1000.0
                        ),
                        Check::Running { .. } => t(l, "big.checking").to_string(),
                        Check::Stopped { checked } => format!("{}: {checked}", t(l, "big.stopped")),
                    };
                    format!(
                        "{}: {} ({} {}), {} {} ({verdicts}), {} {}; {} {:.1} s",
                        log.name,
                        mb(log.bytes.len()),
                        log.bytes.len(),
                        t(l, "bytes"),
                        log.frame_count(),
                        t(l, "big.frames"),
                        log.junk_count(),
                        t(l, "big.junk"),
                        t(l, "big.worker"),
                        log.millis / 1000.0
                    )
                };
                let progress = move || match check.get() {
                    Check::Running { checked, count } => Some(view! {
                        <progress data-testid="big-check-progress" max=count.max(1) value=checked></progress>" "
                        <button data-testid="big-check-stop" on:click=move |_| {
                            stop();
                            check.set(Check::Stopped { checked });
                        }>{t(lang.get(), "big.stop_check")}</button>" "
                    }),
                    _ => None,
                };
                view! {
                    <div class="biglog" data-testid="big-summary" data-state=state_name role="status">
                        <span>{summary}</span>" "
                        {progress}
                        <span class="per-protocol">{per}</span>" "
                        <button data-testid="big-close" on:click=move |_| clear(state)>{t(lang.get(), "big.close")}</button>
                    </div>
                }
                .into_any()
            }
        })
    }
}

/// The virtualised frame list of a long input: only the rows in view are in the page.
#[component]
pub fn BigFrames(log: Arc<BigLog>, frame_idx: RwSignal<usize>) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let problems_only = RwSignal::new(false);
    let scroll = RwSignal::new(0.0f64);
    // The frame filter, by protocol and validity (the split knows no fields).
    let query = RwSignal::new(String::new());
    let filter = Memo::new(move |_| query.with(|q| Filter::parse(q)));
    // The frames' verdicts once all are in (the check's progress changes nothing here).
    let check = log.check;
    let verdicts = Memo::new(move |_| {
        check.with(|c| match c {
            Check::Done { valid, .. } => Some(valid.clone()),
            _ => None,
        })
    });
    let items_log = log.clone();
    // The whole list is itself; a list of chosen rows only itself (see `Rows`).
    let items = Memo::new(move |_| {
        filter.with(|f| {
            let f = f.as_ref().ok().filter(|f| !f.is_empty());
            verdicts.with(|v| items_log.items(problems_only.get(), f, v.as_ref().map(|v| v.as_slice())))
        })
    });
    let note = move || {
        let l = lang.get();
        filter.with(|f| match f {
            Err(e) => Some(format!(
                "{}: {} · {} {}",
                t(l, "filter.error"),
                message(l, e.message),
                t(l, "filter.at"),
                e.offset + 1
            )),
            Ok(f) if f.matches_summary("", true).is_none() => Some(t(l, "big.filter_fields").to_string()),
            Ok(_) => None,
        })
    };
    let rows_log = log.clone();
    let rows = move || {
        // A row shows its frame's verdict once the check is done.
        verdicts.track();
        let items = items.get();
        let split = rows_log.split();
        let first = ((scroll.get() / ROW_PX).floor() as usize).saturating_sub(5);
        let count = (LIST_PX / ROW_PX).ceil() as usize + 10;
        (first..first + count)
            .map_while(|row| Some((row, items.get(split, row)?)))
            .map(|(row, item)| {
                let top = format!("top:{}px", row as f64 * ROW_PX);
                match item {
                    Item::Frame(i) => {
                        let (span, protocol, valid) = rows_log.frame(i).unwrap_or((Span::new(0, 0), "", None));
                        let label = format!("#{} {} [{}..{})", i + 1, protocol, span.start, span.end);
                        let state = match valid {
                            Some(true) => "valid",
                            Some(false) => "invalid",
                            None => "big.unchecked",
                        };
                        view! {
                            <button class="vrow frame-tab" style=top class:active=move || frame_idx.get() == i
                                class:invalid=valid == Some(false) class:unchecked=valid.is_none()
                                data-row=row on:click=move |_| frame_idx.set(i)>
                                {label}" "<span class="state">{move || t(lang.get(), state)}</span>
                            </button>
                        }
                        .into_any()
                    }
                    Item::Junk(j) => {
                        let (span, reason) = rows_log.junk(j).unwrap_or((Span::new(0, 0), ""));
                        let head = &rows_log.bytes[span.start..span.end.min(span.start + 16).min(rows_log.bytes.len())];
                        let more = if span.len() > 16 { " …" } else { "" };
                        let reason = super::junk_reason(lang.get(), reason);
                        let text = format!("{reason} [{}..{}) {}{more}", span.start, span.end, to_hex(head));
                        view! { <span class="vrow junk" style=top data-row=row>{text}</span> }.into_any()
                    }
                }
            })
            .collect_view()
    };
    let count_log = log.clone();
    let kept_log = log.clone();
    let height = move || format!("height:{}px", items.with(|i| i.len(count_log.split())) as f64 * ROW_PX);
    view! {
        <div class="frames big" data-testid="frames">
            <div class="filter-bar">
                <label for="big-filter">{move || t(lang.get(), "filter.label")}</label>
                <input id="big-filter" type="search" data-testid="big-filter" spellcheck="false" autocomplete="off"
                    placeholder=move || t(lang.get(), "big.filter_placeholder")
                    aria-invalid=move || filter.with(Result::is_err).to_string()
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                <span class="filter-count" data-testid="big-filter-count" role="status">
                    {move || filter.with(|f| f.as_ref().is_ok_and(|f| !f.is_empty()))
                        .then(|| format!("{} {}", items.with(|i| i.len(kept_log.split())), t(lang.get(), "filter.kept")))}
                </span>
            </div>
            <p class="filter-note" data-testid="big-filter-note" role="status">{note}</p>
            <label class="problems"><input type="checkbox" data-testid="problems-only"
                on:change=move |ev| problems_only.set(event_target_checked(&ev))/>
                {move || t(lang.get(), "big.problems")}</label>
            <div class="vlist" data-testid="vlist" style=format!("height:{LIST_PX}px")
                on:scroll=move |ev| {
                    let el: web_sys::Element = event_target(&ev);
                    scroll.set(el.scroll_top() as f64);
                }>
                <div class="vspace" style=height>{rows}</div>
            </div>
        </div>
    }
}
