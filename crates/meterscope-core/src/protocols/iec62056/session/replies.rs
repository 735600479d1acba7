//! The messages of the meter: identification (mode and baud rate chosen),
//! readout blocks with their BCC, programming mode (operand, password,
//! registers one by one).

use super::*;

impl Iec62056Session {
    pub(super) fn on_message(&mut self, now: Millis, m: &[u8]) {
        // Requests and option selects only ever come from an HHU: our echo.
        if m.starts_with(b"/?") || (m[0] == ACK && m.len() > 1) {
            self.notice(Notice::Echo);
            return;
        }
        let Some(state) = self.k.current.as_ref().map(|c| c.state) else {
            self.notice(Notice::Unexpected(to_hex(m)));
            return;
        };
        if m[0] == SOH && self.k.current.as_ref().is_some_and(|c| c.request == m) {
            self.notice(Notice::Echo);
            return;
        }
        match (state, m[0]) {
            (State::SignOn | State::Listen, b'/') => self.on_identification(now, m),
            (State::Readout | State::Listen, STX) => self.on_readout(now, m),
            (State::Operand, SOH) => self.on_operand(now, m),
            (State::Password, _) => self.on_password_reply(now, m),
            (State::Register(i), STX) => self.on_register(now, i, m),
            (State::Register(_), NAK) => self.repeat(now),
            _ => self.notice(Notice::Unexpected(to_hex(m))),
        }
    }

