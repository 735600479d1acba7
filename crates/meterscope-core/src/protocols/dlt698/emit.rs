//! Strict APDUs for what a client and a meter exchange (clause 6.3): typed
//! values with `emit` and `parse`, `parse(emit(x)) == x`.
//!
//! Covered: every APDU the dissector [`super::apdu`] knows. LINK-Request and
//! -Response; CONNECT-Request (null, password, symmetric and signature
//! mechanisms) and -Response; RELEASE-Request, -Response and -Notification;
//! GET-Request and -Response Normal, NormalList, Record, RecordList, Next and
//! MD5; SET and ACTION Normal, NormalList and ThenGetNormalList with their
//! responses; REPORT-Notification List, RecordList and TransData and the
//! REPORT-Response to each; PROXY-Request and -Response choices 1–7;
//! SECURITY-Request and -Response (plaintext, ciphertext, error; SID_MAC, RN,
//! RN_MAC, SID, MAC); ERROR-Response. Client APDUs end with `TimeTag
//! OPTIONAL`, server APDUs with `FollowReport OPTIONAL, TimeTag OPTIONAL`;
//! LINK and SECURITY APDUs have neither, and SECURITY APDUs have no PIID.

use super::codec::{Csd, Data, Rsd};
use super::data::tag;
use crate::error::{ErrorKind, ParseError};
use crate::wire::{Cursor, put_axdr_length};

/// An OAD as its four bytes: OI (2), attribute with feature, element index.
pub type Oad = [u8; 4];

/// An OAD from its canonical number `0x40000200`.
pub const fn oad(v: u32) -> Oad {
    v.to_be_bytes()
}

/// The canonical number of an OAD.
pub const fn oad_u32(o: Oad) -> u32 {
    u32::from_be_bytes(o)
}

/// Get-Result: a DAR \[0] or Data \[1].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GetResult {
    Dar(u8),
    Data(Data),
}

/// A-ResultNormal: an OAD and its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultNormal {
    pub oad: Oad,
    pub result: GetResult,
}

/// The rows of a record read, or why there are none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordData {
    Dar(u8),
    /// One Data per column of the RCSD, per row.
    Rows(Vec<Vec<Data>>),
}

/// A-ResultRecord: OAD, RCSD, DAR or rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRecord {
    pub oad: Oad,
    pub rcsd: Vec<Csd>,
    pub data: RecordData,
}

/// FollowReport: results the server adds to a response (status words, new events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowReport {
    Normal(Vec<ResultNormal>),
    Record(Vec<ResultRecord>),
}

/// TimeTag: send time (date_time_s bytes) and allowed delay (TI bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeTag {
    pub send_time: [u8; 7],
    pub delay: [u8; 3],
}

/// The answer of a GET-Response-Next block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextAnswer {
    Dar(u8),
    Normal(Vec<ResultNormal>),
    Record(Vec<ResultRecord>),
}

/// Trailer of server APDUs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerTail {
    pub follow: Option<FollowReport>,
    pub time_tag: Option<TimeTag>,
}

/// An OMD as its four bytes: OI (2), method, operation mode.
pub type Omd = [u8; 4];

/// The negotiated parameters of CONNECT-Request and CONNECT-Response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectParams {
    /// Protocol version (long-unsigned).
    pub version: u16,
    /// ProtocolConformance, bit-string SIZE(64).
    pub protocol_conformance: [u8; 8],
    /// FunctionConformance, bit-string SIZE(128).
    pub function_conformance: [u8; 16],
    /// Largest frame sent, in bytes.
    pub send_max: u16,
    /// Largest frame received, in bytes.
    pub receive_max: u16,
    /// Receive window (frames).
    pub window: u8,
    /// Largest APDU handled, in bytes.
    pub apdu_max: u16,
    /// Application connection timeout, in seconds.
    pub timeout: u32,
}

/// ConnectMechanismInfo: how the client authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectMechanism {
    /// \[0] public connection, no security.
    Null,
    /// \[1] a password (visible-string).
    Password(Vec<u8>),
    /// \[2] symmetric encryption: ciphertext 1 and client signature 1.
    Symmetric { ciphertext: Vec<u8>, signature: Vec<u8> },
    /// \[3] digital signature: ciphertext 2 and client signature 2.
    Signature { ciphertext: Vec<u8>, signature: Vec<u8> },
}

/// FactoryVersion of CONNECT-Response: fixed-size visible strings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactoryVersion {
    pub vendor: [u8; 4],
    pub software_version: [u8; 4],
    pub software_date: [u8; 6],
    pub hardware_version: [u8; 4],
    pub hardware_date: [u8; 6],
    pub extension: [u8; 8],
}

