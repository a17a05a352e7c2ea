//! Sealane's satellite fusion: every ship a SAR scene saw is either explained
//! by an AIS track or flagged as dark.
//!
//! For each scene, AIS tracks near the scene time (within `window`) are
//! projected to that time: interpolated where the vessel reported on both
//! sides, dead-reckoned from the nearest report otherwise. The position
//! uncertainty grows with the time to the nearest report and the vessel's
//! speed; SAR's azimuth shift of moving vessels (unknown without the scene
//! geometry) widens it further. Pairs are gated by distance (a number of
//! standard deviations) and by length consistency, scored by likelihood, and
//! assigned one to one per scene (Hungarian method, per connected component of
//! the gated pairs). Unassigned detections are dark; AIS vessels that should
//! have been inside the footprint but were not detected are "not seen".

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod assign;
pub mod detection;

use std::collections::HashMap;

use sealane_core::geo::{M_PER_DEG, destination, distance_m, lerp};
use sealane_core::{Event, EventKind, Label, LabelRules};
use serde_json::{Value, json};

pub use crate::detection::{Detection, Reject, Scene, read_csv, scenes};

const KN: f64 = 1852.0 / 3600.0;

/// Association settings (defaults after GFW and Skylight; see DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FuseConfig {
    /// AIS considered around the scene time, ms (GFW: 9 h).
    pub window_ms: i64,
    /// Position uncertainty of an AIS report itself, metres.
    pub ais_sigma_m: f64,
    /// SAR position error (one standard deviation), metres.
    pub sar_sigma_m: f64,
    /// Growth of uncertainty when interpolating, as a share of the distance run since the nearest report.
    pub interp_growth: f64,
    /// Growth when dead reckoning, as a share of the distance run.
    pub reckon_growth: f64,
    /// Seconds of SAR azimuth shift per m/s of radial speed (range over platform speed;
    /// about 110 s for RADARSAT-2); half of it widens the gate of moving vessels.
    pub azimuth_s: f64,
    /// Gate, standard deviations.
    pub gate_sigmas: f64,
    /// Gate, never wider than this, metres.
    pub max_gate_m: f64,
    /// Lengths further apart than this ratio (either way) never match.
    pub max_length_ratio: f64,
    /// A dark detection this close to an AIS vessel stopped at sea is a possible dark transfer, metres.
    pub sts_radius_m: f64,
    /// "Stopped": below this speed, knots.
    pub stopped_kn: f64,
    /// Vessels whose projection is this uncertain are not expected to be seen, metres.
    pub not_seen_max_sigma_m: f64,
    /// Dark detections at least this confident become `dark_vessel` events (every
    /// detection is reported in the match results whatever its confidence).
    pub min_dark_confidence: f64,
    /// Interpolate between two reports only if dead reckoning from the first lands within
    /// this distance of the second, metres.
    pub max_line_mismatch_m: f64,
    /// Expected density of vessels without AIS and false alarms, per km²: a track explains a
    /// detection only where its own density there is higher.
    pub dark_density_per_km2: f64,
}

impl Default for FuseConfig {
    fn default() -> Self {
        FuseConfig {
            window_ms: 9 * 3_600_000,
            ais_sigma_m: 100.0,
            sar_sigma_m: 200.0,
            interp_growth: 0.1,
            reckon_growth: 0.3,
            azimuth_s: 110.0,
            gate_sigmas: 4.0,
            max_gate_m: 50_000.0,
            max_length_ratio: 2.5,
            sts_radius_m: 1_000.0,
            stopped_kn: 1.0,
            not_seen_max_sigma_m: 2_000.0,
            dark_density_per_km2: 1e-4,
            max_line_mismatch_m: 1_000.0,
            min_dark_confidence: 0.5,
        }
    }
}

/// One AIS report as fusion needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisPoint {
    /// Time, ms.
    pub t: i64,
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Speed over ground, knots (NaN unknown).
    pub sog: f32,
    /// Course over ground, degrees (NaN unknown).
    pub cog: f32,
}

/// One vessel's reports.
#[derive(Debug, Clone, PartialEq)]
pub struct AisTrack {
    /// MMSI.
    pub mmsi: u32,
    /// Reports in time order.
    pub points: Vec<AisPoint>,
    /// Length from static data, metres.
    pub length_m: Option<f32>,
    /// Reported as fishing (ship type 30, or navigational status 7 "engaged in fishing").
    pub fishing: bool,
    /// Index of its label in the index's labels.
    pub label: u32,
}

