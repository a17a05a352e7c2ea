//! Every detector at its thresholds (just below, at, just above), on
//! hand-built tracks in open water far from land and ports unless the test
//! is about land, shore or ports.

use sealane_core::geo::{M_PER_DEG, NM};
use sealane_core::{Event, EventKind, Identity, Label, Origin, Position};
use sealane_detect::{Config, Detectors, Watchlist, Zones};

mod common;
use common::*;

// ---------------------------------------------------------------- gaps

/// 13 h of fixes every 10 min, a silence of `gap`, then 1 h more; and a
/// neighbour a few km away reporting all along (the reception others get there).
fn gap_track(gap: i64, at: (f64, f64)) -> Vec<Obs> {
    let mut v = track(441_000_001, T0, at, 0.5, 13 * HOUR, 10 * MIN);
    let last = T0 + 13 * HOUR;
    v.extend(track(441_000_001, last + gap, (at.0 + 0.01, at.1), 0.5, HOUR, 10 * MIN));
    v.extend(track(441_000_002, T0 + 5 * MIN, (at.0, at.1 + 0.02), 0.1, 14 * HOUR + gap, 10 * MIN));
    v
}

#[test]
fn gap_raw_threshold_is_six_hours() {
    let below = run(gap_track(6 * HOUR - MIN, SEA));
    assert!(of(&below, EventKind::Gap).is_empty());
    let at = run(gap_track(6 * HOUR, SEA));
    let g: Vec<_> = of(&at, EventKind::Gap).into_iter().filter(|e| e.mmsi == [441_000_001]).collect();
    assert_eq!(g.len(), 1);
    assert_eq!(detail(g[0], "suspected_disabling"), false);
    assert_eq!(g[0].end_ms - g[0].start_ms, 6 * HOUR);
    assert_eq!(g[0].evidence.len(), 2);
}

#[test]
fn suspected_disabling_from_twelve_hours_far_from_shore_where_reception_is_good() {
    let below = run(gap_track(12 * HOUR - MIN, SEA));
    assert_eq!(detail(of(&below, EventKind::Gap)[0], "suspected_disabling"), false);
    let at = run(gap_track(12 * HOUR, SEA));
    let g = of(&at, EventKind::Gap)[0];
    assert_eq!(detail(g, "suspected_disabling"), true, "{:?}", g.details);
    assert!(g.confidence >= 0.6);
    // The same gap 10 nm off Busan is not (it starts within 50 nm of shore).
    let near = run(gap_track(12 * HOUR, (35.0, 129.3)));
    let g = of(&near, EventKind::Gap)[0];
    assert_eq!(detail(g, "suspected_disabling"), false, "{:?}", g.details);
    assert!(detail(g, "start_shore_distance_nm").as_f64().unwrap() < 50.0);
}

#[test]
fn a_lone_vessel_is_not_its_own_evidence_of_good_reception() {
    let mut v = track(441_000_001, T0, SEA, 0.5, 13 * HOUR, 10 * MIN);
    v.extend(track(441_000_001, T0 + 26 * HOUR, (SEA.0 + 0.01, SEA.1), 0.5, HOUR, 10 * MIN));
    let e = run(v);
    let g = of(&e, EventKind::Gap)[0];
    assert_eq!(detail(g, "suspected_disabling"), false, "{:?}", g.details);
    assert_eq!(detail(g, "reception_positions_per_day"), 0.0);
}

#[test]
fn disabling_needs_good_reception_and_a_vessel_that_reported_well() {
    // Reported only every 2 h before going silent: 7 positions in the 12 h window, not 14.
    let mut v = track(441_000_001, T0, SEA, 0.5, 12 * HOUR, 2 * HOUR);
    v.extend(track(441_000_001, T0 + 26 * HOUR, SEA, 0.5, HOUR, 10 * MIN));
    v.extend(track(441_000_002, T0 + 5 * MIN, (SEA.0, SEA.1 + 0.02), 0.1, 27 * HOUR, 10 * MIN));
    let g = run(v);
    let g = of(&g, EventKind::Gap).into_iter().find(|e| e.mmsi == [441_000_001]).unwrap();
    assert_eq!(detail(g, "suspected_disabling"), false, "{:?}", g.details);
    assert!(detail(g, "positions_before").as_u64().unwrap() < 14);
    assert!(detail(g, "reception_positions_per_day").as_f64().unwrap() > 10.0);
}

