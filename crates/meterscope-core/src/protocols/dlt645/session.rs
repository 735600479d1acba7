//! The DL/T 645 client session, sans-IO.
//!
//! Flows (DL/T 645-2007 clause 7; DL/T 645-1997 clause 4):
//!
//! - **find the meter**: read communication address (13) on the wildcard
//!   address `AAAAAAAAAAAA`; the 93 reply carries the address. DL/T 645-1997
//!   has no such function: the session reads the meter number (C032) on the
//!   wildcard address and takes the address from the reply's address field.
//! - **read identifiers**: read (11 / 01) per identifier; while a reply has the
//!   follow-up flag (D5), read follow-up data (12 with the frame sequence
//!   number SEQ / 02) and join the data.
//! - **read the clock**: date and weekday (04000101 / C010), then time
//!   (04000102 / C011).
//! - **broadcast time sync**: 08 to `999999999999`; no reply comes.
//!
//! Line faults handled here, not in the transport: wake-up bytes before every
//! transmit; replies reassembled from pieces of any size with the core framer
//! ([`frame_status`]); our own transmission echoed back (RS-485 adapters,
//! optical heads) and any other master-to-slave frame ignored; noise skipped;
//! replies from another address ignored with a notice; a reply timeout with
//! retries; bytes of a frame that stop arriving dropped after the inter-byte
//! gap; abnormal replies reported with their error bits named. Every value is
//! reported as soon as it is complete, so a later failure never loses it.
//!
//! Timing defaults follow the transmission rules of DL/T 645-2007: the meter
//! answers within 500 ms (Td) and leaves at most 500 ms between bytes (Tb);
//! the reply timeout adds the wire time of the request.

use std::collections::VecDeque;

use super::dictionary::{self, DiInfo};
use super::dissect;
use super::frame::{Address, Direction, Frame645, Payload, Payload1997, Variant, WAKE_UP, function};
use super::frame::{DataId, frame_status};
use super::value::{self, Format, Shape};
use crate::input::to_hex;
use crate::lang::Lang;
use crate::registry::Options;
use crate::session::{Action, DateTime, LineSettings, Millis, Parity, RxBuffer, Session};

/// Most bytes kept while waiting for a frame to complete (a frame is at most 267).
const RX_LIMIT: usize = 1024;

/// How the session talks to the meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The edition the meter speaks.
    pub variant: Variant,
    /// The line the transport opens (2400 8E1 by default; 1200 for old meters).
    pub line: LineSettings,
    /// `FE` wake-up bytes sent before every frame (0–4).
    pub wake_up: usize,
    /// How long to wait for a reply after the request has left, in ms.
    pub reply_timeout: u64,
    /// Longest silence between two bytes of one frame, in ms.
    pub byte_gap: u64,
    /// Retransmissions after the first attempt.
    pub retries: u8,
    /// Follow-up frames read at most for one identifier.
    pub max_follow_ups: u16,
    /// Quiet time after a broadcast before the next request, in ms.
    pub broadcast_settle: u64,
    /// Language of names and notices.
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            variant: Variant::V2007,
            line: LineSettings::new(2400, 8, Parity::Even, 1),
            wake_up: 4,
            reply_timeout: 1000,
            byte_gap: 500,
            retries: 2,
            max_follow_ups: 255,
            broadcast_settle: 100,
            lang: Lang::En,
        }
    }
}

/// One decoded value of an identifier's data.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Item {
    /// What it is (`phase A`, `maximum demand`, the identifier's name).
    pub label: String,
    /// Machine-readable value (`230.1`, `2024-05-01 12:00`).
    pub value: String,
    /// Unit, empty when the value has none.
    pub unit: String,
    /// A human note (`no data`, a weekday name), when there is one.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub text: Option<String>,
}

/// Why an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No usable reply after every attempt.
    Timeout { attempts: u8 },
    /// The meter answered with the abnormal flag (D6): the error word ERR and the names of its set bits.
    Abnormal { err: u8, bits: Vec<String> },
    /// No meter address is known (finding the meter failed).
    NoMeter,
    /// More follow-up frames than [`Config::max_follow_ups`].
    TooManyFollowUps,
}

/// Something on the line that was not a reply to the request under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Our own request came back (echo of RS-485 adapters and optical heads).
    Echo,
    /// A request from another master, or a frame we did not send.
    ForeignRequest,
    /// A reply from a meter with another address.
    WrongAddress(Address),
    /// A reply that does not answer the request (function or identifier differ).
    Unexpected { control: u8 },
    /// A frame with a wrong checksum or shape (hex of its bytes).
    Garbled(String),
    /// Bytes that are no frame, dropped.
    Junk(usize),
    /// A frame began but its bytes stopped arriving; dropped.
    Incomplete(usize),
    /// A request is sent again (attempt number from 2).
    Retry { attempt: u8 },
}

/// What the DL/T 645 session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dlt645Event {
    /// The meter answered the address request.
    MeterFound(Address),
    /// An identifier's data, decoded. `complete` is false when a follow-up
    /// frame failed and only the data received so far is reported.
    Value {
        di: u32,
        /// `00010000` or `9010`.
        canonical: String,
        name: String,
        data: Vec<u8>,
        items: Vec<Item>,
        frames: u16,
        complete: bool,
    },
    /// Date and time read from the meter.
    Clock(DateTime),
    /// A broadcast time sync was sent with this time.
    TimeBroadcast(DateTime),
    /// An exchange failed; `di` names the identifier when there was one.
    Error { di: Option<u32>, failure: Failure },
    /// A diagnostic about the line.
    Notice(Notice),
    /// Every queued request is finished.
    Done,
}

