//! Wireless M-Bus: framer, fit score and dissector (link layer with and without CRCs, ELL, AFL, TPL, decryption, data records), forced on any bytes, with and without a key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::mbus::wireless::Wmbus;
use meterscope_core::{Keys, Lang, Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let _ = Wmbus.frame(data);
    let _ = Wmbus.score(data);
    let keyed = Options { keys: Keys { cipher_key: Some([0x11; 16]), ..Keys::default() }, ..Options::default() };
    for opts in [Options::default(), keyed] {
        let frame = Wmbus.dissect(data, 3, &opts);
        for n in &frame.nodes {
            assert!(frame.span.encloses(n.span));
        }
        let _ = (frame.render(Lang::En), frame.render(Lang::Zh));
    }
});
