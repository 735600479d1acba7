//! Packet captures: any bytes after a pcap or pcapng magic, never a panic;
//! an error points inside the file; what is read accounts for its bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half the inputs get a magic, so the readers behind it are reached.
    let mut file = Vec::with_capacity(data.len() + 4);
    match data.first().map(|b| b % 4) {
        Some(0) => file.extend_from_slice(&[0xD4, 0xC3, 0xB2, 0xA1]),
        Some(1) => file.extend_from_slice(&[0x0A, 0x0D, 0x0D, 0x0A]),
        _ => {}
    }
    file.extend_from_slice(data);
    match meterscope_core::capture::read(&file) {
        None => assert!(!meterscope_core::capture::is_capture(&file)),
        Some(Err(e)) => assert!(e.offset <= file.len()),
        Some(Ok(cap)) => {
            let total: usize = cap.chunks.iter().map(|c| c.len).sum();
            assert_eq!(total, cap.bytes.len());
            assert_eq!(cap.line_starts.len(), cap.chunks.len());
            let d = meterscope_core::Registry::default().dissect(&cap.bytes, &cap.line_starts, &Default::default());
            assert!(d.frames.iter().all(|f| f.span.end <= cap.bytes.len()));
        }
    }
});
