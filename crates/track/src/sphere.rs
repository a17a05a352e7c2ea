//! Points on the unit sphere, for nearest-neighbour queries in metres with an
//! R*-tree: chord distance grows with great-circle distance, so the nearest by
//! chord is the nearest on the Earth.

use rstar::{AABB, PointDistance, RTreeObject};
use sealane_core::geo::EARTH_RADIUS_M;

/// (lat, lon) degrees to a unit vector.
pub fn unit(lat: f64, lon: f64) -> [f64; 3] {
    let (p, l) = (lat.to_radians(), lon.to_radians());
    let c = p.cos();
    [c * l.cos(), c * l.sin(), p.sin()]
}

/// Squared chord length on the unit sphere to metres along the surface.
pub fn chord2_to_m(d2: f64) -> f64 {
    2.0 * EARTH_RADIUS_M * (d2.sqrt() / 2.0).min(1.0).asin()
}

/// A point of the index, with the position of its record in the caller's list.
#[derive(Debug, Clone, Copy)]
pub struct SpherePoint {
    /// Unit vector.
    pub p: [f64; 3],
    /// Index in the caller's list.
    pub index: u32,
}

impl RTreeObject for SpherePoint {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(self.p)
    }
}

impl PointDistance for SpherePoint {
    fn distance_2(&self, q: &[f64; 3]) -> f64 {
        (0..3).map(|i| (self.p[i] - q[i]).powi(2)).sum()
    }
}