#[test]
fn a_vessel_silent_at_the_end_of_input_is_an_open_gap_only_when_it_qualifies() {
    let mut v = track(441_000_001, T0, SEA, 0.5, 13 * HOUR, 10 * MIN);
    // Another vessel, heard in the same waters all along, keeps the data time going 13 h more.
    v.extend(track(441_000_002, T0 + 5 * MIN, (SEA.0, SEA.1 + 0.02), 0.1, 26 * HOUR, 10 * MIN));
    let e = run(v);
    let g: Vec<_> = of(&e, EventKind::Gap).into_iter().filter(|e| e.mmsi == [441_000_001]).collect();
    assert_eq!(g.len(), 1);
    assert_eq!(detail(g[0], "open"), true);
}

// ---------------------------------------------------------------- encounters

/// Two vessels `sep_m` apart drifting north at `kn` for `duration`.
fn pair(sep_m: f64, kn: f64, duration: i64) -> Vec<Obs> {
    let mut v = track(441_000_010, T0, SEA, kn, duration, 2 * MIN);
    let east = sep_m / (M_PER_DEG * SEA.0.to_radians().cos());
    v.extend(track(441_000_011, T0 + 30_000, (SEA.0, SEA.1 + east), kn, duration, 2 * MIN));
    v
}

fn encounters(events: &[Event], profile: &str) -> Vec<Event> {
    of(events, EventKind::Encounter).into_iter().filter(|e| detail(e, "profile") == profile).cloned().collect()
}

#[test]
fn gfw_encounter_needs_two_hours_within_500_m() {
    // Slots every 10 min: the run spans from the first slot to the last one both are sampled in.
    let below = run(pair(400.0, 0.5, 2 * HOUR));
    assert!(encounters(&below, "gfw").is_empty(), "{:?}", encounters(&below, "gfw"));
    let at = run(pair(400.0, 0.5, 2 * HOUR + 10 * MIN));
    let e = encounters(&at, "gfw");
    assert_eq!(e.len(), 1, "{at:?}");
    assert_eq!(e[0].end_ms - e[0].start_ms, 2 * HOUR);
    assert_eq!(e[0].mmsi, vec![441_000_010, 441_000_011]);
    assert!((detail(&e[0], "mean_distance_m").as_f64().unwrap() - 400.0).abs() < 5.0);
    // 520 m apart: never close enough.
    assert!(encounters(&run(pair(520.0, 0.5, 4 * HOUR)), "gfw").is_empty());
}

#[test]
fn gfw_encounter_needs_median_speed_below_two_knots() {
    assert_eq!(encounters(&run(pair(300.0, 1.9, 3 * HOUR)), "gfw").len(), 1);
    assert!(encounters(&run(pair(300.0, 2.1, 3 * HOUR)), "gfw").is_empty());
}

#[test]
fn rendezvous_needs_more_than_thirty_minutes_within_250_m() {
    // 30 minutes of slots is not more than 30 minutes.
    let at = run(pair(200.0, 0.5, 40 * MIN));
    assert!(encounters(&at, "rendezvous").is_empty(), "{:?}", encounters(&at, "rendezvous"));
    let above = run(pair(200.0, 0.5, 50 * MIN));
    assert_eq!(encounters(&above, "rendezvous").len(), 1);
    assert!(encounters(&run(pair(260.0, 0.5, 2 * HOUR)), "rendezvous").is_empty());
}

#[test]
fn meetings_of_one_pair_less_than_four_hours_apart_merge() {
    let meet = |t0: i64| {
        let mut v = track(441_000_010, t0, SEA, 0.5, 3 * HOUR, 2 * MIN);
        v.extend(track(441_000_011, t0 + 30_000, (SEA.0, SEA.1 + 0.003), 0.5, 3 * HOUR, 2 * MIN));
        v
    };
    // Apart (about 5 km) between meetings, but still reporting.
    let apart = |t0: i64, gap: i64| {
        let mut v = track(441_000_010, t0, SEA, 0.5, gap, 10 * MIN);
        v.extend(track(441_000_011, t0 + 30_000, (SEA.0, SEA.1 + 0.05), 0.5, gap, 10 * MIN));
        v
    };
    for (gap, want) in [(3 * HOUR + 30 * MIN, 1), (5 * HOUR, 2)] {
        let mut v = meet(T0);
        v.extend(apart(T0 + 3 * HOUR + 5 * MIN, gap - 10 * MIN));
        v.extend(meet(T0 + 3 * HOUR + gap));
        let e = encounters(&run(v), "gfw");
        assert_eq!(e.len(), want, "gap {} min: {e:?}", gap / MIN);
    }
}

