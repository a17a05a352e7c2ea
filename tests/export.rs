//! `sealane export` read back by the tools people use: pyarrow, GeoPandas and
//! DuckDB for GeoParquet, and plain JSON for GeoJSON (tests/export_check.py).
//! Skipped, with a message, when python3 or those packages are missing
//! (`.ci/run` installs them from PyPI).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use sealane::export::{ExportConfig, ExportFormat, export};
use sealane::ingest::{self, IngestConfig};
use sealane::pipeline::SourceConfig;
use sealane_core::time::day_string;
use sealane_store::Store;

fn python_has(modules: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {modules}")]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn exports_read_back_with_pyarrow_geopandas_and_duckdb() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("sealane-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = dir.join("store.sqlite");
    // Three days of Virginia Beach and an hour of New York Harbor.
    let cfg = IngestConfig {
        source: SourceConfig {
            inputs: vec![
                root.join("data/ais/marinecadastre_virginiabeach_2020-06-04_to_06_positions.csv.gz")
                    .display()
                    .to_string(),
                root.join("data/ais/marinecadastre_nyharbor_2020-06-30_first_hour.csv").display().to_string(),
            ],
            progress: false,
            ..SourceConfig::default()
        },
        store: store_path.clone(),
        ..IngestConfig::default()
    };
    ingest::run(&cfg, &mut std::io::sink(), Arc::new(AtomicBool::new(false))).unwrap();
    let store = Store::open_read_only(&store_path).unwrap();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    store
        .scan(i64::MIN / 2, i64::MAX / 2, None, |b| {
            for p in b {
                *expected.entry(day_string(p.time_ms)).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(expected.len(), 4, "{expected:?}");
    assert_eq!(expected.values().sum::<u64>(), 39_822 + 8_689);

    for format in [ExportFormat::Geoparquet, ExportFormat::Geojson] {
        let out = dir.join(format!("{format:?}"));
        // Small parts, so that a day spans several files.
        let cfg = ExportConfig {
            format,
            out: out.clone(),
            from_ms: i64::MIN / 2,
            to_ms: i64::MAX / 2,
            bbox: None,
            part_rows: 10_000,
            allowed_sources: None,
        };
        let s = export(&store, &cfg).unwrap();
        assert_eq!(s.rows, 39_822 + 8_689);
        assert!(s.files.len() > 4, "several parts per day");
        let modules = if format == ExportFormat::Geoparquet { "pyarrow, geopandas, duckdb" } else { "json" };
        if !python_has(modules) {
            eprintln!("SKIPPED reading {format:?} back: python3 with {modules} is not installed");
            continue;
        }
        let fmt = if format == ExportFormat::Geoparquet { "geoparquet" } else { "geojson" };
        let o = Command::new("python3")
            .arg(root.join("tests/export_check.py"))
            .arg(&out)
            .arg(fmt)
            .arg(serde_json::to_string(&expected).unwrap())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{fmt}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
