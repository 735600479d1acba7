//! A simulated SML meter: a German household meter's optical interface
//! pushing an SML file every second at 9600 Bd 8N1 (PublicOpen response,
//! GetList response with the usual entries, PublicClose response), made
//! with the strict [`codec`](super::codec). Import energy grows with the
//! power drawn; a solar afternoon turns the power negative and the export
//! register grows, with the direction in the status word.

use super::codec::{self, Message, Value};
use super::session::LINE;
use crate::session::{LineSettings, Millis, Rng, SendClock, SimulatedMeter};

/// How the simulated meter is set up.
#[derive(Clone, Debug)]
pub struct SmlConfig {
    /// Manufacturer FLAG id (three capital letters).
    pub flag: [u8; 3],
    pub serial: u32,
    /// Import register at the start, 0.1 Wh.
    pub import: u64,
    /// Export register at the start, 0.1 Wh.
    pub export: u64,
    /// Seconds between files.
    pub every: u64,
    pub seed: u64,
}

impl Default for SmlConfig {
    fn default() -> Self {
        SmlConfig { flag: *b"MSC", serial: 47_110_815, import: 123_456_789, export: 9_876_543, every: 1, seed: 3 }
    }
}

/// Status word of an energy register: bit 5 set when energy flows −A.
const STATUS_IMPORT: u64 = 0x1C_0104;
const STATUS_EXPORT: u64 = STATUS_IMPORT | 1 << 5;

/// Unit codes (IEC 62056-62): Wh, W, V, A, Hz.
const WH: u64 = 30;
const W: u64 = 27;
const V: u64 = 35;
const A: u64 = 33;
const HZ: u64 = 44;

/// The simulated meter.
#[derive(Clone, Debug)]
pub struct SmlMeter {
    cfg: SmlConfig,
    clock: SendClock,
    files: u32,
    /// Energy counted so far: seconds counted, import and export in W·s.
    energy: (u64, u64, u64),
}

fn obis(code: [u8; 6]) -> Value {
    Value::Octets(code.to_vec())
}

/// A ValListEntry: objName, status, valTime, unit, scaler, value, signature.
fn entry(code: [u8; 6], status: Option<u64>, unit: Option<u64>, scaler: i8, value: Value) -> Value {
    let opt = |v: Option<Value>| v.unwrap_or(Value::NOT_SET);
    Value::List(vec![
        obis(code),
        opt(status.map(|s| Value::Uint(s, 4))),
        Value::NOT_SET,
        opt(unit.map(|u| Value::Uint(u, 1))),
        if unit.is_some() { Value::Int(scaler.into(), 1) } else { Value::NOT_SET },
        value,
        Value::NOT_SET,
    ])
}

impl SmlMeter {
    pub fn new(cfg: SmlConfig) -> Self {
        SmlMeter { cfg, clock: SendClock::default(), files: 0, energy: (0, 0, 0) }
    }

    /// The server id: `0A 01 FLAG 00 serial`.
    pub fn server_id(&self) -> Vec<u8> {
        let mut id = vec![0x0A, 0x01];
        id.extend_from_slice(&self.cfg.flag);
        id.push(0);
        id.extend_from_slice(&self.cfg.serial.to_be_bytes());
        id
    }

    /// Power drawn in second `s` of the run, W (negative: feeding in).
    fn power(&self, s: u64) -> i64 {
        let mut rng = Rng::new(self.cfg.seed ^ s.wrapping_mul(0x9E37));
        // A slow swing between drawing and feeding in, with noise.
        let phase = (s % 120) as i64;
        let swing = if phase < 60 { phase * 30 } else { (120 - phase) * 30 };
        900 - swing + rng.range(0, 120) as i64
    }

    /// Registers after `s` seconds (0.1 Wh): import and export. Counted on
    /// from the last call (seconds only move forward).
    fn registers(&mut self, s: u64) -> (u64, u64) {
        while self.energy.0 < s {
            match self.power(self.energy.0) {
                p if p >= 0 => self.energy.1 += p as u64,
                p => self.energy.2 += p.unsigned_abs(),
            }
            self.energy.0 += 1;
        }
        // 1 W for 1 s is 1/3600 Wh, 1/360 of 0.1 Wh.
        (self.cfg.import + self.energy.1 / 360, self.cfg.export + self.energy.2 / 360)
    }

