//! Round trips of every APDU kind, known encodings, fragments reassembled.

use super::super::codec::Selector2;
use super::super::codec::tests::{arbitrary, arr4, csd};
use super::super::codec::{Csd, Data, Rsd};
use super::super::data::tag;
use super::super::reassembly;
use super::*;
use crate::error::ErrorKind;
use crate::registry::Options;
use crate::testkit::Rng;
use crate::view::Severity;

fn time_tag(r: &mut Rng) -> Option<TimeTag> {
    (r.below(3) == 0).then_some(TimeTag { send_time: [0x07, 0xE8, 5, 17, 10, 30, 0], delay: [1, 0, 5] })
}

fn normal(r: &mut Rng) -> ResultNormal {
    let result = if r.below(4) == 0 { GetResult::Dar(r.byte()) } else { GetResult::Data(arbitrary(r, 1)) };
    ResultNormal { oad: arr4(r), result }
}

fn record(r: &mut Rng) -> ResultRecord {
    let rcsd: Vec<Csd> = (0..1 + r.below(3)).map(|_| csd(r)).collect();
    let data = if r.below(4) == 0 {
        RecordData::Dar(r.byte())
    } else {
        RecordData::Rows((0..r.below(4)).map(|_| rcsd.iter().map(|_| arbitrary(r, 2)).collect()).collect())
    };
    ResultRecord { oad: arr4(r), rcsd, data }
}

fn tail(r: &mut Rng) -> ServerTail {
    let follow = match r.below(4) {
        0 => Some(FollowReport::Normal((0..r.below(3)).map(|_| normal(r)).collect())),
        1 => Some(FollowReport::Record((0..r.below(2)).map(|_| record(r)).collect())),
        _ => None,
    };
    ServerTail { follow, time_tag: time_tag(r) }
}

fn rsd(r: &mut Rng) -> Rsd {
    match r.below(3) {
        0 => Rsd::S9(r.byte()),
        1 => Rsd::S1 { oad: arr4(r), value: Box::new(arbitrary(r, 2)) },
        _ => Rsd::S2(Box::new(Selector2 {
            oad: arr4(r),
            start: arbitrary(r, 2),
            end: arbitrary(r, 2),
            interval: arbitrary(r, 2),
        })),
    }
}

/// A date_time whose fields are in range (the tolerant decoder flags others).
fn dt10(r: &mut Rng) -> [u8; 10] {
    let ms = r.below(1000) as u16;
    let [y0, y1] = (r.next_u64() as u16).to_be_bytes();
    let [m0, m1] = ms.to_be_bytes();
    let f = |r: &mut Rng, lo: usize, hi: usize| (lo + r.below(hi - lo + 1)) as u8;
    [y0, y1, f(r, 1, 12), f(r, 1, 31), f(r, 0, 6), f(r, 0, 23), f(r, 0, 59), f(r, 0, 59), m0, m1]
}

/// One of the values an enumerated field defines.
fn one_of(r: &mut Rng, values: &[u8]) -> u8 {
    values[r.below(values.len())]
}

fn octs(r: &mut Rng, max: usize) -> Vec<u8> {
    (0..r.below(max)).map(|_| r.byte()).collect()
}

/// A TSA whose flag byte gives its address length.
fn tsa(r: &mut Rng) -> Vec<u8> {
    let n = 1 + r.below(8);
    let mut v = vec![(n - 1) as u8 | (r.below(4) as u8) << 4];
    v.extend((0..n).map(|_| r.byte()));
    v
}

fn params(r: &mut Rng) -> ConnectParams {
    ConnectParams {
        version: r.next_u64() as u16,
        protocol_conformance: core::array::from_fn(|_| r.byte()),
        function_conformance: core::array::from_fn(|_| r.byte()),
        send_max: r.next_u64() as u16,
        receive_max: r.next_u64() as u16,
        window: r.byte(),
        apdu_max: r.next_u64() as u16,
        timeout: r.next_u64() as u32,
    }
}

fn record_request(r: &mut Rng) -> RecordRequest {
    RecordRequest { oad: arr4(r), rsd: rsd(r), rcsd: (0..r.below(4)).map(|_| csd(r)).collect() }
}

