//! The HDLC link machine: frames built and sent, segments and windows,
//! polling and retransmission, received bytes framed and acknowledged.

use super::*;

impl DlmsSession {
    pub(super) fn hdlc(&self, control: Control, info: Vec<u8>, segmented: bool) -> Vec<u8> {
        HdlcFrame {
            segmented,
            dst: HdlcAddress::server(self.cfg.server, self.cfg.physical),
            src: HdlcAddress::client(self.cfg.client as u8),
            control,
            info,
        }
        .emit()
    }

    pub(super) fn deadline(&self, now: Millis, bytes: usize) -> Millis {
        now.after(self.cfg.line.wire_time(bytes) + self.cfg.reply_timeout)
    }

    /// Start an exchange with one frame (SNRM, DISC, a wrapped APDU).
    pub(super) fn send_frame(&mut self, now: Millis, op: Op, frame: Vec<u8>) {
        let deadline = self.deadline(now, frame.len());
        self.k.send(frame, deadline, Ask::new(op));
    }

    /// Start an exchange with an APDU: wrapped, or in HDLC I frames of at most
    /// the negotiated length, a window of them at a time.
    pub(super) fn send_apdu(&mut self, now: Millis, op: Op, apdu: Vec<u8>, invoke: u8) {
        if self.cfg.transport == Transport::Wrapper {
            let frame = link::wrap(self.cfg.client, self.cfg.server, &apdu);
            self.send_frame(now, op, frame);
        } else {
            self.k.current = Some(Pending::new(Vec::new(), now, Ask::new(op)));
            self.queue_segments(&apdu);
            self.send_window(now, false);
        }
        if let Some(ex) = &mut self.k.current {
            ex.invoke = invoke;
        }
    }

    /// The APDU with its LLC header, cut into information fields.
    pub(super) fn queue_segments(&mut self, apdu: &[u8]) {
        let mut info = LLC_COMMAND.to_vec();
        info.extend_from_slice(apdu);
        let size = self.max_tx.max(16);
        let n = info.len().div_ceil(size);
        let segments = info.chunks(size).enumerate().map(|(i, c)| (c.to_vec(), i + 1 < n)).collect();
        if let Some(ex) = &mut self.k.current {
            ex.segments = segments;
        }
    }

    /// Send I frames: those not yet acknowledged again when `resend` (go
    /// back), then new segments up to the window; the poll bit on the last.
    /// False when there was nothing to send.
    pub(super) fn send_window(&mut self, now: Millis, resend: bool) -> bool {
        let Some(mut ex) = self.k.current.take() else { return false };
        let window = usize::from(self.window_tx.max(1));
        let mut burst: Vec<(u8, Vec<u8>, bool)> =
            if resend { ex.unacked.iter().cloned().collect() } else { Vec::new() };
        while ex.unacked.len() < window {
            let Some((info, more)) = ex.segments.pop_front() else { break };
            let ns = self.ns;
            self.ns = (self.ns + 1) % 8;
            ex.unacked.push_back((ns, info.clone(), more));
            burst.push((ns, info, more));
        }
        if burst.is_empty() {
            self.k.current = Some(ex);
            return false;
        }
        let n = burst.len();
        let mut bytes = 0;
        for (i, (ns, info, more)) in burst.into_iter().enumerate() {
            let f = self.hdlc(Control::I { ns, nr: self.nr, pf: i + 1 == n }, info, more);
            bytes += f.len();
            if i + 1 == n {
                ex.frame = f.clone();
            }
            self.k.transmit(&f);
        }
        ex.attempt = if resend { ex.attempt.saturating_add(1) } else { 1 };
        ex.deadline = self.deadline(now, bytes);
        self.k.current = Some(ex);
        true
    }

