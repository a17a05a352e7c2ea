//! # sealane-detect
//!
//! Behaviour detectors over time-ordered observations: AIS gaps and
//! suspected disabling, encounters (ship-to-ship), loitering, zone entry /
//! exit / dwell, spoofing (impossible speed, two places at once, on land),
//! identity (invalid MMSI/MID/IMO, changes) and watchlist hits.
//!
//! [`Detectors`] is driven by observations and the data's own time only,
//! never by the wall clock: the batch command (`sealane detect`) and the live
//! server run this same value, and a replay gives the events the live run
//! gave. Thresholds are in [`Config`] (TOML), with the published defaults.
//!
//! ```
//! use sealane_core::{Label, Origin, Position, TimeSource, VesselClass};
//! use sealane_detect::{Config, Detectors, Watchlist, Zones};
//!
//! let mut d = Detectors::new(Config::default(), Zones::none(), Watchlist::none(), vec![Label::public_ais()]);
//! let p = |t: i64, lat: f64| Position {
//!     mmsi: 440_123_456, time_ms: t, time_source: TimeSource::Column, lat, lon: 130.0,
//!     sog: None, cog: None, heading: None, nav_status: None, rot: None, accuracy: false,
//!     class: VesselClass::A, msg_type: 1,
//! };
//! let mut events = Vec::new();
//! d.position(&p(0, 38.0), 0, Origin::default(), &mut events);
//! d.position(&p(60_000, 39.0), 0, Origin::default(), &mut events); // 60 nm in a minute
//! d.finish(&mut events);
//! assert_eq!(events[0].kind.name(), "spoofing");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cache;
pub mod config;
pub mod draft;
pub mod encounter;
pub mod gap;
pub mod identity;
pub mod loitering;
pub mod spoofing;
pub mod watchlist;
pub mod zone;

pub use config::Config;
pub use watchlist::Watchlist;
pub use zone::Zones;

use sealane_core::{Event, EventKind, Identity, Label, LabelRules, Origin, Position};
use sealane_track::{Fix, LabelId, Land, Ports, Routes, Tracks, VesselId};

use draft::{Draft, LabelTable};

/// Counts kept by the detectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectStats {
    /// Positions taken in.
    pub positions: u64,
    /// Identity reports taken in.
    pub identities: u64,
    /// Positions older than the vessel's previous one (late beyond the reorder window), skipped.
    pub out_of_order: u64,
    /// Positions at the same time as the vessel's previous one, skipped.
    pub same_time: u64,
    /// Events by kind (index: position in [`EventKind::ALL`]).
    pub events: [u64; EventKind::ALL.len()],
}

/// Every detector's state for one vessel, in one place: a position touches
/// one contiguous record, not one per detector.
#[derive(Debug, Clone, Default)]
struct VesselState {
    gap: gap::VesselGap,
    loitering: loitering::VesselLoiter,
    spoofing: spoofing::VesselSpoof,
    zones: Vec<zone::Stay>,
    port: cache::DistanceCache,
}

/// Every detector, over one stream of observations.
#[derive(Debug)]
pub struct Detectors {
    tracks: Tracks,
    labels: LabelTable,
    land: &'static Land,
    ports: &'static Ports,
    routes: &'static Routes,
    gap: gap::GapDetector,
    loitering: loitering::LoiteringDetector,
    zones: zone::ZoneDetector,
    spoofing: spoofing::SpoofingDetector,
    encounter: encounter::EncounterDetector,
    identity: identity::IdentityDetector,
    watchlist: watchlist::WatchlistDetector,
    states: Vec<VesselState>,
    watermark: i64,
    drafts: Vec<Draft>,
    stats: DetectStats,
}

impl Detectors {
    /// Detectors with these settings, zones and watchlist; `labels` are the
    /// run's source labels (a position's `LabelId` indexes them).
    pub fn new(cfg: Config, zones: Zones, watchlist: Watchlist, labels: Vec<Label>) -> Detectors {
        Detectors::with_rules(cfg, zones, watchlist, labels, LabelRules::default())
    }

    /// As [`Detectors::new`], with the label rules of a policy.
    pub fn with_rules(
        cfg: Config,
        zones: Zones,
        watchlist: Watchlist,
        labels: Vec<Label>,
        rules: LabelRules,
    ) -> Detectors {
        let segment_gap_ms = (cfg.tracks.segment_gap_h * 3_600_000.0).round() as i64;
        let land = Land::natural_earth();
        Detectors {
            tracks: Tracks::new(segment_gap_ms),
            labels: LabelTable::new(labels, rules),
            land,
            ports: Ports::world_port_index(),
            routes: Routes::searoute(),
            gap: gap::GapDetector::new(cfg.gap.clone()),
            loitering: loitering::LoiteringDetector::new(cfg.loitering.clone()),
            zones: zone::ZoneDetector::new(cfg.zone.clone(), zones),
            spoofing: spoofing::SpoofingDetector::new(cfg.spoofing.clone()),
            encounter: encounter::EncounterDetector::new(cfg.encounter.clone()),
            identity: identity::IdentityDetector::new(cfg.identity.clone()),
            watchlist: watchlist::WatchlistDetector::new(watchlist),
            states: Vec::new(),
            watermark: i64::MIN,
            drafts: Vec::new(),
            stats: DetectStats::default(),
        }
    }

