//! Sealane's scenario simulator: AIS traffic on real shipping lanes, heard by
//! coast stations and satellites, with injected behaviour and its ground
//! truth, and SAR satellite passes.
//!
//! A [`Simulation`] is built from a [`Scenario`] and a seed and then advanced
//! in time ([`Simulation::run_until`]): it appends the NMEA lines (with NMEA 4
//! tag blocks naming the receiver and the receive time) of every transmission
//! heard up to that time. Everything is a function of the scenario, so the same
//! seed gives byte-identical output, whether run at once into a file or live at
//! accelerated time.
//!
//! Transmissions follow ITU-R M.1371-5: Class A position reports every 10 s
//! (3⅓ s turning) below 14 knots, 6 s (2 s turning) to 23 knots, 2 s above,
//! 3 min at anchor; Class B "CS" every 30 s above 2 knots, 3 min below; static
//! data every 6 minutes. Transmissions no receiver can hear are skipped rather
//! than generated, which is what makes global scenarios cheap.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod lanes;
pub mod rng;
pub mod sar;
pub mod scenario;
pub mod truth;
pub mod vessel;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use sealane_ais::message::{
    ClassBPosition, Dimensions, Header, PositionReport, StaticDataPart, StaticDataReport, StaticVoyage,
};
use sealane_ais::{Framing, Message, Text, encode_sentences};
use sealane_core::geo::{destination, distance_m};
use sealane_detect::Zones;

use crate::lanes::{LaneGraph, Path};
use crate::rng::Rng;
pub use crate::scenario::Scenario;
use crate::scenario::{Injection, Satellites, Station};
use crate::truth::{Truth, TruthEvent};
use crate::vessel::{ClassName, Motion, State, timed_plan, vessel_name};

const HOUR_MS: i64 = 3_600_000;
const KN: f64 = 1852.0 / 3600.0;

/// Flags (MIDs) of the background fleet when a region gives none.
const DEFAULT_MIDS: [u32; 20] =
    [440, 441, 412, 413, 431, 351, 352, 353, 636, 538, 477, 563, 533, 416, 273, 525, 548, 215, 249, 311];

/// A falsified report.
#[derive(Debug, Clone, Copy)]
enum Falsify {
    /// Reported position moved by (dlat, dlon).
    Shift(f64, f64),
    /// Reported position fixed here.
    At(f64, f64),
}

/// One simulated transmitter.
#[derive(Debug, Clone)]
pub struct SimVessel {
    /// Scripted id, or empty for background traffic.
    pub id: String,
    /// MMSI.
    pub mmsi: u32,
    /// IMO number (0 none).
    pub imo: u32,
    /// Name.
    pub name: String,
    /// Call sign.
    pub callsign: String,
    /// Class.
    pub class: ClassName,
    /// Length overall, metres.
    pub length_m: f64,
    /// Beam, metres.
    pub beam_m: f64,
    /// Class B equipment.
    pub class_b: bool,
    /// Transmits AIS at all.
    pub transmits: bool,
    /// A clone of another vessel's MMSI (an MMSI collision): only its own reports count.
    pub clone: bool,
    /// How it moves.
    pub motion: Motion,
    hint: u32,
    next_static_ms: i64,
    /// Transmitting windows (clones) as (from, to) ms; empty means always.
    active: Option<(i64, i64)>,
    /// Transponder off, (from, to) ms.
    pub dark: Vec<(i64, i64)>,
    falsify: Vec<(i64, i64, Falsify)>,
    renames: Vec<(i64, String, Option<String>)>,
    renamed: usize,
    /// Times the vessel holds still: (from, to, lat, lon).
    pub holds: Vec<(i64, i64, f64, f64)>,
}

impl SimVessel {
    /// Whether the transponder is off at `t`.
    pub fn is_dark(&self, t: i64) -> bool {
        !self.transmits || self.dark.iter().any(|&(a, b)| t >= a && t < b)
    }

    fn falsified(&self, t: i64) -> Option<Falsify> {
        self.falsify.iter().find(|&&(a, b, _)| t >= a && t < b).map(|x| x.2)
    }
}

