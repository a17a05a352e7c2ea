//! The built-in scenarios: they load, stay at sea, are deterministic, and
//! their output decodes strictly and reports at ITU-R M.1371 intervals.

use std::collections::HashMap;

use sealane_ais::{Decoder, Message, Options};
use sealane_sim::scenario::BUILT_IN;
use sealane_sim::vessel::Motion;
use sealane_sim::{Scenario, Simulation};

const HOUR_MS: i64 = 3_600_000;

fn regional() -> impl Iterator<Item = Scenario> {
    BUILT_IN.iter().filter(|(n, _)| *n != "global").map(|(n, _)| Scenario::built_in(n).unwrap())
}

#[test]
fn at_least_five_scenarios_load_and_build() {
    let n = BUILT_IN.len();
    assert!(n >= 5, "{n} scenarios");
    for s in regional() {
        let name = s.name.clone();
        let sim = Simulation::new(s).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sim.vessels.len() >= 10, "{name}: {} vessels", sim.vessels.len());
    }
    assert!(Scenario::built_in("atlantis").unwrap_err().contains("korea"));
}

#[test]
fn scripted_vessels_stay_at_sea_and_lanes_mostly_do() {
    let land = sealane_track::Land::natural_earth();
    for s in regional() {
        let name = s.name.clone();
        let sim = Simulation::new(s).unwrap();
        let (mut lane_samples, mut lane_on_land) = (0u32, 0u32);
        for (i, v) in sim.vessels.iter().enumerate() {
            let scripted = !v.id.is_empty();
            let step = if scripted { 60_000 } else { 600_000 };
            let mut t = sim.start_ms;
            while t < sim.end_ms {
                if let Some(st) = sim.true_state(i, t) {
                    let on_land = land.contains(st.lat, st.lon);
                    if scripted {
                        assert!(
                            !on_land,
                            "{name}: {} on land at {:.4},{:.4} after {} min",
                            v.id,
                            st.lat,
                            st.lon,
                            (t - sim.start_ms) / 60_000
                        );
                    } else if matches!(v.motion, Motion::Lane { .. }) {
                        lane_samples += 1;
                        lane_on_land += on_land as u32;
                    }
                }
                t += step;
            }
        }
        let share = lane_on_land as f64 / lane_samples.max(1) as f64;
        assert!(share < 0.02, "{name}: {lane_on_land} of {lane_samples} lane samples on land");
    }
}

fn first_hours(s: Scenario, hours: i64) -> (Vec<u8>, Simulation) {
    let mut sim = Simulation::new(s).unwrap();
    let mut out = Vec::new();
    let until = sim.start_ms + hours * HOUR_MS;
    sim.run_until(until, &mut out);
    (out, sim)
}

#[test]
fn same_seed_same_bytes() {
    let (a, _) = first_hours(Scenario::built_in("taiwan-strait").unwrap(), 1);
    let (b, _) = first_hours(Scenario::built_in("taiwan-strait").unwrap(), 1);
    assert!(a.len() > 100_000);
    assert_eq!(a, b);
    let mut other = Scenario::built_in("taiwan-strait").unwrap();
    other.seed += 1;
    let (c, _) = first_hours(other, 1);
    assert_ne!(a, c);
}

#[test]
fn output_decodes_strictly_at_standard_intervals() {
    let (out, sim) = first_hours(Scenario::built_in("korea").unwrap(), 2);
    let mut d = Decoder::new(Options { strict: true, ..Options::default() });
    // Per (MMSI, station): times of Class A position reports.
    let mut times: HashMap<(u32, String), Vec<i64>> = HashMap::new();
    let mut statics = 0;
    let mut lines = 0;
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let decoded = d.feed(line).unwrap_or_else(|e| panic!("{}: {e:?}", String::from_utf8_lossy(line)));
        let Some(m) = decoded else { continue };
        let station = m.meta.station.as_str().to_string();
        let t = m.meta.received.map(|r| r.ms).unwrap_or(0);
        match &m.message {
            Message::Position(p) => times.entry((p.mmsi, station)).or_default().push(t),
            Message::StaticVoyage(_) | Message::StaticDataReport(_) => statics += 1,
            _ => {}
        }
    }
    assert_eq!(d.stats().rejected(), 0);
    assert!(lines > 100_000 && statics > 1000, "{lines} lines, {statics} static reports");
    // Gaps between successive reports heard by one coast station: mostly the
    // 10 s (or 6 s, 2 s) of the standard; longer ones are lost transmissions.
    let mut gaps: Vec<i64> = times
        .iter()
        .filter(|((_, s), _)| s.starts_with("KOR"))
        .flat_map(|(_, t)| t.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>())
        .collect();
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    assert!((5_000..=11_000).contains(&median), "median interval {median} ms");
    assert!(sim.stats.heard > 0 && sim.stats.lines >= sim.stats.heard);
}
