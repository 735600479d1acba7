//! Data formats of DL/T 645 values and their decoding.
//!
//! DL/T 645-2007 clause 6 and Appendix A describe every value by a format
//! string written most significant digit first (`XXXXXX.XX`, `YYMMDDhhmm`,
//! `NNNN`). On the wire every multi-byte value is sent low byte first (clause
//! 5), and each byte carries two BCD digits. The same holds for DL/T 645-1997.

use core::fmt::{self, Write};

use crate::lang::Lang;
use crate::model::{Msg, RenderCx};

/// How the bytes of a value are to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A BCD number with `decimals` digits after the point. When `signed`, the
    /// top bit of the most significant byte is the sign (Appendix A, variables).
    Number { decimals: u8, signed: bool },
    /// BCD digits kept as written: addresses, meter numbers, codes.
    Digits,
    /// Date and time fields named by the pattern (`YY MM DD WW hh mm ss NN`).
    DateTime,
    /// ASCII text, sent last character first.
    Ascii,
    /// A status or feature word, shown in hexadecimal.
    Bits,
    /// A communication rate feature word (Appendix C).
    Baud,
    /// Bytes with no further structure.
    Raw,
}

/// The format of one value: the standard's pattern, its length and unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// The pattern as the standard writes it (`XXXXXX.XX`).
    pub pattern: &'static str,
    /// Length in bytes; 0 means "the rest of the data".
    pub len: u16,
    pub shape: Shape,
    /// Unit (`kWh`), empty when the value has none.
    pub unit: &'static str,
}

impl Format {
    /// An unsigned BCD number.
    pub const fn num(pattern: &'static str, len: u16, decimals: u8, unit: &'static str) -> Self {
        Format { pattern, len, shape: Shape::Number { decimals, signed: false }, unit }
    }
    /// A BCD number whose top bit is the sign.
    pub const fn signed(pattern: &'static str, len: u16, decimals: u8, unit: &'static str) -> Self {
        Format { pattern, len, shape: Shape::Number { decimals, signed: true }, unit }
    }
    pub const fn digits(pattern: &'static str, len: u16) -> Self {
        Format { pattern, len, shape: Shape::Digits, unit: "" }
    }
    /// A date or time; the length follows from the pattern (two letters a byte).
    pub const fn time(pattern: &'static str) -> Self {
        Format { pattern, len: (pattern.len() / 2) as u16, shape: Shape::DateTime, unit: "" }
    }
    pub const fn ascii(pattern: &'static str, len: u16) -> Self {
        Format { pattern, len, shape: Shape::Ascii, unit: "" }
    }
    pub const fn bits(pattern: &'static str, len: u16) -> Self {
        Format { pattern, len, shape: Shape::Bits, unit: "" }
    }
    pub const fn raw(pattern: &'static str, len: u16) -> Self {
        Format { pattern, len, shape: Shape::Raw, unit: "" }
    }
    pub const fn with_unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }
    /// The bytes of data that follow a record's known fields.
    pub const REST: Format = Format::raw("…", 0);
    pub const BAUD: Format = Format { pattern: "NN", len: 1, shape: Shape::Baud, unit: "" };
}

/// Something wrong with a value, pinned to a byte of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issue {
    /// A nibble that is not a decimal digit, at this wire byte index.
    Bcd { index: usize },
    /// An impossible date or time field (`month 13`).
    Date { field: &'static str, found: u8 },
}

/// A decoded value: machine-readable `value`, optional human `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub value: String,
    pub text: Option<String>,
    pub issue: Option<Issue>,
}

/// A decoded value in no language: messages that refer to the value's bytes
/// where they stand in a frame's derived bytes.
#[derive(Clone, Debug)]
pub struct Value {
    pub value: Msg,
    pub text: Msg,
    pub issue: Option<Issue>,
}

impl Value {
    fn plain(value: Msg) -> Self {
        Value { value, text: Msg::None, issue: None }
    }
}

pub use crate::wire::hex_msb_first;

/// Decode `wire` (0x33 already removed) as `format`, for a language. Never
/// panics; a value of another length than the format's is decoded as raw bytes.
pub fn decode(format: &Format, wire: &[u8], lang: Lang) -> Decoded {
    let v = decode_value(format, wire, 0);
    let cx = RenderCx { derived: wire, ..RenderCx::default() };
    let text = (!v.text.is_none()).then(|| v.text.render(lang, &cx));
    Decoded { value: v.value.render(lang, &cx), text, issue: v.issue }
}

