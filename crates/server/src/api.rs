//! The HTTP API: vessels, dossiers, tracks, events, detections, scenes,
//! sources and lanes. Every handler takes a [`Reader`] (authenticated), reads
//! through its [`Access`] (filter first) and audits what it returned.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sealane_core::Label;
use sealane_core::time::{format_rfc3339_ms, parse_time};
use sealane_store::{Bbox, IdentityRow, Store, StoredPosition};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::access::Access;
use crate::reader::{ApiError, Reader, blocking};
use crate::{App, Audience};

/// Common query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    /// `W,S,E,N`.
    pub bbox: Option<String>,
    /// RFC 3339 start.
    pub from: Option<String>,
    /// RFC 3339 end.
    pub to: Option<String>,
    /// Positions as of this time (replay).
    pub at: Option<String>,
    /// Search text (MMSI, IMO, name, call sign).
    pub q: Option<String>,
    /// Event types, comma-separated.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// One vessel.
    pub mmsi: Option<u32>,
    /// Scene id.
    pub scene: Option<String>,
    /// At most this many items.
    pub limit: Option<usize>,
    /// `geojson` (default) or `columns` (vessels, compact for the map).
    pub format: Option<String>,
}

pub(crate) fn time_param(name: &str, v: &Option<String>) -> Result<Option<i64>, ApiError> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_time(s).map_err(|e| ApiError::bad_request(format!("{name}: {e}"))))
        .transpose()
}

pub(crate) fn bbox_param(v: &Option<String>) -> Result<Option<Bbox>, ApiError> {
    v.as_deref().filter(|s| !s.is_empty()).map(|s| Bbox::parse(s).map_err(ApiError::bad_request)).transpose()
}

pub(crate) fn open_store(app: &App) -> Result<Store, ApiError> {
    Store::open_read_only(&app.store).map_err(|e| ApiError::from(anyhow::Error::from(e)))
}

/// The marking of a source, as the reader is shown it.
pub(crate) fn marking(access: &Access, source: u32) -> Option<String> {
    access.label(source).map(Label::marking)
}

/// One vessel's latest state as the reader may see it.
#[derive(Debug, Clone)]
pub(crate) struct VesselState {
    pub position: StoredPosition,
    pub identity: Option<IdentityRow>,
}

/// The latest readable position per vessel (at `at`, or now), inside `bbox`.
pub(crate) fn latest_positions(
    access: &mut Access,
    store: &Store,
    bbox: Option<Bbox>,
    at: Option<i64>,
) -> Result<BTreeMap<u32, StoredPosition>, ApiError> {
    let mut latest: BTreeMap<u32, StoredPosition> = BTreeMap::new();
    match at {
        Some(t) => {
            // Replay: where each vessel was last seen in the hour before `t`.
            let b = bbox.unwrap_or(Bbox::world());
            for p in store.area(b, t - 3_600_000, t).map_err(anyhow::Error::from)? {
                if let Some(v) = access.visible(&p) {
                    if latest.get(&v.mmsi).is_none_or(|o| o.time_ms <= v.time_ms) {
                        latest.insert(v.mmsi, v);
                    }
                }
            }
        }
        None if access.reads_everything() => {
            for r in store.latest(bbox).map_err(anyhow::Error::from)? {
                let mut p = StoredPosition::from_position(
                    &sealane_core::Position {
                        mmsi: r.mmsi,
                        time_ms: r.time_ms,
                        lat: r.lat,
                        lon: r.lon,
                        sog: r.sog.map(|v| v as f32),
                        cog: r.cog.map(|v| v as f32),
                        heading: r.heading,
                        nav_status: r.nav_status,
                        class: r.class,
                        time_source: sealane_core::TimeSource::Column,
                        rot: None,
                        accuracy: false,
                        msg_type: 0,
                    },
                    sealane_store::Provenance { source: r.source, chunk: -1, line: 0 },
                );
                p.also.clear();
                latest.insert(r.mmsi, p);
            }
        }
        None => {
            // Filter first, then derive: the latest position this reader may see.
            store
                .scan_time_ordered(i64::MIN / 2, i64::MAX / 2, |p| {
                    if bbox.is_none_or(|b| b.contains(p.lat(), p.lon())) {
                        if let Some(v) = access.visible(&p) {
                            latest.insert(v.mmsi, v);
                        }
                    }
                    Ok(())
                })
                .map_err(anyhow::Error::from)?;
        }
    }
    Ok(latest)
}

