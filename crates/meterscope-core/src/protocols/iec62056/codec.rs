//! The strict codec of IEC 62056-21 messages (IEC 62056-21:2002, 6.3):
//! `Message::parse` accepts exactly one well-formed message (CR LF line ends,
//! correct BCC, nothing after it) and `Message::emit` writes it back.

use super::data;
use super::frame::{self, ACK, CR, EOT, ETX, LF, NAK, SOH, STX};
use crate::error::{ErrorKind, ParseError};

/// One value of a data set: `value` or `value*unit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub value: String,
    pub unit: Option<String>,
}

/// A data set `address(value*unit)(value)…` (6.3.17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    pub address: String,
    pub values: Vec<Value>,
}

/// One IEC 62056-21 message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `/ ? address ! CR LF` (6.3.1); the address may be empty.
    Request { address: String },
    /// `/ XXX Z \W… ident CR LF` (6.3.2).
    Identification { manufacturer: [u8; 3], baud: u8, capabilities: Vec<u8>, ident: String },
    /// `ACK V Z Y CR LF` (6.3.3).
    OptionSelect { protocol: u8, baud: u8, mode: u8 },
    /// `ACK` (6.3.5).
    Ack,
    /// `NAK` (6.3.6).
    Nak,
    /// `STX lines ! CR LF ETX BCC`, or a partial block ending in EOT without `!` (6.3.4).
    Data { lines: Vec<Vec<DataSet>>, partial: bool },
    /// `SOH C D STX data set ETX BCC`, or `SOH B0 ETX BCC` (6.3.7).
    Command { command: u8, kind: u8, data: Option<DataSet>, partial: bool },
    /// `STX (text) ETX BCC` (6.3.11).
    Error { text: String },
}

fn err(offset: usize, kind: ErrorKind) -> ParseError {
    ParseError::new(offset, kind)
}

fn need(b: &[u8], at: usize, byte: u8, expected: &'static str) -> Result<(), ParseError> {
    match b.get(at) {
        Some(&c) if c == byte => Ok(()),
        Some(&c) => Err(err(at, ErrorKind::UnexpectedByte { found: c, expected })),
        None => Err(err(at, ErrorKind::Truncated { needed: 1 })),
    }
}

fn crlf(b: &[u8], at: usize) -> Result<usize, ParseError> {
    need(b, at, CR, "CR")?;
    need(b, at + 1, LF, "LF")?;
    Ok(at + 2)
}

fn done(b: &[u8], at: usize) -> Result<(), ParseError> {
    if at < b.len() { Err(err(at, ErrorKind::TrailingBytes { count: b.len() - at })) } else { Ok(()) }
}

fn value_char(c: u8) -> bool {
    c.is_ascii_graphic() && !b"()*/!".contains(&c)
}

fn address_char(c: u8) -> bool {
    c.is_ascii_graphic() && !b"()/!".contains(&c)
}

/// The text of `b[r]` when every byte passes `ok`.
fn field(b: &[u8], r: core::ops::Range<usize>, ok: fn(u8) -> bool, what: &'static str) -> Result<String, ParseError> {
    match b[r.clone()].iter().position(|&c| !ok(c)) {
        Some(i) => Err(err(r.start + i, ErrorKind::BadValue { what })),
        None => Ok(String::from_utf8_lossy(&b[r]).into_owned()),
    }
}

/// Parse the data sets of one line `b[range]`.
fn line(b: &[u8], range: core::ops::Range<usize>) -> Result<Vec<DataSet>, ParseError> {
    let mut out = Vec::new();
    for s in data::sets(b, range) {
        if s.groups.is_empty() {
            return Err(err(s.address.end, ErrorKind::BadValue { what: "data set without a value" }));
        }
        let address = field(b, s.address.clone(), address_char, "address")?;
        let mut values = Vec::new();
        for g in &s.groups {
            if !g.closed {
                return Err(err(g.span.end, ErrorKind::BadValue { what: "value without ')'" }));
            }
            let value = field(b, g.value.clone(), value_char, "value")?;
            let unit = match &g.unit {
                Some(u) if u.is_empty() => return Err(err(u.start, ErrorKind::BadValue { what: "empty unit" })),
                // Units such as `imp/kWh` carry a `/`.
                Some(u) => Some(field(b, u.clone(), |c| c == b'/' || value_char(c), "unit")?),
                None => None,
            };
            values.push(Value { value, unit });
        }
        out.push(DataSet { address, values });
    }
    Ok(out)
}

