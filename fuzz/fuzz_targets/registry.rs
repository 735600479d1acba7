//! The whole decode path on arbitrary bytes: every byte lands in exactly one
//! frame or junk entry, every node lies inside its frame, nothing panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::{Lang, Options, Registry, Span};

fuzz_target!(|data: &[u8]| {
    let reg = Registry::default();
    let opts = Options {
        lang: if data.first().is_some_and(|b| b & 1 == 1) { Lang::Zh } else { Lang::En },
        ..Options::default()
    };
    let d = reg.dissect(data, &[], &opts);
    let mut spans: Vec<Span> = d.frames.iter().map(|f| f.span).chain(d.junk.iter().map(|j| j.span)).collect();
    spans.sort();
    let mut at = 0;
    for s in &spans {
        assert_eq!(s.start, at, "gap or overlap");
        at = s.end;
    }
    assert_eq!(at, data.len());
    for f in &d.frames {
        for n in &f.nodes {
            assert!(f.span.encloses(n.span), "node {} outside its frame", n.id.to_text());
        }
        let _ = (f.render(meterscope_core::Lang::En), f.render(meterscope_core::Lang::Zh));
        for c in &f.checks {
            assert!(f.span.encloses(c.span));
        }
    }
    let _ = reg.detect(data, Lang::En);
});
