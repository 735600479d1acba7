//! The DLMS/COSEM client session, sans-IO (IEC 62056-46 data link, IEC
//! 62056-47 wrapper, IEC 62056-5-3 application layer).
//!
//! Flows:
//! - **link** (HDLC): SNRM with the proposed information field lengths and
//!   window, UA with the server's; I frames with N(S)/N(R); APDUs longer than
//!   the negotiated length sent in segments (segmentation bit, each segment
//!   acknowledged by RR); segmented replies polled with RR; the last frame
//!   sent again on a reply timeout; DISC/UA at the end; DM and FRMR reported.
//!   The wrapper transport (TCP) has no link layer.
//! - **association**: AARQ with no authentication, a password (low level
//!   security) or HLS-GMAC (client challenge CtoS; the server's challenge
//!   StoC answered with `f(StoC)` by ACTION on the Association LN object,
//!   method 1, and the server's `f(CtoS)` checked). With ciphering every
//!   xDLMS APDU is glo-ciphered (suite 0) with the client system title and
//!   an invocation counter that goes on from the configured value; the server
//!   system title comes from the AARE. A rejection is reported in words.
//! - **services**: GET normal, with-list and with selective access; data
//!   blocks asked for with GET-Request-Next and joined, with progress events;
//!   SET and ACTION only with an explicit [`Confirm`]. Registers are read
//!   with their scaler and unit, read once per association and cached. Clock
//!   read and sync, object-list browsing and profile reads (capture objects,
//!   then the buffer by range or by entries) are flows of their own.
//! - **release**: RLRQ, then DISC.

use std::collections::{BTreeMap, VecDeque};

use super::assoc::{self, Aare, Aarq, AppContext, InitiateRequest, InitiateResponse, Mechanism, SuiteKeys};
use super::axdr::Data;
use super::hdlc::{self, Control};
use super::link::{self, HdlcAddress, HdlcFrame, LLC_COMMAND, LinkParams};
use super::services::{self, Access, AttrRef, GetResult, Request, Response};
use super::{classes, wrapper};
use crate::obis;
use crate::registry::FrameStatus;
use crate::session::{Action, DateTime, LineSettings, Millis, Parity, Session};

/// Most bytes kept while waiting for a frame to complete.
const RX_LIMIT: usize = 70_000;
/// Most bytes of one reply joined from segments or data blocks.
const APDU_LIMIT: usize = 1 << 20;

/// The Association LN object of the current association.
pub const ASSOCIATION_LN: [u8; 6] = [0, 0, 40, 0, 0, 255];
/// The clock object.
pub const CLOCK: [u8; 6] = [0, 0, 1, 0, 0, 255];

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Client challenge CtoS for HLS (8 to 64 bytes; the core has no random source).
    pub challenge: Vec<u8>,
    pub line: LineSettings,
    /// Information field length and window proposed in SNRM.
    pub max_info: u16,
    pub window: u8,
    /// Largest APDU the client accepts (InitiateRequest).
    pub max_pdu: u16,
    pub conformance: u32,
    /// How long to wait for a reply after the request has left, in ms.
    pub reply_timeout: u64,
    /// Longest silence between two bytes of one frame, in ms.
    pub byte_gap: u64,
    /// Retransmissions after the first attempt.
    pub retries: u8,
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
            challenge: b"meterscp".to_vec(),
            line: LineSettings::new(9600, 8, Parity::None, 1),
            max_info: 128,
            window: 1,
            max_pdu: 1024,
            conformance: assoc::conformance::CLIENT_LN,
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

/// One entry of the object list (Association LN attribute 2).
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
    /// Info fields (HDLC) still to send after the one on the line.
    segments: VecDeque<Vec<u8>>,
    /// The frame on the line, sent again on a timeout.
    frame: Vec<u8>,
    attempt: u8,
    deadline: Millis,
    /// Reply segments joined.
    rx: Vec<u8>,
    /// Data blocks joined, and the last block number.
    blocks: Vec<u8>,
    block: u32,
    invoke: u8,
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
    server_title: Option<[u8; 8]>,
    ic: u32,
    max_pdu: u16,
    invoke: u8,
    scalers: BTreeMap<(u16, [u8; 6]), (i8, u8)>,
    columns: BTreeMap<[u8; 6], Vec<AttrRef>>,
    rx: Vec<u8>,
    last_rx: Millis,
    actions: VecDeque<Action>,
    events: VecDeque<DlmsEvent>,
    busy: bool,
}

