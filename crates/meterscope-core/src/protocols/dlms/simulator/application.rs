//! The application layer: AARQ/AARE (authentication, HLS-GMAC, ciphering),
//! xDLMS requests by logical and short names, data blocks and general block
//! transfer out.

use super::*;

impl DlmsMeter {
    /// The reply APDUs to a request APDU (none, one, or GBT blocks).
    pub(super) fn on_apdu(&mut self, client: u16, apdu: &[u8]) -> Vec<Vec<u8>> {
        let Some(&tag) = apdu.first() else { return Vec::new() };
        match tag {
            0x60 => return vec![self.on_aarq(client, apdu)],
            0x62 => {
                self.assoc = None;
                self.blocks = None;
                self.gbt = None;
                return vec![assoc::rlre()];
            }
            Gbt::TAG => return self.on_gbt_ack(apdu),
            _ => {}
        }
        let Some(a) = self.assoc.clone() else {
            return vec![Response::Exception { state: 1, service: 1 }.emit()];
        };
        let ded = assoc::is_ded(tag);
        let plain = if a.ciphered {
            let (Some(title), true) = (a.client_title, super::super::apdu::is_ciphered(tag)) else {
                return vec![Response::Exception { state: 2, service: 5 }.emit()];
            };
            let keys = match (ded, a.dedicated) {
                (true, Some(ek)) => SuiteKeys { ek, ak: self.cfg.keys.ak },
                (true, None) => return vec![Response::Exception { state: 2, service: 5 }.emit()],
                (false, _) => self.cfg.keys.clone(),
            };
            match assoc::glo_open(&keys, &title, apdu) {
                Ok((p, _)) => p,
                Err(_) => return vec![Response::Exception { state: 2, service: 5 }.emit()],
            }
        } else {
            apdu.to_vec()
        };
        let resp = if self.cfg.short_names { self.on_sn_request(&a, &plain) } else { self.on_request(&a, &plain) };
        let reply = if a.ciphered {
            let c = match (ded, a.dedicated) {
                (true, Some(ek)) => {
                    assoc::ded_seal(&SuiteKeys { ek, ak: self.cfg.keys.ak }, &self.cfg.system_title, self.ic, &resp)
                }
                _ => assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp),
            };
            self.ic += 1;
            c
        } else {
            resp
        };
        // Too long for one APDU: general block transfer when agreed.
        let limit = self.limit(&a);
        if a.gbt && reply.len() > limit {
            let size = limit.saturating_sub(10).max(16);
            self.gbt = Some(GbtOut { blocks: reply.chunks(size).map(<[u8]>::to_vec).collect() });
            let window = usize::from(self.cfg.gbt_window.unwrap_or(1).max(1));
            return self.gbt_window(1, window);
        }
        vec![reply]
    }

    pub(super) fn limit(&self, a: &Assoc) -> usize {
        a.max_pdu.min(usize::from(self.cfg.max_pdu))
    }

    /// GBT blocks `first..` of the APDU being sent, at most `window` of them,
    /// streamed: the streaming bit on all but the last of the window.
    pub(super) fn gbt_window(&mut self, first: usize, window: usize) -> Vec<Vec<u8>> {
        let Some(g) = &self.gbt else { return Vec::new() };
        let total = g.blocks.len();
        let last_here = (first + window - 1).min(total);
        let own = self.cfg.gbt_window.unwrap_or(1);
        (first..=last_here)
            .map(|k| {
                Gbt {
                    last: k == total,
                    streaming: k < last_here,
                    window: own,
                    number: k as u16,
                    ack: 0,
                    data: g.blocks[k - 1].clone(),
                }
                .emit()
            })
            .collect()
    }

    /// The client acknowledged GBT blocks: send on from the one after.
    pub(super) fn on_gbt_ack(&mut self, apdu: &[u8]) -> Vec<Vec<u8>> {
        let (Ok(g), Some(out)) = (Gbt::parse(apdu), &self.gbt) else { return Vec::new() };
        let total = out.blocks.len();
        let next = usize::from(g.ack) + 1;
        if next > total {
            self.gbt = None;
            return Vec::new();
        }
        let window = usize::from(self.cfg.gbt_window.unwrap_or(1).min(g.window).max(1));
        self.gbt_window(next, window)
    }

    pub(super) fn on_request(&mut self, a: &Assoc, plain: &[u8]) -> Vec<u8> {
        let Ok(req) = Request::parse(plain) else {
            return Response::Exception { state: 2, service: 2 }.emit();
        };
        let hls_pending = a.mechanism == Mechanism::HighGmac && !a.authenticated;
        match req {
            Request::Action { invoke, method, params } if hls_pending => {
                if method != AttrRef::new(15, ASSOCIATION_LN, 1) {
                    return Response::Exception { state: 1, service: 1 }.emit();
                }
                let (result, ret) = self.action(&method, params.as_ref());
                Response::Action { invoke, result, ret }.emit()
            }
            _ if hls_pending => Response::Exception { state: 1, service: 1 }.emit(),
            Request::Get { invoke, attr, access } => {
                self.blocks = None;
                let result = self.get(&attr, access.as_ref());
                self.maybe_blocks(a, invoke, Response::Get { invoke, result: result.clone() }, || match result {
                    Ok(d) => {
                        let mut v = Vec::new();
                        d.emit(&mut v);
                        v
                    }
                    Err(_) => Vec::new(),
                })
            }
            Request::GetWithList { invoke, items } => {
                self.blocks = None;
                let results: Vec<GetResult> = items.iter().map(|(a, s)| self.get(a, s.as_ref())).collect();
                let r2 = results.clone();
                self.maybe_blocks(a, invoke, Response::GetWithList { invoke, results }, || {
                    services::emit_result_list(&r2)
                })
            }
            Request::GetNext { invoke, block } => match &mut self.blocks {
                Some(b) if block as usize == b.sent && b.sent < b.chunks.len() => {
                    let raw = b.chunks[b.sent].clone();
                    b.sent += 1;
                    let last = b.sent == b.chunks.len();
                    let block = b.sent as u32;
                    if last {
                        self.blocks = None;
                    }
                    Response::GetBlock { invoke, last, block, raw: Ok(raw) }.emit()
                }
                Some(_) => Response::GetBlock { invoke, last: true, block, raw: Err(19) }.emit(),
                None => Response::GetBlock { invoke, last: true, block, raw: Err(16) }.emit(),
            },
            Request::Set { invoke, attr, value, .. } => {
                let result = self.set(&attr, &value);
                Response::Set { invoke, result }.emit()
            }
            Request::Action { invoke, method, params } => {
                let (result, ret) = self.action(&method, params.as_ref());
                Response::Action { invoke, result, ret }.emit()
            }
        }
    }

    /// Short-name ReadRequest and WriteRequest.
    pub(super) fn on_sn_request(&mut self, a: &Assoc, plain: &[u8]) -> Vec<u8> {
        let Ok(req) = SnRequest::parse(plain) else {
            return Response::Exception { state: 2, service: 2 }.emit();
        };
        match req {
            SnRequest::Read(vars) => {
                if let [Variable::BlockNumber(n)] = vars.as_slice() {
                    return match &mut self.blocks {
                        Some(b) if usize::from(*n) == b.sent && b.sent < b.chunks.len() => {
                            let raw = b.chunks[b.sent].clone();
                            b.sent += 1;
                            let last = b.sent == b.chunks.len();
                            let number = b.sent as u16;
                            if last {
                                self.blocks = None;
                            }
                            SnResponse::Read(vec![SnReadResult::Block { last, number, raw }]).emit()
                        }
                        _ => SnResponse::Read(vec![SnReadResult::Error(19)]).emit(),
                    };
                }
                self.blocks = None;
                let results: Vec<SnReadResult> = vars
                    .iter()
                    .map(|v| {
                        let (name, access) = match v {
                            Variable::Name(n) => (*n, None),
                            Variable::Parameterized { name, access } => (*name, Some(access)),
                            Variable::BlockNumber(_) => return SnReadResult::Error(250),
                        };
                        match self.sn_attr(name).map(|attr| self.get(&attr, access)) {
                            Some(Ok(d)) => SnReadResult::Data(d),
                            Some(Err(code)) => SnReadResult::Error(code),
                            None => SnReadResult::Error(4),
                        }
                    })
                    .collect();
                let whole = SnResponse::Read(results.clone()).emit();
                let limit = self.limit(a);
                let overhead = if a.ciphered { 22 } else { 0 };
                if a.gbt || whole.len() + overhead <= limit {
                    return whole;
                }
                let size = limit.saturating_sub(16 + overhead).max(16);
                let chunks: Vec<Vec<u8>> =
                    services::emit_sn_results(&results).chunks(size).map(<[u8]>::to_vec).collect();
                let first = chunks.first().cloned().unwrap_or_default();
                let last = chunks.len() == 1;
                if !last {
                    self.blocks = Some(Blocks { chunks, sent: 1 });
                }
                SnResponse::Read(vec![SnReadResult::Block { last, number: 1, raw: first }]).emit()
            }
            SnRequest::Write { variables, values } => {
                let results = variables
                    .iter()
                    .zip(values.iter().chain(std::iter::repeat(&Data::Null)))
                    .map(|(v, d)| match v {
                        Variable::Name(n) => match self.sn_attr(*n) {
                            Some(attr) => match self.set(&attr, d) {
                                0 => Ok(()),
                                code => Err(code),
                            },
                            None => Err(4),
                        },
                        _ => Err(250),
                    })
                    .collect();
                SnResponse::Write(results).emit()
            }
        }
    }

    /// The response as it is, or its first data block when it is too long
    /// (whole when general block transfer carries long APDUs).
    pub(super) fn maybe_blocks(
        &mut self,
        a: &Assoc,
        invoke: u8,
        resp: Response,
        raw: impl FnOnce() -> Vec<u8>,
    ) -> Vec<u8> {
        let whole = resp.emit();
        let limit = self.limit(a);
        let overhead = if a.ciphered { 22 } else { 0 };
        if a.gbt || whole.len() + overhead <= limit {
            return whole;
        }
        let size = limit.saturating_sub(16 + overhead).max(16);
        let chunks: Vec<Vec<u8>> = raw().chunks(size).map(<[u8]>::to_vec).collect();
        let last = chunks.len() == 1;
        let first = chunks.first().cloned().unwrap_or_default();
        if !last {
            self.blocks = Some(Blocks { chunks, sent: 1 });
        }
        Response::GetBlock { invoke, last, block: 1, raw: Ok(first) }.emit()
    }

    pub(super) fn on_aarq(&mut self, client: u16, apdu: &[u8]) -> Vec<u8> {
        self.assoc = None;
        self.blocks = None;
        self.gbt = None;
        let reject = |ctx: AppContext, d: u8| {
            Aare {
                context: ctx,
                result: assoc::result::REJECTED_PERMANENT,
                diagnostic: Diagnostic::User(d),
                responding_title: None,
                mechanism: None,
                auth_value: None,
                user_info: None,
            }
            .emit()
        };
        let ours = AppContext { logical_names: !self.cfg.short_names, ciphered: false };
        let Ok(aarq) = Aarq::parse(apdu) else { return reject(ours, 1) };
        if aarq.context.logical_names == self.cfg.short_names {
            // Application context name not supported: the other referencing.
            return reject(aarq.context, 2);
        }
        let mechanism = aarq.mechanism.unwrap_or(Mechanism::None);
        let client_title = aarq.calling_title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
        match mechanism {
            Mechanism::None if client != 16 => return reject(aarq.context, 14),
            Mechanism::None => {}
            Mechanism::Low if aarq.auth_value.as_deref() != Some(&self.cfg.password[..]) => {
                return reject(aarq.context, 13);
            }
            Mechanism::Low => {}
            Mechanism::HighGmac if client_title.is_none() || aarq.auth_value.is_none() => {
                return reject(aarq.context, 13);
            }
            Mechanism::HighGmac => {}
        }
        if aarq.context.ciphered && client_title.is_none() {
            return reject(aarq.context, 3);
        }
        let init = if aarq.context.ciphered {
            match assoc::glo_open(&self.cfg.keys, &client_title.unwrap_or_default(), &aarq.user_info) {
                Ok((p, _)) => p,
                Err(_) => return reject(aarq.context, 13),
            }
        } else {
            aarq.user_info.clone()
        };
        let Ok(init) = InitiateRequest::parse(&init) else { return reject(aarq.context, 1) };
        let stoc = if mechanism == Mechanism::HighGmac {
            self.challenge_counter += 1;
            let mut r = self.rng(0x5700 + self.challenge_counter);
            (0..16).map(|_| r.range(0x21, 0x7E) as u8).collect()
        } else {
            Vec::new()
        };
        let mut offered = 0x00_7E1F;
        if self.cfg.gbt_window.is_some() {
            offered |= conformance::GENERAL_BLOCK_TRANSFER;
        }
        if self.cfg.short_names {
            offered |= conformance::CLIENT_SN;
            offered &= !(conformance::GET | conformance::SET | conformance::ACTION | conformance::SELECTIVE_ACCESS);
        }
        let granted = init.conformance & offered;
        let resp = InitiateResponse {
            version: 6,
            conformance: granted,
            max_pdu: self.cfg.max_pdu,
            vaa_name: if self.cfg.short_names { ASSOCIATION_SN } else { 0x0007 },
        };
        let user_info = if aarq.context.ciphered {
            let c = assoc::glo_seal(&self.cfg.keys, &self.cfg.system_title, self.ic, &resp.emit());
            self.ic += 1;
            c
        } else {
            resp.emit()
        };
        let dedicated = init.dedicated_key.as_deref().and_then(|k| <[u8; 16]>::try_from(k).ok());
        self.assoc = Some(Assoc {
            mechanism,
            authenticated: mechanism != Mechanism::HighGmac,
            ciphered: aarq.context.ciphered,
            client_title,
            dedicated: dedicated.filter(|_| aarq.context.ciphered),
            max_pdu: usize::from(init.max_pdu.max(64)),
            gbt: granted & conformance::GENERAL_BLOCK_TRANSFER != 0,
            ctos: aarq.auth_value.clone().unwrap_or_default(),
            stoc: stoc.clone(),
        });
        let hls = mechanism == Mechanism::HighGmac;
        Aare {
            context: aarq.context,
            result: assoc::result::ACCEPTED,
            diagnostic: Diagnostic::User(if hls { 14 } else { 0 }),
            responding_title: (aarq.context.ciphered || hls).then(|| self.cfg.system_title.to_vec()),
            mechanism: aarq.mechanism.filter(|m| *m != Mechanism::None),
            auth_value: hls.then_some(stoc),
            user_info: Some(user_info),
        }
        .emit()
    }

    // ---------------------------------------------------------------------
    // Link layer
    // ---------------------------------------------------------------------
}
