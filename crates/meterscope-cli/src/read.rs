//! `meterscope read` and `meterscope simulate`: the core's sans-IO sessions and
//! simulated meters over a native serial port, TCP or in process.
//!
//! The transports here are the only place with a clock and I/O; the session
//! gets `Millis` counted from the start of the run.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use meterscope_core::Lang;
use meterscope_core::protocols::dlt645::session::{Config, Dlt645Event, Dlt645Session, Failure, Notice};
use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{Action, DateTime, LineSettings, Millis, Parity, Session, SimulatedMeter};
use serde_json::{Value, json};

use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;

/// Something bytes go out on and come back from.
pub trait Transport {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Read what is there, waiting at most `timeout`; 0 bytes when nothing came.
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize>;
    /// Close and open again with other line settings.
    fn reopen(&mut self, line: LineSettings) -> io::Result<()>;
    fn set_dtr_rts(&mut self, dtr: bool, rts: bool) -> io::Result<()>;
}

/// A native serial port (no libudev: opened by path).
pub struct Serial {
    port: Box<dyn serialport::SerialPort>,
}

fn serial_parts(line: LineSettings) -> (serialport::DataBits, serialport::Parity, serialport::StopBits) {
    let parity = match line.parity {
        Parity::None => serialport::Parity::None,
        Parity::Even => serialport::Parity::Even,
        Parity::Odd => serialport::Parity::Odd,
    };
    let data_bits = match line.data_bits {
        5 => serialport::DataBits::Five,
        6 => serialport::DataBits::Six,
        7 => serialport::DataBits::Seven,
        _ => serialport::DataBits::Eight,
    };
    let stop_bits = if line.stop_bits == 2 { serialport::StopBits::Two } else { serialport::StopBits::One };
    (data_bits, parity, stop_bits)
}

fn serial_settings(path: &str, line: LineSettings) -> serialport::SerialPortBuilder {
    let (data_bits, parity, stop_bits) = serial_parts(line);
    serialport::new(path, line.baud)
        .data_bits(data_bits)
        .parity(parity)
        .stop_bits(stop_bits)
        .flow_control(serialport::FlowControl::None)
        .timeout(Duration::from_millis(50))
}

impl Serial {
    pub fn open(path: &str, line: LineSettings) -> Result<Serial, String> {
        let port = serial_settings(path, line).open().map_err(|e| format!("cannot open {path}: {e}"))?;
        Ok(Serial { port })
    }
}

impl Transport for Serial {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, _: Millis) -> io::Result<usize> {
        self.port.set_timeout(timeout.max(Duration::from_millis(1)))?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }
    fn reopen(&mut self, line: LineSettings) -> io::Result<()> {
        // A native port changes its settings in place (Web Serial must close and reopen).
        let (data_bits, parity, stop_bits) = serial_parts(line);
        self.port.set_baud_rate(line.baud)?;
        self.port.set_data_bits(data_bits)?;
        self.port.set_parity(parity)?;
        self.port.set_stop_bits(stop_bits)?;
        Ok(())
    }
    fn set_dtr_rts(&mut self, dtr: bool, rts: bool) -> io::Result<()> {
        self.port.write_data_terminal_ready(dtr)?;
        self.port.write_request_to_send(rts)?;
        Ok(())
    }
}

/// A TCP connection (a serial server or a meter with a network port).
pub struct Tcp(TcpStream);

impl Tcp {
    pub fn connect(addr: &str) -> Result<Tcp, String> {
        let s = TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        s.set_nodelay(true).ok();
        Ok(Tcp(s))
    }
}

impl Transport for Tcp {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, _: Millis) -> io::Result<usize> {
        self.0.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match self.0.read(buf) {
            Ok(0) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed")),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }
    fn reopen(&mut self, _: LineSettings) -> io::Result<()> {
        Ok(())
    }
    fn set_dtr_rts(&mut self, _: bool, _: bool) -> io::Result<()> {
        Ok(())
    }
}

/// A TCP port a simulated meter serves on: one client at a time; when it
/// leaves, the next one is accepted. The meter keeps its state across clients.
pub struct TcpServer {
    listener: std::net::TcpListener,
    client: Option<TcpStream>,
}

impl TcpServer {
    /// Listen on `PORT` (127.0.0.1) or `HOST:PORT`.
    pub fn bind(addr: &str) -> Result<TcpServer, String> {
        let addr = if addr.contains(':') { addr.to_string() } else { format!("127.0.0.1:{addr}") };
        let listener = std::net::TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        Ok(TcpServer { listener, client: None })
    }

