//! Values for people and for requests: the class an OBIS code usually has,
//! targets parsed from text, COSEM date-times, data as text, scaled numbers,
//! and the pieces read out of replies (attribute references, scaler and unit,
//! object-list entries).

use super::*;

/// The interface class an OBIS code usually has, when the caller gives none:
/// clock 8, profiles 7, association LN 15, disconnect control 70, push setup
/// 40, M-Bus client 72, M-Bus values 4, registers of electricity (A = 1) 3,
/// everything else data (1).
pub fn guess_class(code: [u8; 6]) -> u16 {
    match code {
        [0, _, 1, 0, _, _] => 8,
        [_, _, 99, ..] => 7,
        [0, _, 40, 0, _, _] => 15,
        [0, _, 96, 3, 10, _] => 70,
        [0, _, 25, 9, _, _] => 40,
        [0, _, 24, 1, _, _] => 72,
        [0, _, 24, 2, _, _] => 4,
        [_, _, 0, ..] => 1,
        [1, _, c, d, _, _] if c < 96 && d != 0 => 3,
        _ => 1,
    }
}

/// `CLASS/OBIS:ATTR`, `OBIS:ATTR` or `OBIS` (attribute 2, class guessed).
pub fn parse_target(text: &str) -> Option<AttrRef> {
    let (class, rest) = match text.split_once('/') {
        Some((c, r)) => (Some(c.trim().parse::<u16>().ok()?), r),
        None => (None, text),
    };
    // The attribute follows the last ':' when what precedes it is a whole OBIS code.
    let (code, attr) = match rest.rsplit_once(':') {
        Some((head, a)) if obis::parse(head).is_some() && a.trim().parse::<i8>().is_ok() => {
            (obis::parse(head)?, a.trim().parse::<i8>().ok()?)
        }
        _ => (obis::parse(rest)?, 2),
    };
    Some(AttrRef::new(class.unwrap_or_else(|| guess_class(code)), code, attr))
}

/// A date-time of the `Data` form (12 octets) as a civil time, when every field is given.
pub fn civil(raw: &[u8; 12]) -> Option<DateTime> {
    let t = DateTime {
        year: u16::from_be_bytes([raw[0], raw[1]]),
        month: raw[2],
        day: raw[3],
        hour: raw[5],
        minute: raw[6],
        second: raw[7],
    };
    (t.year != 0xFFFF && t.is_valid()).then_some(t)
}

/// The 12 octets of a date-time: weekday 1 = Monday, hundredths 0, deviation
/// not specified, status 0.
pub fn octets(t: DateTime) -> [u8; 12] {
    let [y0, y1] = t.year.to_be_bytes();
    let wd = match t.weekday() {
        0 => 7,
        d => d,
    };
    [y0, y1, t.month, t.day, wd, t.hour, t.minute, t.second, 0, 0x80, 0x00, 0x00]
}

/// A value as text: numbers, strings, octets in hex, date-times, structures in brackets.
pub fn data_text(d: &Data) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Boolean(b) => b.to_string(),
        Data::DoubleLong(v) => v.to_string(),
        Data::DoubleLongUnsigned(v) => v.to_string(),
        Data::Integer(v) => v.to_string(),
        Data::Long(v) => v.to_string(),
        Data::Unsigned(v) | Data::Enum(v) | Data::Bcd(v) => v.to_string(),
        Data::LongUnsigned(v) => v.to_string(),
        Data::Long64(v) => v.to_string(),
        Data::Long64Unsigned(v) => v.to_string(),
        Data::Float32(b) => f32::from_bits(*b).to_string(),
        Data::Float64(b) => f64::from_bits(*b).to_string(),
        Data::VisibleString(b) | Data::Utf8String(b) => String::from_utf8_lossy(b).into_owned(),
        Data::OctetString(b) if b.len() == 6 && b[5] == 255 => obis::canonical([b[0], b[1], b[2], b[3], b[4], b[5]]),
        Data::OctetString(b) if b.len() == 12 => {
            let mut a = [0u8; 12];
            a.copy_from_slice(b);
            civil(&a).map_or_else(|| super::super::hex(b), |t| t.to_string())
        }
        Data::OctetString(b) => super::super::hex(b),
        Data::BitString(n, b) => format!("{n} bits {}", super::super::hex(b)),
        Data::DateTime(raw) => civil(raw).map_or_else(|| super::super::hex(raw), |t| t.to_string()),
        Data::Date(b) => super::super::hex(b),
        Data::Time(b) => super::super::hex(b),
        Data::DontCare => "don't care".into(),
        Data::Array(v) | Data::Structure(v) | Data::CompactArray(_, v) => {
            format!("[{}]", v.iter().map(data_text).collect::<Vec<_>>().join(", "))
        }
    }
}

