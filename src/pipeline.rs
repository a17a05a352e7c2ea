//! The front half every command that reads observations shares: inputs
//! (files, standard input, network feeds) are read and normalised on one
//! thread, batches cross a bounded channel (a slow consumer slows reading
//! rather than growing memory), and the calling thread cleans them
//! (duplicates merged, reorder window) and hands each record, in time order,
//! to a [`Consumer`]: the store writer for `ingest`, the detectors for `detect`.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sealane_core::Label;
use sealane_ingest::clean::{CleanOptions, CleanStats, Cleaned, Cleaner, Origin, Record};
use sealane_ingest::input::{Input, for_each_line};
use sealane_ingest::net::{self, NetSource};
use sealane_ingest::{Format, NormaliseStats, Normaliser};
use sealane_store::{RawChunkBuilder, SealedChunk};

/// Where observations come from and how they are cleaned.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Inputs: file paths, `-`, or network specs (`tcp://`, `tcp-listen://`, `udp://`).
    pub inputs: Vec<String>,
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
    /// Stop network sources after this long.
    pub duration: Option<Duration>,
    /// Draw a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Shown every batch as it is read, before cleaning (`sealane serve`'s live view).
    pub live: Option<LiveHook>,
    /// Set to the number of input lines read so far, batch by batch (a driver that knows
    /// how many lines a feed sent can stop once they are all read).
    pub lines_read: Option<Arc<std::sync::atomic::AtomicU64>>,
}

/// Called on the reading thread with each batch's records as they arrived
/// (duplicates not yet merged, not yet in time order) and the reasons of the
/// lines rejected meanwhile: what a live view shows at once, without waiting
/// out the reorder window or for the store and the detectors.
#[derive(Clone)]
pub struct LiveHook(pub Arc<LiveFn>);

/// The function of a [`LiveHook`]: records, and reasons of rejected lines.
pub type LiveFn = dyn Fn(&[Record], &[&'static str]) + Send + Sync;

impl std::fmt::Debug for LiveHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveHook")
    }
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            inputs: Vec::new(),
            format: Format::Auto,
            label: Label::public_ais(),
            source_name: None,
            tz_offset_min: 0,
            clean: CleanOptions::default(),
            duration: None,
            progress: true,
            live: None,
            lines_read: None,
        }
    }
}

impl SourceConfig {
    /// Each input's source kind (`file`, `stdin`, `network`), source name and display name.
    pub fn describe(&self) -> Vec<(&'static str, String, String)> {
        self.inputs
            .iter()
            .map(|spec| {
                let (kind, default_name) = match NetSource::parse(spec) {
                    Some(n) => ("network", n.name()),
                    None if spec == "-" => ("stdin", "stdin".to_string()),
                    None => ("file", spec.clone()),
                };
                let display = if spec == "-" { "<stdin>".to_string() } else { spec.clone() };
                (kind, self.source_name.clone().unwrap_or(default_name), display)
            })
            .collect()
    }
}

/// What a consumer does with the cleaned stream.
pub trait Consumer {
    /// The command's name, for messages (`sealane ingest: ...`).
    fn name(&self) -> &'static str;
    /// A sealed chunk of the raw log (only when the pipeline keeps one).
    fn chunk(&mut self, _chunk: SealedChunk) -> Result<()> {
        Ok(())
    }
    /// A record, in time order within the reorder window.
    fn record(&mut self, c: Cleaned) -> Result<()>;
    /// The end of a batch: every line through global line `through` has been read,
    /// and `cleaner` holds what is not yet released. `sealed`: every such line is
    /// in a raw chunk already handed to [`Consumer::chunk`] (a commit now can
    /// acknowledge them all); always true without a raw log.
    fn batch_end(&mut self, _through: u64, _sealed: bool, _cleaner: &Cleaner, _inputs: &[(usize, u64)]) -> Result<()> {
        Ok(())
    }
    /// The end of input, after the cleaner has released everything.
    fn finish(&mut self, _through: u64, _cleaner: &Cleaner, _inputs: &[(usize, u64)]) -> Result<()> {
        Ok(())
    }
    /// A short progress message (e.g. "1000 positions, 5000/s").
    fn progress(&self, _elapsed: Duration) -> String {
        String::new()
    }
}

