//! DLMS ACSE (BER): AARQ/AARE/RLRQ/RLRE with user-information, on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::{Cx, Rd, acse};
use meterscope_core::{Keys, Lang};

fuzz_target!(|data: &[u8]| {
    let keys = Keys::default();
    let mut cx = Cx::new(Lang::En, &keys);
    let mut rd = Rd::new(data, 0);
    let node = acse::acse(&mut cx, &mut rd);
    node.walk(&mut |n, _| assert!(n.span.end <= data.len(), "node {} past the input", n.id));
});
