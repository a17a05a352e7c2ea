//! `sealane demo`: the whole pipeline on a simulated day, live, with no set-up
//! and no network beyond loopback.
//!
//! The simulator serves its NMEA feed on a real TCP socket at accelerated
//! time; the same pipeline `sealane detect` runs connects to it as a client,
//! detects behaviour, prints each event as it happens and stores it in an
//! embedded store; at the end the events are scored against the scenario's
//! ground truth.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sealane_core::Label;
use sealane_detect::{Config, Watchlist, Zones};
use sealane_sim::{Scenario, Simulation, sar};
use serde_json::Value;

use crate::detect::{self, DetectConfig};
use crate::eval::{self, EvalConfig};
use crate::pipeline::SourceConfig;
use crate::simulate;

/// Settings of a demo run.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// The scenario.
    pub scenario: Scenario,
    /// Simulated seconds per wall second.
    pub speed: f64,
    /// Address of the simulated NMEA feed (other tools may connect to it too).
    pub feed: String,
    /// Directory for the store, the feed copy, events, truth and detections.
    pub dir: PathBuf,
    /// Serve the operating picture (web app, API) here while the demo runs.
    pub listen: Option<String>,
    /// With `listen`: keep serving after the scores until Ctrl-C.
    pub stay: bool,
}

/// What a demo found.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Events detected.
    pub events: usize,
    /// Truth events.
    pub truth: usize,
    /// Scores per type.
    pub scores: std::collections::BTreeMap<String, eval::Score>,
}

/// Prints each event JSON line as a readable line, and keeps the JSON.
struct EventPrinter<'a> {
    pending: Vec<u8>,
    json: std::io::BufWriter<std::fs::File>,
    out: &'a mut dyn Write,
    count: usize,
    routine: usize,
}

/// Routine events a watch officer does not need scrolling past (they stay in
/// events.jsonl and in the scores): transits of the strait zones, and gaps
/// that are not suspected disabling (coverage).
fn routine(v: &Value) -> bool {
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let d = v.get("details");
    let zone_kind = d.and_then(|d| d.get("zone_kind")).and_then(Value::as_str);
    let suspected = d.and_then(|d| d.get("suspected_disabling")).and_then(Value::as_bool);
    (ty.starts_with("zone_") && zone_kind == Some("strait")) || (ty == "gap" && suspected == Some(false))
}

impl Write for EventPrinter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(n) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=n).collect();
            self.json.write_all(&line)?;
            if let Ok(v) = serde_json::from_slice::<Value>(&line) {
                self.count += 1;
                if routine(&v) {
                    self.routine += 1;
                } else {
                    writeln!(self.out, "{}", describe(&v))?;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.json.flush()?;
        self.out.flush()
    }
}

/// One line a watch officer can read: time, type, vessels, place, confidence, marking.
pub fn describe(v: &Value) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
    let time = s("start").get(..16).unwrap_or("").replace('T', " ");
    let mmsi: Vec<String> =
        v.get("mmsi").and_then(Value::as_array).map(|a| a.iter().map(|m| m.to_string()).collect()).unwrap_or_default();
    let place = match (v.get("lat").and_then(Value::as_f64), v.get("lon").and_then(Value::as_f64)) {
        (Some(lat), Some(lon)) => format!(
            "{:.3}{} {:.3}{}",
            lat.abs(),
            if lat >= 0.0 { 'N' } else { 'S' },
            lon.abs(),
            if lon >= 0.0 { 'E' } else { 'W' }
        ),
        _ => "-".to_string(),
    };
    let what = ["kind", "profile", "zone", "field", "list"]
        .iter()
        .find_map(|k| v.pointer(&format!("/details/{k}")).and_then(Value::as_str))
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    let marking = v
        .get("label")
        .and_then(|l| serde_json::from_value::<Label>(l.clone()).ok())
        .map(|l| l.marking())
        .unwrap_or_default();
    format!(
        "{time}  {:<26} {:<22} {:<22} conf {:.2}  {marking}",
        format!("{}{what}", s("type")),
        mmsi.join(","),
        place,
        v.get("confidence").and_then(Value::as_f64).unwrap_or(0.0)
    )
}

