//! Batched writing: records accumulate in memory and each [`Writer::commit`]
//! writes them in one transaction. Nothing is visible, or acknowledged,
//! before its commit.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sealane_core::hash::FxHashMap;
use sealane_core::{Identity, mmsi};

use crate::block::{self, BlockBuilder, BlockMeta, StoredPosition};
use crate::query::{IdentityRow, LatestRow};
use crate::{Error, Result, sqlite};

/// Most positions in a block.
pub const BLOCK_MAX_POSITIONS: usize = 1024;
/// Longest time a block spans, ms; track queries rely on it to bound their index scan.
pub const BLOCK_MAX_SPAN_MS: i64 = 24 * 3600 * 1000;
/// Blocks with fewer positions than this are merged once a vessel has [`MERGE_AT`] of them.
pub const SMALL_BLOCK: u32 = 256;
/// Number of small blocks of a vessel that triggers a merge.
pub const MERGE_AT: usize = 8;
/// Most lines in a raw chunk.
pub const CHUNK_MAX_LINES: u32 = 65_536;
/// Most bytes in a raw chunk before compression.
pub const CHUNK_MAX_BYTES: usize = 8 << 20;

struct RawChunk {
    id: i64,
    source: u32,
    input: String,
    first_line: u64,
    lines: u32,
    /// Bytes of the lines so far, with their separators.
    raw_bytes: usize,
    /// The chunk's zstd frame so far.
    data: Vec<u8>,
}

/// A closed raw chunk, compressed, ready to be written by [`Writer::add_chunk`].
#[derive(Debug, Clone)]
pub struct SealedChunk {
    id: i64,
    source: u32,
    input: String,
    first_line: u64,
    lines: u32,
    raw_bytes: usize,
    /// One zstd frame: the lines, separated by '\n'.
    data: Vec<u8>,
    /// zstd's error when compressing failed (it fails only without memory): the
    /// commit that would write the chunk fails instead, so that no record that
    /// refers to it is committed.
    failed: Option<&'static str>,
}

impl SealedChunk {
    /// Chunk id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Number of lines.
    pub fn lines(&self) -> u32 {
        self.lines
    }
}

/// zstd's fastest regular level for the raw log: a chunk of NMEA compresses about
/// 4:1 at several hundred MB/s (negative levels were measured: twice the size
/// for a few percent of ingest time).
const ZSTD_LEVEL: i32 = 1;

/// zstd's window, log2 bytes: 1 MB, where level 1 streams with 512 KB. Whole
/// chunks compressed in one call reached further back; streamed with 512 KB
/// the benchmark's raw log (a corpus repeated every ~0.6 MB) doubled in size.
/// Costs one more megabyte of memory per context.
const ZSTD_WINDOW_LOG: u32 = 20;

/// Lines are handed to zstd this many bytes at a time (its block size): one
/// call per block rather than per line, on bytes still in cache.
const STAGE_BYTES: usize = 128 << 10;

/// Builds the raw message log: lines go in, each gets its provenance
/// reference (chunk id, index), and full chunks come out closed and
/// compressed. It can run on another thread than the [`Writer`]; ids start at
/// [`crate::Store::next_chunk_id`], so use one builder per store.
///
/// Each chunk is compressed as its lines arrive, one zstd frame per chunk,
/// so only the compressed bytes are kept: a chunk's raw lines (megabytes)
/// never sit in memory. Fresh memory is dear (the kernel zeroes every page
/// it hands out, a fifth of an ingest's CPU time when whole chunks were
/// buffered and passed between threads).
pub struct RawChunkBuilder {
    next_id: i64,
    /// Lines per chunk, at most [`CHUNK_MAX_LINES`].
    max_lines: u32,
    current: Option<RawChunk>,
    /// One zstd context serves every chunk; created with the first.
    zstd: Option<zstd::zstd_safe::CCtx<'static>>,
    /// Lines of the open chunk not yet given to zstd.
    staged: Vec<u8>,
    /// Where each staged line starts in `staged`, and how many separating
    /// newlines `staged` should hold: a line with a newline of its own is found
    /// by counting them once per staging step, not by searching every line
    /// (readers split lines on newlines, so theirs never have one).
    staged_starts: Vec<usize>,
    staged_separators: usize,
    /// zstd's error in the open chunk, if any.
    failed: Option<&'static str>,
    /// Compressed size of the last chunk closed: the next one's output starts
    /// with room for about as much, instead of growing (and copying) by doubling.
    last_compressed: usize,
}

impl std::fmt::Debug for RawChunkBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawChunkBuilder(next chunk {})", self.next_id)
    }
}

impl std::fmt::Debug for RawChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawChunk({} lines)", self.lines)
    }
}

impl RawChunkBuilder {
    /// A builder handing out chunk ids from `first_id`.
    pub fn new(first_id: i64) -> Self {
        RawChunkBuilder::with_max_lines(first_id, CHUNK_MAX_LINES)
    }

    /// A builder whose chunks close after `max_lines` lines (1 to [`CHUNK_MAX_LINES`]).
    /// A commit can acknowledge only lines in closed chunks, so a writer that
    /// wants to commit every N lines needs chunks of at most N.
    pub fn with_max_lines(first_id: i64, max_lines: u32) -> Self {
        RawChunkBuilder {
            next_id: first_id,
            max_lines: max_lines.clamp(1, CHUNK_MAX_LINES),
            current: None,
            zstd: None,
            staged: Vec::new(),
            staged_starts: Vec::new(),
            staged_separators: 0,
            failed: None,
            last_compressed: 0,
        }
    }

