//! `sealane serve`: the live node. The configured sources run through the
//! same pipeline as `sealane detect` with a store (records stored, detectors
//! run, events stored), and what arrives is published to the server's hub as
//! it arrives; the HTTP server (`sealane-server`) answers from the store.
//!
//! ```text
//!  sources ─▶ pipeline (reader thread ─▶ cleaner) ─▶ StoreWriter + Detectors ─▶ store
//!                  │ arrived records (before the reorder window)     │ events
//!                  ▼                                                 ▼
//!                 Hub (bounded broadcast) ─▶ WebSocket clients ◀── Hub
//!  HTTP (tokio, 2 workers) ─▶ Reader (auth) ─▶ Access / Products ─▶ store (read-only)
//! ```
//!
//! Shutdown (Ctrl-C, SIGTERM): the pipeline stops reading, releases what the
//! reorder window holds and commits; only then does the HTTP server stop.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sealane_core::{Label, Observation};
use sealane_detect::{Config, Watchlist, Zones};
use sealane_fuse::Detection;
use sealane_ingest::clean::Record;
use sealane_server::live::{LiveEvent, LivePosition};
use sealane_server::{App, Audience, Hub, Metrics, Products};
use sealane_share::Policy;
use sealane_share::oidc::OidcConfig;
use sealane_store::{EventFilter, Store};
use serde_json::{Value, json};

use crate::detect::{self, DetectConfig};
use crate::pipeline::{LiveHook, SourceConfig};

/// Builds the detectors' settings (zones and watchlists are rebuilt for each
/// audience's derivation).
pub type DetectorSetup = Arc<dyn Fn() -> Result<(Config, Zones, Watchlist)> + Send + Sync>;

/// Settings of the server.
#[derive(Clone)]
pub struct ServerConfig {
    /// The store file (created if missing).
    pub store: PathBuf,
    /// Address to listen on (`127.0.0.1:0` for any free port).
    pub listen: String,
    /// Releasability policy.
    pub policy: Policy,
    /// OIDC, when configured.
    pub oidc: Option<OidcConfig>,
    /// Detector settings.
    pub detectors: DetectorSetup,
    /// Satellite detections served (fused per audience).
    pub detections: Vec<Detection>,
    /// Batches kept for slow live clients.
    pub hub_capacity: usize,
}

