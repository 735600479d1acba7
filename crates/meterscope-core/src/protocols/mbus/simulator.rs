//! A simulated wired M-Bus: meters on one bus answering a master at 2400 Bd
//! 8E1 (EN 13757-2/-3). Each meter has a primary address and a secondary
//! address; it acknowledges `SND_NKE`, answers `REQ_UD2` with `RSP_UD`
//! (long header, CI 72h), sends its records in two telegrams when they do
//! not fit one (DIF 1Fh, the next with the frame count bit toggled; the
//! same bit again repeats the last), and takes part in secondary address
//! selection (CI 52h with wildcards), where several meters answering at
//! once garble the line.

use super::frame::{self, ACK, LONG, SHORT, STOP};
use super::session::{LINE, SELECTED, long_frame};
use super::wireless::simulator::manufacturer_code;
use crate::session::{DateTime, LineSettings, Millis, RxBuffer, SimulatedMeter};

/// One meter on the bus.
#[derive(Clone, Debug)]
pub struct BusMeter {
    pub primary: u8,
    /// Identification number, 8 BCD digits.
    pub id: u32,
    pub manufacturer: [u8; 3],
    pub version: u8,
    /// Device type: 04 heat, 07 water.
    pub medium: u8,
}

/// The meters on the simulated bus.
#[derive(Clone, Debug)]
pub struct BusConfig {
    pub meters: Vec<BusMeter>,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            meters: vec![
                BusMeter { primary: 1, id: 0x1234_5678, manufacturer: *b"MSC", version: 1, medium: 0x04 },
                BusMeter { primary: 5, id: 0x1234_5699, manufacturer: *b"MSC", version: 1, medium: 0x07 },
            ],
        }
    }
}

#[derive(Clone, Debug, Default)]
struct State {
    selected: bool,
    /// The frame count bit of the last REQ_UD2 answered, none after a reset.
    fcb: Option<bool>,
    part: usize,
    access: u8,
    /// The last telegram sent, repeated when the frame count bit is not toggled.
    last: Option<Vec<u8>>,
}

/// The bus.
#[derive(Clone, Debug)]
pub struct MbusBus {
    cfg: BusConfig,
    state: Vec<State>,
    now: Millis,
    start: Option<Millis>,
    rx: RxBuffer,
    out: Vec<Vec<u8>>,
    /// Selections several meters answered so far.
    collisions: u32,
}

/// Does a selection's 8 bytes match a meter (F digits, FFFF, FF match any)?
fn matches(sel: &[u8], m: &BusMeter) -> bool {
    let id = m.id.to_le_bytes();
    let digits_ok = (0..4).all(|k| {
        let (s, v) = (sel[k], id[k]);
        (s >> 4 == 0xF || s >> 4 == v >> 4) && (s & 0xF == 0xF || s & 0xF == v & 0xF)
    });
    let man = u16::from_le_bytes([sel[4], sel[5]]);
    digits_ok
        && (man == 0xFFFF || man == manufacturer_code(m.manufacturer))
        && (sel[6] == 0xFF || sel[6] == m.version)
        && (sel[7] == 0xFF || sel[7] == m.medium)
}

impl MbusBus {
    pub fn new(cfg: BusConfig) -> Self {
        let state = vec![State { access: 0x10, ..State::default() }; cfg.meters.len()];
        MbusBus {
            cfg,
            state,
            now: Millis(0),
            start: None,
            rx: RxBuffer::new(usize::MAX),
            out: Vec::new(),
            collisions: 0,
        }
    }

    /// Seconds since the bus was first spoken to.
    fn seconds(&self) -> u64 {
        self.now.since(self.start.unwrap_or(self.now)) / 1000
    }

    /// The records of meter `k`, telegram `part` (0 or 1), and whether more follow.
    fn records(&self, k: usize, part: usize) -> (Vec<u8>, bool) {
        let m = &self.cfg.meters[k];
        let s = self.seconds();
        let t = DateTime::from_unix(1_796_083_200 + s as i64);
        let y = t.year.saturating_sub(2000) as u8;
        let f = [t.minute, t.hour, t.day | (y & 0x07) << 5, t.month | (y >> 3) << 4];
        let mut r = Vec::new();
        let mut rec = |head: &[u8], data: &[u8]| {
            r.extend_from_slice(head);
            r.extend_from_slice(data);
        };
        if m.medium == 0x07 {
            rec(&[0x04, 0x13], &(56_789 + s as u32 * 2).to_le_bytes());
            rec(&[0x02, 0x3B], &(if s % 6 < 3 { 480u16 } else { 0 }).to_le_bytes());
            rec(&[0x04, 0x6D], &f);
            return (r, false);
        }
        if part == 0 {
            // Energy kWh, volume 0.01 m³, power W, flow and return °C, time.
            rec(&[0x04, 0x06], &(24_680 + (s / 20) as u32).to_le_bytes());
            rec(&[0x04, 0x14], &(98_765 + s as u32).to_le_bytes());
            rec(&[0x04, 0x2B], &(4_200 + (s % 9) as u32 * 40).to_le_bytes());
            rec(&[0x02, 0x5B], &(68u16 + (s % 4) as u16).to_le_bytes());
            rec(&[0x02, 0x5F], &(42u16 + (s % 3) as u16).to_le_bytes());
            rec(&[0x04, 0x6D], &f);
            r.push(0x1F);
            (r, true)
        } else {
            // The last due day: energy and date at storage 1, the fabrication number.
            rec(&[0x44, 0x06], &24_000u32.to_le_bytes());
            rec(&[0x42, 0x6C], &[0x3F, 0x3C]);
            rec(&[0x0C, 0x78], &[0x21, 0x43, 0x65, 0x87]);
            (r, false)
        }
    }

