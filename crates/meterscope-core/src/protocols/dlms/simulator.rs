//! A simulated DLMS/COSEM meter, sans-IO: request bytes in, reply bytes out.
//!
//! It serves HDLC (or the wrapper) with an Association LN and a small,
//! self-consistent object model, deterministic from the seed and the `now`
//! it is given:
//! - clock 0-0:1.0.0.255 (the base date-time plus `now`, moved by SET);
//! - registers with scaler and unit: active energy import/export
//!   1-0:1.8.0/2.8.0 (Wh, growing with the time at a rate from the seed),
//!   active power 1-0:1.7.0, voltage 1-0:32.7.0, current 1-0:31.7.0,
//!   frequency 1-0:14.7.0;
//! - data: serial number 0-0:96.1.0, logical device name 0-0:42.0.0, last
//!   event code 0-0:96.11.0;
//! - load profile 1-0:99.1.0.255 (clock, energy import and export every
//!   15 minutes up to the clock; selective access by range and by entry);
//! - event log 0-0:99.98.0.255 (clock and event code);
//! - disconnect control 0-0:96.3.10.255 (methods 1 and 2).
//!
//! Associations: the public client (SAP 16) without authentication and read
//! only; other clients with the password (low level security) or HLS-GMAC
//! with the test keys, optionally with glo-ciphering. Replies longer than
//! the negotiated PDU go out in data blocks; frames longer than the
//! negotiated information field go out in segments.

use std::collections::VecDeque;

use super::assoc::{self, Aare, Aarq, AppContext, Diagnostic, InitiateRequest, InitiateResponse, Mechanism, SuiteKeys};
use super::axdr::Data;
use super::hdlc::{self, Control};
use super::link::{self, HdlcAddress, HdlcFrame, LLC_RESPONSE, LinkParams};
use super::services::{Access, AttrRef, GetResult, Request, Response};
use super::session::{ASSOCIATION_LN, CLOCK, Transport, civil, octets};
use super::wrapper;
use crate::registry::FrameStatus;
use crate::session::{DateTime, LineSettings, Millis, Parity, Rng, SimulatedMeter};

/// The test keys of the simulated meter (those of the Green Book examples).
pub fn test_keys() -> SuiteKeys {
    SuiteKeys {
        ek: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F],
        ak: [0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF],
    }
}

/// How the simulated meter is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    pub seed: u64,
    /// The meter's clock at `now` = 0.
    pub base: DateTime,
    pub transport: Transport,
    /// Logical (upper) address or wPort.
    pub logical: u16,
    /// Low level security password.
    pub password: Vec<u8>,
    pub keys: SuiteKeys,
    pub system_title: [u8; 8],
    /// Largest information field the meter sends and receives.
    pub max_info: u16,
    /// Largest APDU the meter sends (server max receive PDU size too).
    pub max_pdu: u16,
    /// Entries kept in the load profile.
    pub profile_entries: u32,
    pub line: LineSettings,
}

impl Default for MeterConfig {
    fn default() -> Self {
        MeterConfig {
            seed: 1,
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            transport: Transport::Hdlc,
            logical: 1,
            password: b"12345678".to_vec(),
            keys: test_keys(),
            system_title: *b"MSC\x00\x00\x00\x00\x01",
            max_info: 128,
            max_pdu: 512,
            profile_entries: 96,
            line: LineSettings::new(9600, 8, Parity::None, 1),
        }
    }
}

/// An open association.
#[derive(Clone, Debug)]
struct Assoc {
    mechanism: Mechanism,
    authenticated: bool,
    ciphered: bool,
    client_title: Option<[u8; 8]>,
    max_pdu: usize,
    ctos: Vec<u8>,
    stoc: Vec<u8>,
}

/// A long GET reply sent in data blocks.
#[derive(Clone, Debug)]
struct Blocks {
    chunks: Vec<Vec<u8>>,
    sent: usize,
}

/// The simulated meter.
#[derive(Clone, Debug)]
pub struct DlmsMeter {
    cfg: MeterConfig,
    now: Millis,
    clock_offset: i64,
    rx: Vec<u8>,
    out: VecDeque<Vec<u8>>,
    // Link.
    connected: bool,
    client_addr: Option<HdlcAddress>,
    server_addr: HdlcAddress,
    ns: u8,
    nr: u8,
    max_tx: usize,
    segments: VecDeque<Vec<u8>>,
    last_frame: Vec<u8>,
    rx_apdu: Vec<u8>,
    // Application.
    assoc: Option<Assoc>,
    ic: u32,
    blocks: Option<Blocks>,
    relay: bool,
    challenge_counter: u64,
}

