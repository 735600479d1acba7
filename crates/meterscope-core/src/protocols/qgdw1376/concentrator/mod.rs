//! The Q/GDW 1376.2 session as a concentrator talking to its local
//! communication module (carrier, HPLC or RF), sans-IO.
//!
//! Flows:
//! - **query the module**: AFN 03 F1 (vendor code, chip code, version date
//!   and version), AFN 03 F4 (master node address);
//! - **slave nodes**: AFN 10 F1 (number of nodes and the route's maximum),
//!   AFN 10 F2 (node addresses, protocol types), AFN 11 F1 (add nodes),
//!   answered with AFN 00 F1 confirm or F2 deny (the reason named);
//! - **read a meter through the module**: AFN 13 F1 route data forwarding
//!   to the node's address (address field present, R's module flag set)
//!   carrying a DL/T 645-2007 read (11) or a DL/T 698.45 GET-Request-Normal;
//!   the meter's reply comes back inside AFN 13 F1 and is decoded by its own
//!   family's code (identifier names, values, units); the meter's clock is
//!   04000101 + 04000102 (645) or 40000200 (698.45);
//! - **reports**: an AFN 06 frame from the module (F1/F4 node information,
//!   F2 read data, F3 route change, F5 node event) is confirmed at once with
//!   AFN 00 F1 carrying its sequence number, whatever is under way (a
//!   report the module sends again, its confirmation lost, is confirmed
//!   again and surfaced once), and surfaced with the meter frame inside decoded; when the frame inside is
//!   a DL/T 698.45 REPORT-Notification (the meter's active report, which the
//!   meter expects answered), the concentrator then answers the meter with a
//!   REPORT-Response of the same PIID-ACD naming the reported OADs, sent
//!   through the module as an AFN 13 F1 route forward to the meter (the
//!   meter sends nothing back: an empty forward reply, a confirm or a deny
//!   "slave node does not reply" all mean it went out). It goes ahead of
//!   queued work, during a listen too.
//!
//! A reply must carry the sequence number (R6) of its request. Line faults
//! handled as in the other sessions: replies in pieces, echoes and noise
//! ignored, timeouts with retries (a route forward waits longer: the module
//! has a meter to reach), frames that stop arriving dropped after the gap.

use super::codec::{Addresses, Frame2, NodeAddress, c2, node_text, unbcd};
use super::frame::frame_2;
use super::module::protocol;
use super::names;
use crate::input::to_hex;
use crate::lang::Lang;
use crate::protocols::dlt645::frame::{Address, DataId, Frame645, Payload, Variant};
use crate::protocols::dlt645::session::decode_values;
use crate::protocols::dlt698::emit::{Apdu, GetResult, oad, oad_u32};
use crate::protocols::dlt698::link::FrameRepr;
use crate::protocols::dlt698::session::reading;
use crate::protocols::dlt698::simulator::parse_date_time_s;
use crate::session::{DateTime, Kernel, LineSettings, Machine, Millis, Notices, Parity, Pending, Retry, RxBuffer};

mod replies;

pub(super) use replies::{value_645, value_698};

/// Most bytes kept while a frame is arriving.
const RX_LIMIT: usize = 8192;

/// How the concentrator talks to its module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// 9600 8E1 by default.
    pub line: LineSettings,
    /// Communication mode written in the control field (3: broadband carrier).
    pub mode: u8,
    /// How long the module has to answer a local request, in ms.
    pub reply_timeout: u64,
    /// How long a route forward may take (the module reaches the meter first), in ms.
    pub forward_timeout: u64,
    /// Longest silence between two bytes of a frame, in ms.
    pub byte_gap: u64,
    /// Retransmissions after the first attempt.
    pub retries: u8,
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            mode: 3,
            reply_timeout: 2000,
            forward_timeout: 15_000,
            byte_gap: 500,
            retries: 1,
            lang: Lang::En,
        }
    }
}

pub use crate::session::Item;

