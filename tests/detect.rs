//! `sealane detect` end to end: the real binary on real AIS (three days off
//! Virginia Beach), split into files, replayed from a store, configured.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sealane");

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ais").join(name)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealane-detect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs the binary; returns stdout lines as JSON, stderr, success.
fn detect(args: &[&str]) -> (Vec<Value>, String, bool) {
    let out = Command::new(BIN).arg("detect").args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let events = stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    (events, String::from_utf8_lossy(&out.stderr).into_owned(), out.status.success())
}

/// What must not depend on how the input was cut or stored.
fn identity(e: &Value) -> (String, String, String, String, String) {
    (e["id"].to_string(), e["type"].to_string(), e["start"].to_string(), e["end"].to_string(), e["mmsi"].to_string())
}

fn virginia_beach() -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(data("marinecadastre_virginiabeach_2020-06-04_to_06_positions.csv.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    text
}

#[test]
fn events_follow_the_contract_and_do_not_depend_on_how_the_input_is_cut() {
    let text = virginia_beach();
    let lines: Vec<&str> = text.lines().collect();
    let whole = tmp("whole.csv");
    std::fs::write(&whole, &text).unwrap();
    // Cut in the middle of the second day, each part with the header.
    let cut = lines.len() / 2;
    let (a, b) = (tmp("a.csv"), tmp("b.csv"));
    std::fs::write(&a, lines[..cut].join("\n") + "\n").unwrap();
    std::fs::write(&b, format!("{}\n{}\n", lines[0], lines[cut..].join("\n"))).unwrap();

    let (one, err, ok) = detect(&["-q", whole.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(one.len() >= 10, "three days off Virginia Beach raise events: {}", one.len());
    let (two, err, ok) = detect(&["-q", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(ok, "{err}");
    let ids = |v: &[Value]| v.iter().map(identity).collect::<BTreeSet<_>>();
    assert_eq!(ids(&one), ids(&two));

    // The contract: fields and types.
    for e in &one {
        for k in ["id", "type", "start", "end", "mmsi", "lat", "lon", "confidence", "label", "details", "evidence"] {
            assert!(e.get(k).is_some(), "{k} missing: {e}");
        }
        assert!(e["start"].as_str().unwrap().ends_with('Z'));
        assert!(e["mmsi"].as_array().is_some_and(|m| !m.is_empty()));
        let c = e["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
        assert_eq!(e["label"]["rel_to"], serde_json::json!(["ALL"]));
        // Evidence names the input and line of a real row of it.
        let ev = &e["evidence"][0];
        if let Some(line) = ev["line"].as_u64() {
            assert_eq!(ev["input"].as_str().unwrap(), whole.to_str().unwrap());
            let row = lines[line as usize - 1];
            assert!(row.contains(&e["evidence"][0]["mmsi"].to_string()), "line {line}: {row} for {ev}");
        }
    }
    let kinds: BTreeSet<&str> = one.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(kinds.contains("gap") && kinds.contains("encounter"), "{kinds:?}");
}

#[test]
fn a_store_replays_to_the_same_events_and_keeps_them() {
    let text = virginia_beach();
    let whole = tmp("vb.csv");
    std::fs::write(&whole, &text).unwrap();
    let store = tmp("vb.sqlite");
    let _ = std::fs::remove_file(&store);
    let out = Command::new(BIN).args(["ingest", "-q", "--store"]).arg(&store).arg(&whole).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (from_file, _, ok) = detect(&["-q", whole.to_str().unwrap()]);
    assert!(ok);
    let (replayed, err, ok) = detect(&["-q", "--store", store.to_str().unwrap()]);
    assert!(ok, "{err}");
    let ids = |v: &[Value]| v.iter().map(identity).collect::<BTreeSet<_>>();
    assert_eq!(ids(&from_file), ids(&replayed));
    // Replayed evidence points into the store's raw log.
    assert!(replayed[0]["evidence"][0]["chunk"].as_i64().is_some(), "{}", replayed[0]);

    // Detecting over files with --store keeps the events there (idempotently).
    for _ in 0..2 {
        let (_, err, ok) = detect(&["-q", "--store", store.to_str().unwrap(), whole.to_str().unwrap()]);
        assert!(ok, "{err}");
    }
    let s = sealane_store::Store::open_read_only(&store).unwrap();
    let stored = s.events(&sealane_store::EventFilter::default()).unwrap();
    assert_eq!(stored.len(), from_file.len());
}

#[test]
fn configuration_is_toml_and_mistakes_are_named() {
    let out = Command::new(BIN).args(["detect", "--print-config"]).output().unwrap();
    assert!(out.status.success());
    let defaults = String::from_utf8(out.stdout).unwrap();
    assert!(defaults.contains("[gap]") && defaults.contains("raw_min_h = 6.0"), "{defaults}");

    let cfg = tmp("c.toml");
    std::fs::write(&cfg, "[gap]\nraw_min_h = 1.0\n").unwrap();
    let input = data("marinecadastre_nyharbor_2020-12-08_positions.csv.gz");
    let (strict, _, ok) = detect(&["-q", input.to_str().unwrap()]);
    assert!(ok);
    let (loose, _, ok) = detect(&["-q", "--config", cfg.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(ok);
    let gaps = |v: &[Value]| v.iter().filter(|e| e["type"] == "gap").count();
    assert!(gaps(&loose) > gaps(&strict), "1 h gaps are more than 6 h gaps: {} vs {}", gaps(&loose), gaps(&strict));

    std::fs::write(&cfg, "[gap]\nraw_min_hours = 1.0\n").unwrap();
    let (_, err, ok) = detect(&["-q", "--config", cfg.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("c.toml") && err.contains("raw_min_hours"), "{err}");

    let zones = tmp("z.geojson");
    let mut f = std::fs::File::create(&zones).unwrap();
    f.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[]}").unwrap();
    let (_, err, ok) = detect(&["-q", "--zones", zones.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("z.geojson") && err.contains("no Polygon"), "{err}");
}