/// Decode `wire` (0x33 already removed) as `format`; `at` is where `wire`
/// starts in the frame's derived bytes. Never panics.
pub fn decode_value(format: &Format, wire: &[u8], at: u32) -> Value {
    // Made where used: a message made and not used is dropped, which costs.
    let digits = || derived(at, wire, false);
    if wire.is_empty() {
        return Value::plain(Msg::Str(""));
    }
    if format.shape != Shape::Raw && format.shape != Shape::Ascii && wire.iter().all(|&b| b == 0xFF) {
        return Value { value: digits(), text: crate::msg!("no data", "无数据"), issue: None };
    }
    match format.shape {
        Shape::Number { decimals, signed } => number(wire, decimals, signed, at),
        Shape::Digits => match bcd_digits(wire, false) {
            Ok(_) => Value::plain(digits()),
            Err(index) => Value { value: digits(), text: Msg::None, issue: Some(Issue::Bcd { index }) },
        },
        Shape::DateTime => date_time(format.pattern, wire, at),
        Shape::Ascii => Value::plain(Msg::owned(ascii(wire))),
        Shape::Bits => Value::plain(digits()),
        Shape::Baud => Value { value: digits(), text: Msg::Code(baud_text, u64::from(wire[0])), issue: None },
        Shape::Raw => Value::plain(derived(at, wire, true)),
    }
}

/// The bytes `wire`, kept in the derived bytes at `at`, as hex: spaced in
/// wire order, or as digits (most significant byte first).
fn derived(at: u32, wire: &[u8], spaced: bool) -> Msg {
    Msg::Derived { at, len: wire.len() as u32, spaced, reversed: !spaced }
}

/// BCD digits most significant first, as a number and their count, or the
/// wire index of the first bad byte.
fn bcd_digits(wire: &[u8], sign_bit: bool) -> Result<(u128, usize, bool), usize> {
    let mut n: u128 = 0;
    let mut negative = false;
    for (k, &byte) in wire.iter().enumerate().rev() {
        let mut b = byte;
        if sign_bit && k + 1 == wire.len() {
            negative = b & 0x80 != 0;
            b &= 0x7F;
        }
        let (hi, lo) = (b >> 4, b & 0x0F);
        if hi > 9 || lo > 9 {
            return Err(k);
        }
        n = n.wrapping_mul(100).wrapping_add(u128::from(hi * 10 + lo));
    }
    Ok((n, wire.len() * 2, negative))
}

/// `XXXXXX.XX` and friends: `00 00 09 64` (MSB first) reads `9.64`.
fn number(wire: &[u8], decimals: u8, signed: bool, at: u32) -> Value {
    let (n, count, negative) = match bcd_digits(wire, signed) {
        Ok(d) => d,
        Err(index) => {
            return Value { value: derived(at, wire, false), text: Msg::None, issue: Some(Issue::Bcd { index }) };
        }
    };
    let scale = decimals.min(count as u8);
    match i64::try_from(n) {
        Ok(m) if count <= 18 && !(negative && m == 0) => {
            Value::plain(Msg::Decimal { mantissa: if negative { -m } else { m }, scale })
        }
        // Very long numbers and a negative zero keep their digits as written.
        _ => {
            let mut s = String::new();
            let p = 10u128.pow(u32::from(scale));
            let sign = if negative { "-" } else { "" };
            let _ = if scale == 0 {
                write!(s, "{sign}{n}")
            } else {
                write!(s, "{sign}{}.{:0w$}", n / p, n % p, w = usize::from(scale))
            };
            Value::plain(Msg::owned(s))
        }
    }
}

fn ascii(wire: &[u8]) -> String {
    let text: String =
        wire.iter().rev().map(|&b| if (0x20..0x7F).contains(&b) { char::from(b) } else { '\u{0}' }).collect();
    text.trim_matches(|c: char| c == '\u{0}' || c == ' ').replace('\u{0}', ".")
}

