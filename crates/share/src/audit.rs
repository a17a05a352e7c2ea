//! The audit log: every read, release and administrative action appended to a
//! hash chain. Entry n stores hash(n) = SHA-256(hash(n-1) || entry n's
//! canonical text); `verify` recomputes the chain and names the first entry
//! that was altered, removed or moved.

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

/// The chain's first "previous hash".
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, ms.
    pub time_ms: i64,
    /// Who (subject id).
    pub actor: String,
    /// What (`read`, `token.create`, `release`, ...).
    pub action: String,
    /// On what (a query, a record id, a token id).
    pub object: String,
    /// Details (JSON text).
    pub detail: String,
}

impl Entry {
    fn canonical(&self) -> String {
        serde_json::json!([self.seq, self.time_ms, self.actor, self.action, self.object, self.detail]).to_string()
    }
}

fn link(prev: &str, e: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(e.canonical().as_bytes());
    crate::hex(&h.finalize())
}

/// Creates the table if missing.
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS share_audit (
            seq INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            object TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        );",
    )
}

/// Appends an entry (in its own transaction, after the last); returns its seq.
pub fn append(
    conn: &mut Connection,
    time_ms: i64,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let (seq, prev): (i64, String) = tx
        .query_row("SELECT seq, hash FROM share_audit ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((0, GENESIS.to_string()));
    let e = Entry {
        seq: seq + 1,
        time_ms,
        actor: actor.into(),
        action: action.into(),
        object: object.into(),
        detail: detail.into(),
    };
    let hash = link(&prev, &e);
    tx.execute(
        "INSERT INTO share_audit (seq, time_ms, actor, action, object, detail, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![e.seq, e.time_ms, e.actor, e.action, e.object, e.detail, prev, hash],
    )?;
    tx.commit()?;
    Ok(e.seq)
}

/// The first entry that breaks the chain, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The entry's position in the chain (the expected seq where one is missing).
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit entry {}: {}", self.seq, self.reason)
    }
}

/// Recomputes the chain; the number of entries verified, or the first broken one.
pub fn verify(conn: &Connection) -> rusqlite::Result<Result<i64, Broken>> {
    let mut st =
        conn.prepare("SELECT seq, time_ms, actor, action, object, detail, prev, hash FROM share_audit ORDER BY rowid")?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected = 1;
    while let Some(r) = rows.next()? {
        let e = Entry {
            seq: r.get(0)?,
            time_ms: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            object: r.get(4)?,
            detail: r.get(5)?,
        };
        let (stored_prev, stored_hash): (String, String) = (r.get(6)?, r.get(7)?);
        if e.seq != expected {
            let reason = if e.seq > expected { "missing (removed)" } else { "out of order" };
            return Ok(Err(Broken { seq: expected.min(e.seq), reason: reason.into() }));
        }
        if stored_prev != prev {
            return Ok(Err(Broken {
                seq: e.seq,
                reason: "does not follow the entry before it (moved or replaced)".into(),
            }));
        }
        if link(&prev, &e) != stored_hash {
            return Ok(Err(Broken { seq: e.seq, reason: "altered (its hash does not match its content)".into() }));
        }
        prev = stored_hash;
        expected += 1;
    }
    Ok(Ok(expected - 1))
}
