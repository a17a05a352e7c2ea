//! # sealane-store
//!
//! Sealane's embedded store: one SQLite file (WAL mode) holding positions in
//! per-vessel time-ordered blocks, the latest position of every vessel,
//! identity history, the raw input log every record points back to, sources
//! and their labels. It answers the three questions operators ask most —
//! one vessel's track over a window, everything in a box over a window, the
//! latest position of every vessel — and takes writes in batches, each one
//! transaction: a record is acknowledged only once its transaction committed.
//!
//! It does not decode, clean or deduplicate (that is `sealane-ingest`) and it
//! does not decide who may read what (that is `sealane-share`): it stores
//! each record's source, and each source's label.
//!
//! ```
//! # fn main() -> Result<(), sealane_store::Error> {
//! use sealane_core::{Label, Position, TimeSource, VesselClass};
//! use sealane_store::{Provenance, Store, StoredPosition};
//!
//! let dir = std::env::temp_dir().join(format!("sealane-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let mut store = Store::open(dir.join("doc.sqlite"))?;
//! let source = store.source("example", "file", &Label::public_ais())?;
//! let mut w = store.writer()?;
//! let (chunk, line) = w.raw_line(source, "example.nmea", 1, b"!AIVDM,...");
//! let p = Position { mmsi: 440123456, time_ms: 1_600_000_000_000, time_source: TimeSource::TagBlock,
//!     lat: 35.1, lon: 129.04, sog: Some(12.5), cog: Some(90.0), heading: Some(91), nav_status: Some(0),
//!     rot: None, accuracy: true, class: VesselClass::A, msg_type: 1 };
//! w.position(StoredPosition::from_position(&p, Provenance { source, chunk, line }));
//! w.commit()?;
//! drop(w);
//! let track = store.track(440123456, 0, i64::MAX)?;
//! assert_eq!(track.len(), 1);
//! assert_eq!(track[0].sog(), Some(12.5));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod block;
mod events;
mod query;
pub mod schema;
mod writer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sealane_core::Label;

