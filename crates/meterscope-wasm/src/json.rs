//! The module's results as JSON, written by hand: the shape serde_json gives the core's
//! views (DESIGN.md), byte for byte, without serde's generic machinery in the module.

use meterscope_core::view::Analysis;
use meterscope_core::{Check, Diagnostic, Dissection, Frame, Guess, Junk, Node, NodeKind, Span};

/// A JSON text being written.
pub struct Json(pub String);

impl Json {
    pub fn new() -> Self {
        Json(String::new())
    }

    pub fn raw(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    /// A string, escaped as serde_json escapes it.
    pub fn str(&mut self, s: &str) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let out = &mut self.0;
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
            self.0.push(char::from(d));
        }
        self
    }

    fn bool(&mut self, b: bool) -> &mut Self {
        self.raw(if b { "true" } else { "false" })
    }

    /// `,"key":` (or `"key":` first in an object: `first`).
    fn key(&mut self, first: bool, k: &str) -> &mut Self {
        if !first {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(k);
        self.raw("\":")
    }

    fn span(&mut self, s: Span) -> &mut Self {
        self.raw("[").num(s.start).raw(",").num(s.end).raw("]")
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) -> &mut Self {
        self.0.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            each(self, item);
        }
        self.raw("]")
    }

    fn opt_str(&mut self, k: &str, v: &Option<String>) -> &mut Self {
        if let Some(v) = v {
            self.key(false, k).str(v);
        }
        self
    }

    pub fn node(&mut self, n: &Node) {
        self.key(true, "id").str(&n.id).key(false, "label").str(&n.label).key(false, "span").span(n.span);
        self.key(false, "kind").str(kind(n.kind));
        self.opt_str("value", &n.value).opt_str("unit", &n.unit).opt_str("text", &n.text);
        self.key(false, "children").list(&n.children, |j, c| {
            j.0.push('{');
            j.node(c);
            j.0.push('}');
        });
    }

    fn check_fields(&mut self, first: bool, c: &Check) {
        self.key(first, "id").str(&c.id).key(false, "label").str(&c.label);
        self.key(false, "stated").str(&c.stated).key(false, "computed").str(&c.computed);
        self.key(false, "ok").bool(c.ok).key(false, "span").span(c.span);
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        self.key(true, "severity").str(d.severity.as_str()).key(false, "offset").num(d.offset);
        self.key(false, "span").span(d.span).key(false, "code").str(&d.code).key(false, "message").str(&d.message);
    }

    pub fn frame(&mut self, f: &Frame) -> &mut Self {
        self.raw("{").key(true, "protocol").str(&f.protocol).key(false, "span").span(f.span);
        self.key(false, "valid").bool(f.valid).key(false, "checks").list(&f.checks, |j, c| {
            j.0.push('{');
            j.check_fields(true, c);
            j.0.push('}');
        });
        self.key(false, "tree").raw("{").node(&f.tree);
        self.raw("}").key(false, "diagnostics").list(&f.diagnostics, |j, d| {
            j.0.push('{');
            j.diagnostic(d);
            j.0.push('}');
        });
        self.raw("}")
    }

    fn junk(&mut self, j: &Junk) {
        self.raw("{").key(true, "span").span(j.span).key(false, "reason").str(&j.reason).raw("}");
    }

    fn analysis(&mut self, a: &Analysis) {
        self.raw("{").key(true, "id").str(&a.id).key(false, "title").str(&a.title);
        self.key(false, "status").str(&a.status).key(false, "ok").bool(a.ok);
        self.key(false, "parts").list(&a.parts, |j, p| {
            j.raw("{").key(true, "frame").num(p.frame).key(false, "label").str(&p.label);
            j.key(false, "span").span(p.span).key(false, "len").num(p.len).raw("}");
        });
        if !a.checks.is_empty() {
            self.key(false, "checks").list(&a.checks, |j, c| {
                j.raw("{").key(true, "frame").num(c.frame);
                j.check_fields(false, &c.check);
                j.0.push('}');
            });
        }
        self.opt_str("bytes", &a.bytes);
        if let Some(f) = &a.frame {
            self.key(false, "frame").frame(f);
        }
        self.0.push('}');
    }

    pub fn dissection(&mut self, d: &Dissection) -> &mut Self {
        self.raw("{").key(true, "frames").list(&d.frames, |j, f| {
            j.frame(f);
        });
        self.key(false, "junk").list(&d.junk, |j, k| j.junk(k));
        if !d.analyses.is_empty() {
            self.key(false, "analyses").list(&d.analyses, |j, a| j.analysis(a));
        }
        self.raw("}")
    }

    pub fn guesses(&mut self, gs: &[Guess]) -> &mut Self {
        self.list(gs, |j, g| {
            j.raw("{").key(true, "protocol").str(g.protocol).key(false, "title").str(g.title);
            j.key(false, "score").num(usize::from(g.score)).key(false, "offset").num(g.offset).raw("}");
        })
    }

    pub fn strs(&mut self, items: &[&str]) -> &mut Self {
        self.list(items, |j, s| {
            j.str(s);
        })
    }
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
    use meterscope_core::{Lang, Options, Registry, parse_input, render_each};

    /// Every `hex` string of the core's public and conformance vectors.
    fn vectors() -> Vec<String> {
        fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, v) in m {
                        match v {
                            serde_json::Value::String(s) if k == "hex" => out.push(s.clone()),
                            _ => walk(v, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for file in ["public-vectors.json", "new-public-vectors.json", "conformance-vectors.json"] {
            let path = format!("{}/../meterscope-core/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).expect("vectors");
            walk(&serde_json::from_str(&text).expect("json"), &mut out);
        }
        out
    }

    /// Whether the dissection had analyses across frames (so the test covers them).
    fn same(d: &Dissection) -> bool {
        let mut j = Json::new();
        j.dissection(d);
        assert_eq!(j.0, serde_json::to_string(d).expect("serde_json"));
        !d.analyses.is_empty()
    }

    /// The hand-written JSON equals serde_json's for every vector, alone and all in one
    /// input (the analyses across frames), in both languages; and for the guesses.
    #[test]
    fn equals_serde_json() {
        let registry = Registry::default();
        let all = vectors();
        assert!(all.len() > 50);
        let mut joined = Vec::new();
        let mut analyses = false;
        for hex in &all {
            let bytes = parse_input(hex).expect("vector").bytes;
            for (_, d) in render_each(&registry, &bytes, &[], &Options::default(), &[Lang::En, Lang::Zh]) {
                analyses |= same(&d);
            }
            let guesses = registry.detect(&bytes, Lang::Zh);
            assert_eq!(Json::new().guesses(&guesses).0, serde_json::to_string(&guesses).expect("serde_json"));
            joined.extend(bytes);
        }
        for (_, d) in render_each(&registry, &joined, &[], &Options::default(), &[Lang::En, Lang::Zh]) {
            analyses |= same(&d);
        }
        assert!(analyses, "no vector gave an analysis across frames");
        let names = ["auto", "dlt645-2007"];
        assert_eq!(Json::new().strs(&names).0, serde_json::to_string(&names).expect("serde_json"));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let s = "a\"b\\c\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é中 end";
        assert_eq!(Json::new().str(s).0, serde_json::to_string(s).expect("serde_json"));
        for n in [0usize, 7, 10, 99, 12345, usize::MAX] {
            assert_eq!(Json::new().num(n).0, n.to_string());
        }
    }
}
