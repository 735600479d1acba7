//! Tolerant input: any text, never a panic; errors point at a character of the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = meterscope_core::parse_input(&text) {
        assert!(e.offset < text.len() && text.is_char_boundary(e.offset));
        assert_eq!(text[e.offset..].chars().next(), Some(e.found));
    }
});
