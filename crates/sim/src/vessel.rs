//! Vessel classes (dimensions, speeds, AIS equipment) and motion: along a
//! lane voyage, back and forth, or through timed waypoints with holds.

use sealane_core::geo::{bearing_deg, distance_m, lerp};
use serde::Deserialize;

use crate::lanes::Path;
use crate::rng::Rng;

const KN: f64 = 1852.0 / 3600.0;

/// The classes of vessel the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassName {
    /// Crude and product tankers.
    Tanker,
    /// Bulk carriers and general cargo.
    Bulk,
    /// Container ships.
    Container,
    /// Fishing vessels.
    Fishing,
    /// Ferries and cruise ships.
    Passenger,
    /// Tugs.
    Tug,
    /// Yachts and pleasure craft.
    Pleasure,
}

/// What a class looks like.
#[derive(Debug, Clone, Copy)]
pub struct ClassSpec {
    /// Length overall range, metres.
    pub length_m: (f64, f64),
    /// Beam as a share of length.
    pub beam_ratio: f64,
    /// Service speed range, knots.
    pub speed_kn: (f64, f64),
    /// AIS ship type code.
    pub shiptype: u8,
    /// Share fitted with Class B rather than Class A.
    pub class_b_share: f64,
    /// Name stem.
    pub stem: &'static str,
}

impl ClassName {
    /// Every class.
    pub const ALL: [ClassName; 7] = [
        ClassName::Tanker,
        ClassName::Bulk,
        ClassName::Container,
        ClassName::Fishing,
        ClassName::Passenger,
        ClassName::Tug,
        ClassName::Pleasure,
    ];

    /// Dimensions, speeds and equipment (typical values of the world fleet).
    pub fn spec(self) -> ClassSpec {
        let s = |length_m, beam_ratio, speed_kn, shiptype, class_b_share, stem| ClassSpec {
            length_m,
            beam_ratio,
            speed_kn,
            shiptype,
            class_b_share,
            stem,
        };
        match self {
            ClassName::Tanker => s((100.0, 330.0), 0.18, (11.0, 14.5), 80, 0.0, "OCEAN"),
            ClassName::Bulk => s((120.0, 290.0), 0.16, (10.5, 14.0), 70, 0.0, "STAR"),
            ClassName::Container => s((150.0, 400.0), 0.14, (15.0, 21.0), 71, 0.0, "EXPRESS"),
            ClassName::Fishing => s((15.0, 65.0), 0.25, (3.0, 5.0), 30, 0.6, "HAE"),
            ClassName::Passenger => s((60.0, 300.0), 0.15, (14.0, 22.0), 60, 0.0, "FERRY"),
            ClassName::Tug => s((20.0, 40.0), 0.33, (6.0, 10.0), 52, 0.2, "TUG"),
            ClassName::Pleasure => s((8.0, 25.0), 0.3, (5.0, 14.0), 37, 1.0, "SEA"),
        }
    }

    /// The typical traffic mix, shares summing to 1.
    pub fn default_mix() -> [(ClassName, f64); 7] {
        [
            (ClassName::Tanker, 0.16),
            (ClassName::Bulk, 0.27),
            (ClassName::Container, 0.17),
            (ClassName::Fishing, 0.2),
            (ClassName::Passenger, 0.06),
            (ClassName::Tug, 0.06),
            (ClassName::Pleasure, 0.08),
        ]
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ClassName::Tanker => "tanker",
            ClassName::Bulk => "bulk",
            ClassName::Container => "container",
            ClassName::Fishing => "fishing",
            ClassName::Passenger => "passenger",
            ClassName::Tug => "tug",
            ClassName::Pleasure => "pleasure",
        }
    }
}

/// How a vessel moves.
#[derive(Debug, Clone)]
pub enum Motion {
    /// Back and forth along a lane voyage at constant speed, `offset` (lat, lon
    /// degrees) beside the lane's centre line.
    Lane {
        /// Index of the voyage in the region's pool.
        path: u32,
        /// Distance along the out-and-back cycle at the scenario start, metres.
        s0: f64,
        /// Speed, m/s.
        speed: f64,
        /// Beside the centre line.
        offset: (f32, f32),
    },
    /// Through timed points (time ms, lat, lon), straight between them; before
    /// the first and after the last the vessel is not there.
    Timed(Vec<(i64, f64, f64)>),
}

