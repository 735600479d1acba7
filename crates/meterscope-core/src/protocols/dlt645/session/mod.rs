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

use super::dictionary::{self, DiInfo};
use super::dissect;
use super::frame::{Address, Direction, Frame645, Payload, Payload1997, Variant, WAKE_UP, function};
use super::frame::{DataId, frame_status};
use super::value::{self, Format, Shape};
use crate::input::to_hex;
use crate::lang::Lang;
use crate::registry::Options;
#[cfg(test)]
use crate::session::Session;
use crate::session::Value;
use crate::session::{DateTime, Kernel, LineSettings, Machine, Millis, Notices, Parity, Pending, Retry, RxBuffer};

#[cfg(test)]
mod tests;
mod values;

pub use values::decode_values;
use values::{error_bit_names, from_bcd, to_bcd};

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

pub use crate::session::Item;

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

impl Failure {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Failure::Timeout { attempts } => crate::session::words::timeout(*attempts, lang),
            Failure::Abnormal { err, bits } => {
                format!("{} 0x{err:02X}: {}", lang.pick("abnormal reply, ERR", "异常应答，错误字"), bits.join(", "))
            }
            Failure::NoMeter => {
                lang.pick("no meter address (finding the meter failed)", "没有表地址（未找到电表）").into()
            }
            Failure::TooManyFollowUps => lang.pick("too many follow-up frames", "后续帧过多").into(),
        }
    }
}

crate::session::words::english_display!(Failure);

impl Notice {
    /// In words, in a language.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Notice::Echo => crate::session::words::echo(lang),
            Notice::ForeignRequest => lang.pick("a request we did not send, ignored", "忽略非本机发出的请求").into(),
            Notice::WrongAddress(a) if zh => format!("忽略其他电表（{}）的应答", a.digits()),
            Notice::WrongAddress(a) => format!("reply from another meter ({}) ignored", a.digits()),
            Notice::Unexpected { control } if zh => format!("忽略不对应的应答（C=0x{control:02X}）"),
            Notice::Unexpected { control } => format!("unexpected reply (C=0x{control:02X}) ignored"),
            Notice::Garbled(hex) => crate::session::words::garbled(hex, lang),
            Notice::Junk(n) => crate::session::words::junk(*n, lang),
            Notice::Incomplete(n) => crate::session::words::incomplete(*n, lang),
            Notice::Retry { attempt } => crate::session::words::retry(*attempt, lang),
        }
    }
}

crate::session::words::english_display!(Notice);

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

/// What a request on the line waits for.
#[derive(Clone, Debug)]
struct Ask {
    op: Op,
    /// Data of a read so far, and how many frames brought it.
    data: Vec<u8>,
    frames: u16,
    /// Sequence number of the follow-up frame asked for (2007), when reading follow-ups.
    follow_up: Option<u8>,
}

/// The request on the line: its frame (without wake-up bytes, also what an
/// echo looks like), its try and deadline, and what it waits for.
type Exchange = Pending<Ask>;

/// The DL/T 645 master.
#[derive(Debug)]
pub struct Dlt645Session {
    cfg: Config,
    address: Option<Address>,
    /// The queue, the request on the line, received bytes; its hold is the
    /// quiet time after a broadcast.
    k: Kernel<Op, Exchange, Dlt645Event>,
    clock_date: Option<(u16, u8, u8)>,
}

impl Dlt645Session {
    /// A session for the meter at `address`, or for whichever meter answers when `None`.
    pub fn new(cfg: Config, address: Option<Address>) -> Self {
        let mut k = Kernel::new(
            cfg.byte_gap,
            RxBuffer::new(RX_LIMIT),
            Notices {
                junk: |n| Dlt645Event::Notice(Notice::Junk(n)),
                incomplete: |n| Dlt645Event::Notice(Notice::Incomplete(n)),
                retry: |attempt| Dlt645Event::Notice(Notice::Retry { attempt }),
            },
        );
        k.preamble = vec![WAKE_UP; cfg.wake_up.min(4)];
        Dlt645Session { cfg, address, k, clock_date: None }
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

    fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.k.enqueue(ops);
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.k.emit(Dlt645Event::Notice(n));
    }

