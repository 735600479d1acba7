//! The IEC 62056-21 client session (the hand-held unit, HHU), sans-IO.
//!
//! Flows (IEC 62056-21:2002, 6.4 and 6.5):
//!
//! - **readout, modes A, B and C**: the sign-on `/ ? address ! CR LF` at the
//!   initial line (300 Bd 7E1 by the standard), then the identification
//!   `/ XXX Z \W ident CR LF`. Mode A (any baud character other than `A`–`I`
//!   and `0`–`9`): the data message follows at the same rate. Mode B (`A`–`I`):
//!   both ends switch to the rate of Z without acknowledgement; the data
//!   message comes at the new rate. Mode C (`0`–`9`): the HHU sends the option
//!   select `ACK 0 Z 0 CR LF`, waits the settle time t2, and switches; the data
//!   message `STX … ! CR LF ETX BCC` comes at the new rate. The session
//!   follows the mode the identification announces (a notice says when it is
//!   not the configured one).
//! - **programming (mode C)**: `ACK 0 Z 1 CR LF`, the switch, the operand
//!   message `SOH P0 STX (seed) ETX BCC` from the meter, the password
//!   `SOH P1 STX (password) ETX BCC`; `ACK` admits, an error message or a
//!   break refuses. Then `SOH R1 STX address() ETX BCC` per register, each
//!   answered by a data message `STX address(value*unit) ETX BCC` or an error
//!   message `STX (text) ETX BCC`; finally the break `SOH B0 ETX BCC`.
//! - **mode D**: nothing is sent; the meter pushes its identification and data
//!   message at 2400 Bd 7E1 (push button); the session listens.
//! - **mode E**: the identification carries the enhanced capability `\2`
//!   (binary mode, HDLC); the HHU sends `ACK 2 Z 2 CR LF`, waits t2 and
//!   reopens the line at the rate of Z with 8N1. The session then ends with a
//!   [`IecEvent::HandOver`] that tells the caller to start the DLMS HDLC
//!   session on that line; it reads nothing after it.
//!
//! A baud switch is an output like a transmit: [`Action::Wait`] for t2 (the
//! settle time, 200–1500 ms, 300 ms by default; it must be shorter than the
//! meter's reaction time), then [`Action::Reopen`] with the new line. After a
//! readout or a break the meter returns to the initial rate, and so does the
//! session.
//!
//! Line faults handled here: our own transmission echoed back by an optical
//! head is removed byte by byte (held back only while it matches; a reply
//! that merely begins like our message is given back intact); noise is
//! skipped; a message whose bytes stop arriving is dropped after the
//! inter-character gap; no reply within the reply timeout is retried (a lost
//! sign-on is sent again; a failure after the baud switch goes back to the
//! initial rate, pauses and signs on again); a readout with a wrong BCC is
//! read again. Every reading is reported as soon as it is verified.

use std::collections::VecDeque;

use super::codec::{DataSet, Message, Value};
use super::data;
use super::dissect;
use super::frame::{self, ACK, CR, LF, NAK, SOH, STX};
use super::lines;
use crate::input::to_hex;
use crate::lang::Lang;
use crate::registry::FrameStatus;
use crate::session::{Action, LineSettings, Millis, Parity, Session};

/// Most bytes kept while a message is still arriving (a readout may be long).
const RX_LIMIT: usize = frame::MAX_TELEGRAM;
/// Longest sign-on or identification line.
const MAX_LINE: usize = 128;

/// Protocol mode (IEC 62056-21:2002, 6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Mode {
    /// 300 Bd throughout, no baud switch.
    A,
    /// Baud switch without acknowledgement.
    B,
    /// Baud switch after the option select; programming mode.
    C,
    /// The meter pushes its data at 2400 Bd.
    D,
    /// Option select into the binary mode (DLMS HDLC).
    E,
}

impl Mode {
    /// From `A`…`E`, any case.
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_uppercase().as_str() {
            "A" => Some(Mode::A),
            "B" => Some(Mode::B),
            "C" => Some(Mode::C),
            "D" => Some(Mode::D),
            "E" => Some(Mode::E),
            _ => None,
        }
    }
    pub fn letter(self) -> char {
        match self {
            Mode::A => 'A',
            Mode::B => 'B',
            Mode::C => 'C',
            Mode::D => 'D',
            Mode::E => 'E',
        }
    }
}

/// The line of the ASCII modes: 7 data bits, even parity, 1 stop bit.
pub const fn line_7e1(baud: u32) -> LineSettings {
    LineSettings::new(baud, 7, Parity::Even, 1)
}

/// The line of mode E after the switch: 8 data bits, no parity, 1 stop bit.
pub const fn line_8n1(baud: u32) -> LineSettings {
    LineSettings::new(baud, 8, Parity::None, 1)
}

/// Mode D's fixed line (2400 Bd 7E1).
pub const MODE_D_LINE: LineSettings = line_7e1(2400);

/// Baud rates of the mode C/E baud characters `0`–`6`.
const RATES_C: [u32; 7] = [300, 600, 1200, 2400, 4800, 9600, 19200];

/// The mode C/E baud character of a rate (`None` when the rate has none).
pub fn baud_char_c(rate: u32) -> Option<u8> {
    RATES_C.iter().position(|&r| r == rate).map(|i| b'0' + i as u8)
}

/// The mode B baud character of a rate.
pub fn baud_char_b(rate: u32) -> Option<u8> {
    RATES_C[1..].iter().position(|&r| r == rate).map(|i| b'A' + i as u8)
}

/// How the session talks to the meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The mode asked for: A, B or C for a readout (the identification
    /// decides in the end), D to listen, E to hand over to DLMS.
    pub mode: Mode,
    /// Device address of the sign-on (up to 32 characters; empty: any meter).
    pub address: String,
    /// The line the transport opens first (300 Bd 7E1 by the standard).
    pub initial: LineSettings,
    /// Settle time t2 before the baud switch, ms (clamped to 200–1500).
    pub settle: u64,
    /// How long to wait for the first byte of a reply after the request has
    /// left (and after the switch), ms.
    pub reply_timeout: u64,
    /// Longest silence between two characters of one message, ms.
    pub byte_gap: u64,
    /// Repetitions after the first attempt.
    pub retries: u8,
    /// Pause at the initial rate before signing on again after a failure, ms
    /// (the meter returns to its initial state after its own inactivity time).
    pub recovery: u64,
    /// Highest rate to switch to (mode C and E: the option select asks for
    /// less when the meter offers more).
    pub max_baud: Option<u32>,
    /// Mode D: how long to listen for a telegram before giving up, ms.
    pub listen_timeout: Option<u64>,
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::C,
            address: String::new(),
            initial: line_7e1(300),
            settle: 300,
            reply_timeout: 1500,
            byte_gap: 1500,
            retries: 2,
            recovery: 1500,
            max_baud: None,
            listen_timeout: None,
            lang: Lang::En,
        }
    }
}

impl Config {
    fn settle(&self) -> u64 {
        self.settle.clamp(200, 1500)
    }
}

