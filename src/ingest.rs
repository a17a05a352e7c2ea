//! `sealane ingest`: files, standard input or network feeds into a store.
//!
//! One thread reads and normalises (NMEA decoding or CSV parsing) and builds
//! the compressed raw log; the calling thread cleans (duplicates, reorder
//! window) and writes, committing in batches. Batches cross a bounded
//! channel, so a slow disk slows reading rather than growing memory. After
//! each commit an acknowledgement names the input line through which every
//! record is durable.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sealane_core::{Label, Observation};
use sealane_ingest::clean::{CleanOptions, CleanStats, Cleaned, Cleaner, Origin, Record};
use sealane_ingest::input::{Input, for_each_line};
use sealane_ingest::net::{self, NetSource};
use sealane_ingest::{Format, NormaliseStats, Normaliser};
use sealane_store::{Provenance, RawChunkBuilder, SealedChunk, Store, StoredPosition};

/// Settings of one `ingest` run.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Inputs: file paths, `-`, or network specs (`tcp://`, `tcp-listen://`, `udp://`).
    pub inputs: Vec<String>,
    /// The store file.
    pub store: PathBuf,
    /// Input format.
    pub format: Format,
    /// Label of the records (per source; all inputs of a run share it).
    pub label: Label,
    /// Source name; defaults to each input's name.
    pub source_name: Option<String>,
    /// Offset of CSV local times from UTC, minutes.
    pub tz_offset_min: i64,
    /// Cleaning windows.
    pub clean: CleanOptions,
    /// Commit after this many positions are buffered.
    pub commit_positions: usize,
    /// ... or this long after the previous commit (network sources).
    pub commit_interval: Duration,
    /// Where to write acknowledgements (JSON lines), if anywhere.
    pub acks: Option<PathBuf>,
    /// Stop network sources after this long.
    pub duration: Option<Duration>,
    /// Draw a progress bar when stderr is a terminal.
    pub progress: bool,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            inputs: Vec::new(),
            store: PathBuf::new(),
            format: Format::Auto,
            label: Label::public_ais(),
            source_name: None,
            tz_offset_min: 0,
            clean: CleanOptions::default(),
            commit_positions: 1 << 20,
            commit_interval: Duration::from_secs(1),
            acks: None,
            duration: None,
            progress: true,
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

/// One batch from the reading thread.
struct Batch {
    chunk: Option<SealedChunk>,
    records: Vec<Record>,
    /// Highest global line number read so far.
    through: u64,
    bytes: u64,
}

enum Msg {
    Batch(Batch),
    /// An input was opened: its name and first global line.
    InputStart(usize, u64),
    Rejected(String),
    Event(String),
    Done(Result<NormaliseStats>),
}

const BATCH_LINES: usize = 16 * 1024;

struct Reader {
    tx: SyncSender<Msg>,
    raw: RawChunkBuilder,
    records: Vec<Record>,
    parsed: Vec<sealane_ingest::Parsed>,
    global_line: u64,
    lines_in_batch: usize,
    bytes: u64,
    shown_rejects: u64,
}

impl Reader {
    fn line(
        &mut self,
        n: &mut Normaliser,
        source: u32,
        input: &str,
        line_no: u64,
        bytes: &[u8],
        arrival_ms: i64,
    ) -> bool {
        self.global_line += 1;
        let ((chunk, index), sealed) = self.raw.line(source, input, line_no, bytes);
        if let Some(c) = sealed {
            // A chunk closed mid-batch: send what refers to it first.
            if !self.send(Some(c)) {
                return false;
            }
        }
        self.parsed.clear();
        match n.line(bytes, arrival_ms, &mut self.parsed) {
            Ok(()) => {}
            Err(r) => {
                if self.shown_rejects < 20 {
                    let place =
                        r.offset.map_or(format!("{input}:{line_no}"), |o| format!("{input}:{line_no}:{}", o + 1));
                    let _ = self.tx.send(Msg::Rejected(format!("{place}: {}: {}", r.reason, r.detail)));
                }
                self.shown_rejects += 1;
            }
        }
        let origin = Origin { source, chunk, index, line: self.global_line };
        for p in self.parsed.drain(..) {
            self.records.push(Record { obs: p.obs, key: p.key, origin });
        }
        self.lines_in_batch += 1;
        if self.lines_in_batch >= BATCH_LINES {
            let c = self.raw.seal();
            return self.send(c);
        }
        true
    }

    fn send(&mut self, chunk: Option<SealedChunk>) -> bool {
        self.lines_in_batch = 0;
        let records = std::mem::take(&mut self.records);
        self.tx.send(Msg::Batch(Batch { chunk, records, through: self.global_line, bytes: self.bytes })).is_ok()
    }
}

