//! The DSMR P1 listening session, sans-IO.
//!
//! The P1 port pushes a telegram `/XXX5 ident CR LF CR LF data lines ! CRC CR LF`
//! every second (DSMR 5; every 10 s in DSMR 4, 2.2 and 3). The session frames
//! telegrams out of the byte stream (pieces of any size, noise before and
//! between them, a telegram cut short by the next `/`), checks the CRC-16/ARC
//! over `/` through `!` (DSMR 4 and 5; DSMR 2.2 and 3 carry none) and reports
//! each telegram's data sets as readings with OBIS names and units.
//!
//! Encrypted telegrams (Luxembourg, Austria: general-glo-ciphering `DB 08
//! title length SC IC ciphertext tag`) are framed by their length and, when
//! [`P1Config::keys`] holds a cipher key, decrypted (suite 0) and their tag
//! checked with the authentication key (the Luxembourg default
//! [`DEFAULT_AK`] when none is given); the plaintext telegram is then handled
//! like a plain one. Encrypted telegrams that cannot be used (no key, tag
//! mismatch) are skipped as [`P1Notice::Junk`] and counted in
//! [`P1Session::encrypted_drops`].
//!
//! Lines: 115200 Bd 8N1 for DSMR 4 and 5, 9600 Bd 7E1 for DSMR 2.2 and 3
//! ([`P1Config::line`]). Nothing is ever transmitted; the consumer may have to
//! raise the request line (RTS/DTR through the cable), which is the only action.

use std::collections::VecDeque;

use super::dissect::DEFAULT_AK;
use super::frame::{self, CR, LF};
use super::session::{Reading, readings};
use crate::lang::Lang;
use crate::protocols::dlms::security::{self, TagStatus};
use crate::registry::FrameStatus;
use crate::registry::Keys;
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
    /// Keys of encrypted telegrams: the cipher key (EK) decrypts, the
    /// authentication key (AK) checks the tag; the system title comes with each telegram.
    pub keys: Keys,
    /// Report encrypted telegrams whose tag does not match too (marked [`P1Tag::Mismatch`]).
    pub accept_bad_tag: bool,
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
            keys: Keys::default(),
            accept_bad_tag: false,
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
    /// Bytes of the telegram (of the encrypted frame, for an encrypted one).
    pub len: usize,
    /// How an encrypted telegram was protected; `None` for a plain one.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub encryption: Option<Encryption>,
}

/// The protection of an encrypted telegram.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Encryption {
    /// The system title, hex (`5341476700000001`).
    pub system_title: String,
    pub invocation_counter: u32,
    pub tag: P1Tag,
}

/// The authentication tag of an encrypted telegram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "kebab-case"))]
pub enum P1Tag {
    /// Verified with the configured authentication key.
    Verified,
    /// Verified with the default authentication key (none was configured).
    VerifiedDefaultKey,
    /// The tag does not match (reported only with [`P1Config::accept_bad_tag`]).
    Mismatch,
    /// The security control byte asks for no authentication.
    None,
}

