//! Hand-built tracks and a driver, shared by the detector tests.
#![allow(dead_code)]

use sealane_core::geo::{M_PER_DEG, NM};
use sealane_core::{Event, EventKind, Identity, Label, Origin, Position, TimeSource, VesselClass};
use sealane_detect::{Config, Detectors, Watchlist, Zones};

pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 3_600_000;
/// Mid North Pacific: hundreds of nautical miles from any shore or port.
pub const SEA: (f64, f64) = (25.0, -140.0);
pub const T0: i64 = 1_600_000_000_000;

pub fn pos(mmsi: u32, t: i64, lat: f64, lon: f64) -> Position {
    Position {
        mmsi,
        time_ms: t,
        time_source: TimeSource::Column,
        lat,
        lon,
        sog: None,
        cog: None,
        heading: None,
        nav_status: None,
        rot: None,
        accuracy: false,
        class: VesselClass::A,
        msg_type: 1,
    }
}

pub enum Obs {
    P(Position),
    I(Identity),
}

/// A vessel heading north at `kn` from `start` for `duration`, a fix every `every`.
pub fn track(mmsi: u32, t0: i64, start: (f64, f64), kn: f64, duration: i64, every: i64) -> Vec<Obs> {
    let deg_per_ms = kn * NM / 3_600_000.0 / M_PER_DEG;
    (0..=duration / every)
        .map(|i| {
            let t = t0 + i * every;
            Obs::P(pos(mmsi, t, start.0 + deg_per_ms * (t - t0) as f64, start.1))
        })
        .collect()
}

pub fn run_with(cfg: Config, zones: Zones, watchlist: Watchlist, mut obs: Vec<Obs>) -> Vec<Event> {
    let time = |o: &Obs| match o {
        Obs::P(p) => p.time_ms,
        Obs::I(i) => i.time_ms,
    };
    obs.sort_by_key(time);
    let mut d = Detectors::new(cfg, zones, watchlist, vec![Label::public_ais()]);
    let mut out = Vec::new();
    for (line, o) in obs.iter().enumerate() {
        let origin = Origin { source: 0, chunk: -1, index: 0, line: line as u64 + 1 };
        match o {
            Obs::P(p) => d.position(p, 0, origin, &mut out),
            Obs::I(i) => d.identity(i, 0, origin, &mut out),
        }
    }
    d.finish(&mut out);
    out
}

pub fn run(obs: Vec<Obs>) -> Vec<Event> {
    run_with(Config::default(), Zones::none(), Watchlist::none(), obs)
}

pub fn of(events: &[Event], kind: EventKind) -> Vec<&Event> {
    events.iter().filter(|e| e.kind == kind).collect()
}

pub fn detail<'a>(e: &'a Event, k: &str) -> &'a serde_json::Value {
    e.details.get(k).unwrap_or(&serde_json::Value::Null)
}
