//! A simulated local communication module (Q/GDW 1376.2), sans-IO: the
//! concentrator's frames in, the module's frames out.
//!
//! Behind it, on the simulated power line, sit simulated DL/T 645 and DL/T
//! 698.45 meters ([`Dlt645Meter`], [`Dlt698Meter`]); a route data forward
//! (AFN 13 F1) hands the carried frame to the meter with the destination
//! address and returns its reply. The module answers:
//!
//! - AFN 03 F1 vendor code and version, F4 master node address;
//! - AFN 05 F1 set the master node address (confirmed);
//! - AFN 10 F1 number of slave nodes, F2 slave node information;
//! - AFN 11 F1 add and F2 delete slave nodes (confirmed; a repeated or
//!   unknown address denied with reason 6 or 7);
//! - AFN 12 F1–F3 restart, pause, resume the route (confirmed);
//! - AFN 13 F1 route data forwarding (a meter that is not on the line:
//!   denied, reason 11 "slave node does not reply");
//! - anything else: denied, reason 4 "information class does not exist".
//!
//! It raises reports on demand or once after a number of forwards
//! ([`ModuleConfig::report_after`]): AFN 06 F5 (slave node event: the DL/T
//! 645 meter's reply to a read of its active report status word 04001501,
//! or of its run status word 1 04000501 when it keeps no such word; the
//! DL/T 698.45 meter's REPORT-Notification) and AFN 06 F2 (read data:
//! the meter's reply to a read of its forward active energy), and counts the
//! confirmations (AFN 00 F1 with the report's sequence number). A report
//! not confirmed within [`ModuleConfig::report_timeout`] is sent again, the
//! same frame with the same sequence number, at most
//! [`ModuleConfig::report_retries`] times, then given up (the timeout and
//! the number of resends are this simulation's settings, not the standard's).
//! A DL/T 698.45 meter's REPORT-Notification is answered by the concentrator
//! with a REPORT-Response in an AFN 13 F1 forward; the meter sends nothing
//! back, so the forward's reply carries an empty frame.

use std::collections::VecDeque;

use super::codec::{Addresses, Frame2, NodeAddress, c2, r1};
use super::frame::frame_2;
use crate::protocols::dlt645::frame::{Address, DataId, Frame645, Payload};
use crate::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig as Meter645};
use crate::protocols::dlt698::emit::{Apdu, oad};
use crate::protocols::dlt698::link::FrameRepr;
use crate::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig as Meter698, ReportKind};
use crate::session::{LineSettings, Millis, Parity, RxBuffer, SimulatedMeter};

/// Protocol types of AFN 11 F1, AFN 13 F1 and reports.
pub mod protocol {
    pub const TRANSPARENT: u8 = 0;
    pub const DLT645_1997: u8 = 1;
    pub const DLT645_2007: u8 = 2;
    pub const DLT698: u8 = 3;
}

/// Deny reasons of AFN 00 F2 the module gives.
pub mod deny {
    pub const NO_CLASS: u8 = 4;
    pub const REPEATED: u8 = 6;
    pub const NOT_FOUND: u8 = 7;
    pub const NO_REPLY: u8 = 11;
}

/// How the simulated module is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleConfig {
    /// The master node address (the concentrator's module), wire order.
    pub address: NodeAddress,
    /// Communication mode (control field D5..D0): 3 broadband carrier (HPLC).
    pub mode: u8,
    /// Vendor code and chip code, two ASCII characters each.
    pub vendor: [u8; 2],
    pub chip: [u8; 2],
    /// Version date (year, month, day) and version (BCD, `0x0101`).
    pub version_date: (u16, u8, u8),
    pub version: u16,
    /// Slave nodes the route holds at most.
    pub max_nodes: u16,
    pub line: LineSettings,
    /// The meters on the line.
    pub meters_645: Vec<Meter645>,
    pub meters_698: Vec<Meter698>,
    /// Raise an event report (of the meter just read) once, after this many
    /// route forwards; `None`: only on demand.
    pub report_after: Option<u32>,
    /// How long a report waits for its confirmation before it is sent again, in ms.
    pub report_timeout: u64,
    /// How many times an unconfirmed report is sent again.
    pub report_retries: u8,
}

impl Default for ModuleConfig {
    fn default() -> Self {
        ModuleConfig {
            address: [0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
            mode: 3,
            vendor: *b"MS",
            chip: *b"01",
            version_date: (2024, 5, 17),
            version: 0x0101,
            max_nodes: 1024,
            line: LineSettings::new(9600, 8, Parity::Even, 1),
            meters_645: vec![Meter645 {
                address: Address([0x01, 0x00, 0x00, 0x17, 0x05, 0x24]),
                ..Meter645::default()
            }],
            meters_698: vec![Meter698 {
                address: [0x24, 0x05, 0x17, 0x00, 0x00, 0x02],
                seed: 2,
                ..Meter698::default()
            }],
            report_after: None,
            report_timeout: 5000,
            report_retries: 2,
        }
    }
}

/// A report the module can raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// AFN 06 F5: a meter event (the meter at this index: 645 meters first, then 698).
    Event(usize),
    /// AFN 06 F2: read data of the meter at this index.
    ReadData(usize),
}