/// The demo's server: the built-in policy and detectors, the store being filled.
fn server_config(
    store: &std::path::Path,
    listen: &str,
    detections: Vec<sealane_fuse::Detection>,
) -> crate::serve::ServerConfig {
    crate::serve::ServerConfig {
        store: store.to_path_buf(),
        listen: listen.to_string(),
        policy: sealane_share::Policy::bilateral(),
        oidc: None,
        detectors: Arc::new(|| Ok((Config::default(), Zones::defaults(), Watchlist::default_list()))),
        detections,
        hub_capacity: 256,
    }
}

/// Runs the demo; readable output to `out`, diagnostics to `err`.
pub fn run(cfg: DemoConfig, out: &mut dyn Write, err: &mut dyn Write, stop: Arc<AtomicBool>) -> Result<DemoSummary> {
    std::fs::create_dir_all(&cfg.dir).with_context(|| format!("creating {}", cfg.dir.display()))?;
    let store = cfg.dir.join("sealane.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", store.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing the previous demo's {}", p.display()))?;
        }
    }
    let started = Instant::now();
    let mut sim = Simulation::new(cfg.scenario.clone()).map_err(anyhow::Error::msg)?;
    let (detections, dark) = sar::scenes(&sim);
    let listener = match TcpListener::bind(&cfg.feed) {
        Ok(l) => l,
        Err(e) => {
            writeln!(err, "sealane demo: {} is taken ({e}); using a free port instead", cfg.feed)?;
            TcpListener::bind("127.0.0.1:0").context("listening on loopback")?
        }
    };
    let feed = listener.local_addr()?;
    let hours = cfg.scenario.hours;
    writeln!(
        out,
        "Sealane demo: scenario {:?} — {}\n  {} vessels, {} h of traffic at {}x real time (about {:.0} s).\n  Live AIS feed (NMEA with tag blocks): tcp://{feed} — any AIS tool can connect to it.\n  Store, events, ground truth and SAR detections: {}\n",
        cfg.scenario.name,
        cfg.scenario.description,
        sim.vessels.len(),
        hours,
        cfg.speed,
        hours * 3600.0 / cfg.speed,
        cfg.dir.display()
    )?;
    writeln!(out, "{:<17} {:<26} {:<22} {:<22} confidence and label", "event start (UTC)", "type", "mmsi", "position")?;
    let feed_done = Arc::new(AtomicBool::new(false));
    // Lines the simulator sent, and lines the pipeline has read.
    let (lines_sent, lines_read) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let nmea_copy = cfg.dir.join("feed.nmea");
    let speed = cfg.speed;
    let (sim_stop, done, sent) = (stop.clone(), feed_done.clone(), lines_sent.clone());
    let server = std::thread::Builder::new().name("demo-sim".into()).spawn(move || -> Result<_> {
        let mut copy = std::io::BufWriter::new(
            std::fs::File::create(&nmea_copy).with_context(|| format!("creating {}", nmea_copy.display()))?,
        );
        let truth = simulate::serve(&mut sim, listener, speed, Some(&mut copy), &sim_stop, true);
        copy.flush()?;
        sent.store(sim.stats.lines, Ordering::Relaxed);
        done.store(true, Ordering::Relaxed);
        Ok((truth?, sim.stats.clone()))
    })?;
    // The detector pipeline stops once it has read every line the feed sent (or, should
    // some never arrive, after 3 s without progress), or on Ctrl-C.
    let pipeline_stop = Arc::new(AtomicBool::new(false));
    let (ps, user_stop, read) = (pipeline_stop.clone(), stop.clone(), lines_read.clone());
    let watcher = std::thread::spawn(move || {
        while !feed_done.load(Ordering::Relaxed) && !user_stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut last = (read.load(Ordering::Relaxed), Instant::now());
        while !user_stop.load(Ordering::Relaxed) && read.load(Ordering::Relaxed) < lines_sent.load(Ordering::Relaxed) {
            let now = read.load(Ordering::Relaxed);
            if now > last.0 {
                last = (now, Instant::now());
            } else if last.1.elapsed() > Duration::from_secs(3) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        ps.store(true, Ordering::Relaxed);
    });
    let events_path = cfg.dir.join("events.jsonl");
    let mut printer = EventPrinter {
        pending: Vec::new(),
        json: std::io::BufWriter::new(
            std::fs::File::create(&events_path).with_context(|| format!("creating {}", events_path.display()))?,
        ),
        out: &mut *out,
        count: 0,
        routine: 0,
    };
    let detect_cfg = DetectConfig {
        source: SourceConfig {
            inputs: vec![format!("tcp://{feed}")],
            progress: false,
            lines_read: Some(lines_read),
            ..SourceConfig::default()
        },
        store: Some(store.clone()),
        config: Config::default(),
        zones: Zones::defaults(),
        watchlist: Watchlist::default_list(),
        store_positions: true,
        commit_interval: Duration::from_secs(1),
        allowed_sources: None,
    };
    let mut quiet_err = Vec::new();
    let picture = match &cfg.listen {
        Some(addr) => {
            let s = crate::serve::Server::start(server_config(&store, addr, Vec::new()))?;
            writeln!(printer.out, "  Operating picture (web map, API, OGC API Features): http://{}/\n", s.addr)?;
            Some(s)
        }
        None => None,
    };
    let mut detect_cfg = detect_cfg;
    detect_cfg.source.live = picture.as_ref().map(|s| s.tap());
    let summary = match &picture {
        Some(s) => {
            let mut sink = s.event_sink(&mut printer);
            detect::run(detect_cfg, &mut sink, &mut quiet_err, pipeline_stop)?
        }
        None => detect::run(detect_cfg, &mut printer, &mut quiet_err, pipeline_stop)?,
    };
    printer.flush()?;
    let (count, routine_count) = (printer.count, printer.routine);
    let _ = watcher.join();
    let (truth, stats) = server.join().map_err(|_| anyhow::anyhow!("the simulator thread panicked"))??;
    let truth = simulate::with_dark(truth, dark);
    let truth_path = cfg.dir.join("truth.jsonl");
    simulate::write_truth(&truth_path, &truth)?;
    let detections_path = cfg.dir.join("detections.csv");
    simulate::write_detections(&detections_path, &detections)?;
    // The satellite passes: every detection explained by the stored AIS, or dark.
    let fuse_cfg = crate::fuse::FuseRun {
        detections: vec![detections_path.clone()],
        detections_label: Label::public_ais(),
        ais: SourceConfig { progress: false, ..SourceConfig::default() },
        store: Some(store.clone()),
        config: sealane_fuse::FuseConfig::default(),
        allowed_sources: None,
    };
    let mut fused = Vec::new();
    let fs = crate::fuse::run(&fuse_cfg, &mut fused, &mut quiet_err, Arc::new(AtomicBool::new(false)))?;
    writeln!(
        out,
        "\nSAR: {} detections in {} scenes: {} matched to AIS, {} dark ({} AIS vessels expected but not seen).",
        fs.detections, fs.scenes, fs.matched, fs.dark, fs.not_seen
    )?;
    let mut events_file = std::fs::OpenOptions::new().append(true).open(&events_path)?;
    let mut dark = 0;
    for line in String::from_utf8_lossy(&fused).lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        if v.get("type").and_then(Value::as_str) == Some("dark_vessel") {
            dark += 1;
            writeln!(events_file, "{line}")?;
            writeln!(out, "{}", describe(&v))?;
        }
    }
    let count = count + dark;
    writeln!(
        out,
        "\n{} events ({} routine ones not shown: strait transits and coverage gaps; all are in {}) from {} positions of {} vessels ({} NMEA lines over TCP) in {:.0} s; {} events stored in {}.",
        count,
        routine_count,
        events_path.display(),
        summary.stats.positions,
        summary.vessels,
        stats.lines,
        started.elapsed().as_secs_f64(),
        summary.stored,
        store.display()
    )?;
    let scores = eval::run(&truth_path, &events_path, &EvalConfig::default())?;
    writeln!(
        out,
        "\nAgainst the scenario's ground truth ({} true events; `sealane eval` gives the same table):",
        truth.len()
    )?;
    eval::write_table(out, &scores)?;
    writeln!(
        out,
        "\nNext: `sealane query latest --store {}` lists where every vessel was last seen; `sealane detect --store {}` replays the store.",
        store.display(),
        store.display()
    )?;
    if let Some(s) = picture {
        if cfg.stay {
            writeln!(
                out,
                "\nThe operating picture stays at http://{}/ (the SAR passes included); Ctrl-C to stop.",
                s.addr
            )?;
            // The satellite passes are served too, once they exist.
            let addr = s.addr.to_string();
            s.stop()?;
            let (detections, _) =
                crate::fuse::read_detections(std::slice::from_ref(&detections_path), &Label::public_ais())?;
            let s = crate::serve::Server::start(server_config(&store, &addr, detections))?;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            s.stop()?;
        }
    }
    Ok(DemoSummary { events: count, truth: truth.len(), scores })
}
