//! `Apdu::emit`: the APDU bytes.

use super::super::codec::{Csd, Data};
use super::types::*;
use crate::wire::put_axdr_length;

fn put_time_tag(out: &mut Vec<u8>, t: &Option<TimeTag>) {
    match t {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.send_time);
            out.extend_from_slice(&t.delay);
        }
    }
}

fn put_result_normal(out: &mut Vec<u8>, r: &ResultNormal) {
    out.extend_from_slice(&r.oad);
    match &r.result {
        GetResult::Dar(d) => out.extend_from_slice(&[0, *d]),
        GetResult::Data(d) => {
            out.push(1);
            d.emit(out);
        }
    }
}

fn put_rcsd(out: &mut Vec<u8>, rcsd: &[Csd]) {
    Data::Rcsd(rcsd.to_vec()).emit_untagged(out);
}

fn put_result_record(out: &mut Vec<u8>, r: &ResultRecord) {
    out.extend_from_slice(&r.oad);
    put_rcsd(out, &r.rcsd);
    match &r.data {
        RecordData::Dar(d) => out.extend_from_slice(&[0, *d]),
        RecordData::Rows(rows) => {
            out.push(1);
            put_axdr_length(out, rows.len());
            for row in rows {
                row.iter().for_each(|d| d.emit(out));
            }
        }
    }
}

fn put_seq<T>(out: &mut Vec<u8>, items: &[T], f: impl Fn(&mut Vec<u8>, &T)) {
    put_axdr_length(out, items.len());
    items.iter().for_each(|i| f(out, i));
}

fn put_tail(out: &mut Vec<u8>, t: &ServerTail) {
    match &t.follow {
        None => out.push(0),
        Some(FollowReport::Normal(v)) => {
            out.extend_from_slice(&[1, 1]);
            put_seq(out, v, put_result_normal);
        }
        Some(FollowReport::Record(v)) => {
            out.extend_from_slice(&[1, 2]);
            put_seq(out, v, put_result_record);
        }
    }
    put_time_tag(out, &t.time_tag);
}

fn put_octets(out: &mut Vec<u8>, b: &[u8]) {
    put_axdr_length(out, b.len());
    out.extend_from_slice(b);
}

fn put_connect_params(out: &mut Vec<u8>, p: &ConnectParams) {
    out.extend_from_slice(&p.version.to_be_bytes());
    out.extend_from_slice(&p.protocol_conformance);
    out.extend_from_slice(&p.function_conformance);
    out.extend_from_slice(&p.send_max.to_be_bytes());
    out.extend_from_slice(&p.receive_max.to_be_bytes());
    out.push(p.window);
    out.extend_from_slice(&p.apdu_max.to_be_bytes());
    out.extend_from_slice(&p.timeout.to_be_bytes());
}

fn put_record_request(out: &mut Vec<u8>, r: &RecordRequest) {
    out.extend_from_slice(&r.oad);
    Data::Rsd(r.rsd.clone()).emit_untagged(out);
    put_rcsd(out, &r.rcsd);
}

fn put_octets_result(out: &mut Vec<u8>, r: &OctetsResult) {
    match r {
        OctetsResult::Dar(d) => out.extend_from_slice(&[0, *d]),
        OctetsResult::Octets(b) => {
            out.push(1);
            put_octets(out, b);
        }
    }
}

fn put_oad_data(out: &mut Vec<u8>, x: &(Oad, Data)) {
    out.extend_from_slice(&x.0);
    x.1.emit(out);
}

fn put_oad_dar(out: &mut Vec<u8>, x: &(Oad, u8)) {
    out.extend_from_slice(&x.0);
    out.push(x.1);
}

fn put_set_then_get(out: &mut Vec<u8>, x: &SetThenGet) {
    out.extend_from_slice(&x.oad);
    x.data.emit(out);
    out.extend_from_slice(&x.get_oad);
    out.push(x.delay);
}

fn put_set_then_get_result(out: &mut Vec<u8>, x: &SetThenGetResult) {
    out.extend_from_slice(&x.oad);
    out.push(x.dar);
    put_result_normal(out, &x.get);
}

