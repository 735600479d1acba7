//! `Apdu::parse`: the strict reader of one whole APDU.

use super::super::codec::{Csd, Data};
use super::super::data::tag;
use super::types::*;
use crate::error::{ErrorKind, ParseError};
use crate::wire::Cursor;

impl Apdu {
    /// Strict parse of one whole APDU of the kinds above.
    pub fn parse(b: &[u8]) -> Result<Apdu, ParseError> {
        let mut r = P { c: Cursor::new(b, 0) };
        let a = r.apdu()?;
        if r.c.pos() < b.len() {
            return Err(ParseError::new(r.c.pos(), ErrorKind::TrailingBytes { count: b.len() - r.c.pos() }));
        }
        Ok(a)
    }

    /// The inner APDU of a plaintext SECURITY-Request or SECURITY-Response,
    /// parsed strictly; `None` for other APDUs and for ciphertext or errors.
    pub fn plaintext(&self) -> Option<Result<Apdu, ParseError>> {
        match self {
            Apdu::SecurityRequest { data: SecurityData::Plain(b), .. }
            | Apdu::SecurityResponse { data: SecurityResponseData::Plain(b), .. } => Some(Apdu::parse(b)),
            _ => None,
        }
    }
}

/// The strict reader.
struct P<'a> {
    c: Cursor<'a>,
}