#[test]
fn a_fishing_gear_beacon_beside_its_vessel_is_not_an_encounter() {
    // 941203579: a net buoy's AIS beacon (no allocated MID), drifting with its vessel for hours.
    let mut v = track(441_000_010, T0, SEA, 0.5, 4 * HOUR, 2 * MIN);
    v.extend(track(941_203_579, T0 + 30_000, (SEA.0, SEA.1 + 0.002), 0.5, 4 * HOUR, 2 * MIN));
    assert!(of(&run(v), EventKind::Encounter).is_empty());
}

#[test]
fn no_encounter_next_to_a_port() {
    // Off Busan's breakwater: within 10 km of the port.
    let mut v = track(441_000_010, T0, (35.07, 129.08), 0.3, 4 * HOUR, 2 * MIN);
    v.extend(track(441_000_011, T0, (35.07, 129.082), 0.3, 4 * HOUR, 2 * MIN));
    assert!(of(&run(v), EventKind::Encounter).is_empty());
}

// ---------------------------------------------------------------- loitering

#[test]
fn loitering_is_two_hours_or_more_below_two_knots_far_from_shore() {
    assert!(of(&run(track(441_000_001, T0, SEA, 1.5, 2 * HOUR - 5 * MIN, 5 * MIN)), EventKind::Loitering).is_empty());
    let at = run(track(441_000_001, T0, SEA, 1.5, 2 * HOUR, 5 * MIN));
    let l = of(&at, EventKind::Loitering);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].end_ms - l[0].start_ms, 2 * HOUR);
    assert!((detail(l[0], "average_speed_kn").as_f64().unwrap() - 1.5).abs() < 0.05);
    assert_eq!(of(&run(track(441_000_001, T0, SEA, 1.9, 3 * HOUR, 5 * MIN)), EventKind::Loitering).len(), 1);
    assert!(of(&run(track(441_000_001, T0, SEA, 2.1, 3 * HOUR, 5 * MIN)), EventKind::Loitering).is_empty());
    // 10 nm off Busan: too close to shore.
    assert!(of(&run(track(441_000_001, T0, (35.0, 129.3), 0.5, 3 * HOUR, 5 * MIN)), EventKind::Loitering).is_empty());
}

#[test]
fn carriers_loiter_from_four_hours() {
    let carrier = |hours: i64| {
        let mut v = track(441_000_007, T0, SEA, 1.0, hours * HOUR, 10 * MIN);
        v.push(Obs::I(Identity { mmsi: 441_000_007, time_ms: T0 - MIN, shiptype: Some(79), ..Identity::default() }));
        of(&run(v), EventKind::Loitering).len()
    };
    assert_eq!(carrier(3), 0);
    assert_eq!(carrier(4), 1);
}

#[test]
fn a_fast_hour_ends_a_loitering_run() {
    let mut v = track(441_000_001, T0, SEA, 1.0, 2 * HOUR, 5 * MIN);
    let (lat, _) = (SEA.0 + 2.0 * NM / M_PER_DEG, 0.0);
    v.extend(track(441_000_001, T0 + 2 * HOUR + 5 * MIN, (lat, SEA.1), 12.0, 2 * HOUR, 5 * MIN));
    v.extend(track(
        441_000_001,
        T0 + 4 * HOUR + 10 * MIN,
        (lat + 24.0 * NM / M_PER_DEG, SEA.1),
        1.0,
        2 * HOUR,
        5 * MIN,
    ));
    assert_eq!(of(&run(v), EventKind::Loitering).len(), 2);
}

// ---------------------------------------------------------------- zones

fn square_zone() -> Zones {
    let mut z = Zones::none();
    let g = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Box","kind":"test"},
        "geometry":{"type":"Polygon","coordinates":[[[-140.5,25.5],[-139.5,25.5],[-139.5,26.5],[-140.5,26.5],[-140.5,25.5]]]}}]}"#;
    z.add_geojson(g.as_bytes(), "box.geojson").unwrap();
    z
}

