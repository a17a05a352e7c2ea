//! Properties of the detectors as a stream processor: arrival order within
//! the cleaner's reorder window changes no event. (Cutting the input into
//! two files run in order is tested on the command, in tests/detect.rs.)

mod common;
use common::*;

use proptest::prelude::*;
use sealane_core::geo::M_PER_DEG;
use sealane_core::{Event, Identity, Label, Observation, Origin};
use sealane_detect::{Config, Detectors, Watchlist, Zones};
use sealane_ingest::clean::{CleanOptions, Cleaner, Record};

/// A day with something for every detector: an encounter, a loiterer, a gap,
/// a spoofed jump, an identity change and a zone crossing.
fn scenario() -> Vec<Obs> {
    let mut v = Vec::new();
    v.extend(track(441_000_010, T0, SEA, 0.5, 3 * HOUR, 2 * MIN));
    v.extend(track(441_000_011, T0 + 30_000, (SEA.0, SEA.1 + 300.0 / (M_PER_DEG * 0.906)), 0.5, 3 * HOUR, 2 * MIN));
    v.extend(track(441_000_012, T0 + 7_000, (SEA.0 + 1.0, SEA.1), 1.2, 5 * HOUR, 5 * MIN));
    v.extend(track(441_000_013, T0 + 11_000, (SEA.0 - 1.0, SEA.1), 8.0, 2 * HOUR, 3 * MIN));
    v.extend(track(441_000_013, T0 + 9 * HOUR, (SEA.0 - 0.7, SEA.1), 8.0, 2 * HOUR, 3 * MIN));
    v.push(Obs::P(pos(441_000_014, T0 + 13_000, SEA.0, SEA.1 + 2.0)));
    v.push(Obs::P(pos(441_000_014, T0 + 73_000, SEA.0 + 1.0, SEA.1 + 2.0)));
    v.extend(track(441_000_015, T0 + 17_000, (25.3, -140.0), 12.0, 7 * HOUR, 4 * MIN));
    v.push(Obs::I(Identity {
        mmsi: 441_000_012,
        time_ms: T0 + 100_000,
        name: Some("ALPHA".into()),
        ..Identity::default()
    }));
    v.push(Obs::I(Identity {
        mmsi: 441_000_012,
        time_ms: T0 + HOUR,
        name: Some("BRAVO".into()),
        ..Identity::default()
    }));
    v
}

fn zones() -> Zones {
    let mut z = Zones::none();
    let g = r#"{"type":"Feature","properties":{"name":"Box"},"geometry":{"type":"Polygon",
        "coordinates":[[[-140.5,25.5],[-139.5,25.5],[-139.5,26.5],[-140.5,26.5],[-140.5,25.5]]]}}"#;
    z.add_geojson(g.as_bytes(), "box").unwrap();
    z
}

fn records(obs: Vec<Obs>) -> Vec<Record> {
    obs.into_iter()
        .enumerate()
        .map(|(i, o)| Record {
            obs: match o {
                Obs::P(p) => Observation::Position(p),
                Obs::I(i) => Observation::Identity(Box::new(i)),
            },
            key: i as u64,
            origin: Origin { source: 0, chunk: -1, index: 0, line: i as u64 + 1 },
        })
        .collect()
}

/// Records in arrival order through a cleaner into the detectors.
fn detect(arrivals: &[Record], window_ms: i64) -> Vec<Event> {
    let mut cleaner = Cleaner::new(CleanOptions { window_ms, duplicate_ms: 0 });
    let mut d = Detectors::new(Config::default(), zones(), Watchlist::none(), vec![Label::public_ais()]);
    let mut released = Vec::new();
    let mut out = Vec::new();
    let feed = |d: &mut Detectors, released: &mut Vec<sealane_ingest::clean::Cleaned>, out: &mut Vec<Event>| {
        for c in released.drain(..) {
            match &c.record.obs {
                Observation::Position(p) => d.position(p, 0, c.record.origin, out),
                Observation::Identity(i) => d.identity(i, 0, c.record.origin, out),
            }
        }
    };
    for r in arrivals {
        cleaner.push(r.clone(), &mut released);
        feed(&mut d, &mut released, &mut out);
    }
    cleaner.flush(&mut released);
    feed(&mut d, &mut released, &mut out);
    d.finish(&mut out);
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn time(r: &Record) -> i64 {
    r.obs.time_ms()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn arrival_order_within_the_window_changes_no_event(seed in any::<u64>()) {
        let window = 30_000;
        let mut recs = records(scenario());
        recs.sort_by_key(time);
        let reference = detect(&recs, window);
        prop_assert!(reference.len() >= 6, "the scenario raises events: {}", reference.len());
        // Each record arrives up to (just under) a window late.
        let mut s = seed | 1;
        let mut delayed: Vec<(i64, Record)> = recs
            .into_iter()
            .map(|r| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((time(&r) + (s % window as u64) as i64), r)
            })
            .collect();
        delayed.sort_by_key(|(a, _)| *a);
        let shuffled: Vec<Record> = delayed.into_iter().map(|(_, r)| r).collect();
        prop_assert_eq!(detect(&shuffled, window), reference);
    }
}

#[test]
fn the_scenario_raises_every_kind_it_was_built_for() {
    let mut recs = records(scenario());
    recs.sort_by_key(time);
    let events = detect(&recs, 30_000);
    let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| e.kind.name()).collect();
    for k in ["encounter", "loitering", "gap", "spoofing", "identity_change", "zone_entry", "zone_exit"] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
}
