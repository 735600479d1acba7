//! Strict xDLMS services for programs (IEC 62056-5-3 clause 9.3): the
//! logical-name GET (normal, next, with-list, data blocks), SET normal,
//! ACTION normal, Exception-Response; general block transfer ([`Gbt`]); the
//! short-name ReadRequest/ReadResponse and WriteRequest/WriteResponse
//! ([`SnRequest`], [`SnResponse`]); built and parsed, values as typed [`Data`].
//!
//! ```text
//! GET-Request-Normal    C0 01 invoke | class(2) OBIS(6) attr(1) | 00 / 01 selector Data
//! GET-Request-Next      C0 02 invoke | block-number(4)
//! GET-Request-With-List C0 03 invoke | count | (descriptor selection)*
//! GET-Response-Normal   C4 01 invoke | 00 Data / 01 data-access-result
//! GET-Response-Block    C4 02 invoke | last(1) block-number(4) | 00 raw-data(len bytes) / 01 result
//! GET-Response-List     C4 03 invoke | count | (00 Data / 01 result)*
//! SET-Request-Normal    C1 01 invoke | descriptor | selection | Data
//! SET-Response-Normal   C5 01 invoke | result
//! ACTION-Request-Normal C3 01 invoke | class OBIS method | 00 / 01 Data
//! ACTION-Response       C7 01 invoke | result | 00 / 01 (00 Data / 01 result)
//! Exception-Response    D8 state-error service-error
//! General-Block-Transfer E0 control(last, streaming, window) | block-number(2) block-number-ack(2) | octet-string
//! ReadRequest           05 count | (02 name(2) / 04 name(2) selector Data / 05 block-number(2))*
//! ReadResponse          0C count | (00 Data / 01 result / 02 last(1) block(2) octet-string / 03 block(2))*
//! WriteRequest          06 count | variable* | count | Data*
//! WriteResponse         0D count | (00 / 01 result / 02 block(2))*
//! ```

use super::axdr::Data;
use crate::error::{ErrorKind, ParseError};
use crate::wire::Cursor;

/// A COSEM attribute (or, for ACTION, method) reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrRef {
    pub class: u16,
    pub obis: [u8; 6],
    /// Attribute id (GET, SET) or method id (ACTION).
    pub index: i8,
}

impl AttrRef {
    pub const fn new(class: u16, obis: [u8; 6], index: i8) -> Self {
        AttrRef { class, obis, index }
    }
    fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.class.to_be_bytes());
        out.extend_from_slice(&self.obis);
        out.push(self.index as u8);
    }
}

/// Selective access: a selector and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub selector: u8,
    pub parameters: Data,
}

impl Access {
    /// Range descriptor (selector 1) on the clock column of a profile: entries
    /// whose capture time is within `from..=to`; `columns` empty selects all.
    pub fn range(from: [u8; 12], to: [u8; 12], columns: Vec<Data>) -> Access {
        let clock = Data::Structure(vec![
            Data::LongUnsigned(8),
            Data::OctetString(vec![0, 0, 1, 0, 0, 255]),
            Data::Integer(2),
            Data::LongUnsigned(0),
        ]);
        Access {
            selector: 1,
            parameters: Data::Structure(vec![clock, Data::DateTime(from), Data::DateTime(to), Data::Array(columns)]),
        }
    }
    /// Entry descriptor (selector 2): entries `from..=to` (1-based, `to` 0 = the
    /// last), all columns.
    pub fn entries(from: u32, to: u32) -> Access {
        Access {
            selector: 2,
            parameters: Data::Structure(vec![
                Data::DoubleLongUnsigned(from),
                Data::DoubleLongUnsigned(to),
                Data::LongUnsigned(1),
                Data::LongUnsigned(0),
            ]),
        }
    }
}

/// A client request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Get { invoke: u8, attr: AttrRef, access: Option<Access> },
    GetNext { invoke: u8, block: u32 },
    GetWithList { invoke: u8, items: Vec<(AttrRef, Option<Access>)> },
    Set { invoke: u8, attr: AttrRef, access: Option<Access>, value: Data },
    Action { invoke: u8, method: AttrRef, params: Option<Data> },
}