/// Where a vessel is and how it moves at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog_kn: f64,
    /// Course over ground, degrees.
    pub cog: f64,
    /// Turning (a course change within the next half minute).
    pub turning: bool,
}

impl Motion {
    /// The state at `t` (ms after the scenario start for lanes, absolute for timed
    /// plans), or `None` when the vessel is not at sea then. `hint` caches the
    /// segment last used.
    pub fn state(&self, paths: &[Path], start_ms: i64, t: i64, hint: &mut u32) -> Option<State> {
        match self {
            Motion::Lane { path, s0, speed, offset } => {
                let p = &paths[*path as usize];
                let len = p.length_m();
                if len <= 0.0 {
                    return None;
                }
                let cycle = s0 + speed * (t - start_ms) as f64 / 1000.0;
                let c = cycle.rem_euclid(2.0 * len);
                let (s, forward) = if c <= len { (c, true) } else { (2.0 * len - c, false) };
                let ((lat, lon), course, seg) = p.at(s, *hint as usize);
                *hint = seg as u32;
                // A turn ahead: within 30 s of the next vertex in the direction of travel.
                let to_vertex = if forward { p.cumulative[seg + 1] - s } else { s - p.cumulative[seg] };
                let turn =
                    if forward { p.turn_after(seg) } else { seg.checked_sub(1).map_or(0.0, |i| p.turn_after(i)) };
                Some(State {
                    lat: lat + offset.0 as f64,
                    lon: lon + offset.1 as f64,
                    sog_kn: speed / KN,
                    cog: if forward { course } else { (course + 180.0) % 360.0 },
                    turning: turn > 5.0 && to_vertex < speed * 30.0,
                })
            }
            Motion::Timed(points) => {
                let first = points.first()?;
                let last = points.last()?;
                if t < first.0 || t > last.0 {
                    return None;
                }
                let mut i = (*hint as usize).min(points.len().saturating_sub(2));
                while i > 0 && points[i].0 > t {
                    i -= 1;
                }
                while i + 2 < points.len() && points[i + 1].0 < t {
                    i += 1;
                }
                *hint = i as u32;
                let a = points[i];
                let Some(b) = points.get(i + 1).copied() else {
                    return Some(State { lat: a.1, lon: a.2, sog_kn: 0.0, cog: 0.0, turning: false });
                };
                let span = (b.0 - a.0).max(1) as f64;
                let f = ((t - a.0) as f64 / span).clamp(0.0, 1.0);
                let (lat, lon) = lerp(a.1, a.2, b.1, b.2, f);
                let d = distance_m(a.1, a.2, b.1, b.2);
                let turning = points.get(i + 2).is_some_and(|c| {
                    let t1 = bearing_deg(a.1, a.2, b.1, b.2);
                    let t2 = bearing_deg(b.1, b.2, c.1, c.2);
                    let dt = (t2 - t1).rem_euclid(360.0);
                    dt.min(360.0 - dt) > 5.0 && b.0 - t < 30_000
                });
                Some(State {
                    lat,
                    lon,
                    sog_kn: d / (span / 1000.0) / KN,
                    cog: bearing_deg(a.1, a.2, b.1, b.2),
                    turning,
                })
            }
        }
    }
}

