//! The wired M-Bus master (EN 13757-2/-3), sans-IO: find the meters on a
//! bus and read them.
//!
//! - **Scan by primary address**: `SND_NKE` to each address of a range; a
//!   meter answers `E5`, and is then asked `REQ_UD2` for its header
//!   (identification number, manufacturer, version, medium).
//! - **Scan by secondary address** (wildcard search): `SND_UD` with CI 52h
//!   to address FDh selects the meters whose identification number matches
//!   a mask (`F` digits match any); no answer means none, `E5` exactly one,
//!   garbled bytes several answering at once, so the search fixes one more
//!   digit and asks again.
//! - **Read** a meter by primary or secondary address: `SND_NKE` (or the
//!   selection), then `REQ_UD2` with the frame count bit toggled for each
//!   telegram while the meter says "more records follow" (DIF 1Fh); a
//!   repetition keeps the bit, so the meter sends the same telegram again.
//!
//! A reply must begin within 330 bit times plus 50 ms of the request's end
//! (EN 13757-2); each request is tried up to `1 + retries` times. Replies
//! are read with the family's dissector, so a reading is what the decoder
//! shows for the same bytes.

use std::collections::VecDeque;

use super::frame::{self, ACK, LONG, SHORT, STOP};
use super::link;
use super::readings::{self, Header, Record};
use crate::FrameStatus;
use crate::lang::Lang;
use crate::registry::Keys;
use crate::session::{Action, Dissect, LineSettings, LineTime, Millis, Parity, RxBuffer, Session};
use crate::wire::hex as hex_upper;

/// The usual M-Bus line: 2400 Bd 8E1.
pub const LINE: LineSettings = LineSettings::new(2400, 8, Parity::Even, 1);

/// Address of the selected meter (secondary addressing).
pub const SELECTED: u8 = 0xFD;
/// Broadcast without reply.
pub const BROADCAST: u8 = 0xFF;

/// C fields of the master.
const SND_NKE: u8 = 0x40;
const SND_UD: u8 = 0x53;
const REQ_UD2: u8 = 0x5B;
const FCB: u8 = 0x20;
/// CI of the secondary address selection.
const CI_SELECT: u8 = 0x52;

/// A meter's secondary address: identification number (8 BCD digits),
/// manufacturer, version, medium; as a mask, `F` digits and `FF`/`FFFF`
/// bytes match anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secondary {
    /// The identification number as 8 digits, most significant first; 0xF matches any.
    pub id: [u8; 8],
    pub manufacturer: u16,
    pub version: u8,
    pub medium: u8,
}

impl Secondary {
    /// Everything: `FFFFFFFF FFFF FF FF`.
    pub const ANY: Secondary = Secondary { id: [0xF; 8], manufacturer: 0xFFFF, version: 0xFF, medium: 0xFF };

    /// From text: 8 digits (F or * for any), optionally followed by the
    /// manufacturer (3 letters or 4 hex digits), version and medium in hex.
    pub fn parse(text: &str) -> Option<Secondary> {
        let parts: Vec<&str> = text.split(['.', ' ', ':', '-']).filter(|s| !s.is_empty()).collect();
        let digits = parts.first()?;
        if digits.len() != 8 {
            return None;
        }
        let mut id = [0xF; 8];
        for (d, c) in id.iter_mut().zip(digits.chars()) {
            *d = match c {
                '0'..='9' => c as u8 - b'0',
                'f' | 'F' | '*' => 0xF,
                _ => return None,
            };
        }
        let mut s = Secondary { id, ..Secondary::ANY };
        if let Some(m) = parts.get(1) {
            s.manufacturer = if m.len() == 3 && m.chars().all(|c| c.is_ascii_alphabetic()) {
                let b = m.to_ascii_uppercase().into_bytes();
                b.iter().fold(0u16, |acc, &c| (acc << 5) | u16::from((c - 64) & 0x1F))
            } else {
                u16::from_str_radix(m, 16).ok()?
            };
        }
        if let Some(v) = parts.get(2) {
            s.version = u8::from_str_radix(v, 16).ok()?;
        }
        if let Some(m) = parts.get(3) {
            s.medium = u8::from_str_radix(m, 16).ok()?;
        }
        Some(s)
    }