/// What the simulation produced so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Transmissions made (heard or not).
    pub transmissions: u64,
    /// Transmissions skipped because nobody could hear them.
    pub skipped: u64,
    /// Transmissions heard by at least one receiver.
    pub heard: u64,
    /// Lines written (one per receiver per sentence).
    pub lines: u64,
    /// Position reports heard.
    pub positions: u64,
    /// Static reports heard.
    pub statics: u64,
}

/// A running simulation.
pub struct Simulation {
    /// The scenario.
    pub scenario: Scenario,
    /// Scenario start, ms since the epoch.
    pub start_ms: i64,
    /// Scenario end.
    pub end_ms: i64,
    paths: Vec<Path>,
    /// Every transmitter.
    pub vessels: Vec<SimVessel>,
    queue: BinaryHeap<Reverse<(i64, u32)>>,
    stations: Vec<Station>,
    satellites: Option<Satellites>,
    rng: Rng,
    truth: Truth,
    now_ms: i64,
    sequence: u8,
    /// Counts.
    pub stats: SimStats,
}

impl Simulation {
    /// Builds the fleet, plans and injections of `scenario`.
    pub fn new(scenario: Scenario) -> Result<Simulation, String> {
        let start_ms = sealane_core::time::parse_time(&scenario.start)?;
        let end_ms = start_ms + (scenario.hours * HOUR_MS as f64) as i64;
        let mut rng = Rng::new(scenario.seed, 0);
        let mut paths = Vec::new();
        let mut vessels = Vec::new();
        let mut mids: HashMap<u32, u32> = HashMap::new();
        let mut next_mmsi = |mid: u32| {
            let n = mids.entry(mid).or_insert(0);
            *n += 1;
            // A stride coprime to 900 000 spreads the serials and never repeats.
            mid * 1_000_000 + 100_000 + (*n * 7919) % 900_000
        };
        if scenario.regions.iter().any(|r| r.vessels > 0) {
            let graph = LaneGraph::searoute();
            let land = sealane_track::Land::natural_earth();
            for (ri, region) in scenario.regions.iter().enumerate() {
                let mut rrng = Rng::new(scenario.seed, 1000 + ri as u64);
                let first = paths.len();
                let at_sea = |lat: f64, lon: f64| !land.contains(lat, lon);
                paths.extend(graph.voyages(region.bbox, region.voyages.max(1), 40.0, &at_sea, &mut rrng));
                if paths.len() == first {
                    return Err(format!("region {:?}: no shipping lane in {:?}", region.name, region.bbox));
                }
                let pool = first..paths.len();
                let mix: Vec<(ClassName, f64)> = if region.mix.is_empty() {
                    ClassName::default_mix().to_vec()
                } else {
                    region.mix.iter().map(|(c, w)| (*c, *w)).collect()
                };
                let total: f64 = mix.iter().map(|m| m.1).sum();
                for _ in 0..region.vessels {
                    let mut pick = rrng.f64() * total;
                    let class = mix.iter().find(|m| {
                        pick -= m.1;
                        pick < 0.0
                    });
                    let class = class.map_or(ClassName::Bulk, |m| m.0);
                    let mid = DEFAULT_MIDS[rrng.below(DEFAULT_MIDS.len())];
                    let mmsi = next_mmsi(mid);
                    let path = pool.start + rrng.below(pool.len());
                    let motion = if class == ClassName::Fishing {
                        fishing_plan(&paths[path], start_ms, end_ms, land, &mut rrng)
                    } else {
                        let spec = class.spec();
                        let speed = rrng.range(spec.speed_kn.0, spec.speed_kn.1) * KN;
                        // Within a few hundred metres of the centre line, as traffic keeps to its side.
                        let off = (rrng.normal() * 0.003, rrng.normal() * 0.003);
                        Motion::Lane {
                            path: path as u32,
                            s0: rrng.f64() * 2.0 * paths[path].length_m(),
                            speed,
                            offset: (off.0 as f32, off.1 as f32),
                        }
                    };
                    let mut v = background_vessel(class, mmsi, motion, &mut rrng);
                    v.transmits = !rrng.chance(region.dark_share);
                    vessels.push(v);
                }
            }
        }
        for (k, v) in scenario.vessels.iter().enumerate() {
            let mut vrng = Rng::new(scenario.seed, 500_000 + k as u64);
            let spec = v.class.spec();
            let speed = v.speed_kn.unwrap_or((spec.speed_kn.0 + spec.speed_kn.1) / 2.0);
            let wps: Vec<_> = v.route.iter().map(|w| (w.at_h, w.lat, w.lon, w.hold_h)).collect();
            let plan = timed_plan(start_ms, &wps, speed);
            let holds = holds_of(&v.route, &plan);
            let mut sv =
                background_vessel(v.class, v.mmsi.unwrap_or_else(|| next_mmsi(440)), Motion::Timed(plan), &mut vrng);
            sv.id = v.id.clone();
            sv.transmits = v.transmits;
            sv.holds = holds;
            sv.class_b = spec.class_b_share >= 1.0;
            if let Some(imo) = v.imo {
                sv.imo = imo;
            }
            if let Some(n) = &v.name {
                sv.name = n.clone();
            }
            if let Some(c) = &v.callsign {
                sv.callsign = c.clone();
            }
            if let Some(l) = v.length_m {
                sv.length_m = l;
                sv.beam_m = l * spec.beam_ratio;
            }
            vessels.push(sv);
        }
        let hours = |h: f64| start_ms + (h * HOUR_MS as f64) as i64;
        for inj in &scenario.injections {
            let i = vessels.iter().position(|v| v.id == inj.vessel()).ok_or("injection for an unknown vessel")?;
            match inj {
                Injection::Dark { at_h, hours: h, .. } => vessels[i].dark.push((hours(*at_h), hours(at_h + h))),
                Injection::SpoofJump { at_h, hours: h, offset_km, bearing_deg, .. } => {
                    let (lat, lon) = destination(0.0, 0.0, *bearing_deg, offset_km * 1000.0);
                    vessels[i].falsify.push((hours(*at_h), hours(at_h + h), Falsify::Shift(lat, lon)));
                }
                Injection::OnLand { at_h, hours: h, lat, lon, .. } => {
                    vessels[i].falsify.push((hours(*at_h), hours(at_h + h), Falsify::At(*lat, *lon)));
                }
                Injection::IdentityChange { at_h, name, callsign, .. } => {
                    vessels[i].renames.push((hours(*at_h), name.clone(), callsign.clone()));
                }
                Injection::MmsiCollision { at_h, hours: h, route, .. } => {
                    let mut c = vessels[i].clone();
                    let wps: Vec<_> = route.iter().map(|w| (w.at_h, w.lat, w.lon, w.hold_h)).collect();
                    c.motion = Motion::Timed(timed_plan(start_ms, &wps, c.class.spec().speed_kn.1));
                    c.clone = true;
                    c.id = format!("{} (clone)", c.id);
                    c.active = Some((hours(*at_h), hours(at_h + h)));
                    c.dark.clear();
                    c.falsify.clear();
                    c.holds.clear();
                    vessels.push(c);
                }
            }
        }
        let mut queue = BinaryHeap::with_capacity(vessels.len());
        for (i, v) in vessels.iter_mut().enumerate() {
            // Spread first transmissions over the first interval, as real slots are.
            let first = match &v.motion {
                Motion::Timed(p) => p.first().map_or(start_ms, |f| f.0.max(start_ms)),
                Motion::Lane { .. } => start_ms,
            };
            v.next_static_ms = first + rng.below(360_000) as i64;
            queue.push(Reverse((first + rng.below(10_000) as i64, i as u32)));
        }
        let truth = Truth::new(&vessels, Zones::defaults());
        Ok(Simulation {
            stations: scenario.stations.clone(),
            satellites: scenario.satellites.clone(),
            scenario,
            start_ms,
            end_ms,
            paths,
            vessels,
            queue,
            rng,
            truth,
            now_ms: start_ms,
            sequence: 0,
            stats: SimStats::default(),
        })
    }

