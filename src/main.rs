//! The `sealane` command line. Argument parsing and wiring only; the work is
//! done by the library half of this crate and the `sealane-*` crates.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use sealane::decode::{self, DecodeConfig};
use sealane::input::Input;

#[derive(Parser)]
#[command(
    name = "sealane",
    version,
    about = "Maritime domain awareness: AIS, satellite fusion, behaviour detection, releasable sharing"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode AIS NMEA (plain, gzip or zstd) to gpsd-compatible JSON lines on stdout.
    ///
    /// Each object has gpsd's field names and values plus "line", the 1-based
    /// input line that completed the message. Malformed input is counted by
    /// reason and summarised on stderr; it never stops the run.
    Decode {
        /// Input files; `-` or nothing reads standard input.
        files: Vec<String>,
        /// Raw integer field values, as `gpsdecode -u -j`.
        #[arg(long, short = 'u')]
        unscaled: bool,
        /// Reject missing checksums, bad fill bits, bad tag blocks and any bit
        /// length ITU-R M.1371-5 does not allow (default: lenient, repairs recorded).
        #[arg(long)]
        strict: bool,
        /// Add the receive time ("rxtime", RFC 3339), "station" and "channel"
        /// when the input carries them (tag blocks, $PGHP, receiver prefixes).
        #[arg(long)]
        meta: bool,
        /// Describe at most this many rejected lines on stderr (all are counted).
        #[arg(long, default_value_t = 20)]
        show_errors: u64,
        /// No summary on stderr.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { files, unscaled, strict, meta, show_errors, quiet } => {
            let inputs: Vec<Input> =
                if files.is_empty() { vec![Input::Stdin] } else { files.iter().map(|f| Input::from_arg(f)).collect() };
            let cfg = DecodeConfig { scaled: !unscaled, strict, show_errors, meta };
            let started = Instant::now();
            let mut out = io::stdout();
            let mut err = io::stderr();
            decode::run(&inputs, &cfg, &mut out, &mut err).and_then(|stats| {
                if !quiet {
                    decode::write_summary(&mut err, &stats, inputs.len(), started)?;
                }
                Ok(())
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "sealane: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