fn octets_result(r: &mut Rng) -> OctetsResult {
    if r.below(3) == 0 { OctetsResult::Dar(r.byte()) } else { OctetsResult::Octets(octs(r, 20)) }
}

fn set_then_get(r: &mut Rng) -> SetThenGet {
    SetThenGet { oad: arr4(r), data: arbitrary(r, 2), get_oad: arr4(r), delay: r.byte() }
}

fn set_then_get_result(r: &mut Rng) -> SetThenGetResult {
    SetThenGetResult { oad: arr4(r), dar: r.byte(), get: normal(r) }
}

fn action_then_get(r: &mut Rng) -> ActionThenGet {
    ActionThenGet { omd: arr4(r), data: arbitrary(r, 2), get_oad: arr4(r), delay: r.byte() }
}

fn action_result(r: &mut Rng) -> ActionResult {
    ActionResult { omd: arr4(r), dar: r.byte(), data: (r.below(2) == 0).then(|| arbitrary(r, 2)) }
}

fn list<T>(r: &mut Rng, max: usize, f: impl Fn(&mut Rng) -> T) -> Vec<T> {
    (0..r.below(max)).map(|_| f(r)).collect()
}

fn targets<T>(r: &mut Rng, f: impl Fn(&mut Rng) -> T + Copy) -> Vec<ProxyTarget<T>> {
    list(r, 3, |r| ProxyTarget { tsa: tsa(r), timeout: r.next_u64() as u16, items: list(r, 3, f) })
}

fn answers<T>(r: &mut Rng, f: impl Fn(&mut Rng) -> T + Copy) -> Vec<ProxyAnswer<T>> {
    list(r, 3, |r| ProxyAnswer { tsa: tsa(r), results: list(r, 3, f) })
}

fn proxy_request(r: &mut Rng) -> ProxyRequest {
    let timeout = r.next_u64() as u16;
    match r.below(7) {
        0 => ProxyRequest::GetList { timeout, targets: targets(r, arr4) },
        1 => ProxyRequest::GetRecord { timeout, tsa: tsa(r), record: record_request(r) },
        2 => ProxyRequest::SetList { timeout, targets: targets(r, |r| (arr4(r), arbitrary(r, 2))) },
        3 => ProxyRequest::SetThenGetList { timeout, targets: targets(r, set_then_get) },
        4 => ProxyRequest::ActionList { timeout, targets: targets(r, |r| (arr4(r), arbitrary(r, 2))) },
        5 => ProxyRequest::ActionThenGetList { timeout, targets: targets(r, action_then_get) },
        _ => ProxyRequest::TransCommand {
            port: oad(0xF201_0201),
            comdcb: [r.below(11) as u8, r.below(3) as u8, 8, 1, r.below(3) as u8],
            frame_timeout: r.next_u64() as u16,
            byte_timeout: r.next_u64() as u16,
            command: octs(r, 40),
        },
    }
}

fn proxy_response(r: &mut Rng) -> ProxyResponse {
    match r.below(7) {
        0 => ProxyResponse::GetList(answers(r, normal)),
        1 => ProxyResponse::GetRecord { tsa: tsa(r), result: record(r) },
        2 => ProxyResponse::SetList(answers(r, |r| (arr4(r), r.byte()))),
        3 => ProxyResponse::SetThenGetList(answers(r, set_then_get_result)),
        4 => ProxyResponse::ActionList(answers(r, action_result)),
        5 => ProxyResponse::ActionThenGetList(answers(r, |r| ActionThenGetResult {
            action: action_result(r),
            get: normal(r),
        })),
        _ => ProxyResponse::TransCommand { port: oad(0xF201_0201), result: octets_result(r) },
    }
}

fn verify(r: &mut Rng) -> VerifyInfo {
    match r.below(4) {
        0 => VerifyInfo::SidMac { ident: arr4(r), data: octs(r, 6), mac: octs(r, 6) },
        1 => VerifyInfo::Rn(octs(r, 20)),
        2 => VerifyInfo::RnMac { rn: octs(r, 20), mac: octs(r, 6) },
        _ => VerifyInfo::Sid { ident: arr4(r), data: octs(r, 6) },
    }
}

