//! The head-end operations a caller asks for, queued and started one at a
//! time, and how an exchange ends (finished, failed, aborted).

use super::*;

impl DlmsSession {
    /// Connect the link and open the association (done by itself before the
    /// first service when not called).
    pub fn open(&mut self, now: Millis) {
        let mut ops = Vec::new();
        if self.cfg.transport == Transport::Hdlc && !self.connected {
            ops.push(Op::Snrm);
        }
        ops.push(Op::Aarq);
        self.enqueue(now, ops);
    }

    /// Read attributes, one GET each; registers with their scaler and unit.
    pub fn read(&mut self, now: Millis, attrs: &[AttrRef]) {
        self.enqueue(now, attrs.iter().map(|a| Op::Get(*a, None, Purpose::Value)));
    }

    /// Read attributes in one GET-Request-With-List (one GET each when the
    /// meter does not grant multiple references); registers with their
    /// scaler and unit.
    pub fn read_list(&mut self, now: Millis, attrs: &[AttrRef]) {
        self.enqueue(now, [Op::GetList(attrs.to_vec())]);
    }

    /// Read an attribute with selective access.
    pub fn read_selective(&mut self, now: Millis, attr: AttrRef, access: Access) {
        self.enqueue(now, [Op::Get(attr, Some(access), Purpose::Value)]);
    }

    /// Read every attribute of an object (those its interface class defines).
    pub fn read_object(&mut self, now: Millis, class: u16, obis: [u8; 6]) {
        let attrs = all_attributes(class, obis);
        if !attrs.is_empty() {
            self.read_list(now, &attrs);
        }
    }

    /// Read the clock.
    pub fn read_clock(&mut self, now: Millis) {
        self.enqueue(now, [Op::Get(AttrRef::new(8, CLOCK, 2), None, Purpose::Clock)]);
    }

    /// Set the clock to `time` (the caller's clock: the core reads none).
    pub fn sync_clock(&mut self, now: Millis, time: DateTime, _: Confirm) {
        let attr = AttrRef::new(8, CLOCK, 2);
        self.enqueue(now, [Op::Set(attr, Data::DateTime(octets(time)), Some(time))]);
    }

    /// Browse the object list of the current association.
    pub fn browse(&mut self, now: Millis) {
        self.enqueue(now, [Op::Get(AttrRef::new(15, ASSOCIATION_LN, 2), None, Purpose::ObjectList)]);
    }

    /// Read a profile: its capture objects, then its buffer, whole or by
    /// `access` ([`Access::range`], [`Access::entries`]). Timed: see
    /// [`DlmsSession::line_times`].
    pub fn read_profile(&mut self, now: Millis, obis: [u8; 6], access: Option<Access>) {
        self.enqueue(
            now,
            [
                Op::Get(AttrRef::new(7, obis, 3), None, Purpose::Columns),
                Op::Get(AttrRef::new(7, obis, 2), access, Purpose::Buffer),
            ],
        );
    }

    /// Read an event log (a profile of capture time and event code).
    pub fn read_event_log(&mut self, now: Millis, obis: [u8; 6], access: Option<Access>) {
        self.read_profile(now, obis, access);
    }

    /// Read the firmware identifiers and signature ([`FIRMWARE`]).
    pub fn read_firmware(&mut self, now: Millis) {
        let attrs: Vec<AttrRef> = FIRMWARE.iter().map(|o| AttrRef::new(1, *o, 2)).collect();
        self.read_list(now, &attrs);
    }

    /// Read the alarm register and the alarm filter.
    pub fn read_alarms(&mut self, now: Millis) {
        self.read_list(now, &[AttrRef::new(1, ALARM_REGISTER, 2), AttrRef::new(1, ALARM_FILTER, 2)]);
    }

    /// Clear the alarm register (write 0).
    pub fn clear_alarms(&mut self, now: Millis, confirm: Confirm) {
        self.set(now, AttrRef::new(1, ALARM_REGISTER, 2), Data::DoubleLongUnsigned(0), confirm);
    }

    /// Read the disconnect control: output state, control state, control mode.
    pub fn read_disconnect_control(&mut self, now: Millis) {
        self.read_object(now, 70, DISCONNECT_CONTROL);
    }

    /// Open the supply relay (remote_disconnect, method 1).
    pub fn disconnect(&mut self, now: Millis, confirm: Confirm) {
        self.action(now, AttrRef::new(70, DISCONNECT_CONTROL, 1), Some(Data::Integer(0)), confirm);
    }

    /// Close the supply relay (remote_reconnect, method 2).
    pub fn reconnect(&mut self, now: Millis, confirm: Confirm) {
        self.action(now, AttrRef::new(70, DISCONNECT_CONTROL, 2), Some(Data::Integer(0)), confirm);
    }