#[test]
fn zone_entry_exit_and_dwell() {
    // Northbound at 12 kn from 25.0 N: enters at 25.5 N (2.5 h), leaves at 26.5 N (7.5 h).
    let e = run_with(
        Config::default(),
        square_zone(),
        Watchlist::none(),
        track(441_000_001, T0, SEA, 12.0, 9 * HOUR, 5 * MIN),
    );
    let entry = of(&e, EventKind::ZoneEntry);
    let exit = of(&e, EventKind::ZoneExit);
    let dwell = of(&e, EventKind::ZoneDwell);
    assert_eq!((entry.len(), exit.len(), dwell.len()), (1, 1, 1), "{e:?}");
    assert_eq!(detail(entry[0], "zone"), "Box");
    assert!((entry[0].start_ms - (T0 + 150 * MIN)).abs() <= 5 * MIN);
    assert!((exit[0].start_ms - (T0 + 450 * MIN)).abs() <= 5 * MIN);
    assert!((detail(dwell[0], "duration_h").as_f64().unwrap() - 5.0).abs() < 0.1);
    // A short stay: entry and exit, no dwell. Eastbound across the corner at 30 kn.
    let short = track(441_000_002, T0, (26.45, -140.0), 60.0, 2 * HOUR, 2 * MIN);
    let e = run_with(Config::default(), square_zone(), Watchlist::none(), short);
    assert_eq!(of(&e, EventKind::ZoneDwell).len(), 0, "{e:?}");
    assert_eq!(of(&e, EventKind::ZoneExit).len(), 1);
}

#[test]
fn a_vessel_first_seen_inside_did_not_enter() {
    let e = run_with(
        Config::default(),
        square_zone(),
        Watchlist::none(),
        track(441_000_001, T0, (26.0, -140.0), 0.5, 2 * HOUR, 10 * MIN),
    );
    assert!(of(&e, EventKind::ZoneEntry).is_empty());
    let dwell = of(&e, EventKind::ZoneDwell);
    assert_eq!(dwell.len(), 1);
    assert_eq!(detail(dwell[0], "entered"), false);
    assert_eq!(detail(dwell[0], "open"), true);
}

#[test]
fn the_default_zones_include_north_korea_and_the_straits() {
    let z = Zones::defaults();
    let names: Vec<&str> = z.iter().map(|z| z.name.as_str()).collect();
    for want in ["North Korea claimed EEZ (East Sea)", "Korea Strait", "Taiwan Strait", "Strait of Malacca"] {
        assert!(names.contains(&want), "{names:?}");
    }
    assert!(z.iter().any(|z| z.kind.as_deref() == Some("piracy_risk")));
    let inside =
        |lat: f64, lon: f64| z.iter().filter(|z| z.contains(lat, lon)).map(|z| z.name.clone()).collect::<Vec<_>>();
    assert_eq!(inside(34.5, 129.0), vec!["Korea Strait"]);
    assert!(inside(40.0, 130.0).contains(&"North Korea claimed EEZ (East Sea)".to_string()));
    assert_eq!(inside(24.5, 119.5), vec!["Taiwan Strait"]);
    assert!(inside(25.0, -140.0).is_empty());
}

// ---------------------------------------------------------------- spoofing

fn spoofing(events: &[Event], kind: &str) -> Vec<Event> {
    of(events, EventKind::Spoofing).into_iter().filter(|e| detail(e, "kind") == kind).cloned().collect()
}

#[test]
fn impossible_speed_is_above_the_class_limit_and_beyond_gps_noise() {
    // A jump of 10 nm in 12 min is 50 kn, the class A limit.
    let jump = |nm: f64, minutes: i64| {
        vec![
            Obs::P(pos(441_000_001, T0, SEA.0, SEA.1)),
            Obs::P(pos(441_000_001, T0 + minutes * MIN, SEA.0 + nm * NM / M_PER_DEG, SEA.1)),
        ]
    };
    assert!(spoofing(&run(jump(9.9, 12)), "impossible_speed").is_empty());
    assert!(spoofing(&run(jump(9.999, 12)), "impossible_speed").is_empty());
    assert_eq!(spoofing(&run(jump(10.1, 12)), "impossible_speed").len(), 1);
    // 1.5 km in a second is absurd, but jumps under `min_jump_m` (2 km) are left to GPS noise.
    let tiny = vec![
        Obs::P(pos(441_000_001, T0, SEA.0, SEA.1)),
        Obs::P(pos(441_000_001, T0 + 1000, SEA.0 + 1500.0 / M_PER_DEG, SEA.1)),
    ];
    assert!(spoofing(&run(tiny), "impossible_speed").is_empty());
}

