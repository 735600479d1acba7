//! How `meterscope read` and `meterscope simulate` reach a meter: a native
//! serial port, TCP (a client, or a server one client at a time) or a
//! simulated meter in process; the loop that drives a session over them and
//! the one that serves a simulated meter.
//!
//! The transports here are the only place with a clock and I/O; sessions and
//! meters get `Millis` counted from the start of the run.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use meterscope_core::session::{Action, LineSettings, Millis, Parity, Session, SimulatedMeter};

use crate::args::SimulateArgs;

/// Something bytes go out on and come back from.
pub trait Transport {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Read what is there, waiting at most `timeout`; 0 bytes when nothing came.
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize>;
    /// Close and open again with other line settings (nothing to do where
    /// there is no serial line: TCP, a meter in process).
    fn reopen(&mut self, _line: LineSettings) -> io::Result<()> {
        Ok(())
    }
    /// Set the modem lines (nothing to do where there are none).
    fn set_dtr_rts(&mut self, _dtr: bool, _rts: bool) -> io::Result<()> {
        Ok(())
    }
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
}

/// Where `meterscope simulate` serves: a serial port or a TCP port, and how to say so.
fn serve_on(port: Option<&str>, tcp: Option<&str>, line: LineSettings) -> Result<(Box<dyn Transport>, String), String> {
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

/// A simulated meter in this process, on the same clock: what is written
/// reaches it at the next read, with the time of that read.
pub struct InProcess<M: SimulatedMeter> {
    meter: M,
    pending: Vec<u8>,
    /// What the meter sent and no read has taken yet.
    out: Vec<u8>,
    /// Tell the meter the time at every read, whether bytes came or not.
    tick: bool,
    /// Take the meter's replies one at a time, as a line would bring them.
    frame_by_frame: bool,
}

impl<M: SimulatedMeter> InProcess<M> {
    pub fn new(meter: M) -> Self {
        InProcess { meter, pending: Vec::new(), out: Vec::new(), tick: false, frame_by_frame: false }
    }

    /// Every read tells the meter the time, with no bytes when none came (a
    /// meter that sends on its own clock: a P1 port, a wireless M-Bus meter).
    pub fn ticking(mut self) -> Self {
        self.tick = true;
        self
    }

    /// A read brings one reply at most.
    pub fn frame_by_frame(mut self) -> Self {
        self.frame_by_frame = true;
        self
    }
}

impl<M: SimulatedMeter> Transport for InProcess<M> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize> {
        if self.tick || !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            self.meter.handle_input(now, &bytes);
        }
        if self.meter.poll_timeout().is_some_and(|t| t <= now) {
            self.meter.handle_timeout(now);
        }
        if !self.frame_by_frame {
            while let Some(reply) = self.meter.poll_transmit() {
                self.out.extend(reply);
            }
        } else if self.out.is_empty()
            && let Some(reply) = self.meter.poll_transmit()
        {
            self.out = reply;
        }
        // Longer replies (a readout, a telegram) come over several reads.
        let n = self.out.len().min(buf.len());
        buf[..n].copy_from_slice(&self.out[..n]);
        self.out.drain(..n);
        if n == 0 {
            std::thread::sleep(timeout.min(Duration::from_millis(5)));
        }
        Ok(n)
    }
}

/// Milliseconds since `start` as the session's clock.
pub fn millis(start: Instant) -> Millis {
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

/// How `meterscope simulate` serves a meter.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// How long a read of the port waits for bytes.
    pub read: Duration,
    /// Tell the meter the time after every read, whether bytes came or not
    /// (a meter that sends on its own clock).
    pub tick: bool,
    /// The meter's reaction time: the least time from the last byte received to a reply.
    pub reaction: Duration,
}

impl Pace {
    /// A meter that answers what it receives, at once.
    pub const ANSWER: Pace = Pace { read: Duration::from_millis(50), tick: false, reaction: Duration::ZERO };
}

/// Serve the simulated meter `make` builds (with the name the start message
/// gives it) on the serial port or TCP port `simulate` was given, for
/// `--seconds` or until stopped.
pub fn simulate<M: SimulatedMeter>(
    a: &SimulateArgs,
    line: LineSettings,
    pace: Pace,
    make: impl FnOnce() -> Result<(M, String), String>,
) -> Result<u8, String> {
    let (port, at) = serve_on(a.port.as_deref(), a.tcp.as_deref(), line)?;
    let (meter, name) = make()?;
    eprintln!("meterscope: {name} on {at}");
    serve(port, meter, line, a.seconds, pace)
}

/// Serve a simulated meter on `port` (opened with `line`): what comes in goes
/// to the meter with the time, what it sends goes out, and the port follows
/// the line the meter listens with (an optical port's baud switch).
fn serve<M: SimulatedMeter>(
    mut port: Box<dyn Transport>,
    mut meter: M,
    line: LineSettings,
    seconds: Option<u64>,
    pace: Pace,
) -> Result<u8, String> {
    let start = Instant::now();
    let err = |e: io::Error| format!("line error: {e}");
    let mut buf = [0u8; 512];
    let mut current = line;
    let mut last_rx = Instant::now();
    while seconds.is_none_or(|s| start.elapsed().as_secs() < s) {
        let n = port.read(&mut buf, pace.read, millis(start)).map_err(err)?;
        let now = millis(start);
        if n > 0 {
            last_rx = Instant::now();
        }
        if n > 0 || pace.tick {
            meter.handle_input(now, &buf[..n]);
        }
        if meter.poll_timeout().is_some_and(|t| t <= now) {
            meter.handle_timeout(now);
        }
        loop {
            // The line a reply goes out on is the one before it is taken.
            if meter.line() != current {
                current = meter.line();
                port.reopen(current).map_err(|e| format!("cannot change the line: {e}"))?;
            }
            let Some(reply) = meter.poll_transmit() else { break };
            let wait = pace.reaction.saturating_sub(last_rx.elapsed());
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
            port.write(&reply).map_err(err)?;
            last_rx = Instant::now();
        }
    }
    Ok(0)
}