/// The latest readable identity per vessel.
pub(crate) fn latest_identities(access: &mut Access, store: &Store) -> Result<HashMap<u32, IdentityRow>, ApiError> {
    let mut out: HashMap<u32, IdentityRow> = HashMap::new();
    for r in store.identity_rows().map_err(anyhow::Error::from)? {
        if access.may_read_source(r.source) && out.get(&r.fields.mmsi).is_none_or(|o| o.t_to <= r.t_to) {
            out.insert(r.fields.mmsi, r);
        }
    }
    Ok(out)
}

fn opt_num<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// The label of a vessel row: its position's and its identity's, combined.
fn vessel_label(access: &Access, v: &VesselState) -> Option<Label> {
    let rules = access.policy().rules();
    let p = access.label(v.position.provenance.source)?.clone();
    Some(match v.identity.as_ref().and_then(|i| access.label(i.source)) {
        Some(l) => rules.combine(&p, l),
        None => p,
    })
}

pub(crate) fn identity_json(i: &IdentityRow) -> Map<String, Value> {
    let f = &i.fields;
    let mut m = Map::new();
    m.insert("name".into(), opt_num(f.name.clone()));
    m.insert("callsign".into(), opt_num(f.callsign.clone()));
    m.insert("imo".into(), opt_num(f.imo));
    m.insert("shiptype".into(), opt_num(f.shiptype));
    m.insert("length_m".into(), opt_num(f.length_m()));
    m.insert("beam_m".into(), opt_num(f.beam_m()));
    m.insert("destination".into(), opt_num(f.destination.clone()));
    m.insert("flag".into(), opt_num(i.flag.clone()));
    m
}

fn vessel_properties(access: &Access, v: &VesselState) -> Map<String, Value> {
    let p = &v.position;
    let mut m = Map::new();
    m.insert("mmsi".into(), p.mmsi.into());
    m.insert("time".into(), format_rfc3339_ms(p.time_ms).into());
    m.insert("sog".into(), opt_num(p.sog()));
    m.insert("cog".into(), opt_num(p.cog()));
    m.insert("heading".into(), opt_num(p.heading()));
    m.insert("nav_status".into(), opt_num(p.nav_status()));
    m.insert("class".into(), p.class.code().into());
    match &v.identity {
        Some(i) => m.extend(identity_json(i)),
        None => {
            for k in ["name", "callsign", "imo", "shiptype", "length_m", "beam_m", "destination", "flag"] {
                m.insert(k.into(), Value::Null);
            }
        }
    }
    if m.get("flag").is_some_and(Value::is_null) {
        m.insert("flag".into(), opt_num(sealane_core::mmsi::flag(p.mmsi).map(str::to_string)));
    }
    let label = vessel_label(access, v);
    m.insert("marking".into(), opt_num(label.as_ref().map(Label::marking)));
    m.insert("label".into(), label.map_or(Value::Null, |l| serde_json::to_value(l).unwrap_or(Value::Null)));
    m
}

pub(crate) fn point_feature(lon: f64, lat: f64, props: Map<String, Value>) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
}

fn search_matches(q: &str, v: &VesselState) -> bool {
    let q = q.trim().to_ascii_uppercase();
    if q.is_empty() {
        return true;
    }
    let mmsi = v.position.mmsi.to_string();
    if mmsi.starts_with(&q) {
        return true;
    }
    let Some(i) = &v.identity else { return false };
    i.fields.imo.is_some_and(|imo| imo.to_string() == q.trim_start_matches("IMO").trim())
        || i.fields.name.as_deref().is_some_and(|n| n.to_ascii_uppercase().contains(&q))
        || i.fields.callsign.as_deref().is_some_and(|c| c.to_ascii_uppercase() == q)
}

