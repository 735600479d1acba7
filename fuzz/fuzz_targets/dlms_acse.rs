//! DLMS ACSE (BER): AARQ/AARE/RLRQ/RLRE with user-information, on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::Keys;
use meterscope_core::model::NONE;
use meterscope_core::protocols::dlms::{APDU, Cx, Rd, acse};

fuzz_target!(|data: &[u8]| {
    let keys = Keys::default();
    let mut cx = Cx::new(APDU, data, 0, &keys);
    let mut rd = Rd::new(data, 0);
    acse::acse(&mut cx, NONE, &mut rd);
    let f = cx.finish();
    for n in &f.nodes {
        assert!(n.span.end <= data.len(), "node {} past the input", n.id.to_text());
    }
    let _ = f.render(meterscope_core::Lang::Zh);
});
