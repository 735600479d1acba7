//! The sans-IO vocabulary every client session and simulated meter shares.
//!
//! A session is a state machine in the style of quinn-proto and str0m: it
//! reads no clock and does no I/O. The transport that drives it (Web Serial in
//! the app, a native serial port or TCP in the CLI, a simulated meter in tests
//! and demos) feeds it bytes and timeouts and carries out what it asks for:
//!
//! ```text
//!   handle_input(now, bytes) ─┐                 ┌─► poll_action()  → Transmit / Reopen / SetDtrRts / Wait
//!   handle_timeout(now) ──────┼─► session ──────┼─► poll_timeout() → the next deadline
//!                             ┘                 └─► poll_event()   → readings, errors, Done
//! ```
//!
//! Time is [`Millis`], a monotonic millisecond count the caller supplies (any
//! origin; only differences matter). Line changes (another baud rate, parity)
//! are actions like a transmit, because Web Serial cannot change the rate of an
//! open port: the transport closes and reopens it.

use core::fmt;

mod kernel;
pub mod listen;
pub mod value;
pub mod words;

pub use value::{Item, Number, Value};

pub(crate) use kernel::{Core, Deadline, Kernel, Machine, Notices, Pending, Retry, kernel_in_k};

/// A point on the caller's monotonic clock, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// `self + ms`, saturating.
    pub const fn after(self, ms: u64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }
    /// Milliseconds from `earlier` to `self` (0 when `earlier` is later).
    pub const fn since(self, earlier: Millis) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

/// Parity of a serial character.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Parity {
    None,
    #[default]
    Even,
    Odd,
}

impl Parity {
    /// `N`, `E` or `O` as in `8E1`.
    pub const fn letter(self) -> char {
        match self {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        }
    }
    /// From `N`, `E`, `O` (or `none`, `even`, `odd`), any case.
    pub fn parse(text: &str) -> Option<Parity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "n" | "none" => Some(Parity::None),
            "e" | "even" => Some(Parity::Even),
            "o" | "odd" => Some(Parity::Odd),
            _ => None,
        }
    }
}

/// Serial line settings: `2400 8E1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LineSettings {
    pub baud: u32,
    pub data_bits: u8,
    pub parity: Parity,
    pub stop_bits: u8,
}

impl LineSettings {
    pub const fn new(baud: u32, data_bits: u8, parity: Parity, stop_bits: u8) -> Self {
        LineSettings { baud, data_bits, parity, stop_bits }
    }

    /// Bits on the wire per character: start, data, parity, stop.
    pub const fn bits_per_char(&self) -> u32 {
        let parity = match self.parity {
            Parity::None => 0,
            _ => 1,
        };
        1 + self.data_bits as u32 + parity + self.stop_bits as u32
    }

    /// Milliseconds `bytes` characters take on the wire, rounded up.
    pub const fn wire_time(&self, bytes: usize) -> u64 {
        let baud = if self.baud == 0 { 1 } else { self.baud as u64 };
        (bytes as u64 * self.bits_per_char() as u64 * 1000).div_ceil(baud)
    }
}

impl fmt::Display for LineSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{}{}", self.baud, self.data_bits, self.parity.letter(), self.stop_bits)
    }
}

/// How long a read took on the line, next to the time its bytes need at the
/// line's speed (bytes × bits per character / baud): the difference is the
/// meter's response times, turnarounds and any retry, never a wait of the
/// session's own. Times are the caller's [`Millis`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTime {
    pub line: LineSettings,
    /// The first byte of the first request left.
    pub started: Millis,
    /// The last byte of the last reply arrived.
    pub ended: Millis,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Frames transmitted (requests, acknowledgements, polls, repetitions).
    pub frames_sent: usize,
}

