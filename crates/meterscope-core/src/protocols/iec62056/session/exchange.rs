//! The jobs queued and started, transmits and line switches (wait, reopen),
//! retries, break-off, and received bytes cut into messages.

use super::*;

impl Iec62056Session {
    pub(super) fn enqueue(&mut self, now: Millis, job: Job) {
        self.k.enqueue([job]);
        self.advance(now);
    }

    pub(super) fn notice(&mut self, n: Notice) {
        self.k.emit(IecEvent::Notice(n));
    }

    pub(super) fn advance(&mut self, now: Millis) {
        if self.k.current.is_some() {
            return;
        }
        match self.k.queue.pop_front() {
            Some(job) => self.start(now, job, 1),
            None => {
                if self.k.finish() {
                    self.k.emit(IecEvent::Done);
                }
            }
        }
    }

    pub(super) fn start(&mut self, now: Millis, job: Job, attempt: u8) {
        self.k.rx.clear();
        self.junk = 0;
        if let Job::Listen { telegrams } = job {
            self.reopen(MODE_D_LINE);
            let deadline = self.cfg.listen_timeout.map(|t| now.after(t));
            self.k.current = Some(Current {
                job,
                state: State::Listen,
                attempt,
                deadline,
                request: Vec::new(),
                telegrams_left: telegrams,
            });
            return;
        }
        let initial = self.cfg.initial;
        let mut delay = 0;
        if self.line != initial {
            self.reopen(initial);
        }
        if attempt > 1 {
            // Let the meter fall back to its initial state before signing on again.
            self.k.act(Action::Wait(Millis(self.cfg.recovery)));
            delay += self.cfg.recovery;
        }
        let request = Message::Request { address: self.cfg.address.clone() }.emit();
        let deadline = Some(self.deadline(now, &request, delay));
        self.transmit(&request);
        self.k.current = Some(Current { job, state: State::SignOn, attempt, deadline, request, telegrams_left: 1 });
    }

    /// When a reply to `bytes` must have begun, `extra` ms of waits included.
    pub(super) fn deadline(&self, now: Millis, bytes: &[u8], extra: u64) -> Millis {
        now.after(self.line.wire_time(bytes.len()) + extra + self.cfg.reply_timeout)
    }

    pub(super) fn transmit(&mut self, bytes: &[u8]) {
        // Echoes come back in order: a break's echo may precede the next sign-on's.
        if self.echo.len() + bytes.len() > MAX_LINE * 4 {
            self.echo.clear();
            self.echo_held = 0;
        }
        self.echo.extend_from_slice(bytes);
        self.k.transmit(bytes);
    }

    pub(super) fn reopen(&mut self, line: LineSettings) {
        if self.line != line {
            self.line = line;
            self.k.act(Action::Reopen(line));
        }
    }

    /// Settle, then switch to `line` (announced as an event).
    pub(super) fn switch(&mut self, line: LineSettings, settle: bool) {
        if self.line == line {
            return;
        }
        if settle {
            self.k.act(Action::Wait(Millis(self.cfg.settle())));
        }
        self.reopen(line);
        self.k.emit(IecEvent::BaudSwitch(line));
    }

    /// End the job under way; the line returns to the initial rate.
    pub(super) fn finish(&mut self, now: Millis) {
        self.k.current = None;
        self.k.rx.clear();
        let back = self.cfg.initial;
        if self.line != back && self.line != MODE_D_LINE {
            self.reopen(back);
        }
        self.advance(now);
    }

    pub(super) fn fail(&mut self, now: Millis, failure: Failure) {
        self.k.emit(IecEvent::Error(failure));
        self.finish(now);
    }

    /// Send the break `SOH B0 ETX BCC` and end the job.
    pub(super) fn break_off(&mut self, now: Millis) {
        let b0 = Message::Command { command: b'B', kind: b'0', data: None, partial: false }.emit();
        self.transmit(&b0);
        // Let the break leave at the programming rate before the line changes back.
        self.k.act(Action::Wait(Millis(self.line.wire_time(b0.len()))));
        self.finish(now);
    }

