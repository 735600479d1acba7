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

use std::collections::VecDeque;

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
use crate::session::{Action, LineSettings, Millis, Parity, Random, RxBuffer, Session};

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

/// One labelled value: scaled, with its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Item {
    /// What it is (`total`, `T1`, `phase A`, the object's name, a column).
    pub label: String,
    /// Machine-readable value (`230.1`, `2024-05-17 10:30:00`, hex for bytes).
    pub value: String,
    /// Unit, empty when the value has none.
    pub unit: String,
}

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

/// The request on the line.
#[derive(Clone, Debug)]
struct Exchange {
    op: Op,
    piid: u8,
    /// The frame sent, without wake-up bytes.
    frame: Vec<u8>,
    attempt: u8,
    deadline: Millis,
    /// GET-Response-Next blocks so far.
    blocks: u16,
    /// The RN sent with a protected request.
    rn: Option<Vec<u8>>,
    normals: Vec<ResultNormal>,
    records: Vec<ResultRecord>,
}

/// The DL/T 698.45 client.
#[derive(Debug)]
pub struct Dlt698Session {
    cfg: Config,
    /// Server address in wire order, once known.
    address: Option<Vec<u8>>,
    piid: u8,
    queue: VecDeque<Op>,
    current: Option<Exchange>,
    reassembler: Reassembler,
    rx: RxBuffer,
    last_rx: Millis,
    actions: VecDeque<Action>,
    events: VecDeque<Dlt698Event>,
    busy: bool,
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
        Dlt698Session {
            address: address.map(|a| a.iter().rev().copied().collect()),
            piid: 0,
            queue: VecDeque::new(),
            current: None,
            reassembler: Reassembler::new(),
            rx: RxBuffer::new(RX_LIMIT),
            last_rx: Millis(0),
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
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

    /// `apdu` as it goes on the line: GETs wrapped in SECURITY-Request
    /// (plaintext, RN) in security mode; the RN when one was drawn.
    fn protect(&mut self, apdu: Apdu) -> Result<(Apdu, Option<Vec<u8>>), Failure> {
        let get = matches!(
            apdu,
            Apdu::GetNormal { .. } | Apdu::GetNormalList { .. } | Apdu::GetRecord { .. } | Apdu::GetNext { .. }
        );
        match self.cfg.security {
            ReadSecurity::PlaintextRn if get => {
                let rn = self.cfg.random.bytes(16).map_err(Failure::Random)?;
                let wrapped = Apdu::SecurityRequest {
                    data: SecurityData::Plain(apdu.emit()),
                    verify: VerifyInfo::Rn(rn.clone()),
                };
                Ok((wrapped, Some(rn)))
            }
            _ => Ok((apdu, None)),
        }
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

    /// Forget queued work (the request under way is finished first).
    pub fn cancel(&mut self) {
        self.queue.clear();
    }

    fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.queue.extend(ops);
        self.busy = true;
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.events.push_back(Dlt698Event::Notice(n));
    }

    fn next_piid(&mut self) -> u8 {
        self.piid = (self.piid + 1) & 0x3F;
        self.piid
    }

    fn advance(&mut self, now: Millis) {
        while self.current.is_none() {
            let Some(op) = self.queue.pop_front() else {
                // The batch is over: release the connection it opened.
                if self.connected {
                    self.start(now, Op::Release);
                    continue;
                }
                self.refused = false;
                if self.busy {
                    self.busy = false;
                    self.events.push_back(Dlt698Event::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    /// A client-initiated frame to the meter (or the wildcard address).
    fn request_frame(&self, apdu: &Apdu, wildcard: bool) -> Option<Vec<u8>> {
        let (af, sa) = if wildcard {
            (0x45, vec![0xAA; 6])
        } else {
            let sa = self.address.clone()?;
            ((sa.len() - 1) as u8 & 0x0F, sa)
        };
        Some(FrameRepr { control: 0x43, af, sa, ca: self.cfg.client_address, user_data: apdu.emit() }.emit())
    }

    fn start(&mut self, now: Millis, op: Op) {
        if !matches!(op, Op::FindMeter | Op::Connect | Op::Release) && self.address.is_none() {
            self.queue.push_front(op);
            self.queue.push_front(Op::FindMeter);
            return;
        }
        let upfront = self.cfg.connect == Connect::Always || (self.cfg.connect == Connect::Auto && self.wants_connect);
        // Finding the meter too goes inside the connection (on the wildcard address).
        if !matches!(op, Op::Connect | Op::Release) && upfront && !self.connected && !self.refused {
            self.queue.push_front(op);
            self.queue.push_front(Op::Connect);
            return;
        }
        if op == Op::Release {
            // Closed from here on, whatever the answer.
            self.connected = false;
        }
        let piid = self.next_piid();
        let apdu = match &op {
            Op::FindMeter => Apdu::GetNormal { piid, oad: oad(0x4001_0200), time_tag: None },
            Op::Get(v) if v.len() == 1 => Apdu::GetNormal { piid, oad: v[0], time_tag: None },
            Op::Get(v) => Apdu::GetNormalList { piid, oads: v.clone(), time_tag: None },
            Op::Record { oad, rsd, rcsd } => {
                Apdu::GetRecord { piid, oad: *oad, rsd: rsd.clone(), rcsd: rcsd.clone(), time_tag: None }
            }
            Op::Set { oad, data } => Apdu::SetNormal { piid, oad: *oad, data: data.clone(), time_tag: None },
            Op::Connect => Apdu::ConnectRequest {
                piid,
                params: ConnectParams { version: self.connect_version, ..CONNECT_PARAMS },
                mechanism: match &self.cfg.password {
                    Some(p) => ConnectMechanism::Password(p.clone()),
                    None => ConnectMechanism::Null,
                },
                time_tag: None,
            },
            Op::Release => Apdu::ReleaseRequest { piid, time_tag: None },
        };
        let (apdu, rn) = match self.protect(apdu) {
            Ok(x) => x,
            Err(failure) => {
                self.events.push_back(Dlt698Event::Error { oad: op.first_oad(), failure });
                return;
            }
        };
        let wildcard = op == Op::FindMeter || (op == Op::Connect && self.address.is_none());
        let Some(frame) = self.request_frame(&apdu, wildcard) else { return };
        let deadline = self.deadline(now, &frame);
        self.transmit(&frame);
        self.reassembler.reset();
        self.current = Some(Exchange {
            op,
            piid,
            frame,
            attempt: 1,
            deadline,
            blocks: 0,
            rn,
            normals: Vec::new(),
            records: Vec::new(),
        });
    }

    fn deadline(&self, now: Millis, frame: &[u8]) -> Millis {
        now.after(self.cfg.line.wire_time(frame.len() + self.cfg.wake_up) + self.cfg.reply_timeout)
    }

    fn transmit(&mut self, frame: &[u8]) {
        let mut out = vec![link::WAKE_UP; self.cfg.wake_up.min(4)];
        out.extend_from_slice(frame);
        self.actions.push_back(Action::Transmit(out));
    }

    fn retry(&mut self, now: Millis) {
        let Some(mut ex) = self.current.take() else { return };
        self.rx.clear();
        self.reassembler.reset();
        if ex.attempt > self.cfg.retries {
            self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 });
            return;
        }
        ex.attempt += 1;
        self.notice(Notice::Retry { attempt: ex.attempt });
        ex.deadline = self.deadline(now, &ex.frame);
        let frame = ex.frame.clone();
        self.transmit(&frame);
        self.current = Some(ex);
    }

    /// End the current op with a failure; blocks already received are still reported.
    fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        if ex.op == Op::Connect {
            self.refused = true;
        }
        let oad = ex.op.first_oad();
        let find = ex.op == Op::FindMeter;
        self.report_results(ex.normals, ex.records);
        self.events.push_back(Dlt698Event::Error { oad, failure });
        if find && self.address.is_none() {
            for op in std::mem::take(&mut self.queue) {
                if op != Op::FindMeter {
                    self.events.push_back(Dlt698Event::Error { oad: op.first_oad(), failure: Failure::NoMeter });
                }
            }
        }
        self.advance(now);
    }

    fn process_rx(&mut self, now: Millis) {
        while let Some((frame, junk)) = self.rx.next_frame(link::frame, link::WAKE_UP) {
            if junk > 0 {
                self.notice(Notice::Junk(junk));
            }
            self.on_frame(now, &frame);
        }
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let Ok(frame) = FrameRepr::parse(bytes) else {
            self.notice(Notice::Garbled(hex(bytes)));
            if self.current.is_some() && !self.reassembler.in_progress() {
                self.retry(now);
            }
            return;
        };
        if frame.control & 0x80 == 0 {
            let echo = self.current.as_ref().is_some_and(|ex| ex.frame == bytes);
            self.notice(if echo { Notice::Echo } else { Notice::ForeignRequest });
            return;
        }
        let finding = self.current.as_ref().is_some_and(|ex| ex.op == Op::FindMeter);
        if let Some(a) = &self.address
            && frame.sa != *a
            && !finding
        {
            let written: Vec<u8> = frame.sa.iter().rev().copied().collect();
            self.notice(Notice::WrongAddress(hex(&written)));
            return;
        }
        let apdu_bytes = match Fragment::of(&frame) {
            None => frame.user_data.clone(),
            Some(f) if f.kind == FragmentKind::Confirm => {
                self.notice(Notice::Unexpected("fragment confirmation".into()));
                return;
            }
            Some(f) => match self.reassembler.push(0, &f) {
                Ok(Some(apdu)) => apdu,
                Ok(None) => {
                    let confirm = reassembly::confirm(&frame, f.seq).emit();
                    self.transmit(&confirm);
                    self.notice(Notice::Fragment { seq: f.seq });
                    if let Some(ex) = self.current.as_mut() {
                        ex.deadline = now
                            .after(self.cfg.line.wire_time(confirm.len() + self.cfg.wake_up) + self.cfg.reply_timeout);
                    }
                    return;
                }
                Err(e) => {
                    self.notice(Notice::BadFragments(e.to_string()));
                    if self.current.is_some() {
                        self.retry(now);
                    }
                    return;
                }
            },
        };
        let apdu = match Apdu::parse(&apdu_bytes) {
            Ok(a) => a,
            Err(_) => {
                self.notice(Notice::Garbled(hex(&apdu_bytes)));
                if self.current.is_some() {
                    self.retry(now);
                }
                return;
            }
        };
        let apdu = match apdu {
            Apdu::SecurityResponse { data, mac } => match self.unwrap_security(now, data, mac) {
                Some(inner) => inner,
                None => return,
            },
            other => other,
        };
        self.on_apdu(now, &frame, apdu);
    }

    /// The plaintext APDU of a SECURITY-Response, its MAC kept; `None` when
    /// there is nothing to go on with (an error, a ciphertext, a bad APDU).
    fn unwrap_security(&mut self, now: Millis, data: SecurityResponseData, mac: Option<Vec<u8>>) -> Option<Apdu> {
        match data {
            SecurityResponseData::Plain(bytes) => match Apdu::parse(&bytes) {
                Ok(inner) => {
                    let rn = self.current.as_ref().and_then(|ex| ex.rn.as_deref()).map(hex).unwrap_or_default();
                    self.security = Some(SecurityInfo { rn, mac: mac.as_deref().map(hex), verified: false });
                    Some(inner)
                }
                Err(_) => {
                    self.notice(Notice::Garbled(hex(&bytes)));
                    if self.current.is_some() {
                        self.retry(now);
                    }
                    None
                }
            },
            SecurityResponseData::Dar(code) => {
                match self.current.take() {
                    Some(ex) => self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) }),
                    None => self.notice(Notice::Unexpected("SECURITY-Response".into())),
                }
                None
            }
            SecurityResponseData::Cipher(_) => {
                // Deciphering takes the ESAM; the request times out or is retried.
                self.notice(Notice::Unexpected("SECURITY-Response (ciphertext)".into()));
                None
            }
        }
    }

