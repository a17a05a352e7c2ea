//! Maritime Mobile Service Identities: kinds of MMSI and flag states by MID
//! (ITU-R M.585), from the ITU allocation table compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

/// What an MMSI identifies, from its leading digits (ITU-R M.585-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A ship station, `MIDxxxxxx`.
    Ship,
    /// A group of ships, `0MIDxxxxx`.
    Group,
    /// A coast station, `00MIDxxxx`.
    CoastStation,
    /// A SAR aircraft, `111MIDxxx`.
    SarAircraft,
    /// An aid to navigation, `99MIDxxxx`.
    AidToNavigation,
    /// Craft associated with a parent ship, `98MIDxxxx`.
    Auxiliary,
    /// AIS-SART, MOB or EPIRB-AIS (`970`, `972`, `974`).
    Distress,
    /// Anything else, including the placeholders (`0`, `111111111`, `123456789`) seen in the field.
    Invalid,
}

/// The kind of an MMSI.
pub fn kind(mmsi: u32) -> Kind {
    if !(1_000_000..1_000_000_000).contains(&mmsi) {
        return Kind::Invalid;
    }
    let d = |n: u32| mmsi / 10u32.pow(9 - n);
    let valid_mid = |mid: u32| mid_country(mid).is_some();
    match d(3) {
        970 | 972 | 974 => return Kind::Distress,
        111 if valid_mid(d(6) % 1000) => return Kind::SarAircraft,
        _ => {}
    }
    match d(2) {
        99 if valid_mid(d(5) % 1000) => return Kind::AidToNavigation,
        98 if valid_mid(d(5) % 1000) => return Kind::Auxiliary,
        0 if valid_mid(d(5) % 1000) => return Kind::CoastStation,
        _ => {}
    }
    if d(1) == 0 && valid_mid(d(4) % 1000) {
        return Kind::Group;
    }
    if valid_mid(d(3)) && !is_placeholder(mmsi) {
        return Kind::Ship;
    }
    Kind::Invalid
}

/// Whether an MMSI is one of the numbers unconfigured transponders send
/// (repeated digits, counting sequences).
pub fn is_placeholder(mmsi: u32) -> bool {
    // Repeated digits and counting sequences are what unconfigured transponders send.
    let s = mmsi.to_string();
    let b = s.as_bytes();
    b.iter().all(|&c| c == b[0]) || s == "123456789" || s == "987654321"
}

/// The MID of a ship-style MMSI (first three digits), or of the other kinds where it is embedded.
pub fn mid(mmsi: u32) -> Option<u32> {
    let d = |n: u32| mmsi / 10u32.pow(9 - n);
    match kind(mmsi) {
        Kind::Ship => Some(d(3)),
        Kind::Group => Some(d(4) % 1000),
        Kind::CoastStation | Kind::AidToNavigation | Kind::Auxiliary => Some(d(5) % 1000),
        Kind::SarAircraft => Some(d(6) % 1000),
        Kind::Distress | Kind::Invalid => None,
    }
}

/// The flag state an MMSI's MID is allocated to, in the ITU table's words.
pub fn flag(mmsi: u32) -> Option<&'static str> {
    mid(mmsi).and_then(mid_country)
}

/// The country a MID is allocated to.
pub fn mid_country(mid: u32) -> Option<&'static str> {
    table().get(&mid).copied()
}

fn table() -> &'static HashMap<u32, &'static str> {
    static TABLE: OnceLock<HashMap<u32, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let text: &'static str = include_str!("../data/itu_maritime_identification_digits.csv");
        let mut m = HashMap::new();
        for line in text.lines().skip(1) {
            let Some((mid, name)) = line.split_once(',') else { continue };
            // A few MIDs are listed once per territory; the first row names the state.
            if let Ok(mid) = mid.trim().parse::<u32>() {
                m.entry(mid).or_insert(name.trim().trim_matches('"'));
            }
        }
        m
    })
}

/// True when the IMO number's check digit is right (IMO numbers are 7 digits; the last is a
/// weighted checksum of the first six).
pub fn imo_valid(imo: u32) -> bool {
    if !(1_000_000..=9_999_999).contains(&imo) {
        return false;
    }
    let digits: Vec<u32> = imo.to_string().bytes().map(|b| (b - b'0') as u32).collect();
    let sum: u32 = (0..6).map(|i| digits[i] * (7 - i as u32)).sum();
    sum % 10 == digits[6]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_flags() {
        assert_eq!(kind(440_123_456), Kind::Ship);
        assert_eq!(flag(440_123_456), Some("Korea (Republic of)"));
        assert_eq!(flag(316_001_234), Some("Canada"));
        assert_eq!(flag(445_527_000), Some("Democratic People's Republic of Korea"));
        assert_eq!(kind(3_669_141), Kind::CoastStation);
        assert_eq!(kind(992_509_976), Kind::AidToNavigation);
        assert_eq!(kind(111_232_506), Kind::SarAircraft);
        assert_eq!(kind(970_010_000), Kind::Distress);
        assert_eq!(kind(111_111_111), Kind::Invalid);
        assert_eq!(kind(123_456_789), Kind::Invalid);
        assert_eq!(kind(0), Kind::Invalid);
        assert_eq!(kind(1_234_567_890), Kind::Invalid);
        assert!(mid_country(306).unwrap().starts_with("Netherlands (Kingdom of the)"));
    }

    #[test]
    fn imo_check_digit() {
        assert!(imo_valid(9_009_085)); // THAE PHYONG SAN, on the OFAC list
        assert!(imo_valid(9_074_729));
        assert!(!imo_valid(9_074_728));
        assert!(!imo_valid(123));
    }
}
