//! Spoofing: positions that cannot be true.
//!
//! - `impossible_speed`: a jump of at least `min_jump_m` at a speed no vessel
//!   of the class makes (class A, class B and high-speed craft have their own
//!   limits).
//! - `two_places`: one MMSI alternating between two tracks (two transmitters
//!   sharing an MMSI, or a spoofer replaying it elsewhere). Each vessel keeps
//!   a second track head; a fix implausible from the first but plausible from
//!   the second is an alternation, and `min_alternations` of them within an
//!   episode raise one event.
//! - `on_land`: fixes at least `land_margin_m` inland and `land_min_port_distance_km`
//!   from a port (Natural Earth's coastline is accurate to a few kilometres,
//!   and worst in harbours, estuaries and sounds).
//!   One event per run of such fixes. Natural Earth's land has no lakes or
//!   rivers (the Great Lakes, the Mississippi, the Fraser are "land"), so
//!   inland places where `waterway_min_vessels` different vessels have been
//!   are taken as waterways, learnt from the traffic itself; a run is judged
//!   `waterway_horizon_h` after it ends (so traffic later in the data counts),
//!   and dropped when most of its places are waterways. (A spoofer moving
//!   many vessels to one inland spot at once would also look like a
//!   waterway: those are caught by the speed checks when they jump there.)

use std::collections::VecDeque;

use sealane_core::geo::NM;
use sealane_core::hash::FxHashMap;
use sealane_core::{EventKind, VesselClass};
use sealane_track::{Fix, Land, Ports, Step, Tracks, Vessel, VesselId, implied};

use crate::cache::DistanceCache;
use crate::config::SpoofingConfig;
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, evidence, round};

/// A second track head goes stale after this long without a fix.
const ALT_STALE_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Default)]
struct Episode {
    alt: Option<Fix>,
    alternations: u32,
    reported: bool,
    first_jump: Option<(Fix, Fix)>,
    labels: LabelSet,
}

/// Inland places are ~5 km cells (0.05 degree).
const PLACE_CELLS_PER_DEG: f64 = 20.0;
/// Places a run remembers.
const RUN_PLACES: usize = 16;

fn place(lat: f64, lon: f64) -> (i32, i32) {
    ((lat * PLACE_CELLS_PER_DEG).floor() as i32, (lon * PLACE_CELLS_PER_DEG).floor() as i32)
}

#[derive(Debug, Clone, Default)]
struct LandRun {
    first: Option<Fix>,
    last: Option<Fix>,
    fixes: u32,
    places: Vec<(i32, i32)>,
    labels: LabelSet,
    evidence: EvidenceSample,
}

#[derive(Debug, Clone, Default)]
struct VesselSpoof {
    /// The head of the main track (the vessel's last plausible fix).
    head: Option<Fix>,
    episode: Episode,
    land: LandRun,
    coast: DistanceCache,
    port: DistanceCache,
    land_key: (i32, i32),
    land_maybe: bool,
}

/// The spoofing detector.
#[derive(Debug)]
pub struct SpoofingDetector {
    cfg: SpoofingConfig,
    vessels: Vec<VesselSpoof>,
    /// Vessels seen at each inland place (up to `waterway_min_vessels`).
    inland: FxHashMap<(i32, i32), Vec<u32>>,
    /// Ended on-land runs waiting for their judgement: (due time, vessel, run).
    pending: VecDeque<(i64, u32, LandRun)>,
    /// Runs dropped as being on a waterway.
    pub waterway_runs: u64,
    /// Cells per degree of the on-land pre-test grid.
    land_cells_per_deg: f64,
}

impl SpoofingDetector {
    /// A detector with these settings.
    pub fn new(cfg: SpoofingConfig) -> SpoofingDetector {
        // A point `land_margin_m` inland has land all around it for that distance, so a
        // cell smaller than the margin that tested as sea at one point holds no such point.
        let cell_deg = (cfg.land_margin_m / 1.5 / sealane_core::geo::M_PER_DEG).max(1e-4);
        SpoofingDetector {
            land_cells_per_deg: 1.0 / cell_deg,
            cfg,
            vessels: Vec::new(),
            inland: FxHashMap::default(),
            pending: VecDeque::new(),
            waterway_runs: 0,
        }
    }

    fn max_speed(&self, v: &Vessel) -> Option<f64> {
        if v.shiptype.is_some_and(|t| (40..50).contains(&t)) {
            return Some(self.cfg.max_speed_hsc_kn);
        }
        match v.class {
            VesselClass::A | VesselClass::Unknown => Some(self.cfg.max_speed_class_a_kn),
            VesselClass::B => Some(self.cfg.max_speed_class_b_kn),
            // Aircraft fly; aids to navigation and base stations are not judged by speed.
            VesselClass::Sar | VesselClass::AtoN | VesselClass::Base => None,
        }
    }