    /// Answer a server-initiated frame with the same addresses.
    fn answer_server(&mut self, frame: &FrameRepr, control: u8, apdu: &Apdu) {
        let f = FrameRepr { control, af: frame.af, sa: frame.sa.clone(), ca: frame.ca, user_data: apdu.emit() };
        self.transmit(&f.emit());
    }

    fn on_apdu(&mut self, now: Millis, frame: &FrameRepr, apdu: Apdu) {
        match apdu {
            Apdu::ReportNotificationList { piid, results, tail } => {
                let oads = results.iter().map(|r| r.oad).collect();
                self.answer_server(frame, 0x03, &Apdu::ReportResponse { piid, choice: 1, oads, time_tag: None });
                let values = self.readings(&results);
                self.events.push_back(Dlt698Event::Report { values, records: Vec::new() });
                self.follow(&tail);
                return;
            }
            Apdu::ReportNotificationRecordList { piid, results, tail } => {
                let oads = results.iter().map(|r| r.oad).collect();
                self.answer_server(frame, 0x03, &Apdu::ReportResponse { piid, choice: 2, oads, time_tag: None });
                let records = results.iter().filter_map(|r| self.record(r)).collect();
                self.events.push_back(Dlt698Event::Report { values: Vec::new(), records });
                self.follow(&tail);
                return;
            }
            Apdu::ReleaseNotification { .. } => {
                // The meter closed the connection (its timeout ran out).
                self.connected = false;
                self.notice(Notice::Released { result: 0 });
                return;
            }
            Apdu::LinkRequest { piid, kind, time, .. } => {
                // No clock in the core: the request time stands for the others.
                let reply =
                    Apdu::LinkResponse { piid, result: 0, request_time: time, receive_time: time, response_time: time };
                self.answer_server(frame, 0x01, &reply);
                self.notice(Notice::Link { kind });
                return;
            }
            _ => {}
        }
        let Some(mut ex) = self.current.take() else {
            self.notice(Notice::Unexpected(kind_of(&apdu)));
            return;
        };
        if apdu.piid().map(|p| p & 0x3F) != Some(ex.piid & 0x3F) {
            self.current = Some(ex);
            self.notice(Notice::Unexpected(kind_of(&apdu)));
            return;
        }
        if let Some(t) = apdu.tail() {
            self.follow(t);
        }
        if let Some(why) = self.asks_for_connection(&apdu, &ex.op) {
            self.wants_connect = true;
            self.notice(Notice::Connecting(why));
            self.queue.push_front(ex.op);
            self.queue.push_front(Op::Connect);
            self.advance(now);
            return;
        }
        match (apdu, &ex.op) {
            (Apdu::ConnectResponse { params, result, .. }, Op::Connect) => {
                // A version mismatch: propose the meter's version, once.
                if result == 5 && params.version != 0 && params.version != self.connect_version {
                    self.connect_version = params.version;
                    self.notice(Notice::Version { theirs: params.version });
                    self.queue.push_front(Op::Connect);
                    self.advance(now);
                    return;
                }
                if result != 0 {
                    self.fail(now, ex, Failure::ConnectRefused { result });
                    return;
                }
                self.connected = true;
                self.notice(Notice::Connected {
                    version: params.version,
                    apdu_max: params.apdu_max,
                    timeout: params.timeout,
                });
            }
            (Apdu::ReleaseResponse { result, .. }, Op::Release) => self.notice(Notice::Released { result }),
            (Apdu::GetResponseNormal { result, .. }, Op::FindMeter) => {
                let written: Vec<u8> = frame.sa.iter().rev().copied().collect();
                match result.result {
                    GetResult::Dar(code) => {
                        self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) });
                        return;
                    }
                    GetResult::Data(_) => {
                        self.address = Some(frame.sa.clone());
                        self.events.push_back(Dlt698Event::MeterFound(hex(&written)));
                    }
                }
            }
            (Apdu::GetResponseNormal { result, .. }, Op::Get(_)) => self.report_results(vec![result], Vec::new()),
            (Apdu::GetResponseNormalList { results, .. }, Op::Get(_)) => self.report_results(results, Vec::new()),
            (Apdu::GetResponseRecord { result, .. }, Op::Record { .. }) => {
                self.report_results(Vec::new(), vec![result])
            }
            (Apdu::SetResponseNormal { oad, dar, .. }, Op::Set { .. }) => {
                self.events.push_back(Dlt698Event::Written { oad: oad_u32(oad), dar });
            }
            (Apdu::ErrorResponse { kind, .. }, _) => {
                self.fail(now, ex, Failure::ErrorResponse { kind });
                return;
            }
            (Apdu::GetResponseNext { last, block, answer, .. }, Op::Get(_) | Op::Record { .. }) => {
                match answer {
                    NextAnswer::Dar(code) => {
                        self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) });
                        return;
                    }
                    NextAnswer::Normal(v) => ex.normals.extend(v),
                    NextAnswer::Record(v) => {
                        for r in v {
                            merge_record(&mut ex.records, r);
                        }
                    }
                }
                ex.blocks += 1;
                if !last {
                    if ex.blocks >= self.cfg.max_blocks {
                        self.fail(now, ex, Failure::TooManyBlocks);
                        return;
                    }
                    self.notice(Notice::Block { block });
                    let piid = self.next_piid();
                    let next = Apdu::GetNext { piid, last_block: block, time_tag: None };
                    let (next, rn) = match self.protect(next) {
                        Ok(x) => x,
                        Err(failure) => {
                            self.fail(now, ex, failure);
                            return;
                        }
                    };
                    let Some(f) = self.request_frame(&next, false) else { return };
                    ex.piid = piid;
                    ex.rn = rn;
                    ex.attempt = 1;
                    ex.deadline = self.deadline(now, &f);
                    ex.frame = f.clone();
                    self.transmit(&f);
                    self.reassembler.reset();
                    self.current = Some(ex);
                    return;
                }
                self.report_results(ex.normals, ex.records);
            }
            (other, _) => {
                self.current = Some(ex);
                self.notice(Notice::Unexpected(kind_of(&other)));
                return;
            }
        }
        self.advance(now);
    }

    /// Why the meter's answer asks for an application connection, when it
    /// does and one may be opened: a refusal of the whole request while none
    /// is open.
    fn asks_for_connection(&self, apdu: &Apdu, op: &Op) -> Option<String> {
        if self.cfg.connect == Connect::Never
            || self.connected
            || self.refused
            || matches!(op, Op::Connect | Op::Release)
        {
            return None;
        }
        let lang = self.cfg.lang;
        let refused = |code: u8| matches!(code, 3 | 15).then(|| format!("DAR {code}: {}", dar_text(code, lang)));
        match apdu {
            Apdu::ErrorResponse { kind, .. } if *kind != 1 => Some(format!("ERROR-Response: {}", error_text(*kind))),
            Apdu::GetResponseNormal { result: ResultNormal { result: GetResult::Dar(code), .. }, .. } => refused(*code),
            Apdu::GetResponseNormalList { results, .. } => {
                let first = match results.first()?.result {
                    GetResult::Dar(c) => c,
                    GetResult::Data(_) => return None,
                };
                results.iter().all(|r| r.result == GetResult::Dar(first)).then(|| refused(first)).flatten()
            }
            Apdu::GetResponseRecord { result: ResultRecord { data: RecordData::Dar(code), .. }, .. } => refused(*code),
            Apdu::SetResponseNormal { dar, .. } => refused(*dar),
            _ => None,
        }
    }

    fn follow(&mut self, tail: &ServerTail) {
        match &tail.follow {
            None => {}
            Some(FollowReport::Normal(v)) => {
                let values = self.readings(v);
                self.events.push_back(Dlt698Event::FollowReport { values, records: Vec::new() });
            }
            Some(FollowReport::Record(v)) => {
                let records = v.iter().filter_map(|r| self.record(r)).collect();
                self.events.push_back(Dlt698Event::FollowReport { values: Vec::new(), records });
            }
        }
    }

    /// Values and DARs of results, records and their DARs, as events.
    fn report_results(&mut self, normals: Vec<ResultNormal>, records: Vec<ResultRecord>) {
        let lang = self.cfg.lang;
        for r in normals {
            match r.result {
                GetResult::Data(d) => self.events.push_back(Dlt698Event::Value(reading(r.oad, d, lang))),
                GetResult::Dar(code) => self.events.push_back(Dlt698Event::Error {
                    oad: Some(oad_u32(r.oad)),
                    failure: Failure::Dar { code, text: dar_text(code, lang) },
                }),
            }
        }
        for r in records {
            match &r.data {
                RecordData::Dar(code) => self.events.push_back(Dlt698Event::Error {
                    oad: Some(oad_u32(r.oad)),
                    failure: Failure::Dar { code: *code, text: dar_text(*code, lang) },
                }),
                RecordData::Rows(_) => {
                    if let Some(rec) = self.record(&r) {
                        self.events.push_back(Dlt698Event::Record(rec));
                    }
                }
            }
        }
    }

    fn readings(&self, results: &[ResultNormal]) -> Vec<Reading> {
        results
            .iter()
            .filter_map(|r| match &r.result {
                GetResult::Data(d) => Some(reading(r.oad, d.clone(), self.cfg.lang)),
                GetResult::Dar(_) => None,
            })
            .collect()
    }

    fn record(&self, r: &ResultRecord) -> Option<Record> {
        let RecordData::Rows(rows) = &r.data else { return None };
        Some(record(r.oad, &r.rcsd, rows, self.cfg.lang))
    }
}

