//! DLMS bare APDUs (xDLMS services, ACSE, ciphered APDUs with and without keys).
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlms::DlmsApdu;
use meterscope_core::{Keys, Options, Protocol};

fuzz_target!(|data: &[u8]| {
    let p = DlmsApdu;
    let _ = p.frame(data);
    let keyed = Options {
        keys: Keys { cipher_key: Some([7; 16]), auth_key: Some([9; 16]), system_title: Some([1; 8]) },
        ..Options::default()
    };
    for opts in [Options::default(), keyed] {
        let f = p.dissect(data, 2, &opts);
        for n in &f.nodes {
            assert!(f.span.encloses(n.span), "node {} outside", n.id.to_text());
        }
        let _ = (f.render(meterscope_core::Lang::En), f.render(meterscope_core::Lang::Zh));
    }
});