/// Check the BCC after ETX/EOT at `end`.
fn bcc(b: &[u8], end: usize) -> Result<(), ParseError> {
    let stated = *b.get(end + 1).ok_or(err(end + 1, ErrorKind::Truncated { needed: 1 }))?;
    let computed = frame::bcc(&b[1..=end]);
    if stated != computed {
        return Err(err(end + 1, ErrorKind::ChecksumMismatch { stated: stated.into(), computed: computed.into() }));
    }
    done(b, end + 2)
}

impl Message {
    /// Parse exactly one message.
    pub fn parse(b: &[u8]) -> Result<Message, ParseError> {
        let first = *b.first().ok_or(err(0, ErrorKind::Truncated { needed: 1 }))?;
        match first {
            b'/' if b.get(1) == Some(&b'?') => {
                let bang = b.iter().position(|&c| c == b'!').ok_or(err(b.len(), ErrorKind::Truncated { needed: 3 }))?;
                let address = field(b, 2..bang, |c| c.is_ascii_graphic(), "address")?;
                if address.len() > 32 {
                    return Err(err(2, ErrorKind::BadValue { what: "address longer than 32 characters" }));
                }
                done(b, crlf(b, bang + 1)?)?;
                Ok(Message::Request { address })
            }
            b'/' => {
                let end = b.iter().position(|&c| c == CR).ok_or(err(b.len(), ErrorKind::Truncated { needed: 2 }))?;
                if !frame::looks_like_identification(&b[..end]) {
                    return Err(err(1, ErrorKind::BadValue { what: "identification /XXXZ" }));
                }
                let mut at = 5;
                let mut capabilities = Vec::new();
                while at + 1 < end && b[at] == b'\\' {
                    capabilities.push(b[at + 1]);
                    at += 2;
                }
                let ident = field(
                    b,
                    at..end,
                    |c| (c == b' ' || c.is_ascii_graphic()) && c != b'/' && c != b'!',
                    "identification",
                )?;
                done(b, crlf(b, end)?)?;
                Ok(Message::Identification { manufacturer: [b[1], b[2], b[3]], baud: b[4], capabilities, ident })
            }
            ACK if b.len() == 1 => Ok(Message::Ack),
            NAK if b.len() == 1 => Ok(Message::Nak),
            NAK => done(b, 1).map(|_| Message::Nak),
            ACK => {
                let v = b.get(1..4).ok_or_else(|| err(b.len(), ErrorKind::Truncated { needed: 6 - b.len() }))?;
                if let Some(i) = v.iter().position(|c| !c.is_ascii_alphanumeric()) {
                    return Err(err(1 + i, ErrorKind::BadValue { what: "option select character" }));
                }
                done(b, crlf(b, 4)?)?;
                Ok(Message::OptionSelect { protocol: v[0], baud: v[1], mode: v[2] })
            }
            STX => {
                let end = b
                    .iter()
                    .position(|&c| c == ETX || c == EOT)
                    .ok_or(err(b.len(), ErrorKind::Truncated { needed: 2 }))?;
                let partial = b[end] == EOT;
                bcc(b, end)?;
                let body = &b[1..end];
                if !partial && body.first() == Some(&b'(') && !body.contains(&LF) && body.last() == Some(&b')') {
                    let text = field(b, 2..end - 1, value_char, "error text")?;
                    return Ok(Message::Error { text });
                }
                let mut lines = Vec::new();
                let mut at = 1;
                while at < end && (partial || b[at] != b'!') {
                    let stop = b[at..end]
                        .iter()
                        .position(|&c| c == CR)
                        .map(|i| at + i)
                        .ok_or(err(end, ErrorKind::UnexpectedByte { found: b[end], expected: "CR LF" }))?;
                    lines.push(line(b, at..stop)?);
                    at = crlf(b, stop)?;
                }
                if !partial {
                    need(b, at, b'!', "!")?;
                    let e = crlf(b, at + 1)?;
                    if e != end {
                        return Err(err(e, ErrorKind::UnexpectedByte { found: b[e], expected: "ETX" }));
                    }
                }
                Ok(Message::Data { lines, partial })
            }
            SOH => {
                let (c, d) = match (b.get(1), b.get(2)) {
                    (Some(&c), Some(&d)) if b"PWREB".contains(&c) && d.is_ascii_digit() => (c, d),
                    (Some(_), Some(_)) => return Err(err(1, ErrorKind::BadValue { what: "command" })),
                    _ => return Err(err(b.len(), ErrorKind::Truncated { needed: 3 })),
                };
                let end = b
                    .iter()
                    .position(|&x| x == ETX || x == EOT)
                    .ok_or(err(b.len(), ErrorKind::Truncated { needed: 2 }))?;
                let partial = b[end] == EOT;
                bcc(b, end)?;
                let data = if end == 3 {
                    None
                } else {
                    need(b, 3, STX, "STX")?;
                    let mut sets = line(b, 4..end)?;
                    if sets.len() != 1 {
                        return Err(err(4, ErrorKind::BadValue { what: "one data set" }));
                    }
                    sets.pop()
                };
                Ok(Message::Command { command: c, kind: d, data, partial })
            }
            c => Err(err(0, ErrorKind::UnexpectedByte { found: c, expected: "/, ACK, NAK, SOH or STX" })),
        }
    }

