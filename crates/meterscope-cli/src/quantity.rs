//! `meterscope read --quantity NAME`: named quantities (the core's
//! [`quantity`] table) read through each protocol's session and reported
//! in one shape, as text lines or DTU-style JSON: meter address, quantity
//! name, value (a number where numeric), unit, timestamp (ISO 8601, UTC, when
//! the value arrived) and the protocol identifier it came from.
//!
//! Each protocol's `read` module turns the quantities into its identifiers
//! ([`Collector::points`] numbers every point) and hands what its session
//! reads to a [`Collector`], which joins the pieces with the core's
//! [`quantity::assemble`] and prints them.

use meterscope_core::Lang;
use meterscope_core::quantity::{self, Family, Part, Piece, Quantity};
use meterscope_core::session::DateTime;
use serde_json::{Value, json};

/// The quantities named, or the message of the first unknown name (exit code 2).
pub fn parse(names: &[String], family: Family, lang: Lang) -> Result<Vec<&'static Quantity>, String> {
    let mut out: Vec<&'static Quantity> = Vec::new();
    for name in names {
        let q = quantity::by_name(name).map_err(|e| e.text(lang))?;
        if !q.in_family(family) {
            let has: Vec<&str> = quantity::all().iter().filter(|q| q.in_family(family)).map(|q| q.name).collect();
            return Err(format!(
                "{}: {} defines no '{}' (it has {})",
                "--quantity",
                family.name(),
                q.name,
                has.join(", ")
            ));
        }
        if !out.iter().any(|o| o.name == q.name) {
            out.push(q);
        }
    }
    Ok(out)
}

/// The time now in ISO 8601, UTC (`2026-05-17T10:30:00Z`).
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let t = DateTime::from_unix(secs);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second)
}

/// A piece read for one point, with where and when.
#[derive(Clone)]
struct Got {
    piece: Piece,
    source: String,
    at: String,
}

/// What was asked and what came back, per quantity.
pub struct Collector {
    family: Family,
    protocol: &'static str,
    lang: Lang,
    json: bool,
    quantities: Vec<&'static Quantity>,
    /// Per quantity, per point: what was read, or why not.
    got: Vec<Vec<Option<Result<Got, String>>>>,
    /// Failures of the whole read.
    general: Vec<String>,
}

impl Collector {
    pub fn new(
        family: Family,
        protocol: &'static str,
        quantities: Vec<&'static Quantity>,
        lang: Lang,
        json: bool,
    ) -> Self {
        let got = quantities.iter().map(|q| vec![None; points_of(q, family)]).collect();
        Collector { family, protocol, lang, json, quantities, got, general: Vec::new() }
    }

    /// A value read for point `point` of quantity `q`: the value and unit as the
    /// session wrote them, the identifier it came from.
    pub fn piece(&mut self, q: usize, point: usize, part: Part, value: &str, unit: &str, source: &str) {
        if let Some(slot) = self.got.get_mut(q).and_then(|g| g.get_mut(point)) {
            let piece = Piece { part, value: value.to_string(), unit: unit.to_string() };
            *slot = Some(Ok(Got { piece, source: source.to_string(), at: now_iso() }));
        }
    }

    /// Point `point` of quantity `q` failed.
    pub fn error(&mut self, q: usize, point: usize, text: &str) {
        if let Some(slot) = self.got.get_mut(q).and_then(|g| g.get_mut(point))
            && slot.is_none()
        {
            *slot = Some(Err(text.to_string()));
        }
    }

    /// A failure of the whole read (a wrong checksum over a readout), beside the points' own.
    pub fn general_error(&mut self, text: &str) {
        self.general.push(text.to_string());
    }

    /// Every point that has nothing yet failed with `text` (the association failed, the line broke).
    pub fn fail_rest(&mut self, text: &str) {
        for g in &mut self.got {
            for slot in g.iter_mut().filter(|s| s.is_none()) {
                *slot = Some(Err(text.to_string()));
            }
        }
    }

