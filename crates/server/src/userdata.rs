//! What operators create through the API: zones and alert rules (with their
//! deliveries). Each is a labelled record like any other: by default it is
//! labelled with its creator's nation (releasable to that nation only), read
//! through the decision point, and only its originator's nation changes it.
//! Tables live in the store file (`server_*`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};
use sealane_core::Label;
use sealane_core::label::{Originator, Tlp};
use serde_json::{Value, json};

use crate::App;
use crate::access::{Access, now_ms};
use crate::api::{event_feature, events_for};
use crate::reader::{ApiError, Reader, blocking};

fn open(app: &App) -> Result<Connection, ApiError> {
    let conn = sealane_share::open(&app.store).map_err(|e| ApiError::from(anyhow::Error::from(e)))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS server_zones (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, geometry TEXT NOT NULL,
            label TEXT NOT NULL, created_by TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS server_alert_rules (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, rule TEXT NOT NULL, label TEXT NOT NULL,
            created_by TEXT NOT NULL, created_ms INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS server_alert_deliveries (
            rule_id INTEGER NOT NULL REFERENCES server_alert_rules(id) ON DELETE CASCADE,
            event_id TEXT NOT NULL, delivered_ms INTEGER NOT NULL, PRIMARY KEY (rule_id, event_id));",
    )
    .map_err(|e| ApiError::from(anyhow::Error::from(e)))?;
    Ok(conn)
}

fn db(e: rusqlite::Error) -> ApiError {
    ApiError::from(anyhow::Error::from(e))
}

/// The label a reader's new record gets unless it gives one: its nation only.
fn default_label(access: &Access) -> Label {
    match access.subject() {
        None => Label::public_ais(),
        Some(s) => Label {
            originator: Originator { nation: s.nation.clone(), agency: s.id.clone() },
            classification: access.policy().levels.first().cloned().unwrap_or_else(|| "UNCLASSIFIED".into()),
            rel_to: vec![s.nation.clone()],
            caveats: Vec::new(),
            purposes: None,
            tlp: Tlp::Amber,
            retain_until: None,
        },
    }
}

/// The label of a new record: given (it must name the reader's nation as
/// originator, and the reader must be able to read it), or the default.
fn label_of(access: &Access, given: Option<&Value>) -> Result<Label, ApiError> {
    let Some(v) = given.filter(|v| !v.is_null()) else { return Ok(default_label(access)) };
    let label = serde_json::from_value::<Label>(v.clone())
        .map_err(|e| ApiError::bad_request(format!("label: not a label: {e}")))?
        .canonical();
    if let Some(s) = access.subject() {
        if label.originator.nation != s.nation {
            return Err(ApiError::bad_request(format!(
                "label: the originator must be your nation ({}), not {}",
                s.nation, label.originator.nation
            )));
        }
    }
    Ok(label)
}

/// Only a record's originator's nation (or the local owner) may change or delete it.
fn check_originator(access: &Access, label: &Label, what: &str) -> Result<(), ApiError> {
    if access.subject().is_none_or(|s| s.nation == label.originator.nation) {
        Ok(())
    } else {
        Err(ApiError { status: StatusCode::FORBIDDEN, message: format!("only the originator may change this {what}") })
    }
}

fn readable(access: &mut Access, label: &str) -> Option<Label> {
    let l = Label::parse(label).ok()?;
    access.audience().may_read_label(&l).then_some(l)
}

fn check_geometry(g: &Value) -> Result<(), ApiError> {
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates").and_then(Value::as_array);
    let rings = |poly: &Value| -> bool {
        poly.as_array().is_some_and(|rings| {
            !rings.is_empty()
                && rings.iter().all(|r| {
                    r.as_array().is_some_and(|pts| {
                        pts.len() >= 4
                            && pts.iter().all(|p| {
                                let c = p.as_array();
                                let lon = c.and_then(|c| c.first()).and_then(Value::as_f64);
                                let lat = c.and_then(|c| c.get(1)).and_then(Value::as_f64);
                                lon.zip(lat)
                                    .is_some_and(|(x, y)| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))
                            })
                    })
                })
        })
    };
    let ok = match (kind, coords) {
        ("Polygon", Some(_)) => rings(&g["coordinates"]),
        ("MultiPolygon", Some(polys)) => !polys.is_empty() && polys.iter().all(rings),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "geometry: a GeoJSON Polygon or MultiPolygon with closed rings of at least 4 [lon, lat] positions",
        ))
    }
}

