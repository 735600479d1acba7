//! The JSON shape of the views (DESIGN.md) written by hand, compact or indented: byte for
//! byte what serde_json makes of them with the `serde` feature (`to_string`,
//! `to_string_pretty`), without serde's generic machinery. The WebAssembly modules
//! use it, where every kilobyte is downloaded; the CLI keeps serde.

use crate::registry::Guess;
use crate::span::Span;
use crate::view::{Analysis, Check, Diagnostic, Dissection, Frame, Node, NodeKind};

/// A JSON text being written: values, arrays and objects in order.
pub struct Json {
    out: String,
    /// Indented (two spaces a level, `": "` after keys), as serde_json's pretty form.
    pretty: bool,
    depth: usize,
    /// Nothing written yet in the innermost array or object.
    first: bool,
}

impl Default for Json {
    fn default() -> Self {
        Json::new()
    }
}

impl Json {
    /// Compact JSON, as `serde_json::to_string`.
    pub fn new() -> Self {
        Json { out: String::new(), pretty: false, depth: 0, first: true }
    }

    /// Indented JSON, as `serde_json::to_string_pretty`.
    pub fn pretty() -> Self {
        Json { pretty: true, ..Json::new() }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Text written as it is (a JSON text made elsewhere).
    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.out.push_str(s);
        self
    }

    fn open(&mut self, c: char) -> &mut Self {
        self.out.push(c);
        self.depth += 1;
        self.first = true;
        self
    }

    fn close(&mut self, c: char) -> &mut Self {
        self.depth -= 1;
        if self.pretty && !self.first {
            self.newline();
        }
        self.out.push(c);
        self.first = false;
        self
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Before an element of an array or a key of an object.
    fn next(&mut self) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        if self.pretty {
            self.newline();
        }
        self.first = false;
        self
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.open('{')
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.close('}')
    }

