//! Fuzz the native server's connection handling: the handshake (with and without a
//! password), frame headers, the request memory budget, decompression, decoding, and the
//! reply path, over arbitrary client bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rayforce_client::server::fuzz_connection(data);
});
