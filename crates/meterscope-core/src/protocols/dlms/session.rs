//! The DLMS/COSEM client session, sans-IO (IEC 62056-46 data link, IEC
//! 62056-47 wrapper, IEC 62056-5-3 application layer).
//!
//! Flows:
//! - **link** (HDLC): SNRM with the proposed information field lengths and
//!   windows, UA with the server's; I frames with N(S)/N(R). APDUs longer
//!   than the negotiated length go in segments (segmentation bit), up to the
//!   negotiated window of frames at a time, the poll bit on the last one;
//!   the meter acknowledges with RR, and an RR that names an earlier frame
//!   makes the session go back and send from there. Segmented replies are
//!   taken a window at a time and polled with RR after the frame with the
//!   final bit; an out-of-sequence frame with the final bit is answered with
//!   RR naming the frame expected. The last frame is sent again on a reply
//!   timeout; DISC/UA at the end; DM and FRMR reported. The wrapper
//!   transport (TCP) has no link layer.
//! - **association**: AARQ with no authentication, a password (low level
//!   security) or HLS-GMAC (client challenge CtoS; the server's challenge
//!   StoC answered with `f(StoC)` by ACTION on the Association LN object,
//!   method 1, and the server's `f(CtoS)` checked). With ciphering every
//!   xDLMS APDU is glo-ciphered (suite 0) with the client system title and
//!   an invocation counter that goes on from the configured value; with a
//!   dedicated key (carried in the glo-ciphered InitiateRequest) they are
//!   ded-ciphered instead. The server system title comes from the AARE. A
//!   rejection is reported in words (result and diagnostic).
//! - **referencing**: logical names (GET/SET/ACTION), or short names when the
//!   meter offers them ([`Config::short_names`]): the object list of the
//!   Association SN object (base name `FA00`) is read once per association
//!   and maps every `class/OBIS:attribute` to its short name, read with
//!   ReadRequest (parameterized access for selective access, block numbers
//!   for long replies) and written with WriteRequest.
//! - **services**: GET normal, with-list (one GET each when the meter does
//!   not grant multiple references) and with selective access; data blocks
//!   asked for with GET-Request-Next and joined, with progress events;
//!   general block transfer (GBT) when the meter uses it: blocks streamed a
//!   window at a time, polled over HDLC, acknowledged at the end of each
//!   window, lost blocks asked for again. SET and ACTION only with an
//!   explicit [`Confirm`]. Registers are read with their scaler and unit,
//!   read once per association and cached. Clock read and sync, object-list
//!   browsing, whole objects (every attribute of the class), profile reads
//!   (capture objects, then the buffer by range or by entries: load profile,
//!   event logs) and the meter operations (firmware identifiers, alarm
//!   register, disconnect control, push setup, M-Bus client) are calls of
//!   their own.
//! - **line time**: each profile read is timed on the caller's clock from its
//!   first request to the last byte of the buffer, next to the wire time of
//!   every byte it moved ([`DlmsSession::line_times`]). The session never
//!   waits of its own accord: every request leaves as soon as the reply it
//!   follows is complete.
//! - **release**: RLRQ, then DISC.

use std::collections::{BTreeMap, VecDeque};

use super::assoc::{
    self, Aare, Aarq, AppContext, InitiateRequest, InitiateResponse, Mechanism, SuiteKeys, conformance,
};
use super::axdr::Data;
use super::hdlc::{self, Control};
use super::link::{self, HdlcAddress, HdlcFrame, LLC_COMMAND, LinkParams};
use super::services::{
    self, Access, AttrRef, Gbt, GetResult, Request, Response, SnReadResult, SnRequest, SnResponse, Variable,
};
use super::{classes, wrapper};
use crate::obis;
use crate::registry::FrameStatus;
use crate::session::{Action, DateTime, LineSettings, LineTime, Millis, Parity, Random, Session};

/// Most bytes kept while waiting for a frame to complete.
const RX_LIMIT: usize = 70_000;
/// Most bytes of one reply joined from segments or data blocks.
const APDU_LIMIT: usize = 1 << 20;

/// The Association LN object of the current association.
pub const ASSOCIATION_LN: [u8; 6] = [0, 0, 40, 0, 0, 255];
/// Base name of the Association SN object (short-name referencing).
pub const ASSOCIATION_SN: u16 = 0xFA00;
/// The clock object.
pub const CLOCK: [u8; 6] = [0, 0, 1, 0, 0, 255];
/// The load profile (profile generic, 15-minute energy).
pub const LOAD_PROFILE: [u8; 6] = [1, 0, 99, 1, 0, 255];
/// The standard event log.
pub const EVENT_LOG: [u8; 6] = [0, 0, 99, 98, 0, 255];
/// Disconnect control.
pub const DISCONNECT_CONTROL: [u8; 6] = [0, 0, 96, 3, 10, 255];
/// Alarm register 1 and its filter.
pub const ALARM_REGISTER: [u8; 6] = [0, 0, 97, 98, 0, 255];
pub const ALARM_FILTER: [u8; 6] = [0, 0, 97, 98, 10, 255];
/// Push setup (the first one; `0-0:25.9.0.255`).
pub const PUSH_SETUP: [u8; 6] = [0, 0, 25, 9, 0, 255];
/// M-Bus client of channel 1.
pub const MBUS_CLIENT: [u8; 6] = [0, 1, 24, 1, 0, 255];
/// Firmware identifiers: active (metrology) firmware identifier and
/// signature, and the communication module's firmware identifier.
pub const FIRMWARE: [[u8; 6]; 3] = [[1, 0, 0, 2, 0, 255], [1, 0, 0, 2, 8, 255], [0, 0, 0, 2, 0, 255]];

/// How bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// HDLC (serial, optical head): client SAP and server address.
    Hdlc,
    /// The TCP/UDP wrapper: wPorts are the client and server addresses.
    Wrapper,
}

/// Authentication of the association.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Lowest level security (the public client).
    None,
    /// Low level security: a password.
    Low(Vec<u8>),
    /// High level security, GMAC (needs [`Config::security`]).
    HighGmac,
}

impl core::fmt::Debug for Auth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Auth::None => "None",
            Auth::Low(_) => "Low(..)",
            Auth::HighGmac => "HighGmac",
        })
    }
}

/// Security suite 0 material of the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Security {
    pub keys: SuiteKeys,
    /// The client system title (calling AP title).
    pub system_title: [u8; 8],
    /// The next invocation counter to use (carried forward between sessions).
    pub invocation_counter: u32,
    /// Cipher xDLMS APDUs (glo-ciphering); without it the keys serve HLS-GMAC only.
    pub cipher: bool,
}

/// How the session talks to the meter.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub transport: Transport,
    /// Client SAP (16 public client, 1 management, …) or wPort.
    pub client: u16,
    /// Server logical address (upper HDLC address) or wPort.
    pub server: u16,
    /// Server physical address (lower HDLC address), when the meter uses one.
    pub physical: Option<u16>,
    pub auth: Auth,
    pub security: Option<Security>,
    /// A dedicated key for this association (ded-ciphering; needs ciphering).
    pub dedicated_key: Option<[u8; 16]>,
    /// Short-name referencing (for meters that offer it instead of logical names).
    pub short_names: bool,
    /// Client challenge CtoS for HLS (8 to 64 bytes). `None`, the default:
    /// 16 fresh bytes from [`Config::random`] for every association.
    pub challenge: Option<Vec<u8>>,
    /// Where challenges come from: the platform's cryptographic source.
    pub random: Random,
    pub line: LineSettings,
    /// Information field length and window proposed in SNRM.
    pub max_info: u16,
    pub window: u8,
    /// Largest APDU the client accepts (InitiateRequest).
    pub max_pdu: u16,
    pub conformance: u32,
    /// The window of general-block-transfer blocks the client takes at a time.
    pub gbt_window: u8,
    /// How long to wait for a reply after the request has left, in ms.
    pub reply_timeout: u64,
    /// Longest silence between two bytes of one frame, in ms.
    pub byte_gap: u64,
    /// Retransmissions after the first attempt.
    pub retries: u8,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field("transport", &self.transport)
            .field("client", &self.client)
            .field("server", &self.server)
            .field("physical", &self.physical)
            .field("auth", &self.auth)
            .field("security", &self.security)
            .field("dedicated_key", &self.dedicated_key.map(|_| ".."))
            .field("short_names", &self.short_names)
            .field("line", &self.line)
            .field("max_info", &self.max_info)
            .field("window", &self.window)
            .field("max_pdu", &self.max_pdu)
            .field("conformance", &self.conformance)
            .field("gbt_window", &self.gbt_window)
            .field("reply_timeout", &self.reply_timeout)
            .field("byte_gap", &self.byte_gap)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            transport: Transport::Hdlc,
            client: 16,
            server: 1,
            physical: None,
            auth: Auth::None,
            security: None,
            dedicated_key: None,
            short_names: false,
            challenge: None,
            random: Random::System,
            line: LineSettings::new(9600, 8, Parity::None, 1),
            max_info: 128,
            window: 1,
            max_pdu: 1024,
            conformance: conformance::CLIENT_LN | conformance::GENERAL_BLOCK_TRANSFER,
            gbt_window: 4,
            reply_timeout: 2000,
            byte_gap: 500,
            retries: 2,
        }
    }
}

