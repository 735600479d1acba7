//! The permalink in the URL fragment:
//! `#i=<input>&p=<protocol>&l=<lang>&t=<theme>&f=<frame>&s=<node id>`
//! (`t` is `dark` or `light`, absent for the system's; `f` counts from 1,
//! absent for the first frame).
//! Inputs above [`COMPRESS_ABOVE`] bytes go as `z=<base64url(deflate(input))>`
//! instead of `i=`; both are read back.
//!
//! Pure functions, so the format is tested without a browser. Keys typed by
//! users are never part of it.

use meterscope_core::Lang;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Permalink {
    pub input: String,
    /// `auto` when empty.
    pub protocol: String,
    pub lang: Option<Lang>,
    /// `dark` or `light`; `None` follows the system.
    pub theme: Option<String>,
    /// The selected frame, from 0.
    pub frame: usize,
    /// Id of the selected node.
    pub selected: Option<String>,
}

/// Encode as a fragment (without the leading `#`).
pub fn encode(p: &Permalink) -> String {
    let input = if p.input.len() > COMPRESS_ABOVE {
        let packed = miniz_oxide::deflate::compress_to_vec(p.input.as_bytes(), 9);
        format!("z={}", base64url(&packed))
    } else {
        format!("i={}", escape(&p.input))
    };
    with_input(input, p)
}

/// Encode as a fragment with the input as `i=` whatever its length: for
/// modules that carry no compressor (the embeddable decoder's links).
pub fn encode_plain(p: &Permalink) -> String {
    with_input(format!("i={}", escape(&p.input)), p)
}

fn with_input(mut out: String, p: &Permalink) -> String {
    if !p.protocol.is_empty() && p.protocol != "auto" {
        out.push_str("&p=");
        out.push_str(&escape(&p.protocol));
    }
    if let Some(l) = p.lang {
        out.push_str("&l=");
        out.push_str(l.code());
    }
    if let Some(t) = p.theme.as_deref().filter(|t| matches!(*t, "dark" | "light")) {
        out.push_str("&t=");
        out.push_str(t);
    }
    if p.frame > 0 {
        out.push_str(&format!("&f={}", p.frame + 1));
    }
    if let Some(s) = &p.selected {
        out.push_str("&s=");
        out.push_str(&escape(s));
    }
    out
}

/// Decode a fragment (with or without the leading `#`). Unknown keys are ignored.
pub fn decode(fragment: &str) -> Permalink {
    let mut p = Permalink { protocol: "auto".into(), ..Permalink::default() };
    for pair in fragment.trim_start_matches('#').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = unescape(v);
        match k {
            "i" => p.input = v,
            "z" => p.input = inflate(&v).unwrap_or_default(),
            "p" if !v.is_empty() => p.protocol = v,
            "l" => p.lang = v.parse().ok(),
            "s" if !v.is_empty() => p.selected = Some(v),
            "t" if matches!(v.as_str(), "dark" | "light") => p.theme = Some(v),
            "f" => p.frame = v.parse::<usize>().map_or(0, |f| f.saturating_sub(1)),
            _ => {}
        }
    }
    p
}

/// Percent-encode everything but unreserved characters; spaces become `+`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                out.push((hex_val(b[i + 1]) << 4) | hex_val(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Inputs longer than this (in bytes) are compressed in the link.
pub const COMPRESS_ABOVE: usize = 2048;
/// The largest input a `z=` link may expand to.
pub const MAX_INFLATED: usize = 16 << 20;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | ((b as u32) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Read base64url (padding and standard `+/` tolerated); `None` on a bad character.
pub fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The input text of a `z=` value; `None` when it is not valid.
fn inflate(v: &str) -> Option<String> {
    let packed = unbase64url(v.trim())?;
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).ok()?;
    String::from_utf8(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permalink;

    #[test]
    fn permalink_round_trip() {
        let p = Permalink {
            input: "68 1F\n00 & = % + 数".into(),
            protocol: "dlt645-2007".into(),
            lang: Some(Lang::Zh),
            theme: Some("dark".into()),
            frame: 2,
            selected: Some("a.b.3".into()),
        };
        let enc = permalink::encode(&p);
        assert!(enc.contains("&t=dark&f=3&"), "{enc}");
        assert!(!enc.contains(' ') && !enc.contains('\n'));
        assert_eq!(permalink::decode(&format!("#{enc}")), p);
        let d = permalink::decode("#i=68+1f&junk=1&s=&t=pink&f=x");
        assert_eq!((d.input.as_str(), d.protocol.as_str(), d.selected), ("68 1f", "auto", None));
        assert_eq!((d.theme, d.frame), (None, 0));
        // Broken escapes do not panic and keep the text.
        assert_eq!(permalink::decode("i=%G1%4").input, "%G1%4");
    }

    #[test]
    fn permalink_compresses_large_inputs() {
        let big: String = (0..400).map(|i| format!("68 {:02X} 00 43 05 08 00 00 00 00 00 10\n", i % 256)).collect();
        assert!(big.len() > permalink::COMPRESS_ABOVE);
        let p = Permalink { input: big.clone(), protocol: "auto".into(), lang: Some(Lang::En), ..Permalink::default() };
        let enc = permalink::encode(&p);
        assert!(enc.starts_with("z="), "{}", &enc[..20]);
        assert!(enc.len() < big.len() / 3, "compressed to {} from {}", enc.len(), big.len());
        assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=&.".contains(&b)));
        assert_eq!(permalink::decode(&format!("#{enc}")), p);
        // Small inputs stay readable; old i= links still open.
        let small = Permalink { input: "68 AA".into(), protocol: "auto".into(), ..Permalink::default() };
        assert_eq!(permalink::encode(&small), "i=68+AA");
        assert_eq!(permalink::decode("#i=68+AA&l=en").input, "68 AA");
        // A damaged z= never panics; it yields an empty input.
        assert_eq!(permalink::decode("#z=!!!").input, "");
        assert_eq!(permalink::decode("#z=AAAA").input, "");
        for n in 0..8 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 5) as u8).collect();
            assert_eq!(permalink::unbase64url(&permalink::base64url(&data)).unwrap(), data);
        }
        assert_eq!(permalink::base64url(b"\xFB\xFF"), "-_8");
        // The plain form keeps any length readable and opens the same.
        let plain = permalink::encode_plain(&p);
        assert!(plain.starts_with("i=68+00+00+43") && plain.ends_with("&l=en"), "{}", &plain[..20]);
        assert_eq!(permalink::decode(&plain), p);
        let odd = Permalink { input: "(a)!*'~".into(), protocol: "dlt645".into(), lang: Some(Lang::Zh), ..p };
        assert_eq!(permalink::encode_plain(&odd), "i=%28a%29%21%2A%27~&p=dlt645&l=zh");
    }
}
