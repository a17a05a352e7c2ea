//! `sealane fuse`: satellite detections against AIS from files or a store;
//! match results, "not seen" vessels and `dark_vessel` events as JSON lines.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sealane_core::time::format_rfc3339_ms;
use sealane_core::{Label, LabelRules, Observation};
use sealane_fuse::{
    AisIndex, AisPoint, Detection, FuseConfig, FuseResult, Outcome, Reject, Scene, fuse, read_csv, scenes,
};
use sealane_ingest::clean::Cleaned;
use sealane_store::{Bbox, Store};
use serde_json::{Value, json};

use crate::pipeline::{self, Consumer, SourceConfig};

/// Settings of one `fuse` run.
#[derive(Debug)]
pub struct FuseRun {
    /// Detection files.
    pub detections: Vec<PathBuf>,
    /// Label of detections whose file gives none (KSAT exports).
    pub detections_label: Label,
    /// AIS inputs (files or feeds), read through the ingest pipeline.
    pub ais: SourceConfig,
    /// Or a store to read AIS from.
    pub store: Option<PathBuf>,
    /// Association settings.
    pub config: FuseConfig,
    /// Reading a store: only records of these sources (the reader's readable sources).
    pub allowed_sources: Option<std::collections::BTreeSet<u32>>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct FuseSummary {
    /// Detections read.
    pub detections: usize,
    /// Rows rejected, with place and reason (all counted; the first shown).
    pub rejected: Vec<Reject>,
    /// Scenes.
    pub scenes: usize,
    /// Matched, dark, not seen.
    pub matched: usize,
    /// Dark detections.
    pub dark: usize,
    /// AIS vessels expected but not detected.
    pub not_seen: usize,
    /// AIS vessels and positions loaded.
    pub ais_vessels: usize,
    /// AIS positions loaded.
    pub ais_positions: usize,
    /// Time spent loading AIS.
    pub load: Duration,
    /// Time spent associating.
    pub associate: Duration,
}

/// Reads detection files.
pub fn read_detections(paths: &[PathBuf], label: &Label) -> Result<(Vec<Detection>, Vec<Reject>)> {
    let mut all = Vec::new();
    let mut rejects = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let (d, r) = read_csv(&text, &p.display().to_string(), label).map_err(anyhow::Error::msg)?;
        all.extend(d);
        rejects.extend(r);
    }
    Ok((all, rejects))
}

/// Loads AIS from the pipeline into an index.
pub struct Loader<'a> {
    index: &'a mut AisIndex,
    label: Label,
}

impl<'a> Loader<'a> {
    /// Records go into `index` with `label`.
    pub fn new(index: &'a mut AisIndex, label: Label) -> Loader<'a> {
        Loader { index, label }
    }
}

impl Consumer for Loader<'_> {
    fn name(&self) -> &'static str {
        "fuse"
    }

    fn record(&mut self, c: Cleaned) -> Result<()> {
        match &c.record.obs {
            Observation::Position(p) => {
                self.index.push(p.mmsi, point(p), &self.label);
                if p.nav_status == Some(NAV_FISHING) {
                    self.index.set_fishing(p.mmsi, &self.label);
                }
            }
            Observation::Identity(i) => {
                if let Some(l) = i.length_m().filter(|&l| l > 0) {
                    self.index.set_length(i.mmsi, l as f32, &self.label);
                }
                if i.shiptype == Some(SHIPTYPE_FISHING) {
                    self.index.set_fishing(i.mmsi, &self.label);
                }
            }
        }
        Ok(())
    }
}

/// ITU-R M.1371 navigational status "engaged in fishing".
const NAV_FISHING: u8 = 7;
/// ITU-R M.1371 type of ship "fishing".
const SHIPTYPE_FISHING: u8 = 30;

/// The fusion view of a position.
pub fn point(p: &sealane_core::Position) -> AisPoint {
    AisPoint { t: p.time_ms, lat: p.lat, lon: p.lon, sog: p.sog.unwrap_or(f32::NAN), cog: p.cog.unwrap_or(f32::NAN) }
}

