//! A simulated DL/T 698.45 meter, sans-IO: request frames in, reply frames out.
//!
//! Deterministic: the same [`MeterConfig`] and the same inputs at the same
//! [`Millis`] give the same replies, so the app's demo mode and the tests share it.
//!
//! The state is self-consistent:
//! - energies (`00x00200`, every quantity kind of the dictionary, and phase
//!   energies `00x1`–`00x3`): four tariffs growing at their own rates, the
//!   total the sum of the tariffs (scaler −2); the phases split the total;
//! - per phase voltage (`20000200`, 0.1 V), current (`20010200`, 0.001 A) and
//!   power factor; active power P = U·I·cosφ, apparent S = U·I, reactive
//!   Q = √(S² − P²) (`20040200`–`20060200`, total then phases, 0.1 W),
//!   total power factor P/S (`200A0200`), frequency (`200F0200`), small
//!   variations with time;
//! - a clock (`40000200`): the base date-time plus `now`, moved by SET;
//!   address (`40010200`), meter number (`40020200`);
//! - freezes for GET-Request-Record: minute (`50020200`, every 15 min), day
//!   (`50040200`, at 00:00), month (`50060200`, on the 1st) with the freeze
//!   time `20210200` and any energy column, computed from the same energy
//!   model at the freeze time; RSD selectors 1 (time equal), 2 (time range,
//!   start included, end excluded), 9 (the n-th last) and 10 (the last n);
//! - event records (`30110200` power-down, `30130200` meter clear,
//!   `30160200` clock setting, `301B0200` cover opening) with serial number
//!   `20220200`, start `201E0200` and end `20200200`.
//!
//! It can raise an active report on demand ([`Dlt698Meter::raise_report`]),
//! counts the REPORT-Responses it gets, attaches a FollowReport (status word
//! `20150200`) to the next response when asked, splits long record and list
//! replies into GET-Response-Next blocks ([`MeterConfig::block_items`]) and
//! sends frames longer than [`MeterConfig::max_frame`] as link fragments,
//! each after the confirmation of the one before.
//!
//! With [`MeterConfig::require_security`] it reads only through
//! SECURITY-Request: a bare GET is answered with DAR 20 (security
//! authentication mismatch) for each object, a plaintext SECURITY-Request is
//! answered with a plaintext SECURITY-Response carrying a MAC. The MAC is a
//! stand-in computed from the RN and the reply (a real meter's comes from its
//! ESAM); a ciphertext request is refused with DAR 22 (ESAM verification failed).

use std::collections::VecDeque;

use super::codec::{Csd, Data, Rsd};
use super::data::tag;
use super::dictionary;
use super::emit::{
    Apdu, ConnectMechanism, FactoryVersion, FollowReport, GetResult, NextAnswer, Oad, RecordData, ResultNormal,
    ResultRecord, SecurityData, SecurityResponseData, ServerTail, VerifyInfo, oad, oad_u32,
};
use super::link::{self, FrameRepr};
use super::reassembly::{self, Fragment, FragmentKind};
use crate::session::{DateTime, LineSettings, Millis, Parity, RxBuffer, SimulatedMeter};

#[cfg(test)]
mod tests;

/// How the simulated meter is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    /// Server address as written (`123456789012`), 6 bytes.
    pub address: [u8; 6],
    /// Everything not set here is derived from the seed.
    pub seed: u64,
    /// The meter's clock at `now` = 0.
    pub base: DateTime,
    /// Largest frame sent; longer replies go out as link fragments.
    pub max_frame: usize,
    /// Most results or record rows in one GET response; more go out in
    /// GET-Response-Next blocks. 0: never split.
    pub block_items: usize,
    /// `FE` bytes before each frame.
    pub wake_up: usize,
    pub line: LineSettings,
    /// Reads only through SECURITY-Request (plaintext with RN, RN_MAC, SID or SID_MAC).
    pub require_security: bool,
    /// Services only inside an application connection: without one every
    /// request gets ERROR-Response "service not supported" (type 2).
    pub require_connect: bool,
    /// The password a CONNECT-Request must carry (PasswordSecurity); `None`
    /// accepts NullSecurity and any password.
    pub password: Option<Vec<u8>>,
    /// The protocol version the meter speaks: a CONNECT-Request proposing
    /// another is refused with result 5 (version mismatch), this one named.
    pub protocol_version: u16,
}