    /// Print the readings (and errors) and give the exit code: 0 when every point was read, 1 when not.
    pub fn finish(self, meter: Option<String>) -> Result<u8, String> {
        let mut readings = Vec::<Value>::new();
        let mut errors = Vec::<Value>::new();
        let mut lines = Vec::<String>::new();
        for (q, got) in self.quantities.iter().zip(&self.got) {
            let sources = q.sources(self.family);
            let mut failures = Vec::new();
            let mut pieces = Vec::new();
            let mut at = String::new();
            let mut from = Vec::<&str>::new();
            for (i, slot) in got.iter().enumerate() {
                match slot {
                    Some(Ok(g)) => {
                        pieces.push(g.piece.clone());
                        at.clone_from(&g.at);
                        if !from.contains(&g.source.as_str()) {
                            from.push(&g.source);
                        }
                    }
                    other => {
                        let why = match other {
                            Some(Err(e)) => e.clone(),
                            _ => "not read".to_string(),
                        };
                        let source = sources.get(i).cloned().unwrap_or_default();
                        if self.json {
                            errors.push(json!({ "quantity": q.name, "source": source, "error": why }));
                        } else {
                            failures.push(format!("{}  error: {source}: {why}", q.name));
                        }
                    }
                }
            }
            for v in quantity::assemble(q, &pieces) {
                let label = match v.element {
                    Some(e) => format!("{} {e}", q.name),
                    None => q.name.to_string(),
                };
                if self.json {
                    let value = if v.numeric {
                        serde_json::from_str::<Value>(&v.value).unwrap_or_else(|_| Value::String(v.value.clone()))
                    } else {
                        Value::String(v.value.clone())
                    };
                    let mut r = json!({
                        "quantity": q.name, "name": q.title(self.lang), "value": value,
                        "unit": v.unit, "timestamp": at, "source": source_of(q, self.family, v.element, &from),
                    });
                    if let Some(e) = v.element {
                        r["element"] = json!(e);
                    }
                    readings.push(r);
                } else {
                    let unit = if v.unit.is_empty() { String::new() } else { format!(" {}", v.unit) };
                    lines.push(format!("{label}  {}: {}{unit}", q.title(self.lang), v.value));
                }
            }
            // A quantity's errors after its values.
            lines.append(&mut failures);
        }
        for g in &self.general {
            if self.json {
                errors.push(json!({ "error": g }));
            } else {
                lines.push(format!("error: {g}"));
            }
        }
        let failed = !errors.is_empty() || lines.iter().any(|l| l.contains("error: "));
        if self.json {
            let out = json!({
                "meter": meter, "protocol": self.protocol, "readings": readings, "errors": errors,
            });
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        } else {
            for l in lines {
                println!("{l}");
            }
        }
        Ok(if failed { 1 } else { 0 })
    }
}

/// The identifier a value came from: the point of its element, or the
/// identifiers read for the whole (joined with `+`).
fn source_of(q: &Quantity, family: Family, element: Option<&str>, from: &[&str]) -> String {
    let sources = q.sources(family);
    if let Some(e) = element {
        let parts = parts_of(q, family);
        if let Some(i) = parts.iter().position(|p| p.element() == Some(e)) {
            return sources.get(i).cloned().unwrap_or_default();
        }
    }
    from.join("+")
}

/// How many points `q` has in `family`.
fn points_of(q: &Quantity, family: Family) -> usize {
    parts_of(q, family).len()
}

/// The parts of `q`'s points in `family`, in order.
pub fn parts_of(q: &Quantity, family: Family) -> Vec<Part> {
    match family {
        Family::Dlt645 => q.dlt645.iter().map(|p| p.part).collect(),
        Family::Dlt645v1997 => q.dlt645_1997.iter().map(|p| p.part).collect(),
        Family::Dlt698 => q.dlt698.iter().map(|p| p.part).collect(),
        Family::Dlms => q.dlms.iter().map(|p| p.part).collect(),
        Family::Iec62056 => q.iec62056.iter().map(|p| p.part).collect(),
        Family::Dsmr => q.dsmr.iter().map(|p| p.part).collect(),
    }
}

/// Identifiers in first-asked order, each once.
pub fn unique<T: PartialEq + Copy>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_against_the_family() {
        let q = parse(&["voltage".into(), "voltage".into(), "clock".into()], Family::Dlt645, Lang::En).unwrap();
        assert_eq!(q.iter().map(|q| q.name).collect::<Vec<_>>(), ["voltage", "clock"]);
        let e = parse(&["frequency".into()], Family::Dlt645v1997, Lang::En).unwrap_err();
        assert!(e.contains("DL/T 645-1997 defines no 'frequency'"), "{e}");
        let e = parse(&["volts".into()], Family::Dlms, Lang::En).unwrap_err();
        assert!(e.contains("unknown quantity 'volts'"), "{e}");
    }

    #[test]
    fn iso_time_now() {
        let t = now_iso();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