/// Join rows of the same record from several blocks.
fn merge_record(into: &mut Vec<ResultRecord>, r: ResultRecord) {
    if let Some(prev) = into.iter_mut().find(|p| p.oad == r.oad && p.rcsd == r.rcsd)
        && let (RecordData::Rows(a), RecordData::Rows(b)) = (&mut prev.data, &r.data)
    {
        a.extend(b.iter().cloned());
        return;
    }
    into.push(r);
}

fn kind_of(a: &Apdu) -> String {
    let b = a.emit();
    match b.as_slice() {
        [t, k, ..] if matches!(t, 0x05..=0x08 | 0x85..=0x88) => {
            format!("{}-{k}", super::apdu::service_name(*t).unwrap_or("?"))
        }
        [t, ..] => super::apdu::service_name(*t).unwrap_or("?").to_string(),
        [] => String::new(),
    }
}

/// An ERROR-Response type in words (DL/T 698.45 clause 7.3.x: 1 the APDU
/// cannot be decoded, 2 service not supported, 255 other).
fn error_text(kind: u8) -> &'static str {
    match kind {
        1 => "APDU cannot be decoded",
        2 => "service not supported",
        _ => "other error",
    }
}

fn dar_text(code: u8, lang: Lang) -> String {
    dictionary::dar_name(code, lang).map_or_else(|| format!("DAR {code}"), str::to_string)
}

