//! A rendered dissection ([`view`]) in a compact binary form, for one
//! WebAssembly module to hand to another: the decoder module dissects and
//! renders, the page's module reads the result back into the same view types
//! without linking a single dissector or dictionary.
//!
//! The form is private to one build (both ends are built from this file):
//! numbers are LEB128, strings are a length and UTF-8, an optional value is a
//! byte (0 none, 1 some) and the value, a list is its length and its items.
//! [`unpack`] checks every length against what is left and fails on anything
//! malformed instead of panicking; it never allocates more than the input
//! can describe.

use crate::span::Span;
use crate::view::{Analysis, Check, Diagnostic, Dissection, Frame, FrameCheck, Junk, Node, NodeKind, Part, Severity};

/// The first byte of every packed dissection: a form that changes changes it.
const VERSION: u8 = 1;

/// Nested nodes deeper than this are refused (no dissector nests near it).
const MAX_DEPTH: usize = 256;

/// A packed dissection that does not read back: where, in the packed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackError {
    pub offset: usize,
}

impl core::fmt::Display for PackError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "malformed packed dissection at byte {}", self.offset)
    }
}

/// A rendered dissection packed.
pub fn pack(d: &Dissection) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(256));
    w.0.push(VERSION);
    w.dissection(d);
    w.0
}

/// One rendered frame packed (a long log's frame opened on its own).
pub fn pack_frame(f: &Frame) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(256));
    w.0.push(VERSION);
    w.frame(f);
    w.0
}

/// A packed dissection read back.
pub fn unpack(bytes: &[u8]) -> Result<Dissection, PackError> {
    let mut r = Reader { bytes, pos: 0 };
    r.version()?;
    let d = r.dissection()?;
    r.end()?;
    Ok(d)
}

/// A packed frame read back.
pub fn unpack_frame(bytes: &[u8]) -> Result<Frame, PackError> {
    let mut r = Reader { bytes, pos: 0 };
    r.version()?;
    let f = r.frame(0)?;
    r.end()?;
    Ok(f)
}

struct Writer(Vec<u8>);

