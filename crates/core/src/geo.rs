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

/// Distance between two points, metres: equirectangular (one cosine, no
/// inverse trigonometry) when they are close, where it is within 0.1 % of
/// the great circle, haversine otherwise. For per-position work.
pub fn fast_distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let dlat = lat2 - lat1;
    let mut dlon = lon2 - lon1;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    if dlat.abs() > 0.5 || dlon.abs() > 0.5 {
        return distance_m(lat1, lon1, lat2, lon2);
    }
    let k = ((lat1 + lat2) * 0.5).to_radians().cos();
    let (x, y) = ((dlon * k).to_radians(), dlat.to_radians());
    EARTH_RADIUS_M * (x * x + y * y).sqrt()
}

/// Metres per degree of latitude (and of longitude at the equator).
pub const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// `v.floor() as i32`, without the call: x86-64's baseline has no rounding
/// instruction, so `floor` is a libm call, and grid cells are computed for
/// every position. Saturates like `as` (NaN gives 0).
#[inline]
pub fn floor_i32(v: f64) -> i32 {
    let t = v as i32;
    if (t as f64) > v { t.saturating_sub(1) } else { t }
}

/// The point a fraction `f` (0..1) of the way from point 1 to point 2, linearly
/// in degrees (the short way across the antimeridian). Fixes minutes apart are
/// close enough for this to be exact to metres.
pub fn lerp(lat1: f64, lon1: f64, lat2: f64, lon2: f64, f: f64) -> (f64, f64) {
    let mut dlon = lon2 - lon1;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    let mut lon = lon1 + dlon * f;
    if lon > 180.0 {
        lon -= 360.0;
    } else if lon < -180.0 {
        lon += 360.0;
    }
    (lat1 + (lat2 - lat1) * f, lon)
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
    fn floor_i32_is_floor_as_i32() {
        for v in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.999,
            -2.999,
            1e-300,
            -1e-300,
            1e10,
            -1e10,
            2147483647.5,
            -2147483648.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            37.58531 * 20.0,
            -122.4 * 20.0,
        ] {
            assert_eq!(floor_i32(v), v.floor() as i32, "{v}");
        }
    }

    #[test]
    fn distances_and_bearings() {
        // One minute of latitude is one nautical mile (to within the sphere's error).
        let d = distance_m(35.0, 129.0, 35.0 + 1.0 / 60.0, 129.0);
        assert!((d - NM).abs() < 5.0, "{d}");
        assert!((bearing_deg(0.0, 0.0, 0.0, 1.0) - 90.0).abs() < 1e-9);
        let (la, lo) = destination(35.1, 129.0, 45.0, 10_000.0);
        assert!((distance_m(35.1, 129.0, la, lo) - 10_000.0).abs() < 1e-6);
    }

    #[test]
    fn fast_distance_agrees_with_the_great_circle() {
        for &(lat, lon, dlat, dlon) in &[
            (35.0, 129.0, 0.01, 0.01),
            (60.0, -150.0, 0.2, -0.4),
            (-33.0, 151.0, -0.49, 0.49),
            (0.0, 179.9, 0.0, 0.2),
            (80.0, 10.0, 3.0, 7.0),
        ] {
            let lon2 = if lon + dlon > 180.0 { lon + dlon - 360.0 } else { lon + dlon };
            let exact = distance_m(lat, lon, lat + dlat, lon2);
            let fast = fast_distance_m(lat, lon, lat + dlat, lon2);
            assert!((fast - exact).abs() <= exact * 1e-3 + 1e-6, "{lat},{lon}: {fast} vs {exact}");
        }
        let (la, lo) = lerp(0.0, 179.5, 1.0, -179.5, 0.75);
        assert!((la - 0.75).abs() < 1e-12 && (lo + 179.75).abs() < 1e-9, "{la} {lo}");
    }
}
