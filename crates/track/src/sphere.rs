//! Points and segments on the unit sphere, for nearest-neighbour queries in
//! metres with an R*-tree: chord distance grows with great-circle distance,
//! so the nearest by chord is the nearest on the Earth.

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

/// A chord between two unit vectors (a coastline edge).
#[derive(Debug, Clone, Copy)]
pub struct SphereSegment {
    /// One end.
    pub a: [f64; 3],
    /// The other end.
    pub b: [f64; 3],
}

impl RTreeObject for SphereSegment {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(
            [self.a[0].min(self.b[0]), self.a[1].min(self.b[1]), self.a[2].min(self.b[2])],
            [self.a[0].max(self.b[0]), self.a[1].max(self.b[1]), self.a[2].max(self.b[2])],
        )
    }
}

impl PointDistance for SphereSegment {
    fn distance_2(&self, q: &[f64; 3]) -> f64 {
        let d = [self.b[0] - self.a[0], self.b[1] - self.a[1], self.b[2] - self.a[2]];
        let w = [q[0] - self.a[0], q[1] - self.a[1], q[2] - self.a[2]];
        let dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        let t = if dd > 0.0 { ((w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / dd).clamp(0.0, 1.0) } else { 0.0 };
        (0..3).map(|i| (w[i] - t * d[i]).powi(2)).sum()
    }
}
