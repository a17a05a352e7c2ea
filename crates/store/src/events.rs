//! Behaviour events in the store: written by `sealane detect`, read by the
//! server. Rewriting an event with the same id replaces it, so running the
//! detectors again over the same data is idempotent.

use rusqlite::params;
use sealane_core::{Event, EventKind, Evidence, Label, Origin};
use serde_json::{Value, json};

use crate::{Error, Result, Store};

/// Which events to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Events ending at or after this time, ms.
    pub from_ms: Option<i64>,
    /// Events starting at or before this time, ms.
    pub to_ms: Option<i64>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<EventKind>,
    /// Only events involving this vessel.
    pub mmsi: Option<u32>,
    /// At most this many (newest first when limited).
    pub limit: Option<usize>,
}

fn evidence_json(e: &[Evidence]) -> String {
    let v: Vec<Value> = e
        .iter()
        .map(|x| {
            json!({
                "mmsi": x.mmsi,
                "time_ms": x.time_ms,
                "lat": x.lat_lon.map(|p| p.0),
                "lon": x.lat_lon.map(|p| p.1),
                "source": x.origin.source,
                "chunk": x.origin.chunk,
                "index": x.origin.index,
                "line": x.origin.line,
            })
        })
        .collect();
    Value::Array(v).to_string()
}

fn evidence_from_json(s: &str) -> Option<Vec<Evidence>> {
    let v: Value = serde_json::from_str(s).ok()?;
    v.as_array()?
        .iter()
        .map(|x| {
            let lat = x.get("lat").and_then(Value::as_f64);
            let lon = x.get("lon").and_then(Value::as_f64);
            Some(Evidence {
                mmsi: x.get("mmsi")?.as_u64()? as u32,
                time_ms: x.get("time_ms")?.as_i64()?,
                lat_lon: lat.zip(lon),
                origin: Origin {
                    source: x.get("source")?.as_u64()? as u32,
                    chunk: x.get("chunk")?.as_i64()?,
                    index: x.get("index")?.as_u64()? as u32,
                    line: x.get("line")?.as_u64()?,
                },
            })
        })
        .collect()
}

