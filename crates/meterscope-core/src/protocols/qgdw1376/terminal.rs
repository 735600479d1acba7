//! A simulated concentrator / terminal (Q/GDW 1376.1), sans-IO: the master
//! station's frames in, the terminal's frames out.
//!
//! Its measurement points 1…n are simulated DL/T 645-2007 meters
//! ([`Dlt645Meter`]), then n+1… simulated DL/T 698.45 meters
//! ([`Dlt698Meter`], reached by relaying only: their class 1 and 2 data are
//! denied); class 1 and class 2 data are the 645 meters' values in the
//! formats of appendix A (the 645 formats of voltage, current, power and
//! power factor are the same digits as A.7, A.25, A.9 and A.5; energy gets
//! A.14's two extra decimals). It answers:
//!
//! - AFN 0C F2 terminal clock (A.1), F25 power, power factor, voltage and
//!   current, F33 forward active/reactive and Q1/Q4 energies, F129 forward
//!   active energy (total and 4 tariffs);
//! - AFN 0D F161 daily frozen forward active energy of a date (Td_d, A.20):
//!   the energy at 00:00 of that day, every tariff lower by 2.50 kWh per day
//!   back; dates in the future or more than 31 days back are denied;
//! - AFN 09 F1 version information;
//! - AFN 0E F1/F2 events between the pointers Pm and Pn (ERC1, ERC14 twice);
//!   an answer whose data would pass [`TerminalConfig::max_data`] bytes is
//!   sent in several frames (SEQ: FIR on the first, FIN on the last, none on
//!   those between; RSEQ the request's PSEQ on the first, one more on each
//!   next), each with its own data unit identifier, event counters and
//!   pointers of the records it carries;
//! - AFN 10 F1 transparent forwarding: the DL/T 645 or DL/T 698.45 frame
//!   to the meter of its address (a 698.45 server address, or a wildcard or
//!   broadcast one, as the meter itself accepts it), the meter's reply back
//!   (no reply: length 0);
//! - AFN 05 F31 clock setting (confirmed with AFN 00 F1);
//! - anything else: AFN 00 F2, denied.
//!
//! With [`TerminalConfig::login`] it sends a login (AFN 02 F1) before its
//! first reply, and a heartbeat (AFN 02 F3) after every
//! [`TerminalConfig::heartbeat_every`] replies, and counts the
//! confirmations.

use std::collections::VecDeque;

use super::codec::{Address1, Frame1, bcd, bcd_le, c1, seq, unbcd, unit_id};
use super::frame::frame_1;
use crate::protocols::dlt645::frame::{Address, Frame645};
use crate::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig as Meter645};
use crate::protocols::dlt698::link::FrameRepr;
use crate::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig as Meter698};
use crate::session::{DateTime, LineSettings, Millis, Parity, RxBuffer, SimulatedMeter};

/// Downlink AFNs that carry the 16-byte PW after their data units.
pub const PW_AFNS: [u8; 5] = [0x01, 0x04, 0x05, 0x0F, 0x10];

/// How the simulated terminal is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalConfig {
    pub address: Address1,
    /// The terminal's clock at `now` = 0.
    pub base: DateTime,
    pub line: LineSettings,
    /// Measurement point n is meter n − 1.
    pub meters: Vec<Meter645>,
    /// DL/T 698.45 meters: measurement points after the 645 ones.
    pub meters_698: Vec<Meter698>,
    /// Send a login before the first reply.
    pub login: bool,
    /// Send a heartbeat after every this many replies (0: never).
    pub heartbeat_every: u32,
    /// Most bytes of data (after AFN and SEQ) in one answer frame; a longer
    /// event answer is split into several frames.
    pub max_data: usize,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            address: Address1 { region: 0x1234, terminal: 0x0001, a3: 0 },
            base: DateTime { year: 2024, month: 5, day: 17, hour: 10, minute: 30, second: 0 },
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            meters: vec![
                Meter645 { address: Address([0x01, 0x00, 0x00, 0x17, 0x05, 0x24]), ..Meter645::default() },
                Meter645 { address: Address([0x02, 0x00, 0x00, 0x17, 0x05, 0x24]), seed: 2, ..Meter645::default() },
            ],
            meters_698: vec![Meter698 {
                address: [0x24, 0x05, 0x17, 0x00, 0x00, 0x03],
                seed: 3,
                ..Meter698::default()
            }],
            login: false,
            heartbeat_every: 0,
            max_data: 1024,
        }
    }
}

