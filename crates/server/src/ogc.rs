//! OGC API - Features - Part 1: Core (OGC 17-069r4) over the same reads as
//! the API: collections `vessels` (latest state), `positions`, `events` and
//! `detections`, GeoJSON, with `bbox`, `datetime`, `limit` and `next` links
//! (offset paging). Every item passes the decision point like any other read.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sealane_core::time::{format_rfc3339_ms, parse_time};
use sealane_store::Bbox;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::App;
use crate::api::{self, Params, event_feature, filter_events, open_store, point_feature};
use crate::reader::{ApiError, Reader, blocking};

const COLLECTIONS: [(&str, &str, &str); 4] = [
    ("vessels", "Vessels", "The latest position and identity of every vessel the reader may see."),
    ("positions", "Positions", "Every stored AIS position (filter with bbox and datetime)."),
    (
        "events",
        "Behaviour events",
        "Gaps, encounters, loitering, zone events, spoofing, identity and watchlist events.",
    ),
    ("detections", "Satellite detections", "SAR detections fused with AIS: matched (with MMSI) or dark."),
];

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

fn base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/ogc")
}

fn json_response(v: Value, geo: bool) -> Response {
    let ct = if geo { "application/geo+json" } else { "application/json" };
    ([(header::CONTENT_TYPE, ct)], Json(v)).into_response()
}

/// `GET /ogc`: the landing page.
pub async fn landing(headers: HeaderMap, _reader: Reader) -> Response {
    let b = base(&headers);
    let root = b.trim_end_matches("/ogc");
    json_response(
        json!({
            "title": "Sealane",
            "description": "Maritime domain awareness: AIS, behaviour events and satellite detections, as releasable to you.",
            "links": [
                {"href": b, "rel": "self", "type": "application/json", "title": "This document"},
                {"href": format!("{root}/openapi.json"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "The API definition"},
                {"href": format!("{b}/conformance"), "rel": "conformance", "type": "application/json", "title": "Conformance classes"},
                {"href": format!("{b}/collections"), "rel": "data", "type": "application/json", "title": "Collections"},
            ],
        }),
        false,
    )
}

/// `GET /ogc/conformance`.
pub async fn conformance(_reader: Reader) -> Response {
    json_response(
        json!({"conformsTo": [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        ]}),
        false,
    )
}

fn collection_json(b: &str, id: &str, title: &str, description: &str) -> Value {
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {"spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "links": [
            {"href": format!("{b}/collections/{id}"), "rel": "self", "type": "application/json"},
            {"href": format!("{b}/collections/{id}/items"), "rel": "items", "type": "application/geo+json", "title": title},
        ],
    })
}

/// `GET /ogc/collections`.
pub async fn collections(headers: HeaderMap, _reader: Reader) -> Response {
    let b = base(&headers);
    let cs: Vec<Value> = COLLECTIONS.iter().map(|(id, t, d)| collection_json(&b, id, t, d)).collect();
    json_response(
        json!({
            "links": [{"href": format!("{b}/collections"), "rel": "self", "type": "application/json"}],
            "collections": cs,
        }),
        false,
    )
}

/// `GET /ogc/collections/{id}`.
pub async fn collection(headers: HeaderMap, _reader: Reader, Path(id): Path<String>) -> Result<Response, ApiError> {
    let b = base(&headers);
    let (cid, t, d) = COLLECTIONS.iter().find(|c| c.0 == id).ok_or_else(ApiError::not_found)?;
    Ok(json_response(collection_json(&b, cid, t, d), false))
}

/// Query parameters of `items`.
#[derive(Debug, Default, Deserialize)]
pub struct ItemsQuery {
    bbox: Option<String>,
    datetime: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// `datetime`: an instant, or `start/end` with `..` or empty for open ends.
fn datetime(s: &Option<String>) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let Some(s) = s.as_deref().filter(|s| !s.is_empty()) else { return Ok((None, None)) };
    let t = |x: &str| -> Result<Option<i64>, ApiError> {
        if x.is_empty() || x == ".." {
            Ok(None)
        } else {
            parse_time(x).map(Some).map_err(|e| ApiError::bad_request(format!("datetime: {e}")))
        }
    };
    match s.split_once('/') {
        Some((a, b)) => Ok((t(a)?, t(b)?)),
        None => {
            let v = t(s)?;
            Ok((v, v))
        }
    }
}