/// Is the point inside a GeoJSON Polygon or MultiPolygon (even-odd over all rings)?
pub(crate) fn geometry_contains(g: &Value, lat: f64, lon: f64) -> bool {
    let ring_crossings = |ring: &Value| -> usize {
        let pts: Vec<(f64, f64)> = ring
            .as_array()
            .map(|a| a.iter().filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect())
            .unwrap_or_default();
        let mut n = 0;
        for w in pts.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) / (y2 - y1) * (x2 - x1) {
                n += 1;
            }
        }
        n
    };
    let polygon =
        |p: &Value| p.as_array().is_some_and(|rings| rings.iter().map(ring_crossings).sum::<usize>() % 2 == 1);
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => polygon(&g["coordinates"]),
        Some("MultiPolygon") => g["coordinates"].as_array().is_some_and(|ps| ps.iter().any(polygon)),
        _ => false,
    }
}

fn zone_feature(id: i64, name: &str, kind: &str, geometry: Value, label: &Label, created_by: &str) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": {"id": id, "name": name, "kind": kind, "builtin": false, "created_by": created_by,
                       "label": label, "marking": label.marking()},
    })
}

fn user_zones(conn: &Connection, access: &mut Access) -> Result<Vec<(i64, Value)>, ApiError> {
    let mut st =
        conn.prepare("SELECT id, name, kind, geometry, label, created_by FROM server_zones ORDER BY id").map_err(db)?;
    let rows: Vec<(i64, String, String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .map_err(db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(db)?;
    let mut out = Vec::new();
    for (id, name, kind, geom, label, by) in rows {
        if let Some(l) = readable(access, &label) {
            let g: Value = serde_json::from_str(&geom).unwrap_or(Value::Null);
            out.push((id, zone_feature(id, &name, &kind, g, &l, &by)));
        }
    }
    Ok(out)
}

/// `GET /api/zones`: the built-in zones and the user zones the reader may see.
pub async fn list_zones(State(app): State<Arc<App>>, reader: Reader) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        let mut features: Vec<Value> =
            app.builtin_zones.get("features").and_then(Value::as_array).cloned().unwrap_or_default();
        features.extend(user_zones(&conn, &mut access)?.into_iter().map(|(_, f)| f));
        access.audit("read", "api zones", &format!("{{\"rows\":{}}}", features.len())).map_err(ApiError::from)?;
        Ok(Json(json!({"type": "FeatureCollection", "features": features})).into_response())
    })
    .await
}

struct ZoneInput {
    name: String,
    kind: String,
    geometry: Value,
    label: Option<Value>,
}

fn zone_input(body: &Value) -> Result<ZoneInput, ApiError> {
    let props = body.get("properties").cloned().unwrap_or(Value::Null);
    let name = props
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("properties.name: a zone needs a name"))?
        .to_string();
    let kind = props.get("kind").and_then(Value::as_str).unwrap_or("user").to_string();
    let geometry = body.get("geometry").cloned().unwrap_or(Value::Null);
    check_geometry(&geometry)?;
    Ok(ZoneInput { name, kind, geometry, label: props.get("label").cloned() })
}

/// `POST /api/zones`: a GeoJSON Feature with `properties.name` (and optional `kind`, `label`).
pub async fn create_zone(
    State(app): State<Arc<App>>,
    reader: Reader,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let z = zone_input(&body)?;
        let label = label_of(&access, z.label.as_ref())?;
        let conn = open(&app)?;
        let now = now_ms();
        conn.execute(
            "INSERT INTO server_zones (name, kind, geometry, label, created_by, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![z.name, z.kind, z.geometry.to_string(), label.to_json(), access.actor(), now],
        )
        .map_err(db)?;
        let id = conn.last_insert_rowid();
        access.audit("create", &format!("zone {id}"), &label.to_json()).map_err(ApiError::from)?;
        let f = zone_feature(id, &z.name, &z.kind, z.geometry, &label, &access.actor());
        Ok((StatusCode::CREATED, Json(f)).into_response())
    })
    .await
}

