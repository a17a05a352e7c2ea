//! Cached distances for threshold tests ("at least 20 nm from shore?").
//!
//! A distance can change by no more than the vessel moved, so a cached value
//! answers a threshold question until the vessel has moved far enough to
//! cross it. A moored or drifting vessel costs one R*-tree query, not one per
//! position.

use sealane_core::geo::M_PER_DEG;

/// A reference point and an upper bound on how far a vessel is from it, with
/// no trigonometry per call (the cosine of the reference latitude is kept; a
/// cosine changes by at most the change in latitude, in radians).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    lat: f64,
    lon: f64,
    cos_lat: f64,
}

impl Default for Anchor {
    fn default() -> Self {
        Anchor { lat: f64::NAN, lon: f64::NAN, cos_lat: 1.0 }
    }
}

impl Anchor {
    /// An anchor at (lat, lon).
    pub fn at(lat: f64, lon: f64) -> Anchor {
        Anchor { lat, lon, cos_lat: lat.to_radians().cos() }
    }

    /// Whether it has been set.
    pub fn is_set(&self) -> bool {
        !self.lat.is_nan()
    }

    /// At least the distance from the anchor to (lat, lon), metres (infinite when unset).
    #[inline]
    pub fn moved_at_most(&self, lat: f64, lon: f64) -> f64 {
        let dlat = lat - self.lat;
        let mut dlon = (lon - self.lon).abs();
        if dlon > 180.0 {
            dlon = 360.0 - dlon;
        }
        if !(dlat.abs() <= 1.0 && dlon <= 1.0) {
            // Far, or unset (NaN): no cheap bound worth having.
            return f64::INFINITY;
        }
        let k = (self.cos_lat + dlat.abs().to_radians()).min(1.0);
        M_PER_DEG * (dlat * dlat + (dlon * k) * (dlon * k)).sqrt()
    }
}

/// The last computed distance for one vessel and where it was computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistanceCache {
    at: Anchor,
    d_m: f64,
}

impl Default for DistanceCache {
    fn default() -> Self {
        DistanceCache { at: Anchor::default(), d_m: f64::NAN }
    }
}

impl DistanceCache {
    /// Whether the distance at (lat, lon) is at least `threshold_m`, calling
    /// `compute` only when the cached value cannot decide.
    #[inline]
    pub fn at_least(&mut self, lat: f64, lon: f64, threshold_m: f64, compute: impl FnOnce() -> f64) -> bool {
        if !self.d_m.is_nan() {
            let moved = self.at.moved_at_most(lat, lon);
            if self.d_m - moved >= threshold_m {
                return true;
            }
            if self.d_m + moved < threshold_m {
                return false;
            }
        }
        self.d_m = compute();
        self.at = Anchor::at(lat, lon);
        self.d_m >= threshold_m
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
    }
}