/// The identification message, read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Identification {
    /// Three letters (`MSC`).
    pub manufacturer: String,
    /// The baud rate character Z.
    pub baud_char: char,
    /// The mode Z announces (A, B or C; C also stands for E).
    pub mode: Mode,
    /// The rate Z offers, when it names one.
    pub max_baud: Option<u32>,
    /// Enhanced capability `\2`: binary mode (HDLC) available.
    pub mode_e: bool,
    /// Third manufacturer letter in lower case: the meter reacts within 20 ms.
    pub fast_reaction: bool,
    /// The identification text after the baud character (and capabilities).
    pub ident: String,
}

impl Identification {
    fn from_message(m: &Message) -> Option<Identification> {
        let Message::Identification { manufacturer, baud, capabilities, ident } = m else { return None };
        let (mode, rate) = match dissect::baud(*baud) {
            ('B', r) => (Mode::B, r),
            ('C', r) => (Mode::C, r),
            (_, r) => (Mode::A, r),
        };
        Some(Identification {
            manufacturer: String::from_utf8_lossy(manufacturer).into_owned(),
            baud_char: char::from(*baud),
            mode,
            max_baud: rate,
            mode_e: capabilities.contains(&b'2'),
            fast_reaction: manufacturer[2].is_ascii_lowercase(),
            ident: ident.clone(),
        })
    }
}

/// One data set, with its identifier read as OBIS where it is one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reading {
    /// The address as written (`1.8.0`, `1-0:1.8.0`, `C.1.0`, `F.F`).
    pub address: String,
    /// Canonical OBIS code (`1-0:1.8.0*255`), when the address reads as one.
    pub obis: Option<String>,
    /// Name of the code in the session's language.
    pub name: Option<String>,
    /// Each `(value*unit)`.
    pub values: Vec<ReadingValue>,
}

/// One value of a reading.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadingValue {
    pub value: String,
    /// Empty when the value has none.
    pub unit: String,
    /// A human reading (a date-time, decoded text), when there is one.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub text: Option<String>,
}

impl Reading {
    /// A reading from an address and its values.
    pub fn new(address: &str, values: Vec<Value>, lang: Lang) -> Reading {
        let code = data::identifier(address);
        let obis = code.map(|(c, sub)| {
            let mut s = crate::obis::canonical(c);
            if let Some(n) = sub {
                s.push_str(&format!(",{n}"));
            }
            s
        });
        let name = code.and_then(|(c, _)| crate::obis::describe(c, lang));
        // DSMR (written `A-B:C.D.E`) hex-encodes identifiers and text messages; IEC readouts do not.
        let hex_text = address.contains(':') && code.is_some_and(|(c, _)| matches!((c[2], c[3]), (96, 1) | (96, 13)));
        let values = values
            .into_iter()
            .map(|v| {
                let text = data::timestamp(&v.value, lang)
                    .or_else(|| if hex_text { data::hex_text(&v.value).map(|t| format!("\"{t}\"")) } else { None });
                ReadingValue { value: v.value, unit: v.unit.unwrap_or_default(), text }
            })
            .collect();
        Reading { address: address.to_string(), obis, name, values }
    }

    /// The first value (most data sets hold one).
    pub fn value(&self) -> Option<&str> {
        self.values.first().map(|v| v.value.as_str())
    }
}

/// The data sets of the lines in `b[range]`, tolerant of LF-only line ends.
pub fn readings(b: &[u8], range: core::ops::Range<usize>, lang: Lang) -> Vec<Reading> {
    let mut out = Vec::new();
    for line in data::lines(b, range) {
        for set in &line.sets {
            if set.groups.is_empty() && set.address.is_empty() {
                continue;
            }
            let address = lines::text(b, set.address.clone());
            let values = set
                .groups
                .iter()
                .map(|g| Value {
                    value: lines::text(b, g.value.clone()),
                    unit: g.unit.clone().map(|u| lines::text(b, u)),
                })
                .collect();
            out.push(Reading::new(address.trim(), values, lang));
        }
    }
    out
}

/// The stage an exchange failed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Stage {
    SignOn,
    Readout,
    Operand,
    Password,
    Register,
    Listen,
}

/// Why a job failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No usable reply after every attempt.
    Timeout { stage: Stage, attempts: u8 },
    /// The meter refused the password (its error text, or `break`).
    WrongPassword(String),
    /// The meter cannot do what was asked (programming or mode E on a meter
    /// whose identification does not offer it).
    NotSupported(&'static str),
    /// The readout never arrived with a correct BCC.
    BadBcc,
}

/// Something on the line besides the expected replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Our own transmission came back (optical heads); removed.
    Echo,
    /// Bytes that are no message, skipped.
    Junk(usize),
    /// A message began but its bytes stopped arriving; dropped.
    Incomplete(usize),
    /// A block with a wrong BCC (stated, computed).
    BadBcc { stated: u8, computed: u8 },
    /// A message that does not fit the exchange under way (hex).
    Unexpected(String),
    /// The identification announces another mode than the configured one; followed.
    ModeMismatch { configured: Mode, announced: Mode },
    /// The meter asked for a repetition (NAK); sent again.
    RepeatRequest,
    /// A request is sent again, or the flow restarts (attempt number from 2).
    Retry { attempt: u8 },
}

/// What the IEC 62056-21 session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IecEvent {
    /// The identification message.
    Identified(Identification),
    /// The line moves to these settings (the [`Action::Reopen`] is queued).
    BaudSwitch(LineSettings),
    /// One data set of a readout or the answer to an R1 read.
    Reading(Reading),
    /// The readout ended: how many data sets it held and whether its BCC was right.
    ReadoutEnd {
        sets: usize,
        bcc_ok: bool,
    },
    /// The operand of the P0 message (a seed for the password, often empty).
    Operand(String),
    /// The password was accepted.
    LoggedIn,
    /// An R1 read answered with an error message.
    RegisterError {
        address: String,
        text: String,
    },
    /// Mode E: start the DLMS HDLC session on this line now.
    HandOver(LineSettings),
    /// A job failed.
    Error(Failure),
    Notice(Notice),
    /// Every queued job is finished.
    Done,
}

/// A unit of work: one sign-on each.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Job {
    Readout,
    Program { password: String, registers: Vec<String> },
    HandOver,
    Listen { telegrams: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    SignOn,
    Readout,
    Operand,
    Password,
    Register(usize),
    Listen,
}

impl State {
    fn stage(self) -> Stage {
        match self {
            State::SignOn => Stage::SignOn,
            State::Readout => Stage::Readout,
            State::Operand => Stage::Operand,
            State::Password => Stage::Password,
            State::Register(_) => Stage::Register,
            State::Listen => Stage::Listen,
        }
    }
}

#[derive(Clone, Debug)]
struct Current {
    job: Job,
    state: State,
    attempt: u8,
    /// When the reply must have begun (`None`: no limit).
    deadline: Option<Millis>,
    /// The last request, for repetition.
    request: Vec<u8>,
    /// Readouts still to receive (mode D).
    telegrams_left: usize,
}

/// What the framer found at the start of the received bytes.
enum Next {
    Complete(usize),
    Incomplete,
    Junk,
}

