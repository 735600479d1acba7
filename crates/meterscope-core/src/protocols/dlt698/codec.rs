//! Strict parse and emit of Data values (clause 7.3), for programs.
//!
//! `Data::parse` accepts exactly the encodings `Data::emit` writes and fails
//! with the offset and kind of the first fault; `emit(parse(b)) == b` for
//! every accepted `b`. The tolerant dissector lives in [`super::data`].

use super::data::{MAX_DEPTH, tag};
use crate::error::{ErrorKind, ParseError};
use crate::session::DateTime;
use crate::wire::{Cursor, put_axdr_length};

/// A column selector: an OAD or a ROAD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Csd {
    Oad([u8; 4]),
    Road { oad: [u8; 4], related: Vec<[u8; 4]> },
}

/// A meter set (MS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ms {
    None,
    All,
    Types(Vec<u8>),
    /// TSA octet strings.
    Addresses(Vec<Vec<u8>>),
    Configs(Vec<u16>),
    /// Choice 5, 6 or 7 with its regions (unit, start, end).
    Regions(u8, Vec<(u8, Data, Data)>),
}

/// Selector 2 parameters: OAD, start, end, interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector2 {
    pub oad: [u8; 4],
    pub start: Data,
    pub end: Data,
    pub interval: Data,
}

/// A row selector (RSD), selectors 0–10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rsd {
    None,
    S1 {
        oad: [u8; 4],
        value: Box<Data>,
    },
    S2(Box<Selector2>),
    S3(Vec<Selector2>),
    /// Selector 4 or 5: a date_time_s and a meter set.
    Time {
        selector: u8,
        time: [u8; 7],
        ms: Ms,
    },
    /// Selector 6, 7 or 8: start, end, interval (TI), meter set.
    Range {
        selector: u8,
        start: [u8; 7],
        end: [u8; 7],
        ti: [u8; 3],
        ms: Ms,
    },
    S9(u8),
    S10(u8, Ms),
}

/// A Data value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    Null,
    Array(Vec<Data>),
    Structure(Vec<Data>),
    Bool(bool),
    BitString {
        bits: usize,
        bytes: Vec<u8>,
    },
    /// Every integer type and enum, by tag.
    Int {
        tag: u8,
        value: i128,
    },
    /// Types of fixed size kept as bytes: floats, dates and times, OI, OAD,
    /// OMD, TI, Scaler_Unit, COMDCB.
    Fixed {
        tag: u8,
        bytes: Vec<u8>,
    },
    /// Length-prefixed bytes: octet-string, visible-string, UTF8-string, TSA, MAC, RN.
    Bytes {
        tag: u8,
        bytes: Vec<u8>,
    },
    Road {
        oad: [u8; 4],
        related: Vec<[u8; 4]>,
    },
    Region {
        unit: u8,
        start: Box<Data>,
        end: Box<Data>,
    },
    Rsd(Rsd),
    Csd(Csd),
    Ms(Ms),
    Sid {
        ident: [u8; 4],
        data: Vec<u8>,
    },
    SidMac {
        ident: [u8; 4],
        data: Vec<u8>,
        mac: Vec<u8>,
    },
    Rcsd(Vec<Csd>),
}

/// (tag, size in bytes, signed) of the integer types.
const INTS: &[(u8, usize, bool)] = &[
    (tag::DOUBLE_LONG, 4, true),
    (tag::DOUBLE_LONG_UNSIGNED, 4, false),
    (tag::INTEGER, 1, true),
    (tag::LONG, 2, true),
    (tag::UNSIGNED, 1, false),
    (tag::LONG_UNSIGNED, 2, false),
    (tag::LONG64, 8, true),
    (tag::LONG64_UNSIGNED, 8, false),
    (tag::ENUM, 1, false),
];

