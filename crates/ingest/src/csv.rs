//! CSV archives of decoded AIS: NOAA MarineCadastre (full, the Tracktable
//! column order, and position-only extracts), the Danish Maritime Authority
//! daily files, Spire/AISdb decoded exports, and the Korean national AIS
//! export. The dialect is recognised from the header; columns are found by
//! name, so column order does not matter.

use sealane_core::time::civil_to_unix_ms;
use sealane_core::{Identity, Observation, Position, TimeSource, VesselClass};

/// A recognised CSV dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// NOAA MarineCadastre (`MMSI,BaseDateTime,LAT,LON,...`) and extracts of it.
    MarineCadastre,
    /// Danish Maritime Authority (`# Timestamp,Type of mobile,MMSI,...`).
    Dma,
    /// Spire decoded AIS as published with AISdb (`MMSI,Message_ID,...,Time,...`).
    AisdbSpire,
    /// Korean national AIS export (`MMSI,일시,위도,경도,SOG,COG,Heading`).
    KoreaNational,
}

impl Dialect {
    /// Stable name (also accepted by [`Dialect::from_name`]).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::MarineCadastre => "marinecadastre",
            Dialect::Dma => "dma",
            Dialect::AisdbSpire => "aisdb-spire",
            Dialect::KoreaNational => "kr-national",
        }
    }

    /// A dialect by name.
    pub fn from_name(s: &str) -> Option<Dialect> {
        [Dialect::MarineCadastre, Dialect::Dma, Dialect::AisdbSpire, Dialect::KoreaNational]
            .into_iter()
            .find(|d| d.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Mmsi,
    Time,
    Millis,
    Lat,
    Lon,
    Sog,
    Cog,
    Heading,
    Status,
    Rot,
    Name,
    Imo,
    Callsign,
    Shiptype,
    Length,
    Width,
    Bow,
    Stern,
    Port,
    Starboard,
    Draught,
    Destination,
    Eta,
    Class,
    MsgType,
}

fn column(name: &str) -> Option<Col> {
    let n = name.trim().trim_start_matches('\u{feff}').trim_start_matches('#').trim().to_ascii_lowercase();
    Some(match n.as_str() {
        "mmsi" => Col::Mmsi,
        "basedatetime" | "timestamp" | "time" | "datetime" | "일시" => Col::Time,
        "millisecond" => Col::Millis,
        "lat" | "latitude" | "위도" => Col::Lat,
        "lon" | "longitude" | "경도" => Col::Lon,
        "sog" => Col::Sog,
        "cog" => Col::Cog,
        "heading" => Col::Heading,
        "status" | "navigational status" | "navigational_status" => Col::Status,
        "rot" => Col::Rot,
        "vesselname" | "name" | "vessel_name" | "선박명" => Col::Name,
        "imo" => Col::Imo,
        "callsign" | "call_sign" | "호출부호" => Col::Callsign,
        "vesseltype" | "ship type" | "ship_type" | "선종코드" => Col::Shiptype,
        "length" => Col::Length,
        "width" => Col::Width,
        "dimension_to_bow" | "a" | "dima" => Col::Bow,
        "dimension_to_stern" | "b" | "dimb" => Col::Stern,
        "dimension_to_port" | "c" | "dimc" => Col::Port,
        "dimension_to_starboard" | "d" | "dimd" => Col::Starboard,
        "draft" | "draught" | "흘수" => Col::Draught,
        "destination" => Col::Destination,
        "eta" => Col::Eta,
        "transceiverclass" | "transcieverclass" | "type of mobile" => Col::Class,
        "message_id" => Col::MsgType,
        _ => return None,
    })
}

/// Why a row was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowError {
    /// Fewer fields than the header.
    FieldCount,
    /// MMSI missing or not a number.
    BadMmsi,
    /// Time missing or unreadable.
    BadTime,
    /// A number that does not read as one.
    BadNumber,
    /// An untyped row with neither a known position nor any identity field (e.g. latitude 91).
    NoContent,
}

impl RowError {
    /// Stable reason name.
    pub fn reason(self) -> &'static str {
        match self {
            RowError::FieldCount => "csv_field_count",
            RowError::BadMmsi => "csv_bad_mmsi",
            RowError::BadTime => "csv_bad_time",
            RowError::BadNumber => "csv_bad_number",
            RowError::NoContent => "csv_no_position",
        }
    }
}

/// Reads rows of one CSV file, given its header.
#[derive(Debug, Clone)]
pub struct CsvReader {
    dialect: Dialect,
    cols: Vec<Option<Col>>,
    width: usize,
    tz_offset_ms: i64,
}

/// True when the line looks like a header this module reads (it names an MMSI column).
pub fn is_header(line: &str) -> bool {
    sealane_core::csv::split_quoted(line).iter().any(|f| column(f) == Some(Col::Mmsi))
}