/// The caller's explicit confirmation that a SET, ACTION or clock sync may
/// change the meter. There is no default: it is written out at the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confirm(());

impl Confirm {
    /// "Yes, write to the meter."
    pub const fn write_to_meter() -> Confirm {
        Confirm(())
    }
}

/// One entry of the object list (Association LN attribute 2, or Association
/// SN attribute 2 with the base names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEntry {
    pub class: u16,
    pub version: u8,
    pub obis: [u8; 6],
}

/// Why an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No usable reply after every attempt.
    Timeout { attempts: u8 },
    /// The meter answered with a data-access-result (or action-result) code.
    Refused { code: u8, text: &'static str },
    /// Exception-Response.
    Exception { state: u8, service: u8, text: String },
    /// The association was rejected: result and diagnostic, in words.
    Rejected { result: u8, diagnostic: assoc::Diagnostic, text: String },
    /// The meter's HLS proof f(CtoS) is wrong (or it refused ours).
    Authentication(String),
    /// A ciphered reply could not be opened (wrong keys or system title).
    Deciphering(String),
    /// DM: the meter is disconnected (or refuses the connection).
    DisconnectedMode,
    /// FRMR: the meter rejected a frame.
    FrameReject(Vec<u8>),
    /// A reply that does not fit the request.
    Protocol(String),
    /// Nothing can be done without an association.
    NotAssociated,
    /// Something this client does not do (with these settings).
    Unsupported(String),
}

impl Failure {
    /// In words.
    pub fn text(&self) -> String {
        match self {
            Failure::Timeout { attempts } => format!("no reply after {attempts} attempt(s)"),
            Failure::Refused { code, text } => format!("refused: {text} ({code})"),
            Failure::Exception { text, .. } => format!("exception response: {text}"),
            Failure::Rejected { text, .. } => format!("association rejected: {text}"),
            Failure::Authentication(t) => format!("authentication failed: {t}"),
            Failure::Deciphering(t) => format!("cannot decipher the reply: {t}"),
            Failure::DisconnectedMode => "the meter answered DM (disconnected mode)".into(),
            Failure::FrameReject(b) => format!("the meter rejected a frame (FRMR {})", super::hex(b)),
            Failure::Protocol(t) => format!("unexpected reply: {t}"),
            Failure::NotAssociated => "no association".into(),
            Failure::Unsupported(t) => format!("not supported: {t}"),
        }
    }
}

/// Something on the line that was not the awaited reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A frame for another address, or our own frame echoed.
    Ignored,
    /// A frame with a wrong HCS/FCS or shape (hex).
    Garbled(String),
    /// Bytes that are no frame, dropped.
    Junk(usize),
    /// A frame whose bytes stopped arriving; dropped.
    Incomplete(usize),
    /// A request sent again (attempt number from 2).
    Retry { attempt: u8 },
    /// An I frame out of sequence, dropped.
    OutOfSequence { ns: u8, expected: u8 },
}

/// What the DLMS session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DlmsEvent {
    /// UA to SNRM: the negotiated link parameters (client's point of view).
    Connected {
        max_info_tx: u16,
        max_info_rx: u16,
        window: u8,
    },
    /// AARE accepted.
    Associated {
        conformance: u32,
        max_pdu: u16,
        server_title: Option<Vec<u8>>,
        mechanism: Option<Mechanism>,
    },
    /// HLS pass 4: the meter's f(CtoS) checked.
    Authenticated,
    /// An attribute value. `text` has the scaler applied; `unit` from scaler_unit.
    Value {
        attr: AttrRef,
        data: Data,
        text: String,
        unit: Option<String>,
    },
    /// The clock (attribute 2 of 0-0:1.0.0.255), with its raw octets.
    Clock {
        time: Option<DateTime>,
        raw: [u8; 12],
    },
    /// The clock was set.
    ClockSet(DateTime),
    /// The object list.
    ObjectList(Vec<ObjectEntry>),
    /// A profile: the capture objects and the rows of the buffer.
    Profile {
        obis: [u8; 6],
        columns: Vec<AttrRef>,
        rows: Vec<Vec<Data>>,
    },
    /// SET answered.
    Written {
        attr: AttrRef,
        result: u8,
    },
    /// ACTION answered.
    Invoked {
        method: AttrRef,
        result: u8,
        data: Option<Data>,
    },
    /// A data block arrived: its number and the bytes joined so far.
    Progress {
        block: u32,
        bytes: usize,
    },
    /// An exchange failed; `attr` names the attribute when there was one.
    Error {
        attr: Option<AttrRef>,
        failure: Failure,
    },
    Notice(Notice),
    /// RLRE received (or the wrapper association ended).
    Released,
    /// UA (or DM) to DISC.
    Disconnected,
    /// The invocation counter to use next time (ciphering).
    InvocationCounter(u32),
    /// Every queued request is finished.
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Purpose {
    Value,
    Scaler,
    Clock,
    ObjectList,
    /// The short-name object list, read to map names (not reported).
    SnNames,
    Columns,
    Buffer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Snrm,
    Aarq,
    HlsReply(Vec<u8>),
    Get(AttrRef, Option<Access>, Purpose),
    GetList(Vec<AttrRef>),
    Set(AttrRef, Data, Option<DateTime>),
    Action(AttrRef, Option<Data>),
    Release,
    Disc,
}

/// The exchange under way.
#[derive(Debug)]
struct Exchange {
    op: Op,
    /// HDLC info fields still to send, each with "more segments follow".
    segments: VecDeque<(Vec<u8>, bool)>,
    /// HDLC I frames sent and not yet acknowledged: N(S), info, segmented.
    unacked: VecDeque<(u8, Vec<u8>, bool)>,
    /// The frame on the line (the last of a burst), sent again on a timeout.
    frame: Vec<u8>,
    attempt: u8,
    deadline: Millis,
    /// Reply segments joined.
    rx: Vec<u8>,
    /// Data blocks joined, and the last block number.
    blocks: Vec<u8>,
    block: u32,
    invoke: u8,
    /// General block transfer: blocks joined, the next block number expected,
    /// our own block number for acknowledgements.
    gbt: Vec<u8>,
    gbt_next: u16,
    gbt_own: u16,
}

/// The DLMS/COSEM client.
#[derive(Debug)]
pub struct DlmsSession {
    cfg: Config,
    queue: VecDeque<Op>,
    current: Option<Exchange>,
    connected: bool,
    associated: bool,
    ns: u8,
    nr: u8,
    max_tx: usize,
    /// I frames we may send before an acknowledgement.
    window_tx: u8,
    server_title: Option<[u8; 8]>,
    ic: u32,
    max_pdu: u16,
    /// Conformance the meter granted.
    granted: u32,
    /// Ded-ciphering is on for this association.
    dedicated: bool,
    /// Short names by OBIS code (base names), once read.
    sn_names: Option<BTreeMap<[u8; 6], u16>>,
    invoke: u8,
    scalers: BTreeMap<(u16, [u8; 6]), (i8, u8)>,
    columns: BTreeMap<[u8; 6], Vec<AttrRef>>,
    rx: Vec<u8>,
    last_rx: Millis,
    /// The final bit of the I frame that completed the last APDU.
    final_bit: bool,
    /// The profile read being timed, and those timed so far.
    timing: Option<([u8; 6], LineTime)>,
    line_times: Vec<([u8; 6], LineTime)>,
    actions: VecDeque<Action>,
    events: VecDeque<DlmsEvent>,
    busy: bool,
    /// The HLS challenge CtoS of the association under way.
    challenge: Vec<u8>,
}

/// The interface class an OBIS code usually has, when the caller gives none:
/// clock 8, profiles 7, association LN 15, disconnect control 70, push setup
/// 40, M-Bus client 72, M-Bus values 4, registers of electricity (A = 1) 3,
/// everything else data (1).
pub fn guess_class(code: [u8; 6]) -> u16 {
    match code {
        [0, _, 1, 0, _, _] => 8,
        [_, _, 99, ..] => 7,
        [0, _, 40, 0, _, _] => 15,
        [0, _, 96, 3, 10, _] => 70,
        [0, _, 25, 9, _, _] => 40,
        [0, _, 24, 1, _, _] => 72,
        [0, _, 24, 2, _, _] => 4,
        [_, _, 0, ..] => 1,
        [1, _, c, d, _, _] if c < 96 && d != 0 => 3,
        _ => 1,
    }
}

/// `CLASS/OBIS:ATTR`, `OBIS:ATTR` or `OBIS` (attribute 2, class guessed).
pub fn parse_target(text: &str) -> Option<AttrRef> {
    let (class, rest) = match text.split_once('/') {
        Some((c, r)) => (Some(c.trim().parse::<u16>().ok()?), r),
        None => (None, text),
    };
    // The attribute follows the last ':' when what precedes it is a whole OBIS code.
    let (code, attr) = match rest.rsplit_once(':') {
        Some((head, a)) if obis::parse(head).is_some() && a.trim().parse::<i8>().is_ok() => {
            (obis::parse(head)?, a.trim().parse::<i8>().ok()?)
        }
        _ => (obis::parse(rest)?, 2),
    };
    Some(AttrRef::new(class.unwrap_or_else(|| guess_class(code)), code, attr))
}

