//! Ground truth: what happened, in the event contract, derived from what was
//! simulated (holds, dark periods, falsified reports, the received stream and
//! the true tracks against the zones), never from what a detector reports.
//!
//! The definitions are DESIGN.md's: an encounter is two transmitting vessels
//! holding within 500 m of each other for at least 2 h (or within 250 m for
//! more than 30 min, the rendezvous profile); loitering is holding for at least
//! 2 h (4 h for cargo carriers) at least 20 nm from shore; a gap is at least
//! 6 h between two received reports of a vessel; zone events follow the true
//! track; spoofing and identity changes are the injections themselves.

use sealane_core::geo::distance_m;
use sealane_core::time::format_rfc3339_ms;
use sealane_detect::{Watchlist, Zones};
use serde_json::{Value, json};

use crate::SimVessel;
use crate::scenario::{Injection, Scenario};
use crate::vessel::{ClassName, State};

const HOUR_MS: i64 = 3_600_000;
const GAP_MIN_MS: i64 = 6 * HOUR_MS;
const NM: f64 = 1852.0;

/// One true event.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthEvent {
    /// Event type (the contract's names).
    pub kind: &'static str,
    /// Start, ms.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
    /// Vessels involved (empty for a vessel without AIS).
    pub mmsi: Vec<u32>,
    /// Where.
    pub lat: f64,
    /// Where.
    pub lon: f64,
    /// Type-specific facts (`zone` for zone events, `cause` for gaps, ...).
    pub details: Value,
}