fn load_store(
    path: &PathBuf,
    scenes: &[Scene],
    window_ms: i64,
    allowed: Option<&std::collections::BTreeSet<u32>>,
    index: &mut AisIndex,
) -> Result<()> {
    let allowed_id = |s: u32| allowed.is_none_or(|a| a.contains(&s));
    let store = Store::open_read_only(path).with_context(|| format!("opening store {}", path.display()))?;
    let labels: std::collections::HashMap<u32, Label> =
        store.sources()?.into_iter().map(|(id, _, _, label)| (id, label)).collect();
    let public = Label::public_ais();
    for s in scenes {
        let (mut w, mut so, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in &s.footprint {
            (w, so, e, n) = (w.min(x), so.min(y), e.max(x), n.max(y));
        }
        // Vessels move: take AIS from a margin around the footprint.
        let m = 2.0;
        let bbox = Bbox { west: w - m, south: so - m, east: e + m, north: n + m };
        for p in store.area(bbox, s.time_ms - window_ms, s.time_ms + window_ms)? {
            let Some(seen) = std::iter::once(&p.provenance).chain(&p.also).find(|a| allowed_id(a.source)) else {
                continue;
            };
            let label = labels.get(&seen.source).unwrap_or(&public);
            index.push(p.mmsi, point(&p.to_position()), label);
            if p.nav_status() == Some(NAV_FISHING) {
                index.set_fishing(p.mmsi, label);
            }
        }
    }
    for row in store.identity_rows()?.into_iter().filter(|r| allowed_id(r.source)) {
        let label = labels.get(&row.source).unwrap_or(&public);
        if let Some(l) = row.fields.length_m().filter(|&l| l > 0) {
            index.set_length(row.fields.mmsi, l as f32, label);
        }
        if row.fields.shiptype == Some(SHIPTYPE_FISHING) {
            index.set_fishing(row.fields.mmsi, label);
        }
    }
    Ok(())
}

/// The JSON lines of a result: one `sar_match` per detection, one `not_seen`
/// per vessel expected but not detected, and the `dark_vessel` events.
pub fn write_results(out: &mut dyn Write, d: &[Detection], r: &FuseResult) -> Result<()> {
    for res in &r.results {
        let det = &d[res.detection];
        let mut v = json!({
            "type": "sar_match",
            "detection_id": det.id,
            "scene_id": det.scene_id,
            "sensor": det.sensor,
            "time": format_rfc3339_ms(det.time_ms),
            "lat": det.lat,
            "lon": det.lon,
            "length_m": det.length_m,
            "label": res.label,
            "marking": res.label.marking(),
        });
        let m = v.as_object_mut().expect("an object");
        match &res.outcome {
            Outcome::Matched { mmsi, score, distance_m, projection } => {
                m.insert("result".into(), json!("matched"));
                m.insert("mmsi".into(), json!(mmsi));
                m.insert("score".into(), json!((score * 1000.0).round() / 1000.0));
                m.insert("distance_m".into(), json!(distance_m.round()));
                m.insert("sigma_m".into(), json!(projection.sigma_m.round()));
                m.insert("ais_dt_s".into(), json!(projection.dt_s.round()));
                m.insert(
                    "method".into(),
                    json!(if projection.interpolated { "interpolated" } else { "dead_reckoned" }),
                );
            }
            Outcome::Dark { confidence, possible_sts_with } => {
                m.insert("result".into(), json!("dark"));
                m.insert("mmsi".into(), Value::Null);
                m.insert("confidence".into(), json!((confidence * 1000.0).round() / 1000.0));
                if !possible_sts_with.is_empty() {
                    m.insert("possible_sts_with".into(), json!(possible_sts_with));
                }
            }
        }
        writeln!(out, "{v}")?;
    }
    for n in &r.not_seen {
        let v = json!({
            "type": "not_seen",
            "scene_id": n.scene_id,
            "time": format_rfc3339_ms(n.time_ms),
            "mmsi": n.mmsi,
            "lat": n.projection.lat,
            "lon": n.projection.lon,
            "sigma_m": n.projection.sigma_m.round(),
            "length_m": n.length_m,
            "label": n.label,
            "marking": n.label.marking(),
        });
        writeln!(out, "{v}")?;
    }
    for e in &r.events {
        writeln!(out, "{}", crate::detect::event_value(e, Vec::new()))?;
    }
    Ok(())
}

/// Runs fusion; JSON lines to `out`, diagnostics to `err`.
pub fn run(cfg: &FuseRun, out: &mut dyn Write, err: &mut dyn Write, stop: Arc<AtomicBool>) -> Result<FuseSummary> {
    let (detections, rejected) = read_detections(&cfg.detections, &cfg.detections_label)?;
    run_on(cfg, detections, rejected, out, err, stop)
}

/// Runs fusion on detections already read (e.g. only those an audience may read).
pub fn run_on(
    cfg: &FuseRun,
    detections: Vec<Detection>,
    rejected: Vec<Reject>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stop: Arc<AtomicBool>,
) -> Result<FuseSummary> {
    for r in rejected.iter().take(10) {
        writeln!(err, "sealane fuse: {}: {}", r.place, r.reason)?;
    }
    if detections.is_empty() {
        bail!("no detections read from {} file(s)", cfg.detections.len());
    }
    let scenes = scenes(&detections);
    let started = Instant::now();
    let mut index = AisIndex::new();
    match (&cfg.store, cfg.ais.inputs.is_empty()) {
        (Some(path), true) => {
            load_store(path, &scenes, cfg.config.window_ms, cfg.allowed_sources.as_ref(), &mut index)?
        }
        (None, false) => {
            let sources: Vec<u32> = (0..cfg.ais.inputs.len() as u32).collect();
            let mut loader = Loader { index: &mut index, label: cfg.ais.label.clone() };
            pipeline::run(&cfg.ais, &sources, None, &mut loader, err, stop)?;
        }
        (Some(_), false) => bail!("give AIS inputs or --store, not both"),
        (None, true) => {
            writeln!(err, "sealane fuse: no AIS given: every detection is unexplained")?;
        }
    }
    index.finish();
    let load = started.elapsed();
    let started = Instant::now();
    let result = fuse(&detections, &scenes, &index, &cfg.config, &LabelRules::default());
    let associate = started.elapsed();
    write_results(out, &detections, &result)?;
    let matched = result.results.iter().filter(|r| matches!(r.outcome, Outcome::Matched { .. })).count();
    Ok(FuseSummary {
        detections: detections.len(),
        rejected,
        scenes: scenes.len(),
        matched,
        dark: detections.len() - matched,
        not_seen: result.not_seen.len(),
        ais_vessels: index.len(),
        ais_positions: index.positions(),
        load,
        associate,
    })
}

/// Writes the end-of-run summary.
pub fn write_summary(err: &mut dyn Write, s: &FuseSummary) -> Result<()> {
    writeln!(
        err,
        "sealane fuse: {} detections in {} scenes against {} AIS positions of {} vessels: {} matched, {} dark, {} AIS vessels not seen; association {:.3} s (loading {:.2} s)",
        s.detections,
        s.scenes,
        s.ais_positions,
        s.ais_vessels,
        s.matched,
        s.dark,
        s.not_seen,
        s.associate.as_secs_f64(),
        s.load.as_secs_f64()
    )?;
    if !s.rejected.is_empty() {
        writeln!(err, "  rejected rows: {}", s.rejected.len())?;
    }
    Ok(())
}
