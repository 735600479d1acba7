//! The wire kit shared by every family: one byte cursor, the A-XDR length
//! codec (DLMS/COSEM and DL/T 698.45 both use it), the CRCs the standards
//! name (from the `crc` crate's catalogue) and hex text of bytes.

use crc::{CRC_16_ARC, CRC_16_EN_13757, CRC_16_IBM_SDLC, Crc, Table};

// Native builds read sixteen bytes a step (16 tables, 8 KiB each); the
// WebAssembly builds keep one 512-byte table, as every byte of the module
// is downloaded, except the log worker's (feature `speed`), built for
// speed, for the two CRCs checked while framing (at every candidate start of
// a DL/T 698.45, HDLC or wireless M-Bus frame); DSMR's, once per telegram,
// keeps its small table there.
#[cfg(any(not(target_arch = "wasm32"), feature = "speed"))]
type Tables = Table<16>;
#[cfg(all(target_arch = "wasm32", not(feature = "speed")))]
type Tables = Table<1>;
#[cfg(not(target_arch = "wasm32"))]
type ArcTables = Table<16>;
#[cfg(target_arch = "wasm32")]
type ArcTables = Table<1>;

static X25: Crc<u16, Tables> = Crc::<u16, Tables>::new(&CRC_16_IBM_SDLC);
static ARC: Crc<u16, ArcTables> = Crc::<u16, ArcTables>::new(&CRC_16_ARC);
static EN_13757: Crc<u16, Tables> = Crc::<u16, Tables>::new(&CRC_16_EN_13757);

/// CRC-16/X-25 (also IBM-SDLC: reflected polynomial 0x1021, initial and
/// final XOR 0xFFFF): the HCS and FCS of DL/T 698.45 (clause 5.3) and of
/// DLMS/COSEM HDLC frames (IEC 62056-46).
pub fn crc16_x25(bytes: &[u8]) -> u16 {
    X25.checksum(bytes)
}

/// CRC-16/ARC (polynomial 0x8005 reflected, initial 0, no final XOR): the
/// CRC of DSMR P1 telegrams from DSMR 4.0 on.
pub fn crc16_arc(bytes: &[u8]) -> u16 {
    ARC.checksum(bytes)
}

/// CRC-16/EN-13757 (polynomial 0x3D65, initial 0, final XOR 0xFFFF, not
/// reflected): the block CRCs of the wireless M-Bus link layer (EN 13757-4,
/// frame formats A and B, sent high byte first) and the payload CRC of its
/// extended link layer.
pub fn crc16_en13757(bytes: &[u8]) -> u16 {
    EN_13757.checksum(bytes)
}

/// One integrity value over a range of bytes, as a family writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sum {
    /// What it is (`CRC-16/X-25`).
    pub name: &'static str,
    /// Who uses it.
    pub used_by: (&'static str, &'static str),
    pub value: u32,
    /// Bytes of the value on the wire, and whether least significant first.
    pub width: u8,
    pub lsb_first: bool,
}

impl Sum {
    /// The value as it appears on the wire (`6E 90` for X-25, `AE` for a sum).
    pub fn wire_hex(&self) -> String {
        let be = self.value.to_be_bytes();
        let mut b = be[4 - usize::from(self.width)..].to_vec();
        if self.lsb_first {
            b.reverse();
        }
        hex_spaced(&b)
    }
}

/// Every checksum and CRC the families use, over `bytes` (the "checksum of
/// a selection" tool): the arithmetic sum modulo 256 of DL/T 645, Q/GDW 1376
/// and M-Bus, the XOR of IEC 62056-21's BCC, CRC-16/X-25 of DL/T 698.45 and
/// HDLC, CRC-16/ARC of DSMR.
pub fn sums(bytes: &[u8]) -> [Sum; 4] {
    let sum = bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    let xor = bytes.iter().fold(0u8, |a, &b| a ^ b);
    [
        Sum {
            name: "sum mod 256",
            used_by: ("DL/T 645 CS, Q/GDW 1376 CS, M-Bus", "DL/T 645 CS、Q/GDW 1376 CS、M-Bus"),
            value: sum.into(),
            width: 1,
            lsb_first: false,
        },
        Sum {
            name: "XOR (BCC)",
            used_by: ("IEC 62056-21 BCC", "IEC 62056-21 BCC"),
            value: xor.into(),
            width: 1,
            lsb_first: false,
        },
        Sum {
            name: "CRC-16/X-25",
            used_by: ("DL/T 698.45 HCS/FCS, DLMS HDLC HCS/FCS", "DL/T 698.45 HCS/FCS、DLMS HDLC HCS/FCS"),
            value: crc16_x25(bytes).into(),
            width: 2,
            lsb_first: true,
        },
        Sum {
            name: "CRC-16/ARC",
            used_by: ("DSMR P1 CRC (written as 4 hex digits)", "DSMR P1 CRC(以 4 位十六进制书写)"),
            value: crc16_arc(bytes).into(),
            width: 2,
            lsb_first: false,
        },
    ]
}

