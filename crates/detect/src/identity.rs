//! Identity: MMSIs and MIDs that cannot be a ship's, IMO numbers with a wrong
//! check digit, and changes of name, call sign, IMO, ship type, MMSI or flag.
//!
//! A vessel's MMSI fixes its flag (the MID), so a flag change shows as one
//! IMO number reported under MMSIs of two flags: the IMO is the ship, the
//! MMSI its radio licence.

use sealane_core::hash::{FxHashMap, FxHashSet};
use sealane_core::{EventKind, Evidence, Identity, Origin, VesselClass, mmsi};
use sealane_track::{LabelId, Tracks, VesselId};

use crate::config::IdentityConfig;
use crate::details;
use crate::draft::{Draft, LabelSet};

#[derive(Debug, Clone, Default)]
struct Known {
    name: Option<(String, i64)>,
    callsign: Option<(String, i64)>,
    imo: Option<(u32, i64)>,
    shiptype: Option<(u8, i64)>,
}

/// The identity detector.
#[derive(Debug)]
pub struct IdentityDetector {
    cfg: IdentityConfig,
    known: FxHashMap<VesselId, Known>,
    /// IMO → the MMSI it was last reported under, when, and with which label.
    imo_mmsi: FxHashMap<u32, (u32, i64, LabelId)>,
    invalid_reported: FxHashSet<(VesselId, u32)>,
    /// (IMO, from MMSI, to MMSI) already reported: two transponders sharing an
    /// IMO alternate, and one event says so.
    moves_reported: FxHashSet<(u32, u32, u32)>,
}

fn ev(mmsi: u32, time_ms: i64, lat_lon: Option<(f64, f64)>, origin: Origin) -> Evidence {
    Evidence { mmsi, time_ms, lat_lon, origin }
}

impl IdentityDetector {
    /// A detector with these settings.
    pub fn new(cfg: IdentityConfig) -> IdentityDetector {
        IdentityDetector {
            cfg,
            known: FxHashMap::default(),
            imo_mmsi: FxHashMap::default(),
            invalid_reported: FxHashSet::default(),
            moves_reported: FxHashSet::default(),
        }
    }

    fn reports(&self, field: &str) -> bool {
        self.cfg.fields.iter().any(|f| f == field)
    }

    /// A vessel seen for the first time: is its MMSI a ship's?
    #[allow(clippy::too_many_arguments)]
    pub fn first_sight(
        &mut self,
        tracks: &Tracks,
        id: VesselId,
        class: VesselClass,
        time_ms: i64,
        lat_lon: Option<(f64, f64)>,
        label: LabelId,
        origin: Origin,
        out: &mut Vec<Draft>,
    ) {
        // Shipborne stations must have ship MMSIs; aids to navigation, base stations and
        // aircraft have other forms. Archives that do not say the station's class are
        // held only to what no station may use (placeholders, unallocated MIDs).
        if !self.cfg.invalid_mmsi || matches!(class, VesselClass::AtoN | VesselClass::Base | VesselClass::Sar) {
            return;
        }
        let m = tracks.vessel(id).mmsi;
        let kind = mmsi::kind(m);
        if kind == mmsi::Kind::Ship || (class == VesselClass::Unknown && kind != mmsi::Kind::Invalid) {
            return;
        }
        let reason = if !(100_000_000..1_000_000_000).contains(&m) {
            "not nine digits"
        } else if mmsi::is_placeholder(m) {
            "placeholder number (unconfigured transponder)"
        } else if kind == mmsi::Kind::Invalid && mmsi::mid_country(m / 1_000_000).is_none() {
            "MID not allocated to any country"
        } else if kind == mmsi::Kind::Invalid {
            "not a valid MMSI"
        } else {
            "not a ship station MMSI"
        };
        if !self.invalid_reported.insert((id, 0)) {
            return;
        }
        let (lat, lon) = lat_lon.unwrap_or((f64::NAN, f64::NAN));
        out.push(Draft {
            kind: EventKind::InvalidIdentity,
            start_ms: time_ms,
            end_ms: time_ms,
            mmsi: vec![m],
            lat,
            lon,
            confidence: if kind == mmsi::Kind::Invalid { 0.9 } else { 0.6 },
            details: details![
                "field" => "mmsi",
                "value" => m,
                "reason" => reason,
                "mmsi_kind" => format!("{kind:?}"),
            ],
            evidence: vec![ev(m, time_ms, lat_lon, origin)],
            labels: LabelSet::of(label),
            discriminator: "mmsi".into(),
        });
    }