/// AIS tracks indexed by 1-degree cell and hour.
#[derive(Debug, Default)]
pub struct AisIndex {
    tracks: Vec<AisTrack>,
    by_mmsi: HashMap<u32, u32>,
    labels: Vec<Label>,
    cells: HashMap<(i16, i16, i32), Vec<u32>>,
}

const HOUR: i64 = 3_600_000;

fn cell(lat: f64, lon: f64) -> (i16, i16) {
    (lat.floor() as i16, lon.floor() as i16)
}

impl AisIndex {
    /// An empty index.
    pub fn new() -> AisIndex {
        AisIndex::default()
    }

    fn label_id(&mut self, label: &Label) -> u32 {
        match self.labels.iter().position(|l| l == label) {
            Some(i) => i as u32,
            None => {
                self.labels.push(label.clone());
                self.labels.len() as u32 - 1
            }
        }
    }

    fn track(&mut self, mmsi: u32, label: &Label) -> &mut AisTrack {
        let label = self.label_id(label);
        let i = *self.by_mmsi.entry(mmsi).or_insert_with(|| {
            self.tracks.push(AisTrack { mmsi, points: Vec::new(), length_m: None, fishing: false, label });
            self.tracks.len() as u32 - 1
        });
        &mut self.tracks[i as usize]
    }

    /// Adds a report.
    pub fn push(&mut self, mmsi: u32, p: AisPoint, label: &Label) {
        self.track(mmsi, label).points.push(p);
    }

    /// Sets a vessel's length (from static data).
    pub fn set_length(&mut self, mmsi: u32, length_m: f32, label: &Label) {
        self.track(mmsi, label).length_m = Some(length_m);
    }

    /// Marks a vessel as fishing (ship type 30, or navigational status 7).
    pub fn set_fishing(&mut self, mmsi: u32, label: &Label) {
        self.track(mmsi, label).fishing = true;
    }

    /// Sorts the reports and builds the cell index; call after the last push.
    pub fn finish(&mut self) {
        self.cells.clear();
        for (i, t) in self.tracks.iter_mut().enumerate() {
            t.points.sort_by_key(|p| p.t);
            t.points.dedup_by_key(|p| p.t);
            let mut last = None;
            for p in &t.points {
                let key = {
                    let (a, b) = cell(p.lat, p.lon);
                    (a, b, p.t.div_euclid(HOUR) as i32)
                };
                if last != Some(key) {
                    self.cells.entry(key).or_default().push(i as u32);
                    last = Some(key);
                }
            }
        }
        for v in self.cells.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
    }

    /// A copy keeping only the reports `keep` accepts (for benchmarks that thin AIS).
    pub fn filtered(&self, keep: impl Fn(u32, &AisPoint) -> bool) -> AisIndex {
        let mut out = AisIndex::new();
        for t in &self.tracks {
            let label = &self.labels[t.label as usize];
            for p in t.points.iter().filter(|p| keep(t.mmsi, p)) {
                out.push(t.mmsi, *p, label);
            }
            if let Some(l) = t.length_m {
                out.set_length(t.mmsi, l, label);
            }
            if t.fishing {
                out.set_fishing(t.mmsi, label);
            }
        }
        out.finish();
        out
    }

    /// Vessels indexed.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Reports indexed.
    pub fn positions(&self) -> usize {
        self.tracks.iter().map(|t| t.points.len()).sum()
    }

    /// A track by index.
    pub fn get(&self, i: usize) -> &AisTrack {
        &self.tracks[i]
    }

