//! The permalink in the URL fragment: `#i=<input>&p=<protocol>&l=<lang>&s=<node id>`.
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
    /// Id of the selected node.
    pub selected: Option<String>,
}

/// Encode as a fragment (without the leading `#`).
pub fn encode(p: &Permalink) -> String {
    let mut out = format!("i={}", escape(&p.input));
    if !p.protocol.is_empty() && p.protocol != "auto" {
        out.push_str("&p=");
        out.push_str(&escape(&p.protocol));
    }
    if let Some(l) = p.lang {
        out.push_str("&l=");
        out.push_str(l.code());
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
            "p" if !v.is_empty() => p.protocol = v,
            "l" => p.lang = v.parse().ok(),
            "s" if !v.is_empty() => p.selected = Some(v),
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