impl LineTime {
    /// Start counting at `now`.
    pub const fn start(line: LineSettings, now: Millis) -> Self {
        LineTime { line, started: now, ended: now, bytes_sent: 0, bytes_received: 0, frames_sent: 0 }
    }
    /// A frame of `n` bytes was handed to the transport.
    pub fn sent(&mut self, n: usize) {
        self.bytes_sent += n;
        self.frames_sent += 1;
    }
    /// `n` bytes arrived at `now`.
    pub fn received(&mut self, now: Millis, n: usize) {
        self.bytes_received += n;
        self.ended = self.ended.max(now);
    }
    /// Milliseconds from the first byte out to the last byte in.
    pub const fn line_ms(&self) -> u64 {
        self.ended.since(self.started)
    }
    /// Milliseconds every byte of both directions takes at the line's speed.
    pub const fn wire_ms(&self) -> u64 {
        self.line.wire_time(self.bytes_sent + self.bytes_received)
    }
    /// Line time beyond the wire time (meter response times, turnarounds, retries).
    pub const fn idle_ms(&self) -> u64 {
        self.line_ms().saturating_sub(self.wire_ms())
    }
}

impl fmt::Display for LineTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line time {} ms, wire time {} ms ({} bytes sent, {} received, {} frames sent, at {})",
            self.line_ms(),
            self.wire_ms(),
            self.bytes_sent,
            self.bytes_received,
            self.frames_sent,
            self.line
        )
    }
}

/// What a session asks its transport to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes to the line.
    Transmit(Vec<u8>),
    /// Close the port and open it again with these settings.
    Reopen(LineSettings),
    /// Set the modem control lines (some optical heads and RS-485 adapters use them).
    SetDtrRts { dtr: bool, rts: bool },
    /// Hold further actions back for this many milliseconds (a settle delay).
    Wait(Millis),
}

/// How a client session reads a frame it received: the family's dissector,
/// rendered in a language, with the user's keys (`None`: the bytes are no
/// frame of the family). Sessions take it as a function, so that a host
/// that already carries the decoder (the page) lends its own and the
/// session's module carries no second copy of it.
pub type Dissect = fn(&[u8], crate::Lang, &crate::Keys) -> Option<crate::view::Frame>;

/// The interface every client session offers its transport.
pub trait Session {
    /// What the session reports (readings, errors, progress).
    type Event;
    /// Bytes read from the line at `now`, in whatever pieces the transport got them.
    fn handle_input(&mut self, now: Millis, bytes: &[u8]);
    /// The clock reached a deadline given by [`Session::poll_timeout`].
    fn handle_timeout(&mut self, now: Millis);
    /// The next thing to do on the line.
    fn poll_action(&mut self) -> Option<Action>;
    /// When [`Session::handle_timeout`] is to be called next.
    fn poll_timeout(&self) -> Option<Millis>;
    /// The next event.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// No work queued or under way (every event may still not be polled).
    fn is_idle(&self) -> bool;
    /// Stop: queued work is forgotten (an exchange under way is finished
    /// first), a listen ends.
    fn cancel(&mut self);
}

/// A simulated meter: requests in, replies out, on the caller's clock.
pub trait SimulatedMeter {
    /// Bytes the meter receives at `now`.
    fn handle_input(&mut self, now: Millis, bytes: &[u8]);
    /// Bytes the meter sends.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// The line settings the meter now listens with (a baud change moves it).
    fn line(&self) -> LineSettings;
    /// When the device wants [`SimulatedMeter::handle_timeout`] called
    /// (a device that acts on its own clock, such as a communication module
    /// resending an unconfirmed report); most never do.
    fn poll_timeout(&self) -> Option<Millis> {
        None
    }
    /// The clock reached the deadline given by [`SimulatedMeter::poll_timeout`].
    fn handle_timeout(&mut self, _now: Millis) {}
}

/// The clock of a simulated device that only sends, on its own schedule (a
/// P1 port, an SML interface): it ignores what it receives, and each call
/// tells it the time. The first input starts the run, with a send due at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendClock {
    now: Option<Millis>,
    start: Millis,
    next: Millis,
}

