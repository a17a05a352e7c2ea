//! The schema and its migrations. `PRAGMA user_version` holds the schema
//! version; opening a store applies every step above it, in one transaction.

use rusqlite::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 4;

const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE labels (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE) STRICT;
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    label_id INTEGER NOT NULL REFERENCES labels(id),
    created_ms INTEGER NOT NULL
) STRICT;
-- The raw input, in compressed chunks of lines: the message log and every record's provenance.
CREATE TABLE raw_chunks (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    input TEXT NOT NULL,
    first_line INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    data BLOB NOT NULL
) STRICT;
-- Per-vessel, time-ordered position blocks (see block.rs for the encoding).
CREATE TABLE position_blocks (
    id INTEGER PRIMARY KEY,
    mmsi INTEGER NOT NULL,
    t_min INTEGER NOT NULL,
    t_max INTEGER NOT NULL,
    n INTEGER NOT NULL,
    lat_min REAL NOT NULL, lat_max REAL NOT NULL,
    lon_min REAL NOT NULL, lon_max REAL NOT NULL,
    data BLOB NOT NULL
) STRICT;
CREATE INDEX position_blocks_mmsi_t ON position_blocks (mmsi, t_min);
-- Time in seconds (32-bit floats are rounded outward by the R*Tree, so bounds stay conservative).
CREATE VIRTUAL TABLE position_blocks_rtree USING rtree(id, t_min, t_max, lon_min, lon_max, lat_min, lat_max);
CREATE TABLE latest (
    mmsi INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    sog REAL, cog REAL, heading INTEGER, nav_status INTEGER,
    class TEXT NOT NULL,
    source_id INTEGER NOT NULL
) STRICT;
CREATE TABLE identity (
    mmsi INTEGER NOT NULL,
    t_from INTEGER NOT NULL,
    t_to INTEGER NOT NULL,
    reports INTEGER NOT NULL,
    name TEXT, callsign TEXT, imo INTEGER, shiptype INTEGER,
    to_bow INTEGER, to_stern INTEGER, to_port INTEGER, to_starboard INTEGER,
    draught REAL, destination TEXT, eta TEXT,
    flag TEXT,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (mmsi, t_from)
) STRICT;
CREATE INDEX identity_imo ON identity (imo) WHERE imo IS NOT NULL;
CREATE INDEX identity_name ON identity (name) WHERE name IS NOT NULL;
CREATE INDEX identity_callsign ON identity (callsign) WHERE callsign IS NOT NULL;
";

/// Version 2: behaviour events, and the vessels each involves.
const V2: &str = "
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    mmsi TEXT NOT NULL,
    lat REAL,
    lon REAL,
    confidence REAL NOT NULL,
    label_id INTEGER NOT NULL REFERENCES labels(id),
    details TEXT NOT NULL,
    evidence TEXT NOT NULL
) STRICT;
CREATE INDEX events_start ON events (start_ms);
CREATE INDEX events_type_start ON events (type, start_ms);
CREATE TABLE event_vessels (
    mmsi INTEGER NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    PRIMARY KEY (mmsi, event_id)
) STRICT, WITHOUT ROWID;
";

/// Version 3:
/// - replacing an event deletes its vessel rows (and the foreign key cascades) by
///   event id; without an index each replacement scans every event's vessels;
/// - small blocks (a live feed writes one per vessel per commit, until they are
///   merged) are found for area queries through a plain index on time and box
///   rather than the R*Tree, whose insertions cost most of a live commit.
const V3: &str = "
CREATE INDEX event_vessels_event ON event_vessels (event_id);
CREATE INDEX position_blocks_small ON position_blocks (t_max, t_min, lon_min, lon_max, lat_min, lat_max) WHERE n < 256;
";

/// Version 4: small blocks leave the R*Tree, where stores written before version 3
/// had put them, so that it holds exactly the blocks of [`crate::writer::SMALL_BLOCK`]
/// positions or more; merging small blocks then deletes only their table rows.
const V4: &str = "
DELETE FROM position_blocks_rtree WHERE id IN (SELECT id FROM position_blocks WHERE n < 256);
";

/// Brings the schema up to [`VERSION`]. Fails on a store written by a newer build.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "store schema version {current} is newer than this sealane ({VERSION}); upgrade sealane"
        )));
    }
    if current == VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    if current < 1 {
        tx.execute_batch(V1)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('created_by', ?1)",
            [concat!("sealane ", env!("CARGO_PKG_VERSION"))],
        )?;
    }
    if current < 2 {
        tx.execute_batch(V2)?;
    }
    if current < 3 {
        tx.execute_batch(V3)?;
    }
    if current < 4 {
        tx.execute_batch(V4)?;
    }
    // Future steps: `if current < 5 { ... }`, each keeping the data.
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_an_event_finds_its_vessel_rows_by_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN DELETE FROM event_vessels WHERE event_id = 'x'")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan.iter().any(|p| p.contains("event_vessels_event")), "{plan:?}");
        // The partial index of small blocks is written with the writer's threshold.
        assert!(V3.contains(&format!("WHERE n < {}", crate::writer::SMALL_BLOCK)));
        assert!(V4.contains(&format!("WHERE n < {}", crate::writer::SMALL_BLOCK)));
    }

    #[test]
    fn a_version_1_store_migrates_keeping_its_data() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute("INSERT INTO labels (id, label) VALUES (1, 'x')", []).unwrap();
        conn.execute("INSERT INTO sources (id, name, kind, label_id, created_ms) VALUES (1, 'a', 'file', 1, 0)", [])
            .unwrap();
        // Version 1 put every block in the R*Tree, small or not.
        for (id, n) in [(1, 3), (2, 300)] {
            conn.execute(
                "INSERT INTO position_blocks (id, mmsi, t_min, t_max, n, lat_min, lat_max, lon_min, lon_max, data)
                 VALUES (?1, 1, 0, 1, ?2, 0, 0, 0, 0, x'00')",
                [id, n],
            )
            .unwrap();
            conn.execute("INSERT INTO position_blocks_rtree VALUES (?1, 0, 1, 0, 0, 0, 0)", [id]).unwrap();
        }
        conn.pragma_update(None, "user_version", 1).unwrap();
        migrate(&mut conn).unwrap();
        let in_rtree: Vec<i64> = conn
            .prepare("SELECT id FROM position_blocks_rtree")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(in_rtree, [2], "small blocks leave the R*Tree");
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, VERSION);
        let n: i64 = conn.query_row("SELECT count(*) FROM sources", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        let e: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
        assert_eq!(e, 0);
        // Migrating again is a no-op; a newer store is refused.
        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
        assert!(migrate(&mut conn).unwrap_err().to_string().contains("newer"));
    }
}