/// APDUs of the kinds added to LINK, GET, SET/ACTION Normal, REPORT and ERROR.
fn apdu_more(r: &mut Rng, piid: u8, depth: usize) -> Apdu {
    match r.below(if depth == 0 { 26 } else { 24 }) {
        0 => Apdu::ConnectRequest {
            piid,
            params: params(r),
            mechanism: match r.below(4) {
                0 => ConnectMechanism::Null,
                1 => ConnectMechanism::Password(b"00000000".to_vec()),
                2 => ConnectMechanism::Symmetric { ciphertext: octs(r, 40), signature: octs(r, 8) },
                _ => ConnectMechanism::Signature { ciphertext: octs(r, 40), signature: octs(r, 8) },
            },
            time_tag: time_tag(r),
        },
        1 => Apdu::ConnectResponse {
            piid,
            factory: FactoryVersion {
                vendor: *b"MSCP",
                software_version: *b"V1.0",
                software_date: *b"240517",
                hardware_version: *b"H1.0",
                hardware_date: *b"240101",
                extension: [0; 8],
            },
            params: params(r),
            result: one_of(r, &[0, 1, 2, 3, 4, 5, 255]),
            security: (r.below(2) == 0)
                .then(|| ConnectSecurity { server_rn: octs(r, 20), server_signature: octs(r, 8) }),
            tail: tail(r),
        },
        2 => Apdu::ReleaseRequest { piid, time_tag: time_tag(r) },
        3 => Apdu::ReleaseResponse { piid, result: 0, tail: tail(r) },
        4 => Apdu::ReleaseNotification {
            piid,
            connect_time: [0x07, 0xE8, 5, 17, 9, 0, 0],
            server_time: [0x07, 0xE8, 5, 17, 10, 30, r.below(60) as u8],
            tail: tail(r),
        },
        5 => Apdu::GetRecordList { piid, records: list(r, 3, record_request), time_tag: time_tag(r) },
        6 => Apdu::GetMd5 { piid, oad: arr4(r), time_tag: time_tag(r) },
        7 => Apdu::GetResponseRecordList { piid, results: list(r, 3, record), tail: tail(r) },
        8 => Apdu::GetResponseMd5 { piid, oad: arr4(r), result: octets_result(r), tail: tail(r) },
        9 => Apdu::SetNormalList { piid, items: list(r, 4, |r| (arr4(r), arbitrary(r, 1))), time_tag: time_tag(r) },
        10 => Apdu::SetThenGetNormalList { piid, items: list(r, 4, set_then_get), time_tag: time_tag(r) },
        11 => Apdu::SetResponseNormalList { piid, results: list(r, 4, |r| (arr4(r), r.byte())), tail: tail(r) },
        12 => Apdu::SetResponseThenGetNormalList { piid, results: list(r, 4, set_then_get_result), tail: tail(r) },
        13 => Apdu::ActionNormalList { piid, items: list(r, 4, |r| (arr4(r), arbitrary(r, 1))), time_tag: time_tag(r) },
        14 => Apdu::ActionThenGetNormalList { piid, items: list(r, 4, action_then_get), time_tag: time_tag(r) },
        15 => Apdu::ActionResponseNormalList { piid, results: list(r, 4, action_result), tail: tail(r) },
        16 => Apdu::ActionResponseThenGetNormalList {
            piid,
            results: list(r, 4, |r| ActionThenGetResult { action: action_result(r), get: normal(r) }),
            tail: tail(r),
        },
        17 => Apdu::ReportResponseTransData { piid, time_tag: time_tag(r) },
        18 => Apdu::ReportNotificationTransData {
            piid,
            port: oad(0xF201_0201),
            data: list(r, 3, |r| octs(r, 30)),
            tail: tail(r),
        },
        19 | 20 => Apdu::ProxyRequest { piid, request: proxy_request(r), time_tag: time_tag(r) },
        21 | 22 => Apdu::ProxyResponse { piid, response: proxy_response(r), tail: tail(r) },
        23 => Apdu::SecurityResponse {
            data: match r.below(2) {
                0 => SecurityResponseData::Cipher(octs(r, 40)),
                _ => SecurityResponseData::Dar(r.byte()),
            },
            mac: (r.below(2) == 0).then(|| octs(r, 6)),
        },
        // Plaintext security wraps any other APDU.
        24 => Apdu::SecurityRequest {
            data: if r.below(4) == 0 {
                SecurityData::Cipher(octs(r, 40))
            } else {
                SecurityData::Plain(apdu_at(r, depth + 1).emit())
            },
            verify: verify(r),
        },
        _ => Apdu::SecurityResponse {
            data: SecurityResponseData::Plain(apdu_at(r, depth + 1).emit()),
            mac: (r.below(2) == 0).then(|| octs(r, 6)),
        },
    }
}