/// What a GET gives for one attribute: the value or a data-access-result.
pub type GetResult = Result<Data, u8>;

/// A server response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Get { invoke: u8, result: GetResult },
    GetBlock { invoke: u8, last: bool, block: u32, raw: Result<Vec<u8>, u8> },
    GetWithList { invoke: u8, results: Vec<GetResult> },
    Set { invoke: u8, result: u8 },
    Action { invoke: u8, result: u8, ret: Option<GetResult> },
    Exception { state: u8, service: u8 },
}

fn emit_access(a: &Option<Access>, out: &mut Vec<u8>) {
    match a {
        None => out.push(0),
        Some(a) => {
            out.push(1);
            out.push(a.selector);
            a.parameters.emit(out);
        }
    }
}

fn emit_result(r: &GetResult, out: &mut Vec<u8>) {
    match r {
        Ok(d) => {
            out.push(0);
            d.emit(out);
        }
        Err(code) => out.extend_from_slice(&[1, *code]),
    }
}

impl Request {
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Request::Get { invoke, attr, access } => {
                out.extend_from_slice(&[0xC0, 0x01, *invoke]);
                attr.emit(&mut out);
                emit_access(access, &mut out);
            }
            Request::GetNext { invoke, block } => {
                out.extend_from_slice(&[0xC0, 0x02, *invoke]);
                out.extend_from_slice(&block.to_be_bytes());
            }
            Request::GetWithList { invoke, items } => {
                out.extend_from_slice(&[0xC0, 0x03, *invoke]);
                crate::wire::put_axdr_length(&mut out, items.len());
                for (attr, access) in items {
                    attr.emit(&mut out);
                    emit_access(access, &mut out);
                }
            }
            Request::Set { invoke, attr, access, value } => {
                out.extend_from_slice(&[0xC1, 0x01, *invoke]);
                attr.emit(&mut out);
                emit_access(access, &mut out);
                value.emit(&mut out);
            }
            Request::Action { invoke, method, params } => {
                out.extend_from_slice(&[0xC3, 0x01, *invoke]);
                method.emit(&mut out);
                match params {
                    None => out.push(0),
                    Some(d) => {
                        out.push(1);
                        d.emit(&mut out);
                    }
                }
            }
        }
        out
    }

    pub fn parse(b: &[u8]) -> Result<Request, ParseError> {
        let mut r = Reader { c: Cursor::new(b, 0) };
        let tag = r.c.u8()?;
        let choice = r.c.u8()?;
        let invoke = r.c.u8()?;
        let req = match (tag, choice) {
            (0xC0, 1) => Request::Get { invoke, attr: r.attr()?, access: r.access()? },
            (0xC0, 2) => Request::GetNext { invoke, block: r.u32()? },
            (0xC0, 3) => {
                let n = r.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push((r.attr()?, r.access()?));
                }
                Request::GetWithList { invoke, items }
            }
            (0xC1, 1) => Request::Set { invoke, attr: r.attr()?, access: r.access()?, value: r.data()? },
            (0xC3, 1) => {
                let method = r.attr()?;
                let params = if r.c.u8()? != 0 { Some(r.data()?) } else { None };
                Request::Action { invoke, method, params }
            }
            _ => return Err(ParseError::new(0, ErrorKind::BadValue { what: "request service (not supported here)" })),
        };
        r.end()?;
        Ok(req)
    }
}