fn put_action_then_get(out: &mut Vec<u8>, x: &ActionThenGet) {
    out.extend_from_slice(&x.omd);
    x.data.emit(out);
    out.extend_from_slice(&x.get_oad);
    out.push(x.delay);
}

fn put_action_result(out: &mut Vec<u8>, x: &ActionResult) {
    out.extend_from_slice(&x.omd);
    out.push(x.dar);
    match &x.data {
        None => out.push(0),
        Some(d) => {
            out.push(1);
            d.emit(out);
        }
    }
}

fn put_action_then_get_result(out: &mut Vec<u8>, x: &ActionThenGetResult) {
    put_action_result(out, &x.action);
    put_result_normal(out, &x.get);
}

fn put_targets<T>(out: &mut Vec<u8>, timeout: u16, targets: &[ProxyTarget<T>], f: impl Fn(&mut Vec<u8>, &T) + Copy) {
    out.extend_from_slice(&timeout.to_be_bytes());
    put_seq(out, targets, |out, t| {
        put_octets(out, &t.tsa);
        out.extend_from_slice(&t.timeout.to_be_bytes());
        put_seq(out, &t.items, f);
    });
}

fn put_answers<T>(out: &mut Vec<u8>, answers: &[ProxyAnswer<T>], f: impl Fn(&mut Vec<u8>, &T) + Copy) {
    put_seq(out, answers, |out, a| {
        put_octets(out, &a.tsa);
        put_seq(out, &a.results, f);
    });
}

fn put_proxy_request(out: &mut Vec<u8>, piid: u8, r: &ProxyRequest) {
    let choice = match r {
        ProxyRequest::GetList { .. } => 1,
        ProxyRequest::GetRecord { .. } => 2,
        ProxyRequest::SetList { .. } => 3,
        ProxyRequest::SetThenGetList { .. } => 4,
        ProxyRequest::ActionList { .. } => 5,
        ProxyRequest::ActionThenGetList { .. } => 6,
        ProxyRequest::TransCommand { .. } => 7,
    };
    out.extend_from_slice(&[0x09, choice, piid]);
    match r {
        ProxyRequest::GetList { timeout, targets } => {
            put_targets(out, *timeout, targets, |o, x| o.extend_from_slice(x))
        }
        ProxyRequest::GetRecord { timeout, tsa, record } => {
            out.extend_from_slice(&timeout.to_be_bytes());
            put_octets(out, tsa);
            put_record_request(out, record);
        }
        ProxyRequest::SetList { timeout, targets } => put_targets(out, *timeout, targets, put_oad_data),
        ProxyRequest::SetThenGetList { timeout, targets } => put_targets(out, *timeout, targets, put_set_then_get),
        ProxyRequest::ActionList { timeout, targets } => put_targets(out, *timeout, targets, put_oad_data),
        ProxyRequest::ActionThenGetList { timeout, targets } => {
            put_targets(out, *timeout, targets, put_action_then_get)
        }
        ProxyRequest::TransCommand { port, comdcb, frame_timeout, byte_timeout, command } => {
            out.extend_from_slice(port);
            out.extend_from_slice(comdcb);
            out.extend_from_slice(&frame_timeout.to_be_bytes());
            out.extend_from_slice(&byte_timeout.to_be_bytes());
            put_octets(out, command);
        }
    }
}

fn put_proxy_response(out: &mut Vec<u8>, piid: u8, r: &ProxyResponse) {
    let choice = match r {
        ProxyResponse::GetList(_) => 1,
        ProxyResponse::GetRecord { .. } => 2,
        ProxyResponse::SetList(_) => 3,
        ProxyResponse::SetThenGetList(_) => 4,
        ProxyResponse::ActionList(_) => 5,
        ProxyResponse::ActionThenGetList(_) => 6,
        ProxyResponse::TransCommand { .. } => 7,
    };
    out.extend_from_slice(&[0x89, choice, piid]);
    match r {
        ProxyResponse::GetList(v) => put_answers(out, v, put_result_normal),
        ProxyResponse::GetRecord { tsa, result } => {
            put_octets(out, tsa);
            put_result_record(out, result);
        }
        ProxyResponse::SetList(v) => put_answers(out, v, put_oad_dar),
        ProxyResponse::SetThenGetList(v) => put_answers(out, v, put_set_then_get_result),
        ProxyResponse::ActionList(v) => put_answers(out, v, put_action_result),
        ProxyResponse::ActionThenGetList(v) => put_answers(out, v, put_action_then_get_result),
        ProxyResponse::TransCommand { port, result } => {
            out.extend_from_slice(port);
            put_octets_result(out, result);
        }
    }
}

