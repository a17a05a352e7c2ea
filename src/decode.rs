//! `sealane decode`: NMEA in, gpsd-compatible JSON lines out, a summary on stderr.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use sealane_ais::decoder::REASONS;
use std::sync::mpsc;

use sealane_ais::{Decoded, Decoder, Options, Stats};

use crate::gpsd::GpsdWriter;
use sealane_ingest::input::{Input, for_each_line};

/// Settings of one `decode` run.
#[derive(Debug, Clone)]
pub struct DecodeConfig {
    /// Scaled values (`gpsdecode -j`) rather than raw integers (`-u -j`).
    pub scaled: bool,
    /// Strict decoding (see [`sealane_ais::Options::strict`]).
    pub strict: bool,
    /// How many rejected lines to describe on stderr (all are counted).
    pub show_errors: u64,
    /// Add receive time, station and channel to each object.
    pub meta: bool,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig { scaled: true, strict: false, show_errors: 20, meta: false }
    }
}

/// Messages handed from the decoding thread to the formatting thread at a time.
const BATCH: usize = 4096;

/// Work for the formatting thread.
enum Work {
    /// A new input starts: forget state carried between messages.
    Reset,
    /// Decoded messages with the line that completed each.
    Batch(Vec<(u64, Decoded)>),
}

/// Decodes every input in turn, writing JSON lines to `out` and diagnostics to `err`.
/// Each input starts with fresh reassembly state. Returns the combined counts.
///
/// Two threads share the work: this one reads and decodes, a second formats
/// and writes. Batches travel over a bounded channel (so memory stays bounded
/// when the output is slow) and come back empty to be reused.
pub fn run(inputs: &[Input], cfg: &DecodeConfig, out: &mut (dyn Write + Send), err: &mut dyn Write) -> Result<Stats> {
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(4);
    let (free_tx, free_rx) = mpsc::channel::<Vec<(u64, Decoded)>>();
    let (scaled, meta) = (cfg.scaled, cfg.meta);
    std::thread::scope(|scope| {
        let formatter = scope.spawn(move || -> std::io::Result<()> {
            let mut writer = GpsdWriter::new(scaled).with_meta(meta);
            let mut buf: Vec<u8> = Vec::with_capacity(1 << 21);
            for work in work_rx {
                match work {
                    Work::Reset => writer.reset(),
                    Work::Batch(mut batch) => {
                        for (line, d) in &batch {
                            writer.write(d, *line, &mut buf);
                        }
                        if buf.len() >= 1 << 20 {
                            // On error the receiver is dropped, which stops the decoding thread.
                            out.write_all(&buf)?;
                            buf.clear();
                        }
                        batch.clear();
                        let _ = free_tx.send(batch);
                    }
                }
            }
            out.write_all(&buf)?;
            out.flush()
        });
        let decoded = decode_inputs(inputs, cfg, err, &work_tx, &free_rx);
        drop(work_tx);
        let written = formatter.join().unwrap_or_else(|_| Err(std::io::Error::other("formatting thread panicked")));
        let stats = decoded?;
        match written {
            Ok(()) => Ok(stats),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(stats),
            Err(e) => Err(e).context("writing output"),
        }
    })
}

fn decode_inputs(
    inputs: &[Input],
    cfg: &DecodeConfig,
    err: &mut dyn Write,
    work: &mpsc::SyncSender<Work>,
    free: &mpsc::Receiver<Vec<(u64, Decoded)>>,
) -> Result<Stats> {
    let mut total = Stats::default();
    let mut shown = 0u64;
    let mut batch: Vec<(u64, Decoded)> = Vec::with_capacity(BATCH);
    for input in inputs {
        let name = input.name();
        let reader = input.open()?;
        let mut decoder = Decoder::new(Options { strict: cfg.strict, ..Options::default() });
        if work.send(Work::Reset).is_err() {
            break;
        }
        let mut closed = false;
        for_each_line(reader, |line_no, line| match decoder.feed(line) {
            Ok(Some(d)) => {
                batch.push((line_no, *d));
                if batch.len() == BATCH {
                    let next = free.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH));
                    // A closed channel means the output is gone (e.g. `| head`): stop reading.
                    closed = work.send(Work::Batch(std::mem::replace(&mut batch, next))).is_err();
                }
                !closed
            }
            Ok(None) => true,
            Err(e) => {
                if shown < cfg.show_errors {
                    let place = match e.offset {
                        Some(o) => format!("{name}:{line_no}:{}", o + 1),
                        None => format!("{name}:{line_no}"),
                    };
                    let _ = writeln!(err, "sealane decode: {place}: {}: {e}", e.kind.reason());
                } else if shown == cfg.show_errors && cfg.show_errors > 0 {
                    let _ = writeln!(
                        err,
                        "sealane decode: further rejected lines are counted, not shown (--show-errors N)"
                    );
                }
                shown += 1;
                true
            }
        })
        .with_context(|| format!("reading {name}"))?;
        decoder.finish();
        total.merge(decoder.stats());
        if closed {
            break;
        }
        if !batch.is_empty() {
            let next = free.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH));
            let _ = work.send(Work::Batch(std::mem::replace(&mut batch, next)));
        }
    }
    Ok(total)
}

/// Writes the end-of-run summary: messages by type, rejections and repairs by reason.
pub fn write_summary(err: &mut dyn Write, stats: &Stats, inputs: usize, started: Instant) -> std::io::Result<()> {
    let secs = started.elapsed().as_secs_f64();
    writeln!(
        err,
        "sealane decode: {} messages from {} lines ({} AIS sentences, {} other lines) in {} input{}, {:.2} s",
        stats.messages(),
        stats.lines,
        stats.sentences,
        stats.ignored,
        inputs,
        if inputs == 1 { "" } else { "s" },
        secs
    )?;
    let by_type: Vec<String> =
        stats.by_type.iter().enumerate().filter(|(_, n)| **n > 0).map(|(t, n)| format!("{t}:{n}")).collect();
    if !by_type.is_empty() {
        writeln!(err, "  messages by type: {}", by_type.join(" "))?;
    }
    let rejected: Vec<String> = stats.errors_by_reason().map(|(r, n)| format!("{r}:{n}")).collect();
    writeln!(
        err,
        "  rejected: {}{}{}",
        stats.rejected(),
        if rejected.is_empty() { "" } else { " — " },
        rejected.join(" ")
    )?;
    let names = ["short_payload", "long_payload", "no_checksum", "bad_tag_block", "fill_bits"];
    let repaired: Vec<String> =
        names.iter().zip(stats.repairs.iter()).filter(|(_, n)| **n > 0).map(|(r, n)| format!("{r}:{n}")).collect();
    if !repaired.is_empty() {
        writeln!(err, "  kept with repairs: {}", repaired.join(" "))?;
    }
    debug_assert_eq!(REASONS.len(), stats.errors.len());
    Ok(())
}
