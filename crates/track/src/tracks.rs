//! Per-vessel state: the last fixes, the segment, what the vessel said about itself.

use sealane_core::geo::{M_PER_DEG, NM, fast_distance_m, lerp};
use sealane_core::{Origin, Position, VesselClass};

/// Index of a label in the run's label table (labels repeat: one per source).
pub type LabelId = u16;

/// Dense per-run vessel number: detectors index their per-vessel state by it.
pub type VesselId = u32;

/// A position as the detectors see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog: Option<f32>,
    /// Course over ground, degrees.
    pub cog: Option<f32>,
    /// Label of its source.
    pub label: LabelId,
    /// Where it came from.
    pub origin: Origin,
}

impl Fix {
    /// A fix from a position.
    pub fn new(p: &Position, label: LabelId, origin: Origin) -> Fix {
        Fix { time_ms: p.time_ms, lat: p.lat, lon: p.lon, sog: p.sog, cog: p.cog, label, origin }
    }

    /// Where the vessel would be at `time_ms` on its reported course and speed
    /// (or where it was, when it reported no motion).
    pub fn dead_reckon(&self, time_ms: i64) -> (f64, f64) {
        match (self.sog, self.cog) {
            (Some(sog), Some(cog)) if sog > 0.0 => {
                let d = sog as f64 * NM / 3600.0 * (time_ms - self.time_ms) as f64 / 1000.0;
                sealane_core::geo::destination(self.lat, self.lon, cog as f64, d)
            }
            _ => (self.lat, self.lon),
        }
    }
}

/// Position at `time_ms` between two fixes (linear; they are minutes apart).
pub fn interpolate(a: &Fix, b: &Fix, time_ms: i64) -> (f64, f64) {
    if b.time_ms <= a.time_ms {
        return (b.lat, b.lon);
    }
    let f = ((time_ms - a.time_ms) as f64 / (b.time_ms - a.time_ms) as f64).clamp(0.0, 1.0);
    lerp(a.lat, a.lon, b.lat, b.lon, f)
}

/// Distance (metres) and implied speed (knots) from `a` to `b`.
pub fn implied(a: &Fix, b: &Fix) -> (f64, f64) {
    let d = fast_distance_m(a.lat, a.lon, b.lat, b.lon);
    let dt = (b.time_ms - a.time_ms) as f64 / 1000.0;
    let kn = if dt > 0.0 {
        d / dt * 3600.0 / NM
    } else if d > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    (d, kn)
}

/// What a vessel has told us, and its last two fixes.
#[derive(Debug, Clone)]
pub struct Vessel {
    /// MMSI.
    pub mmsi: u32,
    /// Last fix (meaningful once `fixes > 0`).
    pub last: Fix,
    /// The fix before it (meaningful once `fixes > 1`).
    pub prev: Fix,
    /// Fixes seen.
    pub fixes: u32,
    /// Start of the current segment (a gap longer than the segment gap starts a new one).
    pub segment_start_ms: i64,
    /// Station class of its reports.
    pub class: VesselClass,
    /// AIS ship type, once reported.
    pub shiptype: Option<u8>,
    /// Length overall, metres, once reported.
    pub length_m: Option<u16>,
    /// The MMSI is a ship station's (not a buoy, an aid, an aircraft or a placeholder).
    pub ship_mmsi: bool,
    /// cos(latitude) near the vessel, for step distances without trigonometry per fix.
    cos_lat: f32,
    /// The latitude `cos_lat` was computed at.
    cos_at: f32,
}

/// How a fix relates to the one before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// The vessel's first fix.
    pub first: bool,
    /// Time since the previous fix, ms.
    pub dt_ms: i64,
    /// Distance from it, metres.
    pub dist_m: f64,
    /// Implied speed, knots.
    pub implied_kn: f64,
    /// A new segment starts here (first fix, or after a long gap).
    pub new_segment: bool,
}

/// Distance from a vessel's last fix to `fix`, metres: equirectangular with the
/// vessel's cached cos(latitude) (renewed when it has moved a tenth of a degree
/// north or south: the error that leaves is under 0.2 %), haversine for long jumps.
#[inline]
fn step_distance(v: &mut Vessel, fix: &Fix) -> f64 {
    let a = &v.last;
    let dlat = fix.lat - a.lat;
    let mut dlon = fix.lon - a.lon;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    if dlat.abs() > 0.5 || dlon.abs() > 0.5 {
        return sealane_core::geo::distance_m(a.lat, a.lon, fix.lat, fix.lon);
    }
    let mid = ((a.lat + fix.lat) * 0.5) as f32;
    if v.cos_at.is_nan() || (mid - v.cos_at).abs() >= 0.1 {
        v.cos_at = mid;
        v.cos_lat = (mid as f64).to_radians().cos() as f32;
    }
    let x = dlon * v.cos_lat as f64;
    M_PER_DEG * (x * x + dlat * dlat).sqrt()
}

