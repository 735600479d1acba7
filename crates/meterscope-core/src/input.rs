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

use core::fmt;

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

/// Text telegrams: IEC 62056-21 and DSMR messages start with `/`, carry control
/// characters, or consist of `id(value)` data lines.
fn looks_like_text(s: &str) -> bool {
    if s.starts_with('/') || s.starts_with('!') {
        return true;
    }
    if s.chars().any(|c| matches!(c, '\u{1}' | '\u{2}' | '\u{3}' | '\u{6}' | '\u{15}')) {
        return true;
    }
    if MNEMONICS.iter().any(|(m, _)| s.contains(m)) {
        return true;
    }
    // `1.8.0(001234.5*kWh)` data lines, but not C code such as `(uint8_t[]){…}`.
    !s.contains("0x") && !s.contains('{') && s.lines().any(|l| {
        let l = l.trim();
        matches!(l.find('('), Some(open) if open > 0 && l.ends_with(')') && l[..open].chars().any(|c| c == '.' || c == ':'))
    })
}

const MNEMONICS: &[(&str, u8)] = &[
    ("<SOH>", 0x01),
    ("<STX>", 0x02),
    ("<ETX>", 0x03),
    ("<EOT>", 0x04),
    ("<ACK>", 0x06),
    ("<NAK>", 0x15),
    ("<CR>", 0x0D),
    ("<LF>", 0x0A),
];

/// Bytes as text, as a telegram is written: printable ASCII as it is, the
/// control characters of [`MNEMONICS`] as `<STX>`-style mnemonics, any other
/// byte as `<xx>` in hex (for a trace's text view of text protocols).
pub fn to_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match MNEMONICS.iter().find(|(_, c)| *c == b) {
            Some((m, _)) => out.push_str(m),
            None if b == b' ' || b.is_ascii_graphic() => out.push(char::from(b)),
            None => out.push_str(&format!("<{b:02X}>")),
        }
    }
    out
}

/// Text to bytes, with `<STX>`-style mnemonics turned into their control characters.
fn text_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    'outer: while !rest.is_empty() {
        if rest.starts_with('<') {
            for (m, b) in MNEMONICS {
                if let Some(r) = strip_prefix_ci(rest, m) {
                    out.push(*b);
                    // A mnemonic `<CR>` followed by a real line break stands for that break alone.
                    rest = r;
                    if (*b == 0x0D || *b == 0x0A) && (rest.starts_with('\n') || rest.starts_with("\r\n")) {
                        rest = rest.trim_start_matches('\r');
                        rest = &rest[1..];
                    }
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn base64_candidate(s: &str) -> bool {
    let body: Vec<char> = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    if body.len() < 4 || body.iter().any(|c| *c == ' ' || *c == '\t') {
        return false;
    }
    if !body.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_')) {
        return false;
    }
    let symbols = body.iter().any(|c| matches!(c, '+' | '/' | '='));
    let hexish = body.iter().filter(|c| c.is_ascii_hexdigit()).count();
    symbols || hexish * 4 < body.len() * 3
}

/// Base64 as the `base64` crate's four general-purpose engines take it (written out: the
/// crate's generic engines cost the WebAssembly modules kilobytes), tried in turn:
/// standard and URL-safe alphabets, each with canonical padding or none; the bits
/// left over after the last byte must be zero.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    [(b'+', b'/', true), (b'+', b'/', false), (b'-', b'_', true), (b'-', b'_', false)]
        .into_iter()
        .find_map(|(c62, c63, pad)| decode_base64_with(compact.as_bytes(), c62, c63, pad))
}

/// One engine: the alphabet's last two symbols, and whether padding is required
/// (`=` up to a multiple of four) or forbidden.
fn decode_base64_with(text: &[u8], c62: u8, c63: u8, pad: bool) -> Option<Vec<u8>> {
    let body = if pad {
        if !text.len().is_multiple_of(4) {
            return None;
        }
        let pads = text.iter().rev().take_while(|&&b| b == b'=').count();
        if pads > 2 {
            return None;
        }
        &text[..text.len() - pads]
    } else {
        text
    };
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in body {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            _ if b == c62 => 62,
            _ if b == c63 => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Canonical: the leftover bits of the last symbol are zero.
    (acc == 0).then_some(out)
}

/// A token: its text and byte offset in the source.
#[derive(Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    at: usize,
}

fn tokens(line: &str, base: usize) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if is_separator(c) {
            if let Some(s) = start.take() {
                out.push(Token { text: &line[s..i], at: base + s });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Token { text: &line[s..], at: base + s });
    }
    out
}

