//! The reader page: a meter over Web Serial, the demo meter of each protocol
//! in the page, or a recorded trace played back; the protocol's flows with
//! progress and cancel; results with units (CSV/JSON), record and profile
//! tables, polling with a small live chart, and the raw trace with each frame
//! one click away from the decoder.
//!
//! One module per protocol family turns its core session's events into rows:
//! [`dlt645`], [`dlt698`], [`dlms`], [`iec`] (IEC 62056-21 and DSMR P1),
//! [`qgdw1376`] (a carrier module, a concentrator).

pub mod chart;
pub mod dlms;
pub mod dlt645;
pub mod dlt698;
pub mod host;
pub mod iec;
pub mod inline;
pub mod mbus;
pub mod page;
pub mod params;
pub mod qgdw1376;
pub use page::ReaderPage;
pub mod stream;
pub mod strings;
pub mod trace;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::quantity::{self, Family, Quantity, Reads};
use meterscope_core::session::{DateTime, LineSettings, Parity, Session};
use meterscope_core::{Keys, Lang, parse_input, to_hex};

use crate::serial::{self, Availability, Connection};
use crate::transport::{Demo, LineEvent, Link, Replay, RxQueue, drive_with, now_ms, spawn_reader};
use strings::t;
use web_sys::SerialPort;

pub use dlt645::DEFAULT_DIS;

/// The quantities picked at first.
pub const DEFAULT_QUANTITIES: [&str; 5] = ["active-energy-import", "voltage", "active-power", "frequency", "clock"];

/// Received chunks closer together than this belong to one trace entry.
const GAP_MS: f64 = 40.0;
/// Trace entries kept (a live P1 view adds one a second).
const TRACE_LIMIT: usize = 2000;
/// Rows of polled readings kept (the oldest go first).
pub const POLL_ROWS: usize = 20_000;
/// Samples kept per value for the chart.
const CHART_POINTS: usize = 3600;

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub tx: bool,
    /// Milliseconds since the page loaded.
    pub at_ms: f64,
    pub bytes: Vec<u8>,
    pub note: Option<String>,
    /// A note about a problem on the line (noise, a damaged frame, a retry), not information.
    pub warn: bool,
    /// The entry's number in the page's session: what keys its row.
    pub seq: u64,
}

thread_local! {
    static TRACE_SEQ: Cell<u64> = const { Cell::new(0) };
}

impl TraceEntry {
    /// An entry, numbered after every entry made before it.
    pub fn new(tx: bool, at_ms: f64, bytes: Vec<u8>, note: Option<String>, warn: bool) -> TraceEntry {
        let seq = TRACE_SEQ.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        TraceEntry { tx, at_ms, bytes, note, warn, seq }
    }
}

/// Append received bytes to the trace, grouping chunks that arrive within [`GAP_MS`].
pub fn push_rx(trace: &mut Vec<TraceEntry>, at_ms: f64, bytes: &[u8]) {
    if let Some(last) = trace.last_mut()
        && !last.tx
        && last.note.is_none()
        && at_ms - last.at_ms <= GAP_MS
    {
        last.bytes.extend_from_slice(bytes);
        last.at_ms = at_ms;
        return;
    }
    trace.push(TraceEntry::new(false, at_ms, bytes.to_vec(), None, false));
}

pub use meterscope_core::client::render::{results_csv, results_json, table_csv};
pub use meterscope_core::client::targets::{date_time as parse_clock, drift, hex_words as parse_hex_words};
pub use meterscope_core::client::{Reading, Table};

/// One polled value at a time, for the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub at_ms: f64,
    pub key: String,
    pub value: f64,
    pub unit: String,
}

/// Identifiers from free text: 8 hex digits each (2007), separated by anything.
pub fn parse_dis(text: &str, lang: Lang) -> Result<Vec<u32>, String> {
    meterscope_core::client::targets::dlt645_dis(text, meterscope_core::protocols::dlt645::Variant::V2007, lang)
}

/// Polled readings with the time of each poll (ISO 8601, UTC).
fn timed(rows: &[(f64, Reading)]) -> Vec<(String, Reading)> {
    rows.iter().map(|(at, r)| (iso_time(*at), r.clone())).collect()
}

/// Polled readings as CSV with the time of each poll first.
pub fn polls_csv(rows: &[(f64, Reading)]) -> String {
    meterscope_core::client::render::polls_csv(&timed(rows))
}