/// An event record: ERC and its data.
type Record = (u8, Vec<u8>);

/// The simulated terminal.
#[derive(Clone, Debug)]
pub struct Terminal {
    cfg: TerminalConfig,
    meters: Vec<Dlt645Meter>,
    meters_698: Vec<Dlt698Meter>,
    clock_offset: i64,
    important: Vec<Record>,
    /// Received bytes: frames longer than 16 KiB are given up.
    rx: RxBuffer,
    tx: VecDeque<Vec<u8>>,
    replies: u32,
    logged_in: bool,
    link_seq: u8,
    link_sent: usize,
    link_confirmed: usize,
}

/// A.15: mm hh DD MM YY.
fn a15(t: &DateTime) -> [u8; 5] {
    [bcd(t.minute), bcd(t.hour), bcd(t.day), bcd(t.month), bcd((t.year % 100) as u8)]
}

/// A.1: ss mm hh DD (week << 5 | MM) YY, Monday 1 … Sunday 7.
pub fn a1(t: &DateTime) -> [u8; 6] {
    let week = match t.weekday() {
        0 => 7,
        w => w,
    };
    [bcd(t.second), bcd(t.minute), bcd(t.hour), bcd(t.day), week << 5 | bcd(t.month), bcd((t.year % 100) as u8)]
}

/// The date and time of A.1 bytes.
pub fn parse_a1(b: &[u8]) -> Option<DateTime> {
    let t = DateTime {
        year: 2000 + u16::from(unbcd(*b.get(5)?)?),
        month: unbcd(b[4] & 0x1F)?,
        day: unbcd(b[3])?,
        hour: unbcd(b[2])?,
        minute: unbcd(b[1])?,
        second: unbcd(b[0])?,
    };
    t.is_valid().then_some(t)
}

impl Terminal {
    pub fn new(cfg: TerminalConfig) -> Self {
        let base = cfg.base;
        let off = base.plus_seconds(-3 * 86_400 - 2 * 3600);
        let on = off.plus_seconds(40 * 60);
        let mut erc14 = a15(&off).to_vec();
        erc14.extend_from_slice(&a15(&on));
        let off2 = base.plus_seconds(-86_400 + 3600);
        let mut erc14b = a15(&off2).to_vec();
        erc14b.extend_from_slice(&a15(&off2.plus_seconds(5 * 60)));
        let mut erc1 = a15(&base.plus_seconds(-10 * 86_400)).to_vec();
        erc1.push(0x02);
        erc1.extend_from_slice(b"1.00");
        erc1.extend_from_slice(b"1.01");
        Terminal {
            meters: cfg.meters.iter().cloned().map(Dlt645Meter::new).collect(),
            meters_698: cfg.meters_698.iter().cloned().map(Dlt698Meter::new).collect(),
            clock_offset: 0,
            important: vec![(1, erc1), (14, erc14), (14, erc14b)],
            rx: RxBuffer::new(16_384),
            tx: VecDeque::new(),
            replies: 0,
            logged_in: false,
            link_seq: 0,
            link_sent: 0,
            link_confirmed: 0,
            cfg,
        }
    }

    /// The terminal's clock at `now`.
    pub fn clock(&self, now: Millis) -> DateTime {
        self.cfg.base.plus_seconds((now.0 / 1000) as i64 + self.clock_offset)
    }

