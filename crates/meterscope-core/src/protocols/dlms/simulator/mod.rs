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
use crate::session::{DateTime, LineSettings, Millis, Parity, Rng, RxBuffer, SimulatedMeter};

mod application;
mod hdlc_link;
mod objects;

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
    /// Received bytes (all dropped when more than 70 000 wait).
    rx: RxBuffer,
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
            rx: RxBuffer::new(usize::MAX),
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
}

impl SimulatedMeter for DlmsMeter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.push(bytes);
        if self.rx.len() > 70_000 {
            self.rx.clear();
        }
        let framer = match self.cfg.transport {
            Transport::Hdlc => hdlc::frame,
            Transport::Wrapper => wrapper::frame,
        };
        while let Some((frame, _)) = self.rx.next(framer) {
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
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    fn line(&self) -> LineSettings {
        self.cfg.line
    }
}
