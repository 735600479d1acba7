//! Q/GDW 1376.1 and 1376.2: framers and dissectors (nested DL/T 645 and 698.45 frames too), forced on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::qgdw1376::{Qgdw13761, Qgdw13762};
use meterscope_core::{Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let protocols: [&dyn Protocol; 2] = [&Qgdw13761, &Qgdw13762];
    for p in protocols {
        let _ = p.frame(data);
        let _ = p.score(data);
        let frame = p.dissect(data, 3, &Options::default());
        for n in &frame.nodes {
            assert!(frame.span.encloses(n.span));
        }
        let _ = (frame.render(meterscope_core::Lang::En), frame.render(meterscope_core::Lang::Zh));
    }
});
