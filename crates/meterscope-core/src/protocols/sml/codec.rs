//! The strict codec for programs: a transport frame parsed into its SML
//! messages (every check an error), and messages and frames emitted. It
//! reads TL fields with the dissector's [`tl`](super::tl) grammar.

use super::frame::{self, END_MARK, End, Payload, START, Scan};
use super::tl::{self, TlError, Type};
use crate::error::{ErrorKind, ParseError};
use crate::wire::crc16_x25;

/// One SML element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Octets(Vec<u8>),
    Bool(bool),
    /// A signed integer and its width in bytes (1–8).
    Int(i64, u8),
    /// An unsigned integer and its width in bytes (1–8).
    Uint(u64, u8),
    List(Vec<Value>),
}

impl Value {
    /// An optional value that is not set (`01`).
    pub const NOT_SET: Value = Value::Octets(Vec::new());
}

/// An SML_Message: the body as its `[tag, body]` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub transaction_id: Vec<u8>,
    pub group_no: u8,
    pub abort_on_error: u8,
    /// The message body: `List([Uint(tag, width), body])`.
    pub body: Value,
}

impl Message {
    /// The message body's tag (`0x0701`: GetListResponse).
    pub fn tag(&self) -> Option<u32> {
        match &self.body {
            Value::List(v) => match v.first() {
                Some(Value::Uint(t, _)) => u32::try_from(*t).ok(),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Lists nest at most this deep.
const MAX_DEPTH: u32 = 24;

fn tl_error(e: TlError, map: &dyn Fn(usize) -> usize) -> ParseError {
    match e {
        TlError::Short { at } => ParseError::new(map(at), ErrorKind::Truncated { needed: 1 }),
        TlError::Type { at, byte } | TlError::Continuation { at, byte } => {
            ParseError::new(map(at), ErrorKind::UnexpectedByte { found: byte, expected: "an SML TL field" })
        }
        TlError::Length { at, len, tl } => ParseError::new(map(at), ErrorKind::BadLength { stated: len, actual: tl }),
        TlError::Overrun { at, missing, .. } => ParseError::new(map(at), ErrorKind::Truncated { needed: missing }),
        TlError::Width { at, .. } => ParseError::new(map(at), ErrorKind::BadValue { what: "SML number width" }),
    }
}

/// Read one element at `q` of `b`.
fn read_value(b: &[u8], q: usize, depth: u32, map: &dyn Fn(usize) -> usize) -> Result<(Value, usize), ParseError> {
    let el = tl::read(b, q).map_err(|e| tl_error(e, map))?;
    let d = &b[el.data()..el.end()];
    let be = |d: &[u8]| d.iter().fold(0u64, |a, &x| a << 8 | u64::from(x));
    let v = match el.ty {
        Type::OctetString => Value::Octets(d.to_vec()),
        Type::Boolean => Value::Bool(d[0] != 0),
        Type::Unsigned => Value::Uint(be(d), d.len() as u8),
        Type::Integer => {
            let shift = 64 - 8 * d.len() as u32;
            Value::Int(((be(d) << shift) as i64) >> shift, d.len() as u8)
        }
        Type::EndOfMessage => {
            return Err(ParseError::new(map(q), ErrorKind::UnexpectedByte { found: 0, expected: "an SML value" }));
        }
        Type::List => {
            if depth >= MAX_DEPTH {
                return Err(ParseError::new(map(q), ErrorKind::BadValue { what: "SML nesting depth" }));
            }
            let mut items = Vec::with_capacity(el.len.min(64));
            let mut at = el.data();
            for _ in 0..el.len {
                let (v, next) = read_value(b, at, depth + 1, map)?;
                items.push(v);
                at = next;
            }
            return Ok((Value::List(items), at));
        }
    };
    Ok((v, el.end()))
}

/// Where each message of an SML file (escaping undone) starts and where its
/// CRC element (`63 hi lo`) is, for the messages read up to their CRC, and
/// where the last whole message ends (the fill bytes start): what the frame
/// builder fills in. Elements are skipped by their type-length fields only.
pub fn message_crcs(file: &[u8]) -> (Vec<(usize, usize)>, usize) {
    /// The end of the element at `q` (a list with its entries).
    fn skip(file: &[u8], q: usize, depth: u32) -> Option<usize> {
        let el = tl::read(file, q).ok()?;
        if el.ty != Type::List {
            return Some(el.end());
        }
        if depth > 32 {
            return None;
        }
        (0..el.len).try_fold(el.data(), |q, _| skip(file, q, depth + 1))
    }
    let (mut out, mut end) = (Vec::new(), 0);
    let mut q = 0;
    while q < file.len() {
        let start = q;
        let Ok(el) = tl::read(file, q) else { break };
        if el.ty != Type::List || el.len != 6 {
            break;
        }
        let Some(crc) = (0..4).try_fold(el.data(), |q, _| skip(file, q, 1)) else { break };
        // `63 hi lo 00`: the CRC and endOfSmlMsg inside the file.
        if file.get(crc) != Some(&0x63) || crc + 4 > file.len() {
            break;
        }
        out.push((start, crc));
        // The CRC's three bytes, then endOfSmlMsg.
        if file.get(crc + 3) != Some(&0) {
            break;
        }
        q = crc + 4;
        end = q;
    }
    (out, end)
}

/// Parse the messages of an SML file (escaping undone, padding removed);
/// `map` turns file offsets into the offsets errors report.
pub fn parse_file_at(file: &[u8], map: &dyn Fn(usize) -> usize) -> Result<Vec<Message>, ParseError> {
    let mut out = Vec::new();
    let mut q = 0;
    while q < file.len() {
        let start = q;
        let el = tl::read(file, q).map_err(|e| tl_error(e, map))?;
        if el.ty != Type::List || el.len != 6 {
            return Err(ParseError::new(
                map(q),
                ErrorKind::UnexpectedByte { found: file[q], expected: "76 (SML_Message)" },
            ));
        }
        q = el.data();
        let mut fields = Vec::with_capacity(4);
        for _ in 0..4 {
            let (v, next) = read_value(file, q, 1, map)?;
            fields.push(v);
            q = next;
        }
        let crc_at = q;
        let (crc, next) = read_value(file, q, 1, map)?;
        let computed = crc16_x25(&file[start..crc_at]).swap_bytes();
        match crc {
            Value::Uint(stated, _) if stated == u64::from(computed) => {}
            Value::Uint(stated, _) => {
                return Err(ParseError::new(
                    map(crc_at),
                    ErrorKind::ChecksumMismatch { stated: stated as u32, computed: computed.into() },
                ));
            }
            _ => return Err(ParseError::new(map(crc_at), ErrorKind::BadValue { what: "SML message crc16" })),
        }
        q = next;
        match file.get(q) {
            Some(0) => q += 1,
            Some(&found) => {
                return Err(ParseError::new(map(q), ErrorKind::UnexpectedByte { found, expected: "00 (endOfSmlMsg)" }));
            }
            None => return Err(ParseError::new(map(q), ErrorKind::Truncated { needed: 1 })),
        }
        let mut f = fields.into_iter();
        let (Some(Value::Octets(transaction_id)), Some(group), Some(abort), Some(body)) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(ParseError::new(map(start), ErrorKind::BadValue { what: "SML message header" }));
        };
        let small = |v: Value| match v {
            Value::Uint(x, 1) => Some(x as u8),
            _ => None,
        };
        let (Some(group_no), Some(abort_on_error)) = (small(group), small(abort)) else {
            return Err(ParseError::new(map(start), ErrorKind::BadValue { what: "groupNo or abortOnError" }));
        };
        out.push(Message { transaction_id, group_no, abort_on_error, body });
    }
    Ok(out)
}

/// Undo the transport of a frame: the SML file inside, every check strict.
pub fn parse_transport(b: &[u8]) -> Result<Vec<u8>, ParseError> {
    if b.len() < START.len() || b[..START.len()] != START {
        let found = b.iter().zip(START).find(|(x, s)| *x != s).map_or(0, |(x, _)| *x);
        return match b.len() < START.len() && START.starts_with(b) {
            true => Err(ParseError::new(b.len(), ErrorKind::Truncated { needed: START.len() - b.len() })),
            false => Err(ParseError::new(0, ErrorKind::UnexpectedByte { found, expected: "1B 1B 1B 1B 01 01 01 01" })),
        };
    }
    let (len, e) = match frame::scan(b) {
        Scan::Complete { len, end: End::Escape(e) } => (len, e),
        Scan::Complete { end: End::Restart(e), .. } => {
            return Err(ParseError::new(
                e,
                ErrorKind::UnexpectedByte { found: 0x1B, expected: "the end escape sequence" },
            ));
        }
        Scan::Incomplete | Scan::NoMatch => return Err(ParseError::new(b.len(), ErrorKind::Truncated { needed: 8 })),
    };
    if len < b.len() {
        return Err(ParseError::new(len, ErrorKind::TrailingBytes { count: b.len() - len }));
    }
    if e % 4 != 0 {
        return Err(ParseError::new(e, ErrorKind::BadValue { what: "end escape sequence alignment" }));
    }
    let payload = Payload::read(b, START.len(), e);
    if let Some(&at) = payload.bad_escapes.first() {
        return Err(ParseError::new(at, ErrorKind::BadValue { what: "SML escape sequence" }));
    }
    let pad = usize::from(b[e + 5]);
    if pad > 3 || pad > payload.bytes.len() || payload.bytes[payload.bytes.len() - pad..].iter().any(|&x| x != 0) {
        return Err(ParseError::new(e + 5, ErrorKind::BadValue { what: "SML padding" }));
    }
    if let Some((stated, computed)) = frame::crc(b)
        && stated != computed
    {
        return Err(ParseError::new(
            len - 2,
            ErrorKind::ChecksumMismatch { stated: stated.into(), computed: computed.into() },
        ));
    }
    let mut file = payload.bytes;
    file.truncate(file.len() - pad);
    Ok(file)
}

/// Parse a transport frame into its messages (errors at frame offsets).
pub fn parse(b: &[u8]) -> Result<Vec<Message>, ParseError> {
    let file = parse_transport(b)?;
    let payload = Payload::read(b, START.len(), b.len().saturating_sub(8));
    parse_file_at(&file, &|q| payload.wire(q))
}

/// Write one element.
pub fn emit_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Octets(o) => {
            tl::write(out, Type::OctetString, o.len());
            out.extend_from_slice(o);
        }
        Value::Bool(b) => out.extend_from_slice(&[0x42, u8::from(*b)]),
        Value::Int(i, w) => {
            let w = usize::from((*w).clamp(1, 8));
            tl::write(out, Type::Integer, w);
            out.extend_from_slice(&i.to_be_bytes()[8 - w..]);
        }
        Value::Uint(u, w) => {
            let w = usize::from((*w).clamp(1, 8));
            tl::write(out, Type::Unsigned, w);
            out.extend_from_slice(&u.to_be_bytes()[8 - w..]);
        }
        Value::List(items) => {
            tl::write(out, Type::List, items.len());
            for i in items {
                emit_value(out, i);
            }
        }
    }
}

/// Write one message with its CRC and endOfSmlMsg.
pub fn emit_message(out: &mut Vec<u8>, m: &Message) {
    let start = out.len();
    out.push(0x76);
    emit_value(out, &Value::Octets(m.transaction_id.clone()));
    emit_value(out, &Value::Uint(m.group_no.into(), 1));
    emit_value(out, &Value::Uint(m.abort_on_error.into(), 1));
    emit_value(out, &m.body);
    let crc = crc16_x25(&out[start..]).to_le_bytes();
    out.extend_from_slice(&[0x63, crc[0], crc[1], 0x00]);
}

/// A transport frame around an SML file: escape sequences doubled, padded
/// to four bytes, the end with its CRC.
pub fn emit_transport(file: &[u8]) -> Vec<u8> {
    let mut out = START.to_vec();
    let mut i = 0;
    while i < file.len() {
        if file[i..].starts_with(&[frame::ESC; 4]) {
            out.extend_from_slice(&[frame::ESC; 8]);
            i += 4;
        } else {
            out.push(file[i]);
            i += 1;
        }
    }
    let pad = (4 - out.len() % 4) % 4;
    out.extend(core::iter::repeat_n(0, pad));
    out.extend_from_slice(&[frame::ESC, frame::ESC, frame::ESC, frame::ESC, END_MARK, pad as u8]);
    let crc = crc16_x25(&out).to_le_bytes();
    out.extend_from_slice(&crc);
    out
}

/// Messages in a transport frame.
pub fn emit(messages: &[Message]) -> Vec<u8> {
    let mut file = Vec::new();
    for m in messages {
        emit_message(&mut file, m);
    }
    emit_transport(&file)
}