impl Response {
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Response::Get { invoke, result } => {
                out.extend_from_slice(&[0xC4, 0x01, *invoke]);
                emit_result(result, &mut out);
            }
            Response::GetBlock { invoke, last, block, raw } => {
                out.extend_from_slice(&[0xC4, 0x02, *invoke, u8::from(*last)]);
                out.extend_from_slice(&block.to_be_bytes());
                match raw {
                    Ok(bytes) => {
                        out.push(0);
                        crate::wire::put_axdr_length(&mut out, bytes.len());
                        out.extend_from_slice(bytes);
                    }
                    Err(code) => out.extend_from_slice(&[1, *code]),
                }
            }
            Response::GetWithList { invoke, results } => {
                out.extend_from_slice(&[0xC4, 0x03, *invoke]);
                crate::wire::put_axdr_length(&mut out, results.len());
                for r in results {
                    emit_result(r, &mut out);
                }
            }
            Response::Set { invoke, result } => out.extend_from_slice(&[0xC5, 0x01, *invoke, *result]),
            Response::Action { invoke, result, ret } => {
                out.extend_from_slice(&[0xC7, 0x01, *invoke, *result]);
                match ret {
                    None => out.push(0),
                    Some(r) => {
                        out.push(1);
                        emit_result(r, &mut out);
                    }
                }
            }
            Response::Exception { state, service } => out.extend_from_slice(&[0xD8, *state, *service]),
        }
        out
    }

    pub fn parse(b: &[u8]) -> Result<Response, ParseError> {
        let mut r = Reader { c: Cursor::new(b, 0) };
        let tag = r.c.u8()?;
        if tag == 0xD8 {
            let state = r.c.u8()?;
            let service = r.c.u8()?;
            // A newer edition may add the expected invocation counter; tolerate it.
            return Ok(Response::Exception { state, service });
        }
        let choice = r.c.u8()?;
        let invoke = r.c.u8()?;
        let resp = match (tag, choice) {
            (0xC4, 1) => Response::Get { invoke, result: r.result()? },
            (0xC4, 2) => {
                let last = r.c.u8()? != 0;
                let block = r.u32()?;
                let raw = match r.c.u8()? {
                    0 => {
                        let n = r.len()?;
                        Ok(r.c.take(n)?.to_vec())
                    }
                    1 => Err(r.c.u8()?),
                    other => {
                        return Err(ParseError::new(
                            r.c.pos() - 1,
                            ErrorKind::UnexpectedByte { found: other, expected: "raw-data (0) or result (1)" },
                        ));
                    }
                };
                Response::GetBlock { invoke, last, block, raw }
            }
            (0xC4, 3) => {
                let n = r.count()?;
                let mut results = Vec::with_capacity(n);
                for _ in 0..n {
                    results.push(r.result()?);
                }
                Response::GetWithList { invoke, results }
            }
            (0xC5, 1) => Response::Set { invoke, result: r.c.u8()? },
            (0xC7, 1) => {
                let result = r.c.u8()?;
                let ret = if r.c.u8()? != 0 { Some(r.result()?) } else { None };
                Response::Action { invoke, result, ret }
            }
            _ => return Err(ParseError::new(0, ErrorKind::BadValue { what: "response service (not supported here)" })),
        };
        r.end()?;
        Ok(resp)
    }
}

/// The results of a GET-Response-With-List carried in data blocks (`count result*`).
pub fn parse_result_list(b: &[u8]) -> Result<Vec<GetResult>, ParseError> {
    let mut r = Reader { c: Cursor::new(b, 0) };
    let n = r.count()?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.result()?);
    }
    r.end()?;
    Ok(out)
}

/// The encoding of results as a with-list response carries them in data blocks.
pub fn emit_result_list(results: &[GetResult]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::wire::put_axdr_length(&mut out, results.len());
    for r in results {
        emit_result(r, &mut out);
    }
    out
}

/// A general-block-transfer APDU (tag `E0`): `control block-number(2)
/// block-number-ack(2) block-data(octet string)`; the control byte holds
/// last-block (bit 7), streaming (bit 6) and the sender's receive window
/// (bits 0–5). A long APDU goes in blocks numbered from 1; blocks of one
/// window are streamed, the last one of the window without the streaming
/// bit, and the receiver acknowledges it with the number of the last block
/// it holds in order (an empty GBT APDU of its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gbt {
    pub last: bool,
    pub streaming: bool,
    pub window: u8,
    pub number: u16,
    pub ack: u16,
    pub data: Vec<u8>,
}

impl Gbt {
    pub const TAG: u8 = 0xE0;

