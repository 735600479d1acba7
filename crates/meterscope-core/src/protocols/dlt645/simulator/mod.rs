//! A simulated DL/T 645 meter, sans-IO: request bytes in, reply bytes out.
//!
//! It speaks both editions (the function code tells which one a request
//! uses) and is deterministic: the same [`MeterConfig`] (seed, address, base
//! date-time) and the same inputs at the same [`Millis`] give the same
//! replies, on every target, so the app's demo mode and the tests share it.
//!
//! The state is self-consistent:
//! - energy registers per quantity and tariff (4 tariffs), the total being the
//!   sum of the tariffs; combined active = forward + reverse, combined
//!   reactive 1 = quadrants I + II, combined reactive 2 = quadrants III + IV
//!   (the combination mode words 04000601..03 say so); settlement-day values
//!   lower by a constant monthly consumption; phase energies split the total;
//! - per phase voltage U, current I and power factor cosφ, with active power
//!   P = U·I·cosφ, apparent power S = U·I, reactive power Q = √(S² − P²),
//!   totals the sums, total power factor P/S, phase angle arccos φ; small
//!   deterministic variations with time; a tripped relay carries no current;
//! - a clock: the base date-time plus the `now` it is given, moved by
//!   broadcast time sync and by writes of 04000101/04000102;
//! - parameters (address, meter number, tariff counts, rates…) that writes
//!   change, behind the password of level 02 or 04.
//!
//! Identifiers the dictionary names but the state does not model get a
//! well-formed value built from their format (zero counts and empty records
//! for events). Unknown identifiers get an abnormal reply with "no requested
//! data" (2007, bit 1) or "wrong data identifier" (1997, bit 1). Replies
//! longer than [`MeterConfig::max_data`] go out in follow-up frames.

use std::collections::{BTreeMap, VecDeque};

use super::dictionary::{self, DiClass, DiInfo, Items};
use super::frame::{
    Address, DataId, Direction, Frame645, OperatorCode, Password, Payload, Payload1997, Variant, WAKE_UP, frame_status,
    function, variant_of,
};
use super::value::{Format, Shape};
use crate::session::{DateTime, LineSettings, Millis, Parity, RxBuffer, SimulatedMeter};

mod data;
mod requests;
#[cfg(test)]
mod tests;

/// Error information word bits (DL/T 645-2007 Appendix C; 1997 in brackets).
pub mod err {
    /// Other error (1997: illegal data).
    pub const OTHER: u8 = 0x01;
    /// No requested data (1997: wrong data identifier).
    pub const NO_DATA: u8 = 0x02;
    /// Password error or unauthorised (1997: password error).
    pub const PASSWORD: u8 = 0x04;
    /// Communication rate cannot be changed.
    pub const BAUD: u8 = 0x08;
    /// Annual time zones exceeded.
    pub const TIME_ZONES: u8 = 0x10;
    /// Daily time slots exceeded.
    pub const DAY_SLOTS: u8 = 0x20;
    /// Tariff count exceeded.
    pub const TARIFFS: u8 = 0x40;
}

/// How the simulated meter is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    pub address: Address,
    /// Everything not set here is derived from the seed.
    pub seed: u64,
    /// The meter's clock at `now` = 0.
    pub base: DateTime,
    /// The password of levels 02 and 04 (digits as written, `123456`).
    pub password: [u8; 3],
    /// Most data bytes in one reply after the identifier (200 per the standard's
    /// read limit; smaller values force follow-up frames).
    pub max_data: usize,
    /// `FE` bytes before each reply.
    pub wake_up: usize,
    pub line: LineSettings,
}

impl Default for MeterConfig {
    fn default() -> Self {
        MeterConfig {
            address: Address([0x12, 0x90, 0x78, 0x56, 0x34, 0x12]),
            seed: 1,
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            password: [0x12, 0x34, 0x56],
            max_data: 200,
            wake_up: 4,
            line: LineSettings::new(2400, 8, Parity::Even, 1),
        }
    }
}

/// Tariffs the meter keeps (T1 sharp, T2 peak, T3 flat, T4 valley).
pub const TARIFFS: usize = 4;
/// Quantities of table A.1, DI2 `00`–`0A`.
const QUANTITIES: usize = 11;

/// One phase: voltage in 0.1 V, current in 0.001 A, power factor in 0.001.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Phase {
    u: u64,
    i: u64,
    pf: u64,
}