/// A value read from a meter (or carried in a report).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MeterValue {
    /// The meter's address, 12 digits.
    pub meter: String,
    /// Protocol type: 2 DL/T 645-2007, 3 DL/T 698.45.
    pub protocol: u8,
    /// `00010000` (DI) or `00100200` (OAD).
    pub id: String,
    pub name: String,
    pub items: Vec<Item>,
}

/// What AFN 03 F1 says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModuleInfo {
    pub vendor: String,
    pub chip: String,
    /// `2024-05-17`.
    pub date: String,
    /// `0101`.
    pub version: String,
}

/// A slave node of the route (AFN 10 F2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Node {
    pub address: String,
    pub protocol: u8,
    /// The node information word (relay level, signal quality, phase, protocol).
    pub info: u16,
}

/// A report from the module (AFN 06), already confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    /// 1 node information, 2 read data, 3 route change, 4 node information and device type, 5 node event.
    pub fn_: u16,
    /// What the class is called.
    pub name: String,
    pub protocol: Option<u8>,
    /// The meter frame carried (hex), when there is one.
    pub frame: Option<String>,
    /// What the meter frame says.
    pub values: Vec<MeterValue>,
}

/// Why an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No usable reply after every attempt.
    Timeout { attempts: u8 },
    /// The module denied the request (AFN 00 F2) with this reason.
    Denied { reason: u8, text: String },
    /// The meter answered with an error (abnormal reply, DAR).
    Meter(String),
    /// The module forwarded, but no frame came back from the meter.
    NoMeterReply,
    /// The reply's data does not have the layout of its class (hex).
    BadReply(String),
}

impl Failure {
    /// The failure in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Failure::Timeout { attempts }, lang) => crate::session::words::timeout(*attempts, lang),
            (Failure::Denied { reason, text }, Lang::En) => format!("denied by the module, reason {reason}: {text}"),
            (Failure::Denied { reason, text }, Lang::Zh) => format!("模块否认，原因 {reason}：{text}"),
            (Failure::Meter(t), Lang::En) => format!("the meter answered: {t}"),
            (Failure::Meter(t), Lang::Zh) => format!("电能表应答：{t}"),
            (Failure::NoMeterReply, Lang::En) => "the meter did not answer the forwarded frame".into(),
            (Failure::NoMeterReply, Lang::Zh) => "电能表未应答转发的帧".into(),
            (Failure::BadReply(h), lang) => crate::session::words::bad_reply(h, lang),
        }
    }
}

crate::session::words::english_display!(Failure);

/// Something on the line that was not the reply awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Our own frame came back, or another downlink frame.
    Echo,
    /// A frame that answers nothing under way (AFN, Fn, sequence number).
    Unexpected { afn: u8, fn_: u16, seq: u8 },
    /// A frame with a wrong checksum or shape (hex).
    Garbled(String),
    /// Bytes that are no frame, dropped.
    Junk(usize),
    /// A frame began but its bytes stopped arriving; dropped.
    Incomplete(usize),
    /// A request is sent again (attempt number from 2).
    Retry { attempt: u8 },
    /// A report was confirmed (AFN 06 Fn, sequence number).
    ReportConfirmed { fn_: u16, seq: u8 },
    /// A report sent again by the module (confirmed again, surfaced once).
    RepeatedReport { fn_: u16, seq: u8 },
    /// A DL/T 698.45 meter's report was answered with a REPORT-Response through the module.
    ReportAnswered { meter: String },
}

