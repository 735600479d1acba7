//! A simulated DLMS/COSEM meter, sans-IO: request bytes in, reply bytes out.
//!
//! It serves HDLC (or the wrapper) with an Association LN (or, when made so,
//! an Association SN with short names) and a small, self-consistent object
//! model, deterministic from the seed and the `now` it is given:
//! - clock 0-0:1.0.0.255 (the base date-time plus `now`, moved by SET), with
//!   time zone, status and daylight-saving attributes;
//! - registers with scaler and unit: active energy import/export
//!   1-0:1.8.0/2.8.0 (Wh, growing with the time at a rate from the seed),
//!   active power 1-0:1.7.0, voltage 1-0:32.7.0, current 1-0:31.7.0,
//!   frequency 1-0:14.7.0;
//! - data: serial number 0-0:96.1.0, logical device name 0-0:42.0.0, last
//!   event code 0-0:96.11.0, firmware identifiers 1-0:0.2.0, 1-0:0.2.8 and
//!   0-0:0.2.0, alarm register 0-0:97.98.0 (cleared by writing 0) and its
//!   filter 0-0:97.98.10;
//! - load profile 1-0:99.1.0.255 (clock, energy import and export every
//!   15 minutes up to the clock; selective access by range and by entry);
//! - event log 0-0:99.98.0.255 (clock and event code);
//! - disconnect control 0-0:96.3.10.255 (methods 1 and 2);
//! - push setup 0-0:25.9.0.255 (method 1 counts pushes);
//! - M-Bus client 0-1:24.1.0.255 with a gas meter whose volume is the
//!   extended register 0-1:24.2.1.255.
//!
//! Associations: the public client (SAP 16) without authentication and read
//! only; other clients with the password (low level security) or HLS-GMAC
//! with the test keys, optionally with glo-ciphering, or ded-ciphering with
//! the dedicated key of the InitiateRequest. Replies longer than the
//! negotiated PDU go out in data blocks, or in general-block-transfer blocks
//! streamed a window at a time when the meter is made to offer GBT and the
//! client proposes it; frames longer than the negotiated information field go
//! out in segments, a window of I frames at a time (the window the meter is
//! made with, at most the client's), with go-back-N on a lost frame.

use std::collections::VecDeque;

use super::assoc::{
    self, Aare, Aarq, AppContext, Diagnostic, InitiateRequest, InitiateResponse, Mechanism, SuiteKeys, conformance,
};
use super::axdr::Data;
use super::hdlc::{self, Control};
use super::link::{self, HdlcAddress, HdlcFrame, LLC_RESPONSE, LinkParams};
use super::services::{
    self, Access, AttrRef, Gbt, GetResult, Request, Response, SnReadResult, SnRequest, SnResponse, Variable,
};
use super::session::{
    ALARM_FILTER, ALARM_REGISTER, ASSOCIATION_LN, ASSOCIATION_SN, CLOCK, DISCONNECT_CONTROL, EVENT_LOG, FIRMWARE,
    LOAD_PROFILE, MBUS_CLIENT, PUSH_SETUP, Transport, civil, octets,
};
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

/// The M-Bus gas volume (extended register) of channel 1.
pub const MBUS_VOLUME: [u8; 6] = [0, 1, 24, 2, 1, 255];

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
    /// Largest HDLC window the meter accepts (1 to 7).
    pub window: u8,
    /// Largest APDU the meter sends (server max receive PDU size too).
    pub max_pdu: u16,
    /// General block transfer offered, with this window of blocks (`None`: not offered).
    pub gbt_window: Option<u8>,
    /// Short-name referencing (Association SN) instead of logical names.
    pub short_names: bool,
    /// Entries kept in the load profile (96 a day).
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
            window: 1,
            max_pdu: 512,
            gbt_window: None,
            short_names: false,
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
    dedicated: Option<[u8; 16]>,
    max_pdu: usize,
    gbt: bool,
    ctos: Vec<u8>,
    stoc: Vec<u8>,
}

/// A long reply sent in data blocks (GET or short-name read).
#[derive(Clone, Debug)]
struct Blocks {
    chunks: Vec<Vec<u8>>,
    sent: usize,
}

