//! Languages and the label table: node labels come from node ids.
//!
//! Every id a dissector emits has an entry here with an English and a
//! Simplified Chinese label. Ids with numeric segments (`x.item.3`) fall back
//! to the id with those segments removed (`x.item`).

use core::fmt;
use core::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "lowercase"))]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// The label of a node id in this language; the id itself when the table has none.
    pub fn label(self, id: &str) -> String {
        match lookup(id) {
            Some((en, zh)) => self.pick(en, zh).to_string(),
            None => id.to_string(),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "cn" | "chinese" => Ok(Lang::Zh),
            other => Err(format!("unknown language '{other}' (use en or zh)")),
        }
    }
}

/// A label table: `(id, English, Chinese)`, sorted by id.
pub type LabelTable = &'static [(&'static str, &'static str, &'static str)];

/// Every label table: the shared one here and one per protocol module.
/// A unit test keeps each sorted, unique and bilingual.
static TABLES: &[LabelTable] = &[
    LABELS,
    crate::protocols::dlt645::LABELS,
    crate::protocols::dlt698::LABELS,
    crate::protocols::iec62056::LABELS,
    crate::protocols::dlms::LABELS,
];

static LABELS: LabelTable =
    &[("check", "Check", "校验"), ("unknown", "Unrecognised bytes", "未识别的字节"), ("unknown.row", "Bytes", "字节")];

/// The `(en, zh)` labels of an id, trying the id without numeric segments too.
pub fn lookup(id: &str) -> Option<(&'static str, &'static str)> {
    let find = |key: &str| {
        TABLES.iter().find_map(|t| t.binary_search_by(|(k, _, _)| (*k).cmp(key)).ok().map(|i| (t[i].1, t[i].2)))
    };
    if let Some(hit) = find(id) {
        return Some(hit);
    }
    if id.split('.').any(|seg| seg.bytes().all(|b| b.is_ascii_digit())) {
        let generic: Vec<&str> = id.split('.').filter(|seg| !seg.bytes().all(|b| b.is_ascii_digit())).collect();
        return find(&generic.join("."));
    }
    None
}

/// All ids of the table (for tests that check coverage).
pub fn ids() -> impl Iterator<Item = &'static str> {
    TABLES.iter().flat_map(|t| t.iter().map(|(id, _, _)| *id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_bilingual() {
        for table in TABLES {
            for w in table.windows(2) {
                assert!(w[0].0 < w[1].0, "label table out of order at {} / {}", w[0].0, w[1].0);
            }
        }
        let mut all: Vec<&str> = ids().collect();
        all.sort_unstable();
        assert!(all.windows(2).all(|w| w[0] != w[1]), "an id is in two tables");
        for (id, en, zh) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(!en.is_empty() && !zh.is_empty(), "{id} lacks a label");
            assert!(zh.chars().any(|c| c as u32 > 0x2E80), "{id}: Chinese label '{zh}' has no CJK character");
        }
    }

    #[test]
    fn lookup_falls_back_past_numeric_segments() {
        assert_eq!(Lang::En.label("unknown.row"), "Bytes");
        assert_eq!(Lang::Zh.label("unknown.row.3"), "字节");
        assert_eq!(Lang::En.label("no.such.id"), "no.such.id");
    }

    #[test]
    fn parse_lang() {
        assert_eq!("ZH".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }
}