/// Seconds of the clock of the epoch the energy registers count from.
const ENERGY_EPOCH: i64 = 1_577_836_800; // 2020-01-01

impl DlmsMeter {
    pub fn new(cfg: MeterConfig) -> Self {
        let server_addr = HdlcAddress::server(cfg.logical, None);
        DlmsMeter {
            cfg,
            now: Millis(0),
            clock_offset: 0,
            rx: Vec::new(),
            out: VecDeque::new(),
            connected: false,
            client_addr: None,
            server_addr,
            ns: 0,
            nr: 0,
            max_tx: 128,
            segments: VecDeque::new(),
            last_frame: Vec::new(),
            rx_apdu: Vec::new(),
            assoc: None,
            ic: 1,
            blocks: None,
            relay: true,
            challenge_counter: 0,
        }
    }

    pub fn config(&self) -> &MeterConfig {
        &self.cfg
    }

    /// The meter's clock at `now`.
    pub fn clock(&self, now: Millis) -> DateTime {
        self.cfg.base.plus_seconds((now.0 / 1000) as i64 + self.clock_offset)
    }

    /// Whether the disconnect control's relay is closed.
    pub fn relay_closed(&self) -> bool {
        self.relay
    }

    fn rng(&self, salt: u64) -> Rng {
        Rng::new(self.cfg.seed.wrapping_mul(0x9E37_79B9).wrapping_add(salt))
    }

    /// Active energy import at a time, Wh: grows by a rate from the seed.
    pub fn energy_import(&self, t: DateTime) -> u32 {
        let mut r = self.rng(1);
        let base = r.range(1_000_000, 9_000_000);
        let watts = r.range(300, 900);
        let secs = (t.to_unix() - ENERGY_EPOCH).max(0) as u64;
        (base + secs * watts / 3600) as u32
    }

    /// Active energy export at a time, Wh.
    pub fn energy_export(&self, t: DateTime) -> u32 {
        let mut r = self.rng(2);
        let base = r.range(10_000, 90_000);
        let watts = r.range(5, 60);
        let secs = (t.to_unix() - ENERGY_EPOCH).max(0) as u64;
        (base + secs * watts / 3600) as u32
    }

    /// Time of profile entry `k` (0 the oldest) ending at the clock.
    fn profile_time(&self, now: DateTime, k: u32, count: u32) -> DateTime {
        let last = now.to_unix().div_euclid(900) * 900;
        DateTime::from_unix(last - i64::from(count - 1 - k) * 900)
    }

    fn profile_rows(&self, now: DateTime) -> Vec<Data> {
        let n = self.cfg.profile_entries.max(1);
        (0..n)
            .map(|k| {
                let t = self.profile_time(now, k, n);
                Data::Structure(vec![
                    Data::DateTime(octets(t)),
                    Data::DoubleLongUnsigned(self.energy_import(t)),
                    Data::DoubleLongUnsigned(self.energy_export(t)),
                ])
            })
            .collect()
    }

    fn event_rows(&self, now: DateTime) -> Vec<Data> {
        let mut r = self.rng(3);
        let mut t = now.plus_seconds(-86_400 * 10);
        let mut rows = Vec::new();
        for _ in 0..8 {
            t = t.plus_seconds(r.range(3_600, 86_400) as i64);
            if t > now {
                break;
            }
            rows.push(Data::Structure(vec![Data::DateTime(octets(t)), Data::LongUnsigned(r.range(1, 60) as u16)]));
        }
        rows
    }

    fn objects() -> Vec<(u16, u8, [u8; 6])> {
        vec![
            (15, 1, ASSOCIATION_LN),
            (8, 0, CLOCK),
            (1, 0, [0, 0, 42, 0, 0, 255]),
            (1, 0, [0, 0, 96, 1, 0, 255]),
            (1, 0, [0, 0, 96, 11, 0, 255]),
            (3, 0, [1, 0, 1, 8, 0, 255]),
            (3, 0, [1, 0, 2, 8, 0, 255]),
            (3, 0, [1, 0, 1, 7, 0, 255]),
            (3, 0, [1, 0, 32, 7, 0, 255]),
            (3, 0, [1, 0, 31, 7, 0, 255]),
            (3, 0, [1, 0, 14, 7, 0, 255]),
            (7, 1, [1, 0, 99, 1, 0, 255]),
            (7, 1, [0, 0, 99, 98, 0, 255]),
            (70, 0, [0, 0, 96, 3, 10, 255]),
        ]
    }