    /// Whether a chunk is open (lines appended since the last one closed).
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }

    /// Appends a line. Returns its reference and, when the line did not fit in the
    /// open chunk, the chunk it closed.
    pub fn line(&mut self, source: u32, input: &str, line_no: u64, bytes: &[u8]) -> ((i64, u32), Option<SealedChunk>) {
        let fits = self.current.as_ref().is_some_and(|c| {
            c.source == source
                && c.input == input
                && c.lines < self.max_lines
                && c.raw_bytes + bytes.len() < CHUNK_MAX_BYTES
        });
        let mut sealed = None;
        if !fits {
            sealed = self.seal();
            let id = self.next_id;
            self.next_id += 1;
            self.current = Some(RawChunk {
                id,
                source,
                input: input.to_string(),
                first_line: line_no,
                lines: 0,
                raw_bytes: 0,
                data: Vec::with_capacity(self.last_compressed + self.last_compressed / 8),
            });
        }
        let c = self.current.as_mut().expect("chunk just opened");
        let before = self.staged.len();
        if c.lines > 0 {
            self.staged.push(b'\n');
            self.staged_separators += 1;
        }
        // Line terminators never enter the log; newlines inside are made spaces when staged.
        let mut line = bytes;
        while let [rest @ .., b'\r' | b'\n'] = line {
            line = rest;
        }
        self.staged_starts.push(self.staged.len());
        self.staged.extend_from_slice(line);
        c.raw_bytes += self.staged.len() - before;
        let index = c.lines;
        c.lines += 1;
        let reference = (c.id, index);
        if self.staged.len() >= STAGE_BYTES {
            self.compress_staged(false);
        }
        (reference, sealed)
    }

    /// Makes spaces of newlines inside staged lines, so that the log's lines
    /// are the lines given.
    fn blank_inner_newlines(&mut self) {
        if memchr::memchr_iter(b'\n', &self.staged).count() == self.staged_separators {
            return;
        }
        let ends = self.staged_starts.iter().skip(1).map(|&s| s - 1).chain([self.staged.len()]);
        for (&start, end) in self.staged_starts.iter().zip(ends) {
            for b in &mut self.staged[start..end] {
                if *b == b'\n' {
                    *b = b' ';
                }
            }
        }
    }

    /// Gives the staged lines to zstd; `end` closes the open chunk's frame.
    fn compress_staged(&mut self, end: bool) {
        use zstd::zstd_safe::{CCtx, CParameter, InBuffer, OutBuffer, ResetDirective, get_error_name, zstd_sys};
        self.blank_inner_newlines();
        self.staged_starts.clear();
        self.staged_separators = 0;
        let Some(c) = self.current.as_mut() else { return };
        if self.failed.is_some() {
            self.staged.clear();
            return;
        }
        let z = match &mut self.zstd {
            Some(z) => z,
            None => {
                let Some(mut z) = CCtx::try_create() else {
                    self.failed = Some("no memory for a zstd context");
                    self.staged.clear();
                    return;
                };
                let set = z
                    .set_parameter(CParameter::CompressionLevel(ZSTD_LEVEL))
                    .and_then(|_| z.set_parameter(CParameter::WindowLog(ZSTD_WINDOW_LOG)));
                if let Err(e) = set {
                    self.failed = Some(get_error_name(e));
                }
                self.zstd.insert(z)
            }
        };
        let directive =
            if end { zstd_sys::ZSTD_EndDirective::ZSTD_e_end } else { zstd_sys::ZSTD_EndDirective::ZSTD_e_continue };
        let mut input = InBuffer::around(&self.staged);
        loop {
            // zstd writes into whatever room there is (and holds the rest for the next
            // call): ask for more only when little is left, so that a chunk given its
            // room up front (`last_compressed`) is not grown anyway.
            if c.data.capacity() - c.data.len() < 4096 {
                c.data.reserve(CCtx::out_size());
            }
            let pos = c.data.len();
            let mut out = OutBuffer::around_pos(&mut c.data, pos);
            match z.compress_stream2(&mut out, &mut input, directive) {
                Err(e) => {
                    self.failed = Some(get_error_name(e));
                    // The next chunk starts a fresh frame.
                    let _ = z.reset(ResetDirective::SessionOnly);
                    break;
                }
                Ok(left) => {
                    // Ending: done once nothing is left to flush. Continuing: once all input is taken.
                    let done = if end { left == 0 } else { input.pos() == self.staged.len() };
                    if done {
                        break;
                    }
                }
            }
        }
        self.staged.clear();
    }

    /// Closes the open chunk, if any.
    pub fn seal(&mut self) -> Option<SealedChunk> {
        self.current.as_ref()?;
        self.compress_staged(true);
        let c = self.current.take()?;
        self.last_compressed = c.data.len();
        Some(SealedChunk {
            id: c.id,
            source: c.source,
            input: c.input,
            first_line: c.first_line,
            lines: c.lines,
            raw_bytes: c.raw_bytes,
            data: c.data,
            failed: self.failed.take(),
        })
    }
}

struct IdentityState {
    row: IdentityRow,
    dirty: bool,
}

/// What a commit wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitReport {
    /// Positions written.
    pub positions: u64,
    /// Position blocks written (including rewritten by merges).
    pub blocks: u64,
    /// Raw chunks written.
    pub raw_chunks: u64,
    /// Raw lines written.
    pub raw_lines: u64,
    /// Identity rows written or updated.
    pub identities: u64,
}

