//! `sealane bench fuse`: association accuracy on a simulated scenario as the
//! AIS nearest each scene is taken away (the curve over the time offset
//! between AIS and the scene), and association speed for 10,000 detections
//! against a day of AIS from 400,000 vessels.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Result;
use sealane_core::geo::destination;
use sealane_core::{Label, LabelRules};
use sealane_fuse::{AisIndex, AisPoint, Detection, FuseConfig, Outcome, fuse, read_csv, scenes};
use sealane_sim::Simulation;

use crate::pipeline::{self, SourceConfig};

/// Settings.
#[derive(Debug, Clone)]
pub struct FuseBench {
    /// Scenario (built-in name or file) for the accuracy curve.
    pub scenario: String,
    /// Vessels and detections of the speed run.
    pub vessels: usize,
    /// Detections of the speed run.
    pub detections: usize,
    /// Runs of the speed test (median reported).
    pub runs: usize,
}

/// Precision and recall of matching and of dark flags (dark predictions with confidence >= 0.5).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FuseScore {
    /// Correct matches / matches.
    pub match_precision: f64,
    /// Correct matches / detections of AIS-transmitting vessels.
    pub match_recall: f64,
    /// True dark / dark predictions.
    pub dark_precision: f64,
    /// True dark predicted / dark vessels detected.
    pub dark_recall: f64,
}

