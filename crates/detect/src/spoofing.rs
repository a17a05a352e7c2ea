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
//! - `on_land`: fixes at least `land_margin_m` inland, `land_min_port_distance_km`
//!   from a port and `land_min_route_distance_km` from the route network
//!   (Natural Earth's coastline is accurate to a few kilometres, worst in
//!   harbours, estuaries and sounds, and its land covers lakes and rivers; the
//!   route network covers the big ones: the Great Lakes, the St. Lawrence).
//!   One event per run of such fixes. Natural Earth's land has no lakes or
//!   rivers (the Great Lakes, the Mississippi, the Fraser are "land"), so
//!   inland places where `waterway_min_vessels` different vessels have been
//!   are taken as waterways, learnt from the traffic itself; a run is judged
//!   `waterway_horizon_h` after it ends (so traffic later in the data counts),
//!   and dropped when most of its places are waterways. (A spoofer moving
//!   many vessels to one inland spot at once would also look like a
//!   waterway: those are caught by the speed checks when they jump there.)

use std::collections::VecDeque;

use sealane_core::geo::{NM, floor_i32};
use sealane_core::hash::FxHashMap;
use sealane_core::{EventKind, VesselClass};
use sealane_track::{Fix, Land, Ports, Routes, Step, Tracks, Vessel, VesselId, implied};

use crate::cache::{Anchor, DistanceCache, GridDistance};
use crate::config::SpoofingConfig;
use crate::details;
use crate::draft::{Draft, EvidenceSample, LabelSet, evidence, round};

/// A second track head goes stale after this long without a fix.
const ALT_STALE_MS: i64 = 3_600_000;

/// After an unexplained jump: the track the vessel jumped from, and how often it came back.
#[derive(Debug, Clone)]
struct Episode {
    alt: Fix,
    alternations: u32,
    reported: bool,
    first_jump: (Fix, Fix),
    labels: LabelSet,
}

/// Inland places are ~5 km cells (0.05 degree).
const PLACE_CELLS_PER_DEG: f64 = 20.0;
/// Places a run remembers.
const RUN_PLACES: usize = 16;

fn place(lat: f64, lon: f64) -> (i32, i32) {
    (floor_i32(lat * PLACE_CELLS_PER_DEG), floor_i32(lon * PLACE_CELLS_PER_DEG))
}

/// Consecutive fixes inland.
#[derive(Debug, Clone)]
struct LandRun {
    first: Fix,
    last: Fix,
    fixes: u32,
    places: Vec<(i32, i32)>,
    labels: LabelSet,
    evidence: EvidenceSample,
}

/// Per-vessel spoofing state: distance caches and where land was last tested.
#[derive(Debug, Clone, Default)]
pub struct VesselSpoof {
    coast: DistanceCache,
    port: DistanceCache,
    route: DistanceCache,
    /// Where land was last tested, and whether it was land there.
    land_checked: Anchor,
    land_maybe: bool,
    /// Which side of the coastline the vessel is on, while it stays within the
    /// coast-free disc of `coast`'s anchor (`None` once that anchor moves).
    coast_side: Option<bool>,
}

/// The spoofing detector.
#[derive(Debug)]
pub struct SpoofingDetector {
    cfg: SpoofingConfig,
    /// Episodes and on-land runs, held only for the vessels in one.
    episodes: FxHashMap<VesselId, Episode>,
    land_runs: FxHashMap<VesselId, LandRun>,
    /// Vessels seen at each inland place (up to `waterway_min_vessels`).
    inland: FxHashMap<(i32, i32), Vec<u32>>,
    /// Ended on-land runs waiting for their judgement: (due time, vessel, run).
    pending: VecDeque<(i64, u32, LandRun)>,
    /// Runs dropped as being on a waterway.
    pub waterway_runs: u64,
    /// Coast distances near land, shared by every vessel.
    coast: GridDistance,
}