    /// Send the next APDU of the same exchange (GET-Request-Next, the next
    /// short-name block, a GBT acknowledgement).
    pub(super) fn next_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        match self.cfg.transport {
            Transport::Wrapper => {
                let frame = link::wrap(self.cfg.client, self.cfg.server, &apdu);
                self.continue_with(now, frame);
            }
            Transport::Hdlc => {
                self.queue_segments(&apdu);
                self.send_window(now, false);
            }
        }
    }

    /// Put a new frame on the line for the current exchange.
    pub(super) fn continue_with(&mut self, now: Millis, frame: Vec<u8>) {
        let deadline = self.deadline(now, frame.len());
        self.k.transmit(&frame);
        if let Some(ex) = &mut self.k.current {
            ex.frame = frame;
            ex.attempt = 1;
            ex.deadline = deadline;
        }
    }

    /// RR with the poll bit: "send on from N(R)". `again` when it asks for
    /// frames once more (counted like a retransmission).
    pub(super) fn poll(&mut self, now: Millis, again: bool) {
        let frame = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
        if !again {
            self.continue_with(now, frame);
            return;
        }
        let Some(ex) = self.k.current.as_mut() else { return };
        if ex.attempt > self.cfg.retries {
            let op = ex.op.clone();
            self.k.current = None;
            self.fail(now, op, Failure::Protocol("the meter's frames keep arriving out of sequence".into()));
            return;
        }
        ex.attempt += 1;
        ex.frame = frame.clone();
        ex.deadline = now.after(self.cfg.line.wire_time(frame.len()) + self.cfg.reply_timeout);
        self.k.transmit(&frame);
    }

    /// N(R) from the meter acknowledges our I frames before it. False when it
    /// names no frame of ours (then nothing changes).
    pub(super) fn ack(&mut self, nr: u8) -> bool {
        let ns = self.ns;
        let Some(ex) = self.k.current.as_mut() else { return false };
        if nr != ns && !ex.unacked.iter().any(|u| u.0 == nr) {
            return false;
        }
        while ex.unacked.front().is_some_and(|u| u.0 != nr) {
            ex.unacked.pop_front();
        }
        true
    }

    pub(super) fn on_frame(&mut self, now: Millis, bytes: &[u8]) {
        if self.cfg.transport == Transport::Wrapper {
            match link::unwrap(bytes) {
                Ok((src, dst, apdu)) if src == self.cfg.server && dst == self.cfg.client => {
                    // A reply streams in (GBT blocks): the wait starts again.
                    let deadline = now.after(self.cfg.reply_timeout);
                    if let Some(ex) = &mut self.k.current {
                        ex.deadline = ex.deadline.max(deadline);
                    }
                    self.final_bit = false;
                    self.on_apdu(now, apdu);
                }
                Ok(_) => self.notice(Notice::Ignored),
                Err(_) => self.notice(Notice::Garbled(super::super::hex(bytes))),
            }
            return;
        }
        let f = match HdlcFrame::parse(bytes) {
            Ok(f) => f,
            Err(_) => {
                self.notice(Notice::Garbled(super::super::hex(bytes)));
                return;
            }
        };
        if f.dst != HdlcAddress::client(self.cfg.client as u8) || f.src.upper != self.cfg.server {
            self.notice(Notice::Ignored);
            return;
        }
        let Some(ex) = self.k.current.as_ref() else {
            self.notice(Notice::Ignored);
            return;
        };
        let op = ex.op.clone();
        match f.control {
            Control::Ua { .. } if op == Op::Snrm => {
                let p = LinkParams::parse(&f.info).unwrap_or_default();
                // The server's receive length and window bound what we send.
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                self.window_tx = p.window_rx.min(self.cfg.window).clamp(1, 7);
                self.connected = true;
                self.ns = 0;
                self.nr = 0;
                self.k.emit(DlmsEvent::Connected {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx,
                    window: p.window_tx.min(self.cfg.window.max(1)),
                });
                self.finish(now);
            }
            Control::Ua { .. } | Control::Dm { .. } if op == Op::Disc => {
                self.connected = false;
                self.associated = false;
                self.k.emit(DlmsEvent::Disconnected);
                self.finish(now);
            }
            Control::Dm { .. } => {
                self.k.current = None;
                self.connected = false;
                self.fail(now, op, Failure::DisconnectedMode);
            }
            Control::Frmr { .. } => {
                self.k.current = None;
                self.fail(now, op, Failure::FrameReject(f.info));
            }
            Control::Rr { nr, .. } => {
                // The meter acknowledges segments of ours: go on, or go back to N(R).
                let sending =
                    self.k.current.as_ref().is_some_and(|ex| !ex.unacked.is_empty() || !ex.segments.is_empty());
                if !sending || !self.ack(nr) {
                    self.notice(Notice::Ignored);
                    return;
                }
                let resend = self.k.current.as_ref().is_some_and(|ex| !ex.unacked.is_empty());
                if resend && self.k.current.as_ref().is_some_and(|ex| ex.attempt > self.cfg.retries) {
                    let attempts = self.k.current.as_ref().map_or(0, |ex| ex.attempt);
                    self.abort(now, Failure::Timeout { attempts });
                    return;
                }
                self.send_window(now, resend);
            }
            Control::I { ns, nr, pf } => {
                self.ack(nr);
                if ns != self.nr {
                    self.notice(Notice::OutOfSequence { ns, expected: self.nr });
                    if pf {
                        // Ask for the frames from the one expected.
                        self.poll(now, true);
                    }
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let reply_timeout = self.cfg.reply_timeout;
                let Some(ex) = self.k.current.as_mut() else {
                    self.notice(Notice::Ignored);
                    return;
                };
                ex.deadline = now.after(reply_timeout);
                let info = match f.info.as_slice() {
                    [0xE6, 0xE7, rest @ ..] if ex.rx.is_empty() => rest.get(1..).unwrap_or_default(),
                    all => all,
                };
                if ex.rx.len() + info.len() > APDU_LIMIT {
                    self.abort(now, Failure::Protocol("reply too long".into()));
                    return;
                }
                ex.rx.extend_from_slice(info);
                if f.segmented {
                    if pf {
                        self.poll(now, false);
                    }
                    return;
                }
                let apdu = std::mem::take(&mut ex.rx);
                self.final_bit = pf;
                self.on_apdu(now, apdu);
            }
            _ => self.notice(Notice::Ignored),
        }
    }
}

