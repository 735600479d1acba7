//! The meter's data: every identifier of both editions, modelled (energies
//! by tariff, powers of the phases, parameters, load records) or filled from
//! the dictionary's formats.

use super::*;

impl Dlt645Meter {
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
    pub(super) fn modelled_2007(
        &self,
        info: &DiInfo,
        now: Millis,
        d3: u8,
        d2: u8,
        d1: u8,
        d0: u8,
    ) -> Result<Option<Vec<u8>>, u8> {
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
    pub(super) fn energy_at(&self, q: usize, t: usize, days: u64) -> u64 {
        let at = |t: usize| {
            let e = self.energy[q][t];
            // A constant daily consumption: 1/720 of the register (24 months to zero).
            e - (e * days.min(720) / 720)
        };
        if t == 0 { (1..=TARIFFS).map(at).sum() } else { at(t) }
    }

    pub(super) fn jitter(&self, tick: u64, k: u64, span: u64) -> u64 {
        mix(self.cfg.seed ^ tick.wrapping_mul(31), k) % (span + 1)
    }

    /// Instantaneous values of phases A, B, C and the total (index 3) at `now`.
    pub(super) fn powers(&self, now: Millis) -> [Power; 4] {
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
    pub(super) fn parameter(&self, d1: u8, d0: u8, now: Millis) -> Result<Option<Vec<u8>>, u8> {
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

    pub(super) fn meter_number(&self) -> [u8; 6] {
        let n = mix(self.cfg.seed, 3) % 1_000_000_000_000;
        let v = bcd_le(n, 6, false);
        [v[0], v[1], v[2], v[3], v[4], v[5]]
    }

    /// A block (`FF`) as its members' data in order, or a value built from the format.
    pub(super) fn block_or_fill(&self, info: &DiInfo, now: Millis) -> Result<Vec<u8>, u8> {
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
    pub(super) fn fill(&self, info: &DiInfo, now: Millis) -> Vec<u8> {
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
    pub(super) fn load_records(&self, blocks: u8, from: Option<DateTime>, now: Millis) -> Vec<u8> {
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
