//! The replies: each APDU answered or taken as the result of the request under
//! way (connection asked for, GET Next blocks joined, reports answered,
//! FollowReport surfaced), and results reported as readings and records.

use super::*;

impl Dlt698Session {
    pub(super) fn on_apdu(&mut self, now: Millis, frame: &FrameRepr, apdu: Apdu) {
        match apdu {
            Apdu::ReportNotificationList { piid, results, tail } => {
                let oads = results.iter().map(|r| r.oad).collect();
                self.answer_server(frame, 0x03, &Apdu::ReportResponse { piid, choice: 1, oads, time_tag: None });
                let values = self.readings(&results);
                self.k.emit(Dlt698Event::Report { values, records: Vec::new() });
                self.follow(&tail);
                return;
            }
            Apdu::ReportNotificationRecordList { piid, results, tail } => {
                let oads = results.iter().map(|r| r.oad).collect();
                self.answer_server(frame, 0x03, &Apdu::ReportResponse { piid, choice: 2, oads, time_tag: None });
                let records = results.iter().filter_map(|r| self.record(r)).collect();
                self.k.emit(Dlt698Event::Report { values: Vec::new(), records });
                self.follow(&tail);
                return;
            }
            Apdu::ReleaseNotification { .. } => {
                // The meter closed the connection (its timeout ran out).
                self.connected = false;
                self.notice(Notice::Released { result: 0 });
                return;
            }
            Apdu::LinkRequest { piid, kind, time, .. } => {
                // No clock in the core: the request time stands for the others.
                let reply =
                    Apdu::LinkResponse { piid, result: 0, request_time: time, receive_time: time, response_time: time };
                self.answer_server(frame, 0x01, &reply);
                self.notice(Notice::Link { kind });
                return;
            }
            _ => {}
        }
        let Some(mut ex) = self.k.current.take() else {
            self.notice(Notice::Unexpected(kind_of(&apdu)));
            return;
        };
        if apdu.piid().map(|p| p & 0x3F) != Some(ex.piid & 0x3F) {
            self.k.current = Some(ex);
            self.notice(Notice::Unexpected(kind_of(&apdu)));
            return;
        }
        if let Some(t) = apdu.tail() {
            self.follow(t);
        }
        if let Some(why) = self.asks_for_connection(&apdu, &ex.op) {
            self.wants_connect = true;
            self.notice(Notice::Connecting(why));
            self.k.queue.push_front(ex.state.op);
            self.k.queue.push_front(Op::Connect);
            self.advance(now);
            return;
        }
        match (apdu, &ex.op) {
            (Apdu::ConnectResponse { params, result, .. }, Op::Connect) => {
                // A version mismatch: propose the meter's version, once.
                if result == 5 && params.version != 0 && params.version != self.connect_version {
                    self.connect_version = params.version;
                    self.notice(Notice::Version { theirs: params.version });
                    self.k.queue.push_front(Op::Connect);
                    self.advance(now);
                    return;
                }
                if result != 0 {
                    self.fail(now, ex, Failure::ConnectRefused { result });
                    return;
                }
                self.connected = true;
                self.notice(Notice::Connected {
                    version: params.version,
                    apdu_max: params.apdu_max,
                    timeout: params.timeout,
                });
            }
            (Apdu::ReleaseResponse { result, .. }, Op::Release) => self.notice(Notice::Released { result }),
            (Apdu::GetResponseNormal { result, .. }, Op::FindMeter) => {
                let written: Vec<u8> = frame.sa.iter().rev().copied().collect();
                match result.result {
                    GetResult::Dar(code) => {
                        self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) });
                        return;
                    }
                    GetResult::Data(_) => {
                        self.address = Some(frame.sa.clone());
                        self.k.emit(Dlt698Event::MeterFound(hex(&written)));
                    }
                }
            }
            (Apdu::GetResponseNormal { result, .. }, Op::Get(_)) => self.report_results(vec![result], Vec::new()),
            (Apdu::GetResponseNormalList { results, .. }, Op::Get(_)) => self.report_results(results, Vec::new()),
            (Apdu::GetResponseRecord { result, .. }, Op::Record { .. }) => {
                self.report_results(Vec::new(), vec![result])
            }
            (Apdu::SetResponseNormal { oad, dar, .. }, Op::Set { .. }) => {
                self.k.emit(Dlt698Event::Written { oad: oad_u32(oad), dar });
            }
            (Apdu::ErrorResponse { kind, .. }, _) => {
                self.fail(now, ex, Failure::ErrorResponse { kind });
                return;
            }
            (Apdu::GetResponseNext { last, block, answer, .. }, Op::Get(_) | Op::Record { .. }) => {
                match answer {
                    NextAnswer::Dar(code) => {
                        self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) });
                        return;
                    }
                    NextAnswer::Normal(v) => ex.normals.extend(v),
                    NextAnswer::Record(v) => {
                        for r in v {
                            merge_record(&mut ex.records, r);
                        }
                    }
                }
                ex.blocks += 1;
                if !last {
                    if ex.blocks >= self.cfg.max_blocks {
                        self.fail(now, ex, Failure::TooManyBlocks);
                        return;
                    }
                    self.notice(Notice::Block { block });
                    let piid = self.next_piid();
                    let next = Apdu::GetNext { piid, last_block: block, time_tag: None };
                    let (next, rn) = match self.protect(next) {
                        Ok(x) => x,
                        Err(failure) => {
                            self.fail(now, ex, failure);
                            return;
                        }
                    };
                    let Some(f) = self.request_frame(&next, false) else { return };
                    ex.piid = piid;
                    ex.rn = rn;
                    let deadline = self.deadline(now, &f);
                    self.reassembler.reset();
                    self.k.send(f, deadline, ex.state);
                    return;
                }
                self.report_results(ex.state.normals, ex.state.records);
            }
            (other, _) => {
                self.k.current = Some(ex);
                self.notice(Notice::Unexpected(kind_of(&other)));
                return;
            }
        }
        self.advance(now);
    }

    /// Why the meter's answer asks for an application connection, when it
    /// does and one may be opened: a refusal of the whole request while none
    /// is open.
    pub(super) fn asks_for_connection(&self, apdu: &Apdu, op: &Op) -> Option<String> {
        if self.cfg.connect == Connect::Never
            || self.connected
            || self.refused
            || matches!(op, Op::Connect | Op::Release)
        {
            return None;
        }
        let lang = self.cfg.lang;
        let refused = |code: u8| matches!(code, 3 | 15).then(|| format!("DAR {code}: {}", dar_text(code, lang)));
        match apdu {
            Apdu::ErrorResponse { kind, .. } if *kind != 1 => {
                Some(format!("ERROR-Response: {}", error_text(*kind, self.cfg.lang)))
            }
            Apdu::GetResponseNormal { result: ResultNormal { result: GetResult::Dar(code), .. }, .. } => refused(*code),
            Apdu::GetResponseNormalList { results, .. } => {
                let first = match results.first()?.result {
                    GetResult::Dar(c) => c,
                    GetResult::Data(_) => return None,
                };
                results.iter().all(|r| r.result == GetResult::Dar(first)).then(|| refused(first)).flatten()
            }
            Apdu::GetResponseRecord { result: ResultRecord { data: RecordData::Dar(code), .. }, .. } => refused(*code),
            Apdu::SetResponseNormal { dar, .. } => refused(*dar),
            _ => None,
        }
    }

    pub(super) fn follow(&mut self, tail: &ServerTail) {
        match &tail.follow {
            None => {}
            Some(FollowReport::Normal(v)) => {
                let values = self.readings(v);
                self.k.emit(Dlt698Event::FollowReport { values, records: Vec::new() });
            }
            Some(FollowReport::Record(v)) => {
                let records = v.iter().filter_map(|r| self.record(r)).collect();
                self.k.emit(Dlt698Event::FollowReport { values: Vec::new(), records });
            }
        }
    }

    /// Values and DARs of results, records and their DARs, as events.
    pub(super) fn report_results(&mut self, normals: Vec<ResultNormal>, records: Vec<ResultRecord>) {
        let lang = self.cfg.lang;
        for r in normals {
            match r.result {
                GetResult::Data(d) => self.k.emit(Dlt698Event::Value(reading(r.oad, d, lang))),
                GetResult::Dar(code) => self.k.emit(Dlt698Event::Error {
                    oad: Some(oad_u32(r.oad)),
                    failure: Failure::Dar { code, text: dar_text(code, lang) },
                }),
            }
        }
        for r in records {
            match &r.data {
                RecordData::Dar(code) => self.k.emit(Dlt698Event::Error {
                    oad: Some(oad_u32(r.oad)),
                    failure: Failure::Dar { code: *code, text: dar_text(*code, lang) },
                }),
                RecordData::Rows(_) => {
                    if let Some(rec) = self.record(&r) {
                        self.k.emit(Dlt698Event::Record(rec));
                    }
                }
            }
        }
    }

    pub(super) fn readings(&self, results: &[ResultNormal]) -> Vec<Reading> {
        results
            .iter()
            .filter_map(|r| match &r.result {
                GetResult::Data(d) => Some(reading(r.oad, d.clone(), self.cfg.lang)),
                GetResult::Dar(_) => None,
            })
            .collect()
    }

    pub(super) fn record(&self, r: &ResultRecord) -> Option<Record> {
        let RecordData::Rows(rows) = &r.data else { return None };
        Some(record(r.oad, &r.rcsd, rows, self.cfg.lang))
    }
}

