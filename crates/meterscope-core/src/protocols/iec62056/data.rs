//! Data lines of IEC 62056-21 data messages and DSMR P1 telegrams
//! (IEC 62056-21:2002, 6.3.17 to 6.3.20): `address(value*unit)` data sets,
//! several per line and several values per set, with byte ranges.

use core::fmt;
use core::ops::Range;

use crate::lang::Lang;

/// One parenthesised value `(value*unit)`; ranges index the scanned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// From `(` through `)` (or the end of the line when `)` is missing).
    pub span: Range<usize>,
    pub value: Range<usize>,
    /// After the `*`, when there is one.
    pub unit: Option<Range<usize>>,
    /// The closing `)` is present.
    pub closed: bool,
}

/// One data set: an address (possibly empty) and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    pub span: Range<usize>,
    pub address: Range<usize>,
    pub groups: Vec<Group>,
}

/// One data line and its line end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The text of the line, without the line end.
    pub span: Range<usize>,
    /// The line end (CR LF, LF, or empty at the end of the bytes).
    pub eol: Range<usize>,
    pub sets: Vec<DataSet>,
}

/// Split `b[range]` into lines and data sets. Never panics; every loop advances.
pub fn lines(b: &[u8], range: Range<usize>) -> Vec<Line> {
    line_iter(b, range).map(|l| Line { sets: sets(b, l.span.clone()), span: l.span, eol: l.eol }).collect()
}

/// The data sets of one line.
pub fn sets(b: &[u8], range: Range<usize>) -> Vec<DataSet> {
    set_iter(b, range).map(|s| DataSet { groups: s.groups(b).collect(), span: s.span, address: s.address }).collect()
}

/// One line as [`line_iter`] finds it, before its data sets are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineAt {
    /// The text of the line, without the line end.
    pub span: Range<usize>,
    /// The line end (CR LF, LF, or empty at the end of the bytes).
    pub eol: Range<usize>,
}

/// The lines of `b[range]`, one after the other, without allocating.
pub fn line_iter(b: &[u8], range: Range<usize>) -> LineIter<'_> {
    let end = range.end.min(b.len());
    LineIter { b, at: range.start.min(end), end }
}

pub struct LineIter<'a> {
    b: &'a [u8],
    at: usize,
    end: usize,
}

impl Iterator for LineIter<'_> {
    type Item = LineAt;
    fn next(&mut self) -> Option<LineAt> {
        let (b, at, end) = (self.b, self.at, self.end);
        if at >= end {
            return None;
        }
        let stop = b[at..end].iter().position(|&c| c == b'\n').map_or(end, |i| at + i);
        let text_end = if stop > at && b[stop - 1] == b'\r' { stop - 1 } else { stop };
        let eol_end = if stop < end { stop + 1 } else { end };
        self.at = eol_end;
        Some(LineAt { span: at..text_end, eol: text_end..eol_end })
    }
}

/// One data set as [`set_iter`] finds it; its values are read by [`SetAt::groups`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAt {
    pub span: Range<usize>,
    pub address: Range<usize>,
}

impl SetAt {
    /// The parenthesised values of this set.
    pub fn groups<'a>(&self, b: &'a [u8]) -> GroupIter<'a> {
        GroupIter { b, i: self.address.end, end: self.span.end.min(b.len()) }
    }
}

/// The data sets of one line, without allocating.
pub fn set_iter(b: &[u8], range: Range<usize>) -> SetIter<'_> {
    let end = range.end.min(b.len());
    SetIter { b, i: range.start.min(end), end }
}

pub struct SetIter<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
}

impl Iterator for SetIter<'_> {
    type Item = SetAt;
    fn next(&mut self) -> Option<SetAt> {
        let (b, end) = (self.b, self.end);
        let start = self.i;
        if start >= end {
            return None;
        }
        let mut i = start;
        while i < end && b[i] != b'(' {
            i += 1;
        }
        let address = start..i;
        while i < end && b[i] == b'(' {
            i = group_at(b, i, end).span.end;
        }
        self.i = i;
        Some(SetAt { span: start..i, address })
    }
}

pub struct GroupIter<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
}

impl Iterator for GroupIter<'_> {
    type Item = Group;
    fn next(&mut self) -> Option<Group> {
        if self.i >= self.end || self.b[self.i] != b'(' {
            return None;
        }
        let g = group_at(self.b, self.i, self.end);
        self.i = g.span.end;
        Some(g)
    }
}

/// The group whose `(` is at `open`, ending at its `)` or at `end`.
fn group_at(b: &[u8], open: usize, end: usize) -> Group {
    let close = b[open + 1..end].iter().position(|&c| c == b')').map(|k| open + 1 + k);
    let inner_end = close.unwrap_or(end);
    let inner = open + 1..inner_end;
    let star = b[inner.clone()].iter().rposition(|&c| c == b'*').map(|k| inner.start + k);
    let (value, unit) = match star {
        Some(s) => (inner.start..s, Some(s + 1..inner_end)),
        None => (inner, None),
    };
    let next = close.map_or(end, |c| c + 1);
    Group { span: open..next, value, unit, closed: close.is_some() }
}

