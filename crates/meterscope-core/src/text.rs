//! The readable text form of a dissection, one renderer for every surface
//! (the CLI's `decode`, the page's "copy as text" and text download): per
//! frame its state, an indented tree (`label: value unit  (text)  [start..end)
//! bytes`, a bit field's bits before its label: `1... .... = label`), its checks and diagnostics; then the analyses across frames and
//! the junk.

use core::fmt::Write;

use crate::input::to_hex;
use crate::lang::Lang;
use crate::view::{Dissection, Node};

/// Bytes shown per node before eliding.
const MAX_BYTES: usize = 16;

/// The whole dissection of `bytes` as text, in `lang`.
pub fn dissection(d: &Dissection, bytes: &[u8], lang: Lang) -> String {
    let mut out = String::new();
    for (i, f) in d.frames.iter().enumerate() {
        let state = if f.valid { lang.pick("valid", "有效") } else { lang.pick("NOT VALID", "无效") };
        let _ = writeln!(out, "#{} {}  [{}..{})  {}", i + 1, f.protocol, f.span.start, f.span.end, state);
        node(&mut out, &f.tree, bytes, 1);
        for c in &f.checks {
            let verdict = if c.ok { "ok".to_string() } else { format!("INCORRECT, should be {}", c.computed) };
            let _ = writeln!(
                out,
                "  check {}: stated {}, computed {}: {}  @{}",
                c.label, c.stated, c.computed, verdict, c.span.start
            );
        }
        for diag in &f.diagnostics {
            let _ = writeln!(out, "  {} @{} {}: {}", diag.severity.as_str(), diag.offset, diag.code, diag.message);
        }
    }
    for (i, a) in d.analyses.iter().enumerate() {
        let state = if a.ok { lang.pick("ok", "完整") } else { lang.pick("NOT WHOLE", "不完整") };
        let _ = writeln!(out, "across frames {}: {}  ({})  {state}", i + 1, a.title, a.status);
        for p in &a.parts {
            let _ = writeln!(
                out,
                "  part #{} {}  [{}..{}) {} {}",
                p.frame + 1,
                p.label,
                p.span.start,
                p.span.end,
                p.len,
                lang.pick("bytes", "字节")
            );
        }
        for c in &a.checks {
            let verdict =
                if c.check.ok { "ok".to_string() } else { format!("INCORRECT, should be {}", c.check.computed) };
            let _ = writeln!(
                out,
                "  check #{} {}: stated {}, computed {}: {verdict}  @{}",
                c.frame + 1,
                c.check.label,
                c.check.stated,
                c.check.computed,
                c.check.span.start
            );
        }
        if let Some(f) = &a.frame {
            let joined = a.bytes.as_deref().and_then(|h| crate::parse_input(h).ok()).map(|i| i.bytes);
            node(&mut out, &f.tree, joined.as_deref().unwrap_or_default(), 1);
            for diag in &f.diagnostics {
                let _ = writeln!(out, "  {} @{} {}: {}", diag.severity.as_str(), diag.offset, diag.code, diag.message);
            }
        }
    }
    for j in &d.junk {
        let _ = writeln!(
            out,
            "junk [{}..{}) {}: {}",
            j.span.start,
            j.span.end,
            j.reason,
            clip(bytes, j.span.start, j.span.end)
        );
    }
    out
}

/// A node's value with its unit (`9.64 kWh`), if it has a value.
pub fn node_value(n: &Node) -> Option<String> {
    n.value.as_ref().map(|v| match &n.unit {
        Some(u) => format!("{v} {u}"),
        None => v.clone(),
    })
}

/// A subtree as indented text at `depth`, one node a line.
pub fn node(out: &mut String, n: &Node, bytes: &[u8], depth: usize) {
    let _ = write!(out, "{}", "  ".repeat(depth));
    if let Some(bits) = &n.bits {
        let _ = write!(out, "{bits} = ");
    }
    let _ = write!(out, "{}", n.label);
    if let Some(v) = node_value(n) {
        let _ = write!(out, ": {v}");
    }
    if let Some(t) = &n.text {
        let _ = write!(out, "  ({t})");
    }
    let _ = writeln!(out, "  [{}..{}) {}", n.span.start, n.span.end, clip(bytes, n.span.start, n.span.end));
    for c in &n.children {
        node(out, c, bytes, depth + 1);
    }
}

/// The bytes `[start, end)` as hex, elided after [`MAX_BYTES`].
fn clip(bytes: &[u8], start: usize, end: usize) -> String {
    let end = end.min(bytes.len());
    let slice = bytes.get(start.min(end)..end).unwrap_or_default();
    match slice.get(..MAX_BYTES) {
        Some(head) if slice.len() > MAX_BYTES => {
            format!("{} … (+{} bytes)", to_hex(head), slice.len() - MAX_BYTES)
        }
        _ => to_hex(slice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Registry, parse_input};

    #[test]
    fn frames_checks_diagnostics_junk_and_a_subtree() {
        let input = parse_input("FE FE FE FE 68 66 55 44 33 22 11 68 91 09 33 33 34 33 97 3C 33 33 0B 16").unwrap();
        let d = Registry::default().dissect(&input.bytes, &input.line_starts, &Options::default()).render(Lang::En);
        let text = dissection(&d, &input.bytes, Lang::En);
        assert!(text.starts_with("#1 dlt645-2007  [4..24)  NOT VALID\n"), "{text}");
        assert!(text.contains("INCORRECT, should be 0xD4"), "{text}");
        assert!(text.contains("error @22 dlt645.cs.mismatch"), "{text}");
        assert!(text.contains("junk [0..4) preamble: FE FE FE FE"), "{text}");
        let di = d.frames[0].tree.find_path("dlt645.data.di").unwrap();
        let mut sub = String::new();
        node(&mut sub, d.frames[0].tree.at_path(&di).unwrap(), &input.bytes, 0);
        assert!(sub.starts_with("Data identifier: 00010000  ("), "{sub}");
        assert!(sub.contains("[14..18) 33 33 34 33"), "{sub}");
        // Long spans are elided after 16 bytes.
        assert_eq!(clip(&[0u8; 20], 0, 20), "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 … (+4 bytes)");
        assert_eq!(clip(&[1, 2], 1, 9), "02");
        assert!(dissection(&d, &input.bytes, Lang::Zh).starts_with("#1 dlt645-2007  [4..24)  无效\n"));
    }
}