fn number(name: &str, v: &Option<String>, default: usize) -> Result<usize, ApiError> {
    match v.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => {
            s.parse::<usize>().map_err(|_| ApiError::bad_request(format!("{name}: {s:?} is not a whole number")))
        }
    }
}

/// `GET /ogc/collections/{id}/items`.
pub async fn items(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    reader: Reader,
    Path(id): Path<String>,
    Query(q): Query<ItemsQuery>,
) -> Result<Response, ApiError> {
    if !COLLECTIONS.iter().any(|c| c.0 == id) {
        return Err(ApiError::not_found());
    }
    let bbox = api::bbox_param(&q.bbox)?;
    let (from, to) = datetime(&q.datetime)?;
    let limit = number("limit", &q.limit, DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT);
    let offset = number("offset", &q.offset, 0)?;
    let all = fetch(&app, reader, &id, bbox, from, to).await?;
    let matched = all.len();
    let page: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    let b = base(&headers);
    let mut params: Vec<String> = Vec::new();
    if let Some(s) = q.bbox.as_deref().filter(|s| !s.is_empty()) {
        params.push(format!("bbox={s}"));
    }
    if let Some(s) = q.datetime.as_deref().filter(|s| !s.is_empty()) {
        params.push(format!("datetime={}", s.replace(':', "%3A").replace('/', "%2F")));
    }
    params.push(format!("limit={limit}"));
    let url = |off: usize| format!("{b}/collections/{id}/items?{}&offset={off}", params.join("&"));
    let mut links = vec![json!({"href": url(offset), "rel": "self", "type": "application/geo+json"})];
    if offset + page.len() < matched {
        links.push(json!({"href": url(offset + page.len()), "rel": "next", "type": "application/geo+json"}));
    }
    if offset > 0 {
        links.push(json!({"href": url(offset.saturating_sub(limit)), "rel": "prev", "type": "application/geo+json"}));
    }
    Ok(json_response(
        json!({
            "type": "FeatureCollection",
            "timeStamp": format_rfc3339_ms(crate::access::now_ms()),
            "numberMatched": matched,
            "numberReturned": page.len(),
            "features": page,
            "links": links,
        }),
        true,
    ))
}

