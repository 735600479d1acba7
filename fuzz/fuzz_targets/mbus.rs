//! Wired M-Bus: framer, fit score and dissector (link layer, fixed headers, data records), forced on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::mbus::Mbus;
use meterscope_core::{Lang, Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let _ = Mbus.frame(data);
    let _ = Mbus.score(data);
    let frame = Mbus.dissect(data, 3, &Options::default());
    for n in &frame.nodes {
        assert!(frame.span.encloses(n.span));
    }
    let _ = (frame.render(Lang::En), frame.render(Lang::Zh));
});
