//! Helpers shared by the store's integration tests.

use sealane_core::{Position, TimeSource, VesselClass};
use sealane_store::{Provenance, StoredPosition};

/// A position of vessel `mmsi` at time `t` (ms), from source 1.
pub fn pos(mmsi: u32, t: i64) -> StoredPosition {
    let p = Position {
        mmsi,
        time_ms: t,
        time_source: TimeSource::Column,
        lat: 35.0 + (t % 1000) as f64 * 1e-4,
        lon: 129.0,
        sog: Some(3.5),
        cog: Some(90.0),
        heading: None,
        nav_status: None,
        rot: None,
        accuracy: false,
        class: VesselClass::A,
        msg_type: 1,
    };
    StoredPosition::from_position(&p, Provenance { source: 1, chunk: 0, line: 0 })
}

/// An empty directory of this process's own for a test's files (the test removes it).
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sealane-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
