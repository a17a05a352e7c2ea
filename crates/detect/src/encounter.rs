//! Encounters: two vessels close together, slowly, away from port, for long
//! enough to transfer cargo (Global Fishing Watch, Miller et al. 2018; and
//! Skylight's shorter "standard rendezvous").
//!
//! Tracks are resampled on a fixed grid of slots (`slot_min`), interpolating
//! between consecutive fixes less than `max_interpolation_gap_h` apart. A slot
//! is complete once the data time has passed it by that gap (no later fix can
//! add to it); its vessels are then paired through a grid of cells as wide as
//! the largest profile distance (only neighbouring cells are compared, never
//! all pairs). A pair close in consecutive slots forms a run; a run that ends
//! is kept when it is long and slow enough, and runs of one pair less than
//! `merge_within_h` apart are merged before the encounter is reported.
//!
//! Samples that cannot take part are dropped before pairing: within
//! `min_port_distance_km` of a port, on land (docks, rivers), from MMSIs that
//! are not ship stations (fishing-gear beacons drift beside their vessel for
//! hours), or moving faster than five times the highest median speed any
//! profile allows (a vessel at that speed is not alongside another for a
//! transfer).

use std::collections::VecDeque;

use sealane_core::geo::{M_PER_DEG, fast_distance_m, floor_i32};
use sealane_core::hash::FxHashMap;
use sealane_core::{EventKind, Evidence, Origin};
use sealane_track::{Fix, LabelId, Land, Ports, Step, Vessel, interpolate};

use crate::cache::DistanceCache;
use crate::config::{EncounterConfig, EncounterProfile};
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, round};

const HOUR_MS: f64 = 3_600_000.0;

/// One vessel's resampled position in a slot.
#[derive(Debug, Clone, Copy)]
struct Sample {
    mmsi: u32,
    lat: f64,
    lon: f64,
    speed_kn: f32,
    label: LabelId,
    /// The real fix nearest the slot time: the evidence.
    fix_time_ms: i64,
    fix_lat: f64,
    fix_lon: f64,
    fix_origin: Origin,
}

impl Sample {
    fn evidence(&self) -> Evidence {
        Evidence {
            mmsi: self.mmsi,
            time_ms: self.fix_time_ms,
            lat_lon: Some((self.fix_lat, self.fix_lon)),
            origin: self.fix_origin,
        }
    }
}

/// A pair close in consecutive slots.
#[derive(Debug, Clone)]
struct Run {
    first_slot: i64,
    last_slot: i64,
    slots: u32,
    /// Both vessels' speeds in each slot, 0.1 knot.
    speeds: Vec<u16>,
    dist_sum: f64,
    dist_min: f64,
    lat_sum: f64,
    lon_sum: f64,
    labels: LabelSet,
    evidence: EvidenceSample,
    /// Still running when the input ended.
    open: bool,
}

impl Run {
    fn merge(&mut self, o: Run) {
        self.first_slot = self.first_slot.min(o.first_slot);
        self.last_slot = self.last_slot.max(o.last_slot);
        self.slots += o.slots;
        self.speeds.extend(o.speeds);
        self.dist_sum += o.dist_sum;
        self.dist_min = self.dist_min.min(o.dist_min);
        self.lat_sum += o.lat_sum;
        self.lon_sum += o.lon_sum;
        self.labels.extend(&o.labels);
        self.evidence.extend(&o.evidence);
        self.open |= o.open;
    }

    fn median_speed_kn(&self) -> f64 {
        if self.speeds.is_empty() {
            return 0.0;
        }
        let mut s = self.speeds.clone();
        let mid = s.len() / 2;
        let (_, m, _) = s.select_nth_unstable(mid);
        let upper = *m as f64;
        if s.len() % 2 == 1 {
            return upper / 10.0;
        }
        let lower = *s[..mid].iter().max().expect("even length >= 2") as f64;
        (lower + upper) / 20.0
    }
}

#[derive(Debug, Default)]
struct ProfileState {
    /// Runs by pair (lower MMSI first).
    runs: FxHashMap<(u32, u32), Run>,
    /// Finished encounters waiting to see whether the pair meets again within the merge window.
    pending: FxHashMap<(u32, u32), Run>,
}

