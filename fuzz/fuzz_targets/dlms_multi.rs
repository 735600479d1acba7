//! DLMS across frames: the registry splits arbitrary bytes, then HDLC segments, GET data
//! blocks and general block transfer are joined (with ciphered parts opened under the test
//! keys), HLS-GMAC answers checked, profile buffers tabled; and the byte-stuffed HDLC variant.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::{hls, profile, reassembly, simulator, stuffed};
use meterscope_core::{FrameStatus, Keys, Options, Registry};

fuzz_target!(|data: &[u8]| {
    let k = simulator::test_keys();
    let keys = Keys { cipher_key: Some(k.ek), auth_key: Some(k.ak), system_title: None };
    let keyed = Options { keys, ..Options::default() };
    for opts in [Options::default(), keyed] {
        let mut d = Registry::default().dissect(data, &[], &opts).render(opts.lang);
        let _ = reassembly::analyse(&d, data, &opts);
        let _ = reassembly::find(&d, data, &opts);
        let _ = profile::tables(&d, data, &opts);
        let _ = hls::checks(&d, data, &opts);
        hls::annotate(&mut d, data, &opts);
        for f in &d.frames {
            f.tree.walk(&mut |n, _| assert!(f.span.encloses(n.span), "node {} outside its frame", n.id));
        }
    }
    if let FrameStatus::Complete { preamble, len } = stuffed::frame(data) {
        assert!(preamble + len <= data.len());
        let raw = &data[preamble..preamble + len];
        let _ = stuffed::score(raw);
        let f = stuffed::dissect(raw, preamble, &Options::default());
        for n in &f.nodes {
            assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
        }
    }
});