/// Bytes as compact upper-case hex (`40000200`).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    let _ = crate::model::write_hex(&mut s, bytes, false, false);
    s
}

/// Bytes as spaced upper-case hex (`68 1F 00`).
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    let _ = crate::model::write_hex(&mut s, bytes, true, false);
    s
}

/// Hex digits, most significant byte (the last on the wire) first.
pub fn hex_msb_first(wire: &[u8]) -> String {
    let mut s = String::with_capacity(wire.len() * 2);
    let _ = crate::model::write_hex(&mut s, wire, false, true);
    s
}

/// The bytes ran out: `needed` more were wanted at absolute offset `at`
/// (the end of the cursor's bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Short {
    pub at: usize,
    pub needed: usize,
}

/// Why an A-XDR length could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthError {
    /// The bytes end inside the length.
    Short(Short),
    /// `0x80` or `0x85`..`0xFF`: no length of that form (offset of its first byte).
    Form { at: usize },
    /// A long form where a shorter one was due (for strict parsers).
    NotShortest { at: usize },
}

impl From<Short> for LengthError {
    fn from(s: Short) -> Self {
        LengthError::Short(s)
    }
}

/// A reader over bytes whose offsets are reported absolute: `base` is the
/// offset of `bytes[0]` in the input. Reads past the end take nothing and
/// say how many bytes were missing.
#[derive(Clone, Copy, Debug)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Cursor { bytes, pos: 0, base }
    }
    /// All the bytes, read or not.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Position within the bytes.
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// Absolute offset of `bytes[0]`.
    pub fn base(&self) -> usize {
        self.base
    }
    /// Absolute offset of the next byte.
    pub fn at(&self) -> usize {
        self.base + self.pos
    }
    pub fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.pos == self.bytes.len()
    }
    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    /// The bytes not read yet, without reading them.
    pub fn remaining(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }
    /// A cursor over the first `len` bytes only, at the same position.
    pub fn until(&self, len: usize) -> Cursor<'a> {
        let len = len.min(self.bytes.len());
        Cursor { bytes: &self.bytes[..len], pos: self.pos.min(len), base: self.base }
    }
    /// Back (or forward) to a position got from [`Cursor::pos`].
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.bytes.len());
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Short> {
        let left = self.left();
        if n > left {
            return Err(Short { at: self.base + self.bytes.len(), needed: n - left });
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> Result<u8, Short> {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(Short { at: self.base + self.bytes.len(), needed: 1 }),
        }
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Short> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub fn u16_be(&mut self) -> Result<u16, Short> {
        self.array().map(u16::from_be_bytes)
    }
    pub fn u32_be(&mut self) -> Result<u32, Short> {
        self.array().map(u32::from_be_bytes)
    }
    /// `n` bytes and the absolute offset of the first, or `None` (taking
    /// nothing) when fewer remain.
    pub fn take_at(&mut self, n: usize) -> Option<(&'a [u8], usize)> {
        let at = self.at();
        self.take(n).ok().map(|b| (b, at))
    }
    /// The rest of the bytes, read, and the absolute offset of the first.
    pub fn rest_at(&mut self) -> (&'a [u8], usize) {
        let at = self.at();
        (self.rest(), at)
    }
    /// The rest of the bytes, read.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.bytes[self.pos..];
        self.pos = self.bytes.len();
        s
    }
    /// An A-XDR length (IEC 61334-6 / DL/T 698.45 clause 7.3): one byte below
    /// 0x80, or 0x80 | n followed by n (1 to 4) big-endian bytes. On error
    /// the cursor is left where it was.
    pub fn axdr_length(&mut self) -> Result<usize, LengthError> {
        self.length(false)
    }
    /// The same, refusing a form longer than the shortest one.
    pub fn axdr_length_shortest(&mut self) -> Result<usize, LengthError> {
        self.length(true)
    }
    /// A count of items that each take at least one byte, as strict parsers
    /// read it: the shortest A-XDR length, no more than the bytes left.
    pub fn axdr_count(&mut self) -> Result<usize, crate::error::ParseError> {
        let at = self.pos();
        let n = self.axdr_length_shortest()?;
        if n > self.left() {
            let kind = crate::error::ErrorKind::BadLength { stated: n, actual: self.left() };
            return Err(crate::error::ParseError::new(at, kind));
        }
        Ok(n)
    }
    fn length(&mut self, shortest: bool) -> Result<usize, LengthError> {
        let save = self.pos;
        let at = self.at();
        let first = self.u8()?;
        if first < 0x80 {
            return Ok(usize::from(first));
        }
        let n = usize::from(first & 0x7F);
        if !(1..=4).contains(&n) {
            self.pos = save;
            return Err(LengthError::Form { at });
        }
        let b = match self.take(n) {
            Ok(b) => b,
            Err(e) => {
                self.pos = save;
                return Err(e.into());
            }
        };
        let v = b.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x));
        if shortest && axdr_length_size(v) != n + 1 {
            self.pos = save;
            return Err(LengthError::NotShortest { at });
        }
        Ok(v)
    }
}

