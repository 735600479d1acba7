//! The TL field of SML 1.04, read once for the dissector and the strict
//! codec.
//!
//! First byte: bit 7 "another TL byte follows", bits 6–4 the type (000
//! octet string, 100 boolean, 101 integer, 110 unsigned, 111 list), bits
//! 3–0 the length; each further TL byte (type bits 000) adds four bits of
//! length. The length counts the TL bytes too, except for lists, where it
//! is the number of elements. `00` ends an SML message; `01` is an empty
//! octet string, an optional value that is not set.

/// The type of an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    OctetString,
    Boolean,
    Integer,
    Unsigned,
    List,
    /// `00`: endOfSmlMsg.
    EndOfMessage,
}

/// An element's TL field at offset `at`, `tl` bytes long; `len` data bytes
/// after it (for a list: the number of elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tl {
    pub ty: Type,
    pub at: usize,
    pub tl: usize,
    pub len: usize,
}

impl Tl {
    /// Where the data starts.
    pub fn data(&self) -> usize {
        self.at + self.tl
    }
    /// Where the element ends (a list: where its first element starts).
    pub fn end(&self) -> usize {
        match self.ty {
            Type::List => self.data(),
            _ => self.data() + self.len,
        }
    }
}

/// Why a TL field cannot be read; offsets as given to [`read`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlError {
    /// The bytes end before the TL field does.
    Short { at: usize },
    /// Type bits 001, 010 or 011.
    Type { at: usize, byte: u8 },
    /// A further TL byte with type bits set, or more TL bytes than any length needs.
    Continuation { at: usize, byte: u8 },
    /// The length is less than the TL field itself.
    Length { at: usize, len: usize, tl: usize },
    /// The data runs past the end of the bytes by `missing`.
    Overrun { at: usize, len: usize, missing: usize },
    /// A boolean of other than one byte, a number of 0 or more than 8.
    Width { at: usize, byte: u8, len: usize },
}

/// Read the TL field at `q` and check that its data lies within `b`.
pub fn read(b: &[u8], q: usize) -> Result<Tl, TlError> {
    let Some(&b0) = b.get(q) else { return Err(TlError::Short { at: q }) };
    if b0 == 0 {
        return Ok(Tl { ty: Type::EndOfMessage, at: q, tl: 1, len: 0 });
    }
    let ty = match (b0 >> 4) & 7 {
        0 => Type::OctetString,
        4 => Type::Boolean,
        5 => Type::Integer,
        6 => Type::Unsigned,
        7 => Type::List,
        _ => return Err(TlError::Type { at: q, byte: b0 }),
    };
    let mut len = usize::from(b0 & 0x0F);
    let mut tl = 1;
    let mut more = b0 & 0x80 != 0;
    while more {
        let Some(&x) = b.get(q + tl) else { return Err(TlError::Short { at: q + tl }) };
        if x & 0x70 != 0 || tl >= 7 {
            return Err(TlError::Continuation { at: q + tl, byte: x });
        }
        len = len << 4 | usize::from(x & 0x0F);
        more = x & 0x80 != 0;
        tl += 1;
    }
    if ty == Type::List {
        return Ok(Tl { ty, at: q, tl, len });
    }
    if len < tl {
        return Err(TlError::Length { at: q, len, tl });
    }
    let len = len - tl;
    if q + tl + len > b.len() {
        return Err(TlError::Overrun { at: q, len, missing: q + tl + len - b.len() });
    }
    let bad = match ty {
        Type::Boolean => len != 1,
        Type::Integer | Type::Unsigned => !(1..=8).contains(&len),
        _ => false,
    };
    if bad {
        return Err(TlError::Width { at: q, byte: b0, len });
    }
    Ok(Tl { ty, at: q, tl, len })
}

/// Write the shortest TL field of a type and a length (data bytes, or
/// elements of a list).
pub fn write(out: &mut Vec<u8>, ty: Type, len: usize) {
    let bits: u8 = match ty {
        Type::EndOfMessage => {
            out.push(0);
            return;
        }
        Type::OctetString => 0,
        Type::Boolean => 4,
        Type::Integer => 5,
        Type::Unsigned => 6,
        Type::List => 7,
    };
    // How many TL bytes: the smallest n whose 4n bits hold the length.
    let mut n = 1;
    loop {
        let total = if ty == Type::List { len } else { len + n };
        if n >= 8 || total < 1 << (4 * n) {
            let mut nibbles = Vec::with_capacity(n);
            for k in (0..n).rev() {
                nibbles.push(((total >> (4 * k)) & 0x0F) as u8);
            }
            for (k, nib) in nibbles.iter().enumerate() {
                let more = if k + 1 < n { 0x80 } else { 0 };
                let ty_bits = if k == 0 { bits << 4 } else { 0 };
                out.push(more | ty_bits | nib);
            }
            return;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_tl_fields() {
        assert_eq!(read(&[0x62, 0x05], 0), Ok(Tl { ty: Type::Unsigned, at: 0, tl: 1, len: 1 }));
        assert_eq!(read(&[0x01], 0), Ok(Tl { ty: Type::OctetString, at: 0, tl: 1, len: 0 }));
        assert_eq!(read(&[0x76], 0), Ok(Tl { ty: Type::List, at: 0, tl: 1, len: 6 }));
        let mut long = vec![0x83, 0x02];
        long.extend_from_slice(&[0xAA; 48]);
        assert_eq!(read(&long, 0), Ok(Tl { ty: Type::OctetString, at: 0, tl: 2, len: 48 }));
        assert_eq!(read(&[0x21], 0), Err(TlError::Type { at: 0, byte: 0x21 }));
        assert_eq!(read(&[0x85, 0x30], 0), Err(TlError::Continuation { at: 1, byte: 0x30 }));
        assert_eq!(read(&[0x63, 0x01], 0), Err(TlError::Overrun { at: 0, len: 2, missing: 1 }));
        assert_eq!(read(&[0x41, 0x01], 0), Err(TlError::Width { at: 0, byte: 0x41, len: 0 }));
        assert_eq!(read(&[0x85], 0), Err(TlError::Short { at: 1 }));
        for (ty, len) in [
            (Type::OctetString, 0),
            (Type::OctetString, 14),
            (Type::OctetString, 15),
            (Type::OctetString, 48),
            (Type::OctetString, 300),
            (Type::List, 6),
            (Type::List, 20),
            (Type::Unsigned, 4),
        ] {
            let mut out = Vec::new();
            write(&mut out, ty, len);
            let tl = out.len();
            out.extend(core::iter::repeat_n(0, if ty == Type::List { 0 } else { len }));
            assert_eq!(read(&out, 0), Ok(Tl { ty, at: 0, tl, len }), "{ty:?} {len}");
        }
        let mut out = Vec::new();
        write(&mut out, Type::OctetString, 48);
        assert_eq!(out, [0x83, 0x02]);
    }
}