/// A report awaiting its confirmation.
#[derive(Clone, Debug)]
struct Pending {
    seq: u8,
    frame: Vec<u8>,
    deadline: Millis,
    resends: u8,
}

/// The simulated module.
#[derive(Clone, Debug)]
pub struct Module {
    cfg: ModuleConfig,
    address: NodeAddress,
    nodes: Vec<(NodeAddress, u8)>,
    m645: Vec<Dlt645Meter>,
    m698: Vec<Dlt698Meter>,
    now: Millis,
    /// Received bytes: frames longer than the longest frame are given up.
    rx: RxBuffer,
    tx: VecDeque<Vec<u8>>,
    /// Our own frame sequence number for reports.
    seq: u8,
    forwards: u32,
    /// Reports sent and not yet confirmed.
    unconfirmed: Vec<Pending>,
    /// Reports sent again after their timeout.
    resent: usize,
    reports_sent: usize,
    reports_confirmed: usize,
    /// The meter last forwarded to (the next event report is its).
    last_meter: usize,
}

fn wire_698(a: &[u8; 6]) -> NodeAddress {
    let mut w = *a;
    w.reverse();
    w
}

impl Module {
    pub fn new(cfg: ModuleConfig) -> Self {
        Module {
            address: cfg.address,
            nodes: Vec::new(),
            m645: cfg.meters_645.iter().cloned().map(Dlt645Meter::new).collect(),
            m698: cfg.meters_698.iter().cloned().map(Dlt698Meter::new).collect(),
            now: Millis(0),
            rx: RxBuffer::new(super::frame::MAX_LEN_2),
            tx: VecDeque::new(),
            seq: 0x80,
            forwards: 0,
            unconfirmed: Vec::new(),
            resent: 0,
            reports_sent: 0,
            reports_confirmed: 0,
            last_meter: 0,
            cfg,
        }
    }

    /// Slave nodes of the route: address (wire order) and protocol type.
    pub fn nodes(&self) -> &[(NodeAddress, u8)] {
        &self.nodes
    }

    /// The meters on the line: address (wire order) and protocol type, 645 meters first.
    pub fn meters(&self) -> Vec<(NodeAddress, u8)> {
        let a = self.m645.iter().map(|m| (m.address().0, protocol::DLT645_2007));
        a.chain(self.m698.iter().map(|m| (wire_698(&m.config().address), protocol::DLT698))).collect()
    }

    /// Reports sent again because no confirmation came in time.
    pub fn reports_resent(&self) -> usize {
        self.resent
    }

    /// Reports sent and reports confirmed by the concentrator.
    pub fn reports(&self) -> (usize, usize) {
        (self.reports_sent, self.reports_confirmed)
    }

    pub fn meter_645(&self, i: usize) -> Option<&Dlt645Meter> {
        self.m645.get(i)
    }

    pub fn meter_698(&self, i: usize) -> Option<&Dlt698Meter> {
        self.m698.get(i)
    }

    fn reply(&mut self, req: &Frame2, afn: u8, fn_: u16, address: Option<Addresses>, data: Vec<u8>) {
        let mut r = [0u8; 6];
        // Phase A measured, command and reply signal quality 15; the event
        // flag when a report waits for its confirmation.
        r[2] = 0x01;
        r[3] = 0xFF;
        r[4] = u8::from(!self.unconfirmed.is_empty());
        r[5] = req.seq();
        if address.is_some() {
            r[0] |= r1::MODULE;
        }
        let f = Frame2 { control: c2::DIR | (self.cfg.mode & 0x3F), r, address, afn, fn_, data };
        self.tx.push_back(f.emit());
    }

    /// AFN 00 F1 with channel state (every channel idle) and waiting time 0 s.
    fn confirm(&mut self, req: &Frame2) {
        self.reply(req, 0x00, 1, None, vec![0xFF, 0xFF, 0x00, 0x00]);
    }

    fn deny(&mut self, req: &Frame2, reason: u8) {
        self.reply(req, 0x00, 2, None, vec![reason]);
    }