    /// Read a push setup object (push objects, destination, windows, retries).
    pub fn read_push_setup(&mut self, now: Millis, obis: [u8; 6]) {
        self.read_object(now, 40, obis);
    }

    /// Trigger a push (method 1 of the push setup).
    pub fn push(&mut self, now: Millis, obis: [u8; 6], confirm: Confirm) {
        self.action(now, AttrRef::new(40, obis, 1), Some(Data::Integer(0)), confirm);
    }

    /// Read an M-Bus client object (the device on an M-Bus channel).
    pub fn read_mbus_client(&mut self, now: Millis, obis: [u8; 6]) {
        self.read_object(now, 72, obis);
    }

    /// Write an attribute (explicitly confirmed).
    pub fn set(&mut self, now: Millis, attr: AttrRef, value: Data, _: Confirm) {
        self.enqueue(now, [Op::Set(attr, value, None)]);
    }

    /// Invoke a method (explicitly confirmed).
    pub fn action(&mut self, now: Millis, method: AttrRef, params: Option<Data>, _: Confirm) {
        self.enqueue(now, [Op::Action(method, params)]);
    }

    /// Release the association and disconnect the link.
    pub fn close(&mut self, now: Millis) {
        let mut ops = vec![Op::Release];
        if self.cfg.transport == Transport::Hdlc {
            ops.push(Op::Disc);
        }
        self.enqueue(now, ops);
    }

    pub(super) fn enqueue(&mut self, now: Millis, ops: impl IntoIterator<Item = Op>) {
        self.k.enqueue(ops);
        self.advance(now);
    }

    pub(super) fn notice(&mut self, n: Notice) {
        self.k.emit(DlmsEvent::Notice(n));
    }

    pub(super) fn advance(&mut self, now: Millis) {
        while self.k.current.is_none() {
            let Some(op) = self.k.queue.pop_front() else {
                if self.k.finish() {
                    if self.cfg.security.is_some() {
                        self.k.emit(DlmsEvent::InvocationCounter(self.ic));
                    }
                    self.k.emit(DlmsEvent::Done);
                }
                return;
            };
            self.start(now, op);
        }
    }

    pub(super) fn needs_association(op: &Op) -> bool {
        matches!(op, Op::Get(..) | Op::GetList(_) | Op::Set(..) | Op::Action(..))
    }

    /// Whether an operation needs the short names of the objects.
    pub(super) fn needs_names(op: &Op) -> bool {
        match op {
            Op::Get(_, _, p) => !matches!(p, Purpose::ObjectList | Purpose::SnNames),
            Op::GetList(_) | Op::Set(..) => true,
            _ => false,
        }
    }

    pub(super) fn next_invoke(&mut self) -> u8 {
        self.invoke = (self.invoke + 1) % 16;
        0xC0 | self.invoke
    }