/// Scores a fusion result against the simulator's truth: for each detection,
/// `Some((mmsi, transmitting))` for a vessel, None for a false alarm.
pub fn score(results: &[Outcome], truth: &[Option<(u32, bool)>]) -> FuseScore {
    let (mut matched, mut correct, mut vessels, mut dark_pred, mut dark_ok, mut dark_truth) = (0, 0, 0, 0, 0, 0);
    for (r, t) in results.iter().zip(truth) {
        match t {
            Some((_, true)) => vessels += 1,
            Some((_, false)) => dark_truth += 1,
            None => {}
        }
        match r {
            Outcome::Matched { mmsi, .. } => {
                matched += 1;
                correct += usize::from(*t == Some((*mmsi, true)));
            }
            Outcome::Dark { confidence, .. } if *confidence >= 0.5 => {
                dark_pred += 1;
                dark_ok += usize::from(matches!(t, Some((_, false))));
            }
            Outcome::Dark { .. } => {}
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { f64::NAN } else { a as f64 / b as f64 };
    FuseScore {
        match_precision: ratio(correct, matched),
        match_recall: ratio(correct, vessels),
        dark_precision: ratio(dark_ok, dark_pred),
        dark_recall: ratio(dark_ok, dark_truth),
    }
}

/// Fusion accuracy on a simulated scenario: what was fused, and the scores with
/// every AIS report within each given number of minutes of a scene removed.
#[derive(Debug, Clone)]
pub struct Accuracy {
    /// One line: the scenario, its detections by kind, and the AIS.
    pub summary: String,
    /// (minutes of AIS removed around each scene, scores), at default settings.
    pub rows: Vec<(i64, FuseScore)>,
}

/// Simulates `scenario` (built-in name or file), reads its NMEA through the ingest
/// pipeline and its detections through the CSV reader, fuses at default settings
/// and scores each result against the simulator's record of each detection.
pub fn accuracy(scenario: &str, removed_min: &[i64]) -> Result<Accuracy> {
    let sim_scenario = crate::simulate::load_scenario(scenario)?;
    let mut sim = Simulation::new(sim_scenario).map_err(anyhow::Error::msg)?;
    let (sar, _) = sealane_sim::sar::scenes(&sim);
    let mut nmea = Vec::new();
    let _ = sim.finish(&mut nmea);
    let dir = std::env::temp_dir().join(format!("sealane-bench-fuse-{}-{scenario}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("feed.nmea");
    std::fs::write(&path, &nmea)?;
    let mut csv = String::from(sealane_sim::sar::CSV_HEADER);
    csv.push('\n');
    for d in &sar {
        csv.push_str(&d.csv_row());
        csv.push('\n');
    }
    let (detections, rejects) =
        read_csv(&csv, "simulated detections", &Label::public_ais()).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(rejects.is_empty(), "simulated detections rejected: {rejects:?}");
    let truth: Vec<Option<(u32, bool)>> =
        sar.iter().map(|d| d.truth.map(|(i, transmitting)| (sim.vessels[i].mmsi, transmitting))).collect();
    let mut full = AisIndex::new();
    let source = SourceConfig { inputs: vec![path.display().to_string()], progress: false, ..SourceConfig::default() };
    let mut loader = crate::fuse::Loader::new(&mut full, Label::public_ais());
    let loaded = pipeline::run(&source, &[0], None, &mut loader, &mut Vec::new(), Arc::new(AtomicBool::new(false)));
    let _ = std::fs::remove_dir_all(&dir);
    loaded?;
    full.finish();
    let sc = scenes(&detections);
    let summary = format!(
        "scenario {scenario}: {} detections in {} scenes ({} of vessels with AIS, {} dark, {} false alarms) against {} AIS positions of {} vessels",
        detections.len(),
        sc.len(),
        truth.iter().filter(|t| matches!(t, Some((_, true)))).count(),
        truth.iter().filter(|t| matches!(t, Some((_, false)))).count(),
        truth.iter().filter(|t| t.is_none()).count(),
        full.positions(),
        full.len()
    );
    let cfg = FuseConfig::default();
    let scene_times: Vec<i64> = sc.iter().map(|s| s.time_ms).collect();
    let mut rows = Vec::new();
    for &minutes in removed_min {
        let gap = minutes * 60_000;
        let ais = if minutes == 0 {
            full.filtered(|_, _| true)
        } else {
            full.filtered(|_, p| scene_times.iter().all(|&t| (p.t - t).abs() >= gap))
        };
        let r = fuse(&detections, &sc, &ais, &cfg, &LabelRules::default());
        let outcomes: Vec<Outcome> = r.results.into_iter().map(|x| x.outcome).collect();
        rows.push((minutes, score(&outcomes, &truth)));
    }
    Ok(Accuracy { summary, rows })
}

/// Runs the benchmark.
pub fn fuse_bench(b: &FuseBench, out: &mut dyn Write) -> Result<()> {
    // 1. Accuracy against the time offset, on the scenario's own NMEA.
    let acc = accuracy(&b.scenario, &[0, 10, 30, 60, 120, 240, 480])?;
    writeln!(out, "accuracy: {}", acc.summary)?;
    writeln!(out, "| AIS removed within | match precision | match recall | dark precision | dark recall |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for (minutes, s) in &acc.rows {
        writeln!(
            out,
            "| {minutes} min | {:.3} | {:.3} | {:.3} | {:.3} |",
            s.match_precision, s.match_recall, s.dark_precision, s.dark_recall
        )?;
    }

    // 2. Speed: a day of AIS (one report every 10 minutes) for `vessels` vessels on
    // straight courses across the oceans, and `detections` detections in 20 scenes.
    let started = Instant::now();
    let mut rng = sealane_sim::rng::Rng::new(7, 7);
    let mut big = AisIndex::new();
    let public = Label::public_ais();
    let day0 = 1_767_225_600_000i64; // 2026-01-01
    let scenes_n = 20usize;
    let centres: Vec<(f64, f64)> = (0..scenes_n).map(|_| (rng.range(-50.0, 50.0), rng.range(-170.0, 170.0))).collect();
    // A twentieth of the fleet starts inside the scenes, so they have traffic to match.
    let mut start_in: HashMap<usize, usize> = HashMap::new();
    // Footprints reach 6 degrees from the centre: a day's run at 20 knots stays inside.
    let mut fleet = Vec::with_capacity(b.vessels);
    for v in 0..b.vessels {
        let (lat0, lon0) = if v % 20 == 0 {
            let s = (v / 20) % scenes_n;
            start_in.insert(v, s);
            (centres[s].0 + rng.range(-1.5, 1.5), centres[s].1 + rng.range(-1.5, 1.5))
        } else {
            (rng.range(-60.0, 60.0), rng.range(-180.0, 180.0))
        };
        let sog = rng.range(0.0, 20.0);
        let cog = rng.range(0.0, 360.0);
        let mmsi = 200_000_000 + v as u32;
        let length = rng.range(20.0, 300.0);
        fleet.push((mmsi, lat0, lon0, sog, cog, length));
        for k in 0..144 {
            let t = day0 + k * 600_000;
            let (lat, lon) = destination(lat0, lon0, cog, sog * 1852.0 / 3600.0 * (k * 600) as f64);
            big.push(mmsi, AisPoint { t, lat, lon, sog: sog as f32, cog: cog as f32 }, &public);
        }
        big.set_length(mmsi, length as f32, &public);
    }
    big.finish();
    let loaded = started.elapsed();
    let scene_t = day0 + 12 * 3_600_000 + 300_000;
    let mut dets = Vec::with_capacity(b.detections);
    let mut in_scene: Vec<Vec<usize>> = vec![Vec::new(); scenes_n];
    let mut starts: Vec<(usize, usize)> = start_in.into_iter().collect();
    starts.sort_unstable();
    for (v, s) in starts {
        in_scene[s].push(v);
    }
    for k in 0..b.detections {
        let s = k % scenes_n;
        let (lat, lon, length) = if k % 10 == 0 {
            // Dark: nobody's AIS.
            (centres[s].0 + rng.range(-1.5, 1.5), centres[s].1 + rng.range(-1.5, 1.5), rng.range(20.0, 300.0))
        } else {
            let v = in_scene[s][(k / scenes_n) % in_scene[s].len()];
            let (_, lat0, lon0, sog, cog, length) = fleet[v];
            let (lat, lon) = destination(lat0, lon0, cog, sog * 1852.0 / 3600.0 * (12.0 * 3600.0 + 300.0));
            let (lat, lon) = destination(lat, lon, rng.range(0.0, 360.0), rng.normal().abs() * 150.0);
            (lat, lon, length * (1.0 + 0.15 * rng.normal()))
        };
        let (c_lat, c_lon) = centres[s];
        dets.push(Detection {
            id: format!("d{k}"),
            time_ms: scene_t,
            lat,
            lon,
            length_m: Some(length.max(5.0)),
            heading: None,
            confidence: 0.9,
            sensor: "BENCH".into(),
            scene_id: format!("s{s}"),
            footprint: Some(vec![
                (c_lon - 6.0, c_lat - 6.0),
                (c_lon + 6.0, c_lat - 6.0),
                (c_lon + 6.0, c_lat + 6.0),
                (c_lon - 6.0, c_lat + 6.0),
                (c_lon - 6.0, c_lat - 6.0),
            ]),
            label: public.clone(),
        });
    }
    let sc = scenes(&dets);
    let mut times = Vec::new();
    let mut matched = 0;
    for _ in 0..b.runs.max(1) {
        let t0 = Instant::now();
        let r = fuse(&dets, &sc, &big, &FuseConfig::default(), &LabelRules::default());
        times.push(t0.elapsed().as_secs_f64());
        matched = r.results.iter().filter(|x| matches!(x.outcome, Outcome::Matched { .. })).count();
    }
    times.sort_by(f64::total_cmp);
    writeln!(
        out,
        "\nspeed: {} detections in {} scenes against {} AIS positions of {} vessels (built in {:.1} s, not counted): association median {:.3} s over {} runs (min {:.3}, max {:.3}), one thread; {} matched",
        dets.len(),
        sc.len(),
        big.positions(),
        big.len(),
        loaded.as_secs_f64(),
        times[times.len() / 2],
        times.len(),
        times[0],
        times[times.len() - 1],
        matched
    )?;
    Ok(())
}