    /// A register: value and scaler-unit.
    fn register(&self, obis: [u8; 6], now: DateTime) -> Option<(Data, i8, u8)> {
        let mut r = self.rng(now.to_unix() as u64);
        let amps = if self.relay { r.range(150, 900) } else { 0 };
        Some(match obis {
            [1, 0, 1, 8, 0, 255] => (Data::DoubleLongUnsigned(self.energy_import(now)), 0, 30),
            [1, 0, 2, 8, 0, 255] => (Data::DoubleLongUnsigned(self.energy_export(now)), 0, 30),
            [1, 0, 32, 7, 0, 255] => (Data::LongUnsigned(r.range(2270, 2330) as u16), -1, 35),
            [1, 0, 31, 7, 0, 255] => (Data::LongUnsigned(amps as u16), -2, 33),
            [1, 0, 1, 7, 0, 255] => (Data::DoubleLongUnsigned((amps * 23 / 10) as u32), 0, 27),
            [1, 0, 14, 7, 0, 255] => (Data::LongUnsigned(r.range(4995, 5005) as u16), -2, 44),
            _ => return None,
        })
    }

    fn column(class: u16, obis: [u8; 6], attr: i8) -> Data {
        Data::Structure(vec![
            Data::LongUnsigned(class),
            Data::OctetString(obis.to_vec()),
            Data::Integer(attr),
            Data::LongUnsigned(0),
        ])
    }

    /// GET of one attribute.
    fn get(&self, a: &AttrRef, access: Option<&Access>) -> GetResult {
        let now = self.clock(self.now);
        let known = Self::objects().iter().any(|o| o.0 == a.class && o.2 == a.obis);
        if !known {
            return Err(4);
        }
        if a.index == 1 {
            return Ok(Data::OctetString(a.obis.to_vec()));
        }
        match (a.class, a.obis, a.index) {
            (15, _, 2) => Ok(Data::Array(
                Self::objects()
                    .into_iter()
                    .map(|(class, version, obis)| {
                        Data::Structure(vec![
                            Data::LongUnsigned(class),
                            Data::Unsigned(version),
                            Data::OctetString(obis.to_vec()),
                            Data::Structure(vec![Data::Array(Vec::new()), Data::Array(Vec::new())]),
                        ])
                    })
                    .collect(),
            )),
            (8, _, 2) => Ok(Data::DateTime(octets(now))),
            (8, _, 3) => Ok(Data::Long(-60)),
            (1, [0, 0, 42, 0, 0, 255], 2) => Ok(Data::OctetString(b"MSC0000000001".to_vec())),
            (1, [0, 0, 96, 1, 0, 255], 2) => Ok(Data::VisibleString(format!("{:08}", self.cfg.seed).into_bytes())),
            (1, [0, 0, 96, 11, 0, 255], 2) => Ok(Data::LongUnsigned(match self.event_rows(now).last() {
                Some(Data::Structure(v)) => match v.get(1) {
                    Some(Data::LongUnsigned(c)) => *c,
                    _ => 0,
                },
                _ => 0,
            })),
            (3, obis, 2) => self.register(obis, now).map(|r| r.0).ok_or(4),
            (3, obis, 3) => self
                .register(obis, now)
                .map(|(_, s, u)| Data::Structure(vec![Data::Integer(s), Data::Enum(u)]))
                .ok_or(4),
            (7, [1, 0, 99, 1, 0, 255], 3) => Ok(Data::Array(vec![
                Self::column(8, CLOCK, 2),
                Self::column(3, [1, 0, 1, 8, 0, 255], 2),
                Self::column(3, [1, 0, 2, 8, 0, 255], 2),
            ])),
            (7, [0, 0, 99, 98, 0, 255], 3) => {
                Ok(Data::Array(vec![Self::column(8, CLOCK, 2), Self::column(1, [0, 0, 96, 11, 0, 255], 2)]))
            }
            (7, obis, 2) => {
                let rows = if obis[2] == 99 && obis[3] == 1 { self.profile_rows(now) } else { self.event_rows(now) };
                select(rows, access).map(Data::Array)
            }
            (7, [1, 0, 99, 1, 0, 255], 4) => Ok(Data::DoubleLongUnsigned(900)),
            (7, obis, 7) => {
                let n = if obis[3] == 1 { self.profile_rows(now).len() } else { self.event_rows(now).len() };
                Ok(Data::DoubleLongUnsigned(n as u32))
            }
            (70, _, 2) => Ok(Data::Boolean(self.relay)),
            (70, _, 3) => Ok(Data::Enum(u8::from(self.relay))),
            (70, _, 4) => Ok(Data::Enum(1)),
            _ => Err(4),
        }
    }