/// The vessels a reader may see with their latest state, filtered by the query.
pub(crate) fn vessels_for(access: &mut Access, app: &App, p: &Params) -> Result<Vec<VesselState>, ApiError> {
    let store = open_store(app)?;
    let bbox = bbox_param(&p.bbox)?;
    let at = time_param("at", &p.at)?;
    let positions = latest_positions(access, &store, bbox, at)?;
    let mut identities = latest_identities(access, &store)?;
    let mut out: Vec<VesselState> = positions
        .into_values()
        .map(|position| {
            let identity = identities.remove(&position.mmsi);
            VesselState { position, identity }
        })
        .filter(|v| p.q.as_deref().is_none_or(|q| search_matches(q, v)))
        .filter(|v| p.mmsi.is_none_or(|m| m == v.position.mmsi))
        .collect();
    if let Some(n) = p.limit {
        out.truncate(n);
    }
    Ok(out)
}

/// `GET /api/vessels`: latest positions (or as of `at`), searchable; GeoJSON,
/// or `format=columns` (one array per field, for the map's 100,000 vessels).
pub async fn vessels(
    State(app): State<Arc<App>>,
    reader: Reader,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let rows = vessels_for(&mut access, &app, &p)?;
        access.audit("read", "api vessels", &format!("{{\"rows\":{}}}", rows.len())).map_err(ApiError::from)?;
        if p.format.as_deref() == Some("columns") {
            return Ok(Json(columns(&access, &rows)).into_response());
        }
        let features: Vec<Value> = rows
            .iter()
            .map(|v| point_feature(v.position.lon(), v.position.lat(), vessel_properties(&access, v)))
            .collect();
        Ok(geojson(json!({"type": "FeatureCollection", "numberReturned": features.len(), "features": features})))
    })
    .await
}

fn columns(access: &Access, rows: &[VesselState]) -> Value {
    let mut markings: Vec<String> = Vec::new();
    let mut marking_ix: HashMap<String, usize> = HashMap::new();
    let mut cols: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for v in rows {
        let p = &v.position;
        let mk = vessel_label(access, v).map(|l| l.marking()).unwrap_or_default();
        let n = markings.len();
        let ix = *marking_ix.entry(mk.clone()).or_insert_with(|| {
            markings.push(mk);
            n
        });
        let i = v.identity.as_ref().map(|i| &i.fields);
        let mut push = |k, val: Value| cols.entry(k).or_default().push(val);
        push("mmsi", p.mmsi.into());
        push("t", p.time_ms.into());
        push("lat", ((p.lat() * 1e6).round() / 1e6).into());
        push("lon", ((p.lon() * 1e6).round() / 1e6).into());
        push("sog", opt_num(p.sog().map(|v| (v * 10.0).round() / 10.0)));
        push("cog", opt_num(p.cog().map(|v| (v * 10.0).round() / 10.0)));
        push("hdg", opt_num(p.heading()));
        push("nav", opt_num(p.nav_status()));
        push("type", opt_num(i.and_then(|i| i.shiptype)));
        push("name", opt_num(i.and_then(|i| i.name.clone())));
        push("marking", ix.into());
    }
    json!({"count": rows.len(), "markings": markings, "columns": cols})
}

fn geojson(v: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], Json(v)).into_response()
}