fn read_inputs(
    cfg: &IngestConfig,
    sources: &[u32],
    first_chunk: i64,
    tx: SyncSender<Msg>,
    stop: Arc<AtomicBool>,
) -> Result<NormaliseStats> {
    let mut r = Reader {
        tx: tx.clone(),
        raw: RawChunkBuilder::new(first_chunk),
        records: Vec::new(),
        parsed: Vec::new(),
        global_line: 0,
        lines_in_batch: 0,
        bytes: 0,
        shown_rejects: 0,
    };
    let mut total = NormaliseStats::default();
    for (i, spec) in cfg.inputs.iter().enumerate() {
        let _ = tx.send(Msg::InputStart(i, r.global_line + 1));
        let mut n = Normaliser::new(cfg.format, cfg.tz_offset_min);
        if let Some(netsrc) = NetSource::parse(spec) {
            read_network(&mut r, &mut n, sources[i], netsrc, cfg.duration, &stop)?;
        } else {
            let input = Input::from_arg(spec);
            let name = input.name();
            let reader = input.open()?;
            let arrival = net::now_ms();
            let mut ok = true;
            let read = for_each_line(reader, |line_no, bytes| {
                r.bytes += bytes.len() as u64 + 1;
                ok = !stop.load(Ordering::Relaxed) && r.line(&mut n, sources[i], &name, line_no, bytes, arrival);
                ok
            })
            .with_context(|| format!("reading {name}"))?;
            let _ = read;
        }
        n.finish();
        total.merge(n.stats());
        let c = r.raw.seal();
        if !r.send(c) || stop.load(Ordering::Relaxed) {
            break;
        }
    }
    Ok(total)
}