impl Notice {
    /// The notice in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Notice::Echo, lang) => lang.pick("echo of a downlink frame ignored", "忽略下行帧的回显").into(),
            (Notice::Unexpected { afn, fn_, seq }, Lang::En) => {
                format!("unexpected frame AFN {afn:02X} F{fn_} (sequence {seq}) ignored")
            }
            (Notice::Unexpected { afn, fn_, seq }, Lang::Zh) => {
                format!("忽略意外的帧 AFN {afn:02X} F{fn_}（序号 {seq}）")
            }
            (Notice::Garbled(h), lang) => crate::session::words::garbled(h, lang),
            (Notice::Junk(n), lang) => crate::session::words::junk(*n, lang),
            (Notice::Incomplete(n), lang) => crate::session::words::incomplete(*n, lang),
            (Notice::Retry { attempt }, lang) => crate::session::words::retry(*attempt, lang),
            (Notice::ReportConfirmed { fn_, seq }, Lang::En) => {
                format!("report AFN 06 F{fn_} (sequence {seq}) confirmed")
            }
            (Notice::ReportConfirmed { fn_, seq }, Lang::Zh) => format!("已确认上报 AFN 06 F{fn_}（序号 {seq}）"),
            (Notice::RepeatedReport { fn_, seq }, Lang::En) => {
                format!("report AFN 06 F{fn_} (sequence {seq}) received again")
            }
            (Notice::RepeatedReport { fn_, seq }, Lang::Zh) => format!("再次收到上报 AFN 06 F{fn_}（序号 {seq}）"),
            (Notice::ReportAnswered { meter }, Lang::En) => {
                format!("REPORT-Response sent to meter {meter} through the module")
            }
            (Notice::ReportAnswered { meter }, Lang::Zh) => format!("已通过模块向电能表 {meter} 发送上报应答"),
        }
    }
}

crate::session::words::english_display!(Notice);

/// What the concentrator session reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConcentratorEvent {
    ModuleInfo(ModuleInfo),
    /// The master node address (12 digits).
    MasterAddress(String),
    NodeCount {
        count: u16,
        max: u16,
    },
    Nodes {
        total: u16,
        nodes: Vec<Node>,
    },
    /// The module confirmed a request (AFN, Fn of the request).
    Confirmed {
        afn: u8,
        fn_: u16,
    },
    Value(MeterValue),
    /// A meter's date and time.
    Clock {
        meter: String,
        time: DateTime,
    },
    Report(Report),
    /// An exchange failed; `what` names it (`03 F1`, `00010000 @ 202405170001`).
    Error {
        what: String,
        failure: Failure,
    },
    Notice(Notice),
    /// Every queued request is finished.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Plain,
    ClockDate,
    ClockTime,
    Clock698,
}

/// A unit of work.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    /// A local request to the module: AFN, Fn, data.
    Local(u8, u16, Vec<u8>),
    Read645 {
        meter: NodeAddress,
        di: u32,
        purpose: Purpose,
    },
    Read698 {
        meter: NodeAddress,
        oad: u32,
        purpose: Purpose,
    },
    /// Stay on the line for reports until then (ms after it starts).
    Listen(u64),
    /// A DL/T 698.45 frame that answers a meter's report (REPORT-Response),
    /// forwarded to the meter; no reply from the meter is awaited.
    Answer698 {
        meter: NodeAddress,
        frame: Vec<u8>,
    },
}

impl Op {
    fn what(&self) -> String {
        match self {
            Op::Local(afn, f, _) => format!("{afn:02X} F{f}"),
            Op::Read645 { meter, di, .. } => format!("{di:08X} @ {}", node_text(meter)),
            Op::Read698 { meter, oad, .. } => format!("{oad:08X} @ {}", node_text(meter)),
            Op::Listen(_) => "listen".into(),
            Op::Answer698 { meter, .. } => format!("REPORT-Response @ {}", node_text(meter)),
        }
    }
}

#[derive(Clone, Debug)]
struct Ask {
    op: Op,
    seq: u8,
}

/// The request on the line: its frame, its try and deadline, and what it waits for.
type Exchange = Pending<Ask>;

/// The concentrator side of Q/GDW 1376.2.
#[derive(Debug)]
pub struct ConcentratorSession {
    cfg: Config,
    /// The master node address (A1 of route forwards), once known or given.
    master: NodeAddress,
    /// The queue, the request on the line, received bytes; its hold is a
    /// listen, when reports are received and confirmed.
    k: Kernel<Op, Exchange, ConcentratorEvent>,
    seq: u8,
    piid: u8,
    clock_date: Option<(u16, u8, u8)>,
    /// The last report (sequence number, Fn, data): a module that missed our
    /// confirmation sends it again; it is confirmed again, not surfaced twice.
    last_report: Option<(u8, u16, Vec<u8>)>,
}