/// Polled readings as JSON, one object per reading with its time.
pub fn polls_json(rows: &[(f64, Reading)]) -> String {
    meterscope_core::client::render::polls_json(&timed(rows))
}

pub use meterscope_ui::reader_run::{Ended, Runs, Status, keep_polls};

/// The status line after a run, in a language.
pub fn status_text(s: &Status, lang: Lang) -> String {
    match s {
        Status::Lost => t(lang, "reader.lost").to_string(),
        Status::Failed(why) => format!("{}: {why}", t(lang, "reader.failed")),
        Status::Cancelled { ms } => format!("{} {ms:.0} ms", t(lang, "reader.cancelled")),
        Status::Done { ms, failed, polls } => {
            let done = format!("{} {ms:.0} ms", t(lang, "reader.done"));
            match (failed, polls) {
                (0, None) => done,
                (0, Some(n)) => format!("{done} · {} {n}", t(lang, "reader.poll_n")),
                (n, _) => format!("{done} · {n} {}", t(lang, "reader.n_failed")),
            }
        }
        Status::PollStopped { polls } => format!("{}: {polls}", t(lang, "reader.poll_stopped")),
    }
}

/// Milliseconds since 1970 as ISO 8601 in UTC.
fn iso_time(ms: f64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).to_iso_string())
}

pub(crate) fn local_now() -> DateTime {
    let d = js_sys::Date::new_0();
    DateTime {
        year: d.get_full_year() as u16,
        month: d.get_month() as u8 + 1,
        day: d.get_date() as u8,
        hour: d.get_hours() as u8,
        minute: d.get_minutes() as u8,
        second: d.get_seconds() as u8,
    }
}

/// The protocol families the reader drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Dlt645,
    Dlt698,
    Dlms,
    Iec,
    Dsmr,
    /// Q/GDW 1376.2: the concentrator's side of a carrier / HPLC module.
    Qgdw13762,
    /// Q/GDW 1376.1: the master station's side of a concentrator.
    Qgdw13761,
    /// Wired M-Bus through a level converter.
    Mbus,
    /// A wireless M-Bus receiver.
    Wmbus,
    /// An SML meter's optical interface.
    Sml,
}

const fn line(baud: u32, data_bits: u8, parity: Parity) -> LineSettings {
    LineSettings::new(baud, data_bits, parity, 1)
}