impl Machine for DlmsSession {
    crate::session::kernel_in_k!(DlmsEvent);

    fn process_rx(&mut self, now: Millis) {
        loop {
            if self.k.rx.is_empty() {
                return;
            }
            let status = match self.cfg.transport {
                Transport::Hdlc => hdlc::frame(&self.k.rx),
                Transport::Wrapper => wrapper::frame(&self.k.rx),
            };
            match status {
                FrameStatus::Complete { preamble, len } => {
                    if preamble > 0 {
                        self.k.rx.drain(..preamble);
                    }
                    let frame: Vec<u8> = self.k.rx.drain(..len).collect();
                    self.on_frame(now, &frame);
                }
                FrameStatus::Incomplete { preamble, .. } => {
                    if self.k.rx.len() > RX_LIMIT {
                        let n = self.k.rx.len();
                        self.k.rx.clear();
                        self.notice(Notice::Junk(n));
                    } else if preamble > 0 {
                        self.k.rx.drain(..preamble);
                    }
                    return;
                }
                FrameStatus::NoMatch => {
                    // Skip to the next byte that may start a frame.
                    let start = match self.cfg.transport {
                        Transport::Hdlc => self.k.rx.iter().skip(1).position(|&b| b == hdlc::FLAG),
                        Transport::Wrapper => self.k.rx.windows(2).skip(1).position(|w| w == [0, 1]),
                    };
                    let n = start.map_or(self.k.rx.len(), |p| p + 1);
                    // A lone closing flag of the previous frame is no junk worth reporting.
                    if !(n == 1 && self.k.rx[0] == hdlc::FLAG) {
                        self.notice(Notice::Junk(n));
                    }
                    self.k.rx.drain(..n);
                }
            }
        }
    }

    fn retry(&mut self, now: Millis) {
        match self.k.retry(self.cfg.retries) {
            Retry::Again(ex) => self.k.resend(self.deadline(now, ex.frame.len()), ex),
            Retry::Spent(ex) => {
                let attempts = ex.attempt;
                self.fail(now, ex.state.op, Failure::Timeout { attempts });
            }
            Retry::Idle => {}
        }
    }
}
