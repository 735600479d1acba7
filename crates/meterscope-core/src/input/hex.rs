//! Hex with any separators, hexdump lines with offsets and ASCII gutters, and
//! Python bytes literals.

use super::{Input, InputError, InputKind, error_at, is_separator};

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

pub(super) fn parse_hex(src: &str) -> Result<Input, InputError> {
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
pub(super) fn python_bytes(src: &str) -> Option<Result<Input, InputError>> {
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