/// Accumulates records and commits them in batches.
pub struct Writer<'s> {
    conn: &'s mut Connection,
    path: &'s Path,
    raw: RawChunkBuilder,
    chunks: Vec<SealedChunk>,
    /// Positions since the last commit, one track per vessel, each encoded into
    /// its blocks as it arrives (see [`PendingTrack`]). A vessel's track keeps
    /// its memory for the next commit while the vessel keeps reporting, so
    /// steady feeds do not reallocate.
    pending: Vec<PendingTrack>,
    /// Where each vessel's buffer is in `pending`.
    pending_at: FxHashMap<u32, u32>,
    buffered: usize,
    small_blocks: FxHashMap<u32, Vec<(i64, u32)>>,
    identity: FxHashMap<u32, IdentityState>,
    closed_identities: Vec<IdentityRow>,
}

impl<'s> Writer<'s> {
    pub(crate) fn new(conn: &'s mut Connection, path: &'s Path) -> Result<Writer<'s>> {
        let first = next_chunk_id(conn).map_err(|e| sqlite(path, e))?;
        size_page_cache(conn).map_err(|e| sqlite(path, e))?;
        Ok(Writer {
            conn,
            path,
            raw: RawChunkBuilder::new(first),
            chunks: Vec::new(),
            pending: Vec::new(),
            pending_at: FxHashMap::default(),
            buffered: 0,
            small_blocks: FxHashMap::default(),
            identity: FxHashMap::default(),
            closed_identities: Vec::new(),
        })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        sqlite(self.path, e)
    }

    /// Appends one raw input line to the message log; returns its (chunk, index) for
    /// provenance. For work split across threads use a [`RawChunkBuilder`] and [`Writer::add_chunk`].
    pub fn raw_line(&mut self, source: u32, input: &str, line_no: u64, bytes: &[u8]) -> (i64, u32) {
        let (r, sealed) = self.raw.line(source, input, line_no, bytes);
        self.chunks.extend(sealed);
        r
    }

    /// Queues a chunk built elsewhere for the next commit.
    pub fn add_chunk(&mut self, chunk: SealedChunk) {
        self.chunks.push(chunk);
    }

    /// Buffers a position.
    pub fn position(&mut self, p: StoredPosition) {
        let pending = &mut self.pending;
        let at = *self.pending_at.entry(p.mmsi).or_insert_with(|| {
            pending.push(PendingTrack::new(p.mmsi));
            (pending.len() - 1) as u32
        });
        self.pending[at as usize].push(p);
        self.buffered += 1;
    }

    /// The vessels with positions buffered since the last commit.
    pub fn pending_vessels(&self) -> impl Iterator<Item = u32> + '_ {
        self.pending.iter().filter(|t| t.n > 0).map(|t| t.mmsi)
    }

    /// Positions buffered since the last commit.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Records an identity report. Filling in fields that were unknown extends the
    /// current state; changing a known field starts a new row of the history.
    pub fn identity(&mut self, obs: &Identity, source: u32) -> Result<()> {
        if !self.identity.contains_key(&obs.mmsi) {
            let stored = self.load_identity(obs.mmsi)?;
            if let Some(row) = stored {
                self.identity.insert(obs.mmsi, IdentityState { row, dirty: false });
            }
        }
        let time = obs.time_ms;
        match self.identity.get_mut(&obs.mmsi) {
            None => {
                let mut fields = Identity { mmsi: obs.mmsi, ..Identity::default() };
                fields.merge(obs);
                let row = IdentityRow::new(fields, time, source);
                self.identity.insert(obs.mmsi, IdentityState { row, dirty: true });
            }
            Some(st) => {
                if changes_known_field(&st.row.fields, obs) {
                    st.row.t_to = st.row.t_to.max(time);
                    self.closed_identities.push(st.row.clone());
                    let mut next = st.row.fields.clone();
                    next.merge(obs);
                    st.row = IdentityRow::new(next, time, source);
                } else {
                    st.row.fields.merge(obs);
                    st.row.t_from = st.row.t_from.min(time);
                    st.row.t_to = st.row.t_to.max(time);
                    st.row.reports += 1;
                }
                st.dirty = true;
            }
        }
        Ok(())
    }

    fn load_identity(&self, mmsi: u32) -> Result<Option<IdentityRow>> {
        self.conn
            .query_row(
                &format!("SELECT {} FROM identity WHERE mmsi = ?1 ORDER BY t_from DESC LIMIT 1", IdentityRow::COLUMNS),
                [mmsi],
                IdentityRow::from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Writes everything buffered in one transaction and returns what was written.
    /// When this returns `Ok`, every record given before the call is durable.
    pub fn commit(&mut self) -> Result<CommitReport> {
        if let Some(c) = self.raw.seal() {
            self.chunks.push(c);
        }
        let mut report = CommitReport::default();
        let path = self.path;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| sqlite(path, e))?;
        {
            let mut ins_chunk = tx
                .prepare_cached(
                    "INSERT INTO raw_chunks (id, source_id, input, first_line, lines, bytes, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(|e| sqlite(path, e))?;
            for c in self.chunks.drain(..) {
                // On failure the transaction is dropped, so no record that refers to
                // the chunk is committed either.
                if let Some(e) = c.failed {
                    return Err(Error::Compress { chunk: c.id, source: std::io::Error::other(e) });
                }
                ins_chunk
                    .execute(params![c.id, c.source, c.input, c.first_line as i64, c.lines, c.raw_bytes as i64, c.data])
                    .map_err(|e| sqlite(path, e))?;
                report.raw_chunks += 1;
                report.raw_lines += c.lines as u64;
            }
        }
        let mut buf = Vec::with_capacity(64 << 10);
        let mut decoded = Vec::new();
        let mut latest: Vec<LatestRow> = Vec::new();
        // Vessels in MMSI order; each vessel's blocks are built already (see `PendingTrack`).
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_unstable_by_key(|t| t.mmsi);
        let mut merged: Vec<StoredPosition> = Vec::new();
        // Blocks of positions sorted at commit (merges, and vessels with a position out of order).
        let mut sorted_track = PendingTrack::new(0);
        // Vessels first seen together reach MERGE_AT together: cap the merges of one
        // commit (at twice the steady rate) so that they spread over the next commits
        // instead of making every MERGE_AT-th commit of a live feed many times longer.
        let groups = pending.iter().filter(|t| t.n > 0).count();
        let mut merges_left = (2 * groups / MERGE_AT).max(1024);
        for track in pending.iter_mut().filter(|t| t.n > 0) {
            let mmsi = track.mmsi;
            // Stable: reports of one vessel at one time keep their arrival order.
            track.unordered.sort_by_key(|p| p.time_ms);
            report.positions += track.n as u64;
            if let Some(p) = track.unordered.last().or(track.last.as_ref()) {
                latest.push(LatestRow {
                    mmsi,
                    time_ms: p.time_ms,
                    lat: p.lat(),
                    lon: p.lon(),
                    sog: p.sog(),
                    cog: p.cog(),
                    heading: p.heading(),
                    nav_status: p.nav_status(),
                    class: p.class,
                    source: p.provenance.source,
                });
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = self.small_blocks.entry(mmsi) {
                // The bound is written out, not bound: with a parameter SQLite
                // re-plans the statement at every step to see whether the partial
                // index `position_blocks_small` applies.
                const _: () = assert!(SMALL_BLOCK == 256, "keep this query and the schema's index in step");
                let mut st = tx
                    .prepare_cached("SELECT id, n FROM position_blocks WHERE mmsi = ?1 AND n < 256")
                    .map_err(|e| sqlite(path, e))?;
                let known = st
                    .query_map(params![mmsi], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(|e| sqlite(path, e))?
                    .collect::<rusqlite::Result<Vec<(i64, u32)>>>()
                    .map_err(|e| sqlite(path, e))?;
                slot.insert(known);
            }
            let small = self.small_blocks.get_mut(&mmsi).expect("loaded above");
            if small.len() + 1 >= MERGE_AT && (track.n as u32) < SMALL_BLOCK && merges_left > 0 {
                merges_left -= 1;
                // Merge the vessel's small blocks with the new positions.
                merged.clear();
                track.decode_into(&mut merged, &mut buf).map_err(|e| Error::Corrupt {
                    path: path.display().to_string(),
                    what: format!("pending positions of vessel {mmsi}: {e}"),
                })?;
                let mut read = tx
                    .prepare_cached("SELECT t_min, data FROM position_blocks WHERE id = ?1")
                    .map_err(|e| sqlite(path, e))?;
                let mut delete =
                    tx.prepare_cached("DELETE FROM position_blocks WHERE id = ?1").map_err(|e| sqlite(path, e))?;
                for (id, _) in small.drain(..) {
                    let (t_min, data): (i64, Vec<u8>) =
                        read.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| sqlite(path, e))?;
                    decoded.clear();
                    block::decode(mmsi, t_min, &data, &mut decoded).map_err(|e| Error::Corrupt {
                        path: path.display().to_string(),
                        what: format!("block {id}: {e}"),
                    })?;
                    merged.append(&mut decoded);
                    // Small blocks were never entered in the R*Tree (see `insert_block`).
                    delete.execute([id]).map_err(|e| sqlite(path, e))?;
                }
                merged.sort_by_key(|p| p.time_ms);
                sorted_track.refill(mmsi, &merged);
                write_blocks(&tx, &sorted_track, &mut buf, small, &mut report).map_err(|e| sqlite(path, e))?;
            } else if !track.unordered.is_empty() {
                sorted_track.refill(mmsi, &track.unordered);
                write_blocks(&tx, &sorted_track, &mut buf, small, &mut report).map_err(|e| sqlite(path, e))?;
            } else {
                write_blocks(&tx, track, &mut buf, small, &mut report).map_err(|e| sqlite(path, e))?;
            }
        }
        // Tracks of vessels that reported keep their memory; the others are freed.
        pending.retain_mut(|t| {
            let keep = t.n > 0;
            t.reset(t.mmsi);
            keep
        });
        self.pending_at.clear();
        self.pending_at.extend(pending.iter().enumerate().map(|(i, t)| (t.mmsi, i as u32)));
        self.pending = pending;
        self.buffered = 0;
        {
            let mut up = tx
                .prepare_cached(
                    "INSERT INTO latest (mmsi, time_ms, lat, lon, sog, cog, heading, nav_status, class, source_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT(mmsi) DO UPDATE SET time_ms = excluded.time_ms, lat = excluded.lat, lon = excluded.lon,
                       sog = excluded.sog, cog = excluded.cog, heading = excluded.heading,
                       nav_status = excluded.nav_status, class = excluded.class, source_id = excluded.source_id
                     WHERE excluded.time_ms >= latest.time_ms",
                )
                .map_err(|e| sqlite(path, e))?;
            for l in latest {
                up.execute(params![
                    l.mmsi,
                    l.time_ms,
                    l.lat,
                    l.lon,
                    l.sog,
                    l.cog,
                    l.heading,
                    l.nav_status,
                    l.class.code(),
                    l.source
                ])
                .map_err(|e| sqlite(path, e))?;
            }
        }
        {
            let mut up = tx
                .prepare_cached(&format!(
                    "INSERT OR REPLACE INTO identity ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                    IdentityRow::COLUMNS
                ))
                .map_err(|e| sqlite(path, e))?;
            let dirty = self.identity.values_mut().filter(|s| s.dirty).map(|s| {
                s.dirty = false;
                s.row.clone()
            });
            let rows: Vec<IdentityRow> = self.closed_identities.drain(..).chain(dirty).collect();
            for r in rows {
                r.execute_insert(&mut up).map_err(|e| sqlite(path, e))?;
                report.identities += 1;
            }
        }
        tx.commit().map_err(|e| sqlite(path, e))?;
        size_page_cache(self.conn).map_err(|e| sqlite(path, e))?;
        Ok(report)
    }
}

/// The writer's page cache, KiB, for a file of `file_bytes`: a quarter of the
/// file, from 8 MB to 64 MB. A young store's pages are mostly written once
/// (blocks and raw chunks) and need no cache; a large one needs its index pages
/// cached. Every cached page is fresh memory, which on a VM that hands freed
/// memory back to its host (free page reporting) costs a host fault as well as
/// the zeroing: measured in BENCHMARKS.md.
fn page_cache_kib(file_bytes: i64) -> i64 {
    (file_bytes / 4 / 1024).clamp(8 << 10, 64 << 10)
}

/// Sizes the connection's page cache for its file ([`page_cache_kib`]).
fn size_page_cache(conn: &Connection) -> rusqlite::Result<()> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -page_cache_kib(pages * page))
}