/// Days in a month of year 20YY.
fn days_in_month(year: u8, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The fields of a date pattern, each with its BCD value.
#[derive(Clone, Copy)]
struct Fields {
    year: Option<u8>,
    month: Option<u8>,
    day: Option<u8>,
    week: Option<u8>,
    hour: Option<u8>,
    minute: Option<u8>,
    second: Option<u8>,
    number: Option<u8>,
}

impl Fields {
    /// One byte per field, `FF` when absent: the code of [`render_date`].
    fn pack(&self) -> u64 {
        [self.year, self.month, self.day, self.week, self.hour, self.minute, self.second, self.number]
            .iter()
            .fold(0u64, |acc, f| (acc << 8) | u64::from(f.unwrap_or(0xFF)))
    }
    fn unpack(code: u64) -> Self {
        let b = code.to_be_bytes();
        let f = |x: u8| (x != 0xFF).then_some(x);
        Fields {
            year: f(b[0]),
            month: f(b[1]),
            day: f(b[2]),
            week: f(b[3]),
            hour: f(b[4]),
            minute: f(b[5]),
            second: f(b[6]),
            number: f(b[7]),
        }
    }
}

fn bcd(b: u8) -> Option<u8> {
    let (hi, lo) = (b >> 4, b & 0x0F);
    (hi <= 9 && lo <= 9).then_some(hi * 10 + lo)
}

fn date_fields(pattern: &str, wire: &[u8]) -> Result<Fields, usize> {
    let mut f =
        Fields { year: None, month: None, day: None, week: None, hour: None, minute: None, second: None, number: None };
    let n = wire.len();
    for (i, key) in pattern.as_bytes().chunks(2).enumerate().take(n) {
        let k = n - 1 - i;
        let v = bcd(wire[k]).ok_or(k)?;
        let slot = match key {
            b"YY" => &mut f.year,
            b"MM" => &mut f.month,
            b"DD" => &mut f.day,
            b"WW" => &mut f.week,
            b"hh" => &mut f.hour,
            b"mm" => &mut f.minute,
            b"ss" => &mut f.second,
            _ => &mut f.number,
        };
        *slot = Some(v);
    }
    Ok(f)
}

/// The first impossible field, if any.
fn date_issue(f: &Fields) -> Option<Issue> {
    let bad = |field: &'static str, found: u8| Some(Issue::Date { field, found });
    if let Some(m) = f.month
        && !(1..=12).contains(&m)
    {
        return bad("month", m);
    }
    if let Some(d) = f.day {
        let max = match (f.year, f.month) {
            (Some(y), Some(m)) => days_in_month(y, m),
            (None, Some(m)) => days_in_month(0, m),
            _ => 31,
        };
        if d == 0 || d > max {
            return bad("day", d);
        }
    }
    match (f.week, f.hour, f.minute, f.second) {
        (Some(w), ..) if w > 6 => bad("weekday", w),
        (_, Some(h), ..) if h > 23 => bad("hour", h),
        (_, _, Some(m), _) if m > 59 => bad("minute", m),
        (.., Some(s)) if s > 59 => bad("second", s),
        _ => None,
    }
}

/// A date of packed fields ([`Fields::pack`]): `2024-05-17 12:30 W5 #01`.
fn render_date(code: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let f = Fields::unpack(code);
    let mut sep = "";
    if let Some(y) = f.year {
        write!(w, "20{y:02}")?;
        sep = "-";
    }
    for v in [f.month, f.day].into_iter().flatten() {
        write!(w, "{sep}{v:02}")?;
        sep = "-";
    }
    let time: Vec<u8> = [f.hour, f.minute, f.second].into_iter().flatten().collect();
    if !time.is_empty() {
        if !sep.is_empty() {
            w.write_char(' ')?;
        }
        for (i, v) in time.iter().enumerate() {
            write!(w, "{}{v:02}", if i == 0 { "" } else { ":" })?;
        }
        if time.len() == 1 {
            w.write_str(":00")?;
        }
    }
    if let Some(wd) = f.week {
        write!(w, " W{wd}")?;
    }
    if let Some(n) = f.number {
        write!(w, " #{n:02}")?;
    }
    Ok(())
}

/// Weekday name; 0 is Sunday (Appendix A, 04000101).
pub fn weekday(w: u8, lang: Lang) -> &'static str {
    const EN: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    const ZH: [&str; 7] = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];
    let i = usize::from(w.min(6));
    lang.pick(EN[i], ZH[i])
}

fn weekday_name(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    w.write_str(weekday(code as u8, lang))
}

fn date_time(pattern: &str, wire: &[u8], at: u32) -> Value {
    if pattern.len() != wire.len() * 2 {
        return Value::plain(derived(at, wire, true));
    }
    if wire.iter().all(|&b| b == 0) {
        return Value { value: derived(at, wire, false), text: crate::msg!("not set", "未设置"), issue: None };
    }
    let fields = match date_fields(pattern, wire) {
        Ok(f) => f,
        Err(index) => {
            return Value { value: derived(at, wire, false), text: Msg::None, issue: Some(Issue::Bcd { index }) };
        }
    };
    let issue = date_issue(&fields);
    let text = fields.week.filter(|&w| w <= 6).map_or(Msg::None, |w| Msg::Code(weekday_name, u64::from(w)));
    Value { value: Msg::Code(render_date, fields.pack()), text, issue }
}

/// Baud rates of the communication rate feature word Z (Appendix C):
/// bit 1 600, bit 2 1200, bit 3 2400, bit 4 4800, bit 5 9600, bit 6 19200 bps.
pub fn baud_rates(z: u8) -> Vec<u32> {
    [(1, 600), (2, 1200), (3, 2400), (4, 4800), (5, 9600), (6, 19200)]
        .iter()
        .filter(|(bit, _)| z & (1 << bit) != 0)
        .map(|&(_, rate)| rate)
        .collect()
}

