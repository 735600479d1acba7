//! The data services: GET, SET and ACTION answers, short-name reads and
//! writes, data blocks and general block transfer joined, and the values
//! reported with their scaler and unit.

use super::*;

impl DlmsSession {
    /// The short name of an attribute: the object's base name plus 8 per attribute.
    pub(super) fn sn_name(&self, a: &AttrRef) -> Option<u16> {
        let base = if a.obis == ASSOCIATION_LN && matches!(a.class, 12 | 15) {
            ASSOCIATION_SN
        } else {
            *self.sn_names.as_ref()?.get(&a.obis)?
        };
        let index = u16::try_from(a.index).ok().filter(|&i| i >= 1)?;
        Some(base.wrapping_add(8 * (index - 1)))
    }

    /// The short-name request (plaintext) of an operation.
    pub(super) fn sn_request(&self, op: &Op) -> Result<Vec<u8>, Failure> {
        let name = |a: &AttrRef| self.sn_name(a).ok_or(Failure::Refused { code: 4, text: services::result_text(4) });
        match op {
            Op::Get(a, access, _) => {
                let name = name(a)?;
                let v = match access {
                    None => Variable::Name(name),
                    Some(access) => Variable::Parameterized { name, access: access.clone() },
                };
                Ok(SnRequest::Read(vec![v]).emit())
            }
            Op::GetList(attrs) => {
                let vars = attrs.iter().map(|a| name(a).map(Variable::Name)).collect::<Result<Vec<_>, _>>()?;
                Ok(SnRequest::Read(vars).emit())
            }
            Op::Set(a, value, _) => {
                Ok(SnRequest::Write { variables: vec![Variable::Name(name(a)?)], values: vec![value.clone()] }.emit())
            }
            Op::Action(..) | Op::HlsReply(_) => {
                Err(Failure::Unsupported("methods (ACTION, HLS) with short-name referencing".into()))
            }
            _ => Err(Failure::Protocol("no short-name form".into())),
        }
    }

