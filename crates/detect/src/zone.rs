//! Zone entry, exit and dwell for polygons (EEZs, claimed zones, straits,
//! piracy-risk areas).
//!
//! A vessel enters a zone when a fix inside follows one outside, and leaves
//! when a fix outside follows one inside. A vessel first seen inside did not
//! enter (as far as we know): its stay counts for dwell, but no entry is
//! reported. A stay of at least `dwell_min_h` is reported as dwell when it
//! ends, or at the end of input (marked open).

use sealane_core::EventKind;
use sealane_track::{Fix, RegionIndex, Step, Vessel, geojson_features};

use crate::config::ZoneConfig;
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, evidence, round};

const HOUR_MS: f64 = 3_600_000.0;

/// The zones compiled in: North Korea's claimed EEZ and military zone (GFW),
/// the Korea, Taiwan and Malacca straits, and two piracy-risk areas.
pub const DEFAULT_ZONE_FILES: [(&str, &str); 2] = [
    ("north_korea_gfw.geojson", include_str!("../data/zones/north_korea_gfw.geojson")),
    ("sealane_zones.geojson", include_str!("../data/zones/sealane_zones.geojson")),
];

/// One zone.
#[derive(Debug)]
pub struct Zone {
    /// Name (the feature's `name`).
    pub name: String,
    /// The feature's `kind` property, if any.
    pub kind: Option<String>,
    index: RegionIndex,
    bbox: [f64; 4],
}

impl Zone {
    /// Whether (lat, lon) is inside.
    #[inline]
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        lon >= self.bbox[0]
            && lon <= self.bbox[2]
            && lat >= self.bbox[1]
            && lat <= self.bbox[3]
            && self.index.contains(lon, lat)
    }
}

/// A set of zones.
#[derive(Debug, Default)]
pub struct Zones {
    zones: Vec<Zone>,
}

impl Zones {
    /// No zones.
    pub fn none() -> Zones {
        Zones::default()
    }

    /// The zones compiled in.
    pub fn defaults() -> Zones {
        let mut z = Zones::default();
        for (name, text) in DEFAULT_ZONE_FILES {
            z.add_geojson(text.as_bytes(), name).expect("the compiled-in zones are valid GeoJSON");
        }
        z
    }

    /// Adds every Polygon / MultiPolygon feature of a GeoJSON text; `what` names it in errors.
    pub fn add_geojson(&mut self, text: &[u8], what: &str) -> Result<usize, String> {
        let features = geojson_features(text, what).map_err(|e| e.to_string())?;
        if features.is_empty() {
            return Err(format!("{what}: no Polygon or MultiPolygon features"));
        }
        let n = features.len();
        for f in features {
            if self.zones.len() >= u16::MAX as usize {
                return Err(format!("{what}: more than {} zones", u16::MAX));
            }
            // About 64 cells across the zone: fine enough that few edges share a cell.
            let index = RegionIndex::new(&f.rings, 1.0);
            let bb = index.bbox();
            let cell = ((bb[2] - bb[0]).max(bb[3] - bb[1]) / 64.0).max(1e-3);
            let index = RegionIndex::new(&f.rings, cell);
            let kind = f.properties.get("kind").and_then(|v| v.as_str()).map(str::to_string);
            self.zones.push(Zone { name: f.name, kind, bbox: index.bbox(), index });
        }
        Ok(n)
    }

    /// The zones.
    pub fn iter(&self) -> impl Iterator<Item = &Zone> {
        self.zones.iter()
    }

    /// Number of zones.
    pub fn len(&self) -> usize {
        self.zones.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }
}

/// A vessel's stay in one zone.
#[derive(Debug, Clone)]
pub struct Stay {
    zone: u16,
    entered: bool,
    first: Fix,
    last: Fix,
    fixes: u32,
    labels: LabelSet,
    evidence: EvidenceSample,
}

/// The zone detector.
#[derive(Debug)]
pub struct ZoneDetector {
    cfg: ZoneConfig,
    zones: Zones,
    inside_now: Vec<u16>,
}

impl ZoneDetector {
    /// A detector over these zones.
    pub fn new(cfg: ZoneConfig, zones: Zones) -> ZoneDetector {
        ZoneDetector { cfg, zones, inside_now: Vec::new() }
    }

    /// The zones.
    pub fn zones(&self) -> &Zones {
        &self.zones
    }

