//! Packet captures opened in the decoder: the core's reader
//! (`capture::read`) gives each stream's payload in order; the page puts one
//! chunk on each line of the input (so the registry splits it like a serial
//! log, with a line start at each chunk) and keeps the chunks beside it to
//! name each frame's stream, direction and time.

use std::sync::Arc;

use leptos::prelude::*;
use meterscope_core::capture::{Capture, CaptureError, Chunk, Endpoint};
use meterscope_core::session::DateTime;
use meterscope_core::{Lang, Span, to_hex};

use crate::app::AppState;
use crate::i18n::t;

/// A capture as opened: its name, the input text made of it, and what it held.
pub struct Opened {
    pub name: String,
    /// The input text set from it; the capture describes the input only
    /// while the input is this text.
    pub text: String,
    pub cap: Capture,
}

/// An opened capture, equal only to itself (cheap to compare in a memo).
#[derive(Clone)]
pub struct Loaded(pub Arc<Opened>);

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Why a file that starts like a capture could not be opened.
#[derive(Clone, PartialEq)]
pub struct Failed {
    pub name: String,
    pub error: CaptureError,
}

/// The input text of a capture: each chunk's bytes as one line of hex.
pub fn open(name: String, cap: Capture) -> Opened {
    let mut text = String::with_capacity(cap.bytes.len() * 3);
    for c in &cap.chunks {
        text.push_str(&to_hex(&cap.bytes[c.offset..c.offset + c.len]));
        text.push('\n');
    }
    Opened { name, text, cap }
}

impl Opened {
    /// The chunk holding input offset `at`.
    pub fn chunk_at(&self, at: usize) -> Option<&Chunk> {
        let i = self.cap.chunks.partition_point(|c| c.offset <= at).checked_sub(1)?;
        self.cap.chunks.get(i).filter(|c| at < c.offset + c.len)
    }

    /// A frame's place in the capture: `stream 1 · 127.0.0.1:50000 → 127.0.0.1:4059 · 04:07:31.123`,
    /// and the full date and time for its tooltip.
    pub fn frame_meta(&self, span: Span, lang: Lang) -> Option<(String, String)> {
        let c = self.chunk_at(span.start)?;
        let short = format!(
            "{} {} · {} → {} · {}",
            t(lang, "capture.stream"),
            c.stream + 1,
            c.from,
            c.to,
            time_of_day(c.time_us)
        );
        Some((short, date_time(c.time_us)))
    }
}

/// `hh:mm:ss.mmm` (UTC) of a capture time in microseconds since the epoch.
fn time_of_day(us: u64) -> String {
    let d = DateTime::from_unix((us / 1_000_000) as i64);
    format!("{:02}:{:02}:{:02}.{:03}", d.hour, d.minute, d.second, us % 1_000_000 / 1000)
}

/// `2026-12-06 04:07:31.123456 UTC`.
fn date_time(us: u64) -> String {
    let d = DateTime::from_unix((us / 1_000_000) as i64);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06} UTC",
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        us % 1_000_000
    )
}

fn ends(a: Endpoint, b: Endpoint) -> String {
    format!("{a} ⇄ {b}")
}

/// What the capture held: packets, streams with their ends, sizes and first
/// times, and what the reader left aside.
#[component]
pub fn CaptureInfo(loaded: Memo<Option<Loaded>>) -> impl IntoView {
    let lang = expect_context::<AppState>().lang;
    move || {
        let Loaded(o) = loaded.get()?;
        let l = lang.get();
        let head = format!(
            "{} · {}{} · {}{}",
            o.name,
            t(l, "capture.packets"),
            o.cap.packets,
            t(l, "capture.streams"),
            o.cap.streams.len()
        );
        let streams = o
            .cap
            .streams
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let first =
                    o.cap.chunks.iter().find(|c| c.stream == i).map(|c| date_time(c.time_us)).unwrap_or_default();
                let text = format!(
                    "{} {} · {} {} · {} {} · {}",
                    t(l, "capture.stream"),
                    i + 1,
                    s.transport.as_str(),
                    ends(s.a, s.b),
                    s.len,
                    t(l, "bytes"),
                    first
                );
                view! { <li data-testid="capture-stream">{text}</li> }
            })
            .collect_view();
        let notes = o.cap.notes.iter().map(|n| view! { <li class="note">{n.clone()}</li> }).collect_view();
        Some(view! {
            <div class="capture-info" data-testid="capture-info">
                <strong>{t(l, "capture.title")}</strong>" "{head}
                <ul>{streams}{notes}</ul>
            </div>
        })
    }
}

/// A capture that could not be read: the reason and where in the file.
pub fn failed_view(f: &Failed, l: Lang) -> impl IntoView + use<> {
    let at = f.error.offset;
    view! {
        <div class="input-error" data-testid="capture-error" role="alert">
            <strong>{t(l, "capture.error")}": "</strong>
            {format!("{}: {} · {} {at} (0x{at:X})", f.name, f.error.message, t(l, "capture.at"))}
        </div>
    }
}
