//! The requests: address and password checked, reads (with follow-up frames),
//! writes, clock, freezes, events, relay, answered per edition.

use super::*;

impl Dlt645Meter {
    pub(super) fn accepts(&self, a: Address) -> bool {
        a.0.iter().zip(self.address.0).all(|(&x, y)| {
            let nib = |x: u8, y: u8| x == 0xA || x == y;
            nib(x >> 4, y >> 4) && nib(x & 0x0F, y & 0x0F)
        })
    }

    pub(super) fn password_ok(&self, p: &Password) -> bool {
        // The standard writes P0 P1 P2 low byte first: `123456` travels 56 34 12.
        let code = [p.code[2], p.code[1], p.code[0]];
        let level = usize::from(p.level);
        level < self.passwords.len() && self.passwords[level] == Some(code)
    }

    pub(super) fn reply(&mut self, frame: Frame645) {
        let mut out = vec![WAKE_UP; self.cfg.wake_up.min(4)];
        let bytes = frame.emit();
        out.extend_from_slice(&bytes);
        self.last_reply = Some(out.clone());
        self.tx.push_back(out);
    }

    pub(super) fn abnormal(&mut self, f: u8, e: u8) {
        self.reply(Frame645::from_payload(self.address, &Payload::AbnormalReply { function: f, err: e }));
    }

    pub(super) fn ack(&mut self, f: u8) {
        self.reply(Frame645::from_payload(self.address, &Payload::Acknowledge { function: f }));
    }

    pub(super) fn record(&mut self, kind: u8, now: Millis) {
        let t = self.clock(now);
        let e = self.events.entry(kind).or_insert((0, t));
        *e = (e.0 + 1, t);
        // Every change of the meter is also programming (03300000) unless it is a clear.
        if kind >= 0x04 {
            let p = self.events.entry(0).or_insert((0, t));
            *p = (p.0 + 1, t);
        }
    }

    /// Read data with follow-up frames when it is long.
    pub(super) fn send_read(&mut self, di: u32, variant: Variant, data: Vec<u8>) {
        let room = self.cfg.max_data.clamp(1, 200);
        let mut chunks: Vec<Vec<u8>> = data.chunks(room).map(<[u8]>::to_vec).collect();
        if chunks.is_empty() {
            chunks.push(Vec::new());
        }
        let pending = Pending { di, variant, chunks, next: 0 };
        self.pending = Some(pending);
        self.send_chunk(0);
    }

    pub(super) fn send_chunk(&mut self, index: usize) {
        let Some(p) = self.pending.as_mut() else { return };
        let Some(data) = p.chunks.get(index).cloned() else { return };
        let follow = index + 1 < p.chunks.len();
        p.next = index + 1;
        let (di, variant) = (p.di, p.variant);
        if !follow {
            self.pending = None;
        }
        let frame = match (variant, index) {
            (Variant::V2007, 0) => {
                Frame645::from_payload(self.address, &Payload::ReadReply { di: DataId(di), data, follow })
            }
            (Variant::V2007, n) => Frame645::from_payload(
                self.address,
                &Payload::ReadFollowUpReply { di: DataId(di), data, seq: n as u8, follow },
            ),
            (Variant::V1997, 0) => {
                Frame645::from_payload_1997(self.address, &Payload1997::ReadReply { di: di as u16, data, follow })
            }
            (Variant::V1997, _) => Frame645::from_payload_1997(
                self.address,
                &Payload1997::ReadFollowUpReply { di: di as u16, data, follow },
            ),
        };
        self.reply(frame);
    }

    pub(super) fn on_request(&mut self, now: Millis, frame: Frame645) {
        if frame.control.direction() != Direction::MasterToSlave {
            return; // another meter's reply, or our own echo
        }
        let f = frame.control.function();
        let broadcast = frame.address.is_broadcast();
        if !broadcast && !self.accepts(frame.address) {
            return;
        }
        if f == function::BROADCAST_TIME {
            // Both editions: ss mm hh DD MM YY, no reply.
            if frame.data.len() == 6
                && let Some(t) = parse_time("YYMMDDhhmmss", &frame.data, &self.clock(now))
            {
                self.set_clock(now, t);
                self.record(0x04, now);
            }
            return;
        }
        match variant_of(f) {
            Some(Variant::V1997) => self.on_request_1997(now, &frame),
            _ => self.on_request_2007(now, &frame, broadcast),
        }
    }

