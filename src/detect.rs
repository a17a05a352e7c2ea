//! `sealane detect`: behaviour events from input files (any format `ingest`
//! reads) or from a store, as JSON lines on stdout, and into the store when
//! one is given.
//!
//! Files go through the same pipeline as `ingest` (read, normalise, clean,
//! time order) into [`Detectors`]; a store is replayed in time order. Either
//! way the detectors see one time-ordered stream, exactly as the live server does.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sealane_core::time::format_rfc3339_ms;
use sealane_core::{Event, EventKind, Identity, Observation, Origin};
use sealane_detect::{Config, Detectors, Watchlist, Zones};
use sealane_ingest::clean::{Cleaned, Cleaner};
use sealane_store::Store;
use serde_json::{Value, json};

use crate::ingest::{self, IngestConfig};
use crate::pipeline::{self, Consumer, SourceConfig};

/// Settings of one `detect` run.
#[derive(Debug)]
pub struct DetectConfig {
    /// Input files (none: replay the store).
    pub source: SourceConfig,
    /// Store to replay (no inputs) or to write events into (with inputs).
    pub store: Option<PathBuf>,
    /// Thresholds.
    pub config: Config,
    /// Zones.
    pub zones: Zones,
    /// Watchlist.
    pub watchlist: Watchlist,
    /// With inputs and a store: store the positions, identities and raw lines
    /// too (as `ingest` does), not only the events.
    pub store_positions: bool,
    /// With `store_positions`: commit at least this often (a live feed; files commit on volume).
    pub commit_interval: Duration,
    /// Replaying a store: only records of these sources (the reader's readable
    /// sources: derived events are computed from what the audience may read).
    pub allowed_sources: Option<std::collections::BTreeSet<u32>>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct DetectSummary {
    /// Positions and identity reports seen, and what was skipped.
    pub stats: sealane_detect::DetectStats,
    /// Vessels tracked.
    pub vessels: usize,
    /// Events written to the store.
    pub stored: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// How evidence origins are named in the output.
enum Names {
    /// Inputs of this run: source id = input index; lines are global.
    Inputs { names: Vec<String>, starts: Vec<(usize, u64)> },
    /// Sources of a store.
    Store(BTreeMap<u32, String>),
}

impl Names {
    fn origin(&self, o: &Origin) -> Value {
        match self {
            Names::Inputs { names, starts } => {
                let (i, start) = starts.iter().rev().find(|(_, s)| *s <= o.line).copied().unwrap_or((0, 1));
                json!({"input": names.get(i).cloned().unwrap_or_default(), "line": o.line + 1 - start})
            }
            Names::Store(sources) => json!({
                "source": sources.get(&o.source).cloned().unwrap_or_else(|| o.source.to_string()),
                "chunk": o.chunk,
                "index": o.index,
            }),
        }
    }
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// One event as contract JSON (id, type, start, end, mmsi, lat, lon,
/// confidence, label, details) with its evidence.
pub fn event_value(e: &Event, evidence: Vec<Value>) -> Value {
    json!({
        "id": e.id,
        "type": e.kind.name(),
        "start": format_rfc3339_ms(e.start_ms),
        "end": format_rfc3339_ms(e.end_ms),
        "mmsi": e.mmsi,
        "lat": num(e.lat),
        "lon": num(e.lon),
        "confidence": (e.confidence * 1000.0).round() / 1000.0,
        "label": serde_json::to_value(&e.label).unwrap_or(Value::Null),
        "details": e.details,
        "evidence": evidence,
    })
}

/// Stored events as contract JSON, their evidence named by store source.
pub fn stored_event_values(events: &[Event], sources: BTreeMap<u32, String>) -> Vec<Value> {
    let names = Names::Store(sources);
    events.iter().map(|e| event_value_named(e, &names)).collect()
}

/// One event as a JSON line, its evidence named by input and line or by store source.
fn event_json(e: &Event, names: &Names) -> String {
    event_value_named(e, names).to_string()
}

fn event_value_named(e: &Event, names: &Names) -> Value {
    let evidence: Vec<Value> = e
        .evidence
        .iter()
        .map(|x| {
            let mut v = json!({
                "mmsi": x.mmsi,
                "time": format_rfc3339_ms(x.time_ms),
                "lat": x.lat_lon.map(|p| p.0),
                "lon": x.lat_lon.map(|p| p.1),
            });
            if let (Value::Object(m), Value::Object(o)) = (&mut v, names.origin(&x.origin)) {
                m.extend(o);
            }
            v
        })
        .collect();
    event_value(e, evidence)
}

/// The detectors, built on another thread while the first input is read
/// (loading land, coast and port indexes takes a few hundred milliseconds).
enum Building {
    Pending(std::thread::JoinHandle<Detectors>),
    Ready(Box<Detectors>),
    Taken,
}

impl Building {
    fn get(&mut self) -> &mut Detectors {
        if let Building::Pending(_) = self {
            let Building::Pending(h) = std::mem::replace(self, Building::Taken) else { unreachable!() };
            *self = Building::Ready(Box::new(h.join().expect("building the detectors")));
        }
        match self {
            Building::Ready(d) => d,
            _ => unreachable!("the detectors are built before use"),
        }
    }
}

struct Run<'a> {
    detectors: Building,
    events: Vec<Event>,
    to_store: Vec<Event>,
    store: Option<Store>,
    out: &'a mut dyn Write,
    names: Names,
    stored: usize,
    last_stored: Instant,
}

impl Run<'_> {
    fn flush(&mut self, force: bool) -> Result<()> {
        let wrote = !self.events.is_empty();
        for e in self.events.drain(..) {
            writeln!(self.out, "{}", event_json(&e, &self.names))?;
            if self.store.is_some() {
                self.to_store.push(e);
            }
        }
        if wrote {
            // A live reader of the output (the server's hub) takes them as one batch.
            self.out.flush()?;
        }
        if let Some(store) = self.store.as_mut() {
            // A live run stores its events within a second of their release.
            let due = !self.to_store.is_empty() && self.last_stored.elapsed() >= Duration::from_secs(1);
            if force || due || self.to_store.len() >= 10_000 {
                self.last_stored = Instant::now();
                store.put_events(&self.to_store)?;
                self.stored += self.to_store.len();
                self.to_store.clear();
            }
        }
        Ok(())
    }
}

impl Consumer for Run<'_> {
    fn name(&self) -> &'static str {
        "detect"
    }

    fn record(&mut self, c: Cleaned) -> Result<()> {
        // One label per run of files: every input shares the configured label (id 0).
        match &c.record.obs {
            Observation::Position(p) => self.detectors.get().position(p, 0, c.record.origin, &mut self.events),
            Observation::Identity(i) => self.detectors.get().identity(i, 0, c.record.origin, &mut self.events),
        }
        if self.events.len() >= 1024 { self.flush(false) } else { Ok(()) }
    }

    fn batch_end(&mut self, _through: u64, _sealed: bool, _cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        if let Names::Inputs { starts, .. } = &mut self.names {
            starts.clear();
            starts.extend_from_slice(inputs);
        }
        self.flush(false)
    }

    fn finish(&mut self, _through: u64, _cleaner: &Cleaner, inputs: &[(usize, u64)]) -> Result<()> {
        if let Names::Inputs { starts, .. } = &mut self.names {
            starts.clear();
            starts.extend_from_slice(inputs);
        }
        self.detectors.get().finish(&mut self.events);
        self.flush(true)
    }

    fn progress(&self, elapsed: Duration) -> String {
        let Building::Ready(d) = &self.detectors else { return "loading land, ports and zones".into() };
        let s = d.stats();
        let n: u64 = s.events.iter().sum();
        format!(
            "{} positions ({:.0}/s), {} events",
            s.positions,
            s.positions as f64 / elapsed.as_secs_f64().max(1e-3),
            n
        )
    }
}

