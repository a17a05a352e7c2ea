//! `sealane decode`: NMEA in, gpsd-compatible JSON lines out, a summary on stderr.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use sealane_ais::decoder::REASONS;
use sealane_ais::{Decoder, Options, Stats};

use crate::gpsd::GpsdWriter;
use crate::input::{Input, for_each_line};

/// Settings of one `decode` run.
#[derive(Debug, Clone)]
pub struct DecodeConfig {
    /// Scaled values (`gpsdecode -j`) rather than raw integers (`-u -j`).
    pub scaled: bool,
    /// Strict decoding (see [`sealane_ais::Options::strict`]).
    pub strict: bool,
    /// How many rejected lines to describe on stderr (all are counted).
    pub show_errors: u64,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            scaled: true,
            strict: false,
            show_errors: 20,
        }
    }
}

/// Decodes every input in turn, writing JSON lines to `out` and diagnostics to `err`.
/// Each input starts with fresh reassembly state. Returns the combined counts.
pub fn run(
    inputs: &[Input],
    cfg: &DecodeConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Stats> {
    let mut total = Stats::default();
    let mut shown = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 21);
    let mut writer = GpsdWriter::new(cfg.scaled);
    let mut write_failed: Option<std::io::Error> = None;
    for input in inputs {
        let name = input.name();
        let reader = input.open()?;
        let mut decoder = Decoder::new(Options {
            strict: cfg.strict,
            ..Options::default()
        });
        writer.reset();
        for_each_line(reader, |line_no, line| {
            if write_failed.is_some() {
                return;
            }
            match decoder.feed(line) {
                Ok(Some(d)) => {
                    writer.write(d, line_no, &mut buf);
                    if buf.len() >= 1 << 20 {
                        if let Err(e) = out.write_all(&buf) {
                            write_failed = Some(e);
                        }
                        buf.clear();
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    if shown < cfg.show_errors {
                        let place = match e.offset {
                            Some(o) => format!("{name}:{line_no}:{}", o + 1),
                            None => format!("{name}:{line_no}"),
                        };
                        let _ = writeln!(err, "sealane decode: {place}: {}: {e}", e.kind.reason());
                    } else if shown == cfg.show_errors && cfg.show_errors > 0 {
                        let _ = writeln!(err, "sealane decode: further rejected lines are counted, not shown (--show-errors N)");
                    }
                    shown += 1;
                }
            }
        })
        .with_context(|| format!("reading {name}"))?;
        decoder.finish();
        total.merge(decoder.stats());
        if let Some(e) = write_failed.take() {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(total);
            }
            return Err(e).context("writing output");
        }
    }
    if let Err(e) = out.write_all(&buf).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("writing output");
        }
    }
    Ok(total)
}

/// Writes the end-of-run summary: messages by type, rejections and repairs by reason.
pub fn write_summary(
    err: &mut dyn Write,
    stats: &Stats,
    inputs: usize,
    started: Instant,
) -> std::io::Result<()> {
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
    let by_type: Vec<String> = stats
        .by_type
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{t}:{n}"))
        .collect();
    if !by_type.is_empty() {
        writeln!(err, "  messages by type: {}", by_type.join(" "))?;
    }
    let rejected: Vec<String> = stats
        .errors_by_reason()
        .map(|(r, n)| format!("{r}:{n}"))
        .collect();
    writeln!(
        err,
        "  rejected: {}{}{}",
        stats.rejected(),
        if rejected.is_empty() { "" } else { " — " },
        rejected.join(" ")
    )?;
    let names = [
        "short_payload",
        "long_payload",
        "no_checksum",
        "bad_tag_block",
        "fill_bits",
    ];
    let repaired: Vec<String> = names
        .iter()
        .zip(stats.repairs.iter())
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| format!("{r}:{n}"))
        .collect();
    if !repaired.is_empty() {
        writeln!(err, "  kept with repairs: {}", repaired.join(" "))?;
    }
    debug_assert_eq!(REASONS.len(), stats.errors.len());
    Ok(())
}
