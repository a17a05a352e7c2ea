//! Cached distances for threshold tests ("at least 20 nm from shore?").
//!
//! A distance can change by no more than the vessel moved, so a cached value
//! answers a threshold question until the vessel has moved far enough to
//! cross it. A moored or drifting vessel costs one R*-tree query, not one per
//! position.

use sealane_core::geo::fast_distance_m;

/// The last computed distance for one vessel and where it was computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistanceCache {
    lat: f64,
    lon: f64,
    d_m: f64,
}

impl Default for DistanceCache {
    fn default() -> Self {
        DistanceCache { lat: f64::NAN, lon: f64::NAN, d_m: f64::NAN }
    }
}

impl DistanceCache {
    /// Whether the distance at (lat, lon) is at least `threshold_m`, calling
    /// `compute` only when the cached value cannot decide.
    #[inline]
    pub fn at_least(&mut self, lat: f64, lon: f64, threshold_m: f64, compute: impl FnOnce() -> f64) -> bool {
        if !self.d_m.is_nan() {
            let moved = fast_distance_m(self.lat, self.lon, lat, lon);
            if self.d_m - moved >= threshold_m {
                return true;
            }
            if self.d_m + moved < threshold_m {
                return false;
            }
        }
        self.d_m = compute();
        self.lat = lat;
        self.lon = lon;
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
            fast_distance_m(lat, lon, lat, -0.27)
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
}