    pub(super) fn on_request_2007(&mut self, now: Millis, frame: &Frame645, broadcast: bool) {
        let f = frame.control.function();
        let Ok(payload) = frame.payload() else {
            if !broadcast {
                self.abnormal(f, err::OTHER);
            }
            return;
        };
        if broadcast && !matches!(payload, Payload::FreezeRequest { .. }) {
            return;
        }
        match payload {
            Payload::ReadRequest { di, blocks, time } => {
                if di.0 >> 24 == 0x06 && dictionary::lookup(di.0).is_some() {
                    let from = time.and_then(|t| parse_time("YYMMDDhhmm", &t, &self.clock(now)));
                    let data = self.load_records(blocks.unwrap_or(1), from, now);
                    return self.send_read(di.0, Variant::V2007, data);
                }
                match self.data_2007(di.0, now) {
                    Ok(data) => self.send_read(di.0, Variant::V2007, data),
                    Err(e) => self.abnormal(f, e),
                }
            }
            Payload::ReadFollowUpRequest { di, seq } => match &self.pending {
                Some(p) if p.di == di.0 && usize::from(seq) < p.chunks.len() => self.send_chunk(usize::from(seq)),
                _ => self.abnormal(f, err::NO_DATA),
            },
            Payload::ReadAddressRequest => {
                let address = self.address;
                self.reply(Frame645::from_payload(address, &Payload::ReadAddressReply { address }));
            }
            Payload::WriteRequest { di, password, operator, data } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                match self.write(di.0, &data, now, operator) {
                    Ok(()) => self.ack(f),
                    Err(e) => self.abnormal(f, e),
                }
            }
            Payload::WriteAddressRequest { address } => {
                if frame.address != Address::WILDCARD || address.has_wildcard() || address.invalid_byte().is_some() {
                    return self.abnormal(f, err::OTHER);
                }
                self.address = address;
                self.ack(f);
            }
            Payload::FreezeRequest { time } => {
                if time == [0x99; 4] {
                    let t = self.clock(now);
                    let snapshot = std::array::from_fn(|q| std::array::from_fn(|t| self.energy[q][t]));
                    self.freezes.insert(0, (t, snapshot));
                    self.freezes.truncate(3);
                } else {
                    self.params.insert(0x0400_1201, time.to_vec());
                }
                if !broadcast {
                    self.ack(f);
                }
            }
            Payload::ChangeBaudRequest { z } => {
                let bits = z & 0x7E;
                if bits.count_ones() != 1 || z & 0x81 != 0 {
                    return self.abnormal(f, err::BAUD);
                }
                self.reply(Frame645::from_payload(self.address, &Payload::ChangeBaudReply { z }));
                let baud = 300u32 << bits.trailing_zeros();
                self.line = LineSettings { baud, ..self.line };
            }
            Payload::ChangePasswordRequest { di, old, new } => {
                let level = (di.0 & 0xFF) as u8;
                let ok = di.0 >> 8 == 0x04_000C && (1..=10).contains(&level) && new.level == level - 1;
                if !ok || !self.password_ok(&old) || old.level > new.level {
                    return self.abnormal(f, err::PASSWORD);
                }
                self.passwords[usize::from(new.level)] = Some([new.code[2], new.code[1], new.code[0]]);
                self.reply(Frame645::from_payload(self.address, &Payload::ChangePasswordReply { new }));
            }
            Payload::ClearDemandRequest { password, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let t = self.clock(now);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                self.record(0x02, now);
                self.ack(f);
            }
            Payload::ClearMeterRequest { password, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let t = self.clock(now);
                self.energy.iter_mut().flatten().for_each(|e| *e = 0);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                self.record(0x01, now);
                self.ack(f);
            }
            Payload::ClearEventsRequest { password, di, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                if di.0 == 0xFFFF_FFFF {
                    self.events.retain(|k, _| *k == 0x03);
                } else if di.0 >> 8 == 0x03_3000 {
                    self.events.remove(&((di.0 >> 8) as u8));
                }
                self.record(0x03, now);
                self.ack(f);
            }
            Payload::RemoteControlRequest { password, command, valid_until, .. } => {
                if !self.password_ok(&password) {
                    return self.abnormal(f, err::PASSWORD);
                }
                let valid = parse_time("YYMMDDhhmmss", &valid_until, &self.clock(now));
                if valid.is_none_or(|v| v < self.clock(now)) {
                    return self.abnormal(f, err::OTHER);
                }
                match command {
                    0x1A if self.keep_power => return self.abnormal(f, err::OTHER),
                    0x1A => self.relay_closed = false,
                    0x1B | 0x1C => self.relay_closed = true,
                    0x2A => self.alarm = true,
                    0x2B => self.alarm = false,
                    0x3A => self.keep_power = true,
                    0x3B => self.keep_power = false,
                    _ => return self.abnormal(f, err::OTHER),
                }
                self.ack(f);
            }
            _ => self.abnormal(f, err::OTHER),
        }
    }

    /// A write (14): parameters only; tariff tables checked against their limits.
    pub(super) fn write(&mut self, di: u32, data: &[u8], now: Millis, _operator: OperatorCode) -> Result<(), u8> {
        let info = dictionary::lookup(di).ok_or(err::NO_DATA)?;
        if info.class != DiClass::Parameter {
            return Err(err::PASSWORD);
        }
        if info.len().is_some_and(|n| n != data.len()) {
            return Err(err::OTHER);
        }
        let number = || data.first().and_then(|&b| unbcd(b)).ok_or(err::OTHER);
        match di {
            0x0400_0101 => {
                let t = parse_time("YYMMDDWW", data, &self.clock(now)).ok_or(err::OTHER)?;
                self.set_clock(now, t);
                self.record(0x04, now);
                return Ok(());
            }
            0x0400_0102 => {
                let t = parse_time("hhmmss", data, &self.clock(now)).ok_or(err::OTHER)?;
                self.set_clock(now, t);
                self.record(0x04, now);
                return Ok(());
            }
            0x0400_0201 if number()? > 14 => return Err(err::TIME_ZONES),
            0x0400_0203 if number()? > 14 => return Err(err::DAY_SLOTS),
            0x0400_0204 if number()? > 63 => return Err(err::TARIFFS),
            0x0400_0401 => {
                let a = Address::from_wire(data);
                if a.has_wildcard() || a.invalid_byte().is_some() {
                    return Err(err::OTHER);
                }
                self.address = a;
            }
            0x0400_0C01..=0x0400_0C0A => return Err(err::PASSWORD),
            _ => {}
        }
        self.params.insert(di, data.to_vec());
        self.record(0x00, now);
        Ok(())
    }

    pub(super) fn on_request_1997(&mut self, now: Millis, frame: &Frame645) {
        let f = frame.control.function();
        let abnormal = |m: &mut Self, e: u8| {
            let a = m.address;
            m.reply(Frame645::from_payload_1997(a, &Payload1997::AbnormalReply { function: f, err: e }));
        };
        let ack = |m: &mut Self| {
            let a = m.address;
            m.reply(Frame645::from_payload_1997(a, &Payload1997::Acknowledge { function: f }));
        };
        let Ok(payload) = frame.payload_1997() else {
            return abnormal(self, err::OTHER);
        };
        match payload {
            Payload1997::ReadRequest { di } => match self.data_1997(di, now) {
                Ok(data) => self.send_read(u32::from(di), Variant::V1997, data),
                Err(e) => abnormal(self, e),
            },
            Payload1997::ReadFollowUpRequest { di } => match &self.pending {
                Some(p) if p.di == u32::from(di) && p.variant == Variant::V1997 => {
                    let next = p.next;
                    self.send_chunk(next)
                }
                _ => abnormal(self, err::NO_DATA),
            },
            Payload1997::RereadRequest => match self.last_reply.clone() {
                Some(r) => self.tx.push_back(r),
                None => abnormal(self, err::NO_DATA),
            },
            Payload1997::WriteRequest { di, password, data } => {
                if !self.password_ok(&password) {
                    return abnormal(self, err::PASSWORD);
                }
                match dictionary::lookup_1997(di) {
                    Some(info) if info.class == DiClass::Parameter && info.len().is_none_or(|n| n == data.len()) => {
                        if di == 0xC010 || di == 0xC011 {
                            let pattern = if di == 0xC010 { "YYMMDDWW" } else { "hhmmss" };
                            match parse_time(pattern, &data, &self.clock(now)) {
                                Some(t) => self.set_clock(now, t),
                                None => return abnormal(self, err::OTHER),
                            }
                        } else {
                            self.params.insert(0x1997_0000 | u32::from(di), data);
                        }
                        ack(self)
                    }
                    Some(_) => abnormal(self, err::PASSWORD),
                    None => abnormal(self, err::NO_DATA),
                }
            }
            Payload1997::WriteAddressRequest { address } => {
                if address.has_wildcard() || address.invalid_byte().is_some() {
                    return abnormal(self, err::OTHER);
                }
                self.address = address;
                ack(self)
            }
            Payload1997::ChangeBaudRequest { z } => {
                let bits = z & 0x7E;
                if bits.count_ones() != 1 || z & 0x81 != 0 {
                    return abnormal(self, err::OTHER);
                }
                let a = self.address;
                self.reply(Frame645::from_payload_1997(a, &Payload1997::ChangeBaudReply { z }));
                self.line = LineSettings { baud: 300u32 << bits.trailing_zeros(), ..self.line };
            }
            Payload1997::ChangePasswordRequest { old, new } => {
                if !self.password_ok(&old) || usize::from(new.level) >= self.passwords.len() {
                    return abnormal(self, err::PASSWORD);
                }
                self.passwords[usize::from(new.level)] = Some([new.code[2], new.code[1], new.code[0]]);
                let a = self.address;
                self.reply(Frame645::from_payload_1997(a, &Payload1997::ChangePasswordReply { new }));
            }
            Payload1997::ClearDemandRequest { password } => {
                if !self.password_ok(&password) {
                    return abnormal(self, err::PASSWORD);
                }
                let t = self.clock(now);
                self.demand.iter_mut().flatten().for_each(|d| *d = (0, t));
                ack(self)
            }
            _ => abnormal(self, err::OTHER),
        }
    }
}
