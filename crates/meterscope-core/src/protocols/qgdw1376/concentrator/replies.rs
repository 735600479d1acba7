//! The module's frames: local replies (AFN 03, 10, 11), forwarded meter
//! replies decoded by their own family, AFN 06 reports confirmed and
//! surfaced once, DL/T 698.45 reports answered through the module.

use super::*;

impl ConcentratorSession {
    pub(super) fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let f = match Frame2::parse(bytes) {
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
        if f.prm() {
            self.on_report(now, f);
            return;
        }
        let Some(ex) = self.k.current.take() else {
            self.notice(Notice::Unexpected { afn: f.afn, fn_: f.fn_, seq: f.seq() });
            return;
        };
        if f.seq() != ex.seq {
            self.notice(Notice::Unexpected { afn: f.afn, fn_: f.fn_, seq: f.seq() });
            self.k.current = Some(ex);
            return;
        }
        if let Op::Answer698 { meter, .. } = &ex.op {
            // The meter answers a REPORT-Response with nothing: an empty
            // forward reply, a confirm or "slave node does not reply" all say
            // the module passed it on.
            let passed = match (f.afn, f.fn_) {
                (0x13, 1) | (0x00, 1) => true,
                (0x00, 2) => f.data.first() == Some(&super::super::module::deny::NO_REPLY),
                _ => false,
            };
            if passed {
                let meter = node_text(meter);
                self.notice(Notice::ReportAnswered { meter });
                self.advance(now);
                return;
            }
        }
        if f.afn == 0x00 && f.fn_ == 2 {
            let reason = f.data.first().copied().unwrap_or(0xFF);
            let mut text = String::new();
            let _ = names::deny_2(reason.into(), self.cfg.lang, &mut text);
            self.fail(now, ex, Failure::Denied { reason, text });
            return;
        }
        match (&ex.op, f.afn, f.fn_) {
            (Op::Local(afn, fn_, _), 0x00, 1) => {
                self.k.emit(ConcentratorEvent::Confirmed { afn: *afn, fn_: *fn_ });
                self.advance(now);
            }
            (Op::Local(afn, fn_, _), a, x) if a == *afn && x == *fn_ => match self.local_reply(a, x, &f.data) {
                Some(e) => {
                    if a == 0x03 && x == 4 {
                        self.master.copy_from_slice(&f.data[..6]);
                    }
                    self.k.emit(e);
                    self.advance(now);
                }
                None => self.fail(now, ex, Failure::BadReply(to_hex(&f.data))),
            },
            (Op::Read645 { .. } | Op::Read698 { .. }, 0x13, 1) => self.on_forwarded(now, ex, &f),
            _ => {
                self.notice(Notice::Unexpected { afn: f.afn, fn_: f.fn_, seq: f.seq() });
                self.k.current = Some(ex);
            }
        }
    }

    /// Decode a local reply of AFN 03 / 10.
    pub(super) fn local_reply(&self, afn: u8, f: u16, d: &[u8]) -> Option<ConcentratorEvent> {
        let ascii = |b: &[u8]| b.iter().map(|&x| if x.is_ascii_graphic() { x as char } else { '.' }).collect();
        match (afn, f) {
            (0x03, 1) if d.len() >= 9 => {
                let (day, month, year) = (unbcd(d[4])?, unbcd(d[5])?, unbcd(d[6])?);
                Some(ConcentratorEvent::ModuleInfo(ModuleInfo {
                    vendor: ascii(&d[0..2]),
                    chip: ascii(&d[2..4]),
                    date: format!("20{year:02}-{month:02}-{day:02}"),
                    version: format!("{:02X}{:02X}", d[8], d[7]),
                }))
            }
            (0x03, 4) if d.len() >= 6 => {
                let mut a = [0u8; 6];
                a.copy_from_slice(&d[..6]);
                Some(ConcentratorEvent::MasterAddress(node_text(&a)))
            }
            (0x10, 1) if d.len() >= 4 => Some(ConcentratorEvent::NodeCount {
                count: u16::from_le_bytes([d[0], d[1]]),
                max: u16::from_le_bytes([d[2], d[3]]),
            }),
            (0x10, 2) if d.len() >= 3 && d.len() == 3 + 8 * usize::from(d[2]) => {
                let nodes = d[3..]
                    .chunks(8)
                    .map(|c| {
                        let mut a = [0u8; 6];
                        a.copy_from_slice(&c[..6]);
                        let info = u16::from_le_bytes([c[6], c[7]]);
                        Node { address: node_text(&a), protocol: ((info >> 11) & 7) as u8, info }
                    })
                    .collect();
                Some(ConcentratorEvent::Nodes { total: u16::from_le_bytes([d[0], d[1]]), nodes })
            }
            _ => None,
        }
    }