    pub(super) fn on_identification(&mut self, now: Millis, m: &[u8]) {
        let ident = Message::parse(m).ok().as_ref().and_then(Identification::from_message);
        let Some(ident) = ident else {
            self.notice(Notice::Unexpected(to_hex(m)));
            return;
        };
        self.k.emit(IecEvent::Identified(ident.clone()));
        let Some(mut cur) = self.k.current.take() else { return };
        if cur.state == State::Listen {
            // Mode D: the data message follows on the same line.
            cur.deadline = cur.deadline.map(|_| now.after(self.cfg.reply_timeout.max(self.cfg.byte_gap)));
            self.k.current = Some(cur);
            return;
        }
        let wanted = match cur.job {
            Job::Readout => self.cfg.mode,
            Job::Program { .. } => Mode::C,
            Job::HandOver => Mode::E,
            Job::Listen { .. } => Mode::D,
        };
        let announced = ident.mode;
        if matches!(wanted, Mode::A | Mode::B | Mode::C) && announced != wanted && cur.job == Job::Readout {
            self.notice(Notice::ModeMismatch { configured: wanted, announced });
        }
        let rate = |cap: Option<u32>| {
            let offered = ident.max_baud.unwrap_or(300);
            let limit = cap.unwrap_or(u32::MAX);
            RATES_C.iter().copied().filter(|&r| r <= offered && r <= limit).max().unwrap_or(300)
        };
        let reply = self.cfg.reply_timeout;
        match (&cur.job, announced) {
            (Job::Readout, Mode::A) => {
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
            (Job::Readout, Mode::B) => {
                // Both ends switch at once; the meter's rate is not negotiable.
                let line = line_7e1(ident.max_baud.unwrap_or(300));
                self.switch(line, false);
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
            (Job::Readout | Job::Program { .. }, Mode::C) => {
                let r = rate(self.cfg.max_baud);
                let z = baud_char_c(r).unwrap_or(b'0');
                let program = matches!(cur.job, Job::Program { .. });
                let select = Message::OptionSelect { protocol: b'0', baud: z, mode: if program { b'1' } else { b'0' } };
                let bytes = select.emit();
                let deadline = self.deadline(now, &bytes, self.cfg.settle());
                self.transmit(&bytes);
                self.switch(line_7e1(r), true);
                cur.state = if program { State::Operand } else { State::Readout };
                cur.deadline = Some(deadline);
                cur.request = bytes;
            }
            (Job::HandOver, Mode::C) if ident.mode_e => {
                let r = rate(self.cfg.max_baud);
                let z = baud_char_c(r).unwrap_or(b'0');
                let bytes = Message::OptionSelect { protocol: b'2', baud: z, mode: b'2' }.emit();
                self.transmit(&bytes);
                // The meter's acknowledgement at the old rate is not waited for.
                let line = line_8n1(r);
                self.switch(line, true);
                self.k.emit(IecEvent::HandOver(line));
                self.k.rx.clear();
                // The line now belongs to the HDLC session: no return to the initial rate.
                self.k.current = None;
                self.advance(now);
                return;
            }
            (Job::HandOver, _) => {
                self.k.current = Some(cur);
                self.fail(now, Failure::NotSupported("mode E (the identification offers no \\2)"));
                return;
            }
            (Job::Program { .. }, _) => {
                self.k.current = Some(cur);
                self.fail(now, Failure::NotSupported("programming mode (the meter is not in mode C)"));
                return;
            }
            (Job::Readout, _) | (Job::Listen { .. }, _) => {
                cur.state = State::Readout;
                cur.deadline = Some(now.after(reply));
            }
        }
        self.k.current = Some(cur);
    }

    /// Check the BCC of a block; `(end, ok)` with `end` the index of ETX/EOT.
    pub(super) fn block_bcc(&mut self, m: &[u8]) -> Option<(usize, bool)> {
        let end = m.len().checked_sub(2)?;
        let stated = m[end + 1];
        let computed = frame::bcc(&m[1..=end]);
        let ok = stated == computed || stated & 0x7F == frame::bcc7(&m[1..=end]);
        if !ok {
            self.notice(Notice::BadBcc { stated, computed });
        }
        Some((end, ok))
    }

    pub(super) fn on_readout(&mut self, now: Millis, m: &[u8]) {
        let Some((end, ok)) = self.block_bcc(m) else { return };
        let Some(mut cur) = self.k.current.take() else { return };
        let exhausted = cur.attempt > self.cfg.retries;
        if !ok && !exhausted && cur.state != State::Listen {
            self.k.current = Some(cur);
            self.retry(now);
            return;
        }
        // The data lines end at `!` on a line of its own (a partial block ends at EOT).
        let bang = (1..end).find(|&i| m[i] == b'!' && (i == 1 || m[i - 1] == LF)).unwrap_or(end);
        let found = readings(m, 1..bang, self.cfg.lang);
        let sets = found.len();
        for r in found {
            self.k.emit(IecEvent::Reading(r));
        }
        self.k.emit(IecEvent::ReadoutEnd { sets, bcc_ok: ok });
        if cur.state == State::Listen {
            cur.telegrams_left = cur.telegrams_left.saturating_sub(1);
            if cur.telegrams_left > 0 {
                cur.deadline = self.cfg.listen_timeout.map(|t| now.after(t));
                self.k.current = Some(cur);
                return;
            }
        }
        self.k.current = Some(cur);
        if ok {
            self.finish(now);
        } else {
            self.fail(now, Failure::BadBcc);
        }
    }

    pub(super) fn on_operand(&mut self, now: Millis, m: &[u8]) {
        let operand = match Message::parse(m) {
            Ok(Message::Command { command: b'P', kind: b'0', data, .. }) => {
                data.and_then(|d| d.values.first().map(|v| v.value.clone())).unwrap_or_default()
            }
            _ => {
                self.notice(Notice::Unexpected(to_hex(m)));
                return;
            }
        };
        self.k.emit(IecEvent::Operand(operand));
        let Some(mut cur) = self.k.current.take() else { return };
        let Job::Program { password, .. } = &cur.job else { return };
        let p1 = Message::Command {
            command: b'P',
            kind: b'1',
            data: Some(DataSet { address: String::new(), values: vec![Value { value: password.clone(), unit: None }] }),
            partial: false,
        }
        .emit();
        cur.deadline = Some(self.deadline(now, &p1, 0));
        cur.state = State::Password;
        cur.attempt = 1;
        cur.request = p1.clone();
        self.transmit(&p1);
        self.k.current = Some(cur);
    }

    pub(super) fn on_password_reply(&mut self, now: Millis, m: &[u8]) {
        match m[0] {
            ACK => {
                self.k.emit(IecEvent::LoggedIn);
                self.next_register(now, 0);
            }
            NAK => self.repeat(now),
            STX | SOH => {
                let text = match Message::parse(m) {
                    Ok(Message::Error { text }) => text,
                    Ok(Message::Command { command: b'B', .. }) => "break".to_string(),
                    _ => {
                        self.notice(Notice::Unexpected(to_hex(m)));
                        return;
                    }
                };
                self.k.emit(IecEvent::Error(Failure::WrongPassword(text)));
                self.break_off(now);
            }
            _ => self.notice(Notice::Unexpected(to_hex(m))),
        }
    }

    /// The meter asked for a repetition.
    pub(super) fn repeat(&mut self, now: Millis) {
        let Some(mut cur) = self.k.current.take() else { return };
        self.notice(Notice::RepeatRequest);
        if cur.attempt > self.cfg.retries {
            let stage = cur.state.stage();
            self.k.current = Some(cur);
            self.k.emit(IecEvent::Error(Failure::Timeout { stage, attempts: self.cfg.retries + 1 }));
            self.break_off(now);
            return;
        }
        cur.attempt += 1;
        cur.deadline = Some(self.deadline(now, &cur.request, 0));
        let request = cur.request.clone();
        self.transmit(&request);
        self.k.current = Some(cur);
    }

    /// Read register `i` with R1, or break when all are read.
    pub(super) fn next_register(&mut self, now: Millis, i: usize) {
        let Some(mut cur) = self.k.current.take() else { return };
        let Job::Program { registers, .. } = &cur.job else { return };
        let Some(address) = registers.get(i) else {
            self.k.current = Some(cur);
            self.break_off(now);
            return;
        };
        let r1 = Message::Command {
            command: b'R',
            kind: b'1',
            data: Some(DataSet { address: address.clone(), values: vec![Value { value: String::new(), unit: None }] }),
            partial: false,
        }
        .emit();
        cur.state = State::Register(i);
        cur.attempt = 1;
        cur.deadline = Some(self.deadline(now, &r1, 0));
        cur.request = r1.clone();
        self.transmit(&r1);
        self.k.current = Some(cur);
    }

    pub(super) fn on_register(&mut self, now: Millis, i: usize, m: &[u8]) {
        let Some((end, ok)) = self.block_bcc(m) else { return };
        if !ok {
            // Ask for the answer again.
            let nak = vec![NAK];
            self.transmit(&nak);
            if let Some(cur) = self.k.current.as_mut() {
                cur.deadline = Some(now.after(self.line.wire_time(1) + self.cfg.reply_timeout));
            }
            return;
        }
        let address = match &self.k.current.as_ref().map(|c| &c.job) {
            Some(Job::Program { registers, .. }) => registers.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let body = &m[1..end];
        let lone = body.first() == Some(&b'(') && body.last() == Some(&b')') && !body.contains(&CR);
        if lone && !body[1..body.len() - 1].contains(&b'(') {
            let text = String::from_utf8_lossy(&body[1..body.len() - 1]).into_owned();
            self.k.emit(IecEvent::RegisterError { address, text });
        } else {
            let mut found = readings(m, 1..end, self.cfg.lang);
            // A meter may answer with the value alone: name it after the request.
            for r in &mut found {
                if r.address.is_empty() {
                    *r = Reading::new(
                        &address,
                        r.values
                            .iter()
                            .map(|v| Value {
                                value: v.value.clone(),
                                unit: (!v.unit.is_empty()).then(|| v.unit.clone()),
                            })
                            .collect(),
                        self.cfg.lang,
                    );
                }
            }
            for r in found {
                self.k.emit(IecEvent::Reading(r));
            }
        }
        self.next_register(now, i + 1);
    }
}
