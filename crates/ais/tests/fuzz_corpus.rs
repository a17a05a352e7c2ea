//! Replays the saved fuzzing corpora (fuzz/corpus/<target>) on stable, through
//! the same code the fuzz targets run, so that every input the fuzzer found
//! interesting stays a regression test.

use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        f(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n >= 100, "only {n} inputs in {}", dir.display());
    eprintln!("{target}: replayed {n} inputs");
}

#[test]
fn sentences_corpus() {
    replay("sentences", sealane_ais::fuzz_targets::sentences);
}

#[test]
fn payload_corpus() {
    replay("payload", sealane_ais::fuzz_targets::payload);
}
