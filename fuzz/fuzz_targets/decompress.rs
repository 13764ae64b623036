//! Fuzz the decompressor: never panics, never returns more than the limit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = rayforce_client::wire::decompress(data, 1 << 20) {
        assert!(out.len() <= 1 << 20);
    }
});
