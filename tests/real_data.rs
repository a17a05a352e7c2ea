//! Every real file in ../shared/data/ais and ../shared/data/nmea ingests with
//! every line accounted for: a message (whose observations are stored or
//! merged as duplicates), a non-AIS line, a fragment of a multi-sentence
//! message, or a rejection with a reason. The counts are facts about the
//! data and are asserted exactly. Files vendored in data/ always run; the
//! others (the large US coastal day, the AGPL AISdb samples) run when
//! ../shared is present and are skipped with a message otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use sealane::ingest::{self, IngestConfig, IngestSummary};
use sealane::pipeline::SourceConfig;
use sealane_store::Store;

struct Expect {
    file: &'static str,
    lines: u64,
    messages: u64,
    other: u64,
    fragments: u64,
    positions: u64,
    identities: u64,
    duplicates: u64,
    rejects: &'static [(&'static str, u64)],
}

const FILES: &[Expect] = &[
    Expect {
        file: "ais/marinecadastre_nyharbor_2020-06-30_first_hour.csv",
        lines: 8_690,
        messages: 8_689,
        other: 1,
        fragments: 0,
        positions: 8_689,
        identities: 7_885,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "ais/marinecadastre_nyharbor_2020-12-08_positions.csv.gz",
        lines: 9_092,
        messages: 9_091,
        other: 1,
        fragments: 0,
        positions: 9_091,
        identities: 0,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "ais/marinecadastre_virginiabeach_2020-06-04_to_06_positions.csv.gz",
        lines: 39_823,
        messages: 39_822,
        other: 1,
        fragments: 0,
        positions: 39_822,
        identities: 0,
        duplicates: 0,
        rejects: &[],
    },
    // The 23 rows that repeat an (MMSI, time) of this day put the vessel in two places
    // at once (up to 15 km apart): conflicting reports, kept for the spoofing detector.
    Expect {
        file: "ais/marinecadastre_us_coastal_2020-06-30_positions.csv.gz",
        lines: 235_968,
        messages: 235_967,
        other: 1,
        fragments: 0,
        positions: 235_967,
        identities: 0,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "ais/aisdb_samples/marinecadastre_test_data_noaa_20230101.csv",
        lines: 1_001,
        messages: 1_000,
        other: 1,
        fragments: 0,
        positions: 1_000,
        identities: 998,
        duplicates: 0,
        rejects: &[],
    },
    // Spire's decoded export: every row is a message; types 6, 8, 12, 20, 25, 26
    // carry neither position nor identity.
    Expect {
        file: "ais/aisdb_samples/spire_decoded_test_data_20210701.csv",
        lines: 2_499,
        messages: 2_498,
        other: 1,
        fragments: 0,
        positions: 2_394,
        identities: 110,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "nmea/dma_aislib_stream_example_2010-06-11.nmea",
        lines: 8_551,
        messages: 4_051,
        other: 4_051,
        fragments: 449,
        positions: 3_127,
        identities: 535,
        duplicates: 5,
        rejects: &[],
    },
    Expect {
        file: "nmea/dma_aislib_replay_dump_2013-03-18.nmea",
        lines: 108,
        messages: 50,
        other: 57,
        fragments: 1,
        positions: 47,
        identities: 3,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "nmea/aisdb_test_data_20211101.nm4",
        lines: 1_000,
        messages: 979,
        other: 3,
        fragments: 18,
        positions: 931,
        identities: 57,
        duplicates: 0,
        rejects: &[],
    },
    Expect {
        file: "nmea/aisdb_test_data_201201.nmea",
        lines: 26,
        messages: 26,
        other: 0,
        fragments: 0,
        positions: 4,
        identities: 3,
        duplicates: 0,
        rejects: &[],
    },
];

/// The file in the repository's data/ when vendored, else in ../shared/data.
fn locate(rel: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = Path::new(rel).file_name()?;
    let vendored = [root.join("data/ais").join(name), root.join("data/samples").join(name)];
    vendored.into_iter().chain([root.join("../shared/data").join(rel)]).find(|p| p.exists())
}

fn ingest(path: &Path, store: &Path) -> IngestSummary {
    let cfg = IngestConfig {
        source: SourceConfig { inputs: vec![path.display().to_string()], progress: false, ..SourceConfig::default() },
        store: store.to_path_buf(),
        ..IngestConfig::default()
    };
    ingest::run(&cfg, &mut std::io::sink(), Arc::new(AtomicBool::new(false))).unwrap()
}

#[test]
fn every_line_of_the_real_data_is_accounted_for() {
    let dir = std::env::temp_dir().join(format!("sealane-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ran = 0;
    for (i, e) in FILES.iter().enumerate() {
        let Some(path) = locate(e.file) else {
            eprintln!("SKIPPED {}: not vendored and ../shared/data is absent", e.file);
            continue;
        };
        let store_path = dir.join(format!("{i}.sqlite"));
        let s = ingest(&path, &store_path);
        let n = &s.normalise;
        let rejects: Vec<(&str, u64)> = n.rejects.iter().map(|(k, v)| (*k, *v)).collect();
        let got = (n.lines, n.messages, n.other_lines, n.fragments, n.positions, n.identities, s.clean.duplicates);
        let want = (e.lines, e.messages, e.other, e.fragments, e.positions, e.identities, e.duplicates);
        assert_eq!(got, want, "{}: (lines, messages, other, fragments, positions, identities, duplicates)", e.file);
        assert_eq!(rejects, e.rejects.to_vec(), "{}", e.file);
        // Every line is one of the four kinds.
        assert_eq!(n.lines, n.messages + n.other_lines + n.fragments + n.rejected(), "{}", e.file);
        // Every observation is written or merged into another.
        assert_eq!(
            n.positions + n.identities,
            s.positions + s.identities + s.clean.duplicates + s.clean.late_duplicates,
            "{}",
            e.file
        );
        let store = Store::open_read_only(&store_path).unwrap();
        let st = store.stats().unwrap();
        assert_eq!(st.positions, s.positions, "{}: positions in the store", e.file);
        assert_eq!(st.vessels, s.vessels, "{}: vessels with a position, in the summary and the store", e.file);
        assert_eq!(st.raw_lines, n.lines, "{}: every line is in the raw log", e.file);
        ran += 1;
    }
    assert!(ran >= 4, "the vendored files always run");
    std::fs::remove_dir_all(&dir).ok();
}