    /// Tracks with a report in a cell of `bbox` (W, S, E, N), widened by `margin` degrees, within `[from, to]`.
    fn candidates(&self, bbox: [f64; 4], margin: f64, from: i64, to: i64, out: &mut Vec<u32>) {
        out.clear();
        let (s, w) = cell(bbox[1] - margin, bbox[0] - margin);
        let (n, e) = cell(bbox[3] + margin, bbox[2] + margin);
        for h in from.div_euclid(HOUR)..=to.div_euclid(HOUR) {
            for a in s..=n {
                for b in w..=e {
                    if let Some(v) = self.cells.get(&(a, b, h as i32)) {
                        out.extend_from_slice(v);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// A track projected to a scene time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Projected position.
    pub lat: f64,
    /// Projected position.
    pub lon: f64,
    /// Total standard deviation (AIS, growth, azimuth, SAR), metres.
    pub sigma_m: f64,
    /// Time to the nearest report, seconds.
    pub dt_s: f64,
    /// Speed used, knots.
    pub speed_kn: f64,
    /// Course, degrees (NaN unknown).
    pub course: f64,
    /// Interpolated (reports on both sides) rather than dead-reckoned.
    pub interpolated: bool,
}

/// Projects `track` to `t`, or None without a report within the window.
pub fn project(track: &AisTrack, t: i64, cfg: &FuseConfig) -> Option<Projection> {
    let pts = &track.points;
    let i = pts.partition_point(|p| p.t <= t);
    let prev = i.checked_sub(1).map(|k| pts[k]).filter(|p| t - p.t <= cfg.window_ms);
    let next = pts.get(i).copied().filter(|p| p.t - t <= cfg.window_ms);
    let sar = cfg.sar_sigma_m;
    // A fishing vessel works a ground: hours after its last report, where it has
    // been around the scene time says more than its last course does. Its ground
    // (reports on both sides of `t`) is a second estimate, combined with the
    // motion's as two Gaussians are (a weighted mean; the spread narrows).
    let ground = if track.fishing { fishing_ground(pts, t, cfg.window_ms) } else { None };
    let finish = |lat: f64, lon: f64, growth: f64, dt_s: f64, speed_mps: f64, course: f64, interpolated: bool| {
        let (mut lat, mut lon, mut growth) = (lat, lon, growth);
        if let Some((clat, clon, spread)) = ground {
            let sh = spread.max(MIN_GROUND_SIGMA_M);
            let sg = cfg.ais_sigma_m + growth;
            let w = sh * sh / (sh * sh + sg * sg);
            lat = w * lat + (1.0 - w) * clat;
            lon = w * lon + (1.0 - w) * clon;
            growth = (sg * sh / (sg * sg + sh * sh).sqrt() - cfg.ais_sigma_m).max(0.0);
        }
        let az = 0.5 * cfg.azimuth_s * speed_mps;
        let sigma = ((cfg.ais_sigma_m + growth).powi(2) + az * az + sar * sar).sqrt();
        Projection { lat, lon, sigma_m: sigma, dt_s, speed_kn: speed_mps / KN, course, interpolated }
    };
    // Reports on both sides whose course and speed lead from one to the other: interpolate.
    // Otherwise (the vessel turned, stopped or fished in between) the nearer report, dead
    // reckoned, is the better guess.
    let on_line = |a: &AisPoint, b: &AisPoint| {
        !(a.sog.is_finite() && a.cog.is_finite()) || {
            let span_s = (b.t - a.t) as f64 / 1000.0;
            let (la, lo) = destination(a.lat, a.lon, a.cog as f64, a.sog as f64 * KN * span_s);
            distance_m(la, lo, b.lat, b.lon) <= cfg.max_line_mismatch_m
        }
    };
    let (prev, next) = match (prev, next) {
        (Some(a), Some(b)) if !on_line(&a, &b) => {
            if t - a.t <= b.t - t {
                (Some(a), None)
            } else {
                (None, Some(b))
            }
        }
        other => other,
    };
    match (prev, next) {
        (Some(a), Some(b)) if b.t > a.t => {
            let f = (t - a.t) as f64 / (b.t - a.t) as f64;
            let (lat, lon) = lerp(a.lat, a.lon, b.lat, b.lon, f);
            let span_s = (b.t - a.t) as f64 / 1000.0;
            let chord = distance_m(a.lat, a.lon, b.lat, b.lon) / span_s;
            let reported = [a.sog, b.sog].iter().filter(|s| s.is_finite()).fold(0.0f64, |m, &s| m.max(s as f64 * KN));
            let speed = chord.max(reported);
            let dt_s = ((t - a.t).min(b.t - t)) as f64 / 1000.0;
            // A vessel may leave the straight line between reports: more so the longer it ran,
            // and much more when its own course and speed did not lead from one report to the
            // next (it turned, stopped or fished in between). That mismatch, largest mid-gap,
            // measures how far off the line it may be.
            let mismatch = if a.sog.is_finite() && a.cog.is_finite() {
                let (la, lo) = destination(a.lat, a.lon, a.cog as f64, a.sog as f64 * KN * span_s);
                distance_m(la, lo, b.lat, b.lon)
            } else {
                0.0
            };
            let growth = cfg.interp_growth * dt_s * speed.max(0.5) + mismatch * f.min(1.0 - f);
            let course = sealane_core::geo::bearing_deg(a.lat, a.lon, b.lat, b.lon);
            Some(finish(lat, lon, growth, dt_s, chord, course, true))
        }
        (Some(p), _) | (None, Some(p)) => {
            let dt_s = (t - p.t) as f64 / 1000.0;
            let (lat, lon, speed) = if p.sog.is_finite() && p.cog.is_finite() {
                let v = p.sog as f64 * KN;
                let (lat, lon) = destination(p.lat, p.lon, p.cog as f64, v * dt_s);
                (lat, lon, v)
            } else {
                // Unknown motion: where it was, with the uncertainty of a 10-knot vessel.
                (p.lat, p.lon, 10.0 * KN)
            };
            let growth = cfg.reckon_growth * dt_s.abs() * speed.max(0.5) + 0.25 * dt_s.abs();
            Some(finish(lat, lon, growth, dt_s.abs(), speed, p.cog as f64, false))
        }
        _ => None,
    }
}

/// The narrowest a fishing ground's spread is taken to be, metres.
const MIN_GROUND_SIGMA_M: f64 = 1_000.0;

/// Where a fishing vessel worked around `t`: the centroid of its reports within
/// the window and their spread (standard deviation per axis, metres); None
/// unless it reported at least four times, on both sides of `t`.
fn fishing_ground(pts: &[AisPoint], t: i64, window_ms: i64) -> Option<(f64, f64, f64)> {
    let lo = pts.partition_point(|p| p.t < t - window_ms);
    let hi = pts.partition_point(|p| p.t <= t + window_ms);
    let w = &pts[lo..hi];
    if w.len() < 4 || w[0].t > t || w[w.len() - 1].t < t {
        return None;
    }
    // Tracks crossing the antimeridian have no meaningful mean longitude here.
    if w.iter().any(|p| (p.lon - w[0].lon).abs() > 180.0) {
        return None;
    }
    let n = w.len() as f64;
    let (clat, clon) = w.iter().fold((0.0, 0.0), |(a, b), p| (a + p.lat, b + p.lon));
    let (clat, clon) = (clat / n, clon / n);
    let k = clat.to_radians().cos();
    let ss: f64 = w
        .iter()
        .map(|p| {
            let (dy, dx) = ((p.lat - clat) * M_PER_DEG, (p.lon - clon) * M_PER_DEG * k);
            dx * dx + dy * dy
        })
        .sum();
    Some((clat, clon, (ss / (2.0 * (n - 1.0))).sqrt()))
}

/// What became of one detection.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Explained by an AIS vessel.
    Matched {
        /// The vessel.
        mmsi: u32,
        /// Match quality 0-1 (position and length likelihood).
        score: f64,
        /// Distance from the projected position, metres.
        distance_m: f64,
        /// The projection used.
        projection: Projection,
    },
    /// No AIS vessel explains it.
    Dark {
        /// 0-1: the detection's own confidence times the chance no candidate explains it.
        confidence: f64,
        /// AIS vessels stopped beside it: a possible dark ship-to-ship transfer.
        possible_sts_with: Vec<u32>,
    },
}

/// The result for one detection.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionResult {
    /// Index into the detections.
    pub detection: usize,
    /// Outcome.
    pub outcome: Outcome,
    /// Label: the detection's, combined with the matched track's.
    pub label: Label,
}

/// An AIS vessel expected inside a footprint but not detected.
#[derive(Debug, Clone, PartialEq)]
pub struct NotSeen {
    /// Scene id.
    pub scene_id: String,
    /// Scene time.
    pub time_ms: i64,
    /// The vessel.
    pub mmsi: u32,
    /// Its length, if known.
    pub length_m: Option<f32>,
    /// Where it should have been.
    pub projection: Projection,
    /// The track's label.
    pub label: Label,
}

/// Everything a fusion run produced.
#[derive(Debug, Clone, Default)]
pub struct FuseResult {
    /// One per detection, in input order.
    pub results: Vec<DetectionResult>,
    /// AIS vessels not seen.
    pub not_seen: Vec<NotSeen>,
    /// `dark_vessel` events.
    pub events: Vec<Event>,
}

struct Candidate {
    track: u32,
    projection: Projection,
}

/// Probability that `track` (projected to `p`) explains detection `d`, and the distance;
/// None outside the gates or when "a vessel without AIS" explains it better.
fn quality(d: &Detection, p: &Projection, track: &AisTrack, cfg: &FuseConfig) -> Option<Pair> {
    let dist = distance_m(d.lat, d.lon, p.lat, p.lon);
    if dist > (cfg.gate_sigmas * p.sigma_m).min(cfg.max_gate_m) {
        return None;
    }
    // Density of the detection under "it is this vessel" (a 2-D Gaussian around the
    // projection, per square metre): a vague projection explains a detection less well.
    let mut density = (-0.5 * (dist / p.sigma_m).powi(2)).exp() / (std::f64::consts::TAU * p.sigma_m * p.sigma_m);
    if let (Some(ls), Some(la)) = (d.length_m, track.length_m.map(f64::from)) {
        if la > 0.0 && ls > 0.0 {
            let r = ls / la;
            if r > cfg.max_length_ratio || r < 1.0 / cfg.max_length_ratio {
                return None;
            }
            density *= (-0.5 * ((ls - la) / (0.25 * la + 10.0)).powi(2)).exp();
        }
    }
    // SAR heading is ambiguous by 180 degrees; under way, it should follow the course.
    if let Some(h) = d.heading.filter(|_| p.speed_kn >= 3.0 && p.course.is_finite()) {
        let diff = (h - p.course).rem_euclid(180.0);
        let diff = diff.min(180.0 - diff);
        density *= (-0.5 * (diff / 30.0).powi(2)).exp();
    }
    // Against "it is some vessel without AIS (or a false alarm)", uniform at `dark_density`:
    // the probability that this vessel explains the detection.
    let lambda = cfg.dark_density_per_km2 / 1e6;
    let q = density / (density + lambda);
    (q >= 0.5).then_some(Pair { q, llr: (density / lambda).ln(), dist })
}

/// A gated (detection, candidate) pair.
#[derive(Debug, Clone, Copy)]
struct Pair {
    /// Probability that the candidate explains the detection.
    q: f64,
    /// Log-likelihood ratio against "a vessel without AIS" (>= 0 for gated pairs).
    llr: f64,
    /// Distance, metres.
    dist: f64,
}

/// Fuses `detections` (grouped into `scenes`) with `ais`.
pub fn fuse(
    detections: &[Detection],
    scenes: &[Scene],
    ais: &AisIndex,
    cfg: &FuseConfig,
    rules: &LabelRules,
) -> FuseResult {
    let mut out = FuseResult {
        results: detections
            .iter()
            .enumerate()
            .map(|(i, d)| DetectionResult {
                detection: i,
                outcome: Outcome::Dark { confidence: d.confidence, possible_sts_with: Vec::new() },
                label: d.label.clone(),
            })
            .collect(),
        ..FuseResult::default()
    };
    let mut ids = Vec::new();
    for scene in scenes {
        let t = scene.time_ms;
        let fp = &scene.footprint;
        let bbox = fp.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, &(x, y)| {
            [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
        });
        ais.candidates(bbox, 1.0, t - cfg.window_ms, t + cfg.window_ms, &mut ids);
        // Project every candidate; keep those that could be in the footprint.
        let mut cands: Vec<Candidate> = Vec::new();
        for &k in &ids {
            let track = &ais.tracks[k as usize];
            if let Some(p) = project(track, t, cfg) {
                let margin = (cfg.gate_sigmas * p.sigma_m).min(cfg.max_gate_m) / 111_000.0;
                if p.lat >= bbox[1] - margin
                    && p.lat <= bbox[3] + margin
                    && p.lon >= bbox[0] - margin
                    && p.lon <= bbox[2] + margin
                {
                    cands.push(Candidate { track: k, projection: p });
                }
            }
        }
        // Gated pairs, on a grid of the candidates' projected positions.
        let mut grid: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
        let gcell = |lat: f64, lon: f64| ((lat * 10.0).floor() as i32, (lon * 10.0).floor() as i32);
        for (c, cand) in cands.iter().enumerate() {
            let m = ((cfg.gate_sigmas * cand.projection.sigma_m).min(cfg.max_gate_m) / 11_100.0).ceil() as i32;
            let (a, b) = gcell(cand.projection.lat, cand.projection.lon);
            for x in a - m..=a + m {
                for y in b - m..=b + m {
                    grid.entry((x, y)).or_default().push(c);
                }
            }
        }
        let mut pairs: Vec<(usize, usize, Pair)> = Vec::new(); // (detection, candidate, pair)
        for &di in &scene.detections {
            let d = &detections[di];
            if let Some(list) = grid.get(&gcell(d.lat, d.lon)) {
                for &c in list {
                    let cand = &cands[c];
                    if let Some(pair) = quality(d, &cand.projection, &ais.tracks[cand.track as usize], cfg) {
                        pairs.push((di, c, pair));
                    }
                }
            }
        }
        // Connected components of the gated pairs, each assigned on its own.
        let assigned = assign_components(&pairs);
        let mut matched_cands = vec![false; cands.len()];
        for &(_, c, _) in &assigned {
            matched_cands[c] = true;
        }
        // What could explain a detection left over: candidates not taken by another detection.
        let mut best_free: HashMap<usize, f64> = HashMap::new();
        for &(di, c, pair) in &pairs {
            if !matched_cands[c] {
                let e = best_free.entry(di).or_insert(0.0);
                *e = e.max(pair.q);
            }
        }
        for &(di, c, Pair { q, dist, .. }) in &assigned {
            let cand = &cands[c];
            let track = &ais.tracks[cand.track as usize];
            let r = &mut out.results[di];
            r.label = rules.combine(&detections[di].label, &ais.labels[track.label as usize]);
            r.outcome = Outcome::Matched { mmsi: track.mmsi, score: q, distance_m: dist, projection: cand.projection };
        }
        for &di in &scene.detections {
            let d = &detections[di];
            if matches!(out.results[di].outcome, Outcome::Matched { .. }) {
                continue;
            }
            let explained = best_free.get(&di).copied().unwrap_or(0.0);
            let confidence = d.confidence * (1.0 - explained);
            let mut label = d.label.clone();
            let mut sts = Vec::new();
            for cand in &cands {
                let p = &cand.projection;
                if p.speed_kn < cfg.stopped_kn
                    && distance_m(d.lat, d.lon, p.lat, p.lon) <= cfg.sts_radius_m + 2.0 * cfg.sar_sigma_m
                {
                    let track = &ais.tracks[cand.track as usize];
                    sts.push(track.mmsi);
                    label = rules.combine(&label, &ais.labels[track.label as usize]);
                }
            }
            sts.sort_unstable();
            let mut details = serde_json::Map::new();
            details.insert("scene_id".into(), json!(d.scene_id));
            details.insert("detection_id".into(), json!(d.id));
            details.insert("sensor".into(), json!(d.sensor));
            details.insert("length_m".into(), d.length_m.map_or(Value::Null, |l| json!((l * 10.0).round() / 10.0)));
            if !sts.is_empty() {
                details.insert("possible_sts_with".into(), json!(sts));
            }
            if confidence >= cfg.min_dark_confidence {
                out.events.push(Event {
                    id: Event::make_id(EventKind::DarkVessel, &[], d.time_ms, &d.id),
                    kind: EventKind::DarkVessel,
                    start_ms: d.time_ms,
                    end_ms: d.time_ms,
                    mmsi: Vec::new(),
                    lat: d.lat,
                    lon: d.lon,
                    confidence: (confidence * 1000.0).round() / 1000.0,
                    label: label.clone(),
                    details,
                    evidence: Vec::new(),
                });
            }
            out.results[di].label = label;
            out.results[di].outcome = Outcome::Dark { confidence, possible_sts_with: sts };
        }
        for (c, cand) in cands.iter().enumerate() {
            let p = &cand.projection;
            if !matched_cands[c] && p.sigma_m <= cfg.not_seen_max_sigma_m && detection::contains(fp, p.lat, p.lon) {
                let track = &ais.tracks[cand.track as usize];
                out.not_seen.push(NotSeen {
                    scene_id: scene.id.clone(),
                    time_ms: t,
                    mmsi: track.mmsi,
                    length_m: track.length_m,
                    projection: *p,
                    label: ais.labels[track.label as usize].clone(),
                });
            }
        }
    }
    out
}

/// One-to-one assignment maximising the joint likelihood (the sum of the
/// pairs' log-likelihood ratios) within each connected component of the
/// gated pairs; returns the assigned (detection, candidate, pair).
fn assign_components(pairs: &[(usize, usize, Pair)]) -> Vec<(usize, usize, Pair)> {
    // Union-find over detections (left) and candidates (right, offset).
    let mut dets: HashMap<usize, usize> = HashMap::new();
    let mut cands: HashMap<usize, usize> = HashMap::new();
    for &(d, c, _) in pairs {
        let n = dets.len();
        dets.entry(d).or_insert(n);
        let n = cands.len();
        cands.entry(c).or_insert(n);
    }
    let nd = dets.len();
    let mut parent: Vec<usize> = (0..nd + cands.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for &(d, c, _) in pairs {
        let (a, b) = (find(&mut parent, dets[&d]), find(&mut parent, nd + cands[&c]));
        parent[a] = b;
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, &(d, _, _)) in pairs.iter().enumerate() {
        let root = find(&mut parent, dets[&d]);
        groups.entry(root).or_default().push(k);
    }
    let mut roots: Vec<_> = groups.into_iter().collect();
    roots.sort_unstable_by_key(|(r, _)| *r);
    let mut out = Vec::new();
    for (_, ks) in roots {
        let mut rows: Vec<usize> = ks.iter().map(|&k| pairs[k].0).collect();
        rows.sort_unstable();
        rows.dedup();
        let mut cols: Vec<usize> = ks.iter().map(|&k| pairs[k].1).collect();
        cols.sort_unstable();
        cols.dedup();
        if rows.len() == 1 && cols.len() == 1 {
            out.push(pairs[ks[0]]);
            continue;
        }
        // Cost -llr for gated pairs; 0 (no better than leaving both unmatched) otherwise.
        let mut cost = vec![vec![0.0; cols.len()]; rows.len()];
        let mut which = vec![vec![usize::MAX; cols.len()]; rows.len()];
        for &k in &ks {
            let (d, c, pair) = pairs[k];
            let (i, j) = (rows.binary_search(&d).unwrap_or(0), cols.binary_search(&c).unwrap_or(0));
            if -pair.llr < cost[i][j] || which[i][j] == usize::MAX {
                cost[i][j] = -pair.llr;
                which[i][j] = k;
            }
        }
        for (i, j) in assign::hungarian(&cost, 0.0).into_iter().enumerate() {
            if let Some(j) = j {
                if which[i][j] != usize::MAX {
                    out.push(pairs[which[i][j]]);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(id: &str, lat: f64, lon: f64, len: f64) -> Detection {
        Detection {
            id: id.into(),
            time_ms: 10 * HOUR,
            lat,
            lon,
            length_m: Some(len),
            heading: None,
            confidence: 0.9,
            sensor: "TEST".into(),
            scene_id: "S".into(),
            footprint: Some(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]),
            label: Label::public_ais(),
        }
    }

    fn track(ais: &mut AisIndex, mmsi: u32, lat: f64, lon0: f64, kn: f64, len: f32) {
        // Eastbound at `kn`, reporting every 10 minutes from 8 h to 12 h.
        let l = Label::public_ais();
        for k in 0..=24 {
            let t = 8 * HOUR + k * 600_000;
            let (la, lo) = destination(lat, lon0, 90.0, kn * KN * (t - 10 * HOUR) as f64 / 1000.0);
            ais.push(mmsi, AisPoint { t, lat: la, lon: lo, sog: kn as f32, cog: 90.0 }, &l);
        }
        ais.set_length(mmsi, len, &l);
    }

    #[test]
    fn matches_one_to_one_flags_dark_and_not_seen() {
        let mut ais = AisIndex::new();
        track(&mut ais, 1, 0.5, 0.5, 10.0, 200.0);
        track(&mut ais, 2, 0.5, 0.505, 10.0, 30.0); // 550 m east of vessel 1, much shorter
        track(&mut ais, 3, 0.2, 0.2, 0.0, 100.0); // stopped, not detected
        ais.finish();
        let d = vec![
            det("a", 0.5, 0.5002, 190.0), // vessel 1 (closer to 2's position? no: length decides)
            det("b", 0.5, 0.5048, 35.0),  // vessel 2
            det("c", 0.8, 0.8, 60.0),     // nobody: dark
            det("d", 0.2005, 0.2, 80.0),  // beside stopped vessel 3? it is vessel 3 itself
        ];
        let s = scenes(&d);
        let r = fuse(&d, &s, &ais, &FuseConfig::default(), &LabelRules::default());
        let mmsi = |i: usize| match &r.results[i].outcome {
            Outcome::Matched { mmsi, .. } => Some(*mmsi),
            Outcome::Dark { .. } => None,
        };
        assert_eq!((mmsi(0), mmsi(1), mmsi(2), mmsi(3)), (Some(1), Some(2), None, Some(3)));
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.events[0].details["detection_id"], "c");
        assert!(r.not_seen.is_empty());
        // Without detection "d", vessel 3 is expected in the footprint but not seen.
        let d2: Vec<Detection> = d[..3].to_vec();
        let r = fuse(&d2, &scenes(&d2), &ais, &FuseConfig::default(), &LabelRules::default());
        assert_eq!(r.not_seen.iter().map(|n| n.mmsi).collect::<Vec<_>>(), vec![3]);
        // A dark detection beside the stopped vessel is a possible dark transfer.
        let d3 = vec![det("e", 0.2, 0.2, 80.0), det("f", 0.2, 0.2081, 60.0)];
        let r = fuse(&d3, &scenes(&d3), &ais, &FuseConfig::default(), &LabelRules::default());
        let dark: Vec<_> = r.events.iter().map(|e| e.details.get("possible_sts_with").cloned()).collect();
        assert_eq!(dark, vec![Some(json!([3]))]);
    }

    #[test]
    fn projection_interpolates_and_reckons_with_growing_uncertainty() {
        let mut ais = AisIndex::new();
        track(&mut ais, 1, 0.0, 0.0, 12.0, 100.0);
        ais.finish();
        let cfg = FuseConfig::default();
        let t = ais.get(0);
        let mid = project(t, 10 * HOUR + 300_000, &cfg).unwrap();
        assert!(mid.interpolated && (mid.dt_s - 300.0).abs() < 1e-6);
        let late = project(t, 14 * HOUR, &cfg).unwrap();
        assert!(!late.interpolated && late.sigma_m > mid.sigma_m * 3.0);
        let (_, lon) = destination(0.0, 0.0, 90.0, 12.0 * KN * 4.0 * 3600.0);
        assert!((late.lon - lon).abs() < 1e-6);
        assert!(project(t, 30 * HOUR, &cfg).is_none());
    }

    /// A trawler zig-zags across its ground (legs at 4 knots, 12 km either side of
    /// lon 130), heard only every six hours: dead reckoning from its last report
    /// runs off the ground; knowing it is fishing brings the projection back
    /// towards it.
    #[test]
    fn a_fishing_vessel_is_projected_towards_its_ground() {
        let mut ais = AisIndex::new();
        let public = Label::public_ais();
        let half = 12_000.0 / M_PER_DEG;
        // Reports at 0, 6, ..., 24 h alternately at the east and west ends, each
        // one steaming on across the ground's edge.
        for k in 0..5 {
            let east = k % 2 == 0;
            let lon = 130.0 + if east { half } else { -half };
            let cog = if east { 90.0 } else { 270.0 };
            ais.push(9, AisPoint { t: k * 6 * HOUR, lat: 36.0, lon, sog: 4.0, cog }, &public);
        }
        ais.finish();
        let cfg = FuseConfig::default();
        // Three hours after the report at 12 h (east end, heading east): 34 km east of
        // the ground's centre by reckoning.
        let t = 15 * HOUR;
        let reckoned = project(ais.get(0), t, &cfg).unwrap();
        ais.set_fishing(9, &public);
        let fishing = project(ais.get(0), t, &cfg).unwrap();
        let off = |p: &Projection| distance_m(p.lat, p.lon, 36.0, 130.0);
        assert!(off(&reckoned) > 30_000.0, "reckoned {} m off the ground", off(&reckoned));
        assert!(off(&fishing) < 0.6 * off(&reckoned), "fishing {} m off the ground", off(&fishing));
        assert!(fishing.sigma_m < reckoned.sigma_m);
        // Past its last report the ground is not known on both sides: reckoning alone.
        let after = project(ais.get(0), 27 * HOUR, &cfg).unwrap();
        ais.tracks[0].fishing = false;
        assert_eq!(after, project(ais.get(0), 27 * HOUR, &cfg).unwrap());
    }
}
