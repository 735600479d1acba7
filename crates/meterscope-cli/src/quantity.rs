//! `meterscope read --quantity NAME`: named quantities (the core's
//! [`quantity`] table) read through each protocol's session and reported
//! in one shape, as text lines or DTU-style JSON: meter address, quantity
//! name, value (a number where numeric), unit, timestamp (ISO 8601, UTC, when
//! the value arrived) and the protocol identifier it came from.
//!
//! Each protocol's `read` module queues the points of the core's
//! [`Reads`] on its session and hands what the session reads to a
//! [`Collector`], which prints the outcome.

use meterscope_core::Lang;
use meterscope_core::quantity::{self, Family, Quantity, Reads};
use meterscope_core::session::DateTime;

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

/// A read of named quantities (the core's [`Reads`]) and how to show it.
pub struct Collector {
    reads: Reads,
    protocol: &'static str,
    lang: Lang,
    json: bool,
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
        Collector { reads: Reads::new(family, quantities), protocol, lang, json, general: Vec::new() }
    }

    /// The read: its points to queue on the session.
    pub fn reads(&self) -> &Reads {
        &self.reads
    }

    /// The read, to hand it the session's answers.
    pub fn reads_mut(&mut self) -> &mut Reads {
        &mut self.reads
    }

    /// A failure of the whole read (a wrong checksum over a readout), beside the points' own.
    pub fn general_error(&mut self, text: &str) {
        self.general.push(text.to_string());
    }

    /// Print the readings (and errors) and give the exit code: 0 when every
    /// point was read, 1 when not. Text lines and the DTU-style JSON are the
    /// client layer's, as the reader page shows and exports them.
    pub fn finish(self, meter: Option<String>) -> Result<u8, String> {
        use meterscope_core::client::quantities;
        if self.json {
            println!("{}", quantities::json(&self.reads, meter.as_deref(), self.protocol, self.lang, &self.general));
        } else {
            for l in quantities::lines(&self.reads, self.lang, &self.general) {
                println!("{l}");
            }
        }
        let failed = !self.reads.complete() || !self.general.is_empty();
        Ok(if failed { 1 } else { 0 })
    }
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
