//! `sealane ingest`: files, standard input or network feeds into a store.
//!
//! The shared [`pipeline`](crate::pipeline) reads, normalises and cleans on
//! two threads and also builds the compressed raw log; this consumer writes
//! records to the store and commits in batches. After each commit an
//! acknowledgement names the input line through which every record is durable.

use sealane_core::hash::FxHashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sealane_core::Observation;
use sealane_ingest::NormaliseStats;
use sealane_ingest::clean::{CleanStats, Cleaned, Cleaner};
use sealane_store::{Provenance, SealedChunk, Store, StoredPosition};

use crate::pipeline::{self, Consumer, SourceConfig};

/// Settings of one `ingest` run.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Inputs and cleaning.
    pub source: SourceConfig,
    /// The store file.
    pub store: PathBuf,
    /// Commit after this many positions are buffered.
    pub commit_positions: usize,
    /// ... or this long after the previous commit (network sources).
    pub commit_interval: Duration,
    /// Where to write acknowledgements (JSON lines), if anywhere.
    pub acks: Option<PathBuf>,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            source: SourceConfig::default(),
            store: PathBuf::new(),
            commit_positions: 1 << 17,
            commit_interval: Duration::from_secs(1),
            acks: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct IngestSummary {
    /// Normalisation counts over all inputs.
    pub normalise: NormaliseStats,
    /// Cleaning counts.
    pub clean: CleanStats,
    /// Positions written.
    pub positions: u64,
    /// Identity reports written.
    pub identities: u64,
    /// Distinct vessels with positions in this run.
    pub vessels: u64,
    /// Raw lines logged.
    pub raw_lines: u64,
    /// Commits.
    pub commits: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
}

struct StoreWriter<'s> {
    writer: sealane_store::Writer<'s>,
    cfg: &'s IngestConfig,
    names: Vec<String>,
    acks: Option<Box<dyn Write>>,
    vessels: FxHashSet<u32>,
    summary: IngestSummary,
    last_commit: Instant,
}

impl StoreWriter<'_> {
    fn commit(&mut self, through: u64, cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        // Once per vessel per commit rather than once per position.
        self.vessels.extend(self.writer.pending_vessels());
        let report = self.writer.commit()?;
        self.summary.commits += 1;
        self.summary.raw_lines += report.raw_lines;
        self.last_commit = Instant::now();
        // Everything from lines before the oldest record still held is now durable.
        let safe = cleaner.oldest_held_line().map_or(through, |l| l - 1).min(through);
        if let Some(a) = self.acks.as_mut() {
            if let Some(&(i, start)) = inputs.iter().rev().find(|(_, s)| *s <= safe.max(1)) {
                writeln!(
                    a,
                    "{{\"input\":{:?},\"through_line\":{},\"positions\":{},\"identities\":{}}}",
                    self.names[i],
                    safe + 1 - start,
                    self.summary.positions,
                    self.summary.identities
                )?;
                a.flush()?;
            }
        }
        Ok(())
    }
}

impl Consumer for StoreWriter<'_> {
    fn name(&self) -> &'static str {
        "ingest"
    }

    fn chunk(&mut self, chunk: SealedChunk) -> Result<()> {
        self.writer.add_chunk(chunk);
        Ok(())
    }

    fn record(&mut self, c: Cleaned) -> Result<()> {
        let o = c.record.origin;
        let provenance = Provenance { source: o.source, chunk: o.chunk, line: o.index };
        match &c.record.obs {
            Observation::Position(p) => {
                let mut sp = StoredPosition::from_position(p, provenance);
                sp.also =
                    c.also.iter().map(|a| Provenance { source: a.source, chunk: a.chunk, line: a.index }).collect();
                self.writer.position(sp);
                self.summary.positions += 1;
            }
            Observation::Identity(i) => {
                self.writer.identity(i, o.source)?;
                self.summary.identities += 1;
            }
        }
        Ok(())
    }

    fn batch_end(&mut self, through: u64, sealed: bool, cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        // A commit acknowledges lines whose raw chunk it writes, so it waits for a closed one.
        if sealed
            && (self.writer.buffered() >= self.cfg.commit_positions
                || self.last_commit.elapsed() >= self.cfg.commit_interval)
        {
            self.commit(through, cleaner, inputs)?;
        }
        Ok(())
    }

    fn finish(&mut self, through: u64, cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        self.commit(through, cleaner, inputs)
    }

    fn progress(&self, elapsed: Duration) -> String {
        let rate = self.summary.positions as f64 / elapsed.as_secs_f64().max(1e-3);
        format!("{} positions, {:.0}/s", self.summary.positions, rate)
    }
}

