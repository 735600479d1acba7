//! The strict codec: A-XDR `Data` as an owned value, parsed and emitted.

use super::*;

/// A-XDR Data as an owned value, for programs. Floats are kept as their bits
/// so that values compare exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    Null,
    Array(Vec<Data>),
    Structure(Vec<Data>),
    Boolean(bool),
    /// Length in bits and the bits, first bit in the high bit of the first byte.
    BitString(usize, Vec<u8>),
    DoubleLong(i32),
    DoubleLongUnsigned(u32),
    OctetString(Vec<u8>),
    VisibleString(Vec<u8>),
    Utf8String(Vec<u8>),
    Bcd(u8),
    Integer(i8),
    Long(i16),
    Unsigned(u8),
    LongUnsigned(u16),
    /// Element description and the elements (untagged on the wire).
    CompactArray(TypeDesc, Vec<Data>),
    Long64(i64),
    Long64Unsigned(u64),
    Enum(u8),
    Float32(u32),
    Float64(u64),
    DateTime([u8; 12]),
    Date([u8; 5]),
    Time([u8; 4]),
    DontCare,
}

impl TypeDesc {
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            TypeDesc::Simple(t) => out.push(*t),
            TypeDesc::Array(n, e) => {
                out.push(tag::ARRAY);
                out.extend_from_slice(&n.to_be_bytes());
                e.emit(out);
            }
            TypeDesc::Structure(l) => {
                out.push(tag::STRUCTURE);
                crate::wire::put_axdr_length(out, l.len());
                for d in l {
                    d.emit(out);
                }
            }
        }
    }
}

struct Strict<'a> {
    c: Cursor<'a>,
    /// Values still allowed (see [`MAX_ELEMENTS`]).
    budget: usize,
}

