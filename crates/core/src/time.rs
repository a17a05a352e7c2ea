//! Time: milliseconds since the Unix epoch (UTC) everywhere, RFC 3339 at the edges.

pub use sealane_ais::time::{civil_from_days, civil_to_unix_ms, days_from_civil, format_rfc3339_ms, write_rfc3339_ms};

/// Parses a time given on a command line or in a file: RFC 3339 / ISO 8601
/// (`2020-06-30T12:00:00Z`, `2020-06-30 12:00:00`, fractional seconds and
/// offsets allowed), a bare date (`2020-06-30`, midnight UTC), or Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Some(ms) = sealane_ais::time::parse_iso_ms(t) {
        return Ok(ms);
    }
    if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        if let Some(ms) = sealane_ais::time::parse_iso_ms(&format!("{t}T00:00:00Z")) {
            return Ok(ms);
        }
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if let Ok(secs) = t.parse::<f64>() {
            return Ok((secs * 1000.0).round() as i64);
        }
    }
    Err(format!("cannot read {s:?} as a time (expected RFC 3339 like 2020-06-30T12:00:00Z, a date, or Unix seconds)"))
}

/// Midnight UTC of the day containing `ms`.
pub fn day_start(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

/// `YYYY-MM-DD` of the UTC day containing `ms`.
pub fn day_string(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_type() {
        assert_eq!(parse_time("2020-06-30"), Ok(1_593_475_200_000));
        assert_eq!(parse_time("2020-06-30 00:00:01"), Ok(1_593_475_201_000));
        assert_eq!(parse_time("1593475200"), Ok(1_593_475_200_000));
        assert!(parse_time("yesterday").unwrap_err().contains("yesterday"));
        assert_eq!(day_string(1_593_475_200_000 + 5), "2020-06-30");
        assert_eq!(day_start(1_593_475_299_000), 1_593_475_200_000);
    }
}
