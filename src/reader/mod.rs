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
pub mod mbus;
pub mod qgdw1376;
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
const CHART_POINTS: usize = 120;

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub tx: bool,
    /// Milliseconds since the page loaded.
    pub at_ms: f64,
    pub bytes: Vec<u8>,
    pub note: Option<String>,
    /// A note about a problem on the line (noise, a damaged frame, a retry), not information.
    pub warn: bool,
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
    trace.push(TraceEntry { tx: false, at_ms, bytes: bytes.to_vec(), note: None, warn: false });
}

/// One line of the results table.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub id: String,
    pub name: String,
    pub value: String,
    pub unit: String,
    pub error: bool,
}

impl Reading {
    pub fn new(id: &str, name: &str, value: String, unit: &str) -> Reading {
        Reading { id: id.to_string(), name: name.to_string(), value, unit: unit.to_string(), error: false }
    }

    /// What names this value in the chart: identifier and name.
    pub fn key(&self) -> String {
        if self.name.is_empty() { self.id.clone() } else { format!("{} {}", self.id, self.name) }
    }

    /// The value as a number, when it is a measurement (a unit or a decimal
    /// point: addresses and serial numbers made of digits are not).
    pub fn number(&self) -> Option<f64> {
        if self.error || (self.unit.is_empty() && !self.value.contains('.')) {
            return None;
        }
        self.value.trim().parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

/// Rows and columns of a record, profile or object list read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One polled value at a time, for the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub at_ms: f64,
    pub key: String,
    pub value: f64,
    pub unit: String,
}

/// Hex words of `digits` digits from free text, separated by anything.
pub fn parse_hex_words(text: &str, digits: usize, what: &str) -> Result<Vec<u32>, String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() == digits {
                u32::from_str_radix(w, 16).map_err(|e| e.to_string())
            } else {
                Err(format!("'{w}' is not a {what} ({digits} hex digits)"))
            }
        })
        .collect()
}

/// Identifiers from free text: 8 hex digits each (2007), separated by anything.
pub fn parse_dis(text: &str) -> Result<Vec<u32>, String> {
    parse_hex_words(text, 8, "data identifier (DI3..DI0)")
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Polled readings as CSV with the time of each poll first (ISO 8601, UTC).
pub fn polls_csv(rows: &[(f64, Reading)]) -> String {
    let mut out = String::from("time,id,name,value,unit\n");
    for (at, r) in rows {
        let time = iso_time(*at);
        let f = [&time, &r.id, &r.name, &r.value, &r.unit].map(|s| csv_field(s));
        out.push_str(&f.join(","));
        out.push('\n');
    }
    out
}

/// Polled readings as JSON, one object per reading with its time.
pub fn polls_json(rows: &[(f64, Reading)]) -> String {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|(at, r)| {
            serde_json::json!({ "time": iso_time(*at), "id": r.id, "name": r.name, "value": r.value, "unit": r.unit, "error": r.error })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "polls": list })).unwrap_or_default()
}

/// Milliseconds since 1970 as ISO 8601 in UTC.
fn iso_time(ms: f64) -> String {
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).to_iso_string())
}

/// Results as CSV (id, name, value, unit).
pub fn results_csv(rows: &[Reading]) -> String {
    let mut out = String::from("id,name,value,unit\n");
    for r in rows {
        let f = [&r.id, &r.name, &r.value, &r.unit].map(|s| csv_field(s));
        out.push_str(&f.join(","));
        out.push('\n');
    }
    out
}

