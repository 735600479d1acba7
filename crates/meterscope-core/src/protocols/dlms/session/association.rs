//! The association: AARQ/AARE with no authentication, a password or
//! HLS-GMAC, and glo- or ded-ciphering of every xDLMS APDU.

use super::*;

impl DlmsSession {
    pub(super) fn ciphered(&self) -> bool {
        self.cfg.security.as_ref().is_some_and(|s| s.cipher)
    }

    pub(super) fn aarq(&mut self) -> Result<Vec<u8>, Failure> {
        let ciphered = self.ciphered();
        let sn = if self.cfg.short_names { conformance::CLIENT_SN } else { 0 };
        let init = InitiateRequest {
            // A dedicated key only travels inside a ciphered InitiateRequest.
            dedicated_key: self.cfg.dedicated_key.filter(|_| ciphered).map(|k| k.to_vec()),
            version: 6,
            conformance: self.cfg.conformance | sn,
            max_pdu: self.cfg.max_pdu,
        };
        let (mechanism, auth_value) = match &self.cfg.auth {
            Auth::None => (None, None),
            Auth::Low(p) => (Some(Mechanism::Low), Some(p.clone())),
            Auth::HighGmac => {
                self.challenge = match &self.cfg.challenge {
                    Some(c) => c.clone(),
                    None => self.cfg.random.bytes(16).map_err(Failure::Authentication)?,
                };
                (Some(Mechanism::HighGmac), Some(self.challenge.clone()))
            }
        };
        let title = self.cfg.security.as_ref().map(|s| s.system_title.to_vec());
        let user_info = match (&self.cfg.security, ciphered) {
            (Some(sec), true) => {
                let c = assoc::glo_seal(&sec.keys, &sec.system_title, self.ic, &init.emit());
                self.ic = self.ic.wrapping_add(1);
                c
            }
            _ => init.emit(),
        };
        Ok(Aarq {
            context: AppContext { logical_names: !self.cfg.short_names, ciphered },
            calling_title: title.filter(|_| ciphered || self.cfg.auth == Auth::HighGmac),
            mechanism,
            auth_value,
            user_info,
        }
        .emit())
    }

    /// Cipher an xDLMS APDU when ciphering is on: ded-ciphering with the
    /// dedicated key once the association has one, glo-ciphering otherwise.
    pub(super) fn cipher(&mut self, apdu: Vec<u8>) -> Vec<u8> {
        let Some(sec) = self.cfg.security.as_ref().filter(|s| s.cipher) else { return apdu };
        let c = match (self.dedicated, self.cfg.dedicated_key) {
            (true, Some(ek)) => assoc::ded_seal(&SuiteKeys { ek, ak: sec.keys.ak }, &sec.system_title, self.ic, &apdu),
            _ => assoc::glo_seal(&sec.keys, &sec.system_title, self.ic, &apdu),
        };
        self.ic = self.ic.wrapping_add(1);
        c
    }

    pub(super) fn decipher(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, Failure> {
        let tag = apdu.first().copied().unwrap_or(0);
        if !super::super::apdu::is_ciphered(tag) {
            return Ok(apdu);
        }
        let (Some(sec), Some(title)) = (&self.cfg.security, self.server_title) else {
            return Err(Failure::Deciphering("ciphered reply without keys or server system title".into()));
        };
        let keys = if assoc::is_ded(tag) {
            let Some(ek) = self.cfg.dedicated_key else {
                return Err(Failure::Deciphering("a ded-ciphered reply, and no dedicated key".into()));
            };
            SuiteKeys { ek, ak: sec.keys.ak }
        } else {
            sec.keys.clone()
        };
        assoc::glo_open(&keys, &title, &apdu).map(|(p, _)| p).map_err(|e| Failure::Deciphering(e.to_string()))
    }

    pub(super) fn on_aare(&mut self, now: Millis, apdu: &[u8]) {
        if apdu.first() != Some(&0x61) {
            // Not an AARE at all (an exception, or bytes of no APDU): name what came.
            let what = match apdu.first().and_then(|&t| super::super::apdu::tag_name(t)) {
                Some(name) => format!("{name} {}", super::super::hex(apdu)),
                None => super::super::hex(apdu),
            };
            self.abort(now, Failure::Protocol(format!("{what} instead of an AARE")));
            return;
        }
        let aare = match Aare::parse(apdu) {
            Ok(a) => a,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("AARE: {e}")));
                return;
            }
        };
        if aare.result != assoc::result::ACCEPTED {
            let text = format!("{}, {}", assoc::result_text(aare.result), aare.diagnostic.text());
            self.abort(now, Failure::Rejected { result: aare.result, diagnostic: aare.diagnostic, text });
            return;
        }
        self.server_title = aare.responding_title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
        let info = aare.user_info.clone().unwrap_or_default();
        let info = match self.decipher(info) {
            Ok(i) => i,
            Err(f) => {
                self.abort(now, f);
                return;
            }
        };
        let resp = match InitiateResponse::parse(&info) {
            Ok(r) => r,
            Err(e) => {
                self.abort(now, Failure::Protocol(format!("InitiateResponse: {e}")));
                return;
            }
        };
        self.max_pdu = resp.max_pdu;
        self.granted = resp.conformance;
        self.dedicated = self.cfg.dedicated_key.is_some() && self.ciphered();
        self.sn_names = None;
        self.scalers.clear();
        self.columns.clear();
        self.k.emit(DlmsEvent::Associated {
            conformance: resp.conformance,
            max_pdu: resp.max_pdu,
            server_title: aare.responding_title.clone(),
            mechanism: aare.mechanism,
        });
        if self.cfg.auth == Auth::HighGmac {
            let Some(stoc) = aare.auth_value.clone() else {
                self.abort(now, Failure::Authentication("no server challenge in the AARE".into()));
                return;
            };
            if self.cfg.security.is_none() || self.server_title.is_none() {
                self.abort(now, Failure::Authentication("HLS-GMAC needs keys and the server system title".into()));
                return;
            }
            self.k.queue.push_front(Op::HlsReply(stoc));
        } else {
            self.associated = true;
        }
        self.finish(now);
    }
}
