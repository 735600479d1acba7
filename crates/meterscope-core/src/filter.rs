//! Field filters over dissected frames, for long logs: which frames to show.
//!
//! A query is terms separated by white space; a frame matches when every
//! term does (`!` before a term negates it):
//!
//! - `dlt645`, `dlms` … — the protocol name starts with the word (a family);
//!   `protocol:NAME` says so explicitly;
//! - `valid`, `invalid` — the frame's validity;
//! - `ID=VALUE` — a field whose id is `ID` (numeric segments may be left
//!   out: `dlt698.oad` matches `dlt698.oad.2`) has the value `VALUE`
//!   (case-insensitive; white space in values written as in the tree);
//!   `ID` alone (`ID=`) — the frame has such a field;
//! - any other word, or `"several words"` — a field's value or text
//!   contains it (case-insensitive): a DI, an OAD, an OBIS code, an address.
//!
//! [`Filter::term_for`] writes the term of one field ("filter on this value").

use crate::view::{Frame, Node};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Test {
    Family(String),
    Valid(bool),
    Field { id: String, value: Option<String> },
    Contains(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    negated: bool,
    test: Test,
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

/// A query that cannot be read, with the byte offset of the fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub offset: usize,
    pub message: &'static str,
}

impl core::fmt::Display for FilterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "filter, at character {}: {}", self.offset + 1, self.message)
    }
}

/// Family words the protocol names start with.
const FAMILIES: &[&str] = &["dlt645", "dlt698", "dlms", "iec62056", "dsmr", "qgdw1376", "unknown"];