    /// The simulated time reached.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// True once the scenario end is reached.
    pub fn finished(&self) -> bool {
        self.now_ms >= self.end_ms
    }

    /// Lane voyages in use.
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// The true state of vessel `i` at `t` (None when not at sea).
    pub fn true_state(&self, i: usize, t: i64) -> Option<State> {
        let mut hint = 0;
        self.vessels[i].motion.state(&self.paths, self.start_ms, t, &mut hint)
    }

    /// Runs every transmission before `until_ms` (capped at the scenario end),
    /// appending the lines heard to `out`.
    pub fn run_until(&mut self, until_ms: i64, out: &mut Vec<u8>) {
        let until = until_ms.min(self.end_ms);
        while let Some(&Reverse((t, i))) = self.queue.peek() {
            if t >= until {
                break;
            }
            self.queue.pop();
            if let Some(next) = self.transmit(i as usize, t, out) {
                if next < self.end_ms {
                    self.queue.push(Reverse((next, i)));
                }
            }
        }
        self.now_ms = self.now_ms.max(until);
    }

    /// Runs to the end and closes the ground truth.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Vec<TruthEvent> {
        self.run_until(self.end_ms, out);
        let truth = std::mem::replace(&mut self.truth, Truth::empty());
        truth.finish(&self.vessels, &self.scenario, self.start_ms, self.end_ms)
    }

    /// Receivers that hear a transmission from (lat, lon) at `t`: their names.
    fn hear(&mut self, lat: f64, lon: f64, t: i64, heard: &mut Vec<usize>) {
        heard.clear();
        for (k, s) in self.stations.iter().enumerate() {
            let d = distance_m(lat, lon, s.lat, s.lon) / 1852.0;
            if d <= s.range_nm {
                // Reception fades toward the radio horizon.
                let p = 0.98 - 0.6 * (d / s.range_nm).powi(4);
                if self.rng.chance(p) {
                    heard.push(k);
                }
            }
        }
        if let Some(sats) = &self.satellites {
            let p = sats.p_receive;
            for k in 0..sats.count as usize {
                if satellite_wait_ms(sats, k, lat, lon, t) == 0 && self.rng.chance(p) {
                    heard.push(self.stations.len() + k);
                }
            }
        }
    }

    fn receiver_name(&self, k: usize) -> String {
        match self.stations.get(k) {
            Some(s) => s.name.clone(),
            None => format!("SAT-{}", k - self.stations.len() + 1),
        }
    }

    /// Could anyone hear (lat, lon) at `t`? If not, how long until someone might.
    fn coverage_wait_ms(&self, lat: f64, lon: f64, t: i64) -> i64 {
        if self.stations.iter().any(|s| distance_m(lat, lon, s.lat, s.lon) / 1852.0 <= s.range_nm) {
            return 0;
        }
        let Some(sats) = &self.satellites else {
            // Nobody in range: look again in ten minutes (the vessel moves).
            return 600_000;
        };
        (0..sats.count as usize).map(|k| satellite_wait_ms(sats, k, lat, lon, t)).min().unwrap_or(600_000).min(600_000)
    }

    /// One transmission of vessel `i` at `t`; returns the time of its next one.
    fn transmit(&mut self, i: usize, t: i64, out: &mut Vec<u8>) -> Option<i64> {
        let v = &mut self.vessels[i];
        let mut hint = v.hint;
        let state = v.motion.state(&self.paths, self.start_ms, t, &mut hint);
        v.hint = hint;
        let Some(state) = state else {
            // Not yet at sea: come back when the plan starts.
            return match &v.motion {
                Motion::Timed(p) if p.first().is_some_and(|f| f.0 > t) => p.first().map(|f| f.0),
                _ => None,
            };
        };
        let interval = report_interval_ms(v.class_b, state.sog_kn, state.turning);
        let jitter = (self.rng.f64() * 0.1 - 0.05) * interval as f64;
        let next = t + interval + jitter as i64;
        let v = &self.vessels[i];
        let active = v.active.is_none_or(|(a, b)| t >= a && t < b);
        if !active || v.is_dark(t) {
            return Some(next);
        }
        let (lat, lon) = match v.falsified(t) {
            Some(Falsify::Shift(dlat, dlon)) => (state.lat + dlat, state.lon + dlon),
            Some(Falsify::At(lat, lon)) => (lat, lon),
            None => (state.lat, state.lon),
        };
        self.stats.transmissions += 1;
        // Receivers hear the transmitter where it is, whatever position it claims.
        let wait = self.coverage_wait_ms(state.lat, state.lon, t);
        if wait > 0 {
            self.stats.skipped += 1;
            return Some(next.max(t + wait));
        }
        let mut heard = Vec::new();
        self.hear(state.lat, state.lon, t, &mut heard);
        if heard.is_empty() {
            return Some(next);
        }
        self.stats.heard += 1;
        if !self.vessels[i].clone {
            self.truth.on_received(i, t, lat, lon);
            // Zones are judged on the true track as sampled by what was heard:
            // an entry nobody could hear is not an event anyone can report.
            self.truth.on_true_state(i, t, &state);
        }
        // Renames take effect from their time on.
        let v = &mut self.vessels[i];
        while v.renamed < v.renames.len() && v.renames[v.renamed].0 <= t {
            let (_, name, callsign) = v.renames[v.renamed].clone();
            v.name = name;
            if let Some(c) = callsign {
                v.callsign = c;
            }
            v.renamed += 1;
            v.next_static_ms = t;
        }
        // GNSS speed and course jitter from report to report (more on small craft).
        let jitter = if v.length_m < 50.0 { 2.0 } else { 1.0 };
        let reported = State {
            sog_kn: (state.sog_kn + 0.1 * jitter * self.rng.normal()).max(0.0),
            cog: state.cog + 0.3 * jitter * self.rng.normal(),
            ..state
        };
        let v = &mut self.vessels[i];
        let mut messages: Vec<Message> = vec![position_message(v, lat, lon, &reported, t)];
        if t >= v.next_static_ms {
            v.next_static_ms = t + 360_000;
            messages.extend(static_messages(v));
            self.stats.statics += 1;
        }
        self.stats.positions += 1;
        for &k in &heard {
            let name = self.receiver_name(k);
            for m in &messages {
                self.sequence = (self.sequence + 1) % 10;
                let framing = Framing {
                    channel: Some(if (t / 1000 + k as i64) % 2 == 0 { b'A' } else { b'B' }),
                    sequence_id: self.sequence,
                    tag_time_ms: Some(t),
                    tag_source: Some(&name),
                    tag_group_id: Some((t % 100_000) as u32 * 10 + self.sequence as u32),
                    ..Framing::default()
                };
                self.stats.lines += encode_sentences(m, &framing, out) as u64;
            }
        }
        Some(next)
    }
}

