//! The reader page: a meter over Web Serial or the demo meter in the page,
//! the protocol's flows (find the meter, read a selection, read and sync the
//! clock), results with units, and the raw trace with each frame one click
//! away from the decoder.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use meterscope_core::protocols::dlt645::session::{Config, Dlt645Event, Dlt645Session, Failure, Notice};
use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::session::{DateTime, LineSettings, Millis, Parity};
use meterscope_core::{Lang, parse_input, to_hex};

use crate::app::{AppState, Tab};
use crate::i18n::t;
use crate::serial::{self, Availability, Connection};
use crate::transport::{Demo, LineEvent, Link, RxQueue, drive, now_ms, spawn_reader};

/// Received chunks closer together than this belong to one trace entry.
const GAP_MS: f64 = 40.0;

/// Identifiers read by default: energy, voltages, currents, power, frequency, address.
pub const DEFAULT_DIS: &str = "00010000 00020000 0201FF00 0202FF00 02030000 02060000 02800002 04000401";

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEntry {
    pub tx: bool,
    /// Milliseconds since the page loaded.
    pub at_ms: f64,
    pub bytes: Vec<u8>,
    pub note: Option<String>,
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
    trace.push(TraceEntry { tx: false, at_ms, bytes: bytes.to_vec(), note: None });
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

/// Identifiers from free text: 8 hex digits each (2007), separated by anything.
pub fn parse_dis(text: &str) -> Result<Vec<u32>, String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() == 8 {
                u32::from_str_radix(w, 16).map_err(|e| e.to_string())
            } else {
                Err(format!("'{w}' is not a data identifier (8 hex digits, DI3..DI0)"))
            }
        })
        .collect()
}

fn failure_text(f: &Failure, lang: Lang) -> String {
    match f {
        Failure::Timeout { attempts } => {
            format!("{} ({attempts})", lang.pick("no reply", "无应答"))
        }
        Failure::Abnormal { err, bits } => {
            format!("{} 0x{err:02X}: {}", lang.pick("abnormal reply", "异常应答"), bits.join(", "))
        }
        Failure::NoMeter => lang.pick("no meter address", "没有表地址").to_string(),
        Failure::TooManyFollowUps => lang.pick("too many follow-up frames", "后续帧过多").to_string(),
    }
}

fn notice_text(n: &Notice) -> String {
    match n {
        Notice::Echo => "echo of our request ignored".into(),
        Notice::ForeignRequest => "a request from another master ignored".into(),
        Notice::WrongAddress(a) => format!("reply from another meter ({}) ignored", a.digits()),
        Notice::Unexpected { control } => format!("unexpected reply (C = 0x{control:02X}) ignored"),
        Notice::Garbled(h) => format!("damaged frame dropped: {h}"),
        Notice::Junk(n) => format!("{n} byte(s) of noise dropped"),
        Notice::Incomplete(n) => format!("an unfinished frame of {n} byte(s) dropped"),
        Notice::Retry { attempt } => format!("retry, attempt {attempt}"),
    }
}

fn local_now() -> DateTime {
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

/// What a flow does once the session exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    FindMeter,
    Read,
    ReadClock,
    SyncClock,
}

/// Results as CSV (id, name, value, unit).
pub fn results_csv(rows: &[Reading]) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("id,name,value,unit\n");
    for r in rows {
        out.push_str(&format!("{},{},{},{}\n", q(&r.id), q(&r.name), q(&r.value), q(&r.unit)));
    }
    out
}

