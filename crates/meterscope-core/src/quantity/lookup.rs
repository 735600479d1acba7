//! Quantities by name, with the names close to a mistyped one.

use core::fmt;

use super::table::QUANTITIES;
use super::{Quantity, names};
use crate::lang::Lang;

/// A name as typed, made kebab-case: `Active_Energy_Import` is `active-energy-import`.
fn normalise_name(name: &str) -> String {
    name.trim().chars().map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() }).collect()
}

/// The quantity named `name` (kebab-case; case and `_` forgiven).
pub fn by_name(name: &str) -> Result<&'static Quantity, UnknownQuantity> {
    let wanted = normalise_name(name);
    QUANTITIES
        .iter()
        .find(|q| q.name == wanted)
        .ok_or_else(|| UnknownQuantity { name: name.to_string(), close: close_names(&wanted) })
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The names close to a mistyped one: a few edits away, or sharing a word
/// of at least three letters (`energy` finds the four energies); those
/// sharing most words first, then the fewest edits away, then in the table's order.
fn close_names(wanted: &str) -> Vec<&'static str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let words: Vec<&str> = wanted.split('-').filter(|w| w.len() >= 3).collect();
    let mut found: Vec<(core::cmp::Reverse<usize>, usize, usize)> = QUANTITIES
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let d = distance(wanted, q.name);
            let shared = q.name.split('-').filter(|n| words.iter().any(|w| alike(n, w))).count();
            (d <= limit || shared > 0).then_some((core::cmp::Reverse(shared), d, i))
        })
        .collect();
    found.sort();
    found.into_iter().filter_map(|(_, _, i)| QUANTITIES.get(i).map(|q| q.name)).collect()
}

/// Two words alike: one starts the other, or they share their first four
/// letters (`volts` and `voltage`, `freq` and `frequency`).
fn alike(a: &str, b: &str) -> bool {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    a.starts_with(b) || b.starts_with(a) || common >= 4
}

/// A name that is no quantity, with the names close to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownQuantity {
    /// The name as typed.
    pub name: String,
    /// Names close to it, closest first (may be empty).
    pub close: Vec<&'static str>,
}

impl UnknownQuantity {
    /// The message in `lang`: the close names, or every name when none is close.
    pub fn text(&self, lang: Lang) -> String {
        let n = &self.name;
        let all: Vec<&str> = names().collect();
        match (lang, self.close.is_empty()) {
            (Lang::En, false) => format!("unknown quantity '{n}'; did you mean {}?", self.close.join(", ")),
            (Lang::En, true) => format!("unknown quantity '{n}'; the quantities are {}", all.join(", ")),
            (Lang::Zh, false) => format!("未知的量“{n}”；是否要找：{}？", self.close.join("、")),
            (Lang::Zh, true) => format!("未知的量“{n}”；可用的量：{}", all.join("、")),
        }
    }

    /// The message in `lang` as something to format.
    pub fn display(&self, lang: Lang) -> impl fmt::Display + '_ {
        Localised(self, lang)
    }
}

struct Localised<'a>(&'a UnknownQuantity, Lang);

impl fmt::Display for Localised<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text(self.1))
    }
}

/// In English; [`UnknownQuantity::display`] for another language.
impl fmt::Display for UnknownQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for UnknownQuantity {}