impl<'a> P<'a> {
    fn bad(&self, at: usize, what: &'static str) -> ParseError {
        ParseError::new(at, ErrorKind::BadValue { what })
    }
    fn seq<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
        let n = self.c.axdr_count()?;
        (0..n).map(|_| f(self)).collect()
    }
    fn data(&mut self) -> Result<Data, ParseError> {
        let (d, used) = Data::parse(self.c.remaining()).map_err(|e| self.shift(e))?;
        self.c.seek(self.c.pos() + used);
        Ok(d)
    }
    fn untagged(&mut self, t: u8) -> Result<Data, ParseError> {
        let (d, used) = Data::parse_untagged(t, self.c.remaining()).map_err(|e| self.shift(e))?;
        self.c.seek(self.c.pos() + used);
        Ok(d)
    }
    fn shift(&self, e: ParseError) -> ParseError {
        ParseError::new(e.offset + self.c.pos(), e.kind)
    }
    fn flag(&mut self) -> Result<bool, ParseError> {
        match self.c.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.bad(self.c.pos() - 1, "OPTIONAL flag")),
        }
    }
    fn time_tag(&mut self) -> Result<Option<TimeTag>, ParseError> {
        Ok(if self.flag()? { Some(TimeTag { send_time: self.c.array()?, delay: self.c.array()? }) } else { None })
    }
    fn rcsd(&mut self) -> Result<Vec<Csd>, ParseError> {
        match self.untagged(tag::RCSD)? {
            Data::Rcsd(v) => Ok(v),
            _ => Err(self.bad(self.c.pos(), "RCSD")),
        }
    }
    fn result_normal(&mut self) -> Result<ResultNormal, ParseError> {
        let oad = self.c.array()?;
        let result = match self.c.u8()? {
            0 => GetResult::Dar(self.c.u8()?),
            1 => GetResult::Data(self.data()?),
            _ => return Err(self.bad(self.c.pos() - 1, "Get-Result choice")),
        };
        Ok(ResultNormal { oad, result })
    }
    fn result_record(&mut self) -> Result<ResultRecord, ParseError> {
        let oad = self.c.array()?;
        let rcsd = self.rcsd()?;
        let data = match self.c.u8()? {
            0 => RecordData::Dar(self.c.u8()?),
            1 => {
                let cols = rcsd.len();
                let at = self.c.pos();
                let n = self.c.axdr_count()?;
                if cols == 0 && n > 0 {
                    return Err(self.bad(at, "record rows without columns"));
                }
                let mut rows = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    rows.push((0..cols).map(|_| self.data()).collect::<Result<Vec<_>, _>>()?);
                }
                RecordData::Rows(rows)
            }
            _ => return Err(self.bad(self.c.pos() - 1, "record result choice")),
        };
        Ok(ResultRecord { oad, rcsd, data })
    }
    fn tail(&mut self) -> Result<ServerTail, ParseError> {
        let follow = if self.flag()? {
            match self.c.u8()? {
                1 => Some(FollowReport::Normal(self.seq(Self::result_normal)?)),
                2 => Some(FollowReport::Record(self.seq(Self::result_record)?)),
                _ => return Err(self.bad(self.c.pos() - 1, "FollowReport choice")),
            }
        } else {
            None
        };
        Ok(ServerTail { follow, time_tag: self.time_tag()? })
    }

    fn octets(&mut self) -> Result<Vec<u8>, ParseError> {
        let n = self.c.axdr_count()?;
        Ok(self.c.take(n)?.to_vec())
    }
    fn connect_params(&mut self) -> Result<ConnectParams, ParseError> {
        Ok(ConnectParams {
            version: self.c.u16_be()?,
            protocol_conformance: self.c.array()?,
            function_conformance: self.c.array()?,
            send_max: self.c.u16_be()?,
            receive_max: self.c.u16_be()?,
            window: self.c.u8()?,
            apdu_max: self.c.u16_be()?,
            timeout: u32::from_be_bytes(self.c.array()?),
        })
    }
    fn record_request(&mut self) -> Result<RecordRequest, ParseError> {
        let oad = self.c.array()?;
        let Data::Rsd(rsd) = self.untagged(tag::RSD)? else { return Err(self.bad(self.c.pos(), "RSD")) };
        Ok(RecordRequest { oad, rsd, rcsd: self.rcsd()? })
    }
    fn octets_result(&mut self) -> Result<OctetsResult, ParseError> {
        match self.c.u8()? {
            0 => Ok(OctetsResult::Dar(self.c.u8()?)),
            1 => Ok(OctetsResult::Octets(self.octets()?)),
            _ => Err(self.bad(self.c.pos() - 1, "result choice")),
        }
    }
    fn oad_data(&mut self) -> Result<(Oad, Data), ParseError> {
        Ok((self.c.array()?, self.data()?))
    }
    fn oad_dar(&mut self) -> Result<(Oad, u8), ParseError> {
        Ok((self.c.array()?, self.c.u8()?))
    }
    fn set_then_get(&mut self) -> Result<SetThenGet, ParseError> {
        Ok(SetThenGet { oad: self.c.array()?, data: self.data()?, get_oad: self.c.array()?, delay: self.c.u8()? })
    }
    fn set_then_get_result(&mut self) -> Result<SetThenGetResult, ParseError> {
        Ok(SetThenGetResult { oad: self.c.array()?, dar: self.c.u8()?, get: self.result_normal()? })
    }
    fn action_then_get(&mut self) -> Result<ActionThenGet, ParseError> {
        Ok(ActionThenGet { omd: self.c.array()?, data: self.data()?, get_oad: self.c.array()?, delay: self.c.u8()? })
    }
    fn action_result(&mut self) -> Result<ActionResult, ParseError> {
        let (omd, dar) = (self.c.array()?, self.c.u8()?);
        let data = if self.flag()? { Some(self.data()?) } else { None };
        Ok(ActionResult { omd, dar, data })
    }
    fn action_then_get_result(&mut self) -> Result<ActionThenGetResult, ParseError> {
        Ok(ActionThenGetResult { action: self.action_result()?, get: self.result_normal()? })
    }
    fn targets<T>(
        &mut self,
        f: impl Fn(&mut Self) -> Result<T, ParseError> + Copy,
    ) -> Result<Vec<ProxyTarget<T>>, ParseError> {
        self.seq(|p| Ok(ProxyTarget { tsa: p.octets()?, timeout: p.c.u16_be()?, items: p.seq(f)? }))
    }
    fn answers<T>(
        &mut self,
        f: impl Fn(&mut Self) -> Result<T, ParseError> + Copy,
    ) -> Result<Vec<ProxyAnswer<T>>, ParseError> {
        self.seq(|p| Ok(ProxyAnswer { tsa: p.octets()?, results: p.seq(f)? }))
    }
    fn proxy_request(&mut self, k: u8) -> Result<ProxyRequest, ParseError> {
        Ok(match k {
            1 => ProxyRequest::GetList { timeout: self.c.u16_be()?, targets: self.targets(|p| Ok(p.c.array()?))? },
            2 => ProxyRequest::GetRecord {
                timeout: self.c.u16_be()?,
                tsa: self.octets()?,
                record: self.record_request()?,
            },
            3 => ProxyRequest::SetList { timeout: self.c.u16_be()?, targets: self.targets(Self::oad_data)? },
            4 => ProxyRequest::SetThenGetList { timeout: self.c.u16_be()?, targets: self.targets(Self::set_then_get)? },
            5 => ProxyRequest::ActionList { timeout: self.c.u16_be()?, targets: self.targets(Self::oad_data)? },
            6 => ProxyRequest::ActionThenGetList {
                timeout: self.c.u16_be()?,
                targets: self.targets(Self::action_then_get)?,
            },
            _ => ProxyRequest::TransCommand {
                port: self.c.array()?,
                comdcb: self.c.array()?,
                frame_timeout: self.c.u16_be()?,
                byte_timeout: self.c.u16_be()?,
                command: self.octets()?,
            },
        })
    }
    fn proxy_response(&mut self, k: u8) -> Result<ProxyResponse, ParseError> {
        Ok(match k {
            1 => ProxyResponse::GetList(self.answers(Self::result_normal)?),
            2 => ProxyResponse::GetRecord { tsa: self.octets()?, result: self.result_record()? },
            3 => ProxyResponse::SetList(self.answers(Self::oad_dar)?),
            4 => ProxyResponse::SetThenGetList(self.answers(Self::set_then_get_result)?),
            5 => ProxyResponse::ActionList(self.answers(Self::action_result)?),
            6 => ProxyResponse::ActionThenGetList(self.answers(Self::action_then_get_result)?),
            _ => ProxyResponse::TransCommand { port: self.c.array()?, result: self.octets_result()? },
        })
    }
    fn connect_request(&mut self) -> Result<Apdu, ParseError> {
        let piid = self.c.u8()?;
        let params = self.connect_params()?;
        let mechanism = match self.c.u8()? {
            0 => ConnectMechanism::Null,
            1 => ConnectMechanism::Password(self.octets()?),
            2 => ConnectMechanism::Symmetric { ciphertext: self.octets()?, signature: self.octets()? },
            3 => ConnectMechanism::Signature { ciphertext: self.octets()?, signature: self.octets()? },
            _ => return Err(self.bad(self.c.pos() - 1, "connect mechanism")),
        };
        Ok(Apdu::ConnectRequest { piid, params, mechanism, time_tag: self.time_tag()? })
    }
    fn connect_response(&mut self) -> Result<Apdu, ParseError> {
        let piid = self.c.u8()?;
        let factory = FactoryVersion {
            vendor: self.c.array()?,
            software_version: self.c.array()?,
            software_date: self.c.array()?,
            hardware_version: self.c.array()?,
            hardware_date: self.c.array()?,
            extension: self.c.array()?,
        };
        let params = self.connect_params()?;
        let result = self.c.u8()?;
        let security = if self.flag()? {
            Some(ConnectSecurity { server_rn: self.octets()?, server_signature: self.octets()? })
        } else {
            None
        };
        Ok(Apdu::ConnectResponse { piid, factory, params, result, security, tail: self.tail()? })
    }
    fn security_request(&mut self) -> Result<Apdu, ParseError> {
        let data = match self.c.u8()? {
            0 => SecurityData::Plain(self.octets()?),
            1 => SecurityData::Cipher(self.octets()?),
            _ => return Err(self.bad(self.c.pos() - 1, "security data choice")),
        };
        let verify = match self.c.u8()? {
            0 => VerifyInfo::SidMac { ident: self.c.array()?, data: self.octets()?, mac: self.octets()? },
            1 => VerifyInfo::Rn(self.octets()?),
            2 => VerifyInfo::RnMac { rn: self.octets()?, mac: self.octets()? },
            3 => VerifyInfo::Sid { ident: self.c.array()?, data: self.octets()? },
            _ => return Err(self.bad(self.c.pos() - 1, "verification choice")),
        };
        Ok(Apdu::SecurityRequest { data, verify })
    }
    fn security_response(&mut self) -> Result<Apdu, ParseError> {
        let data = match self.c.u8()? {
            0 => SecurityResponseData::Plain(self.octets()?),
            1 => SecurityResponseData::Cipher(self.octets()?),
            2 => SecurityResponseData::Dar(self.c.u8()?),
            _ => return Err(self.bad(self.c.pos() - 1, "security data choice")),
        };
        let mac = if self.flag()? {
            match self.c.u8()? {
                0 => Some(self.octets()?),
                _ => return Err(self.bad(self.c.pos() - 1, "verification choice")),
            }
        } else {
            None
        };
        Ok(Apdu::SecurityResponse { data, mac })
    }

    fn apdu(&mut self) -> Result<Apdu, ParseError> {
        let at = self.c.pos();
        let t = self.c.u8()?;
        if t == 0x01 {
            return Ok(Apdu::LinkRequest {
                piid: self.c.u8()?,
                kind: self.c.u8()?,
                heartbeat: self.c.u16_be()?,
                time: self.c.array()?,
            });
        }
        if t == 0x81 {
            return Ok(Apdu::LinkResponse {
                piid: self.c.u8()?,
                result: self.c.u8()?,
                request_time: self.c.array()?,
                receive_time: self.c.array()?,
                response_time: self.c.array()?,
            });
        }
        match t {
            0x02 => return self.connect_request(),
            0x82 => return self.connect_response(),
            0x03 => return Ok(Apdu::ReleaseRequest { piid: self.c.u8()?, time_tag: self.time_tag()? }),
            0x83 => return Ok(Apdu::ReleaseResponse { piid: self.c.u8()?, result: self.c.u8()?, tail: self.tail()? }),
            0x84 => {
                return Ok(Apdu::ReleaseNotification {
                    piid: self.c.u8()?,
                    connect_time: self.c.array()?,
                    server_time: self.c.array()?,
                    tail: self.tail()?,
                });
            }
            0x10 => return self.security_request(),
            0x90 => return self.security_response(),
            _ => {}
        }
        if t == 0xEE {
            let (piid, kind) = (self.c.u8()?, self.c.u8()?);
            // Servers that add the optional trailer send it absent.
            if self.c.remaining() == [0, 0] {
                self.c.seek(self.c.pos() + 2);
            }
            return Ok(Apdu::ErrorResponse { piid, kind });
        }
        if !matches!(t, 0x05 | 0x85 | 0x06 | 0x86 | 0x07 | 0x87 | 0x08 | 0x88 | 0x09 | 0x89) {
            return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a supported APDU tag" }));
        }
        let choice_at = self.c.pos();
        let k = self.c.u8()?;
        let piid = self.c.u8()?;
        Ok(match (t, k) {
            (0x05, 1) => Apdu::GetNormal { piid, oad: self.c.array()?, time_tag: self.time_tag()? },
            (0x05, 2) => {
                Apdu::GetNormalList { piid, oads: self.seq(|p| Ok(p.c.array()?))?, time_tag: self.time_tag()? }
            }
            (0x05, 3) => {
                let oad = self.c.array()?;
                let Data::Rsd(rsd) = self.untagged(tag::RSD)? else { return Err(self.bad(self.c.pos(), "RSD")) };
                Apdu::GetRecord { piid, oad, rsd, rcsd: self.rcsd()?, time_tag: self.time_tag()? }
            }
            (0x05, 4) => {
                Apdu::GetRecordList { piid, records: self.seq(Self::record_request)?, time_tag: self.time_tag()? }
            }
            (0x05, 6) => Apdu::GetMd5 { piid, oad: self.c.array()?, time_tag: self.time_tag()? },
            (0x85, 4) => {
                Apdu::GetResponseRecordList { piid, results: self.seq(Self::result_record)?, tail: self.tail()? }
            }
            (0x85, 6) => {
                Apdu::GetResponseMd5 { piid, oad: self.c.array()?, result: self.octets_result()?, tail: self.tail()? }
            }
            (0x06, 2) => Apdu::SetNormalList { piid, items: self.seq(Self::oad_data)?, time_tag: self.time_tag()? },
            (0x06, 3) => {
                Apdu::SetThenGetNormalList { piid, items: self.seq(Self::set_then_get)?, time_tag: self.time_tag()? }
            }
            (0x86, 2) => Apdu::SetResponseNormalList { piid, results: self.seq(Self::oad_dar)?, tail: self.tail()? },
            (0x86, 3) => Apdu::SetResponseThenGetNormalList {
                piid,
                results: self.seq(Self::set_then_get_result)?,
                tail: self.tail()?,
            },
            (0x07, 2) => Apdu::ActionNormalList { piid, items: self.seq(Self::oad_data)?, time_tag: self.time_tag()? },
            (0x07, 3) => Apdu::ActionThenGetNormalList {
                piid,
                items: self.seq(Self::action_then_get)?,
                time_tag: self.time_tag()?,
            },
            (0x87, 2) => {
                Apdu::ActionResponseNormalList { piid, results: self.seq(Self::action_result)?, tail: self.tail()? }
            }
            (0x87, 3) => Apdu::ActionResponseThenGetNormalList {
                piid,
                results: self.seq(Self::action_then_get_result)?,
                tail: self.tail()?,
            },
            (0x08, 3) => Apdu::ReportResponseTransData { piid, time_tag: self.time_tag()? },
            (0x88, 3) => Apdu::ReportNotificationTransData {
                piid,
                port: self.c.array()?,
                data: self.seq(Self::octets)?,
                tail: self.tail()?,
            },
            (0x09, 1..=7) => Apdu::ProxyRequest { piid, request: self.proxy_request(k)?, time_tag: self.time_tag()? },
            (0x89, 1..=7) => Apdu::ProxyResponse { piid, response: self.proxy_response(k)?, tail: self.tail()? },
            (0x05, 5) => Apdu::GetNext { piid, last_block: self.c.u16_be()?, time_tag: self.time_tag()? },
            (0x85, 1) => Apdu::GetResponseNormal { piid, result: self.result_normal()?, tail: self.tail()? },
            (0x85, 2) => {
                Apdu::GetResponseNormalList { piid, results: self.seq(Self::result_normal)?, tail: self.tail()? }
            }
            (0x85, 3) => Apdu::GetResponseRecord { piid, result: self.result_record()?, tail: self.tail()? },
            (0x85, 5) => {
                let last = match self.c.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(self.bad(self.c.pos() - 1, "last block flag")),
                };
                let block = self.c.u16_be()?;
                let answer = match self.c.u8()? {
                    0 => NextAnswer::Dar(self.c.u8()?),
                    1 => NextAnswer::Normal(self.seq(Self::result_normal)?),
                    2 => NextAnswer::Record(self.seq(Self::result_record)?),
                    _ => return Err(self.bad(self.c.pos() - 1, "GET-Response-Next answer choice")),
                };
                Apdu::GetResponseNext { piid, last, block, answer, tail: self.tail()? }
            }
            (0x06, 1) => Apdu::SetNormal { piid, oad: self.c.array()?, data: self.data()?, time_tag: self.time_tag()? },
            (0x86, 1) => Apdu::SetResponseNormal { piid, oad: self.c.array()?, dar: self.c.u8()?, tail: self.tail()? },
            (0x07, 1) => {
                Apdu::ActionNormal { piid, omd: self.c.array()?, data: self.data()?, time_tag: self.time_tag()? }
            }
            (0x87, 1) => {
                let (omd, dar) = (self.c.array()?, self.c.u8()?);
                let data = if self.flag()? { Some(self.data()?) } else { None };
                Apdu::ActionResponseNormal { piid, omd, dar, data, tail: self.tail()? }
            }
            (0x08, 1 | 2) => Apdu::ReportResponse {
                piid,
                choice: k,
                oads: self.seq(|p| Ok(p.c.array()?))?,
                time_tag: self.time_tag()?,
            },
            (0x88, 1) => {
                Apdu::ReportNotificationList { piid, results: self.seq(Self::result_normal)?, tail: self.tail()? }
            }
            (0x88, 2) => {
                Apdu::ReportNotificationRecordList { piid, results: self.seq(Self::result_record)?, tail: self.tail()? }
            }
            _ => {
                return Err(ParseError::new(
                    choice_at,
                    ErrorKind::UnexpectedByte { found: k, expected: "a supported choice" },
                ));
            }
        })
    }
}