/// Milliseconds until satellite `k` sees (lat, lon), 0 when it does at `t`.
/// Polar orbits see high latitudes more often.
fn satellite_wait_ms(s: &Satellites, k: usize, lat: f64, lon: f64, t: i64) -> i64 {
    let passes = s.passes_per_day * (1.0 + 3.0 * (lat / 90.0).powi(2));
    let period = (86_400_000.0 / passes.max(0.1)) as i64;
    let phase = (((lon + 180.0) / 360.0 + k as f64 / s.count.max(1) as f64) * period as f64) as i64;
    let into = (t - phase).rem_euclid(period);
    let window = (s.window_min * 60_000.0) as i64;
    if into < window { 0 } else { period - into }
}

/// ITU-R M.1371-5 reporting intervals (Class A, table 1; Class B "CS", 30 s).
pub fn report_interval_ms(class_b: bool, sog_kn: f64, turning: bool) -> i64 {
    if class_b {
        return if sog_kn > 2.0 { 30_000 } else { 180_000 };
    }
    // (Three minutes applies at anchor or moored; simulated vessels under way
    // report as such even when drifting.)
    match sog_kn {
        s if s <= 14.0 => {
            if turning {
                3_333
            } else {
                10_000
            }
        }
        s if s <= 23.0 => {
            if turning {
                2_000
            } else {
                6_000
            }
        }
        _ => 2_000,
    }
}