fn zone_label(conn: &Connection, id: i64) -> Result<Option<String>, ApiError> {
    conn.query_row("SELECT label FROM server_zones WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(db)
}

/// `PUT /api/zones/{id}`: replaces a zone (its originator's nation only).
pub async fn update_zone(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(id): Path<i64>,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        // Unreadable and missing look the same.
        let old = zone_label(&conn, id)?.and_then(|l| readable(&mut access, &l)).ok_or_else(ApiError::not_found)?;
        check_originator(&access, &old, "zone")?;
        let z = zone_input(&body)?;
        let label = match z.label.as_ref() {
            Some(v) if !v.is_null() => label_of(&access, Some(v))?,
            _ => old,
        };
        conn.execute(
            "UPDATE server_zones SET name = ?2, kind = ?3, geometry = ?4, label = ?5, updated_ms = ?6 WHERE id = ?1",
            params![id, z.name, z.kind, z.geometry.to_string(), label.to_json(), now_ms()],
        )
        .map_err(db)?;
        access.audit("update", &format!("zone {id}"), &label.to_json()).map_err(ApiError::from)?;
        Ok(Json(zone_feature(id, &z.name, &z.kind, z.geometry, &label, &access.actor())).into_response())
    })
    .await
}

/// `DELETE /api/zones/{id}` (its originator's nation only).
pub async fn delete_zone(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        let old = zone_label(&conn, id)?.and_then(|l| readable(&mut access, &l)).ok_or_else(ApiError::not_found)?;
        check_originator(&access, &old, "zone")?;
        conn.execute("DELETE FROM server_zones WHERE id = ?1", [id]).map_err(db)?;
        access.audit("delete", &format!("zone {id}"), "{}").map_err(ApiError::from)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// An alert rule: an area (box or zone), event types and vessel criteria.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Rule {
    /// `[west, south, east, north]`.
    #[serde(default)]
    bbox: Option<[f64; 4]>,
    /// A zone id (user zone) whose polygon is the area.
    #[serde(default)]
    zone: Option<i64>,
    /// Event types (empty: all).
    #[serde(default)]
    types: Vec<String>,
    /// Only these vessels (empty: all).
    #[serde(default)]
    mmsi: Vec<u32>,
    /// Only events at least this confident.
    #[serde(default)]
    min_confidence: f64,
}

fn rule_json(id: i64, name: &str, rule: &Rule, label: &Label, by: &str) -> Value {
    json!({"id": id, "name": name, "rule": rule, "label": label, "marking": label.marking(), "created_by": by})
}

/// A stored rule: id, name, rule, label, creator.
type StoredRule = (i64, String, Rule, Label, String);

fn rules(conn: &Connection, access: &mut Access) -> Result<Vec<StoredRule>, ApiError> {
    let mut st =
        conn.prepare("SELECT id, name, rule, label, created_by FROM server_alert_rules ORDER BY id").map_err(db)?;
    let rows: Vec<(i64, String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .map_err(db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(db)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, rule, label, by)| {
            let l = readable(access, &label)?;
            Some((id, name, serde_json::from_str(&rule).ok()?, l, by))
        })
        .collect())
}

/// `GET /api/alerts`: the alert rules the reader may see.
pub async fn list_alerts(State(app): State<Arc<App>>, reader: Reader) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        let out: Vec<Value> =
            rules(&conn, &mut access)?.iter().map(|(id, n, r, l, by)| rule_json(*id, n, r, l, by)).collect();
        access.audit("read", "api alerts", &format!("{{\"rows\":{}}}", out.len())).map_err(ApiError::from)?;
        Ok(Json(json!({"rules": out})).into_response())
    })
    .await
}

/// `POST /api/alerts`: `{"name", "bbox"?, "zone"?, "types"?, "mmsi"?, "min_confidence"?, "label"?}`.
pub async fn create_alert(
    State(app): State<Arc<App>>,
    reader: Reader,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("name: an alert rule needs a name"))?
            .to_string();
        let rule: Rule =
            serde_json::from_value(body.clone()).map_err(|e| ApiError::bad_request(format!("rule: {e}")))?;
        if let Some(t) = rule.types.iter().find(|t| sealane_core::EventKind::from_name(t).is_none()) {
            return Err(ApiError::bad_request(format!("types: {t:?} is not an event type")));
        }
        if let Some([w, s, e, n]) = rule.bbox {
            sealane_store::Bbox::parse(&format!("{w},{s},{e},{n}")).map_err(ApiError::bad_request)?;
        }
        let conn = open(&app)?;
        if let Some(z) = rule.zone {
            zone_label(&conn, z)?
                .and_then(|l| readable(&mut access, &l))
                .ok_or_else(|| ApiError::bad_request(format!("zone: no zone {z}")))?;
        }
        let label = label_of(&access, body.get("label"))?;
        conn.execute(
            "INSERT INTO server_alert_rules (name, rule, label, created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, serde_json::to_string(&rule).unwrap_or_default(), label.to_json(), access.actor(), now_ms()],
        )
        .map_err(db)?;
        let id = conn.last_insert_rowid();
        access.audit("create", &format!("alert rule {id}"), &label.to_json()).map_err(ApiError::from)?;
        Ok((StatusCode::CREATED, Json(rule_json(id, &name, &rule, &label, &access.actor()))).into_response())
    })
    .await
}