/// `GET /ogc/collections/{id}/items/{fid}`: one feature; forbidden and missing look the same.
pub async fn item(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    reader: Reader,
    Path((id, fid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !COLLECTIONS.iter().any(|c| c.0 == id) {
        return Err(ApiError::not_found());
    }
    let all = fetch(&app, reader, &id, None, None, None).await?;
    let mut f = all
        .into_iter()
        .find(|f| f.get("id").map(|v| v.as_str().map_or(v.to_string(), str::to_string)) == Some(fid.clone()))
        .ok_or_else(ApiError::not_found)?;
    let b = base(&headers);
    f["links"] = json!([
        {"href": format!("{b}/collections/{id}/items/{fid}"), "rel": "self", "type": "application/geo+json"},
        {"href": format!("{b}/collections/{id}"), "rel": "collection", "type": "application/json"},
    ]);
    Ok(json_response(f, true))
}

/// Every feature of a collection the reader may see, matching the filters.
async fn fetch(
    app: &Arc<App>,
    reader: Reader,
    id: &str,
    bbox: Option<Bbox>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Vec<Value>, ApiError> {
    let audience = reader.audience.clone();
    let derived = match id {
        "events" => Some(api::events_for(app, &audience).await?),
        "detections" => {
            let app2 = app.clone();
            Some(blocking(move || app2.products.fused(&audience).map_err(ApiError::from)).await?)
        }
        _ => None,
    };
    let (app, id) = (app.clone(), id.to_string());
    blocking(move || {
        let mut access = reader.access;
        let in_time = |t: i64| from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e);
        let features: Vec<Value> = match id.as_str() {
            "vessels" => {
                let p = Params {
                    bbox: bbox.map(|b| format!("{},{},{},{}", b.west, b.south, b.east, b.north)),
                    at: to.map(format_rfc3339_ms),
                    ..Params::default()
                };
                api::vessels_for(&mut access, &app, &p)?
                    .into_iter()
                    .filter(|v| in_time(v.position.time_ms))
                    .map(|v| {
                        let mut props = Map::new();
                        props.insert("mmsi".into(), v.position.mmsi.into());
                        props.insert("time".into(), format_rfc3339_ms(v.position.time_ms).into());
                        props.insert("sog".into(), v.position.sog().map_or(Value::Null, Into::into));
                        props.insert("cog".into(), v.position.cog().map_or(Value::Null, Into::into));
                        props.insert("heading".into(), v.position.heading().map_or(Value::Null, Into::into));
                        if let Some(i) = &v.identity {
                            props.extend(api::identity_json(i));
                        }
                        props.insert("marking".into(), api::marking(&access, v.position.provenance.source).into());
                        let mut f = point_feature(v.position.lon(), v.position.lat(), props);
                        f["id"] = v.position.mmsi.into();
                        f
                    })
                    .collect()
            }
            "positions" => {
                let store = open_store(&app)?;
                let b = bbox.unwrap_or(Bbox::world());
                let rows = store
                    .area(b, from.unwrap_or(i64::MIN / 2), to.unwrap_or(i64::MAX / 2))
                    .map_err(anyhow::Error::from)?;
                access
                    .readable(&rows)
                    .into_iter()
                    .map(|p| {
                        let mut props = Map::new();
                        props.insert("mmsi".into(), p.mmsi.into());
                        props.insert("time".into(), format_rfc3339_ms(p.time_ms).into());
                        props.insert("sog".into(), p.sog().map_or(Value::Null, Into::into));
                        props.insert("cog".into(), p.cog().map_or(Value::Null, Into::into));
                        props.insert("heading".into(), p.heading().map_or(Value::Null, Into::into));
                        props.insert("marking".into(), api::marking(&access, p.provenance.source).into());
                        let mut f = point_feature(p.lon(), p.lat(), props);
                        f["id"] = format!("{}-{}", p.mmsi, p.time_ms).into();
                        f
                    })
                    .collect()
            }
            "events" => {
                let all = derived.unwrap_or_default();
                let p = Params {
                    bbox: bbox.map(|b| format!("{},{},{},{}", b.west, b.south, b.east, b.north)),
                    from: from.map(format_rfc3339_ms),
                    to: to.map(format_rfc3339_ms),
                    ..Params::default()
                };
                filter_events(&all, &p)?.map(event_feature).collect()
            }
            _ => derived
                .unwrap_or_default()
                .iter()
                .filter(|r| r.get("type").and_then(Value::as_str) == Some("sar_match"))
                .filter_map(|r| {
                    let lat = r.get("lat").and_then(Value::as_f64)?;
                    let lon = r.get("lon").and_then(Value::as_f64)?;
                    let t = r.get("time").and_then(Value::as_str).and_then(|s| parse_time(s).ok())?;
                    (bbox.is_none_or(|b| b.contains(lat, lon)) && in_time(t)).then(|| {
                        let mut f = point_feature(lon, lat, r.as_object().cloned().unwrap_or_default());
                        f["id"] = r.get("detection_id").cloned().unwrap_or(Value::Null);
                        f
                    })
                })
                .collect(),
        };
        access
            .audit("read", &format!("ogc {id} items"), &format!("{{\"rows\":{}}}", features.len()))
            .map_err(ApiError::from)?;
        Ok(features)
    })
    .await
}
