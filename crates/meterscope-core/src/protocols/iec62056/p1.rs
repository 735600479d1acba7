//! The DSMR P1 listening session, sans-IO.
//!
//! The P1 port pushes a telegram `/XXX5 ident CR LF CR LF data lines ! CRC CR LF`
//! every second (DSMR 5; every 10 s in DSMR 4, 2.2 and 3). The session frames
//! telegrams out of the byte stream (pieces of any size, noise before and
//! between them, a telegram cut short by the next `/`), checks the CRC-16/ARC
//! over `/` through `!` (DSMR 4 and 5; DSMR 2.2 and 3 carry none) and reports
//! each telegram's data sets as readings with OBIS names and units.
//!
//! Lines: 115200 Bd 8N1 for DSMR 4 and 5, 9600 Bd 7E1 for DSMR 2.2 and 3
//! ([`P1Config::line`]). Nothing is ever transmitted; the consumer may have to
//! raise the request line (RTS/DTR through the cable), which is the only action.

use std::collections::VecDeque;

use super::frame::{self, CR, LF};
use super::session::{Reading, readings};
use crate::lang::Lang;
use crate::session::{Action, LineSettings, Millis, Parity, Session};

/// Which DSMR generation the port speaks: it sets the line and whether a CRC is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsmrLine {
    /// DSMR 4.x and 5.x: 115200 Bd 8N1, CRC.
    V4V5,
    /// DSMR 2.2 and 3.0: 9600 Bd 7E1, no CRC.
    V2V3,
}

/// How the listener is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P1Config {
    pub version: DsmrLine,
    /// Telegrams to receive before the session is done (`None`: until cancelled).
    pub count: Option<usize>,
    /// Longest wait for the next telegram, ms (`None`: no limit).
    pub silence_timeout: Option<u64>,
    /// Longest silence inside a telegram, ms.
    pub byte_gap: u64,
    /// Report telegrams whose CRC is wrong too (marked `crc_ok: Some(false)`).
    pub accept_bad_crc: bool,
    /// Raise DTR and RTS at the start (cables that power the request line from them).
    pub raise_request: bool,
    pub lang: Lang,
}

impl Default for P1Config {
    fn default() -> Self {
        P1Config {
            version: DsmrLine::V4V5,
            count: None,
            silence_timeout: Some(15_000),
            byte_gap: 1_000,
            accept_bad_crc: false,
            raise_request: true,
            lang: Lang::En,
        }
    }
}

impl P1Config {
    /// The line of the configured generation.
    pub fn line(&self) -> LineSettings {
        match self.version {
            DsmrLine::V4V5 => LineSettings::new(115_200, 8, Parity::None, 1),
            DsmrLine::V2V3 => LineSettings::new(9600, 7, Parity::Even, 1),
        }
    }
}

/// One received telegram.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Telegram {
    /// The header line after `/` (`MSC5\2MS-P1-Sim`).
    pub header: String,
    /// The DSMR version of `1-3:0.2.8` (`50` is 5.0), when present.
    pub version: Option<String>,
    /// The timestamp of `0-0:1.0.0`, when present.
    pub timestamp: Option<String>,
    pub readings: Vec<Reading>,
    /// The CRC check: `None` when the telegram carries none.
    pub crc_ok: Option<bool>,
    /// Bytes of the telegram.
    pub len: usize,
}

/// What the listener reports besides telegrams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum P1Notice {
    /// Bytes outside any telegram, skipped.
    Junk(usize),
    /// A telegram with a wrong CRC, dropped (stated, computed).
    BadCrc { stated: u16, computed: u16 },
    /// A telegram cut short (by the next `/` or by silence), dropped.
    Incomplete(usize),
}

/// What the P1 session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum P1Event {
    Telegram(Telegram),
    Notice(P1Notice),
    /// No telegram within the silence timeout; the session stops.
    Silence,
    /// The requested count of telegrams arrived.
    Done,
}

/// The P1 listener.
#[derive(Debug)]
pub struct P1Session {
    cfg: P1Config,
    listening: bool,
    received: usize,
    rx: Vec<u8>,
    last_rx: Millis,
    /// When the next telegram must have begun.
    deadline: Option<Millis>,
    junk: usize,
    actions: VecDeque<Action>,
    events: VecDeque<P1Event>,
}