    fn on_frame(&mut self, now: Millis, f: Frame2) {
        if f.up() {
            return;
        }
        if !f.prm() {
            // The concentrator confirms a report.
            if f.afn == 0x00
                && f.fn_ == 1
                && let Some(i) = self.unconfirmed.iter().position(|p| p.seq == f.seq())
            {
                self.unconfirmed.remove(i);
                self.reports_confirmed += 1;
            }
            return;
        }
        let d = f.data.clone();
        match (f.afn, f.fn_) {
            (0x03, 1) => {
                let (y, m, day) = self.cfg.version_date;
                let v = self.cfg.version.to_le_bytes();
                let mut data = self.cfg.vendor.to_vec();
                data.extend_from_slice(&self.cfg.chip);
                data.extend_from_slice(&[
                    super::codec::bcd(day),
                    super::codec::bcd(m),
                    super::codec::bcd((y % 100) as u8),
                ]);
                data.extend_from_slice(&v);
                self.reply(&f, 0x03, 1, None, data);
            }
            (0x03, 4) => {
                let a = self.address.to_vec();
                self.reply(&f, 0x03, 4, None, a);
            }
            (0x05, 1) if d.len() == 6 => {
                self.address.copy_from_slice(&d);
                self.confirm(&f);
            }
            (0x10, 1) => {
                let mut data = (self.nodes.len() as u16).to_le_bytes().to_vec();
                data.extend_from_slice(&self.cfg.max_nodes.to_le_bytes());
                self.reply(&f, 0x10, 1, None, data);
            }
            (0x10, 2) if d.len() == 3 => {
                let start = usize::from(u16::from_le_bytes([d[0], d[1]]).max(1)) - 1;
                let n = usize::from(d[2]);
                let page: Vec<(NodeAddress, u8)> = self.nodes.iter().skip(start).take(n.min(32)).copied().collect();
                let mut data = (self.nodes.len() as u16).to_le_bytes().to_vec();
                data.push(page.len() as u8);
                for (a, p) in page {
                    data.extend_from_slice(&a);
                    // Relay level 0, signal quality 15, phase A, protocol type.
                    let info: u16 = 0x00F0 | 1 << 8 | u16::from(p & 7) << 11;
                    data.extend_from_slice(&info.to_le_bytes());
                }
                self.reply(&f, 0x10, 2, None, data);
            }
            (0x11, 1) if !d.is_empty() && d.len() == 1 + 7 * usize::from(d[0]) => {
                let new: Vec<(NodeAddress, u8)> = d[1..]
                    .chunks(7)
                    .map(|c| {
                        let mut a = [0u8; 6];
                        a.copy_from_slice(&c[..6]);
                        (a, c[6])
                    })
                    .collect();
                if new
                    .iter()
                    .enumerate()
                    .any(|(i, n)| self.nodes.iter().any(|x| x.0 == n.0) || new[..i].iter().any(|x| x.0 == n.0))
                {
                    self.deny(&f, deny::REPEATED);
                } else if self.nodes.len() + new.len() > usize::from(self.cfg.max_nodes) {
                    self.deny(&f, 1);
                } else {
                    self.nodes.extend(new);
                    self.confirm(&f);
                }
            }
            (0x11, 2) if !d.is_empty() && d.len() == 1 + 6 * usize::from(d[0]) => {
                let gone: Vec<&[u8]> = d[1..].chunks(6).collect();
                if gone.iter().any(|g| !self.nodes.iter().any(|x| x.0[..] == **g)) {
                    self.deny(&f, deny::NOT_FOUND);
                } else {
                    self.nodes.retain(|x| !gone.iter().any(|g| x.0[..] == **g));
                    self.confirm(&f);
                }
            }
            (0x12, 1..=3) => self.confirm(&f),
            (0x13, 1) => self.forward(now, &f),
            _ => self.deny(&f, deny::NO_CLASS),
        }
    }

    /// AFN 13 F1: protocol type, delay flag, attached nodes, length, frame.
    fn forward(&mut self, now: Millis, f: &Frame2) {
        let d = &f.data;
        let parsed = (|| {
            let (&proto, rest) = d.split_first()?;
            let n = usize::from(*rest.get(1)?);
            let rest = rest.get(2 + 6 * n..)?;
            let (&len, rest) = rest.split_first()?;
            (rest.len() == usize::from(len)).then(|| (proto, rest.to_vec()))
        })();
        let Some((proto, inner)) = parsed else {
            self.deny(f, 5);
            return;
        };
        let dest = match &f.address {
            Some(a) => a.destination,
            None => match Frame645::parse(&inner) {
                Ok(x) => x.address.0,
                Err(_) => [0; 6],
            },
        };
        let meters = self.meters();
        let Some(index) = meters.iter().position(|m| m.0 == dest) else {
            self.deny(f, deny::NO_REPLY);
            return;
        };
        let reply = self.ask_meter(now, index, &inner).unwrap_or_default();
        self.last_meter = index;
        let mut data = vec![1, 0, proto, reply.len().min(255) as u8];
        data.extend_from_slice(&reply[..reply.len().min(255)]);
        let address = Addresses { source: dest, relays: Vec::new(), destination: self.address };
        self.reply(f, 0x13, 1, Some(address), data);
        self.forwards += 1;
        if self.cfg.report_after == Some(self.forwards) {
            self.raise(now, Report::Event(index));
        }
    }