impl Apdu {
    /// The APDU bytes.
    pub fn emit(&self) -> Vec<u8> {
        let mut o = Vec::new();
        match self {
            Apdu::LinkRequest { piid, kind, heartbeat, time } => {
                o.extend_from_slice(&[0x01, *piid, *kind]);
                o.extend_from_slice(&heartbeat.to_be_bytes());
                o.extend_from_slice(time);
            }
            Apdu::LinkResponse { piid, result, request_time, receive_time, response_time } => {
                o.extend_from_slice(&[0x81, *piid, *result]);
                o.extend_from_slice(request_time);
                o.extend_from_slice(receive_time);
                o.extend_from_slice(response_time);
            }
            Apdu::GetNormal { piid, oad, time_tag } => {
                o.extend_from_slice(&[0x05, 1, *piid]);
                o.extend_from_slice(oad);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetNormalList { piid, oads, time_tag } => {
                o.extend_from_slice(&[0x05, 2, *piid]);
                put_seq(&mut o, oads, |o, x| o.extend_from_slice(x));
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetRecord { piid, oad, rsd, rcsd, time_tag } => {
                o.extend_from_slice(&[0x05, 3, *piid]);
                o.extend_from_slice(oad);
                Data::Rsd(rsd.clone()).emit_untagged(&mut o);
                put_rcsd(&mut o, rcsd);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetNext { piid, last_block, time_tag } => {
                o.extend_from_slice(&[0x05, 5, *piid]);
                o.extend_from_slice(&last_block.to_be_bytes());
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetResponseNormal { piid, result, tail } => {
                o.extend_from_slice(&[0x85, 1, *piid]);
                put_result_normal(&mut o, result);
                put_tail(&mut o, tail);
            }
            Apdu::GetResponseNormalList { piid, results, tail } => {
                o.extend_from_slice(&[0x85, 2, *piid]);
                put_seq(&mut o, results, put_result_normal);
                put_tail(&mut o, tail);
            }
            Apdu::GetResponseRecord { piid, result, tail } => {
                o.extend_from_slice(&[0x85, 3, *piid]);
                put_result_record(&mut o, result);
                put_tail(&mut o, tail);
            }
            Apdu::GetResponseNext { piid, last, block, answer, tail } => {
                o.extend_from_slice(&[0x85, 5, *piid, u8::from(*last)]);
                o.extend_from_slice(&block.to_be_bytes());
                match answer {
                    NextAnswer::Dar(d) => o.extend_from_slice(&[0, *d]),
                    NextAnswer::Normal(v) => {
                        o.push(1);
                        put_seq(&mut o, v, put_result_normal);
                    }
                    NextAnswer::Record(v) => {
                        o.push(2);
                        put_seq(&mut o, v, put_result_record);
                    }
                }
                put_tail(&mut o, tail);
            }
            Apdu::SetNormal { piid, oad, data, time_tag } => {
                o.extend_from_slice(&[0x06, 1, *piid]);
                o.extend_from_slice(oad);
                data.emit(&mut o);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::SetResponseNormal { piid, oad, dar, tail } => {
                o.extend_from_slice(&[0x86, 1, *piid]);
                o.extend_from_slice(oad);
                o.push(*dar);
                put_tail(&mut o, tail);
            }
            Apdu::ActionNormal { piid, omd, data, time_tag } => {
                o.extend_from_slice(&[0x07, 1, *piid]);
                o.extend_from_slice(omd);
                data.emit(&mut o);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ActionResponseNormal { piid, omd, dar, data, tail } => {
                o.extend_from_slice(&[0x87, 1, *piid]);
                o.extend_from_slice(omd);
                o.push(*dar);
                match data {
                    None => o.push(0),
                    Some(d) => {
                        o.push(1);
                        d.emit(&mut o);
                    }
                }
                put_tail(&mut o, tail);
            }
            Apdu::ReportResponse { piid, choice, oads, time_tag } => {
                o.extend_from_slice(&[0x08, *choice, *piid]);
                put_seq(&mut o, oads, |o, x| o.extend_from_slice(x));
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ReportNotificationList { piid, results, tail } => {
                o.extend_from_slice(&[0x88, 1, *piid]);
                put_seq(&mut o, results, put_result_normal);
                put_tail(&mut o, tail);
            }
            Apdu::ReportNotificationRecordList { piid, results, tail } => {
                o.extend_from_slice(&[0x88, 2, *piid]);
                put_seq(&mut o, results, put_result_record);
                put_tail(&mut o, tail);
            }
            Apdu::ConnectRequest { piid, params, mechanism, time_tag } => {
                o.extend_from_slice(&[0x02, *piid]);
                put_connect_params(&mut o, params);
                match mechanism {
                    ConnectMechanism::Null => o.push(0),
                    ConnectMechanism::Password(p) => {
                        o.push(1);
                        put_octets(&mut o, p);
                    }
                    ConnectMechanism::Symmetric { ciphertext, signature } => {
                        o.push(2);
                        put_octets(&mut o, ciphertext);
                        put_octets(&mut o, signature);
                    }
                    ConnectMechanism::Signature { ciphertext, signature } => {
                        o.push(3);
                        put_octets(&mut o, ciphertext);
                        put_octets(&mut o, signature);
                    }
                }
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ConnectResponse { piid, factory: f, params, result, security, tail } => {
                o.extend_from_slice(&[0x82, *piid]);
                for part in [
                    &f.vendor[..],
                    &f.software_version,
                    &f.software_date,
                    &f.hardware_version,
                    &f.hardware_date,
                    &f.extension,
                ] {
                    o.extend_from_slice(part);
                }
                put_connect_params(&mut o, params);
                o.push(*result);
                match security {
                    None => o.push(0),
                    Some(s) => {
                        o.push(1);
                        put_octets(&mut o, &s.server_rn);
                        put_octets(&mut o, &s.server_signature);
                    }
                }
                put_tail(&mut o, tail);
            }
            Apdu::ReleaseRequest { piid, time_tag } => {
                o.extend_from_slice(&[0x03, *piid]);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ReleaseResponse { piid, result, tail } => {
                o.extend_from_slice(&[0x83, *piid, *result]);
                put_tail(&mut o, tail);
            }
            Apdu::ReleaseNotification { piid, connect_time, server_time, tail } => {
                o.extend_from_slice(&[0x84, *piid]);
                o.extend_from_slice(connect_time);
                o.extend_from_slice(server_time);
                put_tail(&mut o, tail);
            }
            Apdu::GetRecordList { piid, records, time_tag } => {
                o.extend_from_slice(&[0x05, 4, *piid]);
                put_seq(&mut o, records, put_record_request);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetMd5 { piid, oad, time_tag } => {
                o.extend_from_slice(&[0x05, 6, *piid]);
                o.extend_from_slice(oad);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::GetResponseRecordList { piid, results, tail } => {
                o.extend_from_slice(&[0x85, 4, *piid]);
                put_seq(&mut o, results, put_result_record);
                put_tail(&mut o, tail);
            }
            Apdu::GetResponseMd5 { piid, oad, result, tail } => {
                o.extend_from_slice(&[0x85, 6, *piid]);
                o.extend_from_slice(oad);
                put_octets_result(&mut o, result);
                put_tail(&mut o, tail);
            }
            Apdu::SetNormalList { piid, items, time_tag } => {
                o.extend_from_slice(&[0x06, 2, *piid]);
                put_seq(&mut o, items, put_oad_data);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::SetThenGetNormalList { piid, items, time_tag } => {
                o.extend_from_slice(&[0x06, 3, *piid]);
                put_seq(&mut o, items, put_set_then_get);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::SetResponseNormalList { piid, results, tail } => {
                o.extend_from_slice(&[0x86, 2, *piid]);
                put_seq(&mut o, results, put_oad_dar);
                put_tail(&mut o, tail);
            }
            Apdu::SetResponseThenGetNormalList { piid, results, tail } => {
                o.extend_from_slice(&[0x86, 3, *piid]);
                put_seq(&mut o, results, put_set_then_get_result);
                put_tail(&mut o, tail);
            }
            Apdu::ActionNormalList { piid, items, time_tag } => {
                o.extend_from_slice(&[0x07, 2, *piid]);
                put_seq(&mut o, items, put_oad_data);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ActionThenGetNormalList { piid, items, time_tag } => {
                o.extend_from_slice(&[0x07, 3, *piid]);
                put_seq(&mut o, items, put_action_then_get);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ActionResponseNormalList { piid, results, tail } => {
                o.extend_from_slice(&[0x87, 2, *piid]);
                put_seq(&mut o, results, put_action_result);
                put_tail(&mut o, tail);
            }
            Apdu::ActionResponseThenGetNormalList { piid, results, tail } => {
                o.extend_from_slice(&[0x87, 3, *piid]);
                put_seq(&mut o, results, put_action_then_get_result);
                put_tail(&mut o, tail);
            }
            Apdu::ReportResponseTransData { piid, time_tag } => {
                o.extend_from_slice(&[0x08, 3, *piid]);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ReportNotificationTransData { piid, port, data, tail } => {
                o.extend_from_slice(&[0x88, 3, *piid]);
                o.extend_from_slice(port);
                put_seq(&mut o, data, |o, b| put_octets(o, b));
                put_tail(&mut o, tail);
            }
            Apdu::ProxyRequest { piid, request, time_tag } => {
                put_proxy_request(&mut o, *piid, request);
                put_time_tag(&mut o, time_tag);
            }
            Apdu::ProxyResponse { piid, response, tail } => {
                put_proxy_response(&mut o, *piid, response);
                put_tail(&mut o, tail);
            }
            Apdu::SecurityRequest { data, verify } => {
                let (choice, b) = match data {
                    SecurityData::Plain(b) => (0, b),
                    SecurityData::Cipher(b) => (1, b),
                };
                o.extend_from_slice(&[0x10, choice]);
                put_octets(&mut o, b);
                match verify {
                    VerifyInfo::SidMac { ident, data, mac } => {
                        o.push(0);
                        o.extend_from_slice(ident);
                        put_octets(&mut o, data);
                        put_octets(&mut o, mac);
                    }
                    VerifyInfo::Rn(rn) => {
                        o.push(1);
                        put_octets(&mut o, rn);
                    }
                    VerifyInfo::RnMac { rn, mac } => {
                        o.push(2);
                        put_octets(&mut o, rn);
                        put_octets(&mut o, mac);
                    }
                    VerifyInfo::Sid { ident, data } => {
                        o.push(3);
                        o.extend_from_slice(ident);
                        put_octets(&mut o, data);
                    }
                }
            }
            Apdu::SecurityResponse { data, mac } => {
                o.push(0x90);
                match data {
                    SecurityResponseData::Plain(b) => {
                        o.push(0);
                        put_octets(&mut o, b);
                    }
                    SecurityResponseData::Cipher(b) => {
                        o.push(1);
                        put_octets(&mut o, b);
                    }
                    SecurityResponseData::Dar(d) => o.extend_from_slice(&[2, *d]),
                }
                match mac {
                    None => o.push(0),
                    Some(m) => {
                        o.extend_from_slice(&[1, 0]);
                        put_octets(&mut o, m);
                    }
                }
            }
            Apdu::ErrorResponse { piid, kind } => o.extend_from_slice(&[0xEE, *piid, *kind]),
        }
        o
    }
}