impl Default for MeterConfig {
    fn default() -> Self {
        MeterConfig {
            address: [0x12, 0x34, 0x56, 0x78, 0x90, 0x12],
            seed: 1,
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            max_frame: 512,
            block_items: 0,
            wake_up: 4,
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            require_security: false,
            require_connect: false,
            password: None,
            protocol_version: 0x0016,
        }
    }
}

/// Tariffs the meter keeps.
pub const TARIFFS: usize = 4;
/// Quantity kinds of energies (third OI nibble 0..=10).
const KINDS: u16 = 11;
/// 2020-01-01 00:00:00: the energy registers start from their base then.
const EPOCH: i64 = 1_577_836_800;
/// Event objects with records.
const EVENTS: [u16; 4] = [0x3011, 0x3013, 0x3016, 0x301B];

/// The report raised by [`Dlt698Meter::raise_report`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// REPORT-Notification-List: the new-event list `33200200` and the status word `20150200`.
    List,
    /// REPORT-Notification-RecordList: the latest power-down event record.
    Record,
}

/// A GET-Response-Next transfer under way.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Blocks {
    answers: Vec<NextAnswer>,
    /// Blocks sent so far.
    sent: u16,
}

/// The simulated meter.
#[derive(Clone, Debug)]
pub struct Dlt698Meter {
    cfg: MeterConfig,
    now: Millis,
    clock_offset: i64,
    follow_pending: bool,
    blocks: Option<Blocks>,
    /// Link fragments still to send, and the sequence number whose confirmation is awaited.
    fragments: VecDeque<FrameRepr>,
    awaiting: Option<u16>,
    report_piid: u8,
    reports_sent: usize,
    reports_acknowledged: usize,
    confirms: usize,
    /// Received bytes: frames longer than 4096 bytes are given up.
    rx: RxBuffer,
    tx: VecDeque<Vec<u8>>,
    /// An application connection is open.
    connected: bool,
}

