//! Scenarios in TOML: where traffic runs, who receives it, which behaviour is
//! injected and which satellites pass. Unknown keys are errors, so a typo
//! never silently turns an injection off.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::vessel::ClassName;

/// The scenarios shipped with Sealane: (name, TOML).
pub const BUILT_IN: [(&str, &str); 8] = [
    ("korea", include_str!("../scenarios/korea.toml")),
    ("yellow-sea-sts", include_str!("../scenarios/yellow-sea-sts.toml")),
    ("taiwan-strait", include_str!("../scenarios/taiwan-strait.toml")),
    ("malacca", include_str!("../scenarios/malacca.toml")),
    ("juan-de-fuca", include_str!("../scenarios/juan-de-fuca.toml")),
    ("arctic-nwp", include_str!("../scenarios/arctic-nwp.toml")),
    ("east-sea-dark-fleet", include_str!("../scenarios/east-sea-dark-fleet.toml")),
    ("global", include_str!("../scenarios/global.toml")),
];

/// A scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Seed: the same seed gives the same output.
    pub seed: u64,
    /// Start time, RFC 3339.
    pub start: String,
    /// Length, hours.
    pub hours: f64,
    /// Background traffic.
    #[serde(default, rename = "region")]
    pub regions: Vec<Region>,
    /// Coast stations.
    #[serde(default, rename = "station")]
    pub stations: Vec<Station>,
    /// AIS satellites.
    #[serde(default)]
    pub satellites: Option<Satellites>,
    /// Scripted vessels.
    #[serde(default, rename = "vessel")]
    pub vessels: Vec<ScriptedVessel>,
    /// Injected behaviour.
    #[serde(default, rename = "inject")]
    pub injections: Vec<Injection>,
    /// SAR satellite passes.
    #[serde(default, rename = "sar_pass")]
    pub sar_passes: Vec<SarPass>,
}

/// Background traffic on the lanes of a box.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Name.
    pub name: String,
    /// W, S, E, N.
    pub bbox: [f64; 4],
    /// Vessels.
    pub vessels: usize,
    /// Share of each class (normalised); defaults to a typical mix.
    #[serde(default)]
    pub mix: BTreeMap<ClassName, f64>,
    /// Lane voyages drawn for the region (vessels share them).
    #[serde(default = "default_voyages")]
    pub voyages: usize,
    /// Share of the region's vessels that never transmit AIS (a dark fleet: seen only by SAR).
    #[serde(default)]
    pub dark_share: f64,
}

fn default_voyages() -> usize {
    200
}

/// A coast station.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// Name, written as the tag-block source.
    pub name: String,
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Range, nautical miles (VHF line of sight: 20 to 60).
    pub range_nm: f64,
}

/// A constellation of AIS satellites.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Satellites {
    /// Number of satellites.
    pub count: u32,
    /// Passes over a point on the equator per satellite per day (more toward the poles).
    #[serde(default = "default_passes")]
    pub passes_per_day: f64,
    /// Minutes a vessel stays in view on a pass.
    #[serde(default = "default_window")]
    pub window_min: f64,
    /// Share of transmissions in view that are received (slot collisions in busy waters).
    #[serde(default = "default_p_receive")]
    pub p_receive: f64,
}

fn default_passes() -> f64 {
    4.0
}
fn default_window() -> f64 {
    10.0
}
fn default_p_receive() -> f64 {
    0.3
}

/// A waypoint of a scripted vessel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waypoint {
    /// Position.
    pub lat: f64,
    /// Position.
    pub lon: f64,
    /// Hours after the start at which the vessel is here (speeds between timed waypoints follow).
    #[serde(default)]
    pub at_h: Option<f64>,
    /// Hours spent here, drifting, before going on.
    #[serde(default)]
    pub hold_h: Option<f64>,
}

/// A vessel the scenario places by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedVessel {
    /// Scenario name of the vessel (injections refer to it).
    pub id: String,
    /// Class.
    pub class: ClassName,
    /// MMSI (default: drawn from the class and region).
    #[serde(default)]
    pub mmsi: Option<u32>,
    /// IMO number.
    #[serde(default)]
    pub imo: Option<u32>,
    /// Name as transmitted.
    #[serde(default)]
    pub name: Option<String>,
    /// Call sign.
    #[serde(default)]
    pub callsign: Option<String>,
    /// Length overall, metres.
    #[serde(default)]
    pub length_m: Option<f64>,
    /// Speed when not between timed waypoints, knots.
    #[serde(default)]
    pub speed_kn: Option<f64>,
    /// False: never transmits AIS (seen only by SAR).
    #[serde(default = "yes")]
    pub transmits: bool,
    /// The route.
    pub route: Vec<Waypoint>,
}

