//! Replaying a store in time order across vessels, whatever its blocks.

mod common;

use common::{fresh_dir, pos};
use sealane_core::Label;
use sealane_store::Store;

#[test]
fn scan_time_ordered_merges_vessels_and_commits() {
    let dir = fresh_dir("replay");
    let path = dir.join("r.sqlite");
    let mut store = Store::open(&path).unwrap();
    let _ = store.source("t", "file", &Label::public_ais()).unwrap();
    // Three commits; vessels with different rates, so blocks overlap in time every which way.
    let mut expected = Vec::new();
    for commit in 0..3i64 {
        let mut w = store.writer().unwrap();
        for mmsi in 1..=20u32 {
            let step = 7_000 * mmsi as i64;
            let mut t = commit * 3_600_000 + mmsi as i64 * 13;
            while t < (commit + 1) * 3_600_000 + 50_000 {
                w.position(pos(mmsi, t));
                expected.push((t, mmsi));
                t += step;
            }
        }
        w.commit().unwrap();
    }
    expected.sort_unstable();
    let mut got = Vec::new();
    let n = store
        .scan_time_ordered(i64::MIN / 2, i64::MAX / 2, |p| {
            got.push((p.time_ms, p.mmsi));
            Ok(())
        })
        .unwrap();
    assert_eq!(n as usize, expected.len());
    assert_eq!(got, expected);
    // A window keeps only what is inside it, still in order.
    let mut windowed = Vec::new();
    store
        .scan_time_ordered(1_000_000, 5_000_000, |p| {
            windowed.push((p.time_ms, p.mmsi));
            Ok(())
        })
        .unwrap();
    let want: Vec<_> = expected.iter().copied().filter(|(t, _)| (1_000_000..=5_000_000).contains(t)).collect();
    assert_eq!(windowed, want);
    // Positions come back as observed (to stored precision).
    store
        .scan_time_ordered(0, 0, |p| {
            let back = p.to_position();
            assert_eq!(back.sog, Some(3.5));
            Ok(())
        })
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn area_finds_small_and_large_blocks_alike() {
    let dir = fresh_dir("area");
    let path = dir.join("a.sqlite");
    let mut store = Store::open(&path).unwrap();
    let _ = store.source("t", "file", &Label::public_ais()).unwrap();
    // Vessel 1 gets a large block (in the R*Tree), vessel 2 small ones (found by the partial index),
    // written the way a live feed writes them: a few positions per commit.
    let mut w = store.writer().unwrap();
    for k in 0..600 {
        w.position(pos(1, k * 1000));
    }
    w.commit().unwrap();
    for commit in 0..5 {
        for k in 0..3 {
            w.position(pos(2, commit * 10_000 + k * 1000));
        }
        w.commit().unwrap();
    }
    drop(w);
    let inside = sealane_store::Bbox { west: 128.0, south: 34.0, east: 130.0, north: 36.0 };
    let got = store.area(inside, 0, 60_000).unwrap();
    assert_eq!(got.iter().filter(|p| p.mmsi == 1).count(), 61);
    assert_eq!(got.iter().filter(|p| p.mmsi == 2).count(), 15);
    let later = store.area(inside, 45_000, 60_000).unwrap();
    assert_eq!((later.iter().filter(|p| p.mmsi == 2).count()), 0);
    let elsewhere = sealane_store::Bbox { west: 0.0, south: 0.0, east: 1.0, north: 1.0 };
    assert!(store.area(elsewhere, 0, 60_000).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