fn background_vessel(class: ClassName, mmsi: u32, motion: Motion, rng: &mut Rng) -> SimVessel {
    let spec = class.spec();
    let length_m = rng.range(spec.length_m.0, spec.length_m.1).round();
    let with_imo = matches!(class, ClassName::Tanker | ClassName::Bulk | ClassName::Container | ClassName::Passenger);
    SimVessel {
        id: String::new(),
        mmsi,
        imo: if with_imo { imo_number(rng) } else { 0 },
        name: vessel_name(class, rng),
        callsign: callsign(rng),
        class,
        length_m,
        beam_m: (length_m * spec.beam_ratio).round(),
        class_b: rng.chance(spec.class_b_share),
        transmits: true,
        clone: false,
        motion,
        hint: 0,
        next_static_ms: 0,
        active: None,
        dark: Vec::new(),
        falsify: Vec::new(),
        renames: Vec::new(),
        renamed: 0,
        holds: Vec::new(),
    }
}

/// A valid 7-digit IMO number (the last digit checks the others).
fn imo_number(rng: &mut Rng) -> u32 {
    let body = 900_000 + rng.below(100_000) as u32;
    body * 10 + imo_check_digit(body)
}

fn imo_check_digit(body: u32) -> u32 {
    (0..6).map(|k| (body / 10u32.pow(5 - k)) % 10 * (7 - k)).sum::<u32>() % 10
}