    fn may_write(&self) -> bool {
        self.assoc.as_ref().is_some_and(|a| a.mechanism != Mechanism::None)
    }

    fn set(&mut self, a: &AttrRef, value: &Data) -> u8 {
        if !self.may_write() {
            return 3;
        }
        match (a.class, a.obis, a.index, value) {
            (8, CLOCK, 2, Data::DateTime(raw)) => match civil(raw) {
                Some(t) => {
                    self.clock_offset += t.to_unix() - self.clock(self.now).to_unix();
                    0
                }
                None => 250,
            },
            (8, CLOCK, 2, _) => 12,
            _ if Self::objects().iter().any(|o| o.0 == a.class && o.2 == a.obis) => 3,
            _ => 4,
        }
    }

    fn action(&mut self, m: &AttrRef, params: Option<&Data>) -> (u8, Option<GetResult>) {
        match (m.class, m.obis, m.index) {
            (15, ASSOCIATION_LN, 1) => {
                let Some(assoc) = self.assoc.clone() else { return (3, None) };
                let (Some(title), Some(Data::OctetString(proof))) = (assoc.client_title, params) else {
                    return (3, None);
                };
                if assoc.mechanism != Mechanism::HighGmac
                    || !assoc::hls_gmac_check(&self.cfg.keys, &title, &assoc.stoc, proof)
                {
                    self.assoc = None;
                    return (3, None);
                }
                let answer = assoc::hls_gmac(&self.cfg.keys, &self.cfg.system_title, self.ic, &assoc.ctos);
                self.ic += 1;
                if let Some(a) = &mut self.assoc {
                    a.authenticated = true;
                }
                (0, Some(Ok(Data::OctetString(answer))))
            }
            (70, [0, 0, 96, 3, 10, 255], 1 | 2) => {
                if !self.may_write() {
                    return (3, None);
                }
                self.relay = m.index == 2;
                (0, None)
            }
            _ if Self::objects().iter().any(|o| o.0 == m.class && o.2 == m.obis) => (3, None),
            _ => (4, None),
        }
    }

    // ---------------------------------------------------------------------
    // Application layer
    // ---------------------------------------------------------------------

