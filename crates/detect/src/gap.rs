//! AIS gaps and suspected disabling (Global Fishing Watch, Welch et al. 2022).
//!
//! A gap is a silence between two fixes of one vessel. Every gap from
//! `raw_min_h` is reported; it is a suspected disabling when it lasts at
//! least `disabling_min_h`, starts more than `disabling_min_shore_nm` from
//! shore, in a place where reception is good (more than
//! `min_reception_per_day` positions a day in its H3 cell, counted from the
//! data itself, so satellite-only and Arctic waters are judged by their own
//! coverage; the vessel's own positions are not counted) and the vessel had
//! been reporting well (`min_positions_before` positions in the
//! `before_window_h` hours before). A vessel still silent at the end of the
//! input is reported (as `open`) only when it would be a suspected disabling.

use h3o::{LatLng, Resolution};
use sealane_core::EventKind;
use sealane_core::geo::{NM, floor_i32};
use sealane_core::hash::FxHashMap;
use sealane_track::{Fix, Land, Step, Vessel};

use crate::config::GapConfig;
use crate::details;
use crate::draft::{Draft, LabelSet, evidence, round};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: f64 = 86_400_000.0;
/// Hours of per-vessel position counts kept (the longest `before_window_h` allowed).
pub const MAX_BEFORE_HOURS: usize = 24;

/// Positions per H3 cell, counted from the data.
#[derive(Debug)]
pub struct Reception {
    resolution: Resolution,
    counts: FxHashMap<u64, u32>,
    /// H3 cell of each 0.05 degree square seen (computing a cell costs more than looking it up).
    cells: FxHashMap<(i32, i32), u64>,
    first_ms: i64,
    last_ms: i64,
}

impl Reception {
    /// Counts at this H3 resolution.
    pub fn new(resolution: u8) -> Reception {
        Reception {
            resolution: Resolution::try_from(resolution).unwrap_or(Resolution::Four),
            counts: FxHashMap::default(),
            cells: FxHashMap::default(),
            first_ms: i64::MAX,
            last_ms: i64::MIN,
        }
    }

    /// The cell of a position (0 when the position is not valid).
    pub fn cell(&self, lat: f64, lon: f64) -> u64 {
        LatLng::new(lat, lon).map_or(0, |ll| u64::from(ll.to_cell(self.resolution)))
    }

    /// Counts `n` positions in `cell`, the latest at `time_ms`.
    #[inline]
    pub fn count(&mut self, cell: u64, n: u32, time_ms: i64) {
        *self.counts.entry(cell).or_insert(0) += n;
        self.first_ms = self.first_ms.min(time_ms);
        self.last_ms = self.last_ms.max(time_ms);
    }

    /// Positions per day in `cell` over the data seen so far (at least one day),
    /// not counting `own` positions (the vessel being judged: a lone vessel's own
    /// reports say nothing about how well others are heard there).
    pub fn per_day(&self, cell: u64, own: u32) -> f64 {
        let n = self.counts.get(&cell).copied().unwrap_or(0).saturating_sub(own) as f64;
        let days = ((self.last_ms.saturating_sub(self.first_ms)) as f64 / DAY_MS).max(1.0);
        n / days
    }
}

/// Per-vessel state: where its reception cell was last computed, and hourly counts.
#[derive(Debug, Clone)]
pub struct VesselGap {
    /// Quantised position (0.05 degree) of the cached cell.
    key: (i32, i32),
    cell: u64,
    /// Positions in `cell` not yet added to the reception counts (added in batches:
    /// one hash-map update per cell change or 64 positions, not one per position).
    unflushed: u32,
    /// The vessel's own positions in `cell` since it entered it.
    own: u32,
    /// Positions per hour, ring indexed by hour % MAX_BEFORE_HOURS.
    hours: [u8; MAX_BEFORE_HOURS],
    /// The hour the newest bucket belongs to.
    hour: i64,
}

