//! Strict APDUs for what a client and a meter exchange (clause 6.3): typed
//! values with `emit` and `parse`, `parse(emit(x)) == x`.
//!
//! Covered: LINK-Request/Response; GET-Request Normal, NormalList, Record and
//! Next; GET-Response Normal, NormalList, Record and Next; SET and ACTION
//! Normal with their responses; REPORT-Notification List and RecordList and
//! REPORT-Response; ERROR-Response. Client APDUs end with `TimeTag OPTIONAL`,
//! server APDUs with `FollowReport OPTIONAL, TimeTag OPTIONAL`; LINK APDUs
//! have neither. The tolerant dissector for every APDU is [`super::apdu`].

use super::codec::{Csd, Data, Rsd};
use super::data::tag;
use crate::error::{ErrorKind, ParseError};

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
    /// 0xEE: PIID-ACD and error type (1 undecodable, 2 unsupported, 255 other).
    ErrorResponse {
        piid: u8,
        kind: u8,
    },
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    // The A-XDR length in its shortest form, as `codec` writes it.
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = (n as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
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
            put_len(out, rows.len());
            for row in rows {
                row.iter().for_each(|d| d.emit(out));
            }
        }
    }
}

fn put_seq<T>(out: &mut Vec<u8>, items: &[T], f: impl Fn(&mut Vec<u8>, &T)) {
    put_len(out, items.len());
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
            Apdu::ErrorResponse { piid, kind } => o.extend_from_slice(&[0xEE, *piid, *kind]),
        }
        o
    }

    /// Strict parse of one whole APDU of the kinds above.
    pub fn parse(b: &[u8]) -> Result<Apdu, ParseError> {
        let mut r = P { b, pos: 0 };
        let a = r.apdu()?;
        if r.pos < b.len() {
            return Err(ParseError::new(r.pos, ErrorKind::TrailingBytes { count: b.len() - r.pos }));
        }
        Ok(a)
    }

    /// The PIID (or PIID-ACD) byte.
    pub fn piid(&self) -> u8 {
        match self {
            Apdu::LinkRequest { piid, .. }
            | Apdu::LinkResponse { piid, .. }
            | Apdu::GetNormal { piid, .. }
            | Apdu::GetNormalList { piid, .. }
            | Apdu::GetRecord { piid, .. }
            | Apdu::GetNext { piid, .. }
            | Apdu::GetResponseNormal { piid, .. }
            | Apdu::GetResponseNormalList { piid, .. }
            | Apdu::GetResponseRecord { piid, .. }
            | Apdu::GetResponseNext { piid, .. }
            | Apdu::SetNormal { piid, .. }
            | Apdu::SetResponseNormal { piid, .. }
            | Apdu::ActionNormal { piid, .. }
            | Apdu::ActionResponseNormal { piid, .. }
            | Apdu::ReportResponse { piid, .. }
            | Apdu::ReportNotificationList { piid, .. }
            | Apdu::ReportNotificationRecordList { piid, .. }
            | Apdu::ErrorResponse { piid, .. } => *piid,
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
            | Apdu::ReportNotificationRecordList { tail, .. } => Some(tail),
            _ => None,
        }
    }
}