/// `GET /api/vessels/{mmsi}`: the dossier. A vessel the reader may not see
/// and one that does not exist get the same 404.
pub async fn dossier(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(mmsi): Path<u32>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let events = events_for(&app, &reader.audience).await?;
    blocking(move || {
        let mut access = reader.access;
        let store = open_store(&app)?;
        let history: Vec<IdentityRow> = store
            .identity_history(mmsi)
            .map_err(anyhow::Error::from)?
            .into_iter()
            .filter(|r| access.may_read_source(r.source))
            .collect();
        let (from, to) = window(&p, &store, mmsi)?;
        let track = access.readable(&store.track(mmsi, from, to).map_err(anyhow::Error::from)?);
        let latest = latest_positions(&mut access, &store, Some(Bbox::world()), None)?.remove(&mmsi);
        let latest = match latest {
            Some(l) => Some(l),
            None => track.last().cloned(),
        };
        let vessel_events: Vec<Value> =
            events.iter().filter(|e| event_mmsi(e).contains(&mmsi)).cloned().map(with_marking).collect();
        if history.is_empty() && latest.is_none() && vessel_events.is_empty() {
            access.audit("read", &format!("api dossier mmsi={mmsi}"), "{\"found\":false}").map_err(ApiError::from)?;
            return Err(ApiError::not_found());
        }
        let identity: Vec<Value> = history
            .iter()
            .map(|r| {
                let mut m = identity_json(r);
                m.insert("from".into(), format_rfc3339_ms(r.t_from).into());
                m.insert("to".into(), format_rfc3339_ms(r.t_to).into());
                m.insert("reports".into(), r.reports.into());
                m.insert("marking".into(), opt_num(marking(&access, r.source)));
                Value::Object(m)
            })
            .collect();
        let hits: Vec<&Value> =
            vessel_events.iter().filter(|e| e.get("type").and_then(Value::as_str) == Some("watchlist_hit")).collect();
        let latest_json = latest.map(|position| {
            let v = VesselState { identity: history.last().cloned(), position };
            point_feature(v.position.lon(), v.position.lat(), vessel_properties(&access, &v))
        });
        let body = json!({
            "mmsi": mmsi,
            "flag": sealane_core::mmsi::flag(mmsi),
            "latest": latest_json,
            "identity_history": identity,
            "track": track_feature(&access, mmsi, &track),
            "events": vessel_events,
            "watchlist": {"listed": !hits.is_empty(), "hits": hits},
        });
        access
            .audit(
                "read",
                &format!("api dossier mmsi={mmsi}"),
                &format!(
                    "{{\"positions\":{},\"events\":{}}}",
                    track.len(),
                    body["events"].as_array().map_or(0, Vec::len)
                ),
            )
            .map_err(ApiError::from)?;
        Ok(Json(body).into_response())
    })
    .await
}

/// A track window: the query's, else the vessel's last 24 h in the store.
fn window(p: &Params, store: &Store, mmsi: u32) -> Result<(i64, i64), ApiError> {
    let from = time_param("from", &p.from)?;
    let to = time_param("to", &p.to)?;
    if let (Some(f), Some(t)) = (from, to) {
        return Ok((f, t));
    }
    let last = store.latest(None).map_err(anyhow::Error::from)?.into_iter().find(|r| r.mmsi == mmsi).map(|r| r.time_ms);
    let to = to.or(last).unwrap_or(i64::MAX / 2);
    Ok((from.unwrap_or(to.saturating_sub(24 * 3_600_000)), to))
}

fn track_feature(access: &Access, mmsi: u32, track: &[StoredPosition]) -> Value {
    let coords: Vec<Value> = track.iter().map(|p| json!([p.lon(), p.lat()])).collect();
    let times: Vec<i64> = track.iter().map(|p| p.time_ms).collect();
    let sogs: Vec<Value> = track.iter().map(|p| opt_num(p.sog())).collect();
    let mut markings: Vec<String> = track.iter().filter_map(|p| marking(access, p.provenance.source)).collect();
    markings.sort();
    markings.dedup();
    json!({
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {"mmsi": mmsi, "times": times, "sog": sogs, "positions": track.len(), "markings": markings},
    })
}

/// `GET /api/vessels/{mmsi}/track`: the readable positions in a window, as a
/// LineString with each point's time.
pub async fn track(
    State(app): State<Arc<App>>,
    reader: Reader,
    Path(mmsi): Path<u32>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let store = open_store(&app)?;
        let (from, to) = window(&p, &store, mmsi)?;
        let track = access.readable(&store.track(mmsi, from, to).map_err(anyhow::Error::from)?);
        access
            .audit("read", &format!("api track mmsi={mmsi}"), &format!("{{\"rows\":{}}}", track.len()))
            .map_err(ApiError::from)?;
        // No readable position: the same answer whether the vessel is hidden or unknown.
        if track.is_empty() {
            return Err(ApiError::not_found());
        }
        Ok(geojson(track_feature(&access, mmsi, &track)))
    })
    .await
}

pub(crate) fn event_mmsi(e: &Value) -> Vec<u32> {
    e.get("mmsi")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| m.as_u64()).map(|m| m as u32).collect())
        .unwrap_or_default()
}

/// An event with its marking shown beside its label.
pub fn with_marking(mut e: Value) -> Value {
    let mk = e.get("label").and_then(|l| serde_json::from_value::<Label>(l.clone()).ok()).map(|l| l.marking());
    if let (Some(m), Some(mk)) = (e.as_object_mut(), mk) {
        m.insert("marking".into(), mk.into());
    }
    e
}