/// A date-time of the `Data` form (12 octets) as a civil time, when every field is given.
pub fn civil(raw: &[u8; 12]) -> Option<DateTime> {
    let t = DateTime {
        year: u16::from_be_bytes([raw[0], raw[1]]),
        month: raw[2],
        day: raw[3],
        hour: raw[5],
        minute: raw[6],
        second: raw[7],
    };
    (t.year != 0xFFFF && t.is_valid()).then_some(t)
}

/// The 12 octets of a date-time: weekday 1 = Monday, hundredths 0, deviation
/// not specified, status 0.
pub fn octets(t: DateTime) -> [u8; 12] {
    let [y0, y1] = t.year.to_be_bytes();
    let wd = match t.weekday() {
        0 => 7,
        d => d,
    };
    [y0, y1, t.month, t.day, wd, t.hour, t.minute, t.second, 0, 0x80, 0x00, 0x00]
}

/// A value as text: numbers, strings, octets in hex, date-times, structures in brackets.
pub fn data_text(d: &Data) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Boolean(b) => b.to_string(),
        Data::DoubleLong(v) => v.to_string(),
        Data::DoubleLongUnsigned(v) => v.to_string(),
        Data::Integer(v) => v.to_string(),
        Data::Long(v) => v.to_string(),
        Data::Unsigned(v) | Data::Enum(v) | Data::Bcd(v) => v.to_string(),
        Data::LongUnsigned(v) => v.to_string(),
        Data::Long64(v) => v.to_string(),
        Data::Long64Unsigned(v) => v.to_string(),
        Data::Float32(b) => f32::from_bits(*b).to_string(),
        Data::Float64(b) => f64::from_bits(*b).to_string(),
        Data::VisibleString(b) | Data::Utf8String(b) => String::from_utf8_lossy(b).into_owned(),
        Data::OctetString(b) if b.len() == 6 && b[5] == 255 => obis::canonical([b[0], b[1], b[2], b[3], b[4], b[5]]),
        Data::OctetString(b) if b.len() == 12 => {
            let mut a = [0u8; 12];
            a.copy_from_slice(b);
            civil(&a).map_or_else(|| super::hex(b), |t| t.to_string())
        }
        Data::OctetString(b) => super::hex(b),
        Data::BitString(n, b) => format!("{n} bits {}", super::hex(b)),
        Data::DateTime(raw) => civil(raw).map_or_else(|| super::hex(raw), |t| t.to_string()),
        Data::Date(b) => super::hex(b),
        Data::Time(b) => super::hex(b),
        Data::DontCare => "don't care".into(),
        Data::Array(v) | Data::Structure(v) | Data::CompactArray(_, v) => {
            format!("[{}]", v.iter().map(data_text).collect::<Vec<_>>().join(", "))
        }
    }
}

/// An integer value times 10^scaler, as decimal text.
pub fn scaled(d: &Data, scaler: i8) -> Option<String> {
    let v: i128 = match d {
        Data::DoubleLong(v) => (*v).into(),
        Data::DoubleLongUnsigned(v) => (*v).into(),
        Data::Integer(v) => (*v).into(),
        Data::Long(v) => (*v).into(),
        Data::Unsigned(v) => (*v).into(),
        Data::LongUnsigned(v) => (*v).into(),
        Data::Long64(v) => (*v).into(),
        Data::Long64Unsigned(v) => (*v).into(),
        _ => return None,
    };
    if scaler >= 0 {
        return Some((v * 10i128.pow(scaler.min(30) as u32)).to_string());
    }
    let places = (-i32::from(scaler)).min(30) as usize;
    let p = 10i128.pow(places as u32);
    let sign = if v < 0 { "-" } else { "" };
    Some(format!("{sign}{}.{:0places$}", v.abs() / p, v.abs() % p))
}

fn attr_of(d: &Data) -> Option<AttrRef> {
    let Data::Structure(s) = d else { return None };
    match s.as_slice() {
        [Data::LongUnsigned(class), Data::OctetString(ln), Data::Integer(attr), ..] if ln.len() == 6 => {
            let mut o = [0u8; 6];
            o.copy_from_slice(ln);
            Some(AttrRef::new(*class, o, *attr))
        }
        _ => None,
    }
}

/// The scaler and unit of a `scaler_unit` value.
fn scaler_unit(d: &Data) -> Option<(i8, u8)> {
    match d {
        Data::Structure(v) => match v.as_slice() {
            [Data::Integer(s), Data::Enum(u)] => Some((*s, *u)),
            _ => None,
        },
        _ => None,
    }
}

/// An object list entry: logical-name form `{class, version, LN, rights}` or
/// short-name form `{base name, class, version, LN}` (with the base name).
fn object_entry(d: &Data) -> Option<(ObjectEntry, Option<u16>)> {
    let Data::Structure(v) = d else { return None };
    let ln = |b: &Vec<u8>| <[u8; 6]>::try_from(b.as_slice()).ok();
    match v.as_slice() {
        [Data::LongUnsigned(class), Data::Unsigned(version), Data::OctetString(b), ..] => {
            Some((ObjectEntry { class: *class, version: *version, obis: ln(b)? }, None))
        }
        [Data::Long(base), Data::LongUnsigned(class), Data::Unsigned(version), Data::OctetString(b), ..] => {
            Some((ObjectEntry { class: *class, version: *version, obis: ln(b)? }, Some(*base as u16)))
        }
        _ => None,
    }
}

/// A short-name read result as a GET result.
fn sn_result(r: SnReadResult) -> GetResult {
    match r {
        SnReadResult::Data(d) => Ok(d),
        SnReadResult::Error(code) => Err(code),
        SnReadResult::Block { .. } | SnReadResult::BlockNumber(_) => Err(250),
    }
}

/// Every attribute of an interface class, from 1 (the logical name) on.
pub fn all_attributes(class: u16, obis: [u8; 6]) -> Vec<AttrRef> {
    (1..=i8::MAX)
        .take_while(|&a| classes::attribute_name(class, a).is_some())
        .map(|a| AttrRef::new(class, obis, a))
        .collect()
}

impl Exchange {
    fn new(op: Op, frame: Vec<u8>, deadline: Millis) -> Self {
        Exchange {
            op,
            segments: VecDeque::new(),
            unacked: VecDeque::new(),
            frame,
            attempt: 1,
            deadline,
            rx: Vec::new(),
            blocks: Vec::new(),
            block: 0,
            invoke: 0,
            gbt: Vec::new(),
            gbt_next: 1,
            gbt_own: 1,
        }
    }
}

