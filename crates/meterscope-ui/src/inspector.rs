//! The selection inspector: every common reading of a few selected bytes
//! (integers LE/BE, BCD, minus 0x33, A-XDR, OBIS, date-time, floats, ASCII).
//!
//! Pure: `inspect(bytes, lang)` returns the rows the panel shows. Readings
//! that do not apply to the selection (a float of 3 bytes, BCD of `0xAB`) are
//! left out rather than shown as errors.

use meterscope_core::{Lang, obis};

/// One reading: a short technical name and the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub name: String,
    pub value: String,
}

/// Integer and float readings are offered up to this many bytes; text and
/// hex up to [`MAX_TEXT`].
const MAX_INT: usize = 8;
const MAX_TEXT: usize = 64;

fn row(out: &mut Vec<Reading>, name: impl Into<String>, value: impl Into<String>) {
    out.push(Reading { name: name.into(), value: value.into() });
}

fn uint_be(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64)
}

/// Sign-extend the low `bits` bits of `v`.
fn sign(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// BCD digits of `b` as written (first byte first), `None` when a nibble is above 9.
pub fn bcd(b: &[u8]) -> Option<String> {
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        let (hi, lo) = (x >> 4, x & 0x0F);
        if hi > 9 || lo > 9 {
            return None;
        }
        s.push((b'0' + hi) as char);
        s.push((b'0' + lo) as char);
    }
    Some(s)
}

fn hex(b: &[u8]) -> String {
    meterscope_core::to_hex(b)
}

/// ASCII with C-style escapes for anything unprintable.
fn ascii(b: &[u8]) -> String {
    let mut s = String::new();
    for &x in b {
        match x {
            0x20..=0x7E => s.push(x as char),
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            _ => s.push_str(&format!("\\x{x:02X}")),
        }
    }
    s
}

/// A-XDR length or variable-length integer: `< 0x80` is the value, `0x8N` is
/// followed by N big-endian bytes. Returns the value and the bytes used.
pub fn axdr_length(b: &[u8]) -> Option<(u64, usize)> {
    let first = *b.first()?;
    if first < 0x80 {
        return Some((first as u64, 1));
    }
    let n = (first & 0x7F) as usize;
    if n == 0 || n > 8 || b.len() < 1 + n {
        return None;
    }
    Some((uint_be(&b[1..1 + n]), 1 + n))
}

/// An A-XDR (DLMS) integer with its type tag: `(type name, value)` when the
/// tag is an integer type and the selection holds exactly its bytes.
pub fn axdr_integer(b: &[u8]) -> Option<(&'static str, String)> {
    let (&tag, rest) = b.split_first()?;
    let (name, width, signed) = match tag {
        0x0F => ("integer", 1, true),
        0x10 => ("long", 2, true),
        0x11 => ("unsigned", 1, false),
        0x12 => ("long-unsigned", 2, false),
        0x05 => ("double-long", 4, true),
        0x06 => ("double-long-unsigned", 4, false),
        0x14 => ("long64", 8, true),
        0x15 => ("long64-unsigned", 8, false),
        0x16 => ("enum", 1, false),
        _ => return None,
    };
    if rest.len() != width {
        return None;
    }
    let v = uint_be(rest);
    let text = if signed { sign(v, width as u32 * 8).to_string() } else { v.to_string() };
    Some((name, text))
}

fn opt_u8(v: u8, width: usize) -> String {
    if v == 0xFF { "*".repeat(width) } else { format!("{v:0width$}") }
}

/// DLMS date-time (12 bytes: year BE, month, day, weekday, hour, minute,
/// second, hundredths, deviation BE in minutes, clock status). 0xFF fields
/// (0xFFFF year, 0x8000 deviation) are "not specified" and shown as `*`.
pub fn dlms_date_time(b: &[u8]) -> Option<String> {
    let b: &[u8; 12] = b.try_into().ok()?;
    let year = u16::from_be_bytes([b[0], b[1]]);
    let (month, day, hour, min, sec) = (b[2], b[3], b[5], b[6], b[7]);
    if (month != 0xFF && !(1..=12).contains(&month) && month < 0xFD) || (day != 0xFF && day > 31 && day < 0xFD) {
        return None;
    }
    if (hour != 0xFF && hour > 23) || (min != 0xFF && min > 59) || (sec != 0xFF && sec > 59) {
        return None;
    }
    let y = if year == 0xFFFF { "****".to_string() } else { format!("{year:04}") };
    let mut s = format!(
        "{y}-{}-{} {}:{}:{}",
        opt_u8(month, 2),
        opt_u8(day, 2),
        opt_u8(hour, 2),
        opt_u8(min, 2),
        opt_u8(sec, 2)
    );
    if b[8] != 0xFF {
        s.push_str(&format!(".{:02}", b[8]));
    }
    if b[4] != 0xFF {
        s.push_str(&format!(" wd {}", b[4]));
    }
    let dev = i16::from_be_bytes([b[9], b[10]]);
    if dev != i16::MIN {
        s.push_str(&format!(" dev {dev:+} min"));
    }
    if b[11] != 0xFF {
        s.push_str(&format!(" status 0x{:02X}", b[11]));
    }
    Some(s)
}