    /// The reply APDU to a request APDU, if any.
    fn on_apdu(&mut self, client: u16, apdu: &[u8]) -> Option<Vec<u8>> {
        match apdu.first()? {
            0x60 => Some(self.on_aarq(client, apdu)),
            0x62 => {
                self.assoc = None;
                self.blocks = None;
                Some(assoc::rlre())
            }
            _ => {
                let Some(a) = self.assoc.clone() else {
                    return Some(Response::Exception { state: 1, service: 1 }.emit());
                };
                let plain = if a.ciphered {
                    let title = a.client_title?;
                    match assoc::glo_open(&self.cfg.keys, &title, apdu) {
                        Ok((p, _)) => p,
                        Err(_) => return Some(Response::Exception { state: 2, service: 5 }.emit()),
                    }
                } else {
                    apdu.to_vec()
                };
                let resp = self.on_request(&a, &plain);
                Some(if a.ciphered {
                    let c = assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp);
                    self.ic += 1;
                    c
                } else {
                    resp
                })
            }
        }
    }

    fn on_request(&mut self, a: &Assoc, plain: &[u8]) -> Vec<u8> {
        let Ok(req) = Request::parse(plain) else {
            return Response::Exception { state: 2, service: 2 }.emit();
        };
        let hls_pending = a.mechanism == Mechanism::HighGmac && !a.authenticated;
        match req {
            Request::Action { invoke, method, params } if hls_pending => {
                if method != AttrRef::new(15, ASSOCIATION_LN, 1) {
                    return Response::Exception { state: 1, service: 1 }.emit();
                }
                let (result, ret) = self.action(&method, params.as_ref());
                Response::Action { invoke, result, ret }.emit()
            }
            _ if hls_pending => Response::Exception { state: 1, service: 1 }.emit(),
            Request::Get { invoke, attr, access } => {
                self.blocks = None;
                let result = self.get(&attr, access.as_ref());
                self.maybe_blocks(a, invoke, Response::Get { invoke, result: result.clone() }, || match result {
                    Ok(d) => {
                        let mut v = Vec::new();
                        d.emit(&mut v);
                        v
                    }
                    Err(_) => Vec::new(),
                })
            }
            Request::GetWithList { invoke, items } => {
                self.blocks = None;
                let results: Vec<GetResult> = items.iter().map(|(a, s)| self.get(a, s.as_ref())).collect();
                let r2 = results.clone();
                self.maybe_blocks(a, invoke, Response::GetWithList { invoke, results }, || {
                    super::services::emit_result_list(&r2)
                })
            }
            Request::GetNext { invoke, block } => match &mut self.blocks {
                Some(b) if block as usize == b.sent && b.sent < b.chunks.len() => {
                    let raw = b.chunks[b.sent].clone();
                    b.sent += 1;
                    let last = b.sent == b.chunks.len();
                    let block = b.sent as u32;
                    if last {
                        self.blocks = None;
                    }
                    Response::GetBlock { invoke, last, block, raw: Ok(raw) }.emit()
                }
                Some(_) => Response::GetBlock { invoke, last: true, block, raw: Err(19) }.emit(),
                None => Response::GetBlock { invoke, last: true, block, raw: Err(16) }.emit(),
            },
            Request::Set { invoke, attr, value, .. } => {
                let result = self.set(&attr, &value);
                Response::Set { invoke, result }.emit()
            }
            Request::Action { invoke, method, params } => {
                let (result, ret) = self.action(&method, params.as_ref());
                Response::Action { invoke, result, ret }.emit()
            }
        }
    }

    /// The response as it is, or its first data block when it is too long.
    fn maybe_blocks(&mut self, a: &Assoc, invoke: u8, resp: Response, raw: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
        let whole = resp.emit();
        let limit = a.max_pdu.min(usize::from(self.cfg.max_pdu));
        let overhead = if a.ciphered { 22 } else { 0 };
        if whole.len() + overhead <= limit {
            return whole;
        }
        let size = limit.saturating_sub(16 + overhead).max(16);
        let chunks: Vec<Vec<u8>> = raw().chunks(size).map(<[u8]>::to_vec).collect();
        let last = chunks.len() == 1;
        let first = chunks.first().cloned().unwrap_or_default();
        if !last {
            self.blocks = Some(Blocks { chunks, sent: 1 });
        }
        Response::GetBlock { invoke, last, block: 1, raw: Ok(first) }.emit()
    }

    fn on_aarq(&mut self, client: u16, apdu: &[u8]) -> Vec<u8> {
        self.assoc = None;
        self.blocks = None;
        let reject = |ctx: AppContext, d: u8| {
            Aare {
                context: ctx,
                result: assoc::result::REJECTED_PERMANENT,
                diagnostic: Diagnostic::User(d),
                responding_title: None,
                mechanism: None,
                auth_value: None,
                user_info: None,
            }
            .emit()
        };
        let ln = AppContext { logical_names: true, ciphered: false };
        let Ok(aarq) = Aarq::parse(apdu) else { return reject(ln, 1) };
        if !aarq.context.logical_names {
            return reject(ln, 2);
        }
        let mechanism = aarq.mechanism.unwrap_or(Mechanism::None);
        let client_title = aarq.calling_title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
        match mechanism {
            Mechanism::None if client != 16 => return reject(aarq.context, 14),
            Mechanism::None => {}
            Mechanism::Low if aarq.auth_value.as_deref() != Some(&self.cfg.password[..]) => {
                return reject(aarq.context, 13);
            }
            Mechanism::Low => {}
            Mechanism::HighGmac if client_title.is_none() || aarq.auth_value.is_none() => {
                return reject(aarq.context, 13);
            }
            Mechanism::HighGmac => {}
        }
        if aarq.context.ciphered && client_title.is_none() {
            return reject(aarq.context, 3);
        }
        let init = if aarq.context.ciphered {
            match assoc::glo_open(&self.cfg.keys, &client_title.unwrap_or_default(), &aarq.user_info) {
                Ok((p, _)) => p,
                Err(_) => return reject(aarq.context, 13),
            }
        } else {
            aarq.user_info.clone()
        };
        let Ok(init) = InitiateRequest::parse(&init) else { return reject(aarq.context, 1) };
        let stoc = if mechanism == Mechanism::HighGmac {
            self.challenge_counter += 1;
            let mut r = self.rng(0x5700 + self.challenge_counter);
            (0..16).map(|_| r.range(0x21, 0x7E) as u8).collect()
        } else {
            Vec::new()
        };
        let resp = InitiateResponse {
            version: 6,
            conformance: init.conformance & 0x00_7E1F,
            max_pdu: self.cfg.max_pdu,
            vaa_name: 0x0007,
        };
        let user_info = if aarq.context.ciphered {
            let c = assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp.emit());
            self.ic += 1;
            c
        } else {
            resp.emit()
        };
        self.assoc = Some(Assoc {
            mechanism,
            authenticated: mechanism != Mechanism::HighGmac,
            ciphered: aarq.context.ciphered,
            client_title,
            max_pdu: usize::from(init.max_pdu.max(64)),
            ctos: aarq.auth_value.clone().unwrap_or_default(),
            stoc: stoc.clone(),
        });
        let hls = mechanism == Mechanism::HighGmac;
        Aare {
            context: aarq.context,
            result: assoc::result::ACCEPTED,
            diagnostic: Diagnostic::User(if hls { 14 } else { 0 }),
            responding_title: (aarq.context.ciphered || hls).then(|| self.cfg.system_title.to_vec()),
            mechanism: aarq.mechanism.filter(|m| *m != Mechanism::None),
            auth_value: hls.then_some(stoc),
            user_info: Some(user_info),
        }
        .emit()
    }

    // ---------------------------------------------------------------------
    // Link layer
    // ---------------------------------------------------------------------

    fn send_frame(&mut self, frame: Vec<u8>) {
        self.last_frame = frame.clone();
        self.out.push_back(frame);
    }

    fn hdlc(&self, control: Control, info: Vec<u8>, segmented: bool) -> Vec<u8> {
        let dst = self.client_addr.unwrap_or(HdlcAddress::client(16));
        HdlcFrame { segmented, dst, src: self.server_addr, control, info }.emit()
    }

    fn send_next_segment(&mut self) {
        let Some(seg) = self.segments.pop_front() else { return };
        let more = !self.segments.is_empty();
        let f = self.hdlc(Control::I { ns: self.ns, nr: self.nr, pf: true }, seg, more);
        self.ns = (self.ns + 1) % 8;
        self.send_frame(f);
    }

    fn on_hdlc(&mut self, bytes: &[u8]) {
        let Ok(f) = HdlcFrame::parse(bytes) else { return };
        // Only frames from a client to this server; replies of other meters and echoes are not ours.
        if f.src.size != 1 || f.dst.upper != self.cfg.logical {
            return;
        }
        let client = f.src.upper;
        match f.control {
            Control::Snrm { .. } => {
                let p = LinkParams::parse(&f.info).unwrap_or_default();
                self.client_addr = Some(f.src);
                self.server_addr = f.dst;
                self.connected = true;
                self.ns = 0;
                self.nr = 0;
                self.segments.clear();
                self.rx_apdu.clear();
                self.assoc = None;
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                let ours = LinkParams {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx.min(self.cfg.max_info),
                    window_tx: 1,
                    window_rx: 1,
                };
                let ua = self.hdlc(Control::Ua { pf: true }, ours.emit(), false);
                self.send_frame(ua);
            }
            Control::Disc { .. } => {
                self.client_addr = Some(f.src);
                let was = self.connected;
                self.connected = false;
                self.assoc = None;
                let reply = if was { Control::Ua { pf: true } } else { Control::Dm { pf: true } };
                let frame = self.hdlc(reply, Vec::new(), false);
                self.send_frame(frame);
            }
            _ if !self.connected || self.client_addr.map(|a| a.upper) != Some(client) => {
                self.client_addr = Some(f.src);
                let dm = self.hdlc(Control::Dm { pf: true }, Vec::new(), false);
                self.send_frame(dm);
            }
            Control::Rr { nr, .. } => {
                if nr == self.ns && !self.segments.is_empty() {
                    self.send_next_segment();
                } else if nr == (self.ns + 7) % 8 && !self.last_frame.is_empty() {
                    // The client missed our last frame.
                    self.out.push_back(self.last_frame.clone());
                }
            }
            Control::I { ns, .. } => {
                if ns == (self.nr + 7) % 8 && !self.last_frame.is_empty() {
                    // A request sent again: our reply was lost.
                    self.out.push_back(self.last_frame.clone());
                    return;
                }
                if ns != self.nr {
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let info = if self.rx_apdu.is_empty() && f.info.starts_with(&[0xE6, 0xE6]) {
                    &f.info[3..]
                } else {
                    &f.info[..]
                };
                self.rx_apdu.extend_from_slice(info);
                if f.segmented {
                    let rr = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
                    self.send_frame(rr);
                    return;
                }
                let apdu = std::mem::take(&mut self.rx_apdu);
                if let Some(reply) = self.on_apdu(client, &apdu) {
                    let mut info = LLC_RESPONSE.to_vec();
                    info.extend_from_slice(&reply);
                    self.segments = info.chunks(self.max_tx).map(<[u8]>::to_vec).collect();
                    self.send_next_segment();
                }
            }
            _ => {
                let frmr = self.hdlc(Control::Frmr { pf: true }, vec![control_of(bytes)], false);
                self.send_frame(frmr);
            }
        }
    }
}