impl Default for VesselGap {
    fn default() -> Self {
        VesselGap {
            key: (i32::MIN, i32::MIN),
            cell: 0,
            unflushed: 0,
            own: 0,
            hours: [0; MAX_BEFORE_HOURS],
            hour: i64::MIN,
        }
    }
}

impl VesselGap {
    fn advance_to(&mut self, hour: i64) {
        if self.hour == i64::MIN || hour - self.hour >= MAX_BEFORE_HOURS as i64 {
            self.hours = [0; MAX_BEFORE_HOURS];
        } else {
            for h in self.hour + 1..=hour {
                self.hours[h.rem_euclid(MAX_BEFORE_HOURS as i64) as usize] = 0;
            }
        }
        self.hour = self.hour.max(hour);
    }

    /// Positions in the `window` hours up to and including `hour`.
    fn before(&self, hour: i64, window: u32) -> u32 {
        if self.hour == i64::MIN {
            return 0;
        }
        let w = window.min(MAX_BEFORE_HOURS as u32) as i64;
        (hour - w + 1..=hour)
            .filter(|h| *h <= self.hour && self.hour - *h < MAX_BEFORE_HOURS as i64)
            .map(|h| self.hours[h.rem_euclid(MAX_BEFORE_HOURS as i64) as usize] as u32)
            .sum()
    }
}

/// The gap detector.
#[derive(Debug)]
pub struct GapDetector {
    cfg: GapConfig,
    reception: Reception,
}

impl GapDetector {
    /// A detector with these settings.
    pub fn new(cfg: GapConfig) -> GapDetector {
        GapDetector { reception: Reception::new(cfg.reception_h3_resolution), cfg }
    }

    /// Takes a fix in (after [`Tracks`] has recorded it).
    // Inlined into its one caller, `Detectors::position` (see there).
    #[inline(always)]
    pub fn on_fix(&mut self, v: &Vessel, st: &mut VesselGap, step: &Step, land: &Land, out: &mut Vec<Draft>) {
        let fix = v.last;
        if !step.first && step.dt_ms as f64 >= self.cfg.raw_min_h * HOUR_MS as f64 {
            let start = v.prev;
            if st.unflushed > 0 {
                self.reception.count(st.cell, std::mem::take(&mut st.unflushed), start.time_ms);
            }
            let before = st.before(start.time_ms.div_euclid(HOUR_MS), self.cfg.before_window_h);
            let reception = self.reception.per_day(st.cell, st.own);
            out.push(self.draft(v.mmsi, &start, &fix, false, before, reception, land));
        }
        // Count this position for reception and for the vessel's "reported well before".
        let key = (floor_i32(fix.lat * 20.0), floor_i32(fix.lon * 20.0));
        if key != st.key {
            if st.unflushed > 0 {
                self.reception.count(st.cell, std::mem::take(&mut st.unflushed), fix.time_ms);
            }
            st.key = key;
            let r = &mut self.reception;
            let cell = match r.cells.get(&key) {
                Some(&c) => c,
                None => {
                    // The square's centre stands for it: H3 cells here are tens of km across.
                    let c = r.cell((key.0 as f64 + 0.5) / 20.0, (key.1 as f64 + 0.5) / 20.0);
                    r.cells.insert(key, c);
                    c
                }
            };
            if cell != st.cell {
                st.cell = cell;
                st.own = 0;
            }
        }
        st.unflushed += 1;
        st.own += 1;
        if st.unflushed >= 64 {
            self.reception.count(st.cell, std::mem::take(&mut st.unflushed), fix.time_ms);
        }
        let hour = fix.time_ms.div_euclid(HOUR_MS);
        st.advance_to(hour);
        if hour == st.hour {
            let b = &mut st.hours[hour.rem_euclid(MAX_BEFORE_HOURS as i64) as usize];
            *b = b.saturating_add(1);
        }
    }