impl Writer {
    fn num(&mut self, mut n: usize) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
    fn flag(&mut self, b: bool) {
        self.0.push(b as u8);
    }
    fn str(&mut self, s: &str) {
        self.num(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: &Option<String>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }
    fn span(&mut self, s: Span) {
        self.num(s.start);
        self.num(s.end);
    }
    fn dissection(&mut self, d: &Dissection) {
        self.num(d.frames.len());
        for f in &d.frames {
            self.frame(f);
        }
        self.num(d.junk.len());
        for j in &d.junk {
            self.span(j.span);
            self.str(&j.reason);
        }
        self.num(d.analyses.len());
        for a in &d.analyses {
            self.analysis(a);
        }
    }
    fn analysis(&mut self, a: &Analysis) {
        self.str(&a.id);
        self.str(&a.title);
        self.str(&a.status);
        self.flag(a.ok);
        self.num(a.parts.len());
        for p in &a.parts {
            self.num(p.frame);
            self.str(&p.label);
            self.span(p.span);
            self.num(p.len);
        }
        self.num(a.checks.len());
        for c in &a.checks {
            self.num(c.frame);
            self.check(&c.check);
        }
        self.opt(&a.bytes);
        match &a.frame {
            None => self.0.push(0),
            Some(f) => {
                self.0.push(1);
                self.frame(f);
            }
        }
    }
    fn frame(&mut self, f: &Frame) {
        self.str(&f.protocol);
        self.span(f.span);
        self.flag(f.valid);
        self.num(f.checks.len());
        for c in &f.checks {
            self.check(c);
        }
        self.node(&f.tree);
        self.num(f.diagnostics.len());
        for d in &f.diagnostics {
            self.0.push(d.severity as u8);
            self.num(d.offset);
            self.span(d.span);
            self.str(&d.code);
            self.str(&d.message);
        }
    }
    fn check(&mut self, c: &Check) {
        self.str(&c.id);
        self.str(&c.label);
        self.str(&c.stated);
        self.str(&c.computed);
        self.flag(c.ok);
        self.span(c.span);
    }
    fn node(&mut self, n: &Node) {
        self.str(&n.id);
        self.str(&n.label);
        self.span(n.span);
        self.0.push(n.kind as u8);
        self.opt(&n.value);
        self.opt(&n.unit);
        self.opt(&n.text);
        self.opt(&n.bits);
        self.num(n.children.len());
        for c in &n.children {
            self.node(c);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn fail<T>(&self) -> Result<T, PackError> {
        Err(PackError { offset: self.pos })
    }
    fn byte(&mut self) -> Result<u8, PackError> {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.fail(),
        }
    }
    fn version(&mut self) -> Result<(), PackError> {
        if self.byte()? != VERSION {
            self.pos -= 1;
            return self.fail();
        }
        Ok(())
    }
    fn end(&self) -> Result<(), PackError> {
        if self.pos == self.bytes.len() { Ok(()) } else { self.fail() }
    }
    fn num(&mut self) -> Result<usize, PackError> {
        let mut n: usize = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift >= usize::BITS || (shift > 0 && (b as usize) << shift >> shift != b as usize) {
                return self.fail();
            }
            n |= ((b & 0x7f) as usize) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
            shift += 7;
        }
    }
    /// A list's length, no longer than the items left could fill (every item
    /// takes at least `min` bytes).
    fn len(&mut self, min: usize) -> Result<usize, PackError> {
        let n = self.num()?;
        if n.saturating_mul(min) > self.bytes.len() - self.pos {
            return self.fail();
        }
        Ok(n)
    }
    fn flag(&mut self) -> Result<bool, PackError> {
        self.pick(&[false, true])
    }
    /// One of `values`, by the index a byte gives (the writer's `as u8`, in declaration order).
    fn pick<T: Copy>(&mut self, values: &[T]) -> Result<T, PackError> {
        match values.get(usize::from(self.byte()?)) {
            Some(&v) => Ok(v),
            None => {
                self.pos -= 1;
                self.fail()
            }
        }
    }
    fn str(&mut self) -> Result<String, PackError> {
        let n = self.len(1)?;
        let start = self.pos;
        match core::str::from_utf8(&self.bytes[start..start + n]) {
            Ok(s) => {
                self.pos += n;
                Ok(s.to_owned())
            }
            Err(_) => self.fail(),
        }
    }
    fn opt(&mut self) -> Result<Option<String>, PackError> {
        Ok(if self.flag()? { Some(self.str()?) } else { None })
    }
    fn span(&mut self) -> Result<Span, PackError> {
        let start = self.num()?;
        let end = self.num()?;
        if end < start {
            return self.fail();
        }
        Ok(Span::new(start, end))
    }
    fn dissection(&mut self) -> Result<Dissection, PackError> {
        let n = self.len(8)?;
        let mut frames = Vec::with_capacity(n);
        for _ in 0..n {
            frames.push(self.frame(0)?);
        }
        let n = self.len(3)?;
        let mut junk = Vec::with_capacity(n);
        for _ in 0..n {
            junk.push(Junk { span: self.span()?, reason: self.str()? });
        }
        let n = self.len(8)?;
        let mut analyses = Vec::with_capacity(n);
        for _ in 0..n {
            analyses.push(self.analysis()?);
        }
        Ok(Dissection { frames, junk, analyses })
    }
    fn analysis(&mut self) -> Result<Analysis, PackError> {
        let (id, title, status, ok) = (self.str()?, self.str()?, self.str()?, self.flag()?);
        let n = self.len(5)?;
        let mut parts = Vec::with_capacity(n);
        for _ in 0..n {
            parts.push(Part { frame: self.num()?, label: self.str()?, span: self.span()?, len: self.num()? });
        }
        let n = self.len(8)?;
        let mut checks = Vec::with_capacity(n);
        for _ in 0..n {
            checks.push(FrameCheck { frame: self.num()?, check: self.check()? });
        }
        let bytes = self.opt()?;
        let frame = if self.flag()? { Some(self.frame(0)?) } else { None };
        Ok(Analysis { id, title, status, ok, parts, checks, bytes, frame })
    }
    fn frame(&mut self, depth: usize) -> Result<Frame, PackError> {
        let (protocol, span, valid) = (self.str()?, self.span()?, self.flag()?);
        let n = self.len(7)?;
        let mut checks = Vec::with_capacity(n);
        for _ in 0..n {
            checks.push(self.check()?);
        }
        let tree = self.node(depth)?;
        let n = self.len(7)?;
        let mut diagnostics = Vec::with_capacity(n);
        for _ in 0..n {
            let severity = self.pick(&[Severity::Info, Severity::Warning, Severity::Error])?;
            let (offset, span, code, message) = (self.num()?, self.span()?, self.str()?, self.str()?);
            diagnostics.push(Diagnostic { severity, offset, span, code, message });
        }
        Ok(Frame { protocol, span, valid, checks, tree, diagnostics })
    }
    fn check(&mut self) -> Result<Check, PackError> {
        Ok(Check {
            id: self.str()?,
            label: self.str()?,
            stated: self.str()?,
            computed: self.str()?,
            ok: self.flag()?,
            span: self.span()?,
        })
    }
    fn node(&mut self, depth: usize) -> Result<Node, PackError> {
        if depth > MAX_DEPTH {
            return self.fail();
        }
        let (id, label, span) = (self.str()?, self.str()?, self.span()?);
        let kind = self.pick(&[
            NodeKind::Delimiter,
            NodeKind::Length,
            NodeKind::Address,
            NodeKind::Control,
            NodeKind::Data,
            NodeKind::Check,
            NodeKind::Unknown,
        ])?;
        let (value, unit, text, bits) = (self.opt()?, self.opt()?, self.opt()?, self.opt()?);
        let n = self.len(11)?;
        let mut children = Vec::with_capacity(n);
        for _ in 0..n {
            children.push(self.node(depth + 1)?);
        }
        Ok(Node { id, label, span, kind, value, unit, text, bits, children })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, Options, Registry, parse_input};

    fn dissect(hex: &str, lang: Lang) -> Option<Dissection> {
        let input = parse_input(hex).ok()?;
        let opts = Options { lang, ..Options::default() };
        Some(Registry::default().dissect(&input.bytes, &input.line_starts, &opts).render(lang))
    }

    /// Every public vector, in both languages, reads back equal to what was packed.
    #[test]
    fn public_vectors_round_trip() {
        let mut count = 0;
        for file in ["public-vectors.json", "new-public-vectors.json"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            for hex in text.split('"').filter(|s| s.len() >= 8 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b' '))
            {
                for lang in [Lang::En, Lang::Zh] {
                    let Some(d) = dissect(hex, lang) else { continue };
                    assert_eq!(unpack(&pack(&d)).unwrap(), d);
                    for f in &d.frames {
                        assert_eq!(unpack_frame(&pack_frame(f)).unwrap(), *f);
                    }
                    count += 1;
                }
            }
        }
        assert!(count > 50, "only {count} vectors found");
    }

    /// Every truncation and every single-byte change of a packed dissection
    /// fails cleanly or reads back something; nothing panics.
    #[test]
    fn malformed_never_panics() {
        let d = dissect("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 B3 16 FE 01 02", Lang::Zh).unwrap();
        let packed = pack(&d);
        for n in 0..packed.len() {
            assert!(unpack(&packed[..n]).is_err());
        }
        for i in 0..packed.len() {
            for b in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut m = packed.clone();
                m[i] = b;
                let _ = unpack(&m);
            }
        }
        assert_eq!(unpack(&[VERSION + 1]), Err(PackError { offset: 0 }));
    }
}
