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
use crate::registry::FrameStatus;
use crate::session::{DateTime, LineSettings, Millis, Parity, SimulatedMeter};

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
    rx: Vec<u8>,
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
            rx: Vec::new(),
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

    /// The raw data the meter answers for a DL/T 645-2007 identifier at `now`.
    pub fn data_2007(&self, di: u32, now: Millis) -> Result<Vec<u8>, u8> {
        if let Some(v) = self.params.get(&di) {
            return Ok(v.clone());
        }
        let [d3, d2, d1, d0] = di.to_be_bytes();
        let info = dictionary::lookup(di).ok_or(err::NO_DATA)?;
        if let Some(v) = self.modelled_2007(&info, now, d3, d2, d1, d0)? {
            return Ok(v);
        }
        self.block_or_fill(&info, now)
    }

    /// Data of the identifiers the state models; `Ok(None)` for the others.
    fn modelled_2007(&self, info: &DiInfo, now: Millis, d3: u8, d2: u8, d1: u8, d0: u8) -> Result<Option<Vec<u8>>, u8> {
        let di = info.di;
        let tariff = |t: u8| (usize::from(t) <= TARIFFS).then_some(usize::from(t));
        let v = match (d3, d2) {
            (0x00, 0x00..=0x0A) if d1 != 0xFF => {
                let t = tariff(d1).ok_or(err::NO_DATA)?;
                let e = self.energy_at(usize::from(d2), t, u64::from(d0) * 30);
                bcd_le(e, 4, false)
            }
            (0x00, 0x15..=0x46) if d1 == 0 => {
                let (p, q) = ((d2 - 1) / 0x14, usize::from((d2 - 1) % 0x14 + 1));
                if !(1..=10).contains(&q) {
                    return Ok(None);
                }
                let total = self.energy_at(q, 0, u64::from(d0) * 30);
                let share = [total * 34 / 100, total * 33 / 100, total - total * 34 / 100 - total * 33 / 100];
                bcd_le(share[usize::from(p - 1)], 4, false)
            }
            (0x01, 0x01..=0x0A) if d1 != 0xFF => {
                let t = tariff(d1).ok_or(err::NO_DATA)?;
                let (value, when) = self.demand[usize::from(d2)][t];
                let mut v = bcd_le(if d0 == 0 { value } else { value * 9 / 10 }, 3, false);
                v.extend(time_bytes("YYMMDDhhmm", &when));
                v
            }
            (0x02, 0x01..=0x09) if d1 != 0xFF && d0 == 0 => {
                let pw = self.powers(now);
                let ph = |k: u8| -> Result<Power, u8> {
                    match k {
                        0 => Ok(pw[3]),
                        1..=3 => Ok(pw[usize::from(k - 1)]),
                        _ => Err(err::NO_DATA),
                    }
                };
                let x = ph(d1)?;
                match d2 {
                    0x01 => bcd_le(x.u, 2, false),
                    0x02 => bcd_le(x.i, 3, false),
                    0x03 => bcd_le(x.p, 3, false),
                    0x04 => bcd_le(x.q, 3, false),
                    0x05 => bcd_le(x.s, 3, false),
                    0x06 => bcd_le(x.pf, 2, false),
                    0x07 => {
                        let deg = (x.pf as f64 / 1000.0).clamp(-1.0, 1.0).acos().to_degrees();
                        bcd_le((deg * 10.0).round() as u64, 2, false)
                    }
                    _ => bcd_le(mix(self.cfg.seed, u64::from(di)) % 300 + 100, 2, false),
                }
            }
            (0x02, 0x80) if d1 == 0 => {
                let pw = self.powers(now);
                let secs = now.0 / 1000;
                match d0 {
                    0x01 => bcd_le(self.jitter(secs, 9, 80) * u64::from(self.relay_closed), 3, false),
                    0x02 => bcd_le(4997 + self.jitter(secs, 8, 6), 2, false),
                    0x03 | 0x04 => bcd_le(pw[3].p, 3, false),
                    0x05 => bcd_le(pw[3].q, 3, false),
                    0x06 => bcd_le(pw[3].s, 3, false),
                    0x07 => bcd_le(300 + self.jitter(secs / 60, 7, 60), 2, false),
                    0x08 => bcd_le(362, 2, false),
                    0x09 => bcd_le(598, 2, false),
                    0x0A => bcd_le(120_000 + now.0 / 60_000, 4, false),
                    _ => return Ok(None),
                }
            }
            (0x03, 0x30) if d0 <= 0x0A && d1 != 0xFF => {
                let (count, when) = self.events.get(&d1).copied().unwrap_or((0, self.cfg.base));
                if d0 == 0 {
                    bcd_le(u64::from(count), 3, false)
                } else if u32::from(d0) <= count {
                    // Time first, then the rest of the record as zeros.
                    let mut v = time_bytes("YYMMDDhhmmss", &when);
                    v.resize(self.fill(info, now).len().max(6), 0);
                    v
                } else {
                    return Ok(None);
                }
            }
            (0x04, 0x00) => return self.parameter(d1, d0, now),
            (0x05, 0x01) if d1 != 0xFF => {
                let (time, energies) = self.freezes.get(usize::from(d0).wrapping_sub(1)).ok_or(err::NO_DATA)?;
                match d1 {
                    0x00 => time_bytes("YYMMDDhhmm", time),
                    0x01..=0x08 => (0..=TARIFFS).flat_map(|t| bcd_le(energies[usize::from(d1)][t], 4, false)).collect(),
                    _ => return Ok(None),
                }
            }
            (0x05, 0x00 | 0x06) if d1 <= 0x08 => {
                let period = if d2 == 0 { 30 } else { 1 };
                let days = u64::from(d0) * period;
                if d1 == 0 {
                    let at = self.clock(now).plus_seconds(-(days as i64) * 86_400);
                    time_bytes("YYMMDDhhmm", &DateTime { hour: 0, minute: 0, second: 0, ..at })
                } else {
                    (0..=TARIFFS).flat_map(|t| bcd_le(self.energy_at(usize::from(d1), t, days), 4, false)).collect()
                }
            }
            (0x06, _) => return Err(err::NO_DATA), // needs the block count: see `load_records`
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    /// The energy of quantity `q`, tariff `t` (0 total), `days` days ago.
    fn energy_at(&self, q: usize, t: usize, days: u64) -> u64 {
        let at = |t: usize| {
            let e = self.energy[q][t];
            // A constant daily consumption: 1/720 of the register (24 months to zero).
            e - (e * days.min(720) / 720)
        };
        if t == 0 { (1..=TARIFFS).map(at).sum() } else { at(t) }
    }

    fn jitter(&self, tick: u64, k: u64, span: u64) -> u64 {
        mix(self.cfg.seed ^ tick.wrapping_mul(31), k) % (span + 1)
    }

    /// Instantaneous values of phases A, B, C and the total (index 3) at `now`.
    fn powers(&self, now: Millis) -> [Power; 4] {
        let secs = now.0 / 1000;
        let mut out = [Power::default(); 4];
        for (k, ph) in self.phases.iter().enumerate() {
            let u = ph.u + self.jitter(secs, k as u64, 20) - 10;
            let i = if self.relay_closed { ph.i * (980 + self.jitter(secs, 10 + k as u64, 40)) / 1000 } else { 0 };
            // U in 0.1 V, I in 0.001 A: U·I in 1e-4 VA = 1e-7 kVA; S in 0.0001 kVA.
            let s = (u * i + 500) / 1000;
            let p = (s * ph.pf + 500) / 1000;
            let q = isqrt(s * s - p * p);
            out[k] = Power { u, i, p, q, s, pf: if s == 0 { 1000 } else { ph.pf } };
        }
        let (p, q, s) = (0..3).fold((0, 0, 0), |a, k| (a.0 + out[k].p, a.1 + out[k].q, a.2 + out[k].s));
        let pf = (p * 1000 + s / 2).checked_div(s).unwrap_or(1000);
        out[3] = Power { u: 0, i: 0, p, q, s, pf };
        out
    }

    /// Parameters `04 00 DI1 DI0` the meter keeps.
    fn parameter(&self, d1: u8, d0: u8, now: Millis) -> Result<Option<Vec<u8>>, u8> {
        let clock = self.clock(now);
        let number = self.meter_number();
        let v = match (d1, d0) {
            (0x01, 0x01) => time_bytes("YYMMDDWW", &clock),
            (0x01, 0x02) => time_bytes("hhmmss", &clock),
            (0x01, 0x03) => vec![0x15],
            (0x01, 0x04) => vec![0x01],
            (0x01, 0x05) => bcd_le(80, 2, false),
            (0x02, 0x01) => vec![0x01],
            (0x02, 0x02) => vec![0x01],
            (0x02, 0x03) => vec![0x04],
            (0x02, 0x04) => vec![bcd(TARIFFS as u8)],
            (0x02, 0x05) => vec![0x00, 0x00],
            (0x04, 0x01) => self.address.0.to_vec(),
            (0x04, 0x02) => number.to_vec(),
            (0x04, 0x03) => ascii(&format!("MS{:012}", mix(self.cfg.seed, 7) % 1_000_000_000_000), 32),
            (0x04, 0x04) => ascii("3x220V", 6),
            (0x04, 0x05) => ascii("1.5A", 6),
            (0x04, 0x06) => ascii("6A", 6),
            (0x04, 0x07) => ascii("1.0", 4),
            (0x04, 0x08) => ascii("2.0", 4),
            (0x04, 0x09) | (0x04, 0x0A) => bcd_le(6400, 3, false),
            (0x04, 0x0B) => ascii("DTZ-SIM", 10),
            (0x04, 0x0C) => ascii("2024-01-15", 10),
            (0x04, 0x0D) => ascii("DL/T645-2007", 16),
            (0x04, 0x0E) => number.to_vec(),
            (0x06, 0x01) => vec![0x05],
            (0x06, 0x02) => vec![0x05],
            (0x06, 0x03) => vec![0x50],
            (0x07, 0x01..=0x05) => vec![baud_word(self.line.baud)],
            (0x0B, 0x01) => vec![0x00, 0x01],
            // Passwords are never read out.
            (0x0C, _) => return Err(err::PASSWORD),
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    fn meter_number(&self) -> [u8; 6] {
        let n = mix(self.cfg.seed, 3) % 1_000_000_000_000;
        let v = bcd_le(n, 6, false);
        [v[0], v[1], v[2], v[3], v[4], v[5]]
    }

    /// A block (`FF`) as its members' data in order, or a value built from the format.
    fn block_or_fill(&self, info: &DiInfo, now: Millis) -> Result<Vec<u8>, u8> {
        if let Some(members) = block_members(info) {
            let mut out = Vec::new();
            for m in members {
                out.extend(self.data_2007(m, now)?);
            }
            return Ok(out);
        }
        Ok(self.fill(info, now))
    }

    /// A well-formed value from the identifier's formats.
    fn fill(&self, info: &DiInfo, now: Millis) -> Vec<u8> {
        let clock = self.clock(now);
        let count = match info.items {
            Some(Items::Tariffs) => TARIFFS + 1,
            Some(items) => items.max().unwrap_or(1),
            None => 1,
        };
        let mut out = Vec::new();
        for i in 0..count {
            for (j, f) in info.fields.iter().enumerate() {
                let k = u64::from(info.di) ^ ((i as u64) << 40) ^ ((j as u64) << 48);
                out.extend(fill_format(&f.format, info.class, mix(self.cfg.seed, k), &clock));
            }
        }
        out
    }

    /// Load records (Appendix B) from the latest block back: `blocks` records, 15 min apart.
    fn load_records(&self, blocks: u8, from: Option<DateTime>, now: Millis) -> Vec<u8> {
        let clock = self.clock(now);
        let latest = DateTime { minute: clock.minute / 15 * 15, second: 0, ..clock };
        let start = from.unwrap_or(latest.plus_seconds(-(i64::from(blocks.max(1)) - 1) * 900));
        let mut out = Vec::new();
        for k in 0..i64::from(blocks.max(1)) {
            let t = start.plus_seconds(k * 900);
            if t > latest {
                break;
            }
            let at = Millis(now.0.saturating_sub(((latest.to_unix() - t.to_unix()).max(0) as u64) * 1000));
            let pw = self.powers(at);
            let mut body = time_bytes("YYMMDDhhmm", &t);
            (0..3).for_each(|p| body.extend(bcd_le(pw[p].u, 2, false)));
            (0..3).for_each(|p| body.extend(bcd_le(pw[p].i, 3, false)));
            body.extend(bcd_le(4998 + self.jitter(t.to_unix() as u64, 8, 4), 2, false));
            body.push(0xAA);
            [3, 0, 1, 2].iter().for_each(|&p| body.extend(bcd_le(pw[p].p, 3, false)));
            [3, 0, 1, 2].iter().for_each(|&p| body.extend(bcd_le(pw[p].q, 3, false)));
            body.push(0xAA);
            [3, 0, 1, 2].iter().for_each(|&p| body.extend(bcd_le(pw[p].pf, 2, false)));
            body.push(0xAA);
            [1, 2, 3, 4].iter().for_each(|&q| body.extend(bcd_le(self.energy[q][0], 4, false)));
            body.push(0xAA);
            [5, 6, 7, 8].iter().for_each(|&q| body.extend(bcd_le(self.energy[q][0], 4, false)));
            body.push(0xAA);
            body.extend(bcd_le(pw[3].p, 3, false));
            body.extend(bcd_le(pw[3].q, 3, false));
            body.push(0xAA);
            let mut rec = vec![0xA0, 0xA0, body.len() as u8];
            rec.extend(body);
            rec.push(rec.iter().fold(0u8, |a, b| a.wrapping_add(*b)));
            rec.push(0xE5);
            out.extend(rec);
        }
        out
    }

    /// The raw data for a DL/T 645-1997 identifier.
    pub fn data_1997(&self, di: u16, now: Millis) -> Result<Vec<u8>, u8> {
        if let Some(v) = self.params.get(&(0x1997_0000 | u32::from(di))) {
            return Ok(v.clone());
        }
        let info = dictionary::lookup_1997(di).ok_or(err::NO_DATA)?;
        let [d1, d0] = di.to_be_bytes();
        let t = usize::from(d0 & 0x0F);
        let month = u64::from((d1 >> 2) & 0x03) * 30;
        // 1997 quantities (DI0 high nibble) to the 2007 ones.
        let quantity = |reactive: bool| match (reactive, d0 >> 4) {
            (false, 1) => Some(1),
            (false, 2) => Some(2),
            (true, 1) => Some(3),
            (true, 2) => Some(4),
            (true, 3) => Some(5),
            (true, 4) => Some(8),
            (true, 5) => Some(6),
            (true, 6) => Some(7),
            _ => None,
        };
        let pw = self.powers(now);
        let clock = self.clock(now);
        let v = match d1 >> 4 {
            0x9..=0xB if t == 0xF && info.items == Some(Items::Tariffs) => {
                let mut out = Vec::new();
                for k in 0..=TARIFFS as u16 {
                    out.extend(self.data_1997((di & 0xFFF0) | k, now)?);
                }
                out
            }
            0x9 if t <= TARIFFS => {
                let q = quantity(d1 & 1 != 0).ok_or(err::NO_DATA)?;
                bcd_le(self.energy_at(q, t, month), 4, false)
            }
            0xA if t <= TARIFFS => {
                let q = quantity(d1 & 1 != 0).ok_or(err::NO_DATA)?;
                bcd_le(self.demand[q][t].0, 3, false)
            }
            0xB if matches!(d1 & 0x0F, 0x0 | 0x1 | 0x4 | 0x5 | 0x8 | 0x9) && t <= TARIFFS => {
                let q = quantity(d1 & 1 != 0).ok_or(err::NO_DATA)?;
                time_bytes("MMDDhhmm", &self.demand[q][t].1)
            }
            _ => match di {
                0xB611..=0xB613 => bcd_le((pw[usize::from(d0 & 0x0F) - 1].u + 5) / 10, 2, false),
                0xB621..=0xB623 => bcd_le((pw[usize::from(d0 & 0x0F) - 1].i + 5) / 10, 2, false),
                0xB630 => bcd_le(pw[3].p, 3, false),
                0xB631..=0xB633 => bcd_le(pw[usize::from(d0 & 0x0F) - 1].p, 3, false),
                0xB640 => bcd_le((pw[3].q + 50) / 100, 2, false),
                0xB641..=0xB643 => bcd_le((pw[usize::from(d0 & 0x0F) - 1].q + 50) / 100, 2, false),
                0xB650 => bcd_le(pw[3].pf, 2, false),
                0xB651..=0xB653 => bcd_le(pw[usize::from(d0 & 0x0F) - 1].pf, 2, false),
                0xC010 => time_bytes("YYMMDDWW", &clock),
                0xC011 => time_bytes("hhmmss", &clock),
                0xC030 | 0xC031 => bcd_le(6400, 3, false),
                0xC032 => self.meter_number().to_vec(),
                0xC033 | 0xC034 => self.meter_number().to_vec(),
                0xC111 => vec![0x15],
                0xC112 => vec![0x01],
                0xC212 => return Err(err::PASSWORD),
                0xC313 => vec![bcd(TARIFFS as u8)],
                _ if di & 0x0F == 0x0F && info.block => {
                    let mut out = Vec::new();
                    for k in 0..0x0F {
                        if dictionary::lookup_1997((di & 0xFFF0) | k).is_some() {
                            out.extend(self.data_1997((di & 0xFFF0) | k, now)?);
                        }
                    }
                    out
                }
                _ => self.fill(&info, now),
            },
        };
        Ok(v)
    }

    // ------------------------------------------------------------ requests

    fn accepts(&self, a: Address) -> bool {
        a.0.iter().zip(self.address.0).all(|(&x, y)| {
            let nib = |x: u8, y: u8| x == 0xA || x == y;
            nib(x >> 4, y >> 4) && nib(x & 0x0F, y & 0x0F)
        })
    }

    fn password_ok(&self, p: &Password) -> bool {
        // The standard writes P0 P1 P2 low byte first: `123456` travels 56 34 12.
        let code = [p.code[2], p.code[1], p.code[0]];
        let level = usize::from(p.level);
        level < self.passwords.len() && self.passwords[level] == Some(code)
    }

    fn reply(&mut self, frame: Frame645) {
        let mut out = vec![WAKE_UP; self.cfg.wake_up.min(4)];
        let bytes = frame.emit();
        out.extend_from_slice(&bytes);
        self.last_reply = Some(out.clone());
        self.tx.push_back(out);
    }

    fn abnormal(&mut self, f: u8, e: u8) {
        self.reply(Frame645::from_payload(self.address, &Payload::AbnormalReply { function: f, err: e }));
    }

    fn ack(&mut self, f: u8) {
        self.reply(Frame645::from_payload(self.address, &Payload::Acknowledge { function: f }));
    }

    fn record(&mut self, kind: u8, now: Millis) {
        let t = self.clock(now);
        let e = self.events.entry(kind).or_insert((0, t));
        *e = (e.0 + 1, t);
        // Every change of the meter is also programming (03300000) unless it is a clear.
        if kind >= 0x04 {
            let p = self.events.entry(0).or_insert((0, t));
            *p = (p.0 + 1, t);
        }
    }

    /// Read data with follow-up frames when it is long.
    fn send_read(&mut self, di: u32, variant: Variant, data: Vec<u8>) {
        let room = self.cfg.max_data.clamp(1, 200);
        let mut chunks: Vec<Vec<u8>> = data.chunks(room).map(<[u8]>::to_vec).collect();
        if chunks.is_empty() {
            chunks.push(Vec::new());
        }
        let pending = Pending { di, variant, chunks, next: 0 };
        self.pending = Some(pending);
        self.send_chunk(0);
    }

    fn send_chunk(&mut self, index: usize) {
        let Some(p) = self.pending.as_mut() else { return };
        let Some(data) = p.chunks.get(index).cloned() else { return };
        let follow = index + 1 < p.chunks.len();
        p.next = index + 1;
        let (di, variant) = (p.di, p.variant);
        if !follow {
            self.pending = None;
        }
        let frame = match (variant, index) {
            (Variant::V2007, 0) => {
                Frame645::from_payload(self.address, &Payload::ReadReply { di: DataId(di), data, follow })
            }
            (Variant::V2007, n) => Frame645::from_payload(
                self.address,
                &Payload::ReadFollowUpReply { di: DataId(di), data, seq: n as u8, follow },
            ),
            (Variant::V1997, 0) => {
                Frame645::from_payload_1997(self.address, &Payload1997::ReadReply { di: di as u16, data, follow })
            }
            (Variant::V1997, _) => Frame645::from_payload_1997(
                self.address,
                &Payload1997::ReadFollowUpReply { di: di as u16, data, follow },
            ),
        };
        self.reply(frame);
    }

    fn on_request(&mut self, now: Millis, frame: Frame645) {
        if frame.control.direction() != Direction::MasterToSlave {
            return; // another meter's reply, or our own echo
        }
        let f = frame.control.function();
        let broadcast = frame.address.is_broadcast();
        if !broadcast && !self.accepts(frame.address) {
            return;
        }
        if f == function::BROADCAST_TIME {
            // Both editions: ss mm hh DD MM YY, no reply.
            if frame.data.len() == 6
                && let Some(t) = parse_time("YYMMDDhhmmss", &frame.data, &self.clock(now))
            {
                self.set_clock(now, t);
                self.record(0x04, now);
            }
            return;
        }
        match variant_of(f) {
            Some(Variant::V1997) => self.on_request_1997(now, &frame),
            _ => self.on_request_2007(now, &frame, broadcast),
        }
    }

    fn on_request_2007(&mut self, now: Millis, frame: &Frame645, broadcast: bool) {
        let f = frame.control.function();
        let Ok(payload) = frame.payload() else {
            if !broadcast {
                self.abnormal(f, err::OTHER);
            }
            return;
        };
        if broadcast && !matches!(payload, Payload::FreezeRequest { .. }) {
            return;
        }
        match payload {
            Payload::ReadRequest { di, blocks, time } => {
                if di.0 >> 24 == 0x06 && dictionary::lookup(di.0).is_some() {
                    let from = time.and_then(|t| parse_time("YYMMDDhhmm", &t, &self.clock(now)));
                    let data = self.load_records(blocks.unwrap_or(1), from, now);
                    return self.send_read(di.0, Variant::V2007, data);
                }
                match self.data_2007(di.0, now) {
                    Ok(data) => self.send_read(di.0, Variant::V2007, data),
                    Err(e) => self.abnormal(f, e),
                }
            }
            Payload::ReadFollowUpRequest { di, seq } => match &self.pending {
                Some(p) if p.di == di.0 && usize::from(seq) < p.chunks.len() => self.send_chunk(usize::from(seq)),
                _ => self.abnormal(f, err::NO_DATA),
            },
            Payload::ReadAddressRequest => {
                let address = self.address;
                self.reply(Frame645::from_payload(address, &Payload::ReadAddressReply { address }));
            }
            Payload::WriteRequest { di, password, operator, data } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                match self.write(di.0, &data, now, operator) {
                    Ok(()) => self.ack(f),
                    Err(e) => self.abnormal(f, e),
                }
            }
            Payload::WriteAddressRequest { address } => {
                if frame.address != Address::WILDCARD || address.has_wildcard() || address.invalid_byte().is_some() {
                    return self.abnormal(f, err::OTHER);
                }
                self.address = address;
                self.ack(f);
            }
            Payload::FreezeRequest { time } => {
                if time == [0x99; 4] {
                    let t = self.clock(now);
                    let snapshot = std::array::from_fn(|q| std::array::from_fn(|t| self.energy[q][t]));
                    self.freezes.insert(0, (t, snapshot));
                    self.freezes.truncate(3);
                } else {
                    self.params.insert(0x0400_1201, time.to_vec());
                }
                if !broadcast {
                    self.ack(f);
                }
            }
            Payload::ChangeBaudRequest { z } => {
                let bits = z & 0x7E;
                if bits.count_ones() != 1 || z & 0x81 != 0 {
                    return self.abnormal(f, err::BAUD);
                }
                self.reply(Frame645::from_payload(self.address, &Payload::ChangeBaudReply { z }));
                let baud = 300u32 << bits.trailing_zeros();
                self.line = LineSettings { baud, ..self.line };
            }
            Payload::ChangePasswordRequest { di, old, new } => {
                let level = (di.0 & 0xFF) as u8;
                let ok = di.0 >> 8 == 0x04_000C && (1..=10).contains(&level) && new.level == level - 1;
                if !ok || !self.password_ok(&old) || old.level > new.level {
                    return self.abnormal(f, err::PASSWORD);
                }
                self.passwords[usize::from(new.level)] = Some([new.code[2], new.code[1], new.code[0]]);
                self.reply(Frame645::from_payload(self.address, &Payload::ChangePasswordReply { new }));
            }
            Payload::ClearDemandRequest { password, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let t = self.clock(now);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                self.record(0x02, now);
                self.ack(f);
            }
            Payload::ClearMeterRequest { password, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let t = self.clock(now);
                self.energy.iter_mut().flatten().for_each(|e| *e = 0);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                self.record(0x01, now);
                self.ack(f);
            }
            Payload::ClearEventsRequest { password, di, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                if di.0 == 0xFFFF_FFFF {
                    self.events.retain(|k, _| *k == 0x03);
                } else if di.0 >> 8 == 0x03_3000 {
                    self.events.remove(&((di.0 >> 8) as u8));
                }
                self.record(0x03, now);
                self.ack(f);
            }
            Payload::RemoteControlRequest { password, command, valid_until, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let valid = parse_time("YYMMDDhhmmss", &valid_until, &self.clock(now));
                if valid.is_none_or(|v| v < self.clock(now)) {
                    return self.abnormal(f, err::OTHER);
                }
                match command {
                    0x1A if self.keep_power => return self.abnormal(f, err::OTHER),
                    0x1A => self.relay_closed = false,
                    0x1B | 0x1C => self.relay_closed = true,
                    0x2A => self.alarm = true,
                    0x2B => self.alarm = false,
                    0x3A => self.keep_power = true,
                    0x3B => self.keep_power = false,
                    _ => return self.abnormal(f, err::OTHER),
                }
                self.ack(f);
            }
            _ => self.abnormal(f, err::OTHER),
        }
    }

    /// A write (14): parameters only; tariff tables checked against their limits.
    fn write(&mut self, di: u32, data: &[u8], now: Millis, _operator: OperatorCode) -> Result<(), u8> {
        let info = dictionary::lookup(di).ok_or(err::NO_DATA)?;
        if info.class != DiClass::Parameter {
            return Err(err::PASSWORD);
        }
        if info.len().is_some_and(|n| n != data.len()) {
            return Err(err::OTHER);
        }
        let number = || data.first().and_then(|&b| unbcd(b)).ok_or(err::OTHER);
        match di {
            0x0400_0101 => {
                let t = parse_time("YYMMDDWW", data, &self.clock(now)).ok_or(err::OTHER)?;
                self.set_clock(now, t);
                self.record(0x04, now);
                return Ok(());
            }
            0x0400_0102 => {
                let t = parse_time("hhmmss", data, &self.clock(now)).ok_or(err::OTHER)?;
                self.set_clock(now, t);
                self.record(0x04, now);
                return Ok(());
            }
            0x0400_0201 if number()? > 14 => return Err(err::TIME_ZONES),
            0x0400_0203 if number()? > 14 => return Err(err::DAY_SLOTS),
            0x0400_0204 if number()? > 63 => return Err(err::TARIFFS),
            0x0400_0401 => {
                let a = Address::from_wire(data);
                if a.has_wildcard() || a.invalid_byte().is_some() {
                    return Err(err::OTHER);
                }
                self.address = a;
            }
            0x0400_0C01..=0x0400_0C0A => return Err(err::PASSWORD),
            _ => {}
        }
        self.params.insert(di, data.to_vec());
        self.record(0x00, now);
        Ok(())
    }

    fn on_request_1997(&mut self, now: Millis, frame: &Frame645) {
        let f = frame.control.function();
        let abnormal = |m: &mut Self, e: u8| {
            let a = m.address;
            m.reply(Frame645::from_payload_1997(a, &Payload1997::AbnormalReply { function: f, err: e }));
        };
        let ack = |m: &mut Self| {
            let a = m.address;
            m.reply(Frame645::from_payload_1997(a, &Payload1997::Acknowledge { function: f }));
        };
        let Ok(payload) = frame.payload_1997() else {
            return abnormal(self, err::OTHER);
        };
        match payload {
            Payload1997::ReadRequest { di } => match self.data_1997(di, now) {
                Ok(data) => self.send_read(u32::from(di), Variant::V1997, data),
                Err(e) => abnormal(self, e),
            },
            Payload1997::ReadFollowUpRequest { di } => match &self.pending {
                Some(p) if p.di == u32::from(di) && p.variant == Variant::V1997 => {
                    let next = p.next;
                    self.send_chunk(next)
                }
                _ => abnormal(self, err::NO_DATA),
            },
            Payload1997::RereadRequest => match self.last_reply.clone() {
                Some(r) => self.tx.push_back(r),
                None => abnormal(self, err::NO_DATA),
            },
            Payload1997::WriteRequest { di, password, data } => {
                if !self.password_ok(&password) {
                    return abnormal(self, err::PASSWORD);
                }
                match dictionary::lookup_1997(di) {
                    Some(info) if info.class == DiClass::Parameter && info.len().is_none_or(|n| n == data.len()) => {
                        if di == 0xC010 || di == 0xC011 {
                            let pattern = if di == 0xC010 { "YYMMDDWW" } else { "hhmmss" };
                            match parse_time(pattern, &data, &self.clock(now)) {
                                Some(t) => self.set_clock(now, t),
                                None => return abnormal(self, err::OTHER),
                            }
                        } else {
                            self.params.insert(0x1997_0000 | u32::from(di), data);
                        }
                        ack(self)
                    }
                    Some(_) => abnormal(self, err::PASSWORD),
                    None => abnormal(self, err::NO_DATA),
                }
            }
            Payload1997::WriteAddressRequest { address } => {
                if address.has_wildcard() || address.invalid_byte().is_some() {
                    return abnormal(self, err::OTHER);
                }
                self.address = address;
                ack(self)
            }
            Payload1997::ChangeBaudRequest { z } => {
                let bits = z & 0x7E;
                if bits.count_ones() != 1 || z & 0x81 != 0 {
                    return abnormal(self, err::OTHER);
                }
                let a = self.address;
                self.reply(Frame645::from_payload_1997(a, &Payload1997::ChangeBaudReply { z }));
                self.line = LineSettings { baud: 300u32 << bits.trailing_zeros(), ..self.line };
            }
            Payload1997::ChangePasswordRequest { old, new } => {
                if !self.password_ok(&old) || usize::from(new.level) >= self.passwords.len() {
                    return abnormal(self, err::PASSWORD);
                }
                self.passwords[usize::from(new.level)] = Some([new.code[2], new.code[1], new.code[0]]);
                let a = self.address;
                self.reply(Frame645::from_payload_1997(a, &Payload1997::ChangePasswordReply { new }));
            }
            Payload1997::ClearDemandRequest { password } => {
                if !self.password_ok(&password) {
                    return abnormal(self, err::PASSWORD);
                }
                let t = self.clock(now);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                ack(self)
            }
            _ => abnormal(self, err::OTHER),
        }
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

/// The identifiers whose data make up a block, in order, when the block is one.
fn block_members(info: &DiInfo) -> Option<Vec<u32>> {
    if !info.block {
        return None;
    }
    let bytes = info.di.to_be_bytes();
    let pos = bytes.iter().rposition(|&b| b == 0xFF)?;
    let with = |v: u8| {
        let mut b = bytes;
        b[pos] = v;
        u32::from_be_bytes(b)
    };
    let members: Vec<u32> = match info.items {
        Some(Items::Tariffs) => (0..=TARIFFS as u8).map(with).collect(),
        _ => (0..=0x3F).map(with).filter(|&m| dictionary::lookup(m).is_some()).collect(),
    };
    // The members must be exactly the block's values (a summary DI01 is no member of `10 00 FF 01`).
    let one = |m: &u32| dictionary::lookup(*m).map(|i| i.fields.len() * i.items.and_then(Items::max).unwrap_or(1));
    let fields: Option<usize> = members.iter().map(one).sum();
    let expected = match info.items {
        Some(Items::Tariffs) => Some(members.len()),
        Some(items) => items.max().map(|n| n * info.fields.len()),
        None => Some(info.fields.len()),
    };
    let fields_match = fields == expected;
    // Freeze data blocks are free-form: their members are the items 00..10.
    let rest = info.fields.len() == 1 && info.fields[0].format.len == 0;
    (!members.is_empty() && (fields_match || rest)).then_some(members)
}

/// A value of `format` from a hash: events are empty (zero), numbers small, times near the clock.
fn fill_format(format: &Format, class: DiClass, h: u64, clock: &DateTime) -> Vec<u8> {
    let len = usize::from(format.len);
    match format.shape {
        _ if class == DiClass::Event => vec![0; len],
        Shape::Number { .. } => bcd_le(h % 10_000, len, false),
        Shape::Digits => bcd_le(h % 1_000_000_000_000, len, false),
        Shape::DateTime => {
            let t = clock.plus_seconds(-((h % (30 * 24)) as i64) * 3600);
            time_bytes(format.pattern, &t)
        }
        Shape::Baud => vec![0x08],
        Shape::Ascii | Shape::Bits | Shape::Raw => vec![0; len],
    }
}

impl SimulatedMeter for Dlt645Meter {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.extend_from_slice(bytes);
        loop {
            match frame_status(&self.rx) {
                FrameStatus::NoMatch if !self.rx.is_empty() => {
                    self.rx.remove(0);
                }
                FrameStatus::Incomplete { .. } if self.rx.len() > 1024 => {
                    self.rx.remove(0);
                }
                FrameStatus::Complete { preamble, len } => {
                    let bytes: Vec<u8> = self.rx.drain(..preamble + len).skip(preamble).collect();
                    if let Ok(frame) = Frame645::parse(&bytes) {
                        self.on_request(now, frame);
                    }
                }
                _ => return,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::protocols::dlt645::dissect;
    use crate::protocols::dlt645::session::decode_values;
    use crate::registry::Options;

    fn meter() -> Dlt645Meter {
        Dlt645Meter::new(MeterConfig::default())
    }

    /// Send one frame, collect the reply frame (without wake-up bytes).
    fn ask(m: &mut Dlt645Meter, now: Millis, frame: Frame645) -> Option<Frame645> {
        m.handle_input(now, &frame.emit());
        let out = m.poll_transmit()?;
        assert!(m.poll_transmit().is_none());
        Some(Frame645::parse(&out).expect("a sound reply"))
    }

    fn read(m: &mut Dlt645Meter, di: u32) -> Result<Vec<u8>, u8> {
        let req = Payload::ReadRequest { di: DataId(di), blocks: None, time: None };
        let r = ask(m, Millis(0), Frame645::from_payload(m.address(), &req)).unwrap();
        match r.payload().unwrap() {
            Payload::ReadReply { data, follow: false, .. } => Ok(data),
            Payload::AbnormalReply { err, .. } => Err(err),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn number(variant: Variant, di: u32, data: &[u8]) -> f64 {
        decode_values(variant, di, data, Lang::En).1[0].value.parse().unwrap()
    }

    #[test]
    fn tariffs_sum_to_the_total() {
        let mut m = meter();
        for q in 0..=0x0A_u32 {
            for period in [0u32, 1, 12] {
                let block = read(&mut m, (q << 16) | 0xFF00 | period).unwrap();
                assert_eq!(block.len(), 4 * (TARIFFS + 1));
                let v: Vec<u64> = block
                    .chunks(4)
                    .map(|c| c.iter().rev().fold(0, |a, &b| a * 100 + u64::from(unbcd(b).unwrap())))
                    .collect();
                assert_eq!(v[0], v[1..].iter().sum::<u64>(), "quantity {q:02X} period {period}");
                let total = read(&mut m, (q << 16) | period).unwrap();
                assert_eq!(total, block[..4]);
            }
        }
    }

    #[test]
    fn powers_are_consistent() {
        let mut m = meter();
        for p in 1..=3u32 {
            let u = number(Variant::V2007, 0x0201_0000 | p << 8, &read(&mut m, 0x0201_0000 | p << 8).unwrap());
            let i = number(Variant::V2007, 0x0202_0000 | p << 8, &read(&mut m, 0x0202_0000 | p << 8).unwrap());
            let pw = number(Variant::V2007, 0x0203_0000 | p << 8, &read(&mut m, 0x0203_0000 | p << 8).unwrap());
            let pf = number(Variant::V2007, 0x0206_0000 | p << 8, &read(&mut m, 0x0206_0000 | p << 8).unwrap());
            let expected = u * i * pf / 1000.0;
            assert!((pw - expected).abs() < 0.002, "phase {p}: {pw} kW vs U·I·cosφ {expected}");
            assert!((200.0..250.0).contains(&u));
        }
        let total = |m: &mut Dlt645Meter| read(m, 0x0203_FF00).unwrap();
        let block = total(&mut m);
        let v: Vec<f64> = block.chunks(3).map(|c| number(Variant::V2007, 0x0203_0000, c)).collect();
        assert!((v[0] - (v[1] + v[2] + v[3])).abs() < 0.0002);
        let f = number(Variant::V2007, 0x0280_0002, &read(&mut m, 0x0280_0002).unwrap());
        assert!((49.9..50.1).contains(&f));
    }

    #[test]
    fn clock_follows_now_and_sync() {
        let mut m = meter();
        let at = Millis(61_000);
        let req = Payload::ReadRequest { di: DataId(0x0400_0102), blocks: None, time: None };
        let a = m.address();
        let r = ask(&mut m, at, Frame645::from_payload(a, &req)).unwrap();
        let Payload::ReadReply { data, .. } = r.payload().unwrap() else { panic!() };
        assert_eq!(data, [0x01, 0x31, 0x10]); // 10:31:01
        let t = DateTime { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
        let time = [0x05, 0x04, 0x03, 0x02, 0x01, 0x25];
        m.handle_input(at, &Frame645::from_payload(Address::BROADCAST, &Payload::BroadcastTime { time }).emit());
        assert!(m.poll_transmit().is_none(), "no reply to a broadcast");
        assert_eq!(m.clock(Millis(63_000)), t.plus_seconds(2));
    }

    #[test]
    fn every_function_is_answered() {
        let mut m = meter();
        let a = m.address();
        let now = Millis(0);
        let pw = Password { level: 2, code: [0x56, 0x34, 0x12] };
        let bad = Password { level: 2, code: [0, 0, 0] };
        let op = OperatorCode([1, 2, 3, 4]);
        let cases: Vec<(Payload, &str)> = vec![
            (Payload::ReadAddressRequest, "93"),
            (Payload::ReadRequest { di: DataId(0x0400_0401), blocks: None, time: None }, "91"),
            (Payload::ReadRequest { di: DataId(0x7777_7777), blocks: None, time: None }, "D1 02"),
            (Payload::ReadRequest { di: DataId(0x0400_0C01), blocks: None, time: None }, "D1 04"),
            (Payload::WriteRequest { di: DataId(0x0400_0103), password: bad, operator: op, data: vec![0x15] }, "D4 04"),
            (Payload::WriteRequest { di: DataId(0x0400_0103), password: pw, operator: op, data: vec![0x30] }, "94"),
            (Payload::WriteRequest { di: DataId(0x0400_0204), password: pw, operator: op, data: vec![0x64] }, "D4 40"),
            (Payload::WriteRequest { di: DataId(0x0001_0000), password: pw, operator: op, data: vec![0; 4] }, "D4 04"),
            (Payload::FreezeRequest { time: [0x99; 4] }, "96"),
            (Payload::ChangeBaudRequest { z: 0x03 }, "D7 08"),
            (Payload::ClearDemandRequest { password: pw, operator: op }, "99"),
            (Payload::ClearEventsRequest { password: pw, operator: op, di: DataId(0xFFFF_FFFF) }, "9B"),
            (
                Payload::RemoteControlRequest {
                    password: pw,
                    operator: op,
                    command: 0x1A,
                    reserved: 0,
                    valid_until: [0, 0, 0, 1, 1, 0x30],
                },
                "9C",
            ),
            (Payload::ClearMeterRequest { password: pw, operator: op }, "9A"),
            (
                Payload::ChangePasswordRequest {
                    di: DataId(0x0400_0C03),
                    old: pw,
                    new: Password { level: 2, code: [1, 2, 3] },
                },
                "98",
            ),
            (Payload::ChangeBaudRequest { z: 0x20 }, "97"),
        ];
        for (req, want) in cases {
            let r = ask(&mut m, now, Frame645::from_payload(a, &req)).unwrap_or_else(|| panic!("no reply to {req:?}"));
            let got = match r.payload().unwrap() {
                Payload::AbnormalReply { err, .. } => format!("{:02X} {err:02X}", r.control.0),
                _ => format!("{:02X}", r.control.0),
            };
            assert_eq!(got, want, "{req:?}");
        }
        assert!(!m.relay_closed());
        assert_eq!(m.line().baud, 9600);
        assert_eq!(read(&mut m, 0x0001_0000).unwrap(), [0, 0, 0, 0], "cleared");
        assert_eq!(read(&mut m, 0x0400_0103).unwrap(), [0x30], "written");
        let cleared = read(&mut m, 0x0330_0100).unwrap();
        assert_eq!(cleared, [0x01, 0, 0], "one meter clear recorded");
        let freeze = read(&mut m, 0x0501_0001).unwrap();
        assert_eq!(freeze.len(), 5);
    }

    #[test]
    fn follow_up_frames_for_long_reads() {
        let mut m = Dlt645Meter::new(MeterConfig { max_data: 8, ..MeterConfig::default() });
        let a = m.address();
        let whole = Dlt645Meter::new(MeterConfig::default()).data_2007(0x0001_FF00, Millis(0)).unwrap();
        let req = Payload::ReadRequest { di: DataId(0x0001_FF00), blocks: None, time: None };
        let r = ask(&mut m, Millis(0), Frame645::from_payload(a, &req)).unwrap();
        let Payload::ReadReply { mut data, follow: true, .. } = r.payload().unwrap() else { panic!() };
        for seq in 1..=2u8 {
            let req = Payload::ReadFollowUpRequest { di: DataId(0x0001_FF00), seq };
            let r = ask(&mut m, Millis(0), Frame645::from_payload(a, &req)).unwrap();
            let Payload::ReadFollowUpReply { data: more, seq: s, follow, .. } = r.payload().unwrap() else { panic!() };
            assert_eq!((s, follow), (seq, seq < 2));
            data.extend(more);
        }
        assert_eq!(data, whole);
        // Load records: 10 blocks of 15 minutes go out in many frames.
        let records = meter().load_records(10, None, Millis(0));
        assert_eq!(records.len(), 10 * records.len() / 10);
        assert_eq!(&records[..2], &[0xA0, 0xA0]);
        assert_eq!(records[records.len() - 1], 0xE5);
    }

    #[test]
    fn both_editions_and_every_named_identifier() {
        let m = meter();
        let opts = Options::default();
        // A sample of the dictionary: every reply is well-formed and dissects without warnings.
        for di in dictionary::enumerate().step_by(997).take(400) {
            if di >> 24 == 0x06 {
                continue;
            }
            match m.data_2007(di, Millis(0)) {
                Ok(data) => {
                    let f = Frame645::from_payload(
                        m.address(),
                        &Payload::ReadReply { di: DataId(di), data, follow: false },
                    );
                    let d = dissect::dissect(Variant::V2007, &f.emit(), 0, &opts);
                    assert!(d.diagnostics.is_empty(), "{di:08X}: {:?}", d.diagnostics);
                }
                Err(e) => {
                    let [d3, _, d1, _] = di.to_be_bytes();
                    let password = e == err::PASSWORD && di >> 8 == 0x04_000C;
                    let no_such_tariff = e == err::NO_DATA && d3 <= 1 && usize::from(d1) > TARIFFS && d1 != 0xFF;
                    assert!(password || no_such_tariff, "{di:08X}: {e}");
                }
            }
        }
        for di in dictionary::enumerate_1997() {
            let data = match m.data_1997(di, Millis(0)) {
                Ok(data) => data,
                Err(e) => {
                    assert!(e == err::PASSWORD && di & 0xFFF0 == 0xC210, "{di:04X}: {e}");
                    continue;
                }
            };
            let f = Frame645::from_payload_1997(m.address(), &Payload1997::ReadReply { di, data, follow: false });
            let d = dissect::dissect(Variant::V1997, &f.emit(), 0, &opts);
            assert!(d.diagnostics.is_empty(), "{di:04X}: {:?}", d.diagnostics);
        }
        let v = m.data_1997(0x901F, Millis(0)).unwrap();
        assert_eq!(&v[..4], &m.data_2007(0x0001_0000, Millis(0)).unwrap()[..]);
    }

    #[test]
    fn deterministic_from_the_seed() {
        let a = meter().data_2007(0x0201_FF00, Millis(5000)).unwrap();
        assert_eq!(a, meter().data_2007(0x0201_FF00, Millis(5000)).unwrap());
        let other = Dlt645Meter::new(MeterConfig { seed: 2, ..MeterConfig::default() });
        assert_ne!(meter().data_2007(0x0001_FF00, Millis(0)), other.data_2007(0x0001_FF00, Millis(0)));
    }
}