fn mix(seed: u64, a: u64) -> u64 {
    let mut z = seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn int(t: u8, v: i128) -> Data {
    Data::Int { tag: t, value: v }
}

pub use super::codec::{date_time_s, parse_date_time_s};

/// Instantaneous values: per phase U (0.1 V), I (0.001 A), P, Q, S (0.1 W, var, VA), pf (0.001).
#[derive(Clone, Copy, Debug, Default)]
struct Power {
    u: i128,
    i: i128,
    p: i128,
    q: i128,
    s: i128,
    pf: i128,
}

impl Dlt698Meter {
    pub fn new(cfg: MeterConfig) -> Self {
        Dlt698Meter {
            cfg,
            now: Millis(0),
            clock_offset: 0,
            follow_pending: false,
            blocks: None,
            fragments: VecDeque::new(),
            awaiting: None,
            report_piid: 0,
            reports_sent: 0,
            reports_acknowledged: 0,
            confirms: 0,
            rx: RxBuffer::new(4096),
            tx: VecDeque::new(),
            connected: false,
        }
    }

    /// Whether an application connection is open.
    pub fn connected(&self) -> bool {
        self.connected
    }

    pub fn config(&self) -> &MeterConfig {
        &self.cfg
    }

    /// The address as written (`123456789012`).
    pub fn address_text(&self) -> String {
        super::data::hex(&self.cfg.address)
    }

    /// The meter's clock at `now`.
    pub fn clock(&self, now: Millis) -> DateTime {
        self.cfg.base.plus_seconds(now.0 as i64 / 1000 + self.clock_offset)
    }

    /// REPORT-Notifications sent and REPORT-Responses received.
    pub fn reports(&self) -> (usize, usize) {
        (self.reports_sent, self.reports_acknowledged)
    }

    /// Fragment confirmations received.
    pub fn confirms(&self) -> usize {
        self.confirms
    }

    /// Attach a FollowReport (the status word `20150200`) to the next response.
    pub fn request_follow_report(&mut self) {
        self.follow_pending = true;
    }

    fn wire_sa(&self) -> Vec<u8> {
        self.cfg.address.iter().rev().copied().collect()
    }

    /// Energy of quantity `kind`, tariff `t` (1..=4) at `at`, in 0.01 kWh.
    fn tariff_energy(&self, kind: u16, t: usize, at: &DateTime) -> i128 {
        let k = u64::from(kind) * 8 + t as u64;
        let base = 100_000 + mix(self.cfg.seed, k) % 400_000;
        let rate = 2 + mix(self.cfg.seed, k + 1000) % 60; // 0.01 kWh per hour
        let hours = (at.to_unix() - EPOCH).max(0) as u64 / 3600;
        i128::from(base + rate * hours)
    }

    /// Energies of `oi` (`00kp`): total then tariffs; phases get a share of the total.
    fn energies(&self, oi: u16, at: &DateTime) -> Option<Vec<i128>> {
        let (kind, phase) = ((oi >> 4) & 0xF, oi & 0xF);
        if oi >> 8 != 0 || kind >= KINDS || phase > 3 {
            return None;
        }
        let tariffs: Vec<i128> = (1..=TARIFFS).map(|t| self.tariff_energy(kind, t, at)).collect();
        let total: i128 = tariffs.iter().sum();
        Some(match phase {
            0 => std::iter::once(total).chain(tariffs).collect(),
            p => {
                let shares = [34, 33, 33];
                let total = total * shares[usize::from(p) - 1] / 100;
                let part = |t: i128| t * shares[usize::from(p) - 1] / 100;
                let mut tariffs: Vec<i128> = (1..=TARIFFS).map(|t| part(self.tariff_energy(kind, t, at))).collect();
                // Keep the phase total the sum of its tariffs.
                let rest = total - tariffs.iter().sum::<i128>();
                tariffs[0] += rest;
                std::iter::once(total).chain(tariffs).collect()
            }
        })
    }

    fn powers(&self, now: Millis) -> [Power; 4] {
        let tick = now.0 / 10_000;
        let j = |k: u64, span: u64| (mix(self.cfg.seed, tick * 64 + k) % span) as i128;
        let mut ph = [Power::default(); 4];
        for (n, p) in ph.iter_mut().enumerate().skip(1) {
            let k = n as u64 * 10;
            let u = 2200 + (mix(self.cfg.seed, k) % 60) as i128 + j(k, 20);
            let i = 3000 + (mix(self.cfg.seed, k + 1) % 4000) as i128 + j(k + 1, 200);
            let pf = 880 + (mix(self.cfg.seed, k + 2) % 110) as i128;
            let s = u * i / 1000;
            let pw = u * i * pf / 1_000_000;
            let q = isqrt(s * s - pw * pw);
            *p = Power { u, i, p: pw, q, s, pf };
        }
        let (p, q, s) = ph[1..].iter().fold((0, 0, 0), |a, x| (a.0 + x.p, a.1 + x.q, a.2 + x.s));
        ph[0] = Power { u: 0, i: 0, p, q, s, pf: if s == 0 { 1000 } else { p * 1000 / s } };
        ph
    }

    /// The value of attribute 2 (or 3, 1) of an object, whole.
    fn attribute(&self, oi: u16, attr: u8, now: Millis) -> Option<Data> {
        let clock = self.clock(now);
        if attr == 1 {
            return Some(Data::Bytes { tag: tag::OCTET_STRING, bytes: oi.to_be_bytes().to_vec() });
        }
        if attr == 3 {
            let h = dictionary::hint(oi, 2)?;
            return Some(Data::Fixed { tag: tag::SCALER_UNIT, bytes: vec![h.scaler as u8, h.unit] });
        }
        if attr != 2 {
            return None;
        }
        if let Some(e) = self.energies(oi, &clock) {
            return Some(Data::Array(e.into_iter().map(|v| int(tag::DOUBLE_LONG_UNSIGNED, v)).collect()));
        }
        let ph = self.powers(now);
        let phases = |f: &dyn Fn(&Power) -> Data| Data::Array(ph[1..].iter().map(f).collect());
        let all = |f: &dyn Fn(&Power) -> Data| Data::Array(ph.iter().map(f).collect());
        Some(match oi {
            0x2000 => phases(&|p| int(tag::LONG_UNSIGNED, p.u)),
            0x2001 => phases(&|p| int(tag::DOUBLE_LONG, p.i)),
            0x2004 => all(&|p| int(tag::DOUBLE_LONG, p.p)),
            0x2005 => all(&|p| int(tag::DOUBLE_LONG, p.q)),
            0x2006 => all(&|p| int(tag::DOUBLE_LONG, p.s)),
            0x200A => all(&|p| int(tag::LONG, p.pf)),
            0x200F => int(tag::LONG_UNSIGNED, 4990 + (mix(self.cfg.seed, now.0 / 10_000) % 20) as i128),
            0x2015 => Data::BitString { bits: 32, bytes: vec![0x00, 0x00, 0x00, 0x01] },
            0x4000 => date_time_s(&clock),
            0x4001 => Data::Bytes { tag: tag::OCTET_STRING, bytes: self.cfg.address.to_vec() },
            0x4002 => {
                let n = mix(self.cfg.seed, 77).to_be_bytes();
                Data::Bytes {
                    tag: tag::OCTET_STRING,
                    bytes: vec![0x00, 0x00, n[0] & 0x99, n[1] & 0x99, n[2] & 0x99, n[3] & 0x99],
                }
            }
            _ => return None,
        })
    }

    /// GET of one OAD: the value or a DAR.
    pub fn get(&self, o: Oad, now: Millis) -> GetResult {
        let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
        if oi >> 12 == 5 || EVENTS.contains(&oi) {
            return GetResult::Dar(3); // record attributes are read with GET-Request-Record
        }
        match self.attribute(oi, attr & 0x1F, now) {
            None => GetResult::Dar(6),
            Some(d) if index == 0 => GetResult::Data(d),
            Some(Data::Array(items)) => match items.into_iter().nth(usize::from(index) - 1) {
                Some(d) => GetResult::Data(d),
                None => GetResult::Dar(8),
            },
            Some(_) => GetResult::Dar(8),
        }
    }

    /// Times of the freezes of `oi`, latest first, up to the meter's depth.
    fn freeze_times(&self, oi: u16, now: Millis) -> Vec<DateTime> {
        let c = self.clock(now);
        let midnight = DateTime { hour: 0, minute: 0, second: 0, ..c };
        match oi {
            0x5002 => {
                let start = DateTime { minute: c.minute - c.minute % 15, second: 0, ..c };
                (0..96).map(|i| start.plus_seconds(-i * 900)).collect()
            }
            0x5004 => (0..62).map(|i| midnight.plus_seconds(-i * 86_400)).collect(),
            0x5006 => (0..12)
                .map(|i| {
                    let m = i64::from(c.year) * 12 + i64::from(c.month) - 1 - i;
                    DateTime { year: (m / 12) as u16, month: (m % 12 + 1) as u8, day: 1, ..midnight }
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Events of `oi`, latest first: serial number, start, end.
    fn event_list(&self, oi: u16, now: Millis) -> Vec<(u32, DateTime, DateTime)> {
        let c = self.clock(now);
        let n = 2 + mix(self.cfg.seed, u64::from(oi)) % 5;
        let mut t = c;
        (0..n)
            .map(|i| {
                t = t.plus_seconds(-(86_400 * 2 + (mix(self.cfg.seed, u64::from(oi) * 100 + i) % 86_400) as i64));
                let end = t.plus_seconds(60 + (mix(self.cfg.seed, i + 7) % 3600) as i64);
                ((n - i) as u32, t, end)
            })
            .collect()
    }

    /// One column value of a freeze taken at `t`.
    fn freeze_column(&self, col: &Csd, t: &DateTime) -> Data {
        let Csd::Oad(o) = col else { return Data::Null };
        let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
        if oi == 0x2021 {
            return date_time_s(t);
        }
        match (self.energies(oi, t), attr) {
            (Some(e), 2) if index == 0 => {
                Data::Array(e.into_iter().map(|v| int(tag::DOUBLE_LONG_UNSIGNED, v)).collect())
            }
            (Some(e), 2) => e.get(usize::from(index) - 1).map_or(Data::Null, |&v| int(tag::DOUBLE_LONG_UNSIGNED, v)),
            _ => Data::Null,
        }
    }

    fn event_column(col: &Csd, ev: &(u32, DateTime, DateTime)) -> Data {
        match col {
            Csd::Oad(o) => match oad_u32(*o) {
                0x2022_0200 => int(tag::DOUBLE_LONG_UNSIGNED, i128::from(ev.0)),
                0x201E_0200 => date_time_s(&ev.1),
                0x2020_0200 => date_time_s(&ev.2),
                _ => Data::Null,
            },
            Csd::Road { .. } => Data::Null,
        }
    }

    /// GET-Request-Record: the rows selected by `rsd`, columns by `rcsd`
    /// (empty: the default columns).
    pub fn get_record(&self, o: Oad, rsd: &Rsd, rcsd: &[Csd], now: Millis) -> ResultRecord {
        let oi = u16::from_be_bytes([o[0], o[1]]);
        let freeze = matches!(oi, 0x5002 | 0x5004 | 0x5006);
        let event = EVENTS.contains(&oi);
        let cols: Vec<Csd> = if !rcsd.is_empty() {
            rcsd.to_vec()
        } else if freeze {
            [0x2021_0200, 0x0010_0200, 0x0020_0200].map(|v| Csd::Oad(oad(v))).to_vec()
        } else {
            [0x2022_0200, 0x201E_0200, 0x2020_0200].map(|v| Csd::Oad(oad(v))).to_vec()
        };
        let fail = |dar| ResultRecord { oad: o, rcsd: cols.clone(), data: RecordData::Dar(dar) };
        if !(freeze || event) || o[2] != 2 {
            return fail(6);
        }
        // (time, row) latest first.
        let all: Vec<(DateTime, Vec<Data>)> = if freeze {
            self.freeze_times(oi, now)
                .into_iter()
                .map(|t| (t, cols.iter().map(|c| self.freeze_column(c, &t)).collect()))
                .collect()
        } else {
            self.event_list(oi, now)
                .into_iter()
                .map(|ev| (ev.1, cols.iter().map(|c| Self::event_column(c, &ev)).collect()))
                .collect()
        };
        let time_oad = if freeze { 0x2021_0200 } else { 0x201E_0200 };
        let rows: Vec<Vec<Data>> = match rsd {
            Rsd::S9(n) if *n >= 1 => all.into_iter().nth(usize::from(*n) - 1).map(|r| r.1).into_iter().collect(),
            Rsd::S10(n, _) => all.into_iter().take(usize::from(*n)).map(|r| r.1).collect(),
            Rsd::S1 { oad: by, value } if oad_u32(*by) == time_oad => {
                let Some(t) = parse_date_time_s(value) else { return fail(7) };
                all.into_iter().filter(|r| r.0 == t).map(|r| r.1).collect()
            }
            Rsd::S2(s) if oad_u32(s.oad) == time_oad => {
                let (Some(a), Some(b)) = (parse_date_time_s(&s.start), parse_date_time_s(&s.end)) else {
                    return fail(7);
                };
                all.into_iter().rev().filter(|r| r.0 >= a && r.0 < b).map(|r| r.1).collect()
            }
            _ => return fail(8),
        };
        ResultRecord { oad: o, rcsd: cols, data: RecordData::Rows(rows) }
    }

    /// Send an active report now (REPORT-Notification, server-initiated).
    pub fn raise_report(&mut self, now: Millis, kind: ReportKind) {
        self.report_piid = (self.report_piid + 1) & 0x3F;
        let piid = self.report_piid;
        let apdu = match kind {
            ReportKind::List => Apdu::ReportNotificationList {
                piid,
                results: vec![
                    ResultNormal {
                        oad: oad(0x3320_0200),
                        result: GetResult::Data(Data::Array(vec![Data::Fixed {
                            tag: tag::OI,
                            bytes: vec![0x30, 0x11],
                        }])),
                    },
                    ResultNormal { oad: oad(0x2015_0200), result: self.get(oad(0x2015_0200), now) },
                ],
                tail: ServerTail::default(),
            },
            ReportKind::Record => {
                let r = self.get_record(oad(0x3011_0200), &Rsd::S9(1), &[], now);
                Apdu::ReportNotificationRecordList { piid, results: vec![r], tail: ServerTail::default() }
            }
        };
        self.reports_sent += 1;
        // DIR = 1, PRM = 0: a server-initiated frame.
        self.send(0x83, 0x00, &apdu.emit());
    }

    /// Queue the frames of a reply, fragmenting it when it is too long.
    fn send(&mut self, control: u8, ca: u8, apdu: &[u8]) {
        let f = FrameRepr { control, af: 0x05, sa: self.wire_sa(), ca, user_data: apdu.to_vec() };
        if f.buffer_len() <= self.cfg.max_frame {
            self.put(&f);
            return;
        }
        let piece = self.cfg.max_frame.saturating_sub(f.buffer_len() - apdu.len() + 2).max(8);
        let mut frames: VecDeque<FrameRepr> = reassembly::split(&f, apdu, piece, 0).into();
        if let Some(first) = frames.pop_front() {
            self.awaiting = Fragment::of(&first).map(|x| x.seq);
            self.put(&first);
        }
        self.fragments = frames;
    }

    fn put(&mut self, f: &FrameRepr) {
        let mut out = vec![link::WAKE_UP; self.cfg.wake_up.min(4)];
        out.extend_from_slice(&f.emit());
        self.tx.push_back(out);
    }

    /// Whether a request's server address names this meter: single address
    /// equal, wildcard with `A` nibbles matching anything, or broadcast.
    fn accepts(&self, f: &FrameRepr) -> Option<bool> {
        let own = self.wire_sa();
        match f.af >> 6 {
            0 => (f.sa == own).then_some(true),
            1 => {
                let fits = f.sa.len() == own.len()
                    && f.sa.iter().zip(&own).all(|(&w, &o)| {
                        (w >> 4 == 0xA || w >> 4 == o >> 4) && (w & 0x0F == 0x0A || w & 0x0F == o & 0x0F)
                    });
                fits.then_some(true)
            }
            3 => Some(false), // broadcast: act, do not answer
            _ => None,
        }
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let Ok(f) = FrameRepr::parse(bytes) else { return };
        if f.control & 0x80 != 0 {
            return; // from a server
        }
        let Some(answer) = self.accepts(&f) else { return };
        if let Some(frag) = Fragment::of(&f) {
            if frag.kind == FragmentKind::Confirm && self.awaiting == Some(frag.seq) {
                self.confirms += 1;
                match self.fragments.pop_front() {
                    Some(next) => {
                        self.awaiting = Fragment::of(&next).map(|x| x.seq).filter(|_| !self.fragments.is_empty());
                        self.put(&next);
                    }
                    None => self.awaiting = None,
                }
            }
            return;
        }
        let Ok(apdu) = Apdu::parse(&f.user_data) else {
            if answer && f.control & 0x40 != 0 {
                let piid = f.user_data.get(2).copied().unwrap_or(0);
                self.send(0xC3, f.ca, &Apdu::ErrorResponse { piid, kind: 1 }.emit());
            }
            return;
        };
        // A new request ends a fragmented reply under way.
        self.fragments.clear();
        self.awaiting = None;
        if f.control & 0x40 == 0 {
            // A client's answer to a server-initiated frame.
            if matches!(apdu, Apdu::ReportResponse { .. }) {
                self.reports_acknowledged += 1;
            }
            return;
        }
        let reply = self.respond(now, apdu);
        if let (true, Some(r)) = (answer, reply) {
            self.send(0xC3, f.ca, &r.emit());
        }
    }

    fn tail(&mut self, now: Millis) -> ServerTail {
        let follow = std::mem::take(&mut self.follow_pending).then(|| {
            FollowReport::Normal(vec![ResultNormal { oad: oad(0x2015_0200), result: self.get(oad(0x2015_0200), now) }])
        });
        ServerTail { follow, time_tag: None }
    }

    /// The first block of a long answer, the rest kept for GET-Request-Next.
    fn blocks(&mut self, piid: u8, answers: Vec<NextAnswer>, now: Millis) -> Apdu {
        self.blocks = Some(Blocks { answers, sent: 0 });
        self.next_block(piid, 0, now)
    }

    fn next_block(&mut self, piid: u8, last_block: u16, now: Millis) -> Apdu {
        let tail = self.tail(now);
        let Some(b) = self.blocks.as_mut().filter(|b| b.sent == last_block && usize::from(b.sent) < b.answers.len())
        else {
            self.blocks = None;
            return Apdu::GetResponseNext { piid, last: true, block: last_block, answer: NextAnswer::Dar(11), tail };
        };
        let answer = b.answers[usize::from(b.sent)].clone();
        b.sent += 1;
        let last = usize::from(b.sent) == b.answers.len();
        let block = b.sent;
        if last {
            self.blocks = None;
        }
        Apdu::GetResponseNext { piid, last, block, answer, tail }
    }

    /// The reply to a request, through the connection and security layers.
    fn respond(&mut self, now: Millis, apdu: Apdu) -> Option<Apdu> {
        match apdu {
            Apdu::ConnectRequest { piid, params, mechanism, .. } => {
                let result = match (&self.cfg.password, &mechanism) {
                    _ if params.version != self.cfg.protocol_version => 5,
                    (None, ConnectMechanism::Null | ConnectMechanism::Password(_)) => 0,
                    (Some(want), ConnectMechanism::Password(p)) if p == want => 0,
                    (Some(_), ConnectMechanism::Null | ConnectMechanism::Password(_)) => 1,
                    (_, ConnectMechanism::Symmetric { .. }) => 2,
                    (_, ConnectMechanism::Signature { .. }) => 4,
                };
                self.connected = result == 0;
                let mut granted = params;
                granted.version = self.cfg.protocol_version;
                granted.send_max = granted.send_max.min(self.cfg.max_frame as u16);
                granted.apdu_max = granted.apdu_max.min(2048);
                let factory = FactoryVersion {
                    vendor: *b"MSCP",
                    software_version: *b"0100",
                    software_date: *b"240517",
                    hardware_version: *b"0100",
                    hardware_date: *b"240517",
                    extension: [0; 8],
                };
                Some(Apdu::ConnectResponse {
                    piid,
                    factory,
                    params: granted,
                    result,
                    security: None,
                    tail: ServerTail::default(),
                })
            }
            Apdu::ReleaseRequest { piid, .. } => {
                self.connected = false;
                Some(Apdu::ReleaseResponse { piid, result: 0, tail: ServerTail::default() })
            }
            a if self.cfg.require_connect && !self.connected => {
                Some(Apdu::ErrorResponse { piid: a.piid().unwrap_or(0), kind: 2 })
            }
            Apdu::SecurityRequest { data: SecurityData::Plain(inner), verify } => {
                let rn = match verify {
                    VerifyInfo::Rn(rn) | VerifyInfo::RnMac { rn, .. } => rn,
                    VerifyInfo::Sid { data, .. } | VerifyInfo::SidMac { data, .. } => data,
                };
                let Ok(inner) = Apdu::parse(&inner) else {
                    return Some(Apdu::SecurityResponse { data: SecurityResponseData::Dar(255), mac: None });
                };
                let reply = self.answer(now, inner)?.emit();
                let mac = self.mac(&rn, &reply);
                Some(Apdu::SecurityResponse { data: SecurityResponseData::Plain(reply), mac: Some(mac) })
            }
            Apdu::SecurityRequest { data: SecurityData::Cipher(_), .. } => {
                Some(Apdu::SecurityResponse { data: SecurityResponseData::Dar(22), mac: None })
            }
            a if self.cfg.require_security => match refuse(&a, 20) {
                Some(r) => Some(r),
                None => self.answer(now, a),
            },
            a => self.answer(now, a),
        }
    }

    /// A stand-in MAC of 4 bytes over the RN and the reply.
    fn mac(&self, rn: &[u8], reply: &[u8]) -> Vec<u8> {
        let h = rn.iter().chain(reply).fold(mix(self.cfg.seed, 0x4D41_4300), |h, &b| mix(h, u64::from(b)));
        h.to_be_bytes()[..4].to_vec()
    }

    fn answer(&mut self, now: Millis, apdu: Apdu) -> Option<Apdu> {
        let limit = self.cfg.block_items;
        Some(match apdu {
            Apdu::GetNormal { piid, oad: o, .. } => Apdu::GetResponseNormal {
                piid,
                result: ResultNormal { oad: o, result: self.get(o, now) },
                tail: self.tail(now),
            },
            Apdu::GetNormalList { piid, oads, .. } => {
                let results: Vec<ResultNormal> =
                    oads.iter().map(|&o| ResultNormal { oad: o, result: self.get(o, now) }).collect();
                if limit > 0 && results.len() > limit {
                    let answers = results.chunks(limit).map(|c| NextAnswer::Normal(c.to_vec())).collect();
                    return Some(self.blocks(piid, answers, now));
                }
                Apdu::GetResponseNormalList { piid, results, tail: self.tail(now) }
            }
            Apdu::GetRecord { piid, oad: o, rsd, rcsd, .. } => {
                let result = self.get_record(o, &rsd, &rcsd, now);
                if let RecordData::Rows(rows) = &result.data
                    && limit > 0
                    && rows.len() > limit
                {
                    let answers = rows
                        .chunks(limit)
                        .map(|c| {
                            NextAnswer::Record(vec![ResultRecord {
                                oad: o,
                                rcsd: result.rcsd.clone(),
                                data: RecordData::Rows(c.to_vec()),
                            }])
                        })
                        .collect();
                    return Some(self.blocks(piid, answers, now));
                }
                Apdu::GetResponseRecord { piid, result, tail: self.tail(now) }
            }
            Apdu::GetNext { piid, last_block, .. } => self.next_block(piid, last_block, now),
            Apdu::SetNormal { piid, oad: o, data, .. } => {
                let dar = match (oad_u32(o), parse_date_time_s(&data)) {
                    (0x4000_0200, Some(t)) => {
                        self.clock_offset += t.to_unix() - self.clock(now).to_unix();
                        0
                    }
                    (0x4000_0200, None) => 7,
                    _ => 3,
                };
                Apdu::SetResponseNormal { piid, oad: o, dar, tail: self.tail(now) }
            }
            Apdu::ActionNormal { piid, omd, .. } => {
                Apdu::ActionResponseNormal { piid, omd, dar: 3, data: None, tail: self.tail(now) }
            }
            _ => return None,
        })
    }
}

/// A GET refused with `dar` for every object asked for; `None` for other APDUs.
fn refuse(apdu: &Apdu, dar: u8) -> Option<Apdu> {
    let no = |o: Oad| ResultNormal { oad: o, result: GetResult::Dar(dar) };
    let tail = ServerTail::default();
    Some(match apdu {
        Apdu::GetNormal { piid, oad: o, .. } => Apdu::GetResponseNormal { piid: *piid, result: no(*o), tail },
        Apdu::GetNormalList { piid, oads, .. } => {
            Apdu::GetResponseNormalList { piid: *piid, results: oads.iter().map(|&o| no(o)).collect(), tail }
        }
        Apdu::GetRecord { piid, oad: o, rcsd, .. } => Apdu::GetResponseRecord {
            piid: *piid,
            result: ResultRecord { oad: *o, rcsd: rcsd.clone(), data: RecordData::Dar(dar) },
            tail,
        },
        Apdu::GetNext { piid, last_block, .. } => {
            Apdu::GetResponseNext { piid: *piid, last: true, block: *last_block, answer: NextAnswer::Dar(dar), tail }
        }
        _ => return None,
    })
}

fn isqrt(n: i128) -> i128 {
    if n < 2 {
        return n.max(0);
    }
    let mut x = (n as f64).sqrt() as i128;
    while x * x > n {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= n {
        x += 1;
    }
    x
}

impl SimulatedMeter for Dlt698Meter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.push(bytes);
        while let Some((f, _)) = self.rx.next(link::frame) {
            self.on_frame(now, &f);
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    fn line(&self) -> LineSettings {
        self.cfg.line
    }
}
