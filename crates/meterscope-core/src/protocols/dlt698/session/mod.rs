//! The DL/T 698.45 client session, sans-IO.
//!
//! Flows:
//! - **find the meter**: GET-Request-Normal of `40010200` (communication
//!   address) to the wildcard address (AF type 1, every nibble `A`); the reply
//!   carries the meter's address in its frame and in its data.
//! - **GET Normal / NormalList**: one OAD, or several in one request.
//! - **GET Record**: an OAD with RSD and RCSD (freezes `50020200`, `50040200`,
//!   `50060200`, event records `3xxx0200`); rows come back per column.
//! - **GET Next**: a GET-Response-Next that is not the last block is followed
//!   by GET-Request-Next with the block number, until the last block; the
//!   blocks are joined before they are reported.
//! - **link fragments**: a reply sent in fragments is reassembled; every first
//!   and middle fragment is answered with a confirmation frame.
//! - **active reports**: a REPORT-Notification (List or RecordList) is answered
//!   at once with a REPORT-Response naming its OADs and surfaced as an event;
//!   the request under way goes on. A FollowReport in any response is surfaced
//!   too. A LINK-Request (login, heartbeat) is answered with a LINK-Response.
//!
//! Line faults handled here: `FE` wake-up bytes before every transmit;
//! replies in pieces of any size; our own frames echoed back ignored; frames
//! from another address ignored; noise skipped; a reply timeout with retries;
//! a frame that stops arriving dropped after the inter-byte gap. PIIDs count
//! 0–63 and a response must carry the PIID of its request.
//!
//! - **security-mode reads**: with [`ReadSecurity::PlaintextRn`] every GET
//!   (and GET-Request-Next) goes out inside a SECURITY-Request, plaintext with
//!   a fresh 16-byte random number (RN), as meters whose security mode
//!   parameters require it expect; the SECURITY-Response is unwrapped and its
//!   plaintext APDU handled as if it came bare. The MAC it carries is kept
//!   ([`Dlt698Session::last_security`]) but not verified: that takes the
//!   ESAM. A SECURITY-Response error (DAR) fails the request.
//!
//! Values are reported with the scaler of the dictionary applied and their
//! unit (`230.1 V`); the typed [`Data`] stays with them.

use super::codec::{Csd, Data, Rsd};
use super::data::{hex, scaled, tag};
use super::dictionary;
use super::emit::{
    Apdu, ConnectMechanism, ConnectParams, FollowReport, GetResult, NextAnswer, Oad, RecordData, ResultNormal,
    ResultRecord, SecurityData, SecurityResponseData, ServerTail, VerifyInfo, oad, oad_u32,
};
use super::link::{self, FrameRepr};
use super::reassembly::{self, Fragment, FragmentKind, Reassembler};
use crate::lang::Lang;
#[cfg(test)]
use crate::session::Session;
use crate::session::{Kernel, LineSettings, Machine, Millis, Notices, Parity, Pending, Random, Retry, RxBuffer};
use crate::session::{Number, Value};

mod exchange;
mod replies;
#[cfg(test)]
mod tests;
mod values;

use replies::{dar_text, error_text};
use values::connect_result_text;
pub use values::{items, reading, record, render};

/// Most bytes kept while waiting for a frame to complete.
const RX_LIMIT: usize = 8192;

/// How the session talks to the meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The line the transport opens (9600 8E1 by default; 2400 for many meters).
    pub line: LineSettings,
    /// `FE` wake-up bytes sent before every frame (0–4).
    pub wake_up: usize,
    /// How long to wait for a reply after the request has left, in ms.
    pub reply_timeout: u64,
    /// Longest silence between two bytes of one frame, in ms.
    pub byte_gap: u64,
    /// Retransmissions after the first attempt.
    pub retries: u8,
    /// GET-Response-Next blocks read at most for one request.
    pub max_blocks: u16,
    /// Client address CA.
    pub client_address: u8,
    /// Language of names.
    pub lang: Lang,
    /// How GET requests are protected.
    pub security: ReadSecurity,
    /// When an application connection (CONNECT-Request) is opened.
    pub connect: Connect,
    /// The password of a PasswordSecurity connection; `None`: NullSecurity.
    pub password: Option<Vec<u8>>,
    /// Where the RNs of security-mode reads come from.
    pub random: Random,
}

/// When the session opens an application connection before its requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Connect {
    /// When the meter asks for one: a request refused with ERROR-Response
    /// (service not supported, other) or DAR 3 (refused) / 15 (unauthorised)
    /// while no connection is open is sent again inside a connection; later
    /// batches then connect first.
    #[default]
    Auto,
    /// Always, before the first request of a batch.
    Always,
    /// Never (the meter's pre-established public connection only).
    Never,
}