/// Two consumers of one stream: `first` (which keeps the raw log, e.g. the
/// store writer) and `second` (e.g. the detectors), each record to both.
pub struct Both<'a> {
    /// Gets the raw chunks and names the run.
    pub first: &'a mut dyn Consumer,
    /// Gets every record too.
    pub second: &'a mut dyn Consumer,
}

impl Consumer for Both<'_> {
    fn name(&self) -> &'static str {
        self.first.name()
    }
    fn chunk(&mut self, chunk: SealedChunk) -> Result<()> {
        self.first.chunk(chunk)
    }
    fn record(&mut self, c: Cleaned) -> Result<()> {
        self.second.record(c.clone())?;
        self.first.record(c)
    }
    fn batch_end(&mut self, through: u64, sealed: bool, cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        self.first.batch_end(through, sealed, cleaner, inputs)?;
        self.second.batch_end(through, sealed, cleaner, inputs)
    }
    fn finish(&mut self, through: u64, cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        self.first.finish(through, cleaner, inputs)?;
        self.second.finish(through, cleaner, inputs)
    }
    fn progress(&self, elapsed: Duration) -> String {
        format!("{}; {}", self.first.progress(elapsed), self.second.progress(elapsed))
    }
}

/// What the reading and cleaning did.
#[derive(Debug, Clone, Default)]
pub struct PipelineSummary {
    /// Normalisation counts over all inputs.
    pub normalise: NormaliseStats,
    /// Cleaning counts.
    pub clean: CleanStats,
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
    /// Every line through `through` is in a closed raw chunk (always, without a raw log).
    sealed: bool,
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
/// Longest a network line waits on the reading thread before its batch is sent.
const LIVE_BATCH: Duration = Duration::from_millis(20);

struct Reader {
    tx: SyncSender<Msg>,
    /// Emptied record buffers coming back from the cleaning thread, reused so
    /// their pages stay mapped: fresh memory costs a page fault and the
    /// kernel's zeroing per page (a fifth of an ingest's CPU time before
    /// buffers came back).
    recycled: Receiver<Vec<Record>>,
    /// The raw message log, when the consumer keeps one.
    raw: Option<RawChunkBuilder>,
    records: Vec<Record>,
    /// Reasons of the lines rejected since the last batch (for the live hook).
    rejects: Vec<&'static str>,
    live: Option<LiveHook>,
    lines_read: Option<Arc<std::sync::atomic::AtomicU64>>,
    global_line: u64,
    lines_in_batch: usize,
    bytes: u64,
    shown_rejects: u64,
    /// Capacity of a new record buffer: a file batch's worth (growing by
    /// doubling would touch fresh pages at every step), or none for network
    /// batches (small, and hundreds may be in flight).
    records_capacity: usize,
    /// Close the raw chunk with every batch (network feeds and standard input: a
    /// live store commits on time, and can only acknowledge closed chunks). Files
    /// let chunks run to their full length: fewer, larger chunks compress better
    /// and cost less.
    seal_each_batch: bool,
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
        let ((chunk, index), sealed) =
            self.raw.as_mut().map_or(((-1, 0), None), |raw| raw.line(source, input, line_no, bytes));
        if let Some(c) = sealed {
            // A chunk closed mid-batch: send what refers to it first. This line is in
            // the next chunk, so the batch runs through the line before.
            if !self.send(Some(c), self.global_line - 1) {
                return false;
            }
        }
        let origin = Origin { source, chunk, index, line: self.global_line };
        let records = &mut self.records;
        match n.line_with(bytes, arrival_ms, |p| records.push(Record { obs: p.obs, key: p.key, origin })) {
            Ok(()) => {}
            Err(r) => {
                if self.live.is_some() {
                    self.rejects.push(r.reason);
                }
                if self.shown_rejects < 20 {
                    let place =
                        r.offset.map_or(format!("{input}:{line_no}"), |o| format!("{input}:{line_no}:{}", o + 1));
                    let _ = self.tx.send(Msg::Rejected(format!("{place}: {}: {}", r.reason, r.detail)));
                }
                self.shown_rejects += 1;
            }
        }
        self.lines_in_batch += 1;
        if self.lines_in_batch >= BATCH_LINES {
            let c = if self.seal_each_batch { self.seal() } else { None };
            return self.send(c, self.global_line);
        }
        true
    }