/// SecurityData of CONNECT-Response: server random number and signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectSecurity {
    pub server_rn: Vec<u8>,
    pub server_signature: Vec<u8>,
}

/// GetRecord: OAD, row selector, column selectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRequest {
    pub oad: Oad,
    pub rsd: Rsd,
    pub rcsd: Vec<Csd>,
}

/// A DAR \[0] or an octet-string \[1] (GET-Response-MD5, PROXY TransCommand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OctetsResult {
    Dar(u8),
    Octets(Vec<u8>),
}

/// One item of SET-Request-ThenGetNormalList: set OAD to data, then read
/// `get_oad` after `delay` seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetThenGet {
    pub oad: Oad,
    pub data: Data,
    pub get_oad: Oad,
    pub delay: u8,
}

/// One result of SET-Response-ThenGetNormalList: the set result, then the read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetThenGetResult {
    pub oad: Oad,
    pub dar: u8,
    pub get: ResultNormal,
}

/// One item of ACTION-Request-ThenGetNormalList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionThenGet {
    pub omd: Omd,
    pub data: Data,
    pub get_oad: Oad,
    pub delay: u8,
}

/// OMD, DAR, returned Data OPTIONAL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionResult {
    pub omd: Omd,
    pub dar: u8,
    pub data: Option<Data>,
}

/// One result of ACTION-Response-ThenGetNormalList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionThenGetResult {
    pub action: ActionResult,
    pub get: ResultNormal,
}

/// A server addressed by a PROXY request: TSA (octet string, flag byte first),
/// its own timeout in seconds, and the items for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyTarget<T> {
    pub tsa: Vec<u8>,
    pub timeout: u16,
    pub items: Vec<T>,
}

/// A server's answers in a PROXY response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyAnswer<T> {
    pub tsa: Vec<u8>,
    pub results: Vec<T>,
}

/// PROXY-Request bodies (after the PIID). `timeout` is the whole request's, in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyRequest {
    GetList {
        timeout: u16,
        targets: Vec<ProxyTarget<Oad>>,
    },
    GetRecord {
        timeout: u16,
        tsa: Vec<u8>,
        record: RecordRequest,
    },
    SetList {
        timeout: u16,
        targets: Vec<ProxyTarget<(Oad, Data)>>,
    },
    SetThenGetList {
        timeout: u16,
        targets: Vec<ProxyTarget<SetThenGet>>,
    },
    ActionList {
        timeout: u16,
        targets: Vec<ProxyTarget<(Omd, Data)>>,
    },
    ActionThenGetList {
        timeout: u16,
        targets: Vec<ProxyTarget<ActionThenGet>>,
    },
    /// Transparent forwarding: port OAD, COMDCB, frame timeout (s), byte timeout (ms), command.
    TransCommand {
        port: Oad,
        comdcb: [u8; 5],
        frame_timeout: u16,
        byte_timeout: u16,
        command: Vec<u8>,
    },
}

/// PROXY-Response bodies (after the PIID-ACD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyResponse {
    GetList(Vec<ProxyAnswer<ResultNormal>>),
    GetRecord { tsa: Vec<u8>, result: ResultRecord },
    SetList(Vec<ProxyAnswer<(Oad, u8)>>),
    SetThenGetList(Vec<ProxyAnswer<SetThenGetResult>>),
    ActionList(Vec<ProxyAnswer<ActionResult>>),
    ActionThenGetList(Vec<ProxyAnswer<ActionThenGetResult>>),
    TransCommand { port: Oad, result: OctetsResult },
}

/// The application data of a SECURITY-Request: plaintext \[0] or ciphertext \[1].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityData {
    /// The bytes of the inner APDU.
    Plain(Vec<u8>),
    Cipher(Vec<u8>),
}

/// The application data of a SECURITY-Response: plaintext \[0], ciphertext \[1], error \[2].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityResponseData {
    Plain(Vec<u8>),
    Cipher(Vec<u8>),
    Dar(u8),
}

/// The data verification information of a SECURITY-Request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyInfo {
    /// \[0] security identifier with MAC.
    SidMac { ident: [u8; 4], data: Vec<u8>, mac: Vec<u8> },
    /// \[1] random number.
    Rn(Vec<u8>),
    /// \[2] random number and MAC.
    RnMac { rn: Vec<u8>, mac: Vec<u8> },
    /// \[3] security identifier.
    Sid { ident: [u8; 4], data: Vec<u8> },
}