    /// A key of the object being written; its value follows.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.next().str(k);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
        self
    }

    /// A string, escaped as serde_json escapes it.
    pub fn str(&mut self, s: &str) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let out = &mut self.out;
        out.push('"');
        let mut from = 0;
        for (i, b) in s.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0C => "\\f",
                0..=0x1F => "",
                _ => continue,
            };
            out.push_str(&s[from..i]);
            if esc.is_empty() {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            } else {
                out.push_str(esc);
            }
            from = i + 1;
        }
        out.push_str(&s[from..]);
        out.push('"');
        self
    }

    pub fn num(&mut self, n: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
            self.out.push(char::from(d));
        }
        self
    }

    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.raw(if b { "true" } else { "false" })
    }

    /// An array of `items`, each written by `each`.
    pub fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) -> &mut Self {
        self.open('[');
        for item in items {
            self.next();
            each(self, item);
        }
        self.close(']')
    }

    /// An array of strings.
    pub fn strs(&mut self, items: &[&str]) -> &mut Self {
        self.list(items, |j, s| {
            j.str(s);
        })
    }

    /// A span: `[start, end]`.
    pub fn span(&mut self, s: Span) -> &mut Self {
        self.open('[').next().num(s.start).next().num(s.end).close(']')
    }

    fn opt_str(&mut self, k: &str, v: &Option<String>) -> &mut Self {
        if let Some(v) = v {
            self.key(k).str(v);
        }
        self
    }

    pub fn node(&mut self, n: &Node) -> &mut Self {
        self.begin_object().key("id").str(&n.id).key("label").str(&n.label).key("span").span(n.span);
        self.key("kind").str(kind(n.kind));
        self.opt_str("value", &n.value).opt_str("unit", &n.unit).opt_str("text", &n.text).opt_str("bits", &n.bits);
        self.key("children").list(&n.children, |j, c| {
            j.node(c);
        });
        self.end_object()
    }

    fn check_fields(&mut self, c: &Check) -> &mut Self {
        self.key("id").str(&c.id).key("label").str(&c.label);
        self.key("stated").str(&c.stated).key("computed").str(&c.computed);
        self.key("ok").bool(c.ok).key("span").span(c.span)
    }

    fn diagnostic(&mut self, d: &Diagnostic) -> &mut Self {
        self.begin_object().key("severity").str(d.severity.as_str()).key("offset").num(d.offset);
        self.key("span").span(d.span).key("code").str(&d.code).key("message").str(&d.message);
        self.end_object()
    }

    pub fn frame(&mut self, f: &Frame) -> &mut Self {
        self.begin_object().key("protocol").str(&f.protocol).key("span").span(f.span);
        self.key("valid").bool(f.valid).key("checks").list(&f.checks, |j, c| {
            j.begin_object().check_fields(c).end_object();
        });
        self.key("tree").node(&f.tree);
        self.key("diagnostics").list(&f.diagnostics, |j, d| {
            j.diagnostic(d);
        });
        self.end_object()
    }

    fn analysis(&mut self, a: &Analysis) -> &mut Self {
        self.begin_object().key("id").str(&a.id).key("title").str(&a.title);
        self.key("status").str(&a.status).key("ok").bool(a.ok);
        self.key("parts").list(&a.parts, |j, p| {
            j.begin_object().key("frame").num(p.frame).key("label").str(&p.label);
            j.key("span").span(p.span).key("len").num(p.len).end_object();
        });
        if !a.checks.is_empty() {
            self.key("checks").list(&a.checks, |j, c| {
                j.begin_object().key("frame").num(c.frame).check_fields(&c.check).end_object();
            });
        }
        self.opt_str("bytes", &a.bytes);
        if let Some(f) = &a.frame {
            self.key("frame").frame(f);
        }
        self.end_object()
    }

    pub fn dissection(&mut self, d: &Dissection) -> &mut Self {
        self.begin_object().key("frames").list(&d.frames, |j, f| {
            j.frame(f);
        });
        self.key("junk").list(&d.junk, |j, k| {
            j.begin_object().key("span").span(k.span).key("reason").str(&k.reason).end_object();
        });
        if !d.analyses.is_empty() {
            self.key("analyses").list(&d.analyses, |j, a| {
                j.analysis(a);
            });
        }
        self.end_object()
    }

    /// Auto-detection's guesses.
    pub fn guesses(&mut self, gs: &[Guess]) -> &mut Self {
        self.list(gs, |j, g| {
            j.begin_object().key("protocol").str(g.protocol).key("title").str(g.title);
            j.key("score").num(usize::from(g.score)).key("offset").num(g.offset).end_object();
        })
    }
}

/// A string as a JSON string literal (quoted and escaped).
pub fn quote(s: &str) -> String {
    let mut j = Json::new();
    j.str(s);
    j.finish()
}

fn kind(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Delimiter => "delimiter",
        NodeKind::Length => "length",
        NodeKind::Address => "address",
        NodeKind::Control => "control",
        NodeKind::Data => "data",
        NodeKind::Check => "check",
        NodeKind::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_numbers_and_nesting() {
        let mut j = Json::new();
        j.begin_object().key("a").str("x\"\\\n\u{1}中").key("b").list(&[1usize, 20], |j, n| {
            j.num(*n);
        });
        j.key("c").list::<usize>(&[], |_, _| {}).key("d").bool(false).end_object();
        assert_eq!(j.finish(), r#"{"a":"x\"\\\n\u0001中","b":[1,20],"c":[],"d":false}"#);
        let mut j = Json::pretty();
        j.begin_object().key("s").span(Span::new(3, 5)).key("e").list::<usize>(&[], |_, _| {}).end_object();
        assert_eq!(j.finish(), "{\n  \"s\": [\n    3,\n    5\n  ],\n  \"e\": []\n}");
        assert_eq!(Json::new().num(usize::MAX).raw("").out, usize::MAX.to_string());
    }
}
