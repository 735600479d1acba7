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

use super::codec::{DataSet, Message, Value};
use super::data;
use super::dissect;
use super::frame::{self, ACK, CR, LF, NAK, SOH, STX};
use super::lines;
use crate::input::to_hex;
use crate::lang::Lang;
use crate::registry::FrameStatus;
#[cfg(test)]
use crate::session::Session;
use crate::session::{Action, Deadline, Kernel, LineSettings, Machine, Millis, Notices, Parity};

mod exchange;
mod replies;
#[cfg(test)]
mod tests;

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

impl ReadingValue {
    /// The value typed: a number when it is decimal (IEC 62056-21 sends
    /// quantities as digits with a point, zeros in front kept) and carries
    /// a unit or a point (`0.950` of a power factor); text otherwise
    /// (serial numbers, dates, states).
    pub fn typed(&self) -> crate::session::Value {
        if self.unit.is_empty() && !self.value.contains('.') {
            return crate::session::Value::Text(self.value.clone());
        }
        crate::session::Value::decimal_or_text(self.value.clone())
    }
}

impl Reading {
    /// Its values as labelled items (each under the data set's name), typed,
    /// with their notes: what the client layer renders.
    pub fn items(&self) -> Vec<crate::session::Item> {
        let label = self.name.clone().unwrap_or_default();
        self.values
            .iter()
            .map(|v| crate::session::Item {
                label: label.clone(),
                value: v.typed(),
                unit: v.unit.clone(),
                text: v.text.clone().filter(|t| *t != v.value),
            })
            .collect()
    }

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

impl Notice {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Notice::Echo => lang.pick("echo of our message removed", "已去除本机报文的回显").into(),
            Notice::Junk(k) => crate::session::words::junk(*k, lang),
            Notice::Incomplete(k) if zh => format!("丢弃未收完的报文 {k} 字节"),
            Notice::Incomplete(k) => format!("{k} byte(s) of an unfinished message dropped"),
            Notice::BadBcc { stated, computed } if zh => {
                format!("BCC 错误：0x{stated:02X}，应为 0x{computed:02X}")
            }
            Notice::BadBcc { stated, computed } => format!("wrong BCC 0x{stated:02X}, should be 0x{computed:02X}"),
            Notice::Unexpected(hex) => format!("{}: {hex}", lang.pick("unexpected message", "意外的报文")),
            Notice::ModeMismatch { configured, announced } if zh => {
                format!("电表声明模式 {}（请求 {}），按电表的模式继续", announced.letter(), configured.letter())
            }
            Notice::ModeMismatch { configured, announced } => format!(
                "the meter announces mode {} (asked for {}); following the meter",
                announced.letter(),
                configured.letter()
            ),
            Notice::RepeatRequest => lang.pick("the meter asked for a repetition", "电表请求重发").into(),
            Notice::Retry { attempt } if zh => format!("重试（第 {attempt} 次）"),
            Notice::Retry { attempt } => format!("trying again (attempt {attempt})"),
        }
    }
}

crate::session::words::english_display!(Notice);

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

impl Deadline for Current {
    fn deadline(&self) -> Option<Millis> {
        self.deadline
    }
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
    /// The queue, the job under way, received bytes (cut into messages here).
    k: Kernel<Job, Current, IecEvent, Vec<u8>>,
    junk: usize,
    /// What an echo of our last transmission would be, and how much of it is held.
    echo: Vec<u8>,
    echo_held: usize,
}

impl Iec62056Session {
    pub fn new(cfg: Config) -> Self {
        let line = if cfg.mode == Mode::D { MODE_D_LINE } else { cfg.initial };
        Iec62056Session {
            line,
            k: Kernel::new(
                cfg.byte_gap,
                Vec::new(),
                Notices {
                    junk: |n| IecEvent::Notice(Notice::Junk(n)),
                    incomplete: |n| IecEvent::Notice(Notice::Incomplete(n)),
                    retry: |attempt| IecEvent::Notice(Notice::Retry { attempt }),
                },
            ),
            junk: 0,
            echo: Vec::new(),
            echo_held: 0,
            cfg,
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
}

/// In words, as the reader and the command line show it.
impl Failure {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Failure::Timeout { stage, attempts } if zh => format!("无应答（{stage:?}），已尝试 {attempts} 次"),
            Failure::Timeout { stage, attempts } => format!("no reply ({stage:?}) after {attempts} attempt(s)"),
            Failure::WrongPassword(text) if zh => format!("密码被拒绝（{text}）"),
            Failure::WrongPassword(text) => format!("password refused ({text})"),
            Failure::NotSupported(what) => format!("{}: {what}", lang.pick("not supported", "不支持")),
            Failure::BadBcc => {
                lang.pick("the readout never arrived with a correct BCC", "读出的数据始终 BCC 错误").into()
            }
        }
    }
}

crate::session::words::english_display!(Failure);
