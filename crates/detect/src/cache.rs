//! Cached distances for threshold tests ("at least 20 nm from shore?").
//!
//! A distance can change by no more than the vessel moved, so a cached value
//! answers a threshold question until the vessel has moved far enough to
//! cross it. A moored or drifting vessel costs one R*-tree query, not one per
//! position.

use sealane_core::geo::{M_PER_DEG, floor_i32};
use sealane_core::hash::FxHashMap;

/// A reference point and an upper bound on how far a vessel is from it, with
/// no trigonometry per call (the cosine of the reference latitude is kept; a
/// cosine changes by at most the change in latitude, in radians).
///
/// Kept in single precision (12 bytes; one is kept per vessel per question):
/// a coordinate is then off by at most a metre, which the bound adds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    lat: f32,
    lon: f32,
    cos_lat: f32,
}

/// The most a single-precision coordinate is off, metres (2^-24 of 180 degrees, twice).
const F32_SLACK_M: f64 = 2.5;

impl Default for Anchor {
    fn default() -> Self {
        Anchor { lat: f32::NAN, lon: f32::NAN, cos_lat: 1.0 }
    }
}

impl Anchor {
    /// An anchor at (lat, lon).
    pub fn at(lat: f64, lon: f64) -> Anchor {
        Anchor { lat: lat as f32, lon: lon as f32, cos_lat: lat.to_radians().cos() as f32 }
    }

    /// Whether it has been set.
    pub fn is_set(&self) -> bool {
        !self.lat.is_nan()
    }

    /// At least the distance from the anchor to (lat, lon), metres (infinite when unset).
    #[inline]
    pub fn moved_at_most(&self, lat: f64, lon: f64) -> f64 {
        let dlat = lat - self.lat as f64;
        let mut dlon = (lon - self.lon as f64).abs();
        if dlon > 180.0 {
            dlon = 360.0 - dlon;
        }
        if !(dlat.abs() <= 1.0 && dlon <= 1.0) {
            // Far, or unset (NaN): no cheap bound worth having.
            return f64::INFINITY;
        }
        let k = (self.cos_lat as f64 + dlat.abs().to_radians() + 1e-6).min(1.0);
        M_PER_DEG * (dlat * dlat + (dlon * k) * (dlon * k)).sqrt() + F32_SLACK_M
    }
}

/// The last computed distance for one vessel and where it was computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistanceCache {
    at: Anchor,
    d_m: f32,
    /// How far the true distance at the anchor may be from `d_m` (an estimate's error).
    slack_m: f32,
}

impl Default for DistanceCache {
    fn default() -> Self {
        DistanceCache { at: Anchor::default(), d_m: f32::NAN, slack_m: 0.0 }
    }
}

impl DistanceCache {
    /// Whether the distance at (lat, lon) is at least `threshold_m`, calling
    /// `compute` only when the cached value cannot decide.
    #[inline]
    pub fn at_least(&mut self, lat: f64, lon: f64, threshold_m: f64, compute: impl FnOnce() -> f64) -> bool {
        self.at_least_estimated(lat, lon, threshold_m, || (compute(), 0.0))
    }