/// The parameters the session proposes in its CONNECT-Request.
pub const CONNECT_PARAMS: ConnectParams = ConnectParams {
    version: 0x0016,
    protocol_conformance: [0xFF; 8],
    function_conformance: [0xFF; 16],
    send_max: 2048,
    receive_max: 2048,
    window: 1,
    apdu_max: 4096,
    timeout: 7200,
};

/// How the session protects its GET requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReadSecurity {
    /// Bare GET requests.
    #[default]
    None,
    /// GET inside SECURITY-Request, plaintext, with a random number (RN) of 16
    /// bytes from [`Config::random`], fresh for every request; the reply is
    /// expected as SECURITY-Response plaintext with a MAC.
    PlaintextRn,
}

/// The security information of the last protected exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityInfo {
    /// The random number sent (hex).
    pub rn: String,
    /// The MAC of the reply (hex), when the meter sent one. Not verified: that needs the ESAM.
    pub mac: Option<String>,
    pub verified: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            wake_up: 4,
            reply_timeout: 1500,
            byte_gap: 500,
            retries: 2,
            max_blocks: 255,
            client_address: 0x10,
            lang: Lang::En,
            security: ReadSecurity::None,
            connect: Connect::Auto,
            password: None,
            random: Random::System,
        }
    }
}

pub use crate::session::Item;

/// The value of one OAD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub oad: u32,
    /// `00100200`.
    pub canonical: String,
    /// The dictionary's description, empty when unknown.
    pub name: String,
    pub items: Vec<Item>,
    pub data: Data,
}

/// The rows of a record read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub oad: u32,
    pub canonical: String,
    pub name: String,
    /// Column OADs (`20210200`), ROADs as `oad>related,…`.
    pub columns: Vec<String>,
    /// Per row, the items of every column.
    pub rows: Vec<Vec<Item>>,
    /// Per row, one Data per column.
    pub data: Vec<Vec<Data>>,
}

/// Why an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No usable reply after every attempt.
    Timeout { attempts: u8 },
    /// The meter answered with a data access result.
    Dar { code: u8, text: String },
    /// The meter answered with ERROR-Response of this type.
    ErrorResponse { kind: u8 },
    /// The meter refused the application connection (CONNECT-Response result).
    ConnectRefused { result: u8 },
    /// No random number could be drawn for a protected request.
    Random(String),
    /// No meter address is known (finding the meter failed).
    NoMeter,
    /// More GET-Response-Next blocks than [`Config::max_blocks`].
    TooManyBlocks,
}

/// Something on the line that was not the reply awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Our own frame came back.
    Echo,
    /// A client frame we did not send.
    ForeignRequest,
    /// A frame from a server with another address (hex as written).
    WrongAddress(String),
    /// A frame that answers nothing under way (its APDU tag and choice).
    Unexpected(String),
    /// A frame with a wrong CRC or an APDU that does not parse (hex).
    Garbled(String),
    /// Bytes that are no frame, dropped.
    Junk(usize),
    /// A frame began but its bytes stopped arriving; dropped.
    Incomplete(usize),
    /// A request is sent again (attempt number from 2).
    Retry { attempt: u8 },
    /// A link fragment arrived and was confirmed.
    Fragment { seq: u16 },
    /// Fragments that do not make an APDU (the reason).
    BadFragments(String),
    /// A GET-Response-Next block arrived; the next is asked for.
    Block { block: u16 },
    /// A LINK-Request from the meter was answered.
    Link { kind: u8 },
    /// An application connection was opened (what the meter granted).
    Connected { version: u16, apdu_max: u16, timeout: u32 },
    /// The meter asked for an application connection (why); one is opened.
    Connecting(String),
    /// The application connection was released (RELEASE-Response result).
    Released { result: u8 },
    /// The meter refused the proposed protocol version and named its own; it is proposed.
    Version { theirs: u16 },
}

/// What the DL/T 698.45 session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dlt698Event {
    /// The meter answered on the wildcard address (its address as written).
    MeterFound(String),
    /// The value of an OAD.
    Value(Reading),
    /// The rows of a record read.
    Record(Record),
    /// A SET was answered (DAR 0 is success).
    Written {
        oad: u32,
        dar: u8,
    },
    /// An active report (REPORT-Notification), already answered.
    Report {
        values: Vec<Reading>,
        records: Vec<Record>,
    },
    /// A FollowReport attached to a response.
    FollowReport {
        values: Vec<Reading>,
        records: Vec<Record>,
    },
    /// An exchange failed; `oad` names the object when there was one.
    Error {
        oad: Option<u32>,
        failure: Failure,
    },
    Notice(Notice),
    /// Every queued request is finished.
    Done,
}

