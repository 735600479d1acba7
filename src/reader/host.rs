//! Frames the reader's sessions read (M-Bus, wireless M-Bus, SML) are
//! dissected by the page's decoder, which the app already carries: the
//! reader module lends the sessions these functions ([`Dissect`]), which
//! ask the host and read back the frame's JSON view, so the module carries
//! no second copy of the dissectors.

use std::cell::RefCell;
use std::rc::Rc;

use meterscope_core::view::{Check, Diagnostic, Frame, Node, NodeKind, Severity};
use meterscope_core::{Keys, Lang, Span};
use serde_json::Value;

/// The host's decoder: protocol (a registry name), bytes, language, keys →
/// the JSON of the first frame's view (empty when there is none).
pub type HostDissect = Rc<dyn Fn(&str, &[u8], Lang, &Keys) -> String>;

thread_local! {
    static HOST: RefCell<Option<HostDissect>> = const { RefCell::new(None) };
}

/// Lend the host's decoder to the sessions (when the reader is mounted).
pub fn set(host: HostDissect) {
    HOST.with(|h| *h.borrow_mut() = Some(host));
}

fn ask(protocol: &str, bytes: &[u8], lang: Lang, keys: &Keys) -> Option<Frame> {
    let json = HOST.with(|h| h.borrow().as_ref().map(|f| f(protocol, bytes, lang, keys)))?;
    frame(&serde_json::from_str(&json).ok()?)
}

/// Wired M-Bus through the host ([`meterscope_core::session::Dissect`]).
pub fn mbus(bytes: &[u8], lang: Lang, keys: &Keys) -> Option<Frame> {
    ask("mbus", bytes, lang, keys)
}

/// Wireless M-Bus through the host.
pub fn wmbus(bytes: &[u8], lang: Lang, keys: &Keys) -> Option<Frame> {
    ask("wmbus", bytes, lang, keys)
}

/// SML through the host.
pub fn sml(bytes: &[u8], lang: Lang, keys: &Keys) -> Option<Frame> {
    ask("sml", bytes, lang, keys)
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn opt(v: &Value, k: &str) -> Option<String> {
    v[k].as_str().map(str::to_string)
}

fn span(v: &Value) -> Span {
    let n = |i: usize| v[i].as_u64().unwrap_or(0) as usize;
    Span::new(n(0), n(1).max(n(0)))
}

fn node(v: &Value) -> Node {
    let kind = match v["kind"].as_str() {
        Some("delimiter") => NodeKind::Delimiter,
        Some("length") => NodeKind::Length,
        Some("address") => NodeKind::Address,
        Some("control") => NodeKind::Control,
        Some("check") => NodeKind::Check,
        Some("unknown") => NodeKind::Unknown,
        _ => NodeKind::Data,
    };
    let mut n = Node::new(text(v, "id"), text(v, "label"), span(&v["span"])).kind(kind);
    n.value = opt(v, "value");
    n.unit = opt(v, "unit");
    n.text = opt(v, "text");
    n.bits = opt(v, "bits");
    n.children = v["children"].as_array().map(|c| c.iter().map(node).collect()).unwrap_or_default();
    n
}

/// A frame's view from its JSON (the shape `meterscope_core::json` writes).
pub fn frame(v: &Value) -> Option<Frame> {
    let checks = v["checks"].as_array()?.iter().map(|c| Check {
        id: text(c, "id"),
        label: text(c, "label"),
        stated: text(c, "stated"),
        computed: text(c, "computed"),
        ok: c["ok"].as_bool().unwrap_or(false),
        span: span(&c["span"]),
    });
    let diagnostics = v["diagnostics"].as_array()?.iter().map(|d| {
        let severity = match d["severity"].as_str() {
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            _ => Severity::Info,
        };
        Diagnostic::new(severity, span(&d["span"]), text(d, "code"), text(d, "message"))
    });
    let mut f = Frame::new(text(v, "protocol"), node(v.get("tree")?), checks.collect(), diagnostics.collect());
    f.valid = v["valid"].as_bool().unwrap_or(f.valid);
    Some(f)
}
