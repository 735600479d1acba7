//! The outcome of a read of named quantities, as every surface shows it:
//! one [`Reading`] per value (`voltage L1`) or failed point, text lines, and
//! the DTU-style JSON (meter, protocol, readings with quantity, name, value
//! as a number where numeric, unit, timestamp and source; errors).

use super::{Reading, Value};
use crate::json::Json;
use crate::lang::Lang;
use crate::quantity::Reads;

/// One row per value or failed point: id `voltage L1`, the quantity's title,
/// value and unit.
pub fn rows(reads: &Reads, lang: Lang) -> Vec<Reading> {
    reads
        .outcomes()
        .into_iter()
        .map(|o| {
            let q = o.quantity;
            match o.result {
                Ok(v) => {
                    let id = v.element.map_or_else(|| q.name.to_string(), |e| format!("{} {e}", q.name));
                    let value = if v.numeric { Value::decimal_or_text(v.value) } else { Value::Text(v.value) };
                    Reading { id, name: q.title(lang).to_string(), value, unit: v.unit, error: false }
                }
                Err(why) => Reading::failed(q.name, format!("{}: {why}", o.source)),
            }
        })
        .collect()
}

/// The report as text lines: `voltage L1  Voltage: 230.1 V`, `clock  error: 40000200: …`,
/// and `error: …` for each failure of the whole read (`general`).
pub fn lines(reads: &Reads, lang: Lang, general: &[String]) -> Vec<String> {
    let mut out: Vec<String> = rows(reads, lang).iter().map(super::render::text_line).collect();
    out.extend(general.iter().map(|g| format!("error: {g}")));
    out
}

/// A JSON number written as read, when `text` is one (JSON's grammar: no
/// leading zeros, no `+`, digits both sides of a point).
fn json_number(text: &str) -> Option<&str> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = digits(int) && (int == "0" || !int.starts_with('0'));
    (int_ok && frac.is_none_or(digits)).then_some(text)
}

/// The DTU-style JSON of the read:
/// `{"meter", "protocol", "readings": [{"quantity", "name", "value", "unit", "timestamp", "source", "element"?}], "errors": [{"quantity", "source", "error"} | {"error"}]}`.
pub fn json(reads: &Reads, meter: Option<&str>, protocol: &str, lang: Lang, general: &[String]) -> String {
    let outcomes = reads.outcomes();
    let mut j = Json::pretty();
    j.begin_object().key("meter");
    match meter {
        Some(m) => j.str(m),
        None => j.raw("null"),
    };
    j.key("protocol").str(protocol);
    let ok: Vec<_> = outcomes.iter().filter(|o| o.result.is_ok()).collect();
    j.key("readings").list(&ok, |j, o| {
        let Ok(v) = &o.result else { return };
        j.begin_object().key("quantity").str(o.quantity.name).key("name").str(o.quantity.title(lang));
        j.key("value");
        match json_number(&v.value).filter(|_| v.numeric) {
            Some(n) => j.raw(n),
            None => j.str(&v.value),
        };
        j.key("unit").str(&v.unit).key("timestamp").str(&o.at).key("source").str(&o.source);
        if let Some(e) = v.element {
            j.key("element").str(e);
        }
        j.end_object();
    });
    let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    let mut errors: Vec<(Option<&str>, &str, &str)> = failed
        .iter()
        .map(|o| (Some(o.quantity.name), o.source.as_str(), o.result.as_ref().err().map_or("", String::as_str)))
        .collect();
    errors.extend(general.iter().map(|g| (None, "", g.as_str())));
    j.key("errors").list(&errors, |j, (q, source, why)| {
        j.begin_object();
        if let Some(q) = q {
            j.key("quantity").str(q).key("source").str(source);
        }
        j.key("error").str(why).end_object();
    });
    j.end_object();
    j.finish()
}

#[cfg(test)]
mod tests {
    use super::json_number;

    #[test]
    fn numbers_as_json_grammar_has_them() {
        for ok in ["0", "-1", "6872.455", "0.005", "230.10"] {
            assert_eq!(json_number(ok), Some(ok));
        }
        for no in ["0012", "1.", ".5", "+1", "", "-", "1e3", "2024-05-17T10:30:00", "NaN"] {
            assert_eq!(json_number(no), None, "{no}");
        }
    }
}