    /// AFN 13 F1 up: uplink time (2), protocol type, length, the meter's frame.
    pub(super) fn on_forwarded(&mut self, now: Millis, ex: Exchange, f: &Frame2) {
        let d = &f.data;
        let frame = match d.get(3) {
            Some(&len) if d.len() == 4 + usize::from(len) => &d[4..],
            _ => {
                self.fail(now, ex, Failure::BadReply(to_hex(d)));
                return;
            }
        };
        if frame.is_empty() {
            self.fail(now, ex, Failure::NoMeterReply);
            return;
        }
        let lang = self.cfg.lang;
        let result = match &ex.op {
            Op::Read645 { meter, di, .. } => value_645(frame, Some(*di), lang).map(|v| (v, *meter)),
            Op::Read698 { meter, oad, .. } => value_698(frame, Some(*oad), lang).map(|v| (v, *meter)),
            _ => return,
        };
        match result {
            Ok((v, meter)) => {
                self.report_value(&ex.op, v, &meter, frame);
                self.advance(now);
            }
            Err(failure) => self.fail(now, ex, failure),
        }
    }

    pub(super) fn report_value(&mut self, op: &Op, v: MeterValue, meter: &NodeAddress, frame: &[u8]) {
        let purpose = match op {
            Op::Read645 { purpose, .. } | Op::Read698 { purpose, .. } => *purpose,
            _ => Purpose::Plain,
        };
        let meter = node_text(meter);
        match purpose {
            Purpose::ClockDate => {
                // YYMMDDWW, WW first on the wire.
                if let Ok(Payload::ReadReply { data, .. }) = Frame645::parse(frame).and_then(|x| x.payload())
                    && data.len() == 4
                    && let (Some(d), Some(m), Some(y)) = (unbcd(data[1]), unbcd(data[2]), unbcd(data[3]))
                {
                    self.clock_date = Some((2000 + u16::from(y), m, d));
                }
            }
            Purpose::ClockTime => {
                if let Ok(Payload::ReadReply { data, .. }) = Frame645::parse(frame).and_then(|x| x.payload())
                    && data.len() == 3
                    && let (Some(s), Some(mi), Some(h)) = (unbcd(data[0]), unbcd(data[1]), unbcd(data[2]))
                    && let Some((year, month, day)) = self.clock_date.take()
                {
                    let time = DateTime { year, month, day, hour: h, minute: mi, second: s };
                    self.k.emit(ConcentratorEvent::Clock { meter: meter.clone(), time });
                }
            }
            Purpose::Clock698 => {
                if let Some(time) = frame_698(frame).and_then(|a| match a {
                    Apdu::GetResponseNormal { result, .. } => match result.result {
                        GetResult::Data(d) => parse_date_time_s(&d),
                        GetResult::Dar(_) => None,
                    },
                    _ => None,
                }) {
                    self.k.emit(ConcentratorEvent::Clock { meter: meter.clone(), time });
                }
            }
            // A clock's parts are said once, as the clock.
            Purpose::Plain => self.k.emit(ConcentratorEvent::Value(v)),
        }
    }

    /// An AFN 06 report: confirm it at once, then say what it carries; a
    /// DL/T 698.45 REPORT-Notification inside is answered (queued first).
    pub(super) fn on_report(&mut self, now: Millis, f: Frame2) {
        if f.afn != 0x06 {
            self.notice(Notice::Unexpected { afn: f.afn, fn_: f.fn_, seq: f.seq() });
            return;
        }
        let confirm = Frame2 {
            control: self.cfg.mode & 0x3F,
            r: self.r(f.seq()),
            address: None,
            afn: 0x00,
            fn_: 1,
            data: vec![0xFF, 0xFF, 0x00, 0x00],
        };
        self.k.transmit(&confirm.emit());
        self.notice(Notice::ReportConfirmed { fn_: f.fn_, seq: f.seq() });
        let key = (f.seq(), f.fn_, f.data.clone());
        if self.last_report.as_ref() == Some(&key) {
            self.notice(Notice::RepeatedReport { fn_: f.fn_, seq: f.seq() });
            return;
        }
        self.last_report = Some(key);
        let d = &f.data;
        // Where the protocol type and the length-prefixed frame are in each class.
        let carried = match f.fn_ {
            2 if d.len() >= 6 => Some((d[2], 5)),
            5 if d.len() >= 3 => Some((d[1], 2)),
            _ => None,
        };
        let mut name = String::new();
        let _ = names::fn_2(0x06 << 16 | u64::from(f.fn_), self.cfg.lang, &mut name);
        let name = name.split_once(' ').map_or(name.clone(), |(_, n)| n.to_string());
        let mut report = Report { fn_: f.fn_, name, protocol: None, frame: None, values: Vec::new() };
        if let Some((proto, at)) = carried {
            let len = usize::from(d[at]);
            if let Some(frame) = d.get(at + 1..at + 1 + len) {
                report.protocol = Some(proto);
                report.frame = Some(to_hex(frame));
                if proto == protocol::DLT698
                    && let Some(answer) = report_response(frame)
                {
                    self.k.urgent(answer);
                }
                let v = if proto == protocol::DLT698 {
                    value_698(frame, None, self.cfg.lang)
                } else {
                    value_645(frame, None, self.cfg.lang)
                };
                if let Ok(v) = v {
                    report.values.push(v);
                }
            }
        }
        self.k.emit(ConcentratorEvent::Report(report));
        self.advance(now);
    }
}

