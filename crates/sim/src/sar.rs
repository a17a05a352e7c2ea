//! SAR satellite passes: each scene sees the vessels inside its footprint at
//! the scene time with a probability that grows with their length, misplaces
//! them by the sensor's position error, misjudges length, sometimes flips the
//! heading by 180 degrees (the usual SAR ambiguity), and adds false alarms.
//! Detections are labelled by the nation that owns the sensor.

use sealane_core::Label;
use sealane_core::geo::destination;
use sealane_core::label::{Originator, Tlp};
use sealane_core::time::format_rfc3339_ms;
use serde_json::json;

use crate::Simulation;
use crate::rng::Rng;
use crate::truth::TruthEvent;

const HOUR_MS: f64 = 3_600_000.0;

/// One detection in the project's detection format.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Unique within the run.
    pub id: String,
    /// Scene time, ms.
    pub time_ms: i64,
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Estimated length, metres.
    pub length_m: f64,
    /// Estimated heading, degrees.
    pub heading: f64,
    /// Detector confidence, 0-1.
    pub confidence: f64,
    /// Sensor.
    pub sensor: String,
    /// Scene.
    pub scene_id: String,
    /// Footprint, W S E N.
    pub footprint: [f64; 4],
    /// The originator's label.
    pub label: Label,
    /// Truth: the vessel seen (None for a false alarm) and whether it was transmitting AIS.
    pub truth: Option<(usize, bool)>,
}

/// The footprint as WKT.
pub fn footprint_wkt(f: &[f64; 4]) -> String {
    format!("POLYGON (({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))", w = f[0], s = f[1], e = f[2], n = f[3])
}

/// The CSV header of [`Detection::csv_row`].
pub const CSV_HEADER: &str = "detection_id,time,lat,lon,length_m,heading,confidence,sensor,scene_id,footprint,label";

impl Detection {
    /// A CSV row (the label as its JSON, quoted).
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{:.5},{:.5},{:.0},{:.0},{:.2},{},{},\"{}\",\"{}\"",
            self.id,
            format_rfc3339_ms(self.time_ms),
            self.lat,
            self.lon,
            self.length_m,
            self.heading,
            self.confidence,
            self.sensor,
            self.scene_id,
            footprint_wkt(&self.footprint),
            self.label.to_json().replace('"', "\"\"")
        )
    }
}

/// Probability that a vessel of `length_m` is detected (logistic, half at `l50`).
pub fn p_detect(length_m: f64, l50: f64) -> f64 {
    1.0 / (1.0 + (-(length_m - l50) / (0.25 * l50)).exp())
}

/// Every scene of the scenario: detections, and the dark-vessel truth (detected
/// vessels whose AIS is off).
pub fn scenes(sim: &Simulation) -> (Vec<Detection>, Vec<TruthEvent>) {
    let mut out = Vec::new();
    let mut dark = Vec::new();
    for (k, pass) in sim.scenario.sar_passes.iter().enumerate() {
        let mut rng = Rng::new(sim.scenario.seed, 900_000 + k as u64);
        let t = sim.start_ms + (pass.at_h * HOUR_MS) as i64;
        let scene_id = format!("{}_{}_{}", pass.sensor, sim.scenario.name, k + 1);
        let mut rel_to = pass.rel_to.clone();
        if rel_to.is_empty() {
            rel_to.push(pass.nation.clone());
        }
        let label = Label {
            originator: Originator { nation: pass.nation.clone(), agency: pass.sensor.clone() },
            classification: "UNCLASSIFIED".into(),
            rel_to,
            caveats: Vec::new(),
            purposes: None,
            tlp: Tlp::Amber,
            retain_until: None,
        }
        .canonical();
        let f = pass.footprint;
        let inside = |lat: f64, lon: f64| lon >= f[0] && lon <= f[2] && lat >= f[1] && lat <= f[3];
        let mut n = 0;
        for (i, v) in sim.vessels.iter().enumerate() {
            // A clone is a second transmitter, not a second ship.
            if v.clone {
                continue;
            }
            let Some(s) = sim.true_state(i, t) else { continue };
            if !inside(s.lat, s.lon) || !rng.chance(p_detect(v.length_m, pass.length_50_m)) {
                continue;
            }
            n += 1;
            let (lat, lon) =
                destination(s.lat, s.lon, rng.range(0.0, 360.0), (rng.normal() * pass.position_error_m).abs());
            let flip = if rng.chance(0.1) { 180.0 } else { 0.0 };
            let transmitting = !v.is_dark(t);
            let d = Detection {
                id: format!("{scene_id}-{n:04}"),
                time_ms: t,
                lat,
                lon,
                length_m: (v.length_m * (1.0 + 0.15 * rng.normal())).max(5.0),
                heading: (s.cog + flip + 10.0 * rng.normal()).rem_euclid(360.0),
                confidence: (0.6 + 0.4 * p_detect(v.length_m, pass.length_50_m) - 0.1 * rng.f64()).clamp(0.05, 0.99),
                sensor: pass.sensor.clone(),
                scene_id: scene_id.clone(),
                footprint: f,
                label: label.clone(),
                truth: Some((i, transmitting)),
            };
            if !transmitting {
                dark.push(TruthEvent {
                    kind: "dark_vessel",
                    start_ms: t,
                    end_ms: t,
                    mmsi: Vec::new(),
                    lat: s.lat,
                    lon: s.lon,
                    details: json!({"scene_id": scene_id, "detection_id": d.id, "true_mmsi": v.mmsi, "length_m": v.length_m}),
                });
            }
            out.push(d);
        }
        let land = sealane_track::Land::natural_earth();
        for _ in 0..pass.false_alarms {
            let at_sea =
                (0..100).map(|_| (rng.range(f[1], f[3]), rng.range(f[0], f[2]))).find(|p| !land.contains(p.0, p.1));
            let Some((lat, lon)) = at_sea else { continue };
            n += 1;
            out.push(Detection {
                id: format!("{scene_id}-{n:04}"),
                time_ms: t,
                lat,
                lon,
                length_m: rng.range(8.0, 40.0),
                heading: rng.range(0.0, 360.0),
                confidence: rng.range(0.05, 0.5),
                sensor: pass.sensor.clone(),
                scene_id: scene_id.clone(),
                footprint: f,
                label: label.clone(),
                truth: None,
            });
        }
    }
    (out, dark)
}

#[cfg(test)]
mod tests {
    use super::p_detect;

    #[test]
    fn longer_ships_are_seen_more_often() {
        assert!((p_detect(25.0, 25.0) - 0.5).abs() < 1e-9);
        assert!(p_detect(10.0, 25.0) < 0.1);
        assert!(p_detect(100.0, 25.0) > 0.99);
    }
}
