//! The typed APDUs of DL/T 698.45 (clause 6.3) and their parts.

use super::super::codec::{Csd, Data, Rsd};

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

impl Apdu {
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