fn apdu(r: &mut Rng) -> Apdu {
    apdu_at(r, 0)
}

fn apdu_at(r: &mut Rng, depth: usize) -> Apdu {
    let piid = r.byte();
    match r.below(44) {
        0 => Apdu::LinkRequest { piid, kind: one_of(r, &[0, 1, 2]), heartbeat: r.next_u64() as u16, time: dt10(r) },
        1 => Apdu::LinkResponse {
            piid,
            result: r.byte(),
            request_time: dt10(r),
            receive_time: dt10(r),
            response_time: dt10(r),
        },
        2 => Apdu::GetNormal { piid, oad: arr4(r), time_tag: time_tag(r) },
        3 => Apdu::GetNormalList { piid, oads: (0..r.below(5)).map(|_| arr4(r)).collect(), time_tag: time_tag(r) },
        4 => Apdu::GetRecord {
            piid,
            oad: arr4(r),
            rsd: rsd(r),
            rcsd: (0..r.below(4)).map(|_| csd(r)).collect(),
            time_tag: time_tag(r),
        },
        5 => Apdu::GetNext { piid, last_block: r.next_u64() as u16, time_tag: time_tag(r) },
        6 => Apdu::GetResponseNormal { piid, result: normal(r), tail: tail(r) },
        7 => Apdu::GetResponseNormalList { piid, results: (0..r.below(4)).map(|_| normal(r)).collect(), tail: tail(r) },
        8 => Apdu::GetResponseRecord { piid, result: record(r), tail: tail(r) },
        9 => {
            let answer = match r.below(3) {
                0 => NextAnswer::Dar(r.byte()),
                1 => NextAnswer::Normal((0..r.below(3)).map(|_| normal(r)).collect()),
                _ => NextAnswer::Record((0..r.below(3)).map(|_| record(r)).collect()),
            };
            Apdu::GetResponseNext { piid, last: r.below(2) == 0, block: r.next_u64() as u16, answer, tail: tail(r) }
        }
        10 => Apdu::SetNormal { piid, oad: arr4(r), data: arbitrary(r, 1), time_tag: time_tag(r) },
        11 => Apdu::SetResponseNormal { piid, oad: arr4(r), dar: r.byte(), tail: tail(r) },
        12 => Apdu::ActionNormal { piid, omd: arr4(r), data: arbitrary(r, 1), time_tag: time_tag(r) },
        13 => Apdu::ActionResponseNormal {
            piid,
            omd: arr4(r),
            dar: r.byte(),
            data: (r.below(2) == 0).then(|| arbitrary(r, 1)),
            tail: tail(r),
        },
        14 => Apdu::ReportResponse {
            piid,
            choice: 1 + r.below(2) as u8,
            oads: (0..r.below(4)).map(|_| arr4(r)).collect(),
            time_tag: time_tag(r),
        },
        15 => {
            Apdu::ReportNotificationList { piid, results: (0..r.below(4)).map(|_| normal(r)).collect(), tail: tail(r) }
        }
        16 => Apdu::ReportNotificationRecordList {
            piid,
            results: (0..r.below(3)).map(|_| record(r)).collect(),
            tail: tail(r),
        },
        17 => Apdu::ErrorResponse { piid, kind: one_of(r, &[1, 2, 255]) },
        _ => apdu_more(r, piid, depth),
    }
}