/// A running HTTP server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its live hub.
    pub hub: Hub,
    /// Its metrics.
    pub metrics: Arc<Metrics>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Server {
    /// Opens (or creates) the store and starts serving it on a runtime of its own.
    pub fn start(cfg: ServerConfig) -> Result<Server> {
        drop(Store::open(&cfg.store).with_context(|| format!("opening store {}", cfg.store.display()))?);
        drop(sealane_share::open(&cfg.store).with_context(|| format!("opening {}", cfg.store.display()))?);
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::new(cfg.hub_capacity, metrics.clone());
        let products = Arc::new(StoreProducts {
            store: cfg.store.clone(),
            detectors: cfg.detectors.clone(),
            detections: cfg.detections.clone(),
            cache: Mutex::new(HashMap::new()),
        });
        let app = Arc::new(App {
            store: cfg.store.clone(),
            policy: cfg.policy.clone(),
            oidc: cfg.oidc.clone(),
            hub: hub.clone(),
            metrics: metrics.clone(),
            products,
            builtin_zones: builtin_zones(),
            lanes: Arc::new(lanes_geojson()),
        });
        let listener =
            std::net::TcpListener::bind(&cfg.listen).with_context(|| format!("listening on {}", cfg.listen))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("http".into()).spawn(move || -> Result<()> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("http-worker")
                .enable_all()
                .build()
                .context("starting the HTTP runtime")?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                sealane_server::serve(listener, app, async move {
                    let _ = rx.await;
                })
                .await
            })?;
            // Open WebSocket streams do not hold the process once the server is told to stop.
            rt.shutdown_timeout(Duration::from_secs(2));
            Ok(())
        })?;
        Ok(Server { addr, hub, metrics, shutdown: Some(tx), thread: Some(thread) })
    }

    /// The publisher the pipeline feeds.
    pub fn tap(&self) -> LiveHook {
        let tap = HubTap { hub: self.hub.clone(), metrics: self.metrics.clone() };
        LiveHook(Arc::new(move |records: &[Record], rejects: &[&'static str]| tap.arrived(records, rejects)))
    }

    /// A writer that publishes event JSON lines to the hub (and to `also`).
    pub fn event_sink<'a>(&self, also: &'a mut dyn Write) -> EventSink<'a> {
        EventSink { hub: self.hub.clone(), metrics: self.metrics.clone(), pending: Vec::new(), also }
    }

    /// Stops accepting, finishes in-flight requests and waits.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| anyhow::anyhow!("the HTTP thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Publishes arrived positions to the hub and counts them.
struct HubTap {
    hub: Hub,
    metrics: Arc<Metrics>,
}

impl HubTap {
    fn arrived(&self, records: &[Record], rejects: &[&'static str]) {
        let now = sealane_ingest::net::now_ms();
        let publish = self.hub.has_clients();
        let mut batch = Vec::with_capacity(if publish { records.len() } else { 0 });
        let (mut identities, mut positions) = (0, 0);
        let mut newest = i64::MIN;
        for r in records {
            match &r.obs {
                Observation::Position(p) if !publish => {
                    newest = newest.max(p.time_ms);
                    positions += 1;
                }
                Observation::Position(p) => {
                    newest = newest.max(p.time_ms);
                    positions += 1;
                    batch.push(LivePosition {
                        mmsi: p.mmsi,
                        time_ms: p.time_ms,
                        arrival_ms: now,
                        lat: p.lat,
                        lon: p.lon,
                        sog: p.sog,
                        cog: p.cog,
                        heading: p.heading,
                        source: r.origin.source,
                    })
                }
                Observation::Identity(_) => identities += 1,
            }
        }
        self.metrics.messages.add(records.len() as u64);
        self.metrics.positions.add(positions);
        self.metrics.identities.add(identities);
        if !rejects.is_empty() {
            let mut by: BTreeMap<&str, u64> = BTreeMap::new();
            for r in rejects {
                *by.entry(r).or_default() += 1;
            }
            self.metrics.add_rejects(by);
        }
        if newest > i64::MIN {
            self.metrics.pipeline_lag_ms.set(now - newest);
        }
        self.hub.positions(batch);
    }
}

/// Event JSON lines in, live events out.
pub struct EventSink<'a> {
    hub: Hub,
    metrics: Arc<Metrics>,
    pending: Vec<u8>,
    also: &'a mut dyn Write,
}

impl Write for EventSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.also.write_all(buf)?;
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// Publishes the complete lines written so far as one batch.
    fn flush(&mut self) -> std::io::Result<()> {
        let mut batch = Vec::new();
        while let Some(n) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=n).collect();
            if let Ok(v) = serde_json::from_slice::<Value>(&line) {
                batch.push(LiveEvent::new(&sealane_server::with_marking(v)));
            }
        }
        self.metrics.events.add(batch.len() as u64);
        self.hub.events(batch);
        self.also.flush()
    }
}

/// Products computed from the store for each audience, cached briefly (the
/// store of a live node changes with every commit).
struct StoreProducts {
    store: PathBuf,
    detectors: DetectorSetup,
    detections: Vec<Detection>,
    cache: Mutex<HashMap<(&'static str, String), Cached>>,
}

struct Cached {
    version: String,
    at: Instant,
    value: Arc<Vec<Value>>,
}

/// How long a derived product is served before it is derived again while the store keeps changing.
const FRESH: Duration = Duration::from_secs(5);

fn parse_lines(bytes: &[u8]) -> Vec<Value> {
    bytes.split(|&b| b == b'\n').filter_map(|l| serde_json::from_slice::<Value>(l).ok()).collect()
}

impl StoreProducts {
    fn version(&self) -> Result<String> {
        let conn = rusqlite::Connection::open_with_flags(&self.store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(conn.query_row(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM position_blocks) || '/' || (SELECT count(*) FROM events)
                 || '/' || (SELECT count(*) FROM identity) || '/' || (SELECT coalesce(max(rowid), 0) FROM share_releases)
                 || '/' || (SELECT coalesce(max(rowid), 0) FROM share_retractions)",
            [],
            |r| r.get(0),
        )?)
    }

