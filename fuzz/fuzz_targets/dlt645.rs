//! DL/T 645: framer, strict parser and dissector of both editions, forced on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlt645::{self, Frame645};
use meterscope_core::Options;

fuzz_target!(|data: &[u8]| {
    let _ = dlt645::frame::frame_status(data);
    if let Ok(f) = Frame645::parse(data) {
        // A frame the strict parser accepts emits back to the same bytes.
        assert_eq!(Frame645::parse(&f.emit()).ok(), Some(f));
    }
    for p in dlt645::protocols() {
        let _ = p.score(data);
        let frame = p.dissect(data, 7, &Options::default());
        for n in &frame.nodes {
            assert!(frame.span.encloses(n.span));
        }
        let _ = (frame.render(meterscope_core::Lang::En), frame.render(meterscope_core::Lang::Zh));
    }
});
