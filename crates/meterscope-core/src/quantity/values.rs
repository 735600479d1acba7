//! The values of a quantity from the pieces read for its points: numbers
//! in the quantity's unit, date-times in ISO 8601.

use super::{FreezePart, Kind, Part, Quantity};

/// What a session read for one point: its part, the value as the session
/// wrote it (`230.1`, `006872.455`, `2024-05-17 W5`) and its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub part: Part,
    pub value: String,
    pub unit: String,
}

/// One value of a quantity, ready to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// `L1`, `time`…; none for the quantity's one value.
    pub element: Option<&'static str>,
    /// A decimal number without leading zeros (`6872.455`), an ISO 8601
    /// date-time (`2024-05-17T10:30:00`), or the text read when it is neither.
    pub value: String,
    /// Whether `value` is a decimal number.
    pub numeric: bool,
    pub unit: String,
}

/// The values of `q` from the pieces read for its points, in the table's
/// order: numbers in the quantity's unit (W as kW, Wh as kWh, var as kvar),
/// a clock read in halves joined, tariff registers summed, date-times in
/// ISO 8601. A piece that cannot be converted is kept as read, with its unit.
pub fn assemble(q: &Quantity, pieces: &[Piece]) -> Vec<Value> {
    let mut out = Vec::new();
    let date = pieces.iter().find(|p| p.part == Part::Date);
    let time = pieces.iter().find(|p| p.part == Part::Time);
    if let (Some(d), Some(t)) = (date, time) {
        out.push(match join_date_time(&d.value, &t.value) {
            Some(iso) => Value { element: None, value: iso, numeric: false, unit: String::new() },
            None => {
                Value { element: None, value: format!("{} {}", d.value, t.value), numeric: false, unit: String::new() }
            }
        });
    }
    let tariffs: Vec<&Piece> = pieces.iter().filter(|p| p.part == Part::Tariff).collect();
    if !tariffs.is_empty() {
        let converted: Option<Vec<String>> = tariffs.iter().map(|p| convert(&p.value, &p.unit, q.unit)).collect();
        if let Some(sum) = converted.and_then(|v| sum_decimals(&v)) {
            out.push(Value { element: None, value: sum, numeric: true, unit: q.unit.to_string() });
        } else {
            out.extend(tariffs.iter().map(|p| as_read(p, None)));
        }
    }
    for p in pieces.iter().filter(|p| !matches!(p.part, Part::Date | Part::Time | Part::Tariff)) {
        let element = p.part.element();
        let (kind, unit) = match p.part {
            Part::Freeze(FreezePart::Time) => (Kind::DateTime, ""),
            Part::Freeze(_) => (Kind::Number, "kWh"),
            _ => (q.kind, q.unit),
        };
        let value = match kind {
            Kind::DateTime => {
                iso_date_time(&p.value).map(|iso| Value { element, value: iso, numeric: false, unit: String::new() })
            }
            _ => convert(&p.value, &p.unit, unit).map(|v| Value {
                element,
                value: v,
                numeric: true,
                unit: unit.to_string(),
            }),
        };
        out.push(value.unwrap_or_else(|| as_read(p, element)));
    }
    out
}

fn as_read(p: &Piece, element: Option<&'static str>) -> Value {
    match plain_decimal(&p.value) {
        Some(v) => Value { element, value: v, numeric: true, unit: p.unit.clone() },
        None => Value { element, value: p.value.clone(), numeric: false, unit: p.unit.clone() },
    }
}

/// A decimal number as written (`006872.455`, `-01.50`, `+5`), without
/// leading zeros: `6872.455`, `-1.50`, `5`. None when it is no plain decimal.
pub fn plain_decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !ok(int) || (int.is_empty() && frac.is_none_or(str::is_empty)) || !frac.is_none_or(|f| ok(f) && !f.is_empty()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Some(match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    })
}

/// Move the decimal point of a plain decimal `shift` places right (negative: left).
fn shift_decimal(plain: &str, shift: i32) -> String {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut all: String = format!("{int}{frac}");
    let mut point = int.len() as i32 + shift;
    if point < 1 {
        all.insert_str(0, &"0".repeat((1 - point) as usize));
        point = 1;
    }
    if point as usize > all.len() {
        all.push_str(&"0".repeat(point as usize - all.len()));
    }
    let (i, f) = all.split_at(point as usize);
    let text = if f.is_empty() { format!("{sign}{i}") } else { format!("{sign}{i}.{f}") };
    plain_decimal(&text).unwrap_or(text)
}

