//! Identity history: reports that only fill in unknown fields extend the
//! current row; a known field taking a new value closes it and opens another.

use sealane_core::{Identity, Label};
use sealane_store::Store;

fn report(time_ms: i64, name: Option<&str>, callsign: Option<&str>, imo: Option<u32>) -> Identity {
    Identity {
        mmsi: 440_123_000,
        time_ms,
        name: name.map(str::to_string),
        callsign: callsign.map(str::to_string),
        imo,
        ..Identity::default()
    }
}

#[test]
fn fill_ins_extend_a_row_and_changes_open_a_new_one() {
    let dir = std::env::temp_dir().join(format!("sealane-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("identity.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut store = Store::open(&path).unwrap();
    let source = store.source("test", "file", &Label::public_ais()).unwrap();
    {
        let mut w = store.writer().unwrap();
        // Type 24 part A gives the name, part B the call sign: one row.
        w.identity(&report(1_000, Some("HAN RYONG"), None, None), source).unwrap();
        w.identity(&report(2_000, None, Some("DSQR7"), None), source).unwrap();
        // Same values again, and the IMO filled in: still one row.
        w.identity(&report(3_000, Some("HAN RYONG"), Some("DSQR7"), Some(9_074_626)), source).unwrap();
        w.commit().unwrap();
    }
    {
        // A later session renames the ship: the first row closes, a second opens.
        let mut w = store.writer().unwrap();
        w.identity(&report(10_000, Some("SEA STAR"), None, None), source).unwrap();
        w.identity(&report(11_000, None, Some("DSQR7"), None), source).unwrap();
        // And a call sign change opens a third.
        w.identity(&report(20_000, None, Some("HPZX9"), None), source).unwrap();
        w.commit().unwrap();
    }
    let rows = store.identity_history(440_123_000).unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r.t_from, r.t_to, r.reports, r.fields.name.as_deref(), r.fields.callsign.as_deref(), r.fields.imo))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1_000, 10_000, 3, Some("HAN RYONG"), Some("DSQR7"), Some(9_074_626)),
            (10_000, 20_000, 2, Some("SEA STAR"), Some("DSQR7"), Some(9_074_626)),
            (20_000, 20_000, 1, Some("SEA STAR"), Some("HPZX9"), Some(9_074_626)),
        ]
    );
    // The flag comes from the MMSI's MID (440: Republic of Korea).
    assert!(rows.iter().all(|r| r.flag.as_deref() == Some("Korea (Republic of)")), "{:?}", rows[0].flag);
    std::fs::remove_dir_all(&dir).ok();
}