/// An OBIS-like identifier as written (`1-0:1.8.0*255`, `1.8.0`, `C.1.0`,
/// `0-1:24.2.1`, `1.8.1&04`), read through [`crate::obis::parse`]; a `,N`
/// address suffix (several objects of one kind, IEC 62056-21 readouts) is
/// split off and returned beside the code.
pub fn identifier(s: &str) -> Option<([u8; 6], Option<&str>)> {
    let (head, sub) = match s.split_once(',') {
        Some((head, n)) if !n.is_empty() && n.len() <= 3 && n.bytes().all(|c| c.is_ascii_digit()) => (head, Some(n)),
        Some(_) => return None,
        None => (s, None),
    };
    if head.bytes().any(|c| c.is_ascii_whitespace()) {
        return None;
    }
    crate::obis::parse(head).map(|code| (code, sub))
}

/// `C.D.E` of a code.
pub fn cde(code: [u8; 6]) -> (u8, u8, u8) {
    (code[2], code[3], code[4])
}

/// A date-time value `YYMMDDhhmmss` with an optional `W` (winter, standard
/// time) or `S` (summer, daylight saving time) flag, shown as a date.
pub fn timestamp(v: &str, lang: Lang) -> Option<String> {
    let code = timestamp_code(v.as_bytes())?;
    let mut out = String::with_capacity(40);
    let _ = write_timestamp(code, lang, &mut out);
    Some(out)
}

/// A date-time value packed for [`write_timestamp`], when `v` is one.
pub fn timestamp_code(v: &[u8]) -> Option<u64> {
    let (digits, flag) = match v.last()? {
        b'W' => (&v[..v.len() - 1], 1),
        b'S' => (&v[..v.len() - 1], 2),
        _ => (v, 0),
    };
    if digits.len() != 12 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize| (digits[i] - b'0') * 10 + (digits[i + 1] - b'0');
    let (mo, d, h, mi, s) = (n(2), n(4), n(6), n(8), n(10));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let fields = [n(0), mo, d, h, mi, s, flag];
    Some(fields.iter().enumerate().fold(0u64, |acc, (i, &x)| acc | u64::from(x) << (8 * i)))
}

/// Write a date-time packed by [`timestamp_code`]: `2017-01-02 19:20:02 winter time`.
pub fn write_timestamp(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let f = |i: u32| (code >> (8 * i)) as u8;
    write!(w, "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}", f(0), f(1), f(2), f(3), f(4), f(5))?;
    match f(6) {
        1 => w.write_str(lang.pick(" winter time", " 冬令时(标准时间)")),
        2 => w.write_str(lang.pick(" summer time", " 夏令时")),
        _ => Ok(()),
    }
}

/// Hex-encoded text (DSMR equipment identifiers and text messages), decoded
/// when every byte is printable.
pub fn hex_text(v: &str) -> Option<String> {
    if v.is_empty() || !v.len().is_multiple_of(2) || !v.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..v.len() / 2).filter_map(|i| u8::from_str_radix(&v[2 * i..2 * i + 2], 16).ok()).collect();
    let text = String::from_utf8(bytes).ok()?;
    text.chars().all(|c| !c.is_control() || c == '\n' || c == '\r').then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sets_on_a_line() {
        let b = b"3:14(314*kWh)4:15(415*kWh)\r\n0-1:24.2.1(170102161005W)(00000.107*m3)\n()";
        let l = lines(b, 0..b.len());
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].sets.len(), 2);
        assert_eq!(&b[l[0].sets[1].address.clone()], b"4:15");
        assert_eq!(&b[l[0].sets[1].groups[0].unit.clone().unwrap()], b"kWh");
        assert_eq!(l[1].sets[0].groups.len(), 2);
        assert_eq!(l[1].eol.len(), 1);
        assert_eq!(l[2].sets[0].groups[0].value.len(), 0);
    }

    #[test]
    fn identifiers() {
        assert_eq!(identifier("1-0:1.8.0*255").unwrap().0, [1, 0, 1, 8, 0, 255]);
        assert_eq!(identifier("C.1.0").unwrap().0[2], 96);
        assert_eq!(identifier("1.8.1&04").unwrap().0[5], 4);
        assert_eq!(identifier("0.0.0,2").unwrap().1, Some("2"));
        assert!(identifier("3:14").is_none());
        assert!(identifier("ERR04").is_none());
    }

    #[test]
    fn timestamps_and_text() {
        assert_eq!(timestamp("170102192002W", Lang::En).unwrap(), "2017-01-02 19:20:02 winter time");
        assert_eq!(timestamp("230724150730S", Lang::En).unwrap(), "2023-07-24 15:07:30 summer time");
        assert!(timestamp("171302192002W", Lang::En).is_none());
        assert_eq!(hex_text("4B384547").unwrap(), "K8EG");
        assert!(hex_text("ZZ").is_none());
    }
}
