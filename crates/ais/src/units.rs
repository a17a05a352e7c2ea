//! Physical values from transmitted fields, with "not available" as `None`.
//!
//! ITU-R M.1371-5 encodes unknown values as sentinels (latitude 91 degrees,
//! speed 1023, heading 511, ...). These helpers turn them into `Option`s so
//! that no sentinel is ever stored or averaged as if it were a measurement.

/// Latitude in degrees from 1/10 000 minute; `None` for 91 degrees (not available) or out of range.
pub fn lat_deg(raw: i32) -> Option<f64> {
    let d = raw as f64 / 600_000.0;
    (raw != 54_600_000 && (-90.0..=90.0).contains(&d)).then_some(d)
}

/// Longitude in degrees from 1/10 000 minute; `None` for 181 degrees (not available) or out of range.
pub fn lon_deg(raw: i32) -> Option<f64> {
    let d = raw as f64 / 600_000.0;
    (raw != 108_600_000 && (-180.0..=180.0).contains(&d)).then_some(d)
}

/// Speed over ground in knots from 1/10 knot; `None` for 1023 (not available).
pub fn speed_knots(raw: u16) -> Option<f64> {
    (raw < 1023).then(|| raw as f64 / 10.0)
}

/// Course over ground in degrees from 1/10 degree; `None` for 3600 (not available) and invalid values.
pub fn course_deg(raw: u16) -> Option<f64> {
    (raw < 3600).then(|| raw as f64 / 10.0)
}

/// True heading in degrees; `None` for 511 (not available) and invalid values.
pub fn heading_deg(raw: u16) -> Option<f64> {
    (raw < 360).then_some(raw as f64)
}

/// Rate of turn in degrees per minute from the ROT indicator; `None` when not
/// available (-128) or when only the direction of a fast turn is known (+-127).
pub fn turn_deg_per_min(raw: i8) -> Option<f64> {
    match raw {
        -128 | -127 | 127 => None,
        r => {
            let v = (r as f64 / 4.733).powi(2);
            Some(if r < 0 { -v } else { v })
        }
    }
}

/// Draught in metres from 1/10 metre; `None` for 0 (not available).
pub fn draught_m(raw: u8) -> Option<f64> {
    (raw != 0).then(|| raw as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_are_none() {
        assert_eq!(lat_deg(54_600_000), None);
        assert_eq!(lon_deg(108_600_000), None);
        assert_eq!(speed_knots(1023), None);
        assert_eq!(course_deg(3600), None);
        assert_eq!(heading_deg(511), None);
        assert_eq!(turn_deg_per_min(-128), None);
        assert!((lat_deg(29_028_980).unwrap() - 48.381_633_333).abs() < 1e-9);
        assert_eq!(speed_knots(1022), Some(102.2));
    }
}