fn read_network(
    r: &mut Reader,
    n: &mut Normaliser,
    source: u32,
    src: NetSource,
    duration: Option<Duration>,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let name = src.name();
    let (ltx, lrx) = mpsc::sync_channel(64);
    let (etx, erx) = mpsc::sync_channel(256);
    let local_stop = Arc::new(AtomicBool::new(false));
    let handle = net::spawn(src, ltx, etx, local_stop.clone()).with_context(|| format!("starting {name}"))?;
    let started = Instant::now();
    let mut line_no = 0u64;
    let mut last_send = Instant::now();
    while !stop.load(Ordering::Relaxed) && duration.is_none_or(|d| started.elapsed() < d) {
        for e in erx.try_iter() {
            let _ = r.tx.send(Msg::Event(format!("{}: {}", e.source, e.what)));
        }
        match lrx.recv_timeout(Duration::from_millis(200)) {
            Ok(lines) => {
                for l in lines {
                    line_no += 1;
                    r.bytes += l.bytes.len() as u64 + 1;
                    if !r.line(n, source, &name, line_no, &l.bytes, l.arrival_ms) {
                        local_stop.store(true, Ordering::Relaxed);
                        return Ok(());
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        // A live feed commits on time, not only on volume.
        if last_send.elapsed() >= Duration::from_millis(500) {
            last_send = Instant::now();
            let c = r.raw.seal();
            if !r.send(c) {
                break;
            }
        }
    }
    local_stop.store(true, Ordering::Relaxed);
    let _ = handle.join();
    Ok(())
}

/// Runs an ingest. Progress and diagnostics go to `err`; the summary is returned.
pub fn run(cfg: &IngestConfig, err: &mut dyn Write, stop: Arc<AtomicBool>) -> Result<IngestSummary> {
    if cfg.inputs.is_empty() {
        bail!("no input: give files, `-` for standard input, or tcp:// / tcp-listen:// / udp:// feeds");
    }
    let started = Instant::now();
    let mut store = Store::open(&cfg.store).with_context(|| format!("opening store {}", cfg.store.display()))?;
    let mut sources = Vec::new();
    let mut names = Vec::new();
    for spec in &cfg.inputs {
        let (kind, default_name) = match NetSource::parse(spec) {
            Some(n) => ("network", n.name()),
            None if spec == "-" => ("stdin", "stdin".to_string()),
            None => ("file", spec.clone()),
        };
        let name = cfg.source_name.clone().unwrap_or(default_name);
        sources.push(store.source(&name, kind, &cfg.label)?);
        names.push(if spec == "-" { "<stdin>".to_string() } else { spec.clone() });
    }
    let first_chunk = store.next_chunk_id()?;
    let total_bytes: Option<u64> =
        cfg.inputs.iter().map(|s| if NetSource::parse(s).is_some() { None } else { Input::from_arg(s).size() }).sum();

    let mut acks: Option<Box<dyn Write>> = match &cfg.acks {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(std::io::stdout())),
        Some(p) => Some(Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)),
    };
    let bar = if cfg.progress {
        let b = ProgressBar::with_draw_target(total_bytes, ProgressDrawTarget::stderr_with_hz(4));
        let style = if total_bytes.is_some() {
            "{spinner} {bytes}/{total_bytes} {bar:30} {msg} ETA {eta}"
        } else {
            "{spinner} {bytes} read, {msg}, {elapsed}"
        };
        b.set_style(ProgressStyle::with_template(style).unwrap_or_else(|_| ProgressStyle::default_bar()));
        b
    } else {
        ProgressBar::hidden()
    };

    let (tx, rx) = mpsc::sync_channel::<Msg>(8);
    let mut summary = IngestSummary::default();
    let cfg2 = cfg.clone();
    let sources2 = sources.clone();
    let stop2 = stop.clone();
    let reader = std::thread::Builder::new()
        .name("ingest-reader".into())
        .spawn(move || {
            let r = read_inputs(&cfg2, &sources2, first_chunk, tx.clone(), stop2);
            let _ = tx.send(Msg::Done(r));
        })
        .context("starting the reader thread")?;
    let result = write_loop(&mut store, cfg, &rx, &names, &mut acks, &bar, err, &mut summary);
    drop(rx);
    let _ = reader.join();
    bar.finish_and_clear();
    result?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn write_loop(
    store: &mut Store,
    cfg: &IngestConfig,
    rx: &Receiver<Msg>,
    names: &[String],
    acks: &mut Option<Box<dyn Write>>,
    bar: &ProgressBar,
    err: &mut dyn Write,
    summary: &mut IngestSummary,
) -> Result<()> {
    let mut writer = store.writer()?;
    let mut cleaner = Cleaner::new(cfg.clean);
    let mut released: Vec<Cleaned> = Vec::new();
    let mut vessels: HashSet<u32> = HashSet::new();
    let mut input_starts: Vec<(usize, u64)> = Vec::new();
    let mut through = 0u64;
    let mut last_commit = Instant::now();
    let mut last_positions_shown = 0u64;
    let started = Instant::now();
    let mut normalise = None;
    let mut shown = 0u64;

    let commit = |writer: &mut sealane_store::Writer<'_>,
                  cleaner: &Cleaner,
                  through: u64,
                  input_starts: &[(usize, u64)],
                  summary: &mut IngestSummary,
                  acks: &mut Option<Box<dyn Write>>|
     -> Result<()> {
        let report = writer.commit()?;
        summary.commits += 1;
        summary.raw_lines += report.raw_lines;
        // Everything from lines before the oldest record still held is now durable.
        let safe = cleaner.oldest_held_line().map_or(through, |l| l - 1).min(through);
        if let Some(a) = acks.as_mut() {
            if let Some(&(i, start)) = input_starts.iter().rev().find(|(_, s)| *s <= safe.max(1)) {
                writeln!(
                    a,
                    "{{\"input\":{:?},\"through_line\":{},\"positions\":{},\"identities\":{}}}",
                    names[i],
                    safe + 1 - start,
                    summary.positions,
                    summary.identities
                )?;
                a.flush()?;
            }
        }
        Ok(())
    };

    loop {
        let msg = match rx.recv() {
            Ok(m) => m,
            Err(_) => break,
        };
        match msg {
            Msg::InputStart(i, start) => input_starts.push((i, start)),
            Msg::Rejected(s) => {
                if shown < 20 {
                    bar.suspend(|| writeln!(err, "sealane ingest: {s}")).ok();
                } else if shown == 20 {
                    bar.suspend(|| writeln!(err, "sealane ingest: further rejected lines are counted, not shown")).ok();
                }
                shown += 1;
            }
            Msg::Event(s) => {
                bar.suspend(|| writeln!(err, "sealane ingest: {s}")).ok();
            }
            Msg::Batch(b) => {
                if let Some(c) = b.chunk {
                    writer.add_chunk(c);
                }
                through = b.through;
                summary.bytes = b.bytes;
                for r in b.records {
                    cleaner.push(r, &mut released);
                }
                for c in released.drain(..) {
                    write_record(&mut writer, c, &mut vessels, summary)?;
                }
                if writer.buffered() >= cfg.commit_positions || last_commit.elapsed() >= cfg.commit_interval {
                    commit(&mut writer, &cleaner, through, &input_starts, summary, acks)?;
                    last_commit = Instant::now();
                }
                bar.set_position(b.bytes);
                if summary.positions != last_positions_shown {
                    last_positions_shown = summary.positions;
                    let rate = summary.positions as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    bar.set_message(format!("{} positions, {:.0}/s", summary.positions, rate));
                }
            }
            Msg::Done(r) => {
                normalise = Some(r?);
                break;
            }
        }
    }
    cleaner.flush(&mut released);
    for c in released.drain(..) {
        write_record(&mut writer, c, &mut vessels, summary)?;
    }
    commit(&mut writer, &cleaner, through, &input_starts, summary, acks)?;
    summary.clean = cleaner.stats();
    summary.vessels = vessels.len() as u64;
    summary.normalise = normalise.unwrap_or_default();
    Ok(())
}

fn write_record(
    writer: &mut sealane_store::Writer<'_>,
    c: Cleaned,
    vessels: &mut HashSet<u32>,
    summary: &mut IngestSummary,
) -> Result<()> {
    let o = c.record.origin;
    let provenance = Provenance { source: o.source, chunk: o.chunk, line: o.index };
    match &c.record.obs {
        Observation::Position(p) => {
            let mut sp = StoredPosition::from_position(p, provenance);
            sp.also = c.also.iter().map(|a| Provenance { source: a.source, chunk: a.chunk, line: a.index }).collect();
            vessels.insert(p.mmsi);
            writer.position(sp);
            summary.positions += 1;
        }
        Observation::Identity(i) => {
            writer.identity(i, o.source)?;
            summary.identities += 1;
        }
    }
    Ok(())
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
