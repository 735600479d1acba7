//! Every example of the gallery decodes; broken ones show their fault.

use meterscope_core::Options;

use crate::examples::{self, EXAMPLES};

const FRAME_698: &str =
    "68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16";

#[test]
fn every_example_decodes_and_broken_ones_are_invalid() {
    for e in EXAMPLES {
        assert!(!e.zh.is_empty() && !e.en.is_empty());
        let d = meterscope_core::decode(e.input, &Options::default()).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        assert!(!d.dissection.frames.is_empty(), "{}", e.id);
        let broken = e.en.starts_with("Broken");
        let all_valid = d.dissection.frames.iter().all(|f| f.valid);
        let warned = d.dissection.frames.iter().any(|f| !f.diagnostics.is_empty());
        if broken {
            assert!(!all_valid || warned || e.id.contains("fragment"), "{} should show a fault", e.id);
        } else {
            assert!(all_valid, "{} should be valid", e.id);
        }
        assert!(!d.dissection.frames.iter().any(|f| f.protocol == "unknown"), "{}", e.id);
    }
    let log = examples::by_id("serial-log").unwrap();
    let d = meterscope_core::decode(log.input, &Options::default()).unwrap();
    assert_eq!(d.dissection.frames.len(), 3);
    assert!(d.dissection.junk.len() >= 3);
}

#[test]
fn fragments_are_reassembled_or_the_gap_named() {
    let ex = |id| examples::by_id(id).unwrap().input;
    let analysis = |input: &str| meterscope_core::decode(input, &Options::default()).unwrap().dissection.analyses;
    let a = analysis(ex("698-fragments"));
    assert_eq!(a[0].parts.iter().map(|p| p.frame).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    assert_eq!((a[0].status.as_str(), a[0].ok), ("37 bytes", true));
    assert!(a[0].bytes.as_deref().is_some_and(|b| b.starts_with("85 01 01 00")));
    let a = analysis(ex("698-fragment-missing"));
    assert_eq!((a[0].status.as_str(), a[0].ok), ("missing part: fragment sequence 2", false));
    // Without the last, or without the first.
    let lines: Vec<&str> = ex("698-fragments").lines().collect();
    assert_eq!(analysis(&lines[..3].join("\n"))[0].status, "the last fragment is missing");
    assert_eq!(analysis(&lines[1..].join("\n"))[0].status, "the first fragment is missing");
    // A plain frame is no fragment.
    assert!(analysis(FRAME_698).is_empty());
}