pub(crate) fn next_chunk_id(conn: &Connection) -> rusqlite::Result<i64> {
    let max: Option<i64> = conn.query_row("SELECT max(id) FROM raw_chunks", [], |r| r.get(0))?;
    Ok(max.unwrap_or(0) + 1)
}

/// Whether `obs` gives a field that is already known a different value: that
/// starts a new row of the history, where filling in unknown fields does not.
fn changes_known_field(cur: &Identity, obs: &Identity) -> bool {
    macro_rules! changed {
        ($($f:ident),*) => { false $( || (cur.$f.is_some() && obs.$f.is_some() && cur.$f != obs.$f) )* };
    }
    changed!(name, callsign, imo, shiptype, dims, draught, destination, eta)
}

/// One vessel's positions since the last commit, encoded into its blocks as
/// they arrive: a position takes its 10-20 bytes of block at once instead of
/// 80 bytes of [`StoredPosition`] until the commit (a store per position into
/// memory each vessel has elsewhere was a tenth of an ingest's time, and the
/// held positions most of its fresh memory). Blocks split where
/// [`BLOCK_MAX_POSITIONS`] or [`BLOCK_MAX_SPAN_MS`] says.
///
/// Positions reach the writer in time order, but for those later than the
/// cleaner's window: from the first position earlier than its vessel's last,
/// that vessel's positions are held as they are and sorted at commit.
struct PendingTrack {
    mmsi: u32,
    /// Positions since the last commit.
    n: usize,
    /// Blocks already full.
    full: Vec<BlockBuilder>,
    open: BlockBuilder,
    /// The latest position (without its duplicates' provenance), for the `latest` table.
    last: Option<StoredPosition>,
    /// The positions, once one came out of order (the blocks are then empty).
    unordered: Vec<StoredPosition>,
}

