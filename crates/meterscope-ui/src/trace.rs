//! The reader's raw trace in its saved forms, without a browser: the text
//! for people (time, direction, hex, notes) and the entries of a saved JSON
//! trace checked and read back. The reader (`src/reader/trace.rs`) keeps
//! its entries, writes the JSON and parses a file with the browser's JSON
//! parser (the app carries none of its own), then hands the parsed fields
//! here.

use meterscope_core::{parse_input, to_hex};

/// Marks a meterscope trace file.
pub const FORMAT: &str = "meterscope-trace";

/// One entry of a trace as the saved forms see it.
pub trait Record {
    /// Sent (`true`) or received.
    fn tx(&self) -> bool;
    /// Milliseconds since the page loaded.
    fn at_ms(&self) -> f64;
    fn bytes(&self) -> &[u8];
    fn note(&self) -> Option<&str>;
}

/// Implements [`Record`] for a struct that keeps an entry in fields of
/// those names: `tx: bool`, `at_ms: f64`, `bytes: Vec<u8>` and
/// `note: Option<String>` (as [`Saved`] and the reader's entries do).
#[macro_export]
macro_rules! impl_record {
    ($ty:ty) => {
        impl $crate::trace::Record for $ty {
            fn tx(&self) -> bool {
                self.tx
            }
            fn at_ms(&self) -> f64 {
                self.at_ms
            }
            fn bytes(&self) -> &[u8] {
                &self.bytes
            }
            fn note(&self) -> Option<&str> {
                self.note.as_deref()
            }
        }
    };
}

/// The direction word of an entry: a note without bytes, else sent or received.
pub fn direction(e: &impl Record) -> Direction {
    if e.note().is_some() && e.bytes().is_empty() {
        Direction::Note
    } else if e.tx() {
        Direction::Tx
    } else {
        Direction::Rx
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Tx,
    Rx,
    Note,
}

impl Direction {
    /// The word of the JSON form: `tx`, `rx`, `note`.
    pub fn json(self) -> &'static str {
        match self {
            Direction::Tx => "tx",
            Direction::Rx => "rx",
            Direction::Note => "note",
        }
    }
}

/// The trace as text: `   123 ms  TX  68 AA …` per entry, notes as `   130 ms  --  note`.
pub fn text<R: Record>(trace: &[R]) -> String {
    let mut out = String::new();
    for e in trace {
        let dir = match direction(e) {
            Direction::Note => "--",
            Direction::Tx => "TX",
            Direction::Rx => "RX",
        };
        let mut line = format!("{:>9.0} ms  {dir}  {}", e.at_ms(), to_hex(e.bytes()));
        if let Some(n) = e.note() {
            if !e.bytes().is_empty() {
                line.push_str("  ");
            }
            line.push_str(n);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The fields of one parsed JSON object, however it was parsed.
pub trait Fields {
    /// The string at `key`, if it is one.
    fn string(&self, key: &str) -> Option<String>;
    /// The number at `key`, if it is one.
    fn number(&self, key: &str) -> Option<f64>;
}

/// An entry read back from a saved trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub tx: bool,
    pub at_ms: f64,
    pub bytes: Vec<u8>,
    pub note: Option<String>,
}

// A trace read back is written out again as it came.
impl_record!(Saved);

/// Read a saved trace: `doc` the whole object, `entries` its `entries` list
/// (`None` when it is not a list). Says which entry is wrong when one is.
pub fn read<F: Fields>(doc: &F, entries: Option<Vec<F>>) -> Result<Vec<Saved>, String> {
    if doc.string("format").as_deref() != Some(FORMAT) {
        return Err(format!("not a meterscope trace (no \"format\": \"{FORMAT}\")"));
    }
    let Some(entries) = entries else {
        return Err("no \"entries\" list".into());
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at_ms = e.number("t").unwrap_or(0.0);
        let dir = e.string("dir").unwrap_or_default();
        let hex = e.string("hex").unwrap_or_default();
        let bytes = if hex.trim().is_empty() {
            Vec::new()
        } else {
            parse_input(&hex).map_err(|err| format!("entry {}: {err}", i + 1))?.bytes
        };
        let note = e.string("note");
        let tx = match dir.as_str() {
            "tx" => true,
            "rx" | "note" => false,
            other => return Err(format!("entry {}: direction {other:?} (tx, rx or note)", i + 1)),
        };
        let note = if dir == "note" { Some(note.unwrap_or_default()) } else { note };
        out.push(Saved { tx, at_ms, bytes, note });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A parsed object: strings and numbers by key.
    #[derive(Default)]
    struct Obj(HashMap<&'static str, (Option<String>, Option<f64>)>);

    impl Obj {
        fn s(mut self, k: &'static str, v: &str) -> Self {
            self.0.insert(k, (Some(v.into()), None));
            self
        }
        fn n(mut self, k: &'static str, v: f64) -> Self {
            self.0.insert(k, (None, Some(v)));
            self
        }
    }

    impl Fields for Obj {
        fn string(&self, key: &str) -> Option<String> {
            self.0.get(key).and_then(|v| v.0.clone())
        }
        fn number(&self, key: &str) -> Option<f64> {
            self.0.get(key).and_then(|v| v.1)
        }
    }

    fn trace() -> Vec<Saved> {
        vec![
            Saved { tx: true, at_ms: 12.4, bytes: vec![0x68, 0xAA], note: None },
            Saved { tx: false, at_ms: 130.0, bytes: vec![0x16], note: Some("late".into()) },
            Saved { tx: false, at_ms: 1234.0, bytes: vec![], note: Some("retry".into()) },
        ]
    }

    #[test]
    fn text_has_time_direction_bytes_and_notes() {
        assert_eq!(text(&trace()), "       12 ms  TX  68 AA\n      130 ms  RX  16  late\n     1234 ms  --  retry\n");
        assert_eq!(trace().iter().map(|e| direction(e).json()).collect::<Vec<_>>(), ["tx", "rx", "note"]);
    }

    #[test]
    fn saved_entries_are_read_back_or_the_wrong_one_named() {
        let doc = Obj::default().s("format", FORMAT);
        let entries = vec![
            Obj::default().n("t", 12.4).s("dir", "tx").s("hex", "68 AA"),
            Obj::default().n("t", 130.0).s("dir", "rx").s("hex", "16").s("note", "late"),
            Obj::default().n("t", 1234.0).s("dir", "note").s("hex", "").s("note", "retry"),
        ];
        assert_eq!(read(&doc, Some(entries)).unwrap(), trace());
        // A note entry without its words is still a note.
        let bare = vec![Obj::default().s("dir", "note")];
        assert_eq!(read(&doc, Some(bare)).unwrap()[0].note.as_deref(), Some(""));
        assert!(
            read(&Obj::default().s("format", "other"), Some(vec![])).unwrap_err().contains("not a meterscope trace")
        );
        assert_eq!(read(&doc, None).unwrap_err(), "no \"entries\" list");
        let bad = vec![Obj::default().s("dir", "tx").s("hex", "68"), Obj::default().s("dir", "up")];
        assert_eq!(read(&doc, Some(bad)).unwrap_err(), "entry 2: direction \"up\" (tx, rx or note)");
        let bad_hex = vec![Obj::default().s("dir", "rx").s("hex", "6G")];
        assert!(read(&doc, Some(bad_hex)).unwrap_err().starts_with("entry 1: "));
    }
}