/// The interface class an OBIS code usually has, when the caller gives none:
/// clock 8, profiles 7, association LN 15, disconnect control 70, registers
/// of electricity (A = 1) 3, everything else data (1).
pub fn guess_class(code: [u8; 6]) -> u16 {
    match code {
        [0, _, 1, 0, _, _] => 8,
        [_, _, 99, ..] => 7,
        [0, _, 40, 0, _, _] => 15,
        [0, _, 96, 3, 10, _] => 70,
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
            server_title: None,
            ic,
            max_pdu: 0xFFFF,
            invoke: 0,
            scalers: BTreeMap::new(),
            columns: BTreeMap::new(),
            rx: Vec::new(),
            last_rx: Millis(0),
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
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

    /// Read attributes in one GET-Request-With-List.
    pub fn read_list(&mut self, now: Millis, attrs: &[AttrRef]) {
        self.enqueue(now, [Op::GetList(attrs.to_vec())]);
    }

    /// Read an attribute with selective access.
    pub fn read_selective(&mut self, now: Millis, attr: AttrRef, access: Access) {
        self.enqueue(now, [Op::Get(attr, Some(access), Purpose::Value)]);
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
    /// `access` ([`Access::range`], [`Access::entries`]).
    pub fn read_profile(&mut self, now: Millis, obis: [u8; 6], access: Option<Access>) {
        self.enqueue(
            now,
            [
                Op::Get(AttrRef::new(7, obis, 3), None, Purpose::Columns),
                Op::Get(AttrRef::new(7, obis, 2), access, Purpose::Buffer),
            ],
        );
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

    fn next_invoke(&mut self) -> u8 {
        self.invoke = (self.invoke + 1) % 16;
        0xC0 | self.invoke
    }

    fn start(&mut self, now: Millis, op: Op) {
        if Self::needs_association(&op) && !self.associated {
            self.queue.push_front(op);
            if self.cfg.transport == Transport::Hdlc && !self.connected {
                self.queue.push_front(Op::Aarq);
                self.queue.push_front(Op::Snrm);
            } else {
                self.queue.push_front(Op::Aarq);
            }
            return;
        }
        // A register's value needs its scaler and unit first (once per association).
        if let Op::Get(a, None, Purpose::Value) = &op
            && matches!(a.class, 3 | 4)
            && a.index == 2
            && !self.scalers.contains_key(&(a.class, a.obis))
        {
            let s = AttrRef::new(a.class, a.obis, 3);
            self.queue.push_front(op);
            self.queue.push_front(Op::Get(s, None, Purpose::Scaler));
            return;
        }
        let invoke = self.next_invoke();
        let apdu = match &op {
            Op::Snrm => {
                let p = LinkParams {
                    max_info_tx: self.cfg.max_info,
                    max_info_rx: self.cfg.max_info,
                    window_tx: self.cfg.window,
                    window_rx: self.cfg.window,
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
            Op::Aarq => self.aarq(),
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
            Op::Release => assoc::rlrq(),
        };
        self.send_apdu(now, op, apdu, invoke);
    }

    fn aarq(&mut self) -> Vec<u8> {
        let init = InitiateRequest {
            dedicated_key: None,
            version: 6,
            conformance: self.cfg.conformance,
            max_pdu: self.cfg.max_pdu,
        };
        let ciphered = self.cfg.security.as_ref().is_some_and(|s| s.cipher);
        let (mechanism, auth_value) = match &self.cfg.auth {
            Auth::None => (None, None),
            Auth::Low(p) => (Some(Mechanism::Low), Some(p.clone())),
            Auth::HighGmac => (Some(Mechanism::HighGmac), Some(self.cfg.challenge.clone())),
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
        Aarq {
            context: AppContext { logical_names: true, ciphered },
            calling_title: title.filter(|_| ciphered || self.cfg.auth == Auth::HighGmac),
            mechanism,
            auth_value,
            user_info,
        }
        .emit()
    }

    /// Glo-cipher an xDLMS APDU when ciphering is on.
    fn cipher(&mut self, apdu: Vec<u8>) -> Vec<u8> {
        match &self.cfg.security {
            Some(sec) if sec.cipher => {
                let c = assoc::glo_seal(&sec.keys, &sec.system_title, self.ic, &apdu);
                self.ic = self.ic.wrapping_add(1);
                c
            }
            _ => apdu,
        }
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

    fn deadline(&self, now: Millis, frame: &[u8]) -> Millis {
        now.after(self.cfg.line.wire_time(frame.len()) + self.cfg.reply_timeout)
    }

    fn send_frame(&mut self, now: Millis, op: Op, frame: Vec<u8>) {
        let deadline = self.deadline(now, &frame);
        self.actions.push_back(Action::Transmit(frame.clone()));
        self.current = Some(Exchange {
            op,
            segments: VecDeque::new(),
            frame,
            attempt: 1,
            deadline,
            rx: Vec::new(),
            blocks: Vec::new(),
            block: 0,
            invoke: 0,
        });
    }

    /// Send an APDU: wrapped, or in HDLC I frames of at most the negotiated length.
    fn send_apdu(&mut self, now: Millis, op: Op, apdu: Vec<u8>, invoke: u8) {
        if self.cfg.transport == Transport::Wrapper {
            let frame = link::wrap(self.cfg.client, self.cfg.server, &apdu);
            self.send_frame(now, op, frame);
        } else {
            let mut info = LLC_COMMAND.to_vec();
            info.extend_from_slice(&apdu);
            let mut segments: VecDeque<Vec<u8>> = info.chunks(self.max_tx.max(16)).map(<[u8]>::to_vec).collect();
            let first = segments.pop_front().unwrap_or_default();
            let frame = self.i_frame(first, !segments.is_empty());
            self.send_frame(now, op, frame);
            if let Some(ex) = &mut self.current {
                ex.segments = segments;
            }
        }
        if let Some(ex) = &mut self.current {
            ex.invoke = invoke;
        }
    }

    fn i_frame(&mut self, info: Vec<u8>, segmented: bool) -> Vec<u8> {
        let f = self.hdlc(Control::I { ns: self.ns, nr: self.nr, pf: true }, info, segmented);
        self.ns = (self.ns + 1) % 8;
        f
    }

    /// Put a new frame on the line for the current exchange.
    fn continue_with(&mut self, now: Millis, frame: Vec<u8>) {
        let deadline = self.deadline(now, &frame);
        self.actions.push_back(Action::Transmit(frame.clone()));
        if let Some(ex) = &mut self.current {
            ex.frame = frame;
            ex.attempt = 1;
            ex.deadline = deadline;
        }
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
        ex.deadline = self.deadline(now, &ex.frame);
        self.actions.push_back(Action::Transmit(ex.frame.clone()));
        self.current = Some(ex);
    }

    fn attr_of_op(op: &Op) -> Option<AttrRef> {
        match op {
            Op::Get(a, ..) | Op::Set(a, ..) | Op::Action(a, _) => Some(*a),
            _ => None,
        }
    }

    /// End an exchange with a failure. A failed link or association ends
    /// every queued service too.
    fn fail(&mut self, now: Millis, op: Op, failure: Failure) {
        let link_lost = matches!(op, Op::Snrm)
            || matches!(failure, Failure::Timeout { .. } | Failure::DisconnectedMode | Failure::FrameReject(_));
        let fatal = link_lost || matches!(op, Op::Aarq | Op::HlsReply(_));
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

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        if self.cfg.transport == Transport::Wrapper {
            match link::unwrap(bytes) {
                Ok((src, dst, apdu)) if src == self.cfg.server && dst == self.cfg.client => {
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
                // The server's receive length bounds what we send.
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                self.connected = true;
                self.ns = 0;
                self.nr = 0;
                self.events.push_back(DlmsEvent::Connected {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx,
                    window: p.window_tx.min(self.cfg.window),
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
                // The meter acknowledges a segment of ours: send the next.
                let next = self.current.as_mut().and_then(|ex| ex.segments.pop_front());
                match next {
                    Some(seg) if nr == self.ns => {
                        let more = self.current.as_ref().is_some_and(|ex| !ex.segments.is_empty());
                        let frame = self.i_frame(seg, more);
                        self.continue_with(now, frame);
                    }
                    Some(seg) => {
                        if let Some(ex) = &mut self.current {
                            ex.segments.push_front(seg);
                        }
                        self.notice(Notice::Ignored);
                    }
                    None => self.notice(Notice::Ignored),
                }
            }
            Control::I { ns, .. } => {
                if ns != self.nr {
                    self.notice(Notice::OutOfSequence { ns, expected: self.nr });
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let ex = self.current.as_mut().expect("checked above");
                let info = if ex.rx.is_empty() && f.info.starts_with(&[0xE6, 0xE7]) { &f.info[3..] } else { &f.info };
                if ex.rx.len() + info.len() > APDU_LIMIT {
                    self.current = None;
                    self.fail(now, op, Failure::Protocol("reply too long".into()));
                    return;
                }
                ex.rx.extend_from_slice(info);
                if f.segmented {
                    let frame = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
                    self.continue_with(now, frame);
                } else {
                    let apdu = std::mem::take(&mut ex.rx);
                    self.on_apdu(now, apdu);
                }
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
        assoc::glo_open(&sec.keys, &title, &apdu).map(|(p, _)| p).map_err(|e| Failure::Deciphering(e.to_string()))
    }

    fn on_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        let Some(ex) = self.current.as_ref() else { return };
        let op = ex.op.clone();
        if op == Op::Aarq {
            self.on_aare(now, &apdu);
            return;
        }
        if op == Op::Release {
            if apdu.first() == Some(&0x63) {
                self.associated = false;
                self.scalers.clear();
                self.events.push_back(DlmsEvent::Released);
                self.finish(now);
            } else {
                self.current = None;
                self.fail(now, op, Failure::Protocol(format!("{} instead of RLRE", super::hex(&apdu))));
            }
            return;
        }
        let plain = match self.decipher(apdu) {
            Ok(p) => p,
            Err(f) => {
                self.current = None;
                self.fail(now, op, f);
                return;
            }
        };
        let resp = match Response::parse(&plain) {
            Ok(r) => r,
            Err(e) => {
                self.current = None;
                self.fail(now, op, Failure::Protocol(format!("{e}: {}", super::hex(&plain))));
                return;
            }
        };
        if let Response::Exception { state, service } = resp {
            self.current = None;
            let text = services::exception_text(state, service);
            self.fail(now, op, Failure::Exception { state, service, text });
            return;
        }
        match (op.clone(), resp) {
            (Op::Get(..) | Op::GetList(_), Response::GetBlock { last, block, raw, .. }) => {
                let ex = self.current.as_mut().expect("checked");
                match raw {
                    Err(code) => {
                        self.current = None;
                        self.fail(now, op, Failure::Refused { code, text: services::result_text(code) });
                    }
                    Ok(bytes) => {
                        if ex.blocks.len() + bytes.len() > APDU_LIMIT || block != ex.block + 1 {
                            self.current = None;
                            self.fail(now, op, Failure::Protocol(format!("data block {block} out of order")));
                            return;
                        }
                        ex.blocks.extend_from_slice(&bytes);
                        ex.block = block;
                        let total = ex.blocks.len();
                        self.events.push_back(DlmsEvent::Progress { block, bytes: total });
                        if last {
                            let joined = std::mem::take(&mut ex.blocks);
                            let results = match &op {
                                Op::GetList(_) => services::parse_result_list(&joined),
                                _ => Data::parse(&joined).map(|d| vec![Ok(d)]),
                            };
                            match results {
                                Ok(r) => self.got(now, op, r),
                                Err(e) => {
                                    self.current = None;
                                    self.fail(now, op, Failure::Protocol(e.to_string()));
                                }
                            }
                        } else {
                            let invoke = ex.invoke;
                            let apdu = self.cipher(Request::GetNext { invoke, block }.emit());
                            self.next_apdu(now, apdu);
                        }
                    }
                }
            }
            (Op::Get(..), Response::Get { result, .. }) => self.got(now, op, vec![result]),
            (Op::GetList(_), Response::GetWithList { results, .. }) => self.got(now, op, results),
            (Op::Set(attr, _, time), Response::Set { result, .. }) => {
                if result == 0 {
                    self.events.push_back(match time {
                        Some(t) => DlmsEvent::ClockSet(t),
                        None => DlmsEvent::Written { attr, result },
                    });
                    self.finish(now);
                } else {
                    self.current = None;
                    self.fail(now, op, Failure::Refused { code: result, text: services::result_text(result) });
                }
            }
            (Op::HlsReply(_), Response::Action { result, ret, .. }) => {
                let proof = match ret {
                    Some(Ok(Data::OctetString(p))) if result == 0 => p,
                    _ => {
                        self.current = None;
                        let why = format!("the meter refused f(StoC): {}", services::result_text(result));
                        self.fail(now, op, Failure::Authentication(why));
                        return;
                    }
                };
                let ok = match (&self.cfg.security, self.server_title) {
                    (Some(sec), Some(title)) => assoc::hls_gmac_check(&sec.keys, &title, &self.cfg.challenge, &proof),
                    _ => false,
                };
                if ok {
                    self.associated = true;
                    self.events.push_back(DlmsEvent::Authenticated);
                    self.finish(now);
                } else {
                    self.current = None;
                    self.fail(now, op, Failure::Authentication("the meter's f(CtoS) does not check".into()));
                }
            }
            (Op::Action(method, _), Response::Action { result, ret, .. }) => {
                if result == 0 {
                    let data = ret.and_then(Result::ok);
                    self.events.push_back(DlmsEvent::Invoked { method, result, data });
                    self.finish(now);
                } else {
                    self.current = None;
                    self.fail(now, op, Failure::Refused { code: result, text: services::result_text(result) });
                }
            }
            (_, other) => {
                self.current = None;
                self.fail(now, op, Failure::Protocol(format!("{other:?}")));
            }
        }
    }

    /// Send the next APDU of the same exchange (GET-Request-Next).
    fn next_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        let frame = match self.cfg.transport {
            Transport::Wrapper => link::wrap(self.cfg.client, self.cfg.server, &apdu),
            Transport::Hdlc => {
                let mut info = LLC_COMMAND.to_vec();
                info.extend_from_slice(&apdu);
                // GET-Request-Next is short: one segment.
                self.i_frame(info, false)
            }
        };
        self.continue_with(now, frame);
    }

    fn on_aare(&mut self, now: Millis, apdu: &[u8]) {
        let op = Op::Aarq;
        let aare = match Aare::parse(apdu) {
            Ok(a) => a,
            Err(e) => {
                self.current = None;
                self.fail(now, op, Failure::Protocol(format!("AARE: {e}")));
                return;
            }
        };
        if aare.result != assoc::result::ACCEPTED {
            self.current = None;
            let text = format!("{}, {}", assoc::result_text(aare.result), aare.diagnostic.text());
            self.fail(now, op, Failure::Rejected { result: aare.result, diagnostic: aare.diagnostic, text });
            return;
        }
        self.server_title = aare.responding_title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
        let info = aare.user_info.clone().unwrap_or_default();
        let info = match self.decipher(info) {
            Ok(i) => i,
            Err(f) => {
                self.current = None;
                self.fail(now, op, f);
                return;
            }
        };
        let resp = match InitiateResponse::parse(&info) {
            Ok(r) => r,
            Err(e) => {
                self.current = None;
                self.fail(now, op, Failure::Protocol(format!("InitiateResponse: {e}")));
                return;
            }
        };
        self.max_pdu = resp.max_pdu;
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
                self.current = None;
                self.fail(now, op, Failure::Authentication("no server challenge in the AARE".into()));
                return;
            };
            if self.cfg.security.is_none() || self.server_title.is_none() {
                self.current = None;
                self.fail(now, op, Failure::Authentication("HLS-GMAC needs keys and the server system title".into()));
                return;
            }
            self.queue.push_front(Op::HlsReply(stoc));
        } else {
            self.associated = true;
        }
        self.finish(now);
    }

    /// Results of a GET, by purpose.
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
        self.advance(now);
    }

    fn report(&mut self, attr: AttrRef, purpose: &Purpose, data: Data) {
        match purpose {
            Purpose::Scaler => {
                let su = match &data {
                    Data::Structure(v) => match v.as_slice() {
                        [Data::Integer(s), Data::Enum(u)] => Some((*s, *u)),
                        _ => None,
                    },
                    _ => None,
                };
                self.scalers.insert((attr.class, attr.obis), su.unwrap_or((0, 255)));
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
            Purpose::ObjectList => {
                let Data::Array(items) = &data else {
                    self.events.push_back(DlmsEvent::Error {
                        attr: Some(attr),
                        failure: Failure::Protocol("object list is no array".into()),
                    });
                    return;
                };
                let list = items
                    .iter()
                    .filter_map(|i| match i {
                        Data::Structure(v) => match v.as_slice() {
                            [Data::LongUnsigned(class), Data::Unsigned(version), Data::OctetString(ln), ..]
                                if ln.len() == 6 =>
                            {
                                let mut obis = [0u8; 6];
                                obis.copy_from_slice(ln);
                                Some(ObjectEntry { class: *class, version: *version, obis })
                            }
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect();
                self.events.push_back(DlmsEvent::ObjectList(list));
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
                        classes::unit(u).filter(|u| !u.is_empty()).map(str::to_string),
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
