//! A-XDR data: the tolerant decoder on any bytes, and the strict codec's
//! round trip on whatever it accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::axdr::{self, Data};
use meterscope_core::Keys;
use meterscope_core::model::NONE;
use meterscope_core::protocols::dlms::{APDU, Cx, Rd};

fuzz_target!(|data: &[u8]| {
    let keys = Keys::default();
    let mut cx = Cx::new(APDU, data, 0, &keys);
    let mut rd = Rd::new(data, 0);
    let _ = axdr::data(&mut cx, NONE, &mut rd, "dlms.data");
    let _ = cx.finish().render(meterscope_core::Lang::Zh);
    if let Ok(v) = Data::parse(data) {
        let mut out = Vec::new();
        v.emit(&mut out);
        assert_eq!(Data::parse(&out).ok(), Some(v));
    }
});