/// Join rows of the same record from several blocks.
pub(super) fn merge_record(into: &mut Vec<ResultRecord>, r: ResultRecord) {
    if let Some(prev) = into.iter_mut().find(|p| p.oad == r.oad && p.rcsd == r.rcsd)
        && let (RecordData::Rows(a), RecordData::Rows(b)) = (&mut prev.data, &r.data)
    {
        a.extend(b.iter().cloned());
        return;
    }
    into.push(r);
}

pub(super) fn kind_of(a: &Apdu) -> String {
    let b = a.emit();
    match b.as_slice() {
        [t, k, ..] if matches!(t, 0x05..=0x08 | 0x85..=0x88) => {
            format!("{}-{k}", super::super::apdu::service_name(*t).unwrap_or("?"))
        }
        [t, ..] => super::super::apdu::service_name(*t).unwrap_or("?").to_string(),
        [] => String::new(),
    }
}

/// An ERROR-Response type in words (DL/T 698.45 clause 7.3.x: 1 the APDU
/// cannot be decoded, 2 service not supported, 255 other).
pub(super) fn error_text(kind: u8, lang: Lang) -> &'static str {
    match kind {
        1 => lang.pick("APDU cannot be decoded", "APDU 无法解析"),
        2 => lang.pick("service not supported", "服务不支持"),
        _ => lang.pick("other error", "其他错误"),
    }
}

pub(super) fn dar_text(code: u8, lang: Lang) -> String {
    dictionary::dar_name(code, lang).map_or_else(|| format!("DAR {code}"), str::to_string)
}
