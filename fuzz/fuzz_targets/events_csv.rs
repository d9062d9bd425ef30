#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| journeymap_fuzz::run("data/events.csv", data));