impl PendingTrack {
    fn new(mmsi: u32) -> PendingTrack {
        PendingTrack { mmsi, n: 0, full: Vec::new(), open: BlockBuilder::default(), last: None, unordered: Vec::new() }
    }

    /// Empties the track for `mmsi`; it keeps the open block's memory.
    fn reset(&mut self, mmsi: u32) {
        self.mmsi = mmsi;
        self.n = 0;
        self.full.clear();
        self.open.clear();
        self.last = None;
        self.unordered.clear();
    }

    fn push(&mut self, mut p: StoredPosition) {
        self.n += 1;
        if self.unordered.is_empty() {
            match &self.last {
                Some(last) if p.time_ms < last.time_ms => {
                    let mut buf = Vec::new();
                    let mut held = Vec::with_capacity(self.n);
                    // Blocks this writer built decode; if one did not, its positions would be lost.
                    self.decode_into(&mut held, &mut buf).expect("a block just built decodes");
                    self.full.clear();
                    self.open.clear();
                    self.last = None;
                    held.push(p);
                    self.unordered = held;
                }
                _ => {
                    self.append(&p);
                    p.also.clear();
                    self.last = Some(p);
                }
            }
        } else {
            self.unordered.push(p);
        }
    }

    /// Empties the track for `mmsi` and builds its blocks from `positions`, sorted by time.
    fn refill(&mut self, mmsi: u32, positions: &[StoredPosition]) {
        self.reset(mmsi);
        for p in positions {
            self.append(p);
        }
    }

    /// Adds a position no earlier than the last to the blocks.
    fn append(&mut self, p: &StoredPosition) {
        let m = self.open.meta();
        if m.n > 0 && (m.n as usize >= BLOCK_MAX_POSITIONS || p.time_ms - m.t_min > BLOCK_MAX_SPAN_MS) {
            self.full.push(std::mem::take(&mut self.open));
        }
        self.open.push(p);
    }

    fn blocks(&self) -> impl Iterator<Item = &BlockBuilder> {
        self.full.iter().chain([&self.open]).filter(|b| b.meta().n > 0)
    }