/// The encounter detector.
#[derive(Debug)]
pub struct EncounterDetector {
    cfg: EncounterConfig,
    slot_ms: i64,
    gap_ms: i64,
    merge_ms: i64,
    max_dist_m: f64,
    cell_deg: f64,
    prefilter_kn: f64,
    /// Samples of the slots not yet complete: slot `first_slot + k * slot_ms` is `slots[k]`.
    slots: VecDeque<Vec<Sample>>,
    first_slot: i64,
    profiles: Vec<ProfileState>,
    scratch: Vec<(i32, i32, usize)>,
    cells: FxHashMap<(i32, i32), (u32, u32)>,
    /// The latest slot completed.
    last_processed: i64,
}

impl EncounterDetector {
    /// A detector with these settings.
    pub fn new(cfg: EncounterConfig) -> EncounterDetector {
        let max_dist_m = cfg.profiles.iter().map(|p| p.max_distance_m).fold(0.0, f64::max);
        let prefilter_kn = cfg.profiles.iter().map(|p| p.max_median_speed_kn).fold(0.0, f64::max) * 5.0;
        EncounterDetector {
            slot_ms: (cfg.slot_min * 60_000.0).round().max(1.0) as i64,
            gap_ms: (cfg.max_interpolation_gap_h * HOUR_MS).round() as i64,
            merge_ms: (cfg.merge_within_h * HOUR_MS).round() as i64,
            cell_deg: (max_dist_m / M_PER_DEG).max(1e-6),
            max_dist_m,
            prefilter_kn,
            profiles: cfg.profiles.iter().map(|_| ProfileState::default()).collect(),
            cfg,
            slots: VecDeque::new(),
            first_slot: i64::MIN,
            scratch: Vec::new(),
            cells: FxHashMap::default(),
            last_processed: i64::MIN / 2,
        }
    }

    /// Takes a fix in (after the track has recorded it): samples the slots since the previous fix.
    // Inlined into its one caller, `Detectors::position` (see there).
    #[inline(always)]
    pub fn on_fix(&mut self, v: &Vessel, port: &mut DistanceCache, step: &Step, ports: &Ports, land: &Land) {
        if self.profiles.is_empty() || step.first || step.dt_ms > self.gap_ms || step.dt_ms <= 0 {
            return;
        }
        if self.cfg.ships_only && !v.ship_mmsi {
            return;
        }
        let (a, b) = (v.prev, v.last);
        let first_slot = (a.time_ms.div_euclid(self.slot_ms) + 1) * self.slot_ms;
        if first_slot > b.time_ms {
            return;
        }
        let kn = step.implied_kn;
        if kn > self.prefilter_kn {
            return;
        }
        let min_port = self.cfg.min_port_distance_km * 1000.0;
        // Capped at four times the threshold: the cache then holds until the vessel
        // has moved three thresholds, and the grid search stays a few cells.
        let away = port.at_least(b.lat, b.lon, min_port, || ports.distance_capped_m(b.lat, b.lon, 4.0 * min_port));
        if !away || (self.cfg.at_sea_only && land.contains(b.lat, b.lon)) {
            return;
        }
        if self.first_slot == i64::MIN || self.slots.is_empty() {
            self.first_slot = first_slot.max(self.last_processed + self.slot_ms);
        }
        let mut t = first_slot;
        while t <= b.time_ms {
            if t < self.first_slot {
                // A slot already completed (input later than the interpolation gap allows).
                t += self.slot_ms;
                continue;
            }
            let k = ((t - self.first_slot) / self.slot_ms) as usize;
            while self.slots.len() <= k {
                self.slots.push_back(Vec::new());
            }
            let (lat, lon) = interpolate(&a, &b, t);
            let near: &Fix = if t - a.time_ms <= b.time_ms - t { &a } else { &b };
            let label = near.label;
            self.slots[k].push(Sample {
                mmsi: v.mmsi,
                lat,
                lon,
                speed_kn: kn as f32,
                label,
                fix_time_ms: near.time_ms,
                fix_lat: near.lat,
                fix_lon: near.lon,
                fix_origin: near.origin,
            });
            t += self.slot_ms;
        }
    }

    /// The data time reached `watermark`: completes the slots no later fix can add to.
    pub fn advance(&mut self, watermark: i64, out: &mut Vec<Draft>) {
        let mut processed = false;
        while !self.slots.is_empty() && self.first_slot + self.gap_ms < watermark {
            let t = self.first_slot;
            let samples = self.slots.pop_front().unwrap_or_default();
            self.first_slot += self.slot_ms;
            if !samples.is_empty() {
                self.process_slot(t, samples, out);
                processed = true;
            }
        }
        // Which pending runs are due changes only when a slot is processed (the
        // watermark advances with almost every position; slots complete once a minute).
        if processed {
            self.release_pending(out);
        }
    }

