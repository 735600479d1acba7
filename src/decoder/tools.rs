//! Tools around the bytes: the frame builder (start from the frame on
//! screen or typed bytes, edit fields, see the bytes with their lengths and
//! checks filled in by the core's `protocols::build`) and two frames side by
//! side (`meterscope_core::diff`: fields aligned, differing bytes marked).

use leptos::prelude::*;
use meterscope_core::diff::{self, Change};
use meterscope_core::protocols::build::{self, SEALABLE, Sealed};
use meterscope_core::{Decoded, Frame, InputError, Lang, Node, to_hex};

use crate::app::AppState;
use crate::export;
use crate::i18n::t;

type DecodedMemo = Memo<Result<Decoded, InputError>>;

/// What the builder made of its bytes: the sealed frame and its dissection
/// (offsets from the frame's first byte), or why not.
#[derive(Clone, PartialEq)]
pub(super) struct Built {
    pub sealed: Sealed,
    pub frame: Option<Frame>,
}

/// The builder's output, shared with the comparison (one of its sides).
pub(super) type BuiltMemo = Memo<Option<Result<Built, String>>>;

/// The bytes of the frame on screen and its protocol.
fn on_screen(decoded: DecodedMemo, frame: Memo<Option<Frame>>) -> Option<(String, Vec<u8>)> {
    let (protocol, span) = frame.with_untracked(|f| f.as_ref().map(|f| (f.protocol.clone(), f.span)))?;
    decoded.with_untracked(|d| Some((protocol, d.as_ref().ok()?.bytes.get(span.range())?.to_vec())))
}

#[component]
pub(super) fn Tools(decoded: DecodedMemo, frame: Memo<Option<Frame>>, frame_idx: RwSignal<usize>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let (show_builder, show_compare) = (RwSignal::new(false), RwSignal::new(false));
    let protocol = RwSignal::new(String::from("auto"));
    let work = RwSignal::new(String::new());
    let built: BuiltMemo = Memo::new(move |_| {
        if !show_builder.get() {
            return None;
        }
        let text = work.get();
        if text.trim().is_empty() {
            return None;
        }
        let l = lang.get();
        let mut p = protocol.get();
        Some(match meterscope_core::parse_input(&text) {
            Err(e) => Err(e.to_string()),
            Ok(input) => {
                if p == "auto" {
                    // The best guess among the protocols the builder seals.
                    let guesses = crate::dissector::guesses(&input.bytes, l);
                    p = guesses
                        .into_iter()
                        .map(|(g, _)| g)
                        .find(|g| SEALABLE.contains(&g.as_str()))
                        .unwrap_or_else(|| SEALABLE[0].into());
                }
                build::seal(&p, &input.bytes).map_err(|e| format!("{p}: {}", e.text(l))).map(|sealed| {
                    let d = crate::dissector::dissect_in(&sealed.bytes, &[], &p, &st.keys.get(), l);
                    let frame = d.and_then(|d| d.frames.into_iter().next());
                    Built { sealed, frame }
                })
            }
        })
    });
    let start_from_screen = move || {
        if let Some((p, bytes)) = on_screen(decoded, frame) {
            if SEALABLE.contains(&p.as_str()) {
                protocol.set(p);
            }
            work.set(to_hex(&bytes));
        }
    };
    view! {
        <div class="tools-bar" role="group" aria-label=move || t(lang.get(), "tools")>
            <button data-testid="builder-toggle" aria-expanded=move || show_builder.get().to_string()
                on:click=move |_| {
                    let open = !show_builder.get_untracked();
                    if open && work.with_untracked(|w| w.trim().is_empty()) {
                        start_from_screen();
                    }
                    show_builder.set(open);
                }>{move || t(lang.get(), "builder")}</button>
            <button data-testid="compare-toggle" aria-expanded=move || show_compare.get().to_string()
                on:click=move |_| show_compare.update(|s| *s = !*s)>{move || t(lang.get(), "compare")}</button>
        </div>
        {move || show_builder.get().then(|| view! { <BuilderPane protocol=protocol work=work built=built start=start_from_screen/> })}
        {move || show_compare.get().then(|| view! { <ComparePane decoded=decoded frame_idx=frame_idx built=built/> })}
    }
}

