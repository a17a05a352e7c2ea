//! `sealane eval`: detected events against ground truth, per event type.
//!
//! The matching rule: a detected event matches a true event when
//! - their `type`s are equal;
//! - they share an MMSI, or, when the true event has none (a vessel without
//!   AIS), the detected event lies within `radius_m` of it;
//! - their time intervals, the true one widened by `tolerance` on each side,
//!   overlap;
//! - for zone events, `details.zone` names the same zone.
//!
//! Recall is the share of true events matched by at least one detected event;
//! precision is the share of detected events that match at least one true
//! event (so a detector that reports one episode in two parts is not
//! punished twice). Timing errors are, for each matched true event, the
//! start and end differences to its closest match.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use sealane_core::geo::distance_m;
use sealane_core::time::parse_time;
use serde_json::Value;

/// Matching settings.
#[derive(Debug, Clone, Copy)]
pub struct EvalConfig {
    /// Time tolerance, ms.
    pub tolerance_ms: i64,
    /// Distance for events without an MMSI, metres.
    pub radius_m: f64,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig { tolerance_ms: 30 * 60_000, radius_m: 2_000.0 }
    }
}

/// An event reduced to what matching needs.
#[derive(Debug, Clone)]
pub struct Item {
    kind: String,
    start: i64,
    end: i64,
    mmsi: Vec<u64>,
    lat: Option<f64>,
    lon: Option<f64>,
    zone: Option<String>,
}

impl Item {
    /// Reads one contract event; `place` names it in errors.
    pub fn from_json(v: &Value, place: &str) -> Result<Item> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).with_context(|| format!("{place}: no {k:?}"));
        let time = |k: &str| -> Result<i64> { parse_time(s(k)?).map_err(|e| anyhow::anyhow!("{place}: {k}: {e}")) };
        Ok(Item {
            kind: s("type")?.to_string(),
            start: time("start")?,
            end: time("end")?,
            mmsi: v
                .get("mmsi")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default(),
            lat: v.get("lat").and_then(Value::as_f64),
            lon: v.get("lon").and_then(Value::as_f64),
            zone: v.pointer("/details/zone").and_then(Value::as_str).map(str::to_string),
        })
    }

    fn matches(&self, d: &Item, cfg: &EvalConfig) -> bool {
        if self.kind != d.kind {
            return false;
        }
        let who = if self.mmsi.is_empty() {
            match (self.lat, self.lon, d.lat, d.lon) {
                (Some(a), Some(b), Some(c), Some(e)) => distance_m(a, b, c, e) <= cfg.radius_m,
                _ => false,
            }
        } else {
            self.mmsi.iter().any(|m| d.mmsi.contains(m))
        };
        let when = d.start <= self.end + cfg.tolerance_ms && d.end >= self.start - cfg.tolerance_ms;
        let zone = match (&self.zone, &d.zone) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        who && when && zone
    }
}

/// Reads a JSON lines file of events.
pub fn read_events(path: &Path) -> Result<Vec<Item>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{}:{}", path.display(), n + 1);
        let v: Value = serde_json::from_str(&line).with_context(|| format!("{place}: not JSON"))?;
        out.push(Item::from_json(&v, &place)?);
    }
    Ok(out)
}

/// Scores of one event type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// True events.
    pub truth: usize,
    /// Detected events.
    pub detected: usize,
    /// True events matched.
    pub found: usize,
    /// Detected events that match a true one.
    pub correct: usize,
    /// |start difference| of each found true event to its closest match, minutes.
    pub start_err_min: Vec<f64>,
    /// |end difference|, minutes.
    pub end_err_min: Vec<f64>,
}

impl Score {
    /// Precision (None without detections).
    pub fn precision(&self) -> Option<f64> {
        (self.detected > 0).then(|| self.correct as f64 / self.detected as f64)
    }
    /// Recall (None without truth).
    pub fn recall(&self) -> Option<f64> {
        (self.truth > 0).then(|| self.found as f64 / self.truth as f64)
    }
}

