//! The readable text form of a dissection: an indented tree per frame.

use std::fmt::Write;

use meterscope_core::{Dissection, Lang, Node, to_hex};

/// Bytes shown per node before eliding.
const MAX_BYTES: usize = 16;

pub fn text(d: &Dissection, bytes: &[u8], lang: Lang) -> String {
    let mut out = String::new();
    for (i, f) in d.frames.iter().enumerate() {
        let state = match (f.valid, lang) {
            (true, Lang::En) => "valid",
            (false, Lang::En) => "NOT VALID",
            (true, Lang::Zh) => "有效",
            (false, Lang::Zh) => "无效",
        };
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
        let state = match (a.ok, lang) {
            (true, Lang::En) => "ok",
            (false, Lang::En) => "NOT WHOLE",
            (true, Lang::Zh) => "完整",
            (false, Lang::Zh) => "不完整",
        };
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
                if lang == Lang::Zh { "字节" } else { "bytes" }
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
            let joined = a.bytes.as_deref().and_then(|h| meterscope_core::parse_input(h).ok()).map(|i| i.bytes);
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

fn node(out: &mut String, n: &Node, bytes: &[u8], depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = write!(out, "{indent}{}", n.label);
    if let Some(v) = &n.value {
        let _ = write!(out, ": {v}");
        if let Some(u) = &n.unit {
            let _ = write!(out, " {u}");
        }
    }
    if let Some(t) = &n.text {
        let _ = write!(out, "  ({t})");
    }
    let _ = writeln!(out, "  [{}..{}) {}", n.span.start, n.span.end, clip(bytes, n.span.start, n.span.end));
    for c in &n.children {
        node(out, c, bytes, depth + 1);
    }
}

fn clip(bytes: &[u8], start: usize, end: usize) -> String {
    let end = end.min(bytes.len());
    let start = start.min(end);
    let slice = &bytes[start..end];
    if slice.len() > MAX_BYTES {
        format!("{} … (+{} bytes)", to_hex(&slice[..MAX_BYTES]), slice.len() - MAX_BYTES)
    } else {
        to_hex(slice)
    }
}
