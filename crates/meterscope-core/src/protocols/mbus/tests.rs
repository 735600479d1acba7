//! Golden tests over the public vectors of the family
//! (`tests/data/new-public-vectors.json`, family `mbus`), detection against
//! the other 0x68 families, labels in both languages, robustness.
//!
//! The expectations of most vectors come from a public decoder's output,
//! which states values in base units (Wh, m³, s) and durations in seconds;
//! the test converts this family's values (in the unit the VIF gives) to
//! compare. Where that decoder reads bytes that are not BCD digits as
//! numbers, the test checks that the bytes are shown as they are, with a
//! warning, as EN 13757-3 gives no value to such digits.

use crate::lang::Lang;
use crate::model::Dissection;
use crate::registry::{Options, Registry};
use crate::view::Node;

fn bytes(hex: &str) -> Vec<u8> {
    crate::input::parse_input(hex).unwrap().bytes
}

fn decode(hex: &str) -> Dissection {
    Registry::default().dissect(&bytes(hex), &[], &Options::default())
}

fn vectors() -> Vec<serde_json::Value> {
    let text = include_str!("../../../tests/data/new-public-vectors.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["vectors"].as_array().unwrap().iter().filter(|v| v["family"] == "mbus").cloned().collect()
}

fn dump(n: &Node, depth: usize, out: &mut String) {
    use std::fmt::Write;
    let _ = writeln!(
        out,
        "{}{} [{}] {:?} = {:?} {:?} {:?}",
        "  ".repeat(depth),
        n.id,
        n.label,
        n.span,
        n.value,
        n.unit,
        n.text
    );
    for c in &n.children {
        dump(c, depth + 1, out);
    }
}

#[test]
#[ignore]
fn print_vectors() {
    for v in vectors() {
        let d = decode(v["hex"].as_str().unwrap());
        let r = d.render(Lang::En);
        println!("===== {} {:?}", v["id"], r.junk);
        for f in &r.frames {
            let mut s = String::new();
            dump(&f.tree, 0, &mut s);
            println!("{} valid={} {:?}\n{s}", f.protocol, f.valid, f.diagnostics);
        }
    }
}