    /// The 8 bytes of a selection: ID (BCD, least significant byte first), M, version, medium.
    pub fn bytes(&self) -> [u8; 8] {
        let d = &self.id;
        let m = self.manufacturer.to_le_bytes();
        [d[6] << 4 | d[7], d[4] << 4 | d[5], d[2] << 4 | d[3], d[0] << 4 | d[1], m[0], m[1], self.version, self.medium]
    }

    /// The whole address as [`Secondary::parse`] reads it: `12345678 MSC 01 04`
    /// (`FFFF` for any manufacturer).
    pub fn text(&self) -> String {
        let m = self.manufacturer;
        let letters: String = [10, 5, 0].iter().map(|s| char::from(((m >> s) & 0x1F) as u8 + 64)).collect();
        let man =
            if m == 0xFFFF || !letters.chars().all(|c| c.is_ascii_uppercase()) { format!("{m:04X}") } else { letters };
        format!("{} {man} {:02X} {:02X}", self.id_text(), self.version, self.medium)
    }

    /// The identification number as text, `F` for any digit.
    pub fn id_text(&self) -> String {
        self.id.iter().map(|d| char::from_digit(u32::from(*d), 16).unwrap_or('?').to_ascii_uppercase()).collect()
    }
}

/// The meter a read asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Primary(u8),
    Secondary(Secondary),
}

impl Target {
    /// `5` (primary 0–250), or 8 digits with optional M, version, medium (secondary).
    pub fn parse(text: &str) -> Option<Target> {
        let t = text.trim();
        if let Ok(a) = t.parse::<u8>() {
            return (a <= 250 || a == 254).then_some(Target::Primary(a));
        }
        Secondary::parse(t).map(Target::Secondary)
    }
}

/// How the master works.
#[derive(Clone, Debug)]
pub struct MbusConfig {
    pub line: LineSettings,
    /// Tries after the first for each request.
    pub retries: u8,
    /// Extra milliseconds a reply may take to begin, beyond the standard's
    /// 330 bit times plus 50 ms (level converters, radio bridges).
    pub extra_wait: u64,
    /// Telegrams read at most while the meter says more follow.
    pub max_telegrams: usize,
    /// The language of readings.
    pub lang: Lang,
}

impl Default for MbusConfig {
    fn default() -> Self {
        MbusConfig { line: LINE, retries: 2, extra_wait: 0, max_telegrams: 16, lang: Lang::En }
    }
}

/// A telegram read from a meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MbusTelegram {
    /// The address it was asked at (FDh: the selected meter).
    pub address: u8,
    /// 1 for the first telegram of a read.
    pub index: usize,
    pub meter: Header,
    pub records: Vec<Record>,
    /// The meter has more records (DIF 1Fh): the master asks again.
    pub more: bool,
    pub valid: bool,
    pub problems: Vec<String>,
    pub bytes: Vec<u8>,
}

/// A meter found by a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The primary address it answered at, or FDh for one found by secondary address.
    pub address: u8,
    /// Its secondary address (from its header).
    pub secondary: Option<Secondary>,
    pub meter: Header,
}

/// Things worth knowing that are not failures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MbusNotice {
    /// Bytes that were no frame, skipped.
    Junk(usize),
    /// No (complete) reply in time; the request is sent again.
    Retry { attempt: u8 },
    /// Several meters answered a selection at once.
    Collision { mask: String },
    /// A frame that answers nothing asked (hex).
    Unexpected(String),
    /// A reply with a wrong checksum, discarded as the standard says (the
    /// request is repeated): stated, computed.
    BadChecksum { stated: u8, computed: u8 },
    /// The read stopped at the most telegrams asked for; the meter has more.
    TelegramLimit { read: usize },
}

/// Failures of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MbusError {
    /// No answer from this address after every try.
    NoReply { address: u8 },
    /// No meter answered the selection.
    NotSelected { mask: String },
    /// The meter's reply is no telegram of data (hex).
    BadReply(String),
}

impl MbusError {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            MbusError::NoReply { address } => pick(
                lang,
                format!("no reply from address {address} after every try"),
                format!("地址 {address} 多次重试后无应答"),
            ),
            MbusError::NotSelected { mask } => {
                pick(lang, format!("no meter answered the selection {mask}"), format!("没有表计响应选择 {mask}"))
            }
            MbusError::BadReply(hex) => {
                pick(lang, format!("the reply is no data telegram: {hex}"), format!("应答不是数据报文：{hex}"))
            }
        }
    }
}