    /// The address listened on (with the port the system chose for port 0).
    pub fn local_addr(&self) -> String {
        self.listener.local_addr().map_or_else(|e| e.to_string(), |a| a.to_string())
    }

    fn drop_client(&mut self, why: &str) {
        if let Some(c) = self.client.take() {
            let peer = c.peer_addr().map_or_else(|_| "?".to_string(), |a| a.to_string());
            eprintln!("meterscope: client {peer} {why}");
        }
    }
}

impl Transport for TcpServer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(c) = &mut self.client
            && c.write_all(bytes).is_err()
        {
            self.drop_client("gone");
        }
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, _: Millis) -> io::Result<usize> {
        let Some(c) = &mut self.client else {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    stream.set_nonblocking(false)?;
                    stream.set_nodelay(true).ok();
                    eprintln!("meterscope: client {peer} connected");
                    self.client = Some(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(timeout.min(Duration::from_millis(20)))
                }
                Err(e) => return Err(e),
            }
            return Ok(0);
        };
        c.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match c.read(buf) {
            Ok(0) => {
                self.drop_client("left");
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(_) => {
                self.drop_client("lost");
                Ok(0)
            }
        }
    }
    fn reopen(&mut self, _: LineSettings) -> io::Result<()> {
        Ok(())
    }
    fn set_dtr_rts(&mut self, _: bool, _: bool) -> io::Result<()> {
        Ok(())
    }
}

/// Where `meterscope simulate` serves: a serial port or a TCP port, and how to say so.
pub fn serve_on(
    port: Option<&str>,
    tcp: Option<&str>,
    line: LineSettings,
) -> Result<(Box<dyn Transport>, String), String> {
    match (port, tcp) {
        (Some(path), None) => Ok((Box::new(Serial::open(path, line)?), format!("{path} at {line}"))),
        (None, Some(addr)) => {
            let server = TcpServer::bind(addr)?;
            let at = format!("tcp {}", server.local_addr());
            Ok((Box::new(server), at))
        }
        _ => Err("give one of --port DEVICE or --tcp PORT".to_string()),
    }
}

/// The simulated meter in this process, on the same clock.
pub struct InProcess {
    meter: Dlt645Meter,
    pending: Vec<u8>,
}

impl InProcess {
    pub fn new(meter: Dlt645Meter) -> Self {
        InProcess { meter, pending: Vec::new() }
    }
}

impl Transport for InProcess {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            self.meter.handle_input(now, &bytes);
        }
        let mut n = 0;
        while let Some(reply) = self.meter.poll_transmit() {
            let take = reply.len().min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&reply[..take]);
            n += take;
        }
        if n == 0 {
            std::thread::sleep(timeout.min(Duration::from_millis(5)));
        }
        Ok(n)
    }
    fn reopen(&mut self, _: LineSettings) -> io::Result<()> {
        Ok(())
    }
    fn set_dtr_rts(&mut self, _: bool, _: bool) -> io::Result<()> {
        Ok(())
    }
}

/// Milliseconds since `start` as the session's clock.
/// How the trace names the line: `9600 8E1`, `tcp HOST:PORT`, `simulated meter`.
pub fn line_text(tcp: Option<&str>, simulate: bool, line: LineSettings) -> String {
    match (tcp, simulate) {
        (Some(addr), _) => format!("tcp {addr}"),
        (None, true) => format!("simulated meter, {line}"),
        (None, false) => line.to_string(),
    }
}

fn line_name(target: &Target, line: LineSettings) -> String {
    match target {
        Target::Tcp(addr) => line_text(Some(addr), false, line),
        Target::Simulate => line_text(None, true, line),
        Target::Port { .. } => line_text(None, false, line),
    }
}

fn millis(start: Instant) -> Millis {
    Millis(start.elapsed().as_millis() as u64)
}

/// Drive a session over a transport until it is idle; every event goes to `on_event`.
pub fn drive<S: Session>(
    session: &mut S,
    transport: &mut dyn Transport,
    start: Instant,
    mut on_event: impl FnMut(S::Event),
) -> io::Result<()> {
    let mut buf = [0u8; 512];
    loop {
        while let Some(action) = session.poll_action() {
            match action {
                Action::Transmit(bytes) => transport.write(&bytes)?,
                Action::Reopen(line) => transport.reopen(line)?,
                Action::SetDtrRts { dtr, rts } => transport.set_dtr_rts(dtr, rts)?,
                Action::Wait(ms) => std::thread::sleep(Duration::from_millis(ms.0)),
            }
        }
        while let Some(e) = session.poll_event() {
            on_event(e);
        }
        if session.is_idle() {
            return Ok(());
        }
        let now = millis(start);
        let wait = session.poll_timeout().map_or(100, |t| t.since(now)).clamp(1, 100);
        let n = transport.read(&mut buf, Duration::from_millis(wait), now)?;
        let now = millis(start);
        if n > 0 {
            session.handle_input(now, &buf[..n]);
        }
        if session.poll_timeout().is_some_and(|t| t <= now) {
            session.handle_timeout(now);
        }
    }
}

