//! What originators decided about their records, per source: ORCON release
//! approvals (to a nation) and retractions. Both are recorded, never implied.

use rusqlite::{Connection, params};

/// Creates the tables if missing.
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS share_releases (
            source INTEGER NOT NULL,
            nation TEXT NOT NULL,
            actor TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            PRIMARY KEY (source, nation)
        );
        CREATE TABLE IF NOT EXISTS share_retractions (
            source INTEGER PRIMARY KEY,
            actor TEXT NOT NULL,
            time_ms INTEGER NOT NULL
        );",
    )
}

/// Records the approval to release `source`'s records to `nation`.
pub fn approve(conn: &Connection, source: u32, nation: &str, actor: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO share_releases (source, nation, actor, time_ms) VALUES (?1, ?2, ?3, ?4)",
        params![source, nation, actor, now_ms],
    )?;
    Ok(())
}

/// Nations `source` has been released to.
pub fn released_to(conn: &Connection, source: u32) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("SELECT nation FROM share_releases WHERE source = ?1 ORDER BY nation")?;
    let rows = st.query_map(params![source], |r| r.get(0))?;
    rows.collect()
}

/// Retracts every record of `source`.
pub fn retract(conn: &Connection, source: u32, actor: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO share_retractions (source, actor, time_ms) VALUES (?1, ?2, ?3)",
        params![source, actor, now_ms],
    )?;
    Ok(())
}

/// Whether `source` is retracted.
pub fn is_retracted(conn: &Connection, source: u32) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM share_retractions WHERE source = ?1)", params![source], |r| r.get(0))
}