    /// The bytes of the message.
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Message::Request { address } => {
                out.extend_from_slice(b"/?");
                out.extend_from_slice(address.as_bytes());
                out.extend_from_slice(b"!\r\n");
            }
            Message::Identification { manufacturer, baud, capabilities, ident } => {
                out.push(b'/');
                out.extend_from_slice(manufacturer);
                out.push(*baud);
                for c in capabilities {
                    out.extend_from_slice(&[b'\\', *c]);
                }
                out.extend_from_slice(ident.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Message::OptionSelect { protocol, baud, mode } => {
                out.extend_from_slice(&[ACK, *protocol, *baud, *mode, CR, LF])
            }
            Message::Ack => out.push(ACK),
            Message::Nak => out.push(NAK),
            Message::Data { lines, partial } => {
                out.push(STX);
                for l in lines {
                    for s in l {
                        s.emit_into(&mut out);
                    }
                    out.extend_from_slice(b"\r\n");
                }
                if *partial {
                    out.push(EOT);
                } else {
                    out.extend_from_slice(b"!\r\n");
                    out.push(ETX);
                }
                out.push(frame::bcc(&out[1..]));
            }
            Message::Command { command, kind, data, partial } => {
                out.extend_from_slice(&[SOH, *command, *kind]);
                if let Some(s) = data {
                    out.push(STX);
                    s.emit_into(&mut out);
                }
                out.push(if *partial { EOT } else { ETX });
                out.push(frame::bcc(&out[1..]));
            }
            Message::Error { text } => {
                out.extend_from_slice(&[STX, b'(']);
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(&[b')', ETX]);
                out.push(frame::bcc(&out[1..]));
            }
        }
        out
    }
}

impl DataSet {
    /// Parse one data set `address(value*unit)…`.
    pub fn parse(text: &str) -> Result<DataSet, ParseError> {
        let b = text.as_bytes();
        if let Some(second) = data::sets(b, 0..b.len()).get(1) {
            return Err(err(second.span.start, ErrorKind::TrailingBytes { count: b.len() - second.span.start }));
        }
        line(b, 0..b.len())?.pop().ok_or(err(0, ErrorKind::Truncated { needed: 3 }))
    }