/// parse(emit(x)) == x; the dissector reads the same bytes without an error;
/// every strict prefix is refused.
#[test]
fn round_trip_property() {
    let mut r = Rng::new(0x0698_A9D0);
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..6000 {
        let a = apdu(&mut r);
        let b = a.emit();
        let back = Apdu::parse(&b).unwrap_or_else(|e| panic!("case {i}: {e} for {a:?} = {b:02X?}"));
        assert_eq!(back, a, "case {i}");
        let (_, diags) = super::super::dissect_apdu(&b, 0, &Options::default());
        // No error, and no APDU-level warning (trailing bytes, missing OPTIONAL flags);
        // random Data may still hold TSAs whose flag disagrees with their length.
        let bad: Vec<_> =
            diags.iter().filter(|d| d.severity == Severity::Error || d.code.starts_with("dlt698.apdu")).collect();
        assert!(bad.is_empty(), "case {i}: {bad:?} for {a:?} = {b:02X?}");
        let grouped = matches!(b[0] & 0x7F, 0x05..=0x09) || b[0] & 0x7F == 0x10;
        seen.insert((b[0], if grouped { b[1] } else { 0 }));
        let cut = r.below(b.len());
        assert!(Apdu::parse(&b[..cut]).is_err(), "case {i}: prefix {cut} accepted");
    }
    // Every APDU and choice the dissector knows was generated.
    let mut all = vec![(0x01, 0), (0x81, 0), (0x02, 0), (0x82, 0), (0x03, 0), (0x83, 0), (0x84, 0), (0xEE, 0)];
    all.extend([(0x10, 0), (0x10, 1), (0x90, 0), (0x90, 1), (0x90, 2)]);
    for (t, n) in [(0x05, 6), (0x06, 3), (0x07, 3), (0x08, 3), (0x09, 7)] {
        all.extend((1..=n).flat_map(|k| [(t, k), (t | 0x80, k)]));
    }
    let missing: Vec<_> = all.iter().filter(|x| !seen.contains(x)).collect();
    assert!(missing.is_empty(), "never generated: {missing:02X?}");
}

#[test]
fn known_encodings() {
    // Vector 698-03: GET-Request-NormalList of voltage and current.
    let b = [0x05, 0x02, 0x02, 0x02, 0x20, 0x00, 0x02, 0x00, 0x20, 0x01, 0x02, 0x00, 0x00];
    let a = Apdu::parse(&b).unwrap();
    assert_eq!(a, Apdu::GetNormalList { piid: 2, oads: vec![oad(0x2000_0200), oad(0x2001_0200)], time_tag: None });
    assert_eq!(a.emit(), b);
    // Vector 698-15: GET-Request-Normal 00100201.
    let a = Apdu::GetNormal { piid: 0, oad: oad(0x0010_0201), time_tag: None };
    assert_eq!(a.emit(), [0x05, 0x01, 0x00, 0x00, 0x10, 0x02, 0x01, 0x00]);
    // GET-Request-Record of the last 2 day freezes, columns freeze time and energy.
    let a = Apdu::GetRecord {
        piid: 1,
        oad: oad(0x5004_0200),
        rsd: Rsd::S9(2),
        rcsd: vec![Csd::Oad(oad(0x2021_0200)), Csd::Oad(oad(0x0010_0200))],
        time_tag: None,
    };
    let b = a.emit();
    assert_eq!(
        b,
        [
            0x05, 0x03, 0x01, 0x50, 0x04, 0x02, 0x00, 0x09, 0x02, 0x02, 0x00, 0x20, 0x21, 0x02, 0x00, 0x00, 0x00, 0x10,
            0x02, 0x00, 0x00
        ]
    );
    assert_eq!(Apdu::parse(&b).unwrap(), a);
    // Vector 698-27's APDU: a GET-Response-Record of two day-freeze rows.
    let b = crate::parse_input(
        "85 03 00 50 04 02 00 03 00 00 10 02 01 00 20 00 02 01 00 20 01 02 01 01 02 06 00 01 E0 78 12 09 65 05 00 \
         00 13 74 06 00 01 E2 40 12 09 6D 05 00 00 13 88 00 00",
    )
    .unwrap()
    .bytes;
    let Apdu::GetResponseRecord { result, .. } = Apdu::parse(&b).unwrap() else { panic!() };
    let RecordData::Rows(rows) = &result.data else { panic!() };
    assert_eq!((result.rcsd.len(), rows.len()), (3, 2));
    assert_eq!(rows[1][1], Data::Int { tag: tag::LONG_UNSIGNED, value: 2413 });
    // Errors carry their offsets.
    assert_eq!(Apdu::parse(&[0x05, 0x09, 0x00]).unwrap_err().offset, 1);
    assert_eq!(Apdu::parse(&[0x77]).unwrap_err().offset, 0);
    let mut long = Apdu::GetNormal { piid: 0, oad: oad(0x4000_0200), time_tag: None }.emit();
    long.push(0);
    assert!(matches!(Apdu::parse(&long).unwrap_err().kind, ErrorKind::TrailingBytes { count: 1 }));
}

