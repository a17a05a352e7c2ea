//! The one table of endpoints: the router is built from it and the OpenAPI
//! document lists it, so tests that walk `/openapi.json` reach every
//! endpoint (a new one cannot escape the authentication and leak tests).
//! Anything not in the table is a static file of the web app or a 404.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use serde_json::{Value, json};

use crate::{App, api, assets, live, ogc, userdata};

/// One endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{name}` parameters.
    pub path: &'static str,
    /// What it answers.
    pub summary: &'static str,
    /// Answered without authentication (only the health check).
    pub public: bool,
    /// Group in the API document.
    pub tag: &'static str,
}

const fn ep(method: &'static str, path: &'static str, tag: &'static str, summary: &'static str) -> Endpoint {
    Endpoint { method, path, summary, public: false, tag }
}

/// Every endpoint of the server.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "GET",
        path: "/api/health",
        summary: "Liveness; says nothing about the data",
        public: true,
        tag: "service",
    },
    ep("GET", "/openapi.json", "service", "This document"),
    ep("GET", "/metrics", "service", "Prometheus metrics"),
    ep("GET", "/api/summary", "service", "The reader, the store's time range and event count"),
    ep("GET", "/api/sources", "data", "Sources the reader may see, with markings"),
    ep(
        "GET",
        "/api/vessels",
        "data",
        "Latest vessel positions (or as of `at`); search with `q`; `format=columns` for maps",
    ),
    ep("GET", "/api/vessels/{mmsi}", "data", "Vessel dossier: identity history, track, events, watchlist status"),
    ep("GET", "/api/vessels/{mmsi}/track", "data", "A vessel's track in a window (`from`, `to`)"),
    ep("GET", "/api/events", "data", "Behaviour events by `type`, `from`/`to`, `bbox`, `mmsi`"),
    ep("GET", "/api/events/{id}", "data", "One event"),
    ep("GET", "/api/detections", "data", "Satellite detections with their AIS match or dark result"),
    ep("GET", "/api/scenes", "data", "Satellite scene footprints"),
    ep("GET", "/api/lanes", "data", "The maritime route network"),
    ep("GET", "/api/zones", "zones", "Built-in and user zones"),
    ep("POST", "/api/zones", "zones", "Create a zone (GeoJSON Feature with properties.name)"),
    ep("PUT", "/api/zones/{id}", "zones", "Replace a zone"),
    ep("DELETE", "/api/zones/{id}", "zones", "Delete a zone"),
    ep("GET", "/api/alerts", "alerts", "Alert rules"),
    ep("POST", "/api/alerts", "alerts", "Create an alert rule (area, event types, vessels)"),
    ep("DELETE", "/api/alerts/{id}", "alerts", "Delete an alert rule"),
    ep("GET", "/api/alerts/{id}/deliveries", "alerts", "Events delivered by an alert rule"),
    ep("GET", "/api/live", "live", "WebSocket: positions and events, filtered by `bbox` and `types`"),
    ep("GET", "/ogc", "ogc", "OGC API - Features landing page"),
    ep("GET", "/ogc/conformance", "ogc", "Conformance classes"),
    ep("GET", "/ogc/collections", "ogc", "Collections"),
    ep("GET", "/ogc/collections/{collectionId}", "ogc", "One collection"),
    ep("GET", "/ogc/collections/{collectionId}/items", "ogc", "Features, with bbox, datetime, limit and next links"),
    ep("GET", "/ogc/collections/{collectionId}/items/{featureId}", "ogc", "One feature"),
];