impl Session for Dlt698Session {
    type Event = Dlt698Event;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.rx.push(bytes);
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

    fn poll_event(&mut self) -> Option<Dlt698Event> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }
}

/// A value as text, `scaler` applied to numbers.
pub fn render(d: &Data, scaler: i8) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Bool(b) => b.to_string(),
        Data::Int { value, .. } => scaled(*value, scaler),
        Data::Fixed { tag: tag::DATE_TIME_S, bytes } if bytes.len() == 7 => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            u16::from_be_bytes([bytes[0], bytes[1]]),
            bytes[2],
            bytes[3],
            bytes[4],
            bytes[5],
            bytes[6]
        ),
        Data::Bytes { tag: tag::VISIBLE_STRING | tag::UTF8_STRING, bytes } => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        Data::Fixed { bytes, .. } | Data::Bytes { bytes, .. } | Data::BitString { bytes, .. } => hex(bytes),
        Data::Array(v) | Data::Structure(v) => {
            format!("[{}]", v.iter().map(|x| render(x, scaler)).collect::<Vec<_>>().join(", "))
        }
        other => hex(&other.to_bytes()),
    }
}

/// The labelled items of the value `d` of `o`: array elements named by the
/// dictionary (total, T1…, phase A…), numbers scaled, units attached.
pub fn items(o: Oad, d: &Data, lang: Lang) -> Vec<Item> {
    let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
    let name = dictionary::object_name(oi, lang).unwrap_or_else(|| hex(&o));
    let hint = dictionary::hint(oi, attr);
    let numeric = |d: &Data| matches!(d, Data::Int { tag: t, .. } if *t != tag::ENUM);
    let unit_of = |d: &Data| match hint {
        Some(h) if numeric(d) => crate::units::dlt698_symbol(h.unit).unwrap_or("").to_string(),
        _ => String::new(),
    };
    let scaler = |d: &Data| if numeric(d) { hint.map_or(0, |h| h.scaler) } else { 0 };
    match (d, hint) {
        (Data::Array(v), Some(h)) if index == 0 && h.elements != dictionary::Elements::None => v
            .iter()
            .enumerate()
            .map(|(i, x)| Item {
                label: h.elements.name(i + 1, lang).unwrap_or_else(|| format!("{}", i + 1)),
                value: render(x, scaler(x)),
                unit: unit_of(x),
            })
            .collect(),
        _ => {
            let label =
                match hint.and_then(|h| (index > 0).then(|| h.elements.name(usize::from(index), lang)).flatten()) {
                    Some(e) => e,
                    None => name,
                };
            vec![Item { label, value: render(d, scaler(d)), unit: unit_of(d) }]
        }
    }
}

fn describe(o: Oad, lang: Lang) -> String {
    let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
    dictionary::describe_oad(oi, attr, index, lang).unwrap_or_default()
}

/// A [`Reading`] of `o`.
pub fn reading(o: Oad, d: Data, lang: Lang) -> Reading {
    Reading { oad: oad_u32(o), canonical: hex(&o), name: describe(o, lang), items: items(o, &d, lang), data: d }
}

/// A [`Record`] of `o` with columns `rcsd`.
pub fn record(o: Oad, rcsd: &[Csd], rows: &[Vec<Data>], lang: Lang) -> Record {
    let columns: Vec<String> = rcsd
        .iter()
        .map(|c| match c {
            Csd::Oad(x) => hex(x),
            Csd::Road { oad, related } => {
                format!("{}>{}", hex(oad), related.iter().map(|r| hex(r)).collect::<Vec<_>>().join(","))
            }
        })
        .collect();
    let row_items = |row: &Vec<Data>| -> Vec<Item> {
        row.iter()
            .zip(rcsd)
            .flat_map(|(d, c)| match c {
                Csd::Oad(x) => {
                    let mut its = items(*x, d, lang);
                    let col = hex(x);
                    for i in its.iter_mut() {
                        i.label = if i.label.is_empty() { col.clone() } else { format!("{col} {}", i.label) };
                    }
                    its
                }
                Csd::Road { oad, .. } => vec![Item { label: hex(oad), value: render(d, 0), unit: String::new() }],
            })
            .collect()
    };
    Record {
        oad: oad_u32(o),
        canonical: hex(&o),
        name: describe(o, lang),
        columns,
        rows: rows.iter().map(row_items).collect(),
        data: rows.to_vec(),
    }
}

/// A CONNECT-Response result in words.
fn connect_result_text(result: u8) -> &'static str {
    match result {
        0 => "allowed",
        1 => "password error",
        2 => "symmetric decryption error",
        3 => "asymmetric decryption error",
        4 => "signature error",
        5 => "protocol version mismatch",
        _ => "other error",
    }
}

/// In words, as the reader and the command line show it.
impl core::fmt::Display for Failure {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let f = self;
        let text: String = {
            match f {
                Failure::Timeout { attempts } => format!("no reply after {attempts} attempt(s)"),
                Failure::Dar { code, text } => format!("DAR {code}: {text}"),
                Failure::ErrorResponse { kind: 1 } => {
                    "ERROR-Response: the meter cannot decode the request (type 1)".to_string()
                }
                Failure::ErrorResponse { kind } => format!(
                    "ERROR-Response: {} (type {kind}); the meter may require an application connection (CONNECT)",
                    error_text(*kind)
                ),
                Failure::ConnectRefused { result } => format!(
                    "application connection refused: {} (CONNECT-Response result {result})",
                    connect_result_text(*result)
                ),
                Failure::Random(why) => why.clone(),
                Failure::NoMeter => "no meter address (finding the meter failed)".to_string(),
                Failure::TooManyBlocks => "too many GET-Response-Next blocks".to_string(),
            }
        };
        out.write_str(&text)
    }
}