/// A value in unit `from` in unit `to`: the same unit, or one a thousand
/// times larger or smaller (`W` and `kW`, `Wh` and `kWh`, `var` and `kvar`).
/// None when `value` is no number or the units do not convert.
pub fn convert(value: &str, from: &str, to: &str) -> Option<String> {
    let plain = plain_decimal(value)?;
    if from == to {
        return Some(plain);
    }
    let kilo = |u: &str| u.strip_prefix('k').map(str::to_string);
    if kilo(to).as_deref() == Some(from) {
        return Some(shift_decimal(&plain, -3));
    }
    if kilo(from).as_deref() == Some(to) {
        return Some(shift_decimal(&plain, 3));
    }
    None
}

/// The sum of plain decimals, with as many decimals as the longest.
pub(super) fn sum_decimals(values: &[String]) -> Option<String> {
    let decimals = values.iter().map(|v| v.split_once('.').map_or(0, |(_, f)| f.len())).max()?;
    let mut total: i128 = 0;
    for v in values {
        let (int, frac) = v.split_once('.').unwrap_or((v, ""));
        let (neg, int) = match int.strip_prefix('-') {
            Some(i) => (true, i),
            None => (false, int),
        };
        let scaled: i128 = format!("{int}{frac:0<decimals$}").parse().ok()?;
        total += if neg { -scaled } else { scaled };
    }
    let (neg, abs) = (total < 0, total.unsigned_abs());
    let digits = format!("{abs:0>width$}", width = decimals + 1);
    let (i, f) = digits.split_at(digits.len() - decimals);
    let sign = if neg { "-" } else { "" };
    Some(if decimals == 0 { format!("{sign}{i}") } else { format!("{sign}{i}.{f}") })
}

fn two(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// A date as `(year, month, day)` from `YYYY-MM-DD…` or six digits `YYMMDD`.
fn date_of(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim();
    let (y, m, d) = if t.len() >= 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        (t.get(0..4)?.parse().ok()?, two(t.get(5..7)?)?, two(t.get(8..10)?)?)
    } else if t.len() >= 6 && t.bytes().take(6).all(|b| b.is_ascii_digit()) {
        (2000 + two(t.get(0..2)?)?, two(t.get(2..4)?)?, two(t.get(4..6)?)?)
    } else {
        return None;
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A time as `(hour, minute, second)` from `hh:mm[:ss]` or six digits `hhmmss`.
fn time_of(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim();
    let (h, m, s) = if t.len() >= 5 && t.as_bytes()[2] == b':' {
        let s = if t.len() >= 8 && t.as_bytes()[5] == b':' { two(t.get(6..8)?)? } else { 0 };
        (two(t.get(0..2)?)?, two(t.get(3..5)?)?, s)
    } else if t.len() >= 6 && t.bytes().take(6).all(|b| b.is_ascii_digit()) {
        (two(t.get(0..2)?)?, two(t.get(2..4)?)?, two(t.get(4..6)?)?)
    } else {
        return None;
    };
    (h < 24 && m < 60 && s < 60).then_some((h, m, s))
}

fn iso((y, mo, d): (u32, u32, u32), (h, mi, s): (u32, u32, u32)) -> String {
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

/// A date and a time read apart (`2024-05-17 W5` and `10:30:00`, `240517`
/// and `103000`) as one ISO 8601 date-time.
pub fn join_date_time(date: &str, time: &str) -> Option<String> {
    Some(iso(date_of(date)?, time_of(time)?))
}

/// A date-time as the sessions write it (`2024-05-17 10:30:00`,
/// `2024-05-17 00:00`, a DSMR `240517103000S`) in ISO 8601
/// (`2024-05-17T10:30:00`, the meter's local time).
pub fn iso_date_time(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some((d, rest)) = t.split_once([' ', 'T']) {
        return Some(iso(date_of(d)?, time_of(rest.split_whitespace().next()?)?));
    }
    // YYMMDDhhmmss with an optional DST flag (S summer, W winter).
    let digits = t.strip_suffix(['S', 'W']).unwrap_or(t);
    if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(iso(date_of(&digits[..6])?, time_of(&digits[6..])?));
    }
    None
}
