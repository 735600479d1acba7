//! The core's hand-written JSON (`meterscope_core::json`), which this module and the
//! page use, against serde_json's, compact and indented.

use meterscope_core::json::Json;
use meterscope_core::{Dissection, Lang, Options, Registry, parse_input, render_each};

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
    assert_eq!(j.finish(), serde_json::to_string(d).expect("serde_json"));
    let mut j = Json::pretty();
    j.dissection(d);
    assert_eq!(j.finish(), serde_json::to_string_pretty(d).expect("serde_json"));
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
        let mut j = Json::new();
        j.guesses(&guesses);
        assert_eq!(j.finish(), serde_json::to_string(&guesses).expect("serde_json"));
        joined.extend(bytes);
    }
    for (_, d) in render_each(&registry, &joined, &[], &Options::default(), &[Lang::En, Lang::Zh]) {
        analyses |= same(&d);
    }
    assert!(analyses, "no vector gave an analysis across frames");
    let names = ["auto", "dlt645-2007"];
    let mut j = Json::new();
    j.strs(&names);
    assert_eq!(j.finish(), serde_json::to_string(&names).expect("serde_json"));
}

#[test]
fn strings_are_escaped_as_serde_json_does() {
    let s = "a\"b\\c\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é中 end";
    let mut j = Json::new();
    j.str(s);
    assert_eq!(j.finish(), serde_json::to_string(s).expect("serde_json"));
    for n in [0usize, 7, 10, 99, 12345, usize::MAX] {
        let mut j = Json::new();
        j.num(n);
        assert_eq!(j.finish(), n.to_string());
    }
}
