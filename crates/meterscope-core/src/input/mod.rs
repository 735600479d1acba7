//! Tolerant input: turn whatever a user pasted into bytes.
//!
//! Accepted shapes: hex with any separators (spaces, `0x`, `\x`, commas, colons,
//! semicolons, dashes, line breaks), hexdump lines with offsets and ASCII
//! gutters (`hexdump -C`, `xxd`, `od -A x -t x1z`, Wireshark "copy as hex
//! dump"; the closing offset line and `*` for repeated lines included), C and
//! JSON arrays, Python bytes literals (`b'h\x1f\x00C'`), base64, and plain text for the text protocols (IEC 62056-21, DSMR P1),
//! where `<STX>`-style mnemonics stand for control characters.
//!
//! A token that is not hex is reported with its line, column and character.
//!
//! Here the entry point and the input's types and errors; hex, hexdumps and
//! Python bytes literals in `hex`, text telegrams in `text`, base64 in
//! `base64_decode`.

use core::fmt;

mod base64_decode;
mod hex;
#[cfg(test)]
mod tests;
mod text;

use base64_decode::{base64_candidate, decode_base64};
pub use hex::to_hex;
use hex::{parse_hex, python_bytes};
pub use text::to_text;
use text::{looks_like_text, text_bytes};

/// How the input was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum InputKind {
    Hex,
    Hexdump,
    Base64,
    Text,
    /// A serial-port assistant's log: time stamps and directions before the
    /// bytes of each write and read ([`crate::seriallog`]).
    #[cfg_attr(feature = "serde", serde(rename = "serial-log"))]
    SerialLog,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Hex => "hex",
            InputKind::Hexdump => "hexdump",
            InputKind::Base64 => "base64",
            InputKind::Text => "text",
            InputKind::SerialLog => "serial log",
        }
    }
}

/// The bytes of an input and how they were read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub bytes: Vec<u8>,
    pub kind: InputKind,
    /// Byte offsets where a new non-empty input line began (hex input only,
    /// not hexdumps): a hint for splitting bytes no protocol recognises.
    pub line_starts: Vec<usize>,
}

/// A bad token, pinned to its place in the source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Byte offset of the character in the source string.
    pub offset: usize,
    /// Length in bytes of the offending token in the source string.
    pub len: usize,
    /// The offending character.
    pub found: char,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for InputError {}

/// Characters that separate hex tokens.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, ',' | ':' | ';' | '-' | '[' | ']' | '{' | '}' | '(' | ')' | '"' | '\'' | '|' | '<' | '>')
}

/// Read an input. Empty input gives no bytes.
pub fn parse_input(src: &str) -> Result<Input, InputError> {
    let trimmed = src.trim();
    if trimmed.is_empty() {
        return Ok(Input { bytes: Vec::new(), kind: InputKind::Hex, line_starts: Vec::new() });
    }
    if let Some(rest) = strip_prefix_ci(trimmed, "base64:") {
        // Where `rest` starts in `src` (trailing white space is not in `rest`).
        let at = rest.as_ptr() as usize - src.as_ptr() as usize;
        return decode_base64(rest)
            .map(|bytes| Input { bytes, kind: InputKind::Base64, line_starts: vec![0] })
            .ok_or_else(|| error_at(src, at, rest.len(), "not valid base64".to_string()));
    }
    if let Some(rest) = strip_prefix_ci(trimmed, "text:") {
        let rest = with_line_end(src, rest);
        return Ok(Input { bytes: text_bytes(rest), kind: InputKind::Text, line_starts: vec![0] });
    }
    if let Some(result) = python_bytes(src) {
        return result;
    }
    if let Some(result) = crate::seriallog::read(src) {
        return result.map(|log| log.input);
    }
    if looks_like_text(trimmed) {
        let text = with_line_end(src, trimmed);
        return Ok(Input { bytes: text_bytes(text), kind: InputKind::Text, line_starts: vec![0] });
    }
    match parse_hex(src) {
        Ok(input) => Ok(input),
        Err(err) => {
            if base64_candidate(trimmed)
                && let Some(bytes) = decode_base64(trimmed)
            {
                return Ok(Input { bytes, kind: InputKind::Base64, line_starts: vec![0] });
            }
            Err(err)
        }
    }
}

/// `part` (a slice of `src` without its surrounding white space) with the
/// line end that followed it in `src`: a text message's last line ends in
/// CR LF (IEC 62056-21, DSMR), which belongs to the message.
fn with_line_end<'a>(src: &'a str, part: &'a str) -> &'a str {
    let start = part.as_ptr() as usize - src.as_ptr() as usize;
    let end = start + part.len();
    let after = &src[end..];
    let keep = if after.starts_with("\r\n") {
        2
    } else if after.starts_with(['\n', '\r']) {
        1
    } else {
        0
    };
    &src[start..end + keep]
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

/// An input error at byte `offset` of `src` (`len` bytes), with its line and column.
pub(crate) fn error_at(src: &str, offset: usize, len: usize, message: String) -> InputError {
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..offset].chars().count() + 1;
    let found = src[offset..].chars().next().unwrap_or(' ');
    InputError { line, column, offset, len, found, message }
}