/// A hexdump line: offset, then hex byte groups, then an optional ASCII gutter.
struct DumpLine<'a> {
    offset: usize,
    /// Hex groups after the offset (gutter not yet cut).
    groups: Vec<Token<'a>>,
    /// Source offset where the hex part ends (a `|` gutter or the line end).
    end: usize,
}

/// What a line of a dump can be besides a data line.
enum DumpMark {
    /// `00000021`: the offset alone, closing `hexdump -C` and `od` output.
    End(usize),
    /// `*`: lines equal to the one before, up to the next offset.
    Repeat,
}

fn dump_mark(line: &str) -> Option<DumpMark> {
    let t = line.trim();
    if t == "*" {
        return Some(DumpMark::Repeat);
    }
    let digits = t.strip_suffix(':').unwrap_or(t);
    if (4..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return usize::from_str_radix(digits, 16).ok().map(DumpMark::End);
    }
    None
}

fn dump_line(line: &str, base: usize) -> Option<DumpLine<'_>> {
    let trimmed_start = line.len() - line.trim_start().len();
    let body = &line[trimmed_start..];
    let first_end = body.find(char::is_whitespace)?;
    let first = &body[..first_end];
    let (digits, colon) = match first.strip_suffix(':') {
        Some(d) => (d, true),
        None => (first, false),
    };
    if !(4..=8).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let offset = usize::from_str_radix(digits, 16).ok()?;
    let rest_at = trimmed_start + first_end;
    let bar = line[rest_at..].find('|').map(|i| rest_at + i);
    let hex_part = &line[rest_at..bar.unwrap_or(line.len())];
    let groups: Vec<Token<'_>> = tokens(hex_part, base + rest_at).into_iter().collect();
    let first_group = groups.first()?;
    let width = first_group.text.len();
    if !first_group.text.bytes().all(|b| b.is_ascii_hexdigit()) || !(width == 2 || width == 4) {
        return None;
    }
    // Without a colon, the offset must look different from the data (wider than a group).
    if !colon && digits.len() == width {
        return None;
    }
    let end = base + bar.unwrap_or(line.trim_end().len());
    Some(DumpLine { offset, groups, end })
}