/// (tag, size in bytes) of the fixed-size types kept as bytes.
const FIXED: &[(u8, usize)] = &[
    (tag::FLOAT32, 4),
    (tag::FLOAT64, 8),
    (tag::DATE_TIME, 10),
    (tag::DATE, 5),
    (tag::TIME, 3),
    (tag::DATE_TIME_S, 7),
    (tag::OI, 2),
    (tag::OAD, 4),
    (tag::OMD, 4),
    (tag::TI, 3),
    (tag::SCALER_UNIT, 2),
    (tag::COMDCB, 5),
];

const BYTES: &[u8] = &[tag::OCTET_STRING, tag::VISIBLE_STRING, tag::UTF8_STRING, tag::TSA, tag::MAC, tag::RN];

struct R<'a> {
    c: Cursor<'a>,
}

impl<'a> R<'a> {
    fn bad(&self, at: usize, what: &'static str) -> ParseError {
        ParseError::new(at, ErrorKind::BadValue { what })
    }
    /// A-XDR length in its shortest form (the form `emit` writes).
    fn len(&mut self) -> Result<usize, ParseError> {
        Ok(self.c.axdr_length_shortest()?)
    }
    fn octets(&mut self) -> Result<Vec<u8>, ParseError> {
        let n = self.len()?;
        Ok(self.c.take(n)?.to_vec())
    }

    fn data(&mut self, depth: usize) -> Result<Data, ParseError> {
        let at = self.c.pos();
        if depth > MAX_DEPTH {
            return Err(self.bad(at, "nesting depth"));
        }
        let t = self.c.u8()?;
        self.body(t, at, depth)
    }

    fn body(&mut self, t: u8, at: usize, depth: usize) -> Result<Data, ParseError> {
        if let Some(&(_, n, signed)) = INTS.iter().find(|x| x.0 == t) {
            let b = self.c.take(n)?;
            let u = b.iter().fold(0u128, |a, &x| (a << 8) | x as u128);
            let value = if signed && b[0] & 0x80 != 0 { u as i128 - (1i128 << (8 * n)) } else { u as i128 };
            return Ok(Data::Int { tag: t, value });
        }
        if let Some(&(_, n)) = FIXED.iter().find(|x| x.0 == t) {
            return Ok(Data::Fixed { tag: t, bytes: self.c.take(n)?.to_vec() });
        }
        if BYTES.contains(&t) {
            return Ok(Data::Bytes { tag: t, bytes: self.octets()? });
        }
        Ok(match t {
            tag::NULL => Data::Null,
            tag::ARRAY | tag::STRUCTURE => {
                let n = self.c.axdr_count()?;
                let items = (0..n).map(|_| self.data(depth + 1)).collect::<Result<Vec<_>, _>>()?;
                if t == tag::ARRAY { Data::Array(items) } else { Data::Structure(items) }
            }
            tag::BOOL => match self.c.u8()? {
                0 => Data::Bool(false),
                1 => Data::Bool(true),
                _ => return Err(self.bad(self.c.pos() - 1, "bool")),
            },
            tag::BIT_STRING => {
                let bits = self.len()?;
                Data::BitString { bits, bytes: self.c.take(bits.div_ceil(8))?.to_vec() }
            }
            tag::ROAD => {
                let (oad, related) = self.road()?;
                Data::Road { oad, related }
            }
            tag::REGION => {
                let (unit, start, end) = self.region(depth)?;
                Data::Region { unit, start: Box::new(start), end: Box::new(end) }
            }
            tag::RSD => Data::Rsd(self.rsd(depth)?),
            tag::CSD => Data::Csd(self.csd()?),
            tag::MS => Data::Ms(self.ms(depth)?),
            tag::SID => Data::Sid { ident: self.c.array()?, data: self.octets()? },
            tag::SID_MAC => Data::SidMac { ident: self.c.array()?, data: self.octets()?, mac: self.octets()? },
            tag::RCSD => {
                let n = self.c.axdr_count()?;
                Data::Rcsd((0..n).map(|_| self.csd()).collect::<Result<_, _>>()?)
            }
            _ => return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a data type" })),
        })
    }

