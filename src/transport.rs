//! The transport seam of the reader: sessions talk to a [`Link`] and never
//! know whether it is a Web Serial port, a simulated meter in the page (the
//! separate module of `crates/meterscope-sim`, loaded on first use) or a replay.
//! [`drive`] runs any sans-IO session of the core over a link.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use meterscope_core::session::{Action, LineSettings, Millis, Parity, Session};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::serial::Connection;

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Received bytes waiting for the session, each with the time it arrives.
pub type RxQueue = Rc<RefCell<VecDeque<(f64, Vec<u8>)>>>;

#[wasm_bindgen(inline_js = "export function load_sim(url) { \
    return import(new URL(url, document.baseURI).href).then(async (m) => { await m.default(); return m; }); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn load_sim(url: &str) -> Result<JsValue, JsValue>;

    /// A meter of the simulated-meter module (`crates/meterscope-sim`).
    pub type SimMeter;
    #[wasm_bindgen(method)]
    fn input(this: &SimMeter, now_ms: f64, bytes: &[u8]);
    #[wasm_bindgen(method)]
    fn transmit(this: &SimMeter) -> Option<Vec<u8>>;
    #[wasm_bindgen(method)]
    fn line(this: &SimMeter) -> Vec<u32>;
    #[wasm_bindgen(method, catch)]
    fn report(this: &SimMeter, now_ms: f64, record: bool) -> Result<(), JsValue>;
}