    /// Write the data set.
    pub fn emit(&self) -> String {
        let mut out = Vec::new();
        self.emit_into(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn emit_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.address.as_bytes());
        for v in &self.values {
            out.push(b'(');
            out.extend_from_slice(v.value.as_bytes());
            if let Some(u) = &v.unit {
                out.push(b'*');
                out.extend_from_slice(u.as_bytes());
            }
            out.push(b')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Rng;

    /// Between `min` and `max` characters of `set`.
    fn text(rng: &mut Rng, set: &[u8], min: usize, max: usize) -> String {
        let n = min + rng.below(max - min + 1);
        (0..n).map(|_| rng.pick(set) as char).collect()
    }

    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const VALUE: &[u8] = b"0123456789.-:ABCDEFWSabc,";
    const ADDRESS: &[u8] = b"0123456789.-:*&,CFLP";

    fn dataset(rng: &mut Rng, empty_address: bool) -> DataSet {
        let address = if empty_address { String::new() } else { text(rng, ADDRESS, 1, 12) };
        let values = (0..1 + rng.below(3))
            .map(|_| Value {
                value: text(rng, VALUE, 0, 12),
                unit: (rng.below(2) == 0).then(|| text(rng, b"kWhvarVAs/m3GJ", 1, 5)),
            })
            .collect();
        DataSet { address, values }
    }

    fn message(rng: &mut Rng) -> Message {
        match rng.below(8) {
            0 => Message::Request { address: text(rng, ALNUM, 0, 32) },
            1 => Message::Identification {
                manufacturer: [
                    rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                    rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                    rng.pick(b"ABCKabck"),
                ],
                baud: rng.pick(b"0123456789ABCDEFGHI"),
                capabilities: (0..rng.below(2)).map(|_| rng.pick(b"0123456789")).collect(),
                ident: text(rng, b"ABCDEFGHIJ0123456789-_ .", 0, 16).trim_start_matches('\\').to_string(),
            },
            2 => Message::OptionSelect {
                protocol: rng.pick(b"012"),
                baud: rng.pick(b"0123456"),
                mode: rng.pick(b"0126"),
            },
            3 => Message::Ack,
            4 => Message::Nak,
            5 => Message::Data {
                lines: (0..rng.below(5))
                    .map(|_| {
                        (0..1 + rng.below(3))
                            .map(|k| {
                                let empty = k == 0 && rng.below(4) == 0;
                                dataset(rng, empty)
                            })
                            .collect()
                    })
                    .collect(),
                partial: rng.below(4) == 0,
            },
            6 => {
                let command = rng.pick(b"PWREB");
                Message::Command {
                    command,
                    kind: rng.pick(b"0123456"),
                    data: (command != b'B').then(|| dataset(rng, command == b'P')),
                    partial: rng.below(5) == 0,
                }
            }
            _ => Message::Error { text: text(rng, ALNUM, 0, 10) },
        }
    }

    /// Every generated message survives emit then parse unchanged.
    #[test]
    fn round_trip_property() {
        let mut rng = Rng::new(0x21_2105);
        for i in 0..3000 {
            let m = message(&mut rng);
            let bytes = m.emit();
            assert_eq!(Message::parse(&bytes).as_ref(), Ok(&m), "case {i}: {:?}", String::from_utf8_lossy(&bytes));
            if let Message::Command { data: Some(s), .. } = &m {
                assert_eq!(DataSet::parse(&s.emit()).as_ref(), Ok(s));
            }
        }
    }

    #[test]
    fn parse_known_messages() {
        let w2 = b"\x01W2\x02C003(910324092239)\x03\x1b";
        let m = Message::parse(w2).unwrap();
        let Message::Command { command: b'W', kind: b'2', data: Some(s), partial: false } = &m else { panic!("{m:?}") };
        assert_eq!(s.address, "C003");
        assert_eq!(s.values[0].value, "910324092239");
        assert_eq!(m.emit(), w2.to_vec());
        let r = b"\x023:14(314*kWh)4:15(415*kWh)\r\n!\r\n\x03\"";
        let Message::Data { lines, partial: false } = Message::parse(r).unwrap() else { panic!() };
        assert_eq!(lines[0].len(), 2);
        assert_eq!(lines[0][1].values[0].unit.as_deref(), Some("kWh"));
        assert_eq!(
            Message::parse(b"\x06252\r\n"),
            Ok(Message::OptionSelect { protocol: b'2', baud: b'5', mode: b'2' })
        );
        assert_eq!(Message::parse(b"/?45678903!\r\n"), Ok(Message::Request { address: "45678903".into() }));
    }

    /// Found by fuzzing: an ACK followed by more than six bytes computed a negative
    /// "needed" count before checking the option characters.
    #[test]
    fn long_message_after_ack_is_an_error_not_a_panic() {
        let b = b"\x06\x023:1\x8854(314\xd9*kWh)4:15(415*kWh)\r\n!\r\n\x03\"";
        assert_eq!(Message::parse(b).unwrap_err().offset, 1);
        assert!(Message::parse(b"\x06").is_ok());
        assert!(matches!(Message::parse(b"\x0625").unwrap_err().kind, ErrorKind::Truncated { needed: 3 }));
    }

    #[test]
    fn strict_errors_carry_offset_and_kind() {
        let e = Message::parse(b"\x01W2\x02C003(910324092239)\x03\x1c").unwrap_err();
        assert_eq!(e, ParseError::new(23, ErrorKind::ChecksumMismatch { stated: 0x1C, computed: 0x1B }));
        assert_eq!(Message::parse(b"/?!\n").unwrap_err().offset, 3);
        assert!(matches!(Message::parse(b"/?!\r\nX").unwrap_err().kind, ErrorKind::TrailingBytes { count: 1 }));
        assert!(matches!(Message::parse(b"\x02(ERR").unwrap_err().kind, ErrorKind::Truncated { .. }));
        assert!(DataSet::parse("1.8.0(1)2.8.0(2)").is_err());
        assert!(DataSet::parse("1.8.0(1").is_err());
    }
}