    fn process_slot(&mut self, t: i64, mut samples: Vec<Sample>, out: &mut Vec<Draft>) {
        self.last_processed = t;
        // Pairs within the largest profile distance, through a grid of cells that wide.
        samples.sort_unstable_by_key(|s| s.mmsi);
        samples.dedup_by_key(|s| s.mmsi);
        self.scratch.clear();
        for (k, s) in samples.iter().enumerate() {
            self.scratch.push((floor_i32(s.lat / self.cell_deg), floor_i32(s.lon / self.cell_deg), k));
        }
        self.scratch.sort_unstable();
        self.cells.clear();
        let mut k = 0;
        while k < self.scratch.len() {
            let key = (self.scratch[k].0, self.scratch[k].1);
            let start = k;
            while k < self.scratch.len() && (self.scratch[k].0, self.scratch[k].1) == key {
                k += 1;
            }
            self.cells.insert(key, (start as u32, k as u32));
        }
        let mut close: Vec<(usize, usize, f64)> = Vec::new();
        for &(cy, cx, i) in &self.scratch {
            let s = &samples[i];
            // A cell is narrower in metres east-west away from the equator: look further.
            let cos = (s.lat.abs().min(89.0)).to_radians().cos();
            let kx = (1.0 / cos).ceil() as i32;
            for dy in -1..=1 {
                for dx in -kx..=kx {
                    let Some(&(lo, hi)) = self.cells.get(&(cy + dy, cx + dx)) else { continue };
                    for &(_, _, j) in &self.scratch[lo as usize..hi as usize] {
                        if j <= i {
                            continue;
                        }
                        let o = &samples[j];
                        let d = fast_distance_m(s.lat, s.lon, o.lat, o.lon);
                        if d <= self.max_dist_m {
                            close.push((i, j, d));
                        }
                    }
                }
            }
        }
        let slot_ms = self.slot_ms;
        for (p, profile) in self.cfg.profiles.iter().enumerate() {
            let state = &mut self.profiles[p];
            // A run continues only into the next slot; one that missed a slot has ended.
            Self::end_runs_before(profile, self.merge_ms, state, t - slot_ms, out);
            for &(i, j, d) in &close {
                if d > profile.max_distance_m {
                    continue;
                }
                let (a, b) = (&samples[i], &samples[j]);
                let key = (a.mmsi.min(b.mmsi), a.mmsi.max(b.mmsi));
                let run = state.runs.entry(key).or_insert_with(|| Run {
                    first_slot: t,
                    last_slot: t,
                    slots: 0,
                    speeds: Vec::new(),
                    dist_sum: 0.0,
                    dist_min: f64::INFINITY,
                    lat_sum: 0.0,
                    lon_sum: 0.0,
                    labels: LabelSet::default(),
                    evidence: EvidenceSample::default(),
                    open: false,
                });
                if run.slots == 0 || run.last_slot != t {
                    run.slots += 1;
                    run.last_slot = t;
                    run.speeds.push((a.speed_kn * 10.0).round().clamp(0.0, 65_000.0) as u16);
                    run.speeds.push((b.speed_kn * 10.0).round().clamp(0.0, 65_000.0) as u16);
                    run.dist_sum += d;
                    run.dist_min = run.dist_min.min(d);
                    run.lat_sum += (a.lat + b.lat) / 2.0;
                    run.lon_sum += (a.lon + b.lon) / 2.0;
                    run.labels.add(a.label);
                    run.labels.add(b.label);
                    if run.slots <= 3 || run.slots % 6 == 0 {
                        run.evidence.push(a.evidence());
                        run.evidence.push(b.evidence());
                    }
                }
            }
            // Runs not continued in this slot have ended.
            Self::end_runs_before(profile, self.merge_ms, state, t, out);
        }
    }

    fn end_runs_before(
        profile: &EncounterProfile,
        merge_ms: i64,
        state: &mut ProfileState,
        t: i64,
        out: &mut Vec<Draft>,
    ) {
        let mut ended: Vec<(u32, u32)> = state.runs.iter().filter(|(_, r)| r.last_slot < t).map(|(k, _)| *k).collect();
        ended.sort_unstable();
        for key in ended {
            let run = state.runs.remove(&key).expect("listed above");
            Self::finish_run(profile, merge_ms, state, key, run, out);
        }
    }