/// The REPORT-Response (client to server, DIR = 0, PRM = 0) that answers a
/// DL/T 698.45 REPORT-Notification-List (choice 1) or -RecordList (choice 2):
/// the same PIID-ACD, the OADs reported, addressed to the meter that sent it.
pub(super) fn report_response(frame: &[u8]) -> Option<Op> {
    let skip = frame.iter().take_while(|&&b| b == 0xFE).count();
    let f = FrameRepr::parse(&frame[skip..]).ok()?;
    let (piid, choice, oads) = match Apdu::parse(&f.user_data).ok()? {
        Apdu::ReportNotificationList { piid, results, .. } => (piid, 1, results.iter().map(|r| r.oad).collect()),
        Apdu::ReportNotificationRecordList { piid, results, .. } => (piid, 2, results.iter().map(|r| r.oad).collect()),
        _ => return None,
    };
    let meter: NodeAddress = f.sa.as_slice().try_into().ok()?;
    let apdu = Apdu::ReportResponse { piid, choice, oads, time_tag: None };
    let answer = FrameRepr { control: 0x03, af: f.af, sa: f.sa.clone(), ca: f.ca, user_data: apdu.emit() };
    Some(Op::Answer698 { meter, frame: answer.emit() })
}

/// The APDU of a DL/T 698.45 frame (wake-up bytes allowed).
pub(super) fn frame_698(frame: &[u8]) -> Option<Apdu> {
    let skip = frame.iter().take_while(|&&b| b == 0xFE).count();
    let f = FrameRepr::parse(&frame[skip..]).ok()?;
    Apdu::parse(&f.user_data).ok()
}

/// What a DL/T 645-2007 reply frame says (its identifier checked against `di` when given).
pub(in crate::protocols::qgdw1376) fn value_645(
    frame: &[u8],
    di: Option<u32>,
    lang: Lang,
) -> Result<MeterValue, Failure> {
    let f = Frame645::parse(frame).map_err(|_| Failure::BadReply(to_hex(frame)))?;
    let meter = f.address.digits();
    if f.control.is_abnormal() {
        let err = f.data.first().copied().unwrap_or(0);
        return Err(Failure::Meter(format!("abnormal reply, ERR 0x{err:02X}")));
    }
    match f.payload() {
        Ok(Payload::ReadReply { di: got, data, .. }) if di.is_none_or(|d| d == got.0) => {
            let (name, items) = decode_values(Variant::V2007, got.0, &data, lang);
            Ok(MeterValue { meter, protocol: protocol::DLT645_2007, id: got.canonical(), name, items })
        }
        _ => Err(Failure::BadReply(to_hex(frame))),
    }
}

/// What a DL/T 698.45 frame says: a GET-Response-Normal (of `want` when
/// given) or a REPORT-Notification-List.
pub(in crate::protocols::qgdw1376) fn value_698(
    frame: &[u8],
    want: Option<u32>,
    lang: Lang,
) -> Result<MeterValue, Failure> {
    let skip = frame.iter().take_while(|&&b| b == 0xFE).count();
    let f = FrameRepr::parse(&frame[skip..]).map_err(|_| Failure::BadReply(to_hex(frame)))?;
    let meter: String = f.sa.iter().rev().map(|b| format!("{b:02X}")).collect();
    let apdu = Apdu::parse(&f.user_data).map_err(|_| Failure::BadReply(to_hex(frame)))?;
    let results = match apdu {
        Apdu::GetResponseNormal { result, .. } => vec![result],
        Apdu::ReportNotificationList { results, .. } if want.is_none() => results,
        _ => return Err(Failure::BadReply(to_hex(frame))),
    };
    let mut out: Option<MeterValue> = None;
    for r in results {
        if want.is_some_and(|w| w != oad_u32(r.oad)) {
            return Err(Failure::BadReply(to_hex(frame)));
        }
        match r.result {
            GetResult::Data(d) => {
                let rd = reading(r.oad, d, lang);
                let items = rd.items.into_iter();
                match &mut out {
                    Some(v) => {
                        v.items.extend(items);
                        v.id.push(',');
                        v.id.push_str(&rd.canonical);
                    }
                    None => {
                        out = Some(MeterValue {
                            meter: meter.clone(),
                            protocol: protocol::DLT698,
                            id: rd.canonical,
                            name: rd.name,
                            items: items.collect(),
                        })
                    }
                }
            }
            GetResult::Dar(code) => {
                let text = crate::protocols::dlt698::dictionary::dar_name(code, lang).unwrap_or("");
                return Err(Failure::Meter(format!("DAR {code}: {text}")));
            }
        }
    }
    out.ok_or_else(|| Failure::BadReply(to_hex(frame)))
}
