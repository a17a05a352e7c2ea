//! Calendar arithmetic for receive timestamps (proleptic Gregorian, UTC).
//! Small and dependency-free so the decoder stays sans-IO and light.

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Milliseconds since the Unix epoch for a UTC civil time, if the fields are in range.
pub fn civil_to_unix_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ms: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 || ms > 999 {
        return None;
    }
    if !(0..=9999).contains(&y) || h < 0 || mi < 0 || s < 0 || ms < 0 {
        return None;
    }
    Some(((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms)
}

/// Parses `YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|+00:00]` as UTC milliseconds.
pub fn parse_iso_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: core::ops::Range<usize>| -> Option<i64> {
        let t = b.get(r)?;
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(t.iter().fold(0i64, |a, &c| a * 10 + (c - b'0') as i64))
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                ms = ms * 10 + (b[i] - b'0') as i64;
            }
            i += 1;
        }
        for _ in (i - start).min(3)..3 {
            ms *= 10;
        }
    }
    let offset_min = match &b[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let digits: Vec<u8> = rest.iter().copied().filter(u8::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let hh = ((digits[0] - b'0') * 10 + digits[1] - b'0') as i64;
            let mm = ((digits[2] - b'0') * 10 + digits[3] - b'0') as i64;
            let v = hh * 60 + mm;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    civil_to_unix_ms(y, mo, d, h, mi, sec, ms).map(|t| t - offset_min * 60_000)
}

/// Formats UTC milliseconds as RFC 3339 (`2020-06-30T00:00:00Z`, with `.fff` when not whole seconds).
pub fn format_rfc3339_ms(ms: i64) -> String {
    let mut out = String::with_capacity(24);
    write_rfc3339_ms(&mut out, ms);
    out
}

/// Appends UTC milliseconds as RFC 3339 to `out`.
pub fn write_rfc3339_ms(out: &mut String, ms: i64) {
    use core::fmt::Write;
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, f) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if f != 0 {
        let _ = write!(out, ".{f:03}");
    }
    out.push('Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for days in [-800_000, -1, 0, 1, 18_443, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2020, 6, 30), 18_443);
    }

    #[test]
    fn parses_iso_forms() {
        assert_eq!(parse_iso_ms("2020-06-30T00:00:00Z"), Some(1_593_475_200_000));
        assert_eq!(parse_iso_ms("2020-06-30 00:00:00.5"), Some(1_593_475_200_500));
        assert_eq!(parse_iso_ms("2020-06-30T09:00:00+09:00"), Some(1_593_475_200_000));
        assert_eq!(parse_iso_ms("2020-13-30T00:00:00Z"), None);
        assert_eq!(format_rfc3339_ms(1_593_475_200_500), "2020-06-30T00:00:00.500Z");
    }
}