fn yes() -> bool {
    true
}

/// Injected behaviour.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum Injection {
    /// The transponder is switched off.
    Dark {
        /// Scripted vessel id.
        vessel: String,
        /// Start, hours after the scenario start.
        at_h: f64,
        /// Length, hours.
        hours: f64,
    },
    /// Reported positions are moved `offset_km` along `bearing_deg` (a jump no ship can make).
    SpoofJump {
        /// Scripted vessel id.
        vessel: String,
        /// Start.
        at_h: f64,
        /// Length.
        hours: f64,
        /// Offset, km.
        offset_km: f64,
        /// Direction of the offset.
        bearing_deg: f64,
    },
    /// Reported positions are a fixed point on land.
    OnLand {
        /// Scripted vessel id.
        vessel: String,
        /// Start.
        at_h: f64,
        /// Length.
        hours: f64,
        /// The reported position.
        lat: f64,
        /// The reported position.
        lon: f64,
    },
    /// A second transmitter uses the vessel's MMSI while following `route`.
    MmsiCollision {
        /// Scripted vessel id whose MMSI is cloned.
        vessel: String,
        /// Start.
        at_h: f64,
        /// Length.
        hours: f64,
        /// The clone's route.
        route: Vec<Waypoint>,
    },
    /// The vessel starts transmitting a new name and call sign (and MMSI's flag stays).
    IdentityChange {
        /// Scripted vessel id.
        vessel: String,
        /// When.
        at_h: f64,
        /// New name.
        name: String,
        /// New call sign.
        #[serde(default)]
        callsign: Option<String>,
    },
}

impl Injection {
    /// The scripted vessel it applies to.
    pub fn vessel(&self) -> &str {
        match self {
            Injection::Dark { vessel, .. }
            | Injection::SpoofJump { vessel, .. }
            | Injection::OnLand { vessel, .. }
            | Injection::MmsiCollision { vessel, .. }
            | Injection::IdentityChange { vessel, .. } => vessel,
        }
    }
}

/// A SAR satellite pass.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SarPass {
    /// Sensor name (e.g. `RADARSAT-2`, `KOMPSAT-5`).
    pub sensor: String,
    /// Nation owning the sensor: the detections' originator.
    pub nation: String,
    /// Nations the detections may be released to (default: the owner only).
    #[serde(default)]
    pub rel_to: Vec<String>,
    /// Scene time, hours after the start.
    pub at_h: f64,
    /// Footprint W, S, E, N.
    pub footprint: [f64; 4],
    /// Length at which half the vessels are detected, metres.
    #[serde(default = "default_l50")]
    pub length_50_m: f64,
    /// Position error (one standard deviation), metres.
    #[serde(default = "default_pos_err")]
    pub position_error_m: f64,
    /// False alarms in the scene.
    #[serde(default)]
    pub false_alarms: u32,
}

fn default_l50() -> f64 {
    25.0
}
fn default_pos_err() -> f64 {
    150.0
}

impl Scenario {
    /// Parses a scenario; `what` names it in errors.
    pub fn from_toml(text: &str, what: &str) -> Result<Scenario, String> {
        let s: Scenario = toml::from_str(text).map_err(|e| format!("{what}: {e}"))?;
        s.validate().map_err(|e| format!("{what}: {e}"))?;
        Ok(s)
    }

    /// A built-in scenario by name.
    pub fn built_in(name: &str) -> Result<Scenario, String> {
        let (n, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            format!("no built-in scenario {name:?} (there are: {})", names.join(", "))
        })?;
        Scenario::from_toml(text, &format!("built-in scenario {n}"))
    }

    fn validate(&self) -> Result<(), String> {
        if !(self.hours > 0.0 && self.hours <= 24.0 * 31.0) {
            return Err(format!("hours = {} must be in (0, 744]", self.hours));
        }
        sealane_core::time::parse_time(&self.start).map_err(|e| format!("start: {e}"))?;
        for v in &self.vessels {
            if v.route.is_empty() {
                return Err(format!("vessel {:?}: empty route", v.id));
            }
        }
        for i in &self.injections {
            if !self.vessels.iter().any(|v| v.id == i.vessel()) {
                return Err(format!("injection {i:?}: no [[vessel]] with id {:?}", i.vessel()));
            }
        }
        for r in &self.regions {
            if r.bbox[0] >= r.bbox[2] || r.bbox[1] >= r.bbox[3] {
                return Err(format!("region {:?}: bbox must be W,S,E,N with W<E and S<N", r.name));
            }
        }
        Ok(())
    }
}
