//! IEC 62056-21 and DSMR P1: message and telegram framers, both dissectors, the strict
//! message codec (a parsed message must emit and parse back to itself), data-set lines.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::iec62056::{codec, data, frame, DsmrP1, Iec62056_21};
use meterscope_core::{FrameStatus, Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let opts = Options::default();
    for p in [&Iec62056_21 as &dyn Protocol, &DsmrP1] {
        if let FrameStatus::Complete { preamble, len } = p.frame(data) {
            assert!(preamble + len <= data.len());
            let f = p.dissect(&data[preamble..preamble + len], preamble, &opts);
            for n in &f.nodes {
                assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
            }
            let _ = (f.render(meterscope_core::Lang::En), f.render(meterscope_core::Lang::Zh));
        }
        let f = p.dissect(data, 0, &opts);
        for n in &f.nodes {
            assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
        }
        let _ = (f.render(meterscope_core::Lang::En), f.render(meterscope_core::Lang::Zh));
    }
    let _ = frame::kind(data);
    let _ = frame::telegram_layout(data);
    let _ = frame::encrypted_header(data);
    for set in data::sets(data, 0..data.len()) {
        assert!(set.span.end <= data.len());
    }
    if let Ok(m) = codec::Message::parse(data) {
        let out = m.emit();
        assert_eq!(codec::Message::parse(&out).as_ref(), Ok(&m), "emit of {m:?} does not parse back");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(set) = codec::DataSet::parse(text) {
            let _ = data::identifier(&set.address);
            let _ = data::timestamp(&set.address, Default::default());
        }
    }
});