    fn seal(&mut self) -> Option<SealedChunk> {
        self.raw.as_mut()?.seal()
    }

    /// Closes the raw chunk and sends the batch: everything read so far.
    fn seal_and_send(&mut self) -> bool {
        let c = self.seal();
        self.send(c, self.global_line)
    }

    /// Sends the batch of lines through global line `through`, with `chunk` when one closed.
    fn send(&mut self, chunk: Option<SealedChunk>, through: u64) -> bool {
        self.lines_in_batch = 0;
        let next = self.recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.records_capacity));
        let records = std::mem::replace(&mut self.records, next);
        if let Some(live) = &self.live {
            (live.0)(&records, &self.rejects);
        }
        self.rejects.clear();
        // A batch that brings a chunk ends where that chunk ends.
        let sealed = chunk.is_some() || self.raw.as_ref().is_none_or(|r| !r.is_open());
        let sent = self.tx.send(Msg::Batch(Batch { chunk, records, through, sealed, bytes: self.bytes })).is_ok();
        if let Some(n) = &self.lines_read {
            n.store(self.global_line, Ordering::Relaxed);
        }
        sent
    }
}

fn read_inputs(
    cfg: &SourceConfig,
    sources: &[u32],
    raw_log: Option<RawLog>,
    tx: SyncSender<Msg>,
    recycled: Receiver<Vec<Record>>,
    stop: Arc<AtomicBool>,
) -> Result<NormaliseStats> {
    let network = cfg.inputs.iter().any(|s| NetSource::parse(s).is_some());
    let mut r = Reader {
        tx: tx.clone(),
        recycled,
        raw: raw_log.map(|l| RawChunkBuilder::with_max_lines(l.first_chunk, l.chunk_lines)),
        records: Vec::new(),
        rejects: Vec::new(),
        live: cfg.live.clone(),
        lines_read: cfg.lines_read.clone(),
        global_line: 0,
        lines_in_batch: 0,
        bytes: 0,
        shown_rejects: 0,
        records_capacity: if network { 0 } else { BATCH_LINES + BATCH_LINES / 8 },
        // Standard input may be a feed piped in: its commits keep a batch's pace.
        seal_each_batch: network || cfg.inputs.iter().any(|s| s == "-"),
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
        if !r.seal_and_send() || stop.load(Ordering::Relaxed) {
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
    let (ltx, lrx) = mpsc::sync_channel(256);
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
        match lrx.recv_timeout(LIVE_BATCH) {
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
        // A live feed moves on time, not only on volume: what arrived reaches
        // live clients within this (the store still commits on its own interval).
        if last_send.elapsed() >= LIVE_BATCH {
            last_send = Instant::now();
            if !r.seal_and_send() {
                break;
            }
        }
    }
    local_stop.store(true, Ordering::Relaxed);
    let _ = handle.join();
    Ok(())
}

/// Where a run's raw message log goes.
#[derive(Debug, Clone, Copy)]
pub struct RawLog {
    /// Id of the first chunk.
    pub first_chunk: i64,
    /// Lines per chunk from files, at most (network feeds close one with every batch).
    pub chunk_lines: u32,
}

/// Reads `cfg`'s inputs (source ids `sources`, one per input), cleans, and feeds
/// `consumer`; keeps a raw log when `raw_log` is given.
/// Progress and diagnostics go to `err`.
pub fn run(
    cfg: &SourceConfig,
    sources: &[u32],
    raw_log: Option<RawLog>,
    consumer: &mut dyn Consumer,
    err: &mut dyn Write,
    stop: Arc<AtomicBool>,
) -> Result<PipelineSummary> {
    if cfg.inputs.is_empty() {
        bail!("no input: give files, `-` for standard input, or tcp:// / tcp-listen:// / udp:// feeds");
    }
    let started = Instant::now();
    let total_bytes: Option<u64> =
        cfg.inputs.iter().map(|s| if NetSource::parse(s).is_some() { None } else { Input::from_arg(s).size() }).sum();
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
    // File batches are large (16 K lines): a few in flight keep both threads busy.
    // Network batches are small (20 ms): enough of them to ride out a slow store
    // commit without holding up what the reader publishes live.
    let live = cfg.inputs.iter().any(|s| NetSource::parse(s).is_some());
    let (tx, rx) = mpsc::sync_channel::<Msg>(if live { 256 } else { 8 });
    // Room for every buffer in existence (at most the batches in flight and the
    // two being worked on), so none is ever dropped and allocated again.
    let (recycle_tx, recycle_rx) = mpsc::sync_channel::<Vec<Record>>(if live { 260 } else { 12 });
    let from_reader = FromReader { batches: rx, recycle: recycle_tx };
    let cfg2 = cfg.clone();
    let sources2 = sources.to_vec();
    let stop2 = stop.clone();
    let reader = std::thread::Builder::new()
        .name("ingest-reader".into())
        .spawn(move || {
            let r = read_inputs(&cfg2, &sources2, raw_log, tx.clone(), recycle_rx, stop2);
            let _ = tx.send(Msg::Done(r));
        })
        .context("starting the reader thread")?;
    let mut summary = PipelineSummary::default();
    let result = clean_loop(cfg, &from_reader, consumer, &bar, err, &mut summary);
    drop(from_reader);
    let _ = reader.join();
    bar.finish_and_clear();
    result?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The cleaning thread's end of the link with the reader.
struct FromReader {
    batches: Receiver<Msg>,
    /// Emptied record buffers going back.
    recycle: SyncSender<Vec<Record>>,
}

fn clean_loop(
    cfg: &SourceConfig,
    from_reader: &FromReader,
    consumer: &mut dyn Consumer,
    bar: &ProgressBar,
    err: &mut dyn Write,
    summary: &mut PipelineSummary,
) -> Result<()> {
    let mut cleaner = Cleaner::new(cfg.clean);
    let mut released: Vec<Cleaned> = Vec::new();
    // A network feed that has sent nothing for as long as the reorder window will not
    // reorder what it sent: its held records are released (and so committed, and
    // judged by the detectors) rather than waiting for its next burst. Satellite AIS
    // arrives pass by pass, an hour or more apart.
    let network = cfg.inputs.iter().any(|s| NetSource::parse(s).is_some());
    let quiet_after = Duration::from_millis(cfg.clean.window_ms.max(0) as u64);
    let mut last_record = Instant::now();
    let mut input_starts: Vec<(usize, u64)> = Vec::new();
    let mut through = 0u64;
    let started = Instant::now();
    let mut last_shown = Instant::now();
    let mut normalise = None;
    let mut shown = 0u64;
    let name = consumer.name();
    loop {
        let Ok(msg) = from_reader.batches.recv() else { break };
        match msg {
            Msg::InputStart(i, start) => input_starts.push((i, start)),
            Msg::Rejected(s) => {
                if shown < 20 {
                    bar.suspend(|| writeln!(err, "sealane {name}: {s}")).ok();
                } else if shown == 20 {
                    bar.suspend(|| writeln!(err, "sealane {name}: further rejected lines are counted, not shown")).ok();
                }
                shown += 1;
            }
            Msg::Event(s) => {
                bar.suspend(|| writeln!(err, "sealane {name}: {s}")).ok();
            }
            Msg::Batch(b) => {
                if let Some(c) = b.chunk {
                    consumer.chunk(c)?;
                }
                through = b.through;
                summary.bytes = b.bytes;
                let mut records = b.records;
                if !records.is_empty() {
                    last_record = Instant::now();
                }
                for r in records.drain(..) {
                    cleaner.push(r, &mut released);
                }
                if network && cleaner.held() > 0 && last_record.elapsed() >= quiet_after {
                    cleaner.release_held(&mut released);
                }
                let _ = from_reader.recycle.try_send(records);
                for c in released.drain(..) {
                    consumer.record(c)?;
                }
                consumer.batch_end(through, b.sealed, &cleaner, &input_starts)?;
                bar.set_position(b.bytes);
                if last_shown.elapsed() >= Duration::from_millis(250) {
                    last_shown = Instant::now();
                    bar.set_message(consumer.progress(started.elapsed()));
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
        consumer.record(c)?;
    }
    consumer.finish(through, &cleaner, &input_starts)?;
    summary.clean = cleaner.stats();
    summary.normalise = normalise.unwrap_or_default();
    Ok(())
}