/// A unit of work, queued in order.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    FindMeter,
    Read(u32, Purpose),
    SyncClock(DateTime),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Plain,
    ClockDate,
    ClockTime,
}

/// The request on the line and what it waits for.
#[derive(Clone, Debug)]
struct Exchange {
    op: Op,
    /// The frame sent, without wake-up bytes (also what an echo looks like).
    frame: Vec<u8>,
    attempt: u8,
    /// When the reply must have begun.
    deadline: Millis,
    /// Data of a read so far, and how many frames brought it.
    data: Vec<u8>,
    frames: u16,
    /// Sequence number of the follow-up frame asked for (2007), when reading follow-ups.
    follow_up: Option<u8>,
}

/// The DL/T 645 master.
#[derive(Debug)]
pub struct Dlt645Session {
    cfg: Config,
    address: Option<Address>,
    queue: VecDeque<Op>,
    current: Option<Exchange>,
    /// After a broadcast: quiet until then.
    quiet_until: Option<Millis>,
    rx: RxBuffer,
    last_rx: Millis,
    clock_date: Option<(u16, u8, u8)>,
    actions: VecDeque<Action>,
    events: VecDeque<Dlt645Event>,
    busy: bool,
}

impl Dlt645Session {
    /// A session for the meter at `address`, or for whichever meter answers when `None`.
    pub fn new(cfg: Config, address: Option<Address>) -> Self {
        Dlt645Session {
            cfg,
            address,
            queue: VecDeque::new(),
            current: None,
            quiet_until: None,
            rx: RxBuffer::new(RX_LIMIT),
            last_rx: Millis(0),
            clock_date: None,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            busy: false,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The meter's address, once known.
    pub fn address(&self) -> Option<Address> {
        self.address
    }

    /// Queue "find the meter" (read address on the wildcard address).
    pub fn find_meter(&mut self, now: Millis) {
        self.enqueue(now, [Op::FindMeter]);
    }

    /// Queue reads of these identifiers (`0x00010000`; 1997: `0x9010`).
    pub fn read(&mut self, now: Millis, dis: &[u32]) {
        self.enqueue(now, dis.iter().map(|&di| Op::Read(di, Purpose::Plain)));
    }

    /// Queue a clock read: date and weekday, then time.
    pub fn read_clock(&mut self, now: Millis) {
        let (date, time) = match self.cfg.variant {
            Variant::V2007 => (0x0400_0101, 0x0400_0102),
            Variant::V1997 => (0xC010, 0xC011),
        };
        self.enqueue(now, [Op::Read(date, Purpose::ClockDate), Op::Read(time, Purpose::ClockTime)]);
    }

    /// Queue a broadcast time sync with `time` (the caller's clock: the core reads none).
    pub fn sync_clock(&mut self, now: Millis, time: DateTime) {
        self.enqueue(now, [Op::SyncClock(time)]);
    }

    /// Forget queued work (the request under way is finished first).
    pub fn cancel(&mut self) {
        self.queue.clear();
    }

    fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.queue.extend(ops);
        self.busy = true;
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.events.push_back(Dlt645Event::Notice(n));
    }

    /// Start the next queued op when nothing is under way.
    fn advance(&mut self, now: Millis) {
        while self.current.is_none() && self.quiet_until.is_none() {
            let Some(op) = self.queue.pop_front() else {
                if self.busy {
                    self.busy = false;
                    self.events.push_back(Dlt645Event::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    fn start(&mut self, now: Millis, op: Op) {
        let frame = match &op {
            Op::FindMeter => match self.cfg.variant {
                Variant::V2007 => Frame645::from_payload(Address::WILDCARD, &Payload::ReadAddressRequest),
                Variant::V1997 => {
                    Frame645::from_payload_1997(Address::WILDCARD, &Payload1997::ReadRequest { di: 0xC032 })
                }
            },
            Op::Read(di, _) => {
                let Some(address) = self.address else {
                    // Find the meter first, then come back to this read (when finding
                    // fails, `fail` ends every queued read with `NoMeter`).
                    self.queue.push_front(op);
                    self.queue.push_front(Op::FindMeter);
                    return;
                };
                self.read_frame(address, *di, None)
            }
            Op::SyncClock(t) => {
                let time = [t.second, t.minute, t.hour, t.day, t.month, (t.year % 100) as u8].map(to_bcd);
                let frame = match self.cfg.variant {
                    Variant::V2007 => Frame645::from_payload(Address::BROADCAST, &Payload::BroadcastTime { time }),
                    Variant::V1997 => {
                        Frame645::from_payload_1997(Address::BROADCAST, &Payload1997::BroadcastTime { time })
                    }
                };
                let bytes = frame.emit();
                let sent = self.transmit(&bytes);
                self.quiet_until = Some(now.after(self.cfg.line.wire_time(sent) + self.cfg.broadcast_settle));
                self.events.push_back(Dlt645Event::TimeBroadcast(*t));
                return;
            }
        };
        let bytes = frame.emit();
        let deadline = self.deadline(now, &bytes);
        self.transmit(&bytes);
        self.current =
            Some(Exchange { op, frame: bytes, attempt: 1, deadline, data: Vec::new(), frames: 0, follow_up: None });
    }

    fn read_frame(&self, address: Address, di: u32, follow_up: Option<u8>) -> Frame645 {
        match (self.cfg.variant, follow_up) {
            (Variant::V2007, None) => {
                Frame645::from_payload(address, &Payload::ReadRequest { di: DataId(di), blocks: None, time: None })
            }
            (Variant::V2007, Some(seq)) => {
                Frame645::from_payload(address, &Payload::ReadFollowUpRequest { di: DataId(di), seq })
            }
            (Variant::V1997, None) => Frame645::from_payload_1997(address, &Payload1997::ReadRequest { di: di as u16 }),
            (Variant::V1997, Some(_)) => {
                Frame645::from_payload_1997(address, &Payload1997::ReadFollowUpRequest { di: di as u16 })
            }
        }
    }

    fn deadline(&self, now: Millis, frame: &[u8]) -> Millis {
        now.after(self.cfg.line.wire_time(frame.len() + self.cfg.wake_up) + self.cfg.reply_timeout)
    }

    /// Queue a transmit with the wake-up bytes; returns its length.
    fn transmit(&mut self, frame: &[u8]) -> usize {
        let mut out = vec![WAKE_UP; self.cfg.wake_up.min(4)];
        out.extend_from_slice(frame);
        let n = out.len();
        self.actions.push_back(Action::Transmit(out));
        n
    }

    /// Send the current request again, or give up.
    fn retry(&mut self, now: Millis) {
        let Some(mut ex) = self.current.take() else { return };
        self.rx.clear();
        if ex.attempt > self.cfg.retries {
            self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 });
            return;
        }
        ex.attempt += 1;
        self.notice(Notice::Retry { attempt: ex.attempt });
        ex.deadline = self.deadline(now, &ex.frame);
        let frame = ex.frame.clone();
        self.transmit(&frame);
        self.current = Some(ex);
    }

    /// End the current op with a failure; data already read is still reported.
    fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        let di = match ex.op {
            Op::Read(di, purpose) => {
                if !ex.data.is_empty() {
                    self.report_value(di, purpose, ex.data, ex.frames, false);
                }
                Some(di)
            }
            _ => None,
        };
        self.events.push_back(Dlt645Event::Error { di, failure });
        if ex.op == Op::FindMeter && self.address.is_none() {
            // Nothing that needs an address can go on.
            let queue = std::mem::take(&mut self.queue);
            for op in queue {
                match op {
                    Op::Read(di, _) => {
                        self.events.push_back(Dlt645Event::Error { di: Some(di), failure: Failure::NoMeter })
                    }
                    other => self.queue.push_back(other),
                }
            }
        }
        self.advance(now);
    }

    fn report_value(&mut self, di: u32, purpose: Purpose, data: Vec<u8>, frames: u16, complete: bool) {
        let (name, items) = decode_values(self.cfg.variant, di, &data, self.cfg.lang);
        let canonical = match self.cfg.variant {
            Variant::V2007 => format!("{di:08X}"),
            Variant::V1997 => format!("{:04X}", di as u16),
        };
        let bcd: Vec<u8> = data.iter().map(|&b| from_bcd(b)).collect();
        self.events.push_back(Dlt645Event::Value { di, canonical, name, data, items, frames, complete });
        match purpose {
            // YYMMDDWW, sent WW first.
            Purpose::ClockDate if complete && bcd.len() == 4 => {
                self.clock_date = Some((2000 + u16::from(bcd[3]), bcd[2], bcd[1]));
            }
            // hhmmss, sent ss first.
            Purpose::ClockTime if complete && bcd.len() == 3 => {
                if let Some((year, month, day)) = self.clock_date.take() {
                    let (hour, minute, second) = (bcd[2], bcd[1], bcd[0]);
                    let t = DateTime { year, month, day, hour, minute, second };
                    self.events.push_back(Dlt645Event::Clock(t));
                }
            }
            _ => {}
        }
    }

    /// Frame what has arrived and act on every complete frame.
    fn process_rx(&mut self, now: Millis) {
        while let Some((frame, junk)) = self.rx.next_frame(frame_status, WAKE_UP) {
            if junk > 0 {
                self.notice(Notice::Junk(junk));
            }
            self.on_frame(now, &frame);
        }
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let frame = match Frame645::parse(bytes) {
            Ok(f) => f,
            Err(_) => {
                self.notice(Notice::Garbled(to_hex(bytes)));
                // A damaged reply: ask again at once rather than wait for the timeout.
                if self.current.is_some() {
                    self.retry(now);
                }
                return;
            }
        };
        if frame.control.direction() == Direction::MasterToSlave {
            let echo = self.current.as_ref().is_some_and(|ex| ex.frame == bytes);
            self.notice(if echo { Notice::Echo } else { Notice::ForeignRequest });
            return;
        }
        let Some(ex) = self.current.take() else {
            self.notice(Notice::Unexpected { control: frame.control.0 });
            return;
        };
        let expected_fn = match &ex.op {
            Op::FindMeter if self.cfg.variant == Variant::V2007 => function::READ_ADDRESS,
            Op::FindMeter => function::READ_1997,
            Op::Read(..) => match (self.cfg.variant, ex.follow_up.is_some()) {
                (Variant::V2007, false) => function::READ,
                (Variant::V2007, true) => function::READ_FOLLOW_UP,
                (Variant::V1997, false) => function::READ_1997,
                (Variant::V1997, true) => function::READ_FOLLOW_UP_1997,
            },
            Op::SyncClock(_) => 0xFF,
        };
        if ex.op != Op::FindMeter
            && let Some(a) = self.address
            && frame.address != a
        {
            self.current = Some(ex);
            self.notice(Notice::WrongAddress(frame.address));
            return;
        }
        if frame.control.function() != expected_fn {
            self.current = Some(ex);
            self.notice(Notice::Unexpected { control: frame.control.0 });
            return;
        }
        if frame.control.is_abnormal() {
            let err = frame.data.first().copied().unwrap_or(0);
            let bits = error_bit_names(self.cfg.variant, bytes, self.cfg.lang);
            self.fail(now, ex, Failure::Abnormal { err, bits });
            return;
        }
        match self.cfg.variant {
            Variant::V2007 => self.on_reply_2007(now, ex, &frame),
            Variant::V1997 => self.on_reply_1997(now, ex, &frame),
        }
    }

    fn on_reply_2007(&mut self, now: Millis, ex: Exchange, frame: &Frame645) {
        match (frame.payload(), &ex.op) {
            (Ok(Payload::ReadAddressReply { address }), Op::FindMeter) => self.found(now, address),
            (Ok(Payload::ReadReply { di, data, follow }), Op::Read(want, _)) if di.0 == *want => {
                self.read_data(now, ex, data, follow)
            }
            (Ok(Payload::ReadFollowUpReply { di, data, seq, follow }), Op::Read(want, _))
                if di.0 == *want && Some(seq) == ex.follow_up =>
            {
                self.read_data(now, ex, data, follow)
            }
            _ => {
                self.current = Some(ex);
                self.notice(Notice::Unexpected { control: frame.control.0 });
            }
        }
    }

    fn on_reply_1997(&mut self, now: Millis, ex: Exchange, frame: &Frame645) {
        match (frame.payload_1997(), &ex.op) {
            (Ok(Payload1997::ReadReply { .. }), Op::FindMeter) => self.found(now, frame.address),
            (
                Ok(Payload1997::ReadReply { di, data, follow } | Payload1997::ReadFollowUpReply { di, data, follow }),
                Op::Read(want, _),
            ) if u32::from(di) == *want => self.read_data(now, ex, data, follow),
            _ => {
                self.current = Some(ex);
                self.notice(Notice::Unexpected { control: frame.control.0 });
            }
        }
    }

    fn found(&mut self, now: Millis, address: Address) {
        self.address = Some(address);
        self.events.push_back(Dlt645Event::MeterFound(address));
        self.advance(now);
    }

    /// A read reply or follow-up reply: keep the data, ask for more or report.
    fn read_data(&mut self, now: Millis, mut ex: Exchange, data: Vec<u8>, follow: bool) {
        let Op::Read(di, purpose) = ex.op else { return };
        ex.data.extend(data);
        ex.frames += 1;
        if !follow {
            self.report_value(di, purpose, ex.data, ex.frames, true);
            self.advance(now);
            return;
        }
        if ex.frames > self.cfg.max_follow_ups {
            self.fail(now, ex, Failure::TooManyFollowUps);
            return;
        }
        let Some(address) = self.address else { return };
        let seq = ex.frames.min(255) as u8;
        ex.follow_up = Some(seq);
        ex.frame = self.read_frame(address, di, Some(seq)).emit();
        ex.attempt = 1;
        ex.deadline = self.deadline(now, &ex.frame);
        let frame = ex.frame.clone();
        self.transmit(&frame);
        self.current = Some(ex);
    }
}

impl Session for Dlt645Session {
    type Event = Dlt645Event;

    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.rx.push(bytes);
        self.last_rx = now;
        self.process_rx(now);
    }

    fn handle_timeout(&mut self, now: Millis) {
        // A frame that stopped arriving.
        if !self.rx.is_empty() && now.since(self.last_rx) >= self.cfg.byte_gap {
            let n = self.rx.len();
            self.rx.clear();
            self.notice(Notice::Incomplete(n));
        }
        if let Some(t) = self.quiet_until
            && now >= t
        {
            self.quiet_until = None;
            self.advance(now);
        }
        if let Some(ex) = &self.current
            && now >= ex.deadline
            && self.rx.is_empty()
        {
            self.retry(now);
        }
    }

    fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Millis> {
        // While a frame is arriving the reply deadline waits: only the gap between bytes counts.
        let line = if self.rx.is_empty() {
            self.current.as_ref().map(|ex| ex.deadline)
        } else {
            Some(self.last_rx.after(self.cfg.byte_gap))
        };
        [line, self.quiet_until].into_iter().flatten().min()
    }

    fn poll_event(&mut self) -> Option<Dlt645Event> {
        self.events.pop_front()
    }

    fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty() && self.quiet_until.is_none()
    }
}

fn to_bcd(v: u8) -> u8 {
    ((v / 10 % 10) << 4) | (v % 10)
}

fn from_bcd(b: u8) -> u8 {
    (b >> 4) * 10 + (b & 0x0F)
}

/// The names of the error bits set in an abnormal reply, taken from the
/// dissector so the words are the same everywhere.
fn error_bit_names(variant: Variant, frame: &[u8], lang: Lang) -> Vec<String> {
    let opts = Options { lang, ..Options::default() };
    let f = dissect::dissect(variant, frame, 0, &opts).render(lang);
    let Some(path) = f.tree.find_path("dlt645.data.err") else { return Vec::new() };
    let Some(node) = f.tree.at_path(&path) else { return Vec::new() };
    node.children.iter().filter_map(|c| c.text.clone()).collect()
}

/// The name of an identifier and its data as labelled values, by the dictionary.
/// Unknown identifiers give one raw value.
pub fn decode_values(variant: Variant, di: u32, data: &[u8], lang: Lang) -> (String, Vec<Item>) {
    let info = match variant {
        Variant::V2007 => dictionary::lookup(di),
        Variant::V1997 => dictionary::lookup_1997(di as u16),
    };
    let Some(info) = info else {
        let label = lang.pick("data", "数据").to_string();
        return (String::new(), vec![Item { label, value: to_hex(data), unit: String::new(), text: None }]);
    };
    let name = info.name(lang).to_string();
    (name, items_of(&info, data, lang))
}

fn item(label: String, format: &Format, bytes: &[u8], lang: Lang) -> Item {
    let d = value::decode(format, bytes, lang);
    let numeric = matches!(format.shape, Shape::Number { .. }) && d.text.is_none() && d.issue.is_none();
    let unit = if numeric { format.unit.to_string() } else { String::new() };
    Item { label, value: d.value, unit, text: d.text }
}

fn items_of(info: &DiInfo, data: &[u8], lang: Lang) -> Vec<Item> {
    let mut out = Vec::new();
    let one_field = info.fields.len() == 1;
    let raw = |bytes: &[u8], out: &mut Vec<Item>| {
        if !bytes.is_empty() {
            let label = lang.pick("more data", "其余数据").to_string();
            out.push(Item { label, value: to_hex(bytes), unit: String::new(), text: None });
        }
    };
    match info.items {
        Some(items) => {
            let item_len: usize = info.fields.iter().map(|f| usize::from(f.format.len)).sum();
            if item_len == 0 || info.fields.iter().any(|f| f.format.len == 0) {
                raw(data, &mut out);
                return out;
            }
            let count = (data.len() / item_len).min(items.max().unwrap_or(usize::MAX));
            for i in 0..count {
                let chunk = &data[i * item_len..(i + 1) * item_len];
                let label = items.label(i, lang);
                let mut pos = 0;
                for f in &info.fields {
                    let len = usize::from(f.format.len);
                    let l = if one_field { label.clone() } else { format!("{label}: {}", f.name(lang)) };
                    out.push(item(l, &f.format, &chunk[pos..pos + len], lang));
                    pos += len;
                }
            }
            raw(&data[count * item_len..], &mut out);
        }
        None => {
            let mut pos = 0;
            for f in &info.fields {
                let left = data.len() - pos;
                if left == 0 {
                    break;
                }
                let len = if f.format.len == 0 { left } else { usize::from(f.format.len).min(left) };
                let label = if one_field { info.name(lang).to_string() } else { f.name(lang).to_string() };
                out.push(item(label, &f.format, &data[pos..pos + len], lang));
                pos += len;
            }
            raw(&data[pos..], &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
    use crate::session::{Rng, SimulatedMeter};

    /// Line faults the harness injects.
    #[derive(Clone, Debug, Default)]
    struct Faults {
        /// Our transmissions come back to us.
        echo: bool,
        /// Random bytes before every reply.
        noise: bool,
        /// A reply from another meter before every reply.
        wrong_address: bool,
        /// The first reply arrives with a wrong checksum.
        corrupt_first: bool,
        /// Meter replies (counted from 0) that never arrive.
        drop: Vec<usize>,
        /// Every meter reply from this one on is lost.
        silence_from: Option<usize>,
        /// Replies trickle in: 3 bytes at a time, this many ms apart.
        trickle: Option<u64>,
    }

    /// Who a piece of bytes is on its way to.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum To {
        Session,
        Meter,
    }

    /// The session and the simulated meter on a virtual clock, like quinn-proto's `Pair`.
    struct Pair {
        now: Millis,
        session: Dlt645Session,
        meter: Dlt645Meter,
        rng: Rng,
        faults: Faults,
        replies: usize,
        /// Bytes in flight: when they arrive, where, what.
        flight: Vec<(Millis, To, Vec<u8>)>,
        events: Vec<Dlt645Event>,
        transmits: usize,
    }

    impl Pair {
        fn new(seed: u64, cfg: Config, meter: MeterConfig, address: Option<Address>, faults: Faults) -> Self {
            Pair {
                now: Millis(1_000),
                session: Dlt645Session::new(cfg, address),
                meter: Dlt645Meter::new(meter),
                rng: Rng::new(seed),
                faults,
                replies: 0,
                flight: Vec::new(),
                events: Vec::new(),
                transmits: 0,
            }
        }

        fn simple(seed: u64, faults: Faults) -> Self {
            let address = Some(MeterConfig::default().address);
            Pair::new(seed, Config::default(), MeterConfig::default(), address, faults)
        }

        /// Send `bytes` to `to` starting at `at`, in random pieces a few ms apart.
        fn send(&mut self, at: Millis, to: To, bytes: &[u8]) {
            let mut t = at;
            let mut rest = bytes;
            let trickle = self.faults.trickle.filter(|_| to == To::Session);
            while !rest.is_empty() {
                let n = if trickle.is_some() { 3 } else { self.rng.range(1, 24) as usize }.min(rest.len());
                self.flight.push((t, to, rest[..n].to_vec()));
                rest = &rest[n..];
                t = t.after(trickle.unwrap_or_else(|| self.rng.range(0, 30)));
            }
        }

        fn pump(&mut self) {
            while let Some(a) = self.session.poll_action() {
                if let Action::Transmit(bytes) = a {
                    self.transmits += 1;
                    if self.faults.echo {
                        self.send(self.now, To::Session, &bytes);
                    }
                    let arrive = self.now.after(self.session.config().line.wire_time(bytes.len()));
                    self.flight.push((arrive, To::Meter, bytes));
                }
            }
            while let Some(reply) = self.meter.poll_transmit() {
                let k = self.replies;
                self.replies += 1;
                if self.faults.drop.contains(&k) || self.faults.silence_from.is_some_and(|s| k >= s) {
                    continue;
                }
                let mut at = self.now.after(self.rng.range(20, 200));
                if self.faults.noise {
                    let junk: Vec<u8> = (0..self.rng.range(1, 6)).map(|_| self.rng.range(0, 255) as u8).collect();
                    self.send(at, To::Session, &junk);
                    at = at.after(40);
                }
                if self.faults.wrong_address {
                    let mut f = Frame645::parse(&reply).unwrap();
                    f.address = Address([0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
                    self.send(at, To::Session, &f.emit());
                    at = at.after(self.session.config().line.wire_time(reply.len()) + 10);
                }
                let mut bytes = reply;
                if self.faults.corrupt_first && k == 0 {
                    let n = bytes.len();
                    bytes[n - 2] ^= 0x5A;
                }
                self.send(at, To::Session, &bytes);
            }
            while let Some(e) = self.session.poll_event() {
                self.events.push(e);
            }
        }

        /// Run until the session is idle and nothing is in flight.
        fn run(&mut self) {
            for _ in 0..100_000 {
                self.pump();
                if self.session.is_idle() && self.flight.is_empty() {
                    return;
                }
                let next_flight = self.flight.iter().map(|f| f.0).min();
                let next = [next_flight, self.session.poll_timeout()].into_iter().flatten().min();
                let Some(next) = next else { panic!("stuck: nothing in flight and no timeout") };
                self.now = self.now.max(next);
                // Deliver what is due, in order of arrival.
                self.flight.sort_by_key(|f| f.0);
                while self.flight.first().is_some_and(|f| f.0 <= self.now) {
                    let (_, to, bytes) = self.flight.remove(0);
                    match to {
                        To::Session => self.session.handle_input(self.now, &bytes),
                        To::Meter => self.meter.handle_input(self.now, &bytes),
                    }
                    self.pump();
                }
                if self.session.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.session.handle_timeout(self.now);
                }
            }
            panic!("the session did not finish");
        }

        fn values(&self) -> Vec<(u32, Vec<u8>)> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt645Event::Value { di, data, complete: true, .. } => Some((*di, data.clone())),
                    _ => None,
                })
                .collect()
        }

        fn errors(&self) -> Vec<(Option<u32>, Failure)> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt645Event::Error { di, failure } => Some((*di, failure.clone())),
                    _ => None,
                })
                .collect()
        }

        fn notices(&self) -> Vec<Notice> {
            self.events
                .iter()
                .filter_map(|e| match e {
                    Dlt645Event::Notice(n) => Some(n.clone()),
                    _ => None,
                })
                .collect()
        }
    }

    const TEN: [u32; 10] = [
        0x0001_0000,
        0x0001_FF00,
        0x0002_0000,
        0x0201_FF00,
        0x0202_0100,
        0x0203_0000,
        0x0206_0000,
        0x0280_0002,
        0x0400_0401,
        0x0400_0402,
    ];

    /// What the meter holds for `di` (its readings vary with time only for variables).
    fn expected(di: u32) -> Vec<u8> {
        Dlt645Meter::new(MeterConfig::default()).data_2007(di, Millis(0)).unwrap()
    }

    #[test]
    fn reads_a_list_in_random_pieces() {
        for seed in 0..20 {
            let mut p = Pair::simple(seed, Faults::default());
            p.session.read(p.now, &TEN);
            p.run();
            let values = p.values();
            assert_eq!(values.iter().map(|v| v.0).collect::<Vec<_>>(), TEN, "seed {seed}");
            for (di, data) in &values {
                if di >> 24 != 0x02 {
                    assert_eq!(data, &expected(*di), "{di:08X}");
                }
            }
            assert!(p.errors().is_empty(), "{:?}", p.errors());
            assert_eq!(p.events.last(), Some(&Dlt645Event::Done));
            assert_eq!(p.transmits, 10);
        }
    }

    #[test]
    fn values_carry_names_and_units() {
        let mut p = Pair::simple(1, Faults::default());
        p.session.read(p.now, &[0x0001_FF00, 0x0201_0100]);
        p.run();
        let Some(Dlt645Event::Value { canonical, name, items, .. }) = p.events.first() else { panic!() };
        assert_eq!(canonical, "0001FF00");
        assert!(name.starts_with("Forward active energy"), "{name}");
        assert_eq!(items.len(), 5);
        assert_eq!((items[0].label.as_str(), items[0].unit.as_str()), ("total", "kWh"));
        let total: f64 = items[0].value.parse().unwrap();
        let sum: f64 = items[1..].iter().map(|i| i.value.parse::<f64>().unwrap()).sum();
        assert!((total - sum).abs() < 0.005);
        let Some(Dlt645Event::Value { items, .. }) = p.events.get(1) else { panic!() };
        assert_eq!(items[0].unit, "V");
    }

    #[test]
    fn follow_up_frames() {
        let meter = MeterConfig { max_data: 16, ..MeterConfig::default() };
        let address = Some(meter.address);
        for seed in 0..5 {
            let mut p =
                Pair::new(seed, Config::default(), meter.clone(), address, Faults { echo: true, ..Faults::default() });
            p.session.read(p.now, &[0x0001_FF00, 0x0400_04FF, 0x0400_0401]);
            p.run();
            let frames: Vec<u16> = p
                .events
                .iter()
                .filter_map(|e| match e {
                    Dlt645Event::Value { frames, .. } => Some(*frames),
                    _ => None,
                })
                .collect();
            assert_eq!(frames[0], 2, "20 bytes in frames of 16");
            assert!(frames[1] > 5, "the parameter block takes {} frames", frames[1]);
            assert_eq!(frames[2], 1);
            let values = p.values();
            assert_eq!(values[0].1, expected(0x0001_FF00));
            assert_eq!(values[1].1, expected(0x0400_04FF));
            assert!(p.errors().is_empty());
        }
    }

    #[test]
    fn echo_is_ignored() {
        let mut p = Pair::simple(3, Faults { echo: true, ..Faults::default() });
        p.session.read(p.now, &TEN);
        p.run();
        assert_eq!(p.values().len(), 10);
        assert_eq!(p.notices().iter().filter(|n| **n == Notice::Echo).count(), 10);
        assert!(p.errors().is_empty());
        assert_eq!(p.transmits, 10, "no retries");
    }

    #[test]
    fn timeout_then_retry() {
        let mut p = Pair::simple(4, Faults { drop: vec![0, 2, 3], ..Faults::default() });
        let start = p.now;
        p.session.read(p.now, &[0x0001_0000, 0x0002_0000]);
        p.run();
        assert_eq!(p.values().len(), 2);
        let retries: Vec<_> = p.notices().into_iter().filter(|n| matches!(n, Notice::Retry { .. })).collect();
        assert_eq!(retries, [Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 2 }, Notice::Retry { attempt: 3 }]);
        assert_eq!(p.transmits, 5);
        // Three timeouts of about a second each, on the virtual clock.
        assert!(p.now.since(start) > 3_000 && p.now.since(start) < 6_000, "{}", p.now.since(start));
    }

    #[test]
    fn a_slow_reply_is_waited_for_and_a_stalled_one_dropped() {
        // 20+ bytes, 3 every 300 ms: the reply outlasts the 1 s timeout but never pauses 500 ms.
        let mut p = Pair::simple(12, Faults { trickle: Some(300), ..Faults::default() });
        p.session.read(p.now, &[0x0001_FF00]);
        p.run();
        assert_eq!(p.values().len(), 1);
        assert_eq!(p.transmits, 1, "no retry while bytes keep coming");
        // 600 ms pauses: every attempt's frame is dropped as incomplete, then the read fails.
        let mut p = Pair::simple(13, Faults { trickle: Some(600), ..Faults::default() });
        p.session.read(p.now, &[0x0001_0000]);
        p.run();
        assert!(p.notices().iter().any(|n| matches!(n, Notice::Incomplete(_))));
        assert_eq!(p.errors(), [(Some(0x0001_0000), Failure::Timeout { attempts: 3 })]);
    }

    #[test]
    fn random_bytes_never_break_either_side() {
        let mut rng = Rng::new(99);
        let mut session = Dlt645Session::new(Config::default(), None);
        let mut meter = Dlt645Meter::new(MeterConfig::default());
        session.read(Millis(0), &TEN);
        let mut now = Millis(0);
        let mut dones = 0;
        for round in 0..3000u64 {
            let len = rng.range(0, 40) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.range(0, 255) as u8).collect();
            if round % 7 == 0 {
                // Mostly valid frames with a byte changed.
                let req = Payload::ReadRequest { di: DataId(TEN[(round % 10) as usize]), blocks: None, time: None };
                bytes = Frame645::from_payload(meter.address(), &req).emit();
                let k = rng.range(0, bytes.len() as u64 - 1) as usize;
                bytes[k] = rng.range(0, 255) as u8;
            }
            now = now.after(rng.range(0, 400));
            session.handle_input(now, &bytes);
            meter.handle_input(now, &bytes);
            if session.poll_timeout().is_some_and(|t| t <= now) {
                session.handle_timeout(now);
            }
            while session.poll_action().is_some() {}
            while let Some(e) = session.poll_event() {
                dones += usize::from(e == Dlt645Event::Done);
            }
            while meter.poll_transmit().is_some() {}
        }
        // Every read ends one way or another: idle, "done" said once.
        for _ in 0..100 {
            let Some(t) = session.poll_timeout() else { break };
            session.handle_timeout(t);
        }
        while let Some(e) = session.poll_event() {
            dones += usize::from(e == Dlt645Event::Done);
        }
        assert!(session.is_idle());
        assert_eq!(dones, 1, "the queued work ended once");
    }

    #[test]
    fn a_failure_keeps_what_was_read() {
        // The meter falls silent after the first reply: one value, then timeouts.
        let mut p = Pair::simple(5, Faults { silence_from: Some(1), ..Faults::default() });
        p.session.read(p.now, &[0x0001_0000, 0x0002_0000, 0x0003_0000]);
        p.run();
        assert_eq!(p.values(), [(0x0001_0000, expected(0x0001_0000))]);
        assert_eq!(
            p.errors(),
            [
                (Some(0x0002_0000), Failure::Timeout { attempts: 3 }),
                (Some(0x0003_0000), Failure::Timeout { attempts: 3 })
            ]
        );
        assert_eq!(p.events.last(), Some(&Dlt645Event::Done));
        // A follow-up frame lost for good: the data so far is reported, marked incomplete.
        let meter = MeterConfig { max_data: 8, ..MeterConfig::default() };
        let faults = Faults { silence_from: Some(2), ..Faults::default() };
        let mut p = Pair::new(6, Config::default(), meter.clone(), Some(meter.address), faults);
        p.session.read(p.now, &[0x0001_FF00]);
        p.run();
        let partial = p.events.iter().find_map(|e| match e {
            Dlt645Event::Value { data, frames, complete: false, .. } => Some((data.len(), *frames)),
            _ => None,
        });
        assert_eq!(partial, Some((16, 2)));
        assert_eq!(p.errors(), [(Some(0x0001_FF00), Failure::Timeout { attempts: 3 })]);
    }

    #[test]
    fn wrong_address_noise_and_garbage() {
        let faults = Faults { wrong_address: true, noise: true, corrupt_first: true, ..Faults::default() };
        for seed in 0..10 {
            let mut p = Pair::simple(seed, faults.clone());
            p.session.read(p.now, &TEN[..4]);
            p.run();
            assert_eq!(p.values().len(), 4, "seed {seed}: {:?}", p.events);
            assert!(p.errors().is_empty(), "seed {seed}: {:?}", p.errors());
            let notices = p.notices();
            let wrong = Notice::WrongAddress(Address([0x01, 0, 0, 0, 0, 0]));
            assert!(notices.iter().filter(|n| **n == wrong).count() >= 4, "{notices:?}");
            assert!(notices.iter().any(|n| matches!(n, Notice::Garbled(_))));
        }
    }

    #[test]
    fn finds_the_meter_first() {
        let mut p =
            Pair::new(7, Config::default(), MeterConfig::default(), None, Faults { echo: true, ..Faults::default() });
        p.session.read(p.now, &[0x0400_0402]);
        p.run();
        let address = MeterConfig::default().address;
        assert_eq!(
            p.events.iter().find(|e| matches!(e, Dlt645Event::MeterFound(_))),
            Some(&Dlt645Event::MeterFound(address))
        );
        assert_eq!(p.session.address(), Some(address));
        assert_eq!(p.values().len(), 1);
        // No meter on the line: the read fails with NoMeter after the address request times out.
        let faults = Faults { silence_from: Some(0), ..Faults::default() };
        let mut p = Pair::new(8, Config::default(), MeterConfig::default(), None, faults);
        p.session.read(p.now, &[0x0400_0402, 0x0001_0000]);
        p.run();
        assert_eq!(
            p.errors(),
            [
                (None, Failure::Timeout { attempts: 3 }),
                (Some(0x0400_0402), Failure::NoMeter),
                (Some(0x0001_0000), Failure::NoMeter)
            ]
        );
    }

    #[test]
    fn clock_read_and_broadcast_sync() {
        let mut p = Pair::simple(9, Faults { echo: true, ..Faults::default() });
        p.session.read_clock(p.now);
        p.run();
        let clock = p.events.iter().find_map(|e| match e {
            Dlt645Event::Clock(t) => Some(*t),
            _ => None,
        });
        let meter_now = p.meter.clock(p.now);
        let read = clock.expect("a clock event");
        assert!(meter_now.to_unix() - read.to_unix() <= 2, "{read} vs {meter_now}");
        let t = DateTime { year: 2026, month: 1, day: 31, hour: 23, minute: 59, second: 30 };
        p.session.sync_clock(p.now, t);
        p.session.read_clock(p.now);
        let start = p.now;
        p.run();
        assert!(p.events.contains(&Dlt645Event::TimeBroadcast(t)));
        let read = p.events.iter().rev().find_map(|e| match e {
            Dlt645Event::Clock(t) => Some(*t),
            _ => None,
        });
        let read = read.unwrap();
        assert!(read >= t && read.to_unix() - t.to_unix() <= 2 + (p.now.since(start) / 1000) as i64, "{read}");
        assert!(p.errors().is_empty());
    }

    #[test]
    fn abnormal_replies_name_their_bits() {
        let mut p = Pair::simple(10, Faults::default());
        p.session.read(p.now, &[0x0001_0000, 0x7777_7777, 0x0002_0000]);
        p.run();
        assert_eq!(p.values().len(), 2);
        let bits = vec!["no requested data".to_string()];
        assert_eq!(p.errors(), [(Some(0x7777_7777), Failure::Abnormal { err: 0x02, bits })]);
        assert_eq!(p.transmits, 3, "an abnormal reply is not retried");
    }

    #[test]
    fn dlt645_1997() {
        let cfg = Config { variant: Variant::V1997, ..Config::default() };
        let meter = MeterConfig { max_data: 8, ..MeterConfig::default() };
        let mut p = Pair::new(11, cfg, meter, None, Faults { echo: true, ..Faults::default() });
        p.session.read(p.now, &[0x9010, 0x901F, 0xB611]);
        p.session.read_clock(p.now);
        p.run();
        assert!(p.events.contains(&Dlt645Event::MeterFound(MeterConfig::default().address)));
        let values = p.values();
        assert_eq!(values.iter().map(|v| v.0).collect::<Vec<_>>(), [0x9010, 0x901F, 0xB611, 0xC010, 0xC011]);
        assert_eq!(values[1].1.len(), 20, "total and four tariffs over follow-up frames");
        assert_eq!(values[0].1, values[1].1[..4]);
        assert!(p.events.iter().any(|e| matches!(e, Dlt645Event::Clock(_))));
        assert!(p.errors().is_empty(), "{:?}", p.errors());
    }
}