    fn road(&mut self) -> Result<([u8; 4], Vec<[u8; 4]>), ParseError> {
        let oad = self.c.array()?;
        let n = self.c.axdr_count()?;
        Ok((oad, (0..n).map(|_| self.c.array()).collect::<Result<_, _>>()?))
    }

    fn region(&mut self, depth: usize) -> Result<(u8, Data, Data), ParseError> {
        Ok((self.c.u8()?, self.data(depth + 1)?, self.data(depth + 1)?))
    }

    fn csd(&mut self) -> Result<Csd, ParseError> {
        match self.c.u8()? {
            0 => Ok(Csd::Oad(self.c.array()?)),
            1 => {
                let (oad, related) = self.road()?;
                Ok(Csd::Road { oad, related })
            }
            _ => Err(self.bad(self.c.pos() - 1, "CSD choice")),
        }
    }

    fn ms(&mut self, depth: usize) -> Result<Ms, ParseError> {
        let k = self.c.u8()?;
        Ok(match k {
            0 => Ms::None,
            1 => Ms::All,
            2 => {
                let n = self.c.axdr_count()?;
                Ms::Types(self.c.take(n)?.to_vec())
            }
            3 => {
                let n = self.c.axdr_count()?;
                Ms::Addresses((0..n).map(|_| self.octets()).collect::<Result<_, _>>()?)
            }
            4 => {
                let n = self.c.axdr_count()?;
                Ms::Configs((0..n).map(|_| self.c.array::<2>().map(u16::from_be_bytes)).collect::<Result<_, _>>()?)
            }
            5..=7 => {
                let n = self.c.axdr_count()?;
                Ms::Regions(k, (0..n).map(|_| self.region(depth)).collect::<Result<_, _>>()?)
            }
            _ => return Err(self.bad(self.c.pos() - 1, "MS choice")),
        })
    }

    fn selector2(&mut self, depth: usize) -> Result<Selector2, ParseError> {
        Ok(Selector2 {
            oad: self.c.array()?,
            start: self.data(depth + 1)?,
            end: self.data(depth + 1)?,
            interval: self.data(depth + 1)?,
        })
    }

    fn rsd(&mut self, depth: usize) -> Result<Rsd, ParseError> {
        let s = self.c.u8()?;
        Ok(match s {
            0 => Rsd::None,
            1 => Rsd::S1 { oad: self.c.array()?, value: Box::new(self.data(depth + 1)?) },
            2 => Rsd::S2(Box::new(self.selector2(depth)?)),
            3 => {
                let n = self.c.axdr_count()?;
                Rsd::S3((0..n).map(|_| self.selector2(depth)).collect::<Result<_, _>>()?)
            }
            4 | 5 => Rsd::Time { selector: s, time: self.c.array()?, ms: self.ms(depth)? },
            6..=8 => Rsd::Range {
                selector: s,
                start: self.c.array()?,
                end: self.c.array()?,
                ti: self.c.array()?,
                ms: self.ms(depth)?,
            },
            9 => Rsd::S9(self.c.u8()?),
            10 => Rsd::S10(self.c.u8()?, self.ms(depth)?),
            _ => return Err(self.bad(self.c.pos() - 1, "RSD selector")),
        })
    }
}

fn put_octets(out: &mut Vec<u8>, b: &[u8]) {
    put_axdr_length(out, b.len());
    out.extend_from_slice(b);
}

fn put_csd(out: &mut Vec<u8>, c: &Csd) {
    match c {
        Csd::Oad(o) => {
            out.push(0);
            out.extend_from_slice(o);
        }
        Csd::Road { oad, related } => {
            out.push(1);
            put_road(out, oad, related);
        }
    }
}

fn put_road(out: &mut Vec<u8>, oad: &[u8; 4], related: &[[u8; 4]]) {
    out.extend_from_slice(oad);
    put_axdr_length(out, related.len());
    related.iter().for_each(|r| out.extend_from_slice(r));
}