    /// Start the next queued op when nothing is under way.
    fn advance(&mut self, now: Millis) {
        while self.k.current.is_none() && self.k.hold.is_none() {
            let Some(op) = self.k.queue.pop_front() else {
                if self.k.finish() {
                    self.k.emit(Dlt645Event::Done);
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
                    self.k.queue.push_front(op);
                    self.k.queue.push_front(Op::FindMeter);
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
                let sent = self.k.transmit(&bytes);
                self.k.hold = Some(now.after(self.cfg.line.wire_time(sent) + self.cfg.broadcast_settle));
                self.k.emit(Dlt645Event::TimeBroadcast(*t));
                return;
            }
        };
        let bytes = frame.emit();
        let deadline = self.deadline(now, &bytes);
        self.k.send(bytes, deadline, Ask { op, data: Vec::new(), frames: 0, follow_up: None });
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

    /// End the current op with a failure; data already read is still reported.
    fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        let di = match ex.op {
            Op::Read(di, purpose) => {
                if !ex.data.is_empty() {
                    self.report_value(di, purpose, ex.state.data, ex.state.frames, false);
                }
                Some(di)
            }
            _ => None,
        };
        self.k.emit(Dlt645Event::Error { di, failure });
        if ex.state.op == Op::FindMeter && self.address.is_none() {
            // Nothing that needs an address can go on.
            let queue = std::mem::take(&mut self.k.queue);
            for op in queue {
                match op {
                    Op::Read(di, _) => self.k.emit(Dlt645Event::Error { di: Some(di), failure: Failure::NoMeter }),
                    other => self.k.queue.push_back(other),
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
        self.k.emit(Dlt645Event::Value { di, canonical, name, data, items, frames, complete });
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
                    self.k.emit(Dlt645Event::Clock(t));
                }
            }
            _ => {}
        }
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let frame = match Frame645::parse(bytes) {
            Ok(f) => f,
            Err(_) => {
                self.notice(Notice::Garbled(to_hex(bytes)));
                // A damaged reply: ask again at once rather than wait for the timeout.
                if self.k.current.is_some() {
                    self.retry(now);
                }
                return;
            }
        };
        if frame.control.direction() == Direction::MasterToSlave {
            let echo = self.k.current.as_ref().is_some_and(|ex| ex.frame == bytes);
            self.notice(if echo { Notice::Echo } else { Notice::ForeignRequest });
            return;
        }
        let Some(ex) = self.k.current.take() else {
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
            self.k.current = Some(ex);
            self.notice(Notice::WrongAddress(frame.address));
            return;
        }
        if frame.control.function() != expected_fn {
            self.k.current = Some(ex);
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
                self.k.current = Some(ex);
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
                self.k.current = Some(ex);
                self.notice(Notice::Unexpected { control: frame.control.0 });
            }
        }
    }

    fn found(&mut self, now: Millis, address: Address) {
        self.address = Some(address);
        self.k.emit(Dlt645Event::MeterFound(address));
        self.advance(now);
    }

    /// A read reply or follow-up reply: keep the data, ask for more or report.
    fn read_data(&mut self, now: Millis, mut ex: Exchange, data: Vec<u8>, follow: bool) {
        let Op::Read(di, purpose) = ex.op else { return };
        ex.data.extend(data);
        ex.frames += 1;
        if !follow {
            self.report_value(di, purpose, ex.state.data, ex.state.frames, true);
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
        let frame = self.read_frame(address, di, Some(seq)).emit();
        let deadline = self.deadline(now, &frame);
        self.k.send(frame, deadline, ex.state);
    }
}

impl Machine for Dlt645Session {
    crate::session::kernel_in_k!(Dlt645Event);

    /// Frame what has arrived and act on every complete frame.
    fn process_rx(&mut self, now: Millis) {
        while let Some(frame) = self.k.next_frame(frame_status, WAKE_UP) {
            self.on_frame(now, &frame);
        }
    }

    /// Send the current request again, or give up.
    fn retry(&mut self, now: Millis) {
        match self.k.retry(self.cfg.retries) {
            Retry::Again(ex) => self.k.resend(self.deadline(now, &ex.frame), ex),
            Retry::Spent(ex) => self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 }),
            Retry::Idle => {}
        }
    }

    fn on_resume(&mut self, now: Millis) {
        self.advance(now);
    }
}
