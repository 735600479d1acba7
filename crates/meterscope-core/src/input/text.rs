//! Text telegrams (IEC 62056-21, DSMR P1), with `<STX>`-style mnemonics for
//! control characters.

use super::strip_prefix_ci;

/// Text telegrams: IEC 62056-21 and DSMR messages start with `/`, carry control
/// characters, or consist of `id(value)` data lines.
pub(super) fn looks_like_text(s: &str) -> bool {
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
pub(super) fn text_bytes(s: &str) -> Vec<u8> {
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