impl Proto {
    pub const ALL: [Proto; 10] = [
        Proto::Dlt645,
        Proto::Dlt698,
        Proto::Dlms,
        Proto::Iec,
        Proto::Dsmr,
        Proto::Qgdw13762,
        Proto::Qgdw13761,
        Proto::Mbus,
        Proto::Wmbus,
        Proto::Sml,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Proto::Dlt645 => "dlt645",
            Proto::Dlt698 => "dlt698",
            Proto::Dlms => "dlms",
            Proto::Iec => "iec62056",
            Proto::Dsmr => "dsmr",
            Proto::Qgdw13762 => "qgdw1376.2",
            Proto::Qgdw13761 => "qgdw1376.1",
            Proto::Mbus => "mbus",
            Proto::Wmbus => "wmbus",
            Proto::Sml => "sml",
        }
    }

    pub fn from_id(id: &str) -> Proto {
        Proto::ALL.into_iter().find(|p| p.id() == id).unwrap_or(Proto::Dlt645)
    }

    /// The name shown in the protocol menu.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Proto::Dlt645 => "DL/T 645-2007",
            Proto::Dlt698 => "DL/T 698.45",
            Proto::Dlms => "DLMS/COSEM (HDLC)",
            Proto::Iec => "IEC 62056-21",
            Proto::Dsmr => "DSMR P1",
            Proto::Qgdw13762 => lang.pick("Q/GDW 1376.2 (carrier module)", "Q/GDW 1376.2（载波模块）"),
            Proto::Qgdw13761 => lang.pick("Q/GDW 1376.1 (concentrator)", "Q/GDW 1376.1（集中器）"),
            Proto::Mbus => "M-Bus (EN 13757-2/-3)",
            Proto::Wmbus => lang.pick("Wireless M-Bus / OMS (receiver)", "无线 M-Bus / OMS（接收器）"),
            Proto::Sml => lang.pick("SML (optical head)", "SML（光电头）"),
        }
    }

    /// Line presets, the usual one first.
    pub fn presets(self) -> &'static [LineSettings] {
        const DLT645: [LineSettings; 3] =
            [line(2400, 8, Parity::Even), line(1200, 8, Parity::Even), line(9600, 8, Parity::Even)];
        const DLT698: [LineSettings; 2] = [line(9600, 8, Parity::Even), line(2400, 8, Parity::Even)];
        const DLMS: [LineSettings; 2] = [line(9600, 8, Parity::None), line(19200, 8, Parity::None)];
        // 300 Bd 7E1 to sign on; the session switches to the meter's rate.
        const IEC: [LineSettings; 1] = [line(300, 7, Parity::Even)];
        const DSMR: [LineSettings; 2] = [line(115_200, 8, Parity::None), line(9600, 7, Parity::Even)];
        // Carrier and HPLC modules: 9600 8E1 (some 115200); concentrators' local ports alike.
        const QGDW: [LineSettings; 3] =
            [line(9600, 8, Parity::Even), line(115_200, 8, Parity::Even), line(2400, 8, Parity::Even)];
        // M-Bus: 2400 8E1 (300 and 9600 too); receivers and SML heads 8N1.
        const MBUS: [LineSettings; 3] =
            [line(2400, 8, Parity::Even), line(9600, 8, Parity::Even), line(300, 8, Parity::Even)];
        const WMBUS: [LineSettings; 3] =
            [line(9600, 8, Parity::None), line(57_600, 8, Parity::None), line(115_200, 8, Parity::None)];
        const SML: [LineSettings; 1] = [line(9600, 8, Parity::None)];
        match self {
            Proto::Dlt645 => &DLT645,
            Proto::Dlt698 => &DLT698,
            Proto::Dlms => &DLMS,
            Proto::Iec => &IEC,
            Proto::Dsmr => &DSMR,
            Proto::Qgdw13762 | Proto::Qgdw13761 => &QGDW,
            Proto::Mbus => &MBUS,
            Proto::Wmbus => &WMBUS,
            Proto::Sml => &SML,
        }
    }

    pub fn flows(self) -> &'static [Flow] {
        match self {
            Proto::Dlt645 => &[Flow::Find, Flow::Read, Flow::Quantities, Flow::Clock, Flow::Sync],
            Proto::Dlt698 => {
                &[Flow::Find, Flow::Read, Flow::Quantities, Flow::Clock, Flow::Sync, Flow::Records, Flow::Monitor]
            }
            Proto::Dlms => &[Flow::Read, Flow::Quantities, Flow::Clock, Flow::Sync, Flow::Browse, Flow::Profile],
            Proto::Iec => &[Flow::Read, Flow::Quantities, Flow::Program],
            Proto::Dsmr => &[Flow::Live, Flow::Quantities],
            Proto::Qgdw13762 => &[Flow::Find, Flow::Read, Flow::Monitor],
            Proto::Qgdw13761 => &[Flow::Read, Flow::Clock, Flow::Sync, Flow::Records],
            Proto::Mbus => &[Flow::Find, Flow::Read],
            Proto::Wmbus | Proto::Sml => &[Flow::Live],
        }
    }

    /// The family of the quantity table this protocol reads (none: no quantity picker).
    pub fn family(self) -> Option<Family> {
        match self {
            Proto::Dlt645 => Some(Family::Dlt645),
            Proto::Dlt698 => Some(Family::Dlt698),
            Proto::Dlms => Some(Family::Dlms),
            Proto::Iec => Some(Family::Iec62056),
            Proto::Dsmr => Some(Family::Dsmr),
            Proto::Qgdw13762 | Proto::Qgdw13761 | Proto::Mbus | Proto::Wmbus | Proto::Sml => None,
        }
    }

    /// The default of the selection field, and its label.
    pub fn selection(self) -> (&'static str, &'static str) {
        match self {
            Proto::Dlt645 => (dlt645::DEFAULT_DIS, "reader.dis"),
            Proto::Dlt698 => (dlt698::DEFAULT_OADS, "reader.oads"),
            Proto::Dlms => (dlms::DEFAULT_OBIS, "reader.obis"),
            Proto::Iec => (iec::DEFAULT_REGISTERS, "reader.registers"),
            Proto::Dsmr => ("", ""),
            Proto::Qgdw13762 => (qgdw1376::DEFAULT_MODULE_TARGETS, "reader.targets"),
            Proto::Qgdw13761 => (qgdw1376::DEFAULT_TERMINAL_TARGETS, "reader.targets"),
            Proto::Mbus => (mbus::DEFAULT_METERS, "reader.mbus_targets"),
            Proto::Wmbus | Proto::Sml => ("", ""),
        }
    }
}