    /// As [`DistanceCache::at_least`], where `estimate` gives a distance and how far
    /// the truth may be from it (it must be decisive: farther from the threshold
    /// than that, or exact).
    #[inline]
    pub fn at_least_estimated(
        &mut self,
        lat: f64,
        lon: f64,
        threshold_m: f64,
        estimate: impl FnOnce() -> (f64, f64),
    ) -> bool {
        if !self.d_m.is_nan() {
            let moved = self.at.moved_at_most(lat, lon) + self.slack_m as f64;
            let d = self.d_m as f64;
            if d - moved >= threshold_m {
                return true;
            }
            if d + moved < threshold_m {
                return false;
            }
        }
        let (d, slack) = estimate();
        self.d_m = d as f32;
        self.slack_m = slack as f32;
        self.at = Anchor::at(lat, lon);
        d >= threshold_m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_only_when_the_cache_cannot_decide() {
        let mut c = DistanceCache::default();
        let calls = std::cell::Cell::new(0);
        // 30 km from "shore" at lat 0, lon 0 when shore is the meridian lon = -0.27.
        let dist = |lat: f64, lon: f64| {
            calls.set(calls.get() + 1);
            sealane_core::geo::fast_distance_m(lat, lon, lat, -0.27)
        };
        assert!(c.at_least(0.0, 0.0, 20_000.0, || dist(0.0, 0.0)));
        // Moving 1 km cannot cross a 10 km margin: no new computation.
        assert!(c.at_least(0.0, 0.009, 20_000.0, || dist(0.0, 0.009)));
        assert!(!c.at_least(0.0, 0.0, 40_000.0, || dist(0.0, 0.0)));
        assert_eq!(calls.get(), 1);
        // Moving 25 km towards shore must recompute, and answers no.
        assert!(!c.at_least(0.0, -0.225, 20_000.0, || dist(0.0, -0.225)));
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn the_grid_answers_from_cell_centres_and_asks_near_the_threshold() {
        let calls = std::cell::Cell::new(0);
        // Distance to the meridian lon = 0 at the equator, metres, capped.
        let dist = |_lat: f64, lon: f64, cap: f64| {
            calls.set(calls.get() + 1);
            (lon.abs() * M_PER_DEG).min(cap)
        };
        let mut g = GridDistance::new(0.01);
        // 11 km from the meridian, threshold 5 km: one query for the cell, then none.
        assert!(g.at_least(0.0, 0.1003, 5_000.0, dist));
        assert!(g.at_least(0.0, 0.1007, 5_000.0, dist));
        assert!(!g.at_least(0.0, 0.0103, 5_000.0, dist));
        assert_eq!(calls.get(), 2);
        // Next to the threshold the centre cannot decide: the point is asked, exactly.
        assert!(!g.at_least(0.0, 0.0448, 5_000.0, dist));
        assert!(g.at_least(0.0, 0.0451, 5_000.0, dist));
        assert_eq!(g.len(), 3);
    }

    #[test]
    fn the_anchor_bound_is_never_below_the_distance() {
        for &(lat, lon, dlat, dlon) in
            &[(0.0, 0.0, 0.3, 0.4), (60.0, 10.0, -0.2, 0.9), (-70.0, 179.9, 0.5, -359.5), (85.0, 0.0, 0.9, 0.9)]
        {
            let a = Anchor::at(lat, lon);
            let (lat2, lon2) = (lat + dlat, lon + dlon);
            let exact = sealane_core::geo::distance_m(lat, lon, lat2, lon2);
            let bound = a.moved_at_most(lat2, lon2);
            assert!(bound >= exact * 0.999, "({lat},{lon})+({dlat},{dlon}): {bound} < {exact}");
            assert!(bound <= exact * 1.5 + 100.0, "loose but not useless: {bound} vs {exact}");
        }
        assert!(Anchor::default().moved_at_most(0.0, 0.0).is_infinite());
        assert!(Anchor::at(0.0, 0.0).moved_at_most(3.0, 0.0).is_infinite());
        assert!(Anchor::at(35.123456, 129.654321).moved_at_most(35.123456, 129.654321) < 5.0);
    }
}

/// Distances at the centres of small cells, computed on first use and shared
/// by every vessel: within a cell the distance differs from the centre's by
/// at most the half-diagonal, so a threshold question far from the threshold
/// is a hash lookup (harbours and rivers, where vessels crowd, cost one
/// distance query per cell, not one per vessel).
#[derive(Debug)]
pub struct GridDistance {
    cells_per_deg: f64,
    /// The largest difference between a point's distance and its cell centre's, metres.
    slack_m: f64,
    map: FxHashMap<(i32, i32), f32>,
}

impl GridDistance {
    /// Cells `cell_deg` wide.
    pub fn new(cell_deg: f64) -> GridDistance {
        GridDistance {
            cells_per_deg: 1.0 / cell_deg,
            slack_m: cell_deg * std::f64::consts::FRAC_1_SQRT_2 * M_PER_DEG * 1.01,
            map: FxHashMap::default(),
        }
    }

    /// Whether `distance(lat, lon, cap)` is at least `threshold_m`. `distance` must
    /// return the distance, or `cap` when it is farther; it is called once per new
    /// cell centre, and for the point itself only when the centre cannot decide.
    #[inline]
    pub fn at_least(&mut self, lat: f64, lon: f64, threshold_m: f64, distance: impl Fn(f64, f64, f64) -> f64) -> bool {
        let (d, _) = self.estimate(lat, lon, threshold_m, distance);
        d >= threshold_m
    }

    /// A distance at (lat, lon) and how far the truth may be from it, decisive for
    /// `threshold_m` (the cell centre's when that decides, else the point's own).
    #[inline]
    pub fn estimate(
        &mut self,
        lat: f64,
        lon: f64,
        threshold_m: f64,
        distance: impl Fn(f64, f64, f64) -> f64,
    ) -> (f64, f64) {
        let k = self.cells_per_deg;
        let key = (floor_i32(lat * k), floor_i32(lon * k));
        // Searching out to four thresholds costs a few more cells, once per cell; a
        // vessel's cache then holds for kilometres where a cap just past the
        // threshold held for the cell's half-diagonal (vessels on the rivers and
        // lakes the land polygons cover asked again every few fixes).
        let cap = (4.0 * threshold_m).max(threshold_m + 2.0 * self.slack_m);
        let centre = *self
            .map
            .entry(key)
            .or_insert_with(|| distance((key.0 as f64 + 0.5) / k, (key.1 as f64 + 0.5) / k, cap) as f32)
            as f64;
        if centre - self.slack_m >= threshold_m || centre + self.slack_m < threshold_m {
            return (centre, self.slack_m);
        }
        (distance(lat, lon, threshold_m * 1.001), 0.0)
    }

    /// Cells computed.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