/// Where `read` talks to a meter.
pub enum Target {
    Port { path: String, line: LineSettings },
    Tcp(String),
    Simulate,
}

/// What `meterscope read` was asked to do.
pub struct ReadJob {
    pub variant: Variant,
    pub target: Target,
    pub address: Option<Address>,
    pub dis: Vec<u32>,
    pub clock: bool,
    pub sync_clock: bool,
    pub json: bool,
    pub verbose: bool,
    pub lang: Lang,
    pub timeout: u64,
    pub retries: u8,
    pub wake_up: usize,
    pub trace: crate::trace::TraceArgs,
    /// `--quantity`: named quantities, read instead of `dis` and reported by name.
    pub quantities: Vec<&'static Quantity>,
}

/// Parse identifiers of an edition: 8 hex digits (2007) or 4 (1997).
pub fn parse_dis(words: &[String], variant: Variant) -> Result<Vec<u32>, String> {
    let width = if variant == Variant::V2007 { 8 } else { 4 };
    words
        .iter()
        .map(|w| {
            let t = w.trim().trim_start_matches("0x").trim_start_matches("0X");
            if t.len() != width || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("'{w}' is not a data identifier of {width} hex digits"));
            }
            u32::from_str_radix(t, 16).map_err(|e| e.to_string())
        })
        .collect()
}

/// The system time as the meter's civil time (local time is the caller's
/// business: without a time zone database, UTC plus `offset_minutes`).
fn system_time(offset_minutes: i64) -> DateTime {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    DateTime::from_unix(secs + offset_minutes * 60)
}

fn failure_text(f: &Failure) -> String {
    match f {
        Failure::Timeout { attempts } => format!("no reply after {attempts} attempt(s)"),
        Failure::Abnormal { err, bits } => format!("abnormal reply, ERR 0x{err:02X}: {}", bits.join(", ")),
        Failure::NoMeter => "no meter address (finding the meter failed)".to_string(),
        Failure::TooManyFollowUps => "too many follow-up frames".to_string(),
    }
}

fn notice_text(n: &Notice) -> String {
    match n {
        Notice::Echo => "echo of our request ignored".into(),
        Notice::ForeignRequest => "a request we did not send, ignored".into(),
        Notice::WrongAddress(a) => format!("reply from another meter ({}) ignored", a.digits()),
        Notice::Unexpected { control } => format!("unexpected reply (C=0x{control:02X}) ignored"),
        Notice::Garbled(hex) => format!("damaged frame: {hex}"),
        Notice::Junk(n) => format!("{n} byte(s) of noise skipped"),
        Notice::Incomplete(n) => format!("{n} byte(s) of an unfinished frame dropped"),
        Notice::Retry { attempt } => format!("sending again (attempt {attempt})"),
    }
}