/// What a flow does once the session exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Find,
    Read,
    Clock,
    Sync,
    Records,
    Monitor,
    Browse,
    Profile,
    Program,
    Live,
    /// Named quantities (the core's quantity table), whatever the protocol.
    Quantities,
}

impl Flow {
    pub fn testid(self) -> &'static str {
        match self {
            Flow::Find => "flow-find",
            Flow::Read => "flow-read",
            Flow::Clock => "flow-clock",
            Flow::Sync => "flow-sync",
            Flow::Records => "flow-records",
            Flow::Monitor => "flow-monitor",
            Flow::Browse => "flow-browse",
            Flow::Profile => "flow-profile",
            Flow::Program => "flow-program",
            Flow::Live => "flow-live",
            Flow::Quantities => "flow-quantities",
        }
    }

    pub fn label(self, proto: Proto) -> &'static str {
        match self {
            Flow::Find if proto == Proto::Qgdw13762 => "reader.module_info",
            Flow::Find if proto == Proto::Mbus => "reader.mbus_scan_flow",
            Flow::Find => "reader.find",
            Flow::Read if proto == Proto::Iec => "reader.readout",
            Flow::Read => "reader.read",
            Flow::Clock => "reader.read_clock",
            Flow::Sync if proto == Proto::Dlt645 => "reader.sync_clock",
            Flow::Sync => "reader.set_clock",
            Flow::Records if proto == Proto::Qgdw13761 => "reader.events",
            Flow::Records => "reader.records",
            Flow::Monitor => "reader.monitor",
            Flow::Browse => "reader.browse",
            Flow::Profile => "reader.profile",
            Flow::Program => "reader.program",
            Flow::Live => "reader.live",
            Flow::Quantities => "reader.quantities",
        }
    }
}

/// The inputs of a flow, read once when it starts.
#[derive(Clone, Debug)]
pub struct Params {
    pub line: LineSettings,
    pub demo: bool,
    pub selection: String,
    /// The meter's address (DL/T 645, 698) or the IEC device address.
    pub address: Option<String>,
    /// Every family's options, as typed ([`meterscope_ui::reader_options`] checks them).
    pub opts: meterscope_ui::reader_options::ReaderOptions,
    pub keys: Keys,
    /// The quantities picked (names of the core's quantity table).
    pub quantities: Vec<&'static str>,
}

/// The page's outputs, all `Copy` signals.
#[derive(Clone, Copy)]
pub struct Sigs {
    pub results: RwSignal<Vec<Reading>>,
    pub trace: RwSignal<Vec<TraceEntry>>,
    pub status: RwSignal<String>,
    pub progress: RwSignal<String>,
    /// Every poll's readings with the wall-clock time of its end (ms since 1970), at most [`POLL_ROWS`].
    pub polls: RwSignal<Vec<(f64, Reading)>>,
    /// Items of the flow under way done and expected (the flow says how many it asks for).
    pub steps: RwSignal<(usize, usize)>,
    pub table: RwSignal<Option<Table>>,
    pub address: RwSignal<Option<String>>,
    pub reports: RwSignal<Vec<(f64, String)>>,
    pub history: RwSignal<Vec<Sample>>,
    pub telegram: RwSignal<String>,
    /// The next DLMS invocation counter (ciphering), carried from flow to flow.
    pub dlms_ic: RwSignal<u32>,
    /// Echoes of our own requests the session dropped in this flow: count and bytes.
    pub echoes: RwSignal<(u32, usize)>,
    /// The last quantity read as DTU-style JSON.
    pub dtu: RwSignal<Option<String>>,
}

impl Sigs {
    fn trace_push(&self, e: TraceEntry) {
        stream::write(&e);
        self.trace.update(|t| {
            t.push(e);
            if t.len() > TRACE_LIMIT {
                t.drain(..t.len() - TRACE_LIMIT);
            }
        });
    }

