//! SML: the transport framer and the dissector, forced on any bytes (and on
//! the bytes behind a start escape sequence, so that the TL reader is reached).
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::sml::{Sml, frame::START};
use meterscope_core::{Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let framed = [START.as_slice(), data].concat();
    for bytes in [data, framed.as_slice()] {
        let _ = Sml.frame(bytes);
        let _ = Sml.score(bytes);
        let frame = Sml.dissect(bytes, 3, &Options::default());
        for n in &frame.nodes {
            assert!(frame.span.encloses(n.span));
        }
        let _ = (frame.render(meterscope_core::Lang::En), frame.render(meterscope_core::Lang::Zh));
    }
});