    fn cached(
        &self,
        kind: &'static str,
        audience: &Audience,
        derive: impl FnOnce() -> Result<Vec<Value>>,
    ) -> Result<Arc<Vec<Value>>> {
        let key = (kind, audience.sources_key() + &detections_key(audience, &self.detections));
        let version = self.version()?;
        if let Some(c) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if c.version == version || c.at.elapsed() < FRESH {
                return Ok(c.value.clone());
            }
        }
        let value = Arc::new(derive()?);
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, Cached { version, at: Instant::now(), value: value.clone() });
        Ok(value)
    }

    fn readable_detections(&self, audience: &Audience) -> Vec<Detection> {
        self.detections.iter().filter(|d| audience.may_read_label(&d.label)).cloned().collect()
    }
}

/// Which detections an audience reads, as a cache key.
fn detections_key(audience: &Audience, detections: &[Detection]) -> String {
    let bits: String = detections.iter().map(|d| if audience.may_read_label(&d.label) { '1' } else { '0' }).collect();
    format!("|{bits}")
}

impl Products for StoreProducts {
    fn events(&self, audience: &Audience) -> Result<Arc<Vec<Value>>> {
        let fused = self.fused(audience)?;
        self.cached("events", audience, || {
            let mut events = match &audience.readable {
                None => {
                    let store = Store::open_read_only(&self.store)?;
                    let names = store.sources()?.into_iter().map(|(id, name, _, _)| (id, name)).collect();
                    detect::stored_event_values(&store.events(&EventFilter::default())?, names)
                }
                Some(sources) => {
                    // Filter first, then derive: the detectors over only what this audience may read.
                    let (config, zones, watchlist) = (self.detectors)()?;
                    let cfg = DetectConfig {
                        source: SourceConfig { progress: false, ..SourceConfig::default() },
                        store: Some(self.store.clone()),
                        config,
                        zones,
                        watchlist,
                        store_positions: false,
                        commit_interval: Duration::from_secs(1),
                        allowed_sources: Some(sources.clone()),
                    };
                    let mut out = Vec::new();
                    detect::run(cfg, &mut out, &mut std::io::sink(), Arc::new(AtomicBool::new(false)))?;
                    parse_lines(&out)
                }
            };
            events
                .extend(fused.iter().filter(|v| v.get("type").and_then(Value::as_str) == Some("dark_vessel")).cloned());
            Ok(events)
        })
    }

    fn fused(&self, audience: &Audience) -> Result<Arc<Vec<Value>>> {
        self.cached("fused", audience, || {
            let detections = self.readable_detections(audience);
            if detections.is_empty() {
                return Ok(Vec::new());
            }
            let cfg = crate::fuse::FuseRun {
                detections: Vec::new(),
                detections_label: Label::public_ais(),
                ais: SourceConfig { progress: false, ..SourceConfig::default() },
                store: Some(self.store.clone()),
                config: sealane_fuse::FuseConfig::default(),
                allowed_sources: audience.readable.clone(),
            };
            let mut out = Vec::new();
            crate::fuse::run_on(
                &cfg,
                detections,
                Vec::new(),
                &mut out,
                &mut std::io::sink(),
                Arc::new(AtomicBool::new(false)),
            )?;
            Ok(parse_lines(&out))
        })
    }

