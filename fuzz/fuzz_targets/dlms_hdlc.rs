//! DLMS HDLC: framer, scorer and dissector (addresses, control, HCS/FCS, LLC, info).
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::hdlc;
use meterscope_core::{FrameStatus, Options};

fuzz_target!(|data: &[u8]| {
    if let FrameStatus::Complete { preamble, len } = hdlc::frame(data) {
        assert!(preamble + len <= data.len());
        let _ = hdlc::score(&data[preamble..preamble + len]);
    }
    let f = hdlc::dissect(data, 1, &Options::default());
    for n in &f.nodes {
        assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
    }
});