thread_local! {
    /// The simulated-meter module, loaded on first use.
    static SIM: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

fn js_text(e: JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// A simulated meter (the core's, from the module `sim/meterscope_sim.js`
/// loaded on first use), answering after the wire time.
pub struct Demo {
    meter: SimMeter,
    /// Page time of the meter's `now` = 0.
    epoch: f64,
}

impl Demo {
    /// A meter of `kind` (`dlt645`, `dlt698`, `dlms`, `iec62056` with its mode letter, `dsmr`).
    pub async fn load(kind: &str, option: Option<&str>) -> Result<Demo, String> {
        let module = match SIM.with(|s| s.borrow().clone()) {
            Some(m) => m,
            None => {
                let m = load_sim("sim/meterscope_sim.js").await.map_err(|e| format!("demo meters: {}", js_text(e)))?;
                SIM.with(|s| *s.borrow_mut() = Some(m.clone()));
                m
            }
        };
        let class: js_sys::Function =
            js_sys::Reflect::get(&module, &"Meter".into()).map_err(js_text)?.dyn_into().map_err(js_text)?;
        let option = option.map_or(JsValue::UNDEFINED, JsValue::from_str);
        let meter = js_sys::Reflect::construct(&class, &js_sys::Array::of2(&kind.into(), &option)).map_err(js_text)?;
        Ok(Demo { meter: meter.unchecked_into(), epoch: now_ms() })
    }

    /// The meter's time now.
    pub fn now(&self) -> Millis {
        Millis((now_ms() - self.epoch).max(0.0) as u64)
    }

    fn line(&self) -> LineSettings {
        let l = self.meter.line();
        let parity = match l.get(2) {
            Some(1) => Parity::Odd,
            Some(2) => Parity::Even,
            _ => Parity::None,
        };
        let get = |i: usize, d: u32| l.get(i).copied().unwrap_or(d);
        LineSettings::new(get(0, 9600), get(1, 8) as u8, parity, get(3, 1) as u8)
    }

    /// Queue whatever the meter has to send, each reply after its wire time
    /// on the line it goes out on, starting at `at`.
    fn drain(&mut self, mut at: f64, rx: &RxQueue) {
        loop {
            let line = self.line();
            let Some(reply) = self.meter.transmit() else { break };
            at += line.wire_time(reply.len()) as f64;
            rx.borrow_mut().push_back((at, reply));
        }
    }

    /// Tell the meter the time and collect what it sends unasked (P1
    /// telegrams, active reports).
    pub fn tick(&mut self, rx: &RxQueue) {
        if !rx.borrow().is_empty() {
            return;
        }
        let now = self.now();
        self.meter.input(now.0 as f64, &[]);
        self.drain(now_ms(), rx);
    }

    /// DL/T 698.45 meters: raise an active report (values, or an event record).
    pub fn report(&self, record: bool) -> Result<(), String> {
        self.meter.report(self.now().0 as f64, record).map_err(js_text)
    }
}

/// A recorded trace played back: each request is answered with the bytes
/// that followed it in the recording.
pub struct Replay {
    /// `(tx, bytes)` in recorded order.
    steps: Vec<(bool, Vec<u8>)>,
    pos: usize,
    /// Requests that differed from the recorded ones.
    pub mismatches: usize,
}

impl Replay {
    pub fn new(steps: Vec<(bool, Vec<u8>)>) -> Self {
        Replay { steps: steps.into_iter().filter(|(_, b)| !b.is_empty()).collect(), pos: 0, mismatches: 0 }
    }

    /// Recorded requests left.
    pub fn remaining(&self) -> usize {
        self.steps[self.pos.min(self.steps.len())..].iter().filter(|(tx, _)| *tx).count()
    }

    /// The replies to `request`: the RX entries after the recorded TX with the
    /// same bytes (else the next recorded TX), up to the TX after it.
    pub fn answer(&mut self, request: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        let rest = || self.steps.iter().enumerate().skip(self.pos).filter(|(_, (tx, _))| *tx);
        let same = rest().find(|(_, (_, b))| b == request).map(|(i, _)| i);
        let at = match same.or_else(|| rest().next().map(|(i, _)| i)) {
            Some(i) => i,
            None => return Err("the recording has no more requests".into()),
        };
        if same.is_none() {
            self.mismatches += 1;
        }
        let mut out = Vec::new();
        let mut i = at + 1;
        while i < self.steps.len() && !self.steps[i].0 {
            out.push(self.steps[i].1.clone());
            i += 1;
        }
        self.pos = i;
        Ok(out)
    }
}

/// Where the bytes go.
#[derive(Clone)]
pub enum Link {
    Serial(Rc<RefCell<Option<Rc<Connection>>>>),
    /// A BLE UART probe (Web Bluetooth); its notifications are queued as they come.
    Ble(crate::ble::BleSlot),
    Demo(Rc<RefCell<Demo>>),
    Replay(Rc<RefCell<Replay>>),
}

/// A line event for the trace.
#[derive(Clone, Debug, PartialEq)]
pub enum LineEvent {
    Tx(Vec<u8>),
    Rx(Vec<u8>),
    Note(String),
}

impl Link {
    /// Write bytes; a demo meter's answer is queued to arrive after its wire time.
    pub async fn write(&self, bytes: &[u8], rx: &RxQueue) -> Result<(), String> {
        match self {
            Link::Serial(c) => {
                let conn = c.borrow().clone().ok_or("the port is closed")?;
                conn.write(bytes).await
            }
            Link::Ble(b) => {
                let probe = b.borrow().clone().ok_or("the Bluetooth probe is not connected")?;
                probe.write(bytes).await
            }
            Link::Demo(d) => {
                let mut d = d.borrow_mut();
                let sent = now_ms() + d.line().wire_time(bytes.len()) as f64;
                d.meter.input((sent - d.epoch).max(0.0), bytes);
                d.drain(sent + 20.0, rx);
                Ok(())
            }
            Link::Replay(r) => {
                let replies = r.borrow_mut().answer(bytes)?;
                let mut at = now_ms() + 20.0;
                for reply in replies {
                    rx.borrow_mut().push_back((at, reply));
                    at += 50.0;
                }
                Ok(())
            }
        }
    }

    /// Let a demo meter send what it has unasked; nothing for other links.
    pub fn tick(&self, rx: &RxQueue) {
        if let Link::Demo(d) = self {
            d.borrow_mut().tick(rx);
        }
    }

    /// Set the DTR and RTS lines of a serial port (probes powered by them); nothing for other links.
    pub async fn set_signals(&self, dtr: bool, rts: bool) -> Result<(), String> {
        match self {
            Link::Serial(c) => {
                let conn = c.borrow().clone().ok_or("the port is closed")?;
                match conn.set_signals(dtr, rts).await? {
                    true => Ok(()),
                    false => Err("this browser cannot set DTR/RTS".into()),
                }
            }
            Link::Ble(_) | Link::Demo(_) | Link::Replay(_) => Ok(()),
        }
    }

    /// Close and open again at other settings (Web Serial cannot change an open port's rate).
    pub async fn reopen(&self, line: LineSettings, rx: &RxQueue) -> Result<(), String> {
        match self {
            Link::Serial(c) => {
                let old = c.borrow_mut().take().ok_or("the port is closed")?;
                old.close().await?;
                let conn = Rc::new(Connection::open(old.port(), line).await?);
                *c.borrow_mut() = Some(conn.clone());
                spawn_reader(conn, rx.clone());
                Ok(())
            }
            // The probe's optical side keeps the settings configured in the probe.
            Link::Ble(b) => Err(b.borrow().as_ref().map_or_else(String::new, |p| p.cannot_reopen(line))),
            Link::Demo(_) | Link::Replay(_) => Ok(()),
        }
    }
}

/// Read a serial connection into the queue until it closes; line errors are noted and reading goes on.
pub fn spawn_reader(conn: Rc<Connection>, rx: RxQueue) {
    leptos::task::spawn_local(async move {
        // Line errors (parity, framing, break, overrun) give a fresh stream and reading goes on;
        // a stream that keeps failing without data in between is a lost device.
        let mut failures = 0u32;
        loop {
            match conn.read().await {
                Ok(Some(bytes)) => {
                    failures = 0;
                    rx.borrow_mut().push_back((now_ms(), bytes));
                }
                Ok(None) => break,
                Err(e) => {
                    web_sys::console::warn_1(&format!("serial read: {e}").into());
                    failures += 1;
                    if failures >= 20 {
                        break;
                    }
                    gloo_timers::future::sleep(Duration::from_millis(10 * u64::from(failures))).await;
                }
            }
        }
    });
}

/// Run `session` over `link` until it is idle or `cancelled()` says stop.
/// Every byte on the line goes to `line`, every session event to `event`.
pub async fn drive<S: Session>(
    session: &mut S,
    link: &Link,
    rx: &RxQueue,
    line: impl FnMut(LineEvent),
    event: impl FnMut(S::Event),
    cancelled: impl Fn() -> bool,
) {
    drive_with(session, link, rx, line, event, cancelled, false).await
}

/// [`drive`], or with `keep_alive` a listener: it runs until cancelled even
/// when the session is idle (active reports, P1 telegrams), and a demo meter
/// is ticked so that it sends unasked.
pub async fn drive_with<S: Session>(
    session: &mut S,
    link: &Link,
    rx: &RxQueue,
    mut line: impl FnMut(LineEvent),
    mut event: impl FnMut(S::Event),
    cancelled: impl Fn() -> bool,
    keep_alive: bool,
) {
    let t0 = now_ms();
    let since = |t: f64| Millis((t - t0).max(0.0) as u64);
    loop {
        if keep_alive {
            link.tick(rx);
        }
        let now = now_ms();
        let ready: Vec<Vec<u8>> = {
            let mut q = rx.borrow_mut();
            let mut out = Vec::new();
            while q.front().is_some_and(|(at, _)| *at <= now) {
                if let Some((_, b)) = q.pop_front() {
                    out.push(b);
                }
            }
            out
        };
        for bytes in ready {
            line(LineEvent::Rx(bytes.clone()));
            session.handle_input(since(now), &bytes);
        }
        if session.poll_timeout().is_some_and(|d| d <= since(now)) {
            session.handle_timeout(since(now));
        }
        while let Some(action) = session.poll_action() {
            match action {
                Action::Transmit(bytes) => {
                    line(LineEvent::Tx(bytes.clone()));
                    if let Err(e) = link.write(&bytes, rx).await {
                        line(LineEvent::Note(e));
                    }
                }
                Action::Reopen(settings) => {
                    line(LineEvent::Note(format!("reopen at {settings}")));
                    if let Err(e) = link.reopen(settings, rx).await {
                        line(LineEvent::Note(e));
                    }
                }
                Action::Wait(ms) => gloo_timers::future::sleep(Duration::from_millis(ms.0)).await,
                Action::SetDtrRts { dtr, rts } => {
                    line(LineEvent::Note(format!("DTR {dtr} RTS {rts}")));
                    if let Err(e) = link.set_signals(dtr, rts).await {
                        line(LineEvent::Note(e));
                    }
                }
            }
        }
        while let Some(e) = session.poll_event() {
            event(e);
        }
        if cancelled() || (!keep_alive && session.is_idle() && rx.borrow().is_empty()) {
            break;
        }
        // Sleep until the next deadline or arrival, at most 10 ms.
        let mut wait = 10.0f64;
        if let Some(d) = session.poll_timeout() {
            wait = wait.min((d.0 as f64 + t0 - now_ms()).max(0.0));
        }
        if let Some((at, _)) = rx.borrow().front() {
            wait = wait.min((at - now_ms()).max(0.0));
        }
        gloo_timers::future::sleep(Duration::from_millis(wait.ceil() as u64)).await;
    }
}