impl DlmsSession {
    pub fn new(cfg: Config) -> Self {
        let ic = cfg.security.as_ref().map_or(0, |s| s.invocation_counter);
        DlmsSession {
            cfg,
            queue: VecDeque::new(),
            current: None,
            connected: false,
            associated: false,
            ns: 0,
            nr: 0,
            max_tx: 128,
            window_tx: 1,
            server_title: None,
            ic,
            max_pdu: 0xFFFF,
            granted: 0,
            dedicated: false,
            sn_names: None,
            invoke: 0,
            scalers: BTreeMap::new(),
            columns: BTreeMap::new(),
            rx: Vec::new(),
            last_rx: Millis(0),
            final_bit: true,
            timing: None,
            line_times: Vec::new(),
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
            challenge: Vec::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Whether an association is open.
    pub fn is_associated(&self) -> bool {
        self.associated
    }

    /// The next invocation counter (carry it to the next session).
    pub fn invocation_counter(&self) -> u32 {
        self.ic
    }

    /// The conformance the meter granted in the last AARE.
    pub fn granted_conformance(&self) -> u32 {
        self.granted
    }

    /// The I frames the session sends before an acknowledgement (negotiated window).
    pub fn window(&self) -> u8 {
        self.window_tx
    }

    /// The line time of every profile read so far (load profile, event logs),
    /// with the OBIS code of the profile, in the order read: from the first
    /// request (capture objects) to the last byte of the buffer, next to the
    /// wire time of every byte moved in both directions.
    pub fn line_times(&self) -> &[([u8; 6], LineTime)] {
        &self.line_times
    }

    /// Connect the link and open the association (done by itself before the
    /// first service when not called).
    pub fn open(&mut self, now: Millis) {
        let mut ops = Vec::new();
        if self.cfg.transport == Transport::Hdlc && !self.connected {
            ops.push(Op::Snrm);
        }
        ops.push(Op::Aarq);
        self.enqueue(now, ops);
    }

    /// Read attributes, one GET each; registers with their scaler and unit.
    pub fn read(&mut self, now: Millis, attrs: &[AttrRef]) {
        self.enqueue(now, attrs.iter().map(|a| Op::Get(*a, None, Purpose::Value)));
    }

    /// Read attributes in one GET-Request-With-List (one GET each when the
    /// meter does not grant multiple references); registers with their
    /// scaler and unit.
    pub fn read_list(&mut self, now: Millis, attrs: &[AttrRef]) {
        self.enqueue(now, [Op::GetList(attrs.to_vec())]);
    }

    /// Read an attribute with selective access.
    pub fn read_selective(&mut self, now: Millis, attr: AttrRef, access: Access) {
        self.enqueue(now, [Op::Get(attr, Some(access), Purpose::Value)]);
    }

    /// Read every attribute of an object (those its interface class defines).
    pub fn read_object(&mut self, now: Millis, class: u16, obis: [u8; 6]) {
        let attrs = all_attributes(class, obis);
        if !attrs.is_empty() {
            self.read_list(now, &attrs);
        }
    }

    /// Read the clock.
    pub fn read_clock(&mut self, now: Millis) {
        self.enqueue(now, [Op::Get(AttrRef::new(8, CLOCK, 2), None, Purpose::Clock)]);
    }

    /// Set the clock to `time` (the caller's clock: the core reads none).
    pub fn sync_clock(&mut self, now: Millis, time: DateTime, _: Confirm) {
        let attr = AttrRef::new(8, CLOCK, 2);
        self.enqueue(now, [Op::Set(attr, Data::DateTime(octets(time)), Some(time))]);
    }

    /// Browse the object list of the current association.
    pub fn browse(&mut self, now: Millis) {
        self.enqueue(now, [Op::Get(AttrRef::new(15, ASSOCIATION_LN, 2), None, Purpose::ObjectList)]);
    }

    /// Read a profile: its capture objects, then its buffer, whole or by
    /// `access` ([`Access::range`], [`Access::entries`]). Timed: see
    /// [`DlmsSession::line_times`].
    pub fn read_profile(&mut self, now: Millis, obis: [u8; 6], access: Option<Access>) {
        self.enqueue(
            now,
            [
                Op::Get(AttrRef::new(7, obis, 3), None, Purpose::Columns),
                Op::Get(AttrRef::new(7, obis, 2), access, Purpose::Buffer),
            ],
        );
    }

    /// Read an event log (a profile of capture time and event code).
    pub fn read_event_log(&mut self, now: Millis, obis: [u8; 6], access: Option<Access>) {
        self.read_profile(now, obis, access);
    }

    /// Read the firmware identifiers and signature ([`FIRMWARE`]).
    pub fn read_firmware(&mut self, now: Millis) {
        let attrs: Vec<AttrRef> = FIRMWARE.iter().map(|o| AttrRef::new(1, *o, 2)).collect();
        self.read_list(now, &attrs);
    }

    /// Read the alarm register and the alarm filter.
    pub fn read_alarms(&mut self, now: Millis) {
        self.read_list(now, &[AttrRef::new(1, ALARM_REGISTER, 2), AttrRef::new(1, ALARM_FILTER, 2)]);
    }

    /// Clear the alarm register (write 0).
    pub fn clear_alarms(&mut self, now: Millis, confirm: Confirm) {
        self.set(now, AttrRef::new(1, ALARM_REGISTER, 2), Data::DoubleLongUnsigned(0), confirm);
    }

    /// Read the disconnect control: output state, control state, control mode.
    pub fn read_disconnect_control(&mut self, now: Millis) {
        self.read_object(now, 70, DISCONNECT_CONTROL);
    }

    /// Open the supply relay (remote_disconnect, method 1).
    pub fn disconnect(&mut self, now: Millis, confirm: Confirm) {
        self.action(now, AttrRef::new(70, DISCONNECT_CONTROL, 1), Some(Data::Integer(0)), confirm);
    }

    /// Close the supply relay (remote_reconnect, method 2).
    pub fn reconnect(&mut self, now: Millis, confirm: Confirm) {
        self.action(now, AttrRef::new(70, DISCONNECT_CONTROL, 2), Some(Data::Integer(0)), confirm);
    }

    /// Read a push setup object (push objects, destination, windows, retries).
    pub fn read_push_setup(&mut self, now: Millis, obis: [u8; 6]) {
        self.read_object(now, 40, obis);
    }

    /// Trigger a push (method 1 of the push setup).
    pub fn push(&mut self, now: Millis, obis: [u8; 6], confirm: Confirm) {
        self.action(now, AttrRef::new(40, obis, 1), Some(Data::Integer(0)), confirm);
    }

    /// Read an M-Bus client object (the device on an M-Bus channel).
    pub fn read_mbus_client(&mut self, now: Millis, obis: [u8; 6]) {
        self.read_object(now, 72, obis);
    }

    /// Write an attribute (explicitly confirmed).
    pub fn set(&mut self, now: Millis, attr: AttrRef, value: Data, _: Confirm) {
        self.enqueue(now, [Op::Set(attr, value, None)]);
    }

    /// Invoke a method (explicitly confirmed).
    pub fn action(&mut self, now: Millis, method: AttrRef, params: Option<Data>, _: Confirm) {
        self.enqueue(now, [Op::Action(method, params)]);
    }

    /// Release the association and disconnect the link.
    pub fn close(&mut self, now: Millis) {
        let mut ops = vec![Op::Release];
        if self.cfg.transport == Transport::Hdlc {
            ops.push(Op::Disc);
        }
        self.enqueue(now, ops);
    }

    /// Forget queued work (the exchange under way is finished first).
    pub fn cancel(&mut self) {
        self.queue.clear();
    }

    fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.queue.extend(ops);
        self.busy = true;
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.events.push_back(DlmsEvent::Notice(n));
    }

    fn advance(&mut self, now: Millis) {
        while self.current.is_none() {
            let Some(op) = self.queue.pop_front() else {
                if self.busy {
                    self.busy = false;
                    if self.cfg.security.is_some() {
                        self.events.push_back(DlmsEvent::InvocationCounter(self.ic));
                    }
                    self.events.push_back(DlmsEvent::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    fn needs_association(op: &Op) -> bool {
        matches!(op, Op::Get(..) | Op::GetList(_) | Op::Set(..) | Op::Action(..))
    }

    /// Whether an operation needs the short names of the objects.
    fn needs_names(op: &Op) -> bool {
        match op {
            Op::Get(_, _, p) => !matches!(p, Purpose::ObjectList | Purpose::SnNames),
            Op::GetList(_) | Op::Set(..) => true,
            _ => false,
        }
    }

    fn next_invoke(&mut self) -> u8 {
        self.invoke = (self.invoke + 1) % 16;
        0xC0 | self.invoke
    }

    fn start(&mut self, now: Millis, op: Op) {
        if Self::needs_association(&op) && !self.associated {
            self.queue.push_front(op);
            self.queue.push_front(Op::Aarq);
            if self.cfg.transport == Transport::Hdlc && !self.connected {
                self.queue.push_front(Op::Snrm);
            }
            return;
        }
        // A register's value needs its scaler and unit first (once per association).
        let needs_scaler = |s: &Self, a: &AttrRef| {
            matches!(a.class, 3 | 4) && a.index == 2 && !s.scalers.contains_key(&(a.class, a.obis))
        };
        if let Op::Get(a, None, Purpose::Value) = &op
            && needs_scaler(self, a)
        {
            let s = AttrRef::new(a.class, a.obis, 3);
            self.queue.push_front(op);
            self.queue.push_front(Op::Get(s, None, Purpose::Scaler));
            return;
        }
        if let Op::GetList(attrs) = &op {
            // Without multiple references a list is read one attribute at a time.
            if self.granted & conformance::MULTIPLE_REFERENCES == 0 || attrs.len() == 1 {
                for a in attrs.iter().rev() {
                    self.queue.push_front(Op::Get(*a, None, Purpose::Value));
                }
                return;
            }
            // Scalers the list does not read itself come first.
            let missing: Vec<AttrRef> = attrs
                .iter()
                .filter(|a| needs_scaler(self, a) && !attrs.contains(&AttrRef::new(a.class, a.obis, 3)))
                .map(|a| AttrRef::new(a.class, a.obis, 3))
                .collect();
            if !missing.is_empty() {
                self.queue.push_front(op);
                for s in missing.into_iter().rev() {
                    self.queue.push_front(Op::Get(s, None, Purpose::Scaler));
                }
                return;
            }
        }
        // Short names come from the object list, read once per association.
        if self.cfg.short_names && self.sn_names.is_none() && Self::needs_names(&op) {
            self.queue.push_front(op);
            self.queue.push_front(Op::Get(AttrRef::new(12, ASSOCIATION_LN, 2), None, Purpose::SnNames));
            return;
        }
        if let Op::Get(a, _, Purpose::Columns | Purpose::Buffer) = &op
            && self.timing.is_none()
        {
            self.timing = Some((a.obis, LineTime::start(self.cfg.line, now)));
        }
        let invoke = self.next_invoke();
        let apdu = match &op {
            Op::Snrm => {
                let p = LinkParams {
                    max_info_tx: self.cfg.max_info,
                    max_info_rx: self.cfg.max_info,
                    window_tx: self.cfg.window.clamp(1, 7),
                    window_rx: self.cfg.window.clamp(1, 7),
                };
                let frame = self.hdlc(Control::Snrm { pf: true }, p.emit(), false);
                self.send_frame(now, op, frame);
                return;
            }
            Op::Disc => {
                let frame = self.hdlc(Control::Disc { pf: true }, Vec::new(), false);
                self.send_frame(now, op, frame);
                return;
            }
            Op::Aarq => match self.aarq() {
                Ok(apdu) => apdu,
                Err(f) => {
                    self.abort(now, f);
                    return;
                }
            },
            Op::Release => assoc::rlrq(),
            _ if self.cfg.short_names => match self.sn_request(&op) {
                Ok(plain) => self.cipher(plain),
                Err(f) => {
                    self.fail(now, op, f);
                    return;
                }
            },
            Op::HlsReply(stoc) => {
                let Some(sec) = &self.cfg.security else { return };
                let proof = assoc::hls_gmac(&sec.keys, &sec.system_title, self.ic, stoc);
                self.ic = self.ic.wrapping_add(1);
                let method = AttrRef::new(15, ASSOCIATION_LN, 1);
                self.cipher(Request::Action { invoke, method, params: Some(Data::OctetString(proof)) }.emit())
            }
            Op::Get(attr, access, _) => {
                self.cipher(Request::Get { invoke, attr: *attr, access: access.clone() }.emit())
            }
            Op::GetList(attrs) => {
                self.cipher(Request::GetWithList { invoke, items: attrs.iter().map(|a| (*a, None)).collect() }.emit())
            }
            Op::Set(attr, value, _) => {
                self.cipher(Request::Set { invoke, attr: *attr, access: None, value: value.clone() }.emit())
            }
            Op::Action(method, params) => {
                self.cipher(Request::Action { invoke, method: *method, params: params.clone() }.emit())
            }
        };
        self.send_apdu(now, op, apdu, invoke);
    }

    /// The short name of an attribute: the object's base name plus 8 per attribute.
    fn sn_name(&self, a: &AttrRef) -> Option<u16> {
        let base = if a.obis == ASSOCIATION_LN && matches!(a.class, 12 | 15) {
            ASSOCIATION_SN
        } else {
            *self.sn_names.as_ref()?.get(&a.obis)?
        };
        let index = u16::try_from(a.index).ok().filter(|&i| i >= 1)?;
        Some(base.wrapping_add(8 * (index - 1)))
    }

    /// The short-name request (plaintext) of an operation.
    fn sn_request(&self, op: &Op) -> Result<Vec<u8>, Failure> {
        let name = |a: &AttrRef| self.sn_name(a).ok_or(Failure::Refused { code: 4, text: services::result_text(4) });
        match op {
            Op::Get(a, access, _) => {
                let name = name(a)?;
                let v = match access {
                    None => Variable::Name(name),
                    Some(access) => Variable::Parameterized { name, access: access.clone() },
                };
                Ok(SnRequest::Read(vec![v]).emit())
            }
            Op::GetList(attrs) => {
                let vars = attrs.iter().map(|a| name(a).map(Variable::Name)).collect::<Result<Vec<_>, _>>()?;
                Ok(SnRequest::Read(vars).emit())
            }
            Op::Set(a, value, _) => {
                Ok(SnRequest::Write { variables: vec![Variable::Name(name(a)?)], values: vec![value.clone()] }.emit())
            }
            Op::Action(..) | Op::HlsReply(_) => {
                Err(Failure::Unsupported("methods (ACTION, HLS) with short-name referencing".into()))
            }
            _ => Err(Failure::Protocol("no short-name form".into())),
        }
    }

    fn ciphered(&self) -> bool {
        self.cfg.security.as_ref().is_some_and(|s| s.cipher)
    }

    fn aarq(&mut self) -> Result<Vec<u8>, Failure> {
        let ciphered = self.ciphered();
        let sn = if self.cfg.short_names { conformance::CLIENT_SN } else { 0 };
        let init = InitiateRequest {
            // A dedicated key only travels inside a ciphered InitiateRequest.
            dedicated_key: self.cfg.dedicated_key.filter(|_| ciphered).map(|k| k.to_vec()),
            version: 6,
            conformance: self.cfg.conformance | sn,
            max_pdu: self.cfg.max_pdu,
        };
        let (mechanism, auth_value) = match &self.cfg.auth {
            Auth::None => (None, None),
            Auth::Low(p) => (Some(Mechanism::Low), Some(p.clone())),
            Auth::HighGmac => {
                self.challenge = match &self.cfg.challenge {
                    Some(c) => c.clone(),
                    None => self.cfg.random.bytes(16).map_err(Failure::Authentication)?,
                };
                (Some(Mechanism::HighGmac), Some(self.challenge.clone()))
            }
        };
        let title = self.cfg.security.as_ref().map(|s| s.system_title.to_vec());
        let user_info = match (&self.cfg.security, ciphered) {
            (Some(sec), true) => {
                let c = assoc::glo_seal(&sec.keys, &sec.system_title, self.ic, &init.emit());
                self.ic = self.ic.wrapping_add(1);
                c
            }
            _ => init.emit(),
        };
        Ok(Aarq {
            context: AppContext { logical_names: !self.cfg.short_names, ciphered },
            calling_title: title.filter(|_| ciphered || self.cfg.auth == Auth::HighGmac),
            mechanism,
            auth_value,
            user_info,
        }
        .emit())
    }

    /// Cipher an xDLMS APDU when ciphering is on: ded-ciphering with the
    /// dedicated key once the association has one, glo-ciphering otherwise.
    fn cipher(&mut self, apdu: Vec<u8>) -> Vec<u8> {
        let Some(sec) = self.cfg.security.as_ref().filter(|s| s.cipher) else { return apdu };
        let c = match (self.dedicated, self.cfg.dedicated_key) {
            (true, Some(ek)) => assoc::ded_seal(&SuiteKeys { ek, ak: sec.keys.ak }, &sec.system_title, self.ic, &apdu),
            _ => assoc::glo_seal(&sec.keys, &sec.system_title, self.ic, &apdu),
        };
        self.ic = self.ic.wrapping_add(1);
        c
    }

    fn hdlc(&self, control: Control, info: Vec<u8>, segmented: bool) -> Vec<u8> {
        HdlcFrame {
            segmented,
            dst: HdlcAddress::server(self.cfg.server, self.cfg.physical),
            src: HdlcAddress::client(self.cfg.client as u8),
            control,
            info,
        }
        .emit()
    }

    fn deadline(&self, now: Millis, bytes: usize) -> Millis {
        now.after(self.cfg.line.wire_time(bytes) + self.cfg.reply_timeout)
    }

    /// Hand a frame to the transport (counted when a read is timed).
    fn transmit(&mut self, frame: Vec<u8>) {
        if let Some((_, t)) = &mut self.timing {
            t.sent(frame.len());
        }
        self.actions.push_back(Action::Transmit(frame));
    }

    /// Start an exchange with one frame (SNRM, DISC, a wrapped APDU).
    fn send_frame(&mut self, now: Millis, op: Op, frame: Vec<u8>) {
        let deadline = self.deadline(now, frame.len());
        self.transmit(frame.clone());
        self.current = Some(Exchange::new(op, frame, deadline));
    }

    /// Start an exchange with an APDU: wrapped, or in HDLC I frames of at most
    /// the negotiated length, a window of them at a time.
    fn send_apdu(&mut self, now: Millis, op: Op, apdu: Vec<u8>, invoke: u8) {
        if self.cfg.transport == Transport::Wrapper {
            let frame = link::wrap(self.cfg.client, self.cfg.server, &apdu);
            self.send_frame(now, op, frame);
        } else {
            self.current = Some(Exchange::new(op, Vec::new(), now));
            self.queue_segments(&apdu);
            self.send_window(now, false);
        }
        if let Some(ex) = &mut self.current {
            ex.invoke = invoke;
        }
    }

    /// The APDU with its LLC header, cut into information fields.
    fn queue_segments(&mut self, apdu: &[u8]) {
        let mut info = LLC_COMMAND.to_vec();
        info.extend_from_slice(apdu);
        let size = self.max_tx.max(16);
        let n = info.len().div_ceil(size);
        let segments = info.chunks(size).enumerate().map(|(i, c)| (c.to_vec(), i + 1 < n)).collect();
        if let Some(ex) = &mut self.current {
            ex.segments = segments;
        }
    }

    /// Send I frames: those not yet acknowledged again when `resend` (go
    /// back), then new segments up to the window; the poll bit on the last.
    /// False when there was nothing to send.
    fn send_window(&mut self, now: Millis, resend: bool) -> bool {
        let Some(mut ex) = self.current.take() else { return false };
        let window = usize::from(self.window_tx.max(1));
        let mut burst: Vec<(u8, Vec<u8>, bool)> =
            if resend { ex.unacked.iter().cloned().collect() } else { Vec::new() };
        while ex.unacked.len() < window {
            let Some((info, more)) = ex.segments.pop_front() else { break };
            let ns = self.ns;
            self.ns = (self.ns + 1) % 8;
            ex.unacked.push_back((ns, info.clone(), more));
            burst.push((ns, info, more));
        }
        if burst.is_empty() {
            self.current = Some(ex);
            return false;
        }
        let n = burst.len();
        let mut bytes = 0;
        for (i, (ns, info, more)) in burst.into_iter().enumerate() {
            let f = self.hdlc(Control::I { ns, nr: self.nr, pf: i + 1 == n }, info, more);
            bytes += f.len();
            if i + 1 == n {
                ex.frame = f.clone();
            }
            self.transmit(f);
        }
        ex.attempt = if resend { ex.attempt.saturating_add(1) } else { 1 };
        ex.deadline = self.deadline(now, bytes);
        self.current = Some(ex);
        true
    }

    /// Send the next APDU of the same exchange (GET-Request-Next, the next
    /// short-name block, a GBT acknowledgement).
    fn next_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        match self.cfg.transport {
            Transport::Wrapper => {
                let frame = link::wrap(self.cfg.client, self.cfg.server, &apdu);
                self.continue_with(now, frame);
            }
            Transport::Hdlc => {
                self.queue_segments(&apdu);
                self.send_window(now, false);
            }
        }
    }

    /// Put a new frame on the line for the current exchange.
    fn continue_with(&mut self, now: Millis, frame: Vec<u8>) {
        let deadline = self.deadline(now, frame.len());
        self.transmit(frame.clone());
        if let Some(ex) = &mut self.current {
            ex.frame = frame;
            ex.attempt = 1;
            ex.deadline = deadline;
        }
    }

    /// RR with the poll bit: "send on from N(R)". `again` when it asks for
    /// frames once more (counted like a retransmission).
    fn poll(&mut self, now: Millis, again: bool) {
        let frame = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
        if !again {
            self.continue_with(now, frame);
            return;
        }
        let Some(ex) = self.current.as_mut() else { return };
        if ex.attempt > self.cfg.retries {
            let op = ex.op.clone();
            self.current = None;
            self.fail(now, op, Failure::Protocol("the meter's frames keep arriving out of sequence".into()));
            return;
        }
        ex.attempt += 1;
        ex.frame = frame.clone();
        ex.deadline = now.after(self.cfg.line.wire_time(frame.len()) + self.cfg.reply_timeout);
        self.transmit(frame);
    }

    fn retry(&mut self, now: Millis) {
        let Some(mut ex) = self.current.take() else { return };
        self.rx.clear();
        if ex.attempt > self.cfg.retries {
            let attempts = ex.attempt;
            self.fail(now, ex.op, Failure::Timeout { attempts });
            return;
        }
        ex.attempt += 1;
        self.notice(Notice::Retry { attempt: ex.attempt });
        ex.deadline = self.deadline(now, ex.frame.len());
        self.transmit(ex.frame.clone());
        self.current = Some(ex);
    }

    fn attr_of_op(op: &Op) -> Option<AttrRef> {
        match op {
            Op::Get(a, ..) | Op::Set(a, ..) | Op::Action(a, _) => Some(*a),
            _ => None,
        }
    }

    /// The timed profile read is over.
    fn end_timing(&mut self) {
        if let Some(t) = self.timing.take() {
            self.line_times.push(t);
        }
    }

    /// End an exchange with a failure. A failed link or association ends
    /// every queued service too.
    fn fail(&mut self, now: Millis, op: Op, failure: Failure) {
        let link_lost = matches!(op, Op::Snrm)
            || matches!(failure, Failure::Timeout { .. } | Failure::DisconnectedMode | Failure::FrameReject(_));
        let fatal = link_lost || matches!(op, Op::Aarq | Op::HlsReply(_));
        if fatal || matches!(op, Op::Get(_, _, Purpose::Buffer)) {
            self.end_timing();
        }
        self.events.push_back(DlmsEvent::Error { attr: Self::attr_of_op(&op), failure });
        if fatal {
            self.associated = false;
            if link_lost {
                self.connected = false;
            }
            let queue = std::mem::take(&mut self.queue);
            for op in queue {
                if Self::needs_association(&op) {
                    let attr = Self::attr_of_op(&op);
                    self.events.push_back(DlmsEvent::Error { attr, failure: Failure::NotAssociated });
                } else if !matches!(op, Op::Aarq | Op::HlsReply(_) | Op::Release) {
                    self.queue.push_back(op);
                }
            }
        }
        self.advance(now);
    }

    /// End the exchange under way with a failure.
    fn abort(&mut self, now: Millis, failure: Failure) {
        if let Some(ex) = self.current.take() {
            self.fail(now, ex.op, failure);
        }
    }

    fn finish(&mut self, now: Millis) {
        self.current = None;
        self.advance(now);
    }

    fn process_rx(&mut self, now: Millis) {
        loop {
            if self.rx.is_empty() {
                return;
            }
            let status = match self.cfg.transport {
                Transport::Hdlc => hdlc::frame(&self.rx),
                Transport::Wrapper => wrapper::frame(&self.rx),
            };
            match status {
                FrameStatus::Complete { preamble, len } => {
                    if preamble > 0 {
                        self.rx.drain(..preamble);
                    }
                    let frame: Vec<u8> = self.rx.drain(..len).collect();
                    self.on_frame(now, &frame);
                }
                FrameStatus::Incomplete { preamble, .. } => {
                    if self.rx.len() > RX_LIMIT {
                        let n = self.rx.len();
                        self.rx.clear();
                        self.notice(Notice::Junk(n));
                    } else if preamble > 0 {
                        self.rx.drain(..preamble);
                    }
                    return;
                }
                FrameStatus::NoMatch => {
                    // Skip to the next byte that may start a frame.
                    let start = match self.cfg.transport {
                        Transport::Hdlc => self.rx.iter().skip(1).position(|&b| b == hdlc::FLAG),
                        Transport::Wrapper => self.rx.windows(2).skip(1).position(|w| w == [0, 1]),
                    };
                    let n = start.map_or(self.rx.len(), |p| p + 1);
                    // A lone closing flag of the previous frame is no junk worth reporting.
                    if !(n == 1 && self.rx[0] == hdlc::FLAG) {
                        self.notice(Notice::Junk(n));
                    }
                    self.rx.drain(..n);
                }
            }
        }
    }

    /// N(R) from the meter acknowledges our I frames before it. False when it
    /// names no frame of ours (then nothing changes).
    fn ack(&mut self, nr: u8) -> bool {
        let ns = self.ns;
        let Some(ex) = self.current.as_mut() else { return false };
        if nr != ns && !ex.unacked.iter().any(|u| u.0 == nr) {
            return false;
        }
        while ex.unacked.front().is_some_and(|u| u.0 != nr) {
            ex.unacked.pop_front();
        }
        true
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        if self.cfg.transport == Transport::Wrapper {
            match link::unwrap(bytes) {
                Ok((src, dst, apdu)) if src == self.cfg.server && dst == self.cfg.client => {
                    // A reply streams in (GBT blocks): the wait starts again.
                    let deadline = now.after(self.cfg.reply_timeout);
                    if let Some(ex) = &mut self.current {
                        ex.deadline = ex.deadline.max(deadline);
                    }
                    self.final_bit = false;
                    self.on_apdu(now, apdu);
                }
                Ok(_) => self.notice(Notice::Ignored),
                Err(_) => self.notice(Notice::Garbled(super::hex(bytes))),
            }
            return;
        }
        let f = match HdlcFrame::parse(bytes) {
            Ok(f) => f,
            Err(_) => {
                self.notice(Notice::Garbled(super::hex(bytes)));
                return;
            }
        };
        if f.dst != HdlcAddress::client(self.cfg.client as u8) || f.src.upper != self.cfg.server {
            self.notice(Notice::Ignored);
            return;
        }
        let Some(ex) = self.current.as_ref() else {
            self.notice(Notice::Ignored);
            return;
        };
        let op = ex.op.clone();
        match f.control {
            Control::Ua { .. } if op == Op::Snrm => {
                let p = LinkParams::parse(&f.info).unwrap_or_default();
                // The server's receive length and window bound what we send.
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                self.window_tx = p.window_rx.min(self.cfg.window).clamp(1, 7);
                self.connected = true;
                self.ns = 0;
                self.nr = 0;
                self.events.push_back(DlmsEvent::Connected {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx,
                    window: p.window_tx.min(self.cfg.window.max(1)),
                });
                self.finish(now);
            }
            Control::Ua { .. } | Control::Dm { .. } if op == Op::Disc => {
                self.connected = false;
                self.associated = false;
                self.events.push_back(DlmsEvent::Disconnected);
                self.finish(now);
            }
            Control::Dm { .. } => {
                self.current = None;
                self.connected = false;
                self.fail(now, op, Failure::DisconnectedMode);
            }
            Control::Frmr { .. } => {
                self.current = None;
                self.fail(now, op, Failure::FrameReject(f.info));
            }
            Control::Rr { nr, .. } => {
                // The meter acknowledges segments of ours: go on, or go back to N(R).
                let sending = self.current.as_ref().is_some_and(|ex| !ex.unacked.is_empty() || !ex.segments.is_empty());
                if !sending || !self.ack(nr) {
                    self.notice(Notice::Ignored);
                    return;
                }
                let resend = self.current.as_ref().is_some_and(|ex| !ex.unacked.is_empty());
                if resend && self.current.as_ref().is_some_and(|ex| ex.attempt > self.cfg.retries) {
                    let attempts = self.current.as_ref().map_or(0, |ex| ex.attempt);
                    self.abort(now, Failure::Timeout { attempts });
                    return;
                }
                self.send_window(now, resend);
            }
            Control::I { ns, nr, pf } => {
                self.ack(nr);
                if ns != self.nr {
                    self.notice(Notice::OutOfSequence { ns, expected: self.nr });
                    if pf {
                        // Ask for the frames from the one expected.
                        self.poll(now, true);
                    }
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let reply_timeout = self.cfg.reply_timeout;
                let ex = self.current.as_mut().expect("checked above");
                ex.deadline = now.after(reply_timeout);
                let info = match f.info.as_slice() {
                    [0xE6, 0xE7, rest @ ..] if ex.rx.is_empty() => rest.get(1..).unwrap_or_default(),
                    all => all,
                };
                if ex.rx.len() + info.len() > APDU_LIMIT {
                    self.abort(now, Failure::Protocol("reply too long".into()));
                    return;
                }
                ex.rx.extend_from_slice(info);
                if f.segmented {
                    if pf {
                        self.poll(now, false);
                    }
                    return;
                }
                let apdu = std::mem::take(&mut ex.rx);
                self.final_bit = pf;
                self.on_apdu(now, apdu);
            }
            _ => self.notice(Notice::Ignored),
        }
    }

    fn decipher(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, Failure> {
        let tag = apdu.first().copied().unwrap_or(0);
        if !super::apdu::is_ciphered(tag) {
            return Ok(apdu);
        }
        let (Some(sec), Some(title)) = (&self.cfg.security, self.server_title) else {
            return Err(Failure::Deciphering("ciphered reply without keys or server system title".into()));
        };
        let keys = if assoc::is_ded(tag) {
            let Some(ek) = self.cfg.dedicated_key else {
                return Err(Failure::Deciphering("a ded-ciphered reply, and no dedicated key".into()));
            };
            SuiteKeys { ek, ak: sec.keys.ak }
        } else {
            sec.keys.clone()
        };
        assoc::glo_open(&keys, &title, &apdu).map(|(p, _)| p).map_err(|e| Failure::Deciphering(e.to_string()))
    }

    fn on_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        let Some(ex) = self.current.as_ref() else { return };
        let op = ex.op.clone();
        if apdu.first() == Some(&Gbt::TAG) {
            self.on_gbt(now, &apdu);
            return;
        }
        if op == Op::Aarq {
            self.on_aare(now, &apdu);
            return;
        }
        if op == Op::Release {
            if apdu.first() == Some(&0x63) {
                self.associated = false;
                self.dedicated = false;
                self.sn_names = None;
                self.scalers.clear();
                self.events.push_back(DlmsEvent::Released);
                self.finish(now);
            } else {
                self.abort(now, Failure::Protocol(format!("{} instead of RLRE", super::hex(&apdu))));
            }
            return;
        }
        let plain = match self.decipher(apdu) {
            Ok(p) => p,
            Err(f) => {
                self.abort(now, f);
                return;
            }
        };
        if matches!(plain.first(), Some(0x0C | 0x0D)) {
            self.on_sn(now, op, &plain);
            return;
        }
        let resp = match Response::parse(&plain) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("{e}: {}", super::hex(&plain))));
                return;
            }
        };
        if let Response::Exception { state, service } = resp {
            let text = services::exception_text(state, service);
            self.abort(now, Failure::Exception { state, service, text });
            return;
        }
        match (op.clone(), resp) {
            (Op::Get(..) | Op::GetList(_), Response::GetBlock { last, block, raw, .. }) => match raw {
                Err(code) => self.abort(now, Failure::Refused { code, text: services::result_text(code) }),
                Ok(bytes) => {
                    let Some(joined) = self.join_block(now, block, &bytes, last) else { return };
                    let results = match &op {
                        Op::GetList(_) => services::parse_result_list(&joined),
                        _ => Data::parse(&joined).map(|d| vec![Ok(d)]),
                    };
                    match results {
                        Ok(r) => self.got(now, op, r),
                        Err(e) => self.abort(now, Failure::Protocol(e.to_string())),
                    }
                }
            },
            (Op::Get(..), Response::Get { result, .. }) => self.got(now, op, vec![result]),
            (Op::GetList(_), Response::GetWithList { results, .. }) => self.got(now, op, results),
            (Op::Set(attr, _, time), Response::Set { result, .. }) => self.written(now, attr, time, result),
            (Op::HlsReply(_), Response::Action { result, ret, .. }) => {
                let proof = match ret {
                    Some(Ok(Data::OctetString(p))) if result == 0 => p,
                    _ => {
                        let why = format!("the meter refused f(StoC): {}", services::result_text(result));
                        self.abort(now, Failure::Authentication(why));
                        return;
                    }
                };
                let ok = match (&self.cfg.security, self.server_title) {
                    (Some(sec), Some(title)) => assoc::hls_gmac_check(&sec.keys, &title, &self.challenge, &proof),
                    _ => false,
                };
                if ok {
                    self.associated = true;
                    self.events.push_back(DlmsEvent::Authenticated);
                    self.finish(now);
                } else {
                    self.abort(now, Failure::Authentication("the meter's f(CtoS) does not check".into()));
                }
            }
            (Op::Action(method, _), Response::Action { result, ret, .. }) => {
                if result == 0 {
                    let data = ret.and_then(Result::ok);
                    self.events.push_back(DlmsEvent::Invoked { method, result, data });
                    self.finish(now);
                } else {
                    self.abort(now, Failure::Refused { code: result, text: services::result_text(result) });
                }
            }
            (_, other) => self.abort(now, Failure::Protocol(format!("{other:?}"))),
        }
    }

    /// A data block of a long reply (GET or short-name read): joined, with a
    /// progress event. The whole reply once the last block is in; otherwise
    /// the next block is asked for and `None` returned.
    fn join_block(&mut self, now: Millis, block: u32, bytes: &[u8], last: bool) -> Option<Vec<u8>> {
        let ex = self.current.as_mut()?;
        if ex.blocks.len() + bytes.len() > APDU_LIMIT || block != ex.block.wrapping_add(1) {
            self.abort(now, Failure::Protocol(format!("data block {block} out of order")));
            return None;
        }
        ex.blocks.extend_from_slice(bytes);
        ex.block = block;
        let total = ex.blocks.len();
        let invoke = ex.invoke;
        self.events.push_back(DlmsEvent::Progress { block, bytes: total });
        if last {
            return self.current.as_mut().map(|ex| std::mem::take(&mut ex.blocks));
        }
        let next = if self.cfg.short_names {
            SnRequest::Read(vec![Variable::BlockNumber(block as u16)]).emit()
        } else {
            Request::GetNext { invoke, block }.emit()
        };
        let apdu = self.cipher(next);
        self.next_apdu(now, apdu);
        None
    }

    /// SET answered (logical or short names).
    fn written(&mut self, now: Millis, attr: AttrRef, time: Option<DateTime>, result: u8) {
        if result == 0 {
            self.events.push_back(match time {
                Some(t) => DlmsEvent::ClockSet(t),
                None => DlmsEvent::Written { attr, result },
            });
            self.finish(now);
        } else {
            self.abort(now, Failure::Refused { code: result, text: services::result_text(result) });
        }
    }

    /// A short-name ReadResponse or WriteResponse.
    fn on_sn(&mut self, now: Millis, op: Op, plain: &[u8]) {
        let resp = match SnResponse::parse(plain) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("{e}: {}", super::hex(plain))));
                return;
            }
        };
        match (op.clone(), resp) {
            (Op::Get(..) | Op::GetList(_), SnResponse::Read(results)) => {
                if let [SnReadResult::Block { last, number, raw }] = results.as_slice() {
                    let Some(joined) = self.join_block(now, u32::from(*number), raw, *last) else { return };
                    match services::parse_sn_results(&joined) {
                        Ok(r) => self.got(now, op, r.into_iter().map(sn_result).collect()),
                        Err(e) => self.abort(now, Failure::Protocol(e.to_string())),
                    }
                } else {
                    self.got(now, op, results.into_iter().map(sn_result).collect());
                }
            }
            (Op::Set(attr, _, time), SnResponse::Write(results)) => match results.as_slice() {
                [r] => self.written(now, attr, time, r.err().unwrap_or(0)),
                _ => self.abort(now, Failure::Protocol(format!("{} write results for one", results.len()))),
            },
            (_, other) => self.abort(now, Failure::Protocol(format!("{other:?}"))),
        }
    }

    /// A general-block-transfer APDU: a block of a long reply.
    fn on_gbt(&mut self, now: Millis, apdu: &[u8]) {
        let g = match Gbt::parse(apdu) {
            Ok(g) => g,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("general block transfer: {e}")));
                return;
            }
        };
        let retries = self.cfg.retries;
        let Some(ex) = self.current.as_mut() else { return };
        let in_order = g.number == ex.gbt_next;
        if in_order {
            if ex.gbt.len() + g.data.len() > APDU_LIMIT {
                self.abort(now, Failure::Protocol("reply too long".into()));
                return;
            }
            ex.gbt.extend_from_slice(&g.data);
            ex.gbt_next = ex.gbt_next.wrapping_add(1);
            ex.attempt = 1;
            let (block, bytes) = (u32::from(g.number), ex.gbt.len());
            self.events.push_back(DlmsEvent::Progress { block, bytes });
        } else if g.number > ex.gbt_next {
            // A block is missing: counted, and asked for again at the end of the window.
            ex.attempt = ex.attempt.saturating_add(1);
            if ex.attempt > retries.saturating_add(1) {
                self.abort(now, Failure::Protocol("general block transfer: blocks keep missing".into()));
                return;
            }
        }
        let Some(ex) = self.current.as_mut() else { return };
        if g.last && in_order {
            let joined = std::mem::take(&mut ex.gbt);
            ex.gbt_next = 1;
            if joined.first() == Some(&Gbt::TAG) {
                self.abort(now, Failure::Protocol("general block transfer inside general block transfer".into()));
                return;
            }
            self.on_apdu(now, joined);
            return;
        }
        if g.streaming && !g.last {
            // More blocks of this window follow unasked; over HDLC the meter
            // waits for a poll after a frame with the final bit.
            if self.cfg.transport == Transport::Hdlc && self.final_bit {
                self.poll(now, false);
            }
            return;
        }
        // The end of a window (or a gap): acknowledge the last block held in order.
        let ack = Gbt {
            last: true,
            streaming: false,
            window: self.cfg.gbt_window.clamp(1, 63),
            number: ex.gbt_own,
            ack: ex.gbt_next.wrapping_sub(1),
            data: Vec::new(),
        };
        ex.gbt_own = ex.gbt_own.wrapping_add(1);
        self.next_apdu(now, ack.emit());
    }

    fn on_aare(&mut self, now: Millis, apdu: &[u8]) {
        if apdu.first() != Some(&0x61) {
            // Not an AARE at all (an exception, or bytes of no APDU): name what came.
            let what = match apdu.first().and_then(|&t| super::apdu::tag_name(t)) {
                Some(name) => format!("{name} {}", super::hex(apdu)),
                None => super::hex(apdu),
            };
            self.abort(now, Failure::Protocol(format!("{what} instead of an AARE")));
            return;
        }
        let aare = match Aare::parse(apdu) {
            Ok(a) => a,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("AARE: {e}")));
                return;
            }
        };
        if aare.result != assoc::result::ACCEPTED {
            let text = format!("{}, {}", assoc::result_text(aare.result), aare.diagnostic.text());
            self.abort(now, Failure::Rejected { result: aare.result, diagnostic: aare.diagnostic, text });
            return;
        }
        self.server_title = aare.responding_title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
        let info = aare.user_info.clone().unwrap_or_default();
        let info = match self.decipher(info) {
            Ok(i) => i,
            Err(f) => {
                self.abort(now, f);
                return;
            }
        };
        let resp = match InitiateResponse::parse(&info) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("InitiateResponse: {e}")));
                return;
            }
        };
        self.max_pdu = resp.max_pdu;
        self.granted = resp.conformance;
        self.dedicated = self.cfg.dedicated_key.is_some() && self.ciphered();
        self.sn_names = None;
        self.scalers.clear();
        self.columns.clear();
        self.events.push_back(DlmsEvent::Associated {
            conformance: resp.conformance,
            max_pdu: resp.max_pdu,
            server_title: aare.responding_title.clone(),
            mechanism: aare.mechanism,
        });
        if self.cfg.auth == Auth::HighGmac {
            let Some(stoc) = aare.auth_value.clone() else {
                self.abort(now, Failure::Authentication("no server challenge in the AARE".into()));
                return;
            };
            if self.cfg.security.is_none() || self.server_title.is_none() {
                self.abort(now, Failure::Authentication("HLS-GMAC needs keys and the server system title".into()));
                return;
            }
            self.queue.push_front(Op::HlsReply(stoc));
        } else {
            self.associated = true;
        }
        self.finish(now);
    }

    /// Results of a GET (or short-name read), by purpose.
    fn got(&mut self, now: Millis, op: Op, results: Vec<GetResult>) {
        self.current = None;
        let (attrs, purpose) = match &op {
            Op::Get(a, _, p) => (vec![*a], p.clone()),
            Op::GetList(v) => (v.clone(), Purpose::Value),
            _ => (Vec::new(), Purpose::Value),
        };
        if results.len() != attrs.len() {
            self.fail(now, op, Failure::Protocol(format!("{} results for {} attributes", results.len(), attrs.len())));
            return;
        }
        // Scalers read in the same list apply to the values beside them.
        for (a, r) in attrs.iter().zip(&results) {
            if a.index == 3
                && matches!(a.class, 3 | 4)
                && let Ok(d) = r
                && let Some(su) = scaler_unit(d)
            {
                self.scalers.insert((a.class, a.obis), su);
            }
        }
        for (attr, r) in attrs.into_iter().zip(results) {
            let data = match r {
                Ok(d) => d,
                Err(code) => {
                    if purpose == Purpose::Scaler {
                        // No scaler: the value is read without one.
                        self.scalers.insert((attr.class, attr.obis), (0, 255));
                    }
                    let failure = Failure::Refused { code, text: services::result_text(code) };
                    self.events.push_back(DlmsEvent::Error { attr: Some(attr), failure });
                    continue;
                }
            };
            self.report(attr, &purpose, data);
        }
        if purpose == Purpose::Buffer {
            self.end_timing();
        }
        self.advance(now);
    }

    fn report(&mut self, attr: AttrRef, purpose: &Purpose, data: Data) {
        match purpose {
            Purpose::Scaler => {
                self.scalers.insert((attr.class, attr.obis), scaler_unit(&data).unwrap_or((0, 255)));
            }
            Purpose::Clock => {
                let raw = match &data {
                    Data::DateTime(r) => Some(*r),
                    Data::OctetString(b) if b.len() == 12 => <[u8; 12]>::try_from(b.as_slice()).ok(),
                    _ => None,
                };
                match raw {
                    Some(raw) => self.events.push_back(DlmsEvent::Clock { time: civil(&raw), raw }),
                    None => self.events.push_back(DlmsEvent::Error {
                        attr: Some(attr),
                        failure: Failure::Protocol(format!("clock value {}", data_text(&data))),
                    }),
                }
            }
            Purpose::ObjectList | Purpose::SnNames => {
                let Data::Array(items) = &data else {
                    self.events.push_back(DlmsEvent::Error {
                        attr: Some(attr),
                        failure: Failure::Protocol("object list is no array".into()),
                    });
                    return;
                };
                let entries: Vec<(ObjectEntry, Option<u16>)> = items.iter().filter_map(object_entry).collect();
                if entries.iter().any(|e| e.1.is_some()) || *purpose == Purpose::SnNames {
                    self.sn_names = Some(entries.iter().filter_map(|(o, base)| Some((o.obis, (*base)?))).collect());
                }
                if *purpose == Purpose::ObjectList {
                    self.events.push_back(DlmsEvent::ObjectList(entries.into_iter().map(|e| e.0).collect()));
                }
            }
            Purpose::Columns => {
                let cols = match &data {
                    Data::Array(v) => v.iter().filter_map(attr_of).collect(),
                    _ => Vec::new(),
                };
                self.columns.insert(attr.obis, cols);
            }
            Purpose::Buffer => {
                let rows = match data {
                    Data::Array(v) | Data::CompactArray(_, v) => v
                        .into_iter()
                        .map(|r| match r {
                            Data::Structure(cells) => cells,
                            other => vec![other],
                        })
                        .collect(),
                    other => vec![vec![other]],
                };
                let columns = self.columns.get(&attr.obis).cloned().unwrap_or_default();
                self.events.push_back(DlmsEvent::Profile { obis: attr.obis, columns, rows });
            }
            Purpose::Value => {
                let su = self.scalers.get(&(attr.class, attr.obis)).copied();
                let (text, unit) = match su {
                    Some((s, u)) if attr.index == 2 => (
                        scaled(&data, s).unwrap_or_else(|| data_text(&data)),
                        crate::units::dlms_symbol(u).filter(|u| !u.is_empty()).map(str::to_string),
                    ),
                    _ => (data_text(&data), None),
                };
                self.events.push_back(DlmsEvent::Value { attr, data, text, unit });
            }
        }
    }
}

impl Session for DlmsSession {
    type Event = DlmsEvent;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some((_, t)) = &mut self.timing {
            t.received(now, bytes.len());
        }
        self.rx.extend_from_slice(bytes);
        self.last_rx = now;
        self.process_rx(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        if !self.rx.is_empty() && now.since(self.last_rx) >= self.cfg.byte_gap {
            let n = self.rx.len();
            self.rx.clear();
            self.notice(Notice::Incomplete(n));
        }
        if let Some(ex) = &self.current
            && now >= ex.deadline
            && self.rx.is_empty()
        {
            self.retry(now);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        if self.rx.is_empty() {
            self.current.as_ref().map(|ex| ex.deadline)
        } else {
            Some(self.last_rx.after(self.cfg.byte_gap))
        }
    }

    fn poll_event(&mut self) -> Option<DlmsEvent> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }
}