/// Instantaneous values of one phase, in the units of the formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Power {
    u: u64,
    i: u64,
    /// 0.0001 kW, kvar, kVA.
    p: u64,
    q: u64,
    s: u64,
    /// 0.001
    pf: u64,
}

/// A follow-up transfer under way.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    di: u32,
    variant: Variant,
    chunks: Vec<Vec<u8>>,
    next: usize,
}

/// The simulated meter.
#[derive(Clone, Debug)]
pub struct Dlt645Meter {
    cfg: MeterConfig,
    address: Address,
    line: LineSettings,
    now: Millis,
    /// Seconds added to base + now by time settings.
    clock_offset: i64,
    /// `[quantity][0 = total, 1..=4 tariffs]`, 0.01 kWh (kvarh, kVAh).
    energy: [[u64; TARIFFS + 1]; QUANTITIES],
    /// Maximum demand per quantity and tariff, 0.0001 kW, with its time.
    demand: [[(u64, DateTime); TARIFFS + 1]; QUANTITIES],
    phases: [Phase; 3],
    passwords: [Option<[u8; 3]>; 10],
    relay_closed: bool,
    keep_power: bool,
    alarm: bool,
    /// Written parameters (raw data, wire order).
    params: BTreeMap<u32, Vec<u8>>,
    /// Instantaneous freezes, latest first: time and energies.
    freezes: Vec<(DateTime, [[u64; TARIFFS + 1]; QUANTITIES])>,
    /// Counts of programming-type events `03 30 DI1 00` and their latest time.
    events: BTreeMap<u8, (u32, DateTime)>,
    pending: Option<Pending>,
    last_reply: Option<Vec<u8>>,
    /// Received bytes: frames longer than 1024 bytes are given up.
    rx: RxBuffer,
    tx: VecDeque<Vec<u8>>,
}

fn mix(seed: u64, a: u64) -> u64 {
    let mut z = seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn bcd(v: u8) -> u8 {
    ((v / 10 % 10) << 4) | (v % 10)
}

fn unbcd(b: u8) -> Option<u8> {
    let (hi, lo) = (b >> 4, b & 0x0F);
    (hi <= 9 && lo <= 9).then_some(hi * 10 + lo)
}

/// `value` as `len` BCD bytes, low byte first; the top bit is the sign when `negative`.
fn bcd_le(value: u64, len: usize, negative: bool) -> Vec<u8> {
    let mut v = value;
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        out.push(bcd((v % 100) as u8));
        v /= 100;
    }
    if negative && let Some(top) = out.last_mut() {
        *top |= 0x80;
    }
    out
}

/// ASCII text as sent: last character first, padded with NUL.
fn ascii(text: &str, len: usize) -> Vec<u8> {
    let mut b: Vec<u8> = text.bytes().take(len).collect();
    b.resize(len, 0);
    b.reverse();
    b
}

fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let mut x = (n as f64).sqrt() as u64;
    while x * x > n {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= n {
        x += 1;
    }
    x
}

/// The date-time fields of a pattern (`YYMMDDhhmm`), wire order (last field first).
fn time_bytes(pattern: &str, t: &DateTime) -> Vec<u8> {
    let mut out: Vec<u8> = pattern
        .as_bytes()
        .chunks(2)
        .map(|k| match k {
            b"YY" => bcd((t.year % 100) as u8),
            b"MM" => bcd(t.month),
            b"DD" => bcd(t.day),
            b"WW" => bcd(t.weekday()),
            b"hh" => bcd(t.hour),
            b"mm" => bcd(t.minute),
            b"ss" => bcd(t.second),
            _ => 0x01,
        })
        .collect();
    out.reverse();
    out
}

/// A date-time from BCD bytes of `pattern` (wire order); fields the pattern lacks come from `base`.
fn parse_time(pattern: &str, wire: &[u8], base: &DateTime) -> Option<DateTime> {
    let mut t = *base;
    let n = wire.len();
    if pattern.len() != n * 2 {
        return None;
    }
    for (i, key) in pattern.as_bytes().chunks(2).enumerate() {
        let v = unbcd(wire[n - 1 - i])?;
        match key {
            b"YY" => t.year = 2000 + u16::from(v),
            b"MM" => t.month = v,
            b"DD" => t.day = v,
            b"hh" => t.hour = v,
            b"mm" => t.minute = v,
            b"ss" => t.second = v,
            _ => {}
        }
    }
    t.is_valid().then_some(t)
}