impl Filter {
    /// Read a query; an empty one matches every frame.
    pub fn parse(query: &str) -> Result<Filter, FilterError> {
        let mut terms = Vec::new();
        let b = query.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let negated = b[i] == b'!';
            if negated {
                i += 1;
            }
            let start = i;
            let word = if b.get(i) == Some(&b'"') {
                let end =
                    query[i + 1..].find('"').ok_or(FilterError { offset: start, message: "a quote is not closed" })?;
                i += end + 2;
                query[start + 1..start + 1 + end].to_string()
            } else {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    // A quoted value after `=` keeps its spaces.
                    if b[i] == b'"' {
                        let end = query[i + 1..]
                            .find('"')
                            .ok_or(FilterError { offset: i, message: "a quote is not closed" })?;
                        i += end + 2;
                    } else {
                        i += 1;
                    }
                }
                query[start..i].to_string()
            };
            if word.is_empty() {
                return Err(FilterError { offset: start, message: "'!' must stand before a term" });
            }
            let quoted = b[start] == b'"';
            let test = if quoted {
                Test::Contains(word.to_ascii_lowercase())
            } else if let Some(name) = word.strip_prefix("protocol:") {
                Test::Family(name.to_ascii_lowercase())
            } else if word.eq_ignore_ascii_case("valid") {
                Test::Valid(true)
            } else if word.eq_ignore_ascii_case("invalid") {
                Test::Valid(false)
            } else if let Some((id, value)) = word.split_once('=') {
                if id.is_empty() {
                    return Err(FilterError { offset: start, message: "a field id must stand before '='" });
                }
                let value = value.trim_matches('"');
                Test::Field { id: id.to_string(), value: (!value.is_empty()).then(|| value.to_ascii_lowercase()) }
            } else if FAMILIES.iter().any(|f| word.to_ascii_lowercase().starts_with(f)) {
                Test::Family(word.to_ascii_lowercase())
            } else {
                Test::Contains(word.to_ascii_lowercase())
            };
            terms.push(Term { negated, test });
        }
        Ok(Filter { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `frame` passes every term.
    pub fn matches(&self, frame: &Frame) -> bool {
        self.terms.iter().all(|t| t.negated != t.test.holds(frame))
    }

    /// Whether a frame known only by its protocol and validity (a long log's
    /// split, before its frames are dissected) passes; `None` when a term
    /// asks about fields or text.
    pub fn matches_summary(&self, protocol: &str, valid: bool) -> Option<bool> {
        let mut all = true;
        for t in &self.terms {
            let holds = match &t.test {
                Test::Family(name) => protocol.to_ascii_lowercase().starts_with(name.as_str()),
                Test::Valid(v) => valid == *v,
                Test::Field { .. } | Test::Contains(_) => return None,
            };
            all &= t.negated != holds;
        }
        Some(all)
    }

    /// The term that keeps frames whose field `node` has the same value.
    pub fn term_for(node: &Node) -> String {
        let value = node.value.as_deref().unwrap_or("");
        if value.chars().any(char::is_whitespace) {
            format!("{}=\"{value}\"", node.id)
        } else {
            format!("{}={value}", node.id)
        }
    }
}

/// An id without its numeric segments (`dlt698.oad.2` → `dlt698.oad`).
fn bare(id: &str) -> impl Iterator<Item = &str> {
    id.split('.').filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
}

fn any_node(n: &Node, f: &mut impl FnMut(&Node) -> bool) -> bool {
    f(n) || n.children.iter().any(|c| any_node(c, f))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase().contains(needle)
}

impl Test {
    fn holds(&self, frame: &Frame) -> bool {
        match self {
            Test::Family(name) => frame.protocol.to_ascii_lowercase().starts_with(name.as_str()),
            Test::Valid(v) => frame.valid == *v,
            Test::Field { id, value } => {
                let exact = id.split('.').any(|s| s.bytes().all(|b| b.is_ascii_digit()));
                any_node(&frame.tree, &mut |n| {
                    let id_ok = if exact { n.id == *id } else { bare(&n.id).eq(id.split('.')) };
                    id_ok
                        && value
                            .as_ref()
                            .is_none_or(|v| n.value.as_deref().is_some_and(|nv| nv.to_ascii_lowercase() == *v))
                })
            }
            Test::Contains(text) => any_node(&frame.tree, &mut |n| {
                n.value.as_deref().is_some_and(|v| contains_ci(v, text))
                    || n.text.as_deref().is_some_and(|t| contains_ci(t, text))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, Options, decode};

    fn frames(input: &str) -> Vec<Frame> {
        decode(input, &Options { lang: Lang::En, ..Options::default() }).unwrap().dissection.frames
    }

    fn kept(query: &str, frames: &[Frame]) -> Vec<usize> {
        let f = Filter::parse(query).unwrap();
        frames.iter().enumerate().filter(|(_, fr)| f.matches(fr)).map(|(i, _)| i).collect()
    }

    #[test]
    fn families_validity_fields_and_text() {
        let log = "68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16\n\
                   68 12 90 78 56 34 12 68 11 04 33 34 34 35 6B 16\n\
                   68 12 90 78 56 34 12 68 11 04 33 33 34 33 69 16\n\
                   00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00";
        let f = frames(log);
        assert_eq!(f.len(), 4);
        assert_eq!(kept("", &f), [0, 1, 2, 3]);
        assert_eq!(kept("dlt645", &f), [0, 1, 2]);
        assert_eq!(kept("dlms invalid", &f), Vec::<usize>::new());
        assert_eq!(kept("invalid", &f), [2]);
        assert_eq!(kept("!dlt645", &f), [3]);
        assert_eq!(kept("protocol:dlms-wrapper", &f), [3]);
        // A DI by field and as text; an OBIS code as text.
        let di =
            f[0].tree.children.iter().flat_map(|c| c.children.iter().chain([c])).find(|n| n.id == "dlt645.data.di");
        let di = di.expect("the DI field");
        let term = Filter::term_for(di);
        assert_eq!(kept(&term, &f), [0, 2], "{term}");
        assert_eq!(kept("00010000", &f), [0, 2]);
        assert_eq!(kept("1-0:1.8.0", &f), Vec::<usize>::new());
        assert_eq!(kept("1-0:0.7.0", &f), [3]);
        assert_eq!(kept("dlt645.data.di=", &f), [0, 1, 2]);
        assert_eq!(kept("\"energy\" valid", &f), [0]);
        assert_eq!(kept("\"voltage\"", &f), [1]);
    }

    #[test]
    fn summaries_by_family_and_validity() {
        let f = |q: &str, p: &str, v: bool| Filter::parse(q).unwrap().matches_summary(p, v);
        assert_eq!(f("", "dlms-wrapper", true), Some(true));
        assert_eq!(f("dlms", "dlms-wrapper", true), Some(true));
        assert_eq!(f("dlms invalid", "dlms-wrapper", true), Some(false));
        assert_eq!(f("!dlt645 valid", "dlt698.45", true), Some(true));
        assert_eq!(f("protocol:dlt645-2007", "dlt645-1997", true), Some(false));
        assert_eq!(f("dlt645 00010000", "dlt645-2007", true), None);
        assert_eq!(f("dlt645.data.di=", "dlt645-2007", true), None);
    }

    #[test]
    fn bad_queries_say_where() {
        assert_eq!(Filter::parse("valid \"open").unwrap_err().offset, 6);
        assert_eq!(Filter::parse("a =x").unwrap_err().offset, 2);
        assert_eq!(Filter::parse("valid !").unwrap_err().offset, 7);
        assert!(Filter::parse("x=\"two words\" y").unwrap().terms.len() == 2);
    }
}