fn parse_hex(src: &str) -> Result<Input, InputError> {
    // C arrays and braces: read between the outermost braces.
    let (region_start, region_end) = match (src.find('{'), src.rfind('}')) {
        (Some(a), Some(b)) if a < b => (a + 1, b),
        _ => (0, src.len()),
    };
    let region = &src[region_start..region_end];

    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = region_start;
    for line in region.split('\n') {
        lines.push((at, line));
        at += line.len() + 1;
    }

    let mut dumps: Vec<Option<DumpLine<'_>>> = lines.iter().map(|(base, l)| dump_line(l, *base)).collect();
    // `*` lines and a closing offset line (the last non-empty line) belong to a
    // dump when every other line is a dump line.
    let last_nonempty = lines.iter().rposition(|(_, l)| !l.trim().is_empty());
    let mut repeats = Vec::new();
    for (i, (base, l)) in lines.iter().enumerate() {
        if dumps[i].is_some() {
            continue;
        }
        match dump_mark(l) {
            Some(DumpMark::Repeat) => repeats.push(i),
            Some(DumpMark::End(offset)) if Some(i) == last_nonempty && i > 0 => {
                dumps[i] = Some(DumpLine { offset, groups: Vec::new(), end: base + l.len() });
            }
            _ => {}
        }
    }
    let nonempty = lines.iter().filter(|(_, l)| !l.trim().is_empty()).count();
    let dump_count = dumps.iter().filter(|d| d.is_some()).count();
    let offsets: Vec<usize> = dumps.iter().flatten().map(|d| d.offset).collect();
    let is_dump = dump_count > 0
        && dump_count + repeats.len() == nonempty
        && dumps.iter().flatten().any(|d| !d.groups.is_empty())
        && offsets[0].is_multiple_of(16)
        && offsets.windows(2).all(|w| w[0] < w[1]);

    let mut bytes = Vec::new();
    let mut line_starts = Vec::new();
    if is_dump {
        // Each data line, and whether a `*` line follows it.
        let parsed: Vec<(&DumpLine<'_>, bool)> = dumps
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let d = d.as_ref()?;
                let next = dumps[i + 1..].iter().position(Option::is_some).map_or(dumps.len(), |p| i + 1 + p);
                Some((d, repeats.iter().any(|&r| r > i && r < next)))
            })
            .collect();
        let mut width_seen = 16;
        for (i, &(d, repeated)) in parsed.iter().enumerate() {
            let gap = parsed.get(i + 1).map(|n| n.0.offset.wrapping_sub(d.offset));
            let expected = gap.filter(|n| (1..=256).contains(n));
            let expected = if repeated { Some(width_seen) } else { expected };
            if let Some(n) = expected {
                width_seen = n;
            }
            let limit = expected.unwrap_or(width_seen);
            let line_start = bytes.len();
            let mut taken = 0;
            for (gi, g) in d.groups.iter().enumerate() {
                if taken >= limit {
                    break;
                }
                // On a last line, a gutter holds one character per byte after a wide gap.
                if expected.is_none() && gi > 0 {
                    let prev = &d.groups[gi - 1];
                    let gap = &src[prev.at + prev.text.len()..g.at];
                    if gap.len() >= 2 && src[g.at..d.end].trim_end().chars().count() == taken {
                        break;
                    }
                }
                match hex_token(src, *g) {
                    Ok(mut b) => {
                        if expected.is_none() && b.is_empty() {
                            break;
                        }
                        taken += b.len();
                        bytes.append(&mut b);
                    }
                    // Past the last byte, a non-hex token starts the ASCII gutter.
                    Err(_) if expected.is_none() && taken > 0 => break,
                    Err(e) => return Err(e),
                }
            }
            if let Some(n) = expected
                && taken < n
            {
                let end = d.groups.last().map_or(0, |g| g.at + g.text.len());
                return Err(error_at(
                    src,
                    end.min(src.len().saturating_sub(1)),
                    1,
                    format!("hexdump line at offset {:#x} has {taken} bytes, the next offset implies {n}", d.offset),
                ));
            }
            // `*`: the line again until the next offset (bounded by the input's own claim).
            if repeated && taken > 0 {
                let until = gap.unwrap_or(0).min(MAX_REPEAT);
                let line = bytes[line_start..].to_vec();
                while bytes.len() - line_start + line.len() <= until {
                    bytes.extend_from_slice(&line);
                }
            }
        }
        return Ok(Input { bytes, kind: InputKind::Hexdump, line_starts });
    }

    for (base, line) in &lines {
        let toks = tokens(line, *base);
        if toks.is_empty() {
            continue;
        }
        line_starts.push(bytes.len());
        for t in toks {
            let mut b = hex_token(src, t)?;
            bytes.append(&mut b);
        }
    }
    line_starts.dedup();
    if line_starts.len() <= 1 {
        line_starts.clear();
    }
    Ok(Input { bytes, kind: InputKind::Hex, line_starts })
}

/// Bytes a `*` line of a dump may stand for.
const MAX_REPEAT: usize = 16 << 20;

