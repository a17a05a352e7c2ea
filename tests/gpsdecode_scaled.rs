//! Scaled output (`sealane decode`, like `gpsdecode -j`) against the real
//! `gpsdecode` from Debian's gpsd-clients, run live on every corpus group
//! whose unscaled decode already matches gpsd 3.22. This checks what the
//! unscaled corpus cannot: the printf-style scaling and rounding of every
//! float. Skipped, with a message, when `gpsdecode` is not installed
//! (`.ci/run` installs it).

use std::io::Write;
use std::process::{Command, Stdio};

use sealane::gpsd::GpsdWriter;
use sealane_ais::Decoder;
use serde_json::{Map, Value};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/expected.jsonl");

/// Legends gpsd renamed after 3.22 (we follow current gpsd); see conformance.rs.
const RENAMED: &[&str] = &["Restricted manoeuverability", "Reserved", "INVALID EPFD"];

/// Deliberate differences, with reasons (the unscaled ones are in
/// tests/conformance/known_differences.md).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "82c2925f4b8c",
        "waterlevel",
        "gpsd subtracts the 8/1/31 water level offset in unsigned arithmetic, so levels below 0 m wrap to 42949672.9",
    ),
    ("9a74e8bff29c", "waterlevel", "same unsigned wrap in gpsd"),
    ("6c6d6f424622", "offset3", "gpsd reads the padding of a 104-bit type 20 as a third reservation"),
];

fn ours(lines: &[String]) -> Vec<Map<String, Value>> {
    let mut d = Decoder::default();
    let mut w = GpsdWriter::new(true);
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Ok(Some(m)) = d.feed(l.as_bytes()) {
            w.write(m, i as u64 + 1, &mut out);
        }
    }
    out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).filter_map(|l| serde_json::from_slice(l).ok()).collect()
}

fn gpsdecode(sentences: &[String]) -> Vec<Map<String, Value>> {
    let mut child = Command::new("gpsdecode")
        .arg("-j")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gpsdecode runs");
    child.stdin.take().unwrap().write_all((sentences.join("\n") + "\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

#[test]
fn scaled_values_match_gpsdecode() {
    if Command::new("gpsdecode").arg("-V").output().is_err() {
        eprintln!("SKIPPED: gpsdecode (Debian gpsd-clients) is not installed");
        return;
    }
    let text = std::fs::read_to_string(CORPUS).unwrap();
    let groups: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Only groups gpsd 3.22 decodes, in two halves on the machine's two cores.
    let work: Vec<&Value> = groups
        .iter()
        .filter(|g| {
            g["gpsdecode_3_22_unscaled"].as_array().is_some_and(|a| !a.is_empty())
                && g["gpsd_vs_pyais_diff_fields"].as_array().is_some_and(|a| a.is_empty())
        })
        .collect();
    let half = work.len() / 2;
    let (a, b) = work.split_at(half);
    let check = |part: &[&Value]| -> (usize, Vec<String>) {
        let mut compared = 0;
        let mut bad = Vec::new();
        for g in part {
            let lines: Vec<String> =
                g["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
            let sentences: Vec<String> =
                g["sentences"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
            let theirs = gpsdecode(&sentences);
            let mine = ours(&lines);
            for t in &theirs {
                let Some(m) = mine.iter().find(|m| {
                    m.get("type") == t.get("type") && m.get("mmsi") == t.get("mmsi") && m.get("part") == t.get("part")
                }) else {
                    bad.push(format!("{} type {}: not decoded", g["id"], t["type"]));
                    continue;
                };
                compared += 1;
                for (k, v) in t {
                    let o = m.get(k).unwrap_or(&Value::Null);
                    let same = match (o, v) {
                        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
                        _ => o == v,
                    };
                    // Known, listed differences: newer legends and the type 26 radio field.
                    let renamed = k.ends_with("_text") && v.as_str().is_some_and(|s| RENAMED.contains(&s));
                    let radio26 = k == "radio" && t["type"] == 26;
                    let known = KNOWN.iter().any(|(id, f, _)| g["id"] == *id && k == f);
                    if !same && !renamed && !radio26 && !known && k != "device" {
                        bad.push(format!("{} type {} {k}: ours {o} gpsdecode {v}", g["id"], t["type"]));
                    }
                }
            }
        }
        (compared, bad)
    };
    let (r1, r2) = std::thread::scope(|s| {
        let h = s.spawn(|| check(a));
        let r2 = check(b);
        (h.join().unwrap(), r2)
    });
    let compared = r1.0 + r2.0;
    let bad: Vec<String> = r1.1.into_iter().chain(r2.1).collect();
    eprintln!("compared {compared} scaled messages with gpsdecode -j; {} differences", bad.len());
    assert!(compared > 3000, "too few messages compared: {compared}");
    assert!(bad.is_empty(), "scaled output differs from gpsdecode -j:\n{}", bad.join("\n"));
}