    /// Delimit the message at the start of `rx`.
    pub(super) fn next(&self) -> Next {
        let b = &self.k.rx;
        match b[0] {
            b'/' => match b.iter().take(MAX_LINE).position(|&c| c == LF) {
                Some(i) => Next::Complete(i + 1),
                None if b.len() < MAX_LINE && b[1..].iter().all(|&c| c == CR || (0x20..0x7F).contains(&c)) => {
                    Next::Incomplete
                }
                None => Next::Junk,
            },
            STX | SOH => match frame::kind(b) {
                Some((_, FrameStatus::Complete { len, .. })) => Next::Complete(len),
                Some((_, FrameStatus::Incomplete { .. })) if b.len() < RX_LIMIT => Next::Incomplete,
                _ => Next::Junk,
            },
            ACK => {
                // An option select (an echo that was not removed) or a lone ACK.
                let v = &b[1..b.len().min(4)];
                if !v.is_empty() && v.iter().all(u8::is_ascii_alphanumeric) {
                    return match frame::eol_at(b, 4) {
                        Some(e) => Next::Complete(e),
                        None if b.len() < 6 => Next::Incomplete,
                        None => Next::Complete(1),
                    };
                }
                Next::Complete(1)
            }
            NAK => Next::Complete(1),
            _ => Next::Junk,
        }
    }
}

impl Machine for Iec62056Session {
    crate::session::kernel_in_k!(IecEvent);

    /// Bytes that repeat our last transmission are held aside as a possible
    /// echo; the rest is buffered.
    fn accept(&mut self, now: Millis, bytes: &[u8]) {
        self.k.last_rx = now;
        for &b in bytes {
            if !self.echo.is_empty() {
                if self.echo[self.echo_held] == b {
                    self.echo_held += 1;
                    if self.echo_held == self.echo.len() {
                        self.echo.clear();
                        self.echo_held = 0;
                        self.notice(Notice::Echo);
                    }
                    continue;
                }
                // Not (or no longer) an echo: give back what was held.
                let held = self.echo_held;
                self.k.rx.extend_from_slice(&self.echo[..held]);
                self.echo.clear();
                self.echo_held = 0;
            }
            self.k.rx.push(b);
        }
    }

    /// Cut what has arrived into messages and act on each; with nothing
    /// expected (after a hand-over the line is the HDLC session's) it is dropped.
    fn process_rx(&mut self, now: Millis) {
        if self.k.current.is_none() {
            self.k.rx.clear();
            return;
        }
        while !self.k.rx.is_empty() {
            match self.next() {
                Next::Junk => {
                    self.junk += 1;
                    self.k.rx.remove(0);
                }
                Next::Incomplete => return,
                Next::Complete(len) => {
                    let msg: Vec<u8> = self.k.rx.drain(..len).collect();
                    if self.junk > 0 {
                        let n = std::mem::take(&mut self.junk);
                        self.notice(Notice::Junk(n));
                    }
                    self.on_message(now, &msg);
                }
            }
        }
        if self.junk > 0 {
            let n = std::mem::take(&mut self.junk);
            self.notice(Notice::Junk(n));
        }
    }

    /// A timeout or a damaged reply: repeat, restart from the sign-on, or give up.
    fn retry(&mut self, now: Millis) {
        let Some(mut cur) = self.k.current.take() else { return };
        self.k.rx.clear();
        self.echo.clear();
        self.echo_held = 0;
        let exhausted = cur.attempt > self.cfg.retries;
        match cur.state {
            State::Listen => {
                self.k.current = Some(cur);
                self.fail(now, Failure::Timeout { stage: Stage::Listen, attempts: 1 });
            }
            State::Password | State::Register(_) if !exhausted => {
                // In programming mode the request itself is repeated.
                cur.attempt += 1;
                self.notice(Notice::Retry { attempt: cur.attempt });
                cur.deadline = Some(self.deadline(now, &cur.request, 0));
                let request = cur.request.clone();
                self.transmit(&request);
                self.k.current = Some(cur);
            }
            State::Password | State::Register(_) => {
                self.k.emit(IecEvent::Error(Failure::Timeout { stage: cur.state.stage(), attempts: cur.attempt }));
                self.k.current = Some(cur);
                self.break_off(now);
            }
            _ if !exhausted => {
                let attempt = cur.attempt + 1;
                self.notice(Notice::Retry { attempt });
                self.start(now, cur.job, attempt);
            }
            state => {
                self.k.current = Some(cur);
                self.fail(now, Failure::Timeout { stage: state.stage(), attempts: self.cfg.retries + 1 });
            }
        }
    }

    fn held(&self) -> usize {
        self.echo_held
    }

    fn drop_held(&mut self) {
        self.echo.clear();
        self.echo_held = 0;
        self.junk = 0;
    }
}