fn hex(s: &str) -> Vec<u8> {
    crate::parse_input(s).unwrap().bytes
}

/// Public examples of the APDUs beyond LINK/GET/SET Normal parse strictly
/// and emit back to the same bytes.
#[test]
fn known_encodings_of_every_family() {
    // Vector 698-06: CONNECT-Response, version 16, APDU 1024, timeout 100 s, allowed.
    let b =
        hex("82 00 54 4F 50 53 30 31 30 32 31 36 30 37 33 31 30 31 30 32 31 36 30 37 33 31 00 00 00 00 00 00 00 00 \
         00 10 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 04 00 04 00 01 04 00 00 00 \
         00 64 00 00 00 00");
    let a = Apdu::parse(&b).unwrap();
    let Apdu::ConnectResponse { piid: 0, factory, params, result: 0, security: None, .. } = &a else { panic!("{a:?}") };
    assert_eq!((&factory.vendor, &factory.software_date), (b"TOPS", b"160731"));
    assert_eq!((params.version, params.apdu_max, params.timeout, params.window), (16, 1024, 100, 1));
    assert_eq!(a.emit(), b);
    // Vector 698-60: CONNECT-Response with the server's random number and signature.
    let frame = hex(
        "68 CC 00 C3 05 03 00 00 00 00 00 10 08 69 82 04 53 58 44 51 30 31 30 32 31 36 31 31 30 39 30 31 30 31 31 \
         36 31 31 30 33 30 30 30 30 30 30 30 30 00 16 FF FF FF FF C0 00 00 00 00 01 FF FE 00 00 00 00 00 00 00 00 \
         00 00 00 00 08 00 08 00 01 1F 40 00 00 1C 20 00 01 30 99 3E 50 AE E4 2D 99 C0 FD 02 D4 FC 1C E9 52 5C E6 \
         7A D4 73 02 F8 02 09 B5 8D E1 21 B3 D3 35 17 B8 03 F8 DE 1B F1 DC 58 E7 01 E9 34 04 16 0E 89 40 CF AC EB \
         E5 8A 93 4B F8 12 DD 50 66 A1 0C E5 BC 8B 6E 38 64 08 54 38 51 43 32 33 FA F0 73 C7 CB 33 10 2A 1F 81 39 \
         0C 06 97 85 09 FD A0 D0 88 21 CE 2E 50 14 6C 7B 35 BE 31 A0 E7 77 C9 B8 0E 6E 00 00 A9 CB 16",
    );
    let b = &frame[14..frame.len() - 3];
    let a = Apdu::parse(b).unwrap();
    let Apdu::ConnectResponse { piid: 4, params, security: Some(s), .. } = &a else { panic!("{a:?}") };
    assert_eq!((params.version, params.apdu_max, params.timeout), (22, 8000, 7200));
    assert_eq!((s.server_rn.len(), s.server_signature.len()), (48, 64));
    assert_eq!(a.emit(), b);
    // Vector 698-09: SET-Request-NormalList of the address and the clock.
    let b = hex("06 02 03 02 40 01 02 00 09 06 00 00 00 00 00 01 40 00 02 00 1C 07 E0 01 14 10 1B 0B 00");
    let Apdu::SetNormalList { piid: 3, items, time_tag: None } = Apdu::parse(&b).unwrap() else { panic!() };
    assert_eq!(items.iter().map(|i| oad_u32(i.0)).collect::<Vec<_>>(), [0x4001_0200, 0x4000_0200]);
    // Vector 698-63: SECURITY-Request, plaintext GET-Request-NormalList with a random number.
    let b =
        hex("10 00 11 05 02 00 03 00 10 02 00 20 00 02 00 20 04 02 00 00 01 10 48 2F 84 CF 40 1C 9D 15 85 6A D5 72 \
         2D 05 0E 6E");
    let a = Apdu::parse(&b).unwrap();
    let Apdu::SecurityRequest { verify: VerifyInfo::Rn(rn), .. } = &a else { panic!("{a:?}") };
    assert_eq!(rn.len(), 16);
    let Some(Ok(Apdu::GetNormalList { oads, .. })) = a.plaintext() else { panic!() };
    assert_eq!(oads.len(), 3);
    assert_eq!(a.emit(), b);
    // Hand-made: RELEASE, PROXY-TransCommand, SECURITY-Response with a MAC.
    let a = Apdu::ReleaseRequest { piid: 7, time_tag: None };
    assert_eq!(a.emit(), [0x03, 0x07, 0x00]);
    let a = Apdu::ProxyRequest {
        piid: 1,
        request: ProxyRequest::TransCommand {
            port: oad(0xF201_0201),
            comdcb: [3, 2, 8, 1, 0],
            frame_timeout: 10,
            byte_timeout: 100,
            command: vec![0x68, 0x16],
        },
        time_tag: None,
    };
    assert_eq!(a.emit(), [0x09, 7, 1, 0xF2, 0x01, 0x02, 0x01, 3, 2, 8, 1, 0, 0, 10, 0, 100, 2, 0x68, 0x16, 0]);
    let a = Apdu::SecurityResponse { data: SecurityResponseData::Dar(22), mac: Some(vec![1, 2, 3, 4]) };
    assert_eq!(a.emit(), [0x90, 2, 22, 1, 0, 4, 1, 2, 3, 4]);
    assert_eq!(a.piid(), None);
    // Unknown choices are refused at their byte.
    assert_eq!(Apdu::parse(&[0x09, 0x08, 0x00]).unwrap_err().offset, 1);
    assert_eq!(Apdu::parse(&[0x10, 0x02, 0x00]).unwrap_err().offset, 1);
}

