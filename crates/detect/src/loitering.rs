//! Loitering (Global Fishing Watch): consecutive hours in which a vessel's
//! average implied speed stays below `max_speed_kn`, every fix at least
//! `min_shore_nm` from shore.
//!
//! The hours are windows anchored at the run's first fix: from an anchor, the
//! first fix at least an hour later closes a window, whose average speed is
//! the path length over the time. A run is the consecutive slow windows plus
//! a slow partial window at its end; it is reported when it lasts at least
//! `min_duration_h` (`carrier_min_duration_h` for carriers).

use sealane_core::EventKind;
use sealane_core::geo::NM;
use sealane_core::hash::FxHashMap;
use sealane_track::{Fix, Land, Step, Vessel, VesselId};

use crate::cache::DistanceCache;
use crate::config::LoiteringConfig;
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, evidence as evidence_of, round};

const HOUR_MS: i64 = 3_600_000;

/// A run of slow windows (held only while a vessel is in one).
#[derive(Debug, Clone)]
struct Run {
    start: Fix,
    end: Fix,
    path_m: f64,
    lat_sum: f64,
    lon_sum: f64,
    windows: u32,
    labels: LabelSet,
    evidence: EvidenceSample,
}

/// Per-vessel state: the current window's anchor and path. The fix before the
/// current one is the track's, not kept twice.
#[derive(Debug, Clone, Default)]
pub struct VesselLoiter {
    anchor: Option<Fix>,
    window_path_m: f64,
    shore: DistanceCache,
}

/// The loitering detector.
#[derive(Debug)]
pub struct LoiteringDetector {
    cfg: LoiteringConfig,
    runs: FxHashMap<VesselId, Run>,
}

impl LoiteringDetector {
    /// A detector with these settings.
    pub fn new(cfg: LoiteringConfig) -> LoiteringDetector {
        LoiteringDetector { cfg, runs: FxHashMap::default() }
    }

    /// Takes a fix in (after the track has recorded it).
    // Inlined into its one caller, `Detectors::position` (see there).
    #[inline(always)]
    pub fn on_fix(
        &mut self,
        id: VesselId,
        v: &Vessel,
        st: &mut VesselLoiter,
        step: &Step,
        land: &Land,
        out: &mut Vec<Draft>,
    ) {
        let fix = v.last;
        if self.cfg.ships_only && !v.ship_mmsi {
            return;
        }
        if step.new_segment {
            // The run (if any) ends at the fix before this one.
            if !step.first {
                self.close(id, v, st, v.prev, land, out);
            }
            st.anchor = Some(fix);
            st.window_path_m = 0.0;
            return;
        }
        let Some(anchor) = st.anchor else {
            st.anchor = Some(fix);
            return;
        };
        st.window_path_m += step.dist_m;
        let span = fix.time_ms - anchor.time_ms;
        if span < HOUR_MS {
            return;
        }
        let speed_kn = st.window_path_m / NM / (span as f64 / HOUR_MS as f64);
        // Distance to shore is asked only of slow windows (a moving vessel cannot loiter),
        // at the window's end: it moved less than max_speed_kn nautical miles in it.
        let min_shore = self.cfg.min_shore_nm * NM;
        let slow = speed_kn < self.cfg.max_speed_kn
            && st.shore.at_least(fix.lat, fix.lon, min_shore, || {
                land.shore_distance_capped_m(fix.lat, fix.lon, 2.0 * min_shore)
            });
        let path = st.window_path_m;
        st.anchor = Some(fix);
        st.window_path_m = 0.0;
        if slow {
            let r = self.runs.entry(id).or_insert_with(|| {
                let mut evidence = EvidenceSample::default();
                evidence.push(evidence_of(v.mmsi, &anchor));
                Run {
                    start: anchor,
                    end: anchor,
                    path_m: 0.0,
                    lat_sum: 0.0,
                    lon_sum: 0.0,
                    windows: 0,
                    labels: LabelSet::of(anchor.label),
                    evidence,
                }
            });
            r.end = fix;
            r.path_m += path;
            r.lat_sum += fix.lat;
            r.lon_sum += fix.lon;
            r.windows += 1;
            r.labels.add(fix.label);
            r.evidence.push(evidence_of(v.mmsi, &fix));
        } else if let Some(run) = self.runs.remove(&id) {
            // The fast (or near-shore) window is not part of the run.
            self.report(v, run, out);
        }
    }

    /// Ends a vessel's run at `last`, counting a slow partial window up to it.
    fn close(&mut self, id: VesselId, v: &Vessel, st: &mut VesselLoiter, last: Fix, land: &Land, out: &mut Vec<Draft>) {
        let Some(mut run) = self.runs.remove(&id) else { return };
        let cfg = &self.cfg;
        if let Some(anchor) = st.anchor {
            let span = last.time_ms - anchor.time_ms;
            let min_shore = cfg.min_shore_nm * NM;
            if span > 0
                && st.window_path_m / NM / (span as f64 / HOUR_MS as f64) < cfg.max_speed_kn
                && st.shore.at_least(last.lat, last.lon, min_shore, || {
                    land.shore_distance_capped_m(last.lat, last.lon, 2.0 * min_shore)
                })
            {
                run.end = last;
                run.path_m += st.window_path_m;
                run.labels.add(last.label);
                run.evidence.push(evidence_of(v.mmsi, &last));
            }
        }
        self.report(v, run, out);
    }

    fn report(&self, v: &Vessel, run: Run, out: &mut Vec<Draft>) {
        let cfg = &self.cfg;
        let (start, end) = (run.start, run.end);
        let hours = (end.time_ms - start.time_ms) as f64 / HOUR_MS as f64;
        let carrier = v.shiptype.is_some_and(|t| cfg.carrier_shiptypes.contains(&t));
        let min = if carrier { cfg.carrier_min_duration_h } else { cfg.min_duration_h };
        if hours < min {
            return;
        }
        let n = run.windows.max(1) as f64;
        let (lat, lon) = if run.windows > 0 { (run.lat_sum / n, run.lon_sum / n) } else { (start.lat, start.lon) };
        let avg_kn = run.path_m / NM / hours.max(1e-9);
        // Slower and longer is more clearly loitering.
        let confidence = 0.5
            + 0.25 * (1.0 - avg_kn / cfg.max_speed_kn).clamp(0.0, 1.0)
            + 0.25 * ((hours - min) / (min.max(1.0) * 2.0)).clamp(0.0, 1.0);
        out.push(Draft {
            kind: EventKind::Loitering,
            start_ms: start.time_ms,
            end_ms: end.time_ms,
            mmsi: vec![v.mmsi],
            lat,
            lon,
            confidence,
            details: details![
                "duration_h" => round(hours, 2),
                "average_speed_kn" => round(avg_kn, 2),
                "carrier" => carrier,
                "shiptype" => v.shiptype,
                "min_shore_distance_nm" => cfg.min_shore_nm,
            ],
            evidence: run.evidence.into_vec(),
            labels: run.labels,
            discriminator: String::new(),
        });
    }

    /// End of input: open runs are closed at each vessel's last fix.
    pub fn finish(
        &mut self,
        vessel: &mut dyn FnMut(VesselId) -> (Vessel, VesselLoiter),
        land: &Land,
        out: &mut Vec<Draft>,
    ) {
        let mut ids: Vec<VesselId> = self.runs.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let (v, mut st) = vessel(id);
            self.close(id, &v, &mut st, v.last, land, out);
        }
    }
}