/// Whether a 7-digit IMO number's check digit is right.
pub fn imo_is_valid(imo: u32) -> bool {
    (1_000_000..10_000_000).contains(&imo) && imo_check_digit(imo / 10) == imo % 10
}

fn callsign(rng: &mut Rng) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut s = String::new();
    for k in 0..5 {
        let n = if k < 2 { 26 } else { A.len() };
        s.push(A[rng.below(n)] as char);
    }
    s
}

/// A fishing trip: zig-zags at trawling speed within 15 km of a point 10 to
/// 40 km off a lane, kept at sea.
fn fishing_plan(path: &Path, start_ms: i64, end_ms: i64, land: &sealane_track::Land, rng: &mut Rng) -> Motion {
    let (centre, _, _) = path.at(rng.f64() * path.length_m(), 0);
    let mut base = centre.0;
    let mut base_lon = centre.1;
    for _ in 0..20 {
        let (lat, lon) = destination(centre.0, centre.1, rng.range(0.0, 360.0), rng.range(10_000.0, 40_000.0));
        if !land.contains(lat, lon) && land.shore_distance_capped_m(lat, lon, 3_000.0) >= 3_000.0 {
            (base, base_lon) = (lat, lon);
            break;
        }
    }
    let speed = rng.range(3.0, 5.0) * KN;
    let mut t = start_ms - rng.below(3_600_000) as i64;
    let mut at = (base, base_lon);
    let mut points = vec![(t, at.0, at.1)];
    while t < end_ms {
        let mut next = at;
        for _ in 0..10 {
            let (lat, lon) = destination(base, base_lon, rng.range(0.0, 360.0), rng.range(0.0, 15_000.0));
            if !land.contains(lat, lon) {
                next = (lat, lon);
                break;
            }
        }
        let d = distance_m(at.0, at.1, next.0, next.1).max(500.0);
        t += (d / speed * 1000.0) as i64;
        points.push((t, next.0, next.1));
        at = next;
    }
    Motion::Timed(points)
}

/// The holds of a scripted route as (from, to, lat, lon), from its timed plan.
fn holds_of(route: &[scenario::Waypoint], plan: &[(i64, f64, f64)]) -> Vec<(i64, i64, f64, f64)> {
    let mut out = Vec::new();
    let mut k = 0;
    for w in route {
        let arrive = plan[k];
        if w.hold_h.is_some_and(|h| h > 0.0) {
            let leave = plan[k + 1];
            out.push((arrive.0, leave.0, w.lat, w.lon));
            k += 2;
        } else {
            k += 1;
        }
    }
    out
}

fn to_minutes(deg: f64) -> i32 {
    (deg * 600_000.0).round() as i32
}