    /// Appends the track's positions, in time order once sorted at commit, to `out`.
    fn decode_into(
        &self,
        out: &mut Vec<StoredPosition>,
        buf: &mut Vec<u8>,
    ) -> std::result::Result<(), block::BlockError> {
        out.extend_from_slice(&self.unordered);
        for b in self.blocks() {
            buf.clear();
            b.write(buf);
            block::decode(self.mmsi, b.meta().t_min, buf, out)?;
        }
        Ok(())
    }
}

/// Writes a vessel's blocks, noting the small ones.
fn write_blocks(
    tx: &rusqlite::Transaction<'_>,
    track: &PendingTrack,
    buf: &mut Vec<u8>,
    small: &mut Vec<(i64, u32)>,
    report: &mut CommitReport,
) -> rusqlite::Result<()> {
    for b in track.blocks() {
        buf.clear();
        b.write(buf);
        let meta = b.meta();
        let id = insert_block(tx, track.mmsi, &meta, buf)?;
        if meta.n < SMALL_BLOCK {
            small.push((id, meta.n));
        }
        report.blocks += 1;
    }
    Ok(())
}

fn insert_block(tx: &rusqlite::Transaction<'_>, mmsi: u32, m: &BlockMeta, data: &[u8]) -> rusqlite::Result<i64> {
    let deg = |v: i32| v as f64 / 1e7;
    let mut st = tx.prepare_cached(
        "INSERT INTO position_blocks (mmsi, t_min, t_max, n, lat_min, lat_max, lon_min, lon_max, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    st.execute(params![
        mmsi,
        m.t_min,
        m.t_max,
        m.n as i64,
        deg(m.lat_min),
        deg(m.lat_max),
        deg(m.lon_min),
        deg(m.lon_max),
        data
    ])?;
    let id = tx.last_insert_rowid();
    // Small blocks are found through `position_blocks_small` (schema version 3).
    if m.n < SMALL_BLOCK {
        return Ok(id);
    }
    let mut rt = tx.prepare_cached(
        "INSERT INTO position_blocks_rtree (id, t_min, t_max, lon_min, lon_max, lat_min, lat_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    rt.execute(params![
        id,
        m.t_min.div_euclid(1000) as f64,
        (m.t_max + 999).div_euclid(1000) as f64,
        deg(m.lon_min),
        deg(m.lon_max),
        deg(m.lat_min),
        deg(m.lat_max)
    ])?;
    Ok(id)
}

impl IdentityRow {
    pub(crate) const COLUMNS: &'static str = "mmsi, t_from, t_to, reports, name, callsign, imo, shiptype, to_bow, to_stern, \
         to_port, to_starboard, draught, destination, eta, flag, source_id";

    fn new(fields: Identity, time: i64, source: u32) -> IdentityRow {
        IdentityRow {
            flag: mmsi::flag(fields.mmsi).map(str::to_string),
            t_from: time,
            t_to: time,
            reports: 1,
            source,
            fields,
        }
    }

    fn execute_insert(&self, st: &mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<usize> {
        let f = &self.fields;
        let d = f.dims;
        st.execute(params![
            f.mmsi,
            self.t_from,
            self.t_to,
            self.reports,
            f.name,
            f.callsign,
            f.imo,
            f.shiptype,
            d.map(|d| d[0]),
            d.map(|d| d[1]),
            d.map(|d| d[2]),
            d.map(|d| d[3]),
            f.draught,
            f.destination,
            f.eta,
            self.flag,
            self.source
        ])
    }
}

#[cfg(test)]
mod tests {
    use sealane_core::{Label, Position, TimeSource, VesselClass};

    use super::*;
    use crate::{Provenance, Store};

    fn position(mmsi: u32, time_ms: i64, line: u32) -> StoredPosition {
        let p = Position {
            mmsi,
            time_ms,
            time_source: TimeSource::TagBlock,
            lat: 35.0 + line as f64 * 1e-4,
            lon: 129.0,
            sog: Some(10.0),
            cog: None,
            heading: None,
            nav_status: None,
            rot: None,
            accuracy: true,
            class: VesselClass::A,
            msg_type: 1,
        };
        StoredPosition::from_position(&p, Provenance { source: 1, chunk: 1, line })
    }