/// A table as CSV, headers first.
pub fn table_csv(t: &Table) -> String {
    let mut out = t.columns.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in &t.rows {
        out.push_str(&row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// Results (and the table, when there is one) as JSON.
pub fn results_json(rows: &[Reading], table: Option<&Table>) -> String {
    let readings: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut v = serde_json::json!({ "id": r.id, "name": r.name, "value": r.value, "unit": r.unit });
            if r.error {
                v["error"] = serde_json::Value::Bool(true);
            }
            v
        })
        .collect();
    let mut out = serde_json::json!({ "readings": readings });
    if let Some(t) = table {
        out["table"] = serde_json::json!({ "title": t.title, "columns": t.columns, "rows": t.rows });
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// A clock drift in seconds as value and unit: `+12` s under an hour,
/// `-2 d 03:04:05` beyond.
pub fn drift_text(d: i64) -> (String, &'static str) {
    if d.abs() < 3600 {
        return (format!("{d:+}"), "s");
    }
    let (sign, a) = (if d < 0 { '-' } else { '+' }, d.unsigned_abs());
    let (days, rest) = (a / 86_400, a % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
    (if days > 0 { format!("{sign}{days} d {hms}") } else { format!("{sign}{hms}") }, "")
}

/// A date and time written `YYYY-MM-DD hh:mm:ss` (anything after ignored; seconds optional).
pub fn parse_clock(text: &str) -> Option<DateTime> {
    let n: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| w.parse().ok())
        .collect::<Option<_>>()?;
    let t = DateTime {
        year: u16::try_from(*n.first()?).ok()?,
        month: *n.get(1)? as u8,
        day: *n.get(2)? as u8,
        hour: *n.get(3)? as u8,
        minute: *n.get(4)? as u8,
        second: n.get(5).copied().unwrap_or(0) as u8,
    };
    (t.year >= 1970 && t.is_valid()).then_some(t)
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
    pub records: u8,
    /// DL/T 698.45 client address as typed (`10`, hex).
    pub client_address: String,
    /// DL/T 698.45 application connection: `auto`, `always`, `never`.
    pub connect: String,
    /// DL/T 698.45 connection password (empty: NullSecurity).
    pub connect_password: String,
    pub dlms_client: String,
    pub dlms_server: String,
    /// DLMS server physical HDLC address (empty: none).
    pub dlms_physical: String,
    /// DLMS link: `hdlc` or `wrapper`.
    pub dlms_link: String,
    pub dlms_auth: String,
    pub dlms_password: String,
    pub dlms_cipher: bool,
    pub from: String,
    pub to: String,
    pub keys: Keys,
    pub iec_mode: String,
    pub password: String,
    pub settle: String,
    pub max_baud: String,
    /// Q/GDW 1376.2: add the meters named to the module's route before reading.
    pub add_nodes: bool,
    /// M-Bus: what a scan asks (`0-250`, `secondary`, a mask).
    pub mbus_scan: String,
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
        self.trace.update(|t| {
            t.push(e);
            if t.len() > TRACE_LIMIT {
                t.drain(..t.len() - TRACE_LIMIT);
            }
        });
    }

    pub fn line_event(&self, e: LineEvent) {
        match e {
            LineEvent::Tx(b) => {
                self.trace_push(TraceEntry { tx: true, at_ms: now_ms(), bytes: b, note: None, warn: false })
            }
            LineEvent::Rx(b) => self.trace.update(|t| push_rx(t, now_ms(), &b)),
            LineEvent::Note(n) => self.note(n),
        }
    }

    /// An informational note in the trace.
    pub fn note(&self, text: String) {
        self.trace_push(TraceEntry { tx: false, at_ms: now_ms(), bytes: vec![], note: Some(text), warn: false });
    }

    /// A note about a problem on the line (the session's notices: noise, damaged frames, retries).
    pub fn warn(&self, text: String) {
        self.trace_push(TraceEntry { tx: false, at_ms: now_ms(), bytes: vec![], note: Some(text), warn: true });
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
        let drift = parse_clock(&text).map(|t| t.to_unix() - local_now().to_unix());
        self.push(Reading::new(id, t(lang, "reader.clock"), text, ""));
        if let Some(d) = drift {
            let (value, unit) = drift_text(d);
            self.push(Reading::new(id, t(lang, "reader.drift"), value, unit));
        }
    }

    pub fn push_error(&self, id: &str, text: String) {
        self.results.update(|v| {
            v.push(Reading { id: id.to_string(), name: String::new(), value: text, unit: String::new(), error: true })
        });
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
/// timestamp) for the export.
pub fn show_quantities(reads: &Reads, cx: &Ctx, protocol: &str) {
    let (s, lang) = (cx.sigs, cx.lang);
    let mut readings = Vec::new();
    let mut errors = Vec::new();
    for o in reads.outcomes() {
        let q = o.quantity;
        match o.result {
            Ok(v) => {
                let id = v.element.map_or_else(|| q.name.to_string(), |e| format!("{} {e}", q.name));
                s.push(Reading::new(&id, q.title(lang), v.value.clone(), &v.unit));
                let value = match v.value.parse::<f64>() {
                    Ok(n) if v.numeric && n.is_finite() => serde_json::json!(n),
                    _ => serde_json::json!(v.value),
                };
                let mut r = serde_json::json!({
                    "quantity": q.name, "name": q.title(lang), "value": value, "unit": v.unit,
                    "timestamp": o.at, "source": o.source,
                });
                if let Some(e) = v.element {
                    r["element"] = serde_json::json!(e);
                }
                readings.push(r);
            }
            Err(why) => {
                s.push_error(q.name, format!("{}: {why}", o.source));
                errors.push(serde_json::json!({ "quantity": q.name, "source": o.source, "error": why }));
            }
        }
    }
    let out = serde_json::json!({
        "meter": s.address.get_untracked(), "protocol": protocol, "readings": readings, "errors": errors,
    });
    s.dtu.set(Some(serde_json::to_string_pretty(&out).unwrap_or_default()));
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
    /// The protocol id and identifiers to open with (empty: the defaults).
    pub initial: StoredValue<(String, String)>,
    /// Told each change of protocol or identifiers (the page's URL).
    pub on_change: StoredValue<OnChange, LocalStorage>,
}

/// `<select>` options of a list of `(value, label)`.
fn options(items: &'static [(&'static str, &'static str)]) -> impl IntoView {
    items.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()
}

#[component]
pub fn ReaderPage() -> impl IntoView {
    let st = expect_context::<ReaderHost>();
    let lang = st.lang;
    let avail = serial::availability();
    let source = RwSignal::new(String::from(if avail == Availability::Supported { "serial" } else { "demo" }));
    let proto = RwSignal::new(Proto::Dlt645);
    let first = Proto::Dlt645.presets()[0];
    let baud = RwSignal::new(first.baud.to_string());
    let data_bits = RwSignal::new(first.data_bits.to_string());
    let parity = RwSignal::new(first.parity.letter().to_string());
    let stop_bits = RwSignal::new(first.stop_bits.to_string());
    let sigs = Sigs {
        results: RwSignal::new(Vec::new()),
        trace: RwSignal::new(Vec::new()),
        status: RwSignal::new(String::new()),
        progress: RwSignal::new(String::new()),
        steps: RwSignal::new((0, 0)),
        polls: RwSignal::new(Vec::new()),
        table: RwSignal::new(None),
        address: RwSignal::new(None),
        reports: RwSignal::new(Vec::new()),
        history: RwSignal::new(Vec::new()),
        telegram: RwSignal::new(String::new()),
        dlms_ic: RwSignal::new(1),
        echoes: RwSignal::new((0, 0)),
        dtu: RwSignal::new(None),
    };
    let Sigs { results, trace, status, progress, table, address, reports, history, telegram, .. } = sigs;
    let connected = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let polling = RwSignal::new(false);
    let poll_secs = RwSignal::new(String::from("5"));
    let selection = RwSignal::new(String::from(DEFAULT_DIS));
    // The quantities picked for "Read quantities".
    let picked_names = RwSignal::new(DEFAULT_QUANTITIES.to_vec());
    let records_n = RwSignal::new(String::from("3"));
    let client_address = RwSignal::new(String::from("10"));
    let connect_mode = RwSignal::new(String::from("auto"));
    let connect_password = RwSignal::new(String::new());
    let dlms_physical = RwSignal::new(String::new());
    let dlms_link = RwSignal::new(String::from("hdlc"));
    let dlms_client = RwSignal::new(String::from("16"));
    let dlms_server = RwSignal::new(String::from("1"));
    let dlms_auth = RwSignal::new(String::from("none"));
    let dlms_password = RwSignal::new(String::from("12345678"));
    let dlms_cipher = RwSignal::new(false);
    let from = RwSignal::new(String::from("2024-05-17 06:00"));
    let to = RwSignal::new(String::from("2024-05-17 10:30"));
    let iec_mode = RwSignal::new(String::from("C"));
    let iec_address = RwSignal::new(String::new());
    let terminal_address = RwSignal::new(String::new());
    let add_nodes = RwSignal::new(false);
    let mbus_scan = RwSignal::new(String::from(mbus::DEFAULT_SCAN));
    let password = RwSignal::new(String::from("00000000"));
    let settle = RwSignal::new(String::from("300"));
    let max_baud = RwSignal::new(String::new());
    let tx_text = RwSignal::new(String::from("68 AA AA AA AA AA AA 68 13 00 DF 16"));
    // Appended to what is sent: nothing, CR, LF or CR LF (text protocols end lines so).
    let tx_ending = RwSignal::new(String::new());
    let replay_info = RwSignal::new(String::new());
    // Trace filters: direction (all, tx, rx, note) and hex or text to look for.
    let trace_dir = RwSignal::new(String::from("all"));
    let trace_find = RwSignal::new(String::new());
    // The trace's bytes as text (`<STX>`… for control characters) instead of hex.
    let trace_as_text = RwSignal::new(false);
    // Each entry's summary line, by (time, length, language): entries are named once.
    let summaries: StoredValue<std::collections::BTreeMap<(u64, usize, bool), String>, LocalStorage> =
        StoredValue::new_local(std::collections::BTreeMap::new());
    let summary_of = move |e: &TraceEntry, l: Lang| -> String {
        if e.bytes.is_empty() {
            return String::new();
        }
        let key = (e.at_ms.to_bits(), e.bytes.len(), l == Lang::Zh);
        if let Some(s) = summaries.with_value(|m| m.get(&key).cloned()) {
            return s;
        }
        let s = st.summarize.with_value(|f| f(&to_hex(&e.bytes), l));
        summaries.update_value(|m| {
            if m.len() > 4 * TRACE_LIMIT {
                m.clear();
            }
            m.insert(key, s.clone());
        });
        s
    };
    let cancel = Rc::new(Cell::new(false));
    let conn: Rc<RefCell<Option<Rc<Connection>>>> = Rc::new(RefCell::new(None));
    // A Bluetooth (BLE UART) probe, beside the serial port.
    let ble_avail = crate::ble::available();
    let ble: crate::ble::BleSlot = Rc::new(RefCell::new(None));
    let ble_connected = RwSignal::new(false);
    let ble_label = RwSignal::new(String::new());
    let rx: RxQueue = Rc::new(RefCell::new(Default::default()));
    let demos: Rc<RefCell<Vec<DemoSlot>>> = Rc::new(RefCell::new(Vec::new()));
    let replay = Rc::new(RefCell::new(Replay::new(Vec::new())));

    let line_settings = move || LineSettings {
        baud: baud.get_untracked().trim().parse().unwrap_or(2400),
        data_bits: data_bits.get_untracked().trim().parse().unwrap_or(8),
        parity: Parity::parse(&parity.get_untracked()).unwrap_or(Parity::Even),
        stop_bits: stop_bits.get_untracked().trim().parse().unwrap_or(1),
    };
    let apply_line = move |l: LineSettings| {
        baud.set(l.baud.to_string());
        data_bits.set(l.data_bits.to_string());
        parity.set(l.parity.letter().to_string());
        stop_bits.set(l.stop_bits.to_string());
    };
    let preset_value = move || {
        let cur = format!("{} {}{}{}", baud.get(), data_bits.get(), parity.get(), stop_bits.get());
        if proto.get().presets().iter().any(|l| l.to_string() == cur) { cur } else { "custom".to_string() }
    };
    let set_proto = move |p: Proto| {
        proto.set(p);
        apply_line(p.presets()[0]);
        selection.set(p.selection().0.to_string());
        address.set(None);
        table.set(None);
        telegram.set(String::new());
    };
    // Opened from a reader URL: its protocol and identifiers; each change goes back to the URL.
    let (init_p, init_q) = st.initial.get_value();
    if let Some(p) = Proto::ALL.into_iter().find(|p| p.id() == init_p) {
        set_proto(p);
    }
    if !init_q.is_empty() {
        selection.set(init_q);
    }
    let on_change = st.on_change.get_value();
    Effect::new(move |_| on_change(proto.get().id(), &selection.get()));

    // Serial port handling: granted ports, open with DTR/RTS, lost on unplug, back on re-plug.
    let dtr = RwSignal::new(true);
    let rts = RwSignal::new(true);
    let lost = RwSignal::new(false);
    let help = RwSignal::new(false);
    let help_button = NodeRef::<leptos::html::Button>::new();
    let help_dialog = NodeRef::<leptos::html::Div>::new();
    // Closing the help gives focus back to its button.
    let close_help = move || {
        help.set(false);
        if let Some(b) = help_button.get_untracked() {
            let _ = b.focus();
        }
    };
    let port_labels = RwSignal::new(Vec::<String>::new());
    let granted: StoredValue<Vec<SerialPort>, LocalStorage> = StoredValue::new_local(Vec::new());
    let last_port: StoredValue<Option<(SerialPort, LineSettings)>, LocalStorage> = StoredValue::new_local(None);
    let refresh = move || {
        spawn_local(async move {
            let list = serial::granted_ports().await;
            if port_labels.is_disposed() {
                return;
            }
            port_labels.set(list.iter().map(|p| serial::port_label(serial::usb_ids(p))).collect());
            granted.set_value(list);
        })
    };
    let open_port: Rc<dyn Fn(SerialPort, LineSettings, bool)> = {
        let (conn, rx) = (conn.clone(), rx.clone());
        Rc::new(move |port: SerialPort, line: LineSettings, again: bool| {
            let (conn, rx) = (conn.clone(), rx.clone());
            spawn_local(async move {
                match Connection::open(port.clone(), line).await {
                    Ok(c) => {
                        let c = Rc::new(c);
                        let (d, r) = (dtr.get_untracked(), rts.get_untracked());
                        match c.set_signals(d, r).await {
                            Ok(true) => sigs.note(format!("DTR {d} RTS {r}")),
                            Ok(false) => {}
                            Err(e) => sigs.note(format!("DTR/RTS: {e}")),
                        }
                        rx.borrow_mut().clear();
                        *conn.borrow_mut() = Some(c.clone());
                        last_port.set_value(Some((port, line)));
                        spawn_reader(c, rx);
                        connected.set(true);
                        lost.set(false);
                        let l = lang.get_untracked();
                        status.set(if again {
                            format!("{} {line}", t(l, "reader.reconnected"))
                        } else {
                            line.to_string()
                        });
                    }
                    Err(e) => status.set(e),
                }
                refresh();
            });
        })
    };
    let opener = StoredValue::new_local(open_port.clone());
    let connect = move |_| {
        let line = line_settings();
        let open_port = opener.get_value();
        spawn_local(async move {
            match serial::request_port().await {
                Ok(p) => open_port(p, line, false),
                Err(e) => status.set(e),
            }
        });
    };
    let use_port = move |i: usize| {
        if let Some(p) = granted.with_value(|g| g.get(i).cloned()) {
            opener.with_value(|f| f(p, line_settings(), false));
        }
    };
    let forget_port = move |i: usize| {
        let Some(p) = granted.with_value(|g| g.get(i).cloned()) else { return };
        spawn_local(async move {
            match serial::forget(&p).await {
                Ok(true) => {}
                Ok(false) => status.set(t(lang.get_untracked(), "reader.no_forget").to_string()),
                Err(e) => status.set(e),
            }
            refresh();
        });
    };
    let reconnect = move |_| {
        if let Some((p, line)) = last_port.get_value() {
            opener.with_value(|f| f(p, line, true));
        }
    };
    let apply_signals = {
        let conn = conn.clone();
        move || {
            let Some(c) = conn.borrow().clone() else { return };
            let (d, r) = (dtr.get_untracked(), rts.get_untracked());
            spawn_local(async move {
                match c.set_signals(d, r).await {
                    Ok(true) => sigs.note(format!("DTR {d} RTS {r}")),
                    Ok(false) => status.set(t(lang.get_untracked(), "reader.no_signals").to_string()),
                    Err(e) => status.set(e),
                }
            });
        }
    };
    let (apply_dtr, apply_rts) = (apply_signals.clone(), apply_signals);
    if avail == Availability::Supported {
        refresh();
        let (conn, cancel) = (conn.clone(), cancel.clone());
        serial::on_plug(move |plugged, port| {
            if connected.is_disposed() {
                return;
            }
            if !plugged {
                let ours = conn.borrow().as_ref().is_some_and(|c| js_sys::Object::is(&c.port(), &port));
                if ours {
                    cancel.set(true);
                    lost.set(true);
                    connected.set(false);
                    polling.set(false);
                    let text = t(lang.get_untracked(), "reader.lost").to_string();
                    sigs.note(text.clone());
                    status.set(text);
                    if let Some(c) = conn.borrow_mut().take() {
                        spawn_local(async move {
                            let _ = c.close().await;
                        });
                    }
                }
            } else if lost.get_untracked()
                && let Some((old, line)) = last_port.get_value()
                && serial::same_port(&old, &port)
            {
                open_port(port, line, true);
            }
            refresh();
        });
    }

    let ble_connect = {
        let (ble, rx) = (ble.clone(), rx.clone());
        move |_| {
            let (ble, rx) = (ble.clone(), rx.clone());
            spawn_local(async move {
                let gone = move || {
                    if ble_connected.is_disposed() {
                        return;
                    }
                    if ble_connected.get_untracked() {
                        ble_connected.set(false);
                        let text = t(lang.get_untracked(), "reader.ble_lost").to_string();
                        sigs.note(text.clone());
                        status.set(text);
                    }
                };
                rx.borrow_mut().clear();
                match crate::ble::connect(rx, lang, gone).await {
                    Ok(p) => {
                        ble_label.set(p.label.clone());
                        status.set(p.label.clone());
                        *ble.borrow_mut() = Some(Rc::new(p));
                        ble_connected.set(true);
                    }
                    Err(e) => status.set(e),
                }
            });
        }
    };
    let ble_disconnect = {
        let ble = ble.clone();
        move |_| {
            if let Some(p) = ble.borrow_mut().take() {
                ble_connected.set(false);
                p.close();
            }
        }
    };

    let disconnect = {
        let conn = conn.clone();
        move |_| {
            let Some(c) = conn.borrow_mut().take() else { return };
            connected.set(false);
            lost.set(false);
            spawn_local(async move {
                if let Err(e) = c.close().await {
                    status.set(e);
                }
            });
        }
    };

    // Raw bytes typed by the user, over the serial port; replies land in the trace.
    let send = {
        let (conn, rx) = (conn.clone(), rx.clone());
        move |_| {
            let link = Link::Serial(conn.clone());
            let rx = rx.clone();
            let mut bytes = match parse_input(&tx_text.get_untracked()) {
                Ok(i) => i.bytes,
                Err(e) => return status.set(e.to_string()),
            };
            bytes.extend_from_slice(match tx_ending.get_untracked().as_str() {
                "cr" => b"\r",
                "lf" => b"\n",
                "crlf" => b"\r\n",
                _ => b"",
            });
            spawn_local(async move {
                match link.write(&bytes, &rx).await {
                    Ok(()) => trace
                        .update(|t| t.push(TraceEntry { tx: true, at_ms: now_ms(), bytes, note: None, warn: false })),
                    Err(e) => status.set(e),
                }
                // Collect whatever arrives in the next second.
                let until = now_ms() + 1000.0;
                while now_ms() < until {
                    let chunks: Vec<(f64, Vec<u8>)> = rx.borrow_mut().drain(..).collect();
                    for (at, b) in chunks {
                        trace.update(|t| push_rx(t, at, &b));
                    }
                    gloo_timers::future::sleep(Duration::from_millis(10)).await;
                }
            });
        }
    };

    let start = {
        let (conn, rx, cancel, demos, replay) =
            (conn.clone(), rx.clone(), cancel.clone(), demos.clone(), replay.clone());
        move |flow: Flow, poll: bool| {
            let lang_now = lang.get_untracked();
            let p = proto.get_untracked();
            // Setting a meter's clock writes to the meter: only after the user says so.
            if flow == Flow::Sync
                && p != Proto::Dlt645
                && !web_sys::window()
                    .and_then(|w| w.confirm_with_message(t(lang_now, "reader.set_clock_confirm")).ok())
                    .unwrap_or(false)
            {
                return;
            }
            let src = source.get_untracked();
            let iec_addr = iec_address.get_untracked();
            let params = Params {
                line: line_settings(),
                demo: src == "demo",
                selection: selection.get_untracked(),
                address: match p {
                    Proto::Iec => Some(iec_addr.trim().to_string()).filter(|a| !a.is_empty()),
                    Proto::Qgdw13761 => Some(terminal_address.get_untracked()),
                    _ => address.get_untracked(),
                },
                records: records_n.get_untracked().trim().parse().unwrap_or(3),
                client_address: client_address.get_untracked(),
                connect: connect_mode.get_untracked(),
                connect_password: connect_password.get_untracked(),
                dlms_client: dlms_client.get_untracked(),
                dlms_server: dlms_server.get_untracked(),
                dlms_physical: dlms_physical.get_untracked(),
                dlms_link: dlms_link.get_untracked(),
                dlms_auth: dlms_auth.get_untracked(),
                dlms_password: dlms_password.get_untracked(),
                dlms_cipher: dlms_cipher.get_untracked(),
                from: from.get_untracked(),
                to: to.get_untracked(),
                keys: st.keys.get_untracked(),
                iec_mode: iec_mode.get_untracked(),
                password: password.get_untracked(),
                settle: settle.get_untracked(),
                max_baud: max_baud.get_untracked(),
                add_nodes: add_nodes.get_untracked(),
                mbus_scan: mbus_scan.get_untracked(),
                quantities: picked_names.get_untracked(),
            };
            // A demo meter is loaded in the flow's task (its module may not be loaded yet).
            let link = match src.as_str() {
                "demo" => None,
                "replay" => Some(Link::Replay(replay.clone())),
                "ble" => {
                    if ble.borrow().is_none() {
                        return status.set(t(lang_now, "reader.ble_first").to_string());
                    }
                    Some(Link::Ble(ble.clone()))
                }
                _ => {
                    if conn.borrow().is_none() {
                        return status.set(t(lang_now, "reader.connect.first").to_string());
                    }
                    Some(Link::Serial(conn.clone()))
                }
            };
            let (rx, cancel_flag, demos) = (rx.clone(), cancel.clone(), demos.clone());
            cancel.set(false);
            busy.set(true);
            polling.set(poll);
            status.set(String::new());
            progress.set(String::new());
            sigs.steps.set((0, 0));
            sigs.echoes.set((0, 0));
            if flow == Flow::Quantities {
                sigs.dtu.set(None);
            }
            let every = poll_secs.get_untracked().trim().parse::<f64>().unwrap_or(5.0).clamp(1.0, 3600.0) * 1000.0;
            let mut params = params;
            spawn_local(async move {
                let (link, demo) = match link {
                    Some(link) => (link, None),
                    None => match demo_for(&demos, p, &params).await {
                        Ok(d) => (Link::Demo(d.clone()), Some(d)),
                        Err(e) => {
                            status.set(e);
                            busy.set(false);
                            polling.set(false);
                            return;
                        }
                    },
                };
                let cx = Ctx { lang: lang_now, sigs, link, rx, cancel: cancel_flag, demo };
                let failures = || results.with_untracked(|r| r.iter().filter(|x| x.error).count());
                let mut polls = 0usize;
                loop {
                    let began = now_ms();
                    let failed_before = if poll { 0 } else { failures() };
                    if poll {
                        results.set(Vec::new());
                        if !matches!(p, Proto::Iec | Proto::Qgdw13761) {
                            params.address = address.get_untracked();
                        }
                    }
                    let outcome = run_flow(p, flow, &params, &cx).await;
                    let ms = now_ms() - began;
                    // Unplugged: the flow was stopped; the readings taken stay.
                    if lost.get_untracked() {
                        status.set(t(lang_now, "reader.lost").to_string());
                        break;
                    }
                    if let Err(e) = outcome {
                        status.set(format!("{}: {e}", t(lang_now, "reader.failed")));
                        break;
                    }
                    if cx.cancel.get() {
                        status.set(format!("{} {ms:.0} ms", t(lang_now, "reader.cancelled")));
                        break;
                    }
                    polls += 1;
                    if poll {
                        let at = js_sys::Date::now();
                        let rows = results.get_untracked();
                        sigs.polls.update(|l| {
                            l.extend(rows.into_iter().map(|r| (at, r)));
                            if l.len() > POLL_ROWS {
                                l.drain(..l.len() - POLL_ROWS);
                            }
                        });
                    }
                    let failed = failures().saturating_sub(failed_before);
                    if status.get_untracked().is_empty() || poll || failed > 0 {
                        let done = format!("{} {ms:.0} ms", t(lang_now, "reader.done"));
                        status.set(match (failed, poll) {
                            (0, false) => done,
                            (0, true) => format!("{done} · {} {polls}", t(lang_now, "reader.poll_n")),
                            (n, _) => format!("{done} · {n} {}", t(lang_now, "reader.n_failed")),
                        });
                    }
                    // Stopping the poll lets the cycle under way finish; cancel stops at once.
                    let stopped = || cx.cancel.get() || !polling.get_untracked();
                    if !poll || stopped() {
                        break;
                    }
                    let until = began + every;
                    while now_ms() < until && !stopped() {
                        gloo_timers::future::sleep(Duration::from_millis(50)).await;
                    }
                    if stopped() {
                        break;
                    }
                }
                if poll && !cx.cancel.get() && !lost.get_untracked() && polls > 0 {
                    status.set(format!("{}: {polls}", t(lang_now, "reader.poll_stopped")));
                }
                busy.set(false);
                polling.set(false);
            });
        }
    };
    let start = Rc::new(start);
    let stop = {
        let cancel = cancel.clone();
        move |_| cancel.set(true)
    };
    let poll_toggle = {
        let start = start.clone();
        move |_| {
            if polling.get_untracked() {
                polling.set(false);
            } else if !busy.get_untracked() {
                start(Flow::Read, true);
            }
        }
    };
    let load_replay = {
        let replay = replay.clone();
        move |_| {
            let steps: Vec<(bool, Vec<u8>)> =
                trace.get_untracked().into_iter().filter(|e| e.note.is_none()).map(|e| (e.tx, e.bytes)).collect();
            let r = Replay::new(steps);
            replay_info.set(format!("{} {}", r.remaining(), t(lang.get_untracked(), "reader.replay_loaded")));
            *replay.borrow_mut() = r;
            source.set("replay".into());
        }
    };
    // A trace saved as JSON (from this page, another run or another machine) becomes the replay.
    let import_replay = {
        let replay = replay.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let replay = replay.clone();
            spawn_local(async move {
                let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(v) => v.as_string().unwrap_or_default(),
                    Err(_) => return replay_info.set(format!("{}: cannot read the file", file.name())),
                };
                match trace::from_json(&text) {
                    Ok(entries) => {
                        let steps =
                            entries.iter().filter(|e| e.note.is_none()).map(|e| (e.tx, e.bytes.clone())).collect();
                        let r = Replay::new(steps);
                        replay_info.set(format!(
                            "{} {} ({})",
                            r.remaining(),
                            t(lang.get_untracked(), "reader.replay_loaded"),
                            file.name()
                        ));
                        *replay.borrow_mut() = r;
                    }
                    Err(e) => replay_info.set(format!("{}: {e}", file.name())),
                }
            });
        }
    };

    let serial_note = match avail {
        Availability::Supported => None,
        Availability::InsecureContext => Some("reader.insecure"),
        Availability::Missing => Some("reader.unsupported"),
    };
    // One button per flow; a protocol shows its own (Send-free: built once).
    let flow_buttons = [
        Flow::Find,
        Flow::Read,
        Flow::Clock,
        Flow::Sync,
        Flow::Records,
        Flow::Monitor,
        Flow::Browse,
        Flow::Profile,
        Flow::Program,
        Flow::Live,
        Flow::Quantities,
    ]
    .map(|flow| {
        let start = start.clone();
        view! {
            <button data-testid=flow.testid() hidden=move || !proto.get().flows().contains(&flow)
                prop:disabled=move || busy.get() || (source.get() == "serial" && !connected.get())
                    || (source.get() == "ble" && !ble_connected.get())
                on:click=move |_| start(flow, false)>{move || t(lang.get(), flow.label(proto.get()))}</button>
        }
    })
    .into_iter()
    .collect_view();
    let text_input = |sig: RwSignal<String>, testid: &'static str, class: &'static str| {
        view! { <input data-testid=testid class=class spellcheck="false" prop:value=move || sig.get()
        on:input=move |ev| sig.set(event_target_value(&ev))/> }
    };

    view! {
        <section class="reader">
            {serial_note.map(|key| view! { <p class="unsupported" data-testid="serial-unsupported">{move || t(lang.get(), key)}</p> })}
            <div class="line">
                <label>{move || t(lang.get(), "reader.protocol")}" "
                    <select data-testid="reader-protocol" prop:value=move || proto.get().id()
                        on:change=move |ev| set_proto(Proto::from_id(&event_target_value(&ev)))>
                        {Proto::ALL.map(|p| view! { <option value=p.id()>{move || p.label(lang.get())}</option> }).collect_view()}
                    </select>
                </label>
                <label><input type="radio" name="source" value="demo" data-testid="source-demo" prop:checked=move || source.get() == "demo"
                    on:change=move |_| source.set("demo".into())/>{move || t(lang.get(), "reader.demo")}</label>
                {(avail == Availability::Supported).then(|| view! {
                    <label><input type="radio" name="source" value="serial" data-testid="source-serial" prop:checked=move || source.get() == "serial"
                        on:change=move |_| source.set("serial".into())/>{move || t(lang.get(), "reader.serial")}</label>
                })}
                {ble_avail.then(|| view! {
                    <label><input type="radio" name="source" value="ble" data-testid="source-ble" prop:checked=move || source.get() == "ble"
                        on:change=move |_| source.set("ble".into())/>{move || t(lang.get(), "reader.ble")}</label>
                })}
                <label><input type="radio" name="source" value="replay" data-testid="source-replay" prop:checked=move || source.get() == "replay"
                    on:change=move |_| source.set("replay".into())/>{move || t(lang.get(), "reader.replay")}</label>
                <button class="small" data-testid="port-help" node_ref=help_button aria-expanded=move || help.get().to_string()
                    aria-controls="port-help-dialog" on:click=move |_| {
                        help.update(|h| *h = !*h);
                        // The dialog takes focus once shown.
                        if help.get_untracked() {
                            request_animation_frame(move || if let Some(d) = help_dialog.get_untracked() { let _ = d.focus(); });
                        }
                    }>{move || t(lang.get(), "help.button")}</button>
            </div>
            <div class="help-dialog" role="dialog" id="port-help-dialog" aria-labelledby="port-help-title" tabindex="-1"
                data-testid="port-help-dialog" node_ref=help_dialog hidden=move || !help.get()
                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" {
                    ev.stop_propagation();
                    close_help();
                }>
                <h3 id="port-help-title">{move || t(lang.get(), "help.title")}</h3>
                <ul>
                    {["help.drivers", "help.dialout", "help.busy", "help.browser", "help.secure", "help.replug"]
                        .map(|k| view! { <li>{move || t(lang.get(), k)}</li> })}
                </ul>
                <button class="small" data-testid="port-help-close" on:click=move |_| close_help()>{move || t(lang.get(), "help.close")}</button>
            </div>
            <div class="line">
                <label>{move || t(lang.get(), "reader.preset")}" "
                    <select data-testid="preset" prop:value=preset_value
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(l) = proto.get_untracked().presets().iter().find(|l| l.to_string() == v) { apply_line(*l) }
                        }>
                        {move || proto.get().presets().iter().map(|l| { let s = l.to_string(); view! { <option value=s.clone()>{s.clone()}</option> } }).collect_view()}
                        <option value="custom">{move || t(lang.get(), "reader.custom")}</option>
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.baud")}" "
                    <select data-testid="baud" prop:value=move || baud.get() on:change=move |ev| baud.set(event_target_value(&ev))>
                        {options(&[("300", "300"), ("600", "600"), ("1200", "1200"), ("2400", "2400"), ("4800", "4800"), ("9600", "9600"), ("19200", "19200"), ("38400", "38400"), ("57600", "57600"), ("115200", "115200")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.data_bits")}" "
                    <select data-testid="data-bits" prop:value=move || data_bits.get() on:change=move |ev| data_bits.set(event_target_value(&ev))>
                        {options(&[("7", "7"), ("8", "8")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.parity")}" "
                    <select data-testid="parity" prop:value=move || parity.get() on:change=move |ev| parity.set(event_target_value(&ev))>
                        {options(&[("E", "E"), ("N", "N"), ("O", "O")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.stop_bits")}" "
                    <select data-testid="stop-bits" prop:value=move || stop_bits.get() on:change=move |ev| stop_bits.set(event_target_value(&ev))>
                        {options(&[("1", "1"), ("2", "2")])}
                    </select>
                </label>
            </div>
            {ble_avail.then(|| view! {
                <div class="line" hidden=move || source.get() != "ble">
                    <button data-testid="ble-connect" prop:disabled=move || ble_connected.get() on:click=ble_connect>{move || t(lang.get(), "reader.ble_connect")}</button>
                    <button data-testid="ble-disconnect" prop:disabled=move || !ble_connected.get() on:click=ble_disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                    <span class="status" data-testid="ble-status">{move || if ble_connected.get() { ble_label.get() } else { t(lang.get(), "reader.disconnected").to_string() }}</span>
                    <span class="hint">{move || t(lang.get(), "reader.ble_hint")}</span>
                </div>
            })}
            {(avail == Availability::Supported).then(|| view! {
                <p class="hint first-run" data-testid="first-run" hidden=move || source.get() != "serial" || connected.get()>
                    {move || t(lang.get(), "reader.first_run")}" "
                    <button class="small" data-testid="try-demo" on:click=move |_| source.set("demo".into())>{move || t(lang.get(), "reader.try_demo")}</button>
                </p>
                <div class="line" hidden=move || source.get() != "serial">
                    <button data-testid="connect" prop:disabled=move || connected.get() on:click=connect>{move || t(lang.get(), "reader.connect")}</button>
                    <button data-testid="disconnect" prop:disabled=move || !connected.get() on:click=disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                    <button data-testid="reconnect" hidden=move || !lost.get() || connected.get() on:click=reconnect>{move || t(lang.get(), "reader.reconnect")}</button>
                    <label><input type="checkbox" data-testid="dtr" prop:checked=move || dtr.get()
                        on:change=move |ev| { dtr.set(event_target_checked(&ev)); apply_dtr() }/>"DTR"</label>
                    <label><input type="checkbox" data-testid="rts" prop:checked=move || rts.get()
                        on:change=move |ev| { rts.set(event_target_checked(&ev)); apply_rts() }/>"RTS"</label>
                    <span class="status" data-testid="serial-status">
                        {move || if connected.get() { t(lang.get(), "reader.connected") } else if lost.get() { t(lang.get(), "reader.lost_short") } else { t(lang.get(), "reader.disconnected") }}
                    </span>
                </div>
                <div class="line ports" hidden=move || source.get() != "serial" || port_labels.get().is_empty()>
                    <span>{move || t(lang.get(), "reader.granted")}</span>
                    <ul data-testid="granted-ports">
                        {move || port_labels.get().into_iter().enumerate().map(|(i, label)| view! {
                            <li><span class="port">{label}</span>" "
                                <button class="small" data-testid="port-use" prop:disabled=move || connected.get() on:click=move |_| use_port(i)>{move || t(lang.get(), "reader.use_port")}</button>" "
                                <button class="small" data-testid="port-forget" prop:disabled=move || connected.get() on:click=move |_| forget_port(i)>{move || t(lang.get(), "reader.forget")}</button>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
                <div class="send" hidden=move || source.get() != "serial">
                    <input data-testid="tx-input" spellcheck="false" aria-label=move || t(lang.get(), "reader.tx_input") prop:value=move || tx_text.get() on:input=move |ev| tx_text.set(event_target_value(&ev))/>
                    <select data-testid="tx-ending" aria-label=move || t(lang.get(), "reader.tx_ending") prop:value=move || tx_ending.get()
                        on:change=move |ev| tx_ending.set(event_target_value(&ev))>
                        {options(&[("", "—"), ("cr", "+ CR"), ("lf", "+ LF"), ("crlf", "+ CR LF")])}
                    </select>
                    <button data-testid="send" prop:disabled=move || !connected.get() || busy.get() on:click=send>{move || t(lang.get(), "reader.send")}</button>
                </div>
            })}
            <div class="line" hidden=move || source.get() != "replay">
                <button data-testid="replay-load" on:click=load_replay>{move || t(lang.get(), "reader.replay_load")}</button>
                <label class="file-open">{move || t(lang.get(), "reader.replay_import")}
                    <input type="file" accept=".json,application/json" data-testid="replay-file" on:change=import_replay/>
                </label>
                <span class="status" data-testid="replay-info">{move || replay_info.get()}</span>
            </div>
            <div class="params">
                <label class="dis" hidden=move || proto.get().selection().1.is_empty()>{move || t(lang.get(), proto.get().selection().1)}
                    {text_input(selection, "dis", "")}
                </label>
                <div class="line" hidden=move || proto.get() != Proto::Dlt698>
                    <label>{move || t(lang.get(), "reader.records_n")}" "{text_input(records_n, "records-n", "num")}</label>
                    <label>{move || t(lang.get(), "reader.client_address")}" "{text_input(client_address, "client-address", "")}</label>
                    <label>{move || t(lang.get(), "reader.connect_mode")}" "
                        <select data-testid="connect-mode" prop:value=move || connect_mode.get() on:change=move |ev| connect_mode.set(event_target_value(&ev))>
                            <option value="auto">{move || t(lang.get(), "reader.connect_auto")}</option>
                            <option value="always">{move || t(lang.get(), "reader.connect_always")}</option>
                            <option value="never">{move || t(lang.get(), "reader.connect_never")}</option>
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.connect_password")}" "{text_input(connect_password, "connect-password", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{move || t(lang.get(), "reader.client")}" "{text_input(dlms_client, "dlms-client", "num")}</label>
                    <label>{move || t(lang.get(), "reader.server")}" "{text_input(dlms_server, "dlms-server", "num")}</label>
                    <label>{move || t(lang.get(), "reader.physical")}" "{text_input(dlms_physical, "dlms-physical", "num")}</label>
                    <label>{move || t(lang.get(), "reader.link")}" "
                        <select data-testid="dlms-link" prop:value=move || dlms_link.get() on:change=move |ev| dlms_link.set(event_target_value(&ev))>
                            <option value="hdlc">{move || t(lang.get(), "reader.link_hdlc")}</option>
                            <option value="wrapper">{move || t(lang.get(), "reader.link_wrapper")}</option>
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.auth")}" "
                        <select data-testid="dlms-auth" prop:value=move || dlms_auth.get() on:change=move |ev| {
                            let v = event_target_value(&ev);
                            // The demo meter's clients: 16 public (none), 1 with a password or HLS.
                            dlms_client.set(if v == "none" { "16".into() } else { "1".into() });
                            dlms_auth.set(v);
                        }>
                            <option value="none">{move || t(lang.get(), "reader.auth_none")}</option>
                            <option value="low">{move || t(lang.get(), "reader.auth_low")}</option>
                            <option value="high">{move || t(lang.get(), "reader.auth_high")}</option>
                        </select>
                    </label>
                    <label hidden=move || dlms_auth.get() != "low">{move || t(lang.get(), "reader.password")}" "{text_input(dlms_password, "dlms-password", "")}</label>
                    <label><input type="checkbox" data-testid="dlms-cipher" prop:checked=move || dlms_cipher.get()
                        on:change=move |ev| dlms_cipher.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.cipher")}</label>
                    <span class="hint">{move || t(lang.get(), "reader.keys_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{move || t(lang.get(), "reader.from")}" "{text_input(from, "profile-from", "")}</label>
                    <label>{move || t(lang.get(), "reader.to")}" "{text_input(to, "profile-to", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13762>
                    <label><input type="checkbox" data-testid="add-nodes" prop:checked=move || add_nodes.get()
                        on:change=move |ev| add_nodes.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.add_nodes")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Mbus>
                    <label>{move || t(lang.get(), "reader.mbus_scan")}" "{text_input(mbus_scan, "mbus-scan", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Wmbus>
                    <span class="hint" data-testid="wmbus-hint">{move || t(lang.get(), "reader.wmbus_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13761>
                    <label>{move || t(lang.get(), "reader.terminal")}" "{text_input(terminal_address, "terminal-address", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Iec>
                    <label>{move || t(lang.get(), "reader.mode")}" "
                        <select data-testid="iec-mode" prop:value=move || iec_mode.get() on:change=move |ev| iec_mode.set(event_target_value(&ev))>
                            {options(&[("A", "A"), ("B", "B"), ("C", "C"), ("E", "E (→ DLMS)")])}
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.iec_address")}" "{text_input(iec_address, "iec-address", "")}</label>
                    <label>{move || t(lang.get(), "reader.password")}" "{text_input(password, "iec-password", "")}</label>
                    <label>{move || t(lang.get(), "reader.settle")}" "{text_input(settle, "iec-settle", "num")}</label>
                    <label>{move || t(lang.get(), "reader.max_baud")}" "{text_input(max_baud, "iec-max-baud", "num")}</label>
                </div>
            </div>
            <fieldset class="quantities" data-testid="quantities" hidden=move || proto.get().family().is_none()>
                <legend>{move || t(lang.get(), "reader.quantities_pick")}</legend>
                {quantity::all().iter().map(|q| {
                    let name = q.name;
                    view! {
                        <label title=name hidden=move || !proto.get().family().is_some_and(|f| q.in_family(f))>
                            <input type="checkbox" data-testid=format!("quantity-{name}")
                                prop:checked=move || picked_names.with(|l| l.contains(&name))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked_names.update(|l| {
                                        l.retain(|n| *n != name);
                                        if on {
                                            l.push(name);
                                        }
                                    });
                                }/>
                            {move || q.title(lang.get())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="flows">
                {flow_buttons}
                <button data-testid="flow-cancel" prop:disabled=move || !busy.get() on:click=stop>{move || t(lang.get(), "reader.cancel")}</button>
                <span class="status" data-testid="flow-status">{move || busy.get().then_some("… ")}{move || status.get()}" "{move || progress.get()}
                    {move || {
                        let (done, total) = sigs.steps.get();
                        (total > 1).then(|| view! {
                            " "<progress data-testid="flow-progress" max=total value=done></progress>
                            <span data-testid="flow-count">{format!(" {done} / {total}")}</span>
                        })
                    }}
                    {move || {
                        let (n, b) = sigs.echoes.get();
                        (n > 0).then(|| format!(" · {}: {n} ({b} {})", t(lang.get(), "reader.echoes"), t(lang.get(), "bytes")))
                    }}
                </span>
            </div>
            <div class="flows poll" hidden=move || !proto.get().flows().contains(&Flow::Read)>
                <button data-testid="poll" class:active=move || polling.get() prop:disabled=move || busy.get() && !polling.get() on:click=poll_toggle>
                    {move || t(lang.get(), if polling.get() { "reader.poll_stop" } else { "reader.poll" })}
                </button>
                <label>{move || t(lang.get(), "reader.every")}" "
                    <input type="number" min="1" max="3600" step="1" data-testid="poll-seconds" class="num" prop:value=move || poll_secs.get()
                        on:input=move |ev| poll_secs.set(event_target_value(&ev))
                        on:change=move |ev| {
                            // 1 s to an hour: a faster poll only queues requests behind the meter's replies.
                            let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(5.0);
                            poll_secs.set(format!("{}", v.clamp(1.0, 3600.0).round()));
                        }/>" s"</label>
            </div>
            <p class="meter" data-testid="meter-address">{move || address.get().map(|a| format!("{}: {a}", t(lang.get(), "reader.meter")))}</p>
            <p class="telegram" data-testid="telegram" hidden=move || telegram.get().is_empty()>{move || telegram.get()}</p>
            <h2>{move || t(lang.get(), "reader.results")}
                " "<button class="small" data-testid="results-csv" on:click=move |_| crate::export::download("meterscope-readings.csv", "text/csv", &results_csv(&results.get_untracked()))>"CSV"</button>
                " "<button class="small" data-testid="results-json" on:click=move |_| crate::export::download("meterscope-readings.json", "application/json", &results_json(&results.get_untracked(), table.get_untracked().as_ref()))>"JSON"</button>
                " "<button class="small" data-testid="quantities-json" hidden=move || sigs.dtu.with(Option::is_none)
                    on:click=move |_| crate::export::download("meterscope-quantities.json", "application/json", &sigs.dtu.get_untracked().unwrap_or_default())>
                    {move || t(lang.get(), "reader.quantities_json")}</button>
                " "<button class="small" on:click=move |_| { results.set(Vec::new()); table.set(None); reports.set(Vec::new()); history.set(Vec::new()); sigs.polls.set(Vec::new()); sigs.dtu.set(None); }>{move || t(lang.get(), "reader.clear")}</button>
            </h2>
            <p class="polls" data-testid="polls" hidden=move || sigs.polls.with(Vec::is_empty)>
                {move || {
                    let (rows, times) = sigs.polls.with(|l| {
                        let mut times: Vec<u64> = l.iter().map(|(at, _)| *at as u64).collect();
                        times.dedup();
                        (l.len(), times.len())
                    });
                    format!("{}: {times} · {rows} {}", t(lang.get(), "reader.polls_kept"), t(lang.get(), "reader.readings"))
                }}
                " "<button class="small" data-testid="polls-csv" on:click=move |_| crate::export::download("meterscope-polls.csv", "text/csv", &sigs.polls.with_untracked(|l| polls_csv(l)))>"CSV"</button>
                " "<button class="small" data-testid="polls-json" on:click=move |_| crate::export::download("meterscope-polls.json", "application/json", &sigs.polls.with_untracked(|l| polls_json(l)))>"JSON"</button>
            </p>
            <table class="results" data-testid="results">
                {move || results.get().into_iter().map(|r| view! {
                    <tr class:error=r.error><td class="id">{r.id}</td><td>{r.name}</td><td class="value">{r.value}</td><td>{r.unit}</td></tr>
                }).collect_view()}
            </table>
            <chart::Chart history=history lang=lang/>
            {move || table.get().map(|tb| {
                let csv = table_csv(&tb);
                view! {
                    <h2>{tb.title.clone()}" "<button class="small" data-testid="table-csv" on:click=move |_| crate::export::download("meterscope-table.csv", "text/csv", &csv)>"CSV"</button></h2>
                    <table class="results records" data-testid="records">
                        <thead><tr>{tb.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>{tb.rows.iter().map(|row| view! { <tr>{row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                    </table>
                }
            })}
            <div hidden=move || reports.get().is_empty()>
                <h2>{move || t(lang.get(), "reader.reports")}</h2>
                <ol class="reports" data-testid="reports">
                    {move || reports.get().into_iter().map(|(at, text)| view! { <li><span class="ts">{format!("{at:.0} ms")}</span>" "{text}</li> }).collect_view()}
                </ol>
            </div>
            <h2>{move || t(lang.get(), "reader.trace")}" "<button class="small" on:click=move |_| trace.set(Vec::new())>{move || t(lang.get(), "reader.clear")}</button>
                " "<button class="small" data-testid="trace-text" on:click=move |_| crate::export::download("meterscope-trace.txt", "text/plain", &trace::text(&trace.get_untracked()))>{move || t(lang.get(), "reader.text")}</button>
                " "<button class="small" data-testid="trace-json" on:click=move |_| {
                    let json = trace::json(&trace.get_untracked(), proto.get_untracked().id(), &line_settings().to_string());
                    crate::export::download("meterscope-trace.json", "application/json", &json)
                }>"JSON"</button></h2>
            <div class="line trace-filter">
                <select data-testid="trace-dir" aria-label=move || t(lang.get(), "reader.trace_dir") prop:value=move || trace_dir.get() on:change=move |ev| trace_dir.set(event_target_value(&ev))>
                    <option value="all">{move || t(lang.get(), "reader.trace_all")}</option>
                    <option value="tx">{move || t(lang.get(), "reader.tx")}</option>
                    <option value="rx">{move || t(lang.get(), "reader.rx")}</option>
                    <option value="note">{move || t(lang.get(), "reader.trace_notes")}</option>
                </select>
                <input data-testid="trace-find" spellcheck="false" placeholder=move || t(lang.get(), "reader.trace_find")
                    prop:value=move || trace_find.get() on:input=move |ev| trace_find.set(event_target_value(&ev))/>
                <label><input type="checkbox" data-testid="trace-as-text" prop:checked=move || trace_as_text.get()
                    on:change=move |ev| trace_as_text.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.trace_as_text")}</label>
            </div>
            <ol class="trace" data-testid="trace">
                {move || {
                    let want = trace_dir.get();
                    let l = lang.get();
                    trace_as_text.track();
                    // Hex looked for without separators and case; the bytes as text, notes
                    // and summaries by their words (case ignored).
                    let raw = trace_find.get();
                    let find: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
                    let words = raw.trim().to_ascii_lowercase();
                    trace.get().into_iter().filter(|e| {
                        let dir = if e.note.is_some() { "note" } else if e.tx { "tx" } else { "rx" };
                        (want == "all" || want == dir)
                            && (find.is_empty()
                                || to_hex(&e.bytes).replace(' ', "").contains(&find)
                                || e.bytes.to_ascii_lowercase().windows(words.len().max(1)).any(|w| w == words.as_bytes())
                                || e.note.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains(&words))
                                || summary_of(e, l).to_ascii_lowercase().contains(&words))
                    }).collect::<Vec<_>>()
                }.into_iter().map(|e| {
                    let dir = if e.note.is_some() { "note" } else if e.tx { "tx" } else { "rx" };
                    let hex = to_hex(&e.bytes);
                    let hex2 = hex.clone();
                    let shown = if trace_as_text.get_untracked() { meterscope_core::to_text(&e.bytes) } else { hex };
                    let summary = summary_of(&e, lang.get_untracked());
                    view! {
                        <li class=format!("t {dir}{}", if e.warn { " warn" } else { "" })>
                            <span class="ts">{format!("{:.0} ms", e.at_ms)}</span>
                            <span class="dir">{move || t(lang.get(), if e.tx { "reader.tx" } else { "reader.rx" })}</span>
                            {(!summary.is_empty()).then(|| view! { <span class="sum" data-testid="trace-summary">{summary}</span> })}
                            <code class="bytes">{shown}</code>
                            {e.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                            {(!e.bytes.is_empty()).then(|| view! {
                                <button class="to-decoder" on:click=move |_| st.to_decoder.with_value(|f| f(hex2.clone()))>
                                    {move || t(lang.get(), "reader.decode")}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