impl MbusNotice {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            MbusNotice::Junk(n) => crate::session::words::junk(*n, lang),
            MbusNotice::Retry { attempt } => pick(
                lang,
                format!("no reply in time; trying again ({attempt})"),
                format!("应答超时，重试（第 {attempt} 次）"),
            ),
            MbusNotice::Collision { mask } => pick(
                lang,
                format!("several meters answered {mask}: narrowing the search"),
                format!("多个表计同时响应 {mask}：缩小搜索范围"),
            ),
            MbusNotice::BadChecksum { stated, computed } => pick(
                lang,
                format!("reply with a wrong checksum {stated:02X} (computed {computed:02X}) discarded"),
                format!("应答校验和错误 {stated:02X}（计算值 {computed:02X}），已丢弃"),
            ),
            MbusNotice::TelegramLimit { read } => pick(
                lang,
                format!("stopped after {read} telegram(s); the meter has more records"),
                format!("已读 {read} 帧后停止；电表还有更多记录"),
            ),
            MbusNotice::Unexpected(hex) => {
                pick(lang, format!("unexpected frame skipped: {hex}"), format!("跳过意外的帧：{hex}"))
            }
        }
    }
}

fn pick(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// What the master reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MbusEvent {
    /// Scan progress: `done` of `total` addresses (or selections) asked.
    Progress {
        done: usize,
        total: usize,
    },
    Found(Found),
    Telegram(MbusTelegram),
    Notice(MbusNotice),
    Error(MbusError),
    /// The operation ended (after its last telegram, error or cancel).
    Done,
}

/// What a request waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// `E5`.
    Ack,
    /// `RSP_UD`.
    Data,
}

/// The operation under way.
#[derive(Clone, Debug)]
enum Op {
    /// Primary scan: the next address to ask, the last one.
    Primary { next: u16, last: u8, first: u8, asking_data: bool },
    /// Secondary scan: masks still to try; when a meter is selected, its data is asked.
    Secondary { masks: Vec<Secondary>, tried: usize, selected: Option<Secondary> },
    /// Read: the target, whether the link was reset / selected, the telegram count.
    Read { target: Target, ready: bool, index: usize },
}

/// The M-Bus master.
#[derive(Debug)]
pub struct MbusSession {
    cfg: MbusConfig,
    dissect: Dissect,
    op: Option<Op>,
    rx: RxBuffer,
    /// The request in flight: bytes, what it waits for, tries so far, deadline.
    pending: Option<(Vec<u8>, Expect, u8, Millis)>,
    /// A selection was acknowledged; the line must stay quiet a moment
    /// (several meters answering at once can still read as one clean E5).
    acked: bool,
    fcb: bool,
    time: Option<LineTime>,
    actions: VecDeque<Action>,
    events: VecDeque<MbusEvent>,
}

/// The stream framer of a master: a frame's first bytes on a line are a
/// frame beginning, and a frame whose shape holds (start, lengths, stop) is
/// taken whole even when its checksum fails, so that its data bytes are
/// never read as frames of their own (an `E5` inside it as an acknowledgement).
fn frame_stream(b: &[u8]) -> FrameStatus {
    let complete = |len| FrameStatus::Complete { preamble: 0, len };
    match b {
        [SHORT] | [LONG] | [LONG, _] => FrameStatus::Incomplete { preamble: 0, needed: None },
        [SHORT, _, _, _, STOP, ..] => complete(5),
        [LONG, l1, l2, LONG, ..] if l1 == l2 && *l1 >= 3 => {
            let total = usize::from(*l1) + frame::OVERHEAD;
            match b.get(total - 1) {
                None => FrameStatus::Incomplete { preamble: 0, needed: Some(total - b.len()) },
                Some(&STOP) => complete(total),
                Some(_) => FrameStatus::NoMatch,
            }
        }
        _ => frame::frame(b),
    }
}

/// `10 C A CS 16`.
pub fn short_frame(c: u8, a: u8) -> Vec<u8> {
    vec![SHORT, c, a, c.wrapping_add(a), STOP]
}

/// `68 L L 68 C A CI data CS 16`.
pub fn long_frame(c: u8, a: u8, ci: u8, data: &[u8]) -> Vec<u8> {
    let l = (3 + data.len()) as u8;
    let mut f = vec![LONG, l, l, LONG, c, a, ci];
    f.extend_from_slice(data);
    f.push(frame::checksum(&f[4..]));
    f.push(STOP);
    f
}