/// Scores per event type.
pub fn evaluate(truth: &[Item], detected: &[Item], cfg: &EvalConfig) -> BTreeMap<String, Score> {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for t in truth {
        let s = scores.entry(t.kind.clone()).or_default();
        s.truth += 1;
        let best = detected.iter().filter(|d| t.matches(d, cfg)).min_by_key(|d| (d.start - t.start).abs());
        if let Some(d) = best {
            s.found += 1;
            s.start_err_min.push((d.start - t.start).abs() as f64 / 60_000.0);
            s.end_err_min.push((d.end - t.end).abs() as f64 / 60_000.0);
        }
    }
    for d in detected {
        let s = scores.entry(d.kind.clone()).or_default();
        s.detected += 1;
        if truth.iter().any(|t| t.matches(d, cfg)) {
            s.correct += 1;
        }
    }
    scores
}

fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Writes the score table.
pub fn write_table(out: &mut dyn Write, scores: &BTreeMap<String, Score>) -> Result<()> {
    let f = |x: Option<f64>, p: usize| x.map_or("-".to_string(), |x| format!("{x:.p$}"));
    writeln!(
        out,
        "{:<16} {:>6} {:>8} {:>6} {:>8} {:>9} {:>6} {:>14} {:>12}",
        "type", "truth", "detected", "found", "correct", "precision", "recall", "start err min", "end err min"
    )?;
    for (k, s) in scores {
        writeln!(
            out,
            "{:<16} {:>6} {:>8} {:>6} {:>8} {:>9} {:>6} {:>14} {:>12}",
            k,
            s.truth,
            s.detected,
            s.found,
            s.correct,
            f(s.precision(), 2),
            f(s.recall(), 2),
            f(median(&s.start_err_min), 1),
            f(median(&s.end_err_min), 1)
        )?;
    }
    Ok(())
}

/// The scores as one JSON object per type.
pub fn to_json(scores: &BTreeMap<String, Score>) -> Value {
    let obj = scores
        .iter()
        .map(|(k, s)| {
            (
                k.clone(),
                serde_json::json!({
                    "truth": s.truth, "detected": s.detected, "found": s.found, "correct": s.correct,
                    "precision": s.precision(), "recall": s.recall(),
                    "median_start_error_min": median(&s.start_err_min),
                    "median_end_error_min": median(&s.end_err_min),
                }),
            )
        })
        .collect();
    Value::Object(obj)
}

/// Reads both files and scores them.
pub fn run(truth: &Path, events: &Path, cfg: &EvalConfig) -> Result<BTreeMap<String, Score>> {
    let t = read_events(truth)?;
    let d = read_events(events)?;
    if t.is_empty() {
        bail!("{}: no true events", truth.display());
    }
    Ok(evaluate(&t, &d, cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, start_min: i64, end_min: i64, mmsi: &[u64], zone: Option<&str>) -> Item {
        Item {
            kind: kind.into(),
            start: start_min * 60_000,
            end: end_min * 60_000,
            mmsi: mmsi.to_vec(),
            lat: Some(0.0),
            lon: Some(0.0),
            zone: zone.map(str::to_string),
        }
    }

    #[test]
    fn matching_rule() {
        let cfg = EvalConfig::default();
        let t = vec![
            item("encounter", 100, 300, &[1, 2], None),
            item("zone_entry", 50, 50, &[3], Some("A")),
            item("gap", 0, 600, &[4], None),
        ];
        let d = vec![
            item("encounter", 120, 310, &[2, 1], None),  // found, 20 min late
            item("encounter", 400, 500, &[1, 2], None),  // 100 min after: beyond the 30 min tolerance
            item("zone_entry", 51, 51, &[3], Some("B")), // wrong zone
            item("loitering", 0, 10, &[9], None),        // nothing true
        ];
        let s = evaluate(&t, &d, &cfg);
        assert_eq!(s["encounter"].found, 1);
        assert_eq!(s["encounter"].correct, 1);
        assert_eq!(s["encounter"].detected, 2);
        assert_eq!(s["encounter"].start_err_min, vec![20.0]);
        assert_eq!(s["zone_entry"].found, 0);
        assert_eq!(s["gap"].recall(), Some(0.0));
        assert_eq!(s["loitering"].precision(), Some(0.0));
        assert_eq!(s["loitering"].recall(), None);
    }
}