    fn plausible(&self, from: &Fix, to: &Fix, max_kn: f64) -> bool {
        let (d, kn) = implied(from, to);
        d < self.cfg.min_jump_m || kn <= max_kn
    }

    /// Takes a fix in (after [`Tracks`] has recorded it).
    pub fn on_fix(
        &mut self,
        tracks: &Tracks,
        id: VesselId,
        _step: &Step,
        land: &Land,
        ports: &Ports,
        out: &mut Vec<Draft>,
    ) {
        let i = id as usize;
        if self.vessels.len() <= i {
            self.vessels.resize_with(i + 1, VesselSpoof::default);
        }
        let v = tracks.vessel(id);
        let fix = v.last;
        if let Some(max_kn) = self.max_speed(v) {
            self.speed(v, i, fix, max_kn, out);
            self.on_land(v, i, fix, land, ports, out);
        }
    }

    fn speed(&mut self, v: &Vessel, i: usize, fix: Fix, max_kn: f64, out: &mut Vec<Draft>) {
        let Some(head) = self.vessels[i].head else {
            self.vessels[i].head = Some(fix);
            return;
        };
        if self.plausible(&head, &fix, max_kn) {
            self.vessels[i].head = Some(fix);
            return;
        }
        let alt = self.vessels[i].episode.alt.filter(|a| fix.time_ms - a.time_ms <= ALT_STALE_MS);
        if let Some(alt) = alt {
            if self.plausible(&alt, &fix, max_kn) {
                // Back on the other track: an alternation. The heads swap roles.
                let min_alternations = self.cfg.min_alternations;
                let st = &mut self.vessels[i];
                st.episode.alternations += 1;
                st.episode.labels.add(fix.label);
                st.episode.labels.add(head.label);
                st.episode.alt = Some(head);
                st.head = Some(fix);
                if st.episode.alternations >= min_alternations && !st.episode.reported {
                    st.episode.reported = true;
                    let (a, b) = st.episode.first_jump.unwrap_or((head, fix));
                    let sep_nm = sealane_core::geo::distance_m(head.lat, head.lon, fix.lat, fix.lon) / NM;
                    out.push(Draft {
                        kind: EventKind::Spoofing,
                        start_ms: a.time_ms,
                        end_ms: fix.time_ms,
                        mmsi: vec![v.mmsi],
                        lat: fix.lat,
                        lon: fix.lon,
                        confidence: (0.6 + 0.1 * st.episode.alternations as f64).min(0.95),
                        details: details![
                            "kind" => "two_places",
                            "alternations" => st.episode.alternations,
                            "separation_nm" => round(sep_nm, 1),
                            "other_lat" => head.lat,
                            "other_lon" => head.lon,
                        ],
                        evidence: vec![
                            evidence(v.mmsi, &a),
                            evidence(v.mmsi, &b),
                            evidence(v.mmsi, &head),
                            evidence(v.mmsi, &fix),
                        ],
                        labels: st.episode.labels.clone(),
                        discriminator: "two_places".into(),
                    });
                }
                return;
            }
        }
        // A jump neither head explains: impossible speed; a new episode starts with the old head as the other track.
        let (d, kn) = implied(&head, &fix);
        let st = &mut self.vessels[i];
        st.episode = Episode {
            alt: Some(head),
            alternations: 0,
            reported: false,
            first_jump: Some((head, fix)),
            labels: {
                let mut l = LabelSet::of(head.label);
                l.add(fix.label);
                l
            },
        };
        st.head = Some(fix);
        let over = kn / max_kn;
        out.push(Draft {
            kind: EventKind::Spoofing,
            start_ms: head.time_ms,
            end_ms: fix.time_ms,
            mmsi: vec![v.mmsi],
            lat: fix.lat,
            lon: fix.lon,
            confidence: (0.5 + 0.15 * over.log2()).clamp(0.5, 0.95),
            details: details![
                "kind" => "impossible_speed",
                "implied_speed_kn" => if kn.is_finite() { serde_json::json!(round(kn, 1)) } else { serde_json::Value::Null },
                "max_speed_kn" => max_kn,
                "jump_nm" => round(d / NM, 2),
                "seconds" => (fix.time_ms - head.time_ms) as f64 / 1000.0,
                "from_lat" => head.lat,
                "from_lon" => head.lon,
            ],
            evidence: vec![evidence(v.mmsi, &head), evidence(v.mmsi, &fix)],
            labels: st.episode.labels.clone(),
            discriminator: "impossible_speed".into(),
        });
    }