fn control_of(frame: &[u8]) -> u8 {
    HdlcFrame::parse(frame).map(|f| link::control_byte(f.control)).unwrap_or(0)
}

/// Rows of a profile buffer chosen by selective access.
fn select(rows: Vec<Data>, access: Option<&Access>) -> Result<Vec<Data>, u8> {
    let Some(a) = access else { return Ok(rows) };
    let Data::Structure(p) = &a.parameters else { return Err(12) };
    match (a.selector, p.as_slice()) {
        (1, [_, from, to, ..]) => {
            let time = |d: &Data| match d {
                Data::DateTime(raw) => civil(raw),
                Data::OctetString(b) if b.len() == 12 => {
                    <[u8; 12]>::try_from(b.as_slice()).ok().and_then(|r| civil(&r))
                }
                _ => None,
            };
            let (Some(from), Some(to)) = (time(from), time(to)) else { return Err(250) };
            Ok(rows
                .into_iter()
                .filter(|r| match r {
                    Data::Structure(c) => c.first().and_then(time).is_some_and(|t| t >= from && t <= to),
                    _ => false,
                })
                .collect())
        }
        (2, [Data::DoubleLongUnsigned(from), Data::DoubleLongUnsigned(to), ..]) => {
            let n = rows.len() as u32;
            let to = if *to == 0 { n } else { (*to).min(n) };
            let from = (*from).max(1);
            if from > to {
                return Ok(Vec::new());
            }
            Ok(rows.into_iter().skip(from as usize - 1).take((to - from + 1) as usize).collect())
        }
        _ => Err(250),
    }
}

impl SimulatedMeter for DlmsMeter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.extend_from_slice(bytes);
        if self.rx.len() > 70_000 {
            self.rx.clear();
        }
        loop {
            let status = match self.cfg.transport {
                Transport::Hdlc => hdlc::frame(&self.rx),
                Transport::Wrapper => wrapper::frame(&self.rx),
            };
            match status {
                FrameStatus::Complete { preamble, len } => {
                    let frame: Vec<u8> = self.rx.drain(..preamble + len).skip(preamble).collect();
                    match self.cfg.transport {
                        Transport::Hdlc => self.on_hdlc(&frame),
                        Transport::Wrapper => {
                            if let Ok((src, dst, apdu)) = link::unwrap(&frame)
                                && dst == self.cfg.logical
                                && let Some(reply) = self.on_apdu(src, &apdu)
                            {
                                self.out.push_back(link::wrap(dst, src, &reply));
                            }
                        }
                    }
                }
                FrameStatus::Incomplete { .. } => return,
                FrameStatus::NoMatch => {
                    if self.rx.is_empty() {
                        return;
                    }
                    self.rx.remove(0);
                }
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    fn line(&self) -> LineSettings {
        self.cfg.line
    }
}
