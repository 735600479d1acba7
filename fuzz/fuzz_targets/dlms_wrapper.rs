//! DLMS TCP/UDP wrapper: framer, scorer and dissector.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::wrapper;
use meterscope_core::{FrameStatus, Options};

fuzz_target!(|data: &[u8]| {
    if let FrameStatus::Complete { preamble, len } = wrapper::frame(data) {
        assert!(preamble + len <= data.len());
        let _ = wrapper::score(&data[preamble..preamble + len]);
    }
    let f = wrapper::dissect(data, 1, &Options::default());
    for n in &f.nodes {
        assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
    }
});