/// Run `meterscope read`; the exit code (0 all read, 1 some failed) or a message for exit code 2.
pub fn run_read(job: ReadJob) -> Result<u8, String> {
    let line = match &job.target {
        Target::Port { line, .. } => *line,
        _ => LineSettings::new(2400, 8, Parity::Even, 1),
    };
    let cfg = Config {
        variant: job.variant,
        line,
        wake_up: job.wake_up,
        reply_timeout: job.timeout,
        retries: job.retries,
        lang: job.lang,
        ..Config::default()
    };
    let inner: Box<dyn Transport> = match &job.target {
        Target::Port { path, line } => Box::new(Serial::open(path, *line)?),
        Target::Tcp(addr) => Box::new(Tcp::connect(addr)?),
        Target::Simulate => Box::new(InProcess::new(Dlt645Meter::new(MeterConfig::default()))),
    };
    let mut transport = Traced::new(inner, &job.trace, job.json, job.lang, "dlt645", line_name(&job.target, line));
    let start = Instant::now();
    let mut session = Dlt645Session::new(cfg, job.address);
    let now = millis(start);
    if job.address.is_none() {
        session.find_meter(now);
    }
    if job.sync_clock {
        session.sync_clock(now, system_time(0));
    }
    if job.clock {
        session.read_clock(now);
    }
    // Named quantities: their identifiers, each read once; every point of every quantity.
    let family = if job.variant == Variant::V2007 { Family::Dlt645 } else { Family::Dlt645v1997 };
    let mut collector = (!job.quantities.is_empty())
        .then(|| Collector::new(family, "dlt645", job.quantities.clone(), job.lang, job.json));
    let dis = collector.as_ref().map_or_else(|| job.dis.clone(), |c| c.reads().dlt645_dis());
    session.read(now, &dis);

    let mut failed = false;
    let mut values = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut meter: Option<String> = job.address.map(|a| a.digits());
    let mut clock: Option<String> = None;
    let (json_out, verbose) = (job.json, job.verbose);
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        Dlt645Event::MeterFound(a) => {
            if !json_out {
                println!("meter {}", a.digits());
            }
            meter = Some(a.digits());
        }
        Dlt645Event::Value { di, items, .. } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().take_dlt645(di, &items, &now_iso());
            }
        }
        Dlt645Event::Error { di, failure } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_dlt645(di, &failure_text(&failure));
            }
        }
        Dlt645Event::Value { canonical, name, data, items, frames, complete, .. } => {
            if !complete {
                failed = true;
            }
            if json_out {
                values.push(json!({
                    "di": canonical, "name": name, "data": meterscope_core::to_hex(&data),
                    "items": items, "frames": frames, "complete": complete,
                }));
                return;
            }
            let mark = if complete { "" } else { "  (incomplete)" };
            match items.as_slice() {
                [one] if one.label == name || name.is_empty() => {
                    let unit = if one.unit.is_empty() { String::new() } else { format!(" {}", one.unit) };
                    let text = one.text.as_ref().map(|t| format!("  ({t})")).unwrap_or_default();
                    println!("{canonical}  {name}: {}{unit}{text}{mark}", one.value);
                }
                _ => {
                    println!("{canonical}  {name}{mark}");
                    for i in &items {
                        let unit = if i.unit.is_empty() { String::new() } else { format!(" {}", i.unit) };
                        let text = i.text.as_ref().map(|t| format!("  ({t})")).unwrap_or_default();
                        println!("    {}: {}{unit}{text}", i.label, i.value);
                    }
                }
            }
        }
        Dlt645Event::Clock(t) => {
            if !json_out {
                println!("clock {t}");
            }
            clock = Some(t.to_string());
        }
        Dlt645Event::TimeBroadcast(t) => {
            if !json_out {
                println!("time broadcast {t}");
            }
        }
        Dlt645Event::Error { di, failure } => {
            failed = true;
            let di = di.map(|d| if job.variant == Variant::V2007 { format!("{d:08X}") } else { format!("{d:04X}") });
            if json_out {
                errors.push(json!({ "di": di, "error": failure_text(&failure) }));
            } else {
                println!("{}  error: {}", di.as_deref().unwrap_or("--------"), failure_text(&failure));
            }
        }
        Dlt645Event::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", notice_text(&n));
            }
        }
        Dlt645Event::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(c) = collector {
        return c.finish(meter);
    }
    if json_out {
        let out = json!({ "meter": meter, "clock": clock, "values": values, "errors": errors });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated meter on a serial port until the process is stopped
/// (or for `seconds` when given).
pub fn run_simulate(
    port: Option<&str>,
    tcp: Option<&str>,
    line: LineSettings,
    meter: MeterConfig,
    seconds: Option<u64>,
) -> Result<u8, String> {
    let (mut port, at) = serve_on(port, tcp, line)?;
    let mut meter = Dlt645Meter::new(meter);
    eprintln!("meterscope: simulated DL/T 645 meter {} on {at}", meter.address().digits());
    let start = Instant::now();
    let mut buf = [0u8; 512];
    let mut current = line;
    loop {
        if seconds.is_some_and(|s| start.elapsed().as_secs() >= s) {
            return Ok(0);
        }
        let now = millis(start);
        let n = port.read(&mut buf, Duration::from_millis(50), now).map_err(|e| format!("line error: {e}"))?;
        if n > 0 {
            meter.handle_input(millis(start), &buf[..n]);
        }
        while let Some(reply) = meter.poll_transmit() {
            port.write(&reply).map_err(|e| format!("line error: {e}"))?;
        }
        if meter.line() != current {
            current = meter.line();
            std::thread::sleep(Duration::from_millis(50));
            port.reopen(current).map_err(|e| format!("cannot change the line: {e}"))?;
        }
    }
}