    /// An identity report.
    pub fn on_identity(
        &mut self,
        tracks: &Tracks,
        id: VesselId,
        obs: &Identity,
        label: LabelId,
        origin: Origin,
        out: &mut Vec<Draft>,
    ) {
        let v = tracks.vessel(id);
        let m = v.mmsi;
        let t = obs.time_ms;
        let lat_lon = (v.fixes > 0).then_some((v.last.lat, v.last.lon));
        let (lat, lon) = lat_lon.unwrap_or((f64::NAN, f64::NAN));
        let here = ev(m, t, lat_lon, origin);
        if let Some(imo) = obs.imo {
            if self.cfg.invalid_imo && !mmsi::imo_valid(imo) && self.invalid_reported.insert((id, imo)) {
                out.push(Draft {
                    kind: EventKind::InvalidIdentity,
                    start_ms: t,
                    end_ms: t,
                    mmsi: vec![m],
                    lat,
                    lon,
                    confidence: 0.7,
                    details: details![
                        "field" => "imo",
                        "value" => imo,
                        "reason" => if (1_000_000..=9_999_999).contains(&imo) { "check digit is wrong" } else { "not seven digits" },
                    ],
                    evidence: vec![here],
                    labels: LabelSet::of(label),
                    discriminator: format!("imo{imo}"),
                });
            }
        }
        let change = |field: &str, from: String, to: String, since: i64| Draft {
            kind: EventKind::IdentityChange,
            start_ms: since,
            end_ms: t,
            mmsi: vec![m],
            lat,
            lon,
            confidence: 0.8,
            details: details!["field" => field, "from" => from, "to" => to],
            evidence: vec![here],
            labels: LabelSet::of(label),
            discriminator: field.to_string(),
        };
        let k = self.known.entry(id).or_default();
        let mut changes = Vec::new();
        if let Some(name) = obs.name.as_deref() {
            match &mut k.name {
                Some((old, since)) if old != name => {
                    changes.push(("name", std::mem::replace(old, name.to_string()), name.to_string(), *since));
                    *since = t;
                }
                Some((_, _)) => {}
                None => k.name = Some((name.to_string(), t)),
            }
        }
        if let Some(cs) = obs.callsign.as_deref() {
            match &mut k.callsign {
                Some((old, since)) if old != cs => {
                    changes.push(("callsign", std::mem::replace(old, cs.to_string()), cs.to_string(), *since));
                    *since = t;
                }
                Some(_) => {}
                None => k.callsign = Some((cs.to_string(), t)),
            }
        }
        if let Some(imo) = obs.imo.filter(|&i| mmsi::imo_valid(i)) {
            match &mut k.imo {
                Some((old, since)) if *old != imo => {
                    changes.push(("imo", old.to_string(), imo.to_string(), *since));
                    *old = imo;
                    *since = t;
                }
                Some(_) => {}
                None => k.imo = Some((imo, t)),
            }
        }
        if let Some(st) = obs.shiptype {
            match &mut k.shiptype {
                Some((old, since)) if *old != st => {
                    changes.push(("shiptype", old.to_string(), st.to_string(), *since));
                    *old = st;
                    *since = t;
                }
                Some(_) => {}
                None => k.shiptype = Some((st, t)),
            }
        }
        for (field, from, to, since) in changes {
            if self.reports(field) {
                out.push(change(field, from, to, since));
            }
        }
        // The same ship (IMO) under another MMSI: a new radio licence, and perhaps a new flag.
        if let Some(imo) = obs.imo.filter(|&i| mmsi::imo_valid(i)) {
            if let Some((old_mmsi, old_t, old_label)) = self.imo_mmsi.insert(imo, (m, t, label)) {
                if old_mmsi != m && self.moves_reported.insert((imo, old_mmsi, m)) {
                    let (from_flag, to_flag) = (mmsi::flag(old_mmsi), mmsi::flag(m));
                    let field = if from_flag != to_flag { "flag" } else { "mmsi" };
                    if self.reports(field) || (field == "flag" && self.reports("mmsi")) {
                        let mut labels = LabelSet::of(old_label);
                        labels.add(label);
                        out.push(Draft {
                            kind: EventKind::IdentityChange,
                            start_ms: old_t,
                            end_ms: t,
                            mmsi: vec![old_mmsi, m],
                            lat,
                            lon,
                            confidence: if field == "flag" { 0.85 } else { 0.75 },
                            details: details![
                                "field" => field,
                                "imo" => imo,
                                "from" => old_mmsi,
                                "to" => m,
                                "from_flag" => from_flag,
                                "to_flag" => to_flag,
                            ],
                            evidence: vec![here],
                            labels,
                            discriminator: format!("{field}{imo}"),
                        });
                    }
                }
            }
        }
    }
}