    /// The file sent in second `s` of the run (seconds in order).
    pub fn file(&mut self, s: u64) -> Vec<u8> {
        let (import, export) = self.registers(s);
        let id = self.server_id();
        let sec_index = 1_000_000 + s;
        let tx = |k: u32| (self.files.wrapping_mul(3) + k).to_be_bytes().to_vec();
        let time = Value::List(vec![Value::Uint(1, 1), Value::Uint(sec_index, 4)]);
        let open = Message {
            transaction_id: tx(1),
            group_no: 0,
            abort_on_error: 0,
            body: Value::List(vec![
                Value::Uint(0x0101, 2),
                Value::List(vec![
                    Value::NOT_SET,
                    Value::NOT_SET,
                    Value::Octets((sec_index as u32).to_be_bytes().to_vec()),
                    Value::Octets(id.clone()),
                    time.clone(),
                    Value::Uint(1, 1),
                ]),
            ]),
        };
        let p = self.power(s);
        let mut rng = Rng::new(self.cfg.seed.wrapping_add(s));
        let volts: Vec<u64> = (0..3).map(|_| 2_280 + rng.range(0, 40)).collect();
        let amps: Vec<i64> = (0..3).map(|k| (p / 3 + k * 20) * 100 / 230).collect();
        let mut entries = vec![
            entry([0x81, 0x81, 0xC7, 0x82, 0x03, 0xFF], None, None, 0, Value::Octets(self.cfg.flag.to_vec())),
            entry([1, 0, 0, 0, 9, 0xFF], None, None, 0, Value::Octets(id.clone())),
            entry([1, 0, 1, 8, 0, 0xFF], Some(STATUS_IMPORT), Some(WH), -1, Value::Uint(import, 8)),
            entry([1, 0, 2, 8, 0, 0xFF], Some(STATUS_EXPORT), Some(WH), -1, Value::Uint(export, 8)),
            entry([1, 0, 16, 7, 0, 0xFF], None, Some(W), 0, Value::Int(p, 4)),
        ];
        for (k, v) in volts.iter().enumerate() {
            entries.push(entry([1, 0, 32 + 20 * k as u8, 7, 0, 0xFF], None, Some(V), -1, Value::Uint(*v, 2)));
        }
        for (k, i) in amps.iter().enumerate() {
            entries.push(entry([1, 0, 31 + 20 * k as u8, 7, 0, 0xFF], None, Some(A), -2, Value::Int(*i, 2)));
        }
        entries.push(entry([1, 0, 14, 7, 0, 0xFF], None, Some(HZ), -1, Value::Uint(499 + rng.range(0, 2), 2)));
        let list = Message {
            transaction_id: tx(2),
            group_no: 0,
            abort_on_error: 0,
            body: Value::List(vec![
                Value::Uint(0x0701, 2),
                Value::List(vec![
                    Value::NOT_SET,
                    Value::Octets(id),
                    obis([1, 0, 98, 10, 0xFF, 0xFF]),
                    time,
                    Value::List(entries),
                    Value::NOT_SET,
                    Value::NOT_SET,
                ]),
            ]),
        };
        let close = Message {
            transaction_id: tx(3),
            group_no: 0,
            abort_on_error: 0,
            body: Value::List(vec![Value::Uint(0x0201, 2), Value::List(vec![Value::NOT_SET])]),
        };
        codec::emit(&[open, list, close])
    }
}

impl SimulatedMeter for SmlMeter {
    /// The interface ignores what it receives; the call tells it the time.
    fn handle_input(&mut self, now: Millis, _: &[u8]) {
        self.clock.input(now);
    }

    /// A file when `now` has reached the next one's second.
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let (start, every) = (self.clock.start(), self.cfg.every.max(1));
        let second = |now: Millis| now.since(start) / 1000;
        let now = self.clock.due(|now| start.after((second(now) + every) * 1000))?;
        let f = self.file(second(now));
        self.files += 1;
        Some(f)
    }

    fn line(&self) -> LineSettings {
        LINE
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.clock.deadline()
    }

    fn handle_timeout(&mut self, now: Millis) {
        self.clock.tick(now);
    }
}