#[test]
fn one_mmsi_in_two_places_alternating() {
    let mut v = Vec::new();
    for i in 0..8 {
        let (lat, lon) = if i % 2 == 0 { SEA } else { (SEA.0 + 1.0, SEA.1) };
        v.push(Obs::P(pos(441_000_005, T0 + i * MIN, lat + i as f64 * 1e-5, lon)));
    }
    let e = run(v);
    let two = spoofing(&e, "two_places");
    assert_eq!(two.len(), 1, "{e:?}");
    assert!(detail(&two[0], "separation_nm").as_f64().unwrap() > 55.0);
    // The first jump is reported as impossible speed; the returns are alternations, not more jumps.
    assert_eq!(spoofing(&e, "impossible_speed").len(), 1);
}

#[test]
fn positions_deep_inland_are_on_land() {
    // The Sahara, far from any coast or port, for an hour.
    let v = track(441_000_009, T0, (23.0, 12.0), 5.0, HOUR, 5 * MIN);
    let e = spoofing(&run(v), "on_land");
    assert_eq!(e.len(), 1);
    assert_eq!(detail(&e[0], "fixes"), 13);
    // A vessel at sea is not.
    assert!(spoofing(&run(track(441_000_009, T0, SEA, 5.0, HOUR, 5 * MIN)), "on_land").is_empty());
}

#[test]
fn an_inland_place_many_vessels_use_is_a_waterway() {
    // The Mississippi above St. Louis is land in Natural Earth and off the route network:
    // one vessel there is reported, three different ones make it a waterway.
    let barge =
        |m: u32| track(441_000_020 + m, T0 + m as i64 * MIN, (38.9, -90.18 + m as f64 * 0.002), 5.0, HOUR, 5 * MIN);
    assert_eq!(spoofing(&run(barge(0)), "on_land").len(), 1);
    let mut v = Vec::new();
    for m in 0..3u32 {
        v.extend(barge(m));
    }
    assert!(spoofing(&run(v), "on_land").is_empty());
}

#[test]
fn the_great_lakes_are_water_by_the_route_network() {
    // Lake Michigan is land in Natural Earth's land polygons; the route network crosses it.
    assert!(spoofing(&run(track(441_000_030, T0, (44.0, -87.0), 12.0, 3 * HOUR, 5 * MIN)), "on_land").is_empty());
}

// ---------------------------------------------------------------- identity

fn ident(mmsi: u32, t: i64, name: Option<&str>, callsign: Option<&str>, imo: Option<u32>) -> Obs {
    Obs::I(Identity {
        mmsi,
        time_ms: t,
        name: name.map(str::to_string),
        callsign: callsign.map(str::to_string),
        imo,
        ..Identity::default()
    })
}

#[test]
fn invalid_mmsi_and_imo() {
    let e = run(vec![
        Obs::P(pos(123_456_789, T0, SEA.0, SEA.1)),
        Obs::P(pos(100_123_456, T0, SEA.0, SEA.1)),
        Obs::P(pos(440_123_456, T0, SEA.0, SEA.1)),
        ident(440_123_456, T0 + MIN, None, None, Some(9_074_627)),
        ident(440_123_457, T0 + MIN, None, None, Some(9_074_626)),
    ]);
    let inv = of(&e, EventKind::InvalidIdentity);
    let fields: Vec<(u32, &str)> = inv.iter().map(|e| (e.mmsi[0], detail(e, "field").as_str().unwrap())).collect();
    assert_eq!(fields, vec![(123_456_789, "mmsi"), (100_123_456, "mmsi"), (440_123_456, "imo")], "{inv:?}");
}