    pub fn line_event(&self, e: LineEvent) {
        match e {
            LineEvent::Tx(b) => self.trace_push(TraceEntry::new(true, now_ms(), b, None, false)),
            LineEvent::Rx(b) => {
                let at = now_ms();
                stream::write(&TraceEntry::new(false, at, b.clone(), None, false));
                self.trace.update(|t| push_rx(t, at, &b))
            }
            LineEvent::Note(n) => self.note(n),
        }
    }

    /// An informational note in the trace.
    pub fn note(&self, text: String) {
        self.trace_push(TraceEntry::new(false, now_ms(), vec![], Some(text), false));
    }

    /// A note about a problem on the line (the session's notices: noise, damaged frames, retries).
    pub fn warn(&self, text: String) {
        self.trace_push(TraceEntry::new(false, now_ms(), vec![], Some(text), true));
    }

    /// The flow asks for `total` items (progress "n / total").
    pub fn expect(&self, total: usize) {
        self.steps.set((0, total));
    }

    /// One of the items asked for is done (read or failed).
    pub fn step(&self) {
        self.steps.update(|(done, total)| *done = (*done + 1).min((*total).max(*done + 1)));
    }

    /// Add a reading; a number also goes to the chart history.
    pub fn push(&self, r: Reading) {
        if let Some(value) = r.number() {
            let key = r.key();
            self.history.update(|h| {
                h.push(Sample { at_ms: now_ms(), key: key.clone(), value, unit: r.unit.clone() });
                if h.iter().filter(|s| s.key == key).count() > CHART_POINTS
                    && let Some(i) = h.iter().position(|s| s.key == key)
                {
                    h.remove(i);
                }
            });
        }
        self.results.update(|v| v.push(r));
    }

    /// The session dropped an echo of our last request (its length in bytes).
    pub fn echo(&self) {
        let len = self.trace.with_untracked(|t| t.iter().rev().find(|e| e.tx).map_or(0, |e| e.bytes.len()));
        self.echoes.update(|(n, b)| {
            *n += 1;
            *b += len;
        });
    }

    /// A clock read: the meter's time, and its drift from this computer's
    /// clock (the meter's minus the computer's, in seconds) when the time is a
    /// whole date and time.
    pub fn clock(&self, id: &str, lang: Lang, text: String) {
        let seconds = parse_clock(&text).map(|t| t.to_unix() - local_now().to_unix());
        self.push(Reading::new(id, t(lang, "reader.clock"), text, ""));
        if let Some(d) = seconds {
            let (value, unit) = drift(d);
            self.push(Reading::new(id, t(lang, "reader.drift"), value, unit));
        }
    }

    pub fn push_error(&self, id: &str, text: String) {
        self.results.update(|v| v.push(Reading::failed(id, text)));
    }
}

/// What a flow runs against.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub sigs: Sigs,
    pub link: Link,
    pub rx: RxQueue,
    pub cancel: Rc<Cell<bool>>,
    pub demo: Option<Rc<RefCell<Demo>>>,
}

impl Ctx {
    /// Run a session over the link until it is done (or, `keep_alive`, until cancelled).
    pub async fn drive<S: Session>(&self, session: &mut S, keep_alive: bool, on_event: impl FnMut(S::Event)) {
        let (sigs, cancel) = (self.sigs, self.cancel.clone());
        drive_with(
            session,
            &self.link,
            &self.rx,
            move |e| sigs.line_event(e),
            on_event,
            move || cancel.get(),
            keep_alive,
        )
        .await
    }
}

/// The quantities picked that `family` has, for a [`Reads`].
pub fn picked(p: &Params, family: Family) -> Result<Reads, String> {
    let list: Vec<&'static Quantity> =
        p.quantities.iter().filter_map(|n| quantity::by_name(n).ok()).filter(|q| q.in_family(family)).collect();
    if list.is_empty() {
        return Err("pick at least one quantity".into());
    }
    Ok(Reads::new(family, list))
}

/// The outcome of a quantity read: one row per value (`voltage L1`) or
/// failed point, and the DTU-style JSON of it (meter, quantity, value, unit,
/// timestamp) for the export; both from the client layer the CLI prints with.
pub fn show_quantities(reads: &Reads, cx: &Ctx, protocol: &str) {
    let (s, lang) = (cx.sigs, cx.lang);
    for r in meterscope_core::client::quantities::rows(reads, lang) {
        s.push(r);
    }
    let meter = s.address.get_untracked();
    s.dtu.set(Some(meterscope_core::client::quantities::json(reads, meter.as_deref(), protocol, lang, &[])));
}