/// The family's dissector, rendered.
pub fn dissect_mbus(bytes: &[u8], lang: Lang, _: &Keys) -> Option<crate::view::Frame> {
    Some(link::dissect(bytes, 0).render(lang))
}

impl MbusSession {
    /// A master reading replies with the family's dissector.
    pub fn new(cfg: MbusConfig) -> Self {
        MbusSession::with_dissector(cfg, dissect_mbus)
    }

    /// A master reading replies with `dissect` (a host's decoder).
    pub fn with_dissector(cfg: MbusConfig, dissect: Dissect) -> Self {
        MbusSession {
            cfg,
            dissect,
            op: None,
            rx: RxBuffer::new(300),
            pending: None,
            acked: false,
            fcb: true,
            time: None,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &MbusConfig {
        &self.cfg
    }

    /// Line time of the last operation.
    pub fn line_time(&self) -> Option<LineTime> {
        self.time
    }

    /// How long a reply may take to begin after a request's last byte.
    pub fn reply_timeout(&self) -> u64 {
        (330 * 1000u64).div_ceil(u64::from(self.cfg.line.baud.max(1))) + 50 + self.cfg.extra_wait
    }

    fn begin(&mut self, now: Millis, op: Op) {
        self.op = Some(op);
        self.pending = None;
        self.acked = false;
        self.rx.clear();
        self.time = Some(LineTime::start(self.cfg.line, now));
        self.next(now);
    }

    /// Find meters at primary addresses `first..=last`.
    pub fn scan_primary(&mut self, now: Millis, first: u8, last: u8) {
        let last = last.min(250);
        self.begin(now, Op::Primary { next: u16::from(first), last, first, asking_data: false });
    }

    /// Find meters by secondary address, starting from `mask` (`ANY` for all).
    pub fn scan_secondary(&mut self, now: Millis, mask: Secondary) {
        self.begin(now, Op::Secondary { masks: vec![mask], tried: 0, selected: None });
    }

    /// Read every telegram of a meter.
    pub fn read(&mut self, now: Millis, target: Target) {
        self.begin(now, Op::Read { target, ready: false, index: 0 });
    }

    fn send(&mut self, now: Millis, bytes: Vec<u8>, expect: Expect, tries: u8) {
        // Serial adapters hand bytes over in chunks: the reply's beginning
        // may come up to 32 characters late.
        let deadline = now.after(self.cfg.line.wire_time(bytes.len() + 32) + self.reply_timeout());
        if let Some(t) = &mut self.time {
            t.sent(bytes.len());
        }
        self.actions.push_back(Action::Transmit(bytes.clone()));
        self.pending = Some((bytes, expect, tries, deadline));
    }

    fn req_ud2(&mut self, now: Millis, a: u8) {
        let c = if self.fcb { REQ_UD2 | FCB } else { REQ_UD2 };
        self.send(now, short_frame(c, a), Expect::Data, 1);
    }

    fn select(&mut self, now: Millis, s: &Secondary) {
        self.send(now, long_frame(SND_UD, SELECTED, CI_SELECT, &s.bytes()), Expect::Ack, 1);
    }

    fn finish(&mut self) {
        self.op = None;
        self.pending = None;
        self.events.push_back(MbusEvent::Done);
    }

    /// Send the next request of the operation, or end it.
    fn next(&mut self, now: Millis) {
        let Some(op) = self.op.take() else { return };
        match op {
            Op::Primary { next, last, first, asking_data } => {
                if asking_data {
                    self.op = Some(Op::Primary { next, last, first, asking_data });
                    self.req_ud2(now, next as u8);
                } else if next > u16::from(last) {
                    self.finish();
                } else {
                    self.op = Some(Op::Primary { next, last, first, asking_data });
                    self.send(now, short_frame(SND_NKE, next as u8), Expect::Ack, 1);
                }
            }
            Op::Secondary { masks, tried, selected } => {
                if selected.is_some() {
                    self.op = Some(Op::Secondary { masks, tried, selected });
                    self.req_ud2(now, SELECTED);
                } else if let Some(&m) = masks.last() {
                    self.op = Some(Op::Secondary { masks, tried, selected });
                    self.select(now, &m);
                } else {
                    self.finish();
                }
            }
            Op::Read { target, ready, index } => {
                self.op = Some(Op::Read { target, ready, index });
                match (target, ready) {
                    (Target::Primary(a), false) => self.send(now, short_frame(SND_NKE, a), Expect::Ack, 1),
                    (Target::Secondary(s), false) => self.select(now, &s),
                    (Target::Primary(a), true) => self.req_ud2(now, a),
                    (Target::Secondary(_), true) => self.req_ud2(now, SELECTED),
                }
            }
        }
    }

    /// A reply (a frame, or `None`: every try timed out; `Some(garbled)`: bytes that are no frame).
    fn on_reply(&mut self, now: Millis, reply: Reply) {
        let Some((_, expect, _, _)) = self.pending.take() else { return };
        let Some(op) = self.op.take() else { return };
        match op {
            Op::Primary { next, last, first, asking_data } => {
                let total = usize::from(last).saturating_sub(usize::from(first)) + 1;
                let done = usize::from(next).saturating_sub(usize::from(first)) + 1;
                let a = next as u8;
                match (asking_data, reply) {
                    (false, Reply::Frame(f)) if f == [ACK] => {
                        // Found: ask its header (a fresh link: FCB starts at 1).
                        self.fcb = true;
                        self.op = Some(Op::Primary { next, last, first, asking_data: true });
                    }
                    (true, Reply::Frame(f)) => {
                        let t = self.telegram(a, 1, &f);
                        self.events.push_back(MbusEvent::Found(Found {
                            address: a,
                            secondary: secondary_of(&t.meter),
                            meter: t.meter,
                        }));
                        self.events.push_back(MbusEvent::Progress { done, total });
                        self.op = Some(Op::Primary { next: next + 1, last, first, asking_data: false });
                    }
                    (true, _) => {
                        // It acknowledged but sent no data: found, header unknown.
                        self.events.push_back(MbusEvent::Found(Found {
                            address: a,
                            secondary: None,
                            meter: Header::default(),
                        }));
                        self.events.push_back(MbusEvent::Progress { done, total });
                        self.op = Some(Op::Primary { next: next + 1, last, first, asking_data: false });
                    }
                    (false, _) => {
                        self.events.push_back(MbusEvent::Progress { done, total });
                        self.op = Some(Op::Primary { next: next + 1, last, first, asking_data: false });
                    }
                }
            }
            Op::Secondary { mut masks, tried, selected } => match (selected, reply) {
                (Some(_), Reply::Frame(f)) if expect == Expect::Data => {
                    let t = self.telegram(SELECTED, 1, &f);
                    self.events.push_back(MbusEvent::Found(Found {
                        address: SELECTED,
                        secondary: secondary_of(&t.meter),
                        meter: t.meter,
                    }));
                    self.op = Some(Op::Secondary { masks, tried, selected: None });
                }
                // The selected meter's data did not come clean: more than one was selected.
                (Some(m), _) => {
                    self.narrow(&mut masks, m);
                    self.op = Some(Op::Secondary { masks, tried, selected: None });
                }
                (None, reply) => {
                    let Some(m) = masks.pop() else {
                        self.finish();
                        return;
                    };
                    let tried = tried + 1;
                    match reply {
                        Reply::Frame(f) if f == [ACK] => {
                            self.fcb = true;
                            self.op = Some(Op::Secondary { masks, tried, selected: Some(m) });
                        }
                        Reply::Garbled | Reply::Frame(_) => {
                            self.narrow(&mut masks, m);
                            self.op = Some(Op::Secondary { masks, tried, selected: None });
                        }
                        Reply::Timeout => self.op = Some(Op::Secondary { masks, tried, selected: None }),
                    }
                    if let Some(Op::Secondary { masks, tried, .. }) = &self.op {
                        self.events.push_back(MbusEvent::Progress { done: *tried, total: tried + masks.len() });
                    }
                }
            },
            Op::Read { target, ready, index } => {
                let a = match target {
                    Target::Primary(a) => a,
                    Target::Secondary(_) => SELECTED,
                };
                match (ready, reply) {
                    (false, Reply::Frame(f)) if f == [ACK] => {
                        self.fcb = true;
                        self.op = Some(Op::Read { target, ready: true, index });
                    }
                    (false, Reply::Timeout) => {
                        self.events.push_back(MbusEvent::Error(match target {
                            Target::Primary(a) => MbusError::NoReply { address: a },
                            Target::Secondary(s) => MbusError::NotSelected { mask: s.id_text() },
                        }));
                        self.finish();
                    }
                    (false, Reply::Garbled | Reply::Frame(_)) => {
                        if let Target::Secondary(s) = target {
                            self.events.push_back(MbusEvent::Notice(MbusNotice::Collision { mask: s.id_text() }));
                        }
                        self.events.push_back(MbusEvent::Error(MbusError::NotSelected {
                            mask: match target {
                                Target::Secondary(s) => s.id_text(),
                                Target::Primary(a) => a.to_string(),
                            },
                        }));
                        self.finish();
                    }
                    (true, Reply::Frame(f)) if f.first() == Some(&LONG) => {
                        let t = self.telegram(a, index + 1, &f);
                        let more = t.more && index + 1 < self.cfg.max_telegrams;
                        let limited = t.more && !more;
                        self.events.push_back(MbusEvent::Telegram(t));
                        if limited {
                            self.events.push_back(MbusEvent::Notice(MbusNotice::TelegramLimit { read: index + 1 }));
                        }
                        if more {
                            self.fcb = !self.fcb;
                            self.op = Some(Op::Read { target, ready, index: index + 1 });
                        } else {
                            self.finish();
                        }
                    }
                    (true, Reply::Frame(f)) => {
                        self.events.push_back(MbusEvent::Error(MbusError::BadReply(hex_upper(&f))));
                        self.finish();
                    }
                    (true, _) => {
                        self.events.push_back(MbusEvent::Error(MbusError::NoReply { address: a }));
                        self.finish();
                    }
                }
            }
        }
        if self.op.is_some() {
            self.next(now);
        }
    }

    /// Several meters answered the selection `m`: fix its first free digit
    /// (each value, 0 first), or, with every digit fixed, give up on it.
    fn narrow(&mut self, masks: &mut Vec<Secondary>, m: Secondary) {
        self.events.push_back(MbusEvent::Notice(MbusNotice::Collision { mask: m.id_text() }));
        if let Some(p) = m.id.iter().position(|&d| d == 0xF) {
            for d in (0..10).rev() {
                let mut n = m;
                n.id[p] = d;
                masks.push(n);
            }
        }
    }

    /// A selection (CI 52h) is waiting for its acknowledgement.
    fn selecting(&self) -> bool {
        matches!(
            self.op,
            Some(Op::Secondary { selected: None, .. } | Op::Read { target: Target::Secondary(_), ready: false, .. })
        ) && self.pending.as_ref().is_some_and(|p| p.1 == Expect::Ack)
    }

    /// A data telegram read with the dissector.
    fn telegram(&self, address: u8, index: usize, f: &[u8]) -> MbusTelegram {
        let Some(v) = (self.dissect)(f, self.cfg.lang, &Keys::default()) else {
            return MbusTelegram {
                address,
                index,
                meter: Header::default(),
                records: Vec::new(),
                more: false,
                valid: false,
                problems: vec![self.cfg.lang.pick("not an M-Bus frame", "不是 M-Bus 帧").to_string()],
                bytes: f.to_vec(),
            };
        };
        let mut more = false;
        v.tree.walk(&mut |n, _| {
            if n.id.starts_with("mbus.special") && f.get(n.span.start) == Some(&0x1F) {
                more = true;
            }
        });
        MbusTelegram {
            address,
            index,
            meter: readings::header(&v.tree),
            records: readings::records(&v.tree),
            more,
            valid: v.valid,
            problems: v.problems(),
            bytes: f.to_vec(),
        }
    }
}

/// What came back for a request.
enum Reply {
    Frame(Vec<u8>),
    /// Bytes that form no frame (meters answering at once).
    Garbled,
    Timeout,
}

/// The stated and computed checksum of a short or long frame that fails it.
fn checksum_error(f: &[u8]) -> Option<(u8, u8)> {
    let (stated, computed) = match f.first() {
        Some(&SHORT) if f.len() == 5 => (f[3], f[1].wrapping_add(f[2])),
        Some(&LONG) if f.len() >= 9 => (f[f.len() - 2], frame::checksum(&f[4..f.len() - 2])),
        _ => return None,
    };
    (stated != computed).then_some((stated, computed))
}

/// A header's secondary address.
fn secondary_of(h: &Header) -> Option<Secondary> {
    let digits: Vec<u8> = h.id.bytes().filter_map(|c| (c as char).to_digit(10).map(|d| d as u8)).collect();
    let id: [u8; 8] = digits.try_into().ok()?;
    let m = h.manufacturer.as_bytes();
    let manufacturer = if m.len() == 3 {
        m.iter().fold(0u16, |acc, &c| (acc << 5) | u16::from(c.saturating_sub(64) & 0x1F))
    } else {
        0xFFFF
    };
    let version =
        u8::from_str_radix(h.version.trim_start_matches("0x"), if h.version.starts_with("0x") { 16 } else { 10 });
    Some(Secondary { id, manufacturer, version: version.unwrap_or(0xFF), medium: h.medium_code.unwrap_or(0xFF) })
}

impl Session for MbusSession {
    type Event = MbusEvent;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if let Some(t) = &mut self.time {
            t.received(now, bytes.len());
        }
        self.rx.push(bytes);
        while let Some((f, junk)) = self.rx.next(frame_stream) {
            if junk > 0 {
                self.events.push_back(MbusEvent::Notice(MbusNotice::Junk(junk)));
            }
            if let Some((stated, computed)) = checksum_error(&f) {
                self.events.push_back(MbusEvent::Notice(MbusNotice::BadChecksum { stated, computed }));
                continue;
            }
            // A selection's E5 counts once the line stays quiet after it; more
            // bytes meanwhile are other meters answering too.
            if self.selecting() {
                if f == [ACK] && !self.acked {
                    self.acked = true;
                    let quiet = now.after(self.cfg.line.wire_time(8) + 100);
                    if let Some(p) = &mut self.pending {
                        p.3 = quiet;
                    }
                } else {
                    self.acked = false;
                    self.rx.clear();
                    self.on_reply(now, Reply::Garbled);
                }
                continue;
            }
            // Whatever frame comes while a request waits is its answer
            // (each operation tells an acknowledgement from data).
            if self.pending.is_some() {
                self.on_reply(now, Reply::Frame(f));
            } else {
                self.events.push_back(MbusEvent::Notice(MbusNotice::Unexpected(hex_upper(&f))));
            }
        }
        // A reply under way has the time its remaining bytes take, and a
        // character gap, to finish arriving (not the quiet after a selection's E5).
        if !self.rx.is_empty() && !self.acked {
            let needed = match frame_stream(self.rx.bytes()) {
                FrameStatus::Incomplete { needed: Some(n), .. } => n,
                _ => 16,
            };
            let until = now.after(self.cfg.line.wire_time(needed) + 50);
            if let Some(p) = &mut self.pending {
                p.3 = p.3.max(until);
            }
        }
    }

    fn handle_timeout(&mut self, now: Millis) {
        let Some((bytes, expect, tries, deadline)) = self.pending.clone() else { return };
        if now < deadline {
            return;
        }
        // Bytes that came but made no frame: several meters at once, or noise.
        let garbled = !self.rx.is_empty() || self.rx.junk() > 0;
        self.rx.clear();
        if std::mem::take(&mut self.acked) {
            self.on_reply(now, if garbled { Reply::Garbled } else { Reply::Frame(vec![ACK]) });
            return;
        }
        let selecting = matches!(
            self.op,
            Some(Op::Secondary { selected: None, .. } | Op::Read { target: Target::Secondary(_), ready: false, .. })
        );
        if garbled && expect == Expect::Ack && selecting {
            self.on_reply(now, Reply::Garbled);
            return;
        }
        // A scan asks each address once: silence there is the usual answer.
        let scanning = matches!(
            self.op,
            Some(Op::Primary { asking_data: false, .. }) | Some(Op::Secondary { selected: None, .. })
        );
        if tries <= self.cfg.retries && !scanning {
            self.events.push_back(MbusEvent::Notice(MbusNotice::Retry { attempt: tries }));
            self.send(now, bytes, expect, tries + 1);
        } else {
            self.on_reply(now, Reply::Timeout);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        self.pending.as_ref().map(|p| p.3)
    }

    fn poll_event(&mut self) -> Option<MbusEvent> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        self.op.is_none() && self.actions.is_empty()
    }

    /// Stop what is under way; `Done` follows.
    fn cancel(&mut self) {
        if self.op.take().is_some() {
            self.pending = None;
            self.acked = false;
            self.events.push_back(MbusEvent::Done);
        }
    }
}