/// MMSI to dense id, looked up once per position: open addressing with
/// linear probing, key and id packed in one 8-byte slot, so a lookup reads one
/// cache line where a general hash map reads two (control bytes, then the
/// bucket). The hash is seeded per process, so a feed cannot be crafted to
/// collide.
#[derive(Debug)]
struct IdMap {
    slots: Vec<u64>,
    len: usize,
    shift: u32,
    seed: u64,
}

/// An empty slot: key and id both `u32::MAX`, and no id reaches `u32::MAX`.
const EMPTY: u64 = u64::MAX;

impl Default for IdMap {
    fn default() -> Self {
        use std::hash::{BuildHasher, RandomState};
        IdMap { slots: vec![EMPTY; 16], len: 0, shift: 64 - 4, seed: RandomState::new().hash_one(0x5ea1a4e_u64) }
    }
}

impl IdMap {
    /// The slot holding `key` (`Ok`) or the empty slot where it would go (`Err`).
    #[inline]
    fn find(&self, key: u32) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (((key as u64) ^ self.seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s == EMPTY {
                return Err(i);
            }
            if (s >> 32) as u32 == key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: u32) -> Option<VesselId> {
        self.find(key).ok().map(|i| self.slots[i] as u32)
    }

    /// The id of `key`, or `id` (inserted) when it has none.
    #[inline]
    fn get_or_insert(&mut self, key: u32, id: VesselId) -> VesselId {
        match self.find(key) {
            Ok(i) => self.slots[i] as u32,
            Err(i) => {
                debug_assert!(id != u32::MAX, "ids stop short of the empty marker");
                self.slots[i] = (key as u64) << 32 | id as u64;
                self.len += 1;
                // At most half full: probe runs stay short.
                if self.len * 2 > self.slots.len() {
                    self.grow();
                }
                id
            }
        }
    }

    #[cold]
    fn grow(&mut self) {
        let bigger = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.shift -= 1;
        for s in old.into_iter().filter(|s| *s != EMPTY) {
            if let Err(i) = self.find((s >> 32) as u32) {
                self.slots[i] = s;
            }
        }
    }
}

/// Every vessel's state, with dense ids.
#[derive(Debug, Default)]
pub struct Tracks {
    ids: IdMap,
    vessels: Vec<Vessel>,
    segment_gap_ms: i64,
}

impl Tracks {
    /// Tracks where a silence longer than `segment_gap_ms` starts a new segment.
    pub fn new(segment_gap_ms: i64) -> Tracks {
        Tracks { segment_gap_ms, ..Tracks::default() }
    }

    /// The id of `mmsi`, creating its state on first sight.
    pub fn id(&mut self, mmsi: u32) -> VesselId {
        let next = self.vessels.len() as VesselId;
        let id = self.ids.get_or_insert(mmsi, next);
        if id == next {
            let blank = Fix {
                time_ms: i64::MIN,
                lat: 0.0,
                lon: 0.0,
                sog: None,
                cog: None,
                label: 0,
                origin: Origin::default(),
            };
            self.vessels.push(Vessel {
                mmsi,
                last: blank,
                prev: blank,
                fixes: 0,
                segment_start_ms: i64::MIN,
                class: VesselClass::Unknown,
                shiptype: None,
                length_m: None,
                ship_mmsi: sealane_core::mmsi::kind(mmsi) == sealane_core::mmsi::Kind::Ship,
                cos_lat: 1.0,
                cos_at: f32::NAN,
            });
        }
        id
    }

    /// The id of `mmsi`, if seen.
    pub fn get(&self, mmsi: u32) -> Option<VesselId> {
        self.ids.get(mmsi)
    }

    /// Takes a fix in (time order per vessel); returns the vessel's id and the step to it.
    pub fn update(&mut self, mmsi: u32, fix: Fix, class: VesselClass) -> (VesselId, Step) {
        let id = self.id(mmsi);
        self.update_id(id, fix, class)
    }