impl SendClock {
    /// Input arrived at `now` (what it was does not matter): the first starts the run.
    pub fn input(&mut self, now: Millis) {
        if self.now.is_none() {
            self.start = now;
            self.next = now;
        }
        self.now = Some(now);
    }
    /// The clock reached `now` (the deadline given by [`SendClock::deadline`]).
    pub fn tick(&mut self, now: Millis) {
        self.now = Some(now);
    }
    /// When the run started.
    pub fn start(&self) -> Millis {
        self.start
    }
    /// The time now, when it has reached the next send; that send is then
    /// taken, and the one after it is due at `after(now)`.
    pub fn due(&mut self, after: impl FnOnce(Millis) -> Millis) -> Option<Millis> {
        let now = self.now.filter(|&now| now >= self.next)?;
        self.next = after(now);
        Some(now)
    }
    /// When the next send is due, once the run has started.
    pub fn deadline(&self) -> Option<Millis> {
        self.now.map(|_| self.next)
    }
}

/// A civil date and time (proleptic Gregorian, no time zone): what meters keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl DateTime {
    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Seconds since 1970-01-01 00:00:00 (the fields taken as UTC).
    pub fn to_unix(&self) -> i64 {
        let days = Self::days_from_civil(i64::from(self.year), i64::from(self.month), i64::from(self.day));
        days * 86_400 + i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second)
    }

    /// The date and time `secs` seconds after 1970-01-01 00:00:00.
    pub fn from_unix(secs: i64) -> DateTime {
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(0, 9999) as u16;
        DateTime { year, month, day, hour: (rem / 3600) as u8, minute: (rem / 60 % 60) as u8, second: (rem % 60) as u8 }
    }

    /// Day of the week, 0 = Sunday.
    pub fn weekday(&self) -> u8 {
        let days = Self::days_from_civil(i64::from(self.year), i64::from(self.month), i64::from(self.day));
        // 1970-01-01 was a Thursday.
        (days + 4).rem_euclid(7) as u8
    }

    /// The same instant `secs` seconds later.
    pub fn plus_seconds(&self, secs: i64) -> DateTime {
        DateTime::from_unix(self.to_unix() + secs)
    }

    /// Whether every field is in range (month 1–12, day within the month, …).
    pub fn is_valid(&self) -> bool {
        let leap = self.year.is_multiple_of(4) && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400));
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day) && self.hour < 24 && self.minute < 60 && self.second < 60
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Where a session takes its challenges and random numbers from (the DLMS
/// HLS challenge, the DL/T 698.45 RN): the platform's cryptographic source
/// by default; fixed bytes only where a test or a reproducible example asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Random {
    /// The operating system's source, or `crypto.getRandomValues` in a browser.
    #[default]
    System,
    /// These bytes, repeated as far as needed. Never for talking to a real meter.
    Fixed(Vec<u8>),
}

impl Random {
    /// `n` random bytes, or why there are none.
    pub fn bytes(&self, n: usize) -> Result<Vec<u8>, String> {
        let mut out = vec![0; n];
        match self {
            Random::System => {
                getrandom::fill(&mut out).map_err(|e| format!("no cryptographic random source: {e}"))?;
            }
            Random::Fixed(b) if b.is_empty() => return Err("empty fixed random bytes".into()),
            Random::Fixed(b) => out.iter_mut().zip(b.iter().cycle()).for_each(|(o, &x)| *o = x),
        }
        Ok(out)
    }
}

/// A small deterministic generator (SplitMix64) for simulators and test
/// harnesses: the same seed always gives the same sequence, on every target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    pub const fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo { lo } else { lo + self.next_u64() % (hi - lo + 1) }
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u8) -> bool {
        self.range(0, 99) < u64::from(percent)
    }
}

/// Received bytes waiting to be framed: sessions and simulated meters push
/// what arrives and take complete frames out, with the count of junk bytes
/// dropped before each. Wake-up bytes (`FE`) are dropped without counting as
/// junk. When a frame that never completes holds more than `limit` bytes, its
/// first byte is dropped as junk, so the buffer stays bounded (`usize::MAX`:
/// an unfinished frame waits however long it is). Bytes dropped while looking
/// for a frame leave the buffer at once, so noise costs time in proportion to
/// its length.
#[derive(Clone, Debug, Default)]
pub struct RxBuffer {
    bytes: Vec<u8>,
    junk: usize,
    limit: usize,
}