/// A unit of work.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    FindMeter,
    Get(Vec<Oad>),
    Record {
        oad: Oad,
        rsd: Rsd,
        rcsd: Vec<Csd>,
    },
    Set {
        oad: Oad,
        data: Data,
    },
    /// CONNECT-Request.
    Connect,
    /// RELEASE-Request.
    Release,
}

impl Op {
    fn first_oad(&self) -> Option<u32> {
        match self {
            Op::Connect | Op::Release => None,
            Op::FindMeter => Some(0x4001_0200),
            Op::Get(v) => v.first().map(|o| oad_u32(*o)),
            Op::Record { oad, .. } | Op::Set { oad, .. } => Some(oad_u32(*oad)),
        }
    }
}

/// What a request on the line waits for.
#[derive(Clone, Debug)]
struct Ask {
    op: Op,
    piid: u8,
    /// GET-Response-Next blocks so far.
    blocks: u16,
    /// The RN sent with a protected request.
    rn: Option<Vec<u8>>,
    normals: Vec<ResultNormal>,
    records: Vec<ResultRecord>,
}

/// The request on the line: its frame (without wake-up bytes), its try and
/// deadline, and what it waits for.
type Exchange = Pending<Ask>;

/// The DL/T 698.45 client.
#[derive(Debug)]
pub struct Dlt698Session {
    cfg: Config,
    /// Server address in wire order, once known.
    address: Option<Vec<u8>>,
    piid: u8,
    /// The queue, the request on the line, received bytes.
    k: Kernel<Op, Exchange, Dlt698Event>,
    reassembler: Reassembler,
    security: Option<SecurityInfo>,
    /// An application connection is open.
    connected: bool,
    /// A connection was refused (or not answered) in this batch: no more tries.
    refused: bool,
    /// The meter asked for a connection: later batches connect first.
    wants_connect: bool,
    /// The protocol version proposed in CONNECT-Request: ours, or the one a
    /// meter that refused ours for a version mismatch named in its answer.
    connect_version: u16,
}

impl Dlt698Session {
    /// A session for the meter at `address` (as written, `123456789012`), or
    /// for whichever meter answers the wildcard address when `None`.
    pub fn new(cfg: Config, address: Option<&[u8]>) -> Self {
        let mut k = Kernel::new(
            cfg.byte_gap,
            RxBuffer::new(RX_LIMIT),
            Notices {
                junk: |n| Dlt698Event::Notice(Notice::Junk(n)),
                incomplete: |n| Dlt698Event::Notice(Notice::Incomplete(n)),
                retry: |attempt| Dlt698Event::Notice(Notice::Retry { attempt }),
            },
        );
        k.preamble = vec![link::WAKE_UP; cfg.wake_up.min(4)];
        Dlt698Session {
            address: address.map(|a| a.iter().rev().copied().collect()),
            piid: 0,
            k,
            reassembler: Reassembler::new(),
            cfg,
            security: None,
            connected: false,
            refused: false,
            wants_connect: false,
            connect_version: CONNECT_PARAMS.version,
        }
    }

    /// The RN and MAC of the last protected exchange (security-mode reads).
    pub fn last_security(&self) -> Option<&SecurityInfo> {
        self.security.as_ref()
    }