    pub fn meter(&self, pn: u16) -> Option<&Dlt645Meter> {
        self.meters.get(usize::from(pn).checked_sub(1)?)
    }

    /// The DL/T 698.45 meter of measurement point `pn` (after the 645 points).
    pub fn meter_698(&self, pn: u16) -> Option<&Dlt698Meter> {
        self.meters_698.get(usize::from(pn).checked_sub(1 + self.meters.len())?)
    }

    /// Link tests sent (login, heartbeats) and confirmed.
    pub fn link_tests(&self) -> (usize, usize) {
        (self.link_sent, self.link_confirmed)
    }

    /// Send a link test now: 1 login, 2 logout, 3 heartbeat.
    pub fn link_test(&mut self, f: u16) {
        self.link_seq = (self.link_seq + 1) & 0x0F;
        let frame = Frame1 {
            control: c1::DIR | c1::PRM | c1::LINK_TEST,
            address: self.cfg.address,
            afn: 0x02,
            seq: seq::FIR | seq::FIN | seq::CON | self.link_seq,
            data: unit_id(0, f).to_vec(),
        };
        self.tx.push_back(frame.emit());
        self.link_sent += 1;
    }

    fn send(&mut self, req: &Frame1, afn: u8, data: Vec<u8>) {
        self.send_frames(req, afn, vec![data]);
    }

    /// One answer in `parts.len()` frames: FIR on the first, FIN on the
    /// last, RSEQ from the request's PSEQ counting up.
    fn send_frames(&mut self, req: &Frame1, afn: u8, parts: Vec<Vec<u8>>) {
        let n = parts.len();
        for (i, data) in parts.into_iter().enumerate() {
            let mut s = (req.pseq() + i as u8) & 0x0F;
            if i == 0 {
                s |= seq::FIR;
            }
            if i + 1 == n {
                s |= seq::FIN;
            }
            let f = Frame1 {
                control: c1::DIR | c1::RESPONSE,
                address: Address1 { a3: req.address.a3, ..self.cfg.address },
                afn,
                seq: s,
                data,
            };
            self.tx.push_back(f.emit());
        }
    }

    fn deny(&mut self, req: &Frame1) {
        self.send(req, 0x00, unit_id(0, 2).to_vec());
    }

    /// A 645 value of a point, or `len` bytes of EE (no data).
    fn get(&self, pn: u16, di: u32, now: Millis, len: usize) -> Vec<u8> {
        match self.meter(pn).map(|m| m.data_2007(di, now)) {
            Some(Ok(v)) if v.len() == len => v,
            _ => vec![0xEE; len],
        }
    }

    /// Total and tariffs 1–4 of a 645 energy (DI2 `kind`) in A.14 (5 bytes) or A.11 (4).
    fn energies(&self, pn: u16, kind: u32, now: Millis, a14: bool, days_back: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for t in 0..=4u32 {
            let v = self.get(pn, kind << 16 | t << 8, now, 4);
            let v = match crate::protocols::qgdw1376::common::bcd(&v) {
                Some(e) => {
                    let less = days_back * if t == 0 { 1000 } else { 250 };
                    bcd_le(e.saturating_sub(less), 4)
                }
                None => v,
            };
            if a14 {
                out.push(if v[0] == 0xEE { 0xEE } else { 0x00 });
            }
            out.extend_from_slice(&v);
        }
        out
    }

