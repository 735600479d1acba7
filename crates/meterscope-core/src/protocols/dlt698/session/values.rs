//! Values in words: data rendered with the scaler of the dictionary, items,
//! readings and records named for a language.

use super::*;

/// A value typed: integers scaled by `scaler`, a valid `date_time_s` a
/// date and time, the rest as text ([`render`]).
pub fn value(d: &Data, scaler: i8) -> Value {
    match d {
        Data::Int { tag: t, value } if *t != tag::ENUM => Value::Number(Number::new(*value, scaler)),
        d @ Data::Fixed { tag: tag::DATE_TIME_S, .. } => {
            super::super::codec::parse_date_time_s(d).map_or_else(|| Value::Text(render(d, scaler)), Value::DateTime)
        }
        _ => Value::Text(render(d, scaler)),
    }
}

/// A value as text, `scaler` applied to numbers.
pub fn render(d: &Data, scaler: i8) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Bool(b) => b.to_string(),
        Data::Int { value, .. } => scaled(*value, scaler),
        Data::Fixed { tag: tag::DATE_TIME_S, bytes } if bytes.len() == 7 => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            u16::from_be_bytes([bytes[0], bytes[1]]),
            bytes[2],
            bytes[3],
            bytes[4],
            bytes[5],
            bytes[6]
        ),
        Data::Bytes { tag: tag::VISIBLE_STRING | tag::UTF8_STRING, bytes } => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        Data::Fixed { bytes, .. } | Data::Bytes { bytes, .. } | Data::BitString { bytes, .. } => hex(bytes),
        Data::Array(v) | Data::Structure(v) => {
            format!("[{}]", v.iter().map(|x| render(x, scaler)).collect::<Vec<_>>().join(", "))
        }
        other => hex(&other.to_bytes()),
    }
}

/// The labelled items of the value `d` of `o`: array elements named by the
/// dictionary (total, T1…, phase A…), numbers scaled, units attached.
pub fn items(o: Oad, d: &Data, lang: Lang) -> Vec<Item> {
    let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
    let name = dictionary::object_name(oi, lang).unwrap_or_else(|| hex(&o));
    let hint = dictionary::hint(oi, attr);
    let numeric = |d: &Data| matches!(d, Data::Int { tag: t, .. } if *t != tag::ENUM);
    let unit_of = |d: &Data| match hint {
        Some(h) if numeric(d) => crate::units::dlt698_symbol(h.unit).unwrap_or("").to_string(),
        _ => String::new(),
    };
    let scaler = |d: &Data| if numeric(d) { hint.map_or(0, |h| h.scaler) } else { 0 };
    match (d, hint) {
        (Data::Array(v), Some(h)) if index == 0 && h.elements != dictionary::Elements::None => v
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let label = h.elements.name(i + 1, lang).unwrap_or_else(|| format!("{}", i + 1));
                Item::new(label, value(x, scaler(x)), unit_of(x))
            })
            .collect(),
        _ => {
            let label =
                match hint.and_then(|h| (index > 0).then(|| h.elements.name(usize::from(index), lang)).flatten()) {
                    Some(e) => e,
                    None => name,
                };
            vec![Item::new(label, value(d, scaler(d)), unit_of(d))]
        }
    }
}

pub(super) fn describe(o: Oad, lang: Lang) -> String {
    let (oi, attr, index) = (u16::from_be_bytes([o[0], o[1]]), o[2], o[3]);
    dictionary::describe_oad(oi, attr, index, lang).unwrap_or_default()
}

/// A [`Reading`] of `o`.
pub fn reading(o: Oad, d: Data, lang: Lang) -> Reading {
    Reading { oad: oad_u32(o), canonical: hex(&o), name: describe(o, lang), items: items(o, &d, lang), data: d }
}

/// A [`Record`] of `o` with columns `rcsd`.
pub fn record(o: Oad, rcsd: &[Csd], rows: &[Vec<Data>], lang: Lang) -> Record {
    let columns: Vec<String> = rcsd
        .iter()
        .map(|c| match c {
            Csd::Oad(x) => hex(x),
            Csd::Road { oad, related } => {
                format!("{}>{}", hex(oad), related.iter().map(|r| hex(r)).collect::<Vec<_>>().join(","))
            }
        })
        .collect();
    let row_items = |row: &Vec<Data>| -> Vec<Item> {
        row.iter()
            .zip(rcsd)
            .flat_map(|(d, c)| match c {
                Csd::Oad(x) => {
                    let mut its = items(*x, d, lang);
                    let col = hex(x);
                    for i in its.iter_mut() {
                        i.label = if i.label.is_empty() { col.clone() } else { format!("{col} {}", i.label) };
                    }
                    its
                }
                Csd::Road { oad, .. } => vec![Item::new(hex(oad), value(d, 0), String::new())],
            })
            .collect()
    };
    Record {
        oad: oad_u32(o),
        canonical: hex(&o),
        name: describe(o, lang),
        columns,
        rows: rows.iter().map(row_items).collect(),
        data: rows.to_vec(),
    }
}

/// A CONNECT-Response result in words.
pub(super) fn connect_result_text(result: u8, lang: Lang) -> &'static str {
    match result {
        0 => lang.pick("allowed", "允许建立应用连接"),
        1 => lang.pick("password error", "密码错误"),
        2 => lang.pick("symmetric decryption error", "对称解密错误"),
        3 => lang.pick("asymmetric decryption error", "非对称解密错误"),
        4 => lang.pick("signature error", "签名错误"),
        5 => lang.pick("protocol version mismatch", "协议版本不匹配"),
        _ => lang.pick("other error", "其他错误"),
    }
}
