//! The transport seam of the reader: sessions talk to a [`Link`] and never
//! know whether it is a Web Serial port or a simulated meter in the page.
//! [`drive`] runs any sans-IO session of the core over a link.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use meterscope_core::session::{Action, LineSettings, Millis, Session, SimulatedMeter};

use crate::serial::Connection;

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Received bytes waiting for the session, each with the time it arrives.
pub type RxQueue = Rc<RefCell<VecDeque<(f64, Vec<u8>)>>>;

/// A simulated meter running in the page, answering after the wire time.
pub struct Demo {
    meter: Box<dyn SimulatedMeter>,
    /// Page time of the meter's `now` = 0.
    epoch: f64,
}

impl Demo {
    pub fn new(meter: Box<dyn SimulatedMeter>) -> Self {
        Demo { meter, epoch: now_ms() }
    }
}

/// Where the bytes go.
#[derive(Clone)]
pub enum Link {
    Serial(Rc<RefCell<Option<Rc<Connection>>>>),
    Demo(Rc<RefCell<Demo>>),
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
            Link::Demo(d) => {
                let mut d = d.borrow_mut();
                let line = d.meter.line();
                let sent = now_ms() + line.wire_time(bytes.len()) as f64;
                let now = Millis((sent - d.epoch).max(0.0) as u64);
                d.meter.handle_input(now, bytes);
                let mut at = sent + 20.0;
                while let Some(reply) = d.meter.poll_transmit() {
                    at += line.wire_time(reply.len()) as f64;
                    rx.borrow_mut().push_back((at, reply));
                }
                Ok(())
            }
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
            Link::Demo(_) => Ok(()),
        }
    }
}

/// Read a serial connection into the queue until it closes; line errors are noted and reading goes on.
pub fn spawn_reader(conn: Rc<Connection>, rx: RxQueue) {
    leptos::task::spawn_local(async move {
        loop {
            match conn.read().await {
                Ok(Some(bytes)) => rx.borrow_mut().push_back((now_ms(), bytes)),
                Ok(None) => break,
                Err(e) => web_sys::console::warn_1(&format!("serial read: {e}").into()),
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
    mut line: impl FnMut(LineEvent),
    mut event: impl FnMut(S::Event),
    cancelled: impl Fn() -> bool,
) {
    let t0 = now_ms();
    let since = |t: f64| Millis((t - t0).max(0.0) as u64);
    loop {
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
                Action::SetDtrRts { dtr, rts } => line(LineEvent::Note(format!("DTR {dtr} RTS {rts}"))),
            }
        }
        while let Some(e) = session.poll_event() {
            event(e);
        }
        if cancelled() || (session.is_idle() && rx.borrow().is_empty()) {
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