impl SpoofingDetector {
    /// A detector with these settings.
    pub fn new(cfg: SpoofingConfig) -> SpoofingDetector {
        SpoofingDetector {
            cfg,
            episodes: FxHashMap::default(),
            land_runs: FxHashMap::default(),
            inland: FxHashMap::default(),
            pending: VecDeque::new(),
            waterway_runs: 0,
            coast: GridDistance::new(0.01),
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
        self.plausible_step(d, kn, max_kn)
    }

    fn plausible_step(&self, dist_m: f64, kn: f64, max_kn: f64) -> bool {
        dist_m < self.cfg.min_jump_m || kn <= max_kn
    }

    /// Takes a fix in (after the track has recorded it).
    #[allow(clippy::too_many_arguments)]
    // Inlined into its one caller, `Detectors::position` (see there).
    #[inline(always)]
    pub fn on_fix(
        &mut self,
        id: VesselId,
        v: &Vessel,
        st: &mut VesselSpoof,
        step: &Step,
        land: &Land,
        ports: &Ports,
        routes: &Routes,
        out: &mut Vec<Draft>,
    ) {
        let fix = v.last;
        if let Some(max_kn) = self.max_speed(v) {
            self.speed(v, id, step, fix, max_kn, out);
            self.on_land(v, id, st, fix, land, ports, routes);
        }
    }

    fn speed(&mut self, v: &Vessel, id: VesselId, step: &Step, fix: Fix, max_kn: f64, out: &mut Vec<Draft>) {
        // The main track's head is the previous fix (each fix becomes the head, whether it
        // continued the track, jumped, or went back), so the track's step measures the move.
        if step.first {
            return;
        }
        let head = v.prev;
        if self.plausible_step(step.dist_m, step.implied_kn, max_kn) {
            return;
        }
        let back = self
            .episodes
            .get(&id)
            .filter(|e| fix.time_ms - e.alt.time_ms <= ALT_STALE_MS && self.plausible(&e.alt, &fix, max_kn))
            .is_some();
        if back {
            // Back on the other track: an alternation. The heads swap roles.
            let min_alternations = self.cfg.min_alternations;
            let ep = self.episodes.get_mut(&id).expect("found above");
            ep.alternations += 1;
            ep.labels.add(fix.label);
            ep.labels.add(head.label);
            ep.alt = head;
            if ep.alternations >= min_alternations && !ep.reported {
                ep.reported = true;
                let (a, b) = ep.first_jump;
                let sep_nm = sealane_core::geo::distance_m(head.lat, head.lon, fix.lat, fix.lon) / NM;
                out.push(Draft {
                    kind: EventKind::Spoofing,
                    start_ms: a.time_ms,
                    end_ms: fix.time_ms,
                    mmsi: vec![v.mmsi],
                    lat: fix.lat,
                    lon: fix.lon,
                    confidence: (0.6 + 0.1 * ep.alternations as f64).min(0.95),
                    details: details![
                        "kind" => "two_places",
                        "alternations" => ep.alternations,
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
                    labels: ep.labels.clone(),
                    discriminator: "two_places".into(),
                });
            }
            return;
        }
        // A jump neither head explains: impossible speed; a new episode starts with the old head as the other track.
        let (d, kn) = implied(&head, &fix);
        let mut labels = LabelSet::of(head.label);
        labels.add(fix.label);
        self.episodes.insert(
            id,
            Episode { alt: head, alternations: 0, reported: false, first_jump: (head, fix), labels: labels.clone() },
        );
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
            labels,
            discriminator: "impossible_speed".into(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn on_land(
        &mut self,
        v: &Vessel,
        id: VesselId,
        st: &mut VesselSpoof,
        fix: Fix,
        land: &Land,
        ports: &Ports,
        routes: &Routes,
    ) {
        let margin = self.cfg.land_margin_m;
        let port_margin = self.cfg.land_min_port_distance_km * 1000.0;
        let route_margin = self.cfg.land_min_route_distance_km * 1000.0;
        // A point `land_margin_m` inland is that far from every sea point: after a test
        // that found sea, nothing needs testing until the vessel has moved that far.
        if !st.land_maybe && st.land_checked.moved_at_most(fix.lat, fix.lon) >= margin {
            st.land_checked = Anchor::at(fix.lat, fix.lon);
            st.land_maybe = land.contains(fix.lat, fix.lon);
        }
        // Inland: far from the coastline (the vessel's own cached distance answers most
        // fixes, the shared grid of coast distances most of the rest), on the land side
        // of it, and away from ports. The
        // polygon test comes after the coast test: most fixes near land are near the coast.
        let grid = &mut self.coast;
        let mut anchored = false;
        let far_from_coast = st.land_maybe
            && st.coast.at_least_estimated(fix.lat, fix.lon, margin, || {
                anchored = true;
                grid.estimate(fix.lat, fix.lon, margin, |la, lo, cap| land.coast_distance_capped_m(la, lo, cap))
            });
        if anchored {
            st.coast_side = None;
        }
        // A cached "far from the coast" means the fix is inside a disc around the
        // anchor that no coastline crosses, where every point is on the same side
        // as the last one tested: the polygon test is needed once per disc, not
        // once per fix (a vessel moored or steaming up a river costs one).
        let on_land = far_from_coast && *st.coast_side.get_or_insert_with(|| land.contains(fix.lat, fix.lon));
        // Near a port or an inland waterway of the route network, a position "on land"
        // is most likely the land mask's fault: such fixes neither extend nor end a run.
        let excused = on_land
            && !(st.port.at_least(fix.lat, fix.lon, port_margin, || {
                ports.distance_capped_m(fix.lat, fix.lon, 4.0 * port_margin)
            }) && st.route.at_least(fix.lat, fix.lon, route_margin, || {
                routes.distance_capped_m(fix.lat, fix.lon, 2.0 * route_margin)
            }));
        let inland = on_land && !excused;
        if st.land_maybe && !inland && st.land_checked.moved_at_most(fix.lat, fix.lon) >= margin {
            // Moved on: test again from here next time.
            st.land_maybe = false;
        }
        if inland {
            let here = place(fix.lat, fix.lon);
            let r = self.land_runs.entry(id).or_insert_with(|| LandRun {
                first: fix,
                last: fix,
                fixes: 0,
                places: Vec::new(),
                labels: LabelSet::of(fix.label),
                evidence: EvidenceSample::default(),
            });
            r.last = fix;
            r.fixes += 1;
            r.labels.add(fix.label);
            r.evidence.push(evidence(v.mmsi, &fix));
            if r.places.len() < RUN_PLACES && !r.places.contains(&here) {
                r.places.push(here);
            }
            let seen = self.inland.entry(here).or_default();
            if seen.len() < self.cfg.waterway_min_vessels as usize && !seen.contains(&v.mmsi) {
                seen.push(v.mmsi);
            }
        } else if !excused {
            if let Some(run) = self.land_runs.remove(&id) {
                let due = fix.time_ms + (self.cfg.waterway_horizon_h * 3_600_000.0) as i64;
                self.pending.push_back((due, v.mmsi, run));
            }
        }
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
        let (first, last) = (run.first, run.last);
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
        let mut open: Vec<(VesselId, LandRun)> = self.land_runs.drain().collect();
        open.sort_unstable_by_key(|(id, _)| *id);
        for (id, run) in open {
            self.judge(tracks.vessel(id).mmsi, run, land, true, out);
        }
    }
}