/// Python bytes literals: `b'h\x1f\x00C'`, several in a row (`b'..' b'..'`,
/// with `+`, parentheses or line breaks between). `None` when the input is not one.
fn python_bytes(src: &str) -> Option<Result<Input, InputError>> {
    let t = src.trim_start().trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let first = t.strip_prefix('b').or_else(|| t.strip_prefix('B'))?;
    if !(first.starts_with('\'') || first.starts_with('"')) {
        return None;
    }
    let s = src.as_bytes();
    let mut bytes = Vec::new();
    let mut line_starts = Vec::new();
    let mut i = 0;
    loop {
        while i < s.len() && (s[i].is_ascii_whitespace() || matches!(s[i], b'+' | b'(' | b')' | b',')) {
            i += 1;
        }
        if i == s.len() {
            break;
        }
        if !(matches!(s[i], b'b' | b'B') && i + 1 < s.len() && matches!(s[i + 1], b'\'' | b'"')) {
            return Some(Err(error_at(src, i, 1, "expected a bytes literal b'…'".to_string())));
        }
        let quote = s[i + 1];
        let open = i + 1;
        i += 2;
        line_starts.push(bytes.len());
        loop {
            let Some(&c) = s.get(i) else {
                return Some(Err(error_at(src, open, 1, "bytes literal not closed".to_string())));
            };
            if c == quote {
                i += 1;
                break;
            }
            if c == b'\\' {
                let esc = s.get(i + 1).copied().unwrap_or(b' ');
                let simple = match esc {
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'0' => Some(0),
                    b'a' => Some(7),
                    b'b' => Some(8),
                    b'f' => Some(12),
                    b'v' => Some(11),
                    b'\\' | b'\'' | b'"' => Some(esc),
                    _ => None,
                };
                if let Some(b) = simple {
                    bytes.push(b);
                    i += 2;
                    continue;
                }
                if esc == b'x'
                    && let (Some(h), Some(l)) = (s.get(i + 2), s.get(i + 3))
                    && h.is_ascii_hexdigit()
                    && l.is_ascii_hexdigit()
                {
                    bytes.push((hex_val(*h) << 4) | hex_val(*l));
                    i += 4;
                    continue;
                }
                return Some(Err(error_at(src, i, 1, "unknown escape in a bytes literal".to_string())));
            }
            if !(0x20..0x7f).contains(&c) {
                return Some(Err(error_at(
                    src,
                    i,
                    1,
                    "only ASCII characters may stand in a bytes literal".to_string(),
                )));
            }
            bytes.push(c);
            i += 1;
        }
    }
    if line_starts.len() <= 1 {
        line_starts.clear();
    }
    Some(Ok(Input { bytes, kind: InputKind::Hex, line_starts }))
}