    fn scenes(&self, audience: &Audience) -> Result<Arc<Vec<Value>>> {
        let detections = self.readable_detections(audience);
        let rules = audience.policy.rules();
        Ok(Arc::new(
            sealane_fuse::scenes(&detections)
                .iter()
                .map(|s| {
                    let label = s
                        .detections
                        .iter()
                        .map(|&i| detections[i].label.clone())
                        .reduce(|a, b| rules.combine(&a, &b))
                        .unwrap_or_else(Label::public_ais);
                    let ring: Vec<[f64; 2]> = s.footprint.iter().map(|&(lon, lat)| [lon, lat]).collect();
                    json!({
                        "type": "Feature",
                        "id": s.id,
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                        "properties": {
                            "scene_id": s.id,
                            "time": sealane_core::time::format_rfc3339_ms(s.time_ms),
                            "sensor": s.detections.first().map(|&i| detections[i].sensor.clone()),
                            "detections": s.detections.len(),
                            "footprint_known": s.footprint_known,
                            "label": label,
                            "marking": label.marking(),
                        },
                    })
                })
                .collect(),
        ))
    }
}

/// The zones the detectors ship with, as GeoJSON features for the map.
fn builtin_zones() -> Value {
    let mut features = Vec::new();
    for (file, text) in sealane_detect::zone::DEFAULT_ZONE_FILES {
        let Ok(v) = serde_json::from_str::<Value>(text) else { continue };
        for (i, mut f) in
            v.get("features").and_then(Value::as_array).cloned().unwrap_or_default().into_iter().enumerate()
        {
            f["id"] = format!("builtin:{file}:{i}").into();
            if let Some(p) = f.get_mut("properties").and_then(Value::as_object_mut) {
                p.insert("builtin".into(), true.into());
                p.insert("marking".into(), Label::public_ais().marking().into());
            }
            features.push(f);
        }
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// searoute's network as GeoJSON LineStrings.
fn lanes_geojson() -> String {
    let features: Vec<Value> = sealane_track::routes::SEAROUTE_MARNET
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let coords: Vec<[f64; 2]> = l
                .split(';')
                .filter_map(|p| {
                    let mut it = p.split_whitespace().map(str::parse::<f64>);
                    Some([it.next()?.ok()?, it.next()?.ok()?])
                })
                .collect();
            json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": {}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// Settings of `sealane serve`.
pub struct ServeConfig {
    /// The server.
    pub server: ServerConfig,
    /// Live sources (none: serve the store as it is).
    pub source: SourceConfig,
    /// Commit what the sources bring at least this often.
    pub commit_interval: Duration,
}

/// Runs `sealane serve` until `stop`; messages to `err`.
pub fn run(cfg: ServeConfig, err: &mut dyn Write, stop: Arc<AtomicBool>) -> Result<()> {
    // Sources are known (with their labels) before the first reader asks what it may read.
    let mut store =
        Store::open(&cfg.server.store).with_context(|| format!("opening store {}", cfg.server.store.display()))?;
    for (kind, name, _) in cfg.source.describe() {
        store.source(&name, kind, &cfg.source.label)?;
    }
    drop(store);
    let server = Server::start(cfg.server.clone())?;
    writeln!(err, "sealane serve: http://{} (store {})", server.addr, cfg.server.store.display())?;
    if cfg.source.inputs.is_empty() {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
    } else {
        let (config, zones, watchlist) = (cfg.server.detectors)()?;
        let detect_cfg = DetectConfig {
            source: SourceConfig { live: Some(server.tap()), ..cfg.source },
            store: Some(cfg.server.store.clone()),
            config,
            zones,
            watchlist,
            store_positions: true,
            commit_interval: cfg.commit_interval,
            allowed_sources: None,
        };
        let mut sink_out = std::io::sink();
        let mut events = server.event_sink(&mut sink_out);
        let summary = detect::run(detect_cfg, &mut events, err, stop.clone())?;
        writeln!(
            err,
            "sealane serve: inputs ended or stopped: {} positions, {} vessels, {} events stored",
            summary.stats.positions, summary.vessels, summary.stored
        )?;
        // A node with finished inputs keeps serving what it stored.
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    server.stop()?;
    writeln!(err, "sealane serve: stopped")?;
    Ok(())
}