/// DL/T 698.45 date_time_s (7 bytes: year BE, month, day, hour, minute, second).
pub fn dlt698_date_time_s(b: &[u8]) -> Option<String> {
    let b: &[u8; 7] = b.try_into().ok()?;
    let year = u16::from_be_bytes([b[0], b[1]]);
    let [_, _, mo, d, h, mi, s] = *b;
    let ok = (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 60;
    ok.then(|| format!("{year:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
}

fn float(v: f64) -> String {
    if v.is_finite() && v != 0.0 && (v.abs() >= 1e15 || v.abs() < 1e-6) { format!("{v:e}") } else { format!("{v}") }
}

/// Every reading of `b` that applies. Empty for an empty selection.
pub fn inspect(b: &[u8], lang: Lang) -> Vec<Reading> {
    let mut out = Vec::new();
    let n = b.len();
    if n == 0 {
        return out;
    }
    let offset_word = lang.pick("bytes", "字节");
    row(&mut out, "length", format!("{n} {offset_word}"));
    if n <= MAX_TEXT {
        row(&mut out, "hex", hex(b));
    }
    if n <= MAX_INT {
        let bits = n as u32 * 8;
        let be = uint_be(b);
        let rev: Vec<u8> = b.iter().rev().copied().collect();
        let le = uint_be(&rev);
        if n == 1 {
            row(&mut out, "u8", be.to_string());
            row(&mut out, "i8", sign(be, 8).to_string());
            row(&mut out, "bits", format!("{:08b}", b[0]));
        } else {
            row(&mut out, format!("u{bits} LE"), le.to_string());
            row(&mut out, format!("u{bits} BE"), be.to_string());
            row(&mut out, format!("i{bits} LE"), sign(le, bits).to_string());
            row(&mut out, format!("i{bits} BE"), sign(be, bits).to_string());
        }
        if n == 4 {
            let bytes: [u8; 4] = b.try_into().unwrap_or_default();
            row(&mut out, "f32 LE", float(f32::from_le_bytes(bytes) as f64));
            row(&mut out, "f32 BE", float(f32::from_be_bytes(bytes) as f64));
        }
        if n == 8 {
            let bytes: [u8; 8] = b.try_into().unwrap_or_default();
            row(&mut out, "f64 LE", float(f64::from_le_bytes(bytes)));
            row(&mut out, "f64 BE", float(f64::from_be_bytes(bytes)));
        }
    }
    if n <= MAX_TEXT {
        let rev: Vec<u8> = b.iter().rev().copied().collect();
        if let Some(d) = bcd(b) {
            row(&mut out, "BCD", d);
            if n > 1 {
                row(&mut out, "BCD LE", bcd(&rev).unwrap_or_default());
            }
        }
        // DL/T 645 data bytes travel +0x33: undo it, then read as LE BCD.
        let m: Vec<u8> = b.iter().map(|x| x.wrapping_sub(0x33)).collect();
        row(&mut out, "-0x33", hex(&m));
        let mrev: Vec<u8> = m.iter().rev().copied().collect();
        if let Some(d) = bcd(&mrev) {
            row(&mut out, "-0x33 BCD LE", d);
        }
        if let Some((name, v)) = axdr_integer(b) {
            row(&mut out, format!("A-XDR {name}"), v);
        }
        if let Some((v, used)) = axdr_length(b)
            && used == n
        {
            row(&mut out, "A-XDR length", v.to_string());
        }
        let obis_bytes = match n {
            6 => Some(b),
            8 if b[0] == 0x09 && b[1] == 0x06 => Some(&b[2..]),
            _ => None,
        };
        if let Some(code) = obis_bytes.and_then(|c| <[u8; 6]>::try_from(c).ok()) {
            let mut v = obis::canonical(code);
            if let Some(name) = obis::describe(code, lang) {
                v.push_str(" · ");
                v.push_str(&name);
            }
            row(&mut out, "OBIS", v);
        }
        let dt = match n {
            12 => Some(b),
            14 if b[0] == 0x09 && b[1] == 0x0C => Some(&b[2..]),
            _ => None,
        };
        if let Some(v) = dt.and_then(dlms_date_time) {
            row(&mut out, "DLMS date-time", v);
        }
        let dts = match n {
            7 => Some(b),
            8 if b[0] == 0x1C => Some(&b[1..]),
            _ => None,
        };
        if let Some(v) = dts.and_then(dlt698_date_time_s) {
            row(&mut out, "698 date_time_s", v);
        }
        row(&mut out, "ASCII", ascii(b));
    }
    out
}

/// The value of the reading named `name`, for tests and copy buttons.
pub fn value_of<'a>(rows: &'a [Reading], name: &str) -> Option<&'a str> {
    rows.iter().find(|r| r.name == name).map(|r| r.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspector_reads_integers_bcd_and_floats() {
        use super::{inspect, value_of};
        let r = inspect(&[0x12, 0x34], Lang::En);
        assert_eq!(value_of(&r, "u16 LE"), Some("13330"));
        assert_eq!(value_of(&r, "u16 BE"), Some("4660"));
        assert_eq!(value_of(&r, "BCD"), Some("1234"));
        assert_eq!(value_of(&r, "BCD LE"), Some("3412"));
        let r = inspect(&[0xFF], Lang::En);
        assert_eq!((value_of(&r, "u8"), value_of(&r, "i8")), (Some("255"), Some("-1")));
        assert_eq!(value_of(&r, "BCD"), None, "0xFF is not BCD");
        let r = inspect(&[0xFE, 0xFF, 0xFF, 0xFF], Lang::En);
        assert_eq!(value_of(&r, "i32 LE"), Some("-2"));
        assert_eq!(value_of(&r, "u32 BE"), Some("4278190079"));
        assert_eq!(value_of(&inspect(&[0x42, 0xCA, 0x00, 0x00], Lang::En), "f32 BE"), Some("101"));
        let one = 1.5f64.to_le_bytes();
        assert_eq!(value_of(&inspect(&one, Lang::En), "f64 LE"), Some("1.5"));
        let r = inspect(&[0x01, 0x02, 0x03], Lang::En);
        assert_eq!(value_of(&r, "u24 LE"), Some("197121"));
        assert_eq!(value_of(&r, "f32 LE"), None);
        assert_eq!(value_of(&inspect(b"AB\r", Lang::En), "ASCII"), Some("AB\\r"));
        assert!(inspect(&[], Lang::En).is_empty());
        // A big selection keeps its length, never panics.
        let big = vec![0x33u8; 5000];
        assert_eq!(value_of(&inspect(&big, Lang::En), "length"), Some("5000 bytes"));
    }

    #[test]
    fn inspector_reads_protocol_encodings() {
        use super::{inspect, value_of};
        // DL/T 645: data bytes carry +0x33; the DI 00010000 travels as 33 33 34 33.
        let r = inspect(&[0x33, 0x33, 0x34, 0x33], Lang::En);
        assert_eq!(value_of(&r, "-0x33"), Some("00 00 01 00"));
        assert_eq!(value_of(&r, "-0x33 BCD LE"), Some("00010000"));
        // A-XDR integers with their type tag, and a length.
        assert_eq!(value_of(&inspect(&[0x12, 0x09, 0x6D], Lang::En), "A-XDR long-unsigned"), Some("2413"));
        assert_eq!(value_of(&inspect(&[0x10, 0xFF, 0xFE], Lang::En), "A-XDR long"), Some("-2"));
        assert_eq!(value_of(&inspect(&[0x82, 0x01, 0x00], Lang::En), "A-XDR length"), Some("256"));
        // OBIS from 6 bytes, or an octet-string of 6.
        let obis = value_of(&inspect(&[1, 0, 1, 8, 0, 255], Lang::En), "OBIS").unwrap().to_string();
        assert!(obis.starts_with("1-0:1.8.0*255 · "), "{obis}");
        let zh = inspect(&[0x09, 0x06, 1, 0, 1, 8, 0, 255], Lang::Zh);
        assert!(value_of(&zh, "OBIS").unwrap().chars().any(|c| c as u32 > 0x2E80));
        // DLMS date-time, 12 bytes (or with its 09 0C header), unspecified fields starred.
        let dt = [0x07, 0xE3, 0x0C, 0x10, 0x01, 0x07, 0x3B, 0x28, 0xFF, 0x80, 0x00, 0xFF];
        assert_eq!(value_of(&inspect(&dt, Lang::En), "DLMS date-time"), Some("2019-12-16 07:59:40 wd 1"));
        let dt2 = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00];
        assert_eq!(
            value_of(&inspect(&dt2, Lang::En), "DLMS date-time"),
            Some("****-**-** 00:00:00.00 dev -60 min status 0x00")
        );
        // DL/T 698.45 date_time_s, 7 bytes (or with its 1C tag).
        let s = [0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00];
        assert_eq!(value_of(&inspect(&s, Lang::En), "698 date_time_s"), Some("2016-09-11 18:30:00"));
        let tagged = [0x1C, 0x07, 0xE0, 0x09, 0x0B, 0x12, 0x1E, 0x00];
        assert_eq!(value_of(&inspect(&tagged, Lang::En), "698 date_time_s"), Some("2016-09-11 18:30:00"));
        assert_eq!(value_of(&inspect(&[0, 0, 13, 40, 99, 99, 99], Lang::En), "698 date_time_s"), None);
    }
}