    /// End of input at `watermark`: vessels silent since long enough to be a
    /// suspected disabling are reported as open gaps.
    pub fn finish<'a>(
        &mut self,
        vessels: impl Iterator<Item = (&'a Vessel, &'a mut VesselGap)>,
        watermark: i64,
        land: &Land,
        out: &mut Vec<Draft>,
    ) {
        let c = &self.cfg;
        let mut open = Vec::new();
        for (v, st) in vessels {
            if st.unflushed > 0 {
                self.reception.count(st.cell, std::mem::take(&mut st.unflushed), v.last.time_ms);
            }
            if v.fixes == 0 || ((watermark - v.last.time_ms) as f64) < c.disabling_min_h * HOUR_MS as f64 {
                continue;
            }
            // The cheap conditions first: most silent vessels fail them, and the
            // distance to shore is the costly one.
            let start = v.last;
            let before = st.before(start.time_ms.div_euclid(HOUR_MS), c.before_window_h);
            if before < c.min_positions_before {
                continue;
            }
            open.push((v.mmsi, start, before, st.cell, st.own));
        }
        for (mmsi, start, before, cell, own) in open {
            let reception = self.reception.per_day(cell, own);
            if reception <= c.min_reception_per_day {
                continue;
            }
            let end = Fix { time_ms: watermark, ..start };
            let d = self.draft(mmsi, &start, &end, true, before, reception, land);
            if d.details.get("suspected_disabling") == Some(&serde_json::Value::Bool(true)) {
                out.push(d);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draft(&self, mmsi: u32, start: &Fix, end: &Fix, open: bool, before: u32, reception: f64, land: &Land) -> Draft {
        let c = &self.cfg;
        let hours = (end.time_ms - start.time_ms) as f64 / HOUR_MS as f64;
        // Far enough is all the rule needs; the search stops at ten times the threshold.
        let cap = c.disabling_min_shore_nm * NM * 10.0;
        let shore_nm = land.shore_distance_capped_m(start.lat, start.lon, cap) / NM;
        let far = shore_nm > c.disabling_min_shore_nm;
        let good_reception = reception > c.min_reception_per_day;
        let reported_well = before >= c.min_positions_before;
        let suspected = hours >= c.disabling_min_h && far && good_reception && reported_well;
        // Longer silences where reception is better are less likely to be coverage holes.
        let coverage = (reception / (c.min_reception_per_day * 4.0)).min(1.0);
        let confidence = if suspected && open {
            // Not yet back: the vessel may have left the data's coverage rather than gone dark.
            0.5 + 0.2 * coverage
        } else if suspected {
            0.6 + 0.25 * coverage + 0.15 * (hours / (c.disabling_min_h * 4.0)).min(1.0)
        } else {
            0.15 + 0.25 * coverage * (hours / c.disabling_min_h).min(1.0)
        };
        let mut labels = LabelSet::of(start.label);
        let mut evidence_list = vec![evidence(mmsi, start)];
        if !open {
            labels.add(end.label);
            evidence_list.push(evidence(mmsi, end));
        }
        let distance_nm = sealane_core::geo::distance_m(start.lat, start.lon, end.lat, end.lon) / NM;
        Draft {
            kind: EventKind::Gap,
            start_ms: start.time_ms,
            end_ms: end.time_ms,
            mmsi: vec![mmsi],
            lat: start.lat,
            lon: start.lon,
            confidence,
            details: details![
                "duration_h" => round(hours, 2),
                "suspected_disabling" => suspected,
                "open" => open,
                "start_shore_distance_nm" => round(shore_nm, 1),
                "reception_positions_per_day" => round(reception, 1),
                "positions_before" => before,
                "end_lat" => if open { serde_json::Value::Null } else { serde_json::json!(end.lat) },
                "end_lon" => if open { serde_json::Value::Null } else { serde_json::json!(end.lon) },
                "distance_nm" => if open { serde_json::Value::Null } else { serde_json::json!(round(distance_nm, 1)) },
            ],
            evidence: evidence_list,
            labels,
            discriminator: String::new(),
        }
    }
}
