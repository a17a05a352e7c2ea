//! The `sealane` command line. Argument parsing and wiring only; the work is
//! done by the library half of this crate and the `sealane-*` crates.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sealane::bench;
use sealane::decode::{self, DecodeConfig};
use sealane::detect::{self, DetectConfig};
use sealane::export::{self, ExportConfig, ExportFormat};
use sealane::ingest::{self, IngestConfig};
use sealane::pipeline::SourceConfig;
use sealane::query::{OutFormat, Row, write_rows};
use sealane::{demo, eval, simulate};
use sealane_core::Label;
use sealane_core::time::parse_time;
use sealane_detect::{Config, Watchlist, Zones};
use sealane_ingest::Format;
use sealane_ingest::clean::CleanOptions;
use sealane_ingest::input::Input;
use sealane_store::{Bbox, Store};

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
    /// Ingest NMEA or CSV archives (files, `-`, or tcp:// tcp-listen:// udp:// feeds) into a store.
    Ingest {
        /// Inputs: files (plain, gzip, zstd), `-`, `tcp://host:port` (a feed to connect to),
        /// `tcp-listen://addr[:port]` or `udp://addr[:port]` (default port 10110).
        inputs: Vec<String>,
        /// The store (an SQLite file, created if missing).
        #[arg(long)]
        store: PathBuf,
        /// auto, nmea, csv, or a CSV dialect: marinecadastre, dma, aisdb-spire, kr-national.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Label of these records: `public` (default) or a JSON label.
        #[arg(long, default_value = "public")]
        label: String,
        /// Source name (default: each input's name).
        #[arg(long)]
        source_name: Option<String>,
        /// Offset from UTC of CSV times that carry none, e.g. +09:00 for Korean exports.
        #[arg(long, default_value = "+00:00")]
        tz: String,
        /// Reorder window, seconds of data time.
        #[arg(long, default_value_t = 30.0)]
        window: f64,
        /// Reports of the same message this far apart (seconds) are merged as duplicates.
        #[arg(long, default_value_t = 30.0)]
        duplicate_window: f64,
        /// Write an acknowledgement (JSON line) after every commit, to this file or `-` (stdout).
        #[arg(long)]
        acks: Option<PathBuf>,
        /// Commit after this many positions are buffered.
        #[arg(long, default_value_t = 1 << 17)]
        commit_every: usize,
        /// Stop network inputs after this many seconds (default: run until interrupted).
        #[arg(long)]
        duration: Option<f64>,
        /// No progress bar and no summary.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Detect behaviour (gaps, encounters, loitering, zones, spoofing, identity, watchlists) in
    /// input files or a store; events as JSON lines on stdout.
    Detect {
        /// Inputs as for `ingest` (files, `-`); none with --store: replay the store.
        inputs: Vec<String>,
        /// A store: replayed when no inputs are given, else where the events are also written.
        #[arg(long)]
        store: Option<PathBuf>,
        #[command(flatten)]
        detectors: DetectorOpts,
        /// auto, nmea, csv, or a CSV dialect.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Label of the input records: `public` (default) or a JSON label.
        #[arg(long, default_value = "public")]
        label: String,
        /// Offset from UTC of CSV times that carry none.
        #[arg(long, default_value = "+00:00")]
        tz: String,
        /// Reorder window, seconds of data time.
        #[arg(long, default_value_t = 30.0)]
        window: f64,
        /// Print the configuration (defaults, or --config applied) as TOML and exit.
        #[arg(long)]
        print_config: bool,
        /// No progress bar and no summary.
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        auth: AuthOpts,
    },
    /// Export positions as GeoParquet 1.1 or GeoJSON, partitioned by day (DIR/date=YYYY-MM-DD/).
    Export {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "geoparquet")]
        format: ExportFormat,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Start time (RFC 3339, date, or Unix seconds).
        #[arg(long)]
        from: Option<String>,
        /// End time.
        #[arg(long)]
        to: Option<String>,
        /// West,south,east,north in degrees.
        #[arg(long)]
        bbox: Option<String>,
        #[command(flatten)]
        auth: AuthOpts,
    },
    /// Query a store: a vessel's track, an area, or the latest positions.
    Query {
        #[command(subcommand)]
        what: QueryCommand,
    },
    /// Benchmarks (the numbers in BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Simulate a scenario: AIS on real lanes heard by coast stations and satellites,
    /// injected behaviour with its ground truth, SAR passes.
    ///
    /// Built-in scenarios: korea (the demo), yellow-sea-sts, taiwan-strait, malacca,
    /// juan-de-fuca, arctic-nwp, global (400,000 vessels); or a TOML file.
    Simulate {
        /// A built-in scenario name or a scenario TOML file.
        #[arg(default_value = "korea")]
        scenario: String,
        /// Write the NMEA (with tag blocks) here; `-` is stdout.
        #[arg(long)]
        nmea: Option<PathBuf>,
        /// Write the ground truth here (JSON lines in the event contract).
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Write the SAR detections here (CSV).
        #[arg(long)]
        detections: Option<PathBuf>,
        /// Write which vessel each SAR detection is (JSON lines).
        #[arg(long)]
        detections_truth: Option<PathBuf>,
        /// Serve the NMEA live on this TCP address (e.g. 127.0.0.1:10110) instead of at once.
        #[arg(long)]
        serve: Option<String>,
        /// With --serve: simulated seconds per wall second.
        #[arg(long, default_value_t = 60.0)]
        speed: f64,
        /// No summary on stderr.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Fuse satellite (SAR) detections with AIS: each detection matched to a vessel or
    /// flagged dark; AIS vessels expected in a scene but not detected listed as not seen.
    ///
    /// Detections: the Sealane CSV (`sealane simulate --detections`) or KSAT RADARSAT-2
    /// exports (combined or per scene). AIS: files or feeds as for `ingest`, or --store.
    Fuse {
        /// Detection files (one or more; AIS files go before --detections or after `--`).
        #[arg(long, required = true, num_args = 1..)]
        detections: Vec<PathBuf>,
        /// AIS inputs as for `ingest` (files, `-`, feeds).
        #[arg(last = false)]
        ais: Vec<String>,
        /// Read AIS from this store instead.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Label of detections whose file carries none: `public` or a JSON label.
        #[arg(long, default_value = "public")]
        detections_label: String,
        /// AIS format: auto, nmea, csv, or a CSV dialect.
        #[arg(long, default_value = "auto")]
        format: String,
        /// AIS taken within this many hours of each scene.
        #[arg(long, default_value_t = 9.0)]
        window_h: f64,
        /// Gate, standard deviations of the projected position.
        #[arg(long, default_value_t = 4.0)]
        gate_sigmas: f64,
        /// SAR position error (one standard deviation), metres.
        #[arg(long, default_value_t = 200.0)]
        sar_sigma_m: f64,
        /// Expected density of vessels without AIS (and false alarms), per km².
        #[arg(long, default_value_t = 1e-4)]
        dark_density: f64,
        /// Dead-reckoning uncertainty as a share of the distance run since the report.
        #[arg(long, default_value_t = 0.3)]
        reckon_growth: f64,
        /// No summary on stderr.
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        auth: AuthOpts,
    },
    /// Users, partners and tokens (releasability).
    Admin {
        #[command(subcommand)]
        what: AdminCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Score detected events against ground truth: precision, recall and timing per type.
    Eval {
        /// Ground truth (JSON lines in the event contract, e.g. from `sealane simulate --truth`).
        #[arg(long)]
        truth: PathBuf,
        /// Detected events (JSON lines, e.g. from `sealane detect`).
        #[arg(long)]
        events: PathBuf,
        /// Time tolerance around each true event, minutes.
        #[arg(long, default_value_t = 30.0)]
        tolerance_min: f64,
        /// Distance for events without an MMSI (dark vessels), metres.
        #[arg(long, default_value_t = 2000.0)]
        radius_m: f64,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The main job, with no set-up: a simulated day in Korean waters served live over
    /// TCP, run through the whole pipeline into an embedded store, events printed as they
    /// happen and scored against the ground truth at the end.
    /// Run a live node: sources into the store through the detectors, and the HTTP API,
    /// OGC API Features, WebSocket streams, /metrics and the web map.
    Serve {
        /// The store (created if missing).
        #[arg(long)]
        store: PathBuf,
        /// Live sources: tcp://HOST:PORT (client), tcp-listen://ADDR, udp://ADDR, or files to replay.
        inputs: Vec<String>,
        /// HTTP address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// auto, nmea, csv, or a CSV dialect.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Label of the input records: `public` (default) or a JSON label.
        #[arg(long, default_value = "public")]
        label: String,
        /// Source name (default: each input's name).
        #[arg(long)]
        source_name: Option<String>,
        /// Reorder window, seconds of data time.
        #[arg(long, default_value_t = 30.0)]
        window: f64,
        /// Commit the store at least every this many seconds (positions are live at once;
        /// this is how long until they are durable).
        #[arg(long, default_value_t = 1.0)]
        commit_interval: f64,
        /// Batches (about 20 ms each) kept for live clients that fall behind; a client further
        /// behind skips the oldest and is told how many.
        #[arg(long, default_value_t = 256)]
        live_buffer: usize,
        /// Satellite detection files (Sealane CSV or KSAT exports), fused per audience.
        #[arg(long)]
        detections: Vec<PathBuf>,
        /// Label of detections whose file gives none (KSAT exports).
        #[arg(long, default_value = "public")]
        detections_label: String,
        #[command(flatten)]
        detectors: DetectorOpts,
        #[command(flatten)]
        policy: PolicyOpts,
    },
    Demo {
        /// Scenario: a built-in name or a TOML file.
        #[arg(long, default_value = "korea")]
        scenario: String,
        /// Simulated seconds per wall second (720: a day in two minutes).
        #[arg(long, default_value_t = 720.0)]
        speed: f64,
        /// Address of the live NMEA feed.
        #[arg(long, default_value = "127.0.0.1:10110")]
        feed: String,
        /// Directory for the store and the run's files.
        #[arg(long, default_value = "sealane-demo")]
        dir: PathBuf,
        /// Serve the operating picture (web map, API) here; `none` to serve nothing.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Exit after the scores instead of serving the picture until Ctrl-C.
        #[arg(long)]
        exit: bool,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Run every detector over replayed real tracks on one thread: positions per second,
    /// events, memory per vessel.
    Detect {
        /// Positions to run.
        #[arg(long, default_value_t = 10_000_000)]
        positions: u64,
        /// At least this many distinct vessels (more replicas of the tracks).
        #[arg(long, default_value_t = 0)]
        vessels: u64,
        /// Runs (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Real tracks to replay (default: the US coastal day in ../shared, else Virginia Beach).
        #[arg(long)]
        tracks: Option<PathBuf>,
    },
    /// A live node under load: NMEA over TCP into `sealane serve` with WebSocket clients
    /// attached; messages lost, memory, and sent-to-delivered latency.
    Serve {
        /// Messages per second.
        #[arg(long, default_value_t = 50_000)]
        rate: u64,
        /// Seconds of sending.
        #[arg(long, default_value_t = 300)]
        seconds: u64,
        /// WebSocket clients.
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// Of which this many watch an area (about a quarter of the traffic).
        #[arg(long, default_value_t = 5)]
        area_clients: usize,
        /// Distinct vessels.
        #[arg(long, default_value_t = 50_000)]
        vessels: u32,
        /// Store file (replaced).
        #[arg(long, default_value = "/tmp/sealane-bench-serve.sqlite")]
        store: PathBuf,
        /// `serve --commit-interval`, seconds.
        #[arg(long, default_value_t = 1.0)]
        commit_interval: f64,
        /// MMSI of the first vessel (the rest follow). The default has a Korean MID; one
        /// with an unassigned MID (100000000) makes every vessel raise an identity event.
        #[arg(long, default_value_t = 440_000_000)]
        mmsi_base: u32,
    },
    /// Fusion: accuracy on a simulated scenario as the AIS nearest each scene is removed,
    /// and the speed of associating 10,000 detections with a day of 400,000 vessels.
    Fuse {
        /// Scenario for the accuracy curve.
        #[arg(long, default_value = "east-sea-dark-fleet")]
        scenario: String,
        /// Vessels of the speed run.
        #[arg(long, default_value_t = 400_000)]
        vessels: usize,
        /// Detections of the speed run.
        #[arg(long, default_value_t = 10_000)]
        detections: usize,
        /// Runs of the speed test (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Build a large store by replaying real tracks, then time the three operator queries.
    Store {
        /// Store to build (or, with --reuse, to query).
        #[arg(long)]
        store: PathBuf,
        /// Positions to build.
        #[arg(long, default_value_t = 50_000_000)]
        positions: u64,
        /// Real tracks to replay (default: the US coastal day in ../shared, else a vendored file).
        #[arg(long)]
        tracks: Option<PathBuf>,
        /// Query an existing store instead of building one.
        #[arg(long)]
        reuse: bool,
        /// Queries of each kind to time.
        #[arg(long, default_value_t = 50)]
        samples: usize,
    },
}

#[derive(clap::Args)]
struct QueryOpts {
    /// The store.
    #[arg(long)]
    store: PathBuf,
    /// Start time (RFC 3339, date, or Unix seconds).
    #[arg(long)]
    from: Option<String>,
    /// End time.
    #[arg(long)]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: OutFormat,
    #[command(flatten)]
    auth: AuthOpts,
}

#[derive(clap::Args)]
struct AuthOpts {
    /// API token (default: $SEALANE_TOKEN); needed once a store has issued tokens.
    #[arg(long)]
    token: Option<String>,
    #[command(flatten)]
    policy: PolicyOpts,
}

#[derive(clap::Args, Debug, Clone)]
struct DetectorOpts {
    /// Thresholds (TOML; see `sealane detect --print-config` for every key and its default).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Zones (GeoJSON polygons); replaces the built-in zones. Repeatable.
    #[arg(long)]
    zones: Vec<PathBuf>,
    /// Watchlist CSV (OFAC sdn.csv, or imo,mmsi,name,callsign,list,reason); replaces the
    /// built-in OFAC SDN snapshot. Repeatable.
    #[arg(long)]
    watchlist: Vec<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
struct PolicyOpts {
    /// Releasability policy (TOML; default: the built-in bilateral policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Accept OIDC/JWT bearer tokens (RS256/ES256) signed by a key of this JWKS file.
    #[arg(long)]
    jwks: Option<PathBuf>,
    /// With --jwks: the audience the tokens must name.
    #[arg(long, default_value = "sealane")]
    audience: String,
    /// With --jwks: the issuer the tokens must name.
    #[arg(long)]
    issuer: Option<String>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        what: TokenCommand,
    },
    /// Sources: ORCON releases and retractions.
    Source {
        #[command(subcommand)]
        what: SourceCommand,
    },
}

#[derive(Subcommand)]
enum SourceCommand {
    /// Approve the release of an ORCON source's records to a nation (originator only).
    Release {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// Source id (see `sealane admin source list`).
        #[arg(long)]
        source: u32,
        /// Nation released to.
        #[arg(long)]
        to: String,
        /// An admin token of the originator's nation.
        #[arg(long)]
        token: Option<String>,
    },
    /// Retract every record of a source: gone from every view, export and product (originator only).
    Retract {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// Source id.
        #[arg(long)]
        source: u32,
        /// An admin token of the originator's nation.
        #[arg(long)]
        token: Option<String>,
    },
    /// List sources with their labels, releases and retraction.
    List {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// An admin token.
        #[arg(long)]
        token: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token; it is printed once and stored only as a hash.
    Create {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// User or peer name.
        #[arg(long)]
        id: String,
        /// Nation (ISO 3166 alpha-3).
        #[arg(long)]
        nation: String,
        /// Clearance: a level or national marking name of the policy.
        #[arg(long)]
        clearance: String,
        /// Caveats held (repeatable).
        #[arg(long)]
        caveat: Vec<String>,
        /// Declared purpose.
        #[arg(long)]
        purpose: Option<String>,
        /// read or admin.
        #[arg(long, default_value = "read")]
        scope: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 30.0)]
        days: f64,
        /// An admin token (not needed for a store's first token).
        #[arg(long)]
        token: Option<String>,
        /// Policy to check the nation and clearance against.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// List tokens (never the tokens themselves).
    List {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// An admin token.
        #[arg(long)]
        token: Option<String>,
    },
    /// Revoke a token by id.
    Revoke {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// Token id (from `list`).
        #[arg(long)]
        id: i64,
        /// An admin token.
        #[arg(long)]
        token: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the audit log's hash chain; name the first altered, removed or moved entry.
    Verify {
        /// The store.
        #[arg(long)]
        store: PathBuf,
    },
}

#[derive(Subcommand)]
enum QueryCommand {
    /// One vessel's positions over a time window.
    Track {
        #[command(flatten)]
        opts: QueryOpts,
        /// The vessel's MMSI.
        #[arg(long)]
        mmsi: u32,
    },
    /// Every position inside a box over a time window.
    Area {
        #[command(flatten)]
        opts: QueryOpts,
        /// West,south,east,north in degrees (west > east crosses the antimeridian).
        #[arg(long)]
        bbox: String,
    },
    /// The latest position of every vessel (optionally inside a box).
    Latest {
        /// The store.
        #[arg(long)]
        store: PathBuf,
        /// West,south,east,north in degrees.
        #[arg(long)]
        bbox: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: OutFormat,
        #[command(flatten)]
        auth: AuthOpts,
    },
}

fn parse_tz(s: &str) -> Result<i64> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("utc") || t == "Z" {
        return Ok(0);
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => bail!("--tz {s:?}: expected an offset like +09:00"),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i64, i64) = (h.parse().context("--tz hours")?, m.parse().context("--tz minutes")?);
    Ok(sign * (h * 60 + m))
}

fn time_window(from: &Option<String>, to: &Option<String>) -> Result<(i64, i64)> {
    let f = from.as_deref().map(parse_time).transpose().map_err(anyhow::Error::msg)?.unwrap_or(i64::MIN / 2);
    let t = to.as_deref().map(parse_time).transpose().map_err(anyhow::Error::msg)?.unwrap_or(i64::MAX / 2);
    if f > t {
        bail!("--from is after --to");
    }
    Ok((f, t))
}

/// A whole input file, decompressed when gzip or zstd.
fn read_input_bytes(p: &Path) -> Result<Vec<u8>> {
    let mut r = Input::from_arg(&p.display().to_string()).open().with_context(|| format!("opening {}", p.display()))?;
    let mut v = Vec::new();
    r.read_to_end(&mut v).with_context(|| format!("reading {}", p.display()))?;
    Ok(v)
}

fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    // A second interrupt exits at once; the first lets the current batch commit.
    let _ = ctrlc::set_handler(move || {
        if s.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
    stop
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Decode { files, unscaled, strict, meta, show_errors, quiet } => {
            let inputs: Vec<Input> =
                if files.is_empty() { vec![Input::Stdin] } else { files.iter().map(|f| Input::from_arg(f)).collect() };
            let cfg = DecodeConfig { scaled: !unscaled, strict, show_errors, meta };
            let started = Instant::now();
            let mut out = io::stdout();
            let mut err = io::stderr();
            let stats = decode::run(&inputs, &cfg, &mut out, &mut err)?;
            if !quiet {
                decode::write_summary(&mut err, &stats, inputs.len(), started)?;
            }
            Ok(())
        }
        Command::Ingest {
            inputs,
            store,
            format,
            label,
            source_name,
            tz,
            window,
            duplicate_window,
            acks,
            commit_every,
            duration,
            quiet,
        } => {
            let cfg = IngestConfig {
                source: SourceConfig {
                    inputs: if inputs.is_empty() { vec!["-".into()] } else { inputs },
                    format: Format::parse(&format).map_err(anyhow::Error::msg)?,
                    label: Label::parse(&label).map_err(anyhow::Error::msg)?,
                    source_name,
                    tz_offset_min: parse_tz(&tz)?,
                    clean: CleanOptions {
                        window_ms: (window * 1000.0) as i64,
                        duplicate_ms: (duplicate_window * 1000.0) as i64,
                    },
                    duration: duration.map(Duration::from_secs_f64),
                    progress: !quiet,
                    live: None,
                    lines_read: None,
                },
                store,
                commit_positions: commit_every.max(1),
                acks,
                ..IngestConfig::default()
            };
            let mut err = io::stderr();
            let summary = ingest::run(&cfg, &mut err, stop_flag())?;
            if !quiet {
                let store = Store::open_read_only(&cfg.store)?;
                ingest::write_summary(&mut err, &summary, &store)?;
            }
            Ok(())
        }
        Command::Detect { inputs, store, detectors, format, label, tz, window, print_config, quiet, auth } => {
            if print_config {
                print!("{}", load_config(detectors.config.as_deref())?.to_toml());
                return Ok(());
            }
            let mut err = io::stderr();
            let (config, zones, watchlist) = load_detectors(&detectors)?;
            for s in watchlist.skipped().iter().take(5) {
                writeln!(err, "sealane detect: watchlist row skipped: {s}")?;
            }
            // Replaying a store reads it: through the policy decision point, audited.
            let allowed_sources = match (&store, inputs.is_empty()) {
                (Some(path), true) => {
                    let mut access = open_access(path, &auth)?;
                    access.audit("derive", "detect --store", "{}")?;
                    access.readable_sources()
                }
                _ => None,
            };
            let inputs = if inputs.is_empty() && store.is_none() { vec!["-".to_string()] } else { inputs };
            let cfg = DetectConfig {
                source: SourceConfig {
                    inputs,
                    format: Format::parse(&format).map_err(anyhow::Error::msg)?,
                    label: Label::parse(&label).map_err(anyhow::Error::msg)?,
                    tz_offset_min: parse_tz(&tz)?,
                    clean: CleanOptions { window_ms: (window * 1000.0) as i64, ..CleanOptions::default() },
                    progress: !quiet,
                    ..SourceConfig::default()
                },
                store,
                config,
                zones,
                watchlist,
                store_positions: false,
                commit_interval: Duration::from_secs(1),
                allowed_sources,
            };
            let stdout = io::stdout();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            let summary = detect::run(cfg, &mut out, &mut err, stop_flag())?;
            out.flush()?;
            if !quiet {
                detect::write_summary(&mut err, &summary)?;
            }
            Ok(())
        }
        Command::Export { store, format, out, from, to, bbox, auth } => {
            let (from_ms, to_ms) = time_window(&from, &to)?;
            let bbox = bbox.as_deref().map(Bbox::parse).transpose().map_err(anyhow::Error::msg)?;
            let mut access = open_access(&store, &auth)?;
            let allowed_sources = access.readable_sources();
            access.audit("export", &out.display().to_string(), &format!("{{\"format\":\"{format:?}\"}}"))?;
            let store = Store::open_read_only(&store)?;
            let cfg = ExportConfig { format, out, from_ms, to_ms, bbox, part_rows: 1 << 20, allowed_sources };
            let started = Instant::now();
            let s = export::export(&store, &cfg)?;
            eprintln!(
                "sealane export: {} positions in {} files under {} ({:.2} s)",
                s.rows,
                s.files.len(),
                cfg.out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Bench { what: BenchCommand::Detect { positions, vessels, runs, tracks } } => {
            let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
            let b = bench::DetectBench {
                tracks: tracks.unwrap_or_else(|| bench::default_tracks(repo)),
                positions,
                vessels,
                runs,
            };
            bench::detect_bench(&b, &mut io::stdout())
        }
        Command::Bench {
            what:
                BenchCommand::Serve { rate, seconds, clients, area_clients, vessels, store, commit_interval, mmsi_base },
        } => {
            let b = sealane::bench_serve::ServeBench {
                rate,
                seconds,
                clients,
                area_clients,
                vessels: vessels.max(1),
                store,
                commit_interval,
                mmsi_base,
            };
            sealane::bench_serve::serve_bench(&b, &mut io::stdout())
        }
        Command::Bench { what: BenchCommand::Fuse { scenario, vessels, detections, runs } } => {
            let b = sealane::bench_fuse::FuseBench { scenario, vessels, detections, runs };
            sealane::bench_fuse::fuse_bench(&b, &mut io::stdout())
        }
        Command::Bench { what: BenchCommand::Store { store, positions, tracks, reuse, samples } } => {
            let repo = std::env::current_dir()?;
            let b = bench::StoreBench {
                tracks: tracks.unwrap_or_else(|| bench::default_tracks(&repo)),
                positions,
                store,
                reuse,
                samples: samples.max(1),
            };
            sealane::bench::store_bench(&b, &mut io::stdout())
        }
        Command::Simulate { scenario, nmea, truth, detections, detections_truth, serve, speed, quiet } => {
            let scenario = simulate::load_scenario(&scenario)?;
            let cfg = simulate::SimulateConfig { nmea, truth, detections, detections_truth, serve, speed };
            let mut err = io::stderr().lock();
            let s = simulate::run(scenario, &cfg, &mut err, stop_flag())?;
            if !quiet {
                simulate::write_summary(&mut err, &s)?;
            }
            Ok(())
        }
        Command::Fuse {
            detections,
            ais,
            store,
            detections_label,
            format,
            window_h,
            gate_sigmas,
            sar_sigma_m,
            dark_density,
            reckon_growth,
            quiet,
            auth,
        } => {
            // Reading a store goes through the policy decision point, audited.
            let allowed_sources = match &store {
                Some(path) => {
                    let mut access = open_access(path, &auth)?;
                    access.audit("derive", "fuse --store", "{}")?;
                    access.readable_sources()
                }
                None => None,
            };
            let cfg = sealane::fuse::FuseRun {
                allowed_sources,
                detections,
                detections_label: Label::parse(&detections_label).map_err(anyhow::Error::msg)?,
                ais: SourceConfig {
                    inputs: ais,
                    format: Format::parse(&format).map_err(anyhow::Error::msg)?,
                    progress: !quiet,
                    ..SourceConfig::default()
                },
                store,
                config: sealane_fuse::FuseConfig {
                    window_ms: (window_h * 3_600_000.0) as i64,
                    gate_sigmas,
                    sar_sigma_m,
                    dark_density_per_km2: dark_density,
                    reckon_growth,
                    ..sealane_fuse::FuseConfig::default()
                },
            };
            let mut out = io::BufWriter::new(io::stdout().lock());
            let mut err = io::stderr().lock();
            let s = sealane::fuse::run(&cfg, &mut out, &mut err, stop_flag())?;
            out.flush()?;
            if !quiet {
                sealane::fuse::write_summary(&mut err, &s)?;
            }
            Ok(())
        }
        Command::Eval { truth, events, tolerance_min, radius_m, json } => {
            let cfg = eval::EvalConfig { tolerance_ms: (tolerance_min * 60_000.0) as i64, radius_m };
            let scores = eval::run(&truth, &events, &cfg)?;
            let mut out = io::stdout().lock();
            if json {
                writeln!(out, "{}", eval::to_json(&scores))?;
            } else {
                eval::write_table(&mut out, &scores)?;
            }
            Ok(())
        }
        Command::Serve {
            store,
            inputs,
            listen,
            format,
            label,
            source_name,
            window,
            commit_interval,
            live_buffer,
            detections,
            detections_label,
            detectors,
            policy,
        } => {
            load_detectors(&detectors)?;
            let det_label = Label::parse(&detections_label).map_err(anyhow::Error::msg)?;
            let (detections, rejected) = sealane::fuse::read_detections(&detections, &det_label)?;
            for r in rejected.iter().take(10) {
                eprintln!("sealane serve: {}: {}", r.place, r.reason);
            }
            let cfg = sealane::serve::ServeConfig {
                server: sealane::serve::ServerConfig {
                    store,
                    listen,
                    policy: sealane::access::load_policy(policy.policy.as_deref())?,
                    oidc: load_oidc(&policy)?,
                    detectors: Arc::new(move || load_detectors(&detectors)),
                    detections,
                    hub_capacity: live_buffer.max(1),
                },
                source: SourceConfig {
                    inputs,
                    format: Format::parse(&format).map_err(anyhow::Error::msg)?,
                    label: Label::parse(&label).map_err(anyhow::Error::msg)?,
                    source_name,
                    clean: CleanOptions { window_ms: (window * 1000.0) as i64, ..CleanOptions::default() },
                    progress: false,
                    ..SourceConfig::default()
                },
                commit_interval: Duration::from_secs_f64(commit_interval.max(0.01)),
            };
            sealane::serve::run(cfg, &mut io::stderr(), stop_flag())
        }
        Command::Demo { scenario, speed, feed, dir, listen, exit } => {
            let scenario = simulate::load_scenario(&scenario)?;
            let listen = Some(listen).filter(|l| l != "none");
            let cfg = demo::DemoConfig { scenario, speed, feed, dir, listen, stay: !exit };
            let mut out = io::stdout().lock();
            demo::run(cfg, &mut out, &mut io::stderr(), stop_flag())?;
            Ok(())
        }
        Command::Query { what } => {
            let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
            match what {
                QueryCommand::Track { opts, mmsi } => {
                    let (f, t) = time_window(&opts.from, &opts.to)?;
                    let mut access = open_access(&opts.store, &opts.auth)?;
                    let store = Store::open_read_only(&opts.store)?;
                    let rows = store.track(mmsi, f, t)?;
                    let kept = access.readable(&rows);
                    access.audit(
                        "read",
                        &format!("query track mmsi={mmsi}"),
                        &format!("{{\"rows\":{}}}", kept.len()),
                    )?;
                    write_rows(&mut out, marked(&access, kept.iter().map(Row::from)), opts.format)?;
                }
                QueryCommand::Area { opts, bbox } => {
                    let (f, t) = time_window(&opts.from, &opts.to)?;
                    let bbox_v = Bbox::parse(&bbox).map_err(anyhow::Error::msg)?;
                    let mut access = open_access(&opts.store, &opts.auth)?;
                    let store = Store::open_read_only(&opts.store)?;
                    let rows = store.area(bbox_v, f, t)?;
                    let kept = access.readable(&rows);
                    access.audit("read", &format!("query area {bbox}"), &format!("{{\"rows\":{}}}", kept.len()))?;
                    write_rows(&mut out, marked(&access, kept.iter().map(Row::from)), opts.format)?;
                }
                QueryCommand::Latest { store, bbox, format, auth } => {
                    let bbox_v = bbox.as_deref().map(Bbox::parse).transpose().map_err(anyhow::Error::msg)?;
                    let mut access = open_access(&store, &auth)?;
                    let st = Store::open_read_only(&store)?;
                    let rows: Vec<Row> = if access.reads_everything() {
                        st.latest(bbox_v)?.iter().map(Row::from).collect()
                    } else {
                        // Filter first, then derive: the latest position the reader may see.
                        let mut latest: std::collections::BTreeMap<u32, sealane_store::StoredPosition> =
                            Default::default();
                        st.scan_time_ordered(i64::MIN / 2, i64::MAX / 2, |p| {
                            let inside = bbox_v.is_none_or(|b| b.contains(p.lat(), p.lon()));
                            if inside {
                                if let Some(v) = access.visible(&p) {
                                    latest.insert(p.mmsi, v);
                                }
                            }
                            Ok(())
                        })?;
                        latest.values().map(Row::from).collect()
                    };
                    access.audit(
                        "read",
                        &format!("query latest {}", bbox.as_deref().unwrap_or("world")),
                        &format!("{{\"rows\":{}}}", rows.len()),
                    )?;
                    write_rows(&mut out, marked(&access, rows), format)?;
                }
            }
            out.flush()?;
            Ok(())
        }
        Command::Admin { what: AdminCommand::Token { what } } => {
            let mut out = io::stdout().lock();
            match what {
                TokenCommand::Create { store, id, nation, clearance, caveat, purpose, scope, days, token, policy } => {
                    let policy = sealane::access::load_policy(policy.as_deref())?;
                    if !policy.nations.contains(&nation) {
                        bail!("--nation {nation:?} is not a nation of the policy");
                    }
                    if policy.rank(&clearance).is_none() {
                        bail!("--clearance {clearance:?} is not a level or marking of the policy");
                    }
                    let scope = sealane_share::auth::Scope::parse(&scope).map_err(anyhow::Error::msg)?;
                    let (mut conn, actor, _) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    let subject =
                        sealane_share::Subject { id: id.clone(), nation, clearance, caveats: caveat, purpose };
                    let now = sealane::access::now_ms();
                    let (t, tid) =
                        sealane_share::auth::create(&conn, &subject, scope, now, now + (days * 86_400_000.0) as i64)
                            .map_err(anyhow::Error::msg)?;
                    sealane_share::audit::append(
                        &mut conn,
                        now,
                        &actor,
                        "token.create",
                        &format!("token {tid}"),
                        &serde_json::json!({"subject": subject, "scope": scope.name(), "days": days}).to_string(),
                    )?;
                    writeln!(out, "{t}")?;
                    eprintln!("sealane admin: token {tid} for {id} ({}); shown once, stored as a hash", scope.name());
                }
                TokenCommand::List { store, token } => {
                    let (mut conn, actor, _) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    for (t, revoked) in sealane_share::auth::list(&conn)? {
                        let v = serde_json::json!({
                            "id": t.id, "subject": t.subject, "scope": t.scope.name(),
                            "created": sealane_core::time::format_rfc3339_ms(t.created_ms),
                            "expires": sealane_core::time::format_rfc3339_ms(t.expires_ms), "revoked": revoked,
                        });
                        writeln!(out, "{v}")?;
                    }
                    sealane_share::audit::append(
                        &mut conn,
                        sealane::access::now_ms(),
                        &actor,
                        "token.list",
                        "tokens",
                        "{}",
                    )?;
                }
                TokenCommand::Revoke { store, id, token } => {
                    let (mut conn, actor, _) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    if !sealane_share::auth::revoke(&conn, id)? {
                        bail!("no token {id}");
                    }
                    sealane_share::audit::append(
                        &mut conn,
                        sealane::access::now_ms(),
                        &actor,
                        "token.revoke",
                        &format!("token {id}"),
                        "{}",
                    )?;
                    eprintln!("sealane admin: token {id} revoked");
                }
            }
            Ok(())
        }
        Command::Admin { what: AdminCommand::Source { what } } => {
            let now = sealane::access::now_ms();
            match what {
                SourceCommand::Release { store, source, to, token } => {
                    let (mut conn, actor, subject) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    sealane::access::originator_check(&store, source, subject.as_ref())?;
                    sealane_share::release::approve(&conn, source, &to, &actor, now)?;
                    sealane_share::audit::append(
                        &mut conn,
                        now,
                        &actor,
                        "release",
                        &format!("source {source}"),
                        &serde_json::json!({"to": to}).to_string(),
                    )?;
                    eprintln!("sealane admin: source {source} released to {to}");
                }
                SourceCommand::Retract { store, source, token } => {
                    let (mut conn, actor, subject) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    sealane::access::originator_check(&store, source, subject.as_ref())?;
                    sealane_share::release::retract(&conn, source, &actor, now)?;
                    sealane_share::audit::append(&mut conn, now, &actor, "retract", &format!("source {source}"), "{}")?;
                    eprintln!("sealane admin: source {source} retracted");
                }
                SourceCommand::List { store, token } => {
                    let (mut conn, actor, _) =
                        sealane::access::admin(&store, sealane::access::token_arg(token).as_deref())?;
                    let st = Store::open_read_only(&store)?;
                    let mut out = io::stdout().lock();
                    for (id, name, kind, label) in st.sources()? {
                        let v = serde_json::json!({
                            "id": id, "name": name, "kind": kind, "marking": label.marking(), "label": label,
                            "released_to": sealane_share::release::released_to(&conn, id)?,
                            "retracted": sealane_share::release::is_retracted(&conn, id)?,
                        });
                        writeln!(out, "{v}")?;
                    }
                    sealane_share::audit::append(&mut conn, now, &actor, "source.list", "sources", "{}")?;
                }
            }
            Ok(())
        }
        Command::Audit { what: AuditCommand::Verify { store } } => {
            if !store.exists() {
                bail!("no store at {}", store.display());
            }
            let conn = sealane_share::open(&store)?;
            match sealane_share::audit::verify(&conn)? {
                Ok(n) => {
                    println!("audit log of {}: {n} entries, chain intact", store.display());
                    Ok(())
                }
                Err(b) => bail!("audit log of {}: {b}", store.display()),
            }
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Config::from_toml(&text, &p.display().to_string()).map_err(anyhow::Error::msg)
        }
        None => Ok(Config::default()),
    }
}

/// Thresholds, zones and watchlists, from files or the built-in defaults.
fn load_detectors(o: &DetectorOpts) -> Result<(Config, Zones, Watchlist)> {
    let config = load_config(o.config.as_deref())?;
    let zones = if o.zones.is_empty() {
        Zones::defaults()
    } else {
        let mut z = Zones::none();
        for p in &o.zones {
            let text = read_input_bytes(p)?;
            z.add_geojson(&text, &p.display().to_string()).map_err(anyhow::Error::msg)?;
        }
        z
    };
    let watchlist = if o.watchlist.is_empty() {
        Watchlist::default_list()
    } else {
        let mut w = Watchlist::none();
        for p in &o.watchlist {
            // Latin-1 (the OFAC file) and UTF-8 both read: bytes that are not UTF-8 are Latin-1.
            let bytes = read_input_bytes(p)?;
            let text = String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect());
            w.add_csv(&text, &p.display().to_string()).map_err(anyhow::Error::msg)?;
        }
        w
    };
    Ok((config, zones, watchlist))
}

fn load_oidc(p: &PolicyOpts) -> Result<Option<sealane_share::oidc::OidcConfig>> {
    sealane::access::load_oidc(p.jwks.as_deref(), &p.audience, p.issuer.as_deref())
}

fn open_access(store: &Path, auth: &AuthOpts) -> Result<sealane::access::Access> {
    let policy = sealane::access::load_policy(auth.policy.policy.as_deref())?;
    let token = sealane::access::token_arg(auth.token.clone());
    let oidc = load_oidc(&auth.policy)?;
    sealane::access::Access::open(store, token.as_deref(), sealane_share::auth::Scope::Read, policy, oidc.as_ref())
}

/// Rows with the marking of their source's label, so every item shows who may see it.
fn marked<'a>(
    access: &'a sealane::access::Access,
    rows: impl IntoIterator<Item = Row> + 'a,
) -> impl Iterator<Item = Row> + 'a {
    rows.into_iter().map(move |r| {
        let marking = access.label(r.source()).map(sealane_core::Label::marking);
        r.with_marking(marking)
    })
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`| head`) is not an error worth reporting.
            if e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "sealane: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