    pub fn emit(&self) -> Vec<u8> {
        let control = (u8::from(self.last) << 7) | (u8::from(self.streaming) << 6) | (self.window & 0x3F);
        let mut out = vec![Self::TAG, control];
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.ack.to_be_bytes());
        crate::wire::put_axdr_length(&mut out, self.data.len());
        out.extend_from_slice(&self.data);
        out
    }

    pub fn parse(b: &[u8]) -> Result<Gbt, ParseError> {
        let mut r = Reader { c: Cursor::new(b, 0) };
        let tag = r.c.u8()?;
        if tag != Self::TAG {
            return Err(ParseError::new(
                0,
                ErrorKind::UnexpectedByte { found: tag, expected: "general-block-transfer (E0)" },
            ));
        }
        let control = r.c.u8()?;
        let number = r.c.u16_be()?;
        let ack = r.c.u16_be()?;
        let n = r.len()?;
        let data = r.c.take(n)?.to_vec();
        r.end()?;
        Ok(Gbt { last: control & 0x80 != 0, streaming: control & 0x40 != 0, window: control & 0x3F, number, ack, data })
    }
}

/// A short-name variable access specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variable {
    /// variable-name (2): the short name of an attribute.
    Name(u16),
    /// parameterized-access (4): a name with a selector and its parameters.
    Parameterized { name: u16, access: Access },
    /// block-number-access (5): the number of the last data block received.
    BlockNumber(u16),
}

/// A short-name request: ReadRequest (`05`) or WriteRequest (`06`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnRequest {
    Read(Vec<Variable>),
    Write { variables: Vec<Variable>, values: Vec<Data> },
}

/// One result of a ReadResponse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnReadResult {
    Data(Data),
    /// data-access-error: a data-access-result code.
    Error(u8),
    /// data-block-result: a block of the encoded results (`count result*`).
    Block {
        last: bool,
        number: u16,
        raw: Vec<u8>,
    },
    /// block-number: the block the server expects next (write with blocks).
    BlockNumber(u16),
}

/// A short-name response: ReadResponse (`0C`) or WriteResponse (`0D`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnResponse {
    Read(Vec<SnReadResult>),
    Write(Vec<Result<(), u8>>),
}