fn put_ms(out: &mut Vec<u8>, ms: &Ms) {
    match ms {
        Ms::None => out.push(0),
        Ms::All => out.push(1),
        Ms::Types(t) => {
            out.push(2);
            put_octets(out, t);
        }
        Ms::Addresses(a) => {
            out.push(3);
            put_axdr_length(out, a.len());
            a.iter().for_each(|x| put_octets(out, x));
        }
        Ms::Configs(c) => {
            out.push(4);
            put_axdr_length(out, c.len());
            c.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes()));
        }
        Ms::Regions(k, r) => {
            out.push(*k);
            put_axdr_length(out, r.len());
            for (u, s, e) in r {
                out.push(*u);
                s.emit(out);
                e.emit(out);
            }
        }
    }
}

fn put_selector2(out: &mut Vec<u8>, s: &Selector2) {
    out.extend_from_slice(&s.oad);
    s.start.emit(out);
    s.end.emit(out);
    s.interval.emit(out);
}

/// A date_time_s value.
pub fn date_time_s(t: &DateTime) -> Data {
    let y = t.year.to_be_bytes();
    Data::Fixed { tag: tag::DATE_TIME_S, bytes: vec![y[0], y[1], t.month, t.day, t.hour, t.minute, t.second] }
}

/// The civil time of a date_time_s value, when it is a valid one.
pub fn parse_date_time_s(d: &Data) -> Option<DateTime> {
    match d {
        Data::Fixed { tag: tag::DATE_TIME_S, bytes } => match **bytes {
            [y0, y1, month, day, hour, minute, second] => {
                let t = DateTime { year: u16::from_be_bytes([y0, y1]), month, day, hour, minute, second };
                t.is_valid().then_some(t)
            }
            _ => None,
        },
        _ => None,
    }
}

impl Data {
    /// Strict parse of one Data value; returns it and the bytes it used.
    pub fn parse(b: &[u8]) -> Result<(Data, usize), ParseError> {
        let mut r = R { c: Cursor::new(b, 0) };
        let d = r.data(0)?;
        Ok((d, r.c.pos()))
    }

    /// Strict parse of a value of type `t` written without its tag, as the APDU
    /// grammar writes fields of a known type (the RSD and RCSD of GET-Request-Record,
    /// the RCSD of A-ResultRecord).
    pub fn parse_untagged(t: u8, b: &[u8]) -> Result<(Data, usize), ParseError> {
        let mut r = R { c: Cursor::new(b, 0) };
        let d = r.body(t, 0, 0)?;
        Ok((d, r.c.pos()))
    }

    /// The type tag of this value.
    pub fn tag(&self) -> u8 {
        match self {
            Data::Null => tag::NULL,
            Data::Array(_) => tag::ARRAY,
            Data::Structure(_) => tag::STRUCTURE,
            Data::Bool(_) => tag::BOOL,
            Data::BitString { .. } => tag::BIT_STRING,
            Data::Int { tag, .. } | Data::Fixed { tag, .. } | Data::Bytes { tag, .. } => *tag,
            Data::Road { .. } => tag::ROAD,
            Data::Region { .. } => tag::REGION,
            Data::Rsd(_) => tag::RSD,
            Data::Csd(_) => tag::CSD,
            Data::Ms(_) => tag::MS,
            Data::Sid { .. } => tag::SID,
            Data::SidMac { .. } => tag::SID_MAC,
            Data::Rcsd(_) => tag::RCSD,
        }
    }