impl CsvReader {
    /// A reader for files with this header. `dialect` overrides recognition;
    /// `tz_offset_min` is the offset of the file's local times from UTC (0 for UTC).
    pub fn new(header: &str, dialect: Option<Dialect>, tz_offset_min: i64) -> Result<CsvReader, String> {
        let names = sealane_core::csv::split_quoted(header);
        let cols: Vec<Option<Col>> = names.iter().map(|n| column(n)).collect();
        let has = |c: Col| cols.contains(&Some(c));
        if !has(Col::Mmsi) || !has(Col::Time) {
            return Err(format!("CSV header has no MMSI and time columns: {header:?}"));
        }
        let lower: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        let dialect = dialect.unwrap_or(if lower.iter().any(|n| n == "type of mobile") {
            Dialect::Dma
        } else if has(Col::MsgType) {
            Dialect::AisdbSpire
        } else if lower.iter().any(|n| n == "일시") {
            Dialect::KoreaNational
        } else {
            Dialect::MarineCadastre
        });
        Ok(CsvReader { dialect, width: cols.len(), cols, tz_offset_ms: tz_offset_min * 60_000 })
    }

    /// The dialect in use.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Parses one data row into observations (a position, an identity, or both).
    pub fn row(&mut self, line: &str, out: &mut Vec<Observation>) -> Result<(), RowError> {
        let fields = sealane_core::csv::split_quoted(line);
        if fields.len() < self.width {
            return Err(RowError::FieldCount);
        }
        let get = |c: Col| -> Option<&str> {
            self.cols
                .iter()
                .position(|x| *x == Some(c))
                .map(|i| fields[i].trim())
                .filter(|s| !s.is_empty() && *s != "None" && *s != "NULL")
        };
        let num = |c: Col| -> Result<Option<f64>, RowError> {
            match get(c) {
                None => Ok(None),
                Some(s) => s.parse::<f64>().map(Some).map_err(|_| RowError::BadNumber),
            }
        };
        let mmsi =
            get(Col::Mmsi).and_then(|s| s.parse::<f64>().ok()).filter(|v| *v >= 0.0 && *v < 1e9 && v.fract() == 0.0);
        let mmsi = mmsi.ok_or(RowError::BadMmsi)? as u32;
        let mut time_ms = get(Col::Time).and_then(parse_csv_time).ok_or(RowError::BadTime)? - self.tz_offset_ms;
        if let Some(ms) = num(Col::Millis)? {
            time_ms += ms as i64;
        }
        let msg_type = num(Col::MsgType)?.map_or(0, |v| v as u8);
        let class = match get(Col::Class).map(str::to_ascii_lowercase).as_deref() {
            Some("a" | "class a") => VesselClass::A,
            Some("b" | "class b") => VesselClass::B,
            Some("base station") => VesselClass::Base,
            Some("aton") => VesselClass::AtoN,
            Some("sar airborne") => VesselClass::Sar,
            _ => match msg_type {
                1..=3 | 5 | 27 => VesselClass::A,
                18 | 19 | 24 => VesselClass::B,
                4 => VesselClass::Base,
                9 => VesselClass::Sar,
                21 => VesselClass::AtoN,
                _ => VesselClass::Unknown,
            },
        };
        let before = out.len();
        let (lat, lon) = (num(Col::Lat)?, num(Col::Lon)?);
        if let (Some(lat), Some(lon)) = (lat, lon) {
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
                // MarineCadastre writes some 12-bit courses as signed: -60.6 is 349.0 degrees.
                let cog =
                    num(Col::Cog)?.map(|c| if c < 0.0 { c + 409.6 } else { c }).filter(|c| (0.0..360.0).contains(c));
                out.push(Observation::Position(Position {
                    mmsi,
                    time_ms,
                    time_source: TimeSource::Column,
                    lat,
                    lon,
                    sog: num(Col::Sog)?.filter(|s| (0.0..102.3).contains(s)).map(|s| s as f32),
                    cog: cog.map(|c| c as f32),
                    heading: num(Col::Heading)?.filter(|h| (0.0..360.0).contains(h)).map(|h| h as u16),
                    nav_status: num(Col::Status)?.filter(|s| (0.0..15.0).contains(s)).map(|s| s as u8),
                    rot: num(Col::Rot)?.filter(|r| r.abs() < 720.0).map(|r| r as f32),
                    accuracy: false,
                    class,
                    msg_type,
                }));
            }
        }
        let text = |c: Col| get(c).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let dims = match (num(Col::Bow)?, num(Col::Stern)?, num(Col::Port)?, num(Col::Starboard)?) {
            (Some(a), Some(b), Some(c), Some(d)) if a + b + c + d > 0.0 => {
                Some([a as u16, b as u16, c as u16, d as u16])
            }
            // Archives with only length and width: keep them as bow/port so length and beam read back.
            _ => match (num(Col::Length)?, num(Col::Width)?) {
                (Some(l), w) if l > 0.0 => Some([l as u16, 0, w.unwrap_or(0.0) as u16, 0]),
                _ => None,
            },
        };
        let identity = Identity {
            mmsi,
            time_ms,
            name: text(Col::Name),
            callsign: text(Col::Callsign),
            imo: get(Col::Imo)
                .map(|s| s.trim_start_matches("IMO").trim())
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|v| *v > 0.0)
                .map(|v| v as u32),
            shiptype: num(Col::Shiptype)?.filter(|t| *t > 0.0 && *t < 256.0).map(|t| t as u8),
            dims,
            draught: num(Col::Draught)?.filter(|d| *d > 0.0).map(|d| d as f32),
            destination: text(Col::Destination),
            eta: text(Col::Eta),
        };
        let has_identity = identity.name.is_some()
            || identity.callsign.is_some()
            || identity.imo.is_some()
            || identity.shiptype.is_some()
            || identity.dims.is_some()
            || identity.destination.is_some();
        if has_identity {
            out.push(Observation::Identity(Box::new(identity)));
        }
        // A typed message without position or identity (binary, safety, ...) is a
        // message like any other; an untyped row with neither says nothing.
        if out.len() == before && msg_type == 0 {
            return Err(RowError::NoContent);
        }
        Ok(())
    }
}