    /// As [`Tracks::update`], for a vessel whose id is known.
    pub fn update_id(&mut self, id: VesselId, fix: Fix, class: VesselClass) -> (VesselId, Step) {
        let gap = self.segment_gap_ms;
        let v = &mut self.vessels[id as usize];
        if class != VesselClass::Unknown {
            v.class = class;
        }
        let step = if v.fixes == 0 {
            v.segment_start_ms = fix.time_ms;
            Step { first: true, dt_ms: 0, dist_m: 0.0, implied_kn: 0.0, new_segment: true }
        } else {
            let dt = fix.time_ms - v.last.time_ms;
            let d = step_distance(v, &fix);
            let kn = if dt > 0 {
                d / (dt as f64 / 1000.0) * 3600.0 / NM
            } else if d > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            let new_segment = dt > gap;
            if new_segment {
                v.segment_start_ms = fix.time_ms;
            }
            Step { first: false, dt_ms: dt, dist_m: d, implied_kn: kn, new_segment }
        };
        v.prev = v.last;
        v.last = fix;
        v.fixes = v.fixes.saturating_add(1);
        (id, step)
    }

    /// A vessel's state.
    pub fn vessel(&self, id: VesselId) -> &Vessel {
        &self.vessels[id as usize]
    }

    /// A vessel's state, to record what it said about itself.
    pub fn vessel_mut(&mut self, id: VesselId) -> &mut Vessel {
        &mut self.vessels[id as usize]
    }

    /// Vessels seen.
    pub fn len(&self) -> usize {
        self.vessels.len()
    }

    /// Whether none were seen.
    pub fn is_empty(&self) -> bool {
        self.vessels.is_empty()
    }

    /// Bytes held per vessel (state plus its share of the id map).
    pub fn bytes_per_vessel() -> usize {
        // Two slots per vessel at most, one at least.
        std::mem::size_of::<Vessel>() + 2 * std::mem::size_of::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealane_core::geo::distance_m;

    fn fix(t: i64, lat: f64, lon: f64) -> Fix {
        Fix { time_ms: t, lat, lon, sog: None, cog: None, label: 0, origin: Origin::default() }
    }

    #[test]
    fn steps_measure_distance_and_speed() {
        let mut t = Tracks::new(3_600_000);
        let path = [(60.0, 5.0), (60.01, 5.02), (60.3, 5.4), (60.3, 5.4), (-33.9, 151.2), (-33.85, 151.25)];
        let (_, s) = t.update(1, fix(0, path[0].0, path[0].1), VesselClass::A);
        assert!(s.first && s.new_segment);
        for (i, w) in path.windows(2).enumerate() {
            let (_, s) = t.update(1, fix((i as i64 + 1) * 600_000, w[1].0, w[1].1), VesselClass::A);
            let exact = distance_m(w[0].0, w[0].1, w[1].0, w[1].1);
            assert!((s.dist_m - exact).abs() <= exact * 0.003 + 1e-9, "step {i}: {} vs {exact}", s.dist_m);
            let kn = exact / 600.0 * 3600.0 / NM;
            assert!((s.implied_kn - kn).abs() <= kn * 0.003 + 1e-9);
            assert!(!s.new_segment);
        }
        // A silence longer than the segment gap starts a new segment.
        let (_, s) = t.update(1, fix(10_000_000, -33.85, 151.25), VesselClass::A);
        assert!(s.new_segment && !s.first);
        assert_eq!(t.vessel(t.get(1).unwrap()).prev.lat, -33.85);
    }

    #[test]
    fn ids_are_dense_in_order_of_first_sight() {
        let mut t = Tracks::new(3_600_000);
        let mut seed = 3u64;
        let mut keys: Vec<u32> = (0..50_000)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 34) as u32
            })
            .collect();
        // Runs of neighbouring MMSIs (one operator's fleet), zero and the largest key too.
        keys.extend(366_000_000..366_005_000);
        keys.extend([0, u32::MAX, 1]);
        let mut want = std::collections::HashMap::new();
        for &k in &keys {
            let next = want.len() as VesselId;
            let id = *want.entry(k).or_insert(next);
            assert_eq!(t.id(k), id, "{k}");
        }
        assert_eq!(t.len(), want.len());
        for (&k, &id) in &want {
            assert_eq!(t.get(k), Some(id));
            assert_eq!(t.vessel(id).mmsi, k);
        }
        assert_eq!(t.get(366_005_000), None);
        assert_eq!(Tracks::default().get(u32::MAX), None);
    }
}
