//! The typed error of strict parsing: an offset and a kind.

use core::fmt;

/// What went wrong. One variant per kind of fault; the offset lives in [`ParseError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input ended; at least `needed` more bytes were expected.
    Truncated { needed: usize },
    /// A byte has a value the grammar does not allow here.
    UnexpectedByte { found: u8, expected: &'static str },
    /// A length field disagrees with the bytes present.
    BadLength { stated: usize, actual: usize },
    /// A checksum or CRC does not match.
    ChecksumMismatch { stated: u32, computed: u32 },
    /// A field holds a value outside its domain (non-BCD nibble, impossible date…).
    BadValue { what: &'static str },
    /// Bytes remain after a complete message.
    TrailingBytes { count: usize },
    /// No protocol recognised the bytes.
    Unrecognised,
}

/// A strict parse failure, pinned to the byte where it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub kind: ErrorKind,
}

impl ParseError {
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        ParseError { offset, kind }
    }
}

impl From<crate::wire::Short> for ParseError {
    fn from(s: crate::wire::Short) -> Self {
        ParseError::new(s.at, ErrorKind::Truncated { needed: s.needed })
    }
}

impl From<crate::wire::LengthError> for ParseError {
    fn from(e: crate::wire::LengthError) -> Self {
        use crate::wire::LengthError;
        match e {
            LengthError::Short(s) => s.into(),
            LengthError::Form { at } => ParseError::new(at, ErrorKind::BadValue { what: "A-XDR length" }),
            LengthError::NotShortest { at } => {
                ParseError::new(at, ErrorKind::BadValue { what: "A-XDR length (not in shortest form)" })
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: ", self.offset)?;
        match &self.kind {
            ErrorKind::Truncated { needed } => {
                write!(f, "input ends, {needed} more byte(s) expected")
            }
            ErrorKind::UnexpectedByte { found, expected } => {
                write!(f, "unexpected byte 0x{found:02X}, expected {expected}")
            }
            ErrorKind::BadLength { stated, actual } => {
                write!(f, "length field says {stated}, {actual} present")
            }
            ErrorKind::ChecksumMismatch { stated, computed } => {
                write!(f, "checksum 0x{stated:X} is incorrect, should be 0x{computed:X}")
            }
            ErrorKind::BadValue { what } => write!(f, "invalid {what}"),
            ErrorKind::TrailingBytes { count } => {
                write!(f, "{count} byte(s) after the end of the message")
            }
            ErrorKind::Unrecognised => write!(f, "no protocol recognises these bytes"),
        }
    }
}

impl std::error::Error for ParseError {}