    fn class1(&self, pn: u16, f: u16, now: Millis) -> Option<Vec<u8>> {
        let t = self.clock(now);
        let read = a15(&t).to_vec();
        let phases = |d2: u32, len: usize, total: bool| -> Vec<u8> {
            let mut v = Vec::new();
            if total {
                v.extend(self.get(pn, 0x0200_0000 | d2 << 16, now, len));
            }
            for p in 1..=3u32 {
                v.extend(self.get(pn, 0x0200_0000 | d2 << 16 | p << 8, now, len));
            }
            v
        };
        Some(match f {
            2 if pn == 0 => a1(&t).to_vec(),
            25 if self.meter(pn).is_some() => {
                let mut v = read;
                v.extend(phases(0x03, 3, true)); // P: A.9
                v.extend(phases(0x04, 3, true)); // Q: A.9
                v.extend(phases(0x06, 2, true)); // power factor: A.5
                v.extend(phases(0x01, 2, false)); // U: A.7
                v.extend(phases(0x02, 3, false)); // I: A.25
                v.extend(self.get(pn, 0x0280_0001, now, 3)); // zero-sequence current
                v.extend(phases(0x05, 3, true)); // S: A.9
                v
            }
            33 if self.meter(pn).is_some() => {
                let mut v = read;
                v.push(4);
                v.extend(self.energies(pn, 0x01, now, true, 0));
                v.extend(self.energies(pn, 0x03, now, false, 0));
                v.extend(self.energies(pn, 0x05, now, false, 0));
                v.extend(self.energies(pn, 0x08, now, false, 0));
                v
            }
            129 if self.meter(pn).is_some() => {
                let mut v = read;
                v.push(4);
                v.extend(self.energies(pn, 0x01, now, true, 0));
                v
            }
            _ => return None,
        })
    }