/// Bytes of the shortest A-XDR form of length `n`.
pub fn axdr_length_size(n: usize) -> usize {
    match n {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        0x1_0000..=0xFF_FFFF => 4,
        _ => 5,
    }
}

/// Appends the shortest A-XDR form of length `n` (at most `u32::MAX`).
pub fn put_axdr_length(out: &mut Vec<u8>, n: usize) {
    let size = axdr_length_size(n);
    if size == 1 {
        out.push(n as u8);
    } else {
        out.push(0x80 | (size - 1) as u8);
        for i in (0..size - 1).rev() {
            out.push((n >> (8 * i)) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_reads_and_reports_what_is_missing() {
        let mut c = Cursor::new(&[1, 2, 3, 4, 5], 10);
        assert_eq!(c.u8(), Ok(1));
        assert_eq!(c.at(), 11);
        assert_eq!(c.u16_be(), Ok(0x0203));
        assert_eq!(c.u32_be(), Err(Short { at: 15, needed: 2 }));
        assert_eq!(c.pos(), 3, "a short read takes nothing");
        assert_eq!(c.rest(), &[4, 5]);
        assert!(c.is_empty());
        assert_eq!(c.u8(), Err(Short { at: 15, needed: 1 }));
    }

    #[test]
    fn axdr_lengths_round_trip_and_bad_forms_are_refused() {
        for n in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0xFF_FFFF, 0x100_0000, u32::MAX as usize] {
            let mut out = Vec::new();
            put_axdr_length(&mut out, n);
            assert_eq!(out.len(), axdr_length_size(n));
            let mut c = Cursor::new(&out, 0);
            assert_eq!(c.axdr_length_shortest(), Ok(n), "{n:#x}");
            assert!(c.is_empty());
        }
        let mut c = Cursor::new(&[0x81, 0x05], 7);
        assert_eq!(c.axdr_length(), Ok(5));
        let mut c = Cursor::new(&[0x81, 0x05], 7);
        assert_eq!(c.axdr_length_shortest(), Err(LengthError::NotShortest { at: 7 }));
        assert_eq!(c.pos(), 0);
        let mut c = Cursor::new(&[0x85, 1, 2, 3, 4, 5], 0);
        assert_eq!(c.axdr_length(), Err(LengthError::Form { at: 0 }));
        let mut c = Cursor::new(&[0x80], 0);
        assert_eq!(c.axdr_length(), Err(LengthError::Form { at: 0 }));
        let mut c = Cursor::new(&[0x82, 1], 3);
        assert_eq!(c.axdr_length(), Err(LengthError::Short(Short { at: 5, needed: 1 })));
        assert_eq!(c.pos(), 0);
    }

    #[test]
    fn sums_of_a_selection() {
        // A DL/T 645 read request: CS 68 over 68..33, its frame's own check.
        let b = [0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33];
        let s = sums(&b);
        assert_eq!((s[0].value, s[0].wire_hex()), (0x68, "68".to_string()));
        assert_eq!(s[1].value, u32::from(b.iter().fold(0u8, |a, b| a ^ b)));
        let x = sums(b"123456789");
        assert_eq!((x[2].value, x[2].wire_hex()), (0x906E, "6E 90".to_string()));
        assert_eq!((x[3].value, x[3].wire_hex()), (0xBB3D, "BB 3D".to_string()));
    }

    #[test]
    fn check_values_of_the_catalogue() {
        assert_eq!(crc16_x25(b"123456789"), 0x906E);
        assert_eq!(crc16_arc(b"123456789"), 0xBB3D);
        assert_eq!(crc16_en13757(b"123456789"), 0xC2B7);
        assert_eq!(hex(&[0x40, 0x00, 0x02, 0x00]), "40000200");
        assert_eq!(hex_spaced(&[0x68, 0x1F]), "68 1F");
        assert_eq!(hex_msb_first(&[0x34, 0x12]), "1234");
    }
}