impl Dlt645Meter {
    pub fn new(cfg: MeterConfig) -> Self {
        let seed = cfg.seed;
        let r = |k: u64, lo: u64, hi: u64| lo + mix(seed, k) % (hi - lo + 1);
        let mut energy = [[0u64; TARIFFS + 1]; QUANTITIES];
        // Forward active, reverse active, quadrants I–IV: drawn per tariff.
        let ranges: [(usize, u64, u64); 6] =
            [(1, 50_000, 900_000), (2, 0, 20_000), (5, 10_000, 200_000), (6, 0, 5_000), (7, 0, 5_000), (8, 0, 30_000)];
        for (q, lo, hi) in ranges {
            for (t, e) in energy[q].iter_mut().enumerate().skip(1) {
                *e = r((q * 10 + t) as u64, lo, hi);
            }
        }
        // Combined active = forward + reverse; combined reactive 1 = I + II, 2 = III + IV.
        let drawn = energy;
        for (q, x, y) in [(0, 1, 2), (3, 5, 6), (4, 7, 8)] {
            energy[q] = std::array::from_fn(|t| drawn[x][t] + drawn[y][t]);
        }
        // Apparent energy is at least the active energy: 1/0.96 of it.
        energy[9] = drawn[1].map(|e| e * 100 / 96);
        energy[10] = drawn[2].map(|e| e * 100 / 96);
        for row in energy.iter_mut() {
            row[0] = row[1..].iter().sum();
        }
        let phases = [0u64, 1, 2].map(|p| Phase {
            u: r(100 + p, 2180, 2330),
            i: r(110 + p, 1_500, 12_000),
            pf: r(120 + p, 900, 995),
        });
        let base = cfg.base;
        let mut demand = [[(0u64, base); TARIFFS + 1]; QUANTITIES];
        for (q, row) in demand.iter_mut().enumerate() {
            for (t, d) in row.iter_mut().enumerate().skip(1) {
                let when = base.plus_seconds(-((r((q * 7 + t) as u64 + 500, 1, 20 * 24) * 3600) as i64));
                let when = DateTime { second: 0, minute: (when.minute / 15) * 15, ..when };
                *d = (r((q * 13 + t) as u64 + 600, 5_000, 90_000), when);
            }
            // The total maximum demand is the largest of the tariffs'.
            row[0] = row[1..].iter().copied().max_by_key(|d| d.0).unwrap_or((0, base));
        }
        let mut passwords = [None; 10];
        passwords[2] = Some(cfg.password);
        passwords[4] = Some(cfg.password);
        Dlt645Meter {
            address: cfg.address,
            line: cfg.line,
            now: Millis(0),
            clock_offset: 0,
            energy,
            demand,
            phases,
            passwords,
            relay_closed: true,
            keep_power: false,
            alarm: false,
            params: BTreeMap::new(),
            freezes: Vec::new(),
            events: BTreeMap::new(),
            pending: None,
            last_reply: None,
            rx: RxBuffer::new(1024),
            tx: VecDeque::new(),
            cfg,
        }
    }

    pub fn address(&self) -> Address {
        self.address
    }

    /// The meter's clock at `now`.
    pub fn clock(&self, now: Millis) -> DateTime {
        self.cfg.base.plus_seconds((now.0 / 1000) as i64 + self.clock_offset)
    }

    /// Set the clock (as if the meter had been programmed) at `now`.
    pub fn set_clock(&mut self, now: Millis, t: DateTime) {
        self.clock_offset = t.to_unix() - self.cfg.base.to_unix() - (now.0 / 1000) as i64;
    }

    /// Whether the load relay is closed (remote control 1C opens and closes it).
    pub fn relay_closed(&self) -> bool {
        self.relay_closed
    }
}

/// The rate feature word of a baud rate (Appendix C: bit 1 600 … bit 6 19200).
fn baud_word(baud: u32) -> u8 {
    match baud {
        600 => 0x02,
        1200 => 0x04,
        2400 => 0x08,
        4800 => 0x10,
        9600 => 0x20,
        19200 => 0x40,
        _ => 0x00,
    }
}

impl SimulatedMeter for Dlt645Meter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.push(bytes);
        while let Some((bytes, _)) = self.rx.next(frame_status) {
            if let Ok(frame) = Frame645::parse(&bytes) {
                self.on_request(now, frame);
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    fn line(&self) -> LineSettings {
        self.line
    }
}
