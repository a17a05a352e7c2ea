//! Geodesy on the WGS 84 sphere approximation (mean Earth radius), enough for
//! vessel tracking: distances to metres, bearings to fractions of a degree.

/// Mean Earth radius, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Metres in a nautical mile.
pub const NM: f64 = 1852.0;

/// Great-circle distance between two points, metres (haversine).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Initial bearing from point 1 to point 2, degrees clockwise from north [0, 360).
pub fn bearing_deg(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dl = (lon2 - lon1).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

/// The point reached from (lat, lon) after `distance_m` along `bearing_deg`.
pub fn destination(lat: f64, lon: f64, bearing_deg: f64, distance_m: f64) -> (f64, f64) {
    let d = distance_m / EARTH_RADIUS_M;
    let (p1, l1, b) = (lat.to_radians(), lon.to_radians(), bearing_deg.to_radians());
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    (p2.to_degrees(), (l2.to_degrees() + 540.0) % 360.0 - 180.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_bearings() {
        // One minute of latitude is one nautical mile (to within the sphere's error).
        let d = distance_m(35.0, 129.0, 35.0 + 1.0 / 60.0, 129.0);
        assert!((d - NM).abs() < 5.0, "{d}");
        assert!((bearing_deg(0.0, 0.0, 0.0, 1.0) - 90.0).abs() < 1e-9);
        let (la, lo) = destination(35.1, 129.0, 45.0, 10_000.0);
        assert!((distance_m(35.1, 129.0, la, lo) - 10_000.0).abs() < 1e-6);
    }
}
