//! Replays the `gpsd_json` fuzzing corpus on stable (see crates/ais/tests/fuzz_corpus.rs).

#[test]
fn gpsd_json_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/gpsd_json");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        sealane::fuzz_targets::gpsd_json(&std::fs::read(entry.unwrap().path()).unwrap());
        n += 1;
    }
    assert!(n >= 100, "only {n} inputs in {}", dir.display());
}