/// `DELETE /api/alerts/{id}` (its originator's nation only).
pub async fn delete_alert(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        let (_, _, _, label, _) =
            rules(&conn, &mut access)?.into_iter().find(|r| r.0 == id).ok_or_else(ApiError::not_found)?;
        check_originator(&access, &label, "alert rule")?;
        conn.execute("DELETE FROM server_alert_deliveries WHERE rule_id = ?1", [id]).map_err(db)?;
        conn.execute("DELETE FROM server_alert_rules WHERE id = ?1", [id]).map_err(db)?;
        access.audit("delete", &format!("alert rule {id}"), "{}").map_err(ApiError::from)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

fn rule_matches(rule: &Rule, zone: Option<&Value>, e: &Value) -> bool {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
    let lat = e.get("lat").and_then(Value::as_f64);
    let lon = e.get("lon").and_then(Value::as_f64);
    let conf = e.get("confidence").and_then(Value::as_f64).unwrap_or(0.0);
    let mmsi = crate::api::event_mmsi(e);
    (rule.types.is_empty() || rule.types.iter().any(|t| t == kind))
        && conf >= rule.min_confidence
        && (rule.mmsi.is_empty() || mmsi.iter().any(|m| rule.mmsi.contains(m)))
        && rule.bbox.is_none_or(|[w, s, east, n]| {
            let b = sealane_store::Bbox { west: w, south: s, east, north: n };
            lat.zip(lon).is_some_and(|(la, lo)| b.contains(la, lo))
        })
        && zone.is_none_or(|g| lat.zip(lon).is_some_and(|(la, lo)| geometry_contains(g, la, lo)))
}

/// `GET /api/alerts/{id}/deliveries`: the events (derived from what the
/// reader may read) that match the rule, each with when it was first delivered.
pub async fn deliveries(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let events = events_for(&app, &reader.audience).await?;
    blocking(move || {
        let mut access = reader.access;
        let conn = open(&app)?;
        let (_, name, rule, _, _) =
            rules(&conn, &mut access)?.into_iter().find(|r| r.0 == id).ok_or_else(ApiError::not_found)?;
        let zone: Option<Value> = match rule.zone {
            Some(z) => conn
                .query_row("SELECT geometry FROM server_zones WHERE id = ?1", [z], |r| r.get::<_, String>(0))
                .optional()
                .map_err(db)?
                .and_then(|g| serde_json::from_str(&g).ok()),
            None => None,
        };
        let now = now_ms();
        let mut out = Vec::new();
        for e in events.iter().filter(|e| rule_matches(&rule, zone.as_ref(), e)) {
            let eid = e.get("id").and_then(Value::as_str).unwrap_or("");
            conn.execute(
                "INSERT OR IGNORE INTO server_alert_deliveries (rule_id, event_id, delivered_ms) VALUES (?1, ?2, ?3)",
                params![id, eid, now],
            )
            .map_err(db)?;
            let at: i64 = conn
                .query_row(
                    "SELECT delivered_ms FROM server_alert_deliveries WHERE rule_id = ?1 AND event_id = ?2",
                    params![id, eid],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let mut f = event_feature(e);
            f["properties"]["delivered"] = sealane_core::time::format_rfc3339_ms(at).into();
            out.push(f);
        }
        access
            .audit("read", &format!("api alert {id} deliveries"), &format!("{{\"rows\":{}}}", out.len()))
            .map_err(ApiError::from)?;
        Ok(Json(json!({"type": "FeatureCollection", "rule": {"id": id, "name": name}, "features": out}))
            .into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_in_polygon_with_a_hole() {
        let g = json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
            [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]]});
        assert!(geometry_contains(&g, 1.0, 1.0));
        assert!(!geometry_contains(&g, 5.0, 5.0));
        assert!(!geometry_contains(&g, 11.0, 5.0));
        assert!(check_geometry(&g).is_ok());
        assert!(check_geometry(&json!({"type": "Point", "coordinates": [1, 2]})).is_err());
        assert!(check_geometry(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})).is_err());
    }
}
