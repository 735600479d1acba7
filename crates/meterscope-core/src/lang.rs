//! Languages and label tables: node labels come from node ids.
//!
//! Every id a dissector emits has an entry in its family's label table (which
//! the family gives its frames: `Frame::labels`) or in the shared one here,
//! with an English and a Simplified Chinese label. Ids with numeric segments
//! (`x.item.3`) fall back to the id with those segments removed (`x.item`).

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

    /// The label of a node id in this language, from `table` or the shared
    /// table; the id itself when neither has it.
    pub fn label(self, table: LabelTable, id: &str) -> String {
        match lookup(table, id) {
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

/// The shared label table (ids every family may use).
pub static LABELS: LabelTable =
    &[("check", "Check", "校验"), ("unknown", "Unrecognised bytes", "未识别的字节"), ("unknown.row", "Bytes", "字节")];

/// The `(en, zh)` labels of an id in `table` or the shared table, trying the
/// id without numeric segments too.
pub fn lookup(table: LabelTable, id: &str) -> Option<(&'static str, &'static str)> {
    lookup_row(table, id).map(|r| (r.1, r.2))
}

/// The row of an id's labels (see [`lookup`]), to refer to without copying
/// (a [`Msg::Bi`](crate::model::Msg::Bi) of it).
pub fn lookup_row(table: LabelTable, id: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let find = |key: &str| {
        [table, LABELS].into_iter().find_map(|t| t.binary_search_by(|(k, _, _)| (*k).cmp(key)).ok().map(|i| &t[i]))
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

/// Checks a set of label tables: each sorted, no id in two, every label in
/// both languages (the Chinese with CJK characters). The protocols' list is
/// checked with it.
pub fn check_tables(tables: &[LabelTable]) -> Result<(), String> {
    let mut all: Vec<&str> = Vec::new();
    for table in tables.iter().chain([&LABELS]) {
        for w in table.windows(2) {
            if w[0].0 >= w[1].0 {
                return Err(format!("label table out of order at {} / {}", w[0].0, w[1].0));
            }
        }
        for (id, en, zh) in table.iter() {
            if en.is_empty() || zh.is_empty() {
                return Err(format!("{id} lacks a label"));
            }
            if !zh.chars().any(|c| c as u32 > 0x2E80) {
                return Err(format!("{id}: Chinese label '{zh}' has no CJK character"));
            }
            all.push(id);
        }
    }
    all.sort_unstable();
    match all.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(format!("{} is in two tables", w[0])),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_table_is_sorted_unique_and_bilingual() {
        assert_eq!(check_tables(&[]), Ok(()));
        assert!(check_tables(&[&[("b", "B", "乙"), ("a", "A", "甲")]]).is_err());
        assert!(check_tables(&[&[("check", "Check", "校验")]]).is_err());
    }

    #[test]
    fn lookup_falls_back_past_numeric_segments() {
        assert_eq!(Lang::En.label(&[], "unknown.row"), "Bytes");
        assert_eq!(Lang::Zh.label(&[], "unknown.row.3"), "字节");
        assert_eq!(Lang::En.label(&[], "no.such.id"), "no.such.id");
        let own: LabelTable = &[("x.item", "Item", "项")];
        assert_eq!(Lang::Zh.label(own, "x.item.2"), "项");
    }

    #[test]
    fn parse_lang() {
        assert_eq!("ZH".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }
}