    /// An empty store in a directory of its own (removed by the caller), with one source.
    fn fresh_store(name: &str) -> (std::path::PathBuf, Store, u32) {
        let dir = std::env::temp_dir().join(format!("sealane-writer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut store = Store::open(dir.join("store.sqlite")).unwrap();
        let source = store.source("test", "file", &Label::public_ais()).unwrap();
        (dir, store, source)
    }

    #[test]
    fn raw_lines_read_back_verbatim_across_chunks_and_compressed_blocks() {
        let (dir, mut store, source) = fresh_store("raw");
        let mut builder = RawChunkBuilder::new(store.next_chunk_id().unwrap());
        let lines: [&[u8]; 3] = [b"!AIVDM,first\r\n", b"!AIVDM,second", b"!AIVDM,third"];
        let (first, _) = builder.line(source, "a.nmea", 1, lines[0]);
        // Another input closes the first chunk.
        let (second, sealed) = builder.line(source, "b.nmea", 1, lines[1]);
        let mut w = store.writer().unwrap();
        w.add_chunk(sealed.expect("a new input starts a new chunk"));
        let (third, _) = builder.line(source, "b.nmea", 2, lines[2]);
        // Lines past several of zstd's blocks, varied so that they do not compress to nothing.
        let long: Vec<Vec<u8>> = (0..20_000u64)
            .map(|k| {
                format!("!AIVDM,1,1,,A,{:x},0*{:02X}", k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k % 256).into_bytes()
            })
            .collect();
        let refs: Vec<(i64, u32)> =
            long.iter().enumerate().map(|(k, l)| builder.line(source, "b.nmea", 3 + k as u64, l).0).collect();
        let chunk = builder.seal().unwrap();
        assert!(chunk.raw_bytes > 3 * STAGE_BYTES, "{} bytes", chunk.raw_bytes);
        assert!(chunk.data.len() < chunk.raw_bytes / 2);
        w.add_chunk(chunk);
        assert_eq!(w.commit().unwrap().raw_lines, 3 + long.len() as u64);
        drop(w);
        let want = [&b"!AIVDM,first"[..], lines[1], lines[2]];
        for ((chunk, index), want) in [first, second, third].into_iter().zip(want) {
            assert_eq!(store.raw_line(chunk, index).unwrap().as_deref(), Some(want));
        }
        for k in [0, 1, 4_999, 19_999] {
            let (chunk, index) = refs[k];
            assert_eq!(store.raw_line(chunk, index).unwrap().as_deref(), Some(&long[k][..]));
        }
        drop(store);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_chunk_starts_with_room_for_what_the_last_one_compressed_to() {
        use zstd::zstd_safe::CCtx;
        let mut builder = RawChunkBuilder::with_max_lines(1, 30_000);
        let mut sealed = Vec::new();
        for k in 0..60_000u64 {
            let line = format!("!AIVDM,1,1,,A,{:x},0*00", k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            sealed.extend(builder.line(1, "a", k, line.as_bytes()).1);
        }
        sealed.extend(builder.seal());
        let [first, second] = &sealed[..] else { panic!("{} chunks", sealed.len()) };
        assert!(first.data.len() > CCtx::out_size(), "{} bytes", first.data.len());
        // Allocated once, with room for what the first compressed to and an eighth more, and never grown.
        assert!(second.data.len() < first.data.len() + first.data.len() / 8 - 4096);
        assert_eq!(second.data.capacity(), first.data.len() + first.data.len() / 8);
    }

    #[test]
    fn the_page_cache_grows_with_the_store() {
        assert_eq!(page_cache_kib(0), 8 << 10);
        assert_eq!(page_cache_kib(32 << 20), 8 << 10);
        assert_eq!(page_cache_kib(100 << 20), 25 << 10);
        assert_eq!(page_cache_kib(1 << 30), 64 << 10);
        // The store opens with 64 MB; its writer sizes the cache for the file, and again at each commit.
        let (dir, mut store, _) = fresh_store("cache");
        let cache = |c: &Connection| c.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(cache(&store.conn), -(64 << 10));
        let mut w = store.writer().unwrap();
        assert_eq!(cache(w.conn), -(8 << 10));
        w.conn.pragma_update(None, "cache_size", -1).unwrap();
        w.position(position(1, 0, 1));
        w.commit().unwrap();
        assert_eq!(cache(w.conn), -(8 << 10));
        drop(w);
        drop(store);
        std::fs::remove_dir_all(&dir).ok();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any lines, any chunk length, inputs switching: every reference reads back its line
        /// (terminators trimmed, inner newlines as spaces), across zstd's 128 KB staging steps.
        #[test]
        fn every_line_reads_back_from_its_chunk(
            lines in proptest::collection::vec(
                (proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), 0usize..3, 0u8..8), 1..300),
            max_lines in 1u32..80,
        ) {
            let mut builder = RawChunkBuilder::with_max_lines(1, max_lines);
            let mut sealed = Vec::new();
            let mut expected = Vec::new();
            for (k, (bytes, input, stretch)) in lines.iter().enumerate() {
                // Now and then a long line, so that chunks cross the staging size.
                let mut line = bytes.clone();
                if *stretch == 0 {
                    line = line.repeat(STAGE_BYTES / 20);
                }
                let (reference, closed) = builder.line(1, ["a", "b", "c"][*input], k as u64, &line);
                sealed.extend(closed);
                while let [rest @ .., b'\r' | b'\n'] = &line[..] {
                    line.truncate(rest.len());
                }
                let want: Vec<u8> = line.iter().map(|&b| if b == b'\n' { b' ' } else { b }).collect();
                expected.push((reference, want));
            }
            sealed.extend(builder.seal());
            let mut read_back = std::collections::HashMap::new();
            for c in &sealed {
                proptest::prop_assert!(c.failed.is_none());
                proptest::prop_assert!(c.lines <= max_lines);
                let text = zstd::decode_all(&c.data[..]).unwrap();
                proptest::prop_assert_eq!(text.len(), c.raw_bytes);
                for (i, l) in text.split(|&b| b == b'\n').enumerate() {
                    read_back.insert((c.id, i as u32), l.to_vec());
                }
                proptest::prop_assert_eq!(text.split(|&b| b == b'\n').count(), c.lines as usize);
            }
            for (reference, want) in expected {
                proptest::prop_assert_eq!(read_back.get(&reference), Some(&want));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whatever the order positions arrive in and wherever the commits fall,
        /// every position reads back, each block within its limits and its index
        /// row true to its positions, and each vessel's latest row its last report.
        #[test]
        fn every_position_reads_back_from_blocks_true_to_their_index(
            arrivals in proptest::collection::vec((0u32..6, 0i64..100, 0u8..40, proptest::prelude::any::<bool>()), 1..3000),
            long_gaps in proptest::prelude::any::<bool>(),
            commit_stride in proptest::sample::select(vec![7usize, 1009, usize::MAX]),
        ) {
            let (dir, mut store, _) = fresh_store(&format!("prop{}", arrivals.len()));
            let mut w = store.writer().unwrap();
            let mut clock = [0i64; 4];
            let mut want: Vec<Vec<(i64, u32)>> = vec![Vec::new(); 4];
            for (line, &(vessel, step, back, commit)) in arrivals.iter().enumerate() {
                // Vessel 1 has two thirds of the reports: more than a block's worth.
                let mmsi = vessel.saturating_sub(3).max(1);
                let v = mmsi as usize;
                // Mostly forward; sometimes earlier than the vessel's last report; with
                // long gaps, blocks reach their longest span.
                let step_ms = if long_gaps { step * 3_600_000 } else { step * 1000 };
                clock[v] += step_ms;
                let t = if back == 0 { clock[v] - 50_000 } else { clock[v] };
                let mut p = position(mmsi, t, line as u32);
                p.lat_e7 += (back as i32 - 20) * 1000;
                w.position(p);
                want[v].push((t, line as u32));
                // Some commits hold more than a block of one vessel.
                if commit && line % commit_stride == 0 {
                    w.commit().unwrap();
                }
            }
            w.commit().unwrap();
            drop(w);
            for v in 1..4u32 {
                let got = store.track(v, i64::MIN, i64::MAX).unwrap();
                proptest::prop_assert!(got.is_sorted_by_key(|p| p.time_ms));
                let mut got: Vec<(i64, u32)> = got.iter().map(|p| (p.time_ms, p.provenance.line)).collect();
                got.sort_unstable();
                want[v as usize].sort_unstable();
                proptest::prop_assert_eq!(&got, &want[v as usize]);
            }
            let mut st = store.conn.prepare("SELECT mmsi, t_min, t_max, n, lat_min, lat_max, lon_min, lon_max, data FROM position_blocks").unwrap();
            let mut rows = st.query([]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                let (mmsi, t_min, t_max, n): (u32, i64, i64, u32) = (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap());
                let mut ps = Vec::new();
                block::decode(mmsi, t_min, r.get_ref(8).unwrap().as_blob().unwrap(), &mut ps).unwrap();
                let m = BlockMeta::of(&ps);
                proptest::prop_assert!(ps.is_sorted_by_key(|p| p.time_ms));
                proptest::prop_assert!(ps.len() <= BLOCK_MAX_POSITIONS && t_max - t_min <= BLOCK_MAX_SPAN_MS);
                proptest::prop_assert_eq!((m.n, m.t_min, m.t_max), (n, t_min, t_max));
                let deg = |v: i32| v as f64 / 1e7;
                let bbox: (f64, f64, f64, f64) = (r.get(4).unwrap(), r.get(5).unwrap(), r.get(6).unwrap(), r.get(7).unwrap());
                proptest::prop_assert_eq!(bbox, (deg(m.lat_min), deg(m.lat_max), deg(m.lon_min), deg(m.lon_max)));
            }
            drop(rows);
            drop(st);
            for l in store.latest(None).unwrap() {
                let last = want[l.mmsi as usize].iter().map(|&(t, _)| t).max();
                proptest::prop_assert_eq!(Some(l.time_ms), last);
            }
            drop(store);
            std::fs::remove_dir_all(&dir).ok();
        }
    }

    #[test]
    fn commits_keep_each_vessels_track_in_time_order_and_merge_small_blocks() {
        let (dir, mut store, _) = fresh_store("order");
        let mut w = store.writer().unwrap();
        // Two vessels interleaved; vessel 2 has a report later than the window
        // allows (time 5 after 20) and two reports at one time (lines 7 and 8).
        let arrivals = [(1, 0, 1), (2, 10, 2), (1, 10, 3), (2, 20, 4), (2, 5, 5), (1, 20, 6), (2, 30, 7), (2, 30, 8)];
        for &(mmsi, t, line) in &arrivals {
            w.position(position(mmsi, t * 1000, line));
        }
        assert_eq!(w.buffered(), arrivals.len());
        assert_eq!(w.commit().unwrap().positions, arrivals.len() as u64);
        assert_eq!(w.buffered(), 0);
        // Vessel 1 again, one position per commit: after MERGE_AT small blocks the
        // commit merges them into one.
        for k in 0..MERGE_AT as i64 {
            w.position(position(1, (100 + k) * 1000, 100 + k as u32));
            w.commit().unwrap();
        }
        drop(w);
        let times = |mmsi| -> Vec<(i64, u32)> {
            store.track(mmsi, 0, i64::MAX).unwrap().iter().map(|p| (p.time_ms / 1000, p.provenance.line)).collect()
        };
        assert_eq!(times(2), [(5, 5), (10, 2), (20, 4), (30, 7), (30, 8)]);
        // The block's time range covers the late report, so a window finds it.
        let early: Vec<u32> = store.track(2, 4_000, 6_000).unwrap().iter().map(|p| p.provenance.line).collect();
        assert_eq!(early, [5]);
        let one = times(1);
        assert_eq!(one.len(), 3 + MERGE_AT);
        assert!(one.is_sorted(), "{one:?}");
        let blocks: i64 =
            store.conn.query_row("SELECT count(*) FROM position_blocks WHERE mmsi = 1", [], |r| r.get(0)).unwrap();
        assert!(blocks < 1 + MERGE_AT as i64, "{blocks} blocks: the small ones were merged");
        let latest: Vec<(u32, i64)> = store.latest(None).unwrap().iter().map(|l| (l.mmsi, l.time_ms / 1000)).collect();
        assert_eq!(latest, [(1, 100 + MERGE_AT as i64 - 1), (2, 30)]);
        drop(store);
        std::fs::remove_dir_all(&dir).ok();
    }
}
