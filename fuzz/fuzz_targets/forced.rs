//! Every registered protocol's framer, scorer and dissector forced on any bytes
//! (what the manual protocol override does): no panic, nodes inside the frame.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::{FrameStatus, Options, Registry};

fuzz_target!(|data: &[u8]| {
    let reg = Registry::default();
    for p in reg.protocols() {
        if let FrameStatus::Complete { preamble, len } = p.frame(data) {
            assert!(preamble + len <= data.len(), "{} framed past the end", p.name());
            let _ = p.score(&data[preamble..preamble + len]);
        }
        let frame = p.dissect(data, 5, &Options::default());
        for n in &frame.nodes {
            assert!(frame.span.encloses(n.span), "{}: node {} outside", p.name(), n.id.to_text());
        }
        let _ = (frame.render(meterscope_core::Lang::En), frame.render(meterscope_core::Lang::Zh));
    }
});