    fn on_frame(&mut self, now: Millis, f: Frame1) {
        if f.up() || f.address.terminal != self.cfg.address.terminal && f.address.terminal != 0xFFFF {
            return;
        }
        if !f.prm() {
            if f.afn == 0x00 && f.data.get(..4) == Some(&unit_id(0, 1)[..]) {
                self.link_confirmed += 1;
            }
            return;
        }
        if self.cfg.login && !self.logged_in {
            self.logged_in = true;
            self.link_test(1);
        }
        let pw = if PW_AFNS.contains(&f.afn) { 16 } else { 0 };
        let body = &f.data[..f.data.len().saturating_sub(pw)];
        let unit = body
            .get(..4)
            .and_then(|u| Some((super::codec::one_point(u[0], u[1])?, super::codec::one_class(u[2], u[3])?)));
        let Some((pn, fnum)) = unit else {
            self.deny(&f);
            return;
        };
        let rest = &body[4..];
        let id = unit_id(pn, fnum).to_vec();
        let reply: Option<(u8, Vec<u8>)> = match (f.afn, fnum) {
            (0x0C, _) => self.class1(pn, fnum, now).map(|d| (0x0C, [id.clone(), d].concat())),
            (0x0D, 161) if rest.len() == 3 && self.meter(pn).is_some() => {
                let day = (|| {
                    Some(DateTime {
                        year: 2000 + u16::from(unbcd(rest[2])?),
                        month: unbcd(rest[1])?,
                        day: unbcd(rest[0])?,
                        hour: 0,
                        minute: 0,
                        second: 0,
                    })
                })()
                .filter(DateTime::is_valid);
                let today = self.clock(now);
                let today = DateTime { hour: 0, minute: 0, second: 0, ..today };
                match day {
                    Some(d) if d <= today && today.to_unix() - d.to_unix() <= 31 * 86_400 => {
                        // The freeze at 00:00 of that day: a day's use per day back since now.
                        let back = ((self.clock(now).to_unix() - d.to_unix()) / 86_400 + 1) as u64;
                        let mut v = id.clone();
                        v.extend_from_slice(rest);
                        v.extend_from_slice(&a15(&d.plus_seconds(5 * 60)));
                        v.push(4);
                        v.extend(self.energies(pn, 0x01, now, true, back));
                        Some((0x0D, v))
                    }
                    _ => None,
                }
            }
            (0x09, 1) if pn == 0 => {
                let mut v = id.clone();
                v.extend_from_slice(b"MSCP");
                v.extend_from_slice(b"00000001");
                v.extend_from_slice(b"0100");
                v.extend_from_slice(&[0x17, 0x05, 0x24]);
                v.extend_from_slice(b"SIMULATED  ");
                v.extend_from_slice(b"1376");
                v.extend_from_slice(b"0100");
                v.extend_from_slice(&[0x01, 0x01, 0x24]);
                Some((0x09, v))
            }
            (0x0E, 1 | 2) if rest.len() == 2 => {
                let records: &[Record] = if fnum == 1 { &self.important } else { &[] };
                let n = records.len() as u8;
                let (pm, pn_) = (rest[0], rest[1]);
                // Frames of whole records, each with its own counters and pointers.
                let mut parts: Vec<(u8, Vec<u8>)> = vec![(pm, Vec::new())];
                let mut k = pm;
                while k != pn_ && usize::from(k) < records.len() {
                    let (erc, d) = &records[usize::from(k)];
                    let mut r = vec![*erc, d.len() as u8];
                    r.extend_from_slice(d);
                    let Some(last) = parts.last_mut() else { break };
                    if !last.1.is_empty() && id.len() + 4 + last.1.len() + r.len() > self.cfg.max_data {
                        parts.push((k, r));
                    } else {
                        last.1.extend(r);
                    }
                    k = k.wrapping_add(1);
                }
                let ends: Vec<u8> = parts.iter().skip(1).map(|p| p.0).chain([k]).collect();
                let frames = parts
                    .into_iter()
                    .zip(ends)
                    .map(|((from, recs), to)| [id.clone(), vec![n, 0, from, to], recs].concat())
                    .collect();
                self.send_frames(&f, 0x0E, frames);
                self.after_reply();
                return;
            }
            (0x10, 1) if rest.len() >= 6 => {
                let len = usize::from(u16::from_le_bytes([rest[4], rest[5]]));
                let frame = rest.get(6..6 + len).unwrap_or(&[]);
                let reply = match Frame645::parse(frame) {
                    Ok(req) => {
                        match self.meters.iter_mut().find(|m| m.address() == req.address || req.address.has_wildcard())
                        {
                            Some(m) => {
                                m.handle_input(now, frame);
                                m.poll_transmit().unwrap_or_default()
                            }
                            None => Vec::new(),
                        }
                    }
                    // A DL/T 698.45 frame: every 698.45 meter on the port
                    // hears it, the one it addresses answers.
                    Err(_) if FrameRepr::parse(frame).is_ok() => {
                        let mut reply = Vec::new();
                        for m in &mut self.meters_698 {
                            m.handle_input(now, frame);
                            if let Some(r) = m.poll_transmit()
                                && reply.is_empty()
                            {
                                reply = r;
                            }
                        }
                        reply
                    }
                    Err(_) => Vec::new(),
                };
                let skip = reply.iter().take_while(|&&b| b == 0xFE).count();
                let reply = &reply[skip..];
                let mut v = id.clone();
                v.push(rest[0]);
                v.extend_from_slice(&(reply.len() as u16).to_le_bytes());
                v.extend_from_slice(reply);
                Some((0x10, v))
            }
            (0x05, 31) if pn == 0 => match parse_a1(rest) {
                Some(t) => {
                    self.clock_offset = t.to_unix() - self.cfg.base.to_unix() - (now.0 / 1000) as i64;
                    Some((0x00, unit_id(0, 1).to_vec()))
                }
                None => None,
            },
            _ => None,
        };
        match reply {
            Some((afn, data)) => self.send(&f, afn, data),
            None => self.deny(&f),
        }
        self.after_reply();
    }

    fn after_reply(&mut self) {
        self.replies += 1;
        if self.cfg.heartbeat_every > 0 && self.replies.is_multiple_of(self.cfg.heartbeat_every) {
            self.link_test(3);
        }
    }
}

impl SimulatedMeter for Terminal {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.rx.push(bytes);
        while let Some((f, _)) = self.rx.next(frame_1) {
            if let Ok(f) = Frame1::parse(&f) {
                self.on_frame(now, f);
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    fn line(&self) -> LineSettings {
        self.cfg.line
    }
}