#[component]
fn BuilderPane(
    protocol: RwSignal<String>,
    work: RwSignal<String>,
    built: BuiltMemo,
    start: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let status: export::CopyStatus = RwSignal::new(None);
    let sealed_hex = move || built.with(|b| b.as_ref()?.as_ref().ok().map(|b| to_hex(&b.sealed.bytes)));
    view! {
        <section class="builder pane" data-testid="builder" aria-labelledby="builder-heading">
            <h2 id="builder-heading">{move || t(lang.get(), "builder")}</h2>
            <p class="hint">{move || t(lang.get(), "builder.hint")}</p>
            <div class="controls">
                <label>{move || t(lang.get(), "protocol.label")}" "
                    <select data-testid="builder-protocol" prop:value=move || protocol.get()
                        on:change=move |ev| protocol.set(event_target_value(&ev))>
                        <option value="auto">{move || t(lang.get(), "protocol.auto")}</option>
                        {SEALABLE.iter().map(|&n| view! { <option value=n>{n}</option> }).collect_view()}
                    </select>
                </label>
                <button data-testid="builder-from-screen" on:click=move |_| start()>{move || t(lang.get(), "builder.from_screen")}</button>
            </div>
            <label class="builder-bytes">{move || t(lang.get(), "builder.bytes")}
                <textarea data-testid="builder-input" rows="2" spellcheck="false" prop:value=move || work.get()
                    on:input=move |ev| work.set(event_target_value(&ev))></textarea>
            </label>
            {move || built.with(|b| match b {
                None => view! { <p class="hint">{t(lang.get(), "builder.empty")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="builder-error" data-testid="builder-error" role="alert">{e.clone()}</p> }.into_any(),
                Some(Ok(_)) => ().into_any(),
            })}
            <div class="builder-out" on:change=move |ev| field_changed(&ev, built, work)
                inner_html=move || built.with(|b| match b {
                    Some(Ok(b)) => built_html(b, lang.get()),
                    _ => String::new(),
                })></div>
            <div class="output">
                <button data-testid="builder-decode" disabled=move || sealed_hex().is_none() on:click=move |_| {
                    if let Some(h) = sealed_hex() {
                        st.protocol.set(protocol.get_untracked());
                        st.input.set(h);
                    }
                }>{move || t(lang.get(), "builder.decode")}</button>
                <button data-testid="builder-copy" disabled=move || sealed_hex().is_none() on:click=move |_| {
                    if let Some(h) = sealed_hex() { export::copy(h, status); }
                }>{move || t(lang.get(), "copy.bytes")}</button>
                <span class="copy-status" role="status">{move || status.with(|s| match s {
                    Some(Ok(())) => t(lang.get(), "copy.done").to_string(),
                    Some(Err(e)) => format!("{}: {e}", t(lang.get(), "copy.failed")),
                    None => String::new(),
                })}</span>
            </div>
        </section>
    }
}

/// Text for HTML: the builder's and the comparison's tables are written as
/// one string each (one DOM update, no view code per row).
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// What a field shows: value with unit or text, else its text.
fn shown(n: &Node) -> String {
    match (&n.value, &n.unit, &n.text) {
        (Some(v), Some(u), _) => format!("{v} {u}"),
        (Some(v), None, Some(t)) => format!("{v} ({t})"),
        (Some(v), None, None) => v.clone(),
        (None, _, Some(t)) => t.clone(),
        (None, _, None) => String::new(),
    }
}

/// The sealed bytes (the fields the builder wrote marked), what it wrote,
/// the verdict and the fields, each editable: HTML.
fn built_html(b: &Built, l: Lang) -> String {
    use std::fmt::Write;
    let bytes = &b.sealed.bytes;
    let mut kind = vec![""; bytes.len()];
    for f in &b.sealed.fixes {
        kind[f.at..f.at + f.now.len()].fill(if f.changed() { " fixed" } else { " filled" });
    }
    let mut h = String::from(r#"<p class="mono built-hex" data-testid="builder-output">"#);
    for (x, k) in bytes.iter().zip(kind) {
        let _ = write!(h, r#"<span class="b{k}">{x:02X}</span> "#);
    }
    let (verdict, ok) = match &b.frame {
        Some(f) if f.valid => (format!("{} · {}", t(l, "builder.valid"), b.sealed.protocol), true),
        Some(f) => {
            let why = f
                .diagnostics
                .iter()
                .find(|d| d.severity == meterscope_core::Severity::Error)
                .map(|d| format!(" @{}: {}", d.offset, d.message));
            (format!("{}{}", t(l, "builder.invalid"), why.unwrap_or_default()), false)
        }
        None => (t(l, "builder.invalid").to_string(), false),
    };
    let _ = write!(
        h,
        r#"</p><p class="verdict{}" data-testid="builder-verdict">{}</p><ul class="fixes" data-testid="builder-fixes">"#,
        if ok { "" } else { " bad" },
        esc(&verdict)
    );
    for f in &b.sealed.fixes {
        let (name, was, now) = (l.pick(f.field.0, f.field.1), to_hex(&f.was), to_hex(&f.now));
        if f.changed() {
            let _ = write!(h, r#"<li class="changed">{name} @{}: {was} → {now}</li>"#, f.at);
        } else {
            let _ = write!(h, "<li>{name} @{}: {now} ({})</li>", f.at, t(l, "builder.right"));
        }
    }
    let _ = write!(
        h,
        r#"</ul><table class="builder-fields" data-testid="builder-fields"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(l, "builder.field"),
        t(l, "builder.value"),
        t(l, "builder.hex")
    );
    if let Some(f) = &b.frame {
        field_rows(&f.tree, 0, bytes, &mut h);
    }
    h.push_str("</tbody></table>");
    h
}

/// One row per field: label and value, and for a field that is bytes of its
/// own (not a part of others, not a bit of a byte) an input with its bytes,
/// named by the span it replaces (`data-at`, `data-end`).
fn field_rows(n: &Node, depth: usize, bytes: &[u8], h: &mut String) {
    use std::fmt::Write;
    let span = n.span;
    let own = n.bits.is_none() && n.children.iter().all(|c| c.bits.is_some()) && !span.is_empty();
    let _ = write!(
        h,
        r#"<tr data-id="{id}"><td style="padding-left:calc(.2rem + {pad}rem)">{label}</td><td class="value">{value}</td><td>"#,
        id = esc(&n.id),
        pad = depth,
        label = esc(&n.label),
        value = esc(&shown(n)),
    );
    if own && let Some(b) = bytes.get(span.range()) {
        let _ = write!(
            h,
            r#"<input class="mono" data-testid="builder-field" data-id="{}" data-at="{}" data-end="{}" aria-label="{}" value="{}" spellcheck="false">"#,
            esc(&n.id),
            span.start,
            span.end,
            esc(&n.label),
            to_hex(b)
        );
    }
    h.push_str("</td></tr>");
    for c in n.children.iter().filter(|c| c.bits.is_none()) {
        field_rows(c, depth + 1, bytes, h);
    }
}

/// A field's bytes edited: the new bytes in place of the field's (more or
/// fewer too), and the builder seals again.
fn field_changed(ev: &web_sys::Event, built: BuiltMemo, work: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let at = |k: &str| input.get_attribute(k).and_then(|v| v.parse::<usize>().ok());
    let (Some(start), Some(end)) = (at("data-at"), at("data-end")) else { return };
    let Ok(new) = meterscope_core::parse_input(&input.value()).map(|i| i.bytes) else { return };
    let Some(mut b) = built.with_untracked(|b| Some(b.as_ref()?.as_ref().ok()?.sealed.bytes.clone())) else { return };
    if end > b.len() || start > end || b[start..end] == new[..] {
        return;
    }
    b.splice(start..end, new);
    work.set(to_hex(&b));
}

/// A side of the comparison: a frame of the input or the builder's frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Frame(usize),
    Builder,
}

impl Side {
    fn key(self) -> String {
        match self {
            Side::Frame(i) => i.to_string(),
            Side::Builder => "builder".into(),
        }
    }

    fn parse(s: &str) -> Side {
        s.parse().map_or(Side::Builder, Side::Frame)
    }
}

#[component]
fn ComparePane(decoded: DecodedMemo, frame_idx: RwSignal<usize>, built: BuiltMemo) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    let count = Memo::new(move |_| decoded.with(|d| d.as_ref().map_or(0, |d| d.dissection.frames.len())));
    // By default the frame on screen against the next one (or the one before).
    let a = RwSignal::new(Side::Frame(frame_idx.get_untracked()));
    let b = RwSignal::new({
        let (i, n) = (frame_idx.get_untracked(), count.get_untracked());
        if i + 1 < n { Side::Frame(i + 1) } else { Side::Frame(i.saturating_sub(1)) }
    });
    let only_diff = RwSignal::new(false);
    // A side's frame and the bytes its spans index.
    let get = move |s: Side| -> Option<(Frame, std::sync::Arc<Vec<u8>>)> {
        match s {
            Side::Frame(i) => decoded.with(|d| {
                let d = d.as_ref().ok()?;
                Some((d.dissection.frames.get(i)?.clone(), d.bytes.clone()))
            }),
            Side::Builder => built.with(|b| {
                let b = b.as_ref()?.as_ref().ok()?;
                Some((b.frame.clone()?, std::sync::Arc::new(b.sealed.bytes.clone())))
            }),
        }
    };
    let options = move || {
        let l = lang.get();
        let frames = decoded.with(|d| {
            d.as_ref().map_or(Vec::new(), |d| {
                d.dissection
                    .frames
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (Side::Frame(i), format!("#{} {}", i + 1, f.protocol)))
                    .collect()
            })
        });
        let builder =
            built.with(|b| matches!(b, Some(Ok(_)))).then(|| (Side::Builder, t(l, "compare.builder").to_string()));
        frames.into_iter().chain(builder).collect::<Vec<_>>()
    };
    let picker = move |side: RwSignal<Side>, test: &'static str, name: &'static str| {
        view! {
            <label>{move || t(lang.get(), name)}" "
                <select data-testid=test prop:value=move || side.get().key()
                    on:change=move |ev| side.set(Side::parse(&event_target_value(&ev)))>
                    {move || options().into_iter().map(|(s, text)| view! { <option value=s.key()>{text}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let result = move || {
        let l = lang.get();
        let only = only_diff.get();
        match (get(a.get()), get(b.get())) {
            (Some((fa, ba)), Some((fb, bb))) => compare_html(&fa, &ba, &fb, &bb, only, l),
            _ => format!(r#"<p class="hint">{}</p>"#, t(l, "compare.hint")),
        }
    };
    view! {
        <section class="compare pane" data-testid="compare" aria-labelledby="compare-heading">
            <h2 id="compare-heading">{move || t(lang.get(), "compare")}</h2>
            <div class="controls">
                {picker(a, "compare-pick-a", "compare.a")}
                {picker(b, "compare-pick-b", "compare.b")}
                <label><input type="checkbox" data-testid="compare-only" prop:checked=move || only_diff.get()
                    on:change=move |ev| only_diff.set(event_target_checked(&ev))/>" "{move || t(lang.get(), "compare.only")}</label>
            </div>
            <div class="compare-out" inner_html=result></div>
        </section>
    }
}

/// The comparison of two frames (each with the bytes its spans index): a
/// summary, both frames' bytes with those that differ marked, and the
/// fields side by side (all, or those that differ and their parents): HTML.
fn compare_html(fa: &Frame, ba: &[u8], fb: &Frame, bb: &[u8], only: bool, l: Lang) -> String {
    use std::fmt::Write;
    let rows = diff::trees(&fa.tree, ba, &fb.tree, bb);
    let (xa, xb) = (ba.get(fa.span.range()).unwrap_or_default(), bb.get(fb.span.range()).unwrap_or_default());
    let (ma, mb) = diff::bytes(xa, xb);
    let differ = rows.iter().filter(|r| r.change != Change::Same).count();
    let bytes_differ = ma.iter().chain(&mb).filter(|&&m| m).count();
    let mut h = format!(
        r#"<p data-testid="compare-summary">{differ} {} · {bytes_differ} {}</p><div class="compare-bytes mono">"#,
        t(l, "compare.fields"),
        t(l, "compare.bytes")
    );
    for (side, x, m) in [("a", xa, &ma), ("b", xb, &mb)] {
        let _ = write!(h, r#"<p data-testid="compare-{side}"><span class="side">{} </span>"#, side.to_uppercase());
        for (v, &d) in x.iter().zip(m.iter()) {
            let _ = write!(h, r#"<span class="b{}">{v:02X}</span> "#, if d { " differs" } else { "" });
        }
        h.push_str("</p>");
    }
    let _ = write!(
        h,
        r#"</div><table class="compare-fields" data-testid="compare-fields"><thead><tr><th>{}</th><th>A</th><th>B</th></tr></thead><tbody>"#,
        t(l, "builder.field")
    );
    for r in rows.iter().filter(|r| !only || r.change != Change::Same || r.inner) {
        let class = match r.change {
            Change::Same => "same",
            Change::Changed => "changed",
            Change::OnlyA => "only-a",
            Change::OnlyB => "only-b",
        };
        let cell = |s: &Option<diff::Side>| s.as_ref().map_or_else(|| "—".to_string(), |s| esc(&s.shown));
        let _ = write!(
            h,
            r#"<tr class="{class}" data-id="{}"><td style="padding-left:calc(.2rem + {}rem)">{}</td><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
            esc(&r.id),
            r.depth,
            esc(&r.label),
            cell(&r.a),
            cell(&r.b)
        );
    }
    h.push_str("</tbody></table>");
    h
}