/// Runs the detectors; events go to `out`, diagnostics to `err`.
pub fn run(
    cfg: DetectConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stop: Arc<AtomicBool>,
) -> Result<DetectSummary> {
    let started = Instant::now();
    let replay = cfg.source.inputs.is_empty();
    let store = match &cfg.store {
        Some(p) if replay => Some(Store::open_read_only(p).with_context(|| format!("opening store {}", p.display()))?),
        Some(p) => Some(Store::open(p).with_context(|| format!("opening store {}", p.display()))?),
        None => None,
    };
    let label = cfg.source.label.clone();
    let (config, zones, watchlist) = (cfg.config, cfg.zones, cfg.watchlist);
    let building = std::thread::Builder::new()
        .name("detect-setup".into())
        .spawn(move || Detectors::new(config, zones, watchlist, vec![label]))
        .context("starting the set-up thread")?;
    let mut detectors = Building::Pending(building);
    if replay {
        let Some(store) = store else {
            anyhow::bail!("no input: give files (or `-` for standard input), or --store to replay a store");
        };
        // Reading a replayed store needs write access only to store the events; a reader
        // who sees only part of the store keeps its derived events to itself.
        let mut writable = if cfg.allowed_sources.is_none() { Store::open(store.path()).ok() } else { None };
        let sources = store.sources()?;
        let mut label_of = BTreeMap::new();
        for (id, _, _, label) in &sources {
            label_of.insert(*id, detectors.get().label_id(label));
        }
        let names = Names::Store(sources.iter().map(|(id, name, _, _)| (*id, name.clone())).collect());
        let identities = store.identity_rows()?;
        let mut next_identity = 0;
        let mut events = Vec::new();
        let mut run = Run {
            detectors,
            events: Vec::new(),
            to_store: Vec::new(),
            store: writable.take(),
            out,
            names,
            stored: 0,
            last_stored: Instant::now(),
        };
        let allowed = cfg.allowed_sources.clone();
        let allowed_id = move |s: u32| allowed.as_ref().is_none_or(|a| a.contains(&s));
        let feed_identities = |run: &mut Run<'_>, until: i64, next: &mut usize| {
            while *next < identities.len() && identities[*next].t_from <= until {
                let row = &identities[*next];
                if !allowed_id(row.source) {
                    *next += 1;
                    continue;
                }
                let obs = Identity { time_ms: row.t_from, ..row.fields.clone() };
                let label = label_of.get(&row.source).copied().unwrap_or(0);
                let origin = Origin { source: row.source, chunk: -1, index: 0, line: 0 };
                run.detectors.get().identity(&obs, label, origin, &mut run.events);
                *next += 1;
            }
        };
        store.scan_time_ordered(i64::MIN / 2, i64::MAX / 2, |p| {
            feed_identities(&mut run, p.time_ms, &mut next_identity);
            // The report the reader may see: the first, else a duplicate from a readable source.
            let Some(seen) = std::iter::once(&p.provenance).chain(&p.also).find(|a| allowed_id(a.source)) else {
                return Ok(());
            };
            let label = label_of.get(&seen.source).copied().unwrap_or(0);
            let origin = Origin { source: seen.source, chunk: seen.chunk, index: seen.line, line: 0 };
            run.detectors.get().position(&p.to_position(), label, origin, &mut events);
            run.events.append(&mut events);
            if run.events.len() >= 1024 {
                run.flush(false).map_err(|e| sealane_store::Error::Callback(format!("{e:#}")))?;
            }
            Ok(())
        })?;
        feed_identities(&mut run, i64::MAX, &mut next_identity);
        run.detectors.get().finish(&mut run.events);
        run.flush(true)?;
        return Ok(DetectSummary {
            stats: run.detectors.get().stats().clone(),
            vessels: run.detectors.get().vessels(),
            stored: run.stored,
            elapsed: started.elapsed(),
        });
    }
    let names = cfg.source.describe().into_iter().map(|(_, _, display)| display).collect();
    let sources: Vec<u32> = (0..cfg.source.inputs.len() as u32).collect();
    let mut run = Run {
        detectors,
        events: Vec::new(),
        to_store: Vec::new(),
        store,
        out,
        names: Names::Inputs { names, starts: Vec::new() },
        stored: 0,
        last_stored: Instant::now(),
    };
    match (&cfg.store, cfg.store_positions) {
        (Some(path), true) => {
            let ingest_cfg = IngestConfig {
                source: cfg.source.clone(),
                store: path.clone(),
                commit_interval: cfg.commit_interval,
                ..IngestConfig::default()
            };
            ingest::run_with(&ingest_cfg, err, stop, Some(&mut run))?;
        }
        _ => {
            pipeline::run(&cfg.source, &sources, None, &mut run, err, stop)?;
        }
    }
    Ok(DetectSummary {
        stats: run.detectors.get().stats().clone(),
        vessels: run.detectors.get().vessels(),
        stored: run.stored,
        elapsed: started.elapsed(),
    })
}

/// Writes the end-of-run summary.
pub fn write_summary(err: &mut dyn Write, s: &DetectSummary) -> Result<()> {
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    writeln!(
        err,
        "sealane detect: {} positions and {} identity reports from {} vessels in {:.2} s ({:.0} positions/s)",
        s.stats.positions,
        s.stats.identities,
        s.vessels,
        secs,
        s.stats.positions as f64 / secs
    )?;
    let counts: Vec<String> = EventKind::ALL
        .iter()
        .zip(s.stats.events.iter())
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{} {}", k.name(), n))
        .collect();
    let total: u64 = s.stats.events.iter().sum();
    writeln!(err, "  events: {total}{}{}", if counts.is_empty() { "" } else { " — " }, counts.join(", "))?;
    if s.stats.out_of_order > 0 || s.stats.same_time > 0 {
        writeln!(
            err,
            "  skipped: {} positions older than the vessel's previous one, {} at the same time",
            s.stats.out_of_order, s.stats.same_time
        )?;
    }
    if s.stored > 0 {
        writeln!(err, "  {} events written to the store", s.stored)?;
    }
    Ok(())
}