pub(crate) async fn events_for(app: &Arc<App>, audience: &Audience) -> Result<Arc<Vec<Value>>, ApiError> {
    let (app, audience) = (app.clone(), audience.clone());
    blocking(move || app.products.events(&audience).map_err(ApiError::from)).await
}

/// Events matching the query's type, time, area and vessel.
pub(crate) fn filter_events<'a>(
    events: &'a [Value],
    p: &Params,
) -> Result<impl Iterator<Item = &'a Value> + 'a, ApiError> {
    let kinds: Option<Vec<String>> =
        p.kind.as_deref().filter(|k| !k.is_empty()).map(|k| k.split(',').map(|s| s.trim().to_string()).collect());
    if let Some(ks) = &kinds {
        if let Some(bad) = ks.iter().find(|k| sealane_core::EventKind::from_name(k).is_none()) {
            return Err(ApiError::bad_request(format!("type: {bad:?} is not an event type")));
        }
    }
    let from = time_param("from", &p.from)?;
    let to = time_param("to", &p.to)?;
    let bbox = bbox_param(&p.bbox)?;
    let mmsi = p.mmsi;
    let t = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).and_then(|s| parse_time(s).ok());
    Ok(events.iter().filter(move |e| {
        let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
        kinds.as_ref().is_none_or(|ks| ks.iter().any(|k| k == kind))
            && from.is_none_or(|f| t(e, "end").is_none_or(|end| end >= f))
            && to.is_none_or(|to| t(e, "start").is_none_or(|s| s <= to))
            && bbox.is_none_or(|b| {
                let lat = e.get("lat").and_then(Value::as_f64);
                let lon = e.get("lon").and_then(Value::as_f64);
                lat.zip(lon).is_some_and(|(lat, lon)| b.contains(lat, lon))
            })
            && mmsi.is_none_or(|m| event_mmsi(e).contains(&m))
    }))
}

pub(crate) fn event_feature(e: &Value) -> Value {
    let e = with_marking(e.clone());
    let lat = e.get("lat").and_then(Value::as_f64);
    let lon = e.get("lon").and_then(Value::as_f64);
    let geometry = match lat.zip(lon) {
        Some((lat, lon)) => json!({"type": "Point", "coordinates": [lon, lat]}),
        None => Value::Null,
    };
    json!({"type": "Feature", "id": e.get("id").cloned().unwrap_or(Value::Null), "geometry": geometry, "properties": e})
}

/// `GET /api/events`: behaviour events derived from what the reader may read.
pub async fn events(
    State(app): State<Arc<App>>,
    reader: Reader,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let all = events_for(&app, &reader.audience).await?;
    blocking(move || {
        let mut access = reader.access;
        let mut kept: Vec<&Value> = filter_events(&all, &p)?.collect();
        // Newest first.
        kept.sort_by(|a, b| {
            let s = |e: &Value| e.get("start").and_then(Value::as_str).unwrap_or("").to_string();
            s(b).cmp(&s(a))
        });
        if let Some(n) = p.limit {
            kept.truncate(n);
        }
        access.audit("read", "api events", &format!("{{\"rows\":{}}}", kept.len())).map_err(ApiError::from)?;
        let features: Vec<Value> = kept.into_iter().map(event_feature).collect();
        Ok(geojson(json!({"type": "FeatureCollection", "numberReturned": features.len(), "features": features})))
    })
    .await
}

/// `GET /api/events/{id}`.
pub async fn event(State(app): State<Arc<App>>, reader: Reader, Path(id): Path<String>) -> Result<Response, ApiError> {
    let all = events_for(&app, &reader.audience).await?;
    blocking(move || {
        let mut access = reader.access;
        let found = all.iter().find(|e| e.get("id").and_then(Value::as_str) == Some(id.as_str()));
        access
            .audit("read", &format!("api event {id}"), &format!("{{\"found\":{}}}", found.is_some()))
            .map_err(ApiError::from)?;
        found.map(|e| geojson(event_feature(e))).ok_or_else(ApiError::not_found)
    })
    .await
}