/// The strict reader.
struct P<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> P<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        let left = self.b.len() - self.pos;
        if n > left {
            return Err(ParseError::new(self.b.len(), ErrorKind::Truncated { needed: n - left }));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
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
        let at = self.pos;
        let first = self.u8()?;
        let n = if first < 0x80 {
            first as usize
        } else {
            let k = (first & 0x7F) as usize;
            if !(1..=4).contains(&k) {
                return Err(self.bad(at, "A-XDR length"));
            }
            let bytes = self.take(k)?;
            if bytes[0] == 0 || (k == 1 && bytes[0] < 0x80) {
                return Err(self.bad(at, "A-XDR length (not in shortest form)"));
            }
            bytes.iter().fold(0usize, |a, &x| (a << 8) | x as usize)
        };
        if n > self.b.len() - self.pos {
            return Err(ParseError::new(at, ErrorKind::BadLength { stated: n, actual: self.b.len() - self.pos }));
        }
        Ok(n)
    }
    fn seq<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
        let n = self.count()?;
        (0..n).map(|_| f(self)).collect()
    }
    fn data(&mut self) -> Result<Data, ParseError> {
        let (d, used) = Data::parse(&self.b[self.pos..]).map_err(|e| self.shift(e))?;
        self.pos += used;
        Ok(d)
    }
    fn untagged(&mut self, t: u8) -> Result<Data, ParseError> {
        let (d, used) = Data::parse_untagged(t, &self.b[self.pos..]).map_err(|e| self.shift(e))?;
        self.pos += used;
        Ok(d)
    }
    fn shift(&self, e: ParseError) -> ParseError {
        ParseError::new(e.offset + self.pos, e.kind)
    }
    fn flag(&mut self) -> Result<bool, ParseError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.bad(self.pos - 1, "OPTIONAL flag")),
        }
    }
    fn time_tag(&mut self) -> Result<Option<TimeTag>, ParseError> {
        Ok(if self.flag()? { Some(TimeTag { send_time: self.arr()?, delay: self.arr()? }) } else { None })
    }
    fn rcsd(&mut self) -> Result<Vec<Csd>, ParseError> {
        match self.untagged(tag::RCSD)? {
            Data::Rcsd(v) => Ok(v),
            _ => Err(self.bad(self.pos, "RCSD")),
        }
    }
    fn result_normal(&mut self) -> Result<ResultNormal, ParseError> {
        let oad = self.arr()?;
        let result = match self.u8()? {
            0 => GetResult::Dar(self.u8()?),
            1 => GetResult::Data(self.data()?),
            _ => return Err(self.bad(self.pos - 1, "Get-Result choice")),
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
                let at = self.pos;
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
            _ => return Err(self.bad(self.pos - 1, "record result choice")),
        };
        Ok(ResultRecord { oad, rcsd, data })
    }
    fn tail(&mut self) -> Result<ServerTail, ParseError> {
        let follow = if self.flag()? {
            match self.u8()? {
                1 => Some(FollowReport::Normal(self.seq(Self::result_normal)?)),
                2 => Some(FollowReport::Record(self.seq(Self::result_record)?)),
                _ => return Err(self.bad(self.pos - 1, "FollowReport choice")),
            }
        } else {
            None
        };
        Ok(ServerTail { follow, time_tag: self.time_tag()? })
    }

    fn apdu(&mut self) -> Result<Apdu, ParseError> {
        let at = self.pos;
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
        if t == 0xEE {
            let (piid, kind) = (self.u8()?, self.u8()?);
            // Servers that add the optional trailer send it absent.
            if self.b[self.pos..] == [0, 0] {
                self.pos += 2;
            }
            return Ok(Apdu::ErrorResponse { piid, kind });
        }
        if !matches!(t, 0x05 | 0x85 | 0x06 | 0x86 | 0x07 | 0x87 | 0x08 | 0x88) {
            return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a supported APDU tag" }));
        }
        let choice_at = self.pos;
        let k = self.u8()?;
        let piid = self.u8()?;
        Ok(match (t, k) {
            (0x05, 1) => Apdu::GetNormal { piid, oad: self.arr()?, time_tag: self.time_tag()? },
            (0x05, 2) => Apdu::GetNormalList { piid, oads: self.seq(|p| p.arr())?, time_tag: self.time_tag()? },
            (0x05, 3) => {
                let oad = self.arr()?;
                let Data::Rsd(rsd) = self.untagged(tag::RSD)? else { return Err(self.bad(self.pos, "RSD")) };
                Apdu::GetRecord { piid, oad, rsd, rcsd: self.rcsd()?, time_tag: self.time_tag()? }
            }
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
                    _ => return Err(self.bad(self.pos - 1, "last block flag")),
                };
                let block = self.u16()?;
                let answer = match self.u8()? {
                    0 => NextAnswer::Dar(self.u8()?),
                    1 => NextAnswer::Normal(self.seq(Self::result_normal)?),
                    2 => NextAnswer::Record(self.seq(Self::result_record)?),
                    _ => return Err(self.bad(self.pos - 1, "GET-Response-Next answer choice")),
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
    use crate::model::Severity;
    use crate::registry::Options;

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

    fn dt10(r: &mut Rng) -> [u8; 10] {
        core::array::from_fn(|_| r.byte())
    }

    fn apdu(r: &mut Rng) -> Apdu {
        let piid = r.byte();
        match r.below(18) {
            0 => Apdu::LinkRequest { piid, kind: r.byte(), heartbeat: r.next() as u16, time: dt10(r) },
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
            _ => Apdu::ErrorResponse { piid, kind: r.byte() },
        }
    }

    /// parse(emit(x)) == x; the dissector reads the same bytes without an error;
    /// every strict prefix is refused.
    #[test]
    fn round_trip_property() {
        let mut r = Rng::new(0x0698_A9D0);
        for i in 0..3000 {
            let a = apdu(&mut r);
            let b = a.emit();
            let back = Apdu::parse(&b).unwrap_or_else(|e| panic!("case {i}: {e} for {a:?} = {b:02X?}"));
            assert_eq!(back, a, "case {i}");
            let (_, diags) = super::super::dissect_apdu(&b, 0, &Options::default());
            let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "case {i}: {errors:?} for {a:?} = {b:02X?}");
            let cut = r.below(b.len());
            assert!(Apdu::parse(&b[..cut]).is_err(), "case {i}: prefix {cut} accepted");
        }
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
