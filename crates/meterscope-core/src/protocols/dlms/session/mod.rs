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
use crate::session::{
    DateTime, Kernel, LineSettings, LineTime, Machine, Millis, Notices, Number, Parity, Pending, Random, Retry, Value,
};

mod association;
mod data;
mod hdlc_link;
mod operations;
#[cfg(test)]
mod tests;
mod values;

pub use values::{all_attributes, civil, data_text, guess_class, octets, parse_target, scaled};
use values::{attr_of, object_entry, scaler_unit, sn_result};

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
    /// In words, in a language (the meter's own texts, result and
    /// exception names, as the session wrote them).
    pub fn text(&self, lang: crate::Lang) -> String {
        let zh = lang == crate::Lang::Zh;
        match self {
            Failure::Timeout { attempts } => crate::session::words::timeout(*attempts, lang),
            Failure::Refused { code, text } if zh => format!("被拒绝：{text}（{code}）"),
            Failure::Refused { code, text } => format!("refused: {text} ({code})"),
            Failure::Exception { text, .. } => format!("{}: {text}", lang.pick("exception response", "异常响应")),
            Failure::Rejected { text, .. } => {
                format!("{}: {text}", lang.pick("association rejected", "应用连接被拒绝"))
            }
            Failure::Authentication(t) => format!("{}: {t}", lang.pick("authentication failed", "认证失败")),
            Failure::Deciphering(t) => format!("{}: {t}", lang.pick("cannot decipher the reply", "无法解密应答")),
            Failure::DisconnectedMode => {
                lang.pick("the meter answered DM (disconnected mode)", "电能表应答 DM（断开模式）").into()
            }
            Failure::FrameReject(b) if zh => format!("电能表拒绝了一帧（FRMR {}）", super::hex(b)),
            Failure::FrameReject(b) => format!("the meter rejected a frame (FRMR {})", super::hex(b)),
            Failure::Protocol(t) => format!("{}: {t}", lang.pick("unexpected reply", "意外的应答")),
            Failure::NotAssociated => lang.pick("no association", "未建立应用连接").into(),
            Failure::Unsupported(t) => format!("{}: {t}", lang.pick("not supported", "不支持")),
        }
    }
}

crate::session::words::english_display!(Failure);

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

impl Notice {
    /// In words, in a language.
    pub fn text(&self, lang: crate::Lang) -> String {
        let zh = lang == crate::Lang::Zh;
        match self {
            Notice::Ignored => lang
                .pick("a frame for another address (or our echo) ignored", "忽略发给其他地址的帧（或本机回显）")
                .into(),
            Notice::Garbled(h) => crate::session::words::garbled(h, lang),
            Notice::Junk(k) => crate::session::words::junk(*k, lang),
            Notice::Incomplete(k) => crate::session::words::incomplete(*k, lang),
            Notice::Retry { attempt } => crate::session::words::retry(*attempt, lang),
            Notice::OutOfSequence { ns, expected } if zh => format!("I 帧 N(S) {ns} 顺序错误（应为 {expected}），丢弃"),
            Notice::OutOfSequence { ns, expected } => {
                format!("I frame N(S) {ns} out of sequence (expected {expected})")
            }
        }
    }
}

crate::session::words::english_display!(Notice);

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
    /// An attribute value. `value` has the scaler applied (a number when
    /// the attribute has a scaler), `text` is it in words; `unit` from
    /// scaler_unit.
    Value {
        attr: AttrRef,
        data: Data,
        value: Value,
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

/// What the exchange under way waits for and has joined so far.
#[derive(Debug)]
struct Ask {
    op: Op,
    /// HDLC info fields still to send, each with "more segments follow".
    segments: VecDeque<(Vec<u8>, bool)>,
    /// HDLC I frames sent and not yet acknowledged: N(S), info, segmented.
    unacked: VecDeque<(u8, Vec<u8>, bool)>,
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

/// The exchange under way: the frame on the line (the last of a burst),
/// sent again on a timeout, its try and deadline, and what it waits for.
type Exchange = Pending<Ask>;

/// The DLMS/COSEM client.
#[derive(Debug)]
pub struct DlmsSession {
    cfg: Config,
    /// The queue, the exchange under way, received bytes (framed here, HDLC
    /// or wrapper), the line time of a profile read being timed.
    k: Kernel<Op, Exchange, DlmsEvent, Vec<u8>>,
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
    /// The final bit of the I frame that completed the last APDU.
    final_bit: bool,
    /// The profile being timed (its line time is the kernel's), and those timed so far.
    timed: Option<[u8; 6]>,
    line_times: Vec<([u8; 6], LineTime)>,
    /// The HLS challenge CtoS of the association under way.
    challenge: Vec<u8>,
}

impl Ask {
    fn new(op: Op) -> Self {
        Ask {
            op,
            segments: VecDeque::new(),
            unacked: VecDeque::new(),
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
            k: Kernel::new(
                cfg.byte_gap,
                Vec::new(),
                Notices {
                    junk: |n| DlmsEvent::Notice(Notice::Junk(n)),
                    incomplete: |n| DlmsEvent::Notice(Notice::Incomplete(n)),
                    retry: |attempt| DlmsEvent::Notice(Notice::Retry { attempt }),
                },
            ),
            cfg,
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
            final_bit: true,
            timed: None,
            line_times: Vec::new(),
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
}