#[test]
fn identity_changes_are_reported_once_each() {
    let e = run(vec![
        ident(440_123_456, T0, Some("SEA STAR"), Some("DSQR7"), Some(9_074_626)),
        ident(440_123_456, T0 + MIN, Some("SEA STAR"), None, None),
        ident(440_123_456, T0 + 2 * MIN, Some("HAN RYONG"), Some("DSQR7"), None),
        // The same ship (IMO) under a Sierra Leone MMSI: a flag change.
        ident(667_001_234, T0 + HOUR, Some("HAN RYONG"), Some("9LX77"), Some(9_074_626)),
    ]);
    let ch = of(&e, EventKind::IdentityChange);
    let summary: Vec<(String, String)> =
        ch.iter().map(|e| (detail(e, "field").as_str().unwrap().to_string(), detail(e, "to").to_string())).collect();
    assert_eq!(summary, vec![("name".into(), "\"HAN RYONG\"".into()), ("flag".into(), "667001234".into())]);
    assert_eq!(ch[1].mmsi, vec![440_123_456, 667_001_234]);
    assert_eq!(detail(ch[1], "to_flag"), "Sierra Leone");
}

// ---------------------------------------------------------------- watchlists

#[test]
fn watchlist_hits_on_mmsi_imo_and_name_with_call_sign() {
    let mut w = Watchlist::none();
    w.add_csv(
        "imo,mmsi,name,callsign,list,reason\n,441000001,,,test,by mmsi\n9074626,,,,test,by imo\n,,Chon Ma San,HMYN,test,by name\n",
        "w.csv",
    )
    .unwrap();
    let e = run_with(
        Config::default(),
        Zones::none(),
        w,
        vec![
            Obs::P(pos(441_000_001, T0, SEA.0, SEA.1)),
            Obs::P(pos(441_000_001, T0 + MIN, SEA.0, SEA.1)),
            ident(441_000_002, T0, None, None, Some(9_074_626)),
            ident(441_000_003, T0, Some("CHON MA SAN"), Some("HMYN"), None),
            ident(441_000_003, T0 + MIN, Some("CHON MA SAN"), Some("HMYN"), None),
            ident(441_000_004, T0, Some("CHON MA SAN"), Some("XXXX"), None),
        ],
    );
    let hits: Vec<(u32, String)> = of(&e, EventKind::WatchlistHit)
        .iter()
        .map(|e| (e.mmsi[0], detail(e, "matched_on").as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        hits,
        vec![(441_000_001, "mmsi".into()), (441_000_002, "imo".into()), (441_000_003, "name_callsign".into())]
    );
}

// ---------------------------------------------------------------- labels

#[test]
fn an_event_carries_the_combination_of_its_evidence_labels() {
    let kor = Label::parse(
        r#"{"originator":{"nation":"KOR","agency":"KCG"},"classification":"CONFIDENTIAL","rel_to":["KOR","CAN"],"tlp":"AMBER"}"#,
    )
    .unwrap();
    let can = Label::parse(
        r#"{"originator":{"nation":"CAN","agency":"DND"},"classification":"RESTRICTED","rel_to":["FVEY","KOR"],"tlp":"GREEN"}"#,
    )
    .unwrap();
    let mut d = Detectors::new(Config::default(), Zones::none(), Watchlist::none(), vec![kor, can]);
    let mut out = Vec::new();
    let mut obs: Vec<(Position, u16)> = Vec::new();
    for o in track(441_000_010, T0, SEA, 0.5, 3 * HOUR, 2 * MIN) {
        if let Obs::P(p) = o {
            obs.push((p, 0));
        }
    }
    for o in track(441_000_011, T0 + 30_000, (SEA.0, SEA.1 + 0.003), 0.5, 3 * HOUR, 2 * MIN) {
        if let Obs::P(p) = o {
            obs.push((p, 1));
        }
    }
    obs.sort_by_key(|(p, _)| p.time_ms);
    for (p, l) in &obs {
        d.position(p, *l, Origin::default(), &mut out);
    }
    d.finish(&mut out);
    let e = of(&out, EventKind::Encounter);
    assert!(!e.is_empty());
    for e in e {
        assert_eq!(e.label.classification, "CONFIDENTIAL");
        assert_eq!(e.label.rel_to, vec!["CAN", "KOR"]);
        assert_eq!(e.label.tlp, sealane_core::label::Tlp::Amber);
    }
}
