//! What a user types for a read, parsed once for every surface: data
//! identifiers, OADs and records, addresses, connection modes, dates. Each
//! parser takes free text (words separated by spaces, commas or semicolons,
//! an optional `0x` on hex words) and says what is wrong with which word.

use crate::Lang;
use crate::protocols::dlt645::Variant;
use crate::protocols::dlt698::session::Connect;
use crate::protocols::mbus::session::Secondary;
use crate::session::{DateTime, Number, Value};

/// The words of `text`: separated by white space, commas, semicolons,
/// slashes or bars.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '|')).filter(|w| !w.is_empty())
}

fn hex_word(w: &str, digits: usize) -> Option<u32> {
    let t = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")).unwrap_or(w);
    if t.len() != digits || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(t, 16).ok()
}

/// Hex words of `digits` digits each (`what` names them in the message, in
/// English and Chinese).
pub fn hex_words(text: &str, digits: usize, what: (&str, &str), lang: Lang) -> Result<Vec<u32>, String> {
    words(text)
        .map(|w| {
            hex_word(w, digits).ok_or_else(|| match lang {
                Lang::En => format!("'{w}' is not a {} of {digits} hex digits", what.0),
                Lang::Zh => format!("“{w}”不是 {digits} 位十六进制的{}", what.1),
            })
        })
        .collect()
}

/// DL/T 645 data identifiers: 8 hex digits (2007, DI3..DI0) or 4 (1997).
pub fn dlt645_dis(text: &str, variant: Variant, lang: Lang) -> Result<Vec<u32>, String> {
    let width = if variant == Variant::V2007 { 8 } else { 4 };
    hex_words(text, width, ("data identifier", "数据标识"), lang)
}

/// A DL/T 645 data identifier as written in its edition (`00010000`, `9010`).
pub fn dlt645_di_text(di: u32, variant: Variant) -> String {
    if variant == Variant::V2007 { format!("{di:08X}") } else { format!("{di:04X}") }
}

/// One thing to read from a DL/T 698.45 meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dlt698Target {
    Oad(u32),
    /// The N-th last record of a record object (RSD selector 9).
    Record(u32, u8),
}

/// DL/T 698.45 targets: `00100200`, and `50040200@1` for the last record.
pub fn dlt698_targets(text: &str, lang: Lang) -> Result<Vec<Dlt698Target>, String> {
    words(text)
        .map(|w| {
            let (oad, n) = match w.split_once('@') {
                Some((o, n)) => (o, Some(n)),
                None => (w, None),
            };
            let oad = hex_word(oad, 8).ok_or_else(|| match lang {
                Lang::En => format!("'{w}' is not an OAD of 8 hex digits (or OAD@N for the N-th last record)"),
                Lang::Zh => format!("“{w}”不是 8 位十六进制的 OAD（或 OAD@N：倒数第 N 条记录）"),
            })?;
            match n {
                None => Ok(Dlt698Target::Oad(oad)),
                Some(n) => match n.parse::<u8>() {
                    Ok(n) if n >= 1 => Ok(Dlt698Target::Record(oad, n)),
                    _ => Err(match lang {
                        Lang::En => format!("'{w}': the record number after @ is 1-255"),
                        Lang::Zh => format!("“{w}”：@ 后的记录序号为 1-255"),
                    }),
                },
            }
        })
        .collect()
}

/// A DL/T 698.45 server address: an even number of hex digits, 2 to 32.
pub fn dlt698_address(text: &str, lang: Lang) -> Result<Vec<u8>, String> {
    let t = text.trim();
    if t.len() < 2 || t.len() > 32 || !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(match lang {
            Lang::En => format!("'{text}' is not a server address (2 to 32 hex digits)"),
            Lang::Zh => format!("“{text}”不是服务器地址（2 到 32 位十六进制数字）"),
        });
    }
    Ok((0..t.len()).step_by(2).filter_map(|i| u8::from_str_radix(&t[i..i + 2], 16).ok()).collect())
}