impl TruthEvent {
    /// The event as a contract JSON object; `n` numbers it.
    pub fn to_json(&self, n: usize) -> Value {
        json!({
            "id": format!("truth-{:05}-{}", n, self.kind),
            "type": self.kind,
            "start": format_rfc3339_ms(self.start_ms),
            "end": format_rfc3339_ms(self.end_ms),
            "mmsi": self.mmsi,
            "lat": (self.lat * 1e5).round() / 1e5,
            "lon": (self.lon * 1e5).round() / 1e5,
            "confidence": 1.0,
            "label": sealane_core::Label::public_ais(),
            "details": self.details,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Stay {
    zone: u16,
    first: i64,
    last: i64,
    entered: bool,
}

#[derive(Debug, Clone, Default)]
struct PerVessel {
    /// Last received report: (time, lat, lon).
    last_rx: Option<(i64, f64, f64)>,
    first_rx: Option<i64>,
    sampled: bool,
    stays: Vec<Stay>,
}

/// Truth accumulated while the simulation runs.
pub struct Truth {
    zones: Zones,
    per: Vec<PerVessel>,
    events: Vec<TruthEvent>,
    dark: Vec<Vec<(i64, i64)>>,
    mmsi: Vec<u32>,
}

impl Truth {
    /// Truth for `vessels` against `zones`.
    pub fn new(vessels: &[SimVessel], zones: Zones) -> Truth {
        Truth {
            zones,
            per: vec![PerVessel::default(); vessels.len()],
            events: Vec::new(),
            dark: vessels.iter().map(|v| v.dark.clone()).collect(),
            mmsi: vessels.iter().map(|v| v.mmsi).collect(),
        }
    }

    /// No truth (after [`Truth::finish`]).
    pub fn empty() -> Truth {
        Truth { zones: Zones::none(), per: Vec::new(), events: Vec::new(), dark: Vec::new(), mmsi: Vec::new() }
    }

    /// Vessel `i` is truly at `s` at `t`: zone entries, exits and dwells.
    pub fn on_true_state(&mut self, i: usize, t: i64, s: &State) {
        let Some(p) = self.per.get_mut(i) else { return };
        let first = !p.sampled;
        p.sampled = true;
        let mut k = 0;
        while k < p.stays.len() {
            let z = p.stays[k].zone as usize;
            let zone = self.zones.iter().nth(z).expect("stay of a known zone");
            if zone.contains(s.lat, s.lon) {
                p.stays[k].last = t;
                k += 1;
                continue;
            }
            let stay = p.stays.swap_remove(k);
            self.events.push(crossing("zone_exit", self.mmsi[i], t, s, &zone.name));
            if stay.last - stay.first >= HOUR_MS {
                self.events.push(dwell(self.mmsi[i], &stay, &zone.name));
            }
        }
        for (z, zone) in self.zones.iter().enumerate() {
            if p.stays.iter().any(|st| st.zone as usize == z) || !zone.contains(s.lat, s.lon) {
                continue;
            }
            p.stays.push(Stay { zone: z as u16, first: t, last: t, entered: !first });
            if !first {
                self.events.push(crossing("zone_entry", self.mmsi[i], t, s, &zone.name));
            }
        }
    }

    /// A report of vessel `i` was received at `t` from (lat, lon): gaps.
    pub fn on_received(&mut self, i: usize, t: i64, lat: f64, lon: f64) {
        let Some(p) = self.per.get_mut(i) else { return };
        if let Some((last, llat, llon)) = p.last_rx {
            if t - last >= GAP_MIN_MS {
                let cause = if self.dark[i].iter().any(|&(a, b)| a < t && b > last) { "dark" } else { "coverage" };
                self.events.push(TruthEvent {
                    kind: "gap",
                    start_ms: last,
                    end_ms: t,
                    mmsi: vec![self.mmsi[i]],
                    lat: llat,
                    lon: llon,
                    details: json!({"cause": cause, "hours": ((t - last) as f64 / HOUR_MS as f64 * 100.0).round() / 100.0}),
                });
            }
        }
        p.last_rx = Some((t, lat, lon));
        p.first_rx.get_or_insert(t);
    }

    /// Closes open stays and dark periods and adds what the scenario scripted.
    pub fn finish(mut self, vessels: &[SimVessel], scenario: &Scenario, start_ms: i64, end_ms: i64) -> Vec<TruthEvent> {
        let land = sealane_track::Land::natural_earth();
        let watchlist = Watchlist::default_list();
        let hours = |h: f64| start_ms + (h * HOUR_MS as f64) as i64;
        for (i, p) in std::mem::take(&mut self.per).into_iter().enumerate() {
            for stay in &p.stays {
                if stay.last - stay.first >= HOUR_MS {
                    let name = self.zones.iter().nth(stay.zone as usize).map(|z| z.name.clone()).unwrap_or_default();
                    let mut e = dwell(vessels[i].mmsi, stay, &name);
                    e.details["open"] = json!(true);
                    self.events.push(e);
                }
            }
            // A dark period still running at the end: an open gap.
            if let Some((last, lat, lon)) = p.last_rx {
                if end_ms - last >= GAP_MIN_MS && vessels[i].dark.iter().any(|&(a, b)| b > last && a < end_ms) {
                    self.events.push(TruthEvent {
                        kind: "gap",
                        start_ms: last,
                        end_ms,
                        mmsi: vec![vessels[i].mmsi],
                        lat,
                        lon,
                        details: json!({"cause": "dark", "open": true}),
                    });
                }
            }
            let v = &vessels[i];
            if let Some(first) = p.first_rx.filter(|_| v.imo != 0 && !crate::imo_is_valid(v.imo)) {
                self.events.push(TruthEvent {
                    kind: "invalid_identity",
                    start_ms: first,
                    end_ms: first,
                    mmsi: vec![v.mmsi],
                    lat: f64::NAN,
                    lon: f64::NAN,
                    details: json!({"field": "imo", "value": v.imo}),
                });
            }
            if let Some(first) = p.first_rx {
                if v.imo != 0 && watchlist.by_imo(v.imo).next().is_some() {
                    self.events.push(TruthEvent {
                        kind: "watchlist_hit",
                        start_ms: first,
                        end_ms: first,
                        mmsi: vec![v.mmsi],
                        lat: f64::NAN,
                        lon: f64::NAN,
                        details: json!({"imo": v.imo}),
                    });
                }
            }
        }
        // Holds: loitering, and encounters between pairs holding together.
        let transmitting = |v: &SimVessel, a: i64, b: i64| v.transmits && !v.dark.iter().any(|&(x, y)| x < b && y > a);
        for v in vessels.iter().filter(|v| !v.clone) {
            for &(a, b, lat, lon) in &v.holds {
                let carrier = matches!(v.class, ClassName::Bulk | ClassName::Container);
                let min = if carrier { 4 * HOUR_MS } else { 2 * HOUR_MS };
                let a = a.max(start_ms);
                let b = b.min(end_ms);
                if b - a >= min && transmitting(v, a, b) && land.shore_distance_m(lat, lon) >= 20.0 * NM {
                    self.events.push(TruthEvent {
                        kind: "loitering",
                        start_ms: a,
                        end_ms: b,
                        mmsi: vec![v.mmsi],
                        lat,
                        lon,
                        details: json!({"hours": ((b - a) as f64 / HOUR_MS as f64 * 100.0).round() / 100.0}),
                    });
                }
            }
        }
        // Only scripted vessels hold: pair those (all pairs of a whole fleet would be quadratic).
        let holding: Vec<&SimVessel> = vessels.iter().filter(|v| !v.clone && !v.holds.is_empty()).collect();
        for (x, v) in holding.iter().enumerate() {
            for w in &holding[x + 1..] {
                for &(a1, b1, lat1, lon1) in &v.holds {
                    for &(a2, b2, lat2, lon2) in &w.holds {
                        let (a, b) = (a1.max(a2).max(start_ms), b1.min(b2).min(end_ms));
                        let d = distance_m(lat1, lon1, lat2, lon2);
                        let long = b - a >= 2 * HOUR_MS && d <= 500.0;
                        let short = b - a > HOUR_MS / 2 && d <= 250.0;
                        if (long || short) && transmitting(v, a, b) && transmitting(w, a, b) {
                            let mut mmsi = vec![v.mmsi, w.mmsi];
                            mmsi.sort_unstable();
                            self.events.push(TruthEvent {
                                kind: "encounter",
                                start_ms: a,
                                end_ms: b,
                                mmsi,
                                lat: lat1,
                                lon: lon1,
                                details: json!({"distance_m": d.round()}),
                            });
                        }
                    }
                }
            }
        }
        for inj in &scenario.injections {
            let Some(v) = vessels.iter().find(|v| v.id == inj.vessel()) else { continue };
            let (kind, a, b, what) = match inj {
                Injection::SpoofJump { at_h, hours: h, .. } => {
                    ("spoofing", hours(*at_h), hours(at_h + h), "impossible_speed")
                }
                Injection::OnLand { at_h, hours: h, .. } => ("spoofing", hours(*at_h), hours(at_h + h), "on_land"),
                Injection::MmsiCollision { at_h, hours: h, .. } => {
                    ("spoofing", hours(*at_h), hours(at_h + h), "two_places")
                }
                Injection::IdentityChange { at_h, .. } => ("identity_change", hours(*at_h), hours(*at_h), "name"),
                Injection::Dark { .. } => continue,
            };
            let mut hint = 0;
            let at = v.motion.state(&[], start_ms, a, &mut hint);
            self.events.push(TruthEvent {
                kind,
                start_ms: a,
                end_ms: b.min(end_ms),
                mmsi: vec![v.mmsi],
                lat: at.map_or(f64::NAN, |s| s.lat),
                lon: at.map_or(f64::NAN, |s| s.lon),
                details: json!({"kind": what}),
            });
        }
        self.events.sort_by(|a, b| a.start_ms.cmp(&b.start_ms).then(a.kind.cmp(b.kind)));
        self.events
    }
}

/// A zone entry or exit at `t`, where the vessel was.
fn crossing(kind: &'static str, mmsi: u32, t: i64, s: &State, zone: &str) -> TruthEvent {
    TruthEvent {
        kind,
        start_ms: t,
        end_ms: t,
        mmsi: vec![mmsi],
        lat: s.lat,
        lon: s.lon,
        details: json!({"zone": zone}),
    }
}

fn dwell(mmsi: u32, stay: &Stay, zone: &str) -> TruthEvent {
    TruthEvent {
        kind: "zone_dwell",
        start_ms: stay.first,
        end_ms: stay.last,
        mmsi: vec![mmsi],
        lat: f64::NAN,
        lon: f64::NAN,
        details: json!({"zone": zone, "entered": stay.entered}),
    }
}
