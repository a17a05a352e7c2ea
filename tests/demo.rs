//! `sealane demo` end to end: the simulator serves a scenario over a real TCP
//! socket, the live pipeline stores and detects, and the events are scored
//! against the ground truth. Also: `simulate` + `detect` + `eval` in batch
//! agree with the live run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use sealane::demo::{self, DemoConfig};
use sealane::eval::{self, EvalConfig};
use sealane::simulate::{self, SimulateConfig};
use sealane_store::Store;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealane-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn live_demo_over_tcp_finds_the_injected_behaviour() {
    let dir = temp("live");
    let scenario = simulate::load_scenario("yellow-sea-sts").unwrap();
    let cfg = DemoConfig {
        scenario: scenario.clone(),
        speed: 20_000.0,
        feed: "127.0.0.1:0".into(),
        dir: dir.clone(),
        listen: Some("127.0.0.1:0".into()),
        stay: false,
    };
    let mut out = Vec::new();
    let summary = demo::run(cfg, &mut out, &mut Vec::new(), Arc::new(AtomicBool::new(false))).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("encounter"), "{text}");
    // What the watch officer sees is marked.
    assert!(text.contains("UNCLASSIFIED"), "{text}");
    let s = &summary.scores;
    assert_eq!(s["encounter"].recall(), Some(1.0), "{text}");
    assert_eq!(s["encounter"].precision(), Some(1.0), "{text}");
    assert_eq!(s["loitering"].recall(), Some(1.0), "{text}");
    // The SAR pass finds the transfer's dark partner (fusion against the stored AIS).
    assert_eq!(s["dark_vessel"].recall(), Some(1.0), "{text}");
    assert!(text.contains("SAR: "), "{text}");
    if let Some(w) = s.get("watchlist_hit") {
        assert_eq!(w.recall(), Some(1.0), "{text}");
    }
    assert!(s["gap"].precision().unwrap() >= 0.9 && s["gap"].recall().unwrap() >= 0.9, "{text}");

    // The store holds the positions, identities and events of the live run.
    let store = Store::open_read_only(dir.join("sealane.sqlite")).unwrap();
    let stats = store.stats().unwrap();
    assert!(stats.positions > 50_000, "{stats:?}");
    assert!(store.latest(None).unwrap().len() >= 60);
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), summary.events);

    // The feed that went over TCP is exactly what `simulate` writes at once,
    // and batch detection over it scores the same.
    let batch = temp("batch");
    let sim_cfg = SimulateConfig {
        nmea: Some(batch.join("feed.nmea")),
        truth: Some(batch.join("truth.jsonl")),
        ..SimulateConfig::default()
    };
    simulate::run(scenario, &sim_cfg, &mut Vec::new(), Arc::new(AtomicBool::new(false))).unwrap();
    let live_feed = std::fs::read(dir.join("feed.nmea")).unwrap();
    assert!(live_feed == std::fs::read(batch.join("feed.nmea")).unwrap(), "live and batch feeds differ");
    let truth_live = std::fs::read_to_string(dir.join("truth.jsonl")).unwrap();
    let truth_batch = std::fs::read_to_string(batch.join("truth.jsonl")).unwrap();
    assert_eq!(truth_live, truth_batch);
    let again = eval::run(&batch.join("truth.jsonl"), &dir.join("events.jsonl"), &EvalConfig::default()).unwrap();
    assert_eq!(&again, s);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&batch);
}