/// An APDU of the client–meter exchange. PIIDs (and PIID-ACDs) are the raw byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Apdu {
    /// 0x01: login 0, heartbeat 1, logout 2; heartbeat period in s; request time (date_time).
    LinkRequest {
        piid: u8,
        kind: u8,
        heartbeat: u16,
        time: [u8; 10],
    },
    /// 0x81: result byte (bit 7 clock trusted, bits 2..0 result) and three date_time values.
    LinkResponse {
        piid: u8,
        result: u8,
        request_time: [u8; 10],
        receive_time: [u8; 10],
        response_time: [u8; 10],
    },
    GetNormal {
        piid: u8,
        oad: Oad,
        time_tag: Option<TimeTag>,
    },
    GetNormalList {
        piid: u8,
        oads: Vec<Oad>,
        time_tag: Option<TimeTag>,
    },
    GetRecord {
        piid: u8,
        oad: Oad,
        rsd: Rsd,
        rcsd: Vec<Csd>,
        time_tag: Option<TimeTag>,
    },
    /// The number of the last block received.
    GetNext {
        piid: u8,
        last_block: u16,
        time_tag: Option<TimeTag>,
    },
    GetResponseNormal {
        piid: u8,
        result: ResultNormal,
        tail: ServerTail,
    },
    GetResponseNormalList {
        piid: u8,
        results: Vec<ResultNormal>,
        tail: ServerTail,
    },
    GetResponseRecord {
        piid: u8,
        result: ResultRecord,
        tail: ServerTail,
    },
    GetResponseNext {
        piid: u8,
        last: bool,
        block: u16,
        answer: NextAnswer,
        tail: ServerTail,
    },
    SetNormal {
        piid: u8,
        oad: Oad,
        data: Data,
        time_tag: Option<TimeTag>,
    },
    SetResponseNormal {
        piid: u8,
        oad: Oad,
        dar: u8,
        tail: ServerTail,
    },
    ActionNormal {
        piid: u8,
        omd: [u8; 4],
        data: Data,
        time_tag: Option<TimeTag>,
    },
    ActionResponseNormal {
        piid: u8,
        omd: [u8; 4],
        dar: u8,
        data: Option<Data>,
        tail: ServerTail,
    },
    /// REPORT-Response: to a List (choice 1) or a RecordList (choice 2), the OADs acknowledged.
    ReportResponse {
        piid: u8,
        choice: u8,
        oads: Vec<Oad>,
        time_tag: Option<TimeTag>,
    },
    ReportNotificationList {
        piid: u8,
        results: Vec<ResultNormal>,
        tail: ServerTail,
    },
    ReportNotificationRecordList {
        piid: u8,
        results: Vec<ResultRecord>,
        tail: ServerTail,
    },
    /// 0x02: CONNECT-Request.
    ConnectRequest {
        piid: u8,
        params: ConnectParams,
        mechanism: ConnectMechanism,
        time_tag: Option<TimeTag>,
    },
    /// 0x82: CONNECT-Response; result 0 allowed, 1 password error, … 255 other.
    ConnectResponse {
        piid: u8,
        factory: FactoryVersion,
        params: ConnectParams,
        result: u8,
        security: Option<ConnectSecurity>,
        tail: ServerTail,
    },
    /// 0x03: RELEASE-Request.
    ReleaseRequest {
        piid: u8,
        time_tag: Option<TimeTag>,
    },
    /// 0x83: RELEASE-Response; result 0 success.
    ReleaseResponse {
        piid: u8,
        result: u8,
        tail: ServerTail,
    },
    /// 0x84: RELEASE-Notification: connection time and server time (date_time_s).
    ReleaseNotification {
        piid: u8,
        connect_time: [u8; 7],
        server_time: [u8; 7],
        tail: ServerTail,
    },
    GetRecordList {
        piid: u8,
        records: Vec<RecordRequest>,
        time_tag: Option<TimeTag>,
    },
    GetMd5 {
        piid: u8,
        oad: Oad,
        time_tag: Option<TimeTag>,
    },
    GetResponseRecordList {
        piid: u8,
        results: Vec<ResultRecord>,
        tail: ServerTail,
    },
    GetResponseMd5 {
        piid: u8,
        oad: Oad,
        result: OctetsResult,
        tail: ServerTail,
    },
    SetNormalList {
        piid: u8,
        items: Vec<(Oad, Data)>,
        time_tag: Option<TimeTag>,
    },
    SetThenGetNormalList {
        piid: u8,
        items: Vec<SetThenGet>,
        time_tag: Option<TimeTag>,
    },
    /// The OAD and DAR of each set.
    SetResponseNormalList {
        piid: u8,
        results: Vec<(Oad, u8)>,
        tail: ServerTail,
    },
    SetResponseThenGetNormalList {
        piid: u8,
        results: Vec<SetThenGetResult>,
        tail: ServerTail,
    },
    ActionNormalList {
        piid: u8,
        items: Vec<(Omd, Data)>,
        time_tag: Option<TimeTag>,
    },
    ActionThenGetNormalList {
        piid: u8,
        items: Vec<ActionThenGet>,
        time_tag: Option<TimeTag>,
    },
    ActionResponseNormalList {
        piid: u8,
        results: Vec<ActionResult>,
        tail: ServerTail,
    },
    ActionResponseThenGetNormalList {
        piid: u8,
        results: Vec<ActionThenGetResult>,
        tail: ServerTail,
    },
    /// REPORT-Response to a TransData notification (choice 3): the PIID alone.
    ReportResponseTransData {
        piid: u8,
        time_tag: Option<TimeTag>,
    },
    /// REPORT-Notification-TransData: source port OAD and the forwarded frames.
    ReportNotificationTransData {
        piid: u8,
        port: Oad,
        data: Vec<Vec<u8>>,
        tail: ServerTail,
    },
    /// 0x09: PROXY-Request, choices 1–7.
    ProxyRequest {
        piid: u8,
        request: ProxyRequest,
        time_tag: Option<TimeTag>,
    },
    /// 0x89: PROXY-Response, choices 1–7.
    ProxyResponse {
        piid: u8,
        response: ProxyResponse,
        tail: ServerTail,
    },
    /// 0x10: SECURITY-Request (no PIID, no trailer).
    SecurityRequest {
        data: SecurityData,
        verify: VerifyInfo,
    },
    /// 0x90: SECURITY-Response with the data MAC OPTIONAL (no PIID, no trailer).
    SecurityResponse {
        data: SecurityResponseData,
        mac: Option<Vec<u8>>,
    },
    /// 0xEE: PIID-ACD and error type (1 undecodable, 2 unsupported, 255 other).
    ErrorResponse {
        piid: u8,
        kind: u8,
    },
}

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

    /// Strict parse of one whole APDU of the kinds above.
    pub fn parse(b: &[u8]) -> Result<Apdu, ParseError> {
        let mut r = P { c: Cursor::new(b, 0) };
        let a = r.apdu()?;
        if r.c.pos() < b.len() {
            return Err(ParseError::new(r.c.pos(), ErrorKind::TrailingBytes { count: b.len() - r.c.pos() }));
        }
        Ok(a)
    }

    /// The PIID (or PIID-ACD) byte; SECURITY APDUs have none.
    pub fn piid(&self) -> Option<u8> {
        match self {
            Apdu::SecurityRequest { .. } | Apdu::SecurityResponse { .. } => None,
            Apdu::LinkRequest { piid, .. }
            | Apdu::LinkResponse { piid, .. }
            | Apdu::ConnectRequest { piid, .. }
            | Apdu::ConnectResponse { piid, .. }
            | Apdu::ReleaseRequest { piid, .. }
            | Apdu::ReleaseResponse { piid, .. }
            | Apdu::ReleaseNotification { piid, .. }
            | Apdu::GetNormal { piid, .. }
            | Apdu::GetNormalList { piid, .. }
            | Apdu::GetRecord { piid, .. }
            | Apdu::GetRecordList { piid, .. }
            | Apdu::GetNext { piid, .. }
            | Apdu::GetMd5 { piid, .. }
            | Apdu::GetResponseNormal { piid, .. }
            | Apdu::GetResponseNormalList { piid, .. }
            | Apdu::GetResponseRecord { piid, .. }
            | Apdu::GetResponseRecordList { piid, .. }
            | Apdu::GetResponseNext { piid, .. }
            | Apdu::GetResponseMd5 { piid, .. }
            | Apdu::SetNormal { piid, .. }
            | Apdu::SetNormalList { piid, .. }
            | Apdu::SetThenGetNormalList { piid, .. }
            | Apdu::SetResponseNormal { piid, .. }
            | Apdu::SetResponseNormalList { piid, .. }
            | Apdu::SetResponseThenGetNormalList { piid, .. }
            | Apdu::ActionNormal { piid, .. }
            | Apdu::ActionNormalList { piid, .. }
            | Apdu::ActionThenGetNormalList { piid, .. }
            | Apdu::ActionResponseNormal { piid, .. }
            | Apdu::ActionResponseNormalList { piid, .. }
            | Apdu::ActionResponseThenGetNormalList { piid, .. }
            | Apdu::ReportResponse { piid, .. }
            | Apdu::ReportResponseTransData { piid, .. }
            | Apdu::ReportNotificationList { piid, .. }
            | Apdu::ReportNotificationRecordList { piid, .. }
            | Apdu::ReportNotificationTransData { piid, .. }
            | Apdu::ProxyRequest { piid, .. }
            | Apdu::ProxyResponse { piid, .. }
            | Apdu::ErrorResponse { piid, .. } => Some(*piid),
        }
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

    /// The server trailer, for server APDUs that have one.
    pub fn tail(&self) -> Option<&ServerTail> {
        match self {
            Apdu::GetResponseNormal { tail, .. }
            | Apdu::GetResponseNormalList { tail, .. }
            | Apdu::GetResponseRecord { tail, .. }
            | Apdu::GetResponseNext { tail, .. }
            | Apdu::SetResponseNormal { tail, .. }
            | Apdu::ActionResponseNormal { tail, .. }
            | Apdu::ReportNotificationList { tail, .. }
            | Apdu::ReportNotificationRecordList { tail, .. }
            | Apdu::ConnectResponse { tail, .. }
            | Apdu::ReleaseResponse { tail, .. }
            | Apdu::ReleaseNotification { tail, .. }
            | Apdu::GetResponseRecordList { tail, .. }
            | Apdu::GetResponseMd5 { tail, .. }
            | Apdu::SetResponseNormalList { tail, .. }
            | Apdu::SetResponseThenGetNormalList { tail, .. }
            | Apdu::ActionResponseNormalList { tail, .. }
            | Apdu::ActionResponseThenGetNormalList { tail, .. }
            | Apdu::ReportNotificationTransData { tail, .. }
            | Apdu::ProxyResponse { tail, .. } => Some(tail),
            _ => None,
        }
    }
}

