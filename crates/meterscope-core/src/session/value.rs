//! Values read from a meter, typed: what sessions hand to their callers and
//! what the client layer ([`crate::client`]) renders as text, CSV or JSON.
//!
//! A number keeps its decimal exactly (`mantissa × 10^scaler`, as DL/T 645's
//! BCD with its decimals, DL/T 698.45's and DLMS's scaler, M-Bus's VIF
//! exponent give it), so `230.10` stays `230.10` and a chart reads it without
//! parsing text back.

use core::fmt;

use super::DateTime;

/// `mantissa × 10^scaler`, exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Number {
    pub mantissa: i128,
    pub scaler: i8,
    /// Digits before the point at least, zeros in front (`001234.5` as an
    /// IEC 62056-21 meter sends it); 0 for none.
    pub width: u8,
}

impl Number {
    pub const fn new(mantissa: i128, scaler: i8) -> Number {
        Number { mantissa, scaler, width: 0 }
    }

    /// An integer.
    pub const fn integer(v: i128) -> Number {
        Number::new(v, 0)
    }

    /// Decimal text as a meter or a decoder writes it (`-12.340`, `7`,
    /// `001234.5`), taken only when it is written back the same, so a value
    /// never changes its spelling.
    pub fn exact(text: &str) -> Option<Number> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if body.contains('.') && frac.is_empty() || int.len() + frac.len() > 36 || frac.len() > 100 {
            return None;
        }
        let digits: i128 = format!("{int}{frac}").parse().ok()?;
        let width = if int.len() > 1 && int.starts_with('0') { int.len() as u8 } else { 0 };
        let n = Number { mantissa: if negative { -digits } else { digits }, scaler: -(frac.len() as i8), width };
        (n.to_string() == text).then_some(n)
    }

    /// The value as a float (for charts and sorting; the text stays exact).
    pub fn to_f64(self) -> f64 {
        // Divided by an exact power of ten, `950 × 10^-3` is 0.95, as the
        // text reads (multiplied by 0.001 it is not).
        match self.scaler {
            s if s < 0 => self.mantissa as f64 / 10f64.powi(-i32::from(s)),
            s => self.mantissa as f64 * 10f64.powi(i32::from(s)),
        }
    }
}

/// Exact decimal text: `2413`, -1 → `241.3`; 5, 2 → `500`; 0, 3 → `0`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = self.mantissa;
        if self.scaler >= 0 {
            let sign = if raw < 0 { "-" } else { "" };
            write!(f, "{sign}{:0>width$}", raw.unsigned_abs(), width = usize::from(self.width))?;
            if raw != 0 {
                for _ in 0..self.scaler {
                    f.write_str("0")?;
                }
            }
            return Ok(());
        }
        let places = usize::from(self.scaler.unsigned_abs());
        let digits = raw.unsigned_abs().to_string();
        let padded = format!("{digits:0>width$}", width = places + usize::from(self.width).max(1));
        let (int, frac) = padded.split_at(padded.len() - places);
        write!(f, "{}{int}.{frac}", if raw < 0 { "-" } else { "" })
    }
}

/// A value read: a number, a date and time, or text (names, states,
/// addresses, bytes in hex).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Number(Number),
    DateTime(DateTime),
    Text(String),
}

impl Value {
    /// Text, or a number when it is exact decimal text (`Number::exact`):
    /// for values whose decoder writes numbers as decimals (a quantity with
    /// a unit).
    pub fn decimal_or_text(text: String) -> Value {
        match Number::exact(&text) {
            Some(n) => Value::Number(n),
            None => Value::Text(text),
        }
    }

    /// The number, when it is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.to_f64()).filter(|v| v.is_finite()),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Value::Text(t) if t.is_empty())
    }
}

impl Default for Value {
    fn default() -> Self {
        Value::Text(String::new())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => n.fmt(f),
            Value::DateTime(t) => t.fmt(f),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// Written as its text, as the JSON of a read always had it.
#[cfg(feature = "serde")]
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One labelled value of a reading: `phase A`, `230.1`, `V`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Item {
    /// What it is (`total`, `T1`, `phase A`, a column, the identifier's name).
    pub label: String,
    pub value: Value,
    /// Unit, empty when the value has none.
    pub unit: String,
    /// A human note (`no data`, a weekday name), when there is one.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub text: Option<String>,
}

impl Item {
    pub fn new(label: String, value: impl Into<Value>, unit: String) -> Item {
        Item { label, value: value.into(), unit, text: None }
    }

    /// The value and its unit: `230.1 V`, `on`.
    pub fn with_unit(&self) -> String {
        if self.unit.is_empty() { self.value.to_string() } else { format!("{} {}", self.value, self.unit) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_decimals() {
        for (m, s, text) in [
            (2413, -1, "241.3"),
            (5, 2, "500"),
            (0, 3, "0"),
            (0, -2, "0.00"),
            (-150, -2, "-1.50"),
            (-5, -3, "-0.005"),
            (7, 0, "7"),
        ] {
            let n = Number::new(m, s);
            assert_eq!(n.to_string(), text);
            if s <= 0 {
                assert_eq!(Number::exact(text), Some(n), "{text}");
            }
        }
        assert_eq!(Number::new(-150, -2).to_f64(), -1.5);
        assert_eq!(Number::new(950, -3).to_f64(), 0.95);
        assert_eq!(Number::new(4999, -2).to_f64(), 49.99);
    }

    #[test]
    fn only_exact_decimal_text_is_a_number() {
        for n in ["0012.5", "00", "-001234.567", "000000"] {
            assert_eq!(Number::exact(n).map(|n| n.to_string()).as_deref(), Some(n));
        }
        assert_eq!(Number::exact("001234.567").map(|n| n.to_f64()), Some(1234.567));
        for text in ["1.", ".5", "+1", "1e3", "12:00", "", "-", "1 2", "0x10", "-0.0"] {
            assert_eq!(Number::exact(text), None, "{text}");
        }
        assert_eq!(Value::decimal_or_text("231.4".into()).number(), Some(231.4));
        assert_eq!(Value::decimal_or_text("on".into()), Value::Text("on".into()));
        assert_eq!(Value::decimal_or_text("1".repeat(60)).number(), None);
    }
}
