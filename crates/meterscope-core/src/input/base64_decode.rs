//! Base64, as the `base64` crate's general-purpose engines take it.

pub(super) fn base64_candidate(s: &str) -> bool {
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
pub(super) fn decode_base64(s: &str) -> Option<Vec<u8>> {
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