/// The strict reader.
struct P<'a> {
    c: Cursor<'a>,
}

impl<'a> P<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        Ok(self.c.take(n)?)
    }
    fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn bad(&self, at: usize, what: &'static str) -> ParseError {
        ParseError::new(at, ErrorKind::BadValue { what })
    }
    /// A sequence count, in the shortest A-XDR form, bounded by the bytes left.
    fn count(&mut self) -> Result<usize, ParseError> {
        let at = self.c.pos();
        let n = self.c.axdr_length_shortest()?;
        if n > self.c.left() {
            return Err(ParseError::new(at, ErrorKind::BadLength { stated: n, actual: self.c.left() }));
        }
        Ok(n)
    }
    fn seq<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
        let n = self.count()?;
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
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.bad(self.c.pos() - 1, "OPTIONAL flag")),
        }
    }
    fn time_tag(&mut self) -> Result<Option<TimeTag>, ParseError> {
        Ok(if self.flag()? { Some(TimeTag { send_time: self.arr()?, delay: self.arr()? }) } else { None })
    }
    fn rcsd(&mut self) -> Result<Vec<Csd>, ParseError> {
        match self.untagged(tag::RCSD)? {
            Data::Rcsd(v) => Ok(v),
            _ => Err(self.bad(self.c.pos(), "RCSD")),
        }
    }
    fn result_normal(&mut self) -> Result<ResultNormal, ParseError> {
        let oad = self.arr()?;
        let result = match self.u8()? {
            0 => GetResult::Dar(self.u8()?),
            1 => GetResult::Data(self.data()?),
            _ => return Err(self.bad(self.c.pos() - 1, "Get-Result choice")),
        };
        Ok(ResultNormal { oad, result })
    }
    fn result_record(&mut self) -> Result<ResultRecord, ParseError> {
        let oad = self.arr()?;
        let rcsd = self.rcsd()?;
        let data = match self.u8()? {
            0 => RecordData::Dar(self.u8()?),
            1 => {
                let cols = rcsd.len();
                let at = self.c.pos();
                let n = self.count()?;
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
            match self.u8()? {
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
        let n = self.count()?;
        Ok(self.take(n)?.to_vec())
    }
    fn connect_params(&mut self) -> Result<ConnectParams, ParseError> {
        Ok(ConnectParams {
            version: self.u16()?,
            protocol_conformance: self.arr()?,
            function_conformance: self.arr()?,
            send_max: self.u16()?,
            receive_max: self.u16()?,
            window: self.u8()?,
            apdu_max: self.u16()?,
            timeout: u32::from_be_bytes(self.arr()?),
        })
    }
    fn record_request(&mut self) -> Result<RecordRequest, ParseError> {
        let oad = self.arr()?;
        let Data::Rsd(rsd) = self.untagged(tag::RSD)? else { return Err(self.bad(self.c.pos(), "RSD")) };
        Ok(RecordRequest { oad, rsd, rcsd: self.rcsd()? })
    }
    fn octets_result(&mut self) -> Result<OctetsResult, ParseError> {
        match self.u8()? {
            0 => Ok(OctetsResult::Dar(self.u8()?)),
            1 => Ok(OctetsResult::Octets(self.octets()?)),
            _ => Err(self.bad(self.c.pos() - 1, "result choice")),
        }
    }
    fn oad_data(&mut self) -> Result<(Oad, Data), ParseError> {
        Ok((self.arr()?, self.data()?))
    }
    fn oad_dar(&mut self) -> Result<(Oad, u8), ParseError> {
        Ok((self.arr()?, self.u8()?))
    }
    fn set_then_get(&mut self) -> Result<SetThenGet, ParseError> {
        Ok(SetThenGet { oad: self.arr()?, data: self.data()?, get_oad: self.arr()?, delay: self.u8()? })
    }
    fn set_then_get_result(&mut self) -> Result<SetThenGetResult, ParseError> {
        Ok(SetThenGetResult { oad: self.arr()?, dar: self.u8()?, get: self.result_normal()? })
    }
    fn action_then_get(&mut self) -> Result<ActionThenGet, ParseError> {
        Ok(ActionThenGet { omd: self.arr()?, data: self.data()?, get_oad: self.arr()?, delay: self.u8()? })
    }
    fn action_result(&mut self) -> Result<ActionResult, ParseError> {
        let (omd, dar) = (self.arr()?, self.u8()?);
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
        self.seq(|p| Ok(ProxyTarget { tsa: p.octets()?, timeout: p.u16()?, items: p.seq(f)? }))
    }
    fn answers<T>(
        &mut self,
        f: impl Fn(&mut Self) -> Result<T, ParseError> + Copy,
    ) -> Result<Vec<ProxyAnswer<T>>, ParseError> {
        self.seq(|p| Ok(ProxyAnswer { tsa: p.octets()?, results: p.seq(f)? }))
    }
    fn proxy_request(&mut self, k: u8) -> Result<ProxyRequest, ParseError> {
        Ok(match k {
            1 => ProxyRequest::GetList { timeout: self.u16()?, targets: self.targets(|p| p.arr())? },
            2 => ProxyRequest::GetRecord { timeout: self.u16()?, tsa: self.octets()?, record: self.record_request()? },
            3 => ProxyRequest::SetList { timeout: self.u16()?, targets: self.targets(Self::oad_data)? },
            4 => ProxyRequest::SetThenGetList { timeout: self.u16()?, targets: self.targets(Self::set_then_get)? },
            5 => ProxyRequest::ActionList { timeout: self.u16()?, targets: self.targets(Self::oad_data)? },
            6 => {
                ProxyRequest::ActionThenGetList { timeout: self.u16()?, targets: self.targets(Self::action_then_get)? }
            }
            _ => ProxyRequest::TransCommand {
                port: self.arr()?,
                comdcb: self.arr()?,
                frame_timeout: self.u16()?,
                byte_timeout: self.u16()?,
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
            _ => ProxyResponse::TransCommand { port: self.arr()?, result: self.octets_result()? },
        })
    }
    fn connect_request(&mut self) -> Result<Apdu, ParseError> {
        let piid = self.u8()?;
        let params = self.connect_params()?;
        let mechanism = match self.u8()? {
            0 => ConnectMechanism::Null,
            1 => ConnectMechanism::Password(self.octets()?),
            2 => ConnectMechanism::Symmetric { ciphertext: self.octets()?, signature: self.octets()? },
            3 => ConnectMechanism::Signature { ciphertext: self.octets()?, signature: self.octets()? },
            _ => return Err(self.bad(self.c.pos() - 1, "connect mechanism")),
        };
        Ok(Apdu::ConnectRequest { piid, params, mechanism, time_tag: self.time_tag()? })
    }
    fn connect_response(&mut self) -> Result<Apdu, ParseError> {
        let piid = self.u8()?;
        let factory = FactoryVersion {
            vendor: self.arr()?,
            software_version: self.arr()?,
            software_date: self.arr()?,
            hardware_version: self.arr()?,
            hardware_date: self.arr()?,
            extension: self.arr()?,
        };
        let params = self.connect_params()?;
        let result = self.u8()?;
        let security = if self.flag()? {
            Some(ConnectSecurity { server_rn: self.octets()?, server_signature: self.octets()? })
        } else {
            None
        };
        Ok(Apdu::ConnectResponse { piid, factory, params, result, security, tail: self.tail()? })
    }
    fn security_request(&mut self) -> Result<Apdu, ParseError> {
        let data = match self.u8()? {
            0 => SecurityData::Plain(self.octets()?),
            1 => SecurityData::Cipher(self.octets()?),
            _ => return Err(self.bad(self.c.pos() - 1, "security data choice")),
        };
        let verify = match self.u8()? {
            0 => VerifyInfo::SidMac { ident: self.arr()?, data: self.octets()?, mac: self.octets()? },
            1 => VerifyInfo::Rn(self.octets()?),
            2 => VerifyInfo::RnMac { rn: self.octets()?, mac: self.octets()? },
            3 => VerifyInfo::Sid { ident: self.arr()?, data: self.octets()? },
            _ => return Err(self.bad(self.c.pos() - 1, "verification choice")),
        };
        Ok(Apdu::SecurityRequest { data, verify })
    }
    fn security_response(&mut self) -> Result<Apdu, ParseError> {
        let data = match self.u8()? {
            0 => SecurityResponseData::Plain(self.octets()?),
            1 => SecurityResponseData::Cipher(self.octets()?),
            2 => SecurityResponseData::Dar(self.u8()?),
            _ => return Err(self.bad(self.c.pos() - 1, "security data choice")),
        };
        let mac = if self.flag()? {
            match self.u8()? {
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
        let t = self.u8()?;
        if t == 0x01 {
            return Ok(Apdu::LinkRequest {
                piid: self.u8()?,
                kind: self.u8()?,
                heartbeat: self.u16()?,
                time: self.arr()?,
            });
        }
        if t == 0x81 {
            return Ok(Apdu::LinkResponse {
                piid: self.u8()?,
                result: self.u8()?,
                request_time: self.arr()?,
                receive_time: self.arr()?,
                response_time: self.arr()?,
            });
        }
        match t {
            0x02 => return self.connect_request(),
            0x82 => return self.connect_response(),
            0x03 => return Ok(Apdu::ReleaseRequest { piid: self.u8()?, time_tag: self.time_tag()? }),
            0x83 => return Ok(Apdu::ReleaseResponse { piid: self.u8()?, result: self.u8()?, tail: self.tail()? }),
            0x84 => {
                return Ok(Apdu::ReleaseNotification {
                    piid: self.u8()?,
                    connect_time: self.arr()?,
                    server_time: self.arr()?,
                    tail: self.tail()?,
                });
            }
            0x10 => return self.security_request(),
            0x90 => return self.security_response(),
            _ => {}
        }
        if t == 0xEE {
            let (piid, kind) = (self.u8()?, self.u8()?);
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
        let k = self.u8()?;
        let piid = self.u8()?;
        Ok(match (t, k) {
            (0x05, 1) => Apdu::GetNormal { piid, oad: self.arr()?, time_tag: self.time_tag()? },
            (0x05, 2) => Apdu::GetNormalList { piid, oads: self.seq(|p| p.arr())?, time_tag: self.time_tag()? },
            (0x05, 3) => {
                let oad = self.arr()?;
                let Data::Rsd(rsd) = self.untagged(tag::RSD)? else { return Err(self.bad(self.c.pos(), "RSD")) };
                Apdu::GetRecord { piid, oad, rsd, rcsd: self.rcsd()?, time_tag: self.time_tag()? }
            }
            (0x05, 4) => {
                Apdu::GetRecordList { piid, records: self.seq(Self::record_request)?, time_tag: self.time_tag()? }
            }
            (0x05, 6) => Apdu::GetMd5 { piid, oad: self.arr()?, time_tag: self.time_tag()? },
            (0x85, 4) => {
                Apdu::GetResponseRecordList { piid, results: self.seq(Self::result_record)?, tail: self.tail()? }
            }
            (0x85, 6) => {
                Apdu::GetResponseMd5 { piid, oad: self.arr()?, result: self.octets_result()?, tail: self.tail()? }
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
                port: self.arr()?,
                data: self.seq(Self::octets)?,
                tail: self.tail()?,
            },
            (0x09, 1..=7) => Apdu::ProxyRequest { piid, request: self.proxy_request(k)?, time_tag: self.time_tag()? },
            (0x89, 1..=7) => Apdu::ProxyResponse { piid, response: self.proxy_response(k)?, tail: self.tail()? },
            (0x05, 5) => Apdu::GetNext { piid, last_block: self.u16()?, time_tag: self.time_tag()? },
            (0x85, 1) => Apdu::GetResponseNormal { piid, result: self.result_normal()?, tail: self.tail()? },
            (0x85, 2) => {
                Apdu::GetResponseNormalList { piid, results: self.seq(Self::result_normal)?, tail: self.tail()? }
            }
            (0x85, 3) => Apdu::GetResponseRecord { piid, result: self.result_record()?, tail: self.tail()? },
            (0x85, 5) => {
                let last = match self.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(self.bad(self.c.pos() - 1, "last block flag")),
                };
                let block = self.u16()?;
                let answer = match self.u8()? {
                    0 => NextAnswer::Dar(self.u8()?),
                    1 => NextAnswer::Normal(self.seq(Self::result_normal)?),
                    2 => NextAnswer::Record(self.seq(Self::result_record)?),
                    _ => return Err(self.bad(self.c.pos() - 1, "GET-Response-Next answer choice")),
                };
                Apdu::GetResponseNext { piid, last, block, answer, tail: self.tail()? }
            }
            (0x06, 1) => Apdu::SetNormal { piid, oad: self.arr()?, data: self.data()?, time_tag: self.time_tag()? },
            (0x86, 1) => Apdu::SetResponseNormal { piid, oad: self.arr()?, dar: self.u8()?, tail: self.tail()? },
            (0x07, 1) => Apdu::ActionNormal { piid, omd: self.arr()?, data: self.data()?, time_tag: self.time_tag()? },
            (0x87, 1) => {
                let (omd, dar) = (self.arr()?, self.u8()?);
                let data = if self.flag()? { Some(self.data()?) } else { None };
                Apdu::ActionResponseNormal { piid, omd, dar, data, tail: self.tail()? }
            }
            (0x08, 1 | 2) => {
                Apdu::ReportResponse { piid, choice: k, oads: self.seq(|p| p.arr())?, time_tag: self.time_tag()? }
            }
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

#[cfg(test)]
mod tests {
    use super::super::codec::Selector2;
    use super::super::codec::tests::{arbitrary, arr4, csd};
    use super::super::reassembly;
    use super::super::tests::Rng;
    use super::*;
    use crate::registry::Options;
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
        let [y0, y1] = (r.next() as u16).to_be_bytes();
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
            version: r.next() as u16,
            protocol_conformance: core::array::from_fn(|_| r.byte()),
            function_conformance: core::array::from_fn(|_| r.byte()),
            send_max: r.next() as u16,
            receive_max: r.next() as u16,
            window: r.byte(),
            apdu_max: r.next() as u16,
            timeout: r.next() as u32,
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
        list(r, 3, |r| ProxyTarget { tsa: tsa(r), timeout: r.next() as u16, items: list(r, 3, f) })
    }

    fn answers<T>(r: &mut Rng, f: impl Fn(&mut Rng) -> T + Copy) -> Vec<ProxyAnswer<T>> {
        list(r, 3, |r| ProxyAnswer { tsa: tsa(r), results: list(r, 3, f) })
    }

    fn proxy_request(r: &mut Rng) -> ProxyRequest {
        let timeout = r.next() as u16;
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
                frame_timeout: r.next() as u16,
                byte_timeout: r.next() as u16,
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
            13 => Apdu::ActionNormalList {
                piid,
                items: list(r, 4, |r| (arr4(r), arbitrary(r, 1))),
                time_tag: time_tag(r),
            },
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
            0 => Apdu::LinkRequest { piid, kind: one_of(r, &[0, 1, 2]), heartbeat: r.next() as u16, time: dt10(r) },
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
            5 => Apdu::GetNext { piid, last_block: r.next() as u16, time_tag: time_tag(r) },
            6 => Apdu::GetResponseNormal { piid, result: normal(r), tail: tail(r) },
            7 => Apdu::GetResponseNormalList {
                piid,
                results: (0..r.below(4)).map(|_| normal(r)).collect(),
                tail: tail(r),
            },
            8 => Apdu::GetResponseRecord { piid, result: record(r), tail: tail(r) },
            9 => {
                let answer = match r.below(3) {
                    0 => NextAnswer::Dar(r.byte()),
                    1 => NextAnswer::Normal((0..r.below(3)).map(|_| normal(r)).collect()),
                    _ => NextAnswer::Record((0..r.below(3)).map(|_| record(r)).collect()),
                };
                Apdu::GetResponseNext { piid, last: r.below(2) == 0, block: r.next() as u16, answer, tail: tail(r) }
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
            15 => Apdu::ReportNotificationList {
                piid,
                results: (0..r.below(4)).map(|_| normal(r)).collect(),
                tail: tail(r),
            },
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
                0x05, 0x03, 0x01, 0x50, 0x04, 0x02, 0x00, 0x09, 0x02, 0x02, 0x00, 0x20, 0x21, 0x02, 0x00, 0x00, 0x00,
                0x10, 0x02, 0x00, 0x00
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
        let b = hex(
            "82 00 54 4F 50 53 30 31 30 32 31 36 30 37 33 31 30 31 30 32 31 36 30 37 33 31 00 00 00 00 00 00 00 00 \
             00 10 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 04 00 04 00 01 04 00 00 00 \
             00 64 00 00 00 00",
        );
        let a = Apdu::parse(&b).unwrap();
        let Apdu::ConnectResponse { piid: 0, factory, params, result: 0, security: None, .. } = &a else {
            panic!("{a:?}")
        };
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
        let b = hex(
            "10 00 11 05 02 00 03 00 10 02 00 20 00 02 00 20 04 02 00 00 01 10 48 2F 84 CF 40 1C 9D 15 85 6A D5 72 \
             2D 05 0E 6E",
        );
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
                            .map(|t| Data::Int {
                                tag: tag::DOUBLE_LONG_UNSIGNED,
                                value: 100_000 + i128::from(d) * 10 + t,
                            })
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
}
