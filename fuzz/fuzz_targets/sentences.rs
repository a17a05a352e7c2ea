#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sealane_ais::fuzz_targets::sentences(data));