impl RxBuffer {
    pub fn new(limit: usize) -> Self {
        RxBuffer { bytes: Vec::new(), junk: 0, limit }
    }
    pub fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    /// Drop everything (a frame that stopped arriving); the junk count starts again.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.junk = 0;
    }
    /// The next complete frame found by `frame`, and the junk bytes dropped
    /// before it (`wake_up` bytes not counted).
    pub fn next_frame(&mut self, frame: impl Fn(&[u8]) -> crate::FrameStatus, wake_up: u8) -> Option<(Vec<u8>, usize)> {
        self.take(frame, Some(wake_up))
    }

    /// The next complete frame of a protocol without wake-up bytes: every
    /// byte dropped before it counts as junk.
    pub fn next(&mut self, frame: impl Fn(&[u8]) -> crate::FrameStatus) -> Option<(Vec<u8>, usize)> {
        self.take(frame, None)
    }

    /// The bytes waiting (a frame arriving, or bytes not yet looked at).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Junk bytes dropped since the last frame taken.
    pub fn junk(&self) -> usize {
        self.junk
    }

    fn take(&mut self, frame: impl Fn(&[u8]) -> crate::FrameStatus, wake_up: Option<u8>) -> Option<(Vec<u8>, usize)> {
        use crate::FrameStatus;
        // Bytes to drop from the front, applied once (no quadratic shifting).
        let mut skip = 0;
        let found = loop {
            let rest = &self.bytes[skip..];
            if rest.is_empty() {
                break None;
            }
            match frame(rest) {
                FrameStatus::NoMatch => {
                    if Some(rest[0]) != wake_up {
                        self.junk += 1;
                    }
                    skip += 1;
                }
                FrameStatus::Incomplete { .. } if rest.len() > self.limit => {
                    self.junk += 1;
                    skip += 1;
                }
                FrameStatus::Incomplete { .. } => break None,
                FrameStatus::Complete { preamble, len } => {
                    let f = rest[preamble..preamble + len].to_vec();
                    skip += preamble + len;
                    break Some((f, std::mem::take(&mut self.junk)));
                }
            }
        };
        self.bytes.drain(..skip);
        found
    }
}

/// A test bench shared by session tests: a session and a simulated meter on
/// a virtual clock (in the style of quinn-proto's `Pair`), joined by a serial
/// line model. Bytes take their wire time in both directions and arrive in
/// random pieces; each direction carries one byte at a time, so frames sent
/// back to back queue up; the meter answers after a response time drawn
/// from a range, summed in [`Pair::response_ms`] so tests can compare the
/// session's line time with wire time plus the meter's response times.
/// Each side has its line settings (the session's move with `Reopen`, the
/// meter's with [`SimulatedMeter::line`]): bytes sent at one and received at
/// another arrive garbled, so a baud switch at the wrong moment loses a
/// reply. Line faults ([`Faults`]: lost frames, echo, noise, changed bytes,
/// trickling replies) and two hooks ([`Pair::on_request`], [`Pair::rewrite`])
/// give each family's tests the line they need; every frame is recorded
/// ([`Pair::trace`]) and every action ([`Pair::actions`]).
#[cfg(test)]
pub mod testing {
    use super::{Action, LineSettings, Millis, Rng, Session, SimulatedMeter};

    /// Line faults, counted from 0 in each direction.
    #[derive(Clone, Debug, Default)]
    pub struct Faults {
        /// Meter frames that never arrive.
        pub drop_replies: Vec<usize>,
        /// Session frames that never arrive.
        pub drop_requests: Vec<usize>,
        /// Every meter frame from this one on is lost.
        pub silence_from: Option<usize>,
        /// The session's frames come back to it (an optical head, a two-wire bus).
        pub echo: bool,
        /// A few random bytes on the line before every meter frame.
        pub noise: bool,
        /// Meter frames with one byte changed (bit 0 of the middle byte).
        pub corrupt: Vec<usize>,
        /// Meter frames trickle in three bytes at a time, this many ms apart.
        pub trickle: Option<u64>,
    }