    pub(super) fn start(&mut self, now: Millis, op: Op) {
        if Self::needs_association(&op) && !self.associated {
            self.k.queue.push_front(op);
            self.k.queue.push_front(Op::Aarq);
            if self.cfg.transport == Transport::Hdlc && !self.connected {
                self.k.queue.push_front(Op::Snrm);
            }
            return;
        }
        // A register's value needs its scaler and unit first (once per association).
        let needs_scaler = |s: &Self, a: &AttrRef| {
            matches!(a.class, 3 | 4) && a.index == 2 && !s.scalers.contains_key(&(a.class, a.obis))
        };
        if let Op::Get(a, None, Purpose::Value) = &op
            && needs_scaler(self, a)
        {
            let s = AttrRef::new(a.class, a.obis, 3);
            self.k.queue.push_front(op);
            self.k.queue.push_front(Op::Get(s, None, Purpose::Scaler));
            return;
        }
        if let Op::GetList(attrs) = &op {
            // Without multiple references a list is read one attribute at a time.
            if self.granted & conformance::MULTIPLE_REFERENCES == 0 || attrs.len() == 1 {
                for a in attrs.iter().rev() {
                    self.k.queue.push_front(Op::Get(*a, None, Purpose::Value));
                }
                return;
            }
            // Scalers the list does not read itself come first.
            let missing: Vec<AttrRef> = attrs
                .iter()
                .filter(|a| needs_scaler(self, a) && !attrs.contains(&AttrRef::new(a.class, a.obis, 3)))
                .map(|a| AttrRef::new(a.class, a.obis, 3))
                .collect();
            if !missing.is_empty() {
                self.k.queue.push_front(op);
                for s in missing.into_iter().rev() {
                    self.k.queue.push_front(Op::Get(s, None, Purpose::Scaler));
                }
                return;
            }
        }
        // Short names come from the object list, read once per association.
        if self.cfg.short_names && self.sn_names.is_none() && Self::needs_names(&op) {
            self.k.queue.push_front(op);
            self.k.queue.push_front(Op::Get(AttrRef::new(12, ASSOCIATION_LN, 2), None, Purpose::SnNames));
            return;
        }
        if let Op::Get(a, _, Purpose::Columns | Purpose::Buffer) = &op
            && self.k.timing.is_none()
        {
            self.timed = Some(a.obis);
            self.k.timing = Some(LineTime::start(self.cfg.line, now));
        }
        let invoke = self.next_invoke();
        let apdu = match &op {
            Op::Snrm => {
                let p = LinkParams {
                    max_info_tx: self.cfg.max_info,
                    max_info_rx: self.cfg.max_info,
                    window_tx: self.cfg.window.clamp(1, 7),
                    window_rx: self.cfg.window.clamp(1, 7),
                };
                let frame = self.hdlc(Control::Snrm { pf: true }, p.emit(), false);
                self.send_frame(now, op, frame);
                return;
            }
            Op::Disc => {
                let frame = self.hdlc(Control::Disc { pf: true }, Vec::new(), false);
                self.send_frame(now, op, frame);
                return;
            }
            Op::Aarq => match self.aarq() {
                Ok(apdu) => apdu,
                Err(f) => {
                    self.abort(now, f);
                    return;
                }
            },
            Op::Release => assoc::rlrq(),
            _ if self.cfg.short_names => match self.sn_request(&op) {
                Ok(plain) => self.cipher(plain),
                Err(f) => {
                    self.fail(now, op, f);
                    return;
                }
            },
            Op::HlsReply(stoc) => {
                let Some(sec) = &self.cfg.security else { return };
                let proof = assoc::hls_gmac(&sec.keys, &sec.system_title, self.ic, stoc);
                self.ic = self.ic.wrapping_add(1);
                let method = AttrRef::new(15, ASSOCIATION_LN, 1);
                self.cipher(Request::Action { invoke, method, params: Some(Data::OctetString(proof)) }.emit())
            }
            Op::Get(attr, access, _) => {
                self.cipher(Request::Get { invoke, attr: *attr, access: access.clone() }.emit())
            }
            Op::GetList(attrs) => {
                self.cipher(Request::GetWithList { invoke, items: attrs.iter().map(|a| (*a, None)).collect() }.emit())
            }
            Op::Set(attr, value, _) => {
                self.cipher(Request::Set { invoke, attr: *attr, access: None, value: value.clone() }.emit())
            }
            Op::Action(method, params) => {
                self.cipher(Request::Action { invoke, method: *method, params: params.clone() }.emit())
            }
        };
        self.send_apdu(now, op, apdu, invoke);
    }

    pub(super) fn attr_of_op(op: &Op) -> Option<AttrRef> {
        match op {
            Op::Get(a, ..) | Op::Set(a, ..) | Op::Action(a, _) => Some(*a),
            _ => None,
        }
    }

    /// The timed profile read is over.
    pub(super) fn end_timing(&mut self) {
        if let (Some(obis), Some(t)) = (self.timed.take(), self.k.timing.take()) {
            self.line_times.push((obis, t));
        }
    }

    /// End an exchange with a failure. A failed link or association ends
    /// every queued service too.
    pub(super) fn fail(&mut self, now: Millis, op: Op, failure: Failure) {
        let link_lost = matches!(op, Op::Snrm)
            || matches!(failure, Failure::Timeout { .. } | Failure::DisconnectedMode | Failure::FrameReject(_));
        let fatal = link_lost || matches!(op, Op::Aarq | Op::HlsReply(_));
        if fatal || matches!(op, Op::Get(_, _, Purpose::Buffer)) {
            self.end_timing();
        }
        self.k.emit(DlmsEvent::Error { attr: Self::attr_of_op(&op), failure });
        if fatal {
            self.associated = false;
            if link_lost {
                self.connected = false;
            }
            let queue = std::mem::take(&mut self.k.queue);
            for op in queue {
                if Self::needs_association(&op) {
                    let attr = Self::attr_of_op(&op);
                    self.k.emit(DlmsEvent::Error { attr, failure: Failure::NotAssociated });
                } else if !matches!(op, Op::Aarq | Op::HlsReply(_) | Op::Release) {
                    self.k.queue.push_back(op);
                }
            }
        }
        self.advance(now);
    }

    /// End the exchange under way with a failure.
    pub(super) fn abort(&mut self, now: Millis, failure: Failure) {
        if let Some(ex) = self.k.current.take() {
            self.fail(now, ex.state.op, failure);
        }
    }

    pub(super) fn finish(&mut self, now: Millis) {
        self.k.current = None;
        self.advance(now);
    }
}
