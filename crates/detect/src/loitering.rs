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
use sealane_track::{Fix, Land, Step, Tracks, VesselId};

use crate::cache::DistanceCache;
use crate::config::LoiteringConfig;
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, evidence, round};

const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Default)]
struct Run {
    start: Option<Fix>,
    end: Option<Fix>,
    path_m: f64,
    lat_sum: f64,
    lon_sum: f64,
    windows: u32,
    labels: LabelSet,
    evidence: EvidenceSample,
}

#[derive(Debug, Clone, Default)]
struct VesselLoiter {
    anchor: Option<Fix>,
    window_path_m: f64,
    last: Option<Fix>,
    run: Run,
    shore: DistanceCache,
}

/// The loitering detector.
#[derive(Debug)]
pub struct LoiteringDetector {
    cfg: LoiteringConfig,
    vessels: Vec<VesselLoiter>,
}

impl LoiteringDetector {
    /// A detector with these settings.
    pub fn new(cfg: LoiteringConfig) -> LoiteringDetector {
        LoiteringDetector { cfg, vessels: Vec::new() }
    }

    /// Takes a fix in (after [`Tracks`] has recorded it).
    pub fn on_fix(&mut self, tracks: &Tracks, id: VesselId, step: &Step, land: &Land, out: &mut Vec<Draft>) {
        let i = id as usize;
        if self.vessels.len() <= i {
            self.vessels.resize_with(i + 1, VesselLoiter::default);
        }
        let v = tracks.vessel(id);
        let fix = v.last;
        let min_shore = self.cfg.min_shore_nm * NM;
        let st = &mut self.vessels[i];
        let at_sea = st.shore.at_least(fix.lat, fix.lon, min_shore, || land.shore_distance_m(fix.lat, fix.lon));
        if step.new_segment || !at_sea {
            // The run (if any) ends at the last fix before this one.
            self.close(tracks, id, out);
            let st = &mut self.vessels[i];
            st.anchor = at_sea.then_some(fix);
            st.window_path_m = 0.0;
            st.last = at_sea.then_some(fix);
            return;
        }
        let Some(anchor) = st.anchor else {
            st.anchor = Some(fix);
            st.last = Some(fix);
            return;
        };
        st.window_path_m += step.dist_m;
        st.last = Some(fix);
        let span = fix.time_ms - anchor.time_ms;
        if span < HOUR_MS {
            return;
        }
        let speed_kn = st.window_path_m / NM / (span as f64 / HOUR_MS as f64);
        if speed_kn < self.cfg.max_speed_kn {
            let r = &mut st.run;
            if r.start.is_none() {
                r.start = Some(anchor);
                r.evidence.push(evidence(v.mmsi, &anchor));
                r.labels.add(anchor.label);
            }
            r.end = Some(fix);
            r.path_m += st.window_path_m;
            r.lat_sum += fix.lat;
            r.lon_sum += fix.lon;
            r.windows += 1;
            r.labels.add(fix.label);
            r.evidence.push(evidence(v.mmsi, &fix));
            st.anchor = Some(fix);
            st.window_path_m = 0.0;
        } else {
            // The fast window is not part of the run: no partial window to add.
            self.end_run(tracks, id, false, out);
            let st = &mut self.vessels[i];
            st.anchor = Some(fix);
            st.window_path_m = 0.0;
        }
    }

    /// Closes a vessel's run, counting a slow partial window at its end.
    fn close(&mut self, tracks: &Tracks, id: VesselId, out: &mut Vec<Draft>) {
        self.end_run(tracks, id, true, out);
    }

    fn end_run(&mut self, tracks: &Tracks, id: VesselId, with_partial: bool, out: &mut Vec<Draft>) {
        let cfg = &self.cfg;
        let st = &mut self.vessels[id as usize];
        let v = tracks.vessel(id);
        if with_partial && st.run.start.is_some() {
            if let (Some(anchor), Some(last)) = (st.anchor, st.last) {
                let span = last.time_ms - anchor.time_ms;
                if span > 0 && st.window_path_m / NM / (span as f64 / HOUR_MS as f64) < cfg.max_speed_kn {
                    let r = &mut st.run;
                    r.end = Some(last);
                    r.path_m += st.window_path_m;
                    r.labels.add(last.label);
                    r.evidence.push(evidence(v.mmsi, &last));
                    st.window_path_m = 0.0;
                    st.anchor = Some(last);
                }
            }
        }
        let run = std::mem::take(&mut st.run);
        let (Some(start), Some(end)) = (run.start, run.end) else { return };
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

    /// End of input: open runs are closed.
    pub fn finish(&mut self, tracks: &Tracks, out: &mut Vec<Draft>) {
        for id in 0..self.vessels.len() as VesselId {
            self.close(tracks, id, out);
        }
    }

    /// Bytes of per-vessel state.
    pub fn bytes_per_vessel() -> usize {
        std::mem::size_of::<VesselLoiter>()
    }
}