/// Runs an ingest. Progress and diagnostics go to `err`; the summary is returned.
pub fn run(cfg: &IngestConfig, err: &mut dyn Write, stop: Arc<AtomicBool>) -> Result<IngestSummary> {
    run_with(cfg, err, stop, None)
}

/// Runs an ingest that also hands every record to `also` (the detectors of a
/// live run), after the store writer has seen it.
pub fn run_with(
    cfg: &IngestConfig,
    err: &mut dyn Write,
    stop: Arc<AtomicBool>,
    also: Option<&mut dyn Consumer>,
) -> Result<IngestSummary> {
    let mut store = Store::open(&cfg.store).with_context(|| format!("opening store {}", cfg.store.display()))?;
    let mut sources = Vec::new();
    let mut names = Vec::new();
    for (kind, name, display) in cfg.source.describe() {
        sources.push(store.source(&name, kind, &cfg.source.label)?);
        names.push(display);
    }
    // Chunks no longer than the commit spacing, so each commit finds a closed one.
    let raw_log = pipeline::RawLog {
        first_chunk: store.next_chunk_id()?,
        // (The builder caps chunks at its own maximum, 64 K lines.)
        chunk_lines: cfg.commit_positions.clamp(1024, u32::MAX as usize) as u32,
    };
    let acks: Option<Box<dyn Write>> = match &cfg.acks {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(std::io::stdout())),
        Some(p) => Some(Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)),
    };
    let writer = store.writer()?;
    let mut w = StoreWriter {
        writer,
        cfg,
        names,
        acks,
        vessels: FxHashSet::default(),
        summary: IngestSummary::default(),
        last_commit: Instant::now(),
    };
    let p = match also {
        Some(second) => {
            let mut both = pipeline::Both { first: &mut w, second };
            pipeline::run(&cfg.source, &sources, Some(raw_log), &mut both, err, stop)?
        }
        None => pipeline::run(&cfg.source, &sources, Some(raw_log), &mut w, err, stop)?,
    };
    let mut summary = w.summary;
    summary.vessels = w.vessels.len() as u64;
    summary.normalise = p.normalise;
    summary.clean = p.clean;
    summary.bytes = p.bytes;
    summary.elapsed = p.elapsed;
    Ok(summary)
}

/// Writes the end-of-run summary.
pub fn write_summary(err: &mut dyn Write, s: &IngestSummary, store: &Store) -> Result<()> {
    let n = &s.normalise;
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    writeln!(
        err,
        "sealane ingest: {} lines, {} messages ({:.0}/s) in {:.2} s: {} positions, {} static reports, {} vessels, {} duplicates merged",
        n.lines,
        n.messages,
        n.messages as f64 / secs,
        secs,
        s.positions,
        s.identities,
        s.vessels,
        s.clean.duplicates
    )?;
    writeln!(
        err,
        "  other lines: {}, sentences held for multi-sentence messages: {}, messages without position or identity: {}",
        n.other_lines, n.fragments, n.without_observation
    )?;
    let rejects: Vec<String> = n.rejects.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    writeln!(err, "  rejected: {}{}{}", n.rejected(), if rejects.is_empty() { "" } else { " — " }, rejects.join(" "))?;
    if s.clean.late_duplicates > 0 || s.clean.out_of_order > 0 {
        writeln!(
            err,
            "  late duplicates dropped: {}, released out of time order: {}",
            s.clean.late_duplicates, s.clean.out_of_order
        )?;
    }
    let st = store.stats()?;
    writeln!(
        err,
        "  store {}: {} positions in {} blocks, {} vessels, {} identity rows, {} raw lines; {:.1} MB",
        store.path().display(),
        st.positions,
        st.blocks,
        st.vessels,
        st.identity_rows,
        st.raw_lines,
        st.file_bytes as f64 / 1e6
    )?;
    Ok(())
}