fn emit_variable(v: &Variable, out: &mut Vec<u8>) {
    match v {
        Variable::Name(n) => {
            out.push(2);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Variable::Parameterized { name, access } => {
            out.push(4);
            out.extend_from_slice(&name.to_be_bytes());
            out.push(access.selector);
            access.parameters.emit(out);
        }
        Variable::BlockNumber(n) => {
            out.push(5);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

impl SnRequest {
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let vars = match self {
            SnRequest::Read(v) => {
                out.push(0x05);
                v
            }
            SnRequest::Write { variables, .. } => {
                out.push(0x06);
                variables
            }
        };
        crate::wire::put_axdr_length(&mut out, vars.len());
        for v in vars {
            emit_variable(v, &mut out);
        }
        if let SnRequest::Write { values, .. } = self {
            crate::wire::put_axdr_length(&mut out, values.len());
            for d in values {
                d.emit(&mut out);
            }
        }
        out
    }

    pub fn parse(b: &[u8]) -> Result<SnRequest, ParseError> {
        let mut r = Reader { c: Cursor::new(b, 0) };
        let tag = r.c.u8()?;
        if tag != 0x05 && tag != 0x06 {
            return Err(ParseError::new(0, ErrorKind::BadValue { what: "short-name request (05 or 06)" }));
        }
        let n = r.count()?;
        let mut variables = Vec::with_capacity(n);
        for _ in 0..n {
            let at = r.c.pos();
            variables.push(match r.c.u8()? {
                2 => Variable::Name(r.c.u16_be()?),
                4 => {
                    let name = r.c.u16_be()?;
                    let selector = r.c.u8()?;
                    Variable::Parameterized { name, access: Access { selector, parameters: r.data()? } }
                }
                5 => Variable::BlockNumber(r.c.u16_be()?),
                other => {
                    return Err(ParseError::new(
                        at,
                        ErrorKind::UnexpectedByte { found: other, expected: "variable access (2, 4 or 5)" },
                    ));
                }
            });
        }
        let req = if tag == 0x05 {
            SnRequest::Read(variables)
        } else {
            let m = r.count()?;
            let mut values = Vec::with_capacity(m);
            for _ in 0..m {
                values.push(r.data()?);
            }
            SnRequest::Write { variables, values }
        };
        r.end()?;
        Ok(req)
    }
}

/// The read results as a ReadResponse body (`count result*`): what data blocks carry.
pub fn emit_sn_results(results: &[SnReadResult]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::wire::put_axdr_length(&mut out, results.len());
    for x in results {
        match x {
            SnReadResult::Data(d) => {
                out.push(0);
                d.emit(&mut out);
            }
            SnReadResult::Error(code) => out.extend_from_slice(&[1, *code]),
            SnReadResult::Block { last, number, raw } => {
                out.extend_from_slice(&[2, u8::from(*last)]);
                out.extend_from_slice(&number.to_be_bytes());
                crate::wire::put_axdr_length(&mut out, raw.len());
                out.extend_from_slice(raw);
            }
            SnReadResult::BlockNumber(n) => {
                out.push(3);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
    }
    out
}

/// Read results from a ReadResponse body (`count result*`).
pub fn parse_sn_results(b: &[u8]) -> Result<Vec<SnReadResult>, ParseError> {
    let mut r = Reader { c: Cursor::new(b, 0) };
    let v = r.sn_results()?;
    r.end()?;
    Ok(v)
}

impl SnResponse {
    pub fn emit(&self) -> Vec<u8> {
        match self {
            SnResponse::Read(results) => {
                let mut out = vec![0x0C];
                out.extend_from_slice(&emit_sn_results(results));
                out
            }
            SnResponse::Write(results) => {
                let mut out = vec![0x0D];
                crate::wire::put_axdr_length(&mut out, results.len());
                for x in results {
                    match x {
                        Ok(()) => out.push(0),
                        Err(code) => out.extend_from_slice(&[1, *code]),
                    }
                }
                out
            }
        }
    }

    pub fn parse(b: &[u8]) -> Result<SnResponse, ParseError> {
        let mut r = Reader { c: Cursor::new(b, 0) };
        let resp = match r.c.u8()? {
            0x0C => SnResponse::Read(r.sn_results()?),
            0x0D => {
                let n = r.count()?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    let at = r.c.pos();
                    v.push(match r.c.u8()? {
                        0 => Ok(()),
                        1 => Err(r.c.u8()?),
                        2 => {
                            r.c.u16_be()?;
                            Ok(())
                        }
                        other => {
                            return Err(ParseError::new(
                                at,
                                ErrorKind::UnexpectedByte { found: other, expected: "write result (0, 1 or 2)" },
                            ));
                        }
                    });
                }
                SnResponse::Write(v)
            }
            _ => return Err(ParseError::new(0, ErrorKind::BadValue { what: "short-name response (0C or 0D)" })),
        };
        r.end()?;
        Ok(resp)
    }
}

struct Reader<'a> {
    c: Cursor<'a>,
}

impl<'a> Reader<'a> {
    fn sn_results(&mut self) -> Result<Vec<SnReadResult>, ParseError> {
        let n = self.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let at = self.c.pos();
            v.push(match self.c.u8()? {
                0 => SnReadResult::Data(self.data()?),
                1 => SnReadResult::Error(self.c.u8()?),
                2 => {
                    let last = self.c.u8()? != 0;
                    let number = self.c.u16_be()?;
                    let k = self.len()?;
                    SnReadResult::Block { last, number, raw: self.c.take(k)?.to_vec() }
                }
                3 => SnReadResult::BlockNumber(self.c.u16_be()?),
                other => {
                    return Err(ParseError::new(
                        at,
                        ErrorKind::UnexpectedByte { found: other, expected: "read result (0 to 3)" },
                    ));
                }
            });
        }
        Ok(v)
    }
    fn u32(&mut self) -> Result<u32, ParseError> {
        let s = self.c.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn len(&mut self) -> Result<usize, ParseError> {
        let at = self.c.pos();
        self.c.axdr_length().map_err(|_| ParseError::new(at, ErrorKind::BadValue { what: "A-XDR length" }))
    }
    /// A count of elements, each at least one byte.
    fn count(&mut self) -> Result<usize, ParseError> {
        let at = self.c.pos();
        let n = self.len()?;
        let left = self.c.left();
        if n > left {
            return Err(ParseError::new(at, ErrorKind::BadLength { stated: n, actual: left }));
        }
        Ok(n)
    }
    fn attr(&mut self) -> Result<AttrRef, ParseError> {
        let s = self.c.take(9)?;
        let mut obis = [0u8; 6];
        obis.copy_from_slice(&s[2..8]);
        Ok(AttrRef { class: u16::from_be_bytes([s[0], s[1]]), obis, index: s[8] as i8 })
    }
    fn data(&mut self) -> Result<Data, ParseError> {
        let (d, used) =
            Data::decode(self.c.remaining()).map_err(|e| ParseError::new(e.offset + self.c.pos(), e.kind))?;
        self.c.seek(self.c.pos() + used);
        Ok(d)
    }
    fn access(&mut self) -> Result<Option<Access>, ParseError> {
        if self.c.u8()? == 0 {
            return Ok(None);
        }
        let selector = self.c.u8()?;
        Ok(Some(Access { selector, parameters: self.data()? }))
    }
    fn result(&mut self) -> Result<GetResult, ParseError> {
        match self.c.u8()? {
            0 => Ok(Ok(self.data()?)),
            1 => Ok(Err(self.c.u8()?)),
            other => Err(ParseError::new(
                self.c.pos() - 1,
                ErrorKind::UnexpectedByte { found: other, expected: "data (0) or data-access-result (1)" },
            )),
        }
    }
    fn end(&self) -> Result<(), ParseError> {
        if !self.c.is_empty() {
            return Err(ParseError::new(self.c.pos(), ErrorKind::TrailingBytes { count: self.c.left() }));
        }
        Ok(())
    }
}

/// Data-access-result and action-result codes in words (IEC 62056-5-3 clause 9.3).
pub fn result_text(code: u8) -> &'static str {
    match code {
        0 => "success",
        1 => "hardware fault",
        2 => "temporary failure",
        3 => "read-write denied",
        4 => "object undefined",
        9 => "object class inconsistent",
        11 => "object unavailable",
        12 => "type unmatched",
        13 => "scope of access violated",
        14 => "data block unavailable",
        15 => "long get aborted",
        16 => "no long get in progress",
        17 => "long set aborted",
        18 => "no long set in progress",
        19 => "data block number invalid",
        250 => "other reason",
        _ => "unknown result",
    }
}

/// Exception-Response state-error and service-error in words.
pub fn exception_text(state: u8, service: u8) -> String {
    let s = match state {
        1 => "service not allowed",
        2 => "service unknown",
        _ => "unknown state error",
    };
    let v = match service {
        1 => "operation not possible",
        2 => "service not supported",
        3 => "other reason",
        4 => "PDU too long",
        5 => "deciphering error",
        6 => "invocation counter error",
        _ => "unknown service error",
    };
    format!("{s}, {v}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use crate::protocols::dlms::DlmsApdu;
    use crate::registry::Protocol;

    const CLOCK: AttrRef = AttrRef::new(8, [0, 0, 1, 0, 0, 255], 2);

    fn dt(h: u8) -> [u8; 12] {
        [0x07, 0xE8, 5, 17, 5, h, 0, 0, 0xFF, 0x80, 0x00, 0x00]
    }

    #[test]
    fn get_request_bytes() {
        let r = Request::Get { invoke: 0xC1, attr: CLOCK, access: None };
        assert_eq!(r.emit(), [0xC0, 0x01, 0xC1, 0x00, 0x08, 0, 0, 1, 0, 0, 0xFF, 0x02, 0x00]);
    }

    #[test]
    fn requests_round_trip() {
        let profile = AttrRef::new(7, [1, 0, 99, 1, 0, 255], 2);
        let cases = [
            Request::Get { invoke: 0xC1, attr: CLOCK, access: None },
            Request::Get { invoke: 0xC2, attr: profile, access: Some(Access::range(dt(0), dt(6), Vec::new())) },
            Request::Get { invoke: 0xC3, attr: profile, access: Some(Access::entries(1, 10)) },
            Request::GetNext { invoke: 0xC1, block: 7 },
            Request::GetWithList {
                invoke: 0xC4,
                items: vec![(CLOCK, None), (AttrRef::new(3, [1, 0, 1, 8, 0, 255], 3), None)],
            },
            Request::Set { invoke: 0xC5, attr: CLOCK, access: None, value: Data::DateTime(dt(9)) },
            Request::Action {
                invoke: 0xC6,
                method: AttrRef::new(70, [0, 0, 96, 3, 10, 255], 1),
                params: Some(Data::Integer(0)),
            },
            Request::Action { invoke: 0xC7, method: AttrRef::new(15, [0, 0, 40, 0, 0, 255], 1), params: None },
        ];
        for r in cases {
            let b = r.emit();
            assert_eq!(Request::parse(&b).unwrap(), r);
            assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid, "{r:?}");
            assert!(Request::parse(&b[..b.len() - 1]).is_err());
        }
    }

    #[test]
    fn responses_round_trip() {
        let cases = [
            Response::Get { invoke: 0xC1, result: Ok(Data::DateTime(dt(3))) },
            Response::Get { invoke: 0xC1, result: Err(4) },
            Response::GetBlock { invoke: 0xC1, last: false, block: 1, raw: Ok(vec![1, 2, 3]) },
            Response::GetBlock { invoke: 0xC1, last: true, block: 2, raw: Err(19) },
            Response::GetWithList { invoke: 0xC1, results: vec![Ok(Data::Unsigned(5)), Err(3)] },
            Response::Set { invoke: 0xC1, result: 0 },
            Response::Action { invoke: 0xC1, result: 0, ret: Some(Ok(Data::OctetString(vec![0x10; 17]))) },
            Response::Action { invoke: 0xC1, result: 3, ret: None },
            Response::Exception { state: 1, service: 2 },
        ];
        for r in cases {
            let b = r.emit();
            assert_eq!(Response::parse(&b).unwrap(), r);
            assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid, "{r:?}");
        }
        let list = vec![Ok(Data::Null), Err(11)];
        assert_eq!(parse_result_list(&emit_result_list(&list)).unwrap(), list);
        assert_eq!(result_text(3), "read-write denied");
    }

    #[test]
    fn general_block_transfer_round_trips() {
        let g = Gbt { last: true, streaming: false, window: 0, number: 1, ack: 0, data: vec![0xC4, 0x01, 0x00] };
        let b = g.emit();
        // The example of the decoder's tests: E0 80 0001 0000 03 C40100.
        assert_eq!(b, [0xE0, 0x80, 0x00, 0x01, 0x00, 0x00, 0x03, 0xC4, 0x01, 0x00]);
        assert_eq!(Gbt::parse(&b).unwrap(), g);
        let g = Gbt { last: false, streaming: true, window: 5, number: 300, ack: 2, data: vec![7; 300] };
        let b = g.emit();
        assert_eq!(Gbt::parse(&b).unwrap(), g);
        assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid);
        assert!(Gbt::parse(&b[..b.len() - 1]).is_err());
    }

    #[test]
    fn short_name_services_round_trip() {
        let reqs = [
            SnRequest::Read(vec![Variable::Name(0xFA08)]),
            SnRequest::Read(vec![
                Variable::Name(0x0808),
                Variable::Parameterized { name: 0x0B08, access: Access::entries(1, 4) },
            ]),
            SnRequest::Read(vec![Variable::BlockNumber(3)]),
            SnRequest::Write { variables: vec![Variable::Name(0x0908)], values: vec![Data::DateTime(dt(4))] },
        ];
        for r in reqs {
            let b = r.emit();
            assert_eq!(SnRequest::parse(&b).unwrap(), r);
            assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid, "{r:?}");
            assert!(SnRequest::parse(&b[..b.len() - 1]).is_err());
        }
        let resps = [
            SnResponse::Read(vec![SnReadResult::Data(Data::LongUnsigned(5)), SnReadResult::Error(4)]),
            SnResponse::Read(vec![SnReadResult::Block { last: false, number: 1, raw: vec![1, 2, 3] }]),
            SnResponse::Write(vec![Ok(()), Err(3)]),
        ];
        for r in resps {
            let b = r.emit();
            assert_eq!(SnResponse::parse(&b).unwrap(), r);
            assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid, "{r:?}");
        }
        assert_eq!(exception_text(2, 2), "service unknown, service not supported");
    }
}
