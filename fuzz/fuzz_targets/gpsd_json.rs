#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sealane::fuzz_targets::gpsd_json(data));
