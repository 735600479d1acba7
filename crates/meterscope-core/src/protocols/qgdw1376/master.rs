//! The Q/GDW 1376.1 session as a master station talking to a terminal
//! (over its local maintenance serial port or TCP), sans-IO.
//!
//! Flows (requests with link function 11, "request class 2 data"; set and
//! control with function 10 and the 16-byte PW; the terminal answers with
//! function 8 and the request's sequence number):
//! - **terminal clock**: AFN 0C F2 (A.1), reported as a date and time;
//! - **configuration**: AFN 09 F1 (vendor, device number, versions);
//! - **class 1 data** of a measurement point: AFN 0C Fn pn (F25 power,
//!   power factor, voltage, current; F33 / F129 energies; any other class
//!   as the dissector reads it);
//! - **class 2 data by date**: AFN 0D Fn pn with the data time Td_d (A.20),
//!   e.g. F161 daily frozen forward active energy;
//! - **events**: AFN 0E F1 (important) or F2 (general) between Pm and Pn;
//! - **relay**: AFN 10 F1 transparent forwarding of a DL/T 645 or DL/T
//!   698.45 frame to a port, the meter's reply decoded by its family's code;
//! - **set the clock** (AFN 05 F31): only when [`Config::allow_control`]
//!   is set, the explicit confirmation that set and control need.
//!
//! A link test from the terminal (AFN 02 F1 login, F2 logout, F3 heartbeat)
//! is answered at once with AFN 00 F1 (link function 11, "link status"),
//! whatever is under way. A multi-frame answer (FIR on the first frame, FIN
//! on the last; RSEQ the request's PSEQ, then counting up) is gathered until
//! its final frame and reported as one answer with the items of every frame. The values of every answer are read by the 1376.1
//! dissector (one grammar), so they carry its labels, units and words.

use super::codec::{Address1, Frame1, c1, seq, unit_id};
use super::concentrator::{Item, MeterValue};
use super::frame::frame_1;
use super::names;
use super::terminal::{PW_AFNS, a1, parse_a1};
use crate::input::to_hex;
use crate::lang::Lang;
use crate::protocols::dlt645::frame::{Address, DataId, Frame645, Payload};
use crate::session::Value;
use crate::session::{DateTime, Kernel, LineSettings, Machine, Millis, Notices, Parity, Pending, Retry, RxBuffer};

const RX_LIMIT: usize = 16_384;

/// How the master station talks to the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub line: LineSettings,
    /// The terminal's region code and address.
    pub terminal: Address1,
    /// The master station address MSA (1–127).
    pub msa: u8,
    pub reply_timeout: u64,
    /// How long a relayed frame may take, in ms.
    pub relay_timeout: u64,
    pub byte_gap: u64,
    pub retries: u8,
    /// Set and control commands may go out (the explicit confirmation).
    pub allow_control: bool,
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            terminal: Address1 { region: 0x1234, terminal: 0x0001, a3: 0 },
            msa: 1,
            reply_timeout: 3000,
            relay_timeout: 10_000,
            byte_gap: 500,
            retries: 1,
            allow_control: false,
            lang: Lang::En,
        }
    }
}

/// Data of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Data {
    pub afn: u8,
    pub pn: u16,
    pub fn_: u16,
    /// What the class is called.
    pub name: String,
    pub items: Vec<Item>,
}

/// Why an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Timeout {
        attempts: u8,
    },
    /// AFN 00 F2: denied.
    Denied,
    /// Link function 9: no data requested.
    NoData,
    /// A set or control command without the explicit confirmation.
    NotConfirmed,
    /// The relayed frame got no reply from the meter.
    NoMeterReply,
    BadReply(String),
}

impl Failure {
    /// The failure in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Failure::Timeout { attempts }, lang) => crate::session::words::timeout(*attempts, lang),
            (Failure::Denied, Lang::En) => "denied by the terminal".into(),
            (Failure::Denied, Lang::Zh) => "终端否认".into(),
            (Failure::NoData, Lang::En) => "the terminal has no such data".into(),
            (Failure::NoData, Lang::Zh) => "终端无所召唤的数据".into(),
            (Failure::NotConfirmed, Lang::En) => "set and control commands need the explicit confirmation".into(),
            (Failure::NotConfirmed, Lang::Zh) => "设置和控制命令需要明确确认".into(),
            (Failure::NoMeterReply, Lang::En) => "the meter did not answer the relayed frame".into(),
            (Failure::NoMeterReply, Lang::Zh) => "电能表未应答转发的帧".into(),
            (Failure::BadReply(h), lang) => crate::session::words::bad_reply(h, lang),
        }
    }
}