    /// The reply of meter `index` (645 meters first) to `frame`, wake-up bytes removed.
    fn ask_meter(&mut self, now: Millis, index: usize, frame: &[u8]) -> Option<Vec<u8>> {
        let n645 = self.m645.len();
        let out = if index < n645 {
            let m = &mut self.m645[index];
            m.handle_input(now, frame);
            m.poll_transmit()
        } else {
            let m = self.m698.get_mut(index - n645)?;
            m.handle_input(now, frame);
            m.poll_transmit()
        }?;
        let skip = out.iter().take_while(|&&b| b == 0xFE).count();
        Some(out[skip..].to_vec())
    }

    /// Raise a report now (it is sent at once).
    pub fn raise(&mut self, now: Millis, report: Report) {
        let n645 = self.m645.len();
        let (index, event) = match report {
            Report::Event(i) => (i, true),
            Report::ReadData(i) => (i, false),
        };
        let meters = self.meters();
        let Some(&(address, proto)) = meters.get(index) else { return };
        let frame = if index < n645 {
            // The active report status word; a meter that does not keep it
            // gives its run status word 1 instead.
            let dis: &[u32] = if event { &[0x0400_1501, 0x0400_0501] } else { &[0x0001_0000] };
            let mut reply = None;
            for &di in dis {
                let req = Frame645::from_payload(
                    Address(address),
                    &Payload::ReadRequest { di: DataId(di), blocks: None, time: None },
                );
                reply = self.ask_meter(now, index, &req.emit());
                if reply.as_ref().is_some_and(|r| Frame645::parse(r).is_ok_and(|f| !f.control.is_abnormal())) {
                    break;
                }
            }
            reply
        } else if event {
            let m = &mut self.m698[index - n645];
            m.raise_report(now, ReportKind::List);
            m.poll_transmit().map(|out| out[out.iter().take_while(|&&b| b == 0xFE).count()..].to_vec())
        } else {
            let sa = address.to_vec();
            let apdu = Apdu::GetNormal { piid: 1, oad: oad(0x0010_0200), time_tag: None };
            let req = FrameRepr { control: 0x43, af: 0x05, sa, ca: 0x10, user_data: apdu.emit() };
            self.ask_meter(now, index, &req.emit())
        };
        let Some(frame) = frame else { return };
        let frame = &frame[..frame.len().min(255)];
        let data = if event {
            // Device type 01 (meter), protocol type, length, frame.
            let mut d = vec![0x01, proto, frame.len() as u8];
            d.extend_from_slice(frame);
            d
        } else {
            // Slave node index (1-based), protocol type, uplink time (s), length, frame.
            let mut d = ((index + 1) as u16).to_le_bytes().to_vec();
            d.extend_from_slice(&[proto, 1, 0, frame.len() as u8]);
            d.extend_from_slice(frame);
            d
        };
        self.seq = self.seq.wrapping_add(1);
        let mut r = [0u8; 6];
        r[2] = 0x01;
        r[3] = 0xFF;
        r[4] = 0x01;
        r[5] = self.seq;
        let f = Frame2 {
            control: c2::DIR | c2::PRM | (self.cfg.mode & 0x3F),
            r,
            address: None,
            afn: 0x06,
            fn_: if event { 5 } else { 2 },
            data,
        };
        let frame = f.emit();
        self.tx.push_back(frame.clone());
        let deadline = now.after(self.cfg.line.wire_time(frame.len()) + self.cfg.report_timeout);
        self.unconfirmed.push(Pending { seq: self.seq, frame, deadline, resends: 0 });
        self.reports_sent += 1;
    }
}

impl SimulatedMeter for Module {
    fn handle_input(&mut self, now: Millis, bytes: &[u8]) {
        self.now = now;
        self.rx.push(bytes);
        while let Some((f, _)) = self.rx.next(frame_2) {
            if let Ok(f) = Frame2::parse(&f) {
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

    fn poll_timeout(&self) -> Option<Millis> {
        self.unconfirmed.iter().map(|p| p.deadline).min()
    }

    fn handle_timeout(&mut self, now: Millis) {
        self.now = now;
        let (retries, wait) = (self.cfg.report_retries, self.cfg.report_timeout);
        let line = self.cfg.line;
        let mut again = Vec::new();
        self.unconfirmed.retain_mut(|p| {
            if now < p.deadline {
                return true;
            }
            if p.resends >= retries {
                return false;
            }
            p.resends += 1;
            p.deadline = now.after(line.wire_time(p.frame.len()) + wait);
            again.push(p.frame.clone());
            true
        });
        self.resent += again.len();
        self.tx.extend(again);
    }
}