    /// Adds a label to the run's table (a source that appeared mid-run), returning its id.
    pub fn label_id(&mut self, label: &Label) -> LabelId {
        self.labels.intern(label)
    }

    /// Counts so far.
    pub fn stats(&self) -> &DetectStats {
        &self.stats
    }

    /// Vessels tracked.
    pub fn vessels(&self) -> usize {
        self.tracks.len()
    }

    /// The data time reached so far.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// The zones in use.
    pub fn zones(&self) -> &Zones {
        self.zones.zones()
    }

    /// Vessels on the watchlist.
    pub fn watchlist_len(&self) -> usize {
        self.watchlist.list().len()
    }

    /// Takes a position in (time order, as the cleaner releases them); appends concluded events to `out`.
    pub fn position(&mut self, p: &Position, label: LabelId, origin: Origin, out: &mut Vec<Event>) {
        self.stats.positions += 1;
        let id = self.tracks.id(p.mmsi);
        let v = self.tracks.vessel(id);
        if v.fixes > 0 {
            if p.time_ms < v.last.time_ms {
                self.stats.out_of_order += 1;
                return;
            }
            if p.time_ms == v.last.time_ms {
                self.stats.same_time += 1;
                return;
            }
        }
        if p.time_ms > self.watermark {
            self.watermark = p.time_ms;
            self.encounter.advance(self.watermark, &mut self.drafts);
            self.spoofing.advance(self.watermark, self.land, &mut self.drafts);
        }
        let fix = Fix::new(p, label, origin);
        let (id, step) = self.tracks.update_id(id, fix, p.class);
        let t = &self.tracks;
        if step.first {
            self.identity.first_sight(t, id, p.class, p.time_ms, Some((p.lat, p.lon)), label, origin, &mut self.drafts);
            self.watchlist.first_sight(t, id, p.time_ms, Some((p.lat, p.lon)), label, origin, &mut self.drafts);
        }
        if self.states.len() <= id as usize {
            self.states.resize_with(id as usize + 1, VesselState::default);
        }
        let v = t.vessel(id);
        let st = &mut self.states[id as usize];
        let drafts = &mut self.drafts;
        // Each detector's `on_fix` is forced inline here, its one call site
        // (callgrind: 4 % fewer instructions per position).
        self.gap.on_fix(v, &mut st.gap, &step, self.land, drafts);
        self.spoofing.on_fix(id, v, &mut st.spoofing, &step, self.land, self.ports, self.routes, drafts);
        self.zones.on_fix(v, &mut st.zones, &step, drafts);
        self.loitering.on_fix(id, v, &mut st.loitering, &step, self.land, drafts);
        self.encounter.on_fix(v, &mut st.port, &step, self.ports, self.land);
        self.emit(out);
    }

    /// Takes an identity report in.
    pub fn identity(&mut self, obs: &Identity, label: LabelId, origin: Origin, out: &mut Vec<Event>) {
        self.stats.identities += 1;
        let id = self.tracks.id(obs.mmsi);
        {
            let v = self.tracks.vessel_mut(id);
            if obs.shiptype.is_some() {
                v.shiptype = obs.shiptype;
            }
            if let Some(l) = obs.length_m() {
                v.length_m = Some(l);
            }
        }
        self.identity.on_identity(&self.tracks, id, obs, label, origin, &mut self.drafts);
        self.watchlist.on_identity(&self.tracks, id, obs, label, origin, &mut self.drafts);
        self.emit(out);
    }

    /// End of input: everything held (open runs, stays, pending encounters) is concluded.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        let tracks = &self.tracks;
        let states = &mut self.states;
        self.encounter.finish(&mut self.drafts);
        self.loitering.finish(
            &mut |id| (tracks.vessel(id).clone(), states[id as usize].loitering.clone()),
            self.land,
            &mut self.drafts,
        );
        let vessels = states.iter_mut().enumerate().map(|(id, st)| (tracks.vessel(id as VesselId).mmsi, &mut st.zones));
        self.zones.finish(vessels, &mut self.drafts);
        self.spoofing.finish(tracks, self.land, &mut self.drafts);
        let vessels = states.iter_mut().enumerate().map(|(id, st)| (tracks.vessel(id as VesselId), &mut st.gap));
        self.gap.finish(vessels, self.watermark, self.land, &mut self.drafts);
        self.emit(out);
    }

    fn emit(&mut self, out: &mut Vec<Event>) {
        if self.drafts.is_empty() {
            return;
        }
        for d in self.drafts.drain(..) {
            let e = d.finish(&mut self.labels);
            if let Some(i) = EventKind::ALL.iter().position(|k| *k == e.kind) {
                self.stats.events[i] += 1;
            }
            out.push(e);
        }
    }

    /// Bytes of state per tracked vessel, summed over the detectors (excluding
    /// what only vessels inside zones, in runs or on watchlists hold).
    pub fn bytes_per_vessel() -> usize {
        Tracks::bytes_per_vessel() + std::mem::size_of::<VesselState>()
    }
}