fn position_message(v: &SimVessel, lat: f64, lon: f64, s: &State, t: i64) -> Message {
    let speed = ((s.sog_kn * 10.0).round() as u16).min(1022);
    let course = ((s.cog.rem_euclid(360.0) * 10.0).round() as u16) % 3600;
    let heading = (s.cog.rem_euclid(360.0).round() as u16) % 360;
    let second = ((t / 1000) % 60) as u8;
    let mmsi = v.mmsi;
    if v.class_b {
        return Message::ClassBPosition(ClassBPosition {
            msg_type: 18,
            mmsi,
            speed,
            accuracy: true,
            lon: to_minutes(lon),
            lat: to_minutes(lat),
            course,
            heading,
            second,
            cs: true,
            display: false,
            dsc: true,
            band: true,
            msg22: true,
            radio: 0b1100000000000000110,
            ..ClassBPosition::default()
        });
    }
    let status = if v.class == ClassName::Fishing { 7 } else { 0 };
    Message::Position(PositionReport {
        msg_type: 1,
        mmsi,
        status,
        turn: if s.turning { 20 } else { 0 },
        speed,
        accuracy: false,
        lon: to_minutes(lon),
        lat: to_minutes(lat),
        course,
        heading,
        second,
        radio: 0x0800 | (second as u32),
        ..PositionReport::default()
    })
}

fn static_messages(v: &SimVessel) -> Vec<Message> {
    let spec = v.class.spec();
    let bow = (v.length_m * 0.6).round() as u16;
    let stern = (v.length_m - bow as f64).max(0.0).round() as u16;
    let port = ((v.beam_m / 2.0).round() as u8).min(63);
    if v.class_b {
        let header = Header { msg_type: 24, repeat: 0, mmsi: v.mmsi };
        return vec![
            Message::StaticDataReport(StaticDataReport {
                header,
                part: StaticDataPart::A { shipname: Text::from_ascii(&v.name) },
            }),
            Message::StaticDataReport(StaticDataReport {
                header,
                part: StaticDataPart::B {
                    shiptype: spec.shiptype,
                    vendor_id: Text::from_ascii("SLN"),
                    model: 1,
                    serial: v.mmsi % 1_000_000,
                    callsign: Text::from_ascii(&v.callsign),
                    dimensions: Dimensions::Ship {
                        to_bow: bow.min(511),
                        to_stern: stern.min(511),
                        to_port: port,
                        to_starboard: port,
                    },
                    epfd: 1,
                    spare: 0,
                },
            }),
        ];
    }
    vec![Message::StaticVoyage(StaticVoyage {
        msg_type: 5,
        mmsi: v.mmsi,
        ais_version: 2,
        imo: v.imo,
        callsign: Text::from_ascii(&v.callsign),
        shipname: Text::from_ascii(&v.name),
        shiptype: spec.shiptype,
        to_bow: bow.min(511),
        to_stern: stern.min(511),
        to_port: port,
        to_starboard: port,
        epfd: 1,
        hour: 24,
        minute: 60,
        draught: ((v.length_m / 25.0) * 10.0).round().min(255.0) as u8,
        destination: Text::from_ascii("BUSAN"),
        dte: false,
        ..StaticVoyage::default()
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_standard() {
        assert_eq!(report_interval_ms(false, 0.3, false), 10_000);
        assert_eq!(report_interval_ms(false, 12.0, false), 10_000);
        assert_eq!(report_interval_ms(false, 12.0, true), 3_333);
        assert_eq!(report_interval_ms(false, 18.0, false), 6_000);
        assert_eq!(report_interval_ms(false, 18.0, true), 2_000);
        assert_eq!(report_interval_ms(false, 25.0, false), 2_000);
        assert_eq!(report_interval_ms(true, 8.0, false), 30_000);
        assert_eq!(report_interval_ms(true, 1.0, false), 180_000);
    }

    #[test]
    fn imo_numbers_check() {
        let mut rng = Rng::new(3, 3);
        for _ in 0..100 {
            let imo = imo_number(&mut rng);
            let d: Vec<u32> = imo.to_string().bytes().map(|b| (b - b'0') as u32).collect();
            assert_eq!(d.len(), 7);
            assert_eq!((0..6).map(|k| d[k] * (7 - k as u32)).sum::<u32>() % 10, d[6]);
            assert!(imo_is_valid(imo));
            assert!(!imo_is_valid(imo / 10 * 10 + (imo % 10 + 1) % 10));
        }
    }
}
