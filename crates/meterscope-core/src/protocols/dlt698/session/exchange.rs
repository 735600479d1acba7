//! Requests out and frames in: the queue, PIIDs, the request frame (inside a
//! SECURITY-Request when the security mode asks), retries and failures, received
//! bytes framed, echoes and other addresses ignored, fragments confirmed.

use super::*;

impl Dlt698Session {
    /// `apdu` as it goes on the line: GETs wrapped in SECURITY-Request
    /// (plaintext, RN) in security mode; the RN when one was drawn.
    pub(super) fn protect(&mut self, apdu: Apdu) -> Result<(Apdu, Option<Vec<u8>>), Failure> {
        let get = matches!(
            apdu,
            Apdu::GetNormal { .. } | Apdu::GetNormalList { .. } | Apdu::GetRecord { .. } | Apdu::GetNext { .. }
        );
        match self.cfg.security {
            ReadSecurity::PlaintextRn if get => {
                let rn = self.cfg.random.bytes(16).map_err(Failure::Random)?;
                let wrapped = Apdu::SecurityRequest {
                    data: SecurityData::Plain(apdu.emit()),
                    verify: VerifyInfo::Rn(rn.clone()),
                };
                Ok((wrapped, Some(rn)))
            }
            _ => Ok((apdu, None)),
        }
    }