    pub(super) fn on_apdu(&mut self, now: Millis, apdu: Vec<u8>) {
        let Some(ex) = self.k.current.as_ref() else { return };
        let op = ex.op.clone();
        if apdu.first() == Some(&Gbt::TAG) {
            self.on_gbt(now, &apdu);
            return;
        }
        if op == Op::Aarq {
            self.on_aare(now, &apdu);
            return;
        }
        if op == Op::Release {
            if apdu.first() == Some(&0x63) {
                self.associated = false;
                self.dedicated = false;
                self.sn_names = None;
                self.scalers.clear();
                self.k.emit(DlmsEvent::Released);
                self.finish(now);
            } else {
                self.abort(now, Failure::Protocol(format!("{} instead of RLRE", super::super::hex(&apdu))));
            }
            return;
        }
        let plain = match self.decipher(apdu) {
            Ok(p) => p,
            Err(f) => {
                self.abort(now, f);
                return;
            }
        };
        if matches!(plain.first(), Some(0x0C | 0x0D)) {
            self.on_sn(now, op, &plain);
            return;
        }
        let resp = match Response::parse(&plain) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("{e}: {}", super::super::hex(&plain))));
                return;
            }
        };
        if let Response::Exception { state, service } = resp {
            let text = services::exception_text(state, service);
            self.abort(now, Failure::Exception { state, service, text });
            return;
        }
        match (op.clone(), resp) {
            (Op::Get(..) | Op::GetList(_), Response::GetBlock { last, block, raw, .. }) => match raw {
                Err(code) => self.abort(now, Failure::Refused { code, text: services::result_text(code) }),
                Ok(bytes) => {
                    let Some(joined) = self.join_block(now, block, &bytes, last) else { return };
                    let results = match &op {
                        Op::GetList(_) => services::parse_result_list(&joined),
                        _ => Data::parse(&joined).map(|d| vec![Ok(d)]),
                    };
                    match results {
                        Ok(r) => self.got(now, op, r),
                        Err(e) => self.abort(now, Failure::Protocol(e.to_string())),
                    }
                }
            },
            (Op::Get(..), Response::Get { result, .. }) => self.got(now, op, vec![result]),
            (Op::GetList(_), Response::GetWithList { results, .. }) => self.got(now, op, results),
            (Op::Set(attr, _, time), Response::Set { result, .. }) => self.written(now, attr, time, result),
            (Op::HlsReply(_), Response::Action { result, ret, .. }) => {
                let proof = match ret {
                    Some(Ok(Data::OctetString(p))) if result == 0 => p,
                    _ => {
                        let why = format!("the meter refused f(StoC): {}", services::result_text(result));
                        self.abort(now, Failure::Authentication(why));
                        return;
                    }
                };
                let ok = match (&self.cfg.security, self.server_title) {
                    (Some(sec), Some(title)) => assoc::hls_gmac_check(&sec.keys, &title, &self.challenge, &proof),
                    _ => false,
                };
                if ok {
                    self.associated = true;
                    self.k.emit(DlmsEvent::Authenticated);
                    self.finish(now);
                } else {
                    self.abort(now, Failure::Authentication("the meter's f(CtoS) does not check".into()));
                }
            }
            (Op::Action(method, _), Response::Action { result, ret, .. }) => {
                if result == 0 {
                    let data = ret.and_then(Result::ok);
                    self.k.emit(DlmsEvent::Invoked { method, result, data });
                    self.finish(now);
                } else {
                    self.abort(now, Failure::Refused { code: result, text: services::result_text(result) });
                }
            }
            (_, other) => self.abort(now, Failure::Protocol(format!("{other:?}"))),
        }
    }

    /// A data block of a long reply (GET or short-name read): joined, with a
    /// progress event. The whole reply once the last block is in; otherwise
    /// the next block is asked for and `None` returned.
    pub(super) fn join_block(&mut self, now: Millis, block: u32, bytes: &[u8], last: bool) -> Option<Vec<u8>> {
        let ex = self.k.current.as_mut()?;
        if ex.blocks.len() + bytes.len() > APDU_LIMIT || block != ex.block.wrapping_add(1) {
            self.abort(now, Failure::Protocol(format!("data block {block} out of order")));
            return None;
        }
        ex.blocks.extend_from_slice(bytes);
        ex.block = block;
        let total = ex.blocks.len();
        let invoke = ex.invoke;
        self.k.emit(DlmsEvent::Progress { block, bytes: total });
        if last {
            return self.k.current.as_mut().map(|ex| std::mem::take(&mut ex.blocks));
        }
        let next = if self.cfg.short_names {
            SnRequest::Read(vec![Variable::BlockNumber(block as u16)]).emit()
        } else {
            Request::GetNext { invoke, block }.emit()
        };
        let apdu = self.cipher(next);
        self.next_apdu(now, apdu);
        None
    }

    /// SET answered (logical or short names).
    pub(super) fn written(&mut self, now: Millis, attr: AttrRef, time: Option<DateTime>, result: u8) {
        if result == 0 {
            self.k.emit(match time {
                Some(t) => DlmsEvent::ClockSet(t),
                None => DlmsEvent::Written { attr, result },
            });
            self.finish(now);
        } else {
            self.abort(now, Failure::Refused { code: result, text: services::result_text(result) });
        }
    }

    /// A short-name ReadResponse or WriteResponse.
    pub(super) fn on_sn(&mut self, now: Millis, op: Op, plain: &[u8]) {
        let resp = match SnResponse::parse(plain) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("{e}: {}", super::super::hex(plain))));
                return;
            }
        };
        match (op.clone(), resp) {
            (Op::Get(..) | Op::GetList(_), SnResponse::Read(results)) => {
                if let [SnReadResult::Block { last, number, raw }] = results.as_slice() {
                    let Some(joined) = self.join_block(now, u32::from(*number), raw, *last) else { return };
                    match services::parse_sn_results(&joined) {
                        Ok(r) => self.got(now, op, r.into_iter().map(sn_result).collect()),
                        Err(e) => self.abort(now, Failure::Protocol(e.to_string())),
                    }
                } else {
                    self.got(now, op, results.into_iter().map(sn_result).collect());
                }
            }
            (Op::Set(attr, _, time), SnResponse::Write(results)) => match results.as_slice() {
                [r] => self.written(now, attr, time, r.err().unwrap_or(0)),
                _ => self.abort(now, Failure::Protocol(format!("{} write results for one", results.len()))),
            },
            (_, other) => self.abort(now, Failure::Protocol(format!("{other:?}"))),
        }
    }

    /// A general-block-transfer APDU: a block of a long reply.
    pub(super) fn on_gbt(&mut self, now: Millis, apdu: &[u8]) {
        let g = match Gbt::parse(apdu) {
            Ok(g) => g,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("general block transfer: {e}")));
                return;
            }
        };
        let retries = self.cfg.retries;
        let Some(ex) = self.k.current.as_mut() else { return };
        let in_order = g.number == ex.gbt_next;
        if in_order {
            if ex.gbt.len() + g.data.len() > APDU_LIMIT {
                self.abort(now, Failure::Protocol("reply too long".into()));
                return;
            }
            ex.gbt.extend_from_slice(&g.data);
            ex.gbt_next = ex.gbt_next.wrapping_add(1);
            ex.attempt = 1;
            let (block, bytes) = (u32::from(g.number), ex.gbt.len());
            self.k.emit(DlmsEvent::Progress { block, bytes });
        } else if g.number > ex.gbt_next {
            // A block is missing: counted, and asked for again at the end of the window.
            ex.attempt = ex.attempt.saturating_add(1);
            if ex.attempt > retries.saturating_add(1) {
                self.abort(now, Failure::Protocol("general block transfer: blocks keep missing".into()));
                return;
            }
        }
        let Some(ex) = self.k.current.as_mut() else { return };
        if g.last && in_order {
            let joined = std::mem::take(&mut ex.gbt);
            ex.gbt_next = 1;
            if joined.first() == Some(&Gbt::TAG) {
                self.abort(now, Failure::Protocol("general block transfer inside general block transfer".into()));
                return;
            }
            self.on_apdu(now, joined);
            return;
        }
        if g.streaming && !g.last {
            // More blocks of this window follow unasked; over HDLC the meter
            // waits for a poll after a frame with the final bit.
            if self.cfg.transport == Transport::Hdlc && self.final_bit {
                self.poll(now, false);
            }
            return;
        }
        // The end of a window (or a gap): acknowledge the last block held in order.
        let ack = Gbt {
            last: true,
            streaming: false,
            window: self.cfg.gbt_window.clamp(1, 63),
            number: ex.gbt_own,
            ack: ex.gbt_next.wrapping_sub(1),
            data: Vec::new(),
        };
        ex.gbt_own = ex.gbt_own.wrapping_add(1);
        self.next_apdu(now, ack.emit());
    }

    /// Results of a GET (or short-name read), by purpose.
    pub(super) fn got(&mut self, now: Millis, op: Op, results: Vec<GetResult>) {
        self.k.current = None;
        let (attrs, purpose) = match &op {
            Op::Get(a, _, p) => (vec![*a], p.clone()),
            Op::GetList(v) => (v.clone(), Purpose::Value),
            _ => (Vec::new(), Purpose::Value),
        };
        if results.len() != attrs.len() {
            self.fail(now, op, Failure::Protocol(format!("{} results for {} attributes", results.len(), attrs.len())));
            return;
        }
        // Scalers read in the same list apply to the values beside them.
        for (a, r) in attrs.iter().zip(&results) {
            if a.index == 3
                && matches!(a.class, 3 | 4)
                && let Ok(d) = r
                && let Some(su) = scaler_unit(d)
            {
                self.scalers.insert((a.class, a.obis), su);
            }
        }
        for (attr, r) in attrs.into_iter().zip(results) {
            let data = match r {
                Ok(d) => d,
                Err(code) => {
                    if purpose == Purpose::Scaler {
                        // No scaler: the value is read without one.
                        self.scalers.insert((attr.class, attr.obis), (0, 255));
                    }
                    let failure = Failure::Refused { code, text: services::result_text(code) };
                    self.k.emit(DlmsEvent::Error { attr: Some(attr), failure });
                    continue;
                }
            };
            self.report(attr, &purpose, data);
        }
        if purpose == Purpose::Buffer {
            self.end_timing();
        }
        self.advance(now);
    }

    pub(super) fn report(&mut self, attr: AttrRef, purpose: &Purpose, data: Data) {
        match purpose {
            Purpose::Scaler => {
                self.scalers.insert((attr.class, attr.obis), scaler_unit(&data).unwrap_or((0, 255)));
            }
            Purpose::Clock => {
                let raw = match &data {
                    Data::DateTime(r) => Some(*r),
                    Data::OctetString(b) if b.len() == 12 => <[u8; 12]>::try_from(b.as_slice()).ok(),
                    _ => None,
                };
                match raw {
                    Some(raw) => self.k.emit(DlmsEvent::Clock { time: civil(&raw), raw }),
                    None => self.k.emit(DlmsEvent::Error {
                        attr: Some(attr),
                        failure: Failure::Protocol(format!("clock value {}", data_text(&data))),
                    }),
                }
            }
            Purpose::ObjectList | Purpose::SnNames => {
                let Data::Array(items) = &data else {
                    self.k.emit(DlmsEvent::Error {
                        attr: Some(attr),
                        failure: Failure::Protocol("object list is no array".into()),
                    });
                    return;
                };
                let entries: Vec<(ObjectEntry, Option<u16>)> = items.iter().filter_map(object_entry).collect();
                if entries.iter().any(|e| e.1.is_some()) || *purpose == Purpose::SnNames {
                    self.sn_names = Some(entries.iter().filter_map(|(o, base)| Some((o.obis, (*base)?))).collect());
                }
                if *purpose == Purpose::ObjectList {
                    self.k.emit(DlmsEvent::ObjectList(entries.into_iter().map(|e| e.0).collect()));
                }
            }
            Purpose::Columns => {
                let cols = match &data {
                    Data::Array(v) => v.iter().filter_map(attr_of).collect(),
                    _ => Vec::new(),
                };
                self.columns.insert(attr.obis, cols);
            }
            Purpose::Buffer => {
                let rows = match data {
                    Data::Array(v) | Data::CompactArray(_, v) => v
                        .into_iter()
                        .map(|r| match r {
                            Data::Structure(cells) => cells,
                            other => vec![other],
                        })
                        .collect(),
                    other => vec![vec![other]],
                };
                let columns = self.columns.get(&attr.obis).cloned().unwrap_or_default();
                self.k.emit(DlmsEvent::Profile { obis: attr.obis, columns, rows });
            }
            Purpose::Value => {
                let su = self.scalers.get(&(attr.class, attr.obis)).copied();
                let (value, unit) = match su {
                    Some((s, u)) if attr.index == 2 => (
                        scaled(&data, s).map_or_else(|| number_or_text(&data), Value::Number),
                        crate::units::dlms_symbol(u).filter(|u| !u.is_empty()).map(str::to_string),
                    ),
                    _ => (number_or_text(&data), None),
                };
                let text = value.to_string();
                self.k.emit(DlmsEvent::Value { attr, data, value, text, unit });
            }
        }
    }
}

/// A value without a scaler typed: floats as the decimals they print as
/// (`230.5`), integers as integers, the rest as text.
fn number_or_text(d: &Data) -> Value {
    match d {
        Data::Float32(_) | Data::Float64(_) => Value::decimal_or_text(data_text(d)),
        d => scaled(d, 0).map_or_else(|| Value::Text(data_text(d)), Value::Number),
    }
}