crate::session::words::english_display!(Failure);

/// Something on the line that was not the reply awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Echo,
    /// A reply from another terminal (its address).
    WrongAddress(String),
    Unexpected {
        afn: u8,
        seq: u8,
    },
    Garbled(String),
    Junk(usize),
    Incomplete(usize),
    Retry {
        attempt: u8,
    },
}

impl Notice {
    /// The notice in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Notice::Echo, lang) => lang.pick("echo of a downlink frame ignored", "忽略下行帧的回显").into(),
            (Notice::WrongAddress(a), Lang::En) => format!("frame from another terminal ({a}) ignored"),
            (Notice::WrongAddress(a), Lang::Zh) => format!("忽略其他终端（{a}）的帧"),
            (Notice::Unexpected { afn, seq }, Lang::En) => {
                format!("unexpected frame AFN {afn:02X} (SEQ 0x{seq:02X}) ignored")
            }
            (Notice::Unexpected { afn, seq }, Lang::Zh) => format!("忽略意外的帧 AFN {afn:02X}（SEQ 0x{seq:02X}）"),
            (Notice::Garbled(h), lang) => crate::session::words::garbled(h, lang),
            (Notice::Junk(n), lang) => crate::session::words::junk(*n, lang),
            (Notice::Incomplete(n), lang) => crate::session::words::incomplete(*n, lang),
            (Notice::Retry { attempt }, lang) => crate::session::words::retry(*attempt, lang),
        }
    }
}

crate::session::words::english_display!(Notice);

/// What the master station session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MasterEvent {
    Data(Data),
    /// The terminal's clock (AFN 0C F2).
    Clock(DateTime),
    /// The reply a relayed frame brought back (hex), and what it says.
    Relay {
        port: u8,
        frame: String,
        value: Option<MeterValue>,
    },
    /// The terminal confirmed a set or control command.
    Confirmed {
        afn: u8,
        fn_: u16,
    },
    /// A link test from the terminal, answered (1 login, 2 logout, 3 heartbeat).
    LinkTest {
        fn_: u16,
        terminal: String,
    },
    Error {
        what: String,
        failure: Failure,
    },
    Notice(Notice),
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Op {
    afn: u8,
    pn: u16,
    fn_: u16,
    /// Data after DA DT (and before PW).
    data: Vec<u8>,
}

impl Op {
    fn what(&self) -> String {
        format!("AFN {:02X} p{} F{}", self.afn, self.pn, self.fn_)
    }
}

#[derive(Clone, Debug)]
struct Ask {
    op: Op,
    pseq: u8,
    /// Frames of a multi-frame answer so far.
    parts: Vec<Vec<u8>>,
}

/// The request on the line: its frame, its try and deadline, and what it waits for.
type Exchange = Pending<Ask>;

/// The master station side of Q/GDW 1376.1.
#[derive(Debug)]
pub struct MasterSession {
    cfg: Config,
    /// The queue, the request on the line, received bytes.
    k: Kernel<Op, Exchange, MasterEvent>,
    pseq: u8,
    /// PIID of relayed DL/T 698.45 requests.
    piid: u8,
}