    pub(super) fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.k.enqueue(ops);
        self.advance(now);
    }

    pub(super) fn notice(&mut self, n: Notice) {
        self.k.emit(Dlt698Event::Notice(n));
    }

    pub(super) fn next_piid(&mut self) -> u8 {
        self.piid = (self.piid + 1) & 0x3F;
        self.piid
    }

    pub(super) fn advance(&mut self, now: Millis) {
        while self.k.current.is_none() {
            let Some(op) = self.k.queue.pop_front() else {
                // The batch is over: release the connection it opened.
                if self.connected {
                    self.start(now, Op::Release);
                    continue;
                }
                self.refused = false;
                if self.k.finish() {
                    self.k.emit(Dlt698Event::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    /// A client-initiated frame to the meter (or the wildcard address).
    pub(super) fn request_frame(&self, apdu: &Apdu, wildcard: bool) -> Option<Vec<u8>> {
        let (af, sa) = if wildcard {
            (0x45, vec![0xAA; 6])
        } else {
            let sa = self.address.clone()?;
            ((sa.len() - 1) as u8 & 0x0F, sa)
        };
        Some(FrameRepr { control: 0x43, af, sa, ca: self.cfg.client_address, user_data: apdu.emit() }.emit())
    }

    pub(super) fn start(&mut self, now: Millis, op: Op) {
        if !matches!(op, Op::FindMeter | Op::Connect | Op::Release) && self.address.is_none() {
            self.k.queue.push_front(op);
            self.k.queue.push_front(Op::FindMeter);
            return;
        }
        let upfront = self.cfg.connect == Connect::Always || (self.cfg.connect == Connect::Auto && self.wants_connect);
        // Finding the meter too goes inside the connection (on the wildcard address).
        if !matches!(op, Op::Connect | Op::Release) && upfront && !self.connected && !self.refused {
            self.k.queue.push_front(op);
            self.k.queue.push_front(Op::Connect);
            return;
        }
        if op == Op::Release {
            // Closed from here on, whatever the answer.
            self.connected = false;
        }
        let piid = self.next_piid();
        let apdu = match &op {
            Op::FindMeter => Apdu::GetNormal { piid, oad: oad(0x4001_0200), time_tag: None },
            Op::Get(v) if v.len() == 1 => Apdu::GetNormal { piid, oad: v[0], time_tag: None },
            Op::Get(v) => Apdu::GetNormalList { piid, oads: v.clone(), time_tag: None },
            Op::Record { oad, rsd, rcsd } => {
                Apdu::GetRecord { piid, oad: *oad, rsd: rsd.clone(), rcsd: rcsd.clone(), time_tag: None }
            }
            Op::Set { oad, data } => Apdu::SetNormal { piid, oad: *oad, data: data.clone(), time_tag: None },
            Op::Connect => Apdu::ConnectRequest {
                piid,
                params: ConnectParams { version: self.connect_version, ..CONNECT_PARAMS },
                mechanism: match &self.cfg.password {
                    Some(p) => ConnectMechanism::Password(p.clone()),
                    None => ConnectMechanism::Null,
                },
                time_tag: None,
            },
            Op::Release => Apdu::ReleaseRequest { piid, time_tag: None },
        };
        let (apdu, rn) = match self.protect(apdu) {
            Ok(x) => x,
            Err(failure) => {
                self.k.emit(Dlt698Event::Error { oad: op.first_oad(), failure });
                return;
            }
        };
        let wildcard = op == Op::FindMeter || (op == Op::Connect && self.address.is_none());
        let Some(frame) = self.request_frame(&apdu, wildcard) else { return };
        let deadline = self.deadline(now, &frame);
        self.reassembler.reset();
        self.k.send(frame, deadline, Ask { op, piid, blocks: 0, rn, normals: Vec::new(), records: Vec::new() });
    }

    pub(super) fn deadline(&self, now: Millis, frame: &[u8]) -> Millis {
        now.after(self.cfg.line.wire_time(frame.len() + self.cfg.wake_up) + self.cfg.reply_timeout)
    }

    /// End the current op with a failure; blocks already received are still reported.
    pub(super) fn fail(&mut self, now: Millis, ex: Exchange, failure: Failure) {
        if ex.op == Op::Connect {
            self.refused = true;
        }
        let oad = ex.op.first_oad();
        let find = ex.op == Op::FindMeter;
        self.report_results(ex.state.normals, ex.state.records);
        self.k.emit(Dlt698Event::Error { oad, failure });
        if find && self.address.is_none() {
            for op in std::mem::take(&mut self.k.queue) {
                if op != Op::FindMeter {
                    self.k.emit(Dlt698Event::Error { oad: op.first_oad(), failure: Failure::NoMeter });
                }
            }
        }
        self.advance(now);
    }

    pub(super) fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        let Ok(frame) = FrameRepr::parse(bytes) else {
            self.notice(Notice::Garbled(hex(bytes)));
            if self.k.current.is_some() && !self.reassembler.in_progress() {
                self.retry(now);
            }
            return;
        };
        if frame.control & 0x80 == 0 {
            let echo = self.k.current.as_ref().is_some_and(|ex| ex.frame == bytes);
            self.notice(if echo { Notice::Echo } else { Notice::ForeignRequest });
            return;
        }
        let finding = self.k.current.as_ref().is_some_and(|ex| ex.op == Op::FindMeter);
        if let Some(a) = &self.address
            && frame.sa != *a
            && !finding
        {
            let written: Vec<u8> = frame.sa.iter().rev().copied().collect();
            self.notice(Notice::WrongAddress(hex(&written)));
            return;
        }
        let apdu_bytes = match Fragment::of(&frame) {
            None => frame.user_data.clone(),
            Some(f) if f.kind == FragmentKind::Confirm => {
                self.notice(Notice::Unexpected("fragment confirmation".into()));
                return;
            }
            Some(f) => match self.reassembler.push(0, &f) {
                Ok(Some(apdu)) => apdu,
                Ok(None) => {
                    let confirm = reassembly::confirm(&frame, f.seq).emit();
                    self.k.transmit(&confirm);
                    self.notice(Notice::Fragment { seq: f.seq });
                    if let Some(ex) = self.k.current.as_mut() {
                        ex.deadline = now
                            .after(self.cfg.line.wire_time(confirm.len() + self.cfg.wake_up) + self.cfg.reply_timeout);
                    }
                    return;
                }
                Err(e) => {
                    self.notice(Notice::BadFragments(e.to_string()));
                    if self.k.current.is_some() {
                        self.retry(now);
                    }
                    return;
                }
            },
        };
        let apdu = match Apdu::parse(&apdu_bytes) {
            Ok(a) => a,
            Err(_) => {
                self.notice(Notice::Garbled(hex(&apdu_bytes)));
                if self.k.current.is_some() {
                    self.retry(now);
                }
                return;
            }
        };
        let apdu = match apdu {
            Apdu::SecurityResponse { data, mac } => match self.unwrap_security(now, data, mac) {
                Some(inner) => inner,
                None => return,
            },
            other => other,
        };
        self.on_apdu(now, &frame, apdu);
    }

    /// The plaintext APDU of a SECURITY-Response, its MAC kept; `None` when
    /// there is nothing to go on with (an error, a ciphertext, a bad APDU).
    pub(super) fn unwrap_security(
        &mut self,
        now: Millis,
        data: SecurityResponseData,
        mac: Option<Vec<u8>>,
    ) -> Option<Apdu> {
        match data {
            SecurityResponseData::Plain(bytes) => match Apdu::parse(&bytes) {
                Ok(inner) => {
                    let rn = self.k.current.as_ref().and_then(|ex| ex.rn.as_deref()).map(hex).unwrap_or_default();
                    self.security = Some(SecurityInfo { rn, mac: mac.as_deref().map(hex), verified: false });
                    Some(inner)
                }
                Err(_) => {
                    self.notice(Notice::Garbled(hex(&bytes)));
                    if self.k.current.is_some() {
                        self.retry(now);
                    }
                    None
                }
            },
            SecurityResponseData::Dar(code) => {
                match self.k.current.take() {
                    Some(ex) => self.fail(now, ex, Failure::Dar { code, text: dar_text(code, self.cfg.lang) }),
                    None => self.notice(Notice::Unexpected("SECURITY-Response".into())),
                }
                None
            }
            SecurityResponseData::Cipher(_) => {
                // Deciphering takes the ESAM; the request times out or is retried.
                self.notice(Notice::Unexpected("SECURITY-Response (ciphertext)".into()));
                None
            }
        }
    }

    /// Answer a server-initiated frame with the same addresses.
    pub(super) fn answer_server(&mut self, frame: &FrameRepr, control: u8, apdu: &Apdu) {
        let f = FrameRepr { control, af: frame.af, sa: frame.sa.clone(), ca: frame.ca, user_data: apdu.emit() };
        self.k.transmit(&f.emit());
    }
}

impl Machine for Dlt698Session {
    crate::session::kernel_in_k!(Dlt698Event);

    fn process_rx(&mut self, now: Millis) {
        while let Some(frame) = self.k.next_frame(link::frame, link::WAKE_UP) {
            self.on_frame(now, &frame);
        }
    }

    fn retry(&mut self, now: Millis) {
        let retry = self.k.retry(self.cfg.retries);
        if !matches!(retry, Retry::Idle) {
            self.reassembler.reset();
        }
        match retry {
            Retry::Again(ex) => self.k.resend(self.deadline(now, &ex.frame), ex),
            Retry::Spent(ex) => self.fail(now, ex, Failure::Timeout { attempts: self.cfg.retries + 1 }),
            Retry::Idle => {}
        }
    }
}