#[component]
pub fn ReaderPage() -> impl IntoView {
    let st = expect_context::<AppState>();
    let lang = st.lang;
    let avail = serial::availability();
    let source = RwSignal::new(String::from(if avail == Availability::Supported { "serial" } else { "demo" }));
    let baud = RwSignal::new(String::from("2400"));
    let parity = RwSignal::new(String::from("E"));
    let status = RwSignal::new(String::new());
    let connected = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let cancel = Rc::new(Cell::new(false));
    let trace: RwSignal<Vec<TraceEntry>> = RwSignal::new(Vec::new());
    let results: RwSignal<Vec<Reading>> = RwSignal::new(Vec::new());
    let address: RwSignal<Option<String>> = RwSignal::new(None);
    let dis_text = RwSignal::new(String::from(DEFAULT_DIS));
    let tx_text = RwSignal::new(String::from("68 AA AA AA AA AA AA 68 13 00 DF 16"));
    let conn: Rc<RefCell<Option<Rc<Connection>>>> = Rc::new(RefCell::new(None));
    let rx: RxQueue = Rc::new(RefCell::new(Default::default()));
    let demo: Rc<RefCell<Demo>> = Rc::new(RefCell::new(Demo::new(Box::new(Dlt645Meter::new(MeterConfig::default())))));

    let line_settings = move || LineSettings {
        baud: baud.get_untracked().trim().parse().unwrap_or(2400),
        data_bits: 8,
        parity: Parity::parse(&parity.get_untracked()).unwrap_or(Parity::Even),
        stop_bits: 1,
    };

    let connect = {
        let (conn, rx) = (conn.clone(), rx.clone());
        move |_| {
            let (conn, rx) = (conn.clone(), rx.clone());
            let line = line_settings();
            spawn_local(async move {
                let port = match serial::request_port().await {
                    Ok(p) => p,
                    Err(e) => return status.set(e),
                };
                match Connection::open(port, line).await {
                    Ok(c) => {
                        let c = Rc::new(c);
                        *conn.borrow_mut() = Some(c.clone());
                        spawn_reader(c, rx);
                        connected.set(true);
                        status.set(line.to_string());
                    }
                    Err(e) => status.set(e),
                }
            });
        }
    };

    let disconnect = {
        let conn = conn.clone();
        move |_| {
            let Some(c) = conn.borrow_mut().take() else { return };
            connected.set(false);
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
            let bytes = match parse_input(&tx_text.get_untracked()) {
                Ok(i) => i.bytes,
                Err(e) => return status.set(e.to_string()),
            };
            spawn_local(async move {
                match link.write(&bytes, &rx).await {
                    Ok(()) => trace.update(|t| t.push(TraceEntry { tx: true, at_ms: now_ms(), bytes, note: None })),
                    Err(e) => status.set(e),
                }
                // Collect whatever arrives in the next second.
                let until = now_ms() + 1000.0;
                while now_ms() < until {
                    let chunks: Vec<(f64, Vec<u8>)> = rx.borrow_mut().drain(..).collect();
                    for (at, b) in chunks {
                        trace.update(|t| push_rx(t, at, &b));
                    }
                    gloo_timers::future::sleep(std::time::Duration::from_millis(10)).await;
                }
            });
        }
    };

    let run = {
        let (conn, rx, demo, cancel) = (conn.clone(), rx.clone(), demo.clone(), cancel.clone());
        move |flow: Flow| {
            let link =
                if source.get_untracked() == "demo" { Link::Demo(demo.clone()) } else { Link::Serial(conn.clone()) };
            if let Link::Serial(c) = &link
                && c.borrow().is_none()
            {
                return status.set(t(lang.get_untracked(), "reader.connect.first").to_string());
            }
            let dis = match flow {
                Flow::Read => match parse_dis(&dis_text.get_untracked()) {
                    Ok(d) => d,
                    Err(e) => return status.set(e),
                },
                _ => Vec::new(),
            };
            let known = address.get_untracked().and_then(|a| Address::parse(&a));
            let lang_now = lang.get_untracked();
            let cfg = Config { variant: Variant::V2007, line: line_settings(), lang: lang_now, ..Config::default() };
            let mut session = Dlt645Session::new(cfg, known);
            let start = Millis(0);
            match flow {
                Flow::FindMeter => session.find_meter(start),
                Flow::Read => session.read(start, &dis),
                Flow::ReadClock => session.read_clock(start),
                Flow::SyncClock => session.sync_clock(start, local_now()),
            }
            let (rx, cancel) = (rx.clone(), cancel.clone());
            cancel.set(false);
            busy.set(true);
            status.set(String::new());
            spawn_local(async move {
                let began = now_ms();
                drive(
                    &mut session,
                    &link,
                    &rx,
                    |e| match e {
                        LineEvent::Tx(b) => {
                            trace.update(|t| t.push(TraceEntry { tx: true, at_ms: now_ms(), bytes: b, note: None }))
                        }
                        LineEvent::Rx(b) => trace.update(|t| push_rx(t, now_ms(), &b)),
                        LineEvent::Note(n) => trace.update(|t| {
                            t.push(TraceEntry { tx: false, at_ms: now_ms(), bytes: vec![], note: Some(n) })
                        }),
                    },
                    |e| match e {
                        Dlt645Event::MeterFound(a) => {
                            address.set(Some(a.digits()));
                            results.update(|r| {
                                r.push(Reading {
                                    id: "address".into(),
                                    name: t(lang_now, "reader.meter").into(),
                                    value: a.digits(),
                                    unit: String::new(),
                                    error: false,
                                })
                            });
                        }
                        Dlt645Event::Value { canonical, name, items, complete, .. } => results.update(|r| {
                            for it in items {
                                let label = if it.label == name || name.is_empty() {
                                    name.clone()
                                } else {
                                    format!("{name} · {}", it.label)
                                };
                                let value = if complete { it.value } else { format!("{} (incomplete)", it.value) };
                                r.push(Reading {
                                    id: canonical.clone(),
                                    name: label,
                                    value,
                                    unit: it.unit,
                                    error: false,
                                });
                            }
                        }),
                        Dlt645Event::Clock(c) => results.update(|r| {
                            r.push(Reading {
                                id: "clock".into(),
                                name: t(lang_now, "reader.clock").into(),
                                value: c.to_string(),
                                unit: String::new(),
                                error: false,
                            })
                        }),
                        Dlt645Event::TimeBroadcast(c) => status.set(format!("{} {c}", t(lang_now, "reader.synced"))),
                        Dlt645Event::Error { di, failure } => results.update(|r| {
                            r.push(Reading {
                                id: di.map(|d| format!("{d:08X}")).unwrap_or_default(),
                                name: String::new(),
                                value: failure_text(&failure, lang_now),
                                unit: String::new(),
                                error: true,
                            })
                        }),
                        Dlt645Event::Notice(n) => trace.update(|t| {
                            t.push(TraceEntry {
                                tx: false,
                                at_ms: now_ms(),
                                bytes: vec![],
                                note: Some(notice_text(&n)),
                            })
                        }),
                        Dlt645Event::Done => {}
                    },
                    || cancel.get(),
                )
                .await;
                busy.set(false);
                status.set(format!("{} {:.0} ms", t(lang_now, "reader.done"), now_ms() - began));
            });
        }
    };
    let run = Rc::new(run);
    let flow_button = {
        let run = run.clone();
        move |flow: Flow, key: &'static str, testid: &'static str| {
            let run = run.clone();
            view! {
                <button data-testid=testid prop:disabled=move || busy.get() || (source.get() == "serial" && !connected.get())
                    on:click=move |_| run(flow)>{move || t(lang.get(), key)}</button>
            }
        }
    };
    let stop = {
        let cancel = cancel.clone();
        move |_| cancel.set(true)
    };

    let serial_note = match avail {
        Availability::Supported => None,
        Availability::InsecureContext => Some("reader.insecure"),
        Availability::Missing => Some("reader.unsupported"),
    };

    view! {
        <section class="reader">
            {serial_note.map(|key| view! { <p class="unsupported" data-testid="serial-unsupported">{move || t(lang.get(), key)}</p> })}
            <div class="line">
                <label>{move || t(lang.get(), "reader.protocol")}" "<select data-testid="reader-protocol"><option value="dlt645">"DL/T 645-2007"</option></select></label>
                <label><input type="radio" name="source" value="demo" data-testid="source-demo" prop:checked=move || source.get() == "demo"
                    on:change=move |_| source.set("demo".into())/>{move || t(lang.get(), "reader.demo")}</label>
                {(avail == Availability::Supported).then(|| view! {
                    <label><input type="radio" name="source" value="serial" data-testid="source-serial" prop:checked=move || source.get() == "serial"
                        on:change=move |_| source.set("serial".into())/>{move || t(lang.get(), "reader.serial")}</label>
                })}
            </div>
            {(avail == Availability::Supported).then(|| view! {
                <div class="line" hidden=move || source.get() != "serial">
                    <label>{move || t(lang.get(), "reader.baud")}" "
                        <select data-testid="baud" prop:value=move || baud.get() on:change=move |ev| baud.set(event_target_value(&ev))>
                            {["300", "1200", "2400", "4800", "9600", "19200", "38400", "115200"].map(|b| view! { <option value=b>{b}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.parity")}" "
                        <select data-testid="parity" prop:value=move || parity.get() on:change=move |ev| parity.set(event_target_value(&ev))>
                            <option value="E">"8E1"</option><option value="N">"8N1"</option><option value="O">"8O1"</option>
                        </select>
                    </label>
                    <button data-testid="connect" prop:disabled=move || connected.get() on:click=connect>{move || t(lang.get(), "reader.connect")}</button>
                    <button data-testid="disconnect" prop:disabled=move || !connected.get() on:click=disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                    <span class="status" data-testid="serial-status">
                        {move || if connected.get() { t(lang.get(), "reader.connected") } else { t(lang.get(), "reader.disconnected") }}
                    </span>
                </div>
                <div class="send" hidden=move || source.get() != "serial">
                    <input data-testid="tx-input" spellcheck="false" prop:value=move || tx_text.get() on:input=move |ev| tx_text.set(event_target_value(&ev))/>
                    <button data-testid="send" prop:disabled=move || !connected.get() || busy.get() on:click=send>{move || t(lang.get(), "reader.send")}</button>
                </div>
            })}
            <div class="flows">
                {flow_button(Flow::FindMeter, "reader.find", "flow-find")}
                {flow_button(Flow::Read, "reader.read", "flow-read")}
                {flow_button(Flow::ReadClock, "reader.read_clock", "flow-clock")}
                {flow_button(Flow::SyncClock, "reader.sync_clock", "flow-sync")}
                <button data-testid="flow-cancel" prop:disabled=move || !busy.get() on:click=stop>{move || t(lang.get(), "reader.cancel")}</button>
                <span class="status" data-testid="flow-status">{move || busy.get().then_some("…")}" "{move || status.get()}</span>
            </div>
            <label class="dis">{move || t(lang.get(), "reader.dis")}
                <input data-testid="dis" spellcheck="false" prop:value=move || dis_text.get() on:input=move |ev| dis_text.set(event_target_value(&ev))/>
            </label>
            <p class="meter" data-testid="meter-address">{move || address.get().map(|a| format!("{}: {a}", t(lang.get(), "reader.meter")))}</p>
            <h2>{move || t(lang.get(), "reader.results")}
                " "<button class="small" data-testid="results-csv" on:click=move |_| crate::export::download("meterscope-readings.csv", "text/csv", &results_csv(&results.get_untracked()))>"CSV"</button>
                " "<button class="small" on:click=move |_| results.set(Vec::new())>{move || t(lang.get(), "reader.clear")}</button>
            </h2>
            <table class="results" data-testid="results">
                {move || results.get().into_iter().map(|r| view! {
                    <tr class:error=r.error><td class="id">{r.id}</td><td>{r.name}</td><td class="value">{r.value}</td><td>{r.unit}</td></tr>
                }).collect_view()}
            </table>
            <h2>{move || t(lang.get(), "reader.trace")}" "<button class="small" on:click=move |_| trace.set(Vec::new())>{move || t(lang.get(), "reader.clear")}</button></h2>
            <ol class="trace" data-testid="trace">
                {move || trace.get().into_iter().map(|e| {
                    let dir = if e.note.is_some() { "note" } else if e.tx { "tx" } else { "rx" };
                    let hex = to_hex(&e.bytes);
                    let hex2 = hex.clone();
                    view! {
                        <li class=format!("t {dir}")>
                            <span class="ts">{format!("{:.0} ms", e.at_ms)}</span>
                            <span class="dir">{move || t(lang.get(), if e.tx { "reader.tx" } else { "reader.rx" })}</span>
                            <code class="bytes">{hex}</code>
                            {e.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                            {(!e.bytes.is_empty()).then(|| view! {
                                <button class="to-decoder" on:click=move |_| { st.input.set(hex2.clone()); st.tab.set(Tab::Decoder); }>
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