/// Encrypted telegrams skipped so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncryptedDrops {
    /// No cipher key configured.
    pub no_key: usize,
    /// The tag did not match.
    pub bad_tag: usize,
    /// Decrypted, but no telegram `/…!` inside (wrong key, unsupported suite).
    pub not_telegram: usize,
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
    drops: EncryptedDrops,
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
            drops: EncryptedDrops::default(),
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &P1Config {
        &self.cfg
    }

    /// Encrypted telegrams skipped so far, by reason.
    pub fn encrypted_drops(&self) -> EncryptedDrops {
        self.drops
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
            let Some(start) = self.rx.iter().position(|&c| c == b'/' || c == 0xDB) else {
                let n = self.rx.len();
                self.rx.clear();
                self.junk(n);
                break;
            };
            if start > 0 {
                self.rx.drain(..start);
                self.junk(start);
            }
            if self.rx[0] == 0xDB {
                match frame::frame_dsmr(&self.rx) {
                    FrameStatus::Complete { len, .. } => {
                        let t: Vec<u8> = self.rx.drain(..len).collect();
                        self.flush_junk();
                        self.on_encrypted(now, &t);
                        continue;
                    }
                    FrameStatus::Incomplete { .. } => break,
                    FrameStatus::NoMatch => {
                        self.rx.remove(0);
                        self.junk(1);
                        continue;
                    }
                }
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
            let len = t.len();
            self.on_telegram(now, &t, bang, len, None);
        }
        self.flush_junk();
    }

    /// An encrypted telegram `DB 08 title length SC IC ciphertext tag`, framed.
    fn on_encrypted(&mut self, now: Millis, t: &[u8]) {
        let Some(h) = frame::encrypted_header(t) else { return };
        let at = 10 + h.len_bytes;
        let (sc, total) = (t[at], at + h.length);
        let Some(key) = self.cfg.keys.cipher_key.filter(|_| sc & 0x0F == 0 && total <= t.len()) else {
            if self.cfg.keys.cipher_key.is_none() {
                self.drops.no_key += 1;
            } else {
                self.drops.not_telegram += 1;
            }
            self.junk(t.len());
            self.flush_junk();
            return;
        };
        let ic = u32::from_be_bytes([t[at + 1], t[at + 2], t[at + 3], t[at + 4]]);
        let auth = sc & 0x10 != 0;
        let ct_end = if auth { total.saturating_sub(security::TAG_LEN).max(at + 5) } else { total };
        let tag = auth.then(|| &t[ct_end..total]);
        let (ak, default_ak) = match self.cfg.keys.auth_key {
            Some(k) => (k, false),
            None => (DEFAULT_AK, true),
        };
        let mut title = [0u8; 8];
        title.copy_from_slice(&t[2..10]);
        let (plain, status) = security::open(&key, Some(&ak), &title, sc, ic, &t[at + 5..ct_end], tag);
        let tag = match status {
            TagStatus::Verified if default_ak => P1Tag::VerifiedDefaultKey,
            TagStatus::Verified => P1Tag::Verified,
            TagStatus::NotAuthenticated => P1Tag::None,
            TagStatus::Mismatch(_) | TagStatus::Unverified => P1Tag::Mismatch,
        };
        if tag == P1Tag::Mismatch {
            self.drops.bad_tag += 1;
            if !self.cfg.accept_bad_tag {
                self.junk(t.len());
                self.flush_junk();
                return;
            }
        }
        let bang = match frame::telegram_layout(&plain) {
            Some((frame::TelegramLayout { bang: Some(bang), .. }, _)) => bang,
            _ => {
                self.drops.not_telegram += 1;
                self.junk(t.len());
                self.flush_junk();
                return;
            }
        };
        let system_title = title.iter().map(|b| format!("{b:02X}")).collect();
        let enc = Encryption { system_title, invocation_counter: ic, tag };
        self.on_telegram(now, &plain, bang, t.len(), Some(enc));
    }

    /// A telegram `t` (`/` … `!` CRC CR LF) with its `!` at `bang`; `len` bytes on the line.
    fn on_telegram(&mut self, now: Millis, t: &[u8], bang: usize, len: usize, encryption: Option<Encryption>) {
        let Some(header_end) = t.iter().position(|&c| c == CR || c == LF) else { return };
        let digits = &t[bang + 1..];
        let digits = &digits[..digits.iter().position(|&c| c == CR || c == LF).unwrap_or(digits.len())];
        let crc_ok = if digits.is_empty() {
            None
        } else {
            let computed = crate::wire::crc16_arc(&t[..=bang]);
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
            len,
            encryption,
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

    /// Stop listening.
    fn cancel(&mut self) {
        self.listening = false;
        self.deadline = None;
        self.rx.clear();
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
        feed_from(s, MeterConfig::default(), seconds, seed, noise);
    }

    pub(super) fn feed_from(s: &mut P1Session, cfg: MeterConfig, seconds: u64, seed: u64, noise: bool) {
        let mut meter = P1Meter::new(cfg);
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

#[cfg(test)]
mod encrypted_tests {
    use super::tests::feed_from;
    use super::*;
    use crate::protocols::iec62056::simulator::{P1Config as MeterConfig, P1Encryption};

    /// Three telegrams listened to over four seconds of the meter's noisy stream.
    fn run(cfg: P1Config, meter: MeterConfig, seed: u64) -> (P1Session, Vec<P1Event>) {
        let mut s = P1Session::new(P1Config { count: Some(3), ..cfg });
        s.listen(Millis(0));
        feed_from(&mut s, meter, 4, seed, true);
        let ev = core::iter::from_fn(|| s.poll_event()).collect();
        (s, ev)
    }

    fn telegrams(ev: &[P1Event]) -> Vec<&Telegram> {
        ev.iter()
            .filter_map(|e| match e {
                P1Event::Telegram(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn encrypting(e: &P1Encryption) -> MeterConfig {
        MeterConfig { encryption: Some(e.clone()), ..MeterConfig::default() }
    }

    fn with_keys(ek: [u8; 16], ak: Option<[u8; 16]>) -> P1Config {
        P1Config { keys: Keys { cipher_key: Some(ek), auth_key: ak, system_title: None }, ..P1Config::default() }
    }

    #[test]
    fn encrypted_telegrams_with_keys() {
        let e = P1Encryption { auth_key: *b"not-the-default!", invocation_counter: 100, ..P1Encryption::default() };
        for seed in 0..6 {
            let (s, ev) = run(with_keys(e.cipher_key, Some(e.auth_key)), encrypting(&e), seed);
            let t = telegrams(&ev);
            assert_eq!(t.len(), 3, "seed {seed}: {ev:?}");
            assert_eq!(ev.last(), Some(&P1Event::Done));
            for (k, tg) in t.iter().enumerate() {
                let enc = tg.encryption.as_ref().unwrap();
                assert_eq!(enc.tag, P1Tag::Verified);
                assert_eq!(enc.invocation_counter, 100 + k as u32);
                assert_eq!(enc.system_title, "5341476700000001");
                assert_eq!(tg.crc_ok, Some(true));
                assert_eq!(tg.version.as_deref(), Some("50"));
                assert_eq!(tg.header, "MSC5\\2MS-P1-Sim");
                assert!(tg.len > 18 + 12 + 500);
            }
            assert_eq!(s.encrypted_drops(), EncryptedDrops::default());
        }
        // The default authentication key, not configured.
        let d = P1Encryption::default();
        let (_, ev) = run(with_keys(d.cipher_key, None), encrypting(&d), 1);
        let t = telegrams(&ev);
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|t| t.encryption.as_ref().unwrap().tag == P1Tag::VerifiedDefaultKey));
        // Plain telegrams still arrive with keys configured.
        let (_, ev) = run(with_keys(d.cipher_key, None), MeterConfig::default(), 2);
        assert!(telegrams(&ev).iter().all(|t| t.encryption.is_none()) && telegrams(&ev).len() == 3);
    }

    #[test]
    fn encrypted_telegrams_without_keys_or_with_a_wrong_tag_are_skipped() {
        let e = P1Encryption { auth_key: *b"not-the-default!", ..P1Encryption::default() };
        // No keys: skipped as junk, counted.
        let (s, ev) = run(P1Config::default(), encrypting(&e), 3);
        assert!(telegrams(&ev).is_empty());
        assert!(s.encrypted_drops().no_key >= 3, "{:?}", s.encrypted_drops());
        assert!(ev.iter().any(|e| matches!(e, P1Event::Notice(P1Notice::Junk(n)) if *n > 500)));
        // The default AK against a meter with another one: the tag does not match.
        let (s, ev) = run(with_keys(e.cipher_key, None), encrypting(&e), 4);
        assert!(telegrams(&ev).is_empty());
        assert!(s.encrypted_drops().bad_tag >= 3);
        // Accepted when asked, marked.
        let cfg = P1Config { accept_bad_tag: true, ..with_keys(e.cipher_key, None) };
        let (_, ev) = run(cfg, encrypting(&e), 5);
        let t = telegrams(&ev);
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|t| t.encryption.as_ref().unwrap().tag == P1Tag::Mismatch && t.crc_ok == Some(true)));
        // A wrong cipher key: tag mismatch, and no telegram inside when accepted.
        let cfg = P1Config { accept_bad_tag: true, ..with_keys(*b"wrong-cipher-key", Some(e.auth_key)) };
        let (s, ev) = run(cfg, encrypting(&e), 6);
        assert!(telegrams(&ev).is_empty());
        assert!(s.encrypted_drops().not_telegram >= 3);
    }
}