impl Store {
    /// Writes events (replacing any with the same id) in one transaction.
    pub fn put_events(&mut self, events: &[Event]) -> Result<()> {
        let mut label_ids = std::collections::HashMap::new();
        for e in events {
            if !label_ids.contains_key(&e.label) {
                let id = self.label_id(&e.label)?;
                label_ids.insert(e.label.clone(), id);
            }
        }
        let path = self.path.clone();
        let err = |e: rusqlite::Error| Error::Sqlite { path: path.display().to_string(), source: e };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut del = tx.prepare_cached("DELETE FROM event_vessels WHERE event_id = ?1").map_err(err)?;
            let mut ins = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO events (id, type, start_ms, end_ms, mmsi, lat, lon, confidence, label_id, details, evidence)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(err)?;
            let mut vessel = tx
                .prepare_cached("INSERT OR IGNORE INTO event_vessels (mmsi, event_id) VALUES (?1, ?2)")
                .map_err(err)?;
            for e in events {
                del.execute([&e.id]).map_err(err)?;
                ins.execute(params![
                    e.id,
                    e.kind.name(),
                    e.start_ms,
                    e.end_ms,
                    Value::from(e.mmsi.clone()).to_string(),
                    e.lat.is_finite().then_some(e.lat),
                    e.lon.is_finite().then_some(e.lon),
                    e.confidence,
                    label_ids[&e.label],
                    Value::Object(e.details.clone()).to_string(),
                    evidence_json(&e.evidence),
                ])
                .map_err(err)?;
                for m in &e.mmsi {
                    vessel.execute(params![m, e.id]).map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)
    }

    /// Events matching `filter`, by start time.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = String::from(
            "SELECT e.id, e.type, e.start_ms, e.end_ms, e.mmsi, e.lat, e.lon, e.confidence, l.label, e.details, e.evidence
             FROM events e JOIN labels l ON l.id = e.label_id",
        );
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(m) = filter.mmsi {
            sql.push_str(" JOIN event_vessels v ON v.event_id = e.id");
            conds.push(format!("v.mmsi = ?{}", args.len() + 1));
            args.push((m as i64).into());
        }
        if let Some(f) = filter.from_ms {
            conds.push(format!("e.end_ms >= ?{}", args.len() + 1));
            args.push(f.into());
        }
        if let Some(t) = filter.to_ms {
            conds.push(format!("e.start_ms <= ?{}", args.len() + 1));
            args.push(t.into());
        }
        if !filter.kinds.is_empty() {
            let mut marks = Vec::new();
            for k in &filter.kinds {
                marks.push(format!("?{}", args.len() + 1));
                args.push(k.name().to_string().into());
            }
            conds.push(format!("e.type IN ({})", marks.join(", ")));
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        match filter.limit {
            Some(n) => sql.push_str(&format!(" ORDER BY e.start_ms DESC, e.id LIMIT {n}")),
            None => sql.push_str(" ORDER BY e.start_ms, e.id"),
        }
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<f64>>(5)?,
                    r.get::<_, Option<f64>>(6)?,
                    r.get::<_, f64>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, start_ms, end_ms, mmsi, lat, lon, confidence, label, details, evidence) =
                row.map_err(|e| self.err(e))?;
            let corrupt = |what: String| Error::Corrupt { path: self.path.display().to_string(), what };
            let kind =
                EventKind::from_name(&kind).ok_or_else(|| corrupt(format!("event {id}: unknown type {kind}")))?;
            let mmsi: Vec<u32> =
                serde_json::from_str(&mmsi).map_err(|e| corrupt(format!("event {id}: mmsi list: {e}")))?;
            let label = Label::parse(&label).map_err(corrupt)?;
            let details = match serde_json::from_str::<Value>(&details) {
                Ok(Value::Object(m)) => m,
                _ => return Err(corrupt(format!("event {id}: details are not a JSON object"))),
            };
            let evidence = evidence_from_json(&evidence).ok_or_else(|| corrupt(format!("event {id}: bad evidence")))?;
            out.push(Event {
                id,
                kind,
                start_ms,
                end_ms,
                mmsi,
                lat: lat.unwrap_or(f64::NAN),
                lon: lon.unwrap_or(f64::NAN),
                confidence,
                label,
                details,
                evidence,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_replace_by_id() {
        let dir = std::env::temp_dir().join(format!("sealane-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.sqlite");
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open(&path).unwrap();
        let ev = |id: &str, kind: EventKind, start: i64, mmsi: Vec<u32>, conf: f64| Event {
            id: id.into(),
            kind,
            start_ms: start,
            end_ms: start + 10,
            mmsi,
            lat: 35.0,
            lon: f64::NAN,
            confidence: conf,
            label: Label::public_ais(),
            details: serde_json::Map::from_iter([("k".to_string(), json!(1))]),
            evidence: vec![Evidence {
                mmsi: 1,
                time_ms: start,
                lat_lon: Some((35.0, 129.0)),
                origin: Origin { source: 1, chunk: 2, index: 3, line: 4 },
            }],
        };
        let a = ev("a", EventKind::Gap, 100, vec![1], 0.5);
        let b = ev("b", EventKind::Encounter, 200, vec![1, 2], 0.9);
        store.put_events(&[a.clone(), b.clone()]).unwrap();
        let all = store.events(&EventFilter::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].mmsi, b.mmsi);
        assert_eq!(all[1].evidence, b.evidence);
        assert!(all[0].lon.is_nan());
        let two = store.events(&EventFilter { mmsi: Some(2), ..EventFilter::default() }).unwrap();
        assert_eq!(two.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["b"]);
        let gaps = store.events(&EventFilter { kinds: vec![EventKind::Gap], ..EventFilter::default() }).unwrap();
        assert_eq!(gaps.len(), 1);
        let late = store.events(&EventFilter { from_ms: Some(150), ..EventFilter::default() }).unwrap();
        assert_eq!(late.len(), 1);
        // Same id again: replaced, not duplicated; its vessel list follows.
        let b2 = ev("b", EventKind::Encounter, 200, vec![1, 3], 0.7);
        store.put_events(&[b2]).unwrap();
        let all = store.events(&EventFilter::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].confidence, 0.7);
        assert!(store.events(&EventFilter { mmsi: Some(2), ..EventFilter::default() }).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }
}