    /// Whether an application connection is open.
    pub fn connected(&self) -> bool {
        self.connected
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The meter's address as written, once known.
    pub fn address(&self) -> Option<String> {
        self.address.as_ref().map(|a| hex(&a.iter().rev().copied().collect::<Vec<_>>()))
    }

    /// Queue "find the meter": GET 40010200 on the wildcard address.
    pub fn find_meter(&mut self, now: Millis) {
        self.enqueue(now, [Op::FindMeter]);
    }

    /// Queue a GET of these OADs: Normal for one, NormalList for several.
    pub fn get(&mut self, now: Millis, oads: &[u32]) {
        if !oads.is_empty() {
            self.enqueue(now, [Op::Get(oads.iter().map(|&o| oad(o)).collect())]);
        }
    }

    /// Queue one GET-Request-Normal per OAD.
    pub fn get_each(&mut self, now: Millis, oads: &[u32]) {
        self.enqueue(now, oads.iter().map(|&o| Op::Get(vec![oad(o)])));
    }

    /// Queue a GET-Request-Record (`rcsd` empty: the meter's default columns).
    pub fn get_record(&mut self, now: Millis, record: u32, rsd: Rsd, rcsd: &[u32]) {
        let rcsd = rcsd.iter().map(|&c| Csd::Oad(oad(c))).collect();
        self.enqueue(now, [Op::Record { oad: oad(record), rsd, rcsd }]);
    }

    /// Queue a SET-Request-Normal.
    pub fn set(&mut self, now: Millis, target: u32, data: Data) {
        self.enqueue(now, [Op::Set { oad: oad(target), data }]);
    }
}

impl Failure {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Failure::Timeout { attempts } => crate::session::words::timeout(*attempts, lang),
            // The DAR's name in the language asked (the one the session kept is in its own).
            Failure::Dar { code, .. } => format!("DAR {code}: {}", replies::dar_text(*code, lang)),
            Failure::ErrorResponse { kind: 1 } if zh => "ERROR-Response：电能表无法解析请求（类型 1）".to_string(),
            Failure::ErrorResponse { kind: 1 } => {
                "ERROR-Response: the meter cannot decode the request (type 1)".to_string()
            }
            Failure::ErrorResponse { kind } if zh => format!(
                "ERROR-Response：{}（类型 {kind}）；电能表可能要求先建立应用连接（CONNECT）",
                error_text(*kind, lang)
            ),
            Failure::ErrorResponse { kind } => format!(
                "ERROR-Response: {} (type {kind}); the meter may require an application connection (CONNECT)",
                error_text(*kind, lang)
            ),
            Failure::ConnectRefused { result } if zh => {
                format!("应用连接被拒绝：{}（CONNECT-Response 结果 {result}）", connect_result_text(*result, lang))
            }
            Failure::ConnectRefused { result } => format!(
                "application connection refused: {} (CONNECT-Response result {result})",
                connect_result_text(*result, lang)
            ),
            Failure::Random(why) => why.clone(),
            Failure::NoMeter => {
                lang.pick("no meter address (finding the meter failed)", "没有表地址（未找到电表）").into()
            }
            Failure::TooManyBlocks => {
                lang.pick("too many GET-Response-Next blocks", "GET-Response-Next 分帧过多").into()
            }
        }
    }
}

crate::session::words::english_display!(Failure);

impl Notice {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Notice::Echo => crate::session::words::echo(lang),
            Notice::ForeignRequest => {
                lang.pick("a client frame we did not send, ignored", "忽略非本机发出的客户机帧").into()
            }
            Notice::WrongAddress(a) if zh => format!("忽略其他服务器（{a}）的帧"),
            Notice::WrongAddress(a) => format!("frame from another server ({a}) ignored"),
            Notice::Unexpected(k) if zh => format!("忽略意外的 {k}"),
            Notice::Unexpected(k) => format!("unexpected {k} ignored"),
            Notice::Garbled(hex) => crate::session::words::garbled(hex, lang),
            Notice::Junk(n) => crate::session::words::junk(*n, lang),
            Notice::Incomplete(n) => crate::session::words::incomplete(*n, lang),
            Notice::Retry { attempt } => crate::session::words::retry(*attempt, lang),
            Notice::Fragment { seq } if zh => format!("已确认链路分帧 {seq}"),
            Notice::Fragment { seq } => format!("link fragment {seq} confirmed"),
            Notice::BadFragments(why) => format!("{}: {why}", lang.pick("fragments dropped", "丢弃分帧")),
            Notice::Block { block } if zh => format!("收到分帧 {block}，请求下一帧"),
            Notice::Block { block } => format!("block {block} received, asking for the next"),
            Notice::Link { kind } if zh => format!("已应答 LINK-Request（类型 {kind}）"),
            Notice::Link { kind } => format!("LINK-Request (type {kind}) answered"),
            Notice::Connecting(why) if zh => format!("{why}：建立应用连接"),
            Notice::Connecting(why) => format!("{why}: opening an application connection"),
            Notice::Connected { version, apdu_max, timeout } if zh => {
                format!("应用连接已建立（协议版本 {version}，APDU 至多 {apdu_max} 字节，超时 {timeout} 秒）")
            }
            Notice::Connected { version, apdu_max, timeout } => format!(
                "application connection open (protocol version {version}, APDU up to {apdu_max} bytes, timeout {timeout} s)"
            ),
            Notice::Released { result: 0 } => lang.pick("application connection released", "应用连接已断开").into(),
            Notice::Released { result } if zh => format!("应用连接已断开（结果 {result}）"),
            Notice::Released { result } => format!("application connection released (result {result})"),
            Notice::Version { theirs } if zh => format!("电能表使用协议版本 {theirs}：以该版本重新连接"),
            Notice::Version { theirs } => {
                format!("the meter speaks protocol version {theirs}: connecting again with it")
            }
        }
    }
}

crate::session::words::english_display!(Notice);