/// In words, as the reader and the command line show it.
impl core::fmt::Display for Notice {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self;
        let text: String = {
            match n {
                Notice::Echo => "echo of our request ignored".into(),
                Notice::ForeignRequest => "a client frame we did not send, ignored".into(),
                Notice::WrongAddress(a) => format!("frame from another server ({a}) ignored"),
                Notice::Unexpected(k) => format!("unexpected {k} ignored"),
                Notice::Garbled(hex) => format!("damaged frame: {hex}"),
                Notice::Junk(n) => format!("{n} byte(s) of noise skipped"),
                Notice::Incomplete(n) => format!("{n} byte(s) of an unfinished frame dropped"),
                Notice::Retry { attempt } => format!("sending again (attempt {attempt})"),
                Notice::Fragment { seq } => format!("link fragment {seq} confirmed"),
                Notice::BadFragments(why) => format!("fragments dropped: {why}"),
                Notice::Block { block } => format!("block {block} received, asking for the next"),
                Notice::Link { kind } => format!("LINK-Request (type {kind}) answered"),
                Notice::Connecting(why) => format!("{why}: opening an application connection"),
                Notice::Connected { version, apdu_max, timeout } => format!(
                    "application connection open (protocol version {version}, APDU up to {apdu_max} bytes, timeout {timeout} s)"
                ),
                Notice::Released { result: 0 } => "application connection released".to_string(),
                Notice::Version { theirs } => {
                    format!("the meter speaks protocol version {theirs}: connecting again with it")
                }
                Notice::Released { result } => format!("application connection released (result {result})"),
            }
        };
        out.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::dlt698::codec::Ms;
    use crate::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig, ReportKind};
    use crate::session::{Rng, SimulatedMeter};

    #[derive(Clone, Debug, Default)]
    struct Faults {
        echo: bool,
        noise: bool,
        /// Meter frames (counted from 0) that never arrive.
        drop: Vec<usize>,
        /// Raise an active report of this kind when the session sends its request number `.0` (from 0).
        report: Option<(usize, ReportKind)>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum To {
        Session,
        Meter,
    }

    /// The session and the simulated meter on a virtual clock.
    struct Pair {
        now: Millis,
        session: Dlt698Session,
        meter: Dlt698Meter,
        rng: Rng,
        faults: Faults,
        replies: usize,
        flight: Vec<(Millis, To, Vec<u8>)>,
        events: Vec<Dlt698Event>,
        transmits: Vec<Vec<u8>>,
        /// When the line towards the session is free again.
        line_free: Millis,
    }

    impl Pair {
        fn new(seed: u64, meter: MeterConfig, known: bool, faults: Faults) -> Self {
            Pair::with(seed, meter, known, faults, Config::default())
        }

        fn with(seed: u64, meter: MeterConfig, known: bool, faults: Faults, cfg: Config) -> Self {
            let address = known.then_some(meter.address);
            Pair {
                now: Millis(1_000),
                session: Dlt698Session::new(cfg, address.as_ref().map(|a| a.as_slice())),
                meter: Dlt698Meter::new(meter),
                rng: Rng::new(seed),
                faults,
                replies: 0,
                flight: Vec::new(),
                events: Vec::new(),
                transmits: Vec::new(),
                line_free: Millis(0),
            }
        }

        fn simple(seed: u64) -> Self {
            Pair::new(seed, MeterConfig::default(), true, Faults::default())
        }

        /// Send `bytes` in random pieces; a direction carries one frame at a time.
        fn send(&mut self, at: Millis, to: To, bytes: &[u8]) {
            let mut t = if to == To::Session { at.max(self.line_free) } else { at };
            let mut rest = bytes;
            while !rest.is_empty() {
                let n = (self.rng.range(1, 24) as usize).min(rest.len());
                self.flight.push((t, to, rest[..n].to_vec()));
                rest = &rest[n..];
                t = t.after(self.rng.range(0, 20));
            }
            if to == To::Session {
                self.line_free = t.after(1);
            }
        }

        fn pump(&mut self) {
            while let Some(a) = self.session.poll_action() {
                if let Action::Transmit(bytes) = a {
                    if let Some((k, kind)) = self.faults.report
                        && k == self.transmits.len()
                    {
                        self.meter.raise_report(self.now, kind);
                    }
                    self.transmits.push(bytes.clone());
                    if self.faults.echo {
                        self.send(self.now, To::Session, &bytes);
                    }
                    let arrive = self.now.after(self.session.config().line.wire_time(bytes.len()));
                    self.flight.push((arrive, To::Meter, bytes));
                }
            }
            while let Some(reply) = self.meter.poll_transmit() {
                let k = self.replies;
                self.replies += 1;
                if self.faults.drop.contains(&k) {
                    continue;
                }
                let mut at = self.now.after(self.rng.range(20, 150));
                if self.faults.noise {
                    let junk: Vec<u8> = (0..self.rng.range(1, 6)).map(|_| self.rng.range(0, 255) as u8).collect();
                    self.send(at, To::Session, &junk);
                    at = at.after(30);
                }
                self.send(at, To::Session, &reply);
            }
            while let Some(e) = self.session.poll_event() {
                self.events.push(e);
            }
        }

        fn run(&mut self) {
            for _ in 0..100_000 {
                self.pump();
                if self.session.is_idle() && self.flight.is_empty() {
                    self.pump();
                    return;
                }
                let next_flight = self.flight.iter().map(|f| f.0).min();
                let next = [next_flight, self.session.poll_timeout()].into_iter().flatten().min();
                let Some(next) = next else { panic!("stuck") };
                self.now = self.now.max(next);
                self.flight.sort_by_key(|f| f.0);
                while self.flight.first().is_some_and(|f| f.0 <= self.now) {
                    let (_, to, bytes) = self.flight.remove(0);
                    match to {
                        To::Session => self.session.handle_input(self.now, &bytes),
                        To::Meter => self.meter.handle_input(self.now, &bytes),
                    }
                    self.pump();
                }
                if self.session.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.session.handle_timeout(self.now);
                }
            }
            panic!("the session did not finish");
        }

        fn values(&self) -> Vec<&Reading> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt698Event::Value(r) => Some(r),
                    _ => None,
                })
                .collect()
        }

        fn records(&self) -> Vec<&Record> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt698Event::Record(r) => Some(r),
                    _ => None,
                })
                .collect()
        }

        fn errors(&self) -> Vec<(Option<u32>, Failure)> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt698Event::Error { oad, failure } => Some((*oad, failure.clone())),
                    _ => None,
                })
                .collect()
        }

        fn notices(&self) -> Vec<&Notice> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt698Event::Notice(n) => Some(n),
                    _ => None,
                })
                .collect()
        }
    }

    const OADS: [u32; 8] =
        [0x0010_0200, 0x0020_0200, 0x2000_0200, 0x2001_0200, 0x2004_0200, 0x200A_0200, 0x200F_0200, 0x4000_0200];

    fn num(i: &Item) -> f64 {
        i.value.parse().unwrap_or_else(|_| panic!("{i:?}"))
    }

    #[test]
    fn get_normal_and_list_in_random_pieces_with_echo_and_noise() {
        for seed in 0..10 {
            let faults = Faults { echo: seed % 2 == 0, noise: seed % 3 == 0, ..Faults::default() };
            let mut p = Pair::new(seed, MeterConfig::default(), true, faults);
            p.session.get_each(p.now, &OADS);
            p.session.get(p.now, &OADS);
            p.run();
            let values = p.values();
            assert_eq!(values.len(), 16, "seed {seed}: {:?}", p.errors());
            assert!(p.errors().is_empty(), "{:?}", p.errors());
            assert_eq!(p.transmits.len(), 9, "no retries");
            assert_eq!(p.events.last(), Some(&Dlt698Event::Done));
            let energy = &values[0];
            assert_eq!(energy.canonical, "00100200");
            assert_eq!(energy.items.len(), 5);
            assert_eq!((energy.items[0].label.as_str(), energy.items[0].unit.as_str()), ("total", "kWh"));
            let sum: f64 = energy.items[1..].iter().map(num).sum();
            assert!((num(&energy.items[0]) - sum).abs() < 0.005);
            assert_eq!(values[2].items[0].label, "phase A");
            assert_eq!(values[2].items[0].unit, "V");
            assert!((220.0..230.0).contains(&num(&values[2].items[0])));
            assert_eq!(values[6].items[0].unit, "Hz");
            assert_eq!(values[7].items[0].value.len(), 19);
            if seed % 2 == 0 {
                assert_eq!(p.notices().iter().filter(|n| ***n == Notice::Echo).count(), 9);
            }
        }
    }

    #[test]
    fn finds_the_meter_on_the_wildcard_address() {
        let mut p = Pair::new(1, MeterConfig::default(), false, Faults::default());
        p.session.get(p.now, &[0x0010_0201]);
        p.run();
        assert_eq!(p.events[0], Dlt698Event::MeterFound("123456789012".into()));
        let first = FrameRepr::parse(&p.transmits[0][4..]).unwrap();
        assert_eq!((first.af, first.sa.clone()), (0x45, vec![0xAA; 6]));
        assert_eq!(p.session.address().as_deref(), Some("123456789012"));
        let v = p.values();
        assert_eq!((v[0].items[0].label.as_str(), v[0].items[0].unit.as_str()), ("total", "kWh"));
        // No meter at all: finding fails and the read with it.
        let mut p =
            Pair::new(1, MeterConfig::default(), false, Faults { drop: (0..10).collect(), ..Faults::default() });
        p.session.get(p.now, &[0x0010_0200]);
        p.run();
        assert_eq!(
            p.errors(),
            [(Some(0x4001_0200), Failure::Timeout { attempts: 3 }), (Some(0x0010_0200), Failure::NoMeter)]
        );
    }

    #[test]
    fn record_reads_of_freezes_and_events() {
        let mut p = Pair::simple(2);
        p.session.get_record(p.now, 0x5004_0200, Rsd::S9(1), &[0x2021_0200, 0x0010_0200]);
        p.session.get_record(p.now, 0x5006_0200, Rsd::S9(2), &[0x2021_0200, 0x0010_0201]);
        p.session.get_record(p.now, 0x5002_0200, Rsd::S10(4, Ms::All), &[0x2021_0200, 0x0010_0200]);
        p.session.get_record(p.now, 0x3011_0200, Rsd::S9(1), &[]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        let r = p.records();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].columns, ["20210200", "00100200"]);
        assert_eq!(r[0].rows.len(), 1);
        assert_eq!(r[0].rows[0][0].value, "2024-05-17 00:00:00");
        assert_eq!(r[0].rows[0][1].label, "00100200 total");
        assert_eq!(r[0].rows[0][1].unit, "kWh");
        assert_eq!(r[1].rows[0][0].value, "2024-04-01 00:00:00");
        assert_eq!(r[1].rows[0][1].label, "00100201 total");
        assert_eq!(r[2].rows.len(), 4);
        assert_eq!(r[2].rows[0][0].value, "2024-05-17 10:30:00");
        assert_eq!(r[3].columns, ["20220200", "201E0200", "20200200"]);
        // A range (selector 2) of day freezes: start included, end excluded.
        let mut p = Pair::simple(3);
        let day = |d| {
            crate::protocols::dlt698::simulator::date_time_s(&crate::session::DateTime {
                year: 2024,
                month: 5,
                day: d,
                hour: 0,
                minute: 0,
                second: 0,
            })
        };
        let s2 = crate::protocols::dlt698::codec::Selector2 {
            oad: oad(0x2021_0200),
            start: day(10),
            end: day(13),
            interval: Data::Null,
        };
        p.session.get_record(p.now, 0x5004_0200, Rsd::S2(Box::new(s2)), &[0x2021_0200]);
        p.run();
        let rows: Vec<&str> = p.records()[0].rows.iter().map(|r| r[0].value.as_str()).collect();
        assert_eq!(rows, ["2024-05-10 00:00:00", "2024-05-11 00:00:00", "2024-05-12 00:00:00"]);
    }

    /// A meter that reads only through SECURITY-Request: bare GETs are refused,
    /// GETs wrapped in SECURITY-Request (plaintext, RN) are answered in
    /// SECURITY-Response (plaintext, MAC), across find-meter, lists, records,
    /// GET-Response-Next blocks and a lost reply.
    /// The service tags of the APDUs the session sent, in order.
    fn sent_services(p: &Pair) -> Vec<u8> {
        p.transmits.iter().map(|t| FrameRepr::parse(&t[4..]).unwrap().user_data[0]).collect()
    }

    #[test]
    fn connects_when_the_meter_asks_and_releases_at_the_end() {
        let meter = MeterConfig { require_connect: true, ..MeterConfig::default() };
        // Auto: the first GET is refused with ERROR-Response "service not
        // supported"; the session connects (through the wildcard address while
        // the meter is unknown), reads, and releases.
        let mut p = Pair::new(21, meter.clone(), false, Faults { noise: true, ..Faults::default() });
        p.session.get(p.now, &[0x0010_0200, 0x2000_0200]);
        p.session.get(p.now, &[0x4000_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(p.values().len(), 3);
        assert!(p.events.contains(&Dlt698Event::MeterFound("123456789012".into())));
        // find (refused) · CONNECT · find · GET list · GET · RELEASE
        assert_eq!(sent_services(&p), [0x05, 0x02, 0x05, 0x05, 0x05, 0x03]);
        let notices = p.notices();
        assert!(
            matches!(notices.iter().find(|n| matches!(n, Notice::Connecting(_))), Some(Notice::Connecting(w)) if w.contains("service not supported")),
            "{notices:?}"
        );
        assert!(notices.iter().any(|n| matches!(n, Notice::Connected { version: 0x16, .. })));
        assert!(notices.contains(&&Notice::Released { result: 0 }));
        assert!(!p.meter.connected() && !p.session.connected());
        // The next batch connects first: the meter asked once.
        p.events.clear();
        p.transmits.clear();
        p.session.get(p.now, &[0x0010_0200]);
        p.run();
        assert_eq!(sent_services(&p), [0x02, 0x05, 0x03]);
        assert_eq!(p.values().len(), 1);

        // Never: the refusal is the answer, in words.
        let cfg = Config { connect: Connect::Never, ..Config::default() };
        let mut p = Pair::with(22, meter.clone(), true, Faults::default(), cfg);
        p.session.get(p.now, &[0x0010_0200]);
        p.run();
        let errors = p.errors();
        assert_eq!(errors, [(Some(0x0010_0200), Failure::ErrorResponse { kind: 2 })]);
        let said = errors[0].1.to_string();
        assert!(said.contains("service not supported") && said.contains("application connection"), "{said}");

        // Always, with a password and another client address: the meter
        // checks the password; the frames carry the client address.
        let meter = MeterConfig { password: Some(b"123456".to_vec()), ..meter };
        let cfg = Config {
            connect: Connect::Always,
            password: Some(b"123456".to_vec()),
            client_address: 0x20,
            ..Config::default()
        };
        let mut p = Pair::with(23, meter.clone(), true, Faults::default(), cfg.clone());
        p.session.get(p.now, &[0x2000_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(sent_services(&p), [0x02, 0x05, 0x03]);
        assert!(p.transmits.iter().all(|t| FrameRepr::parse(&t[4..]).unwrap().ca == 0x20));
        let Apdu::ConnectRequest { mechanism, params, .. } =
            Apdu::parse(&FrameRepr::parse(&p.transmits[0][4..]).unwrap().user_data).unwrap()
        else {
            panic!()
        };
        assert_eq!((mechanism, params), (ConnectMechanism::Password(b"123456".to_vec()), CONNECT_PARAMS));

        // A wrong password: the connection is refused once, in words, and the
        // read fails with the meter's refusal; no endless reconnecting.
        let cfg = Config { password: Some(b"000000".to_vec()), ..cfg };
        let mut p = Pair::with(24, meter, true, Faults::default(), cfg);
        p.session.get(p.now, &[0x2000_0200]);
        p.run();
        let errors = p.errors();
        assert_eq!(errors[0], (None, Failure::ConnectRefused { result: 1 }), "{errors:?}");
        assert!(errors[0].1.to_string().contains("password error"));
        assert_eq!(errors[1], (Some(0x2000_0200), Failure::ErrorResponse { kind: 2 }));
        assert_eq!(sent_services(&p), [0x02, 0x05]);
    }

    /// A meter of another protocol version refuses the CONNECT (result 5)
    /// naming its version; the session connects again with it, once.
    #[test]
    fn a_protocol_version_mismatch_is_negotiated() {
        let meter = MeterConfig { require_connect: true, protocol_version: 0x0010, ..MeterConfig::default() };
        let cfg = Config { connect: Connect::Always, ..Config::default() };
        let mut p = Pair::with(26, meter, true, Faults::default(), cfg);
        p.session.get(p.now, &[0x2000_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert_eq!(sent_services(&p), [0x02, 0x02, 0x05, 0x03]);
        assert!(p.notices().contains(&&Notice::Version { theirs: 0x0010 }));
        assert!(p.notices().iter().any(|n| matches!(n, Notice::Connected { version: 0x0010, .. })));
        assert_eq!(p.values().len(), 1);
    }

    #[test]
    fn random_numbers_come_from_the_configured_source() {
        let meter = MeterConfig { require_security: true, ..MeterConfig::default() };
        let rn_of = |p: &Pair| {
            let a = Apdu::parse(&FrameRepr::parse(&p.transmits[0][4..]).unwrap().user_data).unwrap();
            let Apdu::SecurityRequest { verify: VerifyInfo::Rn(rn), .. } = a else { panic!("{a:?}") };
            rn
        };
        let run = |random: Random| {
            let cfg = Config { security: ReadSecurity::PlaintextRn, random, ..Config::default() };
            let mut p = Pair::with(25, meter.clone(), true, Faults::default(), cfg);
            p.session.get(p.now, &[0x2000_0200]);
            p.run();
            assert!(p.errors().is_empty(), "{:?}", p.errors());
            rn_of(&p)
        };
        // Two sessions on the system source draw different RNs.
        assert_ne!(run(Random::System), run(Random::System));
        // A fixed source only where a test asks for it.
        assert_eq!(run(Random::Fixed(vec![0xA5, 0x5A])), [0xA5, 0x5A].repeat(8));
    }

    #[test]
    fn security_mode_reads() {
        let meter = MeterConfig { require_security: true, block_items: 2, ..MeterConfig::default() };
        // Bare requests: DAR 20 (security authentication mismatch) for each object.
        let mut p = Pair::new(7, meter.clone(), true, Faults::default());
        p.session.get(p.now, &[0x0010_0200, 0x2000_0200]);
        p.run();
        let errors = p.errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(matches!(&errors[0], (Some(0x0010_0200), Failure::Dar { code: 20, .. })), "{errors:?}");
        assert!(p.values().is_empty() && p.session.last_security().is_none());

        // Protected requests, the meter found first, the first reply lost.
        let cfg = Config { security: ReadSecurity::PlaintextRn, ..Config::default() };
        let faults = Faults { drop: vec![1], noise: true, ..Faults::default() };
        let mut p = Pair::with(8, meter.clone(), false, faults, cfg.clone());
        p.session.get_each(p.now, &OADS[..3]);
        p.session.get(p.now, &OADS[..5]);
        p.session.get_record(p.now, 0x5004_0200, Rsd::S10(3, Ms::All), &[0x2021_0200, 0x0010_0200]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        assert!(p.events.contains(&Dlt698Event::MeterFound("123456789012".into())));
        let values = p.values();
        assert_eq!(values.len(), 3 + 5);
        assert_eq!((values[0].canonical.as_str(), values[0].items[0].unit.as_str()), ("00100200", "kWh"));
        assert!((220.0..230.0).contains(&num(&values[2].items[0])));
        assert_eq!(p.records()[0].rows.len(), 3, "two blocks of 2 and 1 rows");
        assert!(p.notices().contains(&&Notice::Retry { attempt: 2 }));
        // Every request went out as SECURITY-Request, plaintext GET with a fresh RN.
        let mut rns = std::collections::BTreeSet::new();
        for t in &p.transmits {
            let f = FrameRepr::parse(&t[4..]).unwrap();
            let a = Apdu::parse(&f.user_data).unwrap();
            let Apdu::SecurityRequest { verify: VerifyInfo::Rn(rn), .. } = &a else { panic!("{a:?}") };
            assert_eq!(rn.len(), 16);
            rns.insert(rn.clone());
            let inner = a.plaintext().unwrap().unwrap();
            assert!(matches!(
                inner,
                Apdu::GetNormal { .. } | Apdu::GetNormalList { .. } | Apdu::GetRecord { .. } | Apdu::GetNext { .. }
            ));
        }
        // 1 find + 3 + 1 list of 5 (3 blocks: 2 Next) + 1 record (2 blocks: 1 Next) + 1 retry.
        assert_eq!(p.transmits.len(), 1 + 3 + 3 + 2 + 1);
        assert_eq!(rns.len(), p.transmits.len() - 1, "the retry repeats its RN, the others are fresh");
        // The MAC of the last reply is shown, not verified.
        let s = p.session.last_security().unwrap();
        assert_eq!((s.rn.len(), s.mac.as_ref().map(String::len), s.verified), (32, Some(8), false));

        // The same session against a meter that does not require security still reads.
        let mut p = Pair::with(9, MeterConfig::default(), true, Faults::default(), cfg);
        p.session.get(p.now, &[0x4000_0200]);
        p.run();
        assert_eq!(p.values().len(), 1);
        // A ciphertext request is refused by the simulated meter (no ESAM).
        let mut m = Dlt698Meter::new(meter);
        let sa: Vec<u8> = MeterConfig::default().address.iter().rev().copied().collect();
        let req =
            Apdu::SecurityRequest { data: SecurityData::Cipher(vec![1, 2, 3]), verify: VerifyInfo::Rn(vec![0; 16]) };
        m.handle_input(Millis(0), &FrameRepr { control: 0x43, af: 0x05, sa, ca: 0x10, user_data: req.emit() }.emit());
        let out = m.poll_transmit().unwrap();
        let f = FrameRepr::parse(&out[out.iter().take_while(|&&b| b == 0xFE).count()..]).unwrap();
        assert_eq!(
            Apdu::parse(&f.user_data).unwrap(),
            Apdu::SecurityResponse { data: SecurityResponseData::Dar(22), mac: None }
        );
    }

    #[test]
    fn get_next_joins_blocks() {
        let meter = MeterConfig { block_items: 2, ..MeterConfig::default() };
        let mut p = Pair::new(4, meter, true, Faults { echo: true, ..Faults::default() });
        p.session.get_record(p.now, 0x5004_0200, Rsd::S10(5, Ms::All), &[0x2021_0200, 0x0010_0200]);
        p.session.get(p.now, &OADS[..5]);
        p.run();
        assert!(p.errors().is_empty(), "{:?}", p.errors());
        let r = p.records();
        assert_eq!(r[0].rows.len(), 5, "three blocks of 2, 2 and 1 rows");
        assert_eq!(p.values().len(), 5);
        let blocks = p.notices().iter().filter(|n| matches!(n, Notice::Block { .. })).count();
        assert_eq!(blocks, 2 + 2);
        assert_eq!(p.transmits.len(), 2 + 4, "two requests and four GET-Request-Next");
        let next = FrameRepr::parse(&p.transmits[1][4..]).unwrap();
        assert!(matches!(Apdu::parse(&next.user_data).unwrap(), Apdu::GetNext { last_block: 1, .. }));
    }

    #[test]
    fn link_fragments_are_confirmed_and_joined() {
        for seed in 0..5 {
            let meter = MeterConfig { max_frame: 60, ..MeterConfig::default() };
            let faults = Faults { echo: seed % 2 == 1, ..Faults::default() };
            let mut p = Pair::new(seed, meter, true, faults);
            p.session.get(p.now, &OADS);
            p.session.get_record(p.now, 0x5004_0200, Rsd::S10(3, Ms::All), &[0x2021_0200, 0x0010_0200]);
            p.run();
            assert!(p.errors().is_empty(), "{:?}", p.errors());
            assert_eq!(p.values().len(), 8);
            assert_eq!(p.records()[0].rows.len(), 3);
            let confirms = p.notices().iter().filter(|n| matches!(n, Notice::Fragment { .. })).count();
            assert!(confirms >= 4, "{confirms}");
            assert_eq!(p.meter.confirms(), confirms);
            // Every confirmation is a client frame with the fragment bit and no APDU.
            let c = FrameRepr::parse(&p.transmits[1][4..]).unwrap();
            assert_eq!(c.control, 0x63);
            assert_eq!(Fragment::of(&c).unwrap().kind, FragmentKind::Confirm);
        }
    }

    #[test]
    fn active_report_in_the_middle_of_a_read() {
        for kind in [ReportKind::List, ReportKind::Record] {
            let faults = Faults { report: Some((1, kind)), ..Faults::default() };
            let mut p = Pair::new(5, MeterConfig::default(), true, faults);
            p.session.get_each(p.now, &OADS[..3]);
            p.run();
            assert!(p.errors().is_empty(), "{:?}", p.errors());
            assert_eq!(p.values().len(), 3, "the read goes on");
            let reports: Vec<_> = p.events.iter().filter(|e| matches!(e, Dlt698Event::Report { .. })).collect();
            assert_eq!(reports.len(), 1, "{:?}", p.events);
            match (kind, reports[0]) {
                (ReportKind::List, Dlt698Event::Report { values, .. }) => {
                    assert_eq!(
                        values.iter().map(|v| v.canonical.as_str()).collect::<Vec<_>>(),
                        ["33200200", "20150200"]
                    )
                }
                (ReportKind::Record, Dlt698Event::Report { records, .. }) => {
                    assert_eq!(records[0].canonical, "30110200")
                }
                _ => unreachable!(),
            }
            assert_eq!(p.meter.reports(), (1, 1), "the report was answered");
            let answer = p.transmits.iter().find_map(|t| {
                let f = FrameRepr::parse(&t[4..]).ok()?;
                (f.control == 0x03).then(|| Apdu::parse(&f.user_data).unwrap())
            });
            assert!(matches!(answer, Some(Apdu::ReportResponse { .. })), "{answer:?}");
            assert_eq!(p.transmits.len(), 4);
        }
    }

    #[test]
    fn follow_report_is_surfaced() {
        let mut p = Pair::simple(6);
        p.meter.request_follow_report();
        p.session.get(p.now, &[0x2000_0200]);
        p.run();
        let follow: Vec<_> = p
            .events
            .iter()
            .filter_map(|e| match e {
                Dlt698Event::FollowReport { values, .. } => Some(values),
                _ => None,
            })
            .collect();
        assert_eq!(follow.len(), 1);
        assert_eq!(follow[0][0].canonical, "20150200");
        assert_eq!(p.values().len(), 1);
    }

    #[test]
    fn timeouts_retries_dars_and_set() {
        let mut p = Pair::new(7, MeterConfig::default(), true, Faults { drop: vec![0, 2], ..Faults::default() });
        p.session.get_each(p.now, &[0x0010_0200, 0x9999_0200, 0x2000_0200]);
        let t = crate::session::DateTime { year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
        p.session.set(p.now, 0x4000_0200, crate::protocols::dlt698::simulator::date_time_s(&t));
        p.run();
        assert_eq!(p.values().len(), 2);
        assert_eq!(p.errors(), [(Some(0x9999_0200), Failure::Dar { code: 6, text: "object does not exist".into() })]);
        assert_eq!(p.notices().iter().filter(|n| matches!(n, Notice::Retry { .. })).count(), 2);
        assert!(p.events.contains(&Dlt698Event::Written { oad: 0x4000_0200, dar: 0 }));
        assert_eq!(p.meter.clock(p.now).year, 2025);
        // A silent meter: three attempts, then the error.
        let mut p = Pair::new(8, MeterConfig::default(), true, Faults { drop: (0..3).collect(), ..Faults::default() });
        p.session.get(p.now, &[0x0010_0200]);
        p.run();
        assert_eq!(p.errors(), [(Some(0x0010_0200), Failure::Timeout { attempts: 3 })]);
        assert_eq!(p.transmits.len(), 3);
    }

    #[test]
    fn random_bytes_never_break_the_session() {
        let mut rng = Rng::new(99);
        for _ in 0..200 {
            let mut s = Dlt698Session::new(Config::default(), Some(&[1, 2, 3, 4, 5, 6]));
            s.get(Millis(0), &[0x0010_0200]);
            let mut dones = 0;
            for i in 0..20 {
                let n = rng.range(0, 40) as usize;
                let mut b: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
                if rng.chance(30) {
                    b.insert(0, 0x68);
                }
                s.handle_input(Millis(i * 10), &b);
                s.handle_timeout(Millis(i * 700));
                while s.poll_action().is_some() {}
                while let Some(e) = s.poll_event() {
                    dones += usize::from(e == Dlt698Event::Done);
                }
            }
            // However the bytes went, the read ends: idle, "done" said once.
            for _ in 0..100 {
                let Some(t) = s.poll_timeout() else { break };
                s.handle_timeout(t);
            }
            while let Some(e) = s.poll_event() {
                dones += usize::from(e == Dlt698Event::Done);
            }
            assert!(s.is_idle());
            assert_eq!(dones, 1, "the queued work ended once");
        }
    }
}