fn baud_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let rates = baud_rates(code as u8);
    if rates.is_empty() {
        return w.write_str(lang.pick("no rate selected", "未选择速率"));
    }
    for (i, r) in rates.iter().enumerate() {
        write!(w, "{}{r} bps", if i == 0 { "" } else { ", " })?;
    }
    Ok(())
}

/// Encode a decimal number string (`-12.5`) as `len` BCD bytes, low byte first.
/// For tests and simulators; `None` when it does not fit.
pub fn encode_number(value: &str, len: usize, decimals: u8, signed: bool) -> Option<Vec<u8>> {
    let (negative, body) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if frac.len() > decimals as usize || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut digits = format!("{int}{frac:0<width$}", width = decimals as usize);
    let width = len * 2;
    if digits.len() > width {
        digits = digits.trim_start_matches('0').to_string();
        if digits.len() > width {
            return None;
        }
    }
    let digits = format!("{digits:0>width$}");
    let mut msb_first: Vec<u8> = digits.as_bytes().chunks(2).map(|p| ((p[0] - b'0') << 4) | (p[1] - b'0')).collect();
    if signed && negative {
        if msb_first[0] & 0x80 != 0 {
            return None;
        }
        msb_first[0] |= 0x80;
    }
    msb_first.reverse();
    Some(msb_first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENERGY: Format = Format::num("XXXXXX.XX", 4, 2, "kWh");
    const CURRENT: Format = Format::signed("XXX.XXX", 3, 3, "A");

    #[test]
    fn numbers() {
        assert_eq!(decode(&ENERGY, &[0x64, 0x09, 0x00, 0x00], Lang::En).value, "9.64");
        assert_eq!(decode(&ENERGY, &[0x67, 0x45, 0x23, 0x01], Lang::En).value, "12345.67");
        assert_eq!(decode(&ENERGY, &[0x00, 0x00, 0x00, 0x00], Lang::En).value, "0.00");
        assert_eq!(decode(&CURRENT, &[0x00, 0x15, 0x80], Lang::En).value, "-1.500");
        assert_eq!(decode(&Format::num("XXX.X", 2, 1, "V"), &[0x56, 0x22], Lang::En).value, "225.6");
        let bad = decode(&ENERGY, &[0x64, 0x0A, 0x00, 0x00], Lang::En);
        assert_eq!(bad.issue, Some(Issue::Bcd { index: 1 }));
        let none = decode(&Format::num("XXX.X", 2, 1, "V"), &[0xFF, 0xFF], Lang::Zh);
        assert_eq!((none.value.as_str(), none.text.as_deref()), ("FFFF", Some("无数据")));
    }

    #[test]
    fn dates() {
        let d = decode(&Format::time("YYMMDDhhmm"), &[0x37, 0x15, 0x21, 0x08, 0x16], Lang::En);
        assert_eq!((d.value.as_str(), d.issue), ("2016-08-21 15:37", None));
        let w = decode(&Format::time("YYMMDDWW"), &[0x00, 0x21, 0x08, 0x16], Lang::En);
        assert_eq!((w.value.as_str(), w.text.as_deref()), ("2016-08-21 W0", Some("Sunday")));
        let bad = decode(&Format::time("YYMMDDhhmm"), &[0x37, 0x15, 0x30, 0x02, 0x16], Lang::En);
        assert_eq!(bad.issue, Some(Issue::Date { field: "day", found: 30 }));
        let hour = decode(&Format::time("hhmmss"), &[0x00, 0x00, 0x24], Lang::En);
        assert_eq!(hour.issue, Some(Issue::Date { field: "hour", found: 24 }));
        assert_eq!(decode(&Format::time("DDhh"), &[0x00, 0x01], Lang::En).value, "01 00:00");
        assert_eq!(decode(&Format::time("MMDDNN"), &[0x02, 0x15, 0x03], Lang::En).value, "03-15 #02");
    }

    #[test]
    fn text_and_words() {
        assert_eq!(decode(&Format::ascii("ASCII", 4), b"1VD\x00", Lang::En).value, "DV1");
        assert_eq!(decode(&Format::BAUD, &[0x08], Lang::En).text.as_deref(), Some("2400 bps"));
        assert_eq!(
            decode(&Format::digits("NNNNNNNNNNNN", 6), &[0x12, 0x90, 0x78, 0x56, 0x34, 0x12], Lang::En).value,
            "123456789012"
        );
    }

    #[test]
    fn encode_round_trips() {
        for (v, len, dec, signed) in [("9.64", 4, 2, false), ("-1.500", 3, 3, true), ("225.6", 2, 1, false)] {
            let wire = encode_number(v, len, dec, signed).unwrap();
            let f = Format { pattern: "", len: len as u16, shape: Shape::Number { decimals: dec, signed }, unit: "" };
            assert_eq!(decode(&f, &wire, Lang::En).value, v);
        }
        assert_eq!(encode_number("123456789", 2, 0, false), None);
    }
}