/// `GET /api/detections`: satellite detections fused with readable AIS.
pub async fn detections(
    State(app): State<Arc<App>>,
    reader: Reader,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let audience = reader.audience.clone();
    let app2 = app.clone();
    let fused = blocking(move || app2.products.fused(&audience).map_err(ApiError::from)).await?;
    blocking(move || {
        let mut access = reader.access;
        let bbox = bbox_param(&p.bbox)?;
        let features: Vec<Value> = fused
            .iter()
            .filter(|r| matches!(r.get("type").and_then(Value::as_str), Some("sar_match" | "not_seen")))
            .filter(|r| p.scene.as_deref().is_none_or(|s| r.get("scene_id").and_then(Value::as_str) == Some(s)))
            .filter(|r| {
                let lat = r.get("lat").and_then(Value::as_f64).unwrap_or(f64::NAN);
                let lon = r.get("lon").and_then(Value::as_f64).unwrap_or(f64::NAN);
                bbox.is_none_or(|b| b.contains(lat, lon))
            })
            .take(p.limit.unwrap_or(usize::MAX))
            .map(|r| {
                let lat = r.get("lat").and_then(Value::as_f64).unwrap_or(0.0);
                let lon = r.get("lon").and_then(Value::as_f64).unwrap_or(0.0);
                point_feature(lon, lat, r.as_object().cloned().unwrap_or_default())
            })
            .collect();
        access.audit("read", "api detections", &format!("{{\"rows\":{}}}", features.len())).map_err(ApiError::from)?;
        Ok(geojson(json!({"type": "FeatureCollection", "numberReturned": features.len(), "features": features})))
    })
    .await
}

/// `GET /api/scenes`: footprints of the scenes the reader may see.
pub async fn scenes(State(app): State<Arc<App>>, reader: Reader) -> Result<Response, ApiError> {
    let audience = reader.audience.clone();
    let app2 = app.clone();
    let scenes = blocking(move || app2.products.scenes(&audience).map_err(ApiError::from)).await?;
    blocking(move || {
        let mut access = reader.access;
        access.audit("read", "api scenes", &format!("{{\"rows\":{}}}", scenes.len())).map_err(ApiError::from)?;
        Ok(geojson(json!({"type": "FeatureCollection", "features": scenes.as_slice()})))
    })
    .await
}

/// `GET /api/sources`: the sources the reader may see, with their markings.
pub async fn sources(State(app): State<Arc<App>>, reader: Reader) -> Result<Response, ApiError> {
    blocking(move || {
        let mut access = reader.access;
        let store = open_store(&app)?;
        let mut out = Vec::new();
        for (id, name, kind, label) in store.sources().map_err(anyhow::Error::from)? {
            if access.may_read_source(id) {
                out.push(json!({"id": id, "name": name, "kind": kind, "marking": label.marking(), "label": label}));
            }
        }
        access.audit("read", "api sources", &format!("{{\"rows\":{}}}", out.len())).map_err(ApiError::from)?;
        Ok(Json(json!({"sources": out})).into_response())
    })
    .await
}

/// `GET /api/lanes`: the maritime route network (public reference data).
pub async fn lanes(State(app): State<Arc<App>>, _reader: Reader) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], app.lanes.as_str().to_string()).into_response()
}

/// `GET /api/summary`: the store's time range and counts the reader may see (for the time slider).
pub async fn summary(State(app): State<Arc<App>>, reader: Reader) -> Result<Response, ApiError> {
    let events = events_for(&app, &reader.audience).await?;
    blocking(move || {
        let mut access = reader.access;
        let store = open_store(&app)?;
        let range = store.time_range().map_err(anyhow::Error::from)?;
        access.audit("read", "api summary", "{}").map_err(ApiError::from)?;
        let actor = access.actor();
        let subject = access.subject().map(|s| json!({"id": s.id, "nation": s.nation, "clearance": s.clearance}));
        Ok(Json(json!({
            "reader": actor,
            "subject": subject,
            "time_range": range.map(|(a, b)| json!([format_rfc3339_ms(a), format_rfc3339_ms(b)])),
            "events": events.len(),
        }))
        .into_response())
    })
    .await
}

/// `GET /api/health`: the one endpoint without authentication; says nothing about the data.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<Arc<App>>, _reader: Reader) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render()).into_response()
}