/// Reads the time forms of the archives: ISO (`2020-06-30T00:22:12`, space or `T`),
/// DMA (`30/06/2020 00:22:12`) and Spire (`20200630_002212`). Times without an
/// offset are UTC.
pub fn parse_csv_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(ms) = sealane_ais::time::parse_iso_ms(s) {
        return Some(ms);
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() == 15 && b[8] == b'_' {
        return civil_to_unix_ms(num(0..4)?, num(4..6)?, num(6..8)?, num(9..11)?, num(11..13)?, num(13..15)?, 0);
    }
    if b.len() >= 19 && b[2] == b'/' && b[5] == b'/' {
        return civil_to_unix_ms(num(6..10)?, num(3..5)?, num(0..2)?, num(11..13)?, num(14..16)?, num(17..19)?, 0);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_marinecadastre_in_either_column_order() {
        let mut r = CsvReader::new(
            "BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TranscieverClass,ETA",
            None,
            0,
        )
        .unwrap();
        assert_eq!(r.dialect(), Dialect::MarineCadastre);
        let mut out = Vec::new();
        r.row(
            "2020-06-30T00:00:00,-74.02433,40.54291,366999618,19.0,-61.8,349.0,CG SHRIKE,,NPBG,90.0,0.0,26.0,5.0,,,B,2020-06-30T19:40:00",
            &mut out,
        )
        .unwrap();
        let Observation::Position(p) = &out[0] else { panic!() };
        assert_eq!(p.mmsi, 366999618);
        assert_eq!(p.time_ms, 1_593_475_200_000);
        assert!((p.cog.unwrap() - 347.8).abs() < 1e-3, "signed 12-bit course unwrapped");
        assert_eq!(p.heading, Some(349));
        assert_eq!(p.class, VesselClass::B);
        let Observation::Identity(i) = &out[1] else { panic!() };
        assert_eq!(i.name.as_deref(), Some("CG SHRIKE"));
        assert_eq!(i.length_m(), Some(26));
        assert_eq!(i.beam_m(), Some(5));
    }

    #[test]
    fn reads_dma_spire_and_korean_times() {
        assert_eq!(parse_csv_time("30/06/2020 00:00:01"), Some(1_593_475_201_000));
        assert_eq!(parse_csv_time("20200630_000001"), Some(1_593_475_201_000));
        assert_eq!(parse_csv_time("2020-06-30 00:00:01"), Some(1_593_475_201_000));
        let mut r = CsvReader::new("MMSI,일시,위도,경도,SOG,COG,Heading", None, 9 * 60).unwrap();
        assert_eq!(r.dialect(), Dialect::KoreaNational);
        let mut out = Vec::new();
        r.row("440004000,2021-01-01 09:00:00,35.98,126.6,102.3,0,480", &mut out).unwrap();
        let Observation::Position(p) = &out[0] else { panic!() };
        assert_eq!(p.time_ms, 1_609_459_200_000, "KST converted to UTC");
        assert_eq!(p.sog, None, "102.3 is not available");
        assert_eq!(p.heading, None, "480 is not a heading");
    }

    #[test]
    fn rejects_are_named() {
        let mut r = CsvReader::new("MMSI,BaseDateTime,LAT,LON", None, 0).unwrap();
        let mut out = Vec::new();
        assert_eq!(r.row("x,2020-06-30T00:00:00,1,2", &mut out), Err(RowError::BadMmsi));
        assert_eq!(r.row("1,yesterday,1,2", &mut out), Err(RowError::BadTime));
        assert_eq!(r.row("1,2020-06-30T00:00:00,91,181", &mut out), Err(RowError::NoContent));
        assert_eq!(r.row("1,2020-06-30T00:00:00", &mut out), Err(RowError::FieldCount));
        assert_eq!(r.row("1,2020-06-30T00:00:00,north,2", &mut out), Err(RowError::BadNumber));
        assert!(CsvReader::new("a,b,c", None, 0).is_err());
    }
}