pub use block::{Provenance, StoredPosition};
pub use events::EventFilter;
pub use query::{Bbox, IdentityRow, LatestRow, StoreStats};
pub use writer::{CommitReport, RawChunkBuilder, SealedChunk, Writer};

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite said no.
    #[error("store {path}: {source}")]
    Sqlite {
        /// The store file.
        path: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A block or chunk in the file cannot be read.
    #[error("store {path}: {what}")]
    Corrupt {
        /// The store file.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// zstd could not compress a raw chunk (it fails only without memory).
    #[error("compressing raw chunk {chunk}: {source}")]
    Compress {
        /// The chunk.
        chunk: i64,
        /// zstd's error.
        #[source]
        source: std::io::Error,
    },
    /// A scan's callback failed (e.g. writing its output); the scan stopped.
    #[error("{0}")]
    Callback(String),
}

/// Store results.
pub type Result<T> = std::result::Result<T, Error>;

/// Page size of new store files.
pub const PAGE_SIZE: i64 = 16 << 10;

/// WAL bytes that trigger an automatic checkpoint.
const WAL_CHECKPOINT_BYTES: i64 = 4 << 20;

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

impl Store {
    /// Opens (creating if needed) a store for reading and writing, and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open(&path).map_err(|e| sqlite(&path, e))?;
        let setup = |c: &mut Connection| -> rusqlite::Result<()> {
            // New files only (a store keeps the page size it was made with): 16 KB pages
            // take the 1 M-line ingest 4-9 % less CPU than 4 KB (a quarter of the WAL frames,
            // checksums and writes for the same bytes) and keep R*Tree nodes small enough
            // for box queries; see BENCHMARKS.md.
            c.pragma_update(None, "page_size", PAGE_SIZE)?;
            c.pragma_update(None, "journal_mode", "WAL")?;
            // FULL: a committed batch survives power loss, not only a killed process.
            c.pragma_update(None, "synchronous", "FULL")?;
            c.pragma_update(None, "foreign_keys", "ON")?;
            c.busy_timeout(std::time::Duration::from_secs(10))?;
            // 64 MB for queries; a writer sizes it for the file (writer::page_cache_kib).
            c.pragma_update(None, "cache_size", -65536)?;
            // A checkpoint every 4 MB of WAL whatever the page size: SQLite's default, 1,000
            // pages, let the WAL of a 16 KB-page file reach 16 MB, all of it copied again by
            // the checkpoint on close, at the end of an ingest.
            let page: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            c.pragma_update(None, "wal_autocheckpoint", (WAL_CHECKPOINT_BYTES / page).max(1))?;
            schema::migrate(c)
        };
        setup(&mut conn).map_err(|e| sqlite(&path, e))?;
        Ok(Store { conn, path })
    }

    /// Opens an existing store read-only (queries, exports).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(Error::Sqlite { path: path.display().to_string(), source: rusqlite::Error::InvalidPath(path) });
        }
        let conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| sqlite(&path, e))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| sqlite(&path, e))?;
        if version != schema::VERSION {
            return Err(Error::Corrupt {
                path: path.display().to_string(),
                what: format!(
                    "schema version {version}, this sealane reads {}; open it read-write once to migrate",
                    schema::VERSION
                ),
            });
        }
        conn.pragma_update(None, "cache_size", -65536).map_err(|e| sqlite(&path, e))?;
        Ok(Store { conn, path })
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        sqlite(&self.path, e)
    }

    /// The id of a label, stored if new.
    pub fn label_id(&mut self, label: &Label) -> Result<u32> {
        let json = label.to_json();
        self.conn.execute("INSERT OR IGNORE INTO labels (label) VALUES (?1)", [&json]).map_err(|e| self.err(e))?;
        self.conn.query_row("SELECT id FROM labels WHERE label = ?1", [&json], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// The id of the source named `name`, registered with `kind` and `label` if new.
    /// A known source keeps its label unless `label` differs, in which case the new
    /// label applies to records written from now on.
    pub fn source(&mut self, name: &str, kind: &str, label: &Label) -> Result<u32> {
        let label_id = self.label_id(label)?;
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        self.conn
            .execute(
                "INSERT INTO sources (name, kind, label_id, created_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET label_id = excluded.label_id, kind = excluded.kind",
                params![name, kind, label_id, now],
            )
            .map_err(|e| self.err(e))?;
        self.conn.query_row("SELECT id FROM sources WHERE name = ?1", [name], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// Every source: (id, name, kind, label).
    pub fn sources(&self) -> Result<Vec<(u32, String, String, Label)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.id, s.name, s.kind, l.label FROM sources s JOIN labels l ON l.id = s.label_id ORDER BY s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(id, n, k, l)| {
                Label::parse(&l)
                    .map(|l| (id, n, k, l))
                    .map_err(|what| Error::Corrupt { path: self.path.display().to_string(), what })
            })
            .collect()
    }

    /// The id the next raw chunk will get (for a [`RawChunkBuilder`]).
    pub fn next_chunk_id(&self) -> Result<i64> {
        writer::next_chunk_id(&self.conn).map_err(|e| self.err(e))
    }

    /// A writer; one per store at a time (SQLite serialises writers).
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        Writer::new(&mut self.conn, &self.path)
    }

    /// Runs `PRAGMA integrity_check`; `Ok("ok")` for a sound file.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// The input and input line number a provenance reference points to.
    pub fn provenance_line(&self, p: &Provenance) -> Result<Option<(String, u64)>> {
        self.conn
            .query_row("SELECT input, first_line FROM raw_chunks WHERE id = ?1", [p.chunk], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64 + p.line as u64))
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Raw input line `line` of chunk `chunk`, for provenance.
    pub fn raw_line(&self, chunk: i64, line: u32) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>, i64)> = self
            .conn
            .query_row("SELECT data, lines FROM raw_chunks WHERE id = ?1", [chunk], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((data, _)) = row else { return Ok(None) };
        let text = zstd::decode_all(&data[..]).map_err(|e| Error::Corrupt {
            path: self.path.display().to_string(),
            what: format!("raw chunk {chunk} does not decompress: {e}"),
        })?;
        Ok(text.split(|&b| b == b'\n').nth(line as usize).map(<[u8]>::to_vec))
    }
}

fn sqlite(path: &Path, e: rusqlite::Error) -> Error {
    Error::Sqlite { path: path.display().to_string(), source: e }
}