/// A GET-Response-Record built with the emitter, sent in four link
/// fragments, reassembles into the same APDU.
#[test]
fn four_fragments_reassemble() {
    let rows: Vec<Vec<Data>> = (0..6u8)
        .map(|d| {
            vec![
                Data::Fixed { tag: tag::DATE_TIME_S, bytes: vec![0x07, 0xE8, 5, 11 + d, 0, 0, 0] },
                Data::Array(
                    (0..5)
                        .map(|t| Data::Int { tag: tag::DOUBLE_LONG_UNSIGNED, value: 100_000 + i128::from(d) * 10 + t })
                        .collect(),
                ),
            ]
        })
        .collect();
    let apdu = Apdu::GetResponseRecord {
        piid: 3,
        result: ResultRecord {
            oad: oad(0x5004_0200),
            rcsd: vec![Csd::Oad(oad(0x2021_0200)), Csd::Oad(oad(0x0010_0200))],
            data: RecordData::Rows(rows),
        },
        tail: ServerTail::default(),
    };
    let bytes = apdu.emit();
    let template = super::super::link::FrameRepr {
        control: 0xC3,
        af: 0x05,
        sa: vec![0x12, 0x90, 0x78, 0x56, 0x34, 0x12],
        ca: 0x10,
        user_data: Vec::new(),
    };
    let piece = bytes.len().div_ceil(4);
    let frames: Vec<Vec<u8>> = reassembly::split(&template, &bytes, piece, 0).iter().map(|f| f.emit()).collect();
    assert_eq!(frames.len(), 4);
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let joined = super::super::reassemble(&refs).unwrap();
    assert_eq!(Apdu::parse(&joined).unwrap(), apdu);
    // Each frame dissects as a fragment without an error.
    for f in &frames {
        let d = super::super::link::dissect(f, 0, &Options::default());
        assert!(d.diagnostics.iter().all(|x| x.severity != Severity::Error), "{:?}", d.diagnostics);
    }
}