fn handler(e: &Endpoint) -> MethodRouter<Arc<App>> {
    match (e.method, e.path) {
        ("GET", "/api/health") => get(api::health),
        ("GET", "/openapi.json") => get(openapi),
        ("GET", "/metrics") => get(api::metrics),
        ("GET", "/api/summary") => get(api::summary),
        ("GET", "/api/sources") => get(api::sources),
        ("GET", "/api/vessels") => get(api::vessels),
        ("GET", "/api/vessels/{mmsi}") => get(api::dossier),
        ("GET", "/api/vessels/{mmsi}/track") => get(api::track),
        ("GET", "/api/events") => get(api::events),
        ("GET", "/api/events/{id}") => get(api::event),
        ("GET", "/api/detections") => get(api::detections),
        ("GET", "/api/scenes") => get(api::scenes),
        ("GET", "/api/lanes") => get(api::lanes),
        ("GET", "/api/zones") => get(userdata::list_zones),
        ("POST", "/api/zones") => post(userdata::create_zone),
        ("PUT", "/api/zones/{id}") => put(userdata::update_zone),
        ("DELETE", "/api/zones/{id}") => delete(userdata::delete_zone),
        ("GET", "/api/alerts") => get(userdata::list_alerts),
        ("POST", "/api/alerts") => post(userdata::create_alert),
        ("DELETE", "/api/alerts/{id}") => delete(userdata::delete_alert),
        ("GET", "/api/alerts/{id}/deliveries") => get(userdata::deliveries),
        ("GET", "/api/live") => get(live::live),
        ("GET", "/ogc") => get(ogc::landing),
        ("GET", "/ogc/conformance") => get(ogc::conformance),
        ("GET", "/ogc/collections") => get(ogc::collections),
        ("GET", "/ogc/collections/{collectionId}") => get(ogc::collection),
        ("GET", "/ogc/collections/{collectionId}/items") => get(ogc::items),
        ("GET", "/ogc/collections/{collectionId}/items/{featureId}") => get(ogc::item),
        (m, p) => unreachable!("endpoint {m} {p} is in the table but has no handler"),
    }
}

/// The router: every endpoint of [`ENDPOINTS`], then the web app's files.
pub fn router(app: Arc<App>) -> Router {
    let mut by_path: BTreeMap<&str, MethodRouter<Arc<App>>> = BTreeMap::new();
    for e in ENDPOINTS {
        let h = handler(e);
        let merged = match by_path.remove(e.path) {
            Some(prev) => prev.merge(h),
            None => h,
        };
        by_path.insert(e.path, merged);
    }
    let mut r = Router::new();
    for (path, mr) in by_path {
        r = r.route(path, mr);
    }
    r.fallback(assets::serve).layer(middleware::from_fn_with_state(app.clone(), count)).with_state(app)
}

async fn count(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    app.metrics.http_requests.inc();
    next.run(req).await
}

/// The OpenAPI 3.0 document, generated from [`ENDPOINTS`].
pub fn openapi_document() -> Value {
    let mut paths: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
    for e in ENDPOINTS {
        let params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "summary": e.summary,
            "tags": [e.tag],
            "parameters": params,
            "responses": {
                "200": {"description": "OK"},
                "400": {"description": "Bad input, named in the error"},
                "401": {"description": "Not authenticated"},
                "404": {"description": "Not found, or not releasable to you (the two look the same)"},
            },
        });
        if e.public {
            op["security"] = json!([]);
        }
        paths.entry(e.path).or_default().insert(e.method.to_ascii_lowercase(), op);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Sealane",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every item carries its label and marking; every answer is filtered by what the caller may read.",
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    })
}

async fn openapi(_reader: crate::reader::Reader) -> Response {
    axum::Json(openapi_document()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_has_a_handler_and_only_health_is_public() {
        for e in ENDPOINTS {
            let _ = handler(e);
        }
        let public: Vec<&str> = ENDPOINTS.iter().filter(|e| e.public).map(|e| e.path).collect();
        assert_eq!(public, ["/api/health"]);
        let doc = openapi_document();
        let n: usize = doc["paths"].as_object().unwrap().values().map(|m| m.as_object().unwrap().len()).sum();
        assert_eq!(n, ENDPOINTS.len());
    }
}