    fn qualifies(profile: &EncounterProfile, run: &Run) -> bool {
        let hours = (run.last_slot - run.first_slot) as f64 / HOUR_MS;
        let long =
            if profile.strictly_longer { hours > profile.min_duration_h } else { hours >= profile.min_duration_h };
        long && run.median_speed_kn() < profile.max_median_speed_kn
    }

    fn finish_run(
        profile: &EncounterProfile,
        merge_ms: i64,
        state: &mut ProfileState,
        key: (u32, u32),
        run: Run,
        out: &mut Vec<Draft>,
    ) {
        if !Self::qualifies(profile, &run) {
            return;
        }
        match state.pending.remove(&key) {
            Some(mut prev) if run.first_slot - prev.last_slot < merge_ms => {
                prev.merge(run);
                state.pending.insert(key, prev);
            }
            Some(prev) => {
                out.push(Self::draft(profile, key, prev));
                state.pending.insert(key, run);
            }
            None => {
                state.pending.insert(key, run);
            }
        }
    }

    fn release_pending(&mut self, out: &mut Vec<Draft>) {
        // Runs not yet started begin at the next slot or later.
        let next_slot = self.last_processed + self.slot_ms;
        for (p, profile) in self.cfg.profiles.iter().enumerate() {
            let state = &mut self.profiles[p];
            if state.pending.is_empty() {
                continue;
            }
            let merge_ms = self.merge_ms;
            let mut due: Vec<(u32, u32)> = state
                .pending
                .iter()
                .filter(|(k, r)| {
                    // Mergeable while a later run could still start inside the window,
                    // or one that started inside it is still running.
                    let window_end = r.last_slot + merge_ms;
                    let running = state.runs.get(k).is_some_and(|cur| cur.first_slot < window_end);
                    next_slot >= window_end && !running
                })
                .map(|(k, _)| *k)
                .collect();
            due.sort_unstable();
            for key in due {
                let run = state.pending.remove(&key).expect("listed above");
                out.push(Self::draft(profile, key, run));
            }
        }
    }

    fn draft(profile: &EncounterProfile, key: (u32, u32), run: Run) -> Draft {
        let hours = (run.last_slot - run.first_slot) as f64 / HOUR_MS;
        let n = run.slots.max(1) as f64;
        let mean_d = run.dist_sum / n;
        let median = run.median_speed_kn();
        let confidence = 0.55
            + 0.2 * (hours / (profile.min_duration_h.max(0.1) * 2.0)).min(1.0)
            + 0.15 * (1.0 - mean_d / profile.max_distance_m).clamp(0.0, 1.0)
            + 0.1 * (1.0 - median / profile.max_median_speed_kn.max(0.1)).clamp(0.0, 1.0);
        Draft {
            kind: EventKind::Encounter,
            start_ms: run.first_slot,
            end_ms: run.last_slot,
            mmsi: vec![key.0, key.1],
            lat: run.lat_sum / n,
            lon: run.lon_sum / n,
            confidence,
            details: details![
                "profile" => profile.name,
                "duration_h" => round(hours, 2),
                "median_speed_kn" => round(median, 2),
                "mean_distance_m" => round(mean_d, 0),
                "min_distance_m" => round(run.dist_min, 0),
                "slots" => run.slots,
                "open" => run.open,
            ],
            evidence: run.evidence.into_vec(),
            labels: run.labels,
            discriminator: profile.name.clone(),
        }
    }

    /// End of input: every slot is complete, every run ends, every pending encounter is reported.
    pub fn finish(&mut self, out: &mut Vec<Draft>) {
        while let Some(samples) = self.slots.pop_front() {
            let t = self.first_slot;
            self.first_slot += self.slot_ms;
            if !samples.is_empty() {
                self.process_slot(t, samples, out);
            }
        }
        for (p, profile) in self.cfg.profiles.iter().enumerate() {
            let state = &mut self.profiles[p];
            let mut keys: Vec<(u32, u32)> = state.runs.keys().copied().collect();
            keys.sort_unstable();
            for key in keys {
                let mut run = state.runs.remove(&key).expect("listed above");
                run.open = true;
                Self::finish_run(profile, self.merge_ms, state, key, run, out);
            }
            let mut keys: Vec<(u32, u32)> = state.pending.keys().copied().collect();
            keys.sort_unstable();
            for key in keys {
                let run = state.pending.remove(&key).expect("listed above");
                out.push(Self::draft(profile, key, run));
            }
        }
    }
}