    /// Append the encoding (tag and body). Integer values are written in the
    /// width of their tag (two's complement, truncated when out of range).
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.tag());
        self.emit_untagged(out);
    }

    /// Append the encoding without the tag (see [`Data::parse_untagged`]).
    pub fn emit_untagged(&self, out: &mut Vec<u8>) {
        match self {
            Data::Null => {}
            Data::Array(v) | Data::Structure(v) => {
                put_axdr_length(out, v.len());
                v.iter().for_each(|d| d.emit(out));
            }
            Data::Bool(b) => out.push(*b as u8),
            Data::BitString { bits, bytes } => {
                put_axdr_length(out, *bits);
                let n = bits.div_ceil(8);
                out.extend(bytes.iter().copied().chain(std::iter::repeat(0)).take(n));
            }
            Data::Int { tag, value } => {
                let n = INTS.iter().find(|x| x.0 == *tag).map_or(1, |x| x.1);
                out.extend_from_slice(&value.to_be_bytes()[16 - n..]);
            }
            Data::Fixed { bytes, .. } => out.extend_from_slice(bytes),
            Data::Bytes { bytes, .. } => put_octets(out, bytes),
            Data::Road { oad, related } => put_road(out, oad, related),
            Data::Region { unit, start, end } => {
                out.push(*unit);
                start.emit(out);
                end.emit(out);
            }
            Data::Rsd(r) => match r {
                Rsd::None => out.push(0),
                Rsd::S1 { oad, value } => {
                    out.push(1);
                    out.extend_from_slice(oad);
                    value.emit(out);
                }
                Rsd::S2(s) => {
                    out.push(2);
                    put_selector2(out, s);
                }
                Rsd::S3(v) => {
                    out.push(3);
                    put_axdr_length(out, v.len());
                    v.iter().for_each(|s| put_selector2(out, s));
                }
                Rsd::Time { selector, time, ms } => {
                    out.push(*selector);
                    out.extend_from_slice(time);
                    put_ms(out, ms);
                }
                Rsd::Range { selector, start, end, ti, ms } => {
                    out.push(*selector);
                    out.extend_from_slice(start);
                    out.extend_from_slice(end);
                    out.extend_from_slice(ti);
                    put_ms(out, ms);
                }
                Rsd::S9(n) => out.extend_from_slice(&[9, *n]),
                Rsd::S10(n, ms) => {
                    out.extend_from_slice(&[10, *n]);
                    put_ms(out, ms);
                }
            },
            Data::Csd(c) => put_csd(out, c),
            Data::Ms(m) => put_ms(out, m),
            Data::Sid { ident, data } => {
                out.extend_from_slice(ident);
                put_octets(out, data);
            }
            Data::SidMac { ident, data, mac } => {
                out.extend_from_slice(ident);
                put_octets(out, data);
                put_octets(out, mac);
            }
            Data::Rcsd(v) => {
                put_axdr_length(out, v.len());
                v.iter().for_each(|c| put_csd(out, c));
            }
        }
    }

    /// The encoding as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(&mut v);
        v
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::data::dissect_data;
    use super::*;
    use crate::model::Severity;
    use crate::testkit::Rng;

    pub(in crate::protocols::dlt698) fn arr4(r: &mut Rng) -> [u8; 4] {
        [r.byte(), r.byte(), r.byte(), r.byte()]
    }

    fn bytes(r: &mut Rng, max: usize) -> Vec<u8> {
        (0..r.below(max)).map(|_| r.byte()).collect()
    }

    fn ms(r: &mut Rng, depth: usize) -> Ms {
        match r.below(8) {
            0 => Ms::None,
            1 => Ms::All,
            2 => Ms::Types(bytes(r, 4)),
            3 => Ms::Addresses((0..r.below(3)).map(|_| bytes(r, 8)).collect()),
            4 => Ms::Configs((0..r.below(3)).map(|_| r.next_u64() as u16).collect()),
            _ => {
                let k = 5 + r.below(3) as u8;
                Ms::Regions(
                    k,
                    (0..r.below(3))
                        .map(|_| (r.below(4) as u8, arbitrary(r, depth + 1), arbitrary(r, depth + 1)))
                        .collect(),
                )
            }
        }
    }

    pub(in crate::protocols::dlt698) fn csd(r: &mut Rng) -> Csd {
        if r.below(2) == 0 {
            Csd::Oad(arr4(r))
        } else {
            Csd::Road { oad: arr4(r), related: (0..r.below(4)).map(|_| arr4(r)).collect() }
        }
    }

    fn sel2(r: &mut Rng, depth: usize) -> Selector2 {
        Selector2 {
            oad: arr4(r),
            start: arbitrary(r, depth + 1),
            end: arbitrary(r, depth + 1),
            interval: arbitrary(r, depth + 1),
        }
    }

    /// A random Data value, nested at most a few levels.
    pub(in crate::protocols::dlt698) fn arbitrary(r: &mut Rng, depth: usize) -> Data {
        let leaf = depth >= 4;
        match r.below(if leaf { 8 } else { 16 }) {
            0 => Data::Null,
            1 => Data::Bool(r.below(2) == 1),
            2 => {
                let (t, n, signed) = INTS[r.below(INTS.len())];
                let raw = (r.next_u64() as u128 | ((r.next_u64() as u128) << 64)) & ((1u128 << (8 * n)) - 1);
                let value =
                    if signed && raw >> (8 * n - 1) != 0 { raw as i128 - (1i128 << (8 * n)) } else { raw as i128 };
                Data::Int { tag: t, value }
            }
            3 => {
                let (t, n) = FIXED[r.below(FIXED.len())];
                let mut bytes: Vec<u8> = (0..n).map(|_| r.byte()).collect();
                // Dates and times with their fields in range (the tolerant decoder flags others).
                let fields: &[(usize, u8, u8)] = match t {
                    tag::DATE_TIME => &[(2, 1, 12), (3, 1, 31), (4, 0, 6), (5, 0, 23), (6, 0, 59), (7, 0, 59)],
                    tag::DATE => &[(2, 1, 12), (3, 1, 31), (4, 0, 6)],
                    tag::TIME => &[(0, 0, 23), (1, 0, 59), (2, 0, 59)],
                    tag::DATE_TIME_S => &[(2, 1, 12), (3, 1, 31), (4, 0, 23), (5, 0, 59), (6, 0, 59)],
                    _ => &[],
                };
                for &(at, lo, hi) in fields {
                    bytes[at] = lo + r.below(usize::from(hi - lo) + 1) as u8;
                }
                if t == tag::DATE_TIME {
                    bytes[8..10].copy_from_slice(&(r.below(1000) as u16).to_be_bytes());
                }
                Data::Fixed { tag: t, bytes }
            }
            4 => Data::Bytes { tag: BYTES[r.below(BYTES.len())], bytes: bytes(r, 300) },
            5 => {
                let bits = r.below(40);
                let mut b: Vec<u8> = (0..bits.div_ceil(8)).map(|_| r.byte()).collect();
                if let Some(last) = b.last_mut() {
                    // bits past the end are zero so emit(parse(x)) is stable
                    if !bits.is_multiple_of(8) {
                        *last &= 0xFFu8 << (8 - bits % 8);
                    }
                }
                Data::BitString { bits, bytes: b }
            }
            6 => Data::Csd(csd(r)),
            7 => Data::Sid { ident: arr4(r), data: bytes(r, 6) },
            8 => Data::Array((0..r.below(4)).map(|_| arbitrary(r, depth + 1)).collect()),
            9 => Data::Structure((0..r.below(4)).map(|_| arbitrary(r, depth + 1)).collect()),
            10 => Data::Road { oad: arr4(r), related: (0..r.below(3)).map(|_| arr4(r)).collect() },
            11 => Data::Region {
                unit: r.below(4) as u8,
                start: Box::new(arbitrary(r, depth + 1)),
                end: Box::new(arbitrary(r, depth + 1)),
            },
            12 => Data::Rsd(match r.below(8) {
                0 => Rsd::None,
                1 => Rsd::S1 { oad: arr4(r), value: Box::new(arbitrary(r, depth + 1)) },
                2 => Rsd::S2(Box::new(sel2(r, depth))),
                3 => Rsd::S3((0..r.below(3)).map(|_| sel2(r, depth)).collect()),
                4 => Rsd::Time { selector: 4 + r.below(2) as u8, time: [7, 0xE0, 1, 2, 3, 4, 5], ms: ms(r, depth) },
                5 => Rsd::Range {
                    selector: 6 + r.below(3) as u8,
                    start: [7, 0xE0, 1, 2, 3, 4, 5],
                    end: [7, 0xE1, 1, 2, 3, 4, 5],
                    ti: [1, 0, 15],
                    ms: ms(r, depth),
                },
                6 => Rsd::S9(r.byte()),
                _ => Rsd::S10(r.byte(), ms(r, depth)),
            }),
            13 => Data::Ms(ms(r, depth)),
            14 => Data::SidMac { ident: arr4(r), data: bytes(r, 6), mac: bytes(r, 6) },
            _ => Data::Rcsd((0..r.below(4)).map(|_| csd(r)).collect()),
        }
    }

    /// Round trip: emit, parse back the same value and length; the tolerant
    /// decoder reads the same bytes without a diagnostic.
    #[test]
    fn round_trip_property() {
        let mut r = Rng::new(0x5EED_0698);
        for i in 0..3000 {
            let d = arbitrary(&mut r, 0);
            let b = d.to_bytes();
            let (back, used) = Data::parse(&b).unwrap_or_else(|e| panic!("case {i}: {e} for {d:?} = {b:02X?}"));
            assert_eq!(back, d, "case {i}");
            assert_eq!(used, b.len(), "case {i}");
            let frame = dissect_data(&b, 0);
            let errors: Vec<_> = frame.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "case {i}: {errors:?} for {b:02X?}");
            assert_eq!(frame.nodes[0].span.len(), b.len(), "case {i}");
            // Every strict prefix is truncated, never misread.
            let cut = r.below(b.len());
            assert!(Data::parse(&b[..cut]).is_err(), "case {i}: prefix {cut} of {b:02X?} accepted");
        }
    }

    #[test]
    fn parse_known_encodings() {
        let cases: &[&[u8]] = &[
            &[0x1C, 0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00],
            &[0x01, 0x03, 0x12, 0x09, 0x6D, 0x12, 0x09, 0x6E, 0x12, 0x09, 0x6F],
            &[0x5A, 0x05, 0x07, 0xE0, 0x0A, 0x1A, 0x00, 0x00, 0x00, 0x01],
            &[0x60, 0x02, 0x00, 0x40, 0x01, 0x02, 0x00, 0x01, 0x50, 0x04, 0x02, 0x00, 0x01, 0x00, 0x10, 0x02, 0x00],
            &[0x09, 0x81, 0x80],
        ];
        for b in cases {
            let mut v = b.to_vec();
            if v.len() == 3 {
                v.extend(std::iter::repeat_n(0xAA, 0x80));
            }
            let (d, used) = Data::parse(&v).unwrap();
            assert_eq!(used, v.len());
            assert_eq!(d.to_bytes(), v);
        }
        assert_eq!(Data::parse(&[0x12, 0x09, 0x6D]).unwrap().0, Data::Int { tag: tag::LONG_UNSIGNED, value: 2413 });
        // Faults carry their offset.
        assert_eq!(Data::parse(&[0x07]).unwrap_err().offset, 0);
        assert_eq!(Data::parse(&[0x03, 0x02]).unwrap_err().offset, 1);
        assert_eq!(Data::parse(&[0x09, 0x81, 0x05]).unwrap_err().offset, 1); // not the shortest length form
        assert!(matches!(Data::parse(&[0x01, 0x05, 0x00]).unwrap_err().kind, ErrorKind::BadLength { .. }));
    }
}