/// A long APDU sent by general block transfer.
#[derive(Clone, Debug)]
struct GbtOut {
    blocks: Vec<Vec<u8>>,
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
    window_tx: usize,
    /// Information fields not yet sent, with the segmentation bit.
    pending: VecDeque<(Vec<u8>, bool)>,
    /// I frames sent and not acknowledged: N(S), info, segmentation bit.
    unacked: VecDeque<(u8, Vec<u8>, bool)>,
    last_frame: Vec<u8>,
    rx_apdu: Vec<u8>,
    // Application.
    assoc: Option<Assoc>,
    ic: u32,
    blocks: Option<Blocks>,
    gbt: Option<GbtOut>,
    relay: bool,
    alarms: u32,
    pushes: u32,
    challenge_counter: u64,
}

/// Seconds of the clock of the epoch the energy registers count from.
const ENERGY_EPOCH: i64 = 1_577_836_800; // 2020-01-01

/// Base names of short-name objects: the n-th object of the list at
/// `0x0800 + 0x100 n`, the Association SN at `FA00`.
fn base_name(i: usize, class: u16) -> u16 {
    if class == 12 { ASSOCIATION_SN } else { 0x0800 + 0x100 * i as u16 }
}

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
            window_tx: 1,
            pending: VecDeque::new(),
            unacked: VecDeque::new(),
            last_frame: Vec::new(),
            rx_apdu: Vec::new(),
            assoc: None,
            ic: 1,
            blocks: None,
            gbt: None,
            relay: true,
            alarms: 0x0000_0101,
            pushes: 0,
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

    /// The alarm register's bits.
    pub fn alarms(&self) -> u32 {
        self.alarms
    }

    /// Pushes triggered (method 1 of the push setup).
    pub fn pushes(&self) -> u32 {
        self.pushes
    }

    /// The HDLC window the meter sends with (negotiated).
    pub fn window(&self) -> usize {
        self.window_tx
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

    /// Gas volume of the M-Bus meter at a time, litres.
    pub fn gas_volume(&self, t: DateTime) -> u32 {
        let mut r = self.rng(4);
        let base = r.range(100_000, 900_000);
        let rate = r.range(20, 90);
        let secs = (t.to_unix() - ENERGY_EPOCH).max(0) as u64;
        (base + secs * rate / 3600) as u32
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

    /// The event log: up to eight events from midnight ten days ago to the
    /// clock, oldest first (the same all day long).
    pub fn event_rows(&self, now: DateTime) -> Vec<Data> {
        let mut r = self.rng(3);
        let mut t = DateTime::from_unix((now.to_unix().div_euclid(86_400) - 10) * 86_400);
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

    /// Class, version and logical name of every object.
    fn objects(&self) -> Vec<(u16, u8, [u8; 6])> {
        let association = if self.cfg.short_names { (12, 4, ASSOCIATION_LN) } else { (15, 1, ASSOCIATION_LN) };
        vec![
            association,
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
            (7, 1, LOAD_PROFILE),
            (7, 1, EVENT_LOG),
            (70, 0, DISCONNECT_CONTROL),
            (1, 0, FIRMWARE[0]),
            (1, 0, FIRMWARE[1]),
            (1, 0, FIRMWARE[2]),
            (1, 0, ALARM_REGISTER),
            (1, 0, ALARM_FILTER),
            (40, 0, PUSH_SETUP),
            (72, 1, MBUS_CLIENT),
            (4, 0, MBUS_VOLUME),
        ]
    }

    fn known(&self, class: u16, obis: [u8; 6]) -> bool {
        self.objects().iter().any(|o| o.0 == class && o.2 == obis)
    }

    /// The attribute a short name stands for.
    fn sn_attr(&self, name: u16) -> Option<AttrRef> {
        self.objects().into_iter().enumerate().find_map(|(i, (class, _, obis))| {
            let off = name.checked_sub(base_name(i, class))?;
            (off < 0x100 && off % 8 == 0).then(|| AttrRef::new(class, obis, (off / 8 + 1) as i8))
        })
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
            MBUS_VOLUME => (Data::DoubleLongUnsigned(self.gas_volume(now)), -3, 13),
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

    fn object_list(&self) -> Data {
        Data::Array(
            self.objects()
                .into_iter()
                .enumerate()
                .map(|(i, (class, version, obis))| {
                    Data::Structure(if self.cfg.short_names {
                        vec![
                            Data::Long(base_name(i, class) as i16),
                            Data::LongUnsigned(class),
                            Data::Unsigned(version),
                            Data::OctetString(obis.to_vec()),
                        ]
                    } else {
                        vec![
                            Data::LongUnsigned(class),
                            Data::Unsigned(version),
                            Data::OctetString(obis.to_vec()),
                            Data::Structure(vec![Data::Array(Vec::new()), Data::Array(Vec::new())]),
                        ]
                    })
                })
                .collect(),
        )
    }

    /// GET of one attribute.
    fn get(&self, a: &AttrRef, access: Option<&Access>) -> GetResult {
        let now = self.clock(self.now);
        if !self.known(a.class, a.obis) {
            return Err(4);
        }
        if a.index == 1 {
            return Ok(Data::OctetString(a.obis.to_vec()));
        }
        let assoc = self.assoc.as_ref();
        let dt = |t: DateTime| Data::OctetString(octets(t).to_vec());
        match (a.class, a.obis, a.index) {
            (12 | 15, _, 2) => Ok(self.object_list()),
            (15, _, 3) => Ok(Data::Structure(vec![Data::Integer(16), Data::LongUnsigned(self.cfg.logical)])),
            (15, _, 4) => Ok(Data::OctetString(vec![0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01])),
            (15, _, 5) => Ok(Data::Structure(vec![
                Data::BitString(24, vec![0x00, 0x7E, 0x1F]),
                Data::LongUnsigned(self.cfg.max_pdu),
                Data::LongUnsigned(self.cfg.max_pdu),
                Data::Unsigned(6),
                Data::Integer(0),
                Data::OctetString(Vec::new()),
            ])),
            (15, _, 6) => {
                let m = assoc.map_or(0, |x| x.mechanism.id());
                Ok(Data::OctetString(vec![0x60, 0x85, 0x74, 0x05, 0x08, 0x02, m]))
            }
            (15, _, 7) => Err(3),
            (15, _, 8) => Ok(Data::Enum(2)),
            (15, _, 9) => Ok(Data::OctetString(vec![0, 0, 43, 0, 0, 255])),
            (15, _, 10) => Ok(Data::Array(Vec::new())),
            (15, _, 11) => Ok(Data::Structure(vec![Data::Unsigned(0), Data::VisibleString(Vec::new())])),
            (12, _, 3) => Ok(Data::Array(Vec::new())),
            (12, _, 4) => Ok(Data::OctetString(vec![0, 0, 43, 0, 0, 255])),
            (8, _, 2) => Ok(Data::DateTime(octets(now))),
            (8, _, 3) => Ok(Data::Long(-60)),
            (8, _, 4) => Ok(Data::Unsigned(0)),
            (8, _, 5) => Ok(dt(DateTime { year: now.year, month: 3, day: 31, hour: 2, minute: 0, second: 0 })),
            (8, _, 6) => Ok(dt(DateTime { year: now.year, month: 10, day: 27, hour: 3, minute: 0, second: 0 })),
            (8, _, 7) => Ok(Data::Integer(60)),
            (8, _, 8) => Ok(Data::Boolean(true)),
            (8, _, 9) => Ok(Data::Enum(1)),
            (1, [0, 0, 42, 0, 0, 255], 2) => Ok(Data::OctetString(b"MSC0000000001".to_vec())),
            (1, [0, 0, 96, 1, 0, 255], 2) => Ok(Data::VisibleString(format!("{:08}", self.cfg.seed).into_bytes())),
            (1, [0, 0, 96, 11, 0, 255], 2) => Ok(Data::LongUnsigned(match self.event_rows(now).last() {
                Some(Data::Structure(v)) => match v.get(1) {
                    Some(Data::LongUnsigned(c)) => *c,
                    _ => 0,
                },
                _ => 0,
            })),
            (1, o, 2) if o == FIRMWARE[0] => Ok(Data::OctetString(b"MSC-MET 2.4.1".to_vec())),
            (1, o, 2) if o == FIRMWARE[1] => {
                let mut r = self.rng(5);
                Ok(Data::OctetString((0..8).map(|_| r.range(0, 255) as u8).collect()))
            }
            (1, o, 2) if o == FIRMWARE[2] => Ok(Data::OctetString(b"MSC-COM 1.9.0".to_vec())),
            (1, ALARM_REGISTER, 2) => Ok(Data::DoubleLongUnsigned(self.alarms)),
            (1, ALARM_FILTER, 2) => Ok(Data::DoubleLongUnsigned(0xFFFF_FFFF)),
            (3 | 4, obis, 2) => self.register(obis, now).map(|r| r.0).ok_or(4),
            (3 | 4, obis, 3) => self
                .register(obis, now)
                .map(|(_, s, u)| Data::Structure(vec![Data::Integer(s), Data::Enum(u)]))
                .ok_or(4),
            (4, _, 4) => Ok(Data::Unsigned(0)),
            (4, _, 5) => Ok(Data::DateTime(octets(DateTime::from_unix(now.to_unix().div_euclid(3600) * 3600)))),
            (7, LOAD_PROFILE, 3) => Ok(Data::Array(vec![
                Self::column(8, CLOCK, 2),
                Self::column(3, [1, 0, 1, 8, 0, 255], 2),
                Self::column(3, [1, 0, 2, 8, 0, 255], 2),
            ])),
            (7, EVENT_LOG, 3) => {
                Ok(Data::Array(vec![Self::column(8, CLOCK, 2), Self::column(1, [0, 0, 96, 11, 0, 255], 2)]))
            }
            (7, obis, 2) => {
                let rows = if obis == LOAD_PROFILE { self.profile_rows(now) } else { self.event_rows(now) };
                select(rows, access).map(Data::Array)
            }
            (7, obis, 4) => Ok(Data::DoubleLongUnsigned(if obis == LOAD_PROFILE { 900 } else { 0 })),
            (7, _, 5) => Ok(Data::Enum(1)),
            (7, _, 6) => Ok(Self::column(0, [0; 6], 0)),
            (7, obis, 7) => {
                let n = if obis == LOAD_PROFILE { self.profile_rows(now).len() } else { self.event_rows(now).len() };
                Ok(Data::DoubleLongUnsigned(n as u32))
            }
            (7, obis, 8) => {
                Ok(Data::DoubleLongUnsigned(if obis == LOAD_PROFILE { self.cfg.profile_entries.max(1) } else { 100 }))
            }
            (70, _, 2) => Ok(Data::Boolean(self.relay)),
            (70, _, 3) => Ok(Data::Enum(u8::from(self.relay))),
            (70, _, 4) => Ok(Data::Enum(1)),
            (40, _, 2) => Ok(Data::Array(vec![
                Data::Structure(vec![
                    Data::LongUnsigned(1),
                    Data::OctetString(vec![0, 0, 96, 1, 0, 255]),
                    Data::Integer(2),
                    Data::LongUnsigned(0),
                ]),
                Data::Structure(vec![
                    Data::LongUnsigned(1),
                    Data::OctetString(ALARM_REGISTER.to_vec()),
                    Data::Integer(2),
                    Data::LongUnsigned(0),
                ]),
            ])),
            (40, _, 3) => {
                Ok(Data::Structure(vec![Data::Enum(0), Data::OctetString(b"192.0.2.10:4059".to_vec()), Data::Enum(0)]))
            }
            (40, _, 4) => Ok(Data::Array(Vec::new())),
            (40, _, 5) => Ok(Data::LongUnsigned(30)),
            (40, _, 6) => Ok(Data::Unsigned(3)),
            (40, _, 7) => Ok(Data::LongUnsigned(60)),
            (72, _, 2) => Ok(Data::OctetString(vec![0, 0, 24, 6, 0, 255])),
            (72, _, 3) => Ok(Data::Array(vec![Data::Structure(vec![
                Data::OctetString(vec![0x0C]),
                Data::OctetString(vec![0x13]),
            ])])),
            (72, _, 4) => Ok(Data::DoubleLongUnsigned(3600)),
            (72, _, 5) => Ok(Data::Unsigned(1)),
            (72, _, 6) => Ok(Data::DoubleLongUnsigned(0x1234_5678)),
            (72, _, 7) => Ok(Data::LongUnsigned(0x2C2D)),
            (72, _, 8) => Ok(Data::Unsigned(1)),
            (72, _, 9) => Ok(Data::Unsigned(3)),
            (72, _, 10) => Ok(Data::Unsigned(now.minute)),
            (72, _, 11) => Ok(Data::Unsigned(0)),
            (72, _, 12) => Ok(Data::Unsigned(0)),
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
            (1, ALARM_REGISTER, 2, Data::DoubleLongUnsigned(v)) => {
                // Writing clears the bits that are 0 in the value.
                self.alarms &= v;
                0
            }
            (1, ALARM_REGISTER, 2, _) => 12,
            _ if self.known(a.class, a.obis) => 3,
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
            (70, DISCONNECT_CONTROL, 1 | 2) => {
                if !self.may_write() {
                    return (3, None);
                }
                self.relay = m.index == 2;
                (0, None)
            }
            (40, PUSH_SETUP, 1) => {
                if !self.may_write() {
                    return (3, None);
                }
                self.pushes += 1;
                (0, None)
            }
            _ if self.known(m.class, m.obis) => (3, None),
            _ => (4, None),
        }
    }

    // ---------------------------------------------------------------------
    // Application layer
    // ---------------------------------------------------------------------

    /// The reply APDUs to a request APDU (none, one, or GBT blocks).
    fn on_apdu(&mut self, client: u16, apdu: &[u8]) -> Vec<Vec<u8>> {
        let Some(&tag) = apdu.first() else { return Vec::new() };
        match tag {
            0x60 => return vec![self.on_aarq(client, apdu)],
            0x62 => {
                self.assoc = None;
                self.blocks = None;
                self.gbt = None;
                return vec![assoc::rlre()];
            }
            Gbt::TAG => return self.on_gbt_ack(apdu),
            _ => {}
        }
        let Some(a) = self.assoc.clone() else {
            return vec![Response::Exception { state: 1, service: 1 }.emit()];
        };
        let ded = assoc::is_ded(tag);
        let plain = if a.ciphered {
            let (Some(title), true) = (a.client_title, super::apdu::is_ciphered(tag)) else {
                return vec![Response::Exception { state: 2, service: 5 }.emit()];
            };
            let keys = match (ded, a.dedicated) {
                (true, Some(ek)) => SuiteKeys { ek, ak: self.cfg.keys.ak },
                (true, None) => return vec![Response::Exception { state: 2, service: 5 }.emit()],
                (false, _) => self.cfg.keys.clone(),
            };
            match assoc::glo_open(&keys, &title, apdu) {
                Ok((p, _)) => p,
                Err(_) => return vec![Response::Exception { state: 2, service: 5 }.emit()],
            }
        } else {
            apdu.to_vec()
        };
        let resp = if self.cfg.short_names { self.on_sn_request(&a, &plain) } else { self.on_request(&a, &plain) };
        let reply = if a.ciphered {
            let c = match (ded, a.dedicated) {
                (true, Some(ek)) => {
                    assoc::ded_seal(&SuiteKeys { ek, ak: self.cfg.keys.ak }, &self.cfg.system_title, self.ic, &resp)
                }
                _ => assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp),
            };
            self.ic += 1;
            c
        } else {
            resp
        };
        // Too long for one APDU: general block transfer when agreed.
        let limit = self.limit(&a);
        if a.gbt && reply.len() > limit {
            let size = limit.saturating_sub(10).max(16);
            self.gbt = Some(GbtOut { blocks: reply.chunks(size).map(<[u8]>::to_vec).collect() });
            let window = usize::from(self.cfg.gbt_window.unwrap_or(1).max(1));
            return self.gbt_window(1, window);
        }
        vec![reply]
    }

    fn limit(&self, a: &Assoc) -> usize {
        a.max_pdu.min(usize::from(self.cfg.max_pdu))
    }

    /// GBT blocks `first..` of the APDU being sent, at most `window` of them,
    /// streamed: the streaming bit on all but the last of the window.
    fn gbt_window(&mut self, first: usize, window: usize) -> Vec<Vec<u8>> {
        let Some(g) = &self.gbt else { return Vec::new() };
        let total = g.blocks.len();
        let last_here = (first + window - 1).min(total);
        let own = self.cfg.gbt_window.unwrap_or(1);
        (first..=last_here)
            .map(|k| {
                Gbt {
                    last: k == total,
                    streaming: k < last_here,
                    window: own,
                    number: k as u16,
                    ack: 0,
                    data: g.blocks[k - 1].clone(),
                }
                .emit()
            })
            .collect()
    }

    /// The client acknowledged GBT blocks: send on from the one after.
    fn on_gbt_ack(&mut self, apdu: &[u8]) -> Vec<Vec<u8>> {
        let (Ok(g), Some(out)) = (Gbt::parse(apdu), &self.gbt) else { return Vec::new() };
        let total = out.blocks.len();
        let next = usize::from(g.ack) + 1;
        if next > total {
            self.gbt = None;
            return Vec::new();
        }
        let window = usize::from(self.cfg.gbt_window.unwrap_or(1).min(g.window).max(1));
        self.gbt_window(next, window)
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
                    services::emit_result_list(&r2)
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

    /// Short-name ReadRequest and WriteRequest.
    fn on_sn_request(&mut self, a: &Assoc, plain: &[u8]) -> Vec<u8> {
        let Ok(req) = SnRequest::parse(plain) else {
            return Response::Exception { state: 2, service: 2 }.emit();
        };
        match req {
            SnRequest::Read(vars) => {
                if let [Variable::BlockNumber(n)] = vars.as_slice() {
                    return match &mut self.blocks {
                        Some(b) if usize::from(*n) == b.sent && b.sent < b.chunks.len() => {
                            let raw = b.chunks[b.sent].clone();
                            b.sent += 1;
                            let last = b.sent == b.chunks.len();
                            let number = b.sent as u16;
                            if last {
                                self.blocks = None;
                            }
                            SnResponse::Read(vec![SnReadResult::Block { last, number, raw }]).emit()
                        }
                        _ => SnResponse::Read(vec![SnReadResult::Error(19)]).emit(),
                    };
                }
                self.blocks = None;
                let results: Vec<SnReadResult> = vars
                    .iter()
                    .map(|v| {
                        let (name, access) = match v {
                            Variable::Name(n) => (*n, None),
                            Variable::Parameterized { name, access } => (*name, Some(access)),
                            Variable::BlockNumber(_) => return SnReadResult::Error(250),
                        };
                        match self.sn_attr(name).map(|attr| self.get(&attr, access)) {
                            Some(Ok(d)) => SnReadResult::Data(d),
                            Some(Err(code)) => SnReadResult::Error(code),
                            None => SnReadResult::Error(4),
                        }
                    })
                    .collect();
                let whole = SnResponse::Read(results.clone()).emit();
                let limit = self.limit(a);
                let overhead = if a.ciphered { 22 } else { 0 };
                if a.gbt || whole.len() + overhead <= limit {
                    return whole;
                }
                let size = limit.saturating_sub(16 + overhead).max(16);
                let chunks: Vec<Vec<u8>> =
                    services::emit_sn_results(&results).chunks(size).map(<[u8]>::to_vec).collect();
                let first = chunks.first().cloned().unwrap_or_default();
                let last = chunks.len() == 1;
                if !last {
                    self.blocks = Some(Blocks { chunks, sent: 1 });
                }
                SnResponse::Read(vec![SnReadResult::Block { last, number: 1, raw: first }]).emit()
            }
            SnRequest::Write { variables, values } => {
                let results = variables
                    .iter()
                    .zip(values.iter().chain(std::iter::repeat(&Data::Null)))
                    .map(|(v, d)| match v {
                        Variable::Name(n) => match self.sn_attr(*n) {
                            Some(attr) => match self.set(&attr, d) {
                                0 => Ok(()),
                                code => Err(code),
                            },
                            None => Err(4),
                        },
                        _ => Err(250),
                    })
                    .collect();
                SnResponse::Write(results).emit()
            }
        }
    }

    /// The response as it is, or its first data block when it is too long
    /// (whole when general block transfer carries long APDUs).
    fn maybe_blocks(&mut self, a: &Assoc, invoke: u8, resp: Response, raw: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
        let whole = resp.emit();
        let limit = self.limit(a);
        let overhead = if a.ciphered { 22 } else { 0 };
        if a.gbt || whole.len() + overhead <= limit {
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
        self.gbt = None;
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
        let ours = AppContext { logical_names: !self.cfg.short_names, ciphered: false };
        let Ok(aarq) = Aarq::parse(apdu) else { return reject(ours, 1) };
        if aarq.context.logical_names == self.cfg.short_names {
            // Application context name not supported: the other referencing.
            return reject(aarq.context, 2);
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
        let mut offered = 0x00_7E1F;
        if self.cfg.gbt_window.is_some() {
            offered |= conformance::GENERAL_BLOCK_TRANSFER;
        }
        if self.cfg.short_names {
            offered |= conformance::CLIENT_SN;
            offered &= !(conformance::GET | conformance::SET | conformance::ACTION | conformance::SELECTIVE_ACCESS);
        }
        let granted = init.conformance & offered;
        let resp = InitiateResponse {
            version: 6,
            conformance: granted,
            max_pdu: self.cfg.max_pdu,
            vaa_name: if self.cfg.short_names { ASSOCIATION_SN } else { 0x0007 },
        };
        let user_info = if aarq.context.ciphered {
            let c = assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp.emit());
            self.ic += 1;
            c
        } else {
            resp.emit()
        };
        let dedicated = init.dedicated_key.as_deref().and_then(|k| <[u8; 16]>::try_from(k).ok());
        self.assoc = Some(Assoc {
            mechanism,
            authenticated: mechanism != Mechanism::HighGmac,
            ciphered: aarq.context.ciphered,
            client_title,
            dedicated: dedicated.filter(|_| aarq.context.ciphered),
            max_pdu: usize::from(init.max_pdu.max(64)),
            gbt: granted & conformance::GENERAL_BLOCK_TRANSFER != 0,
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

    fn rr(&mut self) {
        let rr = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
        self.send_frame(rr);
    }

    /// Reply APDUs cut into information fields behind those still pending.
    fn queue_reply(&mut self, apdus: Vec<Vec<u8>>) {
        for apdu in apdus {
            let mut info = LLC_RESPONSE.to_vec();
            info.extend_from_slice(&apdu);
            let n = info.len().div_ceil(self.max_tx);
            for (i, c) in info.chunks(self.max_tx).enumerate() {
                self.pending.push_back((c.to_vec(), i + 1 < n));
            }
        }
    }

    /// Send I frames: the unacknowledged ones again when `resend` (go back),
    /// then pending ones up to the window; the final bit on the last.
    fn send_window(&mut self, resend: bool) {
        let mut burst: Vec<(u8, Vec<u8>, bool)> =
            if resend { self.unacked.iter().cloned().collect() } else { Vec::new() };
        while self.unacked.len() < self.window_tx.max(1) {
            let Some((info, more)) = self.pending.pop_front() else { break };
            let ns = self.ns;
            self.ns = (self.ns + 1) % 8;
            self.unacked.push_back((ns, info.clone(), more));
            burst.push((ns, info, more));
        }
        let n = burst.len();
        for (i, (ns, info, more)) in burst.into_iter().enumerate() {
            let f = self.hdlc(Control::I { ns, nr: self.nr, pf: i + 1 == n }, info, more);
            self.send_frame(f);
        }
    }

    /// N(R) from the client acknowledges our frames before it; false when it
    /// names none of ours.
    fn ack(&mut self, nr: u8) -> bool {
        if nr != self.ns && !self.unacked.iter().any(|u| u.0 == nr) {
            return false;
        }
        while self.unacked.front().is_some_and(|u| u.0 != nr) {
            self.unacked.pop_front();
        }
        true
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
                self.pending.clear();
                self.unacked.clear();
                self.rx_apdu.clear();
                self.assoc = None;
                self.gbt = None;
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                let window = self.cfg.window.clamp(1, 7);
                self.window_tx = usize::from(p.window_rx.min(window));
                let ours = LinkParams {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx.min(self.cfg.max_info),
                    window_tx: self.window_tx as u8,
                    window_rx: p.window_tx.min(window),
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
                if !self.ack(nr) {
                    return;
                }
                if !self.unacked.is_empty() {
                    // The client missed frames from N(R) on: go back.
                    self.send_window(true);
                } else if !self.pending.is_empty() {
                    self.send_window(false);
                } else {
                    self.rr();
                }
            }
            Control::I { ns, nr, pf } => {
                self.ack(nr);
                if ns != self.nr {
                    // A frame again (our reply or acknowledgement was lost) or out of sequence.
                    if pf {
                        if self.unacked.is_empty() {
                            self.rr();
                        } else {
                            self.send_window(true);
                        }
                    }
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let info = match f.info.as_slice() {
                    [0xE6, 0xE6, rest @ ..] if self.rx_apdu.is_empty() => rest.get(1..).unwrap_or_default(),
                    all => all,
                };
                self.rx_apdu.extend_from_slice(info);
                if self.rx_apdu.len() > 70_000 {
                    self.rx_apdu.clear();
                }
                if f.segmented {
                    if pf {
                        self.rr();
                    }
                    return;
                }
                let apdu = std::mem::take(&mut self.rx_apdu);
                let replies = self.on_apdu(client, &apdu);
                if replies.is_empty() {
                    if pf {
                        self.rr();
                    }
                    return;
                }
                self.queue_reply(replies);
                self.send_window(false);
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
                            {
                                for reply in self.on_apdu(src, &apdu) {
                                    self.out.push_back(link::wrap(dst, src, &reply));
                                }
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