impl P1Session {
    pub fn new(cfg: P1Config) -> Self {
        P1Session {
            cfg,
            listening: false,
            received: 0,
            rx: Vec::new(),
            last_rx: Millis(0),
            deadline: None,
            junk: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &P1Config {
        &self.cfg
    }

    /// Start listening.
    pub fn listen(&mut self, now: Millis) {
        self.listening = true;
        self.received = 0;
        if self.cfg.raise_request {
            self.actions.push_back(Action::SetDtrRts { dtr: true, rts: true });
        }
        self.deadline = self.cfg.silence_timeout.map(|t| now.after(t));
    }

    /// Stop listening.
    pub fn cancel(&mut self) {
        self.listening = false;
        self.deadline = None;
        self.rx.clear();
    }

    fn junk(&mut self, n: usize) {
        self.junk += n;
    }

    fn flush_junk(&mut self) {
        if self.junk > 0 {
            let n = std::mem::take(&mut self.junk);
            self.events.push_back(P1Event::Notice(P1Notice::Junk(n)));
        }
    }

    /// Frame telegrams at the start of `rx`.
    fn process(&mut self, now: Millis) {
        while self.listening && !self.rx.is_empty() {
            let Some(start) = self.rx.iter().position(|&c| c == b'/') else {
                let n = self.rx.len();
                self.rx.clear();
                self.junk(n);
                break;
            };
            if start > 0 {
                self.rx.drain(..start);
                self.junk(start);
            }
            // A header begins `/XXXZ`: three letters and a baud character.
            let head = &self.rx[1..self.rx.len().min(5)];
            let plausible = head
                .iter()
                .enumerate()
                .all(|(k, c)| if k < 3 { c.is_ascii_alphabetic() } else { c.is_ascii_graphic() });
            if !plausible {
                self.rx.remove(0);
                self.junk(1);
                continue;
            }
            if head.len() < 4 {
                break;
            }
            // The end: `!` at the start of a line, then (CRC) CR LF.
            let b = &self.rx;
            let mut end = None;
            let mut cut = None;
            for i in 1..b.len() {
                if b[i - 1] != LF {
                    continue;
                }
                if b[i] == b'/' {
                    cut = Some(i);
                    break;
                }
                if b[i] == b'!' {
                    end = b[i..].iter().take(8).position(|&c| c == LF).map(|k| (i, i + k + 1));
                    if end.is_none() && b.len() > i + 8 {
                        cut = Some(i + 1);
                    }
                    break;
                }
            }
            if let Some(c) = cut {
                self.rx.drain(..c);
                self.flush_junk();
                self.events.push_back(P1Event::Notice(P1Notice::Incomplete(c)));
                continue;
            }
            let Some((bang, len)) = end else {
                if self.rx.len() > frame::MAX_TELEGRAM {
                    let n = self.rx.len();
                    self.rx.clear();
                    self.events.push_back(P1Event::Notice(P1Notice::Incomplete(n)));
                }
                break;
            };
            let t: Vec<u8> = self.rx.drain(..len).collect();
            self.flush_junk();
            self.on_telegram(now, &t, bang);
        }
        self.flush_junk();
    }

    fn on_telegram(&mut self, now: Millis, t: &[u8], bang: usize) {
        let Some(header_end) = t.iter().position(|&c| c == CR || c == LF) else { return };
        let digits = &t[bang + 1..];
        let digits = &digits[..digits.iter().position(|&c| c == CR || c == LF).unwrap_or(digits.len())];
        let crc_ok = if digits.is_empty() {
            None
        } else {
            let computed = frame::crc16_arc(&t[..=bang]);
            let stated = core::str::from_utf8(digits).ok().and_then(|d| u16::from_str_radix(d, 16).ok());
            match stated {
                Some(s) if s == computed => Some(true),
                other => {
                    self.events.push_back(P1Event::Notice(P1Notice::BadCrc { stated: other.unwrap_or(0), computed }));
                    if !self.cfg.accept_bad_crc {
                        return;
                    }
                    Some(false)
                }
            }
        };
        let readings = readings(t, header_end..bang, self.cfg.lang);
        let find = |code: &str| {
            readings.iter().find(|r| r.obis.as_deref() == Some(code)).and_then(|r| r.value()).map(str::to_string)
        };
        let version = find("1-3:0.2.8*255").or_else(|| find("1-0:0.2.8*255"));
        let timestamp = find("0-0:1.0.0*255");
        let header = String::from_utf8_lossy(&t[1..header_end]).into_owned();
        self.events.push_back(P1Event::Telegram(Telegram {
            header,
            version,
            timestamp,
            readings,
            crc_ok,
            len: t.len(),
        }));
        self.received += 1;
        self.deadline = self.cfg.silence_timeout.map(|s| now.after(s));
        if self.cfg.count.is_some_and(|c| self.received >= c) {
            self.listening = false;
            self.deadline = None;
            self.rx.clear();
            self.events.push_back(P1Event::Done);
        }
    }
}

impl Session for P1Session {
    type Event = P1Event;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if !self.listening || bytes.is_empty() {
            return;
        }
        self.rx.extend_from_slice(bytes);
        self.last_rx = now;
        self.process(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        if !self.rx.is_empty() && now.since(self.last_rx) >= self.cfg.byte_gap {
            let n = self.rx.len();
            self.rx.clear();
            self.events.push_back(P1Event::Notice(P1Notice::Incomplete(n)));
        }
        if self.listening && self.rx.is_empty() && self.deadline.is_some_and(|d| now >= d) {
            self.listening = false;
            self.deadline = None;
            self.events.push_back(P1Event::Silence);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        if !self.rx.is_empty() {
            return Some(self.last_rx.after(self.cfg.byte_gap));
        }
        if self.listening { self.deadline } else { None }
    }

    fn poll_event(&mut self) -> Option<P1Event> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        !self.listening
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::iec62056::simulator::{P1Config as MeterConfig, P1Meter};
    use crate::session::{Rng, SimulatedMeter};

    fn events(s: &mut P1Session) -> Vec<P1Event> {
        core::iter::from_fn(|| s.poll_event()).collect()
    }

    fn telegrams(ev: &[P1Event]) -> Vec<Telegram> {
        ev.iter()
            .filter_map(|e| match e {
                P1Event::Telegram(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    /// The meter's stream for `seconds` seconds, in random pieces with noise between telegrams.
    fn feed(s: &mut P1Session, seconds: u64, seed: u64, noise: bool) {
        let mut meter = P1Meter::new(MeterConfig::default());
        let mut rng = Rng::new(seed);
        for ms in (0..seconds * 1000).step_by(100) {
            let now = Millis(ms);
            meter.handle_input(now, &[]);
            let mut stream = Vec::new();
            if noise && rng.chance(30) {
                stream.extend((0..rng.range(1, 12)).map(|_| rng.range(0, 255) as u8));
            }
            if let Some(t) = meter.poll_transmit() {
                stream.extend(t);
            }
            let mut at = 0;
            while at < stream.len() {
                let n = (rng.range(1, 64) as usize).min(stream.len() - at);
                s.handle_input(now, &stream[at..at + n]);
                at += n;
            }
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
        }
    }

    #[test]
    fn listens_in_pieces_with_noise() {
        for seed in 0..10 {
            let mut s = P1Session::new(P1Config { count: Some(3), ..P1Config::default() });
            s.listen(Millis(0));
            assert_eq!(s.poll_action(), Some(Action::SetDtrRts { dtr: true, rts: true }));
            feed(&mut s, 5, seed, true);
            let ev = events(&mut s);
            let t = telegrams(&ev);
            assert_eq!(t.len(), 3, "seed {seed}: {ev:?}");
            assert_eq!(ev.last(), Some(&P1Event::Done));
            assert!(s.is_idle());
            for tg in &t {
                assert_eq!(tg.crc_ok, Some(true));
                assert_eq!(tg.header, "MSC5\\2MS-P1-Sim");
                assert_eq!(tg.version.as_deref(), Some("50"));
                let get = |code: &str| -> f64 {
                    let r = tg.readings.iter().find(|r| r.obis.as_deref() == Some(code)).unwrap();
                    r.values.last().unwrap().value.parse().unwrap()
                };
                let phases = get("1-0:21.7.0*255") + get("1-0:41.7.0*255") + get("1-0:61.7.0*255");
                assert!((phases - get("1-0:1.7.0*255")).abs() < 0.0005);
                let v = tg.readings.iter().find(|r| r.obis.as_deref() == Some("1-0:32.7.0*255")).unwrap();
                assert_eq!(v.values[0].unit, "V");
                let gas = tg.readings.iter().find(|r| r.obis.as_deref() == Some("0-1:24.2.1*255")).unwrap();
                assert_eq!(gas.values[1].unit, "m3");
                assert!(gas.values[0].text.as_deref().unwrap_or("").contains("summer time"));
            }
            let times: Vec<_> = t.iter().map(|x| x.timestamp.clone().unwrap()).collect();
            assert_eq!(times, ["240517103000S", "240517103001S", "240517103002S"]);
        }
    }

    #[test]
    fn bad_crc_and_cut_telegrams_are_dropped() {
        let meter = P1Meter::new(MeterConfig::default());
        let good = meter.telegram(Millis(0));
        let mut bad = meter.telegram(Millis(1000));
        let k = bad.len() / 2;
        bad[k] ^= 0x01;
        let cut = &meter.telegram(Millis(2000))[..300];
        let mut s = P1Session::new(P1Config::default());
        s.listen(Millis(0));
        let mut stream = Vec::new();
        stream.extend_from_slice(cut);
        stream.extend_from_slice(&bad);
        stream.extend_from_slice(b"garbage/");
        stream.extend_from_slice(&good);
        s.handle_input(Millis(10), &stream);
        let ev = events(&mut s);
        assert_eq!(telegrams(&ev).len(), 1);
        assert!(ev.iter().any(|e| matches!(e, P1Event::Notice(P1Notice::BadCrc { .. }))));
        assert!(ev.iter().any(|e| matches!(e, P1Event::Notice(P1Notice::Incomplete(300)))));
        assert!(ev.iter().any(|e| matches!(e, P1Event::Notice(P1Notice::Junk(_)))));
        // Accepted when asked, marked.
        let mut s = P1Session::new(P1Config { accept_bad_crc: true, ..P1Config::default() });
        s.listen(Millis(0));
        s.handle_input(Millis(10), &bad);
        assert_eq!(telegrams(&events(&mut s))[0].crc_ok, Some(false));
    }

    #[test]
    fn dsmr_3_without_crc_and_silence() {
        let cfg = P1Config { version: DsmrLine::V2V3, count: Some(1), raise_request: false, ..P1Config::default() };
        assert_eq!(cfg.line().to_string(), "9600 7E1");
        let mut s = P1Session::new(cfg);
        s.listen(Millis(0));
        assert_eq!(s.poll_action(), None);
        let t = b"/KMP5 KA6U001585654321\r\n\r\n0-0:96.1.1(204B413655303031353835363534333231)\r\n1-0:1.8.1(00185.000*kWh)\r\n!\r\n";
        for (i, chunk) in t.chunks(7).enumerate() {
            s.handle_input(Millis(i as u64), chunk);
        }
        let ev = events(&mut s);
        let tg = telegrams(&ev);
        assert_eq!(tg.len(), 1, "{ev:?}");
        assert_eq!(tg[0].crc_ok, None);
        assert_eq!(tg[0].readings.len(), 2);
        assert_eq!(tg[0].readings[0].values[0].text.as_deref(), Some("\" KA6U001585654321\""));
        // Nothing arrives: the listener gives up after the silence timeout.
        let mut s = P1Session::new(P1Config::default());
        s.listen(Millis(0));
        assert_eq!(s.poll_timeout(), Some(Millis(15_000)));
        s.handle_timeout(Millis(15_000));
        assert_eq!(events(&mut s), [P1Event::Silence]);
        assert!(s.is_idle());
    }
}
