//! Fuzz the frame reader (header validation, size limits, payload assembly) and the frame
//! payload decode that follows it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rayforce_client::wire::{Frame, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_decompressed_size: 1 << 20, ..Limits::default() };
    if let Ok(frame) = rayforce_client::transport::read_frame(&mut &data[..], 1 << 20) {
        let _ = frame.value(&limits);
    }
    let _ = Frame::parse(data, &limits);
});