impl<'a> Strict<'a> {
    pub(super) fn len(&mut self) -> Result<usize, ParseError> {
        match self.c.axdr_length() {
            Ok(n) => Ok(n),
            Err(LengthError::Form { at }) => {
                let found = self.c.bytes()[at];
                Err(ParseError::new(at, ErrorKind::UnexpectedByte { found, expected: "an A-XDR length" }))
            }
            Err(e) => Err(e.into()),
        }
    }
    pub(super) fn bounded(&mut self, n: usize) -> Result<usize, ParseError> {
        // Every element takes at least one byte: a count beyond the bytes left cannot be right.
        if n > self.c.left() {
            return Err(ParseError::new(self.c.pos(), ErrorKind::BadLength { stated: n, actual: self.c.left() }));
        }
        Ok(n)
    }
    pub(super) fn desc(&mut self, depth: usize) -> Result<TypeDesc, ParseError> {
        let at = self.c.pos();
        if depth > MAX_DEPTH {
            return Err(ParseError::new(at, ErrorKind::BadValue { what: "nesting depth" }));
        }
        let t = self.c.u8()?;
        Ok(match t {
            tag::ARRAY => {
                let s = self.c.take(2)?;
                TypeDesc::Array(u16::from_be_bytes([s[0], s[1]]), Box::new(self.desc(depth + 1)?))
            }
            tag::STRUCTURE => {
                let n = self.len()?;
                let n = self.bounded(n)?;
                let mut l = Vec::with_capacity(n);
                for _ in 0..n {
                    l.push(self.desc(depth + 1)?);
                }
                TypeDesc::Structure(l)
            }
            _ if fixed_size(t).is_some()
                || matches!(t, tag::BIT_STRING | tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING) =>
            {
                TypeDesc::Simple(t)
            }
            _ => return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a data type" })),
        })
    }
    pub(super) fn data(&mut self, depth: usize) -> Result<Data, ParseError> {
        let at = self.c.pos();
        let t = self.c.u8()?;
        self.body(t, at, depth)
    }
    pub(super) fn spend(&mut self) -> Result<(), ParseError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or(ParseError::new(self.c.pos(), ErrorKind::BadValue { what: "element count" }))?;
        Ok(())
    }
    pub(super) fn untagged(&mut self, d: &TypeDesc, depth: usize) -> Result<Data, ParseError> {
        self.spend()?;
        if depth > MAX_DEPTH {
            return Err(ParseError::new(self.c.pos(), ErrorKind::BadValue { what: "nesting depth" }));
        }
        match d {
            TypeDesc::Simple(t) => self.body(*t, self.c.pos(), depth),
            TypeDesc::Array(n, e) => {
                let mut v = Vec::new();
                for _ in 0..*n {
                    v.push(self.untagged(e, depth + 1)?);
                }
                Ok(Data::Array(v))
            }
            TypeDesc::Structure(l) => {
                let mut v = Vec::new();
                for e in l {
                    v.push(self.untagged(e, depth + 1)?);
                }
                Ok(Data::Structure(v))
            }
        }
    }
    pub(super) fn body(&mut self, t: u8, at: usize, depth: usize) -> Result<Data, ParseError> {
        self.spend()?;
        if depth > MAX_DEPTH {
            return Err(ParseError::new(at, ErrorKind::BadValue { what: "nesting depth" }));
        }
        macro_rules! arr {
            ($n:expr) => {{
                let mut a = [0u8; $n];
                a.copy_from_slice(self.c.take($n)?);
                a
            }};
        }
        Ok(match t {
            tag::NULL => Data::Null,
            tag::DONT_CARE => Data::DontCare,
            tag::ARRAY | tag::STRUCTURE => {
                let n = self.len()?;
                let n = self.bounded(n)?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(self.data(depth + 1)?);
                }
                if t == tag::ARRAY { Data::Array(v) } else { Data::Structure(v) }
            }
            tag::BOOLEAN => Data::Boolean(self.c.u8()? != 0),
            tag::BIT_STRING => {
                let bits = self.len()?;
                Data::BitString(bits, self.c.take(bits.div_ceil(8))?.to_vec())
            }
            tag::DOUBLE_LONG => Data::DoubleLong(i32::from_be_bytes(arr!(4))),
            tag::DOUBLE_LONG_UNSIGNED => Data::DoubleLongUnsigned(u32::from_be_bytes(arr!(4))),
            tag::OCTET_STRING | tag::VISIBLE_STRING | tag::UTF8_STRING => {
                let n = self.len()?;
                let v = self.c.take(n)?.to_vec();
                match t {
                    tag::OCTET_STRING => Data::OctetString(v),
                    tag::VISIBLE_STRING => Data::VisibleString(v),
                    _ => Data::Utf8String(v),
                }
            }
            tag::BCD => Data::Bcd(self.c.u8()?),
            tag::INTEGER => Data::Integer(self.c.u8()? as i8),
            tag::LONG => Data::Long(i16::from_be_bytes(arr!(2))),
            tag::UNSIGNED => Data::Unsigned(self.c.u8()?),
            tag::LONG_UNSIGNED => Data::LongUnsigned(u16::from_be_bytes(arr!(2))),
            tag::COMPACT_ARRAY => {
                let d = self.desc(depth + 1)?;
                let n = self.len()?;
                let contents = self.c.take(n)?;
                let mut sub = Strict { c: Cursor::new(contents, 0), budget: self.budget };
                let mut items = Vec::new();
                while sub.c.pos() < contents.len() {
                    let before = sub.c.pos();
                    items.push(
                        sub.untagged(&d, depth + 1)
                            .map_err(|e| ParseError::new(e.offset + self.c.pos() - n, e.kind))?,
                    );
                    if sub.c.pos() == before {
                        return Err(ParseError::new(
                            self.c.pos() - n,
                            ErrorKind::BadValue { what: "zero-size compact-array element" },
                        ));
                    }
                }
                self.budget = sub.budget;
                Data::CompactArray(d, items)
            }
            tag::LONG64 => Data::Long64(i64::from_be_bytes(arr!(8))),
            tag::LONG64_UNSIGNED => Data::Long64Unsigned(u64::from_be_bytes(arr!(8))),
            tag::ENUM => Data::Enum(self.c.u8()?),
            tag::FLOAT32 => Data::Float32(u32::from_be_bytes(arr!(4))),
            tag::FLOAT64 => Data::Float64(u64::from_be_bytes(arr!(8))),
            tag::DATE_TIME => Data::DateTime(arr!(12)),
            tag::DATE => Data::Date(arr!(5)),
            tag::TIME => Data::Time(arr!(4)),
            _ => return Err(ParseError::new(at, ErrorKind::UnexpectedByte { found: t, expected: "a data type" })),
        })
    }
}