    /// One frame on the line, as it was sent.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Sent {
        /// When its first byte left.
        pub at: Millis,
        /// Sent by the meter (else by the session).
        pub from_meter: bool,
        /// Lost on the way.
        pub lost: bool,
        pub bytes: Vec<u8>,
    }

    /// Bytes on their way: arrival, to the session, bytes, the line they were sent at.
    type Piece = (Millis, bool, Vec<u8>, LineSettings);

    /// Called when the session sends a request: the meter, the time, the request's number.
    pub type OnRequest<M> = Box<dyn FnMut(&mut M, Millis, usize)>;
    /// What the line carries for meter frame `k`: the frames, in order.
    pub type Rewrite = Box<dyn FnMut(usize, Vec<u8>) -> Vec<Vec<u8>>>;

    pub struct Pair<S: Session, M: SimulatedMeter> {
        pub now: Millis,
        pub session: S,
        pub meter: M,
        /// The session's line now (the meter's at the start; moved by `Reopen`).
        pub line: LineSettings,
        pub rng: Rng,
        pub faults: Faults,
        /// The meter's response time range, ms (from the last byte of a request
        /// to the first byte of the reply).
        pub response: (u64, u64),
        /// Sum of the meter's response times so far.
        pub response_ms: u64,
        /// Frames sent by the session and by the meter so far.
        pub requests: usize,
        pub replies: usize,
        /// Every frame in the order sent (noise is not a frame).
        pub trace: Vec<Sent>,
        /// Every action of the session, in order.
        pub actions: Vec<Action>,
        pub events: Vec<S::Event>,
        /// Called with the meter when the session sends a request (a test
        /// raising an event on the meter at a given point of a flow).
        pub on_request: Option<OnRequest<M>>,
        /// What the line carries for each meter frame (by default the frame
        /// itself): a test may put a stranger's frame before it or change it.
        pub rewrite: Option<Rewrite>,
        /// The session's line from each instant on.
        lines: Vec<(Millis, LineSettings)>,
        /// When the session's next action may start (a wait holds it back).
        hold: Millis,
        /// When each direction is free again: to the meter, to the session.
        free: [Millis; 2],
        /// Pieces in flight.
        flight: Vec<Piece>,
    }

    impl<S: Session, M: SimulatedMeter> Pair<S, M> {
        pub fn new(seed: u64, session: S, meter: M, faults: Faults) -> Self {
            let line = meter.line();
            Pair {
                now: Millis(1_000),
                session,
                meter,
                line,
                rng: Rng::new(seed),
                faults,
                response: (10, 100),
                response_ms: 0,
                requests: 0,
                replies: 0,
                trace: Vec::new(),
                actions: Vec::new(),
                events: Vec::new(),
                on_request: None,
                rewrite: None,
                lines: vec![(Millis(0), line)],
                hold: Millis(0),
                free: [Millis(0); 2],
                flight: Vec::new(),
            }
        }

        /// The session's line at `t`.
        fn line_at(&self, t: Millis) -> LineSettings {
            self.lines.iter().rev().find(|(at, _)| *at <= t).map_or(self.line, |l| l.1)
        }

        /// Put `bytes` on the line from `at` (or when the direction is free),
        /// in random pieces, each arriving when its last byte has crossed.
        /// Returns when the last byte has crossed.
        fn send(&mut self, at: Millis, to_session: bool, bytes: &[u8], line: LineSettings, lost: bool) -> Millis {
            let dir = usize::from(to_session);
            let start = at.max(self.free[dir]);
            let trickle = self.faults.trickle.filter(|_| to_session);
            if lost {
                self.free[dir] = start.after(line.wire_time(bytes.len()));
                return self.free[dir];
            }
            let mut done = 0;
            let mut end = start;
            let mut pieces = 0;
            while done < bytes.len() {
                let n = if trickle.is_some() { 3 } else { self.rng.range(1, 40) as usize }.min(bytes.len() - done);
                done += n;
                end = start.after(line.wire_time(done) + trickle.unwrap_or(0) * pieces);
                pieces += 1;
                self.flight.push((end, to_session, bytes[done - n..done].to_vec(), line));
                if self.faults.echo && !to_session {
                    self.flight.push((end, true, bytes[done - n..done].to_vec(), line));
                }
            }
            self.free[dir] = end;
            end
        }

        /// One frame on the line, traced.
        fn frame(&mut self, at: Millis, to_session: bool, bytes: &[u8], line: LineSettings, lost: bool) -> Millis {
            let start = at.max(self.free[usize::from(to_session)]);
            self.trace.push(Sent { at: start, from_meter: to_session, lost, bytes: bytes.to_vec() });
            self.send(start, to_session, bytes, line, lost)
        }

        pub fn pump(&mut self) {
            let mut hold = self.hold.max(self.now);
            while let Some(a) = self.session.poll_action() {
                match &a {
                    Action::Transmit(bytes) => {
                        let lost = self.faults.drop_requests.contains(&self.requests);
                        if let Some(hook) = &mut self.on_request {
                            hook(&mut self.meter, self.now, self.requests);
                        }
                        self.requests += 1;
                        let line = self.line_at(hold);
                        self.frame(hold, false, bytes, line, lost);
                    }
                    Action::Wait(ms) => hold = hold.max(self.free[0]).after(ms.0),
                    Action::Reopen(line) => {
                        hold = hold.max(self.free[0]);
                        self.lines.push((hold, *line));
                        self.line = *line;
                    }
                    Action::SetDtrRts { .. } => {}
                }
                self.actions.push(a);
            }
            self.hold = hold;
            // Replies polled together go out back to back after one response time.
            let mut first = true;
            loop {
                let line = self.meter.line();
                let Some(reply) = self.meter.poll_transmit() else { break };
                let k = self.replies;
                self.replies += 1;
                let mut at = if first {
                    let r = self.rng.range(self.response.0, self.response.1);
                    let at = self.now.after(r).max(self.free[1]);
                    self.response_ms += at.since(self.now);
                    at
                } else {
                    self.now
                };
                first = false;
                let lost = self.faults.drop_replies.contains(&k) || self.faults.silence_from.is_some_and(|s| k >= s);
                let mut frames = match &mut self.rewrite {
                    Some(rewrite) if !lost => rewrite(k, reply),
                    _ => vec![reply],
                };
                if self.faults.corrupt.contains(&k) {
                    for f in &mut frames {
                        let i = f.len() / 2;
                        if let Some(b) = f.get_mut(i) {
                            *b ^= 0x01;
                        }
                    }
                }
                for f in frames {
                    if self.faults.noise && !lost {
                        let junk: Vec<u8> = (0..self.rng.range(1, 5)).map(|_| self.rng.range(0, 255) as u8).collect();
                        at = self.send(at, true, &junk, line, false).after(20);
                    }
                    self.frame(at, true, &f, line, lost);
                }
            }
            while let Some(e) = self.session.poll_event() {
                self.events.push(e);
            }
        }

        /// Run until the session has nothing left to do and the line is quiet.
        pub fn run(&mut self) {
            for _ in 0..1_000_000 {
                self.pump();
                if self.session.is_idle() && self.flight.is_empty() {
                    return;
                }
                let next_flight = self.flight.iter().map(|f| f.0).min();
                let next =
                    [next_flight, self.session.poll_timeout(), self.meter.poll_timeout()].into_iter().flatten().min();
                let Some(next) = next else { panic!("stuck: nothing in flight and no deadline") };
                self.now = self.now.max(next);
                self.flight.sort_by_key(|f| f.0);
                while self.flight.first().is_some_and(|f| f.0 <= self.now) {
                    let (at, to_session, bytes, line) = self.flight.remove(0);
                    if to_session {
                        let b = if self.line_at(at) == line { bytes } else { garble(&bytes) };
                        self.session.handle_input(self.now, &b);
                    } else {
                        let b = if self.meter.line() == line { bytes } else { garble(&bytes) };
                        self.meter.handle_input(self.now, &b);
                    }
                    self.pump();
                }
                if self.meter.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.meter.handle_timeout(self.now);
                    self.pump();
                }
                if self.session.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.session.handle_timeout(self.now);
                }
            }
            panic!("the session did not finish");
        }

        /// Frames sent by the meter (lost ones included).
        pub fn meter_frames(&self) -> impl Iterator<Item = &Sent> {
            self.trace.iter().filter(|s| s.from_meter)
        }

        /// Frames sent by the session (lost ones included).
        pub fn session_frames(&self) -> impl Iterator<Item = &Sent> {
            self.trace.iter().filter(|s| !s.from_meter)
        }

        /// The bytes of every frame the session sent.
        pub fn transmits(&self) -> Vec<Vec<u8>> {
            self.session_frames().map(|s| s.bytes.clone()).collect()
        }

        /// What `pick` takes from the session's events, in order (a test's
        /// readings, errors or notices: one kind of event each).
        pub fn events_where<'a, T>(&'a self, pick: impl FnMut(&'a S::Event) -> Option<T>) -> Vec<T> {
            self.events.iter().filter_map(pick).collect()
        }
    }

    /// Bytes sent at one line and received at another: nothing like what was sent.
    fn garble(bytes: &[u8]) -> Vec<u8> {
        bytes.iter().map(|b| (b ^ 0xA5) | 0x80).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_buffer_frames_counts_junk_and_stays_bounded() {
        // Frames are `AA len …`; `FE` is a wake-up byte.
        let framer = |b: &[u8]| match b {
            [0xAA, n, rest @ ..] if rest.len() >= *n as usize => {
                crate::FrameStatus::Complete { preamble: 0, len: 2 + *n as usize }
            }
            [0xAA, ..] => crate::FrameStatus::Incomplete { preamble: 0, needed: None },
            _ => crate::FrameStatus::NoMatch,
        };
        let mut rx = RxBuffer::new(8);
        rx.push(&[0x01, 0xFE, 0xFE, 0x02, 0xAA, 0x01]);
        assert_eq!(rx.next_frame(framer, 0xFE), None);
        rx.push(&[0x77, 0xAA, 0x00]);
        assert_eq!(rx.next_frame(framer, 0xFE), Some((vec![0xAA, 0x01, 0x77], 2)));
        assert_eq!(rx.next_frame(framer, 0xFE), Some((vec![0xAA, 0x00], 0)));
        assert!(rx.is_empty());
        // A frame that never completes is dropped byte by byte past the limit.
        rx.push(&[0xAA, 0xFF, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(rx.next_frame(framer, 0xFE), None);
        assert!(rx.len() <= 8);
        rx.clear();
        assert!(rx.is_empty());
    }

    #[test]
    fn civil_time_round_trips() {
        let t = DateTime { year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58 };
        assert!(t.is_valid());
        assert_eq!(DateTime::from_unix(t.to_unix()), t);
        assert_eq!(t.plus_seconds(2).to_string(), "2024-03-01 00:00:00");
        assert_eq!(DateTime::from_unix(0).to_string(), "1970-01-01 00:00:00");
        // 2016-08-21 was a Sunday, 2026-11-21 a Saturday.
        assert_eq!(DateTime { year: 2016, month: 8, day: 21, hour: 0, minute: 0, second: 0 }.weekday(), 0);
        assert_eq!(DateTime { year: 2026, month: 11, day: 21, hour: 0, minute: 0, second: 0 }.weekday(), 6);
        assert!(!DateTime { year: 2023, month: 2, day: 29, hour: 0, minute: 0, second: 0 }.is_valid());
    }

    #[test]
    fn line_settings() {
        let l = LineSettings::new(2400, 8, Parity::Even, 1);
        assert_eq!(l.to_string(), "2400 8E1");
        assert_eq!(l.bits_per_char(), 11);
        // 16 bytes of 11 bits at 2400 bit/s: 73.3 ms.
        assert_eq!(l.wire_time(16), 74);
        assert_eq!(Parity::parse("e"), Some(Parity::Even));
        assert_eq!(Millis(5).after(10).since(Millis(3)), 12);
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            let x = a.range(3, 9);
            assert_eq!(x, b.range(3, 9));
            assert!((3..=9).contains(&x));
        }
    }
}
