//! Fuzz the payload decoder: any bytes decode or fail with an error, never panic; what
//! decodes re-encodes and decodes to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rayforce_client::wire::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_depth: 64, ..Limits::default() };
    if let Ok(v) = wire::decode(data, &limits) {
        if let Ok(again) = wire::encode(&v) {
            let v2 = wire::decode(&again, &limits).expect("re-encoded value decodes");
            assert_eq!(format!("{v:?}"), format!("{v2:?}"));
        }
    }
});