/// One token to bytes: `68`, `0x68`, `681f00`, `\x68\x1f`, `0x6` (one digit with a prefix).
fn hex_token(src: &str, t: Token<'_>) -> Result<Vec<u8>, InputError> {
    let text = t.text;
    let mut digits: Vec<(usize, u8)> = Vec::with_capacity(text.len());
    let mut prefixed = false;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        // `0x` / `0X` prefix at the start of a group.
        if c == b'0' && i + 1 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') && (i == 0 || b[i - 1] == b'\\') {
            prefixed = true;
            i += 2;
            continue;
        }
        if c == b'\\' && i + 1 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') {
            prefixed = true;
            i += 2;
            continue;
        }
        if c.is_ascii_hexdigit() {
            digits.push((t.at + i, hex_val(c)));
            i += 1;
            continue;
        }
        // Trailing assembler-style `h` (`68h`).
        if (c == b'h' || c == b'H') && i + 1 == b.len() && !digits.is_empty() && digits.len() <= 2 {
            prefixed = true;
            i += 1;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or('?');
        return Err(error_at(src, t.at + i, ch.len_utf8(), format!("'{ch}' is not a hex digit (in '{text}')")));
    }
    if digits.len() % 2 == 1 {
        if prefixed && digits.len() == 1 {
            return Ok(vec![digits[0].1]);
        }
        let last = digits.last().map_or(t.at, |d| d.0);
        return Err(error_at(src, last, 1, format!("odd number of hex digits in '{text}'")));
    }
    Ok(digits.chunks(2).map(|p| (p[0].1 << 4) | p[1].1).collect())
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Bytes as spaced upper-case hex (`68 1F 00`).
pub fn to_hex(bytes: &[u8]) -> String {
    crate::wire::hex_spaced(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_as_text_read_back_as_the_same_bytes() {
        let b = b"\x02/MSC5MS(1)\r\n\x03\x7F!\x06";
        let t = to_text(b);
        assert_eq!(t, "<STX>/MSC5MS(1)<CR><LF><ETX><7F>!<ACK>");
        assert_eq!(parse_input(&t.replace("<7F>", "\u{7F}")).unwrap().bytes, b.to_vec());
    }

    fn hex(s: &str) -> Vec<u8> {
        parse_input(s).unwrap_or_else(|e| panic!("{s:?}: {e}")).bytes
    }

    const F: [u8; 4] = [0x68, 0x1F, 0x00, 0x43];

    #[test]
    fn separators_and_prefixes() {
        for s in [
            "68 1f 00 43",
            "681F0043",
            "0x68, 0x1F, 0x00, 0x43",
            "0x68,0x1f,0x00,0x43",
            "\\x68\\x1f\\x00\\x43",
            "68:1f:00:43",
            "68;1f;00;43",
            "68-1F-00-43",
            "68\n1f\r\n00\t43",
            "  68 1F\n\n00 43  ",
            "unsigned char frame[] = { 0x68, 0x1f, 0x0, 0x43 };",
            "[104-0, ]".replace("104-0, ", "0x68, 0x1F, 0x00, 0x43").as_str(),
            "[\"68\", \"1F\", \"00\", \"43\"]",
            "0x681F0043",
            "68h 1Fh 00h 43h",
        ] {
            assert_eq!(hex(s), F, "{s:?}");
        }
    }

    #[test]
    fn bad_token_has_line_column_and_char() {
        let e = parse_input("68 1G").unwrap_err();
        assert_eq!((e.line, e.column, e.found), (1, 5, 'G'));
        let e = parse_input("68 1F\n00 4Z 16").unwrap_err();
        assert_eq!((e.line, e.column, e.found, e.offset), (2, 5, 'Z', 10));
        assert!(e.message.contains("not a hex digit"), "{}", e.message);
        let e = parse_input("68 1F 0").unwrap_err();
        assert_eq!((e.line, e.column), (1, 7));
        assert!(e.message.contains("odd number"));
        // Columns count characters, not bytes.
        let e = parse_input("68 数").unwrap_err();
        assert_eq!((e.line, e.column, e.found), (1, 4, '数'));
    }

    #[test]
    fn hexdumps_with_gutters() {
        let hexdump_c = "00000000  68 1f 00 43 05 08 00 00  00 00 00 10 b5 0b 06 01  |h..C............|\n\
                         00000010  04 40 00 02                                       |.@..|\n";
        let b = hex(hexdump_c);
        assert_eq!(b.len(), 20);
        assert_eq!(&b[16..], &[0x04, 0x40, 0x00, 0x02]);

        let xxd = "00000000: 681f 0043 0508 0000 0000 0010 b50b 0601  h..C............\n00000010: 0440 0002                                .@..\n";
        assert_eq!(hex(xxd), b);

        let wireshark = "0000   68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01   h..C............\n0010   04 40 00 02                                       .@..\n";
        assert_eq!(hex(wireshark), b);
        assert_eq!(parse_input(wireshark).unwrap().kind, InputKind::Hexdump);

        // A gutter made only of hex letters is still cut by the offsets.
        let tricky = "0000: 61 62 63 64  abcd\n0004: 65 66  ef\n";
        assert_eq!(hex(tricky), vec![0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
    }

    #[test]
    fn hexdumps_with_a_closing_offset_and_repeats() {
        // `printf 'h\x1f\x00C\x05\x08\0\0\0\0\0\x10\xb5\x0b\x06\x01\x04@\0\x02' | hexdump -C`
        let hexdump_c = "00000000  68 1f 00 43 05 08 00 00  00 00 00 10 b5 0b 06 01  |h..C............|\n\
                         00000010  04 40 00 02                                       |.@..|\n\
                         00000014\n";
        let b = hex(hexdump_c);
        assert_eq!(b.len(), 20);
        assert_eq!(&b[16..], &[0x04, 0x40, 0x00, 0x02]);
        assert_eq!(parse_input(hexdump_c).unwrap().kind, InputKind::Hexdump);
        // A gutter that would read as hex on the last line is cut by the closing offset.
        let gutter = "00000000  61 62 63 64 65 66 0a                              |abcdef.|\n00000007\n";
        assert_eq!(hex(gutter), b"abcdef\n");
        // `od -A x -t x1z`
        let od = "000000 68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01  >h..C............<\n\
                  000010 04 40 00 02                                      >.@..<\n\
                  000014\n";
        assert_eq!(hex(od), b);
        // `*` stands for lines equal to the one before.
        let star = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
                    *\n\
                    00000030  68 16                                             |h.|\n\
                    00000032\n";
        let b = hex(star);
        assert_eq!(b.len(), 0x32);
        assert_eq!(&b[0x30..], &[0x68, 0x16]);
        // A lone number is still hex, and hex lines do not become a dump.
        assert_eq!(hex("681F0043"), F);
        assert_eq!(hex("68 1F\n0043"), F);
    }

    #[test]
    fn python_bytes_literals() {
        assert_eq!(hex("b'\\x68\\x1f\\x00\\x43'"), F);
        assert_eq!(hex("b'h\\x1f\\x00C'"), F);
        assert_eq!(hex("  B\"h\\x1f\" b'\\x00C'\n"), F);
        assert_eq!(hex("(b'h\\x1f'\n + b'\\x00C')"), F);
        assert_eq!(hex(r"b'/ISK5\\2M550T\r\n\'\t\0'"), b"/ISK5\\2M550T\r\n'\t\0");
        let e = parse_input("b'\\x6g'").unwrap_err();
        assert_eq!(e.column, 3);
        assert!(parse_input("b'\\x68").unwrap_err().message.contains("not closed"));
        // Hex that starts with b is still hex.
        assert_eq!(hex("b5 0b"), [0xB5, 0x0B]);
    }

    #[test]
    fn plain_groups_are_not_a_dump() {
        assert_eq!(hex("681F 0043"), F);
        assert_eq!(hex("681F0043 05"), [0x68, 0x1F, 0x00, 0x43, 0x05]);
    }

    /// The decoder takes and refuses what the `base64` crate's four general-purpose
    /// engines, tried in turn, take and refuse.
    #[test]
    fn base64_as_the_crate_decodes() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        let crate_decode = |s: &str| {
            let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(&compact).ok())
        };
        let symbols: Vec<char> = "AQgwBZaz09+/-_= \n\u{3000}é".chars().collect();
        let mut rng = crate::testkit::Rng::new(0xB64);
        for _ in 0..200_000 {
            let len = rng.below(14);
            let mut s: String = (0..len).map(|_| rng.pick(&symbols)).collect();
            if rng.flag() {
                // An encoding by one of the engines, maybe with a symbol changed.
                let engine = rng.pick(&[&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]);
                let mut chars: Vec<char> = engine.encode(rng.bytes(10)).chars().collect();
                if rng.flag() && !chars.is_empty() {
                    let at = rng.below(chars.len());
                    chars[at] = rng.pick(&symbols);
                }
                s = chars.into_iter().collect();
            }
            assert_eq!(decode_base64(&s), crate_decode(&s), "{s:?}");
        }
        for s in ["", "QUJD", "QUI=", "QUI", "QQ==", "QQ", "QR==", "Q===", "-_-_", "+/+/", "QU JD\n", "QUJD\u{3000}"] {
            assert_eq!(decode_base64(s), crate_decode(s), "{s:?}");
        }
    }

    #[test]
    fn base64() {
        assert_eq!(hex("aB8AQw=="), F);
        assert_eq!(hex("base64: aB8AQw=="), F);
        assert_eq!(parse_input("aB8AQw==").unwrap().kind, InputKind::Base64);
        // Mostly-hex tokens with a typo stay hex errors.
        assert!(parse_input("681G").is_err());
    }

    #[test]
    fn text_telegrams() {
        let i = parse_input("/ISk5\\2MT382-1000\n\n1-0:1.8.1(000001.000*kWh)\n!").unwrap();
        assert_eq!(i.kind, InputKind::Text);
        assert!(i.bytes.starts_with(b"/ISk5\\2MT382"));
        let i = parse_input("<STX>1.8.0(001234.5*kWh)<CR><LF>!<CR><LF><ETX>x").unwrap();
        assert_eq!(i.kind, InputKind::Text);
        assert_eq!(i.bytes[0], 0x02);
        assert!(i.bytes.ends_with(b"!\r\n\x03x"));
        assert_eq!(parse_input("text:68 1G").unwrap().bytes, b"68 1G");
    }

    #[test]
    fn bad_base64_is_pinned_inside_the_input_even_with_trailing_space() {
        // A fuzzer's find: the offset was counted from the end of the untrimmed input.
        let src = "base64:\u{b1}\u{b1}!! \u{e2} \n ";
        let e = parse_input(src).unwrap_err();
        assert!(e.offset < src.len() && src.is_char_boundary(e.offset), "{e:?}");
        assert_eq!(&src[e.offset..e.offset + 2], "\u{b1}");
        // The fuzzer's input itself.
        let h = "6261536536343ab1b1b1b1b1b1b1b1b1ffffffffffff0000b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1f3b1b1b1b1b1b1b1b1b1b13030204333203035ffff100020f3f3b1b1b1b1b1b1b1b1b1b18bb1b1b1ffffffffffff0000b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1ffffffff30312030302030343030204333203035ffff303000e23062e2e2e2e2e2e2e2e230e2e2e20d20ff78390a0d383900e2e3819f0a30780a0a303030203030200d65613030203030202830300d00910a3332343598b00d20330da50d20ff78390a0d383900e2e3819f0a203030200d65613030203030202830300d200a0d3839383a3664ffff0a0d3c3998989898333234352034000a989898989898989898989898989898333234352034000021213332bfbd3934003900e2e3819f0a30780a0a303030203030200d65613030203030202830300d6334200affffffffffffffff000000fcff240000003c3c3c3cc83c3c3c3ca03c3c3c3c003640653c3c3c3c3c3c3b3c3c3c3c3cb83c3c3c3c3c3c3566ff7e3662613870346464633c3c3c3c3566ff36626138643ca03c3c3c3c3c3cfdffffffffff3c3c3c3c0d";
        let data: Vec<u8> = (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect();
        let text = String::from_utf8_lossy(&data);
        let e = parse_input(&text).unwrap_err();
        assert!(e.offset < text.len() && text.is_char_boundary(e.offset));
    }

    #[test]
    fn a_text_message_keeps_its_last_line_end() {
        assert_eq!(parse_input("  /LGZ4\\2ZMD3104407.B32\r\n").unwrap().bytes, b"/LGZ4\\2ZMD3104407.B32\r\n");
        assert_eq!(parse_input("/ISk5\\2MT382-1000\n  \n").unwrap().bytes, b"/ISk5\\2MT382-1000\n");
        assert_eq!(parse_input("text:/ABC5\r\n").unwrap().bytes, b"/ABC5\r\n");
        assert_eq!(parse_input("/ABC5 ").unwrap().bytes, b"/ABC5");
    }

    #[test]
    fn line_starts_hint_multiple_lines() {
        let i = parse_input("68 1F\n00 43 05\n").unwrap();
        assert_eq!(i.line_starts, vec![0, 2]);
        assert!(parse_input("68 1F 00").unwrap().line_starts.is_empty());
    }

    #[test]
    fn empty() {
        assert!(hex("  \n ").is_empty());
    }

    #[test]
    fn never_panics_on_odd_strings() {
        for s in [
            "{",
            "}",
            "{}",
            "}{",
            "0x",
            "\\x",
            "0000:",
            "0000: zz",
            "0000  68 |",
            "h",
            "0xg",
            "数据",
            "/",
            "\u{2}",
            "<",
            "<ST",
            "0000:\n0010: 68",
        ] {
            let _ = parse_input(s);
        }
    }

    /// Seeded random inputs over an alphabet of the characters that matter:
    /// never a panic, and errors always point inside the input at the character they name.
    #[test]
    fn random_inputs_never_panic_and_errors_point_inside() {
        #[rustfmt::skip]
        const ALPHABET: &[&str] = &[
            "0", "1", "6", "8", "a", "F", "g", "G", "x", "0x", "\\x", " ", "  ", "\n", "\r\n", "\t", ",", ":", ";", "-", "{",
            "}", "[", "]", "|", "=", "+", "/", "<STX>", "<", ">", "(", ")", "*", "!", "h", "数", "é", "0000: ", "00000010  ",
        ];
        let mut rng = crate::testkit::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next_u64();
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
            match parse_input(&s) {
                Ok(_) => {}
                Err(e) => {
                    assert!(e.offset < s.len(), "{s:?}: offset {} out of range", e.offset);
                    assert!(s.is_char_boundary(e.offset));
                    assert_eq!(s[e.offset..].chars().next(), Some(e.found), "{s:?}: {e}");
                    assert!(e.line >= 1 && e.column >= 1);
                }
            }
        }
    }

    #[test]
    fn to_hex_spaced_upper() {
        assert_eq!(to_hex(&F), "68 1F 00 43");
        assert_eq!(to_hex(&[]), "");
    }
}