/// An integer value times 10^scaler, exactly.
pub fn scaled(d: &Data, scaler: i8) -> Option<Number> {
    let v: i128 = match d {
        Data::DoubleLong(v) => (*v).into(),
        Data::DoubleLongUnsigned(v) => (*v).into(),
        Data::Integer(v) => (*v).into(),
        Data::Long(v) => (*v).into(),
        Data::Unsigned(v) => (*v).into(),
        Data::LongUnsigned(v) => (*v).into(),
        Data::Long64(v) => (*v).into(),
        Data::Long64Unsigned(v) => (*v).into(),
        _ => return None,
    };
    Some(Number::new(v, scaler))
}

pub(super) fn attr_of(d: &Data) -> Option<AttrRef> {
    let Data::Structure(s) = d else { return None };
    match s.as_slice() {
        [Data::LongUnsigned(class), Data::OctetString(ln), Data::Integer(attr), ..] if ln.len() == 6 => {
            let mut o = [0u8; 6];
            o.copy_from_slice(ln);
            Some(AttrRef::new(*class, o, *attr))
        }
        _ => None,
    }
}

/// The scaler and unit of a `scaler_unit` value.
pub(super) fn scaler_unit(d: &Data) -> Option<(i8, u8)> {
    match d {
        Data::Structure(v) => match v.as_slice() {
            [Data::Integer(s), Data::Enum(u)] => Some((*s, *u)),
            _ => None,
        },
        _ => None,
    }
}

/// An object list entry: logical-name form `{class, version, LN, rights}` or
/// short-name form `{base name, class, version, LN}` (with the base name).
pub(super) fn object_entry(d: &Data) -> Option<(ObjectEntry, Option<u16>)> {
    let Data::Structure(v) = d else { return None };
    let ln = |b: &Vec<u8>| <[u8; 6]>::try_from(b.as_slice()).ok();
    match v.as_slice() {
        [Data::LongUnsigned(class), Data::Unsigned(version), Data::OctetString(b), ..] => {
            Some((ObjectEntry { class: *class, version: *version, obis: ln(b)? }, None))
        }
        [Data::Long(base), Data::LongUnsigned(class), Data::Unsigned(version), Data::OctetString(b), ..] => {
            Some((ObjectEntry { class: *class, version: *version, obis: ln(b)? }, Some(*base as u16)))
        }
        _ => None,
    }
}

/// A short-name read result as a GET result.
pub(super) fn sn_result(r: SnReadResult) -> GetResult {
    match r {
        SnReadResult::Data(d) => Ok(d),
        SnReadResult::Error(code) => Err(code),
        SnReadResult::Block { .. } | SnReadResult::BlockNumber(_) => Err(250),
    }
}

/// Every attribute of an interface class, from 1 (the logical name) on.
pub fn all_attributes(class: u16, obis: [u8; 6]) -> Vec<AttrRef> {
    (1..=i8::MAX)
        .take_while(|&a| classes::attribute_name(class, a).is_some())
        .map(|a| AttrRef::new(class, obis, a))
        .collect()
}