/// A DL/T 698.45 client address (CA): `0x10`, `10H` or decimal `16`, 0-255.
pub fn client_address(text: &str, lang: Lang) -> Result<u8, String> {
    let t = text.trim();
    let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).or_else(|| t.strip_suffix(['h', 'H']));
    let v = match hex {
        Some(h) => u8::from_str_radix(h, 16).ok(),
        None => t.parse::<u8>().ok(),
    };
    v.ok_or_else(|| match lang {
        Lang::En => format!("'{text}' is not a client address (0-255: 0x10, 10H or 16)"),
        Lang::Zh => format!("“{text}”不是客户机地址（0-255：0x10、10H 或 16）"),
    })
}

/// When a DL/T 698.45 read opens an application connection: `auto`,
/// `always` (`yes`, `on`) or `never` (`no`, `off`).
pub fn connect(text: &str, lang: Lang) -> Result<Connect, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "auto" | "" => Ok(Connect::Auto),
        "always" | "yes" | "on" => Ok(Connect::Always),
        "never" | "no" | "off" => Ok(Connect::Never),
        _ => Err(match lang {
            Lang::En => format!("connect '{text}': give auto, always or never"),
            Lang::Zh => format!("应用连接“{text}”：请填 auto、always 或 never"),
        }),
    }
}

/// A date and time written `YYYY-MM-DD hh:mm[:ss]` (`/` between the date's
/// parts also; a space or `T` before the time), a valid civil time from
/// 1970. After the time may come `Z` or, after a space, a note (`(Friday)`);
/// an offset (`+02:00`) is refused, as the time would be off by it.
pub fn date_time(text: &str) -> Option<DateTime> {
    let t = text.trim();
    let (d, h) = t.split_once([' ', 'T'])?;
    let mut dp = d.split(['-', '/']).map(|x| x.parse::<u16>().ok());
    let (year, month, day) = (dp.next()??, dp.next()??, dp.next()??);
    if dp.next().is_some() {
        return None;
    }
    let end = h.find(|c: char| !c.is_ascii_digit() && c != ':').unwrap_or(h.len());
    let (digits, rest) = h.split_at(end);
    if !(rest.is_empty() || rest == "Z" || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let mut hp = digits.split(':').map(|x| x.parse::<u8>().ok());
    let (hour, minute) = (hp.next()??, hp.next()??);
    let second = match hp.next() {
        Some(s) => s?,
        None => 0,
    };
    let small = |v: u16| u8::try_from(v).ok();
    let dt = DateTime { year, month: small(month)?, day: small(day)?, hour, minute, second };
    (dt.year >= 1970 && dt.is_valid()).then_some(dt)
}

/// A clock's drift in seconds as value and unit: a number of seconds under
/// an hour (`-12` s, charted when polled), `+2 d 03:04:05` beyond.
pub fn drift(d: i64) -> (Value, &'static str) {
    if d.abs() < 3600 {
        return (Value::Number(Number::integer(d.into())), "s");
    }
    let (sign, a) = (if d < 0 { '-' } else { '+' }, d.unsigned_abs());
    let (days, rest) = (a / 86_400, a % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
    (Value::Text(if days > 0 { format!("{sign}{days} d {hms}") } else { format!("{sign}{hms}") }), "")
}

/// M-Bus primary addresses `FIRST-LAST` (or one, `7`) within 0-250.
pub fn primary_range(text: &str) -> Option<(u8, u8)> {
    let t = text.trim();
    let (a, b) = t.split_once('-').unwrap_or((t, t));
    let (a, b) = (a.trim().parse::<u8>().ok()?, b.trim().parse::<u8>().ok()?);
    (a <= b && b <= 250).then_some((a, b))
}

/// What an M-Bus scan asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MbusScan {
    /// Every primary address of a range, each asked in turn.
    Primary(u8, u8),
    /// The secondary addresses a mask matches, found by wildcard search.
    Secondary(Secondary),
}

/// An M-Bus scan: `0-250`, `7`, `secondary` (every meter), or a secondary
/// address mask (`1234FFFF`); empty for every primary address.
pub fn mbus_scan(text: &str) -> Option<MbusScan> {
    let t = text.trim();
    if t.is_empty() {
        return Some(MbusScan::Primary(0, 250));
    }
    if t.eq_ignore_ascii_case("secondary") {
        return Some(MbusScan::Secondary(Secondary::ANY));
    }
    primary_range(t).map(|(a, b)| MbusScan::Primary(a, b)).or_else(|| Secondary::parse(t).map(MbusScan::Secondary))
}