impl ConcentratorSession {
    pub fn new(cfg: Config) -> Self {
        let k = Kernel::new(
            cfg.byte_gap,
            RxBuffer::new(RX_LIMIT),
            Notices {
                junk: |n| ConcentratorEvent::Notice(Notice::Junk(n)),
                incomplete: |n| ConcentratorEvent::Notice(Notice::Incomplete(n)),
                retry: |attempt| ConcentratorEvent::Notice(Notice::Retry { attempt }),
            },
        );
        ConcentratorSession { cfg, master: [0; 6], k, seq: 0, piid: 0, clock_date: None, last_report: None }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Queue AFN 03 F1 (vendor and version) and AFN 03 F4 (master node address).
    pub fn query_module(&mut self, now: Millis) {
        self.enqueue(now, [Op::Local(0x03, 1, Vec::new()), Op::Local(0x03, 4, Vec::new())]);
    }

    /// Queue AFN 10 F1 (number of nodes) and AFN 10 F2 from node 1 (up to `count`).
    pub fn read_nodes(&mut self, now: Millis, count: u8) {
        self.enqueue(now, [Op::Local(0x10, 1, Vec::new()), Op::Local(0x10, 2, vec![1, 0, count])]);
    }

    /// Queue AFN 11 F1: add these nodes (address, protocol type).
    pub fn add_nodes(&mut self, now: Millis, nodes: &[(NodeAddress, u8)]) {
        for chunk in nodes.chunks(32) {
            let mut d = vec![chunk.len() as u8];
            for (a, p) in chunk {
                d.extend_from_slice(a);
                d.push(*p);
            }
            self.enqueue(now, [Op::Local(0x11, 1, d)]);
        }
    }

    /// Queue reads of DL/T 645-2007 identifiers of the meter at `meter` (wire order).
    pub fn read_645(&mut self, now: Millis, meter: NodeAddress, dis: &[u32]) {
        self.enqueue(now, dis.iter().map(|&di| Op::Read645 { meter, di, purpose: Purpose::Plain }));
    }

    /// Queue reads of DL/T 698.45 OADs of the meter at `meter` (wire order).
    pub fn read_698(&mut self, now: Millis, meter: NodeAddress, oads: &[u32]) {
        self.enqueue(now, oads.iter().map(|&oad| Op::Read698 { meter, oad, purpose: Purpose::Plain }));
    }

    /// Queue a clock read of a meter of protocol type `protocol`.
    pub fn read_clock(&mut self, now: Millis, meter: NodeAddress, protocol: u8) {
        if protocol == protocol::DLT698 {
            self.enqueue(now, [Op::Read698 { meter, oad: 0x4000_0200, purpose: Purpose::Clock698 }]);
        } else {
            self.enqueue(
                now,
                [
                    Op::Read645 { meter, di: 0x0400_0101, purpose: Purpose::ClockDate },
                    Op::Read645 { meter, di: 0x0400_0102, purpose: Purpose::ClockTime },
                ],
            );
        }
    }

    /// Queue a quiet time of `ms` in which reports are received and confirmed.
    pub fn listen(&mut self, now: Millis, ms: u64) {
        self.enqueue(now, [Op::Listen(ms)]);
    }

    fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.k.enqueue(ops);
        self.advance(now);
    }

    fn notice(&mut self, n: Notice) {
        self.k.emit(ConcentratorEvent::Notice(n));
    }

