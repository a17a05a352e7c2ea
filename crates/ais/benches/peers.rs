//! The same 1,000,000 corpus lines through sealane-ais and the AIS crates on
//! crates.io, side by side in one run: `aivdm` (no_std, allocation-free),
//! `ais` (nom-based) and `nmea-parser`. Each decodes every message it can
//! (multi-sentence included) and the count of decoded messages is checked so
//! that no decoder is credited for skipping work.
//!
//! Run: `cargo bench -p sealane-ais --bench peers`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus_lines() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus/raw");
    let mut files: Vec<_> = std::fs::read_dir(dir).expect("tests/corpus/raw").map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        lines.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_string));
    }
    lines
}

fn sealane(lines: &[&str]) -> usize {
    let mut d = sealane_ais::Decoder::default();
    lines.iter().filter(|l| matches!(d.feed(l.as_bytes()), Ok(Some(_)))).count()
}

fn aivdm(lines: &[&str]) -> usize {
    let mut d = aivdm::LineDecoder::<1024>::new();
    lines.iter().filter(|l| matches!(d.feed(l), Ok(Some(_)))).count()
}

fn ais_crate(lines: &[&str]) -> usize {
    let mut p = ais::AisParser::new();
    lines
        .iter()
        .filter(|l| matches!(p.parse(l.as_bytes(), true), Ok(ais::AisFragments::Complete(s)) if s.message.is_some()))
        .count()
}

/// nmea-parser panics on some corpus lines (a bitvec index out of range), so
/// each line runs under `catch_unwind`, which costs nothing when it does not panic.
fn nmea_parser(lines: &[&str]) -> usize {
    let mut p = nmea_parser::NmeaParser::new();
    lines
        .iter()
        .filter(|l| {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.parse_sentence(l)));
            matches!(r, Ok(Ok(m)) if !matches!(m, nmea_parser::ParsedMessage::Incomplete))
        })
        .count()
}

fn nmea_parser_panics(lines: &[&str]) -> usize {
    let mut p = nmea_parser::NmeaParser::new();
    lines
        .iter()
        .filter(|l| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.parse_sentence(l))).is_err())
        .count()
}

fn bench(c: &mut Criterion) {
    let base = corpus_lines();
    let lines: Vec<&str> = base.iter().map(String::as_str).cycle().take(1_000_000).collect();
    type Decode = fn(&[&str]) -> usize;
    let decoders: [(&str, Decode); 4] =
        [("sealane-ais", sealane), ("aivdm", aivdm), ("ais", ais_crate), ("nmea-parser", nmea_parser)];
    std::panic::set_hook(Box::new(|_| {}));
    for (name, f) in decoders {
        eprintln!("{name}: {} messages decoded from {} lines", f(&lines), lines.len());
    }
    eprintln!("nmea-parser panicked on {} of {} lines", nmea_parser_panics(&lines), lines.len());
    let mut group = c.benchmark_group("decode_peers");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, f) in decoders {
        group.bench_function(name, |b| b.iter(|| black_box(f(&lines))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
