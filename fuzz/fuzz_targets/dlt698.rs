//! DL/T 698.45: link framer and dissector, APDU dissector and data decoder, forced on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlt698::{self, Dlt698};
use meterscope_core::{Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let p = Dlt698;
    let _ = p.frame(data);
    let _ = p.score(data);
    let frame = p.dissect(data, 3, &Options::default());
    for n in &frame.nodes {
        assert!(frame.span.encloses(n.span));
    }
    let _ = (frame.render(meterscope_core::Lang::En), frame.render(meterscope_core::Lang::Zh));
    let (node, _diags) = dlt698::dissect_apdu(data, 0, &Options::default());
    node.walk(&mut |n, _| assert!(n.span.end <= data.len()));
});