impl MasterSession {
    pub fn new(cfg: Config) -> Self {
        let k = Kernel::new(
            cfg.byte_gap,
            RxBuffer::new(RX_LIMIT),
            Notices {
                junk: |n| MasterEvent::Notice(Notice::Junk(n)),
                incomplete: |n| MasterEvent::Notice(Notice::Incomplete(n)),
                retry: |attempt| MasterEvent::Notice(Notice::Retry { attempt }),
            },
        );
        MasterSession { cfg, k, pseq: 0, piid: 0 }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Queue the terminal clock (AFN 0C F2).
    pub fn read_clock(&mut self, now: Millis) {
        self.enqueue(now, Op { afn: 0x0C, pn: 0, fn_: 2, data: Vec::new() });
    }

    /// Queue the terminal's version information (AFN 09 F1).
    pub fn read_config(&mut self, now: Millis) {
        self.enqueue(now, Op { afn: 0x09, pn: 0, fn_: 1, data: Vec::new() });
    }

    /// Queue class 1 data Fn of point pn (AFN 0C).
    pub fn class1(&mut self, now: Millis, pn: u16, fn_: u16) {
        self.enqueue(now, Op { afn: 0x0C, pn, fn_, data: Vec::new() });
    }

    /// Queue class 2 data Fn of point pn for a day (AFN 0D, Td_d: DD MM YY).
    pub fn class2_day(&mut self, now: Millis, pn: u16, fn_: u16, day: DateTime) {
        let td = [day.day, day.month, (day.year % 100) as u8].map(super::codec::bcd).to_vec();
        self.enqueue(now, Op { afn: 0x0D, pn, fn_, data: td });
    }

    /// Queue events (AFN 0E F1 important / F2 general) from pointer `pm` up to `pn`.
    pub fn events(&mut self, now: Millis, important: bool, pm: u8, pn: u8) {
        self.enqueue(now, Op { afn: 0x0E, pn: 0, fn_: if important { 1 } else { 2 }, data: vec![pm, pn] });
    }

    /// Queue a DL/T 645 frame relayed on `port` (AFN 10 F1, 2400 8E1, timeouts 2 s and 500 ms).
    pub fn relay(&mut self, now: Millis, port: u8, frame: &[u8]) {
        let frame = &frame[..frame.len().min(1024)];
        // Control word: 2400 bit/s (3 << 5), 1 stop bit, parity on and even, 8 data bits.
        let mut data = vec![port, 3 << 5 | 0x08 | 0x03, 0x80 | 2, 50];
        data.extend_from_slice(&(frame.len() as u16).to_le_bytes());
        data.extend_from_slice(frame);
        self.enqueue(now, Op { afn: 0x10, pn: 0, fn_: 1, data });
    }

    /// Queue a relayed DL/T 645-2007 read of `di` from the meter at `meter`.
    pub fn relay_read(&mut self, now: Millis, port: u8, meter: Address, di: u32) {
        let req = Frame645::from_payload(meter, &Payload::ReadRequest { di: DataId(di), blocks: None, time: None });
        self.relay(now, port, &req.emit());
    }

    /// Queue a relayed DL/T 698.45 GET-Request-Normal of `oad` from the meter
    /// whose server address is `meter` (wire order, lowest digits first).
    pub fn relay_get_698(&mut self, now: Millis, port: u8, meter: [u8; 6], oad: u32) {
        use crate::protocols::dlt698::emit::{Apdu, oad as make_oad};
        use crate::protocols::dlt698::link::FrameRepr;
        self.piid = (self.piid + 1) % 64;
        let apdu = Apdu::GetNormal { piid: self.piid, oad: make_oad(oad), time_tag: None };
        let req = FrameRepr { control: 0x43, af: 0x05, sa: meter.to_vec(), ca: 0x10, user_data: apdu.emit() };
        self.relay(now, port, &req.emit());
    }

    /// Queue setting the terminal clock (AFN 05 F31): refused unless [`Config::allow_control`].
    pub fn set_clock(&mut self, now: Millis, t: DateTime) {
        if !self.cfg.allow_control {
            self.k.begin();
            let what = Op { afn: 0x05, pn: 0, fn_: 31, data: Vec::new() }.what();
            self.k.emit(MasterEvent::Error { what, failure: Failure::NotConfirmed });
            self.advance(now);
            return;
        }
        self.enqueue(now, Op { afn: 0x05, pn: 0, fn_: 31, data: a1(&t).to_vec() });
    }

    fn enqueue(&mut self, now: Millis, op: Op) {
        self.k.enqueue([op]);
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.k.emit(MasterEvent::Notice(n));
    }

    fn advance(&mut self, now: Millis) {
        while self.k.current.is_none() {
            let Some(op) = self.k.queue.pop_front() else {
                if self.k.finish() {
                    self.k.emit(MasterEvent::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    fn address(&self) -> Address1 {
        Address1 { a3: (self.cfg.msa & 0x7F) << 1, ..self.cfg.terminal }
    }

    fn start(&mut self, now: Millis, op: Op) {
        let control_fn = matches!(op.afn, 0x04 | 0x05).then_some(c1::CLASS1).unwrap_or(c1::CLASS2);
        let pseq = self.pseq;
        self.pseq = (self.pseq + 1) & 0x0F;
        let con = if matches!(op.afn, 0x04 | 0x05) { seq::CON } else { 0 };
        let mut data = unit_id(op.pn, op.fn_).to_vec();
        data.extend_from_slice(&op.data);
        if PW_AFNS.contains(&op.afn) {
            data.extend_from_slice(&[0; 16]);
        }
        let f = Frame1 {
            control: c1::PRM | control_fn,
            address: self.address(),
            afn: op.afn,
            seq: seq::FIR | seq::FIN | con | pseq,
            data,
        };
        let bytes = f.emit();
        let deadline = self.deadline(now, &op, bytes.len());
        self.k.send(bytes, deadline, Ask { op, pseq, parts: Vec::new() });
    }

    fn deadline(&self, now: Millis, op: &Op, len: usize) -> Millis {
        let wait = if op.afn == 0x10 { self.cfg.relay_timeout } else { self.cfg.reply_timeout };
        now.after(self.cfg.line.wire_time(len) + wait)
    }

    fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        self.k.emit(MasterEvent::Error { what: ex.op.what(), failure });
        self.advance(now);
    }

    fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let f = match Frame1::parse(bytes) {
            Ok(f) => f,
            Err(_) => {
                self.notice(Notice::Garbled(to_hex(bytes)));
                return;
            }
        };
        if !f.up() {
            self.notice(Notice::Echo);
            return;
        }
        if f.address.terminal != self.cfg.terminal.terminal || f.address.region != self.cfg.terminal.region {
            self.notice(Notice::WrongAddress(f.address.text()));
            return;
        }
        if f.prm() {
            self.on_initiated(&f);
            return;
        }
        let Some(mut ex) = self.k.current.take() else {
            self.notice(Notice::Unexpected { afn: f.afn, seq: f.seq });
            return;
        };
        // RSEQ: the request's PSEQ on the first frame of an answer, one more
        // on each next frame (the same on every frame is taken too).
        let next = (ex.pseq + ex.parts.len() as u8) & 0x0F;
        let in_turn = f.pseq() == ex.pseq || f.seq & seq::FIR == 0 && f.pseq() == next;
        if !in_turn || (f.afn != ex.op.afn && f.afn != 0x00) {
            self.notice(Notice::Unexpected { afn: f.afn, seq: f.seq });
            self.k.current = Some(ex);
            return;
        }
        if f.function() == c1::NO_DATA {
            self.fail(now, ex, Failure::NoData);
            return;
        }
        if f.afn == 0x00 {
            let confirmed = f.data.get(..4) == Some(&unit_id(0, 1)[..]);
            if confirmed && ex.op.afn != 0x00 && matches!(ex.op.afn, 0x01 | 0x04 | 0x05) {
                self.k.emit(MasterEvent::Confirmed { afn: ex.op.afn, fn_: ex.op.fn_ });
                self.advance(now);
            } else {
                self.fail(now, ex, Failure::Denied);
            }
            return;
        }
        if f.seq & seq::FIR != 0 {
            // A first frame begins the answer (again, if it was sent twice).
            ex.parts.clear();
        }
        ex.parts.push(bytes.to_vec());
        if f.seq & seq::FIN == 0 {
            // More frames of this answer follow.
            ex.deadline = self.deadline(now, &ex.op, 0);
            self.k.current = Some(ex);
            return;
        }
        self.answer(now, ex, &f);
    }

    /// A whole answer: its values, read by the dissector.
    fn answer(&mut self, now: Millis, ex: Exchange, last: &Frame1) {
        let lang = self.cfg.lang;
        let op = &ex.op;
        if op.afn == 0x10 {
            // Port (1), length (2), the meter's frame.
            let d = &last.data[4..];
            let (port, frame) = match d {
                [port, l0, l1, rest @ ..] if rest.len() >= usize::from(u16::from_le_bytes([*l0, *l1])) => {
                    (*port, &rest[..usize::from(u16::from_le_bytes([*l0, *l1]))])
                }
                _ => {
                    let h = to_hex(&last.data);
                    self.fail(now, ex, Failure::BadReply(h));
                    return;
                }
            };
            if frame.is_empty() {
                self.fail(now, ex, Failure::NoMeterReply);
                return;
            }
            let value = super::concentrator::value_645(frame, None, lang)
                .or_else(|_| super::concentrator::value_698(frame, None, lang))
                .ok();
            self.k.emit(MasterEvent::Relay { port, frame: to_hex(frame), value });
            self.advance(now);
            return;
        }
        if op.afn == 0x0C && op.fn_ == 2 {
            match last.data.get(4..10).and_then(parse_a1) {
                Some(t) => self.k.emit(MasterEvent::Clock(t)),
                None => {
                    let h = to_hex(&last.data);
                    self.fail(now, ex, Failure::BadReply(h));
                    return;
                }
            }
        }
        let mut items = Vec::new();
        for part in &ex.parts {
            items.extend(data_items(part, lang));
        }
        let mut name = String::new();
        let _ = names::fn_1(u64::from(op.afn) << 16 | u64::from(op.fn_), lang, &mut name);
        let name = name.split_once(' ').map_or(name.clone(), |(_, n)| n.to_string());
        self.k.emit(MasterEvent::Data(Data { afn: op.afn, pn: op.pn, fn_: op.fn_, name, items }));
        self.advance(now);
    }

    /// A frame the terminal initiated: a link test is confirmed at once.
    fn on_initiated(&mut self, f: &Frame1) {
        let unit = f.data.get(..4).and_then(|u| super::codec::one_class(u[2], u[3]));
        match (f.afn, unit) {
            (0x02, Some(fn_ @ 1..=3)) => {
                let confirm = Frame1 {
                    control: c1::LINK_STATUS,
                    address: f.address,
                    afn: 0x00,
                    seq: seq::FIR | seq::FIN | f.pseq(),
                    data: unit_id(0, 1).to_vec(),
                };
                self.k.transmit(&confirm.emit());
                self.k.emit(MasterEvent::LinkTest { fn_, terminal: f.address.text() });
            }
            _ => self.notice(Notice::Unexpected { afn: f.afn, seq: f.seq }),
        }
    }
}

/// The labelled values of a 1376.1 frame's data units, as its dissector reads
/// them (forwarded frames are read by [`super::concentrator`]'s value readers).
pub fn data_items(frame: &[u8], lang: Lang) -> Vec<Item> {
    let view = super::gdw1::dissect_flat(frame, 0).render(lang);
    let mut out = Vec::new();
    view.tree.walk(&mut |n, _| {
        let data = n.id.starts_with("qgdw13761.data.") || n.id.starts_with("qgdw13761.erc.");
        if data && n.children.is_empty() && n.value.is_some() {
            let value = n.value.clone().unwrap_or_default();
            // Words that say more than the label (a tariff, "no data"), not
            // the hex of text already in the value.
            let hex = |t: &str| t.split(' ').all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
            let (label, value) = match &n.text {
                Some(t) if !t.is_empty() && t != &value && !hex(t) => (format!("{}, {t}", n.label), value),
                _ => (n.label.clone(), value),
            };
            let unit = n.unit.clone().unwrap_or_default();
            // A value with a unit is a quantity, written as a decimal by the dissector.
            let value = if unit.is_empty() { Value::Text(value) } else { Value::decimal_or_text(value) };
            out.push(Item { label, value, unit, text: None });
        }
    });
    out
}

impl Machine for MasterSession {
    crate::session::kernel_in_k!(MasterEvent);

    fn process_rx(&mut self, now: Millis) {
        while let Some(frame) = self.k.next_frame(frame_1, 0xFE) {
            self.on_frame(now, &frame);
        }
    }

    fn retry(&mut self, now: Millis) {
        match self.k.retry(self.cfg.retries) {
            Retry::Again(mut ex) => {
                ex.parts.clear();
                self.k.resend(self.deadline(now, &ex.op, ex.frame.len()), ex);
            }
            Retry::Spent(ex) => self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 }),
            Retry::Idle => {}
        }
    }
}