    fn on_land(&mut self, v: &Vessel, i: usize, fix: Fix, land: &Land, ports: &Ports, out: &mut Vec<Draft>) {
        let margin = self.cfg.land_margin_m;
        let port_margin = self.cfg.land_min_port_distance_km * 1000.0;
        let k = self.land_cells_per_deg;
        let st = &mut self.vessels[i];
        // The polygon test runs when the vessel enters another pre-test cell.
        let key = ((fix.lat * k).floor() as i32, (fix.lon * k).floor() as i32);
        if key != st.land_key {
            st.land_key = key;
            st.land_maybe = land.contains(fix.lat, fix.lon);
        }
        let inland = st.land_maybe
            && land.contains(fix.lat, fix.lon)
            && st.coast.at_least(fix.lat, fix.lon, margin, || land.coast_distance_m(fix.lat, fix.lon))
            && st.port.at_least(fix.lat, fix.lon, port_margin, || {
                ports.nearest(fix.lat, fix.lon).map_or(f64::INFINITY, |(_, d)| d)
            });
        if inland {
            let r = &mut st.land;
            if r.first.is_none() {
                r.first = Some(fix);
            }
            r.last = Some(fix);
            r.fixes += 1;
            r.labels.add(fix.label);
            r.evidence.push(evidence(v.mmsi, &fix));
            let here = place(fix.lat, fix.lon);
            if r.places.len() < RUN_PLACES && !r.places.contains(&here) {
                r.places.push(here);
            }
            let seen = self.inland.entry(here).or_default();
            if seen.len() < self.cfg.waterway_min_vessels as usize && !seen.contains(&v.mmsi) {
                seen.push(v.mmsi);
            }
        } else if st.land.first.is_some() {
            let run = std::mem::take(&mut st.land);
            let due = fix.time_ms + (self.cfg.waterway_horizon_h * 3_600_000.0) as i64;
            self.pending.push_back((due, v.mmsi, run));
        }
        let _ = out;
    }

    /// Whether most of a run's places are waterways (enough vessels have been there).
    fn on_waterway(&self, run: &LandRun) -> bool {
        let k = self.cfg.waterway_min_vessels as usize;
        let busy = run.places.iter().filter(|p| self.inland.get(p).is_some_and(|v| v.len() >= k)).count();
        k > 0 && busy * 2 > run.places.len()
    }

    /// The data time reached `watermark`: on-land runs due for judgement are reported or dropped.
    pub fn advance(&mut self, watermark: i64, land: &Land, out: &mut Vec<Draft>) {
        while self.pending.front().is_some_and(|(due, _, _)| *due <= watermark) {
            let (_, mmsi, run) = self.pending.pop_front().expect("checked");
            self.judge(mmsi, run, land, false, out);
        }
    }

    fn judge(&mut self, mmsi: u32, run: LandRun, land: &Land, open: bool, out: &mut Vec<Draft>) {
        if self.on_waterway(&run) {
            self.waterway_runs += 1;
        } else {
            out.push(self.land_draft(mmsi, run, land, open));
        }
    }

    fn land_draft(&self, mmsi: u32, run: LandRun, land: &Land, open: bool) -> Draft {
        let (first, last) = (run.first.expect("a run has a first fix"), run.last.expect("and a last"));
        let inland_km = land.coast_distance_m(first.lat, first.lon) / 1000.0;
        Draft {
            kind: EventKind::Spoofing,
            start_ms: first.time_ms,
            end_ms: last.time_ms,
            mmsi: vec![mmsi],
            lat: first.lat,
            lon: first.lon,
            // Inland water the land mask lacks is the usual innocent cause: never certain.
            confidence: (0.5 + 0.03 * run.fixes as f64 + 0.01 * inland_km).min(0.8),
            details: details![
                "kind" => "on_land",
                "fixes" => run.fixes,
                "inland_km" => round(inland_km, 1),
                "open" => open,
            ],
            evidence: run.evidence.into_vec(),
            labels: run.labels,
            discriminator: "on_land".into(),
        }
    }

    /// End of input: every on-land run, ended or open, is judged.
    pub fn finish(&mut self, tracks: &Tracks, land: &Land, out: &mut Vec<Draft>) {
        while let Some((_, mmsi, run)) = self.pending.pop_front() {
            self.judge(mmsi, run, land, false, out);
        }
        for i in 0..self.vessels.len() {
            if self.vessels[i].land.first.is_some() {
                let run = std::mem::take(&mut self.vessels[i].land);
                let mmsi = tracks.vessel(i as VesselId).mmsi;
                self.judge(mmsi, run, land, true, out);
            }
        }
    }

    /// Bytes of per-vessel state.
    pub fn bytes_per_vessel() -> usize {
        std::mem::size_of::<VesselSpoof>()
    }
}
