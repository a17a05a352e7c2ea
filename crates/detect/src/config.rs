//! Detector thresholds. Every number in DESIGN.md's "Behaviour definitions"
//! is a field here with that default; a TOML file overrides any subset, and
//! an unknown key is an error (a typo must not silently keep a default).

use serde::{Deserialize, Serialize};

/// All detector settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Track segmentation.
    pub tracks: TracksConfig,
    /// AIS gaps and suspected disabling.
    pub gap: GapConfig,
    /// Encounters (ship-to-ship).
    pub encounter: EncounterConfig,
    /// Loitering.
    pub loitering: LoiteringConfig,
    /// Zone entry, exit, dwell.
    pub zone: ZoneConfig,
    /// Spoofing: impossible speed, two places at once, on land.
    pub spoofing: SpoofingConfig,
    /// Identity: invalid identifiers and changes.
    pub identity: IdentityConfig,
}

impl Config {
    /// Reads TOML; `what` names the input in errors.
    pub fn from_toml(text: &str, what: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| format!("{what}: {e}"))?;
        c.validate().map_err(|e| format!("{what}: {e}"))?;
        Ok(c)
    }

    /// The settings as TOML (the defaults, for `--print-config`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks values a detector cannot work with.
    pub fn validate(&self) -> Result<(), String> {
        let positive =
            |name: &str, v: f64| if v > 0.0 && v.is_finite() { Ok(()) } else { Err(format!("{name} must be > 0")) };
        positive("tracks.segment_gap_h", self.tracks.segment_gap_h)?;
        positive("gap.raw_min_h", self.gap.raw_min_h)?;
        positive("encounter.slot_min", self.encounter.slot_min)?;
        positive("encounter.max_interpolation_gap_h", self.encounter.max_interpolation_gap_h)?;
        positive("loitering.max_speed_kn", self.loitering.max_speed_kn)?;
        if !(1..=crate::gap::MAX_BEFORE_HOURS as u32).contains(&self.gap.before_window_h) {
            return Err(format!("gap.before_window_h must be 1-{}", crate::gap::MAX_BEFORE_HOURS));
        }
        if !(0..=15).contains(&self.gap.reception_h3_resolution) {
            return Err("gap.reception_h3_resolution must be 0-15".into());
        }
        for p in &self.encounter.profiles {
            positive(&format!("encounter.profiles[{}].max_distance_m", p.name), p.max_distance_m)?;
            if p.max_distance_m > 5_000.0 {
                return Err(format!("encounter.profiles[{}].max_distance_m must be at most 5000", p.name));
            }
        }
        Ok(())
    }
}

/// Track segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TracksConfig {
    /// A silence longer than this starts a new segment, hours.
    pub segment_gap_h: f64,
}

impl Default for TracksConfig {
    fn default() -> Self {
        TracksConfig { segment_gap_h: 1.0 }
    }
}

/// AIS gaps (GFW, Welch et al. 2022).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GapConfig {
    /// Raw gaps are reported from this long, hours.
    pub raw_min_h: f64,
    /// A suspected disabling lasts at least this long, hours ...
    pub disabling_min_h: f64,
    /// ... starts at least this far from shore, nautical miles ...
    pub disabling_min_shore_nm: f64,
    /// ... where reception is good: more than this many positions per day in the H3 cell ...
    pub min_reception_per_day: f64,
    /// ... (H3 resolution of the reception cells) ...
    pub reception_h3_resolution: u8,
    /// ... and the vessel sent at least this many positions ...
    pub min_positions_before: u32,
    /// ... in this many hours before the gap.
    pub before_window_h: u32,
}

impl Default for GapConfig {
    fn default() -> Self {
        GapConfig {
            raw_min_h: 6.0,
            disabling_min_h: 12.0,
            disabling_min_shore_nm: 50.0,
            min_reception_per_day: 10.0,
            reception_h3_resolution: 4,
            min_positions_before: 14,
            before_window_h: 12,
        }
    }
}

/// One encounter profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncounterProfile {
    /// Name, reported in `details.profile`.
    pub name: String,
    /// Vessels within this distance of each other, metres ...
    pub max_distance_m: f64,
    /// ... for at least this long, hours (`strict`: longer than) ...
    pub min_duration_h: f64,
    /// Whether the duration must exceed `min_duration_h` rather than reach it.
    #[serde(default)]
    pub strictly_longer: bool,
    /// ... with both vessels' median speed below this, knots.
    pub max_median_speed_kn: f64,
}

/// Encounters (GFW, Miller et al. 2018; Skylight's standard rendezvous).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncounterConfig {
    /// Tracks are resampled every this many minutes.
    pub slot_min: f64,
    /// Interpolation only across gaps shorter than this, hours.
    pub max_interpolation_gap_h: f64,
    /// Encounters of the same pair less than this apart are merged, hours.
    pub merge_within_h: f64,
    /// Encounters need both vessels at least this far from the nearest port, km ...
    pub min_port_distance_km: f64,
    /// ... at sea (not inside the land polygons: docks, rivers, marinas) ...
    pub at_sea_only: bool,
    /// ... and both MMSIs ship stations (fishing-gear beacons and buoys sit beside their
    /// vessel for hours: they are not a second ship).
    pub ships_only: bool,
    /// Profiles, each reported separately.
    pub profiles: Vec<EncounterProfile>,
}