/// Timed points through scripted waypoints: (at_h, lat, lon, hold_h) with the
/// speed used where no timing is given.
pub fn timed_plan(
    start_ms: i64,
    waypoints: &[(Option<f64>, f64, f64, Option<f64>)],
    speed_kn: f64,
) -> Vec<(i64, f64, f64)> {
    let speed = speed_kn.max(0.1) * KN;
    let n = waypoints.len();
    // Arrival times: fixed where given, otherwise from the distance at the speed,
    // spread evenly between fixed times when both neighbours are fixed.
    let mut arrive: Vec<Option<f64>> = waypoints.iter().map(|w| w.0.map(|h| h * 3600.0)).collect();
    let leg = |i: usize| {
        let (a, b) = (&waypoints[i], &waypoints[i + 1]);
        distance_m(a.1, a.2, b.1, b.2)
    };
    let hold = |i: usize| waypoints[i].3.unwrap_or(0.0) * 3600.0;
    if arrive.iter().all(Option::is_none) {
        arrive[0] = Some(0.0);
    }
    let first_fixed = arrive.iter().position(Option::is_some).unwrap_or(0);
    for i in (0..first_fixed).rev() {
        let next = arrive[i + 1].unwrap_or(0.0);
        arrive[i] = Some(next - leg(i) / speed - hold(i));
    }
    let mut i = first_fixed;
    while i + 1 < n {
        match (i + 1..n).find(|&j| arrive[j].is_some()) {
            Some(j) => {
                // Between two fixed times: the same speed over every leg, holds kept.
                let ti = arrive[i].unwrap_or(0.0) + hold(i);
                let tj = arrive[j].unwrap_or(0.0);
                let dist: f64 = (i..j).map(leg).sum();
                let holds: f64 = (i + 1..j).map(hold).sum();
                let v = dist / (tj - ti - holds).max(1.0);
                let mut t = ti;
                for k in i..j - 1 {
                    t += leg(k) / v;
                    arrive[k + 1] = Some(t);
                    t += hold(k + 1);
                }
                i = j;
            }
            None => {
                let t = arrive[i].unwrap_or(0.0) + hold(i) + leg(i) / speed;
                arrive[i + 1] = Some(t);
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(2 * n);
    for (k, w) in waypoints.iter().enumerate() {
        let t = start_ms + (arrive[k].unwrap_or(0.0) * 1000.0) as i64;
        out.push((t, w.1, w.2));
        if let Some(h) = w.3.filter(|h| *h > 0.0) {
            // A hold drifts slowly (about 0.3 knots) rather than freezing.
            let drift = 0.3 * KN * h * 3600.0;
            let (lat, lon) = sealane_core::geo::destination(w.1, w.2, 45.0, drift);
            out.push((t + (h * 3_600_000.0) as i64, lat, lon));
        }
    }
    out
}

/// A plausible vessel name for a class.
pub fn vessel_name(class: ClassName, rng: &mut Rng) -> String {
    const WORDS: [&str; 16] = [
        "PACIFIC", "HANA", "DAEHAN", "ORIENT", "NORTH", "GOLDEN", "BLUE", "JADE", "PEARL", "HARMONY", "SUN", "MORNING",
        "GLORY", "VICTORY", "SEA", "ASIA",
    ];
    format!("{} {} {}", WORDS[rng.below(WORDS.len())], class.spec().stem, 1 + rng.below(99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_plan_meets_fixed_times_and_holds() {
        let start = 1_000_000;
        // 1 degree of latitude is about 60 nm: at 10 kn, 6 h.
        let plan =
            timed_plan(start, &[(None, 0.0, 0.0, None), (None, 1.0, 0.0, Some(2.0)), (None, 2.0, 0.0, None)], 10.0);
        assert_eq!(plan.len(), 4);
        let h = |ms: i64| (ms - start) as f64 / 3_600_000.0;
        assert!((h(plan[1].0) - 6.0).abs() < 0.05, "{}", h(plan[1].0));
        assert!((h(plan[2].0) - 8.0).abs() < 0.05);
        assert!((h(plan[3].0) - 14.0).abs() < 0.1);
        // A fixed arrival sets the speed before it.
        let plan = timed_plan(start, &[(Some(0.0), 0.0, 0.0, None), (Some(3.0), 1.0, 0.0, None)], 10.0);
        let m = Motion::Timed(plan);
        let mut hint = 0;
        let s = m.state(&[], start, start + 3_600_000, &mut hint).unwrap();
        assert!((s.sog_kn - 20.0).abs() < 0.2, "{}", s.sog_kn);
        assert!(m.state(&[], start, start + 4 * 3_600_000, &mut hint).is_none());
    }

    #[test]
    fn lane_motion_goes_back_and_forth() {
        let p = Path::new(vec![(0.0, 0.0), (0.0, 1.0)]);
        let len = p.length_m();
        let m = Motion::Lane { path: 0, s0: 0.0, speed: 10.0, offset: (0.0, 0.0) };
        let mut hint = 0;
        let out = m.state(std::slice::from_ref(&p), 0, (len / 10.0 * 500.0) as i64, &mut hint).unwrap();
        assert!((out.lon - 0.5).abs() < 1e-3 && (out.cog - 90.0).abs() < 1.0);
        let back = m.state(std::slice::from_ref(&p), 0, (len / 10.0 * 1500.0) as i64, &mut hint).unwrap();
        assert!((back.lon - 0.5).abs() < 1e-3 && (back.cog - 270.0).abs() < 1.0, "{back:?}");
    }
}