/// The time now in ISO 8601, UTC: when a quantity's value arrived.
pub fn now_iso() -> String {
    let t = iso_time(js_sys::Date::now());
    // Whole seconds, as the CLI gives them.
    match t.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => t,
    }
}

async fn run_flow(proto: Proto, flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    match proto {
        Proto::Dlt645 => dlt645::run(flow, p, cx).await,
        Proto::Dlt698 => dlt698::run(flow, p, cx).await,
        Proto::Dlms => dlms::run(flow, p, cx).await,
        Proto::Iec => iec::run(flow, p, cx).await,
        Proto::Dsmr if flow == Flow::Quantities => iec::telegram_quantities(p, cx).await,
        Proto::Dsmr => iec::live(p, cx).await,
        Proto::Qgdw13762 => qgdw1376::run_module(flow, p, cx).await,
        Proto::Qgdw13761 => qgdw1376::run_terminal(flow, p, cx).await,
        Proto::Mbus => mbus::run(flow, p, cx).await,
        Proto::Wmbus => mbus::live_wmbus(p, cx).await,
        Proto::Sml => mbus::live_sml(p, cx).await,
    }
}

type DemoSlot = (String, Rc<RefCell<Demo>>);

/// The demo meter of a protocol (loaded on first use, kept while the page lives).
async fn demo_for(slots: &RefCell<Vec<DemoSlot>>, proto: Proto, p: &Params) -> Result<Rc<RefCell<Demo>>, String> {
    let mode = iec::mode(p).letter().to_string();
    let (kind, option) = match proto {
        Proto::Dlt645 => ("dlt645", None),
        Proto::Dlt698 => ("dlt698", None),
        Proto::Dlms => ("dlms", None),
        Proto::Iec => ("iec62056", Some(mode.as_str())),
        Proto::Dsmr => ("dsmr", None),
        Proto::Qgdw13762 => ("qgdw1376.2", None),
        Proto::Qgdw13761 => ("qgdw1376.1", None),
        Proto::Mbus => ("mbus", None),
        Proto::Wmbus => ("wmbus", None),
        Proto::Sml => ("sml", None),
    };
    let key = format!("{kind}-{}", option.unwrap_or(""));
    if let Some(s) = slots.borrow().iter().find(|s| s.0 == key) {
        return Ok(s.1.clone());
    }
    let demo = Rc::new(RefCell::new(Demo::load(kind, option).await?));
    slots.borrow_mut().push((key, demo.clone()));
    Ok(demo)
}

/// Names the frames in some bytes (hex) in one line, in a language.
pub type Summarize = Rc<dyn Fn(&str, Lang) -> String>;

/// Told the reader's protocol id and identifiers when they change.
pub type OnChange = Rc<dyn Fn(&str, &str)>;

/// What the reader gets from the page it is mounted in (it runs as a module of
/// its own, `crates/meterscope-reader`, loaded when the reader is first opened).
#[derive(Clone, Copy)]
pub struct ReaderHost {
    /// The page's language, kept in step by the page.
    pub lang: RwSignal<Lang>,
    /// The key panel's keys (memory only), for ciphered DLMS sessions.
    pub keys: RwSignal<Keys>,
    /// Opens the hex of a frame in the decoder.
    pub to_decoder: StoredValue<Rc<dyn Fn(String)>, LocalStorage>,
    /// One line naming the frames in some bytes (hex), from the page's decoder.
    pub summarize: StoredValue<Summarize, LocalStorage>,
    /// The full dissection of some bytes (hex) as the text tree, from the page's decoder.
    pub explain: StoredValue<Summarize, LocalStorage>,
    /// A reader URL followed while the reader is open: its protocol id and identifiers.
    pub goto: RwSignal<Option<(String, String)>>,
    /// The protocol id and identifiers to open with (empty: the defaults).
    pub initial: StoredValue<(String, String)>,
    /// Told each change of protocol or identifiers (the page's URL).
    pub on_change: StoredValue<OnChange, LocalStorage>,
}

/// `<select>` options of a list of `(value, label)`.
pub(crate) fn options(items: &'static [(&'static str, &'static str)]) -> impl IntoView {
    items.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()
}