    /// Takes a fix in (after the track has recorded it); `stays` are the zones the
    /// vessel is in (usually none: an empty Vec does not allocate).
    // Inlined into its one caller, `Detectors::position` (see there).
    #[inline(always)]
    pub fn on_fix(&mut self, v: &Vessel, stays: &mut Vec<Stay>, step: &Step, out: &mut Vec<Draft>) {
        if self.zones.is_empty() {
            return;
        }
        let fix = v.last;
        self.inside_now.clear();
        for (z, zone) in self.zones.zones.iter().enumerate() {
            if zone.contains(fix.lat, fix.lon) {
                self.inside_now.push(z as u16);
            }
        }
        if self.inside_now.is_empty() && stays.is_empty() {
            return;
        }
        // Left: stays whose zone no longer contains the fix.
        let mut k = 0;
        while k < stays.len() {
            if self.inside_now.contains(&stays[k].zone) {
                let s = &mut stays[k];
                s.last = fix;
                s.fixes += 1;
                s.labels.add(fix.label);
                k += 1;
                continue;
            }
            let s = stays.swap_remove(k);
            let zone = &self.zones.zones[s.zone as usize];
            let mut labels = s.labels.clone();
            labels.add(fix.label);
            out.push(Draft {
                kind: EventKind::ZoneExit,
                start_ms: fix.time_ms,
                end_ms: fix.time_ms,
                mmsi: vec![v.mmsi],
                lat: fix.lat,
                lon: fix.lon,
                confidence: 0.95,
                details: details![
                    "zone" => zone.name,
                    "zone_kind" => zone.kind,
                    "last_inside" => sealane_core::time::format_rfc3339_ms(s.last.time_ms),
                    "stay_h" => round((s.last.time_ms - s.first.time_ms) as f64 / HOUR_MS, 2),
                ],
                evidence: vec![evidence(v.mmsi, &s.last), evidence(v.mmsi, &fix)],
                labels: {
                    let mut l = LabelSet::of(s.last.label);
                    l.add(fix.label);
                    l
                },
                discriminator: zone.name.clone(),
            });
            if let Some(d) = self.dwell(v.mmsi, s, false) {
                out.push(d);
            }
        }
        // Entered: zones containing the fix with no stay yet.
        for &z in &self.inside_now {
            if stays.iter().any(|s| s.zone == z) {
                continue;
            }
            let zone = &self.zones.zones[z as usize];
            // A first fix, or the first after a segment break, says nothing of where the vessel came from.
            let entered = !step.first;
            if entered {
                let prev = v.prev;
                let mut labels = LabelSet::of(prev.label);
                labels.add(fix.label);
                out.push(Draft {
                    kind: EventKind::ZoneEntry,
                    start_ms: fix.time_ms,
                    end_ms: fix.time_ms,
                    mmsi: vec![v.mmsi],
                    lat: fix.lat,
                    lon: fix.lon,
                    confidence: if step.new_segment { 0.7 } else { 0.95 },
                    details: details![
                        "zone" => zone.name,
                        "zone_kind" => zone.kind,
                        "last_outside" => sealane_core::time::format_rfc3339_ms(prev.time_ms),
                    ],
                    evidence: vec![evidence(v.mmsi, &prev), evidence(v.mmsi, &fix)],
                    labels,
                    discriminator: zone.name.clone(),
                });
            }
            let mut ev = EvidenceSample::default();
            ev.push(evidence(v.mmsi, &fix));
            stays.push(Stay {
                zone: z,
                entered,
                first: fix,
                last: fix,
                fixes: 1,
                labels: LabelSet::of(fix.label),
                evidence: ev,
            });
        }
    }

    fn dwell(&self, mmsi: u32, mut s: Stay, open: bool) -> Option<Draft> {
        let hours = (s.last.time_ms - s.first.time_ms) as f64 / HOUR_MS;
        if hours < self.cfg.dwell_min_h {
            return None;
        }
        let zone = &self.zones.zones[s.zone as usize];
        s.evidence.push(evidence(mmsi, &s.last));
        Some(Draft {
            kind: EventKind::ZoneDwell,
            start_ms: s.first.time_ms,
            end_ms: s.last.time_ms,
            mmsi: vec![mmsi],
            lat: s.last.lat,
            lon: s.last.lon,
            confidence: if s.entered { 0.9 } else { 0.8 },
            details: details![
                "zone" => zone.name,
                "zone_kind" => zone.kind,
                "duration_h" => round(hours, 2),
                "fixes" => s.fixes,
                "entered" => s.entered,
                "open" => open,
            ],
            evidence: s.evidence.into_vec(),
            labels: s.labels,
            discriminator: zone.name.clone(),
        })
    }

    /// End of input: stays still open that are long enough are reported as dwell.
    pub fn finish<'a>(&mut self, vessels: impl Iterator<Item = (u32, &'a mut Vec<Stay>)>, out: &mut Vec<Draft>) {
        for (mmsi, stays) in vessels {
            for s in std::mem::take(stays) {
                if let Some(d) = self.dwell(mmsi, s, true) {
                    out.push(d);
                }
            }
        }
    }

    /// Bytes of per-vessel state (a vessel in no zone).
    pub fn bytes_per_vessel() -> usize {
        std::mem::size_of::<Vec<Stay>>()
    }
}