impl Data {
    /// Parse exactly one value filling `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Data, ParseError> {
        let (d, used) = Data::decode(bytes)?;
        if used != bytes.len() {
            return Err(ParseError::new(used, ErrorKind::TrailingBytes { count: bytes.len() - used }));
        }
        Ok(d)
    }

    /// Parse one value at the start of `bytes`; returns it and the bytes used.
    pub fn decode(bytes: &[u8]) -> Result<(Data, usize), ParseError> {
        let mut s = Strict { c: Cursor::new(bytes, 0), budget: MAX_ELEMENTS };
        let d = s.data(0)?;
        Ok((d, s.c.pos()))
    }

    /// The type tag.
    pub fn tag(&self) -> u8 {
        match self {
            Data::Null => tag::NULL,
            Data::Array(_) => tag::ARRAY,
            Data::Structure(_) => tag::STRUCTURE,
            Data::Boolean(_) => tag::BOOLEAN,
            Data::BitString(..) => tag::BIT_STRING,
            Data::DoubleLong(_) => tag::DOUBLE_LONG,
            Data::DoubleLongUnsigned(_) => tag::DOUBLE_LONG_UNSIGNED,
            Data::OctetString(_) => tag::OCTET_STRING,
            Data::VisibleString(_) => tag::VISIBLE_STRING,
            Data::Utf8String(_) => tag::UTF8_STRING,
            Data::Bcd(_) => tag::BCD,
            Data::Integer(_) => tag::INTEGER,
            Data::Long(_) => tag::LONG,
            Data::Unsigned(_) => tag::UNSIGNED,
            Data::LongUnsigned(_) => tag::LONG_UNSIGNED,
            Data::CompactArray(..) => tag::COMPACT_ARRAY,
            Data::Long64(_) => tag::LONG64,
            Data::Long64Unsigned(_) => tag::LONG64_UNSIGNED,
            Data::Enum(_) => tag::ENUM,
            Data::Float32(_) => tag::FLOAT32,
            Data::Float64(_) => tag::FLOAT64,
            Data::DateTime(_) => tag::DATE_TIME,
            Data::Date(_) => tag::DATE,
            Data::Time(_) => tag::TIME,
            Data::DontCare => tag::DONT_CARE,
        }
    }

    /// Encode with its tag.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.tag());
        self.emit_body(out);
    }

    /// Encode without the tag (the content of a compact-array element).
    pub fn emit_body(&self, out: &mut Vec<u8>) {
        match self {
            Data::Null | Data::DontCare => {}
            Data::Array(v) | Data::Structure(v) => {
                crate::wire::put_axdr_length(out, v.len());
                for d in v {
                    d.emit(out);
                }
            }
            Data::Boolean(b) => out.push(u8::from(*b)),
            Data::BitString(bits, b) => {
                crate::wire::put_axdr_length(out, *bits);
                out.extend_from_slice(b);
            }
            Data::DoubleLong(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::DoubleLongUnsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::OctetString(b) | Data::VisibleString(b) | Data::Utf8String(b) => {
                crate::wire::put_axdr_length(out, b.len());
                out.extend_from_slice(b);
            }
            Data::Bcd(v) | Data::Unsigned(v) | Data::Enum(v) => out.push(*v),
            Data::Integer(v) => out.push(*v as u8),
            Data::Long(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::LongUnsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::CompactArray(d, items) => {
                d.emit(out);
                let mut contents = Vec::new();
                for item in items {
                    item.emit_untagged(&mut contents);
                }
                crate::wire::put_axdr_length(out, contents.len());
                out.extend_from_slice(&contents);
            }
            Data::Long64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Long64Unsigned(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Float32(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::Float64(v) => out.extend_from_slice(&v.to_be_bytes()),
            Data::DateTime(b) => out.extend_from_slice(b),
            Data::Date(b) => out.extend_from_slice(b),
            Data::Time(b) => out.extend_from_slice(b),
        }
    }

    /// Compact-array element form: arrays and structures without tags or counts.
    pub(super) fn emit_untagged(&self, out: &mut Vec<u8>) {
        match self {
            Data::Array(v) | Data::Structure(v) => {
                for d in v {
                    d.emit_untagged(out);
                }
            }
            other => other.emit_body(out),
        }
    }
}
