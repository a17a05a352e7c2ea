//! Decode throughput: every line of the vendored corpus (real sentences from
//! gpsd, pyais, libais and the Danish Maritime Authority), repeated to
//! 1,000,000 lines, through framing, reassembly, de-armouring and decoding.
//!
//! Run: `cargo bench -p sealane-ais --bench decode`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sealane_ais::{Decoder, Message};

fn corpus_lines() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus/raw");
    let mut files: Vec<_> = std::fs::read_dir(dir).expect("tests/corpus/raw").map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let text = std::fs::read(&f).unwrap();
        lines.extend(text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec));
    }
    lines
}

fn bench(c: &mut Criterion) {
    let base = corpus_lines();
    let lines: Vec<&[u8]> = base.iter().map(Vec::as_slice).cycle().take(1_000_000).collect();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("corpus_1m_lines", |b| {
        b.iter(|| {
            let mut d = Decoder::default();
            let mut positions = 0u64;
            for l in &lines {
                if let Ok(Some(m)) = d.feed(l) {
                    if let Message::Position(p) = &m.message {
                        positions += p.lat as u64 & 1;
                    }
                }
            }
            black_box(positions)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
