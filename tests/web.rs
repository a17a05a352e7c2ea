//! The web app end to end in Debian's Chromium, driven by Playwright
//! (`web/e2e/run.mjs`): a simulated scenario with an injected ship-to-ship
//! encounter is served by `sealane serve`; the page loads, vessels appear,
//! clicking a vessel opens its dossier, the encounter is in the event list
//! and on the map. Screenshots are kept in `target/e2e-artefacts/`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

#[test]
fn the_operating_picture_loads_and_shows_the_injected_encounter() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let node_ok = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node_ok || !Path::new(&chromium).exists() || !repo.join("web/node_modules/playwright-core").exists() {
        eprintln!("skipping: needs node, {chromium} (Debian chromium) and `npm ci` in web/ (as .ci/run does)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("sealane-web-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let nmea = dir.join("feed.nmea");
    let det = dir.join("detections.csv");
    ok(&["simulate", "yellow-sea-sts", "--nmea", nmea.to_str().unwrap(), "--detections", det.to_str().unwrap()], None);
    let store = dir.join("s.sqlite");
    let mut child = Command::new(bin())
        .args(["serve", "--store", store.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .args(["--detections", det.to_str().unwrap(), nmea.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut addr = String::new();
    let mut line = String::new();
    // Wait until the feed has been read through the pipeline into the store.
    while err.read_line(&mut line).unwrap() > 0 {
        if let Some(a) = line.split("http://").nth(1) {
            addr = a.split_whitespace().next().unwrap().to_string();
        }
        if line.contains("inputs ended") {
            break;
        }
        line.clear();
    }
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    let artefacts = repo.join("target/e2e-artefacts");
    let o = Command::new("node")
        .current_dir(repo.join("web"))
        .args(["e2e/run.mjs", &format!("http://{addr}/"), artefacts.to_str().unwrap(), "encounter"])
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let _ = child.wait();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(out.trim().lines().last().unwrap()).unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["vessels"].as_u64().unwrap() > 10, "{v}");
    eprintln!("web e2e: {v}; screenshots in {}", artefacts.display());
    let _ = std::fs::remove_dir_all(&dir);
}
