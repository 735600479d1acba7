//! Simulated wireless M-Bus meters as a receiver on a serial port hears
//! them: each sends on its own schedule, in frame format A (CRC after the
//! first ten bytes and after every sixteen), with the transport layer's
//! short header. One water meter encrypts in security mode 5 with
//! [`DEMO_KEY`]; one heat meter sends in the clear.

use super::crypto;
use super::session::LINE;
use crate::session::{LineSettings, Millis, SimulatedMeter};
use crate::wire::crc16_en13757;

/// The AES key of the simulated water meter (mode 5): `00 01 … 0F`.
pub const DEMO_KEY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// One simulated meter.
#[derive(Clone, Debug)]
pub struct AirMeter {
    /// Manufacturer, three letters.
    pub manufacturer: [u8; 3],
    /// Identification number, 8 BCD digits.
    pub id: u32,
    pub version: u8,
    /// Device type (07 water, 04 heat).
    pub medium: u8,
    /// Mode 5 key (none: sent in the clear).
    pub key: Option<[u8; 16]>,
    /// Seconds between telegrams, and the first one's second.
    pub every: u64,
    pub offset: u64,
}

/// The meters the receiver hears.
#[derive(Clone, Debug)]
pub struct AirConfig {
    pub meters: Vec<AirMeter>,
}

impl Default for AirConfig {
    fn default() -> Self {
        AirConfig {
            meters: vec![
                AirMeter {
                    manufacturer: *b"MSC",
                    id: 0x1234_5678,
                    version: 0x01,
                    medium: 0x07,
                    key: Some(DEMO_KEY),
                    every: 4,
                    offset: 0,
                },
                AirMeter {
                    manufacturer: *b"MSC",
                    id: 0x8765_4321,
                    version: 0x02,
                    medium: 0x04,
                    key: None,
                    every: 6,
                    offset: 1,
                },
            ],
        }
    }
}

/// The three letters as the M field's 16 bits.
pub fn manufacturer_code(m: [u8; 3]) -> u16 {
    m.iter().fold(0u16, |acc, &c| (acc << 5) | u16::from(c.saturating_sub(64) & 0x1F))
}

/// A plain telegram (`L C M A CI …`, no CRCs) turned into frame format A.
pub fn format_a(plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plain.len() + 2 * (plain.len() / 16 + 2));
    let (first, rest) = plain.split_at(plain.len().min(10));
    for block in core::iter::once(first).chain(rest.chunks(16)) {
        out.extend_from_slice(block);
        out.extend_from_slice(&crc16_en13757(block).to_be_bytes());
    }
    out
}

/// Receiver of simulated wireless M-Bus meters.
#[derive(Clone, Debug)]
pub struct WmbusAir {
    cfg: AirConfig,
    now: Option<Millis>,
    start: Millis,
    /// The next second each meter sends at, and its access number.
    next: Vec<(u64, u8)>,
    queue: Vec<Vec<u8>>,
}

impl WmbusAir {
    pub fn new(cfg: AirConfig) -> Self {
        let next = cfg.meters.iter().map(|m| (m.offset, 0x20)).collect();
        WmbusAir { cfg, now: None, start: Millis(0), next, queue: Vec::new() }
    }

    /// The records of meter `k` at second `s`: DIF, VIF(s), data.
    fn records(&self, k: usize, s: u64) -> Vec<u8> {
        let m = &self.cfg.meters[k];
        let mut r = Vec::new();
        let mut rec = |head: &[u8], data: &[u8]| {
            r.extend_from_slice(head);
            r.extend_from_slice(data);
        };
        let t = crate::session::DateTime::from_unix(1_796_083_200 + s as i64);
        // Type F: minute, hour, day + year low bits, month + year high bits.
        let y = t.year.saturating_sub(2000) as u8;
        let f = [t.minute, t.hour, t.day | (y & 0x07) << 5, t.month | (y >> 3) << 4];
        if m.medium == 0x04 {
            // Heat: energy kWh, volume 0.01 m³, flow and return °C, power W.
            let kwh = 12_000 + (s / 10) as u32;
            rec(&[0x04, 0x06], &kwh.to_le_bytes());
            rec(&[0x04, 0x14], &(345_600 + s as u32).to_le_bytes());
            rec(&[0x02, 0x5B], &(70u16 + (s % 5) as u16).to_le_bytes());
            rec(&[0x02, 0x5F], &(45u16 + (s % 3) as u16).to_le_bytes());
            rec(&[0x04, 0x2B], &(3_600 + (s % 7) as u32 * 50).to_le_bytes());
            rec(&[0x04, 0x6D], &f);
        } else {
            // Water: volume 0.001 m³, flow 0.001 m³/h, the date of the last due day.
            let litres = 123_456 + (s * 3) as u32;
            rec(&[0x04, 0x13], &litres.to_le_bytes());
            rec(&[0x02, 0x3B], &(if s % 8 < 4 { 540u16 } else { 0 }).to_le_bytes());
            rec(&[0x04, 0x6D], &f);
            rec(&[0x42, 0x6C], &[0x3F, 0x3C]);
        }
        r
    }

    /// Meter `k`'s telegram at second `s` with access number `acc`, format A.
    pub fn telegram(&self, k: usize, s: u64, acc: u8) -> Vec<u8> {
        let m = &self.cfg.meters[k];
        let mut head = vec![0, 0x44];
        head.extend_from_slice(&manufacturer_code(m.manufacturer).to_le_bytes());
        head.extend_from_slice(&m.id.to_le_bytes());
        head.extend([m.version, m.medium]);
        let mut data = self.records(k, s);
        let cfg: u16 = match m.key {
            Some(key) => {
                let mut plain = vec![0x2F, 0x2F];
                plain.append(&mut data);
                while plain.len() % 16 != 0 {
                    plain.push(0x2F);
                }
                let blocks = (plain.len() / 16) as u16;
                let mut iv = [acc; 16];
                iv[..8].copy_from_slice(&head[2..10]);
                data = crypto::cbc_encrypt(&key, &iv, &plain);
                0x2000 | 0x0500 | blocks << 4
            }
            None => 0,
        };
        // CI 7A: the short header (access number, status, configuration).
        head.extend([0x7A, acc, 0x00]);
        head.extend_from_slice(&cfg.to_le_bytes());
        head.append(&mut data);
        head[0] = (head.len() - 1) as u8;
        format_a(&head)
    }
}

impl SimulatedMeter for WmbusAir {
    /// The receiver ignores what it receives; the call tells it the time.
    fn handle_input(&mut self, now: Millis, _: &[u8]) {
        if self.now.is_none() {
            self.start = now;
        }
        self.handle_timeout(now);
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.queue.is_empty()).then(|| self.queue.remove(0))
    }

    fn line(&self) -> LineSettings {
        LINE
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.now?;
        self.next.iter().map(|n| n.0).min().map(|s| self.start.after(s * 1000))
    }

    /// Every meter whose second has come sends.
    fn handle_timeout(&mut self, now: Millis) {
        self.now = Some(now);
        let s = now.since(self.start) / 1000;
        for k in 0..self.next.len() {
            let (due, acc) = self.next[k];
            if due <= s {
                let t = self.telegram(k, s, acc);
                self.queue.push(t);
                self.next[k] = (s + self.cfg.meters[k].every.max(1), acc.wrapping_add(1));
            }
        }
    }
}