    /// Meter `k`'s RSP_UD for telegram `part`.
    fn rsp_ud(&mut self, k: usize, part: usize) -> Vec<u8> {
        let m = self.cfg.meters[k].clone();
        let (records, _) = self.records(k, part);
        self.state[k].access = self.state[k].access.wrapping_add(1);
        let mut data = m.id.to_le_bytes().to_vec();
        data.extend_from_slice(&manufacturer_code(m.manufacturer).to_le_bytes());
        data.extend([m.version, m.medium, self.state[k].access, 0x00, 0x00, 0x00]);
        data.extend(records);
        long_frame(0x08, m.primary, 0x72, &data)
    }

    /// The meters a frame to address `a` speaks to.
    fn addressed(&self, a: u8) -> Vec<usize> {
        (0..self.cfg.meters.len())
            .filter(|&k| if a == SELECTED { self.state[k].selected } else { self.cfg.meters[k].primary == a })
            .collect()
    }

    fn on_frame(&mut self, f: &[u8]) {
        match f[0] {
            SHORT => {
                let (c, a) = (f[1], f[2]);
                if c == 0x40 {
                    // SND_NKE: reset the link; to FDh it also ends the selection (EN 13757-3).
                    let all = a == 0xFF;
                    let ks: Vec<usize> = if all { (0..self.state.len()).collect() } else { self.addressed(a) };
                    for &k in &ks {
                        self.state[k].fcb = None;
                        self.state[k].part = 0;
                        self.state[k].last = None;
                        if a == SELECTED {
                            self.state[k].selected = false;
                        }
                    }
                    if !all && ks.len() == 1 {
                        self.out.push(vec![ACK]);
                    }
                } else if c & 0xDF == 0x5B {
                    let ks = self.addressed(a);
                    let [k] = ks[..] else { return };
                    let fcb = c & 0x20 != 0;
                    let st = &self.state[k];
                    // The same bit again: the master missed the reply; the same telegram again.
                    if st.fcb == Some(fcb)
                        && let Some(t) = st.last.clone()
                    {
                        self.out.push(t);
                        return;
                    }
                    let part = match st.fcb {
                        Some(_) if self.records(k, st.part).1 => st.part + 1,
                        _ => 0,
                    };
                    self.state[k].fcb = Some(fcb);
                    self.state[k].part = part;
                    let t = self.rsp_ud(k, part);
                    self.state[k].last = Some(t.clone());
                    self.out.push(t);
                }
            }
            LONG if f.len() >= 17 && f[5] == SELECTED && f[6] == 0x52 && f[4] & 0xDF == 0x53 => {
                let sel = &f[7..15];
                let hits: Vec<usize> =
                    (0..self.cfg.meters.len()).filter(|&k| matches(sel, &self.cfg.meters[k])).collect();
                for (k, st) in self.state.iter_mut().enumerate() {
                    st.selected = hits.contains(&k);
                    if st.selected {
                        st.fcb = None;
                        st.part = 0;
                        st.last = None;
                    }
                }
                match hits.len() {
                    0 => {}
                    1 => self.out.push(vec![ACK]),
                    // Several E5 a few bit times apart: one reads clean, the others garble
                    // the bytes after it (or, when they overlap, the first too).
                    n if self.collisions.is_multiple_of(2) => {
                        self.collisions += 1;
                        self.out.push(vec![ACK, 0xF5, (n as u8) | 0xC0]);
                    }
                    n => {
                        self.collisions += 1;
                        self.out.push(vec![0xE5 ^ 0x1A, 0xF5, (n as u8) | 0xC0]);
                    }
                }
            }
            _ => {}
        }
    }
}

/// How the bus frames what the master sends: a frame starts with a short or
/// long frame's start byte, and less than four bytes from one wait for more.
fn request(b: &[u8]) -> crate::FrameStatus {
    if b[0] != SHORT && b[0] != LONG {
        return crate::FrameStatus::NoMatch;
    }
    match frame::frame(b) {
        crate::FrameStatus::NoMatch if b.len() < 4 => crate::FrameStatus::Incomplete { preamble: 0, needed: None },
        status => status,
    }
}

impl SimulatedMeter for MbusBus {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.start.get_or_insert(now);
        self.rx.push(bytes);
        while let Some((f, _)) = self.rx.next(request) {
            let ok = match f[0] {
                SHORT => f[3] == f[1].wrapping_add(f[2]),
                _ => f[f.len() - 2] == frame::checksum(&f[4..f.len() - 2]) && f[f.len() - 1] == STOP,
            };
            if ok {
                self.on_frame(&f);
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| self.out.remove(0))
    }

    fn line(&self) -> LineSettings {
        LINE
    }
}