    fn advance(&mut self, now: Millis) {
        while self.k.current.is_none() {
            // A listen holds queued work back, but not the answer to a report.
            if self.k.hold.is_some() && !matches!(self.k.queue.front(), Some(Op::Answer698 { .. })) {
                return;
            }
            let Some(op) = self.k.queue.pop_front() else {
                if self.k.finish() {
                    self.k.emit(ConcentratorEvent::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    fn next_seq(&mut self) -> u8 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    fn r(&self, seq: u8) -> [u8; 6] {
        // Routing, no attached node, no conflict detection, channel 0,
        // expected reply length 0 (not given), default rate.
        [0, 0, 0, 0, 0, seq]
    }

    fn start(&mut self, now: Millis, op: Op) {
        let control = c2::PRM | (self.cfg.mode & 0x3F);
        let seq = self.next_seq();
        let frame = match &op {
            Op::Listen(ms) => {
                self.k.hold = Some(now.after(*ms));
                return;
            }
            Op::Local(afn, f, data) => {
                Frame2 { control, r: self.r(seq), address: None, afn: *afn, fn_: *f, data: data.clone() }
            }
            Op::Read645 { meter, di, .. } => {
                let inner = Frame645::from_payload(
                    Address(*meter),
                    &Payload::ReadRequest { di: DataId(*di), blocks: None, time: None },
                )
                .emit();
                self.forward(control, seq, *meter, protocol::DLT645_2007, &inner)
            }
            Op::Read698 { meter, oad: o, .. } => {
                self.piid = (self.piid + 1) % 64;
                let apdu = Apdu::GetNormal { piid: self.piid, oad: oad(*o), time_tag: None };
                let inner =
                    FrameRepr { control: 0x43, af: 0x05, sa: meter.to_vec(), ca: 0x10, user_data: apdu.emit() }.emit();
                self.forward(control, seq, *meter, protocol::DLT698, &inner)
            }
            Op::Answer698 { meter, frame } => self.forward(control, seq, *meter, protocol::DLT698, frame),
        };
        let bytes = frame.emit();
        let deadline = self.deadline(now, &op, bytes.len());
        self.k.send(bytes, deadline, Ask { op, seq });
    }

    /// AFN 13 F1 to `meter`: protocol type, no delay correction, no attached node, the frame.
    fn forward(&self, control: u8, seq: u8, meter: NodeAddress, proto: u8, inner: &[u8]) -> Frame2 {
        let mut data = vec![proto, 0, 0, inner.len().min(255) as u8];
        data.extend_from_slice(&inner[..inner.len().min(255)]);
        let address = Addresses { source: self.master, relays: Vec::new(), destination: meter };
        Frame2 { control, r: self.r(seq), address: Some(address), afn: 0x13, fn_: 1, data }
    }

    fn deadline(&self, now: Millis, op: &Op, len: usize) -> Millis {
        let wait = match op {
            Op::Read645 { .. } | Op::Read698 { .. } | Op::Answer698 { .. } => self.cfg.forward_timeout,
            _ => self.cfg.reply_timeout,
        };
        now.after(self.cfg.line.wire_time(len) + wait)
    }

    fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        if matches!(ex.op, Op::Read645 { purpose: Purpose::ClockDate, .. }) {
            // The time half of the clock read has nothing to join: drop it.
            if matches!(self.k.queue.front(), Some(Op::Read645 { purpose: Purpose::ClockTime, .. })) {
                self.k.queue.pop_front();
            }
        }
        self.k.emit(ConcentratorEvent::Error { what: ex.op.what(), failure });
        self.advance(now);
    }
}

impl Machine for ConcentratorSession {
    crate::session::kernel_in_k!(ConcentratorEvent);

    fn process_rx(&mut self, now: Millis) {
        while let Some(frame) = self.k.next_frame(frame_2, 0xFE) {
            self.on_frame(now, &frame);
        }
    }

    fn retry(&mut self, now: Millis) {
        match self.k.retry(self.cfg.retries) {
            Retry::Again(ex) => self.k.resend(self.deadline(now, &ex.op, ex.frame.len()), ex),
            Retry::Spent(ex) => self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 }),
            Retry::Idle => {}
        }
    }

    fn on_resume(&mut self, now: Millis) {
        self.advance(now);
    }
}