impl Default for EncounterConfig {
    fn default() -> Self {
        EncounterConfig {
            slot_min: 10.0,
            max_interpolation_gap_h: 1.0,
            merge_within_h: 4.0,
            min_port_distance_km: 10.0,
            at_sea_only: true,
            ships_only: true,
            profiles: vec![
                EncounterProfile {
                    name: "gfw".into(),
                    max_distance_m: 500.0,
                    min_duration_h: 2.0,
                    strictly_longer: false,
                    max_median_speed_kn: 2.0,
                },
                EncounterProfile {
                    name: "rendezvous".into(),
                    max_distance_m: 250.0,
                    min_duration_h: 0.5,
                    strictly_longer: true,
                    max_median_speed_kn: 2.0,
                },
            ],
        }
    }
}

/// Loitering (GFW).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoiteringConfig {
    /// An hour is slow when the vessel's average implied speed over it is below this, knots.
    pub max_speed_kn: f64,
    /// Consecutive slow hours (two or more, as the definition's plural says) lasting at
    /// least this long are loitering, hours ...
    pub min_duration_h: f64,
    /// ... or this long for carrier-class vessels (AIS ship types `carrier_shiptypes`).
    pub carrier_min_duration_h: f64,
    /// Ship types treated as carriers (reefers and other cargo: 70-79).
    pub carrier_shiptypes: Vec<u8>,
    /// Slow hours count only this far from shore, nautical miles.
    pub min_shore_nm: f64,
    /// Only ship stations (not fishing-gear beacons or buoys, which drift).
    pub ships_only: bool,
}

impl Default for LoiteringConfig {
    fn default() -> Self {
        LoiteringConfig {
            max_speed_kn: 2.0,
            min_duration_h: 2.0,
            carrier_min_duration_h: 4.0,
            carrier_shiptypes: (70..=79).collect(),
            min_shore_nm: 20.0,
            ships_only: true,
        }
    }
}

/// Zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZoneConfig {
    /// A stay reported as dwell lasts at least this long, hours.
    pub dwell_min_h: f64,
}

impl Default for ZoneConfig {
    fn default() -> Self {
        ZoneConfig { dwell_min_h: 1.0 }
    }
}

/// Spoofing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpoofingConfig {
    /// Fastest credible speed of a class A ship, knots.
    pub max_speed_class_a_kn: f64,
    /// ... of a class B station, knots.
    pub max_speed_class_b_kn: f64,
    /// ... of high-speed craft (ship types 40-49), knots.
    pub max_speed_hsc_kn: f64,
    /// Jumps shorter than this are GPS noise, never spoofing, metres.
    pub min_jump_m: f64,
    /// One MMSI alternating this many times between two tracks is in two places at once.
    pub min_alternations: u32,
    /// A position on land counts only this far inland (coastline resolution), metres ...
    pub land_margin_m: f64,
    /// ... this far from a port (harbours are where the coastline is worst), km ...
    pub land_min_port_distance_km: f64,
    /// ... and this far from the route network's inland waterways, km.
    pub land_min_route_distance_km: f64,
    /// An inland place where this many different vessels have been is a waterway (0: never).
    pub waterway_min_vessels: u32,
    /// On-land runs are judged this long after they end, hours.
    pub waterway_horizon_h: f64,
}

impl Default for SpoofingConfig {
    fn default() -> Self {
        SpoofingConfig {
            max_speed_class_a_kn: 50.0,
            max_speed_class_b_kn: 40.0,
            max_speed_hsc_kn: 70.0,
            min_jump_m: 2_000.0,
            min_alternations: 3,
            land_margin_m: 5_000.0,
            land_min_port_distance_km: 10.0,
            land_min_route_distance_km: 30.0,
            waterway_min_vessels: 3,
            waterway_horizon_h: 6.0,
        }
    }
}

/// Identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// Report vessels whose MMSI or MID cannot be a ship's.
    pub invalid_mmsi: bool,
    /// Report IMO numbers with a wrong check digit.
    pub invalid_imo: bool,
    /// Fields whose changes are reported (`name`, `callsign`, `imo`, `shiptype`, `flag`).
    pub fields: Vec<String>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            invalid_mmsi: true,
            invalid_imo: true,
            fields: ["name", "callsign", "imo", "shiptype", "flag"].map(String::from).to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_typos_are_errors() {
        let c = Config::default();
        let text = c.to_toml();
        assert_eq!(Config::from_toml(&text, "defaults").unwrap(), c);
        let partial = Config::from_toml("[gap]\nraw_min_h = 3.0\n", "x.toml").unwrap();
        assert_eq!(partial.gap.raw_min_h, 3.0);
        assert_eq!(partial.gap.disabling_min_h, 12.0);
        let e = Config::from_toml("[gap]\nraw_min_hours = 3.0\n", "x.toml").unwrap_err();
        assert!(e.contains("x.toml") && e.contains("raw_min_hours"), "{e}");
        assert!(Config::from_toml("[loitering]\nmax_speed_kn = 0\n", "y").unwrap_err().contains("max_speed_kn"));
    }
}