/// The IEC 62056-21 hand-held unit.
#[derive(Debug)]
pub struct Iec62056Session {
    cfg: Config,
    line: LineSettings,
    queue: VecDeque<Job>,
    current: Option<Current>,
    rx: Vec<u8>,
    last_rx: Millis,
    junk: usize,
    /// What an echo of our last transmission would be, and how much of it is held.
    echo: Vec<u8>,
    echo_held: usize,
    actions: VecDeque<Action>,
    events: VecDeque<IecEvent>,
    busy: bool,
}

impl Iec62056Session {
    pub fn new(cfg: Config) -> Self {
        let line = if cfg.mode == Mode::D { MODE_D_LINE } else { cfg.initial };
        Iec62056Session {
            cfg,
            line,
            queue: VecDeque::new(),
            current: None,
            rx: Vec::new(),
            last_rx: Millis(0),
            junk: 0,
            echo: Vec::new(),
            echo_held: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The line the session expects the port to be at now (open the port with
    /// this before the first action).
    pub fn line(&self) -> LineSettings {
        self.line
    }

    /// Queue a data readout (modes A, B, C).
    pub fn readout(&mut self, now: Millis) {
        self.enqueue(now, Job::Readout);
    }

    /// Queue programming mode: log in with `password`, read `registers` with R1, break.
    pub fn program(&mut self, now: Millis, password: &str, registers: &[String]) {
        self.enqueue(now, Job::Program { password: password.to_string(), registers: registers.to_vec() });
    }

    /// Queue the mode E hand-over to the DLMS HDLC session.
    pub fn hand_over(&mut self, now: Millis) {
        self.enqueue(now, Job::HandOver);
    }

    /// Listen for `telegrams` mode D pushes.
    pub fn listen(&mut self, now: Millis, telegrams: usize) {
        self.enqueue(now, Job::Listen { telegrams: telegrams.max(1) });
    }

    /// Forget queued jobs (the one under way is finished first).
    pub fn cancel(&mut self) {
        self.queue.clear();
    }

    fn enqueue(&mut self, now: Millis, job: Job) {
        self.queue.push_back(job);
        self.busy = true;
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.events.push_back(IecEvent::Notice(n));
    }

    fn advance(&mut self, now: Millis) {
        if self.current.is_some() {
            return;
        }
        match self.queue.pop_front() {
            Some(job) => self.start(now, job, 1),
            None => {
                if self.busy {
                    self.busy = false;
                    self.events.push_back(IecEvent::Done);
                }
            }
        }
    }

    fn start(&mut self, now: Millis, job: Job, attempt: u8) {
        self.rx.clear();
        self.junk = 0;
        if let Job::Listen { telegrams } = job {
            self.reopen(MODE_D_LINE);
            let deadline = self.cfg.listen_timeout.map(|t| now.after(t));
            self.current = Some(Current {
                job,
                state: State::Listen,
                attempt,
                deadline,
                request: Vec::new(),
                telegrams_left: telegrams,
            });
            return;
        }
        let initial = self.cfg.initial;
        let mut delay = 0;
        if self.line != initial {
            self.reopen(initial);
        }
        if attempt > 1 {
            // Let the meter fall back to its initial state before signing on again.
            self.actions.push_back(Action::Wait(Millis(self.cfg.recovery)));
            delay += self.cfg.recovery;
        }
        let request = Message::Request { address: self.cfg.address.clone() }.emit();
        let deadline = Some(self.deadline(now, &request, delay));
        self.transmit(&request);
        self.current = Some(Current { job, state: State::SignOn, attempt, deadline, request, telegrams_left: 1 });
    }

    /// When a reply to `bytes` must have begun, `extra` ms of waits included.
    fn deadline(&self, now: Millis, bytes: &[u8], extra: u64) -> Millis {
        now.after(self.line.wire_time(bytes.len()) + extra + self.cfg.reply_timeout)
    }

    fn transmit(&mut self, bytes: &[u8]) {
        // Echoes come back in order: a break's echo may precede the next sign-on's.
        if self.echo.len() + bytes.len() > MAX_LINE * 4 {
            self.echo.clear();
            self.echo_held = 0;
        }
        self.echo.extend_from_slice(bytes);
        self.actions.push_back(Action::Transmit(bytes.to_vec()));
    }

    fn reopen(&mut self, line: LineSettings) {
        if self.line != line {
            self.line = line;
            self.actions.push_back(Action::Reopen(line));
        }
    }

    /// Settle, then switch to `line` (announced as an event).
    fn switch(&mut self, line: LineSettings, settle: bool) {
        if self.line == line {
            return;
        }
        if settle {
            self.actions.push_back(Action::Wait(Millis(self.cfg.settle())));
        }
        self.reopen(line);
        self.events.push_back(IecEvent::BaudSwitch(line));
    }

    /// End the job under way; the line returns to the initial rate.
    fn finish(&mut self, now: Millis) {
        self.current = None;
        self.rx.clear();
        let back = self.cfg.initial;
        if self.line != back && self.line != MODE_D_LINE {
            self.reopen(back);
        }
        self.advance(now);
    }

    fn fail(&mut self, now: Millis, failure: Failure) {
        self.events.push_back(IecEvent::Error(failure));
        self.finish(now);
    }

    /// Send the break `SOH B0 ETX BCC` and end the job.
    fn break_off(&mut self, now: Millis) {
        let b0 = Message::Command { command: b'B', kind: b'0', data: None, partial: false }.emit();
        self.transmit(&b0);
        // Let the break leave at the programming rate before the line changes back.
        self.actions.push_back(Action::Wait(Millis(self.line.wire_time(b0.len()))));
        self.finish(now);
    }

    /// A timeout or a damaged reply: repeat, restart from the sign-on, or give up.
    fn retry(&mut self, now: Millis) {
        let Some(mut cur) = self.current.take() else { return };
        self.rx.clear();
        self.echo.clear();
        self.echo_held = 0;
        let exhausted = cur.attempt > self.cfg.retries;
        match cur.state {
            State::Listen => {
                self.current = Some(cur);
                self.fail(now, Failure::Timeout { stage: Stage::Listen, attempts: 1 });
            }
            State::Password | State::Register(_) if !exhausted => {
                // In programming mode the request itself is repeated.
                cur.attempt += 1;
                self.notice(Notice::Retry { attempt: cur.attempt });
                cur.deadline = Some(self.deadline(now, &cur.request, 0));
                let request = cur.request.clone();
                self.transmit(&request);
                self.current = Some(cur);
            }
            State::Password | State::Register(_) => {
                self.events
                    .push_back(IecEvent::Error(Failure::Timeout { stage: cur.state.stage(), attempts: cur.attempt }));
                self.current = Some(cur);
                self.break_off(now);
            }
            _ if !exhausted => {
                let attempt = cur.attempt + 1;
                self.notice(Notice::Retry { attempt });
                self.start(now, cur.job, attempt);
            }
            state => {
                self.current = Some(cur);
                self.fail(now, Failure::Timeout { stage: state.stage(), attempts: self.cfg.retries + 1 });
            }
        }
    }

    /// Delimit the message at the start of `rx`.
    fn next(&self) -> Next {
        let b = &self.rx;
        match b[0] {
            b'/' => match b.iter().take(MAX_LINE).position(|&c| c == LF) {
                Some(i) => Next::Complete(i + 1),
                None if b.len() < MAX_LINE && b[1..].iter().all(|&c| c == CR || (0x20..0x7F).contains(&c)) => {
                    Next::Incomplete
                }
                None => Next::Junk,
            },
            STX | SOH => match frame::kind(b) {
                Some((_, FrameStatus::Complete { len, .. })) => Next::Complete(len),
                Some((_, FrameStatus::Incomplete { .. })) if b.len() < RX_LIMIT => Next::Incomplete,
                _ => Next::Junk,
            },
            ACK => {
                // An option select (an echo that was not removed) or a lone ACK.
                let v = &b[1..b.len().min(4)];
                if !v.is_empty() && v.iter().all(u8::is_ascii_alphanumeric) {
                    return match frame::eol_at(b, 4) {
                        Some(e) => Next::Complete(e),
                        None if b.len() < 6 => Next::Incomplete,
                        None => Next::Complete(1),
                    };
                }
                Next::Complete(1)
            }
            NAK => Next::Complete(1),
            _ => Next::Junk,
        }
    }

    fn process_rx(&mut self, now: Millis) {
        while !self.rx.is_empty() {
            match self.next() {
                Next::Junk => {
                    self.junk += 1;
                    self.rx.remove(0);
                }
                Next::Incomplete => return,
                Next::Complete(len) => {
                    let msg: Vec<u8> = self.rx.drain(..len).collect();
                    if self.junk > 0 {
                        let n = std::mem::take(&mut self.junk);
                        self.notice(Notice::Junk(n));
                    }
                    self.on_message(now, &msg);
                }
            }
        }
        if self.junk > 0 {
            let n = std::mem::take(&mut self.junk);
            self.notice(Notice::Junk(n));
        }
    }

    fn on_message(&mut self, now: Millis, m: &[u8]) {
        // Requests and option selects only ever come from an HHU: our echo.
        if m.starts_with(b"/?") || (m[0] == ACK && m.len() > 1) {
            self.notice(Notice::Echo);
            return;
        }
        let Some(state) = self.current.as_ref().map(|c| c.state) else {
            self.notice(Notice::Unexpected(to_hex(m)));
            return;
        };
        if m[0] == SOH && self.current.as_ref().is_some_and(|c| c.request == m) {
            self.notice(Notice::Echo);
            return;
        }
        match (state, m[0]) {
            (State::SignOn | State::Listen, b'/') => self.on_identification(now, m),
            (State::Readout | State::Listen, STX) => self.on_readout(now, m),
            (State::Operand, SOH) => self.on_operand(now, m),
            (State::Password, _) => self.on_password_reply(now, m),
            (State::Register(i), STX) => self.on_register(now, i, m),
            (State::Register(_), NAK) => self.repeat(now),
            _ => self.notice(Notice::Unexpected(to_hex(m))),
        }
    }

    fn on_identification(&mut self, now: Millis, m: &[u8]) {
        let ident = Message::parse(m).ok().as_ref().and_then(Identification::from_message);
        let Some(ident) = ident else {
            self.notice(Notice::Unexpected(to_hex(m)));
            return;
        };
        self.events.push_back(IecEvent::Identified(ident.clone()));
        let Some(mut cur) = self.current.take() else { return };
        if cur.state == State::Listen {
            // Mode D: the data message follows on the same line.
            cur.deadline = cur.deadline.map(|_| now.after(self.cfg.reply_timeout.max(self.cfg.byte_gap)));
            self.current = Some(cur);
            return;
        }
        let wanted = match cur.job {
            Job::Readout => self.cfg.mode,
            Job::Program { .. } => Mode::C,
            Job::HandOver => Mode::E,
            Job::Listen { .. } => Mode::D,
        };
        let announced = ident.mode;
        if matches!(wanted, Mode::A | Mode::B | Mode::C) && announced != wanted && cur.job == Job::Readout {
            self.notice(Notice::ModeMismatch { configured: wanted, announced });
        }
        let rate = |cap: Option<u32>| {
            let offered = ident.max_baud.unwrap_or(300);
            let limit = cap.unwrap_or(u32::MAX);
            RATES_C.iter().copied().filter(|&r| r <= offered && r <= limit).max().unwrap_or(300)
        };
        let reply = self.cfg.reply_timeout;
        match (&cur.job, announced) {
            (Job::Readout, Mode::A) => {
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
            (Job::Readout, Mode::B) => {
                // Both ends switch at once; the meter's rate is not negotiable.
                let line = line_7e1(ident.max_baud.unwrap_or(300));
                self.switch(line, false);
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
            (Job::Readout | Job::Program { .. }, Mode::C) => {
                let r = rate(self.cfg.max_baud);
                let z = baud_char_c(r).unwrap_or(b'0');
                let program = matches!(cur.job, Job::Program { .. });
                let select = Message::OptionSelect { protocol: b'0', baud: z, mode: if program { b'1' } else { b'0' } };
                let bytes = select.emit();
                let deadline = self.deadline(now, &bytes, self.cfg.settle());
                self.transmit(&bytes);
                self.switch(line_7e1(r), true);
                cur.state = if program { State::Operand } else { State::Readout };
                cur.deadline = Some(deadline);
                cur.request = bytes;
            }
            (Job::HandOver, Mode::C) if ident.mode_e => {
                let r = rate(self.cfg.max_baud);
                let z = baud_char_c(r).unwrap_or(b'0');
                let bytes = Message::OptionSelect { protocol: b'2', baud: z, mode: b'2' }.emit();
                self.transmit(&bytes);
                // The meter's acknowledgement at the old rate is not waited for.
                let line = line_8n1(r);
                self.switch(line, true);
                self.events.push_back(IecEvent::HandOver(line));
                self.rx.clear();
                // The line now belongs to the HDLC session: no return to the initial rate.
                self.current = None;
                self.advance(now);
                return;
            }
            (Job::HandOver, _) => {
                self.current = Some(cur);
                self.fail(now, Failure::NotSupported("mode E (the identification offers no \\2)"));
                return;
            }
            (Job::Program { .. }, _) => {
                self.current = Some(cur);
                self.fail(now, Failure::NotSupported("programming mode (the meter is not in mode C)"));
                return;
            }
            (Job::Readout, _) | (Job::Listen { .. }, _) => {
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
        }
        self.current = Some(cur);
    }

    /// Check the BCC of a block; `(end, ok)` with `end` the index of ETX/EOT.
    fn block_bcc(&mut self, m: &[u8]) -> Option<(usize, bool)> {
        let end = m.len().checked_sub(2)?;
        let stated = m[end + 1];
        let computed = frame::bcc(&m[1..=end]);
        let ok = stated == computed || stated & 0x7F == frame::bcc7(&m[1..=end]);
        if !ok {
            self.notice(Notice::BadBcc { stated, computed });
        }
        Some((end, ok))
    }

    fn on_readout(&mut self, now: Millis, m: &[u8]) {
        let Some((end, ok)) = self.block_bcc(m) else { return };
        let Some(mut cur) = self.current.take() else { return };
        let exhausted = cur.attempt > self.cfg.retries;
        if !ok && !exhausted && cur.state != State::Listen {
            self.current = Some(cur);
            self.retry(now);
            return;
        }
        // The data lines end at `!` on a line of its own (a partial block ends at EOT).
        let bang = (1..end).find(|&i| m[i] == b'!' && (i == 1 || m[i - 1] == LF)).unwrap_or(end);
        let found = readings(m, 1..bang, self.cfg.lang);
        let sets = found.len();
        for r in found {
            self.events.push_back(IecEvent::Reading(r));
        }
        self.events.push_back(IecEvent::ReadoutEnd { sets, bcc_ok: ok });
        if cur.state == State::Listen {
            cur.telegrams_left = cur.telegrams_left.saturating_sub(1);
            if cur.telegrams_left > 0 {
                cur.deadline = self.cfg.listen_timeout.map(|t| now.after(t));
                self.current = Some(cur);
                return;
            }
        }
        self.current = Some(cur);
        if ok {
            self.finish(now);
        } else {
            self.fail(now, Failure::BadBcc);
        }
    }

    fn on_operand(&mut self, now: Millis, m: &[u8]) {
        let operand = match Message::parse(m) {
            Ok(Message::Command { command: b'P', kind: b'0', data, .. }) => {
                data.and_then(|d| d.values.first().map(|v| v.value.clone())).unwrap_or_default()
            }
            _ => {
                self.notice(Notice::Unexpected(to_hex(m)));
                return;
            }
        };
        self.events.push_back(IecEvent::Operand(operand));
        let Some(mut cur) = self.current.take() else { return };
        let Job::Program { password, .. } = &cur.job else { return };
        let p1 = Message::Command {
            command: b'P',
            kind: b'1',
            data: Some(DataSet { address: String::new(), values: vec![Value { value: password.clone(), unit: None }] }),
            partial: false,
        }
        .emit();
        cur.deadline = Some(self.deadline(now, &p1, 0));
        cur.state = State::Password;
        cur.attempt = 1;
        cur.request = p1.clone();
        self.transmit(&p1);
        self.current = Some(cur);
    }

    fn on_password_reply(&mut self, now: Millis, m: &[u8]) {
        match m[0] {
            ACK => {
                self.events.push_back(IecEvent::LoggedIn);
                self.next_register(now, 0);
            }
            NAK => self.repeat(now),
            STX | SOH => {
                let text = match Message::parse(m) {
                    Ok(Message::Error { text }) => text,
                    Ok(Message::Command { command: b'B', .. }) => "break".to_string(),
                    _ => {
                        self.notice(Notice::Unexpected(to_hex(m)));
                        return;
                    }
                };
                self.events.push_back(IecEvent::Error(Failure::WrongPassword(text)));
                self.break_off(now);
            }
            _ => self.notice(Notice::Unexpected(to_hex(m))),
        }
    }

    /// The meter asked for a repetition.
    fn repeat(&mut self, now: Millis) {
        let Some(mut cur) = self.current.take() else { return };
        self.notice(Notice::RepeatRequest);
        if cur.attempt > self.cfg.retries {
            let stage = cur.state.stage();
            self.current = Some(cur);
            self.events.push_back(IecEvent::Error(Failure::Timeout { stage, attempts: self.cfg.retries + 1 }));
            self.break_off(now);
            return;
        }
        cur.attempt += 1;
        cur.deadline = Some(self.deadline(now, &cur.request, 0));
        let request = cur.request.clone();
        self.transmit(&request);
        self.current = Some(cur);
    }

    /// Read register `i` with R1, or break when all are read.
    fn next_register(&mut self, now: Millis, i: usize) {
        let Some(mut cur) = self.current.take() else { return };
        let Job::Program { registers, .. } = &cur.job else { return };
        let Some(address) = registers.get(i) else {
            self.current = Some(cur);
            self.break_off(now);
            return;
        };
        let r1 = Message::Command {
            command: b'R',
            kind: b'1',
            data: Some(DataSet { address: address.clone(), values: vec![Value { value: String::new(), unit: None }] }),
            partial: false,
        }
        .emit();
        cur.state = State::Register(i);
        cur.attempt = 1;
        cur.deadline = Some(self.deadline(now, &r1, 0));
        cur.request = r1.clone();
        self.transmit(&r1);
        self.current = Some(cur);
    }

    fn on_register(&mut self, now: Millis, i: usize, m: &[u8]) {
        let Some((end, ok)) = self.block_bcc(m) else { return };
        if !ok {
            // Ask for the answer again.
            let nak = vec![NAK];
            self.transmit(&nak);
            if let Some(cur) = self.current.as_mut() {
                cur.deadline = Some(now.after(self.line.wire_time(1) + self.cfg.reply_timeout));
            }
            return;
        }
        let address = match &self.current.as_ref().map(|c| &c.job) {
            Some(Job::Program { registers, .. }) => registers.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let body = &m[1..end];
        let lone = body.first() == Some(&b'(') && body.last() == Some(&b')') && !body.contains(&CR);
        if lone && !body[1..body.len() - 1].contains(&b'(') {
            let text = String::from_utf8_lossy(&body[1..body.len() - 1]).into_owned();
            self.events.push_back(IecEvent::RegisterError { address, text });
        } else {
            let mut found = readings(m, 1..end, self.cfg.lang);
            // A meter may answer with the value alone: name it after the request.
            for r in &mut found {
                if r.address.is_empty() {
                    *r = Reading::new(
                        &address,
                        r.values
                            .iter()
                            .map(|v| Value {
                                value: v.value.clone(),
                                unit: (!v.unit.is_empty()).then(|| v.unit.clone()),
                            })
                            .collect(),
                        self.cfg.lang,
                    );
                }
            }
            for r in found {
                self.events.push_back(IecEvent::Reading(r));
            }
        }
        self.next_register(now, i + 1);
    }
}

impl Session for Iec62056Session {
    type Event = IecEvent;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.last_rx = now;
        for &b in bytes {
            if !self.echo.is_empty() {
                if self.echo[self.echo_held] == b {
                    self.echo_held += 1;
                    if self.echo_held == self.echo.len() {
                        self.echo.clear();
                        self.echo_held = 0;
                        self.notice(Notice::Echo);
                    }
                    continue;
                }
                // Not (or no longer) an echo: give back what was held.
                let held = self.echo_held;
                self.rx.extend_from_slice(&self.echo[..held]);
                self.echo.clear();
                self.echo_held = 0;
            }
            self.rx.push(b);
        }
        if self.current.is_none() {
            // Nothing expected (after a hand-over the line is the HDLC session's).
            self.rx.clear();
            return;
        }
        self.process_rx(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        let held = !self.rx.is_empty() || self.echo_held > 0;
        if held && now.since(self.last_rx) >= self.cfg.byte_gap {
            let n = self.rx.len() + self.echo_held;
            self.rx.clear();
            self.echo.clear();
            self.echo_held = 0;
            self.junk = 0;
            self.notice(Notice::Incomplete(n));
        }
        let due = self.current.as_ref().and_then(|c| c.deadline).is_some_and(|d| now >= d);
        if due && self.rx.is_empty() {
            self.retry(now);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        // While a message is arriving only the gap between characters counts.
        if !self.rx.is_empty() || self.echo_held > 0 {
            return Some(self.last_rx.after(self.cfg.byte_gap));
        }
        self.current.as_ref().and_then(|c| c.deadline)
    }

    fn poll_event(&mut self) -> Option<IecEvent> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }
}

/// In words, as the reader and the command line show it.
impl core::fmt::Display for Failure {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let f = self;
        let text: String = {
            match f {
                Failure::Timeout { stage, attempts } => format!("no reply ({stage:?}) after {attempts} attempt(s)"),
                Failure::WrongPassword(text) => format!("password refused ({text})"),
                Failure::NotSupported(what) => format!("not supported: {what}"),
                Failure::BadBcc => "the readout never arrived with a correct BCC".to_string(),
            }
        };
        out.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::iec62056::simulator::{MeterConfig, OpticalMeter};
    use crate::session::{Rng, SimulatedMeter};

    /// Line faults the harness injects.
    #[derive(Clone, Debug, Default)]
    struct Faults {
        /// Our transmissions come back to us (optical head).
        echo: bool,
        /// Random bytes before every meter reply.
        noise: bool,
        /// Meter replies (counted from 0) that never arrive.
        drop: Vec<usize>,
        /// Meter replies (counted from 0) with one byte changed.
        corrupt: Vec<usize>,
        /// Every meter reply from this one on is lost.
        silence_from: Option<usize>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum To {
        Session,
        Meter,
    }

    /// The session and the simulated meter on a virtual clock. Bytes take
    /// their wire time; bytes sent at one line and received at another arrive
    /// garbled, so a baud switch at the wrong moment loses the reply.
    struct Pair {
        now: Millis,
        session: Iec62056Session,
        meter: OpticalMeter,
        rng: Rng,
        faults: Faults,
        replies: usize,
        /// The session's line from each instant on.
        session_line: Vec<(Millis, LineSettings)>,
        /// When the session's next action may start (waits and transmits take time).
        ready: Millis,
        meter_ready: Millis,
        /// Bytes in flight: arrival, destination, bytes, line they were sent at.
        flight: Vec<(Millis, To, Vec<u8>, LineSettings)>,
        actions: Vec<Action>,
        events: Vec<IecEvent>,
    }

    fn garble(bytes: &[u8]) -> Vec<u8> {
        bytes.iter().map(|b| (b ^ 0xA5) | 0x80).collect()
    }

    impl Pair {
        fn new(seed: u64, cfg: Config, meter: MeterConfig, faults: Faults) -> Self {
            let session = Iec62056Session::new(cfg);
            let line = session.line();
            Pair {
                now: Millis(10_000),
                session,
                meter: OpticalMeter::new(meter),
                rng: Rng::new(seed),
                faults,
                replies: 0,
                session_line: vec![(Millis(0), line)],
                ready: Millis(0),
                meter_ready: Millis(0),
                flight: Vec::new(),
                actions: Vec::new(),
                events: Vec::new(),
            }
        }

        fn line_at(&self, t: Millis) -> LineSettings {
            self.session_line.iter().rev().find(|(at, _)| *at <= t).map(|l| l.1).unwrap_or(self.session_line[0].1)
        }

        /// Send `bytes` at `line` from `at` on, in random pieces taking their wire time.
        fn send(&mut self, at: Millis, to: To, bytes: &[u8], line: LineSettings) -> Millis {
            let mut t = at;
            let mut rest = bytes;
            while !rest.is_empty() {
                let n = (self.rng.range(1, 40) as usize).min(rest.len());
                t = t.after(line.wire_time(n));
                self.flight.push((t, to, rest[..n].to_vec(), line));
                rest = &rest[n..];
            }
            t
        }

        fn pump(&mut self) {
            while let Some(a) = self.session.poll_action() {
                let t = self.ready.max(self.now);
                match &a {
                    Action::Transmit(bytes) => {
                        let line = self.line_at(t);
                        if self.faults.echo {
                            self.send(t, To::Session, bytes, line);
                        }
                        self.ready = self.send(t, To::Meter, bytes, line);
                    }
                    Action::Wait(ms) => self.ready = t.after(ms.0),
                    Action::Reopen(line) => {
                        self.session_line.push((t, *line));
                        self.ready = t;
                    }
                    Action::SetDtrRts { .. } => {}
                }
                self.actions.push(a);
            }
            loop {
                let line = self.meter.line();
                let Some(mut reply) = self.meter.poll_transmit() else { break };
                let k = self.replies;
                self.replies += 1;
                if self.faults.drop.contains(&k) || self.faults.silence_from.is_some_and(|s| k >= s) {
                    continue;
                }
                if self.faults.corrupt.contains(&k) {
                    let i = reply.len() / 2;
                    reply[i] ^= 0x01;
                }
                // The meter's reaction time, longer than the settle time t2.
                let mut at = self.meter_ready.max(self.now).after(self.rng.range(350, 600));
                if self.faults.noise {
                    let junk: Vec<u8> = (0..self.rng.range(1, 6)).map(|_| self.rng.range(0, 255) as u8).collect();
                    at = self.send(at, To::Session, &junk, line).after(20);
                }
                self.meter_ready = self.send(at, To::Session, &reply, line);
            }
            while let Some(e) = self.session.poll_event() {
                self.events.push(e);
            }
        }

        fn run(&mut self) {
            for _ in 0..200_000 {
                self.pump();
                if self.session.is_idle() && self.flight.is_empty() {
                    return;
                }
                let next_flight = self.flight.iter().map(|f| f.0).min();
                let next = [next_flight, self.session.poll_timeout()].into_iter().flatten().min();
                let Some(next) = next else { panic!("stuck: nothing in flight and no timeout") };
                self.now = self.now.max(next);
                self.flight.sort_by_key(|f| f.0);
                while self.flight.first().is_some_and(|f| f.0 <= self.now) {
                    let (at, to, bytes, line) = self.flight.remove(0);
                    match to {
                        To::Session => {
                            let b = if self.line_at(at) == line { bytes } else { garble(&bytes) };
                            self.session.handle_input(self.now, &b);
                        }
                        To::Meter => {
                            let b = if self.meter.line() == line { bytes } else { garble(&bytes) };
                            self.meter.handle_input(self.now, &b);
                        }
                    }
                    self.pump();
                }
                if self.session.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.session.handle_timeout(self.now);
                }
            }
            panic!("the session did not finish");
        }

        fn readings(&self) -> Vec<Reading> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    IecEvent::Reading(r) => Some(r.clone()),
                    _ => None,
                })
                .collect()
        }

        fn errors(&self) -> Vec<Failure> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    IecEvent::Error(f) => Some(f.clone()),
                    _ => None,
                })
                .collect()
        }

        fn notices(&self) -> Vec<Notice> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    IecEvent::Notice(n) => Some(n.clone()),
                    _ => None,
                })
                .collect()
        }

        fn transmits(&self) -> Vec<Vec<u8>> {
            self.actions
                .iter()
                .filter_map(|a| match a {
                    Action::Transmit(b) => Some(b.clone()),
                    _ => None,
                })
                .collect()
        }

        /// The actions without the transmits' bytes: `T`, `W300`, `R9600 7E1`.
        fn script(&self) -> Vec<String> {
            self.actions
                .iter()
                .map(|a| match a {
                    Action::Transmit(b) => format!("T{}", String::from_utf8_lossy(b).trim_end()),
                    Action::Wait(ms) => format!("W{}", ms.0),
                    Action::Reopen(l) => format!("R{l}"),
                    Action::SetDtrRts { .. } => "DTR".into(),
                })
                .collect()
        }
    }

    fn meter(mode: Mode) -> MeterConfig {
        MeterConfig { mode, ..MeterConfig::default() }
    }

    fn value_of<'a>(readings: &'a [Reading], address: &str) -> &'a str {
        readings.iter().find(|r| r.address == address).and_then(|r| r.value()).unwrap_or_else(|| panic!("{address}"))
    }

    fn check_readout(p: &Pair) {
        let r = p.readings();
        assert_eq!(r.len(), 25, "{:?}", p.events);
        let reference = p.meter.data_sets(Millis(0));
        assert_eq!(
            r.iter().map(|x| x.address.as_str()).collect::<Vec<_>>(),
            reference.iter().map(|s| s.address.as_str()).collect::<Vec<_>>()
        );
        let e180: f64 = value_of(&r, "1.8.0").parse().unwrap();
        let e181: f64 = value_of(&r, "1.8.1").parse().unwrap();
        let e182: f64 = value_of(&r, "1.8.2").parse().unwrap();
        assert!((e180 - e181 - e182).abs() < 0.0005);
        let v = r.iter().find(|x| x.address == "32.7.0").unwrap();
        assert_eq!(v.obis.as_deref(), Some("1-0:32.7.0*255"));
        assert_eq!(v.values[0].unit, "V");
        assert!(v.name.as_deref().unwrap_or("").to_lowercase().contains("voltage"), "{:?}", v.name);
        let e = r.iter().find(|x| x.address == "1.8.1").unwrap();
        assert_eq!(e.values[0].unit, "kWh");
        assert!(p.events.contains(&IecEvent::ReadoutEnd { sets: 25, bcc_ok: true }));
        assert_eq!(p.events.last(), Some(&IecEvent::Done));
    }

    #[test]
    fn mode_c_readout_with_the_baud_switch_as_actions() {
        for seed in 0..10 {
            let faults = Faults { echo: seed % 2 == 0, noise: seed % 3 == 0, ..Faults::default() };
            let mut p = Pair::new(seed, Config::default(), meter(Mode::C), faults);
            p.session.readout(p.now);
            p.run();
            check_readout(&p);
            assert!(p.errors().is_empty(), "seed {seed}: {:?}", p.errors());
            assert_eq!(
                p.script(),
                ["T/?!", "T\u{6}050", "W300", "R9600 7E1", "R300 7E1"],
                "seed {seed}: the option select, t2, the switch, and back after the readout {:?}",
                p.events
            );
            let ident = p.events.iter().find_map(|e| match e {
                IecEvent::Identified(i) => Some(i.clone()),
                _ => None,
            });
            let ident = ident.unwrap();
            assert_eq!((ident.manufacturer.as_str(), ident.baud_char, ident.mode), ("MSC", '5', Mode::C));
            assert_eq!((ident.max_baud, ident.mode_e, ident.ident.as_str()), (Some(9600), true, "MS-Sim-1"));
            assert!(p.events.contains(&IecEvent::BaudSwitch(line_7e1(9600))));
            if seed % 2 == 0 {
                assert!(p.notices().contains(&Notice::Echo));
            }
        }
    }

    #[test]
    fn settle_time_and_rate_limit_are_configurable() {
        let cfg = Config { settle: 800, max_baud: Some(2400), address: "12345678".into(), ..Config::default() };
        let mut m = meter(Mode::C);
        m.inactivity = 5000;
        let mut p = Pair::new(1, cfg, m, Faults::default());
        p.session.readout(p.now);
        // The meter answers after 350-600 ms, so a t2 of 800 ms loses the first
        // readout (it comes before the switch); the session signs on again.
        p.run();
        assert_eq!(p.script()[..4], ["T/?12345678!", "T\u{6}030", "W800", "R2400 7E1"]);
        assert!(p.notices().iter().any(|n| matches!(n, Notice::Retry { attempt: 2 })));
        // Clamped to 200–1500 ms.
        let cfg = Config { settle: 5000, ..Config::default() };
        assert_eq!(cfg.settle(), 1500);
    }

    #[test]
    fn mode_a_readout_stays_at_300() {
        for seed in 0..4 {
            let faults = Faults { echo: seed % 2 == 1, noise: true, ..Faults::default() };
            let mut p = Pair::new(seed, Config { mode: Mode::A, ..Config::default() }, meter(Mode::A), faults);
            p.session.readout(p.now);
            p.run();
            check_readout(&p);
            assert_eq!(p.script(), ["T/?!"]);
            // 25 lines at 300 Bd take tens of seconds; only the gaps count.
            assert!(p.errors().is_empty());
        }
    }

    #[test]
    fn mode_b_switches_without_acknowledgement() {
        for seed in 0..4 {
            let mut p =
                Pair::new(seed, Config { mode: Mode::B, ..Config::default() }, meter(Mode::B), Faults::default());
            p.session.readout(p.now);
            p.run();
            check_readout(&p);
            assert_eq!(p.script(), ["T/?!", "R9600 7E1", "R300 7E1"]);
            assert!(p.notices().is_empty() || !p.notices().iter().any(|n| matches!(n, Notice::ModeMismatch { .. })));
        }
        // A mode C session meeting a mode B meter follows the meter.
        let mut p = Pair::new(9, Config::default(), meter(Mode::B), Faults::default());
        p.session.readout(p.now);
        p.run();
        check_readout(&p);
        assert!(p.notices().contains(&Notice::ModeMismatch { configured: Mode::C, announced: Mode::B }));
    }

    #[test]
    fn programming_mode_reads_registers() {
        let regs: Vec<String> = ["1.8.0", "1-0:1.8.1", "32.7.0", "99.99.99"].iter().map(|s| s.to_string()).collect();
        for seed in 0..4 {
            let faults = Faults { echo: seed % 2 == 0, noise: seed % 2 == 1, ..Faults::default() };
            let mut p = Pair::new(seed, Config::default(), meter(Mode::C), faults);
            p.session.program(p.now, "00000000", &regs);
            p.run();
            assert!(p.events.contains(&IecEvent::LoggedIn), "{:?}", p.events);
            let r = p.readings();
            assert_eq!(r.iter().map(|x| x.address.as_str()).collect::<Vec<_>>(), ["1.8.0", "1-0:1.8.1", "32.7.0"]);
            assert_eq!(r[1].obis.as_deref(), Some("1-0:1.8.1*255"));
            assert_eq!(r[0].values[0].unit, "kWh");
            assert!(
                p.events.contains(&IecEvent::RegisterError { address: "99.99.99".into(), text: "ERR-NO-DATA".into() })
            );
            let t = p.transmits();
            assert_eq!(t[1], b"\x06051\r\n");
            assert!(t[2].starts_with(b"\x01P1\x02(00000000)\x03"), "{:?} {:?}", p.script(), p.events);
            assert_eq!(t.last().unwrap(), b"\x01B0\x03q", "the break ends programming mode");
            assert_eq!(p.script().last().unwrap(), "R300 7E1");
            assert!(p.errors().is_empty(), "{:?}", p.errors());
        }
    }

    #[test]
    fn wrong_password_is_reported() {
        let mut p = Pair::new(3, Config::default(), meter(Mode::C), Faults { echo: true, ..Faults::default() });
        p.session.program(p.now, "12345678", &["1.8.0".to_string()]);
        p.run();
        assert!(p.events.iter().any(|e| matches!(e, IecEvent::Operand(op) if op.len() == 8)));
        assert_eq!(p.errors(), [Failure::WrongPassword("ERR-PASSWORD".into())]);
        assert!(!p.events.contains(&IecEvent::LoggedIn));
        assert!(p.readings().is_empty());
        assert_eq!(p.transmits().last().unwrap(), b"\x01B0\x03q");
        assert!(p.events.contains(&IecEvent::Done));
        // The meter is back at its initial state: a readout works right away.
        p.session.readout(p.now);
        p.run();
        assert_eq!(p.readings().len(), 25);
    }

    #[test]
    fn mode_e_hands_over_to_hdlc() {
        let mut p = Pair::new(
            4,
            Config { mode: Mode::E, ..Config::default() },
            meter(Mode::C),
            Faults { echo: true, ..Faults::default() },
        );
        p.session.hand_over(p.now);
        p.run();
        assert_eq!(p.script(), ["T/?!", "T\u{6}252", "W300", "R9600 8N1"]);
        let line = LineSettings::new(9600, 8, Parity::None, 1);
        assert!(p.events.contains(&IecEvent::HandOver(line)));
        assert_eq!(p.meter.line(), line, "the meter acknowledged and switched too");
        assert!(p.errors().is_empty());
        assert_eq!(p.session.line(), line, "no return to 300 Bd: the line is the HDLC session's");
        // A meter without `\2` refuses.
        let m = MeterConfig { mode_e: false, ..meter(Mode::C) };
        let mut p = Pair::new(5, Config { mode: Mode::E, ..Config::default() }, m, Faults::default());
        p.session.hand_over(p.now);
        p.run();
        assert!(matches!(p.errors()[..], [Failure::NotSupported(_)]));
        assert!(!p.events.iter().any(|e| matches!(e, IecEvent::HandOver(_))));
    }

    #[test]
    fn timeouts_and_retries() {
        // The identification is lost once, then the readout once.
        let mut p = Pair::new(6, Config::default(), meter(Mode::C), Faults { drop: vec![0, 2], ..Faults::default() });
        p.session.readout(p.now);
        p.run();
        check_readout(&p);
        let retries: Vec<_> = p.notices().into_iter().filter(|n| matches!(n, Notice::Retry { .. })).collect();
        assert_eq!(retries, [Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 3 }]);
        // A silent meter: three sign-ons, then a timeout.
        let start = p.now;
        let mut p =
            Pair::new(7, Config::default(), meter(Mode::C), Faults { silence_from: Some(0), ..Faults::default() });
        p.session.readout(p.now);
        p.run();
        assert_eq!(p.errors(), [Failure::Timeout { stage: Stage::SignOn, attempts: 3 }]);
        assert_eq!(p.transmits().len(), 3);
        assert!(p.now.since(start) < 20_000);
        // A readout with a wrong BCC is read again.
        let mut p = Pair::new(8, Config::default(), meter(Mode::C), Faults { corrupt: vec![1], ..Faults::default() });
        p.session.readout(p.now);
        p.run();
        assert!(p.notices().iter().any(|n| matches!(n, Notice::BadBcc { .. })));
        check_readout(&p);
        assert!(p.errors().is_empty());
    }

    #[test]
    fn mode_d_listens_at_2400() {
        let m = OpticalMeter::new(meter(Mode::C));
        let mut s = Iec62056Session::new(Config { mode: Mode::D, ..Config::default() });
        assert_eq!(s.line(), MODE_D_LINE);
        s.listen(Millis(0), 1);
        assert_eq!(s.poll_action(), None, "nothing is sent in mode D");
        let mut push = b"\x00\xff".to_vec();
        push.extend(b"/MSC4MS-Sim-1\r\n");
        push.extend(m.readout(Millis(0)));
        let mut rng = Rng::new(3);
        let mut at = 0;
        let mut now = Millis(100);
        while at < push.len() {
            let n = (rng.range(1, 9) as usize).min(push.len() - at);
            s.handle_input(now, &push[at..at + n]);
            at += n;
            now = now.after(5);
        }
        let events: Vec<_> = core::iter::from_fn(|| s.poll_event()).collect();
        assert!(events.iter().any(|e| matches!(e, IecEvent::Identified(_))));
        assert_eq!(events.iter().filter(|e| matches!(e, IecEvent::Reading(_))).count(), 25);
        assert!(events.contains(&IecEvent::ReadoutEnd { sets: 25, bcc_ok: true }));
        assert_eq!(events.last(), Some(&IecEvent::Done));
        assert!(s.is_idle());
    }

    #[test]
    fn random_bytes_never_break_the_session() {
        let mut rng = Rng::new(42);
        for job in 0..3 {
            let mut s = Iec62056Session::new(Config::default());
            match job {
                0 => s.readout(Millis(0)),
                1 => s.program(Millis(0), "0", &["1.8.0".into()]),
                _ => s.hand_over(Millis(0)),
            }
            let mut now = Millis(0);
            let mut last = None;
            let pieces: [&[u8]; 6] = [
                b"/MSC5\\2MS-Sim-1\r\n",
                b"\x02",
                b"1.8.0(1*kWh)\r\n!\r\n\x03",
                b"\x06",
                b"\x01P0\x02()\x03`",
                b"\x15",
            ];
            for _ in 0..3000 {
                let bytes: Vec<u8> = if rng.chance(50) {
                    pieces[rng.range(0, 5) as usize].to_vec()
                } else {
                    (0..rng.range(0, 20)).map(|_| rng.range(0, 255) as u8).collect()
                };
                now = now.after(rng.range(0, 700));
                s.handle_input(now, &bytes);
                if s.poll_timeout().is_some_and(|t| t <= now) {
                    s.handle_timeout(now);
                }
                while s.poll_action().is_some() {}
                while let Some(e) = s.poll_event() {
                    last = Some(e);
                }
            }
            for _ in 0..100 {
                let Some(t) = s.poll_timeout() else { break };
                s.handle_timeout(t);
            }
            while s.poll_action().is_some() {}
            while let Some(e) = s.poll_event() {
                last = Some(e);
            }
            assert!(s.is_idle(), "job {job}");
            assert_eq!(last, Some(IecEvent::Done), "job {job}");
        }
    }
}
